/* print_pod.c - a pod's STATUS, READY and RESTARTS, as `kubectl get pods`.
 *
 * K8S: printPod in pkg/printers/internalversion/printers.go. The STATUS
 * column is not a field of the Pod: kubectl derives it, and the rule is
 * worth knowing because it is what everyone reads first. In order:
 *   1. the phase (Pending, Running, Succeeded, Failed), or status.reason
 *      when set (Evicted), or SchedulingGated;
 *   2. while an init container has not finished: Init:<its waiting or
 *      terminated reason> (Init:CrashLoopBackOff, Init:Error) or Init:N/M
 *      (N init containers of M done); restartable init containers
 *      (sidecars) count as done once started;
 *   3. otherwise the reason of a regular container that is waiting
 *      (ContainerCreating, CrashLoopBackOff, ImagePullBackOff) or
 *      terminated (Completed, Error, OOMKilled, ExitCode:N), the first
 *      container in the spec winning; a pod whose sidecar still runs after
 *      its containers completed shows Running (NotReady if not Ready);
 *   4. once deletionTimestamp is set: Terminating, or Unknown when the
 *      node lifecycle controller marked the pod NodeLost.
 * READY counts ready running containers (and started ready sidecars) over
 * containers plus sidecars; RESTARTS sums restartCount and adds how long
 * ago the newest restart happened: "3 (45s ago)".
 *
 * Invariant: reads the pod only; the summary is plain data.
 */
#include "print_internal.h"

#include <string.h>

bool container_state_running(const struct container_state *state)
{
	return state->running.started_at != 0;
}

bool container_state_waiting(const struct container_state *state)
{
	return state->waiting.reason || state->waiting.message;
}

bool container_state_terminated(const struct container_state *state)
{
	const struct container_state_terminated *t = &state->terminated;
	return t->reason || t->message || t->exit_code || t->signal ||
	       t->started_at || t->finished_at;
}

static bool pod_condition_true(const struct pod *pod, const char *type)
{
	const struct condition *c =
		condition_find((void *)&pod->status.conditions, type);
	return c && c->status && !strcmp(c->status, "True");
}

static bool is_restartable_init(const struct pod *pod, const char *name)
{
	for (size_t i = 0; i < pod->spec.init_containers.len; i++) {
		const struct container *c = &pod->spec.init_containers.items[i];
		if (c->name && name && !strcmp(c->name, name))
			return c->restart_policy && !strcmp(c->restart_policy, "Always");
	}
	return false;
}

static void note_restart(const struct container_status *cs, ktime_t *last)
{
	if (container_state_terminated(&cs->last_state) &&
	    cs->last_state.terminated.finished_at > *last)
		*last = cs->last_state.terminated.finished_at;
}

/* "Signal:9" / "ExitCode:1" for a terminated state without a reason. */
static void terminated_reason(const struct container_state_terminated *t,
			      const char *prefix, char *buf, size_t size)
{
	if (t->reason && *t->reason)
		snprintf(buf, size, "%s%s", prefix, t->reason);
	else if (t->signal)
		snprintf(buf, size, "%sSignal:%d", prefix, t->signal);
	else
		snprintf(buf, size, "%sExitCode:%d", prefix, t->exit_code);
}

/* K8S: printPod; the steps are numbered as in the comment at the top. */
void print_pod_summarize(const struct pod *pod, struct pod_summary *s)
{
	const struct pod_status *st = &pod->status;
	const char *phase = st->phase ? st->phase : "";
	*s = (struct pod_summary){ .total = (int)pod->spec.containers.len };
	snprintf(s->reason, sizeof(s->reason), "%s",
		 st->reason && *st->reason ? st->reason : phase);
	for (size_t i = 0; i < st->conditions.len; i++) {
		const struct condition *c = &st->conditions.items[i];
		if (c->type && !strcmp(c->type, "PodScheduled") &&
		    c->reason && !strcmp(c->reason, "SchedulingGated"))
			snprintf(s->reason, sizeof(s->reason), "SchedulingGated");
	}
	for (size_t i = 0; i < pod->spec.init_containers.len; i++)
		if (is_restartable_init(pod, pod->spec.init_containers.items[i].name))
			s->total++;

	/* Init containers run one after another: the first unfinished one
	 * names the status. Sidecars (restartable) count once started. */
	bool initializing = false;
	int sidecar_restarts = 0;
	ktime_t sidecar_last = 0;
	for (size_t i = 0; i < st->init_container_statuses.len; i++) {
		const struct container_status *cs = &st->init_container_statuses.items[i];
		bool sidecar = is_restartable_init(pod, cs->name);
		s->restarts += cs->restart_count;
		note_restart(cs, &s->last_restart);
		if (sidecar) {
			sidecar_restarts += cs->restart_count;
			note_restart(cs, &sidecar_last);
		}
		bool terminated = container_state_terminated(&cs->state);
		if (terminated && cs->state.terminated.exit_code == 0)
			continue;
		if (sidecar && cs->started) {
			s->ready += cs->ready;
			continue;
		}
		if (terminated)
			terminated_reason(&cs->state.terminated, "Init:", s->reason,
					  sizeof(s->reason));
		else if (cs->state.waiting.reason && *cs->state.waiting.reason &&
			 strcmp(cs->state.waiting.reason, "PodInitializing"))
			snprintf(s->reason, sizeof(s->reason), "Init:%s",
				 cs->state.waiting.reason);
		else
			snprintf(s->reason, sizeof(s->reason), "Init:%zu/%zu", i,
				 pod->spec.init_containers.len);
		initializing = true;
		break;
	}

	if (!initializing || pod_condition_true(pod, "Initialized")) {
		s->restarts = sidecar_restarts;
		s->last_restart = sidecar_last;
		bool has_running = false;
		/* Backwards, so the first container's reason wins. */
		for (size_t i = st->container_statuses.len; i-- > 0;) {
			const struct container_status *cs = &st->container_statuses.items[i];
			s->restarts += cs->restart_count;
			note_restart(cs, &s->last_restart);
			if (cs->state.waiting.reason && *cs->state.waiting.reason)
				snprintf(s->reason, sizeof(s->reason), "%s",
					 cs->state.waiting.reason);
			else if (container_state_terminated(&cs->state))
				terminated_reason(&cs->state.terminated, "", s->reason,
						  sizeof(s->reason));
			else if (cs->ready && container_state_running(&cs->state)) {
				has_running = true;
				s->ready++;
			}
		}
		/* A pod whose sidecar still runs after its main container
		 * completed is not "Completed". */
		if (!strcmp(s->reason, "Completed") && has_running)
			snprintf(s->reason, sizeof(s->reason), "%s",
				 pod_condition_true(pod, "Ready") ? "Running" : "NotReady");
	}

	bool terminal = !strcmp(phase, POD_PHASE_FAILED) ||
			!strcmp(phase, POD_PHASE_SUCCEEDED);
	if (object_is_deleting(&pod->obj) && st->reason &&
	    !strcmp(st->reason, "NodeLost"))
		snprintf(s->reason, sizeof(s->reason), "Unknown");
	else if (object_is_deleting(&pod->obj) && !terminal)
		snprintf(s->reason, sizeof(s->reason), "Terminating");
}

const char *print_pod_status(const struct object *obj, char *buf, size_t size)
{
	struct pod_summary s;
	print_pod_summarize(object_as(obj, KIND_POD, struct pod), &s);
	snprintf(buf, size, "%s", s.reason);
	return buf;
}

