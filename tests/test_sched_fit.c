/* test_sched_fit.c - NodeResourcesFit's scoring strategies and filter
 * edges, BalancedAllocation's configurable resources.
 *
 * The score tables are upstream's (least_allocated_test.go,
 * most_allocated_test.go, requested_to_capacity_ratio_test.go,
 * balanced_allocation_test.go): same nodes, same pods, same expected
 * scores. Upstream's "cpu": "4000" is 4000 cores; its makeNode(name,
 * 4000, 10000, ...) is 4000 millicores and 10000 bytes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_args.h"
#include "sched_fit_score.h"
#include "sched_harness.h"

Suite *sched_fit_suite(void);

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

struct score_case {
	const char *what;
	const char *nodes[2];		/* node1, node2 allocatable */
	const char *existing[4];	/* "node1|<pod spec>" */
	const char *pod;		/* the pod to place */
	int64_t want[2];
};

/* Runs one table of two-node cases through plugin pl with args. */
static void run_score_table(const struct sched_plugin *pl, const void *args,
			    const struct score_case *cases, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const struct score_case *c = &cases[i];
		struct sched_cache cache;
		sched_cache_init(&cache);
		harness_add_node(&cache, harness_node("node1", c->nodes[0]));
		harness_add_node(&cache, harness_node("node2", c->nodes[1]));
		for (size_t k = 0; k < LEN(c->existing) && c->existing[k]; k++) {
			char name[16];
			snprintf(name, sizeof(name), "existing-%zu", k);
			const char *bar = strchr(c->existing[k], '|');
			char *node = strndup(c->existing[k], (size_t)(bar - c->existing[k]));
			harness_add_bound_pod(&cache, harness_pod(name, bar + 1), node);
			free(node);
		}
		struct pod *p = harness_pod("incoming", c->pod);
		const char *names[] = { "node1", "node2" };
		int64_t got[2];
		ck_assert_msg(harness_score(pl, &cache, p, args, names, 2, got),
			      "%s: skipped", c->what);
		ck_assert_msg(got[0] == c->want[0] && got[1] == c->want[1],
			      "%s: got %lld, %lld; want %lld, %lld", c->what,
			      (long long)got[0], (long long)got[1],
			      (long long)c->want[0], (long long)c->want[1]);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}

static struct sched_fit_args fit_args(enum sched_scoring_strategy strategy,
				      const struct sched_resource_spec *resources,
				      size_t len)
{
	struct sched_fit_args args;
	sched_fit_args_default(&args);
	args.strategy = strategy;
	if (resources) {
		args.resources_len = len;
		memcpy(args.resources, resources, len * sizeof(*resources));
	}
	return args;
}

/* ---- defaults ------------------------------------------------------------ */

START_TEST(test_fit_defaults_are_least_allocated_over_cpu_and_memory)
{
	struct sched_fit_args args;
	sched_fit_args_default(&args);
	ck_assert_int_eq(args.strategy, SCHED_LEAST_ALLOCATED);
	ck_assert_uint_eq(args.resources_len, 2);
	ck_assert_str_eq(args.resources[0].name, "cpu");
	ck_assert_str_eq(args.resources[1].name, "memory");
	ck_assert_int_eq(args.resources[0].weight, 1);
	ck_assert_int_eq(args.resources[1].weight, 1);
	struct sched_balanced_args b;
	sched_balanced_args_default(&b);
	ck_assert_uint_eq(b.resources_len, 2);
	ck_assert_str_eq(b.resources[1].name, "memory");
}
END_TEST

/* ---- LeastAllocated (least_allocated_test.go) ---------------------------- */

START_TEST(test_least_allocated_matches_upstream_table)
{
	static const struct score_case cases[] = {
		{ "nothing scheduled, nothing requested",
		  { "cpu=4000,memory=10000", "cpu=4000,memory=10000" }, { NULL }, "",
		  { 100, 100 } },
		{ "nothing scheduled, resources requested, differently sized nodes",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" }, { NULL },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 37, 50 } },
		{ "no resources requested, pods scheduled with resources",
		  { "cpu=10000,memory=20000", "cpu=10000,memory=20000" },
		  { "node1|cpu=3000,memory=0", "node1|cpu=3000,memory=0",
		    "node2|cpu=3000,memory=0", "node2|cpu=3000,memory=5000" },
		  "", { 70, 57 } },
		{ "resources requested equal node capacity",
		  { "cpu=4000,memory=10000", "cpu=4000,memory=10000" }, { NULL },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000;cpu=1000,memory=5000",
		  { 0, 0 } },
	};
	run_score_table(&sched_fit_plugin, NULL, cases, LEN(cases));

	/* Weights: memory counts twice as much as cpu. */
	static const struct sched_resource_spec weighted[] = {
		{ "memory", 2 }, { "cpu", 1 },
	};
	static const struct score_case weighted_cases[] = {
		{ "nothing scheduled, resources requested, weighted",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" }, { NULL },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 41, 50 } },
	};
	struct sched_fit_args args = fit_args(SCHED_LEAST_ALLOCATED, weighted, 2);
	run_score_table(&sched_fit_plugin, &args, weighted_cases, LEN(weighted_cases));
}
END_TEST

/* ---- MostAllocated (most_allocated_test.go) ------------------------------ */

START_TEST(test_most_allocated_matches_upstream_table)
{
	static const struct score_case cases[] = {
		{ "nothing scheduled, nothing requested",
		  { "cpu=4000,memory=10000", "cpu=4000,memory=10000" }, { NULL }, "",
		  { 0, 0 } },
		{ "nothing scheduled, resources requested, differently sized nodes",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" }, { NULL },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 62, 50 } },
		{ "no resources requested, pods scheduled with resources",
		  { "cpu=10000,memory=20000", "cpu=10000,memory=20000" },
		  { "node1|cpu=3000,memory=0", "node1|cpu=3000,memory=0",
		    "node2|cpu=3000,memory=0", "node2|cpu=3000,memory=5000" },
		  "", { 30, 42 } },
		{ "resources requested, pods scheduled with resources",
		  { "cpu=10000,memory=20000", "cpu=10000,memory=20000" },
		  { "node1|cpu=3000,memory=0", "node2|cpu=3000,memory=5000" },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 42, 55 } },
		{ "resources requested equal node capacity",
		  { "cpu=5000,memory=10000", "cpu=10000,memory=9000" }, { NULL },
		  "cpu=2000,memory=4000;cpu=3000,memory=5000", { 95, 75 } },
		{ "no resources requested, pods scheduled, nonzero request for resource",
		  { "cpu=250m,memory=1000Mi", "cpu=250m,memory=1000Mi" },
		  { "node1|-", "node1|-" }, "-", { 80, 30 } },
	};
	struct sched_fit_args args = fit_args(SCHED_MOST_ALLOCATED, NULL, 0);
	run_score_table(&sched_fit_plugin, &args, cases, LEN(cases));

	static const struct sched_resource_spec weighted[] = {
		{ "memory", 2 }, { "cpu", 1 },
	};
	static const struct score_case weighted_cases[] = {
		{ "nothing scheduled, resources requested, differently sized nodes",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" }, { NULL },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 58, 50 } },
	};
	args = fit_args(SCHED_MOST_ALLOCATED, weighted, 2);
	run_score_table(&sched_fit_plugin, &args, weighted_cases, LEN(weighted_cases));

	/* An extended resource counts only for pods that request it. */
	static const struct sched_resource_spec extended[] = {
		{ "cpu", 1 }, { "memory", 1 }, { "abc.com/xyz", 1 },
	};
	static const struct score_case extended_cases[] = {
		{ "bypass extended resource if the pod does not request",
		  { "cpu=6000,memory=10000", "cpu=6000,memory=10000,abc.com/xyz=4" },
		  { NULL }, "cpu=1000,memory=2000;cpu=2000,memory=3000", { 50, 50 } },
		{ "honor extended resource if the pod requests",
		  { "cpu=6000,memory=10000,abc.com/xyz=4",
		    "cpu=6000,memory=10000,abc.com/xyz=10" },
		  { NULL }, "cpu=3000,memory=5000,abc.com/xyz=2", { 50, 40 } },
	};
	args = fit_args(SCHED_MOST_ALLOCATED, extended, 3);
	run_score_table(&sched_fit_plugin, &args, extended_cases, LEN(extended_cases));

	static const struct sched_resource_spec missing[] = {
		{ "abc.com/xyz", 2 }, { "cpu", 1 }, { "memory", 1 },
	};
	static const struct score_case missing_cases[] = {
		{ "if the node doesn't have a resource",
		  { "cpu=6000,memory=10000", "cpu=6000,memory=10000,abc.com/xyz=4" },
		  { NULL }, "cpu=3000,memory=4000", { 45, 45 } },
	};
	args = fit_args(SCHED_MOST_ALLOCATED, missing, 3);
	run_score_table(&sched_fit_plugin, &args, missing_cases, LEN(missing_cases));
}
END_TEST

/* ---- RequestedToCapacityRatio (requested_to_capacity_ratio_test.go) ------ */

START_TEST(test_broken_linear_function_matches_upstream)
{
	static const struct sched_shape_point a[] = { { 10, 1 }, { 90, 9 } };
	static const struct sched_shape_point b[] = { { 0, 2 }, { 40, 10 }, { 100, 0 } };
	static const struct {
		const struct sched_shape_point *shape;
		size_t len;
		int64_t p, want;
	} cases[] = {
		{ a, 2, -10, 1 }, { a, 2, 0, 1 }, { a, 2, 9, 1 }, { a, 2, 10, 1 },
		{ a, 2, 15, 1 }, { a, 2, 19, 1 }, { a, 2, 20, 2 }, { a, 2, 89, 8 },
		{ a, 2, 90, 9 }, { a, 2, 99, 9 }, { a, 2, 100, 9 }, { a, 2, 110, 9 },
		{ b, 3, -10, 2 }, { b, 3, 0, 2 }, { b, 3, 20, 6 }, { b, 3, 30, 8 },
		{ b, 3, 40, 10 }, { b, 3, 70, 5 }, { b, 3, 100, 0 }, { b, 3, 110, 0 },
	};
	for (size_t i = 0; i < LEN(cases); i++)
		ck_assert_msg(sched_broken_linear(cases[i].shape, cases[i].len, cases[i].p)
			      == cases[i].want, "case %zu", i);
}
END_TEST

START_TEST(test_requested_to_capacity_ratio_matches_upstream_table)
{
	/* 0% -> 10, 100% -> 0: behaves like LeastAllocated, but a resource
	 * scoring 0 is left out and the mean is rounded. */
	struct sched_fit_args args = fit_args(SCHED_REQUESTED_TO_CAPACITY_RATIO, NULL, 0);
	args.shape_len = 2;
	args.shape[0] = (struct sched_shape_point){ 0, 10 };
	args.shape[1] = (struct sched_shape_point){ 100, 0 };
	static const struct score_case cases[] = {
		{ "nothing scheduled, nothing requested",
		  { "cpu=4000,memory=10000", "cpu=4000,memory=10000" },
		  { "node1|", "node1|" }, "", { 100, 100 } },
		{ "nothing scheduled, resources requested, differently sized nodes",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" },
		  { "node1|", "node1|" },
		  "cpu=1000,memory=2000;cpu=2000,memory=3000", { 38, 50 } },
		{ "no resources requested, pods scheduled with resources",
		  { "cpu=4000,memory=10000", "cpu=6000,memory=10000" },
		  { "node1|cpu=3000,memory=5000", "node2|cpu=3000,memory=5000" },
		  "", { 38, 50 } },
	};
	run_score_table(&sched_fit_plugin, &args, cases, LEN(cases));

	/* Bin packing one extended resource: 0% -> 0, 100% -> 1 (x10). */
	static const struct sched_resource_spec foo[] = { { "intel.com/foo", 1 } };
	args = fit_args(SCHED_REQUESTED_TO_CAPACITY_RATIO, foo, 1);
	args.shape_len = 2;
	args.shape[0] = (struct sched_shape_point){ 0, 0 };
	args.shape[1] = (struct sched_shape_point){ 100, 1 };
	static const struct score_case single[] = {
		{ "nothing scheduled, nothing requested",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8",
		    "cpu=4,memory=10000Mi,intel.com/foo=4" }, { NULL }, "", { 0, 0 } },
		{ "resources requested, pods scheduled with less resources",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8",
		    "cpu=4,memory=10000Mi,intel.com/foo=4" },
		  { "node1|" }, "intel.com/foo=2", { 2, 5 } },
		{ "resources requested, on node with existing pod running",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8",
		    "cpu=4,memory=10000Mi,intel.com/foo=4" },
		  { "node2|intel.com/foo=2" }, "intel.com/foo=2", { 2, 10 } },
		{ "resources requested, pods scheduled with more resources",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8",
		    "cpu=4,memory=10000Mi,intel.com/foo=4" },
		  { "node1|" }, "intel.com/foo=4", { 5, 10 } },
	};
	run_score_table(&sched_fit_plugin, &args, single, LEN(single));

	/* Two extended resources, weights 3 and 5. */
	static const struct sched_resource_spec two[] = {
		{ "intel.com/foo", 3 }, { "intel.com/bar", 5 },
	};
	args = fit_args(SCHED_REQUESTED_TO_CAPACITY_RATIO, two, 2);
	args.shape_len = 2;
	args.shape[0] = (struct sched_shape_point){ 0, 0 };
	args.shape[1] = (struct sched_shape_point){ 100, 1 };
	static const struct score_case multiple[] = {
		{ "nothing scheduled, nothing requested",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8,intel.com/bar=4",
		    "cpu=4,memory=10000Mi,intel.com/foo=4,intel.com/bar=8" },
		  { NULL }, "", { 0, 0 } },
		{ "resources requested, pods scheduled with less resources",
		  { "cpu=4,memory=10000Mi,intel.com/foo=8,intel.com/bar=4",
		    "cpu=4,memory=10000Mi,intel.com/foo=4,intel.com/bar=8" },
		  { "node1|" }, "intel.com/foo=2,intel.com/bar=2", { 4, 3 } },
	};
	run_score_table(&sched_fit_plugin, &args, multiple, LEN(multiple));
}
END_TEST

START_TEST(test_rtcr_rounds_and_scores_huge_memory_exactly)
{
	/* 1 of 3 cpus booked: 33% -> 67 on the 0:10..100:0 line; memory
	 * of 2^58 bytes half booked would overflow requested * 100 in 64-bit
	 * arithmetic without the wide product. */
	struct sched_fit_args args = fit_args(SCHED_REQUESTED_TO_CAPACITY_RATIO, NULL, 0);
	args.shape_len = 2;
	args.shape[0] = (struct sched_shape_point){ 0, 10 };
	args.shape[1] = (struct sched_shape_point){ 100, 0 };
	static const struct score_case cases[] = {
		{ "(67 + 50) / 2 = 58.5 rounds up",
		  { "cpu=3,memory=256Pi", "cpu=3,memory=256Pi" }, { NULL },
		  "cpu=1,memory=128Pi", { 59, 59 } },
	};
	run_score_table(&sched_fit_plugin, &args, cases, LEN(cases));
}
END_TEST

START_TEST(test_least_allocated_truncates_exactly_just_below_an_integer)
{
	/* 100 * free / capacity falls 1 / capacity short of 27 (of 73): the
	 * score is 26 (72), computed in double precision below 2^46 bytes, in
	 * integers above, where a double quotient would round up to 73.
	 * No cpu: memory alone scores. */
	static const struct score_case cases[] = {
		{ "2^46 - 1 bytes: the double division",
		  { "memory=70368744177663", "memory=70368744177663" }, { NULL },
		  "memory=51369183249694", { 26, 26 } },
		{ "2^56 + 1 bytes: the integer division",
		  { "memory=72057594037927937", "memory=72057594037927937" }, { NULL },
		  "memory=19455550390240543", { 72, 72 } },
	};
	struct sched_fit_args args = fit_args(SCHED_LEAST_ALLOCATED, NULL, 0);
	run_score_table(&sched_fit_plugin, &args, cases, LEN(cases));
}
END_TEST

/* ---- BalancedAllocation (balanced_allocation_test.go) -------------------- */

#define CPU_AND_MEMORY "cpu=1000m,memory=2000;cpu=2000m,memory=3000"
#define CPU_ONLY "cpu=1000m,memory=0;cpu=2000m,memory=0"
#define CPU_MEMORY_GPU "cpu=1000m,memory=2000;cpu=2000m,memory=3000,nvidia.com/gpu=3"

START_TEST(test_balanced_allocation_matches_upstream_table)
{
	static const struct score_case cases[] = {
		{ "nothing scheduled, resources requested, differently sized nodes",
		  { "cpu=4000m,memory=10000", "cpu=6000m,memory=10000" }, { NULL },
		  CPU_AND_MEMORY, { 87, 100 } },
		{ "resources requested, pods scheduled with resources",
		  { "cpu=10000m,memory=20000", "cpu=10000m,memory=20000" },
		  { "node1|" CPU_ONLY, "node2|" CPU_AND_MEMORY }, CPU_AND_MEMORY,
		  { 82, 95 } },
		{ "differently sized nodes",
		  { "cpu=10000m,memory=20000", "cpu=10000m,memory=50000" },
		  { "node1|" CPU_ONLY, "node2|" CPU_AND_MEMORY }, CPU_AND_MEMORY,
		  { 82, 80 } },
		{ "requested resources at node capacity",
		  { "cpu=6000m,memory=10000", "cpu=6000m,memory=10000" },
		  { "node1|" CPU_ONLY, "node2|" CPU_AND_MEMORY }, CPU_ONLY, { 50, 75 } },
	};
	run_score_table(&sched_balanced_allocation_plugin, NULL, cases, LEN(cases));

	struct sched_balanced_args args;
	sched_balanced_args_default(&args);
	args.resources[args.resources_len++] = (struct sched_resource_spec){ "nvidia.com/gpu", 1 };
	static const struct score_case gpu[] = {
		{ "include scalar resource on a node",
		  { "cpu=3500m,memory=40000,nvidia.com/gpu=8",
		    "cpu=3500m,memory=40000,nvidia.com/gpu=8" },
		  { "node2|" CPU_AND_MEMORY, "node1|" CPU_MEMORY_GPU },
		  "memory=0,nvidia.com/gpu=1", { 70, 65 } },
		{ "node without the scalar resource skips it",
		  { "cpu=3500m,memory=40000,nvidia.com/gpu=8", "cpu=3500m,memory=40000" },
		  { NULL }, CPU_AND_MEMORY, { 63, 63 } },
	};
	run_score_table(&sched_balanced_allocation_plugin, &args, gpu, LEN(gpu));
}
END_TEST

/* ---- Fit filter edges ---------------------------------------------------- */

START_TEST(test_fit_filter_counts_ephemeral_storage_and_overhead)
{
	static const struct {
		const char *what;
		const char *node, *existing, *pod, *overhead;
		enum sched_code want;
		const char *reason;
	} cases[] = {
		{ "storage fits", "cpu=4,memory=8Gi,ephemeral-storage=10Gi",
		  "ephemeral-storage=4Gi", "ephemeral-storage=6Gi", NULL, SCHED_SUCCESS, NULL },
		{ "storage short", "cpu=4,memory=8Gi,ephemeral-storage=10Gi",
		  "ephemeral-storage=5Gi", "ephemeral-storage=6Gi", NULL,
		  SCHED_UNSCHEDULABLE, "Insufficient ephemeral-storage" },
		{ "storage bigger than the node", "cpu=4,memory=8Gi,ephemeral-storage=10Gi",
		  NULL, "ephemeral-storage=11Gi", NULL,
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient ephemeral-storage" },
		{ "overhead tips the balance", "cpu=4,memory=8Gi", "cpu=3", "cpu=900m",
		  "cpu=200m", SCHED_UNSCHEDULABLE, "Insufficient cpu" },
		{ "without overhead it fits", "cpu=4,memory=8Gi", "cpu=3", "cpu=900m",
		  NULL, SCHED_SUCCESS, NULL },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		harness_add_node(&cache, harness_node("node1", cases[i].node));
		if (cases[i].existing)
			harness_add_bound_pod(&cache, harness_pod("old", cases[i].existing),
					      "node1");
		struct pod *p = harness_pod("new", cases[i].pod);
		if (cases[i].overhead)
			harness_resources(&p->spec.overhead, cases[i].overhead);
		struct sched_status st;
		enum sched_code code = harness_filter(&sched_fit_plugin, &cache, p, NULL,
						      "node1", &st);
		ck_assert_msg(code == cases[i].want, "%s: %s", cases[i].what,
			      sched_code_name(code));
		if (cases[i].reason)
			ck_assert_str_eq(st.reasons[0], cases[i].reason);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_fit_filter_counts_a_sidecar_next_to_later_init_containers)
{
	/* App 1 cpu; sidecar 1 cpu (restartPolicy Always) then an init
	 * container of 2 cpu: the pod needs max(1 + 1, 1 + 2) = 3 cpu. */
	struct sched_cache cache;
	sched_cache_init(&cache);
	harness_add_node(&cache, harness_node("node1", "cpu=3,memory=8Gi"));
	harness_add_node(&cache, harness_node("node2", "cpu=2500m,memory=8Gi"));
	struct pod *p = harness_pod("new", "cpu=1");
	struct container *sidecar = HARNESS_APPEND(p->spec.init_containers);
	sidecar->restart_policy = xstrdup("Always");
	harness_resources(&sidecar->resources.requests, "cpu=1");
	struct container *init = HARNESS_APPEND(p->spec.init_containers);
	harness_resources(&init->resources.requests, "cpu=2");
	struct sched_status st;
	ck_assert_int_eq(harness_filter(&sched_fit_plugin, &cache, p, NULL, "node1", &st),
			 SCHED_SUCCESS);
	ck_assert_int_eq(harness_filter(&sched_fit_plugin, &cache, p, NULL, "node2", &st),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(st.reasons[0], "Insufficient cpu");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_fit_suite(void)
{
	Suite *s = suite_create("sched_fit");
	TCase *tc = tcase_create("strategies");
	tcase_add_test(tc, test_fit_defaults_are_least_allocated_over_cpu_and_memory);
	tcase_add_test(tc, test_least_allocated_matches_upstream_table);
	tcase_add_test(tc, test_most_allocated_matches_upstream_table);
	tcase_add_test(tc, test_broken_linear_function_matches_upstream);
	tcase_add_test(tc, test_requested_to_capacity_ratio_matches_upstream_table);
	tcase_add_test(tc, test_rtcr_rounds_and_scores_huge_memory_exactly);
	tcase_add_test(tc, test_least_allocated_truncates_exactly_just_below_an_integer);
	tcase_add_test(tc, test_balanced_allocation_matches_upstream_table);
	tcase_add_test(tc, test_fit_filter_counts_ephemeral_storage_and_overhead);
	tcase_add_test(tc, test_fit_filter_counts_a_sidecar_next_to_later_init_containers);
	suite_add_tcase(s, tc);
	return s;
}
