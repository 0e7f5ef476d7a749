/* ctrl_daemonset_status.c - a DaemonSet's status: its counts over the
 * nodes.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (updateDaemonSetStatus,
 * storeDaemonSetStatus); the fields are apps/v1 DaemonSetStatus.
 *
 * Status is counted node by node, from the oldest daemon pod of each:
 * desiredNumberScheduled (the nodes that should run one),
 * currentNumberScheduled (those of them that do), numberMisscheduled
 * (nodes that run one but should not), numberReady, numberAvailable
 * (ready for minReadySeconds), numberUnavailable (desired minus
 * available) and updatedNumberScheduled (running the current template).
 * observedGeneration is raised only by a sync that acted on this
 * generation, so a client waiting for a rollout never sees a stale
 * count claim to be current. With minReadySeconds, a ready pod that is
 * not yet available re-queues the DaemonSet for when it may be.
 *
 * Interface (ctrl_daemonset_internal.h): daemonset_update_status.
 * Invariants: status is written only when a count changed or
 * observedGeneration lags, and retried STATUS_UPDATE_RETRIES times on a
 * Conflict against the DaemonSet re-read (the same uid).
 */
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_util.h"

#define STATUS_UPDATE_RETRIES 1		/* K8S: daemon.StatusUpdateRetries */

static bool has_pods(const struct daemon_pods *dp, const char *node)
{
	const struct node_pods *np = daemonset_pods_find(dp, node);
	return np && np->len > 0;
}

/* K8S: updateDaemonSetStatus + storeDaemonSetStatus: counted over the
 * nodes, from the oldest pod of each; written only when a number changed
 * or observedGeneration lags, retried once on Conflict. */
int daemonset_update_status(struct ds_controller *c, const struct daemon_set *ds,
			    const struct node_verdict *verdicts, size_t nodes,
			    const struct daemon_pods *dp, const char *hash, bool observed)
{
	ktime_t now = client_now(c->client);
	struct daemon_set_status s = {0};
	for (size_t i = 0; i < nodes; i++) {
		const char *name = verdicts[i].node->obj.meta.name;
		bool scheduled = has_pods(dp, name);
		if (!verdicts[i].should_run) {
			s.number_misscheduled += scheduled;
			continue;
		}
		s.desired_number_scheduled++;
		if (!scheduled)
			continue;
		s.current_number_scheduled++;
		const struct pod *pod = daemonset_pods_find(dp, name)->pods[0];
		if (ctrl_pod_is_ready(pod)) {
			s.number_ready++;
			s.number_available += daemonset_pod_is_available(ds, pod, now);
		}
		s.updated_number_scheduled += daemonset_pod_is_updated(pod, hash);
	}
	s.number_unavailable = s.desired_number_scheduled - s.number_available;
	if (ds->spec.min_ready_seconds > 0 && s.number_ready != s.number_available)
		daemonset_enqueue(c, &ds->obj, ds->spec.min_ready_seconds * KTIME_SECOND);

	const struct daemon_set_status *cur = &ds->status;
	if (cur->desired_number_scheduled == s.desired_number_scheduled &&
	    cur->current_number_scheduled == s.current_number_scheduled &&
	    cur->number_misscheduled == s.number_misscheduled &&
	    cur->number_ready == s.number_ready &&
	    cur->updated_number_scheduled == s.updated_number_scheduled &&
	    cur->number_available == s.number_available &&
	    cur->number_unavailable == s.number_unavailable &&
	    cur->observed_generation >= ds->obj.meta.generation)
		return 0;

	const struct object *base = &ds->obj;
	for (int attempt = 0; attempt <= STATUS_UPDATE_RETRIES; attempt++) {
		struct daemon_set *next = (struct daemon_set *)object_copy(base);
		if (observed)
			next->status.observed_generation = ds->obj.meta.generation;
		next->status.desired_number_scheduled = s.desired_number_scheduled;
		next->status.current_number_scheduled = s.current_number_scheduled;
		next->status.number_misscheduled = s.number_misscheduled;
		next->status.number_ready = s.number_ready;
		next->status.updated_number_scheduled = s.updated_number_scheduled;
		next->status.number_available = s.number_available;
		next->status.number_unavailable = s.number_unavailable;
		struct api_status result;
		enum api_code code = client_update_status(c->client, &next->obj, &result);
		if (code == API_OK)
			return 0;
		if (code != API_CONFLICT)
			return -1;
		base = client_get(c->client, KIND_DAEMONSET, ds->obj.meta.namespace,
				  ds->obj.meta.name);
		if (!base || strcmp(base->meta.uid, ds->obj.meta.uid))
			return -1;
	}
	return -1;
}
