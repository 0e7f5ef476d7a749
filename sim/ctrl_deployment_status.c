/* ctrl_deployment_status.c - what a Deployment reports: counts and the
 * Available and Progressing conditions.
 *
 * K8S: pkg/controller/deployment/progress.go (syncRolloutStatus,
 * requeueStuckDeployment), sync.go (calculateStatus, syncDeploymentStatus,
 * checkPausedConditions), util/deployment_util.go (DeploymentComplete,
 * DeploymentProgressing, DeploymentTimedOut).
 *
 * The numbers are sums over the ReplicaSets' own status (the ReplicaSet
 * controller counts pods): replicas, updatedReplicas (those of the new
 * RS), readyReplicas, availableReplicas, unavailableReplicas. Available
 * is True while at least replicas - maxUnavailable pods are available.
 * Progressing tells the rollout's story: NewReplicaSetCreated,
 * ReplicaSetUpdated each time some progress is seen (which restarts the
 * progressDeadlineSeconds clock), NewReplicaSetAvailable when done, and
 * ProgressDeadlineExceeded when no progress came in time.
 *
 * Interface: ctrl_deployment.h. Status is only written when it changed.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "ctrl_util.h"
#include "xmalloc.h"

static bool has_reason(const struct condition *cond, const char *reason)
{
	return cond && cond->reason && !strcmp(cond->reason, reason);
}

static const struct condition *progressing(const struct deployment_status *s)
{
	return condition_find((void *)&s->conditions, "Progressing");
}

/* K8S: calculateStatus. */
static void calculate_status(const struct rollout *r, struct deployment_status *s,
			     ktime_t now)
{
	const struct deployment *d = r->d;
	schema_copy(deployment_kind.status_schema, s, &d->status);
	int32_t available = rs_set_available(&r->all);
	int32_t unavailable = rs_set_spec_replicas(&r->all) - available;
	s->observed_generation = d->obj.meta.generation;
	s->replicas = rs_set_replicas(&r->all);
	s->updated_replicas = r->new_rs ? r->new_rs->status.replicas : 0;
	s->ready_replicas = rs_set_ready(&r->all);
	s->available_replicas = available;
	s->unavailable_replicas = unavailable > 0 ? unavailable : 0;
	/* LAB: deployment-available */
	if (available >= d->spec.replicas - deployment_max_unavailable(d))
		deployment_set_condition(s, "Available", "True", REASON_MIN_AVAILABLE,
					 xstrdup("Deployment has minimum availability."), now);
	else
		deployment_set_condition(s, "Available", "False", REASON_MIN_UNAVAILABLE,
					 xstrdup("Deployment does not have minimum availability."),
					 now);
}

/* K8S: DeploymentComplete: every replica updated and available. */
static bool rollout_complete(const struct deployment *d, const struct deployment_status *s)
{
	return s->updated_replicas == d->spec.replicas && s->replicas == d->spec.replicas &&
	       s->available_replicas == d->spec.replicas &&
	       s->observed_generation >= d->obj.meta.generation;
}

/* K8S: DeploymentProgressing: more new pods, fewer old ones, or more
 * ready or available than the status last said. */
static bool rollout_progressing(const struct deployment *d, const struct deployment_status *s)
{
	const struct deployment_status *o = &d->status;
	return s->updated_replicas > o->updated_replicas ||
	       s->replicas - s->updated_replicas < o->replicas - o->updated_replicas ||
	       s->ready_replicas > o->ready_replicas ||
	       s->available_replicas > o->available_replicas;
}

/* K8S: DeploymentTimedOut: no progress for progressDeadlineSeconds since
 * the Progressing condition's lastUpdateTime. */
static bool rollout_timed_out(const struct deployment *d, const struct deployment_status *s,
			      ktime_t now)
{
	const struct condition *cond = progressing(s);
	if (!deployment_has_progress_deadline(d) || !cond ||
	    has_reason(cond, REASON_NEW_RS_AVAILABLE))
		return false;
	if (has_reason(cond, REASON_TIMED_OUT))
		return true;
	return cond->last_update_time + d->spec.progress_deadline_seconds * KTIME_SECOND < now;
}

/* "ReplicaSet "web-5d4c8b9f7" <what>.", or the deployment's name when
 * there is no new RS yet. */
static char *progress_message(const struct rollout *r, const char *what)
{
	if (r->new_rs)
		return xasprintf("ReplicaSet \"%s\" %s.", r->new_rs->obj.meta.name, what);
	return xasprintf("Deployment \"%s\" %s.", r->d->obj.meta.name, what);
}

/* The Progressing condition for this sync (K8S: the switch in
 * syncRolloutStatus). */
static void update_progress(const struct rollout *r, struct deployment_status *s, ktime_t now)
{
	const struct deployment *d = r->d;
	const struct condition *cur = progressing(&d->status);
	/* A finished rollout (a resync, not a new one) has nothing to report. */
	bool done = s->replicas == s->updated_replicas && has_reason(cur, REASON_NEW_RS_AVAILABLE);
	if (!deployment_has_progress_deadline(d) || done)
		return;
	if (rollout_complete(d, s)) {
		deployment_set_condition(s, "Progressing", "True", REASON_NEW_RS_AVAILABLE,
					 progress_message(r, "has successfully progressed"), now);
	} else if (rollout_progressing(d, s)) {
		/* Progress refreshes lastUpdateTime even with the same reason:
		 * it is what the deadline is measured from. */
		bool was_true = cur && cur->status && !strcmp(cur->status, "True");
		ktime_t since = was_true ? cur->last_transition_time : now;
		ctrl_condition_remove(&s->conditions, "Progressing");
		struct condition cond = {
			.type = xstrdup("Progressing"), .status = xstrdup("True"),
			.reason = xstrdup(REASON_RS_UPDATED),
			.message = progress_message(r, "is progressing"),
			.last_update_time = now, .last_transition_time = since,
		};
		ctrl_condition_put(&s->conditions, &cond);
	} else if (rollout_timed_out(d, s, now)) {
		deployment_set_condition(s, "Progressing", "False", REASON_TIMED_OUT,
					 progress_message(r, "has timed out progressing"), now);
	}
}

/* K8S: getReplicaFailures: the new RS's ReplicaFailure, else an old one's,
 * becomes the deployment's. */
static void copy_replica_failure(const struct rollout *r, struct deployment_status *s,
				 ktime_t now)
{
	const struct condition *failure = NULL;
	if (r->new_rs)
		failure = condition_find((void *)&r->new_rs->status.conditions, "ReplicaFailure");
	for (size_t i = 0; !failure && i < r->all.len; i++)
		failure = condition_find((void *)&r->all.items[i]->status.conditions,
					 "ReplicaFailure");
	if (!failure) {
		ctrl_condition_remove(&s->conditions, "ReplicaFailure");
		return;
	}
	deployment_set_condition(s, "ReplicaFailure", failure->status,
				 failure->reason ? failure->reason : "",
				 xstrdup(failure->message ? failure->message : ""), now);
}

/* K8S: requeueStuckDeployment: with no progress to write, look again
 * when the deadline would pass, or a rollout could hang unnoticed. */
static void requeue_stuck(const struct rollout *r, const struct deployment_status *s,
			  ktime_t now)
{
	const struct deployment *d = r->d;
	const struct condition *cur = progressing(&d->status);
	if (!deployment_has_progress_deadline(d) || !cur || rollout_complete(d, s) ||
	    has_reason(cur, REASON_TIMED_OUT))
		return;
	ktime_t deadline = cur->last_update_time +
			   d->spec.progress_deadline_seconds * KTIME_SECOND;
	ktime_t after = deadline - now;
	/* Plus a second, as upstream, so the check lands after the deadline. */
	deployment_enqueue(r->c, &d->obj, after < KTIME_SECOND ? 0 : after + KTIME_SECOND);
}

static int sync_status(struct rollout *r, bool rollout)
{
	ktime_t now = client_now(r->c->client);
	const struct schema *schema = deployment_kind.status_schema;
	struct deployment_status s = {0};
	calculate_status(r, &s, now);
	if (rollout) {
		update_progress(r, &s, now);
		copy_replica_failure(r, &s, now);
	}
	int rc = 0;
	if (schema_equal(schema, &s, &r->d->status)) {
		if (rollout)
			requeue_stuck(r, &s, now);
	} else {
		schema_release(schema, &r->d->status);
		schema_copy(schema, &r->d->status, &s);
		rc = deployment_write(r, true);
	}
	schema_release(schema, &s);
	return rc;
}

int deployment_sync_rollout_status(struct rollout *r)
{
	return sync_status(r, true);
}

int deployment_sync_status(struct rollout *r)
{
	return sync_status(r, false);
}

int deployment_check_paused(struct rollout *r)
{
	struct deployment *d = r->d;
	const struct condition *cur = progressing(&d->status);
	/* A reported timeout stays reported. */
	if (!deployment_has_progress_deadline(d) || has_reason(cur, REASON_TIMED_OUT))
		return 0;
	bool paused_cond = has_reason(cur, REASON_PAUSED);
	ktime_t now = client_now(r->c->client);
	bool changed = false;
	if (d->spec.paused && !paused_cond)
		changed = deployment_set_condition(&d->status, "Progressing", "Unknown",
						   REASON_PAUSED, xstrdup("Deployment is paused"),
						   now);
	else if (!d->spec.paused && paused_cond)
		changed = deployment_set_condition(&d->status, "Progressing", "Unknown",
						   REASON_RESUMED, xstrdup("Deployment is resumed"),
						   now);
	return changed ? deployment_write(r, true) : 0;
}
