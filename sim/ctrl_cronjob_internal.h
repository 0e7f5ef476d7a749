/* ctrl_cronjob_internal.h - declarations shared by the files of the CronJob
 * controller.
 *
 * Internal to ctrl_cronjob.c (events, the sync, lifecycle),
 * ctrl_cronjob_times.c (when runs are due) and ctrl_cronjob_jobs.c (the
 * active list, creating and deleting Jobs); nothing else includes it. The
 * public interface is ctrl_cronjob.h.
 */
#ifndef KUBELAB_CTRL_CRONJOB_INTERNAL_H
#define KUBELAB_CTRL_CRONJOB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "api.h"
#include "ctrl_cronjob.h"
#include "ctrl_cron_schedule.h"
#include "ctrl_informer.h"
#include "workqueue.h"

struct cj_controller {
	const struct client *client;
	struct informer *cron_jobs;
	struct informer *jobs;		/* index: controller uid */
	struct workqueue *queue;
};

/* What one sync works on. */
struct cj_sync {
	struct cj_controller *c;
	const struct cron_job *cj;	/* spec and metadata (borrowed) */
	struct object *base;		/* the version the status write is based on */
	struct cron_job_status status;	/* the status being computed */
	ktime_t now;
	ktime_t requeue;		/* -1: do not requeue */
};

static inline const struct cron_job *as_cj(const struct object *obj)
{
	return object_as(obj, KIND_CRONJOB, const struct cron_job);
}

static inline const struct job *as_job(const struct object *obj)
{
	return object_as(obj, KIND_JOB, const struct job);
}

static inline bool str_equal(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* ---- when runs are due (ctrl_cronjob_times.c) ---- */

/* How far behind a CronJob is: no scheduled time missed, a few, or more
 * than TOO_MANY_MISSED (an Event says so). */
enum missed { NONE_MISSED, FEW_MISSED, MANY_MISSED };

/* K8S: mostRecentScheduleTime. *most_recent is the latest scheduled time
 * <= now (0 when there is none), *earliest where the search began; with
 * include_deadline the search starts no earlier than now -
 * startingDeadlineSeconds. Returns 0, or -1 with *why for a schedule that
 * never fires. */
int cronjob_most_recent_schedule_time(const struct cron_job_status *status,
			      const struct cron_job *cj, ktime_t now,
			      const struct cron_schedule *schedule, bool include_deadline,
			      ktime_t *earliest, ktime_t *most_recent,
			      enum missed *missed, const char **why);
/* K8S: nextScheduleTimeDuration: how long from now until 100 ms past the
 * next scheduled time (-1: none, the schedule never fires again). */
ktime_t cronjob_next_schedule_duration(const struct cron_job_status *status,
			       const struct cron_job *cj, ktime_t now,
			       const struct cron_schedule *schedule);
/* Go's time.RFC1123Z: "Thu, 01 Jan 2026 00:01:00 +0000", into buf. */
void cronjob_format_rfc1123z(ktime_t t, char *buf, size_t size);

/* ---- the active list and the Jobs (ctrl_cronjob_jobs.c) ---- */

/* Whether status.active lists the Job with this uid (name). */
bool cronjob_in_active(const struct cron_job_status *status, const char *uid);
bool cronjob_in_active_by_name(const struct cron_job_status *status, const char *name);
/* K8S: deleteFromActiveList. */
void cronjob_remove_active(struct cron_job_status *status, const char *uid);
/* K8S: getFinishedStatus: "Complete" or "Failed" when that condition is
 * True, else NULL. */
const char *cronjob_job_finished(const struct job *job);
/* K8S: deleteJob: delete the Job and drop it from the active list.
 * Returns whether it was deleted. */
bool cronjob_delete_job(struct cj_sync *s, const struct object *job);
/* K8S: removeOldestJobs: deletes the oldest Jobs finished as `finished`
 * ("Complete" or "Failed") beyond limit. */
void cronjob_remove_oldest(struct cj_sync *s, const struct object_list *jobs,
		   const char *finished, int32_t limit);
/* Creates the Job for `scheduled` and records it in status. Returns 0,
 * or -1 to retry. */
int cronjob_create_job(struct cj_sync *s, ktime_t scheduled);

#endif
