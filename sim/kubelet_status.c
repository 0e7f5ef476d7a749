/* kubelet_status.c - the pod status a kubelet reports, and its writes.
 *
 * K8S: pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase,
 * convertToAPIContainerStatuses), pkg/kubelet/status/generate.go (the
 * Initialized, ContainersReady and Ready conditions) and
 * pkg/kubelet/status/status_manager.go (merging with what is stored,
 * lastTransitionTime, writing through the /status subresource).
 *
 * Everything a student reads in `kubectl get pod -o yaml` under status
 * comes from here, derived from the worker's containers:
 *   - containerStatuses: per container its state (waiting with a reason,
 *     running since startedAt, or terminated with an exit code), its
 *     lastState (the instance before), ready, restartCount. Regular
 *     containers are sorted by name, init containers keep spec order, as
 *     upstream; a container not started yet waits with reason
 *     ContainerCreating, or PodInitializing in a pod with init containers;
 *   - phase: upstream's getPhase over those statuses (Pending until every
 *     container has started, Running, then Succeeded or Failed by the
 *     restart policy and the exit codes);
 *   - conditions, the kubelet's in upstream's order: PodReadyToStartContainers,
 *     Initialized, Ready, ContainersReady, PodScheduled; conditions others
 *     own (DisruptionTarget) are kept, ahead of them. A condition keeps its
 *     lastTransitionTime while its status stays the same;
 *   - hostIP, podIP and startTime from the sandbox.
 *
 * Writes: a change marks the worker dirty; one write happens at the end of
 * the instant (a zero-delay timer runs after everything already due now),
 * so a container starting and becoming ready at once is one write. A
 * status equal to the stored one is not written. Conflicts re-read and
 * re-apply, since the status is computed, not edited.
 */
#include "kubelet_sim.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define WRITE_ATTEMPTS 5

/* A container as its status shows it (see ctr_view). */
enum view_state { VIEW_WAITING, VIEW_RUNNING, VIEW_TERMINATED };

struct ctr_view {
	enum view_state state;
	const char *reason, *message;		/* VIEW_WAITING */
	const struct kubelet_exit *terminated;	/* VIEW_TERMINATED */
	const struct kubelet_exit *last;	/* lastState, or NULL */
};

static const struct kubelet_exit *exit_or_null(const struct kubelet_exit *exit)
{
	return exit->set ? exit : NULL;
}

/* The kubelet shows the latest instance of a container: running, or the
 * one that exited (also while its successor is being created); a container
 * held back by an error or a back-off waits with that reason, its exited
 * instance as lastState. */
static void ctr_view(const struct kubelet_worker *worker, const struct kubelet_ctr *ctr,
		     struct ctr_view *view)
{
	memset(view, 0, sizeof(*view));
	view->last = exit_or_null(&ctr->last_exit);
	if (ctr->phase == CTR_RUNNING) {
		view->state = VIEW_RUNNING;
	} else if (ctr->waiting_reason) {
		view->state = VIEW_WAITING;
		view->reason = ctr->waiting_reason;
		view->message = ctr->waiting_message;
		if (ctr->exit.set)
			view->last = &ctr->exit;
	} else if (ctr->exit.set) {
		view->state = VIEW_TERMINATED;
		view->terminated = &ctr->exit;
	} else {
		view->state = VIEW_WAITING;
		view->reason = worker->init_len ? "PodInitializing" : "ContainerCreating";
	}
}

static bool view_started(const struct ctr_view *view)
{
	return view->state != VIEW_WAITING;
}

/* ---- phase (K8S: getPhase) ----------------------------------------------- */

static const char *phase_of(const struct kubelet_worker *worker, const struct ctr_view *views,
			    bool terminal)
{
	if (worker->reject_reason)
		return POD_PHASE_FAILED;
	int pending_init = 0, pending_sidecars = 0, failed_init = 0;
	int running = 0, waiting = 0, stopped = 0, succeeded = 0;
	bool regular_started = false;
	for (size_t i = worker->init_len; i < worker->len; i++)
		regular_started |= view_started(&views[i]);
	for (size_t i = 0; i < worker->init_len; i++) {
		const struct ctr_view *v = &views[i];
		if (worker->ctrs[i].sidecar) {
			pending_sidecars += v->state != VIEW_RUNNING;
			continue;
		}
		if (v->state == VIEW_RUNNING)
			pending_init++;
		else if (v->state == VIEW_TERMINATED)
			failed_init += v->terminated->exit_code != 0;
		else if (v->last)
			failed_init += v->last->exit_code != 0;
		else
			pending_init++;
	}
	for (size_t i = worker->init_len; i < worker->len; i++) {
		const struct ctr_view *v = &views[i];
		if (v->state == VIEW_RUNNING) {
			running++;
		} else if (v->state == VIEW_TERMINATED) {
			stopped++;
			succeeded += v->terminated->exit_code == 0;
		} else if (v->last) {
			stopped++;
		} else {
			waiting++;
		}
	}
	const char *policy = kubelet_pod_restart_policy(worker);
	if (failed_init > 0 && !strcmp(policy, "Never"))
		return POD_PHASE_FAILED;
	if (pending_init > 0 || (pending_sidecars > 0 && !regular_started))
		return POD_PHASE_PENDING;
	if (waiting > 0)
		return POD_PHASE_PENDING;
	if (running > 0)
		return POD_PHASE_RUNNING;
	if (stopped > 0) {
		if (terminal)
			return stopped == succeeded ? POD_PHASE_SUCCEEDED : POD_PHASE_FAILED;
		if (!strcmp(policy, "Always"))
			return POD_PHASE_RUNNING;	/* all restarting */
		if (stopped == succeeded)
			return POD_PHASE_SUCCEEDED;
		if (!strcmp(policy, "Never"))
			return POD_PHASE_FAILED;
		return POD_PHASE_RUNNING;		/* OnFailure, restarting */
	}
	return POD_PHASE_PENDING;
}

static struct ctr_view *views_new(const struct kubelet_worker *worker)
{
	struct ctr_view *views = xcalloc(worker->len ? worker->len : 1, sizeof(*views));
	for (size_t i = 0; i < worker->len; i++)
		ctr_view(worker, &worker->ctrs[i], &views[i]);
	return views;
}

const char *kubelet_status_phase(const struct kubelet_worker *worker, bool terminal)
{
	struct ctr_view *views = views_new(worker);
	const char *phase = phase_of(worker, views, terminal);
	free(views);
	return phase;
}

/* ---- conditions (K8S: status/generate.go) -------------------------------- */

/* Go prints a []string as "[a b]"; upstream's messages use that. */
static char *name_list(char *list, const char *name)
{
	char *next = list ? xasprintf("%s %s", list, name) : xstrdup(name);
	free(list);
	return next;
}

struct condition_value {
	const char *type;
	bool status;
	const char *reason;
	char *message;		/* owned */
};

static void initialized(const struct kubelet_worker *worker, const struct ctr_view *views,
			const char *phase, struct condition_value *out)
{
	*out = (struct condition_value){ "Initialized", true, NULL, NULL };
	if (!worker->init_len)
		return;
	char *incomplete = NULL;
	bool regular_started = false;
	for (size_t i = 0; i < worker->init_len; i++) {
		const struct ctr_view *v = &views[i];
		bool done = worker->ctrs[i].sidecar ? v->state == VIEW_RUNNING
			: v->state == VIEW_TERMINATED && v->terminated->exit_code == 0;
		if (!done)
			incomplete = name_list(incomplete, worker->ctrs[i].spec->name);
	}
	for (size_t i = worker->init_len; i < worker->len; i++)
		regular_started |= view_started(&views[i]);
	if (!strcmp(phase, POD_PHASE_SUCCEEDED)) {
		out->reason = "PodCompleted";
	} else if (incomplete && !regular_started) {
		out->status = false;
		out->reason = "ContainersNotInitialized";
		out->message = xasprintf("containers with incomplete status: [%s]", incomplete);
	}
	free(incomplete);
}

/* ContainersReady; Ready is the same here (no readiness gates). */
static void containers_ready(const struct kubelet_worker *worker, const char *phase,
			     const char *type, struct condition_value *out)
{
	*out = (struct condition_value){ type, false, NULL, NULL };
	if (!strcmp(phase, POD_PHASE_SUCCEEDED)) {
		out->reason = "PodCompleted";
		return;
	}
	if (!strcmp(phase, POD_PHASE_FAILED)) {
		out->reason = "PodFailed";
		return;
	}
	char *unready = NULL;
	for (size_t i = 0; i < worker->len; i++) {
		const struct kubelet_ctr *ctr = &worker->ctrs[i];
		if ((!ctr->init || ctr->sidecar) && !ctr->ready)
			unready = name_list(unready, ctr->spec->name);
	}
	if (!unready) {
		out->status = true;
		return;
	}
	out->reason = "ContainersNotReady";
	out->message = xasprintf("containers with unready status: [%s]", unready);
	free(unready);
}

static bool owned_by_kubelet(const char *type)
{
	static const char *const owned[] = {
		"PodScheduled", "Ready", "Initialized", "ContainersReady",
		"PodReadyToStartContainers", NULL
	};
	for (size_t i = 0; owned[i]; i++)
		if (type && !strcmp(type, owned[i]))
			return true;
	return false;
}

/* K8S: status manager updateLastTransitionTime. */
static void condition_set(struct condition *c, const struct condition_value *value,
			  const struct pod_status *old, ktime_t now)
{
	const char *status = value->status ? "True" : "False";
	const struct condition *prev = condition_find((void *)&old->conditions, value->type);
	c->type = xstrdup(value->type);
	c->status = xstrdup(status);
	c->reason = xstrdup(value->reason);
	c->message = value->message;	/* taken over */
	c->last_transition_time = prev && prev->status && !strcmp(prev->status, status)
		? prev->last_transition_time : now;
}

static void conditions_fill(const struct kubelet_worker *worker, const struct ctr_view *views,
			    const char *phase, const struct pod_status *old,
			    struct pod_status *st, ktime_t now)
{
	struct condition_value values[5];
	bool finished = !strcmp(phase, POD_PHASE_SUCCEEDED) || !strcmp(phase, POD_PHASE_FAILED);
	values[0] = (struct condition_value){ "PodReadyToStartContainers",
					      !finished && !worker->delete_sent, NULL, NULL };
	initialized(worker, views, phase, &values[1]);
	containers_ready(worker, phase, "Ready", &values[2]);
	containers_ready(worker, phase, "ContainersReady", &values[3]);
	values[4] = (struct condition_value){ "PodScheduled", true, NULL, NULL };

	size_t kept = 0;
	for (size_t i = 0; i < old->conditions.len; i++)
		kept += !owned_by_kubelet(old->conditions.items[i].type);
	/* K8S: evictPod's condition DisruptionTarget, added once. */
	bool disruption = worker->evict_message &&
		!condition_find((void *)&old->conditions, "DisruptionTarget");
	st->conditions.len = kept + 5 + disruption;
	st->conditions.items = xcalloc(st->conditions.len, sizeof(*st->conditions.items));
	size_t n = 0;
	if (disruption) {
		struct condition *c = &st->conditions.items[n++];
		c->type = xstrdup("DisruptionTarget");
		c->status = xstrdup("True");
		c->reason = xstrdup("TerminationByKubelet");
		c->message = xstrdup(worker->evict_message);
		c->last_transition_time = now;
	}
	for (size_t i = 0; i < old->conditions.len; i++)
		if (!owned_by_kubelet(old->conditions.items[i].type))
			schema_copy(&condition_schema, &st->conditions.items[n++],
				    &old->conditions.items[i]);
	for (size_t i = 0; i < 5; i++)
		condition_set(&st->conditions.items[n++], &values[i], old, now);
}

/* ---- container statuses -------------------------------------------------- */

static void exit_fill(struct container_state_terminated *t, const struct kubelet_exit *exit)
{
	t->exit_code = exit->exit_code;
	t->reason = xstrdup(exit->reason);
	t->message = xstrdup(exit->message);
	t->started_at = exit->started_at;
	t->finished_at = exit->finished_at;
}

static void container_status_fill(const struct kubelet_ctr *ctr, const struct ctr_view *v,
				  struct container_status *cs)
{
	cs->name = xstrdup(ctr->spec->name);
	cs->image = xstrdup(ctr->image->name);
	cs->restart_count = ctr->restart_count;
	if (v->state == VIEW_RUNNING) {
		cs->state.running.started_at = ctr->started_at;
		cs->ready = ctr->ready;
		cs->started = ctr->started;
		cs->container_id = xstrdup(ctr->container_id);
	} else if (v->state == VIEW_TERMINATED) {
		exit_fill(&cs->state.terminated, v->terminated);
		cs->container_id = xstrdup(v->terminated->container_id);
	} else {
		cs->state.waiting.reason = xstrdup(v->reason);
		cs->state.waiting.message = xstrdup(v->message);
	}
	if (v->last)
		exit_fill(&cs->last_state.terminated, v->last);
}

static int compare_regular(const void *a, const void *b, void *arg)
{
	const struct kubelet_worker *worker = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	return strcmp(worker->ctrs[i].spec->name, worker->ctrs[j].spec->name);
}

static void container_statuses_fill(const struct kubelet_worker *worker,
				    const struct ctr_view *views, struct pod_status *st)
{
	size_t regular = worker->len - worker->init_len;
	if (worker->init_len) {
		st->init_container_statuses.items = xcalloc(worker->init_len,
							    sizeof(struct container_status));
		st->init_container_statuses.len = worker->init_len;
		for (size_t i = 0; i < worker->init_len; i++)
			container_status_fill(&worker->ctrs[i], &views[i],
					      &st->init_container_statuses.items[i]);
	}
	if (!regular)
		return;
	size_t *order = xcalloc(regular, sizeof(*order));
	for (size_t i = 0; i < regular; i++)
		order[i] = worker->init_len + i;
	qsort_r(order, regular, sizeof(*order), compare_regular, (void *)worker);
	st->container_statuses.items = xcalloc(regular, sizeof(struct container_status));
	st->container_statuses.len = regular;
	for (size_t i = 0; i < regular; i++)
		container_status_fill(&worker->ctrs[order[i]], &views[order[i]],
				      &st->container_statuses.items[i]);
	free(order);
}

/* ---- the whole status ---------------------------------------------------- */

/* K8S: generateAPIPodStatus merged with the stored status (old). */
static void status_build(const struct kubelet_worker *worker, const struct pod_status *old,
			 struct pod_status *st, ktime_t now)
{
	st->qos_class = xstrdup(old->qos_class);
	st->nominated_node_name = xstrdup(old->nominated_node_name);
	if (worker->reject_reason) {
		/* K8S: rejectPod writes phase, reason and message only. */
		st->phase = xstrdup(POD_PHASE_FAILED);
		st->reason = xstrdup(worker->reject_reason);
		st->message = xstrdup(worker->reject_message);
		return;
	}
	struct ctr_view *views = views_new(worker);
	const char *phase = phase_of(worker, views, worker->delete_sent);
	if (worker->evict_message) {
		/* K8S: the eviction manager's status function, applied as the
		 * pod starts terminating (kubelet_eviction.c). */
		phase = POD_PHASE_FAILED;
		st->reason = xstrdup("Evicted");
		st->message = xstrdup(worker->evict_message);
	} else if (old->phase && !strcmp(old->phase, phase)) {
		st->reason = xstrdup(old->reason);
		st->message = xstrdup(old->message);
	}
	st->phase = xstrdup(phase);
	conditions_fill(worker, views, phase, old, st, now);
	st->host_ip = xstrdup(worker->kubelet->internal_ip);
	st->pod_ip = xstrdup(worker->pod_ip);
	st->start_time = worker->start_time;
	container_statuses_fill(worker, views, st);
	free(views);
}

static void flush_timer(void *arg)
{
	struct kubelet_worker *worker = arg;
	worker->flush_timer = 0;
	kubelet_status_flush(worker);
}

void kubelet_status_mark_dirty(struct kubelet_worker *worker)
{
	if (worker->flush_timer || !worker->kubelet->up)
		return;
	worker->flush_timer = clock_after(&worker->kubelet->client->clock, 0,
					  flush_timer, worker);
}

void kubelet_status_flush(struct kubelet_worker *worker)
{
	const struct client *client = worker->kubelet->client;
	const struct schema *schema = pod_kind.status_schema;
	if (worker->flush_timer)
		clock_cancel(&client->clock, worker->flush_timer);
	worker->flush_timer = 0;
	if (!worker->kubelet->up)
		return;
	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		const struct object *obj = client_get(client, KIND_POD,
						      worker->pod->obj.meta.namespace,
						      worker->pod->obj.meta.name);
		if (!obj || strcmp(obj->meta.uid, worker->pod->obj.meta.uid))
			return;		/* gone, or a new pod of the same name */
		const struct pod *cur = (const struct pod *)obj;
		struct pod_status st = {0};
		status_build(worker, &cur->status, &st, client_now(client));
		if (schema_equal(schema, &cur->status, &st)) {
			schema_release(schema, &st);
			return;
		}
		/* K8S: the status manager patches the status alone
		 * (statusutil.PatchPodStatus). The /status write reads only
		 * the status, the name and the resourceVersion of what it is
		 * given, so that is all the kubelet sends: a copy of the whole
		 * pod would be built only to be thrown away. */
		struct pod *next = (struct pod *)object_new(&pod_kind);
		next->obj.meta.namespace = xstrdup(obj->meta.namespace);
		next->obj.meta.name = xstrdup(obj->meta.name);
		next->obj.meta.resource_version = obj->meta.resource_version;
		next->status = st;
		if (client_update_status(client, &next->obj, NULL) != API_CONFLICT)
			return;
	}
}
