/* ctrl_statefulset.h - the StatefulSet controller's row, the labels it
 * writes on its pods, and its pod-building functions.
 *
 * K8S: pkg/controller/statefulset; the label keys are apps/v1 constants
 * (StatefulSetPodNameLabel, PodIndexLabel, ControllerRevisionHashLabelKey).
 *
 * Interface: the statefulset_controller row, to be added to the
 * controller table (controller.c) by name "statefulset-controller"; the
 * sts_ functions of ctrl_statefulset_pod.c, which the controller and its
 * tests share. See ctrl_statefulset.c for the rules the controller
 * implements.
 *
 * Ownership: arguments are borrowed; returned objects are new references
 * (hand them to client_create or object_unref), returned strings are the
 * caller's to free.
 */
#ifndef KUBELAB_CTRL_STATEFULSET_H
#define KUBELAB_CTRL_STATEFULSET_H

#include "api.h"
#include "controller.h"

#define STS_POD_NAME_LABEL "statefulset.kubernetes.io/pod-name"
#define STS_POD_INDEX_LABEL "apps.kubernetes.io/pod-index"
#define STS_REVISION_LABEL "controller-revision-hash"

extern const struct controller_ops statefulset_controller;

/* K8S: getParentNameAndOrdinal + isMemberOf: i for a pod named SET-i
 * (canonical decimal), -1 for any other name. */
int sts_pod_ordinal(const struct stateful_set *set, const struct object *pod);

/* K8S: getPersistentVolumeClaimName: "TEMPLATE-SET-ORDINAL". */
char *sts_claim_name(const struct stateful_set *set,
		     const struct persistent_volume_claim_template *tmpl, int ordinal);

/* K8S: getPersistentVolumeClaims (one template): the claim for ordinal,
 * labelled with the template's labels and the set's matchLabels, with the
 * API server's defaults (status.phase Pending). No owner reference: the
 * retention policy Retain keeps claims after their pod and set. */
struct persistent_volume_claim *sts_new_claim(const struct stateful_set *set,
					      const struct persistent_volume_claim_template *tmpl,
					      int ordinal);

/* K8S: newVersionedStatefulSetPod: pod SET-ordinal from template (the
 * set's, or an older revision's), with the identity labels, hostname,
 * subdomain = spec.serviceName, one volume per claim template and
 * controller-revision-hash = revision. */
struct pod *sts_new_pod(const struct stateful_set *set,
			const struct pod_template_spec *template,
			const char *revision, int ordinal);

/* K8S: getStatefulSetRevisions (ctrl_statefulset_history.c). The update
 * revision is the set's template: the newest revision if it holds that
 * template already; an older one holding it is renumbered to come last (a
 * rollback); else a new one is created. The current revision is the one
 * status.currentRevision names, or the update revision. revisions are the
 * set's, sorted (history_list); *collisions starts as
 * status.collisionCount and is bumped on a hash collision. On success
 * *current and *update hold references the caller drops. Returns 0 or -1. */
int sts_get_revisions(const struct client *client, const struct stateful_set *set,
		      const struct object_list *revisions, int32_t *collisions,
		      struct controller_revision **current, struct controller_revision **update);

/* K8S: truncateHistory: the revisions no pod in pods runs and that are
 * neither current nor update (by name) are history; beyond
 * revisionHistoryLimit of them, the oldest are deleted. Returns 0, or -1
 * when a delete failed. */
int sts_truncate_history(const struct client *client, const struct stateful_set *set,
			 const struct object_list *pods, const struct object_list *revisions,
			 const char *current, const char *update);

#endif
