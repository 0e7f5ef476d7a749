/* gang_permit.c - a tiny gang scheduler: a Permit plugin that holds pods.
 *
 * LAB: scheduler-permit. A training job of 3 workers is useless until all
 * 3 run: if only 2 get a node, they hold their CPUs and wait for a third
 * that may never come. Gang scheduling (K8S: the Coscheduling plugin of
 * sigs.k8s.io/scheduler-plugins, much simplified) binds a group all
 * together or not at all. The pods say which group they belong to:
 *
 *   labels:
 *     pod-group: train                 # the group's name
 *     pod-group-min-available: "3"     # how many must have a node
 *
 * Each pod of a group goes through Filter and Score alone and gets a node
 * as usual. Then Permit (this plugin) counts the group's pods that are
 * already waiting: with this one, are there min-available? No: Wait --
 * the pod stays assumed on its node (its CPUs are booked) but is not
 * bound. Yes: allow every waiting pod of the group and let this one
 * through: they all bind together. A pod that waits longer than
 * TIMEOUT is rejected ("rejected due to timeout after waiting 30s at
 * plugin GangPermit"), unreserved, and tried again later.
 *
 * Build and run it (kubelab compiles this file for you):
 *   kubelab run scenarios/ch17-gang-permit.yaml
 * and enable it (Permit is its only hook):
 *   plugins: {multiPoint: {enabled: [{name: GangPermit}]}}
 * See docs/scheduler-plugins.md.
 */
#include <stdlib.h>

#include "sched_plugin_api.h"

#define GROUP_LABEL "pod-group"
#define MIN_LABEL "pod-group-min-available"
/* How long a pod may wait for the rest of its group. */
#define TIMEOUT (30 * KTIME_SECOND)

/* The pod's group, as the iteration callbacks see it. */
struct group {
	const struct pod *pod;		/* the pod being permitted */
	const char *name;		/* its pod-group label */
	size_t waiting;			/* out: the group's waiting pods */
};

static bool same_group(const struct group *g, const struct pod *other)
{
	const char *name = sched_pod_label(other, GROUP_LABEL);
	return name && strcmp(name, g->name) == 0 &&
	       strcmp(other->obj.meta.namespace, g->pod->obj.meta.namespace) == 0;
}

static void count_waiting(struct sched_waiting_pod *wp, void *arg)
{
	struct group *g = arg;
	if (same_group(g, sched_waiting_pod_pod(wp)))
		g->waiting++;
}

static void allow_waiting(struct sched_waiting_pod *wp, void *arg)
{
	struct group *g = arg;
	if (same_group(g, sched_waiting_pod_pod(wp)))
		sched_waiting_pod_allow(wp, "GangPermit");
}

/* Permit runs once the pod has a node (assumed, not yet bound).
 * SCHED_SUCCESS lets it bind; sched_status_wait holds it. */
static enum sched_code gang_permit(struct sched_state *state, const struct pod *pod,
				   const char *node_name, struct sched_status *status)
{
	(void)node_name;
	struct group g = { .pod = pod, .name = sched_pod_label(pod, GROUP_LABEL) };
	if (!g.name)
		return SCHED_SUCCESS;	/* not in a gang */
	const char *min_text = sched_pod_label(pod, MIN_LABEL);
	long min = min_text ? strtol(min_text, NULL, 10) : 1;
	sched_waiting_pods_iterate(state, count_waiting, &g);
	if ((long)g.waiting + 1 < min)
		return sched_status_wait(status, TIMEOUT);	/* hold it */
	/* The gang is complete: release the others, and this one goes on. */
	sched_waiting_pods_iterate(state, allow_waiting, &g);
	return SCHED_SUCCESS;
}

const struct sched_plugin kubelab_plugin = {
	.name = "GangPermit",
	.permit = gang_permit,
};
