/* ctrl_deployment.c - the Deployment controller: one ReplicaSet per pod
 * template, scaled from the old to the new.
 *
 * K8S: pkg/controller/deployment/deployment_controller.go (watches,
 * syncDeployment), sync.go (scaleReplicaSet), recreate.go (oldPodsRunning).
 *
 * A Deployment does not make pods. It owns ReplicaSets named
 * NAME-<pod-template-hash>, one per version of its pod template, and
 * moves replicas between them (ctrl_deployment_rollout.c); the ReplicaSet
 * controller makes the pods. Each sync:
 *   1. claims the ReplicaSets its selector matches (adopting orphans);
 *   2. finds the "new" RS, whose template is the deployment's, giving it
 *      the next revision (deployment.kubernetes.io/revision), or creates
 *      it with the label pod-template-hash added to its selector and
 *      template, so the versions never fight over pods;
 *   3. runs the strategy, which scales RSs with ScalingReplicaSet events;
 *   4. writes status: replicas, updatedReplicas (pods of the new RS),
 *      ready, available, unavailable, and the Available and Progressing
 *      conditions.
 * Step 2 lives in ctrl_deployment_revision.c, step 3 in
 * ctrl_deployment_rollout.c, step 4 in ctrl_deployment_status.c; this file
 * is the loop around them, and the scaling every strategy uses.
 *
 * A change of spec.replicas alone is a scaling event (the desired-replicas
 * annotation of an active RS differs): it is not a rollout step, and
 * ctrl_deployment_scale.c spreads the change over the active RSs.
 *
 * Interface: the deployment_controller row (controller.h), and
 * ctrl_deployment.h for the other parts. Not modelled: rollback through
 * the deprecated rollbackTo annotation (kubectl rollout undo is
 * client-side, sim/rollout.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_deployment.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

static const struct deployment *as_deployment(const struct object *obj)
{
	return object_as(obj, KIND_DEPLOYMENT, const struct deployment);
}

/* ---- from events to keys ------------------------------------------------- */

void deployment_enqueue(struct deployment_controller *c, const struct object *d,
			ktime_t after)
{
	char *key = object_key(d);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

static const struct object *resolve(struct deployment_controller *c,
				    const char *namespace, const struct owner_reference *ref)
{
	return informer_resolve_controller(c->deployments, namespace, ref, "Deployment");
}

static const struct label_selector *deployment_selector(const struct object *obj)
{
	return &as_deployment(obj)->spec.selector;
}

/* K8S: getDeploymentsForReplicaSet: who might adopt an orphan RS. */
static void enqueue_matching(struct deployment_controller *c, const struct object *rs)
{
	struct object_list list = {0};
	informer_list_selecting(c->deployments, rs->meta.namespace, &rs->meta.labels,
				deployment_selector, &list);
	for (size_t i = 0; i < list.len; i++)
		deployment_enqueue(c, list.items[i], 0);
	object_list_release(&list);
}

static void on_deployment(void *arg, enum watch_type type, const struct object *obj,
			  const struct object *old)
{
	(void)type;
	(void)old;
	deployment_enqueue(arg, obj, 0);
}

static void enqueue_owner(struct deployment_controller *c, const struct object *rs,
			  const struct owner_reference *ref)
{
	const struct object *d = resolve(c, rs->meta.namespace, ref);
	if (d)
		deployment_enqueue(c, d, 0);
}

static void on_replica_set(void *arg, enum watch_type type, const struct object *obj,
			   const struct object *old)
{
	struct deployment_controller *c = arg;
	const struct owner_reference *ref = object_controller_of(obj);
	if (type == WATCH_DELETED || object_is_deleting(obj) || type == WATCH_ADDED) {
		if (ref)
			enqueue_owner(c, obj, ref);
		else if (type == WATCH_ADDED && !object_is_deleting(obj))
			enqueue_matching(c, obj);	/* an orphan */
		return;
	}
	if (obj->meta.resource_version == old->meta.resource_version)
		return;
	const struct owner_reference *old_ref = object_controller_of(old);
	bool ref_changed = (ref == NULL) != (old_ref == NULL) ||
		(ref && strcmp(ref->uid ? ref->uid : "", old_ref->uid ? old_ref->uid : ""));
	if (ref_changed && old_ref)
		enqueue_owner(c, old, old_ref);
	if (ref)
		enqueue_owner(c, obj, ref);
	else if (ref_changed || !strmap_equal(&obj->meta.labels, &old->meta.labels))
		enqueue_matching(c, obj);
}

/* K8S: deletePod: a Recreate rollout waits for the last old pod to go. */
static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct deployment_controller *c = arg;
	(void)old;
	if (type != WATCH_DELETED)
		return;
	const struct owner_reference *ref = object_controller_of(obj);
	if (!ref || !ref->kind || strcmp(ref->kind, "ReplicaSet"))
		return;
	const struct object *rs = informer_get(c->replica_sets, obj->meta.namespace, ref->name);
	if (!rs || strcmp(rs->meta.uid, ref->uid ? ref->uid : ""))
		return;
	const struct object *d = resolve(c, rs->meta.namespace, object_controller_of(rs));
	if (d && !deployment_is_rolling_update(as_deployment(d)))
		deployment_enqueue(c, d, 0);
}

/* ---- writing the deployment ---------------------------------------------- */

/* K8S: HasProgressDeadline. MaxInt32 means "none"; so does 0, which only
 * an object built without defaults can carry (validation refuses it). */
bool deployment_has_progress_deadline(const struct deployment *d)
{
	int32_t deadline = d->spec.progress_deadline_seconds;
	return deadline > 0 && deadline != INT32_MAX;
}

int deployment_write(struct rollout *r, bool status)
{
	const struct client *client = r->c->client;
	struct object *next = object_copy(&r->d->obj);
	struct api_status result;
	enum api_code code = status ? client_update_status(client, next, &result)
				    : client_update(client, next, &result);
	if (code != API_OK)
		return -1;
	const struct object *cur = client_get(client, KIND_DEPLOYMENT,
					      r->d->obj.meta.namespace, r->d->obj.meta.name);
	if (cur)
		r->d->obj.meta.resource_version = cur->meta.resource_version;
	return 0;
}

bool deployment_set_condition(struct deployment_status *s, const char *type,
			      const char *status, const char *reason, char *message,
			      ktime_t now)
{
	const struct condition *cur = condition_find(&s->conditions, type);
	if (cur && !strcmp(cur->status, status) && cur->reason && !strcmp(cur->reason, reason)) {
		free(message);
		return false;
	}
	struct condition cond = {
		.type = xstrdup(type), .status = xstrdup(status), .reason = xstrdup(reason),
		.message = message, .last_update_time = now, .last_transition_time = now,
	};
	if (cur && !strcmp(cur->status, status))
		cond.last_transition_time = cur->last_transition_time;
	ctrl_condition_put(&s->conditions, &cond);
	return true;
}

/* ---- scaling ------------------------------------------------------------ */

int deployment_scale(struct rollout *r, struct replica_set **slot, int32_t scale,
		     bool *scaled)
{
	*scaled = false;
	if ((*slot)->spec.replicas == scale)
		return 0;
	return deployment_scale_replica_set(r, slot, scale, scaled);
}

int deployment_scale_replica_set(struct rollout *r, struct replica_set **slot,
				 int32_t scale, bool *scaled)
{
	*scaled = false;
	struct replica_set *rs = *slot;
	const struct deployment *d = r->d;
	struct replica_set *copy = (struct replica_set *)object_copy(&rs->obj);
	bool annotated = deployment_set_replicas_annotations(&copy->obj, d->spec.replicas,
							     d->spec.replicas +
							     deployment_max_surge(d));
	if (rs->spec.replicas == scale && !annotated) {
		object_unref(&copy->obj);
		return 0;
	}
	copy->spec.replicas = scale;
	struct object *keep = object_ref(&copy->obj);
	struct api_status status;
	if (client_update(r->c->client, &copy->obj, &status) != API_OK) {
		object_unref(keep);
		return -1;	/* a Conflict from a stale cache: requeued */
	}
	/* LAB: deployment-scale-event */
	if (rs->spec.replicas != scale)
		client_event(r->c->client, &d->obj, "Normal", "ScalingReplicaSet",
			     "Scaled %s replica set %s from %d to %d",
			     rs->spec.replicas < scale ? "up" : "down", rs->obj.meta.name,
			     rs->spec.replicas, scale);
	*scaled = rs->spec.replicas != scale;
	object_unref(&rs->obj);
	*slot = (struct replica_set *)keep;
	return 0;
}

bool deployment_old_pods_running(const struct rollout *r)
{
	if (rs_set_replicas(&r->old) > 0)
		return true;
	bool running = false;
	struct object_list pods = {0};
	for (size_t i = 0; i < r->old.len; i++)
		informer_list_index(r->c->pods, r->old.items[i]->obj.meta.uid, &pods);
	for (size_t i = 0; i < pods.len && !running; i++) {
		const struct pod *pod = (const void *)pods.items[i];
		const char *phase = pod->status.phase ? pod->status.phase : "";
		/* Pods that finished are not running; anything else (even
		 * terminating, even Unknown) may still be. */
		running = strcmp(phase, POD_PHASE_SUCCEEDED) && strcmp(phase, POD_PHASE_FAILED);
	}
	object_list_release(&pods);
	return running;
}

/* ---- the reconcile ------------------------------------------------------- */

/* K8S: getReplicaSetsForDeployment: every RS of the namespace, claimed
 * (ours and matching, plus adopted orphans). */
static int claim_replica_sets(struct rollout *r, const struct selector *selector)
{
	struct object_list all = {0}, claimed = {0};
	char *orphans = informer_orphan_key(r->d->obj.meta.namespace);
	informer_list_index(r->c->replica_sets, r->d->obj.meta.uid, &all);
	informer_list_index(r->c->replica_sets, orphans, &all);
	free(orphans);
	int rc = ctrl_claim(r->c->client, &r->d->obj, selector, &all, &claimed);
	for (size_t i = 0; i < claimed.len; i++)
		rs_set_add(&r->listed, (const void *)claimed.items[i]);
	object_list_release(&claimed);
	object_list_release(&all);
	return rc;
}

static int reconcile(struct deployment_controller *c, const struct deployment *cached)
{
	struct rollout r = { .c = c };
	r.d = (struct deployment *)object_copy(&cached->obj);
	struct selector selector;
	bool scaling = false;
	int rc = 0;
	if (label_selector_compile(&r.d->spec.selector, &selector, NULL))
		goto out;	/* invalid: nothing to do until it is fixed */
	if (selector_is_empty(&selector)) {
		client_event(c->client, &r.d->obj, "Warning", "SelectingAll",
			     "This deployment is selecting all pods. "
			     "A non-empty selector is required.");
		if (r.d->status.observed_generation < r.d->obj.meta.generation) {
			r.d->status.observed_generation = r.d->obj.meta.generation;
			deployment_write(&r, true);
		}
	} else if (claim_replica_sets(&r, &selector)) {
		rc = -1;
	} else if (object_is_deleting(&r.d->obj)) {
		rc = deployment_sync_only(&r, false);
	} else if (deployment_check_paused(&r)) {
		rc = -1;
	} else if (r.d->spec.paused) {
		rc = deployment_sync_only(&r, true);
	} else if (deployment_is_scaling_event(&r, &scaling)) {
		rc = -1;
	} else if (scaling) {
		rc = deployment_sync_only(&r, true);
	} else if (!deployment_is_rolling_update(r.d)) {
		rc = deployment_rollout_recreate(&r);
	} else {
		rc = deployment_rollout_rolling(&r);
	}
	selector_release(&selector);
out:
	rs_set_release(&r.all);
	rs_set_release(&r.old);
	rs_set_release(&r.listed);
	object_unref(r.new_rs ? &r.new_rs->obj : NULL);
	object_unref(&r.d->obj);
	return rc;
}

/* K8S: syncDeployment: the workqueue's sync function. */
static int sync_deployment(void *arg, const char *key)
{
	struct deployment_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->deployments, namespace, name);
	int rc = obj ? reconcile(c, as_deployment(obj)) : 0;
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *deployment_start(const struct client *client)
{
	struct deployment_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "deployment", sync_deployment, c);
	/* Deployments first: the other handlers resolve owners through them. */
	c->deployments = informer_new(client, KIND_DEPLOYMENT, NULL, on_deployment, c);
	c->replica_sets = informer_new(client, KIND_REPLICASET,
				       informer_index_owner_or_orphan, on_replica_set, c);
	c->pods = informer_new(client, KIND_POD, informer_index_controller_uid, on_pod, c);
	return c;
}

static void deployment_stop(void *state)
{
	struct deployment_controller *c = state;
	informer_free(c->pods);
	informer_free(c->replica_sets);
	informer_free(c->deployments);
	workqueue_free(c->queue);
	free(c);
}

const struct controller_ops deployment_controller = {
	.name = "deployment-controller",
	.start = deployment_start,
	.stop = deployment_stop,
};

