/* sched_nodeinfo_ports.c - the host ports in use on each node, as the
 * scheduler's cache books them.
 *
 * K8S: pkg/scheduler/framework/types.go (HostPortInfo: Add, Remove,
 * CheckConflict, sanitize; NodeInfo.updateUsedPorts).
 *
 * A container may ask for a port on the node itself (ports[].hostPort):
 * traffic to <node address>:8080 reaches the container. Two pods cannot
 * both own TCP 8080 on the same address, so the scheduler keeps, for each
 * node, the (hostIP, protocol, hostPort) triples its booked pods use, and
 * NodePorts (sched_node_ports.c) asks whether a new pod's triples clash.
 * An empty hostIP means 0.0.0.0, every address of the node, and an empty
 * protocol means TCP. A port on 0.0.0.0 clashes with the same protocol and
 * port on any address; 10.0.0.1:8080 and 10.0.0.2:8080 do not clash.
 *
 * App containers count, and sidecars (init containers with restartPolicy
 * Always, which run as long as the pod), as upstream. Each triple
 * carries a count of the pods using it: upstream's set forgets a port
 * when the first of two pods using it leaves (possible only for pods that
 * bypassed the scheduler); the count keeps the port booked until the last
 * one goes.
 *
 * Costs: nothing for a pod without host ports beyond a look at its
 * containers' port lists; a node's list is short (one entry per distinct
 * triple) and searched linearly.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

#define BIND_ALL "0.0.0.0"	/* K8S: DefaultBindAllHostIP */

struct used_port {
	char *ip;			/* owned; never "" (sanitized) */
	char *protocol;			/* owned; never "" */
	int32_t port;
	uint32_t pods;			/* how many booked pods use it */
};

struct sched_used_ports {
	struct used_port *items;
	size_t len, cap;
};

/* K8S: HostPortInfo.sanitize */
static const char *ip_or_all(const char *ip)
{
	return ip && *ip ? ip : BIND_ALL;
}

static const char *protocol_or_tcp(const char *protocol)
{
	return protocol && *protocol ? protocol : "TCP";
}

static struct used_port *find(const struct sched_used_ports *used, const char *ip,
			      const char *protocol, int32_t port)
{
	for (size_t i = 0; i < used->len; i++) {
		struct used_port *u = &used->items[i];
		if (u->port == port && !strcmp(u->protocol, protocol) && !strcmp(u->ip, ip))
			return u;
	}
	return NULL;
}

static void port_add(struct sched_node_info *node, const char *ip,
		     const char *protocol, int32_t port)
{
	if (!node->used_ports)
		node->used_ports = xcalloc(1, sizeof(*node->used_ports));
	struct sched_used_ports *used = node->used_ports;
	struct used_port *u = find(used, ip, protocol, port);
	if (u) {
		u->pods++;
		return;
	}
	xgrow((void **)&used->items, &used->cap, used->len + 1, sizeof(*used->items));
	used->items[used->len++] = (struct used_port){
		xstrdup(ip), xstrdup(protocol), port, 1,
	};
}

static void port_remove(struct sched_node_info *node, const char *ip,
			const char *protocol, int32_t port)
{
	struct sched_used_ports *used = node->used_ports;
	struct used_port *u = used ? find(used, ip, protocol, port) : NULL;
	BUG_ON(!u);			/* removing what was never added */
	if (--u->pods)
		return;
	free(u->ip);
	free(u->protocol);
	*u = used->items[--used->len];	/* order does not matter */
	if (used->len == 0)
		sched_node_ports_free(node);
}

static bool is_sidecar(const struct container *c)
{
	return c->restart_policy && !strcmp(c->restart_policy, "Always");
}

static void collect(const struct container *ctr, const struct container_port **out,
		    size_t cap, size_t *n)
{
	for (size_t k = 0; k < ctr->ports.len; k++) {
		const struct container_port *p = &ctr->ports.items[k];
		if (p->host_port <= 0)
			continue;	/* K8S: only ports with a hostPort */
		if (*n < cap)
			out[*n] = p;
		(*n)++;
	}
}

/* LAB: sched-host-ports. K8S: util.GetHostPorts. */
size_t sched_pod_host_ports(const struct pod *pod, const struct container_port **out,
			    size_t cap)
{
	const struct pod_spec *spec = &pod->spec;
	size_t n = 0;
	for (size_t c = 0; c < spec->init_containers.len; c++)
		if (is_sidecar(&spec->init_containers.items[c]))
			collect(&spec->init_containers.items[c], out, cap, &n);
	for (size_t c = 0; c < spec->containers.len; c++)
		collect(&spec->containers.items[c], out, cap, &n);
	return n;
}

/* LAB: sched-used-ports */
void sched_node_ports_update(struct sched_node_info *node, const struct pod *pod,
			     int sign)
{
	const struct container_port *stack[16], **ports = stack;
	size_t n = sched_pod_host_ports(pod, stack, 16);
	if (n == 0)
		return;
	if (n > 16) {
		ports = xcalloc(n, sizeof(*ports));
		sched_pod_host_ports(pod, ports, n);
	}
	for (size_t i = 0; i < n; i++) {
		const char *ip = ip_or_all(ports[i]->host_ip);
		const char *protocol = protocol_or_tcp(ports[i]->protocol);
		if (sign > 0)
			port_add(node, ip, protocol, ports[i]->host_port);
		else
			port_remove(node, ip, protocol, ports[i]->host_port);
	}
	if (ports != stack)
		free(ports);
}

/* LAB: sched-port-conflict */
bool sched_node_ports_conflict(const struct sched_node_info *node, const char *ip,
			       const char *protocol, int32_t port)
{
	const struct sched_used_ports *used = node->used_ports;
	if (!used || port <= 0)
		return false;
	ip = ip_or_all(ip);
	protocol = protocol_or_tcp(protocol);
	bool all = !strcmp(ip, BIND_ALL);
	for (size_t i = 0; i < used->len; i++) {
		const struct used_port *u = &used->items[i];
		if (u->port != port || strcmp(u->protocol, protocol))
			continue;
		/* 0.0.0.0 on either side covers every address. */
		if (all || !strcmp(u->ip, BIND_ALL) || !strcmp(u->ip, ip))
			return true;
	}
	return false;
}

bool sched_host_port_clash(const struct container_port *used,
			   const struct container_port *want)
{
	if (used->host_port <= 0 || used->host_port != want->host_port ||
	    strcmp(protocol_or_tcp(used->protocol), protocol_or_tcp(want->protocol)))
		return false;
	const char *a = ip_or_all(used->host_ip), *b = ip_or_all(want->host_ip);
	return !strcmp(a, BIND_ALL) || !strcmp(b, BIND_ALL) || !strcmp(a, b);
}

void sched_node_ports_copy(struct sched_node_info *dst,
			   const struct sched_node_info *src)
{
	const struct sched_used_ports *from = src->used_ports;
	dst->used_ports = NULL;
	if (!from)
		return;
	struct sched_used_ports *to = xcalloc(1, sizeof(*to));
	to->cap = to->len = from->len;
	to->items = xcalloc(to->cap, sizeof(*to->items));
	for (size_t i = 0; i < from->len; i++)
		to->items[i] = (struct used_port){ xstrdup(from->items[i].ip),
						   xstrdup(from->items[i].protocol),
						   from->items[i].port, from->items[i].pods };
	dst->used_ports = to;
}

void sched_node_ports_free(struct sched_node_info *node)
{
	struct sched_used_ports *used = node->used_ports;
	if (!used)
		return;
	for (size_t i = 0; i < used->len; i++) {
		free(used->items[i].ip);
		free(used->items[i].protocol);
	}
	free(used->items);
	free(used);
	node->used_ports = NULL;
}
