/* sched_internal.h - what the scheduler's own files share. INTERNAL.
 *
 * K8S: pkg/scheduler/scheduler.go (the Scheduler struct) and the files of
 * pkg/scheduler that work on it (schedule_one.go, eventhandlers.go).
 *
 * The scheduler is one object split over several files by concept:
 *   sched.c          the scheduling cycle and the life cycle;
 *   sched_attempt.c  recording an attempt for the explain hook;
 *   sched_failure.c  FailedScheduling: event, PodScheduled=False, requeue;
 *   sched_bind.c     assume, Reserve, Permit (and its waiting pods), then
 *                    PreBind, the bind and PostBind;
 *   sched_events.c   the pod and node watch handlers.
 * Only those files include this header; everyone else sees the opaque
 * struct scheduler of sched.h. Nothing here is a stable interface.
 *
 * Invariants: s->profile is the profile of the cycle under way (set by
 * schedule_one, read by the code it calls); every struct binding is on
 * s->bindings until its timer fires or scheduler_free cancels it.
 */
#ifndef KUBELAB_SCHED_INTERNAL_H
#define KUBELAB_SCHED_INTERNAL_H

#include "sched.h"
#include "prng.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_nominator.h"
#include "sched_queue.h"
#include "sched_waiting.h"

/* An assumed pod waiting for its binding. */
struct binding {
	struct scheduler *scheduler;
	struct sched_queued_pod *qp;	/* in flight until the bind is done */
	char *node;
	timer_id timer;
	/* K8S: the binding cycle goes on with the scheduling cycle's state
	 * and framework (PreBind and Unreserve see what Reserve wrote). */
	const struct sched_profile *profile;
	struct sched_state state;	/* owned */
	/* Permit said Wait: held here until the verdict (timer is 0 till
	 * then); NULL otherwise. */
	struct sched_waiting_pod *waiting;
	struct binding *prev, *next;
};

struct scheduler {
	const struct client *client;
	ktime_t bind_latency;
	int32_t percentage_of_nodes_to_score;	/* the global one */
	struct prng rng;
	/* The profiles, one per schedulerName served (a copy; their args
	 * are borrowed from the configuration). profile is this cycle's. */
	struct sched_profile *profiles;
	size_t profiles_len;
	const struct sched_profile *profile;
	struct sched_cache cache;
	struct sched_queue *queue;
	struct sched_nominator nominator;	/* K8S: the queue's PodNominator */
	struct sched_waiting_pods waiting;	/* K8S: frameworkImpl.waitingPods */
	int pod_watch, node_watch;
	int claim_watch, volume_watch;	/* PVCs and PVs: queueing hints only */
	timer_id cycle_timer;
	size_t next_start_node_index;	/* K8S: sched.nextStartNodeIndex */
	uint64_t scheduled, failed_attempts;
	struct binding *bindings;
	/* Scratch for one cycle, grown to the node count and reused. */
	struct sched_node_info **feasible;
	int64_t *scratch, *totals;
	enum sched_code *verdicts;	/* per listed node, this cycle's Filter */
	size_t scratch_cap;
	/* The threads of Filter and Score (sched_parallel.h); NULL: one.
	 * A parallel Filter writes a window's verdicts and statuses here,
	 * one slot per node, then the cycle reads them in order. */
	struct sched_parallel *parallel;
	size_t parallel_min;		/* fewest nodes worth the threads */
	enum sched_code *window_codes;
	struct sched_status *window_status;
	/* The nodes a PreFilterResult left to filter (sched_pre_filter_result.c). */
	struct sched_node_info **narrowed;
	size_t narrowed_cap;
	struct sched_diagnosis diagnosis;
	/* The explanation of this cycle, only when explain.attempt is set:
	 * one entry per node examined, the entry of each feasible node, and
	 * the score details (sized as the scratch above). */
	struct sched_explain_hook explain;
	struct sched_attempt attempt;
	struct sched_explain_node *ex_nodes;
	size_t *ex_feasible;
	int64_t *ex_raw, *ex_normalized;
};

static inline bool sched_pod_is_assigned(const struct pod *pod)
{
	return pod->spec.node_name && *pod->spec.node_name;
}

/* sched.c: the profile serving the pod's schedulerName (NULL: none), and
 * the percentageOfNodesToScore of this cycle's profile. */
const struct sched_profile *sched_profile_for(const struct scheduler *s,
					      const struct pod *pod);
int32_t sched_percentage_of(const struct scheduler *s);

/* sched_attempt.c: only called when s->explain.attempt is set. begin
 * starts the record of an attempt over n nodes; node adds one Filter
 * verdict (found: the feasible ones so far, this one included); scores
 * copies the Score details; end hands the record to the hook and frees
 * what node allocated. */
void sched_attempt_begin(struct scheduler *s, const struct pod *pod, size_t n);
void sched_attempt_node(struct scheduler *s, const struct sched_node_info *node,
			const struct sched_status *status, size_t found);
void sched_attempt_scores(struct scheduler *s, const struct sched_score_detail *d,
			  size_t found, size_t chosen);
void sched_attempt_end(struct scheduler *s, size_t found, const char *chosen,
		       const char *message);

/* sched_failure.c: handleSchedulingFailure (the pod goes back to the
 * queue or is done with; message is borrowed), and the no-node-fits end
 * of a cycle (PostFilter, then the failure). */
void sched_handle_failure(struct scheduler *s, struct sched_queued_pod *qp,
			  const char *message, bool rejected, bool by_plugins,
			  const char *nominate);
void sched_fit_error(struct scheduler *s, struct sched_state *state,
		     struct sched_queued_pod *qp,
		     struct sched_node_info *const *nodes, size_t n);

/* sched_bind.c: assume the pod on node, run Reserve and Permit, end the
 * explained attempt (found: the feasible nodes), and arm its binding or
 * hold it as a waiting pod (takes over state); unlink and free a binding
 * (its timer is the caller's); the waiting pods' verdict callback. */
void sched_assume_and_bind(struct scheduler *s, struct sched_queued_pod *qp,
			   struct sched_node_info *node, size_t found,
			   struct sched_state *state);
void sched_binding_free(struct scheduler *s, struct binding *b);
void sched_permit_done(void *arg, struct sched_waiting_pod *wp,
		       const struct sched_status *verdict);

/* sched_events.c: the watch handlers (arg is the scheduler), and the
 * handling of one pod as listed or added. */
void sched_on_pod(void *arg, enum watch_type type, const struct object *obj,
		  const struct object *old);
void sched_on_node(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old);
void sched_pod_added(struct scheduler *s, const struct pod *pod);
/* sched_events.c: PersistentVolumeClaim and PersistentVolume events, which
 * only wake parked pods (the volume plugins read claims and volumes from
 * the store when they run). */
void sched_on_volume(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old);
/* sched_events.c: an assumed pod was forgotten (its binding failed): as
 * upstream, parked pods hear of it as the deletion of a pod bound to
 * node. pod is the queued (unbound) version, borrowed. */
void sched_events_forgotten(struct scheduler *s, const struct pod *pod,
			    const char *node);

#endif
