/* sched_nodeinfo_topology.c - the scheduler cache's topology values: each
 * node's value of the label keys that define domains, as small integers.
 *
 * K8S: none; upstream reads node.Labels[topologyKey] (a Go map lookup)
 * for every node in PodTopologySpread's PreFilter, PreScore and Score.
 *
 * A topology domain is "the nodes sharing a value of a label":
 * topology.kubernetes.io/zone=zone-a is a zone, kubernetes.io/hostname=
 * node-7 a single node. Plugins that spread pods over domains count pods
 * per domain and look up, for every node they consider, its domain. A
 * lookup by string in a node's label map is a handful of comparisons on
 * strings scattered in memory; an array read in the node's record is one
 * load. So: a plugin registers a key once (sched_cache_topology_key), the
 * cache interns that key's values (id 1 is always "", 0 means "no such
 * label") and keeps, per node, the id of its value for every registered
 * key, refreshed whenever the node's labels are read (sched_cache_set_node).
 * A plugin then counts in arrays indexed by value id.
 *
 * The cache also counts, per key and value, the listed nodes that have
 * it, so that "which zones exist?" costs O(zones), not a walk over every
 * node (PodTopologySpread's Filter asks it for every pod with a hard
 * constraint).
 *
 * Invariant: for every node with a Node object and every registered key
 * k, sched_node_topology(node, k) is the id of the node's value of k, or
 * 0 without one; the counts are those of the listed nodes
 * (sched_topology_check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

/* One registered key and its interned values. */
struct sched_topology_key {
	char *key;
	struct hashmap ids;		/* value -> id (as a pointer) */
	char **values;			/* by id; [0] unused (absent), [1] = "" */
	size_t len, cap;
	/* by id: how many listed nodes have that value ([0]: how many have
	 * no such label); sized cap */
	uint32_t *listed;
};

/* Moves one listed node's count from value was to value now. */
static void listed_move(struct sched_topology_key *k, uint32_t was, uint32_t now)
{
	BUG_ON(k->listed[was] == 0);
	k->listed[was]--;
	k->listed[now]++;
}

static uint32_t intern(struct sched_topology_key *k, const char *value)
{
	uintptr_t id = (uintptr_t)hashmap_get(&k->ids, value);
	if (id)
		return (uint32_t)id;
	size_t cap = k->cap;
	xgrow((void **)&k->values, &k->cap, k->len + 1, sizeof(*k->values));
	if (k->cap != cap) {
		k->listed = xrealloc(k->listed, k->cap * sizeof(*k->listed));
		memset(k->listed + cap, 0, (k->cap - cap) * sizeof(*k->listed));
	}
	k->values[k->len] = xstrdup(value);
	hashmap_put(&k->ids, value, (void *)(uintptr_t)k->len);
	return (uint32_t)k->len++;
}

/* Reads node's value of registered key number key into its array. */
static void node_read(const struct sched_cache *cache, struct sched_node_info *node,
		      uint32_t key)
{
	size_t len = cache->topology_keys_len;
	if (len > SCHED_TOPOLOGY_INLINE && node->topology_len < len) {
		size_t more = len - SCHED_TOPOLOGY_INLINE;
		node->topology_more = xrealloc(node->topology_more,
					       more * sizeof(*node->topology_more));
	}
	/* keys registered since this node was last read start absent */
	for (; node->topology_len < len; node->topology_len++) {
		size_t k = node->topology_len;
		if (k < SCHED_TOPOLOGY_INLINE)
			node->topology[k] = SCHED_TOPOLOGY_ABSENT;
		else
			node->topology_more[k - SCHED_TOPOLOGY_INLINE] = SCHED_TOPOLOGY_ABSENT;
	}
	struct sched_topology_key *k = &cache->topology_keys[key];
	const char *value = node->node ? strmap_get(&node->node->obj.meta.labels, k->key) : NULL;
	uint32_t id = value ? intern(k, value) : SCHED_TOPOLOGY_ABSENT;
	if (node->listed)
		listed_move(k, sched_node_topology(node, key), id);
	if (key < SCHED_TOPOLOGY_INLINE)
		node->topology[key] = id;
	else
		node->topology_more[key - SCHED_TOPOLOGY_INLINE] = id;
}

uint32_t sched_cache_topology_key(struct sched_cache *cache, const char *key)
{
	for (size_t i = 0; i < cache->topology_keys_len; i++)
		if (!strcmp(cache->topology_keys[i].key, key))
			return (uint32_t)i;
	xgrow((void **)&cache->topology_keys, &cache->topology_keys_cap,
	      cache->topology_keys_len + 1, sizeof(*cache->topology_keys));
	uint32_t id = (uint32_t)cache->topology_keys_len++;
	struct sched_topology_key *k = &cache->topology_keys[id];
	memset(k, 0, sizeof(*k));
	k->key = xstrdup(key);
	k->len = 1;		/* id 0: absent */
	intern(k, "");		/* id 1: the empty value */
	k->listed[SCHED_TOPOLOGY_ABSENT] = (uint32_t)cache->listed_nodes;	/* until read */
	const char *name;
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->nodes, &pos, &name, &value);)
		node_read(cache, value, id);
	return id;
}

uint32_t sched_cache_topology_values(const struct sched_cache *cache, uint32_t key)
{
	BUG_ON(key >= cache->topology_keys_len);
	return (uint32_t)cache->topology_keys[key].len;
}

const char *sched_cache_topology_value(const struct sched_cache *cache, uint32_t key,
				       uint32_t value)
{
	BUG_ON(key >= cache->topology_keys_len);
	const struct sched_topology_key *k = &cache->topology_keys[key];
	BUG_ON(value == SCHED_TOPOLOGY_ABSENT || value >= k->len);
	return k->values[value];
}

uint32_t sched_cache_topology_find(const struct sched_cache *cache, uint32_t key,
				   const char *value)
{
	BUG_ON(key >= cache->topology_keys_len);
	return (uint32_t)(uintptr_t)hashmap_get(&cache->topology_keys[key].ids, value);
}

uint32_t sched_cache_topology_listed(const struct sched_cache *cache, uint32_t key,
				     uint32_t value)
{
	BUG_ON(key >= cache->topology_keys_len);
	const struct sched_topology_key *k = &cache->topology_keys[key];
	return value < k->len ? k->listed[value] : 0;
}

void sched_topology_node_listed(struct sched_cache *cache, const struct sched_node_info *node,
				int delta)
{
	for (size_t i = 0; i < cache->topology_keys_len; i++) {
		uint32_t *count = &cache->topology_keys[i].listed[sched_node_topology(node, (uint32_t)i)];
		BUG_ON(delta < 0 && *count == 0);
		*count += (uint32_t)delta;
	}
}

bool sched_topology_check(const struct sched_cache *cache)
{
	bool ok = true;
	for (size_t i = 0; i < cache->topology_keys_len; i++) {
		const struct sched_topology_key *k = &cache->topology_keys[i];
		uint32_t *want = xcalloc(k->len, sizeof(*want));
		const char *name;
		void *value;
		for (size_t pos = 0; hashmap_next(&cache->nodes, &pos, &name, &value);) {
			const struct sched_node_info *n = value;
			if (n->listed)
				want[sched_node_topology(n, (uint32_t)i)]++;
		}
		for (size_t v = 0; v < k->len; v++) {
			if (want[v] != k->listed[v]) {
				fprintf(stderr, "sched topology: %s value %zu: %u listed nodes, counted %u\n",
					k->key, v, want[v], k->listed[v]);
				ok = false;
			}
		}
		free(want);
	}
	return ok;
}

void sched_topology_node_update(struct sched_cache *cache, struct sched_node_info *node)
{
	for (size_t i = 0; i < cache->topology_keys_len; i++)
		node_read(cache, node, (uint32_t)i);
}

void sched_topology_release(struct sched_cache *cache)
{
	for (size_t i = 0; i < cache->topology_keys_len; i++) {
		struct sched_topology_key *k = &cache->topology_keys[i];
		for (size_t v = 1; v < k->len; v++)
			free(k->values[v]);
		free(k->values);
		free(k->listed);
		free(k->key);
		hashmap_release(&k->ids);
	}
	free(cache->topology_keys);
	cache->topology_keys = NULL;
	cache->topology_keys_len = cache->topology_keys_cap = 0;
}
