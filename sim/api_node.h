/* api_node.h - the Node.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Node, NodeSpec, NodeStatus,
 * Taint). A node's capacity and allocatable are what the scheduler fits pods
 * against; its conditions and taints are what the node lifecycle controller
 * writes when the kubelet stops heartbeating.
 */
#ifndef KUBELAB_API_NODE_H
#define KUBELAB_API_NODE_H

#include "api_common.h"

/* K8S: v1.Taint */
struct taint {
	char *key;
	char *value;
	char *effect;			/* NoSchedule, PreferNoSchedule, NoExecute */
	ktime_t time_added;		/* NoExecute taints only */
};

struct node_spec {
	bool unschedulable;
	LIST_OF(struct taint) taints;
	char *pod_cidr;
	char *provider_id;
};

struct node_address {
	char *type;			/* InternalIP, Hostname */
	char *address;
};

struct node_system_info {
	char *kubelet_version;
	char *container_runtime_version;
	char *os_image;
	char *kernel_version;
	char *architecture;
	char *operating_system;
};

struct container_image {
	LIST_OF(char *) names;
	int64_t size_bytes;
};

/* K8S: v1.AttachedVolume: written by the attach-detach controller. */
struct attached_volume {
	char *name;			/* kubernetes.io/csi/DRIVER^HANDLE */
	char *device_path;
};

struct node_status {
	struct resource_list capacity;
	struct resource_list allocatable;
	LIST_OF(struct condition) conditions;	/* Ready, MemoryPressure ... */
	LIST_OF(struct node_address) addresses;
	struct node_system_info node_info;
	LIST_OF(struct container_image) images;
	/* Set by the kubelet: volumes its pods mount (or are about to). */
	LIST_OF(char *) volumes_in_use;
	/* Set by the attach-detach controller: volumes attached here. */
	LIST_OF(struct attached_volume) volumes_attached;
};

struct node {
	struct object obj;
	struct node_spec spec;
	struct node_status status;
};

extern const struct schema taint_schema;
extern const struct kind_info node_kind;

#define TAINT_NO_SCHEDULE "NoSchedule"
#define TAINT_PREFER_NO_SCHEDULE "PreferNoSchedule"
#define TAINT_NO_EXECUTE "NoExecute"
#define TAINT_NODE_NOT_READY "node.kubernetes.io/not-ready"
#define TAINT_NODE_UNREACHABLE "node.kubernetes.io/unreachable"
#define TAINT_NODE_UNSCHEDULABLE "node.kubernetes.io/unschedulable"

#endif
