/* ctrl_cronjob.h - the CronJob controller's row and the annotation it
 * writes on its Jobs.
 *
 * K8S: pkg/controller/cronjob (cronjob_controllerv2.go, utils.go). The
 * controller is ctrl_cronjob.c; the schedule parser it uses is
 * ctrl_cron_schedule.h.
 */
#ifndef KUBELAB_CTRL_CRONJOB_H
#define KUBELAB_CTRL_CRONJOB_H

#include "controller.h"

/* The row for controller.c (name "cronjob-controller"). */
extern const struct controller_ops cronjob_controller;

/* K8S: batchv1.CronJobScheduledTimestampAnnotation: the time a Job was
 * scheduled for, RFC 3339 ("2026-01-01T00:01:00Z"). */
#define CRONJOB_SCHEDULED_TIMESTAMP "batch.kubernetes.io/cronjob-scheduled-timestamp"

#endif
