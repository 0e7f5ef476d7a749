/* sched_events.c - the scheduler's pod and node watch handlers.
 *
 * K8S: pkg/scheduler/eventhandlers.go (addPodToCache,
 * addPodToSchedulingQueue, updatePodInSchedulingQueue,
 * nodeSchedulingPropertiesChange, ...), and the EventsToRegister of the
 * plugins (which cluster events wake parked pods).
 *
 * Upstream runs one informer for assigned pods (feeding the cache) and
 * one for the unassigned pods this scheduler serves (feeding the queue);
 * terminal pods (Succeeded, Failed) are filtered out of both, so a pod
 * becoming terminal looks like a delete. A node added, or changed in
 * something a Filter reads, moves every parked pod back to be tried; a
 * pod deleted frees room and does the same.
 *
 * Interface (sched_internal.h): sched_on_pod and sched_on_node (the
 * watch callbacks, arg is the scheduler), sched_pod_added (also used for
 * the initial list).
 *
 * Invariants: a pod assumed and being bound is not requeued by its own
 * updates; heartbeats and node conditions wake no one.
 */
#include "sched_internal.h"

#include <string.h>

#include "api.h"

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

/* K8S: InterPodAffinity's EventsToRegister (an assigned Pod added): a
 * pod parked for want of a pod to be near may fit once one is bound.
 * Upstream's queueing hint asks whether the new pod matches the parked
 * pod's terms; kubelab moves every parked pod, only while some pod was
 * parked by InterPodAffinity, so clusters without affinity pay nothing. */
static void pod_bound(struct scheduler *s)
{
	if (!s->affinity_parked)
		return;
	s->affinity_parked = false;
	sched_queue_move_all(s->queue);
}

void sched_pod_added(struct scheduler *s, const struct pod *pod)
{
	if (is_terminal(pod))
		return;
	if (sched_pod_is_assigned(pod)) {
		sched_cache_add_pod(&s->cache, pod);
		pod_bound(s);
	} else if (is_responsible(s, pod)) {
		sched_queue_add(s->queue, pod);
		sched_nominator_add(&s->nominator, &s->cache, pod, NULL);
	}
}

static void pod_deleted(struct scheduler *s, const struct pod *pod)
{
	/* LAB: sched-release. The room is free: parked pods may fit now. */
	if (sched_cache_remove_pod(&s->cache, pod->obj.meta.uid))
		sched_queue_move_all(s->queue);
	sched_queue_delete(s->queue, pod->obj.meta.uid);
	sched_nominator_delete(&s->nominator, pod->obj.meta.uid);
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
			pod_bound(s);
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

/* Did anything a Filter reads change? K8S: nodeSchedulingPropertiesChange
 * (allocatable, labels, taints, spec.unschedulable). Heartbeats and
 * conditions do not wake parked pods. */
static bool node_changed(const struct node *old, const struct node *node)
{
	if (old->spec.unschedulable != node->spec.unschedulable ||
	    !strmap_equal(&old->obj.meta.labels, &node->obj.meta.labels) ||
	    old->spec.taints.len != node->spec.taints.len ||
	    old->status.allocatable.len != node->status.allocatable.len)
		return true;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *a = &old->spec.taints.items[i];
		const struct taint *b = &node->spec.taints.items[i];
		if (!same_string(a->key, b->key) || !same_string(a->value, b->value) ||
		    !same_string(a->effect, b->effect))
			return true;
	}
	for (size_t i = 0; i < node->status.allocatable.len; i++) {
		const struct resource_entry *a = &old->status.allocatable.items[i];
		const struct resource_entry *b = &node->status.allocatable.items[i];
		if (strcmp(a->name, b->name) || quantity_cmp(&a->quantity, &b->quantity))
			return true;
	}
	return false;
}

/* K8S: NodeVolumeLimits' EventsToRegister (a VolumeAttachment deleted).
 * kubelab has no VolumeAttachment objects: a detach shows as a volume
 * leaving the Node's status.volumesAttached. Only while some pod was
 * parked by NodeVolumeLimits, so other clusters' traces do not move. */
static bool volume_detached(struct scheduler *s, const struct node *old,
			    const struct node *node)
{
	if (!s->volume_limits_parked ||
	    node->status.volumes_attached.len >= old->status.volumes_attached.len)
		return false;
	s->volume_limits_parked = false;
	return true;
}

void sched_on_node(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct scheduler *s = arg;
	const struct node *node = object_as(obj, KIND_NODE, const struct node);
	switch (type) {
	case WATCH_ADDED:
		sched_cache_set_node(&s->cache, node);
		sched_queue_move_all(s->queue);	/* LAB: sched-requeue-node */
		break;
	case WATCH_MODIFIED:
		sched_cache_set_node(&s->cache, node);
		if (node_changed(object_as(old, KIND_NODE, const struct node), node) ||
		    volume_detached(s, object_as(old, KIND_NODE, const struct node), node))
			sched_queue_move_all(s->queue);
		break;
	case WATCH_DELETED:
		sched_cache_remove_node(&s->cache, node->obj.meta.name);
		break;
	}
}
