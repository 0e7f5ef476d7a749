/* ctrl_hpa.h - the horizontal-pod-autoscaler controller and its two
 * calculators, exposed for tests.
 *
 * K8S: pkg/controller/podautoscaler: horizontal.go (the controller and
 * its normalisation: stabilisation windows, scaling policies),
 * replica_calculator.go (from metrics to a replica count).
 *
 * ctrl_hpa.c is the controller; ctrl_hpa_replicas.c the replica
 * calculator (hpa_calc_*); ctrl_hpa_scale.c the normalisation of a
 * recommendation (hpa_normalize_*). The calculators are pure functions
 * of their arguments (and of the history they are given), so tests can
 * run upstream's table cases against them directly.
 */
#ifndef KUBELAB_CTRL_HPA_H
#define KUBELAB_CTRL_HPA_H

#include "api.h"
#include "controller.h"
#include "metrics.h"

extern const struct controller_ops horizontal_pod_autoscaler_controller;

/* kube-controller-manager v1.34 defaults (K8S: pkg/controller/
 * podautoscaler/config/v1alpha1/defaults.go). */
#define HPA_SYNC_PERIOD			(15 * KTIME_SECOND)
#define HPA_TOLERANCE			0.1
#define HPA_DOWNSCALE_STABILIZATION	(5 * KTIME_MINUTE)
#define HPA_CPU_INITIALIZATION_PERIOD	(5 * KTIME_MINUTE)
#define HPA_INITIAL_READINESS_DELAY	(30 * KTIME_SECOND)

/* ---- the replica calculator (ctrl_hpa_replicas.c) ----------------------- */

struct hpa_calc {
	double tolerance;
	ktime_t cpu_initialization_period;
	ktime_t initial_readiness_delay;
	ktime_t now;
};

/* A pod the target's selector matches, with its sample if it has one. */
struct hpa_pod_metric {
	const struct pod *pod;
	bool found;
	struct metric_sample sample;
};

/* What a calculation proposes. */
struct hpa_proposal {
	int32_t replicas;
	int32_t utilization;		/* percent of request (Utilization) */
	int64_t raw;			/* average milli-value per pod */
	ktime_t timestamp;
};

/* K8S: ReplicaCalculator.GetResourceReplicas: the count that brings the
 * pods' usage, as a percentage of their requests, to target_utilization.
 * pods[] are the pods the selector matches. Returns 0, or -1 with *why
 * set (the caller frees) worded as upstream's error. */
int hpa_calc_resource_utilization(const struct hpa_calc *calc, int32_t current,
				  int32_t target_utilization, const char *resource,
				  struct hpa_pod_metric *pods, size_t len,
				  struct hpa_proposal *out, char **why);
/* K8S: GetRawResourceReplicas and GetMetricReplicas (calcPlainMetricReplicas):
 * the count that brings the average per-pod value to target_milli.
 * resource is the resource name, or NULL for a custom metric (only cpu
 * samples of pods that are starting are set aside). Returns as above. */
int hpa_calc_average_value(const struct hpa_calc *calc, int32_t current,
			   int64_t target_milli, const char *resource,
			   struct hpa_pod_metric *pods, size_t len,
			   struct hpa_proposal *out, char **why);

/* ---- normalisation (ctrl_hpa_scale.c) ----------------------------------- */

struct hpa_recommendation {
	int32_t replicas;
	ktime_t at;
};

struct hpa_scale_event {
	int32_t change;			/* pods added (up) or removed (down) */
	ktime_t at;
	bool outdated;
};

/* What the controller remembers of one HPA between syncs (upstream's
 * recommendations, scaleUpEvents and scaleDownEvents maps). */
struct hpa_history {
	LIST_OF(struct hpa_recommendation) recommendations;
	LIST_OF(struct hpa_scale_event) up, down;
};

void hpa_history_release(struct hpa_history *history);
/* K8S: recordInitialRecommendation: the first sync remembers the current
 * size, so a fresh HPA does not scale down before the window passed. */
void hpa_history_init(struct hpa_history *history, int32_t current, ktime_t now);

/* The bounds of one normalisation and what the conditions should say. */
struct hpa_normalized {
	int32_t replicas;
	const char *able_reason, *able_message;		/* AbleToScale True */
	bool limited;					/* ScalingLimited status */
	const char *limited_reason, *limited_message;
};

/* K8S: normalizeDesiredReplicas (no spec.behavior): the highest
 * recommendation of the last window, then min/max and the legacy scale-up
 * limit max(2 x current, 4). */
void hpa_normalize_legacy(struct hpa_history *history, ktime_t now, ktime_t window,
			  int32_t current, int32_t desired, int32_t min, int32_t max,
			  struct hpa_normalized *out);
/* K8S: normalizeDesiredReplicasWithBehaviors: stabilisation by both
 * windows, then the scaling policies' rate limits and min/max. behavior
 * must be defaulted, with the scale-down window set. */
void hpa_normalize_behavior(struct hpa_history *history, ktime_t now,
			    const struct hpa_behavior *behavior, int32_t current,
			    int32_t desired, int32_t min, int32_t max,
			    struct hpa_normalized *out);
/* K8S: storeScaleEvent: remembers a rescale for the policies' periods
 * (only with a behavior). */
void hpa_record_scale(struct hpa_history *history, const struct hpa_behavior *behavior,
		      ktime_t now, int32_t previous, int32_t next);

#endif
