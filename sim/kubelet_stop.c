/* kubelet_stop.c - stopping a container gracefully, and a pod's termination.
 *
 * K8S: pkg/kubelet/kuberuntime/kuberuntime_container.go (killContainer,
 * setTerminationGracePeriod, executePreStopHook), pkg/kubelet/lifecycle/
 * handlers.go (the exec, httpGet and sleep hook handlers), the CRI's
 * StopContainer (SIGTERM, then SIGKILL after the timeout) and
 * pkg/kubelet/pod_workers.go (calculateEffectiveGracePeriod,
 * syncTerminatingPod).
 *
 * Stopping a running container is upstream's killContainer, in order:
 *   1. a Normal Killing Event: "Stopping container web" when the pod
 *      terminates, or the prober's "Container web failed liveness probe,
 *      will be restarted";
 *   2. the grace period: the pod worker's override when the pod
 *      terminates; else the pod's deletionGracePeriodSeconds if it is
 *      being deleted, else the failing probe's terminationGracePeriodSeconds
 *      if set, else the pod's terminationGracePeriodSeconds;
 *   3. the preStop hook, if the container declares one and the grace
 *      period is above 0. An exec or httpGet hook runs for the image's
 *      preStop time (and fails, Warning FailedPreStopHook "PreStopHook
 *      failed", if the image says preStopFails); a sleep hook sleeps its
 *      seconds. The kubelet waits for the hook at most the grace period,
 *      and takes the whole seconds it waited off the grace period;
 *   4. what is left, but never less than 2 seconds (upstream's
 *      minimumGracePeriodInSeconds: a hook that used the whole period
 *      still leaves the process 2s), is the runtime's stop timeout: the
 *      process gets SIGTERM, and SIGKILL when the timeout ends.
 * What the process does with SIGTERM is the image's: exit after its
 * terminationDelay with sigtermExitCode (default 143, 128 + SIGTERM,
 * reason Error; 0 reads Completed), or ignore it (ignoresSigterm, or a
 * process hung since its livenessFailsAfter) and be SIGKILLed: exit code
 * 137, reason Error. A drain that outlasts the timeout is SIGKILLed too.
 *
 * The container runs, and stays ready as its readiness probe says, until
 * the process exits: a terminating pod leaves a Service's endpoints
 * because it has a deletionTimestamp, not because it turned unready (the
 * endpoints controller's rule, ctrl_endpoints_subsets.c). While the stop
 * is under way the container's own exit (crashAfter, completeAfter,
 * oomAfter) and its probes are no longer played out.
 *
 * A pod's termination (kubelet_stop_pod) stops every running container at
 * once with the pod worker's grace period: the deletion's
 * deletionGracePeriodSeconds (else the pod's terminationGracePeriodSeconds),
 * at least 1s; the eviction manager asks for 1s. When the last container
 * exited, kubelet_pod_stopped (kubelet_pod.c) writes the final status and
 * deletes the pod (or, evicted, leaves it Failed).
 *
 * Not modelled: upstream stops sidecar containers after the regular ones
 * (terminationOrdering); kubelab stops them all at once. A second delete
 * that shortens the grace period does not shorten a stop under way.
 *
 * Invariant: while ctr->stopping (only ever while RUNNING) ctr->timer is
 * the stop's next step (the hook's end, the process's exit or SIGKILL),
 * never the container's own exit, and no probe is pending.
 */
#include "kubelet_sim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* K8S: kuberuntime_container.go minimumGracePeriodInSeconds. */
#define KILL_MIN_GRACE_SECONDS 2
/* K8S: pod_workers.go calculateEffectiveGracePeriod: "always at least 1". */
#define POD_MIN_GRACE_SECONDS 1

static const struct clock *stop_clock(const struct kubelet_ctr *ctr)
{
	return &ctr->worker->kubelet->client->clock;
}

static ktime_t stop_now(const struct kubelet_ctr *ctr)
{
	return client_now(ctr->worker->kubelet->client);
}

/* K8S: setTerminationGracePeriod. */
static int64_t termination_grace(const struct kubelet_ctr *ctr,
				 enum kubelet_kill_reason reason)
{
	const struct pod *pod = ctr->worker->pod;
	if (object_is_deleting(&pod->obj))
		return pod->obj.meta.deletion_grace_period_seconds;
	const struct probe *probe = reason == KILL_LIVENESS ? &ctr->spec->liveness_probe :
		reason == KILL_STARTUP ? &ctr->spec->startup_probe : NULL;
	if (probe && probe->termination_grace_period_seconds.is_set)
		return probe->termination_grace_period_seconds.value;
	return ctr->worker->spec_pod->spec.termination_grace_period_seconds;
}

/* The preStop hook, if declared: how long it runs (*run) and whether it
 * can fail. K8S: lifecycle/handlers.go runs exec, httpGet or sleep. */
static bool pre_stop_hook(const struct kubelet_ctr *ctr, ktime_t *run, bool *fails)
{
	const struct lifecycle_handler *hook = &ctr->spec->lifecycle.pre_stop;
	*fails = false;
	if (hook->sleep_seconds.is_set) {
		*run = (ktime_t)hook->sleep_seconds.value * KTIME_SECOND;
		return true;
	}
	if (hook->exec.command.len || hook->http_get.path || hook->http_get.port.is_set) {
		*run = ctr->image->pre_stop;
		*fails = ctr->image->pre_stop_fails;
		return true;
	}
	return false;
}

/* A process hung since its liveness probe started failing does not act
 * on SIGTERM either (see kubelet_probe.c). */
static bool ignores_sigterm(const struct kubelet_ctr *ctr)
{
	ktime_t hung = ctr->image->liveness_fails_after;
	return ctr->image->ignores_sigterm ||
	       (hung > 0 && stop_now(ctr) - ctr->started_at >= hung);
}

/* The pod's last container exited: its termination is over. */
static void pod_check_stopped(struct kubelet_worker *worker)
{
	for (size_t i = 0; i < worker->len; i++)
		if (worker->ctrs[i].stopping)
			return;
	kubelet_pod_stopped(worker);
}

static void process_exited(struct kubelet_ctr *ctr, int32_t code, const char *reason)
{
	struct kubelet_worker *worker = ctr->worker;
	enum kubelet_kill_reason why = ctr->kill_reason;
	ctr->timer = 0;
	ctr->stopping = false;
	if (why != KILL_POD) {
		kubelet_container_exited(ctr, code, reason);	/* restarts */
		return;
	}
	kubelet_container_stop(ctr, code, reason);
	kubelet_status_mark_dirty(worker);
	if (!worker->stopping_all)
		pod_check_stopped(worker);
}

static void sigkilled(void *arg)
{
	process_exited(arg, 137, "Error");
}

static void sigterm_exit(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	int32_t code = ctr->image->sigterm_exit_code;
	process_exited(ctr, code, code ? "Error" : "Completed");
}

/* K8S: the CRI's StopContainer(timeout): SIGTERM now, SIGKILL at the end.
 * A process that exits on SIGTERM without draining is gone at once (no
 * timer: the stop completes within the sync that asked for it). */
static void send_sigterm(struct kubelet_ctr *ctr, int64_t timeout_seconds)
{
	ktime_t timeout = (ktime_t)timeout_seconds * KTIME_SECOND;
	ktime_t drain = ctr->image->termination_delay;
	if (ignores_sigterm(ctr) || drain >= timeout)
		ctr->timer = clock_after(stop_clock(ctr), timeout, sigkilled, ctr);
	else if (drain > 0)
		ctr->timer = clock_after(stop_clock(ctr), drain, sigterm_exit, ctr);
	else
		sigterm_exit(ctr);
}

/* The kubelet stopped waiting for the hook: it returned, or the grace
 * period ran out. The whole seconds waited come off the grace period. */
static void pre_stop_over(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ktime_t run = 0, grace = (ktime_t)ctr->stop_grace * KTIME_SECOND;
	bool fails;
	ctr->timer = 0;
	pre_stop_hook(ctr, &run, &fails);
	/* Upstream does not put the hook's output in the Event, so that no
	 * secret leaks; a hook cut off by the grace period records nothing. */
	if (fails && run <= grace)
		kubelet_pod_event(ctr->worker, "Warning", "FailedPreStopHook",
				  "PreStopHook failed");
	int64_t waited = (run < grace ? run : grace) / KTIME_SECOND;
	int64_t left = ctr->stop_grace - waited;
	send_sigterm(ctr, left < KILL_MIN_GRACE_SECONDS ? KILL_MIN_GRACE_SECONDS : left);
}

void kubelet_stop_container(struct kubelet_ctr *ctr, enum kubelet_kill_reason reason,
			    const char *message, int64_t grace_override)
{
	BUG_ON(ctr->phase != CTR_RUNNING);
	if (ctr->stopping)
		return;
	if (message)
		kubelet_pod_event(ctr->worker, "Normal", "Killing", "%s", message);
	else
		kubelet_pod_event(ctr->worker, "Normal", "Killing", "Stopping container %s",
				  ctr->spec->name);
	/* The process's own fate and its probes no longer play out. */
	if (ctr->timer)
		clock_cancel(stop_clock(ctr), ctr->timer);
	ctr->timer = 0;
	kubelet_probe_cancel(ctr);
	int64_t grace = grace_override >= 0 ? grace_override : termination_grace(ctr, reason);
	ctr->stopping = true;
	ctr->kill_reason = reason;
	ctr->stop_grace = grace > INT32_MAX ? INT32_MAX : (int32_t)grace;
	ktime_t run;
	bool fails;
	if (grace > 0 && pre_stop_hook(ctr, &run, &fails)) {
		ktime_t limit = (ktime_t)grace * KTIME_SECOND;
		ctr->timer = clock_after(stop_clock(ctr), run < limit ? run : limit,
					 pre_stop_over, ctr);
		return;
	}
	send_sigterm(ctr, grace < KILL_MIN_GRACE_SECONDS ? KILL_MIN_GRACE_SECONDS : grace);
}

void kubelet_stop_cancel(struct kubelet_ctr *ctr)
{
	/* Its timer is ctr->timer, which kubelet_container_cancel cancels. */
	ctr->stopping = false;
}

void kubelet_stop_pod(struct kubelet_worker *worker, int64_t grace_seconds)
{
	if (grace_seconds < POD_MIN_GRACE_SECONDS)
		grace_seconds = POD_MIN_GRACE_SECONDS;
	worker->terminating = true;
	/* Nothing starts any more: pulls and starts under way are dropped. */
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		if (ctr->phase != CTR_RUNNING)
			kubelet_container_cancel(ctr);
	}
	worker->starting = NULL;
	/* K8S: killContainersWithSyncResult: regular containers, then init
	 * containers (the sidecars), each its Killing Event. A probe kill
	 * under way becomes the pod's: no restart follows it. */
	worker->stopping_all = true;	/* exits now wait for the loop's end */
	for (size_t n = 0; n < worker->len; n++) {
		struct kubelet_ctr *ctr = &worker->ctrs[(n + worker->init_len) % worker->len];
		if (ctr->phase != CTR_RUNNING)
			continue;
		if (ctr->stopping)
			ctr->kill_reason = KILL_POD;
		else
			kubelet_stop_container(ctr, KILL_POD, NULL, grace_seconds);
	}
	worker->stopping_all = false;
	kubelet_status_mark_dirty(worker);
	pod_check_stopped(worker);	/* at once if nothing ran */
}
