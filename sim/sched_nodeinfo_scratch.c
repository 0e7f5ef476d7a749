/* sched_nodeinfo_scratch.c - a scratch copy of a node's book.
 *
 * K8S: pkg/scheduler/framework/types.go (NodeInfo.Snapshot, AddPodInfo,
 * RemovePod), used by the preemption dry run (SelectVictimsOnNode) and by
 * RunFilterPluginsWithNominatedPods.
 *
 * Filter plugins read a struct sched_node_info: its allocatable, the sum
 * of the requests booked on it, its pod list. To ask "what if" questions
 * -- does the pod fit once these lower-priority pods are gone, does it
 * still fit with that nominated pod counted -- upstream clones the
 * NodeInfo and edits the clone. So does this file: a scratch copy shares
 * the node's name, Node object and allocatable (read only) and owns its
 * own pod list, request sums and used host ports, so adding and removing
 * pods never touches the cache.
 *
 * Interface: sched_nodeinfo.h ("scratch copies"). Costs: init copies the
 * pod list (O(pods on the node)) and the used host ports; add is O(1)
 * (plus the pod's host ports), remove O(pods).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

void sched_node_scratch_init(struct sched_node_info *scratch,
			     const struct sched_node_info *node)
{
	*scratch = *node;
	scratch->scratch_of = node->scratch_of ? node->scratch_of : node;
	scratch->pods_cap = node->pods_len + 4;
	scratch->pods = xcalloc(scratch->pods_cap, sizeof(*scratch->pods));
	if (node->pods_len)	/* an empty node's list may be NULL */
		memcpy(scratch->pods, node->pods, node->pods_len * sizeof(*node->pods));
	/* Its own host ports: a nominated pod's ports are taken, a victim's
	 * freed (K8S: AddPodInfo / RemovePod update UsedPorts too). */
	sched_node_ports_copy(scratch, node);
	scratch->requested_scalars.values = NULL;
	if (node->requested_scalars.len) {
		size_t bytes = node->requested_scalars.len * sizeof(int64_t);
		scratch->requested_scalars.values = xmalloc(bytes);
		memcpy(scratch->requested_scalars.values, node->requested_scalars.values, bytes);
	}
}

/* sign is +1 or -1: one pod's request in or out of the sums. */
static void account(struct sched_node_info *n, const struct sched_pod_request *r,
		    int64_t sign)
{
	n->requested.milli_cpu += sign * r->milli_cpu;
	n->requested.memory += sign * r->memory;
	n->requested_ephemeral_storage += sign * r->ephemeral_storage;
	n->non_zero_milli_cpu += sign * r->non_zero_milli_cpu;
	n->non_zero_memory += sign * r->non_zero_memory;
	for (size_t i = 0; i < r->scalars_len; i++) {
		uint32_t id = r->scalars[i].id;
		struct sched_scalars *q = &n->requested_scalars;
		if (id >= q->len) {
			q->values = xrealloc(q->values, (id + 1) * sizeof(int64_t));
			memset(q->values + q->len, 0, (id + 1 - q->len) * sizeof(int64_t));
			q->len = id + 1;
		}
		q->values[id] += sign * r->scalars[i].value;
	}
}

void sched_node_scratch_add(struct sched_node_info *scratch,
			    const struct sched_pod_info *p)
{
	xgrow((void **)&scratch->pods, &scratch->pods_cap, scratch->pods_len + 1,
	      sizeof(*scratch->pods));
	scratch->pods[scratch->pods_len++] = (struct sched_pod_info *)p;
	account(scratch, &p->request, 1);
	sched_node_ports_update(scratch, p->pod, 1);
}

void sched_node_scratch_remove(struct sched_node_info *scratch,
			       const struct sched_pod_info *p)
{
	size_t i = 0;
	while (i < scratch->pods_len && scratch->pods[i] != p)
		i++;
	BUG_ON(i == scratch->pods_len);
	/* Order kept: a plugin that walks the list sees it as upstream's. */
	memmove(&scratch->pods[i], &scratch->pods[i + 1],
		(scratch->pods_len - i - 1) * sizeof(*scratch->pods));
	scratch->pods_len--;
	account(scratch, &p->request, -1);
	sched_node_ports_update(scratch, p->pod, -1);
}

void sched_node_scratch_release(struct sched_node_info *scratch)
{
	free(scratch->pods);
	free(scratch->requested_scalars.values);
	sched_node_ports_free(scratch);
	memset(scratch, 0, sizeof(*scratch));
}
