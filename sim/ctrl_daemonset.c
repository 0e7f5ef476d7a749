/* ctrl_daemonset.c - the DaemonSet controller: one pod on every eligible
 * node. This file is its skeleton: the watches, the sync, the lifecycle.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (NewDaemonSetsController's
 * handlers, syncDaemonSet, addNode/updateNode, addHistory...).
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
 * than maxUnavailable daemon pods are unavailable at once, or, with
 * maxSurge, the new pod starts beside the old one, which goes once the new
 * one is available; with OnDelete an old pod is only replaced once
 * somebody deletes it.
 *
 * Expectations as the ReplicaSet's: after acting, the controller waits to
 * see its creations and deletions in the watch before acting again, and
 * meanwhile only refreshes status (without raising observedGeneration).
 *
 * History: each template is snapshotted into a ControllerRevision whose
 * hash label the pods carry (ctrl_daemonset_history.c); old revisions are
 * pruned to revisionHistoryLimit.
 *
 * Simplified: the deprecated pod-template-generation label is not
 * written or read.
 *
 * The files: this one; ctrl_daemonset_node.c (eligibility, what a daemon
 * pod looks like); ctrl_daemonset_pods.c (the pods by node);
 * ctrl_daemonset_manage.c (creating and deleting them);
 * ctrl_daemonset_rolling_update.c; ctrl_daemonset_status.c;
 * ctrl_daemonset_history.c. They share ctrl_daemonset_internal.h.
 *
 * Interface: the daemonset_controller row (ctrl_daemonset.h);
 * daemonset_enqueue for the other files (ctrl_daemonset_internal.h).
 * Invariants: a sync acts (manage, rolling update) only when the
 * expectations of its last actions are met, and then manage first; the
 * rolling update runs only if manage left nothing to wait for.
 * See also: ctrl_replicaset.c (the same pattern), ctrl_util.h (claim),
 * sched_node_affinity.c (matchFields metadata.name).
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_util.h"
#include "xmalloc.h"

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

void daemonset_enqueue(struct ds_controller *c, const struct object *ds, ktime_t after)
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
		daemonset_enqueue(c, list.items[i], 0);
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
			daemonset_enqueue(c, &ds->obj, 0);
	}
	if (cur_ref) {
		const struct daemon_set *ds = resolve(c, cur->meta.namespace, cur_ref);
		if (!ds)
			return;
		daemonset_enqueue(c, &ds->obj, 0);
		/* Availability is time-based: look again after minReadySeconds
		 * (and a second against skew, as upstream). */
		if (!ctrl_pod_is_ready((const void *)old) && ctrl_pod_is_ready((const void *)cur) &&
		    ds->spec.min_ready_seconds > 0)
			daemonset_enqueue(c, &ds->obj,
					  (ds->spec.min_ready_seconds + 1) * KTIME_SECOND);
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
			daemonset_enqueue(c, &ds->obj, 0);
			continue;
		}
		daemonset_node_should_run(ds, (const struct node *)obj, &run, &keep);
		if (type == WATCH_ADDED) {
			if (run)
				daemonset_enqueue(c, &ds->obj, 0);
			continue;
		}
		daemonset_node_should_run(ds, (const struct node *)old, &old_run, &old_keep);
		if (run != old_run || keep != old_keep)
			daemonset_enqueue(c, &ds->obj, 0);
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
	int rc = daemonset_pods_build(c, ds, &selector, &dp);
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
		rc = daemonset_update_status(c, ds, verdicts, node_list.len, &dp, hash, false);
		goto out;
	}
	rc = daemonset_manage(c, ds, key, verdicts, node_list.len, &dp, hash);
	const char *strategy = ds->spec.update_strategy.type;
	if (!rc && satisfied(c, key) && strategy && !strcmp(strategy, "RollingUpdate"))
		rc = daemonset_rolling_update(c, ds, key, verdicts, node_list.len, &dp, hash);
	if (!rc && cleanup_history(c, ds, &old, &dp))
		rc = -1;
	if (daemonset_update_status(c, ds, verdicts, node_list.len, &dp, hash, true))
		rc = -1;
out:
	if (cur)
		object_unref(&cur->obj);
	object_list_release(&old);
	daemonset_pods_release(&dp);
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
