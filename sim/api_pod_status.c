/* api_pod_status.c - the schema of a pod's status.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (PodStatus, ContainerStatus,
 * ContainerState and its Waiting, Running and Terminated forms).
 *
 * The status is what the cluster says about a pod: the scheduler's
 * PodScheduled condition, and the kubelet's phase, conditions, IPs and a
 * state per container (waiting with a reason such as CrashLoopBackOff,
 * running since, or terminated with an exit code). Users do not write it:
 * on create the API server resets it, and admission sets the phase Pending
 * and the QoS class.
 *
 * Interface: pod_status_schema (api_pod_internal.h), for the Pod and its
 * kind's status_schema.
 * Invariants: the tables are constant.
 * See also: api_pod.c (the Pod), kubelet*.c (who writes it).
 */
#include "api_pod_internal.h"

/* ---- enumerations ---- */

static const char *const pod_phases[] = {
	"Pending", "Running", "Succeeded", "Failed", "Unknown", NULL
};
static const char *const qos_classes[] = { "Guaranteed", "Burstable", "BestEffort", NULL };

static const struct field container_state_waiting_fields[] = {
	{ "reason", FIELD_STRING, .offset = offsetof(struct container_state_waiting, reason) },
	{ "message", FIELD_STRING, .offset = offsetof(struct container_state_waiting, message) },
};
static const struct schema container_state_waiting_schema = {
	"ContainerStateWaiting", sizeof(struct container_state_waiting),
	FIELDS(container_state_waiting_fields)
};

static const struct field container_state_running_fields[] = {
	{ "startedAt", FIELD_TIME,
	  .offset = offsetof(struct container_state_running, started_at) },
};
static const struct schema container_state_running_schema = {
	"ContainerStateRunning", sizeof(struct container_state_running),
	FIELDS(container_state_running_fields)
};

static const struct field container_state_terminated_fields[] = {
	{ "exitCode", FIELD_INT32,
	  .offset = offsetof(struct container_state_terminated, exit_code),
	  .flags = FIELD_KEEP_ZERO },
	{ "signal", FIELD_INT32, .offset = offsetof(struct container_state_terminated, signal) },
	{ "reason", FIELD_STRING,
	  .offset = offsetof(struct container_state_terminated, reason) },
	{ "message", FIELD_STRING,
	  .offset = offsetof(struct container_state_terminated, message) },
	{ "startedAt", FIELD_TIME,
	  .offset = offsetof(struct container_state_terminated, started_at) },
	{ "finishedAt", FIELD_TIME,
	  .offset = offsetof(struct container_state_terminated, finished_at) },
};
static const struct schema container_state_terminated_schema = {
	"ContainerStateTerminated", sizeof(struct container_state_terminated),
	FIELDS(container_state_terminated_fields)
};

static const struct field container_state_fields[] = {
	{ "waiting", FIELD_STRUCT, .offset = offsetof(struct container_state, waiting),
	  .flags = FIELD_OPTIONAL, .schema = &container_state_waiting_schema },
	{ "running", FIELD_STRUCT, .offset = offsetof(struct container_state, running),
	  .flags = FIELD_OPTIONAL, .schema = &container_state_running_schema },
	{ "terminated", FIELD_STRUCT, .offset = offsetof(struct container_state, terminated),
	  .flags = FIELD_OPTIONAL, .schema = &container_state_terminated_schema },
};
static const struct schema container_state_schema = {
	"ContainerState", sizeof(struct container_state), FIELDS(container_state_fields)
};

static const struct field container_status_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct container_status, name),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "state", FIELD_STRUCT, .offset = offsetof(struct container_status, state),
	  .schema = &container_state_schema },
	{ "lastState", FIELD_STRUCT, .offset = offsetof(struct container_status, last_state),
	  .schema = &container_state_schema },
	{ "ready", FIELD_BOOL, .offset = offsetof(struct container_status, ready),
	  .flags = FIELD_KEEP_ZERO },
	{ "restartCount", FIELD_INT32,
	  .offset = offsetof(struct container_status, restart_count), .flags = FIELD_KEEP_ZERO },
	{ "image", FIELD_STRING, .offset = offsetof(struct container_status, image),
	  .flags = FIELD_INTERN },
	{ "imageID", FIELD_STRING, .offset = offsetof(struct container_status, image_id),
	  .flags = FIELD_INTERN },
	{ "containerID", FIELD_STRING,
	  .offset = offsetof(struct container_status, container_id) },
	{ "started", FIELD_BOOL, .offset = offsetof(struct container_status, started) },
};
static const struct schema container_status_schema = {
	"ContainerStatus", sizeof(struct container_status), FIELDS(container_status_fields)
};

static const struct field pod_status_fields[] = {
	{ "phase", FIELD_STRING, .offset = offsetof(struct pod_status, phase),
	  .allowed = pod_phases },
	/* Pods that start together go through the same conditions at the
	 * same instants: frozen versions share equal lists (FIELD_SHARE). */
	{ "conditions", FIELD_LIST, .offset = offsetof(struct pod_status, conditions),
	  .flags = FIELD_SHARE, .schema = &condition_schema, .elem = FIELD_STRUCT },
	{ "message", FIELD_STRING, .offset = offsetof(struct pod_status, message) },
	{ "reason", FIELD_STRING, .offset = offsetof(struct pod_status, reason) },
	{ "nominatedNodeName", FIELD_STRING,
	  .offset = offsetof(struct pod_status, nominated_node_name) },
	{ "hostIP", FIELD_STRING, .offset = offsetof(struct pod_status, host_ip),
	  .flags = FIELD_INTERN },
	{ "podIP", FIELD_STRING, .offset = offsetof(struct pod_status, pod_ip) },
	{ "startTime", FIELD_TIME, .offset = offsetof(struct pod_status, start_time) },
	{ "initContainerStatuses", FIELD_LIST,
	  .offset = offsetof(struct pod_status, init_container_statuses),
	  .schema = &container_status_schema, .elem = FIELD_STRUCT },
	{ "containerStatuses", FIELD_LIST,
	  .offset = offsetof(struct pod_status, container_statuses),
	  .schema = &container_status_schema, .elem = FIELD_STRUCT },
	{ "qosClass", FIELD_STRING, .offset = offsetof(struct pod_status, qos_class),
	  .allowed = qos_classes },
};
const struct schema pod_status_schema = {
	"PodStatus", sizeof(struct pod_status), FIELDS(pod_status_fields)
};
