/* release.h - the Kubernetes release kubelab models, and its defaults.
 *
 * kubelab models Kubernetes v1.34. Every default and timing below is that
 * release's, with the upstream flag or constant named so a student can
 * look it up. Where kubelab deviates, docs/fidelity.md says so.
 */
#ifndef KUBELAB_RELEASE_H
#define KUBELAB_RELEASE_H

#include "clock.h"

#define KUBERNETES_VERSION "v1.34.0"
#define KUBELAB_VERSION "0.1.0"

/* kube-controller-manager, node lifecycle controller */
#define NODE_MONITOR_PERIOD (5 * KTIME_SECOND)		/* --node-monitor-period */
#define NODE_MONITOR_GRACE_PERIOD (50 * KTIME_SECOND)	/* --node-monitor-grace-period (40s before v1.32) */
#define NODE_STARTUP_GRACE_PERIOD (60 * KTIME_SECOND)	/* --node-startup-grace-period */

/* kube-controller-manager, pod garbage collector */
#define DEFAULT_TERMINATED_POD_GC_THRESHOLD 12500	/* --terminated-pod-gc-threshold */

/* kubelet */
#define NODE_LEASE_DURATION_SECONDS 40			/* nodeLeaseDurationSeconds */
#define NODE_LEASE_RENEW_INTERVAL (10 * KTIME_SECOND)	/* 0.25 x lease duration */
#define NODE_STATUS_UPDATE_FREQUENCY (10 * KTIME_SECOND)	/* nodeStatusUpdateFrequency */
#define NODE_STATUS_REPORT_FREQUENCY (5 * KTIME_MINUTE)	/* nodeStatusReportFrequency */
#define CRASH_LOOP_BACKOFF_INITIAL (10 * KTIME_SECOND)	/* pkg/kubelet: initial container backoff */
#define CRASH_LOOP_BACKOFF_MAX (300 * KTIME_SECOND)	/* MaxContainerBackOff */
#define CRASH_LOOP_BACKOFF_RESET (10 * KTIME_MINUTE)	/* backoff reset after 2 x max of running */
#define IMAGE_PULL_BACKOFF_INITIAL (10 * KTIME_SECOND)
#define IMAGE_PULL_BACKOFF_MAX (300 * KTIME_SECOND)

/* admission: DefaultTolerationSeconds */
#define DEFAULT_NOT_READY_TOLERATION_SECONDS 300
#define DEFAULT_UNREACHABLE_TOLERATION_SECONDS 300

/* kube-scheduler */
#define DEFAULT_SCHEDULER_NAME "default-scheduler"
#define POD_INITIAL_BACKOFF (1 * KTIME_SECOND)		/* podInitialBackoffSeconds */
#define POD_MAX_BACKOFF (10 * KTIME_SECOND)		/* podMaxBackoffSeconds */
#define POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION (5 * KTIME_MINUTE)
#define MIN_FEASIBLE_NODES_TO_FIND 100			/* minFeasibleNodesToFind */
#define MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND 5

#endif
