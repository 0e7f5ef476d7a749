/* sched_inter_pod_affinity.c - the InterPodAffinity plugin: its terms,
 * namespaces, domain counts, and the plugin's table row.
 *
 * K8S: pkg/scheduler/framework/plugins/interpodaffinity/plugin.go,
 *      pkg/scheduler/framework/types.go (AffinityTerm, NewPodInfo).
 *
 * Pod affinity places pods relative to other pods rather than to node
 * labels: "run next to a cache pod" (affinity), "never two replicas on one
 * node" (anti-affinity), each either required (a Filter) or preferred with
 * a weight (a Score). See sched_inter_pod_affinity.h for what a term
 * means, sched_inter_pod_affinity_filter.c and _score.c for the two
 * halves. This file holds what both use: parsing a pod's terms, matching a
 * term against a pod, the namespaces a term covers, and walking the pods
 * that may match a selector.
 *
 * Interface: sched_inter_pod_affinity_plugin (default weight 2, as
 * upstream's default profile) and sched_inter_pod_affinity.h.
 */
#include "sched_inter_pod_affinity.h"
#include "sched_queueing_hints.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_nodeinfo_affinity.h"
#include "store.h"
#include "xmalloc.h"

/* ---- which pods have terms ------------------------------------------------ */

static bool has_terms(const struct pod_affinity *a)
{
	return a->required_during_scheduling_ignored_during_execution.len ||
	       a->preferred_during_scheduling_ignored_during_execution.len;
}

bool sched_pod_has_affinity(const struct pod *pod)
{
	return has_terms(&pod->spec.affinity.pod_affinity) ||
	       has_terms(&pod->spec.affinity.pod_anti_affinity);
}

bool sched_pod_has_required_anti_affinity(const struct pod *pod)
{
	return pod->spec.affinity.pod_anti_affinity
		       .required_during_scheduling_ignored_during_execution.len != 0;
}

/* ---- parsing -------------------------------------------------------------- */

static bool selector_absent(const struct label_selector *sel)
{
	return !sel->match_labels.len && !sel->match_expressions.len;
}

/* An absent selector is Go's nil: it matches nothing
 * (metav1.LabelSelectorAsSelector(nil) == labels.Nothing()). */
static int compile(const struct label_selector *spec, struct selector *out,
		   struct err **err)
{
	if (selector_absent(spec)) {
		selector_init_nothing(out);
		return 0;
	}
	return label_selector_compile(spec, out, err);
}

static void term_release(struct sched_affinity_term *t)
{
	for (size_t i = 0; i < t->namespaces_len; i++)
		free(t->namespaces[i]);
	free(t->namespaces);
	selector_release(&t->selector);
	selector_release(&t->ns_selector);
}

static void list_release(struct sched_term_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		term_release(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->len = 0;
}

static void add_namespace(struct sched_affinity_term *t, const char *name)
{
	for (size_t i = 0; i < t->namespaces_len; i++)
		if (!strcmp(t->namespaces[i], name))
			return;		/* a set */
	t->namespaces = xrealloc(t->namespaces,
				 (t->namespaces_len + 1) * sizeof(*t->namespaces));
	t->namespaces[t->namespaces_len++] = xstrdup(name);
}

/* K8S: newAffinityTerm + getNamespacesFromPodAffinityTerm. */
static int term_parse(const struct pod *pod, const struct pod_affinity_term *spec,
		      int32_t weight, struct sched_affinity_term *t, struct err **err)
{
	memset(t, 0, sizeof(*t));
	t->topology_key = spec->topology_key ? spec->topology_key : "";
	t->weight = weight;
	selector_init_nothing(&t->ns_selector);
	if (compile(&spec->label_selector, &t->selector, err) < 0 ||
	    compile(&spec->namespace_selector, &t->ns_selector, err) < 0)
		return -1;
	if (!spec->namespaces.len && selector_absent(&spec->namespace_selector)) {
		const char *ns = pod->obj.meta.namespace;
		add_namespace(t, ns ? ns : "");
	}
	for (size_t i = 0; i < spec->namespaces.len; i++)
		add_namespace(t, spec->namespaces.items[i]);
	return 0;
}

/* Parses a required (weights NULL) or preferred list into out; on a bad
 * selector the list stays empty and *error says why. */
static void parse_list(const struct pod *pod, const struct pod_affinity_term *terms,
		       const struct weighted_pod_affinity_term *weighted, size_t len,
		       const char *what, struct sched_term_list *out, char **error)
{
	if (!len)
		return;
	out->items = xcalloc(len, sizeof(*out->items));
	for (size_t i = 0; i < len; i++) {
		struct err *err = NULL;
		const struct pod_affinity_term *spec =
			weighted ? &weighted[i].pod_affinity_term : &terms[i];
		int rc = term_parse(pod, spec, weighted ? weighted[i].weight : 0,
				    &out->items[i], &err);
		out->len = i + 1;
		if (rc < 0) {
			if (!*error)
				*error = xasprintf("%s: %s", what,
						   err ? err->msg : "invalid selector");
			err_free(err);
			list_release(out);
			return;
		}
	}
}

struct sched_pod_affinity *sched_pod_affinity_parse(const struct pod *pod)
{
	struct sched_pod_affinity *a = xcalloc(1, sizeof(*a));
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	const struct pod_affinity *anti = &pod->spec.affinity.pod_anti_affinity;
	parse_list(pod, pa->required_during_scheduling_ignored_during_execution.items,
		   NULL, pa->required_during_scheduling_ignored_during_execution.len,
		   "requiredAffinityTerms", &a->required_affinity, &a->parse_error);
	parse_list(pod, anti->required_during_scheduling_ignored_during_execution.items,
		   NULL, anti->required_during_scheduling_ignored_during_execution.len,
		   "requiredAntiAffinityTerms", &a->required_anti_affinity, &a->parse_error);
	parse_list(pod, NULL, pa->preferred_during_scheduling_ignored_during_execution.items,
		   pa->preferred_during_scheduling_ignored_during_execution.len,
		   "weightedAffinityTerms", &a->preferred_affinity, &a->parse_error);
	parse_list(pod, NULL, anti->preferred_during_scheduling_ignored_during_execution.items,
		   anti->preferred_during_scheduling_ignored_during_execution.len,
		   "weightedAntiAffinityTerms", &a->preferred_anti_affinity,
		   &a->parse_error);
	return a;
}

void sched_pod_affinity_free(struct sched_pod_affinity *a)
{
	if (!a)
		return;
	list_release(&a->required_affinity);
	list_release(&a->required_anti_affinity);
	list_release(&a->preferred_affinity);
	list_release(&a->preferred_anti_affinity);
	free(a->parse_error);
	free(a);
}

/* ---- matching and namespaces ---------------------------------------------- */

/* LAB: sched-pod-affinity-term */
bool sched_affinity_term_matches(const struct sched_affinity_term *term,
				 const struct pod *pod,
				 const struct strmap *ns_labels)
{
	const char *ns = pod->obj.meta.namespace ? pod->obj.meta.namespace : "";
	bool in = false;
	for (size_t i = 0; i < term->namespaces_len && !in; i++)
		in = !strcmp(term->namespaces[i], ns);
	if (!in && !term->ns_selector.match_nothing) {
		static const struct strmap none;
		in = selector_matches(&term->ns_selector, ns_labels ? ns_labels : &none);
	}
	return in && selector_matches(&term->selector, &pod->obj.meta.labels);
}

bool sched_affinity_terms_match_all(const struct sched_term_list *terms,
				    const struct pod *pod)
{
	if (!terms->len)
		return false;
	for (size_t i = 0; i < terms->len; i++)
		if (!sched_affinity_term_matches(&terms->items[i], pod, NULL))
			return false;
	return true;
}

void sched_affinity_terms_merge_namespaces(struct sched_term_list *terms,
					   const struct store *store)
{
	for (size_t i = 0; i < terms->len; i++) {
		struct sched_affinity_term *t = &terms->items[i];
		/* Nothing selects no namespace; Everything is kept as is. */
		if (t->ns_selector.match_nothing || selector_is_empty(&t->ns_selector))
			continue;
		if (store) {
			struct object_list list = { 0 };
			store_list(store, KIND_NAMESPACE, NULL, &t->ns_selector, &list);
			for (size_t k = 0; k < list.len; k++)
				add_namespace(t, list.items[k]->meta.name);
			object_list_release(&list);
		}
		selector_release(&t->ns_selector);
		selector_init_nothing(&t->ns_selector);
	}
}

const struct strmap *sched_namespace_labels(const struct store *store, const char *ns)
{
	if (!store)
		return NULL;
	const struct object *obj = store_get(store, KIND_NAMESPACE, NULL, ns);
	return obj ? &obj->meta.labels : NULL;
}

/* ---- domain counts -------------------------------------------------------- */

static struct sched_topology_count_key *count_key(const struct sched_topology_counts *counts,
						  uint32_t key)
{
	for (size_t i = 0; i < counts->keys_len; i++)
		if (counts->keys[i].key == key)
			return &counts->keys[i];
	return NULL;
}

void sched_topology_counts_add_node(struct sched_topology_counts *counts,
				    const struct sched_cache *cache, uint32_t key,
				    const struct sched_node_info *node, int64_t delta)
{
	uint32_t value = sched_node_topology(node, key);
	if (value == SCHED_TOPOLOGY_ABSENT)
		return;
	struct sched_topology_count_key *k = count_key(counts, key);
	if (!k) {
		counts->keys = xrealloc(counts->keys,
					(counts->keys_len + 1) * sizeof(*counts->keys));
		k = &counts->keys[counts->keys_len++];
		*k = (struct sched_topology_count_key){ .key = key };
	}
	if (value >= k->len) {
		uint32_t len = sched_cache_topology_values(cache, key);
		BUG_ON(value >= len);
		k->count = xrealloc(k->count, len * sizeof(*k->count));
		memset(k->count + k->len, 0, (len - k->len) * sizeof(*k->count));
		k->len = len;
	}
	bool was = k->count[value] != 0;
	k->count[value] += delta;
	bool is = k->count[value] != 0;
	/* as upstream, a pair down to zero leaves the map */
	if (is && !was)
		counts->pairs++;
	else if (was && !is)
		counts->pairs--;
}

int64_t sched_topology_counts_node(const struct sched_topology_counts *counts,
				   uint32_t key, const struct sched_node_info *node)
{
	if (!counts->pairs)
		return 0;
	const struct sched_topology_count_key *k = count_key(counts, key);
	uint32_t value = sched_node_topology(node, key);
	return k && value < k->len ? k->count[value] : 0;
}

void sched_topology_counts_release(struct sched_topology_counts *counts)
{
	for (size_t i = 0; i < counts->keys_len; i++)
		free(counts->keys[i].count);
	free(counts->keys);
	memset(counts, 0, sizeof(*counts));
}

static void resolve_list(struct sched_term_list *list, struct sched_cache *cache)
{
	for (size_t i = 0; i < list->len; i++)
		list->items[i].key = sched_cache_topology_key(cache, list->items[i].topology_key);
}

void sched_pod_affinity_resolve_keys(struct sched_pod_affinity *a, struct sched_cache *cache)
{
	resolve_list(&a->required_affinity, cache);
	resolve_list(&a->required_anti_affinity, cache);
	resolve_list(&a->preferred_affinity, cache);
	resolve_list(&a->preferred_anti_affinity, cache);
}

/* ---- candidates ----------------------------------------------------------- */

/* A term whose namespaceSelector is {} (kept as is by the merge) covers
 * every namespace; otherwise only its listed names. */
static bool any_namespace(const struct sched_affinity_term *term)
{
	return !term->ns_selector.match_nothing;
}

size_t sched_affinity_candidates(struct sched_cache *cache,
				 const struct sched_affinity_term *term)
{
	if (term->selector.match_nothing)
		return 0;
	if (!sched_label_index_enabled(cache))
		return SIZE_MAX;
	if (any_namespace(term))
		return sched_cache_count_candidates_anywhere(cache, &term->selector);
	size_t n = 0;
	for (size_t i = 0; i < term->namespaces_len; i++)
		n += sched_cache_count_candidates(cache, term->namespaces[i], &term->selector);
	return n;
}

struct candidate_walk {
	void (*fn)(void *arg, const struct sched_pod_info *p);
	void *arg;
	size_t visited;
};

static void visit_live(void *arg, const struct sched_pod_info *p)
{
	struct candidate_walk *w = arg;
	if (!p->node->node)
		return;		/* a ghost: gone from the list */
	w->fn(w->arg, p);
	w->visited++;
}

size_t sched_affinity_for_each_candidate(struct sched_cache *cache,
					 const struct sched_affinity_term *term,
					 void (*fn)(void *arg,
						    const struct sched_pod_info *p),
					 void *arg)
{
	if (term->selector.match_nothing)
		return 0;
	if (!sched_label_index_enabled(cache)) {
		/* K8S: the plain walk: every pod of every node in the list. */
		size_t len, visited = 0;
		struct sched_node_info *const *nodes = sched_cache_list(cache, &len);
		for (size_t i = 0; i < len; i++)
			for (size_t k = 0; k < nodes[i]->pods_len; k++, visited++)
				fn(arg, nodes[i]->pods[k]);
		return visited;
	}
	/* LAB: sched-label-index. The cache's label index, per namespace. */
	struct candidate_walk w = { fn, arg, 0 };
	if (any_namespace(term))
		sched_cache_visit_matching_anywhere(cache, &term->selector, visit_live, &w);
	else
		for (size_t i = 0; i < term->namespaces_len; i++)
			sched_cache_visit_matching(cache, term->namespaces[i], &term->selector,
						   visit_live, &w);
	return w.visited;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: podMatchesAnyAffinityTerm (kubernetes#139161): one anti-affinity
 * term is enough to repel. */
static bool matches_any(const struct sched_term_list *terms, const struct pod *pod,
			const struct strmap *ns_labels)
{
	for (size_t i = 0; i < terms->len; i++)
		if (sched_affinity_term_matches(&terms->items[i], pod, ns_labels))
			return true;
	return false;
}

/* Whether the required anti-affinity of deleted kept pod away (K8S:
 * kubernetes#135325, the fix of #134393, merged after v1.34.0). */
static bool repelled_by(const struct pod *deleted, const struct sched_hint_input *in)
{
	if (!sched_pod_has_required_anti_affinity(deleted))
		return false;
	struct sched_pod_affinity *a = sched_pod_affinity_parse(deleted);
	const struct strmap *ns_labels =
		sched_namespace_labels(in->cache->store, in->pod->obj.meta.namespace);
	bool repelled = matches_any(&a->required_anti_affinity, in->pod, ns_labels);
	sched_pod_affinity_free(a);
	return repelled;
}

/* K8S: InterPodAffinity.isSchedulableAfterPodChange: only bound pods
 * count. Added: Queue when it matches all the pod's affinity terms;
 * relabelled: when it came to match them, or stopped matching an
 * anti-affinity term; deleted: when it matched one of the pod's
 * anti-affinity terms, or its own anti-affinity kept the pod away (the
 * last two with the upstream fixes named above). */
static enum sched_hint after_pod_change(const struct sched_hint_input *in)
{
	const struct pod *old = sched_hint_old_pod(in), *pod = sched_hint_new_pod(in);
	if ((pod && !(pod->spec.node_name && *pod->spec.node_name)) ||
	    (old && !(old->spec.node_name && *old->spec.node_name)))
		return SCHED_HINT_SKIP;
	struct sched_pod_affinity *a = sched_pod_affinity_parse(in->pod);
	const struct sched_term_list *terms = &a->required_affinity;
	const struct sched_term_list *anti = &a->required_anti_affinity;
	bool queue;
	if (old && pod)
		queue = (!sched_affinity_terms_match_all(terms, old) &&
			 sched_affinity_terms_match_all(terms, pod)) ||
			(matches_any(anti, old, NULL) && !matches_any(anti, pod, NULL));
	else if (pod)
		queue = sched_affinity_terms_match_all(terms, pod);
	else
		queue = matches_any(anti, old, NULL) || repelled_by(old, in);
	sched_pod_affinity_free(a);
	return queue ? SCHED_HINT_QUEUE : SCHED_HINT_SKIP;
}

static bool has_key_of(const struct sched_term_list *terms, const struct node *node)
{
	for (size_t i = 0; i < terms->len; i++)
		if (strmap_get(&node->obj.meta.labels, terms->items[i].topology_key))
			return true;
	return false;
}

/* K8S: InterPodAffinity.isSchedulableAfterNodeChange: Queue when the node
 * has the topology key of one of the pod's required terms. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *node = sched_hint_new_node(in);
	struct sched_pod_affinity *a = sched_pod_affinity_parse(in->pod);
	bool queue = has_key_of(&a->required_affinity, node) ||
		     has_key_of(&a->required_anti_affinity, node);
	sched_pod_affinity_free(a);
	return queue ? SCHED_HINT_QUEUE : SCHED_HINT_SKIP;
}

/* K8S: InterPodAffinity.EventsToRegister (queueing hints on) */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD,
	    SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_POD_LABEL | SCHED_ACTION_DELETE, NULL },
	  after_pod_change },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_LABEL, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_inter_pod_affinity_plugin = {
	.id = SCHED_PLUGIN_INTER_POD_AFFINITY,
	.name = "InterPodAffinity",
	.default_weight = 2,
	.pre_filter = sched_ipa_pre_filter,
	.add_pod = sched_ipa_add_pod,
	.remove_pod = sched_ipa_remove_pod,
	.filter = sched_ipa_filter,
	.pre_score = sched_ipa_pre_score,
	.score = sched_ipa_score,
	.normalize_score = sched_ipa_normalize_score,
	.events_to_register = events,
};
