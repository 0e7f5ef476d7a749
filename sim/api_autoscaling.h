/* api_autoscaling.h - HorizontalPodAutoscaler (autoscaling/v2).
 *
 * K8S: staging/src/k8s.io/api/autoscaling/v2/types.go; defaults from
 * pkg/apis/autoscaling/v2/defaults.go.
 *
 * An HPA names a workload with a scale subresource (scaleTargetRef: a
 * Deployment, ReplicaSet or StatefulSet), bounds (minReplicas,
 * maxReplicas), the metrics to follow and, optionally, how fast to move
 * (behavior). The horizontal-pod-autoscaler controller (ctrl_hpa.c)
 * writes what it measured and decided into status.
 *
 * kubelab models the metric sources Resource (cpu, memory; target
 * Utilization or AverageValue) and Pods (a named per-pod metric with an
 * AverageValue target). Object, External and ContainerResource are not
 * modelled (the API server would accept them; kubelab's decoder refuses
 * the unknown type).
 */
#ifndef KUBELAB_API_AUTOSCALING_H
#define KUBELAB_API_AUTOSCALING_H

#include "api_common.h"

/* Metric source types (MetricSpec.type). */
#define HPA_METRIC_RESOURCE	"Resource"
#define HPA_METRIC_PODS		"Pods"
/* Target types (MetricTarget.type). */
#define HPA_TARGET_UTILIZATION	"Utilization"
#define HPA_TARGET_AVERAGE_VALUE "AverageValue"
#define HPA_TARGET_VALUE	"Value"

/* K8S: CrossVersionObjectReference */
struct hpa_target_ref {
	char *api_version;		/* "apps/v1" */
	char *kind;			/* Deployment, ReplicaSet, StatefulSet */
	char *name;
};

/* K8S: MetricTarget. averageUtilization is a percentage of the pods'
 * requests (Resource only); averageValue a quantity per pod. */
struct hpa_metric_target {
	char *type;			/* Utilization, AverageValue, Value */
	int32_t average_utilization;	/* 0: unset (must be > 0 when set) */
	struct quantity average_value;	/* zero: unset */
	struct quantity value;
};

/* K8S: MetricIdentifier (the selector is not modelled). */
struct hpa_metric_identifier {
	char *name;
};

struct hpa_resource_metric {
	char *name;			/* cpu, memory */
	struct hpa_metric_target target;
};

struct hpa_pods_metric {
	struct hpa_metric_identifier metric;
	struct hpa_metric_target target;
};

/* K8S: MetricSpec: one of resource/pods, as type says. */
struct hpa_metric_spec {
	char *type;			/* Resource, Pods */
	struct hpa_resource_metric resource;
	struct hpa_pods_metric pods;
};

/* K8S: HPAScalingPolicy: at most value pods (or percent) per period. */
struct hpa_scaling_policy {
	char *type;			/* Pods, Percent */
	int32_t value;
	int32_t period_seconds;
};

/* K8S: HPAScalingRules. */
struct hpa_scaling_rules {
	struct opt_int64 stabilization_window_seconds;
	char *select_policy;		/* Max (default), Min, Disabled */
	LIST_OF(struct hpa_scaling_policy) policies;
};

/* K8S: HorizontalPodAutoscalerBehavior. All zero: not set (the
 * controller then uses its legacy rules, as upstream). */
struct hpa_behavior {
	struct hpa_scaling_rules scale_up;
	struct hpa_scaling_rules scale_down;
};

struct hpa_spec {
	struct hpa_target_ref scale_target_ref;
	int32_t min_replicas;		/* default 1 */
	int32_t max_replicas;
	LIST_OF(struct hpa_metric_spec) metrics;	/* default: cpu 80% */
	struct hpa_behavior behavior;
};

/* K8S: MetricValueStatus. */
struct hpa_metric_value {
	struct opt_int64 average_utilization;	/* a percentage */
	struct quantity average_value;
	struct quantity value;
};

struct hpa_resource_status {
	char *name;
	struct hpa_metric_value current;
};

struct hpa_pods_status {
	struct hpa_metric_identifier metric;
	struct hpa_metric_value current;
};

/* K8S: MetricStatus: what the controller measured for one metric. */
struct hpa_metric_status {
	char *type;
	struct hpa_resource_status resource;
	struct hpa_pods_status pods;
};

struct hpa_status {
	int64_t observed_generation;
	ktime_t last_scale_time;
	int32_t current_replicas;
	int32_t desired_replicas;
	LIST_OF(struct hpa_metric_status) current_metrics;
	/* AbleToScale, ScalingActive, ScalingLimited */
	LIST_OF(struct condition) conditions;
};

struct horizontal_pod_autoscaler {
	struct object obj;
	struct hpa_spec spec;
	struct hpa_status status;
};

extern const struct kind_info horizontal_pod_autoscaler_kind;
extern const struct schema hpa_scaling_rules_schema;

/* K8S: GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: fills what a
 * set behavior leaves out (policies, selectPolicy, the scale-up window).
 * The scale-down window stays unset: the controller fills it with its
 * --horizontal-pod-autoscaler-downscale-stabilization (5m). */
void hpa_behavior_set_defaults(struct hpa_behavior *behavior);
/* True when spec.behavior was written. */
bool hpa_behavior_is_set(const struct hpa_behavior *behavior);

#endif
