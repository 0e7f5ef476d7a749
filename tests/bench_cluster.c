/* bench_cluster.c - load and run a generated 5,000-node, 150,000-pod scenario.
 *
 * The scenario is written as YAML (so the loader is measured too): 5,000
 * workers in five zones, 1,500 Deployments of 100 replicas with mixed CPU
 * and memory requests, run for five simulated minutes with the default
 * scheduler, controllers and one sim kubelet per node. Prints wall time,
 * simulated events, pods running at the end and peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "cluster.h"
#include "scenario.h"
#include "store.h"

void bench_cluster(void);

#define NODES_FULL 5000
#define DEPLOYMENTS_FULL 1500
#define REPLICAS 100

/* KUBELAB_BENCH_SCALE=10 runs a tenth of the cluster, for profiling. */
static int nodes_count = NODES_FULL, deployments_count = DEPLOYMENTS_FULL;

static void apply_scale(void)
{
	const char *text = getenv("KUBELAB_BENCH_SCALE");
	int scale = text ? atoi(text) : 1;
	if (scale > 1) {
		nodes_count = NODES_FULL / scale;
		deployments_count = DEPLOYMENTS_FULL / scale;
	}
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_scenario(FILE *out)
{
	fprintf(out,
		"apiVersion: kubelab/v1\nkind: Scenario\nmetadata: {name: bench-5k-150k}\n"
		"spec:\n  seed: 1\n  duration: 5m\n  settings: {recordEvents: false}\n"
		"  cluster:\n    nodePools:\n");
	for (int zone = 0; zone < 5; zone++)
		fprintf(out,
			"    - {name: zone%c, count: %d, capacity: {cpu: \"32\", memory: 128Gi, pods: 110},"
			" labels: {topology.kubernetes.io/zone: zone-%c}}\n",
			'a' + zone, nodes_count / 5, 'a' + zone);
	fprintf(out, "  images:\n    app:1: {pull: 2s, start: 1s, readyAfter: 1s}\n");
	for (int d = 0; d < deployments_count; d++) {
		int cpu = 100 + (d % 8) * 50, mem = 64 << (d % 4);
		fprintf(out,
			"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%d}\n"
			"spec:\n  replicas: %d\n  selector: {matchLabels: {app: app-%d}}\n"
			"  template:\n    metadata: {labels: {app: app-%d}}\n    spec:\n"
			"      containers:\n      - name: app\n        image: app:1\n"
			"        resources: {requests: {cpu: %dm, memory: %dMi}}\n",
			d, REPLICAS, d, d, cpu, mem);
	}
}

void bench_cluster(void)
{
	apply_scale();
	char path[] = "/tmp/kubelab-bench-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		perror("bench_cluster: mkstemps");
		return;
	}
	FILE *out = fdopen(fd, "w");
	write_scenario(out);
	fclose(out);

	double t0 = seconds();
	struct diag_list diags = {0};
	struct scenario *scenario = scenario_load(path, &diags);
	double t1 = seconds();
	if (!scenario) {
		diag_print(&diags, stderr);
		diag_release(&diags);
		unlink(path);
		return;
	}
	struct run_options options = {.record_events = false};
	struct cluster *cluster = cluster_new(scenario, &options);
	cluster_run(cluster);
	double t2 = seconds();

	struct object_list pods = {0};
	store_list(cluster_store(cluster), KIND_POD, NULL, NULL, &pods);
	size_t running = 0, bound = 0;
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = (const struct pod *)pods.items[i];
		bound += pod->spec.node_name != NULL;
		running += pod->status.phase && !strcmp(pod->status.phase, "Running");
	}
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	printf("cluster: %d nodes, %zu pods (%zu bound, %zu Running) in %.2f s "
	       "(load %.2f s, run %.2f s, %llu events); peak RSS %.0f MiB\n",
	       nodes_count, pods.len, bound, running, t2 - t0, t1 - t0, t2 - t1,
	       (unsigned long long)cluster_steps(cluster),
	       (double)usage.ru_maxrss / 1024.0);
	object_list_release(&pods);
	cluster_free(cluster);
	scenario_free(scenario);
	diag_release(&diags);
	unlink(path);
}
