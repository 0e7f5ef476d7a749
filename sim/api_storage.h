/* api_storage.h - PersistentVolume, PersistentVolumeClaim, StorageClass.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go and storage/v1/types.go.
 */
#ifndef KUBELAB_API_STORAGE_H
#define KUBELAB_API_STORAGE_H

#include "api_common.h"
#include "api_pod.h"

struct persistent_volume_claim_spec {
	LIST_OF(char *) access_modes;	/* ReadWriteOnce, ReadOnlyMany ... */
	struct resource_requirements resources;
	char *storage_class_name;	/* NULL: default class; "": none */
	char *volume_name;
	char *volume_mode;		/* Filesystem (default), Block */
	struct label_selector selector;
};

struct persistent_volume_claim_status {
	char *phase;			/* Pending, Bound, Lost */
	LIST_OF(char *) access_modes;
	struct resource_list capacity;
	LIST_OF(struct condition) conditions;
};

struct persistent_volume_claim {
	struct object obj;
	struct persistent_volume_claim_spec spec;
	struct persistent_volume_claim_status status;
};

struct volume_node_affinity {
	struct node_selector required;
};

struct local_volume_source {
	char *path;
};

struct csi_volume_source {
	char *driver;
	char *volume_handle;
};

struct persistent_volume_spec {
	struct resource_list capacity;
	LIST_OF(char *) access_modes;
	char *persistent_volume_reclaim_policy;	/* Retain (default) ... */
	char *storage_class_name;
	char *volume_mode;
	struct object_reference claim_ref;
	struct volume_node_affinity node_affinity;
	struct host_path_volume_source host_path;
	struct local_volume_source local;
	struct csi_volume_source csi;
};

struct persistent_volume_status {
	char *phase;			/* Available, Bound, Released, Failed */
	char *reason;
	char *message;
};

struct persistent_volume {
	struct object obj;
	struct persistent_volume_spec spec;
	struct persistent_volume_status status;
};

struct topology_selector_requirement {
	char *key;
	LIST_OF(char *) values;
};

struct topology_selector_term {
	LIST_OF(struct topology_selector_requirement) match_label_expressions;
};

/* K8S: storage/v1 StorageClass; no spec, fields at the top level. */
struct storage_class {
	struct object obj;
	char *provisioner;
	struct strmap parameters;
	char *reclaim_policy;		/* Delete (default), Retain */
	char *volume_binding_mode;	/* Immediate (default), WaitForFirstConsumer */
	bool allow_volume_expansion;
	LIST_OF(struct topology_selector_term) allowed_topologies;
};

extern const struct schema persistent_volume_claim_spec_schema;
extern const struct kind_info persistent_volume_kind;
extern const struct kind_info persistent_volume_claim_kind;
extern const struct kind_info storage_class_kind;

#endif
