/* test_ctrl_disruption.c - the disruption controller and the Eviction API.
 *
 * A Deployment of four pods (the ReplicaSet and Deployment controllers make
 * them, the harness makes them Ready) under a PodDisruptionBudget; the test
 * reads the PDB's status as `kubectl get pdb` would, and evicts pods as
 * `kubectl drain` would. The disruption controller is not in the
 * controller table yet, so the tests start its row directly.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_disruption.h"
#include "ctrl_eviction.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_disruption_suite(void);

/* ---- a cluster with the disruption controller ---------------------------- */

struct dc_run {
	struct harness *h;
	struct client client;
	void *state;
};

static struct dc_run *dc_new(void)
{
	struct dc_run *r = xcalloc(1, sizeof(*r));
	r->h = h_new(0);
	h_start(r->h, "replicaset-controller");
	h_start(r->h, "deployment-controller");
	r->client = (struct client){
		.store = r->h->store, .clock = r->h->clock,
		.component = disruption_controller.name, .record_events = true,
		.event_hook = h_log_event, .event_hook_arg = r->h,
	};
	r->state = disruption_controller.start(&r->client);
	h_auto_ready(r->h, 2 * S);
	return r;
}

static void dc_free(struct dc_run *r)
{
	disruption_controller.stop(r->state);
	h_free(r->h);
	free(r);
}

static void int_or_string_set(struct int_or_string *v, int32_t n, const char *percent)
{
	v->is_set = true;
	v->is_string = percent != NULL;
	v->int_value = n;
	v->str_value = percent ? xstrdup(percent) : NULL;
}

/* A PDB over app=web with minAvailable (or maxUnavailable when max). */
static void create_pdb(struct harness *h, bool max, int32_t n, const char *percent)
{
	struct pod_disruption_budget *pdb =
		(struct pod_disruption_budget *)object_new(&pod_disruption_budget_kind);
	pdb->obj.meta.name = xstrdup("web-pdb");
	pdb->obj.meta.namespace = xstrdup("default");
	strmap_set(&pdb->spec.selector.match_labels, "app", "web");
	int_or_string_set(max ? &pdb->spec.max_unavailable : &pdb->spec.min_available,
			  n, percent);
	h_default(&pdb->obj);
	h_create(h, &pdb->obj);
}

static const struct pod_disruption_budget *get_pdb(struct harness *h)
{
	return (const void *)h_get(h, KIND_PODDISRUPTIONBUDGET, "default", "web-pdb");
}

/* The name of the index-th pod of app=web, in key order. */
static const char *web_pod(struct harness *h, size_t index)
{
	struct object_list list = {0};
	store_list(h->store, KIND_POD, "default", NULL, &list);
	const char *name = index < list.len ? list.items[index]->meta.name : NULL;
	object_list_release(&list);
	ck_assert_ptr_nonnull(name);
	return name;
}

static void assert_status(const struct pod_disruption_budget *pdb, int32_t expected,
			  int32_t healthy, int32_t desired, int32_t allowed)
{
	ck_assert_ptr_nonnull(pdb);
	ck_assert_int_eq(pdb->status.expected_pods, expected);
	ck_assert_int_eq(pdb->status.current_healthy, healthy);
	ck_assert_int_eq(pdb->status.desired_healthy, desired);
	ck_assert_int_eq(pdb->status.disruptions_allowed, allowed);
	ck_assert_int_eq(pdb->status.observed_generation, pdb->obj.meta.generation);
	const struct condition *c =
		condition_find((void *)&pdb->status.conditions, "DisruptionAllowed");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->status, allowed > 0 ? "True" : "False");
	ck_assert_str_eq(c->reason, allowed > 0 ? "SufficientPods" : "InsufficientPods");
}

/* ---- the controller ------------------------------------------------------ */

START_TEST(test_pdb_min_available_3_of_4_ready_pods_allows_one_disruption)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, false, 3, NULL);
	h_run_for(r->h, 10 * S);
	assert_status(get_pdb(r->h), 4, 4, 3, 1);
	dc_free(r);
}
END_TEST

START_TEST(test_pdb_allows_nothing_once_a_pod_is_not_ready)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, false, 3, NULL);
	h_run_for(r->h, 10 * S);
	const struct condition *c = condition_find(
		(void *)&get_pdb(r->h)->status.conditions, "DisruptionAllowed");
	ktime_t was = c->last_transition_time;
	h_set_running(r->h, web_pod(r->h, 0), false);
	h_run_for(r->h, 1 * S);
	assert_status(get_pdb(r->h), 4, 3, 3, 0);
	c = condition_find((void *)&get_pdb(r->h)->status.conditions, "DisruptionAllowed");
	ck_assert_int_gt(c->last_transition_time, was);
	dc_free(r);
}
END_TEST

START_TEST(test_pdb_percentages_scale_with_the_deployment_rounding_up)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, true, 0, "30%");	/* 30% of 4 = 1.2 -> 2 unavailable */
	h_run_for(r->h, 10 * S);
	assert_status(get_pdb(r->h), 4, 4, 2, 2);
	dc_free(r);

	r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, false, 0, "60%");	/* 60% of 4 = 2.4 -> 3 available */
	h_run_for(r->h, 10 * S);
	assert_status(get_pdb(r->h), 4, 4, 3, 1);
	dc_free(r);
}
END_TEST

START_TEST(test_pdb_over_no_pods_says_no_matching_pods_found)
{
	struct dc_run *r = dc_new();
	create_pdb(r->h, false, 1, NULL);
	h_run_for(r->h, 1 * S);
	assert_status(get_pdb(r->h), 0, 0, 1, 0);
	const struct h_event *e = h_find_event(r->h, "NoPods", "No matching pods found");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->type, "Normal");
	dc_free(r);
}
END_TEST

START_TEST(test_pdb_fails_safe_when_a_pod_controller_has_no_scale)
{
	struct dc_run *r = dc_new();
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup("web-ds-x");
	pod->obj.meta.namespace = xstrdup("default");
	strmap_set(&pod->obj.meta.labels, "app", "web");
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	pod->spec.containers.items[0].name = xstrdup("main");
	pod->spec.containers.items[0].image = xstrdup("web:v1");
	struct owner_reference ref = {
		.api_version = xstrdup("apps/v1"), .kind = xstrdup("DaemonSet"),
		.name = xstrdup("web-ds"), .uid = xstrdup("ds-uid"), .controller = true,
	};
	ctrl_add_owner_ref(&pod->obj, &ref);
	h_default(&pod->obj);
	h_create(r->h, &pod->obj);
	create_pdb(r->h, false, 0, "50%");
	h_run_for(r->h, 1 * S);
	const struct pod_disruption_budget *pdb = get_pdb(r->h);
	ck_assert_int_eq(pdb->status.disruptions_allowed, 0);
	const struct condition *c =
		condition_find((void *)&pdb->status.conditions, "DisruptionAllowed");
	ck_assert_str_eq(c->status, "False");
	ck_assert_str_eq(c->reason, "SyncFailed");
	ck_assert_str_eq(c->message, "daemonsets.apps does not implement the scale subresource");
	ck_assert_ptr_nonnull(h_find_event(r->h, "CalculateExpectedPodCountFailed",
		"Failed to calculate the number of expected pods: "
		"daemonsets.apps does not implement the scale subresource"));
	dc_free(r);
}
END_TEST

/* ---- the Eviction API ---------------------------------------------------- */

START_TEST(test_eviction_spends_the_budget_then_refuses_the_next_one)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, false, 3, NULL);
	h_run_for(r->h, 10 * S);
	char first[256], second[256];
	snprintf(first, sizeof(first), "%s", web_pod(r->h, 0));
	snprintf(second, sizeof(second), "%s", web_pod(r->h, 1));

	struct api_status status;
	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", first, &status), API_OK);
	const struct object *gone = h_get(r->h, KIND_POD, "default", first);
	ck_assert(!gone || object_is_deleting(gone));
	/* Spent at once, before the controller recounts. */
	const struct pod_disruption_budget *pdb = get_pdb(r->h);
	ck_assert_int_eq(pdb->status.disruptions_allowed, 0);
	ck_assert_str_eq(condition_find((void *)&pdb->status.conditions,
					"DisruptionAllowed")->reason, "InsufficientPods");

	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", second, &status),
			 EVICTION_TOO_MANY_REQUESTS);
	ck_assert_str_eq(status.message,
			 "Cannot evict pod as it would violate the pod's disruption budget.");
	const struct object *kept = h_get(r->h, KIND_POD, "default", second);
	ck_assert(kept && !object_is_deleting(kept));

	/* The ReplicaSet replaces the evicted pod; once it is Ready the
	 * budget allows one disruption again. */
	h_run_for(r->h, 10 * S);
	ck_assert_int_eq(get_pdb(r->h)->status.disruptions_allowed, 1);
	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", second, &status), API_OK);
	dc_free(r);
}
END_TEST

START_TEST(test_eviction_of_an_unready_pod_spends_nothing_while_the_budget_is_healthy)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 4)->obj);
	create_pdb(r->h, false, 2, NULL);
	h_run_for(r->h, 10 * S);
	char name[256];
	snprintf(name, sizeof(name), "%s", web_pod(r->h, 0));
	h_set_running(r->h, name, false);
	h_run_for(r->h, 1 * S);
	assert_status(get_pdb(r->h), 4, 3, 2, 1);

	struct api_status status;
	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", name, &status), API_OK);
	ck_assert_int_eq(get_pdb(r->h)->status.disruptions_allowed, 1);
	dc_free(r);
}
END_TEST

START_TEST(test_eviction_without_a_budget_deletes_and_unknown_pod_is_not_found)
{
	struct dc_run *r = dc_new();
	h_create(r->h, &h_deployment("web", 1)->obj);
	h_run_for(r->h, 10 * S);
	char name[256];
	snprintf(name, sizeof(name), "%s", web_pod(r->h, 0));
	struct api_status status;
	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", name, &status), API_OK);
	const struct object *gone = h_get(r->h, KIND_POD, "default", name);
	ck_assert(!gone || object_is_deleting(gone));
	ck_assert_int_eq(eviction_evict(&r->h->actor, "default", "nope", &status),
			 API_NOT_FOUND);
	ck_assert_str_eq(status.message, "pods \"nope\" not found");
	dc_free(r);
}
END_TEST

Suite *ctrl_disruption_suite(void)
{
	Suite *s = suite_create("ctrl_disruption");
	TCase *tc = tcase_create("disruption");
	tcase_add_test(tc, test_pdb_min_available_3_of_4_ready_pods_allows_one_disruption);
	tcase_add_test(tc, test_pdb_allows_nothing_once_a_pod_is_not_ready);
	tcase_add_test(tc, test_pdb_percentages_scale_with_the_deployment_rounding_up);
	tcase_add_test(tc, test_pdb_over_no_pods_says_no_matching_pods_found);
	tcase_add_test(tc, test_pdb_fails_safe_when_a_pod_controller_has_no_scale);
	tcase_add_test(tc, test_eviction_spends_the_budget_then_refuses_the_next_one);
	tcase_add_test(tc,
		test_eviction_of_an_unready_pod_spends_nothing_while_the_budget_is_healthy);
	tcase_add_test(tc, test_eviction_without_a_budget_deletes_and_unknown_pod_is_not_found);
	suite_add_tcase(s, tc);
	return s;
}
