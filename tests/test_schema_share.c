/* test_schema_share.c - frozen objects share equal container lists (and
 * toleration and condition lists).
 *
 * The store freezes every pod version it keeps (object.h); lists marked
 * FIELD_SHARE (a pod's containers and tolerations) are then one counted
 * copy for all the pods whose lists are equal (schema_share.c). These
 * tests freeze pods built in C and check that equal lists are shared,
 * that lists a reader could tell apart are not, and that a shared list
 * lives exactly as long as its last object (the sanitizer build reports a
 * use after free or a leak).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

Suite *schema_share_suite(void);	/* registered in check_main.c */

/* A replica as a ReplicaSet makes it: one container, the default
 * tolerations. cpu is the request as written ("100m", "0.1"). */
static struct pod *replica(const char *name, const char *cpu)
{
	struct pod *pod = object_as(object_new(&pod_kind), KIND_POD, struct pod);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	struct container *c = &pod->spec.containers.items[0];
	c->name = xstrdup("app");
	c->image = xstrdup("app:1");
	struct quantity amount;
	ck_assert_int_eq(quantity_parse(cpu, &amount, NULL), 0);
	resource_list_set(&c->resources.requests, "cpu", &amount);
	pod->spec.tolerations.items = xcalloc(1, sizeof(struct toleration));
	pod->spec.tolerations.len = 1;
	pod->spec.tolerations.items[0].key = xstrdup(TAINT_NODE_NOT_READY);
	pod->spec.tolerations.items[0].operator = xstrdup("Exists");
	pod->spec.tolerations.items[0].toleration_seconds = (struct opt_int64){ true, 300 };
	object_freeze(&pod->obj);
	return pod;
}

/* The pod's cpu request as kubectl prints it. */
static char *cpu_request(const struct pod *pod)
{
	const struct resource_list *requests =
		&pod->spec.containers.items[0].resources.requests;
	ck_assert_uint_eq(requests->len, 1);
	char *text = xmalloc(QUANTITY_STR_MAX);
	quantity_format(&requests->items[0].quantity, text, QUANTITY_STR_MAX);
	return text;
}

START_TEST(test_replicas_with_equal_containers_share_one_frozen_copy)
{
	struct pod *a = replica("app-1", "100m"), *b = replica("app-2", "100m");
	ck_assert_ptr_eq(a->spec.containers.items, b->spec.containers.items);
	ck_assert_ptr_eq(a->spec.tolerations.items, b->spec.tolerations.items);
	ck_assert_str_eq(b->spec.containers.items[0].image, "app:1");
	ck_assert_str_eq(a->obj.meta.name, "app-1");	/* names are their own */
	ck_assert_str_eq(b->obj.meta.name, "app-2");
	object_unref(&a->obj);
	object_unref(&b->obj);
}
END_TEST

/* "1Gi" and "1073741824" are equal amounts (schema_equal says so) but
 * print differently, so a reader could tell the two lists apart: not
 * shared. */
START_TEST(test_lists_a_reader_could_tell_apart_are_not_shared)
{
	struct pod *a = replica("app-1", "1Gi"), *b = replica("app-2", "1073741824");
	ck_assert(schema_equal(&pod_spec_schema, &a->spec, &b->spec));
	ck_assert_ptr_ne(a->spec.containers.items, b->spec.containers.items);
	ck_assert_ptr_eq(a->spec.tolerations.items, b->spec.tolerations.items);
	char *x = cpu_request(a), *y = cpu_request(b);
	ck_assert_str_eq(x, "1Gi");
	ck_assert_str_eq(y, "1073741824");
	free(x);
	free(y);
	object_unref(&a->obj);
	object_unref(&b->obj);
}
END_TEST

/* The shared list stays while any version of any pod uses it, and a new
 * pod made after the last one went gets a fresh copy. */
START_TEST(test_shared_list_lives_as_long_as_its_last_object)
{
	struct pod *a = replica("app-1", "100m"), *b = replica("app-2", "100m");
	struct pod *status = (struct pod *)object_copy(&b->obj);
	status->status.phase = xstrdup(POD_PHASE_RUNNING);
	struct pod *running = (struct pod *)object_new_status_version(&b->obj, &status->obj);
	object_unref(&status->obj);
	object_unref(&a->obj);
	object_unref(&b->obj);
	ck_assert_str_eq(running->spec.containers.items[0].image, "app:1");
	ck_assert_str_eq(running->status.phase, POD_PHASE_RUNNING);
	struct pod *c = replica("app-3", "100m");
	ck_assert_ptr_eq(c->spec.containers.items, running->spec.containers.items);
	object_unref(&running->obj);
	object_unref(&c->obj);
	struct pod *d = replica("app-4", "100m");
	char *cpu = cpu_request(d);
	ck_assert_str_eq(cpu, "100m");
	free(cpu);
	object_unref(&d->obj);
}
END_TEST

/* A copy of a frozen pod is loose: its lists are its own, to edit. */
START_TEST(test_copy_of_a_frozen_pod_owns_its_lists)
{
	struct pod *a = replica("app-1", "100m");
	struct pod *copy = (struct pod *)object_copy(&a->obj);
	ck_assert_ptr_ne(copy->spec.containers.items, a->spec.containers.items);
	free(copy->spec.containers.items[0].image);
	copy->spec.containers.items[0].image = xstrdup("app:2");
	ck_assert_str_eq(a->spec.containers.items[0].image, "app:1");
	object_freeze(&copy->obj);
	ck_assert_ptr_ne(copy->spec.containers.items, a->spec.containers.items);
	ck_assert_ptr_eq(copy->spec.tolerations.items, a->spec.tolerations.items);
	object_unref(&copy->obj);
	object_unref(&a->obj);
}
END_TEST

/* Two pods whose status writes carry equal conditions (started in the
 * same instant) share the list; the status block stays each version's. */
START_TEST(test_status_versions_with_equal_conditions_share_them)
{
	struct pod *a = replica("app-1", "100m"), *b = replica("app-2", "100m");
	struct pod *status = (struct pod *)object_copy(&a->obj);
	status->status.conditions.items = xcalloc(1, sizeof(struct condition));
	status->status.conditions.len = 1;
	status->status.conditions.items[0].type = xstrdup("Ready");
	status->status.conditions.items[0].status = xstrdup("True");
	status->status.conditions.items[0].last_transition_time = KTIME_SIM_EPOCH;
	status->status.pod_ip = xstrdup("10.0.0.1");
	struct pod *ready_a = (struct pod *)object_new_status_version(&a->obj, &status->obj);
	free(status->status.pod_ip);
	status->status.pod_ip = xstrdup("10.0.0.2");
	struct pod *ready_b = (struct pod *)object_new_status_version(&b->obj, &status->obj);
	object_unref(&status->obj);
	ck_assert_ptr_eq(ready_a->status.conditions.items, ready_b->status.conditions.items);
	ck_assert_str_eq(ready_a->status.pod_ip, "10.0.0.1");
	ck_assert_str_eq(ready_b->status.pod_ip, "10.0.0.2");
	ck_assert_str_eq(ready_b->status.conditions.items[0].type, "Ready");
	object_unref(&a->obj);
	object_unref(&b->obj);
	object_unref(&ready_a->obj);
	object_unref(&ready_b->obj);
}
END_TEST

Suite *schema_share_suite(void)
{
	Suite *suite = suite_create("schema_share");
	TCase *tc = tcase_create("share");
	tcase_add_test(tc, test_replicas_with_equal_containers_share_one_frozen_copy);
	tcase_add_test(tc, test_lists_a_reader_could_tell_apart_are_not_shared);
	tcase_add_test(tc, test_shared_list_lives_as_long_as_its_last_object);
	tcase_add_test(tc, test_copy_of_a_frozen_pod_owns_its_lists);
	tcase_add_test(tc, test_status_versions_with_equal_conditions_share_them);
	suite_add_tcase(suite, tc);
	return suite;
}
