/* scenario_pools.c - the scenario's cluster: spec.cluster.nodePools.
 *
 * Nodes come in pools of identical machines (as kind's cluster configs and
 * cloud node groups have them): a pool named worker with count 3 makes
 * worker-1 .. worker-3, each with the pool's capacity, allocatable, labels
 * and taints. Checked here, with positions: the pool name is a DNS label
 * (node names are NAME-N), unique; count within 1..MAX_POOL_NODES;
 * capacity has cpu and memory; allocatable is within capacity. Filled in
 * as the kubelet would: pods 110 when unsaid, allocatable equal to
 * capacity for every resource not reserved.
 * K8S: the kubelet's node status (capacity, allocatable = capacity -
 * reserved) and its --max-pods default.
 *
 * Interface: load_pools, node_pool_release (scenario_load.h).
 * See also: scenario.c (the document), cluster_nodes.c (making the nodes).
 */
#include "scenario_load.h"

#include "api.h"
#include "decode.h"
#include "xmalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* K8S: the kubelet's --max-pods default (KubeletConfiguration.MaxPods). */
#define DEFAULT_MAX_PODS	110

static const struct field node_pool_fields[] = {
	{ SCENARIO_FIELD("name", FIELD_STRING, struct node_pool, name),
	  .flags = FIELD_REQUIRED },
	{ SCENARIO_FIELD("count", FIELD_INT32, struct node_pool, count) },
	{ SCENARIO_FIELD("capacity", FIELD_RESOURCES, struct node_pool, capacity),
	  .flags = FIELD_REQUIRED },
	{ SCENARIO_FIELD("allocatable", FIELD_RESOURCES, struct node_pool, allocatable) },
	{ SCENARIO_FIELD("labels", FIELD_STRMAP, struct node_pool, labels) },
	{ SCENARIO_FIELD("taints", FIELD_LIST, struct node_pool, taints),
	  .schema = &taint_schema, .elem = FIELD_STRUCT },
};

static const struct schema node_pool_schema = {
	"NodePool", sizeof(struct node_pool), FIELDS(node_pool_fields)
};

static bool dns_label(const char *name)
{
	size_t len = strlen(name);
	if (!len || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* Checks one decoded pool and fills in what the kubelet would: pods 110
 * when unsaid, allocatable equal to capacity for every resource not
 * reserved. */
static void check_pool(struct loader *l, const struct ynode *node,
		       struct node_pool *pool, const char *path)
{
	const struct ynode *count = ynode_get(node, "count");
	if (!count || ynode_is_null(count))
		pool->count = 1;
	else if (pool->count < 1)
		loader_problem(l, count, "%s.count: must be at least 1, got %d",
			       path, pool->count);
	else if (pool->count > MAX_POOL_NODES)
		/* A typo, not a cluster: 2147483647 nodes would exhaust the
		 * memory at start rather than fail here. */
		loader_problem(l, count, "%s.count: must be at most %d (upstream "
			       "tests clusters of up to 5000 nodes), got %d", path,
			       MAX_POOL_NODES, pool->count);
	if (pool->name && !dns_label(pool->name))
		/* Node names are NAME-N, and must be DNS labels. */
		loader_problem(l, ynode_get(node, "name"), "%s.name: \"%s\" is "
			       "not a valid pool name: lower-case letters, digits "
			       "and '-', starting and ending with a letter or digit",
			       path, pool->name);
	const struct ynode *capacity = ynode_get(node, "capacity");
	static const char *const needed[] = { "cpu", "memory" };
	/* Asked of the YAML, not the decoded list: a memory that did not
	 * parse has been reported already and is not missing too. */
	for (size_t i = 0; capacity && i < 2; i++)
		if (capacity->kind == YNODE_MAP && !ynode_get(capacity, needed[i]))
			loader_problem(l, capacity, "%s.capacity: missing %s "
				       "(a node needs cpu and memory)", path,
				       needed[i]);
	if (!resource_list_get(&pool->capacity, "pods")) {
		struct quantity pods = quantity_from_int(DEFAULT_MAX_PODS,
							 QUANTITY_DECIMAL_SI);
		resource_list_set(&pool->capacity, "pods", &pods);
	}
	/* K8S: allocatable = capacity - reserved (the kubelet's node
	 * allocatable); what the scenario does not reserve stays at capacity. */
	const struct ynode *alloc = ynode_get(node, "allocatable");
	for (size_t i = 0; i < pool->allocatable.len; i++) {
		const struct resource_entry *e = &pool->allocatable.items[i];
		const struct quantity *cap = resource_list_get(&pool->capacity, e->name);
		const struct ynode *at = ynode_get(alloc, e->name);
		if (!cap)
			loader_problem(l, at, "%s.allocatable[%s]: not in capacity",
				       path, e->name);
		else if (quantity_cmp(&e->quantity, cap) > 0)
			loader_problem(l, at, "%s.allocatable[%s]: cannot exceed "
				       "capacity", path, e->name);
	}
	for (size_t i = 0; i < pool->capacity.len; i++) {
		const struct resource_entry *e = &pool->capacity.items[i];
		if (!resource_list_get(&pool->allocatable, e->name))
			resource_list_set(&pool->allocatable, e->name, &e->quantity);
	}
}

void load_pools(struct loader *l, const struct ynode *cluster)
{
	static const char *const known[] = { "nodePools", NULL };
	if (!loader_want(l, cluster, YNODE_MAP, "spec.cluster"))
		return;
	loader_check_keys(l, cluster, "spec.cluster", known);
	const struct ynode *pools = ynode_get(cluster, "nodePools");
	if (!pools || ynode_is_null(pools) ||
	    !loader_want(l, pools, YNODE_SEQ, "spec.cluster.nodePools"))
		return;
	struct scenario *sc = l->scenario;
	for (size_t i = 0; i < pools->len; i++) {
		const struct ynode *node = pools->items[i];
		char *path = xasprintf("spec.cluster.nodePools[%zu]", i);
		struct node_pool pool = { 0 };
		decode_struct(l->file, node, &node_pool_schema, &pool, path, l->diags);
		bool duplicate = false;
		if (node->kind == YNODE_MAP)
			check_pool(l, node, &pool, path);
		for (size_t j = 0; pool.name && j < sc->node_pools.len; j++)
			if (!strcmp(sc->node_pools.items[j].name, pool.name))
				duplicate = true;
		if (duplicate)
			loader_problem(l, ynode_get(node, "name"), "%s.name: "
				       "Duplicate value: \"%s\"", path, pool.name);
		/* A pool with a name is kept even when it has problems, so that
		 * its nodes do not also show up as unknown in faults; a
		 * duplicate is dropped, its nodes are the first pool's. */
		if (pool.name && pool.count > 0 && !duplicate) {
			LIST_PUSH(sc->node_pools, pool);
		} else {
			schema_release(&node_pool_schema, &pool);
		}
		free(path);
	}
}

void node_pool_release(struct node_pool *pool)
{
	schema_release(&node_pool_schema, pool);
}
