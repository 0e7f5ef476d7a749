/* ctrl_daemonset_rolling_update.c - the DaemonSet's RollingUpdate:
 * replacing pods of an old template, maxUnavailable at a time.
 *
 * K8S: pkg/controller/daemon/update.go (rollingUpdate,
 * findUpdatedPodsOnNode) and pkg/controller/daemon/util/daemonset_util.go
 * (UnavailableCount, via intstr.GetScaledValueFromIntOrPercent).
 *
 * A pod whose controller-revision-hash is not the current template's is
 * old. Without surge, an old pod is replaced by deleting it: the next
 * manage then creates the new one on its node. So the update counts the
 * nodes that lack an available daemon pod (no pod, a new pod not yet
 * available for minReadySeconds, or a state manage still has to tidy)
 * and deletes available old pods only while that count stays within
 * maxUnavailable (an int or a percentage of the desired nodes, rounded
 * up, and at least 1). An old pod that is not available anyway costs
 * nothing to replace and goes at once. Under OnDelete this file is not
 * called: an old pod is replaced only once somebody deletes it.
 *
 * Simplified: maxSurge is treated as 0 (upstream's surge path, which
 * creates the new pod before deleting the old, is not modelled). Nodes
 * are visited in name order (upstream: map order).
 *
 * Interface (ctrl_daemonset_internal.h): daemonset_rolling_update.
 * Invariants: never more than maxUnavailable nodes made to lack an
 * available daemon pod by this file's deletions.
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

/* K8S: rollingUpdate with maxSurge 0. Old pods are deleted so that, with
 * the pods already missing or not yet available, no more than
 * maxUnavailable nodes lack an available daemon pod; the next manage
 * creates their replacements. An old pod that is not available anyway is
 * replaced at once. Nodes are visited in name order (upstream: map order). */
int daemonset_rolling_update(struct ds_controller *c, const struct daemon_set *ds,
			     const char *key, const struct node_verdict *verdicts,
			     size_t nodes, struct daemon_pods *dp, const char *hash)
{
	int32_t desired = 0, max_unavailable;
	for (size_t i = 0; i < nodes; i++) {
		if (!verdicts[i].should_run)
			continue;
		desired++;
		daemonset_pods_entry(dp, verdicts[i].node->obj.meta.name);
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
	struct daemonset_plan plan = {0}, candidates = {0};
	for (size_t i = 0; i < dp->len; i++) {
		/* K8S: findUpdatedPodsOnNode: at most one new and one old. */
		const struct pod *new_pod = NULL, *old_pod = NULL;
		bool excess = false;
		for (size_t j = 0; j < sorted[i].len && !excess; j++) {
			const struct pod *pod = sorted[i].pods[j];
			if (object_is_deleting(&pod->obj))
				continue;
			const struct pod **slot =
				daemonset_pod_is_updated(pod, hash) ? &new_pod : &old_pod;
			excess = *slot != NULL;
			*slot = pod;
		}
		if (excess || (!new_pod && !old_pod) || (new_pod && old_pod)) {
			unavailable++;		/* manage's business */
		} else if (new_pod) {
			unavailable += !daemonset_pod_is_available(ds, new_pod, now);
		} else if (!daemonset_pod_is_available(ds, old_pod, now)) {
			daemonset_plan_delete(&plan, old_pod);	/* LAB: ds-rolling-update */
			unavailable++;
		} else if (unavailable < max_unavailable) {
			daemonset_plan_delete(&candidates, old_pod);
		}
	}
	int32_t room = max_unavailable - unavailable;
	for (int32_t i = 0; i < room && (size_t)i < candidates.deletes_len; i++)
		daemonset_plan_delete(&plan, candidates.deletes[i]);
	int rc = daemonset_sync_nodes(c, ds, key, &plan, hash);
	daemonset_plan_release(&candidates);
	daemonset_plan_release(&plan);
	free(sorted);
	return rc;
}
