/* test_ctrl_job_suspend.c - suspending and resuming a Job (spec.suspend).
 *
 * The Job controller over the controller harness (tests/ctrl_harness.h),
 * no scheduler and no kubelet: the Job's pods stay unbound, so deleting
 * one removes it at once. The assertions are what `kubectl describe job`
 * shows: the Suspended condition, the Events, startTime, active and failed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_job.h"
#include "ctrl_util.h"

Suite *ctrl_job_suspend_suite(void);

static void start_job_controller(struct harness *h)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = job_controller.name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
	};
	h->ops[i] = &job_controller;
	h->states[i] = job_controller.start(&h->clients[i]);
}

/* A Job "pi": 4 completions, 2 at a time, a 100 s deadline. */
static struct job *new_job(bool suspend)
{
	struct job *job = (struct job *)object_new(&job_kind);
	job->obj.meta.name = xstrdup("pi");
	job->obj.meta.namespace = xstrdup("default");
	h_template(&job->spec.template, "pi", "pi:1.0");
	job->spec.template.spec.restart_policy = xstrdup("Never");
	job->spec.completions = (struct opt_int64){ true, 4 };
	job->spec.parallelism = (struct opt_int64){ true, 2 };
	job->spec.active_deadline_seconds = (struct opt_int64){ true, 100 };
	job->spec.suspend = suspend;
	h_default(&job->obj);
	return job;
}

static const struct job *get_job(struct harness *h)
{
	return (const struct job *)h_get(h, KIND_JOB, "default", "pi");
}

static const struct condition *condition(struct harness *h, const char *type)
{
	return condition_find((void *)&get_job(h)->status.conditions, type);
}

static size_t active_pods(struct harness *h)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_POD, get_job(h)->obj.meta.uid, &list);
	size_t n = 0;
	for (size_t i = 0; i < list.len; i++)
		n += ctrl_pod_is_active((const struct pod *)list.items[i]);
	object_list_release(&list);
	return n;
}

static void suspend_fn(struct object *obj, void *arg)
{
	((struct job *)obj)->spec.suspend = *(const bool *)arg;
}

static void set_suspend(struct harness *h, bool suspend)
{
	h_update(h, KIND_JOB, "default", "pi", suspend_fn, &suspend, false);
}

static void assert_condition(struct harness *h, const char *status, const char *reason,
			     const char *message)
{
	const struct condition *c = condition(h, "Suspended");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->status, status);
	ck_assert_str_eq(c->reason, reason);
	ck_assert_str_eq(c->message, message);
}

START_TEST(test_suspend_deletes_the_pods_and_stops_the_deadline_until_resumed)
{
	struct harness *h = h_new(0);
	start_job_controller(h);
	h_create(h, &new_job(false)->obj);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(active_pods(h), 2);
	ck_assert_ptr_null(condition(h, "Suspended"));

	h_run_for(h, 29 * S);
	set_suspend(h, true);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(active_pods(h), 0);
	ck_assert_int_eq(get_job(h)->status.active, 0);
	assert_condition(h, "True", "JobSuspended", "Job suspended");
	ck_assert_uint_eq(h_count_events(h, "Suspended", "Job suspended"), 1);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 2);
	/* As upstream's isPodFailed: a pod deleted before it succeeded
	 * counts as failed. */
	ck_assert_int_eq(get_job(h)->status.failed, 2);
	ck_assert_int_eq(get_job(h)->status.start_time, 0);	/* not started */

	/* Far past the 100 s deadline: a suspended Job is not active. */
	h_run_for(h, 200 * S);
	ck_assert_ptr_null(condition(h, "Failed"));
	ck_assert_uint_eq(active_pods(h), 0);
	ck_assert_uint_eq(h_count_events(h, "Suspended", NULL), 1);

	ktime_t resumed = h_now(h);
	set_suspend(h, false);
	h_run_for(h, 1 * S);
	assert_condition(h, "False", "JobResumed", "Job resumed");
	ck_assert_uint_eq(h_count_events(h, "Resumed", "Job resumed"), 1);
	ck_assert_int_ge(get_job(h)->status.start_time, h->t0 + resumed);
	ck_assert_int_le(get_job(h)->status.start_time, h->t0 + resumed + 1 * S);
	/* The pods come back (after the failed pods' back-off). */
	h_run_for(h, 40 * S);
	ck_assert_uint_eq(active_pods(h), 2);
	/* The deadline counts from the resume: 100 s later the Job fails. */
	ck_assert_ptr_null(condition(h, "Failed"));
	h_run_to(h, resumed + 98 * S);
	ck_assert_ptr_null(condition(h, "FailureTarget"));
	h_run_to(h, resumed + 103 * S);
	ck_assert_str_eq(condition(h, "Failed")->reason, "DeadlineExceeded");
	h_free(h);
}
END_TEST

START_TEST(test_job_created_suspended_has_no_pods_and_no_start_time)
{
	struct harness *h = h_new(0);
	start_job_controller(h);
	h_create(h, &new_job(true)->obj);
	h_run_for(h, 10 * S);
	ck_assert_uint_eq(active_pods(h), 0);
	ck_assert_int_eq(get_job(h)->status.start_time, 0);
	assert_condition(h, "True", "JobSuspended", "Job suspended");
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 0);

	ktime_t resumed = h_now(h);
	set_suspend(h, false);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(active_pods(h), 2);
	ck_assert_int_ge(get_job(h)->status.start_time, h->t0 + resumed);
	ck_assert_int_eq(get_job(h)->status.failed, 0);
	assert_condition(h, "False", "JobResumed", "Job resumed");
	h_free(h);
}
END_TEST

START_TEST(test_job_never_suspended_gets_no_suspended_condition)
{
	struct harness *h = h_new(0);
	start_job_controller(h);
	h_create(h, &new_job(false)->obj);
	h_run_for(h, 30 * S);
	/* Going from nothing to False says nothing: no condition, no Event. */
	ck_assert_ptr_null(condition(h, "Suspended"));
	ck_assert_uint_eq(h_count_events(h, "Resumed", NULL), 0);
	h_free(h);
}
END_TEST

Suite *ctrl_job_suspend_suite(void)
{
	Suite *s = suite_create("ctrl_job_suspend");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_suspend_deletes_the_pods_and_stops_the_deadline_until_resumed);
	tcase_add_test(tc, test_job_created_suspended_has_no_pods_and_no_start_time);
	tcase_add_test(tc, test_job_never_suspended_gets_no_suspended_condition);
	suite_add_tcase(s, tc);
	return s;
}
