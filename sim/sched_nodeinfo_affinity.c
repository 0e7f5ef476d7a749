/* sched_nodeinfo_affinity.c - the cache's lists of pods with affinity;
 * see sched_nodeinfo_affinity.h.
 *
 * Every list here is an unordered array with swap-removal, each member
 * remembering its slot, so adding and removing are O(1). Nothing here
 * decides anything: the InterPodAffinity plugin sums counts over these
 * lists, and sums do not depend on order.
 */
#include "sched_nodeinfo_affinity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_inter_pod_affinity.h"
#include "xmalloc.h"

static struct sched_affinity_index *index_of(struct sched_cache *cache)
{
	if (!cache->affinity) {
		cache->affinity = xcalloc(1, sizeof(*cache->affinity));
		/* Looked up per booked pod and per cycle; iterated only to
		 * free, or in naive mode to sum counts: word hashing. */
		struct sched_term_groups *tg = &cache->affinity->terms;
		hashmap_set_unordered(&tg->by_signature);
		for (int k = 0; k < SCHED_TERM_KINDS; k++)
			hashmap_set_unordered(&tg->by_label[k]);
	}
	return cache->affinity;
}

static struct sched_pod_index *entry_of(struct sched_pod_info *p)
{
	if (!p->index)
		p->index = xcalloc(1, sizeof(*p->index));
	return p->index;
}

/* ---- pods with affinity, per node and per cache --------------------------- */

static void list_add(struct sched_pod_info ***list, size_t *len, size_t *cap,
		     struct sched_pod_info *p)
{
	xgrow((void **)list, cap, *len + 1, sizeof(**list));
	(*list)[(*len)++] = p;
}

/* Per-node lists are short (the pods of one node): a scan finds p. */
static void list_remove(struct sched_pod_info **list, size_t *len,
			struct sched_pod_info *p)
{
	for (size_t i = 0; i < *len; i++) {
		if (list[i] == p) {
			list[i] = list[--*len];
			return;
		}
	}
	BUG_ON(1);	/* p was booked with affinity, so it is listed */
}

/* Adds n to a cache-wide node list; *pos remembers the slot. */
static void nodes_add(struct sched_node_info ***nodes, size_t *len, size_t *cap,
		      struct sched_node_info *n, size_t *pos)
{
	xgrow((void **)nodes, cap, *len + 1, sizeof(**nodes));
	*pos = *len;
	(*nodes)[(*len)++] = n;
}

static void nodes_remove(struct sched_node_info **nodes, size_t *len,
			 size_t pos, bool anti)
{
	struct sched_node_info *last = nodes[--*len];
	nodes[pos] = last;
	if (anti)
		last->affinity->anti_pos = pos;
	else
		last->affinity->affinity_pos = pos;
}

static void affinity_add(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_affinity_index *ix = index_of(cache);
	struct sched_node_info *n = p->node;
	if (!n->affinity)
		n->affinity = xcalloc(1, sizeof(*n->affinity));
	struct sched_node_affinity *na = n->affinity;
	if (na->with_affinity_len == 0)
		nodes_add(&ix->with_affinity, &ix->with_affinity_len,
			  &ix->with_affinity_cap, n, &na->affinity_pos);
	list_add(&na->with_affinity, &na->with_affinity_len, &na->with_affinity_cap, p);
	if (!sched_pod_has_required_anti_affinity(p->pod))
		return;
	if (na->with_anti_len == 0)
		nodes_add(&ix->with_anti, &ix->with_anti_len, &ix->with_anti_cap, n,
			  &na->anti_pos);
	list_add(&na->with_anti, &na->with_anti_len, &na->with_anti_cap, p);
}

static void affinity_remove(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_affinity_index *ix = cache->affinity;
	struct sched_node_affinity *na = p->node->affinity;
	list_remove(na->with_affinity, &na->with_affinity_len, p);
	if (na->with_affinity_len == 0)
		nodes_remove(ix->with_affinity, &ix->with_affinity_len, na->affinity_pos,
			     false);
	if (!sched_pod_has_required_anti_affinity(p->pod))
		return;
	list_remove(na->with_anti, &na->with_anti_len, p);
	if (na->with_anti_len == 0)
		nodes_remove(ix->with_anti, &ix->with_anti_len, na->anti_pos, true);
}

/* ---- hooks ---------------------------------------------------------------- */

void sched_affinity_pod_added(struct sched_cache *cache, struct sched_pod_info *p)
{
	if (sched_pod_has_affinity(p->pod)) {
		entry_of(p)->affinity = sched_pod_affinity_parse(p->pod);
		sched_pod_affinity_resolve_keys(p->index->affinity, cache);
		affinity_add(cache, p);
		sched_term_groups_add(cache, p);
	}
}

void sched_affinity_pod_removed(struct sched_cache *cache, struct sched_pod_info *p)
{
	if (!p->index)
		return;
	affinity_remove(cache, p);
	sched_term_groups_remove(cache, p);
	sched_affinity_pod_free(p);
}

void sched_affinity_pod_free(struct sched_pod_info *p)
{
	if (!p->index)
		return;
	sched_pod_affinity_free(p->index->affinity);
	free(p->index->memberships);
	free(p->index);
	p->index = NULL;
}

void sched_affinity_node_free(struct sched_node_info *n)
{
	if (!n->affinity)
		return;
	free(n->affinity->with_affinity);
	free(n->affinity->with_anti);
	free(n->affinity);
	n->affinity = NULL;
}

void sched_affinity_index_free(struct sched_cache *cache)
{
	struct sched_affinity_index *ix = cache->affinity;
	if (!ix)
		return;
	sched_term_groups_free(&ix->terms);
	free(ix->with_affinity);
	free(ix->with_anti);
	free(ix);
	cache->affinity = NULL;
}

/* ---- queries -------------------------------------------------------------- */

struct sched_node_info *const *sched_nodes_with_affinity_pods(
	const struct sched_cache *cache, size_t *len)
{
	*len = cache->affinity ? cache->affinity->with_affinity_len : 0;
	return cache->affinity ? cache->affinity->with_affinity : NULL;
}

struct sched_node_info *const *sched_nodes_with_anti_affinity_pods(
	const struct sched_cache *cache, size_t *len)
{
	*len = cache->affinity ? cache->affinity->with_anti_len : 0;
	return cache->affinity ? cache->affinity->with_anti : NULL;
}

bool sched_label_index_enabled(const struct sched_cache *cache)
{
	return !cache->affinity || !cache->affinity->naive;
}

void sched_label_index_set_naive(struct sched_cache *cache, bool naive)
{
	index_of(cache)->naive = naive;
}

bool sched_affinity_index_check(const struct sched_cache *cache)
{
	const char *key;
	void *value;
	bool ok = true;
	size_t with_affinity = 0, with_anti = 0;
	for (size_t pos = 0; hashmap_next(&cache->pods, &pos, &key, &value);) {
		const struct sched_pod_info *p = value;
		bool has = sched_pod_has_affinity(p->pod);
		if (has != (sched_affinity_of(p) != NULL)) {
			fprintf(stderr, "sched affinity: pod %s: terms %s\n", key,
				has ? "missing" : "kept without affinity");
			ok = false;
		}
		with_affinity += has;
		with_anti += has && sched_pod_has_required_anti_affinity(p->pod);
	}
	size_t listed_affinity = 0, listed_anti = 0;
	if (cache->affinity) {
		const struct sched_affinity_index *ix = cache->affinity;
		for (size_t i = 0; i < ix->with_affinity_len; i++)
			listed_affinity += ix->with_affinity[i]->affinity->with_affinity_len;
		for (size_t i = 0; i < ix->with_anti_len; i++)
			listed_anti += ix->with_anti[i]->affinity->with_anti_len;
	}
	if (listed_affinity != with_affinity || listed_anti != with_anti) {
		fprintf(stderr, "sched affinity: listed %zu/%zu, booked %zu/%zu\n",
			listed_affinity, listed_anti, with_affinity, with_anti);
		ok = false;
	}
	return ok;
}
