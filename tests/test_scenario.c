/* test_scenario.c - the scenario loader: good files load whole, bad ones
 * are refused with every problem at its file:line:column.
 *
 * The fixtures live in tests/data/ (scenario-*.yaml and the manifests they
 * apply). Each broken fixture lists its problems once each; the tests
 * check the exact position and the words of each, and that nothing else
 * was reported.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "scenario.h"

Suite *scenario_suite(void);	/* registered in check_main.c */

/* The tests run from tests/ under `make test` and from the top of the
 * tree when built by hand; the fixtures are found from either. */
static const char *data(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s",
		 access("data/scenario-good.yaml", R_OK) == 0 ? "data" : "tests/data",
		 name);
	return path;
}

static struct scenario *load_good(const char *name)
{
	struct diag_list diags = { 0 };
	struct scenario *sc = scenario_load(data(name), &diags);
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, 0);
	ck_assert_ptr_nonnull(sc);
	diag_release(&diags);
	return sc;
}

static void assert_quantity(const struct resource_list *list, const char *name,
			    const char *want)
{
	const struct quantity *q = resource_list_get(list, name);
	ck_assert_msg(q != NULL, "no %s", name);
	char buf[QUANTITY_STR_MAX];
	quantity_format(q, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

START_TEST(test_good_scenario_reads_metadata_and_settings)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	ck_assert_str_eq(sc->name, "node-failure");
	ck_assert_str_eq(sc->chapter, "05");
	ck_assert_ptr_nonnull(strstr(sc->description, "A worker fails"));
	ck_assert_uint_eq(sc->seed, 42);
	ck_assert_int_eq(sc->duration, 10 * KTIME_MINUTE);
	ck_assert_int_eq(sc->settings.watch_delay, 10 * KTIME_MS);
	ck_assert_int_eq(sc->settings.bind_latency, 0);
	/* Written as false: a zero that must not be lost to the default. */
	ck_assert(!sc->settings.record_events);
	scenario_free(sc);
}
END_TEST

START_TEST(test_good_scenario_builds_node_pools_as_the_kubelet_would)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	ck_assert_uint_eq(sc->node_pools.len, 2);

	const struct node_pool *worker = &sc->node_pools.items[0];
	ck_assert_str_eq(worker->name, "worker");
	ck_assert_int_eq(worker->count, 3);
	assert_quantity(&worker->capacity, "cpu", "4");
	assert_quantity(&worker->capacity, "memory", "8Gi");
	assert_quantity(&worker->capacity, "pods", "110");	/* --max-pods */
	assert_quantity(&worker->allocatable, "cpu", "3800m");	/* reserved */
	assert_quantity(&worker->allocatable, "memory", "8Gi");	/* = capacity */
	assert_quantity(&worker->allocatable, "pods", "110");
	ck_assert_str_eq(strmap_get(&worker->labels, "topology.kubernetes.io/zone"), "a");
	ck_assert_uint_eq(worker->taints.len, 1);
	ck_assert_str_eq(worker->taints.items[0].key, "dedicated");
	ck_assert_str_eq(worker->taints.items[0].effect, TAINT_NO_SCHEDULE);

	const struct node_pool *db = &sc->node_pools.items[1];
	ck_assert_str_eq(db->name, "db");
	ck_assert_int_eq(db->count, 1);		/* count defaults to 1 */
	assert_quantity(&db->capacity, "pods", "50");
	scenario_free(sc);
}
END_TEST

START_TEST(test_good_scenario_reads_images_over_the_defaults)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	struct image_behavior defaults;
	image_behavior_default(&defaults, "x");
	ck_assert_uint_eq(sc->images.len, 3);

	const struct image_behavior *web = &sc->images.items[0];
	ck_assert_str_eq(web->name, "web:v1");
	ck_assert_int_eq(web->pull, 2 * KTIME_SECOND);
	ck_assert_int_eq(web->start, 1 * KTIME_SECOND);
	ck_assert_int_eq(web->ready_after, 3 * KTIME_SECOND);
	ck_assert_int_eq(quantity_milli_value(&web->cpu), 100);
	ck_assert_int_eq(quantity_value(&web->memory), 64 << 20);

	const struct image_behavior *bad = &sc->images.items[1];
	ck_assert_int_eq(bad->crash_after, 5 * KTIME_SECOND);
	ck_assert_int_eq(bad->exit_code, 0);	/* an explicit zero is kept */
	ck_assert_int_eq(bad->pull, defaults.pull);

	const struct image_behavior *busybox = &sc->images.items[2];
	ck_assert_str_eq(busybox->name, "busybox");	/* `busybox:` (null) */
	ck_assert_int_eq(busybox->pull, defaults.pull);
	ck_assert_int_eq(busybox->start, defaults.start);
	ck_assert_int_eq(busybox->exit_code, defaults.exit_code);
	image_behavior_release(&defaults);
	scenario_free(sc);
}
END_TEST

START_TEST(test_scenario_image_falls_back_to_the_defaults)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	struct image_behavior scratch;
	const struct image_behavior *web = scenario_image(sc, "web:v1", &scratch);
	ck_assert_ptr_eq(web, &sc->images.items[0]);

	const struct image_behavior *other = scenario_image(sc, "nginx:1.27", &scratch);
	ck_assert_ptr_eq(other, &scratch);
	ck_assert_str_eq(other->name, "nginx:1.27");
	ck_assert_int_eq(other->pull, 1 * KTIME_SECOND);
	ck_assert_int_eq(other->start, 500 * KTIME_MS);
	ck_assert_int_eq(other->crash_after, 0);
	ck_assert(!other->pull_fails);
	image_behavior_release(&scratch);
	scenario_free(sc);
}
END_TEST

START_TEST(test_timeline_is_sorted_stably_with_manifests_first)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	static const struct {
		enum action_type type;
		int seconds;
		const char *name;
	} want[] = {
		{ ACTION_APPLY, 0, NULL },		/* the Pod beside the Scenario */
		{ ACTION_APPLY, 0, NULL },		/* web-deployment.yaml */
		{ ACTION_SET, 60, "web" },		/* written before the cordon */
		{ ACTION_CORDON, 60, "worker-2" },
		{ ACTION_SCALE, 90, "web" },
		{ ACTION_DELETE, 100, "web-abcde" },
		{ ACTION_NODE_DOWN, 120, "worker-1" },	/* written first */
		{ ACTION_NODE_UP, 130, "worker-1" },
		{ ACTION_UNCORDON, 140, "db-1" },
		{ ACTION_APPLY, 150, NULL },
	};
	ck_assert_uint_eq(sc->timeline.len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sc->timeline.len; i++) {
		const struct action *a = &sc->timeline.items[i];
		ck_assert_msg(a->type == want[i].type, "entry %zu has type %d", i, a->type);
		ck_assert_int_eq(a->at, want[i].seconds * KTIME_SECOND);
		if (want[i].name)
			ck_assert_str_eq(a->name, want[i].name);
	}

	const struct action *t = sc->timeline.items;
	ck_assert_str_eq(t[0].objects.items[0]->meta.name, "standalone");
	ck_assert_str_eq(t[1].objects.items[0]->kind->kind, "Deployment");
	ck_assert_str_eq(t[9].objects.items[0]->meta.name, "late");

	ck_assert_int_eq(t[2].kind, KIND_DEPLOYMENT);
	ck_assert_str_eq(t[2].namespace, "default");
	ck_assert_str_eq(t[2].path, "spec.template.spec.containers[0].image");
	ck_assert_str_eq(t[2].value, "web:v2");
	ck_assert_int_eq(t[4].kind, KIND_DEPLOYMENT);	/* deploy/web */
	ck_assert_int_eq(t[4].replicas, 5);
	ck_assert_int_eq(t[5].kind, KIND_POD);
	ck_assert_str_eq(t[5].namespace, "team-a");
	ck_assert_int_eq(t[6].duration, 90 * KTIME_SECOND);
	ck_assert_int_eq(t[7].duration, 0);
	ck_assert_int_eq(t[2].line, 36);
	ck_assert_int_eq(t[2].column, 5);
	scenario_free(sc);
}
END_TEST

/* The type-level path check and schema_resolve must agree: what passes at
 * load time resolves at run time on the object it names. */
START_TEST(test_set_paths_resolve_on_the_applied_object)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	const struct action *apply = &sc->timeline.items[1];
	const struct action *set = &sc->timeline.items[2];
	struct object *web = object_copy(apply->objects.items[0]);
	struct field_ref ref;
	struct err *err = NULL;
	ck_assert_int_eq(schema_resolve(web->kind->schema, web, set->path, &ref, &err), 0);
	ck_assert_int_eq(field_ref_set(&ref, set->value, &err), 0);
	field_ref_release(&ref);
	const struct deployment *d = object_as(web, KIND_DEPLOYMENT, struct deployment);
	ck_assert_str_eq(d->spec.template.spec.containers.items[0].image, "web:v2");
	object_unref(web);
	scenario_free(sc);
}
END_TEST

START_TEST(test_expectations_keep_their_modes_and_times)
{
	struct scenario *sc = load_good("scenario-good.yaml");
	ck_assert_uint_eq(sc->expectations.len, 3);
	const struct expectation *e = sc->expectations.items;
	ck_assert_int_eq(e[0].mode, EXPECT_AT);
	ck_assert_int_eq(e[0].from, 5 * KTIME_MINUTE);
	ck_assert_int_eq(e[0].to, 5 * KTIME_MINUTE);
	ck_assert_str_eq(e[0].text, "deployment/web .status.availableReplicas == 3");
	ck_assert_int_eq(e[0].line, 50);
	ck_assert_int_eq(e[1].mode, EXPECT_DURING);
	ck_assert_int_eq(e[1].from, 60 * KTIME_SECOND);
	ck_assert_int_eq(e[1].to, 5 * KTIME_MINUTE);
	ck_assert(e[1].is_count);
	ck_assert_int_eq(e[2].mode, EXPECT_WITHIN);
	ck_assert_int_eq(e[2].from, 0);
	ck_assert_int_eq(e[2].to, 8 * KTIME_MINUTE);
	ck_assert(!e[2].decided);
	scenario_free(sc);
}
END_TEST

START_TEST(test_minimal_scenario_gets_the_defaults)
{
	struct scenario *sc = load_good("scenario-minimal.yaml");
	ck_assert_str_eq(sc->name, "minimal");
	ck_assert_ptr_null(sc->chapter);
	ck_assert_uint_eq(sc->seed, 1);
	ck_assert_int_eq(sc->duration, 10 * KTIME_MINUTE);
	ck_assert(sc->settings.record_events);
	ck_assert_int_eq(sc->settings.watch_delay, 0);
	ck_assert_int_eq(sc->settings.terminated_pod_gc_threshold, 12500);
	ck_assert_uint_eq(sc->node_pools.len, 0);
	ck_assert_uint_eq(sc->timeline.len, 0);
	ck_assert_uint_eq(sc->expectations.len, 0);
	scenario_free(sc);
}
END_TEST

/* ---- broken fixtures ------------------------------------------------------ */

struct want {
	const char *file;	/* NULL: the scenario file itself */
	int line, column;
	const char *words;
};

/* Loads a broken fixture: it must be refused with exactly the wanted
 * diagnostics, each at its position and with its words. */
static void check_refused(const char *name, const struct want *want, size_t n)
{
	struct diag_list diags = { 0 };
	struct scenario *sc = scenario_load(data(name), &diags);
	ck_assert_ptr_null(sc);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < diags.len && !found; k++) {
			const struct diag *d = &diags.items[k];
			const char *file = want[i].file ? want[i].file : name;
			size_t flen = strlen(d->file), wlen = strlen(file);
			found = d->line == want[i].line && d->column == want[i].column &&
				flen >= wlen && !strcmp(d->file + flen - wlen, file) &&
				strstr(d->msg, want[i].words);
		}
		if (!found)
			diag_print(&diags, stderr);
		ck_assert_msg(found, "%s: nothing at %d:%d saying '%s'", name,
			      want[i].line, want[i].column, want[i].words);
	}
	if (diags.len != n)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, n);
	/* The report reads top to bottom within each file. */
	for (size_t k = 1; k < diags.len; k++) {
		const struct diag *a = &diags.items[k - 1], *b = &diags.items[k];
		ck_assert_msg(strcmp(a->file, b->file) || a->line < b->line ||
			      (a->line == b->line && a->column <= b->column),
			      "%s:%d:%d comes before %d:%d", a->file, a->line,
			      a->column, b->line, b->column);
	}
	diag_release(&diags);
}

START_TEST(test_every_timeline_problem_is_reported_where_it_is)
{
	static const struct want want[] = {
		{ NULL, 11, 38, "no field 'contaners' in PodSpec (did you mean 'containers'?)" },
		{ NULL, 12, 53, "expected an integer, got 'three'" },
		{ NULL, 13, 23, "unknown kind \"deploymnt\"" },
		{ NULL, 14, 23, "cannot scale a DaemonSet" },
		{ NULL, 15, 33, "no node \"worker-3\" in the cluster (the node pools make worker-1..worker-2)" },
		{ NULL, 16, 33, "two actions, cordon and delete" },
		{ NULL, 17, 5, "no action" },
		{ NULL, 18, 10, "6m is after the end of the run" },
		{ NULL, 19, 10, "must not be negative" },
		{ NULL, 20, 10, "expected a duration such as 30s, got the integer 10" },
		{ NULL, 20, 22, "unknown kind \"pdo\"" },	/* same entry */
		{ NULL, 21, 15, "unknown field \"spec.timeline[10].wait\"" },
		{ NULL, 22, 58, "Unsupported value: \"Sometimes\"" },
		{ NULL, 23, 22, "cannot open" },
	};
	check_refused("scenario-bad-timeline.yaml", want, sizeof(want) / sizeof(want[0]));
}
END_TEST

/* scenario_load_string reads what scenario_load reads: apply: files are
 * found beside the path it is given. */
START_TEST(test_a_scenario_loads_from_memory_as_from_its_file)
{
	const char *path = data("scenario-good.yaml");
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char text[16384];
	size_t len = fread(text, 1, sizeof(text), f);
	fclose(f);
	ck_assert_uint_lt(len, sizeof(text));
	struct scenario *from_file = load_good("scenario-good.yaml");
	struct diag_list diags = { 0 };
	struct scenario *from_memory = scenario_load_string(path, text, len, &diags);
	ck_assert_uint_eq(diags.len, 0);
	ck_assert_ptr_nonnull(from_memory);
	ck_assert_str_eq(from_memory->name, from_file->name);
	ck_assert_uint_eq(from_memory->node_pools.len, from_file->node_pools.len);
	ck_assert_uint_eq(from_memory->timeline.len, from_file->timeline.len);
	for (size_t i = 0; i < from_file->timeline.len; i++)
		ck_assert_uint_eq(from_memory->timeline.items[i].objects.len,
				  from_file->timeline.items[i].objects.len);
	ck_assert_uint_eq(from_memory->expectations.len, from_file->expectations.len);
	scenario_free(from_memory);
	scenario_free(from_file);
	diag_release(&diags);
}
END_TEST

/* The sections added since the first loader (traffic, drain, evict, the
 * scheduler's configuration) complain like the rest: every problem, at
 * its file:line:column, saying what was expected. Loaded from memory,
 * as `make fuzz` loads its inputs. */
START_TEST(test_new_sections_report_bad_input_where_it_is)
{
	static const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: bad}\n"
		"spec:\n"
		"  duration: 2m\n"
		"  cluster: {nodePools: [{name: worker, count: 2, capacity: {cpu: \"4\", memory: 8Gi}}]}\n"
		"  traffic:\n"
		"  - target: deployment/web\n"
		"    rps:\n"
		"    - {at: 0s, rps: -5}\n"
		"    - {at: 1m, rps: 2e9}\n"
		"    - {at: 3m, rps: 10}\n"
		"  timeline:\n"
		"  - {at: 10s, drain: worker-7}\n"
		"  - {at: 10s, evict: node/worker-1}\n"
		"---\n"
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- pluginConfig:\n"
		"  - {name: NodeResourcesFit, args: [cpu]}\n"
		"  - {name: InterPodAffinity, args: {hardPodAffinityWeight: ten}}\n"
		"  - {name: NodeResourcesBalancedAllocation, args: {resources: {name: cpu}}}\n";
	static const char *const want[] = {
		"bad.yaml:10:21: spec.traffic[0].rps[0].rps: must not be negative",
		"bad.yaml:11:21: spec.traffic[0].rps[1].rps: must be at most 1e+09, "
		"got 2e+09",
		"bad.yaml:12:12: spec.traffic[0].rps[2].at: must lie within the run "
		"(0s to spec.duration)",
		"bad.yaml:14:22: spec.timeline[0].drain: no node \"worker-7\" in the "
		"cluster (the node pools make worker-1..worker-2)",
		"bad.yaml:15:22: spec.timeline[1].evict: only pods can be evicted, got Node",
		"bad.yaml:21:36: profiles[0].pluginConfig[0].args: expected a mapping, "
		"got a list",
		"bad.yaml:22:60: profiles[0].pluginConfig[1].args.hardPodAffinityWeight: "
		"expected a 32-bit integer, got a string",
		"bad.yaml:23:63: profiles[0].pluginConfig[2].args.resources: expected "
		"a list, got a mapping",
	};
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(scenario_load_string("bad.yaml", text, sizeof(text) - 1,
						&diags));
	if (diags.len != sizeof(want) / sizeof(want[0]))
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < diags.len; i++) {
		char got[512];
		snprintf(got, sizeof(got), "%s:%d:%d: %s", diags.items[i].file,
			 diags.items[i].line, diags.items[i].column, diags.items[i].msg);
		ck_assert_str_eq(got, want[i]);
	}
	diag_release(&diags);
}
END_TEST

START_TEST(test_missing_apply_file_is_reported_at_the_apply_node)
{
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(scenario_load(data("scenario-bad-timeline.yaml"), &diags));
	const struct diag *d = &diags.items[diags.len - 1];
	ck_assert_int_eq(d->line, 23);
	ck_assert_int_eq(d->column, 22);
	ck_assert_ptr_nonnull(strstr(d->file, "scenario-bad-timeline.yaml"));
	ck_assert_ptr_nonnull(strstr(d->msg, "spec.timeline[12].apply"));
	ck_assert_ptr_nonnull(strstr(d->msg, "missing.yaml': No such file or directory"));
	diag_release(&diags);
}
END_TEST

START_TEST(test_every_spec_problem_is_reported_where_it_is)
{
	static const struct want want[] = {
		{ NULL, 7, 13, "spec.traffic[0].target: Required value" },
		{ NULL, 7, 14, "unknown field \"spec.traffic[0].service\"" },
		{ NULL, 7, 33, "expected a list for spec.traffic[0].rps, got the integer 200" },
		{ NULL, 8, 26, "spec.settings.watchDelay: invalid duration \"soon\"" },
		{ NULL, 11, 29, "spec.cluster.nodePools[0].count: must be at least 1" },
		{ NULL, 11, 61, "invalid quantity \"8GB\"" },
		{ NULL, 12, 29, "capacity: missing cpu" },
		{ NULL, 12, 44, "unknown field \"spec.cluster.nodePools[1].zone\"" },
		{ NULL, 14, 24, "unknown field \"spec.images[web:v1].readyAftr\"" },
		{ NULL, 15, 45, "crashAfter and completeAfter cannot both be set" },
	};
	check_refused("scenario-bad-spec.yaml", want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_every_expectation_problem_is_reported_where_it_is)
{
	static const struct want want[] = {
		{ NULL, 8, 20, "spec.expect[0].that: expected an operator such as ==, got 'is'" },
		{ NULL, 9, 14, "starts after it ends (5m > 60s)" },
		{ NULL, 10, 14, "at and within" },
		{ NULL, 11, 5, "missing required field \"that\"" },
		{ NULL, 12, 20, "no field 'availabelReplicas' in DeploymentStatus" },
		{ NULL, 13, 14, "11m is after the end of the run" },
		{ NULL, 14, 20, "'>=' compares numbers, and 'Running' is not one" },
	};
	check_refused("scenario-bad-expect.yaml", want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_manifest_problems_name_the_file_they_are_in)
{
	static const struct want want[] = {
		{ NULL, 6, 55, "imagePullPolicy: Unsupported value: \"Sometimes\"" },
		{ "bad-manifest.yaml", 6, 3, "unknown field \"spec.replica\"" },
		{ "bad-manifest.yaml", 6, 3, "missing required field \"selector\"" },
		{ "bad-manifest.yaml", 6, 3, "missing required field \"template\"" },
	};
	check_refused("scenario-bad-manifests.yaml", want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_a_file_without_a_scenario_document_is_refused)
{
	static const struct want want[] = {
		{ NULL, 0, 0, "no Scenario document" },
	};
	check_refused("scenario-none.yaml", want, 1);
}
END_TEST

START_TEST(test_a_missing_scenario_file_is_refused)
{
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(scenario_load(data("no-such-scenario.yaml"), &diags));
	ck_assert_uint_eq(diags.len, 1);
	ck_assert_ptr_nonnull(strstr(diags.items[0].msg, "No such file"));
	diag_release(&diags);
}
END_TEST

Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *good = tcase_create("good");
	tcase_add_test(good, test_good_scenario_reads_metadata_and_settings);
	tcase_add_test(good, test_good_scenario_builds_node_pools_as_the_kubelet_would);
	tcase_add_test(good, test_good_scenario_reads_images_over_the_defaults);
	tcase_add_test(good, test_scenario_image_falls_back_to_the_defaults);
	tcase_add_test(good, test_timeline_is_sorted_stably_with_manifests_first);
	tcase_add_test(good, test_set_paths_resolve_on_the_applied_object);
	tcase_add_test(good, test_expectations_keep_their_modes_and_times);
	tcase_add_test(good, test_minimal_scenario_gets_the_defaults);
	suite_add_tcase(s, good);

	TCase *bad = tcase_create("bad");
	tcase_add_test(bad, test_every_timeline_problem_is_reported_where_it_is);
	tcase_add_test(bad, test_missing_apply_file_is_reported_at_the_apply_node);
	tcase_add_test(bad, test_every_spec_problem_is_reported_where_it_is);
	tcase_add_test(bad, test_every_expectation_problem_is_reported_where_it_is);
	tcase_add_test(bad, test_manifest_problems_name_the_file_they_are_in);
	tcase_add_test(bad, test_a_file_without_a_scenario_document_is_refused);
	tcase_add_test(bad, test_a_missing_scenario_file_is_refused);
	tcase_add_test(bad, test_new_sections_report_bad_input_where_it_is);
	tcase_add_test(bad, test_a_scenario_loads_from_memory_as_from_its_file);
	suite_add_tcase(s, bad);
	return s;
}
