/* test_sched_preemption.c - priority and preemption, pinned to upstream.
 *
 * The table tests build a scheduler cache the way upstream's
 * default_preemption_test.go builds a snapshot (nodes of 500m cpu and 500
 * bytes of memory; pods of 100m/100, 200m/200, 300m/300 and 500m/500;
 * priorities -100, 0, 100, 1000, 10000) and check the same victims
 * (TestDryRunPreemption) and the same chosen node (TestSelectBestCandidate).
 * The end-to-end tests run the scheduler on an engine and a store and look
 * at what a user sees: which pods were deleted, the Preempted and
 * FailedScheduling events, status.nominatedNodeName, where the preemptor
 * is bound, and how a nominated pod holds its room.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "json.h"
#include "sched.h"
#include "sched_nominator.h"
#include "sched_preemption.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_preemption_suite(void);

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

enum { NEG = -100, LOW = 0, MID = 100, HIGH = 1000, VERY_HIGH = 10000 };

static struct node *node_new(const char *name, const char *cpu, const char *memory)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	set_amount(&n->status.allocatable, "cpu", cpu);
	set_amount(&n->status.allocatable, "memory", memory);
	set_amount(&n->status.allocatable, "pods", "110");
	return n;
}

/* size: 1 small (100m/100), 2 medium, 3 large, 5 very large. */
static struct pod *pod_sized(const char *name, int size, int64_t priority)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xstrdup(name);
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	char cpu[16], memory[16];
	snprintf(cpu, sizeof(cpu), "%dm", size * 100);
	snprintf(memory, sizeof(memory), "%d", size * 100);
	set_amount(&c->resources.requests, "cpu", cpu);
	set_amount(&c->resources.requests, "memory", memory);
	p->spec.priority.is_set = true;
	p->spec.priority.value = priority;
	return p;
}

/* K8S: st.PodAntiAffinityExists(key, "hostname", required): keep out of
 * any node (label hostname) that runs a pod carrying label key. */
static void anti_affinity_exists(struct pod *p, const char *key)
{
	struct pod_affinity_term *term =
		APPEND(p->spec.affinity.pod_anti_affinity
			       .required_during_scheduling_ignored_during_execution);
	struct selector_requirement_spec *r = APPEND(term->label_selector.match_expressions);
	r->key = xstrdup(key);
	r->operator = xstrdup("Exists");
	term->topology_key = xstrdup("hostname");
}

/* ---- the table harness ------------------------------------------------------ */

struct init_pod {
	const char *name, *node;
	int size;
	int64_t priority;
	ktime_t start;			/* 0: not started (the cycle's time) */
	const char *app;		/* label app=..., or NULL */
};

/* What the affinity cases add to a pod of the table, by name. */
struct pod_extra {
	const char *name;
	const char *label;		/* a label key="", or NULL */
	const char *anti_exists;	/* required anti-affinity: this key
					 * Exists, topologyKey hostname */
};

struct table {
	struct sched_cache cache;
	struct sched_profile profile;
	struct sched_state state;
	struct pod *pod;
	size_t nodes;
};

static void table_setup_extra(struct table *t, size_t nodes, const struct init_pod *pods,
			      const struct pod_extra *extras, struct pod *preemptor)
{
	memset(t, 0, sizeof(*t));
	sched_cache_init(&t->cache);
	for (size_t i = 0; i < nodes; i++) {
		char name[32];
		snprintf(name, sizeof(name), "node%zu", i + 1);
		struct node *n = node_new(name, "500m", "500");
		strmap_set(&n->obj.meta.labels, "hostname", name);
		sched_cache_set_node(&t->cache, n);
		object_unref(&n->obj);
	}
	for (; pods && pods->name; pods++) {
		struct pod *p = pod_sized(pods->name, pods->size, pods->priority);
		p->spec.node_name = xstrdup(pods->node);
		p->status.start_time = pods->start;
		if (pods->app)
			strmap_set(&p->obj.meta.labels, "app", pods->app);
		for (const struct pod_extra *e = extras; e && e->name; e++) {
			if (strcmp(e->name, pods->name))
				continue;
			if (e->label)
				strmap_set(&p->obj.meta.labels, e->label, "");
			if (e->anti_exists)
				anti_affinity_exists(p, e->anti_exists);
		}
		sched_cache_add_pod(&t->cache, p);
		object_unref(&p->obj);
	}
	t->nodes = nodes;
	t->pod = preemptor;
	sched_profile_default(&t->profile, "default-scheduler");
	sched_state_init(&t->state, preemptor, &t->cache);
	struct sched_status status;
	ck_assert_int_eq(sched_run_pre_filter(&t->profile, &t->state, &status), SCHED_SUCCESS);
}

static void table_setup(struct table *t, size_t nodes, const struct init_pod *pods,
			struct pod *preemptor)
{
	table_setup_extra(t, nodes, pods, NULL, preemptor);
}

static void table_teardown(struct table *t)
{
	sched_state_release(&t->state);
	object_unref(&t->pod->obj);
	sched_cache_release(&t->cache);
}

static const struct sched_node_info *table_node(struct table *t, size_t i)
{
	char name[32];
	snprintf(name, sizeof(name), "node%zu", i + 1);
	const struct sched_node_info *n = sched_cache_node(&t->cache, name);
	ck_assert_ptr_nonnull(n);
	return n;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The victims' names sorted and joined by ",", as upstream's test sorts
 * them before comparing. Caller frees. */
static char *victim_names(const struct sched_candidate *c)
{
	const char **names = xcalloc(c->victims_len + 1, sizeof(*names));
	for (size_t i = 0; i < c->victims_len; i++)
		names[i] = c->victims[i]->pod->obj.meta.name;
	qsort(names, c->victims_len, sizeof(*names), compare_names);
	char *out = xstrdup("");
	for (size_t i = 0; i < c->victims_len; i++) {
		char *next = xasprintf("%s%s%s", out, i ? "," : "", names[i]);
		free(out);
		out = next;
	}
	free(names);
	return out;
}

/* Dry-runs node i: the victims ("" when the node cannot help). */
static char *victims_on(struct table *t, size_t i, const struct sched_pdbs *pdbs,
			int64_t *violations)
{
	struct sched_pdbs none = { 0 };
	struct sched_candidate c;
	struct sched_status status;
	enum sched_code code = sched_select_victims_on_node(&t->profile, &t->state,
							    table_node(t, i),
							    pdbs ? pdbs : &none,
							    KTIME_SIM_EPOCH, &c, &status);
	if (code != SCHED_SUCCESS)
		return xstrdup("");
	char *names = victim_names(&c);
	if (violations)
		*violations = c.pdb_violations;
	sched_candidate_release(&c);
	return names;
}

/* K8S: TestDryRunPreemption (the resource cases). */
static const struct {
	const char *name;
	int size;
	int64_t priority;
	size_t nodes;
	struct init_pod pods[8];
	const char *victims[2];		/* per node; "" none */
} dry_run_cases[] = {
	{ "a pod that fits on both nodes when lower priority pods are preempted",
	  3, HIGH, 2,
	  { { "p1", "node1", 3, MID, 0, NULL }, { "p2", "node2", 3, MID, 0, NULL } },
	  { "p1", "p2" } },
	{ "a pod that would fit on the nodes, but other pods running are higher priority",
	  3, LOW, 2,
	  { { "p1", "node1", 3, MID, 0, NULL }, { "p2", "node2", 3, MID, 0, NULL } },
	  { "", "" } },
	{ "medium priority pod is preempted, but lower priority one stays as it is small",
	  3, HIGH, 2,
	  { { "p1.1", "node1", 1, LOW, 0, NULL }, { "p1.2", "node1", 3, MID, 0, NULL },
	    { "p2", "node2", 3, MID, 0, NULL } },
	  { "p1.2", "p2" } },
	{ "mixed priority pods are preempted",
	  3, HIGH, 2,
	  { { "p1.1", "node1", 1, MID, 0, NULL }, { "p1.2", "node1", 1, LOW, 0, NULL },
	    { "p1.3", "node1", 2, MID, 0, NULL }, { "p1.4", "node1", 1, HIGH, 0, NULL },
	    { "p2", "node2", 3, HIGH, 0, NULL } },
	  { "p1.2,p1.3", "" } },
	{ "mixed priority pods are preempted, pick later StartTime one when priorities are equal",
	  3, HIGH, 2,
	  { { "p1.1", "node1", 1, LOW, 5, NULL }, { "p1.2", "node1", 1, LOW, 4, NULL },
	    { "p1.3", "node1", 2, MID, 3, NULL }, { "p1.4", "node1", 1, HIGH, 2, NULL },
	    { "p2", "node2", 3, HIGH, 1, NULL } },
	  { "p1.1,p1.3", "" } },
};

START_TEST(test_dry_run_finds_upstreams_victims)
{
	for (size_t k = 0; k < sizeof(dry_run_cases) / sizeof(dry_run_cases[0]); k++) {
		struct table t;
		table_setup(&t, dry_run_cases[k].nodes, dry_run_cases[k].pods,
			    pod_sized("p", dry_run_cases[k].size, dry_run_cases[k].priority));
		for (size_t i = 0; i < t.nodes; i++) {
			char *got = victims_on(&t, i, NULL, NULL);
			ck_assert_msg(!strcmp(got, dry_run_cases[k].victims[i]),
				      "%s: node%zu: victims %s, want %s", dry_run_cases[k].name,
				      i + 1, got, dry_run_cases[k].victims[i]);
			free(got);
		}
		table_teardown(&t);
	}
}
END_TEST

START_TEST(test_node_without_lower_priority_pods_has_no_victims)
{
	static const struct init_pod pods[] = {
		{ "p1", "node1", 3, HIGH, 0, NULL }, { 0 },
	};
	struct table t;
	table_setup(&t, 1, pods, pod_sized("p", 3, HIGH));
	struct sched_pdbs none = { 0 };
	struct sched_candidate c;
	struct sched_status status;
	ck_assert_int_eq(sched_select_victims_on_node(&t.profile, &t.state, table_node(&t, 0),
						      &none, 0, &c, &status),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(status.reasons[0], "No preemption victims found for incoming pod");
	table_teardown(&t);
}
END_TEST

START_TEST(test_node_that_stays_too_small_reports_the_filter_reason)
{
	/* Even empty, a 500m node cannot hold 600m: the Filter's reason. */
	static const struct init_pod pods[] = {
		{ "p1", "node1", 1, LOW, 0, NULL }, { 0 },
	};
	struct table t;
	struct pod *big = pod_sized("p", 5, HIGH);
	set_amount(&big->spec.containers.items[0].resources.requests, "cpu", "600m");
	table_setup(&t, 1, pods, big);
	struct sched_pdbs none = { 0 };
	struct sched_candidate c;
	struct sched_status status;
	ck_assert_int_ne(sched_select_victims_on_node(&t.profile, &t.state, table_node(&t, 0),
						      &none, 0, &c, &status), SCHED_SUCCESS);
	ck_assert_str_eq(status.reasons[0], "Insufficient cpu");
	table_teardown(&t);
}
END_TEST

/* ---- PodDisruptionBudgets ---------------------------------------------------- */

static void pdbs_one(struct sched_pdbs *pdbs, const char *namespace, const char *app,
		     int32_t allowed)
{
	memset(pdbs, 0, sizeof(*pdbs));
	pdbs->items = xcalloc(1, sizeof(*pdbs->items));
	pdbs->items[0].namespace = namespace;
	pdbs->items[0].disruptions_allowed = allowed;
	if (app) {
		char *text = xasprintf("app=%s", app);
		ck_assert_int_eq(selector_parse(text, &pdbs->items[0].selector, NULL), 0);
		free(text);
	}
	pdbs->len = 1;
}

START_TEST(test_pdb_violation_of_the_same_budget_is_counted_once_per_pod_over_it)
{
	/* K8S: TestDryRunPreemption "preemption with violation of same pdb". */
	static const struct init_pod pods[] = {
		{ "p1.1", "node1", 2, MID, 0, "foo" }, { "p1.2", "node1", 2, MID, 0, "foo" },
		{ 0 },
	};
	struct table t;
	table_setup(&t, 1, pods, pod_sized("p", 5, HIGH));
	struct sched_pdbs pdbs;
	pdbs_one(&pdbs, "default", "foo", 1);
	int64_t violations = -1;
	char *got = victims_on(&t, 0, &pdbs, &violations);
	ck_assert_str_eq(got, "p1.1,p1.2");
	ck_assert_int_eq(violations, 1);
	free(got);
	sched_pdbs_release(&pdbs);
	table_teardown(&t);
}
END_TEST

START_TEST(test_pdb_protected_pods_are_reprieved_first)
{
	/* Room for one of the two 200m pods to stay: the protected one
	 * (budget 0) is reprieved first, so the unprotected one goes even
	 * though it is more important by start time. */
	static const struct init_pod pods[] = {
		{ "a-free", "node1", 2, MID, 1, NULL },
		{ "b-guarded", "node1", 2, MID, 2, "db" },
		{ 0 },
	};
	struct table t;
	table_setup(&t, 1, pods, pod_sized("p", 3, HIGH));
	struct sched_pdbs pdbs;
	pdbs_one(&pdbs, "default", "db", 0);
	int64_t violations = -1;
	char *got = victims_on(&t, 0, &pdbs, &violations);
	ck_assert_str_eq(got, "a-free");
	ck_assert_int_eq(violations, 0);
	free(got);
	sched_pdbs_release(&pdbs);
	table_teardown(&t);
}
END_TEST

START_TEST(test_pdb_split_spends_each_budget_in_order)
{
	struct pod *pods[4];
	struct sched_pod_info infos[4];
	const struct sched_pod_info *list[4], *violating[4], *others[4];
	const char *apps[4] = { "foo", "foo", NULL, "foo" };
	for (int i = 0; i < 4; i++) {
		char name[8];
		snprintf(name, sizeof(name), "p%d", i);
		pods[i] = pod_sized(name, 1, LOW);
		if (apps[i])
			strmap_set(&pods[i]->obj.meta.labels, "app", apps[i]);
		memset(&infos[i], 0, sizeof(infos[i]));
		infos[i].pod = pods[i];
		list[i] = &infos[i];
	}
	free(pods[3]->obj.meta.namespace);
	pods[3]->obj.meta.namespace = xstrdup("other");
	struct sched_pdbs pdbs;
	pdbs_one(&pdbs, "default", "foo", 1);
	size_t nv, no;
	sched_pdb_split(list, 4, &pdbs, violating, &nv, others, &no);
	/* p0 spends the budget, p1 breaks it; p2 has no labels; p3 lives in
	 * another namespace. */
	ck_assert_uint_eq(nv, 1);
	ck_assert_ptr_eq(violating[0], &infos[1]);
	ck_assert_uint_eq(no, 3);
	ck_assert_ptr_eq(others[0], &infos[0]);
	ck_assert_ptr_eq(others[1], &infos[2]);
	ck_assert_ptr_eq(others[2], &infos[3]);
	sched_pdbs_release(&pdbs);
	/* An empty selector protects nothing. */
	pdbs_one(&pdbs, "default", NULL, 0);
	sched_pdb_split(list, 4, &pdbs, violating, &nv, others, &no);
	ck_assert_uint_eq(nv, 0);
	sched_pdbs_release(&pdbs);
	for (int i = 0; i < 4; i++)
		object_unref(&pods[i]->obj);
}
END_TEST

/* ---- choosing the node -------------------------------------------------------- */

/* K8S: TestSelectBestCandidate (the first, no-victim case aside). */
static const struct {
	const char *name;
	int64_t priority;
	size_t nodes;
	struct init_pod pods[13];
	const char *want;
} pick_cases[] = {
	{ "a pod that fits on both nodes when lower priority pods are preempted", HIGH, 2,
	  { { "p1", "node1", 3, MID, 0, NULL }, { "p2", "node2", 3, MID, 0, NULL } },
	  "node1" },
	{ "node with min highest priority pod is picked", HIGH, 3,
	  { { "p1.1", "node1", 2, MID, 0, NULL }, { "p1.2", "node1", 3, MID, 0, NULL },
	    { "p2.1", "node2", 2, MID, 0, NULL }, { "p2.2", "node2", 2, LOW, 0, NULL },
	    { "p3.1", "node3", 2, LOW, 0, NULL }, { "p3.2", "node3", 2, LOW, 0, NULL } },
	  "node3" },
	{ "when highest priorities are the same, minimum sum of priorities is picked", HIGH, 3,
	  { { "p1.1", "node1", 2, MID, 0, NULL }, { "p1.2", "node1", 3, MID, 0, NULL },
	    { "p2.1", "node2", 3, MID, 0, NULL }, { "p2.2", "node2", 2, LOW, 0, NULL },
	    { "p3.1", "node3", 2, MID, 0, NULL }, { "p3.2", "node3", 2, MID, 0, NULL } },
	  "node2" },
	{ "when highest priority and sum are the same, minimum number of pods is picked",
	  HIGH, 3,
	  { { "p1.1", "node1", 1, MID, 0, NULL }, { "p1.2", "node1", 1, NEG, 0, NULL },
	    { "p1.3", "node1", 1, MID, 0, NULL }, { "p1.4", "node1", 1, NEG, 0, NULL },
	    { "p2.1", "node2", 3, MID, 0, NULL }, { "p2.2", "node2", 2, NEG, 0, NULL },
	    { "p3.1", "node3", 2, MID, 0, NULL }, { "p3.2", "node3", 1, NEG, 0, NULL },
	    { "p3.3", "node3", 1, LOW, 0, NULL } },
	  "node2" },
	{ "sum of adjusted priorities is considered", HIGH, 3,
	  { { "p1.1", "node1", 1, MID, 0, NULL }, { "p1.2", "node1", 1, NEG, 0, NULL },
	    { "p1.3", "node1", 1, NEG, 0, NULL }, { "p2.1", "node2", 3, MID, 0, NULL },
	    { "p2.2", "node2", 2, NEG, 0, NULL }, { "p3.1", "node3", 2, MID, 0, NULL },
	    { "p3.2", "node3", 1, NEG, 0, NULL }, { "p3.3", "node3", 1, LOW, 0, NULL } },
	  "node2" },
	{ "non-overlapping lowest high priority, sum priorities, and number of pods",
	  VERY_HIGH, 4,
	  { { "p1.1", "node1", 1, MID, 0, NULL }, { "p1.2", "node1", 1, LOW, 0, NULL },
	    { "p1.3", "node1", 1, LOW, 0, NULL }, { "p2.1", "node2", 3, HIGH, 0, NULL },
	    { "p3.1", "node3", 2, MID, 0, NULL }, { "p3.2", "node3", 1, LOW, 0, NULL },
	    { "p3.3", "node3", 1, LOW, 0, NULL }, { "p3.4", "node3", 2, LOW, 0, NULL },
	    { "p4.1", "node4", 2, MID, 0, NULL }, { "p4.2", "node4", 1, MID, 0, NULL },
	    { "p4.3", "node4", 1, MID, 0, NULL }, { "p4.4", "node4", 1, NEG, 0, NULL } },
	  "node1" },
	{ "same priority, same number of victims, different start time for each node's pod",
	  HIGH, 3,
	  { { "p1.1", "node1", 2, MID, 2, NULL }, { "p1.2", "node1", 2, MID, 2, NULL },
	    { "p2.1", "node2", 2, MID, 3, NULL }, { "p2.2", "node2", 2, MID, 3, NULL },
	    { "p3.1", "node3", 2, MID, 1, NULL }, { "p3.2", "node3", 2, MID, 1, NULL } },
	  "node2" },
	{ "same priority, same number of victims, different start time for all pods", HIGH, 3,
	  { { "p1.1", "node1", 2, MID, 4, NULL }, { "p1.2", "node1", 2, MID, 2, NULL },
	    { "p2.1", "node2", 2, MID, 5, NULL }, { "p2.2", "node2", 2, MID, 1, NULL },
	    { "p3.1", "node3", 2, MID, 3, NULL }, { "p3.2", "node3", 2, MID, 6, NULL } },
	  "node3" },
	{ "different priority, same number of victims, different start time for all pods",
	  HIGH, 3,
	  { { "p1.1", "node1", 2, LOW, 4, NULL }, { "p1.2", "node1", 2, MID, 2, NULL },
	    { "p2.1", "node2", 2, MID, 6, NULL }, { "p2.2", "node2", 2, LOW, 1, NULL },
	    { "p3.1", "node3", 2, LOW, 3, NULL }, { "p3.2", "node3", 2, MID, 5, NULL } },
	  "node2" },
};

START_TEST(test_pick_one_node_follows_upstreams_criteria)
{
	for (size_t k = 0; k < sizeof(pick_cases) / sizeof(pick_cases[0]); k++) {
		struct table t;
		table_setup(&t, pick_cases[k].nodes, pick_cases[k].pods,
			    pod_sized("p", 5, pick_cases[k].priority));
		if (k == 0) {	/* that case's preemptor is large, not very large */
			table_teardown(&t);
			table_setup(&t, 2, pick_cases[0].pods, pod_sized("p", 3, HIGH));
		}
		struct sched_pdbs none = { 0 };
		struct sched_candidate candidates[4];
		size_t len = 0;
		for (size_t i = 0; i < t.nodes; i++) {
			struct sched_status status;
			if (sched_select_victims_on_node(&t.profile, &t.state, table_node(&t, i),
							 &none, KTIME_SIM_EPOCH,
							 &candidates[len], &status) == SCHED_SUCCESS)
				len++;
		}
		ck_assert_uint_gt(len, 0);
		size_t best = sched_pick_one_node_for_preemption(candidates, len, KTIME_SIM_EPOCH);
		ck_assert_msg(!strcmp(candidates[best].node->name, pick_cases[k].want),
			      "%s: picked %s, want %s", pick_cases[k].name,
			      candidates[best].node->name, pick_cases[k].want);
		for (size_t i = 0; i < len; i++)
			sched_candidate_release(&candidates[i]);
		table_teardown(&t);
	}
}
END_TEST

START_TEST(test_pick_prefers_the_node_without_pdb_violations)
{
	static const struct init_pod pods[] = {
		{ "p1", "node1", 3, LOW, 0, "db" }, { "p2", "node2", 3, MID, 0, NULL }, { 0 },
	};
	struct table t;
	table_setup(&t, 2, pods, pod_sized("p", 3, HIGH));
	struct sched_pdbs pdbs;
	pdbs_one(&pdbs, "default", "db", 0);
	struct sched_candidate c[2];
	struct sched_status status;
	for (size_t i = 0; i < 2; i++)
		ck_assert_int_eq(sched_select_victims_on_node(&t.profile, &t.state,
							      table_node(&t, i), &pdbs, 0,
							      &c[i], &status), SCHED_SUCCESS);
	/* node1's victim has the lower priority, but evicting it breaks the
	 * budget: node2 wins on the first criterion. */
	ck_assert_int_eq(c[0].pdb_violations, 1);
	ck_assert_uint_eq(sched_pick_one_node_for_preemption(c, 2, 0), 1);
	sched_candidate_release(&c[0]);
	sched_candidate_release(&c[1]);
	sched_pdbs_release(&pdbs);
	table_teardown(&t);
}
END_TEST

START_TEST(test_num_candidates_is_a_percentage_with_a_floor_and_a_cap)
{
	struct sched_preemption_args args = { 40, 10 };
	ck_assert_int_eq(sched_preemption_num_candidates(NULL, 10), 10);
	ck_assert_int_eq(sched_preemption_num_candidates(NULL, 5000), 500);
	ck_assert_int_eq(sched_preemption_num_candidates(NULL, 999), 100);
	ck_assert_int_eq(sched_preemption_num_candidates(&args, 100), 40);
	ck_assert_int_eq(sched_preemption_num_candidates(&args, 20), 10);
	ck_assert_int_eq(sched_preemption_num_candidates(&args, 5), 5);
}
END_TEST

START_TEST(test_more_important_pod_is_higher_priority_then_older)
{
	struct pod *a = pod_sized("a", 1, MID), *b = pod_sized("b", 1, LOW);
	ck_assert(sched_more_important_pod(a, b, 100));
	ck_assert(!sched_more_important_pod(b, a, 100));
	b->spec.priority.value = MID;
	a->status.start_time = 50;	/* b not started: counts as now (100) */
	ck_assert(sched_more_important_pod(a, b, 100));
	ck_assert(!sched_more_important_pod(b, a, 100));
	object_unref(&a->obj);
	object_unref(&b->obj);
}
END_TEST

/* K8S: TestDryRunPreemption "pod with anti-affinity is preempted": p1.1's
 * anti-affinity keeps p (label foo) off node1; evicting p1.1 is enough,
 * which the dry run sees only through InterPodAffinity's RemovePod. */
START_TEST(test_dry_run_evicts_the_pod_whose_anti_affinity_blocks_the_preemptor)
{
	static const struct init_pod pods[] = {
		{ "p1.1", "node1", 1, LOW, 0, NULL }, { "p1.2", "node1", 1, MID, 0, NULL },
		{ "p1.3", "node1", 1, HIGH, 0, NULL }, { "p2", "node2", 1, HIGH, 0, NULL },
		{ 0 },
	};
	static const struct pod_extra extras[] = { { "p1.1", "foo", "foo" }, { 0 } };
	struct pod *p = pod_sized("p", 1, HIGH);
	strmap_set(&p->obj.meta.labels, "foo", "");
	struct table t;
	table_setup_extra(&t, 2, pods, extras, p);
	struct sched_status status;
	ck_assert_int_eq(sched_run_filter(&t.profile, &t.state, table_node(&t, 0), &status),
			 SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(status.reasons[0],
			 "node(s) didn't satisfy existing pods anti-affinity rules");
	for (int round = 0; round < 2; round++) {	/* the state is as it was */
		char *got = victims_on(&t, 0, NULL, NULL);
		ck_assert_str_eq(got, "p1.1");
		free(got);
		got = victims_on(&t, 1, NULL, NULL);
		ck_assert_str_eq(got, "");	/* p2 is not of lower priority */
		free(got);
		ck_assert_int_eq(sched_run_filter(&t.profile, &t.state, table_node(&t, 0),
						  &status),
				 SCHED_UNSCHEDULABLE);
	}
	table_teardown(&t);
}
END_TEST

/* The preemptor's own anti-affinity: the low-priority pod it refuses to
 * share a node with is the victim, the higher-priority one is not. */
START_TEST(test_dry_run_evicts_the_pod_the_preemptors_anti_affinity_refuses)
{
	static const struct init_pod pods[] = {
		{ "low", "node1", 1, LOW, 0, NULL }, { "mid", "node1", 1, MID, 0, NULL },
		{ "high", "node2", 1, VERY_HIGH, 0, NULL }, { 0 },
	};
	static const struct pod_extra extras[] = {
		{ "low", "foo", NULL }, { "high", "foo", NULL }, { 0 },
	};
	struct pod *p = pod_sized("p", 1, HIGH);
	anti_affinity_exists(p, "foo");
	struct table t;
	table_setup_extra(&t, 2, pods, extras, p);
	char *got = victims_on(&t, 0, NULL, NULL);
	ck_assert_str_eq(got, "low");
	free(got);
	got = victims_on(&t, 1, NULL, NULL);
	ck_assert_str_eq(got, "");
	free(got);
	table_teardown(&t);
}
END_TEST

/* ---- filtering with nominated pods ------------------------------------------- */

/* A nominated pod is not on its node yet, but its labels already count
 * for the anti-affinity of pods scheduled after it (AddPod). */
START_TEST(test_nominated_pod_keeps_an_anti_affine_pod_off_its_node)
{
	struct pod *p = pod_sized("p", 1, MID);
	anti_affinity_exists(p, "foo");
	struct table t;
	table_setup(&t, 2, NULL, p);
	struct sched_nominator nominator;
	sched_nominator_init(&nominator);
	t.state.nominator = &nominator;
	struct pod *waiting = pod_sized("waiting", 1, MID);
	strmap_set(&waiting->obj.meta.labels, "foo", "");
	sched_nominator_add(&nominator, &t.cache, waiting, "node1");
	struct sched_status status;
	ck_assert_int_eq(sched_run_filter_with_nominated(&t.profile, &t.state,
							 table_node(&t, 0), &status),
			 SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(status.reasons[0], "node(s) didn't match pod anti-affinity rules");
	ck_assert_int_eq(sched_run_filter_with_nominated(&t.profile, &t.state,
							 table_node(&t, 1), &status),
			 SCHED_SUCCESS);
	/* The counts were put back: the node as it is has no such pod. */
	ck_assert_int_eq(sched_run_filter(&t.profile, &t.state, table_node(&t, 0), &status),
			 SCHED_SUCCESS);
	/* A lower-priority nomination yields: it does not count. */
	object_unref(&waiting->obj);
	waiting = pod_sized("waiting", 1, LOW);
	strmap_set(&waiting->obj.meta.labels, "foo", "");
	sched_nominator_add(&nominator, &t.cache, waiting, "node1");
	ck_assert_int_eq(sched_run_filter_with_nominated(&t.profile, &t.state,
							 table_node(&t, 0), &status),
			 SCHED_SUCCESS);
	object_unref(&waiting->obj);
	sched_nominator_release(&nominator);
	table_teardown(&t);
}
END_TEST

/* The nominated pod's own anti-affinity keeps others out -- but only when
 * InterPodAffinity's PreFilter did not Skip: as upstream, a pod without
 * terms that no placed pod's required anti-affinity is about does not
 * look (the extensions run only for plugins that took part). Here a
 * placed pod on node2 refusing foo pods is what makes it look. */
START_TEST(test_nominated_pods_anti_affinity_counts_unless_the_plugin_skipped)
{
	for (int placed = 0; placed < 2; placed++) {
		static const struct init_pod guard[] = {
			{ "guard", "node2", 1, LOW, 0, NULL }, { 0 },
		};
		static const struct pod_extra extras[] = { { "guard", NULL, "foo" }, { 0 } };
		struct pod *p = pod_sized("p", 1, MID);
		strmap_set(&p->obj.meta.labels, "foo", "");
		struct table t;
		table_setup_extra(&t, 2, placed ? guard : NULL, extras, p);
		struct sched_nominator nominator;
		sched_nominator_init(&nominator);
		t.state.nominator = &nominator;
		struct pod *waiting = pod_sized("waiting", 1, HIGH);
		anti_affinity_exists(waiting, "foo");
		sched_nominator_add(&nominator, &t.cache, waiting, "node1");
		struct sched_status status;
		enum sched_code code = sched_run_filter_with_nominated(&t.profile, &t.state,
								       table_node(&t, 0),
								       &status);
		if (placed) {
			ck_assert_int_eq(code, SCHED_UNSCHEDULABLE);
			ck_assert_str_eq(status.reasons[0],
					 "node(s) didn't satisfy existing pods anti-affinity rules");
		} else {
			ck_assert_int_eq(code, SCHED_SUCCESS);
		}
		ck_assert_int_eq(sched_run_filter(&t.profile, &t.state, table_node(&t, 0),
						  &status),
				 SCHED_SUCCESS);
		object_unref(&waiting->obj);
		sched_nominator_release(&nominator);
		table_teardown(&t);
	}
}
END_TEST

START_TEST(test_nominated_pods_of_equal_or_higher_priority_hold_their_room)
{
	static const struct init_pod pods[] = {
		{ "running", "node1", 1, LOW, 0, NULL }, { 0 },
	};
	struct table t;
	table_setup(&t, 1, pods, pod_sized("p", 2, MID));
	struct sched_nominator nominator;
	sched_nominator_init(&nominator);
	t.state.nominator = &nominator;
	struct pod *waiting = pod_sized("waiting", 3, MID);
	sched_nominator_add(&nominator, &t.cache, waiting, "node1");
	ck_assert_str_eq(sched_nominator_node_of(&nominator, "waiting"), "node1");
	struct sched_status status;
	/* 100m used + 300m nominated + 200m > 500m: no room. */
	ck_assert_int_eq(sched_run_filter_with_nominated(&t.profile, &t.state,
							 table_node(&t, 0), &status),
			 SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(status.reasons[0], "Insufficient cpu");
	/* Without the nomination it fits. */
	ck_assert_int_eq(sched_run_filter(&t.profile, &t.state, table_node(&t, 0), &status),
			 SCHED_SUCCESS);
	/* A lower-priority nomination does not count. */
	object_unref(&waiting->obj);
	waiting = pod_sized("waiting", 3, LOW);
	sched_nominator_add(&nominator, &t.cache, waiting, "node1");
	ck_assert_int_eq(sched_run_filter_with_nominated(&t.profile, &t.state,
							 table_node(&t, 0), &status),
			 SCHED_SUCCESS);
	sched_nominator_delete(&nominator, "waiting");
	ck_assert_ptr_null(sched_nominator_node_of(&nominator, "waiting"));
	object_unref(&waiting->obj);
	sched_nominator_release(&nominator);
	table_teardown(&t);
}
END_TEST

START_TEST(test_nominator_keeps_an_in_memory_nomination_across_updates)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct sched_nominator nominator;
	sched_nominator_init(&nominator);
	struct pod *old = pod_sized("p", 1, HIGH), *cur = pod_sized("p", 1, HIGH);
	sched_nominator_add(&nominator, &cache, old, "node1");
	/* An update without nominatedNodeName on either side keeps it... */
	sched_nominator_update(&nominator, &cache, old, cur);
	ck_assert_str_eq(sched_nominator_node_of(&nominator, "p"), "node1");
	/* ...one that removes it from the status drops it. */
	old->status.nominated_node_name = xstrdup("node1");
	sched_nominator_update(&nominator, &cache, old, cur);
	ck_assert_ptr_null(sched_nominator_node_of(&nominator, "p"));
	/* A bound pod is never nominated. */
	cur->spec.node_name = xstrdup("node2");
	sched_nominator_add(&nominator, &cache, cur, "node1");
	ck_assert_ptr_null(sched_nominator_node_of(&nominator, "p"));
	object_unref(&old->obj);
	object_unref(&cur->obj);
	sched_nominator_release(&nominator);
	sched_cache_release(&cache);
}
END_TEST

/* ---- end to end ----------------------------------------------------------------- */

/* What the trace's "schedule" record said of the last attempt that
 * preempted. */
static struct {
	char nominated[64];
	char victims[256];
} seen;

static void on_attempt(void *arg, const struct sched_attempt *a)
{
	(void)arg;
	struct json *record = sched_attempt_json(a);
	const struct json *victims = json_get(record, "victims");
	if (json_get(record, "nominatedNode")) {
		snprintf(seen.nominated, sizeof(seen.nominated), "%s",
			 json_string(json_get(record, "nominatedNode")));
		seen.victims[0] = 0;
		for (size_t i = 0; i < json_array_len(victims); i++)
			snprintf(seen.victims + strlen(seen.victims),
				 sizeof(seen.victims) - strlen(seen.victims), "%s%s",
				 i ? "," : "", json_string(json_array_at(victims, i)));
	}
	json_free(record);
}

/* The cluster before the scheduler starts: PriorityClasses p0, p100,
 * p500, p1000 and p2000. */
static void run_setup(struct sched_run *r)
{
	memset(&seen, 0, sizeof(seen));
	sched_run_open(r, true);
	static const int64_t values[] = { 0, 100, 500, 1000, 2000 };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct priority_class *pc =
			(struct priority_class *)object_new(&priority_class_kind);
		pc->obj.meta.name = xasprintf("p%lld", (long long)values[i]);
		pc->value = (int32_t)values[i];
		sched_run_create(r, &pc->obj);
	}
}

static void run_start(struct sched_run *r)
{
	struct scheduler_options options = {
		.name = "default-scheduler", .bind_latency = 10 * KTIME_MS, .seed = 1,
		.explain = { on_attempt, NULL },
	};
	sched_run_start(r, &options);
}

/* A pod of cpu cores with a priority (through the PriorityClass
 * "p<priority>", which admission resolves), placed on node when node is
 * not NULL. */
static struct pod *pod_new(const char *name, const char *cpu, int64_t priority,
			   const char *node)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	c->image = xstrdup("nginx");
	set_amount(&c->resources.requests, "cpu", cpu);
	p->spec.priority_class_name = xasprintf("p%lld", (long long)priority);
	p->spec.termination_grace_period_seconds = 30;	/* the API default */
	if (node)
		p->spec.node_name = xstrdup(node);
	return p;
}

static const struct pod *get_pod(struct sched_run *r, const char *name)
{
	return (const struct pod *)client_get(&r->client, KIND_POD, "default", name);
}

static const char *node_of(struct sched_run *r, const char *name)
{
	const struct pod *p = get_pod(r, name);
	return p && p->spec.node_name ? p->spec.node_name : "";
}

static const char *event_message(struct sched_run *r, const char *pod, const char *reason)
{
	struct object_list list = { 0 };
	store_list(r->store, KIND_EVENT, "default", NULL, &list);
	const char *message = NULL;
	for (size_t i = 0; i < list.len; i++) {
		const struct event *ev = (const struct event *)list.items[i];
		if (!strcmp(ev->involved_object.name, pod) && !strcmp(ev->reason, reason))
			message = ev->message;
	}
	object_list_release(&list);
	return message;
}

/* What the kubelet would do once a victim's grace period is over. */
static void finish_deletion(struct sched_run *r, const char *name)
{
	struct delete_options now = { .grace_period_seconds = 0 };
	client_delete(&r->client, KIND_POD, "default", name, &now, NULL);
	sched_run_advance(r, KTIME_SECOND);
}

START_TEST(test_critical_pod_preempts_the_lowest_priority_pods_and_is_nominated)
{
	struct sched_run r;
	run_setup(&r);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	sched_run_create(&r, &node_new("worker-2", "4", "8Gi")->obj);
	sched_run_create(&r, &pod_new("batch-1", "2", 0, "worker-1")->obj);
	sched_run_create(&r, &pod_new("batch-2", "2", 0, "worker-1")->obj);
	sched_run_create(&r, &pod_new("web-1", "2", 100, "worker-2")->obj);
	sched_run_create(&r, &pod_new("web-2", "2", 100, "worker-2")->obj);
	run_start(&r);
	sched_run_create(&r, &pod_new("critical", "3", 1000, NULL)->obj);
	sched_run_advance(&r, KTIME_SECOND);

	/* worker-1's victims have the lowest priority: both must go (3 of 4
	 * cores), worker-2's pods stay. */
	ck_assert_str_eq(seen.nominated, "worker-1");
	ck_assert_str_eq(seen.victims, "default/batch-1,default/batch-2");
	const struct pod *critical = get_pod(&r, "critical");
	ck_assert_str_eq(critical->status.nominated_node_name, "worker-1");
	ck_assert_str_eq(node_of(&r, "critical"), "");
	ck_assert_str_eq(event_message(&r, "critical", "FailedScheduling"),
			 "0/2 nodes are available: 2 Insufficient cpu.");
	char *want = xasprintf("Preempted by pod %s on node worker-1", critical->obj.meta.uid);
	ck_assert_str_eq(event_message(&r, "batch-1", "Preempted"), want);
	free(want);
	const struct pod *victim = get_pod(&r, "batch-1");
	ck_assert(object_is_deleting(&victim->obj));
	ck_assert(sched_pod_terminating_by_preemption(victim));
	const struct condition *c = condition_find((void *)&victim->status.conditions,
						   "DisruptionTarget");
	ck_assert_str_eq(c->message,
			 "default-scheduler: preempting to accommodate a higher priority pod");
	ck_assert(!object_is_deleting(&get_pod(&r, "web-1")->obj));

	/* The victims terminate; the critical pod is bound where it was
	 * nominated. */
	finish_deletion(&r, "batch-1");
	finish_deletion(&r, "batch-2");
	/* Its retry after the first deletion found batch-2 still terminating
	 * ("not eligible due to a terminating pod on the nominated node"),
	 * so it backs off 2s before the next. */
	ck_assert_str_eq(event_message(&r, "critical", "FailedScheduling"),
			 "0/2 nodes are available: 2 Insufficient cpu. preemption: not "
			 "eligible due to a terminating pod on the nominated node.");
	sched_run_advance(&r, 5 * KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "critical"), "worker-1");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_preemption_policy_never_waits_without_evicting)
{
	struct sched_run r;
	run_setup(&r);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	sched_run_create(&r, &pod_new("batch", "3", 0, "worker-1")->obj);
	run_start(&r);
	struct priority_class *pc = (struct priority_class *)object_new(&priority_class_kind);
	pc->obj.meta.name = xstrdup("polite");
	pc->value = 1000;
	pc->preemption_policy = xstrdup("Never");
	sched_run_create(&r, &pc->obj);
	struct pod *polite = pod_new("polite", "2", 1000, NULL);
	free(polite->spec.priority_class_name);
	polite->spec.priority_class_name = xstrdup("polite");
	sched_run_create(&r, &polite->obj);
	ck_assert_str_eq(get_pod(&r, "polite")->spec.preemption_policy, "Never");
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(event_message(&r, "polite", "FailedScheduling"),
			 "0/1 nodes are available: 1 Insufficient cpu. preemption: not "
			 "eligible due to preemptionPolicy=Never.");
	ck_assert(!object_is_deleting(&get_pod(&r, "batch")->obj));
	ck_assert_ptr_null(get_pod(&r, "polite")->status.nominated_node_name);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_later_pods_do_not_take_the_room_of_a_nominated_pod)
{
	struct sched_run r;
	run_setup(&r);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	sched_run_create(&r, &pod_new("victim", "3", 0, "worker-1")->obj);
	run_start(&r);
	sched_run_create(&r, &pod_new("critical", "2", 1000, NULL)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(get_pod(&r, "critical")->status.nominated_node_name, "worker-1");

	/* While the victim terminates, 1 core is free, but the nominated
	 * critical pod (2 cores) is counted there: the mid pod does not fit. */
	sched_run_create(&r, &pod_new("mid", "1", 500, NULL)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "mid"), "");
	const char *msg = event_message(&r, "mid", "FailedScheduling");
	ck_assert_ptr_nonnull(msg);
	ck_assert(!strncmp(msg, "0/1 nodes are available: 1 Insufficient cpu.", 44));

	finish_deletion(&r, "victim");
	sched_run_advance(&r, 5 * KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "critical"), "worker-1");
	ck_assert_str_eq(node_of(&r, "mid"), "worker-1");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_no_victims_anywhere_clears_the_nomination_and_says_why)
{
	struct sched_run r;
	run_setup(&r);
	struct node *cordoned = node_new("worker-1", "4", "8Gi");
	cordoned->spec.unschedulable = true;
	sched_run_create(&r, &cordoned->obj);
	sched_run_create(&r, &node_new("worker-2", "4", "8Gi")->obj);
	sched_run_create(&r, &node_new("worker-3", "4", "8Gi")->obj);
	sched_run_create(&r, &pod_new("equal", "3", 1000, "worker-2")->obj);
	sched_run_create(&r, &pod_new("low", "1", 0, "worker-3")->obj);
	sched_run_create(&r, &pod_new("higher", "3", 2000, "worker-3")->obj);
	run_start(&r);
	struct pod *p = pod_new("web", "2", 1000, NULL);
	p->status.nominated_node_name = xstrdup("worker-3");
	sched_run_create(&r, &p->obj);
	sched_run_advance(&r, KTIME_SECOND);
	/* worker-1: cordoned (Unresolvable); worker-2: no lower-priority pod;
	 * worker-3: without "low" still 1 core short. */
	ck_assert_str_eq(event_message(&r, "web", "FailedScheduling"),
			 "0/3 nodes are available: 1 node(s) were unschedulable, "
			 "2 Insufficient cpu. preemption: 0/3 nodes are available: "
			 "1 Insufficient cpu, 1 No preemption victims found for incoming pod, "
			 "1 Preemption is not helpful for scheduling.");
	ck_assert_ptr_null(get_pod(&r, "web")->status.nominated_node_name);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_priority_admission_resolves_class_default_and_policy)
{
	struct sched_run r;
	run_setup(&r);
	/* Without any default class: priority 0, PreemptLowerPriority. */
	struct pod *p = pod_new("plain", "1", 0, NULL);
	free(p->spec.priority_class_name);
	p->spec.priority_class_name = NULL;
	sched_run_create(&r, &p->obj);
	const struct pod *got = get_pod(&r, "plain");
	ck_assert_int_eq(got->spec.priority.value, 0);
	ck_assert_str_eq(got->spec.preemption_policy, "PreemptLowerPriority");
	ck_assert_ptr_null(got->spec.priority_class_name);
	/* Two defaults (a race upstream tolerates): the lower value wins and
	 * its name is written into the pod. */
	static const struct { const char *name; int32_t value; } defaults[] = {
		{ "default-high", 50 }, { "default-low", 10 },
	};
	for (size_t i = 0; i < 2; i++) {
		struct priority_class *pc =
			(struct priority_class *)object_new(&priority_class_kind);
		pc->obj.meta.name = xstrdup(defaults[i].name);
		pc->value = defaults[i].value;
		pc->global_default = true;
		sched_run_create(&r, &pc->obj);
	}
	p = pod_new("defaulted", "1", 0, NULL);
	free(p->spec.priority_class_name);
	p->spec.priority_class_name = NULL;
	sched_run_create(&r, &p->obj);
	got = get_pod(&r, "defaulted");
	ck_assert_int_eq(got->spec.priority.value, 10);
	ck_assert_str_eq(got->spec.priority_class_name, "default-low");
	/* A pod may not bring a policy or a number of its own that differs. */
	p = pod_new("rude", "1", 100, NULL);
	p->spec.preemption_policy = xstrdup("Never");
	struct api_status status;
	ck_assert_int_eq(client_create(&r.client, &p->obj, &status), API_FORBIDDEN);
	ck_assert_str_eq(status.message,
			 "pods \"\" is forbidden: the string value of PreemptionPolicy (Never) "
			 "must not be provided in pod spec; priority admission controller "
			 "computed PreemptLowerPriority from the given PriorityClass name");
	p = pod_new("pushy", "1", 100, NULL);
	p->spec.priority.is_set = true;
	p->spec.priority.value = 7;
	ck_assert_int_eq(client_create(&r.client, &p->obj, &status), API_FORBIDDEN);
	sched_run_close(&r);
}
END_TEST

Suite *sched_preemption_suite(void)
{
	Suite *s = suite_create("sched_preemption");
	TCase *tc = tcase_create("victims");
	tcase_add_test(tc, test_dry_run_finds_upstreams_victims);
	tcase_add_test(tc, test_node_without_lower_priority_pods_has_no_victims);
	tcase_add_test(tc, test_node_that_stays_too_small_reports_the_filter_reason);
	tcase_add_test(tc, test_pdb_violation_of_the_same_budget_is_counted_once_per_pod_over_it);
	tcase_add_test(tc, test_pdb_protected_pods_are_reprieved_first);
	tcase_add_test(tc, test_pdb_split_spends_each_budget_in_order);
	tcase_add_test(tc, test_pick_one_node_follows_upstreams_criteria);
	tcase_add_test(tc, test_pick_prefers_the_node_without_pdb_violations);
	tcase_add_test(tc, test_num_candidates_is_a_percentage_with_a_floor_and_a_cap);
	tcase_add_test(tc, test_more_important_pod_is_higher_priority_then_older);
	tcase_add_test(tc, test_dry_run_evicts_the_pod_whose_anti_affinity_blocks_the_preemptor);
	tcase_add_test(tc, test_dry_run_evicts_the_pod_the_preemptors_anti_affinity_refuses);
	suite_add_tcase(s, tc);
	tc = tcase_create("nominated");
	tcase_add_test(tc, test_nominated_pod_keeps_an_anti_affine_pod_off_its_node);
	tcase_add_test(tc, test_nominated_pods_anti_affinity_counts_unless_the_plugin_skipped);
	tcase_add_test(tc, test_nominated_pods_of_equal_or_higher_priority_hold_their_room);
	tcase_add_test(tc, test_nominator_keeps_an_in_memory_nomination_across_updates);
	suite_add_tcase(s, tc);
	tc = tcase_create("end_to_end");
	tcase_add_test(tc, test_critical_pod_preempts_the_lowest_priority_pods_and_is_nominated);
	tcase_add_test(tc, test_preemption_policy_never_waits_without_evicting);
	tcase_add_test(tc, test_later_pods_do_not_take_the_room_of_a_nominated_pod);
	tcase_add_test(tc, test_no_victims_anywhere_clears_the_nomination_and_says_why);
	tcase_add_test(tc, test_priority_admission_resolves_class_default_and_policy);
	suite_add_tcase(s, tc);
	return s;
}
