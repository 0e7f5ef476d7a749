/* kubelet_probe.c - the startup, readiness and liveness probers, and the
 * kills a failing probe leads to.
 *
 * K8S: pkg/kubelet/prober/worker.go (one worker per container and probe:
 * probes every periodSeconds once initialDelaySeconds passed, counts
 * consecutive results against failureThreshold; liveness and readiness
 * workers skip their probes until the container has started),
 * prober/prober.go (the Warning Unhealthy Event "<Kind> probe failed:
 * <output>" on every failed probe), prober/prober_manager.go
 * (UpdatePodStatus: `started` from the startup result, `ready` only once
 * started) and kuberuntime/kuberuntime_manager.go (computePodActions kills
 * a container whose liveness or startup result is Failure: Normal Killing
 * "Container web failed liveness probe, will be restarted"; the kill
 * itself, preStop hook, SIGTERM and SIGKILL, is kubelet_stop.c).
 *
 * A real probe asks the process; a simulated one asks the image behaviour:
 *   - startup: the probe fails until startup_delay after the container
 *     started, and passes from then on. Until it passes the container is
 *     not `started` (containerStatuses[].started false) and neither
 *     liveness nor readiness is probed. At failureThreshold consecutive
 *     failures (failureThreshold x periodSeconds of a slow start) the
 *     kubelet kills the container: Killing "Container web failed startup
 *     probe, will be restarted";
 *   - readiness: a container that declares a readinessProbe becomes ready
 *     ready_after after it started (the moment the probe first passes),
 *     but not before it started: upstream triggers a readiness probe at
 *     once when the startup probe passes. Without a readinessProbe it is
 *     ready as soon as it started, as upstream. From
 *     readiness_fails_after (after the start) the probe fails, until
 *     readiness_recovers_after if set: each failure is a Warning
 *     Unhealthy "Readiness probe failed: ...", and at failureThreshold
 *     failures in a row the container turns not ready (the pod's
 *     ContainersReady and Ready go False, its endpoints move to
 *     notReadyAddresses). Nothing is killed: readiness only steers
 *     traffic. From the first tick at or after readiness_recovers_after
 *     the probe passes, and at successThreshold passes in a row the
 *     container is ready again;
 *   - liveness: the probe passes until liveness_fails_after after the
 *     container started, and fails from then on.
 * A probe the spec does not declare has no worker and never fails. The
 * probes run at start + initialDelaySeconds + k * periodSeconds (k = 0, 1,
 * ...): upstream's worker ticks every period from when it was created,
 * with a random first delay after a kubelet restart; kubelab has no
 * jitter, so the ticks are exact. Passing probes change nothing visible,
 * so only the failing ones and the first passing startup probe are
 * scheduled.
 *
 * The output in the Event follows the probe's handler. A hung server (a
 * failing liveness probe) answers: an httpGet probe reads "HTTP probe
 * failed with statuscode: 500". A server that is not up yet (a failing
 * startup probe) refuses the connection: "Get \"http://<podIP>:<port>
 * <path>\": dial tcp <podIP>:<port>: connect: connection refused". A
 * tcpSocket probe reads "dial tcp <podIP>:<port>: connect: connection
 * refused" either way, an exec probe the command's output, which a
 * simulated command does not have (empty).
 *
 * After a kill the prober's worker holds until the container is a new
 * instance. kubelab's images model a process that fails its liveness
 * probe as hung: it ignores SIGTERM, so the SIGKILL at the end of the
 * grace period ends it, exit code 137, reason Error (kubelet_stop.c). The
 * grace period is the probe's terminationGracePeriodSeconds if set, else
 * the pod's. The container then restarts per the pod's restartPolicy,
 * with the usual CrashLoopBackOff back-off (kubelet_container.c). If the
 * image's own exit (crash, completion, OOM kill) comes sooner, it wins.
 *
 * Invariant: ctr->probe_timer is pending only while the container runs
 * and no stop is under way: the next startup probe, or the next failing
 * liveness probe. kubelet_container_cancel cancels it. ctr->ready_timer
 * likewise: the first passing readiness probe, or the next readiness
 * probe of a failure window.
 */
#include "kubelet_sim.h"

#include <stdlib.h>

#include "xmalloc.h"

/* K8S: v1.Probe defaults (SetDefaults_Probe). */
#define PROBE_DEFAULT_PERIOD_SECONDS 10
#define PROBE_DEFAULT_FAILURE_THRESHOLD 3

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

/* "<ip>:<port>" as Go's dialer prints it. Upstream resolves a named port
 * to its number; kubelab prints the name. Caller frees. */
static char *host_port(const struct kubelet_ctr *ctr, const struct int_or_string *port)
{
	const char *ip = ctr->worker->pod_ip ? ctr->worker->pod_ip : "";
	if (port->is_string)
		return xasprintf("%s:%s", ip, port->str_value);
	return xasprintf("%s:%d", ip, port->int_value);
}

/* What the failed probe reports, by handler (K8S: probe/http, tcp, exec).
 * refused: nothing listens yet (a slow start), else the server answers
 * but is unhealthy. Caller frees. */
static char *probe_output(const struct kubelet_ctr *ctr, const struct probe *probe,
			  bool refused)
{
	if (probe->http_get.path || probe->http_get.port.is_set) {
		if (!refused)
			return xstrdup("HTTP probe failed with statuscode: 500");
		char *addr = host_port(ctr, &probe->http_get.port);
		const char *path = probe->http_get.path ? probe->http_get.path : "";
		char *out = xasprintf("Get \"http://%s%s%s\": dial tcp %s: connect: connection refused",
				      addr, *path == '/' || !*path ? "" : "/", path, addr);
		free(addr);
		return out;
	}
	if (probe->tcp_socket.port.is_set) {
		char *addr = host_port(ctr, &probe->tcp_socket.port);
		char *out = xasprintf("dial tcp %s: connect: connection refused", addr);
		free(addr);
		return out;
	}
	return xstrdup("");
}

/* The first probe tick at or after `at` (from the container's start):
 * ticks are at initialDelaySeconds + k * periodSeconds. */
static ktime_t first_tick_at_or_after(const struct probe *probe, ktime_t at)
{
	ktime_t delay = (ktime_t)probe->initial_delay_seconds * KTIME_SECOND;
	ktime_t period = probe_period(probe);
	if (at <= delay)
		return delay;
	return delay + (at - delay + period - 1) / period * period;
}

/* The time since the container started. */
static ktime_t since_start(const struct kubelet_ctr *ctr)
{
	return client_now(ctr->worker->kubelet->client) - ctr->started_at;
}

/* ---- liveness ------------------------------------------------------------ */

/* One failing liveness probe: K8S: worker.doProbe with result Failure. */
static void liveness_failed(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	const struct probe *probe = &ctr->spec->liveness_probe;
	ctr->probe_timer = 0;
	char *output = probe_output(ctr, probe, false);
	kubelet_pod_event(ctr->worker, "Warning", "Unhealthy", "Liveness probe failed: %s",
			  output);
	free(output);
	if (++ctr->probe_failures < probe_failure_threshold(probe)) {
		ctr->probe_timer = clock_after(probe_clock(ctr), probe_period(probe),
					       liveness_failed, ctr);
		return;
	}
	/* The result turns Failure: the pod worker syncs at once and
	 * computePodActions kills the container, to start it again. */
	char *message = xasprintf("Container %s failed liveness probe, will be restarted",
				  ctr->spec->name);
	kubelet_stop_container(ctr, KILL_LIVENESS, message, -1);
	free(message);
}

/* Arms the liveness worker's first failing probe, if the image stops
 * answering and the spec has a livenessProbe. The probes before the
 * container started do not count (the worker skips them). */
static void liveness_arm(struct kubelet_ctr *ctr)
{
	ktime_t fails = ctr->image->liveness_fails_after;
	if (!ctr->has_liveness_probe || fails <= 0)
		return;
	ktime_t now = since_start(ctr);
	ktime_t first = first_tick_at_or_after(&ctr->spec->liveness_probe,
					       fails > now ? fails : now);
	ctr->probe_failures = 0;
	ctr->probe_timer = clock_after(probe_clock(ctr), first - now, liveness_failed, ctr);
}

/* ---- readiness ----------------------------------------------------------- */

static int32_t probe_success_threshold(const struct probe *probe)
{
	return probe->success_threshold > 0 ? probe->success_threshold : 1;
}

static void set_ready(struct kubelet_ctr *ctr, bool ready)
{
	if (ctr->ready == ready)
		return;
	ctr->ready = ready;
	kubelet_status_mark_dirty(ctr->worker);
}

/* Whether the image fails its readiness probe at `at` after the start. */
static bool readiness_failing_at(const struct image_behavior *image, ktime_t at)
{
	ktime_t fails = image->readiness_fails_after, recovers = image->readiness_recovers_after;
	return fails > 0 && at >= fails && (recovers <= fails || at < recovers);
}

/* One readiness probe in or after the failure window. K8S:
 * worker.doProbe: the result flips only after failureThreshold failures,
 * or successThreshold passes, in a row (readiness_streak counts either). */
static void readiness_probe(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	const struct probe *probe = &ctr->spec->readiness_probe;
	ctr->ready_timer = 0;
	if (!readiness_failing_at(ctr->image, since_start(ctr))) {
		if (ctr->readiness_streak > 0)
			ctr->readiness_streak = 0;
		if (--ctr->readiness_streak <= -probe_success_threshold(probe)) {
			set_ready(ctr, true);	/* LAB: readiness-flap */
			return;			/* the window is over */
		}
	} else {
		char *output = probe_output(ctr, probe, false);
		kubelet_pod_event(ctr->worker, "Warning", "Unhealthy",
				  "Readiness probe failed: %s", output);
		free(output);
		if (ctr->readiness_streak < 0)
			ctr->readiness_streak = 0;
		if (++ctr->readiness_streak >= probe_failure_threshold(probe))
			set_ready(ctr, false);
	}
	ctr->ready_timer = clock_after(probe_clock(ctr), probe_period(probe),
				       readiness_probe, ctr);
}

/* The container is ready: if the image's readiness probe fails later,
 * schedules the first failing probe. */
static void readiness_window_arm(struct kubelet_ctr *ctr)
{
	ktime_t fails = ctr->image->readiness_fails_after;
	if (!ctr->has_readiness_probe || fails <= 0)
		return;
	ktime_t now = since_start(ctr);
	ktime_t first = first_tick_at_or_after(&ctr->spec->readiness_probe,
					       fails > now ? fails : now);
	ctr->readiness_streak = 0;
	ctr->ready_timer = clock_after(probe_clock(ctr), first - now, readiness_probe, ctr);
}

static void ready_timer(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ctr->ready_timer = 0;
	set_ready(ctr, true);
	readiness_window_arm(ctr);
}

/* The container has started: ready now, or when the readiness probe
 * first passes (ready_after from the start). */
static void readiness_arm(struct kubelet_ctr *ctr)
{
	ktime_t now = since_start(ctr);
	if (!ctr->has_readiness_probe || ctr->image->ready_after <= now) {
		set_ready(ctr, true);
		readiness_window_arm(ctr);
		return;
	}
	ctr->ready_timer = clock_after(probe_clock(ctr), ctr->image->ready_after - now,
				       ready_timer, ctr);
}

/* ---- startup ------------------------------------------------------------- */

static void container_started(struct kubelet_ctr *ctr)
{
	ctr->started = true;
	kubelet_status_mark_dirty(ctr->worker);
	readiness_arm(ctr);
	liveness_arm(ctr);
}

/* One startup probe: it passes once startup_delay has gone by. */
static void startup_probe(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	const struct probe *probe = &ctr->spec->startup_probe;
	ctr->probe_timer = 0;
	if (since_start(ctr) >= ctr->image->startup_delay) {
		container_started(ctr);
		return;
	}
	char *output = probe_output(ctr, probe, true);
	kubelet_pod_event(ctr->worker, "Warning", "Unhealthy", "Startup probe failed: %s",
			  output);
	free(output);
	if (++ctr->probe_failures < probe_failure_threshold(probe)) {
		ctr->probe_timer = clock_after(probe_clock(ctr), probe_period(probe),
					       startup_probe, ctr);
		return;
	}
	char *message = xasprintf("Container %s failed startup probe, will be restarted",
				  ctr->spec->name);
	kubelet_stop_container(ctr, KILL_STARTUP, message, -1);
	free(message);
}

void kubelet_probe_start(struct kubelet_ctr *ctr)
{
	ctr->probe_failures = 0;
	ctr->started = false;
	if (!ctr->has_startup_probe) {
		container_started(ctr);
		return;
	}
	ctr->probe_timer = clock_after(probe_clock(ctr),
				       first_tick_at_or_after(&ctr->spec->startup_probe, 0),
				       startup_probe, ctr);
}

void kubelet_probe_cancel(struct kubelet_ctr *ctr)
{
	if (ctr->probe_timer)
		clock_cancel(probe_clock(ctr), ctr->probe_timer);
	ctr->probe_timer = 0;
}
