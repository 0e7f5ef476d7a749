/* test_sched_pre_filter_result.c - PreFilterResult: narrowing the nodes.
 *
 * Cases from upstream's node_affinity_test.go (TestNodeAffinityPreFilter:
 * metadata.name terms give NodeNames; a term without one gives all
 * nodes; conflicting terms fail with "pod affinity terms conflict"),
 * framework_test.go (TestRunPreFilterPlugins: results intersect; an empty
 * intersection is UnschedulableAndUnresolvable "node(s) didn't satisfy
 * plugin(s) [...] simultaneously") and schedule_one_test.go (the other
 * nodes count as "node(s) didn't satisfy plugin(s) [NodeAffinity]";
 * nextStartNodeIndex moves by the nodes processed).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_harness.h"
#include "store.h"

#include "sched_run_fixture.h"

Suite *sched_pre_filter_result_suite(void);

/* Adds a required node affinity term to p: each "key op v1,v2" in
 * fields (separated by ';') is a matchFields requirement. */
static void add_term(struct pod *p, const char *fields)
{
	struct node_selector_term *term = HARNESS_APPEND(
		p->spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution
			.node_selector_terms);
	char *copy = xstrdup(fields), *save = NULL;
	for (char *f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		struct selector_requirement_spec *req = HARNESS_APPEND(term->match_fields);
		char key[64], op[16], values[128] = "";
		ck_assert_int_ge(sscanf(f, "%63s %15s %127s", key, op, values), 2);
		req->key = xstrdup(key);
		req->operator = xstrdup(op);
		char *vsave = NULL;
		for (char *v = strtok_r(values, ",", &vsave); v; v = strtok_r(NULL, ",", &vsave))
			*HARNESS_APPEND(req->values) = xstrdup(v);
	}
	free(copy);
}

/* Runs NodeAffinity's PreFilter on pod; the result's names joined by ','
 * ("*" for all nodes) or "!" and the reason when it rejected. */
static const char *affinity_result(struct pod *p)
{
	static char out[256];
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct sched_state state;
	sched_state_init(&state, p, &cache);
	struct sched_status status;
	sched_status_reset(&status);
	state.running = &sched_node_affinity_plugin;
	enum sched_code code = sched_node_affinity_plugin.pre_filter(&state, p, &status);
	if (code != SCHED_SUCCESS) {
		ck_assert_int_eq(code, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
		snprintf(out, sizeof(out), "!%s", status.reasons[0]);
	} else if (!state.pre_filter_result.narrowed) {
		strcpy(out, "*");
	} else {
		out[0] = '\0';
		for (size_t i = 0; i < state.pre_filter_result.len; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "",
				 state.pre_filter_result.nodes[i]);
	}
	sched_state_release(&state);
	sched_cache_release(&cache);
	object_unref(&p->obj);
	return out;
}

START_TEST(test_node_affinity_names_the_nodes_of_metadata_name_terms)
{
	struct pod *p = harness_pod("p", "-");
	add_term(p, "metadata.name In node1");
	ck_assert_str_eq(affinity_result(p), "node1");

	p = harness_pod("p", "-");	/* terms are ORed: the union */
	add_term(p, "metadata.name In node1");
	add_term(p, "metadata.name In node2,node3");
	ck_assert_str_eq(affinity_result(p), "node1,node2,node3");

	p = harness_pod("p", "-");	/* requirements are ANDed: the intersection */
	add_term(p, "metadata.name In node1,node2;metadata.name In node2,node3");
	ck_assert_str_eq(affinity_result(p), "node2");
}
END_TEST

START_TEST(test_node_affinity_allows_all_nodes_when_a_term_names_none)
{
	struct pod *p = harness_pod("p", "-");
	add_term(p, "metadata.name In node1");
	add_term(p, "metadata.name NotIn node2");	/* not In: names nothing */
	ck_assert_str_eq(affinity_result(p), "*");

	p = harness_pod("p", "-");	/* a nodeSelector alone: Filter's job */
	strmap_set(&p->spec.node_selector, "zone", "a");
	ck_assert_str_eq(affinity_result(p), "*");
}
END_TEST

START_TEST(test_node_affinity_fails_terms_that_cannot_meet)
{
	struct pod *p = harness_pod("p", "-");
	add_term(p, "metadata.name In node1;metadata.name In node2");
	ck_assert_str_eq(affinity_result(p), "!pod affinity terms conflict");
}
END_TEST

/* Two loaded plugins that narrow to fixed sets, for the merge. */
static enum sched_code to_a_b(struct sched_state *state, const struct pod *pod,
			      struct sched_status *status)
{
	(void)pod, (void)status;
	const char *names[] = { "node-b", "node-a" };
	sched_pre_filter_result_restrict(state, names, 2);
	return SCHED_SUCCESS;
}

static enum sched_code to_c(struct sched_state *state, const struct pod *pod,
			    struct sched_status *status)
{
	(void)pod, (void)status;
	const char *names[] = { "node-c" };
	sched_pre_filter_result_restrict(state, names, 1);
	return SCHED_SUCCESS;
}

static enum sched_code pass_filter(struct sched_state *state, const struct pod *pod,
				   const struct sched_node_info *node,
				   struct sched_status *status)
{
	(void)state, (void)pod, (void)node, (void)status;
	return SCHED_SUCCESS;
}

START_TEST(test_results_intersect_and_an_empty_one_fails_the_pod)
{
	const char *why = NULL;
	static const struct sched_plugin ab = { .name = "ToAB", .pre_filter = to_a_b,
						.filter = pass_filter };
	static const struct sched_plugin c = { .name = "ToC", .pre_filter = to_c,
					       .filter = pass_filter };
	const struct sched_plugin *pab = sched_plugin_lookup("ToAB");
	if (!pab)
		pab = sched_plugin_register(&ab, &why);
	const struct sched_plugin *pc = sched_plugin_lookup("ToC");
	if (!pc)
		pc = sched_plugin_register(&c, &why);
	ck_assert_ptr_nonnull(pab);
	ck_assert_ptr_nonnull(pc);

	struct sched_profile profile = { .len = 1 };
	profile.plugins[0] = (struct sched_profile_plugin){ .plugin = pab, .weight = 1 };
	struct pod *p = harness_pod("p", "-");
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct sched_state state;
	sched_state_init(&state, p, &cache);
	struct sched_status status;
	ck_assert_int_eq(sched_run_pre_filter(&profile, &state, &status), SCHED_SUCCESS);
	ck_assert_uint_eq(state.pre_filter_result.len, 2);
	ck_assert_str_eq(state.pre_filter_result.nodes[0], "node-a");	/* sorted */
	sched_state_release(&state);

	/* Disjoint sets: no node can satisfy both. */
	profile.plugins[profile.len++] = (struct sched_profile_plugin){ .plugin = pc, .weight = 1 };
	sched_state_init(&state, p, &cache);
	ck_assert_int_eq(sched_run_pre_filter(&profile, &state, &status),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(status.reasons[0],
			 "node(s) didn't satisfy plugin(s) [ToAB ToC] simultaneously");
	sched_state_release(&state);
	sched_cache_release(&cache);
	object_unref(&p->obj);
}
END_TEST

/* ---- the cycle ----------------------------------------------------------- */

/* What the explain hook saw of the last attempt. */
static struct {
	size_t start_index, examined, narrowed_to;
} seen;

static void on_attempt(void *arg, const struct sched_attempt *a)
{
	(void)arg;
	seen.start_index = a->start_index;
	seen.examined = a->examined;
	seen.narrowed_to = a->narrowed ? a->narrowed_to : 0;
}

/* Creates obj and runs a second: the pod's cycle and binding are done. */
static void create(struct sched_run *r, struct object *obj)
{
	sched_run_create(r, obj);
	sched_run_advance(r, KTIME_SECOND);
}

/* node-1 and node-3 of 4 cpu, node-2 of 1 cpu. */
static void start(struct sched_run *r)
{
	memset(&seen, 0, sizeof(seen));
	sched_run_open(r, false);
	struct scheduler_options options = {
		.seed = 1, .explain = { .attempt = on_attempt },
	};
	sched_run_start(r, &options);
	const char *names[] = { "node-1", "node-2", "node-3" };
	for (size_t i = 0; i < 3; i++) {
		struct node *n = harness_node(names[i], i == 1 ? "cpu=1,memory=1Gi"
							     : "cpu=4,memory=8Gi");
		free(n->obj.meta.uid);
		n->obj.meta.uid = NULL;
		create(r, &n->obj);
	}
}

static struct pod *pinned_pod(const char *name, const char *node, const char *cpu)
{
	struct pod *p = harness_pod(name, cpu);
	free(p->obj.meta.uid);
	p->obj.meta.uid = NULL;
	char *term = xasprintf("metadata.name In %s", node);
	add_term(p, term);
	free(term);
	return p;
}

START_TEST(test_cycle_filters_only_the_named_node_and_moves_the_index_by_one)
{
	struct sched_run r;
	start(&r);
	create(&r, &pinned_pod("ds", "node-3", "cpu=1")->obj);
	ck_assert_str_eq(sched_run_pod(&r, "ds")->spec.node_name, "node-3");
	ck_assert_uint_eq(seen.narrowed_to, 1);
	ck_assert_uint_eq(seen.examined, 1);	/* not all 3 */
	/* The next cycle starts one node further: processed 1, mod 3. */
	struct pod *free_pod = harness_pod("web", "cpu=1");
	free(free_pod->obj.meta.uid);
	free_pod->obj.meta.uid = NULL;
	create(&r, &free_pod->obj);
	ck_assert_uint_eq(seen.start_index, 1);
	ck_assert_uint_eq(seen.narrowed_to, 0);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_other_nodes_count_as_not_satisfying_the_plugin)
{
	struct sched_run r;
	start(&r);
	create(&r, &pinned_pod("big", "node-2", "cpu=2")->obj);
	const struct pod *pod = sched_run_pod(&r, "big");
	ck_assert_ptr_null(pod->spec.node_name);
	/* (The "preemption: ..." part that follows is DefaultPreemption's.) */
	ck_assert_ptr_nonnull(strstr(pod->status.conditions.items[0].message,
				     "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) "
				     "didn't satisfy plugin(s) [NodeAffinity]. preemption: "));
	/* A node that does not exist: nothing to filter. */
	create(&r, &pinned_pod("ghost", "node-9", "cpu=1")->obj);
	pod = sched_run_pod(&r, "ghost");
	ck_assert_ptr_null(pod->spec.node_name);
	ck_assert_ptr_nonnull(strstr(pod->status.conditions.items[0].message,
				     "0/3 nodes are available: 3 node(s) didn't satisfy "
				     "plugin(s) [NodeAffinity]."));
	sched_run_close(&r);
}
END_TEST

Suite *sched_pre_filter_result_suite(void)
{
	Suite *s = suite_create("sched_pre_filter_result");
	TCase *tc = tcase_create("narrowing");
	tcase_add_test(tc, test_node_affinity_names_the_nodes_of_metadata_name_terms);
	tcase_add_test(tc, test_node_affinity_allows_all_nodes_when_a_term_names_none);
	tcase_add_test(tc, test_node_affinity_fails_terms_that_cannot_meet);
	tcase_add_test(tc, test_results_intersect_and_an_empty_one_fails_the_pod);
	tcase_add_test(tc, test_cycle_filters_only_the_named_node_and_moves_the_index_by_one);
	tcase_add_test(tc, test_other_nodes_count_as_not_satisfying_the_plugin);
	suite_add_tcase(s, tc);
	return s;
}
