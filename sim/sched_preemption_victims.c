/* sched_preemption_victims.c - preemption on one node: which pods would
 * have to go.
 *
 * K8S: pkg/scheduler/framework/plugins/defaultpreemption/
 * default_preemption.go (SelectVictimsOnNode, filterPodsWithPDBViolation,
 * podTerminatingByPreemption), pkg/scheduler/util/utils.go
 * (MoreImportantPod, GetPodStartTime, GetEarliestPodStartTime) and
 * framework/preemption/preemption.go (pickOneNodeForPreemption).
 *
 * The dry run on a node works on a scratch copy of its book
 * (sched_nodeinfo_scratch.c): take every lower-priority pod out; if the
 * pod does not fit even then, the node cannot help. Otherwise put the
 * pods back one by one, most important first, PDB-protected ones before
 * the rest, and keep each one whose return still lets the pod fit. The
 * pods that stay out are the victims, as few and as unimportant as this
 * greedy pass finds (not necessarily the minimum: upstream does the
 * same).
 *
 * Every pod taken out or put back is also reported to the PreFilter
 * extensions (sched_run_pre_filter_remove_pod / _add_pod), so plugins
 * that counted pods over the cluster at PreFilter -- InterPodAffinity's
 * anti-affinity counts -- see the dry run's node: a pod kept out by a
 * lower-priority pod's anti-affinity can preempt it. Upstream works on a
 * clone of the cycle state; kubelab puts the pods still out back into
 * the counts before returning, so the state is as PreFilter left it.
 *
 * Not modelled: PDB status.disruptedPods (kubelab's PDB status has no
 * such field).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "sched_nominator.h"
#include "sched_preemption.h"
#include "xmalloc.h"

ktime_t sched_pod_start_time(const struct pod *pod, ktime_t now)
{
	return pod->status.start_time ? pod->status.start_time : now;
}

static int64_t priority_of(const struct pod *pod)
{
	return pod->spec.priority.is_set ? pod->spec.priority.value : 0;
}

bool sched_more_important_pod(const struct pod *a, const struct pod *b, ktime_t now)
{
	int64_t pa = priority_of(a), pb = priority_of(b);
	if (pa != pb)
		return pa > pb;
	return sched_pod_start_time(a, now) < sched_pod_start_time(b, now);
}

bool sched_pod_terminating_by_preemption(const struct pod *pod)
{
	if (!object_is_deleting(&pod->obj))
		return false;
	const struct condition *c = condition_find((void *)&pod->status.conditions,
						   "DisruptionTarget");
	return c && c->status && !strcmp(c->status, "True") && c->reason &&
	       !strcmp(c->reason, "PreemptionByScheduler");
}

/* ---- PodDisruptionBudgets ------------------------------------------------ */

void sched_pdbs_list(const struct store *store, struct sched_pdbs *out)
{
	memset(out, 0, sizeof(*out));
	store_list(store, KIND_PODDISRUPTIONBUDGET, NULL, NULL, &out->list);
	out->items = xcalloc(out->list.len + 1, sizeof(*out->items));
	for (size_t i = 0; i < out->list.len; i++) {
		const struct pod_disruption_budget *pdb =
			(const struct pod_disruption_budget *)out->list.items[i];
		struct sched_pdb *p = &out->items[out->len];
		struct err *err = NULL;
		/* An invalid selector matches no pod (upstream skips it). */
		if (label_selector_compile(&pdb->spec.selector, &p->selector, &err) < 0) {
			err_free(err);
			continue;
		}
		p->namespace = pdb->obj.meta.namespace;
		p->disruptions_allowed = pdb->status.disruptions_allowed;
		out->len++;
	}
}

void sched_pdbs_release(struct sched_pdbs *pdbs)
{
	for (size_t i = 0; i < pdbs->len; i++)
		selector_release(&pdbs->items[i].selector);
	free(pdbs->items);
	object_list_release(&pdbs->list);
	memset(pdbs, 0, sizeof(*pdbs));
}

/* LAB: sched-pdb-violation. Each matching PDB's budget is spent pod by
 * pod in the given order; the pod that takes one below zero violates. */
void sched_pdb_split(const struct sched_pod_info *const *pods, size_t len,
		     const struct sched_pdbs *pdbs,
		     const struct sched_pod_info **violating, size_t *violating_len,
		     const struct sched_pod_info **others, size_t *others_len)
{
	int32_t *allowed = xcalloc(pdbs->len + 1, sizeof(*allowed));
	for (size_t i = 0; i < pdbs->len; i++)
		allowed[i] = pdbs->items[i].disruptions_allowed;
	*violating_len = *others_len = 0;
	for (size_t k = 0; k < len; k++) {
		const struct pod *pod = pods[k]->pod;
		bool violated = false;
		/* A pod with no labels matches no PDB. */
		for (size_t i = 0; i < pdbs->len && pod->obj.meta.labels.len; i++) {
			const struct sched_pdb *pdb = &pdbs->items[i];
			if (strcmp(pdb->namespace, pod->obj.meta.namespace) ||
			    selector_is_empty(&pdb->selector) ||
			    !selector_matches(&pdb->selector, &pod->obj.meta.labels))
				continue;
			if (--allowed[i] < 0)
				violated = true;
		}
		if (violated)
			violating[(*violating_len)++] = pods[k];
		else
			others[(*others_len)++] = pods[k];
	}
	free(allowed);
}

/* ---- victims on one node ------------------------------------------------- */

void sched_candidate_release(struct sched_candidate *candidate)
{
	free(candidate->victims);
	memset(candidate, 0, sizeof(*candidate));
}

/* Puts pods, out of the scratch copy, back into the plugins' PreFilter
 * counts: the dry run's undo (upstream drops its clone of the state). */
static void restore_counts(const struct sched_profile *profile, struct sched_state *state,
			   const struct sched_pod_info **pods, size_t len,
			   const struct sched_node_info *scratch)
{
	for (size_t i = len; i-- > 0;)
		sched_run_pre_filter_add_pod(profile, state, pods[i], scratch);
}

/* Stable sort, most important first (insertion: a node holds at most a
 * few hundred pods, and equal pods keep the node's order). */
static void sort_by_importance(const struct sched_pod_info **pods, size_t len,
			       ktime_t now)
{
	for (size_t i = 1; i < len; i++) {
		const struct sched_pod_info *p = pods[i];
		size_t k = i;
		while (k > 0 && sched_more_important_pod(p->pod, pods[k - 1]->pod, now)) {
			pods[k] = pods[k - 1];
			k--;
		}
		pods[k] = p;
	}
}

enum sched_code sched_select_victims_on_node(const struct sched_profile *profile,
					     struct sched_state *state,
					     const struct sched_node_info *node,
					     const struct sched_pdbs *pdbs, ktime_t now,
					     struct sched_candidate *out,
					     struct sched_status *status)
{
	memset(out, 0, sizeof(*out));
	sched_status_reset(status);
	int64_t priority = priority_of(state->pod);
	size_t n = node->pods_len;
	const struct sched_pod_info **potential = xcalloc(n + 1, sizeof(*potential));
	const struct sched_pod_info **violating = xcalloc(n + 1, sizeof(*violating));
	const struct sched_pod_info **others = xcalloc(n + 1, sizeof(*others));
	const struct sched_pod_info **victims = xcalloc(n + 1, sizeof(*victims));
	size_t potential_len = 0, violating_len = 0, others_len = 0, victims_len = 0;
	struct sched_node_info scratch;
	sched_node_scratch_init(&scratch, node);
	enum sched_code code;

	/* 1. Out with every pod of lower priority. */
	for (size_t i = 0; i < n; i++)
		if (node->pods[i]->priority < priority)
			potential[potential_len++] = node->pods[i];
	for (size_t i = 0; i < potential_len; i++) {
		sched_node_scratch_remove(&scratch, potential[i]);
		sched_run_pre_filter_remove_pod(profile, state, potential[i], &scratch);
	}
	if (potential_len == 0) {
		code = sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"No preemption victims found for incoming pod");
		goto out;
	}
	/* 2. Does the pod fit with all of them gone? */
	code = sched_run_filter_with_nominated(profile, state, &scratch, status);
	if (code != SCHED_SUCCESS) {
		restore_counts(profile, state, potential, potential_len, &scratch);
		goto out;
	}

	/* 3. Reprieve, most important first, PDB-protected pods first. */
	sort_by_importance(potential, potential_len, now);
	sched_pdb_split(potential, potential_len, pdbs, violating, &violating_len,
			others, &others_len);
	struct sched_status scratch_status;
	for (size_t group = 0; group < 2; group++) {
		const struct sched_pod_info **pods = group == 0 ? violating : others;
		size_t len = group == 0 ? violating_len : others_len;
		for (size_t i = 0; i < len; i++) {
			sched_node_scratch_add(&scratch, pods[i]);
			sched_run_pre_filter_add_pod(profile, state, pods[i], &scratch);
			if (sched_run_filter_with_nominated(profile, state, &scratch,
							    &scratch_status) == SCHED_SUCCESS)
				continue;	/* it may stay */
			sched_node_scratch_remove(&scratch, pods[i]);
			sched_run_pre_filter_remove_pod(profile, state, pods[i], &scratch);
			victims[victims_len++] = pods[i];
			if (group == 0)
				out->pdb_violations++;
		}
	}
	restore_counts(profile, state, victims, victims_len, &scratch);
	if (violating_len && others_len)
		sort_by_importance(victims, victims_len, now);
	out->node = node;
	out->victims = victims;
	out->victims_len = victims_len;
	victims = NULL;
	code = SCHED_SUCCESS;
out:
	sched_node_scratch_release(&scratch);
	free(potential);
	free(violating);
	free(others);
	free(victims);
	return code;
}

/* ---- choosing among candidates ------------------------------------------- */

int32_t sched_preemption_num_candidates(const struct sched_preemption_args *args,
					int32_t num_nodes)
{
	int32_t percentage = args ? args->min_candidate_nodes_percentage
		: SCHED_PREEMPTION_MIN_CANDIDATE_NODES_PERCENTAGE;
	int32_t absolute = args ? args->min_candidate_nodes_absolute
		: SCHED_PREEMPTION_MIN_CANDIDATE_NODES_ABSOLUTE;
	int32_t n = num_nodes * percentage / 100;
	if (n < absolute)
		n = absolute;
	if (n > num_nodes)
		n = num_nodes;
	return n;
}

/* K8S: GetEarliestPodStartTime: the earliest start among the victims of
 * the highest priority. */
static ktime_t earliest_start_of_highest(const struct sched_candidate *c, ktime_t now)
{
	int64_t max = c->victims[0]->priority;
	ktime_t earliest = sched_pod_start_time(c->victims[0]->pod, now);
	for (size_t i = 0; i < c->victims_len; i++) {
		const struct sched_pod_info *v = c->victims[i];
		ktime_t start = sched_pod_start_time(v->pod, now);
		if (v->priority == max && start < earliest) {
			earliest = start;
		} else if (v->priority > max) {
			max = v->priority;
			earliest = start;
		}
	}
	return earliest;
}

/* The k-th criterion's score for a candidate: higher is better. */
static int64_t criterion(const struct sched_candidate *c, int k, ktime_t now)
{
	int64_t sum = 0;
	switch (k) {
	case 0:
		return -c->pdb_violations;
	case 1:
		return c->victims_len ? -c->victims[0]->priority : 0;
	case 2:
		/* Shifted by 2^31 so that negative priorities still add up to
		 * more for more pods. */
		for (size_t i = 0; i < c->victims_len; i++)
			sum += c->victims[i]->priority + ((int64_t)INT32_MAX + 1);
		return -sum;
	case 3:
		return -(int64_t)c->victims_len;
	default:
		return c->victims_len ? earliest_start_of_highest(c, now) : INT64_MIN;
	}
}

size_t sched_pick_one_node_for_preemption(const struct sched_candidate *candidates,
					  size_t len, ktime_t now)
{
	BUG_ON(len == 0);
	size_t *best = xcalloc(len, sizeof(*best));
	size_t best_len = len;
	for (size_t i = 0; i < len; i++)
		best[i] = i;
	for (int k = 0; k < 5 && best_len > 1; k++) {
		int64_t max = INT64_MIN;
		size_t kept = 0;
		for (size_t i = 0; i < best_len; i++) {
			int64_t score = criterion(&candidates[best[i]], k, now);
			if (score > max) {
				max = score;
				kept = 0;
			}
			if (score == max)
				best[kept++] = best[i];
		}
		best_len = kept;
	}
	size_t chosen = best[0];
	free(best);
	return chosen;
}
