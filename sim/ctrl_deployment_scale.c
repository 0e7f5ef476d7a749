/* ctrl_deployment_scale.c - scaling a Deployment: proportional scaling of
 * the ReplicaSets that still run pods.
 *
 * K8S: pkg/controller/deployment/sync.go (sync, scale, isScalingEvent,
 * scaleReplicaSet), util/deployment_util.go (FindActiveOrLatest,
 * IsSaturated, GetProportion, getReplicaSetFraction, the desired-replicas
 * and max-replicas annotations), controller_utils.go
 * (ReplicaSetsBySizeNewer, ReplicaSetsBySizeOlder).
 *
 * Every ReplicaSet the controller scales carries two annotations: the
 * deployment's spec.replicas (deployment.kubernetes.io/desired-replicas)
 * and spec.replicas + maxSurge (max-replicas) as they were at that write.
 * When an active RS's desired-replicas differs from spec.replicas, someone
 * scaled the deployment: that sync is not a rollout step but a scale.
 *
 * With one active RS (or none) the scale is simple: that RS (or the
 * newest) takes all the replicas. In the middle of a rolling update there
 * are several, say 8 old pods and 5 new (10 replicas, maxSurge 3) when
 * the user asks for 15. Giving all 5 extra to the new RS would hasten a
 * rollout that may be failing; giving them to the old one would undo it.
 * Upstream spreads them in proportion: each active RS grows to
 * round(size * newMax / oldMax), where newMax = 15 + 3 = 18 and oldMax is
 * the max-replicas annotation (13): the old RS goes to round(8*18/13) = 11,
 * the new one to round(5*18/13) = 7, and the rounding leftovers (here
 * none) go to the first RS in the order below. Nothing grows past what is
 * left to add, nothing shrinks past what is left to remove, no RS goes
 * below 0.
 *
 * Order: growing, the largest RS first, the newer first between equals;
 * shrinking, the largest first, the older first between equals. So
 * leftovers grow the newest of the largest and shrink the oldest.
 *
 * Interface: ctrl_deployment.h (deployment_plan_scale is pure and has its
 * own table tests; deployment_sync_only does the writes).
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "xmalloc.h"

/* K8S: getIntFromAnnotation: a whole base-10 int32, or false. */
static bool int_annotation(const struct object *obj, const char *key, int32_t *out)
{
	const char *text = strmap_get(&obj->meta.annotations, key);
	if (!text || !*text)
		return false;
	char *end;
	long long value = strtoll(text, &end, 10);
	if (*end || value < INT32_MIN || value > INT32_MAX)
		return false;
	*out = (int32_t)value;
	return true;
}

/* K8S: getReplicaSetFraction: how many replicas rs should gain (or lose,
 * negative) to keep its share of the deployment's new maximum size. */
static int32_t replica_set_fraction(const struct replica_set *rs, const struct deployment *d)
{
	if (d->spec.replicas == 0)
		return -rs->spec.replicas;	/* scaling to zero: all of it */
	int64_t new_max = (int64_t)d->spec.replicas + deployment_max_surge(d);
	int32_t old_max;
	/* Without the annotation (someone edited it away) upstream falls back
	 * on the deployment's current size; the min/max in the caller keep
	 * the result within bounds even when that guess is poor. */
	if (!int_annotation(&rs->obj, MAX_REPLICAS_ANNOTATION, &old_max))
		old_max = d->status.replicas;
	if (old_max <= 0)
		return 0;	/* upstream would divide by zero; kubelab leaves rs be */
	/* round(size * new_max / old_max), halves away from zero as Go's
	 * math.Round: every term is positive here, so in integers. */
	int64_t numerator = (int64_t)rs->spec.replicas * new_max;
	int64_t size = (2 * numerator + old_max) / (2 * (int64_t)old_max);
	return (int32_t)(size - rs->spec.replicas);
}

/* K8S: GetProportion: the fraction, capped by what is left to distribute. */
static int32_t replica_set_proportion(const struct replica_set *rs, const struct deployment *d,
				      int32_t to_add, int32_t added)
{
	if (rs->spec.replicas == 0 || to_add == 0 || to_add == added)
		return 0;
	int32_t fraction = replica_set_fraction(rs, d);
	int32_t allowed = to_add - added;
	if (to_add > 0)
		return fraction < allowed ? fraction : allowed;
	return fraction > allowed ? fraction : allowed;
}

/* K8S: ReplicaSetsByCreationTimestamp.Less. */
static bool older(const struct replica_set *a, const struct replica_set *b)
{
	if (a->obj.meta.creation_timestamp != b->obj.meta.creation_timestamp)
		return a->obj.meta.creation_timestamp < b->obj.meta.creation_timestamp;
	return strcmp(a->obj.meta.name, b->obj.meta.name) < 0;
}

/* K8S: ReplicaSetsBySizeNewer (newer_first) / ReplicaSetsBySizeOlder. */
static bool goes_before(const struct replica_set *a, const struct replica_set *b,
			bool newer_first)
{
	if (a->spec.replicas != b->spec.replicas)
		return a->spec.replicas > b->spec.replicas;
	return newer_first ? older(b, a) : older(a, b);
}

/* Insertion sort of indices into sets (the lists are a handful long). */
static void sort_indices(size_t *idx, size_t len, const struct replica_set *const *sets,
			 bool newer_first)
{
	for (size_t i = 1; i < len; i++) {
		size_t moving = idx[i], j = i;
		for (; j > 0 && goes_before(sets[moving], sets[idx[j - 1]], newer_first); j--)
			idx[j] = idx[j - 1];
		idx[j] = moving;
	}
}

/* K8S: IsSaturated: the new RS runs every replica, all available, and was
 * scaled for this size. */
static bool saturated(const struct deployment *d, const struct replica_set *rs)
{
	int32_t desired;
	return rs && int_annotation(&rs->obj, DESIRED_REPLICAS_ANNOTATION, &desired) &&
	       rs->spec.replicas == d->spec.replicas && desired == d->spec.replicas &&
	       rs->status.available_replicas == d->spec.replicas;
}

/* LAB: deployment-proportional-scaling */
size_t deployment_plan_scale(const struct deployment *d,
			     const struct replica_set *const *sets, size_t n, bool has_new,
			     struct scale_step *steps)
{
	if (n == 0)
		return 0;
	size_t old_len = has_new ? n - 1 : n;
	const struct replica_set *new_rs = has_new ? sets[n - 1] : NULL;
	/* Upstream sorts the old RSs newest first here (FindActiveOrLatest)
	 * and keeps that order for what follows. */
	size_t *idx = xcalloc(n, sizeof(*idx));
	for (size_t i = 0; i < old_len; i++)
		idx[i] = i;
	for (size_t i = 1; i < old_len; i++)
		for (size_t j = i; j > 0 && older(sets[idx[j - 1]], sets[idx[j]]); j--) {
			size_t t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	if (has_new)
		idx[n - 1] = n - 1;
	size_t active = 0;
	for (size_t i = 0; i < n; i++)
		if (sets[idx[i]]->spec.replicas > 0)
			idx[active++] = idx[i];	/* K8S: FilterActiveReplicaSets */

	size_t len = 0;
	if (active <= 1) {
		/* K8S: FindActiveOrLatest: the one active RS, else the newest. */
		size_t only;
		if (active == 1) {
			only = idx[0];
		} else if (has_new) {
			only = n - 1;
		} else {
			only = 0;
			for (size_t i = 1; i < old_len; i++)
				if (older(sets[only], sets[i]))
					only = i;
		}
		if (sets[only]->spec.replicas != d->spec.replicas)
			steps[len++] = (struct scale_step){ only, d->spec.replicas, false };
	} else if (saturated(d, new_rs)) {
		/* Adoption of old RSs under a finished rollout: they go. */
		for (size_t i = 0; i < active; i++)
			if (!has_new || idx[i] != n - 1)
				steps[len++] = (struct scale_step){ idx[i], 0, false };
	} else if (deployment_is_rolling_update(d)) {
		int32_t sum = 0;
		for (size_t i = 0; i < active; i++)
			sum += sets[idx[i]]->spec.replicas;
		int32_t allowed = d->spec.replicas > 0 ?
			d->spec.replicas + deployment_max_surge(d) : 0;
		int32_t to_add = allowed - sum, added = 0;
		if (to_add != 0)
			sort_indices(idx, active, sets, to_add > 0);
		for (size_t i = 0; i < active; i++) {
			const struct replica_set *rs = sets[idx[i]];
			int32_t share = replica_set_proportion(rs, d, to_add, added);
			steps[len++] = (struct scale_step){ idx[i], rs->spec.replicas + share, true };
			added += share;
		}
		if (len > 0 && to_add != 0) {	/* rounding leftovers: the first */
			steps[0].replicas += to_add - added;
			if (steps[0].replicas < 0)
				steps[0].replicas = 0;
		}
	}
	/* Recreate with several active RSs: nothing (upstream neither). */
	free(idx);
	return len;
}

/* K8S: DeploymentController.scale: the plan, written in order; the first
 * failure stops it and the deployment is requeued. */
static int scale(struct rollout *r)
{
	size_t n = r->old.len + (r->new_rs != NULL);
	const struct replica_set **sets = xcalloc(n ? n : 1, sizeof(*sets));
	for (size_t i = 0; i < r->old.len; i++)
		sets[i] = r->old.items[i];
	if (r->new_rs)
		sets[n - 1] = r->new_rs;
	struct scale_step *steps = xcalloc(n ? n : 1, sizeof(*steps));
	size_t len = deployment_plan_scale(r->d, sets, n, r->new_rs != NULL, steps);
	int rc = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		struct replica_set **slot = steps[i].index < r->old.len ?
			&r->old.items[steps[i].index] : &r->new_rs;
		bool scaled;
		rc = steps[i].proportional ?
			deployment_scale_replica_set(r, slot, steps[i].replicas, &scaled) :
			deployment_scale(r, slot, steps[i].replicas, &scaled);
	}
	free(steps);
	free(sets);
	return rc;
}

int deployment_is_scaling_event(struct rollout *r, bool *scaling)
{
	*scaling = false;
	if (deployment_get_new_rs(r, false))
		return -1;
	for (size_t i = 0; i < r->all.len && !*scaling; i++) {
		const struct replica_set *rs = r->all.items[i];
		int32_t desired;
		if (rs->spec.replicas > 0 &&
		    int_annotation(&rs->obj, DESIRED_REPLICAS_ANNOTATION, &desired))
			*scaling = desired != r->d->spec.replicas;
	}
	return 0;
}

int deployment_sync_only(struct rollout *r, bool do_scale)
{
	if (deployment_get_new_rs(r, false))
		return -1;
	if (do_scale) {
		if (scale(r))
			return -1;
		deployment_refresh_all(r);
		if (r->d->spec.paused && deployment_cleanup(r))
			return -1;
	}
	return deployment_sync_status(r);
}
