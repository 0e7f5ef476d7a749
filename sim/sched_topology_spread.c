/* sched_topology_spread.c - the PodTopologySpread plugin: Filter.
 *
 * K8S: pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (the
 * reasons), common.go (policies, counting) and filtering.go (PreFilter,
 * Filter). Building the constraints, the system default ones and the
 * default selector included: sched_topology_spread_constraints.c.
 *
 * A Deployment of 6 replicas in three zones survives a zone outage only
 * if its pods are spread over the zones. A topologySpreadConstraint says
 * how evenly:
 *
 *   topologySpreadConstraints:
 *   - maxSkew: 1                        at most 1 more than the emptiest
 *     topologyKey: topology.kubernetes.io/zone      domain: the zones
 *     whenUnsatisfiable: DoNotSchedule  a hard rule (a Filter); or
 *                                       ScheduleAnyway: a preference (a Score)
 *     labelSelector: {matchLabels: {app: web}}      which pods count
 *
 * The scheduler counts, per domain (per value of the node label
 * topologyKey), the pods in the pod's namespace that the selector matches,
 * terminating ones left out. Placing the pod on a node of domain D is
 * allowed when count(D) + (1 if the pod matches its own selector) - min
 * <= maxSkew, min being the smallest count over the eligible domains (0
 * when there are fewer than minDomains of them). Eligible: the domains of
 * the nodes that have every topology key of the pod's constraints and, by
 * default, match the pod's nodeSelector/required affinity
 * (nodeAffinityPolicy Honor); nodeTaintsPolicy Honor also drops nodes
 * with taints the pod does not tolerate. A node without the topology key
 * is rejected for good ("... (missing required label)").
 *
 * matchLabelKeys: [pod-template-hash] adds "pod-template-hash=<the pod's
 * value>" to the selector, so each ReplicaSet of a rollout spreads on its
 * own. A pod without constraints gets the profile's defaults
 * (sched_args.h; by default hostname maxSkew 3 and zone maxSkew 5, both
 * ScheduleAnyway), with a selector built from the Services that select it
 * and its controlling ReplicaSet or StatefulSet: so Deployment pods are
 * spread even when nobody asked (sched_topology_spread_constraints.c).
 *
 * Counting: upstream walks every node's pods per scheduled pod; kubelab
 * asks the cache's label index (sched_nodeinfo_labels.c) for the matching
 * pods and adds each to its node's domain: O(matching pods), plus one walk
 * over the nodes to list the eligible domains (only for pods with
 * DoNotSchedule constraints). The counts are the same.
 *
 * What-if copies: preemption's dry run and the nominated pods' pass call
 * Filter on a scratch copy of a node with pods removed or added; upstream
 * updates its PreFilter counts through AddPod/RemovePod, kubelab adjusts
 * the copy's domain count by the difference (what_if below).
 *
 * Not modelled: ReplicationControllers (no
 * such kind), a selector that fails to compile (upstream fails the cycle
 * with an error; here it matches nothing), and the difference between a
 * nil and an empty labelSelector: kubelab cannot tell them apart and
 * takes both as {} (upstream counts no pods for either; only the pod's
 * own match differs, which with maxSkew >= 1 changes no verdict, and
 * matchLabelKeys merge into {} as upstream does).
 *
 * Interface: sched_topology_spread_plugin (with its Score half).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_topology_spread.h"
#include "sched_queueing_hints.h"
#include "xmalloc.h"

#define REASON_CONSTRAINTS_NOT_MATCH "node(s) didn't match pod topology spread constraints"
#define REASON_NODE_LABEL_NOT_MATCH REASON_CONSTRAINTS_NOT_MATCH " (missing required label)"

/* ---- nodes and domains --------------------------------------------------- */

bool spread_node_has_keys(const struct sched_node_info *node,
			  const struct spread_constraints *c)
{
	for (size_t i = 0; i < c->len; i++)
		if (sched_node_topology(node, c->items[i].key) == SCHED_TOPOLOGY_ABSENT)
			return false;
	return true;
}

bool spread_node_included(const struct spread_constraint *c, const struct pod *pod,
			  const struct sched_node_info *node)
{
	if (c->honor_node_affinity && !sched_node_affinity_matches(pod, node))
		return false;
	if (c->honor_node_taints) {
		/* K8S: FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc */
		const struct node_spec *spec = &node->node->spec;
		for (size_t i = 0; i < spec->taints.len; i++) {
			const struct taint *t = &spec->taints.items[i];
			const char *effect = t->effect ? t->effect : "";
			if ((!strcmp(effect, "NoSchedule") || !strcmp(effect, "NoExecute")) &&
			    !sched_tolerations_tolerate(&pod->spec, t))
				return false;
		}
	}
	return true;
}

void spread_counts_reset(struct spread_counts *c, const struct sched_cache *cache,
			 uint32_t key)
{
	c->len = sched_cache_topology_values(cache, key);
	if (c->len > c->cap) {
		free(c->count);
		c->count = xmalloc(c->len * sizeof(*c->count));
		c->cap = c->len;
	}
	for (uint32_t v = 0; v < c->len; v++)
		c->count[v] = -1;
	c->domains = 0;
}

void spread_counts_init(struct spread_counts *c, const struct sched_cache *cache,
			uint32_t key)
{
	memset(c, 0, sizeof(*c));
	spread_counts_reset(c, cache, key);
}

void spread_counts_release(struct spread_counts *c)
{
	free(c->count);
	memset(c, 0, sizeof(*c));
}

static void collect_pod(void *arg, const struct sched_pod_info *p)
{
	struct spread_pods *c = arg;
	if (p->pod->obj.meta.deletion_timestamp)	/* K8S: #87621 */
		return;
	xgrow((void **)&c->items, &c->cap, c->len + 1, sizeof(*c->items));
	c->items[c->len++] = p;
}

void spread_matching_pods(const struct sched_cache *cache, const char *namespace,
			  const struct selector *sel, struct spread_pods *out)
{
	out->len = 0;
	if (!selector_is_empty(sel))	/* upstream counts none for {} */
		sched_cache_visit_matching(cache, namespace, sel, collect_pod, out);
}

void spread_pods_release(struct spread_pods *pods)
{
	free(pods->items);
	memset(pods, 0, sizeof(*pods));
}

/* ---- PreFilter and Filter ------------------------------------------------ */

/* K8S: preFilterState: per constraint, the eligible domains with their
 * counts and the smallest count (the critical path's first entry). What
 * Filter reads per node sits together in struct filter_constraint, away
 * from the constraint's compiled selector. */
struct filter_constraint {
	uint32_t key;			/* the constraint's topology key */
	int32_t max_skew;
	int32_t min_domains;
	int64_t min;
	int64_t self;			/* 1 when the pod matches its own selector */
	struct spread_counts counts;
};

struct filter_state {
	struct spread_constraints constraints;
	struct filter_constraint *per;	/* constraints.len entries */
};

static void filter_state_free(void *data)
{
	struct filter_state *s = data;
	for (size_t i = 0; i < s->constraints.len; i++)
		spread_counts_release(&s->per[i].counts);
	spread_constraints_release(&s->constraints);
	free(s->per);
	free(s);
}

/* The node counts for constraint i: it has every key and passes the
 * inclusion policies. K8S: the per-node part of calPreFilterState. */
static bool filter_node_counts(const struct filter_state *s, size_t i,
			       const struct pod *pod, const struct sched_node_info *node)
{
	return node->node && node->listed && spread_node_has_keys(node, &s->constraints) &&
	       spread_node_included(&s->constraints.items[i], pod, node);
}

/* LAB: sched-spread-prefilter. K8S: calPreFilterState. */
static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)status;
	struct filter_state *s = xcalloc(1, sizeof(*s));
	spread_constraints_build(state, pod, "DoNotSchedule", &s->constraints);
	if (!s->constraints.len) {
		filter_state_free(s);
		return SCHED_SKIP;
	}
	size_t n_constraints = s->constraints.len, n_nodes;
	s->per = xcalloc(n_constraints, sizeof(*s->per));
	for (size_t i = 0; i < n_constraints; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		s->per[i].key = c->key;
		s->per[i].max_skew = c->max_skew;
		s->per[i].min_domains = c->min_domains;
		spread_counts_init(&s->per[i].counts, state->cache, c->key);
		s->per[i].self = selector_matches(&c->selector, &pod->obj.meta.labels);
	}
	struct sched_node_info *const *nodes = sched_cache_list(state->cache, &n_nodes);
	/* Every eligible node's domain exists, even with no pod in it: an
	 * empty zone is what makes the others "too full". Otherwise this
	 * walks every node: without inclusion policies to apply it only
	 * reads each node's topology ids. */
	bool policies = false, all_keyed = true;
	for (size_t i = 0; i < n_constraints; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		policies |= c->honor_node_affinity || c->honor_node_taints;
		all_keyed &= sched_cache_topology_listed(state->cache, c->key,
							 SCHED_TOPOLOGY_ABSENT) == 0;
	}
	/* With no policy, and every node having every key, the domains are
	 * the values some listed node has: the cache counts those, O(values)
	 * instead of a walk over the nodes. */
	for (size_t i = 0; !policies && all_keyed && i < n_constraints; i++)
		for (uint32_t v = SCHED_TOPOLOGY_EMPTY; v < s->per[i].counts.len; v++)
			if (sched_cache_topology_listed(state->cache, s->constraints.items[i].key, v))
				spread_counts_add_domain(&s->per[i].counts, v);
	for (size_t n = 0; n < n_nodes && (policies || !all_keyed); n++) {
		if (!policies) {	/* the list holds listed, live nodes only */
			if (!spread_node_has_keys(nodes[n], &s->constraints))
				continue;
			for (size_t i = 0; i < n_constraints; i++)
				spread_counts_add_domain(&s->per[i].counts,
					sched_node_topology(nodes[n], s->constraints.items[i].key));
			continue;
		}
		for (size_t i = 0; i < n_constraints; i++)
			if (filter_node_counts(s, i, pod, nodes[n]))
				spread_counts_add_domain(&s->per[i].counts,
					sched_node_topology(nodes[n], s->constraints.items[i].key));
	}
	for (size_t i = 0; i < n_constraints; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		struct spread_pods pods = { 0 };
		spread_matching_pods(state->cache, pod->obj.meta.namespace, &c->selector,
				     &pods);
		for (size_t k = 0; k < pods.len; k++) {
			const struct sched_node_info *node = pods.items[k]->node;
			if (filter_node_counts(s, i, pod, node))
				s->per[i].counts.count[sched_node_topology(node, c->key)]++;
		}
		spread_pods_release(&pods);
		/* K8S: criticalPaths[0]: MaxInt32 when there is no domain. */
		s->per[i].min = INT32_MAX;
		for (uint32_t v = 0; v < s->per[i].counts.len; v++)
			if (s->per[i].counts.count[v] >= 0 && s->per[i].counts.count[v] < s->per[i].min)
				s->per[i].min = s->per[i].counts.count[v];
	}
	sched_state_write(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD, s, filter_state_free);
	return SCHED_SUCCESS;
}

/* How many of the node's booked pods match constraint c (terminating
 * ones and other namespaces left out). O(pods on the node). */
static int64_t matching_on(const struct sched_node_info *node,
			   const struct spread_constraint *c, const char *namespace)
{
	int64_t n = 0;
	if (selector_is_empty(&c->selector))
		return 0;
	for (size_t k = 0; k < node->pods_len; k++) {
		const struct pod *p = node->pods[k]->pod;
		n += !p->obj.meta.deletion_timestamp &&
		     !strcmp(p->obj.meta.namespace ? p->obj.meta.namespace : "", namespace) &&
		     selector_matches(&c->selector, &p->obj.meta.labels);
	}
	return n;
}

/* K8S: PreFilterExtensions AddPod / RemovePod (updateWithPod).
 * Preemption's dry run and the nominated pods' pass run Filter on a
 * scratch copy of a node with pods removed or added (sched_nodeinfo.h).
 * The counts from PreFilter describe the real node, so the copy's domain
 * count moves by the difference in matching pods, and the global minimum
 * is recomputed with it. *match and *min are in/out. */
static void what_if(const struct filter_state *s, size_t i, const struct pod *pod,
		    const struct sched_node_info *real, const struct sched_node_info *copy,
		    uint32_t value, int64_t *match, int64_t *min)
{
	const struct spread_constraint *c = &s->constraints.items[i];
	const char *ns = pod->obj.meta.namespace ? pod->obj.meta.namespace : "";
	if (!copy->node || !spread_node_has_keys(copy, &s->constraints) ||
	    !spread_node_included(c, pod, copy))
		return;		/* upstream's updateWithPod ignores such nodes */
	int64_t delta = matching_on(copy, c, ns) - (real ? matching_on(real, c, ns) : 0);
	if (delta == 0)
		return;
	*match += delta;
	int64_t m = *match;	/* this domain, changed; the others as counted */
	for (uint32_t v = 0; v < s->per[i].counts.len; v++)
		if (v != value && s->per[i].counts.count[v] >= 0 && s->per[i].counts.count[v] < m)
			m = s->per[i].counts.count[v];
	*min = m;
}

/* The pods constraint c counted in the node's domain: 0 for a domain
 * that is not eligible. */
static int64_t domain_count(const struct filter_constraint *c, uint32_t value)
{
	int64_t match = spread_counts_get(&c->counts, value);
	return match < 0 ? 0 : match;
}

/* One constraint's verdict on a node in domain value holding match
 * pods, min being the smallest count of the eligible domains: a node
 * without the key is out for good (UnschedulableAndUnresolvable), one
 * that would make the skew too big is out for now (Unschedulable). */
static inline enum sched_code constraint_verdict(const struct filter_constraint *c,
						 uint32_t value, int64_t match, int64_t min)
{
	if (value == SCHED_TOPOLOGY_ABSENT)
		return SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
	/* K8S: minMatchNum: too few domains make the global minimum 0. */
	if ((int64_t)c->counts.domains < c->min_domains)
		min = 0;
	/* LAB: sched-spread-skew-rule */
	if (match + c->self - min > c->max_skew)
		return SCHED_UNSCHEDULABLE;
	return SCHED_SUCCESS;
}

/* The reason of constraint_verdict's rejection. */
static enum sched_code reject(struct sched_status *status, enum sched_code code)
{
	return sched_status_add(status, code, code == SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
					      ? REASON_NODE_LABEL_NOT_MATCH
					      : REASON_CONSTRAINTS_NOT_MATCH);
}

/* Filter on a what-if copy: compared with the cache's record it copies
 * (what_if). Out of line (noinline), so that Filter's walk over the
 * cache's own nodes stays a leaf with few registers. */
static __attribute__((noinline)) enum sched_code
filter_what_if(const struct filter_state *s, const struct pod *pod,
	       const struct sched_node_info *copy, struct sched_status *status)
{
	for (size_t i = 0; i < s->constraints.len; i++) {
		const struct filter_constraint *c = &s->per[i];
		uint32_t value = sched_node_topology(copy, c->key);
		int64_t match = domain_count(c, value), min = c->min;
		if (value != SCHED_TOPOLOGY_ABSENT)
			what_if(s, i, pod, copy->scratch_of, copy, value, &match, &min);
		enum sched_code code = constraint_verdict(c, value, match, min);
		if (code != SCHED_SUCCESS)
			return reject(status, code);
	}
	return SCHED_SUCCESS;
}

/* LAB: sched-spread-skew. K8S: Filter. */
static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	const struct filter_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	if (node->scratch_of)
		return filter_what_if(s, pod, node, status);
	for (size_t i = 0; i < s->constraints.len; i++) {
		const struct filter_constraint *c = &s->per[i];
		uint32_t value = sched_node_topology(node, c->key);
		enum sched_code code = constraint_verdict(c, value, domain_count(c, value), c->min);
		if (code != SCHED_SUCCESS)
			return reject(status, code);
	}
	return SCHED_SUCCESS;
}

/* ---- queueing hints ------------------------------------------------------ */

/* K8S: getConstraints: the pod's DoNotSchedule constraints, or the
 * default ones. Hints have no cycle: a bare state gives the default
 * pluginConfig (a profile's own default constraints are not seen here). */
static void hint_constraints(const struct sched_hint_input *in,
			     struct spread_constraints *out)
{
	struct sched_state state;
	sched_state_init(&state, in->pod, in->cache);
	spread_constraints_build(&state, in->pod, "DoNotSchedule", out);
	sched_state_release(&state);
}

/* K8S: involvedInTopologySpreading: the pod itself, or a bound pod of its
 * namespace. */
static bool involved(const struct pod *other, const struct pod *pod)
{
	return !strcmp(other->obj.meta.uid, pod->obj.meta.uid) ||
	       (other->spec.node_name && *other->spec.node_name &&
		!strcmp(other->obj.meta.namespace, pod->obj.meta.namespace));
}

static bool labels_match_any(const struct spread_constraints *c, const struct strmap *labels)
{
	for (size_t i = 0; i < c->len; i++)
		if (selector_matches(&c->items[i].selector, labels))
			return true;
	return false;
}

/* K8S: PodTopologySpread.isSchedulableAfterPodChange: a bound pod of the
 * namespace added or deleted with labels a constraint counts, or
 * relabelled so that a constraint counts it differently. */
static enum sched_hint after_pod_change(const struct sched_hint_input *in)
{
	const struct pod *old = sched_hint_old_pod(in), *pod = sched_hint_new_pod(in);
	if ((pod && !involved(pod, in->pod)) || (old && !involved(old, in->pod)))
		return SCHED_HINT_SKIP;
	struct spread_constraints c;
	hint_constraints(in, &c);
	bool queue = false;
	if (old && pod) {
		for (size_t i = 0; i < c.len && !queue; i++)
			queue = selector_matches(&c.items[i].selector, &old->obj.meta.labels) !=
				selector_matches(&c.items[i].selector, &pod->obj.meta.labels);
	} else {
		queue = labels_match_any(&c, &(pod ? pod : old)->obj.meta.labels);
	}
	spread_constraints_release(&c);
	return queue ? SCHED_HINT_QUEUE : SCHED_HINT_SKIP;
}

/* K8S: nodeLabelsMatchSpreadConstraints: the node has every topology key. */
static bool node_has_keys(const struct spread_constraints *c, const struct node *node)
{
	for (size_t i = 0; i < c->len; i++)
		if (!strmap_get(&node->obj.meta.labels, c->items[i].topology_key))
			return false;
	return true;
}

static bool keys_changed(const struct spread_constraints *c, const struct node *old,
			 const struct node *node)
{
	for (size_t i = 0; i < c->len; i++) {
		const char *a = strmap_get(&old->obj.meta.labels, c->items[i].topology_key);
		const char *b = strmap_get(&node->obj.meta.labels, c->items[i].topology_key);
		if (strcmp(a ? a : "", b ? b : ""))
			return true;
	}
	return false;
}

static bool taints_differ(const struct node *old, const struct node *node)
{
	if (old->spec.taints.len != node->spec.taints.len)
		return true;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *a = &old->spec.taints.items[i], *b = &node->spec.taints.items[i];
		if (strcmp(a->key ? a->key : "", b->key ? b->key : "") ||
		    strcmp(a->value ? a->value : "", b->value ? b->value : "") ||
		    strcmp(a->effect ? a->effect : "", b->effect ? b->effect : ""))
			return true;
	}
	return false;
}

/* K8S: PodTopologySpread.isSchedulableAfterNodeChange: a node with every
 * topology key added or deleted; a node that gained or lost a key, or
 * whose key values or taints changed while it has them all. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *old = sched_hint_old_node(in), *node = sched_hint_new_node(in);
	struct spread_constraints c;
	hint_constraints(in, &c);
	bool was = old && node_has_keys(&c, old), is = node && node_has_keys(&c, node);
	bool queue;
	if (old && node)
		queue = was != is || (is && (keys_changed(&c, old, node) ||
					     taints_differ(old, node)));
	else
		queue = node ? is : was;
	spread_constraints_release(&c);
	return queue ? SCHED_HINT_QUEUE : SCHED_HINT_SKIP;
}

/* K8S: PodTopologySpread.EventsToRegister */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_POD,
	    SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_POD_LABEL | SCHED_ACTION_DELETE, NULL },
	  after_pod_change },
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_DELETE |
	    SCHED_ACTION_UPDATE_NODE_LABEL | SCHED_ACTION_UPDATE_NODE_TAINT, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_topology_spread_plugin = {
	.id = SCHED_PLUGIN_POD_TOPOLOGY_SPREAD,
	.name = "PodTopologySpread",
	.default_weight = 2,
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = sched_topology_spread_pre_score,
	.score = sched_topology_spread_score,
	.normalize_score = sched_topology_spread_normalize,
	.events_to_register = events,
};
