/* api_node.c - the schema of the Node.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Node, NodeSpec, Taint,
 * NodeStatus, NodeSystemInfo); defaults from pkg/apis/core/v1/defaults.go
 * (SetDefaults_NodeStatus: allocatable starts as a copy of capacity).
 *
 * Who writes what: a scenario (or the kubelet, registering) writes the
 * spec and capacity; the kubelet heartbeats the Ready condition; the node
 * lifecycle controller adds the not-ready and unreachable taints; `kubectl
 * cordon` sets unschedulable.
 */
#include "api_node.h"

static const char *const taint_effects[] = {
	"NoSchedule", "PreferNoSchedule", "NoExecute", NULL
};
static const char *const address_types[] = {
	"Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS", NULL
};

static const struct field taint_fields[] = {
	{ "key", FIELD_STRING, .offset = offsetof(struct taint, key), .flags = FIELD_REQUIRED },
	{ "value", FIELD_STRING, .offset = offsetof(struct taint, value) },
	{ "effect", FIELD_STRING, .offset = offsetof(struct taint, effect),
	  .flags = FIELD_REQUIRED, .allowed = taint_effects },
	/* Set by the node lifecycle controller on NoExecute taints, so that
	 * tolerationSeconds counts from it. */
	{ "timeAdded", FIELD_TIME, .offset = offsetof(struct taint, time_added) },
};
const struct schema taint_schema = { "Taint", sizeof(struct taint), FIELDS(taint_fields) };

static const struct field node_spec_fields[] = {
	{ "podCIDR", FIELD_STRING, .offset = offsetof(struct node_spec, pod_cidr) },
	{ "providerID", FIELD_STRING, .offset = offsetof(struct node_spec, provider_id) },
	{ "unschedulable", FIELD_BOOL, .offset = offsetof(struct node_spec, unschedulable) },
	{ "taints", FIELD_LIST, .offset = offsetof(struct node_spec, taints),
	  .schema = &taint_schema, .elem = FIELD_STRUCT },
};
static const struct schema node_spec_schema = {
	"NodeSpec", sizeof(struct node_spec), FIELDS(node_spec_fields)
};

static const struct field node_address_fields[] = {
	{ "type", FIELD_STRING, .offset = offsetof(struct node_address, type),
	  .flags = FIELD_REQUIRED, .allowed = address_types },
	{ "address", FIELD_STRING, .offset = offsetof(struct node_address, address),
	  .flags = FIELD_REQUIRED },
};
static const struct schema node_address_schema = {
	"NodeAddress", sizeof(struct node_address), FIELDS(node_address_fields)
};

static const struct field node_system_info_fields[] = {
	{ "kernelVersion", FIELD_STRING,
	  .offset = offsetof(struct node_system_info, kernel_version) },
	{ "osImage", FIELD_STRING, .offset = offsetof(struct node_system_info, os_image) },
	{ "containerRuntimeVersion", FIELD_STRING,
	  .offset = offsetof(struct node_system_info, container_runtime_version) },
	{ "kubeletVersion", FIELD_STRING,
	  .offset = offsetof(struct node_system_info, kubelet_version) },
	{ "operatingSystem", FIELD_STRING,
	  .offset = offsetof(struct node_system_info, operating_system) },
	{ "architecture", FIELD_STRING,
	  .offset = offsetof(struct node_system_info, architecture) },
};
static const struct schema node_system_info_schema = {
	"NodeSystemInfo", sizeof(struct node_system_info), FIELDS(node_system_info_fields)
};

static const struct field container_image_fields[] = {
	{ "names", FIELD_LIST, .offset = offsetof(struct container_image, names),
	  .elem = FIELD_STRING },
	{ "sizeBytes", FIELD_INT64, .offset = offsetof(struct container_image, size_bytes) },
};
static const struct schema container_image_schema = {
	"ContainerImage", sizeof(struct container_image), FIELDS(container_image_fields)
};

static const struct field attached_volume_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct attached_volume, name) },
	{ "devicePath", FIELD_STRING, .offset = offsetof(struct attached_volume, device_path) },
};
static const struct schema attached_volume_schema = {
	"AttachedVolume", sizeof(struct attached_volume), FIELDS(attached_volume_fields)
};

static const struct field node_status_fields[] = {
	{ "capacity", FIELD_RESOURCES, .offset = offsetof(struct node_status, capacity) },
	{ "allocatable", FIELD_RESOURCES, .offset = offsetof(struct node_status, allocatable) },
	{ "conditions", FIELD_LIST, .offset = offsetof(struct node_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
	{ "addresses", FIELD_LIST, .offset = offsetof(struct node_status, addresses),
	  .schema = &node_address_schema, .elem = FIELD_STRUCT },
	{ "nodeInfo", FIELD_STRUCT, .offset = offsetof(struct node_status, node_info),
	  .schema = &node_system_info_schema },
	{ "images", FIELD_LIST, .offset = offsetof(struct node_status, images),
	  .schema = &container_image_schema, .elem = FIELD_STRUCT },
	{ "volumesInUse", FIELD_LIST, .offset = offsetof(struct node_status, volumes_in_use),
	  .elem = FIELD_STRING },
	{ "volumesAttached", FIELD_LIST,
	  .offset = offsetof(struct node_status, volumes_attached),
	  .schema = &attached_volume_schema, .elem = FIELD_STRUCT },
};
static const struct schema node_status_schema = {
	"NodeStatus", sizeof(struct node_status), FIELDS(node_status_fields)
};

static const struct field node_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct node, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct node, spec),
	  .schema = &node_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct node, status),
	  .schema = &node_status_schema },
};
static const struct schema node_schema = { "Node", sizeof(struct node), FIELDS(node_fields) };

/* K8S: SetDefaults_NodeStatus. Without system reservations (kube-reserved,
 * eviction thresholds) everything the node has is allocatable. */
static void node_set_defaults(struct object *obj)
{
	struct node *node = object_as(obj, KIND_NODE, struct node);
	struct node_status *status = &node->status;
	if (status->allocatable.len || !status->capacity.len)
		return;
	for (size_t i = 0; i < status->capacity.len; i++)
		resource_list_set(&status->allocatable, status->capacity.items[i].name,
				  &status->capacity.items[i].quantity);
}

const struct kind_info node_kind = {
	.id = KIND_NODE,
	.kind = "Node",
	.api_version = "v1",
	.resource = "nodes",
	.singular = "node",
	.short_names = "no",
	.namespaced = false,
	.has_status = true,
	.size = sizeof(struct node),
	.schema = &node_schema,
	.spec_offset = offsetof(struct node, spec),
	.spec_schema = &node_spec_schema,
	.status_offset = offsetof(struct node, status),
	.status_schema = &node_status_schema,
	.set_defaults = node_set_defaults,
};
