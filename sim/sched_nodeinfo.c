/* sched_nodeinfo.c - the scheduler's cache; see sched_nodeinfo.h.
 *
 * Layout: a hash table of node records by name, a hash table of pod
 * records by uid, and per node an array of its pods (each pod remembers
 * its index there, so removal is a swap with the last: O(1)). The node
 * tree (zones, each with its nodes in arrival order) only changes when a
 * node comes, goes or changes zone; the flat list the cycle walks is
 * rebuilt from it lazily, as upstream's UpdateSnapshot does. What a pod
 * requests (what booking it adds) is sched_nodeinfo_request.c's.
 */
#include "sched_nodeinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo_affinity.h"
#include "xmalloc.h"

/* A zone of the node tree. K8S: nodeTree.tree[zone] */
struct sched_zone {
	char *key;
	struct sched_node_info **nodes;
	size_t len, cap;
};

/* ---- resources ----------------------------------------------------------- */

bool sched_is_scalar_resource(const char *name)
{
	return !strncmp(name, "hugepages-", 10) ||
	       !strncmp(name, "attachable-volumes-", 19) ||
	       strchr(name, '/') != NULL;
}

uint32_t sched_cache_scalar_id(struct sched_cache *cache, const char *name)
{
	for (size_t i = 0; i < cache->scalar_names_len; i++)
		if (!strcmp(cache->scalar_names[i], name))
			return (uint32_t)i;
	xgrow((void **)&cache->scalar_names, &cache->scalar_names_cap,
	      cache->scalar_names_len + 1, sizeof(*cache->scalar_names));
	cache->scalar_names[cache->scalar_names_len] = xstrdup(name);
	return (uint32_t)cache->scalar_names_len++;
}

const char *sched_cache_scalar_name(const struct sched_cache *cache, uint32_t id)
{
	BUG_ON(id >= cache->scalar_names_len);
	return cache->scalar_names[id];
}

static void scalars_add(struct sched_scalars *s, uint32_t id, int64_t delta)
{
	if (id >= s->len) {
		size_t cap = s->len;
		xgrow((void **)&s->values, &cap, id + 1, sizeof(*s->values));
		memset(s->values + s->len, 0, (id + 1 - s->len) * sizeof(*s->values));
		s->len = id + 1;
	}
	s->values[id] += delta;
}

static void scalars_release(struct sched_scalars *s)
{
	free(s->values);
	memset(s, 0, sizeof(*s));
}

/* ---- the node tree ------------------------------------------------------- */

/* K8S: utilnode.GetZoneKey: region and zone, beta labels first. */
static char *zone_key(const struct node *node)
{
	const struct strmap *labels = &node->obj.meta.labels;
	const char *zone = strmap_get(labels, "failure-domain.beta.kubernetes.io/zone");
	if (!zone)
		zone = strmap_get(labels, "topology.kubernetes.io/zone");
	const char *region = strmap_get(labels, "failure-domain.beta.kubernetes.io/region");
	if (!region)
		region = strmap_get(labels, "topology.kubernetes.io/region");
	if ((!zone || !*zone) && (!region || !*region))
		return xstrdup("");
	return xasprintf("%s:\x1f:%s", region ? region : "", zone ? zone : "");
}

static void tree_add(struct sched_cache *cache, struct sched_node_info *n)
{
	struct sched_zone *z = NULL;
	for (size_t i = 0; i < cache->zones_len && !z; i++)
		if (!strcmp(cache->zones[i].key, n->zone))
			z = &cache->zones[i];
	if (!z) {
		xgrow((void **)&cache->zones, &cache->zones_cap, cache->zones_len + 1,
		      sizeof(*cache->zones));
		z = &cache->zones[cache->zones_len++];
		*z = (struct sched_zone){ .key = xstrdup(n->zone) };
	}
	xgrow((void **)&z->nodes, &z->cap, z->len + 1, sizeof(*z->nodes));
	z->nodes[z->len++] = n;
	n->listed = true;
	cache->listed_nodes++;
	cache->list_stale = true;
	sched_topology_node_listed(cache, n, 1);
}

/* O(nodes in the zone), as upstream: nodes come and go rarely. */
static void tree_remove(struct sched_cache *cache, struct sched_node_info *n)
{
	for (size_t i = 0; i < cache->zones_len; i++) {
		struct sched_zone *z = &cache->zones[i];
		if (strcmp(z->key, n->zone))
			continue;
		for (size_t k = 0; k < z->len; k++) {
			if (z->nodes[k] != n)
				continue;
			memmove(&z->nodes[k], &z->nodes[k + 1],
				(z->len - k - 1) * sizeof(*z->nodes));
			z->len--;
			break;
		}
		if (z->len == 0) {
			free(z->key);
			free(z->nodes);
			memmove(z, z + 1, (cache->zones_len - i - 1) * sizeof(*z));
			cache->zones_len--;
		}
		break;
	}
	n->listed = false;
	cache->listed_nodes--;
	cache->list_stale = true;
	sched_topology_node_listed(cache, n, -1);
}

/* K8S: nodeTree.list: one node from each zone in turn. */
struct sched_node_info *const *sched_cache_list(struct sched_cache *cache,
						size_t *len)
{
	if (cache->list_stale) {
		xgrow((void **)&cache->list, &cache->list_cap, cache->listed_nodes,
		      sizeof(*cache->list));
		cache->list_len = 0;
		for (size_t round = 0; cache->list_len < cache->listed_nodes; round++)
			for (size_t z = 0; z < cache->zones_len; z++)
				if (round < cache->zones[z].len)
					cache->list[cache->list_len++] =
						cache->zones[z].nodes[round];
		cache->list_stale = false;
	}
	*len = cache->list_len;
	return cache->list;
}

/* ---- nodes --------------------------------------------------------------- */

/* The hooks' fields sit on the record's first cache lines (see the
 * struct): checked here so that a new field cannot push them apart. */
_Static_assert(offsetof(struct sched_node_info, unschedulable) < 64,
	       "line 0 of a node record holds what the default Scores read");
_Static_assert(offsetof(struct sched_node_info, allowed_pods) == 64 &&
	       offsetof(struct sched_node_info, listed) < 128,
	       "line 1 of a node record holds the Fit Filter's rest and topology");

/* A zeroed node record on a cache line boundary (malloc only promises 16
 * bytes: the hot fields would straddle three lines instead of two). */
static struct sched_node_info *node_alloc(void)
{
	void *p;
	if (posix_memalign(&p, _Alignof(struct sched_node_info), sizeof(struct sched_node_info))) {
		fputs("kubelab: out of memory\n", stderr);
		abort();
	}
	return memset(p, 0, sizeof(struct sched_node_info));
}

static struct sched_node_info *node_get_or_ghost(struct sched_cache *cache,
						 const char *name)
{
	struct sched_node_info *n = hashmap_get(&cache->nodes, name);
	if (!n) {
		n = node_alloc();
		n->name = xstrdup(name);
		n->zone = xstrdup("");
		hashmap_put(&cache->nodes, n->name, n);
	}
	return n;
}

static void node_free(struct sched_node_info *n)
{
	object_unref((struct object *)n->node);
	scalars_release(&n->allocatable_scalars);
	scalars_release(&n->requested_scalars);
	sched_affinity_node_free(n);
	sched_node_ports_free(n);
	free(n->pods);
	free(n->topology_more);
	free(n->zone);
	free(n->name);
	free(n);
}

/* Drops the record of a node that is gone and has no pods left. */
static void node_maybe_drop(struct sched_cache *cache, struct sched_node_info *n)
{
	if (n->node || n->pods_len)
		return;
	hashmap_remove(&cache->nodes, n->name);
	node_free(n);
}

/* A count kept in a uint16_t: only whether it is 0 matters to the hooks. */
static uint16_t saturate16(size_t count)
{
	return count < UINT16_MAX ? (uint16_t)count : UINT16_MAX;
}

/* Copies what the per-node Filters and Scores read from node's spec into
 * n, so that they need not load the Node object (two more cache lines). */
static void node_read_spec(struct sched_node_info *n, const struct node *node)
{
	size_t no_schedule = 0, prefer = 0;
	n->unschedulable = node && node->spec.unschedulable;
	n->taints = node ? node->spec.taints.items : NULL;
	n->taints_len = node ? node->spec.taints.len : 0;
	for (size_t i = 0; i < n->taints_len; i++) {
		const char *effect = n->taints[i].effect ? n->taints[i].effect : "";
		if (!strcmp(effect, TAINT_NO_SCHEDULE) || !strcmp(effect, TAINT_NO_EXECUTE))
			no_schedule++;
		else if (!strcmp(effect, TAINT_PREFER_NO_SCHEDULE))
			prefer++;
	}
	n->taints_no_schedule = saturate16(no_schedule);
	n->taints_prefer_no_schedule = saturate16(prefer);
}

void sched_cache_set_node(struct sched_cache *cache, const struct node *node)
{
	struct sched_node_info *n = node_get_or_ghost(cache, node->obj.meta.name);
	sched_cache_images_update(cache, n->node, node);
	object_unref((struct object *)n->node);
	n->node = (const struct node *)object_ref(&node->obj);

	/* K8S: NodeInfo.SetNode: allocatable is what fits are checked against. */
	struct sched_scalars *scalars = &n->allocatable_scalars;
	if (scalars->len)
		memset(scalars->values, 0, scalars->len * sizeof(*scalars->values));
	n->allocatable = (struct sched_resources){ 0, 0 };
	n->allocatable_ephemeral_storage = 0;
	n->allowed_pods = 0;
	const struct resource_list *alloc = &node->status.allocatable;
	for (size_t i = 0; i < alloc->len; i++) {
		const char *name = alloc->items[i].name;
		const struct quantity *q = &alloc->items[i].quantity;
		if (!strcmp(name, "cpu"))
			n->allocatable.milli_cpu = quantity_milli_value(q);
		else if (!strcmp(name, "memory"))
			n->allocatable.memory = quantity_value(q);
		else if (!strcmp(name, "ephemeral-storage"))
			n->allocatable_ephemeral_storage = quantity_value(q);
		else if (!strcmp(name, "pods"))
			n->allowed_pods = quantity_value(q);
		else if (sched_is_scalar_resource(name))
			scalars_add(scalars, sched_cache_scalar_id(cache, name),
				    quantity_value(q));
	}
	node_read_spec(n, node);

	char *zone = zone_key(node);
	if (n->listed && strcmp(zone, n->zone))
		tree_remove(cache, n);	/* K8S: nodeTree.updateNode */
	free(n->zone);
	n->zone = zone;
	if (!n->listed)
		tree_add(cache, n);
	sched_topology_node_update(cache, n);
	n->generation = ++cache->generation;
}

void sched_cache_remove_node(struct sched_cache *cache, const char *name)
{
	struct sched_node_info *n = hashmap_get(&cache->nodes, name);
	if (!n || !n->node)
		return;
	if (n->listed)
		tree_remove(cache, n);
	sched_cache_images_update(cache, n->node, NULL);
	object_unref((struct object *)n->node);
	n->node = NULL;
	node_read_spec(n, NULL);	/* the taints were the object's */
	n->generation = ++cache->generation;
	node_maybe_drop(cache, n);
}

const struct sched_node_info *sched_cache_node(const struct sched_cache *cache,
					       const char *name)
{
	return hashmap_get(&cache->nodes, name);
}

int64_t sched_node_min_priority(const struct sched_node_info *node)
{
	int64_t min = INT64_MAX;
	for (size_t i = 0; i < node->pods_len; i++)
		if (node->pods[i]->priority < min)
			min = node->pods[i]->priority;
	return min;
}

/* ---- booking pods -------------------------------------------------------- */

/* LAB: sched-cache-book. O(1): one append and a few additions. */
static void node_add_pod(struct sched_cache *cache, struct sched_node_info *n,
			 struct sched_pod_info *p)
{
	xgrow((void **)&n->pods, &n->pods_cap, n->pods_len + 1, sizeof(*n->pods));
	p->node = n;
	p->node_pos = n->pods_len;
	n->pods[n->pods_len++] = p;
	const struct sched_pod_request *r = &p->request;
	n->requested.milli_cpu += r->milli_cpu;
	n->requested.memory += r->memory;
	n->requested_ephemeral_storage += r->ephemeral_storage;
	for (size_t i = 0; i < r->scalars_len; i++)
		scalars_add(&n->requested_scalars, r->scalars[i].id, r->scalars[i].value);
	n->non_zero_milli_cpu += r->non_zero_milli_cpu;
	n->non_zero_memory += r->non_zero_memory;
	sched_node_ports_update(n, p->pod, +1);
	n->generation = ++cache->generation;
	sched_labels_add(cache, p);
	sched_affinity_pod_added(cache, p);
}

/* O(1): the last pod takes the leaver's slot. */
static void node_remove_pod(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_node_info *n = p->node;
	BUG_ON(p->node_pos >= n->pods_len || n->pods[p->node_pos] != p);
	sched_labels_remove(cache, p);
	sched_affinity_pod_removed(cache, p);
	struct sched_pod_info *last = n->pods[--n->pods_len];
	n->pods[p->node_pos] = last;
	last->node_pos = p->node_pos;
	const struct sched_pod_request *r = &p->request;
	n->requested.milli_cpu -= r->milli_cpu;
	n->requested.memory -= r->memory;
	n->requested_ephemeral_storage -= r->ephemeral_storage;
	for (size_t i = 0; i < r->scalars_len; i++)
		scalars_add(&n->requested_scalars, r->scalars[i].id, -r->scalars[i].value);
	n->non_zero_milli_cpu -= r->non_zero_milli_cpu;
	n->non_zero_memory -= r->non_zero_memory;
	sched_node_ports_update(n, p->pod, -1);
	n->generation = ++cache->generation;
	p->node = NULL;
}

/* Books pod on node n, refreshing its request from the spec. */
static void book(struct sched_cache *cache, struct sched_pod_info *p,
		 const struct pod *pod, struct sched_node_info *n)
{
	if (p->pod != pod) {
		object_unref((struct object *)p->pod);
		p->pod = (const struct pod *)object_ref(&pod->obj);
	}
	sched_pod_request_release(&p->request);
	sched_pod_request_compute(cache, pod, &p->request);
	p->priority = pod->spec.priority.is_set ? pod->spec.priority.value : 0;
	node_add_pod(cache, n, p);
}

/* Un-books p and frees it. */
static void drop(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_node_info *n = p->node;
	node_remove_pod(cache, p);
	hashmap_remove(&cache->pods, p->pod->obj.meta.uid);
	sched_pod_request_release(&p->request);
	object_unref((struct object *)p->pod);
	free(p);
	node_maybe_drop(cache, n);
}

/* LAB: sched-cache-assume */
void sched_cache_assume_pod(struct sched_cache *cache, const struct pod *pod,
			    struct sched_node_info *node)
{
	struct sched_pod_info *p = xcalloc(1, sizeof(*p));
	/* One probe: a pod is assumed once (put says if it was there). */
	void *was = hashmap_put(&cache->pods, pod->obj.meta.uid, p);
	BUG_ON(was != NULL);
	book(cache, p, pod, node);
	p->assumed = true;
}

void sched_cache_forget_pod(struct sched_cache *cache, const char *uid)
{
	struct sched_pod_info *p = hashmap_get(&cache->pods, uid);
	if (p && p->assumed)
		drop(cache, p);
}

void sched_cache_add_pod(struct sched_cache *cache, const struct pod *pod)
{
	BUG_ON(!pod->spec.node_name);
	struct sched_pod_info *p = hashmap_get(&cache->pods, pod->obj.meta.uid);
	if (p) {
		/* A confirmation of an assumed pod, or an update: re-book, so a
		 * changed request or node is taken into account. */
		struct sched_node_info *old = p->node;
		node_remove_pod(cache, p);
		/* Confirmation: most often the node it was assumed on. */
		book(cache, p, pod, !strcmp(old->name, pod->spec.node_name)
		     ? old : node_get_or_ghost(cache, pod->spec.node_name));
		if (old != p->node)
			node_maybe_drop(cache, old);
	} else {
		p = xcalloc(1, sizeof(*p));
		book(cache, p, pod, node_get_or_ghost(cache, pod->spec.node_name));
		hashmap_put(&cache->pods, pod->obj.meta.uid, p);
	}
	p->assumed = false;
}

bool sched_cache_remove_pod(struct sched_cache *cache, const char *uid)
{
	struct sched_pod_info *p = hashmap_get(&cache->pods, uid);
	if (!p)
		return false;
	drop(cache, p);
	return true;
}

const struct sched_pod_info *sched_cache_pod(const struct sched_cache *cache,
					     const char *uid)
{
	return hashmap_get(&cache->pods, uid);
}

/* ---- life cycle and checks ----------------------------------------------- */

void sched_cache_init(struct sched_cache *cache)
{
	memset(cache, 0, sizeof(*cache));
	/* Looked up per booked pod; iterated only order-blind (frees, checks,
	 * an "is any pod ..." search): word hashing. */
	hashmap_set_unordered(&cache->pods);
	hashmap_set_unordered(&cache->label_postings);
}

void sched_cache_release(struct sched_cache *cache)
{
	const char *key;
	void *value;
	sched_pod_request_release(&cache->request_memo);
	object_unref((struct object *)cache->request_memo_pod);
	sched_labels_release(cache);
	for (size_t pos = 0; hashmap_next(&cache->pods, &pos, &key, &value);) {
		struct sched_pod_info *p = value;
		sched_affinity_pod_free(p);
		sched_pod_request_release(&p->request);
		object_unref((struct object *)p->pod);
		free(p);
	}
	for (size_t pos = 0; hashmap_next(&cache->nodes, &pos, &key, &value);)
		node_free(value);
	hashmap_release(&cache->pods);
	hashmap_release(&cache->nodes);
	sched_cache_images_release(cache);
	for (size_t i = 0; i < cache->zones_len; i++) {
		free(cache->zones[i].key);
		free(cache->zones[i].nodes);
	}
	free(cache->zones);
	for (size_t i = 0; i < cache->scalar_names_len; i++)
		free(cache->scalar_names[i]);
	free(cache->scalar_names);
	free(cache->list);
	sched_topology_release(cache);
	sched_affinity_index_free(cache);
	memset(cache, 0, sizeof(*cache));
}

bool sched_cache_check(const struct sched_cache *cache)
{
	const char *key;
	void *value;
	bool ok = true;
	size_t pods = 0, listed = 0;
	for (size_t pos = 0; hashmap_next(&cache->nodes, &pos, &key, &value);) {
		const struct sched_node_info *n = value;
		int64_t cpu = 0, mem = 0, eph = 0, nz_cpu = 0, nz_mem = 0;
		for (size_t i = 0; i < n->pods_len; i++) {
			const struct sched_pod_info *p = n->pods[i];
			if (p->node != n || p->node_pos != i) {
				fprintf(stderr, "sched cache: node %s: pod %zu misplaced\n",
					n->name, i);
				ok = false;
			}
			cpu += p->request.milli_cpu;
			mem += p->request.memory;
			eph += p->request.ephemeral_storage;
			nz_cpu += p->request.non_zero_milli_cpu;
			nz_mem += p->request.non_zero_memory;
		}
		if (cpu != n->requested.milli_cpu || mem != n->requested.memory ||
		    eph != n->requested_ephemeral_storage ||
		    nz_cpu != n->non_zero_milli_cpu || nz_mem != n->non_zero_memory) {
			fprintf(stderr, "sched cache: node %s: sums do not match its pods\n",
				n->name);
			ok = false;
		}
		struct sched_node_info facts = *n;
		node_read_spec(&facts, n->node);
		if (facts.unschedulable != n->unschedulable || facts.taints != n->taints ||
		    facts.taints_len != n->taints_len ||
		    facts.taints_no_schedule != n->taints_no_schedule ||
		    facts.taints_prefer_no_schedule != n->taints_prefer_no_schedule) {
			fprintf(stderr, "sched cache: node %s: spec facts are stale\n", n->name);
			ok = false;
		}
		if (n->listed != (n->node != NULL)) {
			fprintf(stderr, "sched cache: node %s: listed but gone\n", n->name);
			ok = false;
		}
		if (!n->node && !n->pods_len) {
			fprintf(stderr, "sched cache: node %s: empty ghost kept\n", n->name);
			ok = false;
		}
		pods += n->pods_len;
		listed += n->listed;
	}
	if (pods != cache->pods.len || listed != cache->listed_nodes) {
		fprintf(stderr, "sched cache: %zu pods booked, %zu known; %zu listed, %zu counted\n",
			pods, cache->pods.len, listed, cache->listed_nodes);
		ok = false;
	}
	return sched_topology_check(cache) && ok;
}
