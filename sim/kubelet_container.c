/* kubelet_container.c - one container's life: image, start, exit, restart.
 *
 * K8S: pkg/kubelet/kuberuntime/kuberuntime_container.go (startContainer:
 * ensure the image, create, start), kuberuntime_manager.go (doBackOff),
 * images/image_manager.go (EnsureImageExists and the pull back-off) and
 * client-go util/flowcontrol/backoff.go (the back-off itself).
 *
 * A container runs through
 *	WAITING -> [PULLING] -> CREATING -> RUNNING -> EXITED -> ...
 * Starting one is upstream's startContainer. First the image: with pull
 * policy IfNotPresent an image already on the node is used as is
 * ("Container image "web:v1" already present on machine"); otherwise the
 * node's puller fetches it in the image's pull time (kubelet_sim.c). Then
 * create and start take the image's start time, and the container runs.
 *
 * Running, the image behaviour (image.h) decides what happens:
 *   - startup and readiness (kubelet_probe.c): a container whose spec
 *     declares a startupProbe is `started` once the image answers it
 *     (startup_delay), or killed after failureThreshold failures; one
 *     with a readinessProbe becomes ready ready_after after it started
 *     (the scenario's readyAfter stands for the moment the probe first
 *     passes), never before it is started; without probes a container is
 *     started and ready as soon as it runs, as upstream;
 *   - crash_after: it exits with exit_code (reason Error);
 *   - complete_after: it exits 0 (reason Completed);
 *   - oom_after: with a memory limit, its usage passes the limit and the
 *     kernel kills it: exit code 137, reason OOMKilled. Without a limit
 *     nothing happens (node-level OOM is not modelled);
 *   - liveness_fails_after: its livenessProbe starts failing, and the
 *     prober (kubelet_probe.c) has the kubelet kill it.
 * Whichever comes first ends the instance.
 *
 * Restarts follow the pod's restartPolicy (Always; OnFailure: after a
 * failure only; Never), paced by upstream's back-off: a first exit is
 * restarted at once, and the back-off entry made then (10s) makes the next
 * exit wait: the container shows waiting reason CrashLoopBackOff ("back-off
 * 10s restarting failed container=web pod=web-abc_default(uid)"), a
 * Warning BackOff Event is recorded, and the delay doubles on each restart
 * up to 300s. The entry expires, so the next exit restarts at once again,
 * when more than twice the cap (10 minutes) passed between a restart and
 * the following exit. Upstream retries on its next pod sync after the
 * delay; kubelab restarts exactly when the delay ends.
 *
 * A pull that fails (pull_fails) records Failed "Failed to pull image ...",
 * Failed "Error: ErrImagePull" and the waiting reason ErrImagePull; a
 * moment later (the next PLEG relist, 1s) the kubelet looks again, finds
 * the pull back-off live and reports ImagePullBackOff; it pulls again when
 * the back-off (10s, doubling to 300s, counted from the failure) ends.
 *
 * Invariants: a container has a pending `timer` only while CREATING (the
 * start), RUNNING (its exit, or the next step of a stop: kubelet_stop.c)
 * or WAITING (a retry or back-off); it is in the
 * node's pull queue exactly while PULLING.
 */
#include "kubelet_sim.h"

#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "release.h"
#include "schema.h"
#include "xmalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static const struct clock *ctr_clock(const struct kubelet_ctr *ctr)
{
	return &ctr->worker->kubelet->client->clock;
}

static ktime_t ctr_now(const struct kubelet_ctr *ctr)
{
	return client_now(ctr->worker->kubelet->client);
}

static void set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void exit_clear(struct kubelet_exit *exit)
{
	free(exit->container_id);
	memset(exit, 0, sizeof(*exit));
}

static void waiting_clear(struct kubelet_ctr *ctr)
{
	free(ctr->waiting_reason);
	free(ctr->waiting_message);
	ctr->waiting_reason = ctr->waiting_message = NULL;
}

/* K8S: SetDefaults_Container: Always for ":latest" or no tag, else
 * IfNotPresent (decoded manifests carry it already). */
static const char *pull_policy(const struct container *spec, const char *image)
{
	if (spec->image_pull_policy && *spec->image_pull_policy)
		return spec->image_pull_policy;
	if (strchr(image, '@'))
		return "IfNotPresent";
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(slash ? slash : image, ':');
	return !colon || !strcmp(colon, ":latest") ? "Always" : "IfNotPresent";
}

static bool probe_declared(const struct probe *probe)
{
	return probe->exec.command.len || probe->http_get.path ||
	       probe->http_get.port.is_set || probe->tcp_socket.port.is_set ||
	       probe->period_seconds || probe->initial_delay_seconds;
}

/* A container ID as a CRI runtime reports it: "<runtime>://<64 hex>". */
static char *container_id_new(const struct kubelet_ctr *ctr)
{
	uint64_t h = kubelet_hash(ctr->worker->pod->obj.meta.uid, KUBELET_HASH_INIT);
	h = kubelet_hash(ctr->spec->name, h) ^ ctr->instances;
	uint64_t part[4];
	for (int i = 0; i < 4; i++)
		part[i] = h = (h ^ (uint64_t)(i + 1)) * 0x100000001b3ULL * 0x9e3779b97f4a7c15ULL;
	/* The 64 hex digits by hand: printf's format parsing showed in the
	 * cluster bench's profile (one ID per container start). */
	static const char prefix[] = "kubelab-sim://", digits[] = "0123456789abcdef";
	char *id = xmalloc(sizeof(prefix) + 64);
	memcpy(id, prefix, sizeof(prefix) - 1);
	char *at = id + sizeof(prefix) - 1;
	for (int i = 0; i < 4; i++)
		for (int shift = 60; shift >= 0; shift -= 4)
			*at++ = digits[(part[i] >> shift) & 15];
	*at = '\0';
	return id;
}

/* ---- back-off (K8S: client-go util/flowcontrol/backoff.go) --------------- */

/* After twice the cap without news an entry counts as expired. */
static bool backoff_expired(const struct kubelet_backoff *b, ktime_t event, ktime_t max)
{
	return event - b->updated > 2 * max;
}

/* Backoff.Next: start at initial, else double up to max. */
static void backoff_next(struct kubelet_backoff *b, ktime_t event, ktime_t now,
			 ktime_t initial, ktime_t max)
{
	if (!b->delay || backoff_expired(b, event, max))
		b->delay = initial;
	else
		b->delay = b->delay * 2 < max ? b->delay * 2 : max;
	b->updated = now;
}

/* Backoff.IsInBackOffSince(event): is now within the delay after event? */
static bool backoff_active_since(const struct kubelet_backoff *b, ktime_t event,
				 ktime_t now, ktime_t max)
{
	return b->delay && !backoff_expired(b, event, max) && now - event < b->delay;
}

/* Backoff.IsInBackOffSinceUpdate: within the delay after the last Next? */
static bool backoff_active(const struct kubelet_backoff *b, ktime_t now, ktime_t max)
{
	return b->delay && !backoff_expired(b, now, max) && now - b->updated < b->delay;
}

/* ---- starting ------------------------------------------------------------ */

void kubelet_container_init(struct kubelet_ctr *ctr, struct kubelet_worker *worker,
			    const struct container *spec, bool init)
{
	memset(ctr, 0, sizeof(*ctr));
	ctr->worker = worker;
	ctr->spec = spec;
	ctr->image = kubelet_image(worker->kubelet, spec->image);
	ctr->init = init;
	ctr->sidecar = init && spec->restart_policy && !strcmp(spec->restart_policy, "Always");
	ctr->has_readiness_probe = probe_declared(&spec->readiness_probe);
	ctr->has_liveness_probe = probe_declared(&spec->liveness_probe);
	ctr->has_startup_probe = probe_declared(&spec->startup_probe);
	ctr->phase = CTR_WAITING;
	ctr->due = true;
}

void kubelet_container_release(struct kubelet_ctr *ctr)
{
	waiting_clear(ctr);
	free(ctr->container_id);
	free(ctr->pull_error);
	exit_clear(&ctr->exit);
	exit_clear(&ctr->last_exit);
}

void kubelet_container_cancel(struct kubelet_ctr *ctr)
{
	const struct clock *clock = ctr_clock(ctr);
	if (ctr->timer)
		clock_cancel(clock, ctr->timer);
	if (ctr->ready_timer)
		clock_cancel(clock, ctr->ready_timer);
	ctr->timer = ctr->ready_timer = 0;
	kubelet_probe_cancel(ctr);
	kubelet_stop_cancel(ctr);
	if (ctr->phase == CTR_PULLING)
		kubelet_pull_cancel(ctr->worker->kubelet, ctr);
	/* A start that was under way did not happen. */
	if (ctr->phase == CTR_PULLING || ctr->phase == CTR_CREATING)
		ctr->phase = CTR_WAITING;
}

static void ctr_due(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ctr->timer = 0;
	ctr->due = true;
	kubelet_pod_sync(ctr->worker);
}

/* K8S: startContainer returning an error: "Error: <reason>" is recorded,
 * the reason and message become the container's waiting state, and the
 * pod worker tries again retry_after from now. */
static void ctr_start_failed(struct kubelet_ctr *ctr, const char *reason,
			     const char *message, ktime_t retry_after)
{
	struct kubelet_worker *worker = ctr->worker;
	kubelet_pod_event(worker, "Warning", "Failed", "Error: %s", reason);
	set_string(&ctr->waiting_reason, reason);
	set_string(&ctr->waiting_message, message);
	ctr->phase = CTR_WAITING;
	ctr->timer = clock_after(ctr_clock(ctr), retry_after, ctr_due, ctr);
	worker->starting = NULL;
	kubelet_status_mark_dirty(worker);
}

static void ctr_exit_timer(void *arg);

/* Whether the container has a memory limit: the cgroup the OOM killer
 * watches (K8S: the container's memory.max is its limits.memory). */
static bool has_memory_limit(const struct container *spec)
{
	const struct quantity *limit = resource_list_get(&spec->resources.limits, "memory");
	return limit && !quantity_is_zero(limit);
}

/* One way the process can end, if the image has it: after, code, reason. */
static void exit_consider(ktime_t when, int32_t code, const char *reason, ktime_t *after,
			  int32_t *out_code, const char **out_reason)
{
	if (when <= 0 || (*after && *after <= when))
		return;
	*after = when;
	*out_code = code;
	*out_reason = reason;
}

/* The image behaviour's exit, the soonest of: crash_after (exit_code,
 * Error), complete_after (0, Completed) and oom_after when the container
 * has a memory limit (the kernel's SIGKILL: 137, OOMKilled, as the runtime
 * reports a cgroup OOM kill). Without a limit the process may grow until
 * the node runs out, which kubelab does not model. On a tie the order
 * above wins. */
static bool ctr_exit_plan(const struct kubelet_ctr *ctr, ktime_t *after, int32_t *code,
			  const char **reason)
{
	const struct image_behavior *image = ctr->image;
	*after = 0;
	exit_consider(image->crash_after, image->exit_code,
		      image->exit_code ? "Error" : "Completed", after, code, reason);
	exit_consider(image->complete_after, 0, "Completed", after, code, reason);
	if (has_memory_limit(ctr->spec))
		exit_consider(image->oom_after, 137, "OOMKilled", after, code, reason);
	return *after > 0;
}

/* Created and started: K8S: startContainer steps 2 and 3. A container that
 * ran before is a new instance: restartCount goes up and the old instance
 * becomes lastState. */
static void ctr_started(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	struct kubelet_worker *worker = ctr->worker;
	const struct clock *clock = ctr_clock(ctr);
	ctr->timer = 0;
	if (ctr->exit.set) {
		exit_clear(&ctr->last_exit);
		ctr->last_exit = ctr->exit;
		memset(&ctr->exit, 0, sizeof(ctr->exit));
		ctr->restart_count++;
	}
	ctr->instances++;
	free(ctr->container_id);
	ctr->container_id = container_id_new(ctr);
	waiting_clear(ctr);
	kubelet_pod_event(worker, "Normal", "Created", "Created container: %s", ctr->spec->name);
	kubelet_pod_event(worker, "Normal", "Started", "Started container %s", ctr->spec->name);
	ctr->phase = CTR_RUNNING;
	ctr->started_at = ctr_now(ctr);
	ktime_t after;
	int32_t code;
	const char *reason;
	if (ctr_exit_plan(ctr, &after, &code, &reason))
		ctr->timer = clock_after(clock, after, ctr_exit_timer, ctr);
	kubelet_probe_start(ctr);
	/* A sidecar counts as initialised once it runs. */
	if (ctr->sidecar && (size_t)(ctr - worker->ctrs) == worker->init_done)
		worker->init_done++;
	worker->starting = NULL;
	kubelet_status_mark_dirty(worker);
	kubelet_pod_sync(worker);
}

static void ctr_create(struct kubelet_ctr *ctr)
{
	ctr->phase = CTR_CREATING;
	ctr->timer = clock_after(ctr_clock(ctr), ctr->image->start, ctr_started, ctr);
}

/* K8S: EnsureImageExists, then (on success) create and start. */
void kubelet_container_start(struct kubelet_ctr *ctr)
{
	struct kubelet_worker *worker = ctr->worker;
	struct kubelet *kubelet = worker->kubelet;
	const char *image = ctr->image->name;
	const char *policy = pull_policy(ctr->spec, image);
	bool present = kubelet_image_present(kubelet, image);
	ktime_t now = ctr_now(ctr);
	worker->starting = ctr;
	ctr->due = false;
	bool pull = !strcmp(policy, "Always") ||
		(!strcmp(policy, "IfNotPresent") && !present);
	if (!pull && present) {
		kubelet_pod_event(worker, "Normal", "Pulled",
				  "Container image \"%s\" already present on machine", image);
		ctr_create(ctr);
		return;
	}
	if (!pull) {
		char *message = xasprintf("Container image \"%s\" is not present with pull policy of Never",
					  image);
		kubelet_pod_event(worker, "Warning", "ErrImageNeverPull", "%s", message);
		ctr_start_failed(ctr, "ErrImageNeverPull", message, KUBELET_SYNC_RETRY_PERIOD);
		free(message);
		return;
	}
	struct kubelet_backoff *b = &ctr->pull_backoff;
	if (backoff_active(b, now, IMAGE_PULL_BACKOFF_MAX)) {
		kubelet_pod_event(worker, "Normal", "BackOff", "Back-off pulling image \"%s\"",
				  image);
		char *message = xasprintf("Back-off pulling image \"%s\": ErrImagePull: %s",
					  image, ctr->pull_error ? ctr->pull_error : "");
		ctr_start_failed(ctr, "ImagePullBackOff", message, b->updated + b->delay - now);
		free(message);
		return;
	}
	kubelet_pod_event(worker, "Normal", "Pulling", "Pulling image \"%s\"", image);
	ctr->phase = CTR_PULLING;
	ctr->pull_requested = now;
	kubelet_pull_enqueue(kubelet, ctr);
}

void kubelet_container_pull_done(struct kubelet_ctr *ctr, bool ok, ktime_t pulled_in)
{
	struct kubelet_worker *worker = ctr->worker;
	const char *image = ctr->image->name;
	ktime_t now = ctr_now(ctr);
	if (ok) {
		char in[DURATION_STR_MAX], waiting[DURATION_STR_MAX];
		duration_format(pulled_in, in, sizeof(in));
		duration_format(now - ctr->pull_requested, waiting, sizeof(waiting));
		kubelet_pod_event(worker, "Normal", "Pulled",
				  "Successfully pulled image \"%s\" in %s (%s including waiting). Image size: %lld bytes.",
				  image, in, waiting, (long long)quantity_value(&ctr->image->size));
		ctr_create(ctr);
		return;
	}
	/* A registry that does not know the image, in containerd's words. */
	free(ctr->pull_error);
	ctr->pull_error = xasprintf("rpc error: code = NotFound desc = failed to pull and unpack image \"%s\": failed to resolve reference \"%s\": %s: not found",
				    image, image, image);
	kubelet_pod_event(worker, "Warning", "Failed", "Failed to pull image \"%s\": %s", image,
			  ctr->pull_error);
	backoff_next(&ctr->pull_backoff, now, now, IMAGE_PULL_BACKOFF_INITIAL,
		     IMAGE_PULL_BACKOFF_MAX);
	ctr_start_failed(ctr, "ErrImagePull", ctr->pull_error, KUBELET_PLEG_RELIST_PERIOD);
	kubelet_pod_sync(worker);
}

/* ---- running and exiting ------------------------------------------------- */

static void ctr_exit_timer(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ktime_t after;
	int32_t code = 0;
	const char *reason = "Completed";
	ctr->timer = 0;
	ctr_exit_plan(ctr, &after, &code, &reason);
	kubelet_container_exited(ctr, code, reason);
}

bool kubelet_container_should_restart(const struct kubelet_ctr *ctr, int32_t code)
{
	const char *policy = kubelet_pod_restart_policy(ctr->worker);
	if (ctr->sidecar)
		return true;
	if (ctr->init)
		return code != 0 && strcmp(policy, "Never");
	return !strcmp(policy, "Always") || (!strcmp(policy, "OnFailure") && code != 0);
}

/* The back-off is over: move the entry on (Backoff.Next from the exit) and
 * let the worker start the container again. */
static void ctr_backoff_over(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ctr->timer = 0;
	backoff_next(&ctr->crash_backoff, ctr->exit.finished_at, ctr_now(ctr),
		     CRASH_LOOP_BACKOFF_INITIAL, CRASH_LOOP_BACKOFF_MAX);
	ctr->due = true;
	kubelet_pod_sync(ctr->worker);
}

/* K8S: doBackOff, judged from the exit time. */
static void ctr_plan_restart(struct kubelet_ctr *ctr)
{
	struct kubelet_worker *worker = ctr->worker;
	struct kubelet_backoff *b = &ctr->crash_backoff;
	ktime_t now = ctr_now(ctr), finished = ctr->exit.finished_at;
	if (!backoff_active_since(b, finished, now, CRASH_LOOP_BACKOFF_MAX)) {
		backoff_next(b, finished, now, CRASH_LOOP_BACKOFF_INITIAL, CRASH_LOOP_BACKOFF_MAX);
		ctr->due = true;
		return;
	}
	char delay[DURATION_STR_MAX];
	duration_format(b->delay, delay, sizeof(delay));
	/* K8S: format.Pod, "web-abc_default(uid)"; made when needed, not
	 * kept per pod. */
	const struct object_meta *meta = &worker->pod->obj.meta;
	char *full_name = xasprintf("%s_%s(%s)", meta->name, meta->namespace, meta->uid);
	kubelet_pod_event(worker, "Warning", "BackOff",
			  "Back-off restarting failed container %s in pod %s", ctr->spec->name,
			  full_name);
	free(ctr->waiting_message);
	ctr->waiting_message = xasprintf("back-off %s restarting failed container=%s pod=%s",
					 delay, ctr->spec->name, full_name);
	free(full_name);
	set_string(&ctr->waiting_reason, "CrashLoopBackOff");
	ctr->phase = CTR_WAITING;
	ctr->timer = clock_after(ctr_clock(ctr), finished + b->delay - now,
				 ctr_backoff_over, ctr);
}

void kubelet_container_stop(struct kubelet_ctr *ctr, int32_t code, const char *reason)
{
	kubelet_container_cancel(ctr);
	ctr->ready = false;
	ctr->started = false;
	exit_clear(&ctr->exit);
	ctr->exit = (struct kubelet_exit){
		.set = true, .exit_code = code, .reason = reason,
		.started_at = ctr->started_at, .finished_at = ctr_now(ctr),
		.container_id = ctr->container_id,
	};
	ctr->container_id = NULL;
	ctr->phase = CTR_EXITED;
}

void kubelet_container_exited(struct kubelet_ctr *ctr, int32_t code, const char *reason)
{
	struct kubelet_worker *worker = ctr->worker;
	kubelet_container_stop(ctr, code, reason);
	if (ctr->init && !ctr->sidecar && code == 0 &&
	    (size_t)(ctr - worker->ctrs) == worker->init_done)
		worker->init_done++;
	if (kubelet_container_should_restart(ctr, code))
		ctr_plan_restart(ctr);
	kubelet_pod_exited(worker);
}

/* ---- the pod going away and the node coming back ------------------------- */

void kubelet_container_mark_unknown(struct kubelet_ctr *ctr)
{
	if (ctr->phase == CTR_RUNNING || ctr->phase == CTR_EXITED)
		return;
	exit_clear(&ctr->exit);
	ctr->exit = (struct kubelet_exit){
		.set = true, .exit_code = 137, .reason = "ContainerStatusUnknown",
		.message = "The container could not be located when the pod was terminated",
	};
	waiting_clear(ctr);
	ctr->phase = CTR_EXITED;
}

void kubelet_container_reboot(struct kubelet_ctr *ctr, bool rerun_init)
{
	waiting_clear(ctr);
	memset(&ctr->crash_backoff, 0, sizeof(ctr->crash_backoff));
	memset(&ctr->pull_backoff, 0, sizeof(ctr->pull_backoff));
	ctr->due = !ctr->exit.set || (ctr->init && rerun_init) ||
		kubelet_container_should_restart(ctr, ctr->exit.exit_code);
}
