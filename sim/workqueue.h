/* workqueue.h - a controller's rate-limited work queue.
 *
 * K8S: k8s.io/client-go/util/workqueue. Watch handlers do not act: they add
 * the key ("namespace/name") of the object to reconcile. A key that is
 * already queued is not queued twice, so a burst of events causes one
 * reconcile. The queue drains through the clock: a zero-delay timer pops
 * keys and calls the controller's sync function. A sync that fails is
 * retried with per-key exponential backoff (5 ms doubling to 1000 s, as
 * client-go's DefaultControllerRateLimiter's per-item part).
 *
 * Ownership: the queue copies keys. workqueue_free drops pending work.
 */
#ifndef KUBELAB_WORKQUEUE_H
#define KUBELAB_WORKQUEUE_H

#include <stddef.h>

#include "clock.h"

struct workqueue;

/* Reconciles one key; returns 0 when done, -1 to retry with backoff. */
typedef int (*sync_fn)(void *arg, const char *key);

struct workqueue *workqueue_new(const struct clock *clock, const char *name,
				sync_fn sync, void *arg);
void workqueue_free(struct workqueue *queue);

void workqueue_add(struct workqueue *queue, const char *key);
void workqueue_add_after(struct workqueue *queue, const char *key, ktime_t delay);
size_t workqueue_len(const struct workqueue *queue);

#endif
