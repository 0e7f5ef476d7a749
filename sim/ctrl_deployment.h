/* ctrl_deployment.h - the Deployment controller's parts, shared by its
 * files, and its rollout arithmetic.
 *
 * K8S: pkg/controller/deployment, in four files as upstream splits it:
 *   ctrl_deployment.c           the controller: watches, the sync dispatch,
 *                               scaling with events (deployment_controller.go);
 *   ctrl_deployment_revision.c  the new ReplicaSet, its hash and revision,
 *                               history cleanup (sync.go, util/);
 *   ctrl_deployment_rollout.c   the strategies and their numbers
 *                               (rolling.go, recreate.go, util/:
 *                               ResolveFenceposts, NewRSNewReplicas);
 *   ctrl_deployment_status.c    status and conditions (progress.go);
 *   ctrl_deployment_scale.c     scaling events: proportional scaling of
 *                               the active ReplicaSets (sync.go scale,
 *                               isScalingEvent; util/ GetProportion).
 *
 * One sync works on a struct rollout: a private copy of the Deployment
 * (status edits accumulate there) and references to its ReplicaSets. When
 * a scale succeeds the slot is replaced by the object just written, as
 * upstream replaces its slice entries with the API's answer.
 *
 * Ownership: struct rollout owns its copy of the Deployment and one
 * reference per ReplicaSet in listed, new_rs, old and all; the sync that
 * made it (ctrl_deployment.c reconcile) drops them.
 */
#ifndef KUBELAB_CTRL_DEPLOYMENT_H
#define KUBELAB_CTRL_DEPLOYMENT_H

#include "api.h"
#include "client.h"

/* K8S: apps/v1 constants and deployment_util.go annotation keys. */
#define POD_TEMPLATE_HASH_LABEL "pod-template-hash"	/* DefaultDeploymentUniqueLabelKey */
#define REVISION_ANNOTATION "deployment.kubernetes.io/revision"
#define REVISION_HISTORY_ANNOTATION "deployment.kubernetes.io/revision-history"
#define DESIRED_REPLICAS_ANNOTATION "deployment.kubernetes.io/desired-replicas"
#define MAX_REPLICAS_ANNOTATION "deployment.kubernetes.io/max-replicas"

/* K8S: deploymentutil condition reasons. */
#define REASON_NEW_RS_CREATED "NewReplicaSetCreated"
#define REASON_FOUND_NEW_RS "FoundNewReplicaSet"
#define REASON_NEW_RS_AVAILABLE "NewReplicaSetAvailable"
#define REASON_RS_UPDATED "ReplicaSetUpdated"
#define REASON_TIMED_OUT "ProgressDeadlineExceeded"
#define REASON_RS_CREATE_ERROR "ReplicaSetCreateError"
#define REASON_PAUSED "DeploymentPaused"
#define REASON_RESUMED "DeploymentResumed"
#define REASON_MIN_AVAILABLE "MinimumReplicasAvailable"
#define REASON_MIN_UNAVAILABLE "MinimumReplicasUnavailable"

struct informer;
struct workqueue;

struct deployment_controller {
	const struct client *client;
	struct informer *deployments;
	struct informer *replica_sets;	/* index: controller uid */
	struct informer *pods;		/* index: controller uid */
	struct workqueue *queue;
};

/* A growable array of ReplicaSet references. */
struct rs_set {
	struct replica_set **items;
	size_t len, cap;
};

struct rollout {
	struct deployment_controller *c;
	struct deployment *d;		/* our copy; status is edited here */
	struct rs_set listed;		/* every RS the deployment owns (claimed) */
	struct replica_set *new_rs;	/* the RS running the current template, or NULL */
	struct rs_set old;		/* listed minus new_rs */
	struct rs_set all;		/* old + new_rs, for the sums */
};

/* ---- ctrl_deployment.c: the controller ---- */

void deployment_enqueue(struct deployment_controller *c, const struct object *d,
			ktime_t after);
/* Writes r->d's metadata (status false) or status. Afterwards r->d
 * follows the stored resourceVersion, so the sync's next write does not
 * conflict with its own previous one (upstream lets it conflict and
 * requeues). Returns 0 or -1. */
int deployment_write(struct rollout *r, bool status);
/* K8S: NewDeploymentCondition + SetDeploymentCondition: nothing changes
 * when status and reason are the same; the transition time is kept while
 * the status stays. Takes over message. Returns whether it changed. */
bool deployment_set_condition(struct deployment_status *s, const char *type,
			      const char *status, const char *reason, char *message,
			      ktime_t now);
/* K8S: HasProgressDeadline. */
bool deployment_has_progress_deadline(const struct deployment *d);

/* K8S: scaleReplicaSetAndRecordEvent: nothing when *slot already has
 * scale replicas; else deployment_scale_replica_set. */
int deployment_scale(struct rollout *r, struct replica_set **slot, int32_t scale,
		     bool *scaled);
/* K8S: scaleReplicaSet: when the size or the desired/max-replicas
 * annotations differ from what the deployment wants, writes *slot with
 * replicas = scale and the annotations, records ScalingReplicaSet if the
 * size changed, and replaces *slot with the written RS. *scaled tells
 * whether the size changed. Returns 0 or -1 (nothing written). */
int deployment_scale_replica_set(struct rollout *r, struct replica_set **slot,
				 int32_t scale, bool *scaled);

/* True while an old RS still has pods, even terminating ones (K8S:
 * oldPodsRunning, for Recreate). */
bool deployment_old_pods_running(const struct rollout *r);

/* ---- ctrl_deployment_revision.c: the new ReplicaSet ---- */

/* K8S: getNewReplicaSet (via getAllReplicaSetsAndSyncRevision): finds the
 * RS whose template is the deployment's, syncs its revision and
 * annotations, or creates it when create is true. Fills r->new_rs (may
 * stay NULL), r->old and r->all. Returns 0 or -1 (retry). */
int deployment_get_new_rs(struct rollout *r, bool create);

/* K8S: cleanupDeployment: deletes the oldest scaled-down RSs beyond
 * spec.revisionHistoryLimit. */
int deployment_cleanup(struct rollout *r);

/* K8S: SetReplicasAnnotations (desired-replicas, max-replicas); returns
 * whether they changed. */
bool deployment_set_replicas_annotations(struct object *rs, int32_t desired, int32_t max);

/* ---- ctrl_deployment_status.c: status and progress ---- */

/* K8S: syncRolloutStatus: status, Available and Progressing conditions,
 * and the requeue that notices a missed progress deadline. */
int deployment_sync_rollout_status(struct rollout *r);
/* K8S: syncDeploymentStatus: the counts and Available only (paused or
 * deleted deployments make no progress to report). */
int deployment_sync_status(struct rollout *r);
/* K8S: checkPausedConditions: Progressing Unknown while paused, so the
 * pause does not count against the progress deadline. */
int deployment_check_paused(struct rollout *r);

/* ---- ctrl_deployment_rollout.c ---- */

/* K8S: rolloutRolling and rolloutRecreate. Return 0 or -1. */
int deployment_rollout_rolling(struct rollout *r);
int deployment_rollout_recreate(struct rollout *r);
/* Rebuilds r->all from r->old and r->new_rs after slots were replaced. */
void deployment_refresh_all(struct rollout *r);

/* ---- ctrl_deployment_scale.c: scaling events ---- */

/* K8S: sync (scale true, for a paused deployment or a scaling event) and
 * syncStatusOnly (scale false, for one being deleted): no rollout, only
 * RS sizes and status. */
int deployment_sync_only(struct rollout *r, bool scale);

/* K8S: isScalingEvent: finds the new RS (without creating it) and sets
 * *scaling when an active RS's desired-replicas annotation differs from
 * spec.replicas. Returns 0 or -1. */
int deployment_is_scaling_event(struct rollout *r, bool *scaling);

/* One write decided by deployment_plan_scale. */
struct scale_step {
	size_t index;		/* into the array given to deployment_plan_scale */
	int32_t replicas;	/* the size to write */
	bool proportional;	/* written with deployment_scale_replica_set (which
				 * also refreshes the annotations), else with
				 * deployment_scale */
};

/* K8S: DeploymentController.scale, the decision without the writes.
 * sets holds the old RSs, then the new RS last when has_new. Fills steps
 * (room for n) in the order upstream writes them and returns how many:
 * one RS active (or none: the newest) takes spec.replicas; a saturated
 * new RS sends the old ones to 0; otherwise, for RollingUpdate, the room
 * replicas + maxSurge - sum(spec.replicas) is shared in proportion to
 * each active RS's size against its max-replicas annotation, rounding
 * leftovers going to the first RS in size order (newest first when
 * growing, oldest first when shrinking). Pure: reads only its arguments. */
size_t deployment_plan_scale(const struct deployment *d,
			     const struct replica_set *const *sets, size_t n, bool has_new,
			     struct scale_step *steps);

/* K8S: deploymentutil.ResolveFenceposts: maxSurge as a count (percent of
 * desired rounded up) and maxUnavailable (rounded down); if both come out
 * 0, maxUnavailable is 1 so a rollout can always progress. Unset values
 * count as 0. Returns 0, or -1 (both outputs 0) when a value is a string
 * that is not a percentage. */
int deployment_resolve_fenceposts(const struct int_or_string *max_surge,
				  const struct int_or_string *max_unavailable,
				  int32_t desired, int32_t *surge, int32_t *unavailable);
/* K8S: MaxSurge / MaxUnavailable (0 for Recreate; unavailable capped at
 * spec.replicas). */
int32_t deployment_max_surge(const struct deployment *d);
int32_t deployment_max_unavailable(const struct deployment *d);
/* K8S: NewRSNewReplicas: the size the new RS may grow to now, given the
 * sum of spec.replicas over all RSs. */
int32_t deployment_new_rs_replicas(const struct deployment *d, int32_t all_replicas,
				   int32_t new_rs_replicas);
bool deployment_is_rolling_update(const struct deployment *d);
/* K8S: reconcileNewReplicaSet, the decision: the size the new RS should
 * have now (spec.replicas if it is above; else NewRSNewReplicas). */
int32_t deployment_new_rs_target(const struct deployment *d, int32_t all_replicas,
				 int32_t new_rs_replicas);

/* One old ReplicaSet as the scale-down arithmetic sees it. */
struct rs_count {
	int32_t replicas;	/* spec.replicas; the planners lower it */
	int32_t available;	/* status.availableReplicas */
};
/* K8S: reconcileOldReplicaSets' maxScaledDown: all_replicas (sum of
 * spec.replicas) - (replicas - maxUnavailable) - the new RS's pods not yet
 * available. Nothing may go when it is <= 0. */
int32_t deployment_max_scaled_down(const struct deployment *d, int32_t all_replicas,
				   int32_t new_replicas, int32_t new_available);
/* K8S: cleanupUnhealthyReplicas, the decision: old (n RSs, oldest first)
 * lose their unavailable pods, at most max_cleanup in all. Lowers
 * old[i].replicas in place and returns how many pods go. Pure. */
int32_t deployment_plan_cleanup(struct rs_count *old, size_t n, int32_t max_cleanup);
/* K8S: scaleDownOldReplicaSetsForRollingUpdate, the decision: old (oldest
 * first) lose what is available beyond replicas - maxUnavailable, where
 * available counts every RS's available pods, the new one's included.
 * Lowers old[i].replicas in place and returns how many pods go. Pure. */
int32_t deployment_plan_scale_down_old(const struct deployment *d, struct rs_count *old,
				       size_t n, int32_t available);

/* Sums over a set (K8S: GetReplicaCountForReplicaSets & co). */
int32_t rs_set_spec_replicas(const struct rs_set *set);
int32_t rs_set_replicas(const struct rs_set *set);	/* status.replicas */
int32_t rs_set_ready(const struct rs_set *set);
int32_t rs_set_available(const struct rs_set *set);
/* Appends a new reference to rs. */
void rs_set_add(struct rs_set *set, const struct replica_set *rs);
void rs_set_release(struct rs_set *set);
/* K8S: ReplicaSetsByCreationTimestamp: oldest first, then by name. */
void rs_set_sort_by_age(struct rs_set *set);

#endif
