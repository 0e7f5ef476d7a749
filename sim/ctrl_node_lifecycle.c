/* ctrl_node_lifecycle.c - the node lifecycle controller: notice silent
 * nodes, mark them Unknown, taint them.
 *
 * K8S: pkg/controller/nodelifecycle/node_lifecycle_controller.go
 * (monitorNodeHealth, tryUpdateNodeHealth, processTaintBaseEviction,
 * doNoScheduleTaintingPass) and pkg/controller/util/node (MarkPodsNotReady,
 * RecordNodeStatusChange, SwapNodeControllerTaint).
 *
 * A kubelet proves it is alive two ways: it renews its Lease in the
 * kube-node-lease namespace every 10 s, and it posts the node's Ready
 * condition. Every NODE_MONITOR_PERIOD (5 s) this controller checks each
 * node. Whenever the lease's renewTime or the Ready heartbeat changed
 * since the last look, the node's "probe time" becomes now: the
 * controller trusts its own clock, not the kubelet's. When nothing changed
 * for NODE_MONITOR_GRACE_PERIOD (50 s; 60 s for a node that never posted a
 * status), the controller sets Ready, MemoryPressure, DiskPressure and
 * PIDPressure to Unknown ("Kubelet stopped posting node status."),
 * records NodeNotReady and marks the node's pods not ready, so Services
 * stop sending them traffic.
 *
 * Taints follow the Ready condition, in two passes as upstream:
 *   - NoSchedule (on every node change): Ready False -> not-ready, Ready
 *     Unknown -> unreachable, pressure conditions and spec.unschedulable
 *     -> their own taints; the scheduler stops placing pods there.
 *   - NoExecute (in the monitor pass, from the Ready condition as it was
 *     at the start of the pass, so one period after it changed):
 *     not-ready or unreachable; the taint eviction controller then evicts
 *     pods that do not tolerate it. A Ready node loses both.
 *
 * Simplified: upstream rate-limits NoExecute tainting per zone (0.1
 * nodes/s, slower or stopped when a zone is mostly down); kubelab taints
 * at once. Pod updates on an already not-ready node (processPod) are not
 * watched: with its kubelet gone, nothing else marks them ready.
 *
 * Interface: the node_lifecycle_controller row (controller.h). Events are
 * recorded as "node-controller", upstream's event source.
 * Invariants: one health entry per node seen, dropped with the node; a
 * probe time never moves backwards; NodeNotReady is recorded once per
 * transition the controller itself saw (a kubelet that reports NotReady
 * records its own).
 */
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "release.h"
#include "workqueue.h"
#include "xmalloc.h"

#define NODE_LEASE_NAMESPACE "kube-node-lease"	/* K8S: v1.NamespaceNodeLease */
#define NODE_HEALTH_UPDATE_RETRY 5		/* K8S: NodeHealthUpdateRetry */
#define TAINT_UPDATE_RETRY 5			/* K8S: UpdateTaintBackoff.Steps */

/* What the controller last saw of a node (K8S: nodeHealthData). */
struct node_health {
	ktime_t probe_timestamp;	/* our clock when we last heard from it */
	ktime_t ready_transition_timestamp;
	bool has_ready;			/* the saved status had a Ready condition */
	ktime_t ready_heartbeat;	/* ... its lastHeartbeatTime */
	ktime_t ready_transition;	/* ... its lastTransitionTime */
	bool has_lease;
	ktime_t lease_renew;		/* the saved lease's renewTime */
};

struct node_lifecycle {
	struct client client;		/* the caller's, as "node-controller" */
	struct informer *nodes;
	struct informer *leases;
	struct informer *pods;		/* index: spec.nodeName */
	struct workqueue *no_schedule;	/* node names (K8S: nodeUpdateQueue) */
	struct hashmap health;		/* node name -> struct node_health */
	timer_id monitor_timer;
};

/* The taints a condition maps to (K8S: nodeConditionToTaintKeyStatusMap). */
static const struct {
	const char *condition, *status, *taint;
} condition_taints[] = {
	{ "Ready", "False", TAINT_NODE_NOT_READY },
	{ "Ready", "Unknown", TAINT_NODE_UNREACHABLE },
	{ "MemoryPressure", "True", "node.kubernetes.io/memory-pressure" },
	{ "DiskPressure", "True", "node.kubernetes.io/disk-pressure" },
	{ "NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable" },
	{ "PIDPressure", "True", "node.kubernetes.io/pid-pressure" },
};
#define CONDITION_TAINTS (sizeof(condition_taints) / sizeof(condition_taints[0]))

static const struct node *as_node(const struct object *obj)
{
	return object_as(obj, KIND_NODE, const struct node);
}

static const struct condition *node_condition(const struct node *node, const char *type)
{
	return condition_find((void *)&node->status.conditions, type);
}

/* ---- taints -------------------------------------------------------------- */

struct taint_ref {
	const char *key;
	const char *effect;
};

static bool has_taint(const struct node *node, const char *key, const char *effect)
{
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *t = &node->spec.taints.items[i];
		if (t->key && t->effect && !strcmp(t->key, key) && !strcmp(t->effect, effect))
			return true;
	}
	return false;
}

/* Applies the change to a copy; returns whether anything changed. */
static bool edit_taints(struct node *node, const struct taint_ref *add, size_t n_add,
			const struct taint_ref *remove, size_t n_remove, ktime_t now)
{
	bool changed = false;
	size_t kept = 0;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		struct taint *t = &node->spec.taints.items[i];
		bool drop = false;
		for (size_t j = 0; j < n_remove; j++)
			drop |= t->key && t->effect && !strcmp(t->key, remove[j].key) &&
				!strcmp(t->effect, remove[j].effect);
		if (drop) {
			schema_release(&taint_schema, t);
			changed = true;
		} else {
			node->spec.taints.items[kept++] = *t;
		}
	}
	node->spec.taints.len = kept;
	for (size_t j = 0; j < n_add; j++) {
		if (has_taint(node, add[j].key, add[j].effect))
			continue;	/* already there: keep its timeAdded */
		size_t cap = node->spec.taints.len;
		xgrow((void **)&node->spec.taints.items, &cap, node->spec.taints.len + 1,
		      sizeof(struct taint));
		node->spec.taints.items[node->spec.taints.len++] = (struct taint){
			.key = xstrdup(add[j].key),
			.effect = xstrdup(add[j].effect),
			.time_added = now,
		};
		changed = true;
	}
	return changed;
}

/* K8S: SwapNodeControllerTaint: add, then remove, on the fresh node, with
 * retries on Conflict. Returns 0 or -1. */
static int swap_taints(struct node_lifecycle *c, const char *name,
		       const struct taint_ref *add, size_t n_add,
		       const struct taint_ref *remove, size_t n_remove)
{
	for (int attempt = 0; attempt < TAINT_UPDATE_RETRY; attempt++) {
		const struct object *cur = client_get(&c->client, KIND_NODE, NULL, name);
		if (!cur)
			return -1;
		struct node *next = (struct node *)object_copy(cur);
		if (!edit_taints(next, add, n_add, remove, n_remove, client_now(&c->client))) {
			object_unref(&next->obj);
			return 0;
		}
		enum api_code code = client_update(&c->client, &next->obj, NULL);
		if (code == API_OK)
			return 0;
		if (code != API_CONFLICT)
			return -1;
	}
	return -1;
}

/* K8S: doNoScheduleTaintingPass: the NoSchedule taints the node's
 * conditions and spec.unschedulable call for, no more, no fewer. */
static int sync_no_schedule(void *arg, const char *name)
{
	struct node_lifecycle *c = arg;
	const struct object *obj = informer_get(c->nodes, NULL, name);
	if (!obj)
		return 0;
	const struct node *node = as_node(obj);
	struct taint_ref want[CONDITION_TAINTS + 1], add[CONDITION_TAINTS + 1];
	struct taint_ref drop[CONDITION_TAINTS + 1];
	size_t n_want = 0, n_add = 0, n_drop = 0;
	for (size_t i = 0; i < CONDITION_TAINTS; i++) {
		const struct condition *cond = node_condition(node, condition_taints[i].condition);
		if (cond && cond->status && !strcmp(cond->status, condition_taints[i].status))
			want[n_want++] = (struct taint_ref){ condition_taints[i].taint,
							     TAINT_NO_SCHEDULE };
	}
	if (node->spec.unschedulable)
		want[n_want++] = (struct taint_ref){ TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE };
	for (size_t i = 0; i < n_want; i++)
		if (!has_taint(node, want[i].key, TAINT_NO_SCHEDULE))
			add[n_add++] = want[i];
	/* Every controller-owned NoSchedule taint not wanted any more. */
	for (size_t i = 0; i <= CONDITION_TAINTS; i++) {
		const char *key = i < CONDITION_TAINTS ? condition_taints[i].taint
						       : TAINT_NODE_UNSCHEDULABLE;
		bool wanted = false;
		for (size_t j = 0; j < n_want; j++)
			wanted |= !strcmp(want[j].key, key);
		bool listed = false;
		for (size_t j = 0; j < n_drop; j++)
			listed |= !strcmp(drop[j].key, key);
		if (!wanted && !listed && has_taint(node, key, TAINT_NO_SCHEDULE))
			drop[n_drop++] = (struct taint_ref){ key, TAINT_NO_SCHEDULE };
	}
	if (!n_add && !n_drop)
		return 0;
	return swap_taints(c, node->obj.meta.name, add, n_add, drop, n_drop);
}

/* K8S: processTaintBaseEviction, with markNodeForTainting's queue applied
 * at once. observed is the Ready status at the start of the pass, current
 * the one after it. */
static void taint_no_execute(struct node_lifecycle *c, const struct node *node,
			     const char *observed, const char *current)
{
	static const struct taint_ref not_ready = { TAINT_NODE_NOT_READY, TAINT_NO_EXECUTE };
	static const struct taint_ref unreachable = { TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE };
	const char *name = node->obj.meta.name;
	if (!strcmp(observed, "True")) {	/* K8S: markNodeAsReachable */
		struct taint_ref both[] = { unreachable, not_ready };
		if (has_taint(node, unreachable.key, TAINT_NO_EXECUTE) ||
		    has_taint(node, not_ready.key, TAINT_NO_EXECUTE))
			swap_taints(c, name, NULL, 0, both, 2);
		return;
	}
	/* A node tainted for the other state swaps at once; otherwise the
	 * tainter looks at the condition as it is now (doNoExecuteTaintingPass). */
	const char *status = current;
	if ((!strcmp(observed, "False") && has_taint(node, unreachable.key, TAINT_NO_EXECUTE)) ||
	    (!strcmp(observed, "Unknown") && has_taint(node, not_ready.key, TAINT_NO_EXECUTE)))
		status = observed;
	if (!strcmp(status, "False"))
		swap_taints(c, name, &not_ready, 1, &unreachable, 1);
	else if (!strcmp(status, "Unknown"))
		swap_taints(c, name, &unreachable, 1, &not_ready, 1);
}

/* ---- node health --------------------------------------------------------- */

/* K8S: MarkPodsNotReady: the Ready condition of every pod on the node
 * goes False, with a NodeNotReady event on each pod changed. */
static void mark_pods_not_ready(struct node_lifecycle *c, const char *node_name)
{
	struct object_list pods = {0};
	informer_list_index(c->pods, node_name, &pods);
	ktime_t now = client_now(&c->client);
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = (const void *)pods.items[i];
		const struct condition *ready = ctrl_pod_condition(pod, "Ready");
		if (!ready || (ready->status && !strcmp(ready->status, "False")))
			continue;
		struct pod *next = (struct pod *)object_copy(&pod->obj);
		struct condition *cond = condition_find(&next->status.conditions, "Ready");
		free(cond->status);
		cond->status = xstrdup("False");
		cond->last_transition_time = now;
		if (client_update_status(&c->client, &next->obj, NULL) == API_OK)
			client_event(&c->client, &pod->obj, "Warning", "NodeNotReady",
				     "Node is not ready");
	}
	object_list_release(&pods);
}

static struct node_health *health_of(struct node_lifecycle *c, const char *name)
{
	return hashmap_get(&c->health, name);
}

/* K8S: the first half of tryUpdateNodeHealth: did we hear from the node
 * since the last pass? Returns the grace period that applies. */
static ktime_t observe(struct node_lifecycle *c, const struct node *node, ktime_t now)
{
	const char *name = node->obj.meta.name;
	const struct condition *ready = node_condition(node, "Ready");
	struct node_health *h = health_of(c, name);
	if (!h) {
		h = xcalloc(1, sizeof(*h));
		hashmap_put(&c->health, name, h);
		/* Never seen: from its creation if it never posted, else now. */
		h->probe_timestamp = h->ready_transition_timestamp =
			ready ? now : node->obj.meta.creation_timestamp;
	} else if (ready && (!h->has_ready || h->ready_heartbeat != ready->last_heartbeat_time)) {
		/* A new heartbeat; a new transition time means Ready changed. */
		if (!h->has_ready || h->ready_transition != ready->last_transition_time)
			h->ready_transition_timestamp = now;
		h->probe_timestamp = now;
	}
	h->has_ready = ready != NULL;
	h->ready_heartbeat = ready ? ready->last_heartbeat_time : 0;
	h->ready_transition = ready ? ready->last_transition_time : 0;

	/* LAB: node-lease. A renewed lease is as good as a heartbeat. */
	const struct object *obj = informer_get(c->leases, NODE_LEASE_NAMESPACE, name);
	const struct lease *lease = obj ? (const struct lease *)obj : NULL;
	if (lease && (!h->has_lease || h->lease_renew < lease->spec.renew_time)) {
		h->has_lease = true;
		h->lease_renew = lease->spec.renew_time;
		h->probe_timestamp = now;
	}
	return ready ? NODE_MONITOR_GRACE_PERIOD : NODE_STARTUP_GRACE_PERIOD;
}

/* Sets the four kubelet-owned conditions to Unknown on a copy. */
static void mark_unknown(struct node *node, ktime_t now)
{
	static const char *const types[] = {
		"Ready", "MemoryPressure", "DiskPressure", "PIDPressure",
	};
	for (size_t i = 0; i < 4; i++) {
		struct condition *cond = condition_find(&node->status.conditions, types[i]);
		if (!cond) {
			struct condition fresh = {
				.type = xstrdup(types[i]), .status = xstrdup("Unknown"),
				.reason = xstrdup("NodeStatusNeverUpdated"),
				.message = xstrdup("Kubelet never posted node status."),
				.last_heartbeat_time = node->obj.meta.creation_timestamp,
				.last_transition_time = now,
			};
			ctrl_condition_put(&node->status.conditions, &fresh);
		} else if (!cond->status || strcmp(cond->status, "Unknown")) {
			free(cond->status);
			free(cond->reason);
			free(cond->message);
			cond->status = xstrdup("Unknown");
			cond->reason = xstrdup("NodeStatusUnknown");
			cond->message = xstrdup("Kubelet stopped posting node status.");
			cond->last_transition_time = now;
		}
	}
}

/* K8S: tryUpdateNodeHealth. *observed gets the Ready status before the
 * pass ("Unknown" for a node that never posted one), *current after it
 * (NULL while there is none). Returns 0, or -1 on a write Conflict. */
static int try_update(struct node_lifecycle *c, const struct node *node,
		      const char **observed, const char **current)
{
	ktime_t now = client_now(&c->client);
	const struct condition *ready = node_condition(node, "Ready");
	*observed = ready && ready->status ? ready->status : "Unknown";
	*current = ready ? *observed : NULL;
	ktime_t grace = observe(c, node, now);
	struct node_health *h = health_of(c, node->obj.meta.name);
	if (now <= h->probe_timestamp + grace)
		return 0;
	struct node *next = (struct node *)object_copy(&node->obj);
	mark_unknown(next, now);
	const struct condition *after = node_condition(next, "Ready");
	if (ready && schema_equal(&condition_schema, after, ready)) {
		object_unref(&next->obj);	/* already Unknown: nothing to write */
		return 0;
	}
	if (client_update_status(&c->client, &next->obj, NULL) != API_OK)
		return -1;
	h->ready_transition_timestamp = h->ready_transition = now;
	*current = "Unknown";
	return 0;
}

/* ---- the monitor pass ---------------------------------------------------- */

static void check_node(struct node_lifecycle *c, const struct object *cached)
{
	const char *name = cached->meta.name;
	struct object *node = object_ref(cached);
	const char *observed = NULL, *current = NULL;
	int attempt = 0;
	while (try_update(c, as_node(node), &observed, &current)) {
		/* K8S: retry with the node as the API server has it now. */
		const struct object *fresh = client_get(&c->client, KIND_NODE, NULL, name);
		object_unref(node);
		if (!fresh || ++attempt >= NODE_HEALTH_UPDATE_RETRY)
			return;
		node = object_ref(fresh);
	}
	if (current) {
		taint_no_execute(c, as_node(node), observed, current);
		if (strcmp(current, "True") && !strcmp(observed, "True")) {
			/* LAB: node-not-ready. Once, on the transition. */
			client_event(&c->client, node, "Normal", "NodeNotReady",
				     "Node %s status is now: %s", name, "NodeNotReady");
			mark_pods_not_ready(c, name);
		}
	}
	object_unref(node);
}

/* K8S: monitorNodeHealth, run every NODE_MONITOR_PERIOD. */
static void monitor(void *arg)
{
	struct node_lifecycle *c = arg;
	struct object_list nodes = {0};
	informer_list(c->nodes, NULL, &nodes);
	/* Take our own references: the pass writes, and the informer may not
	 * be the only holder of these objects. */
	for (size_t i = 0; i < nodes.len; i++)
		object_ref(nodes.items[i]);
	for (size_t i = 0; i < nodes.len; i++)
		check_node(c, nodes.items[i]);
	for (size_t i = 0; i < nodes.len; i++)
		object_unref((struct object *)nodes.items[i]);
	object_list_release(&nodes);
	c->monitor_timer = clock_after(&c->client.clock, NODE_MONITOR_PERIOD, monitor, c);
}

static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old)
{
	struct node_lifecycle *c = arg;
	(void)old;
	if (type == WATCH_DELETED) {
		free(hashmap_remove(&c->health, obj->meta.name));
		return;
	}
	workqueue_add(c->no_schedule, obj->meta.name);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *node_lifecycle_start(const struct client *client)
{
	struct node_lifecycle *c = xcalloc(1, sizeof(*c));
	hashmap_set_unordered(&c->health);	/* only ever freed in a loop */
	c->client = *client;
	c->client.component = "node-controller";	/* K8S: its event source */
	c->no_schedule = workqueue_new(&client->clock, "node-lifecycle", sync_no_schedule, c);
	c->leases = informer_new(client, KIND_LEASE, NULL, NULL, NULL);
	c->pods = informer_new(client, KIND_POD, informer_index_node_name, NULL, NULL);
	c->nodes = informer_new(client, KIND_NODE, NULL, on_node, c);
	/* K8S: wait.Until runs the first pass at once. */
	c->monitor_timer = clock_after(&client->clock, 0, monitor, c);
	return c;
}

static void node_lifecycle_stop(void *state)
{
	struct node_lifecycle *c = state;
	clock_cancel(&c->client.clock, c->monitor_timer);
	informer_free(c->nodes);
	informer_free(c->pods);
	informer_free(c->leases);
	workqueue_free(c->no_schedule);
	void *value;
	for (size_t pos = 0; hashmap_next(&c->health, &pos, NULL, &value);)
		free(value);
	hashmap_release(&c->health);
	free(c);
}

const struct controller_ops node_lifecycle_controller = {
	.name = "node-lifecycle-controller",
	.start = node_lifecycle_start,
	.stop = node_lifecycle_stop,
};
