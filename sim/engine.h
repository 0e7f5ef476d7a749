/* engine.h - the discrete-event engine: virtual time and the event queue.
 *
 * Everything in a simulated cluster happens because a timer fired: a kubelet
 * sync, a lease renewal, a controller's requeue after backoff, a watch event
 * delivered after network latency. Upstream these are goroutines sleeping on
 * the wall clock (K8S: k8s.io/utils/clock, whose fake clock tests use to step
 * time by hand; client-go util/workqueue delaying_queue's heap of waitFor
 * entries). In sim mode kubelab replaces all of that with one queue of events
 * and a virtual clock that jumps straight to the next event, so an hour of
 * cluster life takes milliseconds and every run is repeatable.
 *
 * The loop (engine_run) is three steps, like redis's aeMain or a libuv loop
 * iteration: take the earliest event off the queue, advance the clock to its
 * time, call its handler. All policy lives in handlers, which may schedule
 * and cancel events (including ones due at the current time).
 *
 * Ordering. Events are ordered by (time, insertion sequence): two events due
 * at the same nanosecond fire in the order they were scheduled, as libuv
 * orders its timers. This is the rule that makes a run deterministic; the
 * order never depends on addresses or on the heap's internal layout.
 *
 * Interface: engine_new/engine_free; engine_at/engine_after/engine_cancel
 * to manage timers (engine_at_times for one timer that runs several times
 * in a row); engine_run to advance; engine_clock for the clock.h seam
 * that all code above the engine uses instead of calling engine_* directly.
 *
 * Invariants (checked by engine_check):
 *   - virtual time never decreases; a handler runs with now == its due time;
 *   - a timer_id is never 0 and never names two timers within one run;
 *   - engine_pending() counts timers scheduled and neither fired nor
 *     cancelled;
 *   - the earliest queued entry is always a live timer, so
 *     engine_next_time() is exact.
 *
 * Ownership: the engine owns its queue; handler arguments are borrowed and
 * never touched by the engine, not even when the engine is freed.
 *
 * Failure: misuse (a time in the past, a negative delay, a NULL handler, a
 * nested engine_run) is a bug and aborts via BUG_ON. Nothing here can fail
 * otherwise; allocation aborts on exhaustion (xmalloc.h).
 *
 * See also: clock.h (the seam), prng.h (the other half of determinism).
 */
#ifndef KUBELAB_ENGINE_H
#define KUBELAB_ENGINE_H

#include "clock.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct engine;

/* Returns a new engine at time 0 with no events; free with engine_free. */
struct engine *engine_new(void);

/* Frees the engine. Pending events are dropped without being run, and their
 * arguments are not touched: whoever allocated them still owns them. Must not
 * be called from a handler. engine_free(NULL) does nothing. */
void engine_free(struct engine *engine);

/* Returns the clock seam served by this engine: clock_now() is engine_now(),
 * clock_after() is engine_after(), clock_after_times() is
 * engine_after_times(), clock_cancel() is engine_cancel(). The
 * struct is a value that refers to the engine; it is valid while the engine
 * lives. */
struct clock engine_clock(struct engine *engine);

/* The current virtual time: 0 at start, then the due time of the event
 * being (or last) run, or the `until` of a run that stopped at it. */
ktime_t engine_now(const struct engine *engine);

/* Schedules fn(arg) to run at virtual time when. when must be >= now and
 * < KTIME_NEVER, and fn non-NULL; otherwise it is a bug. Returns the
 * timer's id, never 0. May be called from a handler, even for the current
 * time: the new event then runs later in the same instant, after every event
 * already queued for that instant. */
timer_id engine_at(struct engine *engine, ktime_t when, timer_fn fn, void *arg);

/* engine_at(engine, now + delay, fn, arg). delay must be >= 0 and
 * now + delay must not reach KTIME_NEVER. */
timer_id engine_after(struct engine *engine, ktime_t delay, timer_fn fn,
		      void *arg);

/* Schedules fn(arg) to run `times` times (>= 1) at virtual time when,
 * exactly as `times` calls of engine_at(engine, when, fn, arg) made one
 * after another would: the runs take consecutive places in the order of
 * that instant, and each is an event of its own (a step, followed by the
 * step hook). Costs one timer whatever `times` is: the id names the runs
 * not made yet, engine_cancel drops all of them, and engine_pending counts
 * the timer once until its last run. The handler tells the runs apart by
 * counting them. Same rules for when and fn as engine_at. */
timer_id engine_at_times(struct engine *engine, ktime_t when, uint32_t times,
			 timer_fn fn, void *arg);

/* engine_at_times(engine, now + delay, times, fn, arg). */
timer_id engine_after_times(struct engine *engine, ktime_t delay, uint32_t times,
			    timer_fn fn, void *arg);

/* Cancels a pending timer. Returns true if it was pending and now will not
 * run; false if it already ran (or is running: a handler cancelling its own
 * id gets false), was already cancelled, or never existed (including id 0).
 * Safe from handlers, for any timer, including others due now. */
bool engine_cancel(struct engine *engine, timer_id id);

/* Why engine_run returned. */
enum engine_stop {
	ENGINE_IDLE,		/* queue empty; now = the last event's time */
	ENGINE_UNTIL,		/* next event after `until`; now = until */
	ENGINE_STEP_LIMIT,	/* max_steps events ran */
	ENGINE_STOPPED,		/* a handler called engine_stop() */
};

/* Runs events in (time, sequence) order, advancing virtual time, until one
 * of the enum engine_stop conditions holds. Events due exactly at `until`
 * run; pass KTIME_NEVER to run until idle. max_steps == 0 means no limit.
 * until < now is a bug, as is calling engine_run from a handler. When
 * several conditions hold after an event, STOPPED wins over STEP_LIMIT, and
 * both are reported before looking at the queue (so a run can report
 * STEP_LIMIT with the queue now empty). A later call carries on. */
enum engine_stop engine_run(struct engine *engine, ktime_t until,
			    uint64_t max_steps);

/* Asks the running engine_run to return ENGINE_STOPPED once the current
 * handler returns. Called outside a run, it is forgotten: each engine_run
 * starts afresh (as redis's aeMain clears its stop flag). */
void engine_stop(struct engine *engine);

/* Events run since engine_new. */
uint64_t engine_steps(const struct engine *engine);

/* Timers scheduled and neither run nor cancelled. */
size_t engine_pending(const struct engine *engine);

/* Due time of the next event to run, or KTIME_NEVER when nothing is
 * pending. */
ktime_t engine_next_time(const struct engine *engine);

/* Sets a hook called with arg after every event, once its handler returns
 * (paranoid invariant checks, progress display). NULL removes it. The hook
 * may schedule, cancel and stop like a handler. */
void engine_set_step_hook(struct engine *engine, void (*hook)(void *arg),
			  void *arg);

/* Checks every invariant of the queue (heap order, slot states, counters)
 * and aborts via BUG_ON if one is broken. O(n): for tests and paranoid
 * builds, e.g. as the step hook's body. */
void engine_check(const struct engine *engine);

#endif
