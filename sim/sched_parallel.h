/* sched_parallel.h - a small pool of threads for the scheduler's parallel loops.
 *
 * K8S: pkg/scheduler/framework/parallelize (Parallelizer.Until, chunk
 * sizes), used by findNodesThatPassFilters and RunScorePlugins; the
 * number of goroutines is KubeSchedulerConfiguration's `parallelism`
 * (default 16).
 *
 * Upstream runs Filter and Score over nodes on up to 16 goroutines.
 * kubelab does the same with a pool of persistent POSIX threads: the calling
 * thread plus threads - 1 workers. sched_parallel_for(pool, n, fn, arg)
 * splits [0, n) into chunks that the threads claim one at a time; fn
 * must only write what belongs to its own indices (a verdict per node, a
 * score per node), so the result does not depend on which thread ran
 * which chunk, nor on the number of threads. That is how the scheduler
 * keeps its decisions identical for every `parallelism` (sched.c).
 *
 * Cost: a scheduling cycle is tens of microseconds of work, so a worker
 * that slept on a futex between cycles would cost more than it gains.
 * Idle workers first spin (briefly, yielding the CPU) watching for the
 * next job, then sleep on a condition variable; the caller only signals
 * when some worker sleeps.
 *
 * Life cycle: workers are started lazily, on the first call that uses
 * them, and joined by sched_parallel_free: no thread outlives the pool.
 * One thread at a time may call sched_parallel_for (the scheduler's).
 */
#ifndef KUBELAB_SCHED_PARALLEL_H
#define KUBELAB_SCHED_PARALLEL_H

#include <stddef.h>

struct sched_parallel;

/* A pool running loops on `threads` threads, the caller included (at
 * least 1; 1 runs every loop on the caller, with no thread started).
 * Free with sched_parallel_free. */
struct sched_parallel *sched_parallel_new(int threads);
/* Stops and joins the workers, then frees the pool. NULL is allowed. */
void sched_parallel_free(struct sched_parallel *pool);
int sched_parallel_threads(const struct sched_parallel *pool);

/* The threads `parallelism` gives on this machine: min(parallelism, the
 * online CPUs), at least 1 (more threads than CPUs only take turns). */
int sched_parallel_effective(int parallelism);

/* K8S: Parallelizer.Until. Calls fn(arg, lo, hi) over chunks [lo, hi)
 * covering [0, n) exactly once, on up to the pool's threads (the caller
 * works too), and returns when every chunk is done. A chunk is
 * min(sqrt(n), n / threads + 1) long, as upstream's chunkSizeFor, so a
 * slow chunk does not hold the others up. fn must not call
 * sched_parallel_for. */
void sched_parallel_for(struct sched_parallel *pool, size_t n,
			void (*fn)(void *arg, size_t lo, size_t hi), void *arg);

#endif
