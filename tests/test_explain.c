/* test_explain.c - the scheduler's explanations (sched.h explain hook,
 * the trace's "schedule" records, kubelab explain).
 *
 * tests/data/explain.yaml has four nodes: small-1 (2 cpu, 4Gi), medium-1
 * (4, 8Gi), large-1 (8, 16Gi) and gpu-1 (16, 32Gi, tainted
 * dedicated=gpu:NoSchedule). Pod "web" asks for 1 cpu and 2Gi at 0s; pod
 * "huge" asks for 12 cpu at 10s. By hand, as upstream's
 * leastRequestedScore computes in integers, (free * 100 / allocatable)
 * averaged over cpu and memory:
 *   small-1   cpu (2000-1000)*100/2000 = 50, memory 2Gi*100/4Gi = 50 -> 50
 *   medium-1  3000*100/4000 = 75, 6Gi*100/8Gi = 75                 -> 75
 *   large-1   7000*100/8000 = 87 (87.5 cut), 14Gi*100/16Gi = 87    -> 87
 * Every node is equally balanced (100) and has no PreferNoSchedule taint
 * (TaintToleration 0, normalized reversed to 100, weight 3), so the totals
 * are 450, 475, 487 and large-1 wins alone.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"
#include "cluster.h"
#include "json.h"
#include "scenario.h"
#include "trace.h"
#include "xmalloc.h"
#include "kubelab_cli.h"

Suite *explain_suite(void);

#define SCENARIO "tests/data/explain.yaml"

/* What the tests keep of one attempt of one pod. */
struct seen_node {
	char name[32];
	char plugin[64];
	char reason[128];
	bool feasible;
	int64_t fit_raw, total;
};
struct seen {
	const char *pod;
	size_t attempts;
	char chosen[32];
	size_t ties, examined, num_all;
	char message[512];
	struct seen_node nodes[8];
	size_t nodes_len;
};

static void record(void *arg, const struct sched_attempt *a)
{
	struct seen *seen = arg;
	if (strcmp(a->pod->obj.meta.name, seen->pod))
		return;
	seen->attempts++;
	snprintf(seen->chosen, sizeof(seen->chosen), "%s", a->chosen ? a->chosen : "");
	snprintf(seen->message, sizeof(seen->message), "%s", a->message ? a->message : "");
	seen->ties = a->ties;
	seen->examined = a->examined;
	seen->num_all = a->num_all_nodes;
	seen->nodes_len = a->nodes_len;
	ck_assert_uint_le(a->nodes_len, 8);
	for (size_t i = 0; i < a->nodes_len; i++) {
		const struct sched_explain_node *e = &a->nodes[i];
		struct seen_node *n = &seen->nodes[i];
		snprintf(n->name, sizeof(n->name), "%s", e->name);
		snprintf(n->plugin, sizeof(n->plugin), "%s", e->plugin ? e->plugin : "");
		snprintf(n->reason, sizeof(n->reason), "%s", e->reason ? e->reason : "");
		n->feasible = e->code == SCHED_SUCCESS;
		n->fit_raw = -1;
		for (size_t k = 0; e->raw && k < a->plugins_len; k++)
			if (!strcmp(a->plugins[k], "NodeResourcesFit"))
				n->fit_raw = e->raw[k];
		n->total = e->total;
	}
}

static struct seen explain(const char *pod)
{
	struct diag_list diags = {0};
	struct scenario *s = scenario_load(SCENARIO, &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(s);
	diag_release(&diags);
	struct seen seen = { .pod = pod };
	struct run_options options = {
		.record_events = true,
		.explain = { record, &seen },
	};
	struct cluster *c = cluster_new(s, &options);
	cluster_run(c);
	cluster_free(c);
	scenario_free(s);
	return seen;
}

static const struct seen_node *node(const struct seen *seen, const char *name)
{
	for (size_t i = 0; i < seen->nodes_len; i++)
		if (!strcmp(seen->nodes[i].name, name))
			return &seen->nodes[i];
	ck_abort_msg("node %s was not examined", name);
	return NULL;
}

START_TEST(test_explain_names_the_taint_that_rejected_a_node)
{
	struct seen seen = explain("web");
	ck_assert_uint_eq(seen.attempts, 1);
	ck_assert_uint_eq(seen.examined, 4);
	ck_assert_uint_eq(seen.num_all, 4);
	const struct seen_node *gpu = node(&seen, "gpu-1");
	ck_assert(!gpu->feasible);
	ck_assert_str_eq(gpu->plugin, "TaintToleration");
	ck_assert_str_eq(gpu->reason, "node(s) had untolerated taint {dedicated: gpu}");
}
END_TEST

START_TEST(test_explain_gives_least_allocated_raw_scores_as_computed_by_hand)
{
	struct seen seen = explain("web");
	ck_assert_int_eq(node(&seen, "small-1")->fit_raw, 50);
	ck_assert_int_eq(node(&seen, "medium-1")->fit_raw, 75);
	ck_assert_int_eq(node(&seen, "large-1")->fit_raw, 87);
	ck_assert_int_eq(node(&seen, "small-1")->total, 50 + 100 + 3 * 100);
	ck_assert_int_eq(node(&seen, "large-1")->total, 87 + 100 + 3 * 100);
}
END_TEST

START_TEST(test_explain_names_the_chosen_node_and_the_tie)
{
	struct seen seen = explain("web");
	ck_assert_str_eq(seen.chosen, "large-1");
	ck_assert_uint_eq(seen.ties, 1);
	ck_assert_str_eq(seen.message, "");
}
END_TEST

START_TEST(test_explain_gives_a_failed_attempts_message)
{
	struct seen seen = explain("huge");
	ck_assert_uint_ge(seen.attempts, 1);
	ck_assert_str_eq(seen.chosen, "");
	ck_assert_str_eq(node(&seen, "small-1")->plugin, "NodeResourcesFit");
	ck_assert_str_eq(node(&seen, "small-1")->reason, "Insufficient cpu");
	ck_assert_str_eq(seen.message,
			 "0/4 nodes are available: 1 node(s) had untolerated taint "
			 "{dedicated: gpu}, 3 Insufficient cpu. preemption: 0/4 nodes "
			 "are available: 4 Preemption is not helpful for scheduling.");
}
END_TEST

/* The whole trace at full level, as text. */
static char *trace_text(enum trace_level level)
{
	char name[] = "/tmp/kubelab-explain-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	struct diag_list diags = {0};
	struct scenario *s = scenario_load(SCENARIO, &diags);
	ck_assert_ptr_nonnull(s);
	diag_release(&diags);
	struct err *err = NULL;
	struct trace *trace = trace_open(name, level, &err);
	ck_assert_ptr_nonnull(trace);
	struct run_options options = {.record_events = true, .trace = trace};
	struct cluster *c = cluster_new(s, &options);
	cluster_run(c);
	cluster_free(c);
	trace_close(trace);
	scenario_free(s);
	FILE *in = fdopen(fd, "r");
	char *data = NULL;
	size_t cap = 0;
	ck_assert_int_ge(getdelim(&data, &cap, '\0', in), 0);
	fclose(in);
	unlink(name);
	return data;
}

START_TEST(test_full_trace_has_schedule_records_and_brief_trace_has_none)
{
	char *full = trace_text(TRACE_FULL);
	ck_assert_ptr_nonnull(strstr(full, "\"type\":\"schedule\",\"namespace\":\"default\","
				     "\"pod\":\"web\",\"result\":\"Scheduled\",\"node\":\"large-1\""));
	ck_assert_ptr_nonnull(strstr(full, "\"filter\":\"TaintToleration\""));
	free(full);
	char *brief = trace_text(TRACE_BRIEF);
	ck_assert_ptr_null(strstr(brief, "\"schedule\""));
	free(brief);
}
END_TEST

/* ---- the command line ---------------------------------------------------- */

START_TEST(test_cli_explain_prints_the_table_and_the_choice)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("explain pod web -f " SCENARIO, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "scheduled to large-1"));
	ck_assert_ptr_nonnull(strstr(out, "large-1 (chosen)"));
	ck_assert_ptr_nonnull(strstr(out, "TaintToleration: node(s) had untolerated taint"));
	ck_assert_ptr_nonnull(strstr(out, "87/87 x1"));
	free(out);
	ck_assert_int_eq(kubelab_sh("explain pod/huge -f " SCENARIO " -o json", &out), 0);
	struct json *json = json_parse(out);
	ck_assert_ptr_nonnull(json);
	ck_assert_uint_ge(json_array_len(json), 1);
	const struct json *first = json_array_at(json, 0);
	ck_assert_str_eq(json_string(json_get(first, "result")), "FailedScheduling");
	ck_assert_ptr_nonnull(strstr(json_string(json_get(first, "message")),
				     "3 Insufficient cpu"));
	json_free(json);
	free(out);
}
END_TEST

START_TEST(test_cli_explain_before_the_pod_exists_says_not_found)
{
	char *out;
	ck_assert_int_eq(kubelab_sh("explain pod huge --at 5s -f " SCENARIO, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "not found"));
	free(out);
}
END_TEST

Suite *explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("explain");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_explain_names_the_taint_that_rejected_a_node);
	tcase_add_test(tc, test_explain_gives_least_allocated_raw_scores_as_computed_by_hand);
	tcase_add_test(tc, test_explain_names_the_chosen_node_and_the_tie);
	tcase_add_test(tc, test_explain_gives_a_failed_attempts_message);
	tcase_add_test(tc, test_full_trace_has_schedule_records_and_brief_trace_has_none);
	tcase_add_test(tc, test_cli_explain_prints_the_table_and_the_choice);
	tcase_add_test(tc, test_cli_explain_before_the_pod_exists_says_not_found);
	suite_add_tcase(s, tc);
	return s;
}
