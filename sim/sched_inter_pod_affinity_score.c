/* sched_inter_pod_affinity_score.c - InterPodAffinity's PreScore, Score
 * and NormalizeScore: the preferred terms.
 *
 * K8S: pkg/scheduler/framework/plugins/interpodaffinity/scoring.go.
 *
 * PreScore adds up, per topology domain, weights from four sources:
 *   + the weight of each of the incoming pod's preferred affinity terms,
 *     once per placed pod that matches it, in that pod's node's domain;
 *   - the same for its preferred anti-affinity terms;
 *   + hardPodAffinityWeight (pluginConfig, default 1) for each placed pod's
 *     REQUIRED affinity term that the incoming pod matches (symmetry: a pod
 *     that needs to be near pods like me draws me toward it);
 *   +/- the weight of each placed pod's preferred (anti-)affinity term the
 *     incoming pod matches.
 * A node's raw score is the sum, over the topology keys seen, of its
 * domain's total -- negative when it is in an avoided domain. Normalize
 * maps the lowest raw score to 0 and the highest to 100 linearly, in
 * floating point and truncated, as upstream does; all equal scores give 0.
 *
 * Skip: with no feasible nodes; with ignorePreferredTermsOfExistingPods
 * and no preferred terms of its own; and whenever nothing matched at all.
 * A pod without preferred terms only visits placed pods that have
 * affinity terms (the cache's lists), so a cluster that does not use the
 * feature pays O(1).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sched_args.h"
#include "sched_framework.h"
#include "sched_inter_pod_affinity.h"
#include "sched_nodeinfo.h"
#include "sched_nodeinfo_affinity.h"
#include "xmalloc.h"

/* K8S: InterPodAffinityArgs defaults (apis/config/v1/defaults.go) */
#define DEFAULT_HARD_POD_AFFINITY_WEIGHT 1

/* One topology key of upstream's scoreMap: value -> summed weight, the
 * sums kept in the map's pointer values (0 when absent). */
struct score_key {
	char *key;
	struct hashmap values;
};

/* K8S: preScoreState */
struct pre_score_state {
	struct sched_pod_affinity *terms;	/* the incoming pod's, merged */
	const struct pod *pod;
	const struct strmap *ns_labels;
	int32_t hard_weight;
	struct score_key *keys;		/* K8S: topologyScore */
	size_t keys_len;
};

static void state_free(void *data)
{
	struct pre_score_state *s = data;
	for (size_t i = 0; i < s->keys_len; i++) {
		free(s->keys[i].key);
		hashmap_release(&s->keys[i].values);
	}
	free(s->keys);
	sched_pod_affinity_free(s->terms);
	free(s);
}

static void score_add(struct pre_score_state *s, const char *key, const char *value,
		      int64_t delta)
{
	struct score_key *k = NULL;
	for (size_t i = 0; i < s->keys_len && !k; i++)
		if (!strcmp(s->keys[i].key, key))
			k = &s->keys[i];
	if (!k) {
		s->keys = xrealloc(s->keys, (s->keys_len + 1) * sizeof(*s->keys));
		k = &s->keys[s->keys_len++];
		*k = (struct score_key){ .key = xstrdup(key) };
	}
	intptr_t now = (intptr_t)hashmap_get(&k->values, value) + (intptr_t)delta;
	hashmap_put(&k->values, value, (void *)now);
}

/* K8S: scoreMap.processTerm: weight * multiplier in the domain of node
 * when target matches the term. */
static void process_term(struct pre_score_state *s, const struct sched_affinity_term *t,
			 int32_t weight, const struct pod *target,
			 const struct strmap *ns_labels,
			 const struct sched_node_info *node, int32_t multiplier)
{
	if (!sched_affinity_term_matches(t, target, ns_labels))
		return;
	const char *value = strmap_get(&node->node->obj.meta.labels, t->topology_key);
	if (value)
		score_add(s, t->topology_key, value, (int64_t)(weight * multiplier));
}

/* The existing pods' side of upstream's processExistingPod: their terms
 * about the incoming pod, a group of identical terms at a time (the cache's
 * term groups, sched_nodeinfo_affinity.h): when the term matches, each
 * member adds weight * multiplier in its node's domain. */
struct group_walk {
	struct pre_score_state *s;
	int32_t weight;			/* 0: the term's own */
	int32_t multiplier;
};

static void process_group(void *arg, const struct sched_term_group *g)
{
	struct group_walk *w = arg;
	const struct sched_affinity_term *t = g->members[0].term;
	if (!sched_affinity_term_matches(t, w->s->pod, w->s->ns_labels))
		return;
	int32_t weight = w->weight ? w->weight : t->weight;
	for (size_t i = 0; i < g->len; i++) {
		const struct sched_node_info *node = g->members[i].pod->node;
		if (!node->node)
			continue;	/* a ghost: not in upstream's list */
		const char *value = strmap_get(&node->node->obj.meta.labels, t->topology_key);
		if (value)
			score_add(w->s, t->topology_key, value, (int64_t)(weight * w->multiplier));
	}
}

static void process_existing(struct pre_score_state *s, struct sched_cache *cache)
{
	struct group_walk w = { s, s->hard_weight, 1 };
	if (s->hard_weight > 0)
		sched_term_groups_for_pod(cache, SCHED_TERM_REQUIRED_AFFINITY, s->pod,
					  process_group, &w);
	w.weight = 0;
	sched_term_groups_for_pod(cache, SCHED_TERM_PREFERRED_AFFINITY, s->pod,
				  process_group, &w);
	w.multiplier = -1;
	sched_term_groups_for_pod(cache, SCHED_TERM_PREFERRED_ANTI, s->pod,
				  process_group, &w);
}

struct term_walk {
	struct pre_score_state *s;
	const struct sched_affinity_term *term;
	int32_t multiplier;
};

/* The incoming pod's side: one of its terms against one placed pod. Its
 * terms have their namespaces merged, so no namespace labels are needed. */
static void process_candidate(void *arg, const struct sched_pod_info *p)
{
	struct term_walk *w = arg;
	process_term(w->s, w->term, w->term->weight, p->pod, NULL, p->node, w->multiplier);
}

static void process_incoming(struct pre_score_state *s, struct sched_cache *cache,
			     const struct sched_term_list *terms, int32_t multiplier)
{
	for (size_t i = 0; i < terms->len; i++) {
		struct term_walk w = { s, &terms->items[i], multiplier };
		sched_affinity_for_each_candidate(cache, &terms->items[i].selector,
						  process_candidate, &w);
	}
}

enum sched_code sched_ipa_pre_score(struct sched_state *state, const struct pod *pod,
				    struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes;
	if (len == 0)
		return SCHED_SKIP;
	const struct sched_inter_pod_affinity_args *args =
		sched_state_args(state, SCHED_PLUGIN_INTER_POD_AFFINITY);
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	const struct pod_affinity *anti = &pod->spec.affinity.pod_anti_affinity;
	bool has_constraints =
		pa->preferred_during_scheduling_ignored_during_execution.len ||
		anti->preferred_during_scheduling_ignored_during_execution.len;
	if (args && args->ignore_preferred_terms_of_existing_pods && !has_constraints)
		return SCHED_SKIP;
	size_t with_affinity;
	sched_nodes_with_affinity_pods(state->cache, &with_affinity);
	if (!has_constraints && !with_affinity)
		return SCHED_SKIP;	/* nothing to visit: O(1) */

	struct pre_score_state *s = xcalloc(1, sizeof(*s));
	s->pod = pod;
	s->hard_weight = args ? args->hard_pod_affinity_weight
			      : DEFAULT_HARD_POD_AFFINITY_WEIGHT;
	s->terms = sched_pod_affinity_parse(pod);
	if (s->terms->parse_error) {
		/* Upstream returns an Error; PreFilter has already turned such
		 * a pod away, so this is never reached in a cycle. */
		state_free(s);
		return SCHED_SKIP;
	}
	sched_affinity_terms_merge_namespaces(&s->terms->preferred_affinity, state->store);
	sched_affinity_terms_merge_namespaces(&s->terms->preferred_anti_affinity,
					      state->store);
	s->ns_labels = sched_namespace_labels(state->store, pod->obj.meta.namespace);

	process_existing(s, state->cache);
	if (has_constraints) {
		process_incoming(s, state->cache, &s->terms->preferred_affinity, 1);
		process_incoming(s, state->cache, &s->terms->preferred_anti_affinity, -1);
	}
	if (!s->keys_len) {
		state_free(s);
		return SCHED_SKIP;
	}
	/* Filtering is over: this replaces (and frees) PreFilter's data. */
	sched_state_write(state, SCHED_PLUGIN_INTER_POD_AFFINITY, s, state_free);
	return SCHED_SUCCESS;
}

/* LAB: sched-pod-affinity-score */
int64_t sched_ipa_score(struct sched_state *state, const struct pod *pod,
			const struct sched_node_info *node)
{
	(void)pod;
	const struct pre_score_state *s =
		sched_state_read(state, SCHED_PLUGIN_INTER_POD_AFFINITY);
	int64_t score = 0;
	for (size_t i = 0; i < s->keys_len; i++) {
		const char *value = strmap_get(&node->node->obj.meta.labels, s->keys[i].key);
		if (value)
			score += (intptr_t)hashmap_get(&s->keys[i].values, value);
	}
	return score;
}

/* K8S: NormalizeScore: (score - min) / (max - min) * 100 in float64,
 * truncated toward zero. */
void sched_ipa_normalize_score(struct sched_state *state, const struct pod *pod,
			       int64_t *scores, size_t len)
{
	(void)state;
	(void)pod;
	int64_t min = INT64_MAX, max = INT64_MIN;
	for (size_t i = 0; i < len; i++) {
		if (scores[i] > max)
			max = scores[i];
		if (scores[i] < min)
			min = scores[i];
	}
	int64_t diff = max - min;
	for (size_t i = 0; i < len; i++) {
		double f = 0;
		if (diff > 0)
			f = (double)SCHED_MAX_NODE_SCORE *
			    ((double)(scores[i] - min) / (double)diff);
		scores[i] = (int64_t)f;
	}
}
