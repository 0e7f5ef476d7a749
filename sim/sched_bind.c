/* sched_bind.c - assume, Reserve, Permit, then PreBind and the bind.
 *
 * K8S: pkg/scheduler/schedule_one.go (assume, RunReservePluginsReserve,
 * RunPermitPlugins, bindingCycle, handleBindingCycleError,
 * finishBinding), framework/plugins/defaultbinder.
 *
 * Once the cycle (sched.c) has chosen a node, the pod is assumed: booked
 * on the node in the cache at once, so the next cycle already sees the
 * node fuller. Reserve and Permit plugins then run (student plugins may
 * have them); a "no" runs Unreserve, forgets the pod and fails the
 * attempt. A Permit "Wait" holds the pod as a waiting pod
 * (sched_waiting.h) until it is allowed, rejected or timed out; only then
 * does its binding cycle go on, or fail as a rejection does. The bind
 * itself comes bind_latency later, through a timer: PreBind plugins, then
 * spec.nodeName written, the Scheduled event and PostBind plugins.
 * Upstream posts a Binding, which also sets PodScheduled=True; here a
 * plain update writes nodeName and the kubelet's first status write sets
 * the condition.
 *
 * Interface (sched_internal.h): sched_assume_and_bind,
 * sched_binding_free (for scheduler_free), sched_permit_done (the waiting
 * pods' verdict).
 *
 * Invariants: a binding owns its scheduling state (the binding cycle sees
 * what Reserve wrote) and holds the queued pod in flight until it is done;
 * every exit of bind() either confirms the assumption or forgets it.
 */
#include "sched_internal.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

void sched_binding_free(struct scheduler *s, struct binding *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		s->bindings = b->next;
	if (b->next)
		b->next->prev = b->prev;
	sched_waiting_pod_free(b->waiting);
	sched_state_release(&b->state);
	free(b->node);
	free(b);
}

/* K8S: a Reserve, Permit or PreBind status that is not Success: a
 * rejection reads as a FitError over the one chosen node ("0/1 nodes are
 * available: 1 <reason>."), anything else is the plugin's error. The
 * caller has already undone the reservation. */
static void after_select_failure(struct scheduler *s, struct sched_queued_pod *qp,
				 const struct sched_status *status)
{
	bool rejected = status->code == SCHED_UNSCHEDULABLE ||
			status->code == SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
	char *message;
	if (rejected) {
		struct sched_diagnosis d = { 0 };
		sched_diagnosis_reset(&d, 1);
		sched_diagnosis_add(&d, status);
		qp->rejectors = d.rejected_by;
		message = sched_fit_error_message(&d);
		sched_diagnosis_release(&d);
	} else {
		message = xstrdup(status->reasons_len ? status->reasons[0] : "plugin error");
	}
	sched_handle_failure(s, qp, message, rejected, rejected, "");
	free(message);
}

/* LAB: sched-bind. K8S: bindingCycle + DefaultBinder + finishBinding. */
static void bind(void *arg)
{
	struct binding *b = arg;
	struct scheduler *s = b->scheduler;
	struct sched_queued_pod *qp = b->qp;
	const struct pod *assumed = qp->pod;
	const struct object *cur = client_get(s->client, KIND_POD,
					      assumed->obj.meta.namespace,
					      assumed->obj.meta.name);
	const struct pod *pod = (const struct pod *)cur;
	if (!pod || strcmp(cur->meta.uid, qp->uid) || qp->deleted ||
	    sched_pod_is_assigned(pod) || object_is_deleting(cur)) {
		/* Gone, replaced, bound by someone else, or terminating: the
		 * binding would be refused; just drop the assumption. */
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_queue_done(s->queue, qp);
		sched_binding_free(s, b);
		return;
	}
	/* K8S: bindingCycle: PreBind, then the bind itself. */
	struct sched_status pre_bind;
	if (sched_run_pre_bind(b->profile, &b->state, b->node, &pre_bind) != SCHED_SUCCESS) {
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_events_forgotten(s, qp->pod, b->node);	/* the room is free */
		after_select_failure(s, qp, &pre_bind);
		sched_binding_free(s, b);
		return;
	}
	/* K8S: DefaultBinder posts a Binding (pods/binding), which sets
	 * spec.nodeName and nothing else the scheduler wrote. */
	struct api_status status;
	if (client_bind(s->client, assumed->obj.meta.namespace, assumed->obj.meta.name,
			qp->uid, b->node, &status) != API_OK) {
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_events_forgotten(s, qp->pod, b->node);	/* the room is free */
		/* K8S: handleBindingCycleError clears the nomination. */
		sched_handle_failure(s, qp, status.message, false, false, "");
		sched_binding_free(s, b);
		return;
	}
	s->scheduled++;
	client_event(s->client, &assumed->obj, "Normal", "Scheduled",
		     "Successfully assigned %s/%s to %s", assumed->obj.meta.namespace,
		     assumed->obj.meta.name, b->node);
	sched_run_post_bind(b->profile, &b->state, b->node);
	sched_queue_done(s->queue, qp);
	sched_binding_free(s, b);
}

/* LAB: sched-permit-wait. K8S: WaitOnPermit returning: allowed, the
 * binding cycle goes on (bind_latency from now); rejected or timed out,
 * it fails as a Permit rejection would, over the one node it had
 * ("0/1 nodes are available: 1 rejected due to timeout ..."), and
 * handleBindingCycleError undoes the reservation. */
void sched_permit_done(void *arg, struct sched_waiting_pod *wp,
		       const struct sched_status *verdict)
{
	struct scheduler *s = arg;
	struct binding *b = wp->binding;
	struct sched_status status;
	sched_status_copy(&status, verdict);	/* wp goes now */
	b->waiting = NULL;
	sched_waiting_pod_free(wp);
	if (status.code == SCHED_SUCCESS) {
		b->timer = clock_after(&s->client->clock, s->bind_latency, bind, b);
		return;
	}
	sched_run_unreserve(b->profile, &b->state, b->node);
	sched_cache_forget_pod(&s->cache, b->qp->uid);
	sched_events_forgotten(s, b->qp->pod, b->node);	/* the room is free */
	after_select_failure(s, b->qp, &status);
	sched_binding_free(s, b);
}

/* Takes over state (released here on failure, by the binding otherwise). */
void sched_assume_and_bind(struct scheduler *s, struct sched_queued_pod *qp,
			   struct sched_node_info *node, size_t found,
			   struct sched_state *state)
{
	/* LAB: sched-assume. Booked now; bound later. */
	sched_cache_assume_pod(&s->cache, qp->pod, node);
	sched_nominator_delete(&s->nominator, qp->uid);
	/* K8S: RunReservePluginsReserve, then RunPermitPlugins. */
	struct sched_status status;
	struct sched_permit_waits waits = { .len = 0 };
	enum sched_code code = sched_run_reserve(s->profile, state, node->name, &status);
	if (code == SCHED_SUCCESS)
		code = sched_run_permit(s->profile, state, node->name, &status, &waits);
	if (s->explain.attempt) {
		char *waiting = NULL;
		for (size_t i = 0; code == SCHED_WAIT && i < waits.len; i++) {
			char *next = xasprintf("%s%s%s", waiting ? waiting : "", i ? ", " : "",
					       waits.plugins[i]->name);
			free(waiting);
			waiting = next;
		}
		s->attempt.permit_wait = waiting;
		sched_attempt_end(s, found, node->name, NULL);
		free(waiting);
		s->attempt.permit_wait = NULL;
	}
	if (code != SCHED_SUCCESS && code != SCHED_WAIT) {
		sched_run_unreserve(s->profile, state, node->name);
		sched_cache_forget_pod(&s->cache, qp->uid);
		after_select_failure(s, qp, &status);
		sched_state_release(state);
		return;
	}
	struct binding *b = xcalloc(1, sizeof(*b));
	b->scheduler = s;
	b->qp = qp;
	b->node = xstrdup(node->name);
	b->profile = s->profile;
	b->state = *state;	/* moved: the caller's copy is not released */
	b->next = s->bindings;
	if (s->bindings)
		s->bindings->prev = b;
	s->bindings = b;
	if (code == SCHED_WAIT) {
		/* K8S: the binding cycle's WaitOnPermit: held until the
		 * verdict (sched_permit_done). */
		b->waiting = sched_waiting_pods_add(&s->waiting, b, qp->pod, b->node, &waits);
		return;
	}
	b->timer = clock_after(&s->client->clock, s->bind_latency, bind, b);
}
