/* test_kubelet_stop.c - startup probes, and how the kubelet stops a container:
 * preStop hooks, SIGTERM, the grace period and SIGKILL.
 *
 * One kubelet over a real engine and store (tests/kubelet_harness.h).
 * Times are relative to T0, when the kubelet started; images pull in 1s
 * and start in 1s, so a pod created at T0 runs from 2s.
 */
#include "kubelet_harness.h"

Suite *kubelet_stop_suite(void);

static struct probe http_probe(int32_t period, int32_t failure_threshold)
{
	struct probe probe = {0};
	probe.http_get.path = xstrdup("/healthz");
	probe.http_get.port.is_set = true;
	probe.http_get.port.int_value = 8080;
	probe.period_seconds = period;
	probe.failure_threshold = failure_threshold;
	return probe;
}

static struct image_behavior *image_add(struct fixture *f, const char *name)
{
	add_image(f, name, 1 * S, 1 * S);
	return image_named(f, name);
}

static struct container *only_container(struct pod *pod)
{
	return &pod->spec.containers.items[0];
}

static void delete_pod(struct fixture *f, const char *name, int64_t grace)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = grace;
	ck_assert_int_eq(client_delete(&f->actor, KIND_POD, "default", name, &options, NULL),
			 API_OK);
}

/* ---- startup probes ------------------------------------------------------ */

START_TEST(test_startup_probe_holds_started_and_ready_until_it_passes)
{
	struct fixture *f = fixture_new();
	struct image_behavior *slow = image_add(f, "slow:v1");
	slow->startup_delay = 25 * S;
	slow->ready_after = 3 * S;
	fixture_start(f);
	struct pod *pod = pod_new("slow", "app", "slow:v1");
	only_container(pod)->startup_probe = http_probe(10, 5);
	only_container(pod)->readiness_probe = http_probe(10, 3);
	create(f, pod);

	/* Probes at 2s, 12s, 22s fail; the one at 32s passes. */
	run_to(f, 31 * S);
	const struct container_status *cs = status_of(get_pod(f, "slow"), "app");
	ck_assert(cs->state.running.started_at != 0);
	ck_assert(!cs->started);
	ck_assert(!cs->ready);
	ck_assert_uint_eq(event_count(f, "slow", "Unhealthy"), 3);
	const struct logged_event *e = event_get(f, "slow", "Unhealthy", 0);
	ck_assert_int_eq(e->t, 2 * S);
	ck_assert_str_eq(e->type, "Warning");
	const char *ip = get_pod(f, "slow")->status.pod_ip;
	char *want = xasprintf("Startup probe failed: Get \"http://%s:8080/healthz\": dial tcp %s:8080: connect: connection refused",
			       ip, ip);
	ck_assert_str_eq(e->message, want);
	free(want);
	ck_assert_int_eq(event_get(f, "slow", "Unhealthy", 2)->t, 22 * S);

	run_to(f, 32 * S);
	cs = status_of(get_pod(f, "slow"), "app");
	ck_assert(cs->started);
	ck_assert(cs->ready);	/* readyAfter passed: the probe runs at once */
	ck_assert_str_eq(condition_of(get_pod(f, "slow"), "Ready")->status, "True");
	ck_assert_uint_eq(event_count(f, "slow", "Killing"), 0);
	fixture_free(f);
}
END_TEST

START_TEST(test_startup_probe_failing_threshold_times_kills_and_restarts)
{
	struct fixture *f = fixture_new();
	image_add(f, "stuck:v1")->startup_delay = 10 * KTIME_MINUTE;
	fixture_start(f);
	struct pod *pod = pod_new("stuck", "app", "stuck:v1");
	only_container(pod)->startup_probe = http_probe(10, 3);
	create(f, pod);

	/* failureThreshold x periodSeconds: failures at 2s, 12s, 22s. */
	run_to(f, 22 * S);
	ck_assert_uint_eq(event_count(f, "stuck", "Unhealthy"), 3);
	const struct logged_event *kill = event_get(f, "stuck", "Killing", 0);
	ck_assert_int_eq(kill->t, 22 * S);
	ck_assert_str_eq(kill->message, "Container app failed startup probe, will be restarted");
	/* Restarted at once (a first exit has no back-off), probing again. */
	run_to(f, 30 * S);
	ck_assert_int_eq(event_get(f, "stuck", "Unhealthy", 3)->t, 23 * S);
	const struct container_status *cs = status_of(get_pod(f, "stuck"), "app");
	ck_assert_int_eq(cs->restart_count, 1);
	/* It was still starting: SIGTERM ended it (128 + 15). */
	ck_assert_int_eq(cs->last_state.terminated.exit_code, 143);
	ck_assert_str_eq(cs->last_state.terminated.reason, "Error");
	ck_assert_int_eq(cs->last_state.terminated.finished_at - f->t0, 22 * S);
	ck_assert(!cs->started);
	fixture_free(f);
}
END_TEST

START_TEST(test_liveness_probe_counts_only_once_started)
{
	struct fixture *f = fixture_new();
	struct image_behavior *image = image_add(f, "late:v1");
	image->startup_delay = 20 * S;
	image->liveness_fails_after = 5 * S;
	fixture_start(f);
	struct pod *pod = pod_new("late", "app", "late:v1");
	only_container(pod)->startup_probe = http_probe(10, 10);
	only_container(pod)->liveness_probe = http_probe(7, 3);
	create(f, pod);

	/* Started at 22s (startup probe at 20s after the start); liveness
	 * ticks every 7s from the start, the first counted one is 21s after
	 * the start (23s), then 30s, 37s: the kill. */
	run_to(f, 40 * S);
	ck_assert_uint_eq(event_count(f, "late", "Unhealthy"), 5);
	ck_assert_str_eq(event_get(f, "late", "Unhealthy", 2)->message,
			 "Liveness probe failed: HTTP probe failed with statuscode: 500");
	ck_assert_int_eq(event_get(f, "late", "Unhealthy", 2)->t, 23 * S);
	const struct logged_event *kill = event_get(f, "late", "Killing", 0);
	ck_assert_int_eq(kill->t, 37 * S);
	ck_assert_str_eq(kill->message, "Container app failed liveness probe, will be restarted");
	fixture_free(f);
}
END_TEST

/* ---- graceful termination ------------------------------------------------ */

START_TEST(test_deletion_runs_the_pre_stop_hook_then_sigterm)
{
	struct fixture *f = fixture_new();
	image_add(f, "drain:v1")->termination_delay = 4 * S;
	fixture_start(f);
	struct pod_tap tap;
	pod_tap_start(f, &tap, "web");
	struct pod *pod = pod_new("web", "app", "drain:v1");
	only_container(pod)->lifecycle.pre_stop.sleep_seconds =
		(struct opt_int64){ .is_set = true, .value = 5 };
	create(f, pod);
	run_to(f, 10 * S);
	delete_pod(f, "web", -1);

	/* preStop sleeps 5s (to 15s), then SIGTERM; it drains 4s: 19s. */
	run_to(f, 18 * S);
	const struct pod *p = get_pod(f, "web");
	ck_assert_ptr_nonnull(p);
	ck_assert(p->obj.meta.deletion_timestamp != 0);
	const struct container_status *cs = status_of(p, "app");
	ck_assert(cs->state.running.started_at != 0);
	ck_assert(cs->ready);		/* ready until it exits */
	const struct logged_event *kill = event_get(f, "web", "Killing", 0);
	ck_assert_int_eq(kill->t, 10 * S);
	ck_assert_str_eq(kill->message, "Stopping container app");

	run_to(f, 19 * S);
	ck_assert_ptr_null(get_pod(f, "web"));
	run_to(f, 20 * S);
	ck_assert(tap.deleted);
	cs = status_of(pod_tap_last(&tap), "app");
	ck_assert_int_eq(cs->state.terminated.exit_code, 143);
	ck_assert_str_eq(cs->state.terminated.reason, "Error");
	ck_assert_int_eq(cs->state.terminated.finished_at - f->t0, 19 * S);
	ck_assert_str_eq(pod_tap_last(&tap)->status.phase, "Failed");
	pod_tap_release(&tap);
	fixture_free(f);
}
END_TEST

START_TEST(test_pre_stop_using_the_whole_grace_period_leaves_two_seconds)
{
	struct fixture *f = fixture_new();
	image_add(f, "stubborn:v1")->ignores_sigterm = true;
	fixture_start(f);
	struct pod_tap tap;
	pod_tap_start(f, &tap, "web");
	struct pod *pod = pod_new("web", "app", "stubborn:v1");
	pod->spec.termination_grace_period_seconds = 10;
	only_container(pod)->lifecycle.pre_stop.sleep_seconds =
		(struct opt_int64){ .is_set = true, .value = 60 };
	create(f, pod);
	run_to(f, 10 * S);
	delete_pod(f, "web", -1);

	/* The hook is cut off at 20s; SIGTERM is ignored; SIGKILL at 22s. */
	run_to(f, 21 * S);
	ck_assert_ptr_nonnull(get_pod(f, "web"));
	run_to(f, 22 * S);
	ck_assert_ptr_null(get_pod(f, "web"));
	run_to(f, 23 * S);
	const struct container_status *cs = status_of(pod_tap_last(&tap), "app");
	ck_assert_int_eq(cs->state.terminated.exit_code, 137);
	ck_assert_str_eq(cs->state.terminated.reason, "Error");
	ck_assert_uint_eq(event_count(f, "web", "FailedPreStopHook"), 0);
	pod_tap_release(&tap);
	fixture_free(f);
}
END_TEST

START_TEST(test_failing_exec_pre_stop_hook_is_recorded_and_counted)
{
	struct fixture *f = fixture_new();
	struct image_behavior *image = image_add(f, "hook:v1");
	image->pre_stop = 3500 * KTIME_MS;
	image->pre_stop_fails = true;
	image->termination_delay = 26 * S;
	fixture_start(f);
	struct pod *pod = pod_new("web", "app", "hook:v1");
	struct container *c = only_container(pod);
	c->lifecycle.pre_stop.exec.command.items = xcalloc(1, sizeof(char *));
	c->lifecycle.pre_stop.exec.command.items[0] = xstrdup("/drain");
	c->lifecycle.pre_stop.exec.command.len = 1;
	create(f, pod);
	run_to(f, 10 * S);
	delete_pod(f, "web", -1);

	/* The hook fails at 13.5s; 3 whole seconds come off the 30s grace
	 * period, so the 26s drain ends at 39.5s, within the 27s left. */
	run_to(f, 14 * S);
	const struct logged_event *e = event_get(f, "web", "FailedPreStopHook", 0);
	ck_assert_int_eq(e->t, 13500 * KTIME_MS);
	ck_assert_str_eq(e->type, "Warning");
	ck_assert_str_eq(e->message, "PreStopHook failed");
	run_to(f, 39 * S);
	ck_assert_ptr_nonnull(get_pod(f, "web"));
	run_to(f, 39500 * KTIME_MS);
	ck_assert_ptr_null(get_pod(f, "web"));
	fixture_free(f);
}
END_TEST

START_TEST(test_deletion_grace_period_overrides_the_pods_and_ends_in_sigkill)
{
	struct fixture *f = fixture_new();
	image_add(f, "slowdrain:v1")->termination_delay = 20 * S;
	fixture_start(f);
	struct pod_tap tap;
	pod_tap_start(f, &tap, "web");
	create(f, pod_new("web", "app", "slowdrain:v1"));
	run_to(f, 10 * S);
	delete_pod(f, "web", 5);	/* kubectl delete --grace-period=5 */

	run_to(f, 14 * S);
	ck_assert_ptr_nonnull(get_pod(f, "web"));
	run_to(f, 15 * S);
	ck_assert_ptr_null(get_pod(f, "web"));
	run_to(f, 16 * S);
	ck_assert_int_eq(status_of(pod_tap_last(&tap), "app")->state.terminated.exit_code, 137);
	pod_tap_release(&tap);
	fixture_free(f);
}
END_TEST

START_TEST(test_clean_exit_on_sigterm_reads_completed)
{
	struct fixture *f = fixture_new();
	image_add(f, "polite:v1")->sigterm_exit_code = 0;
	fixture_start(f);
	struct pod_tap tap;
	pod_tap_start(f, &tap, "web");
	create(f, pod_new("web", "app", "polite:v1"));
	run_to(f, 10 * S);
	delete_pod(f, "web", -1);
	run_to(f, 11 * S);
	ck_assert_ptr_null(get_pod(f, "web"));
	const struct container_status *cs = status_of(pod_tap_last(&tap), "app");
	ck_assert_int_eq(cs->state.terminated.exit_code, 0);
	ck_assert_str_eq(cs->state.terminated.reason, "Completed");
	ck_assert_str_eq(pod_tap_last(&tap)->status.phase, "Succeeded");
	pod_tap_release(&tap);
	fixture_free(f);
}
END_TEST

START_TEST(test_liveness_kill_runs_the_pre_stop_hook)
{
	struct fixture *f = fixture_new();
	image_add(f, "hangs:v1")->liveness_fails_after = 5 * S;
	fixture_start(f);
	struct pod *pod = pod_new("hung", "app", "hangs:v1");
	pod->spec.termination_grace_period_seconds = 20;
	only_container(pod)->liveness_probe = http_probe(10, 1);
	only_container(pod)->lifecycle.pre_stop.sleep_seconds =
		(struct opt_int64){ .is_set = true, .value = 4 };
	create(f, pod);
	/* Probe at 12s fails: kill. Hook to 16s, then the hung process
	 * ignores SIGTERM for the 16s left: SIGKILL at 32s. */
	run_to(f, 31 * S);
	ck_assert(status_of(get_pod(f, "hung"), "app")->state.running.started_at != 0);
	run_to(f, 32 * S);
	const struct container_status *cs = status_of(get_pod(f, "hung"), "app");
	ck_assert_int_eq(cs->state.terminated.exit_code, 137);
	ck_assert_int_eq(cs->state.terminated.finished_at - f->t0, 32 * S);
	run_to(f, 33 * S);
	ck_assert_int_eq(status_of(get_pod(f, "hung"), "app")->restart_count, 1);
	fixture_free(f);
}
END_TEST

Suite *kubelet_stop_suite(void)
{
	Suite *s = suite_create("kubelet_stop");
	TCase *startup = tcase_create("startup");
	tcase_add_test(startup, test_startup_probe_holds_started_and_ready_until_it_passes);
	tcase_add_test(startup, test_startup_probe_failing_threshold_times_kills_and_restarts);
	tcase_add_test(startup, test_liveness_probe_counts_only_once_started);
	suite_add_tcase(s, startup);
	TCase *stop = tcase_create("stop");
	tcase_add_test(stop, test_deletion_runs_the_pre_stop_hook_then_sigterm);
	tcase_add_test(stop, test_pre_stop_using_the_whole_grace_period_leaves_two_seconds);
	tcase_add_test(stop, test_failing_exec_pre_stop_hook_is_recorded_and_counted);
	tcase_add_test(stop, test_deletion_grace_period_overrides_the_pods_and_ends_in_sigkill);
	tcase_add_test(stop, test_clean_exit_on_sigterm_reads_completed);
	tcase_add_test(stop, test_liveness_kill_runs_the_pre_stop_hook);
	suite_add_tcase(s, stop);
	return s;
}
