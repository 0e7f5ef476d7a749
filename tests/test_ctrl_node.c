/* test_ctrl_node.c - a node goes silent: the node lifecycle controller
 * marks it Unknown and taints it, the taint eviction controller evicts its
 * pods, the ReplicaSet controller replaces them.
 *
 * The test plays the kubelet: it renews the node's Lease every 10 s until
 * it "dies", and can bring it back by renewing again and posting Ready.
 * Times are relative to T0, when the controllers start.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "release.h"

Suite *ctrl_node_suite(void);

#define NODE "worker-1"

/* ---- a node, its lease, its kubelet --------------------------------------- */

static void add_condition(struct node *node, const char *type, const char *status,
			  ktime_t now)
{
	size_t cap = node->status.conditions.len;
	xgrow((void **)&node->status.conditions.items, &cap, node->status.conditions.len + 1,
	      sizeof(struct condition));
	node->status.conditions.items[node->status.conditions.len++] = (struct condition){
		.type = xstrdup(type), .status = xstrdup(status),
		.reason = xstrdup(!strcmp(type, "Ready") ? "KubeletReady"
							 : "KubeletHasSufficientMemory"),
		.last_heartbeat_time = now, .last_transition_time = now,
	};
}

static void create_node(struct harness *h)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(NODE);
	ktime_t now = clock_now(&h->clock);
	add_condition(node, "MemoryPressure", "False", now);
	add_condition(node, "Ready", "True", now);
	h_create(h, &node->obj);

	struct lease *lease = (struct lease *)object_new(&lease_kind);
	lease->obj.meta.name = xstrdup(NODE);
	lease->obj.meta.namespace = xstrdup("kube-node-lease");
	lease->spec.holder_identity = xstrdup(NODE);
	lease->spec.lease_duration_seconds = NODE_LEASE_DURATION_SECONDS;
	lease->spec.renew_time = now;
	h_create(h, &lease->obj);
}

struct kubelet {
	struct harness *h;
	ktime_t stop_at;		/* relative: no renewal after this */
	ktime_t last_renewal;		/* relative */
};

static void renew_fn(struct object *obj, void *arg)
{
	((struct lease *)obj)->spec.renew_time = *(ktime_t *)arg;
}

static void renew(void *arg)
{
	struct kubelet *k = arg;
	if (h_now(k->h) > k->stop_at)
		return;
	ktime_t now = clock_now(&k->h->clock);
	h_update(k->h, KIND_LEASE, "kube-node-lease", NODE, renew_fn, &now, false);
	k->last_renewal = h_now(k->h);
	clock_after(&k->h->clock, NODE_LEASE_RENEW_INTERVAL, renew, k);
}

/* The kubelet is back: a fresh Ready True heartbeat. */
static void ready_again_fn(struct object *obj, void *arg)
{
	struct node *node = (struct node *)obj;
	struct condition *c = condition_find(&node->status.conditions, "Ready");
	free(c->status);
	free(c->reason);
	free(c->message);
	c->status = xstrdup("True");
	c->reason = xstrdup("KubeletReady");
	c->message = xstrdup("kubelet is posting ready status");
	c->last_heartbeat_time = c->last_transition_time = *(ktime_t *)arg;
}

static const struct node *get_node(struct harness *h)
{
	return (const struct node *)h_get(h, KIND_NODE, NULL, NODE);
}

static const struct taint *find_taint(struct harness *h, const char *key, const char *effect)
{
	const struct node *node = get_node(h);
	for (size_t i = 0; i < node->spec.taints.len; i++)
		if (!strcmp(node->spec.taints.items[i].key, key) &&
		    !strcmp(node->spec.taints.items[i].effect, effect))
			return &node->spec.taints.items[i];
	return NULL;
}

static void add_toleration(struct pod_spec *spec, const char *key, bool has_seconds,
			   int64_t seconds)
{
	size_t cap = spec->tolerations.len;
	xgrow((void **)&spec->tolerations.items, &cap, spec->tolerations.len + 1,
	      sizeof(struct toleration));
	spec->tolerations.items[spec->tolerations.len++] = (struct toleration){
		.key = xstrdup(key), .operator = xstrdup("Exists"),
		.effect = xstrdup(TAINT_NO_EXECUTE),
		.toleration_seconds = { has_seconds, seconds },
	};
}

/* A pod already bound to NODE, Running and Ready. */
static void create_pod(struct harness *h, const char *name)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	struct pod_template_spec t = {0};
	h_template(&t, name, "web:v1");
	pod->spec = t.spec;
	strmap_copy(&pod->obj.meta.labels, &t.metadata.labels);
	strmap_release(&t.metadata.labels);
	pod->spec.node_name = xstrdup(NODE);
	h_create(h, &pod->obj);
	h_set_running(h, name, true);
}

struct new_taint {
	const char *key;
	ktime_t now;
};

static void taint_fn(struct object *obj, void *arg)
{
	const struct new_taint *want = arg;
	struct node *node = (struct node *)obj;
	size_t cap = node->spec.taints.len;
	xgrow((void **)&node->spec.taints.items, &cap, node->spec.taints.len + 1,
	      sizeof(struct taint));
	node->spec.taints.items[node->spec.taints.len++] = (struct taint){
		.key = xstrdup(want->key), .effect = xstrdup(TAINT_NO_EXECUTE),
		.time_added = want->now,
	};
}

static void untaint_fn(struct object *obj, void *arg)
{
	struct node *node = (struct node *)obj;
	(void)arg;
	for (size_t i = 0; i < node->spec.taints.len; i++)
		schema_release(&taint_schema, &node->spec.taints.items[i]);
	node->spec.taints.len = 0;
}

static const struct pod *get_pod(struct harness *h, const char *name)
{
	return (const struct pod *)h_get(h, KIND_POD, "default", name);
}

/* ---- node lifecycle ------------------------------------------------------ */

START_TEST(test_node_lifecycle_marks_a_silent_node_unknown_and_taints_it)
{
	struct harness *h = h_new(0);
	create_node(h);
	create_pod(h, "web-1");
	struct kubelet k = { .h = h, .stop_at = 30 * S };
	clock_after(&h->clock, NODE_LEASE_RENEW_INTERVAL, renew, &k);
	h_start(h, "node-lifecycle-controller");

	h_run_to(h, k.stop_at + NODE_MONITOR_GRACE_PERIOD);
	ck_assert_int_eq(k.last_renewal, 30 * S);
	const struct condition *ready = condition_find((void *)&get_node(h)->status.conditions,
						       "Ready");
	ck_assert_str_eq(ready->status, "True");	/* 50 s: not yet */
	ck_assert_ptr_null(find_taint(h, TAINT_NODE_UNREACHABLE, TAINT_NO_SCHEDULE));

	/* Within two monitor periods past the grace period. */
	h_run_to(h, k.last_renewal + NODE_MONITOR_GRACE_PERIOD + 2 * NODE_MONITOR_PERIOD);
	ready = condition_find((void *)&get_node(h)->status.conditions, "Ready");
	ck_assert_str_eq(ready->status, "Unknown");
	ck_assert_str_eq(ready->reason, "NodeStatusUnknown");
	ck_assert_str_eq(ready->message, "Kubelet stopped posting node status.");
	const struct condition *memory =
		condition_find((void *)&get_node(h)->status.conditions, "MemoryPressure");
	ck_assert_str_eq(memory->status, "Unknown");
	const struct condition *pid =
		condition_find((void *)&get_node(h)->status.conditions, "PIDPressure");
	ck_assert_str_eq(pid->reason, "NodeStatusNeverUpdated");

	const struct h_event *e = h_find_event(h, "NodeNotReady",
					       "Node worker-1 status is now: NodeNotReady");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->kind, "Node");
	ck_assert_int_gt(e->t, k.last_renewal + NODE_MONITOR_GRACE_PERIOD);
	ck_assert_uint_eq(h_count_events(h, "NodeNotReady", "Node is not ready"), 1);
	const struct condition *pod_ready =
		condition_find((void *)&get_pod(h, "web-1")->status.conditions, "Ready");
	ck_assert_str_eq(pod_ready->status, "False");

	/* NoSchedule follows the condition at once; NoExecute one pass later. */
	ck_assert_ptr_nonnull(find_taint(h, TAINT_NODE_UNREACHABLE, TAINT_NO_SCHEDULE));
	h_run_for(h, NODE_MONITOR_PERIOD);
	const struct taint *no_execute = find_taint(h, TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE);
	ck_assert_ptr_nonnull(no_execute);
	ck_assert_int_eq(no_execute->time_added - h->t0, e->t + NODE_MONITOR_PERIOD);
	ck_assert_uint_eq(h_count_events(h, "NodeNotReady", NULL), 2);	/* once each */

	/* The kubelet comes back: every taint goes. */
	k.stop_at = 1000 * S;
	renew(&k);
	ktime_t now = clock_now(&h->clock);
	h_update(h, KIND_NODE, NULL, NODE, ready_again_fn, &now, true);
	h_run_for(h, 2 * NODE_MONITOR_PERIOD);
	ck_assert_uint_eq(get_node(h)->spec.taints.len, 0);
	h_free(h);
}
END_TEST

static void not_ready_fn(struct object *obj, void *arg)
{
	struct node *node = (struct node *)obj;
	struct condition *c = condition_find(&node->status.conditions, "Ready");
	free(c->status);
	free(c->reason);
	c->status = xstrdup("False");
	c->reason = xstrdup("KubeletNotReady");
	c->last_heartbeat_time = c->last_transition_time = *(ktime_t *)arg;
}

/* A kubelet that is alive but reports NotReady (its runtime is down):
 * not-ready taints instead of unreachable ones, and no Unknown. The
 * controller reports NodeNotReady and marks pods only for a transition it
 * saw happen within a pass (a silent node); a kubelet that reports
 * NotReady itself does both of those on its own, upstream. */
START_TEST(test_node_lifecycle_taints_a_not_ready_node_not_ready)
{
	struct harness *h = h_new(0);
	create_node(h);
	create_pod(h, "web-1");
	struct kubelet k = { .h = h, .stop_at = 1000 * S };
	clock_after(&h->clock, NODE_LEASE_RENEW_INTERVAL, renew, &k);
	h_start(h, "node-lifecycle-controller");
	h_run_to(h, 12 * S);
	ktime_t now = clock_now(&h->clock);
	h_update(h, KIND_NODE, NULL, NODE, not_ready_fn, &now, true);
	h_run_to(h, 13 * S);
	ck_assert_ptr_nonnull(find_taint(h, TAINT_NODE_NOT_READY, TAINT_NO_SCHEDULE));
	h_run_to(h, 21 * S);	/* two passes: the one that saw it, then the taint */
	ck_assert_ptr_nonnull(find_taint(h, TAINT_NODE_NOT_READY, TAINT_NO_EXECUTE));
	ck_assert_ptr_null(find_taint(h, TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE));
	ck_assert_uint_eq(h_count_events(h, "NodeNotReady", NULL), 0);
	h_run_to(h, 200 * S);	/* the lease keeps it from going Unknown */
	const struct condition *ready = condition_find((void *)&get_node(h)->status.conditions,
						       "Ready");
	ck_assert_str_eq(ready->status, "False");
	h_free(h);
}
END_TEST

static void cordon_fn(struct object *obj, void *arg)
{
	((struct node *)obj)->spec.unschedulable = *(bool *)arg;
}

START_TEST(test_node_lifecycle_taints_a_cordoned_node_unschedulable)
{
	struct harness *h = h_new(0);
	create_node(h);
	struct kubelet k = { .h = h, .stop_at = 1000 * S };
	clock_after(&h->clock, NODE_LEASE_RENEW_INTERVAL, renew, &k);
	h_start(h, "node-lifecycle-controller");
	bool yes = true, no = false;
	h_update(h, KIND_NODE, NULL, NODE, cordon_fn, &yes, false);
	h_run_for(h, 1 * S);
	ck_assert_ptr_nonnull(find_taint(h, TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE));
	h_update(h, KIND_NODE, NULL, NODE, cordon_fn, &no, false);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(get_node(h)->spec.taints.len, 0);
	h_free(h);
}
END_TEST

/* ---- taint eviction ------------------------------------------------------ */

static void taint_node(struct harness *h, const char *key)
{
	struct new_taint want = { key, clock_now(&h->clock) };
	h_update(h, KIND_NODE, NULL, NODE, taint_fn, &want, false);
}

START_TEST(test_taint_eviction_deletes_a_tolerating_pod_after_its_toleration_seconds)
{
	struct harness *h = h_new(0);
	create_node(h);
	/* Tolerates unreachable for 30 s (so admission adds no default). */
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup("web-1");
	p->obj.meta.namespace = xstrdup("default");
	p->spec.node_name = xstrdup(NODE);
	p->spec.termination_grace_period_seconds = 30;
	add_toleration(&p->spec, TAINT_NODE_UNREACHABLE, true, 30);
	h_create(h, &p->obj);
	h_start(h, "taint-eviction-controller");

	h_run_to(h, 10 * S);
	taint_node(h, TAINT_NODE_UNREACHABLE);
	h_run_to(h, 40 * S - 1);
	ck_assert(!object_is_deleting(&get_pod(h, "web-1")->obj));
	ck_assert_uint_eq(h_count_events(h, "TaintManagerEviction", NULL), 0);
	h_run_to(h, 40 * S);
	const struct pod *evicted = get_pod(h, "web-1");
	ck_assert(object_is_deleting(&evicted->obj));
	/* Deleted at 40 s with its 30 s grace period. */
	ck_assert_int_eq(evicted->obj.meta.deletion_timestamp - h->t0, 70 * S);
	const struct h_event *e = h_find_event(h, "TaintManagerEviction",
					       "Marking for deletion Pod default/web-1");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->t, 40 * S);
	const struct condition *c = condition_find((void *)&evicted->status.conditions,
						   "DisruptionTarget");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->reason, "DeletionByTaintManager");
	h_free(h);
}
END_TEST

START_TEST(test_taint_eviction_deletes_a_pod_that_does_not_tolerate_at_once)
{
	struct harness *h = h_new(0);
	create_node(h);
	create_pod(h, "web-1");	/* admission: not-ready/unreachable only */
	h_start(h, "taint-eviction-controller");
	h_run_to(h, 10 * S);
	taint_node(h, "example.com/maintenance");
	h_run_to(h, 10 * S);
	ck_assert(object_is_deleting(&get_pod(h, "web-1")->obj));
	ck_assert_int_eq(h_find_event(h, "TaintManagerEviction", NULL)->t, 10 * S);
	h_free(h);
}
END_TEST

START_TEST(test_taint_eviction_is_cancelled_when_the_taint_goes_away)
{
	struct harness *h = h_new(0);
	create_node(h);
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup("web-1");
	p->obj.meta.namespace = xstrdup("default");
	p->spec.node_name = xstrdup(NODE);
	add_toleration(&p->spec, TAINT_NODE_UNREACHABLE, true, 30);
	h_create(h, &p->obj);
	h_start(h, "taint-eviction-controller");
	h_run_to(h, 10 * S);
	taint_node(h, TAINT_NODE_UNREACHABLE);
	h_run_to(h, 20 * S);
	h_update(h, KIND_NODE, NULL, NODE, untaint_fn, NULL, false);
	h_run_to(h, 120 * S);
	ck_assert(!object_is_deleting(&get_pod(h, "web-1")->obj));
	ck_assert_ptr_nonnull(h_find_event(h, "TaintManagerEviction",
					   "Cancelling deletion of Pod default/web-1"));
	ck_assert_ptr_null(h_find_event(h, "TaintManagerEviction",
					"Marking for deletion Pod default/web-1"));
	h_free(h);
}
END_TEST

START_TEST(test_taint_eviction_leaves_a_pod_that_tolerates_for_ever)
{
	struct harness *h = h_new(0);
	create_node(h);
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup("agent");
	p->obj.meta.namespace = xstrdup("default");
	p->spec.node_name = xstrdup(NODE);
	add_toleration(&p->spec, TAINT_NODE_UNREACHABLE, false, 0);
	h_create(h, &p->obj);
	h_start(h, "taint-eviction-controller");
	taint_node(h, TAINT_NODE_UNREACHABLE);
	h_run_to(h, 1000 * S);
	ck_assert(!object_is_deleting(&get_pod(h, "agent")->obj));
	h_free(h);
}
END_TEST

/* ---- the whole story ----------------------------------------------------- */

/* A node dies: Unknown after the grace period, unreachable:NoExecute a
 * pass later, its pod evicted 300 s after that (the admission default),
 * and the ReplicaSet's replacement created in the same instant. */
START_TEST(test_dead_node_pod_is_evicted_after_300s_and_replaced)
{
	struct harness *h = h_new(0);
	create_node(h);
	struct kubelet k = { .h = h, .stop_at = 30 * S };
	clock_after(&h->clock, NODE_LEASE_RENEW_INTERVAL, renew, &k);
	h_start(h, "replicaset-controller");
	h_start(h, "node-lifecycle-controller");
	h_start(h, "taint-eviction-controller");
	h_create(h, &h_replica_set("web", 1)->obj);
	h_run_for(h, 1 * S);
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &pods);
	ck_assert_uint_eq(pods.len, 1);
	char name[64];
	snprintf(name, sizeof(name), "%s", pods.items[0]->meta.name);
	object_list_release(&pods);
	h_bind(h, name, NODE);
	h_set_running(h, name, true);

	h_run_to(h, 200 * S);
	const struct taint *t = find_taint(h, TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE);
	ck_assert_ptr_nonnull(t);
	ktime_t tainted = t->time_added - h->t0;
	ck_assert(!object_is_deleting(&get_pod(h, name)->obj));
	h_run_to(h, tainted + DEFAULT_UNREACHABLE_TOLERATION_SECONDS * S);
	ck_assert(object_is_deleting(&get_pod(h, name)->obj));
	const struct h_event *e = h_find_event(h, "TaintManagerEviction", NULL);
	ck_assert_int_eq(e->t, tainted + DEFAULT_UNREACHABLE_TOLERATION_SECONDS * S);
	const struct replica_set *rs = (const void *)h_get(h, KIND_REPLICASET, "default", "web");
	struct h_pods n = h_count_pods(h, rs->obj.meta.uid);
	ck_assert_uint_eq(n.total, 2);
	ck_assert_uint_eq(n.active, 1);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 2);
	h_free(h);
}
END_TEST

Suite *ctrl_node_suite(void)
{
	Suite *s = suite_create("ctrl_node");
	TCase *tc = tcase_create("node");
	tcase_add_test(tc, test_node_lifecycle_marks_a_silent_node_unknown_and_taints_it);
	tcase_add_test(tc, test_node_lifecycle_taints_a_not_ready_node_not_ready);
	tcase_add_test(tc, test_node_lifecycle_taints_a_cordoned_node_unschedulable);
	tcase_add_test(tc,
		       test_taint_eviction_deletes_a_tolerating_pod_after_its_toleration_seconds);
	tcase_add_test(tc, test_taint_eviction_deletes_a_pod_that_does_not_tolerate_at_once);
	tcase_add_test(tc, test_taint_eviction_is_cancelled_when_the_taint_goes_away);
	tcase_add_test(tc, test_taint_eviction_leaves_a_pod_that_tolerates_for_ever);
	tcase_add_test(tc, test_dead_node_pod_is_evicted_after_300s_and_replaced);
	suite_add_tcase(s, tc);
	return s;
}
