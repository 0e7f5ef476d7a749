/* ctrl_deployment.c - the Deployment controller: one ReplicaSet per pod
 * template, scaled from the old to the new.
 *
 * K8S: pkg/controller/deployment/deployment_controller.go (watches,
 * syncDeployment), sync.go (getNewReplicaSet, scale, cleanup, status),
 * progress.go (syncRolloutStatus), util/deployment_util.go (revisions,
 * annotations, conditions).
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
 *
 * The hash: upstream hashes the template with FNV-32a over a Go-specific
 * deep dump (hashutil.DeepHashObject) and spells the number with
 * rand.SafeEncodeString. kubelab hashes the template's JSON encoding
 * (json_from_struct) the same way, so names look alike ("web-5d4c8b9f7")
 * and play the same role, but the values differ from a real cluster's.
 *
 * Interface: the deployment_controller row (controller.h), and
 * ctrl_deployment.h for the strategies. Not modelled yet: rollback
 * (the deprecated rollbackTo annotation), proportional scaling of several
 * active ReplicaSets when replicas change mid-rollout (isScalingEvent).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_deployment.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "json.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

/* K8S: deploymentutil condition reasons. */
#define REASON_NEW_RS_CREATED "NewReplicaSetCreated"
#define REASON_FOUND_NEW_RS "FoundNewReplicaSet"
#define REASON_NEW_RS_AVAILABLE "NewReplicaSetAvailable"
#define REASON_RS_UPDATED "ReplicaSetUpdated"
#define REASON_TIMED_OUT "ProgressDeadlineExceeded"
#define REASON_RS_CREATE_ERROR "ReplicaSetCreateError"
#define REASON_PAUSED "DeploymentPaused"
#define REASON_RESUMED "DeploymentResumed"
#define REASON_MIN_AVAILABLE "MinimumReplicasAvailable"
#define REASON_MIN_UNAVAILABLE "MinimumReplicasUnavailable"
#define MAX_REV_HISTORY_LENGTH 2000	/* K8S: maxRevHistoryLengthInChars */

static const struct deployment *as_deployment(const struct object *obj)
{
	return object_as(obj, KIND_DEPLOYMENT, const struct deployment);
}

/* ---- from events to keys ------------------------------------------------- */

static void enqueue(struct deployment_controller *c, const struct object *d, ktime_t after)
{
	char *key = object_key(d);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

static const struct object *resolve(struct deployment_controller *c,
				    const char *namespace, const struct owner_reference *ref)
{
	if (!ref || !ref->kind || strcmp(ref->kind, "Deployment"))
		return NULL;
	const struct object *d = informer_get(c->deployments, namespace, ref->name);
	return d && ref->uid && !strcmp(d->meta.uid, ref->uid) ? d : NULL;
}

/* K8S: getDeploymentsForReplicaSet: who might adopt an orphan RS. */
static void enqueue_matching(struct deployment_controller *c, const struct object *rs)
{
	struct object_list list = {0};
	informer_list(c->deployments, rs->meta.namespace, &list);
	for (size_t i = 0; i < list.len; i++) {
		struct selector sel;
		if (label_selector_compile(&as_deployment(list.items[i])->spec.selector, &sel, NULL))
			continue;
		if (!selector_is_empty(&sel) && selector_matches(&sel, &rs->meta.labels))
			enqueue(c, list.items[i], 0);
		selector_release(&sel);
	}
	object_list_release(&list);
}

static void on_deployment(void *arg, enum watch_type type, const struct object *obj,
			  const struct object *old)
{
	(void)type;
	(void)old;
	enqueue(arg, obj, 0);
}

static void enqueue_owner(struct deployment_controller *c, const struct object *rs,
			  const struct owner_reference *ref)
{
	const struct object *d = resolve(c, rs->meta.namespace, ref);
	if (d)
		enqueue(c, d, 0);
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
		enqueue(c, d, 0);
}

/* ---- writing the deployment ---------------------------------------------- */

static int32_t progress_deadline(const struct deployment *d)
{
	return d->spec.progress_deadline_seconds;
}

/* K8S: HasProgressDeadline. MaxInt32 means "none"; so does 0, which only
 * an object built without defaults can carry (validation refuses it). */
static bool has_progress_deadline(const struct deployment *d)
{
	return progress_deadline(d) > 0 && progress_deadline(d) != INT32_MAX;
}

/* Writes r->d's metadata (false) or status (true). Afterwards r->d follows
 * the stored resourceVersion, so the sync's next write does not conflict
 * with its own previous one (upstream lets it conflict and requeues). */
static int write_deployment(struct rollout *r, bool status)
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

/* K8S: NewDeploymentCondition + SetDeploymentCondition: nothing changes
 * when status and reason are the same; the transition time is kept while
 * the status stays. Takes over message. Returns whether it changed. */
static bool set_condition(struct deployment_status *s, const char *type,
			  const char *status, const char *reason, char *message, ktime_t now)
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

/* ---- the new ReplicaSet -------------------------------------------------- */

/* K8S: controller.ComputeHash: FNV-32a, then rand.SafeEncodeString of the
 * decimal number (an alphabet without vowels, so no words). */
static char *template_hash(const struct pod_template_spec *template, int32_t collisions)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	struct json *json = json_from_struct(&pod_template_spec_schema, template);
	char *text = json_print(json, false);
	json_free(json);
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 16777619u;
	free(text);
	for (int i = 0; collisions && i < 8; i++)	/* 8 bytes, little endian */
		h = (h ^ (i < 4 ? ((uint32_t)collisions >> (8 * i)) & 0xff : 0)) * 16777619u;
	char digits[16];
	snprintf(digits, sizeof(digits), "%u", h);
	for (char *p = digits; *p; p++)
		*p = alphabet[(unsigned char)*p % (sizeof(alphabet) - 1)];
	return xstrdup(digits);
}

/* K8S: EqualIgnoreHash: the templates are equal but for pod-template-hash. */
static bool equal_ignore_hash(const struct pod_template_spec *a,
			      const struct pod_template_spec *b)
{
	struct pod_template_spec x, y;
	schema_copy(&pod_template_spec_schema, &x, a);
	schema_copy(&pod_template_spec_schema, &y, b);
	strmap_remove(&x.metadata.labels, POD_TEMPLATE_HASH_LABEL);
	strmap_remove(&y.metadata.labels, POD_TEMPLATE_HASH_LABEL);
	bool equal = schema_equal(&pod_template_spec_schema, &x, &y);
	schema_release(&pod_template_spec_schema, &x);
	schema_release(&pod_template_spec_schema, &y);
	return equal;
}

static int64_t revision_of(const struct object *obj)
{
	const char *text = strmap_get(&obj->meta.annotations, REVISION_ANNOTATION);
	return text ? strtoll(text, NULL, 10) : 0;
}

/* K8S: SetReplicasAnnotations. */
static bool set_replicas_annotations(struct object *rs, int32_t desired, int32_t max)
{
	char want[2][16];
	snprintf(want[0], sizeof(want[0]), "%d", desired);
	snprintf(want[1], sizeof(want[1]), "%d", max);
	const char *keys[2] = { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION };
	bool changed = false;
	for (int i = 0; i < 2; i++) {
		const char *have = strmap_get(&rs->meta.annotations, keys[i]);
		if (!have || strcmp(have, want[i])) {
			strmap_set(&rs->meta.annotations, keys[i], want[i]);
			changed = true;
		}
	}
	return changed;
}

/* K8S: SetNewReplicaSetAnnotations: the deployment's own annotations
 * (but not kubectl's or the controller's), the new revision when it is
 * higher (remembering the old one when a template comes back: a
 * rollback), and for a new RS the desired/max replicas. */
static bool set_new_rs_annotations(const struct deployment *d, struct object *rs,
				   int64_t revision, bool exists)
{
	static const char *const skip[] = {
		"kubectl.kubernetes.io/last-applied-configuration", REVISION_ANNOTATION,
		REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION,
		MAX_REPLICAS_ANNOTATION, "deprecated.deployment.rollback.to", NULL,
	};
	bool changed = false;
	const struct strmap *from = &d->obj.meta.annotations;
	for (size_t i = 0; i < from->len; i++) {
		bool skipped = false;
		for (const char *const *k = skip; *k; k++)
			skipped |= !strcmp(*k, from->items[i].key);
		const char *have = strmap_get(&rs->meta.annotations, from->items[i].key);
		if (skipped || (have && !strcmp(have, from->items[i].value)))
			continue;
		strmap_set(&rs->meta.annotations, from->items[i].key, from->items[i].value);
		changed = true;
	}
	const char *old_text = strmap_get(&rs->meta.annotations, REVISION_ANNOTATION);
	int64_t old = revision_of(rs);
	if (old < revision) {
		char *history = NULL;
		if (old_text) {
			const char *prev = strmap_get(&rs->meta.annotations,
						      REVISION_HISTORY_ANNOTATION);
			history = prev && *prev ? xasprintf("%s,%s", prev, old_text)
						: xstrdup(old_text);
		}
		if (history && strlen(history) <= MAX_REV_HISTORY_LENGTH)
			strmap_set(&rs->meta.annotations, REVISION_HISTORY_ANNOTATION, history);
		free(history);
		char text[24];
		snprintf(text, sizeof(text), "%lld", (long long)revision);
		strmap_set(&rs->meta.annotations, REVISION_ANNOTATION, text);
		changed = true;
	}
	if (!exists && set_replicas_annotations(rs, d->spec.replicas,
						d->spec.replicas + deployment_max_surge(d)))
		changed = true;
	return changed;
}

/* K8S: SetDeploymentRevision. Upstream carries the annotation in its
 * UpdateStatus; kubelab's status subresource takes only status, so the
 * annotation is a metadata write of its own. */
static int set_deployment_revision(struct rollout *r, const char *revision)
{
	const char *have = strmap_get(&r->d->obj.meta.annotations, REVISION_ANNOTATION);
	if (!revision || (have && !strcmp(have, revision)))
		return 0;
	strmap_set(&r->d->obj.meta.annotations, REVISION_ANNOTATION, revision);
	return write_deployment(r, false);
}

static struct replica_set *build_new_rs(const struct deployment *d, const char *hash)
{
	struct replica_set *rs = (struct replica_set *)object_new(&replica_set_kind);
	rs->obj.meta.name = xasprintf("%s-%s", d->obj.meta.name, hash);
	rs->obj.meta.namespace = xstrdup(d->obj.meta.namespace);
	struct owner_reference ref = ctrl_controller_ref(&d->obj);
	ctrl_add_owner_ref(&rs->obj, &ref);
	schema_copy(&pod_template_spec_schema, &rs->spec.template, &d->spec.template);
	strmap_set(&rs->spec.template.metadata.labels, POD_TEMPLATE_HASH_LABEL, hash);
	strmap_copy(&rs->obj.meta.labels, &rs->spec.template.metadata.labels);
	schema_copy(&label_selector_schema, &rs->spec.selector, &d->spec.selector);
	strmap_set(&rs->spec.selector.match_labels, POD_TEMPLATE_HASH_LABEL, hash);
	rs->spec.min_ready_seconds = d->spec.min_ready_seconds;
	return rs;
}

/* Splits r->listed into r->new_rs (oldest RS with the current template,
 * K8S: FindNewReplicaSet) and r->old; returns the highest old revision. */
static int64_t split_listed(struct rollout *r)
{
	rs_set_release(&r->old);
	object_unref(r->new_rs ? &r->new_rs->obj : NULL);
	r->new_rs = NULL;
	rs_set_sort_by_age(&r->listed);
	int64_t max_old = 0;
	for (size_t i = 0; i < r->listed.len; i++) {
		struct replica_set *rs = r->listed.items[i];
		if (!r->new_rs && equal_ignore_hash(&rs->spec.template, &r->d->spec.template)) {
			r->new_rs = (struct replica_set *)object_ref(&rs->obj);
			continue;
		}
		rs_set_add(&r->old, rs);
		if (revision_of(&rs->obj) > max_old)
			max_old = revision_of(&rs->obj);
	}
	return max_old;
}

/* The existing new RS: bring its revision, annotations and
 * minReadySeconds up to date, then the deployment's revision. */
static int sync_existing_new_rs(struct rollout *r, int64_t revision)
{
	struct replica_set *copy = (struct replica_set *)object_copy(&r->new_rs->obj);
	bool changed = set_new_rs_annotations(r->d, &copy->obj, revision, true);
	if (changed || copy->spec.min_ready_seconds != r->d->spec.min_ready_seconds) {
		copy->spec.min_ready_seconds = r->d->spec.min_ready_seconds;
		struct object *keep = object_ref(&copy->obj);
		struct api_status status;
		enum api_code code = client_update(r->c->client, &copy->obj, &status);
		if (code == API_OK) {
			object_unref(&r->new_rs->obj);
			r->new_rs = (struct replica_set *)keep;
			return 0;
		}
		object_unref(keep);
		return -1;
	}
	object_unref(&copy->obj);
	if (set_deployment_revision(r, strmap_get(&r->new_rs->obj.meta.annotations,
						  REVISION_ANNOTATION)))
		return -1;
	if (has_progress_deadline(r->d) &&
	    !condition_find(&r->d->status.conditions, "Progressing") &&
	    set_condition(&r->d->status, "Progressing", "True", REASON_FOUND_NEW_RS,
			  xasprintf("Found new replica set \"%s\"", r->new_rs->obj.meta.name),
			  client_now(r->c->client)))
		return write_deployment(r, true);
	return 0;
}

/* A create failed with AlreadyExists: ours (a stale cache), or a hash
 * collision, which bumps status.collisionCount for a new name next time. */
static int resolve_existing(struct rollout *r, const struct replica_set *wanted)
{
	const struct object *found = informer_get(r->c->replica_sets, wanted->obj.meta.namespace,
						  wanted->obj.meta.name);
	if (!found)
		return -1;	/* not in the cache yet: try again */
	const struct owner_reference *ref = object_controller_of(found);
	const struct replica_set *rs = (const void *)found;
	if (ref && ref->uid && !strcmp(ref->uid, r->d->obj.meta.uid) &&
	    equal_ignore_hash(&rs->spec.template, &r->d->spec.template)) {
		r->new_rs = (struct replica_set *)object_ref(found);
		return 0;
	}
	r->d->status.collision_count++;
	write_deployment(r, true);
	return -1;
}

static int create_new_rs(struct rollout *r, int64_t revision)
{
	const struct client *client = r->c->client;
	struct deployment *d = r->d;
	char *hash = template_hash(&d->spec.template, d->status.collision_count);
	struct replica_set *rs = build_new_rs(d, hash);
	free(hash);
	rs->spec.replicas = deployment_new_rs_replicas(d, rs_set_spec_replicas(&r->old), 0);
	set_new_rs_annotations(d, &rs->obj, revision, false);

	struct object *keep = object_ref(&rs->obj);
	struct api_status status;
	enum api_code code = client_create(client, &rs->obj, &status);
	int rc = 0;
	if (code == API_ALREADY_EXISTS) {
		rc = resolve_existing(r, (const void *)keep);
	} else if (code != API_OK) {
		char *msg = xasprintf("Failed to create new replica set \"%s\": %s",
				      keep->meta.name, status.message);
		client_event(client, &d->obj, "Warning", REASON_RS_CREATE_ERROR, "%s", msg);
		if (has_progress_deadline(d) &&
		    set_condition(&d->status, "Progressing", "False", REASON_RS_CREATE_ERROR,
				  xstrdup(msg), client_now(client)))
			write_deployment(r, true);
		free(msg);
		rc = -1;
	} else {
		r->new_rs = (struct replica_set *)object_ref(keep);
		if (r->new_rs->spec.replicas > 0)
			client_event(client, &d->obj, "Normal", "ScalingReplicaSet",
				     "Scaled up replica set %s from 0 to %d",
				     keep->meta.name, r->new_rs->spec.replicas);
		char text[24];
		snprintf(text, sizeof(text), "%lld", (long long)revision);
		if (set_deployment_revision(r, text))
			rc = -1;
		else if (has_progress_deadline(d) &&
			 set_condition(&d->status, "Progressing", "True", REASON_NEW_RS_CREATED,
				       xasprintf("Created new replica set \"%s\"",
						 keep->meta.name), client_now(client)))
			rc = write_deployment(r, true);
	}
	object_unref(keep);
	return rc;
}

int deployment_get_new_rs(struct rollout *r, bool create)
{
	int64_t revision = split_listed(r) + 1;
	int rc = 0;
	if (r->new_rs)
		rc = sync_existing_new_rs(r, revision);
	else if (create)
		rc = create_new_rs(r, revision);
	rs_set_release(&r->all);
	for (size_t i = 0; i < r->old.len; i++)
		rs_set_add(&r->all, r->old.items[i]);
	if (r->new_rs)
		rs_set_add(&r->all, r->new_rs);
	return rc;
}

/* ---- scaling and cleaning up --------------------------------------------- */

int deployment_scale(struct rollout *r, struct replica_set **slot, int32_t scale,
		     bool *scaled)
{
	*scaled = false;
	struct replica_set *rs = *slot;
	if (rs->spec.replicas == scale)
		return 0;
	const struct deployment *d = r->d;
	struct replica_set *copy = (struct replica_set *)object_copy(&rs->obj);
	copy->spec.replicas = scale;
	set_replicas_annotations(&copy->obj, d->spec.replicas,
				 d->spec.replicas + deployment_max_surge(d));
	struct object *keep = object_ref(&copy->obj);
	struct api_status status;
	if (client_update(r->c->client, &copy->obj, &status) != API_OK) {
		object_unref(keep);
		return -1;	/* a Conflict from a stale cache: requeued */
	}
	/* LAB: deployment-scale-event */
	client_event(r->c->client, &d->obj, "Normal", "ScalingReplicaSet",
		     "Scaled %s replica set %s from %d to %d",
		     rs->spec.replicas < scale ? "up" : "down", rs->obj.meta.name,
		     rs->spec.replicas, scale);
	object_unref(&rs->obj);
	*slot = (struct replica_set *)keep;
	*scaled = true;
	return 0;
}

static int compare_revision(const void *a, const void *b)
{
	const struct replica_set *x = *(const struct replica_set *const *)a;
	const struct replica_set *y = *(const struct replica_set *const *)b;
	int64_t rx = revision_of(&x->obj), ry = revision_of(&y->obj);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->obj.meta.creation_timestamp != y->obj.meta.creation_timestamp)
		return x->obj.meta.creation_timestamp < y->obj.meta.creation_timestamp ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

int deployment_cleanup(struct rollout *r)
{
	int32_t limit = r->d->spec.revision_history_limit;
	struct rs_set alive = {0};
	for (size_t i = 0; i < r->old.len; i++)
		if (!object_is_deleting(&r->old.items[i]->obj))
			rs_set_add(&alive, r->old.items[i]);
	int rc = 0;
	int64_t diff = (int64_t)alive.len - limit;
	if (limit != INT32_MAX && diff > 0) {
		if (alive.len > 1)
			qsort(alive.items, alive.len, sizeof(*alive.items), compare_revision);
		for (int64_t i = 0; i < diff && !rc; i++) {
			const struct replica_set *rs = alive.items[i];
			/* Only RSs with nothing left, whose controller caught up. */
			if (rs->status.replicas || rs->spec.replicas ||
			    rs->obj.meta.generation > rs->status.observed_generation)
				continue;
			struct delete_options options = DELETE_OPTIONS_DEFAULT;
			struct api_status status;
			enum api_code code = client_delete(r->c->client, KIND_REPLICASET,
							   rs->obj.meta.namespace, rs->obj.meta.name,
							   &options, &status);
			rc = code == API_OK || code == API_NOT_FOUND ? 0 : -1;
		}
	}
	rs_set_release(&alive);
	return rc;
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

/* ---- status and progress ------------------------------------------------- */

/* K8S: calculateStatus. */
static void calculate_status(const struct rollout *r, struct deployment_status *s,
			     ktime_t now)
{
	const struct deployment *d = r->d;
	schema_copy(deployment_kind.status_schema, s, &d->status);
	int32_t available = rs_set_available(&r->all);
	int32_t unavailable = rs_set_spec_replicas(&r->all) - available;
	s->observed_generation = d->obj.meta.generation;
	s->replicas = rs_set_replicas(&r->all);
	s->updated_replicas = r->new_rs ? r->new_rs->status.replicas : 0;
	s->ready_replicas = rs_set_ready(&r->all);
	s->available_replicas = available;
	s->unavailable_replicas = unavailable > 0 ? unavailable : 0;
	if (available >= d->spec.replicas - deployment_max_unavailable(d))
		set_condition(s, "Available", "True", REASON_MIN_AVAILABLE,
			      xstrdup("Deployment has minimum availability."), now);
	else
		set_condition(s, "Available", "False", REASON_MIN_UNAVAILABLE,
			      xstrdup("Deployment does not have minimum availability."), now);
}

/* K8S: DeploymentComplete / DeploymentProgressing / DeploymentTimedOut. */
static bool rollout_complete(const struct deployment *d, const struct deployment_status *s)
{
	return s->updated_replicas == d->spec.replicas && s->replicas == d->spec.replicas &&
	       s->available_replicas == d->spec.replicas &&
	       s->observed_generation >= d->obj.meta.generation;
}

static bool rollout_progressing(const struct deployment *d, const struct deployment_status *s)
{
	const struct deployment_status *o = &d->status;
	return s->updated_replicas > o->updated_replicas ||
	       s->replicas - s->updated_replicas < o->replicas - o->updated_replicas ||
	       s->ready_replicas > o->ready_replicas ||
	       s->available_replicas > o->available_replicas;
}

static bool rollout_timed_out(const struct deployment *d, const struct deployment_status *s,
			      ktime_t now)
{
	const struct condition *cond = condition_find((void *)&s->conditions, "Progressing");
	if (!has_progress_deadline(d) || !cond || !cond->reason ||
	    !strcmp(cond->reason, REASON_NEW_RS_AVAILABLE))
		return false;
	if (!strcmp(cond->reason, REASON_TIMED_OUT))
		return true;
	return cond->last_update_time + progress_deadline(d) * KTIME_SECOND < now;
}

/* The Progressing condition for this sync (K8S: the switch in
 * syncRolloutStatus). */
static void update_progress(const struct rollout *r, struct deployment_status *s, ktime_t now)
{
	const struct deployment *d = r->d;
	const char *rs_name = r->new_rs ? r->new_rs->obj.meta.name : NULL;
	const struct condition *cur = condition_find((void *)&d->status.conditions, "Progressing");
	bool done = s->replicas == s->updated_replicas && cur && cur->reason &&
		    !strcmp(cur->reason, REASON_NEW_RS_AVAILABLE);
	if (!has_progress_deadline(d) || done)
		return;
	if (rollout_complete(d, s)) {
		set_condition(s, "Progressing", "True", REASON_NEW_RS_AVAILABLE, rs_name ?
			      xasprintf("ReplicaSet \"%s\" has successfully progressed.", rs_name) :
			      xasprintf("Deployment \"%s\" has successfully progressed.",
					d->obj.meta.name), now);
	} else if (rollout_progressing(d, s)) {
		/* Progress refreshes lastUpdateTime even with the same reason:
		 * that is what the deadline is measured from. */
		ktime_t since = cur && !strcmp(cur->status, "True") ? cur->last_transition_time : now;
		ctrl_condition_remove(&s->conditions, "Progressing");
		struct condition cond = {
			.type = xstrdup("Progressing"), .status = xstrdup("True"),
			.reason = xstrdup(REASON_RS_UPDATED),
			.message = rs_name ? xasprintf("ReplicaSet \"%s\" is progressing.", rs_name)
					   : xasprintf("Deployment \"%s\" is progressing.",
						       d->obj.meta.name),
			.last_update_time = now, .last_transition_time = since,
		};
		ctrl_condition_put(&s->conditions, &cond);
	} else if (rollout_timed_out(d, s, now)) {
		set_condition(s, "Progressing", "False", REASON_TIMED_OUT, rs_name ?
			      xasprintf("ReplicaSet \"%s\" has timed out progressing.", rs_name) :
			      xasprintf("Deployment \"%s\" has timed out progressing.",
					d->obj.meta.name), now);
	}
}

/* K8S: getReplicaFailures: the new RS's ReplicaFailure, else an old one's,
 * becomes the deployment's. */
static void copy_replica_failure(const struct rollout *r, struct deployment_status *s,
				 ktime_t now)
{
	const struct condition *failure = NULL;
	if (r->new_rs)
		failure = condition_find((void *)&r->new_rs->status.conditions, "ReplicaFailure");
	for (size_t i = 0; !failure && i < r->all.len; i++)
		failure = condition_find((void *)&r->all.items[i]->status.conditions,
					 "ReplicaFailure");
	if (!failure) {
		ctrl_condition_remove(&s->conditions, "ReplicaFailure");
		return;
	}
	set_condition(s, "ReplicaFailure", failure->status, failure->reason ? failure->reason : "",
		      xstrdup(failure->message ? failure->message : ""), now);
}

/* K8S: requeueStuckDeployment: look again when the deadline would pass. */
static void requeue_stuck(const struct rollout *r, const struct deployment_status *s,
			  ktime_t now)
{
	const struct deployment *d = r->d;
	const struct condition *cur = condition_find((void *)&d->status.conditions, "Progressing");
	if (!has_progress_deadline(d) || !cur || rollout_complete(d, s) ||
	    (cur->reason && !strcmp(cur->reason, REASON_TIMED_OUT)))
		return;
	ktime_t after = cur->last_update_time + progress_deadline(d) * KTIME_SECOND - now;
	enqueue(r->c, &d->obj, after < KTIME_SECOND ? 0 : after + KTIME_SECOND);
}

static int sync_status(struct rollout *r, bool rollout)
{
	ktime_t now = client_now(r->c->client);
	const struct schema *schema = deployment_kind.status_schema;
	struct deployment_status s = {0};
	calculate_status(r, &s, now);
	if (rollout) {
		update_progress(r, &s, now);
		copy_replica_failure(r, &s, now);
	}
	int rc = 0;
	if (schema_equal(schema, &s, &r->d->status)) {
		if (rollout)
			requeue_stuck(r, &s, now);
	} else {
		schema_release(schema, &r->d->status);
		schema_copy(schema, &r->d->status, &s);
		rc = write_deployment(r, true);
	}
	schema_release(schema, &s);
	return rc;
}

int deployment_sync_rollout_status(struct rollout *r)
{
	return sync_status(r, true);
}

int deployment_sync_status(struct rollout *r)
{
	return sync_status(r, false);
}

/* ---- the reconcile ------------------------------------------------------- */

/* K8S: checkPausedConditions: Progressing Unknown while paused, so the
 * pause does not count against the progress deadline. */
static int check_paused(struct rollout *r)
{
	struct deployment *d = r->d;
	const struct condition *cur = condition_find(&d->status.conditions, "Progressing");
	if (!has_progress_deadline(d) || (cur && cur->reason && !strcmp(cur->reason, REASON_TIMED_OUT)))
		return 0;
	bool paused_cond = cur && cur->reason && !strcmp(cur->reason, REASON_PAUSED);
	ktime_t now = client_now(r->c->client);
	bool changed = false;
	if (d->spec.paused && !paused_cond)
		changed = set_condition(&d->status, "Progressing", "Unknown", REASON_PAUSED,
					xstrdup("Deployment is paused"), now);
	else if (!d->spec.paused && paused_cond)
		changed = set_condition(&d->status, "Progressing", "Unknown", REASON_RESUMED,
					xstrdup("Deployment is resumed"), now);
	return changed ? write_deployment(r, true) : 0;
}

/* K8S: getReplicaSetsForDeployment: every RS of the namespace, claimed
 * (ours and matching, plus adopted orphans). */
static int claim_replica_sets(struct rollout *r, const struct selector *selector)
{
	struct object_list all = {0}, claimed = {0};
	informer_list(r->c->replica_sets, r->d->obj.meta.namespace, &all);
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
	int rc = 0;
	if (label_selector_compile(&r.d->spec.selector, &selector, NULL))
		goto out;	/* invalid: nothing to do until it is fixed */
	if (selector_is_empty(&selector)) {
		client_event(c->client, &r.d->obj, "Warning", "SelectingAll",
			     "This deployment is selecting all pods. A non-empty selector is required.");
		if (r.d->status.observed_generation < r.d->obj.meta.generation) {
			r.d->status.observed_generation = r.d->obj.meta.generation;
			write_deployment(&r, true);
		}
	} else if (claim_replica_sets(&r, &selector)) {
		rc = -1;
	} else if (object_is_deleting(&r.d->obj)) {
		rc = deployment_sync_only(&r, false);
	} else if (check_paused(&r)) {
		rc = -1;
	} else if (r.d->spec.paused) {
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
				       informer_index_controller_uid, on_replica_set, c);
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
