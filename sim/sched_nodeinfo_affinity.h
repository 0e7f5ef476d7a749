/* sched_nodeinfo_affinity.h - the cache's books for inter-pod affinity:
 * which pods have affinity terms, and which pods carry which label.
 *
 * K8S: framework.NodeInfo.PodsWithAffinity / PodsWithRequiredAntiAffinity
 * (types.go), Snapshot.havePodsWithAffinityNodeInfoList /
 * havePodsWithRequiredAntiAffinityNodeInfoList (backend/cache/snapshot.go).
 *
 * InterPodAffinity asks two kinds of question every cycle:
 *   1. "Does any pod already placed have a term about me?" Only pods with
 *      pod (anti-)affinity can, so, as upstream, each node keeps the list of
 *      its pods that have any pod (anti-)affinity and of those with required
 *      anti-affinity, and the cache keeps the list of nodes where those
 *      lists are not empty. A cluster where no pod uses the feature walks
 *      two empty lists: O(1).
 *   2. "How many pods matching my selector run in each domain?" Upstream
 *      walks every pod of every node. kubelab keeps, only once some pod
 *      has asked, an index from label "key/value" to the pods carrying it,
 *      so a selector such as app=cache visits only the cache pods. Until
 *      then the index costs nothing. Not upstream: an optimisation that
 *      changes no answer (tests compare it with the plain walk).
 *
 * Each pod's parsed terms (struct sched_pod_affinity) are kept beside it,
 * parsed when it is booked, as upstream's PodInfo holds them.
 *
 * Hooks: sched_nodeinfo.c calls sched_affinity_pod_added after booking a
 * pod on a node, sched_affinity_pod_removed before un-booking it (the pod
 * object is then the version that was added), and the *_free functions
 * from its release paths. All are O(1) for a pod without pod affinity when
 * the label index is off, and O(labels of the pod) when it is on.
 */
#ifndef KUBELAB_SCHED_NODEINFO_AFFINITY_H
#define KUBELAB_SCHED_NODEINFO_AFFINITY_H

#include <stdbool.h>
#include <stddef.h>

#include "hashmap.h"
#include "sched_nodeinfo.h"

struct sched_pod_affinity;

/* Per node (sched_node_info.affinity). */
struct sched_node_affinity {
	struct sched_pod_info **with_affinity;	/* K8S: PodsWithAffinity */
	size_t with_affinity_len, with_affinity_cap;
	struct sched_pod_info **with_anti;	/* PodsWithRequiredAntiAffinity */
	size_t with_anti_len, with_anti_cap;
	size_t affinity_pos, anti_pos;	/* index in the cache-wide lists */
};

/* ---- term groups (sched_nodeinfo_terms.c) ----------------------------------
 * The placed pods' terms that can be about the incoming pod. Upstream
 * visits every pod with affinity and tests each of its terms, every cycle:
 * with thousands of such pods that dominates the cycle. Replicas share
 * their terms, so kubelab groups identical terms (same kind, weight,
 * topology key, namespaces and selectors) and indexes each group by a
 * label its selector requires (app=cache for matchLabels {app: cache}):
 * a cycle tests one term per group whose label the incoming pod carries
 * (plus the groups whose selector requires no particular label), and
 * visits the members only of the groups that match. Same sums, same
 * verdicts: the counts are added per (pod, term) as upstream does. */
enum sched_term_kind {
	SCHED_TERM_REQUIRED_ANTI,	/* Filter: existing pods' anti-affinity */
	SCHED_TERM_REQUIRED_AFFINITY,	/* Score: hardPodAffinityWeight */
	SCHED_TERM_PREFERRED_AFFINITY,	/* Score: +weight */
	SCHED_TERM_PREFERRED_ANTI,	/* Score: -weight */
	SCHED_TERM_KINDS
};

struct sched_affinity_term;

struct sched_term_member {
	struct sched_pod_info *pod;
	const struct sched_affinity_term *term;	/* the pod's own copy */
};

struct sched_term_group {
	enum sched_term_kind kind;
	char *signature;		/* owned */
	struct sched_term_member *members;	/* any order; never empty */
	size_t len, cap;
	char **buckets;			/* owned label keys it is indexed under */
	size_t buckets_len;
};

struct sched_group_list {
	struct sched_term_group **groups;
	size_t len, cap;
};

struct sched_term_groups {
	struct hashmap by_signature;	/* -> struct sched_term_group */
	struct hashmap by_label[SCHED_TERM_KINDS];	/* -> struct sched_group_list */
	struct sched_group_list unindexed[SCHED_TERM_KINDS];
	size_t groups[SCHED_TERM_KINDS];	/* how many groups of each kind */
};

/* A pod's place in the groups: one per term, for O(1) removal. */
struct sched_term_membership {
	struct sched_term_group *group;
	size_t pos;
};

/* Per cache (sched_cache.affinity). */
struct sched_affinity_index {
	struct sched_node_info **with_affinity;	/* nodes with_affinity_len > 0 */
	size_t with_affinity_len, with_affinity_cap;
	struct sched_node_info **with_anti;	/* nodes with_anti_len > 0 */
	size_t with_anti_len, with_anti_cap;
	bool labels_on;			/* the label index is built */
	bool naive;			/* tests: never use the label index */
	struct hashmap labels;		/* "key/value" -> struct sched_label_bucket */
	struct sched_term_groups terms;
};

/* Per pod (sched_pod_info.index). */
struct sched_pod_index {
	struct sched_pod_affinity *affinity;	/* NULL: no pod (anti-)affinity */
	struct sched_term_membership *memberships;
	size_t memberships_len;
	size_t *label_pos;		/* per label (in key order): bucket slot */
	size_t labels_len;
};

void sched_term_groups_add(struct sched_cache *cache, struct sched_pod_info *p);
void sched_term_groups_remove(struct sched_cache *cache, struct sched_pod_info *p);
void sched_term_groups_free(struct sched_term_groups *groups);
/* Calls fn for each group of kind that may be about pod (its selector's
 * indexed label is one of pod's labels, or it has none): fn must still
 * test the term. */
void sched_term_groups_for_pod(const struct sched_cache *cache,
			       enum sched_term_kind kind, const struct pod *pod,
			       void (*fn)(void *arg, const struct sched_term_group *g),
			       void *arg);
size_t sched_term_groups_count(const struct sched_cache *cache,
			       enum sched_term_kind kind);

/* The pods carrying one label; slot order is arbitrary. */
struct sched_label_bucket {
	struct sched_pod_info **pods;
	size_t len, cap;
};

void sched_affinity_pod_added(struct sched_cache *cache, struct sched_pod_info *p);
void sched_affinity_pod_removed(struct sched_cache *cache, struct sched_pod_info *p);
void sched_affinity_pod_free(struct sched_pod_info *p);
void sched_affinity_node_free(struct sched_node_info *n);
void sched_affinity_index_free(struct sched_cache *cache);

/* The parsed terms of a booked pod, or NULL when it has none. */
static inline const struct sched_pod_affinity *
sched_affinity_of(const struct sched_pod_info *p)
{
	return p->index ? p->index->affinity : NULL;
}

/* K8S: HavePodsWithAffinityList / HavePodsWithRequiredAntiAffinityList:
 * the nodes (ghosts included: skip those with node == NULL) that have
 * such pods. Valid until the next booking change. */
struct sched_node_info *const *sched_nodes_with_affinity_pods(
	const struct sched_cache *cache, size_t *len);
struct sched_node_info *const *sched_nodes_with_anti_affinity_pods(
	const struct sched_cache *cache, size_t *len);

/* The pods carrying label key=value, building the label index on first
 * use (O(all pods) once). Valid until the next booking change. */
struct sched_pod_info *const *sched_pods_with_label(struct sched_cache *cache,
						    const char *key,
						    const char *value,
						    size_t *len);
bool sched_label_index_enabled(const struct sched_cache *cache);
/* For tests: with naive set, candidates are every pod (the plain walk
 * upstream does), so results can be compared with the index's. */
void sched_label_index_set_naive(struct sched_cache *cache, bool naive);

/* Checks the lists and buckets against the pods; prints what broke and
 * returns false. O(pods): for tests. */
bool sched_affinity_index_check(const struct sched_cache *cache);

#endif
