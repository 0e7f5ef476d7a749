/* ctrl_util.h - what every controller needs: pod health, owner references,
 * adoption, deletion ranking, percentages, conditions.
 *
 * K8S: pkg/controller/controller_utils.go (ActivePods ranking, FilterActive
 * Pods, PodControl's pod-from-template), pkg/controller/controller_ref_
 * manager.go (ClaimObject: adopt orphans, release strays),
 * pkg/api/v1/pod/util.go (IsPodReady, IsPodAvailable), metav1's
 * NewControllerRef, and intstr.GetScaledValueFromIntOrPercent.
 *
 * These are the small rules the ReplicaSet and Deployment controllers share,
 * kept apart so each controller file reads as its reconcile loop.
 *
 * Ownership: arguments are borrowed. Functions that build objects
 * (ctrl_pod_from_template) return a new reference the caller hands to
 * client_create or drops with object_unref.
 */
#ifndef KUBELAB_CTRL_UTIL_H
#define KUBELAB_CTRL_UTIL_H

#include "api.h"
#include "client.h"

struct selector;

/* K8S: podutil.IsPodReady: the Ready condition is True. */
bool ctrl_pod_is_ready(const struct pod *pod);

/* K8S: podutil.IsPodAvailable: ready, and ready for longer than
 * min_ready_seconds (strictly: readySince + minReady < now). */
bool ctrl_pod_is_available(const struct pod *pod, int32_t min_ready_seconds,
			   ktime_t now);

/* K8S: controller.IsPodActive: not Succeeded, not Failed, not being
 * deleted. Only active pods count towards a ReplicaSet's replicas. */
bool ctrl_pod_is_active(const struct pod *pod);

/* The pod condition of that type, or NULL. */
const struct condition *ctrl_pod_condition(const struct pod *pod, const char *type);

/* A pod and how many of its siblings share its node (the "rank" of
 * getPodsRankedByRelatedPodsOnSameNode). */
struct ranked_pod {
	const struct pod *pod;
	int rank;
};

/* K8S: controller.ActivePodsWithRanks.Less, with the v1.34 default feature
 * gates (PodDeletionCost, LogarithmicScaleDown). Sorts pods so that the
 * ones to delete first come first:
 *   1. unassigned before assigned;
 *   2. Pending before Unknown before Running;
 *   3. not ready before ready;
 *   4. lower controller.kubernetes.io/pod-deletion-cost first;
 *   5. more siblings on the same node (higher rank) first;
 *   6. ready more recently first (compared in powers-of-two buckets);
 *   7. more container restarts first;
 *   8. created more recently first (powers-of-two buckets).
 * Upstream leaves full ties in sort.Sort's arbitrary order (or compares
 * UIDs inside one bucket); kubelab breaks every remaining tie by UID, then
 * name, so the victims never depend on the input order. */
void ctrl_sort_pods_for_deletion(struct ranked_pod *pods, size_t len, ktime_t now);

/* K8S: metav1.NewControllerRef: apiVersion, kind, name and uid of owner,
 * controller: true, blockOwnerDeletion: true. The strings are new; release
 * with ctrl_owner_ref_release (or hand the struct to an object's list). */
struct owner_reference ctrl_controller_ref(const struct object *owner);
void ctrl_owner_ref_release(struct owner_reference *ref);

/* Appends ref (taking over its strings) to obj's ownerReferences. */
void ctrl_add_owner_ref(struct object *obj, struct owner_reference *ref);
/* Removes every ownerReference naming uid; returns whether one was there. */
bool ctrl_remove_owner_ref(struct object *obj, const char *uid);

bool ctrl_has_finalizer(const struct object *obj, const char *name);
/* Removes the finalizer; returns whether it was there. */
bool ctrl_remove_finalizer(struct object *obj, const char *name);

/* K8S: controller.GetPodFromTemplate: a new Pod with the template's labels,
 * annotations, finalizers and spec, generateName "PARENT-", the parent's
 * namespace and a controller reference to parent. */
struct pod *ctrl_pod_from_template(const struct pod_template_spec *template,
				   const struct object *parent);

/* K8S: BaseControllerRefManager.ClaimObject, for each object of
 * candidates (pods, or ReplicaSets for a Deployment):
 *   - controlled by owner and matched by selector: claimed;
 *   - controlled by owner but no longer matched: released (our reference
 *     removed), unless owner is being deleted;
 *   - an orphan matched by selector, neither it nor owner being deleted:
 *     adopted (a controller reference to owner added), then claimed;
 *   - anything else is left alone.
 * Adoption and release are read-modify-write of the fresh object, as
 * upstream patches: the caches may be stale. Claimed objects are appended
 * to claimed (borrowed from candidates). Returns 0, or -1 when a write
 * failed for another reason than the object having gone (the caller
 * retries later); adoption is refused (-1) when owner turns out to be
 * deleted, as upstream's RecheckDeletionTimestamp. */
int ctrl_claim(const struct client *client, const struct object *owner,
	       const struct selector *selector, const struct object_list *candidates,
	       struct object_list *claimed);

/* K8S: intstr.GetScaledValueFromIntOrPercent. An integer is itself; "25%"
 * is 25% of total, rounded up or down. An unset value is 0 (as
 * intstr.ValueOrDefault(v, 0) in ResolveFenceposts). Returns 0, or -1 for
 * a string that is not a percentage ("5", "oops"), leaving *out 0. */
int ctrl_scaled_value(const struct int_or_string *value, int32_t total,
		      bool round_up, int32_t *out);

/* Conditions lists (any kind's LIST_OF(struct condition)). put removes the
 * condition of the same type and appends cond (upstream's SetCondition
 * order); it takes over cond's strings. remove returns whether one was
 * removed. */
void ctrl_condition_put(void *conditions_list, struct condition *cond);
bool ctrl_condition_remove(void *conditions_list, const char *type);

/* Splits a workqueue key "namespace/name" (or "name"); the caller frees
 * both (namespace may come back NULL). */
void ctrl_split_key(const char *key, char **namespace, char **name);

/* The pod-template-hash / controller-revision-hash of a template; caller
 * frees. */
char *ctrl_template_hash(const struct pod_template_spec *template, int32_t collisions);

/* K8S: the update*Status helpers of the workload controllers: writes
 * status (a struct of obj's kind's status type) unless it equals what obj
 * has; on Conflict re-reads the object and tries again, up to retries
 * more times, giving up if the object was replaced (another uid).
 * Returns 0, or -1 when the write did not happen. */
int ctrl_update_status(const struct client *client, const struct object *obj,
		       const void *status, int retries);

#endif
