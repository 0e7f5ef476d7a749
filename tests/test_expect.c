/* test_expect.c - expectations: the expression language, its evaluation
 * against a real store, and the at/during/within decisions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "engine.h"
#include "expect.h"
#include "store.h"
#include "xmalloc.h"

Suite *expect_suite(void);	/* registered in check_main.c */

/* ---- parsing -------------------------------------------------------------- */

static struct expectation parse_ok(const char *text)
{
	struct expectation e = { 0 };
	struct err *err = NULL;
	int rc = expect_parse(&e, text, &err);
	ck_assert_msg(rc == 0, "'%s': %s", text, err ? err->msg : "?");
	ck_assert_str_eq(e.text, text);
	return e;
}

START_TEST(test_parse_reads_an_object_expression)
{
	struct expectation e = parse_ok("deployment/web .status.availableReplicas == 3");
	ck_assert(!e.is_count);
	ck_assert_int_eq(e.kind, KIND_DEPLOYMENT);
	ck_assert_str_eq(e.name, "web");
	ck_assert_ptr_null(e.namespace);
	ck_assert_str_eq(e.path, ".status.availableReplicas");
	ck_assert_int_eq(e.op, OP_EQ);
	ck_assert_str_eq(e.value, "3");
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_reads_count_with_a_selector_and_a_filter)
{
	struct expectation e = parse_ok("count(pods app=web .status.phase == Running) >= 2");
	ck_assert(e.is_count);
	ck_assert_int_eq(e.kind, KIND_POD);
	ck_assert_ptr_null(e.namespace);	/* all namespaces */
	ck_assert_str_eq(e.path, ".status.phase");
	ck_assert_int_eq(e.filter_op, OP_EQ);
	ck_assert_str_eq(e.filter_value, "Running");
	ck_assert_int_eq(e.op, OP_GE);
	ck_assert_str_eq(e.value, "2");

	struct strmap web = { 0 }, db = { 0 };
	strmap_set(&web, "app", "web");
	strmap_set(&db, "app", "db");
	ck_assert(selector_matches(&e.selector, &web));
	ck_assert(!selector_matches(&e.selector, &db));
	strmap_release(&web);
	strmap_release(&db);
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_reads_count_of_a_kind_alone)
{
	struct expectation e = parse_ok("count(deploy) == 0");
	ck_assert(e.is_count);
	ck_assert_int_eq(e.kind, KIND_DEPLOYMENT);
	ck_assert(selector_is_empty(&e.selector));
	ck_assert_ptr_null(e.path);
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_takes_set_based_selectors_with_parentheses)
{
	struct expectation e = parse_ok("count(pods tier in (a, b),!canary) == 1");
	char *text = selector_to_string(&e.selector);
	ck_assert_str_eq(text, "!canary,tier in (a,b)");
	free(text);
	ck_assert_ptr_null(e.path);
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_does_not_need_spaces_around_operators)
{
	struct expectation e = parse_ok("deployment/web .spec.replicas>=3");
	ck_assert_str_eq(e.path, ".spec.replicas");
	ck_assert_int_eq(e.op, OP_GE);
	ck_assert_str_eq(e.value, "3");
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_reads_quoted_values)
{
	struct expectation e = parse_ok("pod/web-0 .status.message == \"back-off 5m \\\"x\\\"\"");
	ck_assert_str_eq(e.value, "back-off 5m \"x\"");
	expectation_release(&e);
	e = parse_ok("pod/web-0 .status.reason != 'a b'");
	ck_assert_str_eq(e.value, "a b");
	expectation_release(&e);
}
END_TEST

START_TEST(test_parse_takes_a_namespace_as_kubectl_does)
{
	struct expectation e = parse_ok("pod/db-0 -n data .status.phase == Running");
	ck_assert_str_eq(e.namespace, "data");
	expectation_release(&e);
	e = parse_ok("count(pods --namespace=data) == 1");
	ck_assert_str_eq(e.namespace, "data");
	expectation_release(&e);
}
END_TEST

START_TEST(test_a_failed_parse_leaves_the_expectation_as_it_was)
{
	struct expectation e = parse_ok("count(pods) == 1");
	struct err *err = NULL;
	ck_assert_int_eq(expect_parse(&e, "count(pods) is 1", &err), -1);
	err_free(err);
	ck_assert_str_eq(e.text, "count(pods) == 1");
	ck_assert(e.is_count);
	expectation_release(&e);
}
END_TEST

static const struct {
	const char *text;
	const char *words;
} bad_expressions[] = {
	{ "deployment/web .status.availableReplicas is 3",
	  "expected an operator such as ==, got 'is'" },
	{ "deploymnt/web .status.replicas == 3", "unknown kind 'deploymnt'" },
	{ "deployment/web status.replicas == 3",
	  "expected a field path such as .status.phase, got 'status.replicas'" },
	{ "web .status.replicas == 3", "expected KIND/NAME" },
	{ "pod/web .status.phase > Running", "'>' compares numbers, and 'Running' is not one" },
	{ "count(pods) == many", "count() is compared with a number, got 'many'" },
	{ "count(pods app=web", "missing ')' after count(" },
	{ "count(pods app in web) == 1", "bad label selector 'app in web': " },
	{ "count() == 1", "count() needs a kind" },
	{ "deployment/web .spec.replicas == 3 and more", "unexpected 'and more' after the value" },
	{ "deployment/web .spec.replicas ==", "expected a value after the operator" },
	{ "pod/x .status.message == \"open", "missing closing \"" },
	{ "node/worker-1 -n default .spec.unschedulable == true", "nodes are not namespaced" },
	{ "deployment/web .spec.replicas = 3", "expected an operator such as ==, got '='" },
	{ "   ", "empty expectation" },
};

START_TEST(test_parse_rejects_bad_expressions_saying_why)
{
	struct expectation e = { 0 };
	struct err *err = NULL;
	const char *text = bad_expressions[_i].text;
	ck_assert_int_eq(expect_parse(&e, text, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, bad_expressions[_i].words) != NULL,
		      "'%s' said '%s', wanted '%s'", text, err->msg,
		      bad_expressions[_i].words);
	ck_assert_ptr_null(e.text);
	err_free(err);
}
END_TEST

START_TEST(test_op_text_spells_each_operator)
{
	ck_assert_str_eq(expect_op_text(OP_EQ), "==");
	ck_assert_str_eq(expect_op_text(OP_NE), "!=");
	ck_assert_str_eq(expect_op_text(OP_LT), "<");
	ck_assert_str_eq(expect_op_text(OP_LE), "<=");
	ck_assert_str_eq(expect_op_text(OP_GT), ">");
	ck_assert_str_eq(expect_op_text(OP_GE), ">=");
}
END_TEST

/* ---- evaluation against a store ------------------------------------------- */

static struct engine *engine;
static struct store *store;

static void add_pod(const char *namespace, const char *name, const char *app,
		    const char *phase)
{
	struct pod *pod = (struct pod *)object_new(kind_get(KIND_POD));
	pod->obj.meta.namespace = xstrdup(namespace);
	pod->obj.meta.name = xstrdup(name);
	strmap_set(&pod->obj.meta.labels, "app", app);
	pod->status.phase = xstrdup(phase);
	ck_assert_int_eq(store_create(store, &pod->obj, NULL), API_OK);
}

/* A small cluster: deployment web with 3 available replicas, pods web-0
 * (Running), web-1 (Running), web-2 (Pending) in default and db-0
 * (Running) in data, and node worker-1, cordoned, with 8Gi of memory. */
static void setup(void)
{
	engine = engine_new();
	struct clock clock = engine_clock(engine);
	store = store_new(&clock, 1);

	struct deployment *web = (struct deployment *)object_new(kind_get(KIND_DEPLOYMENT));
	web->obj.meta.namespace = xstrdup("default");
	web->obj.meta.name = xstrdup("web");
	web->spec.replicas = 3;
	web->status.available_replicas = 3;
	ck_assert_int_eq(store_create(store, &web->obj, NULL), API_OK);

	add_pod("default", "web-0", "web", "Running");
	add_pod("default", "web-1", "web", "Running");
	add_pod("default", "web-2", "web", "Pending");
	add_pod("data", "db-0", "db", "Running");

	struct node *node = (struct node *)object_new(kind_get(KIND_NODE));
	node->obj.meta.name = xstrdup("worker-1");
	node->spec.unschedulable = true;
	struct quantity memory;
	ck_assert_int_eq(quantity_parse("8Gi", &memory, NULL), 0);
	resource_list_set(&node->status.capacity, "memory", &memory);
	ck_assert_int_eq(store_create(store, &node->obj, NULL), API_OK);
}

static void teardown(void)
{
	store_free(store);
	engine_free(engine);
}

/* Parses and evaluates text; checks the verdict and the observed value. */
static void check_eval(const char *text, bool holds, const char *observed)
{
	struct expectation e = parse_ok(text);
	char *seen = NULL;
	bool result = expect_eval(&e, store, &seen);
	ck_assert_msg(result == holds, "'%s' gave %d (observed %s)", text, result, seen);
	ck_assert_msg(!strcmp(seen, observed), "'%s' observed '%s', wanted '%s'",
		      text, seen, observed);
	free(seen);
	expectation_release(&e);
}

START_TEST(test_eval_reads_an_object_field)
{
	check_eval("deployment/web .status.availableReplicas == 3", true, "3");
	check_eval("deployment/web .status.availableReplicas >= 4", false, "3");
	check_eval("deploy/web .spec.replicas != 2", true, "3");
	check_eval("pod/web-2 .status.phase == Running", false, "Pending");
	check_eval("pod/db-0 -n data .status.phase == Running", true, "Running");
	check_eval("pod/web-0 .metadata.labels.app == web", true, "web");
}
END_TEST

START_TEST(test_eval_reads_missing_objects_and_fields_as_none)
{
	check_eval("deployment/api .status.availableReplicas == 3", false, "<none>");
	check_eval("deployment/api .status.availableReplicas != 3", true, "<none>");
	check_eval("pod/db-0 .status.phase == Running", false, "<none>");	/* not in default */
	check_eval("pod/web-0 .status.podIP == <none>", true, "<none>");
	check_eval("pod/web-0 .spec.containers[0].image == x", false, "<none>");
}
END_TEST

START_TEST(test_eval_compares_numbers_and_quantities_by_value)
{
	check_eval("node/worker-1 .status.capacity.memory == 8Gi", true, "8Gi");
	check_eval("node/worker-1 .status.capacity.memory == 8589934592", true, "8Gi");
	check_eval("node/worker-1 .status.capacity.memory > 8G", true, "8Gi");
	check_eval("node/worker-1 .status.capacity.memory < 8.5Gi", true, "8Gi");
	check_eval("deployment/web .status.availableReplicas == 3.0", true, "3");
	check_eval("node/worker-1 .spec.unschedulable == true", true, "true");
}
END_TEST

START_TEST(test_eval_fails_an_ordering_on_text)
{
	check_eval("pod/web-0 .metadata.name > 3", false, "web-0 (not a number)");
}
END_TEST

START_TEST(test_eval_counts_across_namespaces_unless_told)
{
	check_eval("count(pods) == 4", true, "4");
	check_eval("count(pods -n default) == 3", true, "3");
	check_eval("count(pods app=web) == 3", true, "3");
	check_eval("count(pods app=web .status.phase == Running) >= 2", true, "2");
	check_eval("count(pods .status.phase != Running) == 1", true, "1");
	check_eval("count(pods app=nothing) > 0", false, "0");
	check_eval("count(nodes .spec.unschedulable == true) == 1", true, "1");
}
END_TEST

/* ---- deciding -------------------------------------------------------------- */

static struct expectation timed(const char *text, enum expect_mode mode,
				int from, int to)
{
	struct expectation e = parse_ok(text);
	e.mode = mode;
	e.from = from * KTIME_SECOND;
	e.to = to * KTIME_SECOND;
	return e;
}

static void delete_pod(const char *name)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = 0;
	ck_assert_int_eq(store_delete(store, KIND_POD, "default", name, &options,
				      NULL), API_OK);
}

START_TEST(test_at_is_decided_at_its_time_and_not_before)
{
	struct expectation e = timed("count(pods -n default) == 3", EXPECT_AT, 60, 60);
	expect_step(&e, store, 30 * KTIME_SECOND);
	ck_assert(!e.decided);
	ck_assert_ptr_null(e.observed);
	delete_pod("web-2");
	expect_step(&e, store, 60 * KTIME_SECOND);
	ck_assert(e.decided);
	ck_assert(!e.passed);
	ck_assert_str_eq(e.observed, "2");
	ck_assert_int_eq(e.observed_at, 60 * KTIME_SECOND);
	add_pod("default", "web-3", "web", "Running");
	expect_step(&e, store, 90 * KTIME_SECOND);	/* decided: stays */
	ck_assert(!e.passed);
	ck_assert_str_eq(e.observed, "2");
	expectation_release(&e);
}
END_TEST

START_TEST(test_during_fails_at_the_first_moment_it_does_not_hold)
{
	struct expectation e = timed("count(pods app=web) >= 3", EXPECT_DURING, 60, 300);
	expect_step(&e, store, 60 * KTIME_SECOND);
	expect_step(&e, store, 100 * KTIME_SECOND);
	ck_assert(!e.decided);
	delete_pod("web-0");
	expect_step(&e, store, 120 * KTIME_SECOND);
	ck_assert(e.decided);
	ck_assert(!e.passed);
	ck_assert_str_eq(e.observed, "2");
	ck_assert_int_eq(e.observed_at, 120 * KTIME_SECOND);
	add_pod("default", "web-3", "web", "Running");
	expect_step(&e, store, 300 * KTIME_SECOND);	/* too late to recover */
	ck_assert(!e.passed);
	expectation_release(&e);
}
END_TEST

START_TEST(test_during_passes_when_it_held_until_the_end_of_its_window)
{
	struct expectation e = timed("count(pods app=web) >= 3", EXPECT_DURING, 60, 300);
	delete_pod("web-0");		/* before the window: does not count */
	add_pod("default", "web-3", "web", "Running");
	expect_step(&e, store, 60 * KTIME_SECOND);
	expect_step(&e, store, 300 * KTIME_SECOND);
	ck_assert(e.decided);
	ck_assert(e.passed);
	expectation_release(&e);

	e = timed("count(pods) == 99", EXPECT_DURING, 60, 300);
	expect_step(&e, store, 30 * KTIME_SECOND);
	expect_step(&e, store, 400 * KTIME_SECOND);	/* no step inside */
	ck_assert(e.decided);
	ck_assert(e.passed);
	expectation_release(&e);
}
END_TEST

START_TEST(test_within_passes_at_the_first_moment_it_holds)
{
	struct expectation e = timed("count(pods .status.phase == Running) >= 4",
				     EXPECT_WITHIN, 0, 120);
	expect_step(&e, store, 10 * KTIME_SECOND);
	ck_assert(!e.decided);
	ck_assert_str_eq(e.observed, "3");
	add_pod("default", "web-3", "web", "Running");
	expect_step(&e, store, 50 * KTIME_SECOND);
	ck_assert(e.decided);
	ck_assert(e.passed);
	ck_assert_str_eq(e.observed, "4");
	ck_assert_int_eq(e.observed_at, 50 * KTIME_SECOND);
	expectation_release(&e);
}
END_TEST

START_TEST(test_within_fails_when_its_deadline_passes)
{
	struct expectation e = timed("deployment/web .status.availableReplicas == 5",
				     EXPECT_WITHIN, 0, 120);
	expect_step(&e, store, 10 * KTIME_SECOND);
	ck_assert(!e.decided);
	expect_step(&e, store, 120 * KTIME_SECOND);
	ck_assert(e.decided);
	ck_assert(!e.passed);
	ck_assert_str_eq(e.observed, "3");
	expectation_release(&e);

	e = timed("deployment/web .status.availableReplicas == 3", EXPECT_WITHIN, 0, 120);
	expect_step(&e, store, 200 * KTIME_SECOND);	/* first step is late */
	ck_assert(e.decided);
	ck_assert(!e.passed);
	expectation_release(&e);
}
END_TEST

START_TEST(test_finish_decides_what_the_run_left_open)
{
	struct expectation during = timed("count(pods) >= 1", EXPECT_DURING, 60, 300);
	struct expectation within = timed("count(pods) >= 9", EXPECT_WITHIN, 0, 300);
	struct expectation at = timed("count(pods) >= 1", EXPECT_AT, 300, 300);
	expect_step(&during, store, 100 * KTIME_SECOND);
	expect_step(&within, store, 100 * KTIME_SECOND);
	expect_step(&at, store, 100 * KTIME_SECOND);	/* the run stops at 100s */
	expect_finish(&during);
	expect_finish(&within);
	expect_finish(&at);
	ck_assert(during.decided && during.passed);
	ck_assert(within.decided && !within.passed);
	ck_assert_str_eq(within.observed, "4");
	ck_assert(at.decided && !at.passed);
	ck_assert_str_eq(at.observed, "<not checked>");
	expectation_release(&during);
	expectation_release(&within);
	expectation_release(&at);
}
END_TEST

Suite *expect_suite(void)
{
	Suite *s = suite_create("expect");
	TCase *parse = tcase_create("parse");
	tcase_add_test(parse, test_parse_reads_an_object_expression);
	tcase_add_test(parse, test_parse_reads_count_with_a_selector_and_a_filter);
	tcase_add_test(parse, test_parse_reads_count_of_a_kind_alone);
	tcase_add_test(parse, test_parse_takes_set_based_selectors_with_parentheses);
	tcase_add_test(parse, test_parse_does_not_need_spaces_around_operators);
	tcase_add_test(parse, test_parse_reads_quoted_values);
	tcase_add_test(parse, test_parse_takes_a_namespace_as_kubectl_does);
	tcase_add_test(parse, test_a_failed_parse_leaves_the_expectation_as_it_was);
	tcase_add_loop_test(parse, test_parse_rejects_bad_expressions_saying_why, 0,
			    sizeof(bad_expressions) / sizeof(bad_expressions[0]));
	tcase_add_test(parse, test_op_text_spells_each_operator);
	suite_add_tcase(s, parse);

	TCase *eval = tcase_create("eval");
	tcase_add_checked_fixture(eval, setup, teardown);
	tcase_add_test(eval, test_eval_reads_an_object_field);
	tcase_add_test(eval, test_eval_reads_missing_objects_and_fields_as_none);
	tcase_add_test(eval, test_eval_compares_numbers_and_quantities_by_value);
	tcase_add_test(eval, test_eval_fails_an_ordering_on_text);
	tcase_add_test(eval, test_eval_counts_across_namespaces_unless_told);
	suite_add_tcase(s, eval);

	TCase *decide = tcase_create("decide");
	tcase_add_checked_fixture(decide, setup, teardown);
	tcase_add_test(decide, test_at_is_decided_at_its_time_and_not_before);
	tcase_add_test(decide, test_during_fails_at_the_first_moment_it_does_not_hold);
	tcase_add_test(decide, test_during_passes_when_it_held_until_the_end_of_its_window);
	tcase_add_test(decide, test_within_passes_at_the_first_moment_it_holds);
	tcase_add_test(decide, test_within_fails_when_its_deadline_passes);
	tcase_add_test(decide, test_finish_decides_what_the_run_left_open);
	suite_add_tcase(s, decide);
	return s;
}
