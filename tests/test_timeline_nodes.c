/* test_timeline_nodes.c - the timeline's node administration: taint:,
 * untaint:, label:, unlabel: and addNodes:, loaded and run.
 *
 * The fixtures are tests/data/node-admin.yaml (every action, including
 * the ones kubectl refuses at run time) and
 * tests/data/scenario-bad-node-admin.yaml (one load-time problem per
 * entry). The run tests look at the nodes in the store after the run and
 * at the outcomes the trace records, which are kubectl's words.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cluster.h"
#include "scenario.h"
#include "store.h"
#include "trace.h"
#include "xmalloc.h"

Suite *timeline_nodes_suite(void);

static const char *data(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s",
		 access("data/node-admin.yaml", R_OK) == 0 ? "data" : "tests/data",
		 name);
	return path;
}

static struct scenario *load_good(void)
{
	struct diag_list diags = {0};
	struct scenario *sc = scenario_load(data("node-admin.yaml"), &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, 0);
	ck_assert_ptr_nonnull(sc);
	diag_release(&diags);
	return sc;
}

/* ---- loading ------------------------------------------------------------- */

START_TEST(test_node_actions_load_with_their_keys_values_and_effects)
{
	struct scenario *sc = load_good();
	const struct action *t = sc->timeline.items;
	/* Sorted by time: the nodeDown written last runs first. */
	ck_assert_int_eq(t[0].type, ACTION_NODE_DOWN);
	ck_assert_str_eq(t[0].name, "worker-4");
	ck_assert_int_eq(t[1].type, ACTION_TAINT);
	ck_assert_str_eq(t[1].name, "worker-1");
	ck_assert_str_eq(t[1].key, "example.com/maintenance");
	ck_assert_str_eq(t[1].value, "yes");	/* quoted: a string, not a bool */
	ck_assert_str_eq(t[1].effect, "NoSchedule");
	ck_assert(!t[1].overwrite);
	ck_assert(t[3].overwrite);
	ck_assert_int_eq(t[4].type, ACTION_UNTAINT);
	ck_assert_ptr_null(t[4].effect);	/* KEY-: every effect */
	ck_assert_str_eq(t[5].effect, "NoSchedule");
	ck_assert_int_eq(t[6].type, ACTION_LABEL);
	ck_assert_str_eq(t[6].key, "disktype");
	ck_assert_str_eq(t[6].value, "ssd");
	ck_assert_int_eq(t[9].type, ACTION_UNLABEL);
	ck_assert_str_eq(t[9].key, "tier");
	ck_assert_int_eq(t[11].type, ACTION_ADD_NODES);
	ck_assert_str_eq(t[11].name, "worker");
	ck_assert_int_eq(t[11].count, 2);
	ck_assert_int_eq(t[11].at, 70 * KTIME_SECOND);
	ck_assert_int_eq(sc->node_pools.items[0].count, 2);
	ck_assert_int_eq(sc->node_pools.items[0].added, 2);
	scenario_free(sc);
}
END_TEST

struct want {
	int line, column;
	const char *words;
};

START_TEST(test_every_node_action_problem_is_reported_where_it_is)
{
	static const struct want want[] = {
		{ 10, 29, "taint.node: no node \"worker-3\" in the cluster (the node pools make worker-1..worker-2)" },
		{ 11, 44, "taint.key: \"Bad Key\" is not a valid key" },
		{ 12, 55, "taint.effect: Unsupported value: \"NoSchedul\"" },
		{ 13, 22, "taint: missing required field \"effect\"" },
		{ 14, 54, "taint.value: \"-x-\" is not a valid value" },
		{ 15, 49, "unknown field \"spec.timeline[5].untaint.value\"" },
		{ 16, 22, "label: missing required field \"node\"" },
		{ 17, 26, "overwrite: only taint and label take overwrite" },
		{ 18, 32, "addNodes.pool: no node pool \"workers\"" },
		{ 19, 47, "addNodes.count: expected a number of nodes (1 to 1000), got the integer 0" },
		/* Named before the addNodes entry that adds it. */
		{ 20, 29, "no node \"worker-5\" in the cluster (the node pools make worker-1..worker-2)" },
		/* After it, the pool makes four; worker-4 (line 22) is fine. */
		{ 23, 29, "no node \"worker-5\" in the cluster (the node pools make worker-1..worker-4)" },
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	struct diag_list diags = {0};
	struct scenario *sc = scenario_load(data("scenario-bad-node-admin.yaml"), &diags);
	ck_assert_ptr_null(sc);
	if (diags.len != n)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, n);
	for (size_t i = 0; i < n; i++) {
		const struct diag *d = &diags.items[i];
		ck_assert_msg(d->line == want[i].line && d->column == want[i].column &&
			      strstr(d->msg, want[i].words),
			      "want %d:%d '%s', got %d:%d '%s'", want[i].line,
			      want[i].column, want[i].words, d->line, d->column, d->msg);
	}
	diag_release(&diags);
}
END_TEST

/* ---- running ------------------------------------------------------------- */

/* Runs the fixture with a brief trace; the cluster stays for inspection
 * and *trace_text holds the trace (caller frees). */
static struct cluster *run_fixture(struct scenario *sc, char **trace_text)
{
	char name[] = "/tmp/kubelab-nodes-XXXXXX";
	int fd = mkstemp(name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct err *err = NULL;
	struct trace *trace = trace_open(name, TRACE_BRIEF, &err);
	ck_assert_ptr_nonnull(trace);
	struct run_options options = {.record_events = true, .trace = trace};
	struct cluster *c = cluster_new(sc, &options);
	cluster_run(c);
	trace_close(trace);
	FILE *in = fopen(name, "r");
	ck_assert_ptr_nonnull(in);
	size_t cap = 0;
	ck_assert_int_ge(getdelim(trace_text, &cap, '\0', in), 0);
	fclose(in);
	unlink(name);
	return c;
}

static const struct node *get_node(const struct cluster *c, const char *name)
{
	const struct object *obj = store_get(cluster_store(c), KIND_NODE, NULL, name);
	ck_assert_msg(obj != NULL, "no node %s", name);
	return (const struct node *)obj;
}

/* The action record of the entry written at line, with that outcome. */
static bool outcome(const char *trace, int line, const char *words)
{
	char *want = xasprintf("\"outcome\":\"%s\",\"line\":%d}", words, line);
	bool found = strstr(trace, want) != NULL;
	if (!found)
		fprintf(stderr, "no action record ending %s\n", want);
	free(want);
	return found;
}

START_TEST(test_taint_and_untaint_edit_spec_taints_as_kubectl)
{
	struct scenario *sc = load_good();
	char *trace = NULL;
	struct cluster *c = run_fixture(sc, &trace);
	const struct node *w1 = get_node(c, "worker-1");
	/* The new taint first, then the pool's; replaced, not added twice. */
	ck_assert_uint_eq(w1->spec.taints.len, 2);
	ck_assert_str_eq(w1->spec.taints.items[0].key, "example.com/maintenance");
	ck_assert_str_eq(w1->spec.taints.items[0].value, "no");
	ck_assert_str_eq(w1->spec.taints.items[0].effect, "NoSchedule");
	ck_assert_int_eq(w1->spec.taints.items[0].time_added, 0);
	ck_assert_str_eq(w1->spec.taints.items[1].key, "dedicated");
	ck_assert_uint_eq(get_node(c, "worker-2")->spec.taints.len, 0);
	ck_assert(outcome(trace, 15, "tainted"));
	ck_assert(outcome(trace, 16, "Node 'worker-1' already has a taint with key "
			  "(example.com/maintenance) and effect (NoSchedule), and "
			  "--overwrite is false"));
	ck_assert(outcome(trace, 17, "modified"));
	ck_assert(outcome(trace, 18, "untainted"));
	ck_assert(outcome(trace, 19, "taint \\\"dedicated:NoSchedule\\\" not found"));
	free(trace);
	cluster_free(c);
	scenario_free(sc);
}
END_TEST

START_TEST(test_label_and_unlabel_edit_metadata_labels_as_kubectl)
{
	struct scenario *sc = load_good();
	char *trace = NULL;
	struct cluster *c = run_fixture(sc, &trace);
	const struct node *w1 = get_node(c, "worker-1");
	ck_assert_str_eq(strmap_get(&w1->obj.meta.labels, "disktype"), "hdd");
	ck_assert_ptr_null(strmap_get(&w1->obj.meta.labels, "tier"));
	ck_assert_str_eq(strmap_get(&get_node(c, "worker-2")->obj.meta.labels, "tier"),
			 "general");
	ck_assert(outcome(trace, 20, "labeled"));
	ck_assert(outcome(trace, 21, "'disktype' already has a value (ssd), and "
			  "--overwrite is false"));
	ck_assert(outcome(trace, 22, "labeled"));
	ck_assert(outcome(trace, 23, "unlabeled"));
	ck_assert(outcome(trace, 24, "not labeled: label \\\"tier\\\" not found"));
	free(trace);
	cluster_free(c);
	scenario_free(sc);
}
END_TEST

START_TEST(test_added_nodes_are_made_from_the_pool_and_register)
{
	struct scenario *sc = load_good();
	char *trace = NULL;
	struct cluster *c = run_fixture(sc, &trace);
	struct object_list nodes = {0};
	store_list(cluster_store(c), KIND_NODE, NULL, NULL, &nodes);
	ck_assert_uint_eq(nodes.len, 4);
	object_list_release(&nodes);
	const struct node *w4 = get_node(c, "worker-4");
	/* The pool's labels and taints, and its own hostname. */
	ck_assert_str_eq(strmap_get(&w4->obj.meta.labels, "tier"), "general");
	ck_assert_str_eq(strmap_get(&w4->obj.meta.labels, "kubernetes.io/hostname"),
			 "worker-4");
	ck_assert_str_eq(strmap_get(&w4->obj.meta.labels, "disktype"), "nvme");
	ck_assert_uint_eq(w4->spec.taints.len, 1);
	ck_assert_str_eq(w4->spec.taints.items[0].key, "dedicated");
	ck_assert_int_eq(quantity_milli_value(resource_list_get(&w4->status.allocatable,
								"cpu")), 2000);
	/* Registered when it joined, not at the start. */
	ck_assert_int_eq(w4->obj.meta.creation_timestamp,
			 KTIME_SIM_EPOCH + 70 * KTIME_SECOND);
	/* Its own addresses: the fourth node of the cluster. */
	ck_assert_str_eq(w4->spec.pod_cidr, "10.192.3.0/24");
	ck_assert_str_ne(get_node(c, "worker-3")->spec.pod_cidr, w4->spec.pod_cidr);
	ck_assert(outcome(trace, 25, "ok"));
	ck_assert_ptr_nonnull(strstr(trace, "\"target\":\"node/worker-4\",\"detail\":\"pool worker\""));
	/* A fault on a node that has not joined yet fails, and the run goes on;
	 * once joined, the node can fail. */
	ck_assert(outcome(trace, 28, "nodes \\\"worker-4\\\" not found"));
	ck_assert(outcome(trace, 27, "ok"));
	free(trace);
	cluster_free(c);
	scenario_free(sc);
}
END_TEST

/* A pool of 2147483647 nodes is a typo: refused at load (it used to pass
 * the loader, overflow int in the node-name check, found by make fuzz
 * with UBSan, and exhaust the memory at start); addNodes may not grow a
 * pool past the same limit. */
START_TEST(test_pools_are_bounded_and_names_past_them_are_unknown)
{
	static const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: big}\n"
		"spec:\n"
		"  cluster:\n"
		"    nodePools:\n"
		"    - {name: worker, count: 2147483647, capacity: {cpu: \"4\", memory: 8Gi}}\n"
		"    - {name: big, count: 99999, capacity: {cpu: \"4\", memory: 8Gi}}\n"
		"  timeline:\n"
		"  - {at: 10s, addNodes: {pool: worker, count: 5}}\n"
		"  - {at: 10s, addNodes: {pool: big, count: 1}}\n"
		"  - {at: 10s, addNodes: {pool: big}}\n"
		"  - {at: 20s, drain: worker-1}\n"
		"  - {at: 20s, drain: big-100001}\n";
	static const char *const want[] = {
		"7:29: spec.cluster.nodePools[0].count: must be at most 100000 "
		"(upstream tests clusters of up to 5000 nodes), got 2147483647",
		"10:47: spec.timeline[0].addNodes: pool \"worker\" would have "
		"2147483652 nodes, more than 100000",
		"12:25: spec.timeline[2].addNodes: pool \"big\" would have 100001 "
		"nodes, more than 100000",
		"14:22: spec.timeline[4].drain: no node \"big-100001\" in the cluster "
		"(the node pools make worker-1..worker-2147483647, big-1..big-100000)",
	};
	struct diag_list diags = {0};
	ck_assert_ptr_null(scenario_load_string("big.yaml", text, sizeof(text) - 1,
						&diags));
	if (diags.len != sizeof(want) / sizeof(want[0]))
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < diags.len; i++) {
		char *got = xasprintf("%d:%d: %s", diags.items[i].line,
				      diags.items[i].column, diags.items[i].msg);
		ck_assert_str_eq(got, want[i]);
		free(got);
	}
	diag_release(&diags);
}
END_TEST

Suite *timeline_nodes_suite(void)
{
	Suite *s = suite_create("timeline_nodes");
	TCase *load = tcase_create("load");
	tcase_add_test(load, test_node_actions_load_with_their_keys_values_and_effects);
	tcase_add_test(load, test_every_node_action_problem_is_reported_where_it_is);
	tcase_add_test(load, test_pools_are_bounded_and_names_past_them_are_unknown);
	suite_add_tcase(s, load);
	TCase *run = tcase_create("run");
	tcase_set_timeout(run, 30);
	tcase_add_test(run, test_taint_and_untaint_edit_spec_taints_as_kubectl);
	tcase_add_test(run, test_label_and_unlabel_edit_metadata_labels_as_kubectl);
	tcase_add_test(run, test_added_nodes_are_made_from_the_pool_and_register);
	suite_add_tcase(s, run);
	return s;
}
