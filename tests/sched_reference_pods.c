/* sched_reference_pods.c - the reference's plugins about the other pods:
 * PodTopologySpread and InterPodAffinity.
 *
 * K8S: framework/plugins/podtopologyspread (filtering.go, scoring.go,
 * common.go), framework/plugins/interpodaffinity (filtering.go,
 * scoring.go), framework/types.go (AffinityTerm.Matches).
 *
 * Where the real plugins count matching pods per topology domain once per
 * cycle (PreFilter/PreScore) and keep indexes, these count them again,
 * over every node of the cluster, for every node asked about.
 */
#include "sched_reference_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* ---- PodTopologySpread --------------------------------------------------- */

static bool label_selector_matches(const struct label_selector *sel,
				   const struct strmap *labels);

/* K8S: FindMatchingUntoleratedTaint over the NoSchedule and NoExecute
 * taints. */
static bool has_untolerated_hard_taint(const struct pod *pod, const struct node *node)
{
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *t = &node->spec.taints.items[i];
		if ((ref_str_eq(t->effect, "NoSchedule") || ref_str_eq(t->effect, "NoExecute")) &&
		    !ref_pod_tolerates(pod, t))
			return true;
	}
	return false;
}

/* K8S: topologySpreadConstraint.matchNodeInclusionPolicies:
 * nodeAffinityPolicy Honor (the default) counts only nodes the pod's
 * nodeSelector and required node affinity accept; nodeTaintsPolicy Honor
 * (default Ignore) only nodes whose hard taints it ref_tolerates. */
static bool spread_includes(const struct topology_spread_constraint *c, const struct pod *pod,
			    const struct node *node)
{
	if (!ref_str_eq(c->node_affinity_policy, "Ignore") &&
	    !ref_required_node_affinity_matches(pod, node))
		return false;
	if (ref_str_eq(c->node_taints_policy, "Honor") && has_untolerated_hard_taint(pod, node))
		return false;
	return true;
}

/* K8S: nodeLabelsMatchSpreadConstraints: the node has every constraint's
 * topology key (of the constraints with action). */
static bool has_all_spread_keys(const struct pod *pod, const struct node *node,
				const char *action)
{
	const struct pod_spec *spec = &pod->spec;
	for (size_t i = 0; i < spec->topology_spread_constraints.len; i++) {
		const struct topology_spread_constraint *c = &spec->topology_spread_constraints.items[i];
		if (ref_str_eq(c->when_unsatisfiable ? c->when_unsatisfiable : "DoNotSchedule", action) &&
		    !strmap_get(&node->obj.meta.labels, c->topology_key ? c->topology_key : ""))
			return false;
	}
	return true;
}

/* K8S: countPodsMatchSelector: pods of the pod's namespace, not being
 * deleted, that the constraint's selector matches. */
static int64_t spread_count(const struct topology_spread_constraint *c, const struct pod *pod,
			    const struct pod *const *pods, size_t len)
{
	int64_t count = 0;
	for (size_t i = 0; i < len; i++)
		if (!pods[i]->obj.meta.deletion_timestamp &&
		    ref_str_eq(pods[i]->obj.meta.namespace, pod->obj.meta.namespace) &&
		    label_selector_matches(&c->label_selector, &pods[i]->obj.meta.labels))
			count++;
	return count;
}

static void pods_of(const struct sched_ref_cluster *c, size_t m, const struct ref_node *n,
		    const struct pod *const **pods, size_t *len);

/* One eligible node's topology value and matching pods. */
struct domain_count {
	const char *value;
	int64_t count;
};

static int compare_domain_counts(const void *a, const void *b)
{
	return strcmp(((const struct domain_count *)a)->value,
		      ((const struct domain_count *)b)->value);
}

/* K8S: podtopologyspread.Filter with calPreFilterState: for each
 * DoNotSchedule constraint, the node needs its topology label; then the
 * matching pods in its domain, plus one if the pod matches itself, minus
 * the fewest in any eligible domain (0 when there are fewer eligible
 * domains than minDomains) must not exceed maxSkew. Eligible nodes: all
 * the constraints' keys, and the inclusion policies. */
enum sched_code ref_filter_topology_spread(const struct ref_cycle *cy,
					      const struct ref_node *n,
					      struct sched_ref_verdict *v)
{
	const struct pod *pod = cy->pod;
	const struct sched_ref_cluster *c = cy->c;
	const struct pod_spec *spec = &pod->spec;
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++) {
		const struct topology_spread_constraint *tsc = &spec->topology_spread_constraints.items[k];
		if (!ref_str_eq(tsc->when_unsatisfiable ? tsc->when_unsatisfiable : "DoNotSchedule",
			    "DoNotSchedule"))
			continue;
		const char *key = tsc->topology_key ? tsc->topology_key : "";
		const char *here = strmap_get(&n->node->obj.meta.labels, key);
		if (!here)
			return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				      "node(s) didn't match pod topology spread constraints (missing required label)");
		/* The count per domain, over the eligible nodes: one entry per
		 * node, sorted by value, then each run of equal values summed. */
		struct domain_count *per_node = xcalloc(c->nodes_len + 1, sizeof(*per_node));
		size_t eligible = 0;
		for (size_t m = 0; m < c->nodes_len; m++) {
			const struct node *node = c->nodes[m];
			if (!has_all_spread_keys(pod, node, "DoNotSchedule") ||
			    !spread_includes(tsc, pod, node))
				continue;
			const struct pod *const *pods;
			size_t len;
			pods_of(c, m, n, &pods, &len);
			per_node[eligible++] = (struct domain_count){
				strmap_get(&node->obj.meta.labels, key),
				spread_count(tsc, pod, pods, len),
			};
		}
		qsort(per_node, eligible, sizeof(*per_node), compare_domain_counts);
		int64_t min = INT64_MAX, match = 0;
		size_t domains = 0;
		for (size_t i = 0; i < eligible;) {
			size_t j = i;
			int64_t sum = 0;
			while (j < eligible && !strcmp(per_node[j].value, per_node[i].value))
				sum += per_node[j++].count;
			domains++;
			min = sum < min ? sum : min;
			if (!strcmp(per_node[i].value, here))
				match = sum;
			i = j;
		}
		int64_t min_domains = tsc->min_domains.is_set ? tsc->min_domains.value : 1;
		if ((int64_t)domains < min_domains)
			min = 0;
		free(per_node);
		int64_t self = label_selector_matches(&tsc->label_selector, &pod->obj.meta.labels);
		if (match + self - min > tsc->max_skew)
			return ref_reject(v, SCHED_UNSCHEDULABLE,
				      "node(s) didn't match pod topology spread constraints");
	}
	return SCHED_SUCCESS;
}

/* ---- InterPodAffinity ---------------------------------------------------- */

/* K8S: metav1.LabelSelectorAsSelector + Matches. kubelab cannot tell an
 * absent selector from an empty one and reads both as absent, which
 * selects nothing (Go's nil). */
static bool label_selector_matches(const struct label_selector *sel,
				   const struct strmap *labels)
{
	if (!sel->match_labels.len && !sel->match_expressions.len)
		return false;
	for (size_t i = 0; i < sel->match_labels.len; i++) {
		const char *v = strmap_get(labels, sel->match_labels.items[i].key);
		if (!v || strcmp(v, sel->match_labels.items[i].value))
			return false;
	}
	for (size_t i = 0; i < sel->match_expressions.len; i++) {
		const struct selector_requirement_spec *r = &sel->match_expressions.items[i];
		const char *v = strmap_get(labels, r->key ? r->key : "");
		bool listed = false;
		for (size_t k = 0; v && k < r->values.len; k++)
			listed = listed || !strcmp(r->values.items[k], v);
		const char *op = r->operator ? r->operator : "";
		bool ok = !strcmp(op, "In") ? listed : !strcmp(op, "NotIn") ? !listed
			: !strcmp(op, "Exists") ? v != NULL
			: !strcmp(op, "DoesNotExist") ? v == NULL : false;
		if (!ok)
			return false;
	}
	return true;
}

/* K8S: AffinityTerm.Matches for a term of owner's: other is in one of the
 * term's namespaces (owner's own when it lists none and has no
 * namespaceSelector) and its labels match the labelSelector. (The tests
 * use one namespace and no namespaceSelector.) */
static bool pod_term_matches(const struct pod_affinity_term *term, const struct pod *owner,
			     const struct pod *other)
{
	bool in = false;
	if (!term->namespaces.len && !term->namespace_selector.match_labels.len &&
	    !term->namespace_selector.match_expressions.len)
		in = ref_str_eq(owner->obj.meta.namespace, other->obj.meta.namespace);
	for (size_t i = 0; i < term->namespaces.len; i++)
		in = in || ref_str_eq(term->namespaces.items[i], other->obj.meta.namespace);
	return in && label_selector_matches(&term->label_selector, &other->obj.meta.labels);
}

/* The pods counted on c->nodes[m] in this question: the node's own list
 * (nominated pods included) for the node asked about, the bound pods
 * elsewhere. */
static void pods_of(const struct sched_ref_cluster *c, size_t m, const struct ref_node *n,
		    const struct pod *const **pods, size_t *len)
{
	if (c->nodes[m] == n->node) {
		*pods = n->pods;
		*len = n->pods_len;
	} else {
		*pods = c->bound[m].pods;
		*len = c->bound[m].len;
	}
}

/* A test of one existing pod against the incoming pod's terms. */
typedef bool (*ref_pod_test)(const struct pod *incoming, const struct pod *existing,
			     const void *arg);

/* K8S: podMatchesAllAffinityTerms: existing matches every required
 * affinity term of incoming's (and there is at least one). */
static bool matches_all_required_affinity(const struct pod *incoming, const struct pod *existing,
					  const void *arg)
{
	(void)arg;
	const struct pod_affinity *pa = &incoming->spec.affinity.pod_affinity;
	size_t len = pa->required_during_scheduling_ignored_during_execution.len;
	for (size_t t = 0; t < len; t++)
		if (!pod_term_matches(&pa->required_during_scheduling_ignored_during_execution.items[t],
				      incoming, existing))
			return false;
	return len > 0;
}

static bool matches_anti_term(const struct pod *incoming, const struct pod *existing,
			      const void *arg)
{
	return pod_term_matches(arg, incoming, existing);
}

/* How many pods pass test on the nodes whose label key is value (any
 * value when value is NULL). */
static int64_t count_in_domain(const struct ref_cycle *cy, const struct ref_node *n,
			       ref_pod_test test, const void *arg,
			       const char *key, const char *value)
{
	const struct sched_ref_cluster *c = cy->c;
	int64_t count = 0;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const char *v = strmap_get(&c->nodes[m]->obj.meta.labels, key);
		if (!v || (value && strcmp(v, value)))
			continue;
		const struct pod *const *pods;
		size_t len;
		pods_of(c, m, n, &pods, &len);
		for (size_t i = 0; i < len; i++)
			count += test(cy->pod, pods[i], arg);
	}
	return count;
}

/* K8S: interpodaffinity.PreFilter's Skip: the pod has no required
 * (anti-)affinity terms and no bound pod's required anti-affinity term
 * matches it on a node with the term's topology label. The plugin then
 * takes no part in the cycle, so not even a nominated pod's
 * anti-affinity (which only AddPod would bring in) keeps it out. */
static bool inter_pod_affinity_skips(const struct ref_cycle *cy)
{
	const struct pod *pod = cy->pod;
	const struct sched_ref_cluster *c = cy->c;
	if (pod->spec.affinity.pod_affinity.required_during_scheduling_ignored_during_execution.len ||
	    pod->spec.affinity.pod_anti_affinity.required_during_scheduling_ignored_during_execution.len)
		return false;
	for (size_t m = 0; m < c->nodes_len; m++) {
		for (size_t i = 0; i < c->bound[m].len; i++) {
			const struct pod_affinity *ea = &c->bound[m].pods[i]->spec.affinity.pod_anti_affinity;
			for (size_t t = 0; t < ea->required_during_scheduling_ignored_during_execution.len; t++) {
				const struct pod_affinity_term *term =
					&ea->required_during_scheduling_ignored_during_execution.items[t];
				if (strmap_get(&c->nodes[m]->obj.meta.labels,
					       term->topology_key ? term->topology_key : "") &&
				    pod_term_matches(term, c->bound[m].pods[i], pod))
					return false;
			}
		}
	}
	return true;
}

/* K8S: interpodaffinity.Filter: satisfyPodAffinity,
 * satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity, in that
 * order. The pods nominated to the node asked about count as if bound
 * there (upstream's AddPod), unless PreFilter skipped the plugin. */
enum sched_code ref_filter_inter_pod_affinity(const struct ref_cycle *cy,
						 const struct ref_node *n,
						 struct sched_ref_verdict *v)
{
	if (inter_pod_affinity_skips(cy))
		return SCHED_SUCCESS;
	const struct pod *pod = cy->pod;
	const struct strmap *labels = &n->node->obj.meta.labels;
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	size_t terms = pa->required_during_scheduling_ignored_during_execution.len;
	/* Affinity: the node has every term's topology label, and each of
	 * its domains holds a pod matching all the terms -- or no such pod
	 * exists anywhere and the pod matches its terms itself (the first of
	 * a group that attracts itself). */
	bool labelled = true, found = true;
	for (size_t t = 0; t < terms; t++) {
		const char *key = pa->required_during_scheduling_ignored_during_execution.items[t].topology_key;
		const char *value = strmap_get(labels, key ? key : "");
		if (!value)
			labelled = false;
		else if (count_in_domain(cy, n, matches_all_required_affinity, NULL, key, value) <= 0)
			found = false;
	}
	if (terms && (!labelled || !found)) {
		bool anywhere = false;
		for (size_t t = 0; t < terms && !anywhere; t++) {
			const char *key = pa->required_during_scheduling_ignored_during_execution.items[t].topology_key;
			anywhere = count_in_domain(cy, n, matches_all_required_affinity, NULL,
						   key ? key : "", NULL) > 0;
		}
		if (!labelled || anywhere || !matches_all_required_affinity(pod, pod, NULL))
			return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				      "node(s) didn't match pod affinity rules");
	}
	/* Anti-affinity: no term's domain here holds a pod it matches. */
	const struct pod_affinity *anti = &pod->spec.affinity.pod_anti_affinity;
	for (size_t t = 0; t < anti->required_during_scheduling_ignored_during_execution.len; t++) {
		const struct pod_affinity_term *term =
			&anti->required_during_scheduling_ignored_during_execution.items[t];
		const char *value = strmap_get(labels, term->topology_key ? term->topology_key : "");
		if (value && count_in_domain(cy, n, matches_anti_term, term,
					     term->topology_key, value) > 0)
			return ref_reject(v, SCHED_UNSCHEDULABLE,
				      "node(s) didn't match pod anti-affinity rules");
	}
	/* Existing pods' anti-affinity: no pod in a domain this node is part
	 * of has a required anti-affinity term (under that term's topology
	 * key) matching the incoming pod. */
	const struct sched_ref_cluster *c = cy->c;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const struct pod *const *pods;
		size_t len;
		pods_of(c, m, n, &pods, &len);
		for (size_t i = 0; i < len; i++) {
			const struct pod_affinity *ea = &pods[i]->spec.affinity.pod_anti_affinity;
			for (size_t t = 0; t < ea->required_during_scheduling_ignored_during_execution.len; t++) {
				const struct pod_affinity_term *term =
					&ea->required_during_scheduling_ignored_during_execution.items[t];
				const char *key = term->topology_key ? term->topology_key : "";
				const char *there = strmap_get(&c->nodes[m]->obj.meta.labels, key);
				const char *here = strmap_get(labels, key);
				if (there && here && !strcmp(there, here) &&
				    pod_term_matches(term, pods[i], pod))
					return ref_reject(v, SCHED_UNSCHEDULABLE,
						      "node(s) didn't satisfy existing pods anti-affinity rules");
			}
		}
	}
	return SCHED_SUCCESS;
}

/* K8S: podtopologyspread PreScore + Score + NormalizeScore for the
 * pod's ScheduleAnyway constraints (the tests give their pods no owner,
 * so the system default constraints never apply). Feasible nodes without
 * every key are ignored (score 0). Per constraint, a node scores
 * count * log(domains + 2) + maxSkew - 1, where count is the matching
 * pods in its domain over the eligible nodes (hostname: on the node
 * itself) and domains the number of the feasible nodes' values (for
 * hostname the number of feasible nodes not ignored); the sum is
 * rounded, then reversed against the highest: fewer matching pods
 * around, higher score. */
bool ref_score_topology_spread(const struct ref_cycle *cy, const struct ref_node *nodes,
				  size_t len, int64_t *raw, int64_t *normalized)
{
	const struct pod *pod = cy->pod;
	const struct sched_ref_cluster *c = cy->c;
	const struct pod_spec *spec = &pod->spec;
	size_t soft = 0;
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++)
		soft += ref_str_eq(spec->topology_spread_constraints.items[k].when_unsatisfiable,
			       "ScheduleAnyway");
	if (soft == 0 || len == 0)
		return false;
	bool *ignored = xcalloc(len + 1, sizeof(*ignored));
	size_t ignored_len = 0;
	for (size_t i = 0; i < len; i++) {
		ignored[i] = !has_all_spread_keys(pod, nodes[i].node, "ScheduleAnyway");
		ignored_len += ignored[i];
	}
	double *score = xcalloc(len + 1, sizeof(*score));
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++) {
		const struct topology_spread_constraint *tsc = &spec->topology_spread_constraints.items[k];
		if (!ref_str_eq(tsc->when_unsatisfiable, "ScheduleAnyway"))
			continue;
		const char *key = tsc->topology_key ? tsc->topology_key : "";
		bool hostname = !strcmp(key, "kubernetes.io/hostname");
		/* the domains: the values of the feasible nodes not ignored */
		size_t domains = 0;
		for (size_t i = 0; i < len; i++) {
			if (ignored[i])
				continue;
			const char *value = strmap_get(&nodes[i].node->obj.meta.labels, key);
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				seen = !ignored[j] && ref_str_eq(value,
					strmap_get(&nodes[j].node->obj.meta.labels, key));
			domains += !seen;
		}
		if (hostname)
			domains = len - ignored_len;
		double weight = log((double)(domains + 2));
		for (size_t i = 0; i < len; i++) {
			const char *value = strmap_get(&nodes[i].node->obj.meta.labels, key);
			if (ignored[i] || !value)
				continue;
			int64_t count = 0;
			if (hostname) {
				count = spread_count(tsc, pod, nodes[i].pods, nodes[i].pods_len);
			} else {
				for (size_t m = 0; m < c->nodes_len; m++) {
					const struct node *node = c->nodes[m];
					if (!has_all_spread_keys(pod, node, "ScheduleAnyway") ||
					    !spread_includes(tsc, pod, node) ||
					    !ref_str_eq(strmap_get(&node->obj.meta.labels, key), value))
						continue;
					count += spread_count(tsc, pod, c->bound[m].pods, c->bound[m].len);
				}
			}
			score[i] += (double)count * weight + (double)(tsc->max_skew - 1);
		}
	}
	int64_t min = INT64_MAX, max = 0;
	for (size_t i = 0; i < len; i++) {
		raw[i] = ignored[i] ? 0 : (int64_t)round(score[i]);
		if (ignored[i])
			continue;
		min = raw[i] < min ? raw[i] : min;
		max = raw[i] > max ? raw[i] : max;
	}
	for (size_t i = 0; i < len; i++)
		normalized[i] = ignored[i] ? 0 : max == 0 ? SCHED_MAX_NODE_SCORE
			: SCHED_MAX_NODE_SCORE * (max + min - raw[i]) / max;
	free(ignored);
	free(score);
	return true;
}

/* One weighted term that matched: amount for every node in the domain
 * (key, value) of the existing pod's node. */
struct ipa_contribution {
	const char *key, *value;
	int64_t amount;
};

/* K8S: scoreMap.processTerm: when term (of owner's) matches other and
 * the node `at` (the existing pod's) has the term's topology label. */
static void ipa_add(struct ipa_contribution **list, size_t *len, const struct pod_affinity_term *term,
		    const struct pod *owner, const struct pod *other, const struct node *at,
		    int64_t amount)
{
	if (!pod_term_matches(term, owner, other))
		return;
	const char *key = term->topology_key ? term->topology_key : "";
	const char *value = strmap_get(&at->obj.meta.labels, key);
	if (!value)
		return;
	*list = xrealloc(*list, (*len + 1) * sizeof(**list));
	(*list)[(*len)++] = (struct ipa_contribution){ key, value, amount };
}

/* K8S: interpodaffinity PreScore (processExistingPod over every pod of
 * every node: the incoming pod's preferred terms, the existing pods'
 * required affinity terms times hardPodAffinityWeight and their preferred
 * terms), Score (the sum over the domains the node is in) and
 * NormalizeScore (min-max to 0..100). Skip when no term matched at all. */
bool ref_score_inter_pod_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
				     size_t len, int64_t *raw, int64_t *normalized)
{
	const struct sched_ref_cluster *c = cy->c;
	const struct pod *pod = cy->pod;
	int64_t hard = c->inter_pod_affinity_args
		? c->inter_pod_affinity_args->hard_pod_affinity_weight : 1;
	bool ignore_existing = c->inter_pod_affinity_args &&
		c->inter_pod_affinity_args->ignore_preferred_terms_of_existing_pods;
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	const struct pod_affinity *panti = &pod->spec.affinity.pod_anti_affinity;
	bool constraints = pa->preferred_during_scheduling_ignored_during_execution.len ||
		panti->preferred_during_scheduling_ignored_during_execution.len;
	if (ignore_existing && !constraints)
		return false;
	struct ipa_contribution *list = NULL;
	size_t list_len = 0;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const struct node *at = c->nodes[m];
		if (!at->obj.meta.labels.len)
			continue;
		for (size_t i = 0; i < c->bound[m].len; i++) {
			const struct pod *e = c->bound[m].pods[i];
			for (size_t t = 0; t < pa->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&pa->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, pod, e, at, w->weight);
			}
			for (size_t t = 0; t < panti->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&panti->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, pod, e, at, -w->weight);
			}
			const struct pod_affinity *ea = &e->spec.affinity.pod_affinity;
			const struct pod_affinity *eanti = &e->spec.affinity.pod_anti_affinity;
			if (hard > 0)
				for (size_t t = 0; t < ea->required_during_scheduling_ignored_during_execution.len; t++)
					ipa_add(&list, &list_len,
						&ea->required_during_scheduling_ignored_during_execution.items[t],
						e, pod, at, hard);
			if (ignore_existing)
				continue;
			for (size_t t = 0; t < ea->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&ea->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, e, pod, at, w->weight);
			}
			for (size_t t = 0; t < eanti->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&eanti->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, e, pod, at, -w->weight);
			}
		}
	}
	if (list_len == 0)
		return false;
	int64_t min = INT64_MAX, max = INT64_MIN;
	for (size_t i = 0; i < len; i++) {
		raw[i] = 0;
		for (size_t k = 0; k < list_len; k++) {
			const char *v = strmap_get(&nodes[i].node->obj.meta.labels, list[k].key);
			if (v && !strcmp(v, list[k].value))
				raw[i] += list[k].amount;
		}
		min = raw[i] < min ? raw[i] : min;
		max = raw[i] > max ? raw[i] : max;
	}
	for (size_t i = 0; i < len; i++)
		normalized[i] = max > min ? (int64_t)((double)SCHED_MAX_NODE_SCORE *
						      ((double)(raw[i] - min) / (double)(max - min)))
			: 0;
	free(list);
	return true;
}
