/* ctrl_drain.h - `kubectl drain NODE`: cordon, then evict the node's pods
 * through the Eviction API, retrying the ones a budget refuses.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/drain (Helper: GetPodsForDeletion,
 * the pod filters, evictPods, waitForDelete) and
 * staging/src/k8s.io/kubectl/pkg/cmd/drain (the command and its output).
 *
 * Interface: drain_start, drain_done, drain_free. A drain lives on the
 * clock (retries and polls are timers) and says what kubectl would print
 * through a callback, one line at a time.
 * Ownership: the caller owns the drain and frees it (which cancels what is
 * still pending); the client and the callback's argument must outlive it.
 */
#ifndef KUBELAB_CTRL_DRAIN_H
#define KUBELAB_CTRL_DRAIN_H

#include <stdbool.h>

#include "client.h"

struct drain;

/* One line of kubectl's output, about obj (the node or a pod; borrowed,
 * the node once the pod is gone). warning: kubectl prints it on stderr. */
typedef void drain_say_fn(void *arg, const struct object *obj, bool warning,
			  const char *line);

/* Starts `kubectl drain NODE --ignore-daemonsets --delete-emptydir-data
 * --force` through client: cordons the node, then evicts every pod bound
 * to it except DaemonSet-managed and mirror pods, all at once; an eviction
 * a PodDisruptionBudget refuses is retried every 5 s; an evicted pod is
 * waited for (polled every second) until it is gone. Returns the drain,
 * already finished if the node had nothing to evict. Never NULL. */
struct drain *drain_start(const struct client *client, const char *node,
			  drain_say_fn *say, void *arg);

/* Whether every pod has been evicted and is gone, or given up on. */
bool drain_done(const struct drain *drain);

/* Cancels what is pending and frees drain (NULL is fine). */
void drain_free(struct drain *drain);

#endif
