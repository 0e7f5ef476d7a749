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
 * The resources are configurable (struct sched_balanced_args: e.g. cpu,
 * memory and nvidia.com/gpu); an extended resource the pod does not
 * request is left out, as in NodeResourcesFit's scores.
 *
 * Interface: sched_balanced_allocation_plugin (PreScore + Score),
 * sched_balanced_args_default (sched_args.h). The floating point is
 * exactly upstream's; results are deterministic on a given machine.
 */
#include <math.h>
#include <stdlib.h>

#include "sched_args.h"
#include "sched_fit_score.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

static const struct sched_balanced_args balanced_defaults = {
	.resources_len = 2,
	.resources = { { "cpu", 1 }, { "memory", 1 } },
};

/* LAB: sched-balanced-defaults */
void sched_balanced_args_default(struct sched_balanced_args *args)
{
	*args = balanced_defaults;
}

static void release_alloc(void *data)
{
	free(data);
}

/* K8S: BalancedAllocation.PreScore: the pod's real requests (no non-zero
 * floor) of the configured resources. */
static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;	/* these scores need no node list */
	const struct sched_balanced_args *args =
		sched_state_args(state, SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION);
	if (!args || args->resources_len == 0)
		args = &balanced_defaults;
	struct sched_pod_request r;
	sched_pod_request_compute(state->cache, pod, &r);
	struct sched_alloc *alloc = xmalloc(sizeof(*alloc));
	sched_alloc_prepare(alloc, state->cache, &r, args->resources,
			    args->resources_len, true);
	sched_pod_request_release(&r);
	sched_state_write(state, SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION, alloc,
			  release_alloc);
	if (sched_alloc_best_effort(alloc))
		return SCHED_SKIP;	/* LAB: sched-balanced-besteffort */
	return SCHED_SUCCESS;
}

/* K8S: balancedResourceScorer. Resources the node does not have are left
 * out; with two left, std is half their difference. */
static int64_t balanced(const int64_t *requested, const int64_t *allocatable,
			size_t len)
{
	double fractions[SCHED_ARGS_RESOURCES_MAX], total = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (allocatable[i] == 0)
			continue;	/* the node has none: left out */
		double f = (double)requested[i] / (double)allocatable[i];
		if (f > 1)
			f = 1;
		total += f;
		fractions[n++] = f;
	}
	double std = 0;
	if (n == 2) {
		std = fabs((fractions[0] - fractions[1]) / 2);
	} else if (n > 2) {
		double mean = total / (double)n, sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += (fractions[i] - mean) * (fractions[i] - mean);
		std = sqrt(sum / (double)n);
	}
	return (int64_t)((1 - std) * (double)SCHED_MAX_NODE_SCORE);
}

/* LAB: sched-balanced-std. cpu and memory, the default: the standard
 * deviation of two fractions is half their difference. The same numbers
 * as balanced() for two resources, without its loop. */
static int64_t balanced_cpu_memory(const struct sched_alloc *alloc,
				   const struct sched_node_info *node)
{
	int64_t cpu = node->allocatable.milli_cpu, memory = node->allocatable.memory;
	double f_cpu = 0, f_memory = 0;
	if (cpu) {
		f_cpu = (double)(node->requested.milli_cpu + alloc->res[0].pod_request) /
			(double)cpu;
		if (f_cpu > 1)
			f_cpu = 1;
	}
	if (memory) {
		f_memory = (double)(node->requested.memory + alloc->res[1].pod_request) /
			(double)memory;
		if (f_memory > 1)
			f_memory = 1;
	}
	double std = cpu && memory ? fabs((f_cpu - f_memory) / 2) : 0;
	return (int64_t)((1 - std) * (double)SCHED_MAX_NODE_SCORE);
}

/* Configured resources. Out of line (noinline), so that score() stays a
 * leaf function, without this path's register saves, for the default. */
static __attribute__((noinline)) int64_t
balanced_configured(const struct sched_alloc *alloc, const struct sched_node_info *node)
{
	int64_t requested[SCHED_ARGS_RESOURCES_MAX], allocatable[SCHED_ARGS_RESOURCES_MAX];
	sched_alloc_fill(alloc, node, requested, allocatable);
	return balanced(requested, allocatable, alloc->len);
}

static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	(void)pod;
	const struct sched_alloc *alloc =
		sched_state_read(state, SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION);
	if (alloc->cpu_memory)	/* the default, without the general loop */
		return balanced_cpu_memory(alloc, node);
	return balanced_configured(alloc, node);
}

const struct sched_plugin sched_balanced_allocation_plugin = {
	.id = SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION,
	.name = "NodeResourcesBalancedAllocation",
	.default_weight = 1,
	.pre_score = pre_score,
	.score = score,
};
