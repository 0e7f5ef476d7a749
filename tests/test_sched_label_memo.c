/* test_sched_label_memo.c - the label index's memo of the last pod's
 * lists (sim/sched_nodeinfo_labels.c).
 *
 * Booking a pod enters its label lists through the lists the pod booked
 * before it entered, when their keys are the same. The memo must never
 * send a pod into a list of another key, and must forget a list that was
 * dropped when its last pod left: a selector then still finds exactly the
 * pods that carry its labels, and the index's invariant holds.
 */
#include <check.h>
#include <stdlib.h>

#include "sched_harness.h"
#include "selector.h"
#include "strmap.h"

Suite *sched_label_memo_suite(void);

static struct pod *labelled_pod(const char *name, const char *ns, const char *app)
{
	struct pod *p = harness_pod(name, "-");
	if (ns) {
		free(p->obj.meta.namespace);
		p->obj.meta.namespace = xstrdup(ns);
	}
	strmap_set(&p->obj.meta.labels, "app", app);
	return p;
}

static void count_one(void *arg, const struct sched_pod_info *p)
{
	(void)p;
	(*(size_t *)arg)++;
}

/* How many booked pods of namespace ns the selector text matches. */
static size_t matching(const struct sched_cache *cache, const char *ns, const char *text)
{
	struct selector sel;
	ck_assert_int_eq(selector_parse(text, &sel, NULL), 0);
	size_t n = 0;
	size_t visited = sched_cache_visit_matching(cache, ns, &sel, count_one, &n);
	ck_assert_uint_eq(visited, n);
	selector_release(&sel);
	return n;
}

START_TEST(test_pods_with_other_labels_do_not_share_the_last_pods_lists)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	harness_add_node(&cache, harness_node("node1", "cpu=4,memory=8Gi"));
	harness_add_bound_pod(&cache, labelled_pod("a1", NULL, "a"), "node1");
	harness_add_bound_pod(&cache, labelled_pod("a2", NULL, "a"), "node1");
	harness_add_bound_pod(&cache, labelled_pod("b1", NULL, "b"), "node1");
	harness_add_bound_pod(&cache, labelled_pod("b2", "other", "b"), "node1");
	harness_add_bound_pod(&cache, labelled_pod("a3", NULL, "a"), "node1");
	ck_assert(sched_labels_check(&cache));
	ck_assert_uint_eq(matching(&cache, "default", "app=a"), 3);
	ck_assert_uint_eq(matching(&cache, "default", "app=b"), 1);
	ck_assert_uint_eq(matching(&cache, "other", "app=b"), 1);
	ck_assert_uint_eq(matching(&cache, "other", "app=a"), 0);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_a_list_dropped_with_its_last_pod_is_forgotten_by_the_memo)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	harness_add_node(&cache, harness_node("node1", "cpu=4,memory=8Gi"));
	harness_add_bound_pod(&cache, labelled_pod("a1", NULL, "a"), "node1");
	/* a1 was alone in its lists: they go, and the memo must not keep
	 * them (ASan reports a read of the freed list otherwise). */
	ck_assert(sched_cache_remove_pod(&cache, "uid-a1"));
	ck_assert(sched_labels_check(&cache));
	ck_assert_uint_eq(matching(&cache, "default", "app=a"), 0);
	harness_add_bound_pod(&cache, labelled_pod("a2", NULL, "a"), "node1");
	ck_assert(sched_labels_check(&cache));
	ck_assert_uint_eq(matching(&cache, "default", "app=a"), 1);
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_label_memo_suite(void)
{
	Suite *s = suite_create("sched_label_memo");
	TCase *tc = tcase_create("memo");
	tcase_add_test(tc, test_pods_with_other_labels_do_not_share_the_last_pods_lists);
	tcase_add_test(tc, test_a_list_dropped_with_its_last_pod_is_forgotten_by_the_memo);
	suite_add_tcase(s, tc);
	return s;
}
