/* kubelet_pod.c - the pod worker: from a bound pod to running containers.
 *
 * K8S: pkg/kubelet/pod_workers.go (one worker per pod), kubelet.go
 * (HandlePodAdditions, HandlePodRemoves, syncPod, syncTerminatingPod,
 * rejectPod) and kuberuntime/kuberuntime_manager.go (SyncPod,
 * killPodWithSyncResult).
 *
 * A pod bound to this node goes through, in order:
 *   1. admission (kubelet_admit.c): a pod that does not fit is Failed;
 *   2. the sandbox: the pod gets its IP and startTime;
 *   3. init containers, one at a time, each to exit 0 before the next (a
 *      sidecar, an init container with restartPolicy Always, only has to
 *      start);
 *   4. the regular containers, one after the other, as upstream's SyncPod
 *      loop starts them (each through image, create and start before the
 *      next; kubelet_container.c).
 * The pod's status follows from its containers (kubelet_status.c). Once it
 * is Succeeded or Failed nothing runs or restarts any more; it stays in
 * the API, holding neither requests nor an address, until deleted.
 *
 * Deletion: a pod with a deletionTimestamp has its running containers
 * stopped gracefully (kubelet_stop.c: Killing "Stopping container web",
 * the preStop hook, SIGTERM, SIGKILL when the grace period ends); one
 * that never started is reported as upstream's status manager does
 * (ContainerStatusUnknown, exit code 137). Once the last container exited
 * the worker writes the final status, with its terminal phase, then
 * deletes the pod with grace period 0, as upstream's status manager does
 * once nothing runs any more. An evicted pod (kubelet_eviction.c) is
 * stopped the same way but not deleted: it stays Failed, reason Evicted.
 *
 * The node going down and coming back (kubelet_suspend/kubelet_resume) is
 * a reboot: what ran was killed when the node went down (reason Unknown,
 * exit code 255, as upstream reports it), the kubelet has forgotten its
 * back-offs, and the sandbox is made again (SandboxChanged), so init
 * containers run again and every container the restart policy allows
 * restarts, its restartCount one up. Pods marked for deletion meanwhile
 * are finished; pods deleted meanwhile are forgotten.
 *
 * Not modelled: postStart hooks, spec changes of a running pod (upstream restarts a
 * container whose image changed), ephemeral containers, a new pod IP after
 * a reboot.
 *
 * Invariants: worker->starting is the only container of the worker that is
 * PULLING or CREATING; a terminal worker has no pending container timer;
 * a worker counts towards the node's requests exactly while admitted and
 * not terminal.
 */
#include "kubelet_sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void kubelet_pod_event(const struct kubelet_worker *worker, const char *type,
		       const char *reason, const char *fmt, ...)
{
	if (!client_events_wanted(worker->kubelet->client))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *message = NULL;
	if (vasprintf(&message, fmt, ap) < 0)
		BUG_ON(1);
	va_end(ap);
	client_event(worker->kubelet->client, &worker->pod->obj, type, reason, "%s", message);
	free(message);
}

const char *kubelet_pod_restart_policy(const struct kubelet_worker *worker)
{
	const char *policy = worker->spec_pod->spec.restart_policy;	/* immutable */
	return policy && *policy ? policy : "Always";
}

static bool phase_is_terminal(const char *phase)
{
	return phase && (!strcmp(phase, POD_PHASE_SUCCEEDED) ||
			 !strcmp(phase, POD_PHASE_FAILED));
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
void kubelet_pod_sync(struct kubelet_worker *worker)
{
	/* LAB: kubelet-wait-volumes. K8S: syncPod's WaitForAttachAndMount. */
	if (worker->kubelet->up && !worker->terminal && !worker->terminating &&
	    !worker->delete_sent && !kubelet_volume_ready(worker))
		return;
	while (worker->kubelet->up && !worker->terminal && !worker->terminating &&
	       !worker->delete_sent && !worker->starting) {
		struct kubelet_ctr *ctr = next_to_start(worker);
		if (!ctr)
			return;
		kubelet_container_start(ctr);
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
		kubelet_container_cancel(&worker->ctrs[i]);
	worker->starting = NULL;
	kubelet_volume_cancel(worker);
}

/* The pod reached Succeeded or Failed: nothing runs or restarts any more
 * (sidecars still running are stopped), and its requests and address are
 * free for others. The pod stays in the API until someone deletes it. */
static void worker_finish(struct kubelet_worker *worker)
{
	worker_cancel(worker);
	for (size_t i = 0; i < worker->len; i++)
		if (worker->ctrs[i].phase == CTR_RUNNING)
			kubelet_container_stop(&worker->ctrs[i], 0, "Completed");
	worker->terminal = true;
	worker_release(worker);
	if (worker->volumes && worker->volumes->names_len)	/* unmounted */
		worker->kubelet->volumes_changed = true;
	kubelet_status_mark_dirty(worker);
}

void kubelet_pod_exited(struct kubelet_worker *worker)
{
	kubelet_status_mark_dirty(worker);
	if (phase_is_terminal(kubelet_status_phase(worker, false)))
		worker_finish(worker);
	else
		kubelet_pod_sync(worker);
}

/* K8S: killContainersWithSyncResult: a Killing Event per running
 * container, regular containers first, then init containers (sidecars). */
static void worker_kill_events(const struct kubelet_worker *worker)
{
	for (size_t n = 0; n < worker->len; n++) {
		const struct kubelet_ctr *ctr = &worker->ctrs[(n + worker->init_len) % worker->len];
		if (ctr->phase == CTR_RUNNING)
			kubelet_pod_event(worker, "Normal", "Killing", "Stopping container %s",
					  ctr->spec->name);
	}
}

/* K8S: pod_workers.go calculateEffectiveGracePeriod: the deletion's grace
 * period, else the pod's (kubelet_stop_pod makes it at least 1s). */
static int64_t deletion_grace(const struct kubelet_worker *worker)
{
	const struct pod *pod = worker->pod;
	if (object_is_deleting(&pod->obj) && pod->obj.meta.deletion_grace_period_seconds > 0)
		return pod->obj.meta.deletion_grace_period_seconds;
	return worker->spec_pod->spec.termination_grace_period_seconds;
}

/* The final delete, with grace period 0, as the status manager sends it
 * once nothing of the pod runs. */
static void worker_delete(struct kubelet_worker *worker)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = 0;
	worker->delete_sent = true;
	client_delete(worker->kubelet->client, KIND_POD, worker->pod->obj.meta.namespace,
		      worker->pod->obj.meta.name, &options, NULL);
}

void kubelet_pod_stopped(struct kubelet_worker *worker)
{
	for (size_t i = 0; i < worker->len; i++)
		kubelet_container_mark_unknown(&worker->ctrs[i]);
	worker->terminating = false;
	worker->terminal = true;
	worker_release(worker);
	if (worker->evict_message && !object_is_deleting(&worker->pod->obj)) {
		kubelet_status_mark_dirty(worker);
		kubelet_eviction_pod_stopped(worker->kubelet);
		return;		/* evicted: stays, Failed */
	}
	worker->delete_sent = true;	/* the final status is the terminal one */
	kubelet_status_flush(worker);
	worker_delete(worker);
}

void kubelet_pod_evict(struct kubelet_worker *worker, const char *message,
		       int64_t grace_seconds)
{
	if (worker->terminal || worker->terminating || worker->delete_sent)
		return;
	free(worker->evict_message);
	worker->evict_message = xstrdup(message);
	kubelet_stop_pod(worker, grace_seconds);
}

/* K8S: syncTerminatingPod: every container is stopped gracefully; the
 * rest follows in kubelet_pod_stopped. A pod that never ran, or already
 * finished, is deleted at once. */
static void worker_terminate(struct kubelet_worker *worker)
{
	if (worker->admitted && !worker->terminal) {
		kubelet_stop_pod(worker, deletion_grace(worker));
		return;
	}
	worker_delete(worker);
}

/* Admission, then the sandbox: the pod gets its address and start time. */
static void worker_start(struct kubelet_worker *worker)
{
	struct kubelet *kubelet = worker->kubelet;
	char *reason = NULL, *message = NULL;
	if (!kubelet_admit(kubelet, worker, &reason, &message)) {
		/* K8S: kubelet.rejectPod */
		kubelet_pod_event(worker, "Warning", reason, "%s", message);
		worker->terminal = true;
		worker->reject_reason = reason;
		worker->reject_message = xasprintf("Pod was rejected: %s", message);
		free(message);
		kubelet_status_mark_dirty(worker);
		return;
	}
	worker->admitted = true;
	kubelet_admit_count(kubelet, worker, +1);
	worker->start_time = client_now(kubelet->client);
	worker->pod_ip = kubelet_ip_alloc(kubelet, &worker->ip_slot);
	kubelet_status_mark_dirty(worker);
	kubelet_pod_sync(worker);
}

static struct kubelet_worker *worker_new(struct kubelet *kubelet, const struct pod *pod)
{
	struct kubelet_worker *worker = xcalloc(1, sizeof(*worker));
	const struct pod_spec *spec = &pod->spec;
	worker->kubelet = kubelet;
	worker->pod = (struct pod *)object_ref(&pod->obj);
	worker->spec_pod = (struct pod *)object_ref(&pod->obj);
	worker->ip_slot = -1;
	worker->init_len = spec->init_containers.len;
	worker->len = worker->init_len + spec->containers.len;
	worker->ctrs = xcalloc(worker->len ? worker->len : 1, sizeof(*worker->ctrs));
	for (size_t i = 0; i < worker->len; i++) {
		bool init = i < worker->init_len;
		kubelet_container_init(&worker->ctrs[i], worker,
				       init ? &spec->init_containers.items[i]
					    : &spec->containers.items[i - worker->init_len],
				       init);
	}
	hashmap_put(&kubelet->pods, pod->obj.meta.uid, worker);
	return worker;
}

static void worker_free(struct kubelet_worker *worker)
{
	struct kubelet *kubelet = worker->kubelet;
	worker_cancel(worker);
	if (worker->flush_timer)
		clock_cancel(&kubelet->client->clock, worker->flush_timer);
	worker_release(worker);
	kubelet_volume_release(worker);
	for (size_t i = 0; i < worker->len; i++)
		kubelet_container_release(&worker->ctrs[i]);
	free(worker->ctrs);
	free(worker->reject_reason);
	free(worker->reject_message);
	free(worker->evict_message);
	free(worker->pod_ip);
	object_unref(&worker->pod->obj);
	object_unref(&worker->spec_pod->obj);
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
	if (deleting && !worker->delete_sent && !worker->terminating)
		worker_terminate(worker);
}

/* K8S: HandlePodRemoves. A pod removed from the API without the kubelet's
 * delete (a force delete) still has its containers stopped. */
void kubelet_pod_forget(struct kubelet *kubelet, const char *uid)
{
	struct kubelet_worker *worker = hashmap_remove(&kubelet->pods, uid);
	if (!worker)
		return;
	if (kubelet->up && !worker->terminal && !worker->delete_sent && !worker->terminating)
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
		/* A stop under way dies with the node; resuming finishes it. */
		worker->terminating = false;
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
			kubelet_container_stop(ctr, 255, "Unknown");
			ctr->exit.finished_at = down_since;
		}
	}
}

/* After a reboot the kubelet has forgotten its back-offs, and the sandbox
 * is made again (SandboxChanged), so init containers run again, then
 * every container the restart policy restarts. */
static void worker_reboot(struct kubelet_worker *worker)
{
	bool never = !strcmp(kubelet_pod_restart_policy(worker), "Never");
	for (size_t i = 0; i < worker->len; i++)
		kubelet_container_reboot(&worker->ctrs[i], !never);
	if (!never)
		worker->init_done = 0;
	kubelet_pod_event(worker, "Normal", "SandboxChanged",
			  "Pod sandbox changed, it will be killed and re-created.");
	kubelet_pod_exited(worker);
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
		bool rebooted = worker && worker->admitted && !worker->terminal &&
				!worker->delete_sent;
		if (rebooted)
			worker_lost_containers(worker, kubelet->down_since);
		/* Takes the latest version; finishes a deletion asked meanwhile. */
		kubelet_pod_observe(kubelet, pod);
		if (rebooted && !worker->delete_sent)
			worker_reboot(worker);
	}
	/* Pods deleted while the node was down: nothing of theirs runs. */
	size_t gone_len = 0;
	char **gone = xcalloc(kubelet->pods.len + 1, sizeof(*gone));
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);)
		if (!hashmap_get(&seen, key)) {
			worker_lost_containers(value, kubelet->down_since);
			gone[gone_len++] = xstrdup(key);
		}
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
