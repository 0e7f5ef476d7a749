/* test_sched_parallel.c - Filter and Score on several threads decide nothing differently.
 *
 * K8S: pkg/scheduler/framework/parallelize (Until over chunks) and the
 * `parallelism` of KubeSchedulerConfiguration.
 *
 * Two parts: the thread pool itself (every index of a loop is run exactly
 * once, whatever the threads; a pool's threads are gone once it is
 * freed), and the scheduler: the same random clusters scheduled with
 * parallelism 1, 2 and 4, with even small node lists handed to the
 * threads, must give the same explain records -- nodes examined, start
 * index, every node's verdict and reasons, every score, the
 * FailedScheduling message (the diagnosis), the chosen node -- and the
 * same final placement.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "decode.h"
#include "engine.h"
#include "json.h"
#include "prng.h"
#include "sched.h"
#include "sched_parallel.h"
#include "store.h"
#include "xmalloc.h"
#include "yamldoc.h"

Suite *sched_parallel_suite(void);

/* ---- the pool ------------------------------------------------------------ */

static void count_indices(void *arg, size_t lo, size_t hi)
{
	unsigned char *seen = arg;
	for (size_t i = lo; i < hi; i++)
		seen[i]++;	/* each index belongs to one chunk: no race */
}

START_TEST(test_parallel_for_runs_every_index_exactly_once)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 64, 1000, 100003 };
	for (int threads = 1; threads <= 4; threads++) {
		struct sched_parallel *pool = sched_parallel_new(threads);
		ck_assert_int_eq(sched_parallel_threads(pool), threads);
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			for (int round = 0; round < 20; round++) {
				unsigned char *seen = xcalloc(sizes[k] + 1, 1);
				sched_parallel_for(pool, sizes[k], count_indices, seen);
				for (size_t i = 0; i < sizes[k]; i++)
					ck_assert_msg(seen[i] == 1, "%d threads, n %zu: index %zu ran %d times",
						      threads, sizes[k], i, seen[i]);
				ck_assert_int_eq(seen[sizes[k]], 0);
				free(seen);
			}
		}
		sched_parallel_free(pool);
	}
}
END_TEST

/* The threads of this process, from /proc (Linux). */
static int threads_now(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	int n = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

START_TEST(test_freeing_a_pool_joins_its_threads)
{
	int before = threads_now();
	for (int i = 0; i < 100; i++) {
		struct sched_parallel *pool = sched_parallel_new(4);
		unsigned char seen[256] = { 0 };
		sched_parallel_for(pool, sizeof(seen), count_indices, seen);
		if (i == 0)	/* started lazily, on the first loop */
			ck_assert_int_eq(threads_now(), before + 3);
		sched_parallel_free(pool);
	}
	ck_assert_int_eq(threads_now(), before);
	/* A pool never used starts no thread at all. */
	sched_parallel_free(sched_parallel_new(8));
	ck_assert_int_eq(threads_now(), before);
}
END_TEST

START_TEST(test_effective_threads_are_capped_by_the_cpus)
{
	ck_assert_int_eq(sched_parallel_effective(1), 1);
	ck_assert_int_eq(sched_parallel_effective(0), 1);
	ck_assert_int_ge(sched_parallel_effective(16), 1);
	ck_assert_int_le(sched_parallel_effective(16), 16);
	ck_assert_int_le(sched_parallel_effective(2), 2);
}
END_TEST

/* ---- the scheduler ------------------------------------------------------- */

struct world {
	struct engine *engine;
	struct store *store;
	struct client client;
	struct prng rng;
	char *records;		/* every explain record, one JSON per line */
	size_t records_len, records_cap;
	size_t attempts, failed;
};

static void on_attempt(void *arg, const struct sched_attempt *a)
{
	struct world *w = arg;
	struct json *j = sched_attempt_json(a);
	char *text = json_print(j, false);
	size_t len = strlen(text);
	xgrow((void **)&w->records, &w->records_cap, w->records_len + len + 2, 1);
	memcpy(w->records + w->records_len, text, len);
	w->records_len += len;
	w->records[w->records_len++] = '\n';
	w->records[w->records_len] = '\0';
	free(text);
	json_free(j);
	w->attempts++;
	if (!a->chosen)
		w->failed++;
}

static void create_yaml(struct world *w, const char *text)
{
	struct diag_list diags = { 0 };
	struct yfile *file = yfile_load_string("test", text, strlen(text), &diags);
	ck_assert_msg(file && file->len == 1, "%s", text);
	struct object *obj = decode_object("test", file->docs[0].root, &diags);
	if (!obj)
		diag_print(&diags, stderr);
	ck_assert_msg(obj != NULL, "%s", text);
	yfile_free(file);
	diag_release(&diags);
	struct api_status status;
	ck_assert_msg(client_create(&w->client, obj, &status) == API_OK, "%s", status.message);
}

static size_t below(struct world *w, size_t n)
{
	return (size_t)prng_below(&w->rng, n);
}

/* Nodes of mixed sizes in zones; some tainted, some cordoned, some full
 * of pods already, so that Filter rejects for several reasons. */
static void make_node(struct world *w, int i)
{
	static const char *const taints[] = {
		"", "  taints: [{key: dedicated, value: gpu, effect: NoSchedule}]\n",
		"  taints: [{key: flaky, effect: PreferNoSchedule}]\n",
	};
	int cpu = 2 << below(w, 4);
	int pods = below(w, 10) == 0 ? 2 : 110;
	char *text = xasprintf(
		"apiVersion: v1\nkind: Node\nmetadata:\n  name: node-%03d\n"
		"  labels: {kubernetes.io/hostname: node-%03d, topology.kubernetes.io/zone: zone-%c,"
		" disk: %s}\n"
		"spec:\n%s%s"
		"status:\n  capacity: {cpu: \"%d\", memory: %dGi, pods: \"%d\"}\n"
		"  allocatable: {cpu: \"%d\", memory: %dGi, pods: \"%d\"}\n"
		"  conditions: [{type: Ready, status: \"True\"}]\n",
		i, i, (int)('a' + below(w, 3)), below(w, 2) ? "ssd" : "hdd",
		below(w, 15) == 0 ? "  unschedulable: true\n" : "",
		taints[below(w, 8) < 2 ? below(w, 3) : 0],
		cpu, cpu * 4, pods, cpu, cpu * 4, pods);
	create_yaml(w, text);
	free(text);
}

/* The constraints of one pod of group g: spread, anti-affinity, node
 * affinity, tolerations, host ports, or none. */
static const char *constraints(int kind)
{
	switch (kind) {
	case 1:
		return "  topologySpreadConstraints:\n"
		       "  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone,"
		       " whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: APP}}}\n";
	case 2:
		return "  affinity:\n    podAntiAffinity:\n"
		       "      requiredDuringSchedulingIgnoredDuringExecution:\n"
		       "      - topologyKey: kubernetes.io/hostname\n"
		       "        labelSelector: {matchLabels: {app: APP}}\n";
	case 3:
		return "  affinity:\n    nodeAffinity:\n"
		       "      requiredDuringSchedulingIgnoredDuringExecution:\n"
		       "        nodeSelectorTerms:\n        - matchExpressions:\n"
		       "          - {key: disk, operator: In, values: [ssd]}\n"
		       "      preferredDuringSchedulingIgnoredDuringExecution:\n"
		       "      - weight: 10\n        preference:\n"
		       "          matchExpressions: [{key: topology.kubernetes.io/zone,"
		       " operator: In, values: [zone-b]}]\n";
	case 4:
		return "  tolerations: [{key: dedicated, operator: Exists}]\n"
		       "  affinity:\n    podAntiAffinity:\n"
		       "      preferredDuringSchedulingIgnoredDuringExecution:\n"
		       "      - weight: 50\n        podAffinityTerm:\n"
		       "          topologyKey: kubernetes.io/hostname\n"
		       "          labelSelector: {matchLabels: {app: APP}}\n";
	default:
		return "";
	}
}

static void make_pod(struct world *w, int g, int i)
{
	int kind = g % 6;
	const char *c = constraints(kind);
	char *spec = xstrdup(c);
	for (char *p; (p = strstr(spec, "APP"));) {	/* the group's label */
		char *next = xasprintf("%.*sg%d%s", (int)(p - spec), spec, g, p + 3);
		free(spec);
		spec = next;
	}
	/* Now and then a pod too big for most nodes: FailedScheduling. */
	int cpu = below(w, 12) == 0 ? 40000 : 100 + 100 * (int)below(w, 10);
	const char *ports = kind == 5 ? ", ports: [{containerPort: 80, hostPort: 8080}]" : "";
	char *text = xasprintf(
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: g%d-%d\n  labels: {app: g%d}\n"
		"spec:\n%s  containers:\n  - {name: app, image: app:1%s,"
		" resources: {requests: {cpu: %dm, memory: %dMi}}}\n%s",
		g, i, g, g % 7 == 6 ? "  priorityClassName: high\n" : "", ports, cpu,
		128 << below(w, 3), spec);
	create_yaml(w, text);
	free(text);
	free(spec);
}

/* Runs one random cluster for seed with parallelism threads; returns
 * every explain record and then "pod node" per pod (caller frees). */
static char *run_world(uint64_t seed, int nodes, int32_t percentage, int32_t parallelism,
		       bool explain, size_t *failed)
{
	struct world w = { 0 };
	prng_seed(&w.rng, seed);
	w.engine = engine_new();
	engine_run(w.engine, KTIME_SIM_EPOCH, 0);
	w.client.clock = engine_clock(w.engine);
	w.store = store_new(&w.client.clock, seed);
	w.client.store = w.store;
	w.client.component = "default-scheduler";
	create_yaml(&w, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
			"metadata: {name: high}\nvalue: 1000\n");
	for (int i = 0; i < nodes; i++)
		make_node(&w, i);
	struct scheduler_options options = {
		.name = "default-scheduler",
		.seed = seed,
		.percentage_of_nodes_to_score = percentage,
		.parallelism = parallelism,
		/* Even short walks go to the threads, and windows of 8 nodes
		 * make the walk take several rounds. */
		.parallel_min_nodes = 8,
	};
	if (explain)
		options.explain = (struct sched_explain_hook){ on_attempt, &w };
	struct scheduler *s = scheduler_new(&w.client, &options);
	ck_assert_int_eq(scheduler_threads(s), parallelism);
	for (int g = 0; g < 40; g++) {
		for (int i = 0; i < 8; i++)
			make_pod(&w, g, i);
		engine_run(w.engine, engine_now(w.engine) + KTIME_SECOND, 0);
	}
	engine_run(w.engine, engine_now(w.engine) + 60 * KTIME_SECOND, 0);
	*failed = (size_t)scheduler_failed_attempts(s);

	struct object_list list = { 0 };
	store_list(w.store, KIND_POD, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++) {
		const struct pod *pod = (const struct pod *)list.items[i];
		char *line = xasprintf("%s %s\n", pod->obj.meta.name,
				       pod->spec.node_name ? pod->spec.node_name : "-");
		size_t len = strlen(line);
		xgrow((void **)&w.records, &w.records_cap, w.records_len + len + 1, 1);
		memcpy(w.records + w.records_len, line, len + 1);
		w.records_len += len;
		free(line);
	}
	object_list_release(&list);
	scheduler_free(s);
	store_free(w.store);
	engine_free(w.engine);
	if (explain)
		ck_assert_uint_gt(w.attempts, 0);
	return w.records;
}

static void same_for_every_parallelism(uint64_t seed, int nodes, int32_t percentage,
				       bool explain)
{
	size_t failed1;
	char *one = run_world(seed, nodes, percentage, 1, explain, &failed1);
	/* The runs show what they are meant to: failures (a diagnosis). */
	ck_assert_uint_gt(failed1, 0);
	for (int32_t p = 2; p <= 4; p *= 2) {
		size_t failed;
		char *many = run_world(seed, nodes, percentage, p, explain, &failed);
		ck_assert_uint_eq(failed, failed1);
		if (strcmp(one, many)) {
			size_t at = 0;
			while (one[at] == many[at])
				at++;
			while (at > 0 && one[at - 1] != '\n')
				at--;
			ck_abort_msg("seed %llu, parallelism %d: first difference:\n%.400s\nvs\n%.400s",
				     (unsigned long long)seed, (int)p, one + at, many + at);
		}
		free(many);
	}
	free(one);
}

START_TEST(test_explained_attempts_are_the_same_for_every_parallelism)
{
	same_for_every_parallelism(1, 150, 100, true);
	same_for_every_parallelism(2, 260, 0, true);	/* adaptive: a sample */
}
END_TEST

START_TEST(test_decisions_are_the_same_for_every_parallelism)
{
	same_for_every_parallelism(3, 300, 0, false);
	same_for_every_parallelism(4, 120, 100, false);
}
END_TEST

Suite *sched_parallel_suite(void)
{
	Suite *s = suite_create("sched_parallel");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_parallel_for_runs_every_index_exactly_once);
	tcase_add_test(tc, test_freeing_a_pool_joins_its_threads);
	tcase_add_test(tc, test_effective_threads_are_capped_by_the_cpus);
	tcase_add_test(tc, test_explained_attempts_are_the_same_for_every_parallelism);
	tcase_add_test(tc, test_decisions_are_the_same_for_every_parallelism);
	suite_add_tcase(s, tc);
	return s;
}
