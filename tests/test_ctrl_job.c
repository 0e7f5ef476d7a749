/* test_ctrl_job.c - the Job controller, the TTL-after-finished controller
 * and the Job's pure rules (back-off, completion indexes).
 *
 * The reconcile tests run the real controllers over an engine and a store
 * (tests/ctrl_harness.h). There is no kubelet: the test ends pods itself
 * by writing phase Succeeded or Failed with a terminated container, as
 * the kubelet would when an image's completeAfter or crashAfter fires.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_job.h"
#include "ctrl_ttl_after_finished.h"
#include "ctrl_util.h"

Suite *ctrl_job_suite(void);

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

static struct job *new_job(const char *name, int64_t completions, int64_t parallelism)
{
	struct job *job = (struct job *)object_new(&job_kind);
	job->obj.meta.name = xstrdup(name);
	job->obj.meta.namespace = xstrdup("default");
	h_template(&job->spec.template, name, "pi:1.0");
	job->spec.template.spec.restart_policy = xstrdup("Never");
	if (completions)
		job->spec.completions = (struct opt_int64){ true, completions };
	if (parallelism)
		job->spec.parallelism = (struct opt_int64){ true, parallelism };
	h_default(&job->obj);
	return job;
}

static const struct job *get_job(struct harness *h, const char *name)
{
	return (const struct job *)h_get(h, KIND_JOB, "default", name);
}

static const struct condition *job_condition(struct harness *h, const char *name,
					     const char *type)
{
	const struct job *job = get_job(h, name);
	return job ? condition_find((void *)&job->status.conditions, type) : NULL;
}

/* The Job's pods that are neither finished nor being deleted, by name. */
static size_t active_pods(struct harness *h, const char *job, char names[][64], size_t max)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_POD, get_job(h, job)->obj.meta.uid, &list);
	size_t n = 0;
	for (size_t i = 0; i < list.len; i++) {
		const struct pod *pod = (const void *)list.items[i];
		if (ctrl_pod_is_active(pod) && n < max)
			snprintf(names[n++], 64, "%s", pod->obj.meta.name);
	}
	object_list_release(&list);
	return n;
}

struct h_end {
	const char *phase;
	int32_t exit_code;
	ktime_t now;
};

static void end_fn(struct object *obj, void *arg)
{
	const struct h_end *end = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(end->phase);
	struct container_status *cs = xcalloc(1, sizeof(*cs));
	cs->name = xstrdup("main");
	cs->state.terminated.exit_code = end->exit_code;
	cs->state.terminated.reason = xstrdup(end->exit_code ? "Error" : "Completed");
	cs->state.terminated.finished_at = end->now;
	pod->status.container_statuses.items = cs;
	pod->status.container_statuses.len = 1;
}

/* The kubelet's last word on a pod: its container exited with code. */
static void end_pod(struct harness *h, const char *name, int32_t code)
{
	struct h_end end = { code ? POD_PHASE_FAILED : POD_PHASE_SUCCEEDED, code,
			     clock_now(&h->clock) };
	h_update(h, KIND_POD, "default", name, end_fn, &end, true);
}

/* ---- running to completion ----------------------------------------------- */

START_TEST(test_job_keeps_parallelism_pods_running_until_completions_succeed)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	h_create(h, &new_job("pi", 5, 2)->obj);
	h_run_for(h, 1 * S);

	const struct job *job = get_job(h, "pi");
	ck_assert_int_ne(job->status.start_time, 0);
	ck_assert_int_eq(job->status.active, 2);
	char names[8][64];
	ck_assert_uint_eq(active_pods(h, "pi", names, 8), 2);
	const struct pod *pod = (const void *)h_get(h, KIND_POD, "default", names[0]);
	const struct object_meta *meta = &pod->obj.meta;
	ck_assert_str_eq(strmap_get(&meta->labels, JOB_LABEL_CONTROLLER_UID), job->obj.meta.uid);
	ck_assert_str_eq(strmap_get(&meta->labels, "controller-uid"), job->obj.meta.uid);
	ck_assert_str_eq(strmap_get(&meta->labels, JOB_LABEL_JOB_NAME), "pi");
	ck_assert_str_eq(strmap_get(&meta->labels, "job-name"), "pi");
	ck_assert_str_eq(strmap_get(&meta->labels, "app"), "pi");
	ck_assert_str_eq(pod->spec.restart_policy, "Never");
	ck_assert_str_eq(object_controller_of(&pod->obj)->kind, "Job");
	ck_assert_str_eq(h_find_event(h, "SuccessfulCreate", NULL)->kind, "Job");

	/* Succeed two at a time: never more than min(2, remaining) active. */
	int32_t remaining = 5;
	while (remaining > 0) {
		size_t n = active_pods(h, "pi", names, 8);
		ck_assert_uint_eq(n, remaining < 2 ? (size_t)remaining : 2);
		end_pod(h, names[0], 0);
		remaining--;
		h_run_for(h, 1 * S);
		ck_assert_int_eq(get_job(h, "pi")->status.succeeded, 5 - remaining);
	}
	job = get_job(h, "pi");
	ck_assert_int_eq(job->status.active, 0);
	ck_assert_int_eq(job->status.failed, 0);
	ck_assert_uint_eq(job->status.conditions.len, 2);
	ck_assert_str_eq(job->status.conditions.items[0].type, "SuccessCriteriaMet");
	ck_assert_str_eq(job->status.conditions.items[1].type, "Complete");
	ck_assert_str_eq(job->status.conditions.items[1].reason, "CompletionsReached");
	ck_assert_str_eq(job->status.conditions.items[1].message,
			 "Reached expected number of succeeded pods");
	ck_assert_int_eq(job->status.completion_time,
			 job->status.conditions.items[1].last_transition_time);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 5);
	ck_assert_uint_eq(h_count_events(h, "Completed", "Job completed"), 1);
	ck_assert_uint_eq(store_count(h->store, KIND_POD), 5);
	h_free(h);
}
END_TEST

START_TEST(test_job_without_completions_is_complete_after_one_success)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	h_create(h, &new_job("any", 0, 3)->obj);
	h_run_for(h, 1 * S);
	char names[8][64];
	ck_assert_uint_eq(active_pods(h, "any", names, 8), 3);
	end_pod(h, names[1], 0);
	h_run_for(h, 1 * S);
	/* The others may finish their work; no new pods start. */
	ck_assert_uint_eq(active_pods(h, "any", names, 8), 2);
	ck_assert_ptr_null(job_condition(h, "any", "Complete"));
	end_pod(h, names[0], 0);
	end_pod(h, names[1], 0);
	h_run_for(h, 1 * S);
	ck_assert_ptr_nonnull(job_condition(h, "any", "Complete"));
	ck_assert_int_eq(get_job(h, "any")->status.succeeded, 3);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	h_free(h);
}
END_TEST

/* ---- failures ------------------------------------------------------------ */

START_TEST(test_job_replaces_failed_pods_after_a_doubling_backoff)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	h_create(h, &new_job("flaky", 1, 1)->obj);
	h_run_for(h, 1 * S);
	char names[4][64];
	ck_assert_uint_eq(active_pods(h, "flaky", names, 4), 1);

	end_pod(h, names[0], 1);	/* t = 1s: first failure */
	h_run_for(h, 10 * S - 1);
	ck_assert_uint_eq(active_pods(h, "flaky", names, 4), 0);
	ck_assert_int_eq(get_job(h, "flaky")->status.failed, 1);
	h_run_for(h, 1);		/* 10s after the failure */
	ck_assert_uint_eq(active_pods(h, "flaky", names, 4), 1);

	end_pod(h, names[0], 1);	/* second failure in a row: 20s */
	h_run_for(h, 20 * S - 1);
	ck_assert_uint_eq(active_pods(h, "flaky", names, 4), 0);
	h_run_for(h, 1);
	ck_assert_uint_eq(active_pods(h, "flaky", names, 4), 1);
	ck_assert_int_eq(get_job(h, "flaky")->status.failed, 2);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	ck_assert_ptr_null(job_condition(h, "flaky", "Failed"));
	h_free(h);
}
END_TEST

START_TEST(test_job_fails_with_backoff_limit_exceeded_and_stops_its_pods)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	struct job *job = new_job("doomed", 4, 2);
	job->spec.backoff_limit.value = 1;
	h_create(h, &job->obj);
	h_run_for(h, 1 * S);
	char names[4][64];
	ck_assert_uint_eq(active_pods(h, "doomed", names, 4), 2);
	end_pod(h, names[0], 1);
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(job_condition(h, "doomed", "FailureTarget"));
	h_run_for(h, 10 * S);			/* the back-off, then a replacement */
	ck_assert_uint_eq(active_pods(h, "doomed", names, 4), 2);
	char survivor[64];
	snprintf(survivor, sizeof(survivor), "%s", names[0]);
	end_pod(h, names[1], 1);		/* 2 failures > backoffLimit 1 */
	h_run_for(h, 1 * S);

	const struct condition *target = job_condition(h, "doomed", "FailureTarget");
	ck_assert_ptr_nonnull(target);
	ck_assert_str_eq(target->reason, "BackoffLimitExceeded");
	char *deleted = xasprintf("Deleted pod: %s", survivor);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulDelete", deleted), 1);
	free(deleted);
	ck_assert_uint_eq(active_pods(h, "doomed", names, 4), 0);
	const struct condition *failed = job_condition(h, "doomed", "Failed");
	ck_assert_ptr_nonnull(failed);
	ck_assert_str_eq(failed->reason, "BackoffLimitExceeded");
	ck_assert_str_eq(failed->message, "Job has reached the specified backoff limit");
	const struct h_event *e = h_find_event(h, "BackoffLimitExceeded", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->type, "Warning");
	ck_assert_str_eq(e->message, "Job has reached the specified backoff limit");
	ck_assert_int_eq(get_job(h, "doomed")->status.active, 0);
	ck_assert_int_eq(get_job(h, "doomed")->status.completion_time, 0);
	/* The pod deleted before it finished counts as a failure. */
	ck_assert_int_eq(get_job(h, "doomed")->status.failed, 3);
	h_run_for(h, 10 * 60 * S);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	h_free(h);
}
END_TEST

START_TEST(test_job_past_its_active_deadline_fails_with_deadline_exceeded)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	struct job *job = new_job("slow", 1, 1);
	job->spec.active_deadline_seconds = (struct opt_int64){ true, 30 };
	h_create(h, &job->obj);
	h_run_for(h, 30 * S - 1);
	char names[4][64];
	ck_assert_uint_eq(active_pods(h, "slow", names, 4), 1);
	ck_assert_ptr_null(job_condition(h, "slow", "Failed"));
	h_run_for(h, 1);
	ck_assert_uint_eq(active_pods(h, "slow", names, 4), 0);
	const struct condition *failed = job_condition(h, "slow", "Failed");
	ck_assert_ptr_nonnull(failed);
	ck_assert_str_eq(failed->reason, "DeadlineExceeded");
	ck_assert_str_eq(failed->message, "Job was active longer than specified deadline");
	ck_assert_uint_eq(h_count_events(h, "DeadlineExceeded", NULL), 1);
	h_free(h);
}
END_TEST

/* ---- Indexed ------------------------------------------------------------- */

START_TEST(test_indexed_job_gives_each_pod_its_index_and_tracks_completed_indexes)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	struct job *job = new_job("idx", 3, 2);
	free(job->spec.completion_mode);
	job->spec.completion_mode = xstrdup("Indexed");
	h_create(h, &job->obj);
	h_run_for(h, 1 * S);
	char names[4][64];
	ck_assert_uint_eq(active_pods(h, "idx", names, 4), 2);
	bool seen[2] = {0};
	for (int i = 0; i < 2; i++) {
		const struct pod *pod = (const void *)h_get(h, KIND_POD, "default", names[i]);
		int32_t ix = job_pod_completion_index(pod);
		ck_assert(ix == 0 || ix == 1);
		seen[ix] = true;
		char want[32];
		snprintf(want, sizeof(want), "idx-%d", ix);
		ck_assert_str_eq(pod->spec.hostname, want);
		snprintf(want, sizeof(want), "idx-%d-", ix);
		ck_assert_str_eq(pod->obj.meta.generate_name, want);
		snprintf(want, sizeof(want), "%d", ix);
		ck_assert_str_eq(strmap_get(&pod->obj.meta.labels, JOB_COMPLETION_INDEX), want);
		ck_assert_str_eq(pod->spec.containers.items[0].env.items[0].name,
				 "JOB_COMPLETION_INDEX");
		ck_assert_str_eq(pod->spec.containers.items[0].env.items[0].value, want);
	}
	ck_assert(seen[0] && seen[1]);

	/* Index 1 finishes: the next pod takes index 2, not 1 again. */
	for (int i = 0; i < 2; i++)
		if (job_pod_completion_index((const void *)h_get(h, KIND_POD, "default",
								 names[i])) == 1)
			end_pod(h, names[i], 0);
	h_run_for(h, 1 * S);
	ck_assert_str_eq(get_job(h, "idx")->status.completed_indexes, "1");
	ck_assert_uint_eq(active_pods(h, "idx", names, 4), 2);
	for (int i = 0; i < 2; i++)
		end_pod(h, names[i], 0);
	h_run_for(h, 1 * S);
	ck_assert_str_eq(get_job(h, "idx")->status.completed_indexes, "0-2");
	ck_assert_int_eq(get_job(h, "idx")->status.succeeded, 3);
	ck_assert_ptr_nonnull(job_condition(h, "idx", "Complete"));
	h_free(h);
}
END_TEST

/* ---- TTL after finished -------------------------------------------------- */

START_TEST(test_finished_job_is_deleted_ttl_seconds_after_it_finished)
{
	struct harness *h = h_new(0);
	start_row(h, &job_controller);
	start_row(h, &ttl_after_finished_controller);
	struct job *job = new_job("once", 1, 1);
	job->spec.ttl_seconds_after_finished = (struct opt_int64){ true, 100 };
	h_create(h, &job->obj);
	h_run_for(h, 1 * S);
	char names[2][64];
	ck_assert_uint_eq(active_pods(h, "once", names, 2), 1);
	end_pod(h, names[0], 0);
	h_run_for(h, 100 * S - 1);		/* finished at 1s */
	ck_assert_ptr_nonnull(get_job(h, "once"));
	h_run_for(h, 1);
	/* Foreground: the Job waits, marked, for the garbage collector. */
	const struct job *gone = get_job(h, "once");
	ck_assert(!gone || object_is_deleting(&gone->obj));
	h_free(h);
}
END_TEST

/* ---- the pure rules ------------------------------------------------------ */

START_TEST(test_backoff_doubles_from_10s_and_stops_at_6_minutes)
{
	ktime_t t = 1000 * S;
	ck_assert_int_eq(job_backoff_remaining(0, t, t), 0);
	ck_assert_int_eq(job_backoff_remaining(1, t, t), 10 * S);
	ck_assert_int_eq(job_backoff_remaining(2, t, t + 5 * S), 15 * S);
	ck_assert_int_eq(job_backoff_remaining(3, t, t), 40 * S);
	ck_assert_int_eq(job_backoff_remaining(6, t, t), 320 * S);
	ck_assert_int_eq(job_backoff_remaining(7, t, t), 360 * S);
	ck_assert_int_eq(job_backoff_remaining(30, t, t), 360 * S);
	ck_assert_int_eq(job_backoff_remaining(1, t, t + 11 * S), 0);
}
END_TEST

START_TEST(test_completed_indexes_read_and_print_as_intervals)
{
	bool set[10] = {0};
	job_indexes_parse("0-2,5,7-8,12,x,4-3", set, 10);
	bool want[10] = { 1, 1, 1, 0, 0, 1, 0, 1, 1, 0 };
	ck_assert_mem_eq(set, want, sizeof(set));
	char *text = job_indexes_format(set, 10);
	ck_assert_str_eq(text, "0-2,5,7-8");
	free(text);
	bool none[3] = {0};
	ck_assert_ptr_null(job_indexes_format(none, 3));
	bool two[3] = { 0, 1, 1 };
	text = job_indexes_format(two, 3);
	ck_assert_str_eq(text, "1-2");
	free(text);
}
END_TEST

Suite *ctrl_job_suite(void)
{
	Suite *s = suite_create("ctrl_job");
	TCase *tc = tcase_create("job");
	tcase_add_test(tc, test_job_keeps_parallelism_pods_running_until_completions_succeed);
	tcase_add_test(tc, test_job_without_completions_is_complete_after_one_success);
	tcase_add_test(tc, test_job_replaces_failed_pods_after_a_doubling_backoff);
	tcase_add_test(tc, test_job_fails_with_backoff_limit_exceeded_and_stops_its_pods);
	tcase_add_test(tc, test_job_past_its_active_deadline_fails_with_deadline_exceeded);
	tcase_add_test(tc, test_indexed_job_gives_each_pod_its_index_and_tracks_completed_indexes);
	tcase_add_test(tc, test_finished_job_is_deleted_ttl_seconds_after_it_finished);
	tcase_add_test(tc, test_backoff_doubles_from_10s_and_stops_at_6_minutes);
	tcase_add_test(tc, test_completed_indexes_read_and_print_as_intervals);
	suite_add_tcase(s, tc);
	return s;
}
