/* test_object.c - the object model: the kind registry and its tables,
 * kubectl's resource names, reference counting, metadata helpers, label
 * selectors and conditions.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "selector.h"
#include "xmalloc.h"

/* ---- the kind registry ---- */

START_TEST(test_kind_from_cli_takes_kubectl_names)
{
	static const struct { const char *name; enum kind_id id; } cases[] = {
		{ "po", KIND_POD }, { "pod", KIND_POD }, { "pods", KIND_POD },
		{ "Pod", KIND_POD }, { "PODS", KIND_POD },
		{ "deploy", KIND_DEPLOYMENT }, { "deployments", KIND_DEPLOYMENT },
		{ "Deployment", KIND_DEPLOYMENT }, { "deployments.apps", KIND_DEPLOYMENT },
		{ "deploy.apps", KIND_DEPLOYMENT }, { "deployments.v1.apps", KIND_DEPLOYMENT },
		{ "rs", KIND_REPLICASET }, { "sts", KIND_STATEFULSET }, { "ds", KIND_DAEMONSET },
		{ "job", KIND_JOB }, { "jobs.batch", KIND_JOB }, { "cj", KIND_CRONJOB },
		{ "svc", KIND_SERVICE }, { "ep", KIND_ENDPOINTS }, { "endpoints", KIND_ENDPOINTS },
		{ "cm", KIND_CONFIGMAP }, { "ns", KIND_NAMESPACE }, { "no", KIND_NODE },
		{ "nodes", KIND_NODE }, { "pv", KIND_PERSISTENTVOLUME },
		{ "pvc", KIND_PERSISTENTVOLUMECLAIM }, { "sc", KIND_STORAGECLASS },
		{ "storageclasses.storage.k8s.io", KIND_STORAGECLASS },
		{ "pc", KIND_PRIORITYCLASS }, { "pdb", KIND_PODDISRUPTIONBUDGET },
		{ "ev", KIND_EVENT }, { "events", KIND_EVENT }, { "lease", KIND_LEASE },
		{ "leases.coordination.k8s.io", KIND_LEASE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kind_info *kind = kind_from_cli(cases[i].name);
		ck_assert_msg(kind && kind->id == cases[i].id, "%s", cases[i].name);
	}
}
END_TEST

START_TEST(test_kind_from_cli_rejects_unknown_names_and_groups)
{
	static const char *const bad[] = {
		"foo", "deployment.batch", "pods.apps", "", "deploymentz", "de",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(kind_from_cli(bad[i]) == NULL, "'%s'", bad[i]);
}
END_TEST

START_TEST(test_kind_find_matches_api_version_and_kind)
{
	ck_assert_ptr_eq(kind_find("apps/v1", "Deployment"), &deployment_kind);
	ck_assert_ptr_eq(kind_find(NULL, "Deployment"), &deployment_kind);
	ck_assert_ptr_null(kind_find("v1", "Deployment"));
	ck_assert_ptr_null(kind_find("apps/v1", "deployment"));	/* Kind is case-sensitive */
	ck_assert_ptr_eq(kind_find("storage.k8s.io/v1", "StorageClass"), &storage_class_kind);
}
END_TEST

/* The invariants every kind_info row must keep; a new kind that breaks
 * one fails here rather than somewhere in the store. */
START_TEST(test_every_kind_row_is_consistent)
{
	for (int id = 0; id < KIND_COUNT; id++) {
		const struct kind_info *kind = kind_get(id);
		ck_assert_int_eq(kind->id, id);
		ck_assert_ptr_eq(kind_find(kind->api_version, kind->kind), kind);
		ck_assert_ptr_eq(kind_from_cli(kind->resource), kind);
		ck_assert_ptr_eq(kind_from_cli(kind->singular), kind);
		ck_assert_uint_eq(kind->schema->size, kind->size);

		const struct field *meta = schema_field(kind->schema, "metadata");
		ck_assert_ptr_nonnull(meta);
		ck_assert_uint_eq(meta->offset, offsetof(struct object, meta));
		ck_assert_ptr_eq(meta->schema, &object_meta_schema);

		const struct field *spec = schema_field(kind->schema, "spec");
		if (kind->spec_schema) {
			ck_assert_msg(spec && spec->offset == kind->spec_offset &&
				      spec->schema == kind->spec_schema, "%s spec", kind->kind);
		} else {
			ck_assert_ptr_null(spec);
			ck_assert_uint_eq(kind->spec_offset, 0);
		}
		const struct field *status = schema_field(kind->schema, "status");
		if (kind->status_schema) {
			ck_assert(kind->has_status);
			ck_assert_msg(status && status->offset == kind->status_offset &&
				      status->schema == kind->status_schema, "%s status", kind->kind);
		} else {
			ck_assert_ptr_null(status);
		}
	}
}
END_TEST

START_TEST(test_cluster_scoped_kinds_are_as_upstream)
{
	static const enum kind_id cluster[] = {
		KIND_NAMESPACE, KIND_NODE, KIND_PERSISTENTVOLUME, KIND_STORAGECLASS,
		KIND_PRIORITYCLASS, KIND_CSINODE,
	};
	int cluster_scoped = 0;
	for (int id = 0; id < KIND_COUNT; id++)
		cluster_scoped += !kind_get(id)->namespaced;
	ck_assert_int_eq(cluster_scoped, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert(!kind_get(cluster[i])->namespaced);
	ck_assert(kind_get(KIND_EVENT)->namespaced);
	ck_assert(kind_get(KIND_LEASE)->namespaced);
}
END_TEST

/* Every kind survives new, defaults, copy, compare and free (ASan checks
 * the memory). */
START_TEST(test_every_kind_defaults_copies_and_frees_cleanly)
{
	const struct kind_info *kind = kind_get(_i);
	struct object *obj = object_new(kind);
	obj->meta.name = xstrdup("x");
	schema_apply_defaults(kind->schema, obj);
	if (kind->set_defaults)
		kind->set_defaults(obj);
	struct object *copy = object_copy(obj);
	ck_assert(schema_equal(kind->schema, obj, copy));
	object_unref(obj);
	object_unref(copy);
}
END_TEST

START_TEST(test_namespace_is_labelled_with_its_name)
{
	struct object *ns = object_new(&namespace_kind);
	ns->meta.name = xstrdup("shop");
	schema_apply_defaults(ns->kind->schema, ns);
	ns->kind->set_defaults(ns);
	ck_assert_str_eq(strmap_get(&ns->meta.labels, "kubernetes.io/metadata.name"), "shop");
	ck_assert_str_eq(object_as(ns, KIND_NAMESPACE, struct namespace)->status.phase, "Active");
	object_unref(ns);
}
END_TEST

/* ---- objects ---- */

START_TEST(test_new_object_is_zero_with_one_reference)
{
	struct object *obj = object_new(&deployment_kind);
	ck_assert_ptr_eq(obj->kind, &deployment_kind);
	ck_assert_int_eq(obj->refs, 1);
	ck_assert(schema_value_is_zero(FIELD_STRUCT, deployment_kind.schema, obj));
	object_unref(obj);
}
END_TEST

START_TEST(test_references_keep_an_object_alive)
{
	struct object *obj = object_new(&pod_kind);
	obj->meta.name = xstrdup("web");
	struct object *again = object_ref(obj);
	ck_assert_ptr_eq(again, obj);
	ck_assert_int_eq(obj->refs, 2);
	object_unref(obj);
	ck_assert_int_eq(again->refs, 1);
	ck_assert_str_eq(again->meta.name, "web");	/* still alive (ASan) */
	object_unref(again);
}
END_TEST

START_TEST(test_copy_is_a_new_independent_object)
{
	struct object *obj = object_new(&config_map_kind);
	obj->meta.name = xstrdup("settings");
	struct config_map *cm = object_as(obj, KIND_CONFIGMAP, struct config_map);
	strmap_set(&cm->data, "mode", "fast");
	struct object *extra = object_ref(obj);

	struct object *copy = object_copy(obj);
	ck_assert_int_eq(copy->refs, 1);
	ck_assert_ptr_eq(copy->kind, &config_map_kind);
	strmap_set(&object_as(copy, KIND_CONFIGMAP, struct config_map)->data, "mode", "slow");
	ck_assert_str_eq(strmap_get(&cm->data, "mode"), "fast");
	object_unref(copy);
	object_unref(extra);
	object_unref(obj);
}
END_TEST

START_TEST(test_object_as_refuses_the_wrong_kind)
{
	struct object *obj = object_new(&pod_kind);
	(void)object_as(obj, KIND_NODE, struct node);	/* aborts */
	object_unref(obj);
}
END_TEST

START_TEST(test_keys_and_names_are_as_kubectl_prints_them)
{
	struct object *d = object_new(&deployment_kind);
	d->meta.name = xstrdup("web");
	d->meta.namespace = xstrdup("shop");
	char *key = object_key(d), *ref = object_ref_name(d);
	ck_assert_str_eq(key, "shop/web");
	ck_assert_str_eq(ref, "deployment/web");
	free(key);
	free(ref);
	object_unref(d);

	struct object *node = object_new(&node_kind);
	node->meta.name = xstrdup("node-1");
	key = object_key(node);
	ck_assert_str_eq(key, "node-1");
	free(key);
	object_unref(node);
}
END_TEST

START_TEST(test_controller_of_is_the_owner_marked_controller)
{
	struct object *pod = object_new(&pod_kind);
	ck_assert_ptr_null(object_controller_of(pod));
	struct object_meta *meta = &pod->meta;
	meta->owner_references.items = xcalloc(2, sizeof(struct owner_reference));
	meta->owner_references.len = 2;
	meta->owner_references.items[0].name = xstrdup("bystander");
	meta->owner_references.items[1].name = xstrdup("web-abc");
	meta->owner_references.items[1].controller = true;
	ck_assert_str_eq(object_controller_of(pod)->name, "web-abc");

	ck_assert(!object_is_deleting(pod));
	meta->deletion_timestamp = KTIME_SIM_EPOCH;
	ck_assert(object_is_deleting(pod));
	object_unref(pod);
}
END_TEST

/* ---- selectors and conditions ---- */

START_TEST(test_label_selector_compiles_and_matches)
{
	struct label_selector spec = { 0 };
	strmap_set(&spec.match_labels, "app", "web");
	struct selector_requirement_spec req = { .key = "tier", .operator = "In" };
	char *values[] = { "front", "edge" };
	req.values.items = values;
	req.values.len = 2;
	spec.match_expressions.items = &req;
	spec.match_expressions.len = 1;

	struct selector sel;
	ck_assert_int_eq(label_selector_compile(&spec, &sel, NULL), 0);
	struct strmap labels = { 0 };
	strmap_set(&labels, "app", "web");
	ck_assert(!selector_matches(&sel, &labels));
	strmap_set(&labels, "tier", "edge");
	ck_assert(selector_matches(&sel, &labels));
	selector_release(&sel);

	/* Gt belongs to node selectors only. */
	struct err *err = NULL;
	req.operator = "Gt";
	ck_assert_int_eq(label_selector_compile(&spec, &sel, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "\"Gt\" is not a valid"));
	err_free(err);
	strmap_release(&labels);
	strmap_release(&spec.match_labels);
}
END_TEST

START_TEST(test_empty_label_selector_matches_everything)
{
	struct label_selector spec = { 0 };
	struct selector sel;
	struct strmap labels = { 0 };
	ck_assert_int_eq(label_selector_compile(&spec, &sel, NULL), 0);
	ck_assert(selector_matches(&sel, &labels));
	selector_release(&sel);
}
END_TEST

START_TEST(test_condition_find_by_type)
{
	struct deployment *d = object_as(object_new(&deployment_kind), KIND_DEPLOYMENT,
					 struct deployment);
	ck_assert_ptr_null(condition_find(&d->status.conditions, "Available"));
	d->status.conditions.items = xcalloc(2, sizeof(struct condition));
	d->status.conditions.len = 2;
	d->status.conditions.items[0].type = xstrdup("Progressing");
	d->status.conditions.items[1].type = xstrdup("Available");
	ck_assert_ptr_eq(condition_find(&d->status.conditions, "Available"),
			 &d->status.conditions.items[1]);
	ck_assert_ptr_null(condition_find(&d->status.conditions, "ReplicaFailure"));
	object_unref(&d->obj);
}
END_TEST

Suite *object_suite(void);	/* registered in check_main.c */
Suite *object_suite(void)
{
	Suite *s = suite_create("object");
	TCase *tc = tcase_create("kinds");
	tcase_add_test(tc, test_kind_from_cli_takes_kubectl_names);
	tcase_add_test(tc, test_kind_from_cli_rejects_unknown_names_and_groups);
	tcase_add_test(tc, test_kind_find_matches_api_version_and_kind);
	tcase_add_test(tc, test_every_kind_row_is_consistent);
	tcase_add_test(tc, test_cluster_scoped_kinds_are_as_upstream);
	tcase_add_loop_test(tc, test_every_kind_defaults_copies_and_frees_cleanly, 0, KIND_COUNT);
	tcase_add_test(tc, test_namespace_is_labelled_with_its_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("objects");
	tcase_add_test(tc, test_new_object_is_zero_with_one_reference);
	tcase_add_test(tc, test_references_keep_an_object_alive);
	tcase_add_test(tc, test_copy_is_a_new_independent_object);
	tcase_add_test_raise_signal(tc, test_object_as_refuses_the_wrong_kind, SIGABRT);
	tcase_add_test(tc, test_keys_and_names_are_as_kubectl_prints_them);
	tcase_add_test(tc, test_controller_of_is_the_owner_marked_controller);
	suite_add_tcase(s, tc);

	tc = tcase_create("selectors");
	tcase_add_test(tc, test_label_selector_compiles_and_matches);
	tcase_add_test(tc, test_empty_label_selector_matches_everything);
	tcase_add_test(tc, test_condition_find_by_type);
	suite_add_tcase(s, tc);
	return s;
}
