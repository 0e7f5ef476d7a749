/* kubelet_pod.c - the pod worker: from a bound pod to running containers.
 *
 * K8S: pkg/kubelet/pod_workers.go (one worker per pod), kubelet.go
 * (HandlePodAdditions, syncPod, syncTerminatingPod), kuberuntime/
 * kuberuntime_manager.go (SyncPod, computePodActions, doBackOff),
 * kuberuntime_container.go (startContainer, killContainer) and
 * images/image_manager.go (EnsureImageExists).
 *
 * A pod bound to this node goes through, in order:
 *   1. admission (kubelet_admit.c): a pod that does not fit is Failed;
 *   2. the sandbox: the pod gets its IP and startTime;
 *   3. init containers, one at a time, each to exit 0 before the next;
 *   4. the regular containers, one after the other, as upstream's SyncPod
 *      loop starts them: ensure the image (pull unless present), create,
 *      start.
 * A container's image behaviour (image.h) then decides its life: ready
 * ready_after after it starts when the pod declares a readinessProbe (the
 * scenario's readyAfter stands for the moment the probe first passes;
 * without a probe a container is ready once started), exiting with
 * exit_code after crash_after, exiting 0 after complete_after.
 *
 * Restarts follow the pod's restartPolicy (Always; OnFailure: only a
 * failure; Never) with upstream's container back-off (K8S: flowcontrol.
 * Backoff keyed by pod and container). A container that exits is
 * restarted at once the first time; while a back-off entry is live, the
 * next restart waits its delay, 10s, then 20s, 40s, 80s, 160s and 300s
 * from then on, shown as waiting reason CrashLoopBackOff. The entry
 * expires, and the next exit restarts at once again, when more than 10
 * minutes (twice the 300s cap) passed between the restart and the exit.
 *
 * Image pulls that fail (pull_fails) report ErrImagePull, then on the
 * kubelet's next look (a PLEG relist, 1s later) ImagePullBackOff, and pull
 * again when the pull back-off (10s doubling to 300s) expires.
 *
 * Deletion: a pod with a deletionTimestamp has its running containers
 * stopped (Killing "Stopping container web"). kubelab's containers exit at
 * once, with code 0, on SIGTERM rather than using their grace period. The
 * worker then writes the final status (terminal phase) and deletes the pod
 * with grace period 0, as upstream's status manager does once nothing
 * runs any more.
 *
 * Not modelled: liveness and startup probes, lifecycle hooks, spec changes
 * of a running pod (upstream restarts a container whose image changed),
 * ephemeral containers.
 *
 * Invariants: worker->starting is the only container of the worker in
 * CTR_PULLING or CTR_CREATING; a container has a pending `timer` only in
 * CTR_CREATING, CTR_RUNNING (its exit) or CTR_WAITING (a retry); a
 * terminal worker has no pending container timer.
 */
#include "kubelet_sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "release.h"
#include "xmalloc.h"

static void worker_sync(struct kubelet_worker *worker);
static void ctr_exit(struct kubelet_ctr *ctr, int32_t code, const char *reason);

/* ---- small helpers ------------------------------------------------------- */

static const struct clock *worker_clock(const struct kubelet_worker *worker)
{
	return &worker->kubelet->client->clock;
}

static ktime_t worker_now(const struct kubelet_worker *worker)
{
	return client_now(worker->kubelet->client);
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

/* An Event about the container's pod; upstream's also names the container
 * in involvedObject.fieldPath (spec.containers{web}). */
static void pod_event(const struct kubelet_worker *worker, const char *type,
		      const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void pod_event(const struct kubelet_worker *worker, const char *type,
		      const char *reason, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = NULL;
	if (vasprintf(&message, fmt, ap) < 0)
		BUG_ON(1);
	va_end(ap);
	client_event(worker->kubelet->client, &worker->pod->obj, type, reason, "%s", message);
	free(message);
}

static const char *restart_policy(const struct kubelet_worker *worker)
{
	const char *policy = worker->spec_pod->spec.restart_policy;	/* immutable */
	return policy && *policy ? policy : "Always";
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
	uint64_t h = kubelet_hash(ctr->worker->uid, KUBELET_HASH_INIT);
	h = kubelet_hash(ctr->spec->name, h) ^ ctr->instances;
	uint64_t part[4];
	for (int i = 0; i < 4; i++)
		part[i] = h = (h ^ (uint64_t)(i + 1)) * 0x100000001b3ULL * 0x9e3779b97f4a7c15ULL;
	return xasprintf("kubelab-sim://%016llx%016llx%016llx%016llx",
			 (unsigned long long)part[0], (unsigned long long)part[1],
			 (unsigned long long)part[2], (unsigned long long)part[3]);
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

/* ---- containers: starting ------------------------------------------------ */

static void ctr_cancel(struct kubelet_ctr *ctr)
{
	const struct clock *clock = worker_clock(ctr->worker);
	if (ctr->timer)
		clock_cancel(clock, ctr->timer);
	if (ctr->ready_timer)
		clock_cancel(clock, ctr->ready_timer);
	ctr->timer = ctr->ready_timer = 0;
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
	worker_sync(ctr->worker);
}

/* K8S: startContainer returning an error: "Error: <reason>" is recorded,
 * the reason and message become the container's waiting state, and the
 * pod worker tries again retry_after from now. */
static void ctr_start_failed(struct kubelet_ctr *ctr, const char *reason,
			     const char *message, ktime_t retry_after)
{
	struct kubelet_worker *worker = ctr->worker;
	pod_event(worker, "Warning", "Failed", "Error: %s", reason);
	set_string(&ctr->waiting_reason, reason);
	set_string(&ctr->waiting_message, message);
	ctr->phase = CTR_WAITING;
	ctr->timer = clock_after(worker_clock(worker), retry_after, ctr_due, ctr);
	worker->starting = NULL;
	kubelet_status_mark_dirty(worker);
}

static void ctr_exit_timer(void *arg);
static void ctr_ready_timer(void *arg);

/* The image behaviour's exit: the sooner of crash_after and complete_after. */
static bool ctr_exit_plan(const struct kubelet_ctr *ctr, ktime_t *after, int32_t *code)
{
	const struct image_behavior *image = ctr->image;
	bool crash = image->crash_after > 0 &&
		(!image->complete_after || image->crash_after <= image->complete_after);
	if (crash) {
		*after = image->crash_after;
		*code = image->exit_code;
	} else if (image->complete_after > 0) {
		*after = image->complete_after;
		*code = 0;
	}
	return crash || image->complete_after > 0;
}

/* Created and started: K8S: startContainer steps 2 and 3. A container that
 * ran before is a new instance: restartCount goes up and the old instance
 * becomes lastState. */
static void ctr_started(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	struct kubelet_worker *worker = ctr->worker;
	ktime_t now = worker_now(worker);
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
	free(ctr->waiting_reason);
	free(ctr->waiting_message);
	ctr->waiting_reason = ctr->waiting_message = NULL;
	pod_event(worker, "Normal", "Created", "Created container: %s", ctr->spec->name);
	pod_event(worker, "Normal", "Started", "Started container %s", ctr->spec->name);
	ctr->phase = CTR_RUNNING;
	ctr->started_at = now;
	const struct clock *clock = worker_clock(worker);
	if (!ctr->has_readiness_probe || ctr->image->ready_after <= 0)
		ctr->ready = true;
	else
		ctr->ready_timer = clock_after(clock, ctr->image->ready_after,
					       ctr_ready_timer, ctr);
	ktime_t after;
	int32_t code;
	if (ctr_exit_plan(ctr, &after, &code))
		ctr->timer = clock_after(clock, after, ctr_exit_timer, ctr);
	/* A sidecar counts as initialised once it runs. */
	if (ctr->sidecar && (size_t)(ctr - worker->ctrs) == worker->init_done)
		worker->init_done++;
	worker->starting = NULL;
	kubelet_status_mark_dirty(worker);
	worker_sync(worker);
}

static void ctr_create(struct kubelet_ctr *ctr)
{
	ctr->phase = CTR_CREATING;
	ctr->timer = clock_after(worker_clock(ctr->worker), ctr->image->start,
				 ctr_started, ctr);
}

/* K8S: EnsureImageExists, then (on success) create and start. */
static void ctr_start(struct kubelet_ctr *ctr)
{
	struct kubelet_worker *worker = ctr->worker;
	struct kubelet *kubelet = worker->kubelet;
	const char *image = ctr->image->name;
	const char *policy = pull_policy(ctr->spec, image);
	bool present = kubelet_image_present(kubelet, image);
	ktime_t now = worker_now(worker);
	worker->starting = ctr;
	ctr->due = false;
	bool pull = !strcmp(policy, "Always") ||
		(!strcmp(policy, "IfNotPresent") && !present);
	if (!pull && present) {
		pod_event(worker, "Normal", "Pulled",
			  "Container image \"%s\" already present on machine", image);
		ctr_create(ctr);
		return;
	}
	if (!pull) {
		char *message = xasprintf("Container image \"%s\" is not present with pull policy of Never",
					  image);
		pod_event(worker, "Warning", "ErrImageNeverPull", "%s", message);
		ctr_start_failed(ctr, "ErrImageNeverPull", message, KUBELET_SYNC_RETRY_PERIOD);
		free(message);
		return;
	}
	struct kubelet_backoff *b = &ctr->pull_backoff;
	if (backoff_active(b, now, IMAGE_PULL_BACKOFF_MAX)) {
		pod_event(worker, "Normal", "BackOff", "Back-off pulling image \"%s\"", image);
		char *message = xasprintf("Back-off pulling image \"%s\": ErrImagePull: %s",
					  image, ctr->pull_error ? ctr->pull_error : "");
		ctr_start_failed(ctr, "ImagePullBackOff", message, b->updated + b->delay - now);
		free(message);
		return;
	}
	pod_event(worker, "Normal", "Pulling", "Pulling image \"%s\"", image);
	ctr->phase = CTR_PULLING;
	ctr->pull_requested = now;
	kubelet_pull_enqueue(kubelet, ctr);
}

void kubelet_pod_pull_done(struct kubelet_ctr *ctr, bool ok, ktime_t pulled_in)
{
	struct kubelet_worker *worker = ctr->worker;
	const char *image = ctr->image->name;
	ktime_t now = worker_now(worker);
	if (ok) {
		char in[DURATION_STR_MAX], waiting[DURATION_STR_MAX];
		duration_format(pulled_in, in, sizeof(in));
		duration_format(now - ctr->pull_requested, waiting, sizeof(waiting));
		pod_event(worker, "Normal", "Pulled",
			  "Successfully pulled image \"%s\" in %s (%s including waiting). Image size: 0 bytes.",
			  image, in, waiting);
		ctr_create(ctr);
		return;
	}
	/* A registry that does not know the image, in containerd's words. */
	free(ctr->pull_error);
	ctr->pull_error = xasprintf("rpc error: code = NotFound desc = failed to pull and unpack image \"%s\": failed to resolve reference \"%s\": %s: not found",
				    image, image, image);
	pod_event(worker, "Warning", "Failed", "Failed to pull image \"%s\": %s", image,
		  ctr->pull_error);
	backoff_next(&ctr->pull_backoff, now, now, IMAGE_PULL_BACKOFF_INITIAL,
		     IMAGE_PULL_BACKOFF_MAX);
	ctr_start_failed(ctr, "ErrImagePull", ctr->pull_error, KUBELET_PLEG_RELIST_PERIOD);
	worker_sync(worker);
}

/* ---- containers: running and exiting ------------------------------------- */

static void ctr_ready_timer(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ctr->ready_timer = 0;
	ctr->ready = true;
	kubelet_status_mark_dirty(ctr->worker);
}

static void ctr_exit_timer(void *arg)
{
	struct kubelet_ctr *ctr = arg;
	ktime_t after;
	int32_t code = 0;
	ctr->timer = 0;
	ctr_exit_plan(ctr, &after, &code);
	ctr_exit(ctr, code, code ? "Error" : "Completed");
}

static bool ctr_should_restart(const struct kubelet_ctr *ctr, int32_t code)
{
	const char *policy = restart_policy(ctr->worker);
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
	struct kubelet_worker *worker = ctr->worker;
	ctr->timer = 0;
	backoff_next(&ctr->crash_backoff, ctr->exit.finished_at, worker_now(worker),
		     CRASH_LOOP_BACKOFF_INITIAL, CRASH_LOOP_BACKOFF_MAX);
	ctr->due = true;
	worker_sync(worker);
}

/* K8S: doBackOff, judged from the exit time. */
static void ctr_plan_restart(struct kubelet_ctr *ctr)
{
	struct kubelet_worker *worker = ctr->worker;
	struct kubelet_backoff *b = &ctr->crash_backoff;
	ktime_t now = worker_now(worker), finished = ctr->exit.finished_at;
	if (!backoff_active_since(b, finished, now, CRASH_LOOP_BACKOFF_MAX)) {
		backoff_next(b, finished, now, CRASH_LOOP_BACKOFF_INITIAL, CRASH_LOOP_BACKOFF_MAX);
		ctr->due = true;
		return;
	}
	char delay[DURATION_STR_MAX];
	duration_format(b->delay, delay, sizeof(delay));
	pod_event(worker, "Warning", "BackOff",
		  "Back-off restarting failed container %s in pod %s", ctr->spec->name,
		  worker->full_name);
	free(ctr->waiting_message);
	ctr->waiting_message = xasprintf("back-off %s restarting failed container=%s pod=%s",
					 delay, ctr->spec->name, worker->full_name);
	set_string(&ctr->waiting_reason, "CrashLoopBackOff");
	ctr->phase = CTR_WAITING;
	ctr->timer = clock_after(worker_clock(worker), finished + b->delay - now,
				 ctr_backoff_over, ctr);
}

/* The running instance ends: it becomes the container's exit record. */
static void ctr_stop(struct kubelet_ctr *ctr, int32_t code, const char *reason)
{
	ctr_cancel(ctr);
	ctr->ready = false;
	exit_clear(&ctr->exit);
	ctr->exit = (struct kubelet_exit){
		.set = true, .exit_code = code, .reason = reason,
		.started_at = ctr->started_at, .finished_at = worker_now(ctr->worker),
		.container_id = ctr->container_id,
	};
	ctr->container_id = NULL;
	ctr->phase = CTR_EXITED;
}

static void worker_finish(struct kubelet_worker *worker);

static void ctr_exit(struct kubelet_ctr *ctr, int32_t code, const char *reason)
{
	struct kubelet_worker *worker = ctr->worker;
	ctr_stop(ctr, code, reason);
	if (ctr->init && !ctr->sidecar && code == 0 &&
	    (size_t)(ctr - worker->ctrs) == worker->init_done)
		worker->init_done++;
	if (ctr_should_restart(ctr, code))
		ctr_plan_restart(ctr);
	kubelet_status_mark_dirty(worker);
	const char *phase = kubelet_status_phase(worker, false);
	if (!strcmp(phase, POD_PHASE_SUCCEEDED) || !strcmp(phase, POD_PHASE_FAILED))
		worker_finish(worker);
	else
		worker_sync(worker);
}

/* ---- the worker ---------------------------------------------------------- */

/* The next container the sync loop should start: the init container in
 * progress (init containers go one by one), else a sidecar or regular
 * container that is due, in spec order. */
static struct kubelet_ctr *next_to_start(struct kubelet_worker *worker)
{
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		bool startable = ctr->due && (ctr->phase == CTR_WAITING ||
					      ctr->phase == CTR_EXITED);
		if (i < worker->init_len && i >= worker->init_done)
			return startable ? ctr : NULL;
		if (startable)
			return ctr;
	}
	return NULL;
}

/* K8S: SyncPod's start loop: one container at a time, each through image,
 * create and start, before the next. */
static void worker_sync(struct kubelet_worker *worker)
{
	while (worker->kubelet->up && !worker->terminal && !worker->delete_sent &&
	       !worker->starting) {
		struct kubelet_ctr *ctr = next_to_start(worker);
		if (!ctr)
			return;
		ctr_start(ctr);
	}
}

static void worker_release(struct kubelet_worker *worker)
{
	if (worker->counted)
		kubelet_admit_count(worker->kubelet, worker, -1);
	kubelet_ip_release(worker->kubelet, worker->ip_slot);
	worker->ip_slot = -1;
}

static void worker_cancel(struct kubelet_worker *worker)
{
	for (size_t i = 0; i < worker->len; i++)
		ctr_cancel(&worker->ctrs[i]);
	worker->starting = NULL;
}

/* The pod reached Succeeded or Failed: nothing runs or restarts any more
 * (sidecars still running are stopped), and its requests and address are
 * free for others. The pod stays in the API until someone deletes it. */
static void worker_finish(struct kubelet_worker *worker)
{
	worker_cancel(worker);
	for (size_t i = 0; i < worker->len; i++)
		if (worker->ctrs[i].phase == CTR_RUNNING)
			ctr_stop(&worker->ctrs[i], 0, "Completed");
	worker->terminal = true;
	worker_release(worker);
	kubelet_status_mark_dirty(worker);
}

/* K8S: status_manager TerminatePod: a container that never got to run
 * when its pod is torn down is reported terminated, exit code 137. */
static void ctr_mark_unknown(struct kubelet_ctr *ctr)
{
	if (ctr->phase == CTR_RUNNING || ctr->phase == CTR_EXITED)
		return;
	exit_clear(&ctr->exit);
	ctr->exit = (struct kubelet_exit){
		.set = true, .exit_code = 137, .reason = "ContainerStatusUnknown",
		.message = "The container could not be located when the pod was terminated",
	};
	free(ctr->waiting_reason);
	ctr->waiting_reason = NULL;
	ctr->phase = CTR_EXITED;
}

/* K8S: killContainersWithSyncResult: a Killing Event per running
 * container, regular containers first, then init containers (sidecars). */
static void worker_kill_events(const struct kubelet_worker *worker)
{
	for (size_t n = 0; n < worker->len; n++) {
		const struct kubelet_ctr *ctr = &worker->ctrs[(n + worker->init_len) % worker->len];
		if (ctr->phase == CTR_RUNNING)
			pod_event(worker, "Normal", "Killing", "Stopping container %s",
				  ctr->spec->name);
	}
}

/* K8S: syncTerminatingPod (kill every container), then the status
 * manager's final write and delete with grace period 0. */
static void worker_terminate(struct kubelet_worker *worker)
{
	const struct client *client = worker->kubelet->client;
	worker->delete_sent = true;
	if (worker->admitted && !worker->terminal) {
		worker_kill_events(worker);
		worker_cancel(worker);
		for (size_t i = 0; i < worker->len; i++) {
			struct kubelet_ctr *ctr = &worker->ctrs[i];
			if (ctr->phase == CTR_RUNNING)
				ctr_stop(ctr, 0, "Completed");
			ctr_mark_unknown(ctr);
		}
		worker->terminal = true;
		worker_release(worker);
		kubelet_status_flush(worker);
	}
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = 0;
	client_delete(client, KIND_POD, worker->pod->obj.meta.namespace,
		      worker->pod->obj.meta.name, &options, NULL);
}

/* Admission, then the sandbox: the pod gets its address and start time. */
static void worker_start(struct kubelet_worker *worker)
{
	struct kubelet *kubelet = worker->kubelet;
	char *reason = NULL, *message = NULL;
	if (!kubelet_admit(kubelet, worker, &reason, &message)) {
		/* K8S: kubelet.rejectPod */
		pod_event(worker, "Warning", reason, "%s", message);
		worker->terminal = true;
		worker->reject_reason = reason;
		worker->reject_message = xasprintf("Pod was rejected: %s", message);
		free(message);
		kubelet_status_mark_dirty(worker);
		return;
	}
	worker->admitted = true;
	kubelet_admit_count(kubelet, worker, +1);
	worker->start_time = worker_now(worker);
	worker->pod_ip = kubelet_ip_alloc(kubelet, &worker->ip_slot);
	kubelet_status_mark_dirty(worker);
	worker_sync(worker);
}

static struct kubelet_worker *worker_new(struct kubelet *kubelet, const struct pod *pod)
{
	struct kubelet_worker *worker = xcalloc(1, sizeof(*worker));
	const struct pod_spec *spec = &pod->spec;
	worker->kubelet = kubelet;
	worker->uid = xstrdup(pod->obj.meta.uid);
	worker->pod = (struct pod *)object_ref(&pod->obj);
	worker->spec_pod = (struct pod *)object_ref(&pod->obj);
	worker->full_name = xasprintf("%s_%s(%s)", pod->obj.meta.name,
				      pod->obj.meta.namespace, pod->obj.meta.uid);
	worker->ip_slot = -1;
	worker->init_len = spec->init_containers.len;
	worker->len = worker->init_len + spec->containers.len;
	worker->ctrs = xcalloc(worker->len ? worker->len : 1, sizeof(*worker->ctrs));
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		bool init = i < worker->init_len;
		ctr->worker = worker;
		ctr->spec = init ? &spec->init_containers.items[i]
				 : &spec->containers.items[i - worker->init_len];
		ctr->image = kubelet_image(kubelet, ctr->spec->image);
		ctr->init = init;
		ctr->sidecar = init && ctr->spec->restart_policy &&
			       !strcmp(ctr->spec->restart_policy, "Always");
		ctr->has_readiness_probe = probe_declared(&ctr->spec->readiness_probe);
		ctr->phase = CTR_WAITING;
		ctr->due = true;
	}
	hashmap_put(&kubelet->pods, worker->uid, worker);
	return worker;
}

static void worker_free(struct kubelet_worker *worker)
{
	struct kubelet *kubelet = worker->kubelet;
	worker_cancel(worker);
	if (worker->flush_timer)
		clock_cancel(&kubelet->client->clock, worker->flush_timer);
	worker_release(worker);
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		free(ctr->waiting_reason);
		free(ctr->waiting_message);
		free(ctr->container_id);
		free(ctr->pull_error);
		exit_clear(&ctr->exit);
		exit_clear(&ctr->last_exit);
	}
	free(worker->ctrs);
	free(worker->reject_reason);
	free(worker->reject_message);
	free(worker->pod_ip);
	free(worker->full_name);
	object_unref(&worker->pod->obj);
	object_unref(&worker->spec_pod->obj);
	free(worker->uid);
	free(worker);
}

/* Containers point into the latest version of their pod, so that a
 * kubelet keeps one copy of each pod, not the first version too. A pod's
 * containers cannot be added or removed (upstream validation); should a
 * version differ anyway, the containers keep the version they had. */
static void worker_adopt_spec(struct kubelet_worker *worker)
{
	const struct pod_spec *spec = &worker->pod->spec;
	if (worker->pod == worker->spec_pod || spec->init_containers.len != worker->init_len ||
	    spec->containers.len != worker->len - worker->init_len)
		return;
	for (size_t i = 0; i < worker->len; i++)
		worker->ctrs[i].spec = i < worker->init_len ? &spec->init_containers.items[i]
			: &spec->containers.items[i - worker->init_len];
	object_unref(&worker->spec_pod->obj);
	worker->spec_pod = (struct pod *)object_ref(&worker->pod->obj);
}

static bool phase_is_terminal(const char *phase)
{
	return phase && (!strcmp(phase, POD_PHASE_SUCCEEDED) ||
			 !strcmp(phase, POD_PHASE_FAILED));
}

void kubelet_pod_observe(struct kubelet *kubelet, const struct pod *pod)
{
	struct kubelet_worker *worker = hashmap_get(&kubelet->pods, pod->obj.meta.uid);
	bool deleting = object_is_deleting(&pod->obj);
	if (worker) {
		struct pod *old = worker->pod;
		worker->pod = (struct pod *)object_ref(&pod->obj);
		object_unref(&old->obj);
		worker_adopt_spec(worker);
	} else {
		/* A pod that already finished is never started again. */
		bool finished = phase_is_terminal(pod->status.phase);
		if (finished && !deleting)
			return;
		worker = worker_new(kubelet, pod);
		worker->terminal = finished;
		if (!finished && !deleting)
			worker_start(worker);
	}
	if (deleting && !worker->delete_sent)
		worker_terminate(worker);
}

/* K8S: HandlePodRemoves. A pod removed from the API without the kubelet's
 * delete (a force delete) still has its containers stopped. */
void kubelet_pod_forget(struct kubelet *kubelet, const char *uid)
{
	struct kubelet_worker *worker = hashmap_remove(&kubelet->pods, uid);
	if (!worker)
		return;
	if (kubelet->up && !worker->terminal && !worker->delete_sent)
		worker_kill_events(worker);
	worker_free(worker);
}

/* ---- the node going down and coming back --------------------------------- */

void kubelet_pod_suspend_all(struct kubelet *kubelet)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);) {
		struct kubelet_worker *worker = value;
		worker_cancel(worker);
		if (worker->flush_timer)
			clock_cancel(&kubelet->client->clock, worker->flush_timer);
		worker->flush_timer = 0;
	}
}

/* What ran was killed when the node went down: upstream reports such
 * containers terminated with reason Unknown, exit code 255. */
static void worker_lost_containers(struct kubelet_worker *worker, ktime_t down_since)
{
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		if (ctr->phase == CTR_RUNNING) {
			ctr_stop(ctr, 255, "Unknown");
			ctr->exit.finished_at = down_since;
		}
	}
}

/* After a reboot the kubelet has forgotten its back-offs, and the sandbox
 * is made again (SandboxChanged), so init containers run again, then
 * every container the restart policy restarts. */
static void worker_reboot(struct kubelet_worker *worker)
{
	bool never = !strcmp(restart_policy(worker), "Never");
	for (size_t i = 0; i < worker->len; i++) {
		struct kubelet_ctr *ctr = &worker->ctrs[i];
		free(ctr->waiting_reason);
		free(ctr->waiting_message);
		ctr->waiting_reason = ctr->waiting_message = NULL;
		memset(&ctr->crash_backoff, 0, sizeof(ctr->crash_backoff));
		memset(&ctr->pull_backoff, 0, sizeof(ctr->pull_backoff));
		ctr->due = !ctr->exit.set ||
			(ctr->init && !never) || ctr_should_restart(ctr, ctr->exit.exit_code);
	}
	if (!never)
		worker->init_done = 0;
	pod_event(worker, "Normal", "SandboxChanged",
		  "Pod sandbox changed, it will be killed and re-created.");
	kubelet_status_mark_dirty(worker);
	const char *phase = kubelet_status_phase(worker, false);
	if (phase_is_terminal(phase))
		worker_finish(worker);
	else
		worker_sync(worker);
}

void kubelet_pod_resume_all(struct kubelet *kubelet)
{
	struct object_list list = {0};
	struct hashmap seen = {0};
	store_list_pods_on_node(kubelet->client->store, kubelet->node_name, &list);
	for (size_t i = 0; i < list.len; i++)
		object_ref(list.items[i]);	/* writes below change the store */
	for (size_t i = 0; i < list.len; i++) {
		const struct pod *pod = (const struct pod *)list.items[i];
		struct kubelet_worker *worker = hashmap_get(&kubelet->pods, pod->obj.meta.uid);
		hashmap_put(&seen, pod->obj.meta.uid, kubelet);
		if (worker && worker->admitted && !worker->terminal && !worker->delete_sent) {
			worker_lost_containers(worker, kubelet->down_since);
			/* One marked for deletion meanwhile is finished below. */
			if (!object_is_deleting(&pod->obj))
				worker_reboot(worker);
		}
		kubelet_pod_observe(kubelet, pod);
	}
	/* Pods deleted while the node was down. */
	size_t gone_len = 0;
	char **gone = xcalloc(kubelet->pods.len + 1, sizeof(*gone));
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);)
		if (!hashmap_get(&seen, key))
			gone[gone_len++] = xstrdup(key);
	for (size_t i = 0; i < gone_len; i++) {
		kubelet_pod_forget(kubelet, gone[i]);
		free(gone[i]);
	}
	free(gone);
	hashmap_release(&seen);
	for (size_t i = 0; i < list.len; i++)
		object_unref((struct object *)list.items[i]);
	object_list_release(&list);
}

void kubelet_pod_free_all(struct kubelet *kubelet)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);)
		worker_free(value);
	hashmap_release(&kubelet->pods);
}
