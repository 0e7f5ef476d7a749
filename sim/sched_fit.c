/* sched_fit.c - the NodeResourcesFit plugin: does the pod fit, and where
 * is the most room.
 *
 * K8S: pkg/scheduler/framework/plugins/noderesources/fit.go (fitsRequest),
 *      least_allocated.go (leastResourceScorer), resource_allocation.go.
 *
 * Filter. The scheduler fits pods by their requests, never by what they
 * actually use and never by their limits. A node passes when, for every
 * resource the pod requests, the pod's request is at most the node's
 * allocatable minus the requests already booked there, and when the node
 * has a free pod slot (allocatable "pods", 110 by default). Every resource
 * that is short is reported -- "Insufficient cpu", "Insufficient memory",
 * "Insufficient nvidia.com/gpu", "Too many pods" -- and all of them land
 * in the FailedScheduling message. Short because the node is busy is
 * Unschedulable (preemption could help); short because the pod is bigger
 * than the whole node is UnschedulableAndUnresolvable.
 *
 * Score, strategy LeastAllocated (the default): for cpu and memory, the
 * free fraction after placing the pod, (allocatable - requested) * 100 /
 * allocatable in integer arithmetic, averaged with weight 1 each. Here the
 * requests are the "non-zero" ones (a container without a cpu request
 * counts 100m, without a memory request 200Mi), so BestEffort pods still
 * spread out. The effect: new pods go to the emptiest node, which spreads
 * load; MostAllocated (not modelled) would pack instead.
 *
 * Interface: sched_fit_plugin. PreFilter computes the pod's request
 * (sched_pod_request_compute) into the cycle state; Filter and Score read
 * it for every node without allocating.
 */
#include <stdlib.h>

#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

static void release_request(void *data)
{
	sched_pod_request_release(data);
	free(data);
}

static const struct sched_pod_request *pod_request(struct sched_state *state,
						   const struct pod *pod)
{
	struct sched_pod_request *r = sched_state_read(state, SCHED_PLUGIN_NODE_RESOURCES_FIT);
	if (!r) {
		r = xmalloc(sizeof(*r));
		sched_pod_request_compute(state->cache, pod, r);
		sched_state_write(state, SCHED_PLUGIN_NODE_RESOURCES_FIT, r, release_request);
	}
	return r;
}

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	pod_request(state, pod);
	return SCHED_SUCCESS;
}

/* One resource: short when the request exceeds what is left; hopeless
 * when it exceeds the whole node. */
static void check(struct sched_status *status, int64_t want, int64_t allocatable,
		  int64_t requested, const char *reason)
{
	if (want > 0 && want > allocatable - requested)	/* LAB: sched-fit */
		sched_status_add(status, want > allocatable
				 ? SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
				 : SCHED_UNSCHEDULABLE, reason);
}

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	const struct sched_pod_request *r = pod_request(state, pod);
	const struct sched_resources *alloc = &node->allocatable;
	const struct sched_resources *used = &node->requested;
	if ((int64_t)node->pods_len + 1 > alloc->allowed_pods)
		sched_status_add(status, SCHED_UNSCHEDULABLE, "Too many pods");
	if (r->milli_cpu == 0 && r->memory == 0 && r->ephemeral_storage == 0 &&
	    r->scalars_len == 0)
		return status->code;
	check(status, r->milli_cpu, alloc->milli_cpu, used->milli_cpu,
	      "Insufficient cpu");
	check(status, r->memory, alloc->memory, used->memory, "Insufficient memory");
	check(status, r->ephemeral_storage, alloc->ephemeral_storage,
	      used->ephemeral_storage, "Insufficient ephemeral-storage");
	for (size_t i = 0; i < r->scalars_len; i++) {
		uint32_t id = r->scalars[i].id;
		int64_t want = r->scalars[i].value;
		int64_t have = sched_resources_scalar(alloc, id);
		if (want > have - sched_resources_scalar(used, id))
			sched_status_addf(status, want > have
					  ? SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
					  : SCHED_UNSCHEDULABLE,
					  "Insufficient %s",
					  sched_cache_scalar_name(state->cache, id));
	}
	return status->code;
}

/* K8S: leastRequestedScore */
static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return 0;
	return (capacity - requested) * SCHED_MAX_NODE_SCORE / capacity;
}

static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;	/* these scores need no node list */
	pod_request(state, pod);
	return SCHED_SUCCESS;
}

/* LAB: sched-least-allocated. cpu and memory, weight 1 each; a resource
 * the node does not have (allocatable 0) is left out of the average. */
static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	const struct sched_pod_request *r = pod_request(state, pod);
	const int64_t allocatable[2] = {
		node->allocatable.milli_cpu, node->allocatable.memory,
	};
	const int64_t requested[2] = {
		node->non_zero_milli_cpu + r->non_zero_milli_cpu,
		node->non_zero_memory + r->non_zero_memory,
	};
	const int64_t weight[2] = { 1, 1 };
	int64_t sum = 0, weights = 0;
	for (size_t i = 0; i < 2; i++) {
		if (allocatable[i] == 0)
			continue;
		sum += least_requested(requested[i], allocatable[i]) * weight[i];
		weights += weight[i];
	}
	return weights ? sum / weights : 0;
}

const struct sched_plugin sched_fit_plugin = {
	.id = SCHED_PLUGIN_NODE_RESOURCES_FIT,
	.name = "NodeResourcesFit",
	.default_weight = 1,
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
};
