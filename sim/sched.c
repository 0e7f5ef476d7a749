/* sched.c - the scheduler: the scheduling cycle and its life cycle.
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
 * A PreFilter plugin may name the only nodes the pod can go to (a
 * PreFilterResult: NodeAffinity does for a DaemonSet pod's metadata.name
 * term); Filter then walks only those (find_feasible_narrowed).
 *
 * Not modelled: extenders, and
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
 * Files: this one holds the cycle (steps 1-5) and scheduler_new/_free;
 * sched_bind.c steps 6-7, sched_failure.c the failure of step 4 (and of
 * the later steps), sched_events.c the watch handlers (cluster events
 * for the queueing hints, sched_queueing_hints.h), sched_attempt.c the
 * explain record. They share struct scheduler through sched_internal.h.
 *
 * Costs: a cycle is O(nodes examined) with no allocation per node; the
 * cache update on assume, bind and delete is O(1). Explaining allocates
 * one string per rejected node, only when a hook is set.
 */
#include "sched_internal.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "release.h"
#include "sched_parallel.h"
#include "xmalloc.h"

/* The scheduler's stream of the seed (prng_derive), so its tie-breaks do
 * not depend on other components' draws. */
#define SCHED_PRNG_STREAM 0x5c4ed

/* The fewest nodes worth a parallel Filter or Score loop: handing work
 * to the threads and waiting for them costs a few microseconds, as much
 * as filtering a hundred nodes. */
#define SCHED_PARALLEL_MIN_NODES 256

/* K8S: profile.Map lookup (frameworkForPod): the profile serving the
 * pod's schedulerName, or NULL when none does. */
const struct sched_profile *sched_profile_for(const struct scheduler *s,
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

/* K8S: the profile's percentageOfNodesToScore, else the global one. */
int32_t sched_percentage_of(const struct scheduler *s)
{
	return s->profile->percentage_set ? s->profile->percentage_of_nodes_to_score
					  : s->percentage_of_nodes_to_score;
}

/* ---- the cycle ----------------------------------------------------------- */

static void grow_scratch(struct scheduler *s, size_t n)
{
	if (n <= s->scratch_cap)
		return;
	size_t cap = n * 2;
	s->feasible = xrealloc(s->feasible, cap * sizeof(*s->feasible));
	/* A row of raw scores per score plugin (sched_run_score). */
	s->scratch = xrealloc(s->scratch, cap * SCHED_PLUGIN_MAX * sizeof(*s->scratch));
	s->totals = xrealloc(s->totals, cap * sizeof(*s->totals));
	s->verdicts = xrealloc(s->verdicts, cap * sizeof(*s->verdicts));
	s->scratch_cap = cap;
	if (s->parallel) {	/* a verdict per node of a parallel window */
		s->window_codes = xrealloc(s->window_codes, cap * sizeof(*s->window_codes));
		s->window_status = xrealloc(s->window_status, cap * sizeof(*s->window_status));
	}
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
	const int64_t *totals = s->totals;
	int64_t top = totals[0];	/* totals[best], kept in a register */
	size_t best = 0, ties = 1;
	for (size_t i = 1; i < n; i++) {
		if (totals[i] > top) {
			best = i;
			top = totals[i];
			ties = 1;
		} else if (totals[i] == top) {
			ties++;
			if (prng_below(&s->rng, ties) == 0)
				best = i;
		}
	}
	return best;
}

/* One examined node's verdict, in the order the nodes are examined:
 * what the sequential loop does per node, shared by both loops below. */
static void take_verdict(struct scheduler *s, struct sched_node_info *node, size_t i,
			 enum sched_code code, const struct sched_status *status,
			 size_t *found)
{
	s->verdicts[i] = code;
	if (code == SCHED_SUCCESS)
		s->feasible[(*found)++] = node;
	else
		sched_diagnosis_add(&s->diagnosis, status);
	if (s->explain.attempt)
		sched_attempt_node(s, node, status, *found);
}

/* A window of the node list filtered on several threads: slot j is the
 * node at nodes[(first + j) % n]; each slot is written by one thread.
 * status[j] is only written for a rejected node: a status is 600 bytes,
 * and one per node of a long walk would not stay in the cache. */
struct filter_window {
	const struct sched_profile *profile;
	struct sched_state *state;
	struct sched_node_info *const *nodes;
	size_t n, first;
	enum sched_code *codes;
	struct sched_status *status;
};

static void filter_range(void *arg, size_t lo, size_t hi)
{
	const struct filter_window *w = arg;
	struct sched_status status;
	for (size_t j = lo; j < hi; j++) {
		size_t i = w->first + j;
		if (i >= w->n)
			i -= w->n;
		sched_status_reset(&status);	/* the list was prepared */
		w->codes[j] = sched_run_filter_prepared(w->state, w->nodes[i], &status);
		if (w->codes[j] != SCHED_SUCCESS)
			sched_status_copy(&w->status[j], &status);
	}
}

/* K8S: findNodesThatPassFilters, parallel. Upstream filters every node
 * at once on `parallelism` goroutines and cancels the rest once enough
 * are feasible, so which nodes it examined depends on timing. Here the
 * threads filter a window of the next nodes -- as many as are still
 * wanted, at least parallel_min -- with a verdict per node, and this
 * thread then walks the verdicts in order exactly as the sequential loop
 * does, stopping at `want` feasible: the feasible list, the examined
 * count, the diagnosis and the explanation do not depend on the threads.
 * Verdicts past the stopping point are work thrown away, never seen. */
static size_t find_feasible_parallel(struct scheduler *s, struct sched_state *state,
				     struct sched_node_info *const *nodes, size_t n,
				     size_t want)
{
	struct filter_window w = {
		.profile = s->profile, .state = state, .nodes = nodes, .n = n,
		.codes = s->window_codes, .status = s->window_status,
	};
	struct sched_status passed;	/* what a feasible node's status says */
	sched_status_reset(&passed);
	size_t found = 0, examined = 0;
	size_t i = s->next_start_node_index % n;
	while (examined < n && found < want) {
		size_t len = want - found;
		if (len < state->parallel_min)
			len = state->parallel_min;
		if (len > n - examined)
			len = n - examined;
		w.first = i;
		if (len >= state->parallel_min)
			sched_parallel_for(state->parallel, len, filter_range, &w);
		else
			filter_range(&w, 0, len);	/* the last few: no hand-off */
		for (size_t j = 0; j < len && found < want; j++) {
			take_verdict(s, nodes[i], i, w.codes[j],
				     w.codes[j] == SCHED_SUCCESS ? &passed : &w.status[j], &found);
			examined++;
			i = i + 1 == n ? 0 : i + 1;
		}
	}
	s->next_start_node_index = (s->next_start_node_index + examined) % n;
	return found;
}

/* K8S: findNodesThatPassFilters: examine nodes from nextStartNodeIndex
 * until enough are feasible. Returns how many are. */
static size_t find_feasible(struct scheduler *s, struct sched_state *state,
			    struct sched_node_info *const *nodes, size_t n)
{
	size_t want = sched_num_feasible_nodes_to_find(sched_percentage_of(s), n);
	if (!sched_profile_has_score(s->profile))
		want = 1;	/* nothing to compare: the first will do */
	const bool nominated = s->nominator.len != 0;	/* any preemption pending */
	sched_run_filter_prepare(s->profile, state);
	/* Threads only for long walks of read-only Filters; the nominated
	 * pods' what-if copies of nodes are scratch shared by the walk. */
	if (state->parallel && !nominated && n >= state->parallel_min &&
	    want >= state->parallel_min && sched_filter_parallel_safe(s->profile, state))
		return find_feasible_parallel(s, state, nodes, n, want);
	struct sched_status status;
	size_t found = 0, examined = 0;
	/* i walks the list from the start index, wrapping by subtraction:
	 * a division per node costs more than most of the Filters. */
	size_t i = s->next_start_node_index % n;
	for (; examined < n && found < want; examined++, i = i + 1 == n ? 0 : i + 1) {
		sched_cache_prefetch(nodes, n, i);	/* speed only, see there */
		enum sched_code code;
		if (nominated) {
			code = sched_run_filter_with_nominated(s->profile, state, nodes[i], &status);
		} else {
			/* sched_run_filter, its list prepared above */
			sched_status_reset(&status);
			code = sched_run_filter_prepared(state, nodes[i], &status);
		}
		take_verdict(s, nodes[i], i, code, &status, &found);
	}
	s->next_start_node_index = (s->next_start_node_index + examined) % n;
	return found;
}

/* LAB: sched-pre-filter-result. K8S: findNodesThatFitPod when a
 * PreFilterResult names the nodes (sched_pre_filter_result.c): Filter
 * walks only those that exist, sampling and starting as over a list of
 * that length; nextStartNodeIndex then moves on by the nodes processed,
 * modulo all nodes; every other node counts as "node(s) didn't satisfy
 * plugin(s) [NodeAffinity]" (UnschedulableAndUnresolvable, so preemption
 * leaves it alone). O(narrowed nodes), plus O(nodes x narrowed) to spread
 * the verdicts over all nodes when none fits. */
static size_t find_feasible_narrowed(struct scheduler *s, struct sched_state *state,
				     struct sched_node_info *const *nodes, size_t n)
{
	const struct sched_pre_filter_result *r = &state->pre_filter_result;
	if (s->narrowed_cap < r->len) {
		s->narrowed_cap = r->len * 2;
		s->narrowed = xrealloc(s->narrowed, s->narrowed_cap * sizeof(*s->narrowed));
	}
	size_t k = sched_pre_filter_result_nodes(r, &s->cache, s->narrowed);
	size_t start = s->next_start_node_index, examined = 0, found = 0;
	/* K8S: the plugins that narrowed are among UnschedulablePlugins:
	 * their queueing hints may bring the pod back. */
	s->diagnosis.rejected_by |= r->narrowed_by;
	if (s->explain.attempt) {
		struct sched_attempt *a = &s->attempt;
		a->narrowed = r;
		a->narrowed_to = k;
		a->num_to_find = sched_profile_has_score(s->profile)
			? sched_num_feasible_nodes_to_find(a->percentage, k) : k ? 1 : 0;
		a->start_index = k ? start % k : 0;
	}
	if (k) {
		found = find_feasible(s, state, s->narrowed, k);
		/* find_feasible moved the index by what it examined, mod k:
		 * at least one node, at most k. */
		examined = (s->next_start_node_index + k - start % k + k - 1) % k + 1;
	}
	s->next_start_node_index = (start + examined) % n;
	if (n > k) {
		char *plugins = sched_pre_filter_result_plugins(r);
		char *reason = xasprintf("node(s) didn't satisfy plugin(s) %s", plugins);
		sched_diagnosis_add_nodes(&s->diagnosis, reason, n - k);
		free(reason);
		free(plugins);
	}
	if (found == 0) {
		/* PostFilter reads verdicts per listed node. */
		enum sched_code *own = xmalloc((k + 1) * sizeof(*own));
		memcpy(own, s->verdicts, k * sizeof(*own));
		for (size_t i = 0; i < n; i++) {
			s->verdicts[i] = SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
			for (size_t j = 0; j < k; j++)
				if (nodes[i] == s->narrowed[j])
					s->verdicts[i] = own[j];
		}
		free(own);
	}
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
		sched_attempt_node(s, node, &status, 1);
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
	s->profile = sched_profile_for(s, pod);
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
			sched_attempt_begin(s, pod, 0);
			sched_attempt_end(s, 0, NULL, "no nodes available to schedule pods");
		}
		sched_handle_failure(s, qp, "no nodes available to schedule pods", true, false, "");
		return;
	}
	grow_scratch(s, n);
	sched_diagnosis_reset(&s->diagnosis, n);
	if (s->explain.attempt) {
		sched_attempt_begin(s, pod, n);
		s->attempt.requeued_by = qp->moved_by;
		s->attempt.requeued_on = qp->moved_on;
	}
	struct sched_state state;
	sched_state_init(&state, pod, &s->cache);
	state.store = s->client->store;
	state.nominator = &s->nominator;
	state.client = s->client;
	state.parallel = s->parallel;
	state.parallel_min = s->parallel_min;
	state.waiting = &s->waiting;
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
		s->diagnosis.rejected_by |= 1u << status.plugin->id;
		if (state.pre_filter_result.narrowed && !state.pre_filter_result.len)
			s->diagnosis.rejected_by |= state.pre_filter_result.narrowed_by;
		s->attempt.pre_filter_plugin = status.plugin->name;
		for (size_t i = 0; i < n; i++)
			s->verdicts[i] = code;
	} else if (!(found = try_nominated_node(s, &state, pod))) {
		found = state.pre_filter_result.narrowed
			? find_feasible_narrowed(s, &state, nodes, n)
			: find_feasible(s, &state, nodes, n);
	}
	if (found == 0) {
		sched_fit_error(s, &state, qp, nodes, n);
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
					sched_attempt_end(s, 0, NULL, state.error);
				sched_handle_failure(s, qp, state.error, false, false, "");
				sched_state_release(&state);
				return;
			}
			chosen = select_host(s, found);
			if (s->explain.attempt)
				sched_attempt_scores(s, &detail, found, chosen);
		}
		/* ends the explained attempt once Permit has spoken */
		sched_assume_and_bind(s, qp, s->feasible[chosen], found, &state);
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
	/* K8S: parallelism, capped by the CPUs: more threads than CPUs would
	 * only take turns. Unset, upstream starts 16; kubelab one, since on
	 * a busy machine a worker that loses its CPU in the middle of a
	 * chunk stalls the whole cycle (docs/fidelity.md, "Parallelism"). */
	int32_t parallelism = options->parallelism > 0 ? options->parallelism : 1;
	int threads = options->parallel_min_nodes ? (int)parallelism
						  : sched_parallel_effective(parallelism);
	s->parallel_min = options->parallel_min_nodes ? options->parallel_min_nodes
						      : SCHED_PARALLEL_MIN_NODES;
	if (threads > 1)
		s->parallel = sched_parallel_new(threads);
	struct prng root;
	prng_seed(&root, options->seed);
	prng_derive(&root, SCHED_PRNG_STREAM, &s->rng);
	sched_cache_init(&s->cache);
	s->cache.store = client->store;	/* the listers PodTopologySpread reads */
	sched_nominator_init(&s->nominator);
	sched_waiting_pods_init(&s->waiting, &client->clock, sched_permit_done, s);
	s->queue = sched_queue_new(&client->clock, on_active, s);

	/* K8S: informers: watch first, then list what exists (deliveries
	 * only go to watchers registered when a write happens, so nothing is
	 * seen twice). */
	s->node_watch = client_watch(client, KIND_NODE, sched_on_node, s);
	s->pod_watch = client_watch(client, KIND_POD, sched_on_pod, s);
	/* K8S: the informers behind the volume plugins' EventsToRegister */
	s->claim_watch = client_watch(client, KIND_PERSISTENTVOLUMECLAIM, sched_on_volume, s);
	s->volume_watch = client_watch(client, KIND_PERSISTENTVOLUME, sched_on_volume, s);
	struct object_list list = { 0 };
	store_list(client->store, KIND_NODE, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		sched_cache_set_node(&s->cache, (const struct node *)list.items[i]);
	object_list_release(&list);
	store_list(client->store, KIND_POD, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		sched_pod_added(s, (const struct pod *)list.items[i]);
	object_list_release(&list);
	return s;
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	client_unwatch(s->client, s->pod_watch);
	client_unwatch(s->client, s->claim_watch);
	client_unwatch(s->client, s->volume_watch);
	client_unwatch(s->client, s->node_watch);
	if (s->cycle_timer)
		clock_cancel(&s->client->clock, s->cycle_timer);
	while (s->bindings) {
		clock_cancel(&s->client->clock, s->bindings->timer);
		sched_binding_free(s, s->bindings);	/* its entry goes with the queue */
	}
	sched_queue_free(s->queue);
	sched_nominator_release(&s->nominator);
	sched_cache_release(&s->cache);
	sched_diagnosis_release(&s->diagnosis);
	free(s->feasible);
	free(s->scratch);
	free(s->totals);
	free(s->verdicts);
	sched_parallel_free(s->parallel);	/* joins its threads */
	free(s->window_codes);
	free(s->window_status);
	free(s->narrowed);
	free(s->ex_nodes);
	free(s->ex_feasible);
	free(s->ex_raw);
	free(s->ex_normalized);
	for (size_t i = 0; i < s->profiles_len; i++)
		free((char *)s->profiles[i].scheduler_name);
	free(s->profiles);
	free(s);
}

int scheduler_threads(const struct scheduler *s)
{
	return s->parallel ? sched_parallel_threads(s->parallel) : 1;
}

uint64_t scheduler_scheduled(const struct scheduler *s)
{
	return s->scheduled;
}

uint64_t scheduler_failed_attempts(const struct scheduler *s)
{
	return s->failed_attempts;
}
