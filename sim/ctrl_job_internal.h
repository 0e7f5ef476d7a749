/* ctrl_job_internal.h - declarations shared by the files of the Job
 * controller.
 *
 * Internal to ctrl_job.c (events, the sync, status, lifecycle),
 * ctrl_job_pods.c (looking at a Job's pods) and ctrl_job_manage.c (creating
 * and deleting them); nothing else includes it. The public interface is
 * ctrl_job.h.
 */
#ifndef KUBELAB_CTRL_JOB_INTERNAL_H
#define KUBELAB_CTRL_JOB_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "ctrl_job.h"
#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "hashmap.h"
#include "workqueue.h"

#define BURST_PODS 500			/* K8S: MaxPodCreateDeletePerSync */

/* What the controller remembers of one Job between syncs (see the top). */
struct job_ledger {
	char *uid;			/* the Job it is for */
	struct hashmap counted;		/* pod uid -> (void *)1: in status counters */
	struct object **gone;		/* pods deleted before they were counted */
	size_t gone_len, gone_cap;
	/* K8S: backoffRecord */
	int32_t failures_after_last_success;
	ktime_t last_failure;
};

struct job_controller {
	const struct client *client;
	struct informer *jobs;
	struct informer *pods;		/* index: controller uid, or "orphan/NS" */
	struct workqueue *queue;
	struct expectations *expectations;
	struct hashmap ledgers;		/* job key -> struct job_ledger */
};

/* Everything one sync learns about a Job's pods. */
struct job_pods {
	struct object_list all;		/* claimed, plus the ledger's gone pods */
	struct object_list active;
	const struct pod **new_succeeded, **new_failed;	/* not yet counted */
	size_t new_succeeded_len, new_failed_len;
	int32_t terminating, ready;
};
static inline bool job_is_indexed(const struct job *job)
{
	return job->spec.completion_mode && !strcmp(job->spec.completion_mode, "Indexed");
}

/* ---- looking at the pods (ctrl_job_pods.c) ---- */

/* K8S: getPodsForJob (claim), then the sort into active, terminating and
 * newly finished pods; the ledger's gone pods count as failed unless they
 * succeeded. Fills *out (release it with job_pods_release). Returns 0, or
 * -1 when claiming failed. */
int job_pods_collect(struct job_controller *c, const struct job *job,
		     struct job_ledger *ledger, struct job_pods *out);
void job_pods_release(struct job_pods *pods);
/* K8S: backoffStore.newBackoffRecord: the failures in a row since the last
 * success (the ledger's, updated by this sync's pods), and when the last of
 * them finished. */
void job_backoff_record(const struct job_ledger *ledger, const struct job_pods *pods,
		    int32_t *failures, ktime_t *last_failure);
/* K8S: pastBackoffLimitOnFailure. */
bool job_past_backoff_limit_on_failure(const struct job *job, const struct job_pods *pods);

/* ---- acting on the pods (ctrl_job_manage.c) ---- */

/* Deletes the first count active pods in deletion order (at most
 * BURST_PODS), expecting the deletions when expect. Returns how many went;
 * *ready_gone counts the ready ones among them. */
int32_t job_delete_active(struct job_controller *c, const struct job *job,
		      const char *key, const struct object_list *active, size_t count,
		      bool expect, int32_t *ready_gone);
/* K8S: manageJob (a suspended Job's active pods are all deleted).
 * Returns the new number of active pods; *rc becomes -1 when a create or
 * delete failed. */
int32_t job_manage(struct job_controller *c, const struct job *job, const char *key,
		   struct job_pods *pods, int32_t succeeded, const bool *completed,
		   int32_t failures, ktime_t last_failure, int *rc);

#endif
