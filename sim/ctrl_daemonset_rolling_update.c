/* ctrl_daemonset_rolling_update.c - the DaemonSet's RollingUpdate:
 * replacing pods of an old template, maxUnavailable nodes down at a time
 * or maxSurge nodes running two pods at a time.
 *
 * K8S: pkg/controller/daemon/update.go (rollingUpdate,
 * findUpdatedPodsOnNode, updatedDesiredNodeCounts) and
 * pkg/controller/daemon/util/daemonset_util.go (UnavailableCount,
 * SurgeCount, AllowsSurge, via intstr.GetScaledValueFromIntOrPercent).
 *
 * A pod whose controller-revision-hash is not the current template's is
 * old. Both limits are an int or a percentage of the nodes that should
 * run a daemon pod (desiredNumberScheduled), and both percentages round
 * up (10% of 4 nodes is 1). When both come out 0, upstream falls back to
 * maxUnavailable 1 so the update can move at all.
 *
 * Without surge (maxSurge 0), an old pod is replaced by deleting it: the
 * next manage creates the new one on its node. So the update counts the
 * nodes that lack an available daemon pod (no pod, a new pod not yet
 * available for minReadySeconds, or a state manage still has to tidy)
 * and deletes available old pods only while that count stays within
 * maxUnavailable. An old pod that is not available anyway costs nothing
 * to replace and goes at once.
 *
 * With surge (maxSurge > 0), the new pod is created first, beside the old
 * one on the same node; the old pod is deleted only once the new one is
 * available (here, or by manage: ctrl_daemonset_manage.c keeps two pods
 * on a node only while the new one is not ready yet). At most maxSurge
 * nodes run two pods at once; an old pod that is not available gets its
 * replacement at once, outside that budget. maxUnavailable plays no part
 * on this path. Old pods on nodes the DaemonSet no longer wants are
 * deleted only as far as other nodes have more available pods than
 * desired, so the application never drops below full availability.
 *
 * Under OnDelete this file is not called: an old pod is replaced only
 * once somebody deletes it.
 *
 * Simplified: nodes are visited in name order (upstream: map order), so
 * which nodes go first is deterministic. An old pod on a node that no
 * longer exists is left to the pod garbage collector (upstream returns
 * an error from the sync until it is gone).
 *
 * Interface (ctrl_daemonset_internal.h): daemonset_rolling_update,
 * daemonset_surge_count, daemonset_allows_surge.
 * Invariants: without surge, never more than maxUnavailable nodes made to
 * lack an available daemon pod by this file's deletions; with surge,
 * never more than maxSurge nodes given a second pod for an available old
 * one, and an available old pod deleted only beside an available new one.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_util.h"
#include "xmalloc.h"

static int compare_node_pods(const void *a, const void *b)
{
	return strcmp(((const struct node_pods *)a)->node, ((const struct node_pods *)b)->node);
}

static bool is_rolling_update(const struct daemon_set *ds)
{
	const char *type = ds->spec.update_strategy.type;
	return type && !strcmp(type, "RollingUpdate");
}

int daemonset_surge_count(const struct daemon_set *ds, int32_t desired, int32_t *out)
{
	*out = 0;
	if (!is_rolling_update(ds))
		return 0;
	return ctrl_scaled_value(&ds->spec.update_strategy.rolling_update.max_surge,
				 desired, true, out);
}

bool daemonset_allows_surge(const struct daemon_set *ds)
{
	int32_t surge;
	return daemonset_surge_count(ds, 1, &surge) == 0 && surge > 0;
}

/* K8S: findUpdatedPodsOnNode: the node's one new and one old pod (either
 * may be NULL), skipping pods being deleted. False when there are two of
 * a kind: manage prunes those first. */
static bool find_updated_pods(const struct node_pods *np, const char *hash,
			      const struct pod **new_pod, const struct pod **old_pod)
{
	*new_pod = *old_pod = NULL;
	for (size_t j = 0; j < np->len; j++) {
		const struct pod *pod = np->pods[j];
		if (object_is_deleting(&pod->obj))
			continue;
		const struct pod **slot = daemonset_pod_is_updated(pod, hash) ? new_pod : old_pod;
		if (*slot)
			return false;
		*slot = pod;
	}
	return true;
}

/* K8S: rollingUpdate, maxSurge == 0. Old pods are deleted so that, with
 * the nodes already lacking an available pod, no more than
 * maxUnavailable nodes lack one; the next manage creates the
 * replacements. */
static void plan_without_surge(const struct daemon_set *ds, const struct node_pods *sorted,
			       size_t len, const char *hash, int32_t max_unavailable,
			       ktime_t now, struct daemonset_plan *plan)
{
	int32_t unavailable = 0;
	struct daemonset_plan candidates = {0};
	for (size_t i = 0; i < len; i++) {
		const struct pod *new_pod, *old_pod;
		if (!find_updated_pods(&sorted[i], hash, &new_pod, &old_pod) ||
		    (!new_pod && !old_pod) || (new_pod && old_pod)) {
			unavailable++;		/* manage's business */
		} else if (new_pod) {
			unavailable += !daemonset_pod_is_available(ds, new_pod, now);
		} else if (!daemonset_pod_is_available(ds, old_pod, now)) {
			daemonset_plan_delete(plan, old_pod);	/* LAB: ds-rolling-update */
			unavailable++;
		} else if (unavailable < max_unavailable) {
			daemonset_plan_delete(&candidates, old_pod);
		}
	}
	int32_t room = max_unavailable - unavailable;
	for (int32_t i = 0; i < room && (size_t)i < candidates.deletes_len; i++)
		daemonset_plan_delete(plan, candidates.deletes[i]);
	daemonset_plan_release(&candidates);
}

/* Whether node (by name) should run a daemon pod; false for a node not
 * in verdicts (gone), which *known says. */
static bool node_should_run(const struct hashmap *verdict_of, const char *node, bool *known)
{
	const struct node_verdict *v = hashmap_get(verdict_of, node);
	*known = v != NULL;
	return v && v->should_run;
}

/* K8S: rollingUpdate, maxSurge > 0. New pods are created beside old ones
 * (at most maxSurge for available old pods; at once for unavailable
 * ones); an old pod goes once the new pod on its node is available. */
static void plan_with_surge(const struct daemon_set *ds, const struct node_pods *sorted,
			    size_t len, const struct hashmap *verdict_of, const char *hash,
			    int32_t max_surge, int32_t desired, ktime_t now,
			    struct daemonset_plan *plan)
{
	int32_t surging = 0, available = 0;
	struct daemonset_plan candidates = {0}, unwanted = {0};
	for (size_t i = 0; i < len; i++) {
		const char *node = sorted[i].node;
		const struct pod *new_pod, *old_pod;
		if (!find_updated_pods(&sorted[i], hash, &new_pod, &old_pod)) {
			surging++;		/* manage prunes it first */
			continue;
		}
		/* Availability counts every node, wanted or not. */
		const struct pod *serving = old_pod ? old_pod : new_pod;
		if (serving && daemonset_pod_is_available(ds, serving, now))
			available++;
		if (!old_pod)
			continue;		/* up to date, or manage creates one */
		bool known, should_run = node_should_run(verdict_of, node, &known);
		if (!known)
			continue;		/* the node is gone: pod GC's business */
		if (new_pod) {
			/* Already surged here: wait for the new pod, then
			 * retire the old one. */
			if (!daemonset_pod_is_available(ds, new_pod, now))
				surging++;
			else
				daemonset_plan_delete(plan, old_pod);
		} else if (!daemonset_pod_is_available(ds, old_pod, now)) {
			/* Nothing to protect: replace it now, or just delete
			 * it where no daemon pod is wanted any more. */
			if (!should_run)
				daemonset_plan_delete(plan, old_pod);
			else
				daemonset_plan_create(plan, node);	/* LAB: ds-surge */
		} else if (!should_run) {
			daemonset_plan_delete(&unwanted, old_pod);
		} else if (surging < max_surge) {
			daemonset_plan_create(&candidates, node);
		}
	}
	/* Pods on nodes no longer wanted go only as far as other nodes
	 * already serve more than desired: never below full availability. */
	int32_t spare = available - desired;
	for (int32_t i = 0; i < spare && (size_t)i < unwanted.deletes_len; i++)
		daemonset_plan_delete(plan, unwanted.deletes[i]);
	int32_t room = max_surge - surging;
	for (int32_t i = 0; i < room && (size_t)i < candidates.creates_len; i++)
		daemonset_plan_create(plan, candidates.creates[i]);
	daemonset_plan_release(&unwanted);
	daemonset_plan_release(&candidates);
}

int daemonset_rolling_update(struct ds_controller *c, const struct daemon_set *ds,
			     const char *key, const struct node_verdict *verdicts,
			     size_t nodes, struct daemon_pods *dp, const char *hash)
{
	/* K8S: updatedDesiredNodeCounts. */
	int32_t desired = 0, max_unavailable, max_surge;
	struct hashmap verdict_of = {0};
	for (size_t i = 0; i < nodes; i++) {
		hashmap_put(&verdict_of, verdicts[i].node->obj.meta.name, (void *)&verdicts[i]);
		if (!verdicts[i].should_run)
			continue;
		desired++;
		daemonset_pods_entry(dp, verdicts[i].node->obj.meta.name);
	}
	if (ctrl_scaled_value(&ds->spec.update_strategy.rolling_update.max_unavailable,
			      desired, true, &max_unavailable) ||
	    daemonset_surge_count(ds, desired, &max_surge)) {
		hashmap_release(&verdict_of);
		return -1;	/* "invalid value for MaxUnavailable/MaxSurge" */
	}
	if (desired > 0 && max_unavailable == 0 && max_surge == 0)
		max_unavailable = 1;	/* upstream's fallback when nothing may move */

	struct node_pods *sorted = xcalloc(dp->len + 1, sizeof(*sorted));
	if (dp->len) {
		memcpy(sorted, dp->nodes, dp->len * sizeof(*sorted));
		qsort(sorted, dp->len, sizeof(*sorted), compare_node_pods);
	}
	ktime_t now = client_now(c->client);
	struct daemonset_plan plan = {0};
	if (max_surge == 0)
		plan_without_surge(ds, sorted, dp->len, hash, max_unavailable, now, &plan);
	else
		plan_with_surge(ds, sorted, dp->len, &verdict_of, hash, max_surge, desired,
				now, &plan);
	int rc = daemonset_sync_nodes(c, ds, key, &plan, hash);
	daemonset_plan_release(&plan);
	free(sorted);
	hashmap_release(&verdict_of);
	return rc;
}
