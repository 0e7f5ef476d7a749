/* sched_args.h - the plugins' arguments (pluginConfig) as C structs.
 *
 * K8S: pkg/scheduler/apis/config/types_pluginargs.go and their defaults in
 * apis/config/v1/defaults.go (NodeResourcesFitArgs, ...Balanced...Args,
 * PodTopologySpreadArgs, InterPodAffinityArgs, DefaultPreemptionArgs).
 *
 * A KubeSchedulerConfiguration profile can tune a plugin through its
 * pluginConfig entry: NodeResourcesFit can pack nodes (MostAllocated)
 * instead of spreading (LeastAllocated), PodTopologySpread can carry
 * cluster-wide default constraints. The configuration loader fills these
 * structs; a plugin reads its own with sched_state_args() and treats NULL
 * as "upstream's defaults" (the *_DEFAULT constants and *_default()
 * helpers below say what those are).
 *
 * Ownership: the struct that holds a profile owns the args; plugins only
 * borrow them for a cycle.
 */
#ifndef KUBELAB_SCHED_ARGS_H
#define KUBELAB_SCHED_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* K8S: config.ResourceSpec: a resource a score looks at, and its weight. */
struct sched_resource_spec {
	const char *name;		/* "cpu", "memory", "nvidia.com/gpu" */
	int64_t weight;			/* 1..100 */
};

#define SCHED_ARGS_RESOURCES_MAX 8

/* K8S: config.UtilizationShapePoint (RequestedToCapacityRatio). */
struct sched_shape_point {
	int32_t utilization;		/* 0..100, increasing along the shape */
	int32_t score;			/* 0..10, scaled by 10 when used */
};

#define SCHED_ARGS_SHAPE_MAX 16
/* K8S: config.MaxCustomPriorityScore: shape scores run 0..10 and are
 * scaled by SCHED_MAX_NODE_SCORE / 10 when used. */
#define SCHED_MAX_CUSTOM_PRIORITY_SCORE 10

enum sched_scoring_strategy {
	SCHED_LEAST_ALLOCATED,		/* default: prefer emptier nodes */
	SCHED_MOST_ALLOCATED,		/* bin packing */
	SCHED_REQUESTED_TO_CAPACITY_RATIO,	/* a piecewise-linear shape */
};

/* K8S: config.NodeResourcesFitArgs (scoringStrategy). Defaults:
 * LeastAllocated over cpu and memory, weight 1 each. As upstream's
 * defaulting does, the plugin reads resources_len 0 as those two and a
 * weight of 0 as 1. Resource names are borrowed from the args' owner. */
struct sched_fit_args {
	enum sched_scoring_strategy strategy;
	size_t resources_len;
	struct sched_resource_spec resources[SCHED_ARGS_RESOURCES_MAX];
	/* RequestedToCapacityRatio only: utilization increasing, scores
	 * 0..10; without a shape the strategy scores nothing (upstream's
	 * validation requires one). */
	size_t shape_len;
	struct sched_shape_point shape[SCHED_ARGS_SHAPE_MAX];
};

/* Fills args with upstream's defaults (LeastAllocated, cpu:1, memory:1). */
void sched_fit_args_default(struct sched_fit_args *args);

/* K8S: config.NodeResourcesBalancedAllocationArgs. Default: cpu, memory.
 * The weights are not used by this score; resources_len 0 means the
 * default. */
struct sched_balanced_args {
	size_t resources_len;
	struct sched_resource_spec resources[SCHED_ARGS_RESOURCES_MAX];
};

/* Fills args with upstream's defaults (cpu:1, memory:1). */
void sched_balanced_args_default(struct sched_balanced_args *args);

enum sched_spread_defaulting {
	SCHED_SPREAD_DEFAULTING_SYSTEM,	/* default: upstream's built-in pair */
	SCHED_SPREAD_DEFAULTING_LIST,	/* default_constraints below */
};

/* K8S: config.PodTopologySpreadArgs. With System defaulting, a pod with no
 * constraints of its own that belongs to a Service, ReplicaSet,
 * StatefulSet or ReplicationController is spread ScheduleAnyway over
 * hostname (maxSkew 3) and zone (maxSkew 5). */
struct sched_spread_args {
	enum sched_spread_defaulting defaulting;
	size_t default_constraints_len;
	const struct topology_spread_constraint *default_constraints;	/* borrowed */
};

/* K8S: config.InterPodAffinityArgs. Default hardPodAffinityWeight 1. */
struct sched_inter_pod_affinity_args {
	int32_t hard_pod_affinity_weight;	/* 0..100 */
	bool ignore_preferred_terms_of_existing_pods;
};

/* K8S: config.DefaultPreemptionArgs. Defaults 10% and 100 nodes. */
struct sched_preemption_args {
	int32_t min_candidate_nodes_percentage;
	int32_t min_candidate_nodes_absolute;
};

#endif
