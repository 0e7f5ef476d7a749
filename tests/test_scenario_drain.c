/* test_scenario_drain.c - the loader's drain: and evict: timeline actions
 * and the images' readiness failure window.
 *
 * Fixtures: tests/data/scenario-drain.yaml (good) and
 * scenario-bad-drain.yaml (every problem, each reported where it is).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "scenario.h"

Suite *scenario_drain_suite(void);

static const char *data(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s",
		 access("data/scenario-drain.yaml", R_OK) == 0 ? "data" : "tests/data", name);
	return path;
}

START_TEST(test_drain_and_evict_actions_are_loaded)
{
	struct diag_list diags = { 0 };
	struct scenario *sc = scenario_load(data("scenario-drain.yaml"), &diags);
	if (!sc)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(sc);
	ck_assert_uint_eq(sc->timeline.len, 2);
	const struct action *drain = &sc->timeline.items[0], *evict = &sc->timeline.items[1];
	ck_assert_int_eq(drain->type, ACTION_DRAIN);
	ck_assert_str_eq(drain->name, "worker-1");
	ck_assert_int_eq(drain->at, 60 * KTIME_SECOND);
	ck_assert_int_eq(evict->type, ACTION_EVICT);
	ck_assert_int_eq(evict->kind, KIND_POD);
	ck_assert_str_eq(evict->namespace, "team-a");
	ck_assert_str_eq(evict->name, "web-0");
	struct image_behavior scratch;
	const struct image_behavior *flaky = scenario_image(sc, "web:flaky", &scratch);
	ck_assert_int_eq(flaky->readiness_fails_after, 60 * KTIME_SECOND);
	ck_assert_int_eq(flaky->readiness_recovers_after, 120 * KTIME_SECOND);
	scenario_free(sc);
	diag_release(&diags);
}
END_TEST

static bool reported(const struct diag_list *diags, int line, const char *words)
{
	for (size_t i = 0; i < diags->len; i++)
		if (diags->items[i].line == line && strstr(diags->items[i].msg, words))
			return true;
	return false;
}

START_TEST(test_bad_drain_evict_and_readiness_window_are_reported)
{
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(scenario_load(data("scenario-bad-drain.yaml"), &diags));
	ck_assert(reported(&diags, 10, "readinessRecoversAfter: must be later than "
			   "readinessFailsAfter"));
	ck_assert(reported(&diags, 12, "no node \"worker-3\" in the cluster"));
	ck_assert(reported(&diags, 13, "only pods can be evicted, got Deployment"));
	ck_assert(reported(&diags, 14, "only set, scale, delete, evict and rollback take "
			   "a namespace"));
	if (diags.len != 4)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, 4);
	diag_release(&diags);
}
END_TEST

Suite *scenario_drain_suite(void)
{
	Suite *s = suite_create("scenario_drain");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_drain_and_evict_actions_are_loaded);
	tcase_add_test(tc, test_bad_drain_evict_and_readiness_window_are_reported);
	suite_add_tcase(s, tc);
	return s;
}
