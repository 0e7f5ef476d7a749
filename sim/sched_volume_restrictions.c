/* sched_volume_restrictions.c - the VolumeRestrictions plugin: a
 * ReadWriteOncePod claim serves one pod in the whole cluster.
 *
 * K8S: pkg/scheduler/framework/plugins/volumerestrictions/
 * volume_restrictions.go (PreFilter, readWriteOncePodPVCsForPod,
 * calPreFilterState, AddPod/RemovePod, Filter, satisfyReadWriteOncePod,
 * ErrReasonReadWriteOncePodConflict) and the snapshot's
 * StorageInfos().IsPVCUsedByPods (backend/cache/snapshot.go).
 *
 * The access mode ReadWriteOncePod (GA in v1.29) promises more than
 * ReadWriteOnce: not "one node at a time" but "one pod at a time". The
 * scheduler keeps the promise. PreFilter reads the pod's claims; for each
 * claim with ReadWriteOncePod it asks whether any pod the scheduler has
 * placed (bound or assumed, on any node) already uses a claim of that
 * namespace and name. Each such claim is one conflict. With a conflict,
 * every node fails: "node has pod using PersistentVolumeClaim with the same
 * name and ReadWriteOncePod access mode". The code is Unschedulable, not
 * Unresolvable: preempting the pod that holds the claim would free it, and
 * the PreFilter extensions keep the count right for preemption's dry run
 * (RemovePod of a victim that uses the claim takes its conflict away;
 * AddPod of a nominated pod that uses it adds one). As upstream, those
 * extensions compare claim names only, not namespaces.
 *
 * A claim that does not exist fails the pod in PreFilter, on every node:
 * `persistentvolumeclaim "data" not found` (UnschedulableAndUnresolvable).
 *
 * Not modelled: upstream's second rule, inline disk conflicts (two pods on
 * a node mounting the same GCE PD or iSCSI/RBD volume read-write, or the
 * same AWS EBS volume, "node(s) had no available disk"): kubelab's pod
 * volumes have no gcePersistentDisk, awsElasticBlockStore, rbd or iscsi
 * sources, deprecated in-tree sources whose disks are CSI volumes now.
 *
 * Interface: sched_volume_restrictions_plugin (PreFilter with AddPod and
 * RemovePod, Filter).
 * Costs: nothing for pods without claims (PreFilter skips after a look at
 * their volumes); a pod with ReadWriteOncePod claims walks the cache's pods
 * once per cycle (upstream keeps a set of used claims in the snapshot).
 */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

#define REASON_RWOP_CONFLICT \
	"node has pod using PersistentVolumeClaim with the same name and " \
	"ReadWriteOncePod access mode"

/* K8S: preFilterState. */
struct restrictions_state {
	const char **claims;		/* the pod's RWOP claim names (borrowed
					 * from the pod, which outlives the cycle) */
	size_t claims_len;
	int64_t conflicts;		/* booked pods' references to them */
};

static void state_release(void *data)
{
	struct restrictions_state *rs = data;
	free(rs->claims);
	free(rs);
}

static bool has_access_mode(const struct persistent_volume_claim *claim, const char *mode)
{
	for (size_t i = 0; i < claim->spec.access_modes.len; i++)
		if (!strcmp(claim->spec.access_modes.items[i], mode))
			return true;
	return false;
}

static bool claim_listed(const struct restrictions_state *rs, const char *name)
{
	for (size_t i = 0; i < rs->claims_len; i++)
		if (!strcmp(rs->claims[i], name))
			return true;
	return false;
}

/* K8S: StorageInfos().IsPVCUsedByPods: does a booked pod of namespace use
 * the claim? */
static bool claim_used_by_pods(const struct sched_cache *cache, const char *namespace,
			       const char *claim)
{
	const char *uid;
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->pods, &pos, &uid, &value);) {
		const struct pod *pod = ((const struct sched_pod_info *)value)->pod;
		if (strcmp(pod->obj.meta.namespace, namespace))
			continue;
		for (size_t i = 0; i < pod->spec.volumes.len; i++) {
			const char *name =
				pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
			if (name && !strcmp(name, claim))
				return true;
		}
	}
	return false;
}

/* K8S: conflictingPVCRefCountForPod: how many of p's volumes name one of
 * the RWOP claims (by name only, as upstream). */
static int64_t conflicts_of(const struct restrictions_state *rs, const struct pod *pod)
{
	int64_t n = 0;
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		if (name && claim_listed(rs, name))
			n++;
	}
	return n;
}

/* LAB: sched-volume-restrictions. K8S: PreFilter. */
static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	const struct client *client = state->client;
	if (!client)
		return SCHED_SKIP;
	struct restrictions_state *rs = NULL;
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		if (!name)
			continue;
		const struct object *obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM,
						      pod->obj.meta.namespace, name);
		if (!obj) {
			if (rs)
				state_release(rs);
			return sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						 "persistentvolumeclaim \"%s\" not found", name);
		}
		const struct persistent_volume_claim *claim =
			object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		if (!has_access_mode(claim, "ReadWriteOncePod"))
			continue;
		if (!rs)
			rs = xcalloc(1, sizeof(*rs));
		if (claim_listed(rs, name))
			continue;	/* a set: two volumes, one claim */
		rs->claims = xrealloc(rs->claims, (rs->claims_len + 1) * sizeof(*rs->claims));
		rs->claims[rs->claims_len++] = name;
	}
	for (size_t i = 0; rs && i < rs->claims_len; i++)
		if (claim_used_by_pods(state->cache, pod->obj.meta.namespace, rs->claims[i]))
			rs->conflicts++;	/* at most one pod can hold it */
	if (!rs || rs->conflicts == 0) {
		/* Nothing to check on any node (upstream: Skip). */
		if (rs)
			state_release(rs);
		return SCHED_SKIP;
	}
	sched_state_write(state, SCHED_PLUGIN_VOLUME_RESTRICTIONS, rs, state_release);
	return SCHED_SUCCESS;
}

/* K8S: AddPod / RemovePod: updateWithPod with multiplier +1 / -1. */
static void add_pod(struct sched_state *state, const struct pod *pod,
		    const struct sched_pod_info *p, const struct sched_node_info *node)
{
	(void)pod;
	(void)node;
	struct restrictions_state *rs = sched_state_read(state, SCHED_PLUGIN_VOLUME_RESTRICTIONS);
	if (rs)
		rs->conflicts += conflicts_of(rs, p->pod);
}

static void remove_pod(struct sched_state *state, const struct pod *pod,
		       const struct sched_pod_info *p, const struct sched_node_info *node)
{
	(void)pod;
	(void)node;
	struct restrictions_state *rs = sched_state_read(state, SCHED_PLUGIN_VOLUME_RESTRICTIONS);
	if (rs)
		rs->conflicts -= conflicts_of(rs, p->pod);
}

/* K8S: Filter + satisfyReadWriteOncePod. The verdict does not depend on
 * the node: the claim is held somewhere in the cluster, or it is not. */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *info, struct sched_status *status)
{
	(void)pod;
	(void)info;
	const struct restrictions_state *rs =
		sched_state_read(state, SCHED_PLUGIN_VOLUME_RESTRICTIONS);
	if (rs && rs->conflicts > 0)
		return sched_status_add(status, SCHED_UNSCHEDULABLE, REASON_RWOP_CONFLICT);
	return SCHED_SUCCESS;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: VolumeRestrictions.isSchedulableAfterPodDeleted: a pod of the
 * namespace that used one of this pod's claims (its ReadWriteOncePod
 * claim may be free now). */
static enum sched_hint after_pod_deleted(const struct sched_hint_input *in)
{
	const struct pod *deleted = sched_hint_old_pod(in);
	if (strcmp(deleted->obj.meta.namespace, in->pod->obj.meta.namespace))
		return SCHED_HINT_SKIP;
	for (size_t i = 0; i < deleted->spec.volumes.len; i++) {
		const char *used = deleted->spec.volumes.items[i].persistent_volume_claim.claim_name;
		for (size_t j = 0; used && j < in->pod->spec.volumes.len; j++) {
			const char *mine = in->pod->spec.volumes.items[j].persistent_volume_claim.claim_name;
			if (mine && !strcmp(mine, used))
				return SCHED_HINT_QUEUE;
		}
	}
	return SCHED_HINT_SKIP;
}

/* K8S: VolumeRestrictions.EventsToRegister: volumes are immutable, so pod
 * updates do not count; any new node may help (no hint). */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, NULL }, after_pod_deleted },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, NULL }, NULL },
	{ { SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM, SCHED_ACTION_ADD, NULL },
	  sched_hint_pod_claim_changed },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_volume_restrictions_plugin = {
	.id = SCHED_PLUGIN_VOLUME_RESTRICTIONS,
	.name = "VolumeRestrictions",
	.pre_filter = pre_filter,
	.add_pod = add_pod,
	.remove_pod = remove_pod,
	.filter = filter,
	.events_to_register = events,
};
