/* api_pod.c - the schema of the Pod and of everything inside a PodSpec.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Pod, PodSpec, Container,
 * Probe, Affinity, Toleration, Volume, PodStatus); defaults from
 * pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Container,
 * SetDefaults_Probe, SetDefaults_HTTPGetAction, SetDefaults_Pod) and the
 * +default tags of types.go (ContainerPort.protocol).
 *
 * These tables are the list of Pod fields kubelab models: a manifest using
 * any other field is refused by decode.c as an unknown field. Fields are in
 * upstream's struct order, which is the order `-o json` prints them in.
 *
 * Defaulting happens in two layers, as upstream's does:
 *   - the tables' .dflt (restartPolicy Always, terminationGracePeriodSeconds
 *     30, probe periods ...) for any PodSpec, in a Pod or in a template;
 *   - pod_spec_set_defaults() for what depends on other fields (a
 *     container's imagePullPolicy depends on its image's tag), also for any
 *     PodSpec; and pod_set_defaults() for what upstream defaults only on a
 *     Pod, never on a template (requests copied from limits, host ports
 *     under hostNetwork).
 */
#include "api_pod.h"
#include "xmalloc.h"

#include <string.h>

/* K8S: SetDefaults_PodSpec + SetDefaults_Container for the hook-only part.
 * Used by every kind that embeds a pod template (api_workloads.c,
 * api_batch.c); not in api_pod.h yet, hence the local prototypes. */

/* ---- enumerations ---- */

static const char *const pod_restart_policies[] = { "Always", "OnFailure", "Never", NULL };
/* An init container with restartPolicy Always is a sidecar; upstream's
 * per-container Never/OnFailure sit behind an alpha feature gate. */
static const char *const container_restart_policies[] = { "Always", NULL };
static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
static const char *const uri_schemes[] = { "HTTP", "HTTPS", NULL };
static const char *const termination_message_policies[] = {
	"File", "FallbackToLogsOnError", NULL
};
static const char *const dns_policies[] = {
	"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", NULL
};
static const char *const toleration_operators[] = { "Exists", "Equal", NULL };
static const char *const taint_effects[] = {
	"NoSchedule", "PreferNoSchedule", "NoExecute", NULL
};
static const char *const unsatisfiable_actions[] = { "DoNotSchedule", "ScheduleAnyway", NULL };
static const char *const inclusion_policies[] = { "Honor", "Ignore", NULL };
static const char *const preemption_policies[] = { "PreemptLowerPriority", "Never", NULL };
static const char *const host_path_types[] = {
	"DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
	"CharDevice", "BlockDevice", NULL
};
static const char *const pod_phases[] = {
	"Pending", "Running", "Succeeded", "Failed", "Unknown", NULL
};
static const char *const qos_classes[] = { "Guaranteed", "Burstable", "BestEffort", NULL };

/* ---- containers ---- */

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
static const struct schema container_schema = {
	"Container", sizeof(struct container), FIELDS(container_fields)
};

/* ---- scheduling constraints ---- */

static const struct field toleration_fields[] = {
	{ "key", FIELD_STRING, .offset = offsetof(struct toleration, key),
	  .flags = FIELD_INTERN },
	/* No default upstream: an empty operator means Equal. */
	{ "operator", FIELD_STRING, .offset = offsetof(struct toleration, operator),
	  .allowed = toleration_operators },
	{ "value", FIELD_STRING, .offset = offsetof(struct toleration, value) },
	/* Empty matches every effect. */
	{ "effect", FIELD_STRING, .offset = offsetof(struct toleration, effect),
	  .allowed = taint_effects },
	{ "tolerationSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct toleration, toleration_seconds) },
};
static const struct schema toleration_schema = {
	"Toleration", sizeof(struct toleration), FIELDS(toleration_fields)
};

/* NodeSelectorRequirement has the shape of a LabelSelectorRequirement
 * (plus the Gt and Lt operators), so both use one schema. */
static const struct field node_selector_term_fields[] = {
	{ "matchExpressions", FIELD_LIST,
	  .offset = offsetof(struct node_selector_term, match_expressions),
	  .schema = &selector_requirement_spec_schema, .elem = FIELD_STRUCT },
	{ "matchFields", FIELD_LIST,
	  .offset = offsetof(struct node_selector_term, match_fields),
	  .schema = &selector_requirement_spec_schema, .elem = FIELD_STRUCT },
};
static const struct schema node_selector_term_schema = {
	"NodeSelectorTerm", sizeof(struct node_selector_term), FIELDS(node_selector_term_fields)
};

static const struct field preferred_scheduling_term_fields[] = {
	{ "weight", FIELD_INT32, .offset = offsetof(struct preferred_scheduling_term, weight),
	  .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
	{ "preference", FIELD_STRUCT,
	  .offset = offsetof(struct preferred_scheduling_term, preference),
	  .flags = FIELD_REQUIRED, .schema = &node_selector_term_schema },
};
static const struct schema preferred_scheduling_term_schema = {
	"PreferredSchedulingTerm", sizeof(struct preferred_scheduling_term),
	FIELDS(preferred_scheduling_term_fields)
};

static const struct field node_selector_fields[] = {
	{ "nodeSelectorTerms", FIELD_LIST,
	  .offset = offsetof(struct node_selector, node_selector_terms),
	  .flags = FIELD_REQUIRED, .schema = &node_selector_term_schema, .elem = FIELD_STRUCT },
};
/* Also used by PersistentVolume's nodeAffinity.required (api_storage.c),
 * hence not static. */
const struct schema node_selector_schema = {
	"NodeSelector", sizeof(struct node_selector), FIELDS(node_selector_fields)
};

static const struct field node_affinity_fields[] = {
	{ "requiredDuringSchedulingIgnoredDuringExecution", FIELD_STRUCT,
	  .offset = offsetof(struct node_affinity, required_during_scheduling_ignored_during_execution),
	  .schema = &node_selector_schema },
	{ "preferredDuringSchedulingIgnoredDuringExecution", FIELD_LIST,
	  .offset = offsetof(struct node_affinity, preferred_during_scheduling_ignored_during_execution),
	  .schema = &preferred_scheduling_term_schema, .elem = FIELD_STRUCT },
};
static const struct schema node_affinity_schema = {
	"NodeAffinity", sizeof(struct node_affinity), FIELDS(node_affinity_fields)
};

static const struct field pod_affinity_term_fields[] = {
	{ "labelSelector", FIELD_STRUCT,
	  .offset = offsetof(struct pod_affinity_term, label_selector),
	  .schema = &label_selector_schema },
	{ "namespaces", FIELD_LIST, .offset = offsetof(struct pod_affinity_term, namespaces),
	  .elem = FIELD_STRING },
	{ "topologyKey", FIELD_STRING,
	  .offset = offsetof(struct pod_affinity_term, topology_key), .flags = FIELD_REQUIRED },
	{ "namespaceSelector", FIELD_STRUCT,
	  .offset = offsetof(struct pod_affinity_term, namespace_selector),
	  .schema = &label_selector_schema },
	{ "matchLabelKeys", FIELD_LIST,
	  .offset = offsetof(struct pod_affinity_term, match_label_keys), .elem = FIELD_STRING },
	{ "mismatchLabelKeys", FIELD_LIST,
	  .offset = offsetof(struct pod_affinity_term, mismatch_label_keys),
	  .elem = FIELD_STRING },
};
static const struct schema pod_affinity_term_schema = {
	"PodAffinityTerm", sizeof(struct pod_affinity_term), FIELDS(pod_affinity_term_fields)
};

static const struct field weighted_pod_affinity_term_fields[] = {
	{ "weight", FIELD_INT32, .offset = offsetof(struct weighted_pod_affinity_term, weight),
	  .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
	{ "podAffinityTerm", FIELD_STRUCT,
	  .offset = offsetof(struct weighted_pod_affinity_term, pod_affinity_term),
	  .flags = FIELD_REQUIRED, .schema = &pod_affinity_term_schema },
};
static const struct schema weighted_pod_affinity_term_schema = {
	"WeightedPodAffinityTerm", sizeof(struct weighted_pod_affinity_term),
	FIELDS(weighted_pod_affinity_term_fields)
};

/* PodAffinity and PodAntiAffinity have the same fields. */
static const struct field pod_affinity_fields[] = {
	{ "requiredDuringSchedulingIgnoredDuringExecution", FIELD_LIST,
	  .offset = offsetof(struct pod_affinity, required_during_scheduling_ignored_during_execution),
	  .schema = &pod_affinity_term_schema, .elem = FIELD_STRUCT },
	{ "preferredDuringSchedulingIgnoredDuringExecution", FIELD_LIST,
	  .offset = offsetof(struct pod_affinity, preferred_during_scheduling_ignored_during_execution),
	  .schema = &weighted_pod_affinity_term_schema, .elem = FIELD_STRUCT },
};
static const struct schema pod_affinity_schema = {
	"PodAffinity", sizeof(struct pod_affinity), FIELDS(pod_affinity_fields)
};

static const struct field affinity_fields[] = {
	{ "nodeAffinity", FIELD_STRUCT, .offset = offsetof(struct affinity, node_affinity),
	  .schema = &node_affinity_schema },
	{ "podAffinity", FIELD_STRUCT, .offset = offsetof(struct affinity, pod_affinity),
	  .schema = &pod_affinity_schema },
	{ "podAntiAffinity", FIELD_STRUCT,
	  .offset = offsetof(struct affinity, pod_anti_affinity),
	  .schema = &pod_affinity_schema },
};
static const struct schema affinity_schema = {
	"Affinity", sizeof(struct affinity), FIELDS(affinity_fields)
};

/* nodeAffinityPolicy and nodeTaintsPolicy have no API default: the
 * scheduler reads an empty one as Honor and Ignore respectively. */
static const struct field topology_spread_constraint_fields[] = {
	{ "maxSkew", FIELD_INT32,
	  .offset = offsetof(struct topology_spread_constraint, max_skew),
	  .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
	{ "topologyKey", FIELD_STRING,
	  .offset = offsetof(struct topology_spread_constraint, topology_key),
	  .flags = FIELD_REQUIRED },
	{ "whenUnsatisfiable", FIELD_STRING,
	  .offset = offsetof(struct topology_spread_constraint, when_unsatisfiable),
	  .flags = FIELD_REQUIRED, .allowed = unsatisfiable_actions },
	{ "labelSelector", FIELD_STRUCT,
	  .offset = offsetof(struct topology_spread_constraint, label_selector),
	  .schema = &label_selector_schema },
	{ "minDomains", FIELD_OPT_INT64,
	  .offset = offsetof(struct topology_spread_constraint, min_domains) },
	{ "nodeAffinityPolicy", FIELD_STRING,
	  .offset = offsetof(struct topology_spread_constraint, node_affinity_policy),
	  .allowed = inclusion_policies },
	{ "nodeTaintsPolicy", FIELD_STRING,
	  .offset = offsetof(struct topology_spread_constraint, node_taints_policy),
	  .allowed = inclusion_policies },
	{ "matchLabelKeys", FIELD_LIST,
	  .offset = offsetof(struct topology_spread_constraint, match_label_keys),
	  .elem = FIELD_STRING },
};
static const struct schema topology_spread_constraint_schema = {
	"TopologySpreadConstraint", sizeof(struct topology_spread_constraint),
	FIELDS(topology_spread_constraint_fields)
};

/* ---- volumes ---- */

static const struct field pvc_volume_source_fields[] = {
	{ "claimName", FIELD_STRING, .offset = offsetof(struct pvc_volume_source, claim_name),
	  .flags = FIELD_REQUIRED },
	{ "readOnly", FIELD_BOOL, .offset = offsetof(struct pvc_volume_source, read_only) },
};
static const struct schema pvc_volume_source_schema = {
	"PersistentVolumeClaimVolumeSource", sizeof(struct pvc_volume_source),
	FIELDS(pvc_volume_source_fields)
};

static const struct field config_map_volume_source_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct config_map_volume_source, name) },
};
static const struct schema config_map_volume_source_schema = {
	"ConfigMapVolumeSource", sizeof(struct config_map_volume_source),
	FIELDS(config_map_volume_source_fields)
};

/* `emptyDir: {}` is all zero, so it reads as absent; a volume with no
 * source at all is an emptyDir upstream (SetDefaults_Volume), and kubelab
 * treats it the same way. */
static const struct field empty_dir_volume_source_fields[] = {
	{ "medium", FIELD_STRING, .offset = offsetof(struct empty_dir_volume_source, medium) },
	{ "sizeLimit", FIELD_QUANTITY,
	  .offset = offsetof(struct empty_dir_volume_source, size_limit) },
};
static const struct schema empty_dir_volume_source_schema = {
	"EmptyDirVolumeSource", sizeof(struct empty_dir_volume_source),
	FIELDS(empty_dir_volume_source_fields)
};

/* Upstream defaults type to "" (HostPathUnset), which prints as type: "". */
static const struct field host_path_volume_source_fields[] = {
	{ "path", FIELD_STRING, .offset = offsetof(struct host_path_volume_source, path),
	  .flags = FIELD_REQUIRED },
	{ "type", FIELD_STRING, .offset = offsetof(struct host_path_volume_source, type),
	  .dflt = "", .allowed = host_path_types },
};
/* Also used by PersistentVolumeSpec.hostPath (api_storage.c), hence not
 * static. */
const struct schema host_path_volume_source_schema = {
	"HostPathVolumeSource", sizeof(struct host_path_volume_source),
	FIELDS(host_path_volume_source_fields)
};

static const struct field volume_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct volume, name),
	  .flags = FIELD_REQUIRED },
	{ "hostPath", FIELD_STRUCT, .offset = offsetof(struct volume, host_path),
	  .flags = FIELD_OPTIONAL, .schema = &host_path_volume_source_schema },
	{ "emptyDir", FIELD_STRUCT, .offset = offsetof(struct volume, empty_dir),
	  .flags = FIELD_OPTIONAL, .schema = &empty_dir_volume_source_schema },
	{ "persistentVolumeClaim", FIELD_STRUCT,
	  .offset = offsetof(struct volume, persistent_volume_claim), .flags = FIELD_OPTIONAL,
	  .schema = &pvc_volume_source_schema },
	{ "configMap", FIELD_STRUCT, .offset = offsetof(struct volume, config_map),
	  .flags = FIELD_OPTIONAL, .schema = &config_map_volume_source_schema },
};
static const struct schema volume_schema = { "Volume", sizeof(struct volume), FIELDS(volume_fields) };

/* ---- the pod spec ---- */

static const struct field pod_spec_fields[] = {
	{ "volumes", FIELD_LIST, .offset = offsetof(struct pod_spec, volumes),
	  .schema = &volume_schema, .elem = FIELD_STRUCT },
	{ "initContainers", FIELD_LIST, .offset = offsetof(struct pod_spec, init_containers),
	  .schema = &container_schema, .elem = FIELD_STRUCT },
	{ "containers", FIELD_LIST, .offset = offsetof(struct pod_spec, containers),
	  .flags = FIELD_REQUIRED, .schema = &container_schema, .elem = FIELD_STRUCT },
	{ "restartPolicy", FIELD_STRING, .offset = offsetof(struct pod_spec, restart_policy),
	  .dflt = "Always", .allowed = pod_restart_policies },
	/* A *int64 upstream: 0 (kill at once) is printed, not omitted. */
	{ "terminationGracePeriodSeconds", FIELD_INT64,
	  .offset = offsetof(struct pod_spec, termination_grace_period_seconds),
	  .flags = FIELD_KEEP_ZERO, .dflt = "30" },
	{ "activeDeadlineSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct pod_spec, active_deadline_seconds) },
	{ "dnsPolicy", FIELD_STRING, .offset = offsetof(struct pod_spec, dns_policy),
	  .dflt = "ClusterFirst", .allowed = dns_policies },
	{ "nodeSelector", FIELD_STRMAP, .offset = offsetof(struct pod_spec, node_selector) },
	{ "serviceAccountName", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, service_account_name) },
	{ "nodeName", FIELD_STRING, .offset = offsetof(struct pod_spec, node_name),
	  .flags = FIELD_INTERN },
	{ "hostNetwork", FIELD_BOOL, .offset = offsetof(struct pod_spec, host_network) },
	{ "hostname", FIELD_STRING, .offset = offsetof(struct pod_spec, hostname) },
	{ "subdomain", FIELD_STRING, .offset = offsetof(struct pod_spec, subdomain) },
	{ "affinity", FIELD_STRUCT, .offset = offsetof(struct pod_spec, affinity),
	  .schema = &affinity_schema },
	{ "schedulerName", FIELD_STRING, .offset = offsetof(struct pod_spec, scheduler_name),
	  .dflt = "default-scheduler" },
	{ "tolerations", FIELD_LIST, .offset = offsetof(struct pod_spec, tolerations),
	  .schema = &toleration_schema, .elem = FIELD_STRUCT },
	{ "priorityClassName", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, priority_class_name) },
	/* Filled from the PriorityClass by admission, not by defaulting. */
	{ "priority", FIELD_OPT_INT64, .offset = offsetof(struct pod_spec, priority) },
	{ "preemptionPolicy", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, preemption_policy),
	  .allowed = preemption_policies },
	{ "overhead", FIELD_RESOURCES, .offset = offsetof(struct pod_spec, overhead) },
	{ "topologySpreadConstraints", FIELD_LIST,
	  .offset = offsetof(struct pod_spec, topology_spread_constraints),
	  .schema = &topology_spread_constraint_schema, .elem = FIELD_STRUCT },
};
const struct schema pod_spec_schema = {
	"PodSpec", sizeof(struct pod_spec), FIELDS(pod_spec_fields)
};

static const struct field pod_template_spec_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct pod_template_spec, metadata),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct pod_template_spec, spec),
	  .schema = &pod_spec_schema },
};
const struct schema pod_template_spec_schema = {
	"PodTemplateSpec", sizeof(struct pod_template_spec), FIELDS(pod_template_spec_fields)
};

/* ---- the pod status (written by the scheduler and the kubelet) ---- */

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
	{ "conditions", FIELD_LIST, .offset = offsetof(struct pod_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
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
static const struct schema pod_status_schema = {
	"PodStatus", sizeof(struct pod_status), FIELDS(pod_status_fields)
};

static const struct field pod_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct pod, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct pod, spec),
	  .schema = &pod_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct pod, status),
	  .schema = &pod_status_schema },
};
static const struct schema pod_schema = { "Pod", sizeof(struct pod), FIELDS(pod_fields) };

/* ---- defaults the tables cannot express ---- */

/* K8S: SetDefaults_Container via parsers.ParseImageName: Always when the
 * tag is "latest" or when there is neither tag nor digest (the tag is then
 * latest implicitly); IfNotPresent otherwise. A tag is a ':' after the last
 * '/', so the port in "registry:5000/web" is not one. */
static const char *default_pull_policy(const char *image)
{
	if (!image || !*image)
		return "IfNotPresent";	/* unparsable: upstream sees no tag */
	const char *slash = strrchr(image, '/');
	const char *name = slash ? slash + 1 : image;
	const char *at = strchr(name, '@');
	const char *colon = strchr(name, ':');
	if (colon && at && colon > at)
		colon = NULL;		/* a ':' inside the digest */
	if (!colon)
		return at ? "IfNotPresent" : "Always";
	size_t tag_len = at ? (size_t)(at - colon - 1) : strlen(colon + 1);
	return tag_len == 6 && !strncmp(colon + 1, "latest", 6) ? "Always" : "IfNotPresent";
}

/* K8S: SetDefaults_ResourceList rounds every amount up (away from zero) to
 * a whole milli-unit: "0.1m" of cpu becomes "1m". */
static void resources_round_up_to_milli(struct resource_list *list)
{
	const __int128 milli = 1000000;	/* nano-units in a milli-unit */
	for (size_t i = 0; i < list->len; i++) {
		struct quantity *q = &list->items[i].quantity;
		__int128 rest = q->nanos % milli;
		if (rest > 0)
			q->nanos += milli - rest;
		else if (rest < 0)
			q->nanos -= milli + rest;
	}
}

static void containers_set_defaults(struct container *items, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		struct container *c = &items[i];
		if (!c->image_pull_policy)
			c->image_pull_policy = xstrdup(default_pull_policy(c->image));
		resources_round_up_to_milli(&c->resources.limits);
		resources_round_up_to_milli(&c->resources.requests);
	}
}

void pod_spec_set_defaults(struct pod_spec *spec)
{
	containers_set_defaults(spec->init_containers.items, spec->init_containers.len);
	containers_set_defaults(spec->containers.items, spec->containers.len);
	resources_round_up_to_milli(&spec->overhead);
}

/* K8S: SetDefaults_Pod: only on a Pod, so that a Deployment's template does
 * not change when the defaulting does. */
static void pod_containers_set_defaults(struct container *items, size_t len,
					bool host_network)
{
	for (size_t i = 0; i < len; i++) {
		struct resource_requirements *r = &items[i].resources;
		/* A limit without a request requests the limit: such a pod is
		 * Guaranteed when every container has limits only. */
		for (size_t j = 0; j < r->limits.len; j++)
			if (!resource_list_get(&r->requests, r->limits.items[j].name))
				resource_list_set(&r->requests, r->limits.items[j].name,
						  &r->limits.items[j].quantity);
		/* With the host's network, a container port is a host port. */
		for (size_t j = 0; host_network && j < items[i].ports.len; j++)
			if (!items[i].ports.items[j].host_port)
				items[i].ports.items[j].host_port =
					items[i].ports.items[j].container_port;
	}
}

static void pod_set_defaults(struct object *obj)
{
	struct pod *pod = object_as(obj, KIND_POD, struct pod);
	pod_spec_set_defaults(&pod->spec);
	pod_containers_set_defaults(pod->spec.containers.items, pod->spec.containers.len,
				    pod->spec.host_network);
	pod_containers_set_defaults(pod->spec.init_containers.items,
				    pod->spec.init_containers.len, pod->spec.host_network);
}

const struct kind_info pod_kind = {
	.id = KIND_POD,
	.kind = "Pod",
	.api_version = "v1",
	.resource = "pods",
	.singular = "pod",
	.short_names = "po",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct pod),
	.schema = &pod_schema,
	.spec_offset = offsetof(struct pod, spec),
	.spec_schema = &pod_spec_schema,
	.status_offset = offsetof(struct pod, status),
	.status_schema = &pod_status_schema,
	.set_defaults = pod_set_defaults,
};
