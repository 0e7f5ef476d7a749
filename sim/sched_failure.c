/* sched_failure.c - a failed scheduling attempt: event, condition, requeue.
 *
 * K8S: pkg/scheduler/schedule_one.go (handleSchedulingFailure, FitError,
 * and the end of schedulingCycle that runs PostFilter),
 * framework/plugins/defaultpreemption (the "preemption: ..." part of the
 * message), pkg/api/v1/pod (UpdatePodCondition).
 *
 * When no node fits, PostFilter (DefaultPreemption, sched_preemption.c)
 * may evict lower-priority pods and nominate the pod to the node they
 * free. Then, as for any failure: a FailedScheduling Warning event (the
 * message cut at the event note limit), the pod's PodScheduled=False
 * condition with reason Unschedulable or SchedulerError (and its
 * nominatedNodeName), and the pod back in the queue -- parked until the
 * cluster changes when Filter plugins rejected it, backing off otherwise.
 *
 * Interface (sched_internal.h): sched_fit_error, sched_handle_failure.
 *
 * Invariants: the pod is re-read first; one that is gone, replaced or
 * already bound leaves the queue and gets no status write; the status is
 * written only when it changes.
 */
#include "sched_internal.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

/* K8S: validation.NoteLengthLimit: event messages are cut there. */
#define NOTE_LENGTH_LIMIT 1024

/* K8S: updatePod with a PodScheduled condition (podutil.UpdatePodCondition:
 * lastTransitionTime moves only when the status changes; nothing is
 * written when nothing changed) and, when nominate is not NULL
 * (NominatingMode Override), nominatedNodeName set to it ("" clears). */
static void set_unschedulable_condition(struct scheduler *s, const struct pod *pod,
					const char *reason, const char *message,
					const char *nominate)
{
	struct pod *copy = (struct pod *)object_copy(&pod->obj);
	struct pod_status *st = &copy->status;
	struct condition *c = condition_find(&st->conditions, "PodScheduled");
	bool changed = false;
	if (!c) {
		st->conditions.items = xrealloc(st->conditions.items,
						(st->conditions.len + 1) * sizeof(*c));
		c = &st->conditions.items[st->conditions.len++];
		memset(c, 0, sizeof(*c));
		c->type = xstrdup("PodScheduled");
		changed = true;
	}
	if (!c->status || strcmp(c->status, "False")) {
		c->last_transition_time = client_now(s->client);
		changed = true;
	}
	if (!c->reason || strcmp(c->reason, reason) || !c->message ||
	    strcmp(c->message, message))
		changed = true;
	free(c->status);
	free(c->reason);
	free(c->message);
	c->status = xstrdup("False");
	c->reason = xstrdup(reason);
	c->message = xstrdup(message);
	if (nominate && strcmp(nominate, st->nominated_node_name ? st->nominated_node_name : "")) {
		free(st->nominated_node_name);
		st->nominated_node_name = *nominate ? xstrdup(nominate) : NULL;
		changed = true;
	}
	if (changed)
		client_update_status(s->client, &copy->obj, NULL);
	else
		object_unref(&copy->obj);
}

/* LAB: sched-failure. K8S: handleSchedulingFailure. rejected: the status
 * was Unschedulable(AndUnresolvable) (condition reason Unschedulable, not
 * SchedulerError); by_plugins: Filter plugins rejected it, so it parks
 * until the cluster changes instead of backing off. nominate: NULL leaves
 * the pod's nomination alone, else the node PostFilter nominated it to
 * ("" clears). */
void sched_handle_failure(struct scheduler *s, struct sched_queued_pod *qp,
			  const char *message, bool rejected, bool by_plugins,
			  const char *nominate)
{
	s->failed_attempts++;
	if (!by_plugins)
		qp->rejectors = 0;	/* an error: no plugin to ask, any event helps */
	const struct pod *pod = (const struct pod *)object_ref(&qp->pod->obj);
	const struct object *cur = client_get(s->client, KIND_POD,
					      pod->obj.meta.namespace, pod->obj.meta.name);
	/* Held across the writes below, which may replace the stored one. */
	const struct pod *latest = cur && !strcmp(cur->meta.uid, pod->obj.meta.uid)
		? (const struct pod *)object_ref(cur) : NULL;
	if (!latest || sched_pod_is_assigned(latest))
		sched_queue_done(s->queue, qp);	/* gone, or bound by another */
	else
		sched_queue_failed(s->queue, qp, latest, by_plugins);

	char *note = NULL;
	if (strlen(message) > NOTE_LENGTH_LIMIT)
		note = xasprintf("%.*s ...", NOTE_LENGTH_LIMIT - 4, message);
	client_event(s->client, &pod->obj, "Warning", "FailedScheduling", "%s",
		     note ? note : message);
	free(note);
	/* K8S: AddNominatedPod before the status write comes back, so the
	 * next cycles already count the pod on its nominated node. */
	if (latest && !sched_pod_is_assigned(latest) && nominate)
		sched_nominator_add(&s->nominator, &s->cache, latest, nominate);
	if (latest && !sched_pod_is_assigned(latest))
		set_unschedulable_condition(s, latest,
					    rejected ? "Unschedulable" : "SchedulerError",
					    message, nominate);
	object_unref((struct object *)latest);
	object_unref((struct object *)pod);
}

/* K8S: the end of schedulingCycle when no node fits: RunPostFilterPlugins
 * (DefaultPreemption, sched_preemption.c), whose message becomes the
 * FitError's "preemption: ..." part, then handleSchedulingFailure with the
 * nomination it asked for. */
void sched_fit_error(struct scheduler *s, struct sched_state *state,
		     struct sched_queued_pod *qp,
		     struct sched_node_info *const *nodes, size_t n)
{
	struct sched_post_filter_input in = {
		.nodes = nodes, .verdicts = s->verdicts, .len = n,
		.profile = s->profile, .client = s->client, .rng = &s->rng,
		.nominator = &s->nominator,
	};
	struct sched_post_filter_result result;
	sched_run_post_filter(s->profile, state, &in, &result);
	s->diagnosis.post_filter_msg = result.message;
	result.message = NULL;		/* the diagnosis owns it now */
	qp->rejectors = s->diagnosis.rejected_by;	/* K8S: UnschedulablePlugins */
	char *message = sched_fit_error_message(&s->diagnosis);
	if (s->explain.attempt) {
		s->attempt.nominated_node = result.nominate && *result.nominated_node
			? result.nominated_node : NULL;
		s->attempt.victims = (const char *const *)result.victims;
		s->attempt.victims_len = result.victims_len;
		sched_attempt_end(s, 0, NULL, message);
	}
	sched_handle_failure(s, qp, message, true, true,
		       result.nominate ? result.nominated_node : NULL);
	free(message);
	sched_post_filter_result_release(&result);
}
