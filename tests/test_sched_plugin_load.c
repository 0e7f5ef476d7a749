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

static struct sched_config *config_from(const char *text)
{
	struct diag_list diags = { 0 };
	struct yfile *file = yfile_load_string("sched.yaml", text, strlen(text), &diags);
	ck_assert_ptr_nonnull(file);
	struct sched_config *config = sched_config_parse("sched.yaml", file->docs[0].root,
							 &diags);
	if (!config)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(config);
	yfile_free(file);
	diag_release(&diags);
	return config;
}

/* ---- a small cluster ----------------------------------------------------- */

struct run {
	struct engine *engine;
	struct store *store;
	struct client client;
	struct scheduler *scheduler;
};

static void create(struct run *r, struct object *obj)
{
	struct api_status status;
	ck_assert_msg(client_create(&r->client, obj, &status) == API_OK, "%s",
		      status.message);
}

static void set_amount(struct resource_list *list, const char *name, const char *amount)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(amount, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

static void add_node(struct run *r, const char *name, const char *fast)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	if (fast)
		strmap_set(&n->obj.meta.labels, "example.com/fast", fast);
	set_amount(&n->status.allocatable, "cpu", "4");
	set_amount(&n->status.allocatable, "memory", "8Gi");
	set_amount(&n->status.allocatable, "pods", "110");
	create(r, &n->obj);
}

static void add_pod(struct run *r, const char *name)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->spec.containers.items = xcalloc(1, sizeof(struct container));
	p->spec.containers.len = 1;
	p->spec.containers.items[0].name = xstrdup("app");
	p->spec.containers.items[0].image = xstrdup("nginx");
	set_amount(&p->spec.containers.items[0].resources.requests, "cpu", "100m");
	create(r, &p->obj);
}

static void run_start(struct run *r, const struct sched_config *config)
{
	memset(r, 0, sizeof(*r));
	r->engine = engine_new();
	engine_run(r->engine, KTIME_SIM_EPOCH, 0);
	r->client.clock = engine_clock(r->engine);
	r->store = store_new(&r->client.clock, 1);
	r->client.store = r->store;
	r->client.component = "default-scheduler";
	r->client.record_events = true;
	struct scheduler_options options = {
		.profiles = config->profiles, .profiles_len = config->profiles_len,
		.seed = 1,
	};
	r->scheduler = scheduler_new(&r->client, &options);
}

static void run_stop(struct run *r)
{
	scheduler_free(r->scheduler);
	store_free(r->store);
	engine_free(r->engine);
}

static const struct pod *get_pod(struct run *r, const char *name)
{
	const struct object *obj = client_get(&r->client, KIND_POD, "default", name);
	ck_assert_ptr_nonnull(obj);
	return (const struct pod *)obj;
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

	struct sched_config *config = config_from(
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins:\n"
		"    multiPoint:\n"
		"      enabled: [{name: PreferLabel, weight: 5}]\n");
	ck_assert_int_eq(config->profiles[0].plugins[config->profiles[0].len - 1].weight, 5);
	struct run r;
	run_start(&r, config);
	add_node(&r, "slow-1", NULL);
	add_node(&r, "fast-1", "true");
	add_node(&r, "slow-2", "no");
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		add_pod(&r, name);
	}
	engine_run(r.engine, engine_now(r.engine) + KTIME_SECOND, 0);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		ck_assert_str_eq(get_pod(&r, name)->spec.node_name, "fast-1");
	}
	run_stop(&r);
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
	struct sched_config *config = config_from(
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins: {score: {enabled: [{name: Overflow}]}}\n");
	struct run r;
	run_start(&r, config);
	add_node(&r, "node-1", NULL);
	add_node(&r, "node-2", NULL);
	add_pod(&r, "web");
	engine_run(r.engine, engine_now(r.engine) + KTIME_SECOND, 0);
	const struct pod *pod = get_pod(&r, "web");
	ck_assert_ptr_null(pod->spec.node_name);
	ck_assert_uint_eq(pod->status.conditions.len, 1);
	ck_assert_str_eq(pod->status.conditions.items[0].reason, "SchedulerError");
	ck_assert_str_eq(pod->status.conditions.items[0].message,
			 "applying score defaultWeights on Score plugins: plugin "
			 "\"Overflow\" returns an invalid score 150, it should in the "
			 "range of [0, 100] after normalizing");
	ck_assert_uint_gt(scheduler_failed_attempts(r.scheduler), 0);
	run_stop(&r);
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
