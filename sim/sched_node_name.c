/* sched_node_name.c - the NodeName plugin: a pod that names its node.
 *
 * K8S: pkg/scheduler/framework/plugins/nodename/node_name.go
 *
 * spec.nodeName is normally written by the scheduler when it binds a pod.
 * A pod created with nodeName already set skips the scheduler altogether
 * (the kubelet of that node just runs it -- which is how static-style
 * placement and some tests work). This Filter covers the remaining case in
 * upstream's design, where a pod carrying nodeName still goes through a
 * scheduling cycle: only the named node passes. In kubelab, as upstream,
 * pods with nodeName set never enter the queue, so this plugin matters
 * only to profiles and tests that run it directly.
 *
 * Interface: sched_node_name_plugin (Filter only).
 */
#include <string.h>

#include "sched_framework.h"
#include "sched_queueing_hints.h"
#include "sched_nodeinfo.h"

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	(void)state;
	const char *wanted = pod->spec.node_name;
	if (!wanted || !*wanted || !strcmp(wanted, node->name))
		return SCHED_SUCCESS;
	return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				"node(s) didn't match the requested node name");
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: NodeName.isSchedulableAfterNodeAdd: only the named node can help. */
static enum sched_hint after_node_add(const struct sched_hint_input *in)
{
	const char *wanted = in->pod->spec.node_name;
	const struct node *node = sched_hint_new_node(in);
	if (!wanted || !*wanted || !strcmp(wanted, node->obj.meta.name))
		return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: NodeName.EventsToRegister */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, NULL }, after_node_add },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_node_name_plugin = {
	.id = SCHED_PLUGIN_NODE_NAME,
	.name = "NodeName",
	.filter = filter,
	.events_to_register = events,
};
