/* test_ctrl_replicaset.c - the ReplicaSet controller and the helpers it
 * stands on (expectations, deletion ranking, percentages, the table).
 *
 * The reconcile tests run the real controller over an engine and a store
 * (tests/ctrl_harness.h); the test plays scheduler and kubelet by writing
 * spec.nodeName and pod status itself. The helper tests call the
 * functions directly with hand-built pods.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_expectations.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_replicaset_suite(void);

static const struct replica_set *get_rs(struct harness *h, const char *name)
{
	return (const struct replica_set *)h_get(h, KIND_REPLICASET, "default", name);
}

static void set_replicas_fn(struct object *obj, void *arg)
{
	((struct replica_set *)obj)->spec.replicas = *(int32_t *)arg;
}

static void scale_rs(struct harness *h, const char *name, int32_t replicas)
{
	h_update(h, KIND_REPLICASET, "default", name, set_replicas_fn, &replicas, false);
}

/* Names of the pods owned by uid, sorted (the store lists in key order). */
static size_t owned_pods(struct harness *h, const char *uid, const struct pod **out, size_t max)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_POD, uid, &list);
	size_t n = list.len < max ? list.len : max;
	for (size_t i = 0; i < n; i++)
		out[i] = (const struct pod *)list.items[i];
	object_list_release(&list);
	return n;
}

/* ---- the table ----------------------------------------------------------- */

START_TEST(test_controller_table_names_every_controller_once)
{
	const struct controller_ops *rows[] = {
		&replicaset_controller, &deployment_controller, &statefulset_controller,
		&daemonset_controller, &job_controller, &cronjob_controller,
		&ttl_after_finished_controller, &node_lifecycle_controller,
		&taint_eviction_controller, &endpoints_controller, &endpointslice_controller,
		&disruption_controller, &horizontal_pod_autoscaler_controller,
		&pod_gc_controller, &persistentvolume_controller,
		&attach_detach_controller, &garbage_collector_controller,
	};
	const size_t expected = sizeof(rows) / sizeof(rows[0]);
	size_t n = 0;
	for (const struct controller_ops *ops = controller_table; ops->name; ops++, n++) {
		ck_assert_uint_lt(n, expected);
		ck_assert_str_eq(ops->name, rows[n]->name);
		ck_assert_ptr_eq(controller_find(ops->name), ops);
	}
	ck_assert_uint_eq(n, expected);
	ck_assert_ptr_null(controller_find("no-such-controller"));
}
END_TEST

/* ---- creating ------------------------------------------------------------ */

START_TEST(test_replicaset_creates_exactly_n_pods_with_labels_owner_and_events)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_create(h, &h_replica_set("web", 3)->obj);
	h_run_for(h, 1 * S);

	const struct replica_set *rs = get_rs(h, "web");
	const struct pod *pods[8];
	ck_assert_uint_eq(owned_pods(h, rs->obj.meta.uid, pods, 8), 3);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct object_meta *meta = &pods[i]->obj.meta;
		ck_assert_str_eq(meta->namespace, "default");
		ck_assert_str_eq(meta->generate_name, "web-");
		ck_assert_int_eq(strncmp(meta->name, "web-", 4), 0);
		ck_assert_uint_eq(strlen(meta->name), 9);	/* web- + 5 */
		ck_assert_str_eq(strmap_get(&meta->labels, "app"), "web");
		ck_assert_uint_eq(meta->owner_references.len, 1);
		const struct owner_reference *ref = &meta->owner_references.items[0];
		ck_assert_str_eq(ref->api_version, "apps/v1");
		ck_assert_str_eq(ref->kind, "ReplicaSet");
		ck_assert_str_eq(ref->name, "web");
		ck_assert_str_eq(ref->uid, rs->obj.meta.uid);
		ck_assert(ref->controller && ref->block_owner_deletion);
		ck_assert_str_eq(pods[i]->spec.containers.items[0].image, "web:v1");
		char message[160];
		snprintf(message, sizeof(message), "Created pod: %s", meta->name);
		ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", message), 1);
	}
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	ck_assert_str_eq(h_find_event(h, "SuccessfulCreate", NULL)->object, "web");
	ck_assert_str_eq(h_find_event(h, "SuccessfulCreate", NULL)->kind, "ReplicaSet");

	ck_assert_int_eq(rs->status.replicas, 3);
	ck_assert_int_eq(rs->status.fully_labeled_replicas, 3);
	ck_assert_int_eq(rs->status.ready_replicas, 0);
	ck_assert_int_eq(rs->status.observed_generation, rs->obj.meta.generation);
	h_free(h);
}
END_TEST

/* An unknown priorityClassName makes admission refuse every create: slow
 * start tries one pod, not five, and says so in status. */
START_TEST(test_replicaset_creation_stops_at_the_first_failed_batch)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	struct replica_set *rs = h_replica_set("web", 5);
	rs->spec.template.spec.priority_class_name = xstrdup("gold");
	h_create(h, &rs->obj);
	h_run_for(h, 1 * KTIME_MS);	/* before the first retry (5 ms) */

	/* Two syncs ran: the first, and the one its own status write (the
	 * ReplicaFailure condition) triggered. Each tried one pod, not five. */
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 0);
	ck_assert_uint_eq(h_count_events(h, "FailedCreate", NULL), 2);
	ck_assert_str_eq(h_find_event(h, "FailedCreate", NULL)->type, "Warning");
	ck_assert_ptr_nonnull(strstr(h_find_event(h, "FailedCreate", NULL)->message,
				     "Error creating: "));
	const struct replica_set *stored = get_rs(h, "web");
	const struct condition *failure =
		condition_find((void *)&stored->status.conditions, "ReplicaFailure");
	ck_assert_ptr_nonnull(failure);
	ck_assert_str_eq(failure->status, "True");
	ck_assert_str_eq(failure->reason, "FailedCreate");
	h_free(h);
}
END_TEST

/* ---- deleting ------------------------------------------------------------ */

START_TEST(test_replicaset_scale_down_deletes_unscheduled_and_not_ready_first)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_create(h, &h_replica_set("web", 4)->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[4];
	ck_assert_uint_eq(owned_pods(h, get_rs(h, "web")->obj.meta.uid, pods, 4), 4);
	char names[4][64];
	for (int i = 0; i < 4; i++)
		snprintf(names[i], sizeof(names[i]), "%s", pods[i]->obj.meta.name);
	/* 0: unscheduled. 1: on a node, running, not ready. 2, 3: ready. */
	h_bind(h, names[1], "worker-1");
	h_bind(h, names[2], "worker-1");
	h_bind(h, names[3], "worker-2");
	h_set_running(h, names[1], false);
	h_set_running(h, names[2], true);
	h_set_running(h, names[3], true);
	h_run_for(h, 1 * S);

	scale_rs(h, "web", 2);
	h_run_for(h, 1 * S);
	/* The unscheduled pod is gone at once; the one on a node is
	 * terminating (graceful deletion waits for its kubelet). */
	ck_assert_ptr_null(h_get(h, KIND_POD, "default", names[0]));
	ck_assert(object_is_deleting(h_get(h, KIND_POD, "default", names[1])));
	ck_assert(!object_is_deleting(h_get(h, KIND_POD, "default", names[2])));
	ck_assert(!object_is_deleting(h_get(h, KIND_POD, "default", names[3])));
	for (int i = 0; i < 2; i++) {
		char *message = xasprintf("Deleted pod: %s", names[i]);
		ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", message), 1);
		free(message);
	}
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 2);
	ck_assert_int_eq(get_rs(h, "web")->status.replicas, 2);
	ck_assert_int_eq(get_rs(h, "web")->status.ready_replicas, 2);
	h_free(h);
}
END_TEST

/* A pod marked for deletion no longer counts: the replacement comes now,
 * not when the kubelet finally removes the old one. */
START_TEST(test_replicaset_replaces_a_terminating_pod_at_once)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_create(h, &h_replica_set("web", 1)->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[2];
	ck_assert_uint_eq(owned_pods(h, get_rs(h, "web")->obj.meta.uid, pods, 2), 1);
	char name[64];
	snprintf(name, sizeof(name), "%s", pods[0]->obj.meta.name);
	h_bind(h, name, "worker-1");
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", name, &options, NULL),
			 API_OK);
	h_run_for(h, 1 * S);
	struct h_pods n = h_count_pods(h, get_rs(h, "web")->obj.meta.uid);
	ck_assert_uint_eq(n.total, 2);
	ck_assert_uint_eq(n.active, 1);
	ck_assert_int_eq(get_rs(h, "web")->status.replicas, 1);
	h_free(h);
}
END_TEST

/* ---- adoption and release ------------------------------------------------ */

START_TEST(test_replicaset_adopts_a_matching_orphan)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	struct pod *orphan = (struct pod *)object_new(&pod_kind);
	orphan->obj.meta.name = xstrdup("stray");
	orphan->obj.meta.namespace = xstrdup("default");
	strmap_set(&orphan->obj.meta.labels, "app", "web");
	orphan->spec.containers.items = xcalloc(1, sizeof(struct container));
	orphan->spec.containers.len = 1;
	orphan->spec.containers.items[0].name = xstrdup("main");
	orphan->spec.containers.items[0].image = xstrdup("web:v1");
	h_create(h, &orphan->obj);
	h_create(h, &h_replica_set("web", 2)->obj);
	h_run_for(h, 1 * S);

	const struct replica_set *rs = get_rs(h, "web");
	const struct pod *stray = (const void *)h_get(h, KIND_POD, "default", "stray");
	const struct owner_reference *ref = object_controller_of(&stray->obj);
	ck_assert_ptr_nonnull(ref);
	ck_assert_str_eq(ref->uid, rs->obj.meta.uid);
	ck_assert_str_eq(ref->kind, "ReplicaSet");
	ck_assert(ref->block_owner_deletion);
	/* One adopted, one created: two in all. */
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 1);
	ck_assert_int_eq(rs->status.replicas, 2);
	h_free(h);
}
END_TEST

static void relabel_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.labels, "app", arg);
}

START_TEST(test_replicaset_releases_a_pod_that_stops_matching_and_replaces_it)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_create(h, &h_replica_set("web", 1)->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[2];
	ck_assert_uint_eq(owned_pods(h, get_rs(h, "web")->obj.meta.uid, pods, 2), 1);
	char name[64];
	snprintf(name, sizeof(name), "%s", pods[0]->obj.meta.name);
	h_update(h, KIND_POD, "default", name, relabel_fn, "debug", false);
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(object_controller_of(h_get(h, KIND_POD, "default", name)));
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 2);
	ck_assert_uint_eq(h_count_pods(h, get_rs(h, "web")->obj.meta.uid).active, 1);
	h_free(h);
}
END_TEST

/* ---- expectations -------------------------------------------------------- */

static void annotate_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.annotations, "touched", arg);
}

/* With a 10 s watch delay the controller's cache shows none of its own
 * pods until 10 s after it created them. A second sync inside that window
 * (the annotation below) must not create three more. */
START_TEST(test_expectations_prevent_over_creation_with_a_slow_watch)
{
	struct harness *h = h_new(10 * S);
	h_start(h, "replicaset-controller");
	h_create(h, &h_replica_set("web", 3)->obj);
	h_run_to(h, 5 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 0);	/* RS not seen yet */
	h_update(h, KIND_REPLICASET, "default", "web", annotate_fn, "yes", false);
	h_run_to(h, 11 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);
	h_run_to(h, 16 * S);	/* the annotation's sync ran at 15 s */
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);
	h_run_to(h, 60 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	ck_assert_int_eq(get_rs(h, "web")->status.replicas, 3);
	h_free(h);
}
END_TEST

START_TEST(test_expectations_count_each_pod_deletion_once_and_expire)
{
	struct harness *h = h_new(0);
	struct expectations *e = expectations_new(&h->clock);
	int64_t adds, dels;
	ck_assert(expectations_satisfied(e, "default/web"));	/* nothing recorded */
	expectations_expect_creations(e, "default/web", 2);
	ck_assert(!expectations_satisfied(e, "default/web"));
	expectations_creation_observed(e, "default/web");
	ck_assert(!expectations_satisfied(e, "default/web"));
	expectations_creation_observed(e, "default/web");
	ck_assert(expectations_satisfied(e, "default/web"));

	const char *victims[] = { "default/web-a", "default/web-b" };
	expectations_expect_deletions(e, "default/web", victims, 2);
	expectations_deletion_observed(e, "default/web", "default/web-a");
	expectations_deletion_observed(e, "default/web", "default/web-a");	/* again */
	expectations_deletion_observed(e, "default/web", "default/other");
	ck_assert(expectations_get(e, "default/web", &adds, &dels));
	ck_assert_int_eq(dels, 1);
	ck_assert(!expectations_satisfied(e, "default/web"));
	/* A lost watch event must not stall the controller for ever. */
	h_run_for(h, EXPECTATIONS_TIMEOUT);
	ck_assert(!expectations_satisfied(e, "default/web"));
	h_run_for(h, 1);
	ck_assert(expectations_satisfied(e, "default/web"));
	expectations_delete(e, "default/web");
	ck_assert(!expectations_get(e, "default/web", &adds, &dels));
	expectations_free(e);
	h_free(h);
}
END_TEST

/* ---- status -------------------------------------------------------------- */

static void min_ready_fn(struct object *obj, void *arg)
{
	((struct replica_set *)obj)->spec.min_ready_seconds = *(int32_t *)arg;
}

START_TEST(test_available_replicas_wait_for_min_ready_seconds)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	struct replica_set *rs = h_replica_set("web", 2);
	int32_t ten = 10;
	min_ready_fn(&rs->obj, &ten);
	h_create(h, &rs->obj);
	h_auto_ready(h, 1 * S);
	h_run_to(h, 5 * S);
	ck_assert_int_eq(get_rs(h, "web")->status.ready_replicas, 2);
	ck_assert_int_eq(get_rs(h, "web")->status.available_replicas, 0);
	h_run_to(h, 13 * S);	/* ready at 1 s, + 10 s, + the 1 s margin */
	ck_assert_int_eq(get_rs(h, "web")->status.available_replicas, 2);
	h_free(h);
}
END_TEST

/* ---- the helpers --------------------------------------------------------- */

static struct pod *bare_pod(const char *name, const char *node, const char *phase,
			    bool ready, ktime_t created)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.uid = xstrdup(name);
	pod->obj.meta.creation_timestamp = created;
	pod->spec.node_name = xstrdup(node);
	pod->status.phase = xstrdup(phase);
	pod->status.conditions.items = xcalloc(1, sizeof(struct condition));
	pod->status.conditions.len = 1;
	pod->status.conditions.items[0] = (struct condition){
		.type = xstrdup("Ready"), .status = xstrdup(ready ? "True" : "False"),
		.last_transition_time = created,
	};
	return pod;
}

START_TEST(test_deletion_ranking_follows_upstream_order)
{
	ktime_t now = KTIME_SIM_EPOCH + KTIME_HOUR;
	ktime_t old = KTIME_SIM_EPOCH;
	struct pod *pods[] = {
		bare_pod("ready-old", "n1", "Running", true, old),
		bare_pod("ready-new", "n1", "Running", true, now - 10 * S),
		bare_pod("not-ready", "n1", "Running", false, old),
		bare_pod("unknown", "n1", "Unknown", false, old),
		bare_pod("pending", "n1", "Pending", false, old),
		bare_pod("unscheduled", NULL, "Pending", false, old),
		bare_pod("cheap", "n2", "Running", true, old),
		bare_pod("crowded", "n3", "Running", true, old),
	};
	/* Deletion cost beats everything after readiness. */
	strmap_set(&pods[6]->obj.meta.annotations, "controller.kubernetes.io/pod-deletion-cost",
		   "-5");
	struct ranked_pod ranked[8];
	for (int i = 0; i < 8; i++)
		ranked[7 - i] = (struct ranked_pod){ pods[i], 1 };
	ranked[0].rank = 3;	/* "crowded": many siblings on its node */
	ctrl_sort_pods_for_deletion(ranked, 8, now);
	const char *want[] = {
		"unscheduled", "pending", "unknown", "not-ready", "cheap", "crowded",
		"ready-new", "ready-old",
	};
	for (int i = 0; i < 8; i++)
		ck_assert_str_eq(ranked[i].pod->obj.meta.name, want[i]);
	for (int i = 0; i < 8; i++)
		object_unref(&pods[i]->obj);
}
END_TEST

START_TEST(test_pod_is_available_only_after_min_ready_seconds)
{
	ktime_t t = KTIME_SIM_EPOCH;
	struct pod *pod = bare_pod("p", "n1", "Running", true, t);
	ck_assert(ctrl_pod_is_available(pod, 0, t));
	ck_assert(!ctrl_pod_is_available(pod, 5, t + 5 * S));	/* strictly after */
	ck_assert(ctrl_pod_is_available(pod, 5, t + 5 * S + 1));
	ck_assert(ctrl_pod_is_active(pod));
	pod->obj.meta.deletion_timestamp = t;
	ck_assert(!ctrl_pod_is_active(pod));
	object_unref(&pod->obj);
}
END_TEST

START_TEST(test_scaled_values_round_as_upstream)
{
	struct int_or_string pct = { .is_set = true, .is_string = true, .str_value = "25%" };
	struct int_or_string num = { .is_set = true, .int_value = 3 };
	struct int_or_string bad = { .is_set = true, .is_string = true, .str_value = "5" };
	struct int_or_string unset = {0};
	int32_t v;
	ck_assert_int_eq(ctrl_scaled_value(&pct, 10, true, &v), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(ctrl_scaled_value(&pct, 10, false, &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(ctrl_scaled_value(&num, 10, false, &v), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(ctrl_scaled_value(&bad, 10, false, &v), -1);
	ck_assert_int_eq(ctrl_scaled_value(&unset, 10, true, &v), 0);
	ck_assert_int_eq(v, 0);
}
END_TEST

Suite *ctrl_replicaset_suite(void)
{
	Suite *s = suite_create("ctrl_replicaset");
	TCase *tc = tcase_create("replicaset");
	tcase_add_test(tc, test_controller_table_names_every_controller_once);
	tcase_add_test(tc, test_replicaset_creates_exactly_n_pods_with_labels_owner_and_events);
	tcase_add_test(tc, test_replicaset_creation_stops_at_the_first_failed_batch);
	tcase_add_test(tc, test_replicaset_scale_down_deletes_unscheduled_and_not_ready_first);
	tcase_add_test(tc, test_replicaset_replaces_a_terminating_pod_at_once);
	tcase_add_test(tc, test_replicaset_adopts_a_matching_orphan);
	tcase_add_test(tc, test_replicaset_releases_a_pod_that_stops_matching_and_replaces_it);
	tcase_add_test(tc, test_expectations_prevent_over_creation_with_a_slow_watch);
	tcase_add_test(tc, test_expectations_count_each_pod_deletion_once_and_expire);
	tcase_add_test(tc, test_available_replicas_wait_for_min_ready_seconds);
	tcase_add_test(tc, test_deletion_ranking_follows_upstream_order);
	tcase_add_test(tc, test_pod_is_available_only_after_min_ready_seconds);
	tcase_add_test(tc, test_scaled_values_round_as_upstream);
	suite_add_tcase(s, tc);
	return s;
}
