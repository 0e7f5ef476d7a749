/* test_sched_request_memo.c - the cache's memo of the last pod's request.
 *
 * sched_pod_request_compute remembers the last frozen pod's request, so
 * that one cycle (Fit's PreFilter, BalancedAllocation's PreScore, assume,
 * the bound version's confirmation) computes it once. These tests pin
 * that the memo never answers for the wrong pod: another pod, a loose pod
 * edited in place, a pod freed meanwhile. Speed is not tested here; the
 * scheduler bench's instruction count shows it.
 */
#include <check.h>

#include <stdio.h>

#include "object.h"
#include "schema.h"
#include "sched_harness.h"

Suite *sched_request_memo_suite(void);

/* A frozen pod, as the store keeps it: one container with requests. */
static struct pod *frozen_pod(const char *name, const char *requests)
{
	struct pod *p = harness_pod(name, requests);
	object_freeze(&p->obj);
	return p;
}

static int64_t cpu_of(struct sched_cache *cache, const struct pod *p)
{
	struct sched_pod_request r;
	sched_pod_request_compute(cache, p, &r);
	int64_t cpu = r.milli_cpu;
	sched_pod_request_release(&r);
	return cpu;
}

START_TEST(test_request_memo_answers_each_pod_with_its_own_request)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *a = frozen_pod("a", "cpu=500m,memory=1Gi");
	struct pod *b = frozen_pod("b", "cpu=2,example.com/gpu=2");
	ck_assert_int_eq(cpu_of(&cache, a), 500);
	ck_assert_int_eq(cpu_of(&cache, a), 500);
	struct sched_pod_request r;
	sched_pod_request_compute(&cache, b, &r);
	ck_assert_int_eq(r.milli_cpu, 2000);
	ck_assert_int_eq(r.non_zero_memory, SCHED_DEFAULT_MEMORY_REQUEST);
	ck_assert_uint_eq(r.scalars_len, 1);
	ck_assert_int_eq(r.scalars[0].value, 2);
	/* A second copy owns its own scalars: releasing one leaves the other. */
	struct sched_pod_request again;
	sched_pod_request_compute(&cache, b, &again);
	sched_pod_request_release(&r);
	ck_assert_uint_eq(again.scalars_len, 1);
	ck_assert_int_eq(again.scalars[0].value, 2);
	sched_pod_request_release(&again);
	ck_assert_int_eq(cpu_of(&cache, a), 500);
	object_unref(&a->obj);
	object_unref(&b->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_request_memo_serves_the_bound_version_of_a_pod)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *a = frozen_pod("a", "cpu=750m");
	ck_assert_int_eq(cpu_of(&cache, a), 750);
	struct pod *bound = (struct pod *)object_new_shared_version(&a->obj);
	bound->spec.node_name = (char *)schema_intern("node1");	/* as store_bind */
	object_unref(&a->obj);	/* the memo keeps what it remembers alive */
	ck_assert_int_eq(cpu_of(&cache, bound), 750);
	object_unref(&bound->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_request_memo_recomputes_a_loose_pod_edited_in_place)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *p = harness_pod("loose", "cpu=1");
	ck_assert_int_eq(cpu_of(&cache, p), 1000);
	harness_resources(&p->spec.containers.items[0].resources.requests, "cpu=3");
	ck_assert_int_eq(cpu_of(&cache, p), 3000);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_request_memo_outlives_the_pods_it_saw)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	for (int i = 0; i < 8; i++) {
		char name[16], requests[32];
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(requests, sizeof(requests), "cpu=%dm", 100 * (i + 1));
		struct pod *p = frozen_pod(name, requests);
		ck_assert_int_eq(cpu_of(&cache, p), 100 * (i + 1));
		object_unref(&p->obj);	/* freed later, by the memo */
	}
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_request_memo_suite(void)
{
	Suite *s = suite_create("sched_request_memo");
	TCase *tc = tcase_create("memo");
	tcase_add_test(tc, test_request_memo_answers_each_pod_with_its_own_request);
	tcase_add_test(tc, test_request_memo_serves_the_bound_version_of_a_pod);
	tcase_add_test(tc, test_request_memo_recomputes_a_loose_pod_edited_in_place);
	tcase_add_test(tc, test_request_memo_outlives_the_pods_it_saw);
	suite_add_tcase(s, tc);
	return s;
}
