/* sched_queueing_hints.h - cluster events and the plugins' queueing hints.
 *
 * K8S: staging/src/k8s.io/kube-scheduler/framework/types.go (ClusterEvent,
 * EventResource, ActionType, QueueingHint, ClusterEventWithHint),
 * interface.go (EnqueueExtensions.EventsToRegister), pkg/scheduler/
 * framework/events.go (the events the scheduler fires, MatchClusterEvents)
 * and backend/queue/scheduling_queue.go (isPodWorthRequeuing). Feature
 * SchedulerQueueingHints, on by default since v1.34.
 *
 * A pod that no node fits is parked in the queue's unschedulable pool
 * (sched_queue.h). Retrying it on every change of the cluster would be
 * wasted work: a pod short of cpu gains nothing from a label added to a
 * node. So each Filter plugin says which cluster events could undo its
 * own "no" (EventsToRegister: "a Pod deleted", "a Node added or its
 * allocatable changed") and, for each, a hint function that looks at the
 * event's objects and answers Queue ("this may help, try again") or
 * QueueSkip ("not for this pod"). When an event arrives, a parked pod
 * moves back only if one of the plugins that rejected it in its last
 * attempt registered the event and its hint says Queue. A pod rejected by
 * no plugin in particular moves on any event; a plugin that registers
 * nothing (a student's) is asked about every event and always says Queue,
 * as upstream treats plugins without EnqueueExtensions.
 *
 * Interface: the event and action vocabulary, the hint function type,
 * sched_event_matches, and sched_hints_worth_requeuing (the queue's
 * question). Each built-in plugin's table and hint functions live at the
 * end of its own file (sched_fit.c, sched_taint_toleration.c, ...), hung
 * on struct sched_plugin's events_to_register.
 *
 * Invariants: a table ends with an entry whose actions are 0; hint
 * functions only read their inputs (no writes, no allocation that
 * outlives the call) and are deterministic.
 */
#ifndef KUBELAB_SCHED_QUEUEING_HINTS_H
#define KUBELAB_SCHED_QUEUEING_HINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "api.h"

struct sched_cache;
struct sched_plugin;

/* K8S: fwk.EventResource, the kinds kubelab's scheduler watches. Upstream
 * also tells AssignedPod from UnscheduledPod; a plugin registering Pod
 * gets both, and the hints look at spec.nodeName themselves. */
enum sched_event_resource {
	SCHED_RESOURCE_POD,
	SCHED_RESOURCE_NODE,
	SCHED_RESOURCE_PERSISTENT_VOLUME_CLAIM,
	SCHED_RESOURCE_PERSISTENT_VOLUME,
	/* a volume detached from a node; kubelab reads it off the node's
	 * status.volumesAttached (there are no VolumeAttachment objects) */
	SCHED_RESOURCE_VOLUME_ATTACHMENT,
	SCHED_RESOURCE_WILDCARD,	/* registered: matches every resource */
};

/* K8S: fwk.ActionType, bits. Updates are split by what changed, so that a
 * plugin can ask for "a node's labels changed" and nothing else. */
enum sched_action {
	SCHED_ACTION_ADD = 1u << 0,
	SCHED_ACTION_DELETE = 1u << 1,
	SCHED_ACTION_UPDATE_NODE_ALLOCATABLE = 1u << 2,
	SCHED_ACTION_UPDATE_NODE_LABEL = 1u << 3,
	/* taints, and spec.unschedulable (upstream files it under taints) */
	SCHED_ACTION_UPDATE_NODE_TAINT = 1u << 4,
	SCHED_ACTION_UPDATE_NODE_CONDITION = 1u << 5,
	SCHED_ACTION_UPDATE_POD_LABEL = 1u << 6,
	SCHED_ACTION_UPDATE_OTHER = 1u << 7,	/* PVC and PV updates */
	SCHED_ACTION_UPDATE = SCHED_ACTION_UPDATE_NODE_ALLOCATABLE |
			      SCHED_ACTION_UPDATE_NODE_LABEL |
			      SCHED_ACTION_UPDATE_NODE_TAINT |
			      SCHED_ACTION_UPDATE_NODE_CONDITION |
			      SCHED_ACTION_UPDATE_POD_LABEL |
			      SCHED_ACTION_UPDATE_OTHER,
	SCHED_ACTION_ALL = SCHED_ACTION_ADD | SCHED_ACTION_DELETE | SCHED_ACTION_UPDATE,
};

/* K8S: fwk.ClusterEvent. A fired event has one action bit and a label
 * ("Pod/Delete", "Node/UpdateNodeLabel"); a registered one may have
 * several bits and no label. */
struct sched_event {
	enum sched_event_resource resource;
	uint32_t actions;
	const char *label;
};

/* K8S: MatchClusterEvents: same resource (or a wildcard registration) and
 * at least one action in common. */
bool sched_event_matches(const struct sched_event *registered,
			 const struct sched_event *event);

/* K8S: fwk.QueueingHint */
enum sched_hint {
	SCHED_HINT_SKIP,		/* QueueSkip: stay parked */
	SCHED_HINT_QUEUE,		/* Queue: worth another attempt */
};

/* What a hint function sees: the parked pod and the event's objects (old
 * is NULL for an Add, new_obj NULL for a Delete; both are the event's
 * kind). cache is the scheduler's, already updated by the event; a hint
 * may intern names in it (sched_pod_request_compute) but must not book
 * anything. */
struct sched_hint_input {
	const struct pod *pod;
	const struct object *old_obj, *new_obj;
	struct sched_cache *cache;
};

/* K8S: fwk.QueueingHintFn (without the error: kubelab's hints cannot
 * fail; upstream turns an error into Queue). */
typedef enum sched_hint (*sched_hint_fn)(const struct sched_hint_input *in);

/* K8S: fwk.ClusterEventWithHint. A NULL hint means Queue. */
struct sched_event_hint {
	struct sched_event event;
	sched_hint_fn hint;
};

/* K8S: isPodWorthRequeuing. rejectors has a bit per plugin id that
 * rejected the pod in its last attempt (K8S: UnschedulablePlugins).
 * true: move the pod (after its backoff); *by is then the plugin whose
 * hint said Queue, or NULL when no plugin rejected it. Plugins are asked
 * in id order (upstream's map order is random; the answer is the same). */
bool sched_hints_worth_requeuing(uint32_t rejectors, const struct sched_event *event,
				 const struct sched_hint_input *in,
				 const struct sched_plugin **by);

/* Helpers for hint functions: the event's objects as their kind. */
static inline const struct pod *sched_hint_old_pod(const struct sched_hint_input *in)
{
	return in->old_obj ? object_as(in->old_obj, KIND_POD, const struct pod) : NULL;
}
static inline const struct pod *sched_hint_new_pod(const struct sched_hint_input *in)
{
	return in->new_obj ? object_as(in->new_obj, KIND_POD, const struct pod) : NULL;
}
static inline const struct node *sched_hint_old_node(const struct sched_hint_input *in)
{
	return in->old_obj ? object_as(in->old_obj, KIND_NODE, const struct node) : NULL;
}
static inline const struct node *sched_hint_new_node(const struct sched_hint_input *in)
{
	return in->new_obj ? object_as(in->new_obj, KIND_NODE, const struct node) : NULL;
}

/* Whether pod is bound or nominated to a node: only such a pod's
 * deletion can free room (the resource and port hints' first test). */
bool sched_hint_pod_placed(const struct pod *pod);

/* K8S: the volume plugins' isSchedulableAfterPersistentVolumeClaimChange:
 * Queue when the claim added or changed is one of the pod's volumes
 * (same namespace, a volume naming it). */
enum sched_hint sched_hint_pod_claim_changed(const struct sched_hint_input *in);

#endif
