/* test_ctrl_history.c - ControllerRevisions of StatefulSets and DaemonSets.
 *
 * K8S: pkg/controller/history/controller_history_test.go,
 * pkg/controller/statefulset/stateful_set_control_test.go
 * (TestStatefulSetControlRollback, ...History), pkg/controller/daemon/
 * update_test.go (TestConstructHistory, cleanupHistory).
 *
 * The harness plays scheduler and kubelet: h_auto_ready makes every new
 * pod Running and Ready after a delay, so rollouts finish on their own.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset.h"
#include "ctrl_harness.h"
#include "ctrl_history.h"
#include "ctrl_statefulset.h"
#include "rollout.h"

Suite *ctrl_history_suite(void);

/* ---- helpers ----------------------------------------------------------- */

static struct stateful_set *new_set(int32_t replicas)
{
	struct stateful_set *set = (struct stateful_set *)object_new(&stateful_set_kind);
	set->obj.meta.name = xstrdup("web");
	set->obj.meta.namespace = xstrdup("default");
	strmap_set(&set->spec.selector.match_labels, "app", "web");
	h_template(&set->spec.template, "web", "web:v1");
	set->spec.service_name = xstrdup("nginx");
	h_default(&set->obj);
	set->spec.replicas = replicas;
	return set;
}

static struct daemon_set *new_daemon_set(void)
{
	struct daemon_set *ds = (struct daemon_set *)object_new(&daemon_set_kind);
	ds->obj.meta.name = xstrdup("agent");
	ds->obj.meta.namespace = xstrdup("default");
	strmap_set(&ds->spec.selector.match_labels, "app", "agent");
	h_template(&ds->spec.template, "agent", "agent:v1");
	h_default(&ds->obj);
	return ds;
}

static void create_node(struct harness *h, const char *name)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(name);
	h_default(&node->obj);
	h_create(h, &node->obj);
}

/* Sets the first container's image of a StatefulSet or DaemonSet. */
static void set_image_fn(struct object *obj, void *arg)
{
	struct pod_template_spec *t = obj->kind->id == KIND_STATEFULSET ?
		&((struct stateful_set *)obj)->spec.template :
		&((struct daemon_set *)obj)->spec.template;
	free(t->spec.containers.items[0].image);
	t->spec.containers.items[0].image = xstrdup(arg);
}

static void set_history_limit_fn(struct object *obj, void *arg)
{
	((struct stateful_set *)obj)->spec.revision_history_limit = *(int32_t *)arg;
}

static void set_image(struct harness *h, enum kind_id kind, const char *name,
		      const char *image)
{
	h_update(h, kind, "default", name, set_image_fn, (void *)image, false);
}

/* The revisions in the store, by name; their count is returned. */
static size_t revisions(struct harness *h, const struct controller_revision **out, size_t max)
{
	struct object_list list = {0};
	store_list(h->store, KIND_CONTROLLERREVISION, NULL, NULL, &list);
	size_t n = list.len;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = (const struct controller_revision *)list.items[i];
	object_list_release(&list);
	return n;
}

static const struct controller_revision *revision(struct harness *h, const char *name)
{
	return (const struct controller_revision *)h_get(h, KIND_CONTROLLERREVISION,
							 "default", name);
}

static const struct stateful_set *get_set(struct harness *h)
{
	return (const struct stateful_set *)h_get(h, KIND_STATEFULSET, "default", "web");
}

static const char *image_of(const struct controller_revision *cr)
{
	return cr->data.spec.template.spec.containers.items[0].image;
}

/* ---- names and hashes ---------------------------------------------------- */

START_TEST(test_history_name_is_prefix_dash_hash_with_prefix_cut_at_223)
{
	char *name = history_revision_name("web", "5d4c8b9f7");
	ck_assert_str_eq(name, "web-5d4c8b9f7");
	free(name);
	char long_prefix[300];
	memset(long_prefix, 'a', sizeof(long_prefix) - 1);
	long_prefix[sizeof(long_prefix) - 1] = '\0';
	name = history_revision_name(long_prefix, "hash");
	ck_assert_uint_eq(strlen(name), 223 + 5);
	free(name);
}
END_TEST

START_TEST(test_history_hash_depends_on_data_and_collision_count)
{
	struct stateful_set *set = new_set(1);
	set->obj.meta.uid = xstrdup("uid-1");
	struct controller_revision *a = history_new(&set->obj, &set->spec.template, 1, NULL);
	int32_t zero = 0, one = 1;
	struct controller_revision *b = history_new(&set->obj, &set->spec.template, 7, NULL);
	struct controller_revision *c = history_new(&set->obj, &set->spec.template, 1, &zero);
	struct controller_revision *d = history_new(&set->obj, &set->spec.template, 1, &one);
	/* The revision number is not hashed; the collision count is. */
	ck_assert_str_eq(a->obj.meta.name, b->obj.meta.name);
	ck_assert_str_ne(a->obj.meta.name, c->obj.meta.name);
	ck_assert_str_ne(c->obj.meta.name, d->obj.meta.name);
	ck_assert(history_equal(a, d));
	ck_assert_int_eq(strncmp(a->obj.meta.name, "web-", 4), 0);
	ck_assert_str_eq(strmap_get(&a->obj.meta.labels, HISTORY_HASH_LABEL),
			 a->obj.meta.name + 4);
	ck_assert_str_eq(strmap_get(&a->obj.meta.labels, "app"), "web");
	ck_assert_str_eq(object_controller_of(&a->obj)->kind, "StatefulSet");
	object_unref(&a->obj);
	object_unref(&b->obj);
	object_unref(&c->obj);
	object_unref(&d->obj);
	object_unref(&set->obj);
}
END_TEST

/* ---- StatefulSet --------------------------------------------------------- */

START_TEST(test_statefulset_records_its_template_as_revision_one)
{
	struct harness *h = h_new(0);
	h_start(h, "statefulset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(2)->obj);
	h_run_for(h, 20 * S);
	const struct controller_revision *list[4];
	ck_assert_uint_eq(revisions(h, list, 4), 1);
	ck_assert_int_eq(list[0]->revision, 1);
	ck_assert_str_eq(image_of(list[0]), "web:v1");
	const struct stateful_set *set = get_set(h);
	ck_assert_str_eq(set->status.update_revision, list[0]->obj.meta.name);
	ck_assert_str_eq(set->status.current_revision, list[0]->obj.meta.name);
	/* A StatefulSet's pods carry the revision's name. */
	const struct pod *pod = (const struct pod *)h_get(h, KIND_POD, "default", "web-1");
	ck_assert_str_eq(strmap_get(&pod->obj.meta.labels, STS_REVISION_LABEL),
			 list[0]->obj.meta.name);
	h_free(h);
}
END_TEST

START_TEST(test_statefulset_rollback_renumbers_the_old_revision_instead_of_copying_it)
{
	struct harness *h = h_new(0);
	h_start(h, "statefulset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(2)->obj);
	h_run_for(h, 20 * S);
	char *v1 = xstrdup(get_set(h)->status.update_revision);
	set_image(h, KIND_STATEFULSET, "web", "web:v2");
	h_run_for(h, 30 * S);
	char *v2 = xstrdup(get_set(h)->status.update_revision);
	ck_assert_str_ne(v1, v2);
	ck_assert_int_eq(revision(h, v2)->revision, 2);
	ck_assert_str_eq(get_set(h)->status.current_revision, v2);	/* rollout done */
	/* Back to v1: the first revision becomes number 3, none is added. */
	set_image(h, KIND_STATEFULSET, "web", "web:v1");
	h_run_for(h, 30 * S);
	const struct controller_revision *list[4];
	ck_assert_uint_eq(revisions(h, list, 4), 2);
	ck_assert_int_eq(revision(h, v1)->revision, 3);
	ck_assert_int_eq(revision(h, v2)->revision, 2);
	ck_assert_str_eq(get_set(h)->status.update_revision, v1);
	ck_assert_str_eq(get_set(h)->status.current_revision, v1);
	free(v1);
	free(v2);
	h_free(h);
}
END_TEST

START_TEST(test_statefulset_keeps_revision_history_limit_old_revisions)
{
	struct harness *h = h_new(0);
	h_start(h, "statefulset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(1)->obj);
	h_run_for(h, 10 * S);
	int32_t limit = 1;
	h_update(h, KIND_STATEFULSET, "default", "web", set_history_limit_fn, &limit, false);
	const char *images[] = { "web:v2", "web:v3", "web:v4" };
	for (size_t i = 0; i < 3; i++) {
		set_image(h, KIND_STATEFULSET, "web", images[i]);
		h_run_for(h, 20 * S);
	}
	/* v4 is live (current and update); of v1..v3 only the newest stays. */
	const struct controller_revision *list[8];
	size_t n = revisions(h, list, 8);
	ck_assert_uint_eq(n, 2);
	bool v3 = false, v4 = false;
	for (size_t i = 0; i < n; i++) {
		v3 |= !strcmp(image_of(list[i]), "web:v3") && list[i]->revision == 3;
		v4 |= !strcmp(image_of(list[i]), "web:v4") && list[i]->revision == 4;
	}
	ck_assert(v3 && v4);
	h_free(h);
}
END_TEST

START_TEST(test_statefulset_hash_collision_bumps_collision_count)
{
	struct harness *h = h_new(0);
	/* Someone else's revision already has the name web's template
	 * hashes to, with other data. */
	struct stateful_set *probe = new_set(1);
	probe->obj.meta.uid = xstrdup("other");
	int32_t zero = 0;
	struct controller_revision *squatter =
		history_new(&probe->obj, &probe->spec.template, 1, &zero);
	object_unref(&probe->obj);
	free(squatter->data.spec.template.spec.containers.items[0].image);
	squatter->data.spec.template.spec.containers.items[0].image = xstrdup("other:v9");
	char *taken = xstrdup(squatter->obj.meta.name);
	h_create(h, &squatter->obj);

	h_start(h, "statefulset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(1)->obj);
	h_run_for(h, 10 * S);
	const struct stateful_set *set = get_set(h);
	ck_assert_int_eq(set->status.collision_count, 1);
	ck_assert_str_ne(set->status.update_revision, taken);
	ck_assert_str_eq(image_of(revision(h, set->status.update_revision)), "web:v1");
	ck_assert_str_eq(image_of(revision(h, taken)), "other:v9");
	free(taken);
	h_free(h);
}
END_TEST

/* ---- DaemonSet ----------------------------------------------------------- */

START_TEST(test_daemonset_revision_carries_the_pods_hash_and_renumbers_on_rollback)
{
	struct harness *h = h_new(0);
	create_node(h, "node-1");
	h_start(h, "daemonset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_daemon_set()->obj);
	h_run_for(h, 10 * S);
	const struct controller_revision *list[4];
	ck_assert_uint_eq(revisions(h, list, 4), 1);
	const char *hash = strmap_get(&list[0]->obj.meta.labels, DAEMONSET_HASH_LABEL);
	ck_assert_ptr_nonnull(hash);
	char *v1 = xstrdup(list[0]->obj.meta.name);
	ck_assert_int_eq(list[0]->revision, 1);
	/* The name is DS-HASH and the pod carries the bare hash. */
	char *want = xasprintf("agent-%s", hash);
	ck_assert_str_eq(v1, want);
	free(want);
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &pods);
	ck_assert_uint_eq(pods.len, 1);
	ck_assert_str_eq(strmap_get(&pods.items[0]->meta.labels, DAEMONSET_HASH_LABEL), hash);
	object_list_release(&pods);

	set_image(h, KIND_DAEMONSET, "agent", "agent:v2");
	h_run_for(h, 20 * S);
	ck_assert_uint_eq(revisions(h, list, 4), 2);
	set_image(h, KIND_DAEMONSET, "agent", "agent:v1");
	h_run_for(h, 20 * S);
	ck_assert_uint_eq(revisions(h, list, 4), 2);
	ck_assert_int_eq(revision(h, v1)->revision, 3);
	free(v1);
	h_free(h);
}
END_TEST

/* ---- kubectl rollout for revisions ------------------------------------ */

static char *history_text(struct harness *h, enum kind_id kind, const char *name)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	rollout_history_revisions(h->store, h_get(h, kind, "default", name), out);
	fclose(out);
	return text;
}

static void change_cause_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.annotations, CHANGE_CAUSE_ANNOTATION, arg);
}

START_TEST(test_rollout_undo_statefulset_restores_the_previous_template)
{
	struct harness *h = h_new(0);
	h_start(h, "statefulset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_set(2)->obj);
	h_run_for(h, 20 * S);
	struct api_status status;
	/* One revision: nothing to go back to. */
	ck_assert_int_eq(rollout_undo_revision(&h->actor, KIND_STATEFULSET, "default", "web",
					       0, &status), API_NOT_FOUND);
	ck_assert_str_eq(status.message, "no last revision to roll back to");
	set_image(h, KIND_STATEFULSET, "web", "web:v2");
	h_run_for(h, 30 * S);
	ck_assert_int_eq(rollout_undo_revision(&h->actor, KIND_STATEFULSET, "default", "web",
					       7, &status), API_NOT_FOUND);
	ck_assert_str_eq(status.message, "unable to find specified revision 7 in history");
	ck_assert_int_eq(rollout_undo_revision(&h->actor, KIND_STATEFULSET, "default", "web",
					       2, &status), API_OK);
	ck_assert_str_eq(status.message,
			 "skipped rollback (current template already matches revision 2)");
	ck_assert_int_eq(rollout_undo_revision(&h->actor, KIND_STATEFULSET, "default", "web",
					       0, &status), API_OK);
	ck_assert_str_eq(status.message, "rolled back");
	ck_assert_str_eq(get_set(h)->spec.template.spec.containers.items[0].image, "web:v1");
	h_run_for(h, 30 * S);
	char *text = history_text(h, KIND_STATEFULSET, "web");
	ck_assert_str_eq(text, "REVISION\n2\n3\n");	/* kubectl shows no causes here */
	free(text);
	char *message = NULL;
	ck_assert_int_eq(rollout_status_statefulset(get_set(h), &message), ROLLOUT_DONE);
	ck_assert_str_eq(message, "partitioned roll out complete: 2 new pods have been updated...");
	free(message);
	h_free(h);
}
END_TEST

START_TEST(test_rollout_daemonset_history_status_and_undo)
{
	struct harness *h = h_new(0);
	create_node(h, "node-1");
	create_node(h, "node-2");
	h_start(h, "daemonset-controller");
	h_auto_ready(h, 2 * S);
	h_create(h, &new_daemon_set()->obj);
	h_run_for(h, 10 * S);
	/* The change-cause annotation is copied into the next revision. */
	h_update(h, KIND_DAEMONSET, "default", "agent", change_cause_fn,
		 "kubectl set image ds/agent agent=agent:v2", false);
	set_image(h, KIND_DAEMONSET, "agent", "agent:v2");
	char *message = NULL;
	const struct daemon_set *ds =
		(const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", "agent");
	ck_assert_int_eq(rollout_status_daemonset(ds, &message), ROLLOUT_WAITING);
	ck_assert_str_eq(message, "Waiting for daemon set spec update to be observed...");
	free(message);
	h_run_for(h, 1 * S);
	ds = (const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", "agent");
	ck_assert_int_eq(rollout_status_daemonset(ds, &message), ROLLOUT_WAITING);
	ck_assert_int_eq(strncmp(message, "Waiting for daemon set \"agent\" rollout to finish: ",
				 50), 0);
	free(message);
	h_run_for(h, 30 * S);
	ds = (const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", "agent");
	ck_assert_int_eq(rollout_status_daemonset(ds, &message), ROLLOUT_DONE);
	ck_assert_str_eq(message, "daemon set \"agent\" successfully rolled out");
	free(message);
	char *text = history_text(h, KIND_DAEMONSET, "agent");
	ck_assert_str_eq(text, "REVISION  CHANGE-CAUSE\n"
			       "1         <none>\n"
			       "2         kubectl set image ds/agent agent=agent:v2\n");
	free(text);
	struct api_status status;
	ck_assert_int_eq(rollout_undo_revision(&h->actor, KIND_DAEMONSET, "default", "agent",
					       1, &status), API_OK);
	ck_assert_str_eq(status.message, "rolled back");
	h_run_for(h, 30 * S);
	ds = (const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", "agent");
	ck_assert_str_eq(ds->spec.template.spec.containers.items[0].image, "agent:v1");
	ck_assert_int_eq(ds->status.updated_number_scheduled, 2);
	h_free(h);
}
END_TEST

Suite *ctrl_history_suite(void)
{
	Suite *s = suite_create("ctrl_history");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_history_name_is_prefix_dash_hash_with_prefix_cut_at_223);
	tcase_add_test(tc, test_history_hash_depends_on_data_and_collision_count);
	tcase_add_test(tc, test_statefulset_records_its_template_as_revision_one);
	tcase_add_test(tc, test_statefulset_rollback_renumbers_the_old_revision_instead_of_copying_it);
	tcase_add_test(tc, test_statefulset_keeps_revision_history_limit_old_revisions);
	tcase_add_test(tc, test_statefulset_hash_collision_bumps_collision_count);
	tcase_add_test(tc, test_daemonset_revision_carries_the_pods_hash_and_renumbers_on_rollback);
	tcase_add_test(tc, test_rollout_undo_statefulset_restores_the_previous_template);
	tcase_add_test(tc, test_rollout_daemonset_history_status_and_undo);
	suite_add_tcase(s, tc);
	return s;
}
