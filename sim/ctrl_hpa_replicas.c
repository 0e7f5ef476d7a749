/* ctrl_hpa_replicas.c - the HPA's replica calculator: from per-pod
 * metrics to a replica count.
 *
 * K8S: pkg/controller/podautoscaler/replica_calculator.go
 * (GetResourceReplicas, calcPlainMetricReplicas, groupPods,
 * calculatePodRequests) and metrics/utilization.go.
 *
 * The rule is desired = ceil(current * usage / target), but only over the
 * pods whose numbers can be trusted, and carefully around the others:
 *   - pods being deleted or Failed are ignored altogether;
 *   - Pending pods, and (for cpu) pods that are starting up, are "unready":
 *     set aside; if the result is a scale-up they count as using 0, which
 *     damps the scale-up (they will soon take load of their own);
 *   - running pods without a sample are "missing": they count as using
 *     100% of the target on a scale-down and 0% on a scale-up, so a
 *     missing sample can only make the HPA more cautious;
 *   - a usage ratio within the tolerance (0.1) of 1 changes nothing, and
 *     neither does a correction that would flip the direction.
 * A cpu sample is "starting up" when the pod started less than
 * cpuInitializationPeriod (5m) ago and is not Ready, or its sample was
 * taken less than one metrics window after it became Ready; after the
 * period, only a pod that has never been Ready (its Ready condition False
 * since within initialReadinessDelay of its start) is set aside.
 *
 * Interface: hpa_calc_* in ctrl_hpa.h. Pure functions of their inputs.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_hpa.h"
#include "ctrl_util.h"
#include "xmalloc.h"

enum pod_group { GROUP_READY, GROUP_UNREADY, GROUP_MISSING, GROUP_IGNORED };

/* One pod's part in a calculation: which group, and its entry in the
 * metrics map (upstream's PodMetricsInfo) if it has one. */
struct entry {
	enum pod_group group;
	bool counted;			/* in the metrics map */
	int64_t value;
	int64_t request;
};

static bool is_phase(const struct pod *pod, const char *phase)
{
	return pod->status.phase && !strcmp(pod->status.phase, phase);
}

/* K8S: groupPods. */
static enum pod_group group_pod(const struct hpa_calc *calc, const struct hpa_pod_metric *m,
				const char *resource)
{
	const struct pod *pod = m->pod;
	if (object_is_deleting(&pod->obj) || is_phase(pod, POD_PHASE_FAILED))
		return GROUP_IGNORED;
	if (is_phase(pod, POD_PHASE_PENDING))
		return GROUP_UNREADY;
	if (!m->found)
		return GROUP_MISSING;
	if (!resource || strcmp(resource, "cpu"))
		return GROUP_READY;
	/* LAB: hpa-cpu-startup. CPU is high while a process starts (JIT,
	 * caches): do not let a start-up burst drive a scale-up. */
	const struct condition *ready = ctrl_pod_condition(pod, "Ready");
	ktime_t start = pod->status.start_time;
	bool unready;
	if (!ready || !start) {
		unready = true;
	} else if (start + calc->cpu_initialization_period > calc->now) {
		unready = !strcmp(ready->status, "False") ||
			  m->sample.timestamp < ready->last_transition_time + m->sample.window;
	} else {
		unready = !strcmp(ready->status, "False") &&
			  start + calc->initial_readiness_delay > ready->last_transition_time;
	}
	return unready ? GROUP_UNREADY : GROUP_READY;
}

/* K8S: calculatePodRequests: the sum of the containers' requests. */
static int pod_request(const struct pod *pod, const char *resource, int64_t *out, char **why)
{
	int64_t sum = 0;
	for (size_t i = 0; i < pod->spec.containers.len; i++) {
		const struct container *c = &pod->spec.containers.items[i];
		const struct quantity *q = resource_list_get(&c->resources.requests, resource);
		if (!q) {
			*why = xasprintf("missing request for %s in container %s of Pod %s",
					 resource, c->name, pod->obj.meta.name);
			return -1;
		}
		sum += quantity_milli_value(q);
	}
	*out = sum;
	return 0;
}

/* Groups the pods and fills the metrics map. Returns the ready count, or
 * -1 with *why. */
static int group_all(const struct hpa_calc *calc, const struct hpa_pod_metric *pods,
		     size_t len, const char *resource, bool requests, struct entry *entries,
		     bool *unready, bool *missing, char **why)
{
	int ready = 0;
	*unready = *missing = false;
	for (size_t i = 0; i < len; i++) {
		struct entry *e = &entries[i];
		e->group = group_pod(calc, &pods[i], resource);
		e->counted = e->group == GROUP_READY;
		e->value = pods[i].sample.milli_value;
		ready += e->group == GROUP_READY;
		*unready |= e->group == GROUP_UNREADY;
		*missing |= e->group == GROUP_MISSING;
	}
	for (size_t i = 0; requests && i < len; i++)
		if (pod_request(pods[i].pod, resource, &entries[i].request, why))
			return -1;
	size_t counted = 0;
	for (size_t i = 0; i < len; i++)
		counted += entries[i].counted;
	if (!counted) {
		*why = xstrdup("did not receive metrics for targeted pods (pods might be unready)");
		return -1;
	}
	return ready;
}

/* a + b, saturating: usages are at most 10^15 (metrics_sim.c) and pods
 * many, so a sum stays far from the limit unless a scenario asks for
 * absurd loads; then it pins rather than wraps (undefined in C). */
static int64_t add_saturating(int64_t a, int64_t b)
{
	int64_t sum;
	return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

/* K8S: metricsclient.GetResourceUtilizationRatio. */
static int utilization_ratio(const struct entry *entries, size_t len, int32_t target,
			     double *ratio, int32_t *utilization, int64_t *raw, char **why)
{
	int64_t total = 0, requests = 0, n = 0;
	for (size_t i = 0; i < len; i++) {
		if (!entries[i].counted)
			continue;
		total = add_saturating(total, entries[i].value);
		requests = add_saturating(requests, entries[i].request);
		n++;
	}
	if (requests == 0) {
		*why = xstrdup("no metrics returned matched known pods");
		return -1;
	}
	/* Upstream's int32(total * 100 / requests) wraps past 2^31 %; the
	 * percentage saturates here instead, so that a huge load still
	 * reads as above the target. */
	double percent = (double)total * 100 / (double)requests;
	*utilization = percent >= INT32_MAX ? INT32_MAX : (int32_t)percent;
	*ratio = (double)*utilization / (double)target;
	*raw = total / n;
	return 0;
}

/* K8S: metricsclient.GetMetricUsageRatio. */
static double usage_ratio(const struct entry *entries, size_t len, int64_t target,
			  int64_t *usage)
{
	int64_t total = 0, n = 0;
	for (size_t i = 0; i < len; i++) {
		if (entries[i].counted) {
			total = add_saturating(total, entries[i].value);
			n++;
		}
	}
	*usage = total / n;
	return (double)*usage / (double)target;
}

static bool within_tolerance(const struct hpa_calc *calc, double ratio)
{
	return fabs(1.0 - ratio) <= calc->tolerance;
}

static size_t counted_len(const struct entry *entries, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += entries[i].counted;
	return n;
}

/* The second pass both calculations share: fill in missing and unready
 * pods pessimistically, then recompute. ratio_of recomputes the ratio. */
struct second_pass {
	bool utilization;		/* percent of request, else average value */
	int32_t target_percent;
	int64_t target_milli;
};

static double recompute(const struct second_pass *how, const struct entry *e, size_t len)
{
	if (how->utilization) {
		double ratio;
		int32_t utilization;
		int64_t raw;
		char *why = NULL;
		/* Requests are non-zero here: the first pass succeeded. */
		BUG_ON(utilization_ratio(e, len, how->target_percent, &ratio, &utilization,
					 &raw, &why));
		return ratio;
	}
	int64_t usage;
	return usage_ratio(e, len, how->target_milli, &usage);
}

/* ceil(x) as a replica count. Ratios of absurd loads (or a custom metric
 * with a target of 1m) reach past int32, where C's conversion is
 * undefined (x86 gives INT32_MIN: a negative proposal, read as an error
 * with no message); they saturate instead, and the HPA's maxReplicas
 * clamps them as upstream does. */
static int32_t replicas_ceil(double x)
{
	double c = ceil(x);
	if (!(c < (double)INT32_MAX))	/* NaN too */
		return INT32_MAX;
	return c > 0 ? (int32_t)c : 0;
}

static int32_t rebalance(const struct hpa_calc *calc, const struct second_pass *how,
			 struct entry *e, size_t len, int32_t current, int ready,
			 bool unready, bool missing, double ratio)
{
	bool scale_up_with_unready = unready && ratio > 1.0;
	if (!scale_up_with_unready && !missing) {
		if (within_tolerance(calc, ratio))
			return current;
		return replicas_ceil(ratio * ready);
	}
	for (size_t i = 0; i < len; i++) {
		if (e[i].group == GROUP_MISSING) {
			/* LAB: hpa-missing-metrics. Assume the worst for the
			 * direction we are going. */
			if (ratio < 1.0) {
				e[i].counted = true;
				e[i].value = how->utilization ? e[i].request : how->target_milli;
			} else if (ratio > 1.0 || !how->utilization) {
				e[i].counted = true;
				e[i].value = 0;
			}
		} else if (e[i].group == GROUP_UNREADY && scale_up_with_unready) {
			e[i].counted = true;
			e[i].value = 0;
		}
	}
	double new_ratio = recompute(how, e, len);
	if (within_tolerance(calc, new_ratio) || (ratio < 1.0 && new_ratio > 1.0) ||
	    (ratio > 1.0 && new_ratio < 1.0))
		return current;
	int32_t replicas = replicas_ceil(new_ratio * (double)counted_len(e, len));
	if ((new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current))
		return current;
	return replicas;
}

static ktime_t first_timestamp(const struct hpa_pod_metric *pods, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (pods[i].found)
			return pods[i].sample.timestamp;
	return 0;
}

int hpa_calc_resource_utilization(const struct hpa_calc *calc, int32_t current,
				  int32_t target_utilization, const char *resource,
				  struct hpa_pod_metric *pods, size_t len,
				  struct hpa_proposal *out, char **why)
{
	struct entry *e = xcalloc(len, sizeof(*e));
	bool unready, missing;
	double ratio;
	int rc = -1;
	int ready = group_all(calc, pods, len, resource, true, e, &unready, &missing, why);
	if (ready < 0)
		goto out;
	if (utilization_ratio(e, len, target_utilization, &ratio, &out->utilization,
			      &out->raw, why))
		goto out;
	struct second_pass how = { .utilization = true, .target_percent = target_utilization };
	out->replicas = rebalance(calc, &how, e, len, current, ready, unready, missing, ratio);
	out->timestamp = first_timestamp(pods, len);
	rc = 0;
out:
	free(e);
	return rc;
}

int hpa_calc_average_value(const struct hpa_calc *calc, int32_t current,
			   int64_t target_milli, const char *resource,
			   struct hpa_pod_metric *pods, size_t len,
			   struct hpa_proposal *out, char **why)
{
	struct entry *e = xcalloc(len, sizeof(*e));
	bool unready, missing;
	int rc = -1;
	int ready = group_all(calc, pods, len, resource, false, e, &unready, &missing, why);
	if (ready < 0)
		goto out;
	double ratio = usage_ratio(e, len, target_milli, &out->raw);
	out->utilization = 0;
	struct second_pass how = { .utilization = false, .target_milli = target_milli };
	out->replicas = rebalance(calc, &how, e, len, current, ready, unready, missing, ratio);
	out->timestamp = first_timestamp(pods, len);
	rc = 0;
out:
	free(e);
	return rc;
}
