/* test_run.c - whole runs: the demo's story, determinism, the CLI.
 *
 * These tests run real scenarios through the real cluster (and the real
 * kubelab binary, found through $KUBELAB, for the command-line tests).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"
#include "cluster.h"
#include "scenario.h"
#include "store.h"
#include "trace.h"
#include "xmalloc.h"
#include "kubelab_cli.h"

Suite *run_suite(void);

#define DEMO "scenarios/ch05-node-failure.yaml"

static struct scenario *load(const char *path)
{
	struct diag_list diags = {0};
	struct scenario *s = scenario_load(path, &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, 0);
	ck_assert_ptr_nonnull(s);
	diag_release(&diags);
	return s;
}

/* Runs path with seed into a trace file; returns the file's bytes. */
static char *run_to_trace(const char *path, uint64_t seed, size_t *len)
{
	char name[] = "/tmp/kubelab-trace-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct scenario *s = load(path);
	struct err *err = NULL;
	struct trace *trace = trace_open(name, TRACE_FULL, &err);
	ck_assert_ptr_nonnull(trace);
	struct run_options options = {.seed_set = true, .seed = seed,
				      .record_events = true, .trace = trace};
	struct cluster *c = cluster_new(s, &options);
	cluster_run(c);
	cluster_free(c);
	trace_close(trace);
	scenario_free(s);
	FILE *in = fopen(name, "r");
	char *data = NULL;
	size_t cap = 0;
	FILE *mem = open_memstream(&data, &cap);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(in);
	fclose(mem);
	unlink(name);
	*len = cap;
	return data;
}

START_TEST(test_demo_expectations_all_hold)
{
	struct scenario *s = load(DEMO);
	struct run_options options = {.record_events = true};
	struct cluster *c = cluster_new(s, &options);
	int failed = cluster_run(c);
	size_t n;
	const struct expectation *es = cluster_expectations(c, &n);
	for (size_t i = 0; i < n; i++)
		if (!es[i].passed)
			fprintf(stderr, "failed: %s (observed %s)\n", es[i].text,
				es[i].observed ? es[i].observed : "<none>");
	ck_assert_uint_ge(n, 4);
	ck_assert_int_eq(failed, 0);
	cluster_free(c);
	scenario_free(s);
}
END_TEST

/* Loads the scenario text and runs it: every expectation must pass. */
static void run_from_memory(const char *text, size_t len)
{
	struct diag_list diags = {0};
	struct scenario *s = scenario_load_string("memory.yaml", text, len, &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(s);
	struct run_options options = {.record_events = true};
	struct cluster *c = cluster_new(s, &options);
	int failed = cluster_run(c);
	size_t n;
	const struct expectation *es = cluster_expectations(c, &n);
	ck_assert_uint_ge(n, 1);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(es[i].passed, "%s: observed %s", es[i].text,
			      es[i].observed ? es[i].observed : "<none>");
	ck_assert_int_eq(failed, 0);
	cluster_free(c);
	scenario_free(s);
	diag_release(&diags);
}

/* Usage past int64 milli-units saturates (metrics_sim.c): a cpuPerRps
 * of 10^20 cores under load reads as far above the target, so the HPA
 * scales to its maximum. It used to wrap to a negative number, read as
 * 0% CPU, and the HPA scaled down. */
START_TEST(test_usage_too_large_for_a_metric_saturates_and_the_hpa_scales_up)
{
	static const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: huge-usage}\n"
		"spec:\n"
		"  duration: 2m\n"
		"  cluster: {nodePools: [{name: worker, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]}\n"
		"  images:\n"
		"    web:v1: {cpu: 10m, cpuPerRps: \"1e20\"}\n"
		"  traffic:\n"
		"  - target: deployment/web\n"
		"    rps: [{at: 0s, rps: 1e9}]\n"
		"  expect:\n"
		"  - {at: 2m, that: \"deployment/web .spec.replicas == 3\"}\n"
		"---\n"
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  replicas: 2\n"
		"  selector: {matchLabels: {app: web}}\n"
		"  template:\n"
		"    metadata: {labels: {app: web}}\n"
		"    spec:\n"
		"      containers:\n"
		"      - {name: web, image: \"web:v1\", resources: {requests: {cpu: 100m}}}\n"
		"---\n"
		"apiVersion: autoscaling/v2\n"
		"kind: HorizontalPodAutoscaler\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
		"  minReplicas: 1\n"
		"  maxReplicas: 3\n"
		"  metrics:\n"
		"  - type: Resource\n"
		"    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n";
	run_from_memory(text, sizeof(text) - 1);
}
END_TEST

/* A Pods metric far above a 1m target, and a scale-up policy of 2^31-1
 * pods: the ratio and start + value pass int32 (undefined in C; x86 gave
 * a negative proposal, an event "(null)" and no scaling). They saturate,
 * and maxReplicas decides. */
START_TEST(test_replica_proposals_past_int32_saturate_at_max_replicas)
{
	static const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: huge-ratio}\n"
		"spec:\n"
		"  duration: 2m\n"
		"  cluster: {nodePools: [{name: worker, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]}\n"
		"  images:\n"
		"    web:v1: {cpu: 10m}\n"
		"  traffic:\n"
		"  - target: deployment/web\n"
		"    rps: [{at: 0s, rps: 1e9}]\n"
		"  expect:\n"
		"  - {at: 2m, that: \"deployment/web .spec.replicas == 3\"}\n"
		"---\n"
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  replicas: 2\n"
		"  selector: {matchLabels: {app: web}}\n"
		"  template:\n"
		"    metadata: {labels: {app: web}}\n"
		"    spec:\n"
		"      containers:\n"
		"      - {name: web, image: \"web:v1\", resources: {requests: {cpu: 100m}}}\n"
		"---\n"
		"apiVersion: autoscaling/v2\n"
		"kind: HorizontalPodAutoscaler\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
		"  minReplicas: 1\n"
		"  maxReplicas: 3\n"
		"  metrics:\n"
		"  - type: Pods\n"
		"    pods:\n"
		"      metric: {name: http_requests_per_second}\n"
		"      target: {type: AverageValue, averageValue: 1m}\n"
		"  behavior:\n"
		"    scaleUp:\n"
		"      policies: [{type: Pods, value: 2147483647, periodSeconds: 15}]\n";
	run_from_memory(text, sizeof(text) - 1);
}
END_TEST

START_TEST(test_demo_replaces_the_pod_of_the_failed_node)
{
	struct scenario *s = load(DEMO);
	struct run_options options = {.record_events = true};
	struct cluster *c = cluster_new(s, &options);
	cluster_run(c);
	struct object_list pods = {0};
	store_list(cluster_store(c), KIND_POD, "default", NULL, &pods);
	int terminating_on_failed = 0, running_elsewhere = 0;
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *p = (const struct pod *)pods.items[i];
		bool on_failed = p->spec.node_name && !strcmp(p->spec.node_name, "worker-1");
		if (on_failed && object_is_deleting(&p->obj))
			terminating_on_failed++;
		else if (!on_failed && !strcmp(p->status.phase, POD_PHASE_RUNNING))
			running_elsewhere++;
	}
	ck_assert_int_eq(terminating_on_failed, 1);
	ck_assert_int_eq(running_elsewhere, 3);
	object_list_release(&pods);
	cluster_free(c);
	scenario_free(s);
}
END_TEST

START_TEST(test_same_seed_gives_identical_traces)
{
	size_t a_len, b_len;
	char *a = run_to_trace(DEMO, 42, &a_len);
	char *b = run_to_trace(DEMO, 42, &b_len);
	ck_assert_uint_gt(a_len, 1000);
	ck_assert_uint_eq(a_len, b_len);
	ck_assert_int_eq(memcmp(a, b, a_len), 0);
	free(a);
	free(b);
}
END_TEST

/* The demo's trace (brief level) is kept in tests/golden; a change of
 * behaviour shows here first. Regenerate with `make golden` when the
 * change is intended, and review the diff. */
START_TEST(test_demo_trace_matches_the_golden_trace)
{
	char name[] = "/tmp/kubelab-golden-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct scenario *s = load(DEMO);
	struct trace *trace = trace_open(name, TRACE_BRIEF, NULL);
	ck_assert_ptr_nonnull(trace);
	struct run_options options = {.record_events = true, .trace = trace};
	struct cluster *c = cluster_new(s, &options);
	cluster_run(c);
	cluster_free(c);
	trace_close(trace);
	scenario_free(s);
	/* The golden file starts with the CLI's header record; the body after
	 * it is what the cluster writes. */
	char *cmd = xasprintf("tail -n +2 tests/golden/ch05-node-failure.brief.jsonl | cmp -s - %s",
			      name);
	int rc = system(cmd);
	free(cmd);
	unlink(name);
	ck_assert_msg(rc == 0, "the demo's trace differs from tests/golden (make golden to update)");
}
END_TEST

START_TEST(test_another_seed_changes_generated_names)
{
	size_t a_len, b_len;
	char *a = run_to_trace(DEMO, 1, &a_len);
	char *b = run_to_trace(DEMO, 2, &b_len);
	ck_assert(a_len != b_len || memcmp(a, b, a_len) != 0);
	free(a);
	free(b);
}
END_TEST

/* ---- the command line ---------------------------------------------------- */

START_TEST(test_cli_run_exits_zero_when_expectations_hold)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("run -q " DEMO, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "expectations: 5 passed, 0 failed"));
	ck_assert_ptr_nonnull(strstr(out, "NAME"));
	free(out);
}
END_TEST

START_TEST(test_cli_run_streams_upstream_events)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("run " DEMO, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "Successfully assigned default/web-"));
	ck_assert_ptr_nonnull(strstr(out, "TaintManagerEviction"));
	ck_assert_ptr_nonnull(strstr(out, "SuccessfulCreate"));
	free(out);
}
END_TEST

START_TEST(test_cli_failed_expectation_exits_one_with_observed_value)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("run -q tests/data/failing-expectation.yaml", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "FAIL"));
	ck_assert_ptr_nonnull(strstr(out, "observed 2"));
	free(out);
}
END_TEST

START_TEST(test_cli_broken_scenario_reports_line_and_column_and_runs_nothing)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("run tests/data/broken-scenario.yaml", &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "tests/data/broken-scenario.yaml:"));
	ck_assert_ptr_nonnull(strstr(out, "nothing was run"));
	ck_assert_ptr_null(strstr(out, "Scheduled"));
	free(out);
	ck_assert_int_eq(kubelab_sh("validate tests/data/broken-scenario.yaml", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "error:"));
	free(out);
}
END_TEST

START_TEST(test_cli_get_replays_to_a_moment)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("get nodes -f " DEMO " --at 3m", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "worker-1"));
	ck_assert_ptr_nonnull(strstr(out, "NotReady"));
	free(out);
	ck_assert_int_eq(kubelab_sh("get nodes -f " DEMO " --at 30s", &out), 0);
	ck_assert_ptr_null(strstr(out, "NotReady"));
	free(out);
}
END_TEST

START_TEST(test_cli_every_command_has_help)
{
	static const char *const commands[] = {"run", "validate", "get", "describe",
					       "events", "version"};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char *cmd = xasprintf("%s --help", commands[i]), *out;
		ck_assert_int_eq(kubelab_sh(cmd, &out), 0);
		ck_assert_ptr_nonnull(strstr(out, "Usage:"));
		free(out);
		free(cmd);
	}
}
END_TEST

START_TEST(test_cli_bad_flags_are_usage_errors)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("run --until ten " DEMO, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "--until"));
	free(out);
	ck_assert_int_eq(kubelab_sh("frobnicate", &out), 2);
	free(out);
}
END_TEST

Suite *run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *story = tcase_create("story");
	tcase_set_timeout(story, 120);
	tcase_add_test(story, test_demo_expectations_all_hold);
	tcase_add_test(story, test_demo_replaces_the_pod_of_the_failed_node);
	tcase_add_test(story, test_same_seed_gives_identical_traces);
	tcase_add_test(story, test_demo_trace_matches_the_golden_trace);
	tcase_add_test(story, test_another_seed_changes_generated_names);
	suite_add_tcase(s, story);
	TCase *cli = tcase_create("cli");
	tcase_set_timeout(cli, 120);
	tcase_add_test(cli, test_cli_run_exits_zero_when_expectations_hold);
	tcase_add_test(cli, test_cli_run_streams_upstream_events);
	tcase_add_test(cli, test_cli_failed_expectation_exits_one_with_observed_value);
	tcase_add_test(cli, test_cli_broken_scenario_reports_line_and_column_and_runs_nothing);
	tcase_add_test(cli, test_cli_get_replays_to_a_moment);
	tcase_add_test(cli, test_cli_every_command_has_help);
	tcase_add_test(cli, test_cli_bad_flags_are_usage_errors);
	tcase_add_test(cli, test_usage_too_large_for_a_metric_saturates_and_the_hpa_scales_up);
	tcase_add_test(cli, test_replica_proposals_past_int32_saturate_at_max_replicas);
	suite_add_tcase(s, cli);
	return s;
}
