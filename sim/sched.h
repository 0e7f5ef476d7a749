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
#include "sched_framework.h"

struct json;

/* ---- explaining a decision -------------------------------------------------
 * LAB: sched-explain. An observer may watch every scheduling attempt, as a
 * student would read the scheduler's verbose log: which nodes it looked
 * at, which Filter plugin turned each one down and why, what every Score
 * plugin thought of the others, and which node won. Upstream has no such
 * hook (its nearest relatives are the scheduler's -v=10 logs and the
 * FailedScheduling event); nothing here changes a decision. The details
 * are built only when a hook is set, so a run nobody explains pays one
 * branch per cycle and one per node examined.
 *
 * Everything an attempt points at is borrowed and valid only during the
 * call: copy what you keep. */

/* One examined node. */
struct sched_explain_node {
	const char *name;
	enum sched_code code;		/* Filter verdict; SCHED_SUCCESS: feasible */
	const char *plugin;		/* the Filter plugin that rejected it */
	const char *reason;		/* its reasons, joined by ", " */
	/* When scored: per score plugin of the attempt (same order as
	 * sched_attempt.plugins), the plugin's own score and the score after
	 * NormalizeScore; total is the weighted sum of the normalized ones. */
	const int64_t *raw, *normalized;
	int64_t total;
};

struct sched_attempt {
	const struct pod *pod;
	ktime_t time;
	size_t num_all_nodes;
	int32_t percentage;		/* percentageOfNodesToScore; 0: adaptive */
	size_t num_to_find;		/* K8S: numFeasibleNodesToFind */
	size_t start_index;		/* K8S: nextStartNodeIndex at the start */
	size_t examined, feasible;
	/* A PreFilter plugin rejected the pod before any node was examined
	 * (nodes_len is then 0). */
	const char *pre_filter_plugin;
	/* A PreFilterResult narrowed the nodes to filter: which plugins
	 * (narrowed->narrowed_by) and how many existing nodes it left
	 * (num_to_find and start_index are then over those); NULL otherwise. */
	const struct sched_pre_filter_result *narrowed;
	size_t narrowed_to;
	/* Permit said Wait: the plugins the pod waits for ("GangPermit"),
	 * joined by ", "; NULL otherwise. */
	const char *permit_wait;
	const struct sched_explain_node *nodes;	/* examined, in order */
	size_t nodes_len;
	/* The score plugins that ran (PreScore did not skip them); none when
	 * at most one node was feasible, as upstream skips scoring then. */
	size_t plugins_len;
	const char *plugins[SCHED_PLUGIN_MAX];
	int32_t weights[SCHED_PLUGIN_MAX];
	const char *chosen;		/* NULL when the attempt failed */
	size_t ties;			/* feasible nodes sharing the top total */
	const char *message;		/* the FailedScheduling message, or NULL */
	/* When PostFilter preempted (a failed attempt): the node the pod was
	 * nominated to and the victims deleted for it ("namespace/name",
	 * most important first). NULL and 0 otherwise. */
	const char *nominated_node;
	const char *const *victims;
	size_t victims_len;
	/* Why the pod left the unschedulable pool before this attempt: the
	 * plugin whose queueing hint said Queue (NULL: none was asked) and
	 * the event ("Pod/Delete", "UnschedulableTimeout"); requeued_on is
	 * NULL when the pod came straight from a new add or a backoff. */
	const char *requeued_by, *requeued_on;
};

struct sched_explain_hook {
	void (*attempt)(void *arg, const struct sched_attempt *attempt);
	void *arg;
};

/* The attempt as a JSON object (the trace's "schedule" record body,
 * without "t"; docs/trace-format.md). Caller frees with json_free. */
struct json *sched_attempt_json(const struct sched_attempt *attempt);

struct scheduler_options {
	/* K8S: KubeSchedulerConfiguration.profiles (sched_config.h builds
	 * them): copied, but each profile's args stay borrowed and must
	 * outlive the scheduler. None: one default profile serving name. */
	const struct sched_profile *profiles;
	size_t profiles_len;
	const char *name;		/* without profiles; default-scheduler */
	ktime_t bind_latency;		/* sim: time from decision to binding */
	uint64_t seed;			/* tie-breaks */
	int32_t percentage_of_nodes_to_score;	/* 0: upstream's adaptive default */
	struct sched_explain_hook explain;	/* optional observer */
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
