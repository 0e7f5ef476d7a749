/* api_pod_scheduling.c - the schema of a PodSpec's scheduling constraints.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Toleration, Affinity,
 * NodeAffinity, NodeSelector, NodeSelectorTerm, PreferredSchedulingTerm,
 * PodAffinity, PodAntiAffinity, PodAffinityTerm, WeightedPodAffinityTerm,
 * TopologySpreadConstraint).
 *
 * Where a pod may run, and where it would rather run, is written in the
 * PodSpec: tolerations (of node taints), node and pod (anti-)affinity,
 * and topology spread constraints. The scheduler's plugins read the
 * structs these tables fill; the tables list the fields kubelab models, in
 * upstream's struct order.
 *
 * Interface: toleration_schema, affinity_schema and
 * topology_spread_constraint_schema (api_pod_internal.h), for the PodSpec;
 * node_selector_schema (api_pod.h), also used by a PersistentVolume's
 * nodeAffinity.
 * Invariants: the tables are constant.
 * See also: api_pod.c (PodSpec), sched_*.c (the plugins that use them).
 */
#include "api_pod_internal.h"

/* ---- enumerations ---- */

static const char *const toleration_operators[] = { "Exists", "Equal", NULL };
static const char *const taint_effects[] = {
	"NoSchedule", "PreferNoSchedule", "NoExecute", NULL
};
static const char *const unsatisfiable_actions[] = { "DoNotSchedule", "ScheduleAnyway", NULL };
static const char *const inclusion_policies[] = { "Honor", "Ignore", NULL };

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
const struct schema toleration_schema = {
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
const struct schema affinity_schema = {
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
const struct schema topology_spread_constraint_schema = {
	"TopologySpreadConstraint", sizeof(struct topology_spread_constraint),
	FIELDS(topology_spread_constraint_fields)
};
