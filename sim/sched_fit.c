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
 * Score. How much room a node has left after placing the pod, per
 * resource, averaged with weights; the strategy comes from the profile's
 * pluginConfig (struct sched_fit_args): LeastAllocated (the default:
 * emptier nodes win, load spreads), MostAllocated (fuller nodes win: bin
 * packing) or RequestedToCapacityRatio (a user-drawn line from
 * utilization to score). The resources are cpu and memory, weight 1 each,
 * unless configured (e.g. nvidia.com/gpu with weight 5). Here the cpu and
 * memory requests are the "non-zero" ones (a container without a cpu
 * request counts 100m, without a memory request 200Mi), so BestEffort
 * pods still spread out. The scorers live in sched_fit_score.c.
 *
 * Interface: sched_fit_plugin, sched_fit_args_default (sched_args.h).
 * PreFilter computes the pod's request (sched_pod_request_compute) into
 * the cycle state, PreScore resolves the strategy; Filter and Score read
 * them for every node without allocating.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_args.h"
#include "sched_fit_score.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

/* What a cycle of NodeResourcesFit keeps: the pod's request (PreFilter)
 * and the resolved scoring strategy (PreScore). */
struct fit_cycle {
	struct sched_pod_request request;
	enum sched_scoring_strategy strategy;
	bool default_least;		/* LeastAllocated over cpu:1, memory:1 */
	struct sched_alloc alloc;
	size_t shape_len;
	struct sched_shape_point shape[SCHED_ARGS_SHAPE_MAX];	/* scores 0..100 */
};

static void release_cycle(void *data)
{
	struct fit_cycle *c = data;
	sched_pod_request_release(&c->request);
	free(c);
}

/* Out of line (noinline): it runs once per cycle, and kept apart it does
 * not cost fit_cycle()'s callers, Filter and Score, register saves on
 * every node. */
static __attribute__((noinline)) struct fit_cycle *
fit_cycle_new(struct sched_state *state, const struct pod *pod)
{
	struct fit_cycle *c = xcalloc(1, sizeof(*c));
	sched_pod_request_compute(state->cache, pod, &c->request);
	sched_state_write(state, SCHED_PLUGIN_NODE_RESOURCES_FIT, c, release_cycle);
	return c;
}

static struct fit_cycle *fit_cycle(struct sched_state *state, const struct pod *pod)
{
	struct fit_cycle *c = sched_state_read(state, SCHED_PLUGIN_NODE_RESOURCES_FIT);
	return c ? c : fit_cycle_new(state, pod);
}

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	fit_cycle(state, pod);
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

/* Every shortfall of the node, with its reason (the Filter's verdict when
 * fits() below says no). */
static __attribute__((noinline)) enum sched_code
shortfalls(struct sched_state *state, const struct sched_pod_request *r,
	   const struct sched_node_info *node, struct sched_status *status)
{
	const struct sched_resources *alloc = &node->allocatable;
	const struct sched_resources *used = &node->requested;
	if ((int64_t)node->pods_len + 1 > node->allowed_pods)
		sched_status_add(status, SCHED_UNSCHEDULABLE, "Too many pods");
	if (r->milli_cpu == 0 && r->memory == 0 && r->ephemeral_storage == 0 &&
	    r->scalars_len == 0)
		return status->code;
	check(status, r->milli_cpu, alloc->milli_cpu, used->milli_cpu,
	      "Insufficient cpu");
	check(status, r->memory, alloc->memory, used->memory, "Insufficient memory");
	check(status, r->ephemeral_storage, node->allocatable_ephemeral_storage,
	      node->requested_ephemeral_storage, "Insufficient ephemeral-storage");
	for (size_t i = 0; i < r->scalars_len; i++) {
		uint32_t id = r->scalars[i].id;
		int64_t want = r->scalars[i].value;
		int64_t have = sched_scalars_get(&node->allocatable_scalars, id);
		if (want > have - sched_scalars_get(&node->requested_scalars, id))
			sched_status_addf(status, want > have
					  ? SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
					  : SCHED_UNSCHEDULABLE,
					  "Insufficient %s",
					  sched_cache_scalar_name(state->cache, id));
	}
	return status->code;
}

/* Whether the pod fits on the node with room to spare in every resource:
 * the same tests as shortfalls(), without the reasons. A pod with
 * extended resources takes the long way. */
static bool fits(const struct sched_pod_request *r, const struct sched_node_info *node)
{
	const struct sched_resources *alloc = &node->allocatable;
	const struct sched_resources *used = &node->requested;
	return (int64_t)node->pods_len + 1 <= node->allowed_pods &&
		r->milli_cpu <= alloc->milli_cpu - used->milli_cpu &&
		r->memory <= alloc->memory - used->memory &&
		r->ephemeral_storage <= node->allocatable_ephemeral_storage -
					node->requested_ephemeral_storage &&
		r->scalars_len == 0;
}

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	const struct sched_pod_request *r = &fit_cycle(state, pod)->request;
	if (fits(r, node))
		return SCHED_SUCCESS;	/* hot path: most nodes have room */
	return shortfalls(state, r, node, status);
}

/* K8S: SetDefaults_NodeResourcesFitArgs: LeastAllocated over cpu and
 * memory, weight 1 each. */
static const struct sched_fit_args fit_defaults = {
	.strategy = SCHED_LEAST_ALLOCATED,
	.resources_len = 2,
	.resources = { { "cpu", 1 }, { "memory", 1 } },
};

/* LAB: sched-fit-defaults */
void sched_fit_args_default(struct sched_fit_args *args)
{
	*args = fit_defaults;
}

/* PreScore resolves the strategy's resources and shape once per cycle. */
static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;	/* these scores need no node list */
	struct fit_cycle *c = fit_cycle(state, pod);
	const struct sched_fit_args *args =
		sched_state_args(state, SCHED_PLUGIN_NODE_RESOURCES_FIT);
	if (!args)
		args = &fit_defaults;
	c->strategy = args->strategy;
	/* Upstream's defaulting: no resources means cpu and memory; a
	 * weight of 0 means 1. */
	const struct sched_fit_args *from = args->resources_len ? args : &fit_defaults;
	struct sched_resource_spec resources[SCHED_ARGS_RESOURCES_MAX];
	for (size_t i = 0; i < from->resources_len; i++) {
		resources[i] = from->resources[i];
		if (resources[i].weight == 0)
			resources[i].weight = 1;
	}
	sched_alloc_prepare(&c->alloc, state->cache, &c->request, resources,
			    from->resources_len, false);
	/* K8S: requestedToCapacityRatioScorer: shape scores 0..10 become
	 * 0..100 (MaxNodeScore / MaxCustomPriorityScore = 10). */
	c->shape_len = args->shape_len;
	for (size_t i = 0; i < args->shape_len; i++) {
		c->shape[i].utilization = args->shape[i].utilization;
		c->shape[i].score = args->shape[i].score *
			(SCHED_MAX_NODE_SCORE / SCHED_MAX_CUSTOM_PRIORITY_SCORE);
	}
	c->default_least = c->strategy == SCHED_LEAST_ALLOCATED && c->alloc.cpu_memory &&
		c->alloc.res[0].weight == 1 && c->alloc.res[1].weight == 1;
	if (c->strategy == SCHED_REQUESTED_TO_CAPACITY_RATIO && c->shape_len == 0)
		return SCHED_SKIP;	/* a loader's validation rejects this */
	return SCHED_SUCCESS;
}

/* K8S: leastRequestedScore */
static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return 0;
	int64_t free_x100 = (capacity - requested) * SCHED_MAX_NODE_SCORE;
	/* hot: a double division overlaps with the next node's where a 64-bit
	 * integer division stalls, and truncates to the same integer while
	 * 0 <= requested <= capacity < 2^46: both operands are then exact
	 * doubles, the quotient is at most 100, and its rounding error
	 * (< 100 * 2^-53) is smaller than its distance (>= 1 / capacity) to
	 * the next integer. */
	if (requested >= 0 && capacity < (INT64_C(1) << 46))
		return (int64_t)((double)free_x100 / (double)capacity);
	return free_x100 / capacity;
}

/* LAB: sched-least-allocated. The default (cpu and memory, weight 1
 * each), spelled out: it runs for every feasible node of every pod, so it
 * skips the general loop of sched_alloc_least (same result). A resource
 * the node does not have (allocatable 0) is left out of the average. */
static int64_t least_cpu_memory(const struct sched_pod_request *r,
				const struct sched_node_info *node)
{
	int64_t cpu = node->allocatable.milli_cpu, memory = node->allocatable.memory;
	int64_t sum = 0, n = 0;
	if (cpu) {
		sum += least_requested(node->non_zero_milli_cpu + r->non_zero_milli_cpu, cpu);
		n++;
	}
	if (memory) {
		sum += least_requested(node->non_zero_memory + r->non_zero_memory, memory);
		n++;
	}
	/* The usual case, both resources, divides by a constant. */
	return n == 2 ? sum / 2 : n ? sum : 0;
}

/* A configured strategy or set of resources. Out of line (noinline), as
 * shortfalls() above, so that score() stays cheap for the default. */
static __attribute__((noinline)) int64_t
score_configured(const struct fit_cycle *c, const struct sched_node_info *node)
{
	if (c->strategy == SCHED_LEAST_ALLOCATED)
		return sched_alloc_least_node(&c->alloc, node);
	int64_t requested[SCHED_ARGS_RESOURCES_MAX], allocatable[SCHED_ARGS_RESOURCES_MAX];
	sched_alloc_fill(&c->alloc, node, requested, allocatable);
	switch (c->strategy) {
	case SCHED_MOST_ALLOCATED:
		return sched_alloc_most(&c->alloc, requested, allocatable);
	case SCHED_REQUESTED_TO_CAPACITY_RATIO:
		return sched_alloc_rtcr(&c->alloc, c->shape, c->shape_len,
					requested, allocatable);
	case SCHED_LEAST_ALLOCATED:
		break;
	}
	return sched_alloc_least(&c->alloc, requested, allocatable);
}

/* LAB: sched-fit-score. The strategy's scorer over the pairs of the
 * configured resources (cpu and memory, weight 1 each, by default). */
static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	const struct fit_cycle *c = fit_cycle(state, pod);
	if (c->default_least)
		return least_cpu_memory(&c->request, node);
	return score_configured(c, node);
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: Fit.isSchedulableAfterPodEvent, for a Delete (kubelab has no
 * in-place scale down): the deletion of a bound or nominated pod may free
 * room; that of a pod that held none cannot. */
static enum sched_hint after_pod_deleted(const struct sched_hint_input *in)
{
	return sched_hint_pod_placed(sched_hint_old_pod(in))
		? SCHED_HINT_QUEUE : SCHED_HINT_SKIP;
}

/* The node's allocatable of resource name, in the request's unit
 * (millicores for cpu); 0 when it has none. As NodeInfo.SetNode reads it. */
static int64_t allocatable(const struct node *node, const char *name)
{
	const struct resource_list *alloc = &node->status.allocatable;
	for (size_t i = 0; i < alloc->len; i++) {
		if (strcmp(alloc->items[i].name, name))
			continue;
		return !strcmp(name, "cpu") ? quantity_milli_value(&alloc->items[i].quantity)
					    : quantity_value(&alloc->items[i].quantity);
	}
	return 0;
}

/* K8S: isFit with an empty NodeInfo: would the pod fit on node if nothing
 * ran there? */
static bool fits_empty(const struct sched_pod_request *r, const struct node *node,
		       const struct sched_cache *cache)
{
	if (allocatable(node, "pods") < 1)
		return false;
	if ((r->milli_cpu > 0 && r->milli_cpu > allocatable(node, "cpu")) ||
	    (r->memory > 0 && r->memory > allocatable(node, "memory")) ||
	    (r->ephemeral_storage > 0 &&
	     r->ephemeral_storage > allocatable(node, "ephemeral-storage")))
		return false;
	for (size_t i = 0; i < r->scalars_len; i++)
		if (r->scalars[i].value >
		    allocatable(node, sched_cache_scalar_name(cache, r->scalars[i].id)))
			return false;
	return true;
}

/* K8S: haveAnyRequestedResourcesIncreased: more pod slots, or more of a
 * resource the pod asks for. */
static bool requested_increased(const struct sched_pod_request *r,
				const struct node *old, const struct node *node,
				const struct sched_cache *cache)
{
	if (allocatable(node, "pods") > allocatable(old, "pods"))
		return true;
	if ((r->milli_cpu > 0 && allocatable(node, "cpu") > allocatable(old, "cpu")) ||
	    (r->memory > 0 && allocatable(node, "memory") > allocatable(old, "memory")) ||
	    (r->ephemeral_storage > 0 && allocatable(node, "ephemeral-storage") >
					 allocatable(old, "ephemeral-storage")))
		return true;
	for (size_t i = 0; i < r->scalars_len; i++) {
		const char *name = sched_cache_scalar_name(cache, r->scalars[i].id);
		if (r->scalars[i].value > 0 && allocatable(node, name) > allocatable(old, name))
			return true;
	}
	return false;
}

/* LAB: sched-fit-hint. K8S: Fit.isSchedulableAfterNodeChange: skip a node
 * the pod could not fit on even empty; queue for a new one; for a changed
 * one, only when something the pod asks for grew. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *old = sched_hint_old_node(in);
	const struct node *node = sched_hint_new_node(in);
	struct sched_pod_request r;
	sched_pod_request_compute(in->cache, in->pod, &r);
	enum sched_hint hint = SCHED_HINT_SKIP;
	if (fits_empty(&r, node, in->cache) &&
	    (!old || requested_increased(&r, old, node, in->cache)))
		hint = SCHED_HINT_QUEUE;
	sched_pod_request_release(&r);
	return hint;
}

/* K8S: Fit.EventsToRegister (queueing hints on, no in-place resize). */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, NULL }, after_pod_deleted },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_ALLOCATABLE, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_fit_plugin = {
	.id = SCHED_PLUGIN_NODE_RESOURCES_FIT,
	.name = "NodeResourcesFit",
	.default_weight = 1,
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.events_to_register = events,
};
