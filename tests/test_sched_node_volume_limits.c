/* test_sched_node_volume_limits.c - the NodeVolumeLimits plugin (CSI
 * attach limits).
 *
 * The table is upstream's csi_test.go TestCSILimits (the cases kubelab
 * can express: no in-tree migration, no ephemeral volumes), with its
 * fixtures: claims "csi-DRIVER-J" bound to volumes of that name and driver;
 * "csi-4" unbound with class csi-sc (provisioner: the EBS driver); "csi-5"
 * with no class; "csi-6" with class csi-sc and a volume that does not
 * exist. The node's VolumeAttachments are its status.volumesAttached.
 */
#include "sched_volume_fixture.h"

Suite *sched_node_volume_limits_suite(void);

#define EBS "ebs.csi.aws.com"
#define GCE "pd.csi.storage.gke.io"
#define NODE "node-for-max-pd-test-1"
#define REASON "node(s) exceed max volume count"

enum limit_source { CSINODE, CSINODE_NO_LIMIT, NO_CSINODE };

struct limits_case {
	const char *name;
	const char *const *new_pod;		/* its claims */
	const char *const *existing[3];		/* claims of pods on the node */
	int64_t max_vols;
	enum limit_source source;
	bool with_gce;				/* CSINode lists the GCE driver too */
	int attached;				/* VolumeAttachments of EBS volumes */
	enum sched_code want;
};

#define ONE_VOL VW_LIST("csi-" EBS "-0")
#define TWO_VOL VW_LIST("csi-" EBS "-1", "csi-" EBS "-2")
#define RUNNING VW_LIST("csi-" EBS "-3")
#define PENDING VW_LIST("csi-4")
#define NO_SC VW_LIST("csi-5")
#define MISSING_PV VW_LIST("csi-6")
#define GCE_TWO VW_LIST("csi-" GCE "-1", "csi-" GCE "-2")

static const struct limits_case cases[] = {
	{ "should count VolumeAttachments towards volume limit when no pods exist",
	  ONE_VOL, { 0 }, 2, CSINODE, false, 2, SCHED_UNSCHEDULABLE },
	{ "should schedule pod when VolumeAttachments count does not exceed limit",
	  ONE_VOL, { 0 }, 2, CSINODE, false, 1, SCHED_SUCCESS },
	{ "fits when node volume limit >= new pods CSI volume",
	  ONE_VOL, { RUNNING, TWO_VOL }, 4, CSINODE, false, 0, SCHED_SUCCESS },
	{ "doesn't when node volume limit <= pods CSI volume",
	  ONE_VOL, { RUNNING, TWO_VOL }, 2, CSINODE, false, 0, SCHED_UNSCHEDULABLE },
	{ "should when driver does not support volume limits",
	  ONE_VOL, { RUNNING, TWO_VOL }, 2, CSINODE_NO_LIMIT, false, 0, SCHED_SUCCESS },
	{ "count pending PVCs towards volume limit <= pods CSI volume",
	  ONE_VOL, { PENDING, TWO_VOL }, 2, CSINODE, false, 0, SCHED_UNSCHEDULABLE },
	{ "count multiple pending pvcs towards volume limit >= pods CSI volume",
	  ONE_VOL, { PENDING, PENDING, TWO_VOL }, 4, CSINODE, false, 0, SCHED_SUCCESS },
	{ "should count PVCs with invalid PV name but valid SC",
	  ONE_VOL, { MISSING_PV, TWO_VOL }, 2, CSINODE, false, 0, SCHED_UNSCHEDULABLE },
	{ "don't count pvcs with missing SC towards volume limit",
	  ONE_VOL, { RUNNING, NO_SC }, 2, CSINODE, false, 0, SCHED_SUCCESS },
	{ "count pvcs with the same type towards volume limit",
	  ONE_VOL, { GCE_TWO, TWO_VOL }, 2, CSINODE, true, 0, SCHED_UNSCHEDULABLE },
	{ "don't count pvcs with different type towards volume limit",
	  GCE_TWO, { TWO_VOL, RUNNING }, 2, CSINODE, true, 0, SCHED_SUCCESS },
	{ "no CSINode: no limit",
	  ONE_VOL, { RUNNING, TWO_VOL }, 2, NO_CSINODE, false, 0, SCHED_SUCCESS },
	/* kubelab's own: a volume already on the node takes no new slot. */
	{ "a volume a pod on the node already uses is not counted twice",
	  TWO_VOL, { TWO_VOL }, 2, CSINODE, false, 0, SCHED_SUCCESS },
	/* As upstream's first case: the pod's volumes are matched against
	 * the pods' volumes only, then the attachments are added; an
	 * attachment of the pod's own volume (its old pod gone, the detach
	 * not done) takes a slot of its own. */
	{ "an attachment of the pod's own volume still takes a slot",
	  ONE_VOL, { TWO_VOL }, 3, CSINODE, false, 3, SCHED_UNSCHEDULABLE },
	{ "attachments of the pods' volumes count once",
	  ONE_VOL, { TWO_VOL }, 3, CSINODE, false, 0, SCHED_SUCCESS },
};

static void fixtures(struct vworld *w)
{
	const char *drivers[] = { EBS, GCE };
	for (size_t d = 0; d < 2; d++) {
		for (int j = 0; j < 4; j++) {
			char *name = xasprintf("csi-%s-%d", drivers[d], j);
			vw_volume(w, name, drivers[d]);
			vw_claim(w, name, NULL, name, "ReadWriteOnce");
			free(name);
		}
	}
	vw_class(w, "csi-sc", EBS);
	vw_claim(w, "csi-4", "csi-sc", NULL, "ReadWriteOnce");
	vw_claim(w, "csi-5", NULL, NULL, "ReadWriteOnce");
	vw_claim(w, "csi-6", "csi-sc", "missing-in-action", "ReadWriteOnce");
}

START_TEST(test_csi_limits_table)
{
	const struct limits_case *tc = &cases[_i];
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	vw_init(&w);
	fixtures(&w);
	/* As upstream's fake VolumeAttachments: va-J attaches volume
	 * csi-EBS-J, the same volumes the pods use. */
	char *attached[5] = { 0 };
	for (int j = 0; j < tc->attached; j++)
		attached[j] = xasprintf("kubernetes.io/csi/%s^csi-%s-%d", EBS, EBS, j);
	vw_node(&w, NODE, (const char *const *)attached);
	for (int j = 0; j < tc->attached; j++)
		free(attached[j]);
	if (tc->source != NO_CSINODE)
		vw_csi_node(&w, NODE, tc->source == CSINODE ? tc->max_vols : -1,
			    tc->with_gce ? VW_LIST(EBS, GCE) : VW_LIST(EBS));
	for (size_t i = 0; i < 3 && tc->existing[i]; i++)
		vw_bound_pod(&w, NODE, tc->existing[i]);
	struct pod *p = vw_pod(&w, tc->new_pod);
	enum sched_code got = vw_run(&w, &sched_node_volume_limits_plugin, p, NODE, &pre,
				     reason, sizeof(reason));
	ck_assert_msg(got == tc->want, "%s: got %s", tc->name, sched_code_name(got));
	ck_assert_int_eq(pre, SCHED_SUCCESS);
	if (tc->want == SCHED_UNSCHEDULABLE)
		ck_assert_str_eq(reason, REASON);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_pod_without_claims_is_skipped)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	vw_init(&w);
	vw_node(&w, NODE, NULL);
	vw_csi_node(&w, NODE, 0, VW_LIST(EBS));
	struct pod *p = vw_pod(&w, NULL);
	ck_assert_int_eq(vw_run(&w, &sched_node_volume_limits_plugin, p, NODE, &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	ck_assert_int_eq(pre, SCHED_SKIP);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

/* Upstream's "volume unbound, exceeds limit" with maxVols 0. */
START_TEST(test_zero_count_admits_no_volume)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	vw_init(&w);
	fixtures(&w);
	vw_node(&w, NODE, NULL);
	vw_csi_node(&w, NODE, 0, VW_LIST(EBS));
	struct pod *p = vw_pod(&w, PENDING);
	ck_assert_int_eq(vw_run(&w, &sched_node_volume_limits_plugin, p, NODE, &pre,
				reason, sizeof(reason)), SCHED_UNSCHEDULABLE);
	ck_assert_str_eq(reason, REASON);
	object_unref(&p->obj);
	/* A claim without a class counts nothing, so it fits. */
	p = vw_pod(&w, NO_SC);
	ck_assert_int_eq(vw_run(&w, &sched_node_volume_limits_plugin, p, NODE, &pre,
				reason, sizeof(reason)), SCHED_SUCCESS);
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

START_TEST(test_missing_claim_of_the_new_pod_is_unresolvable)
{
	struct vworld w;
	char reason[256];
	enum sched_code pre;
	vw_init(&w);
	vw_node(&w, NODE, NULL);
	vw_csi_node(&w, NODE, 2, VW_LIST(EBS));
	struct pod *p = vw_pod(&w, VW_LIST("nope"));
	ck_assert_int_eq(vw_run(&w, &sched_node_volume_limits_plugin, p, NODE, &pre,
				reason, sizeof(reason)), SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "looking up PVC default/nope: "
			 "persistentvolumeclaim \"nope\" not found");
	object_unref(&p->obj);
	vw_release(&w);
}
END_TEST

Suite *sched_node_volume_limits_suite(void)
{
	Suite *s = suite_create("sched_node_volume_limits");
	TCase *tc = tcase_create("csi");
	tcase_add_loop_test(tc, test_csi_limits_table, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_pod_without_claims_is_skipped);
	tcase_add_test(tc, test_zero_count_admits_no_volume);
	tcase_add_test(tc, test_missing_claim_of_the_new_pod_is_unresolvable);
	suite_add_tcase(s, tc);
	return s;
}
