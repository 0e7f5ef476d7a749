/* ctrl_cronjob_jobs.c - a CronJob's Jobs: the active list, creating and
 * deleting them.
 *
 * status.active is the CronJob's list of the Jobs it started and has not
 * yet seen finish; the controller adds a Job when it creates it and drops
 * it when the Job finishes, goes missing, or is deleted (by a Replace
 * policy, or by the history limits, which delete the oldest finished Jobs
 * beyond successfulJobsHistoryLimit and failedJobsHistoryLimit). A Job is
 * built from spec.jobTemplate, named NAME-<scheduled minute>, annotated
 * with its scheduled time and owned by the CronJob; creating a name that
 * exists is how a run is never started twice.
 *
 * K8S: pkg/controller/cronjob/cronjob_controllerv2.go (deleteJob,
 *      removeOldestJobs, the create in syncCronJob), utils.go
 *      (getJobFromTemplate2, deleteFromActiveList, getFinishedStatus,
 *      byJobStartTime).
 *
 * Interface (ctrl_cronjob_internal.h): cronjob_in_active(), cronjob_in_active_by_name(),
 * cronjob_remove_active(), cronjob_job_finished(), cronjob_delete_job(), cronjob_remove_oldest(),
 * cronjob_create_job().
 *
 * Invariants: status.active changes only in the sync's copy of the status
 * (struct cj_sync), never in a stored object; every create and delete is
 * reported in an Event with upstream's reason.
 *
 * See also: ctrl_cronjob.c (the sync), ctrl_job.c (runs the Jobs).
 */
#include "ctrl_cronjob_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_util.h"
#include "xmalloc.h"

bool cronjob_in_active(const struct cron_job_status *status, const char *uid)
{
	for (size_t i = 0; i < status->active.len; i++)
		if (str_equal(status->active.items[i].uid, uid))
			return true;
	return false;
}

bool cronjob_in_active_by_name(const struct cron_job_status *status, const char *name)
{
	for (size_t i = 0; i < status->active.len; i++)
		if (str_equal(status->active.items[i].name, name))
			return true;
	return false;
}

/* K8S: deleteFromActiveList. */
void cronjob_remove_active(struct cron_job_status *status, const char *uid)
{
	size_t kept = 0;
	for (size_t i = 0; i < status->active.len; i++) {
		struct object_reference *ref = &status->active.items[i];
		if (str_equal(ref->uid, uid))
			schema_release(&object_reference_schema, ref);
		else
			status->active.items[kept++] = *ref;
	}
	status->active.len = kept;
}

static void add_active(struct cron_job_status *status, const struct object *job)
{
	size_t cap = status->active.len;
	xgrow((void **)&status->active.items, &cap, status->active.len + 1,
	      sizeof(*status->active.items));
	status->active.items[status->active.len++] = (struct object_reference){
		.api_version = xstrdup(job->kind->api_version),
		.kind = xstrdup(job->kind->kind),
		.namespace = xstrdup(job->meta.namespace),
		.name = xstrdup(job->meta.name),
		.uid = xstrdup(job->meta.uid),
	};
}

/* K8S: getFinishedStatus: "Complete" or "Failed" when that condition is
 * True, else NULL. */
const char *cronjob_job_finished(const struct job *job)
{
	for (size_t i = 0; i < job->status.conditions.len; i++) {
		const struct condition *cond = &job->status.conditions.items[i];
		if ((str_equal(cond->type, "Complete") || str_equal(cond->type, "Failed")) &&
		    str_equal(cond->status, "True"))
			return cond->type;
	}
	return NULL;
}

/* ---- acting on Jobs ------------------------------------------------------ */

/* K8S: deleteJob: delete the Job (its pods go by garbage collection) and
 * drop it from the active list. Returns whether it was deleted. */
bool cronjob_delete_job(struct cj_sync *s, const struct object *job)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.propagation_policy = "Background";
	struct api_status result;
	if (client_delete(s->c->client, KIND_JOB, job->meta.namespace, job->meta.name,
			  &options, &result) != API_OK) {
		client_event(s->c->client, &s->cj->obj, "Warning", "FailedDelete",
			     "Deleted job: %s", result.message);	/* sic, upstream */
		return false;
	}
	cronjob_remove_active(&s->status, job->meta.uid);
	client_event(s->c->client, &s->cj->obj, "Normal", "SuccessfulDelete",
		     "Deleted job %s", job->meta.name);
	return true;
}

/* Oldest first (K8S: byJobStartTime): unstarted Jobs last, ties by name. */
static int by_start_time(const void *a, const void *b)
{
	const struct job *x = *(const struct job *const *)a, *y = *(const struct job *const *)b;
	if (!x->status.start_time != !y->status.start_time)
		return x->status.start_time ? -1 : 1;
	if (x->status.start_time != y->status.start_time)
		return x->status.start_time < y->status.start_time ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

/* K8S: removeOldestJobs for one kind of finished Job. */
void cronjob_remove_oldest(struct cj_sync *s, const struct object_list *jobs,
		   const char *finished, int32_t limit)
{
	const struct job **matching = xcalloc(jobs->len + 1, sizeof(*matching));
	size_t n = 0;
	for (size_t i = 0; i < jobs->len; i++) {
		const char *state = cronjob_job_finished(as_job(jobs->items[i]));
		if (state && !strcmp(state, finished))
			matching[n++] = as_job(jobs->items[i]);
	}
	if ((int64_t)n > limit) {
		qsort(matching, n, sizeof(*matching), by_start_time);
		for (size_t i = 0; i < n - (size_t)limit; i++)
			cronjob_delete_job(s, &matching[i]->obj);
	}
	free(matching);
}

/* K8S: getJobFromTemplate2: the Job for one scheduled time. The API
 * server would default it on create; kubelab's store does not, so the
 * controller applies the Job's defaults itself. */
static struct job *job_from_template(const struct cron_job *cj, ktime_t scheduled)
{
	struct job *job = (struct job *)object_new(&job_kind);
	const struct object_meta *tmeta = &cj->spec.job_template.metadata;
	job->obj.meta.name = xasprintf("%s-%lld", cj->obj.meta.name,
				       (long long)(scheduled / KTIME_MINUTE));
	job->obj.meta.namespace = xstrdup(cj->obj.meta.namespace);
	strmap_copy(&job->obj.meta.labels, &tmeta->labels);
	strmap_copy(&job->obj.meta.annotations, &tmeta->annotations);
	char when[40];
	schema_format_time(scheduled, when, sizeof(when));
	strmap_set(&job->obj.meta.annotations, CRONJOB_SCHEDULED_TIMESTAMP, when);
	struct owner_reference ref = ctrl_controller_ref(&cj->obj);
	ctrl_add_owner_ref(&job->obj, &ref);
	schema_copy(job_kind.spec_schema, &job->spec, &cj->spec.job_template.spec);
	schema_apply_defaults(job_kind.schema, job);
	job_kind.set_defaults(&job->obj);
	return job;
}

/* Creates the Job for `scheduled` and records it in status. Returns 0,
 * or -1 to retry. */
int cronjob_create_job(struct cj_sync *s, ktime_t scheduled)
{
	const struct client *client = s->c->client;
	struct job *job = job_from_template(s->cj, scheduled);
	char *name = xstrdup(job->obj.meta.name);
	struct api_status result;
	enum api_code code = client_create(client, &job->obj, &result);
	int rc = 0;
	if (code == API_OK) {
		client_event(client, &s->cj->obj, "Normal", "SuccessfulCreate",
			     "Created job %s", name);
	} else if (code != API_ALREADY_EXISTS) {
		client_event(client, &s->cj->obj, "Warning", "FailedCreate",
			     "Error creating job: %s", result.message);
		rc = -1;
		goto out;
	}
	/* Created now, or by us before a status write that did not land. */
	const struct object *created = client_get(client, KIND_JOB, s->cj->obj.meta.namespace,
						  name);
	if (!created)
		goto out;
	const struct owner_reference *owner = object_controller_of(created);
	if (code == API_ALREADY_EXISTS &&
	    (!owner || !str_equal(owner->uid, s->cj->obj.meta.uid) ||
	     cronjob_in_active(&s->status, created->meta.uid)))
		goto out;	/* someone else's, or already recorded */
	add_active(&s->status, created);
	s->status.last_schedule_time = scheduled;
out:
	free(name);
	return rc;
}
