/* bench_main.c - the benchmark runner: `make bench` runs every bench in turn.
 *
 * Each bench lives in tests/bench_NAME.c, defines `void bench_NAME(void)`
 * and prints one line of results. To add one, add a BENCH(NAME) line below.
 * KUBELAB_BENCH=NAME runs only that bench (e.g. KUBELAB_BENCH=sched).
 * Benches may read the wall clock (they measure it); the simulator never
 * does.
 */
#define BENCHES \
	BENCH(engine) \
	BENCH(sched) \
	BENCH(cluster)

#include <stdlib.h>
#include <string.h>

#define BENCH(name) void bench_##name(void);
BENCHES
#undef BENCH

int main(void)
{
	const char *only = getenv("KUBELAB_BENCH");
#define BENCH(name) \
	if (!only || !*only || !strcmp(only, #name)) \
		bench_##name();
	BENCHES
#undef BENCH
	return 0;
}
