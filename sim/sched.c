/* sched.c - the scheduler: watches, the scheduling cycle, binding.
 *
 * K8S: pkg/scheduler/schedule_one.go (ScheduleOne, schedulingCycle,
 * findNodesThatPassFilters, numFeasibleNodesToFind, prioritizeNodes,
 * selectHost, assume, bind, handleSchedulingFailure),
 * pkg/scheduler/eventhandlers.go (which watch event goes where),
 * framework/plugins/defaultpreemption (the PostFilter message).
 *
 * One scheduling cycle, for the pod at the head of the queue:
 *   1. skip it if it is being deleted;
 *   2. PreFilter: per-pod work (its summed requests), plugins may opt out;
 *   3. Filter: walk the nodes starting where the last cycle stopped, and
 *      stop once enough feasible nodes are found (all of them in a small
 *      cluster, 10% of 5000 nodes) -- in a big cluster the scheduler
 *      trades a perfect choice for speed, and the rotation gives every
 *      node its turn;
 *   4. none feasible: PostFilter, where DefaultPreemption may evict
 *      lower-priority pods and nominate the pod to the node they free
 *      (sched_preemption.c), then the FailedScheduling event, the
 *      PodScheduled=False condition (and nominatedNodeName), and the pod
 *      goes back to the queue;
 *   5. one feasible: take it; several: Score each with every score plugin,
 *      weight, sum, and take the highest total, ties broken at random
 *      (seeded) by reservoir sampling so that equal nodes share the load;
 *   6. assume: book the pod on the node in the cache now, so the next
 *      cycle already sees the node fuller; then Reserve and Permit
 *      plugins (none of the built-in ones has one; student plugins
 *      may): a "no" runs Unreserve, forgets the pod and fails the
 *      attempt;
 *   7. bind, bind_latency later: PreBind plugins (a "no" undoes as
 *      above), then write spec.nodeName and record the
 *      Scheduled event. Upstream posts a Binding, which also sets
 *      PodScheduled=True; here a plain update writes nodeName and the
 *      kubelet's first status write sets the condition. The watch event
 *      that follows confirms the assumption.
 * Cycles run one per clock event, through a zero-delay timer armed
 * whenever the queue has work, so watch events that arrive meanwhile
 * interleave in order.
 *
 * Which pods: those with this scheduler's schedulerName and no nodeName.
 * Pods that already have a nodeName (set by a user, or bound) are only
 * booked in the cache. Terminal pods (Succeeded, Failed) leave the cache,
 * as upstream's informer filters them out.
 *
 * Nominated pods (sched_nominator.h): a pod nominated by an earlier
 * preemption tries its nominated node first; every Filter counts the pods
 * nominated to a node with equal or higher priority, so the room being
 * freed is kept for them.
 *
 * Not modelled: NodeVolumeLimits, VolumeRestrictions,
 * PreFilterResult node narrowing, QueueingHints (every cluster event
 * moves every parked pod), Permit's Wait, PostBind, extenders, and
 * SchedulerAsyncPreemption (victims are deleted within the cycle).
 *
 * Profiles (K8S: profile.Map, frameworkForPod): one scheduler may serve
 * several schedulerNames, each with its own plugins, weights and args
 * (sched_config.h). They share the queue and the cache; a cycle runs the
 * profile named by the pod's spec.schedulerName. A pod naming a scheduler
 * no profile serves is left alone, Pending, as upstream leaves it to
 * whichever scheduler does serve that name.
 *
 * Explaining: with scheduler_options.explain set, every attempt is also
 * described to the hook (sched.h): the Filter verdict of each node
 * examined, every Score plugin's raw and normalized score, the tie. This
 * is what `kubelab explain` and the trace's "schedule" records show.
 *
 * Costs: a cycle is O(nodes examined) with no allocation per node; the
 * cache update on assume, bind and delete is O(1). Explaining allocates
 * one string per rejected node, only when a hook is set.
 */
#include "sched.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "prng.h"
#include "release.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_nominator.h"
#include "sched_queue.h"
#include "xmalloc.h"

/* K8S: validation.NoteLengthLimit: event messages are cut there. */
#define NOTE_LENGTH_LIMIT 1024
/* The scheduler's stream of the seed (prng_derive), so its tie-breaks do
 * not depend on other components' draws. */
#define SCHED_PRNG_STREAM 0x5c4ed

/* An assumed pod waiting for its binding. */
struct binding {
	struct scheduler *scheduler;
	struct sched_queued_pod *qp;	/* in flight until the bind is done */
	char *node;
	timer_id timer;
	/* K8S: the binding cycle goes on with the scheduling cycle's state
	 * and framework (PreBind and Unreserve see what Reserve wrote). */
	const struct sched_profile *profile;
	struct sched_state state;	/* owned */
	struct binding *prev, *next;
};

struct scheduler {
	const struct client *client;
	ktime_t bind_latency;
	int32_t percentage_of_nodes_to_score;	/* the global one */
	struct prng rng;
	/* The profiles, one per schedulerName served (a copy; their args
	 * are borrowed from the configuration). profile is this cycle's. */
	struct sched_profile *profiles;
	size_t profiles_len;
	const struct sched_profile *profile;
	struct sched_cache cache;
	struct sched_queue *queue;
	struct sched_nominator nominator;	/* K8S: the queue's PodNominator */
	int pod_watch, node_watch;
	timer_id cycle_timer;
	size_t next_start_node_index;	/* K8S: sched.nextStartNodeIndex */
	/* A pod was parked by InterPodAffinity: a newly bound pod may be the
	 * one it waits for (see pod_bound). */
	bool affinity_parked;
	uint64_t scheduled, failed_attempts;
	struct binding *bindings;
	/* Scratch for one cycle, grown to the node count and reused. */
	struct sched_node_info **feasible;
	int64_t *scratch, *totals;
	enum sched_code *verdicts;	/* per listed node, this cycle's Filter */
	size_t scratch_cap;
	struct sched_diagnosis diagnosis;
	/* The explanation of this cycle, only when explain.attempt is set:
	 * one entry per node examined, the entry of each feasible node, and
	 * the score details (sized as the scratch above). */
	struct sched_explain_hook explain;
	struct sched_attempt attempt;
	struct sched_explain_node *ex_nodes;
	size_t *ex_feasible;
	int64_t *ex_raw, *ex_normalized;
};

static bool is_terminal(const struct pod *pod)
{
	const char *phase = pod->status.phase;
	return phase && (!strcmp(phase, POD_PHASE_SUCCEEDED) ||
			 !strcmp(phase, POD_PHASE_FAILED));
}

static bool is_assigned(const struct pod *pod)
{
	return pod->spec.node_name && *pod->spec.node_name;
}

/* K8S: profile.Map lookup (frameworkForPod): the profile serving the
 * pod's schedulerName, or NULL when none does. */
static const struct sched_profile *profile_for(const struct scheduler *s,
					       const struct pod *pod)
{
	const char *name = pod->spec.scheduler_name;
	if (!name || !*name)
		name = DEFAULT_SCHEDULER_NAME;
	for (size_t i = 0; i < s->profiles_len; i++)
		if (!strcmp(s->profiles[i].scheduler_name, name))
			return &s->profiles[i];
	return NULL;
}

static bool is_responsible(const struct scheduler *s, const struct pod *pod)
{
	return profile_for(s, pod) != NULL;
}

/* K8S: the profile's percentageOfNodesToScore, else the global one. */
static int32_t percentage_of(const struct scheduler *s)
{
	return s->profile->percentage_set ? s->profile->percentage_of_nodes_to_score
					  : s->percentage_of_nodes_to_score;
}

/* ---- explaining (only with a hook) --------------------------------------- */

static void explain_begin(struct scheduler *s, const struct pod *pod, size_t n)
{
	struct sched_attempt *a = &s->attempt;
	memset(a, 0, sizeof(*a));
	a->pod = pod;
	a->time = client_now(s->client);
	a->num_all_nodes = n;
	a->percentage = percentage_of(s);
	a->num_to_find = sched_num_feasible_nodes_to_find(a->percentage, n);
	if (!sched_profile_has_score(s->profile))
		a->num_to_find = n ? 1 : 0;
	a->start_index = n ? s->next_start_node_index % n : 0;
	a->nodes = s->ex_nodes;
}

/* Records the Filter verdict of one node; found counts the feasible ones
 * so far, this one included. */
static void explain_node(struct scheduler *s, const struct sched_node_info *node,
			 const struct sched_status *status, size_t found)
{
	struct sched_explain_node *e = &s->ex_nodes[s->attempt.nodes_len];
	memset(e, 0, sizeof(*e));
	e->name = node->name;
	e->code = status->code;
	if (status->code == SCHED_SUCCESS) {
		s->ex_feasible[found - 1] = s->attempt.nodes_len;
	} else {
		char *reason = NULL;
		for (size_t i = 0; i < status->reasons_len; i++) {
			char *next = xasprintf("%s%s%s", reason ? reason : "",
					       i ? ", " : "", status->reasons[i]);
			free(reason);
			reason = next;
		}
		e->plugin = status->plugin ? status->plugin->name : NULL;
		e->reason = reason;
	}
	s->attempt.nodes_len++;
}

/* Copies the score details of the found feasible nodes into their
 * entries, and counts the nodes that share the chosen one's total. */
static void explain_scores(struct scheduler *s, const struct sched_score_detail *d,
			   size_t found, size_t chosen)
{
	struct sched_attempt *a = &s->attempt;
	a->plugins_len = d->plugins_len;
	for (size_t k = 0; k < d->plugins_len; k++) {
		a->plugins[k] = d->plugins[k]->plugin->name;
		a->weights[k] = d->plugins[k]->weight;
	}
	a->ties = 0;
	for (size_t i = 0; i < found; i++) {
		struct sched_explain_node *e = &s->ex_nodes[s->ex_feasible[i]];
		e->raw = &s->ex_raw[i * SCHED_PLUGIN_MAX];
		e->normalized = &s->ex_normalized[i * SCHED_PLUGIN_MAX];
		e->total = s->totals[i];
		if (s->totals[i] == s->totals[chosen])
			a->ties++;
	}
}

/* Hands the attempt to the hook and forgets it. */
static void explain_end(struct scheduler *s, size_t found, const char *chosen,
			const char *message)
{
	struct sched_attempt *a = &s->attempt;
	a->examined = a->nodes_len;
	a->feasible = found;
	a->chosen = chosen;
	if (chosen && !a->ties)
		a->ties = 1;
	a->message = message;
	s->explain.attempt(s->explain.arg, a);
	for (size_t i = 0; i < a->nodes_len; i++)
		free((char *)s->ex_nodes[i].reason);
	a->nodes_len = 0;
}

/* ---- failure: event, condition, requeue ---------------------------------- */

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
static void handle_failure(struct scheduler *s, struct sched_queued_pod *qp,
			   const char *message, bool rejected, bool by_plugins,
			   const char *nominate)
{
	s->failed_attempts++;
	const struct pod *pod = (const struct pod *)object_ref(&qp->pod->obj);
	const struct object *cur = client_get(s->client, KIND_POD,
					      pod->obj.meta.namespace, pod->obj.meta.name);
	/* Held across the writes below, which may replace the stored one. */
	const struct pod *latest = cur && !strcmp(cur->meta.uid, pod->obj.meta.uid)
		? (const struct pod *)object_ref(cur) : NULL;
	if (!latest || is_assigned(latest))
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
	if (latest && !is_assigned(latest) && nominate)
		sched_nominator_add(&s->nominator, &s->cache, latest, nominate);
	if (latest && !is_assigned(latest))
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
static void fit_error(struct scheduler *s, struct sched_state *state,
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
	if (s->diagnosis.rejected_by & (1u << SCHED_PLUGIN_INTER_POD_AFFINITY))
		s->affinity_parked = true;
	char *message = sched_fit_error_message(&s->diagnosis);
	if (s->explain.attempt) {
		s->attempt.nominated_node = result.nominate && *result.nominated_node
			? result.nominated_node : NULL;
		s->attempt.victims = (const char *const *)result.victims;
		s->attempt.victims_len = result.victims_len;
		explain_end(s, 0, NULL, message);
	}
	handle_failure(s, qp, message, true, true,
		       result.nominate ? result.nominated_node : NULL);
	free(message);
	sched_post_filter_result_release(&result);
}

/* ---- binding ------------------------------------------------------------- */

static void binding_free(struct scheduler *s, struct binding *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		s->bindings = b->next;
	if (b->next)
		b->next->prev = b->prev;
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
		message = sched_fit_error_message(&d);
		sched_diagnosis_release(&d);
	} else {
		message = xstrdup(status->reasons_len ? status->reasons[0] : "plugin error");
	}
	handle_failure(s, qp, message, rejected, rejected, "");
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
	    is_assigned(pod) || object_is_deleting(cur)) {
		/* Gone, replaced, bound by someone else, or terminating: the
		 * binding would be refused; just drop the assumption. */
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_queue_done(s->queue, qp);
		binding_free(s, b);
		return;
	}
	/* K8S: bindingCycle: PreBind, then the bind itself. */
	struct sched_status pre_bind;
	if (sched_run_pre_bind(b->profile, &b->state, b->node, &pre_bind) != SCHED_SUCCESS) {
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_queue_move_all(s->queue);	/* the forgotten room is free */
		after_select_failure(s, qp, &pre_bind);
		binding_free(s, b);
		return;
	}
	struct pod *copy = (struct pod *)object_copy(cur);
	free(copy->spec.node_name);
	copy->spec.node_name = xstrdup(b->node);
	struct api_status status;
	if (client_update(s->client, &copy->obj, &status) != API_OK) {
		sched_run_unreserve(b->profile, &b->state, b->node);
		sched_cache_forget_pod(&s->cache, qp->uid);
		sched_queue_move_all(s->queue);	/* the forgotten room is free */
		/* K8S: handleBindingCycleError clears the nomination. */
		handle_failure(s, qp, status.message, false, false, "");
		binding_free(s, b);
		return;
	}
	s->scheduled++;
	client_event(s->client, &assumed->obj, "Normal", "Scheduled",
		     "Successfully assigned %s/%s to %s", assumed->obj.meta.namespace,
		     assumed->obj.meta.name, b->node);
	sched_queue_done(s->queue, qp);
	binding_free(s, b);
}

/* Takes over state (released here on failure, by the binding otherwise). */
static void assume_and_bind(struct scheduler *s, struct sched_queued_pod *qp,
			    const struct sched_node_info *node, struct sched_state *state)
{
	/* LAB: sched-assume. Booked now; bound later. */
	sched_cache_assume_pod(&s->cache, qp->pod, node->name);
	sched_nominator_delete(&s->nominator, qp->uid);
	/* K8S: RunReservePluginsReserve, then RunPermitPlugins. */
	struct sched_status status;
	enum sched_code code = sched_run_reserve(s->profile, state, node->name, &status);
	if (code == SCHED_SUCCESS)
		code = sched_run_permit(s->profile, state, node->name, &status);
	if (code != SCHED_SUCCESS) {
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
	b->timer = clock_after(&s->client->clock, s->bind_latency, bind, b);
}

/* ---- the cycle ----------------------------------------------------------- */

static void grow_scratch(struct scheduler *s, size_t n)
{
	if (n <= s->scratch_cap)
		return;
	size_t cap = n * 2;
	s->feasible = xrealloc(s->feasible, cap * sizeof(*s->feasible));
	s->scratch = xrealloc(s->scratch, cap * sizeof(*s->scratch));
	s->totals = xrealloc(s->totals, cap * sizeof(*s->totals));
	s->verdicts = xrealloc(s->verdicts, cap * sizeof(*s->verdicts));
	s->scratch_cap = cap;
	if (!s->explain.attempt)
		return;
	s->ex_nodes = xrealloc(s->ex_nodes, cap * sizeof(*s->ex_nodes));
	s->ex_feasible = xrealloc(s->ex_feasible, cap * sizeof(*s->ex_feasible));
	s->ex_raw = xrealloc(s->ex_raw, cap * SCHED_PLUGIN_MAX * sizeof(*s->ex_raw));
	s->ex_normalized = xrealloc(s->ex_normalized,
				    cap * SCHED_PLUGIN_MAX * sizeof(*s->ex_normalized));
}

/* LAB: sched-select-host. K8S: selectHost: the highest total; among
 * equals, the k-th seen replaces the choice with probability 1/k, which
 * leaves each of them equally likely. */
static size_t select_host(struct scheduler *s, size_t n)
{
	size_t best = 0, ties = 1;
	for (size_t i = 1; i < n; i++) {
		if (s->totals[i] > s->totals[best]) {
			best = i;
			ties = 1;
		} else if (s->totals[i] == s->totals[best]) {
			ties++;
			if (prng_below(&s->rng, ties) == 0)
				best = i;
		}
	}
	return best;
}

/* K8S: findNodesThatPassFilters, sequential: examine nodes from
 * nextStartNodeIndex until enough are feasible. Returns how many are. */
static size_t find_feasible(struct scheduler *s, struct sched_state *state,
			    struct sched_node_info *const *nodes, size_t n)
{
	size_t want = sched_num_feasible_nodes_to_find(percentage_of(s), n);
	if (!sched_profile_has_score(s->profile))
		want = 1;	/* nothing to compare: the first will do */
	struct sched_status status;
	size_t found = 0, examined = 0;
	const bool explaining = s->explain.attempt != NULL;	/* hoisted: hot loop */
	const bool nominated = s->nominator.len != 0;	/* any preemption pending */
	/* i walks the list from the start index, wrapping by subtraction:
	 * a division per node costs more than most of the Filters. */
	size_t i = s->next_start_node_index % n;
	for (; examined < n && found < want; examined++, i = i + 1 == n ? 0 : i + 1) {
		sched_cache_prefetch(nodes, n, i);	/* speed only, see there */
		enum sched_code code = nominated
			? sched_run_filter_with_nominated(s->profile, state, nodes[i], &status)
			: sched_run_filter(s->profile, state, nodes[i], &status);
		s->verdicts[i] = code;
		if (code == SCHED_SUCCESS)
			s->feasible[found++] = nodes[i];
		else
			sched_diagnosis_add(&s->diagnosis, &status);
		if (explaining)
			explain_node(s, nodes[i], &status, found);
	}
	s->next_start_node_index = (s->next_start_node_index + examined) % n;
	return found;
}

/* K8S: evaluateNominatedNode. A pod that preempted others was nominated to
 * the node being emptied for it: try that node first, and take it alone
 * if it fits. Returns 1 when it did (s->feasible[0]); 0 leaves the full
 * walk to decide, which examines that node again. */
static size_t try_nominated_node(struct scheduler *s, struct sched_state *state,
				 const struct pod *pod)
{
	const char *name = pod->status.nominated_node_name;
	if (!name || !*name)
		return 0;
	const struct sched_node_info *node = sched_cache_node(&s->cache, name);
	if (!node || !node->listed)
		return 0;
	struct sched_status status;
	if (sched_run_filter_with_nominated(s->profile, state, node, &status) != SCHED_SUCCESS)
		return 0;
	s->feasible[0] = (struct sched_node_info *)node;
	if (s->explain.attempt)
		explain_node(s, node, &status, 1);
	return 1;
}

/* K8S: ScheduleOne + schedulingCycle + schedulePod. */
static void schedule_one(struct scheduler *s)
{
	struct sched_queued_pod *qp = sched_queue_pop(s->queue);
	if (!qp)
		return;
	const struct pod *pod = qp->pod;
	/* Queued only when a profile serves it; schedulerName is immutable. */
	s->profile = profile_for(s, pod);
	BUG_ON(!s->profile);
	if (object_is_deleting(&pod->obj)) {
		client_event(s->client, &pod->obj, "Warning", "FailedScheduling",
			     "skip schedule deleting pod: %s/%s",
			     pod->obj.meta.namespace, pod->obj.meta.name);
		sched_queue_done(s->queue, qp);
		return;
	}
	size_t n;
	struct sched_node_info *const *nodes = sched_cache_list(&s->cache, &n);
	if (n == 0) {
		/* K8S: ErrNoNodesAvailable: UnschedulableAndUnresolvable
		 * with clearNominatedNode; no plugin rejected it, so it backs
		 * off and retries rather than waiting for an event. */
		if (s->explain.attempt) {
			explain_begin(s, pod, 0);
			explain_end(s, 0, NULL, "no nodes available to schedule pods");
		}
		handle_failure(s, qp, "no nodes available to schedule pods", true, false, "");
		return;
	}
	grow_scratch(s, n);
	sched_diagnosis_reset(&s->diagnosis, n);
	if (s->explain.attempt)
		explain_begin(s, pod, n);
	struct sched_state state;
	sched_state_init(&state, pod, &s->cache);
	state.store = s->client->store;
	state.nominator = &s->nominator;
	state.client = s->client;
	struct sched_status status;
	size_t found = 0;
	enum sched_code code = sched_run_pre_filter(s->profile, &state, &status);
	if (code != SCHED_SUCCESS) {
		/* Every node gets the PreFilter verdict; the message is its. */
		char *msg = NULL;
		for (size_t i = 0; i < status.reasons_len; i++) {
			char *next = xasprintf("%s%s%s", msg ? msg : "", i ? ", " : "",
					       status.reasons[i]);
			free(msg);
			msg = next;
		}
		s->diagnosis.pre_filter_msg = msg;
		s->attempt.pre_filter_plugin = status.plugin->name;
		for (size_t i = 0; i < n; i++)
			s->verdicts[i] = code;
	} else if (!(found = try_nominated_node(s, &state, pod))) {
		found = find_feasible(s, &state, nodes, n);
	}
	if (found == 0) {
		fit_error(s, &state, qp, nodes, n);
	} else {
		size_t chosen = 0;
		if (found > 1) {
			struct sched_score_detail detail = {
				.raw = s->ex_raw, .normalized = s->ex_normalized,
			};
			if (sched_run_score(s->profile, &state, s->feasible, found,
					    s->scratch, s->totals,
					    s->explain.attempt ? &detail : NULL) != SCHED_SUCCESS) {
				/* K8S: a plugin's error fails the cycle:
				 * SchedulerError, and the pod backs off. */
				if (s->explain.attempt)
					explain_end(s, 0, NULL, state.error);
				handle_failure(s, qp, state.error, false, false, "");
				sched_state_release(&state);
				return;
			}
			chosen = select_host(s, found);
			if (s->explain.attempt)
				explain_scores(s, &detail, found, chosen);
		}
		if (s->explain.attempt)
			explain_end(s, found, s->feasible[chosen]->name, NULL);
		assume_and_bind(s, qp, s->feasible[chosen], &state);
		return;
	}
	sched_state_release(&state);
}

static void run_cycle(void *arg)
{
	struct scheduler *s = arg;
	s->cycle_timer = 0;
	schedule_one(s);
	if (sched_queue_len(s->queue, SCHED_QUEUE_ACTIVE) && !s->cycle_timer)
		s->cycle_timer = clock_after(&s->client->clock, 0, run_cycle, s);
}

static void on_active(void *arg)
{
	struct scheduler *s = arg;
	if (!s->cycle_timer)
		s->cycle_timer = clock_after(&s->client->clock, 0, run_cycle, s);
}

/* ---- watch events -------------------------------------------------------- */

/* K8S: InterPodAffinity's EventsToRegister (an assigned Pod added): a
 * pod parked for want of a pod to be near may fit once one is bound.
 * Upstream's queueing hint asks whether the new pod matches the parked
 * pod's terms; kubelab moves every parked pod, only while some pod was
 * parked by InterPodAffinity, so clusters without affinity pay nothing. */
static void pod_bound(struct scheduler *s)
{
	if (!s->affinity_parked)
		return;
	s->affinity_parked = false;
	sched_queue_move_all(s->queue);
}

static void pod_added(struct scheduler *s, const struct pod *pod)
{
	if (is_terminal(pod))
		return;
	if (is_assigned(pod)) {
		sched_cache_add_pod(&s->cache, pod);
		pod_bound(s);
	} else if (is_responsible(s, pod)) {
		sched_queue_add(s->queue, pod);
		sched_nominator_add(&s->nominator, &s->cache, pod, NULL);
	}
}

static void pod_deleted(struct scheduler *s, const struct pod *pod)
{
	/* LAB: sched-release. The room is free: parked pods may fit now. */
	if (sched_cache_remove_pod(&s->cache, pod->obj.meta.uid))
		sched_queue_move_all(s->queue);
	sched_queue_delete(s->queue, pod->obj.meta.uid);
	sched_nominator_delete(&s->nominator, pod->obj.meta.uid);
}

/* K8S: eventhandlers.go: one informer for assigned pods (the cache), one
 * for unassigned pods this scheduler serves (the queue); terminal pods
 * are filtered out of both, so becoming terminal looks like a delete. */
static void pod_modified(struct scheduler *s, const struct pod *old,
			 const struct pod *pod)
{
	if (is_terminal(pod)) {
		if (!is_terminal(old))
			pod_deleted(s, pod);
		return;
	}
	if (is_assigned(pod)) {
		sched_cache_add_pod(&s->cache, pod);
		if (!is_assigned(old)) {
			sched_queue_delete(s->queue, pod->obj.meta.uid);
			sched_nominator_delete(&s->nominator, pod->obj.meta.uid);
			pod_bound(s);
		}
		return;
	}
	if (!is_responsible(s, pod) || sched_cache_pod(&s->cache, pod->obj.meta.uid))
		return;		/* not ours, or assumed and being bound */
	sched_queue_update(s->queue, old, pod);
	sched_nominator_update(&s->nominator, &s->cache, old, pod);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct scheduler *s = arg;
	const struct pod *pod = object_as(obj, KIND_POD, const struct pod);
	switch (type) {
	case WATCH_ADDED:
		pod_added(s, pod);
		break;
	case WATCH_MODIFIED:
		pod_modified(s, object_as(old, KIND_POD, const struct pod), pod);
		break;
	case WATCH_DELETED:
		pod_deleted(s, pod);
		break;
	}
}

static bool same_string(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Did anything a Filter reads change? K8S: nodeSchedulingPropertiesChange
 * (allocatable, labels, taints, spec.unschedulable). Heartbeats and
 * conditions do not wake parked pods. */
static bool node_changed(const struct node *old, const struct node *node)
{
	if (old->spec.unschedulable != node->spec.unschedulable ||
	    !strmap_equal(&old->obj.meta.labels, &node->obj.meta.labels) ||
	    old->spec.taints.len != node->spec.taints.len ||
	    old->status.allocatable.len != node->status.allocatable.len)
		return true;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *a = &old->spec.taints.items[i];
		const struct taint *b = &node->spec.taints.items[i];
		if (!same_string(a->key, b->key) || !same_string(a->value, b->value) ||
		    !same_string(a->effect, b->effect))
			return true;
	}
	for (size_t i = 0; i < node->status.allocatable.len; i++) {
		const struct resource_entry *a = &old->status.allocatable.items[i];
		const struct resource_entry *b = &node->status.allocatable.items[i];
		if (strcmp(a->name, b->name) || quantity_cmp(&a->quantity, &b->quantity))
			return true;
	}
	return false;
}

static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old)
{
	struct scheduler *s = arg;
	const struct node *node = object_as(obj, KIND_NODE, const struct node);
	switch (type) {
	case WATCH_ADDED:
		sched_cache_set_node(&s->cache, node);
		sched_queue_move_all(s->queue);	/* LAB: sched-requeue-node */
		break;
	case WATCH_MODIFIED:
		sched_cache_set_node(&s->cache, node);
		if (node_changed(object_as(old, KIND_NODE, const struct node), node))
			sched_queue_move_all(s->queue);
		break;
	case WATCH_DELETED:
		sched_cache_remove_node(&s->cache, node->obj.meta.name);
		break;
	}
}

/* ---- life cycle ---------------------------------------------------------- */

struct scheduler *scheduler_new(const struct client *client,
				const struct scheduler_options *options)
{
	struct scheduler *s = xcalloc(1, sizeof(*s));
	s->client = client;
	s->bind_latency = options->bind_latency;
	s->percentage_of_nodes_to_score = options->percentage_of_nodes_to_score;
	if (options->profiles_len) {
		s->profiles_len = options->profiles_len;
		s->profiles = xcalloc(s->profiles_len, sizeof(*s->profiles));
		memcpy(s->profiles, options->profiles,
		       s->profiles_len * sizeof(*s->profiles));
	} else {
		s->profiles_len = 1;
		s->profiles = xcalloc(1, sizeof(*s->profiles));
		sched_profile_default(&s->profiles[0], options->name ? options->name
							      : DEFAULT_SCHEDULER_NAME);
	}
	/* The names outlive the options: each profile points into one copy. */
	for (size_t i = 0; i < s->profiles_len; i++)
		s->profiles[i].scheduler_name = xstrdup(s->profiles[i].scheduler_name);
	s->explain = options->explain;
	struct prng root;
	prng_seed(&root, options->seed);
	prng_derive(&root, SCHED_PRNG_STREAM, &s->rng);
	sched_cache_init(&s->cache);
	s->cache.store = client->store;	/* the listers PodTopologySpread reads */
	sched_nominator_init(&s->nominator);
	s->queue = sched_queue_new(&client->clock, on_active, s);

	/* K8S: informers: watch first, then list what exists (deliveries
	 * only go to watchers registered when a write happens, so nothing is
	 * seen twice). */
	s->node_watch = client_watch(client, KIND_NODE, on_node, s);
	s->pod_watch = client_watch(client, KIND_POD, on_pod, s);
	struct object_list list = { 0 };
	store_list(client->store, KIND_NODE, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		sched_cache_set_node(&s->cache, (const struct node *)list.items[i]);
	object_list_release(&list);
	store_list(client->store, KIND_POD, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		pod_added(s, (const struct pod *)list.items[i]);
	object_list_release(&list);
	return s;
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	client_unwatch(s->client, s->pod_watch);
	client_unwatch(s->client, s->node_watch);
	if (s->cycle_timer)
		clock_cancel(&s->client->clock, s->cycle_timer);
	while (s->bindings) {
		clock_cancel(&s->client->clock, s->bindings->timer);
		binding_free(s, s->bindings);	/* its entry goes with the queue */
	}
	sched_queue_free(s->queue);
	sched_nominator_release(&s->nominator);
	sched_cache_release(&s->cache);
	sched_diagnosis_release(&s->diagnosis);
	free(s->feasible);
	free(s->scratch);
	free(s->totals);
	free(s->verdicts);
	free(s->ex_nodes);
	free(s->ex_feasible);
	free(s->ex_raw);
	free(s->ex_normalized);
	for (size_t i = 0; i < s->profiles_len; i++)
		free((char *)s->profiles[i].scheduler_name);
	free(s->profiles);
	free(s);
}

uint64_t scheduler_scheduled(const struct scheduler *s)
{
	return s->scheduled;
}

uint64_t scheduler_failed_attempts(const struct scheduler *s)
{
	return s->failed_attempts;
}
