/* sched_fit_score.h - scoring a node by how full it would be: the shared
 * resource-allocation scorer of NodeResourcesFit and BalancedAllocation.
 *
 * K8S: pkg/scheduler/framework/plugins/noderesources/resource_allocation.go
 * (resourceAllocationScorer, calculateResourceAllocatableRequest,
 * calculatePodResourceRequestList), least_allocated.go, most_allocated.go,
 * requested_to_capacity_ratio.go and plugins/helper/shape_score.go
 * (BuildBrokenLinearFunction).
 *
 * Both plugins look at a list of resources (cpu, memory, maybe
 * nvidia.com/gpu), and for each one at two numbers per node: what the node
 * can hold (allocatable) and what would be booked on it once the pod is
 * placed (requested). A scorer then turns those pairs into 0..100. Once
 * per cycle, sched_alloc_prepare resolves the resource names and the pod's
 * request for each; per node, sched_alloc_fill reads the node's pairs
 * without any lookup by name.
 *
 * Two rules from upstream decide which pairs count: a resource the node
 * does not have (allocatable 0) is left out of the score, and so is an
 * extended resource the pod does not request (otherwise every GPU node
 * would look emptier to a pod that wants no GPU, and win).
 *
 * Ownership: a struct sched_alloc is a plain value with no heap.
 */
#ifndef KUBELAB_SCHED_FIT_SCORE_H
#define KUBELAB_SCHED_FIT_SCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "sched_args.h"
#include "sched_nodeinfo.h"

enum sched_alloc_kind {
	SCHED_ALLOC_NONE,		/* not scored ("pods", unknown names) */
	SCHED_ALLOC_CPU,
	SCHED_ALLOC_MEMORY,
	SCHED_ALLOC_EPHEMERAL_STORAGE,
	SCHED_ALLOC_SCALAR,		/* extended, hugepages-*: by scalar id */
};

/* One cycle's view of the resources a score looks at. */
struct sched_alloc {
	size_t len;
	bool use_requested;		/* true: real requests; false: non-zero */
	bool cpu_memory;		/* exactly cpu then memory: a fast path */
	struct {
		enum sched_alloc_kind kind;
		uint32_t scalar_id;	/* SCHED_ALLOC_SCALAR only */
		int64_t weight;
		int64_t pod_request;	/* the pod's request of this resource */
	} res[SCHED_ARGS_RESOURCES_MAX];
};

/* K8S: calculatePodResourceRequestList. Resolves resources[0..len) for pod
 * (whose request r was computed by sched_pod_request_compute). With
 * use_requested false, cpu and memory use the 100m / 200Mi floor, as
 * NodeResourcesFit's scores do; BalancedAllocation uses the real requests.
 * Interns scalar names in cache. */
void sched_alloc_prepare(struct sched_alloc *alloc, struct sched_cache *cache,
			 const struct sched_pod_request *r,
			 const struct sched_resource_spec *resources, size_t len,
			 bool use_requested);
/* True when the pod requests none of the resources (K8S:
 * isBestEffortPod over the scored resources). */
bool sched_alloc_best_effort(const struct sched_alloc *alloc);
/* K8S: calculateResourceAllocatableRequest for every resource: fills
 * requested[i] and allocatable[i] (both 0 when the resource is left out). */
void sched_alloc_fill(const struct sched_alloc *alloc,
		      const struct sched_node_info *node,
		      int64_t *requested, int64_t *allocatable);

/* The three NodeResourcesFit strategies over filled pairs, 0..100. */
int64_t sched_alloc_least(const struct sched_alloc *alloc,
			  const int64_t *requested, const int64_t *allocatable);
/* sched_alloc_fill then sched_alloc_least, for one node: the hot path. */
int64_t sched_alloc_least_node(const struct sched_alloc *alloc,
			       const struct sched_node_info *node);
int64_t sched_alloc_most(const struct sched_alloc *alloc,
			 const int64_t *requested, const int64_t *allocatable);
/* shape: points with scores already scaled to 0..100. */
int64_t sched_alloc_rtcr(const struct sched_alloc *alloc,
			 const struct sched_shape_point *shape, size_t shape_len,
			 const int64_t *requested, const int64_t *allocatable);

/* K8S: helper.BuildBrokenLinearFunction evaluated at utilization: the
 * shape's first score below its first point, the last above its last
 * point, and in between the straight line between the two neighbouring
 * points, in integer arithmetic (truncating). shape_len must be > 0. */
int64_t sched_broken_linear(const struct sched_shape_point *shape,
			    size_t shape_len, int64_t utilization);

#endif
