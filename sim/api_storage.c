/* api_storage.c - schemas of PersistentVolume, PersistentVolumeClaim and
 * StorageClass.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (PersistentVolume,
 * PersistentVolumeClaim) and staging/src/k8s.io/api/storage/v1/types.go
 * (StorageClass); defaults from pkg/apis/core/v1/defaults.go
 * (SetDefaults_PersistentVolume, SetDefaults_PersistentVolumeClaim,
 * SetDefaults_PersistentVolumeClaimSpec) and pkg/apis/storage/v1/defaults.go
 * (SetDefaults_StorageClass).
 *
 * A claim asks for storage (size, access modes, a class); a volume is
 * storage; the PV controller binds one to the other, both ways (the PV's
 * claimRef, the PVC's volumeName). A StorageClass names a provisioner that
 * makes volumes on demand, and its volumeBindingMode says whether to wait
 * for the first pod (WaitForFirstConsumer) so the scheduler can pick the
 * node first.
 */
#include "api_storage.h"

/* Shared with api_pod.c, which defines them (not yet in api_pod.h). */

static const char *const access_modes[] = {
	"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod", NULL
};
static const char *const volume_modes[] = { "Filesystem", "Block", NULL };
static const char *const pv_reclaim_policies[] = { "Retain", "Delete", "Recycle", NULL };
static const char *const pv_phases[] = {
	"Pending", "Available", "Bound", "Released", "Failed", NULL
};
static const char *const pvc_phases[] = { "Pending", "Bound", "Lost", NULL };
static const char *const class_reclaim_policies[] = { "Delete", "Retain", NULL };
static const char *const binding_modes[] = { "Immediate", "WaitForFirstConsumer", NULL };

/* ---- PersistentVolumeClaim ---- */

/* K8S: VolumeResourceRequirements (a claim's size is requests.storage). */
static const struct field volume_resource_requirements_fields[] = {
	{ "limits", FIELD_RESOURCES, .offset = offsetof(struct resource_requirements, limits) },
	{ "requests", FIELD_RESOURCES,
	  .offset = offsetof(struct resource_requirements, requests) },
};
static const struct schema volume_resource_requirements_schema = {
	"VolumeResourceRequirements", sizeof(struct resource_requirements),
	FIELDS(volume_resource_requirements_fields)
};

/* storageClassName keeps NULL and "" apart: unset means "the default
 * class", "" means "no class, bind a pre-made volume". */
static const struct field pvc_spec_fields[] = {
	{ "accessModes", FIELD_LIST,
	  .offset = offsetof(struct persistent_volume_claim_spec, access_modes),
	  .elem = FIELD_STRING, .allowed = access_modes },
	{ "selector", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_claim_spec, selector),
	  .schema = &label_selector_schema },
	{ "resources", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_claim_spec, resources),
	  .schema = &volume_resource_requirements_schema },
	{ "volumeName", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_claim_spec, volume_name) },
	{ "storageClassName", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_claim_spec, storage_class_name) },
	{ "volumeMode", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_claim_spec, volume_mode),
	  .dflt = "Filesystem", .allowed = volume_modes },
};
const struct schema persistent_volume_claim_spec_schema = {
	"PersistentVolumeClaimSpec", sizeof(struct persistent_volume_claim_spec),
	FIELDS(pvc_spec_fields)
};

static const struct field pvc_status_fields[] = {
	{ "phase", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_claim_status, phase), .dflt = "Pending",
	  .allowed = pvc_phases },
	{ "accessModes", FIELD_LIST,
	  .offset = offsetof(struct persistent_volume_claim_status, access_modes),
	  .elem = FIELD_STRING, .allowed = access_modes },
	{ "capacity", FIELD_RESOURCES,
	  .offset = offsetof(struct persistent_volume_claim_status, capacity) },
	{ "conditions", FIELD_LIST,
	  .offset = offsetof(struct persistent_volume_claim_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
};
static const struct schema pvc_status_schema = {
	"PersistentVolumeClaimStatus", sizeof(struct persistent_volume_claim_status),
	FIELDS(pvc_status_fields)
};

static const struct field pvc_fields[] = {
	{ "metadata", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_claim, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct persistent_volume_claim, spec),
	  .schema = &persistent_volume_claim_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct persistent_volume_claim, status),
	  .schema = &pvc_status_schema },
};
static const struct schema pvc_schema = {
	"PersistentVolumeClaim", sizeof(struct persistent_volume_claim), FIELDS(pvc_fields)
};

const struct kind_info persistent_volume_claim_kind = {
	.id = KIND_PERSISTENTVOLUMECLAIM,
	.kind = "PersistentVolumeClaim",
	.api_version = "v1",
	.resource = "persistentvolumeclaims",
	.singular = "persistentvolumeclaim",
	.short_names = "pvc",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct persistent_volume_claim),
	.schema = &pvc_schema,
	.spec_offset = offsetof(struct persistent_volume_claim, spec),
	.spec_schema = &persistent_volume_claim_spec_schema,
	.status_offset = offsetof(struct persistent_volume_claim, status),
	.status_schema = &pvc_status_schema,
};

/* ---- PersistentVolume ---- */

static const struct field volume_node_affinity_fields[] = {
	{ "required", FIELD_STRUCT, .offset = offsetof(struct volume_node_affinity, required),
	  .schema = &node_selector_schema },
};
static const struct schema volume_node_affinity_schema = {
	"VolumeNodeAffinity", sizeof(struct volume_node_affinity),
	FIELDS(volume_node_affinity_fields)
};

static const struct field local_volume_source_fields[] = {
	{ "path", FIELD_STRING, .offset = offsetof(struct local_volume_source, path),
	  .flags = FIELD_REQUIRED },
};
static const struct schema local_volume_source_schema = {
	"LocalVolumeSource", sizeof(struct local_volume_source), FIELDS(local_volume_source_fields)
};

static const struct field csi_volume_source_fields[] = {
	{ "driver", FIELD_STRING, .offset = offsetof(struct csi_volume_source, driver),
	  .flags = FIELD_REQUIRED },
	{ "volumeHandle", FIELD_STRING,
	  .offset = offsetof(struct csi_volume_source, volume_handle), .flags = FIELD_REQUIRED },
};
static const struct schema csi_volume_source_schema = {
	"CSIPersistentVolumeSource", sizeof(struct csi_volume_source),
	FIELDS(csi_volume_source_fields)
};

/* The volume sources (hostPath, local, csi) sit inline in the spec, as
 * upstream's embedded PersistentVolumeSource does. */
static const struct field pv_spec_fields[] = {
	{ "capacity", FIELD_RESOURCES,
	  .offset = offsetof(struct persistent_volume_spec, capacity) },
	{ "hostPath", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_spec, host_path),
	  .flags = FIELD_OPTIONAL, .schema = &host_path_volume_source_schema },
	{ "local", FIELD_STRUCT, .offset = offsetof(struct persistent_volume_spec, local),
	  .flags = FIELD_OPTIONAL, .schema = &local_volume_source_schema },
	{ "csi", FIELD_STRUCT, .offset = offsetof(struct persistent_volume_spec, csi),
	  .flags = FIELD_OPTIONAL, .schema = &csi_volume_source_schema },
	{ "accessModes", FIELD_LIST,
	  .offset = offsetof(struct persistent_volume_spec, access_modes),
	  .elem = FIELD_STRING, .allowed = access_modes },
	{ "claimRef", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_spec, claim_ref),
	  .schema = &object_reference_schema },
	{ "persistentVolumeReclaimPolicy", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_spec, persistent_volume_reclaim_policy),
	  .dflt = "Retain", .allowed = pv_reclaim_policies },
	{ "storageClassName", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_spec, storage_class_name) },
	{ "volumeMode", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_spec, volume_mode), .dflt = "Filesystem",
	  .allowed = volume_modes },
	{ "nodeAffinity", FIELD_STRUCT,
	  .offset = offsetof(struct persistent_volume_spec, node_affinity),
	  .schema = &volume_node_affinity_schema },
};
static const struct schema pv_spec_schema = {
	"PersistentVolumeSpec", sizeof(struct persistent_volume_spec), FIELDS(pv_spec_fields)
};

static const struct field pv_status_fields[] = {
	{ "phase", FIELD_STRING, .offset = offsetof(struct persistent_volume_status, phase),
	  .dflt = "Pending", .allowed = pv_phases },
	{ "message", FIELD_STRING,
	  .offset = offsetof(struct persistent_volume_status, message) },
	{ "reason", FIELD_STRING, .offset = offsetof(struct persistent_volume_status, reason) },
};
static const struct schema pv_status_schema = {
	"PersistentVolumeStatus", sizeof(struct persistent_volume_status), FIELDS(pv_status_fields)
};

static const struct field pv_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct persistent_volume, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct persistent_volume, spec),
	  .schema = &pv_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct persistent_volume, status),
	  .schema = &pv_status_schema },
};
static const struct schema pv_schema = {
	"PersistentVolume", sizeof(struct persistent_volume), FIELDS(pv_fields)
};

const struct kind_info persistent_volume_kind = {
	.id = KIND_PERSISTENTVOLUME,
	.kind = "PersistentVolume",
	.api_version = "v1",
	.resource = "persistentvolumes",
	.singular = "persistentvolume",
	.short_names = "pv",
	.namespaced = false,
	.has_status = true,
	.size = sizeof(struct persistent_volume),
	.schema = &pv_schema,
	.spec_offset = offsetof(struct persistent_volume, spec),
	.spec_schema = &pv_spec_schema,
	.status_offset = offsetof(struct persistent_volume, status),
	.status_schema = &pv_status_schema,
};

/* ---- StorageClass (no spec: its fields sit at the top level) ---- */

static const struct field topology_selector_requirement_fields[] = {
	{ "key", FIELD_STRING, .offset = offsetof(struct topology_selector_requirement, key),
	  .flags = FIELD_REQUIRED },
	{ "values", FIELD_LIST,
	  .offset = offsetof(struct topology_selector_requirement, values),
	  .flags = FIELD_REQUIRED, .elem = FIELD_STRING },
};
static const struct schema topology_selector_requirement_schema = {
	"TopologySelectorLabelRequirement", sizeof(struct topology_selector_requirement),
	FIELDS(topology_selector_requirement_fields)
};

static const struct field topology_selector_term_fields[] = {
	{ "matchLabelExpressions", FIELD_LIST,
	  .offset = offsetof(struct topology_selector_term, match_label_expressions),
	  .schema = &topology_selector_requirement_schema, .elem = FIELD_STRUCT },
};
static const struct schema topology_selector_term_schema = {
	"TopologySelectorTerm", sizeof(struct topology_selector_term),
	FIELDS(topology_selector_term_fields)
};

static const struct field storage_class_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct storage_class, obj.meta),
	  .schema = &object_meta_schema },
	{ "provisioner", FIELD_STRING, .offset = offsetof(struct storage_class, provisioner),
	  .flags = FIELD_REQUIRED },
	{ "parameters", FIELD_STRMAP, .offset = offsetof(struct storage_class, parameters) },
	{ "reclaimPolicy", FIELD_STRING,
	  .offset = offsetof(struct storage_class, reclaim_policy), .dflt = "Delete",
	  .allowed = class_reclaim_policies },
	{ "allowVolumeExpansion", FIELD_BOOL,
	  .offset = offsetof(struct storage_class, allow_volume_expansion) },
	{ "volumeBindingMode", FIELD_STRING,
	  .offset = offsetof(struct storage_class, volume_binding_mode), .dflt = "Immediate",
	  .allowed = binding_modes },
	{ "allowedTopologies", FIELD_LIST,
	  .offset = offsetof(struct storage_class, allowed_topologies),
	  .schema = &topology_selector_term_schema, .elem = FIELD_STRUCT },
};
static const struct schema storage_class_schema = {
	"StorageClass", sizeof(struct storage_class), FIELDS(storage_class_fields)
};

const struct kind_info storage_class_kind = {
	.id = KIND_STORAGECLASS,
	.kind = "StorageClass",
	.api_version = "storage.k8s.io/v1",
	.resource = "storageclasses",
	.singular = "storageclass",
	.short_names = "sc",
	.namespaced = false,
	.has_status = false,
	.size = sizeof(struct storage_class),
	.schema = &storage_class_schema,
};
