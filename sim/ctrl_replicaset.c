/* ctrl_replicaset.c - the ReplicaSet controller: keep N pods running.
 *
 * K8S: pkg/controller/replicaset/replica_set.go (and replica_set_utils.go
 * for the status), the controller behind every Deployment.
 *
 * The controller pattern in its plainest form. Watch handlers never act:
 * they turn a change into the key of the ReplicaSet it concerns (a pod's
 * change goes to the RS named by its controller ownerReference; an orphan
 * pod's change to every RS whose selector matches it, which may adopt it)
 * and queue that key. One reconcile (sync_replica_set) then compares the
 * RS's spec.replicas with the active pods it owns, creates or deletes the
 * difference, and writes what it saw into status.
 *
 *   - Creations go in "slow start" batches of 1, 2, 4 ...: when the first
 *     create fails (a quota, an invalid template) the rest are not tried.
 *   - Deletions pick victims by ctrl_sort_pods_for_deletion: unscheduled,
 *     pending, not-ready pods go first, so a scale-down costs the least.
 *   - Expectations: the controller reads its informer cache, which lags
 *     the API server. After creating 3 pods it expects to see 3 ADDED
 *     events and skips creating or deleting for that RS until it has (or
 *     five minutes passed), so a slow watch never makes it create twice.
 *
 * Interface: the replicaset_controller row (controller.h).
 * Invariants: at most BURST_REPLICAS creations or deletions per sync; a
 * pod counts for at most one RS (its controller reference); status is only
 * written when it changed.
 * See also: ctrl_util.h (claiming, ranking), ctrl_expectations.h,
 * ctrl_informer.h, ctrl_deployment.c (which scales ReplicaSets).
 */
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

#define BURST_REPLICAS 500		/* K8S: replicaset.BurstReplicas */
#define SLOW_START_INITIAL_BATCH 1	/* K8S: controller.SlowStartInitialBatchSize */
#define STATUS_UPDATE_RETRIES 1		/* K8S: statusUpdateRetries */

struct rs_controller {
	const struct client *client;
	struct informer *replica_sets;	/* index: uid of the RS's own controller */
	struct informer *pods;		/* index: controller uid, or "orphan/NS" */
	struct workqueue *queue;
	struct expectations *expectations;
};

static const struct replica_set *as_rs(const struct object *obj)
{
	return object_as(obj, KIND_REPLICASET, const struct replica_set);
}

/* ---- from events to keys ------------------------------------------------- */

static void enqueue(struct rs_controller *c, const struct object *rs, ktime_t after)
{
	char *key = object_key(rs);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

/* K8S: resolveControllerRef: the RS a controller reference names, if it
 * is one and still the same object (same uid). */
static const struct replica_set *resolve(struct rs_controller *c, const char *namespace,
					 const struct owner_reference *ref)
{
	return as_rs(informer_resolve_controller(c->replica_sets, namespace, ref,
						 "ReplicaSet"));
}

static const struct label_selector *rs_selector(const struct object *obj)
{
	return &as_rs(obj)->spec.selector;
}

/* K8S: GetPodReplicaSets: every RS of the pod's namespace whose non-empty
 * selector matches the pod's labels (more than one is a user error). */
static void enqueue_matching(struct rs_controller *c, const struct object *pod)
{
	struct object_list list = {0};
	informer_list_selecting(c->replica_sets, pod->meta.namespace, &pod->meta.labels,
				rs_selector, &list);
	for (size_t i = 0; i < list.len; i++)
		enqueue(c, list.items[i], 0);
	object_list_release(&list);
}

static void pod_deleted(struct rs_controller *c, const struct object *pod)
{
	const struct replica_set *rs = resolve(c, pod->meta.namespace,
					       object_controller_of(pod));
	if (!rs)
		return;
	char *key = object_key(&rs->obj), *pod_key = object_key(pod);
	expectations_deletion_observed(c->expectations, key, pod_key);
	workqueue_add(c->queue, key);
	free(pod_key);
	free(key);
}

static void pod_added(struct rs_controller *c, const struct object *pod)
{
	/* A pod that arrives already terminating is no creation to count. */
	if (object_is_deleting(pod)) {
		pod_deleted(c, pod);
		return;
	}
	const struct owner_reference *ref = object_controller_of(pod);
	if (ref) {
		const struct replica_set *rs = resolve(c, pod->meta.namespace, ref);
		if (!rs)
			return;
		char *key = object_key(&rs->obj);
		expectations_creation_observed(c->expectations, key);
		workqueue_add(c->queue, key);
		free(key);
		return;
	}
	enqueue_matching(c, pod);	/* an orphan: who wants to adopt it? */
}

static bool same_ref(const struct owner_reference *a, const struct owner_reference *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a->uid ? a->uid : "", b->uid ? b->uid : "") &&
	       !strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static void pod_updated(struct rs_controller *c, const struct object *old,
			const struct object *cur)
{
	if (cur->meta.resource_version == old->meta.resource_version)
		return;
	bool labels_changed = !strmap_equal(&cur->meta.labels, &old->meta.labels);
	/* A pod marked for deletion already stopped counting: react now,
	 * not when the kubelet finally removes it. */
	if (object_is_deleting(cur)) {
		pod_deleted(c, cur);
		if (labels_changed)
			pod_deleted(c, old);
		return;
	}
	const struct owner_reference *cur_ref = object_controller_of(cur);
	const struct owner_reference *old_ref = object_controller_of(old);
	bool ref_changed = !same_ref(cur_ref, old_ref);
	if (ref_changed && old_ref) {
		const struct replica_set *rs = resolve(c, old->meta.namespace, old_ref);
		if (rs)
			enqueue(c, &rs->obj, 0);
	}
	if (cur_ref) {
		const struct replica_set *rs = resolve(c, cur->meta.namespace, cur_ref);
		if (!rs)
			return;
		enqueue(c, &rs->obj, 0);
		/* Availability is time-based: look again once minReadySeconds
		 * have passed (plus a second, as upstream, against skew). */
		const struct pod *p_old = (const void *)old, *p_cur = (const void *)cur;
		if (!ctrl_pod_is_ready(p_old) && ctrl_pod_is_ready(p_cur) &&
		    rs->spec.min_ready_seconds > 0)
			enqueue(c, &rs->obj, (rs->spec.min_ready_seconds + 1) * KTIME_SECOND);
		return;
	}
	if (labels_changed || ref_changed)
		enqueue_matching(c, cur);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct rs_controller *c = arg;
	if (type == WATCH_ADDED)
		pod_added(c, obj);
	else if (type == WATCH_MODIFIED)
		pod_updated(c, old, obj);
	else
		pod_deleted(c, obj);
}

static void on_replica_set(void *arg, enum watch_type type, const struct object *obj,
			   const struct object *old)
{
	struct rs_controller *c = arg;
	char *key = object_key(obj);
	/* A new RS under an old name starts with clean expectations. */
	if (type == WATCH_DELETED ||
	    (type == WATCH_MODIFIED && strcmp(old->meta.uid, obj->meta.uid)))
		expectations_delete(c->expectations, key);
	workqueue_add(c->queue, key);
	free(key);
}

/* ---- acting: create and delete pods -------------------------------------- */

/* K8S: RealPodControl.CreatePods with the SuccessfulCreate/FailedCreate
 * events. On failure *why gets the API's message (first failure wins). */
static bool create_pod(struct rs_controller *c, const struct replica_set *rs, char **why)
{
	const struct client *client = c->client;
	if (!rs->spec.template.metadata.labels.len) {
		if (!*why)
			*why = xstrdup("unable to create pods, no labels");
		return false;
	}
	struct pod *pod = ctrl_pod_from_template(&rs->spec.template, &rs->obj);
	struct object *keep = object_ref(&pod->obj);
	struct api_status status;
	bool ok = client_create(client, &pod->obj, &status) == API_OK;
	if (ok) {
		client_event(client, &rs->obj, "Normal", "SuccessfulCreate",
			     "Created pod: %s", keep->meta.name);
	} else {
		client_event(client, &rs->obj, "Warning", "FailedCreate",
			     "Error creating: %s", status.message);
		if (!*why)
			*why = xstrdup(status.message);
	}
	object_unref(keep);
	return ok;
}

/* K8S: slowStartBatch: batches of 1, 2, 4 ... until one fails. Returns the
 * number of pods created. */
static int slow_start(struct rs_controller *c, const struct replica_set *rs,
		      int count, char **why)
{
	int remaining = count, successes = 0;
	int batch = remaining < SLOW_START_INITIAL_BATCH ? remaining : SLOW_START_INITIAL_BATCH;
	while (batch > 0) {
		int failures = 0;
		for (int i = 0; i < batch; i++)	/* upstream: in parallel */
			failures += !create_pod(c, rs, why);
		successes += batch - failures;
		if (failures)
			break;
		remaining -= batch;
		batch = 2 * batch < remaining ? 2 * batch : remaining;
	}
	return successes;
}

/* Active pods of the other ReplicaSets under the same Deployment, counted
 * by node: a pod whose node is crowded with siblings is deleted first
 * (K8S: getIndirectlyRelatedPods + getPodsRankedByRelatedPodsOnSameNode;
 * kubelab gathers the siblings' pods by owner where upstream lists them
 * by selector). */
static void count_siblings_by_node(struct rs_controller *c, const struct replica_set *rs,
				   struct hashmap *per_node)
{
	char *owner = informer_index_controller_uid(&rs->obj);
	struct object_list sets = {0}, pods = {0};
	informer_list_index(c->replica_sets, owner, &sets);
	for (size_t i = 0; i < sets.len; i++)
		informer_list_index(c->pods, sets.items[i]->meta.uid, &pods);
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = (const void *)pods.items[i];
		if (!ctrl_pod_is_active(pod))
			continue;
		const char *node = pod->spec.node_name ? pod->spec.node_name : "";
		uintptr_t n = (uintptr_t)hashmap_get(per_node, node);
		hashmap_put(per_node, node, (void *)(n + 1));
	}
	object_list_release(&pods);
	object_list_release(&sets);
	free(owner);
}

static int delete_pods(struct rs_controller *c, const struct replica_set *rs,
		       const char *key, const struct object_list *pods, int count,
		       char **why)
{
	struct hashmap per_node = {0};
	count_siblings_by_node(c, rs, &per_node);
	struct ranked_pod *ranked = xcalloc(pods->len, sizeof(*ranked));
	for (size_t i = 0; i < pods->len; i++) {
		ranked[i].pod = (const void *)pods->items[i];
		const char *node = ranked[i].pod->spec.node_name;
		ranked[i].rank = (int)(uintptr_t)hashmap_get(&per_node, node ? node : "");
	}
	hashmap_release(&per_node);
	if ((size_t)count < pods->len)	/* all go anyway: no need to rank */
		ctrl_sort_pods_for_deletion(ranked, pods->len, client_now(c->client));

	char **victims = xcalloc((size_t)count, sizeof(*victims));
	for (int i = 0; i < count; i++)
		victims[i] = object_key(&ranked[i].pod->obj);
	expectations_expect_deletions(c->expectations, key, (const char *const *)victims,
				      (size_t)count);
	int rc = 0;
	for (int i = 0; i < count; i++) {
		const struct object *pod = &ranked[i].pod->obj;
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		struct api_status status;
		enum api_code code = client_delete(c->client, KIND_POD, pod->meta.namespace,
						   pod->meta.name, &options, &status);
		if (code == API_OK) {
			client_event(c->client, &rs->obj, "Normal", "SuccessfulDelete",
				     "Deleted pod: %s", pod->meta.name);
			continue;
		}
		/* The watch will never show this deletion: stop waiting for it. */
		expectations_deletion_observed(c->expectations, key, victims[i]);
		if (code != API_NOT_FOUND) {
			client_event(c->client, &rs->obj, "Warning", "FailedDelete",
				     "Error deleting: %s", status.message);
			if (!*why)
				*why = xstrdup(status.message);
			rc = -1;
		}
	}
	for (int i = 0; i < count; i++)
		free(victims[i]);
	free(victims);
	free(ranked);
	return rc;
}

/* K8S: manageReplicas. Returns 0, or -1 with *why set when a create or
 * delete failed (the key is then retried with backoff). */
static int manage_replicas(struct rs_controller *c, const struct replica_set *rs,
			   const char *key, const struct object_list *pods, char **why)
{
	int diff = (int)pods->len - rs->spec.replicas;
	if (diff < 0) {
		int count = -diff < BURST_REPLICAS ? -diff : BURST_REPLICAS;
		/* LAB: rs-expectations. Record before acting: upstream, the
		 * watch may report the new pods before the creates return. */
		expectations_expect_creations(c->expectations, key, count);
		int created = slow_start(c, rs, count, why);
		/* Pods never attempted (or refused) will never be observed. */
		for (int i = created; i < count; i++)
			expectations_creation_observed(c->expectations, key);
		return created == count ? 0 : -1;
	}
	if (diff > 0) {
		int count = diff < BURST_REPLICAS ? diff : BURST_REPLICAS;
		return delete_pods(c, rs, key, pods, count, why);
	}
	return 0;
}

/* ---- status -------------------------------------------------------------- */

/* K8S: calculateStatus. new_status starts as a copy of the current one so
 * that conditions carry over. */
static void calculate_status(struct rs_controller *c, const struct replica_set *rs,
			     const struct object_list *pods, const char *failure,
			     int diff, struct replica_set_status *out)
{
	const struct schema *schema = replica_set_kind.status_schema;
	schema_copy(schema, out, &rs->status);
	ktime_t now = client_now(c->client);
	int32_t labeled = 0, ready = 0, available = 0;
	for (size_t i = 0; i < pods->len; i++) {
		const struct pod *pod = (const void *)pods->items[i];
		if (strmap_contains_all(&pod->obj.meta.labels, &rs->spec.template.metadata.labels))
			labeled++;
		if (ctrl_pod_is_ready(pod)) {
			ready++;
			available += ctrl_pod_is_available(pod, rs->spec.min_ready_seconds, now);
		}
	}
	bool has_failure = condition_find(&out->conditions, "ReplicaFailure") != NULL;
	if (failure && !has_failure) {
		struct condition cond = {
			.type = xstrdup("ReplicaFailure"),
			.status = xstrdup("True"),
			.reason = xstrdup(diff < 0 ? "FailedCreate" : "FailedDelete"),
			.message = xstrdup(failure),
			.last_transition_time = now,
		};
		ctrl_condition_put(&out->conditions, &cond);
	} else if (!failure && has_failure) {
		ctrl_condition_remove(&out->conditions, "ReplicaFailure");
	}
	out->replicas = (int32_t)pods->len;
	out->fully_labeled_replicas = labeled;
	out->ready_replicas = ready;
	out->available_replicas = available;
	out->observed_generation = rs->obj.meta.generation;
}

/* K8S: updateReplicaSetStatus: skip when nothing changed; on Conflict,
 * re-read the RS from the API server and try once more. Returns 0 or -1. */
static int update_status(struct rs_controller *c, const struct replica_set *rs,
			 struct replica_set_status *status)
{
	return ctrl_update_status(c->client, &rs->obj, status, STATUS_UPDATE_RETRIES);
}

/* ---- the reconcile ------------------------------------------------------- */

/* Our active pods and the active orphans we might adopt, then claimed:
 * what the RS owns and matches, after adoption and release. */
static int claim_pods(struct rs_controller *c, const struct replica_set *rs,
		      const struct selector *selector, struct object_list *pods)
{
	struct object_list all = {0}, active = {0};
	char *orphans = informer_orphan_key(rs->obj.meta.namespace);
	informer_list_index(c->pods, rs->obj.meta.uid, &all);
	informer_list_index(c->pods, orphans, &all);
	free(orphans);
	/* Room for all at once: growing one by one showed in the profile. */
	xgrow((void **)&active.items, &active.cap, all.len, sizeof(*active.items));
	for (size_t i = 0; i < all.len; i++)
		if (ctrl_pod_is_active((const void *)all.items[i]))
			active.items[active.len++] = all.items[i];
	int rc = ctrl_claim(c->client, &rs->obj, selector, &active, pods);
	object_list_release(&active);
	object_list_release(&all);
	return rc;
}

/* K8S: syncReplicaSet, once the RS was found in the cache. */
static int reconcile(struct rs_controller *c, const struct replica_set *rs, const char *key)
{
	bool needs_sync = expectations_satisfied(c->expectations, key);
	struct selector selector;
	if (label_selector_compile(&rs->spec.selector, &selector, NULL))
		return 0;	/* an invalid selector matches nothing: no retry */
	struct object_list pods = {0};
	struct replica_set_status status = {0};
	char *failure = NULL;
	int rc = claim_pods(c, rs, &selector, &pods);
	if (rc)
		goto out;

	/* LAB: rs-reconcile. Act only when the cache has caught up with our
	 * own last actions, and never for an RS being deleted. */
	if (needs_sync && !object_is_deleting(&rs->obj))
		rc = manage_replicas(c, rs, key, &pods, &failure);

	calculate_status(c, rs, &pods, failure, (int)pods.len - rs->spec.replicas, &status);
	if (update_status(c, rs, &status))
		rc = -1;
	else if (!rc && rs->spec.min_ready_seconds > 0 &&
		 status.ready_replicas == rs->spec.replicas &&
		 status.available_replicas != rs->spec.replicas)
		/* A last line of defence: look again once they should be
		 * available. */
		workqueue_add_after(c->queue, key, rs->spec.min_ready_seconds * KTIME_SECOND);
out:
	schema_release(replica_set_kind.status_schema, &status);
	free(failure);
	object_list_release(&pods);
	selector_release(&selector);
	return rc;
}

/* K8S: syncReplicaSet: the workqueue's sync function. */
static int sync_replica_set(void *arg, const char *key)
{
	struct rs_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->replica_sets, namespace, name);
	int rc = 0;
	if (obj)
		rc = reconcile(c, as_rs(obj), key);
	else
		expectations_delete(c->expectations, key);	/* deleted */
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *rs_start(const struct client *client)
{
	struct rs_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->expectations = expectations_new(&client->clock);
	c->queue = workqueue_new(&client->clock, "replicaset", sync_replica_set, c);
	/* ReplicaSets first: the pod handler resolves owners through them. */
	c->replica_sets = informer_new(client, KIND_REPLICASET,
				       informer_index_controller_uid, on_replica_set, c);
	c->pods = informer_new(client, KIND_POD, informer_index_owner_or_orphan, on_pod, c);
	return c;
}

static void rs_stop(void *state)
{
	struct rs_controller *c = state;
	informer_free(c->pods);
	informer_free(c->replica_sets);
	workqueue_free(c->queue);
	expectations_free(c->expectations);
	free(c);
}

const struct controller_ops replicaset_controller = {
	.name = "replicaset-controller",
	.start = rs_start,
	.stop = rs_stop,
};
