/* sched_inter_pod_affinity_filter.c - InterPodAffinity's PreFilter and
 * Filter: the required terms.
 *
 * K8S: pkg/scheduler/framework/plugins/interpodaffinity/filtering.go.
 *
 * PreFilter counts, once per cycle, three things per topology domain
 * (a (topologyKey, value) pair such as (zone, zone-a)):
 *   existing anti  the placed pods whose required anti-affinity terms
 *                  match the incoming pod (symmetry: their rule keeps me
 *                  out of their domain);
 *   affinity       the placed pods matching ALL of the incoming pod's
 *                  required affinity terms, counted once per term;
 *   anti           the placed pods matching each of its anti-affinity
 *                  terms.
 * Filter then reads the counts for the node's labels, in this order:
 *   1. affinity: every term's topologyKey must be a label of the node and
 *      its domain must hold a matching pod -- else UnschedulableAndUnre-
 *      solvable "node(s) didn't match pod affinity rules" (evicting pods
 *      cannot add the pod it wants). One exception: when no pod anywhere
 *      matches and the pod matches its own terms, it is the first of a
 *      group that wants to be together, and any node with the keys will do.
 *   2. anti-affinity: no domain of the node's may hold a pod the incoming
 *      pod's terms exclude -- else Unschedulable "node(s) didn't match pod
 *      anti-affinity rules" (preemption could remove that pod).
 *   3. existing pods' anti-affinity: no domain of the node's may hold a pod
 *      whose rule excludes the incoming pod -- else Unschedulable "node(s)
 *      didn't satisfy existing pods anti-affinity rules".
 * A pod with no required terms in a cluster where no placed pod has
 * required anti-affinity skips the plugin: PreFilter returns Skip.
 *
 * Costs: the existing pods' side walks only the pods with required
 * anti-affinity (the cache's lists); the incoming pod's side walks the pods
 * carrying its selector's label (the cache's label index) -- upstream
 * walks every pod. Filter is O(terms) per node, plus O(keys) when some
 * existing anti-affinity matched: the counts are arrays indexed by the
 * cache's topology value ids, read with the node's id for each key.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_framework.h"
#include "sched_inter_pod_affinity.h"
#include "sched_nodeinfo.h"
#include "sched_nodeinfo_affinity.h"
#include "xmalloc.h"

/* K8S: preFilterState (sched_inter_pod_affinity.h: the PreFilter
 * extensions update it too). */
#define pre_filter_state sched_ipa_filter_state

static void state_free(void *data)
{
	struct pre_filter_state *s = data;
	sched_pod_affinity_free(s->terms);
	free(s->existing_keys);
	sched_topology_counts_release(&s->existing_anti);
	sched_topology_counts_release(&s->affinity);
	sched_topology_counts_release(&s->anti);
	free(s);
}

/* K8S: updateWithAntiAffinityTerms: +1 in the pod's node's domain for each
 * term that matches target. */
static void count_anti_terms(struct sched_topology_counts *counts,
			     const struct sched_cache *cache,
			     const struct sched_term_list *terms,
			     const struct pod *target, const struct sched_node_info *node)
{
	for (size_t i = 0; i < terms->len; i++) {
		const struct sched_affinity_term *t = &terms->items[i];
		if (sched_affinity_term_matches(t, target, NULL))
			sched_topology_counts_add_node(counts, cache, t->key, node, 1);
	}
}

struct existing_walk {
	struct pre_filter_state *s;
	const struct sched_cache *cache;
	const struct strmap *ns_labels;
};

/* One group of identical required anti-affinity terms: when the term is
 * about the incoming pod, +1 in each member's domain. */
static void count_existing_group(void *arg, const struct sched_term_group *g)
{
	struct existing_walk *w = arg;
	const struct sched_affinity_term *t = g->members[0].term;
	if (!sched_affinity_term_matches(t, w->s->pod, w->ns_labels))
		return;
	struct pre_filter_state *s = w->s;
	size_t k = 0;
	while (k < s->existing_keys_len && s->existing_keys[k] != t->key)
		k++;
	if (k == s->existing_keys_len) {
		s->existing_keys = xrealloc(s->existing_keys, (k + 1) * sizeof(*s->existing_keys));
		s->existing_keys[s->existing_keys_len++] = t->key;
	}
	for (size_t i = 0; i < g->len; i++) {
		const struct sched_node_info *node = g->members[i].pod->node;
		if (!node->node)
			continue;	/* a ghost: not in upstream's list */
		sched_topology_counts_add_node(&s->existing_anti, w->cache, t->key, node, 1);
	}
}

/* K8S: getExistingAntiAffinityCounts: every (pod, term) with required
 * anti-affinity on the nodes of HavePodsWithRequiredAntiAffinityList.
 * The cache's term groups (sched_nodeinfo_affinity.h) visit only the
 * terms that can be about this pod; the sums are the same. */
static void count_existing_anti(struct pre_filter_state *s, struct sched_cache *cache,
				const struct strmap *ns_labels)
{
	struct existing_walk w = { s, cache, ns_labels };
	sched_term_groups_for_pod(cache, SCHED_TERM_REQUIRED_ANTI, s->pod,
				  count_existing_group, &w);
}

struct incoming_walk {
	struct pre_filter_state *s;
	const struct sched_cache *cache;
	struct sched_term_list one;	/* anti-affinity: the term being counted */
};

static void count_affinity_candidate(void *arg, const struct sched_pod_info *p)
{
	struct incoming_walk *w = arg;
	const struct sched_term_list *terms = &w->s->terms->required_affinity;
	/* K8S: updateWithAffinityTerms */
	if (!sched_affinity_terms_match_all(terms, p->pod))
		return;
	for (size_t i = 0; i < terms->len; i++)
		sched_topology_counts_add_node(&w->s->affinity, w->cache,
					       terms->items[i].key, p->node, 1);
}

static void count_anti_candidate(void *arg, const struct sched_pod_info *p)
{
	struct incoming_walk *w = arg;
	count_anti_terms(&w->s->anti, w->cache, &w->one, p->pod, p->node);
}

/* K8S: getIncomingAffinityAntiAffinityCounts. A pod must match every
 * affinity term to count, so the term with the fewest candidates picks
 * them; anti-affinity terms count one by one. */
static void count_incoming(struct pre_filter_state *s, struct sched_cache *cache)
{
	const struct sched_term_list *aff = &s->terms->required_affinity;
	if (aff->len) {
		size_t best = 0, best_n = SIZE_MAX;
		for (size_t i = 0; i < aff->len; i++) {
			size_t n = sched_affinity_candidates(cache, &aff->items[i]);
			if (n < best_n) {
				best_n = n;
				best = i;
			}
		}
		struct incoming_walk w = { s, cache, { NULL, 0 } };
		sched_affinity_for_each_candidate(cache, &aff->items[best],
						  count_affinity_candidate, &w);
	}
	const struct sched_term_list *anti = &s->terms->required_anti_affinity;
	for (size_t i = 0; i < anti->len; i++) {
		struct incoming_walk w = { s, cache, { &anti->items[i], 1 } };
		sched_affinity_for_each_candidate(cache, &anti->items[i],
						  count_anti_candidate, &w);
	}
}

enum sched_code sched_ipa_pre_filter(struct sched_state *state, const struct pod *pod,
				     struct sched_status *status)
{
	if (!sched_term_groups_count(state->cache, SCHED_TERM_REQUIRED_ANTI) &&
	    !sched_pod_has_affinity(pod))
		return SCHED_SKIP;	/* the common case: O(1) */
	struct pre_filter_state *s = xcalloc(1, sizeof(*s));
	s->pod = pod;
	s->terms = sched_pod_affinity_parse(pod);
	if (s->terms->parse_error) {
		sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				  "parsing pod: %s", s->terms->parse_error);
		state_free(s);
		return SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
	}
	sched_pod_affinity_resolve_keys(s->terms, state->cache);
	sched_affinity_terms_merge_namespaces(&s->terms->required_affinity, state->store);
	sched_affinity_terms_merge_namespaces(&s->terms->required_anti_affinity,
					      state->store);
	const struct strmap *ns_labels =
		sched_namespace_labels(state->store, pod->obj.meta.namespace);
	count_existing_anti(s, state->cache, ns_labels);
	count_incoming(s, state->cache);
	if (!s->existing_anti.pairs && !s->terms->required_affinity.len &&
	    !s->terms->required_anti_affinity.len) {
		state_free(s);
		return SCHED_SKIP;
	}
	sched_state_write(state, SCHED_PLUGIN_INTER_POD_AFFINITY, s, state_free);
	return SCHED_SUCCESS;
}

/* K8S: satisfyPodAffinity. LAB: sched-pod-affinity-first */
static bool satisfies_affinity(const struct pre_filter_state *s,
			       const struct sched_node_info *node)
{
	const struct sched_term_list *terms = &s->terms->required_affinity;
	bool pods_exist = true;
	for (size_t i = 0; i < terms->len; i++) {
		uint32_t key = terms->items[i].key;
		if (sched_node_topology(node, key) == SCHED_TOPOLOGY_ABSENT)
			return false;	/* every topology key must be on the node */
		if (sched_topology_counts_node(&s->affinity, key, node) <= 0)
			pods_exist = false;
	}
	if (pods_exist)
		return true;
	/* The first pod of a group with affinity to itself. */
	return s->affinity.pairs == 0 && sched_affinity_terms_match_all(terms, s->pod);
}

/* K8S: satisfyPodAntiAffinity */
static bool satisfies_anti_affinity(const struct pre_filter_state *s,
				    const struct sched_node_info *node)
{
	if (!s->anti.pairs)
		return true;
	const struct sched_term_list *terms = &s->terms->required_anti_affinity;
	for (size_t i = 0; i < terms->len; i++)
		if (sched_topology_counts_node(&s->anti, terms->items[i].key, node) > 0)
			return false;
	return true;
}

/* K8S: satisfyExistingPodsAntiAffinity. Upstream looks up every label
 * of the node; only the topology keys that occur in the counts can hit,
 * so kubelab looks up those (usually one) -- the same answer. */
static bool satisfies_existing_anti_affinity(const struct pre_filter_state *s,
					     const struct sched_node_info *node)
{
	if (!s->existing_anti.pairs)
		return true;
	for (size_t k = 0; k < s->existing_keys_len; k++)
		if (sched_topology_counts_node(&s->existing_anti, s->existing_keys[k], node) > 0)
			return false;
	return true;
}

/* LAB: sched-pod-affinity-filter */
enum sched_code sched_ipa_filter(struct sched_state *state, const struct pod *pod,
				 const struct sched_node_info *node,
				 struct sched_status *status)
{
	(void)pod;
	const struct pre_filter_state *s =
		sched_state_read(state, SCHED_PLUGIN_INTER_POD_AFFINITY);
	if (!satisfies_affinity(s, node))
		return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"node(s) didn't match pod affinity rules");
	if (!satisfies_anti_affinity(s, node))
		return sched_status_add(status, SCHED_UNSCHEDULABLE,
					"node(s) didn't match pod anti-affinity rules");
	if (!satisfies_existing_anti_affinity(s, node))
		return sched_status_add(status, SCHED_UNSCHEDULABLE,
					"node(s) didn't satisfy existing pods anti-affinity rules");
	return SCHED_SUCCESS;
}
