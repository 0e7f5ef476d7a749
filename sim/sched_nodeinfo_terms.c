/* sched_nodeinfo_terms.c - the placed pods' affinity terms, grouped and
 * indexed by label; see "term groups" in sched_nodeinfo_affinity.h.
 *
 * A group is keyed by a signature string naming everything that decides
 * what a term matches and what it adds: kind, weight, topology key,
 * namespaces, namespaceSelector and labelSelector (in upstream's canonical
 * selector text). Each group is listed, per kind, under every value of
 * the first key=value / key in (...) requirement of its selector, or in
 * the kind's unindexed list when it has none. A pod carries one value per
 * key, so it finds a group at most once. Groups come and go with their
 * first and last member; members join and leave in O(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_inter_pod_affinity.h"
#include "sched_nodeinfo_affinity.h"
#include "xmalloc.h"

static void list_add(struct sched_group_list *l, struct sched_term_group *g)
{
	xgrow((void **)&l->groups, &l->cap, l->len + 1, sizeof(*l->groups));
	l->groups[l->len++] = g;
}

/* Groups per label are few: a scan finds g. */
static void list_remove(struct sched_group_list *l, struct sched_term_group *g)
{
	for (size_t i = 0; i < l->len; i++) {
		if (l->groups[i] == g) {
			l->groups[i] = l->groups[--l->len];
			return;
		}
	}
	BUG_ON(1);
}

static void append(char **text, size_t *len, size_t *cap, const char *part)
{
	size_t n = strlen(part);
	xgrow((void **)text, cap, *len + n + 2, 1);
	memcpy(*text + *len, part, n);
	*len += n;
	(*text)[(*len)++] = '\x1f';
	(*text)[*len] = '\0';
}

static void append_selector(char **text, size_t *len, size_t *cap,
			    const struct selector *sel)
{
	if (sel->match_nothing) {
		append(text, len, cap, "\x01");	/* differs from "" (everything) */
		return;
	}
	char *s = selector_to_string(sel);
	append(text, len, cap, s);
	free(s);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *signature(enum sched_term_kind kind, const struct sched_affinity_term *t)
{
	char *text = NULL, head[32];
	size_t len = 0, cap = 0;
	snprintf(head, sizeof(head), "%d:%d", (int)kind, (int)t->weight);
	append(&text, &len, &cap, head);
	append(&text, &len, &cap, t->topology_key);
	char **names = xcalloc(t->namespaces_len + 1, sizeof(*names));
	if (t->namespaces_len)
		memcpy(names, t->namespaces, t->namespaces_len * sizeof(*names));
	qsort(names, t->namespaces_len, sizeof(*names), compare_strings);
	for (size_t i = 0; i < t->namespaces_len; i++)
		append(&text, &len, &cap, names[i]);
	free(names);
	append(&text, &len, &cap, "\x02");
	append_selector(&text, &len, &cap, &t->ns_selector);
	append_selector(&text, &len, &cap, &t->selector);
	return text;
}

/* Lists a new group under the values of its selector's first equality
 * requirement, or as unindexed. */
static void group_index(struct sched_term_groups *tg, struct sched_term_group *g,
			const struct sched_affinity_term *t)
{
	const struct selector *sel = &t->selector;
	if (sel->match_nothing)
		return;		/* matches no pod: never needs finding */
	const struct selector_requirement *req = NULL;
	for (size_t r = 0; r < sel->len && !req; r++)
		if (sel->reqs[r].op == SELECTOR_EQUALS || sel->reqs[r].op == SELECTOR_IN)
			req = &sel->reqs[r];
	if (!req) {
		list_add(&tg->unindexed[g->kind], g);
		return;
	}
	g->buckets = xcalloc(req->values_len, sizeof(*g->buckets));
	for (size_t v = 0; v < req->values_len; v++) {
		bool seen = false;
		for (size_t w = 0; w < v && !seen; w++)
			seen = !strcmp(req->values[w], req->values[v]);
		if (seen)
			continue;
		struct hashmap_key k;
		const char *key = hashmap_key_join(&k, req->key, req->values[v]);
		struct sched_group_list *l = hashmap_get(&tg->by_label[g->kind], key);
		if (!l) {
			l = xcalloc(1, sizeof(*l));
			hashmap_put(&tg->by_label[g->kind], key, l);
		}
		list_add(l, g);
		g->buckets[g->buckets_len++] = xstrdup(key);
		hashmap_key_release(&k);
	}
}

static void group_unindex(struct sched_term_groups *tg, struct sched_term_group *g)
{
	if (!g->buckets_len) {
		struct sched_group_list *l = &tg->unindexed[g->kind];
		for (size_t i = 0; i < l->len; i++) {
			if (l->groups[i] == g) {	/* a match-nothing group is in none */
				list_remove(l, g);
				break;
			}
		}
		return;
	}
	for (size_t b = 0; b < g->buckets_len; b++) {
		struct sched_group_list *l = hashmap_get(&tg->by_label[g->kind], g->buckets[b]);
		list_remove(l, g);
		if (!l->len) {
			hashmap_remove(&tg->by_label[g->kind], g->buckets[b]);
			free(l->groups);
			free(l);
		}
	}
}

static void group_free(struct sched_term_group *g)
{
	for (size_t b = 0; b < g->buckets_len; b++)
		free(g->buckets[b]);
	free(g->buckets);
	free(g->members);
	free(g->signature);
	free(g);
}

static void join(struct sched_term_groups *tg, struct sched_pod_info *p,
		 enum sched_term_kind kind, const struct sched_affinity_term *t)
{
	char *sig = signature(kind, t);
	struct sched_term_group *g = hashmap_get(&tg->by_signature, sig);
	if (!g) {
		g = xcalloc(1, sizeof(*g));
		g->kind = kind;
		g->signature = sig;
		hashmap_put(&tg->by_signature, sig, g);
		group_index(tg, g, t);
		tg->groups[kind]++;
	} else {
		free(sig);
	}
	xgrow((void **)&g->members, &g->cap, g->len + 1, sizeof(*g->members));
	g->members[g->len] = (struct sched_term_member){ p, t };
	struct sched_pod_index *e = p->index;
	e->memberships[e->memberships_len++] =
		(struct sched_term_membership){ g, g->len };
	g->len++;
}

static void join_list(struct sched_term_groups *tg, struct sched_pod_info *p,
		      enum sched_term_kind kind, const struct sched_term_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		join(tg, p, kind, &list->items[i]);
}

void sched_term_groups_add(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_term_groups *tg = &cache->affinity->terms;
	const struct sched_pod_affinity *a = p->index->affinity;
	size_t n = a->required_anti_affinity.len + a->required_affinity.len +
		   a->preferred_affinity.len + a->preferred_anti_affinity.len;
	p->index->memberships = xcalloc(n ? n : 1, sizeof(*p->index->memberships));
	join_list(tg, p, SCHED_TERM_REQUIRED_ANTI, &a->required_anti_affinity);
	join_list(tg, p, SCHED_TERM_REQUIRED_AFFINITY, &a->required_affinity);
	join_list(tg, p, SCHED_TERM_PREFERRED_AFFINITY, &a->preferred_affinity);
	join_list(tg, p, SCHED_TERM_PREFERRED_ANTI, &a->preferred_anti_affinity);
}

void sched_term_groups_remove(struct sched_cache *cache, struct sched_pod_info *p)
{
	struct sched_term_groups *tg = &cache->affinity->terms;
	struct sched_pod_index *e = p->index;
	for (size_t i = 0; i < e->memberships_len; i++) {
		struct sched_term_group *g = e->memberships[i].group;
		size_t pos = e->memberships[i].pos;
		BUG_ON(pos >= g->len || g->members[pos].pod != p);
		struct sched_term_member last = g->members[--g->len];
		g->members[pos] = last;
		if (pos != g->len) {	/* tell the moved member where it is */
			struct sched_pod_index *le = last.pod->index;
			for (size_t k = 0; k < le->memberships_len; k++)
				if (le->memberships[k].group == g &&
				    le->memberships[k].pos == g->len)
					le->memberships[k].pos = pos;
		}
		if (g->len == 0) {
			group_unindex(tg, g);
			hashmap_remove(&tg->by_signature, g->signature);
			tg->groups[g->kind]--;
			group_free(g);
		}
	}
	free(e->memberships);
	e->memberships = NULL;
	e->memberships_len = 0;
}

void sched_term_groups_free(struct sched_term_groups *tg)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&tg->by_signature, &pos, &key, &value);)
		group_free(value);
	hashmap_release(&tg->by_signature);
	for (int k = 0; k < SCHED_TERM_KINDS; k++) {
		for (size_t pos = 0; hashmap_next(&tg->by_label[k], &pos, &key, &value);) {
			free(((struct sched_group_list *)value)->groups);
			free(value);
		}
		hashmap_release(&tg->by_label[k]);
		free(tg->unindexed[k].groups);
	}
}

void sched_term_groups_for_pod(const struct sched_cache *cache,
			       enum sched_term_kind kind, const struct pod *pod,
			       void (*fn)(void *arg, const struct sched_term_group *g),
			       void *arg)
{
	if (!cache->affinity || !cache->affinity->terms.groups[kind])
		return;
	const struct sched_term_groups *tg = &cache->affinity->terms;
	const struct strmap *labels = &pod->obj.meta.labels;
	if (cache->affinity->naive) {	/* tests: every group, no label lookup */
		const char *key;
		void *value;
		for (size_t pos = 0; hashmap_next(&tg->by_signature, &pos, &key, &value);)
			if (((struct sched_term_group *)value)->kind == kind)
				fn(arg, value);
		return;
	}
	if (tg->by_label[kind].len) {
		for (size_t i = 0; i < labels->len; i++) {
			struct hashmap_key k;
			const struct sched_group_list *l = hashmap_get(&tg->by_label[kind],
				hashmap_key_join(&k, labels->items[i].key, labels->items[i].value));
			hashmap_key_release(&k);
			for (size_t g = 0; l && g < l->len; g++)
				fn(arg, l->groups[g]);
		}
	}
	for (size_t g = 0; g < tg->unindexed[kind].len; g++)
		fn(arg, tg->unindexed[kind].groups[g]);
}

size_t sched_term_groups_count(const struct sched_cache *cache, enum sched_term_kind kind)
{
	return cache->affinity ? cache->affinity->terms.groups[kind] : 0;
}
