/* sched_node_unschedulable.c - the NodeUnschedulable plugin: cordoned nodes.
 *
 * K8S: pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go
 *
 * `kubectl cordon worker-2` sets the node's spec.unschedulable: running
 * pods stay, but no new pod is placed there -- the first step of draining
 * a node for maintenance. This Filter is what enforces it. A pod may still
 * land on a cordoned node if it tolerates the taint that stands for the
 * flag, node.kubernetes.io/unschedulable:NoSchedule (DaemonSet pods get
 * that toleration, so a node's per-node agents survive a cordon). The
 * verdict is UnschedulableAndUnresolvable: preempting pods would not
 * uncordon the node.
 *
 * Interface: sched_node_unschedulable_plugin (Filter only).
 */
#include "sched_framework.h"
#include "sched_queueing_hints.h"
#include "sched_nodeinfo.h"

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	(void)state;
	/* hot: the cache's copy of spec.unschedulable, on the line the
	 * other Filters load, instead of the Node object */
	if (!node->unschedulable)
		return SCHED_SUCCESS;
	/* LAB: sched-cordon. The flag behaves as this taint would. */
	const struct taint unschedulable = {
		.key = TAINT_NODE_UNSCHEDULABLE,
		.effect = TAINT_NO_SCHEDULE,
	};
	if (sched_tolerations_tolerate(&pod->spec, &unschedulable))
		return SCHED_SUCCESS;
	return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				"node(s) were unschedulable");
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: NodeUnschedulable.isSchedulableAfterNodeChange: Queue when the node
 * is new or was cordoned, and is not cordoned now. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *old = sched_hint_old_node(in);
	const struct node *node = sched_hint_new_node(in);
	bool was_schedulable = old && !old->spec.unschedulable;
	if (!was_schedulable && !node->spec.unschedulable)
		return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: NodeUnschedulable.EventsToRegister (with queueing hints on; the
 * pod's own toleration updates are the queue's business here). */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_TAINT, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_node_unschedulable_plugin = {
	.id = SCHED_PLUGIN_NODE_UNSCHEDULABLE,
	.name = "NodeUnschedulable",
	.filter = filter,
	.events_to_register = events,
};
