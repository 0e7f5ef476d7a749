/* test_ctrl_persistentvolume.c - the PV controller (binding, provisioning,
 * WaitForFirstConsumer, reclaim) and the attach-detach controller
 * (attach, Multi-Attach, detach after unmount, out-of-service taint).
 *
 * The test plays the scheduler (the selected-node annotation, nodeName)
 * and the kubelet (Node objects and their volumesInUse).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_volume_util.h"

Suite *ctrl_persistentvolume_suite(void);

static void set_quantity(struct resource_list *list, const char *name, const char *text)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(text, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

static void push_string(void *list, const char *value)
{
	struct list_any *l = list;
	l->items = xrealloc(l->items, (l->len + 1) * sizeof(char *));
	((char **)l->items)[l->len++] = xstrdup(value);
}

static void add_class(struct harness *h, const char *name, const char *provisioner,
		      const char *mode, const char *reclaim, bool is_default)
{
	struct storage_class *sc = (struct storage_class *)object_new(&storage_class_kind);
	sc->obj.meta.name = xstrdup(name);
	if (provisioner)
		sc->provisioner = xstrdup(provisioner);
	sc->volume_binding_mode = xstrdup(mode);
	sc->reclaim_policy = xstrdup(reclaim);
	if (is_default)
		strmap_set(&sc->obj.meta.annotations, ANN_DEFAULT_CLASS, "true");
	h_default(&sc->obj);
	h_create(h, &sc->obj);
}

static void add_volume(struct harness *h, const char *name, const char *size,
		       const char *class, const char *reclaim)
{
	struct persistent_volume *pv =
		(struct persistent_volume *)object_new(&persistent_volume_kind);
	pv->obj.meta.name = xstrdup(name);
	set_quantity(&pv->spec.capacity, "storage", size);
	push_string(&pv->spec.access_modes, "ReadWriteOnce");
	pv->spec.storage_class_name = xstrdup(class);
	pv->spec.persistent_volume_reclaim_policy = xstrdup(reclaim);
	h_default(&pv->obj);
	h_create(h, &pv->obj);
}

static void add_claim(struct harness *h, const char *name, const char *size,
		      const char *class)
{
	struct persistent_volume_claim *pvc =
		(struct persistent_volume_claim *)object_new(&persistent_volume_claim_kind);
	pvc->obj.meta.name = xstrdup(name);
	pvc->obj.meta.namespace = xstrdup("default");
	set_quantity(&pvc->spec.resources.requests, "storage", size);
	push_string(&pvc->spec.access_modes, "ReadWriteOnce");
	if (class)
		pvc->spec.storage_class_name = xstrdup(class);
	h_default(&pvc->obj);
	h_create(h, &pvc->obj);
}

static const struct persistent_volume_claim *claim(struct harness *h, const char *name)
{
	const struct object *obj = h_get(h, KIND_PERSISTENTVOLUMECLAIM, "default", name);
	return obj ? (const struct persistent_volume_claim *)obj : NULL;
}

static const struct persistent_volume *volume(struct harness *h, const char *name)
{
	const struct object *obj = h_get(h, KIND_PERSISTENTVOLUME, NULL, name);
	return obj ? (const struct persistent_volume *)obj : NULL;
}

static void delete_object(struct harness *h, enum kind_id kind, const char *ns,
			  const char *name, int64_t grace)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.grace_period_seconds = grace;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, kind, ns, name, &options, &status), API_OK);
}

static void annotate_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.annotations, ANN_SELECTED_NODE, arg);
}

/* ---- binding ------------------------------------------------------------- */

START_TEST(test_claim_binds_the_smallest_available_volume_that_fits)
{
	struct harness *h = h_new(0);
	h_start(h, "persistentvolume-controller");
	add_volume(h, "pv-20", "20Gi", "manual", "Retain");
	add_volume(h, "pv-5", "5Gi", "manual", "Retain");
	add_volume(h, "pv-10", "10Gi", "manual", "Retain");
	add_volume(h, "pv-other", "8Gi", "fast", "Retain");	/* another class */
	h_run_for(h, S);
	ck_assert_str_eq(volume(h, "pv-10")->status.phase, "Available");
	add_claim(h, "data", "8Gi", "manual");
	h_run_for(h, S);
	const struct persistent_volume_claim *pvc = claim(h, "data");
	ck_assert_str_eq(pvc->spec.volume_name, "pv-10");
	ck_assert_str_eq(pvc->status.phase, "Bound");
	ck_assert_int_eq(quantity_value(resource_list_get(&pvc->status.capacity, "storage")),
			 10LL << 30);
	ck_assert_str_eq(strmap_get(&pvc->obj.meta.annotations, ANN_BIND_COMPLETED), "yes");
	const struct persistent_volume *pv = volume(h, "pv-10");
	ck_assert_str_eq(pv->status.phase, "Bound");
	ck_assert_str_eq(pv->spec.claim_ref.name, "data");
	ck_assert_str_eq(pv->spec.claim_ref.uid, pvc->obj.meta.uid);
	ck_assert_str_eq(volume(h, "pv-other")->status.phase, "Available");
	ck_assert_str_eq(volume(h, "pv-5")->status.phase, "Available");
	h_free(h);
}
END_TEST

START_TEST(test_claim_without_class_or_volume_stays_pending_with_failed_binding)
{
	struct harness *h = h_new(0);
	h_start(h, "persistentvolume-controller");
	add_claim(h, "data", "1Gi", "");
	h_run_for(h, S);
	ck_assert_str_eq(claim(h, "data")->status.phase, "Pending");
	ck_assert_uint_ge(h_count_events(h, "FailedBinding",
					 "no persistent volumes available for this claim "
					 "and no storage class is set"), 1);
	h_free(h);
}
END_TEST

/* ---- provisioning and reclaim -------------------------------------------- */

START_TEST(test_claim_without_class_gets_the_default_and_a_provisioned_volume)
{
	struct harness *h = h_new(0);
	h_start(h, "persistentvolume-controller");
	add_class(h, "standard", "disk.csi.kubelab.io", "Immediate", "Delete", true);
	add_claim(h, "data", "3Gi", NULL);
	h_run_for(h, S);
	const struct persistent_volume_claim *pvc = claim(h, "data");
	ck_assert_str_eq(pvc->spec.storage_class_name, "standard");
	ck_assert_str_eq(pvc->status.phase, "Bound");
	char *want = xasprintf("pvc-%s", pvc->obj.meta.uid);
	ck_assert_str_eq(pvc->spec.volume_name, want);
	ck_assert_str_eq(strmap_get(&pvc->obj.meta.annotations, ANN_STORAGE_PROVISIONER),
			 "disk.csi.kubelab.io");
	const struct persistent_volume *pv = volume(h, want);
	ck_assert_ptr_nonnull(pv);
	ck_assert_str_eq(pv->status.phase, "Bound");
	ck_assert_str_eq(pv->spec.persistent_volume_reclaim_policy, "Delete");
	ck_assert_str_eq(pv->spec.csi.driver, "disk.csi.kubelab.io");
	char *msg = xasprintf("Successfully provisioned volume %s using disk.csi.kubelab.io",
			      want);
	ck_assert_uint_eq(h_count_events(h, "ProvisioningSucceeded", msg), 1);
	/* reclaimPolicy Delete: the volume goes with its claim. */
	delete_object(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data", -1);
	h_run_for(h, S);
	ck_assert_ptr_null(volume(h, want));
	free(msg);
	free(want);
	h_free(h);
}
END_TEST

START_TEST(test_retained_volume_is_released_and_kept_when_its_claim_goes)
{
	struct harness *h = h_new(0);
	h_start(h, "persistentvolume-controller");
	add_volume(h, "pv-1", "1Gi", "manual", "Retain");
	add_claim(h, "data", "1Gi", "manual");
	h_run_for(h, S);
	ck_assert_str_eq(volume(h, "pv-1")->status.phase, "Bound");
	delete_object(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data", -1);
	h_run_for(h, S);
	ck_assert_str_eq(volume(h, "pv-1")->status.phase, "Released");
	/* A new claim of the same name does not get the released volume. */
	add_claim(h, "data", "1Gi", "manual");
	h_run_for(h, S);
	ck_assert_str_eq(claim(h, "data")->status.phase, "Pending");
	h_free(h);
}
END_TEST

START_TEST(test_wait_for_first_consumer_provisions_in_the_selected_nodes_zone)
{
	struct harness *h = h_new(0);
	h_start(h, "persistentvolume-controller");
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup("worker-1");
	strmap_set(&n->obj.meta.labels, "topology.kubernetes.io/zone", "zone-b");
	h_create(h, &n->obj);
	add_class(h, "zonal", "disk.csi.kubelab.io", "WaitForFirstConsumer", "Delete", false);
	add_claim(h, "data", "1Gi", "zonal");
	h_run_for(h, 10 * S);
	ck_assert_str_eq(claim(h, "data")->status.phase, "Pending");
	ck_assert_uint_ge(h_count_events(h, "WaitForFirstConsumer",
					 "waiting for first consumer to be created before "
					 "binding"), 1);
	ck_assert_uint_eq(h_count_events(h, "ProvisioningSucceeded", NULL), 0);
	/* The scheduler chose worker-1 for the claim's first pod. */
	h_update(h, KIND_PERSISTENTVOLUMECLAIM, "default", "data", annotate_fn,
		 (void *)"worker-1", false);
	h_run_for(h, S);
	const struct persistent_volume_claim *pvc = claim(h, "data");
	ck_assert_str_eq(pvc->status.phase, "Bound");
	const struct persistent_volume *pv = volume(h, pvc->spec.volume_name);
	const struct node_selector *ns = &pv->spec.node_affinity.required;
	ck_assert_uint_eq(ns->node_selector_terms.len, 1);
	const struct selector_requirement_spec *req =
		&ns->node_selector_terms.items[0].match_expressions.items[0];
	ck_assert_str_eq(req->key, "topology.kubernetes.io/zone");
	ck_assert_str_eq(req->operator, "In");
	ck_assert_str_eq(req->values.items[0], "zone-b");
	h_free(h);
}
END_TEST

/* ---- attach and detach --------------------------------------------------- */

static void add_node(struct harness *h, const char *name, bool ready)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	struct condition *c = xcalloc(1, sizeof(*c));
	c->type = xstrdup("Ready");
	c->status = xstrdup(ready ? "True" : "Unknown");
	n->status.conditions.items = c;
	n->status.conditions.len = 1;
	h_create(h, &n->obj);
}

static void add_pod(struct harness *h, const char *name, const char *claim_name,
		    const char *node)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->spec.containers.items = xcalloc(1, sizeof(struct container));
	p->spec.containers.len = 1;
	p->spec.containers.items[0].name = xstrdup("db");
	p->spec.containers.items[0].image = xstrdup("db:1");
	p->spec.volumes.items = xcalloc(1, sizeof(struct volume));
	p->spec.volumes.len = 1;
	p->spec.volumes.items[0].name = xstrdup("data");
	p->spec.volumes.items[0].persistent_volume_claim.claim_name = xstrdup(claim_name);
	p->spec.node_name = xstrdup(node);
	h_default(&p->obj);
	h_create(h, &p->obj);
}

static size_t attached(struct harness *h, const char *node)
{
	const struct node *n = (const struct node *)h_get(h, KIND_NODE, NULL, node);
	return n->status.volumes_attached.len;
}

static void in_use_fn(struct object *obj, void *arg)
{
	struct node *n = (struct node *)obj;
	push_string(&n->status.volumes_in_use, arg);
}

static void out_of_service_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct node *n = (struct node *)obj;
	n->spec.taints.items = xcalloc(1, sizeof(struct taint));
	n->spec.taints.len = 1;
	n->spec.taints.items[0].key = xstrdup(TAINT_NODE_OUT_OF_SERVICE);
	n->spec.taints.items[0].value = xstrdup("nodeshutdown");
	n->spec.taints.items[0].effect = xstrdup("NoExecute");
}

/* Two nodes, a provisioned RWO volume bound to claim "data", pod db-0 on
 * worker-1 using it; returns the volume's unique name (caller frees). */
static char *attached_cluster(struct harness *h, bool worker1_ready)
{
	h_start(h, "persistentvolume-controller");
	h_start(h, "attachdetach-controller");
	add_node(h, "worker-1", worker1_ready);
	add_node(h, "worker-2", true);
	add_class(h, "standard", "disk.csi.kubelab.io", "Immediate", "Delete", false);
	add_claim(h, "data", "1Gi", "standard");
	h_run_for(h, S);
	add_pod(h, "db-0", "data", "worker-1");
	h_run_for(h, S);
	const struct persistent_volume_claim *pvc = claim(h, "data");
	return ctrl_volume_unique_name(volume(h, pvc->spec.volume_name));
}

START_TEST(test_rwo_volume_in_use_elsewhere_gives_a_multi_attach_error)
{
	struct harness *h = h_new(0);
	char *unique = attached_cluster(h, true);
	ck_assert_uint_eq(attached(h, "worker-1"), 1);
	ck_assert_uint_eq(h_count_events(h, "SuccessfulAttachVolume", NULL), 1);
	h_update(h, KIND_NODE, NULL, "worker-1", in_use_fn, unique, true);
	/* A second pod elsewhere wants the same ReadWriteOnce volume. */
	add_pod(h, "db-1", "data", "worker-2");
	h_run_for(h, S);
	ck_assert_uint_eq(attached(h, "worker-2"), 0);
	const struct h_event *e = h_find_event(h, "FailedAttachVolume", NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->object, "db-1");
	ck_assert_ptr_nonnull(strstr(e->message, "Volume is already used by pod(s) db-0"));
	/* db-0 goes; the volume stays attached while worker-1 has it mounted. */
	delete_object(h, KIND_POD, "default", "db-0", 0);
	h_run_for(h, 10 * S);
	ck_assert_uint_eq(attached(h, "worker-1"), 1);
	ck_assert_uint_eq(attached(h, "worker-2"), 0);
	h_free(h);
	free(unique);
}
END_TEST

static void clear_in_use_fn(struct object *obj, void *arg)
{
	(void)arg;
	struct node *n = (struct node *)obj;
	for (size_t i = 0; i < n->status.volumes_in_use.len; i++)
		free(n->status.volumes_in_use.items[i]);
	free(n->status.volumes_in_use.items);
	n->status.volumes_in_use.items = NULL;
	n->status.volumes_in_use.len = 0;
}

START_TEST(test_volume_is_detached_once_unmounted_and_attached_to_the_new_node)
{
	struct harness *h = h_new(0);
	char *unique = attached_cluster(h, true);
	h_update(h, KIND_NODE, NULL, "worker-1", in_use_fn, unique, true);
	delete_object(h, KIND_POD, "default", "db-0", 0);
	add_pod(h, "db-0", "data", "worker-2");
	h_run_for(h, 30 * S);
	ck_assert_uint_eq(attached(h, "worker-1"), 1);
	ck_assert_uint_eq(attached(h, "worker-2"), 0);
	h_update(h, KIND_NODE, NULL, "worker-1", clear_in_use_fn, NULL, true);
	h_run_for(h, S);
	ck_assert_uint_eq(attached(h, "worker-1"), 0);
	ck_assert_uint_eq(attached(h, "worker-2"), 1);
	h_free(h);
	free(unique);
}
END_TEST

START_TEST(test_dead_node_volume_is_force_detached_after_six_minutes)
{
	struct harness *h = h_new(0);
	char *unique = attached_cluster(h, false);
	h_update(h, KIND_NODE, NULL, "worker-1", in_use_fn, unique, true);
	h_run_for(h, S);
	ktime_t deleted = h_now(h);
	delete_object(h, KIND_POD, "default", "db-0", 0);
	add_pod(h, "db-0", "data", "worker-2");
	h_run_to(h, deleted + 6 * 60 * S - S);
	ck_assert_uint_eq(attached(h, "worker-1"), 1);
	ck_assert_uint_eq(attached(h, "worker-2"), 0);
	h_run_to(h, deleted + 6 * 60 * S + S);
	ck_assert_uint_eq(attached(h, "worker-1"), 0);
	ck_assert_uint_eq(attached(h, "worker-2"), 1);
	h_free(h);
	free(unique);
}
END_TEST

START_TEST(test_out_of_service_taint_detaches_at_once)
{
	struct harness *h = h_new(0);
	char *unique = attached_cluster(h, false);
	h_update(h, KIND_NODE, NULL, "worker-1", in_use_fn, unique, true);
	delete_object(h, KIND_POD, "default", "db-0", 0);
	h_run_for(h, 10 * S);
	ck_assert_uint_eq(attached(h, "worker-1"), 1);
	h_update(h, KIND_NODE, NULL, "worker-1", out_of_service_fn, NULL, false);
	h_run_for(h, S);
	ck_assert_uint_eq(attached(h, "worker-1"), 0);
	h_free(h);
	free(unique);
}
END_TEST

Suite *ctrl_persistentvolume_suite(void)
{
	Suite *s = suite_create("ctrl_persistentvolume");
	TCase *tc = tcase_create("binding");
	tcase_add_test(tc, test_claim_binds_the_smallest_available_volume_that_fits);
	tcase_add_test(tc, test_claim_without_class_or_volume_stays_pending_with_failed_binding);
	tcase_add_test(tc, test_claim_without_class_gets_the_default_and_a_provisioned_volume);
	tcase_add_test(tc, test_retained_volume_is_released_and_kept_when_its_claim_goes);
	tcase_add_test(tc, test_wait_for_first_consumer_provisions_in_the_selected_nodes_zone);
	suite_add_tcase(s, tc);
	tc = tcase_create("attach_detach");
	tcase_add_test(tc, test_rwo_volume_in_use_elsewhere_gives_a_multi_attach_error);
	tcase_add_test(tc, test_volume_is_detached_once_unmounted_and_attached_to_the_new_node);
	tcase_add_test(tc, test_dead_node_volume_is_force_detached_after_six_minutes);
	tcase_add_test(tc, test_out_of_service_taint_detaches_at_once);
	suite_add_tcase(s, tc);
	return s;
}
