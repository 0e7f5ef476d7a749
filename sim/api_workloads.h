/* api_workloads.h - ReplicaSet, Deployment, StatefulSet, DaemonSet.
 *
 * K8S: staging/src/k8s.io/api/apps/v1/types.go. Defaults follow
 * pkg/apis/apps/v1/defaults.go (replicas 1, maxSurge and maxUnavailable 25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600 ...).
 */
#ifndef KUBELAB_API_WORKLOADS_H
#define KUBELAB_API_WORKLOADS_H

#include "api_pod.h"
#include "api_storage.h"

struct replica_set_spec {
	int32_t replicas;		/* default 1 */
	int32_t min_ready_seconds;
	struct label_selector selector;
	struct pod_template_spec template;
};

struct replica_set_status {
	int32_t replicas;
	int32_t fully_labeled_replicas;
	int32_t ready_replicas;
	int32_t available_replicas;
	int64_t observed_generation;
	LIST_OF(struct condition) conditions;
};

struct replica_set {
	struct object obj;
	struct replica_set_spec spec;
	struct replica_set_status status;
};

struct rolling_update_deployment {
	struct int_or_string max_unavailable;	/* default 25% */
	struct int_or_string max_surge;		/* default 25% */
};

struct deployment_strategy {
	char *type;			/* RollingUpdate (default), Recreate */
	struct rolling_update_deployment rolling_update;
};

struct deployment_spec {
	int32_t replicas;		/* default 1 */
	struct label_selector selector;
	struct pod_template_spec template;
	struct deployment_strategy strategy;
	int32_t min_ready_seconds;
	int32_t revision_history_limit;	/* default 10 */
	bool paused;
	int32_t progress_deadline_seconds;	/* default 600 */
};

struct deployment_status {
	int64_t observed_generation;
	int32_t replicas;
	int32_t updated_replicas;
	int32_t ready_replicas;
	int32_t available_replicas;
	int32_t unavailable_replicas;
	LIST_OF(struct condition) conditions;
	int32_t collision_count;
};

struct deployment {
	struct object obj;
	struct deployment_spec spec;
	struct deployment_status status;
};

struct persistent_volume_claim_template {
	struct object_meta metadata;
	struct persistent_volume_claim_spec spec;
};

struct rolling_update_stateful_set {
	int32_t partition;
	struct int_or_string max_unavailable;
};

struct stateful_set_update_strategy {
	char *type;			/* RollingUpdate (default), OnDelete */
	struct rolling_update_stateful_set rolling_update;
};

struct stateful_set_pvc_retention_policy {
	char *when_deleted;		/* Retain (default), Delete */
	char *when_scaled;		/* Retain (default), Delete */
};

struct stateful_set_spec {
	int32_t replicas;		/* default 1 */
	struct label_selector selector;
	struct pod_template_spec template;
	LIST_OF(struct persistent_volume_claim_template) volume_claim_templates;
	char *service_name;
	char *pod_management_policy;	/* OrderedReady (default), Parallel */
	struct stateful_set_update_strategy update_strategy;
	int32_t revision_history_limit;	/* default 10 */
	int32_t min_ready_seconds;
	struct stateful_set_pvc_retention_policy
		persistent_volume_claim_retention_policy;
};

struct stateful_set_status {
	int64_t observed_generation;
	int32_t replicas;
	int32_t ready_replicas;
	int32_t current_replicas;
	int32_t updated_replicas;
	int32_t available_replicas;
	char *current_revision;
	char *update_revision;
	int32_t collision_count;
	LIST_OF(struct condition) conditions;
};

struct stateful_set {
	struct object obj;
	struct stateful_set_spec spec;
	struct stateful_set_status status;
};

struct rolling_update_daemon_set {
	struct int_or_string max_unavailable;	/* default 1 */
	struct int_or_string max_surge;		/* default 0 */
};

struct daemon_set_update_strategy {
	char *type;			/* RollingUpdate (default), OnDelete */
	struct rolling_update_daemon_set rolling_update;
};

struct daemon_set_spec {
	struct label_selector selector;
	struct pod_template_spec template;
	struct daemon_set_update_strategy update_strategy;
	int32_t min_ready_seconds;
	int32_t revision_history_limit;	/* default 10 */
};

struct daemon_set_status {
	int32_t current_number_scheduled;
	int32_t number_misscheduled;
	int32_t desired_number_scheduled;
	int32_t number_ready;
	int64_t observed_generation;
	int32_t updated_number_scheduled;
	int32_t number_available;
	int32_t number_unavailable;
	int32_t collision_count;	/* bumped on a revision name collision */
	LIST_OF(struct condition) conditions;
};

struct daemon_set {
	struct object obj;
	struct daemon_set_spec spec;
	struct daemon_set_status status;
};

/* K8S: apps/v1 ControllerRevision: an immutable snapshot of a
 * StatefulSet's or DaemonSet's pod template, owned by it. Upstream's data
 * is a raw JSON patch, {"spec":{"template":{...,"$patch":"replace"}}};
 * kubelab keeps its one meaningful part typed, data.spec.template (the
 * "$patch" marker is implied). */
struct controller_revision_data_spec {
	struct pod_template_spec template;
};

struct controller_revision_data {
	struct controller_revision_data_spec spec;
};

struct controller_revision {
	struct object obj;
	struct controller_revision_data data;
	int64_t revision;		/* 1, 2, ...: the order of the history */
};

extern const struct kind_info replica_set_kind;
extern const struct kind_info deployment_kind;
extern const struct kind_info stateful_set_kind;
extern const struct kind_info daemon_set_kind;
extern const struct kind_info controller_revision_kind;

#endif
