/* print_fixture.h - the fixture of the printer suites (tests/test_print*.c).
 *
 * Objects are built in C and stored with store_create under a clock the
 * test sets by hand (fake_now), so every AGE is known: created at T0,
 * printed at NOW, five minutes later. The clock never delivers anything
 * (no watchers in these suites). CAPTURE runs a printer into a string.
 *
 * Header-only (static) because the Makefile compiles only tests/test_*.c,
 * each as one suite; each suite including it gets its own copy.
 */
#ifndef KUBELAB_TESTS_PRINT_FIXTURE_H
#define KUBELAB_TESTS_PRINT_FIXTURE_H

#include <check.h>
#include <stdio.h>

#include "clock.h"
#include "print.h"
#include "store.h"

static ktime_t fake_now;

static inline ktime_t fake_clock_now(void *impl)
{
	(void)impl;
	return fake_now;
}

static inline timer_id fake_clock_after(void *impl, ktime_t delay, timer_fn fn, void *arg)
{
	(void)impl, (void)delay, (void)fn, (void)arg;
	return 1;	/* no watchers in these tests: nothing is delivered */
}

static inline bool fake_clock_cancel(void *impl, timer_id id)
{
	(void)impl, (void)id;
	return false;
}

static inline timer_id fake_clock_after_times(void *impl, ktime_t delay, uint32_t times,
				       timer_fn fn, void *arg)
{
	(void)times;
	return fake_clock_after(impl, delay, fn, arg);
}

static const struct clock_ops fake_ops = {
	fake_clock_now, fake_clock_after, fake_clock_cancel, fake_clock_after_times,
};
static const struct clock fake_clock = { &fake_ops, NULL };

#define T0 KTIME_SIM_EPOCH		/* objects are created at T0 */
#define NOW (T0 + 5 * KTIME_MINUTE)	/* and printed five minutes later */

static struct store *store;

static inline void setup(void)
{
	fake_now = T0;
	store = store_new(&fake_clock, 1);
}

static inline void teardown(void)
{
	store_free(store);
}

static const struct print_options plain = { .now = NOW };

/* Runs a printer into a string; caller frees. */
#define CAPTURE(call) ({						\
	char *text_ = NULL;						\
	size_t len_ = 0;						\
	FILE *out = open_memstream(&text_, &len_);			\
	ck_assert_ptr_nonnull(out);					\
	call;								\
	fclose(out);							\
	text_;								\
})

#endif
