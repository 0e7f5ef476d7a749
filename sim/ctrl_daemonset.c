/* ctrl_daemonset.c - the DaemonSet controller: one pod on every eligible
 * node.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (syncDaemonSet, manage,
 * podsShouldBeOnNode, syncNodes, updateDaemonSetStatus) and update.go
 * (rollingUpdate without surge).
 *
 * A ReplicaSet counts pods; a DaemonSet counts nodes. Each reconcile lists
 * the nodes and groups the DaemonSet's pods by the node they are for (the
 * node they are bound to, or the one their node-name affinity names,
 * while the scheduler has not placed them yet). Then, node by node
 * (daemonset_node_should_run in ctrl_daemonset_node.c):
 *   - the node should run a daemon pod and has none: create one, with the
 *     default daemon tolerations and a required affinity to that node, for
 *     the default scheduler to place;
 *   - the pod may stay: delete it if it failed or succeeded (a failed pod
 *     under a backoff, so a kubelet that rejects it is not hammered), and
 *     all but the oldest if there are several;
 *   - the node no longer qualifies (a label gone, a NoExecute taint not
 *     tolerated): delete its daemon pods.
 * A node added, relabelled, tainted or deleted re-queues the DaemonSets it
 * concerns. A cordon changes nothing: daemon pods tolerate the
 * unschedulable taint.
 *
 * Updates: every pod is labelled controller-revision-hash with the hash of
 * the template it was made from. With RollingUpdate, pods of another hash
 * are deleted (and then re-created by the next manage) so that no more
 * than maxUnavailable daemon pods are unavailable at once; with OnDelete
 * an old pod is only replaced once somebody deletes it.
 *
 * Expectations as the ReplicaSet's: after acting, the controller waits to
 * see its creations and deletions in the watch before acting again, and
 * meanwhile only refreshes status (without raising observedGeneration).
 *
 * History: each template is snapshotted into a ControllerRevision whose
 * hash label the pods carry (ctrl_daemonset_history.c); old revisions are
 * pruned to revisionHistoryLimit.
 *
 * Simplified: maxSurge is treated as 0. The deprecated
 * pod-template-generation label is not written or read.
 *
 * Interface: the daemonset_controller row (ctrl_daemonset.h).
 * Invariants: at most BURST_REPLICAS creations and as many deletions per
 * sync; at most one daemon pod kept per node; status written only when a
 * count changed or observedGeneration lags.
 * See also: ctrl_replicaset.c (the same pattern), ctrl_util.h (claim),
 * sched_node_affinity.c (matchFields metadata.name).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset.h"
#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

#define BURST_REPLICAS 250		/* K8S: daemon.BurstReplicas */
#define SLOW_START_INITIAL_BATCH 1	/* K8S: controller.SlowStartInitialBatchSize */
#define STATUS_UPDATE_RETRIES 1		/* K8S: daemon.StatusUpdateRetries */
/* K8S: kube-controller-manager's failedPodsBackoff, NewBackOff(1s, 15m). */
#define FAILED_POD_BACKOFF_INITIAL KTIME_SECOND
#define FAILED_POD_BACKOFF_MAX (15 * KTIME_MINUTE)

struct ds_controller {
	const struct client *client;
	struct informer *daemon_sets;
	struct informer *nodes;
	struct informer *pods;		/* index: controller uid, or "orphan/NS" */
	struct informer *revisions;	/* ControllerRevisions, index: controller uid */
	struct workqueue *queue;
	/* Upstream's SetExpectations(key, adds, dels) sets both at once; the
	 * shared table sets one or the other, so creations and deletions get
	 * a table each and a key is satisfied when both are. */
	struct expectations *creations, *deletions;
	struct hashmap backoff;		/* "uid/generation/node" -> struct backoff */
};

/* K8S: flowcontrol.Backoff's entry. */
struct backoff {
	ktime_t last_update;
	ktime_t delay;
};

static const struct daemon_set *as_ds(const struct object *obj)
{
	return object_as(obj, KIND_DAEMONSET, const struct daemon_set);
}

static bool satisfied(const struct ds_controller *c, const char *key)
{
	return expectations_satisfied(c->creations, key) &&
	       expectations_satisfied(c->deletions, key);
}

/* ---- from events to keys ------------------------------------------------- */

static void enqueue(struct ds_controller *c, const struct object *ds, ktime_t after)
{
	char *key = object_key(ds);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

/* K8S: resolveControllerRef. */
static const struct daemon_set *resolve(struct ds_controller *c, const char *namespace,
					const struct owner_reference *ref)
{
	return as_ds(informer_resolve_controller(c->daemon_sets, namespace, ref,
						 "DaemonSet"));
}

static const struct label_selector *ds_selector(const struct object *obj)
{
	return &as_ds(obj)->spec.selector;
}

/* K8S: getDaemonSetsForPod: who might adopt this orphan? */
static void enqueue_matching(struct ds_controller *c, const struct object *pod)
{
	struct object_list list = {0};
	informer_list_selecting(c->daemon_sets, pod->meta.namespace, &pod->meta.labels,
				ds_selector, &list);
	for (size_t i = 0; i < list.len; i++)
		enqueue(c, list.items[i], 0);
	object_list_release(&list);
}

static void pod_deleted(struct ds_controller *c, const struct object *pod)
{
	const struct daemon_set *ds = resolve(c, pod->meta.namespace, object_controller_of(pod));
	if (!ds)
		return;
	char *key = object_key(&ds->obj), *pod_key = object_key(pod);
	expectations_deletion_observed(c->deletions, key, pod_key);
	workqueue_add(c->queue, key);
	free(pod_key);
	free(key);
}

static void pod_added(struct ds_controller *c, const struct object *pod)
{
	if (object_is_deleting(pod)) {
		pod_deleted(c, pod);
		return;
	}
	const struct owner_reference *ref = object_controller_of(pod);
	if (!ref) {
		enqueue_matching(c, pod);
		return;
	}
	const struct daemon_set *ds = resolve(c, pod->meta.namespace, ref);
	if (!ds)
		return;
	char *key = object_key(&ds->obj);
	expectations_creation_observed(c->creations, key);
	workqueue_add(c->queue, key);
	free(key);
}

static void pod_updated(struct ds_controller *c, const struct object *old,
			const struct object *cur)
{
	if (cur->meta.resource_version == old->meta.resource_version)
		return;
	if (object_is_deleting(cur)) {
		pod_deleted(c, cur);
		return;
	}
	const struct owner_reference *cur_ref = object_controller_of(cur);
	const struct owner_reference *old_ref = object_controller_of(old);
	bool ref_changed = (cur_ref == NULL) != (old_ref == NULL) ||
		(cur_ref && strcmp(cur_ref->uid ? cur_ref->uid : "",
				   old_ref->uid ? old_ref->uid : ""));
	if (ref_changed && old_ref) {
		const struct daemon_set *ds = resolve(c, old->meta.namespace, old_ref);
		if (ds)
			enqueue(c, &ds->obj, 0);
	}
	if (cur_ref) {
		const struct daemon_set *ds = resolve(c, cur->meta.namespace, cur_ref);
		if (!ds)
			return;
		enqueue(c, &ds->obj, 0);
		/* Availability is time-based: look again after minReadySeconds
		 * (and a second against skew, as upstream). */
		if (!ctrl_pod_is_ready((const void *)old) && ctrl_pod_is_ready((const void *)cur) &&
		    ds->spec.min_ready_seconds > 0)
			enqueue(c, &ds->obj, (ds->spec.min_ready_seconds + 1) * KTIME_SECOND);
		return;
	}
	if (ref_changed || !strmap_equal(&cur->meta.labels, &old->meta.labels))
		enqueue_matching(c, cur);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct ds_controller *c = arg;
	if (type == WATCH_ADDED)
		pod_added(c, obj);
	else if (type == WATCH_MODIFIED)
		pod_updated(c, old, obj);
	else
		pod_deleted(c, obj);
}

/* K8S: addNode / updateNode. A node change wakes only the DaemonSets for
 * which it changed the verdict. Upstream has no node delete handler (the
 * pod garbage collector removes the pods of a deleted node, which wakes
 * the DaemonSet); kubelab re-queues every DaemonSet so that status
 * follows at once. */
static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old)
{
	struct ds_controller *c = arg;
	struct object_list list = {0};
	informer_list(c->daemon_sets, NULL, &list);
	for (size_t i = 0; i < list.len; i++) {
		const struct daemon_set *ds = as_ds(list.items[i]);
		bool run, keep, old_run, old_keep;
		if (type == WATCH_DELETED) {
			enqueue(c, &ds->obj, 0);
			continue;
		}
		daemonset_node_should_run(ds, (const struct node *)obj, &run, &keep);
		if (type == WATCH_ADDED) {
			if (run)
				enqueue(c, &ds->obj, 0);
			continue;
		}
		daemonset_node_should_run(ds, (const struct node *)old, &old_run, &old_keep);
		if (run != old_run || keep != old_keep)
			enqueue(c, &ds->obj, 0);
	}
	object_list_release(&list);
}

static void on_daemon_set(void *arg, enum watch_type type, const struct object *obj,
			  const struct object *old)
{
	struct ds_controller *c = arg;
	char *key = object_key(obj);
	if (type == WATCH_DELETED ||
	    (type == WATCH_MODIFIED && strcmp(old->meta.uid, obj->meta.uid))) {
		expectations_delete(c->creations, key);
		expectations_delete(c->deletions, key);
	}
	workqueue_add(c->queue, key);
	free(key);
}

/* K8S: addHistory, updateHistory, deleteHistory: a revision's change
 * re-queues the DaemonSet controlling it. */
static void on_revision(void *arg, enum watch_type type, const struct object *obj,
			const struct object *old)
{
	struct ds_controller *c = arg;
	(void)type;
	(void)old;
	const struct object *ds = informer_resolve_controller(c->daemon_sets,
							      obj->meta.namespace,
							      object_controller_of(obj),
							      "DaemonSet");
	if (ds) {
		char *key = object_key(ds);
		workqueue_add(c->queue, key);
		free(key);
	}
}

/* ---- the DaemonSet's pods, by node --------------------------------------- */

struct node_pods {
	const char *node;		/* borrowed from a pod or a node */
	const struct pod **pods;
	size_t len, cap;
};

struct daemon_pods {
	struct hashmap index;		/* node name -> 1 + position in nodes */
	struct node_pods *nodes;
	size_t len, cap;
};

static struct node_pods *daemon_pods_find(const struct daemon_pods *dp, const char *node)
{
	uintptr_t at = (uintptr_t)hashmap_get(&dp->index, node);
	return at ? &dp->nodes[at - 1] : NULL;
}

/* The entry of node, created empty if needed. */
static struct node_pods *daemon_pods_entry(struct daemon_pods *dp, const char *node)
{
	struct node_pods *np = daemon_pods_find(dp, node);
	if (np)
		return np;
	xgrow((void **)&dp->nodes, &dp->cap, dp->len + 1, sizeof(*dp->nodes));
	np = &dp->nodes[dp->len++];
	memset(np, 0, sizeof(*np));
	np->node = node;
	hashmap_put(&dp->index, node, (void *)(uintptr_t)dp->len);
	return np;
}

static void daemon_pods_release(struct daemon_pods *dp)
{
	for (size_t i = 0; i < dp->len; i++)
		free(dp->nodes[i].pods);
	free(dp->nodes);
	hashmap_release(&dp->index);
	memset(dp, 0, sizeof(*dp));
}

/* K8S: podByCreationTimestampAndPhase: bound pods first, then oldest
 * first, then by name. */
static int compare_pods(const void *a, const void *b)
{
	const struct pod *x = *(const struct pod *const *)a, *y = *(const struct pod *const *)b;
	bool x_bound = x->spec.node_name && *x->spec.node_name;
	bool y_bound = y->spec.node_name && *y->spec.node_name;
	if (x_bound != y_bound)
		return x_bound ? -1 : 1;
	if (x->obj.meta.creation_timestamp != y->obj.meta.creation_timestamp)
		return x->obj.meta.creation_timestamp < y->obj.meta.creation_timestamp ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

/* K8S: getNodesToDaemonPods: the pods the DaemonSet owns (after adoption
 * and release, as ClaimPods), grouped by target node, each group sorted
 * by compare_pods. Pods already deleted and finished are left out. The
 * pods are borrowed from the cache. Returns 0 or -1 (a claim write
 * failed: retry). */
static int daemon_pods_build(struct ds_controller *c, const struct daemon_set *ds,
			     const struct selector *selector, struct daemon_pods *dp)
{
	struct object_list candidates = {0}, claimed = {0};
	char *orphans = informer_orphan_key(ds->obj.meta.namespace);
	informer_list_index(c->pods, ds->obj.meta.uid, &candidates);
	informer_list_index(c->pods, orphans, &candidates);
	free(orphans);
	int rc = ctrl_claim(c->client, &ds->obj, selector, &candidates, &claimed);
	for (size_t i = 0; i < claimed.len; i++) {
		const struct pod *pod = (const void *)claimed.items[i];
		const char *phase = pod->status.phase ? pod->status.phase : "";
		bool terminal = !strcmp(phase, POD_PHASE_SUCCEEDED) ||
				!strcmp(phase, POD_PHASE_FAILED);
		if (terminal && object_is_deleting(&pod->obj))
			continue;
		const char *node = daemonset_target_node(pod);
		if (!node)
			continue;	/* not ours to place: upstream logs and skips */
		struct node_pods *np = daemon_pods_entry(dp, node);
		xgrow((void **)&np->pods, &np->cap, np->len + 1, sizeof(*np->pods));
		np->pods[np->len++] = pod;
	}
	for (size_t i = 0; i < dp->len; i++)
		qsort(dp->nodes[i].pods, dp->nodes[i].len, sizeof(*dp->nodes[i].pods),
		      compare_pods);
	object_list_release(&claimed);
	object_list_release(&candidates);
	return rc;
}

static bool has_pods(const struct daemon_pods *dp, const char *node)
{
	const struct node_pods *np = daemon_pods_find(dp, node);
	return np && np->len > 0;
}

/* A node and the verdict of daemonset_node_should_run, once per sync. */
struct node_verdict {
	const struct node *node;
	bool should_run, should_continue;
};

/* ---- acting: create and delete pods -------------------------------------- */

/* What one sync decided to do (pods and node names borrowed). */
struct plan {
	const struct pod **deletes;
	size_t deletes_len, deletes_cap;
	const char **creates;
	size_t creates_len, creates_cap;
};

static void plan_delete(struct plan *plan, const struct pod *pod)
{
	xgrow((void **)&plan->deletes, &plan->deletes_cap, plan->deletes_len + 1,
	      sizeof(*plan->deletes));
	plan->deletes[plan->deletes_len++] = pod;
}

static void plan_create(struct plan *plan, const char *node)
{
	xgrow((void **)&plan->creates, &plan->creates_cap, plan->creates_len + 1,
	      sizeof(*plan->creates));
	plan->creates[plan->creates_len++] = node;
}

static void plan_release(struct plan *plan)
{
	free(plan->deletes);
	free(plan->creates);
	memset(plan, 0, sizeof(*plan));
}

/* K8S: syncNodes' pod: util.CreatePodTemplate (the hash label, the daemon
 * tolerations), then ReplaceDaemonSetPodNodeNameNodeAffinity, then
 * RealPodControl.CreatePods with its events. */
static bool create_pod(struct ds_controller *c, const struct daemon_set *ds,
		       const char *node, const char *hash)
{
	struct pod *pod = ctrl_pod_from_template(&ds->spec.template, &ds->obj);
	strmap_set(&pod->obj.meta.labels, DAEMONSET_HASH_LABEL, hash);
	daemonset_add_tolerations(&pod->spec);
	/* LAB: ds-node-affinity. The scheduler, not the controller, binds. */
	daemonset_set_node_affinity(&pod->spec, node);
	struct object *keep = object_ref(&pod->obj);
	struct api_status status;
	bool ok = client_create(c->client, &pod->obj, &status) == API_OK;
	if (ok)
		client_event(c->client, &ds->obj, "Normal", "SuccessfulCreate",
			     "Created pod: %s", keep->meta.name);
	else
		client_event(c->client, &ds->obj, "Warning", "FailedCreate",
			     "Error creating: %s", status.message);
	object_unref(keep);
	return ok;
}

/* K8S: syncNodes: expectations first, then creations in slow-start
 * batches of 1, 2, 4 ... (stopping at the first failing batch), then the
 * deletions. Returns 0, or -1 when a write failed. */
static int sync_nodes(struct ds_controller *c, const struct daemon_set *ds,
		      const char *key, const struct plan *plan, const char *hash)
{
	size_t creates = plan->creates_len < BURST_REPLICAS ? plan->creates_len : BURST_REPLICAS;
	size_t deletes = plan->deletes_len < BURST_REPLICAS ? plan->deletes_len : BURST_REPLICAS;
	char **victims = xcalloc(deletes + 1, sizeof(*victims));
	for (size_t i = 0; i < deletes; i++)
		victims[i] = object_key(&plan->deletes[i]->obj);
	/* LAB: ds-expectations. Before acting: the watch may report the
	 * first pods before the last create returns. */
	expectations_expect_creations(c->creations, key, (int)creates);
	expectations_expect_deletions(c->deletions, key, (const char *const *)victims, deletes);

	int rc = 0;
	size_t pos = 0, batch = creates < SLOW_START_INITIAL_BATCH ? creates : SLOW_START_INITIAL_BATCH;
	while (pos < creates) {
		size_t failures = 0;
		for (size_t i = pos; i < pos + batch; i++) {	/* upstream: in parallel */
			if (!create_pod(c, ds, plan->creates[i], hash)) {
				expectations_creation_observed(c->creations, key);
				failures++;
			}
		}
		pos += batch;
		if (failures) {
			/* The pods never tried will never be observed. */
			for (; pos < creates; pos++)
				expectations_creation_observed(c->creations, key);
			rc = -1;
			break;
		}
		batch = 2 * batch < creates - pos ? 2 * batch : creates - pos;
	}

	for (size_t i = 0; i < deletes; i++) {
		const struct object *pod = &plan->deletes[i]->obj;
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		struct api_status status;
		enum api_code code = client_delete(c->client, KIND_POD, pod->meta.namespace,
						   pod->meta.name, &options, &status);
		if (code == API_OK) {
			client_event(c->client, &ds->obj, "Normal", "SuccessfulDelete",
				     "Deleted pod: %s", pod->meta.name);
			continue;
		}
		expectations_deletion_observed(c->deletions, key, victims[i]);
		if (code != API_NOT_FOUND) {
			client_event(c->client, &ds->obj, "Warning", "FailedDelete",
				     "Error deleting: %s", status.message);
			rc = -1;
		}
	}
	for (size_t i = 0; i < deletes; i++)
		free(victims[i]);
	free(victims);
	return rc;
}

/* ---- manage: the pods each node should have ------------------------------ */

/* K8S: flowcontrol.Backoff IsInBackOffSinceUpdate / Next for the failed
 * pods of one node: 1 s, doubling up to 15 min, forgotten after twice
 * that without a failure. Returns the delay to wait, or 0 to go ahead
 * (and then records this attempt). */
static ktime_t failed_pod_backoff(struct ds_controller *c, const struct daemon_set *ds,
				  const char *node)
{
	char *id = xasprintf("%s/%lld/%s", ds->obj.meta.uid,
			     (long long)ds->status.observed_generation, node);
	ktime_t now = client_now(c->client);
	struct backoff *b = hashmap_get(&c->backoff, id);
	bool expired = b && now - b->last_update > 2 * FAILED_POD_BACKOFF_MAX;
	ktime_t wait = 0;
	if (b && !expired && now - b->last_update < b->delay) {
		wait = b->delay;
	} else if (!b || expired) {
		if (!b) {
			b = xcalloc(1, sizeof(*b));
			hashmap_put(&c->backoff, id, b);
		}
		b->delay = FAILED_POD_BACKOFF_INITIAL;
		b->last_update = now;
	} else {
		b->delay = 2 * b->delay < FAILED_POD_BACKOFF_MAX ? 2 * b->delay
								  : FAILED_POD_BACKOFF_MAX;
		b->last_update = now;
	}
	free(id);
	return wait;
}

/* K8S: podsShouldBeOnNode (without surge). */
static void pods_should_be_on_node(struct ds_controller *c, const struct daemon_set *ds,
				   const struct node_verdict *v, const struct daemon_pods *dp,
				   struct plan *plan)
{
	const char *name = v->node->obj.meta.name;
	const struct node_pods *np = daemon_pods_find(dp, name);
	bool exists = np && np->len > 0;
	if (v->should_run && !exists) {
		plan_create(plan, name);
		return;
	}
	if (!exists)
		return;
	if (!v->should_continue) {
		/* LAB: ds-misscheduled. The node no longer qualifies. */
		for (size_t i = 0; i < np->len; i++)
			if (!object_is_deleting(&np->pods[i]->obj))
				plan_delete(plan, np->pods[i]);
		return;
	}
	/* Finished daemon pods are replaced; of the running ones only the
	 * oldest stays. np->pods is sorted oldest first. */
	bool kept = false;
	for (size_t i = 0; i < np->len; i++) {
		const struct pod *pod = np->pods[i];
		const char *phase = pod->status.phase ? pod->status.phase : "";
		if (object_is_deleting(&pod->obj))
			continue;
		if (!strcmp(phase, POD_PHASE_FAILED)) {
			ktime_t wait = failed_pod_backoff(c, ds, name);
			if (wait) {
				enqueue(c, &ds->obj, wait);
				continue;
			}
			client_event(c->client, &ds->obj, "Warning", "FailedDaemonPod",
				     "Found failed daemon pod %s/%s on node %s, will try to kill it",
				     pod->obj.meta.namespace, pod->obj.meta.name, name);
			plan_delete(plan, pod);
		} else if (!strcmp(phase, POD_PHASE_SUCCEEDED)) {
			client_event(c->client, &ds->obj, "Normal", "SucceededDaemonPod",
				     "Found succeeded daemon pod %s/%s on node %s, will try to delete it",
				     pod->obj.meta.namespace, pod->obj.meta.name, name);
			plan_delete(plan, pod);
		} else if (kept) {
			plan_delete(plan, pod);		/* a surplus pod */
		} else {
			kept = true;
		}
	}
}

/* K8S: manage. Also deletes unscheduled pods aimed at nodes that no
 * longer exist (getUnscheduledPodsWithoutNode): nobody else would. */
static int manage(struct ds_controller *c, const struct daemon_set *ds, const char *key,
		  const struct node_verdict *verdicts, size_t nodes,
		  const struct daemon_pods *dp, const char *hash)
{
	struct plan plan = {0};
	struct hashmap listed = {0};
	for (size_t i = 0; i < nodes; i++) {
		pods_should_be_on_node(c, ds, &verdicts[i], dp, &plan);
		hashmap_put(&listed, verdicts[i].node->obj.meta.name, (void *)1);
	}
	for (size_t i = 0; i < dp->len; i++) {
		if (hashmap_get(&listed, dp->nodes[i].node))
			continue;
		for (size_t j = 0; j < dp->nodes[i].len; j++) {
			const struct pod *pod = dp->nodes[i].pods[j];
			if (!pod->spec.node_name || !*pod->spec.node_name)
				plan_delete(&plan, pod);
		}
	}
	hashmap_release(&listed);
	int rc = sync_nodes(c, ds, key, &plan, hash);
	plan_release(&plan);
	return rc;
}

/* ---- rolling update ------------------------------------------------------ */

static bool pod_is_updated(const struct pod *pod, const char *hash)
{
	const char *label = strmap_get(&pod->obj.meta.labels, DAEMONSET_HASH_LABEL);
	return label && !strcmp(label, hash);
}

static bool pod_is_available(const struct daemon_set *ds, const struct pod *pod, ktime_t now)
{
	return ctrl_pod_is_available(pod, ds->spec.min_ready_seconds, now);
}

static int compare_node_pods(const void *a, const void *b)
{
	return strcmp(((const struct node_pods *)a)->node, ((const struct node_pods *)b)->node);
}

/* K8S: rollingUpdate with maxSurge 0. Old pods are deleted so that, with
 * the pods already missing or not yet available, no more than
 * maxUnavailable nodes lack an available daemon pod; the next manage
 * creates their replacements. An old pod that is not available anyway is
 * replaced at once. Nodes are visited in name order (upstream: map order). */
static int rolling_update(struct ds_controller *c, const struct daemon_set *ds,
			  const char *key, const struct node_verdict *verdicts,
			  size_t nodes, struct daemon_pods *dp, const char *hash)
{
	int32_t desired = 0, max_unavailable;
	for (size_t i = 0; i < nodes; i++) {
		if (!verdicts[i].should_run)
			continue;
		desired++;
		daemon_pods_entry(dp, verdicts[i].node->obj.meta.name);
	}
	if (ctrl_scaled_value(&ds->spec.update_strategy.rolling_update.max_unavailable,
			      desired, true, &max_unavailable))
		return -1;	/* "invalid value for MaxUnavailable" */
	if (desired > 0 && max_unavailable == 0)
		max_unavailable = 1;	/* upstream's fallback when nothing may move */

	struct node_pods *sorted = xcalloc(dp->len + 1, sizeof(*sorted));
	if (dp->len) {
		memcpy(sorted, dp->nodes, dp->len * sizeof(*sorted));
		qsort(sorted, dp->len, sizeof(*sorted), compare_node_pods);
	}

	ktime_t now = client_now(c->client);
	int32_t unavailable = 0;
	struct plan plan = {0}, candidates = {0};
	for (size_t i = 0; i < dp->len; i++) {
		/* K8S: findUpdatedPodsOnNode: at most one new and one old. */
		const struct pod *new_pod = NULL, *old_pod = NULL;
		bool excess = false;
		for (size_t j = 0; j < sorted[i].len && !excess; j++) {
			const struct pod *pod = sorted[i].pods[j];
			if (object_is_deleting(&pod->obj))
				continue;
			const struct pod **slot = pod_is_updated(pod, hash) ? &new_pod : &old_pod;
			excess = *slot != NULL;
			*slot = pod;
		}
		if (excess || (!new_pod && !old_pod) || (new_pod && old_pod)) {
			unavailable++;		/* manage's business */
		} else if (new_pod) {
			unavailable += !pod_is_available(ds, new_pod, now);
		} else if (!pod_is_available(ds, old_pod, now)) {
			plan_delete(&plan, old_pod);	/* LAB: ds-rolling-update */
			unavailable++;
		} else if (unavailable < max_unavailable) {
			plan_delete(&candidates, old_pod);
		}
	}
	int32_t room = max_unavailable - unavailable;
	for (int32_t i = 0; i < room && (size_t)i < candidates.deletes_len; i++)
		plan_delete(&plan, candidates.deletes[i]);
	int rc = sync_nodes(c, ds, key, &plan, hash);
	plan_release(&candidates);
	plan_release(&plan);
	free(sorted);
	return rc;
}

/* ---- status -------------------------------------------------------------- */

/* K8S: updateDaemonSetStatus + storeDaemonSetStatus: counted over the
 * nodes, from the oldest pod of each; written only when a number changed
 * or observedGeneration lags, retried once on Conflict. */
static int update_status(struct ds_controller *c, const struct daemon_set *ds,
			 const struct node_verdict *verdicts, size_t nodes,
			 const struct daemon_pods *dp, const char *hash, bool observed)
{
	ktime_t now = client_now(c->client);
	struct daemon_set_status s = {0};
	for (size_t i = 0; i < nodes; i++) {
		const char *name = verdicts[i].node->obj.meta.name;
		bool scheduled = has_pods(dp, name);
		if (!verdicts[i].should_run) {
			s.number_misscheduled += scheduled;
			continue;
		}
		s.desired_number_scheduled++;
		if (!scheduled)
			continue;
		s.current_number_scheduled++;
		const struct pod *pod = daemon_pods_find(dp, name)->pods[0];
		if (ctrl_pod_is_ready(pod)) {
			s.number_ready++;
			s.number_available += pod_is_available(ds, pod, now);
		}
		s.updated_number_scheduled += pod_is_updated(pod, hash);
	}
	s.number_unavailable = s.desired_number_scheduled - s.number_available;
	if (ds->spec.min_ready_seconds > 0 && s.number_ready != s.number_available)
		enqueue(c, &ds->obj, ds->spec.min_ready_seconds * KTIME_SECOND);

	const struct daemon_set_status *cur = &ds->status;
	if (cur->desired_number_scheduled == s.desired_number_scheduled &&
	    cur->current_number_scheduled == s.current_number_scheduled &&
	    cur->number_misscheduled == s.number_misscheduled &&
	    cur->number_ready == s.number_ready &&
	    cur->updated_number_scheduled == s.updated_number_scheduled &&
	    cur->number_available == s.number_available &&
	    cur->number_unavailable == s.number_unavailable &&
	    cur->observed_generation >= ds->obj.meta.generation)
		return 0;

	const struct object *base = &ds->obj;
	for (int attempt = 0; attempt <= STATUS_UPDATE_RETRIES; attempt++) {
		struct daemon_set *next = (struct daemon_set *)object_copy(base);
		if (observed)
			next->status.observed_generation = ds->obj.meta.generation;
		next->status.desired_number_scheduled = s.desired_number_scheduled;
		next->status.current_number_scheduled = s.current_number_scheduled;
		next->status.number_misscheduled = s.number_misscheduled;
		next->status.number_ready = s.number_ready;
		next->status.updated_number_scheduled = s.updated_number_scheduled;
		next->status.number_available = s.number_available;
		next->status.number_unavailable = s.number_unavailable;
		struct api_status result;
		enum api_code code = client_update_status(c->client, &next->obj, &result);
		if (code == API_OK)
			return 0;
		if (code != API_CONFLICT)
			return -1;
		base = client_get(c->client, KIND_DAEMONSET, ds->obj.meta.namespace,
				  ds->obj.meta.name);
		if (!base || strcmp(base->meta.uid, ds->obj.meta.uid))
			return -1;
	}
	return -1;
}

/* ---- the reconcile ------------------------------------------------------- */

static bool selector_spec_is_empty(const struct label_selector *sel)
{
	return !sel->match_labels.len && !sel->match_expressions.len;
}

/* K8S: cleanupHistory, with the hashes of every daemon pod as live. */
static int cleanup_history(struct ds_controller *c, const struct daemon_set *ds,
			   struct object_list *old, const struct daemon_pods *dp)
{
	const char **live = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; i < dp->len; i++)
		for (size_t k = 0; k < dp->nodes[i].len; k++) {
			const char *hash = strmap_get(&dp->nodes[i].pods[k]->obj.meta.labels,
						      DAEMONSET_HASH_LABEL);
			if (!hash)
				continue;
			xgrow((void **)&live, &cap, len + 1, sizeof(*live));
			live[len++] = hash;
		}
	int rc = daemonset_cleanup_history(c->client, ds, old, live, len);
	free(live);
	return rc;
}

/* K8S: syncDaemonSet, once the DaemonSet was found in the cache. */
static int reconcile(struct ds_controller *c, const struct daemon_set *ds, const char *key)
{
	if (selector_spec_is_empty(&ds->spec.selector)) {
		client_event(c->client, &ds->obj, "Warning", "SelectingAll",
			     "This daemon set is selecting all pods. A non-empty selector is required.");
		return 0;
	}
	/* Status cannot be trusted while the garbage collector takes the
	 * DaemonSet apart: leave it. */
	if (object_is_deleting(&ds->obj))
		return 0;
	struct selector selector;
	if (label_selector_compile(&ds->spec.selector, &selector, NULL))
		return 0;	/* an invalid selector matches nothing: no retry */

	struct object_list node_list = {0};
	informer_list(c->nodes, NULL, &node_list);
	struct node_verdict *verdicts = xcalloc(node_list.len + 1, sizeof(*verdicts));
	for (size_t i = 0; i < node_list.len; i++) {
		verdicts[i].node = (const struct node *)node_list.items[i];
		daemonset_node_should_run(ds, verdicts[i].node, &verdicts[i].should_run,
					  &verdicts[i].should_continue);
	}
	struct daemon_pods dp = {0};
	struct object_list old = {0};
	struct controller_revision *cur = NULL;
	char *hash = NULL;
	int rc = daemon_pods_build(c, ds, &selector, &dp);
	if (rc)
		goto out;
	/* K8S: constructHistory; the pods' hash is the current revision's. */
	rc = daemonset_construct_history(c->client, c->revisions, ds, &cur, &old);
	if (rc)
		goto out;
	hash = xstrdup(strmap_get(&cur->obj.meta.labels, DAEMONSET_HASH_LABEL));

	if (!satisfied(c, key)) {
		/* Waiting for our own last actions: refresh status only, and do
		 * not claim to have seen this generation. */
		rc = update_status(c, ds, verdicts, node_list.len, &dp, hash, false);
		goto out;
	}
	rc = manage(c, ds, key, verdicts, node_list.len, &dp, hash);
	const char *strategy = ds->spec.update_strategy.type;
	if (!rc && satisfied(c, key) && strategy && !strcmp(strategy, "RollingUpdate"))
		rc = rolling_update(c, ds, key, verdicts, node_list.len, &dp, hash);
	if (!rc && cleanup_history(c, ds, &old, &dp))
		rc = -1;
	if (update_status(c, ds, verdicts, node_list.len, &dp, hash, true))
		rc = -1;
out:
	if (cur)
		object_unref(&cur->obj);
	object_list_release(&old);
	daemon_pods_release(&dp);
	free(hash);
	free(verdicts);
	object_list_release(&node_list);
	selector_release(&selector);
	return rc;
}

/* K8S: syncDaemonSet: the workqueue's sync function. */
static int sync_daemon_set(void *arg, const char *key)
{
	struct ds_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->daemon_sets, namespace, name);
	int rc = 0;
	if (obj) {
		rc = reconcile(c, as_ds(obj), key);
	} else {
		expectations_delete(c->creations, key);
		expectations_delete(c->deletions, key);
	}
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *ds_start(const struct client *client)
{
	struct ds_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->creations = expectations_new(&client->clock);
	c->deletions = expectations_new(&client->clock);
	c->queue = workqueue_new(&client->clock, "daemonset", sync_daemon_set, c);
	/* DaemonSets first: the node and pod handlers look them up. */
	c->daemon_sets = informer_new(client, KIND_DAEMONSET, NULL, on_daemon_set, c);
	c->nodes = informer_new(client, KIND_NODE, NULL, on_node, c);
	c->pods = informer_new(client, KIND_POD, informer_index_owner_or_orphan, on_pod, c);
	c->revisions = informer_new(client, KIND_CONTROLLERREVISION,
				    informer_index_controller_uid, on_revision, c);
	return c;
}

static void ds_stop(void *state)
{
	struct ds_controller *c = state;
	informer_free(c->revisions);
	informer_free(c->pods);
	informer_free(c->nodes);
	informer_free(c->daemon_sets);
	workqueue_free(c->queue);
	expectations_free(c->creations);
	expectations_free(c->deletions);
	void *value;
	for (size_t pos = 0; hashmap_next(&c->backoff, &pos, NULL, &value);)
		free(value);
	hashmap_release(&c->backoff);
	free(c);
}

const struct controller_ops daemonset_controller = {
	.name = "daemonset-controller",
	.start = ds_start,
	.stop = ds_stop,
};
