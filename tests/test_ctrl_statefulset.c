/* test_ctrl_statefulset.c - the StatefulSet controller: ordered creation,
 * stable names and claims, scale-down, rolling updates with a partition,
 * OnDelete, and its status.
 *
 * The controller is started directly from its row (statefulset_controller)
 * rather than by name, so the suite runs before the row is in the
 * controller table. The test plays scheduler and kubelet as in the other
 * controller tests: h_set_running makes a pod Running and Ready,
 * h_auto_ready does it for every new pod after a delay.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_statefulset.h"

Suite *ctrl_statefulset_suite(void);

static void start_statefulset_controller(struct harness *h)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = statefulset_controller.name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
	};
	h->ops[i] = &statefulset_controller;
	h->states[i] = statefulset_controller.start(&h->clients[i]);
}

/* A set "web" of app=web with serviceName "nginx" and one claim template
 * "data" (ReadWriteOnce). */
static struct stateful_set *new_set(int32_t replicas, const char *policy)
{
	struct stateful_set *set = (struct stateful_set *)object_new(&stateful_set_kind);
	set->obj.meta.name = xstrdup("web");
	set->obj.meta.namespace = xstrdup("default");
	strmap_set(&set->spec.selector.match_labels, "app", "web");
	h_template(&set->spec.template, "web", "web:v1");
	set->spec.service_name = xstrdup("nginx");
	set->spec.pod_management_policy = policy ? xstrdup(policy) : NULL;
	set->spec.volume_claim_templates.items =
		xcalloc(1, sizeof(*set->spec.volume_claim_templates.items));
	set->spec.volume_claim_templates.len = 1;
	struct persistent_volume_claim_template *t = &set->spec.volume_claim_templates.items[0];
	t->metadata.name = xstrdup("data");
	t->spec.access_modes.items = xcalloc(1, sizeof(char *));
	t->spec.access_modes.items[0] = xstrdup("ReadWriteOnce");
	t->spec.access_modes.len = 1;
	h_default(&set->obj);
	set->spec.replicas = replicas;
	return set;
}

static const struct stateful_set *get_set(struct harness *h)
{
	const struct object *obj = h_get(h, KIND_STATEFULSET, "default", "web");
	ck_assert_ptr_nonnull(obj);
	return (const struct stateful_set *)obj;
}

static const struct pod *get_pod(struct harness *h, const char *name)
{
	return (const struct pod *)h_get(h, KIND_POD, "default", name);
}

static const char *pod_revision(struct harness *h, const char *name)
{
	const struct pod *pod = get_pod(h, name);
	ck_assert_msg(pod != NULL, "%s missing", name);
	return strmap_get(&pod->obj.meta.labels, STS_REVISION_LABEL);
}

static size_t count_pods(struct harness *h)
{
	return h_count_pods(h, NULL).total;
}

static void force_delete(struct harness *h, const char *name)
{
	struct delete_options now = { .grace_period_seconds = 0 };
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", name, &now, NULL),
			 API_OK);
}

static void set_replicas_fn(struct object *obj, void *arg)
{
	((struct stateful_set *)obj)->spec.replicas = *(int32_t *)arg;
}

static void set_image_fn(struct object *obj, void *arg)
{
	struct container *c = &((struct stateful_set *)obj)->spec.template.spec.containers.items[0];
	free(c->image);
	c->image = xstrdup(arg);
}

static void set_update_fn(struct object *obj, void *arg)
{
	struct stateful_set *set = (struct stateful_set *)obj;
	const char *how = arg;
	if (!strcmp(how, "OnDelete")) {
		free(set->spec.update_strategy.type);
		set->spec.update_strategy.type = xstrdup("OnDelete");
	} else {
		set->spec.update_strategy.rolling_update.partition = atoi(how);
	}
}

static void set_phase_fn(struct object *obj, void *arg)
{
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(arg);
}

/* ---- ordered creation and identity ---------------------------------------- */

START_TEST(test_ordered_ready_creates_each_pod_only_after_the_previous_is_ready)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_create(h, &new_set(3, NULL)->obj);
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(count_pods(h), 1);
	ck_assert_ptr_nonnull(get_pod(h, "web-0"));

	h_set_running(h, "web-0", false);	/* running is not enough */
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(count_pods(h), 1);

	h_set_running(h, "web-0", true);
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(count_pods(h), 2);
	ck_assert_ptr_nonnull(get_pod(h, "web-1"));
	h_set_running(h, "web-1", true);
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(count_pods(h), 3);

	const struct h_event *e0 = h_find_event(h, "SuccessfulCreate",
		"create Pod web-0 in StatefulSet web successful");
	const struct h_event *e1 = h_find_event(h, "SuccessfulCreate",
		"create Pod web-1 in StatefulSet web successful");
	ck_assert_ptr_nonnull(e0);
	ck_assert_ptr_nonnull(e1);
	ck_assert_int_eq(e0->t, 0);
	ck_assert_int_eq(e1->t, 10 * S);	/* when web-0 became Ready */
	ck_assert_str_eq(e1->kind, "StatefulSet");
	ck_assert_str_eq(e1->object, "web");
	h_free(h);
}
END_TEST

START_TEST(test_pods_have_stable_identity_labels_hostname_and_subdomain)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_create(h, &new_set(2, "Parallel")->obj);
	h_run_for(h, 1 * S);
	const struct stateful_set *set = get_set(h);
	for (int i = 0; i < 2; i++) {
		char name[16], index[4];
		snprintf(name, sizeof(name), "web-%d", i);
		snprintf(index, sizeof(index), "%d", i);
		const struct pod *pod = get_pod(h, name);
		ck_assert_ptr_nonnull(pod);
		const struct strmap *labels = &pod->obj.meta.labels;
		ck_assert_str_eq(strmap_get(labels, "app"), "web");
		ck_assert_str_eq(strmap_get(labels, STS_POD_NAME_LABEL), name);
		ck_assert_str_eq(strmap_get(labels, STS_POD_INDEX_LABEL), index);
		ck_assert_str_eq(strmap_get(labels, STS_REVISION_LABEL),
				 set->status.update_revision);
		ck_assert_str_eq(pod->spec.hostname, name);
		ck_assert_str_eq(pod->spec.subdomain, "nginx");
		const struct owner_reference *ref = object_controller_of(&pod->obj);
		ck_assert_ptr_nonnull(ref);
		ck_assert_str_eq(ref->kind, "StatefulSet");
		ck_assert_str_eq(ref->uid, set->obj.meta.uid);
	}
	ck_assert_int_eq(strncmp(set->status.update_revision, "web-", 4), 0);
	h_free(h);
}
END_TEST

START_TEST(test_each_ordinal_gets_its_own_pending_claim_mounted_by_its_pod)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_create(h, &new_set(2, "Parallel")->obj);
	h_run_for(h, 1 * S);
	for (int i = 0; i < 2; i++) {
		char pod_name[16], claim[32], message[128];
		snprintf(pod_name, sizeof(pod_name), "web-%d", i);
		snprintf(claim, sizeof(claim), "data-web-%d", i);
		const struct persistent_volume_claim *pvc = (const void *)h_get(
			h, KIND_PERSISTENTVOLUMECLAIM, "default", claim);
		ck_assert_msg(pvc != NULL, "%s missing", claim);
		ck_assert_str_eq(pvc->status.phase, "Pending");	/* nothing binds it yet */
		ck_assert_str_eq(strmap_get(&pvc->obj.meta.labels, "app"), "web");
		ck_assert_uint_eq(pvc->obj.meta.owner_references.len, 0);	/* Retain */
		ck_assert_str_eq(pvc->spec.access_modes.items[0], "ReadWriteOnce");
		const struct pod *pod = get_pod(h, pod_name);
		ck_assert_uint_eq(pod->spec.volumes.len, 1);
		ck_assert_str_eq(pod->spec.volumes.items[0].name, "data");
		ck_assert_str_eq(pod->spec.volumes.items[0].persistent_volume_claim.claim_name,
				 claim);
		snprintf(message, sizeof(message),
			 "create Claim %s Pod %s in StatefulSet web success", claim, pod_name);
		ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", message), 1);
	}
	h_free(h);
}
END_TEST

START_TEST(test_parallel_creates_every_pod_at_once)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_create(h, &new_set(3, "Parallel")->obj);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(count_pods(h), 3);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 6);	/* 3 pods, 3 claims */
	h_free(h);
}
END_TEST

/* ---- stable identity across restarts ----------------------------------------- */

START_TEST(test_deleted_pod_comes_back_with_the_same_name_and_claim)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(3, NULL)->obj);
	h_run_for(h, 20 * S);
	ck_assert_uint_eq(count_pods(h), 3);
	char pod_uid[64], claim_uid[64];
	snprintf(pod_uid, sizeof(pod_uid), "%s", get_pod(h, "web-1")->obj.meta.uid);
	snprintf(claim_uid, sizeof(claim_uid), "%s",
		 h_get(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data-web-1")->meta.uid);

	/* Bound to a node, the pod terminates gracefully: the controller
	 * waits for it to be gone before it makes web-1 again. */
	h_bind(h, "web-1", "worker-1");
	struct delete_options graceful = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", "web-1", &graceful,
				       NULL), API_OK);
	h_run_for(h, 5 * S);
	ck_assert(object_is_deleting(&get_pod(h, "web-1")->obj));
	ck_assert_str_eq(get_pod(h, "web-1")->obj.meta.uid, pod_uid);

	force_delete(h, "web-1");	/* the kubelet finished */
	h_run_for(h, 5 * S);
	const struct pod *again = get_pod(h, "web-1");
	ck_assert_ptr_nonnull(again);
	ck_assert_str_ne(again->obj.meta.uid, pod_uid);
	ck_assert_str_eq(again->spec.volumes.items[0].persistent_volume_claim.claim_name,
			 "data-web-1");
	ck_assert_str_eq(h_get(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data-web-1")->meta.uid,
			 claim_uid);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate",
		"create Pod web-1 in StatefulSet web successful"), 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate",
		"create Claim data-web-1 Pod web-1 in StatefulSet web success"), 1);
	ck_assert_int_eq(get_set(h)->status.ready_replicas, 3);
	h_free(h);
}
END_TEST

START_TEST(test_failed_pod_is_deleted_and_recreated_under_its_name)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(2, NULL)->obj);
	h_run_for(h, 10 * S);
	h_update(h, KIND_POD, "default", "web-1", set_phase_fn, POD_PHASE_FAILED, true);
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete",
		"delete Pod web-1 in StatefulSet web successful"), 1);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate",
		"create Pod web-1 in StatefulSet web successful"), 2);
	ck_assert_str_eq(get_pod(h, "web-1")->status.phase, POD_PHASE_RUNNING);
	h_free(h);
}
END_TEST

/* ---- scaling down ---------------------------------------------------------- */

START_TEST(test_scale_down_removes_the_highest_ordinal_first_one_at_a_time)
{
	struct harness *h = h_new(0);
	start_statefulset_controller(h);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(3, NULL)->obj);
	h_run_for(h, 20 * S);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		h_bind(h, name, "worker-1");
	}
	int32_t one = 1;
	h_update(h, KIND_STATEFULSET, "default", "web", set_replicas_fn, &one, false);
	h_run_for(h, 5 * S);
	ck_assert(object_is_deleting(&get_pod(h, "web-2")->obj));
	ck_assert(!object_is_deleting(&get_pod(h, "web-1")->obj));

	force_delete(h, "web-2");
	h_run_for(h, 5 * S);
	ck_assert_ptr_null(get_pod(h, "web-2"));
	ck_assert(object_is_deleting(&get_pod(h, "web-1")->obj));
	force_delete(h, "web-1");
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(count_pods(h), 1);

	const struct h_event *d2 = h_find_event(h, "SuccessfulDelete",
		"delete Pod web-2 in StatefulSet web successful");
	const struct h_event *d1 = h_find_event(h, "SuccessfulDelete",
		"delete Pod web-1 in StatefulSet web successful");
	ck_assert(d2 && d1 && d2->t < d1->t);
	/* The claims stay (whenScaled: Retain) for a later scale-up. */
	ck_assert_ptr_nonnull(h_get(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data-web-2"));
	ck_assert_ptr_nonnull(h_get(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data-web-1"));
	const struct stateful_set *set = get_set(h);
	ck_assert_int_eq(set->status.replicas, 1);
	ck_assert_int_eq(set->status.ready_replicas, 1);
	ck_assert_int_eq(set->status.observed_generation, set->obj.meta.generation);
	h_free(h);
}
END_TEST

/* ---- updates --------------------------------------------------------------- */

/* 3 pods of web:v1, all ready; returns the first revision (caller frees). */
static char *settle(struct harness *h, const char *update)
{
	start_statefulset_controller(h);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(3, NULL)->obj);
	h_run_for(h, 20 * S);
	if (update)
		h_update(h, KIND_STATEFULSET, "default", "web", set_update_fn, (void *)update,
			 false);
	h_run_for(h, 1 * S);
	const struct stateful_set *set = get_set(h);
	ck_assert_int_eq(set->status.ready_replicas, 3);
	ck_assert_str_eq(set->status.current_revision, set->status.update_revision);
	return xstrdup(set->status.update_revision);
}

START_TEST(test_rolling_update_replaces_pods_from_the_highest_ordinal_down)
{
	struct harness *h = h_new(0);
	char *v1 = settle(h, NULL);
	h_update(h, KIND_STATEFULSET, "default", "web", set_image_fn, "web:v2", false);
	h_run_for(h, 1 * S);
	const struct stateful_set *set = get_set(h);
	ck_assert_str_ne(set->status.update_revision, v1);
	ck_assert_str_eq(set->status.current_revision, v1);
	h_run_for(h, 30 * S);

	const struct h_event *d[3];
	for (int i = 0; i < 3; i++) {
		char message[64], name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		snprintf(message, sizeof(message), "delete Pod %s in StatefulSet web successful",
			 name);
		d[i] = h_find_event(h, "SuccessfulDelete", message);
		ck_assert_msg(d[i] != NULL, "%s not deleted", name);
		ck_assert_str_eq(get_pod(h, name)->spec.containers.items[0].image, "web:v2");
	}
	/* One at a time, each after the one above it came back ready. */
	ck_assert_int_ge(d[1]->t - d[2]->t, 2 * S);
	ck_assert_int_ge(d[0]->t - d[1]->t, 2 * S);
	set = get_set(h);
	ck_assert_str_eq(set->status.current_revision, set->status.update_revision);
	ck_assert_int_eq(set->status.updated_replicas, 3);
	ck_assert_int_eq(set->status.current_replicas, 3);
	ck_assert_int_eq(set->status.available_replicas, 3);
	free(v1);
	h_free(h);
}
END_TEST

START_TEST(test_partition_keeps_lower_ordinals_on_the_old_revision)
{
	struct harness *h = h_new(0);
	char *v1 = settle(h, "2");
	h_update(h, KIND_STATEFULSET, "default", "web", set_image_fn, "web:v2", false);
	h_run_for(h, 30 * S);
	const struct stateful_set *set = get_set(h);
	ck_assert_str_eq(pod_revision(h, "web-2"), set->status.update_revision);
	ck_assert_str_eq(pod_revision(h, "web-1"), v1);
	ck_assert_str_eq(pod_revision(h, "web-0"), v1);
	ck_assert_str_eq(set->status.current_revision, v1);
	ck_assert_int_eq(set->status.current_replicas, 2);
	ck_assert_int_eq(set->status.updated_replicas, 1);

	/* Deleted below the partition, a pod comes back at the old revision. */
	force_delete(h, "web-0");
	h_run_for(h, 5 * S);
	ck_assert_str_eq(pod_revision(h, "web-0"), v1);
	ck_assert_str_eq(get_pod(h, "web-0")->spec.containers.items[0].image, "web:v1");
	free(v1);
	h_free(h);
}
END_TEST

START_TEST(test_on_delete_updates_a_pod_only_when_it_is_deleted)
{
	struct harness *h = h_new(0);
	char *v1 = settle(h, "OnDelete");
	h_update(h, KIND_STATEFULSET, "default", "web", set_image_fn, "web:v2", false);
	h_run_for(h, 30 * S);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 0);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "web-%d", i);
		ck_assert_str_eq(pod_revision(h, name), v1);
	}
	force_delete(h, "web-1");
	h_run_for(h, 5 * S);
	const struct stateful_set *set = get_set(h);
	ck_assert_str_eq(pod_revision(h, "web-1"), set->status.update_revision);
	ck_assert_str_eq(get_pod(h, "web-1")->spec.containers.items[0].image, "web:v2");
	ck_assert_int_eq(set->status.updated_replicas, 1);
	ck_assert_int_eq(set->status.current_replicas, 2);
	ck_assert_str_eq(set->status.current_revision, v1);	/* OnDelete never completes */
	free(v1);
	h_free(h);
}
END_TEST

START_TEST(test_a_stale_cache_never_creates_a_pod_twice)
{
	struct harness *h = h_new(2 * S);	/* watches lag two seconds */
	start_statefulset_controller(h);
	h_create(h, &new_set(2, "Parallel")->obj);
	h_run_for(h, 20 * S);
	ck_assert_uint_eq(count_pods(h), 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 4);
	ck_assert_uint_eq(h_count_events(h, "FailedCreate", NULL), 0);
	ck_assert_int_eq(get_set(h)->status.replicas, 2);
	h_free(h);
}
END_TEST

Suite *ctrl_statefulset_suite(void)
{
	Suite *s = suite_create("ctrl_statefulset");
	TCase *tc = tcase_create("statefulset");
	tcase_add_test(tc, test_ordered_ready_creates_each_pod_only_after_the_previous_is_ready);
	tcase_add_test(tc, test_pods_have_stable_identity_labels_hostname_and_subdomain);
	tcase_add_test(tc, test_each_ordinal_gets_its_own_pending_claim_mounted_by_its_pod);
	tcase_add_test(tc, test_parallel_creates_every_pod_at_once);
	tcase_add_test(tc, test_deleted_pod_comes_back_with_the_same_name_and_claim);
	tcase_add_test(tc, test_failed_pod_is_deleted_and_recreated_under_its_name);
	tcase_add_test(tc, test_scale_down_removes_the_highest_ordinal_first_one_at_a_time);
	tcase_add_test(tc, test_rolling_update_replaces_pods_from_the_highest_ordinal_down);
	tcase_add_test(tc, test_partition_keeps_lower_ordinals_on_the_old_revision);
	tcase_add_test(tc, test_on_delete_updates_a_pod_only_when_it_is_deleted);
	tcase_add_test(tc, test_a_stale_cache_never_creates_a_pod_twice);
	suite_add_tcase(s, tc);
	return s;
}
