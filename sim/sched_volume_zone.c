/* sched_volume_zone.c - the VolumeZone plugin: a zonal disk needs a node
 * in its zone.
 *
 * K8S: pkg/scheduler/framework/plugins/volumezone/volume_zone.go
 * (PreFilter getPVbyPod, Filter, ErrReasonConflict, topologyLabels).
 *
 * Older volumes say where they live with labels rather than nodeAffinity:
 * topology.kubernetes.io/zone and /region (and their failure-domain.beta
 * predecessors) on the PersistentVolume. For each bound claim of the pod
 * whose volume carries such a label, the node must carry the same label
 * with one of the volume's values (a label may list several zones joined
 * by "__"); otherwise "node(s) had no available volume zone". A node with
 * none of these labels passes (upstream keeps clusters without zones
 * working). Unbound claims are VolumeBinding's business and are skipped.
 *
 * Interface: sched_volume_zone_plugin (PreFilter, Filter).
 * Costs: PreFilter skips pods without claims; Filter compares a few labels.
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctrl_volume_util.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

#define REASON_CONFLICT "node(s) had no available volume zone"

static const char *const topology_labels[] = {
	"failure-domain.beta.kubernetes.io/zone",
	"failure-domain.beta.kubernetes.io/region",
	"topology.kubernetes.io/zone",
	"topology.kubernetes.io/region",
};
#define TOPOLOGY_LABELS (sizeof(topology_labels) / sizeof(topology_labels[0]))

struct zone_state {
	struct object **volumes;	/* references to PVs with topology labels */
	size_t len;
};

static void state_release(void *data)
{
	struct zone_state *zs = data;
	for (size_t i = 0; i < zs->len; i++)
		object_unref(zs->volumes[i]);
	free(zs->volumes);
	free(zs);
}

static bool has_topology(const struct object *pv)
{
	for (size_t i = 0; i < TOPOLOGY_LABELS; i++)
		if (strmap_get(&pv->meta.labels, topology_labels[i]))
			return true;
	return false;
}

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	const struct client *client = state->client;
	struct zone_state *zs = NULL;
	for (size_t i = 0; client && i < pod->spec.volumes.len; i++) {
		const char *pv_name = ctrl_volume_pod_claim_volume(
			client, pod, &pod->spec.volumes.items[i], NULL);
		const struct object *pv = pv_name ?
			client_get(client, KIND_PERSISTENTVOLUME, NULL, pv_name) : NULL;
		if (!pv || !has_topology(pv))
			continue;
		if (!zs)
			zs = xcalloc(1, sizeof(*zs));
		zs->volumes = xrealloc(zs->volumes, (zs->len + 1) * sizeof(*zs->volumes));
		zs->volumes[zs->len++] = object_ref(pv);
	}
	if (!zs)
		return SCHED_SKIP;
	sched_state_write(state, SCHED_PLUGIN_VOLUME_ZONE, zs, state_release);
	return SCHED_SUCCESS;
}

/* K8S: volumehelpers.LabelZonesToSet: "a__b" is the set {a, b}. */
static bool value_in_set(const char *set, const char *value)
{
	size_t n = strlen(value);
	for (const char *p = set; *p;) {
		const char *end = strstr(p, "__");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, value, n))
			return true;
		if (!end)
			break;
		p = end + 2;
	}
	return false;
}

/* LAB: sched-volume-zone */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *info,
			      struct sched_status *status)
{
	(void)pod;
	const struct zone_state *zs = sched_state_read(state, SCHED_PLUGIN_VOLUME_ZONE);
	if (!zs || !info->node)
		return SCHED_SUCCESS;
	const struct strmap *labels = &info->node->obj.meta.labels;
	bool constrained = false;
	for (size_t i = 0; i < TOPOLOGY_LABELS; i++)
		constrained |= strmap_get(labels, topology_labels[i]) != NULL;
	if (!constrained)
		return SCHED_SUCCESS;
	for (size_t v = 0; v < zs->len; v++) {
		for (size_t i = 0; i < TOPOLOGY_LABELS; i++) {
			const char *want = strmap_get(&zs->volumes[v]->meta.labels,
						      topology_labels[i]);
			if (!want)
				continue;
			const char *have = strmap_get(labels, topology_labels[i]);
			if (!have || !value_in_set(want, have))
				return sched_status_add(status,
							SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
							REASON_CONFLICT);
		}
	}
	return SCHED_SUCCESS;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: VolumeZone.EventsToRegister (queueing hints on), without the
 * StorageClass event (not watched here). Upstream's PersistentVolume hint
 * looks for changed topology labels; kubelab queues on any change. */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM,
	    SCHED_ACTION_ADD | SCHED_ACTION_UPDATE, NULL },
	  sched_hint_pod_claim_changed },
	{ { SCHED_RESOURCE_PERSISTENT_VOLUME, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE, NULL },
	  NULL },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_LABEL, NULL },
	  NULL },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_volume_zone_plugin = {
	.id = SCHED_PLUGIN_VOLUME_ZONE,
	.name = "VolumeZone",
	.pre_filter = pre_filter,
	.filter = filter,
	.events_to_register = events,
};
