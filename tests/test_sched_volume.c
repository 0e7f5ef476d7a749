/* test_sched_volume.c - the VolumeBinding and VolumeZone scheduler plugins
 * and VolumeBinding's PreBind.
 *
 * Claims, volumes and classes live in a store (the plugins read them
 * through the scheduler's client); nodes in a scheduler cache.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_harness.h"
#include "ctrl_volume_util.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"

Suite *sched_volume_suite(void);

struct world {
	struct harness *h;
	struct sched_cache cache;
};

static void push_string(void *list, const char *value)
{
	struct list_any *l = list;
	l->items = xrealloc(l->items, (l->len + 1) * sizeof(char *));
	((char **)l->items)[l->len++] = xstrdup(value);
}

static void world_init(struct world *w)
{
	w->h = h_new(0);
	sched_cache_init(&w->cache);
}

static void world_release(struct world *w)
{
	sched_cache_release(&w->cache);
	h_free(w->h);
}

static void add_node(struct world *w, const char *name, const char *zone)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	n->obj.meta.uid = xstrdup(name);
	strmap_set(&n->obj.meta.labels, "kubernetes.io/hostname", name);
	if (zone)
		strmap_set(&n->obj.meta.labels, "topology.kubernetes.io/zone", zone);
	sched_cache_set_node(&w->cache, n);
	object_unref(&n->obj);
}

static void add_class(struct world *w, const char *name, const char *provisioner,
		      const char *mode, const char *allowed_zone)
{
	struct storage_class *sc = (struct storage_class *)object_new(&storage_class_kind);
	sc->obj.meta.name = xstrdup(name);
	sc->provisioner = xstrdup(provisioner);
	sc->volume_binding_mode = xstrdup(mode);
	if (allowed_zone) {
		sc->allowed_topologies.items = xcalloc(1, sizeof(struct topology_selector_term));
		sc->allowed_topologies.len = 1;
		struct topology_selector_term *t = &sc->allowed_topologies.items[0];
		t->match_label_expressions.items =
			xcalloc(1, sizeof(struct topology_selector_requirement));
		t->match_label_expressions.len = 1;
		t->match_label_expressions.items[0].key = xstrdup("topology.kubernetes.io/zone");
		push_string(&t->match_label_expressions.items[0].values, allowed_zone);
	}
	h_default(&sc->obj);
	h_create(w->h, &sc->obj);
}

/* A volume of class, reachable only where key=value (key NULL: anywhere),
 * optionally with a zone label value. */
static void add_volume(struct world *w, const char *name, const char *class,
		       const char *key, const char *value, const char *zone_label)
{
	struct persistent_volume *pv =
		(struct persistent_volume *)object_new(&persistent_volume_kind);
	pv->obj.meta.name = xstrdup(name);
	struct quantity q;
	quantity_parse("10Gi", &q, NULL);
	resource_list_set(&pv->spec.capacity, "storage", &q);
	push_string(&pv->spec.access_modes, "ReadWriteOnce");
	pv->spec.storage_class_name = xstrdup(class);
	if (key) {
		struct node_selector *ns = &pv->spec.node_affinity.required;
		ns->node_selector_terms.items = xcalloc(1, sizeof(struct node_selector_term));
		ns->node_selector_terms.len = 1;
		struct node_selector_term *t = &ns->node_selector_terms.items[0];
		t->match_expressions.items = xcalloc(1, sizeof(struct selector_requirement_spec));
		t->match_expressions.len = 1;
		t->match_expressions.items[0].key = xstrdup(key);
		t->match_expressions.items[0].operator = xstrdup("In");
		push_string(&t->match_expressions.items[0].values, value);
	}
	if (zone_label)
		strmap_set(&pv->obj.meta.labels, "topology.kubernetes.io/zone", zone_label);
	h_default(&pv->obj);
	h_create(w->h, &pv->obj);
}

/* A claim of class; bound to volume unless NULL. */
static void add_claim(struct world *w, const char *name, const char *class,
		      const char *volume)
{
	struct persistent_volume_claim *pvc =
		(struct persistent_volume_claim *)object_new(&persistent_volume_claim_kind);
	pvc->obj.meta.name = xstrdup(name);
	pvc->obj.meta.namespace = xstrdup("default");
	struct quantity q;
	quantity_parse("1Gi", &q, NULL);
	resource_list_set(&pvc->spec.resources.requests, "storage", &q);
	push_string(&pvc->spec.access_modes, "ReadWriteOnce");
	pvc->spec.storage_class_name = xstrdup(class);
	if (volume)
		pvc->spec.volume_name = xstrdup(volume);
	h_default(&pvc->obj);
	h_create(w->h, &pvc->obj);
}

static struct pod *pod_with_claim(const char *claim_name)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup("db-0");
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xstrdup("uid-db-0");
	if (claim_name) {
		p->spec.volumes.items = xcalloc(1, sizeof(struct volume));
		p->spec.volumes.len = 1;
		p->spec.volumes.items[0].name = xstrdup("data");
		p->spec.volumes.items[0].persistent_volume_claim.claim_name = xstrdup(claim_name);
	}
	return p;
}

/* PreFilter then Filter of plugin on node; *reason gets the first reason
 * (static storage), or "" on success. */
static enum sched_code run(struct world *w, const struct sched_plugin *pl,
			   const struct pod *pod, const char *node, char *reason, size_t size)
{
	struct sched_state state;
	sched_state_init(&state, pod, &w->cache);
	state.client = &w->h->actor;
	struct sched_status status;
	sched_status_reset(&status);
	enum sched_code code = pl->pre_filter(&state, pod, &status);
	if (code == SCHED_SKIP) {
		code = SCHED_SUCCESS;
	} else if (code == SCHED_SUCCESS) {
		sched_status_reset(&status);
		code = pl->filter(&state, pod, sched_cache_node(&w->cache, node), &status);
	}
	snprintf(reason, size, "%s", status.reasons_len ? status.reasons[0] : "");
	sched_state_release(&state);
	return code;
}

#define RUN(w, pl, pod, node) run((w), (pl), (pod), (node), reason, sizeof(reason))

/* ---- VolumeBinding -------------------------------------------------------- */

START_TEST(test_pod_without_claims_passes_everywhere)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-1", "zone-a");
	struct pod *p = pod_with_claim(NULL);
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-1"), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_unbound_immediate_claim_makes_the_pod_unschedulable)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-1", "zone-a");
	add_class(&w, "fast", "disk.csi.kubelab.io", "Immediate", NULL);
	add_claim(&w, "data", "fast", NULL);
	struct pod *p = pod_with_claim("data");
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-1"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "pod has unbound immediate PersistentVolumeClaims");
	object_unref(&p->obj);
	struct pod *missing = pod_with_claim("nope");
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, missing, "worker-1"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "persistentvolumeclaim \"nope\" not found");
	object_unref(&missing->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_bound_volume_node_affinity_limits_the_nodes)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-a", "zone-a");
	add_node(&w, "worker-b", "zone-b");
	add_volume(&w, "pv-a", "fast", "topology.kubernetes.io/zone", "zone-a", NULL);
	add_claim(&w, "data", "fast", "pv-a");
	struct pod *p = pod_with_claim("data");
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-a"), SCHED_SUCCESS);
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-b"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "node(s) had volume node affinity conflict");
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_delayed_claim_needs_a_reachable_volume_or_a_provisioner)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-1", NULL);
	add_node(&w, "worker-2", NULL);
	add_class(&w, "local", NO_PROVISIONER, "WaitForFirstConsumer", NULL);
	add_claim(&w, "data", "local", NULL);
	struct pod *p = pod_with_claim("data");
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-1"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "node(s) didn't find available persistent volumes to bind");
	/* A local volume on worker-2's disk. */
	add_volume(&w, "local-2", "local", "kubernetes.io/hostname", "worker-2", NULL);
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-1"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-2"), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

START_TEST(test_provisioner_with_allowed_topologies_limits_the_nodes)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-a", "zone-a");
	add_node(&w, "worker-b", "zone-b");
	add_class(&w, "zonal", "disk.csi.kubelab.io", "WaitForFirstConsumer", "zone-b");
	add_claim(&w, "data", "zonal", NULL);
	struct pod *p = pod_with_claim("data");
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-a"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_int_eq(RUN(&w, &sched_volume_binding_plugin, p, "worker-b"), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* PreFilter, then PreBind on node, as the binding cycle runs them. */
static void pre_bind(struct world *w, const struct pod *pod, const char *node)
{
	struct sched_state state;
	sched_state_init(&state, pod, &w->cache);
	state.client = &w->h->actor;
	struct sched_status status;
	sched_status_reset(&status);
	sched_volume_binding_plugin.pre_filter(&state, pod, &status);
	sched_status_reset(&status);
	ck_assert_int_eq(sched_volume_binding_plugin.pre_bind(&state, pod, node, &status),
			 SCHED_SUCCESS);
	sched_state_release(&state);
}

START_TEST(test_pre_bind_annotates_only_delayed_unbound_claims)
{
	struct world w;
	world_init(&w);
	add_class(&w, "zonal", "disk.csi.kubelab.io", "WaitForFirstConsumer", NULL);
	add_class(&w, "fast", "disk.csi.kubelab.io", "Immediate", NULL);
	add_claim(&w, "wffc", "zonal", NULL);
	add_claim(&w, "immediate", "fast", NULL);
	struct pod *p = pod_with_claim("wffc");
	pre_bind(&w, p, "worker-2");
	const struct object *c = h_get(w.h, KIND_PERSISTENTVOLUMECLAIM, "default", "wffc");
	ck_assert_str_eq(strmap_get(&c->meta.annotations, ANN_SELECTED_NODE), "worker-2");
	object_unref(&p->obj);
	p = pod_with_claim("immediate");
	pre_bind(&w, p, "worker-2");
	c = h_get(w.h, KIND_PERSISTENTVOLUMECLAIM, "default", "immediate");
	ck_assert_ptr_null(strmap_get(&c->meta.annotations, ANN_SELECTED_NODE));
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

/* ---- VolumeZone ----------------------------------------------------------- */

START_TEST(test_volume_zone_label_must_match_the_nodes_zone)
{
	struct world w;
	char reason[256];
	world_init(&w);
	add_node(&w, "worker-a", "zone-a");
	add_node(&w, "worker-b", "zone-b");
	add_node(&w, "worker-c", "zone-c");
	add_node(&w, "no-zone", NULL);
	add_volume(&w, "pv-ab", "fast", NULL, NULL, "zone-a__zone-b");
	add_claim(&w, "data", "fast", "pv-ab");
	struct pod *p = pod_with_claim("data");
	ck_assert_int_eq(RUN(&w, &sched_volume_zone_plugin, p, "worker-a"), SCHED_SUCCESS);
	ck_assert_int_eq(RUN(&w, &sched_volume_zone_plugin, p, "worker-b"), SCHED_SUCCESS);
	ck_assert_int_eq(RUN(&w, &sched_volume_zone_plugin, p, "worker-c"),
			 SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE);
	ck_assert_str_eq(reason, "node(s) had no available volume zone");
	ck_assert_int_eq(RUN(&w, &sched_volume_zone_plugin, p, "no-zone"), SCHED_SUCCESS);
	object_unref(&p->obj);
	world_release(&w);
}
END_TEST

Suite *sched_volume_suite(void)
{
	Suite *s = suite_create("sched_volume");
	TCase *tc = tcase_create("volume_binding");
	tcase_add_test(tc, test_pod_without_claims_passes_everywhere);
	tcase_add_test(tc, test_unbound_immediate_claim_makes_the_pod_unschedulable);
	tcase_add_test(tc, test_bound_volume_node_affinity_limits_the_nodes);
	tcase_add_test(tc, test_delayed_claim_needs_a_reachable_volume_or_a_provisioner);
	tcase_add_test(tc, test_provisioner_with_allowed_topologies_limits_the_nodes);
	tcase_add_test(tc, test_pre_bind_annotates_only_delayed_unbound_claims);
	suite_add_tcase(s, tc);
	tc = tcase_create("volume_zone");
	tcase_add_test(tc, test_volume_zone_label_must_match_the_nodes_zone);
	suite_add_tcase(s, tc);
	return s;
}
