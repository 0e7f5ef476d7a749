/* test_ctrl_cronjob.c - the CronJob controller (sim/ctrl_cronjob.c).
 *
 * The controller runs over an engine and a store (tests/ctrl_harness.h).
 * Most tests play the Job controller's last word themselves: they mark a
 * Job Complete or Failed by writing its status. One test starts the real
 * Job controller too and ends the Job's pod as the kubelet would.
 *
 * Times: T0 is 2026-01-01T00:00:00Z, 29453760 minutes after the Unix
 * epoch, so the run due at T0 + N minutes is the Job "NAME-2945376N".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_cronjob.h"
#include "ctrl_harness.h"
#include "ctrl_job.h"

Suite *ctrl_cronjob_suite(void);

/* h_start for rows not (yet) in controller_table. */
static void start_row(struct harness *h, const struct controller_ops *ops)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = ops->name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
	};
	h->ops[i] = ops;
	h->states[i] = ops->start(&h->clients[i]);
}

static struct cron_job *new_cron_job(const char *schedule, const char *policy)
{
	struct cron_job *cj = (struct cron_job *)object_new(&cron_job_kind);
	cj->obj.meta.name = xstrdup("hello");
	cj->obj.meta.namespace = xstrdup("default");
	cj->spec.schedule = xstrdup(schedule);
	strmap_set(&cj->spec.job_template.metadata.labels, "team", "batch");
	h_template(&cj->spec.job_template.spec.template, "hello", "hello:1.0");
	cj->spec.job_template.spec.template.spec.restart_policy = xstrdup("Never");
	h_default(&cj->obj);
	free(cj->spec.concurrency_policy);
	cj->spec.concurrency_policy = xstrdup(policy);
	return cj;
}

static const struct cron_job *get_cj(struct harness *h)
{
	return (const struct cron_job *)h_get(h, KIND_CRONJOB, "default", "hello");
}

static const struct job *get_job(struct harness *h, int minute)
{
	char name[64];
	snprintf(name, sizeof(name), "hello-%d", 29453760 + minute);
	return (const struct job *)h_get(h, KIND_JOB, "default", name);
}

static size_t count_jobs(struct harness *h)
{
	struct object_list list = {0};
	store_list(h->store, KIND_JOB, NULL, NULL, &list);
	size_t n = list.len;
	object_list_release(&list);
	return n;
}

struct finish {
	const char *type;
	ktime_t now;
};

static void finish_fn(struct object *obj, void *arg)
{
	const struct finish *f = arg;
	struct job *job = (struct job *)obj;
	struct condition *c = xcalloc(1, sizeof(*c));
	c->type = xstrdup(f->type);
	c->status = xstrdup("True");
	c->last_transition_time = f->now;
	job->status.conditions.items = c;
	job->status.conditions.len = 1;
	job->status.start_time = job->obj.meta.creation_timestamp;
	if (!strcmp(f->type, "Complete"))
		job->status.completion_time = f->now;
}

/* Plays the Job controller: the Job of that minute finished. */
static void finish_job(struct harness *h, int minute, const char *type)
{
	struct finish f = { type, clock_now(&h->clock) };
	const struct job *job = get_job(h, minute);
	ck_assert_msg(job != NULL, "no job for minute %d", minute);
	h_update(h, KIND_JOB, "default", job->obj.meta.name, finish_fn, &f, true);
}

START_TEST(test_cronjob_creates_a_job_named_after_the_scheduled_minute)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("*/1 * * * *", "Allow")->obj);
	h_run_to(h, 59 * S);
	ck_assert_uint_eq(count_jobs(h), 0);	/* nothing runs at creation */

	h_run_to(h, 61 * S);
	const struct job *job = get_job(h, 1);
	ck_assert_ptr_nonnull(job);
	ck_assert_str_eq(strmap_get(&job->obj.meta.annotations, CRONJOB_SCHEDULED_TIMESTAMP),
			 "2026-01-01T00:01:00Z");
	ck_assert_str_eq(strmap_get(&job->obj.meta.labels, "team"), "batch");
	const struct owner_reference *ref = object_controller_of(&job->obj);
	ck_assert_str_eq(ref->kind, "CronJob");
	ck_assert_str_eq(ref->uid, get_cj(h)->obj.meta.uid);
	ck_assert_int_eq(job->spec.parallelism.value, 1);	/* defaulted */

	const struct cron_job *cj = get_cj(h);
	ck_assert_uint_eq(cj->status.active.len, 1);
	ck_assert_str_eq(cj->status.active.items[0].name, "hello-29453761");
	ck_assert_str_eq(cj->status.active.items[0].kind, "Job");
	ck_assert_int_eq(cj->status.last_schedule_time, h->t0 + 60 * S);
	const struct h_event *e = h_find_event(h, "SuccessfulCreate",
					       "Created job hello-29453761");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->t, 60 * S + 100 * KTIME_MS);	/* 100 ms after the minute */

	h_run_to(h, 3 * KTIME_MINUTE + S);
	ck_assert_uint_eq(count_jobs(h), 3);	/* Allow: they run side by side */
	ck_assert_uint_eq(get_cj(h)->status.active.len, 3);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	h_free(h);
}
END_TEST

START_TEST(test_forbid_skips_runs_while_a_job_is_active)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("* * * * *", "Forbid")->obj);
	h_run_to(h, 3 * KTIME_MINUTE + 30 * S);
	ck_assert_uint_eq(count_jobs(h), 1);
	ck_assert_uint_eq(h_count_events(h, "JobAlreadyActive",
					 "Not starting job because prior execution is running "
					 "and concurrency policy is Forbid"), 2);	/* 2m, 3m */

	/* When it ends, the latest skipped run (3m) starts late, as upstream:
	 * lastScheduleTime still says 1m and no startingDeadlineSeconds
	 * forbids a late start. The 2m run is never made up. */
	finish_job(h, 1, "Complete");
	h_run_for(h, S);
	ck_assert_ptr_nonnull(h_find_event(h, "SawCompletedJob",
					   "Saw completed job: hello-29453761, condition: Complete"));
	const struct cron_job *cj = get_cj(h);
	ck_assert_int_eq(cj->status.last_successful_time, h->t0 + 3 * KTIME_MINUTE + 30 * S);
	ck_assert_int_eq(cj->status.last_schedule_time, h->t0 + 3 * KTIME_MINUTE);
	ck_assert_uint_eq(cj->status.active.len, 1);
	ck_assert_str_eq(cj->status.active.items[0].name, "hello-29453763");
	ck_assert_ptr_null(get_job(h, 2));

	h_run_to(h, 4 * KTIME_MINUTE + S);
	ck_assert_ptr_null(get_job(h, 4));
	ck_assert_uint_eq(h_count_events(h, "JobAlreadyActive", NULL), 3);
	h_free(h);
}
END_TEST

START_TEST(test_forbid_with_a_starting_deadline_never_starts_a_run_late)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	struct cron_job *cj = new_cron_job("* * * * *", "Forbid");
	cj->spec.starting_deadline_seconds = (struct opt_int64){ true, 10 };
	h_create(h, &cj->obj);
	h_run_to(h, 2 * KTIME_MINUTE + 30 * S);
	finish_job(h, 1, "Complete");
	h_run_to(h, 2 * KTIME_MINUTE + 59 * S);
	ck_assert_uint_eq(count_jobs(h), 1);	/* the 2m run was skipped for good */
	ck_assert_uint_eq(get_cj(h)->status.active.len, 0);
	h_run_to(h, 3 * KTIME_MINUTE + S);
	ck_assert_ptr_nonnull(get_job(h, 3));
	ck_assert_ptr_null(get_job(h, 2));
	h_free(h);
}
END_TEST

START_TEST(test_replace_deletes_the_active_job_before_starting_the_next)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("* * * * *", "Replace")->obj);
	h_run_to(h, 2 * KTIME_MINUTE + S);
	ck_assert_ptr_null(get_job(h, 1));
	ck_assert_ptr_nonnull(get_job(h, 2));
	const struct h_event *del = h_find_event(h, "SuccessfulDelete", "Deleted job hello-29453761");
	ck_assert_ptr_nonnull(del);
	ck_assert_int_eq(del->t, 2 * KTIME_MINUTE + 100 * KTIME_MS);
	const struct cron_job *cj = get_cj(h);
	ck_assert_uint_eq(cj->status.active.len, 1);
	ck_assert_str_eq(cj->status.active.items[0].name, "hello-29453762");
	h_free(h);
}
END_TEST

START_TEST(test_history_limits_delete_the_oldest_finished_jobs)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	struct cron_job *cj = new_cron_job("* * * * *", "Allow");
	cj->spec.successful_jobs_history_limit = 2;
	cj->spec.failed_jobs_history_limit = 1;
	h_create(h, &cj->obj);
	static const char *const outcome[] = { "Complete", "Complete", "Failed", "Complete",
					       "Failed" };
	for (int minute = 1; minute <= 5; minute++) {
		h_run_to(h, minute * KTIME_MINUTE + S);
		finish_job(h, minute, outcome[minute - 1]);
	}
	h_run_for(h, S);
	/* Complete: 1, 2, 4 keep the newest two; Failed: 3, 5 keep 5. */
	ck_assert_ptr_null(get_job(h, 1));
	ck_assert_ptr_nonnull(get_job(h, 2));
	ck_assert_ptr_null(get_job(h, 3));
	ck_assert_ptr_nonnull(get_job(h, 4));
	ck_assert_ptr_nonnull(get_job(h, 5));
	ck_assert_uint_eq(count_jobs(h), 3);
	ck_assert_ptr_nonnull(h_find_event(h, "SuccessfulDelete", "Deleted job hello-29453761"));
	ck_assert_ptr_nonnull(h_find_event(h, "SuccessfulDelete", "Deleted job hello-29453763"));
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", NULL), 2);
	ck_assert_ptr_nonnull(h_find_event(h, "SawCompletedJob",
					   "Saw completed job: hello-29453763, condition: Failed"));
	ck_assert_uint_eq(get_cj(h)->status.active.len, 0);
	ck_assert_int_eq(get_cj(h)->status.last_successful_time, h->t0 + 4 * KTIME_MINUTE + S);
	h_free(h);
}
END_TEST

static void unsuspend_fn(struct object *obj, void *arg)
{
	(void)arg;
	((struct cron_job *)obj)->spec.suspend = false;
}

/* Suspended until 2m30s, then resumed: the 2m run is late by 30s. */
static struct harness *resume_late(int64_t deadline)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	struct cron_job *cj = new_cron_job("* * * * *", "Allow");
	cj->spec.suspend = true;
	if (deadline)
		cj->spec.starting_deadline_seconds = (struct opt_int64){ true, deadline };
	h_create(h, &cj->obj);
	h_run_to(h, 2 * KTIME_MINUTE + 30 * S);
	ck_assert_uint_eq(count_jobs(h), 0);
	h_update(h, KIND_CRONJOB, "default", "hello", unsuspend_fn, NULL, false);
	h_run_for(h, S);
	return h;
}

START_TEST(test_resuming_starts_the_latest_missed_run_within_the_starting_deadline)
{
	struct harness *h = resume_late(0);	/* no deadline: any delay is fine */
	ck_assert_ptr_nonnull(get_job(h, 2));
	ck_assert_ptr_null(get_job(h, 1));	/* only the most recent is made up */
	ck_assert_uint_eq(count_jobs(h), 1);
	h_free(h);

	h = resume_late(40);			/* 30s late < 40s */
	ck_assert_ptr_nonnull(get_job(h, 2));
	h_free(h);

	h = resume_late(20);			/* 30s late > 20s: skipped */
	ck_assert_uint_eq(count_jobs(h), 0);
	h_run_to(h, 3 * KTIME_MINUTE + S);
	ck_assert_ptr_nonnull(get_job(h, 3));	/* the next one runs on time */
	h_free(h);
}
END_TEST

START_TEST(test_invalid_schedules_are_reported_and_never_run)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("61 * * * *", "Allow")->obj);
	struct cron_job *never = new_cron_job("0 0 30 2 *", "Allow");
	free(never->obj.meta.name);
	never->obj.meta.name = xstrdup("never");
	h_create(h, &never->obj);
	h_run_to(h, 5 * KTIME_MINUTE);
	ck_assert_uint_eq(count_jobs(h), 0);
	ck_assert_uint_eq(h_count_events(h, "UnparseableSchedule",
					 "unparseable schedule: \"61 * * * *\" : "
					 "end of range (61) above maximum (59): 61"), 1);
	ck_assert_uint_eq(h_count_events(h, "InvalidSchedule",
					 "invalid schedule: 0 0 30 2 * : time difference between "
					 "two schedules is less than 1 second"), 1);
	h_free(h);
}
END_TEST

START_TEST(test_a_deleted_active_job_is_reported_missing)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("* * * * *", "Forbid")->obj);
	h_run_to(h, 61 * S);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, KIND_JOB, "default", "hello-29453761",
				       &options, &status), API_OK);
	h_run_for(h, S);
	ck_assert_ptr_nonnull(h_find_event(h, "MissingJob",
					   "Active job went missing: hello-29453761"));
	ck_assert_uint_eq(get_cj(h)->status.active.len, 0);
	h_run_to(h, 2 * KTIME_MINUTE + S);
	ck_assert_ptr_nonnull(get_job(h, 2));	/* Forbid no longer holds it back */
	h_free(h);
}
END_TEST

START_TEST(test_other_time_zones_are_not_modelled)
{
	struct harness *h = h_new(0);
	start_row(h, &cronjob_controller);
	struct cron_job *cj = new_cron_job("* * * * *", "Allow");
	cj->spec.time_zone = xstrdup("Europe/Paris");
	h_create(h, &cj->obj);
	h_run_to(h, 2 * KTIME_MINUTE);
	ck_assert_uint_eq(count_jobs(h), 0);
	ck_assert_ptr_nonnull(h_find_event(h, "UnknownTimeZone", NULL));
	h_free(h);
}
END_TEST

struct h_end {
	ktime_t now;
};

static void pod_succeeded_fn(struct object *obj, void *arg)
{
	const struct h_end *end = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(POD_PHASE_SUCCEEDED);
	struct container_status *cs = xcalloc(1, sizeof(*cs));
	cs->name = xstrdup("main");
	cs->state.terminated.reason = xstrdup("Completed");
	cs->state.terminated.finished_at = end->now;
	pod->status.container_statuses.items = cs;
	pod->status.container_statuses.len = 1;
}

START_TEST(test_the_job_controller_runs_the_job_to_completion)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	start_row(h, &cronjob_controller);
	h_create(h, &new_cron_job("* * * * *", "Forbid")->obj);
	h_run_to(h, 61 * S);
	const struct job *job = get_job(h, 1);
	ck_assert_ptr_nonnull(job);
	struct object_list pods = {0};
	store_list_owned(h->store, KIND_POD, job->obj.meta.uid, &pods);
	ck_assert_uint_eq(pods.len, 1);
	char pod[256];
	snprintf(pod, sizeof(pod), "%s", pods.items[0]->meta.name);
	object_list_release(&pods);

	h_run_to(h, 90 * S);
	struct h_end end = { clock_now(&h->clock) };
	h_update(h, KIND_POD, "default", pod, pod_succeeded_fn, &end, true);
	h_run_for(h, 5 * S);
	ck_assert_ptr_nonnull(h_find_event(h, "SawCompletedJob",
					   "Saw completed job: hello-29453761, condition: Complete"));
	const struct cron_job *cj = get_cj(h);
	ck_assert_uint_eq(cj->status.active.len, 0);
	ck_assert_int_ge(cj->status.last_successful_time, h->t0 + 90 * S);
	h_run_to(h, 2 * KTIME_MINUTE + S);
	ck_assert_ptr_nonnull(get_job(h, 2));
	ck_assert_uint_eq(h_count_events(h, "JobAlreadyActive", NULL), 0);
	h_free(h);
}
END_TEST

Suite *ctrl_cronjob_suite(void)
{
	Suite *s = suite_create("ctrl_cronjob");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_cronjob_creates_a_job_named_after_the_scheduled_minute);
	tcase_add_test(tc, test_forbid_skips_runs_while_a_job_is_active);
	tcase_add_test(tc, test_forbid_with_a_starting_deadline_never_starts_a_run_late);
	tcase_add_test(tc, test_replace_deletes_the_active_job_before_starting_the_next);
	tcase_add_test(tc, test_history_limits_delete_the_oldest_finished_jobs);
	tcase_add_test(tc, test_resuming_starts_the_latest_missed_run_within_the_starting_deadline);
	tcase_add_test(tc, test_invalid_schedules_are_reported_and_never_run);
	tcase_add_test(tc, test_a_deleted_active_job_is_reported_missing);
	tcase_add_test(tc, test_other_time_zones_are_not_modelled);
	tcase_add_test(tc, test_the_job_controller_runs_the_job_to_completion);
	suite_add_tcase(s, tc);
	return s;
}
