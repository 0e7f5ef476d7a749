/* sched_preemption.h - priority and preemption: the DefaultPreemption
 * plugin's building blocks.
 *
 * K8S: pkg/scheduler/framework/plugins/defaultpreemption/
 * default_preemption.go (SelectVictimsOnNode, PodEligibleToPreemptOthers,
 * filterPodsWithPDBViolation, calculateNumCandidates),
 * framework/preemption/preemption.go (Evaluator.Preempt, findCandidates,
 * DryRunPreemption, pickOneNodeForPreemption, prepareCandidate) and
 * pkg/scheduler/util/utils.go (MoreImportantPod, GetPodStartTime,
 * GetEarliestPodStartTime).
 *
 * When no node fits a pod, the scheduler asks whether evicting pods of
 * lower priority would make room. Per node where that might help (the
 * Filter said Unschedulable, not UnschedulableAndUnresolvable), a dry run
 * removes every lower-priority pod, checks that the pod then fits, and
 * puts pods back ("reprieves" them) one at a time, most important first,
 * keeping each one that still leaves room: what stays out are the
 * victims. Pods whose eviction would break a PodDisruptionBudget are
 * reprieved before the others, so they are evicted only when nothing else
 * helps. Among the nodes with victims the scheduler picks one by fixed
 * rules (fewest PDB violations, then the least important victims, ...),
 * deletes its victims gracefully, and nominates the pod to it: the pod
 * goes back to the queue with status.nominatedNodeName and is bound once
 * the victims are gone (sched_nominator.h).
 *
 * This header exposes the steps so that tests can pin them to upstream's
 * tables; the plugin itself (sched_default_preemption_plugin) is the
 * framework's PostFilter.
 *
 * Ownership: candidates borrow the cache's pod infos; they are valid
 * until the cache changes. Free a candidate's array with
 * sched_candidate_release and PDBs with sched_pdbs_release.
 */
#ifndef KUBELAB_SCHED_PREEMPTION_H
#define KUBELAB_SCHED_PREEMPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched_args.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "selector.h"
#include "store.h"

/* Upstream's defaults for DefaultPreemptionArgs. */
#define SCHED_PREEMPTION_MIN_CANDIDATE_NODES_PERCENTAGE 10
#define SCHED_PREEMPTION_MIN_CANDIDATE_NODES_ABSOLUTE 100

/* K8S: util.GetPodStartTime: status.startTime, or now for a pod not
 * started yet (upstream reads the wall clock there; kubelab the cycle's
 * time). */
ktime_t sched_pod_start_time(const struct pod *pod, ktime_t now);
/* K8S: util.MoreImportantPod: higher priority, or at equal priority the
 * one that started earlier. */
bool sched_more_important_pod(const struct pod *a, const struct pod *b, ktime_t now);

/* A PodDisruptionBudget as preemption reads it. */
struct sched_pdb {
	const char *namespace;		/* borrowed from the listed object */
	struct selector selector;	/* owned; empty: matches nothing here */
	int32_t disruptions_allowed;	/* status.disruptionsAllowed */
};
struct sched_pdbs {
	struct sched_pdb *items;
	size_t len;
	struct object_list list;	/* keeps the objects listed */
};
/* K8S: getPodDisruptionBudgets: every PDB in the store (a lister read). */
void sched_pdbs_list(const struct store *store, struct sched_pdbs *out);
void sched_pdbs_release(struct sched_pdbs *pdbs);

/* K8S: filterPodsWithPDBViolation. Splits pods (in order) into those
 * whose eviction would take some matching PDB's disruptionsAllowed below
 * zero -- counting the pods before them -- and the others; both keep the
 * input order. violating and others must hold len entries each. */
void sched_pdb_split(const struct sched_pod_info *const *pods, size_t len,
		     const struct sched_pdbs *pdbs,
		     const struct sched_pod_info **violating, size_t *violating_len,
		     const struct sched_pod_info **others, size_t *others_len);

/* K8S: a preemption candidate (extenderv1.Victims + node name). */
struct sched_candidate {
	const struct sched_node_info *node;
	const struct sched_pod_info **victims;	/* owned array, most important first */
	size_t victims_len;
	int64_t pdb_violations;
};
void sched_candidate_release(struct sched_candidate *candidate);

/* LAB: sched-victims. K8S: SelectVictimsOnNode for state->pod on node,
 * filtering with sched_run_filter_with_nominated. SCHED_SUCCESS fills
 * *out; otherwise status says why the node cannot help ("No preemption
 * victims found for incoming pod", or the Filter's reasons with every
 * lower-priority pod gone). */
enum sched_code sched_select_victims_on_node(const struct sched_profile *profile,
					     struct sched_state *state,
					     const struct sched_node_info *node,
					     const struct sched_pdbs *pdbs, ktime_t now,
					     struct sched_candidate *out,
					     struct sched_status *status);

/* K8S: calculateNumCandidates: percentage of num_nodes, at least
 * absolute, at most num_nodes. args NULL: the defaults. */
int32_t sched_preemption_num_candidates(const struct sched_preemption_args *args,
					int32_t num_nodes);

/* LAB: sched-pick-node. K8S: pickOneNodeForPreemption: the index of the
 * candidate with the fewest PDB violations, then the lowest highest-victim
 * priority, the smallest sum of priorities, the fewest victims, the latest
 * start time among its highest-priority victims; then the first. len > 0. */
size_t sched_pick_one_node_for_preemption(const struct sched_candidate *candidates,
					  size_t len, ktime_t now);

/* K8S: podTerminatingByPreemption: deleting, with the DisruptionTarget
 * condition the scheduler sets on its victims. */
bool sched_pod_terminating_by_preemption(const struct pod *pod);

#endif
