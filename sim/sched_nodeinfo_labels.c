/* sched_nodeinfo_labels.c - the scheduler cache's label index: which
 * booked pods carry a label.
 *
 * K8S: none. Upstream's PodTopologySpread and InterPodAffinity walk every
 * node's pods in parallel (countPodsMatchSelector in podtopologyspread/
 * common.go, the existing-pod maps of interpodaffinity/filtering.go and
 * scoring.go) once per scheduled pod. In kubelab's single thread that is
 * O(all pods) per pod: 150,000 x 150,000 label matches for the benchmark
 * cluster. The index gives the same answer for the cost of the pods that
 * match. It is the one label index of the cache: both plugins ask it.
 *
 * The idea is a search engine's inverted index. For every booked pod and
 * every label key=value it has, the pod is in the posting list
 * "namespace\x1fkey\x1fvalue"; it is also in the list "namespace" of its
 * namespace. A selector such as "app=web,pod-template-hash=5d4f" can only
 * match pods in both lists app=web and pod-template-hash=5d4f, so walking
 * the shorter list and testing the whole selector on each pod finds them
 * all. "tier in (a,b)" is the union of two lists (a pod has one value per
 * key, so they do not overlap; a value listed twice is walked once). A
 * selector with neither (only !=, notin, exists...) walks the namespace's
 * list. A question about every namespace (an affinity term whose
 * namespaceSelector is {}) asks each namespace in turn: the index keeps
 * the list of namespaces that have booked pods.
 *
 * Each pod remembers its place in each of its lists (struct
 * sched_pod_labels), so leaving is a swap with the last entry: O(labels).
 * Entering looks each list up by its key, except when the last pod to
 * enter had the same list in the same slot: pods are booked group after
 * group (a ReplicaSet's pods one after another), and a group's pods
 * carry the same labels, so one string compare against the remembered
 * list's key usually replaces a hash-table probe.
 *
 * Invariant (sched_labels_check): a pod is in exactly the lists of its
 * namespace and its labels, once each, at the position it remembers;
 * empty lists are dropped; the namespace list names every namespace list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "selector.h"
#include "xmalloc.h"

/* One entry of a posting list: the pod and which of its slots points
 * back here. */
struct sched_label_entry {
	struct sched_pod_info *pod;
	size_t slot;
};

struct sched_label_posting {
	struct sched_label_entry *items;
	size_t len, cap;
	char *key;		/* its key in cache->label_postings (owned) */
	char *ns;		/* a namespace's list: its name (owned); else NULL */
	size_t ns_pos;		/* ... and its place in cache->label_namespaces */
};

/* A pod's places: slot 0 is its namespace's list, then one per label. */
struct sched_pod_labels {
	size_t len;
	struct {
		struct sched_label_posting *posting;
		size_t pos;
	} slots[];
};

/* The key of a posting list: "ns" alone, or "ns\x1fkey\x1fvalue". The
 * separator cannot occur in a namespace, label key or value. */
static char *posting_key(char *buf, size_t size, const char *ns,
			 const char *key, const char *value)
{
	size_t ns_len = strlen(ns);
	size_t key_len = key ? strlen(key) : 0, value_len = key ? strlen(value) : 0;
	size_t need = ns_len + (key ? key_len + value_len + 2 : 0) + 1;
	char *out = need <= size ? buf : xmalloc(need);
	/* memcpy, not snprintf: this runs several times per scheduled pod. */
	char *at = out;
	memcpy(at, ns, ns_len);
	at += ns_len;
	if (key) {
		*at++ = '\x1f';
		memcpy(at, key, key_len);
		at += key_len;
		*at++ = '\x1f';
		memcpy(at, value, value_len);
		at += value_len;
	}
	*at = '\0';
	return out;
}

static const char *namespace_of(const struct sched_pod_info *p)
{
	const char *ns = p->pod->obj.meta.namespace;
	return ns ? ns : "";
}

/* The list of key k: the last pod's list of this slot when it is k's
 * (hot path: a compare with a recently used key instead of a probe into
 * the table), else the table's. */
static struct sched_label_posting *find_list(struct sched_cache *cache, size_t slot,
					     const char *k)
{
	if (slot < cache->label_memo_len && cache->label_memo[slot] &&
	    !strcmp(cache->label_memo[slot]->key, k))
		return cache->label_memo[slot];
	return hashmap_get(&cache->label_postings, k);
}

static void remember(struct sched_cache *cache, size_t slot,
		     struct sched_label_posting *list)
{
	if (slot >= cache->label_memo_len) {
		xgrow((void **)&cache->label_memo, &cache->label_memo_cap, slot + 1,
		      sizeof(*cache->label_memo));
		while (cache->label_memo_len <= slot)
			cache->label_memo[cache->label_memo_len++] = NULL;
	}
	cache->label_memo[slot] = list;
}

static void enter(struct sched_cache *cache, struct sched_pod_info *p,
		  size_t slot, const char *key, const char *value)
{
	char buf[256];
	char *k = posting_key(buf, sizeof(buf), namespace_of(p), key, value);
	struct sched_label_posting *list = find_list(cache, slot, k);
	if (!list) {
		list = xcalloc(1, sizeof(*list));
		list->key = xstrdup(k);
		hashmap_put(&cache->label_postings, k, list);
		if (!key) {	/* a namespace's first pod */
			list->ns = xstrdup(namespace_of(p));
			list->ns_pos = cache->label_namespaces_len;
			xgrow((void **)&cache->label_namespaces, &cache->label_namespaces_cap,
			      cache->label_namespaces_len + 1, sizeof(*cache->label_namespaces));
			cache->label_namespaces[cache->label_namespaces_len++] = list;
		}
	}
	if (k != buf)
		free(k);
	remember(cache, slot, list);
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	p->labels->slots[slot].posting = list;
	p->labels->slots[slot].pos = list->len;
	list->items[list->len++] = (struct sched_label_entry){ p, slot };
}

void sched_labels_add(struct sched_cache *cache, struct sched_pod_info *p)
{
	BUG_ON(p->labels != NULL);
	const struct strmap *labels = &p->pod->obj.meta.labels;
	p->labels = xmalloc(sizeof(*p->labels) +
			    (labels->len + 1) * sizeof(p->labels->slots[0]));
	p->labels->len = labels->len + 1;
	enter(cache, p, 0, NULL, NULL);
	for (size_t i = 0; i < labels->len; i++)
		enter(cache, p, i + 1, labels->items[i].key, labels->items[i].value);
}

/* Drops an empty list from the map (and from the memo, which must not
 * point at freed lists). */
static void drop_if_empty(struct sched_cache *cache, struct sched_label_posting *list)
{
	if (list->len)
		return;
	void *gone = hashmap_remove(&cache->label_postings, list->key);
	BUG_ON(gone != list);
	for (size_t s = 0; s < cache->label_memo_len; s++)
		if (cache->label_memo[s] == list)
			cache->label_memo[s] = NULL;
	if (list->ns) {
		struct sched_label_posting *last =
			cache->label_namespaces[--cache->label_namespaces_len];
		cache->label_namespaces[list->ns_pos] = last;
		last->ns_pos = list->ns_pos;
		free(list->ns);
	}
	free(list->key);
	free(list->items);
	free(list);
}

void sched_labels_remove(struct sched_cache *cache, struct sched_pod_info *p)
{
	BUG_ON(p->labels == NULL);
	for (size_t s = 0; s < p->labels->len; s++) {
		struct sched_label_posting *list = p->labels->slots[s].posting;
		size_t pos = p->labels->slots[s].pos;
		BUG_ON(pos >= list->len || list->items[pos].pod != p);
		struct sched_label_entry last = list->items[--list->len];
		list->items[pos] = last;
		last.pod->labels->slots[last.slot].pos = pos;
		drop_if_empty(cache, list);
	}
	free(p->labels);
	p->labels = NULL;
}

void sched_labels_release(struct sched_cache *cache)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->pods, &pos, &key, &value);) {
		struct sched_pod_info *p = value;
		free(p->labels);
		p->labels = NULL;
	}
	for (size_t pos = 0; hashmap_next(&cache->label_postings, &pos, &key, &value);) {
		struct sched_label_posting *list = value;
		free(list->key);
		free(list->ns);
		free(list->items);
		free(list);
	}
	hashmap_release(&cache->label_postings);
	free(cache->label_namespaces);
	cache->label_namespaces = NULL;
	cache->label_namespaces_len = cache->label_namespaces_cap = 0;
	free(cache->label_memo);
	cache->label_memo = NULL;
	cache->label_memo_len = cache->label_memo_cap = 0;
}

static const struct sched_label_posting *
lookup(const struct sched_cache *cache, const char *ns, const char *key,
       const char *value)
{
	char buf[256];
	char *k = posting_key(buf, sizeof(buf), ns, key, value);
	const struct sched_label_posting *list = hashmap_get(&cache->label_postings, k);
	if (k != buf)
		free(k);
	return list;
}

/* Whether values[v] already occurred before position v: "in (a, a)"
 * walks a's list once. */
static bool repeated(const struct selector_requirement *req, size_t v)
{
	for (size_t w = 0; w < v; w++)
		if (!strcmp(req->values[w], req->values[v]))
			return true;
	return false;
}

/* How many pods the requirement's lists hold, or SIZE_MAX when it has no
 * lists (it is not = or in). */
static size_t candidates(const struct sched_cache *cache, const char *ns,
			 const struct selector_requirement *req)
{
	if (req->op != SELECTOR_EQUALS && req->op != SELECTOR_IN)
		return SIZE_MAX;
	size_t n = 0;
	for (size_t v = 0; v < req->values_len; v++) {
		if (repeated(req, v))
			continue;
		const struct sched_label_posting *list =
			lookup(cache, ns, req->key, req->values[v]);
		n += list ? list->len : 0;
	}
	return n;
}

static size_t visit_list(const struct sched_label_posting *list,
			 const struct selector *sel, sched_pod_visit_fn fn, void *arg)
{
	size_t n = 0;
	for (size_t i = 0; list && i < list->len; i++) {
		const struct sched_pod_info *p = list->items[i].pod;
		if (!selector_matches(sel, &p->pod->obj.meta.labels))
			continue;
		fn(arg, p);
		n++;
	}
	return n;
}

/* The requirement whose lists are the shortest (NULL: the namespace's
 * list is shorter, or there is no = or in); *len is the pods to walk. */
static const struct selector_requirement *narrowest(const struct sched_cache *cache,
						    const char *ns,
						    const struct selector *sel,
						    size_t *len)
{
	const struct sched_label_posting *all = lookup(cache, ns, NULL, NULL);
	const struct selector_requirement *best = NULL;
	*len = all ? all->len : 0;
	for (size_t i = 0; i < sel->len && *len; i++) {
		size_t n = candidates(cache, ns, &sel->reqs[i]);
		if (n < *len) {
			best = &sel->reqs[i];
			*len = n;
		}
	}
	return best;
}

/* LAB: sched-label-index. The shortest list among the = and in
 * requirements bounds the work. */
size_t sched_cache_visit_matching(const struct sched_cache *cache,
				  const char *namespace, const struct selector *sel,
				  sched_pod_visit_fn fn, void *arg)
{
	if (sel->match_nothing)
		return 0;
	const char *ns = namespace ? namespace : "";
	size_t len;
	const struct selector_requirement *best = narrowest(cache, ns, sel, &len);
	if (!len)
		return 0;
	if (!best)
		return visit_list(lookup(cache, ns, NULL, NULL), sel, fn, arg);
	size_t n = 0;
	for (size_t v = 0; v < best->values_len; v++)
		if (!repeated(best, v))
			n += visit_list(lookup(cache, ns, best->key, best->values[v]),
					sel, fn, arg);
	return n;
}

size_t sched_cache_visit_matching_anywhere(const struct sched_cache *cache,
					   const struct selector *sel,
					   sched_pod_visit_fn fn, void *arg)
{
	size_t n = 0;
	for (size_t i = 0; i < cache->label_namespaces_len; i++)
		n += sched_cache_visit_matching(cache, cache->label_namespaces[i]->ns, sel,
						fn, arg);
	return n;
}

size_t sched_cache_count_candidates(const struct sched_cache *cache,
				    const char *namespace, const struct selector *sel)
{
	if (sel->match_nothing)
		return 0;
	size_t len;
	narrowest(cache, namespace ? namespace : "", sel, &len);
	return len;
}

size_t sched_cache_count_candidates_anywhere(const struct sched_cache *cache,
					     const struct selector *sel)
{
	size_t n = 0;
	for (size_t i = 0; i < cache->label_namespaces_len; i++)
		n += sched_cache_count_candidates(cache, cache->label_namespaces[i]->ns, sel);
	return n;
}

/* ---- checks -------------------------------------------------------------- */

bool sched_labels_check(const struct sched_cache *cache)
{
	const char *key;
	void *value;
	bool ok = true;
	size_t entries = 0, slots = 0;
	for (size_t pos = 0; hashmap_next(&cache->label_postings, &pos, &key, &value);) {
		const struct sched_label_posting *list = value;
		if (strcmp(list->key, key)) {
			fprintf(stderr, "sched labels: list %s keyed %s\n", key, list->key);
			ok = false;
		}
		if (!list->len) {
			fprintf(stderr, "sched labels: empty list %s kept\n", key);
			ok = false;
		}
		for (size_t i = 0; i < list->len; i++) {
			const struct sched_label_entry *e = &list->items[i];
			const struct sched_pod_labels *l = e->pod->labels;
			if (!l || e->slot >= l->len || l->slots[e->slot].posting != list ||
			    l->slots[e->slot].pos != i) {
				fprintf(stderr, "sched labels: %s: entry %zu misplaced\n", key, i);
				ok = false;
			}
		}
		entries += list->len;
	}
	for (size_t pos = 0; hashmap_next(&cache->pods, &pos, &key, &value);) {
		const struct sched_pod_info *p = value;
		const struct strmap *labels = &p->pod->obj.meta.labels;
		if (!p->labels || p->labels->len != labels->len + 1) {
			fprintf(stderr, "sched labels: pod %s not indexed by its labels\n", key);
			ok = false;
			continue;
		}
		for (size_t s = 0; s < p->labels->len; s++) {
			const struct sched_label_posting *want = s == 0
				? lookup(cache, namespace_of(p), NULL, NULL)
				: lookup(cache, namespace_of(p), labels->items[s - 1].key,
					 labels->items[s - 1].value);
			if (want != p->labels->slots[s].posting) {
				fprintf(stderr, "sched labels: pod %s slot %zu in the wrong list\n",
					key, s);
				ok = false;
			}
		}
		slots += p->labels->len;
	}
	for (size_t i = 0; i < cache->label_namespaces_len; i++) {
		const struct sched_label_posting *list = cache->label_namespaces[i];
		if (!list->ns || list->ns_pos != i ||
		    lookup(cache, list->ns, NULL, NULL) != list) {
			fprintf(stderr, "sched labels: namespace list %zu misplaced\n", i);
			ok = false;
		}
	}
	for (size_t s = 0; s < cache->label_memo_len; s++) {
		const struct sched_label_posting *list = cache->label_memo[s];
		if (list && hashmap_get(&cache->label_postings, list->key) != list) {
			fprintf(stderr, "sched labels: memo slot %zu names no list\n", s);
			ok = false;
		}
	}
	if (entries != slots) {
		fprintf(stderr, "sched labels: %zu entries, %zu slots\n", entries, slots);
		ok = false;
	}
	return ok;
}
