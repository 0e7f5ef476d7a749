/* cluster.h - the sim backend: a whole cluster playing out a scenario.
 *
 * A cluster is the engine (virtual time), the store (the API server), the
 * control plane (scheduler and controllers, each with its own client), one
 * sim kubelet per node, and the scenario's timeline and expectations. It
 * is the only code that knows all the pieces; they know only the client
 * and the clock. See docs/architecture.md for the start-up story.
 *
 * Ownership: cluster_new borrows the scenario (it must outlive the
 * cluster); cluster_free frees everything else.
 */
#ifndef KUBELAB_CLUSTER_H
#define KUBELAB_CLUSTER_H

#include "client.h"
#include "scenario.h"
#include "sched.h"
#include "trace.h"

struct run_options {
	bool seed_set;
	uint64_t seed;			/* overrides the scenario's */
	bool until_set;
	ktime_t until;			/* relative; overrides spec.duration */
	uint64_t max_steps;		/* 0: no limit */
	struct trace *trace;		/* borrowed; NULL for none */
	bool record_events;		/* Event objects in the store */
	/* Called for every Kubernetes Event and timeline action, for the
	 * CLI's live stream (may be NULL). */
	void (*event_hook)(void *arg, ktime_t now, const struct object *obj,
			   const char *type, const char *reason, const char *message);
	void *event_hook_arg;
	/* Called after each event with the relative time (progress). */
	void (*progress)(void *arg, ktime_t t, ktime_t end);
	void *progress_arg;
	/* Called for every scheduling attempt (kubelab explain); explain.attempt
	 * may be NULL. With a full-level trace, attempts are also written as
	 * "schedule" records. */
	struct sched_explain_hook explain;
	/* K8S: kube-scheduler --config: overrides the scenario's scheduler
	 * configuration (borrowed; must outlive the cluster). NULL: the
	 * scenario's, else upstream's default profile. */
	const struct sched_config *scheduler_config;
};

struct cluster;

struct cluster *cluster_new(const struct scenario *scenario,
			    const struct run_options *options);
void cluster_free(struct cluster *cluster);

/* Runs to the end (or the step limit) and decides the expectations.
 * Returns the number of expectations that failed. */
int cluster_run(struct cluster *cluster);

const struct store *cluster_store(const struct cluster *cluster);
ktime_t cluster_elapsed(const struct cluster *cluster);	/* relative now */
uint64_t cluster_steps(const struct cluster *cluster);
uint64_t cluster_seed(const struct cluster *cluster);
/* The scenario's expectations with their results after cluster_run. */
const struct expectation *cluster_expectations(const struct cluster *cluster,
					       size_t *len);
/* true when the step limit stopped the run before its end. */
bool cluster_truncated(const struct cluster *cluster);

#endif
