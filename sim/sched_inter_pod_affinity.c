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

void sched_topology_counts_add(struct sched_topology_counts *counts,
			       const char *key, const char *value, int64_t delta)
{
	struct hashmap_key k;
	const char *text = hashmap_key_join(&k, key, value);
	intptr_t now = (intptr_t)hashmap_get(&counts->map, text) + (intptr_t)delta;
	if (now == 0)		/* as upstream, a pair down to zero goes */
		hashmap_remove(&counts->map, text);
	else
		hashmap_put(&counts->map, text, (void *)now);
	hashmap_key_release(&k);
}

int64_t sched_topology_counts_get(const struct sched_topology_counts *counts,
				  const char *key, const char *value)
{
	if (!counts->map.len)
		return 0;
	struct hashmap_key k;
	intptr_t n = (intptr_t)hashmap_get(&counts->map, hashmap_key_join(&k, key, value));
	hashmap_key_release(&k);
	return n;
}

void sched_topology_counts_release(struct sched_topology_counts *counts)
{
	hashmap_release(&counts->map);
}

/* ---- candidates ----------------------------------------------------------- */

/* The requirement whose label buckets hold the fewest pods: key=value or
 * key in (...), whose matches all carry one of its labels. NULL when the
 * selector has none (Exists, NotIn ... alone), or the index is off. */
static const struct selector_requirement *narrowest(struct sched_cache *cache,
						    const struct selector *sel,
						    size_t *out)
{
	const struct selector_requirement *best = NULL;
	*out = SIZE_MAX;
	if (!sched_label_index_enabled(cache))
		return NULL;
	for (size_t r = 0; r < sel->len; r++) {
		const struct selector_requirement *req = &sel->reqs[r];
		if (req->op != SELECTOR_EQUALS && req->op != SELECTOR_IN)
			continue;
		size_t sum = 0;
		for (size_t v = 0; v < req->values_len; v++) {
			bool seen = false;	/* In (a, a) counts a once */
			for (size_t w = 0; w < v && !seen; w++)
				seen = !strcmp(req->values[w], req->values[v]);
			size_t len = 0;
			if (!seen)
				sched_pods_with_label(cache, req->key, req->values[v], &len);
			sum += len;
		}
		if (sum < *out) {
			*out = sum;
			best = req;
		}
	}
	return best;
}

size_t sched_affinity_candidates(struct sched_cache *cache,
				 const struct selector *selector)
{
	size_t n;
	if (selector->match_nothing)
		return 0;
	narrowest(cache, selector, &n);
	return n;
}

size_t sched_affinity_for_each_candidate(struct sched_cache *cache,
					 const struct selector *selector,
					 void (*fn)(void *arg,
						    const struct sched_pod_info *p),
					 void *arg)
{
	if (selector->match_nothing)
		return 0;
	size_t n, visited = 0;
	const struct selector_requirement *req = narrowest(cache, selector, &n);
	if (!req) {
		/* K8S: the plain walk: every pod of every node in the list. */
		size_t len;
		struct sched_node_info *const *nodes = sched_cache_list(cache, &len);
		for (size_t i = 0; i < len; i++)
			for (size_t k = 0; k < nodes[i]->pods_len; k++, visited++)
				fn(arg, nodes[i]->pods[k]);
		return visited;
	}
	for (size_t v = 0; v < req->values_len; v++) {
		bool seen = false;
		for (size_t w = 0; w < v && !seen; w++)
			seen = !strcmp(req->values[w], req->values[v]);
		if (seen)
			continue;
		size_t len;
		struct sched_pod_info *const *pods =
			sched_pods_with_label(cache, req->key, req->values[v], &len);
		for (size_t k = 0; k < len; k++) {
			if (!pods[k]->node->node)
				continue;	/* a ghost: gone from the list */
			fn(arg, pods[k]);
			visited++;
		}
	}
	return visited;
}

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
};
