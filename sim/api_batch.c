/* api_batch.c - schemas of Job and CronJob.
 *
 * K8S: staging/src/k8s.io/api/batch/v1/types.go; defaults from
 * pkg/apis/batch/v1/defaults.go (SetDefaults_Job, SetDefaults_CronJob).
 *
 * A Job runs pods to completion: `completions` successes in all,
 * `parallelism` at a time, giving up after `backoffLimit` failures. A
 * CronJob makes Jobs from its jobTemplate on a schedule.
 *
 * Why the Job's defaults are all in its hook: a CronJob's jobTemplate.spec
 * is a JobSpec too, and upstream leaves it undefaulted (the Job made from
 * it is defaulted when it is created), so the shared JobSpec table carries
 * no .dflt. And completions defaults to 1 only when parallelism is unset as
 * well: "a non-parallel job", which a table cannot say.
 */
#include "api_batch.h"
#include "xmalloc.h"

#include <string.h>

/* Defined in api_pod.c (not yet in api_pod.h). */

static const char *const completion_modes[] = { "NonIndexed", "Indexed", NULL };
static const char *const concurrency_policies[] = { "Allow", "Forbid", "Replace", NULL };

/* ---- Job ---- */

static const struct field job_spec_fields[] = {
	{ "parallelism", FIELD_OPT_INT64, .offset = offsetof(struct job_spec, parallelism) },
	{ "completions", FIELD_OPT_INT64, .offset = offsetof(struct job_spec, completions) },
	{ "activeDeadlineSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct job_spec, active_deadline_seconds) },
	{ "backoffLimit", FIELD_OPT_INT64, .offset = offsetof(struct job_spec, backoff_limit) },
	{ "backoffLimitPerIndex", FIELD_OPT_INT64,
	  .offset = offsetof(struct job_spec, backoff_limit_per_index) },
	{ "selector", FIELD_STRUCT, .offset = offsetof(struct job_spec, selector),
	  .schema = &label_selector_schema },
	{ "manualSelector", FIELD_BOOL, .offset = offsetof(struct job_spec, manual_selector),
	  .flags = FIELD_KEEP_ZERO },
	{ "template", FIELD_STRUCT, .offset = offsetof(struct job_spec, template),
	  .flags = FIELD_REQUIRED, .schema = &pod_template_spec_schema },
	{ "ttlSecondsAfterFinished", FIELD_OPT_INT64,
	  .offset = offsetof(struct job_spec, ttl_seconds_after_finished) },
	{ "completionMode", FIELD_STRING, .offset = offsetof(struct job_spec, completion_mode),
	  .allowed = completion_modes },
	{ "suspend", FIELD_BOOL, .offset = offsetof(struct job_spec, suspend),
	  .flags = FIELD_KEEP_ZERO },
};
static const struct schema job_spec_schema = {
	"JobSpec", sizeof(struct job_spec), FIELDS(job_spec_fields)
};

static const struct field job_status_fields[] = {
	{ "conditions", FIELD_LIST, .offset = offsetof(struct job_status, conditions),
	  .schema = &condition_schema, .elem = FIELD_STRUCT },
	{ "startTime", FIELD_TIME, .offset = offsetof(struct job_status, start_time) },
	{ "completionTime", FIELD_TIME, .offset = offsetof(struct job_status, completion_time) },
	{ "active", FIELD_INT32, .offset = offsetof(struct job_status, active) },
	{ "succeeded", FIELD_INT32, .offset = offsetof(struct job_status, succeeded) },
	{ "failed", FIELD_INT32, .offset = offsetof(struct job_status, failed) },
	{ "completedIndexes", FIELD_STRING,
	  .offset = offsetof(struct job_status, completed_indexes) },
	{ "failedIndexes", FIELD_STRING, .offset = offsetof(struct job_status, failed_indexes) },
	{ "ready", FIELD_INT32, .offset = offsetof(struct job_status, ready) },
};
static const struct schema job_status_schema = {
	"JobStatus", sizeof(struct job_status), FIELDS(job_status_fields)
};

static const struct field job_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct job, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct job, spec),
	  .schema = &job_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct job, status),
	  .schema = &job_status_schema },
};
static const struct schema job_schema = { "Job", sizeof(struct job), FIELDS(job_fields) };

static void opt_default(struct opt_int64 *opt, int64_t value)
{
	if (!opt->is_set)
		*opt = (struct opt_int64){ .is_set = true, .value = value };
}

/* K8S: SetDefaults_Job. */
static void job_set_defaults(struct object *obj)
{
	struct job *job = object_as(obj, KIND_JOB, struct job);
	struct job_spec *spec = &job->spec;

	/* Neither set: a non-parallel job, one pod to one success. */
	if (!spec->completions.is_set && !spec->parallelism.is_set)
		opt_default(&spec->completions, 1);
	opt_default(&spec->parallelism, 1);
	/* With a per-index limit the global one is effectively off. */
	opt_default(&spec->backoff_limit, spec->backoff_limit_per_index.is_set ? INT32_MAX : 6);
	if (!spec->completion_mode)
		spec->completion_mode = xstrdup("NonIndexed");
	/* The job takes its template's labels when it has none itself. */
	if (!obj->meta.labels.len && spec->template.metadata.labels.len)
		strmap_copy(&obj->meta.labels, &spec->template.metadata.labels);
	pod_spec_set_defaults(&spec->template.spec);
}

const struct kind_info job_kind = {
	.id = KIND_JOB,
	.kind = "Job",
	.api_version = "batch/v1",
	.resource = "jobs",
	.singular = "job",
	.short_names = NULL,
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct job),
	.schema = &job_schema,
	.spec_offset = offsetof(struct job, spec),
	.spec_schema = &job_spec_schema,
	.status_offset = offsetof(struct job, status),
	.status_schema = &job_status_schema,
	.set_defaults = job_set_defaults,
};

/* ---- CronJob ---- */

static const struct field job_template_spec_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct job_template_spec, metadata),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct job_template_spec, spec),
	  .schema = &job_spec_schema },
};
static const struct schema job_template_spec_schema = {
	"JobTemplateSpec", sizeof(struct job_template_spec), FIELDS(job_template_spec_fields)
};

/* The history limits are *int32 upstream: 0 (keep none) is printed. */
static const struct field cron_job_spec_fields[] = {
	{ "schedule", FIELD_STRING, .offset = offsetof(struct cron_job_spec, schedule),
	  .flags = FIELD_REQUIRED },
	{ "timeZone", FIELD_STRING, .offset = offsetof(struct cron_job_spec, time_zone) },
	{ "startingDeadlineSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct cron_job_spec, starting_deadline_seconds) },
	{ "concurrencyPolicy", FIELD_STRING,
	  .offset = offsetof(struct cron_job_spec, concurrency_policy), .dflt = "Allow",
	  .allowed = concurrency_policies },
	{ "suspend", FIELD_BOOL, .offset = offsetof(struct cron_job_spec, suspend),
	  .flags = FIELD_KEEP_ZERO },
	{ "jobTemplate", FIELD_STRUCT, .offset = offsetof(struct cron_job_spec, job_template),
	  .flags = FIELD_REQUIRED, .schema = &job_template_spec_schema },
	{ "successfulJobsHistoryLimit", FIELD_INT32,
	  .offset = offsetof(struct cron_job_spec, successful_jobs_history_limit),
	  .flags = FIELD_KEEP_ZERO, .dflt = "3" },
	{ "failedJobsHistoryLimit", FIELD_INT32,
	  .offset = offsetof(struct cron_job_spec, failed_jobs_history_limit),
	  .flags = FIELD_KEEP_ZERO, .dflt = "1" },
};
static const struct schema cron_job_spec_schema = {
	"CronJobSpec", sizeof(struct cron_job_spec), FIELDS(cron_job_spec_fields)
};

static const struct field cron_job_status_fields[] = {
	{ "active", FIELD_LIST, .offset = offsetof(struct cron_job_status, active),
	  .schema = &object_reference_schema, .elem = FIELD_STRUCT },
	{ "lastScheduleTime", FIELD_TIME,
	  .offset = offsetof(struct cron_job_status, last_schedule_time) },
	{ "lastSuccessfulTime", FIELD_TIME,
	  .offset = offsetof(struct cron_job_status, last_successful_time) },
};
static const struct schema cron_job_status_schema = {
	"CronJobStatus", sizeof(struct cron_job_status), FIELDS(cron_job_status_fields)
};

static const struct field cron_job_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct cron_job, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct cron_job, spec),
	  .schema = &cron_job_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct cron_job, status),
	  .schema = &cron_job_status_schema },
};
static const struct schema cron_job_schema = {
	"CronJob", sizeof(struct cron_job), FIELDS(cron_job_fields)
};

/* K8S: SetObjectDefaults_CronJob: the table defaults, plus the PodSpec
 * defaults inside the job template (but not SetDefaults_Job). */
static void cron_job_set_defaults(struct object *obj)
{
	struct cron_job *cj = object_as(obj, KIND_CRONJOB, struct cron_job);
	pod_spec_set_defaults(&cj->spec.job_template.spec.template.spec);
}

const struct kind_info cron_job_kind = {
	.id = KIND_CRONJOB,
	.kind = "CronJob",
	.api_version = "batch/v1",
	.resource = "cronjobs",
	.singular = "cronjob",
	.short_names = "cj",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct cron_job),
	.schema = &cron_job_schema,
	.spec_offset = offsetof(struct cron_job, spec),
	.spec_schema = &cron_job_spec_schema,
	.status_offset = offsetof(struct cron_job, status),
	.status_schema = &cron_job_status_schema,
	.set_defaults = cron_job_set_defaults,
};
