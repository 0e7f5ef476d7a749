/* rollout.h - kubectl rollout undo, history and status for Deployments,
 * StatefulSets and DaemonSets.
 *
 * A Deployment keeps its history in its ReplicaSets: each template it has
 * run is one ReplicaSet, numbered by the annotation
 * deployment.kubernetes.io/revision. `kubectl rollout` is a client-side
 * reading of that history: undo copies an old ReplicaSet's template back
 * into the Deployment (the controller then finds that ReplicaSet again and
 * gives it the next revision number), history lists the revisions, and
 * status turns the Deployment's status into one sentence.
 * K8S: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go
 * (DeploymentRollbacker), history.go (DeploymentHistoryViewer),
 * rollout_status.go (DeploymentStatusViewer).
 *
 * Ownership: arguments are borrowed; rollout_status's *message is the
 * caller's to free.
 */
#ifndef KUBELAB_ROLLOUT_H
#define KUBELAB_ROLLOUT_H

#include <stdint.h>
#include <stdio.h>

#include "api.h"
#include "client.h"

#define CHANGE_CAUSE_ANNOTATION "kubernetes.io/change-cause"

/* K8S: DeploymentRollbacker.Rollback (kubectl rollout undo
 * [--to-revision=N]). Finds the ReplicaSet of revision to_revision (0: the
 * one before the newest) among those the deployment namespace/name
 * controls, and replaces the deployment's pod template with its template
 * (minus the pod-template-hash label) and its annotations with the
 * ReplicaSet's (keeping the deployment's own revision, replica-count and
 * last-applied annotations), as kubectl's JSON patch does.
 *
 * Returns API_OK with status->message "rolled back", or "skipped rollback
 * (current template already matches revision N)" when there was nothing to
 * do (kubectl does not call that an error). Otherwise an error code with
 * kubectl's words: API_NOT_FOUND for a missing deployment or revision
 * ("unable to find specified revision 5 in history", "no rollout history
 * found for deployment \"web\""), API_INVALID for a paused deployment, or
 * the code of the failed update. On failure nothing is changed. */
enum api_code rollout_undo(const struct client *client, const char *namespace,
			   const char *name, int64_t to_revision,
			   struct api_status *status);

/* K8S: DeploymentHistoryViewer.ViewHistory without --revision: prints the
 * table REVISION / CHANGE-CAUSE (the ReplicaSet's kubernetes.io/change-cause
 * annotation, or <none>), oldest revision first, aligned as kubectl's
 * tabwriter aligns it; or "No rollout history found." */
void rollout_history(const struct store *store, const struct deployment *deployment,
		     FILE *out);

enum rollout_state {
	ROLLOUT_WAITING,		/* still rolling out */
	ROLLOUT_DONE,			/* "successfully rolled out" */
	ROLLOUT_FAILED,			/* past its progress deadline (an error) */
};

/* K8S: DeploymentStatusViewer.Status: kubectl rollout status's one line
 * about the deployment right now, without the trailing newline, in
 * *message (caller frees): "Waiting for deployment \"web\" rollout to
 * finish: 1 of 3 updated replicas are available...", "deployment \"web\"
 * successfully rolled out", or for ROLLOUT_FAILED the error "deployment
 * \"web\" exceeded its progress deadline". While waiting, the first pod
 * of the deployment that cannot be scheduled or whose container waits in
 * a failure (CrashLoopBackOff, ImagePullBackOff ...) adds a "(Warning:
 * ...)" to the message. */
enum rollout_state rollout_status(const struct store *store,
				  const struct deployment *deployment, char **message);

/* ---- StatefulSets and DaemonSets (rollout_revision.c) ----
 *
 * Their history is ControllerRevisions (ctrl_history.h), numbered by
 * .revision. K8S: StatefulSetRollbacker / DaemonSetRollbacker,
 * StatefulSetHistoryViewer / DaemonSetHistoryViewer,
 * StatefulSetStatusViewer / DaemonSetStatusViewer. */

/* kubectl rollout undo statefulset|daemonset/NAME [--to-revision=N]: copies
 * the template of revision to_revision (0: the second newest) back into
 * the object. Outcomes as rollout_undo's, with kubectl's words for these
 * kinds ("no last revision to roll back to"). kind is KIND_STATEFULSET or
 * KIND_DAEMONSET. On failure nothing is changed. */
enum api_code rollout_undo_revision(const struct client *client, enum kind_id kind,
				    const char *namespace, const char *name,
				    int64_t to_revision, struct api_status *status);

/* kubectl rollout history: "REVISION" and one number a line for a
 * StatefulSet; "REVISION  CHANGE-CAUSE" for a DaemonSet (the revision's
 * kubernetes.io/change-cause annotation, or <none>); or "No rollout
 * history found." */
void rollout_history_revisions(const struct store *store, const struct object *owner,
			       FILE *out);

/* kubectl rollout status: "partitioned roll out complete: 3 new pods have
 * been updated...", "Waiting for 1 pods to be ready..." ...; ROLLOUT_FAILED
 * with "rollout status is only available for RollingUpdate strategy type"
 * for OnDelete. *message is the caller's. */
enum rollout_state rollout_status_statefulset(const struct stateful_set *sts, char **message);
/* "daemon set \"agent\" successfully rolled out", "Waiting for daemon set
 * \"agent\" rollout to finish: 1 out of 2 new pods have been updated..." */
enum rollout_state rollout_status_daemonset(const struct daemon_set *ds, char **message);

#endif
