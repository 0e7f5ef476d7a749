/* sched_volume_binding.c - the VolumeBinding plugin: pods and their claims.
 *
 * K8S: pkg/scheduler/framework/plugins/volumebinding (volume_binding.go:
 * PreFilter, Filter, PreBind; binder.go: GetPodVolumeClaims, FindPodVolumes,
 * checkBoundClaims, findMatchingVolumes, checkVolumeProvisions,
 * BindPodVolumes; the ErrReason* messages).
 *
 * A pod that mounts PersistentVolumeClaims can only run where their
 * volumes can be reached. Per claim:
 *   - bound (spec.volumeName): its volume's nodeAffinity must admit the
 *     node, else "node(s) had volume node affinity conflict";
 *   - unbound, class WaitForFirstConsumer: binding waits for this very
 *     decision. A node passes if an Available volume that fits is
 *     reachable from it, or if the class can provision there (its
 *     allowedTopologies admit the node); else "node(s) didn't find
 *     available persistent volumes to bind";
 *   - unbound, Immediate: the PV controller should bind it on its own; the
 *     pod waits: "pod has unbound immediate PersistentVolumeClaims".
 * All three rejections are UnschedulableAndUnresolvable: preempting pods
 * would not help.
 *
 * PreBind (in the binding cycle, before the pod is bound): each unbound WaitForFirstConsumer claim gets the
 * volume.kubernetes.io/selected-node annotation, which tells the PV
 * controller to bind (or provision) for that node.
 * Simplified: upstream's PreBind also writes the chosen static volume's
 * claimRef itself and then waits (up to bindTimeoutSeconds, 600 s) for
 * every claim to be bound before the pod is bound; kubelab only
 * annotates, lets the PV controller choose the volume for that node, and
 * binds the pod at once -- the kubelet then waits for the claim before it
 * mounts (kubelet_volume.c). The node chosen is the same; the pod's
 * nodeName appears a few milliseconds earlier. Not modelled: the
 * assume cache (two pods of one cycle grabbing the same volume), storage
 * capacity, the Score extension (alpha StorageCapacityScoring).
 *
 * Interface: sched_volume_binding_plugin (PreFilter, Filter, PreBind).
 * Costs: nothing for pods without claims (PreFilter
 * skips); per node, one pass over the volumes for each unbound delayed
 * claim.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_volume_util.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

/* K8S: the ErrReason* constants of volumebinding. */
#define REASON_NODE_CONFLICT "node(s) had volume node affinity conflict"
#define REASON_BIND_CONFLICT "node(s) didn't find available persistent volumes to bind"
#define REASON_PV_NOT_EXIST \
	"node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"

/* What PreFilter learned (K8S: stateData). Objects are references. */
struct volume_state {
	struct object **bound;		/* PVs of bound claims (NULL: missing) */
	size_t bound_len;
	struct object **delayed;	/* unbound WaitForFirstConsumer claims */
	size_t delayed_len;
};

static void state_release(void *data)
{
	struct volume_state *vs = data;
	for (size_t i = 0; i < vs->bound_len; i++)
		if (vs->bound[i])
			object_unref(vs->bound[i]);
	for (size_t i = 0; i < vs->delayed_len; i++)
		object_unref(vs->delayed[i]);
	free(vs->bound);
	free(vs->delayed);
	free(vs);
}

static void push(struct object ***items, size_t *len, const struct object *obj)
{
	*items = xrealloc(*items, (*len + 1) * sizeof(**items));
	(*items)[(*len)++] = obj ? object_ref(obj) : NULL;
}

/* K8S: PreFilter + GetPodVolumeClaims. */
static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	const struct client *client = state->client;
	if (!client)
		return SCHED_SKIP;
	struct volume_state *vs = NULL;
	bool immediate = false;
	enum sched_code code = SCHED_SUCCESS;
	for (size_t i = 0; i < pod->spec.volumes.len && code == SCHED_SUCCESS; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		if (!name)
			continue;
		if (!vs)
			vs = xcalloc(1, sizeof(*vs));
		const struct object *obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM,
						      pod->obj.meta.namespace, name);
		if (!obj) {
			code = sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						 "persistentvolumeclaim \"%s\" not found", name);
			break;
		}
		if (object_is_deleting(obj)) {
			code = sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						 "persistentvolumeclaim \"%s\" is being deleted",
						 name);
			break;
		}
		const struct persistent_volume_claim *claim =
			object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		if (ctrl_volume_claim_is_bound(claim)) {
			push(&vs->bound, &vs->bound_len,
			     client_get(client, KIND_PERSISTENTVOLUME, NULL,
					claim->spec.volume_name));
		} else if (ctrl_volume_claim_delays_binding(client, claim)) {
			push(&vs->delayed, &vs->delayed_len, obj);
		} else {
			immediate = true;
		}
	}
	if (code == SCHED_SUCCESS && immediate)
		code = sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"pod has unbound immediate PersistentVolumeClaims");
	if (!vs)
		return SCHED_SKIP;	/* no claims: nothing to say */
	sched_state_write(state, SCHED_PLUGIN_VOLUME_BINDING, vs, state_release);
	return code;
}

/* K8S: checkVolumeProvisions: the class provisions, and may do so where
 * this node is. */
static bool can_provision(const struct client *client,
			  const struct persistent_volume_claim *claim, const struct node *node)
{
	const struct storage_class *class = ctrl_volume_claim_storage_class(client, claim);
	return class && class->provisioner && strcmp(class->provisioner, NO_PROVISIONER) &&
	       ctrl_volume_class_allows_node(class, node);
}

/* LAB: sched-volume-binding. K8S: Filter + FindPodVolumes. */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *info,
			      struct sched_status *status)
{
	(void)pod;
	const struct volume_state *vs = sched_state_read(state, SCHED_PLUGIN_VOLUME_BINDING);
	if (!vs || !info->node)
		return SCHED_SUCCESS;
	for (size_t i = 0; i < vs->bound_len; i++) {
		if (!vs->bound[i])
			return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						REASON_PV_NOT_EXIST);
		const struct persistent_volume *pv =
			object_as(vs->bound[i], KIND_PERSISTENTVOLUME,
				  const struct persistent_volume);
		if (!ctrl_volume_node_affinity_matches(pv, info->node))
			return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						REASON_NODE_CONFLICT);
	}
	for (size_t i = 0; i < vs->delayed_len; i++) {
		const struct persistent_volume_claim *claim =
			object_as(vs->delayed[i], KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		if (!ctrl_volume_find_match(state->client, claim, info->node) &&
		    !can_provision(state->client, claim, info->node))
			return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						REASON_BIND_CONFLICT);
	}
	return SCHED_SUCCESS;
}

/* LAB: sched-volume-prebind. K8S: PreBind + BindPodVolumes, simplified
 * (see the file comment): each unbound WaitForFirstConsumer claim of the
 * pod gets volume.kubernetes.io/selected-node = node (retried on
 * Conflict). Never rejects. */
static enum sched_code pre_bind(struct sched_state *state, const struct pod *pod,
				const char *node, struct sched_status *status)
{
	(void)status;
	const struct client *client = state->client;
	if (!client || !sched_state_read(state, SCHED_PLUGIN_VOLUME_BINDING))
		return SCHED_SUCCESS;	/* no claims */
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		for (int attempt = 0; name && attempt < 3; attempt++) {
			const struct object *obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM,
							      pod->obj.meta.namespace, name);
			if (!obj)
				break;
			const struct persistent_volume_claim *claim =
				object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
					  const struct persistent_volume_claim);
			const char *have = strmap_get(&obj->meta.annotations, ANN_SELECTED_NODE);
			if (ctrl_volume_claim_is_bound(claim) ||
			    !ctrl_volume_claim_delays_binding(client, claim) ||
			    (have && !strcmp(have, node)))
				break;
			struct persistent_volume_claim *copy =
				(struct persistent_volume_claim *)object_copy(obj);
			strmap_set(&copy->obj.meta.annotations, ANN_SELECTED_NODE, node);
			struct api_status result;
			if (client_update(client, &copy->obj, &result) != API_CONFLICT)
				break;	/* written, or gone: nothing more to do */
		}
	}
	return SCHED_SUCCESS;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: VolumeBinding.EventsToRegister (queueing hints on). kubelab has no
 * CSINode, CSIDriver or CSIStorageCapacity, and its scheduler does not
 * watch StorageClasses (they are created with the scenario); a new or
 * changed PersistentVolume, or a new or relabelled node, always Queue. */
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

const struct sched_plugin sched_volume_binding_plugin = {
	.id = SCHED_PLUGIN_VOLUME_BINDING,
	.name = "VolumeBinding",
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_bind = pre_bind,
	.events_to_register = events,
};
