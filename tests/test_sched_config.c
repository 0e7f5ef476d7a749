/* test_sched_config.c - KubeSchedulerConfiguration: parsing, merging, runs.
 *
 * The profile tests read a configuration as kube-scheduler --config would
 * and check what NewFramework would build: which plugins run at which
 * extension point, with which weight and args (upstream's
 * default_plugins_test.go and framework_test.go cases for mergePlugins
 * and multiPoint expansion). The validation tests check that every
 * problem is reported at its line and column in upstream's words. The run
 * tests start a scheduler with two profiles and check what a user sees.
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
#include "sched_args.h"
#include "scenario.h"
#include "sched_config.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_config_suite(void);

/* Parses text; on failure the diagnostics are left in *diags. */
static struct sched_config *parse(const char *text, struct diag_list *diags)
{
	struct yfile *file = yfile_load_string("sched.yaml", text, strlen(text), diags);
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 1);
	struct sched_config *config = sched_config_parse("sched.yaml", file->docs[0].root,
							 diags);
	yfile_free(file);
	return config;
}

static struct sched_config *parse_ok(const char *text)
{
	struct diag_list diags = { 0 };
	struct sched_config *config = parse(text, &diags);
	if (!config)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(config);
	ck_assert_uint_eq(diags.len, 0);
	diag_release(&diags);
	return config;
}

/* The diagnostics of a bad configuration, one per line, as
 * "line:column: message". Caller frees. */
static char *parse_errors(const char *text)
{
	struct diag_list diags = { 0 };
	struct sched_config *config = parse(text, &diags);
	ck_assert_ptr_null(config);
	ck_assert_uint_gt(diags.len, 0);
	char *out = xstrdup("");
	for (size_t i = 0; i < diags.len; i++) {
		char *next = xasprintf("%s%d:%d: %s\n", out, diags.items[i].line,
				       diags.items[i].column, diags.items[i].msg);
		free(out);
		out = next;
	}
	diag_release(&diags);
	return out;
}

static const struct sched_profile_plugin *entry(const struct sched_profile *p,
						const char *name)
{
	for (size_t i = 0; i < p->len; i++)
		if (!strcmp(p->plugins[i].plugin->name, name))
			return &p->plugins[i];
	return NULL;
}

static bool runs(const struct sched_profile *p, const char *name, enum sched_point point)
{
	const struct sched_profile_plugin *e = entry(p, name);
	return e && sched_profile_plugin_runs(e, point);
}

#define HEADER "apiVersion: kubescheduler.config.k8s.io/v1\n" \
	       "kind: KubeSchedulerConfiguration\n"

/* ---- profiles ------------------------------------------------------------ */

START_TEST(test_no_profiles_means_one_default_scheduler_with_the_default_plugins)
{
	struct sched_config *config = parse_ok(HEADER);
	ck_assert_uint_eq(config->profiles_len, 1);
	const struct sched_profile *p = &config->profiles[0];
	ck_assert_str_eq(p->scheduler_name, "default-scheduler");
	struct sched_profile def;
	sched_profile_default(&def, "default-scheduler");
	ck_assert_uint_eq(p->len, def.len);
	for (size_t i = 0; i < def.len; i++) {
		ck_assert_ptr_eq(p->plugins[i].plugin, def.plugins[i].plugin);
		if (p->plugins[i].plugin->score)
			ck_assert_int_eq(p->plugins[i].weight, def.plugins[i].weight);
		ck_assert_uint_eq(p->plugins[i].disabled, 0);
		ck_assert_ptr_null(p->plugins[i].args);
	}
	ck_assert(!config->percentage_set);
	sched_config_free(config);
}
END_TEST

START_TEST(test_score_disabled_keeps_the_plugins_filter)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    score:\n"
		"      disabled: [{name: NodeResourcesFit}, {name: TaintToleration}]\n");
	const struct sched_profile *p = &config->profiles[0];
	ck_assert(runs(p, "NodeResourcesFit", SCHED_POINT_FILTER));
	ck_assert(runs(p, "NodeResourcesFit", SCHED_POINT_PRE_FILTER));
	ck_assert(!runs(p, "NodeResourcesFit", SCHED_POINT_SCORE));
	ck_assert(runs(p, "TaintToleration", SCHED_POINT_FILTER));
	ck_assert(!runs(p, "TaintToleration", SCHED_POINT_SCORE));
	ck_assert(runs(p, "NodeResourcesBalancedAllocation", SCHED_POINT_SCORE));
	ck_assert(runs(p, "NodeAffinity", SCHED_POINT_SCORE));
	sched_config_free(config);
}
END_TEST

START_TEST(test_star_disables_every_default_score_plugin)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- schedulerName: first-fit\n"
		"  plugins:\n"
		"    score:\n"
		"      disabled: [{name: \"*\"}]\n");
	const struct sched_profile *p = &config->profiles[0];
	ck_assert_str_eq(p->scheduler_name, "first-fit");
	ck_assert(!sched_profile_has_score(p));
	ck_assert(runs(p, "NodeResourcesFit", SCHED_POINT_FILTER));
	ck_assert(runs(p, "NodeUnschedulable", SCHED_POINT_FILTER));
	sched_config_free(config);
}
END_TEST

/* K8S: an explicit score entry overrides the multiPoint weight; an unset
 * weight is 1, not the default's (framework.go getScoreWeights). */
START_TEST(test_score_enabled_reweights_and_unset_weight_means_one)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    score:\n"
		"      enabled: [{name: NodeAffinity, weight: 7}, {name: TaintToleration}]\n");
	const struct sched_profile *p = &config->profiles[0];
	ck_assert_int_eq(entry(p, "NodeAffinity")->weight, 7);
	ck_assert_int_eq(entry(p, "TaintToleration")->weight, 1);
	ck_assert_int_eq(entry(p, "NodeResourcesFit")->weight, 1);
	ck_assert(runs(p, "NodeAffinity", SCHED_POINT_FILTER));
	sched_config_free(config);
}
END_TEST

START_TEST(test_multi_point_star_then_enabled_keeps_only_those)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    multiPoint:\n"
		"      disabled: [{name: \"*\"}]\n"
		"      enabled: [{name: NodeResourcesFit, weight: 4}, {name: NodeName}]\n");
	const struct sched_profile *p = &config->profiles[0];
	ck_assert_uint_eq(p->len, 2);
	ck_assert_str_eq(p->plugins[0].plugin->name, "NodeResourcesFit");
	ck_assert_int_eq(p->plugins[0].weight, 4);
	ck_assert_str_eq(p->plugins[1].plugin->name, "NodeName");
	ck_assert(!entry(p, "TaintToleration"));
	sched_config_free(config);
}
END_TEST

/* K8S: expandMultiPointPlugins: plugins named at the point come first
 * (overrides), then the other multiPoint ones. */
START_TEST(test_filter_enabled_moves_a_default_plugin_first)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    filter:\n"
		"      enabled: [{name: NodeResourcesFit}]\n");
	const struct sched_profile *p = &config->profiles[0];
	ck_assert_str_eq(p->plugins[0].plugin->name, "NodeResourcesFit");
	ck_assert_str_eq(p->plugins[1].plugin->name, "NodeUnschedulable");
	ck_assert_int_eq(entry(p, "TaintToleration")->weight, 3);
	sched_config_free(config);
}
END_TEST

START_TEST(test_plugin_config_args_reach_the_profile_with_defaults_filled_in)
{
	struct sched_config *config = parse_ok(HEADER
		"percentageOfNodesToScore: 30\n"
		"profiles:\n"
		"- schedulerName: packer\n"
		"  percentageOfNodesToScore: 70\n"
		"  pluginConfig:\n"
		"  - name: NodeResourcesFit\n"
		"    args: {scoringStrategy: {type: MostAllocated}}\n"
		"  - name: NodeResourcesBalancedAllocation\n"
		"    args: {resources: [{name: cpu, weight: 1}, {name: nvidia.com/gpu}]}\n"
		"- schedulerName: spreader\n");
	ck_assert(config->percentage_set);
	ck_assert_int_eq(config->percentage_of_nodes_to_score, 30);
	const struct sched_profile *p = sched_config_profile(config, "packer");
	ck_assert(p->percentage_set);
	ck_assert_int_eq(p->percentage_of_nodes_to_score, 70);
	const struct sched_fit_args *fit = entry(p, "NodeResourcesFit")->args;
	ck_assert_ptr_nonnull(fit);
	ck_assert_int_eq(fit->strategy, SCHED_MOST_ALLOCATED);
	ck_assert_uint_eq(fit->resources_len, 2);
	ck_assert_str_eq(fit->resources[0].name, "cpu");
	ck_assert_int_eq(fit->resources[1].weight, 1);
	const struct sched_balanced_args *bal =
		entry(p, "NodeResourcesBalancedAllocation")->args;
	ck_assert_uint_eq(bal->resources_len, 2);
	ck_assert_str_eq(bal->resources[1].name, "nvidia.com/gpu");
	const struct sched_profile *q = sched_config_profile(config, "spreader");
	ck_assert_ptr_null(entry(q, "NodeResourcesFit")->args);
	ck_assert(!q->percentage_set);
	sched_config_free(config);
}
END_TEST

START_TEST(test_requested_to_capacity_ratio_shape_and_spread_list_defaults)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- pluginConfig:\n"
		"  - name: NodeResourcesFit\n"
		"    args:\n"
		"      scoringStrategy:\n"
		"        type: RequestedToCapacityRatio\n"
		"        resources: [{name: memory, weight: 3}]\n"
		"        requestedToCapacityRatio:\n"
		"          shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]\n"
		"  - name: PodTopologySpread\n"
		"    args:\n"
		"      defaultingType: List\n"
		"      defaultConstraints:\n"
		"      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone,"
		" whenUnsatisfiable: ScheduleAnyway}\n"
		"  - name: InterPodAffinity\n"
		"    args: {hardPodAffinityWeight: 5}\n"
		"  - name: DefaultPreemption\n"
		"    args: {minCandidateNodesAbsolute: 0}\n");
	struct sched_config_args *a = config->args[0];
	ck_assert_ptr_nonnull(a);
	const struct sched_profile *p = &config->profiles[0];
	const struct sched_fit_args *fit = entry(p, "NodeResourcesFit")->args;
	ck_assert_int_eq(fit->strategy, SCHED_REQUESTED_TO_CAPACITY_RATIO);
	ck_assert_uint_eq(fit->resources_len, 1);
	ck_assert_int_eq(fit->resources[0].weight, 3);
	ck_assert_uint_eq(fit->shape_len, 2);
	ck_assert_int_eq(fit->shape[1].score, 10);
	sched_config_free(config);
}
END_TEST

/* ---- validation ---------------------------------------------------------- */

START_TEST(test_unknown_plugin_is_reported_at_its_name)
{
	char *got = parse_errors(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    score:\n"
		"      enabled: [{name: Foo, weight: 2}]\n");
	ck_assert_str_eq(got, "6:24: ScorePlugin \"Foo\" does not exist\n");
	free(got);
}
END_TEST

START_TEST(test_score_weight_outside_range_is_an_error)
{
	char *got = parse_errors(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    multiPoint:\n"
		"      enabled:\n"
		"      - {name: NodeAffinity, weight: 101}\n");
	ck_assert_str_eq(got, "7:38: profiles[0].plugins.multiPoint.enabled[0].weight: "
			 "Invalid value: 101: a score plugin's weight must be in 1..100 "
			 "(0 or unset means 1)\n");
	free(got);
}
END_TEST

START_TEST(test_every_problem_is_reported_with_its_position)
{
	char *got = parse_errors(HEADER
		"percentageOfNodesToScore: 101\n"
		"profiles:\n"
		"- schedulerName: a\n"
		"  plugins:\n"
		"    filter:\n"
		"      enabled: [{name: NodeResourcesBalancedAllocation}]\n"
		"  pluginConfig:\n"
		"  - {name: NodeResourcesFit, args: {scoringStrategy: {type: Most}}}\n"
		"  - {name: NodeResourcesFit}\n"
		"- schedulerName: a\n"
		"  colour: blue\n");
	ck_assert_str_eq(got,
		"3:27: percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]\n"
		"10:61: profiles[0].pluginConfig[0].args.scoringStrategy.type: Unsupported "
		"value: \"Most\": supported values: \"LeastAllocated\", \"MostAllocated\", "
		"\"RequestedToCapacityRatio\"\n"
		"11:12: profiles[0].pluginConfig[1]: Duplicate value: \"NodeResourcesFit\"\n"
		"8:24: plugin \"NodeResourcesBalancedAllocation\" does not extend "
		"FilterPlugin plugin\n"
		"13:3: unknown field \"profiles[1].colour\"\n"
		"12:18: profiles[1].schedulerName: Duplicate value: \"a\" (profiles[0] "
		"has it already)\n");
	free(got);
}
END_TEST

START_TEST(test_bad_args_are_reported_as_upstream_words_them)
{
	char *got = parse_errors(HEADER
		"profiles:\n"
		"- pluginConfig:\n"
		"  - name: NodeResourcesBalancedAllocation\n"
		"    args: {resources: [{name: cpu, weight: 2}]}\n"
		"  - name: PodTopologySpread\n"
		"    args:\n"
		"      defaultConstraints: [{maxSkew: 0, topologyKey: zone,"
		" whenUnsatisfiable: DoNotSchedule}]\n"
		"  - name: DefaultPreemption\n"
		"    args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}\n");
	ck_assert_ptr_nonnull(strstr(got, "6:44: profiles[0].pluginConfig[0].args."
				     "resources[0].weight: Invalid value: 2: must be 1\n"));
	ck_assert_ptr_nonnull(strstr(got, "profiles[0].pluginConfig[1].args."
				     "defaultingType: Invalid value: \"System\": when "
				     ".defaultConstraints are not empty\n"));
	ck_assert_ptr_nonnull(strstr(got, "profiles[0].pluginConfig[1].args."
				     "defaultConstraints[0].maxSkew: Invalid value: 0: "
				     "not in valid range (0, inf)\n"));
	ck_assert_ptr_nonnull(strstr(got, "minCandidateNodesPercentage: Invalid value: "
				     "0: cannot be zero at the same time as "
				     "minCandidateNodesAbsolute\n"));
	free(got);
}
END_TEST

START_TEST(test_args_of_the_wrong_type_are_reported_with_their_position)
{
	char *got = parse_errors(HEADER
		"profiles:\n"
		"- pluginConfig:\n"
		"  - {name: NodeResourcesFit, args: [cpu]}\n"
		"  - {name: InterPodAffinity, args: {hardPodAffinityWeight: ten}}\n"
		"  - {name: NodeResourcesBalancedAllocation, args: {resources: {name: cpu}}}\n"
		"  - {name: DefaultPreemption, args: {minCandidateNodesAbsolute: -1}}\n");
	ck_assert_str_eq(got,
		"5:36: profiles[0].pluginConfig[0].args: expected a mapping, got a list\n"
		"6:60: profiles[0].pluginConfig[1].args.hardPodAffinityWeight: "
		"expected a 32-bit integer, got a string\n"
		"7:63: profiles[0].pluginConfig[2].args.resources: expected a list, "
		"got a mapping\n"
		"8:65: profiles[0].pluginConfig[3].args.minCandidateNodesAbsolute: "
		"Invalid value: -1: not in valid range [0, inf)\n");
	free(got);
}
END_TEST

START_TEST(test_two_profiles_need_scheduler_names_and_wrong_api_version_fails)
{
	char *got = parse_errors(
		"apiVersion: kubescheduler.config.k8s.io/v1beta3\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- {}\n"
		"- schedulerName: b\n");
	ck_assert_str_eq(got,
		"1:13: a KubeSchedulerConfiguration needs apiVersion: "
		"kubescheduler.config.k8s.io/v1\n"
		"4:3: profiles[0].schedulerName: Required value\n");
	free(got);
}
END_TEST

START_TEST(test_disabling_a_plugin_kubelab_lacks_is_fine_enabling_it_is_not)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    multiPoint:\n"
		"      disabled: [{name: DynamicResources}]\n");
	sched_config_free(config);
	char *got = parse_errors(HEADER
		"profiles:\n"
		"- plugins:\n"
		"    preBind:\n"
		"      enabled: [{name: DynamicResources}]\n");
	ck_assert_str_eq(got, "6:24: profiles[0].plugins.preBind.enabled[0].name: "
			 "plugin \"DynamicResources\" is not modelled by kubelab yet\n");
	free(got);
}
END_TEST

/* ---- runs with profiles -------------------------------------------------- */

static void run_start(struct sched_run *r, const struct sched_config *config)
{
	sched_run_open(r, true);
	sched_run_start_profiles(r, config, 10 * KTIME_MS);
}

static void add_node(struct sched_run *r, const char *name, bool tainted)
{
	struct node *n = sched_run_new_node(name);
	if (tainted) {
		n->spec.taints.items = xcalloc(1, sizeof(struct taint));
		n->spec.taints.len = 1;
		n->spec.taints.items[0].key = xstrdup("dedicated");
		n->spec.taints.items[0].effect = xstrdup("NoSchedule");
	}
	sched_run_create(r, &n->obj);
}

static void add_pod(struct sched_run *r, const char *name, const char *scheduler)
{
	struct pod *p = sched_run_new_pod(name);
	if (scheduler)
		p->spec.scheduler_name = xstrdup(scheduler);
	sched_run_create(r, &p->obj);
}

static size_t events_about(struct sched_run *r, const char *pod)
{
	struct object_list list = { 0 };
	store_list(r->store, KIND_EVENT, "default", NULL, &list);
	size_t n = 0;
	for (size_t i = 0; i < list.len; i++)
		if (!strcmp(((const struct event *)list.items[i])->involved_object.name, pod))
			n++;
	object_list_release(&list);
	return n;
}

/* A profile that turns TaintToleration's Filter off schedules onto a
 * tainted node; the default profile does not; a pod naming a scheduler
 * nobody serves is left alone, as upstream leaves it. */
START_TEST(test_pods_are_scheduled_by_the_profile_they_name)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- schedulerName: default-scheduler\n"
		"- schedulerName: taint-blind\n"
		"  plugins:\n"
		"    filter:\n"
		"      disabled: [{name: TaintToleration}]\n");
	struct sched_run r;
	run_start(&r, config);
	add_node(&r, "tainted-1", true);
	add_pod(&r, "strict", NULL);
	add_pod(&r, "blind", "taint-blind");
	add_pod(&r, "orphan", "nobody");
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(sched_run_pod(&r, "blind")->spec.node_name, "tainted-1");
	ck_assert_ptr_null(sched_run_pod(&r, "strict")->spec.node_name);
	ck_assert_uint_eq(sched_run_pod(&r, "strict")->status.conditions.len, 1);
	const struct pod *orphan = sched_run_pod(&r, "orphan");
	ck_assert_ptr_null(orphan->spec.node_name);
	ck_assert_uint_eq(orphan->status.conditions.len, 0);
	ck_assert_uint_eq(events_about(&r, "orphan"), 0);
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 1);
	sched_run_close(&r);
	sched_config_free(config);
}
END_TEST

/* Without score plugins the scheduler takes the first feasible node it
 * examines (upstream stops filtering at one then); weights decide the
 * rest: NodeAffinity with weight 100 beats the spreading scores. */
START_TEST(test_weights_decide_between_profiles)
{
	struct sched_config *config = parse_ok(HEADER
		"profiles:\n"
		"- schedulerName: default-scheduler\n"
		"- schedulerName: first-fit\n"
		"  plugins:\n"
		"    score:\n"
		"      disabled: [{name: \"*\"}]\n");
	struct sched_run r;
	run_start(&r, config);
	add_node(&r, "node-1", false);
	add_node(&r, "node-2", false);
	add_pod(&r, "a", "first-fit");
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(sched_run_pod(&r, "a")->spec.node_name, "node-1");
	add_pod(&r, "b", NULL);	/* default: node-1 is fuller, so node-2 */
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(sched_run_pod(&r, "b")->spec.node_name, "node-2");
	sched_run_close(&r);
	sched_config_free(config);
}
END_TEST

/* ---- loading ------------------------------------------------------------- */

START_TEST(test_load_wants_one_kube_scheduler_configuration_document)
{
	char path[] = "/tmp/kubelab-sched-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char text[] = "apiVersion: v1\nkind: ConfigMap\n";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(sched_config_load(path, &diags));
	ck_assert_uint_eq(diags.len, 1);
	ck_assert_str_eq(diags.items[0].msg,
			 "expected one document, kind: KubeSchedulerConfiguration");
	diag_release(&diags);
	unlink(path);
}
END_TEST

/* In a scenario: the document is the scheduler's, not a manifest, and
 * its problems are the scenario's, at their lines; a second way to give
 * the configuration is refused. */
START_TEST(test_scenario_reads_its_configuration_document)
{
	char path[] = "/tmp/kubelab-sched-scenario-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: s}\n"
		"spec:\n"
		"  schedulerConfigFile: other.yaml\n"
		"---\n"
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins: {filter: {enabled: [{name: Nope}]}}\n";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct diag_list diags = { 0 };
	ck_assert_ptr_null(scenario_load(path, &diags));
	ck_assert_uint_eq(diags.len, 2);
	ck_assert_int_eq(diags.items[0].line, 5);
	ck_assert_ptr_nonnull(strstr(diags.items[0].msg, "spec.schedulerConfigFile: "
				     "the file also has a KubeSchedulerConfiguration"));
	ck_assert_int_eq(diags.items[1].line, 10);
	ck_assert_str_eq(diags.items[1].msg, "FilterPlugin \"Nope\" does not exist");
	diag_release(&diags);
	unlink(path);
}
END_TEST

/* A schedulerConfigFile that cannot be read, or holds no document, is
 * reported at the scenario's line naming it (it used to be reported at
 * "FILE:0:0" of the config file, with no line to fix). */
START_TEST(test_unreadable_scheduler_config_file_is_reported_at_its_entry)
{
	static const char text[] =
		"apiVersion: kubelab/v1\n"
		"kind: Scenario\n"
		"metadata: {name: s}\n"
		"spec:\n"
		"  schedulerConfigFile: %s\n";
	static const struct { const char *name, *msg; } cases[] = {
		{ "no-such-config.yaml", "spec.schedulerConfigFile: cannot open "
		  "'/tmp/no-such-config.yaml': No such file or directory" },
		{ ".", "spec.schedulerConfigFile: cannot read '/tmp/.': Is a directory" },
		{ "/dev/null", "spec.schedulerConfigFile: in '/dev/null': expected one "
		  "document, kind: KubeSchedulerConfiguration" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *doc = xasprintf(text, cases[i].name);
		struct diag_list diags = { 0 };
		ck_assert_ptr_null(scenario_load_string("/tmp/s.yaml", doc, strlen(doc),
							&diags));
		ck_assert_uint_eq(diags.len, 1);
		ck_assert_str_eq(diags.items[0].file, "/tmp/s.yaml");
		ck_assert_int_eq(diags.items[0].line, 5);
		ck_assert_int_eq(diags.items[0].column, 24);
		ck_assert_str_eq(diags.items[0].msg, cases[i].msg);
		diag_release(&diags);
		free(doc);
	}
}
END_TEST

Suite *sched_config_suite(void)
{
	Suite *s = suite_create("sched_config");
	TCase *tc = tcase_create("profiles");
	tcase_add_test(tc, test_no_profiles_means_one_default_scheduler_with_the_default_plugins);
	tcase_add_test(tc, test_score_disabled_keeps_the_plugins_filter);
	tcase_add_test(tc, test_star_disables_every_default_score_plugin);
	tcase_add_test(tc, test_score_enabled_reweights_and_unset_weight_means_one);
	tcase_add_test(tc, test_multi_point_star_then_enabled_keeps_only_those);
	tcase_add_test(tc, test_filter_enabled_moves_a_default_plugin_first);
	tcase_add_test(tc, test_plugin_config_args_reach_the_profile_with_defaults_filled_in);
	tcase_add_test(tc, test_requested_to_capacity_ratio_shape_and_spread_list_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("validation");
	tcase_add_test(tc, test_unknown_plugin_is_reported_at_its_name);
	tcase_add_test(tc, test_score_weight_outside_range_is_an_error);
	tcase_add_test(tc, test_every_problem_is_reported_with_its_position);
	tcase_add_test(tc, test_bad_args_are_reported_as_upstream_words_them);
	tcase_add_test(tc, test_two_profiles_need_scheduler_names_and_wrong_api_version_fails);
	tcase_add_test(tc, test_disabling_a_plugin_kubelab_lacks_is_fine_enabling_it_is_not);
	tcase_add_test(tc, test_load_wants_one_kube_scheduler_configuration_document);
	tcase_add_test(tc, test_scenario_reads_its_configuration_document);
	suite_add_tcase(s, tc);
	tc = tcase_create("runs");
	tcase_add_test(tc, test_pods_are_scheduled_by_the_profile_they_name);
	tcase_add_test(tc, test_weights_decide_between_profiles);
	tcase_add_test(tc, test_args_of_the_wrong_type_are_reported_with_their_position);
	tcase_add_test(tc, test_unreadable_scheduler_config_file_is_reported_at_its_entry);
	suite_add_tcase(s, tc);
	return s;
}
