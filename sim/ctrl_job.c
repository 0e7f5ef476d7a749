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
 * This file holds the events, the ledger, the sync and the status; the
 * pods have two files of their own: ctrl_job_pods.c (claiming and sorting
 * them, the back-off record) and ctrl_job_manage.c (creating and deleting
 * them); ctrl_job_internal.h declares what the three share.
 * See also: ctrl_job_util.c (back-off, indexes), ctrl_ttl_after_finished.c
 * (deletes finished Jobs), ctrl_replicaset.c (the same pattern, simpler).
 */
#include "ctrl_job.h"
#include "ctrl_job_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

static const struct job *as_job(const struct object *obj)
{
	return object_as(obj, KIND_JOB, const struct job);
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

/* K8S: ensureJobConditionStatus: sets the condition type to
 * status/reason/message in place (a new transition time), or appends it,
 * but never adds one that would say False: going from nothing to False
 * says nothing. Returns whether the list changed. */
static bool ensure_condition(struct job_status *status, const char *type, const char *value,
			     const char *reason, const char *message, ktime_t now)
{
	struct condition *c = condition_find(&status->conditions, type);
	if (c && c->status && !strcmp(c->status, value) && c->reason &&
	    !strcmp(c->reason, reason) && c->message && !strcmp(c->message, message))
		return false;
	if (!c && !strcmp(value, "False"))
		return false;
	if (!c) {
		put_condition(status, type, reason, message, now);
		return true;
	}
	free(c->status);
	free(c->reason);
	free(c->message);
	c->status = xstrdup(value);
	c->reason = xstrdup(reason);
	c->message = xstrdup(message);
	c->last_probe_time = c->last_transition_time = now;
	return true;
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
	bool suspend_event = false, resume_event = false;
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
	/* A suspended Job has not started: its deadline does not run. */
	bool suspended = job->spec.suspend;
	if (!status.start_time && !suspended)
		status.start_time = now;
	int32_t failures;
	ktime_t last_failure;
	job_backoff_record(ledger, &pods, &failures, &last_failure);

	/* LAB: job-failure. Decide whether the Job has failed. */
	if (condition_true(job, "SuccessCriteriaMet")) {
		finish = (struct finish){ NULL, "Complete", "CompletionsReached",
					  "Reached expected number of succeeded pods" };
	} else if (condition_true(job, "FailureTarget")) {
		const struct condition *t =
			condition_find((void *)&job->status.conditions, "FailureTarget");
		finish = (struct finish){ NULL, "Failed", t->reason, t->message };
	} else if (failed > job->spec.backoff_limit.value ||
		   job_past_backoff_limit_on_failure(job, &pods)) {
		finish = (struct finish){ "FailureTarget", "Failed", "BackoffLimitExceeded",
					  "Job has reached the specified backoff limit" };
	} else if (job->spec.active_deadline_seconds.is_set && !suspended) {
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
		int32_t deleted = job_delete_active(c, job, key, &pods.active, pods.active.len,
						false, &ready_gone);
		if (deleted != active || !satisfied)
			finish = (struct finish){0};	/* not yet: look again */
		active -= deleted;
		pods.terminating += deleted;
		pods.ready -= ready_gone;
		if (active > 0)
			rc = -1;	/* some deletions failed: retry */
	} else {
		bool managed = satisfied && !object_is_deleting(&job->obj);
		if (managed)
			active = job_manage(c, job, key, &pods, succeeded, completed, failures,
					    last_failure, &rc);
		bool complete = job->spec.completions.is_set ?
				succeeded >= job->spec.completions.value && active == 0 :
				succeeded > 0 && active == 0;
		if (complete && !finish.terminal) {
			finish = (struct finish){ "SuccessCriteriaMet", "Complete",
						  "CompletionsReached",
						  "Reached expected number of succeeded pods" };
		} else if (managed && suspended) {
			/* LAB: job-suspend. Only a sync that managed the pods
			 * says so (the next one, if expectations wait). */
			suspend_event = ensure_condition(&status, "Suspended", "True",
							 "JobSuspended", "Job suspended", now);
			/* K8S: MutableSchedulingDirectivesForSuspendedJobs
			 * (GA): a suspended Job has not started. */
			status.start_time = 0;
		} else if (managed &&
			   ensure_condition(&status, "Suspended", "False", "JobResumed",
					    "Job resumed", now)) {
			/* activeDeadlineSeconds counts continuous activity:
			 * the clock starts again, as for a Job created
			 * suspended. */
			resume_event = true;
			status.start_time = now;
		}
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
	if (suspend_event)
		client_event(c->client, &job->obj, "Normal", "Suspended", "Job suspended");
	if (resume_event)
		client_event(c->client, &job->obj, "Normal", "Resumed", "Job resumed");
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
