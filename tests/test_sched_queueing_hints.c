/* test_sched_queueing_hints.c - QueueingHints: which events wake a parked pod.
 *
 * Two halves. The table tests call each built-in plugin's hint through
 * its EventsToRegister table, with the cases of upstream's *_test.go
 * (fit_test.go, node_unschedulable_test.go, taint_toleration_test.go,
 * node_affinity_test.go, node_ports_test.go): same objects, same
 * Queue / QueueSkip. The end-to-end tests run the scheduler on an engine
 * and check what a user would see: a pod short of cpu is not retried
 * when a node gets a label, is retried (and placed) when a bound pod goes
 * away or the node grows, and the explanation names the plugin and event
 * that moved it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_queueing_hints.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_queueing_hints_suite(void);

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

/* K8S: st.MakeNode().Capacity(...): pods 32 plus the given amounts. */
static struct node *node_with(const char *name, const char *const *amounts)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	set_amount(&n->status.allocatable, "pods", "32");
	for (; amounts && amounts[0]; amounts += 2)
		set_amount(&n->status.allocatable, amounts[0], amounts[1]);
	return n;
}

static struct pod *pod_with(const char *name, const char *const *requests)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xasprintf("uid-%s", name);
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	c->image = xstrdup("nginx");
	for (; requests && requests[0]; requests += 2)
		set_amount(&c->resources.requests, requests[0], requests[1]);
	return p;
}

static void add_taint(struct node *n, const char *key, const char *value, const char *effect)
{
	struct taint *t = APPEND(n->spec.taints);
	t->key = xstrdup(key);
	t->value = value ? xstrdup(value) : NULL;
	t->effect = xstrdup(effect);
}

static void add_toleration(struct pod *p, const char *key, const char *value,
			   const char *effect)
{
	struct toleration *t = APPEND(p->spec.tolerations);
	t->key = xstrdup(key);
	t->operator = xstrdup("Equal");
	t->value = xstrdup(value);
	t->effect = xstrdup(effect);
}

static void add_host_port(struct pod *p, int32_t port)
{
	struct container_port *cp = APPEND(p->spec.containers.items[0].ports);
	cp->container_port = port;
	cp->host_port = port;
}

/* Asks plugin about event as the queue does: the first registered entry
 * that matches (NULL hint: Queue). -1 when the plugin does not register
 * the event at all. */
static int ask(const struct sched_plugin *plugin, enum sched_event_resource resource,
	       uint32_t action, const struct pod *pod, const struct object *old_obj,
	       const struct object *new_obj)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct sched_event event = { resource, action, "test" };
	struct sched_hint_input in = {
		.pod = pod, .old_obj = old_obj, .new_obj = new_obj, .cache = &cache,
	};
	int answer = -1;
	for (const struct sched_event_hint *e = plugin->events_to_register;
	     e && e->event.actions; e++) {
		if (!sched_event_matches(&e->event, &event))
			continue;
		answer = !e->hint || e->hint(&in) == SCHED_HINT_QUEUE;
		break;
	}
	sched_cache_release(&cache);
	return answer;
}

/* The hint of plugin for a node added (old NULL) or changed by update
 * (from old to node); takes over both nodes. */
static int ask_node_change(const struct sched_plugin *plugin, uint32_t update,
			   const struct pod *pod, struct node *old, struct node *node)
{
	int got = ask(plugin, SCHED_RESOURCE_NODE, old ? update : SCHED_ACTION_ADD,
		      pod, old ? &old->obj : NULL, &node->obj);
	if (old)
		object_unref(&old->obj);
	object_unref(&node->obj);
	return got;
}

#define QUEUE 1
#define SKIP 0

/* ---- NodeResourcesFit (fit_test.go TestIsSchedulableAfterNodeChange) ----- */

#define RES_A "example.com/aaa"
#define RES_B "example.com/bbb"

static const struct {
	const char *name;
	const char *pod[5];
	const char *old_node[7];	/* {NULL}: the node was added */
	const char *new_node[7];
	int hint;
} fit_node_cases[] = {
	{ "skip-queue-on-node-add-without-sufficient-resources",
	  { "memory", "2" }, { NULL }, { "memory", "1" }, SKIP },
	{ "skip-queue-on-node-add-without-required-resource-type",
	  { RES_A, "1" }, { NULL }, { RES_B, "1" }, SKIP },
	{ "queue-on-node-add-with-sufficient-resources",
	  { "memory", "2", RES_A, "1" }, { NULL }, { "memory", "4", RES_A, "2" }, QUEUE },
	{ "skip-queue-on-node-unrelated-changes",
	  { "memory", "2", RES_A, "1" }, { "memory", "2", RES_A, "2" },
	  { "memory", "2", RES_A, "1", RES_B, "2" }, SKIP },
	{ "queue-on-pod-requested-resources-increase",
	  { "memory", "2", RES_A, "1" }, { "memory", "2", RES_A, "1" },
	  { "memory", "2", RES_A, "2" }, QUEUE },
	{ "skip-queue-on-node-changes-from-suitable-to-unsuitable",
	  { "memory", "2", RES_A, "1" }, { "memory", "4", RES_A, "2" },
	  { "memory", "1", RES_A, "2" }, SKIP },
	{ "queue-on-node-changes-from-unsuitable-to-suitable",
	  { "memory", "2", RES_A, "1" }, { "memory", "1", RES_A, "2" },
	  { "memory", "4", RES_A, "2" }, QUEUE },
};

START_TEST(test_fit_hint_after_node_change_matches_upstream_table)
{
	for (size_t i = 0; i < sizeof(fit_node_cases) / sizeof(fit_node_cases[0]); i++) {
		struct pod *pod = pod_with("p", fit_node_cases[i].pod);
		struct node *old = fit_node_cases[i].old_node[0]
			? node_with("n", fit_node_cases[i].old_node) : NULL;
		struct node *node = node_with("n", fit_node_cases[i].new_node);
		int got = ask_node_change(&sched_fit_plugin, SCHED_ACTION_UPDATE_NODE_ALLOCATABLE,
					  pod, old, node);
		ck_assert_msg(got == fit_node_cases[i].hint, "%s: got %d",
			      fit_node_cases[i].name, got);
		object_unref(&pod->obj);
	}
}
END_TEST

/* fit_test.go TestIsSchedulableAfterPodEvent, the delete cases. */
START_TEST(test_fit_hint_queues_only_for_deleted_pods_that_held_room)
{
	const char *const cpu[] = { "cpu", "1", NULL };
	struct pod *pod = pod_with("pending", cpu);
	struct pod *unscheduled = pod_with("other", cpu);
	ck_assert_int_eq(ask(&sched_fit_plugin, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE,
			     pod, &unscheduled->obj, NULL), SKIP);
	struct pod *nominated = pod_with("nominated", cpu);
	nominated->status.nominated_node_name = xstrdup("n1");
	ck_assert_int_eq(ask(&sched_fit_plugin, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE,
			     pod, &nominated->obj, NULL), QUEUE);
	struct pod *bound = pod_with("bound", cpu);
	bound->spec.node_name = xstrdup("n1");
	ck_assert_int_eq(ask(&sched_fit_plugin, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE,
			     pod, &bound->obj, NULL), QUEUE);
	/* No in-place resize: a pod's update is not registered at all. */
	ck_assert_int_eq(ask(&sched_fit_plugin, SCHED_RESOURCE_POD,
			     SCHED_ACTION_UPDATE_POD_LABEL, pod, &bound->obj, &bound->obj), -1);
	ck_assert_int_eq(ask(&sched_fit_plugin, SCHED_RESOURCE_NODE,
			     SCHED_ACTION_UPDATE_NODE_LABEL, pod, NULL, NULL), -1);
	object_unref(&pod->obj);
	object_unref(&unscheduled->obj);
	object_unref(&nominated->obj);
	object_unref(&bound->obj);
}
END_TEST

/* ---- NodeUnschedulable (node_unschedulable_test.go) ---------------------- */

START_TEST(test_node_unschedulable_hint_matches_upstream_table)
{
	static const struct {
		const char *name;
		int old_state;		/* -1: added; else old spec.unschedulable */
		bool unschedulable;
		bool not_ready_taint;
		int hint;
	} cases[] = {
		{ "skip-queue-on-unschedulable-node-added", -1, true, false, SKIP },
		{ "queue-on-schedulable-node-added", -1, false, false, QUEUE },
		{ "skip-unrelated-change-unschedulable-true", 1, true, true, SKIP },
		{ "skip-unrelated-change-unschedulable-false", 0, false, true, SKIP },
		{ "queue-on-unschedulable-field-change", 1, false, false, QUEUE },
	};
	struct pod *pod = pod_with("p", NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct node *old = NULL;
		if (cases[i].old_state >= 0) {
			old = node_with("n", NULL);
			old->spec.unschedulable = cases[i].old_state;
		}
		struct node *node = node_with("n", NULL);
		node->spec.unschedulable = cases[i].unschedulable;
		if (cases[i].not_ready_taint)
			add_taint(node, "node.kubernetes.io/not-ready", NULL, "NoExecute");
		int got = ask_node_change(&sched_node_unschedulable_plugin, SCHED_ACTION_UPDATE_NODE_TAINT,
					  pod, old, node);
		ck_assert_msg(got == cases[i].hint, "%s: got %d", cases[i].name, got);
	}
	object_unref(&pod->obj);
}
END_TEST

/* ---- TaintToleration (taint_toleration_test.go) -------------------------- */

START_TEST(test_taint_toleration_hint_matches_upstream_table)
{
	static const struct {
		const char *name;
		const char *old_values[3];	/* NULL-ended dedicated=X taints;
						 * old_values[0] "-": added */
		const char *new_values[3];
		int hint;
	} cases[] = {
		{ "skip-queue-on-untoleratedtaint-node-added", { "-" }, { "user1" }, SKIP },
		{ "queue-on-toleratedtaint-node-added", { "-" }, { "user2" }, QUEUE },
		{ "skip-unrelated-change", { "user1" }, { "user1", "user3" }, SKIP },
		{ "queue-on-taint-change", { "user1" }, { "user2" }, QUEUE },
	};
	struct pod *pod = pod_with("pod1", NULL);
	add_toleration(pod, "dedicated", "user2", "NoSchedule");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct node *old = NULL;
		if (strcmp(cases[i].old_values[0], "-")) {
			old = node_with("nodeA", NULL);
			for (const char *const *v = cases[i].old_values; *v; v++)
				add_taint(old, "dedicated", *v, "NoSchedule");
		}
		struct node *node = node_with("nodeA", NULL);
		for (const char *const *v = cases[i].new_values; *v; v++)
			add_taint(node, "dedicated", *v, "NoSchedule");
		int got = ask_node_change(&sched_taint_toleration_plugin, SCHED_ACTION_UPDATE_NODE_TAINT,
					  pod, old, node);
		ck_assert_msg(got == cases[i].hint, "%s: got %d", cases[i].name, got);
	}
	object_unref(&pod->obj);
}
END_TEST

/* ---- NodeAffinity (node_affinity_test.go) -------------------------------- */

START_TEST(test_node_affinity_hint_matches_upstream_table)
{
	struct pod *plain = pod_with("plain", NULL);
	struct pod *pod = pod_with("selector", NULL);
	strmap_set(&pod->spec.node_selector, "foo", "bar");
	struct node *bare = node_with("n", NULL);
	struct node *bar = node_with("n", NULL);
	strmap_set(&bar->obj.meta.labels, "foo", "bar");
	struct node *bar_more = node_with("n", NULL);
	strmap_set(&bar_more->obj.meta.labels, "foo", "bar");
	strmap_set(&bar_more->obj.meta.labels, "fizz", "buzz");
	struct node *fuz = node_with("n", NULL);
	strmap_set(&fuz->obj.meta.labels, "foo", "fuz");
	const struct sched_plugin *pl = &sched_node_affinity_plugin;
	/* queue-on-add: a pod without affinity fits any new node */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, plain, NULL,
			     &bare->obj), QUEUE);
	/* skip-queue-on-add: the new node does not match */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, pod, NULL,
			     &bare->obj), SKIP);
	/* queue-on-update: the node came to match */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_LABEL, pod,
			     &fuz->obj, &bar->obj), QUEUE);
	/* skip-unrelated-changes: it matched before too */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_LABEL, pod,
			     &bar->obj, &bar_more->obj), SKIP);
	/* skip-queue-on-update: it still does not match */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_LABEL, pod,
			     &bare->obj, &fuz->obj), SKIP);
	/* taints are none of NodeAffinity's business */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_TAINT, pod,
			     &bare->obj, &bar->obj), -1);
	object_unref(&plain->obj);
	object_unref(&pod->obj);
	object_unref(&bare->obj);
	object_unref(&bar->obj);
	object_unref(&bar_more->obj);
	object_unref(&fuz->obj);
}
END_TEST

/* ---- NodePorts (node_ports_test.go) -------------------------------------- */

START_TEST(test_node_ports_hint_queues_for_a_released_host_port)
{
	struct pod *pod = pod_with("pending", NULL);
	add_host_port(pod, 8080);
	struct pod *same = pod_with("same", NULL);
	add_host_port(same, 8080);
	struct pod *other = pod_with("other", NULL);
	add_host_port(other, 8081);
	struct pod *none = pod_with("none", NULL);
	const struct sched_plugin *pl = &sched_node_ports_plugin;
	/* skip-queue-on-unscheduled */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, pod,
			     &same->obj, NULL), SKIP);
	same->spec.node_name = xstrdup("n1");
	other->spec.node_name = xstrdup("n1");
	none->spec.node_name = xstrdup("n1");
	/* queue-on-released-host-port */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, pod,
			     &same->obj, NULL), QUEUE);
	/* skip-queue-on-non-existent-host-port */
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, pod,
			     &other->obj, NULL), SKIP);
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_POD, SCHED_ACTION_DELETE, pod,
			     &none->obj, NULL), SKIP);
	/* a new node: no hint, always Queue */
	struct node *node = node_with("n2", NULL);
	ck_assert_int_eq(ask(pl, SCHED_RESOURCE_NODE, SCHED_ACTION_ADD, pod, NULL,
			     &node->obj), QUEUE);
	object_unref(&node->obj);
	object_unref(&pod->obj);
	object_unref(&same->obj);
	object_unref(&other->obj);
	object_unref(&none->obj);
}
END_TEST

/* ---- the queue's question ------------------------------------------------ */

START_TEST(test_worth_requeuing_asks_only_the_rejecting_plugins)
{
	const char *const cpu[] = { "cpu", "1", NULL };
	struct pod *pod = pod_with("pending", cpu);
	struct node *old = node_with("n", NULL);
	struct node *node = node_with("n", NULL);
	strmap_set(&node->obj.meta.labels, "disktype", "ssd");
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct sched_hint_input in = {
		.pod = pod, .old_obj = &old->obj, .new_obj = &node->obj, .cache = &cache,
	};
	const struct sched_event label = {
		SCHED_RESOURCE_NODE, SCHED_ACTION_UPDATE_NODE_LABEL, "Node/UpdateNodeLabel" };
	const struct sched_plugin *by;
	/* Rejected by NodeResourcesFit: a label is no help. */
	ck_assert(!sched_hints_worth_requeuing(1u << SCHED_PLUGIN_NODE_RESOURCES_FIT,
					       &label, &in, &by));
	/* Rejected by NodeAffinity too: it registers labels, and a pod
	 * without a selector matches the node now and did before: skip. */
	ck_assert(!sched_hints_worth_requeuing((1u << SCHED_PLUGIN_NODE_RESOURCES_FIT) |
					       (1u << SCHED_PLUGIN_NODE_AFFINITY),
					       &label, &in, &by));
	/* Rejected by no plugin (an error): every event moves it. */
	ck_assert(sched_hints_worth_requeuing(0, &label, &in, &by));
	ck_assert_ptr_null(by);
	/* A plugin without EventsToRegister (as a student's) says Queue to
	 * every event. ImageLocality only scores and registers nothing:
	 * the same path, without registering a plugin for the process. */
	ck_assert_ptr_null(sched_image_locality_plugin.events_to_register);
	ck_assert(sched_hints_worth_requeuing((1u << SCHED_PLUGIN_NODE_RESOURCES_FIT) |
					      (1u << SCHED_PLUGIN_IMAGE_LOCALITY),
					      &label, &in, &by));
	ck_assert_str_eq(by->name, "ImageLocality");
	sched_cache_release(&cache);
	object_unref(&pod->obj);
	object_unref(&old->obj);
	object_unref(&node->obj);
}
END_TEST

/* ---- end to end ----------------------------------------------------------- */

/* The last attempt seen by the explain hook (static strings). */
static struct {
	char pod[64];
	const char *requeued_by, *requeued_on;
} seen;

static void on_attempt(void *arg, const struct sched_attempt *a)
{
	(void)arg;
	snprintf(seen.pod, sizeof(seen.pod), "%s", a->pod->obj.meta.name);
	seen.requeued_by = a->requeued_by;
	seen.requeued_on = a->requeued_on;
}

static void run_start(struct sched_run *r)
{
	memset(&seen, 0, sizeof(seen));
	sched_run_open(r, true);
	struct scheduler_options options = {
		.name = "default-scheduler",
		.bind_latency = 10 * KTIME_MS,
		.seed = 1,
		.explain = { on_attempt, NULL },
	};
	sched_run_start(r, &options);
}

static const char *node_of(struct sched_run *r, const char *pod)
{
	const struct pod *p = sched_run_pod(r, pod);
	return p->spec.node_name ? p->spec.node_name : "";
}

/* Applies edit to a copy of node name and writes it back (its status
 * when status is set: allocatable is the kubelet's to write). */
static void edit_node_part(struct sched_run *r, const char *name, void (*edit)(struct node *n),
			   bool status_part)
{
	const struct object *cur = client_get(&r->client, KIND_NODE, NULL, name);
	ck_assert_ptr_nonnull(cur);
	struct node *n = (struct node *)object_copy(cur);
	edit(n);
	struct api_status status;
	enum api_code code = status_part ? client_update_status(&r->client, &n->obj, &status)
					 : client_update(&r->client, &n->obj, &status);
	ck_assert_msg(code == API_OK, "%s", status.message);
}

static void edit_node(struct sched_run *r, const char *name, void (*edit)(struct node *n))
{
	edit_node_part(r, name, edit, false);
}

static void label_disktype(struct node *n)
{
	strmap_set(&n->obj.meta.labels, "disktype", "ssd");
}

static void grow_cpu(struct node *n)
{
	set_amount(&n->status.allocatable, "cpu", "4");
}

static void untaint(struct node *n)
{
	for (size_t i = 0; i < n->spec.taints.len; i++)
		schema_release(&taint_schema, &n->spec.taints.items[i]);
	n->spec.taints.len = 0;
}

static const char *const cpu_2[] = { "cpu", "2", NULL };
static const char *const cpu_1500m[] = { "cpu", "1500m", NULL };
static const char *const cpu_1[] = { "cpu", "1", NULL };

START_TEST(test_pod_short_of_cpu_ignores_a_label_and_moves_when_a_pod_is_deleted)
{
	struct sched_run r;
	run_start(&r);
	sched_run_create(&r, &node_with("worker-1", cpu_2)->obj);
	sched_run_create(&r, &pod_with("big", cpu_1500m)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	sched_run_create(&r, &pod_with("small", cpu_1)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "big"), "worker-1");
	ck_assert_str_eq(node_of(&r, "small"), "");
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);

	/* A label cannot give cpu: NodeResourcesFit does not register it. */
	edit_node(&r, "worker-1", label_disktype);
	sched_run_advance(&r, 60 * KTIME_SECOND);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);
	ck_assert_str_eq(node_of(&r, "small"), "");

	/* The bound pod's deletion frees the room: Fit's hint says Queue. */
	struct delete_options now = { .grace_period_seconds = 0 };
	ck_assert_int_eq(client_delete(&r.client, KIND_POD, "default", "big", &now, NULL),
			 API_OK);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "small"), "worker-1");
	ck_assert_str_eq(seen.pod, "small");
	ck_assert_str_eq(seen.requeued_by, "NodeResourcesFit");
	ck_assert_str_eq(seen.requeued_on, "Pod/Delete");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_pod_short_of_cpu_moves_when_the_node_grows)
{
	struct sched_run r;
	run_start(&r);
	sched_run_create(&r, &node_with("worker-1", cpu_1)->obj);
	sched_run_create(&r, &pod_with("wide", cpu_2)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "wide"), "");
	edit_node_part(&r, "worker-1", grow_cpu, true);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "wide"), "worker-1");
	ck_assert_str_eq(seen.requeued_by, "NodeResourcesFit");
	ck_assert_str_eq(seen.requeued_on, "Node/UpdateNodeAllocatable");
	sched_run_close(&r);
}
END_TEST

static void taint_gpu(struct node *n)
{
	add_taint(n, "dedicated", "gpu", "NoSchedule");
}

START_TEST(test_pod_kept_off_by_a_taint_moves_when_the_taint_goes)
{
	struct sched_run r;
	run_start(&r);
	struct node *n = node_with("worker-1", cpu_2);
	taint_gpu(n);
	sched_run_create(&r, &n->obj);
	sched_run_create(&r, &pod_with("web", cpu_1)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "web"), "");
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);
	edit_node(&r, "worker-1", label_disktype);	/* no help */
	sched_run_advance(&r, 30 * KTIME_SECOND);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);
	edit_node(&r, "worker-1", untaint);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "web"), "worker-1");
	ck_assert_str_eq(seen.requeued_by, "TaintToleration");
	ck_assert_str_eq(seen.requeued_on, "Node/UpdateNodeTaint");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_parked_pod_still_retries_after_five_minutes)
{
	struct sched_run r;
	run_start(&r);
	sched_run_create(&r, &node_with("worker-1", cpu_1)->obj);
	sched_run_create(&r, &pod_with("wide", cpu_2)->obj);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);
	sched_run_advance(&r, 5 * 60 * KTIME_SECOND);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);
	sched_run_advance(&r, 31 * KTIME_SECOND);	/* the next 30 s flush tick */
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 2);
	ck_assert_ptr_null(seen.requeued_by);
	ck_assert_str_eq(seen.requeued_on, "UnschedulableTimeout");
	sched_run_close(&r);
}
END_TEST

Suite *sched_queueing_hints_suite(void)
{
	Suite *s = suite_create("sched_queueing_hints");
	TCase *tc = tcase_create("hints");
	tcase_add_test(tc, test_fit_hint_after_node_change_matches_upstream_table);
	tcase_add_test(tc, test_fit_hint_queues_only_for_deleted_pods_that_held_room);
	tcase_add_test(tc, test_node_unschedulable_hint_matches_upstream_table);
	tcase_add_test(tc, test_taint_toleration_hint_matches_upstream_table);
	tcase_add_test(tc, test_node_affinity_hint_matches_upstream_table);
	tcase_add_test(tc, test_node_ports_hint_queues_for_a_released_host_port);
	tcase_add_test(tc, test_worth_requeuing_asks_only_the_rejecting_plugins);
	suite_add_tcase(s, tc);
	TCase *e2e = tcase_create("requeue");
	tcase_add_test(e2e, test_pod_short_of_cpu_ignores_a_label_and_moves_when_a_pod_is_deleted);
	tcase_add_test(e2e, test_pod_short_of_cpu_moves_when_the_node_grows);
	tcase_add_test(e2e, test_pod_kept_off_by_a_taint_moves_when_the_taint_goes);
	tcase_add_test(e2e, test_parked_pod_still_retries_after_five_minutes);
	suite_add_tcase(s, e2e);
	return s;
}
