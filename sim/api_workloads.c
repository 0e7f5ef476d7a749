/* api_workloads.c - schemas of ReplicaSet, Deployment, StatefulSet and
 * DaemonSet.
 *
 * K8S: staging/src/k8s.io/api/apps/v1/types.go; defaults from
 * pkg/apis/apps/v1/defaults.go (SetDefaults_ReplicaSet,
 * SetDefaults_Deployment, SetDefaults_StatefulSet, SetDefaults_DaemonSet),
 * plus the PodSpec defaults of every pod template (api_pod.c).
 *
 * Each workload is a selector, a pod template and a count or a placement
 * rule; its controller makes pods (or, for a Deployment, ReplicaSets) until
 * the status matches the spec. The status fields are what `kubectl get`
 * shows in READY, UP-TO-DATE and AVAILABLE.
 *
 * Why some defaults are in hooks: a rolling-update block (maxSurge,
 * maxUnavailable) exists only when the strategy is RollingUpdate, so the
 * tables mark it FIELD_OPTIONAL and the kind's hook creates it, with the
 * table's defaults, when the strategy calls for it. The hooks give the same
 * result whether they run before or after the table defaults.
 */
#include "api_workloads.h"

#include <string.h>

/* Defined in api_pod.c (not yet in api_pod.h): the PodSpec defaults that
 * depend on other fields, such as imagePullPolicy. */

static const char *const deployment_strategies[] = { "Recreate", "RollingUpdate", NULL };
static const char *const set_update_strategies[] = { "RollingUpdate", "OnDelete", NULL };
static const char *const pod_management_policies[] = { "OrderedReady", "Parallel", NULL };
static const char *const retention_policies[] = { "Retain", "Delete", NULL };

/* True when a strategy type is, or will be defaulted to, RollingUpdate. */
static bool rolling_update(const char *type)
{
	return !type || !strcmp(type, "RollingUpdate");
}

/* ---- ReplicaSet ---- */

/* replicas is a *int32 upstream: `replicas: 0` is printed, not omitted. */
static const struct field replica_set_spec_fields[] = {
	{ "replicas", FIELD_INT32, .offset = offsetof(struct replica_set_spec, replicas),
	  .flags = FIELD_KEEP_ZERO, .dflt = "1" },
	{ "minReadySeconds", FIELD_INT32,
	  .offset = offsetof(struct replica_set_spec, min_ready_seconds) },
	{ "selector", FIELD_STRUCT, .offset = offsetof(struct replica_set_spec, selector),
	  .flags = FIELD_REQUIRED, .schema = &label_selector_schema },
	{ "template", FIELD_STRUCT, .offset = offsetof(struct replica_set_spec, template),
	  .schema = &pod_template_spec_schema },
};
static const struct schema replica_set_spec_schema = {
	"ReplicaSetSpec", sizeof(struct replica_set_spec), FIELDS(replica_set_spec_fields)
};

static const struct field replica_set_status_fields[] = {
	{ "replicas", FIELD_INT32, .offset = offsetof(struct replica_set_status, replicas),
	  .flags = FIELD_KEEP_ZERO },
	{ "fullyLabeledReplicas", FIELD_INT32,
	  .offset = offsetof(struct replica_set_status, fully_labeled_replicas) },
	{ "readyReplicas", FIELD_INT32,
	  .offset = offsetof(struct replica_set_status, ready_replicas) },
	{ "availableReplicas", FIELD_INT32,
	  .offset = offsetof(struct replica_set_status, available_replicas) },
	{ "observedGeneration", FIELD_INT64,
	  .offset = offsetof(struct replica_set_status, observed_generation) },
	{ "conditions", FIELD_LIST, .offset = offsetof(struct replica_set_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
};
static const struct schema replica_set_status_schema = {
	"ReplicaSetStatus", sizeof(struct replica_set_status), FIELDS(replica_set_status_fields)
};

static const struct field replica_set_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct replica_set, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct replica_set, spec),
	  .schema = &replica_set_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct replica_set, status),
	  .schema = &replica_set_status_schema },
};
static const struct schema replica_set_schema = {
	"ReplicaSet", sizeof(struct replica_set), FIELDS(replica_set_fields)
};

static void replica_set_set_defaults(struct object *obj)
{
	struct replica_set *rs = object_as(obj, KIND_REPLICASET, struct replica_set);
	pod_spec_set_defaults(&rs->spec.template.spec);
}

const struct kind_info replica_set_kind = {
	.id = KIND_REPLICASET,
	.kind = "ReplicaSet",
	.api_version = "apps/v1",
	.resource = "replicasets",
	.singular = "replicaset",
	.short_names = "rs",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct replica_set),
	.schema = &replica_set_schema,
	.spec_offset = offsetof(struct replica_set, spec),
	.spec_schema = &replica_set_spec_schema,
	.status_offset = offsetof(struct replica_set, status),
	.status_schema = &replica_set_status_schema,
	.set_defaults = replica_set_set_defaults,
};

/* ---- Deployment ---- */

static const struct field rolling_update_deployment_fields[] = {
	{ "maxUnavailable", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct rolling_update_deployment, max_unavailable), .dflt = "25%" },
	{ "maxSurge", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct rolling_update_deployment, max_surge), .dflt = "25%" },
};
static const struct schema rolling_update_deployment_schema = {
	"RollingUpdateDeployment", sizeof(struct rolling_update_deployment),
	FIELDS(rolling_update_deployment_fields)
};

static const struct field deployment_strategy_fields[] = {
	{ "type", FIELD_STRING, .offset = offsetof(struct deployment_strategy, type),
	  .dflt = "RollingUpdate", .allowed = deployment_strategies },
	{ "rollingUpdate", FIELD_STRUCT,
	  .offset = offsetof(struct deployment_strategy, rolling_update),
	  .flags = FIELD_OPTIONAL, .schema = &rolling_update_deployment_schema },
};
static const struct schema deployment_strategy_schema = {
	"DeploymentStrategy", sizeof(struct deployment_strategy), FIELDS(deployment_strategy_fields)
};

static const struct field deployment_spec_fields[] = {
	{ "replicas", FIELD_INT32, .offset = offsetof(struct deployment_spec, replicas),
	  .flags = FIELD_KEEP_ZERO, .dflt = "1" },
	{ "selector", FIELD_STRUCT, .offset = offsetof(struct deployment_spec, selector),
	  .flags = FIELD_REQUIRED, .schema = &label_selector_schema },
	{ "template", FIELD_STRUCT, .offset = offsetof(struct deployment_spec, template),
	  .flags = FIELD_REQUIRED, .schema = &pod_template_spec_schema },
	{ "strategy", FIELD_STRUCT, .offset = offsetof(struct deployment_spec, strategy),
	  .schema = &deployment_strategy_schema },
	{ "minReadySeconds", FIELD_INT32,
	  .offset = offsetof(struct deployment_spec, min_ready_seconds) },
	{ "revisionHistoryLimit", FIELD_INT32,
	  .offset = offsetof(struct deployment_spec, revision_history_limit),
	  .flags = FIELD_KEEP_ZERO, .dflt = "10" },
	{ "paused", FIELD_BOOL, .offset = offsetof(struct deployment_spec, paused) },
	{ "progressDeadlineSeconds", FIELD_INT32,
	  .offset = offsetof(struct deployment_spec, progress_deadline_seconds),
	  .flags = FIELD_KEEP_ZERO, .dflt = "600" },
};
static const struct schema deployment_spec_schema = {
	"DeploymentSpec", sizeof(struct deployment_spec), FIELDS(deployment_spec_fields)
};

static const struct field deployment_status_fields[] = {
	{ "observedGeneration", FIELD_INT64,
	  .offset = offsetof(struct deployment_status, observed_generation) },
	{ "replicas", FIELD_INT32, .offset = offsetof(struct deployment_status, replicas) },
	{ "updatedReplicas", FIELD_INT32,
	  .offset = offsetof(struct deployment_status, updated_replicas) },
	{ "readyReplicas", FIELD_INT32,
	  .offset = offsetof(struct deployment_status, ready_replicas) },
	{ "availableReplicas", FIELD_INT32,
	  .offset = offsetof(struct deployment_status, available_replicas) },
	{ "unavailableReplicas", FIELD_INT32,
	  .offset = offsetof(struct deployment_status, unavailable_replicas) },
	{ "conditions", FIELD_LIST, .offset = offsetof(struct deployment_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
	{ "collisionCount", FIELD_INT32,
	  .offset = offsetof(struct deployment_status, collision_count) },
};
static const struct schema deployment_status_schema = {
	"DeploymentStatus", sizeof(struct deployment_status), FIELDS(deployment_status_fields)
};

static const struct field deployment_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct deployment, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct deployment, spec),
	  .schema = &deployment_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct deployment, status),
	  .schema = &deployment_status_schema },
};
static const struct schema deployment_schema = {
	"Deployment", sizeof(struct deployment), FIELDS(deployment_fields)
};

/* K8S: SetDefaults_Deployment. A Recreate deployment gets no rollingUpdate
 * block (validation would refuse one). */
static void deployment_set_defaults(struct object *obj)
{
	struct deployment *d = object_as(obj, KIND_DEPLOYMENT, struct deployment);
	struct deployment_strategy *strategy = &d->spec.strategy;
	if (rolling_update(strategy->type))
		schema_apply_defaults(&rolling_update_deployment_schema,
				      &strategy->rolling_update);
	pod_spec_set_defaults(&d->spec.template.spec);
}

const struct kind_info deployment_kind = {
	.id = KIND_DEPLOYMENT,
	.kind = "Deployment",
	.api_version = "apps/v1",
	.resource = "deployments",
	.singular = "deployment",
	.short_names = "deploy",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct deployment),
	.schema = &deployment_schema,
	.spec_offset = offsetof(struct deployment, spec),
	.spec_schema = &deployment_spec_schema,
	.status_offset = offsetof(struct deployment, status),
	.status_schema = &deployment_status_schema,
	.set_defaults = deployment_set_defaults,
};

/* ---- StatefulSet ---- */

static const struct field pvc_template_fields[] = {
	{ "metadata", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_claim_template, metadata),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_claim_template, spec),
	  .schema = &persistent_volume_claim_spec_schema },
};
static const struct schema pvc_template_schema = {
	"PersistentVolumeClaim", sizeof(struct persistent_volume_claim_template),
	FIELDS(pvc_template_fields)
};

/* partition defaults to 0 upstream, which is also the zero value here. */
static const struct field rolling_update_stateful_set_fields[] = {
	{ "partition", FIELD_INT32,
	  .offset = offsetof(struct rolling_update_stateful_set, partition) },
	{ "maxUnavailable", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct rolling_update_stateful_set, max_unavailable) },
};
static const struct schema rolling_update_stateful_set_schema = {
	"RollingUpdateStatefulSetStrategy", sizeof(struct rolling_update_stateful_set),
	FIELDS(rolling_update_stateful_set_fields)
};

static const struct field stateful_set_update_strategy_fields[] = {
	{ "type", FIELD_STRING, .offset = offsetof(struct stateful_set_update_strategy, type),
	  .dflt = "RollingUpdate", .allowed = set_update_strategies },
	{ "rollingUpdate", FIELD_STRUCT,
	  .offset = offsetof(struct stateful_set_update_strategy, rolling_update),
	  .flags = FIELD_OPTIONAL, .schema = &rolling_update_stateful_set_schema },
};
static const struct schema stateful_set_update_strategy_schema = {
	"StatefulSetUpdateStrategy", sizeof(struct stateful_set_update_strategy),
	FIELDS(stateful_set_update_strategy_fields)
};

static const struct field pvc_retention_policy_fields[] = {
	{ "whenDeleted", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_pvc_retention_policy, when_deleted),
	  .dflt = "Retain", .allowed = retention_policies },
	{ "whenScaled", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_pvc_retention_policy, when_scaled),
	  .dflt = "Retain", .allowed = retention_policies },
};
static const struct schema pvc_retention_policy_schema = {
	"StatefulSetPersistentVolumeClaimRetentionPolicy",
	sizeof(struct stateful_set_pvc_retention_policy), FIELDS(pvc_retention_policy_fields)
};

static const struct field stateful_set_spec_fields[] = {
	{ "replicas", FIELD_INT32, .offset = offsetof(struct stateful_set_spec, replicas),
	  .flags = FIELD_KEEP_ZERO, .dflt = "1" },
	{ "selector", FIELD_STRUCT, .offset = offsetof(struct stateful_set_spec, selector),
	  .flags = FIELD_REQUIRED, .schema = &label_selector_schema },
	{ "template", FIELD_STRUCT, .offset = offsetof(struct stateful_set_spec, template),
	  .flags = FIELD_REQUIRED, .schema = &pod_template_spec_schema },
	{ "volumeClaimTemplates", FIELD_LIST,
	  .offset = offsetof(struct stateful_set_spec, volume_claim_templates),
	  .schema = &pvc_template_schema, .elem = FIELD_STRUCT },
	{ "serviceName", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_spec, service_name) },
	{ "podManagementPolicy", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_spec, pod_management_policy),
	  .dflt = "OrderedReady", .allowed = pod_management_policies },
	{ "updateStrategy", FIELD_STRUCT,
	  .offset = offsetof(struct stateful_set_spec, update_strategy),
	  .schema = &stateful_set_update_strategy_schema },
	{ "revisionHistoryLimit", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_spec, revision_history_limit),
	  .flags = FIELD_KEEP_ZERO, .dflt = "10" },
	{ "minReadySeconds", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_spec, min_ready_seconds) },
	{ "persistentVolumeClaimRetentionPolicy", FIELD_STRUCT,
	  .offset = offsetof(struct stateful_set_spec, persistent_volume_claim_retention_policy),
	  .schema = &pvc_retention_policy_schema },
};
static const struct schema stateful_set_spec_schema = {
	"StatefulSetSpec", sizeof(struct stateful_set_spec), FIELDS(stateful_set_spec_fields)
};

static const struct field stateful_set_status_fields[] = {
	{ "observedGeneration", FIELD_INT64,
	  .offset = offsetof(struct stateful_set_status, observed_generation) },
	{ "replicas", FIELD_INT32, .offset = offsetof(struct stateful_set_status, replicas),
	  .flags = FIELD_KEEP_ZERO },
	{ "readyReplicas", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_status, ready_replicas) },
	{ "currentReplicas", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_status, current_replicas) },
	{ "updatedReplicas", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_status, updated_replicas) },
	{ "currentRevision", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_status, current_revision) },
	{ "updateRevision", FIELD_STRING,
	  .offset = offsetof(struct stateful_set_status, update_revision) },
	{ "collisionCount", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_status, collision_count) },
	{ "conditions", FIELD_LIST, .offset = offsetof(struct stateful_set_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
	{ "availableReplicas", FIELD_INT32,
	  .offset = offsetof(struct stateful_set_status, available_replicas),
	  .flags = FIELD_KEEP_ZERO },
};
static const struct schema stateful_set_status_schema = {
	"StatefulSetStatus", sizeof(struct stateful_set_status), FIELDS(stateful_set_status_fields)
};

static const struct field stateful_set_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct stateful_set, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct stateful_set, spec),
	  .schema = &stateful_set_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct stateful_set, status),
	  .schema = &stateful_set_status_schema },
};
static const struct schema stateful_set_schema = {
	"StatefulSet", sizeof(struct stateful_set), FIELDS(stateful_set_fields)
};

static void stateful_set_set_defaults(struct object *obj)
{
	struct stateful_set *sts = object_as(obj, KIND_STATEFULSET, struct stateful_set);
	pod_spec_set_defaults(&sts->spec.template.spec);
}

const struct kind_info stateful_set_kind = {
	.id = KIND_STATEFULSET,
	.kind = "StatefulSet",
	.api_version = "apps/v1",
	.resource = "statefulsets",
	.singular = "statefulset",
	.short_names = "sts",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct stateful_set),
	.schema = &stateful_set_schema,
	.spec_offset = offsetof(struct stateful_set, spec),
	.spec_schema = &stateful_set_spec_schema,
	.status_offset = offsetof(struct stateful_set, status),
	.status_schema = &stateful_set_status_schema,
	.set_defaults = stateful_set_set_defaults,
};

/* ---- DaemonSet ---- */

static const struct field rolling_update_daemon_set_fields[] = {
	{ "maxUnavailable", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct rolling_update_daemon_set, max_unavailable), .dflt = "1" },
	{ "maxSurge", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct rolling_update_daemon_set, max_surge), .dflt = "0" },
};
static const struct schema rolling_update_daemon_set_schema = {
	"RollingUpdateDaemonSet", sizeof(struct rolling_update_daemon_set),
	FIELDS(rolling_update_daemon_set_fields)
};

static const struct field daemon_set_update_strategy_fields[] = {
	{ "type", FIELD_STRING, .offset = offsetof(struct daemon_set_update_strategy, type),
	  .dflt = "RollingUpdate", .allowed = set_update_strategies },
	{ "rollingUpdate", FIELD_STRUCT,
	  .offset = offsetof(struct daemon_set_update_strategy, rolling_update),
	  .flags = FIELD_OPTIONAL, .schema = &rolling_update_daemon_set_schema },
};
static const struct schema daemon_set_update_strategy_schema = {
	"DaemonSetUpdateStrategy", sizeof(struct daemon_set_update_strategy),
	FIELDS(daemon_set_update_strategy_fields)
};

static const struct field daemon_set_spec_fields[] = {
	{ "selector", FIELD_STRUCT, .offset = offsetof(struct daemon_set_spec, selector),
	  .flags = FIELD_REQUIRED, .schema = &label_selector_schema },
	{ "template", FIELD_STRUCT, .offset = offsetof(struct daemon_set_spec, template),
	  .flags = FIELD_REQUIRED, .schema = &pod_template_spec_schema },
	{ "updateStrategy", FIELD_STRUCT,
	  .offset = offsetof(struct daemon_set_spec, update_strategy),
	  .schema = &daemon_set_update_strategy_schema },
	{ "minReadySeconds", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_spec, min_ready_seconds) },
	{ "revisionHistoryLimit", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_spec, revision_history_limit),
	  .flags = FIELD_KEEP_ZERO, .dflt = "10" },
};
static const struct schema daemon_set_spec_schema = {
	"DaemonSetSpec", sizeof(struct daemon_set_spec), FIELDS(daemon_set_spec_fields)
};

/* The first four counts have no omitempty upstream: 0 is printed. */
static const struct field daemon_set_status_fields[] = {
	{ "currentNumberScheduled", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, current_number_scheduled),
	  .flags = FIELD_KEEP_ZERO },
	{ "numberMisscheduled", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, number_misscheduled),
	  .flags = FIELD_KEEP_ZERO },
	{ "desiredNumberScheduled", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, desired_number_scheduled),
	  .flags = FIELD_KEEP_ZERO },
	{ "numberReady", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, number_ready), .flags = FIELD_KEEP_ZERO },
	{ "observedGeneration", FIELD_INT64,
	  .offset = offsetof(struct daemon_set_status, observed_generation) },
	{ "updatedNumberScheduled", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, updated_number_scheduled) },
	{ "numberAvailable", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, number_available) },
	{ "numberUnavailable", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, number_unavailable) },
	{ "collisionCount", FIELD_INT32,
	  .offset = offsetof(struct daemon_set_status, collision_count) },
	{ "conditions", FIELD_LIST, .offset = offsetof(struct daemon_set_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
};
static const struct schema daemon_set_status_schema = {
	"DaemonSetStatus", sizeof(struct daemon_set_status), FIELDS(daemon_set_status_fields)
};

static const struct field daemon_set_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct daemon_set, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct daemon_set, spec),
	  .schema = &daemon_set_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct daemon_set, status),
	  .schema = &daemon_set_status_schema },
};
static const struct schema daemon_set_schema = {
	"DaemonSet", sizeof(struct daemon_set), FIELDS(daemon_set_fields)
};

/* K8S: SetDefaults_DaemonSet: like a Deployment's, but one node at a time
 * (maxUnavailable 1) and no surge. */
static void daemon_set_set_defaults(struct object *obj)
{
	struct daemon_set *ds = object_as(obj, KIND_DAEMONSET, struct daemon_set);
	struct daemon_set_update_strategy *strategy = &ds->spec.update_strategy;
	if (rolling_update(strategy->type))
		schema_apply_defaults(&rolling_update_daemon_set_schema,
				      &strategy->rolling_update);
	pod_spec_set_defaults(&ds->spec.template.spec);
}

const struct kind_info daemon_set_kind = {
	.id = KIND_DAEMONSET,
	.kind = "DaemonSet",
	.api_version = "apps/v1",
	.resource = "daemonsets",
	.singular = "daemonset",
	.short_names = "ds",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct daemon_set),
	.schema = &daemon_set_schema,
	.spec_offset = offsetof(struct daemon_set, spec),
	.spec_schema = &daemon_set_spec_schema,
	.status_offset = offsetof(struct daemon_set, status),
	.status_schema = &daemon_set_status_schema,
	.set_defaults = daemon_set_set_defaults,
};

/* ---- ControllerRevision ---- */

static const struct field controller_revision_data_spec_fields[] = {
	{ "template", FIELD_STRUCT,
	  .offset = offsetof(struct controller_revision_data_spec, template),
	  .schema = &pod_template_spec_schema },
};
static const struct schema controller_revision_data_spec_schema = {
	"ControllerRevisionDataSpec", sizeof(struct controller_revision_data_spec),
	FIELDS(controller_revision_data_spec_fields)
};

static const struct field controller_revision_data_fields[] = {
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct controller_revision_data, spec),
	  .schema = &controller_revision_data_spec_schema },
};
static const struct schema controller_revision_data_schema = {
	"ControllerRevisionData", sizeof(struct controller_revision_data),
	FIELDS(controller_revision_data_fields)
};

static const struct field controller_revision_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct controller_revision, obj.meta),
	  .schema = &object_meta_schema },
	{ "data", FIELD_STRUCT, .offset = offsetof(struct controller_revision, data),
	  .schema = &controller_revision_data_schema },
	{ "revision", FIELD_INT64, .offset = offsetof(struct controller_revision, revision),
	  .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
};
static const struct schema controller_revision_schema = {
	"ControllerRevision", sizeof(struct controller_revision),
	FIELDS(controller_revision_fields)
};

const struct kind_info controller_revision_kind = {
	.id = KIND_CONTROLLERREVISION,
	.kind = "ControllerRevision",
	.api_version = "apps/v1",
	.resource = "controllerrevisions",
	.singular = "controllerrevision",
	.short_names = NULL,
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct controller_revision),
	.schema = &controller_revision_schema,
};
