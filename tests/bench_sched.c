/* bench_sched.c - the scheduler alone: 150,000 pending pods onto 5,000 nodes.
 *
 * Modelled on kube-scheduler's scheduler_perf "SchedulingBasic" at 5,000
 * nodes: the nodes exist, the pods are created, and only the scheduler
 * runs (no controllers, no kubelets; binding takes no simulated time). The
 * pods come in 1,500 groups of 100 owned by a ReplicaSet (so the default
 * spreading of PodTopologySpread applies to them), with mixed requests and,
 * for some groups, the constraints a real cluster has: a zone spread
 * constraint, preferred and required pod anti-affinity, required node
 * affinity, no requests at all.
 *
 * Two configurations: upstream's default (adaptive percentageOfNodesToScore:
 * 10% of 5,000 nodes) and percentageOfNodesToScore 100. Each runs in a
 * forked child, so that each peak RSS is its own. Prints pods/s, wall time,
 * CPU time (and pods per CPU second: on a shared machine the wall-clock
 * rate says more about the neighbours) and peak RSS. KUBELAB_BENCH_SCALE=10
 * runs a tenth of the cluster.
 * KUBELAB_BENCH_DUMP=PREFIX writes each configuration's decisions (one
 * "pod node" line per pod, in the store's order) to PREFIX-PERCENTAGE.txt,
 * so that a change meant to be a pure speed-up can be diffed against the
 * decisions before it. KUBELAB_BENCH_PERCENT=0 (adaptive) or 100 runs only
 * that configuration (for profiling one). KUBELAB_BENCH_PARALLELISM=N sets
 * the scheduler's parallelism (threads: N capped by the online CPUs;
 * unset, 0: one thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "client.h"
#include "decode.h"
#include "engine.h"
#include "sched.h"
#include "store.h"
#include "xmalloc.h"
#include "yamldoc.h"

void bench_sched(void);

#define NODES_FULL 5000
#define GROUPS_FULL 1500
#define GROUP_PODS 100
#define ZONES 5

struct sched_bench {
	struct engine *engine;
	struct store *store;
	struct client client;
	int nodes, groups;
};

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_seconds(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* The CPU time this process used: on a shared machine the scheduling
 * rate per CPU second says more than the wall-clock rate. */
static double cpu_seconds(void)
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* Decodes one manifest written in YAML; the bench's input is fixed, so a
 * problem is a bug. Caller owns the object. */
static struct object *decode_text(const char *text)
{
	struct diag_list diags = {0};
	struct yfile *file = yfile_load_string("bench", text, strlen(text), &diags);
	BUG_ON(!file || file->len != 1);
	struct object *obj = decode_object("bench", file->docs[0].root, &diags);
	if (!obj)
		diag_print(&diags, stderr);
	BUG_ON(!obj);
	yfile_free(file);
	diag_release(&diags);
	return obj;
}

static void create(struct sched_bench *b, struct object *obj)
{
	struct api_status status;
	if (client_create(&b->client, obj, &status) != API_OK) {
		fprintf(stderr, "bench_sched: create: %s\n", status.message);
		abort();
	}
}

static void create_nodes(struct sched_bench *b)
{
	for (int i = 0; i < b->nodes; i++) {
		char *text = xasprintf(
			"apiVersion: v1\nkind: Node\nmetadata:\n  name: node-%d\n"
			"  labels: {kubernetes.io/hostname: node-%d, topology.kubernetes.io/zone: zone-%c}\n"
			"status:\n  capacity: {cpu: \"32\", memory: 128Gi, pods: \"110\"}\n"
			"  allocatable: {cpu: \"32\", memory: 128Gi, pods: \"110\"}\n"
			"  conditions: [{type: Ready, status: \"True\"}]\n",
			i, i, 'a' + i % ZONES);
		create(b, decode_text(text));
		free(text);
	}
}

/* The scheduling constraints of group g, as YAML under the pod's spec. */
static const char *group_constraints(int g)
{
	switch (g % 20) {
	case 1:
	case 11:
		return "  topologySpreadConstraints:\n"
		       "  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone,"
		       " whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: APP}}}\n";
	case 2:
	case 12:
		return "  affinity:\n    podAntiAffinity:\n"
		       "      preferredDuringSchedulingIgnoredDuringExecution:\n"
		       "      - weight: 100\n        podAffinityTerm:\n"
		       "          topologyKey: kubernetes.io/hostname\n"
		       "          labelSelector: {matchLabels: {app: APP}}\n";
	case 3:
	case 13:
		return "  affinity:\n    nodeAffinity:\n"
		       "      requiredDuringSchedulingIgnoredDuringExecution:\n"
		       "        nodeSelectorTerms:\n        - matchExpressions:\n"
		       "          - {key: topology.kubernetes.io/zone, operator: In,"
		       " values: [zone-a, zone-b, zone-c]}\n";
	case 4:
		return "  affinity:\n    podAntiAffinity:\n"
		       "      requiredDuringSchedulingIgnoredDuringExecution:\n"
		       "      - topologyKey: kubernetes.io/hostname\n"
		       "        labelSelector: {matchLabels: {app: APP}}\n";
	default:
		return "";
	}
}

/* Replaces every "APP" in text by app; caller frees. */
static char *with_app(const char *text, const char *app)
{
	size_t cap = strlen(text) * 2 + 64, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = text; *p;) {
		if (!strncmp(p, "APP", 3)) {
			len += (size_t)snprintf(out + len, cap - len, "%s", app);
			p += 3;
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	return out;
}

/* One ReplicaSet (never reconciled here: it only makes its pods "owned",
 * as a Deployment's are) and the template pod of group g. */
static struct object *group_template(struct sched_bench *b, int g)
{
	char app[32];
	snprintf(app, sizeof(app), "app-%d", g);
	char *rs = xasprintf(
		"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: %s}\n"
		"spec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n"
		"  template:\n    metadata: {labels: {app: %s}}\n"
		"    spec: {containers: [{name: app, image: app:1}]}\n",
		app, GROUP_PODS, app, app);
	struct object *set = decode_text(rs);
	free(rs);
	create(b, object_ref(set));
	const struct object *stored = client_get(&b->client, KIND_REPLICASET, "default", app);
	char *requests = g % 20 == 5 ? xstrdup("{}") :
		xasprintf("{requests: {cpu: %dm, memory: %dMi}}", 100 + (g % 8) * 50, 64 << (g % 4));
	char *constraints = with_app(group_constraints(g), app);
	char *text = xasprintf(
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-template\n  labels: {app: %s}\n"
		"  ownerReferences:\n  - {apiVersion: apps/v1, kind: ReplicaSet, name: %s,"
		" uid: %s, controller: true}\n"
		"spec:\n  containers:\n  - {name: app, image: app:1, resources: %s}\n%s",
		app, app, app, stored->meta.uid, requests, constraints);
	struct object *pod = decode_text(text);
	free(text);
	free(constraints);
	free(requests);
	object_unref(set);
	return pod;
}

static void create_pods(struct sched_bench *b)
{
	for (int g = 0; g < b->groups; g++) {
		struct object *tmpl = group_template(b, g);
		for (int i = 0; i < GROUP_PODS; i++) {
			struct object *pod = object_copy(tmpl);
			free(pod->meta.name);
			pod->meta.name = xasprintf("app-%d-%d", g, i);
			create(b, pod);
		}
		object_unref(tmpl);
	}
}

static size_t count_bound(struct sched_bench *b)
{
	struct object_list pods = {0};
	store_list(b->store, KIND_POD, NULL, NULL, &pods);
	size_t bound = 0;
	for (size_t i = 0; i < pods.len; i++)
		bound += ((const struct pod *)pods.items[i])->spec.node_name != NULL;
	object_list_release(&pods);
	return bound;
}

/* Writes "pod node" per pod to PREFIX-PERCENTAGE.txt when KUBELAB_BENCH_DUMP
 * names a PREFIX. */
static void dump_decisions(struct sched_bench *b, int32_t percentage)
{
	const char *prefix = getenv("KUBELAB_BENCH_DUMP");
	if (!prefix || !*prefix)
		return;
	char *path = xasprintf("%s-%d.txt", prefix, (int)percentage);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		free(path);
		return;
	}
	struct object_list pods = {0};
	store_list(b->store, KIND_POD, NULL, NULL, &pods);
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = (const struct pod *)pods.items[i];
		fprintf(f, "%s %s\n", pod->obj.meta.name,
			pod->spec.node_name ? pod->spec.node_name : "<none>");
	}
	object_list_release(&pods);
	fclose(f);
	free(path);
}

/* One configuration, in this process: prints one line. */
static void run_config(int nodes, int groups, int32_t percentage)
{
	struct sched_bench b = {.nodes = nodes, .groups = groups};
	b.engine = engine_new();
	engine_run(b.engine, KTIME_SIM_EPOCH, 0);
	b.client.clock = engine_clock(b.engine);
	b.store = store_new(&b.client.clock, 1);
	b.client.store = b.store;
	b.client.component = "default-scheduler";
	b.client.record_events = false;
	create_nodes(&b);
	struct scheduler_options options = {
		.name = "default-scheduler",
		.seed = 1,
		.percentage_of_nodes_to_score = percentage,
	};
	const char *parallelism = getenv("KUBELAB_BENCH_PARALLELISM");
	if (parallelism && *parallelism)
		options.parallelism = atoi(parallelism);
	struct scheduler *s = scheduler_new(&b.client, &options);
	engine_run(b.engine, engine_now(b.engine) + KTIME_SECOND, 0);

	double t0 = now_seconds();
	create_pods(&b);
	double t1 = now_seconds(), c1 = cpu_seconds();
	uint64_t want = (uint64_t)groups * GROUP_PODS;
	for (int i = 0; i < 3600 && scheduler_scheduled(s) < want; i++)
		engine_run(b.engine, engine_now(b.engine) + KTIME_SECOND, 0);
	double t2 = now_seconds(), c2 = cpu_seconds();

	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	printf("sched: %d nodes, %llu pods, percentageOfNodesToScore %s, "
	       "parallelism %s (%d thread%s): %.0f pods/s (scheduling %.2f s, %.2f s of CPU: %.0f pods per CPU s; "
	       "creating %.2f s, %zu bound, %llu failed attempts); peak RSS %.0f MiB\n",
	       nodes, (unsigned long long)want,
	       percentage ? "100" : "adaptive",
	       parallelism && *parallelism ? parallelism : "unset", scheduler_threads(s),
	       scheduler_threads(s) == 1 ? "" : "s",
	       (double)scheduler_scheduled(s) / (t2 - t1), t2 - t1, c2 - c1,
	       (double)scheduler_scheduled(s) / (c2 - c1), t1 - t0,
	       count_bound(&b), (unsigned long long)scheduler_failed_attempts(s),
	       (double)usage.ru_maxrss / 1024.0);
	fflush(stdout);
	dump_decisions(&b, percentage);
	scheduler_free(s);
	store_free(b.store);
	engine_free(b.engine);
}

void bench_sched(void)
{
	const char *text = getenv("KUBELAB_BENCH_SCALE");
	int scale = text && atoi(text) > 1 ? atoi(text) : 1;
	const char *only = getenv("KUBELAB_BENCH_PERCENT");
	int32_t percentages[] = {0, 100};
	for (size_t i = 0; i < sizeof(percentages) / sizeof(percentages[0]); i++) {
		if (only && *only && atoi(only) != percentages[i])
			continue;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("bench_sched: fork");
			return;
		}
		if (pid == 0) {
			run_config(NODES_FULL / scale, GROUPS_FULL / scale, percentages[i]);
			_exit(0);
		}
		int wstatus;
		waitpid(pid, &wstatus, 0);
		if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
			fprintf(stderr, "bench_sched: configuration %zu failed\n", i);
	}
}
