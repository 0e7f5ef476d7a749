/* test_sched_permit_wait.c - Permit's Wait, waiting pods, and PostBind.
 *
 * Two out-of-tree plugins answer Permit with Wait (timeout 5s); the tests
 * play the part of another plugin and Allow or Reject the waiting pod
 * through the framework handle, or let the timeout pass. What a user sees
 * is checked: the pod stays unbound while it waits, binds only once every
 * waiting plugin allowed it, and a rejection or timeout leaves it Pending
 * with upstream's message (waiting_pods_map.go, framework.go,
 * schedule_one.go). A PostBind plugin counts binds.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_config.h"
#include "sched_waiting.h"
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_permit_wait_suite(void);

static struct sched_waiting_pods *handle;	/* captured from a Permit call */
static ktime_t wait_for = 5 * KTIME_SECOND;
static int unreserves, post_binds;

static enum sched_code waiter_permit(struct sched_state *state, const struct pod *pod,
				     const char *node, struct sched_status *status)
{
	(void)pod, (void)node;
	handle = state->waiting;
	return sched_status_wait(status, wait_for);
}

static enum sched_code ok_reserve(struct sched_state *state, const struct pod *pod,
				  const char *node, struct sched_status *status)
{
	(void)state, (void)pod, (void)node, (void)status;
	return SCHED_SUCCESS;
}

static void count_unreserve(struct sched_state *state, const struct pod *pod,
			    const char *node)
{
	(void)state, (void)pod, (void)node;
	unreserves++;
}

static void count_post_bind(struct sched_state *state, const struct pod *pod,
			    const char *node)
{
	(void)state, (void)pod, (void)node;
	post_binds++;
}

static const struct sched_plugin waiter = {
	.name = "Waiter", .reserve = ok_reserve, .unreserve = count_unreserve,
	.permit = waiter_permit, .post_bind = count_post_bind,
};
static const struct sched_plugin waiter2 = {
	.name = "Waiter2", .permit = waiter_permit,
};

/* One node, one pod "web", a profile enabling plugins (YAML list);
 * runs one second. */
static void start(struct sched_run *r, const char *plugins)
{
	const char *why = NULL;
	if (!sched_plugin_lookup("Waiter"))
		ck_assert_ptr_nonnull(sched_plugin_register(&waiter, &why));
	if (!sched_plugin_lookup("Waiter2"))
		ck_assert_ptr_nonnull(sched_plugin_register(&waiter2, &why));
	handle = NULL;
	unreserves = post_binds = 0;
	char *text = xasprintf("apiVersion: kubescheduler.config.k8s.io/v1\n"
			       "kind: KubeSchedulerConfiguration\n"
			       "profiles:\n"
			       "- plugins: {multiPoint: {enabled: %s}}\n", plugins);
	sched_run_one_pod(r, text);
	free(text);
}

static const struct pod *web(struct sched_run *r)
{
	return (const struct pod *)client_get(&r->client, KIND_POD, "default", "web");
}

/* The waiting pod "web", as a plugin finds it through the handle. */
static struct sched_waiting_pod *waiting_web(struct sched_run *r)
{
	ck_assert_ptr_nonnull(handle);
	static struct sched_state state;
	memset(&state, 0, sizeof(state));
	state.waiting = handle;
	return sched_waiting_pod_get(&state, web(r)->obj.meta.uid);
}

static void stop(struct sched_run *r)
{
	sched_run_close(r);
	wait_for = 5 * KTIME_SECOND;
}

static const char *scheduled_message(struct sched_run *r)
{
	const struct pod *pod = web(r);
	return pod->status.conditions.len ? pod->status.conditions.items[0].message : NULL;
}

START_TEST(test_waiting_pod_is_held_until_allowed_then_binds)
{
	struct sched_run r;
	start(&r, "[{name: Waiter}]");
	ck_assert_ptr_null(web(&r)->spec.node_name);	/* held: not bound */
	struct sched_waiting_pod *wp = waiting_web(&r);
	ck_assert_ptr_nonnull(wp);
	ck_assert_str_eq(sched_waiting_pod_pending(wp, 0), "Waiter");
	ck_assert_ptr_null(sched_waiting_pod_pending(wp, 1));
	sched_waiting_pod_allow(wp, "Waiter");
	ck_assert_ptr_null(web(&r)->spec.node_name);	/* not within the call */
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(web(&r)->spec.node_name, "node-1");
	ck_assert_ptr_null(waiting_web(&r));
	ck_assert_int_eq(post_binds, 1);		/* PostBind ran once */
	ck_assert_int_eq(unreserves, 0);
	sched_run_advance(&r, 10 * KTIME_SECOND);	/* no timeout fires later */
	ck_assert_str_eq(web(&r)->spec.node_name, "node-1");
	stop(&r);
}
END_TEST

START_TEST(test_every_waiting_plugin_must_allow)
{
	struct sched_run r;
	start(&r, "[{name: Waiter}, {name: Waiter2}]");
	struct sched_waiting_pod *wp = waiting_web(&r);
	ck_assert_ptr_nonnull(wp);
	sched_waiting_pod_allow(wp, "Waiter");
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_ptr_null(web(&r)->spec.node_name);	/* Waiter2 still holds it */
	ck_assert_str_eq(sched_waiting_pod_pending(wp, 0), "Waiter2");
	sched_waiting_pod_allow(wp, "Waiter2");
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_str_eq(web(&r)->spec.node_name, "node-1");
	stop(&r);
}
END_TEST

START_TEST(test_rejected_waiting_pod_is_unreserved_and_stays_pending)
{
	struct sched_run r;
	start(&r, "[{name: Waiter}]");
	sched_waiting_pod_reject(waiting_web(&r), "Waiter", "the gang is incomplete");
	sched_waiting_pod_allow(waiting_web(&r), "Waiter");	/* too late: first wins */
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_ptr_null(web(&r)->spec.node_name);
	ck_assert_int_eq(unreserves, 1);
	ck_assert_int_eq(post_binds, 0);
	ck_assert_str_eq(web(&r)->status.conditions.items[0].reason, "Unschedulable");
	ck_assert_str_eq(scheduled_message(&r),
			 "0/1 nodes are available: 1 the gang is incomplete.");
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 0);
	stop(&r);
}
END_TEST

START_TEST(test_waiting_pod_times_out_with_upstreams_message)
{
	struct sched_run r;
	start(&r, "[{name: Waiter}]");
	sched_run_advance(&r, 3 * KTIME_SECOND);	/* 4s in: still waiting */
	ck_assert_ptr_nonnull(waiting_web(&r));
	ck_assert_int_eq(unreserves, 0);
	sched_run_advance(&r, 2 * KTIME_SECOND);	/* 6s: 5s after Permit */
	ck_assert_ptr_null(web(&r)->spec.node_name);
	ck_assert_int_eq(unreserves, 1);
	ck_assert_str_eq(scheduled_message(&r),
			 "0/1 nodes are available: 1 rejected due to timeout after "
			 "waiting 5s at plugin Waiter.");
	stop(&r);
}
END_TEST

START_TEST(test_wait_timeout_is_capped_at_fifteen_minutes)
{
	wait_for = 2 * 3600 * KTIME_SECOND;
	struct sched_run r;
	start(&r, "[{name: Waiter}]");
	sched_run_advance(&r, 15 * 60 * KTIME_SECOND);
	ck_assert_str_eq(scheduled_message(&r),
			 "0/1 nodes are available: 1 rejected due to timeout after "
			 "waiting 15m0s at plugin Waiter.");
	stop(&r);
}
END_TEST

START_TEST(test_deleting_a_waiting_pod_rejects_it)
{
	struct sched_run r;
	start(&r, "[{name: Waiter}]");
	ck_assert_uint_eq(sched_waiting_pods_len(handle), 1);
	struct api_status status;
	struct delete_options options = { .grace_period_seconds = 0 };
	ck_assert_int_eq(client_delete(&r.client, KIND_POD, "default", "web", &options,
				       &status), API_OK);
	sched_run_advance(&r, KTIME_SECOND);
	ck_assert_uint_eq(sched_waiting_pods_len(handle), 0);
	ck_assert_int_eq(unreserves, 1);
	stop(&r);
}
END_TEST

Suite *sched_permit_wait_suite(void)
{
	Suite *s = suite_create("sched_permit_wait");
	TCase *tc = tcase_create("wait");
	tcase_add_test(tc, test_waiting_pod_is_held_until_allowed_then_binds);
	tcase_add_test(tc, test_every_waiting_plugin_must_allow);
	tcase_add_test(tc, test_rejected_waiting_pod_is_unreserved_and_stays_pending);
	tcase_add_test(tc, test_waiting_pod_times_out_with_upstreams_message);
	tcase_add_test(tc, test_wait_timeout_is_capped_at_fifteen_minutes);
	tcase_add_test(tc, test_deleting_a_waiting_pod_rejects_it);
	suite_add_tcase(s, tc);
	return s;
}
