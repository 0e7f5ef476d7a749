/* test_sched_plugin_load.c - students' plugins: real cc, real dlopen.
 *
 * These tests compile C files with the system compiler, as `kubelab run
 * --plugin` does, and run the scheduler with them: the shipped example
 * steers pods to labelled nodes; a syntax error comes back in the
 * compiler's words with file:line; a missing compiler is named; a score
 * outside 0..100 fails the pod's cycle with upstream's message instead
 * of crashing the simulator.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_config.h"
#include "sched_plugin_load.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_plugin_load_suite(void);

#define EXAMPLE "examples/plugins/prefer_label.c"

/* Writes text to a new file NAME in a new temporary directory; returns
 * its path (caller frees; remove_source cleans up). */
static char *write_source(const char *name, const char *text)
{
	char *dir = xstrdup("/tmp/kubelab-plugin-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(dir);
	return path;
}

static void remove_source(char *path)
{
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

/* ---- a small cluster ----------------------------------------------------- */

static void add_node(struct sched_run *r, const char *name, const char *fast)
{
	struct node *n = sched_run_new_node(name);
	if (fast)
		strmap_set(&n->obj.meta.labels, "example.com/fast", fast);
	sched_run_create(r, &n->obj);
}

static void add_pod(struct sched_run *r, const char *name)
{
	struct pod *p = sched_run_new_pod(name);
	set_amount(&p->spec.containers.items[0].resources.requests, "cpu", "100m");
	sched_run_create(r, &p->obj);
}

/* Without a bind latency: binding follows the decision at once. */
static void run_start(struct sched_run *r, const struct sched_config *config)
{
	sched_run_open(r, true);
	sched_run_start_profiles(r, config, 0);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_example_plugin_compiles_and_steers_pods_to_labelled_nodes)
{
	struct err *err = NULL;
	const struct sched_plugin *plugin = sched_plugin_load(EXAMPLE, &err);
	ck_assert_msg(plugin != NULL, "%s", err ? err->msg : "");
	ck_assert_str_eq(plugin->name, "PreferLabel");
	ck_assert_int_ge(plugin->id, SCHED_PLUGIN_COUNT);
	ck_assert_ptr_eq(sched_plugin_lookup("PreferLabel"), plugin);
	/* Loading the same file again (a replay) gives the same plugin. */
	ck_assert_ptr_eq(sched_plugin_load(EXAMPLE, &err), plugin);

	struct sched_config *config = sched_run_config(
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins:\n"
		"    multiPoint:\n"
		"      enabled: [{name: PreferLabel, weight: 5}]\n");
	ck_assert_int_eq(config->profiles[0].plugins[config->profiles[0].len - 1].weight, 5);
	struct sched_run r;
	run_start(&r, config);
	add_node(&r, "slow-1", NULL);
	add_node(&r, "fast-1", "true");
	add_node(&r, "slow-2", "no");
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		add_pod(&r, name);
	}
	sched_run_advance(&r, KTIME_SECOND);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		ck_assert_str_eq(sched_run_pod(&r, name)->spec.node_name, "fast-1");
	}
	sched_run_close(&r);
	sched_config_free(config);
}
END_TEST

START_TEST(test_compiler_errors_come_back_with_file_and_line)
{
	char *path = write_source("broken.c",
		"#include \"sched_plugin_api.h\"\n"
		"\n"
		"static int64_t score(struct sched_state *s, const struct pod *p,\n"
		"                     const struct sched_node_info *n)\n"
		"{\n"
		"\treturn undeclared_thing;\n"
		"}\n");
	struct err *err = NULL;
	ck_assert_ptr_null(sched_plugin_load(path, &err));
	ck_assert_ptr_nonnull(err);
	char *where = xasprintf("%s:6:", path);
	ck_assert_msg(strstr(err->msg, where) && strstr(err->msg, "undeclared_thing"),
		      "%s", err->msg);
	ck_assert_ptr_nonnull(strstr(err->msg, "compiling "));
	free(where);
	err_free(err);
	remove_source(path);
}
END_TEST

START_TEST(test_a_plugin_file_without_the_symbol_is_refused)
{
	char *path = write_source("empty.c", "int nothing_here;\n");
	struct err *err = NULL;
	ck_assert_ptr_null(sched_plugin_load(path, &err));
	ck_assert_ptr_nonnull(strstr(err->msg, "defines no 'kubelab_plugin'"));
	err_free(err);
	remove_source(path);
}
END_TEST

START_TEST(test_missing_compiler_is_named)
{
	char *path = write_source("fine.c", "int x;\n");
	setenv("CC", "kubelab-no-such-cc", 1);
	struct err *err = NULL;
	ck_assert_ptr_null(sched_plugin_load(path, &err));
	unsetenv("CC");
	ck_assert_str_eq(err->msg, "no C compiler found: 'kubelab-no-such-cc' is not "
			 "installed (install gcc or clang, or set CC)");
	err_free(err);
	remove_source(path);
}
END_TEST

/* K8S: RunScorePlugins: a score outside [0, 100] is the plugin's error;
 * the cycle fails (SchedulerError) and the pod backs off. */
START_TEST(test_score_out_of_range_fails_the_cycle_not_the_simulator)
{
	char *path = write_source("overflow.c",
		"#include \"sched_plugin_api.h\"\n"
		"static int64_t score(struct sched_state *s, const struct pod *p,\n"
		"                     const struct sched_node_info *n)\n"
		"{\n"
		"\t(void)s; (void)p; (void)n;\n"
		"\treturn 150;\n"
		"}\n"
		"const struct sched_plugin kubelab_plugin = {\n"
		"\t.name = \"Overflow\", .score = score,\n"
		"};\n");
	struct err *err = NULL;
	ck_assert_msg(sched_plugin_load(path, &err) != NULL, "%s", err ? err->msg : "");
	struct sched_config *config = sched_run_config(
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins: {score: {enabled: [{name: Overflow}]}}\n");
	struct sched_run r;
	run_start(&r, config);
	add_node(&r, "node-1", NULL);
	add_node(&r, "node-2", NULL);
	add_pod(&r, "web");
	sched_run_advance(&r, KTIME_SECOND);
	const struct pod *pod = sched_run_pod(&r, "web");
	ck_assert_ptr_null(pod->spec.node_name);
	ck_assert_uint_eq(pod->status.conditions.len, 1);
	ck_assert_str_eq(pod->status.conditions.items[0].reason, "SchedulerError");
	ck_assert_str_eq(pod->status.conditions.items[0].message,
			 "applying score defaultWeights on Score plugins: plugin "
			 "\"Overflow\" returns an invalid score 150, it should in the "
			 "range of [0, 100] after normalizing");
	ck_assert_uint_gt(scheduler_failed_attempts(r.scheduler), 0);
	sched_run_close(&r);
	sched_config_free(config);
	remove_source(path);
}
END_TEST

Suite *sched_plugin_load_suite(void)
{
	Suite *s = suite_create("sched_plugin_load");
	TCase *tc = tcase_create("cc");
	tcase_set_timeout(tc, 60);	/* the compiler is slow under sanitizers */
	tcase_add_test(tc, test_example_plugin_compiles_and_steers_pods_to_labelled_nodes);
	tcase_add_test(tc, test_compiler_errors_come_back_with_file_and_line);
	tcase_add_test(tc, test_a_plugin_file_without_the_symbol_is_refused);
	tcase_add_test(tc, test_missing_compiler_is_named);
	tcase_add_test(tc, test_score_out_of_range_fails_the_cycle_not_the_simulator);
	suite_add_tcase(s, tc);
	return s;
}
