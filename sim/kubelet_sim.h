/* kubelet_sim.h - the sim kubelet's insides, shared by its files.
 *
 * K8S: pkg/kubelet. The sim kubelet is split as upstream's is, one
 * concept per file:
 *   kubelet_sim.c     the agent itself: start, stop, suspend, resume, the
 *                     pod watch, the image catalogue and cache, the serial
 *                     image puller and pod IP addresses;
 *   kubelet_node.c    registration, node status and the node Lease
 *                     (K8S: kubelet_node_status.go, nodestatus/setters.go,
 *                     nodelease);
 *   kubelet_admit.c   node-side admission (K8S: lifecycle/predicate.go);
 *   kubelet_pod.c     the pod worker: admission, init and regular
 *                     containers in order, deletion, reboots
 *                     (K8S: pod_workers.go, kubelet.go syncPod,
 *                     kuberuntime_manager.go SyncPod);
 *   kubelet_container.c  one container's life: image, start, readiness,
 *                     exit, restart back-off (K8S: kuberuntime_container.go,
 *                     images/image_manager.go, flowcontrol backoff);
 *   kubelet_probe.c   the startup, readiness and liveness probers and
 *                     the kills they lead to (K8S: prober/worker.go,
 *                     prober.go, prober_manager.go,
 *                     kuberuntime_manager.go computePodActions);
 *   kubelet_stop.c    stopping a container gracefully: preStop hook,
 *                     SIGTERM, grace period, SIGKILL; and the pod's
 *                     termination (K8S: kuberuntime_container.go
 *                     killContainer, executePreStopHook, lifecycle/
 *                     handlers.go, pod_workers.go);
 *   kubelet_eviction.c  the eviction manager: node memory pressure and
 *                     the pods evicted to relieve it (K8S: eviction/);
 *   kubelet_status.c  the pod status the worker reports: phase, conditions,
 *                     container statuses (K8S: kubelet_pods.go
 *                     generateAPIPodStatus/getPhase, status/generate.go,
 *                     status/status_manager.go).
 * Nothing outside these files includes this header: the rest of kubelab
 * sees kubelet.h only.
 *
 * Ownership: the kubelet owns its pod workers (hash table by pod uid),
 * each worker owns its containers (one array, init containers first) and
 * a reference to the latest version of its pod. Image behaviours are
 * borrowed from the catalogue or owned by the kubelet's table of
 * defaults. Every pending timer is cancelled before what its argument
 * points at is freed.
 *
 * Time: everything runs from timers of client->clock and from watch
 * deliveries; nothing reads a wall clock, and whatever is iterated for
 * output is iterated in a defined order (spec order, or the store's
 * sorted lists).
 */
#ifndef KUBELAB_KUBELET_SIM_H
#define KUBELAB_KUBELET_SIM_H

#include "api.h"
#include "hashmap.h"
#include "kubelet.h"

/* K8S: kubelet.go backOffPeriod: a pod worker whose sync failed is retried
 * this long after (upstream adds up to 50% jitter; kubelab does not). */
#define KUBELET_SYNC_RETRY_PERIOD (10 * KTIME_SECOND)
/* K8S: pleg/generic.go relistPeriod: how soon the kubelet notices a change
 * in the runtime and syncs the pod again. */
#define KUBELET_PLEG_RELIST_PERIOD (1 * KTIME_SECOND)
/* K8S: nodestatus MaxNamesPerImageInNodeStatus and nodeStatusMaxImages. */
#define KUBELET_NODE_STATUS_MAX_IMAGES 50
/* Pod addresses per node: a /24 as the node IPAM controller hands out. */
#define KUBELET_POD_IP_SLOTS 256

struct kubelet_worker;

/* Where one container is in its life. */
enum kubelet_ctr_phase {
	CTR_WAITING,		/* not running: its turn, a back-off, an error */
	CTR_PULLING,		/* its image is being pulled (or queued) */
	CTR_CREATING,		/* image present; being created and started */
	CTR_RUNNING,
	CTR_EXITED,		/* terminated (possibly about to restart) */
};

/* Why a container is being stopped (K8S: containerKillReason). */
enum kubelet_kill_reason {
	KILL_POD,			/* the pod terminates: deleted or evicted */
	KILL_LIVENESS,			/* failed its liveness probe: restarts */
	KILL_STARTUP,			/* failed its startup probe: restarts */
};

/* One terminated instance of a container. */
struct kubelet_exit {
	bool set;
	int32_t exit_code;
	const char *reason;		/* static: "Error", "Completed", "OOMKilled",
					 * "Unknown" ... */
	const char *message;		/* static, or NULL */
	ktime_t started_at, finished_at;
	char *container_id;		/* owned */
};

/* K8S: flowcontrol.Backoff, one entry: the current delay (0 = no entry)
 * and when it was last moved on (lastUpdate). */
struct kubelet_backoff {
	ktime_t delay;
	ktime_t updated;
};

/* One container of a pod, as the kubelet and its runtime track it. */
struct kubelet_ctr {
	struct kubelet_worker *worker;
	const struct container *spec;	/* in worker->spec_pod */
	const struct image_behavior *image;	/* borrowed; its name is the image
					 * the container was made with */
	bool init;			/* an init container */
	bool sidecar;			/* an init container with restartPolicy Always */
	bool has_readiness_probe;
	bool has_liveness_probe;
	bool has_startup_probe;
	/* kubelet_stop.c: a stop under way (the container still runs; its
	 * next step, the hook's end or the process's exit, is `timer`). */
	bool stopping;
	enum kubelet_kill_reason kill_reason : 8;

	enum kubelet_ctr_phase phase;
	bool due;			/* may be started by the next sync */
	char *waiting_reason;		/* owned; NULL: the default reason */
	char *waiting_message;		/* owned */
	bool ready;
	bool started;			/* passed its startup probe (or has none) */
	ktime_t started_at;		/* of the running instance */
	char *container_id;		/* of the running instance; owned */
	int32_t restart_count;
	uint32_t instances;		/* containers created so far */
	struct kubelet_exit exit;	/* the latest instance, once it exited */
	struct kubelet_exit last_exit;	/* the one before: lastState */

	struct kubelet_backoff crash_backoff;	/* CrashLoopBackOff */
	struct kubelet_backoff pull_backoff;	/* ImagePullBackOff */
	char *pull_error;		/* the last pull failure, for messages */
	ktime_t pull_requested;		/* when Pulling was reported */
	struct kubelet_ctr *pull_next;	/* link in the kubelet's pull queue */

	timer_id timer;			/* the next step of its life (while
					 * stopping: of the stop) */
	timer_id ready_timer;		/* readiness probe passing */
	timer_id probe_timer;		/* the next startup probe, or the next
					 * failing liveness probe */
	int32_t probe_failures;		/* consecutive failures of that probe */
	int32_t readiness_streak;	/* readiness probes in a row: > 0
					 * failures, < 0 passes (a failure
					 * window, kubelet_probe.c) */
	int32_t stop_grace;		/* kubelet_stop.c: the grace period (s)
					 * before the preStop hook */
};

/* A pod bound to this node, and what the kubelet does about it.
 * K8S: pod_workers.go podSyncStatus plus the runtime's view of the pod. */
struct kubelet_worker {
	struct kubelet *kubelet;
	struct pod *pod;		/* latest version seen (a reference); its
					 * uid is the key in kubelet->pods */
	struct pod *spec_pod;		/* the version ctrs[].spec point into (a
					 * reference): usually the latest */

	bool admitted;			/* passed node admission */
	bool terminal;			/* nothing runs or restarts any more:
					 * Succeeded, Failed, rejected, deleted */
	bool terminating;		/* its containers are being stopped
					 * (deleted or evicted; kubelet_stop.c) */
	bool stopping_all;		/* kubelet_stop_pod is stopping them */
	bool delete_sent;		/* the final delete was requested */
	char *evict_message;		/* owned; set when evicted: the pod ends
					 * Failed, reason Evicted */
	char *reject_reason;		/* owned, when rejected */
	char *reject_message;

	/* Requests counted against the node's allocatable while admitted
	 * and not terminal (K8S: the predicate's view of running pods). */
	int64_t req_milli_cpu, req_memory, req_ephemeral;
	bool counted;

	int ip_slot;			/* -1: none */
	char *pod_ip;			/* owned */
	ktime_t start_time;

	struct kubelet_ctr *ctrs;	/* init containers first, then regular */
	size_t init_len, len;
	size_t init_done;		/* init containers completed, in order */
	struct kubelet_ctr *starting;	/* the container being started */

	timer_id flush_timer;		/* status write at the end of the instant */

	/* kubelet_volume.c: NULL until the pod turns out to have claims
	 * (most pods never pay for it) */
	struct kubelet_pod_volumes *volumes;	/* owned */
	bool volumes_ready;		/* every volume attached and mounted */
};

struct kubelet {
	const struct client *client;	/* borrowed */
	char *node_name;
	const char *node_interned;	/* node_name's schema_intern copy */
	struct node *node;		/* what we register (our own copy) */
	const struct image_behavior *images;	/* borrowed catalogue */
	size_t images_len;
	struct hashmap default_images;	/* name -> owned image_behavior */
	struct hashmap image_cache;	/* images present on the node */
	uint64_t seed;			/* for jitter; unused: the sim kubelet's
					 * timings are exact, as scenarios say */
	bool up;
	ktime_t down_since;
	int watch_id;

	/* kubelet_node.c */
	char *internal_ip;
	timer_id lease_timer;
	timer_id status_timer;
	ktime_t last_status_report;
	int64_t node_rv_checked;	/* the Node version last compared with */
	bool images_changed;		/* since node_rv_checked */
	bool volumes_changed;		/* volumesInUse may differ, ditto */

	/* kubelet_eviction.c */
	timer_id eviction_timer;
	bool memory_model;		/* some image has a working set: else
					 * there is nothing to watch */
	bool memory_pressure;		/* the node condition MemoryPressure */
	bool pressure_changed;		/* since the node status last looked */
	bool awaiting_cleanup;		/* an evicted pod is being stopped */
	ktime_t pressure_observed;	/* when the threshold was last met */
	int64_t memory_available;	/* bytes, at the last pass */

	/* kubelet_pod.c and kubelet_admit.c */
	struct hashmap pods;		/* uid -> struct kubelet_worker * */
	int64_t used_milli_cpu, used_memory, used_ephemeral, used_pods;

	/* The serial image puller (kubelet_sim.c). */
	struct kubelet_ctr *pull_head, *pull_tail;
	struct kubelet_ctr *pulling;	/* the pull in progress */
	ktime_t pull_started;
	ktime_t pull_duration;
	timer_id pull_timer;

	/* Pod addresses: pod_subnet.N for N in 2..254 (kubelet_sim.c). */
	char pod_subnet[16];		/* "10.201.17" */
	uint8_t ip_used[KUBELET_POD_IP_SLOTS / 8];
	int ip_next;
};

/* ---- kubelet_sim.c ---- */

/* The behaviour of image name: the catalogue's, else the defaults. */
const struct image_behavior *kubelet_image(struct kubelet *kubelet,
					   const char *name);
bool kubelet_image_present(const struct kubelet *kubelet, const char *name);
/* K8S: images/serialized_image_puller.go. Queues ctr's pull; the puller
 * calls kubelet_container_pull_done when it is over. */
void kubelet_pull_enqueue(struct kubelet *kubelet, struct kubelet_ctr *ctr);
/* Forgets ctr's queued or running pull, if any. */
void kubelet_pull_cancel(struct kubelet *kubelet, struct kubelet_ctr *ctr);
/* A free pod address: sets *slot and returns "a.b.c.d" (caller frees),
 * or NULL with *slot -1 when the node's range is used up. */
char *kubelet_ip_alloc(struct kubelet *kubelet, int *slot);
void kubelet_ip_release(struct kubelet *kubelet, int slot);
/* FNV-1a over a string, continuing from h (pass KUBELET_HASH_INIT). */
#define KUBELET_HASH_INIT 0xcbf29ce484222325ULL
uint64_t kubelet_hash(const char *text, uint64_t h);

/* ---- kubelet_volume.c ---- */

/* The volume manager's view of one pod with claims. */
struct kubelet_pod_volumes {
	ktime_t wait_since;		/* 0: not waiting */
	timer_id timer;			/* the next poll */
	char **names;			/* owned: attachable volumes, unique names */
	size_t names_len;
};

/* K8S: WaitForAttachAndMount, one poll: true once the pod's volumes are
 * attached (when attachable) and mounted; else arms a retry that calls
 * kubelet_pod_sync again, and records FailedMount every 2m3s. */
bool kubelet_volume_ready(struct kubelet_worker *worker);
void kubelet_volume_cancel(struct kubelet_worker *worker);	/* the retry */
void kubelet_volume_release(struct kubelet_worker *worker);	/* all of it */
/* K8S: GetVolumesInUse into st->volumes_in_use (empty before the call). */
void kubelet_volume_fill_in_use(const struct kubelet *kubelet, struct node_status *st);

/* ---- kubelet_node.c ---- */

/* Registers the Node (or updates the status of an existing one), records
 * the start-up Events, creates or renews the Lease and arms the heartbeat
 * timers. */
void kubelet_node_start(struct kubelet *kubelet);
/* Cancels the heartbeat timers. */
void kubelet_node_stop(struct kubelet *kubelet);

/* ---- kubelet_admit.c ---- */

/* Computes the worker's requests (K8S: resourcehelper.PodRequests) and
 * checks them against the node's allocatable minus what admitted pods
 * request. On a misfit returns false and sets *reason ("OutOfcpu") and
 * *message (caller frees both). */
bool kubelet_admit(struct kubelet *kubelet, struct kubelet_worker *worker,
		   char **reason, char **message);
/* Adds (sign +1) or removes (-1) the worker's requests from the node's
 * running total. */
void kubelet_admit_count(struct kubelet *kubelet, struct kubelet_worker *worker,
			 int sign);

/* ---- kubelet_pod.c ---- */

/* Records an Event about the worker's pod (client_event with printf). */
void kubelet_pod_event(const struct kubelet_worker *worker, const char *type,
		       const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The pod's restartPolicy, "Always" when unset. */
const char *kubelet_pod_restart_policy(const struct kubelet_worker *worker);
/* K8S: SyncPod's start loop: starts the next container that is due, if
 * no other start is under way. */
void kubelet_pod_sync(struct kubelet_worker *worker);
/* Every container of a terminating worker stopped (kubelet_stop.c): the
 * final status, then the delete (or, when evicted, the Failed status). */
void kubelet_pod_stopped(struct kubelet_worker *worker);
/* K8S: the eviction manager's killPodFunc: stops the pod's containers with
 * grace_seconds; the pod ends Failed, reason Evicted, with message. */
void kubelet_pod_evict(struct kubelet_worker *worker, const char *message,
		       int64_t grace_seconds);
/* A container exited: the pod may be done, else the sync goes on. */
void kubelet_pod_exited(struct kubelet_worker *worker);
/* A pod bound to this node was added or changed (watch or resync). */
void kubelet_pod_observe(struct kubelet *kubelet, const struct pod *pod);
/* The pod is gone from the API: forget its worker. */
void kubelet_pod_forget(struct kubelet *kubelet, const char *uid);
/* The node goes down: every timer stops, every container is gone. */
void kubelet_pod_suspend_all(struct kubelet *kubelet);
/* The node is back: reconcile every worker with the store's pods. */
void kubelet_pod_resume_all(struct kubelet *kubelet);
void kubelet_pod_free_all(struct kubelet *kubelet);

/* ---- kubelet_container.c ---- */

/* Sets up ctr for spec (borrowed from the worker's pod): waiting, due. */
void kubelet_container_init(struct kubelet_ctr *ctr, struct kubelet_worker *worker,
			    const struct container *spec, bool init);
/* Frees what ctr owns (its timers must be cancelled already). */
void kubelet_container_release(struct kubelet_ctr *ctr);
/* K8S: startContainer: ensure the image (maybe pulling), create, start. */
void kubelet_container_start(struct kubelet_ctr *ctr);
/* The puller finished ctr's pull (ok false: the pull failed). */
void kubelet_container_pull_done(struct kubelet_ctr *ctr, bool ok, ktime_t pulled_in);
/* Cancels ctr's timers and pull; a start under way is abandoned. */
void kubelet_container_cancel(struct kubelet_ctr *ctr);
/* The running instance ends with code: it becomes the exit record. No
 * restart is planned. */
void kubelet_container_stop(struct kubelet_ctr *ctr, int32_t code, const char *reason);
/* Whether the pod's restart policy restarts ctr after an exit with code. */
bool kubelet_container_should_restart(const struct kubelet_ctr *ctr, int32_t code);
/* K8S: status manager TerminatePod: a container that never ran when its
 * pod is torn down is reported terminated, ContainerStatusUnknown, 137. */
void kubelet_container_mark_unknown(struct kubelet_ctr *ctr);
/* After a reboot: back-offs and errors forgotten; due again if it never
 * ran, if it is an init container and rerun_init, or if its restart policy
 * restarts it. */
void kubelet_container_reboot(struct kubelet_ctr *ctr, bool rerun_init);

/* Called by the prober (kubelet_probe.c): the killed container is gone,
 * exiting with code and reason; restarts per the pod's policy. */
void kubelet_container_exited(struct kubelet_ctr *ctr, int32_t code, const char *reason);

/* ---- kubelet_probe.c ---- */

/* The container just started: runs its startup probe if it has one, and
 * once started its readiness (ctr->ready_timer) and, if the image stops
 * answering it, its liveness probe. */
void kubelet_probe_start(struct kubelet_ctr *ctr);
/* Cancels the probe timers (ctr->probe_timer). */
void kubelet_probe_cancel(struct kubelet_ctr *ctr);

/* ---- kubelet_stop.c ---- */

/* K8S: killContainer. Stops the running ctr: Killing Event (message, or
 * "Stopping container NAME"), its preStop hook, SIGTERM, and SIGKILL when
 * the grace period ends. grace_override >= 0 replaces the grace period
 * (seconds) the reason calls for. The container keeps running until the
 * process exits; then, for a probe kill, kubelet_container_exited (a
 * restart per policy), else kubelet_pod_stopped once the pod's last
 * container stopped. A stop already under way is not started again. */
void kubelet_stop_container(struct kubelet_ctr *ctr, enum kubelet_kill_reason reason,
			    const char *message, int64_t grace_override);
/* Cancels a stop under way (the node went down, the pod was forgotten). */
void kubelet_stop_cancel(struct kubelet_ctr *ctr);
/* K8S: syncTerminatingPod. Stops every running container of the worker
 * with grace_seconds (the pod worker's effective grace period): nothing
 * starts any more, what never ran is reported ContainerStatusUnknown, and
 * kubelet_pod_stopped is called when the last container exited (at once
 * if none runs). */
void kubelet_stop_pod(struct kubelet_worker *worker, int64_t grace_seconds);

/* ---- kubelet_eviction.c ---- */

/* Arms the eviction manager's housekeeping pass (every 10s). */
void kubelet_eviction_start(struct kubelet *kubelet);
void kubelet_eviction_stop(struct kubelet *kubelet);
/* An evicted pod's containers all stopped: the manager runs again soon. */
void kubelet_eviction_pod_stopped(struct kubelet *kubelet);
/* The node condition MemoryPressure as the eviction manager sees it. */
bool kubelet_eviction_memory_pressure(const struct kubelet *kubelet);

/* ---- kubelet_status.c ---- */

/* Asks for the worker's status to be written once the current instant's
 * other events ran (several changes at one time make one write). */
void kubelet_status_mark_dirty(struct kubelet_worker *worker);
/* Writes the worker's status now, if it differs from the stored one;
 * cancels a pending flush. */
void kubelet_status_flush(struct kubelet_worker *worker);
/* K8S: getPhase over the worker's container statuses; terminal says the
 * pod is being torn down, so stopped containers will not restart. */
const char *kubelet_status_phase(const struct kubelet_worker *worker,
				 bool terminal);

#endif
