/* test_sched_volume_restrictions.c - the VolumeRestrictions plugin:
 * ReadWriteOncePod claims.
 *
 * Cases from upstream's volume_restrictions_test.go (TestAccessModeConflicts)
 * plus the PreFilter extensions preemption uses.
 */
#include "sched_volume_fixture.h"

Suite *sched_volume_restrictions_suite(void);

#define RWOP "ReadWriteOncePod"
#define REASON "node has pod using PersistentVolumeClaim with the same name and " \
	"ReadWriteOncePod access mode"

static void setup(struct vworld *w)
{
	vw_init(w);
	vw_node(w, "node-1", NULL);
	vw_node(w, "node-2", NULL);
	vw_claim(w, "claim-with-rwop-1", NULL, NULL, RWOP);
	vw_claim(w, "claim-with-rwop-2", NULL, NULL, RWOP);
	vw_claim(w, "claim-rwo", NULL, NULL, "ReadWriteOnce");
}

START_TEST(test_pod_without_claims_is_skipped)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	struct pod *p = vw_pod(&w, NULL);
	ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, "node-1", &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	ck_assert_int_eq(pre, SCHED_SKIP);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_missing_claim_fails_prefilter_unresolvably)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	struct pod *p = vw_pod(&w, VW_LIST("claim-nope"));
	ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, "node-1", &pre,
				reason, sizeof(reason)), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_int_eq(pre, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "persistentvolumeclaim \"claim-nope\" not found");
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_rwop_claim_nobody_uses_is_skipped)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	/* Pods on the node use other claims. */
	vw_bound_pod(&w, "node-1", VW_LIST("claim-with-rwop-2"));
	vw_bound_pod(&w, "node-1", VW_LIST("claim-rwo"));
	struct pod *p = vw_pod(&w, VW_LIST("claim-with-rwop-1"));
	ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, "node-1", &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	ck_assert_int_eq(pre, SCHED_SKIP);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_rwop_claim_in_use_fails_every_node_preemptibly)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	vw_bound_pod(&w, "node-2", VW_LIST("claim-with-rwop-1"));
	struct pod *p = vw_pod(&w, VW_LIST("claim-with-rwop-1", "claim-rwo"));
	/* Not only on node-2, where the holder runs: on every node. */
	const char *nodes[] = { "node-1", "node-2" };
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, nodes[i],
					&pre, reason, sizeof(reason)), SCHED_UNSCHEDULABLE);
		ck_assert_int_eq(pre, SCHED_SUCCESS);
		ck_assert_str_eq(reason, REASON);
	}
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_rwo_claim_in_use_is_no_conflict)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	vw_bound_pod(&w, "node-1", VW_LIST("claim-rwo"));
	struct pod *p = vw_pod(&w, VW_LIST("claim-rwo"));
	ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, "node-1", &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	ck_assert_int_eq(pre, SCHED_SKIP);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

/* Preemption's dry run: removing the holder frees the claim; adding it
 * back (the undo) restores the conflict. */
START_TEST(test_remove_pod_of_the_holder_clears_the_conflict)
{
	struct vworld w;
	setup(&w);
	vw_bound_pod(&w, "node-2", VW_LIST("claim-with-rwop-1"));
	vw_bound_pod(&w, "node-2", VW_LIST("claim-rwo"));
	struct pod *p = vw_pod(&w, VW_LIST("claim-with-rwop-1"));
	struct sched_state state;
	sched_state_init(&state, p, &w.cache);
	state.client = &w.h->actor;
	struct sched_status status;
	sched_status_reset(&status);
	ck_assert_int_eq(sched_volume_restrictions_plugin.pre_filter(&state, p, &status),
			 SCHED_SUCCESS);
	const struct sched_node_info *node = sched_cache_node(&w.cache, "node-2");
	const struct sched_pod_info *holder = sched_cache_pod(&w.cache, "uid-0");
	const struct sched_pod_info *other = sched_cache_pod(&w.cache, "uid-1");
	ck_assert_ptr_nonnull(holder);
	/* Removing a pod that does not use the claim changes nothing. */
	sched_volume_restrictions_plugin.remove_pod(&state, p, other, node);
	ck_assert_int_eq(sched_volume_restrictions_plugin.filter(&state, p, node, &status),
			 SCHED_UNSCHEDULABLE);
	sched_volume_restrictions_plugin.remove_pod(&state, p, holder, node);
	sched_status_reset(&status);
	ck_assert_int_eq(sched_volume_restrictions_plugin.filter(&state, p, node, &status),
			 SCHED_SUCCESS);
	sched_volume_restrictions_plugin.add_pod(&state, p, holder, node);
	ck_assert_int_eq(sched_volume_restrictions_plugin.filter(&state, p, node, &status),
			 SCHED_UNSCHEDULABLE);
	sched_state_release(&state);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_holder_in_another_namespace_is_no_conflict)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	setup(&w);
	struct pod *other = vw_pod(&w, VW_LIST("claim-with-rwop-1"));
	free(other->obj.meta.namespace);
	other->obj.meta.namespace = xstrdup("team-b");
	other->spec.node_name = xstrdup("node-1");
	sched_cache_add_pod(&w.cache, other);
	object_unref(&other->obj);
	struct pod *p = vw_pod(&w, VW_LIST("claim-with-rwop-1"));
	ck_assert_int_eq(vw_run(&w, &sched_volume_restrictions_plugin, p, "node-1", &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	ck_assert_int_eq(pre, SCHED_SKIP);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

Suite *sched_volume_restrictions_suite(void)
{
	Suite *s = suite_create("sched_volume_restrictions");
	TCase *tc = tcase_create("rwop");
	tcase_add_test(tc, test_pod_without_claims_is_skipped);
	tcase_add_test(tc, test_missing_claim_fails_prefilter_unresolvably);
	tcase_add_test(tc, test_rwop_claim_nobody_uses_is_skipped);
	tcase_add_test(tc, test_rwop_claim_in_use_fails_every_node_preemptibly);
	tcase_add_test(tc, test_rwo_claim_in_use_is_no_conflict);
	tcase_add_test(tc, test_remove_pod_of_the_holder_clears_the_conflict);
	tcase_add_test(tc, test_holder_in_another_namespace_is_no_conflict);
	suite_add_tcase(s, tc);
	return s;
}
