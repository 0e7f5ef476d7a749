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
 * Costs: PreScore does all the work, O(feasible nodes) for the domains
 * and the raw scores (a few array reads per node: the cache's topology
 * value ids, each domain's precomputed term, a bit test -- and only for
 * the few nodes it flags a hash probe -- for hostname; with the System
 * defaults a node without matching pods takes its zone's precomputed
 * score) plus O(matching pods) for the counts (the cache's label index);
 * Score only reads its answer. Upstream computes the same numbers in
 * Score.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched_topology_spread.h"
#include "xmalloc.h"

/* How many matching pods each node holds, for a hostname constraint: a
 * small open-addressing table keyed by node. Most scored nodes hold none
 * of them and are answered by the first, empty slot. Pointers are only
 * compared, never ordered or iterated, so addresses decide nothing. */
struct host_counts {
	const struct sched_node_info **nodes;
	int64_t *counts;
	size_t used;			/* slots taken */
	size_t mask;
	unsigned shift;			/* 64 - log2(slots) */
	/* One bit per 4096th of the hash range, set for each node in the
	 * table: a node whose bit is clear holds no matching pod, decided
	 * without probing (a probe's variable length costs a mispredicted
	 * branch on about every other node). */
	uint64_t seen[64];
};

/* K8S: preScoreState */
struct score_state {
	struct spread_constraints constraints;
	bool require_all;		/* K8S: requireAllTopologies */
	struct spread_counts *counts;	/* per constraint; unused for hostname */
	double *weight;			/* K8S: TopologyNormalizingWeight */
	double **term;			/* per constraint and domain: its part of
					 * the raw score; unused for hostname */
	struct host_counts *hosts;	/* per constraint; hostname only */
	/* By position in PreScore's node list: Score's answers, computed
	 * there in one pass over compact arrays rather than per call. */
	struct sched_node_info *const *nodes;	/* borrowed for the cycle */
	size_t nodes_len;
	bool *ignored;
	int64_t *raw;
};

static void score_state_free(void *data)
{
	struct score_state *s = data;
	for (size_t i = 0; i < s->constraints.len; i++) {
		spread_counts_release(&s->counts[i]);
		free(s->hosts[i].nodes);
		free(s->hosts[i].counts);
		if (s->term)
			free(s->term[i]);
	}
	spread_constraints_release(&s->constraints);	/* len is 0 from here */
	free(s->counts);
	free(s->term);
	free(s->weight);
	free(s->hosts);
	free(s->ignored);
	free(s->raw);
	free(s);
}

static bool is_hostname(const struct spread_constraint *c)
{
	return c->hostname;
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

/* Fibonacci hashing: the product's top bits mix every address bit (its
 * low bits would only see the low bits of the address). */
static uint64_t host_hash(const struct sched_node_info *node)
{
	return (uint64_t)(uintptr_t)node * 0x9e3779b97f4a7c15ull;
}

static bool host_maybe(const struct host_counts *h, uint64_t hash)
{
	return (h->seen[hash >> 58] >> ((hash >> 52) & 63)) & 1;
}

static size_t host_slot(const struct host_counts *h, const struct sched_node_info *node)
{
	size_t i = (size_t)(host_hash(node) >> h->shift);
	while (h->nodes[i] && h->nodes[i] != node)
		i = (i + 1) & h->mask;
	return i;
}

static void host_counts_build(struct host_counts *h, const struct sched_pod_info *const *pods,
			      size_t len)
{
	size_t cap = 8;
	unsigned bits = 3;
	while (cap < 2 * len) {
		cap *= 2;
		bits++;
	}
	h->nodes = xcalloc(cap, sizeof(*h->nodes));
	h->counts = xcalloc(cap, sizeof(*h->counts));
	h->mask = cap - 1;
	h->shift = 64 - bits;
	for (size_t k = 0; k < len; k++) {
		size_t i = host_slot(h, pods[k]->node);
		h->used += !h->nodes[i];
		h->nodes[i] = pods[k]->node;
		h->counts[i]++;
		uint64_t hash = host_hash(pods[k]->node);
		h->seen[hash >> 58] |= 1ull << ((hash >> 52) & 63);
	}
}

static int64_t host_count(const struct host_counts *h, const struct sched_node_info *node)
{
	if (!host_maybe(h, host_hash(node)))
		return 0;
	size_t i = host_slot(h, node);
	return h->nodes[i] ? h->counts[i] : 0;
}

/* Counts constraint i's matching pods into its domains (or, for hostname,
 * lists their nodes). K8S: PreScore's processAllNode. */
static void count_pods(struct score_state *s, size_t i, const struct pod *pod,
		       const struct sched_pod_info *const *pods, size_t len)
{
	const struct spread_constraint *c = &s->constraints.items[i];
	if (is_hostname(c)) {
		/* K8S: Score counts the node's own pods, no policy applied. */
		host_counts_build(&s->hosts[i], pods, len);
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

/* K8S: math.Round for x >= 0, half away from zero, without a libm call
 * per node: x - trunc(x) is exact below 2^52. */
static int64_t round_half_up(double x)
{
	int64_t t = (int64_t)x;
	return x - (double)t >= 0.5 ? t + 1 : t;
}

/* K8S: Score and scoreForCount for one node whose value id per key is
 * values[] (SCHED_TOPOLOGY_ABSENT: no such label, the constraint adds
 * nothing). node NULL: as if no matching pod ran on the node (hostname
 * constraints count 0). */
static int64_t score_node(const struct score_state *s, const struct sched_node_info *node,
			  const uint32_t *values)
{
	double score = 0;
	for (size_t i = 0; i < s->constraints.len; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		if (values[i] == SCHED_TOPOLOGY_ABSENT)
			continue;
		if (is_hostname(c))
			score += (double)(node ? host_count(&s->hosts[i], node) : 0) * s->weight[i] +
				 (double)(c->max_skew - 1);
		else
			score += s->term[i][values[i]];
	}
	return round_half_up(score);
}

/* The System defaults' shape -- hostname first, then one other key (zone)
 * -- scores a node that has a hostname and none of the matching pods by
 * its zone alone: most scored nodes. quiet[v] is that score for zone value
 * id v (ABSENT included), computed by score_node itself so that the
 * floating-point sums are the very same. NULL for other shapes. */
static int64_t *quiet_scores(const struct score_state *s)
{
	if (s->constraints.len != 2 || !is_hostname(&s->constraints.items[0]) ||
	    is_hostname(&s->constraints.items[1]))
		return NULL;
	uint32_t len = s->counts[1].len;
	int64_t *quiet = xcalloc(len ? len : 1, sizeof(*quiet));
	for (uint32_t v = 0; v < len; v++) {
		uint32_t values[2] = { SCHED_TOPOLOGY_EMPTY, v };	/* any hostname */
		quiet[v] = score_node(s, NULL, values);
	}
	return quiet;
}

/* Whether node holds matching pods for a hostname constraint i. */
static bool host_busy(const struct score_state *s, size_t i, const struct sched_node_info *node)
{
	const struct host_counts *h = &s->hosts[i];
	return h->used && host_maybe(h, host_hash(node)) && h->nodes[host_slot(h, node)];
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
	s->hosts = xcalloc(n, sizeof(*s->hosts));
	s->ignored = xcalloc(len ? len : 1, sizeof(*s->ignored));
	s->nodes_len = len;
	for (size_t i = 0; i < n; i++)
		if (!is_hostname(&s->constraints.items[i]))
			spread_counts_init(&s->counts[i], state->cache,
					   s->constraints.items[i].key);
	size_t ignored = 0;
	/* Pass 1: each node's value id per key (SCHED_TOPOLOGY_ABSENT when it
	 * has no such label), and the domains of the feasible nodes. */
	uint32_t *values = xcalloc(len * n + 1, sizeof(*values));	/* [k * n + i] */
	for (size_t k = 0; k < len; k++) {
		if (s->require_all && !spread_node_has_keys(nodes[k], &s->constraints)) {
			s->ignored[k] = true;
			ignored++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t v = sched_node_topology(nodes[k], s->constraints.items[i].key);
			values[k * n + i] = v;
			/* A missing label still makes the domain "" (upstream
			 * sizes the weight with it), but scores nothing. */
			if (!is_hostname(&s->constraints.items[i]))
				spread_counts_add_domain(&s->counts[i], v ? v : SCHED_TOPOLOGY_EMPTY);
		}
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
	/* Each domain's part of the raw score, once per domain rather than
	 * once per node: count x weight + maxSkew - 1 (K8S: scoreForCount). */
	s->term = xcalloc(n, sizeof(*s->term));
	for (size_t i = 0; i < n; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		if (is_hostname(c))
			continue;
		s->term[i] = xcalloc(s->counts[i].len, sizeof(*s->term[i]));
		for (uint32_t v = 0; v < s->counts[i].len; v++)
			s->term[i][v] = (double)s->counts[i].count[v] * s->weight[i] +
					(double)(c->max_skew - 1);
	}
	/* Pass 2: the raw scores. */
	s->nodes = nodes;
	s->raw = xcalloc(len + 1, sizeof(*s->raw));
	int64_t *quiet = quiet_scores(s);
	for (size_t k = 0; k < len; k++) {
		if (s->ignored[k])
			continue;
		const uint32_t *v = &values[k * n];
		if (quiet && v[0] != SCHED_TOPOLOGY_ABSENT && !host_busy(s, 0, nodes[k]))
			s->raw[k] = quiet[v[1]];
		else
			s->raw[k] = score_node(s, nodes[k], v);
	}
	free(quiet);
	free(values);
	sched_state_write(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD, s, score_state_free);
	return SCHED_SUCCESS;
}

/* LAB: sched-spread-score. K8S: Score: computed by PreScore (an ignored
 * node scores 0), read here. */
int64_t sched_topology_spread_score(struct sched_state *state, const struct pod *pod,
				    const struct sched_node_info *node)
{
	(void)pod;
	const struct score_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	/* Score's calls come in list order, so the search starts where the
	 * last one ended and wraps. The hint is per thread: Score may run on
	 * several (sched_parallel.h), each over increasing runs of the list,
	 * and must not write shared state. */
	static _Thread_local size_t cursor;
	size_t k = cursor < s->nodes_len ? cursor : 0;
	for (size_t tried = 0; s->nodes[k] != node; tried++) {
		BUG_ON(tried == s->nodes_len);	/* Score sees PreScore's nodes only */
		k = k + 1 == s->nodes_len ? 0 : k + 1;
	}
	cursor = k + 1;
	return s->raw[k];
}

/* LAB: sched-spread-normalize. K8S: NormalizeScore:
 * 100 * (max + min - raw) / max, fewer pods being better. */
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
	/* Raw scores span a few values: divide once per value, not per node
	 * (a division costs as much as the rest of the loop). */
	int64_t table[64];
	bool tabled = max > 0 && max - min < 64;
	for (int64_t v = min; tabled && v <= max; v++)
		table[v - min] = SCHED_MAX_NODE_SCORE * (max + min - v) / max;
	for (size_t i = 0; i < len; i++) {
		if (s->ignored[i])
			scores[i] = 0;
		else if (max == 0)
			scores[i] = SCHED_MAX_NODE_SCORE;
		else if (tabled)
			scores[i] = table[scores[i] - min];
		else
			scores[i] = SCHED_MAX_NODE_SCORE * (max + min - scores[i]) / max;
	}
}
