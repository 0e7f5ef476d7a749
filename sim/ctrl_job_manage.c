/* ctrl_job_manage.c - the Job controller creating and deleting pods.
 *
 * Once a sync knows how many pods are active and how many succeeded, it
 * makes the count right: a Job keeps min(parallelism, completions -
 * succeeded) pods running (any one success ends a Job without
 * completions). Too many: it deletes the least useful first (unscheduled,
 * pending, not ready). Too few: it waits out the failure back-off, then
 * creates pods in slow-start batches of 1, 2, 4 ... that stop at the first
 * failure; an Indexed Job gives each new pod the lowest index neither
 * completed nor running. Every creation and deletion is announced in the
 * workqueue's expectations first, and in an Event after.
 *
 * K8S: pkg/controller/job/job_controller.go (manageJob, firstPendingIndexes
 *      in indexed_job_utils.go), pkg/controller/controller_utils.go
 *      (PodControl, slowStartBatch).
 *
 * Interface (ctrl_job_internal.h): job_manage(), job_delete_active().
 *
 * Invariants: at most BURST_PODS creations or deletions per call; every
 * expected creation or deletion that did not happen is observed back, so
 * the expectations never wait for a pod that is not coming.
 *
 * See also: ctrl_job.c (the sync), ctrl_job_util.c (back-off, pod template).
 */
#include "ctrl_job_internal.h"

#include <stdlib.h>

#include "ctrl_util.h"
#include "xmalloc.h"

/* K8S: PodControl.CreatePodsWithGenerateName with its events. */
static bool create_pod(struct job_controller *c, const struct job *job, int32_t index)
{
	struct pod *pod = job_pod_from_template(job, index);
	struct object *keep = object_ref(&pod->obj);
	struct api_status status;
	bool ok = client_create(c->client, &pod->obj, &status) == API_OK;
	if (ok)
		client_event(c->client, &job->obj, "Normal", "SuccessfulCreate",
			     "Created pod: %s", keep->meta.name);
	else
		client_event(c->client, &job->obj, "Warning", "FailedCreate",
			     "Error creating: %s", status.message);
	object_unref(keep);
	return ok;
}

/* K8S: PodControl.DeletePod. Returns whether the pod is going. */
static bool delete_pod(struct job_controller *c, const struct job *job, const struct pod *pod)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	enum api_code code = client_delete(c->client, KIND_POD, pod->obj.meta.namespace,
					   pod->obj.meta.name, &options, &status);
	if (code == API_OK)
		client_event(c->client, &job->obj, "Normal", "SuccessfulDelete",
			     "Deleted pod: %s", pod->obj.meta.name);
	else if (code != API_NOT_FOUND)
		client_event(c->client, &job->obj, "Warning", "FailedDelete",
			     "Error deleting: %s", status.message);
	return code == API_OK || code == API_NOT_FOUND;
}

/* Deletes the first count active pods in deletion order (unscheduled,
 * pending, not ready first). Returns how many went; *ready_gone counts
 * the ready ones among them. */
int32_t job_delete_active(struct job_controller *c, const struct job *job,
		      const char *key, const struct object_list *active, size_t count,
		      bool expect, int32_t *ready_gone)
{
	struct ranked_pod *ranked = xcalloc(active->len + 1, sizeof(*ranked));
	for (size_t i = 0; i < active->len; i++)
		ranked[i].pod = (const void *)active->items[i];
	ctrl_sort_pods_for_deletion(ranked, active->len, client_now(c->client));
	if (count > BURST_PODS)
		count = BURST_PODS;
	char **victims = xcalloc(count + 1, sizeof(*victims));
	for (size_t i = 0; i < count; i++)
		victims[i] = object_key(&ranked[i].pod->obj);
	if (expect)
		expectations_expect_deletions(c->expectations, key,
					      (const char *const *)victims, count);
	int32_t deleted = 0;
	for (size_t i = 0; i < count; i++) {
		if (delete_pod(c, job, ranked[i].pod)) {
			deleted++;
			*ready_gone += ctrl_pod_is_ready(ranked[i].pod);
		} else if (expect) {
			expectations_deletion_observed(c->expectations, key, victims[i]);
		}
		free(victims[i]);
	}
	free(victims);
	free(ranked);
	return deleted;
}

/* K8S: firstPendingIndexes: the lowest indexes neither completed nor
 * held by an active pod. Returns how many it wrote to out. */
static size_t pending_indexes(const struct job *job, const bool *completed,
			      const struct object_list *active, int32_t *out, size_t want)
{
	int32_t completions = (int32_t)job->spec.completions.value;
	bool *taken = xcalloc((size_t)completions + 1, sizeof(*taken));
	for (size_t i = 0; i < active->len; i++) {
		int32_t ix = job_pod_completion_index((const void *)active->items[i]);
		if (ix >= 0 && ix < completions)
			taken[ix] = true;
	}
	size_t n = 0;
	for (int32_t ix = 0; ix < completions && n < want; ix++)
		if (!completed[ix] && !taken[ix])
			out[n++] = ix;
	free(taken);
	return n;
}

/* K8S: manageJob. Returns the new number of active pods; *rc becomes -1
 * when a create or delete failed. */
int32_t job_manage(struct job_controller *c, const struct job *job, const char *key,
		   struct job_pods *pods, int32_t succeeded, const bool *completed,
		   int32_t failures, ktime_t last_failure, int *rc)
{
	int32_t active = (int32_t)pods->active.len;
	if (job->spec.suspend) {
		/* A suspended Job runs nothing: every active pod goes (and,
		 * deleted before it succeeded, counts as failed). */
		int32_t ready_gone = 0;
		int32_t deleted = job_delete_active(c, job, key, &pods->active,
						(size_t)active, true, &ready_gone);
		pods->ready -= ready_gone;
		if (deleted < active)
			*rc = -1;
		return active - deleted;
	}
	int32_t parallelism = (int32_t)job->spec.parallelism.value;
	int32_t want;
	if (!job->spec.completions.is_set) {
		/* Any one success ends the Job: start no more after it. */
		want = succeeded > 0 ? active : parallelism;
	} else {
		/* LAB: job-parallelism. Never more than the remaining completions. */
		want = (int32_t)job->spec.completions.value - succeeded;
		if (want > parallelism)
			want = parallelism;
		if (want < 0)
			want = 0;
	}
	if (active > want) {
		int32_t ready_gone = 0;
		int32_t deleted = job_delete_active(c, job, key, &pods->active,
						(size_t)(active - want), true, &ready_gone);
		pods->ready -= ready_gone;
		if (deleted < active - want)
			*rc = -1;
		return active - deleted;
	}
	int32_t diff = want - active;
	if (diff <= 0)
		return active;
	/* LAB: job-backoff. Failed pods are replaced after 10s, 20s, 40s ... */
	ktime_t wait = job_backoff_remaining(failures, last_failure, client_now(c->client));
	if (wait > 0) {
		workqueue_add_after(c->queue, key, wait);
		return active;
	}
	if (diff > BURST_PODS)
		diff = BURST_PODS;
	int32_t *indexes = NULL;
	if (job_is_indexed(job)) {
		indexes = xcalloc((size_t)diff, sizeof(*indexes));
		diff = (int32_t)pending_indexes(job, completed, &pods->active, indexes,
						(size_t)diff);
	}
	expectations_expect_creations(c->expectations, key, diff);
	/* K8S: slow start, batches of 1, 2, 4 ... until one fails. */
	int32_t created = 0, next = 0;
	for (int32_t batch = diff < 1 ? diff : 1; batch > 0;) {
		int32_t failed = 0;
		for (int32_t i = 0; i < batch; i++, next++)
			failed += !create_pod(c, job, indexes ? indexes[next] : -1);
		created += batch - failed;
		if (failed) {
			*rc = -1;
			break;
		}
		int32_t left = diff - next;
		batch = 2 * batch < left ? 2 * batch : left;
	}
	for (int32_t i = created; i < diff; i++)	/* never attempted or refused */
		expectations_creation_observed(c->expectations, key);
	free(indexes);
	return active + created;
}

