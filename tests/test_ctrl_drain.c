/* test_ctrl_drain.c - `kubectl drain` over the Eviction API.
 *
 * A node with two web pods under a PodDisruptionBudget, a DaemonSet's pod
 * and a mirror pod, in the controller harness with no controllers: the
 * test writes the budget's status itself (as the disruption controller
 * would) and finishes the evicted pods' deletions itself (as their
 * kubelet would), so each step of the drain can be watched: what it
 * prints, what it evicts, when it retries.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_drain.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_drain_suite(void);

struct output {
	char *lines[64];
	bool warnings[64];
	size_t len;
};

static void collect(void *arg, const struct object *obj, bool warning, const char *line)
{
	struct output *out = arg;
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_lt(out->len, 64);
	out->warnings[out->len] = warning;
	out->lines[out->len++] = xstrdup(line);
}

static void output_release(struct output *out)
{
	for (size_t i = 0; i < out->len; i++)
		free(out->lines[i]);
}

static size_t count_lines(const struct output *out, const char *line)
{
	size_t n = 0;
	for (size_t i = 0; i < out->len; i++)
		n += !strcmp(out->lines[i], line);
	return n;
}

static void create_pod(struct harness *h, const char *name, const char *app,
		       const struct object *daemon_set, bool mirror)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	strmap_set(&pod->obj.meta.labels, "app", app);
	if (mirror)
		strmap_set(&pod->obj.meta.annotations, "kubernetes.io/config.mirror", "abc");
	if (daemon_set) {
		struct owner_reference ref = ctrl_controller_ref(daemon_set);
		ctrl_add_owner_ref(&pod->obj, &ref);
	}
	pod->spec.node_name = xstrdup("worker-1");
	struct container *c = xcalloc(1, sizeof(*c));
	c->name = xstrdup("main");
	c->image = xstrdup("web:v1");
	pod->spec.containers.items = c;
	pod->spec.containers.len = 1;
	h_default(&pod->obj);
	h_create(h, &pod->obj);
	h_set_running(h, name, true);
}

static void allow_fn(struct object *obj, void *arg)
{
	struct pod_disruption_budget *pdb = (struct pod_disruption_budget *)obj;
	pdb->status.disruptions_allowed = *(const int32_t *)arg;
	pdb->status.observed_generation = pdb->obj.meta.generation;
	pdb->status.current_healthy = 2;
	pdb->status.desired_healthy = 1;
	pdb->status.expected_pods = 2;
}

/* The budget's status, as the disruption controller would write it. */
static void allow(struct harness *h, int32_t disruptions)
{
	h_update(h, KIND_PODDISRUPTIONBUDGET, "default", "web-pdb", allow_fn, &disruptions, true);
}

/* The kubelet's part of a graceful deletion: the pod is gone. */
static void finish_deletion(struct harness *h, const char *name)
{
	const struct object *pod = h_get(h, KIND_POD, "default", name);
	ck_assert(pod && object_is_deleting(pod));
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = 0;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", name, &options, &status),
			 API_OK);
	ck_assert_ptr_null(h_get(h, KIND_POD, "default", name));
}

static struct harness *node_with_pods(void)
{
	struct harness *h = h_new(0);
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup("worker-1");
	h_default(&node->obj);
	h_create(h, &node->obj);
	struct daemon_set *ds = (struct daemon_set *)object_new(&daemon_set_kind);
	ds->obj.meta.name = xstrdup("agent");
	ds->obj.meta.namespace = xstrdup("default");
	ds->obj.meta.uid = xstrdup("uid-agent");
	create_pod(h, "agent-x", "agent", &ds->obj, false);
	object_unref(&ds->obj);
	create_pod(h, "etcd-worker-1", "etcd", NULL, true);
	create_pod(h, "web-a", "web", NULL, false);
	create_pod(h, "web-b", "web", NULL, false);
	struct pod_disruption_budget *pdb =
		(struct pod_disruption_budget *)object_new(&pod_disruption_budget_kind);
	pdb->obj.meta.name = xstrdup("web-pdb");
	pdb->obj.meta.namespace = xstrdup("default");
	strmap_set(&pdb->spec.selector.match_labels, "app", "web");
	pdb->spec.max_unavailable = (struct int_or_string){ .is_set = true, .int_value = 1 };
	h_default(&pdb->obj);
	h_create(h, &pdb->obj);
	allow(h, 1);
	return h;
}

#define REFUSED "error when evicting pods/\"web-b\" -n \"default\" (will retry after 5s): " \
		"Cannot evict pod as it would violate the pod's disruption budget."

START_TEST(test_drain_cordons_evicts_and_waits_for_the_budget)
{
	struct harness *h = node_with_pods();
	struct output out = {0};
	struct drain *drain = drain_start(&h->actor, "worker-1", collect, &out);

	/* At once: cordon, the daemon pod named and left, both web pods sent
	 * an Eviction; the budget's one disruption goes to the first. */
	ck_assert(((const struct node *)h_get(h, KIND_NODE, NULL, "worker-1"))->spec.unschedulable);
	ck_assert_uint_eq(out.len, 5);
	ck_assert_str_eq(out.lines[0], "node/worker-1 cordoned");
	ck_assert_str_eq(out.lines[1], "Warning: ignoring DaemonSet-managed Pods: default/agent-x");
	ck_assert(out.warnings[1]);
	ck_assert_str_eq(out.lines[2], "evicting pod default/web-a");
	ck_assert_str_eq(out.lines[3], "evicting pod default/web-b");
	ck_assert_str_eq(out.lines[4], REFUSED);
	ck_assert(out.warnings[4]);
	ck_assert(!drain_done(drain));

	/* The first pod is waited for until its kubelet is done with it. */
	h_run_for(h, 3 * S);
	ck_assert_uint_eq(count_lines(&out, "pod/web-a evicted"), 0);
	finish_deletion(h, "web-a");
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(count_lines(&out, "pod/web-a evicted"), 1);

	/* Retried every 5 s while the budget allows nothing. */
	h_run_for(h, 1 * S);	/* t = 5 s */
	ck_assert_uint_eq(count_lines(&out, "evicting pod default/web-b"), 2);
	ck_assert_uint_eq(count_lines(&out, REFUSED), 2);
	h_run_for(h, 5 * S);	/* t = 10 s */
	ck_assert_uint_eq(count_lines(&out, REFUSED), 3);

	/* A replacement is Ready elsewhere: the next retry goes through. */
	allow(h, 1);
	h_run_for(h, 5 * S);	/* t = 15 s */
	ck_assert_uint_eq(count_lines(&out, "evicting pod default/web-b"), 4);
	ck_assert_uint_eq(count_lines(&out, REFUSED), 3);
	ck_assert_int_eq(((const struct pod_disruption_budget *)h_get(
		h, KIND_PODDISRUPTIONBUDGET, "default", "web-pdb"))->status.disruptions_allowed, 0);
	finish_deletion(h, "web-b");
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(count_lines(&out, "pod/web-b evicted"), 1);
	ck_assert_str_eq(out.lines[out.len - 1], "node/worker-1 drained");
	ck_assert(drain_done(drain));

	/* The daemon pod and the mirror pod stay. */
	ck_assert(!object_is_deleting(h_get(h, KIND_POD, "default", "agent-x")));
	ck_assert(!object_is_deleting(h_get(h, KIND_POD, "default", "etcd-worker-1")));
	h_run_for(h, 30 * S);	/* nothing more happens */
	ck_assert_str_eq(out.lines[out.len - 1], "node/worker-1 drained");
	drain_free(drain);
	output_release(&out);
	h_free(h);
}
END_TEST

START_TEST(test_drain_of_a_cordoned_node_without_pods_is_done_at_once)
{
	struct harness *h = h_new(0);
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup("worker-2");
	node->spec.unschedulable = true;
	h_default(&node->obj);
	h_create(h, &node->obj);
	struct output out = {0};
	struct drain *drain = drain_start(&h->actor, "worker-2", collect, &out);
	ck_assert(drain_done(drain));
	ck_assert_uint_eq(out.len, 2);
	ck_assert_str_eq(out.lines[0], "node/worker-2 already cordoned");
	ck_assert_str_eq(out.lines[1], "node/worker-2 drained");
	drain_free(drain);
	output_release(&out);
	h_free(h);
}
END_TEST

START_TEST(test_freeing_a_blocked_drain_cancels_its_retries)
{
	struct harness *h = node_with_pods();
	allow(h, 0);
	struct output out = {0};
	struct drain *drain = drain_start(&h->actor, "worker-1", collect, &out);
	h_run_for(h, 7 * S);
	ck_assert_uint_eq(count_lines(&out, "evicting pod default/web-a"), 2);
	size_t seen = out.len;
	drain_free(drain);
	h_run_for(h, 30 * S);
	ck_assert_uint_eq(out.len, seen);
	output_release(&out);
	h_free(h);
}
END_TEST

Suite *ctrl_drain_suite(void)
{
	Suite *s = suite_create("ctrl_drain");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_drain_cordons_evicts_and_waits_for_the_budget);
	tcase_add_test(tc, test_drain_of_a_cordoned_node_without_pods_is_done_at_once);
	tcase_add_test(tc, test_freeing_a_blocked_drain_cancels_its_retries);
	suite_add_tcase(s, tc);
	return s;
}
