/* test_sched_inter_pod_affinity.c - the InterPodAffinity plugin.
 *
 * Filter and score tables follow upstream's filtering_test.go
 * (TestRequiredAffinitySingleNode) and scoring_test.go (TestPreferred-
 * Affinity, ...WithHardPodAffinitySymmetricWeight): same nodes, pods and
 * labels, same verdicts and normalized scores. Namespaces with labels live
 * in a real store, as the plugin reads them through its lister. A last test
 * builds random clusters and checks that counting through the cache's label
 * index gives exactly the verdicts and scores of the plain walk over every
 * pod, while pods come and go.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "engine.h"
#include "prng.h"
#include "sched_args.h"
#include "sched_framework.h"
#include "sched_inter_pod_affinity.h"
#include "sched_nodeinfo.h"
#include "sched_nodeinfo_affinity.h"
#include "store.h"
#include "xmalloc.h"

Suite *sched_inter_pod_affinity_suite(void);

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

/* ---- a small world: a cache, and a store holding the namespaces ---------- */

struct world {
	struct engine *engine;
	struct clock clock;
	struct store *store;
	struct sched_cache cache;
	struct sched_inter_pod_affinity_args args;
	bool use_args;
};

static void add_namespace(struct world *w, const char *name, const char *team)
{
	struct namespace *ns = (struct namespace *)object_new(&namespace_kind);
	ns->obj.meta.name = xstrdup(name);
	strmap_set(&ns->obj.meta.labels, "team", team);
	struct api_status status;
	ck_assert_int_eq(store_create(w->store, &ns->obj, &status), API_OK);
}

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->engine = engine_new();
	w->clock = engine_clock(w->engine);
	w->store = store_new(&w->clock, 1);
	add_namespace(w, "subteam1.team1", "team1");
	add_namespace(w, "subteam2.team1", "team1");
	add_namespace(w, "subteam1.team2", "team2");
	add_namespace(w, "subteam2.team2", "team2");
	sched_cache_init(&w->cache);
}

static void world_release(struct world *w)
{
	ck_assert(sched_cache_check(&w->cache));
	ck_assert(sched_affinity_index_check(&w->cache));
	sched_cache_release(&w->cache);
	store_free(w->store);
	engine_free(w->engine);
}

/* "k=v,k=v" -> labels */
static void set_labels(struct strmap *labels, const char *text)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		*eq = '\0';
		strmap_set(labels, kv, eq + 1);
	}
	free(copy);
}

static void add_node(struct world *w, const char *name, const char *labels)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	set_labels(&n->obj.meta.labels, labels);
	sched_cache_set_node(&w->cache, n);
	object_unref(&n->obj);
}

static struct pod *pod_new(const char *name, const char *ns, const char *labels)
{
	static int seq;
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup(ns ? ns : "default");
	p->obj.meta.uid = xasprintf("uid-%s-%d", name, seq++);
	set_labels(&p->obj.meta.labels, labels);
	APPEND(p->spec.containers)->name = xstrdup("app");
	return p;
}

/* Books p on node_name and drops the caller's reference. */
static void bind(struct world *w, struct pod *p, const char *node_name)
{
	p->spec.node_name = xstrdup(node_name);
	sched_cache_add_pod(&w->cache, p);
	object_unref(&p->obj);
}

enum kind { AFFINITY, ANTI };

/* Adds a term to pod: weight 0 = required. The selector is one
 * requirement "key op v1,v2"; ns_names "a,b" (NULL: none); ns_team: a
 * namespaceSelector team In (ns_team) (NULL: none). */
static void term(struct pod *p, enum kind kind, int32_t weight, const char *topology,
		 const char *key, const char *op, const char *values,
		 const char *ns_names, const char *ns_team)
{
	struct pod_affinity *a = kind == AFFINITY ? &p->spec.affinity.pod_affinity
						  : &p->spec.affinity.pod_anti_affinity;
	struct pod_affinity_term *t;
	if (weight) {
		struct weighted_pod_affinity_term *wt =
			APPEND(a->preferred_during_scheduling_ignored_during_execution);
		wt->weight = weight;
		t = &wt->pod_affinity_term;
	} else {
		t = APPEND(a->required_during_scheduling_ignored_during_execution);
	}
	t->topology_key = xstrdup(topology);
	struct selector_requirement_spec *r = APPEND(t->label_selector.match_expressions);
	r->key = xstrdup(key);
	r->operator = xstrdup(op);
	if (values) {
		char *copy = xstrdup(values), *save = NULL;
		for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save))
			*APPEND(r->values) = xstrdup(v);
		free(copy);
	}
	if (ns_names) {
		char *copy = xstrdup(ns_names), *save = NULL;
		for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save))
			*APPEND(t->namespaces) = xstrdup(v);
		free(copy);
	}
	if (ns_team) {
		struct selector_requirement_spec *n =
			APPEND(t->namespace_selector.match_expressions);
		n->key = xstrdup("team");
		n->operator = xstrdup("In");
		*APPEND(n->values) = xstrdup(ns_team);
	}
}

/* ---- asking the plugin ---------------------------------------------------- */

static const struct sched_plugin *const pl = &sched_inter_pod_affinity_plugin;

static void state_init(struct world *w, struct sched_state *state, const struct pod *pod)
{
	sched_state_init(state, pod, &w->cache);
	state->store = w->store;
	if (w->use_args)
		state->args[SCHED_PLUGIN_INTER_POD_AFFINITY] = &w->args;
}

/* PreFilter (Skip passes every node), then Filter on node_name; the
 * reason, when rejected, into *reason. */
static enum sched_code filter(struct world *w, const struct pod *pod,
			      const char *node_name, const char **reason)
{
	static char text[SCHED_STATUS_TEXT_MAX];
	struct sched_state state;
	struct sched_status status;
	state_init(w, &state, pod);
	sched_status_reset(&status);
	enum sched_code code = pl->pre_filter(&state, pod, &status);
	if (code == SCHED_SKIP) {
		code = SCHED_SUCCESS;
	} else if (code == SCHED_SUCCESS) {
		code = pl->filter(&state, pod, sched_cache_node(&w->cache, node_name), &status);
	}
	*reason = "";
	if (code != SCHED_SUCCESS) {
		snprintf(text, sizeof(text), "%s", status.reasons[0]);
		*reason = text;
	}
	sched_state_release(&state);
	return code;
}

/* PreScore over the named nodes, Score, NormalizeScore. false: Skip. */
static bool score(struct world *w, const struct pod *pod, const char *const *names,
		  size_t n, int64_t *scores, bool normalize)
{
	struct sched_state state;
	state_init(w, &state, pod);
	struct sched_node_info *nodes[16];
	for (size_t i = 0; i < n; i++)
		nodes[i] = (struct sched_node_info *)sched_cache_node(&w->cache, names[i]);
	if (pl->pre_score(&state, pod, nodes, n) == SCHED_SKIP) {
		sched_state_release(&state);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		scores[i] = pl->score(&state, pod, nodes[i]);
	if (normalize)
		pl->normalize_score(&state, pod, scores, n);
	sched_state_release(&state);
	return true;
}

#define R_AFFINITY "node(s) didn't match pod affinity rules"
#define R_ANTI "node(s) didn't match pod anti-affinity rules"
#define R_EXISTING "node(s) didn't satisfy existing pods anti-affinity rules"

/* ---- Filter --------------------------------------------------------------- */

START_TEST(test_pod_without_affinity_skips_in_a_cluster_without_affinity)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1,zone=z11");
	bind(&w, pod_new("existing", NULL, "service=securityscan"), "node1");
	struct pod *p = pod_new("p", NULL, "security=S1");
	struct sched_state state;
	struct sched_status status;
	state_init(&w, &state, p);
	ck_assert_int_eq(pl->pre_filter(&state, p, &status), SCHED_SKIP);
	ck_assert_int_eq(pl->pre_score(&state, p, NULL, 1), SCHED_SKIP);
	sched_state_release(&state);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* Upstream: "satisfies with requiredDuringSchedulingIgnoredDuringExecution
 * in PodAffinity using In operator that matches the existing pod", "Does
 * not satisfy the PodAffinity with labelSelector because of diff
 * Namespace", "Doesn't satisfy the PodAffinity because of unmatching
 * labelSelector with the existing pod". */
START_TEST(test_required_affinity_needs_a_matching_pod_in_the_domain)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1,zone=z11");
	add_node(&w, "node2", "region=r2,zone=z21");
	bind(&w, pod_new("existing", NULL, "service=securityscan"), "node1");
	const char *reason;

	struct pod *p = pod_new("p", NULL, "security=S1");
	term(p, AFFINITY, 0, "region", "service", "In", "securityscan,value2", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_SUCCESS);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, R_AFFINITY);
	object_unref(&p->obj);

	p = pod_new("p", NULL, "security=S1");
	term(p, AFFINITY, 0, "region", "service", "In", "securityscan", "DiffNameSpace", NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, R_AFFINITY);
	object_unref(&p->obj);

	p = pod_new("p", NULL, "security=S1");
	term(p, AFFINITY, 0, "region", "service", "In", "antivirusscan,value2", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* Upstream: "satisfies the PodAffinity but doesn't satisfy the
 * PodAntiAffinity with the existing pod", and its symmetry case
 * "satisfies the PodAntiAffinity with existing pod but doesn't satisfy
 * PodAntiAffinity symmetry with incoming pod". */
START_TEST(test_anti_affinity_both_ways_is_unschedulable)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1,zone=z11");
	add_node(&w, "node2", "region=r1,zone=z12");
	const char *reason;

	struct pod *existing = pod_new("existing", NULL, "service=securityscan");
	term(existing, ANTI, 0, "zone", "security", "In", "S1", NULL, NULL);
	bind(&w, existing, "node1");

	struct pod *p = pod_new("p", NULL, "security=S1");
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(reason, R_EXISTING);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_SUCCESS);
	object_unref(&p->obj);

	p = pod_new("p", NULL, "security=S2");
	term(p, AFFINITY, 0, "region", "service", "In", "securityscan", NULL, NULL);
	term(p, ANTI, 0, "zone", "service", "In", "securityscan", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(reason, R_ANTI);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_SUCCESS);	/* same region */
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* Upstream: "pod matches its own Label in PodAffinity and that matches the
 * existing pod Labels" and the first-pod rule of satisfyPodAffinity. */
START_TEST(test_first_pod_of_a_self_affine_group_may_go_anywhere_with_the_keys)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1,zone=z11");
	add_node(&w, "node2", "zone=z21");	/* no region label */
	bind(&w, pod_new("other", NULL, "app=web"), "node1");
	const char *reason;

	struct pod *p = pod_new("p", NULL, "app=cache");
	term(p, AFFINITY, 0, "region", "app", "In", "cache", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_SUCCESS);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	object_unref(&p->obj);

	/* Not its own match: no exception. */
	p = pod_new("p", NULL, "app=web");
	term(p, AFFINITY, 0, "region", "app", "In", "cache", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, R_AFFINITY);
	object_unref(&p->obj);

	/* Once one cache pod runs, the others must join its domain. */
	bind(&w, pod_new("cache-0", NULL, "app=cache"), "node2");
	p = pod_new("p", NULL, "app=cache");
	term(p, AFFINITY, 0, "zone", "app", "In", "cache", NULL, NULL);
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* Upstream: "affinity with NamespaceSelector" / "anti-affinity with
 * NamespaceSelector" cases: the selector picks namespaces by their labels,
 * for the incoming pod's terms and for the existing pods' terms alike. */
START_TEST(test_namespace_selector_selects_namespaces_by_label)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1,zone=z11");
	add_node(&w, "node2", "region=r2,zone=z21");
	bind(&w, pod_new("a", "subteam2.team1", "service=securityscan"), "node1");
	bind(&w, pod_new("b", "subteam1.team2", "service=securityscan"), "node2");
	const char *reason;

	struct pod *p = pod_new("p", "subteam1.team1", "security=S1");
	term(p, AFFINITY, 0, "region", "service", "In", "securityscan", NULL, "team1");
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_SUCCESS);
	ck_assert_int_eq(filter(&w, p, "node2", &reason), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	object_unref(&p->obj);

	/* An existing pod's anti-affinity reaches namespaces labelled team2. */
	struct pod *e = pod_new("e", "subteam1.team1", "x=y");
	term(e, ANTI, 0, "zone", "security", "In", "S1", NULL, "team2");
	bind(&w, e, "node1");
	p = pod_new("p", "subteam2.team2", "security=S1");
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(reason, R_EXISTING);
	object_unref(&p->obj);
	p = pod_new("p", "subteam2.team1", "security=S1");
	ck_assert_int_eq(filter(&w, p, "node1", &reason), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_invalid_selector_rejects_the_pod_at_pre_filter)
{
	struct world w;
	world_init(&w);
	add_node(&w, "node1", "region=r1");
	struct pod *p = pod_new("p", NULL, NULL);
	term(p, AFFINITY, 0, "region", "security", "In", "{{.bad-value.}}", NULL, NULL);
	struct sched_state state;
	struct sched_status status;
	state_init(&w, &state, p);
	sched_status_reset(&status);
	ck_assert_int_eq(pl->pre_filter(&state, p, &status), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_ptr_nonnull(strstr(status.reasons[0], "parsing pod: "));
	sched_state_release(&state);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* ---- Score (TestPreferredAffinity) ---------------------------------------- */

static const char *const n3[] = { "node1", "node2", "node3" };
static const char *const n5[] = { "node1", "node2", "node3", "node4", "node5" };

static void three_nodes(struct world *w, const char *l1, const char *l2, const char *l3)
{
	add_node(w, "node1", l1);
	add_node(w, "node2", l2);
	add_node(w, "node3", l3);
}

static void assert_scores(const int64_t *got, const int64_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "node%zu: score %lld, want %lld", i + 1,
			      (long long)got[i], (long long)want[i]);
}

static struct pod *stay_with(const char *name, const char *labels, const char *security,
			     int32_t weight)
{
	struct pod *p = pod_new(name, NULL, labels);
	term(p, AFFINITY, weight, "region", "security", "In", security, NULL, NULL);
	return p;
}

START_TEST(test_preferred_affinity_scores_the_matching_region)
{
	struct world w;
	world_init(&w);
	int64_t s[5];
	three_nodes(&w, "region=China", "region=India", "az=az1");
	bind(&w, pod_new("a", NULL, "security=S1"), "node1");
	bind(&w, pod_new("b", NULL, "security=S2"), "node2");
	bind(&w, pod_new("c", NULL, "security=S1"), "node3");
	struct pod *p = stay_with("p", "security=S1", "S1", 5);
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 100, 0, 0 }, 3);
	object_unref(&p->obj);

	/* "different Label operators and values ... including some match
	 * failures": 8 for NotIn S1 + In S2, 2 for Exists security. */
	p = pod_new("p", NULL, "security=S1");
	term(p, AFFINITY, 8, "region", "security", "In", "S2", NULL, NULL);
	struct selector_requirement_spec *r = APPEND(p->spec.affinity.pod_affinity
		.preferred_during_scheduling_ignored_during_execution.items[0]
		.pod_affinity_term.label_selector.match_expressions);
	r->key = xstrdup("security");
	r->operator = xstrdup("NotIn");
	*APPEND(r->values) = xstrdup("S1");
	term(p, AFFINITY, 2, "region", "security", "Exists", NULL, NULL, NULL);
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 20, 100, 0 }, 3);
	object_unref(&p->obj);
	world_release(&w);

	/* "nodes in one region has more matching pods comparing to other
	 * region, so the region which has more matches will get high score" */
	world_init(&w);
	add_node(&w, "node1", "region=China");
	add_node(&w, "node2", "region=India");
	add_node(&w, "node3", "region=China");
	add_node(&w, "node4", "region=China");
	add_node(&w, "node5", "region=India");
	const char *at[] = { "node1", "node1", "node2", "node3", "node4", "node5" };
	for (size_t i = 0; i < 6; i++)
		bind(&w, pod_new("x", NULL, "security=S2"), at[i]);
	p = stay_with("p", "security=S1", "S2", 6);
	ck_assert(score(&w, p, n5, 5, s, true));
	assert_scores(s, (int64_t[]){ 100, 0, 100, 100, 0 }, 5);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_preferred_anti_affinity_and_symmetry)
{
	struct world w;
	world_init(&w);
	int64_t s[4];
	/* "Anti Affinity: one node has more matching pods comparing to other
	 * node, so the node which has more unmatches will get high score" */
	add_node(&w, "node1", "az=az1");
	add_node(&w, "node2", "region=India");
	bind(&w, pod_new("a", NULL, "security=S1"), "node1");
	bind(&w, pod_new("b", NULL, "security=S1"), "node1");
	bind(&w, pod_new("c", NULL, "security=S2"), "node2");
	struct pod *p = pod_new("p", NULL, "security=S1");
	term(p, ANTI, 5, "az", "security", "In", "S1", NULL, NULL);
	ck_assert(score(&w, p, n3, 2, s, true));
	assert_scores(s, (int64_t[]){ 0, 100 }, 2);
	object_unref(&p->obj);
	world_release(&w);

	/* "Affinity symmetry: considered only the preferredDuring... in pod
	 * affinity symmetry" */
	world_init(&w);
	three_nodes(&w, "region=China", "region=India", "az=az1");
	bind(&w, stay_with("a", "security=S1", "S1", 5), "node1");
	bind(&w, stay_with("b", "security=S2", "S2", 6), "node2");
	p = pod_new("p", NULL, "security=S2");
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 0, 100, 0 }, 3);
	object_unref(&p->obj);
	world_release(&w);

	/* "Affinity and Anti Affinity and symmetry": weights 8, -5, 8, -5. */
	world_init(&w);
	add_node(&w, "node1", "region=China");
	add_node(&w, "node2", "az=az1");
	add_node(&w, "node3", "region=India");
	add_node(&w, "node4", "az=az2");
	struct pod *both = stay_with("c", NULL, "S1", 8);
	term(both, ANTI, 5, "az", "security", "In", "S2", NULL, NULL);
	struct pod *away = pod_new("d", NULL, NULL);
	term(away, ANTI, 5, "az", "security", "In", "S1", NULL, NULL);
	bind(&w, pod_new("a", NULL, "security=S1"), "node1");
	bind(&w, pod_new("b", NULL, "security=S2"), "node2");
	bind(&w, both, "node3");
	bind(&w, away, "node4");
	p = stay_with("p", "security=S1", "S1", 8);
	term(p, ANTI, 5, "az", "security", "In", "S2", NULL, NULL);
	ck_assert(score(&w, p, n5, 4, s, true));
	assert_scores(s, (int64_t[]){ 100, 0, 100, 0 }, 4);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* TestPreferredAffinityWithHardPodAffinitySymmetricWeight and the
 * ignorePreferredTermsOfExistingPods cases. */
START_TEST(test_hard_affinity_symmetry_weight_and_ignored_preferences)
{
	struct world w;
	world_init(&w);
	int64_t s[3];
	three_nodes(&w, "region=China", "region=India", "az=az1");
	for (int i = 0; i < 2; i++) {
		struct pod *e = pod_new(i ? "b" : "a", NULL, NULL);
		term(e, AFFINITY, 0, "region", "service", "In", "S1", "default,subteam2.team2",
		     "team1");
		bind(&w, e, i ? "node2" : "node1");
	}
	/* Upstream lists namespaces ["", subteam2.team2], "" being its test
	 * pods' namespace; here they live in "default". */
	struct pod *p = pod_new("p", NULL, "service=S1");
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 100, 100, 0 }, 3);
	w.use_args = true;
	w.args.hard_pod_affinity_weight = 0;
	ck_assert(!score(&w, p, n3, 3, s, true));
	w.args.hard_pod_affinity_weight = 1;
	object_unref(&p->obj);
	/* "with no matching namespace" / "with matching NamespaceSelector" */
	p = pod_new("p", "subteam1.team2", "service=S1");
	ck_assert(!score(&w, p, n3, 3, s, true));
	object_unref(&p->obj);
	p = pod_new("p", "subteam1.team1", "service=S1");
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 100, 100, 0 }, 3);
	object_unref(&p->obj);
	world_release(&w);

	/* "Ignore preferred terms of existing pods" / "Do not ignore ..." */
	world_init(&w);
	add_node(&w, "node1", "region=China");
	add_node(&w, "node2", "region=India");
	struct pod *e = stay_with("a", "security=S1", "S1", 8);
	term(e, ANTI, 5, "az", "security", "In", "S2", NULL, NULL);
	bind(&w, e, "node1");
	bind(&w, stay_with("b", "security=S2", "S2", 6), "node2");
	p = pod_new("p", NULL, "security=S2");
	w.use_args = true;
	w.args = (struct sched_inter_pod_affinity_args){ 1, true };
	ck_assert(!score(&w, p, n3, 2, s, true));
	w.args.ignore_preferred_terms_of_existing_pods = false;
	ck_assert(score(&w, p, n3, 2, s, true));
	assert_scores(s, (int64_t[]){ 0, 100 }, 2);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* "Affinity with pods matching NamespaceSelector" (preferred terms of the
 * incoming pod) and "AntiAffinity symmetry with namespace selector". */
START_TEST(test_preferred_terms_with_namespace_selector)
{
	struct world w;
	world_init(&w);
	int64_t s[3];
	add_node(&w, "node1", "region=China");
	add_node(&w, "node2", "region=India");
	bind(&w, pod_new("a", "subteam1.team1", "security=S1"), "node1");
	bind(&w, pod_new("b", "subteam1.team1", "security=S1"), "node1");
	bind(&w, pod_new("c", "subteam1.team2", "security=S1"), "node1");
	bind(&w, pod_new("d", "subteam2.team1", "security=S1"), "node2");
	struct pod *p = pod_new("p", "subteam1.team1", "security=S1");
	term(p, AFFINITY, 5, "region", "security", "In", "S1", "subteam2.team2", "team1");
	ck_assert(score(&w, p, n3, 2, s, false));
	assert_scores(s, (int64_t[]){ 10, 5 }, 2);	/* raw */
	ck_assert(score(&w, p, n3, 2, s, true));
	assert_scores(s, (int64_t[]){ 100, 0 }, 2);
	object_unref(&p->obj);
	world_release(&w);

	world_init(&w);
	three_nodes(&w, "region=China", "region=India", "az=az1");
	struct pod *e = pod_new("a", NULL, "security=S1");
	term(e, ANTI, 5, "region", "security", "In", "S1", "subteam2.team2", "team1");
	bind(&w, e, "node1");
	bind(&w, stay_with("b", "security=S2", "S2", 6), "node2");
	p = pod_new("p", "subteam1.team1", "security=S1");
	ck_assert(score(&w, p, n3, 3, s, true));
	assert_scores(s, (int64_t[]){ 0, 100, 100 }, 3);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* ---- the label index against the plain walk ------------------------------ */

static const char *pick(struct prng *rng, const char *const *from, size_t n)
{
	return from[prng_below(rng, n)];
}

static const char *const apps[] = { "web", "cache", "db", "batch" };
static const char *const tiers[] = { "front", "back" };
static const char *const nss[] = { "subteam1.team1", "subteam2.team1", "subteam1.team2" };
static const char *const keys[] = { "zone", "kubernetes.io/hostname", "rack" };

static void random_terms(struct prng *rng, struct pod *p, int count)
{
	static const char *const ops[] = { "In", "In", "NotIn", "Exists" };
	for (int i = 0; i < count; i++) {
		const char *op = pick(rng, ops, 4);
		bool by_app = prng_below(rng, 3) != 0;
		char values[32];
		snprintf(values, sizeof(values), "%s,%s", by_app ? pick(rng, apps, 4) : pick(rng, tiers, 2),
			 by_app ? pick(rng, apps, 4) : pick(rng, tiers, 2));
		int32_t weight = prng_below(rng, 2) ? (int32_t)prng_below(rng, 100) + 1 : 0;
		const char *team = prng_below(rng, 4) == 0 ? (prng_below(rng, 2) ? "team1" : "team2") : NULL;
		term(p, prng_below(rng, 2) ? AFFINITY : ANTI, weight, pick(rng, keys, 3),
		     by_app ? "app" : "tier", op, strcmp(op, "Exists") ? values : NULL,
		     prng_below(rng, 5) == 0 ? pick(rng, nss, 3) : NULL, team);
	}
}

static struct pod *random_pod(struct prng *rng, int i, int max_terms)
{
	char name[32], labels[64];
	snprintf(name, sizeof(name), "pod-%d", i);
	snprintf(labels, sizeof(labels), "app=%s,tier=%s", pick(rng, apps, 4), pick(rng, tiers, 2));
	struct pod *p = pod_new(name, pick(rng, nss, 3), prng_below(rng, 8) ? labels : NULL);
	if (max_terms && prng_below(rng, 4) == 0)
		random_terms(rng, p, 1 + (int)prng_below(rng, (uint64_t)max_terms));
	return p;
}

START_TEST(test_label_index_counts_as_the_plain_walk_on_random_clusters)
{
	struct prng rng;
	prng_seed(&rng, 42);
	size_t rejected = 0, scored_any = 0;	/* the walk must be exercised */
	for (int round = 0; round < 20; round++) {
		struct world w;
		world_init(&w);
		size_t nodes = 3 + prng_below(&rng, 10);
		char names[16][32];
		const char *list[16];
		for (size_t i = 0; i < nodes; i++) {
			char labels[128];
			snprintf(names[i], sizeof(names[i]), "node-%zu", i);
			list[i] = names[i];
			snprintf(labels, sizeof(labels), "kubernetes.io/hostname=%s,zone=z%d%s",
				 names[i], (int)prng_below(&rng, 3), prng_below(&rng, 2) ? ",rack=r1" : "");
			add_node(&w, names[i], labels);
		}
		char uids[64][48];
		size_t pods = 0;
		for (int i = 0; i < 60; i++) {
			struct pod *p = random_pod(&rng, round * 100 + i, 2);
			snprintf(uids[pods++], sizeof(uids[0]), "%s", p->obj.meta.uid);
			bind(&w, p, list[prng_below(&rng, nodes)]);
			if (i % 7 == 6)	/* pods also leave */
				sched_cache_remove_pod(&w.cache, uids[prng_below(&rng, pods)]);
		}
		for (int q = 0; q < 10; q++) {
			struct pod *p = random_pod(&rng, 9000 + q, 0);
			random_terms(&rng, p, 1 + (int)prng_below(&rng, 3));
			int64_t raw[2][16];
			enum sched_code verdict[2][16];
			bool scored[2];
			for (int naive = 0; naive < 2; naive++) {
				sched_label_index_set_naive(&w.cache, naive);
				const char *reason;
				for (size_t i = 0; i < nodes; i++)
					verdict[naive][i] = filter(&w, p, list[i], &reason);
				scored[naive] = score(&w, p, list, nodes, raw[naive], false);
			}
			ck_assert_int_eq(scored[0], scored[1]);
			scored_any += scored[0];
			for (size_t i = 0; i < nodes; i++) {
				rejected += verdict[0][i] != SCHED_SUCCESS;
				ck_assert_int_eq(verdict[0][i], verdict[1][i]);
				if (scored[0])
					ck_assert_int_eq(raw[0][i], raw[1][i]);
			}
			object_unref(&p->obj);
		}
		world_release(&w);	/* checks the index against the pods */
	}
	ck_assert_uint_gt(rejected, 100);
	ck_assert_uint_gt(scored_any, 50);
}
END_TEST

Suite *sched_inter_pod_affinity_suite(void)
{
	Suite *s = suite_create("sched_inter_pod_affinity");
	TCase *tc = tcase_create("filter");
	tcase_add_test(tc, test_pod_without_affinity_skips_in_a_cluster_without_affinity);
	tcase_add_test(tc, test_required_affinity_needs_a_matching_pod_in_the_domain);
	tcase_add_test(tc, test_anti_affinity_both_ways_is_unschedulable);
	tcase_add_test(tc, test_first_pod_of_a_self_affine_group_may_go_anywhere_with_the_keys);
	tcase_add_test(tc, test_namespace_selector_selects_namespaces_by_label);
	tcase_add_test(tc, test_invalid_selector_rejects_the_pod_at_pre_filter);
	suite_add_tcase(s, tc);
	tc = tcase_create("score");
	tcase_add_test(tc, test_preferred_affinity_scores_the_matching_region);
	tcase_add_test(tc, test_preferred_anti_affinity_and_symmetry);
	tcase_add_test(tc, test_hard_affinity_symmetry_weight_and_ignored_preferences);
	tcase_add_test(tc, test_preferred_terms_with_namespace_selector);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_test(tc, test_label_index_counts_as_the_plain_walk_on_random_clusters);
	suite_add_tcase(s, tc);
	return s;
}
