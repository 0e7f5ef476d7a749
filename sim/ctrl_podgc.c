/* ctrl_podgc.c - the pod garbage collector: force-deletes the pods nobody
 * else will clean up.
 *
 * K8S: pkg/controller/podgc/gc_controller.go (gc, gcTerminated,
 * gcTerminating, gcOrphaned, discoverDeletedNodes,
 * gcUnscheduledTerminating, byEvictionAndCreationTimestamp,
 * markFailedAndDeletePodWithCondition).
 *
 * Most pods are deleted by their owner or by a user, and the kubelet of
 * their node finishes the deletion. Some pods have no such path: a pod
 * whose Node object is gone has no kubelet left to confirm its end; a
 * terminating pod that was never scheduled has no kubelet at all; a pod
 * stuck terminating on a node an administrator marked out of service
 * (taint node.kubernetes.io/out-of-service, the node-shutdown recovery
 * path) will not hear from its kubelet again. And finished pods
 * (Succeeded, Failed) pile up in the API server forever. Every 20 s this
 * controller, upstream's "pod-garbage-collector-controller", runs four
 * passes in upstream's order:
 *
 *   1. terminated: when more than terminatedPodGCThreshold pods (the
 *      kube-controller-manager flag --terminated-pod-gc-threshold, default
 *      12500; the scenario's spec.settings.terminatedPodGCThreshold; 0
 *      turns the pass off) are terminated, the excess goes, evicted pods
 *      first, then oldest created first, then by name;
 *   2. terminating on out-of-service nodes: pods being deleted on a node
 *      that is not Ready and carries the out-of-service taint;
 *   3. orphaned: pods bound to a node that does not exist. A missing node
 *      is first quarantined for 40 s (the node informer may simply be
 *      behind); if it is still missing from the cache and a GET of the
 *      Node says NotFound after that, its pods go, each with the
 *      DisruptionTarget condition (reason DeletionByPodGC, "PodGC: node no
 *      longer exists");
 *   4. unscheduled terminating: pods being deleted that were never bound.
 *
 * Each victim is first marked Failed (a status write; orphaned pods would
 * otherwise stay Running forever, as no kubelet will report on them), then
 * deleted with grace period 0: a force delete, gone from the API at once.
 * Upstream records no Events for any of this; neither does kubelab.
 *
 * Cost: the passes read the shared pod informer's cache. So that a run of
 * 150,000 pods does not scan them all every 20 s, the pod handler keeps
 * the numbers the passes need (terminated pods, unscheduled terminating
 * pods, pods per node name) and a pass lists pods only when it has work:
 * the terminated pass when the count is over the threshold, the
 * unscheduled pass when there is such a pod, the orphan and out-of-service
 * passes only the pods of the nodes concerned (the informer's node index).
 * Upstream lists every pod each period; the outcome is the same.
 *
 * Interface: the pod_gc_controller row (controller.h).
 * Invariants: the counts equal what a scan of the cache would give; a
 * node is declared deleted only after two looks 40 s apart and a GET.
 * See also: ctrl_node_lifecycle.c, ctrl_taint_eviction.c (which evict
 * pods from nodes that are merely unhealthy), ctrl_garbage_collector.c
 * (owner references, a different collector).
 */
#include "controller.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "release.h"
#include "xmalloc.h"

#define GC_CHECK_PERIOD (20 * KTIME_SECOND)	/* K8S: gcCheckPeriod */
#define QUARANTINE_TIME (40 * KTIME_SECOND)	/* K8S: quarantineTime */
#define STATUS_RETRIES 3
#define TAINT_NODE_OUT_OF_SERVICE "node.kubernetes.io/out-of-service"

struct pod_gc {
	const struct client *client;
	struct informer *pods;		/* indexed by spec.nodeName */
	struct informer *nodes;
	timer_id timer;
	/* Kept by on_pod, from the cache: */
	size_t terminated;		/* phase neither Pending, Running nor Unknown */
	size_t unscheduled_terminating;	/* deletionTimestamp, no nodeName */
	struct hashmap bound;		/* node name -> pods bound (uintptr_t) */
	/* K8S: nodeQueue, the delaying queue "orphaned_pods_nodes": node name
	 * -> the time (a heap ktime_t) it is due for a second look. */
	struct hashmap quarantine;
};

static int32_t terminated_pod_gc_threshold(const struct client *client)
{
	return client->settings ? client->settings->terminated_pod_gc_threshold
				: DEFAULT_TERMINATED_POD_GC_THRESHOLD;
}

/* K8S: isPodTerminated. An empty phase counts, as upstream's test does. */
static bool pod_is_terminated(const struct pod *pod)
{
	const char *phase = pod->status.phase ? pod->status.phase : "";
	return strcmp(phase, "Pending") && strcmp(phase, "Running") &&
	       strcmp(phase, "Unknown");
}

static bool has_node(const struct pod *pod)
{
	return pod->spec.node_name && *pod->spec.node_name;
}

/* Adds (add) or takes away (!add) what pod contributes to the counts. */
static void count_pod(struct pod_gc *gc, const struct pod *pod, bool add)
{
	size_t delta = add ? 1 : (size_t)-1;	/* unsigned wrap-around: minus one */
	if (pod_is_terminated(pod))
		gc->terminated += delta;
	if (!has_node(pod)) {
		if (object_is_deleting(&pod->obj))
			gc->unscheduled_terminating += delta;
		return;
	}
	uintptr_t n = (uintptr_t)hashmap_get(&gc->bound, pod->spec.node_name) + delta;
	if (n)
		hashmap_put(&gc->bound, pod->spec.node_name, (void *)n);
	else
		hashmap_remove(&gc->bound, pod->spec.node_name);
}

/* True when a and b add the same to the counts (count_pod). */
static bool counts_alike(const struct pod *a, const struct pod *b)
{
	if (pod_is_terminated(a) != pod_is_terminated(b) || has_node(a) != has_node(b))
		return false;
	if (!has_node(a))
		return object_is_deleting(&a->obj) == object_is_deleting(&b->obj);
	return a->spec.node_name == b->spec.node_name ||
	       !strcmp(a->spec.node_name, b->spec.node_name);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct pod_gc *gc = arg;
	/* Most updates (status writes) change no count: taking the pod away
	 * and adding it back would be four lookups for nothing. */
	if (old && type != WATCH_DELETED &&
	    counts_alike((const struct pod *)old, (const struct pod *)obj))
		return;
	if (old)
		count_pod(gc, (const struct pod *)old, false);
	count_pod(gc, (const struct pod *)obj, type != WATCH_DELETED);
}

/* ---- marking and deleting ------------------------------------------------ */

/* K8S: apipod.UpdatePodCondition: replaces the condition of the same type
 * in place, keeping its lastTransitionTime when the status is unchanged. */
static void update_condition(struct pod *pod, const struct condition *cond, ktime_t now)
{
	struct condition *have = condition_find(&pod->status.conditions, cond->type);
	struct condition next = {
		.type = xstrdup(cond->type), .status = xstrdup(cond->status),
		.reason = xstrdup(cond->reason), .message = xstrdup(cond->message),
		.last_transition_time = now,
	};
	if (!have) {
		ctrl_condition_put(&pod->status.conditions, &next);
		return;
	}
	if (have->status && !strcmp(have->status, cond->status))
		next.last_transition_time = have->last_transition_time;
	schema_release(&condition_schema, have);
	*have = next;
}

/* K8S: markFailedAndDeletePodWithCondition. Marks pod Failed (with cond,
 * if any) unless it already finished, then force-deletes it. The status
 * write is upstream's patch with a uid precondition: against the pod as
 * stored, retried on Conflict, abandoned when the pod was replaced. */
static void mark_failed_and_delete(struct pod_gc *gc, const struct pod *pod,
				   const struct condition *cond)
{
	const char *ns = pod->obj.meta.namespace, *name = pod->obj.meta.name;
	/* LAB: podgc-mark-failed */
	for (int attempt = 0; attempt < STATUS_RETRIES; attempt++) {
		const struct object *cur = client_get(gc->client, KIND_POD, ns, name);
		if (!cur || strcmp(cur->meta.uid, pod->obj.meta.uid))
			return;		/* gone, or another pod of that name */
		const struct pod *stored = (const struct pod *)cur;
		if (stored->status.phase && (!strcmp(stored->status.phase, "Succeeded") ||
					     !strcmp(stored->status.phase, "Failed")))
			break;
		struct pod *next = (struct pod *)object_copy(cur);
		free(next->status.phase);
		next->status.phase = xstrdup("Failed");
		if (cond)
			update_condition(next, cond, client_now(gc->client));
		enum api_code code = client_update_status(gc->client, &next->obj, NULL);
		if (code == API_OK)
			break;
		if (code != API_CONFLICT)
			return;
	}
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = 0;	/* K8S: metav1.NewDeleteOptions(0) */
	client_delete(gc->client, KIND_POD, ns, name, &options, NULL);
}

/* ---- the passes ---------------------------------------------------------- */

/* K8S: eviction.PodIsEvicted. */
static bool pod_is_evicted(const struct pod *pod)
{
	return pod->status.phase && !strcmp(pod->status.phase, "Failed") &&
	       pod->status.reason && !strcmp(pod->status.reason, "Evicted");
}

/* K8S: byEvictionAndCreationTimestamp: evicted first, then older, then by
 * name. kubelab adds the namespace last so no two pods ever tie. */
static int compare_for_gc(const void *a, const void *b)
{
	const struct pod *x = *(const struct pod *const *)a, *y = *(const struct pod *const *)b;
	bool ex = pod_is_evicted(x), ey = pod_is_evicted(y);
	if (ex != ey)
		return ex ? -1 : 1;
	ktime_t cx = x->obj.meta.creation_timestamp, cy = y->obj.meta.creation_timestamp;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	int c = strcmp(x->obj.meta.name, y->obj.meta.name);
	return c ? c : strcmp(x->obj.meta.namespace ? x->obj.meta.namespace : "",
			      y->obj.meta.namespace ? y->obj.meta.namespace : "");
}

/* Keeps the pods of list for which keep() holds, in a new array (*len). */
static const struct pod **filter_pods(const struct object_list *list,
				      bool (*keep)(const struct pod *), size_t *len)
{
	const struct pod **out = xcalloc(list->len ? list->len : 1, sizeof(*out));
	*len = 0;
	for (size_t i = 0; i < list->len; i++)
		if (keep((const struct pod *)list->items[i]))
			out[(*len)++] = (const struct pod *)list->items[i];
	return out;
}

/* K8S: gcTerminated. */
static void gc_terminated(struct pod_gc *gc, int32_t threshold)
{
	if (gc->terminated <= (size_t)threshold)
		return;
	struct object_list all = {0};
	informer_list(gc->pods, NULL, &all);
	size_t len;
	const struct pod **pods = filter_pods(&all, pod_is_terminated, &len);
	qsort(pods, len, sizeof(*pods), compare_for_gc);
	/* LAB: podgc-threshold */
	for (size_t i = 0; i + threshold < len; i++)
		mark_failed_and_delete(gc, pods[i], NULL);
	free(pods);
	object_list_release(&all);
}

static bool pod_is_terminating(const struct pod *pod)
{
	return object_is_deleting(&pod->obj);
}

static bool node_is_ready(const struct node *node)
{
	for (size_t i = 0; i < node->status.conditions.len; i++) {
		const struct condition *c = &node->status.conditions.items[i];
		if (c->type && !strcmp(c->type, "Ready"))
			return c->status && !strcmp(c->status, "True");
	}
	return false;
}

static bool node_is_out_of_service(const struct node *node)
{
	for (size_t i = 0; i < node->spec.taints.len; i++)
		if (node->spec.taints.items[i].key &&
		    !strcmp(node->spec.taints.items[i].key, TAINT_NODE_OUT_OF_SERVICE))
			return true;
	return false;
}

/* K8S: gcTerminating: terminating pods on not-ready, out-of-service nodes. */
static void gc_terminating(struct pod_gc *gc)
{
	struct object_list nodes = {0}, pods = {0};
	informer_list(gc->nodes, NULL, &nodes);
	for (size_t i = 0; i < nodes.len; i++) {
		const struct node *node = (const struct node *)nodes.items[i];
		if (!node_is_ready(node) && node_is_out_of_service(node))
			informer_list_index(gc->pods, node->obj.meta.name, &pods);
	}
	size_t len;
	const struct pod **victims = filter_pods(&pods, pod_is_terminating, &len);
	qsort(victims, len, sizeof(*victims), compare_for_gc);
	for (size_t i = 0; i < len; i++)
		mark_failed_and_delete(gc, victims[i], NULL);
	free(victims);
	object_list_release(&pods);
	object_list_release(&nodes);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int compare_by_key(const void *a, const void *b)
{
	const struct object *x = *(const struct object *const *)a;
	const struct object *y = *(const struct object *const *)b;
	int c = strcmp(x->meta.namespace ? x->meta.namespace : "",
		       y->meta.namespace ? y->meta.namespace : "");
	return c ? c : strcmp(x->meta.name, y->meta.name);
}

/* K8S: discoverDeletedNodes: the quarantined nodes that are due, still
 * absent from the cache and NotFound on a GET. They leave the quarantine
 * either way; a node still missing is quarantined again next period.
 * Returns the names (new strings), sorted, in *out. */
static size_t discover_deleted_nodes(struct pod_gc *gc, char ***out)
{
	ktime_t now = client_now(gc->client);
	const char *key;
	void *value;
	size_t n = 0, due_len = 0;
	char **due = xcalloc(gc->quarantine.len + 1, sizeof(*due));
	for (size_t pos = 0; hashmap_next(&gc->quarantine, &pos, &key, &value);)
		if (*(ktime_t *)value <= now)
			due[due_len++] = xstrdup(key);
	qsort(due, due_len, sizeof(*due), compare_strings);
	for (size_t i = 0; i < due_len; i++) {
		free(hashmap_remove(&gc->quarantine, due[i]));
		if (!informer_get(gc->nodes, NULL, due[i]) &&
		    !client_get(gc->client, KIND_NODE, NULL, due[i]))
			due[n++] = due[i];
		else
			free(due[i]);
	}
	*out = due;
	return n;
}

/* K8S: gcOrphaned. */
static void gc_orphaned(struct pod_gc *gc)
{
	const char *key;
	ktime_t now = client_now(gc->client);
	/* Quarantine the newly missing nodes (AddAfter keeps an earlier due
	 * time, so a node already waiting is not pushed back). */
	for (size_t pos = 0; hashmap_next(&gc->bound, &pos, &key, NULL);) {
		if (informer_get(gc->nodes, NULL, key) || hashmap_get(&gc->quarantine, key))
			continue;
		ktime_t *due = xmalloc(sizeof(*due));
		*due = now + QUARANTINE_TIME;
		hashmap_put(&gc->quarantine, key, due);
	}
	char **deleted;
	size_t n = discover_deleted_nodes(gc, &deleted);
	struct object_list pods = {0};
	for (size_t i = 0; i < n; i++) {
		informer_list_index(gc->pods, deleted[i], &pods);
		free(deleted[i]);
	}
	free(deleted);
	if (pods.len > 1)
		qsort(pods.items, pods.len, sizeof(*pods.items), compare_by_key);
	static const struct condition cond = {
		.type = "DisruptionTarget", .status = "True",
		.reason = "DeletionByPodGC", .message = "PodGC: node no longer exists",
	};
	/* LAB: podgc-orphaned */
	for (size_t i = 0; i < pods.len; i++)
		mark_failed_and_delete(gc, (const struct pod *)pods.items[i], &cond);
	object_list_release(&pods);
}

static bool pod_is_unscheduled_terminating(const struct pod *pod)
{
	return object_is_deleting(&pod->obj) && !has_node(pod);
}

/* K8S: gcUnscheduledTerminating. */
static void gc_unscheduled_terminating(struct pod_gc *gc)
{
	if (!gc->unscheduled_terminating)
		return;
	struct object_list all = {0};
	informer_list(gc->pods, NULL, &all);
	size_t len;
	const struct pod **pods = filter_pods(&all, pod_is_unscheduled_terminating, &len);
	for (size_t i = 0; i < len; i++)
		mark_failed_and_delete(gc, pods[i], NULL);
	free(pods);
	object_list_release(&all);
}

/* K8S: gc, run by wait.UntilWithContext every gcCheckPeriod. */
static void gc_run(void *arg)
{
	struct pod_gc *gc = arg;
	gc->timer = clock_after(&gc->client->clock, GC_CHECK_PERIOD, gc_run, gc);
	int32_t threshold = terminated_pod_gc_threshold(gc->client);
	if (threshold > 0)
		gc_terminated(gc, threshold);
	gc_terminating(gc);
	gc_orphaned(gc);
	gc_unscheduled_terminating(gc);
}

static void *pod_gc_start(const struct client *client)
{
	struct pod_gc *gc = xcalloc(1, sizeof(*gc));
	gc->client = client;
	/* Its one loop adds each missing node to the quarantine, whose loop
	 * sorts: the outcome does not depend on this map's order. */
	hashmap_set_unordered(&gc->bound);
	gc->nodes = informer_new(client, KIND_NODE, NULL, NULL, NULL);
	gc->pods = informer_new(client, KIND_POD, informer_index_node_name, on_pod, gc);
	/* The first pass runs at once, as wait.Until's does. */
	gc->timer = clock_after(&client->clock, 0, gc_run, gc);
	return gc;
}

static void pod_gc_stop(void *state)
{
	struct pod_gc *gc = state;
	clock_cancel(&gc->client->clock, gc->timer);
	informer_free(gc->pods);
	informer_free(gc->nodes);
	void *value;
	for (size_t pos = 0; hashmap_next(&gc->quarantine, &pos, NULL, &value);)
		free(value);
	hashmap_release(&gc->quarantine);
	hashmap_release(&gc->bound);
	free(gc);
}

const struct controller_ops pod_gc_controller = {
	.name = "pod-garbage-collector-controller",
	.start = pod_gc_start,
	.stop = pod_gc_stop,
};
