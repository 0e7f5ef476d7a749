/* test_ctrl_gc.c - the garbage collector: what happens to dependents when
 * their owner is deleted, under each propagation policy.
 *
 * The ReplicaSet controller makes the dependents (pods with a controller
 * reference); the test deletes the ReplicaSet the way `kubectl delete
 * --cascade=background|orphan|foreground` would.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"

Suite *ctrl_gc_suite(void);

static struct harness *cluster(void)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_start(h, "deployment-controller");
	h_start(h, "garbage-collector-controller");
	return h;
}

static void delete_rs(struct harness *h, const char *policy)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.propagation_policy = policy;
	ck_assert_int_eq(client_delete(&h->actor, KIND_REPLICASET, "default", "web", &options,
				       NULL), API_OK);
}

START_TEST(test_gc_background_deletes_the_dependents_of_a_deleted_owner)
{
	struct harness *h = cluster();
	h_create(h, &h_replica_set("web", 3)->obj);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);
	delete_rs(h, NULL);
	ck_assert_ptr_null(h_get(h, KIND_REPLICASET, "default", "web"));
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 3);	/* not by the store */
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 0);
	h_free(h);
}
END_TEST

START_TEST(test_gc_orphan_keeps_the_dependents_without_their_owner_reference)
{
	struct harness *h = cluster();
	h_create(h, &h_replica_set("web", 3)->obj);
	h_run_for(h, 1 * S);
	delete_rs(h, "Orphan");
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(h_get(h, KIND_REPLICASET, "default", "web"));
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &pods);
	ck_assert_uint_eq(pods.len, 3);
	for (size_t i = 0; i < pods.len; i++) {
		ck_assert_uint_eq(pods.items[i]->meta.owner_references.len, 0);
		ck_assert(!object_is_deleting(pods.items[i]));
	}
	object_list_release(&pods);
	h_free(h);
}
END_TEST

/* Foreground: the owner stays (with deletionTimestamp and the
 * foregroundDeletion finalizer) until its pods are really gone. */
START_TEST(test_gc_foreground_deletes_the_dependents_before_the_owner)
{
	struct harness *h = cluster();
	h_create(h, &h_replica_set("web", 2)->obj);
	h_run_for(h, 1 * S);
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &pods);
	char names[2][64];
	for (int i = 0; i < 2; i++)
		snprintf(names[i], sizeof(names[i]), "%s", pods.items[i]->meta.name);
	object_list_release(&pods);
	for (int i = 0; i < 2; i++)
		h_bind(h, names[i], "worker-1");	/* graceful: terminating */

	delete_rs(h, "Foreground");
	h_run_for(h, 5 * S);
	const struct object *rs = h_get(h, KIND_REPLICASET, "default", "web");
	ck_assert_ptr_nonnull(rs);
	ck_assert(object_is_deleting(rs));
	ck_assert_uint_eq(rs->meta.finalizers.len, 1);
	ck_assert_str_eq(rs->meta.finalizers.items[0], "foregroundDeletion");
	for (int i = 0; i < 2; i++)
		ck_assert(object_is_deleting(h_get(h, KIND_POD, "default", names[i])));
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 2);	/* not replaced */

	for (int i = 0; i < 2; i++) {	/* the kubelet finishes them */
		struct delete_options now = { .grace_period_seconds = 0 };
		ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", names[i], &now,
					       NULL), API_OK);
	}
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(h_get(h, KIND_REPLICASET, "default", "web"));
	h_free(h);
}
END_TEST

static void add_ref(struct object *obj, const char *name, const char *uid)
{
	struct owner_reference ref = {
		.api_version = xstrdup("apps/v1"), .kind = xstrdup("ReplicaSet"),
		.name = xstrdup(name), .uid = xstrdup(uid),
	};
	size_t cap = obj->meta.owner_references.len;
	xgrow((void **)&obj->meta.owner_references.items, &cap,
	      obj->meta.owner_references.len + 1, sizeof(ref));
	obj->meta.owner_references.items[obj->meta.owner_references.len++] = ref;
}

START_TEST(test_gc_drops_only_the_dangling_reference_when_an_owner_lives)
{
	struct harness *h = cluster();
	h_create(h, &h_replica_set("web", 0)->obj);
	const char *uid = h_get(h, KIND_REPLICASET, "default", "web")->meta.uid;
	struct object *cm = object_new(&config_map_kind);
	cm->meta.name = xstrdup("settings");
	cm->meta.namespace = xstrdup("default");
	add_ref(cm, "web", uid);
	add_ref(cm, "old", "00000000-dead-4000-8000-000000000000");
	h_create(h, cm);
	h_run_for(h, 1 * S);
	const struct object *stored = h_get(h, KIND_CONFIGMAP, "default", "settings");
	ck_assert_ptr_nonnull(stored);
	ck_assert_uint_eq(stored->meta.owner_references.len, 1);
	ck_assert_str_eq(stored->meta.owner_references.items[0].name, "web");

	delete_rs(h, NULL);	/* now its last owner is gone too */
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(h_get(h, KIND_CONFIGMAP, "default", "settings"));
	h_free(h);
}
END_TEST

START_TEST(test_gc_deleting_a_deployment_removes_its_replicasets_and_pods)
{
	struct harness *h = cluster();
	h_create(h, &h_deployment("web", 2)->obj);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_REPLICASET), 1);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 2);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(client_delete(&h->actor, KIND_DEPLOYMENT, "default", "web", &options,
				       NULL), API_OK);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(store_count(h->store, KIND_REPLICASET), 0);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 0);
	h_free(h);
}
END_TEST

Suite *ctrl_gc_suite(void)
{
	Suite *s = suite_create("ctrl_gc");
	TCase *tc = tcase_create("gc");
	tcase_add_test(tc, test_gc_background_deletes_the_dependents_of_a_deleted_owner);
	tcase_add_test(tc, test_gc_orphan_keeps_the_dependents_without_their_owner_reference);
	tcase_add_test(tc, test_gc_foreground_deletes_the_dependents_before_the_owner);
	tcase_add_test(tc, test_gc_drops_only_the_dangling_reference_when_an_owner_lives);
	tcase_add_test(tc, test_gc_deleting_a_deployment_removes_its_replicasets_and_pods);
	suite_add_tcase(s, tc);
	return s;
}
