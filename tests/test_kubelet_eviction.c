/* test_kubelet_eviction.c - the eviction manager under memory pressure.
 *
 * One kubelet over a real engine and store (tests/kubelet_harness.h), its
 * node given a small memory capacity. Images pull in 1s and start in 1s,
 * so pods created at T0 run from 2s; the manager's passes run at T0,
 * 10s, 20s, ... Times are relative to T0.
 */
#include "kubelet_harness.h"

Suite *kubelet_eviction_suite(void);

static void image_with_memory(struct fixture *f, const char *name, const char *memory)
{
	add_image(f, name, 1 * S, 1 * S);
	ck_assert_int_eq(quantity_parse(memory, &image_named(f, name)->memory, NULL), 0);
}

/* A pod of one container named like the pod, requesting memory (NULL:
 * nothing, BestEffort), in priority class (NULL: none). */
static void pod_add(struct fixture *f, const char *name, const char *image,
		    const char *request, const char *priority_class)
{
	struct pod *pod = pod_new(name, name, image);
	if (request)
		set_quantity(&pod->spec.containers.items[0].resources.requests, "memory", request);
	if (priority_class)
		pod->spec.priority_class_name = xstrdup(priority_class);
	create(f, pod);
}

static void priority_class_add(struct fixture *f, const char *name, int32_t value)
{
	struct priority_class *pc = (struct priority_class *)object_new(&priority_class_kind);
	pc->obj.meta.name = xstrdup(name);
	pc->value = value;
	ck_assert_int_eq(client_create(&f->actor, &pc->obj, NULL), API_OK);
}

static const struct condition *node_condition(struct fixture *f, const char *type)
{
	const struct node *node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	return condition_find((void *)&node->status.conditions, type);
}

START_TEST(test_best_effort_pod_is_evicted_first_with_upstream_message)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "db:1", "400Mi");
	image_with_memory(f, "be:1", "300Mi");
	image_with_memory(f, "burst:1", "250Mi");
	fixture_start(f);
	pod_add(f, "db", "db:1", "400Mi", NULL);
	pod_add(f, "be", "be:1", NULL, NULL);
	pod_add(f, "burst", "burst:1", "100Mi", NULL);

	/* 950Mi in use, 74Mi available: the pass at 10s evicts. */
	run_to(f, 9 * S);
	ck_assert_uint_eq(event_count(f, "be", "Evicted"), 0);
	run_to(f, 10 * S);
	const struct logged_event *e = event_get(f, "be", "Evicted", 0);
	ck_assert_int_eq(e->t, 10 * S);
	ck_assert_str_eq(e->type, "Warning");
	ck_assert_str_eq(e->message,
			 "The node was low on resource: memory. Threshold quantity: 100Mi, available: 74Mi. Container be was using 300Mi, request is 0, has larger consumption of memory. ");
	ck_assert_str_eq(event_get(f, NODE, "EvictionThresholdMet", 0)->message,
			 "Attempting to reclaim memory");

	const struct pod *p = get_pod(f, "be");
	ck_assert_ptr_nonnull(p);	/* not deleted: it stays Failed */
	ck_assert_str_eq(p->status.phase, "Failed");
	ck_assert_str_eq(p->status.reason, "Evicted");
	ck_assert_str_eq(p->status.message, e->message);
	const struct condition *dt = condition_of(p, "DisruptionTarget");
	ck_assert_str_eq(dt->status, "True");
	ck_assert_str_eq(dt->reason, "TerminationByKubelet");
	ck_assert_str_eq(event_get(f, "be", "Killing", 0)->message, "Stopping container be");
	ck_assert_int_eq(status_of(p, "be")->state.terminated.exit_code, 143);

	/* Relieved: 374Mi available; nobody else goes. */
	run_to(f, 60 * S);
	ck_assert_uint_eq(event_count(f, "burst", "Evicted"), 0);
	ck_assert_uint_eq(event_count(f, "db", "Evicted"), 0);
	ck_assert_str_eq(get_pod(f, "burst")->status.phase, "Running");
	fixture_free(f);
}
END_TEST

START_TEST(test_lower_priority_goes_before_larger_usage_above_request)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "big:1", "600Mi");
	image_with_memory(f, "small:1", "350Mi");
	fixture_start(f);
	priority_class_add(f, "high", 1000);
	pod_add(f, "big", "big:1", "100Mi", "high");	/* 500Mi above */
	pod_add(f, "small", "small:1", "100Mi", NULL);	/* 250Mi above */
	run_to(f, 10 * S);
	ck_assert_uint_eq(event_count(f, "small", "Evicted"), 1);
	ck_assert_uint_eq(event_count(f, "big", "Evicted"), 0);
	ck_assert_str_eq(event_get(f, "small", "Evicted", 0)->message,
			 "The node was low on resource: memory. Threshold quantity: 100Mi, available: 74Mi. Container small was using 350Mi, request is 100Mi, has larger consumption of memory. ");
	fixture_free(f);
}
END_TEST

START_TEST(test_pod_within_its_request_goes_after_those_above)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "fat:1", "800Mi");
	image_with_memory(f, "thin:1", "150Mi");
	fixture_start(f);
	pod_add(f, "fat", "fat:1", "900Mi", NULL);	/* within its request */
	pod_add(f, "thin", "thin:1", "100Mi", NULL);	/* 50Mi above */
	run_to(f, 10 * S);
	ck_assert_uint_eq(event_count(f, "thin", "Evicted"), 1);
	ck_assert_uint_eq(event_count(f, "fat", "Evicted"), 0);
	fixture_free(f);
}
END_TEST

START_TEST(test_eviction_grace_period_is_one_second_made_two)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "a:1", "500Mi");
	image_named(f, "a:1")->ignores_sigterm = true;
	image_with_memory(f, "b:1", "400Mi");
	image_with_memory(f, "c:1", "100Mi");
	fixture_start(f);
	pod_add(f, "a", "a:1", NULL, NULL);
	pod_add(f, "b", "b:1", NULL, NULL);
	pod_add(f, "c", "c:1", "100Mi", NULL);
	/* 1000Mi in use: a (the furthest above its request) goes at 10s. It
	 * ignores SIGTERM: the 1s grace period, raised to killContainer's 2s
	 * minimum, ends in SIGKILL at 12s. */
	run_to(f, 12 * S);
	ck_assert_int_eq(event_get(f, "a", "Evicted", 0)->t, 10 * S);
	const struct container_status *cs = status_of(get_pod(f, "a"), "a");
	ck_assert_int_eq(cs->state.terminated.exit_code, 137);
	ck_assert_int_eq(cs->state.terminated.finished_at - f->t0, 12 * S);
	run_to(f, 60 * S);
	ck_assert_uint_eq(event_count(f, "b", "Evicted"), 0);
	fixture_free(f);
}
END_TEST

START_TEST(test_one_pod_per_pass_the_next_one_cleanup_poll_later)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "a:1", "50Mi");
	image_with_memory(f, "b:1", "500Mi");
	image_with_memory(f, "c:1", "450Mi");
	fixture_start(f);
	priority_class_add(f, "high", 1000);
	pod_add(f, "a", "a:1", NULL, NULL);
	pod_add(f, "b", "b:1", NULL, "high");
	pod_add(f, "c", "c:1", NULL, "high");
	/* 1000Mi in use, 24Mi available: a (lowest priority) goes at 10s and
	 * exits at once; 74Mi is still short, so the pass after the cleanup
	 * poll (1s) evicts b, the furthest above its request. */
	run_to(f, 11 * S);
	ck_assert_int_eq(event_get(f, "a", "Evicted", 0)->t, 10 * S);
	ck_assert_int_eq(event_get(f, "b", "Evicted", 0)->t, 11 * S);
	ck_assert_str_eq(event_get(f, "b", "Evicted", 0)->message,
			 "The node was low on resource: memory. Threshold quantity: 100Mi, available: 74Mi. Container b was using 500Mi, request is 0, has larger consumption of memory. ");
	run_to(f, 60 * S);
	ck_assert_uint_eq(event_count(f, "c", "Evicted"), 0);
	fixture_free(f);
}
END_TEST

START_TEST(test_memory_pressure_condition_lasts_the_transition_period)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "be:1", "950Mi");
	fixture_start(f);
	pod_add(f, "be", "be:1", NULL, NULL);
	/* Met at the 10s pass; the node status update at 20s reports it. */
	run_to(f, 19 * S);
	ck_assert_str_eq(node_condition(f, "MemoryPressure")->status, "False");
	run_to(f, 20 * S);
	const struct condition *c = node_condition(f, "MemoryPressure");
	ck_assert_str_eq(c->status, "True");
	ck_assert_str_eq(c->reason, "KubeletHasInsufficientMemory");
	ck_assert_str_eq(c->message, "kubelet has insufficient memory available");
	ck_assert_str_eq(event_get(f, NODE, "NodeHasInsufficientMemory", 0)->message,
			 "Node worker-1 status is now: NodeHasInsufficientMemory");
	/* Last met at 10s: False from the pass at 5m10s, reported at 5m20s. */
	run_to(f, 319 * S);
	ck_assert_str_eq(node_condition(f, "MemoryPressure")->status, "True");
	run_to(f, 320 * S);
	ck_assert_str_eq(node_condition(f, "MemoryPressure")->status, "False");
	fixture_free(f);
}
END_TEST

START_TEST(test_working_set_growth_brings_pressure_later)
{
	struct fixture *f = fixture_new();
	f->node_memory = "1Gi";
	image_with_memory(f, "leak:1", "100Mi");
	struct image_behavior *leak = image_named(f, "leak:1");
	leak->memory_grows_after = 30 * S;
	ck_assert_int_eq(quantity_parse("1000Mi", &leak->memory_grows_to, NULL), 0);
	fixture_start(f);
	pod_add(f, "leak", "leak:1", "64Mi", NULL);
	/* Started at 2s, 1000Mi from 32s: the pass at 40s evicts it. */
	run_to(f, 39 * S);
	ck_assert_uint_eq(event_count(f, "leak", "Evicted"), 0);
	run_to(f, 40 * S);
	ck_assert_str_eq(event_get(f, "leak", "Evicted", 0)->message,
			 "The node was low on resource: memory. Threshold quantity: 100Mi, available: 24Mi. Container leak was using 1000Mi, request is 64Mi, has larger consumption of memory. ");
	fixture_free(f);
}
END_TEST

Suite *kubelet_eviction_suite(void)
{
	Suite *s = suite_create("kubelet_eviction");
	TCase *tc = tcase_create("memory");
	tcase_add_test(tc, test_best_effort_pod_is_evicted_first_with_upstream_message);
	tcase_add_test(tc, test_lower_priority_goes_before_larger_usage_above_request);
	tcase_add_test(tc, test_pod_within_its_request_goes_after_those_above);
	tcase_add_test(tc, test_eviction_grace_period_is_one_second_made_two);
	tcase_add_test(tc, test_one_pod_per_pass_the_next_one_cleanup_poll_later);
	tcase_add_test(tc, test_memory_pressure_condition_lasts_the_transition_period);
	tcase_add_test(tc, test_working_set_growth_brings_pressure_later);
	suite_add_tcase(s, tc);
	return s;
}
