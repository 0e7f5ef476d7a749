/* sched_node_ports.c - the NodePorts plugin: is the pod's hostPort free
 * on this node?
 *
 * K8S: pkg/scheduler/framework/plugins/nodeports/node_ports.go (PreFilter,
 * Filter, fitsPorts), scheduler/util GetHostPorts and framework/types.go
 * HostPortInfo.CheckConflict.
 *
 * A container that declares ports[].hostPort 8080 takes port 8080 of the
 * node it lands on. A second pod asking for the same port, protocol and
 * address cannot run there, so the scheduler filters such nodes out with
 * "node(s) didn't have free ports for the requested pod ports"
 * (Unschedulable: if the other pod goes away, the node fits again). A
 * DaemonSet with a hostPort therefore gets at most one pod per node, and a
 * Deployment with a hostPort can never have more ready replicas than
 * nodes. Address 0.0.0.0 (the default) clashes with every address; the
 * protocol defaults to TCP, and TCP 53 and UDP 53 do not clash.
 *
 * Most pods declare no host port: PreFilter then says Skip, and Filter
 * never runs for them.
 *
 * Interface: sched_node_ports_plugin. The used ports of every node are
 * kept by the cache (sched_nodeinfo_ports.c).
 */
#include <stdlib.h>

#include "sched_framework.h"
#include "sched_queueing_hints.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

/* K8S: nodeports.ErrReason */
#define NODE_PORTS_REASON "node(s) didn't have free ports for the requested pod ports"

/* The pod's host ports, pointing into the pod (alive for the cycle). */
struct wanted_ports {
	size_t len;
	const struct container_port *ports[];
};

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	size_t n = sched_pod_host_ports(pod, NULL, 0);
	if (n == 0)
		return SCHED_SKIP;	/* LAB: sched-ports-skip */
	struct wanted_ports *w = xmalloc(sizeof(*w) + n * sizeof(w->ports[0]));
	w->len = sched_pod_host_ports(pod, w->ports, n);
	sched_state_write(state, SCHED_PLUGIN_NODE_PORTS, w, free);
	return SCHED_SUCCESS;
}

/* K8S: fitsPorts */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	(void)pod;
	const struct wanted_ports *w = sched_state_read(state, SCHED_PLUGIN_NODE_PORTS);
	for (size_t i = 0; i < w->len; i++) {
		const struct container_port *p = w->ports[i];
		if (sched_node_ports_conflict(node, p->host_ip, p->protocol, p->host_port))
			return sched_status_add(status, SCHED_UNSCHEDULABLE,
						NODE_PORTS_REASON);
	}
	return SCHED_SUCCESS;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: NodePorts.isSchedulableAfterPodDeleted: Queue only when the deleted
 * pod was bound (or nominated) and held a host port this pod wants. */
static enum sched_hint after_pod_deleted(const struct sched_hint_input *in)
{
	const struct pod *deleted = sched_hint_old_pod(in);
	if (!sched_hint_pod_placed(deleted))
		return SCHED_HINT_SKIP;
	const struct container_port *held[16], *wanted[16];
	size_t held_len = sched_pod_host_ports(deleted, held, 16);
	size_t wanted_len = sched_pod_host_ports(in->pod, wanted, 16);
	if (held_len > 16)
		held_len = 16;	/* kubelab's sim kubelet admits the first 16 too */
	if (wanted_len > 16)
		wanted_len = 16;
	for (size_t i = 0; i < held_len; i++)
		for (size_t j = 0; j < wanted_len; j++)
			if (sched_host_port_clash(held[i], wanted[j]))
				return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: NodePorts.EventsToRegister: ports are immutable, so pod updates do
 * not count; a new node may have the port free (no hint: Queue). */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, NULL }, after_pod_deleted },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, NULL }, NULL },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_node_ports_plugin = {
	.id = SCHED_PLUGIN_NODE_PORTS,
	.name = "NodePorts",
	.pre_filter = pre_filter,
	.filter = filter,
	.events_to_register = events,
};
