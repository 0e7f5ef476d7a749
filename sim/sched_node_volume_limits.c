/* sched_node_volume_limits.c - the NodeVolumeLimits plugin: a node takes
 * only so many disks of each storage driver.
 *
 * K8S: pkg/scheduler/framework/plugins/nodevolumelimits/csi.go (CSILimits:
 * PreFilter, Filter, filterAttachableVolumes, getCSIDriverInfo,
 * getCSIDriverInfoFromSC, getVolumeLimits, the VolumeAttachments of the
 * node, ErrReasonMaxVolumeCountExceeded).
 *
 * A cloud VM can have a limited number of disks attached (a few dozen at
 * most, sometimes far fewer), and a CSI driver reports that number in the
 * node's CSINode object (spec.drivers[].allocatable.count). The scheduler
 * counts, per driver, the distinct volumes a node would have with the pod:
 *
 *   the pod's volumes: each claim's bound PersistentVolume with a
 *     spec.csi source gives "driver/volumeHandle"; an unbound claim (or one
 *     whose volume is missing) counts as a volume of its StorageClass's
 *     provisioner, with a made-up handle for that claim; a claim without a
 *     class, or a volume that is not CSI (hostPath, local), counts nothing;
 *   the volumes of the pods booked on the node, the same way;
 *   the volumes attached to the node (upstream's VolumeAttachment objects;
 *     kubelab's attach-detach controller writes them to the Node's
 *     status.volumesAttached as "kubernetes.io/csi/DRIVER^HANDLE"), so a
 *     disk still attached for a pod that is gone keeps its slot until the
 *     detach.
 *
 * A volume a pod on the node already uses (the same claim) takes no new
 * slot; an attachment is matched only against the pods' volumes, so a
 * disk still attached for the pod's own claim (its previous pod gone, the
 * detach not done) is counted as well as the pod's need for it, as
 * upstream counts it. If, for a driver with a count, attached + new >
 * count: "node(s) exceed max volume count" (Unschedulable: preempting a
 * pod could free a slot). A node without a CSINode, a driver without a
 * count, or a pod without CSI volumes passes. A claim of the pod that does
 * not exist fails the node (UnschedulableAndUnresolvable; VolumeRestrictions'
 * PreFilter, which runs first, already says so on every node).
 *
 * Not modelled: in-tree volumes migrated to CSI (kubelab has none), generic
 * ephemeral volumes, the alpha VolumeLimitScaling / MutableCSINode-
 * AllocatableCount gates; the scheduler is not told of new CSINodes (a pod
 * parked for lack of slots is retried when a node changes or a bound pod
 * goes away, or after 5 minutes).
 *
 * Interface: sched_node_volume_limits_plugin (PreFilter, Filter).
 * Costs: nothing for pods without claims (PreFilter skips). For a pod with
 * claims, per node: one CSINode lookup and the claims of the pods on the
 * node (two lookups each).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctrl_volume_util.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

#define REASON_MAX_VOLUME_COUNT "node(s) exceed max volume count"
/* Prefix of attached volumes' unique names (ctrl_volume_unique_name). */
#define CSI_UNIQUE_PREFIX "kubernetes.io/csi/"

/* One attachable volume: "driver/handle"; the driver is its first
 * driver_len bytes. */
struct attachable {
	char *unique;
	size_t driver_len;
};

struct attachable_set {
	struct attachable *items;
	size_t len, cap;
};

static void set_release(struct attachable_set *set)
{
	for (size_t i = 0; i < set->len; i++)
		free(set->items[i].unique);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

static bool set_has(const struct attachable_set *set, const char *unique)
{
	for (size_t i = 0; i < set->len; i++)
		if (!strcmp(set->items[i].unique, unique))
			return true;
	return false;
}

/* Adds driver/handle once (upstream's map keyed by the unique name). */
static void set_add(struct attachable_set *set, const char *driver, const char *handle)
{
	char *unique = xasprintf("%s/%s", driver, handle);
	if (set_has(set, unique)) {
		free(unique);
		return;
	}
	xgrow((void **)&set->items, &set->cap, set->len + 1, sizeof(*set->items));
	set->items[set->len++] = (struct attachable){ unique, strlen(driver) };
}

static bool same_driver(const struct attachable *a, const char *driver, size_t len)
{
	return a->driver_len == len && !strncmp(a->unique, driver, len);
}

/* K8S: getCSIDriverInfoFromSC: an unbound claim will be a volume of its
 * class's provisioner. Upstream makes the handle from a random prefix and
 * the claim's key, so that two pods sharing the claim count it once; a
 * fixed prefix that no real handle starts with does the same here. */
static void add_from_class(const struct client *client,
			   const struct persistent_volume_claim *claim,
			   struct attachable_set *out)
{
	const char *class_name = ctrl_volume_claim_class(claim);
	if (!*class_name)
		return;	/* no class: an Immediate claim, bound before scheduling */
	const struct object *obj = client_get(client, KIND_STORAGECLASS, NULL, class_name);
	if (!obj)
		return;
	const struct storage_class *class =
		object_as(obj, KIND_STORAGECLASS, const struct storage_class);
	if (!class->provisioner || !*class->provisioner)
		return;
	char *handle = xasprintf("<unbound>-%s/%s", claim->obj.meta.namespace,
				 claim->obj.meta.name);
	set_add(out, class->provisioner, handle);
	free(handle);
}

/* K8S: filterAttachableVolumes. Adds pod's CSI volumes to out. A missing
 * claim is skipped, except for the pod being scheduled (new_pod), where
 * it is an answer: returns the claim's name. */
static const char *pod_attachables(const struct client *client, const struct pod *pod,
				   bool new_pod, struct attachable_set *out)
{
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		if (!name)
			continue;	/* CSI volumes come through claims */
		const struct object *obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM,
						      pod->obj.meta.namespace, name);
		if (!obj) {
			if (new_pod)
				return name;
			continue;
		}
		const struct persistent_volume_claim *claim =
			object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		/* K8S: getCSIDriverInfo. */
		const char *pv_name = claim->spec.volume_name;
		const struct object *pv_obj = pv_name && *pv_name ?
			client_get(client, KIND_PERSISTENTVOLUME, NULL, pv_name) : NULL;
		if (!pv_obj) {
			add_from_class(client, claim, out);
			continue;
		}
		const struct persistent_volume *pv =
			object_as(pv_obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
		if (pv->spec.csi.driver && pv->spec.csi.volume_handle)
			set_add(out, pv->spec.csi.driver, pv->spec.csi.volume_handle);
	}
	return NULL;
}

/* What PreFilter learned: the pod's own attachable volumes. */
struct limits_state {
	struct attachable_set volumes;
	char *missing_claim;		/* owned; a claim of the pod not found */
	char *missing_message;		/* owned; its Filter reason */
};

static void state_release(void *data)
{
	struct limits_state *ls = data;
	set_release(&ls->volumes);
	free(ls->missing_claim);
	free(ls->missing_message);
	free(ls);
}

/* K8S: PreFilter: Skip unless the pod has a claim. kubelab computes the
 * pod's volumes here, once, where upstream does it in every Filter call:
 * the listers do not change during a cycle, so the answer is the same. */
static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	bool has_claim = false;
	for (size_t i = 0; i < pod->spec.volumes.len && !has_claim; i++)
		has_claim = pod->spec.volumes.items[i].persistent_volume_claim.claim_name != NULL;
	if (!has_claim || !state->client)
		return SCHED_SKIP;
	struct limits_state *ls = xcalloc(1, sizeof(*ls));
	const char *missing = pod_attachables(state->client, pod, true, &ls->volumes);
	if (missing) {
		ls->missing_claim = xstrdup(missing);
		/* K8S: "looking up PVC %s/%s: %w" around the lister's NotFound. */
		ls->missing_message = xasprintf(
			"looking up PVC %s/%s: persistentvolumeclaim \"%s\" not found",
			pod->obj.meta.namespace, missing, missing);
	}
	sched_state_write(state, SCHED_PLUGIN_NODE_VOLUME_LIMITS, ls, state_release);
	return SCHED_SUCCESS;
}

/* Adds the node's attached CSI volumes ("kubernetes.io/csi/DRIVER^HANDLE")
 * that no pod on it accounts for: upstream's VolumeAttachments. */
static void add_attached(const struct node *node, struct attachable_set *attached)
{
	const size_t prefix = strlen(CSI_UNIQUE_PREFIX);
	for (size_t i = 0; i < node->status.volumes_attached.len; i++) {
		const char *name = node->status.volumes_attached.items[i].name;
		if (!name || strncmp(name, CSI_UNIQUE_PREFIX, prefix))
			continue;
		const char *caret = strchr(name + prefix, '^');
		if (!caret)
			continue;
		char *driver = xstrndup(name + prefix, (size_t)(caret - name - prefix));
		set_add(attached, driver, caret + 1);
		free(driver);
	}
}

/* LAB: sched-node-volume-limits. K8S: CSILimits.Filter. */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *info, struct sched_status *status)
{
	(void)pod;
	const struct limits_state *ls = sched_state_read(state, SCHED_PLUGIN_NODE_VOLUME_LIMITS);
	if (!ls || !info->node)
		return SCHED_SUCCESS;
	if (ls->missing_message)
		return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					ls->missing_message);
	if (ls->volumes.len == 0)
		return SCHED_SUCCESS;	/* no CSI volumes */
	const struct client *client = state->client;
	const struct object *csi_obj =
		client_get(client, KIND_CSINODE, NULL, info->node->obj.meta.name);
	const struct csi_node *csi_node =
		csi_obj ? object_as(csi_obj, KIND_CSINODE, const struct csi_node) : NULL;
	/* K8S: getVolumeLimits: no driver with a count, no limit. */
	bool limited = false;
	for (size_t i = 0; csi_node && i < csi_node->spec.drivers.len; i++)
		limited |= csi_node->spec.drivers.items[i].allocatable.count.is_set;
	if (!limited)
		return SCHED_SUCCESS;

	/* Step 1: the volumes of the pods booked on the node. */
	struct attachable_set attached = { 0 };
	for (size_t i = 0; i < info->pods_len; i++)
		pod_attachables(client, info->pods[i]->pod, false, &attached);
	/* Step 2: the pod's volumes that a pod there already uses take no new
	 * slot (upstream drops them before it adds the attachments). */
	bool *is_new = xcalloc(ls->volumes.len, sizeof(*is_new));
	for (size_t i = 0; i < ls->volumes.len; i++)
		is_new[i] = !set_has(&attached, ls->volumes.items[i].unique);
	/* Step 3: what is attached without a pod on the node to show for it. */
	add_attached(info->node, &attached);

	enum sched_code code = SCHED_SUCCESS;
	for (size_t i = 0; i < ls->volumes.len && code == SCHED_SUCCESS; i++) {
		const struct attachable *v = &ls->volumes.items[i];
		if (!is_new[i])
			continue;
		char *driver = xstrndup(v->unique, v->driver_len);
		int64_t limit = csi_node_driver_limit(csi_node, driver);
		int64_t new_count = 0, have = 0;
		for (size_t j = 0; j < ls->volumes.len; j++)
			new_count += is_new[j] && same_driver(&ls->volumes.items[j], driver,
							       v->driver_len);
		for (size_t j = 0; j < attached.len; j++)
			have += same_driver(&attached.items[j], driver, v->driver_len);
		free(driver);
		/* limit < 0: this driver reports no count. */
		if (limit >= 0 && have + new_count > limit)
			code = sched_status_add(status, SCHED_UNSCHEDULABLE, REASON_MAX_VOLUME_COUNT);
	}
	free(is_new);
	set_release(&attached);
	return code;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: CSILimits.isSchedulableAfterPodDeleted: a bound (or nominated) pod
 * with claims may have held volume slots. */
static enum sched_hint after_pod_deleted(const struct sched_hint_input *in)
{
	const struct pod *deleted = sched_hint_old_pod(in);
	if (!sched_hint_pod_placed(deleted))
		return SCHED_HINT_SKIP;
	for (size_t i = 0; i < deleted->spec.volumes.len; i++)
		if (deleted->spec.volumes.items[i].persistent_volume_claim.claim_name)
			return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: CSILimits.EventsToRegister, without CSINode Add (the scheduler
 * does not watch CSINodes). A detach always Queues (upstream's hint looks
 * at the VolumeAttachment, which kubelab does not have). */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, NULL }, after_pod_deleted },
	{ { SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM, SCHED_ACTION_ADD, NULL },
	  sched_hint_pod_claim_changed },
	{ { SCHED_RESOURCE_VOLUME_ATTACHMENT, SCHED_ACTION_DELETE, NULL }, NULL },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_node_volume_limits_plugin = {
	.id = SCHED_PLUGIN_NODE_VOLUME_LIMITS,
	.name = "NodeVolumeLimits",
	.pre_filter = pre_filter,
	.filter = filter,
	.events_to_register = events,
};
