/* bench_engine.c - how fast the discrete-event engine runs events.
 *
 * A simulated hour of a large cluster is millions of events (kubelet syncs,
 * lease renewals, watch deliveries), so the engine's per-event cost bounds
 * how large a cluster a lab can simulate interactively. This bench keeps a
 * steady queue of BENCH_PENDING timers; each handler schedules one successor
 * at a pseudo-random offset, so every event is one schedule plus one pop on
 * a heap of constant size - the engine's steady state. The target is at
 * least 10 M events/s at -O2.
 *
 * Wall time comes from CLOCK_MONOTONIC: benchmarks measure the real world;
 * the engine itself never reads a wall clock.
 */
#include "engine.h"
#include "prng.h"

#include <stdio.h>
#include <time.h>

#define BENCH_EVENTS	20000000ULL	/* events to run in the timed part */
#define BENCH_PENDING	100000		/* timers kept in the queue */
#define BENCH_SEED	20240229

void bench_engine(void);	/* called by bench_main.c */

struct bench_ticker {
	struct engine *engine;
	struct prng rng;
};

/* A future offset between 1 us and 1 s in whole microseconds, so that,
 * with 100k timers spread over a million possible instants, equal times
 * (the sequence tie-break) occur too. */
static ktime_t bench_offset(struct prng *rng)
{
	return (ktime_t)(1 + prng_below(rng, 1000000)) * KTIME_US;
}

static void bench_tick(void *arg)
{
	struct bench_ticker *ticker = arg;
	engine_after(ticker->engine, bench_offset(&ticker->rng), bench_tick,
		     ticker);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	return (double)(end.tv_sec - start->tv_sec) +
	       (double)(end.tv_nsec - start->tv_nsec) * 1e-9;
}

void bench_engine(void)
{
	struct bench_ticker ticker = { .engine = engine_new() };
	prng_seed(&ticker.rng, BENCH_SEED);
	for (int i = 0; i < BENCH_PENDING; i++)
		engine_after(ticker.engine, bench_offset(&ticker.rng),
			     bench_tick, &ticker);
	/* Warm up: one pass over the queue grows the arrays to their final
	 * size and mixes the heap, so the timed part is the steady state. */
	engine_run(ticker.engine, KTIME_NEVER, BENCH_PENDING);

	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	uint64_t before = engine_steps(ticker.engine);
	engine_run(ticker.engine, KTIME_NEVER, BENCH_EVENTS);
	uint64_t ran = engine_steps(ticker.engine) - before;
	double elapsed = seconds_since(&start);

	printf("engine: %llu events in %.2f s = %.1f M events/s "
	       "(heap of %zu pending)\n",
	       (unsigned long long)ran, elapsed,
	       (double)ran / elapsed / 1e6, engine_pending(ticker.engine));
	engine_free(ticker.engine);
}
