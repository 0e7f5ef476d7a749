/* sched_events.c - the scheduler's pod and node watch handlers.
 *
 * K8S: pkg/scheduler/eventhandlers.go (addPodToCache,
 * addPodToSchedulingQueue, updatePodInSchedulingQueue,
 * nodeSchedulingPropertiesChange, ...) and framework/events.go (the
 * cluster events they fire at the queue).
 *
 * Upstream runs one informer for assigned pods (feeding the cache) and
 * one for the unassigned pods this scheduler serves (feeding the queue);
 * terminal pods (Succeeded, Failed) are filtered out of both, so a pod
 * becoming terminal looks like a delete. Each change that may help a
 * parked pod becomes a cluster event (sched_queueing_hints.h): a pod
 * bound (Pod/Add), deleted (Pod/Delete) or relabelled
 * (Pod/UpdatePodLabel); a node added, deleted, or changed in its
 * allocatable, labels, taints (spec.unschedulable included) or
 * conditions, one event per kind of change. The queue asks the plugins
 * that rejected each parked pod whether the event can help it.
 *
 * Interface (sched_internal.h): sched_on_pod and sched_on_node (the
 * watch callbacks, arg is the scheduler), sched_pod_added (also used for
 * the initial list).
 *
 * Invariants: a pod assumed and being bound is not requeued by its own
 * updates; heartbeats fire no event; the cache is updated before the
 * event is fired, so hints read the cluster as it now is.
 */
#include "sched_internal.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

static bool is_terminal(const struct pod *pod)
{
	const char *phase = pod->status.phase;
	return phase && (!strcmp(phase, POD_PHASE_SUCCEEDED) ||
			 !strcmp(phase, POD_PHASE_FAILED));
}

static bool is_responsible(const struct scheduler *s, const struct pod *pod)
{
	return sched_profile_for(s, pod) != NULL;
}

/* K8S: framework.EventAssignedPodAdd, EventAssignedPodDelete, ... Their
 * labels are what explain shows ("moved by NodeResourcesFit on
 * Pod/Delete"). */
static const struct sched_event pod_add = {
	SCHED_RESOURCE_POD, SCHED_ACTION_ADD, "Pod/Add" };
static const struct sched_event pod_delete = {
	SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, "Pod/Delete" };
static const struct sched_event pod_label = {
	SCHED_RESOURCE_POD, SCHED_ACTION_UPDATE_POD_LABEL, "Pod/UpdatePodLabel" };
static const struct sched_event node_add = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, "Node/Add" };
static const struct sched_event node_delete = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_DELETE, "Node/Delete" };
static const struct sched_event node_allocatable = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_ALLOCATABLE,
	"Node/UpdateNodeAllocatable" };
static const struct sched_event node_label = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_LABEL, "Node/UpdateNodeLabel" };
static const struct sched_event node_taint = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_TAINT, "Node/UpdateNodeTaint" };
static const struct sched_event node_condition = {
	SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_CONDITION,
	"Node/UpdateNodeCondition" };

static const struct sched_event volume_detach = {
	SCHED_RESOURCE_VOLUME_ATTACHMENT, SCHED_ACTION_DELETE, "VolumeAttachment/Delete" };
static const struct sched_event claim_add = {
	SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM, SCHED_ACTION_ADD,
	"PersistentVolumeClaim/Add" };
static const struct sched_event claim_update = {
	SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM, SCHED_ACTION_UPDATE_OTHER,
	"PersistentVolumeClaim/Update" };
static const struct sched_event volume_add = {
	SCHED_RESOURCE_PERSISTENT_VOLUME, SCHED_ACTION_ADD, "PersistentVolume/Add" };
static const struct sched_event volume_update = {
	SCHED_RESOURCE_PERSISTENT_VOLUME, SCHED_ACTION_UPDATE_OTHER,
	"PersistentVolume/Update" };

/* K8S: MoveAllToActiveOrBackoffQueue(event, old, new). Cheap when nothing
 * is parked: one length test. */
static void fire(struct scheduler *s, const struct sched_event *event,
		 const struct object *old_obj, const struct object *new_obj)
{
	if (sched_queue_len(s->queue, SCHED_QUEUE_UNSCHEDULABLE))
		sched_queue_move_on(s->queue, event, old_obj, new_obj, &s->cache);
}

/* K8S: AssignedPodAdded: a pod parked for want of a pod to be near (or of
 * a spread domain to even out) may fit once this one is bound. */
static void pod_bound(struct scheduler *s, const struct pod *pod)
{
	fire(s, &pod_add, NULL, &pod->obj);
}

void sched_events_forgotten(struct scheduler *s, const struct pod *pod,
			    const char *node)
{
	if (!sched_queue_len(s->queue, SCHED_QUEUE_UNSCHEDULABLE))
		return;
	/* K8S: handleBindingCycleError fires EventAssignedPodDelete with
	 * the assumed pod, which carries the node's name. */
	struct pod *assumed = (struct pod *)object_copy(&pod->obj);
	free(assumed->spec.node_name);
	assumed->spec.node_name = xstrdup(node);
	fire(s, &pod_delete, &assumed->obj, NULL);
	object_unref(&assumed->obj);
}

void sched_pod_added(struct scheduler *s, const struct pod *pod)
{
	if (is_terminal(pod))
		return;
	if (sched_pod_is_assigned(pod)) {
		sched_cache_add_pod(&s->cache, pod);
		pod_bound(s, pod);
	} else if (is_responsible(s, pod)) {
		sched_queue_add(s->queue, pod);
		sched_nominator_add(&s->nominator, &s->cache, pod, NULL);
	}
}

static void pod_deleted(struct scheduler *s, const struct pod *pod)
{
	/* LAB: sched-release. The room is free: parked pods may fit now. */
	sched_cache_remove_pod(&s->cache, pod->obj.meta.uid);
	sched_queue_delete(s->queue, pod->obj.meta.uid);
	sched_nominator_delete(&s->nominator, pod->obj.meta.uid);
	/* K8S: RejectWaitingPod: a deleted pod stops waiting on Permit; its
	 * binding cycle then fails and frees its room
	 * (sched_events_forgotten). */
	sched_waiting_pods_reject_uid(&s->waiting, pod->obj.meta.uid);
	/* K8S: EventAssignedPodDelete, or EventUnscheduledPodDelete for a
	 * pending pod (the hints tell them apart: a nominated one held room
	 * in the nominator, any other none). */
	fire(s, &pod_delete, &pod->obj, NULL);
}

/* K8S: eventhandlers.go: one informer for assigned pods (the cache), one
 * for unassigned pods this scheduler serves (the queue); terminal pods
 * are filtered out of both, so becoming terminal looks like a delete. */
static void pod_modified(struct scheduler *s, const struct pod *old,
			 const struct pod *pod)
{
	if (is_terminal(pod)) {
		if (!is_terminal(old))
			pod_deleted(s, pod);
		return;
	}
	if (sched_pod_is_assigned(pod)) {
		sched_cache_add_pod(&s->cache, pod);
		if (!sched_pod_is_assigned(old)) {
			sched_queue_delete(s->queue, pod->obj.meta.uid);
			sched_nominator_delete(&s->nominator, pod->obj.meta.uid);
			pod_bound(s, pod);
		} else if (sched_queue_len(s->queue, SCHED_QUEUE_UNSCHEDULABLE) &&
			   !strmap_equal(&old->obj.meta.labels, &pod->obj.meta.labels)) {
			/* K8S: AssignedPodUpdated with UpdatePodLabel */
			fire(s, &pod_label, &old->obj, &pod->obj);
		}
		return;
	}
	if (!is_responsible(s, pod) || sched_cache_pod(&s->cache, pod->obj.meta.uid))
		return;		/* not ours, or assumed and being bound */
	sched_queue_update(s->queue, old, pod);
	sched_nominator_update(&s->nominator, &s->cache, old, pod);
}

void sched_on_pod(void *arg, enum watch_type type, const struct object *obj,
		  const struct object *old)
{
	struct scheduler *s = arg;
	const struct pod *pod = object_as(obj, KIND_POD, const struct pod);
	switch (type) {
	case WATCH_ADDED:
		sched_pod_added(s, pod);
		break;
	case WATCH_MODIFIED:
		pod_modified(s, object_as(old, KIND_POD, const struct pod), pod);
		break;
	case WATCH_DELETED:
		pod_deleted(s, pod);
		break;
	}
}

static bool same_string(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool taints_equal(const struct node *old, const struct node *node)
{
	if (old->spec.taints.len != node->spec.taints.len)
		return false;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *a = &old->spec.taints.items[i];
		const struct taint *b = &node->spec.taints.items[i];
		if (!same_string(a->key, b->key) || !same_string(a->value, b->value) ||
		    !same_string(a->effect, b->effect))
			return false;
	}
	return true;
}

static bool allocatable_equal(const struct node *old, const struct node *node)
{
	if (old->status.allocatable.len != node->status.allocatable.len)
		return false;
	for (size_t i = 0; i < node->status.allocatable.len; i++) {
		const struct resource_entry *a = &old->status.allocatable.items[i];
		const struct resource_entry *b = &node->status.allocatable.items[i];
		if (strcmp(a->name, b->name) || quantity_cmp(&a->quantity, &b->quantity))
			return false;
	}
	return true;
}

/* K8S: extractNodeConditionsChange compares the conditions without their
 * heartbeat times: a heartbeat is no event, a Ready flip is. */
static bool conditions_equal(const struct node *old, const struct node *node)
{
	if (old->status.conditions.len != node->status.conditions.len)
		return false;
	for (size_t i = 0; i < node->status.conditions.len; i++) {
		const struct condition *a = &old->status.conditions.items[i];
		const struct condition *b = &node->status.conditions.items[i];
		if (!same_string(a->type, b->type) || !same_string(a->status, b->status) ||
		    !same_string(a->reason, b->reason) ||
		    !same_string(a->message, b->message))
			return false;
	}
	return true;
}

/* LAB: sched-requeue-node. K8S: nodeSchedulingPropertiesChange: one event
 * per kind of change, in upstream's order (spec.unschedulable counts as a
 * taint change). Annotations are not modelled: no plugin reads them. */
static void node_changed(struct scheduler *s, const struct node *old,
			 const struct node *node)
{
	if (old->spec.unschedulable != node->spec.unschedulable)
		fire(s, &node_taint, &old->obj, &node->obj);
	if (!allocatable_equal(old, node))
		fire(s, &node_allocatable, &old->obj, &node->obj);
	if (!strmap_equal(&old->obj.meta.labels, &node->obj.meta.labels))
		fire(s, &node_label, &old->obj, &node->obj);
	if (!taints_equal(old, node))
		fire(s, &node_taint, &old->obj, &node->obj);
	if (!conditions_equal(old, node))
		fire(s, &node_condition, &old->obj, &node->obj);
	/* K8S: a VolumeAttachment deleted. kubelab has no VolumeAttachment
	 * objects: a detach shows as a volume leaving the node's
	 * status.volumesAttached (old and new are the node). */
	if (node->status.volumes_attached.len < old->status.volumes_attached.len)
		fire(s, &volume_detach, &old->obj, &node->obj);
}

void sched_on_node(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct scheduler *s = arg;
	const struct node *node = object_as(obj, KIND_NODE, const struct node);
	switch (type) {
	case WATCH_ADDED:
		sched_cache_set_node(&s->cache, node);
		fire(s, &node_add, NULL, &node->obj);
		break;
	case WATCH_MODIFIED:
		sched_cache_set_node(&s->cache, node);
		if (sched_queue_len(s->queue, SCHED_QUEUE_UNSCHEDULABLE))
			node_changed(s, object_as(old, KIND_NODE, const struct node), node);
		break;
	case WATCH_DELETED:
		sched_cache_remove_node(&s->cache, node->obj.meta.name);
		fire(s, &node_delete, &node->obj, NULL);
		break;
	}
}

void sched_on_volume(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct scheduler *s = arg;
	bool claim = obj->kind->id == KIND_PERSISTENTVOLUMECLAIM;
	switch (type) {
	case WATCH_ADDED:
		fire(s, claim ? &claim_add : &volume_add, NULL, obj);
		break;
	case WATCH_MODIFIED:
		fire(s, claim ? &claim_update : &volume_update, old, obj);
		break;
	case WATCH_DELETED:
		break;		/* K8S: no plugin registers their deletion */
	}
}
