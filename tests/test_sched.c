/* test_sched.c - the scheduler: its queue, and whole runs on the engine.
 *
 * The queue tests drive sched_queue directly on an engine clock and check
 * what a reader of upstream's PriorityQueue expects: pop order, backoff
 * times, parking and requeueing. The end-to-end tests start a scheduler
 * on an engine and a store, create nodes and pods through the client as a
 * user would, run virtual time, and look at what kubectl would show:
 * spec.nodeName, the PodScheduled condition, Scheduled and FailedScheduling
 * events with upstream's wording.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_queue.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_suite(void);

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

static struct node *node_new(const char *name, const char *cpu, const char *memory)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	set_amount(&n->status.allocatable, "cpu", cpu);
	set_amount(&n->status.allocatable, "memory", memory);
	set_amount(&n->status.allocatable, "pods", "110");
	return n;
}

static struct pod *pod_new(const char *name, const char *cpu, const char *memory)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	c->image = xstrdup("nginx");
	if (cpu)
		set_amount(&c->resources.requests, "cpu", cpu);
	if (memory)
		set_amount(&c->resources.requests, "memory", memory);
	return p;
}

/* ---- the queue ------------------------------------------------------------ */

struct queue_fixture {
	struct engine *engine;
	struct clock clock;
	struct sched_queue *queue;
	int active_calls;
	int uids;
};

static void count_active(void *arg)
{
	((struct queue_fixture *)arg)->active_calls++;
}

static void queue_setup(struct queue_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->engine = engine_new();
	engine_run(f->engine, KTIME_SIM_EPOCH, 0);
	f->clock = engine_clock(f->engine);
	f->queue = sched_queue_new(&f->clock, count_active, f);
}

static void queue_teardown(struct queue_fixture *f)
{
	ck_assert(sched_queue_check(f->queue));
	sched_queue_free(f->queue);
	engine_free(f->engine);
}

/* Adds a pod named name with that priority; returns its uid (static). */
static const char *queue_add(struct queue_fixture *f, const char *name, int64_t priority)
{
	struct pod *p = pod_new(name, NULL, NULL);
	p->obj.meta.uid = xasprintf("uid-%s", name);
	p->spec.priority.is_set = true;
	p->spec.priority.value = priority;
	sched_queue_add(f->queue, p);
	const char *uid = sched_queue_get(f->queue, p->obj.meta.uid)->uid;
	object_unref(&p->obj);
	return uid;
}

static void advance(struct engine *engine, ktime_t delta)
{
	engine_run(engine, engine_now(engine) + delta, 0);
}

static const char *pop_name(struct queue_fixture *f)
{
	struct sched_queued_pod *qp = sched_queue_pop(f->queue);
	ck_assert_ptr_nonnull(qp);
	static char name[64];
	snprintf(name, sizeof(name), "%s", qp->pod->obj.meta.name);
	sched_queue_done(f->queue, qp);
	return name;
}

START_TEST(test_queue_pops_higher_priority_first_then_the_oldest)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "low", 0);
	queue_add(&f, "high", 1000);
	queue_add(&f, "mid", 50);
	advance(f.engine, KTIME_SECOND);
	queue_add(&f, "high-later", 1000);
	queue_add(&f, "low-later", 0);
	ck_assert_int_eq(f.active_calls, 5);
	ck_assert_str_eq(pop_name(&f), "high");
	ck_assert_str_eq(pop_name(&f), "high-later");
	ck_assert_str_eq(pop_name(&f), "mid");
	ck_assert_str_eq(pop_name(&f), "low");
	ck_assert_str_eq(pop_name(&f), "low-later");
	ck_assert_ptr_null(sched_queue_pop(f.queue));
	queue_teardown(&f);
}
END_TEST

START_TEST(test_queue_reorders_a_pod_whose_priority_changes)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "a", 10);
	queue_add(&f, "b", 20);
	struct pod *b = (struct pod *)object_copy(&sched_queue_get(f.queue, "uid-b")->pod->obj);
	b->spec.priority.value = 5;
	sched_queue_update(f.queue, NULL, b);
	object_unref(&b->obj);
	ck_assert_str_eq(pop_name(&f), "a");
	ck_assert_str_eq(pop_name(&f), "b");
	queue_teardown(&f);
}
END_TEST

START_TEST(test_backoff_doubles_from_one_second_to_ten)
{
	static const ktime_t want[] = { 0, 1, 2, 4, 8, 10, 10, 10 };
	for (int attempts = 0; attempts < 8; attempts++)
		ck_assert_int_eq(sched_queue_backoff(attempts), want[attempts] * KTIME_SECOND);
	ck_assert_int_eq(sched_queue_backoff(100), 10 * KTIME_SECOND);
}
END_TEST

START_TEST(test_failed_pod_waits_out_its_backoff_before_returning)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "web", 0);
	for (int attempt = 1; attempt <= 3; attempt++) {
		struct sched_queued_pod *qp = sched_queue_pop(f.queue);
		ck_assert_int_eq(qp->attempts, attempt);
		sched_queue_failed(f.queue, qp, NULL, false);	/* an error: back off */
		ktime_t penalty = sched_queue_backoff(attempt);
		ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_BACKOFF), 1);
		advance(f.engine, penalty - KTIME_MS);
		ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 0);
		advance(f.engine, KTIME_MS);
		ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);
	}
	queue_teardown(&f);
}
END_TEST

START_TEST(test_unschedulable_pod_parks_until_the_cluster_changes)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "big", 0);
	struct sched_queued_pod *qp = sched_queue_pop(f.queue);
	sched_queue_failed(f.queue, qp, NULL, true);
	advance(f.engine, 60 * KTIME_SECOND);	/* backoff long over, still parked */
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_UNSCHEDULABLE), 1);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 0);
	sched_queue_move_all(f.queue);		/* e.g. a node joined */
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);

	/* Moved while its 2s penalty runs, it waits in backoffQ. */
	qp = sched_queue_pop(f.queue);
	sched_queue_failed(f.queue, qp, NULL, true);
	advance(f.engine, KTIME_SECOND);
	sched_queue_move_all(f.queue);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_BACKOFF), 1);
	advance(f.engine, KTIME_SECOND);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);
	queue_teardown(&f);
}
END_TEST

START_TEST(test_parked_pod_is_retried_after_five_minutes_anyway)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "big", 0);
	sched_queue_failed(f.queue, sched_queue_pop(f.queue), NULL, true);
	advance(f.engine, 5 * KTIME_MINUTE);	/* the 30s flush saw it at 5:00 sharp */
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_UNSCHEDULABLE), 1);
	advance(f.engine, 30 * KTIME_SECOND);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);
	/* Nothing parked: no timer left behind. */
	ck_assert_int_eq(engine_pending(f.engine), 0);
	queue_teardown(&f);
}
END_TEST

/* The 30 s flush ticks from the queue's start, not from the parking: a
 * pod parked at 0:10 is 5:20 old at the 5:30 tick, past the 5 minutes. */
static void nothing(void *arg)
{
	(void)arg;
}

START_TEST(test_flush_ticks_every_thirty_seconds_from_the_queues_start)
{
	struct queue_fixture f;
	queue_setup(&f);
	clock_after(&f.clock, 10 * KTIME_SECOND, nothing, NULL);	/* time passes */
	advance(f.engine, 10 * KTIME_SECOND);
	queue_add(&f, "big", 0);
	sched_queue_failed(f.queue, sched_queue_pop(f.queue), NULL, true);
	advance(f.engine, 5 * KTIME_MINUTE + 19 * KTIME_SECOND);	/* 5:29 */
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_UNSCHEDULABLE), 1);
	advance(f.engine, 1 * KTIME_SECOND);				/* 5:30 */
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);
	queue_teardown(&f);
}
END_TEST

START_TEST(test_only_a_spec_or_label_change_requeues_a_parked_pod)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "web", 0);
	sched_queue_failed(f.queue, sched_queue_pop(f.queue), NULL, true);
	advance(f.engine, 2 * KTIME_SECOND);
	const struct pod *old = sched_queue_get(f.queue, "uid-web")->pod;
	struct pod *status_only = (struct pod *)object_copy(&old->obj);
	status_only->status.message = xstrdup("no room");
	struct pod *relabelled = (struct pod *)object_copy(&old->obj);
	strmap_set(&relabelled->obj.meta.labels, "tier", "small");
	struct pod *old_ref = (struct pod *)object_ref(&old->obj);

	sched_queue_update(f.queue, old_ref, status_only);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_UNSCHEDULABLE), 1);
	sched_queue_update(f.queue, status_only, relabelled);
	ck_assert_uint_eq(sched_queue_len(f.queue, SCHED_QUEUE_ACTIVE), 1);
	object_unref(&old_ref->obj);
	object_unref(&status_only->obj);
	object_unref(&relabelled->obj);
	queue_teardown(&f);
}
END_TEST

START_TEST(test_pod_deleted_in_flight_is_dropped_when_its_cycle_ends)
{
	struct queue_fixture f;
	queue_setup(&f);
	queue_add(&f, "web", 0);
	queue_add(&f, "db", 0);
	struct sched_queued_pod *qp = sched_queue_pop(f.queue);
	sched_queue_delete(f.queue, qp->uid);
	sched_queue_delete(f.queue, "uid-db");
	sched_queue_failed(f.queue, qp, NULL, true);
	ck_assert_ptr_null(sched_queue_get(f.queue, "uid-web"));
	ck_assert_ptr_null(sched_queue_get(f.queue, "uid-db"));
	for (int w = SCHED_QUEUE_ACTIVE; w <= SCHED_QUEUE_IN_FLIGHT; w++)
		ck_assert_uint_eq(sched_queue_len(f.queue, w), 0);
	queue_teardown(&f);
}
END_TEST

/* ---- end to end ----------------------------------------------------------- */

static void run_start(struct sched_run *r, uint64_t seed)
{
	struct scheduler_options options = {
		.name = "default-scheduler",
		.bind_latency = 10 * KTIME_MS,
		.seed = seed,
	};
	sched_run_start(r, &options);
}

static const char *node_of(struct sched_run *r, const char *pod)
{
	const char *node = sched_run_pod(r, pod)->spec.node_name;
	return node ? node : "";
}

/* The message of the newest event with reason about pod, or NULL. */
static const char *event_message(struct sched_run *r, const char *pod, const char *reason)
{
	struct object_list list = { 0 };
	store_list(r->store, KIND_EVENT, "default", NULL, &list);
	const char *message = NULL;
	ktime_t newest = 0;
	for (size_t i = 0; i < list.len; i++) {
		const struct event *ev = (const struct event *)list.items[i];
		if (!strcmp(ev->involved_object.name, pod) && !strcmp(ev->reason, reason) &&
		    ev->last_timestamp >= newest) {
			message = ev->message;
			newest = ev->last_timestamp;
		}
	}
	object_list_release(&list);
	return message;
}

START_TEST(test_six_pods_spread_over_three_nodes_by_least_allocated)
{
	struct sched_run r;
	sched_run_open(&r, true);
	for (int i = 1; i <= 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "worker-%d", i);
		sched_run_create(&r, &node_new(name, "4", "8Gi")->obj);
	}
	run_start(&r, 42);
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "web-%d", i);
		sched_run_create(&r, &pod_new(name, "500m", "1Gi")->obj);
	}
	advance(r.engine, KTIME_SECOND);
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 6);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 0);
	for (int i = 1; i <= 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "worker-%d", i);
		struct object_list list = { 0 };
		store_list_pods_on_node(r.store, name, &list);
		ck_assert_msg(list.len == 2, "%s has %zu pods", name, list.len);
		object_list_release(&list);
	}
	char *want = xasprintf("Successfully assigned default/web-0 to %s", node_of(&r, "web-0"));
	ck_assert_str_eq(event_message(&r, "web-0", "Scheduled"), want);
	free(want);
	ck_assert_int_eq(engine_pending(r.engine), 0);	/* idle once done */
	sched_run_close(&r);
}
END_TEST

START_TEST(test_same_seed_gives_the_same_placement)
{
	char first[8][16];
	for (int round = 0; round < 2; round++) {
		struct sched_run r;
		sched_run_open(&r, true);
		for (int i = 0; i < 8; i++) {
			char name[32];
			snprintf(name, sizeof(name), "worker-%d", i);
			sched_run_create(&r, &node_new(name, "4", "8Gi")->obj);
		}
		run_start(&r, 7);
		for (int i = 0; i < 8; i++) {
			char name[32];
			snprintf(name, sizeof(name), "web-%d", i);
			sched_run_create(&r, &pod_new(name, "100m", "128Mi")->obj);
		}
		advance(r.engine, KTIME_SECOND);
		for (int i = 0; i < 8; i++) {
			char name[32];
			snprintf(name, sizeof(name), "web-%d", i);
			if (round == 0)
				snprintf(first[i], sizeof(first[i]), "%s", node_of(&r, name));
			else
				ck_assert_str_eq(node_of(&r, name), first[i]);
		}
		sched_run_close(&r);
	}
}
END_TEST

START_TEST(test_too_big_pod_stays_pending_until_a_node_with_room_joins)
{
	struct sched_run r;
	sched_run_open(&r, true);
	for (int i = 1; i <= 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "worker-%d", i);
		sched_run_create(&r, &node_new(name, "4", "8Gi")->obj);
	}
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("big", "8", "1Gi")->obj);
	advance(r.engine, 30 * KTIME_SECOND);

	const struct pod *big = sched_run_pod(&r, "big");
	ck_assert_ptr_null(big->spec.node_name);
	ck_assert_str_eq(big->status.phase, "Pending");
	const char *want = "0/3 nodes are available: 3 Insufficient cpu. preemption: "
		"0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
	ck_assert_str_eq(event_message(&r, "big", "FailedScheduling"), want);
	const struct condition *c = condition_find((void *)&big->status.conditions,
						   "PodScheduled");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->status, "False");
	ck_assert_str_eq(c->reason, "Unschedulable");
	ck_assert_str_eq(c->message, want);
	/* Parked, not retried in a loop: one attempt in 30 seconds. */
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 1);

	sched_run_create(&r, &node_new("worker-big", "16", "64Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "big"), "worker-big");
	ck_assert_str_eq(event_message(&r, "big", "Scheduled"),
			 "Successfully assigned default/big to worker-big");
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 1);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_failed_scheduling_message_for_a_mixed_cluster)
{
	struct sched_run r;
	sched_run_open(&r, true);
	struct node *cordoned = node_new("worker-1", "4", "8Gi");
	cordoned->spec.unschedulable = true;
	sched_run_create(&r, &cordoned->obj);
	sched_run_create(&r, &node_new("worker-2", "4", "8Gi")->obj);
	sched_run_create(&r, &node_new("worker-3", "4", "8Gi")->obj);
	/* Busy nodes: pods placed by hand (nodeName set, no scheduling). */
	for (int i = 2; i <= 3; i++) {
		char name[32], node[32];
		snprintf(name, sizeof(name), "busy-%d", i);
		snprintf(node, sizeof(node), "worker-%d", i);
		struct pod *p = pod_new(name, "3", "1Gi");
		p->spec.node_name = xstrdup(node);
		sched_run_create(&r, &p->obj);
	}
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("web", "2", "1Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(event_message(&r, "web", "FailedScheduling"),
			 "0/3 nodes are available: 1 node(s) were unschedulable, "
			 "2 Insufficient cpu. preemption: 0/3 nodes are available: "
			 "1 Preemption is not helpful for scheduling, "
			 "2 No preemption victims found for incoming pod.");
	/* The hand-placed pods are booked, not scheduled. */
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 0);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_deleted_pod_frees_room_for_a_pending_one)
{
	struct sched_run r;
	sched_run_open(&r, true);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("first", "3", "1Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	sched_run_create(&r, &pod_new("second", "3", "1Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "first"), "worker-1");
	ck_assert_str_eq(node_of(&r, "second"), "");
	ck_assert_str_eq(event_message(&r, "second", "FailedScheduling"),
			 "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 "
			 "nodes are available: 1 No preemption victims found for incoming pod.");
	struct delete_options now = { .grace_period_seconds = 0 };
	ck_assert_int_eq(client_delete(&r.client, KIND_POD, "default", "first", &now, NULL),
			 API_OK);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "second"), "worker-1");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_finished_pod_frees_room_for_a_pending_one)
{
	struct sched_run r;
	sched_run_open(&r, true);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("job", "3", "1Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	sched_run_create(&r, &pod_new("next", "3", "1Gi")->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "next"), "");
	struct pod *done = (struct pod *)object_copy(&sched_run_pod(&r, "job")->obj);
	free(done->status.phase);
	done->status.phase = xstrdup("Succeeded");
	ck_assert_int_eq(client_update_status(&r.client, &done->obj, NULL), API_OK);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "next"), "worker-1");
	sched_run_close(&r);
}
END_TEST

START_TEST(test_pods_for_another_scheduler_are_left_alone)
{
	struct sched_run r;
	sched_run_open(&r, true);
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	run_start(&r, 1);
	struct pod *p = pod_new("custom", "100m", NULL);
	p->spec.scheduler_name = xstrdup("my-scheduler");
	sched_run_create(&r, &p->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "custom"), "");
	ck_assert_ptr_null(event_message(&r, "custom", "FailedScheduling"));
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler) +
			  scheduler_failed_attempts(r.scheduler), 0);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_without_nodes_the_pod_backs_off_and_retries)
{
	struct sched_run r;
	sched_run_open(&r, true);
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("web", "100m", NULL)->obj);
	/* A stale nomination (as an earlier preemption would leave): the
	 * next attempt clears it, as upstream's clearNominatedNode. */
	advance(r.engine, 500 * KTIME_MS);
	struct pod *nominated = (struct pod *)object_copy(&sched_run_pod(&r, "web")->obj);
	nominated->status.nominated_node_name = xstrdup("worker-0");
	ck_assert_int_eq(client_update_status(&r.client, &nominated->obj, NULL), API_OK);
	/* Attempts at 0s, 1s, 3s, 7s: backoff 1, 2, 4 (no plugin rejected it,
	 * so it is not parked). */
	advance(r.engine, 6500 * KTIME_MS + KTIME_MS);
	ck_assert_ptr_null(sched_run_pod(&r, "web")->status.nominated_node_name);
	ck_assert_uint_eq(scheduler_failed_attempts(r.scheduler), 4);
	ck_assert_str_eq(event_message(&r, "web", "FailedScheduling"),
			 "no nodes available to schedule pods");
	sched_run_create(&r, &node_new("worker-1", "4", "8Gi")->obj);
	advance(r.engine, 10 * KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "web"), "worker-1");
	sched_run_close(&r);
}
END_TEST

/* 300 nodes: one cycle examines until it has 48% of them feasible (144),
 * starting where the previous cycle stopped. */
static void create_numbered_nodes(struct sched_run *r, int from, int to, const char *cpu)
{
	for (int i = from; i < to; i++) {
		char name[32];
		snprintf(name, sizeof(name), "node-%03d", i);
		sched_run_create(r, &node_new(name, cpu, "64Gi")->obj);
	}
}

START_TEST(test_large_cluster_scores_only_a_window_of_nodes)
{
	struct sched_run r;
	sched_run_open(&r, true);
	create_numbered_nodes(&r, 0, 200, "2");		/* small */
	create_numbered_nodes(&r, 200, 300, "64");	/* much emptier */
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("first", "100m", "128Mi")->obj);
	advance(r.engine, KTIME_SECOND);
	sched_run_create(&r, &pod_new("second", "100m", "128Mi")->obj);
	advance(r.engine, KTIME_SECOND);
	/* The first cycle saw node-000..143 only and took a small node; the
	 * second, node-144..287, and found the big ones. */
	ck_assert_int_lt(atoi(node_of(&r, "first") + 5), 144);
	ck_assert_int_ge(atoi(node_of(&r, "second") + 5), 200);
	ck_assert_int_lt(atoi(node_of(&r, "second") + 5), 288);
	sched_run_close(&r);
}
END_TEST

START_TEST(test_large_cluster_still_finds_the_one_feasible_node)
{
	struct sched_run r;
	sched_run_open(&r, true);
	for (int i = 0; i < 300; i++) {
		char name[32];
		snprintf(name, sizeof(name), "node-%03d", i);
		struct node *n = node_new(name, "4", "8Gi");
		if (i != 250) {
			struct taint *t = APPEND(n->spec.taints);
			t->key = xstrdup("dedicated");
			t->value = xstrdup("batch");
			t->effect = xstrdup("NoSchedule");
		}
		sched_run_create(&r, &n->obj);
	}
	run_start(&r, 1);
	sched_run_create(&r, &pod_new("web", "100m", "128Mi")->obj);
	advance(r.engine, KTIME_SECOND);
	ck_assert_str_eq(node_of(&r, "web"), "node-250");
	sched_run_close(&r);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, test_queue_pops_higher_priority_first_then_the_oldest);
	tcase_add_test(tc, test_queue_reorders_a_pod_whose_priority_changes);
	tcase_add_test(tc, test_backoff_doubles_from_one_second_to_ten);
	tcase_add_test(tc, test_failed_pod_waits_out_its_backoff_before_returning);
	tcase_add_test(tc, test_unschedulable_pod_parks_until_the_cluster_changes);
	tcase_add_test(tc, test_parked_pod_is_retried_after_five_minutes_anyway);
	tcase_add_test(tc, test_flush_ticks_every_thirty_seconds_from_the_queues_start);
	tcase_add_test(tc, test_only_a_spec_or_label_change_requeues_a_parked_pod);
	tcase_add_test(tc, test_pod_deleted_in_flight_is_dropped_when_its_cycle_ends);
	suite_add_tcase(s, tc);
	tc = tcase_create("end_to_end");
	tcase_add_test(tc, test_six_pods_spread_over_three_nodes_by_least_allocated);
	tcase_add_test(tc, test_same_seed_gives_the_same_placement);
	tcase_add_test(tc, test_too_big_pod_stays_pending_until_a_node_with_room_joins);
	tcase_add_test(tc, test_failed_scheduling_message_for_a_mixed_cluster);
	tcase_add_test(tc, test_deleted_pod_frees_room_for_a_pending_one);
	tcase_add_test(tc, test_finished_pod_frees_room_for_a_pending_one);
	tcase_add_test(tc, test_pods_for_another_scheduler_are_left_alone);
	tcase_add_test(tc, test_without_nodes_the_pod_backs_off_and_retries);
	tcase_add_test(tc, test_large_cluster_scores_only_a_window_of_nodes);
	tcase_add_test(tc, test_large_cluster_still_finds_the_one_feasible_node);
	suite_add_tcase(s, tc);
	return s;
}
