/* api_batch.h - Job and CronJob.
 *
 * K8S: staging/src/k8s.io/api/batch/v1/types.go; defaults from
 * pkg/apis/batch/v1/defaults.go (backoffLimit 6, parallelism 1,
 * completionMode NonIndexed, concurrencyPolicy Allow, history limits 3/1).
 */
#ifndef KUBELAB_API_BATCH_H
#define KUBELAB_API_BATCH_H

#include "api_pod.h"

struct job_spec {
	struct opt_int64 parallelism;		/* default 1 */
	struct opt_int64 completions;		/* unset: any one success ends */
	struct opt_int64 active_deadline_seconds;
	struct opt_int64 backoff_limit;		/* default 6 */
	struct opt_int64 backoff_limit_per_index;
	struct label_selector selector;
	bool manual_selector;
	struct pod_template_spec template;
	struct opt_int64 ttl_seconds_after_finished;
	char *completion_mode;			/* NonIndexed (default), Indexed */
	bool suspend;
};

struct job_status {
	LIST_OF(struct condition) conditions;	/* Complete, Failed, Suspended */
	ktime_t start_time;
	ktime_t completion_time;
	int32_t active;
	int32_t succeeded;
	int32_t failed;
	int32_t ready;
	char *completed_indexes;		/* "0-3,5" */
	char *failed_indexes;
};

struct job {
	struct object obj;
	struct job_spec spec;
	struct job_status status;
};

struct job_template_spec {
	struct object_meta metadata;
	struct job_spec spec;
};

struct cron_job_spec {
	char *schedule;				/* cron: "0 * * * *" or "@hourly" */
	char *time_zone;
	struct opt_int64 starting_deadline_seconds;
	char *concurrency_policy;		/* Allow (default), Forbid, Replace */
	bool suspend;
	struct job_template_spec job_template;
	int32_t successful_jobs_history_limit;	/* default 3 */
	int32_t failed_jobs_history_limit;	/* default 1 */
};

struct cron_job_status {
	LIST_OF(struct object_reference) active;
	ktime_t last_schedule_time;
	ktime_t last_successful_time;
};

struct cron_job {
	struct object obj;
	struct cron_job_spec spec;
	struct cron_job_status status;
};

extern const struct kind_info job_kind;
extern const struct kind_info cron_job_kind;

#endif
