/* test_sched_reference.c - the scheduler's decisions against the slow
 * reference (sched_reference.h) on random clusters.
 *
 * K8S: no single counterpart; in the spirit of SQLite's tests of a data
 * structure against a naive copy. The real scheduler is run through its
 * explain hook (sched.h), which describes every attempt: the nodes it
 * examined in order with their Filter verdicts, the score plugins' raw
 * and normalized scores, the totals, the chosen node and its ties. For
 * each attempt the reference, given the store's objects as they are at
 * that moment, must agree on:
 *   - which nodes were examined: the zone-interleaved node list from the
 *     attempt's start index, until numFeasibleNodesToFind were feasible
 *     (or a nominated node alone, when it fits);
 *   - every examined node's verdict: code, rejecting plugin, reasons;
 *   - every scored node's raw and normalized score per plugin, and total
 *     (a plugin kubelab leaves out must be one whose scores are all 0);
 *   - the chosen node: one with the highest total, ties counted.
 *
 * Clusters are random (seeded, sim/prng.h): 20-300 nodes in zones, with
 * labels, taints (NoSchedule, PreferNoSchedule, NoExecute), cordons,
 * extended resources, images, and pods already bound (some with pod
 * anti-affinity or affinity of their own); pending pods come with random
 * requests (init containers and sidecars too), nodeSelectors, required
 * and preferred node affinity, pod affinity and anti-affinity, topology
 * spread constraints, tolerations, host ports, images, and some with a
 * higher priority (preemption, nominated pods). Each seed
 * runs with percentageOfNodesToScore 100 and with the adaptive default
 * (over 100 nodes, so only a sample is examined), and with each of
 * NodeResourcesFit's three scoring strategies.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "prng.h"
#include "sched.h"
#include "sched_reference.h"
#include "store.h"
#include "xmalloc.h"

Suite *sched_reference_suite(void);

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

struct world {
	struct engine *engine;
	struct store *store;
	struct client client;
	struct scheduler *scheduler;
	struct prng rng;
	struct sched_fit_args fit_args;
	struct sched_balanced_args balanced_args;
	bool fit_args_set;
	size_t next_start;		/* K8S: nextStartNodeIndex, as it should be */
	int32_t percentage;
	/* what the comparison saw */
	size_t attempts, scheduled, failed, scored, sampled, nominated;
	char *first_mismatch;		/* owned; NULL while all agree */
	/* The pods as the scheduler has seen them: what the watch has
	 * delivered (this watch was opened before the scheduler's, so it
	 * is never behind it), and the pods the scheduler assumed on a node
	 * whose binding the watch has not shown yet. */
	int watch;
	const struct pod **seen;	/* references */
	size_t seen_len;
	char **assumed_uid, **assumed_node;	/* owned */
	size_t assumed_len;
};

/* ---- building objects ---------------------------------------------------- */

static size_t below(struct world *w, size_t n)
{
	return (size_t)prng_below(&w->rng, n);
}

static bool chance(struct world *w, int percent)
{
	return (int)below(w, 100) < percent;
}

static void set_amount(struct resource_list *list, const char *name, const char *amount)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(amount, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

static void create(struct world *w, struct object *obj)
{
	struct api_status status;
	ck_assert_msg(client_create(&w->client, obj, &status) == API_OK, "%s", status.message);
}

static const char *const zones[] = { "zone-a", "zone-b", "zone-c", "zone-d" };
static const char *const disks[] = { "ssd", "hdd", "nvme" };
static const char *const images[] = { "registry.example/big:1", "registry.example/mid",
				       "nginx:1.25", "busybox", "registry.example/huge:2" };
static const int64_t image_sizes[] = { 600LL << 20, 300LL << 20, 50LL << 20, 5LL << 20,
				       1500LL << 20 };

static void make_node(struct world *w, int i, size_t zones_len)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xasprintf("node-%d", i);
	strmap_set(&n->obj.meta.labels, "kubernetes.io/hostname", n->obj.meta.name);
	if (!chance(w, 5))	/* a few nodes with no zone: a zone of their own */
		strmap_set(&n->obj.meta.labels, "topology.kubernetes.io/zone",
			   zones[below(w, zones_len)]);
	if (chance(w, 70))
		strmap_set(&n->obj.meta.labels, "disktype", disks[below(w, 3)]);
	char tier[8];
	snprintf(tier, sizeof(tier), "%zu", below(w, 10));
	strmap_set(&n->obj.meta.labels, "tier", tier);
	static const char *const cpus[] = { "1", "2", "4", "2", "3500m" };
	static const char *const mems[] = { "2Gi", "4Gi", "8Gi", "4Gi", "6G" };
	set_amount(&n->status.allocatable, "cpu", cpus[below(w, 5)]);
	set_amount(&n->status.allocatable, "memory", mems[below(w, 5)]);
	set_amount(&n->status.allocatable, "pods", chance(w, 10) ? "4" : "110");
	if (chance(w, 30))
		set_amount(&n->status.allocatable, "ephemeral-storage", "20Gi");
	if (chance(w, 20))
		set_amount(&n->status.allocatable, "example.com/gpu", chance(w, 50) ? "1" : "4");
	n->spec.unschedulable = chance(w, 4);
	if (chance(w, 15)) {
		struct taint *t = APPEND(n->spec.taints);
		t->key = xstrdup("dedicated");
		t->value = xstrdup(chance(w, 50) ? "gpu" : "infra");
		t->effect = xstrdup("NoSchedule");
	}
	for (int k = 0; k < 2; k++)
		if (chance(w, 20)) {
			struct taint *t = APPEND(n->spec.taints);
			t->key = xstrdup(k ? "spot" : "old-kernel");
			t->effect = xstrdup("PreferNoSchedule");
		}
	if (chance(w, 3)) {
		struct taint *t = APPEND(n->spec.taints);
		t->key = xstrdup("maintenance");
		t->effect = xstrdup("NoExecute");
	}
	for (size_t k = 0; k < 5; k++)
		if (chance(w, 35)) {
			struct container_image *img = APPEND(n->status.images);
			*APPEND(img->names) = xstrdup(images[k]);
			img->size_bytes = image_sizes[k];
		}
	create(w, &n->obj);
}

static void add_requests(struct world *w, struct container *c, bool big)
{
	static const char *const cpus[] = { "100m", "250m", "500m", "1", "1500m", "2" };
	static const char *const mems[] = { "64Mi", "256Mi", "512Mi", "1Gi", "3Gi", "500M" };
	if (!chance(w, 15))
		set_amount(&c->resources.requests, "cpu", cpus[below(w, big ? 6 : 4)]);
	if (!chance(w, 15))
		set_amount(&c->resources.requests, "memory", mems[below(w, big ? 6 : 4)]);
	if (chance(w, 5))
		set_amount(&c->resources.requests, "ephemeral-storage", "1Gi");
	if (chance(w, 4))
		set_amount(&c->resources.requests, "example.com/gpu", "1");
}

static void add_host_port(struct world *w, struct container *c)
{
	struct container_port *p = APPEND(c->ports);
	p->container_port = 80;
	p->host_port = 8080 + (int32_t)below(w, 3);
	if (chance(w, 30))
		p->protocol = xstrdup("UDP");
	if (chance(w, 30))
		p->host_ip = xstrdup(chance(w, 50) ? "10.0.0.1" : "10.0.0.2");
}

static void requirement(struct world *w, struct node_selector_term *term)
{
	struct selector_requirement_spec *r = APPEND(term->match_expressions);
	switch (below(w, 6)) {
	case 0:
		r->key = xstrdup("topology.kubernetes.io/zone");
		r->operator = xstrdup("In");
		*APPEND(r->values) = xstrdup(zones[below(w, 4)]);
		*APPEND(r->values) = xstrdup(zones[below(w, 4)]);
		break;
	case 1:
		r->key = xstrdup("disktype");
		r->operator = xstrdup("NotIn");
		*APPEND(r->values) = xstrdup(disks[below(w, 3)]);
		break;
	case 2:
		r->key = xstrdup("disktype");
		r->operator = xstrdup(chance(w, 50) ? "Exists" : "DoesNotExist");
		break;
	case 3:
	case 4:
		r->key = xstrdup("tier");
		r->operator = xstrdup(chance(w, 50) ? "Gt" : "Lt");
		*APPEND(r->values) = xasprintf("%zu", below(w, 10));
		break;
	default:
		r->key = xstrdup("disktype");
		r->operator = xstrdup("In");
		*APPEND(r->values) = xstrdup(disks[below(w, 3)]);
		break;
	}
}

static void add_affinity(struct world *w, struct pod_spec *spec)
{
	struct node_affinity *na = &spec->affinity.node_affinity;
	if (chance(w, 15)) {
		size_t terms = 1 + below(w, 2);
		for (size_t t = 0; t < terms; t++) {
			struct node_selector_term *term =
				APPEND(na->required_during_scheduling_ignored_during_execution.node_selector_terms);
			size_t reqs = 1 + below(w, 2);
			for (size_t r = 0; r < reqs; r++)
				requirement(w, term);
		}
	}
	if (chance(w, 25)) {
		size_t terms = 1 + below(w, 3);
		for (size_t t = 0; t < terms; t++) {
			struct preferred_scheduling_term *p =
				APPEND(na->preferred_during_scheduling_ignored_during_execution);
			p->weight = (int32_t)(1 + below(w, 100));
			requirement(w, &p->preference);
		}
	}
	if (chance(w, 10))
		strmap_set(&spec->node_selector, "disktype", disks[below(w, 3)]);
}

static void add_tolerations(struct world *w, struct pod_spec *spec)
{
	if (chance(w, 20)) {
		struct toleration *t = APPEND(spec->tolerations);
		t->key = xstrdup("dedicated");
		if (chance(w, 50)) {
			t->operator = xstrdup("Exists");
		} else {
			t->value = xstrdup("gpu");
		}
		if (chance(w, 50))
			t->effect = xstrdup("NoSchedule");
	}
	if (chance(w, 20)) {
		struct toleration *t = APPEND(spec->tolerations);
		t->key = xstrdup(chance(w, 50) ? "spot" : "old-kernel");
		t->operator = xstrdup("Exists");
		if (chance(w, 50))
			t->effect = xstrdup(chance(w, 50) ? "PreferNoSchedule" : "NoSchedule");
	}
	if (chance(w, 5)) {
		struct toleration *t = APPEND(spec->tolerations);
		t->operator = xstrdup("Exists");	/* everything */
	}
	if (chance(w, 5)) {
		struct toleration *t = APPEND(spec->tolerations);
		t->key = xstrdup("node.kubernetes.io/unschedulable");
		t->operator = xstrdup("Exists");
		t->effect = xstrdup("NoSchedule");
	}
}

static const char *const apps[] = { "web", "db", "cache" };

/* A PodAffinityTerm selecting app=<one of apps> per node or per zone. */
static void affinity_term(struct world *w, struct pod_affinity_term *t, bool zone)
{
	t->topology_key = xstrdup(zone && chance(w, 50) ? "topology.kubernetes.io/zone"
				  : "kubernetes.io/hostname");
	strmap_set(&t->label_selector.match_labels, "app", apps[below(w, 3)]);
	if (chance(w, 20)) {
		struct selector_requirement_spec *r = APPEND(t->label_selector.match_expressions);
		r->key = xstrdup("tier");
		r->operator = xstrdup(chance(w, 50) ? "Exists" : "NotIn");
		if (!strcmp(r->operator, "NotIn"))
			*APPEND(r->values) = xstrdup("front");
	}
}

/* Pod affinity and anti-affinity, required and preferred. existing pods
 * get fewer (their terms act on the pods that come later). */
static void add_pod_affinity(struct world *w, struct pod_spec *spec, bool existing)
{
	int p = existing ? 3 : 6;
	struct pod_affinity *pa = &spec->affinity.pod_affinity;
	struct pod_affinity *anti = &spec->affinity.pod_anti_affinity;
	if (chance(w, p / 2))
		affinity_term(w, APPEND(pa->required_during_scheduling_ignored_during_execution), true);
	/* Required anti-affinity per node only: per zone, a few pods would
	 * keep most of the others out of the cluster. */
	if (chance(w, p))
		affinity_term(w, APPEND(anti->required_during_scheduling_ignored_during_execution), false);
	if (chance(w, p + 8)) {
		struct weighted_pod_affinity_term *t =
			APPEND(pa->preferred_during_scheduling_ignored_during_execution);
		t->weight = (int32_t)(1 + below(w, 100));
		affinity_term(w, &t->pod_affinity_term, true);
	}
	if (chance(w, p + 8)) {
		struct weighted_pod_affinity_term *t =
			APPEND(anti->preferred_during_scheduling_ignored_during_execution);
		t->weight = (int32_t)(1 + below(w, 100));
		affinity_term(w, &t->pod_affinity_term, true);
	}
}

/* topologySpreadConstraints: per node or zone, hard or soft, about the
 * pod's own app (usually) or another, with the inclusion policies and
 * minDomains now and then. */
static void add_spread(struct world *w, struct pod *p)
{
	size_t n = chance(w, 15) ? 1 + below(w, 2) : 0;
	const char *own = strmap_get(&p->obj.meta.labels, "app");
	for (size_t i = 0; i < n; i++) {
		struct topology_spread_constraint *c = APPEND(p->spec.topology_spread_constraints);
		c->max_skew = (int32_t)(1 + below(w, 3));
		c->topology_key = xstrdup(i == 0 && chance(w, 50) ? "kubernetes.io/hostname"
					  : "topology.kubernetes.io/zone");
		bool hard = chance(w, 50);
		c->when_unsatisfiable = xstrdup(hard ? "DoNotSchedule" : "ScheduleAnyway");
		strmap_set(&c->label_selector.match_labels, "app",
			   own && chance(w, 80) ? own : apps[below(w, 3)]);
		if (hard && chance(w, 20)) {
			c->min_domains.is_set = true;
			c->min_domains.value = (int64_t)(2 + below(w, 4));
		}
		if (chance(w, 20))
			c->node_affinity_policy = xstrdup("Ignore");
		if (chance(w, 20))
			c->node_taints_policy = xstrdup("Honor");
	}
}

/* A pod that must preempt to fit in a full cluster: high priority, most
 * of a small node's cpu, an app label and sometimes a required
 * anti-affinity term (per node): once nominated, it keeps the pods its
 * term selects off the node it waits for. */
static void make_preemptor(struct world *w, const char *name)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	strmap_set(&p->obj.meta.labels, "app", apps[below(w, 3)]);
	if (chance(w, 30))
		affinity_term(w, APPEND(p->spec.affinity.pod_anti_affinity
					.required_during_scheduling_ignored_during_execution),
			      false);
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	c->image = xstrdup(images[below(w, 5)]);
	set_amount(&c->resources.requests, "cpu", chance(w, 50) ? "1500m" : "1");
	set_amount(&c->resources.requests, "memory", "1Gi");
	if (chance(w, 30))
		add_host_port(w, c);
	p->spec.priority_class_name = xstrdup("high");
	create(w, &p->obj);
}

/* A pod; bound to node (existing) or pending (node NULL). */
static void make_pod(struct world *w, const char *name, const char *node)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	struct pod_spec *spec = &p->spec;
	/* Only high-priority pods preempt, and so only they are ever
	 * nominated: they carry labels and now and then a required
	 * anti-affinity term, which the pods scheduled while they wait must
	 * respect (InterPodAffinity's AddPod). */
	bool high = !node && chance(w, 8);
	strmap_set(&p->obj.meta.labels, "app", apps[below(w, 3)]);
	if (chance(w, 50))
		strmap_set(&p->obj.meta.labels, "tier", chance(w, 50) ? "front" : "back");
	if (!high) {
		add_pod_affinity(w, spec, node != NULL);
		if (!node)
			add_spread(w, p);
	} else if (chance(w, 30)) {
		affinity_term(w, APPEND(spec->affinity.pod_anti_affinity
					.required_during_scheduling_ignored_during_execution),
			      false);
	}
	size_t containers = 1 + (chance(w, 20) ? below(w, 2) + 1 : 0);
	for (size_t i = 0; i < containers; i++) {
		struct container *c = APPEND(spec->containers);
		c->name = xasprintf("c%zu", i);
		c->image = xstrdup(images[below(w, 5)]);
		add_requests(w, c, chance(w, 20));
		if (chance(w, 6))
			add_host_port(w, c);
	}
	if (chance(w, 10)) {
		struct container *c = APPEND(spec->init_containers);
		c->name = xstrdup("init");
		c->image = xstrdup(images[below(w, 5)]);
		if (chance(w, 40))
			c->restart_policy = xstrdup("Always");	/* a sidecar */
		add_requests(w, c, true);
		if (c->restart_policy && chance(w, 20))
			add_host_port(w, c);
	}
	if (node) {
		spec->node_name = xstrdup(node);
		spec->termination_grace_period_seconds = chance(w, 50) ? 0 : 30;
	} else {
		add_affinity(w, spec);
		add_tolerations(w, spec);
		if (high)
			spec->priority_class_name = xstrdup("high");
	}
	create(w, &p->obj);
}

/* ---- what the scheduler has seen ----------------------------------------- */

static void forget_assumed(struct world *w, const char *uid)
{
	for (size_t i = 0; i < w->assumed_len; i++)
		if (!strcmp(w->assumed_uid[i], uid)) {
			free(w->assumed_uid[i]);
			free(w->assumed_node[i]);
			w->assumed_uid[i] = w->assumed_uid[--w->assumed_len];
			w->assumed_node[i] = w->assumed_node[w->assumed_len];
			return;
		}
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	(void)old;
	struct world *w = arg;
	const struct pod *pod = (const struct pod *)obj;
	size_t i = 0;
	while (i < w->seen_len && strcmp(w->seen[i]->obj.meta.uid, obj->meta.uid))
		i++;
	if (i < w->seen_len) {
		object_unref((struct object *)w->seen[i]);
		w->seen[i] = w->seen[--w->seen_len];
	}
	if (type == WATCH_DELETED || (pod->spec.node_name && *pod->spec.node_name))
		forget_assumed(w, obj->meta.uid);
	if (type == WATCH_DELETED)
		return;
	w->seen = xrealloc(w->seen, (w->seen_len + 1) * sizeof(*w->seen));
	w->seen[w->seen_len++] = (const struct pod *)object_ref(obj);
}

/* The reference's cluster: the store's nodes and the pods seen, each
 * assumed one as bound to its node. */
static void load_seen(struct world *w, struct sched_ref_cluster *c)
{
	sched_ref_cluster_load_nodes(c, w->store);
	for (size_t i = 0; i < w->seen_len; i++) {
		const struct pod *pod = w->seen[i];
		const char *node = NULL;
		for (size_t k = 0; k < w->assumed_len; k++)
			if (!strcmp(w->assumed_uid[k], pod->obj.meta.uid))
				node = w->assumed_node[k];
		if (!node) {
			sched_ref_cluster_add_pod(c, pod);
			continue;
		}
		struct pod *copy = (struct pod *)object_copy(&pod->obj);
		free(copy->spec.node_name);
		copy->spec.node_name = xstrdup(node);
		sched_ref_cluster_add_pod(c, copy);
		object_unref(&copy->obj);
	}
}

/* ---- the comparison ------------------------------------------------------ */

static void mismatch(struct world *w, const struct sched_attempt *a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void mismatch(struct world *w, const struct sched_attempt *a, const char *fmt, ...)
{
	if (w->first_mismatch)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *what = NULL;
	ck_assert_int_ge(vasprintf(&what, fmt, ap), 0);
	va_end(ap);
	w->first_mismatch = xasprintf("attempt %zu (pod %s, %zu nodes, percentage %d): %s",
				      w->attempts, a->pod->obj.meta.name, a->num_all_nodes,
				      a->percentage, what);
	free(what);
}

/* K8S: node_tree.go's zone key: region and zone, beta labels first. */
static char *zone_key(const struct node *node)
{
	const struct strmap *l = &node->obj.meta.labels;
	const char *zone = strmap_get(l, "failure-domain.beta.kubernetes.io/zone");
	const char *region = strmap_get(l, "failure-domain.beta.kubernetes.io/region");
	if (!zone)
		zone = strmap_get(l, "topology.kubernetes.io/zone");
	if (!region)
		region = strmap_get(l, "topology.kubernetes.io/region");
	return xasprintf("%s\x1f%s", region ? region : "", zone ? zone : "");
}

/* K8S: nodeTree.list: zones in order of first appearance (the nodes were
 * all created before the scheduler started, so in the store's order),
 * then one node of each zone in turn. */
static const struct node **node_tree_list(const struct sched_ref_cluster *c)
{
	size_t n = c->nodes_len, zones_len = 0;
	char **keys = xcalloc(n + 1, sizeof(*keys));
	size_t *zone_of = xcalloc(n + 1, sizeof(*zone_of));
	for (size_t i = 0; i < n; i++) {
		char *key = zone_key(c->nodes[i]);
		size_t z = 0;
		while (z < zones_len && strcmp(keys[z], key))
			z++;
		if (z == zones_len)
			keys[zones_len++] = key;
		else
			free(key);
		zone_of[i] = z;
	}
	/* next[z]: where to look for zone z's next node */
	size_t *next = xcalloc(zones_len + 1, sizeof(*next));
	const struct node **out = xcalloc(n + 1, sizeof(*out));
	size_t len = 0;
	while (len < n) {
		for (size_t z = 0; z < zones_len; z++) {
			while (next[z] < n && zone_of[next[z]] != z)
				next[z]++;
			if (next[z] < n)
				out[len++] = c->nodes[next[z]++];
		}
	}
	for (size_t z = 0; z < zones_len; z++)
		free(keys[z]);
	free(keys);
	free(zone_of);
	free(next);
	return out;
}

static void compare_scores(struct world *w, const struct sched_attempt *a,
			   const struct sched_ref_cluster *c,
			   const struct sched_explain_node **feasible, size_t found)
{
	const struct node **nodes = xcalloc(found + 1, sizeof(*nodes));
	for (size_t i = 0; i < found; i++)
		nodes[i] = sched_ref_node(c, feasible[i]->name);
	struct sched_ref_scores ref;
	sched_ref_score(c, a->pod, nodes, found, &ref);
	/* Each plugin of the reference: listed by the attempt with the same
	 * scores, or left out with nothing to say (all zero). */
	for (size_t k = 0; k < ref.plugins_len; k++) {
		size_t m = 0;
		while (m < a->plugins_len && strcmp(a->plugins[m], ref.plugins[k]))
			m++;
		if (m == a->plugins_len) {
			for (size_t i = 0; i < found; i++)
				if (ref.normalized[i * SCHED_REF_PLUGINS_MAX + k])
					mismatch(w, a, "%s did not score, the reference gives %s %lld",
						 ref.plugins[k], feasible[i]->name,
						 (long long)ref.normalized[i * SCHED_REF_PLUGINS_MAX + k]);
			continue;
		}
		if (ref.skipped[k])
			mismatch(w, a, "%s scored, the reference's PreScore skips it",
				 ref.plugins[k]);
		if (a->weights[m] != ref.weights[k])
			mismatch(w, a, "%s weight %d, reference %d", ref.plugins[k],
				 a->weights[m], ref.weights[k]);
		for (size_t i = 0; i < found; i++) {
			int64_t rr = ref.raw[i * SCHED_REF_PLUGINS_MAX + k];
			int64_t rn = ref.normalized[i * SCHED_REF_PLUGINS_MAX + k];
			if (feasible[i]->raw[m] != rr || feasible[i]->normalized[m] != rn)
				mismatch(w, a, "%s on %s: raw %lld normalized %lld, reference %lld %lld",
					 ref.plugins[k], feasible[i]->name,
					 (long long)feasible[i]->raw[m],
					 (long long)feasible[i]->normalized[m],
					 (long long)rr, (long long)rn);
		}
	}
	for (size_t m = 0; m < a->plugins_len; m++) {
		bool known = false;
		for (size_t k = 0; k < ref.plugins_len; k++)
			known = known || !strcmp(a->plugins[m], ref.plugins[k]);
		if (!known)
			mismatch(w, a, "score plugin %s is not in the reference", a->plugins[m]);
	}
	int64_t best = INT64_MIN;
	size_t ties = 0;
	for (size_t i = 0; i < found; i++) {
		if (feasible[i]->total != ref.totals[i])
			mismatch(w, a, "total on %s %lld, reference %lld", feasible[i]->name,
				 (long long)feasible[i]->total, (long long)ref.totals[i]);
		if (ref.totals[i] > best) {
			best = ref.totals[i];
			ties = 0;
		}
		ties += ref.totals[i] == best;
	}
	bool chosen_best = false;
	for (size_t i = 0; i < found; i++)
		if (!strcmp(feasible[i]->name, a->chosen))
			chosen_best = ref.totals[i] == best;
	if (!chosen_best)
		mismatch(w, a, "chose %s, not one with the top total %lld", a->chosen,
			 (long long)best);
	if (a->ties != ties)
		mismatch(w, a, "%zu ties, reference %zu", a->ties, ties);
	sched_ref_scores_release(&ref);
	free(nodes);
}

static void on_attempt(void *arg, const struct sched_attempt *a)
{
	struct world *w = arg;
	w->attempts++;
	struct sched_ref_cluster c;
	load_seen(w, &c);
	c.fit_args = w->fit_args_set ? &w->fit_args : NULL;
	c.balanced_args = w->fit_args_set ? &w->balanced_args : NULL;
	if (a->pre_filter_plugin)
		mismatch(w, a, "PreFilter %s rejected the pod", a->pre_filter_plugin);
	if (a->num_all_nodes != c.nodes_len)
		mismatch(w, a, "%zu nodes, the store has %zu", a->num_all_nodes, c.nodes_len);
	size_t want = sched_ref_num_to_find(w->percentage, c.nodes_len);
	if (a->num_to_find != want)
		mismatch(w, a, "numFeasibleNodesToFind %zu, reference %zu", a->num_to_find, want);

	/* Which nodes: the nominated node alone, or the rotation. */
	const char *nominated = a->pod->status.nominated_node_name;
	bool alone = nominated && *nominated && a->nodes_len == 1 && a->feasible == 1 &&
		!strcmp(a->nodes[0].name, nominated);
	const struct node **list = node_tree_list(&c);
	if (alone) {
		w->nominated++;
	} else {
		if (a->start_index != w->next_start % c.nodes_len)
			mismatch(w, a, "started at node %zu, the last attempt stopped before %zu",
				 a->start_index, w->next_start % c.nodes_len);
		w->next_start = a->start_index + a->nodes_len;
		for (size_t j = 0; j < a->nodes_len; j++) {
			const char *expect = list[(a->start_index + j) % c.nodes_len]->obj.meta.name;
			if (strcmp(a->nodes[j].name, expect)) {
				mismatch(w, a, "examined %s at step %zu from %zu, node tree says %s",
					 a->nodes[j].name, j, a->start_index, expect);
				break;
			}
		}
		if (a->nodes_len < c.nodes_len && a->feasible != want)
			mismatch(w, a, "stopped after %zu nodes with %zu feasible of %zu wanted",
				 a->nodes_len, a->feasible, want);
		if (a->nodes_len < c.nodes_len)
			w->sampled++;
	}
	free(list);

	/* Every examined node's verdict. */
	const struct sched_explain_node **feasible = xcalloc(a->nodes_len + 1, sizeof(*feasible));
	size_t found = 0;
	for (size_t j = 0; j < a->nodes_len; j++) {
		const struct sched_explain_node *e = &a->nodes[j];
		const struct node *node = sched_ref_node(&c, e->name);
		if (!node) {
			mismatch(w, a, "examined %s, which the store does not have", e->name);
			continue;
		}
		struct sched_ref_verdict v;
		sched_ref_filter(&c, a->pod, node, &v);
		if (e->code != v.code || !!e->plugin != !!v.plugin ||
		    (v.plugin && strcmp(e->plugin, v.plugin)) ||
		    strcmp(e->reason ? e->reason : "", v.reason))
			mismatch(w, a, "%s: %s %s \"%s\", reference %s %s \"%s\"", e->name,
				 sched_code_name(e->code), e->plugin ? e->plugin : "-",
				 e->reason ? e->reason : "", sched_code_name(v.code),
				 v.plugin ? v.plugin : "-", v.reason);
		if (e->code == SCHED_SUCCESS)
			feasible[found++] = e;
	}
	if (found != a->feasible)
		mismatch(w, a, "%zu feasible listed, attempt says %zu", found, a->feasible);

	/* The choice. */
	if (found == 0) {
		w->failed++;
		if (a->chosen)
			mismatch(w, a, "chose %s with no feasible node", a->chosen);
	} else if (!a->chosen) {
		mismatch(w, a, "no choice among %zu feasible nodes", found);
	} else if (found == 1) {
		w->scheduled++;
		if (strcmp(a->chosen, feasible[0]->name))
			mismatch(w, a, "chose %s, the only feasible node is %s", a->chosen,
				 feasible[0]->name);
	} else {
		w->scheduled++;
		w->scored++;
		compare_scores(w, a, &c, feasible, found);
	}
	free(feasible);
	sched_ref_cluster_release(&c);
	if (a->chosen) {	/* the scheduler assumes it there now */
		w->assumed_uid = xrealloc(w->assumed_uid, (w->assumed_len + 1) * sizeof(char *));
		w->assumed_node = xrealloc(w->assumed_node, (w->assumed_len + 1) * sizeof(char *));
		w->assumed_uid[w->assumed_len] = xstrdup(a->pod->obj.meta.uid);
		w->assumed_node[w->assumed_len++] = xstrdup(a->chosen);
	}
}

/* ---- the runs ------------------------------------------------------------ */

/* One random cluster and workload for seed; strategy picks the
 * NodeResourcesFit scoring (0 least, 1 most, 2 requested-to-capacity). */
static size_t run_world(uint64_t seed, size_t nodes, size_t existing, size_t pending,
		      int32_t percentage, int strategy)
{
	struct world w = { 0 };
	prng_seed(&w.rng, seed);
	w.percentage = percentage;
	w.engine = engine_new();
	engine_run(w.engine, KTIME_SIM_EPOCH, 0);
	w.client.clock = engine_clock(w.engine);
	w.store = store_new(&w.client.clock, seed);
	w.client.store = w.store;
	w.client.component = "default-scheduler";

	struct priority_class *pc = (struct priority_class *)object_new(&priority_class_kind);
	pc->obj.meta.name = xstrdup("high");
	pc->value = 1000;
	create(&w, &pc->obj);
	size_t zones_len = 1 + below(&w, 4);
	for (size_t i = 0; i < nodes; i++)
		make_node(&w, (int)i, zones_len);
	for (size_t i = 0; i < existing; i++) {
		char name[32], node[32];
		snprintf(name, sizeof(name), "old-%zu", i);
		snprintf(node, sizeof(node), "node-%zu", below(&w, nodes));
		make_pod(&w, name, node);
	}

	struct sched_profile profile;
	sched_profile_default(&profile, "default-scheduler");
	if (strategy) {
		struct sched_fit_args *a = &w.fit_args;
		sched_fit_args_default(a);
		a->strategy = strategy == 1 ? SCHED_MOST_ALLOCATED : SCHED_REQUESTED_TO_CAPACITY_RATIO;
		a->resources[0].weight = 2;
		a->resources[a->resources_len++] = (struct sched_resource_spec){ "example.com/gpu", 3 };
		a->resources[a->resources_len++] = (struct sched_resource_spec){ "ephemeral-storage", 1 };
		if (strategy == 2) {
			a->shape_len = 3;
			a->shape[0] = (struct sched_shape_point){ 0, 10 };
			a->shape[1] = (struct sched_shape_point){ 60, 3 };
			a->shape[2] = (struct sched_shape_point){ 100, 0 };
		}
		/* BalancedAllocation over three resources: its general path. */
		sched_balanced_args_default(&w.balanced_args);
		w.balanced_args.resources[w.balanced_args.resources_len++] =
			(struct sched_resource_spec){ "example.com/gpu", 1 };
		w.fit_args_set = true;
		for (size_t i = 0; i < profile.len; i++) {
			enum sched_plugin_id id = profile.plugins[i].plugin->id;
			if (id == SCHED_PLUGIN_NODE_RESOURCES_FIT)
				profile.plugins[i].args = &w.fit_args;
			if (id == SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION)
				profile.plugins[i].args = &w.balanced_args;
		}
	}
	struct scheduler_options options = {
		.profiles = &profile,
		.profiles_len = 1,
		.seed = seed,
		.percentage_of_nodes_to_score = percentage,
		.explain = { on_attempt, &w },
	};
	struct object_list list = { 0 };
	w.watch = client_watch(&w.client, KIND_POD, on_pod, &w);
	store_list(w.store, KIND_POD, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		on_pod(&w, WATCH_ADDED, list.items[i], NULL);
	object_list_release(&list);
	w.scheduler = scheduler_new(&w.client, &options);
	/* Pending pods in waves, so later ones see earlier ones bound. */
	for (size_t i = 0; i < pending; i++) {
		char name[32];
		snprintf(name, sizeof(name), "new-%zu", i);
		make_pod(&w, name, NULL);
		if (i % 50 == 49)
			engine_run(w.engine, engine_now(w.engine) + KTIME_SECOND, 0);
	}
	engine_run(w.engine, engine_now(w.engine) + 10 * KTIME_SECOND, 0);
	/* Then pods that only fit by preempting others. */
	for (size_t i = 0; i < 10 + nodes / 10; i++) {
		char name[32];
		snprintf(name, sizeof(name), "vip-%zu", i);
		make_preemptor(&w, name);
	}
	engine_run(w.engine, engine_now(w.engine) + 60 * KTIME_SECOND, 0);

	ck_assert_msg(!w.first_mismatch, "seed %llu: %s", (unsigned long long)seed,
		      w.first_mismatch);
	if (getenv("REFSTATS"))
		fprintf(stderr, "seed %llu: %zu attempts, %zu scheduled, %zu failed, %zu scored, %zu sampled, %zu nominated\n", (unsigned long long)seed, w.attempts, w.scheduled, w.failed, w.scored, w.sampled, w.nominated);
	/* The comparison saw what it is meant to see. */
	ck_assert_uint_ge(w.attempts, pending);
	ck_assert_uint_gt(w.scored, pending / 4);
	ck_assert_uint_gt(w.failed, 0);
	if (nodes > 100 && percentage != 100)
		ck_assert_uint_gt(w.sampled, 0);
	scheduler_free(w.scheduler);
	client_unwatch(&w.client, w.watch);
	for (size_t i = 0; i < w.seen_len; i++)
		object_unref((struct object *)w.seen[i]);
	free(w.seen);
	while (w.assumed_len)
		forget_assumed(&w, w.assumed_uid[0]);
	free(w.assumed_uid);
	free(w.assumed_node);
	store_free(w.store);
	engine_free(w.engine);
	free(w.first_mismatch);
	return w.nominated;
}

START_TEST(test_decisions_match_the_reference_with_every_node_scored)
{
	static const struct { uint64_t seed; size_t nodes; int strategy; } runs[] = {
		{ 1, 20, 0 }, { 2, 60, 1 }, { 3, 130, 2 },
	};
	size_t nominated = 0;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		nominated += run_world(runs[i].seed, runs[i].nodes, runs[i].nodes * 2,
				       100 + runs[i].nodes, 100, runs[i].strategy);
	ck_assert_uint_gt(nominated, 0);	/* a nominated node was tried first */
}
END_TEST

START_TEST(test_decisions_match_the_reference_with_adaptive_sampling)
{
	static const struct { uint64_t seed; size_t nodes; int strategy; } runs[] = {
		{ 11, 250, 0 }, { 12, 160, 1 }, { 13, 120, 2 },
	};
	size_t nominated = 0;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		nominated += run_world(runs[i].seed, runs[i].nodes, runs[i].nodes * 2,
				       100 + runs[i].nodes, 0, runs[i].strategy);
	ck_assert_uint_gt(nominated, 0);
}
END_TEST

Suite *sched_reference_suite(void)
{
	Suite *s = suite_create("sched_reference");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_decisions_match_the_reference_with_every_node_scored);
	tcase_add_test(tc, test_decisions_match_the_reference_with_adaptive_sampling);
	suite_add_tcase(s, tc);
	return s;
}
