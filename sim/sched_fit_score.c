/* sched_fit_score.c - the resource-allocation scorers: LeastAllocated,
 * MostAllocated, RequestedToCapacityRatio, and the pairs they read.
 *
 * K8S: pkg/scheduler/framework/plugins/noderesources/resource_allocation.go,
 *      least_allocated.go, most_allocated.go,
 *      requested_to_capacity_ratio.go, plugins/helper/shape_score.go.
 *
 * Per resource, with requested and allocatable filled by sched_alloc_fill:
 *
 *   LeastAllocated  (allocatable - requested) * 100 / allocatable, 0 when
 *                   overcommitted: emptier nodes win, pods spread out.
 *   MostAllocated   requested * 100 / allocatable, capped at 100: fuller
 *                   nodes win, pods pack (and empty nodes can be scaled
 *                   down by a cluster autoscaler).
 *   RequestedToCapacityRatio  the utilization requested * 100 /
 *                   allocatable looked up on a user-drawn broken line
 *                   (e.g. 0% -> 10, 100% -> 0 spreads; the reverse packs).
 *
 * The node's score is the weighted average over the resources that count,
 * in integer arithmetic: LeastAllocated and MostAllocated truncate; RTCR
 * also leaves out resources whose score is 0 and rounds the average to the
 * nearest integer. See sched_fit_score.h for the interface.
 */
#include "sched_fit_score.h"

#include <string.h>

#include "sched_framework.h"
#include "xmalloc.h"

/* The pod's request of one resource as the score sees it. */
static int64_t pod_request_of(const struct sched_pod_request *r,
			      enum sched_alloc_kind kind, uint32_t scalar_id,
			      bool use_requested)
{
	switch (kind) {
	case SCHED_ALLOC_CPU:
		return use_requested ? r->milli_cpu : r->non_zero_milli_cpu;
	case SCHED_ALLOC_MEMORY:
		return use_requested ? r->memory : r->non_zero_memory;
	case SCHED_ALLOC_EPHEMERAL_STORAGE:
		return r->ephemeral_storage;
	case SCHED_ALLOC_SCALAR:
		for (size_t i = 0; i < r->scalars_len; i++)
			if (r->scalars[i].id == scalar_id)
				return r->scalars[i].value;
		return 0;
	case SCHED_ALLOC_NONE:
		break;
	}
	return 0;
}

void sched_alloc_prepare(struct sched_alloc *alloc, struct sched_cache *cache,
			 const struct sched_pod_request *r,
			 const struct sched_resource_spec *resources, size_t len,
			 bool use_requested)
{
	BUG_ON(len > SCHED_ARGS_RESOURCES_MAX);
	alloc->len = len;
	alloc->use_requested = use_requested;
	for (size_t i = 0; i < len; i++) {
		const char *name = resources[i].name;
		enum sched_alloc_kind kind = SCHED_ALLOC_NONE;
		uint32_t id = 0;
		if (!strcmp(name, "cpu")) {
			kind = SCHED_ALLOC_CPU;
		} else if (!strcmp(name, "memory")) {
			kind = SCHED_ALLOC_MEMORY;
		} else if (!strcmp(name, "ephemeral-storage")) {
			kind = SCHED_ALLOC_EPHEMERAL_STORAGE;
		} else if (sched_is_scalar_resource(name)) {
			kind = SCHED_ALLOC_SCALAR;
			id = sched_cache_scalar_id(cache, name);
		}
		alloc->res[i].kind = kind;
		alloc->res[i].scalar_id = id;
		alloc->res[i].weight = resources[i].weight;
		alloc->res[i].pod_request = pod_request_of(r, kind, id, use_requested);
	}
	alloc->cpu_memory = len == 2 && alloc->res[0].kind == SCHED_ALLOC_CPU &&
		alloc->res[1].kind == SCHED_ALLOC_MEMORY;
}

bool sched_alloc_best_effort(const struct sched_alloc *alloc)
{
	for (size_t i = 0; i < alloc->len; i++)
		if (alloc->res[i].pod_request != 0)
			return false;
	return true;
}

/* LAB: sched-alloc-pairs. cpu and memory add the pod to the node's
 * non-zero sums (Fit) or real sums (Balanced); ephemeral storage and
 * scalars always use the real sums. */
static inline __attribute__((always_inline))
void alloc_fill(const struct sched_alloc *alloc, const struct sched_node_info *node,
		int64_t *requested, int64_t *allocatable)
{
	bool real = alloc->use_requested;
	if (alloc->cpu_memory) {	/* the defaults: no switch, no loop */
		allocatable[0] = node->allocatable.milli_cpu;
		requested[0] = allocatable[0] == 0 ? 0 : alloc->res[0].pod_request +
			(real ? node->requested.milli_cpu : node->non_zero_milli_cpu);
		allocatable[1] = node->allocatable.memory;
		requested[1] = allocatable[1] == 0 ? 0 : alloc->res[1].pod_request +
			(real ? node->requested.memory : node->non_zero_memory);
		return;
	}
	for (size_t i = 0; i < alloc->len; i++) {
		int64_t want = alloc->res[i].pod_request, have = 0, booked = 0;
		switch (alloc->res[i].kind) {
		case SCHED_ALLOC_CPU:
			have = node->allocatable.milli_cpu;
			booked = real ? node->requested.milli_cpu : node->non_zero_milli_cpu;
			break;
		case SCHED_ALLOC_MEMORY:
			have = node->allocatable.memory;
			booked = real ? node->requested.memory : node->non_zero_memory;
			break;
		case SCHED_ALLOC_EPHEMERAL_STORAGE:
			have = node->allocatable_ephemeral_storage;
			booked = node->requested_ephemeral_storage;
			break;
		case SCHED_ALLOC_SCALAR:
			/* An extended resource the pod does not ask for is
			 * not scored at all. */
			if (want == 0)
				break;
			have = sched_scalars_get(&node->allocatable_scalars,
						 alloc->res[i].scalar_id);
			booked = sched_scalars_get(&node->requested_scalars,
						   alloc->res[i].scalar_id);
			break;
		case SCHED_ALLOC_NONE:
			break;
		}
		if (have == 0) {	/* left out of the score */
			requested[i] = allocatable[i] = 0;
			continue;
		}
		allocatable[i] = have;
		requested[i] = booked + want;
	}
}

/* K8S: leastRequestedScore */
static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return 0;
	return (capacity - requested) * SCHED_MAX_NODE_SCORE / capacity;
}

/* K8S: mostRequestedScore. requested can exceed capacity because of the
 * non-zero floor: capped. */
static int64_t most_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0)
		return 0;
	if (requested > capacity)
		requested = capacity;
	return requested * SCHED_MAX_NODE_SCORE / capacity;
}

/* LAB: sched-least-allocated */
static inline __attribute__((always_inline))
int64_t alloc_least(const struct sched_alloc *alloc, const int64_t *requested,
		    const int64_t *allocatable)
{
	int64_t sum = 0, weights = 0;
	for (size_t i = 0; i < alloc->len; i++) {
		if (allocatable[i] == 0)
			continue;
		sum += least_requested(requested[i], allocatable[i]) * alloc->res[i].weight;
		weights += alloc->res[i].weight;
	}
	return weights ? sum / weights : 0;
}

void sched_alloc_fill(const struct sched_alloc *alloc,
		      const struct sched_node_info *node,
		      int64_t *requested, int64_t *allocatable)
{
	alloc_fill(alloc, node, requested, allocatable);
}

int64_t sched_alloc_least(const struct sched_alloc *alloc,
			  const int64_t *requested, const int64_t *allocatable)
{
	return alloc_least(alloc, requested, allocatable);
}

/* The default strategy in one piece, so the compiler can fold the pairs
 * straight into the score: it runs for every feasible node of every pod. */
int64_t sched_alloc_least_node(const struct sched_alloc *alloc,
			       const struct sched_node_info *node)
{
	int64_t requested[SCHED_ARGS_RESOURCES_MAX], allocatable[SCHED_ARGS_RESOURCES_MAX];
	alloc_fill(alloc, node, requested, allocatable);
	return alloc_least(alloc, requested, allocatable);
}

/* LAB: sched-most-allocated */
int64_t sched_alloc_most(const struct sched_alloc *alloc,
			 const int64_t *requested, const int64_t *allocatable)
{
	int64_t sum = 0, weights = 0;
	for (size_t i = 0; i < alloc->len; i++) {
		if (allocatable[i] == 0)
			continue;
		sum += most_requested(requested[i], allocatable[i]) * alloc->res[i].weight;
		weights += alloc->res[i].weight;
	}
	return weights ? sum / weights : 0;
}

int64_t sched_broken_linear(const struct sched_shape_point *shape,
			    size_t shape_len, int64_t utilization)
{
	BUG_ON(shape_len == 0);
	for (size_t i = 0; i < shape_len; i++) {
		if (utilization > shape[i].utilization)
			continue;
		if (i == 0)
			return shape[0].score;
		int64_t u0 = shape[i - 1].utilization, s0 = shape[i - 1].score;
		int64_t u1 = shape[i].utilization, s1 = shape[i].score;
		return s0 + (s1 - s0) * (utilization - u0) / (u1 - u0);
	}
	return shape[shape_len - 1].score;
}

/* K8S: scaledUtilization: requested * 100 / capacity, exact, within
 * 0..100 (the 128-bit product keeps huge memory sizes exact). */
static int64_t utilization(int64_t requested, int64_t capacity)
{
	if (capacity <= 0 || requested <= 0)
		return 0;
	if (requested >= capacity)
		return 100;
	return (int64_t)((__int128)requested * 100 / capacity);
}

/* LAB: sched-rtcr */
int64_t sched_alloc_rtcr(const struct sched_alloc *alloc,
			 const struct sched_shape_point *shape, size_t shape_len,
			 const int64_t *requested, const int64_t *allocatable)
{
	int64_t sum = 0, weights = 0;
	for (size_t i = 0; i < alloc->len; i++) {
		if (allocatable[i] == 0)
			continue;
		int64_t score = requested[i] > allocatable[i]
			? sched_broken_linear(shape, shape_len, 100)
			: sched_broken_linear(shape, shape_len,
					      utilization(requested[i], allocatable[i]));
		if (score <= 0)		/* a zero score does not drag the mean */
			continue;
		sum += score * alloc->res[i].weight;
		weights += alloc->res[i].weight;
	}
	if (weights == 0)
		return 0;
	/* math.Round of a non-negative quotient: half away from zero. */
	return (2 * sum + weights) / (2 * weights);
}
