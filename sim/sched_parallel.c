/* sched_parallel.c - the scheduler's thread pool: a parallel for over chunks.
 *
 * K8S: pkg/scheduler/framework/parallelize/parallelism.go (Until,
 * chunkSizeFor) and client-go's workqueue.ParallelizeUntil.
 *
 * See sched_parallel.h for the model. How a job travels:
 *   1. the caller writes the job (fn, arg, n, chunk), resets the next
 *      chunk to 0, then publishes a new generation in `ctl`, open, with
 *      no worker inside;
 *   2. workers watching `ctl` (spinning, or asleep on `wake` when they
 *      have waited long) see the new generation and enter the job by
 *      raising its count of workers inside -- a compare-and-swap that
 *      fails once the generation has changed or the job is closed;
 *   3. inside, they and the caller claim chunks with an atomic
 *      fetch-and-add on `next` until none is left;
 *   4. the caller, out of chunks, closes the job and waits until no
 *      worker is inside: then every chunk is done and its writes are
 *      visible to the caller (release/acquire on `ctl`).
 * A worker that comes late (it was not scheduled in time, or it was
 * asleep) finds the job closed and does not enter: the caller never
 * waits for a thread that is not running, and never rewrites the job
 * while a worker may read it.
 *
 * The threads are POSIX threads. <pthread.h> includes the system's
 * <sched.h>, so the Makefile compiles this file without -Isim (which
 * would find kubelab's sched.h): it includes kubelab's headers by "".
 *
 * Sleeping without losing a wake-up: a worker about to sleep increments
 * `sleepers` and re-reads `ctl` under the mutex; the caller publishes
 * and then reads `sleepers`, and broadcasts under the mutex when it is
 * not 0. Both are sequentially consistent, so at least one of them sees
 * the other's write (the worker the new job, or the caller the sleeper).
 */
#include "sched_parallel.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

/* How long an idle worker watches for the next job before sleeping: a
 * scheduling cycle's serial part (queue, PreFilter, bind) is a few tens
 * of microseconds, so a worker still watching when the next Filter
 * starts saves a futex wake-up (several microseconds) per cycle. It
 * spins with the CPU's pause hint, never sched_yield: on a busy machine
 * a yield gives the CPU away for a whole time slice. */
#define SPIN_NS 200000

/* The CPU's spin-wait hint: tells a hyper-threaded core to favour its
 * sibling and saves power while a thread watches a flag. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ctl: the generation in the high 32 bits; CLOSED; the workers inside
 * the job in the low bits. */
#define CTL_GENERATION(ctl) ((uint32_t)((ctl) >> 32))
#define CTL_CLOSED ((uint64_t)1 << 31)
#define CTL_INSIDE ((uint64_t)CTL_CLOSED - 1)

struct sched_parallel {
	int threads;			/* the caller included */
	bool started;			/* workers exist */
	pthread_t *workers;		/* threads - 1 */
	uint32_t generation;		/* the caller's count of jobs */
	/* The job of the current generation: written only while no worker
	 * is inside, read only by workers inside. */
	void (*fn)(void *arg, size_t lo, size_t hi);
	void *arg;
	size_t n, chunk;
	atomic_size_t next;		/* the next chunk's first index */
	_Atomic uint64_t ctl;
	atomic_bool stop;
	/* Sleeping workers. */
	atomic_int sleepers;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

int sched_parallel_effective(int parallelism)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	if (parallelism > cpus)
		parallelism = (int)cpus;
	return parallelism < 1 ? 1 : parallelism;
}

struct sched_parallel *sched_parallel_new(int threads)
{
	struct sched_parallel *pool = xcalloc(1, sizeof(*pool));
	pool->threads = threads < 1 ? 1 : threads;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	return pool;
}

int sched_parallel_threads(const struct sched_parallel *pool)
{
	return pool->threads;
}

/* Claims and runs chunks until none is left. */
static void run_chunks(struct sched_parallel *pool)
{
	for (;;) {
		size_t lo = atomic_fetch_add_explicit(&pool->next, pool->chunk,
						      memory_order_relaxed);
		if (lo >= pool->n)
			return;
		size_t hi = pool->n - lo < pool->chunk ? pool->n : lo + pool->chunk;
		pool->fn(pool->arg, lo, hi);
	}
}

/* Waits for a generation other than seen: spins a while, then sleeps.
 * Returns ctl as it was seen then. */
static uint64_t wait_for_job(struct sched_parallel *pool, uint32_t seen)
{
	uint64_t ctl;
	int64_t until = 0;
	for (unsigned i = 0;; i++) {
		ctl = atomic_load_explicit(&pool->ctl, memory_order_acquire);
		if (CTL_GENERATION(ctl) != seen)
			return ctl;
		if (i % 256 == 0) {	/* the clock costs more than a glance */
			int64_t now = monotonic_ns();
			if (!until)
				until = now + SPIN_NS;
			else if (now > until)
				break;
		}
		cpu_relax();
	}
	pthread_mutex_lock(&pool->lock);
	atomic_fetch_add(&pool->sleepers, 1);
	while (CTL_GENERATION(ctl = atomic_load(&pool->ctl)) == seen)
		pthread_cond_wait(&pool->wake, &pool->lock);
	atomic_fetch_sub(&pool->sleepers, 1);
	pthread_mutex_unlock(&pool->lock);
	return ctl;
}

static void *worker_main(void *arg)
{
	struct sched_parallel *pool = arg;
	uint32_t seen = 0;
	for (;;) {
		uint64_t ctl = wait_for_job(pool, seen);
		seen = CTL_GENERATION(ctl);
		if (atomic_load_explicit(&pool->stop, memory_order_acquire))
			return NULL;
		/* Enter while the job is open; a failed swap reloads ctl. */
		while (!(ctl & CTL_CLOSED) && CTL_GENERATION(ctl) == seen) {
			if (atomic_compare_exchange_weak_explicit(&pool->ctl, &ctl, ctl + 1,
								  memory_order_acquire,
								  memory_order_acquire)) {
				run_chunks(pool);
				atomic_fetch_sub_explicit(&pool->ctl, 1, memory_order_release);
				break;
			}
		}
	}
}

static void start_workers(struct sched_parallel *pool)
{
	pool->workers = xcalloc((size_t)pool->threads - 1, sizeof(*pool->workers));
	for (int i = 0; i < pool->threads - 1; i++)
		BUG_ON(pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0);
	pool->started = true;
}

/* Publishes a new generation, open and empty, and wakes the sleepers. */
static void publish(struct sched_parallel *pool)
{
	pool->generation++;
	atomic_store(&pool->ctl, (uint64_t)pool->generation << 32);
	if (atomic_load(&pool->sleepers) == 0)
		return;
	pthread_mutex_lock(&pool->lock);
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
}

void sched_parallel_for(struct sched_parallel *pool, size_t n,
			void (*fn)(void *arg, size_t lo, size_t hi), void *arg)
{
	if (n == 0)
		return;
	if (pool->threads == 1) {
		fn(arg, 0, n);
		return;
	}
	if (!pool->started)
		start_workers(pool);
	/* K8S: chunkSizeFor: sqrt(n), but no more than n / threads + 1. */
	size_t chunk = (size_t)sqrt((double)n);
	if (chunk > n / (size_t)pool->threads + 1)
		chunk = n / (size_t)pool->threads + 1;
	pool->fn = fn;
	pool->arg = arg;
	pool->n = n;
	pool->chunk = chunk < 1 ? 1 : chunk;
	atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
	publish(pool);
	run_chunks(pool);
	atomic_fetch_or_explicit(&pool->ctl, CTL_CLOSED, memory_order_relaxed);
	/* The workers inside are running chunks (or were descheduled in the
	 * middle of one: then give them the CPU now and then). */
	for (unsigned i = 1; atomic_load_explicit(&pool->ctl, memory_order_acquire) & CTL_INSIDE; i++) {
		cpu_relax();
		if (i % 4096 == 0)
			sched_yield();
	}
}

void sched_parallel_free(struct sched_parallel *pool)
{
	if (!pool)
		return;
	if (pool->started) {
		atomic_store_explicit(&pool->stop, true, memory_order_release);
		publish(pool);
		for (int i = 0; i < pool->threads - 1; i++)
			pthread_join(pool->workers[i], NULL);
	}
	free(pool->workers);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->wake);
	free(pool);
}
