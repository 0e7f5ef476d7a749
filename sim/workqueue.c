/* workqueue.c - a deduplicating, rate-limited work queue; see workqueue.h.
 *
 * K8S: client-go/util/workqueue (queue.go, delaying_queue.go,
 * default_rate_limiters.go). The queue is FIFO over distinct keys; a key
 * popped for processing may be added again and will then be processed
 * again afterwards (upstream's "dirty" set). All processing happens in one
 * drain timer at the current time, so it never runs re-entrantly from a
 * watch handler.
 */
#include "workqueue.h"

#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "xmalloc.h"

#define BACKOFF_BASE (5 * KTIME_MS)
#define BACKOFF_MAX (1000 * KTIME_SECOND)

struct delayed_add {
	struct workqueue *queue;
	char *key;
	timer_id timer;
	struct delayed_add *next;
};

struct workqueue {
	struct clock clock;
	char *name;
	sync_fn sync;
	void *arg;
	char **keys;			/* FIFO ring of queued keys */
	size_t head, len, cap;
	struct hashmap queued;		/* key -> (void *)1 while queued */
	struct hashmap failures;	/* key -> (void *)(uintptr_t)count */
	timer_id drain_timer;
	struct delayed_add *delayed;	/* pending add_after timers */
};

static void drain(void *arg);

struct workqueue *workqueue_new(const struct clock *clock, const char *name,
				sync_fn sync, void *arg)
{
	struct workqueue *queue = xcalloc(1, sizeof(*queue));
	queue->clock = *clock;
	queue->name = xstrdup(name);
	queue->sync = sync;
	queue->arg = arg;
	/* Lookups only: the queue's order is its own list, not these. */
	hashmap_set_unordered(&queue->queued);
	hashmap_set_unordered(&queue->failures);
	return queue;
}

void workqueue_free(struct workqueue *queue)
{
	if (!queue)
		return;
	if (queue->drain_timer)
		clock_cancel(&queue->clock, queue->drain_timer);
	while (queue->delayed) {
		struct delayed_add *d = queue->delayed;
		queue->delayed = d->next;
		clock_cancel(&queue->clock, d->timer);
		free(d->key);
		free(d);
	}
	for (size_t i = 0; i < queue->len; i++)
		free(queue->keys[(queue->head + i) % queue->cap]);
	free(queue->keys);
	hashmap_release(&queue->queued);
	hashmap_release(&queue->failures);
	free(queue->name);
	free(queue);
}

size_t workqueue_len(const struct workqueue *queue)
{
	return queue->len;
}

static void push(struct workqueue *queue, const char *key)
{
	if (queue->len == queue->cap) {
		size_t cap = queue->cap ? queue->cap * 2 : 16;
		char **keys = xmalloc(cap * sizeof(*keys));
		for (size_t i = 0; i < queue->len; i++)
			keys[i] = queue->keys[(queue->head + i) % queue->cap];
		free(queue->keys);
		queue->keys = keys;
		queue->cap = cap;
		queue->head = 0;
	}
	queue->keys[(queue->head + queue->len++) % queue->cap] = xstrdup(key);
}

static char *pop(struct workqueue *queue)
{
	char *key = queue->keys[queue->head];
	queue->head = (queue->head + 1) % queue->cap;
	queue->len--;
	return key;
}

void workqueue_add(struct workqueue *queue, const char *key)
{
	/* One lookup: put tells whether the key was queued already. */
	if (hashmap_put(&queue->queued, key, (void *)1))
		return;
	push(queue, key);
	if (!queue->drain_timer)
		queue->drain_timer = clock_after(&queue->clock, 0, drain, queue);
}

static void fire_delayed(void *arg)
{
	struct delayed_add *d = arg;
	struct workqueue *queue = d->queue;
	for (struct delayed_add **p = &queue->delayed; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			break;
		}
	}
	workqueue_add(queue, d->key);
	free(d->key);
	free(d);
}

void workqueue_add_after(struct workqueue *queue, const char *key, ktime_t delay)
{
	if (delay <= 0) {
		workqueue_add(queue, key);
		return;
	}
	struct delayed_add *d = xcalloc(1, sizeof(*d));
	d->queue = queue;
	d->key = xstrdup(key);
	d->next = queue->delayed;
	queue->delayed = d;
	d->timer = clock_after(&queue->clock, delay, fire_delayed, d);
}

/* K8S: ItemExponentialFailureRateLimiter: base * 2^failures, capped. */
static ktime_t backoff(struct workqueue *queue, const char *key)
{
	uintptr_t failures = (uintptr_t)hashmap_get(&queue->failures, key);
	hashmap_put(&queue->failures, key, (void *)(failures + 1));
	ktime_t delay = BACKOFF_BASE;
	for (uintptr_t i = 0; i < failures && delay < BACKOFF_MAX; i++)
		delay *= 2;
	return delay < BACKOFF_MAX ? delay : BACKOFF_MAX;
}

/* Processes the keys queued when the drain started; keys added meanwhile
 * get the next drain, so one busy key cannot starve the loop. */
static void drain(void *arg)
{
	struct workqueue *queue = arg;
	queue->drain_timer = 0;
	size_t batch = queue->len;
	for (size_t i = 0; i < batch && queue->len; i++) {
		char *key = pop(queue);
		hashmap_remove(&queue->queued, key);
		if (queue->sync(queue->arg, key) == 0)
			hashmap_remove(&queue->failures, key);	/* K8S: Forget */
		else
			workqueue_add_after(queue, key, backoff(queue, key));
		free(key);
	}
	if (queue->len && !queue->drain_timer)
		queue->drain_timer = clock_after(&queue->clock, 0, drain, queue);
}
