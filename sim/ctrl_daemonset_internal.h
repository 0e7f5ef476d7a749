/* ctrl_daemonset_internal.h - declarations shared by the files of the
 * DaemonSet controller.
 *
 * Internal to ctrl_daemonset.c (watches, the sync, lifecycle),
 * ctrl_daemonset_pods.c (a DaemonSet's pods, by node),
 * ctrl_daemonset_manage.c (creating and deleting them),
 * ctrl_daemonset_rolling_update.c (replacing old pods) and
 * ctrl_daemonset_status.c; nothing else includes it. The public interface
 * is ctrl_daemonset.h.
 *
 * Ownership: every pod, node and node name in the structures below is
 * borrowed from the informers' caches for the length of one sync.
 */
#ifndef KUBELAB_CTRL_DAEMONSET_INTERNAL_H
#define KUBELAB_CTRL_DAEMONSET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ctrl_daemonset.h"
#include "ctrl_expectations.h"
#include "ctrl_informer.h"
#include "hashmap.h"
#include "selector.h"
#include "workqueue.h"

/* The controller's state, one per run (ctrl_daemonset.c starts it). */
struct ds_controller {
	const struct client *client;
	struct informer *daemon_sets;
	struct informer *nodes;
	struct informer *pods;		/* index: controller uid, or "orphan/NS" */
	struct informer *revisions;	/* ControllerRevisions, index: controller uid */
	struct workqueue *queue;
	/* Upstream's SetExpectations(key, adds, dels) sets both at once; the
	 * shared table sets one or the other, so creations and deletions get
	 * a table each and a key is satisfied when both are. */
	struct expectations *creations, *deletions;
	/* The failed-pod back-off of ctrl_daemonset_manage.c. */
	struct hashmap backoff;		/* "uid/generation/node" -> struct backoff */
};

/* One node's daemon pods, bound first, then oldest first. */
struct node_pods {
	const char *node;		/* borrowed from a pod or a node */
	const struct pod **pods;
	size_t len, cap;
};

/* A DaemonSet's pods, grouped by the node they are for. */
struct daemon_pods {
	struct hashmap index;		/* node name -> 1 + position in nodes */
	struct node_pods *nodes;
	size_t len, cap;
};

/* A node and the verdict of daemonset_node_should_run, once per sync. */
struct node_verdict {
	const struct node *node;
	bool should_run, should_continue;
};

/* What one sync decided to do (pods and node names borrowed). */
struct daemonset_plan {
	const struct pod **deletes;
	size_t deletes_len, deletes_cap;
	const char **creates;
	size_t creates_len, creates_cap;
};

/* ---- the controller (ctrl_daemonset.c) ---- */

/* Adds ds's key to the workqueue, after a delay (0: now). */
void daemonset_enqueue(struct ds_controller *c, const struct object *ds, ktime_t after);

/* ---- a DaemonSet's pods, by node (ctrl_daemonset_pods.c) ---- */

/* K8S: getNodesToDaemonPods: claims ds's pods (adopting orphans its
 * selector matches, releasing those it no longer matches) and groups
 * them in *dp by target node, each group sorted bound first, then oldest
 * first. *dp starts zeroed; release it with daemonset_pods_release even
 * on failure. Returns 0, or -1 when a claim write failed (retry). */
int daemonset_pods_build(struct ds_controller *c, const struct daemon_set *ds,
			 const struct selector *selector, struct daemon_pods *dp);

/* The group of node, or NULL if the DaemonSet has no pod for it. */
struct node_pods *daemonset_pods_find(const struct daemon_pods *dp, const char *node);

/* The group of node, created empty if needed (node is kept, borrowed). */
struct node_pods *daemonset_pods_entry(struct daemon_pods *dp, const char *node);

/* Frees what dp holds (not the pods) and zeroes it. */
void daemonset_pods_release(struct daemon_pods *dp);

/* Whether pod was made from the template whose hash is hash. */
bool daemonset_pod_is_updated(const struct pod *pod, const char *hash);

/* Whether pod has been ready for ds's minReadySeconds at now. */
bool daemonset_pod_is_available(const struct daemon_set *ds, const struct pod *pod, ktime_t now);

/* ---- acting on the pods (ctrl_daemonset_manage.c) ---- */

/* Adds pod to plan's deletions. */
void daemonset_plan_delete(struct daemonset_plan *plan, const struct pod *pod);

/* Adds node (borrowed) to plan's creations. */
void daemonset_plan_create(struct daemonset_plan *plan, const char *node);

/* Frees plan's arrays and zeroes it. */
void daemonset_plan_release(struct daemonset_plan *plan);

/* K8S: syncNodes: announces plan in the expectations, then creates its
 * pods (labelled hash) in slow-start batches and deletes its victims, at
 * most BURST_REPLICAS of each, with their Events. Returns 0, or -1 when a
 * write failed (every expectation not met was observed back). */
int daemonset_sync_nodes(struct ds_controller *c, const struct daemon_set *ds,
			 const char *key, const struct daemonset_plan *plan, const char *hash);

/* K8S: manage: per node (verdicts[0..nodes)), creates the missing daemon
 * pod, deletes finished, surplus and misscheduled ones, and unscheduled
 * pods aimed at nodes that are gone. Returns as daemonset_sync_nodes. */
int daemonset_manage(struct ds_controller *c, const struct daemon_set *ds, const char *key,
		     const struct node_verdict *verdicts, size_t nodes,
		     const struct daemon_pods *dp, const char *hash);

/* ---- updates (ctrl_daemonset_rolling_update.c) ---- */

/* K8S: rollingUpdate: replaces pods of another hash than hash. Without
 * surge, deletes them keeping at most maxUnavailable nodes without an
 * available daemon pod; with surge, creates new pods beside them (at
 * most maxSurge at a time) and deletes each once its replacement is
 * available. Adds an empty group to dp for every node that should run a
 * pod. Returns 0, or -1 when a limit is invalid or a write failed. */
int daemonset_rolling_update(struct ds_controller *c, const struct daemon_set *ds,
			     const char *key, const struct node_verdict *verdicts,
			     size_t nodes, struct daemon_pods *dp, const char *hash);

/* K8S: util.SurgeCount: maxSurge scaled to desired nodes (rounded up),
 * 0 unless the strategy is RollingUpdate. Returns -1 when invalid. */
int daemonset_surge_count(const struct daemon_set *ds, int32_t desired, int32_t *out);

/* K8S: util.AllowsSurge: whether a node may hold an old and a new pod. */
bool daemonset_allows_surge(const struct daemon_set *ds);

/* ---- status (ctrl_daemonset_status.c) ---- */

/* K8S: updateDaemonSetStatus: counts over the nodes and writes ds's
 * status if a number changed (observedGeneration too when observed).
 * Returns 0, or -1 when the write failed or ds is gone. */
int daemonset_update_status(struct ds_controller *c, const struct daemon_set *ds,
			    const struct node_verdict *verdicts, size_t nodes,
			    const struct daemon_pods *dp, const char *hash, bool observed);

#endif
