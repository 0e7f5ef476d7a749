/* api_pod_volume.c - the schema of a pod's volumes.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Volume,
 * PersistentVolumeClaimVolumeSource, ConfigMapVolumeSource,
 * EmptyDirVolumeSource, HostPathVolumeSource).
 *
 * A volume is named storage a pod's containers mount: a claim on a
 * PersistentVolume, a ConfigMap, an emptyDir scratch space, or a path on
 * the host. Each source is FIELD_OPTIONAL: only the one written appears.
 *
 * Interface: volume_schema (api_pod_internal.h), for the PodSpec's volumes;
 * host_path_volume_source_schema (api_pod.h), also used by a
 * PersistentVolume.
 * Invariants: the tables are constant.
 * See also: api_pod.c (PodSpec), api_storage.c (PersistentVolume, claims).
 */
#include "api_pod_internal.h"

/* ---- enumerations ---- */

static const char *const host_path_types[] = {
	"DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
	"CharDevice", "BlockDevice", NULL
};

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
const struct schema volume_schema = { "Volume", sizeof(struct volume), FIELDS(volume_fields) };
