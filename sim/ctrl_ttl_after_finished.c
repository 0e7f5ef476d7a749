/* ctrl_ttl_after_finished.c - delete finished Jobs once their TTL passed.
 *
 * K8S: pkg/controller/ttlafterfinished/ttlafterfinished_controller.go
 * (processJob, processTTL, needsCleanup, getFinishAndExpireTime).
 *
 * A finished Job and its pods stay in the API until someone deletes them,
 * so that `kubectl logs` and `kubectl describe` still work. A Job with
 * spec.ttlSecondsAfterFinished is deleted by this controller that many
 * seconds after it finished: after the lastTransitionTime of its Complete
 * or Failed condition. The deletion is Foreground, so the garbage
 * collector removes the pods first and the Job last. Upstream records no
 * Event for it; neither does kubelab.
 *
 * Before deleting, the controller reads the Job fresh from the API server
 * and checks the TTL again (the user may have just raised it), then
 * deletes with the resourceVersion it checked as a precondition.
 *
 * Interface: the ttl_after_finished_controller row.
 * Invariants: only Jobs that are finished and have a TTL are deleted, and
 * never before finish time + TTL.
 * See also: ctrl_job.c (sets the conditions), ctrl_garbage_collector.c.
 */
#include "ctrl_ttl_after_finished.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "workqueue.h"
#include "xmalloc.h"

struct ttl_controller {
	const struct client *client;
	struct informer *jobs;
	struct workqueue *queue;
};

/* K8S: jobFinishTime: when the Complete or Failed condition turned True;
 * 0 while the Job is not finished. */
static ktime_t finish_time(const struct job *job)
{
	for (size_t i = 0; i < job->status.conditions.len; i++) {
		const struct condition *c = &job->status.conditions.items[i];
		if (c->type && c->status && !strcmp(c->status, "True") &&
		    (!strcmp(c->type, "Complete") || !strcmp(c->type, "Failed")))
			return c->last_transition_time;
	}
	return 0;
}

/* K8S: needsCleanup: a TTL, finished, not already being deleted. */
static bool needs_cleanup(const struct job *job)
{
	return job->spec.ttl_seconds_after_finished.is_set && finish_time(job) &&
	       !object_is_deleting(&job->obj);
}

static void on_job(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct ttl_controller *c = arg;
	(void)old;
	if (type == WATCH_DELETED || !needs_cleanup(object_as(obj, KIND_JOB, const struct job)))
		return;
	char *key = object_key(obj);
	workqueue_add(c->queue, key);
	free(key);
}

/* How long until job expires (<= 0: it has). */
static ktime_t time_left(const struct ttl_controller *c, const struct job *job)
{
	ktime_t expire = finish_time(job) +
			 job->spec.ttl_seconds_after_finished.value * KTIME_SECOND;
	return expire - client_now(c->client);
}

/* K8S: processJob. */
static int sync_ttl(void *arg, const char *key)
{
	struct ttl_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	int rc = 0;
	const struct object *cached = informer_get(c->jobs, namespace, name);
	if (!cached || !needs_cleanup(object_as(cached, KIND_JOB, const struct job)))
		goto out;
	ktime_t left = time_left(c, object_as(cached, KIND_JOB, const struct job));
	if (left > 0) {
		workqueue_add_after(c->queue, key, left);
		goto out;
	}
	/* The cache may be stale: check the Job as stored before deleting. */
	const struct object *fresh = client_get(c->client, KIND_JOB, namespace, name);
	if (!fresh || !needs_cleanup(object_as(fresh, KIND_JOB, const struct job)))
		goto out;
	left = time_left(c, object_as(fresh, KIND_JOB, const struct job));
	if (left > 0) {
		workqueue_add_after(c->queue, key, left);
		goto out;
	}
	/* LAB: ttl-after-finished. Foreground: the pods go first. */
	struct delete_options options = {
		.grace_period_seconds = -1,
		.propagation_policy = "Foreground",
		.precondition_rv = fresh->meta.resource_version,
	};
	struct api_status status;
	enum api_code code = client_delete(c->client, KIND_JOB, namespace, name, &options,
					   &status);
	if (code != API_OK && code != API_NOT_FOUND)
		rc = -1;
out:
	free(namespace);
	free(name);
	return rc;
}

static void *ttl_start(const struct client *client)
{
	struct ttl_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "ttl_jobs_to_delete", sync_ttl, c);
	c->jobs = informer_new(client, KIND_JOB, NULL, on_job, c);
	return c;
}

static void ttl_stop(void *state)
{
	struct ttl_controller *c = state;
	informer_free(c->jobs);
	workqueue_free(c->queue);
	free(c);
}

const struct controller_ops ttl_after_finished_controller = {
	.name = "ttl-after-finished-controller",
	.start = ttl_start,
	.stop = ttl_stop,
};
