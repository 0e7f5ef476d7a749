/* traffic.h - offered load over time: the scenario's traffic model.
 *
 * A scenario may say how many requests per second reach a workload, as a
 * timeline of steps and linear ramps (spec.traffic, docs/scenario-
 * reference.md). The sim metrics backend (metrics_sim.c) spreads a
 * target's requests evenly over its Ready pods, as a Service does, and
 * turns them into CPU and memory through each image's cost (cpuPerRps,
 * memoryPerRps). K8S: no counterpart: in a cluster, load comes from users.
 *
 * The profile is plain data so that other models (a network model that
 * routes requests through Services) can read the same timeline.
 *
 * Ownership: a profile owns its strings and points (scenario_free frees
 * them).
 */
#ifndef KUBELAB_TRAFFIC_H
#define KUBELAB_TRAFFIC_H

#include "object.h"

/* From `at`, the rate is rps; with ramp > 0 it gets there linearly over
 * ramp, starting from the rate the previous point had set. */
struct traffic_point {
	ktime_t at;			/* relative to the run's start */
	double rps;
	ktime_t ramp;			/* 0: a step */
};

struct traffic_profile {
	enum kind_id kind;		/* Deployment, ReplicaSet, StatefulSet, Service */
	char *namespace;		/* default "default" */
	char *name;
	/* The per-pod custom metric that reports this traffic (requests per
	 * second per pod); default "http_requests_per_second". */
	char *metric;
	LIST_OF(struct traffic_point) points;	/* sorted by at */
};

#define TRAFFIC_DEFAULT_METRIC "http_requests_per_second"

/* Requests per second offered at t (relative to the run's start). Before
 * the first point there is no traffic. */
static inline double traffic_rps_at(const struct traffic_profile *profile, ktime_t t)
{
	double rate = 0;
	for (size_t i = 0; i < profile->points.len; i++) {
		const struct traffic_point *p = &profile->points.items[i];
		if (t < p->at)
			break;
		if (p->ramp > 0 && t < p->at + p->ramp)
			rate += (p->rps - rate) * (double)(t - p->at) / (double)p->ramp;
		else
			rate = p->rps;
	}
	return rate;
}

#endif
