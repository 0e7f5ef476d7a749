/* api_autoscaling.c - the schema of HorizontalPodAutoscaler
 * (autoscaling/v2) and its defaults.
 *
 * K8S: staging/src/k8s.io/api/autoscaling/v2/types.go;
 * pkg/apis/autoscaling/v2/defaults.go (SetDefaults_HorizontalPodAutoscaler,
 * GenerateHPAScaleUpRules, GenerateHPAScaleDownRules).
 *
 * Defaults, as the API server applies them: minReplicas 1; no metrics
 * means one, cpu at 80% utilization; a behavior that is written gets the
 * missing parts of its rules (scale up: no stabilization, the larger of
 * +4 pods and +100% per 15 s; scale down: 100% per 15 s, and a window the
 * controller supplies). A behavior not written stays unset.
 */
#include "api_autoscaling.h"

#include <string.h>

#include "xmalloc.h"

static const char *const metric_types[] = { HPA_METRIC_RESOURCE, HPA_METRIC_PODS, NULL };
static const char *const target_types[] = {
	HPA_TARGET_UTILIZATION, HPA_TARGET_AVERAGE_VALUE, HPA_TARGET_VALUE, NULL
};
static const char *const select_policies[] = { "Max", "Min", "Disabled", NULL };
static const char *const policy_types[] = { "Pods", "Percent", NULL };

#define F(json, type_, container, member) \
	.name = (json), .type = (type_), .offset = offsetof(container, member)

static const struct field target_ref_fields[] = {
	{ F("apiVersion", FIELD_STRING, struct hpa_target_ref, api_version) },
	{ F("kind", FIELD_STRING, struct hpa_target_ref, kind), .flags = FIELD_REQUIRED },
	{ F("name", FIELD_STRING, struct hpa_target_ref, name), .flags = FIELD_REQUIRED },
};
static const struct schema target_ref_schema = {
	"CrossVersionObjectReference", sizeof(struct hpa_target_ref), FIELDS(target_ref_fields)
};

static const struct field metric_target_fields[] = {
	{ F("type", FIELD_STRING, struct hpa_metric_target, type), .flags = FIELD_REQUIRED,
	  .allowed = target_types },
	{ F("averageUtilization", FIELD_INT32, struct hpa_metric_target, average_utilization) },
	{ F("averageValue", FIELD_QUANTITY, struct hpa_metric_target, average_value) },
	{ F("value", FIELD_QUANTITY, struct hpa_metric_target, value) },
};
static const struct schema metric_target_schema = {
	"MetricTarget", sizeof(struct hpa_metric_target), FIELDS(metric_target_fields)
};

static const struct field metric_identifier_fields[] = {
	{ F("name", FIELD_STRING, struct hpa_metric_identifier, name), .flags = FIELD_REQUIRED },
};
static const struct schema metric_identifier_schema = {
	"MetricIdentifier", sizeof(struct hpa_metric_identifier), FIELDS(metric_identifier_fields)
};

static const struct field resource_metric_fields[] = {
	{ F("name", FIELD_STRING, struct hpa_resource_metric, name), .flags = FIELD_REQUIRED },
	{ F("target", FIELD_STRUCT, struct hpa_resource_metric, target),
	  .schema = &metric_target_schema, .flags = FIELD_REQUIRED },
};
static const struct schema resource_metric_schema = {
	"ResourceMetricSource", sizeof(struct hpa_resource_metric), FIELDS(resource_metric_fields)
};

static const struct field pods_metric_fields[] = {
	{ F("metric", FIELD_STRUCT, struct hpa_pods_metric, metric),
	  .schema = &metric_identifier_schema, .flags = FIELD_REQUIRED },
	{ F("target", FIELD_STRUCT, struct hpa_pods_metric, target),
	  .schema = &metric_target_schema, .flags = FIELD_REQUIRED },
};
static const struct schema pods_metric_schema = {
	"PodsMetricSource", sizeof(struct hpa_pods_metric), FIELDS(pods_metric_fields)
};

static const struct field metric_spec_fields[] = {
	{ F("type", FIELD_STRING, struct hpa_metric_spec, type), .flags = FIELD_REQUIRED,
	  .allowed = metric_types },
	{ F("resource", FIELD_STRUCT, struct hpa_metric_spec, resource),
	  .schema = &resource_metric_schema, .flags = FIELD_OPTIONAL },
	{ F("pods", FIELD_STRUCT, struct hpa_metric_spec, pods),
	  .schema = &pods_metric_schema, .flags = FIELD_OPTIONAL },
};
static const struct schema metric_spec_schema = {
	"MetricSpec", sizeof(struct hpa_metric_spec), FIELDS(metric_spec_fields)
};

static const struct field policy_fields[] = {
	{ F("type", FIELD_STRING, struct hpa_scaling_policy, type), .flags = FIELD_REQUIRED,
	  .allowed = policy_types },
	{ F("value", FIELD_INT32, struct hpa_scaling_policy, value), .flags = FIELD_REQUIRED },
	{ F("periodSeconds", FIELD_INT32, struct hpa_scaling_policy, period_seconds),
	  .flags = FIELD_REQUIRED },
};
static const struct schema policy_schema = {
	"HPAScalingPolicy", sizeof(struct hpa_scaling_policy), FIELDS(policy_fields)
};

static const struct field scaling_rules_fields[] = {
	{ F("stabilizationWindowSeconds", FIELD_OPT_INT64, struct hpa_scaling_rules,
	    stabilization_window_seconds) },
	{ F("selectPolicy", FIELD_STRING, struct hpa_scaling_rules, select_policy),
	  .allowed = select_policies },
	{ F("policies", FIELD_LIST, struct hpa_scaling_rules, policies),
	  .schema = &policy_schema, .elem = FIELD_STRUCT },
};
const struct schema hpa_scaling_rules_schema = {
	"HPAScalingRules", sizeof(struct hpa_scaling_rules), FIELDS(scaling_rules_fields)
};

static const struct field behavior_fields[] = {
	{ F("scaleUp", FIELD_STRUCT, struct hpa_behavior, scale_up),
	  .schema = &hpa_scaling_rules_schema, .flags = FIELD_OPTIONAL },
	{ F("scaleDown", FIELD_STRUCT, struct hpa_behavior, scale_down),
	  .schema = &hpa_scaling_rules_schema, .flags = FIELD_OPTIONAL },
};
static const struct schema behavior_schema = {
	"HorizontalPodAutoscalerBehavior", sizeof(struct hpa_behavior), FIELDS(behavior_fields)
};

static const struct field spec_fields[] = {
	{ F("scaleTargetRef", FIELD_STRUCT, struct hpa_spec, scale_target_ref),
	  .schema = &target_ref_schema, .flags = FIELD_REQUIRED },
	{ F("minReplicas", FIELD_INT32, struct hpa_spec, min_replicas), .dflt = "1" },
	{ F("maxReplicas", FIELD_INT32, struct hpa_spec, max_replicas), .flags = FIELD_REQUIRED },
	{ F("metrics", FIELD_LIST, struct hpa_spec, metrics),
	  .schema = &metric_spec_schema, .elem = FIELD_STRUCT },
	{ F("behavior", FIELD_STRUCT, struct hpa_spec, behavior),
	  .schema = &behavior_schema, .flags = FIELD_OPTIONAL },
};
static const struct schema spec_schema = {
	"HorizontalPodAutoscalerSpec", sizeof(struct hpa_spec), FIELDS(spec_fields)
};

/* Measured values print even when zero: "averageValue: 0" is an idle pod. */
static const struct field metric_value_fields[] = {
	{ F("averageUtilization", FIELD_OPT_INT64, struct hpa_metric_value,
	    average_utilization) },
	{ F("averageValue", FIELD_QUANTITY, struct hpa_metric_value, average_value),
	  .flags = FIELD_KEEP_ZERO },
};
static const struct schema metric_value_schema = {
	"MetricValueStatus", sizeof(struct hpa_metric_value), FIELDS(metric_value_fields)
};

static const struct field resource_status_fields[] = {
	{ F("name", FIELD_STRING, struct hpa_resource_status, name) },
	{ F("current", FIELD_STRUCT, struct hpa_resource_status, current),
	  .schema = &metric_value_schema },
};
static const struct schema resource_status_schema = {
	"ResourceMetricStatus", sizeof(struct hpa_resource_status), FIELDS(resource_status_fields)
};

static const struct field pods_status_fields[] = {
	{ F("metric", FIELD_STRUCT, struct hpa_pods_status, metric),
	  .schema = &metric_identifier_schema },
	{ F("current", FIELD_STRUCT, struct hpa_pods_status, current),
	  .schema = &metric_value_schema },
};
static const struct schema pods_status_schema = {
	"PodsMetricStatus", sizeof(struct hpa_pods_status), FIELDS(pods_status_fields)
};

static const struct field metric_status_fields[] = {
	{ F("type", FIELD_STRING, struct hpa_metric_status, type), .allowed = metric_types },
	{ F("resource", FIELD_STRUCT, struct hpa_metric_status, resource),
	  .schema = &resource_status_schema, .flags = FIELD_OPTIONAL },
	{ F("pods", FIELD_STRUCT, struct hpa_metric_status, pods),
	  .schema = &pods_status_schema, .flags = FIELD_OPTIONAL },
};
static const struct schema metric_status_schema = {
	"MetricStatus", sizeof(struct hpa_metric_status), FIELDS(metric_status_fields)
};

/* currentReplicas and desiredReplicas have no omitempty upstream. */
static const struct field status_fields[] = {
	{ F("observedGeneration", FIELD_INT64, struct hpa_status, observed_generation) },
	{ F("lastScaleTime", FIELD_TIME, struct hpa_status, last_scale_time) },
	{ F("currentReplicas", FIELD_INT32, struct hpa_status, current_replicas),
	  .flags = FIELD_KEEP_ZERO },
	{ F("desiredReplicas", FIELD_INT32, struct hpa_status, desired_replicas),
	  .flags = FIELD_KEEP_ZERO },
	{ F("currentMetrics", FIELD_LIST, struct hpa_status, current_metrics),
	  .schema = &metric_status_schema, .elem = FIELD_STRUCT },
	{ F("conditions", FIELD_LIST, struct hpa_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
};
static const struct schema status_schema = {
	"HorizontalPodAutoscalerStatus", sizeof(struct hpa_status), FIELDS(status_fields)
};

static const struct field hpa_fields[] = {
	{ F("metadata", FIELD_STRUCT, struct horizontal_pod_autoscaler, obj.meta),
	  .schema = &object_meta_schema },
	{ F("spec", FIELD_STRUCT, struct horizontal_pod_autoscaler, spec),
	  .schema = &spec_schema },
	{ F("status", FIELD_STRUCT, struct horizontal_pod_autoscaler, status),
	  .schema = &status_schema },
};
static const struct schema hpa_schema = {
	"HorizontalPodAutoscaler", sizeof(struct horizontal_pod_autoscaler), FIELDS(hpa_fields)
};

/* ---- defaults ------------------------------------------------------------ */

static void add_policy(struct hpa_scaling_rules *rules, const char *type, int32_t value,
		       int32_t period)
{
	size_t cap = rules->policies.len;
	xgrow((void **)&rules->policies.items, &cap, rules->policies.len + 1,
	      sizeof(*rules->policies.items));
	rules->policies.items[rules->policies.len++] = (struct hpa_scaling_policy){
		.type = xstrdup(type), .value = value, .period_seconds = period,
	};
}

bool hpa_behavior_is_set(const struct hpa_behavior *behavior)
{
	return !schema_value_is_zero(FIELD_STRUCT, &behavior_schema, behavior);
}

void hpa_behavior_set_defaults(struct hpa_behavior *behavior)
{
	struct hpa_scaling_rules *up = &behavior->scale_up, *down = &behavior->scale_down;
	/* K8S: GenerateHPAScaleUpRules: no window, the faster of +4 pods
	 * and +100% every 15 s. */
	if (!up->stabilization_window_seconds.is_set)
		up->stabilization_window_seconds = (struct opt_int64){ true, 0 };
	if (!up->select_policy)
		up->select_policy = xstrdup("Max");
	if (!up->policies.len) {
		add_policy(up, "Pods", 4, 15);
		add_policy(up, "Percent", 100, 15);
	}
	/* K8S: GenerateHPAScaleDownRules: down to 0% of the replicas every
	 * 15 s; the window is left to the controller. */
	if (!down->select_policy)
		down->select_policy = xstrdup("Max");
	if (!down->policies.len)
		add_policy(down, "Percent", 100, 15);
}

static void hpa_set_defaults(struct object *obj)
{
	struct horizontal_pod_autoscaler *hpa = (struct horizontal_pod_autoscaler *)obj;
	/* K8S: autoscaling.DefaultCPUUtilization = 80. */
	if (!hpa->spec.metrics.len) {
		hpa->spec.metrics.items = xcalloc(1, sizeof(*hpa->spec.metrics.items));
		hpa->spec.metrics.len = 1;
		struct hpa_metric_spec *m = &hpa->spec.metrics.items[0];
		m->type = xstrdup(HPA_METRIC_RESOURCE);
		m->resource.name = xstrdup("cpu");
		m->resource.target.type = xstrdup(HPA_TARGET_UTILIZATION);
		m->resource.target.average_utilization = 80;
	}
	if (hpa_behavior_is_set(&hpa->spec.behavior))
		hpa_behavior_set_defaults(&hpa->spec.behavior);
}

const struct kind_info horizontal_pod_autoscaler_kind = {
	.id = KIND_HORIZONTALPODAUTOSCALER,
	.kind = "HorizontalPodAutoscaler",
	.api_version = "autoscaling/v2",
	.resource = "horizontalpodautoscalers",
	.singular = "horizontalpodautoscaler",
	.short_names = "hpa",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct horizontal_pod_autoscaler),
	.schema = &hpa_schema,
	.spec_offset = offsetof(struct horizontal_pod_autoscaler, spec),
	.spec_schema = &spec_schema,
	.status_offset = offsetof(struct horizontal_pod_autoscaler, status),
	.status_schema = &status_schema,
	.set_defaults = hpa_set_defaults,
};
