/* ctrl_cronjob.c - the CronJob controller: create a Job at each scheduled
 * time.
 *
 * K8S: pkg/controller/cronjob/cronjob_controllerv2.go (sync, syncCronJob,
 * cleanupFinishedJobs, deleteJob) and utils.go (mostRecentScheduleTime,
 * nextScheduleTime, nextScheduleTimeDuration, getJobFromTemplate2).
 *
 * A CronJob is a schedule ("*" every minute, "0 3 * * *" ...) and a Job
 * template. At each time the schedule names, the controller creates the
 * Job NAME-<scheduled time in minutes since the Unix epoch>: the name is
 * a lock, so the same run is never created twice, even by a controller
 * that lost track of its own status. The Job controller then runs it.
 *
 * One sync (sync_cron_job) does, in upstream's order:
 *   1. cleanup: finished Jobs beyond successfulJobsHistoryLimit (Complete)
 *      or failedJobsHistoryLimit (Failed) are deleted, oldest first;
 *   2. bookkeeping: a finished Job leaves status.active ("SawCompletedJob"),
 *      a successful one advances status.lastSuccessfulTime, an active Job
 *      that no longer exists is dropped ("MissingJob");
 *   3. unless the CronJob is suspended or being deleted, the most recent
 *      scheduled time not yet run is found (earlier missed ones are not
 *      made up for: at most one Job per sync). It is skipped when it is
 *      older than startingDeadlineSeconds ("MissSchedule"), or when a Job
 *      is still active and concurrencyPolicy is Forbid ("JobAlreadyActive");
 *      with Replace the active Jobs are deleted first. Then the Job is
 *      created and recorded in status.active and status.lastScheduleTime;
 *   4. status is written if it changed, and the key is queued again for
 *      100 ms after the next scheduled time: no polling, one clock timer.
 *
 * Invalid schedules: the API server rejects them upstream, through the
 * same parser. kubelab's decoder does not know cron syntax, so a CronJob
 * with a bad schedule is stored, and this controller reports it with the
 * Event upstream's controller would record for it (Warning
 * UnparseableSchedule, or InvalidSchedule for one that never fires, such
 * as "0 0 30 2 *") and does nothing else until the schedule changes.
 *
 * Simplified: times are UTC. spec.timeZone "UTC" and "Etc/UTC" are UTC;
 * any other zone is not modelled: the CronJob gets a Warning
 * UnknownTimeZone and does not run. Missed times are counted exactly
 * (upstream estimates their number from the spacing of the first two);
 * the Job's creationTimestamp is the store's, not the scheduled time.
 *
 * Interface: the cronjob_controller row (ctrl_cronjob.h).
 * Invariants: at most one Job created per sync; a scheduled time is run at
 * most once (name lock and lastScheduleTime); status is written only when
 * it changed.
 * This file holds the events, the reconcile and the lifecycle;
 * ctrl_cronjob_times.c works out when runs are due, ctrl_cronjob_jobs.c
 * keeps the active list and creates and deletes Jobs, and
 * ctrl_cronjob_internal.h declares what the three share.
 * See also: ctrl_cron_schedule.c (the parser), ctrl_job.c (runs the Jobs),
 * ctrl_replicaset.c (the controller pattern in its plainest form).
 */
#include "ctrl_cronjob.h"
#include "ctrl_cronjob_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_cron_schedule.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "workqueue.h"
#include "xmalloc.h"

/* ---- from events to keys ------------------------------------------------- */

static void enqueue(struct cj_controller *c, const struct object *cj, ktime_t after)
{
	char *key = object_key(cj);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

/* K8S: resolveControllerRef: the CronJob a Job's controller reference
 * names, if it still is the same object. */
static const struct cron_job *resolve(struct cj_controller *c, const struct object *job)
{
	const struct owner_reference *ref = object_controller_of(job);
	if (!ref || !ref->kind || strcmp(ref->kind, "CronJob"))
		return NULL;
	const struct object *obj = informer_get(c->cron_jobs, job->meta.namespace, ref->name);
	if (!obj || !ref->uid || strcmp(obj->meta.uid, ref->uid))
		return NULL;
	return as_cj(obj);
}

static void on_job(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct cj_controller *c = arg;
	if (type == WATCH_MODIFIED && obj->meta.resource_version == old->meta.resource_version)
		return;
	const struct cron_job *cj = resolve(c, obj);
	if (cj)
		enqueue(c, &cj->obj, 0);
	if (old && (cj = resolve(c, old)))	/* its controller may have changed */
		enqueue(c, &cj->obj, 0);
}

/* K8S: updateCronJob: a new schedule requeues the key for its next time;
 * any other change syncs now. */
static void on_cron_job(void *arg, enum watch_type type, const struct object *obj,
			const struct object *old)
{
	struct cj_controller *c = arg;
	if (type == WATCH_DELETED)
		return;
	const struct cron_job *cur = as_cj(obj);
	if (type == WATCH_MODIFIED &&
	    (!str_equal(as_cj(old)->spec.schedule, cur->spec.schedule) ||
	     !str_equal(as_cj(old)->spec.time_zone, cur->spec.time_zone))) {
		struct cron_schedule schedule;
		char *why = NULL;
		if (cron_schedule_parse(cur->spec.schedule, &schedule, &why)) {
			client_event(c->client, obj, "Warning", "UnParseableCronJobSchedule",
				     "unparseable schedule for cronjob: %s", cur->spec.schedule);
			free(why);
			return;
		}
		ktime_t now = client_now(c->client);
		ktime_t after = cronjob_next_schedule_duration(&cur->status, cur, now, &schedule);
		if (after >= 0)
			enqueue(c, obj, after);
		return;
	}
	enqueue(c, obj, 0);
}

/* ---- the reconcile ------------------------------------------------------- */

/* Step 2 of the top comment: finished, unexpected and missing Jobs. */
static void track_jobs(struct cj_sync *s, const struct object_list *jobs)
{
	const struct client *client = s->c->client;
	for (size_t i = 0; i < jobs->len; i++) {
		const struct job *job = as_job(jobs->items[i]);
		bool found = cronjob_in_active(&s->status, job->obj.meta.uid);
		const char *finished = cronjob_job_finished(job);
		if (!found && !finished) {
			/* Our cache may predate our own status write: ask. */
			const struct object *fresh = client_get(client, KIND_CRONJOB,
								s->cj->obj.meta.namespace,
								s->cj->obj.meta.name);
			if (fresh && !strcmp(fresh->meta.uid, s->cj->obj.meta.uid) &&
			    cronjob_in_active(&as_cj(fresh)->status, job->obj.meta.uid)) {
				object_unref(s->base);
				s->base = object_ref(fresh);
				schema_release(cron_job_kind.status_schema, &s->status);
				schema_copy(cron_job_kind.status_schema, &s->status,
					    &as_cj(fresh)->status);
				continue;
			}
			client_event(client, &s->cj->obj, "Warning", "UnexpectedJob",
				     "Saw a job that the controller did not create or forgot: %s",
				     job->obj.meta.name);
		} else if (finished) {
			if (found) {
				cronjob_remove_active(&s->status, job->obj.meta.uid);
				client_event(client, &s->cj->obj, "Normal", "SawCompletedJob",
					     "Saw completed job: %s, condition: %s",
					     job->obj.meta.name, finished);
			}
			if (!strcmp(finished, "Complete") &&
			    job->status.completion_time > s->status.last_successful_time)
				s->status.last_successful_time = job->status.completion_time;
		}
	}
	for (size_t i = 0; i < s->status.active.len;) {
		const struct object_reference *ref = &s->status.active.items[i];
		bool listed = false;
		for (size_t j = 0; j < jobs->len && !listed; j++)
			listed = str_equal(jobs->items[j]->meta.uid, ref->uid);
		/* Not in the cache: check with the API server before dropping. */
		if (listed || client_get(client, KIND_JOB, ref->namespace, ref->name)) {
			i++;
			continue;
		}
		client_event(client, &s->cj->obj, "Normal", "MissingJob",
			     "Active job went missing: %s", ref->name);
		char *uid = xstrdup(ref->uid);
		cronjob_remove_active(&s->status, uid);
		free(uid);
	}
}

/* K8S: syncCronJob, after the bookkeeping. Returns 0, or -1 to retry. */
static int run_schedule(struct cj_sync *s)
{
	const struct client *client = s->c->client;
	const struct cron_job *cj = s->cj;
	if (object_is_deleting(&cj->obj))
		return 0;
	const char *zone = cj->spec.time_zone;
	if (zone && *zone && strcmp(zone, "UTC") && strcmp(zone, "Etc/UTC")) {
		client_event(client, &cj->obj, "Warning", "UnknownTimeZone",
			     "invalid timeZone: \"%s\": time zones other than UTC are not "
			     "modelled by kubelab", zone);
		return 0;
	}
	if (cj->spec.suspend)
		return 0;	/* resumed by the update that unsuspends it */

	struct cron_schedule schedule;
	char *parse_error = NULL;
	if (cron_schedule_parse(cj->spec.schedule, &schedule, &parse_error)) {
		client_event(client, &cj->obj, "Warning", "UnparseableSchedule",
			     "unparseable schedule: \"%s\" : %s", cj->spec.schedule, parse_error);
		free(parse_error);
		return 0;
	}
	ktime_t earliest, scheduled;
	enum missed missed;
	const char *why = NULL;
	if (cronjob_most_recent_schedule_time(&s->status, cj, s->now, &schedule, true, &earliest,
				      &scheduled, &missed, &why)) {
		client_event(client, &cj->obj, "Warning", "InvalidSchedule",
			     "invalid schedule: %s : %s", cj->spec.schedule, why);
		return 0;
	}
	if (missed == MANY_MISSED)
		client_event(client, &cj->obj, "Warning", "TooManyMissedTimes",
			     "too many missed start times. Set or decrease "
			     ".spec.startingDeadlineSeconds or check clock skew");
	s->requeue = cronjob_next_schedule_duration(&s->status, cj, s->now, &schedule);
	if (!scheduled)
		return 0;	/* nothing due yet */

	const struct opt_int64 *deadline = &cj->spec.starting_deadline_seconds;
	if (deadline->is_set && scheduled + deadline->value * KTIME_SECOND < s->now) {
		char when[48];
		cronjob_format_rfc1123z(scheduled, when, sizeof(when));
		client_event(client, &cj->obj, "Warning", "MissSchedule",
			     "Missed scheduled time to start a job: %s", when);
		return 0;
	}
	char name[300];
	snprintf(name, sizeof(name), "%s-%lld", cj->obj.meta.name,
		 (long long)(scheduled / KTIME_MINUTE));
	if (cronjob_in_active_by_name(&s->status, name) || s->status.last_schedule_time == scheduled)
		return 0;	/* already run */

	const char *policy = cj->spec.concurrency_policy ? cj->spec.concurrency_policy : "Allow";
	if (!strcmp(policy, "Forbid") && s->status.active.len) {
		/* LAB: cronjob-forbid. This run is skipped, not postponed. */
		client_event(client, &cj->obj, "Normal", "JobAlreadyActive",
			     "Not starting job because prior execution is running and "
			     "concurrency policy is Forbid");
		return 0;
	}
	if (!strcmp(policy, "Replace")) {
		while (s->status.active.len) {
			const struct object_reference *ref = &s->status.active.items[0];
			const struct object *job = client_get(client, KIND_JOB, ref->namespace,
							      ref->name);
			if (!job) {
				client_event(client, &cj->obj, "Warning", "FailedGet",
					     "Get job: jobs.batch \"%s\" not found", ref->name);
				return -1;
			}
			if (!cronjob_delete_job(s, job))
				return -1;
		}
	}
	return cronjob_create_job(s, scheduled);
}

/* K8S: updateCronJobStatus: write what the sync computed, if it changed. */
static int update_status(struct cj_sync *s)
{
	const struct schema *schema = cron_job_kind.status_schema;
	if (schema_equal(schema, &s->status, &as_cj(s->base)->status))
		return 0;
	struct cron_job *next = (struct cron_job *)object_copy(s->base);
	schema_release(schema, &next->status);
	schema_copy(schema, &next->status, &s->status);
	struct api_status result;
	return client_update_status(s->c->client, &next->obj, &result) == API_OK ? 0 : -1;
}

/* K8S: ControllerV2.sync: the workqueue's sync function. */
static int sync_cron_job(void *arg, const char *key)
{
	struct cj_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->cron_jobs, namespace, name);
	free(namespace);
	free(name);
	if (!obj)
		return 0;	/* deleted: its Jobs go by garbage collection */

	struct cj_sync s = {
		.c = c, .cj = as_cj(obj), .base = object_ref(obj),
		.now = client_now(c->client), .requeue = -1,
	};
	schema_copy(cron_job_kind.status_schema, &s.status, &s.cj->status);
	struct object_list jobs = {0};
	informer_list_index(c->jobs, obj->meta.uid, &jobs);

	/* LAB: cronjob-history. Upstream cleans up before it looks. */
	cronjob_remove_oldest(&s, &jobs, "Complete", s.cj->spec.successful_jobs_history_limit);
	cronjob_remove_oldest(&s, &jobs, "Failed", s.cj->spec.failed_jobs_history_limit);
	track_jobs(&s, &jobs);
	int rc = run_schedule(&s);
	if (update_status(&s))
		rc = -1;
	/* LAB: cronjob-requeue. The next run is a timer, not a poll. */
	if (!rc && s.requeue >= 0)
		workqueue_add_after(c->queue, key, s.requeue);

	object_list_release(&jobs);
	schema_release(cron_job_kind.status_schema, &s.status);
	object_unref(s.base);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *cj_start(const struct client *client)
{
	struct cj_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "cronjob", sync_cron_job, c);
	/* CronJobs first: the Job handler resolves owners through them. */
	c->cron_jobs = informer_new(client, KIND_CRONJOB, NULL, on_cron_job, c);
	c->jobs = informer_new(client, KIND_JOB, informer_index_controller_uid, on_job, c);
	return c;
}

static void cj_stop(void *state)
{
	struct cj_controller *c = state;
	informer_free(c->jobs);
	informer_free(c->cron_jobs);
	workqueue_free(c->queue);
	free(c);
}

const struct controller_ops cronjob_controller = {
	.name = "cronjob-controller",
	.start = cj_start,
	.stop = cj_stop,
};
