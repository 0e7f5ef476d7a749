/* api_csinode.c - the schema of CSINode (storage.k8s.io/v1).
 *
 * K8S: staging/src/k8s.io/api/storage/v1/types.go (CSINode); validation in
 * pkg/apis/storage/validation (allocatable.count >= 0).
 *
 * A CSI driver's node plugin registers with the kubelet, which records it
 * in the CSINode object of the same name as the Node: the driver's name,
 * the node's id for the driver, the topology keys it reports and how many
 * of its volumes the node can have attached (allocatable.count: a cloud VM
 * takes a limited number of disks). The scheduler's NodeVolumeLimits
 * plugin reads that count (sched_node_volume_limits.c).
 *
 * kubelab has no kubelet plugin registration: a scenario writes CSINode
 * objects in its manifests, or gives a node pool `csiDrivers:` and one is
 * made per node (scenario-reference.md).
 *
 * Interface: csi_node_kind (object.c's registry), csi_node_driver_limit.
 * Invariants: the tables are constant.
 */
#include "api_csinode.h"

#include <string.h>

static const struct field volume_node_resources_fields[] = {
	{ "count", FIELD_OPT_INT64, .offset = offsetof(struct volume_node_resources, count) },
};
static const struct schema volume_node_resources_schema = {
	"VolumeNodeResources", sizeof(struct volume_node_resources),
	FIELDS(volume_node_resources_fields)
};

static const struct field csi_node_driver_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct csi_node_driver, name),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "nodeID", FIELD_STRING, .offset = offsetof(struct csi_node_driver, node_id),
	  .flags = FIELD_REQUIRED },
	{ "topologyKeys", FIELD_LIST, .offset = offsetof(struct csi_node_driver, topology_keys),
	  .elem = FIELD_STRING },
	{ "allocatable", FIELD_STRUCT, .offset = offsetof(struct csi_node_driver, allocatable),
	  .flags = FIELD_OPTIONAL, .schema = &volume_node_resources_schema },
};
static const struct schema csi_node_driver_schema = {
	"CSINodeDriver", sizeof(struct csi_node_driver), FIELDS(csi_node_driver_fields)
};

static const struct field csi_node_spec_fields[] = {
	{ "drivers", FIELD_LIST, .offset = offsetof(struct csi_node_spec, drivers),
	  .schema = &csi_node_driver_schema, .elem = FIELD_STRUCT },
};
static const struct schema csi_node_spec_schema = {
	"CSINodeSpec", sizeof(struct csi_node_spec), FIELDS(csi_node_spec_fields)
};

static const struct field csi_node_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct csi_node, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct csi_node, spec),
	  .schema = &csi_node_spec_schema },
};
static const struct schema csi_node_schema = {
	"CSINode", sizeof(struct csi_node), FIELDS(csi_node_fields)
};

const struct kind_info csi_node_kind = {
	.id = KIND_CSINODE,
	.kind = "CSINode",
	.api_version = "storage.k8s.io/v1",
	.resource = "csinodes",
	.singular = "csinode",
	.short_names = NULL,
	.namespaced = false,
	.has_status = false,
	.size = sizeof(struct csi_node),
	.schema = &csi_node_schema,
	.spec_offset = offsetof(struct csi_node, spec),
	.spec_schema = &csi_node_spec_schema,
};

int64_t csi_node_driver_limit(const struct csi_node *csi_node, const char *driver)
{
	if (!csi_node)
		return -1;
	for (size_t i = 0; i < csi_node->spec.drivers.len; i++) {
		const struct csi_node_driver *d = &csi_node->spec.drivers.items[i];
		if (d->name && !strcmp(d->name, driver))
			return d->allocatable.count.is_set ? d->allocatable.count.value : -1;
	}
	return -1;
}
