/* ctrl_daemonset_manage.c - the DaemonSet controller creating and
 * deleting pods: the pods each node should have.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (manage,
 * podsShouldBeOnNode, syncNodes, getUnscheduledPodsWithoutNode),
 * pkg/controller/controller_utils.go (slowStartBatch, RealPodControl),
 * pkg/controller/daemon/util/daemonset_util.go (CreatePodTemplate).
 *
 * manage walks the nodes with their verdicts (ctrl_daemonset_node.c) and
 * writes a plan: a pod to create on each node that should run one and
 * has none; on a node that no longer qualifies, its daemon pods to
 * delete; on a node that does, its failed and succeeded pods (a failed
 * one only once its back-off has passed, so a kubelet that keeps
 * rejecting the pod is not hammered) and every running pod but the
 * oldest. Unscheduled pods aimed at nodes that are gone go too: nobody
 * else would remove them. syncNodes then carries the plan out: the
 * expectations first, then creations in slow-start batches of 1, 2, 4 ...
 * that stop at the first failing batch, then the deletions, each with
 * its Event. The rolling update hands its deletions to the same
 * syncNodes.
 *
 * A daemon pod is the template plus the hash label, the default daemon
 * tolerations and a required node affinity to its node's name; the
 * scheduler, not the controller, binds it.
 *
 * Interface (ctrl_daemonset_internal.h): daemonset_manage,
 * daemonset_sync_nodes, daemonset_plan_delete, daemonset_plan_release.
 * Invariants: at most BURST_REPLICAS creations and as many deletions per
 * call; at most one running daemon pod kept per node; every expected
 * creation or deletion that did not happen is observed back, so the
 * expectations never wait for a pod that is not coming.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset_internal.h"
#include "ctrl_util.h"
#include "xmalloc.h"

#define BURST_REPLICAS 250		/* K8S: daemon.BurstReplicas */
#define SLOW_START_INITIAL_BATCH 1	/* K8S: controller.SlowStartInitialBatchSize */
/* K8S: kube-controller-manager's failedPodsBackoff, NewBackOff(1s, 15m). */
#define FAILED_POD_BACKOFF_INITIAL KTIME_SECOND
#define FAILED_POD_BACKOFF_MAX (15 * KTIME_MINUTE)

/* K8S: flowcontrol.Backoff's entry. */
struct backoff {
	ktime_t last_update;
	ktime_t delay;
};

/* ---- acting: create and delete pods -------------------------------------- */

void daemonset_plan_delete(struct daemonset_plan *plan, const struct pod *pod)
{
	xgrow((void **)&plan->deletes, &plan->deletes_cap, plan->deletes_len + 1,
	      sizeof(*plan->deletes));
	plan->deletes[plan->deletes_len++] = pod;
}

void daemonset_plan_create(struct daemonset_plan *plan, const char *node)
{
	xgrow((void **)&plan->creates, &plan->creates_cap, plan->creates_len + 1,
	      sizeof(*plan->creates));
	plan->creates[plan->creates_len++] = node;
}

void daemonset_plan_release(struct daemonset_plan *plan)
{
	free(plan->deletes);
	free(plan->creates);
	memset(plan, 0, sizeof(*plan));
}
/* K8S: syncNodes' pod: util.CreatePodTemplate (the hash label, the daemon
 * tolerations), then ReplaceDaemonSetPodNodeNameNodeAffinity, then
 * RealPodControl.CreatePods with its events. */
static bool create_pod(struct ds_controller *c, const struct daemon_set *ds,
		       const char *node, const char *hash)
{
	struct pod *pod = ctrl_pod_from_template(&ds->spec.template, &ds->obj);
	strmap_set(&pod->obj.meta.labels, DAEMONSET_HASH_LABEL, hash);
	daemonset_add_tolerations(&pod->spec);
	/* LAB: ds-node-affinity. The scheduler, not the controller, binds. */
	daemonset_set_node_affinity(&pod->spec, node);
	struct object *keep = object_ref(&pod->obj);
	struct api_status status;
	bool ok = client_create(c->client, &pod->obj, &status) == API_OK;
	if (ok)
		client_event(c->client, &ds->obj, "Normal", "SuccessfulCreate",
			     "Created pod: %s", keep->meta.name);
	else
		client_event(c->client, &ds->obj, "Warning", "FailedCreate",
			     "Error creating: %s", status.message);
	object_unref(keep);
	return ok;
}

/* K8S: syncNodes: expectations first, then creations in slow-start
 * batches of 1, 2, 4 ... (stopping at the first failing batch), then the
 * deletions. Returns 0, or -1 when a write failed. */
int daemonset_sync_nodes(struct ds_controller *c, const struct daemon_set *ds,
			 const char *key, const struct daemonset_plan *plan, const char *hash)
{
	size_t creates = plan->creates_len < BURST_REPLICAS ? plan->creates_len : BURST_REPLICAS;
	size_t deletes = plan->deletes_len < BURST_REPLICAS ? plan->deletes_len : BURST_REPLICAS;
	char **victims = xcalloc(deletes + 1, sizeof(*victims));
	for (size_t i = 0; i < deletes; i++)
		victims[i] = object_key(&plan->deletes[i]->obj);
	/* LAB: ds-expectations. Before acting: the watch may report the
	 * first pods before the last create returns. */
	expectations_expect_creations(c->creations, key, (int)creates);
	expectations_expect_deletions(c->deletions, key, (const char *const *)victims, deletes);

	int rc = 0;
	size_t pos = 0, batch = creates < SLOW_START_INITIAL_BATCH ? creates : SLOW_START_INITIAL_BATCH;
	while (pos < creates) {
		size_t failures = 0;
		for (size_t i = pos; i < pos + batch; i++) {	/* upstream: in parallel */
			if (!create_pod(c, ds, plan->creates[i], hash)) {
				expectations_creation_observed(c->creations, key);
				failures++;
			}
		}
		pos += batch;
		if (failures) {
			/* The pods never tried will never be observed. */
			for (; pos < creates; pos++)
				expectations_creation_observed(c->creations, key);
			rc = -1;
			break;
		}
		batch = 2 * batch < creates - pos ? 2 * batch : creates - pos;
	}

	for (size_t i = 0; i < deletes; i++) {
		const struct object *pod = &plan->deletes[i]->obj;
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		struct api_status status;
		enum api_code code = client_delete(c->client, KIND_POD, pod->meta.namespace,
						   pod->meta.name, &options, &status);
		if (code == API_OK) {
			client_event(c->client, &ds->obj, "Normal", "SuccessfulDelete",
				     "Deleted pod: %s", pod->meta.name);
			continue;
		}
		expectations_deletion_observed(c->deletions, key, victims[i]);
		if (code != API_NOT_FOUND) {
			client_event(c->client, &ds->obj, "Warning", "FailedDelete",
				     "Error deleting: %s", status.message);
			rc = -1;
		}
	}
	for (size_t i = 0; i < deletes; i++)
		free(victims[i]);
	free(victims);
	return rc;
}

/* ---- manage: the pods each node should have ------------------------------ */

/* K8S: flowcontrol.Backoff IsInBackOffSinceUpdate / Next for the failed
 * pods of one node: 1 s, doubling up to 15 min, forgotten after twice
 * that without a failure. Returns the delay to wait, or 0 to go ahead
 * (and then records this attempt). */
static ktime_t failed_pod_backoff(struct ds_controller *c, const struct daemon_set *ds,
				  const char *node)
{
	char *id = xasprintf("%s/%lld/%s", ds->obj.meta.uid,
			     (long long)ds->status.observed_generation, node);
	ktime_t now = client_now(c->client);
	struct backoff *b = hashmap_get(&c->backoff, id);
	bool expired = b && now - b->last_update > 2 * FAILED_POD_BACKOFF_MAX;
	ktime_t wait = 0;
	if (b && !expired && now - b->last_update < b->delay) {
		wait = b->delay;
	} else if (!b || expired) {
		if (!b) {
			b = xcalloc(1, sizeof(*b));
			hashmap_put(&c->backoff, id, b);
		}
		b->delay = FAILED_POD_BACKOFF_INITIAL;
		b->last_update = now;
	} else {
		b->delay = 2 * b->delay < FAILED_POD_BACKOFF_MAX ? 2 * b->delay
								  : FAILED_POD_BACKOFF_MAX;
		b->last_update = now;
	}
	free(id);
	return wait;
}

/* K8S: podsShouldBeOnNode, surge part. A node may hold two running
 * pods, the oldest of the current hash and the oldest of another, only
 * while the new one is not available yet and the old one is still
 * ready; every other running pod goes. A node left with none gets one
 * at once (its last pods may be finished ones going away). running is
 * oldest first. */
static void keep_with_surge(const struct daemon_set *ds, const struct node_verdict *v,
			    const struct pod **running, size_t len, const char *hash,
			    ktime_t now, struct daemonset_plan *plan)
{
	if (len == 0) {
		if (v->should_run)
			daemonset_plan_create(plan, v->node->obj.meta.name);
		return;
	}
	const struct pod *oldest_new = NULL, *oldest_old = NULL;
	for (size_t i = 0; i < len; i++) {
		const struct pod **slot = daemonset_pod_is_updated(running[i], hash)
						  ? &oldest_new : &oldest_old;
		if (*slot)
			daemonset_plan_delete(plan, running[i]);
		else
			*slot = running[i];
	}
	if (oldest_new && oldest_old &&
	    (!ctrl_pod_is_ready(oldest_old) ||
	     daemonset_pod_is_available(ds, oldest_new, now)))
		daemonset_plan_delete(plan, oldest_old);	/* LAB: ds-surge */
}

/* K8S: podsShouldBeOnNode. */
static void pods_should_be_on_node(struct ds_controller *c, const struct daemon_set *ds,
				   const struct node_verdict *v, const struct daemon_pods *dp,
				   const char *hash, struct daemonset_plan *plan)
{
	const char *name = v->node->obj.meta.name;
	const struct node_pods *np = daemonset_pods_find(dp, name);
	bool exists = np && np->len > 0;
	if (v->should_run && !exists) {
		daemonset_plan_create(plan, name);
		return;
	}
	if (!exists)
		return;
	if (!v->should_continue) {
		/* LAB: ds-misscheduled. The node no longer qualifies. */
		for (size_t i = 0; i < np->len; i++)
			if (!object_is_deleting(&np->pods[i]->obj))
				daemonset_plan_delete(plan, np->pods[i]);
		return;
	}
	/* Finished daemon pods are replaced; of the running ones only the
	 * oldest stays (with surge, see keep_with_surge). np->pods is sorted
	 * oldest first. */
	bool kept = false, surge = daemonset_allows_surge(ds);
	const struct pod **running = xcalloc(np->len + 1, sizeof(*running));
	size_t running_len = 0;
	for (size_t i = 0; i < np->len; i++) {
		const struct pod *pod = np->pods[i];
		const char *phase = pod->status.phase ? pod->status.phase : "";
		if (object_is_deleting(&pod->obj))
			continue;
		if (!strcmp(phase, POD_PHASE_FAILED)) {
			ktime_t wait = failed_pod_backoff(c, ds, name);
			if (wait) {
				daemonset_enqueue(c, &ds->obj, wait);
				continue;
			}
			client_event(c->client, &ds->obj, "Warning", "FailedDaemonPod",
				     "Found failed daemon pod %s/%s on node %s, will try to kill it",
				     pod->obj.meta.namespace, pod->obj.meta.name, name);
			daemonset_plan_delete(plan, pod);
		} else if (!strcmp(phase, POD_PHASE_SUCCEEDED)) {
			client_event(c->client, &ds->obj, "Normal", "SucceededDaemonPod",
				     "Found succeeded daemon pod %s/%s on node %s, will try to delete it",
				     pod->obj.meta.namespace, pod->obj.meta.name, name);
			daemonset_plan_delete(plan, pod);
		} else if (surge) {
			running[running_len++] = pod;
		} else if (kept) {
			daemonset_plan_delete(plan, pod);		/* a surplus pod */
		} else {
			kept = true;
		}
	}
	if (surge)
		keep_with_surge(ds, v, running, running_len, hash, client_now(c->client), plan);
	free(running);
}

/* K8S: manage. Also deletes unscheduled pods aimed at nodes that no
 * longer exist (getUnscheduledPodsWithoutNode): nobody else would. */
int daemonset_manage(struct ds_controller *c, const struct daemon_set *ds, const char *key,
		     const struct node_verdict *verdicts, size_t nodes,
		     const struct daemon_pods *dp, const char *hash)
{
	struct daemonset_plan plan = {0};
	struct hashmap listed = {0};
	for (size_t i = 0; i < nodes; i++) {
		pods_should_be_on_node(c, ds, &verdicts[i], dp, hash, &plan);
		hashmap_put(&listed, verdicts[i].node->obj.meta.name, (void *)1);
	}
	for (size_t i = 0; i < dp->len; i++) {
		if (hashmap_get(&listed, dp->nodes[i].node))
			continue;
		for (size_t j = 0; j < dp->nodes[i].len; j++) {
			const struct pod *pod = dp->nodes[i].pods[j];
			if (!pod->spec.node_name || !*pod->spec.node_name)
				daemonset_plan_delete(&plan, pod);
		}
	}
	hashmap_release(&listed);
	int rc = daemonset_sync_nodes(c, ds, key, &plan, hash);
	daemonset_plan_release(&plan);
	return rc;
}
