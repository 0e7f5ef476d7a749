/* test_ctrl_deployment.c - the Deployment controller with the ReplicaSet
 * controller under it: the rollout arithmetic against upstream's own
 * table tests, then whole rollouts.
 *
 * In the rollout tests every new pod becomes Running and Ready 2 s after
 * it is created (h_auto_ready), as a kubelet with a fast image would make
 * it; a step hook checks the rolling update's promises after every event
 * of the run, not only at the end.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "ctrl_harness.h"
#include "selector.h"

Suite *ctrl_deployment_suite(void);

/* ---- arithmetic: upstream's table cases ---------------------------------- */

static struct int_or_string text(const char *s)
{
	return (struct int_or_string){ .is_set = s != NULL, .is_string = true,
				       .str_value = (char *)s };
}

static struct int_or_string number(int32_t v)
{
	return (struct int_or_string){ .is_set = true, .int_value = v };
}

/* K8S: TestResolveFenceposts (deployment_util_test.go); nil is unset. */
START_TEST(test_resolve_fenceposts_matches_upstream_table)
{
	static const struct {
		const char *surge, *unavailable;
		int32_t desired, want_surge, want_unavailable;
		bool error;
	} cases[] = {
		{ "0%", "0%", 0, 0, 1, false },
		{ "39%", "39%", 10, 4, 3, false },
		{ "oops", "39%", 10, 0, 0, true },
		{ "55%", "urg", 10, 0, 0, true },
		{ NULL, "39%", 10, 0, 3, false },
		{ "39%", NULL, 10, 4, 0, false },
		{ NULL, NULL, 10, 0, 1, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct int_or_string s = text(cases[i].surge), u = text(cases[i].unavailable);
		int32_t surge = -1, unavailable = -1;
		int rc = deployment_resolve_fenceposts(&s, &u, cases[i].desired, &surge,
						       &unavailable);
		ck_assert_msg((rc != 0) == cases[i].error, "case %zu: rc %d", i, rc);
		ck_assert_msg(surge == cases[i].want_surge &&
			      unavailable == cases[i].want_unavailable,
			      "case %zu: got %d:%d", i, surge, unavailable);
	}
}
END_TEST

static struct deployment *rolling(int32_t replicas, struct int_or_string surge,
				  struct int_or_string unavailable)
{
	struct deployment *d = (struct deployment *)object_new(&deployment_kind);
	d->spec.replicas = replicas;
	d->spec.strategy.rolling_update.max_surge = surge;
	d->spec.strategy.rolling_update.max_unavailable = unavailable;
	return d;
}

/* Frees d without freeing the borrowed literals of its int_or_strings. */
static void rolling_free(struct deployment *d)
{
	d->spec.strategy.rolling_update.max_surge = (struct int_or_string){0};
	d->spec.strategy.rolling_update.max_unavailable = (struct int_or_string){0};
	object_unref(&d->obj);
}

/* K8S: TestMaxUnavailable. */
START_TEST(test_max_unavailable_matches_upstream_table)
{
	static const struct {
		int32_t replicas;
		bool percent;
		int32_t value;
		const char *text;
		int32_t want;
	} cases[] = {
		{ 10, false, 5, NULL, 5 },
		{ 10, false, 10, NULL, 10 },
		{ 5, false, 10, NULL, 5 },
		{ 0, false, 10, NULL, 0 },
		{ 10, true, 0, "50%", 5 },
		{ 10, true, 0, "100%", 10 },
		{ 5, true, 0, "100%", 5 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct deployment *d = rolling(cases[i].replicas, number(1),
					       cases[i].percent ? text(cases[i].text)
								: number(cases[i].value));
		ck_assert_msg(deployment_max_unavailable(d) == cases[i].want, "case %zu", i);
		rolling_free(d);
	}
	struct deployment *d = rolling(10, number(1), number(1));
	d->spec.strategy.type = xstrdup("Recreate");
	ck_assert_int_eq(deployment_max_unavailable(d), 0);
	rolling_free(d);
}
END_TEST

/* K8S: TestNewRSNewReplicas: the other RSs hold 5 replicas. */
START_TEST(test_new_rs_replicas_matches_upstream_table)
{
	struct deployment *d = rolling(1, number(1), number(1));
	ck_assert_int_eq(deployment_new_rs_replicas(d, 5, 5), 5);	/* cannot scale up */
	rolling_free(d);
	d = rolling(6, number(10), number(1));
	ck_assert_int_eq(deployment_new_rs_replicas(d, 5, 2), 6);	/* up to replicas */
	rolling_free(d);
	d = rolling(3, number(1), number(1));
	d->spec.strategy.type = xstrdup("Recreate");
	ck_assert_int_eq(deployment_new_rs_replicas(d, 5, 1), 3);
	rolling_free(d);
}
END_TEST

/* K8S: TestDeploymentController_reconcileNewReplicaSet (rolling_test.go):
 * maxUnavailable 0, one old RS beside the new one; 0 in want means "not
 * scaled" (the size stays). */
START_TEST(test_reconcile_new_replica_set_matches_upstream_table)
{
	static const struct {
		int32_t replicas, surge, old_replicas, new_replicas, want;
	} cases[] = {
		{ 10, 0, 10, 0, 0 },	/* no room: not scaled */
		{ 10, 2, 10, 0, 2 },
		{ 10, 2, 5, 0, 7 },
		{ 10, 2, 10, 2, 2 },	/* 12 = 10 + maxSurge already */
		{ 10, 2, 2, 11, 10 },	/* above replicas: scaled down */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct deployment *d = rolling(cases[i].replicas, number(cases[i].surge),
					       number(0));
		int32_t got = deployment_new_rs_target(d, cases[i].old_replicas +
							       cases[i].new_replicas,
						       cases[i].new_replicas);
		ck_assert_msg(got == cases[i].want, "case %zu: new RS to %d, want %d", i, got,
			      cases[i].want);
		rolling_free(d);
	}
}
END_TEST

/* The old RS's size after reconcileOldReplicaSets' two steps, as the
 * controller runs them: max_scaled_down, then the cleanup, then the
 * scale-down over what the cleanup left. */
static int32_t reconcile_old(const struct deployment *d, int32_t old_replicas,
			     int32_t old_available, int32_t new_replicas, int32_t new_available)
{
	int32_t max = deployment_max_scaled_down(d, old_replicas + new_replicas, new_replicas,
						 new_available);
	if (max <= 0)
		return old_replicas;
	struct rs_count old = { old_replicas, old_available };
	deployment_plan_cleanup(&old, 1, max);
	deployment_plan_scale_down_old(d, &old, 1, old_available + new_available);
	return old.replicas;
}

/* K8S: TestDeploymentController_reconcileOldReplicaSets: maxSurge 0, so
 * maxUnavailable 0 resolves to 1 (ResolveFenceposts). */
START_TEST(test_reconcile_old_replica_sets_matches_upstream_table)
{
	static const struct {
		int32_t replicas, unavailable, old_replicas, new_replicas;
		int32_t old_ready, new_ready, want_old;
	} cases[] = {
		{ 10, 0, 10, 0, 10, 0, 9 },
		{ 10, 2, 10, 0, 10, 0, 8 },
		{ 10, 2, 10, 0, 8, 0, 8 },	/* the 2 unhealthy ones go */
		{ 10, 2, 10, 0, 9, 0, 8 },	/* 1 unhealthy and 1 ready */
		{ 10, 2, 8, 2, 8, 0, 8 },	/* new pods not available: wait */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct deployment *d = rolling(cases[i].replicas, number(0),
					       number(cases[i].unavailable));
		int32_t got = reconcile_old(d, cases[i].old_replicas, cases[i].old_ready,
					    cases[i].new_replicas, cases[i].new_ready);
		ck_assert_msg(got == cases[i].want_old, "case %zu: old RS to %d, want %d", i,
			      got, cases[i].want_old);
		rolling_free(d);
	}
}
END_TEST

/* K8S: TestDeploymentController_cleanupUnhealthyReplicas: an old RS of 10
 * with 8 available. */
START_TEST(test_cleanup_unhealthy_replicas_matches_upstream_table)
{
	static const struct {
		int32_t replicas, ready, max_cleanup, want;
	} cases[] = {
		{ 10, 8, 1, 1 },
		{ 10, 8, 3, 2 },
		{ 10, 8, 0, 0 },
		{ 10, 10, 3, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rs_count old = { cases[i].replicas, cases[i].ready };
		int32_t got = deployment_plan_cleanup(&old, 1, cases[i].max_cleanup);
		ck_assert_msg(got == cases[i].want, "case %zu: cleaned %d, want %d", i, got,
			      cases[i].want);
		ck_assert_int_eq(old.replicas, cases[i].replicas - cases[i].want);
	}
	/* Oldest first: the first RS gives all it can before the second. */
	struct rs_count two[] = { { 3, 1 }, { 4, 2 } };
	ck_assert_int_eq(deployment_plan_cleanup(two, 2, 3), 3);
	ck_assert_int_eq(two[0].replicas, 1);
	ck_assert_int_eq(two[1].replicas, 3);
}
END_TEST

/* K8S: TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate:
 * the old RS is the only one; 0 in want means "not scaled". */
START_TEST(test_scale_down_old_replica_sets_matches_upstream_table)
{
	static const struct {
		int32_t replicas, unavailable, ready, old_replicas, want;
	} cases[] = {
		{ 10, 0, 10, 10, 9 },
		{ 10, 2, 10, 10, 8 },
		{ 10, 2, 8, 10, 10 },	/* at the floor already */
		{ 10, 2, 10, 0, 0 },	/* nothing to scale */
		{ 10, 2, 1, 10, 10 },	/* below the floor */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct deployment *d = rolling(cases[i].replicas, number(0),
					       number(cases[i].unavailable));
		struct rs_count old = { cases[i].old_replicas, cases[i].ready };
		deployment_plan_scale_down_old(d, &old, 1, cases[i].ready);
		ck_assert_msg(old.replicas == cases[i].want, "case %zu: old RS to %d, want %d",
			      i, old.replicas, cases[i].want);
		rolling_free(d);
	}
}
END_TEST

/* ---- rollouts ------------------------------------------------------------ */

static struct harness *cluster(void)
{
	struct harness *h = h_new(0);
	h_start(h, "replicaset-controller");
	h_start(h, "deployment-controller");
	return h;
}

static const struct deployment *get_deployment(struct harness *h, const char *name)
{
	return (const struct deployment *)h_get(h, KIND_DEPLOYMENT, "default", name);
}

/* The ReplicaSets owned by d, oldest first (by revision). */
static size_t owned_sets(struct harness *h, const struct deployment *d,
			 const struct replica_set **out, size_t max)
{
	struct object_list list = {0};
	store_list_owned(h->store, KIND_REPLICASET, d->obj.meta.uid, &list);
	size_t n = 0;
	for (int64_t rev = 1; rev < 100 && n < list.len && n < max; rev++)
		for (size_t i = 0; i < list.len; i++) {
			const char *r = strmap_get(&list.items[i]->meta.annotations,
						   REVISION_ANNOTATION);
			if (r && strtoll(r, NULL, 10) == rev)
				out[n++] = (const void *)list.items[i];
		}
	ck_assert_uint_eq(n, list.len);
	object_list_release(&list);
	return n;
}

static const char *condition_reason(const struct deployment *d, const char *type,
				    const char *status)
{
	const struct condition *c = condition_find((void *)&d->status.conditions, type);
	ck_assert_msg(c != NULL, "no %s condition", type);
	ck_assert_str_eq(c->status, status);
	return c->reason;
}

static void image_fn(struct object *obj, void *arg)
{
	struct deployment *d = (struct deployment *)obj;
	free(d->spec.template.spec.containers.items[0].image);
	d->spec.template.spec.containers.items[0].image = xstrdup(arg);
}

static void set_image(struct harness *h, const char *name, const char *image)
{
	h_update(h, KIND_DEPLOYMENT, "default", name, image_fn, (void *)image, false);
}

START_TEST(test_deployment_creates_its_replicaset_and_reaches_replicas)
{
	struct harness *h = cluster();
	h_auto_ready(h, 2 * S);
	h_create(h, &h_deployment("web", 3)->obj);
	h_run_for(h, 30 * S);

	const struct deployment *d = get_deployment(h, "web");
	const struct replica_set *sets[4];
	ck_assert_uint_eq(owned_sets(h, d, sets, 4), 1);
	const struct replica_set *rs = sets[0];
	const char *hash = strmap_get(&rs->obj.meta.labels, POD_TEMPLATE_HASH_LABEL);
	ck_assert_ptr_nonnull(hash);
	char name[64];
	snprintf(name, sizeof(name), "web-%s", hash);
	ck_assert_str_eq(rs->obj.meta.name, name);
	ck_assert_str_eq(strmap_get(&rs->spec.selector.match_labels, POD_TEMPLATE_HASH_LABEL),
			 hash);
	ck_assert_str_eq(strmap_get(&rs->spec.template.metadata.labels,
				    POD_TEMPLATE_HASH_LABEL), hash);
	ck_assert_str_eq(strmap_get(&rs->obj.meta.annotations, REVISION_ANNOTATION), "1");
	ck_assert_str_eq(strmap_get(&d->obj.meta.annotations, REVISION_ANNOTATION), "1");
	ck_assert_int_eq(rs->spec.replicas, 3);

	ck_assert_int_eq(d->status.replicas, 3);
	ck_assert_int_eq(d->status.updated_replicas, 3);
	ck_assert_int_eq(d->status.ready_replicas, 3);
	ck_assert_int_eq(d->status.available_replicas, 3);
	ck_assert_int_eq(d->status.unavailable_replicas, 0);
	ck_assert_int_eq(d->status.observed_generation, d->obj.meta.generation);
	ck_assert_str_eq(condition_reason(d, "Available", "True"), "MinimumReplicasAvailable");
	ck_assert_str_eq(condition_reason(d, "Progressing", "True"), "NewReplicaSetAvailable");
	/* Listed as kubectl describe shows them: Available, then Progressing. */
	ck_assert_str_eq(d->status.conditions.items[0].type, "Available");

	char message[128];
	snprintf(message, sizeof(message), "Scaled up replica set %s from 0 to 3", name);
	const struct h_event *e = h_find_event(h, "ScalingReplicaSet", message);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->kind, "Deployment");
	ck_assert_str_eq(e->object, "web");
	ck_assert_uint_eq(h_count_events(h, "SuccessfulCreate", NULL), 3);
	h_free(h);
}
END_TEST

/* What the step hook saw of one deployment's pods over the whole run. */
struct watcher {
	struct harness *h;
	size_t max_total, min_ready;
	bool armed;
};

static void watch_step(void *arg)
{
	struct watcher *w = arg;
	if (!w->armed)
		return;
	struct h_pods n = h_count_pods(w->h, NULL);
	if (n.total > w->max_total)
		w->max_total = n.total;
	if (n.ready < w->min_ready)
		w->min_ready = n.ready;
}

static void surge_one_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct deployment *d = (struct deployment *)obj;
	struct rolling_update_deployment *ru = &d->spec.strategy.rolling_update;
	free(ru->max_surge.str_value);
	free(ru->max_unavailable.str_value);
	ru->max_surge = number(1);
	ru->max_unavailable = number(0);
}

START_TEST(test_rolling_update_keeps_n_available_and_at_most_n_plus_one_pods)
{
	struct harness *h = cluster();
	h_auto_ready(h, 2 * S);
	struct deployment *d = h_deployment("web", 3);
	surge_one_fn(&d->obj, NULL);
	h_create(h, &d->obj);
	h_run_for(h, 30 * S);
	ck_assert_int_eq(get_deployment(h, "web")->status.available_replicas, 3);

	struct watcher w = { .h = h, .min_ready = 3, .armed = true };
	engine_set_step_hook(h->engine, watch_step, &w);
	set_image(h, "web", "web:v2");
	h_run_for(h, 60 * S);
	engine_set_step_hook(h->engine, NULL, NULL);
	ck_assert_uint_le(w.max_total, 4);
	ck_assert_uint_eq(w.max_total, 4);	/* it did use the surge */
	ck_assert_uint_ge(w.min_ready, 3);

	const struct deployment *stored = get_deployment(h, "web");
	const struct replica_set *sets[4];
	ck_assert_uint_eq(owned_sets(h, stored, sets, 4), 2);
	ck_assert_int_eq(sets[0]->spec.replicas, 0);
	ck_assert_int_eq(sets[1]->spec.replicas, 3);
	ck_assert_str_eq(sets[1]->spec.template.spec.containers.items[0].image, "web:v2");
	ck_assert_str_eq(strmap_get(&stored->obj.meta.annotations, REVISION_ANNOTATION), "2");
	ck_assert_int_eq(stored->status.updated_replicas, 3);
	ck_assert_int_eq(stored->status.available_replicas, 3);
	ck_assert_int_eq(stored->status.replicas, 3);
	ck_assert_str_eq(condition_reason(stored, "Progressing", "True"),
			 "NewReplicaSetAvailable");

	/* The story in events: one up, one down, three times. */
	char up[128], down[128];
	snprintf(up, sizeof(up), "Scaled up replica set %s from 0 to 1", sets[1]->obj.meta.name);
	snprintf(down, sizeof(down), "Scaled down replica set %s from 3 to 2",
		 sets[0]->obj.meta.name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", up));
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", down));
	ck_assert_uint_eq(h_count_events(h, "ScalingReplicaSet", NULL), 1 + 6);
	h_free(h);
}
END_TEST

static void recreate_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct deployment *d = (struct deployment *)obj;
	free(d->spec.strategy.type);
	d->spec.strategy.type = xstrdup("Recreate");
	free(d->spec.strategy.rolling_update.max_surge.str_value);
	free(d->spec.strategy.rolling_update.max_unavailable.str_value);
	memset(&d->spec.strategy.rolling_update, 0, sizeof(d->spec.strategy.rolling_update));
}

/* Recreate: the new version starts only once every old pod is gone, even
 * one that is still terminating on its node. */
START_TEST(test_recreate_waits_for_every_old_pod_before_creating_new_ones)
{
	struct harness *h = cluster();
	struct deployment *d = h_deployment("web", 2);
	recreate_fn(&d->obj, NULL);
	h_create(h, &d->obj);
	h_run_for(h, 1 * S);
	struct object_list pods = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &pods);
	ck_assert_uint_eq(pods.len, 2);
	char names[2][64];
	for (int i = 0; i < 2; i++)
		snprintf(names[i], sizeof(names[i]), "%s", pods.items[i]->meta.name);
	object_list_release(&pods);
	for (int i = 0; i < 2; i++) {
		h_bind(h, names[i], "worker-1");
		h_set_running(h, names[i], true);
	}
	h_run_for(h, 1 * S);

	set_image(h, "web", "web:v2");
	h_run_for(h, 10 * S);
	const struct replica_set *sets[4];
	ck_assert_uint_eq(owned_sets(h, get_deployment(h, "web"), sets, 4), 1);
	ck_assert_int_eq(sets[0]->spec.replicas, 0);
	ck_assert_uint_eq(h_count_pods(h, NULL).total, 2);	/* terminating */
	ck_assert_uint_eq(h_count_pods(h, NULL).active, 0);

	/* The kubelet finishes them off. */
	for (int i = 0; i < 2; i++) {
		struct delete_options now = { .grace_period_seconds = 0 };
		ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", names[i], &now,
					       NULL), API_OK);
	}
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(owned_sets(h, get_deployment(h, "web"), sets, 4), 2);
	ck_assert_int_eq(sets[1]->spec.replicas, 2);
	ck_assert_uint_eq(h_count_pods(h, sets[1]->obj.meta.uid).active, 2);
	char up[128];
	snprintf(up, sizeof(up), "Scaled up replica set %s from 0 to 2", sets[1]->obj.meta.name);
	ck_assert_ptr_nonnull(h_find_event(h, "ScalingReplicaSet", up));
	h_free(h);
}
END_TEST

static void deadline_fn(struct object *obj, void *arg)
{
	((struct deployment *)obj)->spec.progress_deadline_seconds = *(int32_t *)arg;
}

START_TEST(test_progress_deadline_marks_a_stuck_rollout)
{
	struct harness *h = cluster();	/* no kubelet: pods never get ready */
	struct deployment *d = h_deployment("web", 1);
	int32_t thirty = 30;
	deadline_fn(&d->obj, &thirty);
	h_create(h, &d->obj);
	h_run_for(h, 20 * S);
	const struct deployment *stored = get_deployment(h, "web");
	ck_assert_str_eq(condition_reason(stored, "Progressing", "True"), "ReplicaSetUpdated");
	ck_assert_str_eq(condition_reason(stored, "Available", "False"),
			 "MinimumReplicasUnavailable");
	h_run_for(h, 20 * S);
	stored = get_deployment(h, "web");
	ck_assert_str_eq(condition_reason(stored, "Progressing", "False"),
			 "ProgressDeadlineExceeded");
	const struct replica_set *sets[2];
	ck_assert_uint_eq(owned_sets(h, stored, sets, 2), 1);
	char message[128];
	snprintf(message, sizeof(message), "ReplicaSet \"%s\" has timed out progressing.",
		 sets[0]->obj.meta.name);
	ck_assert_str_eq(condition_find((void *)&stored->status.conditions,
					"Progressing")->message, message);
	h_free(h);
}
END_TEST

static void pause_fn(struct object *obj, void *arg)
{
	((struct deployment *)obj)->spec.paused = *(bool *)arg;
}

START_TEST(test_paused_deployment_does_not_roll_out_until_resumed)
{
	struct harness *h = cluster();
	h_auto_ready(h, 2 * S);
	h_create(h, &h_deployment("web", 2)->obj);
	h_run_for(h, 20 * S);
	bool yes = true, no = false;
	h_update(h, KIND_DEPLOYMENT, "default", "web", pause_fn, &yes, false);
	set_image(h, "web", "web:v2");
	h_run_for(h, 20 * S);
	const struct replica_set *sets[4];
	ck_assert_uint_eq(owned_sets(h, get_deployment(h, "web"), sets, 4), 1);
	ck_assert_str_eq(condition_reason(get_deployment(h, "web"), "Progressing", "Unknown"),
			 "DeploymentPaused");
	h_update(h, KIND_DEPLOYMENT, "default", "web", pause_fn, &no, false);
	h_run_for(h, 60 * S);
	ck_assert_uint_eq(owned_sets(h, get_deployment(h, "web"), sets, 4), 2);
	ck_assert_int_eq(sets[1]->spec.replicas, 2);
	ck_assert_int_eq(get_deployment(h, "web")->status.updated_replicas, 2);
	h_free(h);
}
END_TEST

static void history_fn(struct object *obj, void *arg)
{
	((struct deployment *)obj)->spec.revision_history_limit = *(int32_t *)arg;
}

START_TEST(test_revision_history_limit_deletes_the_oldest_replica_sets)
{
	struct harness *h = cluster();
	h_auto_ready(h, 2 * S);
	struct deployment *d = h_deployment("web", 2);
	int32_t one = 1;
	history_fn(&d->obj, &one);
	h_create(h, &d->obj);
	h_run_for(h, 30 * S);
	set_image(h, "web", "web:v2");
	h_run_for(h, 60 * S);
	set_image(h, "web", "web:v3");
	h_run_for(h, 60 * S);
	const struct replica_set *sets[4];
	ck_assert_uint_eq(owned_sets(h, get_deployment(h, "web"), sets, 4), 2);
	ck_assert_str_eq(strmap_get(&sets[0]->obj.meta.annotations, REVISION_ANNOTATION), "2");
	ck_assert_str_eq(strmap_get(&sets[1]->obj.meta.annotations, REVISION_ANNOTATION), "3");
	h_free(h);
}
END_TEST

Suite *ctrl_deployment_suite(void)
{
	Suite *s = suite_create("ctrl_deployment");
	TCase *tc = tcase_create("deployment");
	tcase_add_test(tc, test_resolve_fenceposts_matches_upstream_table);
	tcase_add_test(tc, test_max_unavailable_matches_upstream_table);
	tcase_add_test(tc, test_new_rs_replicas_matches_upstream_table);
	tcase_add_test(tc, test_reconcile_new_replica_set_matches_upstream_table);
	tcase_add_test(tc, test_reconcile_old_replica_sets_matches_upstream_table);
	tcase_add_test(tc, test_cleanup_unhealthy_replicas_matches_upstream_table);
	tcase_add_test(tc, test_scale_down_old_replica_sets_matches_upstream_table);
	tcase_add_test(tc, test_deployment_creates_its_replicaset_and_reaches_replicas);
	tcase_add_test(tc, test_rolling_update_keeps_n_available_and_at_most_n_plus_one_pods);
	tcase_add_test(tc, test_recreate_waits_for_every_old_pod_before_creating_new_ones);
	tcase_add_test(tc, test_progress_deadline_marks_a_stuck_rollout);
	tcase_add_test(tc, test_paused_deployment_does_not_roll_out_until_resumed);
	tcase_add_test(tc, test_revision_history_limit_deletes_the_oldest_replica_sets);
	suite_add_tcase(s, tc);
	return s;
}
