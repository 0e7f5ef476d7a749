/* test_engine.c - the discrete-event engine: order, cancellation, stopping.
 *
 * Most tests record which events fired, at what virtual time, and compare
 * with what a reader of engine.h would expect. The last group drives the
 * engine with random schedules (some of them repeated timers) and
 * cancellations, from outside and from
 * inside handlers, next to a naive model (a plain array searched for the
 * minimum) and requires both to fire the same events in the same order.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "prng.h"

Suite *engine_suite(void);	/* registered in check_main.c */

/* A log of fired events shared by the handlers of one test. */
#define LOG_MAX 4096
struct log {
	struct engine *engine;
	size_t len;
	int tags[LOG_MAX];
	ktime_t times[LOG_MAX];
};

/* One event's argument: which log to write to, under which tag. */
struct mark {
	struct log *log;
	int tag;
	timer_id victim;	/* for cancel_victim: the timer to cancel */
	bool cancelled;		/* for cancel_victim: engine_cancel's answer */
};

static void record(void *arg)
{
	struct mark *mark = arg;
	struct log *log = mark->log;
	ck_assert_uint_lt(log->len, LOG_MAX);
	log->tags[log->len] = mark->tag;
	log->times[log->len] = engine_now(log->engine);
	log->len++;
}

static void cancel_victim(void *arg)
{
	struct mark *mark = arg;
	record(mark);
	mark->cancelled = engine_cancel(mark->log->engine, mark->victim);
}

static void stop_engine(void *arg)
{
	struct mark *mark = arg;
	record(mark);
	engine_stop(mark->log->engine);
}

static struct log *log_new(void)
{
	struct log *log = calloc(1, sizeof(*log));
	log->engine = engine_new();
	return log;
}

static void log_free(struct log *log)
{
	engine_free(log->engine);
	free(log);
}

static void assert_tags(const struct log *log, const int *expected, size_t n)
{
	ck_assert_uint_eq(log->len, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(log->tags[i] == expected[i],
			      "event %zu: fired tag %d, expected %d", i,
			      log->tags[i], expected[i]);
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

/* ---- order ------------------------------------------------------------ */

START_TEST(test_equal_time_events_fire_in_insertion_order)
{
	/* Tag = insertion order; times 7, 3, 7, 3, ... */
	static const ktime_t when[] = { 7, 3, 7, 3, 5, 7, 3, 5, 7, 7, 3, 5 };
	static const int expected[] = { 1, 3, 6, 10, 4, 7, 11, 0, 2, 5, 8, 9 };
	struct log *log = log_new();
	struct mark marks[ARRAY_LEN(when)];
	for (size_t i = 0; i < ARRAY_LEN(when); i++) {
		marks[i] = (struct mark){ .log = log, .tag = (int)i };
		engine_at(log->engine, when[i], record, &marks[i]);
	}
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 0), ENGINE_IDLE);
	assert_tags(log, expected, ARRAY_LEN(expected));
	log_free(log);
}
END_TEST

/* Many timers at one instant, more than fill a heap level, still keep
 * insertion order (the heap's shape must not leak into the order). */
START_TEST(test_thousand_equal_time_events_keep_insertion_order)
{
	struct log *log = log_new();
	static struct mark marks[1000];
	for (int i = 0; i < 1000; i++) {
		marks[i] = (struct mark){ .log = log, .tag = i };
		engine_at(log->engine, KTIME_SECOND, record, &marks[i]);
	}
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(log->len, 1000);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(log->tags[i], i);
	log_free(log);
}
END_TEST

START_TEST(test_time_never_goes_backwards_and_events_run_on_time)
{
	struct log *log = log_new();
	static struct mark marks[2000];
	static ktime_t due[2000];
	struct prng rng;
	prng_seed(&rng, 17);
	for (int i = 0; i < 2000; i++) {
		marks[i] = (struct mark){ .log = log, .tag = i };
		due[i] = (ktime_t)prng_below(&rng, 500) * KTIME_MS;
		engine_at(log->engine, due[i], record, &marks[i]);
	}
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(log->len, 2000);
	for (size_t i = 0; i < log->len; i++) {
		ck_assert_int_eq(log->times[i], due[log->tags[i]]);
		if (i > 0)
			ck_assert_int_le(log->times[i - 1], log->times[i]);
	}
	ck_assert_int_eq(engine_now(log->engine), log->times[1999]);
	log_free(log);
}
END_TEST

struct chain {
	struct log *log;
	struct mark later;
};

static void schedule_now(void *arg)
{
	struct chain *chain = arg;
	record(&(struct mark){ .log = chain->log, .tag = 0 });
	engine_after(chain->log->engine, 0, record, &chain->later);
}

/* An event scheduled for "now" from a handler runs in the same instant,
 * after the events already queued for it. */
START_TEST(test_event_scheduled_now_runs_after_queued_ones)
{
	struct log *log = log_new();
	struct chain chain = { .log = log, .later = { .log = log, .tag = 2 } };
	struct mark queued = { .log = log, .tag = 1 };
	struct mark after = { .log = log, .tag = 3 };
	engine_at(log->engine, 10, schedule_now, &chain);
	engine_at(log->engine, 10, record, &queued);
	engine_at(log->engine, 11, record, &after);
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 0, 1, 2, 3 };
	assert_tags(log, expected, ARRAY_LEN(expected));
	ck_assert_int_eq(log->times[2], 10);
	log_free(log);
}
END_TEST

/* ---- cancellation ----------------------------------------------------- */

START_TEST(test_cancel_before_fire_prevents_it)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 }, b = { .log = log, .tag = 2 };
	engine_at(log->engine, 5, record, &a);
	timer_id id = engine_at(log->engine, 6, record, &b);
	ck_assert(engine_cancel(log->engine, id));
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 1 };
	assert_tags(log, expected, 1);
	log_free(log);
}
END_TEST

START_TEST(test_cancel_after_fire_returns_false)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 };
	timer_id id = engine_after(log->engine, KTIME_SECOND, record, &a);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(log->len, 1);
	ck_assert(!engine_cancel(log->engine, id));
	log_free(log);
}
END_TEST

START_TEST(test_cancelling_twice_returns_false_the_second_time)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 };
	timer_id id = engine_after(log->engine, 3, record, &a);
	ck_assert(engine_cancel(log->engine, id));
	ck_assert(!engine_cancel(log->engine, id));
	ck_assert_uint_eq(engine_pending(log->engine), 0);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 0), ENGINE_IDLE);
	ck_assert_uint_eq(log->len, 0);
	log_free(log);
}
END_TEST

/* A fired timer's slot is reused by the next one; the old id must not
 * cancel the new timer. */
START_TEST(test_stale_and_unknown_ids_cancel_nothing)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 }, b = { .log = log, .tag = 2 };
	timer_id old = engine_after(log->engine, 1, record, &a);
	engine_run(log->engine, KTIME_NEVER, 0);
	timer_id fresh = engine_after(log->engine, 1, record, &b);
	ck_assert_uint_ne(old, fresh);
	ck_assert(!engine_cancel(log->engine, old));
	ck_assert(!engine_cancel(log->engine, 0));
	ck_assert(!engine_cancel(log->engine, fresh + 12345));
	ck_assert(!engine_cancel(log->engine, UINT64_MAX));
	ck_assert_uint_eq(engine_pending(log->engine), 1);
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 1, 2 };
	assert_tags(log, expected, 2);
	log_free(log);
}
END_TEST

START_TEST(test_handler_can_cancel_later_event_at_same_time)
{
	struct log *log = log_new();
	struct mark killer = { .log = log, .tag = 1 };
	struct mark victim = { .log = log, .tag = 2 };
	struct mark bystander = { .log = log, .tag = 3 };
	engine_at(log->engine, 4, cancel_victim, &killer);
	killer.victim = engine_at(log->engine, 4, record, &victim);
	engine_at(log->engine, 4, record, &bystander);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert(killer.cancelled);
	static const int expected[] = { 1, 3 };
	assert_tags(log, expected, 2);
	log_free(log);
}
END_TEST

START_TEST(test_handler_cancelling_itself_returns_false)
{
	struct log *log = log_new();
	struct mark self = { .log = log, .tag = 1 };
	self.victim = engine_at(log->engine, 4, cancel_victim, &self);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert(!self.cancelled);
	ck_assert_uint_eq(log->len, 1);
	log_free(log);
}
END_TEST

START_TEST(test_pending_and_next_time_ignore_cancelled_events)
{
	struct log *log = log_new();
	struct mark m = { .log = log, .tag = 1 };
	ck_assert_int_eq(engine_next_time(log->engine), KTIME_NEVER);
	timer_id first = engine_at(log->engine, 10, record, &m);
	timer_id second = engine_at(log->engine, 20, record, &m);
	engine_at(log->engine, 30, record, &m);
	ck_assert_uint_eq(engine_pending(log->engine), 3);
	ck_assert_int_eq(engine_next_time(log->engine), 10);
	ck_assert(engine_cancel(log->engine, second));
	ck_assert_uint_eq(engine_pending(log->engine), 2);
	ck_assert_int_eq(engine_next_time(log->engine), 10);
	ck_assert(engine_cancel(log->engine, first));
	ck_assert_uint_eq(engine_pending(log->engine), 1);
	ck_assert_int_eq(engine_next_time(log->engine), 30);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(engine_pending(log->engine), 0);
	ck_assert_int_eq(engine_next_time(log->engine), KTIME_NEVER);
	ck_assert_uint_eq(engine_steps(log->engine), 1);
	log_free(log);
}
END_TEST

static int compare_ids(const void *a, const void *b)
{
	timer_id x = *(const timer_id *)a, y = *(const timer_id *)b;
	return (x > y) - (x < y);
}

/* Ids stay unique while slots are recycled by firing and cancelling. */
START_TEST(test_timer_ids_are_never_zero_or_reused)
{
	enum { N = 20000 };
	struct log *log = log_new();
	struct mark m = { .log = log, .tag = 0 };
	timer_id *ids = malloc(N * sizeof(*ids));
	struct prng rng;
	prng_seed(&rng, 4);
	for (int i = 0; i < N; i++) {
		ktime_t delay = 1 + (ktime_t)prng_below(&rng, 5);
		ids[i] = engine_after(log->engine, delay, record, &m);
		ck_assert_uint_ne(ids[i], 0);
		if (prng_below(&rng, 3) == 0)
			engine_cancel(log->engine,
				      ids[prng_below(&rng, (uint64_t)i + 1)]);
		if (i % 8 == 7) {
			log->len = 0;	/* only the ids matter here */
			engine_run(log->engine, KTIME_NEVER, 4);
		}
	}
	qsort(ids, N, sizeof(*ids), compare_ids);
	for (int i = 1; i < N; i++)
		ck_assert_uint_ne(ids[i - 1], ids[i]);
	free(ids);
	log_free(log);
}
END_TEST

/* A timer pushed back again and again (a lease renewed before it expires)
 * leaves cancelled entries behind; they must not disturb what fires. */
START_TEST(test_timer_rescheduled_many_times_fires_once_at_last)
{
	struct log *log = log_new();
	struct mark lease = { .log = log, .tag = 7 };
	struct mark other = { .log = log, .tag = 8 };
	engine_at(log->engine, 50000, record, &other);
	timer_id id = engine_after(log->engine, 1, record, &lease);
	for (ktime_t t = 2; t <= 100000; t++) {
		ck_assert(engine_cancel(log->engine, id));
		id = engine_at(log->engine, t, record, &lease);
	}
	ck_assert_uint_eq(engine_pending(log->engine), 2);
	engine_check(log->engine);
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 8, 7 };
	assert_tags(log, expected, 2);
	ck_assert_int_eq(log->times[1], 100000);
	log_free(log);
}
END_TEST

/* ---- running and stopping --------------------------------------------- */

START_TEST(test_run_until_stops_before_later_event_and_sets_now)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 }, b = { .log = log, .tag = 2 };
	struct mark c = { .log = log, .tag = 3 };
	engine_at(log->engine, 10, record, &a);
	engine_at(log->engine, 20, record, &b);	/* exactly at until: runs */
	engine_at(log->engine, 30, record, &c);
	ck_assert_int_eq(engine_run(log->engine, 25, 0), ENGINE_UNTIL);
	ck_assert_int_eq(engine_now(log->engine), 25);
	ck_assert_int_eq(engine_run(log->engine, 20 + 5, 0), ENGINE_UNTIL);
	ck_assert_uint_eq(log->len, 2);
	/* The last event is due exactly at until: it runs, then the queue is
	 * empty, which is IDLE. */
	ck_assert_int_eq(engine_run(log->engine, 30, 0), ENGINE_IDLE);
	ck_assert_uint_eq(log->len, 3);
	ck_assert_int_eq(engine_now(log->engine), 30);
	log_free(log);
}
END_TEST

START_TEST(test_run_with_empty_queue_is_idle_and_keeps_time)
{
	struct engine *engine = engine_new();
	ck_assert_int_eq(engine_run(engine, KTIME_HOUR, 0), ENGINE_IDLE);
	ck_assert_int_eq(engine_now(engine), 0);
	engine_free(engine);
}
END_TEST

START_TEST(test_step_limit_stops_after_max_steps_and_run_resumes)
{
	struct log *log = log_new();
	struct mark marks[5];
	for (int i = 0; i < 5; i++) {
		marks[i] = (struct mark){ .log = log, .tag = i };
		engine_at(log->engine, i * 10, record, &marks[i]);
	}
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 2),
			 ENGINE_STEP_LIMIT);
	ck_assert_uint_eq(log->len, 2);
	ck_assert_int_eq(engine_now(log->engine), 10);
	ck_assert_uint_eq(engine_steps(log->engine), 2);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 3),
			 ENGINE_STEP_LIMIT);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 3), ENGINE_IDLE);
	ck_assert_uint_eq(engine_steps(log->engine), 5);
	static const int expected[] = { 0, 1, 2, 3, 4 };
	assert_tags(log, expected, 5);
	log_free(log);
}
END_TEST

START_TEST(test_engine_stop_from_handler_returns_stopped)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 };
	struct mark stop = { .log = log, .tag = 2 };
	struct mark same_time = { .log = log, .tag = 3 };
	engine_at(log->engine, 1, record, &a);
	engine_at(log->engine, 2, stop_engine, &stop);
	engine_at(log->engine, 2, record, &same_time);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 0),
			 ENGINE_STOPPED);
	ck_assert_uint_eq(log->len, 2);
	ck_assert_uint_eq(engine_pending(log->engine), 1);
	/* The stop applied to that run only. */
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 0), ENGINE_IDLE);
	static const int expected[] = { 1, 2, 3 };
	assert_tags(log, expected, 3);
	log_free(log);
}
END_TEST

START_TEST(test_engine_stop_outside_a_run_is_forgotten)
{
	struct log *log = log_new();
	struct mark a = { .log = log, .tag = 1 };
	engine_at(log->engine, 1, record, &a);
	engine_stop(log->engine);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 0), ENGINE_IDLE);
	ck_assert_uint_eq(log->len, 1);
	log_free(log);
}
END_TEST

struct hook_count {
	struct engine *engine;
	uint64_t calls;
	bool steps_match;	/* engine_steps() == calls at each call */
};

static void count_steps(void *arg)
{
	struct hook_count *count = arg;
	count->calls++;
	if (engine_steps(count->engine) != count->calls)
		count->steps_match = false;
	engine_check(count->engine);
}

START_TEST(test_step_hook_runs_after_every_event)
{
	struct log *log = log_new();
	struct hook_count count = {
		.engine = log->engine, .steps_match = true,
	};
	struct mark marks[6];
	engine_set_step_hook(log->engine, count_steps, &count);
	for (int i = 0; i < 6; i++) {
		marks[i] = (struct mark){ .log = log, .tag = i };
		engine_at(log->engine, i % 3, record, &marks[i]);
	}
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(count.calls, 6);
	ck_assert(count.steps_match);
	engine_set_step_hook(log->engine, NULL, NULL);
	engine_after(log->engine, 1, record, &marks[0]);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_uint_eq(count.calls, 6);
	log_free(log);
}
END_TEST

/* Pending events are dropped and their arguments never dereferenced. */
START_TEST(test_free_drops_pending_events_without_touching_args)
{
	struct engine *engine = engine_new();
	for (uintptr_t i = 1; i <= 100; i++)
		engine_after(engine, (ktime_t)i, record, (void *)i);
	engine_free(engine);
	engine_free(NULL);
}
END_TEST

/* ---- the clock seam --------------------------------------------------- */

START_TEST(test_clock_seam_routes_to_engine)
{
	struct log *log = log_new();
	struct clock clock = engine_clock(log->engine);
	struct mark a = { .log = log, .tag = 1 }, b = { .log = log, .tag = 2 };
	ck_assert_int_eq(clock_now(&clock), 0);
	timer_id kept = clock_after(&clock, 5 * KTIME_SECOND, record, &a);
	timer_id dropped = clock_after(&clock, 6 * KTIME_SECOND, record, &b);
	ck_assert_uint_ne(kept, 0);
	ck_assert_uint_eq(engine_pending(log->engine), 2);
	ck_assert_int_eq(engine_next_time(log->engine), 5 * KTIME_SECOND);
	ck_assert(clock_cancel(&clock, dropped));
	ck_assert(!clock_cancel(&clock, dropped));
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert_int_eq(clock_now(&clock), 5 * KTIME_SECOND);
	ck_assert_int_eq(engine_now(log->engine), 5 * KTIME_SECOND);
	static const int expected[] = { 1 };
	assert_tags(log, expected, 1);
	log_free(log);
}
END_TEST

/* ---- repeated timers --------------------------------------------------- */

/* A repeated timer's handler: records each run under tag + run number. */
struct repeat {
	struct log *log;
	int tag;
	int runs;
	timer_id id;
	int cancel_on_run;	/* cancel its own id on this run (0: never) */
	bool cancelled;		/* engine_cancel's answer then */
	struct mark *now_mark;	/* scheduled for now on the first run */
};

static void record_repeat(void *arg)
{
	struct repeat *r = arg;
	struct mark mark = { .log = r->log, .tag = r->tag + r->runs };
	record(&mark);
	r->runs++;
	if (r->runs == 1 && r->now_mark)
		engine_after(r->log->engine, 0, record, r->now_mark);
	if (r->runs == r->cancel_on_run)
		r->cancelled = engine_cancel(r->log->engine, r->id);
}

/* Three runs sit exactly where three engine_at calls in a row would: after
 * what was queued before, before what was queued after, and an event a run
 * schedules for now still waits for all of them. */
START_TEST(test_repeated_timer_runs_where_as_many_timers_would)
{
	struct log *log = log_new();
	struct mark before = { .log = log, .tag = 1 }, after = { .log = log, .tag = 2 };
	struct mark now = { .log = log, .tag = 3 }, later = { .log = log, .tag = 4 };
	struct repeat r = { .log = log, .tag = 10, .now_mark = &now };
	struct hook_count count = { .engine = log->engine, .steps_match = true };
	engine_set_step_hook(log->engine, count_steps, &count);
	engine_at(log->engine, 5, record, &before);
	engine_at(log->engine, 9, record, &later);
	r.id = engine_at_times(log->engine, 5, 3, record_repeat, &r);
	engine_at(log->engine, 5, record, &after);
	ck_assert_uint_eq(engine_pending(log->engine), 4);
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 1, 10, 11, 12, 2, 3, 4 };
	assert_tags(log, expected, ARRAY_LEN(expected));
	for (size_t i = 1; i <= 5; i++)
		ck_assert_int_eq(log->times[i], 5);
	ck_assert_uint_eq(count.calls, 7);	/* every run is a step */
	ck_assert(count.steps_match);
	ck_assert(!engine_cancel(log->engine, r.id));
	log_free(log);
}
END_TEST

/* The id names the runs not made yet: a run may cancel the rest, and the
 * timer counts as pending (once) until its last run. */
START_TEST(test_cancelling_a_repeated_timer_drops_the_runs_left)
{
	struct log *log = log_new();
	struct repeat r = { .log = log, .tag = 10, .cancel_on_run = 2 };
	r.id = engine_after_times(log->engine, 1, 4, record_repeat, &r);
	struct repeat gone = { .log = log, .tag = 20 };
	gone.id = engine_after_times(log->engine, 1, 2, record_repeat, &gone);
	ck_assert(engine_cancel(log->engine, gone.id));
	ck_assert_uint_eq(engine_pending(log->engine), 1);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 1), ENGINE_STEP_LIMIT);
	ck_assert_uint_eq(engine_pending(log->engine), 1);
	engine_run(log->engine, KTIME_NEVER, 0);
	ck_assert(r.cancelled);
	static const int expected[] = { 10, 11 };
	assert_tags(log, expected, ARRAY_LEN(expected));
	ck_assert_uint_eq(engine_pending(log->engine), 0);
	engine_check(log->engine);
	log_free(log);
}
END_TEST

/* A step limit may stop a run between two runs of a repeated timer; the
 * next engine_run carries on in the same order. The last run cancelling
 * itself gets false, like a plain timer. */
START_TEST(test_step_limit_can_split_a_repeated_timer)
{
	struct log *log = log_new();
	struct mark after = { .log = log, .tag = 2 };
	struct repeat r = { .log = log, .tag = 10, .cancel_on_run = 3 };
	struct clock clock = engine_clock(log->engine);
	r.id = clock_after_times(&clock, 0, 3, record_repeat, &r);
	clock_after(&clock, 0, record, &after);
	ck_assert_int_eq(engine_run(log->engine, KTIME_NEVER, 2), ENGINE_STEP_LIMIT);
	engine_check(log->engine);
	engine_run(log->engine, KTIME_NEVER, 0);
	static const int expected[] = { 10, 11, 12, 2 };
	assert_tags(log, expected, ARRAY_LEN(expected));
	ck_assert(!r.cancelled);
	ck_assert_uint_eq(engine_steps(log->engine), 4);
	log_free(log);
}
END_TEST

/* ---- misuse is a bug --------------------------------------------------- */

static void do_nothing(void *arg)
{
	(void)arg;
}

START_TEST(test_scheduling_in_the_past_is_a_bug)
{
	struct engine *engine = engine_new();
	engine_at(engine, 50, do_nothing, NULL);
	engine_run(engine, KTIME_NEVER, 0);	/* now = 50 */
	engine_at(engine, 49, do_nothing, NULL);
}
END_TEST

START_TEST(test_running_until_the_past_is_a_bug)
{
	struct engine *engine = engine_new();
	engine_at(engine, 100, do_nothing, NULL);
	engine_run(engine, 50, 0);		/* now = 50 */
	engine_run(engine, 40, 0);
}
END_TEST

/* ---- against a naive reference ---------------------------------------- */

/* The model: every event ever scheduled, in insertion order (so the index
 * is the sequence number), with its time and whether it is still pending.
 * The next event is found by scanning for the minimum (time, index). */
#define MODEL_MAX 3000
struct model {
	struct engine *engine;
	struct prng rng;
	unsigned cancel_percent;	/* chance of a cancel per operation */
	size_t len;			/* events scheduled so far */
	size_t live;			/* timers with runs pending */
	size_t first_live;		/* no pending event below this index */
	bool stop_called;		/* a handler called engine_stop */
	struct model_event {
		ktime_t when;
		timer_id id;
		bool pending;
		struct model *model;	/* the handler's way back */
		size_t first;		/* the first run of its timer */
		size_t runs, times;	/* on the first run: made, and in all */
	} events[MODEL_MAX];
};

static void model_fire(void *arg);

/* Index of the next event to fire, or -1. */
static long model_next(struct model *model)
{
	while (model->first_live < model->len &&
	       !model->events[model->first_live].pending)
		model->first_live++;
	long best = -1;
	for (size_t i = model->first_live; i < model->len; i++) {
		const struct model_event *event = &model->events[i];
		if (event->pending &&
		    (best < 0 || event->when < model->events[best].when))
			best = (long)i;
	}
	return best;
}

/* Schedules a timer; one in five is repeated (engine_after_times), which
 * the model sees as that many events in a row with one id. */
static void model_schedule(struct model *model)
{
	size_t times = prng_below(&model->rng, 5) == 0 ?
		1 + prng_below(&model->rng, 4) : 1;
	if (model->len + times > MODEL_MAX)
		return;
	/* Delays from a narrow range, often 0, so equal times are common. */
	ktime_t delay = prng_below(&model->rng, 4) == 0 ?
		0 : (ktime_t)prng_below(&model->rng, 20);
	struct model_event *first = &model->events[model->len];
	for (size_t i = 0; i < times; i++)
		model->events[model->len + i] = (struct model_event){
			.when = engine_now(model->engine) + delay, .pending = true,
			.model = model, .first = model->len,
		};
	first->times = times;
	timer_id id = times == 1 ?
		engine_after(model->engine, delay, model_fire, first) :
		engine_after_times(model->engine, delay, (uint32_t)times, model_fire, first);
	for (size_t i = 0; i < times; i++)
		model->events[model->len + i].id = id;
	model->len += times;
	model->live++;
}

/* Cancels a random event's timer: all its runs still pending. */
static void model_cancel(struct model *model)
{
	if (model->len == 0)
		return;
	struct model_event *event =
		&model->events[prng_below(&model->rng, model->len)];
	struct model_event *first = &model->events[event->first];
	bool expected = false;
	for (size_t i = 0; i < first->times; i++) {
		expected |= first[i].pending;
		first[i].pending = false;
	}
	ck_assert_int_eq(engine_cancel(model->engine, event->id), expected);
	if (expected)
		model->live--;
}

static void model_random_ops(struct model *model, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (prng_below(&model->rng, 100) < model->cancel_percent)
			model_cancel(model);
		else
			model_schedule(model);
	}
}

static void model_compare(struct model *model)
{
	long next = model_next(model);
	ck_assert_uint_eq(engine_pending(model->engine), model->live);
	ck_assert_int_eq(engine_next_time(model->engine),
			 next < 0 ? KTIME_NEVER : model->events[next].when);
}

static void model_fire(void *arg)
{
	struct model_event *first = arg;
	struct model_event *event = first + first->runs++;
	struct model *model = event->model;
	long expected = model_next(model);
	ck_assert_msg(expected == event - model->events,
		      "fired event %td, model expected %ld",
		      event - model->events, expected);
	ck_assert_int_eq(engine_now(model->engine), event->when);
	event->pending = false;
	if (first->runs == first->times) {
		model->live--;
		ck_assert(!engine_cancel(model->engine, event->id));
	}
	model_random_ops(model, (unsigned)prng_below(&model->rng, 4));
	if (prng_below(&model->rng, 50) == 0) {
		engine_stop(model->engine);
		model->stop_called = true;
	}
	model_compare(model);
}

static void model_check_hook(void *arg)
{
	engine_check(arg);
}

/* One run of the comparison with a given seed and cancellation rate. */
static void model_run(uint64_t seed, unsigned cancel_percent)
{
	struct model *model = calloc(1, sizeof(*model));
	model->engine = engine_new();
	model->cancel_percent = cancel_percent;
	prng_seed(&model->rng, seed);
	engine_set_step_hook(model->engine, model_check_hook, model->engine);
	model_random_ops(model, 200);
	while (model->live > 0 || model->len < MODEL_MAX) {
		model_random_ops(model, (unsigned)prng_below(&model->rng, 5));
		model_compare(model);
		ktime_t until = engine_now(model->engine) +
			(ktime_t)prng_below(&model->rng, 30);
		uint64_t max_steps = prng_below(&model->rng, 2) ?
			0 : 1 + prng_below(&model->rng, 10);
		uint64_t steps_before = engine_steps(model->engine);
		model->stop_called = false;
		enum engine_stop why =
			engine_run(model->engine, until, max_steps);
		uint64_t ran = engine_steps(model->engine) - steps_before;
		long next = model_next(model);
		if (model->stop_called) {
			ck_assert_int_eq(why, ENGINE_STOPPED);
		} else if (max_steps && ran == max_steps) {
			ck_assert_int_eq(why, ENGINE_STEP_LIMIT);
		} else if (next < 0) {
			ck_assert_int_eq(why, ENGINE_IDLE);
		} else {
			ck_assert_int_eq(why, ENGINE_UNTIL);
			ck_assert_int_eq(engine_now(model->engine), until);
			ck_assert_int_gt(model->events[next].when, until);
		}
		model_compare(model);
		if (model->len == MODEL_MAX && model->live == 0)
			break;
	}
	ck_assert_uint_eq(engine_pending(model->engine), 0);
	engine_free(model->engine);
	free(model);
}

START_TEST(test_matches_naive_reference_under_random_operations)
{
	model_run(1, 20);
	model_run(2, 35);
	model_run(3, 5);
}
END_TEST

/* Mostly cancellations: the engine's queue is rebuilt without them again
 * and again, which must not change the order. */
START_TEST(test_matches_naive_reference_when_most_are_cancelled)
{
	model_run(4, 60);
	model_run(5, 75);
}
END_TEST

/* CK_FORK=no (handy under a debugger) runs tests in-process, where a
 * test that aborts on purpose would take the whole runner down. */
static bool no_fork(void)
{
	const char *fork = getenv("CK_FORK");
	return fork && strcmp(fork, "no") == 0;
}

Suite *engine_suite(void)
{
	Suite *suite = suite_create("engine");
	TCase *order = tcase_create("order");
	tcase_add_test(order, test_equal_time_events_fire_in_insertion_order);
	tcase_add_test(order,
		       test_thousand_equal_time_events_keep_insertion_order);
	tcase_add_test(order,
		       test_time_never_goes_backwards_and_events_run_on_time);
	tcase_add_test(order,
		       test_event_scheduled_now_runs_after_queued_ones);
	suite_add_tcase(suite, order);

	TCase *cancel = tcase_create("cancel");
	tcase_add_test(cancel, test_cancel_before_fire_prevents_it);
	tcase_add_test(cancel, test_cancel_after_fire_returns_false);
	tcase_add_test(cancel,
		       test_cancelling_twice_returns_false_the_second_time);
	tcase_add_test(cancel, test_stale_and_unknown_ids_cancel_nothing);
	tcase_add_test(cancel,
		       test_handler_can_cancel_later_event_at_same_time);
	tcase_add_test(cancel, test_handler_cancelling_itself_returns_false);
	tcase_add_test(cancel,
		       test_pending_and_next_time_ignore_cancelled_events);
	tcase_add_test(cancel, test_timer_ids_are_never_zero_or_reused);
	tcase_add_test(cancel,
		       test_timer_rescheduled_many_times_fires_once_at_last);
	suite_add_tcase(suite, cancel);

	TCase *run = tcase_create("run");
	tcase_add_test(run,
		       test_run_until_stops_before_later_event_and_sets_now);
	tcase_add_test(run, test_run_with_empty_queue_is_idle_and_keeps_time);
	tcase_add_test(run,
		       test_step_limit_stops_after_max_steps_and_run_resumes);
	tcase_add_test(run, test_engine_stop_from_handler_returns_stopped);
	tcase_add_test(run, test_engine_stop_outside_a_run_is_forgotten);
	tcase_add_test(run, test_step_hook_runs_after_every_event);
	tcase_add_test(run,
		       test_free_drops_pending_events_without_touching_args);
	tcase_add_test(run, test_clock_seam_routes_to_engine);
	suite_add_tcase(suite, run);

	TCase *repeat = tcase_create("repeat");
	tcase_add_test(repeat, test_repeated_timer_runs_where_as_many_timers_would);
	tcase_add_test(repeat, test_cancelling_a_repeated_timer_drops_the_runs_left);
	tcase_add_test(repeat, test_step_limit_can_split_a_repeated_timer);
	suite_add_tcase(suite, repeat);

	/* A bug aborts; Check catches that only in a forked child. */
	TCase *bugs = tcase_create("bugs");
	if (!no_fork()) {
		tcase_add_test_raise_signal(
			bugs, test_scheduling_in_the_past_is_a_bug, SIGABRT);
		tcase_add_test_raise_signal(
			bugs, test_running_until_the_past_is_a_bug, SIGABRT);
	}
	suite_add_tcase(suite, bugs);

	TCase *reference = tcase_create("reference");
	tcase_set_timeout(reference, 60);
	tcase_add_test(reference,
		       test_matches_naive_reference_under_random_operations);
	tcase_add_test(reference,
		       test_matches_naive_reference_when_most_are_cancelled);
	suite_add_tcase(suite, reference);
	return suite;
}
