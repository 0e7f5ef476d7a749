/* cluster_nodes.c - the nodes of a run: made from the pools, one kubelet each.
 *
 * K8S: the Node object a kubelet registers (pkg/kubelet/kubelet_node_status.go,
 * registerWithAPIServer), the addresses a cloud provider and the node IPAM
 * controller give it (pkg/controller/nodeipam), and the well-known labels
 * (kubernetes.io/hostname, kubernetes.io/os).
 *
 * A scenario declares node pools (count, capacity, allocatable, labels,
 * taints); node i of pool P is named P-i and is built from the pool, and
 * its kubelet (kubelet.h) registers it. addNodes (cluster_timeline.c)
 * starts more of a pool's nodes later, the same way.
 *
 * Interface (cluster_internal.h): cluster_start_nodes, cluster_start_node,
 * cluster_find_node.
 *
 * Invariants: addresses and names depend only on the order nodes are
 * started, so every run gets the same ones; c->nodes is allocated once
 * for every node the run can make and never moves.
 */
#include "cluster_internal.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "kubelet.h"
#include "xmalloc.h"

/* Node addresses, as a cloud provider and the node IPAM controller would
 * give them (K8S: pkg/controller/nodeipam): the n-th node of the cluster
 * (from 0) gets InternalIP 10.0.x.y and the pod range 10.(192+n/256).
 * (n%256).0/24 of the cluster CIDR 10.192.0.0/10, so addresses are unique
 * for up to 16,384 nodes and the same in every run. */
static void assign_addresses(struct node *node, size_t n)
{
	node->spec.pod_cidr = xasprintf("10.%zu.%zu.0/24", 192 + n / 256, n % 256);
	node->status.addresses.items = xcalloc(1, sizeof(*node->status.addresses.items));
	node->status.addresses.len = 1;
	node->status.addresses.items[0].type = xstrdup("InternalIP");
	node->status.addresses.items[0].address =
		xasprintf("10.0.%zu.%zu", n / 250, n % 250 + 2);
}

static struct node *node_from_pool(const struct node_pool *pool, int index,
				   size_t cluster_index)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xasprintf("%s-%d", pool->name, index);
	assign_addresses(node, cluster_index);
	strmap_copy(&node->obj.meta.labels, &pool->labels);
	strmap_set(&node->obj.meta.labels, "kubernetes.io/hostname", node->obj.meta.name);
	strmap_set(&node->obj.meta.labels, "kubernetes.io/os", "linux");
	strmap_set(&node->obj.meta.labels, "kubelab.io/pool", pool->name);
	for (size_t i = 0; i < pool->taints.len; i++) {
		size_t cap = node->spec.taints.len;
		xgrow((void **)&node->spec.taints.items, &cap, node->spec.taints.len + 1,
		      sizeof(struct taint));
		schema_copy(&taint_schema, &node->spec.taints.items[node->spec.taints.len++],
			    &pool->taints.items[i]);
	}
	const struct resource_list *alloc = pool->allocatable.len ? &pool->allocatable
								  : &pool->capacity;
	for (size_t i = 0; i < pool->capacity.len; i++)
		resource_list_set(&node->status.capacity, pool->capacity.items[i].name,
				  &pool->capacity.items[i].quantity);
	for (size_t i = 0; i < alloc->len; i++)
		resource_list_set(&node->status.allocatable, alloc->items[i].name,
				  &alloc->items[i].quantity);
	return node;
}

/* Starts node index of pool: its kubelet registers it. */
void cluster_start_node(struct cluster *c, const struct node_pool *pool, int index)
{
	const struct scenario *s = c->scenario;
	struct node_agent *agent = &c->nodes[c->nodes_len];
	struct node *node = node_from_pool(pool, index, c->nodes_len);
	agent->name = xstrdup(node->obj.meta.name);
	cluster_init_client(c, &agent->client, "kubelet", agent->name);
	struct kubelet_options ko = {
		.node = node,
		.images = s->images.items,
		.images_len = s->images.len,
		.seed = c->seed ^ (0x9e3779b97f4a7c15ULL * (c->nodes_len + 1)),
	};
	agent->kubelet = kubelet_new(&agent->client, &ko);
	object_unref(&node->obj);
	c->nodes_len++;
}

void cluster_start_nodes(struct cluster *c)
{
	const struct scenario *s = c->scenario;
	size_t total = 0;
	for (size_t p = 0; p < s->node_pools.len; p++)
		total += (size_t)s->node_pools.items[p].count +
			 (size_t)s->node_pools.items[p].added;
	c->nodes = xcalloc(total ? total : 1, sizeof(*c->nodes));
	c->nodes_cap = total;
	c->pool_next = xcalloc(s->node_pools.len + 1, sizeof(*c->pool_next));
	for (size_t p = 0; p < s->node_pools.len; p++) {
		const struct node_pool *pool = &s->node_pools.items[p];
		for (int i = 1; i <= pool->count; i++)
			cluster_start_node(c, pool, i);
		c->pool_next[p] = pool->count;
	}
}

struct node_agent *cluster_find_node(struct cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nodes_len; i++)
		if (!strcmp(c->nodes[i].name, name))
			return &c->nodes[i];
	return NULL;
}
