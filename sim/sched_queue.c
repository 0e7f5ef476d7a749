/* sched_queue.c - the scheduling queue; see sched_queue.h for the model.
 *
 * activeQ and backoffQ are binary heaps of entry pointers; each entry
 * remembers its index so that a delete or a priority change is O(log n).
 * unschedulablePods is an array with swap-removal. A hash table maps uids
 * to entries wherever they are, in flight included.
 *
 * Where kubelab is simpler than upstream (see also sched.c's header):
 * a parked pod's own update moves it whenever its spec or metadata
 * changed (upstream asks the hints about the kind of update), events
 * seen while a pod is in flight are not replayed when it fails (the
 * scheduling cycle is instantaneous; only a binding takes time), backoff
 * expiries fire at their exact time (upstream polls every second), and a
 * pod is never popped from backoffQ early when activeQ is empty
 * (SchedulerPopFromBackoffQ).
 */
#include "sched_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "release.h"
#include "sched_framework.h"
#include "xmalloc.h"

/* K8S: wait.Until(flushUnschedulablePodsLeftover, 30*time.Second) */
#define UNSCHEDULABLE_FLUSH_PERIOD (30 * KTIME_SECOND)

struct pod_heap {
	struct sched_queued_pod **items;
	size_t len, cap;
	bool (*less)(const struct sched_queued_pod *a, const struct sched_queued_pod *b);
};

struct sched_queue {
	struct clock clock;
	void (*on_active)(void *arg);
	void *arg;
	struct hashmap pods;		/* uid -> entry, wherever it is */
	struct pod_heap active;
	struct pod_heap backoff;
	struct sched_queued_pod **parked;	/* unschedulablePods */
	size_t parked_len, parked_cap;
	uint64_t seq;
	timer_id backoff_timer;		/* fires at backoff_timer_at */
	ktime_t backoff_timer_at;
	timer_id flush_timer;
	/* K8S: wait.Until(flushUnschedulablePodsLeftover, 30s) ticks every
	 * 30 s from the queue's start; the timer keeps to that grid even
	 * though it is armed only while pods are parked. */
	ktime_t started;
};

static int64_t pod_priority(const struct pod *pod)
{
	return pod->spec.priority.is_set ? pod->spec.priority.value : 0;
}

/* LAB: sched-queue-order. K8S: PrioritySort.Less: higher priority first,
 * then the pod queued (or failed) earlier. */
static bool less_active(const struct sched_queued_pod *a,
			const struct sched_queued_pod *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp;
	return a->seq < b->seq;
}

static bool less_backoff(const struct sched_queued_pod *a,
			 const struct sched_queued_pod *b)
{
	if (a->backoff_expiration != b->backoff_expiration)
		return a->backoff_expiration < b->backoff_expiration;
	return a->seq < b->seq;
}

/* ---- heaps --------------------------------------------------------------- */

static void heap_set(struct pod_heap *h, size_t i, struct sched_queued_pod *qp)
{
	h->items[i] = qp;
	qp->pos = i;
}

static void heap_up(struct pod_heap *h, size_t i)
{
	struct sched_queued_pod *qp = h->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!h->less(qp, h->items[parent]))
			break;
		heap_set(h, i, h->items[parent]);
		i = parent;
	}
	heap_set(h, i, qp);
}

static void heap_down(struct pod_heap *h, size_t i)
{
	struct sched_queued_pod *qp = h->items[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->len)
			break;
		if (child + 1 < h->len && h->less(h->items[child + 1], h->items[child]))
			child++;
		if (!h->less(h->items[child], qp))
			break;
		heap_set(h, i, h->items[child]);
		i = child;
	}
	heap_set(h, i, qp);
}

static void heap_push(struct pod_heap *h, struct sched_queued_pod *qp)
{
	xgrow((void **)&h->items, &h->cap, h->len + 1, sizeof(*h->items));
	heap_set(h, h->len++, qp);
	heap_up(h, h->len - 1);
}

static void heap_remove(struct pod_heap *h, size_t i)
{
	BUG_ON(i >= h->len);
	struct sched_queued_pod *last = h->items[--h->len];
	if (i == h->len)
		return;
	heap_set(h, i, last);
	heap_down(h, i);
	heap_up(h, last->pos);
}

/* ---- timers -------------------------------------------------------------- */

static void flush_backoff(void *arg);
static void flush_parked(void *arg);

/* Keeps one timer at the earliest backoff expiry, none when empty. */
static void arm_backoff_timer(struct sched_queue *q)
{
	if (q->backoff.len == 0) {
		if (q->backoff_timer)
			clock_cancel(&q->clock, q->backoff_timer);
		q->backoff_timer = 0;
		return;
	}
	ktime_t at = q->backoff.items[0]->backoff_expiration;
	if (q->backoff_timer && q->backoff_timer_at == at)
		return;
	if (q->backoff_timer)
		clock_cancel(&q->clock, q->backoff_timer);
	ktime_t now = clock_now(&q->clock);
	q->backoff_timer_at = at;
	q->backoff_timer = clock_after(&q->clock, at > now ? at - now : 0,
				       flush_backoff, q);
}

static void arm_flush_timer(struct sched_queue *q)
{
	if (q->parked_len && !q->flush_timer) {
		/* The next tick of the 30 s grid (a tick due now has run). */
		ktime_t since = clock_now(&q->clock) - q->started;
		q->flush_timer = clock_after(&q->clock, UNSCHEDULABLE_FLUSH_PERIOD -
					     since % UNSCHEDULABLE_FLUSH_PERIOD,
					     flush_parked, q);
	} else if (!q->parked_len && q->flush_timer) {
		clock_cancel(&q->clock, q->flush_timer);
		q->flush_timer = 0;
	}
}

/* ---- moving entries ------------------------------------------------------ */

static void take_out(struct sched_queue *q, struct sched_queued_pod *qp)
{
	switch (qp->where) {
	case SCHED_QUEUE_ACTIVE:
		heap_remove(&q->active, qp->pos);
		break;
	case SCHED_QUEUE_BACKOFF:
		heap_remove(&q->backoff, qp->pos);
		arm_backoff_timer(q);
		break;
	case SCHED_QUEUE_UNSCHEDULABLE: {
		struct sched_queued_pod *last = q->parked[--q->parked_len];
		q->parked[qp->pos] = last;
		last->pos = qp->pos;
		arm_flush_timer(q);
		break;
	}
	case SCHED_QUEUE_IN_FLIGHT:
		break;
	}
}

static void to_active(struct sched_queue *q, struct sched_queued_pod *qp)
{
	if (!qp->initial_attempt_timestamp)
		qp->initial_attempt_timestamp = clock_now(&q->clock);
	qp->where = SCHED_QUEUE_ACTIVE;
	heap_push(&q->active, qp);
	q->on_active(q->arg);
}

static void to_backoff(struct sched_queue *q, struct sched_queued_pod *qp)
{
	qp->where = SCHED_QUEUE_BACKOFF;
	heap_push(&q->backoff, qp);
	arm_backoff_timer(q);
}

static void to_parked(struct sched_queue *q, struct sched_queued_pod *qp)
{
	xgrow((void **)&q->parked, &q->parked_cap, q->parked_len + 1, sizeof(*q->parked));
	qp->where = SCHED_QUEUE_UNSCHEDULABLE;
	qp->pos = q->parked_len;
	q->parked[q->parked_len++] = qp;
	arm_flush_timer(q);
}

/* LAB: sched-requeue. K8S: requeuePodWithQueueingStrategy with
 * queueAfterBackoff: wait out the rest of the penalty, if any. */
static void requeue(struct sched_queue *q, struct sched_queued_pod *qp)
{
	if (qp->backoff_expiration > clock_now(&q->clock))
		to_backoff(q, qp);
	else
		to_active(q, qp);
}

static void flush_backoff(void *arg)
{
	struct sched_queue *q = arg;
	q->backoff_timer = 0;
	ktime_t now = clock_now(&q->clock);
	while (q->backoff.len && q->backoff.items[0]->backoff_expiration <= now) {
		struct sched_queued_pod *qp = q->backoff.items[0];
		heap_remove(&q->backoff, 0);
		to_active(q, qp);
	}
	arm_backoff_timer(q);
}

/* Moves a parked pod to backoffQ or activeQ, noting why. */
static void unpark(struct sched_queue *q, struct sched_queued_pod *qp,
		   const char *by, const char *on)
{
	qp->moved_by = by;
	qp->moved_on = on;
	take_out(q, qp);
	requeue(q, qp);
}

/* K8S: flushUnschedulablePodsLeftover */
static void flush_parked(void *arg)
{
	struct sched_queue *q = arg;
	q->flush_timer = 0;
	ktime_t now = clock_now(&q->clock);
	for (size_t i = q->parked_len; i-- > 0;) {
		struct sched_queued_pod *qp = q->parked[i];
		if (now - qp->timestamp <= POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION)
			continue;
		unpark(q, qp, NULL, "UnschedulableTimeout");
	}
	arm_flush_timer(q);
}

/* ---- the interface ------------------------------------------------------- */

struct sched_queue *sched_queue_new(const struct clock *clock,
				    void (*on_active)(void *arg), void *arg)
{
	struct sched_queue *q = xcalloc(1, sizeof(*q));
	q->clock = *clock;
	q->on_active = on_active;
	q->arg = arg;
	q->active.less = less_active;
	q->backoff.less = less_backoff;
	/* Looked up by uid on every add, pop and done, and only ever
	 * iterated to free: word hashing (hashmap_set_unordered). */
	hashmap_set_unordered(&q->pods);
	q->started = clock_now(clock);
	return q;
}

static void entry_free(struct sched_queued_pod *qp)
{
	object_unref((struct object *)qp->pod);
	free(qp->uid);
	free(qp);
}

void sched_queue_free(struct sched_queue *q)
{
	if (!q)
		return;
	if (q->backoff_timer)
		clock_cancel(&q->clock, q->backoff_timer);
	if (q->flush_timer)
		clock_cancel(&q->clock, q->flush_timer);
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&q->pods, &pos, &key, &value);)
		entry_free(value);
	hashmap_release(&q->pods);
	free(q->active.items);
	free(q->backoff.items);
	free(q->parked);
	free(q);
}

static void set_pod(struct sched_queued_pod *qp, const struct pod *pod)
{
	if (qp->pod == pod)
		return;
	object_unref((struct object *)qp->pod);
	qp->pod = (const struct pod *)object_ref(&pod->obj);
	qp->priority = pod_priority(pod);
}

void sched_queue_add(struct sched_queue *q, const struct pod *pod)
{
	if (hashmap_get(&q->pods, pod->obj.meta.uid)) {
		sched_queue_update(q, NULL, pod);
		return;
	}
	struct sched_queued_pod *qp = xcalloc(1, sizeof(*qp));
	qp->uid = xstrdup(pod->obj.meta.uid);
	set_pod(qp, pod);
	qp->timestamp = clock_now(&q->clock);
	qp->seq = ++q->seq;
	hashmap_put(&q->pods, qp->uid, qp);
	to_active(q, qp);
}

/* K8S: isPodUpdated: did anything but status (and bookkeeping metadata)
 * change? Our own PodScheduled condition writes must not requeue. */
static bool pod_updated(const struct pod *old, const struct pod *pod)
{
	if (!old)
		return true;
	return !schema_equal(&pod_spec_schema, &old->spec, &pod->spec) ||
	       !strmap_equal(&old->obj.meta.labels, &pod->obj.meta.labels) ||
	       !strmap_equal(&old->obj.meta.annotations, &pod->obj.meta.annotations) ||
	       old->obj.meta.deletion_timestamp != pod->obj.meta.deletion_timestamp;
}

void sched_queue_update(struct sched_queue *q, const struct pod *old,
			const struct pod *pod)
{
	struct sched_queued_pod *qp = hashmap_get(&q->pods, pod->obj.meta.uid);
	if (!qp) {
		sched_queue_add(q, pod);
		return;
	}
	set_pod(qp, pod);
	switch (qp->where) {
	case SCHED_QUEUE_ACTIVE:
		heap_down(&q->active, qp->pos);	/* the priority may have changed */
		heap_up(&q->active, qp->pos);
		break;
	case SCHED_QUEUE_UNSCHEDULABLE:
		if (pod_updated(old, pod))
			unpark(q, qp, NULL, "UnscheduledPodUpdate");
		break;
	case SCHED_QUEUE_BACKOFF:
	case SCHED_QUEUE_IN_FLIGHT:
		break;
	}
}

void sched_queue_delete(struct sched_queue *q, const char *uid)
{
	struct sched_queued_pod *qp = hashmap_get(&q->pods, uid);
	if (!qp)
		return;
	if (qp->where == SCHED_QUEUE_IN_FLIGHT) {
		qp->deleted = true;
		return;
	}
	take_out(q, qp);
	hashmap_remove(&q->pods, uid);
	entry_free(qp);
}

struct sched_queued_pod *sched_queue_pop(struct sched_queue *q)
{
	if (!q->active.len)
		return NULL;
	struct sched_queued_pod *qp = q->active.items[0];
	heap_remove(&q->active, 0);
	qp->where = SCHED_QUEUE_IN_FLIGHT;
	qp->attempts++;
	return qp;
}

void sched_queue_done(struct sched_queue *q, struct sched_queued_pod *qp)
{
	BUG_ON(qp->where != SCHED_QUEUE_IN_FLIGHT);
	hashmap_remove(&q->pods, qp->uid);
	entry_free(qp);
}

ktime_t sched_queue_backoff(int attempts)
{
	if (attempts <= 0)
		return 0;	/* never tried: no penalty */
	ktime_t d = POD_INITIAL_BACKOFF;
	for (int i = 1; i < attempts; i++) {	/* LAB: sched-backoff */
		if (d > POD_MAX_BACKOFF - d)
			return POD_MAX_BACKOFF;
		d += d;
	}
	return d;
}

void sched_queue_failed(struct sched_queue *q, struct sched_queued_pod *qp,
			const struct pod *pod, bool rejected)
{
	BUG_ON(qp->where != SCHED_QUEUE_IN_FLIGHT);
	if (qp->deleted) {
		sched_queue_done(q, qp);
		return;
	}
	if (pod)
		set_pod(qp, pod);
	if (rejected) {
		qp->unschedulable_count++;
		qp->consecutive_errors_count = 0;
	} else {
		qp->consecutive_errors_count++;
	}
	qp->moved_by = qp->moved_on = NULL;
	qp->timestamp = clock_now(&q->clock);
	qp->seq = ++q->seq;
	qp->backoff_expiration = qp->timestamp + sched_queue_backoff(qp->attempts);
	if (rejected)
		to_parked(q, qp);	/* wait for the cluster to change */
	else
		requeue(q, qp);
}

void sched_queue_move_all(struct sched_queue *q)
{
	while (q->parked_len)
		unpark(q, q->parked[q->parked_len - 1], NULL, "WildCard");
}

size_t sched_queue_move_on(struct sched_queue *q, const struct sched_event *event,
			   const struct object *old_obj, const struct object *new_obj,
			   struct sched_cache *cache)
{
	size_t moved = 0;
	struct sched_hint_input in = {
		.old_obj = old_obj, .new_obj = new_obj, .cache = cache,
	};
	/* From the end: take_out swaps the last entry into the hole, and
	 * that one has been asked already. */
	for (size_t i = q->parked_len; i-- > 0;) {
		struct sched_queued_pod *qp = q->parked[i];
		const struct sched_plugin *by;
		in.pod = qp->pod;
		if (!sched_hints_worth_requeuing(qp->rejectors, event, &in, &by))
			continue;	/* QueueSkip: stays parked */
		unpark(q, qp, by ? by->name : NULL, event->label);
		moved++;
	}
	return moved;
}

const struct sched_queued_pod *sched_queue_get(const struct sched_queue *q,
					       const char *uid)
{
	return hashmap_get(&q->pods, uid);
}

size_t sched_queue_len(const struct sched_queue *q, enum sched_queue_where where)
{
	switch (where) {
	case SCHED_QUEUE_ACTIVE:
		return q->active.len;
	case SCHED_QUEUE_BACKOFF:
		return q->backoff.len;
	case SCHED_QUEUE_UNSCHEDULABLE:
		return q->parked_len;
	case SCHED_QUEUE_IN_FLIGHT:
		return q->pods.len - q->active.len - q->backoff.len - q->parked_len;
	}
	return 0;
}

static bool heap_ok(const struct pod_heap *h, enum sched_queue_where where,
		    const char *name)
{
	bool ok = true;
	for (size_t i = 0; i < h->len; i++) {
		if (h->items[i]->pos != i || h->items[i]->where != where) {
			fprintf(stderr, "sched queue: %s[%zu] misplaced\n", name, i);
			ok = false;
		}
		if (i && h->less(h->items[i], h->items[(i - 1) / 2])) {
			fprintf(stderr, "sched queue: %s[%zu] above its parent\n", name, i);
			ok = false;
		}
	}
	return ok;
}

bool sched_queue_check(const struct sched_queue *q)
{
	bool ok = heap_ok(&q->active, SCHED_QUEUE_ACTIVE, "activeQ") &&
		  heap_ok(&q->backoff, SCHED_QUEUE_BACKOFF, "backoffQ");
	for (size_t i = 0; i < q->parked_len; i++) {
		if (q->parked[i]->pos != i ||
		    q->parked[i]->where != SCHED_QUEUE_UNSCHEDULABLE) {
			fprintf(stderr, "sched queue: unschedulable[%zu] misplaced\n", i);
			ok = false;
		}
	}
	if (q->active.len + q->backoff.len + q->parked_len > q->pods.len) {
		fprintf(stderr, "sched queue: more queued than known\n");
		ok = false;
	}
	if (q->backoff.len && !q->backoff_timer) {
		fprintf(stderr, "sched queue: backoffQ without a timer\n");
		ok = false;
	}
	return ok;
}
