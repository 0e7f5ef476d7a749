/* test_ctrl_deployment_scale.c - proportional scaling of a Deployment's
 * ReplicaSets: upstream's TestScale table against deployment_plan_scale,
 * then a scale in the middle of a stuck rolling update, end to end.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "ctrl_harness.h"

Suite *ctrl_deployment_scale_suite(void);

/* ---- upstream's table: sync_test.go TestScale ---------------------------- */

#define NEW_TS (KTIME_SIM_EPOCH + 7200 * S)
#define OLD_TS (KTIME_SIM_EPOCH + 3600 * S)
#define OLDER_TS KTIME_SIM_EPOCH

struct rs_case {
	const char *name;
	int32_t replicas, want;
	ktime_t created;
	int32_t desired;	/* desired-replicas annotation; 0: the old deployment's */
	int32_t available;
};

struct scale_case {
	const char *name;
	int32_t replicas, old_replicas;	/* the deployment now and before */
	int32_t surge, old_surge;	/* maxSurge (absolute) now and before */
	bool has_new;			/* sets[len-1] is the new RS */
	size_t len;
	struct rs_case sets[3];
};

/* newDeployment in upstream's tests: RollingUpdate, maxSurge and
 * maxUnavailable 0 unless given. */
static struct deployment *deployment_of(int32_t replicas, int32_t surge, int32_t unavailable)
{
	struct deployment *d = h_deployment("foo", replicas);
	struct rolling_update_deployment *ru = &d->spec.strategy.rolling_update;
	free(ru->max_surge.str_value);
	free(ru->max_unavailable.str_value);
	ru->max_surge = (struct int_or_string){ .is_set = true, .int_value = surge };
	ru->max_unavailable = (struct int_or_string){ .is_set = true, .int_value = unavailable };
	return d;
}

static void run_case(const struct scale_case *tc)
{
	struct deployment *d = deployment_of(tc->replicas, tc->surge, 0);
	const struct replica_set *sets[3];
	for (size_t i = 0; i < tc->len; i++) {
		const struct rs_case *c = &tc->sets[i];
		struct replica_set *rs = h_replica_set(c->name, c->replicas);
		rs->obj.meta.creation_timestamp = c->created;
		rs->status.available_replicas = c->available;
		int32_t desired = c->desired ? c->desired : tc->old_replicas;
		deployment_set_replicas_annotations(&rs->obj, desired, desired + tc->old_surge);
		sets[i] = rs;
	}
	struct scale_step steps[3];
	size_t len = deployment_plan_scale(d, sets, tc->len, tc->has_new, steps);
	for (size_t i = 0; i < tc->len; i++) {
		int32_t got = tc->sets[i].replicas;
		for (size_t s = 0; s < len; s++)
			if (steps[s].index == i)
				got = steps[s].replicas;
		ck_assert_msg(got == tc->sets[i].want, "%s: %s has %d replicas, want %d",
			      tc->name, tc->sets[i].name, got, tc->sets[i].want);
	}
	for (size_t i = 0; i < tc->len; i++)
		object_unref((struct object *)&sets[i]->obj);
	object_unref(&d->obj);
}

static const struct scale_case cases[] = {
	{"normal scaling event: 10 -> 12", 12, 10, 0, 0, true, 1,
	 {{"foo-v1", 10, 12, NEW_TS, 0, 0}}},
	{"normal scaling event: 10 -> 5", 5, 10, 0, 0, true, 1,
	 {{"foo-v1", 10, 5, NEW_TS, 0, 0}}},
	{"proportional scaling: 5 -> 10", 10, 5, 0, 0, true, 2,
	 {{"foo-v1", 3, 6, OLD_TS, 0, 0}, {"foo-v2", 2, 4, NEW_TS, 0, 0}}},
	{"proportional scaling: 5 -> 3", 3, 5, 0, 0, true, 2,
	 {{"foo-v1", 3, 2, OLD_TS, 0, 0}, {"foo-v2", 2, 1, NEW_TS, 0, 0}}},
	{"proportional scaling: 9 -> 4", 4, 9, 0, 0, true, 2,
	 {{"foo-v1", 1, 0, OLD_TS, 0, 0}, {"foo-v2", 8, 4, NEW_TS, 0, 0}}},
	{"proportional scaling: 7 -> 10", 10, 7, 0, 0, true, 3,
	 {{"foo-v2", 3, 4, OLD_TS, 0, 0}, {"foo-v1", 2, 3, OLDER_TS, 0, 0},
	  {"foo-v3", 2, 3, NEW_TS, 0, 0}}},
	{"proportional scaling: 13 -> 8", 8, 13, 0, 0, true, 3,
	 {{"foo-v2", 8, 5, OLD_TS, 0, 0}, {"foo-v1", 3, 2, OLDER_TS, 0, 0},
	  {"foo-v3", 2, 1, NEW_TS, 0, 0}}},
	/* Leftovers grow the newest RS... */
	{"leftover distribution: 3 -> 4", 4, 3, 0, 0, true, 3,
	 {{"foo-v2", 1, 1, OLD_TS, 0, 0}, {"foo-v1", 1, 1, OLDER_TS, 0, 0},
	  {"foo-v3", 1, 2, NEW_TS, 0, 0}}},
	/* ... and shrink the oldest. */
	{"leftover distribution: 3 -> 2", 2, 3, 0, 0, true, 3,
	 {{"foo-v2", 1, 1, OLD_TS, 0, 0}, {"foo-v1", 1, 0, OLDER_TS, 0, 0},
	  {"foo-v3", 1, 1, NEW_TS, 0, 0}}},
	{"proportional scaling (no new rs): 4 -> 5", 5, 4, 0, 0, false, 2,
	 {{"foo-v2", 2, 3, OLD_TS, 0, 0}, {"foo-v1", 2, 2, OLDER_TS, 0, 0}}},
	{"proportional scaling: 6 -> 0", 0, 6, 0, 0, true, 3,
	 {{"foo-v2", 2, 0, OLD_TS, 0, 0}, {"foo-v1", 1, 0, OLDER_TS, 0, 0},
	  {"foo-v3", 3, 0, NEW_TS, 0, 0}}},
	{"proportional scaling: 0 -> 6", 6, 6, 0, 0, true, 3,
	 {{"foo-v2", 0, 0, OLD_TS, 0, 0}, {"foo-v1", 0, 0, OLDER_TS, 0, 0},
	  {"foo-v3", 0, 6, NEW_TS, 0, 0}}},
	/* foo-v2's last scale never reached the annotations (upstream's
	 * "failed rs update"): its share is computed against 3, not 5. */
	{"failed rs update", 5, 5, 0, 0, true, 3,
	 {{"foo-v2", 1, 2, OLD_TS, 3, 0}, {"foo-v1", 1, 1, OLDER_TS, 0, 0},
	  {"foo-v3", 2, 2, NEW_TS, 0, 0}}},
	{"deployment with surge pods", 20, 10, 2, 2, true, 2,
	 {{"foo-v1", 6, 11, OLD_TS, 0, 0}, {"foo-v2", 6, 11, NEW_TS, 0, 0}}},
	{"change both surge and size", 50, 10, 6, 3, true, 2,
	 {{"foo-v1", 8, 34, OLD_TS, 0, 0}, {"foo-v2", 5, 22, NEW_TS, 0, 0}}},
	{"change both size and template", 14, 10, 0, 0, false, 2,
	 {{"foo-v2", 7, 10, NEW_TS, 0, 0}, {"foo-v1", 3, 4, OLD_TS, 0, 0}}},
};

START_TEST(test_plan_scale_matches_upstream_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}
END_TEST

/* K8S: TestScale "saturated but broken new replica set does not affect
 * old pods" (maxSurge 1, maxUnavailable 1): all replicas but none
 * available is not saturated, and with the surge room used nothing moves;
 * once they are available the old RS goes to 0. */
START_TEST(test_plan_scale_sends_old_sets_to_zero_only_under_a_saturated_new_one)
{
	struct deployment *d = deployment_of(2, 1, 1);
	struct replica_set *old = h_replica_set("foo-v1", 1), *cur = h_replica_set("foo-v2", 2);
	old->obj.meta.creation_timestamp = OLD_TS;
	cur->obj.meta.creation_timestamp = NEW_TS;
	deployment_set_replicas_annotations(&old->obj, 2, 3);
	deployment_set_replicas_annotations(&cur->obj, 2, 3);
	const struct replica_set *sets[2] = { old, cur };
	struct scale_step steps[2];
	size_t len = deployment_plan_scale(d, sets, 2, true, steps);
	for (size_t i = 0; i < len; i++)
		ck_assert_int_eq(steps[i].replicas, sets[steps[i].index]->spec.replicas);

	cur->status.available_replicas = 2;
	len = deployment_plan_scale(d, sets, 2, true, steps);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(steps[0].index, 0);
	ck_assert_int_eq(steps[0].replicas, 0);
	object_unref(&old->obj);
	object_unref(&cur->obj);
	object_unref(&d->obj);
}
END_TEST

/* ---- end to end ---------------------------------------------------------- */

/* Pods of image web:v1 become Running and Ready 2 s after they are made;
 * web:bad pods never do (an image that cannot start). */
struct good_pods {
	struct harness *h;
	int watch;
};

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct good_pods *g = arg;
	(void)old;
	const struct pod *pod = (const void *)obj;
	if (type != WATCH_ADDED || strcmp(pod->spec.containers.items[0].image, "web:v1"))
		return;
	h_on_pod(g->h, type, obj, old);
}

static void image_fn(struct object *obj, void *arg)
{
	struct deployment *d = (struct deployment *)obj;
	free(d->spec.template.spec.containers.items[0].image);
	d->spec.template.spec.containers.items[0].image = xstrdup(arg);
}

static void replicas_fn(struct object *obj, void *arg)
{
	((struct deployment *)obj)->spec.replicas = *(int32_t *)arg;
}

/* The deployment's RS with this image. */
static const struct replica_set *set_of(struct harness *h, const char *image)
{
	struct object_list list = {0};
	store_list(h->store, KIND_REPLICASET, "default", NULL, &list);
	const struct replica_set *found = NULL;
	for (size_t i = 0; i < list.len; i++) {
		const struct replica_set *rs = (const void *)list.items[i];
		if (!strcmp(rs->spec.template.spec.containers.items[0].image, image))
			found = rs;
	}
	object_list_release(&list);
	ck_assert_msg(found != NULL, "no replica set runs %s", image);
	return found;
}

/* The example of the Kubernetes documentation ("Proportional scaling"):
 * 10 replicas, maxSurge 3, maxUnavailable 2, a new image that never
 * becomes ready: 8 old and 5 new pods. Scaled to 15, the 5 more go 3 to
 * the old RS and 2 to the new. */
START_TEST(test_scaling_mid_rollout_spreads_replicas_proportionally)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_start(h, "deployment-controller");
	h->auto_ready = 2 * S;
	struct good_pods good = { h, 0 };
	good.watch = client_watch(&h->actor, KIND_POD, on_pod, &good);
	struct deployment *d = deployment_of(10, 3, 2);
	free(d->spec.template.spec.containers.items[0].image);
	d->spec.template.spec.containers.items[0].image = xstrdup("web:v1");
	free(d->obj.meta.name);
	d->obj.meta.name = xstrdup("web");
	h_create(h, &d->obj);
	h_run_for(h, 30 * S);
	ck_assert_int_eq(((const struct deployment *)h_get(h, KIND_DEPLOYMENT, "default", "web"))
				 ->status.available_replicas, 10);

	h_update(h, KIND_DEPLOYMENT, "default", "web", image_fn, "web:bad", false);
	h_run_for(h, 60 * S);
	ck_assert_int_eq(set_of(h, "web:v1")->spec.replicas, 8);
	ck_assert_int_eq(set_of(h, "web:bad")->spec.replicas, 5);

	int32_t fifteen = 15;
	h_update(h, KIND_DEPLOYMENT, "default", "web", replicas_fn, &fifteen, false);
	h_run_for(h, 60 * S);
	const struct replica_set *old = set_of(h, "web:v1"), *cur = set_of(h, "web:bad");
	ck_assert_int_eq(old->spec.replicas, 11);
	ck_assert_int_eq(cur->spec.replicas, 7);
	ck_assert_str_eq(strmap_get(&old->obj.meta.annotations, DESIRED_REPLICAS_ANNOTATION), "15");
	ck_assert_str_eq(strmap_get(&cur->obj.meta.annotations, MAX_REPLICAS_ANNOTATION), "18");
	char message[128];
	snprintf(message, sizeof(message), "Scaled up replica set %s from 8 to 11",
		 old->obj.meta.name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", message));
	snprintf(message, sizeof(message), "Scaled up replica set %s from 5 to 7",
		 cur->obj.meta.name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", message));

	/* Back down to 5: max 8 of 18, old round(11*8/18) = 5, new
	 * round(7*8/18) = 3. Then the rollout goes on: 2 may be unavailable,
	 * so the old RS gives 2 more (to 3) and the new one takes their room
	 * (to 5), where it stays, its pods never ready. */
	char old_name[64], cur_name[64];
	snprintf(old_name, sizeof(old_name), "%s", old->obj.meta.name);
	snprintf(cur_name, sizeof(cur_name), "%s", cur->obj.meta.name);
	int32_t five = 5;
	h_update(h, KIND_DEPLOYMENT, "default", "web", replicas_fn, &five, false);
	h_run_for(h, 60 * S);
	snprintf(message, sizeof(message), "Scaled down replica set %s from 11 to 5", old_name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", message));
	snprintf(message, sizeof(message), "Scaled down replica set %s from 7 to 3", cur_name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", message));
	ck_assert_int_eq(set_of(h, "web:v1")->spec.replicas, 3);
	ck_assert_int_eq(set_of(h, "web:bad")->spec.replicas, 5);
	client_unwatch(&h->actor, good.watch);
	h_free(h);
}
END_TEST

Suite *ctrl_deployment_scale_suite(void)
{
	Suite *s = suite_create("ctrl_deployment_scale");
	TCase *tc = tcase_create("scale");
	tcase_add_test(tc, test_plan_scale_matches_upstream_table);
	tcase_add_test(tc, test_plan_scale_sends_old_sets_to_zero_only_under_a_saturated_new_one);
	tcase_add_test(tc, test_scaling_mid_rollout_spreads_replicas_proportionally);
	suite_add_tcase(s, tc);
	return s;
}
