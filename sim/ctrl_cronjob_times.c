/* ctrl_cronjob_times.c - when a CronJob's runs are due.
 *
 * A CronJob runs at the times its schedule names, counted from its last
 * scheduled run (or its creation). At each sync the controller asks: what
 * is the most recent scheduled time that has passed (that is the one to
 * run; earlier missed ones are not made up for), how many were missed
 * (more than 100 earns a Warning), and how long until the next one (the
 * key is queued again 100 ms after it: one timer, no polling).
 * startingDeadlineSeconds moves the start of the search forward, so runs
 * missed long ago are not even counted.
 *
 * K8S: pkg/controller/cronjob/utils.go (mostRecentScheduleTime,
 *      nextScheduleTimeDuration), and Go's time.RFC1123Z for the
 *      MissSchedule Event.
 *
 * Interface (ctrl_cronjob_internal.h): cronjob_most_recent_schedule_time(),
 * cronjob_next_schedule_duration(), cronjob_format_rfc1123z().
 *
 * Invariants: pure functions of the status, the spec, the schedule and
 * now; times are UTC (see ctrl_cronjob.c). Simplified: missed times are
 * counted exactly (upstream estimates their number).
 *
 * See also: ctrl_cron_schedule.c (parsing a schedule, the next time after
 * a given one), ctrl_cronjob.c (the sync).
 */
#include "ctrl_cronjob_internal.h"

#include <stdio.h>

#define NEXT_SCHEDULE_DELTA (100 * KTIME_MS)	/* K8S: nextScheduleDelta */
#define TOO_MANY_MISSED 100			/* K8S: manyMissed threshold */

/* K8S: mostRecentScheduleTime. From the last scheduled time (or the
 * CronJob's creation), or from now - startingDeadlineSeconds when that is
 * later and include_deadline: *most_recent is the latest scheduled time
 * <= now, 0 when there is none; *earliest where the search began. Returns
 * 0, or -1 with *why for a schedule that never fires. */
int cronjob_most_recent_schedule_time(const struct cron_job_status *status,
			      const struct cron_job *cj, ktime_t now,
			      const struct cron_schedule *schedule, bool include_deadline,
			      ktime_t *earliest, ktime_t *most_recent,
			      enum missed *missed, const char **why)
{
	*earliest = status->last_schedule_time ? status->last_schedule_time
					       : cj->obj.meta.creation_timestamp;
	*most_recent = 0;
	*missed = NONE_MISSED;
	const struct opt_int64 *deadline = &cj->spec.starting_deadline_seconds;
	if (include_deadline && deadline->is_set &&
	    now - deadline->value * KTIME_SECOND > *earliest)
		*earliest = now - deadline->value * KTIME_SECOND;

	ktime_t t1 = cron_schedule_next(schedule, *earliest);
	if (t1 && now < t1)
		return 0;
	ktime_t t2 = t1 ? cron_schedule_next(schedule, t1) : 0;
	if (t2 && now < t2) {
		*most_recent = t1;
		return 0;
	}
	if (!t1 || !t2) {
		*why = "time difference between two schedules is less than 1 second";
		return -1;
	}
	/* Upstream estimates the count from t2 - t1, then walks forward from
	 * the estimate; kubelab walks all the way, which is exact. */
	int count = 1;
	*most_recent = t1;
	for (ktime_t t = t2; t && t <= now; t = cron_schedule_next(schedule, t)) {
		*most_recent = t;
		count++;
	}
	*missed = count > TOO_MANY_MISSED ? MANY_MISSED : FEW_MISSED;
	return 0;
}

/* K8S: nextScheduleTimeDuration: how long from now until 100 ms past the
 * next scheduled time (-1: none, the schedule never fires again). */
ktime_t cronjob_next_schedule_duration(const struct cron_job_status *status,
			       const struct cron_job *cj, ktime_t now,
			       const struct cron_schedule *schedule)
{
	ktime_t earliest, most_recent;
	enum missed missed;
	const char *why;
	if (cronjob_most_recent_schedule_time(status, cj, now, schedule, false, &earliest,
				      &most_recent, &missed, &why))
		most_recent = now;
	else if (!most_recent)
		most_recent = earliest;
	ktime_t next = cron_schedule_next(schedule, most_recent);
	return next ? next + NEXT_SCHEDULE_DELTA - now : -1;
}

/* Go's time.RFC1123Z: "Thu, 01 Jan 2026 00:01:00 +0000". */
void cronjob_format_rfc1123z(ktime_t t, char *buf, size_t size)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct cron_tm tm;
	cron_time_split(t, &tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.weekday], tm.day,
		 months[tm.month - 1], tm.year, tm.hour, tm.minute, tm.second);
}
