/* sched_waiting.h - waiting pods: pods a Permit plugin holds before binding.
 *
 * K8S: pkg/scheduler/framework/runtime/waiting_pods_map.go (waitingPod,
 * waitingPodsMap), framework/runtime/framework.go (RunPermitPlugins,
 * WaitOnPermit, IterateOverWaitingPods, GetWaitingPod, RejectWaitingPod),
 * staging/src/k8s.io/kube-scheduler/framework/interface.go (WaitingPod,
 * Handle).
 *
 * A Permit plugin may answer Wait with a timeout (sched_status_wait):
 * the pod has its node and is assumed there (the cache counts it), but
 * its binding cycle does not start. It waits until every plugin that said
 * Wait has allowed it, or until one rejects it, or until a plugin's
 * timeout passes. Plugins reach waiting pods through the framework handle
 * (the cycle state's `waiting`): another pod's Permit can allow the
 * pods held for it -- that is gang scheduling: hold each pod of a group
 * until enough of them have found a node, then let them all bind.
 *
 *   allowed by all  -> the binding cycle goes on: PreBind, bind, PostBind;
 *   rejected        -> Unreserve, the pod is forgotten by the cache, and
 *                      it fails as "0/1 nodes are available: 1 <message>.";
 *   timed out       -> the same, with "rejected due to timeout after
 *                      waiting 30s at plugin GangPermit".
 *
 * Upstream hands the verdict to the binding goroutine through a channel;
 * here a zero-delay timer does (so Allow and Reject never re-enter the
 * caller: a Permit hook may allow other pods safely). The first verdict
 * wins, as with upstream's one-slot channel. Upstream iterates its map in
 * random order; kubelab iterates in the order the pods began to wait.
 *
 * Ownership: struct sched_waiting_pods is embedded in the scheduler; each
 * waiting pod is owned by it until the verdict is handed over (done), then
 * by the binding cycle, which frees it with sched_waiting_pod_free.
 * Pointers a plugin gets are valid during its hook only.
 */
#ifndef KUBELAB_SCHED_WAITING_H
#define KUBELAB_SCHED_WAITING_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "sched_framework.h"

struct sched_waiting_pod;

/* Told when a waiting pod's wait is over: verdict is Success or
 * Unschedulable (with the rejecting plugin and message). */
typedef void (*sched_waiting_done_fn)(void *arg, struct sched_waiting_pod *wp,
				      const struct sched_status *verdict);

struct sched_waiting_pods {
	const struct clock *clock;
	sched_waiting_done_fn done;
	void *done_arg;
	struct sched_waiting_pod *head, *tail;	/* in arrival order */
};

/* One plugin a pod still waits for. */
struct sched_waiting_plugin {
	struct sched_waiting_pod *wp;
	const char *name;		/* the plugin's (static) name */
	ktime_t timeout;
	timer_id timer;			/* its timeout; 0 once allowed */
};

struct sched_waiting_pod {
	struct sched_waiting_pods *owner;
	void *binding;			/* the scheduler's; opaque here */
	const struct pod *pod;		/* borrowed from the binding */
	const char *node;		/* borrowed from the binding */
	size_t pending_len;
	struct sched_waiting_plugin pending[SCHED_PLUGIN_MAX];
	bool decided;			/* a verdict is on its way */
	struct sched_status verdict;
	timer_id wake;			/* hands the verdict to done */
	struct sched_waiting_pod *prev, *next;
};

/* ---- for plugins (sched_plugin_api.h) ---- */

/* K8S: Handle.GetWaitingPod: the waiting pod with this UID, or NULL. */
struct sched_waiting_pod *sched_waiting_pod_get(const struct sched_state *state,
						const char *uid);
/* K8S: Handle.IterateOverWaitingPods: fn for each waiting pod, in the
 * order they began to wait. fn may Allow or Reject any of them. */
void sched_waiting_pods_iterate(const struct sched_state *state,
				void (*fn)(struct sched_waiting_pod *wp, void *arg),
				void *arg);
/* K8S: WaitingPod.GetPod. */
const struct pod *sched_waiting_pod_pod(const struct sched_waiting_pod *wp);
/* K8S: WaitingPod.GetPendingPlugins: the i-th plugin still waited for,
 * or NULL past the end. */
const char *sched_waiting_pod_pending(const struct sched_waiting_pod *wp, size_t i);
/* K8S: WaitingPod.Allow: plugin no longer holds the pod; when no plugin
 * does, the binding cycle goes on. A no-op once a verdict was given. */
void sched_waiting_pod_allow(struct sched_waiting_pod *wp, const char *plugin);
/* K8S: WaitingPod.Reject: the pod fails with message (copied), rejected
 * by plugin ("" for none). A no-op once a verdict was given. */
void sched_waiting_pod_reject(struct sched_waiting_pod *wp, const char *plugin,
			      const char *message);

/* ---- for the scheduler ---- */

void sched_waiting_pods_init(struct sched_waiting_pods *w, const struct clock *clock,
			     sched_waiting_done_fn done, void *done_arg);
/* K8S: newWaitingPod + waitingPodsMap.add: pod (on node) waits for the
 * plugins in waits, each with its timeout armed now. pod and node are
 * borrowed and must outlive the waiting pod. */
struct sched_waiting_pod *sched_waiting_pods_add(struct sched_waiting_pods *w,
						 void *binding, const struct pod *pod,
						 const char *node,
						 const struct sched_permit_waits *waits);
/* Unlinks wp, cancels its timers and frees it. */
void sched_waiting_pod_free(struct sched_waiting_pod *wp);
/* K8S: RejectWaitingPod (the pod was deleted): rejects it with "removed".
 * Returns whether the pod was waiting. */
bool sched_waiting_pods_reject_uid(struct sched_waiting_pods *w, const char *uid);
/* How many pods wait now. */
size_t sched_waiting_pods_len(const struct sched_waiting_pods *w);

#endif
