/* sched_inter_pod_affinity.h - pod affinity terms as the scheduler reads
 * them, shared by the InterPodAffinity plugin's files and the cache.
 *
 * K8S: pkg/scheduler/framework/types.go (AffinityTerm, WeightedAffinityTerm,
 * PodInfo's Required/Preferred(Anti)AffinityTerms, getNamespacesFromPod-
 * AffinityTerm), plugins/interpodaffinity/plugin.go (GetNamespaceLabels-
 * Snapshot, mergeAffinityTermNamespacesIfNotEmpty), filtering.go and
 * scoring.go (topologyToMatchedTermCount, scoreMap).
 *
 * A PodAffinityTerm names a set of pods -- a labelSelector, in some
 * namespaces -- and a topologyKey, a node label such as
 * kubernetes.io/hostname or topology.kubernetes.io/zone. Two nodes with the
 * same value of that label are one "topology domain". Affinity says "put me
 * in a domain that already runs such a pod", anti-affinity "not in a domain
 * that runs one". Which namespaces count:
 *   - neither namespaces nor namespaceSelector: the pod's own namespace;
 *   - otherwise the union of the listed names and of the namespaces whose
 *     labels the namespaceSelector matches.
 * An absent labelSelector selects no pod at all.
 *
 * The scheduler parses a pod's terms once, when the pod is booked in the
 * cache (sched_nodeinfo_affinity.c keeps them beside the pod), and parses
 * the incoming pod's terms once per cycle.
 *
 * Ownership: a struct sched_pod_affinity owns its terms, their selectors
 * and namespace names; topology keys are borrowed from the pod's spec, so
 * it must not outlive the pod object it was parsed from.
 */
#ifndef KUBELAB_SCHED_INTER_POD_AFFINITY_H
#define KUBELAB_SCHED_INTER_POD_AFFINITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "hashmap.h"
#include "sched_framework.h"
#include "selector.h"

struct sched_cache;
struct sched_pod_info;
struct store;

/* K8S: framework.AffinityTerm (+ Weight: WeightedAffinityTerm). */
struct sched_affinity_term {
	char **namespaces;		/* owned names, a small set */
	size_t namespaces_len;
	struct selector selector;	/* labelSelector; nothing when absent */
	struct selector ns_selector;	/* namespaceSelector; nothing when absent */
	const char *topology_key;	/* borrowed from the pod's spec */
	uint32_t key;			/* its id (sched_cache_topology_key), set
					 * by sched_pod_affinity_resolve_keys */
	int32_t weight;			/* preferred terms only */
};

struct sched_term_list {
	struct sched_affinity_term *items;
	size_t len;
};

/* K8S: the affinity half of framework.PodInfo. */
struct sched_pod_affinity {
	struct sched_term_list required_affinity;
	struct sched_term_list required_anti_affinity;
	struct sched_term_list preferred_affinity;
	struct sched_term_list preferred_anti_affinity;
	char *parse_error;		/* owned; NULL when every selector parsed */
};

/* K8S: podWithAffinity / podWithRequiredAntiAffinity (types.go): what puts
 * a pod on its node's PodsWithAffinity / PodsWithRequiredAntiAffinity. */
bool sched_pod_has_affinity(const struct pod *pod);
bool sched_pod_has_required_anti_affinity(const struct pod *pod);

/* K8S: framework.NewPodInfo's term parsing. Never NULL; a list with a
 * selector that does not parse is left empty and parse_error says why
 * (upstream: the PreFilter of such a pod fails). Free with
 * sched_pod_affinity_free. */
struct sched_pod_affinity *sched_pod_affinity_parse(const struct pod *pod);
void sched_pod_affinity_free(struct sched_pod_affinity *affinity);

/* K8S: AffinityTerm.Matches: pod is in one of the term's namespaces, or
 * its namespace's labels (ns_labels, NULL = none) match namespaceSelector,
 * and its labels match the labelSelector. */
bool sched_affinity_term_matches(const struct sched_affinity_term *term,
				 const struct pod *pod,
				 const struct strmap *ns_labels);

/* K8S: podMatchesAllAffinityTerms: pod matches every one of terms (false
 * when there are none), the namespace's labels not looked up (nil), as
 * upstream. */
bool sched_affinity_terms_match_all(const struct sched_term_list *terms,
				    const struct pod *pod);

/* K8S: mergeAffinityTermNamespacesIfNotEmpty: for the incoming pod's own
 * terms, the namespaces its namespaceSelector selects now (listed from
 * store; none when store is NULL) join the names, and the selector then
 * matches nothing, so matching an existing pod needs no label lookup. */
void sched_affinity_terms_merge_namespaces(struct sched_term_list *terms,
					   const struct store *store);

/* K8S: GetNamespaceLabelsSnapshot: the labels of namespace ns, or NULL
 * when it does not exist (or store is NULL). Borrowed until the next
 * store write. */
const struct strmap *sched_namespace_labels(const struct store *store,
					    const char *ns);

/* ---- counting pods per topology domain -------------------------------------
 * K8S: topologyToMatchedTermCount: (topologyKey, value) -> a count. Here
 * the key and the value are the cache's interned ids (sched_nodeinfo.h:
 * sched_cache_topology_key, sched_node_topology), so counting a node and
 * reading a node's count are array reads, not string hashes: Filter asks
 * once per node per pod. pairs is the number of (key, value) pairs whose
 * count is not 0 (upstream drops a pair down to zero from its map, and
 * tests the map's length). */
struct sched_topology_count_key {
	uint32_t key;			/* topology key id */
	uint32_t len;			/* entries in count */
	int64_t *count;			/* owned; by value id */
};

struct sched_topology_counts {
	struct sched_topology_count_key *keys;	/* owned; few (one per key) */
	size_t keys_len;
	size_t pairs;
};

/* Adds delta to (key, the node's value of key); nothing when the node has
 * no such label. */
void sched_topology_counts_add_node(struct sched_topology_counts *counts,
				    const struct sched_cache *cache, uint32_t key,
				    const struct sched_node_info *node, int64_t delta);
/* The count of (key, the node's value of key); 0 without the label. */
int64_t sched_topology_counts_node(const struct sched_topology_counts *counts,
				   uint32_t key, const struct sched_node_info *node);
void sched_topology_counts_release(struct sched_topology_counts *counts);

/* Registers every term's topology key with the cache (term->key). */
void sched_pod_affinity_resolve_keys(struct sched_pod_affinity *affinity,
				     struct sched_cache *cache);

/* Calls fn for every pod booked on a live node of cache that may match
 * term (after sched_affinity_terms_merge_namespaces): with the cache's
 * label index (sched_nodeinfo_labels.c), only the pods of the term's
 * namespaces (all of them for a namespaceSelector {}) that its selector
 * matches; with the index off (tests), every pod. fn still has to test
 * the term. Returns the number of pods visited. */
size_t sched_affinity_for_each_candidate(struct sched_cache *cache,
					 const struct sched_affinity_term *term,
					 void (*fn)(void *arg,
						    const struct sched_pod_info *p),
					 void *arg);
/* How many pods sched_affinity_for_each_candidate would test, without
 * visiting them: SIZE_MAX when it would walk every pod. */
size_t sched_affinity_candidates(struct sched_cache *cache,
				 const struct sched_affinity_term *term);

/* ---- PreFilter's state (sched_inter_pod_affinity_filter.c) ----------------
 * K8S: preFilterState. Written by PreFilter; read by Filter; updated by
 * the PreFilter extensions (sched_inter_pod_affinity_extensions.c) when a
 * what-if copy of a node gains or loses a pod. */
struct sched_ipa_filter_state {
	const struct pod *pod;
	struct sched_pod_affinity *terms;	/* the incoming pod's, merged */
	struct sched_topology_counts existing_anti;
	uint32_t *existing_keys;	/* the topology key ids in existing_anti */
	size_t existing_keys_len;
	struct sched_topology_counts affinity;
	struct sched_topology_counts anti;
};

/* ---- the plugin's hooks (sched_inter_pod_affinity_filter.c, _score.c,
 * _extensions.c) ----------------------------------------------------------- */
void sched_ipa_add_pod(struct sched_state *state, const struct pod *pod,
		       const struct sched_pod_info *p, const struct sched_node_info *node);
void sched_ipa_remove_pod(struct sched_state *state, const struct pod *pod,
			  const struct sched_pod_info *p, const struct sched_node_info *node);
enum sched_code sched_ipa_pre_filter(struct sched_state *state, const struct pod *pod,
				     struct sched_status *status);
enum sched_code sched_ipa_filter(struct sched_state *state, const struct pod *pod,
				 const struct sched_node_info *node,
				 struct sched_status *status);
enum sched_code sched_ipa_pre_score(struct sched_state *state, const struct pod *pod,
				    struct sched_node_info *const *nodes, size_t len);
int64_t sched_ipa_score(struct sched_state *state, const struct pod *pod,
			const struct sched_node_info *node);
void sched_ipa_normalize_score(struct sched_state *state, const struct pod *pod,
			       int64_t *scores, size_t len);

#endif
