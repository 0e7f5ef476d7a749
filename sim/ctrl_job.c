/* ctrl_job.c - the Job controller: run pods until enough of them succeed.
 *
 * K8S: pkg/controller/job/job_controller.go (syncJob, manageJob,
 * trackJobStatusAndRemoveFinalizers, enactJobFinished).
 *
 * A Job is done when `completions` of its pods have exited 0. It keeps
 * min(parallelism, completions - succeeded) pods running; each pod that
 * fails is replaced after a back-off (10s, doubling to 6 min), and when
 * more than `backoffLimit` have failed, or the Job has been running for
 * `activeDeadlineSeconds`, it gives up: it deletes the pods still running
 * and marks itself Failed. Indexed Jobs give each pod a completion index
 * (0 .. completions-1, in an annotation, a label, the hostname NAME-INDEX
 * and $JOB_COMPLETION_INDEX) and are done when every index succeeded once.
 *
 * One sync (sync_job) reads the Job, claims its pods, counts the pods that
 * finished since the last sync into status.succeeded / status.failed,
 * decides whether the Job has met its success criteria or must fail,
 * creates or deletes pods, and writes status. As in v1.34, finishing takes
 * two steps: first the interim condition (SuccessCriteriaMet, or
 * FailureTarget with the reason), and, once no pod of the Job is still
 * terminating, the terminal one (Complete with completionTime, or Failed),
 * with the Event "Completed" or the failure reason.
 *
 * Counting each finished pod exactly once: upstream puts a finalizer on
 * every pod and lists finished-but-not-yet-counted pod UIDs in
 * status.uncountedTerminatedPods, so a pod cannot vanish before it was
 * counted and a controller restart never counts it twice. kubelab keeps
 * that ledger in the controller's memory instead (struct job_ledger: the
 * UIDs counted, the pods that vanished uncounted), which is exact as long
 * as the controller runs, and kubelab's controllers never restart.
 *
 * Interface: the job_controller row (ctrl_job.h).
 * Invariants: a pod is counted at most once; a finished Job (Complete or
 * Failed) is never synced again; counters are increments on the Job as
 * stored (the sync reads it fresh, so a lagging cache never rolls them
 * back); at most BURST_PODS creations or deletions per sync.
 * See also: ctrl_job_util.c (back-off, indexes), ctrl_ttl_after_finished.c
 * (deletes finished Jobs), ctrl_replicaset.c (the same pattern, simpler).
 */
#include "ctrl_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

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

static const struct job *as_job(const struct object *obj)
{
	return object_as(obj, KIND_JOB, const struct job);
}

static bool job_is_indexed(const struct job *job)
{
	return job->spec.completion_mode && !strcmp(job->spec.completion_mode, "Indexed");
}

static bool condition_true(const struct job *job, const char *type)
{
	const struct condition *c = condition_find((void *)&job->status.conditions, type);
	return c && c->status && !strcmp(c->status, "True");
}

/* K8S: IsJobFinished. */
static bool job_finished(const struct job *job)
{
	return condition_true(job, "Complete") || condition_true(job, "Failed");
}

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

/* ---- the ledger ---------------------------------------------------------- */

static void ledger_free(struct job_ledger *l)
{
	if (!l)
		return;
	hashmap_release(&l->counted);
	for (size_t i = 0; i < l->gone_len; i++)
		object_unref(l->gone[i]);
	free(l->gone);
	free(l->uid);
	free(l);
}

static struct job_ledger *ledger_get(struct job_controller *c, const char *key,
				     const char *uid)
{
	struct job_ledger *l = hashmap_get(&c->ledgers, key);
	if (l && !strcmp(l->uid, uid))
		return l;
	if (l)		/* a new Job under an old name */
		ledger_free(hashmap_remove(&c->ledgers, key));
	l = xcalloc(1, sizeof(*l));
	l->uid = xstrdup(uid);
	hashmap_put(&c->ledgers, key, l);
	return l;
}

static void ledger_drop(struct job_controller *c, const char *key)
{
	ledger_free(hashmap_remove(&c->ledgers, key));
}

/* ---- from events to keys ------------------------------------------------- */

/* K8S: resolveControllerRef. */
static const struct job *resolve(struct job_controller *c, const struct object *pod)
{
	const struct owner_reference *ref = object_controller_of(pod);
	if (!ref || !ref->kind || strcmp(ref->kind, "Job"))
		return NULL;
	const struct object *obj = informer_get(c->jobs, pod->meta.namespace, ref->name);
	if (!obj || !ref->uid || strcmp(obj->meta.uid, ref->uid))
		return NULL;
	return as_job(obj);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct job_controller *c = arg;
	const struct job *job = resolve(c, obj);
	if (!job) {
		if (type == WATCH_MODIFIED && old)
			job = resolve(c, old);	/* released: the old owner looks again */
		if (!job)
			return;
	}
	char *key = object_key(&job->obj), *pod_key = object_key(obj);
	if (type == WATCH_ADDED && !object_is_deleting(obj))
		expectations_creation_observed(c->expectations, key);
	if (object_is_deleting(obj) || type == WATCH_DELETED)
		expectations_deletion_observed(c->expectations, key, pod_key);
	if (type == WATCH_DELETED && !job_finished(job)) {
		/* Remember a pod that goes before a sync counted it. */
		struct job_ledger *l = ledger_get(c, key, job->obj.meta.uid);
		if (!hashmap_get(&l->counted, obj->meta.uid)) {
			xgrow((void **)&l->gone, &l->gone_cap, l->gone_len + 1, sizeof(*l->gone));
			l->gone[l->gone_len++] = object_ref(obj);
		}
	}
	workqueue_add(c->queue, key);
	free(pod_key);
	free(key);
}

static void on_job(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct job_controller *c = arg;
	char *key = object_key(obj);
	if (type == WATCH_DELETED ||
	    (type == WATCH_MODIFIED && strcmp(old->meta.uid, obj->meta.uid))) {
		expectations_delete(c->expectations, key);
		ledger_drop(c, key);
	}
	workqueue_add(c->queue, key);
	free(key);
}

/* ---- looking at the pods ------------------------------------------------- */

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
static int job_pods_collect(struct job_controller *c, const struct job *job,
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

static void job_pods_release(struct job_pods *pods)
{
	object_list_release(&pods->all);
	object_list_release(&pods->active);
	free(pods->new_succeeded);
	free(pods->new_failed);
}

/* K8S: backoffStore.newBackoffRecord: failures in a row since the last
 * success, and when the last of them finished. */
static void backoff_record(const struct job_ledger *ledger, const struct job_pods *pods,
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
static bool past_backoff_limit_on_failure(const struct job *job, const struct job_pods *pods)
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

/* ---- acting: create and delete pods -------------------------------------- */

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
static int32_t delete_active(struct job_controller *c, const struct job *job,
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

/* K8S: manageJob (without suspend). Returns the new number of active
 * pods; *rc becomes -1 when a create or delete failed. */
static int32_t manage_job(struct job_controller *c, const struct job *job, const char *key,
			  struct job_pods *pods, int32_t succeeded, const bool *completed,
			  int32_t failures, ktime_t last_failure, int *rc)
{
	int32_t active = (int32_t)pods->active.len;
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
		int32_t deleted = delete_active(c, job, key, &pods->active,
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

/* ---- status -------------------------------------------------------------- */

static void put_condition(struct job_status *status, const char *type, const char *reason,
			  const char *message, ktime_t now)
{
	struct condition cond = {
		.type = xstrdup(type), .status = xstrdup("True"),
		.reason = xstrdup(reason), .message = xstrdup(message),
		.last_probe_time = now, .last_transition_time = now,
	};
	ctrl_condition_put(&status->conditions, &cond);
}

/* Writes status when it changed, onto a copy of the stored Job. Returns
 * 0, or -1 (Conflict included: the key is retried from a fresh read). */
static int write_status(struct job_controller *c, const struct job *job,
			const struct job_status *status)
{
	const struct schema *schema = job_kind.status_schema;
	if (schema_equal(schema, status, &job->status))
		return 0;
	struct job *next = (struct job *)object_copy(&job->obj);
	schema_release(schema, &next->status);
	schema_copy(schema, &next->status, status);
	struct api_status result;
	return client_update_status(c->client, &next->obj, &result) == API_OK ? 0 : -1;
}

/* The finishing decision of one sync (K8S: jobCtx.finishedCondition). */
struct finish {
	const char *interim;		/* SuccessCriteriaMet, FailureTarget, or NULL */
	const char *terminal;		/* Complete, Failed */
	const char *reason, *message;
};

/* K8S: syncJob, once the Job was found and is not finished. */
static int reconcile(struct job_controller *c, const struct job *job, const char *key)
{
	const struct schema *schema = job_kind.status_schema;
	ktime_t now = client_now(c->client);
	struct job_ledger *ledger = ledger_get(c, key, job->obj.meta.uid);
	bool satisfied = expectations_satisfied(c->expectations, key);
	struct job_pods pods = {0};
	struct job_status status = {0};
	struct finish finish = {0};
	int rc = job_pods_collect(c, job, ledger, &pods);
	schema_copy(schema, &status, &job->status);

	/* Count the pods that finished since the last sync. */
	int32_t completions = job->spec.completions.is_set ?
			      (int32_t)job->spec.completions.value : 0;
	bool *completed = xcalloc((size_t)completions + 1, sizeof(*completed));
	int32_t succeeded = status.succeeded + (int32_t)pods.new_succeeded_len;
	int32_t failed = status.failed + (int32_t)pods.new_failed_len;
	if (job_is_indexed(job)) {
		/* K8S: calculateSucceededIndexes: an index counts once. */
		job_indexes_parse(status.completed_indexes, completed, completions);
		for (size_t i = 0; i < pods.new_succeeded_len; i++) {
			int32_t ix = job_pod_completion_index(pods.new_succeeded[i]);
			if (ix >= 0 && ix < completions)
				completed[ix] = true;
		}
		succeeded = 0;
		for (int32_t ix = 0; ix < completions; ix++)
			succeeded += completed[ix];
		free(status.completed_indexes);
		status.completed_indexes = job_indexes_format(completed, completions);
	}
	if (!status.start_time)
		status.start_time = now;
	int32_t failures;
	ktime_t last_failure;
	backoff_record(ledger, &pods, &failures, &last_failure);

	/* LAB: job-failure. Decide whether the Job has failed. */
	if (condition_true(job, "SuccessCriteriaMet")) {
		finish = (struct finish){ NULL, "Complete", "CompletionsReached",
					  "Reached expected number of succeeded pods" };
	} else if (condition_true(job, "FailureTarget")) {
		const struct condition *t =
			condition_find((void *)&job->status.conditions, "FailureTarget");
		finish = (struct finish){ NULL, "Failed", t->reason, t->message };
	} else if (failed > job->spec.backoff_limit.value ||
		   past_backoff_limit_on_failure(job, &pods)) {
		finish = (struct finish){ "FailureTarget", "Failed", "BackoffLimitExceeded",
					  "Job has reached the specified backoff limit" };
	} else if (job->spec.active_deadline_seconds.is_set) {
		ktime_t deadline = status.start_time +
				   job->spec.active_deadline_seconds.value * KTIME_SECOND;
		if (now >= deadline)
			finish = (struct finish){ "FailureTarget", "Failed", "DeadlineExceeded",
						  "Job was active longer than specified deadline" };
		else
			workqueue_add_after(c->queue, key, deadline - now);
	}

	int32_t active = (int32_t)pods.active.len;
	if (finish.terminal && !strcmp(finish.terminal, "Failed")) {
		/* A failing Job stops what still runs. */
		int32_t ready_gone = 0;
		int32_t deleted = delete_active(c, job, key, &pods.active, pods.active.len,
						false, &ready_gone);
		if (deleted != active || !satisfied)
			finish = (struct finish){0};	/* not yet: look again */
		active -= deleted;
		pods.terminating += deleted;
		pods.ready -= ready_gone;
		if (active > 0)
			rc = -1;	/* some deletions failed: retry */
	} else {
		if (satisfied && !object_is_deleting(&job->obj))
			active = manage_job(c, job, key, &pods, succeeded, completed, failures,
					    last_failure, &rc);
		bool complete = job->spec.completions.is_set ?
				succeeded >= job->spec.completions.value && active == 0 :
				succeeded > 0 && active == 0;
		if (complete && !finish.terminal)
			finish = (struct finish){ "SuccessCriteriaMet", "Complete",
						  "CompletionsReached",
						  "Reached expected number of succeeded pods" };
	}

	status.succeeded = succeeded;
	status.failed = failed;
	status.active = active;
	status.ready = pods.ready;
	if (finish.interim)
		put_condition(&status, finish.interim, finish.reason, finish.message, now);
	/* K8S: enactJobFinished: the terminal condition waits until no pod of
	 * the Job is still terminating. */
	bool finished = finish.terminal && pods.terminating == 0;
	if (finished) {
		put_condition(&status, finish.terminal, finish.reason, finish.message, now);
		if (!strcmp(finish.terminal, "Complete"))
			status.completion_time = now;
	}

	if (write_status(c, job, &status)) {
		rc = -1;
		goto out;
	}
	/* The counters are stored: remember which pods they include. */
	for (size_t i = 0; i < pods.new_succeeded_len; i++)
		hashmap_put(&ledger->counted, pods.new_succeeded[i]->obj.meta.uid, (void *)1);
	for (size_t i = 0; i < pods.new_failed_len; i++)
		hashmap_put(&ledger->counted, pods.new_failed[i]->obj.meta.uid, (void *)1);
	for (size_t i = 0; i < ledger->gone_len; i++)
		object_unref(ledger->gone[i]);
	ledger->gone_len = 0;
	ledger->failures_after_last_success = failures;
	ledger->last_failure = last_failure;
	if (finished && !strcmp(finish.terminal, "Complete"))
		client_event(c->client, &job->obj, "Normal", "Completed", "Job completed");
	else if (finished)
		client_event(c->client, &job->obj, "Warning", finish.reason, "%s", finish.message);
out:
	free(completed);
	schema_release(schema, &status);
	job_pods_release(&pods);
	return rc;
}

/* K8S: syncJob: the workqueue's sync function. */
static int sync_job(void *arg, const char *key)
{
	struct job_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	/* The Job as stored, not as cached: the counters are increments on
	 * it, and a cache still missing our last status write would undo
	 * them. (Upstream reads the cache and its stale UpdateStatus fails
	 * with Conflict; reading fresh spares that round.) */
	const struct object *obj = client_get(c->client, KIND_JOB, namespace, name);
	int rc = 0;
	if (!obj) {
		expectations_delete(c->expectations, key);
		ledger_drop(c, key);
	} else if (!job_finished(as_job(obj))) {
		struct object *job = object_ref(obj);	/* writes below change the store */
		rc = reconcile(c, as_job(job), key);
		object_unref(job);
	}
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *job_start(const struct client *client)
{
	struct job_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->expectations = expectations_new(&client->clock);
	c->queue = workqueue_new(&client->clock, "job", sync_job, c);
	/* Jobs first: the pod handler resolves owners through them. */
	c->jobs = informer_new(client, KIND_JOB, NULL, on_job, c);
	c->pods = informer_new(client, KIND_POD, informer_index_owner_or_orphan, on_pod, c);
	return c;
}

static void job_stop(void *state)
{
	struct job_controller *c = state;
	informer_free(c->pods);
	informer_free(c->jobs);
	workqueue_free(c->queue);
	expectations_free(c->expectations);
	const char *key;
	void *value;
	char **keys = xcalloc(c->ledgers.len + 1, sizeof(*keys));
	size_t n = 0;
	for (size_t pos = 0; hashmap_next(&c->ledgers, &pos, &key, &value);)
		keys[n++] = xstrdup(key);
	for (size_t i = 0; i < n; i++) {
		ledger_drop(c, keys[i]);
		free(keys[i]);
	}
	free(keys);
	hashmap_release(&c->ledgers);
	free(c);
}

const struct controller_ops job_controller = {
	.name = "job-controller",
	.start = job_start,
	.stop = job_stop,
};
