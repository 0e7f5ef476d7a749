/* api_misc.h - Namespace, ConfigMap, PriorityClass, PodDisruptionBudget,
 * Event, Lease.
 *
 * K8S: core/v1, scheduling/v1, policy/v1, coordination/v1 types.go.
 */
#ifndef KUBELAB_API_MISC_H
#define KUBELAB_API_MISC_H

#include "api_common.h"

struct namespace_spec {
	LIST_OF(char *) finalizers;
};

struct namespace_status {
	char *phase;			/* Active, Terminating */
};

struct namespace {
	struct object obj;
	struct namespace_spec spec;
	struct namespace_status status;
};

struct config_map {
	struct object obj;
	struct strmap data;
	bool immutable;
};

/* K8S: scheduling/v1 PriorityClass; fields at the top level. */
struct priority_class {
	struct object obj;
	int32_t value;
	bool global_default;
	char *description;
	char *preemption_policy;	/* PreemptLowerPriority (default), Never */
};

struct pod_disruption_budget_spec {
	struct int_or_string min_available;
	struct int_or_string max_unavailable;
	struct label_selector selector;
	char *unhealthy_pod_eviction_policy;
};

struct pod_disruption_budget_status {
	int64_t observed_generation;
	int32_t disruptions_allowed;
	int32_t current_healthy;
	int32_t desired_healthy;
	int32_t expected_pods;
	LIST_OF(struct condition) conditions;
};

struct pod_disruption_budget {
	struct object obj;
	struct pod_disruption_budget_spec spec;
	struct pod_disruption_budget_status status;
};

struct event_source {
	char *component;
	char *host;
};

/* K8S: core/v1 Event, as `kubectl get events` shows it. */
struct event {
	struct object obj;
	struct object_reference involved_object;
	char *reason;			/* Scheduled, Pulled, Killing ... */
	char *message;
	struct event_source source;
	ktime_t first_timestamp;
	ktime_t last_timestamp;
	int32_t count;
	char *type;			/* Normal, Warning */
	char *reporting_component;
	char *reporting_instance;
};

struct lease_spec {
	char *holder_identity;
	int32_t lease_duration_seconds;
	ktime_t acquire_time;
	ktime_t renew_time;
	int32_t lease_transitions;
};

struct lease {
	struct object obj;
	struct lease_spec spec;
};

extern const struct kind_info namespace_kind;
extern const struct kind_info config_map_kind;
extern const struct kind_info priority_class_kind;
extern const struct kind_info pod_disruption_budget_kind;
extern const struct kind_info event_kind;
extern const struct kind_info lease_kind;

#endif
