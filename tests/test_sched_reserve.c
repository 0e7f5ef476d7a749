/* test_sched_reserve.c - Reserve, Permit, PreBind and Unreserve.
 *
 * A recording plugin, registered as an out-of-tree plugin and enabled
 * through a KubeSchedulerConfiguration, logs every call. The tests check
 * upstream's order (schedule_one.go: Reserve and Permit in the scheduling
 * cycle, PreBind in the binding cycle, Unreserve when anything after
 * Reserve says no) and what the user sees when a plugin says no: the pod
 * stays unbound with upstream's "0/1 nodes are available" message.
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
#include "store.h"
#include "xmalloc.h"

#include "sched_run_fixture.h"

Suite *sched_reserve_suite(void);

static char log_text[256];
static const char *say_no_at;	/* "permit", "preBind", or NULL */

static void note(const char *what, const char *node)
{
	size_t len = strlen(log_text);
	snprintf(log_text + len, sizeof(log_text) - len, "%s%s@%s", len ? " " : "",
		 what, node);
}

static enum sched_code answer(const char *point, const char *node,
			      struct sched_status *status)
{
	note(point, node);
	if (say_no_at && !strcmp(say_no_at, point))
		return sched_status_add(status, SCHED_UNSCHEDULABLE, "node(s) said no");
	return SCHED_SUCCESS;
}

static enum sched_code rec_reserve(struct sched_state *state, const struct pod *pod,
				   const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("reserve", node, status);
}

static void rec_unreserve(struct sched_state *state, const struct pod *pod,
			  const char *node)
{
	(void)state, (void)pod;
	note("unreserve", node);
}

static enum sched_code rec_permit(struct sched_state *state, const struct pod *pod,
				  const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("permit", node, status);
}

static enum sched_code rec_pre_bind(struct sched_state *state, const struct pod *pod,
				    const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("preBind", node, status);
}

static const struct sched_plugin recorder = {
	.name = "Recorder", .reserve = rec_reserve, .unreserve = rec_unreserve,
	.permit = rec_permit, .pre_bind = rec_pre_bind,
};

/* One node, one pod, a profile with the recorder; runs a second. */
static void run_one_pod(struct sched_run *r)
{
	const char *why = NULL;
	if (!sched_plugin_lookup("Recorder"))
		ck_assert_ptr_nonnull(sched_plugin_register(&recorder, &why));
	log_text[0] = '\0';
	sched_run_one_pod(r, "apiVersion: kubescheduler.config.k8s.io/v1\n"
			  "kind: KubeSchedulerConfiguration\n"
			  "profiles:\n"
			  "- plugins: {multiPoint: {enabled: [{name: Recorder}]}}\n");
}

static const struct pod *web(struct sched_run *r)
{
	return (const struct pod *)client_get(&r->client, KIND_POD, "default", "web");
}

static void run_stop(struct sched_run *r)
{
	sched_run_close(r);
	say_no_at = NULL;
}

START_TEST(test_reserve_permit_pre_bind_run_in_upstreams_order)
{
	struct sched_run r;
	run_one_pod(&r);
	ck_assert_str_eq(log_text, "reserve@node-1 permit@node-1 preBind@node-1");
	ck_assert_str_eq(web(&r)->spec.node_name, "node-1");
	run_stop(&r);
}
END_TEST

START_TEST(test_permit_rejection_unreserves_and_leaves_the_pod_pending)
{
	say_no_at = "permit";
	struct sched_run r;
	run_one_pod(&r);
	/* The first attempt, then the pod waits for a cluster event. */
	ck_assert_str_eq(log_text, "reserve@node-1 permit@node-1 unreserve@node-1");
	const struct pod *pod = web(&r);
	ck_assert_ptr_null(pod->spec.node_name);
	ck_assert_str_eq(pod->status.conditions.items[0].reason, "Unschedulable");
	ck_assert_str_eq(pod->status.conditions.items[0].message,
			 "0/1 nodes are available: 1 node(s) said no.");
	run_stop(&r);
}
END_TEST

START_TEST(test_pre_bind_rejection_unreserves_before_binding)
{
	say_no_at = "preBind";
	struct sched_run r;
	run_one_pod(&r);
	ck_assert_ptr_nonnull(strstr(log_text, "reserve@node-1 permit@node-1 "
				     "preBind@node-1 unreserve@node-1"));
	ck_assert_ptr_null(web(&r)->spec.node_name);
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 0);
	run_stop(&r);
}
END_TEST

Suite *sched_reserve_suite(void)
{
	Suite *s = suite_create("sched_reserve");
	TCase *tc = tcase_create("points");
	tcase_add_test(tc, test_reserve_permit_pre_bind_run_in_upstreams_order);
	tcase_add_test(tc, test_permit_rejection_unreserves_and_leaves_the_pod_pending);
	tcase_add_test(tc, test_pre_bind_rejection_unreserves_before_binding);
	suite_add_tcase(s, tc);
	return s;
}
