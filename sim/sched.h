/* sched.h - the scheduler: assigns pending pods to nodes.
 *
 * K8S: pkg/scheduler (kube-scheduler). A pod with no spec.nodeName and
 * this scheduler's schedulerName enters the scheduling queue; each
 * scheduling cycle takes the highest-priority pod, runs the Filter
 * plugins over nodes to find feasible ones, scores them with the Score
 * plugins, picks the best (ties broken by a seeded random choice), and
 * binds the pod by setting spec.nodeName. See sched_framework.h for the
 * plugin seam.
 */
#ifndef KUBELAB_SCHED_H
#define KUBELAB_SCHED_H

#include "client.h"

struct scheduler_options {
	const char *name;		/* schedulerName served; default-scheduler */
	ktime_t bind_latency;		/* sim: time from decision to binding */
	uint64_t seed;			/* tie-breaks */
	int32_t percentage_of_nodes_to_score;	/* 0: upstream's adaptive default */
};

struct scheduler;

/* Starts watching pods and nodes through client (borrowed; it must
 * outlive the scheduler). Free with scheduler_free. */
struct scheduler *scheduler_new(const struct client *client,
				const struct scheduler_options *options);
void scheduler_free(struct scheduler *scheduler);

/* Pods scheduled so far, and scheduling attempts that failed. */
uint64_t scheduler_scheduled(const struct scheduler *scheduler);
uint64_t scheduler_failed_attempts(const struct scheduler *scheduler);

#endif
