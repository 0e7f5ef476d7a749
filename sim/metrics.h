/* metrics.h - the metrics APIs as the HorizontalPodAutoscaler reads them.
 *
 * K8S: the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics, served
 * by metrics-server from the kubelets' cAdvisor/CRI stats) and the custom
 * metrics API (custom.metrics.k8s.io, served by an adapter such as
 * prometheus-adapter). The HPA controller reaches them through
 * pkg/controller/podautoscaler/metrics (MetricsClient); kubelab reaches
 * them through this seam, one more table of function pointers beside the
 * client.
 *
 * Backends: the sim one (metrics_sim.c) computes usage from the
 * scenario's traffic model (spec.traffic) and each image's cost; a real
 * backend can read cgroup usage (cpu.stat usage_usec, memory.current)
 * behind the same two calls.
 *
 * Units are upstream's MilliValue: millicores for cpu, thousandths of a
 * byte for memory, thousandths of the unit for a custom metric (a value of
 * 2500 is "2500m", 2.5 requests per second).
 *
 * Invariants: a sample describes the window [timestamp - window,
 * timestamp]; a pod without a sample (not running long enough to have
 * been scraped twice, or unknown to the backend) gets false, never zero.
 */
#ifndef KUBELAB_METRICS_H
#define KUBELAB_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

struct pod;

/* K8S: metricsclient.PodMetric (Value, Timestamp, Window). */
struct metric_sample {
	int64_t milli_value;
	ktime_t timestamp;		/* end of the window it averages */
	ktime_t window;
};

struct metrics_source {
	/* K8S: PodMetrics of metrics.k8s.io, summed over the pod's
	 * containers: resource is "cpu" or "memory". True with *out filled
	 * when the pod has a sample, as of now. */
	bool (*pod_resource)(void *arg, const struct pod *pod, const char *resource,
			     struct metric_sample *out);
	/* K8S: custom.metrics.k8s.io pods/<metric>: a named per-pod metric. */
	bool (*pod_custom)(void *arg, const struct pod *pod, const char *metric,
			   struct metric_sample *out);
	void *arg;
};

#endif
