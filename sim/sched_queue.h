/* sched_queue.h - the scheduling queue: which pending pod goes next.
 *
 * K8S: pkg/scheduler/backend/queue/scheduling_queue.go (PriorityQueue),
 *      backend/queue/backoff_queue.go, framework/plugins/queuesort
 *      (PrioritySort).
 *
 * Pending pods wait in one of three places:
 *
 *   activeQ            ready to be tried, ordered by priority (highest
 *                      first), then by the time they were queued (oldest
 *                      first) -- the PrioritySort plugin's order;
 *   backoffQ           failed recently and waiting out a penalty before
 *                      going back to activeQ: 1s after the first attempt,
 *                      doubling per attempt up to 10s
 *                      (podInitialBackoffSeconds, podMaxBackoffSeconds);
 *   unschedulablePods  found to fit nowhere. Trying again is pointless
 *                      until the cluster changes, so they are parked until
 *                      an event that one of the plugins that rejected the
 *                      pod registered, and whose queueing hint says it may
 *                      help (sched_queueing_hints.h: a pod short of cpu
 *                      moves when a bound pod goes away, not when a node
 *                      gets a label); then it moves to backoffQ if its
 *                      penalty is still running, else to activeQ. A pod
 *                      parked for 5 minutes (podMaxInUnschedulablePods-
 *                      Duration, checked every 30s from the queue's
 *                      start) is moved anyway, in case an event was
 *                      missed: it retries 5:00 to 5:30 after parking.
 *
 * Popping a pod counts an attempt and makes it "in flight" until the
 * scheduler says how its cycle (and binding) ended: done (bound, or no
 * longer needs scheduling) or failed (rejected by plugins: park it;
 * failed otherwise, e.g. no nodes at all or a failed binding: back off).
 *
 * The queue drains through the clock: it arms one timer for the earliest
 * backoff expiry and, while pods are parked, one 30s flush timer, and
 * calls on_active whenever activeQ gains a pod. With nothing pending it
 * holds no timer, so an idle cluster lets the engine go idle.
 *
 * Ownership: the queue holds a reference to each queued pod's object and
 * owns every struct sched_queued_pod; a popped one stays valid until
 * sched_queue_done or sched_queue_failed.
 * Invariant (sched_queue_check): heap order in activeQ and backoffQ, and
 * every entry's position field names its slot.
 */
#ifndef KUBELAB_SCHED_QUEUE_H
#define KUBELAB_SCHED_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "clock.h"
#include "sched_queueing_hints.h"

enum sched_queue_where {
	SCHED_QUEUE_ACTIVE,
	SCHED_QUEUE_BACKOFF,
	SCHED_QUEUE_UNSCHEDULABLE,
	SCHED_QUEUE_IN_FLIGHT,		/* popped; the scheduler has it */
};

/* K8S: framework.QueuedPodInfo */
struct sched_queued_pod {
	const struct pod *pod;		/* reference; the latest version seen */
	char *uid;			/* owned; the queue's key */
	int64_t priority;		/* spec.priority, 0 when unset */
	ktime_t timestamp;		/* queued, or last failed: orders activeQ */
	ktime_t initial_attempt_timestamp;	/* first time in activeQ */
	int attempts;			/* times popped */
	int unschedulable_count;	/* failures by plugin rejection */
	int consecutive_errors_count;	/* failures for other reasons */
	ktime_t backoff_expiration;	/* timestamp + backoff(attempts) */
	/* K8S: UnschedulablePlugins: a bit per plugin id that rejected the
	 * pod in its last attempt, set by the scheduler before
	 * sched_queue_failed; 0: none (an error), any event moves it. */
	uint32_t rejectors;
	/* Why it last left the unschedulable pool, for explain: the plugin
	 * whose hint said Queue (NULL: none asked) and the event's label
	 * ("Pod/Delete", "UnschedulableTimeout"); NULL when it did not. */
	const char *moved_by, *moved_on;
	/* internal */
	uint64_t seq;			/* tie-break: arrival order */
	enum sched_queue_where where;
	size_t pos;			/* index in its heap or array */
	bool deleted;			/* deleted while in flight */
};

struct sched_queue;

/* on_active(arg) is called each time activeQ gains a pod, from inside the
 * call or timer that added it; it must not call back into the queue (the
 * scheduler's arms a timer). clock is copied. */
struct sched_queue *sched_queue_new(const struct clock *clock,
				    void (*on_active)(void *arg), void *arg);
/* Frees the queue, its entries (in flight too) and cancels its timers. */
void sched_queue_free(struct sched_queue *queue);

/* K8S: PriorityQueue.Add: a new pending pod goes to activeQ. */
void sched_queue_add(struct sched_queue *queue, const struct pod *pod);
/* K8S: PriorityQueue.Update: keeps the latest version; a parked pod whose
 * spec or metadata changed (status alone does not count) moves to
 * backoffQ or activeQ; a pod the queue does not know is added. */
void sched_queue_update(struct sched_queue *queue, const struct pod *old,
			const struct pod *pod);
/* K8S: PriorityQueue.Delete. An in-flight pod is only marked deleted. */
void sched_queue_delete(struct sched_queue *queue, const char *uid);

/* K8S: PriorityQueue.Pop, without blocking: the head of activeQ, or NULL
 * when activeQ is empty. Counts an attempt. */
struct sched_queued_pod *sched_queue_pop(struct sched_queue *queue);
/* The pod's cycle is over for good (bound, deleted, or assigned by
 * someone else): frees qp. */
void sched_queue_done(struct sched_queue *queue, struct sched_queued_pod *qp);
/* K8S: AddUnschedulableIfNotPresent. rejected: plugins found no node, so
 * park it; otherwise (an error) back off. pod, when not NULL, is the
 * latest version to keep. A pod deleted meanwhile is freed instead. */
void sched_queue_failed(struct sched_queue *queue, struct sched_queued_pod *qp,
			const struct pod *pod, bool rejected);

/* K8S: MoveAllToActiveOrBackoffQueue with a wildcard event: every parked
 * pod moves, whatever rejected it. */
void sched_queue_move_all(struct sched_queue *queue);
/* LAB: sched-requeue. K8S: MoveAllToActiveOrBackoffQueue(event, old, new):
 * each parked pod moves if sched_hints_worth_requeuing says so for its
 * rejectors. old/new_obj are the event's objects (borrowed), cache the
 * scheduler's (for the hints). Returns how many pods moved. */
size_t sched_queue_move_on(struct sched_queue *queue, const struct sched_event *event,
			   const struct object *old_obj, const struct object *new_obj,
			   struct sched_cache *cache);

/* K8S: calculateBackoffDuration: 0 before any attempt, then 1s, 2s, 4s,
 * 8s, 10s, 10s ... */
ktime_t sched_queue_backoff(int attempts);

const struct sched_queued_pod *sched_queue_get(const struct sched_queue *queue,
					       const char *uid);
size_t sched_queue_len(const struct sched_queue *queue, enum sched_queue_where where);

/* Checks heap order and positions; prints what broke and returns false. */
bool sched_queue_check(const struct sched_queue *queue);

#endif
