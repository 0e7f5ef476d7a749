/* ctrl_job_pods.c - what the Job controller sees in a Job's pods.
 *
 * Each sync of a Job starts by looking at its pods: it claims the pods its
 * selector matches (by default, the pods carrying the Job's uid), adds the
 * pods that vanished before they were counted, and sorts them: active
 * (counted towards parallelism, ready or not), terminating, and finished
 * since the last sync (succeeded or failed, each counted exactly once).
 * From the newly finished pods it works out the back-off record (failures
 * in a row since the last success), and for restartPolicy OnFailure,
 * whether container restarts have passed backoffLimit.
 *
 * K8S: pkg/controller/job/job_controller.go (getPodsForJob, getStatus,
 *      pastBackoffLimitOnFailure), pkg/controller/job/backoff_utils.go
 *      (newBackoffRecord), pkg/controller/controller_utils.go
 *      (CountTerminatingPods).
 *
 * Interface (ctrl_job_internal.h): job_pods_collect(), job_pods_release(),
 * job_backoff_record(), job_past_backoff_limit_on_failure().
 *
 * Invariants: nothing here writes to the API, except the adoption and
 * release of pods by ctrl_claim(); a pod the ledger counted is never
 * among the newly finished.
 *
 * See also: ctrl_job.c (the sync that uses this), ctrl_job_util.c.
 */
#include "ctrl_job_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_util.h"
#include "selector.h"
#include "xmalloc.h"

static bool phase_is(const struct pod *pod, const char *phase)
{
	return pod->status.phase && !strcmp(pod->status.phase, phase);
}

/* K8S: isPodFailed: Failed, or deleted before it succeeded. */
static bool pod_failed(const struct pod *pod)
{
	return phase_is(pod, POD_PHASE_FAILED) ||
	       (object_is_deleting(&pod->obj) && !phase_is(pod, POD_PHASE_SUCCEEDED));
}


/* K8S: the API server's generateSelector: without a manual selector a
 * Job selects the pods that carry its uid. */
static int job_selector(const struct job *job, struct selector *out)
{
	if (job->spec.manual_selector || job->spec.selector.match_labels.len ||
	    job->spec.selector.match_expressions.len)
		return label_selector_compile(&job->spec.selector, out, NULL);
	struct label_selector by_uid = {0};
	strmap_set(&by_uid.match_labels, JOB_LABEL_CONTROLLER_UID, job->obj.meta.uid);
	int rc = label_selector_compile(&by_uid, out, NULL);
	strmap_release(&by_uid.match_labels);
	return rc;
}

static void list_push(struct object_list *list, const struct object *obj)
{
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = obj;
}

static void pods_push(const struct pod ***items, size_t *len, const struct pod *pod)
{
	size_t cap = *len;
	xgrow((void **)items, &cap, *len + 1, sizeof(**items));
	(*items)[(*len)++] = pod;
}

/* K8S: getPodsForJob (claim), then the sort into active, terminating and
 * newly finished pods. Returns 0, or -1 when claiming failed. */
int job_pods_collect(struct job_controller *c, const struct job *job,
		     struct job_ledger *ledger, struct job_pods *out)
{
	struct selector selector;
	if (job_selector(job, &selector))
		return 0;	/* an invalid selector claims nothing */
	struct object_list candidates = {0};
	char *orphans = informer_orphan_key(job->obj.meta.namespace);
	informer_list_index(c->pods, job->obj.meta.uid, &candidates);
	informer_list_index(c->pods, orphans, &candidates);
	free(orphans);
	int rc = ctrl_claim(c->client, &job->obj, &selector, &candidates, &out->all);
	object_list_release(&candidates);
	selector_release(&selector);
	for (size_t i = 0; i < ledger->gone_len; i++)
		list_push(&out->all, ledger->gone[i]);

	for (size_t i = 0; i < out->all.len; i++) {
		const struct pod *pod = (const void *)out->all.items[i];
		bool gone = i >= out->all.len - ledger->gone_len;
		if (!gone && ctrl_pod_is_active(pod)) {
			list_push(&out->active, &pod->obj);
			out->ready += ctrl_pod_is_ready(pod);
			continue;
		}
		if (!gone && object_is_deleting(&pod->obj) && !phase_is(pod, POD_PHASE_SUCCEEDED) &&
		    !phase_is(pod, POD_PHASE_FAILED))
			out->terminating++;	/* K8S: CountTerminatingPods */
		if (hashmap_get(&ledger->counted, pod->obj.meta.uid))
			continue;
		if (phase_is(pod, POD_PHASE_SUCCEEDED))
			pods_push(&out->new_succeeded, &out->new_succeeded_len, pod);
		else if (gone || pod_failed(pod))
			pods_push(&out->new_failed, &out->new_failed_len, pod);
	}
	return rc;
}

void job_pods_release(struct job_pods *pods)
{
	object_list_release(&pods->all);
	object_list_release(&pods->active);
	free(pods->new_succeeded);
	free(pods->new_failed);
}

/* K8S: backoffStore.newBackoffRecord: failures in a row since the last
 * success, and when the last of them finished. */
void job_backoff_record(const struct job_ledger *ledger, const struct job_pods *pods,
		    int32_t *failures, ktime_t *last_failure)
{
	*failures = ledger->failures_after_last_success;
	*last_failure = ledger->last_failure;
	ktime_t last_success = 0;
	for (size_t i = 0; i < pods->new_succeeded_len; i++) {
		ktime_t at = job_pod_finish_time(pods->new_succeeded[i]);
		if (at > last_success)
			last_success = at;
	}
	if (pods->new_succeeded_len) {
		*failures = 0;
		*last_failure = 0;
	}
	for (size_t i = 0; i < pods->new_failed_len; i++) {
		ktime_t at = job_pod_finish_time(pods->new_failed[i]);
		if (pods->new_succeeded_len && at <= last_success)
			continue;	/* a success came after it */
		(*failures)++;
		if (at > *last_failure)
			*last_failure = at;
	}
}

/* K8S: pastBackoffLimitOnFailure: with restartPolicy OnFailure the
 * kubelet restarts failed containers in place, so their restarts count. */
bool job_past_backoff_limit_on_failure(const struct job *job, const struct job_pods *pods)
{
	const char *policy = job->spec.template.spec.restart_policy;
	if (!policy || strcmp(policy, "OnFailure"))
		return false;
	int64_t restarts = 0;
	for (size_t i = 0; i < pods->active.len; i++) {
		const struct pod *pod = (const void *)pods->active.items[i];
		if (!phase_is(pod, POD_PHASE_RUNNING) && !phase_is(pod, POD_PHASE_PENDING))
			continue;
		for (size_t j = 0; j < pod->status.init_container_statuses.len; j++)
			restarts += pod->status.init_container_statuses.items[j].restart_count;
		for (size_t j = 0; j < pod->status.container_statuses.len; j++)
			restarts += pod->status.container_statuses.items[j].restart_count;
	}
	int64_t limit = job->spec.backoff_limit.value;
	return limit == 0 ? restarts > 0 : restarts >= limit;
}

