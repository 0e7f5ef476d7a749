/* api_pod.h - the Pod and the types inside it.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Pod, PodSpec, Container,
 * PodStatus). Only the fields kubelab models are here; decode.c rejects
 * others as unknown, so a manifest never silently loses a field.
 */
#ifndef KUBELAB_API_POD_H
#define KUBELAB_API_POD_H

#include "api_common.h"

struct container_port {
	char *name;
	int32_t container_port;
	int32_t host_port;
	char *host_ip;
	char *protocol;			/* default TCP */
};

struct env_var {
	char *name;
	char *value;
};

struct resource_requirements {
	struct resource_list limits;
	struct resource_list requests;
};

struct exec_action {
	LIST_OF(char *) command;
};

struct http_get_action {
	char *path;
	struct int_or_string port;
	char *scheme;
};

struct tcp_socket_action {
	struct int_or_string port;
};

/* K8S: v1.Probe. Absent when all handlers are empty. */
struct probe {
	struct exec_action exec;
	struct http_get_action http_get;
	struct tcp_socket_action tcp_socket;
	int32_t initial_delay_seconds;
	int32_t timeout_seconds;	/* default 1 */
	int32_t period_seconds;		/* default 10 */
	int32_t success_threshold;	/* default 1 */
	int32_t failure_threshold;	/* default 3 */
	struct opt_int64 termination_grace_period_seconds;
};

struct lifecycle_handler {
	struct exec_action exec;
	struct http_get_action http_get;
	struct opt_int64 sleep_seconds;	/* K8S: SleepAction */
};

struct lifecycle {
	struct lifecycle_handler post_start;
	struct lifecycle_handler pre_stop;
};

struct volume_mount {
	char *name;
	char *mount_path;
	bool read_only;
};

struct container {
	char *name;
	char *image;
	char *image_pull_policy;	/* Always, IfNotPresent, Never */
	LIST_OF(char *) command;
	LIST_OF(char *) args;
	LIST_OF(struct container_port) ports;
	LIST_OF(struct env_var) env;
	struct resource_requirements resources;
	LIST_OF(struct volume_mount) volume_mounts;
	struct probe liveness_probe;
	struct probe readiness_probe;
	struct probe startup_probe;
	struct lifecycle lifecycle;
	char *restart_policy;		/* init containers: "Always" = sidecar */
	char *termination_message_policy;
};

/* K8S: v1.Toleration */
struct toleration {
	char *key;
	char *operator;			/* Equal (default) or Exists */
	char *value;
	char *effect;			/* NoSchedule, PreferNoSchedule, NoExecute */
	struct opt_int64 toleration_seconds;
};

struct node_selector_term {
	LIST_OF(struct selector_requirement_spec) match_expressions;
	LIST_OF(struct selector_requirement_spec) match_fields;
};

struct preferred_scheduling_term {
	int32_t weight;
	struct node_selector_term preference;
};

struct node_selector {
	LIST_OF(struct node_selector_term) node_selector_terms;
};

struct node_affinity {
	struct node_selector required_during_scheduling_ignored_during_execution;
	LIST_OF(struct preferred_scheduling_term)
		preferred_during_scheduling_ignored_during_execution;
};

/* K8S: v1.PodAffinityTerm. An absent labelSelector (all-zero here)
 * selects no pod; an absent namespaceSelector with no namespaces means
 * "the pod's own namespace". matchLabelKeys / mismatchLabelKeys are folded
 * into labelSelector by admission at create (admission.c). */
struct pod_affinity_term {
	struct label_selector label_selector;
	LIST_OF(char *) namespaces;
	char *topology_key;
	struct label_selector namespace_selector;
	LIST_OF(char *) match_label_keys;
	LIST_OF(char *) mismatch_label_keys;
};

struct weighted_pod_affinity_term {
	int32_t weight;
	struct pod_affinity_term pod_affinity_term;
};

struct pod_affinity {
	LIST_OF(struct pod_affinity_term)
		required_during_scheduling_ignored_during_execution;
	LIST_OF(struct weighted_pod_affinity_term)
		preferred_during_scheduling_ignored_during_execution;
};

struct affinity {
	struct node_affinity node_affinity;
	struct pod_affinity pod_affinity;
	struct pod_affinity pod_anti_affinity;
};

struct topology_spread_constraint {
	int32_t max_skew;
	char *topology_key;
	char *when_unsatisfiable;	/* DoNotSchedule, ScheduleAnyway */
	struct label_selector label_selector;
	struct opt_int64 min_domains;
	LIST_OF(char *) match_label_keys;
	char *node_affinity_policy;	/* Honor (default), Ignore */
	char *node_taints_policy;	/* Ignore (default), Honor */
};

struct pvc_volume_source {
	char *claim_name;
	bool read_only;
};

struct config_map_volume_source {
	char *name;
};

struct empty_dir_volume_source {
	char *medium;
	struct quantity size_limit;
};

struct host_path_volume_source {
	char *path;
	char *type;
};

/* K8S: v1.Volume; exactly one source is set. */
struct volume {
	char *name;
	struct pvc_volume_source persistent_volume_claim;
	struct config_map_volume_source config_map;
	struct empty_dir_volume_source empty_dir;
	struct host_path_volume_source host_path;
};

struct pod_spec {
	LIST_OF(struct container) init_containers;
	LIST_OF(struct container) containers;
	LIST_OF(struct volume) volumes;
	char *restart_policy;		/* Always (default), OnFailure, Never */
	int64_t termination_grace_period_seconds;	/* default 30 */
	struct opt_int64 active_deadline_seconds;
	char *dns_policy;
	struct strmap node_selector;
	char *service_account_name;
	char *node_name;		/* set by the scheduler's bind */
	bool host_network;
	char *hostname;
	char *subdomain;
	struct affinity affinity;
	char *scheduler_name;		/* default "default-scheduler" */
	LIST_OF(struct toleration) tolerations;
	char *priority_class_name;
	struct opt_int64 priority;	/* resolved from the class on admission */
	char *preemption_policy;
	struct resource_list overhead;
	LIST_OF(struct topology_spread_constraint) topology_spread_constraints;
};

struct container_state_waiting {
	char *reason;			/* ContainerCreating, CrashLoopBackOff ... */
	char *message;
};

struct container_state_running {
	ktime_t started_at;
};

struct container_state_terminated {
	int32_t exit_code;
	int32_t signal;
	char *reason;			/* Completed, Error, OOMKilled */
	char *message;
	ktime_t started_at;
	ktime_t finished_at;
};

/* K8S: v1.ContainerState; at most one of the three is set. */
struct container_state {
	struct container_state_waiting waiting;
	struct container_state_running running;
	struct container_state_terminated terminated;
};

struct container_status {
	char *name;
	struct container_state state;
	struct container_state last_state;
	bool ready;
	int32_t restart_count;
	char *image;
	char *image_id;
	char *container_id;
	bool started;
};

struct pod_status {
	char *phase;			/* Pending, Running, Succeeded, Failed */
	LIST_OF(struct condition) conditions;
	char *message;
	char *reason;
	char *nominated_node_name;
	char *host_ip;
	char *pod_ip;
	ktime_t start_time;
	LIST_OF(struct container_status) init_container_statuses;
	LIST_OF(struct container_status) container_statuses;
	char *qos_class;		/* Guaranteed, Burstable, BestEffort */
};

struct pod {
	struct object obj;
	struct pod_spec spec;
	struct pod_status status;
};

/* K8S: v1.PodTemplateSpec, inside every workload. */
struct pod_template_spec {
	struct object_meta metadata;
	struct pod_spec spec;
};

extern const struct schema pod_spec_schema;
extern const struct schema node_selector_schema;	/* PV nodeAffinity.required */
extern const struct schema host_path_volume_source_schema;

/* Defaults that depend on other fields: imagePullPolicy from the image
 * tag, requests copied from limits, milli round-up of resources. */
void pod_spec_set_defaults(struct pod_spec *spec);
extern const struct schema pod_template_spec_schema;
extern const struct kind_info pod_kind;

#define POD_PHASE_PENDING "Pending"
#define POD_PHASE_RUNNING "Running"
#define POD_PHASE_SUCCEEDED "Succeeded"
#define POD_PHASE_FAILED "Failed"

#endif
