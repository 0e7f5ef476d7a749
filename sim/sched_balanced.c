/* sched_balanced.c - the NodeResourcesBalancedAllocation plugin.
 *
 * K8S: pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
 *      (balancedResourceScorer), resource_allocation.go.
 *
 * A node whose cpu is 90% booked and memory 10% is badly used: the free
 * memory is stranded, since no pod can use it without cpu. This score
 * favours nodes where, after placing the pod, the fractions of cpu and
 * memory booked are close to each other. With fractions f_cpu and f_mem
 * (each capped at 1) the score is (1 - std) * 100, where std is the
 * standard deviation of the fractions; for two resources that is
 * |f_cpu - f_mem| / 2. Unlike NodeResourcesFit's score it uses the real
 * requests, without the 100m/200Mi floor, and it skips BestEffort pods
 * entirely (they request nothing, so they cannot unbalance a node; scoring
 * them would herd them onto one node, kubernetes#129138). Default weight 1.
 *
 * Interface: sched_balanced_allocation_plugin (PreScore + Score). The
 * floating point is exactly upstream's; results are deterministic on a
 * given machine.
 */
#include <math.h>
#include <stdlib.h>

#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

static void release_request(void *data)
{
	sched_pod_request_release(data);
	free(data);
}

static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;	/* these scores need no node list */
	struct sched_pod_request *r = xmalloc(sizeof(*r));
	sched_pod_request_compute(state->cache, pod, r);
	sched_state_write(state, SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION, r,
			  release_request);
	if (r->milli_cpu == 0 && r->memory == 0)
		return SCHED_SKIP;	/* LAB: sched-balanced-besteffort */
	return SCHED_SUCCESS;
}

/* K8S: balancedResourceScorer. kubelab scores cpu and memory, upstream's
 * default resources; the general formula is kept for three or more. */
#define BALANCED_RESOURCES 2
static int64_t balanced(const int64_t *requested, const int64_t *allocatable)
{
	double fractions[BALANCED_RESOURCES], total = 0;
	size_t n = 0;
	for (size_t i = 0; i < BALANCED_RESOURCES; i++) {
		if (allocatable[i] == 0)
			continue;	/* the node has none: left out */
		double f = (double)requested[i] / (double)allocatable[i];
		if (f > 1)
			f = 1;
		total += f;
		fractions[n++] = f;
	}
	double std = 0;
	if (n == 2) {	/* LAB: sched-balanced-std */
		std = fabs((fractions[0] - fractions[1]) / 2);
	} else if (n > 2) {
		double mean = total / (double)n, sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += (fractions[i] - mean) * (fractions[i] - mean);
		std = sqrt(sum / (double)n);
	}
	return (int64_t)((1 - std) * (double)SCHED_MAX_NODE_SCORE);
}

static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	(void)pod;
	const struct sched_pod_request *r =
		sched_state_read(state, SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION);
	const int64_t allocatable[BALANCED_RESOURCES] = {
		node->allocatable.milli_cpu, node->allocatable.memory,
	};
	const int64_t requested[BALANCED_RESOURCES] = {
		node->requested.milli_cpu + r->milli_cpu,
		node->requested.memory + r->memory,
	};
	return balanced(requested, allocatable);
}

const struct sched_plugin sched_balanced_allocation_plugin = {
	.id = SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION,
	.name = "NodeResourcesBalancedAllocation",
	.default_weight = 1,
	.pre_score = pre_score,
	.score = score,
};
