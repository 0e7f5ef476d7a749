/* ctrl_daemonset_pods.c - the pods a DaemonSet owns, grouped by node.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (getDaemonPods,
 * getNodesToDaemonPods, podByCreationTimestampAndPhase) and
 * pkg/controller/daemon/util/daemonset_util.go (GetTargetNodeName).
 *
 * A DaemonSet reasons per node, so its pods are looked at per node: each
 * claimed pod goes to the node it is for, the one it is bound to or,
 * while the scheduler has not placed it, the one its node-name affinity
 * names (daemonset_target_node). Within a node the pods are ordered bound
 * first, then oldest first, then by name, so "the oldest pod of a node"
 * is the first of its group: the one manage keeps and status counts.
 * Claiming adopts orphans the selector matches and releases pods it no
 * longer matches, as for a ReplicaSet (ctrl_claim). Pods that finished
 * and are being deleted are left out, as are pods aimed at no node.
 *
 * A pod's template is known by its controller-revision-hash label, and
 * its availability by readiness held for minReadySeconds; both questions
 * are asked by the rolling update and by status.
 *
 * Interface (ctrl_daemonset_internal.h): daemonset_pods_build, _find,
 * _entry, _release; daemonset_pod_is_updated, daemonset_pod_is_available.
 * Invariants: a node has at most one group (the index maps each node
 * name to its group); the groups hold borrowed pods, valid for one sync.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_util.h"
#include "xmalloc.h"

struct node_pods *daemonset_pods_find(const struct daemon_pods *dp, const char *node)
{
	uintptr_t at = (uintptr_t)hashmap_get(&dp->index, node);
	return at ? &dp->nodes[at - 1] : NULL;
}

/* The entry of node, created empty if needed. */
struct node_pods *daemonset_pods_entry(struct daemon_pods *dp, const char *node)
{
	struct node_pods *np = daemonset_pods_find(dp, node);
	if (np)
		return np;
	xgrow((void **)&dp->nodes, &dp->cap, dp->len + 1, sizeof(*dp->nodes));
	np = &dp->nodes[dp->len++];
	memset(np, 0, sizeof(*np));
	np->node = node;
	hashmap_put(&dp->index, node, (void *)(uintptr_t)dp->len);
	return np;
}

void daemonset_pods_release(struct daemon_pods *dp)
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
int daemonset_pods_build(struct ds_controller *c, const struct daemon_set *ds,
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
		struct node_pods *np = daemonset_pods_entry(dp, node);
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

bool daemonset_pod_is_updated(const struct pod *pod, const char *hash)
{
	const char *label = strmap_get(&pod->obj.meta.labels, DAEMONSET_HASH_LABEL);
	return label && !strcmp(label, hash);
}

bool daemonset_pod_is_available(const struct daemon_set *ds, const struct pod *pod, ktime_t now)
{
	return ctrl_pod_is_available(pod, ds->spec.min_ready_seconds, now);
}
