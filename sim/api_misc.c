/* api_misc.c - schemas of Namespace, ConfigMap, PriorityClass,
 * PodDisruptionBudget, Event and Lease.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Namespace, ConfigMap,
 * Event), scheduling/v1 (PriorityClass), policy/v1 (PodDisruptionBudget),
 * coordination/v1 (Lease); defaults from pkg/apis/core/v1/defaults.go
 * (SetDefaults_Namespace, SetDefaults_NamespaceStatus) and
 * pkg/apis/scheduling/v1/defaults.go (SetDefaults_PriorityClass).
 *
 * ConfigMap, PriorityClass and Event have no spec: their fields sit at the
 * top level of the object, as upstream's do.
 */
#include "api_misc.h"

static const char *const namespace_phases[] = { "Active", "Terminating", NULL };
static const char *const preemption_policies[] = { "PreemptLowerPriority", "Never", NULL };
static const char *const eviction_policies[] = { "IfHealthyBudget", "AlwaysAllow", NULL };
static const char *const event_types[] = { "Normal", "Warning", NULL };

/* ---- Namespace ---- */

static const struct field namespace_spec_fields[] = {
	{ "finalizers", FIELD_LIST, .offset = offsetof(struct namespace_spec, finalizers),
	  .elem = FIELD_STRING },
};
static const struct schema namespace_spec_schema = {
	"NamespaceSpec", sizeof(struct namespace_spec), FIELDS(namespace_spec_fields)
};

static const struct field namespace_status_fields[] = {
	{ "phase", FIELD_STRING, .offset = offsetof(struct namespace_status, phase),
	  .dflt = "Active", .allowed = namespace_phases },
};
static const struct schema namespace_status_schema = {
	"NamespaceStatus", sizeof(struct namespace_status), FIELDS(namespace_status_fields)
};

static const struct field namespace_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct namespace, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct namespace, spec),
	  .schema = &namespace_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct namespace, status),
	  .schema = &namespace_status_schema },
};
static const struct schema namespace_schema = {
	"Namespace", sizeof(struct namespace), FIELDS(namespace_fields)
};

/* K8S: SetDefaults_Namespace: every namespace carries its own name as a
 * label, so that a namespaceSelector can pick namespaces by name. */
static void namespace_set_defaults(struct object *obj)
{
	if (obj->meta.name && *obj->meta.name)
		strmap_set(&obj->meta.labels, "kubernetes.io/metadata.name", obj->meta.name);
}

const struct kind_info namespace_kind = {
	.id = KIND_NAMESPACE,
	.kind = "Namespace",
	.api_version = "v1",
	.resource = "namespaces",
	.singular = "namespace",
	.short_names = "ns",
	.namespaced = false,
	.has_status = true,
	.size = sizeof(struct namespace),
	.schema = &namespace_schema,
	.spec_offset = offsetof(struct namespace, spec),
	.spec_schema = &namespace_spec_schema,
	.status_offset = offsetof(struct namespace, status),
	.status_schema = &namespace_status_schema,
	.set_defaults = namespace_set_defaults,
};

/* ---- ConfigMap ---- */

static const struct field config_map_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct config_map, obj.meta),
	  .schema = &object_meta_schema },
	{ "immutable", FIELD_BOOL, .offset = offsetof(struct config_map, immutable) },
	{ "data", FIELD_STRMAP, .offset = offsetof(struct config_map, data) },
};
static const struct schema config_map_schema = {
	"ConfigMap", sizeof(struct config_map), FIELDS(config_map_fields)
};

const struct kind_info config_map_kind = {
	.id = KIND_CONFIGMAP,
	.kind = "ConfigMap",
	.api_version = "v1",
	.resource = "configmaps",
	.singular = "configmap",
	.short_names = "cm",
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct config_map),
	.schema = &config_map_schema,
};

/* ---- PriorityClass ---- */

static const struct field priority_class_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct priority_class, obj.meta),
	  .schema = &object_meta_schema },
	{ "value", FIELD_INT32, .offset = offsetof(struct priority_class, value),
	  .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
	{ "globalDefault", FIELD_BOOL,
	  .offset = offsetof(struct priority_class, global_default) },
	{ "description", FIELD_STRING, .offset = offsetof(struct priority_class, description) },
	{ "preemptionPolicy", FIELD_STRING,
	  .offset = offsetof(struct priority_class, preemption_policy),
	  .dflt = "PreemptLowerPriority", .allowed = preemption_policies },
};
static const struct schema priority_class_schema = {
	"PriorityClass", sizeof(struct priority_class), FIELDS(priority_class_fields)
};

const struct kind_info priority_class_kind = {
	.id = KIND_PRIORITYCLASS,
	.kind = "PriorityClass",
	.api_version = "scheduling.k8s.io/v1",
	.resource = "priorityclasses",
	.singular = "priorityclass",
	.short_names = "pc",
	.namespaced = false,
	.has_status = false,
	.size = sizeof(struct priority_class),
	.schema = &priority_class_schema,
};

/* ---- PodDisruptionBudget ---- */

/* minAvailable and maxUnavailable exclude each other; neither has a
 * default. */
static const struct field pdb_spec_fields[] = {
	{ "minAvailable", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct pod_disruption_budget_spec, min_available) },
	{ "selector", FIELD_STRUCT,
	  .offset = offsetof(struct pod_disruption_budget_spec, selector),
	  .schema = &label_selector_schema },
	{ "maxUnavailable", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct pod_disruption_budget_spec, max_unavailable) },
	{ "unhealthyPodEvictionPolicy", FIELD_STRING,
	  .offset = offsetof(struct pod_disruption_budget_spec, unhealthy_pod_eviction_policy),
	  .allowed = eviction_policies },
};
static const struct schema pdb_spec_schema = {
	"PodDisruptionBudgetSpec", sizeof(struct pod_disruption_budget_spec),
	FIELDS(pdb_spec_fields)
};

/* The counts have no omitempty upstream: "disruptionsAllowed: 0" is the
 * line that explains a blocked drain. */
static const struct field pdb_status_fields[] = {
	{ "observedGeneration", FIELD_INT64,
	  .offset = offsetof(struct pod_disruption_budget_status, observed_generation) },
	{ "disruptionsAllowed", FIELD_INT32,
	  .offset = offsetof(struct pod_disruption_budget_status, disruptions_allowed),
	  .flags = FIELD_KEEP_ZERO },
	{ "currentHealthy", FIELD_INT32,
	  .offset = offsetof(struct pod_disruption_budget_status, current_healthy),
	  .flags = FIELD_KEEP_ZERO },
	{ "desiredHealthy", FIELD_INT32,
	  .offset = offsetof(struct pod_disruption_budget_status, desired_healthy),
	  .flags = FIELD_KEEP_ZERO },
	{ "expectedPods", FIELD_INT32,
	  .offset = offsetof(struct pod_disruption_budget_status, expected_pods),
	  .flags = FIELD_KEEP_ZERO },
	{ "conditions", FIELD_LIST,
	  .offset = offsetof(struct pod_disruption_budget_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
};
static const struct schema pdb_status_schema = {
	"PodDisruptionBudgetStatus", sizeof(struct pod_disruption_budget_status),
	FIELDS(pdb_status_fields)
};

static const struct field pdb_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct pod_disruption_budget, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct pod_disruption_budget, spec),
	  .schema = &pdb_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct pod_disruption_budget, status),
	  .schema = &pdb_status_schema },
};
static const struct schema pdb_schema = {
	"PodDisruptionBudget", sizeof(struct pod_disruption_budget), FIELDS(pdb_fields)
};

const struct kind_info pod_disruption_budget_kind = {
	.id = KIND_PODDISRUPTIONBUDGET,
	.kind = "PodDisruptionBudget",
	.api_version = "policy/v1",
	.resource = "poddisruptionbudgets",
	.singular = "poddisruptionbudget",
	.short_names = "pdb",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct pod_disruption_budget),
	.schema = &pdb_schema,
	.spec_offset = offsetof(struct pod_disruption_budget, spec),
	.spec_schema = &pdb_spec_schema,
	.status_offset = offsetof(struct pod_disruption_budget, status),
	.status_schema = &pdb_status_schema,
};

/* ---- Event ---- */

static const struct field event_source_fields[] = {
	{ "component", FIELD_STRING, .offset = offsetof(struct event_source, component) },
	{ "host", FIELD_STRING, .offset = offsetof(struct event_source, host) },
};
static const struct schema event_source_schema = {
	"EventSource", sizeof(struct event_source), FIELDS(event_source_fields)
};

static const struct field event_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct event, obj.meta),
	  .schema = &object_meta_schema },
	{ "involvedObject", FIELD_STRUCT, .offset = offsetof(struct event, involved_object),
	  .flags = FIELD_REQUIRED, .schema = &object_reference_schema },
	{ "reason", FIELD_STRING, .offset = offsetof(struct event, reason) },
	{ "message", FIELD_STRING, .offset = offsetof(struct event, message) },
	{ "source", FIELD_STRUCT, .offset = offsetof(struct event, source),
	  .schema = &event_source_schema },
	{ "firstTimestamp", FIELD_TIME, .offset = offsetof(struct event, first_timestamp) },
	{ "lastTimestamp", FIELD_TIME, .offset = offsetof(struct event, last_timestamp) },
	{ "count", FIELD_INT32, .offset = offsetof(struct event, count) },
	{ "type", FIELD_STRING, .offset = offsetof(struct event, type), .allowed = event_types },
	{ "reportingComponent", FIELD_STRING,
	  .offset = offsetof(struct event, reporting_component) },
	{ "reportingInstance", FIELD_STRING,
	  .offset = offsetof(struct event, reporting_instance) },
};
static const struct schema event_schema = {
	"Event", sizeof(struct event), FIELDS(event_fields)
};

const struct kind_info event_kind = {
	.id = KIND_EVENT,
	.kind = "Event",
	.api_version = "v1",
	.resource = "events",
	.singular = "event",
	.short_names = "ev",
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct event),
	.schema = &event_schema,
};

/* ---- Lease ---- */

/* acquireTime and renewTime are MicroTime upstream (microseconds in
 * JSON); kubelab prints every time to the second. */
static const struct field lease_spec_fields[] = {
	{ "holderIdentity", FIELD_STRING,
	  .offset = offsetof(struct lease_spec, holder_identity) },
	{ "leaseDurationSeconds", FIELD_INT32,
	  .offset = offsetof(struct lease_spec, lease_duration_seconds) },
	{ "acquireTime", FIELD_TIME, .offset = offsetof(struct lease_spec, acquire_time) },
	{ "renewTime", FIELD_TIME, .offset = offsetof(struct lease_spec, renew_time) },
	{ "leaseTransitions", FIELD_INT32,
	  .offset = offsetof(struct lease_spec, lease_transitions) },
};
static const struct schema lease_spec_schema = {
	"LeaseSpec", sizeof(struct lease_spec), FIELDS(lease_spec_fields)
};

static const struct field lease_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct lease, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct lease, spec),
	  .schema = &lease_spec_schema },
};
static const struct schema lease_schema = { "Lease", sizeof(struct lease), FIELDS(lease_fields) };

const struct kind_info lease_kind = {
	.id = KIND_LEASE,
	.kind = "Lease",
	.api_version = "coordination.k8s.io/v1",
	.resource = "leases",
	.singular = "lease",
	.short_names = NULL,
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct lease),
	.schema = &lease_schema,
	.spec_offset = offsetof(struct lease, spec),
	.spec_schema = &lease_spec_schema,
};
