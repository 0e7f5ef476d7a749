/* sched_topology_spread_score.c - the PodTopologySpread plugin: Score.
 *
 * K8S: pkg/scheduler/framework/plugins/podtopologyspread/scoring.go.
 *
 * whenUnsatisfiable: ScheduleAnyway constraints -- and the default ones
 * every Deployment pod gets (sched_topology_spread_constraints.c) -- do not reject
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
 * Costs: PreScore finds the domains -- with every node of the cluster
 * carrying the keys, it stops as soon as it has met every value that
 * some listed node has, a handful of nodes for zones; else one pass over
 * the feasible nodes -- and counts the matching pods (the cache's label
 * index: O(matching pods)), then computes each domain's part of the raw
 * score once. Score is then a few array reads per node (the node's
 * topology value ids, its domain's part, a bit test -- and, for the few
 * nodes it flags, a hash probe -- for hostname) and writes nothing, so
 * nodes can be scored in parallel. Upstream computes the same numbers in
 * Score. The arrays of a cycle are kept for the next one (spare states
 * below): no allocation per pod once they have grown.
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
	size_t mask;			/* slots - 1 */
	size_t cap;			/* slots allocated (kept between cycles) */
	unsigned shift;			/* 64 - log2(slots) */
	/* One bit per 4096th of the hash range, set for each node in the
	 * table: a node whose bit is clear holds no matching pod, decided
	 * without probing (a probe's variable length costs a mispredicted
	 * branch on about every other node). */
	uint64_t seen[64];
};

/* What PreScore works out for one constraint; the first fields are
 * what Score reads, copied out of the constraint so that they share a
 * cache line. */
struct score_constraint {
	uint32_t key;			/* the constraint's topology key */
	bool hostname;			/* ... is kubernetes.io/hostname */
	double base;			/* maxSkew - 1 */
	struct spread_counts counts;	/* unused for hostname */
	double weight;			/* K8S: TopologyNormalizingWeight */
	double *term;			/* by domain: its part of the raw score;
					 * unused for hostname */
	uint32_t term_cap;
	struct host_counts hosts;	/* hostname only */
};

/* K8S: preScoreState. Its arrays keep their size from cycle to cycle
 * (see spares below); len and the like say how much is in use. */
struct score_state {
	/* With the System defaults' shape -- hostname first, then one other
	 * key (zone) -- most nodes hold none of the matching pods, and their
	 * raw score depends on their zone alone: quiet[v] is that score for
	 * zone value id v (ABSENT included), used when quiet_shape. First in
	 * the state, with the keys and the hostname table's bits copied
	 * next to it: Score reads only these for most nodes. */
	bool quiet_shape;
	uint32_t quiet_host_key, quiet_zone_key;
	const uint64_t *quiet_seen;	/* per[0].hosts.seen */
	int64_t *quiet;
	size_t quiet_cap;
	struct spread_constraints constraints;
	bool require_all;		/* K8S: requireAllTopologies */
	struct score_constraint *per;	/* constraints.len in use */
	size_t per_cap;
	/* K8S: IgnoredNodes, by position in PreScore's node list; only
	 * filled when some_ignored. Read by NormalizeScore. */
	bool *ignored;
	size_t ignored_cap;
	bool some_ignored;
	size_t nodes_len;
	struct spread_pods pods;	/* the matching pods, scratch */
};

static void score_state_destroy(struct score_state *s)
{
	for (size_t i = 0; i < s->per_cap; i++) {
		spread_counts_release(&s->per[i].counts);
		free(s->per[i].term);
		free(s->per[i].hosts.nodes);
		free(s->per[i].hosts.counts);
	}
	spread_constraints_release(&s->constraints);
	spread_pods_release(&s->pods);
	free(s->per);
	free(s->ignored);
	free(s->quiet);
	free(s);
}

/* Spare states: a cycle's state is released when its binding is done,
 * and the next cycle takes it back with its arrays grown, instead of
 * allocating and freeing a dozen arrays per pod (malloc showed in the
 * profile). Several cycles' states may be alive at once (bindings still
 * in flight): each takes a spare or a new one, and at most SPARES are
 * kept. Only PreScore and the release take and give, on the scheduler's
 * thread. */
#define SPARES 4
static struct score_state *spares[SPARES];
static size_t spares_len;

static struct score_state *score_state_take(void)
{
	if (spares_len)
		return spares[--spares_len];
	return xcalloc(1, sizeof(struct score_state));
}

static void score_state_free(void *data)
{
	struct score_state *s = data;
	spread_constraints_release(&s->constraints);
	if (spares_len == SPARES) {
		score_state_destroy(s);
		return;
	}
	spares[spares_len++] = s;
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

/* Whether a node of that hash may be in the table (seen: its bits). */
static bool host_maybe_in(const uint64_t *seen, uint64_t hash)
{
	return (seen[hash >> 58] >> ((hash >> 52) & 63)) & 1;
}

static bool host_maybe(const struct host_counts *h, uint64_t hash)
{
	return host_maybe_in(h->seen, hash);
}

static size_t host_slot(const struct host_counts *h, const struct sched_node_info *node)
{
	size_t i = (size_t)(host_hash(node) >> h->shift);
	while (h->nodes[i] && h->nodes[i] != node)
		i = (i + 1) & h->mask;
	return i;
}

static void host_counts_build(struct host_counts *h, const struct spread_pods *pods)
{
	size_t slots = 8;
	unsigned bits = 3;
	while (slots < 2 * pods->len) {
		slots *= 2;
		bits++;
	}
	if (slots > h->cap) {
		free(h->nodes);
		free(h->counts);
		h->nodes = xmalloc(slots * sizeof(*h->nodes));
		h->counts = xmalloc(slots * sizeof(*h->counts));
		h->cap = slots;
	}
	memset(h->nodes, 0, slots * sizeof(*h->nodes));
	memset(h->counts, 0, slots * sizeof(*h->counts));
	memset(h->seen, 0, sizeof(h->seen));
	h->used = 0;
	h->mask = slots - 1;
	h->shift = 64 - bits;
	for (size_t k = 0; k < pods->len; k++) {
		const struct sched_node_info *node = pods->items[k]->node;
		size_t i = host_slot(h, node);
		h->used += !h->nodes[i];
		h->nodes[i] = node;
		h->counts[i]++;
		uint64_t hash = host_hash(node);
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
 * per node). K8S: PreScore's processAllNode. */
static void count_pods(struct score_state *s, size_t i, const struct pod *pod)
{
	const struct spread_constraint *c = &s->constraints.items[i];
	if (is_hostname(c)) {
		/* K8S: Score counts the node's own pods, no policy applied. */
		host_counts_build(&s->per[i].hosts, &s->pods);
		return;
	}
	struct spread_counts *counts = &s->per[i].counts;
	/* Without an inclusion policy every node is included: no call per
	 * pod to say so. */
	const bool policies = c->honor_node_affinity || c->honor_node_taints;
	for (size_t k = 0; k < s->pods.len; k++) {
		const struct sched_node_info *node = s->pods.items[k]->node;
		if (!node->node || !node->listed)
			continue;	/* not in the snapshot's node list */
		if (s->require_all && !spread_node_has_keys(node, &s->constraints))
			continue;
		uint32_t value = value_or_empty(node, c->key);
		/* Only domains of feasible nodes are counted. */
		if (spread_counts_get(counts, value) < 0 ||
		    (policies && !spread_node_included(c, pod, node)))
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

/* Constraint i's part of the raw score of a node in domain value that
 * holds host matching pods (hostname only). K8S: scoreForCount. */
static double score_part(const struct score_state *s, size_t i, uint32_t value, int64_t host)
{
	const struct score_constraint *per = &s->per[i];
	if (per->hostname)
		return (double)host * per->weight + per->base;
	return per->term[value];
}

/* Fills s->quiet when the constraints have the System defaults' shape
 * (see struct score_state): the same sums, in the same order, as Score
 * makes for a node with a hostname and no matching pod. */
static void quiet_scores(struct score_state *s)
{
	s->quiet_shape = s->constraints.len == 2 && s->per[0].hostname && !s->per[1].hostname;
	if (!s->quiet_shape)
		return;
	s->quiet_host_key = s->per[0].key;
	s->quiet_zone_key = s->per[1].key;
	s->quiet_seen = s->per[0].hosts.seen;
	uint32_t len = s->per[1].counts.len;
	if (s->quiet_cap < len) {
		free(s->quiet);
		s->quiet = xmalloc(len * sizeof(*s->quiet));
		s->quiet_cap = len;
	}
	for (uint32_t v = 0; v < len; v++) {
		double score = 0;
		score += score_part(s, 0, SCHED_TOPOLOGY_EMPTY, 0);
		if (v != SCHED_TOPOLOGY_ABSENT)
			score += score_part(s, 1, v, 0);
		else if (s->require_all)
			score = 0;	/* ignored */
		s->quiet[v] = round_half_up(score);
	}
}

/* How many domains key can have at most: the values some listed node
 * has, a node without the label making the domain "" (so "" once). */
static size_t possible_domains(const struct sched_cache *cache, uint32_t key)
{
	uint32_t values = sched_cache_topology_values(cache, key);
	size_t n = sched_cache_topology_listed(cache, key, SCHED_TOPOLOGY_ABSENT) ||
		   sched_cache_topology_listed(cache, key, SCHED_TOPOLOGY_EMPTY);
	for (uint32_t v = SCHED_TOPOLOGY_EMPTY + 1; v < values; v++)
		n += sched_cache_topology_listed(cache, key, v) > 0;
	return n;
}

/* K8S: initPreScoreState's walk over the feasible nodes: which nodes are
 * ignored (with requireAllTopologies, those missing a key) and the
 * domains of the others, for every constraint but hostname (whose
 * domains are the nodes themselves). Returns how many nodes are ignored. */
static size_t find_domains(struct score_state *s, const struct sched_cache *cache,
			   struct sched_node_info *const *nodes, size_t len)
{
	size_t n = s->constraints.len, ignored = 0;
	bool may_ignore = false;
	for (size_t i = 0; s->require_all && i < n; i++)
		may_ignore |= sched_cache_topology_listed(cache, s->constraints.items[i].key,
							  SCHED_TOPOLOGY_ABSENT) > 0;
	if (may_ignore) {
		if (s->ignored_cap < len) {
			free(s->ignored);
			s->ignored = xmalloc(len * sizeof(*s->ignored));
			s->ignored_cap = len;
		}
		for (size_t k = 0; k < len; k++) {
			s->ignored[k] = !spread_node_has_keys(nodes[k], &s->constraints);
			if (s->ignored[k]) {
				ignored++;
				continue;
			}
			for (size_t i = 0; i < n; i++)
				if (!is_hostname(&s->constraints.items[i]))
					spread_counts_add_domain(&s->per[i].counts,
						sched_node_topology(nodes[k], s->constraints.items[i].key));
		}
		s->some_ignored = ignored > 0;
		return ignored;
	}
	/* No node is ignored. The feasible nodes are listed nodes, so once
	 * the walk has met every value some listed node has, the rest can
	 * only repeat them: with zones interleaved in the node list, that is
	 * after a few nodes. A missing label still makes the domain ""
	 * (upstream sizes the weight with it) but scores nothing. */
	for (size_t i = 0; i < n; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		if (is_hostname(c))
			continue;
		struct spread_counts *counts = &s->per[i].counts;
		size_t all = possible_domains(cache, c->key);
		for (size_t k = 0; k < len && counts->domains < all; k++) {
			BUG_ON(!nodes[k]->listed);
			spread_counts_add_domain(counts, value_or_empty(nodes[k], c->key));
		}
	}
	return 0;
}

/* Makes room for n constraints' per-constraint data. */
static void per_reserve(struct score_state *s, size_t n)
{
	if (n <= s->per_cap)
		return;
	s->per = xrealloc(s->per, n * sizeof(*s->per));
	memset(s->per + s->per_cap, 0, (n - s->per_cap) * sizeof(*s->per));
	s->per_cap = n;
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
	struct score_state *s = score_state_take();
	spread_constraints_build(state, pod, "ScheduleAnyway", &s->constraints);
	if (!s->constraints.len) {
		score_state_free(s);
		return SCHED_SKIP;
	}
	/* Only the System defaults let nodes without a zone take part. */
	s->require_all = pod->spec.topology_spread_constraints.len > 0 ||
			 !spread_system_defaulted(state);
	s->some_ignored = false;
	s->nodes_len = len;
	size_t n = s->constraints.len;
	per_reserve(s, n);
	for (size_t i = 0; i < n; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		s->per[i].key = c->key;
		s->per[i].hostname = is_hostname(c);
		s->per[i].base = (double)(c->max_skew - 1);
		if (!is_hostname(c))
			spread_counts_reset(&s->per[i].counts, state->cache, c->key);
	}
	size_t ignored = find_domains(s, state->cache, nodes, len);
	for (size_t i = 0; i < n; i++) {
		const struct spread_constraint *c = &s->constraints.items[i];
		struct score_constraint *per = &s->per[i];
		size_t size = is_hostname(c) ? len - ignored : per->counts.domains;
		per->weight = normalizing_weight(size);
		/* Default constraints share one selector: match it once. */
		if (i == 0 || !s->constraints.defaulted)
			spread_matching_pods(state->cache, pod->obj.meta.namespace,
					     &c->selector, &s->pods);
		count_pods(s, i, pod);
		if (is_hostname(c))
			continue;
		/* Each domain's part of the raw score, once per domain rather
		 * than once per node: count x weight + maxSkew - 1 (K8S:
		 * scoreForCount). */
		if (per->term_cap < per->counts.len) {
			free(per->term);
			per->term = xmalloc(per->counts.len * sizeof(*per->term));
			per->term_cap = per->counts.len;
		}
		for (uint32_t v = 0; v < per->counts.len; v++)
			per->term[v] = (double)per->counts.count[v] * per->weight + per->base;
	}
	quiet_scores(s);
	sched_state_write(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD, s, score_state_free);
	return SCHED_SUCCESS;
}

/* LAB: sched-spread-score. K8S: Score and scoreForCount: per constraint
 * whose key the node has, its domain's count x weight + maxSkew - 1;
 * for hostname the count is the node's own matching pods. An ignored
 * node scores 0. Reads PreScore's state only: safe to call for several
 * nodes at once. */
int64_t sched_topology_spread_score(struct sched_state *state, const struct pod *pod,
				    const struct sched_node_info *node)
{
	(void)pod;
	const struct score_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	/* Hot path: a node with a hostname and, as its bit in the table
	 * says, none of the matching pods takes its zone's score. */
	if (s->quiet_shape && sched_node_topology(node, s->quiet_host_key) != SCHED_TOPOLOGY_ABSENT &&
	    !host_maybe_in(s->quiet_seen, host_hash(node)))
		return s->quiet[sched_node_topology(node, s->quiet_zone_key)];
	double score = 0;
	for (size_t i = 0; i < s->constraints.len; i++) {
		const struct score_constraint *per = &s->per[i];
		uint32_t value = sched_node_topology(node, per->key);
		if (value == SCHED_TOPOLOGY_ABSENT) {
			if (s->require_all)
				return 0;	/* K8S: IgnoredNodes */
			continue;
		}
		score += score_part(s, i, value,
				    per->hostname ? host_count(&per->hosts, node) : 0);
	}
	return round_half_up(score);
}

/* The smallest and largest raw score of the nodes not ignored. */
static void score_bounds(const struct score_state *s, const int64_t *scores, size_t len,
			 int64_t *min_out, int64_t *max_out)
{
	int64_t min = INT64_MAX, max = 0;
	for (size_t i = 0; i < len; i++) {
		/* Hot loop: without ignored nodes, a plain min/max pass. */
		if (s->some_ignored && s->ignored[i])
			continue;
		min = scores[i] < min ? scores[i] : min;
		max = scores[i] > max ? scores[i] : max;
	}
	*min_out = min;
	*max_out = max;
}

/* LAB: sched-spread-normalize. K8S: NormalizeScore:
 * 100 * (max + min - raw) / max, fewer pods being better; an ignored node
 * scores 0. */
void sched_topology_spread_normalize(struct sched_state *state, const struct pod *pod,
				     int64_t *scores, size_t len)
{
	(void)pod;
	const struct score_state *s = sched_state_read(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	BUG_ON(len != s->nodes_len);
	int64_t min, max;
	score_bounds(s, scores, len, &min, &max);
	/* Raw scores span a few values: divide once per value, not per node
	 * (a division costs as much as the rest of the loop). */
	int64_t table[64];
	if (max > 0 && max - min < 64 && !s->some_ignored) {
		for (int64_t v = min; v <= max; v++)
			table[v - min] = SCHED_MAX_NODE_SCORE * (max + min - v) / max;
		for (size_t i = 0; i < len; i++)
			scores[i] = table[scores[i] - min];
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s->some_ignored && s->ignored[i])
			scores[i] = 0;
		else if (max == 0)
			scores[i] = SCHED_MAX_NODE_SCORE;
		else
			scores[i] = SCHED_MAX_NODE_SCORE * (max + min - scores[i]) / max;
	}
}
