/* api_csinode.h - CSINode: which storage drivers a node has, and how many
 * of their volumes it can hold.
 *
 * K8S: staging/src/k8s.io/api/storage/v1/types.go (CSINode, CSINodeSpec,
 * CSINodeDriver, VolumeNodeResources).
 */
#ifndef KUBELAB_API_CSINODE_H
#define KUBELAB_API_CSINODE_H

#include "api_common.h"

/* K8S: VolumeNodeResources. count unset: the driver reports no limit. */
struct volume_node_resources {
	struct opt_int64 count;
};

/* K8S: CSINodeDriver: one CSI driver installed on the node. */
struct csi_node_driver {
	char *name;			/* the driver, as PVs' spec.csi.driver */
	char *node_id;			/* the node as the driver knows it */
	LIST_OF(char *) topology_keys;
	struct volume_node_resources allocatable;
};

struct csi_node_spec {
	LIST_OF(struct csi_node_driver) drivers;
};

/* Named after its Node; cluster-scoped; no status. */
struct csi_node {
	struct object obj;
	struct csi_node_spec spec;
};

extern const struct kind_info csi_node_kind;

/* The allocatable count of driver on csi_node (NULL: no CSINode), or -1
 * when the node does not list the driver or lists it without a count. */
int64_t csi_node_driver_limit(const struct csi_node *csi_node, const char *driver);

#endif
