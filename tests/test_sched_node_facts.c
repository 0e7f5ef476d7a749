/* test_sched_node_facts.c - the node facts the scheduler cache copies
 * from a Node object stay in step with it.
 *
 * NodeUnschedulable and TaintToleration read spec.unschedulable and the
 * taint counts from the node's record in the cache (sched_nodeinfo.h),
 * not from the Node object, so that a node costs fewer cache lines per
 * cycle. Those copies are only right if every node update refreshes them:
 * these tests cordon, taint and untaint nodes through updates of the
 * cache and check that a pod is rejected and accepted accordingly, and
 * that the cache's own consistency check agrees.
 */
#include <check.h>
#include <stdint.h>

#include "sched_harness.h"

Suite *sched_node_facts_suite(void);

static void add_taint(struct node *n, const char *key, const char *effect)
{
	struct taint *t = HARNESS_APPEND(n->spec.taints);
	t->key = xstrdup(key);
	t->value = xstrdup("");
	t->effect = xstrdup(effect);
}

static void add_toleration(struct pod *p, const char *key, const char *effect)
{
	struct toleration *t = HARNESS_APPEND(p->spec.tolerations);
	t->key = xstrdup(key);
	t->operator = xstrdup("Exists");
	t->effect = xstrdup(effect);
}

/* A new version of node "n1", as an update from the API server brings:
 * cordoned or not, with taints "key:Effect" separated by ','. */
static void update_node(struct sched_cache *cache, bool cordoned, const char *taints)
{
	struct node *n = harness_node("n1", "cpu=4,memory=8Gi");
	n->spec.unschedulable = cordoned;
	char *copy = xstrdup(taints), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':');
		ck_assert_ptr_nonnull(colon);
		*colon = '\0';
		add_taint(n, t, colon + 1);
	}
	free(copy);
	harness_add_node(cache, n);
	ck_assert(sched_cache_check(cache));
}

static enum sched_code filter(const struct sched_plugin *pl, struct sched_cache *cache,
			      const struct pod *pod)
{
	struct sched_status status;
	return harness_filter(pl, cache, pod, NULL, "n1", &status);
}

START_TEST(test_cordon_and_uncordon_reach_the_filter)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *pod = harness_pod("web", "cpu=1");
	const struct sched_plugin *pl = &sched_node_unschedulable_plugin;

	update_node(&cache, false, "");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);
	update_node(&cache, true, "");		/* kubectl cordon n1 */
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	update_node(&cache, false, "");		/* kubectl uncordon n1 */
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);

	object_unref(&pod->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_a_cordoned_node_still_takes_a_pod_tolerating_the_flag)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *pod = harness_pod("agent", "cpu=1");
	add_toleration(pod, TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE);

	update_node(&cache, true, "");
	ck_assert_int_eq(filter(&sched_node_unschedulable_plugin, &cache, pod), SCHED_SUCCESS);

	object_unref(&pod->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_taints_added_and_removed_reach_the_filter)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *pod = harness_pod("web", "cpu=1");
	const struct sched_plugin *pl = &sched_taint_toleration_plugin;

	update_node(&cache, false, "");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);
	update_node(&cache, false, "gpu:NoSchedule");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	/* A soft taint alone does not reject. */
	update_node(&cache, false, "spot:PreferNoSchedule");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);
	update_node(&cache, false, "spot:PreferNoSchedule,down:NoExecute");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	update_node(&cache, false, "");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);

	/* A pod tolerating the taint still passes a tainted node. */
	add_toleration(pod, "gpu", TAINT_NO_SCHEDULE);
	update_node(&cache, false, "gpu:NoSchedule");
	ck_assert_int_eq(filter(pl, &cache, pod), SCHED_SUCCESS);

	object_unref(&pod->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_soft_taints_added_and_removed_reach_the_score)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *pod = harness_pod("web", "cpu=1");
	harness_add_node(&cache, harness_node("n2", "cpu=4,memory=8Gi"));
	const char *names[] = { "n1", "n2" };
	int64_t scores[2];

	update_node(&cache, false, "spot:PreferNoSchedule");
	ck_assert(harness_score(&sched_taint_toleration_plugin, &cache, pod, NULL,
				names, 2, scores));
	ck_assert_int_eq(scores[0], 0);		/* the one untolerated soft taint */
	ck_assert_int_eq(scores[1], SCHED_MAX_NODE_SCORE);
	update_node(&cache, false, "");
	ck_assert(harness_score(&sched_taint_toleration_plugin, &cache, pod, NULL,
				names, 2, scores));
	ck_assert_int_eq(scores[0], SCHED_MAX_NODE_SCORE);
	ck_assert_int_eq(scores[1], SCHED_MAX_NODE_SCORE);

	object_unref(&pod->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_a_removed_node_keeps_no_borrowed_taints)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	update_node(&cache, true, "gpu:NoSchedule");
	harness_add_bound_pod(&cache, harness_pod("web", "cpu=1"), "n1");
	sched_cache_remove_node(&cache, "n1");
	/* The record stays while a pod is booked on it; the taints were
	 * the Node object's, which the cache no longer holds. */
	const struct sched_node_info *n = sched_cache_node(&cache, "n1");
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_null(n->taints);
	ck_assert_uint_eq(n->taints_len, 0);
	ck_assert_uint_eq(n->taints_no_schedule, 0);
	ck_assert(!n->unschedulable);
	ck_assert(sched_cache_check(&cache));
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_node_records_start_on_a_cache_line)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	update_node(&cache, false, "");
	harness_add_node(&cache, harness_node("n2", "cpu=4"));
	/* Otherwise the default hooks' fields straddle a third line. */
	ck_assert_uint_eq((uintptr_t)sched_cache_node(&cache, "n1") % 64, 0);
	ck_assert_uint_eq((uintptr_t)sched_cache_node(&cache, "n2") % 64, 0);
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_node_facts_suite(void)
{
	Suite *s = suite_create("sched_node_facts");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_cordon_and_uncordon_reach_the_filter);
	tcase_add_test(tc, test_a_cordoned_node_still_takes_a_pod_tolerating_the_flag);
	tcase_add_test(tc, test_taints_added_and_removed_reach_the_filter);
	tcase_add_test(tc, test_soft_taints_added_and_removed_reach_the_score);
	tcase_add_test(tc, test_a_removed_node_keeps_no_borrowed_taints);
	tcase_add_test(tc, test_node_records_start_on_a_cache_line);
	suite_add_tcase(s, tc);
	return s;
}
