/* sched_inter_pod_affinity_extensions.c - InterPodAffinity's PreFilter
 * extensions: AddPod and RemovePod.
 *
 * K8S: pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
 * (AddPod, RemovePod, preFilterState.updateWithPod,
 * topologyToMatchedTermCount.updateWithAffinityTerms /
 * updateWithAntiAffinityTerms).
 *
 * InterPodAffinity's PreFilter counts pods over the whole cluster, per
 * topology domain (sched_inter_pod_affinity_filter.c), and its Filter
 * reads only those counts: it never looks at the node's own pod list. So
 * when the framework asks a what-if question on a scratch copy of a node
 * -- "does the pod fit beside the pods nominated here?" (sched_nominator.c),
 * "does it fit once these lower-priority pods are evicted?"
 * (sched_preemption_victims.c) -- the counts must change with the copy,
 * or the answer is about the real node. For a pod p added to (delta +1)
 * or removed from (delta -1) node:
 *   existing anti  each of p's required anti-affinity terms that matches
 *                  the incoming pod (its namespace's labels included)
 *                  moves the count of node's domain for the term's key;
 *   affinity       when p matches ALL of the incoming pod's required
 *                  affinity terms, each term's domain moves;
 *   anti           each of the incoming pod's required anti-affinity
 *                  terms that p matches moves its domain.
 * A domain down to zero leaves the map, as upstream, so "no pod matches
 * anywhere" (the first pod of a group with affinity to itself) reads the
 * same after an add and its remove.
 *
 * This is what lets a nominated pod's anti-affinity keep others out of
 * its domain before it is bound, and what lets a high-priority pod
 * preempt the low-priority pod its anti-affinity forbids.
 *
 * Upstream updates a clone of the cycle state; kubelab's callers update
 * the state itself and undo each call with its inverse. The framework
 * calls neither hook when PreFilter returned Skip: a pod without required
 * terms, in a cluster where no placed pod has required anti-affinity,
 * does not see a nominated pod's anti-affinity (as upstream).
 *
 * Costs: O(terms) per call; a pod with required anti-affinity has its
 * terms parsed once per call (the nominated pods and the victims are few).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_framework.h"
#include "sched_inter_pod_affinity.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

/* K8S: topologyToMatchedTermCount.update: node's domain for key (a
 * topology key id), if the node has the label. */
static void count_on_node(struct sched_state *state, struct sched_topology_counts *counts,
			  uint32_t key, const struct sched_node_info *node, int64_t delta)
{
	sched_topology_counts_add_node(counts, state->cache, key, node, delta);
}

/* Filter reads existing_anti only under the keys listed in existing_keys:
 * a key first seen on an added pod joins the list. */
static void note_existing_key(struct sched_ipa_filter_state *s, uint32_t key)
{
	for (size_t k = 0; k < s->existing_keys_len; k++)
		if (s->existing_keys[k] == key)
			return;
	s->existing_keys = xrealloc(s->existing_keys,
				    (s->existing_keys_len + 1) * sizeof(*s->existing_keys));
	s->existing_keys[s->existing_keys_len++] = key;
}

/* LAB: sched-pod-affinity-extensions. K8S: preFilterState.updateWithPod. */
static void update_with_pod(struct sched_state *state, const struct pod *pod,
			    const struct sched_pod_info *p,
			    const struct sched_node_info *node, int64_t delta)
{
	struct sched_ipa_filter_state *s =
		sched_state_read(state, SCHED_PLUGIN_INTER_POD_AFFINITY);
	if (!s || !node->node)
		return;
	/* 1. p's own rule about the incoming pod. */
	if (sched_pod_has_required_anti_affinity(p->pod)) {
		struct sched_pod_affinity *theirs = sched_pod_affinity_parse(p->pod);
		sched_pod_affinity_resolve_keys(theirs, state->cache);
		const struct strmap *ns_labels =
			sched_namespace_labels(state->store, pod->obj.meta.namespace);
		const struct sched_term_list *anti = &theirs->required_anti_affinity;
		for (size_t i = 0; i < anti->len; i++) {
			const struct sched_affinity_term *t = &anti->items[i];
			if (!sched_affinity_term_matches(t, pod, ns_labels))
				continue;
			if (delta > 0)
				note_existing_key(s, t->key);
			count_on_node(state, &s->existing_anti, t->key, node, delta);
		}
		sched_pod_affinity_free(theirs);
	}
	/* 2. The incoming pod's affinity: p counts if it matches every term. */
	const struct sched_term_list *aff = &s->terms->required_affinity;
	if (sched_affinity_terms_match_all(aff, p->pod))
		for (size_t i = 0; i < aff->len; i++)
			count_on_node(state, &s->affinity, aff->items[i].key, node, delta);
	/* 3. The incoming pod's anti-affinity, term by term. Its terms have
	 * their namespaceSelector merged into names already: no labels. */
	const struct sched_term_list *anti = &s->terms->required_anti_affinity;
	for (size_t i = 0; i < anti->len; i++)
		if (sched_affinity_term_matches(&anti->items[i], p->pod, NULL))
			count_on_node(state, &s->anti, anti->items[i].key, node, delta);
}

void sched_ipa_add_pod(struct sched_state *state, const struct pod *pod,
		       const struct sched_pod_info *p, const struct sched_node_info *node)
{
	update_with_pod(state, pod, p, node, 1);
}

void sched_ipa_remove_pod(struct sched_state *state, const struct pod *pod,
			  const struct sched_pod_info *p, const struct sched_node_info *node)
{
	update_with_pod(state, pod, p, node, -1);
}
