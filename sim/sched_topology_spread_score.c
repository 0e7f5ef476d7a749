/* sched_topology_spread_score.c - the PodTopologySpread plugin: Score.
 *
 * K8S: pkg/scheduler/framework/plugins/podtopologyspread/scoring.go.
 *
 * whenUnsatisfiable: ScheduleAnyway constraints -- and the default ones
 * every Deployment pod gets (sched_topology_spread.c) -- do not reject
 * nodes; they prefer the nodes whose domains hold fewer matching pods:
 *
 *   raw(node) = round( sum over constraints of
 *                      count(node's domain) * log(domains + 2) + maxSkew - 1 )
 *
 * The log weight keeps a key with many small domains (hostname: one per
 * node) from being drowned by one with few big ones (zone), so a pod is
 * pushed both to a quiet zone and to a quiet node in it. maxSkew - 1
 * adds a constant that flattens the differences: a larger maxSkew
 * tolerates more imbalance. Then, since fewer is better:
 *
 *   score = 100 * (max + min - raw) / max   (integer division)
 *
 * with max and min over the nodes scored (100 for all when max is 0).
 *
 * Which nodes and domains: the domains are the values of the nodes that
 * passed Filter; counts come from the pods on every node in those domains
 * (that match the pod's node affinity, by the default nodeAffinityPolicy).
 * With the pod's own constraints (or a List of defaults), a feasible node
 * missing a topology key is "ignored": it scores 0 after normalization.
 * With the System defaults, no node is ignored (a node without a zone
 * still spreads by hostname), and a missing zone counts as the domain ""
 * -- which is how upstream sizes the weight, quirk included. For the
 * hostname key the count is simply the node's own matching pods.
 *
 * Costs: O(feasible nodes) for the domains, O(matching pods) for the
 * counts (the cache's label index), and per node scored a few array reads
 * (the cache's topology value ids) and, for hostname, a binary search.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched_topology_spread.h"
#include "xmalloc.h"

/* K8S: preScoreState */
struct score_state {
	struct spread_constraints constraints;
	bool require_all;		/* K8S: requireAllTopologies */
	struct spread_counts *counts;	/* per constraint; unused for hostname */
	double *weight;			/* K8S: TopologyNormalizingWeight */
	/* per hostname constraint: the nodes of the matching pods, sorted,
	 * one entry per pod */
	const struct sched_node_info ***host_nodes;
	size_t *host_len;
	bool *ignored;			/* by position in PreScore's node list */
	size_t nodes_len;
};

static void score_state_free(void *data)
{
	struct score_state *s = data;
	for (size_t i = 0; i < s->constraints.len; i++) {
		spread_counts_release(&s->counts[i]);
		free(s->host_nodes[i]);
	}
	spread_constraints_release(&s->constraints);
	free(s->counts);
	free(s->weight);
	free(s->host_nodes);
	free(s->host_len);
	free(s->ignored);
	free(s);
}

static bool is_hostname(const struct spread_constraint *c)
{
	return !strcmp(c->topology_key, SPREAD_LABEL_HOSTNAME);
}

/* A node without the label is in the domain "" here, as upstream's
 * map lookup gives "" for a missing key. */
static uint32_t value_or_empty(const struct sched_node_info *node, uint32_t key)
{
	uint32_t v = sched_node_topology(node, key);
	return v == SCHED_TOPOLOGY_ABSENT ? SCHED_TOPOLOGY_EMPTY : v;
}

/* K8S: topologyNormalizingWeight */
static double normalizing_weight(size_t size)
{
	return log((double)size + 2);
}

static int compare_nodes(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const struct sched_node_info *const *)a;
	uintptr_t y = (uintptr_t)*(const struct sched_node_info *const *)b;
	return x < y ? -1 : x > y;
}

/* How many entries of the sorted nodes[] are node: the pods on it. Only
 * equality is asked of the pointers, so their order changes no result. */
static int64_t count_on(const struct sched_node_info *const *nodes, size_t len,
			const struct sched_node_info *node)
{
	size_t lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)nodes[mid] < (uintptr_t)node)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < len && nodes[end] == node)
		end++;
	return (int64_t)(end - lo);
}

/* Counts constraint i's matching pods into its domains (or, for hostname,
 * lists their nodes). K8S: PreScore's processAllNode. */
static void count_pods(struct score_state *s, size_t i, const struct pod *pod,
		       const struct sched_pod_info *const *pods, size_t len)
{
	const struct spread_constraint *c = &s->constraints.items[i];
	if (is_hostname(c)) {
		/* K8S: Score counts the node's own pods, no policy applied. */
		const struct sched_node_info **nodes = xcalloc(len + 1, sizeof(*nodes));
		for (size_t k = 0; k < len; k++)
			nodes[k] = pods[k]->node;
		qsort(nodes, len, sizeof(*nodes), compare_nodes);
		s->host_nodes[i] = nodes;
		s->host_len[i] = len;
		return;
	}
	struct spread_counts *counts = &s->counts[i];
	for (size_t k = 0; k < len; k++) {
		const struct sched_node_info *node = pods[k]->node;
		if (!node->node || !node->listed)
			continue;	/* not in the snapshot's node list */
		if (s->require_all && !spread_node_has_keys(node, &s->constraints))
			continue;
		uint32_t value = value_or_empty(node, c->key);
		/* Only domains of feasible nodes are counted. */
		if (spread_counts_get(counts, value) < 0 || !spread_node_included(c, pod, node))
			continue;
		counts->count[value]++;
	}
}

/* LAB: sched-spread-prescore. K8S: PreScore + initPreScoreState. */
enum sched_code sched_topology_spread_pre_score(struct sched_state *state,
						const struct pod *pod,
						struct sched_node_info *const *nodes,
						size_t len)
{
	size_t all;
	sched_cache_list(state->cache, &all);
	if (all == 0)
		return SCHED_SKIP;
	struct score_state *s = xcalloc(1, sizeof(*s));
	spread_constraints_build(state, pod, "ScheduleAnyway", &s->constraints);
	if (!s->constraints.len) {
		score_state_free(s);
		return SCHED_SKIP;
	}
	/* Only the System defaults let nodes without a zone take part. */
	s->require_all = pod->spec.topology_spread_constraints.len > 0 ||
			 !spread_system_defaulted(state);
	size_t n = s->constraints.len;
	s->counts = xcalloc(n, sizeof(*s->counts));
	s->weight = xcalloc(n, sizeof(*s->weight));
	s->host_nodes = xcalloc(n, sizeof(*s->host_nodes));
	s->host_len = xcalloc(n, sizeof(*s->host_len));
	s->ignored = xcalloc(len ? len : 1, sizeof(*s->ignored));
	s->nodes_len = len;
	for (size_t i = 0; i < n; i++)
		if (!is_hostname(&s->constraints.items[i]))
			spread_counts_init(&s->counts[i], state->cache,
					   s->constraints.items[i].key);
	size_t ignored = 0;
	for (size_t k = 0; k < len; k++) {
		if (s->require_all && !spread_node_has_keys(nodes[k], &s->constraints)) {
			s->ignored[k] = true;
			ignored++;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (!is_hostname(&s->constraints.items[i]))
				spread_counts_add_domain(&s->counts[i],
					value_or_empty(nodes[k], s->constraints.items[i].key));
	}
	const struct sched_pod_info **pods = NULL;
	size_t pods_len = 0;
	for (size_t i = 0; i < n; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		size_t size = is_hostname(c) ? len - ignored : s->counts[i].domains;
		s->weight[i] = normalizing_weight(size);
		/* Default constraints share one selector: match it once. */
		if (i == 0 || !s->constraints.defaulted) {
			free(pods);
			spread_matching_pods(state->cache, pod->obj.meta.namespace,
					     &c->selector, &pods, &pods_len);
		}
		count_pods(s, i, pod, pods, pods_len);
	}
	free(pods);
	sched_state_write(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD, s, score_state_free);
	return SCHED_SUCCESS;
}

/* LAB: sched-spread-score. K8S: Score and scoreForCount. */
int64_t sched_topology_spread_score(struct sched_state *state, const struct pod *pod,
				    const struct sched_node_info *node)
{
	(void)pod;
	const struct score_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	if (s->require_all && !spread_node_has_keys(node, &s->constraints))
		return 0;	/* ignored */
	double score = 0;
	for (size_t i = 0; i < s->constraints.len; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		uint32_t value = sched_node_topology(node, c->key);
		if (value == SCHED_TOPOLOGY_ABSENT)
			continue;
		int64_t count;
		if (is_hostname(c)) {
			count = count_on(s->host_nodes[i], s->host_len[i], node);
		} else {
			count = spread_counts_get(&s->counts[i], value);
			BUG_ON(count < 0);	/* every scored node's domain is known */
		}
		score += (double)count * s->weight[i] + (double)(c->max_skew - 1);
	}
	return (int64_t)round(score);	/* K8S: math.Round, half away from 0 */
}

/* LAB: sched-spread-normalize. K8S: NormalizeScore. */
void sched_topology_spread_normalize(struct sched_state *state, const struct pod *pod,
				     int64_t *scores, size_t len)
{
	(void)pod;
	const struct score_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	BUG_ON(len != s->nodes_len);
	int64_t min = INT64_MAX, max = 0;
	for (size_t i = 0; i < len; i++) {
		if (s->ignored[i])
			continue;
		if (scores[i] < min)
			min = scores[i];
		if (scores[i] > max)
			max = scores[i];
	}
	for (size_t i = 0; i < len; i++) {
		if (s->ignored[i])
			scores[i] = 0;
		else if (max == 0)
			scores[i] = SCHED_MAX_NODE_SCORE;
		else
			scores[i] = SCHED_MAX_NODE_SCORE * (max + min - scores[i]) / max;
	}
}
