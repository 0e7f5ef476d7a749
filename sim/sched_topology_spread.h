/* sched_topology_spread.h - PodTopologySpread's internals, shared by its
 * Filter half (sched_topology_spread.c), its Score half
 * (sched_topology_spread_score.c) and the building of constraints they
 * both use (sched_topology_spread_constraints.c). Not for other plugins.
 *
 * K8S: pkg/scheduler/framework/plugins/podtopologyspread/common.go.
 *
 * A constraint as the plugin uses it: the pod's (or the profile's
 * default) topologySpreadConstraint with its selector compiled, the
 * matchLabelKeys merged in, and the policies resolved to booleans.
 * Ownership: a struct spread_constraints owns its selectors; the topology
 * keys are borrowed from the pod or the profile's arguments, which outlive
 * the cycle.
 */
#ifndef KUBELAB_SCHED_TOPOLOGY_SPREAD_H
#define KUBELAB_SCHED_TOPOLOGY_SPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "selector.h"
#include "xmalloc.h"

#define SPREAD_LABEL_HOSTNAME "kubernetes.io/hostname"	/* K8S: v1.LabelHostname */
#define SPREAD_LABEL_ZONE "topology.kubernetes.io/zone"	/* K8S: v1.LabelTopologyZone */

/* K8S: topologySpreadConstraint (common.go) */
struct spread_constraint {
	int32_t max_skew;
	const char *topology_key;	/* borrowed */
	uint32_t key;			/* sched_cache_topology_key(topology_key) */
	bool hostname;			/* topology_key is kubernetes.io/hostname */
	struct selector selector;	/* owned */
	int32_t min_domains;		/* 1 when unset */
	bool honor_node_affinity;	/* Honor (default), and the pod has a
					 * nodeSelector or required affinity */
	bool honor_node_taints;		/* nodeTaintsPolicy Honor (default Ignore) */
};

struct spread_constraints {
	size_t len;
	struct spread_constraint *items;	/* owned */
	bool defaulted;		/* taken from the profile's default constraints */
};

/* K8S: getConstraints / initPreScoreState's first half: the pod's own
 * constraints whose whenUnsatisfiable is action ("DoNotSchedule" or
 * "ScheduleAnyway"), or, when the pod has none at all, the profile's
 * default constraints with the default selector (buildDefaultConstraints).
 * Fills *out (empty when none apply); release with spread_constraints_release. */
void spread_constraints_build(struct sched_state *state, const struct pod *pod,
			      const char *action, struct spread_constraints *out);
void spread_constraints_release(struct spread_constraints *c);

/* True when the profile uses System defaulting (K8S: systemDefaulted). */
bool spread_system_defaulted(const struct sched_state *state);

/* K8S: helper.DefaultSelector: the selectors of the Services that select
 * pod, merged, plus the selector of its controlling ReplicaSet or
 * StatefulSet. Read through cache->store; empty without a store. */
void spread_default_selector(const struct sched_cache *cache, const struct pod *pod,
			     struct selector *out);

/* K8S: nodeLabelsMatchSpreadConstraints: node has every topology key. */
bool spread_node_has_keys(const struct sched_node_info *node,
			  const struct spread_constraints *c);
/* K8S: matchNodeInclusionPolicies: the node counts for constraint c. */
bool spread_node_included(const struct spread_constraint *c, const struct pod *pod,
			  const struct sched_node_info *node);

/* Per-domain pod counts of one constraint, indexed by the value id of
 * its key (sched_nodeinfo.h); -1 marks a value that is not a domain here. */
struct spread_counts {
	int64_t *count;			/* owned; len entries (cap allocated) */
	uint32_t len, cap;
	size_t domains;			/* entries >= 0 */
};
/* All -1, sized for the key's values now. reset reuses c's array (a
 * zeroed struct is empty), init starts from nothing. */
void spread_counts_reset(struct spread_counts *c, const struct sched_cache *cache,
			 uint32_t key);
void spread_counts_init(struct spread_counts *c, const struct sched_cache *cache,
			uint32_t key);
/* Makes value a domain (count 0) if it is not one yet. */
static inline void spread_counts_add_domain(struct spread_counts *c, uint32_t value)
{
	BUG_ON(value >= c->len);
	if (c->count[value] < 0) {
		c->count[value] = 0;
		c->domains++;
	}
}
/* The count of value, -1 when it is not a domain. */
static inline int64_t spread_counts_get(const struct spread_counts *c, uint32_t value)
{
	return value < c->len ? c->count[value] : -1;
}
void spread_counts_release(struct spread_counts *c);

/* A list of booked pods, kept from cycle to cycle so that it grows once
 * rather than being allocated per pod scheduled. */
struct spread_pods {
	const struct sched_pod_info **items;	/* owned */
	size_t len, cap;
};
/* K8S: countPodsMatchSelector over every node at once: replaces out's
 * contents with the booked pods of namespace matching sel that are not
 * terminating, from the label index. An empty selector counts nothing,
 * as upstream. */
void spread_matching_pods(const struct sched_cache *cache, const char *namespace,
			  const struct selector *sel, struct spread_pods *out);
void spread_pods_release(struct spread_pods *pods);

/* The Score half (sched_topology_spread_score.c): PreScore, Score,
 * NormalizeScore, as in sched_framework.h. */
enum sched_code sched_topology_spread_pre_score(struct sched_state *state,
						const struct pod *pod,
						struct sched_node_info *const *nodes,
						size_t len);
int64_t sched_topology_spread_score(struct sched_state *state, const struct pod *pod,
				    const struct sched_node_info *node);
void sched_topology_spread_normalize(struct sched_state *state, const struct pod *pod,
				     int64_t *scores, size_t len);

#endif
