/* ctrl_daemonset.h - the DaemonSet controller: one pod per eligible node.
 *
 * K8S: pkg/controller/daemon (daemon_controller.go, update.go) and
 * pkg/controller/daemon/util/daemonset_util.go.
 *
 * The files:
 *   ctrl_daemonset.c       the controller's skeleton: watches, the sync,
 *                          lifecycle;
 *   ctrl_daemonset_node.c  what a daemon pod looks like and where it may
 *                          run: eligibility of a node (nodeSelector,
 *                          required node affinity, taints), the default
 *                          daemon tolerations, the node-name affinity the
 *                          scheduler places it by, and the template hash;
 *   ctrl_daemonset_pods.c  the pods a DaemonSet owns, grouped by node;
 *   ctrl_daemonset_manage.c          creating and deleting them per node;
 *   ctrl_daemonset_rolling_update.c  RollingUpdate with maxUnavailable;
 *   ctrl_daemonset_status.c          the status counts;
 *   ctrl_daemonset_history.c         the ControllerRevisions.
 * The controller's files share ctrl_daemonset_internal.h.
 *
 * The functions below are ctrl_daemonset_node.c's and
 * ctrl_daemonset_history.c's, shared with the controller and with the
 * tests; the controller row is ctrl_daemonset.c's.
 *
 * Ownership: arguments are borrowed; daemonset_template_hash returns a
 * string the caller frees.
 */
#ifndef KUBELAB_CTRL_DAEMONSET_H
#define KUBELAB_CTRL_DAEMONSET_H

#include <stdbool.h>

#include "api.h"
#include "controller.h"

/* The controller's row (the lead adds it to controller_table). */
extern const struct controller_ops daemonset_controller;

/* K8S: apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey):
 * every daemon pod carries the hash of the template it was made from. */
#define DAEMONSET_HASH_LABEL "controller-revision-hash"

/* K8S: NodeShouldRunDaemonPod. *should_run: a daemon pod should be
 * created on node if none is there (nodeSelector and required node
 * affinity match, every NoSchedule and NoExecute taint is tolerated, by
 * the template's tolerations or the default daemon ones).
 * *should_continue: a daemon pod already there may stay (as should_run,
 * but only NoExecute taints count: a new NoSchedule taint keeps new pods
 * away and leaves running ones alone). */
void daemonset_node_should_run(const struct daemon_set *ds, const struct node *node,
			       bool *should_run, bool *should_continue);

/* K8S: util.AddOrUpdateDaemonPodTolerations: the tolerations every daemon
 * pod gets (not-ready and unreachable NoExecute without a time limit;
 * disk-, memory-, pid-pressure and unschedulable NoSchedule; and
 * network-unavailable NoSchedule for hostNetwork pods). A toleration of
 * the same key, effect and operator Exists is replaced, else one is
 * appended. spec must be loose (not a stored object's). */
void daemonset_add_tolerations(struct pod_spec *spec);

/* K8S: util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node
 * affinity becomes the single term matchFields [metadata.name In [node]],
 * so the default scheduler can place the pod on that node and no other.
 * spec must be loose. */
void daemonset_set_node_affinity(struct pod_spec *spec, const char *node);

/* K8S: util.GetTargetNodeName: spec.nodeName once bound, else the value of
 * the metadata.name In [...] requirement of the required node affinity.
 * NULL when neither names exactly one node. Borrowed from pod. */
const char *daemonset_target_node(const struct pod *pod);

/* K8S: controller.ComputeHash(&ds.Spec.Template, collisionCount), the
 * name suffix of the DaemonSet's current ControllerRevision and the value
 * of DAEMONSET_HASH_LABEL on its pods. FNV-32a over the template's JSON,
 * spelled as upstream's SafeEncodeString (as the Deployment controller's
 * pod-template-hash); the caller frees. */
char *daemonset_template_hash(const struct pod_template_spec *template);

struct informer;

/* K8S: constructHistory (ctrl_daemonset_history.c): the ControllerRevision
 * of ds's template, created or renumbered to come last if needed, in *cur
 * (a reference the caller drops); the other revisions ds controls, oldest
 * first, appended to old (borrowed from the informer, indexed by
 * controller uid). Returns 0, or -1 when a write failed or the hash
 * collided (status.collisionCount was then bumped: retry). */
int daemonset_construct_history(const struct client *client,
				const struct informer *revisions, const struct daemon_set *ds,
				struct controller_revision **cur, struct object_list *old);

/* K8S: cleanupHistory: deletes the oldest of old whose hash no pod
 * carries (live_hashes) until at most spec.revisionHistoryLimit are left.
 * Returns 0, or -1 when a delete failed. */
int daemonset_cleanup_history(const struct client *client, const struct daemon_set *ds,
			      struct object_list *old, const char *const *live_hashes,
			      size_t live_len);

#endif
