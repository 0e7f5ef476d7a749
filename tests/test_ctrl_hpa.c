/* test_ctrl_hpa.c - the HorizontalPodAutoscaler: replica calculator,
 * normalisation (stabilisation, policies), and the controller end to end.
 *
 * The calculator cases are upstream's replica_calculator_test.go tables
 * (K8S: TestReplicaCalcScaleUp ...), with one container per pod (upstream
 * uses two, so its expected raw values are doubled). The normalisation
 * cases follow horizontal_test.go's TestScalingWithRules and
 * TestNormalizeDesiredReplicas. The end-to-end tests run the Deployment,
 * ReplicaSet and HPA controllers over the harness with a metrics source
 * that spreads a fixed load over the Ready pods.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_hpa.h"
#include "ctrl_util.h"

Suite *ctrl_hpa_suite(void);

#define NOW (KTIME_SIM_EPOCH + 3600 * S)
#define COOL (NOW - 10 * KTIME_MINUTE)	/* started long ago */
#define HOT (NOW - 10 * S)		/* started within the cpu init period */

/* ---- the replica calculator --------------------------------------------- */

struct calc_pod {
	const char *phase;		/* NULL: Running */
	const char *ready;		/* NULL: "True" */
	ktime_t start;			/* 0: COOL */
	bool deleting;
	int64_t level;			/* -1: no sample */
	int64_t request;		/* milli; 0: 1000; -1: none */
};

struct calc_case {
	const char *name;
	int32_t current;
	const char *resource;		/* NULL: a custom (pods) metric */
	int64_t target;			/* percent, or milli-value */
	bool average_value;
	struct calc_pod pods[8];
	size_t len;
	int32_t expect_replicas;
	int32_t expect_utilization;
	int64_t expect_raw;
	const char *expect_error;	/* a prefix */
};

static struct pod *calc_pod_new(const struct calc_pod *cp, size_t i)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xasprintf("pod-%zu", i);
	pod->obj.meta.namespace = xstrdup("default");
	if (cp->deleting)
		pod->obj.meta.deletion_timestamp = NOW - S;
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	pod->spec.containers.items[0].name = xstrdup("app");
	if (cp->request >= 0) {
		struct quantity q = quantity_from_milli(cp->request ? cp->request : 1000,
							QUANTITY_DECIMAL_SI);
		resource_list_set(&pod->spec.containers.items[0].resources.requests, "cpu", &q);
	}
	pod->status.phase = xstrdup(cp->phase ? cp->phase : POD_PHASE_RUNNING);
	pod->status.start_time = cp->start ? cp->start : COOL;
	pod->status.conditions.items = xcalloc(1, sizeof(struct condition));
	pod->status.conditions.len = 1;
	pod->status.conditions.items[0].type = xstrdup("Ready");
	pod->status.conditions.items[0].status = xstrdup(cp->ready ? cp->ready : "True");
	pod->status.conditions.items[0].last_transition_time = pod->status.start_time;
	return pod;
}

static void run_calc_case(const struct calc_case *tc)
{
	struct hpa_calc calc = { HPA_TOLERANCE, HPA_CPU_INITIALIZATION_PERIOD,
				 HPA_INITIAL_READINESS_DELAY, NOW };
	struct hpa_pod_metric metrics[8];
	struct pod *pods[8];
	for (size_t i = 0; i < tc->len; i++) {
		pods[i] = calc_pod_new(&tc->pods[i], i);
		metrics[i] = (struct hpa_pod_metric){
			.pod = pods[i], .found = tc->pods[i].level >= 0,
			.sample = { tc->pods[i].level, NOW, 30 * S },
		};
	}
	struct hpa_proposal p = { 0 };
	char *why = NULL;
	int rc;
	if (tc->resource && !tc->average_value)
		rc = hpa_calc_resource_utilization(&calc, tc->current, (int32_t)tc->target,
						   tc->resource, metrics, tc->len, &p, &why);
	else
		rc = hpa_calc_average_value(&calc, tc->current, tc->target, tc->resource,
					    metrics, tc->len, &p, &why);
	if (tc->expect_error) {
		ck_assert_msg(rc == -1, "%s: expected an error", tc->name);
		ck_assert_msg(!strncmp(why, tc->expect_error, strlen(tc->expect_error)),
			      "%s: got error %s", tc->name, why);
	} else {
		ck_assert_msg(rc == 0, "%s: error %s", tc->name, why);
		ck_assert_msg(p.replicas == tc->expect_replicas, "%s: replicas %d, want %d",
			      tc->name, p.replicas, tc->expect_replicas);
		if (tc->resource && !tc->average_value)
			ck_assert_msg(p.utilization == tc->expect_utilization,
				      "%s: utilization %d, want %d", tc->name, p.utilization,
				      tc->expect_utilization);
		ck_assert_msg(p.raw == tc->expect_raw, "%s: raw %lld, want %lld", tc->name,
			      (long long)p.raw, (long long)tc->expect_raw);
		ck_assert_int_eq(p.timestamp, NOW);
	}
	free(why);
	for (size_t i = 0; i < tc->len; i++)
		object_unref(&pods[i]->obj);
}

#define P(lvl) { .level = (lvl) }
#define UNREADY(lvl) { .ready = "False", .level = (lvl) }
#define HOTP(lvl) { .start = HOT, .level = (lvl) }
#define MISSING { .level = -1 }

static const struct calc_case calc_cases[] = {
	{ "ScaleUp", 3, "cpu", 30, false, { P(300), P(500), P(700) }, 3, 5, 50, 500, NULL },
	{ "ScaleUpUnreadyLessScale", 3, "cpu", 30, false,
	  { UNREADY(300), P(500), P(700) }, 3, 4, 60, 600, NULL },
	{ "ScaleUpHotCpuLessScale", 3, "cpu", 30, false,
	  { HOTP(300), P(500), P(700) }, 3, 4, 60, 600, NULL },
	{ "ScaleUpUnreadyNoScale", 3, "cpu", 30, false,
	  { P(400), UNREADY(500), UNREADY(700) }, 3, 3, 40, 400, NULL },
	{ "ScaleUpIgnoresFailedPods", 2, "cpu", 30, false,
	  { P(500), P(700), { .phase = POD_PHASE_FAILED, .ready = "False", .level = -1 },
	    { .phase = POD_PHASE_FAILED, .ready = "False", .level = -1 } }, 4, 4, 60, 600, NULL },
	{ "ScaleUpIgnoresDeletionPods", 2, "cpu", 30, false,
	  { P(500), P(700), { .deleting = true, .ready = "False", .level = -1 },
	    { .deleting = true, .ready = "False", .level = -1 } }, 4, 4, 60, 600, NULL },
	{ "ScaleUpCM", 3, NULL, 15000, true, { P(20000), P(10000), P(30000) }, 3, 4, 0, 20000,
	  NULL },
	{ "ScaleUpCMUnreadyHotCpuNoLessScale", 3, NULL, 15000, true,
	  { P(50000), P(10000), { .ready = "False", .start = HOT, .level = 30000 } }, 3, 6, 0,
	  30000, NULL },
	{ "ScaleDown", 5, "cpu", 50, false, { P(100), P(300), P(500), P(250), P(250) }, 5, 3,
	  28, 280, NULL },
	{ "ScaleDownCM", 5, NULL, 20000, true,
	  { P(12000), P(12000), P(12000), P(12000), P(12000) }, 5, 3, 0, 12000, NULL },
	{ "ScaleDownIncludeUnreadyPods", 5, "cpu", 50, false,
	  { P(100), P(300), P(500), UNREADY(250), UNREADY(250) }, 5, 2, 30, 300, NULL },
	{ "ScaleDownExcludeUnscheduledPods", 5, "cpu", 50, false,
	  { P(100), { .phase = POD_PHASE_PENDING, .ready = "False", .level = -1 },
	    { .phase = POD_PHASE_PENDING, .ready = "False", .level = -1 },
	    { .phase = POD_PHASE_PENDING, .ready = "False", .level = -1 },
	    { .phase = POD_PHASE_PENDING, .ready = "False", .level = -1 } }, 5, 1, 10, 100, NULL },
	{ "ScaleDownIgnoreHotCpuPods", 5, "cpu", 50, false,
	  { P(100), P(300), P(500), HOTP(250), HOTP(250) }, 5, 2, 30, 300, NULL },
	{ "Tolerance", 3, "cpu", 100, false,
	  { { .level = 1010, .request = 900 }, { .level = 1030, .request = 1000 },
	    { .level = 1020, .request = 1100 } }, 3, 3, 102, 1020, NULL },
	{ "MissingMetricsNoChangeEq", 2, "cpu", 100, false, { P(1000), MISSING }, 2, 2, 100,
	  1000, NULL },
	{ "MissingMetricsNoChangeGt", 2, "cpu", 100, false, { P(1900), MISSING }, 2, 2, 190,
	  1900, NULL },
	{ "MissingMetricsNoChangeLt", 2, "cpu", 100, false, { P(600), MISSING }, 2, 2, 60, 600,
	  NULL },
	{ "MissingMetricsUnreadyChange", 3, "cpu", 50, false,
	  { UNREADY(100), P(450), MISSING }, 3, 3, 45, 450, NULL },
	{ "MissingMetricsUnreadyScaleUp", 3, "cpu", 50, false,
	  { UNREADY(100), P(2000), MISSING }, 3, 4, 200, 2000, NULL },
	{ "MissingMetricsUnreadyScaleDown", 4, "cpu", 50, false,
	  { UNREADY(100), P(100), P(100), MISSING }, 4, 3, 10, 100, NULL },
	{ "EmptyCPURequest", 1, "cpu", 100, false, { { .level = 200, .request = -1 } }, 1, 0, 0,
	  0, "missing request for cpu in container app of Pod pod-0" },
	{ "AllUnready", 2, "cpu", 50, false, { UNREADY(100), HOTP(100) }, 2, 0, 0, 0,
	  "did not receive metrics for targeted pods (pods might be unready)" },
};

START_TEST(test_replica_calculator_matches_upstream_cases)
{
	run_calc_case(&calc_cases[_i]);
}
END_TEST

/* ---- normalisation ------------------------------------------------------- */

static struct hpa_behavior default_behavior(void)
{
	struct hpa_behavior b = { 0 };
	hpa_behavior_set_defaults(&b);
	b.scale_down.stabilization_window_seconds = (struct opt_int64){ true, 300 };
	return b;
}

static void behavior_release(struct hpa_behavior *b)
{
	schema_release(&hpa_scaling_rules_schema, &b->scale_up);
	schema_release(&hpa_scaling_rules_schema, &b->scale_down);
}

START_TEST(test_legacy_scale_up_is_limited_to_double_or_four)
{
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_history_init(&h, 2, NOW);
	hpa_normalize_legacy(&h, NOW, HPA_DOWNSCALE_STABILIZATION, 2, 9, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 4);
	ck_assert(n.limited);
	ck_assert_str_eq(n.limited_reason, "ScaleUpLimit");
	ck_assert_str_eq(n.able_reason, "ReadyForNewScale");
	hpa_normalize_legacy(&h, NOW + 15 * S, HPA_DOWNSCALE_STABILIZATION, 4, 12, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 8);
	hpa_normalize_legacy(&h, NOW + 30 * S, HPA_DOWNSCALE_STABILIZATION, 8, 12, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 10);
	ck_assert_str_eq(n.limited_reason, "TooManyReplicas");
	hpa_history_release(&h);
}
END_TEST

START_TEST(test_legacy_scale_down_waits_for_the_stabilization_window)
{
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_history_init(&h, 6, NOW);
	hpa_normalize_legacy(&h, NOW + 15 * S, HPA_DOWNSCALE_STABILIZATION, 6, 2, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 6);
	ck_assert_str_eq(n.able_reason, "ScaleDownStabilized");
	ck_assert(!n.limited);
	/* At exactly 5m after the recommendation of 6 it still counts
	 * (time.Before is strict); one period later it is gone. */
	hpa_normalize_legacy(&h, NOW + 300 * S, HPA_DOWNSCALE_STABILIZATION, 6, 2, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 6);
	hpa_normalize_legacy(&h, NOW + 315 * S, HPA_DOWNSCALE_STABILIZATION, 6, 2, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 2);
	ck_assert_str_eq(n.able_reason, "ReadyForNewScale");
	ck_assert_str_eq(n.limited_reason, "DesiredWithinRange");
	hpa_normalize_legacy(&h, NOW + 330 * S, HPA_DOWNSCALE_STABILIZATION, 2, 2, 3, 10, &n);
	ck_assert_int_eq(n.replicas, 3);
	ck_assert_str_eq(n.limited_reason, "TooFewReplicas");
	hpa_history_release(&h);
}
END_TEST

/* K8S: TestScalingWithRules "scaleUp with default behavior". */
START_TEST(test_default_behavior_scales_up_by_the_larger_of_four_pods_and_double)
{
	struct hpa_behavior b = default_behavior();
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_normalize_behavior(&h, NOW, &b, 5, 50, 1, 1000, &n);
	ck_assert_int_eq(n.replicas, 10);
	ck_assert_str_eq(n.limited_reason, "ScaleUpLimit");
	hpa_record_scale(&h, &b, NOW, 5, 10);
	/* Within the same 15 s period the start of the period was 5: no more. */
	hpa_normalize_behavior(&h, NOW + 10 * S, &b, 10, 50, 1, 1000, &n);
	ck_assert_int_eq(n.replicas, 10);
	/* After it, from 10: 20. */
	hpa_normalize_behavior(&h, NOW + 16 * S, &b, 10, 50, 1, 1000, &n);
	ck_assert_int_eq(n.replicas, 20);
	hpa_history_release(&h);
	behavior_release(&b);
}
END_TEST

START_TEST(test_default_behavior_scales_down_at_once_after_the_window)
{
	struct hpa_behavior b = default_behavior();
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_history_init(&h, 100, NOW);
	hpa_normalize_behavior(&h, NOW + 15 * S, &b, 100, 5, 1, 1000, &n);
	ck_assert_int_eq(n.replicas, 100);
	ck_assert_str_eq(n.able_reason, "ScaleDownStabilized");
	hpa_normalize_behavior(&h, NOW + 301 * S, &b, 100, 5, 1, 1000, &n);
	ck_assert_int_eq(n.replicas, 5);
	ck_assert_str_eq(n.limited_reason, "DesiredWithinRange");
	hpa_history_release(&h);
	behavior_release(&b);
}
END_TEST

/* A policy of 1 pod per 60 s with no window: one pod a minute. */
START_TEST(test_pods_policy_limits_scale_down_per_period)
{
	struct hpa_behavior b = default_behavior();
	b.scale_down.stabilization_window_seconds.value = 0;
	free(b.scale_down.policies.items[0].type);
	b.scale_down.policies.items[0] = (struct hpa_scaling_policy){ xstrdup("Pods"), 1, 60 };
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_normalize_behavior(&h, NOW, &b, 5, 1, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 4);
	ck_assert_str_eq(n.limited_reason, "ScaleDownLimit");
	hpa_record_scale(&h, &b, NOW, 5, 4);
	hpa_normalize_behavior(&h, NOW + 30 * S, &b, 4, 1, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 4);
	hpa_normalize_behavior(&h, NOW + 61 * S, &b, 4, 1, 1, 10, &n);
	ck_assert_int_eq(n.replicas, 3);
	hpa_history_release(&h);
	behavior_release(&b);
}
END_TEST

START_TEST(test_select_policy_min_and_disabled)
{
	struct hpa_behavior b = default_behavior();
	free(b.scale_up.select_policy);
	b.scale_up.select_policy = xstrdup("Min");
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_normalize_behavior(&h, NOW, &b, 10, 50, 1, 100, &n);
	ck_assert_int_eq(n.replicas, 14);	/* min(10+4, 10*2) */
	free(b.scale_up.select_policy);
	b.scale_up.select_policy = xstrdup("Disabled");
	hpa_normalize_behavior(&h, NOW + 15 * S, &b, 10, 50, 1, 100, &n);
	ck_assert_int_eq(n.replicas, 10);
	ck_assert_str_eq(n.limited_reason, "ScaleUpLimit");
	hpa_history_release(&h);
	behavior_release(&b);
}
END_TEST

START_TEST(test_scale_up_window_applies_the_lowest_recent_recommendation)
{
	struct hpa_behavior b = default_behavior();
	b.scale_up.stabilization_window_seconds.value = 60;
	struct hpa_history h = { 0 };
	struct hpa_normalized n;
	hpa_history_init(&h, 3, NOW);
	hpa_normalize_behavior(&h, NOW + 15 * S, &b, 3, 6, 1, 100, &n);
	ck_assert_int_eq(n.replicas, 3);
	ck_assert_str_eq(n.able_reason, "ScaleUpStabilized");
	hpa_normalize_behavior(&h, NOW + 75 * S, &b, 3, 6, 1, 100, &n);
	ck_assert_int_eq(n.replicas, 6);
	hpa_history_release(&h);
	behavior_release(&b);
}
END_TEST

/* ---- end to end ---------------------------------------------------------- */

/* A load of `total` (milli-units) spread over the Ready pods, as the
 * custom metric "qps". */
struct fake_load {
	struct harness *h;
	int64_t total;
};

static bool fake_custom(void *arg, const struct pod *pod, const char *metric,
			struct metric_sample *out)
{
	struct fake_load *load = arg;
	if (strcmp(metric, "qps") || !ctrl_pod_is_ready(pod))
		return false;
	struct object_list pods = { 0 };
	store_list(load->h->store, KIND_POD, "default", NULL, &pods);
	int64_t ready = 0;
	for (size_t i = 0; i < pods.len; i++)
		ready += ctrl_pod_is_ready((const void *)pods.items[i]) &&
			 !object_is_deleting(pods.items[i]);
	object_list_release(&pods);
	ktime_t now = clock_now(&load->h->clock);
	*out = (struct metric_sample){ load->total / ready, now, 15 * S };
	return true;
}

static bool fake_resource(void *arg, const struct pod *pod, const char *resource,
			  struct metric_sample *out)
{
	(void)arg, (void)pod, (void)resource, (void)out;
	return false;
}

static struct horizontal_pod_autoscaler *hpa_new(const char *metric_type)
{
	struct horizontal_pod_autoscaler *hpa =
		(struct horizontal_pod_autoscaler *)object_new(&horizontal_pod_autoscaler_kind);
	hpa->obj.meta.name = xstrdup("web");
	hpa->obj.meta.namespace = xstrdup("default");
	hpa->spec.scale_target_ref = (struct hpa_target_ref){
		xstrdup("apps/v1"), xstrdup("Deployment"), xstrdup("web") };
	hpa->spec.max_replicas = 10;
	if (!strcmp(metric_type, HPA_METRIC_PODS)) {
		hpa->spec.metrics.items = xcalloc(1, sizeof(struct hpa_metric_spec));
		hpa->spec.metrics.len = 1;
		struct hpa_metric_spec *m = &hpa->spec.metrics.items[0];
		m->type = xstrdup(HPA_METRIC_PODS);
		m->pods.metric.name = xstrdup("qps");
		m->pods.target.type = xstrdup(HPA_TARGET_AVERAGE_VALUE);
		m->pods.target.average_value = quantity_from_int(10, QUANTITY_DECIMAL_SI);
	}
	h_default(&hpa->obj);
	return hpa;
}

static int32_t deployment_replicas(struct harness *h)
{
	return ((const struct deployment *)h_get(h, KIND_DEPLOYMENT, "default", "web"))
		->spec.replicas;
}

static const struct horizontal_pod_autoscaler *get_hpa(struct harness *h)
{
	return (const void *)h_get(h, KIND_HORIZONTALPODAUTOSCALER, "default", "web");
}

START_TEST(test_hpa_scales_a_deployment_up_then_down_after_the_window)
{
	struct harness *h = h_new(0);
	struct fake_load load = { h, 60000 };	/* 60 qps */
	struct metrics_source source = { fake_resource, fake_custom, &load };
	h->metrics = &source;
	h_start(h, "deployment-controller");
	h_start(h, "replicaset-controller");
	h_start(h, "horizontal-pod-autoscaler");
	h_auto_ready(h, 1 * S);
	h_create(h, &h_deployment("web", 2)->obj);
	h_create(h, &hpa_new(HPA_METRIC_PODS)->obj);

	/* Defaults: minReplicas 1, no behavior. */
	ck_assert_int_eq(get_hpa(h)->spec.min_replicas, 1);
	ck_assert(!hpa_behavior_is_set(&get_hpa(h)->spec.behavior));

	/* The first look is one sync period after creation: 30 qps per pod
	 * against 10 wants 6; the legacy limit allows 4. */
	h_run_to(h, 14 * S);
	ck_assert_int_eq(deployment_replicas(h), 2);
	h_run_to(h, 16 * S);
	ck_assert_int_eq(deployment_replicas(h), 4);
	const struct h_event *e = h_find_event(h, "SuccessfulRescale", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->t, 15 * S);
	ck_assert_str_eq(e->message, "New size: 4; reason: pods metric qps above target");
	ck_assert_str_eq(e->kind, "HorizontalPodAutoscaler");
	const struct horizontal_pod_autoscaler *hpa = get_hpa(h);
	ck_assert_int_eq(hpa->status.current_replicas, 2);
	ck_assert_int_eq(hpa->status.desired_replicas, 4);
	ck_assert_int_eq(hpa->status.last_scale_time, h->t0 + 15 * S);
	ck_assert_uint_eq(hpa->status.conditions.len, 3);
	ck_assert_str_eq(hpa->status.conditions.items[0].type, "AbleToScale");
	ck_assert_str_eq(hpa->status.conditions.items[0].reason, "SucceededRescale");
	ck_assert_str_eq(hpa->status.conditions.items[1].type, "ScalingActive");
	ck_assert_str_eq(hpa->status.conditions.items[1].reason, "ValidMetricFound");
	ck_assert_str_eq(hpa->status.conditions.items[1].message,
			 "the HPA was able to successfully calculate a replica count from "
			 "pods metric qps");
	ck_assert_str_eq(hpa->status.conditions.items[2].type, "ScalingLimited");
	ck_assert_str_eq(hpa->status.conditions.items[2].status, "True");
	ck_assert_str_eq(hpa->status.conditions.items[2].reason, "ScaleUpLimit");
	ck_assert_uint_eq(hpa->status.current_metrics.len, 1);
	ck_assert_int_eq(quantity_milli_value(&hpa->status.current_metrics.items[0]
						      .pods.current.average_value), 30000);

	/* 4 pods at 15 qps: 6. */
	h_run_to(h, 29 * S);
	ck_assert_uint_eq(h_count_pods(h, NULL).ready, 4);
	h_run_to(h, 31 * S);
	ck_assert_int_eq(deployment_replicas(h), 6);
	h_run_to(h, 46 * S);
	ck_assert_int_eq(deployment_replicas(h), 6);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulRescale", NULL), 2);

	/* The load falls to 12 qps: the recommendation is 2 at once, but 6
	 * was recommended at 45s, so nothing moves before 5m45s. */
	load.total = 12000;
	h_run_to(h, 5 * KTIME_MINUTE + 50 * S);
	ck_assert_int_eq(deployment_replicas(h), 6);
	ck_assert_str_eq(get_hpa(h)->status.conditions.items[0].reason, "ScaleDownStabilized");
	ck_assert_int_eq(get_hpa(h)->status.desired_replicas, 6);
	h_run_to(h, 6 * KTIME_MINUTE + 5 * S);
	ck_assert_int_eq(deployment_replicas(h), 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulRescale",
					 "New size: 2; reason: All metrics below target"), 1);
	h_free(h);
}
END_TEST

START_TEST(test_hpa_without_metrics_reports_failed_get_resource_metric)
{
	struct harness *h = h_new(0);
	h_start(h, "horizontal-pod-autoscaler");
	h_create(h, &h_deployment("web", 2)->obj);
	h_create(h, &hpa_new(HPA_METRIC_RESOURCE)->obj);	/* defaulted: cpu 80% */
	h_run_to(h, 16 * S);
	ck_assert_uint_eq(h_count_events(h, "FailedGetResourceMetric",
		"failed to get cpu utilization: unable to get metrics for resource cpu: no "
		"metrics returned from resource metrics API"), 1);
	ck_assert_uint_eq(h_count_events(h, "FailedComputeMetricsReplicas",
		"invalid metrics (1 invalid out of 1), first error is: failed to get cpu "
		"resource metric value: failed to get cpu utilization: unable to get metrics "
		"for resource cpu: no metrics returned from resource metrics API"), 1);
	const struct horizontal_pod_autoscaler *hpa = get_hpa(h);
	ck_assert_str_eq(hpa->status.conditions.items[1].type, "ScalingActive");
	ck_assert_str_eq(hpa->status.conditions.items[1].status, "False");
	ck_assert_str_eq(hpa->status.conditions.items[1].reason, "FailedGetResourceMetric");
	ck_assert_int_eq(hpa->status.current_replicas, 2);
	ck_assert_int_eq(deployment_replicas(h), 2);
	/* Every period it looks again. */
	h_run_to(h, 31 * S);
	ck_assert_uint_eq(h_count_events(h, "FailedGetResourceMetric", NULL), 2);
	h_free(h);
}
END_TEST

START_TEST(test_hpa_with_a_missing_target_reports_failed_get_scale)
{
	struct harness *h = h_new(0);
	h_start(h, "horizontal-pod-autoscaler");
	h_create(h, &hpa_new(HPA_METRIC_RESOURCE)->obj);
	h_run_to(h, 16 * S);
	ck_assert_uint_eq(h_count_events(h, "FailedGetScale",
					 "deployments.apps \"web\" not found"), 1);
	const struct condition *c = &get_hpa(h)->status.conditions.items[0];
	ck_assert_str_eq(c->type, "AbleToScale");
	ck_assert_str_eq(c->status, "False");
	ck_assert_str_eq(c->message, "the HPA controller was unable to get the target's "
			 "current scale: deployments.apps \"web\" not found");
	h_free(h);
}
END_TEST

START_TEST(test_hpa_moves_replicas_into_the_min_max_range)
{
	struct harness *h = h_new(0);
	h_start(h, "horizontal-pod-autoscaler");
	h_create(h, &h_deployment("web", 15)->obj);
	h_create(h, &hpa_new(HPA_METRIC_RESOURCE)->obj);
	h_run_to(h, 16 * S);
	ck_assert_int_eq(deployment_replicas(h), 10);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulRescale",
		"New size: 10; reason: Current number of replicas above Spec.MaxReplicas"), 1);
	h_free(h);
}
END_TEST

Suite *ctrl_hpa_suite(void)
{
	Suite *s = suite_create("ctrl_hpa");
	TCase *tc = tcase_create("hpa");
	tcase_add_loop_test(tc, test_replica_calculator_matches_upstream_cases, 0,
			    (int)(sizeof(calc_cases) / sizeof(calc_cases[0])));
	tcase_add_test(tc, test_legacy_scale_up_is_limited_to_double_or_four);
	tcase_add_test(tc, test_legacy_scale_down_waits_for_the_stabilization_window);
	tcase_add_test(tc, test_default_behavior_scales_up_by_the_larger_of_four_pods_and_double);
	tcase_add_test(tc, test_default_behavior_scales_down_at_once_after_the_window);
	tcase_add_test(tc, test_pods_policy_limits_scale_down_per_period);
	tcase_add_test(tc, test_select_policy_min_and_disabled);
	tcase_add_test(tc, test_scale_up_window_applies_the_lowest_recent_recommendation);
	tcase_add_test(tc, test_hpa_scales_a_deployment_up_then_down_after_the_window);
	tcase_add_test(tc, test_hpa_without_metrics_reports_failed_get_resource_metric);
	tcase_add_test(tc, test_hpa_with_a_missing_target_reports_failed_get_scale);
	tcase_add_test(tc, test_hpa_moves_replicas_into_the_min_max_range);
	suite_add_tcase(s, tc);
	return s;
}
