/* api_pod_container.c - the schema of a Container and of what it holds.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Container, ContainerPort,
 * EnvVar, ResourceRequirements, Probe and its handlers, Lifecycle,
 * VolumeMount); defaults from pkg/apis/core/v1/defaults.go
 * (SetDefaults_Container, SetDefaults_Probe, SetDefaults_HTTPGetAction) and
 * the +default tags of types.go (ContainerPort.protocol).
 *
 * A container is an image to run, with its ports, environment, resource
 * requests and limits, probes (liveness, readiness, startup) and lifecycle
 * hooks. These tables list the container fields kubelab models, in
 * upstream's struct order; the table defaults (probe periods, the httpGet
 * path and scheme, the port protocol) apply to any PodSpec. What depends on
 * other fields (imagePullPolicy from the image's tag) is in api_pod.c.
 *
 * Interface: container_schema (api_pod_internal.h), for the PodSpec's
 * containers and initContainers.
 * Invariants: the tables are constant; a handler of a probe or a hook is
 * FIELD_OPTIONAL, so one nobody wrote stays absent.
 * See also: api_pod.c (PodSpec, defaulting), api_pod.h (the C structs).
 */
#include "api_pod_internal.h"

/* ---- enumerations ---- */

/* An init container with restartPolicy Always is a sidecar; upstream's
 * per-container Never/OnFailure sit behind an alpha feature gate. */
static const char *const container_restart_policies[] = { "Always", NULL };
static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
static const char *const uri_schemes[] = { "HTTP", "HTTPS", NULL };
static const char *const termination_message_policies[] = {
	"File", "FallbackToLogsOnError", NULL
};

static const struct field container_port_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct container_port, name) },
	{ "hostPort", FIELD_INT32, .offset = offsetof(struct container_port, host_port) },
	{ "containerPort", FIELD_INT32,
	  .offset = offsetof(struct container_port, container_port), .flags = FIELD_REQUIRED },
	{ "protocol", FIELD_STRING, .offset = offsetof(struct container_port, protocol),
	  .dflt = "TCP", .allowed = protocols },
	{ "hostIP", FIELD_STRING, .offset = offsetof(struct container_port, host_ip) },
};
static const struct schema container_port_schema = {
	"ContainerPort", sizeof(struct container_port), FIELDS(container_port_fields)
};

static const struct field env_var_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct env_var, name),
	  .flags = FIELD_REQUIRED },
	{ "value", FIELD_STRING, .offset = offsetof(struct env_var, value) },
};
static const struct schema env_var_schema = {
	"EnvVar", sizeof(struct env_var), FIELDS(env_var_fields)
};

static const struct field resource_requirements_fields[] = {
	{ "limits", FIELD_RESOURCES, .offset = offsetof(struct resource_requirements, limits) },
	{ "requests", FIELD_RESOURCES,
	  .offset = offsetof(struct resource_requirements, requests) },
};
static const struct schema resource_requirements_schema = {
	"ResourceRequirements", sizeof(struct resource_requirements),
	FIELDS(resource_requirements_fields)
};

static const struct field exec_action_fields[] = {
	{ "command", FIELD_LIST, .offset = offsetof(struct exec_action, command),
	  .elem = FIELD_STRING },
};
static const struct schema exec_action_schema = {
	"ExecAction", sizeof(struct exec_action), FIELDS(exec_action_fields)
};

static const struct field http_get_action_fields[] = {
	{ "path", FIELD_STRING, .offset = offsetof(struct http_get_action, path), .dflt = "/" },
	{ "port", FIELD_INT_OR_STRING, .offset = offsetof(struct http_get_action, port),
	  .flags = FIELD_REQUIRED },
	{ "scheme", FIELD_STRING, .offset = offsetof(struct http_get_action, scheme),
	  .dflt = "HTTP", .allowed = uri_schemes },
};
static const struct schema http_get_action_schema = {
	"HTTPGetAction", sizeof(struct http_get_action), FIELDS(http_get_action_fields)
};

static const struct field tcp_socket_action_fields[] = {
	{ "port", FIELD_INT_OR_STRING, .offset = offsetof(struct tcp_socket_action, port),
	  .flags = FIELD_REQUIRED },
};
static const struct schema tcp_socket_action_schema = {
	"TCPSocketAction", sizeof(struct tcp_socket_action), FIELDS(tcp_socket_action_fields)
};

/* The handlers are FIELD_OPTIONAL: an httpGet the user did not write must
 * not appear just because its path has a default. */
static const struct field probe_fields[] = {
	{ "exec", FIELD_STRUCT, .offset = offsetof(struct probe, exec),
	  .flags = FIELD_OPTIONAL, .schema = &exec_action_schema },
	{ "httpGet", FIELD_STRUCT, .offset = offsetof(struct probe, http_get),
	  .flags = FIELD_OPTIONAL, .schema = &http_get_action_schema },
	{ "tcpSocket", FIELD_STRUCT, .offset = offsetof(struct probe, tcp_socket),
	  .flags = FIELD_OPTIONAL, .schema = &tcp_socket_action_schema },
	{ "initialDelaySeconds", FIELD_INT32,
	  .offset = offsetof(struct probe, initial_delay_seconds) },
	{ "timeoutSeconds", FIELD_INT32, .offset = offsetof(struct probe, timeout_seconds),
	  .dflt = "1" },
	{ "periodSeconds", FIELD_INT32, .offset = offsetof(struct probe, period_seconds),
	  .dflt = "10" },
	{ "successThreshold", FIELD_INT32, .offset = offsetof(struct probe, success_threshold),
	  .dflt = "1" },
	{ "failureThreshold", FIELD_INT32, .offset = offsetof(struct probe, failure_threshold),
	  .dflt = "3" },
	{ "terminationGracePeriodSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct probe, termination_grace_period_seconds) },
};
static const struct schema probe_schema = { "Probe", sizeof(struct probe), FIELDS(probe_fields) };

/* K8S: SleepAction is {seconds: N}. kubelab keeps the number as an
 * opt_int64 in the handler; this one-field schema describes that opt_int64
 * itself (offset 0), so `sleep: {seconds: 5}` decodes into it. */
static const struct field sleep_action_fields[] = {
	{ "seconds", FIELD_OPT_INT64, .offset = 0, .flags = FIELD_REQUIRED },
};
static const struct schema sleep_action_schema = {
	"SleepAction", sizeof(struct opt_int64), FIELDS(sleep_action_fields)
};

static const struct field lifecycle_handler_fields[] = {
	{ "exec", FIELD_STRUCT, .offset = offsetof(struct lifecycle_handler, exec),
	  .flags = FIELD_OPTIONAL, .schema = &exec_action_schema },
	{ "httpGet", FIELD_STRUCT, .offset = offsetof(struct lifecycle_handler, http_get),
	  .flags = FIELD_OPTIONAL, .schema = &http_get_action_schema },
	{ "sleep", FIELD_STRUCT, .offset = offsetof(struct lifecycle_handler, sleep_seconds),
	  .flags = FIELD_OPTIONAL, .schema = &sleep_action_schema },
};
static const struct schema lifecycle_handler_schema = {
	"LifecycleHandler", sizeof(struct lifecycle_handler), FIELDS(lifecycle_handler_fields)
};

static const struct field lifecycle_fields[] = {
	{ "postStart", FIELD_STRUCT, .offset = offsetof(struct lifecycle, post_start),
	  .flags = FIELD_OPTIONAL, .schema = &lifecycle_handler_schema },
	{ "preStop", FIELD_STRUCT, .offset = offsetof(struct lifecycle, pre_stop),
	  .flags = FIELD_OPTIONAL, .schema = &lifecycle_handler_schema },
};
static const struct schema lifecycle_schema = {
	"Lifecycle", sizeof(struct lifecycle), FIELDS(lifecycle_fields)
};

static const struct field volume_mount_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct volume_mount, name),
	  .flags = FIELD_REQUIRED },
	{ "readOnly", FIELD_BOOL, .offset = offsetof(struct volume_mount, read_only) },
	{ "mountPath", FIELD_STRING, .offset = offsetof(struct volume_mount, mount_path),
	  .flags = FIELD_REQUIRED },
};
static const struct schema volume_mount_schema = {
	"VolumeMount", sizeof(struct volume_mount), FIELDS(volume_mount_fields)
};

/* imagePullPolicy has no table default: it depends on the image's tag
 * (pod_spec_set_defaults). */
static const struct field container_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct container, name),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "image", FIELD_STRING, .offset = offsetof(struct container, image),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "command", FIELD_LIST, .offset = offsetof(struct container, command),
	  .elem = FIELD_STRING },
	{ "args", FIELD_LIST, .offset = offsetof(struct container, args), .elem = FIELD_STRING },
	{ "ports", FIELD_LIST, .offset = offsetof(struct container, ports),
	  .schema = &container_port_schema, .elem = FIELD_STRUCT },
	{ "env", FIELD_LIST, .offset = offsetof(struct container, env),
	  .schema = &env_var_schema, .elem = FIELD_STRUCT },
	{ "resources", FIELD_STRUCT, .offset = offsetof(struct container, resources),
	  .schema = &resource_requirements_schema },
	{ "restartPolicy", FIELD_STRING, .offset = offsetof(struct container, restart_policy),
	  .allowed = container_restart_policies },
	{ "volumeMounts", FIELD_LIST, .offset = offsetof(struct container, volume_mounts),
	  .schema = &volume_mount_schema, .elem = FIELD_STRUCT },
	{ "livenessProbe", FIELD_STRUCT, .offset = offsetof(struct container, liveness_probe),
	  .flags = FIELD_OPTIONAL, .schema = &probe_schema },
	{ "readinessProbe", FIELD_STRUCT,
	  .offset = offsetof(struct container, readiness_probe), .flags = FIELD_OPTIONAL,
	  .schema = &probe_schema },
	{ "startupProbe", FIELD_STRUCT, .offset = offsetof(struct container, startup_probe),
	  .flags = FIELD_OPTIONAL, .schema = &probe_schema },
	{ "lifecycle", FIELD_STRUCT, .offset = offsetof(struct container, lifecycle),
	  .flags = FIELD_OPTIONAL, .schema = &lifecycle_schema },
	{ "terminationMessagePolicy", FIELD_STRING,
	  .offset = offsetof(struct container, termination_message_policy), .dflt = "File",
	  .allowed = termination_message_policies },
	{ "imagePullPolicy", FIELD_STRING,
	  .offset = offsetof(struct container, image_pull_policy), .allowed = pull_policies },
};
const struct schema container_schema = {
	"Container", sizeof(struct container), FIELDS(container_fields)
};
