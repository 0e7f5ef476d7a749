/* ctrl_job.h - the Job controller's row and the small rules it is built on.
 *
 * K8S: pkg/controller/job (job_controller.go, backoff_utils.go,
 * indexed_job_utils.go). The controller itself is ctrl_job.c; the pure
 * rules below (ctrl_job_util.c) are exported so that tests and labs can
 * call them directly: the pod-failure back-off, when a pod finished, and
 * the "0-3,5" form of a set of completion indexes, a Job's pod.
 *
 * Ownership: arguments are borrowed; functions that return strings or
 * arrays say who frees them.
 */
#ifndef KUBELAB_CTRL_JOB_H
#define KUBELAB_CTRL_JOB_H

#include <stdbool.h>

#include "api.h"
#include "controller.h"

/* The row for controller.c (name "job-controller"). */
extern const struct controller_ops job_controller;

/* Labels and annotations the controller puts on its pods. K8S:
 * batch/v1 types.go (JobNameLabel, ControllerUidLabel, the legacy
 * unprefixed pair, JobCompletionIndexAnnotation). */
#define JOB_LABEL_CONTROLLER_UID	"batch.kubernetes.io/controller-uid"
#define JOB_LABEL_JOB_NAME		"batch.kubernetes.io/job-name"
#define JOB_LABEL_LEGACY_CONTROLLER_UID	"controller-uid"
#define JOB_LABEL_LEGACY_JOB_NAME	"job-name"
#define JOB_COMPLETION_INDEX		"batch.kubernetes.io/job-completion-index"
#define JOB_COMPLETION_INDEX_ENV	"JOB_COMPLETION_INDEX"

/* K8S: DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
#define JOB_POD_FAILURE_BACKOFF		(10 * KTIME_SECOND)
#define JOB_POD_FAILURE_BACKOFF_MAX	(6 * KTIME_MINUTE)

/* K8S: getRemainingTimeForFailuresCount. After `failures` pod failures
 * in a row (none since the last success), the next pod may be created
 * 10s, 20s, 40s ... (at most 6 min) after the last failure. Returns how
 * long is left from now (0: create now). */
ktime_t job_backoff_remaining(int32_t failures, ktime_t last_failure, ktime_t now);

/* K8S: getFinishedTime: when a finished pod finished. The latest
 * container finishedAt when every container has one; else when Ready
 * turned False; else its deletion time minus its grace period; else its
 * creation time. */
ktime_t job_pod_finish_time(const struct pod *pod);

/* K8S: getCompletionIndex: the pod's completion index annotation as a
 * number, or -1 when it is missing or not a non-negative integer. */
int32_t job_pod_completion_index(const struct pod *pod);

/* Completion index sets as status.completedIndexes writes them: sorted
 * intervals "0-3,5,7-8" (K8S: orderedIntervals.String).
 * job_indexes_parse marks in set[0..len) every index text names (indexes
 * >= len and malformed parts are skipped, as upstream's parser logs and
 * skips them); text may be NULL. job_indexes_format returns the text of
 * set (caller frees), or NULL when no index is set, as the API omits the
 * empty string. */
void job_indexes_parse(const char *text, bool *set, int32_t len);
char *job_indexes_format(const bool *set, int32_t len);

/* K8S: ctrl_pod_from_template plus what a Job's pods carry: the labels
 * the API server adds to a Job's template (controller-uid and job-name,
 * prefixed and legacy), and for index >= 0 (Indexed Jobs) the completion
 * index annotation and label, hostname NAME-INDEX, generateName
 * "NAME-INDEX-" and $JOB_COMPLETION_INDEX in every container. Returns a
 * new pod the caller hands to client_create or drops. */
struct pod *job_pod_from_template(const struct job *job, int32_t index);

#endif
