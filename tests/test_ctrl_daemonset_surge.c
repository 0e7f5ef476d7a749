/* test_ctrl_daemonset_surge.c - the DaemonSet's rolling update with
 * maxSurge: the new pod starts beside the old one, which goes once the
 * new one is available.
 *
 * The reconcile tests run the real controller over an engine and a store
 * (tests/ctrl_harness.h) with no scheduler and no kubelet: every new pod
 * becomes ready after a delay (h_auto_ready). The arithmetic tests call
 * daemonset_surge_count on hand-built objects, against upstream's
 * intstr.GetScaledValueFromIntOrPercent rounding (up).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_daemonset_surge_suite(void);

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

static void create_nodes(struct harness *h, int n)
{
	for (int i = 1; i <= n; i++) {
		struct node *node = (struct node *)object_new(&node_kind);
		node->obj.meta.name = xasprintf("worker-%d", i);
		h_default(&node->obj);
		h_create(h, &node->obj);
	}
}

static void set_limit(struct int_or_string *v, const char *text)
{
	free(v->str_value);
	memset(v, 0, sizeof(*v));
	v->is_set = true;
	if (strchr(text, '%')) {
		v->is_string = true;
		v->str_value = xstrdup(text);
	} else {
		v->int_value = atoi(text);
	}
}

/* A DaemonSet "agent" (agent:v1) with the given limits. */
static struct daemon_set *new_daemon_set(const char *max_surge, const char *max_unavailable)
{
	struct daemon_set *ds = (struct daemon_set *)object_new(&daemon_set_kind);
	ds->obj.meta.name = xstrdup("agent");
	ds->obj.meta.namespace = xstrdup("default");
	strmap_set(&ds->spec.selector.match_labels, "app", "agent");
	h_template(&ds->spec.template, "agent", "agent:v1");
	h_default(&ds->obj);
	set_limit(&ds->spec.update_strategy.rolling_update.max_surge, max_surge);
	set_limit(&ds->spec.update_strategy.rolling_update.max_unavailable, max_unavailable);
	return ds;
}

static const struct daemon_set *get_ds(struct harness *h)
{
	return (const struct daemon_set *)h_get(h, KIND_DAEMONSET, "default", "agent");
}

static void set_image_fn(struct object *obj, void *arg)
{
	struct daemon_set *ds = (struct daemon_set *)obj;
	free(ds->spec.template.spec.containers.items[0].image);
	ds->spec.template.spec.containers.items[0].image = xstrdup(arg);
}

/* What a user watching `kubectl get pods -o wide` would count. */
struct sample {
	int active;		/* pods not terminating */
	int served;		/* nodes with a ready, active pod */
	int updated;		/* active pods of agent:v2 */
};

static struct sample look(struct harness *h, int nodes)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_POD, get_ds(h)->obj.meta.uid, &list);
	struct sample s = {0};
	bool served[16] = {0};
	for (size_t i = 0; i < list.len; i++) {
		const struct pod *pod = (const struct pod *)list.items[i];
		if (object_is_deleting(&pod->obj))
			continue;
		s.active++;
		s.updated += !strcmp(pod->spec.containers.items[0].image, "agent:v2");
		int n = atoi(daemonset_target_node(pod) + strlen("worker-"));
		if (n >= 1 && n <= nodes && ctrl_pod_is_ready(pod))
			served[n - 1] = true;
	}
	object_list_release(&list);
	for (int i = 0; i < nodes; i++)
		s.served += served[i];
	return s;
}

/* Runs the update from agent:v1 to agent:v2 for 30 s, sampling every
 * 100 ms; returns the fewest nodes served and the most pods seen. */
static void roll(struct harness *h, int nodes, int *least_served, int *most_active)
{
	h_update(h, KIND_DAEMONSET, "default", "agent", set_image_fn, "agent:v2", false);
	*least_served = nodes;
	*most_active = 0;
	for (int step = 0; step < 300; step++) {
		h_run_for(h, 100 * KTIME_MS);
		struct sample s = look(h, nodes);
		*least_served = s.served < *least_served ? s.served : *least_served;
		*most_active = s.active > *most_active ? s.active : *most_active;
	}
}

START_TEST(test_surge_starts_the_new_pod_before_deleting_the_old_one)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_nodes(h, 4);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_daemon_set("1", "0")->obj);
	h_run_for(h, 5 * S);
	ck_assert_int_eq(get_ds(h)->status.number_available, 4);

	int least_served, most_active;
	roll(h, 4, &least_served, &most_active);
	ck_assert_int_eq(least_served, 4);	/* never a node without a ready pod */
	ck_assert_int_eq(most_active, 5);	/* 4 nodes + maxSurge 1 */
	struct sample end = look(h, 4);
	ck_assert_int_eq(end.active, 4);
	ck_assert_int_eq(end.updated, 4);
	const struct daemon_set *ds = get_ds(h);
	ck_assert_int_eq(ds->status.updated_number_scheduled, 4);
	ck_assert_int_eq(ds->status.number_available, 4);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 4);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 8);
	h_free(h);
}
END_TEST

START_TEST(test_surge_percentage_rounds_up_and_bounds_the_extra_pods)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_nodes(h, 6);
	h_auto_ready(h, 2 * S);
	h_create(h, &new_daemon_set("25%", "0")->obj);	/* 25% of 6 = 1.5 -> 2 */
	h_run_for(h, 5 * S);

	int least_served, most_active;
	roll(h, 6, &least_served, &most_active);
	ck_assert_int_eq(least_served, 6);
	ck_assert_int_eq(most_active, 8);
	ck_assert_int_eq(look(h, 6).updated, 6);
	ck_assert_int_eq(look(h, 6).active, 6);
	h_free(h);
}
END_TEST

START_TEST(test_unavailable_old_pod_is_replaced_at_once_outside_the_surge_budget)
{
	struct harness *h = h_new(0);
	start_daemonset_controller(h);
	create_nodes(h, 3);
	h_create(h, &new_daemon_set("1", "0")->obj);
	h_run_for(h, 3 * S);
	/* No pod is ready: every old pod is unavailable, so each gets its
	 * new pod at once and none waits for the surge budget. */
	h_update(h, KIND_DAEMONSET, "default", "agent", set_image_fn, "agent:v2", false);
	h_run_for(h, 3 * S);
	struct sample s = look(h, 3);
	ck_assert_int_eq(s.updated, 3);
	ck_assert_int_eq(s.active, 3);	/* the unready old pods went too */
	h_free(h);
}
END_TEST

START_TEST(test_surge_and_unavailable_counts_scale_as_upstream)
{
	struct daemon_set *ds = new_daemon_set("25%", "0");
	int32_t n;
	ck_assert_int_eq(daemonset_surge_count(ds, 6, &n), 0);
	ck_assert_int_eq(n, 2);			/* 1.5 rounds up */
	ck_assert_int_eq(daemonset_surge_count(ds, 1, &n), 0);
	ck_assert_int_eq(n, 1);			/* 0.25 rounds up */
	ck_assert_int_eq(daemonset_surge_count(ds, 0, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert(daemonset_allows_surge(ds));
	set_limit(&ds->spec.update_strategy.rolling_update.max_surge, "0%");
	ck_assert(!daemonset_allows_surge(ds));
	set_limit(&ds->spec.update_strategy.rolling_update.max_surge, "2");
	ck_assert_int_eq(daemonset_surge_count(ds, 100, &n), 0);
	ck_assert_int_eq(n, 2);
	set_limit(&ds->spec.update_strategy.rolling_update.max_surge, "x%");
	ck_assert_int_eq(daemonset_surge_count(ds, 4, &n), -1);
	/* Only RollingUpdate surges. */
	set_limit(&ds->spec.update_strategy.rolling_update.max_surge, "1");
	free(ds->spec.update_strategy.type);
	ds->spec.update_strategy.type = xstrdup("OnDelete");
	ck_assert_int_eq(daemonset_surge_count(ds, 4, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert(!daemonset_allows_surge(ds));
	object_unref(&ds->obj);
}
END_TEST

Suite *ctrl_daemonset_surge_suite(void)
{
	Suite *s = suite_create("ctrl_daemonset_surge");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_surge_starts_the_new_pod_before_deleting_the_old_one);
	tcase_add_test(tc, test_surge_percentage_rounds_up_and_bounds_the_extra_pods);
	tcase_add_test(tc, test_unavailable_old_pod_is_replaced_at_once_outside_the_surge_budget);
	tcase_add_test(tc, test_surge_and_unavailable_counts_scale_as_upstream);
	suite_add_tcase(s, tc);
	return s;
}
