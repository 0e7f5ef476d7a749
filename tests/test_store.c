/* test_store.c - the API object store: optimistic concurrency, watches,
 * deletion, indexes, lists; and the store against a naive reference under
 * random operations.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "engine.h"
#include "prng.h"
#include "selector.h"
#include "store.h"
#include "xmalloc.h"

Suite *store_suite(void);

struct fixture {
	struct engine *engine;
	struct clock clock;
	struct store *store;
};

static void nothing(void *arg)
{
	(void)arg;
}

/* Runs start at KTIME_SIM_EPOCH, as in cluster.c: 0 is no time of a run
 * (a deletionTimestamp of 0 means "not being deleted"). */
static void setup(struct fixture *f)
{
	f->engine = engine_new();
	engine_at(f->engine, KTIME_SIM_EPOCH, nothing, NULL);
	engine_run(f->engine, KTIME_SIM_EPOCH, 0);
	f->clock = engine_clock(f->engine);
	f->store = store_new(&f->clock, 1);
}

static void teardown(struct fixture *f)
{
	store_free(f->store);
	engine_free(f->engine);
}

static struct pod *new_pod(const char *name, const char *app, const char *node)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	if (app)
		strmap_set(&pod->obj.meta.labels, "app", app);
	pod->spec.node_name = xstrdup(node);
	pod->spec.termination_grace_period_seconds = 30;
	return pod;
}

static const struct pod *get_pod(struct fixture *f, const char *name)
{
	return (const struct pod *)store_get(f->store, KIND_POD, "default", name);
}

START_TEST(test_update_with_stale_resource_version_conflicts)
{
	struct fixture f;
	setup(&f);
	struct api_status st;
	ck_assert_int_eq(store_create(f.store, &new_pod("a", "web", NULL)->obj, &st), API_OK);
	struct object *first = object_copy(&get_pod(&f, "a")->obj);
	struct object *second = object_copy(&get_pod(&f, "a")->obj);
	strmap_set(&first->meta.labels, "tier", "front");
	ck_assert_int_eq(store_update(f.store, first, &st), API_OK);
	strmap_set(&second->meta.labels, "tier", "back");
	ck_assert_int_eq(store_update(f.store, second, &st), API_CONFLICT);
	ck_assert_str_eq(st.message,
			 "Operation cannot be fulfilled on pods \"a\": the object has been "
			 "modified; please apply your changes to the latest version and try again");
	ck_assert_str_eq(strmap_get(&get_pod(&f, "a")->obj.meta.labels, "tier"), "front");
	teardown(&f);
}
END_TEST

/* K8S: the pods/binding subresource (BindingREST): sets spec.nodeName once;
 * a second binding, a replaced pod or one being deleted is refused. */
START_TEST(test_binding_sets_the_node_once_and_refuses_what_upstream_refuses)
{
	struct fixture f;
	setup(&f);
	struct api_status st;
	ck_assert_int_eq(store_create(f.store, &new_pod("a", "web", NULL)->obj, &st), API_OK);
	const struct pod *before = get_pod(&f, "a");
	char *uid = xstrdup(before->obj.meta.uid);
	int64_t rv = before->obj.meta.resource_version;
	ck_assert_int_eq(store_bind(f.store, "default", "a", "other-uid", "n1", &st), API_CONFLICT);
	ck_assert_msg(strstr(st.message, "Precondition failed: UID in precondition: other-uid"),
		      "%s", st.message);
	ck_assert_int_eq(store_bind(f.store, "default", "a", uid, "n1", &st), API_OK);
	const struct pod *bound = get_pod(&f, "a");
	ck_assert_str_eq(bound->spec.node_name, "n1");
	ck_assert_int_gt(bound->obj.meta.resource_version, rv);
	ck_assert_str_eq(strmap_get(&bound->obj.meta.labels, "app"), "web");
	struct object_list on_node = {0};
	store_list_pods_on_node(f.store, "n1", &on_node);
	ck_assert_uint_eq(on_node.len, 1);
	object_list_release(&on_node);
	ck_assert_int_eq(store_bind(f.store, "default", "a", uid, "n2", &st), API_CONFLICT);
	ck_assert_str_eq(st.message, "pod a is already assigned to node \"n1\"");
	ck_assert_int_eq(store_bind(f.store, "default", "b", NULL, "n1", &st), API_NOT_FOUND);
	ck_assert_str_eq(st.message, "pods \"b\" not found");
	/* A pod being deleted (held by a finalizer) is not bound. */
	struct pod *held = new_pod("c", "web", NULL);
	held->obj.meta.finalizers.items = xcalloc(1, sizeof(char *));
	held->obj.meta.finalizers.items[0] = xstrdup("example.com/hold");
	held->obj.meta.finalizers.len = 1;
	ck_assert_int_eq(store_create(f.store, &held->obj, &st), API_OK);
	struct delete_options opts = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", "c", &opts, &st), API_OK);
	ck_assert_int_eq(store_bind(f.store, "default", "c", NULL, "n1", &st), API_CONFLICT);
	ck_assert_str_eq(st.message, "pod c is being deleted, cannot be assigned to a host");
	free(uid);
	teardown(&f);
}
END_TEST

START_TEST(test_create_twice_is_already_exists_and_missing_is_not_found)
{
	struct fixture f;
	setup(&f);
	struct api_status st;
	ck_assert_int_eq(store_create(f.store, &new_pod("a", NULL, NULL)->obj, &st), API_OK);
	ck_assert_int_eq(store_create(f.store, &new_pod("a", NULL, NULL)->obj, &st),
			 API_ALREADY_EXISTS);
	ck_assert_str_eq(st.message, "pods \"a\" already exists");
	ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", "zz", NULL, &st),
			 API_NOT_FOUND);
	ck_assert_str_eq(st.message, "pods \"zz\" not found");
	teardown(&f);
}
END_TEST

START_TEST(test_server_sets_uid_versions_and_generation)
{
	struct fixture f;
	setup(&f);
	struct deployment *d = (struct deployment *)object_new(&deployment_kind);
	d->obj.meta.name = xstrdup("web");
	d->spec.replicas = 1;
	ck_assert_int_eq(store_create(f.store, &d->obj, NULL), API_OK);
	const struct object *stored = store_get(f.store, KIND_DEPLOYMENT, "default", "web");
	ck_assert_ptr_nonnull(stored->meta.uid);
	ck_assert_str_eq(stored->meta.namespace, "default");
	ck_assert_int_eq(stored->meta.generation, 1);
	int64_t rv = stored->meta.resource_version;
	/* A status write bumps the resourceVersion, not the generation. */
	struct deployment *next = (struct deployment *)object_copy(stored);
	next->status.replicas = 1;
	ck_assert_int_eq(store_update_status(f.store, &next->obj, NULL), API_OK);
	stored = store_get(f.store, KIND_DEPLOYMENT, "default", "web");
	ck_assert_int_eq(stored->meta.generation, 1);
	ck_assert_int_gt(stored->meta.resource_version, rv);
	/* A spec write bumps the generation and keeps the stored status. */
	next = (struct deployment *)object_copy(stored);
	next->spec.replicas = 3;
	next->status.replicas = 99;
	ck_assert_int_eq(store_update(f.store, &next->obj, NULL), API_OK);
	const struct deployment *now = (const struct deployment *)
		store_get(f.store, KIND_DEPLOYMENT, "default", "web");
	ck_assert_int_eq(now->obj.meta.generation, 2);
	ck_assert_int_eq(now->spec.replicas, 3);
	ck_assert_int_eq(now->status.replicas, 1);
	teardown(&f);
}
END_TEST

struct recorder {
	char log[64][48];
	int len;
};

static void record(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct recorder *r = arg;
	(void)old;
	if (r->len < 64)
		snprintf(r->log[r->len++], sizeof(r->log[0]), "%s %s %lld",
			 watch_type_name(type), obj->meta.name,
			 (long long)obj->meta.resource_version);
}

START_TEST(test_watch_delivers_changes_in_order_after_the_delay_never_inline)
{
	struct fixture f;
	setup(&f);
	struct recorder r = {0};
	store_set_watch_delay(f.store, 2 * KTIME_SECOND);
	store_watch(f.store, KIND_POD, record, &r);
	store_create(f.store, &new_pod("a", NULL, NULL)->obj, NULL);
	struct object *next = object_copy(&get_pod(&f, "a")->obj);
	strmap_set(&next->meta.labels, "x", "y");
	store_update(f.store, next, NULL);
	store_delete(f.store, KIND_POD, "default", "a", NULL, NULL);
	ck_assert_int_eq(r.len, 0);		/* nothing from inside the writes */
	engine_run(f.engine, engine_now(f.engine) + KTIME_SECOND, 0);
	ck_assert_int_eq(r.len, 0);		/* not before the delay */
	engine_run(f.engine, engine_now(f.engine) + 2 * KTIME_SECOND, 0);
	ck_assert_int_eq(r.len, 3);
	ck_assert_str_eq(r.log[0], "ADDED a 1");
	ck_assert_str_eq(r.log[1], "MODIFIED a 2");
	ck_assert_str_eq(r.log[2], "DELETED a 3");
	teardown(&f);
}
END_TEST

/* A watcher that logs under its own tag into a shared log and may, on its
 * first event, stop another watcher. */
struct tagged {
	struct recorder *log;
	const char *tag;
	struct store *store;
	int unwatch;		/* a watch id to stop on the first event, or 0 */
};

static void record_tagged(void *arg, enum watch_type type, const struct object *obj,
			  const struct object *old)
{
	struct tagged *t = arg;
	(void)old;
	if (t->log->len < 64)
		snprintf(t->log->log[t->log->len++], sizeof(t->log->log[0]), "%s %s %s",
			 t->tag, watch_type_name(type), obj->meta.name);
	if (t->unwatch) {
		store_unwatch(t->store, t->unwatch);
		t->unwatch = 0;
	}
}

/* The deliveries of one write share one timer but stay one event each:
 * watchers in the order they registered, the node's watcher last, one
 * engine step per watcher; a watcher stopped by an earlier one's handler,
 * halfway through a write, gets nothing more. */
START_TEST(test_each_watcher_gets_a_write_as_an_event_of_its_own_in_order)
{
	struct fixture f;
	setup(&f);
	struct recorder r = {0};
	struct tagged a = { &r, "a", f.store, 0 }, b = { &r, "b", f.store, 0 };
	struct tagged c = { &r, "c", f.store, 0 }, node = { &r, "node", f.store, 0 };
	store_watch_pods_on_node(f.store, "n1", record_tagged, &node);
	store_watch(f.store, KIND_POD, record_tagged, &a);
	store_watch(f.store, KIND_POD, record_tagged, &b);
	int c_id = store_watch(f.store, KIND_POD, record_tagged, &c);
	b.unwatch = c_id;
	store_create(f.store, &new_pod("x", NULL, "n1")->obj, NULL);
	store_create(f.store, &new_pod("y", NULL, NULL)->obj, NULL);
	ck_assert_uint_eq(engine_pending(f.engine), 2);	/* one timer per write */
	uint64_t steps = engine_steps(f.engine);
	engine_run(f.engine, KTIME_NEVER, 0);
	static const char *const expected[] = {
		"a ADDED x", "b ADDED x", "node ADDED x", "a ADDED y", "b ADDED y",
	};
	ck_assert_int_eq(r.len, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(r.log[i], expected[i]);
	/* Four deliveries of x (c's among them, dropped) and three of y. */
	ck_assert_uint_eq(engine_steps(f.engine) - steps, 7);
	teardown(&f);
}
END_TEST

START_TEST(test_pod_on_a_node_is_deleted_gracefully_and_an_unbound_one_at_once)
{
	struct fixture f;
	setup(&f);
	store_create(f.store, &new_pod("bound", NULL, "n1")->obj, NULL);
	store_create(f.store, &new_pod("free", NULL, NULL)->obj, NULL);
	ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", "free", NULL, NULL), API_OK);
	ck_assert_ptr_null(get_pod(&f, "free"));
	ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", "bound", NULL, NULL), API_OK);
	const struct pod *p = get_pod(&f, "bound");
	ck_assert_ptr_nonnull(p);
	ck_assert(object_is_deleting(&p->obj));
	ck_assert_int_eq(p->obj.meta.deletion_grace_period_seconds, 30);
	/* The kubelet confirms with grace 0 once the containers are gone. */
	struct delete_options now = {.grace_period_seconds = 0};
	ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", "bound", &now, NULL), API_OK);
	ck_assert_ptr_null(get_pod(&f, "bound"));
	teardown(&f);
}
END_TEST

START_TEST(test_finalizers_hold_an_object_until_removed)
{
	struct fixture f;
	setup(&f);
	struct config_map *cm = (struct config_map *)object_new(&config_map_kind);
	cm->obj.meta.name = xstrdup("cfg");
	cm->obj.meta.finalizers.items = xcalloc(1, sizeof(char *));
	cm->obj.meta.finalizers.items[0] = xstrdup("example.com/keep");
	cm->obj.meta.finalizers.len = 1;
	store_create(f.store, &cm->obj, NULL);
	store_delete(f.store, KIND_CONFIGMAP, "default", "cfg", NULL, NULL);
	const struct object *held = store_get(f.store, KIND_CONFIGMAP, "default", "cfg");
	ck_assert_ptr_nonnull(held);
	ck_assert(object_is_deleting(held));
	struct object *next = object_copy(held);
	free(next->meta.finalizers.items[0]);
	next->meta.finalizers.len = 0;
	ck_assert_int_eq(store_update(f.store, next, NULL), API_OK);
	ck_assert_ptr_null(store_get(f.store, KIND_CONFIGMAP, "default", "cfg"));
	teardown(&f);
}
END_TEST

START_TEST(test_generate_name_makes_five_character_names_from_the_seed)
{
	struct fixture f;
	setup(&f);
	for (int i = 0; i < 20; i++) {
		struct pod *p = new_pod(NULL, NULL, NULL);
		free(p->obj.meta.name);
		p->obj.meta.name = NULL;
		p->obj.meta.generate_name = xstrdup("web-");
		ck_assert_int_eq(store_create(f.store, &p->obj, NULL), API_OK);
	}
	struct object_list list = {0};
	store_list(f.store, KIND_POD, "default", NULL, &list);
	ck_assert_uint_eq(list.len, 20);
	for (size_t i = 0; i < list.len; i++) {
		const char *name = list.items[i]->meta.name;
		ck_assert_uint_eq(strlen(name), 9);
		ck_assert_int_eq(strncmp(name, "web-", 4), 0);
		ck_assert_uint_eq(strspn(name + 4, "bcdfghjklmnpqrstvwxz2456789"), 5);
	}
	object_list_release(&list);
	teardown(&f);
}
END_TEST

START_TEST(test_lists_are_sorted_and_honour_selectors_and_indexes)
{
	struct fixture f;
	setup(&f);
	const char *names[] = {"c", "a", "d", "b"};
	const char *apps[] = {"web", "db", "web", "web"};
	const char *nodes[] = {"n1", "n2", "n1", NULL};
	for (int i = 0; i < 4; i++)
		store_create(f.store, &new_pod(names[i], apps[i], nodes[i])->obj, NULL);
	struct selector sel;
	ck_assert_int_eq(selector_parse("app=web", &sel, NULL), 0);
	struct object_list list = {0};
	store_list(f.store, KIND_POD, NULL, &sel, &list);
	ck_assert_uint_eq(list.len, 3);
	ck_assert_str_eq(list.items[0]->meta.name, "b");
	ck_assert_str_eq(list.items[1]->meta.name, "c");
	ck_assert_str_eq(list.items[2]->meta.name, "d");
	object_list_release(&list);
	store_list_pods_on_node(f.store, "n1", &list);
	ck_assert_uint_eq(list.len, 2);
	ck_assert_str_eq(list.items[0]->meta.name, "c");
	object_list_release(&list);
	selector_release(&sel);
	ck_assert(store_check(f.store));
	teardown(&f);
}
END_TEST

/* Random creates, binds, relabels and deletes, compared after every step
 * with a plain array that knows which pods exist and where they run. */
struct model_pod {
	bool exists;
	char node[8];
	char app[8];
};

START_TEST(test_store_agrees_with_a_naive_model_under_random_operations)
{
	struct fixture f;
	setup(&f);
	struct prng rng;
	prng_seed(&rng, 7);
	struct model_pod model[40] = {0};
	char name[16];
	for (int step = 0; step < 3000; step++) {
		int i = (int)prng_below(&rng, 40);
		snprintf(name, sizeof(name), "p%d", i);
		int op = (int)prng_below(&rng, 4);
		if (op == 0 && !model[i].exists) {
			snprintf(model[i].app, sizeof(model[i].app), "a%d", (int)prng_below(&rng, 3));
			ck_assert_int_eq(store_create(f.store,
				&new_pod(name, model[i].app, NULL)->obj, NULL), API_OK);
			model[i].exists = true;
			model[i].node[0] = '\0';
		} else if (op == 1 && model[i].exists) {
			struct pod *p = (struct pod *)object_copy(&get_pod(&f, name)->obj);
			snprintf(model[i].node, sizeof(model[i].node), "n%d", (int)prng_below(&rng, 4));
			free(p->spec.node_name);
			p->spec.node_name = xstrdup(model[i].node);
			ck_assert_int_eq(store_update(f.store, &p->obj, NULL), API_OK);
		} else if (op == 2 && model[i].exists) {
			struct pod *p = (struct pod *)object_copy(&get_pod(&f, name)->obj);
			snprintf(model[i].app, sizeof(model[i].app), "a%d", (int)prng_below(&rng, 3));
			strmap_set(&p->obj.meta.labels, "app", model[i].app);
			ck_assert_int_eq(store_update(f.store, &p->obj, NULL), API_OK);
		} else if (op == 3 && model[i].exists) {
			struct delete_options now = {.grace_period_seconds = 0};
			ck_assert_int_eq(store_delete(f.store, KIND_POD, "default", name,
						      &now, NULL), API_OK);
			model[i].exists = false;
		}
		ck_assert(store_check(f.store));
	}
	size_t expected = 0;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		const struct pod *p = get_pod(&f, name);
		ck_assert_int_eq(p != NULL, model[i].exists);
		expected += model[i].exists;
		if (p)
			ck_assert_str_eq(strmap_get(&p->obj.meta.labels, "app"), model[i].app);
	}
	ck_assert_uint_eq(store_count(f.store, KIND_POD), expected);
	for (int n = 0; n < 4; n++) {
		char node[8];
		snprintf(node, sizeof(node), "n%d", n);
		size_t on_node = 0;
		for (int i = 0; i < 40; i++)
			on_node += model[i].exists && !strcmp(model[i].node, node);
		struct object_list list = {0};
		store_list_pods_on_node(f.store, node, &list);
		ck_assert_uint_eq(list.len, on_node);
		object_list_release(&list);
	}
	teardown(&f);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_add_test(tc, test_update_with_stale_resource_version_conflicts);
	tcase_add_test(tc, test_create_twice_is_already_exists_and_missing_is_not_found);
	tcase_add_test(tc, test_binding_sets_the_node_once_and_refuses_what_upstream_refuses);
	tcase_add_test(tc, test_server_sets_uid_versions_and_generation);
	tcase_add_test(tc, test_watch_delivers_changes_in_order_after_the_delay_never_inline);
	tcase_add_test(tc, test_each_watcher_gets_a_write_as_an_event_of_its_own_in_order);
	tcase_add_test(tc, test_pod_on_a_node_is_deleted_gracefully_and_an_unbound_one_at_once);
	tcase_add_test(tc, test_finalizers_hold_an_object_until_removed);
	tcase_add_test(tc, test_generate_name_makes_five_character_names_from_the_seed);
	tcase_add_test(tc, test_lists_are_sorted_and_honour_selectors_and_indexes);
	tcase_add_test(tc, test_store_agrees_with_a_naive_model_under_random_operations);
	suite_add_tcase(s, tc);
	return s;
}
