/* metrics_sim.c - pod metrics from the scenario's traffic model.
 *
 * K8S: stands in for metrics-server (metrics.k8s.io PodMetrics) and a
 * custom metrics adapter (custom.metrics.k8s.io); see metrics.h.
 *
 * The model, at one scrape time ts (a multiple of the 15 s resolution):
 *   - a traffic profile (spec.traffic) offers rps(ts) requests per second
 *     to its target (a workload or a Service); a Service sends them only
 *     to Ready endpoints, so they are spread evenly over the target's
 *     Ready pods and a pod that is not Ready serves none;
 *   - each container uses its image's base cpu and memory plus cpuPerRps
 *     and memoryPerRps for every request per second its pod serves;
 *   - the custom metric named by the profile (default
 *     http_requests_per_second) is the pod's share of requests;
 *   - like metrics-server, which needs two scrapes of a container's
 *     cumulative CPU counter to compute a rate, a pod has samples only
 *     once it has run for a whole window before ts; a sample's window is
 *     the resolution and its timestamp ts.
 * Simplification: the sample is computed when asked, from the pods as
 * they are then (a pod that became Ready since ts already shares the
 * load), instead of being stored at ts. A sample is the rate at ts, not
 * the average over the window.
 *
 * Cost: one store list of the target's pods per profile per scrape (the
 * Ready count is cached per resourceVersion), then O(containers) per pod.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "metrics_sim.h"
#include "selector.h"
#include "xmalloc.h"

struct ready_cache {
	int64_t resource_version;	/* of the store when counted; 0 = none */
	ktime_t ts;
	size_t ready;
};

struct metrics_sim {
	const struct store *store;
	struct clock clock;
	const struct scenario *scenario;
	ktime_t start;
	struct metrics_source source;
	struct ready_cache *cache;	/* one per traffic profile */
};

/* A usage in milli-units, rounded, saturating at 10^15 (a petabyte of
 * memory, 10^12 cores: no node comes near). llround of a value past
 * int64 gives an unspecified number (negative on x86, which read as 0%
 * CPU), and the HPA sums and scales these by 100 in int64. */
#define MILLI_MAX 1e15

static int64_t milli_of(double milli)
{
	if (!(milli < MILLI_MAX))	/* NaN too */
		return (int64_t)MILLI_MAX;
	return milli > 0 ? (int64_t)llround(milli) : 0;
}

static bool pod_is_ready(const struct pod *pod)
{
	for (size_t i = 0; i < pod->status.conditions.len; i++) {
		const struct condition *c = &pod->status.conditions.items[i];
		if (!strcmp(c->type, "Ready"))
			return c->status && !strcmp(c->status, "True");
	}
	return false;
}

/* The pods the profile's target selects; false if the target is gone. */
static bool target_selector(const struct metrics_sim *sim, const struct traffic_profile *p,
			    struct selector *out)
{
	const struct object *obj = store_get(sim->store, p->kind, p->namespace, p->name);
	if (!obj)
		return false;
	const struct label_selector *ls = NULL;
	switch (p->kind) {
	case KIND_DEPLOYMENT: ls = &((const struct deployment *)obj)->spec.selector; break;
	case KIND_REPLICASET: ls = &((const struct replica_set *)obj)->spec.selector; break;
	case KIND_STATEFULSET: ls = &((const struct stateful_set *)obj)->spec.selector; break;
	case KIND_SERVICE: {
		const struct strmap *labels = &((const struct service *)obj)->spec.selector;
		if (!labels->len)
			return false;	/* no selector: no endpoints we manage */
		return selector_from_parts(labels, NULL, 0, out, NULL) == 0;
	}
	default:
		return false;
	}
	return label_selector_compile(ls, out, NULL) == 0;
}

/* Requests per second one Ready pod of the profile serves at ts, or -1
 * when the profile does not reach the pod. */
static double share(struct metrics_sim *sim, size_t index, const struct pod *pod, ktime_t ts)
{
	const struct traffic_profile *p = &sim->scenario->traffic.items[index];
	if (strcmp(p->namespace, pod->obj.meta.namespace))
		return -1;
	struct selector sel;
	if (!target_selector(sim, p, &sel))
		return -1;
	bool reached = selector_matches(&sel, &pod->obj.meta.labels);
	struct ready_cache *cache = &sim->cache[index];
	int64_t rv = store_resource_version(sim->store);
	if (reached && (cache->resource_version != rv || cache->ts != ts)) {
		struct object_list pods = { 0 };
		store_list(sim->store, KIND_POD, p->namespace, &sel, &pods);
		size_t ready = 0;
		for (size_t i = 0; i < pods.len; i++) {
			const struct pod *other = (const void *)pods.items[i];
			ready += !object_is_deleting(&other->obj) && pod_is_ready(other);
		}
		object_list_release(&pods);
		*cache = (struct ready_cache){ rv, ts, ready };
	}
	selector_release(&sel);
	if (!reached)
		return -1;
	if (!pod_is_ready(pod) || !cache->ready)
		return 0;
	return traffic_rps_at(p, ts - sim->start) / (double)cache->ready;
}

/* The scrape the pod's sample comes from; false if it has none yet. */
static bool scrape(const struct metrics_sim *sim, const struct pod *pod,
		   struct metric_sample *out)
{
	if (object_is_deleting(&pod->obj) || !pod->status.phase ||
	    strcmp(pod->status.phase, POD_PHASE_RUNNING) || !pod->status.start_time)
		return false;
	ktime_t now = clock_now(&sim->clock);
	ktime_t ts = now - now % METRICS_RESOLUTION;
	if (pod->status.start_time + METRICS_RESOLUTION > ts)
		return false;	/* not two scrapes yet */
	*out = (struct metric_sample){ .timestamp = ts, .window = METRICS_RESOLUTION };
	return true;
}

static bool pod_resource(void *arg, const struct pod *pod, const char *resource,
			 struct metric_sample *out)
{
	struct metrics_sim *sim = arg;
	bool cpu = !strcmp(resource, "cpu");
	if ((!cpu && strcmp(resource, "memory")) || !scrape(sim, pod, out))
		return false;
	double rps = 0;
	for (size_t i = 0; i < sim->scenario->traffic.len; i++) {
		double r = share(sim, i, pod, out->timestamp);
		if (r > 0)
			rps += r;
	}
	double milli = 0;
	for (size_t i = 0; i < pod->spec.containers.len; i++) {
		struct image_behavior scratch = { 0 };
		const struct image_behavior *image =
			scenario_image(sim->scenario, pod->spec.containers.items[i].image, &scratch);
		if (cpu)
			milli += (double)quantity_milli_value(&image->cpu) +
				 rps * (double)quantity_milli_value(&image->cpu_per_rps);
		else
			milli += (double)quantity_milli_value(&image->memory) +
				 rps * (double)quantity_milli_value(&image->memory_per_rps);
		if (image == &scratch)
			image_behavior_release(&scratch);
	}
	out->milli_value = milli_of(milli);
	return true;
}

static bool pod_custom(void *arg, const struct pod *pod, const char *metric,
		       struct metric_sample *out)
{
	struct metrics_sim *sim = arg;
	if (!scrape(sim, pod, out))
		return false;
	bool known = false;
	double rps = 0;
	for (size_t i = 0; i < sim->scenario->traffic.len; i++) {
		if (strcmp(sim->scenario->traffic.items[i].metric, metric))
			continue;
		double r = share(sim, i, pod, out->timestamp);
		if (r >= 0) {
			known = true;
			rps += r;
		}
	}
	out->milli_value = milli_of(rps * 1000);
	return known;
}

struct metrics_sim *metrics_sim_new(const struct store *store, const struct clock *clock,
				    const struct scenario *scenario, ktime_t start)
{
	struct metrics_sim *sim = xcalloc(1, sizeof(*sim));
	sim->store = store;
	sim->clock = *clock;
	sim->scenario = scenario;
	sim->start = start;
	sim->cache = xcalloc(scenario->traffic.len + 1, sizeof(*sim->cache));
	sim->source = (struct metrics_source){ pod_resource, pod_custom, sim };
	return sim;
}

const struct metrics_source *metrics_sim_source(const struct metrics_sim *sim)
{
	return &sim->source;
}

void metrics_sim_free(struct metrics_sim *sim)
{
	if (!sim)
		return;
	free(sim->cache);
	free(sim);
}
