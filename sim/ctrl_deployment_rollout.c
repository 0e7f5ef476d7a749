/* ctrl_deployment_rollout.c - how a Deployment moves from one ReplicaSet
 * to the next: RollingUpdate and Recreate.
 *
 * K8S: pkg/controller/deployment/rolling.go, recreate.go, sync.go (scale),
 * util/deployment_util.go (ResolveFenceposts, MaxSurge, MaxUnavailable,
 * NewRSNewReplicas).
 *
 * RollingUpdate is two inequalities, re-checked on every sync:
 *   - total pods (sum of spec.replicas) <= replicas + maxSurge: the new RS
 *     grows only into that room (reconcile_new);
 *   - available pods >= replicas - maxUnavailable: old RSs shrink only by
 *     what is available beyond that floor (reconcile_old).
 * Each pass moves one side a step; the next pass waits for the watch to
 * report pods that became available. maxSurge is a percentage rounded up,
 * maxUnavailable rounded down, and both 0 is impossible (ResolveFenceposts
 * makes maxUnavailable 1), so a rollout can always move.
 *
 * Recreate: scale every old RS to 0, wait until none of their pods exists
 * any more (not even terminating), then create and scale the new RS.
 *
 * Interface: ctrl_deployment.h. Invariants: a step never takes the total
 * above replicas + maxSurge nor the available count below replicas -
 * maxUnavailable (pods that were already unavailable aside).
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "ctrl_util.h"
#include "xmalloc.h"

/* ---- sets of ReplicaSets ------------------------------------------------- */

void rs_set_add(struct rs_set *set, const struct replica_set *rs)
{
	xgrow((void **)&set->items, &set->cap, set->len + 1, sizeof(*set->items));
	set->items[set->len++] = (struct replica_set *)object_ref(&rs->obj);
}

void rs_set_release(struct rs_set *set)
{
	for (size_t i = 0; i < set->len; i++)
		object_unref(&set->items[i]->obj);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

#define RS_SET_SUM(fn, expr)						\
	int32_t fn(const struct rs_set *set)				\
	{								\
		int32_t sum = 0;					\
		for (size_t i = 0; i < set->len; i++) {			\
			const struct replica_set *rs = set->items[i];	\
			sum += (expr);					\
		}							\
		return sum;						\
	}

RS_SET_SUM(rs_set_spec_replicas, rs->spec.replicas)
RS_SET_SUM(rs_set_replicas, rs->status.replicas)
RS_SET_SUM(rs_set_ready, rs->status.ready_replicas)
RS_SET_SUM(rs_set_available, rs->status.available_replicas)

static int compare_age(const void *a, const void *b)
{
	const struct replica_set *x = *(const struct replica_set *const *)a;
	const struct replica_set *y = *(const struct replica_set *const *)b;
	if (x->obj.meta.creation_timestamp != y->obj.meta.creation_timestamp)
		return x->obj.meta.creation_timestamp < y->obj.meta.creation_timestamp ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

void rs_set_sort_by_age(struct rs_set *set)
{
	if (set->len > 1)
		qsort(set->items, set->len, sizeof(*set->items), compare_age);
}

/* ---- the arithmetic ------------------------------------------------------ */

bool deployment_is_rolling_update(const struct deployment *d)
{
	const char *type = d->spec.strategy.type;
	return !type || !strcmp(type, "RollingUpdate");
}

/* LAB: rollout-fenceposts */
int deployment_resolve_fenceposts(const struct int_or_string *max_surge,
				  const struct int_or_string *max_unavailable,
				  int32_t desired, int32_t *surge, int32_t *unavailable)
{
	*surge = *unavailable = 0;
	if (ctrl_scaled_value(max_surge, desired, true, surge) ||
	    ctrl_scaled_value(max_unavailable, desired, false, unavailable)) {
		*surge = *unavailable = 0;
		return -1;
	}
	/* Validation forbids 0 and 0, but 25% of 1 rounds down to 0: allow
	 * one pod down rather than never moving (surge may hit a quota). */
	if (*surge == 0 && *unavailable == 0)
		*unavailable = 1;
	return 0;
}

int32_t deployment_max_surge(const struct deployment *d)
{
	if (!deployment_is_rolling_update(d))
		return 0;
	int32_t surge, unavailable;
	deployment_resolve_fenceposts(&d->spec.strategy.rolling_update.max_surge,
				      &d->spec.strategy.rolling_update.max_unavailable,
				      d->spec.replicas, &surge, &unavailable);
	return surge;
}

int32_t deployment_max_unavailable(const struct deployment *d)
{
	if (!deployment_is_rolling_update(d) || d->spec.replicas == 0)
		return 0;
	int32_t surge, unavailable;
	deployment_resolve_fenceposts(&d->spec.strategy.rolling_update.max_surge,
				      &d->spec.strategy.rolling_update.max_unavailable,
				      d->spec.replicas, &surge, &unavailable);
	return unavailable > d->spec.replicas ? d->spec.replicas : unavailable;
}

int32_t deployment_new_rs_replicas(const struct deployment *d, int32_t all_replicas,
				   int32_t new_rs_replicas)
{
	if (!deployment_is_rolling_update(d))
		return d->spec.replicas;	/* Recreate: all at once */
	int32_t surge;
	ctrl_scaled_value(&d->spec.strategy.rolling_update.max_surge, d->spec.replicas,
			  true, &surge);
	int32_t max_total = d->spec.replicas + surge;
	if (all_replicas >= max_total)
		return new_rs_replicas;		/* no room to grow */
	int32_t up = max_total - all_replicas;
	if (up > d->spec.replicas - new_rs_replicas)
		up = d->spec.replicas - new_rs_replicas;	/* never past replicas */
	return new_rs_replicas + up;
}

/* LAB: rollout-scale-up */
int32_t deployment_new_rs_target(const struct deployment *d, int32_t all_replicas,
				 int32_t new_rs_replicas)
{
	if (new_rs_replicas >= d->spec.replicas)
		return d->spec.replicas;	/* never more than asked for */
	return deployment_new_rs_replicas(d, all_replicas, new_rs_replicas);
}

/* LAB: rollout-scale-down. Pods we may remove without going below the
 * floor, not counting new pods that are not available yet (removing an old
 * available pod while they are down would take us under it). */
int32_t deployment_max_scaled_down(const struct deployment *d, int32_t all_replicas,
				   int32_t new_replicas, int32_t new_available)
{
	int32_t min_available = d->spec.replicas - deployment_max_unavailable(d);
	return all_replicas - min_available - (new_replicas - new_available);
}

int32_t deployment_plan_cleanup(struct rs_count *old, size_t n, int32_t max_cleanup)
{
	int32_t done = 0;
	for (size_t i = 0; i < n && done < max_cleanup; i++) {
		int32_t unhealthy = old[i].replicas - old[i].available;
		if (old[i].replicas == 0 || unhealthy <= 0)
			continue;
		int32_t down = max_cleanup - done < unhealthy ? max_cleanup - done : unhealthy;
		old[i].replicas -= down;
		done += down;
	}
	return done;
}

int32_t deployment_plan_scale_down_old(const struct deployment *d, struct rs_count *old,
				       size_t n, int32_t available)
{
	int32_t min_available = d->spec.replicas - deployment_max_unavailable(d);
	if (available <= min_available)
		return 0;
	int32_t total = available - min_available, done = 0;
	for (size_t i = 0; i < n && done < total; i++) {
		if (old[i].replicas == 0)
			continue;
		int32_t left = total - done;
		int32_t down = old[i].replicas < left ? old[i].replicas : left;
		old[i].replicas -= down;
		done += down;
	}
	return done;
}

/* ---- RollingUpdate ------------------------------------------------------- */

/* K8S: reconcileNewReplicaSet. */
static int reconcile_new(struct rollout *r, bool *scaled)
{
	int32_t target = deployment_new_rs_target(r->d, rs_set_spec_replicas(&r->all),
						  r->new_rs->spec.replicas);
	return deployment_scale(r, &r->new_rs, target, scaled);
}

/* The old RSs, oldest first, as the planners see them; NULL when none. */
static struct rs_count *old_counts(struct rollout *r)
{
	rs_set_sort_by_age(&r->old);
	if (r->old.len == 0)
		return NULL;
	struct rs_count *counts = xmalloc(r->old.len * sizeof(*counts));
	for (size_t i = 0; i < r->old.len; i++)
		counts[i] = (struct rs_count){ r->old.items[i]->spec.replicas,
					       r->old.items[i]->status.available_replicas };
	return counts;
}

/* Writes the sizes the planner chose, oldest RS first, as upstream does. */
static int apply_counts(struct rollout *r, const struct rs_count *counts)
{
	for (size_t i = 0; i < r->old.len; i++) {
		bool scaled;
		if (deployment_scale(r, &r->old.items[i], counts[i].replicas, &scaled))
			return -1;
	}
	return 0;
}

/* K8S: cleanupUnhealthyReplicas: shrink old RSs by their unavailable pods
 * first (oldest RS first): removing those costs no availability, and
 * they would otherwise block the rollout for ever. */
static int cleanup_unhealthy(struct rollout *r, int32_t max_cleanup, int32_t *done)
{
	struct rs_count *counts = old_counts(r);
	*done = deployment_plan_cleanup(counts, r->old.len, max_cleanup);
	int rc = *done ? apply_counts(r, counts) : 0;
	free(counts);
	return rc;
}

/* K8S: scaleDownOldReplicaSetsForRollingUpdate: shrink old RSs (oldest
 * first) by what is available above replicas - maxUnavailable. */
static int scale_down_old(struct rollout *r, int32_t *done)
{
	int32_t available = r->new_rs->status.available_replicas;
	for (size_t i = 0; i < r->old.len; i++)
		available += r->old.items[i]->status.available_replicas;
	struct rs_count *counts = old_counts(r);
	*done = deployment_plan_scale_down_old(r->d, counts, r->old.len, available);
	int rc = *done ? apply_counts(r, counts) : 0;
	free(counts);
	return rc;
}

/* K8S: reconcileOldReplicaSets. Only active old RSs (spec.replicas > 0)
 * take part, as FilterActiveReplicaSets. */
static int reconcile_old(struct rollout *r, bool *scaled)
{
	*scaled = false;
	if (rs_set_spec_replicas(&r->old) == 0)
		return 0;	/* nothing left to scale down */
	int32_t max_scaled_down =
		deployment_max_scaled_down(r->d, rs_set_spec_replicas(&r->all),
					   r->new_rs->spec.replicas,
					   r->new_rs->status.available_replicas);
	if (max_scaled_down <= 0)
		return 0;
	int32_t cleaned, scaled_down;
	if (cleanup_unhealthy(r, max_scaled_down, &cleaned) ||
	    scale_down_old(r, &scaled_down))
		return -1;
	*scaled = cleaned + scaled_down > 0;
	return 0;
}

void deployment_refresh_all(struct rollout *r)
{
	rs_set_release(&r->all);
	for (size_t i = 0; i < r->old.len; i++)
		rs_set_add(&r->all, r->old.items[i]);
	if (r->new_rs)
		rs_set_add(&r->all, r->new_rs);
}

/* True when every RS's pods are available and updated: the rollout is
 * over (K8S: DeploymentComplete on the status as it was read). */
static bool complete(const struct deployment *d)
{
	const struct deployment_status *s = &d->status;
	return s->updated_replicas == d->spec.replicas && s->replicas == d->spec.replicas &&
	       s->available_replicas == d->spec.replicas &&
	       s->observed_generation >= d->obj.meta.generation;
}

/* K8S: rolloutRolling. */
int deployment_rollout_rolling(struct rollout *r)
{
	if (deployment_get_new_rs(r, true))
		return -1;
	bool scaled;
	/* Scale up, if we can; the status shows it and the next sync goes on. */
	if (reconcile_new(r, &scaled))
		return -1;
	deployment_refresh_all(r);
	if (scaled)
		return deployment_sync_rollout_status(r);
	/* Scale down, if we can. Old RSs already at 0 take no part (upstream
	 * filters them out; every step below skips them). */
	if (reconcile_old(r, &scaled))
		return -1;
	deployment_refresh_all(r);
	if (scaled)
		return deployment_sync_rollout_status(r);
	if (complete(r->d) && deployment_cleanup(r))
		return -1;
	return deployment_sync_rollout_status(r);
}

/* ---- Recreate ------------------------------------------------------------ */

/* K8S: rolloutRecreate. */
int deployment_rollout_recreate(struct rollout *r)
{
	/* Do not create the new RS yet: nothing may run beside the old pods. */
	if (deployment_get_new_rs(r, false))
		return -1;
	bool any = false;
	for (size_t i = 0; i < r->old.len; i++) {
		bool scaled = false;
		if (r->old.items[i]->spec.replicas != 0 &&
		    deployment_scale(r, &r->old.items[i], 0, &scaled))
			return -1;
		any |= scaled;
	}
	deployment_refresh_all(r);
	if (any || deployment_old_pods_running(r))
		return deployment_sync_rollout_status(r);
	if (!r->new_rs && deployment_get_new_rs(r, true))
		return -1;
	bool scaled;
	if (deployment_scale(r, &r->new_rs, r->d->spec.replicas, &scaled))
		return -1;
	deployment_refresh_all(r);
	if (complete(r->d) && deployment_cleanup(r))
		return -1;
	return deployment_sync_rollout_status(r);
}
