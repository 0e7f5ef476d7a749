/* test_ctrl_podgc.c - the pod garbage collector, against upstream's rules.
 *
 * K8S: pkg/controller/podgc/gc_controller_test.go (TestGCTerminated,
 * TestGCOrphaned, TestGCUnscheduledTerminating, TestGCTerminating).
 *
 * The harness has no scheduler and no kubelet: the tests create pods
 * already bound (or not), write their phase themselves, and delete Nodes
 * as an administrator would. The collector runs at T0 and every 20 s.
 */
#include <check.h>

#include "ctrl_harness.h"
#include "ctrl_util.h"
#include "release.h"

Suite *ctrl_podgc_suite(void);

static void start_pod_gc(struct harness *h, const struct controller_settings *settings)
{
	h_start(h, "pod-garbage-collector-controller");
	/* The collector reads its settings at every pass, through its client. */
	h->clients[h->controllers - 1].settings = settings;
}

static void create_node(struct harness *h, const char *name, const char *taint)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(name);
	h_default(&node->obj);
	if (taint) {
		node->spec.taints.items = xcalloc(1, sizeof(struct taint));
		node->spec.taints.len = 1;
		node->spec.taints.items[0].key = xstrdup(taint);
		node->spec.taints.items[0].effect = xstrdup(TAINT_NO_EXECUTE);
	}
	h_create(h, &node->obj);
}

static void delete_object(struct harness *h, enum kind_id kind, const char *name)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(client_delete(&h->actor, kind, kind == KIND_NODE ? NULL : "default",
				       name, &options, NULL), API_OK);
}

/* A pod bound to node (NULL: unscheduled), with a finalizer if asked. */
static void create_pod(struct harness *h, const char *name, const char *node,
		       const char *finalizer)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	pod->spec.containers.items[0].name = xstrdup("main");
	pod->spec.containers.items[0].image = xstrdup("app:v1");
	if (node)
		pod->spec.node_name = xstrdup(node);
	if (finalizer) {
		pod->obj.meta.finalizers.items = xcalloc(1, sizeof(char *));
		pod->obj.meta.finalizers.len = 1;
		pod->obj.meta.finalizers.items[0] = xstrdup(finalizer);
	}
	h_default(&pod->obj);
	h_create(h, &pod->obj);
}

struct phase {
	const char *phase, *reason;
};

static void phase_fn(struct object *obj, void *arg)
{
	const struct phase *want = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(want->phase);
	free(pod->status.reason);
	pod->status.reason = want->reason ? xstrdup(want->reason) : NULL;
}

static void set_phase(struct harness *h, const char *pod, const char *phase,
		      const char *reason)
{
	struct phase want = { phase, reason };
	h_update(h, KIND_POD, "default", pod, phase_fn, &want, true);
}

static const struct pod *get_pod(struct harness *h, const char *name)
{
	return (const struct pod *)h_get(h, KIND_POD, "default", name);
}

/* The last state of every pod deleted, as a watch saw it go. */
struct goodbyes {
	struct object *last[8];
	size_t len;
};

static void on_pod_deleted(void *arg, enum watch_type type, const struct object *obj,
			   const struct object *old)
{
	struct goodbyes *g = arg;
	(void)old;
	if (type == WATCH_DELETED && g->len < 8)
		g->last[g->len++] = object_ref(obj);
}

static const struct pod *goodbye(const struct goodbyes *g, const char *name)
{
	for (size_t i = 0; i < g->len; i++)
		if (!strcmp(g->last[i]->meta.name, name))
			return (const struct pod *)g->last[i];
	return NULL;
}

static void goodbyes_release(struct goodbyes *g)
{
	for (size_t i = 0; i < g->len; i++)
		object_unref(g->last[i]);
}

/* ---- terminated pods over the threshold ---------------------------------- */

START_TEST(test_podgc_deletes_terminated_pods_over_threshold_evicted_then_oldest_first)
{
	struct harness *h = h_new(0);
	struct controller_settings settings = { .terminated_pod_gc_threshold = 3 };
	create_node(h, "n1", NULL);
	/* Created one second apart: p0 is the oldest. */
	const char *names[] = { "p0", "p1", "p2", "p3", "p4", "p5" };
	for (size_t i = 0; i < 6; i++) {
		create_pod(h, names[i], "n1", NULL);
		h_run_for(h, 1 * S);
	}
	set_phase(h, "p0", POD_PHASE_SUCCEEDED, NULL);
	set_phase(h, "p1", POD_PHASE_FAILED, NULL);
	set_phase(h, "p2", POD_PHASE_SUCCEEDED, NULL);
	set_phase(h, "p3", POD_PHASE_SUCCEEDED, NULL);
	set_phase(h, "p4", POD_PHASE_FAILED, "Evicted");	/* evicted go first */
	/* p5 is Pending: not terminated, never a candidate. */
	start_pod_gc(h, &settings);
	h_run_for(h, 1 * S);
	/* 5 terminated, 3 allowed: the evicted p4, then the oldest p0. */
	ck_assert_ptr_null(get_pod(h, "p4"));
	ck_assert_ptr_null(get_pod(h, "p0"));
	ck_assert_ptr_nonnull(get_pod(h, "p1"));
	ck_assert_ptr_nonnull(get_pod(h, "p2"));
	ck_assert_ptr_nonnull(get_pod(h, "p3"));
	ck_assert_ptr_nonnull(get_pod(h, "p5"));
	/* One more finishes: at the next pass the oldest left (p1) goes. */
	set_phase(h, "p5", POD_PHASE_SUCCEEDED, NULL);
	h_run_for(h, 19 * S);
	ck_assert_ptr_null(get_pod(h, "p1"));
	ck_assert_ptr_nonnull(get_pod(h, "p2"));
	ck_assert_ptr_nonnull(get_pod(h, "p5"));
	h_free(h);
}
END_TEST

START_TEST(test_podgc_threshold_zero_keeps_every_terminated_pod)
{
	struct harness *h = h_new(0);
	struct controller_settings settings = { .terminated_pod_gc_threshold = 0 };
	create_node(h, "n1", NULL);
	create_pod(h, "done", "n1", NULL);
	set_phase(h, "done", POD_PHASE_SUCCEEDED, NULL);
	start_pod_gc(h, &settings);
	h_run_for(h, 60 * S);
	ck_assert_ptr_nonnull(get_pod(h, "done"));
	h_free(h);
}
END_TEST

START_TEST(test_podgc_default_threshold_is_12500)
{
	struct harness *h = h_new(0);
	ck_assert_int_eq(DEFAULT_TERMINATED_POD_GC_THRESHOLD, 12500);
	create_node(h, "n1", NULL);
	create_pod(h, "done", "n1", NULL);
	set_phase(h, "done", POD_PHASE_SUCCEEDED, NULL);
	start_pod_gc(h, NULL);		/* no settings: the default */
	h_run_for(h, 60 * S);
	ck_assert_ptr_nonnull(get_pod(h, "done"));
	h_free(h);
}
END_TEST

/* ---- orphaned pods ------------------------------------------------------- */

START_TEST(test_podgc_deletes_pods_of_a_deleted_node_after_quarantine)
{
	struct harness *h = h_new(0);
	struct goodbyes g = {0};
	int watch = client_watch(&h->actor, KIND_POD, on_pod_deleted, &g);
	create_node(h, "n1", NULL);
	create_node(h, "n2", NULL);
	create_pod(h, "orphan", "n1", NULL);
	create_pod(h, "done", "n1", NULL);
	create_pod(h, "safe", "n2", NULL);
	h_set_running(h, "orphan", true);
	set_phase(h, "done", POD_PHASE_SUCCEEDED, NULL);
	h_set_running(h, "safe", true);
	start_pod_gc(h, NULL);
	h_run_for(h, 5 * S);
	delete_object(h, KIND_NODE, "n1");	/* T0+5s */
	/* The pass at 20s first misses n1 and quarantines it until 60s. */
	h_run_to(h, 59 * S);
	ck_assert_ptr_nonnull(get_pod(h, "orphan"));
	ck_assert_ptr_nonnull(get_pod(h, "done"));
	h_run_to(h, 60 * S);
	ck_assert_ptr_null(get_pod(h, "orphan"));
	ck_assert_ptr_null(get_pod(h, "done"));
	ck_assert_ptr_nonnull(get_pod(h, "safe"));
	/* Marked Failed with DisruptionTarget before the force delete. */
	const struct pod *last = goodbye(&g, "orphan");
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(last->status.phase, POD_PHASE_FAILED);
	const struct condition *c = ctrl_pod_condition(last, "DisruptionTarget");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->status, "True");
	ck_assert_str_eq(c->reason, "DeletionByPodGC");
	ck_assert_str_eq(c->message, "PodGC: node no longer exists");
	/* A finished pod keeps its phase (upstream only patches live ones). */
	last = goodbye(&g, "done");
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(last->status.phase, POD_PHASE_SUCCEEDED);
	ck_assert_ptr_null(ctrl_pod_condition(last, "DisruptionTarget"));
	/* Upstream records no Events for this. */
	ck_assert_uint_eq(h->events_len, 0);
	client_unwatch(&h->actor, watch);
	goodbyes_release(&g);
	h_free(h);
}
END_TEST

START_TEST(test_podgc_spares_pods_whose_node_comes_back_within_quarantine)
{
	struct harness *h = h_new(0);
	create_node(h, "n1", NULL);
	create_pod(h, "web", "n1", NULL);
	h_set_running(h, "web", true);
	start_pod_gc(h, NULL);
	h_run_for(h, 5 * S);
	delete_object(h, KIND_NODE, "n1");
	h_run_to(h, 30 * S);		/* quarantined at 20s */
	create_node(h, "n1", NULL);		/* the kubelet registers again */
	h_run_to(h, 120 * S);
	ck_assert_ptr_nonnull(get_pod(h, "web"));
	ck_assert_str_eq(get_pod(h, "web")->status.phase, POD_PHASE_RUNNING);
	h_free(h);
}
END_TEST

START_TEST(test_podgc_deletes_pods_bound_to_a_node_that_never_existed)
{
	struct harness *h = h_new(0);
	create_pod(h, "lost", "no-such-node", NULL);
	start_pod_gc(h, NULL);
	h_run_to(h, 39 * S);
	ck_assert_ptr_nonnull(get_pod(h, "lost"));
	h_run_to(h, 40 * S);		/* seen at 0s, due at 40s */
	ck_assert_ptr_null(get_pod(h, "lost"));
	h_free(h);
}
END_TEST

/* ---- terminating pods ---------------------------------------------------- */

START_TEST(test_podgc_marks_failed_an_unscheduled_terminating_pod)
{
	struct harness *h = h_new(0);
	create_pod(h, "stuck", NULL, "example.com/hold");
	create_pod(h, "pending", NULL, NULL);
	delete_object(h, KIND_POD, "stuck");	/* the finalizer keeps it */
	ck_assert(object_is_deleting(&get_pod(h, "stuck")->obj));
	start_pod_gc(h, NULL);
	h_run_for(h, 1 * S);
	/* Marked Failed; the force delete still waits for the finalizer. */
	ck_assert_str_eq(get_pod(h, "stuck")->status.phase, POD_PHASE_FAILED);
	ck_assert_ptr_null(ctrl_pod_condition(get_pod(h, "stuck"), "DisruptionTarget"));
	/* A pending pod not being deleted is none of its business. */
	ck_assert_str_eq(get_pod(h, "pending")->status.phase, POD_PHASE_PENDING);
	h_free(h);
}
END_TEST

START_TEST(test_podgc_deletes_terminating_pods_only_on_out_of_service_nodes)
{
	struct harness *h = h_new(0);
	create_node(h, "shut", "node.kubernetes.io/out-of-service");
	create_node(h, "down", TAINT_NODE_UNREACHABLE);
	create_pod(h, "a", "shut", NULL);
	create_pod(h, "b", "shut", NULL);
	create_pod(h, "c", "down", NULL);
	h_set_running(h, "a", true);
	h_set_running(h, "b", true);
	h_set_running(h, "c", true);
	delete_object(h, KIND_POD, "a");	/* graceful: terminating */
	delete_object(h, KIND_POD, "c");
	ck_assert(object_is_deleting(&get_pod(h, "a")->obj));
	start_pod_gc(h, NULL);
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(get_pod(h, "a"));	/* terminating, out of service */
	ck_assert_ptr_nonnull(get_pod(h, "b"));	/* not terminating */
	ck_assert_str_eq(get_pod(h, "b")->status.phase, POD_PHASE_RUNNING);
	ck_assert_ptr_nonnull(get_pod(h, "c"));	/* no out-of-service taint */
	h_free(h);
}
END_TEST

Suite *ctrl_podgc_suite(void)
{
	Suite *s = suite_create("ctrl_podgc");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_podgc_deletes_terminated_pods_over_threshold_evicted_then_oldest_first);
	tcase_add_test(tc, test_podgc_threshold_zero_keeps_every_terminated_pod);
	tcase_add_test(tc, test_podgc_default_threshold_is_12500);
	tcase_add_test(tc, test_podgc_deletes_pods_of_a_deleted_node_after_quarantine);
	tcase_add_test(tc, test_podgc_spares_pods_whose_node_comes_back_within_quarantine);
	tcase_add_test(tc, test_podgc_deletes_pods_bound_to_a_node_that_never_existed);
	tcase_add_test(tc, test_podgc_marks_failed_an_unscheduled_terminating_pod);
	tcase_add_test(tc, test_podgc_deletes_terminating_pods_only_on_out_of_service_nodes);
	suite_add_tcase(s, tc);
	return s;
}
