/* test_sched_topology_spread.c - PodTopologySpread and the cache's label
 * index.
 *
 * The table cases are upstream's (podtopologyspread/filtering_test.go and
 * scoring_test.go): same nodes, same existing pods, same verdicts and
 * scores. The random tests build clusters from a seeded PRNG and check
 * that the indexed counting gives what a plain walk over every pod on
 * every node -- upstream's definition, written out below without any
 * index -- gives: the same Filter verdict for every node and the same
 * normalized score.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "engine.h"
#include "prng.h"
#include "sched_args.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "selector.h"
#include "store.h"
#include "xmalloc.h"

Suite *sched_topology_spread_suite(void);

#define HOSTNAME "kubernetes.io/hostname"
#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

static const struct sched_plugin *const plugin = &sched_topology_spread_plugin;

/* ---- building objects ---------------------------------------------------- */

/* A node with labels "k=v,k2=v2" (NULL: none). */
static void add_node(struct sched_cache *cache, const char *name, const char *labels)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	n->obj.meta.uid = xstrdup(name);
	char *copy = xstrdup(labels ? labels : "");
	for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		*eq = '\0';
		strmap_set(&n->obj.meta.labels, kv, eq + 1);
	}
	free(copy);
	sched_cache_set_node(cache, n);
	object_unref(&n->obj);
}

static struct pod *pod_new(const char *name, const char *ns, const char *labels)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup(ns ? ns : "default");
	p->obj.meta.uid = xasprintf("uid-%s-%s", ns ? ns : "default", name);
	char *copy = xstrdup(labels ? labels : "");
	for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		strmap_set(&p->obj.meta.labels, kv, eq ? eq + 1 : "");
	}
	free(copy);
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	return p;
}

/* Books an existing pod "name" with labels on node. */
static void add_pod(struct sched_cache *cache, const char *name, const char *ns,
		    const char *labels, const char *node)
{
	struct pod *p = pod_new(name, ns, labels);
	p->spec.node_name = xstrdup(node);
	sched_cache_add_pod(cache, p);
	object_unref(&p->obj);
}

/* Adds a constraint whose selector is "key exists" (upstream's
 * MakeLabelSelector().Exists(key)). */
static struct topology_spread_constraint *
spread(struct pod *p, int32_t max_skew, const char *key, const char *when,
       const char *exists)
{
	struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
	c->max_skew = max_skew;
	c->topology_key = xstrdup(key);
	c->when_unsatisfiable = xstrdup(when);
	struct selector_requirement_spec *r = APPEND(c->label_selector.match_expressions);
	r->key = xstrdup(exists);
	r->operator = xstrdup("Exists");
	return c;
}

/* ---- asking the plugin --------------------------------------------------- */

/* PreFilter then Filter on every named node; codes[i] (and reasons[i],
 * static strings or "") out. */
static void filter_nodes(struct sched_cache *cache, const struct pod *pod,
			 const void *args, const char *const *names, size_t n,
			 enum sched_code *codes, const char **reasons)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	state.args[SCHED_PLUGIN_POD_TOPOLOGY_SPREAD] = args;
	struct sched_status st;
	sched_status_reset(&st);
	enum sched_code pre = plugin->pre_filter(&state, pod, &st);
	for (size_t i = 0; i < n; i++) {
		reasons[i] = "";
		if (pre == SCHED_SKIP) {
			codes[i] = SCHED_SUCCESS;
			continue;
		}
		sched_status_reset(&st);
		const struct sched_node_info *node = sched_cache_node(cache, names[i]);
		ck_assert_ptr_nonnull(node);
		codes[i] = plugin->filter(&state, pod, node, &st);
		if (codes[i] != SCHED_SUCCESS)
			reasons[i] = st.reasons[0];
	}
	sched_state_release(&state);
}

/* PreScore over the named (feasible) nodes, Score, NormalizeScore. False
 * when PreScore said Skip. */
static bool score_nodes(struct sched_cache *cache, const struct pod *pod, const void *args,
			const char *const *names, size_t n, int64_t *scores)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	state.args[SCHED_PLUGIN_POD_TOPOLOGY_SPREAD] = args;
	struct sched_node_info **nodes = xcalloc(n + 1, sizeof(*nodes));
	for (size_t i = 0; i < n; i++) {
		nodes[i] = (struct sched_node_info *)sched_cache_node(cache, names[i]);
		ck_assert_ptr_nonnull(nodes[i]);
	}
	bool ran = plugin->pre_score(&state, pod, nodes, n) != SCHED_SKIP;
	if (ran) {
		for (size_t i = 0; i < n; i++)
			scores[i] = plugin->score(&state, pod, nodes[i]);
		plugin->normalize_score(&state, pod, scores, n);
	}
	free(nodes);
	sched_state_release(&state);
	return ran;
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static void assert_scores(const int64_t *got, const int64_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "node %zu: score %lld, want %lld", i,
			      (long long)got[i], (long long)want[i]);
}

/* upstream's four-node, two-zone layout */
static void four_nodes_two_zones(struct sched_cache *cache)
{
	add_node(cache, "node-a", "zone=zone1,node=node-a");
	add_node(cache, "node-b", "zone=zone1,node=node-b");
	add_node(cache, "node-x", "zone=zone2,node=node-x");
	add_node(cache, "node-y", "zone=zone2,node=node-y");
}

static const char *const abxy[] = { "node-a", "node-b", "node-x", "node-y" };

/* ---- Filter -------------------------------------------------------------- */

START_TEST(test_filter_counts_only_pods_of_the_pods_namespace)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	four_nodes_two_zones(&cache);
	add_pod(&cache, "p-a1", "ns1", "foo", "node-a");
	add_pod(&cache, "p-b1", "ns2", "foo", "node-a");
	add_pod(&cache, "p-x1", NULL, "foo", "node-x");
	add_pod(&cache, "p-y1", NULL, "foo", "node-y");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "DoNotSchedule", "foo");
	enum sched_code codes[4];
	const char *reasons[4];
	filter_nodes(&cache, p, NULL, abxy, 4, codes, reasons);
	ck_assert_int_eq(codes[0], SCHED_SUCCESS);
	ck_assert_int_eq(codes[1], SCHED_SUCCESS);
	ck_assert_int_eq(codes[2], SCHED_UNSCHEDULABLE);
	ck_assert_int_eq(codes[3], SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(reasons[2], "node(s) didn't match pod topology spread constraints");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_filter_admits_every_node_when_zones_are_even)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	four_nodes_two_zones(&cache);
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-a2", NULL, "foo", "node-a");
	add_pod(&cache, "p-b1", NULL, "foo", "node-b");
	add_pod(&cache, "p-y1", NULL, "foo", "node-y");
	add_pod(&cache, "p-y2", NULL, "foo", "node-y");
	add_pod(&cache, "p-y3", NULL, "foo", "node-y");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "DoNotSchedule", "foo");
	enum sched_code codes[4];
	const char *reasons[4];
	filter_nodes(&cache, p, NULL, abxy, 4, codes, reasons);
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(codes[i], SCHED_SUCCESS);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_filter_rejects_node_without_topology_key_for_good)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "node-a", "zone=zone1");
	add_node(&cache, "node-n", "rack=r1");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "DoNotSchedule", "foo");
	static const char *const names[] = { "node-a", "node-n" };
	enum sched_code codes[2];
	const char *reasons[2];
	filter_nodes(&cache, p, NULL, names, 2, codes, reasons);
	ck_assert_int_eq(codes[0], SCHED_SUCCESS);
	ck_assert_int_eq(codes[1], SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reasons[1],
			 "node(s) didn't match pod topology spread constraints (missing required label)");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* Two zones with one pod each: maxSkew 1 admits a third pod anywhere;
 * minDomains 3 makes the missing third zone count as 0, so neither does. */
START_TEST(test_filter_treats_global_minimum_as_zero_below_min_domains)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	four_nodes_two_zones(&cache);
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-x1", NULL, "foo", "node-x");
	for (int min_domains = 0; min_domains <= 3; min_domains += 3) {
		struct pod *p = pod_new("p", NULL, "foo");
		struct topology_spread_constraint *c =
			spread(p, 1, "zone", "DoNotSchedule", "foo");
		if (min_domains)
			c->min_domains = (struct opt_int64){ true, min_domains };
		enum sched_code codes[4];
		const char *reasons[4];
		filter_nodes(&cache, p, NULL, abxy, 4, codes, reasons);
		for (size_t i = 0; i < 4; i++)
			ck_assert_int_eq(codes[i], min_domains ? SCHED_UNSCHEDULABLE
							       : SCHED_SUCCESS);
		object_unref(&p->obj);
	}
	sched_cache_release(&cache);
}
END_TEST

/* zone1 has 2 pods, zone2 none. The pod may only run on ssd nodes (all
 * in zone1): honoring its node selector (the default) zone2 is not a
 * domain at all, so zone1 is the minimum and admits it; ignoring it,
 * zone2's 0 is the minimum and zone1 is too full. */
START_TEST(test_filter_node_affinity_policy_decides_which_domains_count)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "node-a", "zone=zone1,disk=ssd");
	add_node(&cache, "node-b", "zone=zone1,disk=ssd");
	add_node(&cache, "node-x", "zone=zone2");
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-b1", NULL, "foo", "node-b");
	static const char *const names[] = { "node-a" };
	static const char *const policies[] = { NULL, "Honor", "Ignore" };
	for (size_t k = 0; k < LEN(policies); k++) {
		struct pod *p = pod_new("p", NULL, "foo");
		strmap_set(&p->spec.node_selector, "disk", "ssd");
		struct topology_spread_constraint *c =
			spread(p, 1, "zone", "DoNotSchedule", "foo");
		if (policies[k])
			c->node_affinity_policy = xstrdup(policies[k]);
		enum sched_code code;
		const char *reason;
		filter_nodes(&cache, p, NULL, names, 1, &code, &reason);
		ck_assert_int_eq(code, k == 2 ? SCHED_UNSCHEDULABLE : SCHED_SUCCESS);
		object_unref(&p->obj);
	}
	sched_cache_release(&cache);
}
END_TEST

/* zone2's only node is tainted: with nodeTaintsPolicy Honor it is not a
 * domain, so zone1's 2 pods are the minimum. */
START_TEST(test_filter_node_taints_policy_honor_drops_untolerated_nodes)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "node-a", "zone=zone1");
	add_node(&cache, "node-b", "zone=zone1");
	struct node *x = (struct node *)object_new(&node_kind);
	x->obj.meta.name = xstrdup("node-x");
	x->obj.meta.uid = xstrdup("node-x");
	strmap_set(&x->obj.meta.labels, "zone", "zone2");
	struct taint *t = APPEND(x->spec.taints);
	t->key = xstrdup("dedicated");
	t->value = xstrdup("gpu");
	t->effect = xstrdup("NoSchedule");
	sched_cache_set_node(&cache, x);
	object_unref(&x->obj);
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-b1", NULL, "foo", "node-b");
	static const char *const names[] = { "node-a" };
	for (int honor = 0; honor <= 1; honor++) {
		struct pod *p = pod_new("p", NULL, "foo");
		struct topology_spread_constraint *c =
			spread(p, 1, "zone", "DoNotSchedule", "foo");
		if (honor)
			c->node_taints_policy = xstrdup("Honor");
		enum sched_code code;
		const char *reason;
		filter_nodes(&cache, p, NULL, names, 1, &code, &reason);
		ck_assert_int_eq(code, honor ? SCHED_SUCCESS : SCHED_UNSCHEDULABLE);
		object_unref(&p->obj);
	}
	sched_cache_release(&cache);
}
END_TEST

/* matchLabelKeys [hash]: only pods with the pod's own hash count, so the
 * old ReplicaSet's pods in zone1 do not block the new one there. */
START_TEST(test_filter_match_label_keys_narrow_the_selector_to_the_pods_values)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	four_nodes_two_zones(&cache);
	add_pod(&cache, "old-1", NULL, "app=web,hash=old", "node-a");
	add_pod(&cache, "old-2", NULL, "app=web,hash=old", "node-b");
	for (int with_keys = 0; with_keys <= 1; with_keys++) {
		struct pod *p = pod_new("p", NULL, "app=web,hash=new");
		struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
		c->max_skew = 1;
		c->topology_key = xstrdup("zone");
		c->when_unsatisfiable = xstrdup("DoNotSchedule");
		strmap_set(&c->label_selector.match_labels, "app", "web");
		if (with_keys)
			*APPEND(c->match_label_keys) = xstrdup("hash");
		enum sched_code codes[4];
		const char *reasons[4];
		filter_nodes(&cache, p, NULL, abxy, 4, codes, reasons);
		ck_assert_int_eq(codes[0], with_keys ? SCHED_SUCCESS : SCHED_UNSCHEDULABLE);
		ck_assert_int_eq(codes[2], SCHED_SUCCESS);
		object_unref(&p->obj);
	}
	sched_cache_release(&cache);
}
END_TEST

/* Preemption's dry run asks Filter about a copy of node-a without its
 * pods (K8S: PreFilterExtensions RemovePod): zone1 then holds 1 pod,
 * not 3, and the pod fits there. The nominated pods' pass adds pods to a
 * copy the same way (AddPod). */
START_TEST(test_filter_sees_pods_removed_from_or_added_to_a_scratch_copy)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	four_nodes_two_zones(&cache);
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-a2", NULL, "foo", "node-a");
	add_pod(&cache, "p-b1", NULL, "foo", "node-b");
	add_pod(&cache, "p-x1", NULL, "foo", "node-x");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "DoNotSchedule", "foo");
	struct sched_state state;
	sched_state_init(&state, p, &cache);
	struct sched_status st;
	sched_status_reset(&st);
	ck_assert_int_eq(plugin->pre_filter(&state, p, &st), SCHED_SUCCESS);
	const struct sched_node_info *a = sched_cache_node(&cache, "node-a");
	const struct sched_node_info *x = sched_cache_node(&cache, "node-x");
	/* zone1 3, zone2 1: node-a is too full */
	ck_assert_int_eq(plugin->filter(&state, p, a, &st), SCHED_UNSCHEDULABLE);
	struct sched_node_info copy;
	sched_node_scratch_init(&copy, a);
	sched_node_scratch_remove(&copy, sched_cache_pod(&cache, "uid-default-p-a1"));
	sched_node_scratch_remove(&copy, sched_cache_pod(&cache, "uid-default-p-a2"));
	sched_status_reset(&st);
	ck_assert_int_eq(plugin->filter(&state, p, &copy, &st), SCHED_SUCCESS);
	sched_node_scratch_release(&copy);
	/* three more pods nominated to node-x make zone2 the fuller one */
	ck_assert_int_eq(plugin->filter(&state, p, x, &st), SCHED_SUCCESS);
	sched_node_scratch_init(&copy, x);
	sched_node_scratch_add(&copy, sched_cache_pod(&cache, "uid-default-p-a1"));
	sched_node_scratch_add(&copy, sched_cache_pod(&cache, "uid-default-p-a2"));
	sched_node_scratch_add(&copy, sched_cache_pod(&cache, "uid-default-p-b1"));
	sched_status_reset(&st);
	ck_assert_int_eq(plugin->filter(&state, p, &copy, &st), SCHED_UNSCHEDULABLE);
	sched_node_scratch_release(&copy);
	sched_state_release(&state);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_pods_without_hard_constraints_skip_the_filter)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "node-a", "zone=zone1");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "ScheduleAnyway", "foo");
	struct sched_state state;
	sched_state_init(&state, p, &cache);
	struct sched_status st;
	sched_status_reset(&st);
	ck_assert_int_eq(plugin->pre_filter(&state, p, &st), SCHED_SKIP);
	sched_state_release(&state);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- Score (upstream's scoring_test.go) ---------------------------------- */

static void hostname_nodes(struct sched_cache *cache, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *labels = xasprintf(HOSTNAME "=%s", names[i]);
		add_node(cache, names[i], labels);
		free(labels);
	}
}

/* pods[i] matching pods on node i, named p-<node>-<k>. */
static void pods_on(struct sched_cache *cache, const char *const *names, const int *pods,
		    size_t n, const char *labels)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < pods[i]; k++) {
			char *name = xasprintf("p-%s-%s-%d", names[i], labels, k);
			add_pod(cache, name, NULL, labels, names[i]);
			free(name);
		}
}

START_TEST(test_score_on_hostname_with_max_skew_1_2_and_3)
{
	static const char *const names[] = { "node-a", "node-b", "node-c", "node-d" };
	static const struct {
		int32_t max_skew;
		int pods[4];
		int64_t want[4];
	} cases[] = {
		{ 1, { 2, 1, 0, 3 }, { 20, 60, 100, 0 } },
		{ 2, { 2, 1, 0, 3 }, { 33, 66, 100, 16 } },
		{ 3, { 4, 3, 2, 1 }, { 44, 66, 77, 100 } },
	};
	for (size_t c = 0; c < LEN(cases); c++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		hostname_nodes(&cache, names, 4);
		pods_on(&cache, names, cases[c].pods, 4, "foo");
		struct pod *p = pod_new("p", NULL, "foo");
		spread(p, cases[c].max_skew, HOSTNAME, "ScheduleAnyway", "foo");
		int64_t scores[4];
		ck_assert(score_nodes(&cache, p, NULL, names, 4, scores));
		assert_scores(scores, cases[c].want, 4);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

/* upstream's "null selector": no pod counts, every node scores 100. */
START_TEST(test_score_without_selector_counts_no_pods)
{
	static const char *const names[] = { "node-a", "node-b", "node-c", "node-d" };
	static const int pods[] = { 2, 1, 0, 3 };
	struct sched_cache cache;
	sched_cache_init(&cache);
	hostname_nodes(&cache, names, 4);
	pods_on(&cache, names, pods, 4, "foo");
	struct pod *p = pod_new("p", NULL, "foo");
	struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
	c->max_skew = 1;
	c->topology_key = xstrdup(HOSTNAME);
	c->when_unsatisfiable = xstrdup("ScheduleAnyway");
	int64_t scores[4];
	ck_assert(score_nodes(&cache, p, NULL, names, 4, scores));
	static const int64_t want[] = { 100, 100, 100, 100 };
	assert_scores(scores, want, 4);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* 4/2/1 on the candidates, 3 on node-y which failed Filter. */
START_TEST(test_score_ignores_candidates_missing_the_key)
{
	static const char *const all[] = { "node-a", "node-b", "node-x", "node-y" };
	static const int pods[] = { 4, 2, 1, 3 };
	for (int missing = 0; missing <= 1; missing++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		hostname_nodes(&cache, all, 4);
		if (missing)	/* node-b's label is "n", not the key */
			add_node(&cache, "node-b", "n=node-b");
		pods_on(&cache, all, pods, 4, "foo");
		struct pod *p = pod_new("p", NULL, "foo");
		spread(p, 1, HOSTNAME, "ScheduleAnyway", "foo");
		int64_t scores[3];
		ck_assert(score_nodes(&cache, p, NULL, all, 3, scores));
		static const int64_t want[2][3] = { { 33, 83, 100 }, { 16, 0, 100 } };
		assert_scores(scores, want[missing], 3);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

static void zone_nodes(struct sched_cache *cache)
{
	add_node(cache, "node-a", "zone=zone1," HOSTNAME "=node-a");
	add_node(cache, "node-b", "zone=zone1," HOSTNAME "=node-b");
	add_node(cache, "node-x", "zone=zone2," HOSTNAME "=node-x");
	add_node(cache, "node-y", "zone=zone2," HOSTNAME "=node-y");
}

START_TEST(test_score_on_zone_counts_pods_of_failed_nodes_in_the_zone)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	zone_nodes(&cache);
	static const int pods[] = { 4, 2, 1, 3 };
	pods_on(&cache, abxy, pods, 4, "foo");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "ScheduleAnyway", "foo");
	int64_t scores[3];
	ck_assert(score_nodes(&cache, p, NULL, abxy, 3, scores));
	static const int64_t want[] = { 75, 75, 100 };
	assert_scores(scores, want, 3);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_score_sums_zone_and_hostname_constraints)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	zone_nodes(&cache);
	static const int pods[] = { 2, 1, 2, 4 };
	pods_on(&cache, abxy, pods, 4, "foo");
	struct pod *p = pod_new("p", NULL, "foo");
	spread(p, 1, "zone", "ScheduleAnyway", "foo");
	spread(p, 1, HOSTNAME, "ScheduleAnyway", "foo");
	static const char *const feasible[] = { "node-a", "node-x" };
	int64_t scores[2];
	ck_assert(score_nodes(&cache, p, NULL, feasible, 2, scores));
	static const int64_t want[] = { 100, 63 };
	assert_scores(scores, want, 2);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* Two constraints with different selectors (foo on zone, bar on node). */
START_TEST(test_score_with_different_selectors_per_constraint)
{
	static const struct {
		const char *pods[4];	/* labels of the pods on a, b, x, y */
		size_t feasible;
		int64_t want[4];
	} cases[] = {
		{ { "foo", "foo,bar", NULL, "foo|bar" }, 4, { 60, 20, 100, 60 } },
		{ { NULL, "bar", "foo", "foo,bar" }, 4, { 100, 60, 40, 0 } },
		{ { "foo", "foo,bar", NULL, "foo|bar" }, 3, { 50, 25, 100 } },
	};
	for (size_t c = 0; c < LEN(cases); c++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		zone_nodes(&cache);
		for (size_t n = 0; n < 4; n++) {
			if (!cases[c].pods[n])
				continue;
			char *all = xstrdup(cases[c].pods[n]);
			int k = 0;
			for (char *save = NULL, *one = strtok_r(all, "|", &save); one;
			     one = strtok_r(NULL, "|", &save)) {
				char *name = xasprintf("p-%zu-%d", n, k++);
				add_pod(&cache, name, NULL, one, abxy[n]);
				free(name);
			}
			free(all);
		}
		struct pod *p = pod_new("p", NULL, "foo,bar");
		spread(p, 1, "zone", "ScheduleAnyway", "foo");
		spread(p, 1, HOSTNAME, "ScheduleAnyway", "bar");
		int64_t scores[4];
		ck_assert(score_nodes(&cache, p, NULL, abxy, cases[c].feasible, scores));
		assert_scores(scores, cases[c].want, cases[c].feasible);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_score_leaves_out_other_namespaces_and_terminating_pods)
{
	static const char *const names[] = { "node-a", "node-b" };
	for (int terminating = 0; terminating <= 1; terminating++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		hostname_nodes(&cache, names, 2);
		if (terminating) {
			struct pod *gone = pod_new("p-a", NULL, "foo");
			gone->obj.meta.deletion_timestamp = 1;
			gone->spec.node_name = xstrdup("node-a");
			sched_cache_add_pod(&cache, gone);
			object_unref(&gone->obj);
			add_pod(&cache, "p-b", NULL, "foo", "node-b");
		} else {
			add_pod(&cache, "p-a1", "ns1", "foo", "node-a");
			add_pod(&cache, "p-a2", NULL, "foo", "node-a");
			add_pod(&cache, "p-b1", NULL, "foo", "node-b");
			add_pod(&cache, "p-b2", NULL, "foo", "node-b");
		}
		struct pod *p = pod_new("p", NULL, "foo");
		spread(p, 1, HOSTNAME, "ScheduleAnyway", "foo");
		int64_t scores[2];
		ck_assert(score_nodes(&cache, p, NULL, names, 2, scores));
		static const int64_t want[2][2] = { { 100, 33 }, { 100, 0 } };
		assert_scores(scores, want[terminating], 2);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

/* Three nodes keyed by "node"; node-c is the odd one: without the pod's
 * nodeSelector label foo, or tainted. Honoring the policy leaves node-c's
 * pod uncounted, so node-c looks empty. */
START_TEST(test_score_inclusion_policies_decide_which_pods_count)
{
	static const char *const names[] = { "node-a", "node-b", "node-c" };
	static const struct {
		bool selector;		/* the pod has nodeSelector foo="" ... */
		const char *affinity_policy;
		bool taint;		/* ... or node-c is tainted */
		const char *taints_policy;
		int64_t want[3];
	} cases[] = {
		{ true, NULL, false, NULL, { 0, 33, 100 } },
		{ true, "Ignore", false, NULL, { 66, 100, 100 } },
		{ false, NULL, true, "Honor", { 0, 33, 100 } },
		{ false, NULL, true, NULL, { 66, 100, 100 } },
	};
	for (size_t c = 0; c < LEN(cases); c++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		add_node(&cache, "node-a", "node=node-a,foo=");
		add_node(&cache, "node-b", "node=node-b,foo=");
		struct node *n = (struct node *)object_new(&node_kind);
		n->obj.meta.name = xstrdup("node-c");
		n->obj.meta.uid = xstrdup("node-c");
		strmap_set(&n->obj.meta.labels, "node", "node-c");
		if (cases[c].taint) {
			struct taint *t = APPEND(n->spec.taints);
			t->key = xstrdup("foo");
			t->value = xstrdup("");
			t->effect = xstrdup("NoSchedule");
		}
		sched_cache_set_node(&cache, n);
		object_unref(&n->obj);
		static const int pods[] = { 2, 1, 1 };
		pods_on(&cache, names, pods, 3, "foo");
		struct pod *p = pod_new("p", NULL, "foo");
		if (cases[c].selector)
			strmap_set(&p->spec.node_selector, "foo", "");
		struct topology_spread_constraint *tsc =
			spread(p, 1, "node", "ScheduleAnyway", "foo");
		if (cases[c].affinity_policy)
			tsc->node_affinity_policy = xstrdup(cases[c].affinity_policy);
		if (cases[c].taints_policy)
			tsc->node_taints_policy = xstrdup(cases[c].taints_policy);
		int64_t scores[3];
		ck_assert(score_nodes(&cache, p, NULL, names, 3, scores));
		assert_scores(scores, cases[c].want, 3);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

/* matchLabelKeys AND the pod's values into the selector, even into an
 * empty one: zone counts foo="" pods, hostname bar="" pods. */
START_TEST(test_score_match_label_keys_are_anded_with_the_selector)
{
	static const char *const names[] = { "node-a", "node-b", "node-c", "node-d" };
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "node-a", "zone=zone1," HOSTNAME "=node-a");
	add_node(&cache, "node-b", "zone=zone1," HOSTNAME "=node-b");
	add_node(&cache, "node-c", "zone=zone2," HOSTNAME "=node-c");
	add_node(&cache, "node-d", "zone=zone2," HOSTNAME "=node-d");
	add_pod(&cache, "p-a1", NULL, "foo", "node-a");
	add_pod(&cache, "p-b1", NULL, "foo,bar", "node-b");
	add_pod(&cache, "p-y1", NULL, "foo", "node-c");
	add_pod(&cache, "p-y2", NULL, "bar", "node-c");
	struct pod *p = pod_new("p", NULL, "foo,bar");
	static const char *const keys[] = { "foo", "bar" };
	static const char *const topology[] = { "zone", HOSTNAME };
	for (size_t i = 0; i < 2; i++) {
		struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
		c->max_skew = 1;
		c->topology_key = xstrdup(topology[i]);
		c->when_unsatisfiable = xstrdup("ScheduleAnyway");
		*APPEND(c->match_label_keys) = xstrdup(keys[i]);
	}
	int64_t scores[4];
	ck_assert(score_nodes(&cache, p, NULL, names, 4, scores));
	static const int64_t want[] = { 60, 20, 60, 100 };
	assert_scores(scores, want, 4);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- default constraints ------------------------------------------------- */

/* upstream's "system defaulting, nodes don't have zone, pods match
 * service": the Service's selector becomes the constraints' selector,
 * and the scores are those of one hostname constraint with maxSkew 3. */
START_TEST(test_system_defaults_spread_pods_selected_by_a_service)
{
	struct engine *engine = engine_new();
	struct clock clock = engine_clock(engine);
	struct store *store = store_new(&clock, 1);
	struct service *svc = (struct service *)object_new(&service_kind);
	svc->obj.meta.name = xstrdup("svc");
	svc->obj.meta.namespace = xstrdup("default");
	strmap_set(&svc->spec.selector, "foo", "");
	ck_assert_int_eq(store_create(store, &svc->obj, NULL), API_OK);

	static const char *const names[] = { "node-a", "node-b", "node-c", "node-d" };
	static const int pods[] = { 4, 3, 2, 1 };
	struct sched_cache cache;
	sched_cache_init(&cache);
	hostname_nodes(&cache, names, 4);
	pods_on(&cache, names, pods, 4, "foo");
	struct pod *p = pod_new("p", NULL, "foo");
	int64_t scores[4];
	/* without the lister: no selector, no default constraints */
	ck_assert(!score_nodes(&cache, p, NULL, names, 4, scores));
	cache.store = store;
	ck_assert(score_nodes(&cache, p, NULL, names, 4, scores));
	static const int64_t want[] = { 44, 66, 77, 100 };
	assert_scores(scores, want, 4);
	/* a List of no constraints turns the defaults off */
	struct sched_spread_args none = { .defaulting = SCHED_SPREAD_DEFAULTING_LIST };
	ck_assert(!score_nodes(&cache, p, &none, names, 4, scores));
	/* and the defaults are soft: Filter skips the pod */
	enum sched_code codes[4];
	const char *reasons[4];
	filter_nodes(&cache, p, NULL, names, 4, codes, reasons);
	ck_assert_int_eq(codes[0], SCHED_SUCCESS);

	object_unref(&p->obj);
	sched_cache_release(&cache);
	store_free(store);
	engine_free(engine);
}
END_TEST

/* A ReplicaSet's pod (controller ownerReference) gets the ReplicaSet's
 * selector; a pod of the same labels without owner gets none. */
START_TEST(test_default_selector_comes_from_the_controlling_replicaset)
{
	struct engine *engine = engine_new();
	struct clock clock = engine_clock(engine);
	struct store *store = store_new(&clock, 1);
	struct replica_set *rs = (struct replica_set *)object_new(&replica_set_kind);
	rs->obj.meta.name = xstrdup("web-5d4f");
	rs->obj.meta.namespace = xstrdup("default");
	strmap_set(&rs->spec.selector.match_labels, "app", "web");
	strmap_set(&rs->spec.selector.match_labels, "pod-template-hash", "5d4f");
	ck_assert_int_eq(store_create(store, &rs->obj, NULL), API_OK);

	struct sched_cache cache;
	sched_cache_init(&cache);
	cache.store = store;
	add_node(&cache, "node-a", HOSTNAME "=node-a,zone=z1");
	add_node(&cache, "node-b", HOSTNAME "=node-b,zone=z1");
	add_pod(&cache, "web-1", NULL, "app=web,pod-template-hash=5d4f", "node-a");
	add_pod(&cache, "other", NULL, "app=web,pod-template-hash=9999", "node-b");
	static const char *const names[] = { "node-a", "node-b" };
	int64_t scores[2];
	struct pod *orphan = pod_new("p0", NULL, "app=web,pod-template-hash=5d4f");
	ck_assert(!score_nodes(&cache, orphan, NULL, names, 2, scores));
	struct pod *p = pod_new("p", NULL, "app=web,pod-template-hash=5d4f");
	struct owner_reference *o = APPEND(p->obj.meta.owner_references);
	o->api_version = xstrdup("apps/v1");
	o->kind = xstrdup("ReplicaSet");
	o->name = xstrdup("web-5d4f");
	o->uid = xstrdup("rs-uid");
	o->controller = true;
	ck_assert(score_nodes(&cache, p, NULL, names, 2, scores));
	/* node-a holds the ReplicaSet's pod; node-b's pod has another hash */
	ck_assert_int_lt(scores[0], scores[1]);
	ck_assert_int_eq(scores[1], 100);
	object_unref(&orphan->obj);
	object_unref(&p->obj);
	sched_cache_release(&cache);
	store_free(store);
	engine_free(engine);
}
END_TEST

/* ---- the index against a plain walk -------------------------------------- */

/* Upstream's countPodsMatchSelector on one node, written plainly. */
static int64_t naive_count(const struct sched_node_info *node, const struct selector *sel,
			   const char *ns)
{
	if (selector_is_empty(sel))
		return 0;
	int64_t n = 0;
	for (size_t i = 0; i < node->pods_len; i++) {
		const struct pod *p = node->pods[i]->pod;
		if (p->obj.meta.deletion_timestamp || strcmp(p->obj.meta.namespace, ns))
			continue;
		n += selector_matches(sel, &p->obj.meta.labels);
	}
	return n;
}

static const char *node_label(const struct sched_node_info *node, const char *key)
{
	return strmap_get(&node->node->obj.meta.labels, key);
}

/* Upstream's PreFilter + Filter for a pod with one DoNotSchedule
 * constraint on "zone" with a compiled selector and no node selector. */
static enum sched_code naive_filter(struct sched_cache *cache, const struct pod *pod,
				    const struct selector *sel, int32_t max_skew,
				    const struct sched_node_info *target)
{
	const char *values[64];
	int64_t counts[64];
	size_t domains = 0, n;
	struct sched_node_info *const *nodes = sched_cache_list(cache, &n);
	for (size_t i = 0; i < n; i++) {
		const char *v = node_label(nodes[i], "zone");
		if (!v)
			continue;
		size_t d = 0;
		while (d < domains && strcmp(values[d], v))
			d++;
		if (d == domains) {
			values[domains] = v;
			counts[domains++] = 0;
		}
		counts[d] += naive_count(nodes[i], sel, pod->obj.meta.namespace);
	}
	const char *v = node_label(target, "zone");
	if (!v)
		return SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
	int64_t min = INT32_MAX, match = 0;
	for (size_t d = 0; d < domains; d++) {
		if (counts[d] < min)
			min = counts[d];
		if (!strcmp(values[d], v))
			match = counts[d];
	}
	int64_t self = selector_matches(sel, &pod->obj.meta.labels);
	return match + self - min > max_skew ? SCHED_UNSCHEDULABLE : SCHED_SUCCESS;
}

/* Upstream's PreScore + Score + NormalizeScore for one ScheduleAnyway
 * constraint on key (with requireAllTopologies), over feasible[]. */
static void naive_score(struct sched_cache *cache, const struct pod *pod,
			const struct selector *sel, int32_t max_skew, const char *key,
			struct sched_node_info **feasible, size_t len, int64_t *out)
{
	bool hostname = !strcmp(key, HOSTNAME);
	const char *values[64];
	int64_t counts[64];
	size_t domains = 0, ignored = 0, n;
	for (size_t k = 0; k < len; k++) {
		const char *v = node_label(feasible[k], key);
		if (!v) {
			ignored++;
			continue;
		}
		size_t d = 0;
		while (d < domains && strcmp(values[d], v))
			d++;
		if (d == domains && !hostname) {
			values[domains] = v;
			counts[domains++] = 0;
		}
	}
	double weight = log((double)(hostname ? len - ignored : domains) + 2);
	struct sched_node_info *const *nodes = sched_cache_list(cache, &n);
	for (size_t i = 0; i < n && !hostname; i++) {
		const char *v = node_label(nodes[i], key);
		for (size_t d = 0; v && d < domains; d++)
			if (!strcmp(values[d], v))
				counts[d] += naive_count(nodes[i], sel, pod->obj.meta.namespace);
	}
	int64_t min = INT64_MAX, max = 0;
	for (size_t k = 0; k < len; k++) {
		const char *v = node_label(feasible[k], key);
		if (!v) {
			out[k] = -1;
			continue;
		}
		int64_t count = 0;
		if (hostname)
			count = naive_count(feasible[k], sel, pod->obj.meta.namespace);
		for (size_t d = 0; !hostname && d < domains; d++)
			if (!strcmp(values[d], v))
				count = counts[d];
		out[k] = (int64_t)round((double)count * weight + (max_skew - 1));
		if (out[k] < min)
			min = out[k];
		if (out[k] > max)
			max = out[k];
	}
	for (size_t k = 0; k < len; k++)
		out[k] = out[k] < 0 ? 0 : max == 0 ? 100 : 100 * (max + min - out[k]) / max;
}

static const char *const selectors[] = {
	"app=a", "app in (a,b)", "app=b,tier=y", "tier!=x", "app", "!tier",
	"app notin (c)", "app=a,tier in (x,y)", "",
};

static void random_pod_labels(struct prng *rng, char *buf, size_t size)
{
	static const char *const apps[] = { "a", "b", "c" };
	static const char *const tiers[] = { "x", "y" };
	buf[0] = '\0';
	if (prng_below(rng, 5))
		snprintf(buf, size, "app=%s", apps[prng_below(rng, 3)]);
	if (prng_below(rng, 2))
		snprintf(buf + strlen(buf), size - strlen(buf), "%stier=%s", buf[0] ? "," : "",
			 tiers[prng_below(rng, 2)]);
}

START_TEST(test_indexed_counts_agree_with_a_walk_over_every_pod)
{
	struct prng rng;
	prng_seed(&rng, 2026);
	size_t rejected = 0, admitted = 0, distinct_scores = 0;
	for (int round = 0; round < 40; round++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		size_t n_nodes = 2 + prng_below(&rng, 12);
		char **names = xcalloc(n_nodes, sizeof(*names));
		for (size_t i = 0; i < n_nodes; i++) {
			names[i] = xasprintf("node-%zu", i);
			char *labels = prng_below(&rng, 8)
				? xasprintf(HOSTNAME "=%s,zone=z%u", names[i],
					    (unsigned)prng_below(&rng, 3))
				: xasprintf(HOSTNAME "=%s", names[i]);
			add_node(&cache, names[i], labels);
			free(labels);
		}
		/* pods come and go, so the index is exercised by removals */
		size_t n_pods = prng_below(&rng, 60);
		for (size_t k = 0; k < n_pods; k++) {
			char labels[64], name[32];
			random_pod_labels(&rng, labels, sizeof(labels));
			snprintf(name, sizeof(name), "p%zu", k);
			struct pod *p = pod_new(name, prng_below(&rng, 4) ? NULL : "other", labels);
			if (!prng_below(&rng, 8))
				p->obj.meta.deletion_timestamp = 1;
			p->spec.node_name = xstrdup(names[prng_below(&rng, n_nodes)]);
			sched_cache_add_pod(&cache, p);
			if (!prng_below(&rng, 6))
				sched_cache_remove_pod(&cache, p->obj.meta.uid);
			object_unref(&p->obj);
		}
		ck_assert(sched_labels_check(&cache));

		const char *text = selectors[prng_below(&rng, LEN(selectors))];
		struct selector sel;
		ck_assert_int_eq(selector_parse(text, &sel, NULL), 0);
		char labels[64];
		random_pod_labels(&rng, labels, sizeof(labels));
		struct pod *p = pod_new("incoming", NULL, labels);
		struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
		c->max_skew = 1 + (int32_t)prng_below(&rng, 2);
		c->topology_key = xstrdup("zone");
		c->when_unsatisfiable = xstrdup("DoNotSchedule");
		/* the same selector in the API form */
		for (size_t r = 0; r < sel.len; r++) {
			static const char *const ops[] = {
				[SELECTOR_EQUALS] = "In", [SELECTOR_NOT_EQUALS] = "NotIn",
				[SELECTOR_IN] = "In", [SELECTOR_NOT_IN] = "NotIn",
				[SELECTOR_EXISTS] = "Exists", [SELECTOR_DOES_NOT_EXIST] = "DoesNotExist",
			};
			struct selector_requirement_spec *req =
				APPEND(c->label_selector.match_expressions);
			req->key = xstrdup(sel.reqs[r].key);
			req->operator = xstrdup(ops[sel.reqs[r].op]);
			for (size_t v = 0; v < sel.reqs[r].values_len; v++)
				*APPEND(req->values) = xstrdup(sel.reqs[r].values[v]);
		}

		enum sched_code *codes = xcalloc(n_nodes, sizeof(*codes));
		const char **reasons = xcalloc(n_nodes, sizeof(*reasons));
		filter_nodes(&cache, p, NULL, (const char *const *)names, n_nodes, codes, reasons);
		for (size_t i = 0; i < n_nodes; i++)
			codes[i] == SCHED_SUCCESS ? admitted++ : rejected++;
		for (size_t i = 0; i < n_nodes; i++)
			ck_assert_msg(codes[i] == naive_filter(&cache, p, &sel, c->max_skew,
							       sched_cache_node(&cache, names[i])),
				      "round %d, selector '%s', %s", round, text, names[i]);

		/* Score: a random subset of the nodes is feasible. */
		free(c->when_unsatisfiable);
		c->when_unsatisfiable = xstrdup("ScheduleAnyway");
		const char *key = prng_below(&rng, 2) ? "zone" : HOSTNAME;
		free(c->topology_key);
		c->topology_key = xstrdup(key);
		const char **feasible = xcalloc(n_nodes, sizeof(*feasible));
		struct sched_node_info **infos = xcalloc(n_nodes, sizeof(*infos));
		size_t len = 0;
		for (size_t i = 0; i < n_nodes; i++)
			if (prng_below(&rng, 3)) {
				feasible[len] = names[i];
				infos[len++] = (struct sched_node_info *)sched_cache_node(&cache, names[i]);
			}
		int64_t *got = xcalloc(len + 1, sizeof(*got));
		int64_t *want = xcalloc(len + 1, sizeof(*want));
		ck_assert(score_nodes(&cache, p, NULL, feasible, len, got));
		naive_score(&cache, p, &sel, c->max_skew, key, infos, len, want);
		for (size_t k = 1; k < len; k++)
			distinct_scores += got[k] != got[0];
		for (size_t k = 0; k < len; k++)
			ck_assert_msg(got[k] == want[k], "round %d, '%s' on %s, %s: %lld != %lld",
				      round, text, key, feasible[k], (long long)got[k],
				      (long long)want[k]);

		free(got);
		free(want);
		free(feasible);
		free(infos);
		free(codes);
		free(reasons);
		selector_release(&sel);
		object_unref(&p->obj);
		for (size_t i = 0; i < n_nodes; i++)
			free(names[i]);
		free(names);
		sched_cache_release(&cache);
	}
	/* the rounds are not all alike: both verdicts and varied scores */
	ck_assert_uint_gt(rejected, 10);
	ck_assert_uint_gt(admitted, 10);
	ck_assert_uint_gt(distinct_scores, 10);
}
END_TEST

/* Upstream's PreScore + Score + NormalizeScore with the System default
 * constraints (hostname maxSkew 3, zone maxSkew 5) and selector sel,
 * over feasible[]: nodes without a zone are in the domain "" and ignored
 * by no one. */
#define ZONE "topology.kubernetes.io/zone"
static void naive_default_score(struct sched_cache *cache, const struct pod *pod,
				const struct selector *sel, struct sched_node_info **feasible,
				size_t len, int64_t *out)
{
	const char *values[64];
	int64_t counts[64];
	size_t domains = 0, n;
	for (size_t k = 0; k < len; k++) {
		const char *v = node_label(feasible[k], ZONE);
		v = v ? v : "";
		size_t d = 0;
		while (d < domains && strcmp(values[d], v))
			d++;
		if (d == domains) {
			values[domains] = v;
			counts[domains++] = 0;
		}
	}
	double zone_weight = log((double)domains + 2), host_weight = log((double)len + 2);
	struct sched_node_info *const *nodes = sched_cache_list(cache, &n);
	for (size_t i = 0; i < n; i++) {
		const char *v = node_label(nodes[i], ZONE);
		v = v ? v : "";
		for (size_t d = 0; d < domains; d++)
			if (!strcmp(values[d], v))
				counts[d] += naive_count(nodes[i], sel, pod->obj.meta.namespace);
	}
	int64_t min = INT64_MAX, max = 0;
	for (size_t k = 0; k < len; k++) {
		double score = 0;
		if (node_label(feasible[k], HOSTNAME))
			score += (double)naive_count(feasible[k], sel, pod->obj.meta.namespace) *
				 host_weight + 2;
		const char *v = node_label(feasible[k], ZONE);
		for (size_t d = 0; v && d < domains; d++)
			if (!strcmp(values[d], v))
				score += (double)counts[d] * zone_weight + 4;
		out[k] = (int64_t)round(score);
		if (out[k] < min)
			min = out[k];
		if (out[k] > max)
			max = out[k];
	}
	for (size_t k = 0; k < len; k++)
		out[k] = max == 0 ? 100 : 100 * (max + min - out[k]) / max;
}

/* Score for nodes[] of two pods whose PreScore states are alive at once,
 * each pod's nodes scored last to first: a cycle's state must not leak
 * into another's, nor depend on the order Score is called in. */
static void score_two_at_once(struct sched_cache *cache, const struct pod *a,
			      const struct pod *b, struct sched_node_info **nodes, size_t len,
			      int64_t *out_a, int64_t *out_b)
{
	struct sched_state sa, sb;
	sched_state_init(&sa, a, cache);
	sched_state_init(&sb, b, cache);
	ck_assert(plugin->pre_score(&sa, a, nodes, len) != SCHED_SKIP);
	ck_assert(plugin->pre_score(&sb, b, nodes, len) != SCHED_SKIP);
	for (size_t k = len; k-- > 0;) {
		out_b[k] = plugin->score(&sb, b, nodes[k]);
		out_a[k] = plugin->score(&sa, a, nodes[k]);
	}
	plugin->normalize_score(&sa, a, out_a, len);
	plugin->normalize_score(&sb, b, out_b, len);
	sched_state_release(&sa);
	sched_state_release(&sb);
}

START_TEST(test_default_constraints_agree_with_upstreams_rules_on_random_clusters)
{
	struct engine *engine = engine_new();
	struct clock clock = engine_clock(engine);
	struct store *store = store_new(&clock, 1);
	static const char *const apps[] = { "a", "b" };
	for (size_t i = 0; i < LEN(apps); i++) {
		struct service *svc = (struct service *)object_new(&service_kind);
		svc->obj.meta.name = xasprintf("svc-%s", apps[i]);
		svc->obj.meta.namespace = xstrdup("default");
		strmap_set(&svc->spec.selector, "app", apps[i]);
		ck_assert_int_eq(store_create(store, &svc->obj, NULL), API_OK);
	}
	struct prng rng;
	prng_seed(&rng, 34);
	size_t distinct_scores = 0;
	for (int round = 0; round < 40; round++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		cache.store = store;
		size_t n_nodes = 2 + prng_below(&rng, 14), zones = 1 + prng_below(&rng, 4);
		char **names = xcalloc(n_nodes, sizeof(*names));
		for (size_t i = 0; i < n_nodes; i++) {
			names[i] = xasprintf("node-%zu", i);
			unsigned shape = (unsigned)prng_below(&rng, 10);
			char *labels = shape == 0 ? xasprintf(HOSTNAME "=%s", names[i])
				: shape == 1 ? xasprintf(ZONE "=z%u", (unsigned)prng_below(&rng, zones))
				: xasprintf(HOSTNAME "=%s," ZONE "=z%u", names[i],
					    (unsigned)prng_below(&rng, zones));
			add_node(&cache, names[i], labels);
			free(labels);
		}
		size_t n_pods = prng_below(&rng, 60);
		for (size_t k = 0; k < n_pods; k++) {
			char labels[64], name[32];
			random_pod_labels(&rng, labels, sizeof(labels));
			snprintf(name, sizeof(name), "p%zu", k);
			add_pod(&cache, name, NULL, labels, names[prng_below(&rng, n_nodes)]);
		}
		struct pod *pa = pod_new("incoming-a", NULL, "app=a");
		struct pod *pb = pod_new("incoming-b", NULL, "app=b,tier=x");
		struct selector sa, sb;
		ck_assert_int_eq(selector_parse("app=a", &sa, NULL), 0);
		ck_assert_int_eq(selector_parse("app=b", &sb, NULL), 0);
		const char **feasible = xcalloc(n_nodes, sizeof(*feasible));
		struct sched_node_info **infos = xcalloc(n_nodes, sizeof(*infos));
		size_t len = 0;
		for (size_t i = 0; i < n_nodes; i++)
			if (prng_below(&rng, 3)) {
				feasible[len] = names[i];
				infos[len++] = (struct sched_node_info *)sched_cache_node(&cache, names[i]);
			}
		int64_t *got = xcalloc(len + 1, sizeof(*got));
		int64_t *want = xcalloc(len + 1, sizeof(*want));
		int64_t *got_a = xcalloc(len + 1, sizeof(*got_a));
		int64_t *got_b = xcalloc(len + 1, sizeof(*got_b));
		ck_assert(score_nodes(&cache, pa, NULL, feasible, len, got));
		naive_default_score(&cache, pa, &sa, infos, len, want);
		for (size_t k = 1; k < len; k++)
			distinct_scores += got[k] != got[0];
		for (size_t k = 0; k < len; k++)
			ck_assert_msg(got[k] == want[k], "round %d, %s: %lld != %lld", round,
				      feasible[k], (long long)got[k], (long long)want[k]);
		if (len) {
			score_two_at_once(&cache, pa, pb, infos, len, got_a, got_b);
			naive_default_score(&cache, pb, &sb, infos, len, want);
			for (size_t k = 0; k < len; k++) {
				ck_assert_int_eq(got_a[k], got[k]);
				ck_assert_int_eq(got_b[k], want[k]);
			}
		}
		free(got);
		free(want);
		free(got_a);
		free(got_b);
		free(feasible);
		free(infos);
		selector_release(&sa);
		selector_release(&sb);
		object_unref(&pa->obj);
		object_unref(&pb->obj);
		for (size_t i = 0; i < n_nodes; i++)
			free(names[i]);
		free(names);
		sched_cache_release(&cache);
	}
	ck_assert_uint_gt(distinct_scores, 10);
	store_free(store);
	engine_free(engine);
}
END_TEST

/* sched_cache_visit_matching against a scan of every booked pod. */
static void count_visit(void *arg, const struct sched_pod_info *pod)
{
	(void)pod;
	(*(size_t *)arg)++;
}

START_TEST(test_label_index_visits_exactly_the_matching_pods)
{
	struct prng rng;
	prng_seed(&rng, 7);
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "n1", NULL);
	add_node(&cache, "n2", NULL);
	for (int k = 0; k < 300; k++) {
		char labels[64], name[32];
		random_pod_labels(&rng, labels, sizeof(labels));
		snprintf(name, sizeof(name), "p%d", (int)prng_below(&rng, 120));
		struct pod *p = pod_new(name, prng_below(&rng, 3) ? NULL : "other", labels);
		if (prng_below(&rng, 4)) {
			p->spec.node_name = xstrdup(prng_below(&rng, 2) ? "n1" : "n2");
			sched_cache_add_pod(&cache, p);	/* adds, moves or relabels */
		} else {
			sched_cache_remove_pod(&cache, p->obj.meta.uid);
		}
		object_unref(&p->obj);
		ck_assert(sched_labels_check(&cache));
	}
	for (size_t s = 0; s < LEN(selectors); s++) {
		struct selector sel;
		ck_assert_int_eq(selector_parse(selectors[s], &sel, NULL), 0);
		for (int ns = 0; ns < 2; ns++) {
			const char *name = ns ? "other" : "default";
			size_t visited = 0, want = 0;
			size_t returned = sched_cache_visit_matching(&cache, name, &sel,
								     count_visit, &visited);
			const char *key;
			void *value;
			for (size_t pos = 0; hashmap_next(&cache.pods, &pos, &key, &value);) {
				const struct pod *p = ((struct sched_pod_info *)value)->pod;
				want += !strcmp(p->obj.meta.namespace, name) &&
					selector_matches(&sel, &p->obj.meta.labels);
			}
			ck_assert_uint_eq(visited, want);
			ck_assert_uint_eq(returned, want);
			ck_assert_uint_ge(sched_cache_count_candidates(&cache, name, &sel), want);
		}
		/* every namespace at once (InterPodAffinity's namespaceSelector {}) */
		size_t visited = 0, want = 0;
		sched_cache_visit_matching_anywhere(&cache, &sel, count_visit, &visited);
		const char *key;
		void *value;
		for (size_t pos = 0; hashmap_next(&cache.pods, &pos, &key, &value);)
			want += selector_matches(&sel, &((struct sched_pod_info *)value)->pod->obj.meta.labels);
		ck_assert_uint_eq(visited, want);
		selector_release(&sel);
	}
	sched_cache_release(&cache);
}
END_TEST

/* The cache's count of listed nodes per topology value (which lets
 * PreFilter list the domains without walking the nodes) follows nodes
 * that come, change zone, lose the label, go and come back; keys
 * registered late start from the nodes already there. */
START_TEST(test_topology_counts_follow_nodes_as_they_change)
{
	static const char *const zones[] = { "zone=z1", "zone=z2", "zone=z3", "", "zone=" };
	struct prng rng;
	prng_seed(&rng, 5);
	struct sched_cache cache;
	sched_cache_init(&cache);
	uint32_t zone = sched_cache_topology_key(&cache, "zone");
	for (int step = 0; step < 400; step++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", (int)prng_below(&rng, 12));
		if (prng_below(&rng, 4) == 0)
			sched_cache_remove_node(&cache, name);
		else
			add_node(&cache, name, zones[prng_below(&rng, 5)]);
		if (step == 200)
			sched_cache_topology_key(&cache, "rack");	/* registered late */
		ck_assert(sched_topology_check(&cache));
		size_t n, absent = 0;
		struct sched_node_info *const *nodes = sched_cache_list(&cache, &n);
		for (size_t i = 0; i < n; i++)
			absent += sched_node_topology(nodes[i], zone) == SCHED_TOPOLOGY_ABSENT;
		ck_assert_uint_eq(sched_cache_topology_listed(&cache, zone, SCHED_TOPOLOGY_ABSENT),
				  absent);
	}
	sched_cache_release(&cache);
}
END_TEST

/* A matchExpressions "In" may list a value twice (only the string syntax
 * de-duplicates): each pod still counts once. */
START_TEST(test_label_index_visits_a_pod_once_for_a_repeated_value)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, "n1", NULL);
	add_pod(&cache, "p1", NULL, "app=a", "n1");
	add_pod(&cache, "p2", NULL, "app=a", "n1");
	add_pod(&cache, "p3", NULL, "app=b", "n1");
	const char *values[] = { "a", "a" };
	struct selector_expression expr = { "app", "In", values, 2 };
	struct selector sel;
	ck_assert_int_eq(selector_from_parts(NULL, &expr, 1, &sel, NULL), 0);
	size_t visited = 0;
	ck_assert_uint_eq(sched_cache_visit_matching(&cache, "default", &sel, count_visit,
						     &visited), 2);
	ck_assert_uint_eq(visited, 2);
	ck_assert_uint_eq(sched_cache_count_candidates(&cache, "default", &sel), 2);
	selector_release(&sel);
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_topology_spread_suite(void)
{
	Suite *s = suite_create("sched_topology_spread");
	TCase *tc = tcase_create("filter");
	tcase_add_test(tc, test_filter_counts_only_pods_of_the_pods_namespace);
	tcase_add_test(tc, test_filter_admits_every_node_when_zones_are_even);
	tcase_add_test(tc, test_filter_rejects_node_without_topology_key_for_good);
	tcase_add_test(tc, test_filter_treats_global_minimum_as_zero_below_min_domains);
	tcase_add_test(tc, test_filter_node_affinity_policy_decides_which_domains_count);
	tcase_add_test(tc, test_filter_node_taints_policy_honor_drops_untolerated_nodes);
	tcase_add_test(tc, test_filter_match_label_keys_narrow_the_selector_to_the_pods_values);
	tcase_add_test(tc, test_filter_sees_pods_removed_from_or_added_to_a_scratch_copy);
	tcase_add_test(tc, test_pods_without_hard_constraints_skip_the_filter);
	suite_add_tcase(s, tc);
	tc = tcase_create("score");
	tcase_add_test(tc, test_score_on_hostname_with_max_skew_1_2_and_3);
	tcase_add_test(tc, test_score_without_selector_counts_no_pods);
	tcase_add_test(tc, test_score_ignores_candidates_missing_the_key);
	tcase_add_test(tc, test_score_on_zone_counts_pods_of_failed_nodes_in_the_zone);
	tcase_add_test(tc, test_score_sums_zone_and_hostname_constraints);
	tcase_add_test(tc, test_score_with_different_selectors_per_constraint);
	tcase_add_test(tc, test_score_leaves_out_other_namespaces_and_terminating_pods);
	tcase_add_test(tc, test_score_inclusion_policies_decide_which_pods_count);
	tcase_add_test(tc, test_score_match_label_keys_are_anded_with_the_selector);
	suite_add_tcase(s, tc);
	tc = tcase_create("defaults");
	tcase_add_test(tc, test_system_defaults_spread_pods_selected_by_a_service);
	tcase_add_test(tc, test_default_selector_comes_from_the_controlling_replicaset);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_test(tc, test_indexed_counts_agree_with_a_walk_over_every_pod);
	tcase_add_test(tc, test_default_constraints_agree_with_upstreams_rules_on_random_clusters);
	tcase_add_test(tc, test_label_index_visits_exactly_the_matching_pods);
	tcase_add_test(tc, test_label_index_visits_a_pod_once_for_a_repeated_value);
	tcase_add_test(tc, test_topology_counts_follow_nodes_as_they_change);
	suite_add_tcase(s, tc);
	return s;
}
