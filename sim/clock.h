/* clock.h - the clock and timer seam: the only notion of time anything sees.
 *
 * The scheduler, the controllers and the node agents ask for the time and
 * set timers through a struct clock. In sim mode the clock is the
 * discrete-event engine (engine.h): time is virtual and jumps from event to
 * event. In real mode the same interface is served by a loop over the
 * monotonic wall clock. No code above this line knows which one it has.
 *
 * Time is ktime_t: signed 64-bit nanoseconds since the Unix epoch, like the
 * timestamps Kubernetes writes into objects. A simulated run starts at
 * KTIME_SIM_EPOCH (2026-01-01T00:00:00Z), so 0 never is a time of the run
 * and can mean "unset" in object fields (lastTransitionTime, startTime).
 * Scenario times ("at: 60s") and trace times are relative to the run's
 * start. Timer callbacks run from the loop, never re-entrantly from inside
 * clock_after() or clock_cancel().
 */
#ifndef KUBELAB_CLOCK_H
#define KUBELAB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t ktime_t;	/* nanoseconds since the Unix epoch */
typedef uint64_t timer_id;	/* 0 never names a timer */
typedef void (*timer_fn)(void *arg);

#define KTIME_NS	((ktime_t)1)
#define KTIME_US	((ktime_t)1000)
#define KTIME_MS	((ktime_t)1000000)
#define KTIME_SECOND	((ktime_t)1000000000)
#define KTIME_MINUTE	(60 * KTIME_SECOND)
#define KTIME_HOUR	(60 * KTIME_MINUTE)
#define KTIME_NEVER	INT64_MAX
#define KTIME_SIM_EPOCH	((ktime_t)1767225600 * KTIME_SECOND)	/* 2026-01-01 */

struct clock_ops {
	ktime_t (*now)(void *impl);
	/* Runs fn(arg) once, delay (>= 0) from now. Never returns 0. */
	timer_id (*after)(void *impl, ktime_t delay, timer_fn fn, void *arg);
	/* Returns true when the timer was pending and will now not fire;
	 * false when it already fired, was cancelled, or never existed. */
	bool (*cancel)(void *impl, timer_id id);
	/* Runs fn(arg) `times` times (>= 1), delay from now, exactly as
	 * `times` calls of after() in a row would, each run its own event,
	 * but as one timer: cancel drops the runs not made yet. A store
	 * delivers one write to all its watchers this way. */
	timer_id (*after_times)(void *impl, ktime_t delay, uint32_t times,
				timer_fn fn, void *arg);
};

struct clock {
	const struct clock_ops *ops;
	void *impl;
};

static inline ktime_t clock_now(const struct clock *clock)
{
	return clock->ops->now(clock->impl);
}

static inline timer_id clock_after(const struct clock *clock, ktime_t delay,
				   timer_fn fn, void *arg)
{
	return clock->ops->after(clock->impl, delay, fn, arg);
}

static inline timer_id clock_after_times(const struct clock *clock, ktime_t delay,
					 uint32_t times, timer_fn fn, void *arg)
{
	return clock->ops->after_times(clock->impl, delay, times, fn, arg);
}

static inline bool clock_cancel(const struct clock *clock, timer_id id)
{
	return clock->ops->cancel(clock->impl, id);
}

#endif
