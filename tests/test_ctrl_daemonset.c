/* test_ctrl_daemonset.c - the DaemonSet controller and its node rules.
 *
 * The reconcile tests run the real controller over an engine and a store
 * (tests/ctrl_harness.h) with nodes the test creates; there is no
 * scheduler and no kubelet, so daemon pods stay unbound unless the test
 * binds them, and become ready only when the test says so. The controller
 * is started through its row directly (it is not in controller_table
 * yet). The rule tests call daemonset_node_should_run on hand-built
 * objects.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset.h"
#include "ctrl_harness.h"

Suite *ctrl_daemonset_suite(void);

static void start_daemonset_controller(struct harness *h)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = daemonset_controller.name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
	};
	h->ops[i] = &daemonset_controller;
	h->states[i] = daemonset_controller.start(&h->clients[i]);
}

static void add_taint(struct node *node, const char *key, const char *effect)
{
	size_t cap = node->spec.taints.len;
	xgrow((void **)&node->spec.taints.items, &cap, node->spec.taints.len + 1,
	      sizeof(struct taint));
	struct taint *t = &node->spec.taints.items[node->spec.taints.len++];
	memset(t, 0, sizeof(*t));
	t->key = xstrdup(key);
	t->effect = xstrdup(effect);
}

static struct node *new_node(const char *name)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(name);
	h_default(&node->obj);
	return node;
}

/* A node, optionally tainted key:effect. */
static void create_node(struct harness *h, const char *name, const char *taint,
			const char *effect)
{
	struct node *node = new_node(name);
	if (taint)
		add_taint(node, taint, effect);
	h_create(h, &node->obj);
}

static struct daemon_set *new_daemon_set(const char *name)
{
	struct daemon_set *ds = (struct daemon_set *)object_new(&daemon_set_kind);
	ds->obj.meta.name = xstrdup(name);
	ds->obj.meta.namespace = xstrdup("default");
	strmap_set(&ds->spec.selector.match_labels, "app", name);
	h_template(&ds->spec.template, name, "agent:v1");
	h_default(&ds->obj);
	return ds;
}

static void tolerate(struct pod_spec *spec, const char *key)
{
	size_t cap = spec->tolerations.len;
	xgrow((void **)&spec->tolerations.items, &cap, spec->tolerations.len + 1,
	      sizeof(struct toleration));
	struct toleration *t = &spec->tolerations.items[spec->tolerations.len++];
	memset(t, 0, sizeof(*t));
	t->key = xstrdup(key);
	t->operator = xstrdup("Exists");
}

static const struct daemon_set *get_ds(struct harness *h, const char *name)
{
	return (const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", name);
}

/* The active pods of the DaemonSet, in key order (at most max). */
static size_t ds_pods(struct harness *h, const char *name, const struct pod **out, size_t max)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_POD, get_ds(h, name)->obj.meta.uid, &list);
	size_t n = 0;
	for (size_t i = 0; i < list.len && n < max; i++)
		if (!object_is_deleting(list.items[i]))
			out[n++] = (const struct pod *)list.items[i];
	object_list_release(&list);
	return n;
}

/* The DaemonSet's active pod aimed at node, or NULL. */
static const struct pod *pod_for(struct harness *h, const char *ds, const char *node)
{
	const struct pod *pods[16];
	size_t n = ds_pods(h, ds, pods, 16);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(daemonset_target_node(pods[i]), node))
			return pods[i];
	return NULL;
}

static bool has_toleration(const struct pod *pod, const char *key, const char *effect)
{
	for (size_t i = 0; i < pod->spec.tolerations.len; i++) {
		const struct toleration *t = &pod->spec.tolerations.items[i];
		if (t->key && !strcmp(t->key, key) && t->effect && !strcmp(t->effect, effect) &&
		    t->operator && !strcmp(t->operator, "Exists") && !t->toleration_seconds.is_set)
			return true;
	}
	return false;
}

static void three_workers_one_tainted(struct harness *h)
{
	create_node(h, "worker-1", NULL, NULL);
	create_node(h, "worker-2", NULL, NULL);
	create_node(h, "worker-3", "dedicated", TAINT_NO_SCHEDULE);
}

/* ---- placement ----------------------------------------------------------- */

START_TEST(test_daemonset_creates_one_pod_per_eligible_node_for_the_scheduler)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	three_workers_one_tainted(h);
	h_create(h, &new_daemon_set("agent")->obj);
	h_run_for(h, 1 * S);

	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 2);
	ck_assert_ptr_nonnull(pod_for(h, "agent", "worker-1"));
	ck_assert_ptr_nonnull(pod_for(h, "agent", "worker-2"));
	ck_assert_ptr_null(pod_for(h, "agent", "worker-3"));

	const struct daemon_set *ds = get_ds(h, "agent");
	char *hash = daemonset_template_hash(&ds->spec.template);
	for (size_t i = 0; i < 2; i++) {
		const struct pod *pod = pods[i];
		/* Placed by the scheduler through a node-name affinity. */
		ck_assert_ptr_null(pod->spec.node_name);
		const struct node_selector *required = &pod->spec.affinity.node_affinity
			.required_during_scheduling_ignored_during_execution;
		ck_assert_uint_eq(required->node_selector_terms.len, 1);
		const struct node_selector_term *term = &required->node_selector_terms.items[0];
		ck_assert_uint_eq(term->match_expressions.len, 0);
		ck_assert_uint_eq(term->match_fields.len, 1);
		ck_assert_str_eq(term->match_fields.items[0].key, "metadata.name");
		ck_assert_str_eq(term->match_fields.items[0].operator, "In");
		ck_assert_uint_eq(term->match_fields.items[0].values.len, 1);
		/* The daemon tolerations, without a time limit. */
		ck_assert(has_toleration(pod, TAINT_NODE_NOT_READY, TAINT_NO_EXECUTE));
		ck_assert(has_toleration(pod, TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE));
		ck_assert(has_toleration(pod, "node.kubernetes.io/disk-pressure", TAINT_NO_SCHEDULE));
		ck_assert(has_toleration(pod, "node.kubernetes.io/memory-pressure", TAINT_NO_SCHEDULE));
		ck_assert(has_toleration(pod, "node.kubernetes.io/pid-pressure", TAINT_NO_SCHEDULE));
		ck_assert(has_toleration(pod, TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE));
		ck_assert(!has_toleration(pod, "node.kubernetes.io/network-unavailable",
					  TAINT_NO_SCHEDULE));
		ck_assert_uint_eq(pod->spec.tolerations.len, 6);	/* admission added none */
		ck_assert_str_eq(strmap_get(&pod->obj.meta.labels, DAEMONSET_HASH_LABEL), hash);
		ck_assert_str_eq(pod->obj.meta.generate_name, "agent-");
		char message[160];
		snprintf(message, sizeof(message), "Created pod: %s", pod->obj.meta.name);
		ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", message), 1);
	}
	free(hash);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 2);
	ck_assert_str_eq(h_find_event(h, "SuccessfulCreate", NULL)->kind, "DaemonSet");

	ck_assert_int_eq(ds->status.desired_number_scheduled, 2);
	ck_assert_int_eq(ds->status.current_number_scheduled, 2);
	ck_assert_int_eq(ds->status.number_misscheduled, 0);
	ck_assert_int_eq(ds->status.number_ready, 0);
	ck_assert_int_eq(ds->status.number_available, 0);
	ck_assert_int_eq(ds->status.number_unavailable, 2);
	ck_assert_int_eq(ds->status.updated_number_scheduled, 2);
	ck_assert_int_eq(ds->status.observed_generation, ds->obj.meta.generation);
	h_free(h);
}
END_TEST

START_TEST(test_daemonset_that_tolerates_the_taint_runs_on_every_node)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	three_workers_one_tainted(h);
	struct daemon_set *ds = new_daemon_set("logs");
	tolerate(&ds->spec.template.spec, "dedicated");
	h_create(h, &ds->obj);
	h_run_for(h, 1 * S);

	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "logs", pods, 8), 3);
	ck_assert_ptr_nonnull(pod_for(h, "logs", "worker-3"));
	ck_assert_int_eq(get_ds(h, "logs")->status.desired_number_scheduled, 3);
	h_free(h);
}
END_TEST

START_TEST(test_daemonset_status_counts_ready_and_available_pods)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	three_workers_one_tainted(h);
	struct daemon_set *ds = new_daemon_set("agent");
	ds->spec.min_ready_seconds = 10;
	h_create(h, &ds->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 2);
	char names[2][64];
	for (size_t i = 0; i < 2; i++)
		snprintf(names[i], sizeof(names[i]), "%s", pods[i]->obj.meta.name);
	for (size_t i = 0; i < 2; i++) {
		h_bind(h, names[i], daemonset_target_node(pods[i]));
		ds_pods(h, "agent", pods, 8);	/* the bind replaced the objects */
	}
	h_set_running(h, names[0], true);
	h_set_running(h, names[1], true);
	h_run_for(h, 1 * S);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_ready, 2);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_available, 0);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_unavailable, 2);
	h_run_for(h, 11 * S);	/* minReadySeconds later, without another event */
	ck_assert_int_eq(get_ds(h, "agent")->status.number_available, 2);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_unavailable, 0);
	ck_assert_int_eq(get_ds(h, "agent")->status.current_number_scheduled, 2);
	h_free(h);
}
END_TEST

/* ---- nodes come and go --------------------------------------------------- */

static void set_label_fn(struct object *obj, void *arg)
{
	const char *const *kv = arg;
	if (kv[1])
		strmap_set(&obj->meta.labels, kv[0], kv[1]);
	else
		strmap_remove(&obj->meta.labels, kv[0]);
}

static void label_node(struct harness *h, const char *node, const char *key, const char *value)
{
	const char *kv[2] = { key, value };
	h_update(h, KIND_NODE, NULL, node, set_label_fn, kv, false);
}

START_TEST(test_daemonset_follows_node_labels_additions_and_deletions)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_node(h, "worker-1", NULL, NULL);
	create_node(h, "worker-2", NULL, NULL);
	struct daemon_set *ds = new_daemon_set("agent");
	strmap_set(&ds->spec.template.spec.node_selector, "role", "edge");
	h_create(h, &ds->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 0);
	ck_assert_int_eq(get_ds(h, "agent")->status.desired_number_scheduled, 0);

	label_node(h, "worker-2", "role", "edge");
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	ck_assert_str_eq(daemonset_target_node(pods[0]), "worker-2");

	create_node(h, "worker-3", NULL, NULL);
	struct node *labelled = new_node("worker-4");
	strmap_set(&labelled->obj.meta.labels, "role", "edge");
	h_create(h, &labelled->obj);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 2);
	ck_assert_ptr_nonnull(pod_for(h, "agent", "worker-4"));
	ck_assert_int_eq(get_ds(h, "agent")->status.desired_number_scheduled, 2);

	/* The label goes: the pod goes (unbound, so at once). */
	char victim[64];
	snprintf(victim, sizeof(victim), "%s", pod_for(h, "agent", "worker-2")->obj.meta.name);
	label_node(h, "worker-2", "role", NULL);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	char message[160];
	snprintf(message, sizeof(message), "Deleted pod: %s", victim);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", message), 1);

	/* A deleted node no longer counts. */
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, KIND_NODE, NULL, "worker-4", &options,
				       &status), API_OK);
	h_run_for(h, 1 * S);
	ck_assert_int_eq(get_ds(h, "agent")->status.desired_number_scheduled, 0);
	/* ... and its unscheduled pod, which nobody could ever place, goes. */
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 0);
	h_free(h);
}
END_TEST

struct taint_arg {
	const char *key, *effect;
	bool cordon;
};

static void taint_fn(struct object *obj, void *arg)
{
	const struct taint_arg *want = arg;
	struct node *node = (struct node *)obj;
	if (want->cordon)
		node->spec.unschedulable = true;
	add_taint(node, want->key, want->effect);
}

static void taint_node(struct harness *h, const char *node, const char *key,
		       const char *effect, bool cordon)
{
	struct taint_arg arg = { key, effect, cordon };
	h_update(h, KIND_NODE, NULL, node, taint_fn, &arg, false);
}

/* Binds every pod of the DaemonSet to its node and makes it ready. */
static void run_all(struct harness *h, const char *ds)
{
	const struct pod *pods[16];
	size_t n = ds_pods(h, ds, pods, 16);
	char names[16][64], nodes[16][64];
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", pods[i]->obj.meta.name);
		snprintf(nodes[i], sizeof(nodes[i]), "%s", daemonset_target_node(pods[i]));
	}
	for (size_t i = 0; i < n; i++) {
		h_bind(h, names[i], nodes[i]);
		h_set_running(h, names[i], true);
	}
}

START_TEST(test_daemon_pods_survive_a_cordon_and_a_no_schedule_taint_but_not_no_execute)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_node(h, "worker-1", NULL, NULL);
	create_node(h, "worker-2", NULL, NULL);
	create_node(h, "worker-3", NULL, NULL);
	h_create(h, &new_daemon_set("agent")->obj);
	h_run_for(h, 1 * S);
	run_all(h, "agent");
	h_run_for(h, 1 * S);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_ready, 3);

	/* kubectl cordon, and the taint the node lifecycle controller adds
	 * for it: tolerated by every daemon pod. */
	taint_node(h, "worker-1", TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE, true);
	/* A NoSchedule taint the pod does not tolerate keeps new pods away
	 * but leaves the running one: it is counted as misscheduled. */
	taint_node(h, "worker-2", "dedicated", TAINT_NO_SCHEDULE, false);
	h_run_for(h, 1 * S);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 3);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 0);
	const struct daemon_set *ds = get_ds(h, "agent");
	ck_assert_int_eq(ds->status.desired_number_scheduled, 2);
	ck_assert_int_eq(ds->status.current_number_scheduled, 2);
	ck_assert_int_eq(ds->status.number_misscheduled, 1);

	/* A NoExecute taint it does not tolerate: the pod must go. It is
	 * bound, so it stays Terminating (no kubelet here to confirm). */
	taint_node(h, "worker-3", "maintenance", TAINT_NO_EXECUTE, false);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 1);
	ck_assert_ptr_null(pod_for(h, "agent", "worker-3"));
	ck_assert_int_eq(get_ds(h, "agent")->status.desired_number_scheduled, 1);
	h_free(h);
}
END_TEST

/* ---- pods that should not be there --------------------------------------- */

START_TEST(test_daemonset_adopts_an_orphan_and_deletes_the_newer_surplus_pod)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_node(h, "worker-1", NULL, NULL);
	/* OnDelete: a rolling update would also replace the adopted pod, which
	 * lacks the hash label. */
	struct daemon_set *ds = new_daemon_set("agent");
	free(ds->spec.update_strategy.type);
	ds->spec.update_strategy.type = xstrdup("OnDelete");
	h_create(h, &ds->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	char first[64];
	snprintf(first, sizeof(first), "%s", pods[0]->obj.meta.name);
	h_bind(h, first, "worker-1");	/* bound pods are kept before unbound */

	h_run_for(h, 5 * S);
	struct pod *stray = (struct pod *)object_new(&pod_kind);
	stray->obj.meta.name = xstrdup("stray");
	stray->obj.meta.namespace = xstrdup("default");
	strmap_set(&stray->obj.meta.labels, "app", "agent");
	struct pod_template_spec t = {0};
	h_template(&t, "agent", "agent:v1");
	schema_copy(&pod_spec_schema, &stray->spec, &t.spec);
	schema_release(&pod_template_spec_schema, &t);
	free(stray->spec.node_name);
	stray->spec.node_name = xstrdup("worker-1");
	h_create(h, &stray->obj);
	h_run_for(h, 1 * S);

	/* Adopted (owner reference added), then deleted as the newer of two
	 * bound pods. It stays Terminating (no kubelet): no longer active. */
	const struct object *adopted = h_get(h, KIND_POD, "default", "stray");
	ck_assert_ptr_nonnull(adopted);
	ck_assert_ptr_nonnull(object_controller_of(adopted));
	ck_assert(object_is_deleting(adopted));
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	ck_assert_str_eq(pods[0]->obj.meta.name, first);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", "Deleted pod: stray"), 1);
	h_free(h);
}
END_TEST

static void fail_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(POD_PHASE_FAILED);
}

START_TEST(test_failed_daemon_pod_is_replaced_with_an_event_and_a_backoff)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_node(h, "worker-1", NULL, NULL);
	h_create(h, &new_daemon_set("agent")->obj);
	h_run_for(h, 1 * S);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	char name[64];
	snprintf(name, sizeof(name), "%s", pods[0]->obj.meta.name);

	/* Failed (unbound, so deleted at once), twice in a row. */
	h_update(h, KIND_POD, "default", name, fail_fn, NULL, true);
	h_run_for(h, 100 * KTIME_MS);
	char message[200];
	snprintf(message, sizeof(message),
		 "Found failed daemon pod default/%s on node worker-1, will try to kill it", name);
	ck_assert_uint_eq(h_count_events(h, "FailedDaemonPod", message), 1);
	ck_assert_str_eq(h_find_event(h, "FailedDaemonPod", NULL)->type, "Warning");
	ck_assert_ptr_null(h_get(h, KIND_POD, "default", name));
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	snprintf(name, sizeof(name), "%s", pods[0]->obj.meta.name);

	h_update(h, KIND_POD, "default", name, fail_fn, NULL, true);
	h_run_for(h, 100 * KTIME_MS);
	/* Within the 1 s backoff: the failed pod is left alone for now. */
	ck_assert_uint_eq(h_count_events(h, "FailedDaemonPod", NULL), 1);
	ck_assert_ptr_nonnull(h_get(h, KIND_POD, "default", name));
	h_run_for(h, 2 * S);
	ck_assert_uint_eq(h_count_events(h, "FailedDaemonPod", NULL), 2);
	ck_assert_ptr_null(h_get(h, KIND_POD, "default", name));
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 1);
	h_free(h);
}
END_TEST

/* ---- updates ------------------------------------------------------------- */

static void set_image_fn(struct object *obj, void *arg)
{
	struct daemon_set *ds = (struct daemon_set *)obj;
	free(ds->spec.template.spec.containers.items[0].image);
	ds->spec.template.spec.containers.items[0].image = xstrdup(arg);
}

/* Nodes without an active, ready pod of the DaemonSet. */
static int unavailable_nodes(struct harness *h, const char *ds, int nodes)
{
	struct h_pods n = h_count_pods(h, get_ds(h, ds)->obj.meta.uid);
	return nodes - (int)n.ready;
}

START_TEST(test_rolling_update_replaces_pods_one_node_at_a_time)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	for (int i = 1; i <= 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "worker-%d", i);
		create_node(h, name, NULL, NULL);
	}
	h_auto_ready(h, 2 * S);
	h_create(h, &new_daemon_set("agent")->obj);
	h_run_for(h, 5 * S);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_available, 4);

	h_update(h, KIND_DAEMONSET, "default", "agent", set_image_fn, "agent:v2", false);
	int worst = 0;
	for (int step = 0; step < 300; step++) {	/* 30 s in 100 ms steps */
		h_run_for(h, 100 * KTIME_MS);
		int down = unavailable_nodes(h, "agent", 4);
		worst = down > worst ? down : worst;
	}
	ck_assert_int_eq(worst, 1);	/* maxUnavailable: 1 (the default) */
	const struct daemon_set *ds = get_ds(h, "agent");
	ck_assert_int_eq(ds->status.updated_number_scheduled, 4);
	ck_assert_int_eq(ds->status.number_available, 4);
	ck_assert_int_eq(ds->status.observed_generation, ds->obj.meta.generation);
	const struct pod *pods[8];
	ck_assert_uint_eq(ds_pods(h, "agent", pods, 8), 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(pods[i]->spec.containers.items[0].image, "agent:v2");
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 4);
	h_free(h);
}
END_TEST

START_TEST(test_on_delete_strategy_replaces_only_pods_deleted_by_hand)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_node(h, "worker-1", NULL, NULL);
	create_node(h, "worker-2", NULL, NULL);
	struct daemon_set *ds = new_daemon_set("agent");
	free(ds->spec.update_strategy.type);
	ds->spec.update_strategy.type = xstrdup("OnDelete");
	h_auto_ready(h, 1 * S);
	h_create(h, &ds->obj);
	h_run_for(h, 3 * S);
	h_update(h, KIND_DAEMONSET, "default", "agent", set_image_fn, "agent:v2", false);
	h_run_for(h, 10 * S);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 0);
	ck_assert_int_eq(get_ds(h, "agent")->status.updated_number_scheduled, 0);
	ck_assert_int_eq(get_ds(h, "agent")->status.number_available, 2);

	char victim[64];
	snprintf(victim, sizeof(victim), "%s", pod_for(h, "agent", "worker-1")->obj.meta.name);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", victim, &options,
				       &status), API_OK);
	h_run_for(h, 3 * S);
	ck_assert_str_eq(pod_for(h, "agent", "worker-1")->spec.containers.items[0].image,
			 "agent:v2");
	ck_assert_str_eq(pod_for(h, "agent", "worker-2")->spec.containers.items[0].image,
			 "agent:v1");
	ck_assert_int_eq(get_ds(h, "agent")->status.updated_number_scheduled, 1);
	h_free(h);
}
END_TEST

/* ---- the node rules ------------------------------------------------------ */

static void check_verdict(const struct daemon_set *ds, const struct node *node,
			  bool want_run, bool want_continue)
{
	bool run, keep;
	daemonset_node_should_run(ds, node, &run, &keep);
	ck_assert_msg(run == want_run && keep == want_continue,
		      "node %s: run %d continue %d, want %d %d", node->obj.meta.name,
		      run, keep, want_run, want_continue);
}

START_TEST(test_node_eligibility_follows_selector_affinity_and_taints)
{
	struct daemon_set *ds = new_daemon_set("agent");
	struct node *plain = new_node("plain");
	check_verdict(ds, plain, true, true);

	/* The default daemon tolerations cover node problems and cordons. */
	struct node *troubled = new_node("troubled");
	add_taint(troubled, TAINT_NODE_NOT_READY, TAINT_NO_EXECUTE);
	add_taint(troubled, TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE);
	add_taint(troubled, "node.kubernetes.io/memory-pressure", TAINT_NO_SCHEDULE);
	add_taint(troubled, TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE);
	add_taint(troubled, "soft", TAINT_PREFER_NO_SCHEDULE);
	check_verdict(ds, troubled, true, true);

	/* network-unavailable only for hostNetwork pods. */
	struct node *no_network = new_node("no-network");
	add_taint(no_network, "node.kubernetes.io/network-unavailable", TAINT_NO_SCHEDULE);
	check_verdict(ds, no_network, false, true);
	ds->spec.template.spec.host_network = true;
	check_verdict(ds, no_network, true, true);

	struct node *evicting = new_node("evicting");
	add_taint(evicting, "maintenance", TAINT_NO_EXECUTE);
	check_verdict(ds, evicting, false, false);
	tolerate(&ds->spec.template.spec, "maintenance");
	check_verdict(ds, evicting, true, true);

	/* nodeSelector and required node affinity (either term). */
	strmap_set(&plain->obj.meta.labels, "disk", "ssd");
	strmap_set(&ds->spec.template.spec.node_selector, "disk", "ssd");
	check_verdict(ds, plain, true, true);
	check_verdict(ds, troubled, false, false);
	struct node_selector *required = &ds->spec.template.spec.affinity.node_affinity
		.required_during_scheduling_ignored_during_execution;
	daemonset_set_node_affinity(&ds->spec.template.spec, "elsewhere");
	check_verdict(ds, plain, false, false);
	daemonset_set_node_affinity(&ds->spec.template.spec, "plain");
	check_verdict(ds, plain, true, true);
	ck_assert_uint_eq(required->node_selector_terms.len, 1);

	/* A template naming a node runs there only. */
	ds->spec.template.spec.node_name = xstrdup("other");
	check_verdict(ds, plain, false, false);

	object_unref(&ds->obj);
	object_unref(&plain->obj);
	object_unref(&troubled->obj);
	object_unref(&no_network->obj);
	object_unref(&evicting->obj);
}
END_TEST

START_TEST(test_daemon_tolerations_replace_a_timed_one_and_are_not_duplicated)
{
	struct pod_spec spec = {0};
	tolerate(&spec, TAINT_NODE_NOT_READY);
	spec.tolerations.items[0].effect = xstrdup(TAINT_NO_EXECUTE);
	spec.tolerations.items[0].toleration_seconds.is_set = true;
	spec.tolerations.items[0].toleration_seconds.value = 300;
	daemonset_add_tolerations(&spec);
	daemonset_add_tolerations(&spec);
	ck_assert_uint_eq(spec.tolerations.len, 6);
	ck_assert_str_eq(spec.tolerations.items[0].key, TAINT_NODE_NOT_READY);
	ck_assert(!spec.tolerations.items[0].toleration_seconds.is_set);
	schema_release(&pod_spec_schema, &spec);
}
END_TEST

START_TEST(test_target_node_is_the_binding_or_the_affinity)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	ck_assert_ptr_null(daemonset_target_node(pod));
	daemonset_set_node_affinity(&pod->spec, "worker-2");
	ck_assert_str_eq(daemonset_target_node(pod), "worker-2");
	pod->spec.node_name = xstrdup("worker-9");
	ck_assert_str_eq(daemonset_target_node(pod), "worker-9");
	object_unref(&pod->obj);

	/* The hash changes with the template, and only with it. */
	struct pod_template_spec a = {0}, b = {0};
	h_template(&a, "agent", "agent:v1");
	h_template(&b, "agent", "agent:v1");
	char *ha = daemonset_template_hash(&a), *hb = daemonset_template_hash(&b);
	ck_assert_str_eq(ha, hb);
	free(b.spec.containers.items[0].image);
	b.spec.containers.items[0].image = xstrdup("agent:v2");
	char *hc = daemonset_template_hash(&b);
	ck_assert_str_ne(ha, hc);
	free(ha);
	free(hb);
	free(hc);
	schema_release(&pod_template_spec_schema, &a);
	schema_release(&pod_template_spec_schema, &b);
}
END_TEST

Suite *ctrl_daemonset_suite(void)
{
	Suite *s = suite_create("ctrl_daemonset");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_daemonset_creates_one_pod_per_eligible_node_for_the_scheduler);
	tcase_add_test(tc, test_daemonset_that_tolerates_the_taint_runs_on_every_node);
	tcase_add_test(tc, test_daemonset_status_counts_ready_and_available_pods);
	tcase_add_test(tc, test_daemonset_follows_node_labels_additions_and_deletions);
	tcase_add_test(tc, test_daemon_pods_survive_a_cordon_and_a_no_schedule_taint_but_not_no_execute);
	tcase_add_test(tc, test_daemonset_adopts_an_orphan_and_deletes_the_newer_surplus_pod);
	tcase_add_test(tc, test_failed_daemon_pod_is_replaced_with_an_event_and_a_backoff);
	tcase_add_test(tc, test_rolling_update_replaces_pods_one_node_at_a_time);
	tcase_add_test(tc, test_on_delete_strategy_replaces_only_pods_deleted_by_hand);
	tcase_add_test(tc, test_node_eligibility_follows_selector_affinity_and_taints);
	tcase_add_test(tc, test_daemon_tolerations_replace_a_timed_one_and_are_not_duplicated);
	tcase_add_test(tc, test_target_node_is_the_binding_or_the_affinity);
	suite_add_tcase(s, tc);
	return s;
}
