/* sched_preemption.c - the DefaultPreemption plugin: PostFilter.
 *
 * K8S: pkg/scheduler/framework/plugins/defaultpreemption/
 * default_preemption.go (PostFilter, PodEligibleToPreemptOthers,
 * GetOffsetAndNumCandidates) and framework/preemption/preemption.go
 * (Evaluator.Preempt, findCandidates, DryRunPreemption, SelectCandidate,
 * prepareCandidate, getLowerPriorityNominatedPods).
 *
 * Runs after a cycle found no feasible node (see sched_preemption.h for
 * the idea), in upstream's steps:
 *   1. eligibility: a pod with preemptionPolicy Never never preempts; a
 *      pod already nominated to a node where lower-priority pods are still
 *      terminating because of its earlier preemption waits for them;
 *   2. candidates: only nodes the Filter called Unschedulable (a node
 *      that is UnschedulableAndUnresolvable stays so however many pods
 *      leave); starting at a random offset (the scheduler's seeded PRNG),
 *      dry-run nodes until enough candidates are found: at least one that
 *      breaks no PDB and, in all, max(10% of them, 100) by default;
 *   3. pick one node (pickOneNodeForPreemption);
 *   4. act: mark each victim with the DisruptionTarget condition, delete
 *      it gracefully, record a "Preempted" Event on it; take the
 *      nomination away from lower-priority pods nominated to that node;
 *      and nominate the pod there (the scheduler writes
 *      status.nominatedNodeName). The pod goes back to the queue and is
 *      bound when the victims' deletion frees the room.
 * Found nothing: the message says, per node, why not ("0/3 nodes are
 * available: 1 No preemption victims found for incoming pod, 2 Preemption
 * is not helpful for scheduling.") and any old nomination is cleared.
 *
 * Not modelled: asynchronous preemption (the API calls are made in the
 * cycle, as with SchedulerAsyncPreemption off), extenders, waiting pods
 * (Permit).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "prng.h"
#include "sched_nominator.h"
#include "sched_preemption.h"
#include "xmalloc.h"

static int64_t priority_of(const struct pod *pod)
{
	return pod->spec.priority.is_set ? pod->spec.priority.value : 0;
}

/* K8S: PodEligibleToPreemptOthers. NULL when eligible, else the reason. */
static const char *not_eligible(const struct pod *pod, struct sched_cache *cache,
				const struct sched_post_filter_input *in)
{
	if (pod->spec.preemption_policy && !strcmp(pod->spec.preemption_policy, "Never"))
		return "not eligible due to preemptionPolicy=Never.";
	const char *nominated = pod->status.nominated_node_name;
	if (!nominated || !*nominated)
		return NULL;
	/* A nominated node that can never fit the pod: try elsewhere. Nodes
	 * the cycle has no verdict for count as Unresolvable, as upstream's
	 * absent-node status. */
	enum sched_code verdict = SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE;
	for (size_t i = 0; i < in->len; i++)
		if (!strcmp(in->nodes[i]->name, nominated))
			verdict = in->verdicts[i];
	if (verdict == SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE)
		return NULL;
	const struct sched_node_info *node = sched_cache_node(cache, nominated);
	int64_t priority = priority_of(pod);
	for (size_t i = 0; node && i < node->pods_len; i++)
		if (node->pods[i]->priority < priority &&
		    sched_pod_terminating_by_preemption(node->pods[i]->pod))
			return "not eligible due to a terminating pod on the nominated node.";
	return NULL;
}

/* K8S: FitError.Error() over the dry run's statuses: nodes that were not
 * dry-run (or not candidates at all) count as "Preemption is not helpful
 * for scheduling". */
static char *no_candidate_message(struct sched_diagnosis *d, size_t num_all_nodes,
				  size_t failed)
{
	struct sched_status status;
	sched_status_reset(&status);
	sched_status_add(&status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
			 "Preemption is not helpful for scheduling");
	for (size_t i = failed; i < num_all_nodes; i++)
		sched_diagnosis_add(d, &status);
	char *fit = sched_fit_error_message(d);
	char *msg = xasprintf("preemption: %s", fit);
	free(fit);
	return msg;
}

/* K8S: DryRunPreemption, one node at a time: candidates that break no
 * PDB first, then the others; stops once it has one of the first kind
 * and num in all. Returns how many candidates (in *out, owned). */
static size_t dry_run(struct sched_state *state, const struct sched_post_filter_input *in,
		      const size_t *potential, size_t len, const struct sched_pdbs *pdbs,
		      size_t offset, size_t num, ktime_t now,
		      struct sched_candidate **out, struct sched_diagnosis *d,
		      size_t *failed)
{
	struct sched_candidate *good = xcalloc(num + 1, sizeof(*good));
	struct sched_candidate *violating = xcalloc(num + 1, sizeof(*violating));
	size_t good_len = 0, violating_len = 0;
	struct sched_status status;
	for (size_t i = 0; i < len; i++) {
		const struct sched_node_info *node = in->nodes[potential[(offset + i) % len]];
		struct sched_candidate c;
		enum sched_code code = sched_select_victims_on_node(in->profile, state, node,
								    pdbs, now, &c, &status);
		if (code != SCHED_SUCCESS) {
			sched_diagnosis_add(d, &status);
			(*failed)++;
			continue;
		}
		if (c.pdb_violations == 0 && good_len < num)
			good[good_len++] = c;
		else if (c.pdb_violations && violating_len < num)
			violating[violating_len++] = c;
		else
			sched_candidate_release(&c);
		if (good_len > 0 && good_len + violating_len >= num)
			break;
	}
	memcpy(good + good_len, violating, violating_len * sizeof(*good));
	free(violating);
	*out = good;
	return good_len + violating_len;
}

/* K8S: the DisruptionTarget condition PreemptPod writes before deleting:
 * it tells the victim's owner, and the preemptor's next cycle, why the
 * pod is going. */
static void mark_victim(const struct client *client, const struct pod *victim,
			const struct pod *preemptor)
{
	struct pod *copy = (struct pod *)object_copy(&victim->obj);
	struct condition *c = condition_find(&copy->status.conditions, "DisruptionTarget");
	if (c && c->status && !strcmp(c->status, "True") && c->reason &&
	    !strcmp(c->reason, "PreemptionByScheduler")) {
		object_unref(&copy->obj);
		return;
	}
	if (!c) {
		copy->status.conditions.items = xrealloc(copy->status.conditions.items,
			(copy->status.conditions.len + 1) * sizeof(*c));
		c = &copy->status.conditions.items[copy->status.conditions.len++];
		memset(c, 0, sizeof(*c));
		c->type = xstrdup("DisruptionTarget");
	}
	if (!c->status || strcmp(c->status, "True"))
		c->last_transition_time = client_now(client);
	free(c->status);
	free(c->reason);
	free(c->message);
	c->status = xstrdup("True");
	c->reason = xstrdup("PreemptionByScheduler");
	const char *scheduler = preemptor->spec.scheduler_name;
	c->message = xasprintf("%s: preempting to accommodate a higher priority pod",
			       scheduler && *scheduler ? scheduler : "default-scheduler");
	client_update_status(client, &copy->obj, NULL);
}

/* K8S: prepareCandidate (synchronous) + clearNominatedNodeName. */
static void prepare_candidate(const struct sched_post_filter_input *in,
			      const struct pod *pod, const struct sched_candidate *c)
{
	const struct client *client = in->client;
	for (size_t i = 0; i < c->victims_len; i++) {
		/* Held across the writes, which replace the stored version. */
		const struct pod *victim = (const struct pod *)object_ref(&c->victims[i]->pod->obj);
		if (!object_is_deleting(&victim->obj)) {
			const struct object *cur = client_get(client, KIND_POD,
				victim->obj.meta.namespace, victim->obj.meta.name);
			if (cur) {
				mark_victim(client, (const struct pod *)cur, pod);
				struct delete_options options = DELETE_OPTIONS_DEFAULT;
				client_delete(client, KIND_POD, victim->obj.meta.namespace,
					      victim->obj.meta.name, &options, NULL);
				/* LAB: sched-preempted */
				client_event(client, &victim->obj, "Normal", "Preempted",
					     "Preempted by pod %s on node %s",
					     pod->obj.meta.uid, c->node->name);
			}
		}
		object_unref((struct object *)victim);
	}
	/* Lower-priority pods nominated here may no longer fit: free them to
	 * look elsewhere now rather than after the victims are gone. */
	size_t len = 0;
	struct sched_nominated_pod *const *nominated =
		sched_nominator_for_node(in->nominator, c->node->name, &len);
	const struct pod **lower = xcalloc(len + 1, sizeof(*lower));
	size_t lower_len = 0;
	for (size_t i = 0; i < len; i++)
		if (nominated[i]->info.priority < priority_of(pod))
			lower[lower_len++] = (const struct pod *)
				object_ref(&nominated[i]->info.pod->obj);
	for (size_t i = 0; i < lower_len; i++) {
		const struct object *cur = client_get(client, KIND_POD,
			lower[i]->obj.meta.namespace, lower[i]->obj.meta.name);
		const struct pod *p = (const struct pod *)cur;
		if (p && p->status.nominated_node_name && *p->status.nominated_node_name) {
			struct pod *copy = (struct pod *)object_copy(cur);
			free(copy->status.nominated_node_name);
			copy->status.nominated_node_name = NULL;
			client_update_status(client, &copy->obj, NULL);
		}
		object_unref((struct object *)lower[i]);
	}
	free(lower);
}

/* LAB: sched-preempt. K8S: DefaultPreemption.PostFilter + Evaluator.Preempt. */
static enum sched_code post_filter(struct sched_state *state, const struct pod *pod,
				   const struct sched_post_filter_input *in,
				   struct sched_post_filter_result *result)
{
	const struct client *client = in->client;
	/* 0. The latest version: its nominatedNodeName may be newer. */
	const struct object *cur = client_get(client, KIND_POD, pod->obj.meta.namespace,
					      pod->obj.meta.name);
	if (!cur || strcmp(cur->meta.uid, pod->obj.meta.uid))
		return SCHED_UNSCHEDULABLE;
	const struct pod *latest = (const struct pod *)object_ref(cur);
	ktime_t now = client_now(client);
	enum sched_code code = SCHED_UNSCHEDULABLE;

	/* 1. Eligibility. */
	const char *why_not = not_eligible(latest, state->cache, in);
	if (why_not) {
		result->message = xasprintf("preemption: %s", why_not);
		goto out;
	}

	/* 2. Candidates among the nodes where removing pods might help. */
	size_t *potential = xcalloc(in->len + 1, sizeof(*potential));
	size_t potential_len = 0;
	for (size_t i = 0; i < in->len; i++)
		if (in->verdicts[i] == SCHED_UNSCHEDULABLE)
			potential[potential_len++] = i;
	struct sched_diagnosis d = { 0 };
	sched_diagnosis_reset(&d, in->len);
	struct sched_candidate *candidates = NULL;
	size_t candidates_len = 0, failed = 0;
	if (potential_len) {
		struct sched_pdbs pdbs;
		sched_pdbs_list(client->store, &pdbs);
		/* K8S: GetOffsetAndNumCandidates */
		size_t offset = (size_t)prng_below(in->rng, potential_len);
		size_t num = (size_t)sched_preemption_num_candidates(
			sched_state_args(state, SCHED_PLUGIN_DEFAULT_PREEMPTION),
			(int32_t)potential_len);
		candidates_len = dry_run(state, in, potential, potential_len, &pdbs, offset,
					 num, now, &candidates, &d, &failed);
		sched_pdbs_release(&pdbs);
	}
	free(potential);
	if (candidates_len == 0) {
		result->message = no_candidate_message(&d, in->len, failed);
		result->nominate = true;	/* clears an old nomination */
		result->nominated_node = xstrdup("");
	} else {
		/* 3. The best node; 4. evict and nominate. */
		size_t best = candidates_len == 1 ? 0
			: sched_pick_one_node_for_preemption(candidates, candidates_len, now);
		const struct sched_candidate *c = &candidates[best];
		result->nominate = true;
		result->nominated_node = xstrdup(c->node->name);
		result->victims = xcalloc(c->victims_len + 1, sizeof(*result->victims));
		for (size_t i = 0; i < c->victims_len; i++) {
			const struct object_meta *m = &c->victims[i]->pod->obj.meta;
			result->victims[result->victims_len++] =
				xasprintf("%s/%s", m->namespace, m->name);
		}
		prepare_candidate(in, latest, c);
		code = SCHED_SUCCESS;
	}
	for (size_t i = 0; i < candidates_len; i++)
		sched_candidate_release(&candidates[i]);
	free(candidates);
	sched_diagnosis_release(&d);
out:
	object_unref((struct object *)latest);
	return code;
}

const struct sched_plugin sched_default_preemption_plugin = {
	.id = SCHED_PLUGIN_DEFAULT_PREEMPTION,
	.name = "DefaultPreemption",
	.post_filter = post_filter,
};
