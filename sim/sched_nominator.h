/* sched_nominator.h - pods nominated to nodes by preemption.
 *
 * K8S: pkg/scheduler/backend/queue/nominator.go (the PodNominator:
 * AddNominatedPod, UpdateNominatedPod, DeleteNominatedPodIfExists,
 * NominatedPodsForNode) and framework/runtime/framework.go
 * (RunFilterPluginsWithNominatedPods, addGENominatedPods).
 *
 * When a pod preempts others, the victims take a while to terminate. The
 * preemptor is not bound yet; it waits in the queue with
 * status.nominatedNodeName set to the node being emptied for it. Meanwhile
 * other pods are scheduled, and nothing would stop one of them from taking
 * the room the victims free. So the scheduler remembers the nominations,
 * and filtering a node for a pod counts the pods nominated there with
 * equal or higher priority as if they were already running. A
 * lower-priority pod may still take room meant for a nominated one: the
 * nominated pod, more important, could preempt it in turn.
 *
 * Filtering then runs twice when a node has such nominated pods: with
 * them (resources are tighter) and, if that passed, without them (some
 * filters, like pod affinity, pass only when the nominated pods are
 * counted as absent). The pod must fit both ways.
 *
 * Where nominations come from: status.nominatedNodeName of the pending
 * pods the scheduler's queue holds, and the scheduler itself right after
 * a preemption (before its status write comes back through the watch).
 * A pod leaves the nominator when it is bound, assumed or deleted.
 *
 * Ownership: the nominator holds a reference to each nominated pod and
 * its computed request (struct sched_pod_info, node NULL). Per node, pods
 * are kept in the order they were nominated.
 */
#ifndef KUBELAB_SCHED_NOMINATOR_H
#define KUBELAB_SCHED_NOMINATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "hashmap.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"

struct sched_nominator {
	struct hashmap by_node;		/* node name -> struct sched_nominated_list */
	struct hashmap by_uid;		/* pod uid -> struct sched_nominated_pod */
	size_t len;			/* nominated pods */
};

struct sched_nominated_pod {
	struct sched_pod_info info;	/* pod (reference), request, priority */
	char *node_name;		/* owned */
};

void sched_nominator_init(struct sched_nominator *nominator);
void sched_nominator_release(struct sched_nominator *nominator);

/* K8S: addNominatedPodUnlocked. Drops pod's previous nomination, then
 * nominates it to node_name, or, when node_name is NULL (ModeNoop), to its
 * status.nominatedNodeName. Nothing is nominated for an empty name or a
 * pod with spec.nodeName set. The cache interns the request's resource
 * names. */
void sched_nominator_add(struct sched_nominator *nominator,
			 struct sched_cache *cache, const struct pod *pod,
			 const char *node_name);
/* K8S: UpdateNominatedPod: as add, except that an update where neither
 * version has a nominatedNodeName keeps the in-memory nomination (the
 * scheduler's own status write may not have arrived yet). */
void sched_nominator_update(struct sched_nominator *nominator,
			    struct sched_cache *cache, const struct pod *old,
			    const struct pod *pod);
/* K8S: DeleteNominatedPodIfExists. */
void sched_nominator_delete(struct sched_nominator *nominator, const char *uid);

/* K8S: NominatedPodsForNode: the pods nominated to node, in nomination
 * order (borrowed; valid until the next change). */
struct sched_nominated_pod *const *
sched_nominator_for_node(const struct sched_nominator *nominator,
			 const char *node, size_t *len);
/* The node uid is nominated to, or NULL. */
const char *sched_nominator_node_of(const struct sched_nominator *nominator,
				    const char *uid);

/* LAB: sched-nominated. K8S: RunFilterPluginsWithNominatedPods: the
 * Filter verdict of node for state->pod, with the pods nominated there
 * of equal or higher priority (other than the pod itself) counted first
 * and, when that passes, without them. A node nobody is nominated to
 * costs one lookup more than sched_run_filter. */
enum sched_code sched_run_filter_with_nominated(const struct sched_profile *profile,
						struct sched_state *state,
						const struct sched_node_info *node,
						struct sched_status *status);

#endif
