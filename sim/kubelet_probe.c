/* kubelet_probe.c - the liveness prober, and the kill a failing probe leads to.
 *
 * K8S: pkg/kubelet/prober/worker.go (one worker per container and probe:
 * probes every periodSeconds once initialDelaySeconds passed, counts
 * consecutive results against failureThreshold), prober/prober.go (the
 * Warning Unhealthy Event "Liveness probe failed: <output>" on every
 * failed probe) and kuberuntime/kuberuntime_manager.go (computePodActions
 * kills a container whose liveness result is Failure: Normal Killing
 * "Container web failed liveness probe, will be restarted"; killContainer
 * sends SIGTERM and, after the grace period, SIGKILL).
 *
 * A real probe asks the process; a simulated one asks the image behaviour:
 * the probe passes until liveness_fails_after after the container started,
 * and fails from then on. Only a container whose spec declares a
 * livenessProbe is probed (without one upstream has no liveness worker,
 * and nothing happens). The probes run at start + initialDelaySeconds +
 * k * periodSeconds (k = 0, 1, ...): upstream's worker ticks every period
 * from when it was created, with a random first delay after a kubelet
 * restart; kubelab has no jitter, so the ticks are exact. Passing probes
 * change nothing visible, so only the failing ones are scheduled.
 *
 * The output in the Event follows the probe's handler: an httpGet probe
 * reads "HTTP probe failed with statuscode: 500", a tcpSocket probe
 * "dial tcp <podIP>:<port>: connect: connection refused", an exec probe
 * the command's output, which a simulated command does not have (empty).
 *
 * At failureThreshold consecutive failures the kubelet kills the
 * container (the prober's worker then holds until the container is a new
 * instance). kubelab's images model a process that fails its liveness
 * probe as hung: it ignores SIGTERM, so the runtime sends SIGKILL when the
 * grace period ends and the container terminates with exit code 137,
 * reason Error. The grace period is the probe's terminationGracePeriodSeconds
 * if set, else the pod's (default 30s), at least 2s (killContainer's
 * minimum). The container then restarts per the pod's restartPolicy, with
 * the usual CrashLoopBackOff back-off (kubelet_container.c). If the image's
 * own exit (crash, completion, OOM kill) comes sooner, it wins.
 *
 * Invariant: ctr->probe_timer is pending only while the container runs:
 * the next failing probe, or (ctr->killing) the SIGKILL at the end of the
 * grace period. kubelet_container_cancel cancels it.
 */
#include "kubelet_sim.h"

#include <stdlib.h>

#include "xmalloc.h"

/* K8S: v1.Probe defaults (SetDefaults_Probe). */
#define PROBE_DEFAULT_PERIOD_SECONDS 10
#define PROBE_DEFAULT_FAILURE_THRESHOLD 3
/* K8S: kuberuntime_container.go minimumGracePeriodInSeconds. */
#define KILL_MIN_GRACE_SECONDS 2

static const struct clock *probe_clock(const struct kubelet_ctr *ctr)
{
	return &ctr->worker->kubelet->client->clock;
}

static ktime_t probe_period(const struct probe *probe)
{
	int32_t seconds = probe->period_seconds > 0 ? probe->period_seconds
						     : PROBE_DEFAULT_PERIOD_SECONDS;
	return (ktime_t)seconds * KTIME_SECOND;
}

static int32_t probe_failure_threshold(const struct probe *probe)
{
	return probe->failure_threshold > 0 ? probe->failure_threshold
					    : PROBE_DEFAULT_FAILURE_THRESHOLD;
}

/* What the failed probe reports, by handler (K8S: probe/http, tcp, exec).
 * Caller frees. */
static char *probe_output(const struct kubelet_ctr *ctr, const struct probe *probe)
{
	if (probe->http_get.path || probe->http_get.port.is_set)
		return xstrdup("HTTP probe failed with statuscode: 500");
	if (probe->tcp_socket.port.is_set) {
		const struct int_or_string *port = &probe->tcp_socket.port;
		const char *ip = ctr->worker->pod_ip ? ctr->worker->pod_ip : "";
		/* Upstream resolves a named port to its number; kubelab
		 * prints the name. */
		if (port->is_string)
			return xasprintf("dial tcp %s:%s: connect: connection refused", ip,
					 port->str_value);
		return xasprintf("dial tcp %s:%d: connect: connection refused", ip,
				 port->int_value);
	}
	return xstrdup("");
}

/* K8S: killContainer's grace period for reasonLivenessProbe. */
static ktime_t kill_grace(const struct kubelet_ctr *ctr)
{
	const struct probe *probe = &ctr->spec->liveness_probe;
	int64_t seconds = probe->termination_grace_period_seconds.is_set ?
		probe->termination_grace_period_seconds.value :
		ctr->worker->spec_pod->spec.termination_grace_period_seconds;
	if (seconds < KILL_MIN_GRACE_SECONDS)
		seconds = KILL_MIN_GRACE_SECONDS;
	return (ktime_t)seconds * KTIME_SECOND;
}

/* The grace period is over and the hung process is SIGKILLed. */
static void probe_killed(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ctr->probe_timer = 0;
	ctr->killing = false;
	kubelet_container_exited(ctr, 137, "Error");
}

/* One failing liveness probe: K8S: worker.doProbe with result Failure. */
static void probe_failed(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	const struct probe *probe = &ctr->spec->liveness_probe;
	ctr->probe_timer = 0;
	char *output = probe_output(ctr, probe);
	kubelet_pod_event(ctr->worker, "Warning", "Unhealthy", "Liveness probe failed: %s",
			  output);
	free(output);
	if (++ctr->probe_failures < probe_failure_threshold(probe)) {
		ctr->probe_timer = clock_after(probe_clock(ctr), probe_period(probe),
					       probe_failed, ctr);
		return;
	}
	/* The result turns Failure: the pod worker syncs at once and
	 * computePodActions kills the container, to start it again. */
	kubelet_pod_event(ctr->worker, "Normal", "Killing",
			  "Container %s failed liveness probe, will be restarted",
			  ctr->spec->name);
	ctr->killing = true;
	ctr->probe_timer = clock_after(probe_clock(ctr), kill_grace(ctr), probe_killed, ctr);
}

void kubelet_probe_start(struct kubelet_ctr *ctr)
{
	const struct probe *probe = &ctr->spec->liveness_probe;
	ktime_t fails = ctr->image->liveness_fails_after;
	ctr->probe_failures = 0;
	ctr->killing = false;
	if (!ctr->has_liveness_probe || fails <= 0)
		return;
	/* The first tick at or after the moment the probe starts failing. */
	ktime_t delay = (ktime_t)probe->initial_delay_seconds * KTIME_SECOND;
	ktime_t period = probe_period(probe);
	ktime_t first = delay;
	if (fails > delay)
		first += (fails - delay + period - 1) / period * period;
	ctr->probe_timer = clock_after(probe_clock(ctr), first, probe_failed, ctr);
}

void kubelet_probe_cancel(struct kubelet_ctr *ctr)
{
	if (ctr->probe_timer)
		clock_cancel(probe_clock(ctr), ctr->probe_timer);
	ctr->probe_timer = 0;
	ctr->killing = false;
}
