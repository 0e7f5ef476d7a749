/* test_sched_plugins.c - the scheduler plugins, one verdict at a time.
 *
 * Each test books nodes (and pods already on them) in a scheduler cache,
 * then asks one plugin about one pod, as the framework would: Pre hook,
 * then Filter per node, or Score over all nodes then NormalizeScore. Most
 * are tables: a case names the pod, the node and the verdict or score a
 * reader of the upstream plugin would predict.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "prng.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

Suite *sched_plugins_suite(void);

/* ---- building objects ---------------------------------------------------- */

#define APPEND(list)                                                            \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

static void set_amount(struct resource_list *list, const char *name, const char *amount)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(amount, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

static struct node *node_new(const char *name, const char *cpu, const char *memory)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	n->obj.meta.uid = xstrdup(name);
	if (cpu)
		set_amount(&n->status.allocatable, "cpu", cpu);
	if (memory)
		set_amount(&n->status.allocatable, "memory", memory);
	set_amount(&n->status.allocatable, "pods", "110");
	return n;
}

static void node_taint(struct node *n, const char *key, const char *value,
		       const char *effect)
{
	struct taint *t = APPEND(n->spec.taints);
	t->key = xstrdup(key);
	t->value = xstrdup(value);
	t->effect = xstrdup(effect);
}

/* A pod with one container "app" requesting cpu and memory (NULL: none). */
static struct pod *pod_new(const char *name, const char *cpu, const char *memory)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xasprintf("uid-%s", name);
	struct container *c = APPEND(p->spec.containers);
	c->name = xstrdup("app");
	if (cpu)
		set_amount(&c->resources.requests, "cpu", cpu);
	if (memory)
		set_amount(&c->resources.requests, "memory", memory);
	return p;
}

static void pod_tolerate(struct pod *p, const char *key, const char *op,
			 const char *value, const char *effect)
{
	struct toleration *t = APPEND(p->spec.tolerations);
	t->key = key ? xstrdup(key) : NULL;
	t->operator = op ? xstrdup(op) : NULL;
	t->value = value ? xstrdup(value) : NULL;
	t->effect = effect ? xstrdup(effect) : NULL;
}

/* Books node in cache and drops the caller's reference. */
static void add_node(struct sched_cache *cache, struct node *n)
{
	sched_cache_set_node(cache, n);
	object_unref(&n->obj);
}

/* Books pod as bound to node_name and drops the caller's reference. */
static void add_bound_pod(struct sched_cache *cache, struct pod *p, const char *node_name)
{
	p->spec.node_name = xstrdup(node_name);
	sched_cache_add_pod(cache, p);
	object_unref(&p->obj);
}

/* ---- asking a plugin ----------------------------------------------------- */

/* PreFilter (a Skip passes every node), then Filter on node_name. */
static enum sched_code filter(const struct sched_plugin *pl, struct sched_cache *cache,
			      const struct pod *pod, const char *node_name,
			      struct sched_status *status)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	sched_status_reset(status);
	enum sched_code code = SCHED_SUCCESS;
	if (pl->pre_filter)
		code = pl->pre_filter(&state, pod, status);
	if (code == SCHED_SKIP) {
		code = SCHED_SUCCESS;
	} else if (code == SCHED_SUCCESS) {
		const struct sched_node_info *node = sched_cache_node(cache, node_name);
		ck_assert_ptr_nonnull(node);
		code = pl->filter(&state, pod, node, status);
	}
	sched_state_release(&state);
	return code;
}

/* PreScore, Score on each named node, NormalizeScore: into scores[].
 * Returns false when PreScore said Skip. */
static bool score(const struct sched_plugin *pl, struct sched_cache *cache,
		  const struct pod *pod, const char *const *names, size_t n,
		  int64_t *scores)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	struct sched_status status;
	sched_status_reset(&status);
	if (pl->pre_filter)
		pl->pre_filter(&state, pod, &status);
	if (pl->pre_score && pl->pre_score(&state, pod, NULL, 0) == SCHED_SKIP) {
		sched_state_release(&state);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		scores[i] = pl->score(&state, pod, sched_cache_node(cache, names[i]));
	if (pl->normalize_score)
		pl->normalize_score(&state, pod, scores, n);
	sched_state_release(&state);
	return true;
}

static void assert_rejected(enum sched_code code, const struct sched_status *st,
			    enum sched_code want, const char *reason)
{
	ck_assert_str_eq(sched_code_name(code), sched_code_name(want));
	ck_assert_uint_ge(st->reasons_len, 1);
	ck_assert_str_eq(st->reasons[0], reason);
}

/* ---- NodeUnschedulable and NodeName -------------------------------------- */

START_TEST(test_cordoned_node_rejects_pods_unless_they_tolerate_the_taint)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct node *n = node_new("cordoned", "4", "8Gi");
	n->spec.unschedulable = true;
	add_node(&cache, n);
	add_node(&cache, node_new("open", "4", "8Gi"));

	static const struct {
		const char *effect;	/* the pod's toleration; NULL: none */
		const char *node;
		enum sched_code want;
	} cases[] = {
		{ NULL, "open", SCHED_SUCCESS },
		{ NULL, "cordoned", SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "NoSchedule", "cordoned", SCHED_SUCCESS },
		{ "NoExecute", "cordoned", SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "", "cordoned", SCHED_SUCCESS },	/* empty effect: all */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pod *p = pod_new("web", "100m", NULL);
		if (cases[i].effect)
			pod_tolerate(p, TAINT_NODE_UNSCHEDULABLE, "Exists", NULL,
				     cases[i].effect);
		struct sched_status st;
		enum sched_code code = filter(&sched_node_unschedulable_plugin, &cache, p,
					      cases[i].node, &st);
		ck_assert_msg(code == cases[i].want, "case %zu: %s", i, sched_code_name(code));
		if (code != SCHED_SUCCESS)
			ck_assert_str_eq(st.reasons[0], "node(s) were unschedulable");
		object_unref(&p->obj);
	}
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_node_name_admits_only_the_named_node)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, node_new("worker-1", "4", "8Gi"));
	add_node(&cache, node_new("worker-2", "4", "8Gi"));
	struct pod *p = pod_new("web", NULL, NULL);
	struct sched_status st;
	ck_assert_int_eq(filter(&sched_node_name_plugin, &cache, p, "worker-2", &st),
			 SCHED_SUCCESS);
	p->spec.node_name = xstrdup("worker-1");
	ck_assert_int_eq(filter(&sched_node_name_plugin, &cache, p, "worker-1", &st),
			 SCHED_SUCCESS);
	enum sched_code code = filter(&sched_node_name_plugin, &cache, p, "worker-2", &st);
	assert_rejected(code, &st, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
			"node(s) didn't match the requested node name");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* The default profile leaves NodeName out of the walk over the nodes for
 * a pod without nodeName (it would pass every node), and still runs it
 * for a pod that names a node. */
START_TEST(test_default_profile_rejects_other_nodes_only_for_a_pod_naming_one)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, node_new("worker-1", "4", "8Gi"));
	add_node(&cache, node_new("worker-2", "4", "8Gi"));
	const struct sched_node_info *other = sched_cache_node(&cache, "worker-2");
	struct sched_profile profile;
	sched_profile_default(&profile, "default-scheduler");
	struct pod *p = pod_new("web", "100m", NULL);
	for (int named = 0; named < 2; named++) {
		if (named)
			p->spec.node_name = xstrdup("worker-1");
		struct sched_state state;
		sched_state_init(&state, p, &cache);
		struct sched_status st;
		ck_assert_int_eq(sched_run_pre_filter(&profile, &state, &st), SCHED_SUCCESS);
		enum sched_code code = sched_run_filter(&profile, &state, other, &st);
		if (named) {
			assert_rejected(code, &st, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"node(s) didn't match the requested node name");
			ck_assert_str_eq(st.plugin->name, "NodeName");
		} else {
			ck_assert_int_eq(code, SCHED_SUCCESS);
		}
		sched_state_release(&state);
	}
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- TaintToleration ------------------------------------------------------ */

START_TEST(test_taint_filter_follows_the_toleration_rules)
{
	static const struct {
		const char *taint_effect;
		const char *tol_key, *tol_op, *tol_value, *tol_effect;	/* NULL key+op: none */
		enum sched_code want;
	} cases[] = {
		{ "NoSchedule", NULL, NULL, NULL, NULL, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "NoExecute", NULL, NULL, NULL, NULL, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "PreferNoSchedule", NULL, NULL, NULL, NULL, SCHED_SUCCESS },
		{ "NoSchedule", "dedicated", "Equal", "gpu", "NoSchedule", SCHED_SUCCESS },
		{ "NoSchedule", "dedicated", NULL, "gpu", NULL, SCHED_SUCCESS },	/* Equal by default */
		{ "NoSchedule", "dedicated", "Equal", "cpu", "NoSchedule",
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "NoSchedule", "dedicated", "Exists", NULL, "NoSchedule", SCHED_SUCCESS },
		{ "NoSchedule", "", "Exists", NULL, NULL, SCHED_SUCCESS },	/* tolerates all */
		{ "NoSchedule", "dedicated", "Exists", NULL, "NoExecute",
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
		{ "NoSchedule", "other", "Exists", NULL, NULL, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		struct node *n = node_new("gpu-1", "4", "8Gi");
		node_taint(n, "dedicated", "gpu", cases[i].taint_effect);
		add_node(&cache, n);
		struct pod *p = pod_new("web", "100m", NULL);
		if (cases[i].tol_key || cases[i].tol_op)
			pod_tolerate(p, cases[i].tol_key, cases[i].tol_op, cases[i].tol_value,
				     cases[i].tol_effect);
		struct sched_status st;
		enum sched_code code = filter(&sched_taint_toleration_plugin, &cache, p,
					      "gpu-1", &st);
		ck_assert_msg(code == cases[i].want, "case %zu: %s", i, sched_code_name(code));
		if (code != SCHED_SUCCESS)
			ck_assert_str_eq(st.reasons[0],
					 "node(s) had untolerated taint {dedicated: gpu}");
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_taint_filter_names_the_first_untolerated_taint)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct node *n = node_new("worker-1", "4", "8Gi");
	node_taint(n, "dedicated", "gpu", "NoSchedule");
	node_taint(n, "maintenance", "", "NoExecute");
	add_node(&cache, n);
	struct pod *p = pod_new("web", NULL, NULL);
	pod_tolerate(p, "dedicated", "Exists", NULL, NULL);
	struct sched_status st;
	enum sched_code code = filter(&sched_taint_toleration_plugin, &cache, p, "worker-1", &st);
	assert_rejected(code, &st, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
			"node(s) had untolerated taint {maintenance: }");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_taint_score_prefers_nodes_with_fewer_soft_taints)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, node_new("clean", "4", "8Gi"));
	struct node *one = node_new("one", "4", "8Gi");
	node_taint(one, "spot", "true", "PreferNoSchedule");
	node_taint(one, "dedicated", "gpu", "NoSchedule");	/* does not count */
	add_node(&cache, one);
	struct node *two = node_new("two", "4", "8Gi");
	node_taint(two, "spot", "true", "PreferNoSchedule");
	node_taint(two, "old", "true", "PreferNoSchedule");
	add_node(&cache, two);
	const char *names[] = { "clean", "one", "two" };
	int64_t scores[3];

	struct pod *p = pod_new("web", NULL, NULL);
	ck_assert(score(&sched_taint_toleration_plugin, &cache, p, names, 3, scores));
	ck_assert_int_eq(scores[0], 100);
	ck_assert_int_eq(scores[1], 50);
	ck_assert_int_eq(scores[2], 0);

	/* Tolerating both soft taints makes every node equally good. */
	pod_tolerate(p, "spot", "Exists", NULL, "PreferNoSchedule");
	pod_tolerate(p, "old", "Exists", NULL, NULL);
	ck_assert(score(&sched_taint_toleration_plugin, &cache, p, names, 3, scores));
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(scores[i], 100);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- NodeAffinity --------------------------------------------------------- */

static struct node_selector_term *required_term(struct pod *p)
{
	return APPEND(p->spec.affinity.node_affinity
			      .required_during_scheduling_ignored_during_execution
			      .node_selector_terms);
}

/* Adds a requirement "key op values" (values comma-separated, or NULL)
 * to a list of selector requirements. */
#define REQUIREMENT(list, key, op, values) /* list: evaluated twice */ \
	requirement_add(&(list).items, &(list).len, key, op, values)
static void requirement_add(struct selector_requirement_spec **items, size_t *len,
			    const char *key, const char *op, const char *values)
{
	*items = xrealloc(*items, (*len + 1) * sizeof(**items));
	struct selector_requirement_spec *r = &(*items)[(*len)++];
	memset(r, 0, sizeof(*r));
	r->key = xstrdup(key);
	r->operator = xstrdup(op);
	for (const char *v = values; v && *v;) {
		const char *comma = strchr(v, ',');
		size_t n = comma ? (size_t)(comma - v) : strlen(v);
		*APPEND(r->values) = xstrndup(v, n);
		v += n + (comma ? 1 : 0);
	}
}

START_TEST(test_node_affinity_requirements_match_labels_as_upstream)
{
	static const struct {
		const char *label_value;	/* node label "size"; NULL: absent */
		const char *op, *values;
		bool match;
	} cases[] = {
		{ "large", "In", "large,xlarge", true },
		{ "small", "In", "large,xlarge", false },
		{ NULL, "In", "large", false },
		{ "small", "NotIn", "large", true },
		{ NULL, "NotIn", "large", true },	/* absent satisfies NotIn */
		{ "large", "NotIn", "large", false },
		{ "large", "Exists", NULL, true },
		{ NULL, "Exists", NULL, false },
		{ NULL, "DoesNotExist", NULL, true },
		{ "8", "Gt", "4", true },
		{ "2", "Gt", "4", false },
		{ "large", "Gt", "4", false },		/* no integer: no match */
		{ "2", "Lt", "4", true },
		{ "8", "Lt", "4", false },
		{ "8", "Gt", "4,5", false },		/* invalid: term fails */
		{ "large", "In", NULL, false },		/* In without values */
		{ "large", "Near", "large", false },	/* unknown operator */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		struct node *n = node_new("worker-1", "4", "8Gi");
		if (cases[i].label_value)
			strmap_set(&n->obj.meta.labels, "size", cases[i].label_value);
		add_node(&cache, n);
		struct pod *p = pod_new("web", NULL, NULL);
		struct node_selector_term *term = required_term(p);
		REQUIREMENT(term->match_expressions, "size", cases[i].op, cases[i].values);
		struct sched_status st;
		enum sched_code code = filter(&sched_node_affinity_plugin, &cache, p,
					      "worker-1", &st);
		ck_assert_msg((code == SCHED_SUCCESS) == cases[i].match, "case %zu", i);
		if (code != SCHED_SUCCESS)
			assert_rejected(code, &st, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"node(s) didn't match Pod's node affinity/selector");
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_node_selector_and_terms_combine_as_and_of_or)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct node *ssd_a = node_new("ssd-a", "4", "8Gi");
	strmap_set(&ssd_a->obj.meta.labels, "disktype", "ssd");
	strmap_set(&ssd_a->obj.meta.labels, "zone", "a");
	add_node(&cache, ssd_a);
	struct node *ssd_c = node_new("ssd-c", "4", "8Gi");
	strmap_set(&ssd_c->obj.meta.labels, "disktype", "ssd");
	strmap_set(&ssd_c->obj.meta.labels, "zone", "c");
	add_node(&cache, ssd_c);
	struct node *hdd_b = node_new("hdd-b", "4", "8Gi");
	strmap_set(&hdd_b->obj.meta.labels, "disktype", "hdd");
	strmap_set(&hdd_b->obj.meta.labels, "zone", "b");
	add_node(&cache, hdd_b);

	struct pod *p = pod_new("db", NULL, NULL);
	struct sched_status st;
	/* Without nodeSelector or affinity the plugin stays out. */
	ck_assert_int_eq(filter(&sched_node_affinity_plugin, &cache, p, "hdd-b", &st),
			 SCHED_SUCCESS);
	strmap_set(&p->spec.node_selector, "disktype", "ssd");
	/* zone a OR zone b, and the nodeSelector on top. */
	struct node_selector_term *term = required_term(p);
	REQUIREMENT(term->match_expressions, "zone", "In", "a");
	term = required_term(p);
	REQUIREMENT(term->match_expressions, "zone", "In", "b");
	ck_assert_int_eq(filter(&sched_node_affinity_plugin, &cache, p, "ssd-a", &st),
			 SCHED_SUCCESS);
	ck_assert_int_ne(filter(&sched_node_affinity_plugin, &cache, p, "ssd-c", &st),
			 SCHED_SUCCESS);
	ck_assert_int_ne(filter(&sched_node_affinity_plugin, &cache, p, "hdd-b", &st),
			 SCHED_SUCCESS);
	object_unref(&p->obj);

	/* matchFields on metadata.name; an empty term matches nothing. */
	p = pod_new("pinned", NULL, NULL);
	required_term(p);
	ck_assert_int_ne(filter(&sched_node_affinity_plugin, &cache, p, "ssd-a", &st),
			 SCHED_SUCCESS);
	term = required_term(p);
	REQUIREMENT(term->match_fields, "metadata.name", "In", "hdd-b");
	ck_assert_int_eq(filter(&sched_node_affinity_plugin, &cache, p, "hdd-b", &st),
			 SCHED_SUCCESS);
	ck_assert_int_ne(filter(&sched_node_affinity_plugin, &cache, p, "ssd-a", &st),
			 SCHED_SUCCESS);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* PreFilter compiles the hard form into the cache's label ids; Filter's
 * verdicts must be those of the string rules (sched_node_affinity_matches),
 * for random labels, operators and values -- values no node has, labels
 * set later, nodeSelector, matchFields included. */
START_TEST(test_node_affinity_compiled_filter_agrees_with_the_string_rules)
{
	static const char *const keys[] = { "zone", "disk", "size" };
	static const char *const values[] = { "a", "b", "c", "", "4", "8" };
	static const char *const ops[] = { "In", "NotIn", "Exists", "DoesNotExist",
					   "Gt", "Lt", "In" };
	struct prng rng;
	prng_seed(&rng, 11);
	struct sched_cache cache;
	sched_cache_init(&cache);
	char names[8][16];
	for (int i = 0; i < 8; i++) {
		snprintf(names[i], sizeof(names[i]), "node-%d", i);
		struct node *n = node_new(names[i], "4", "8Gi");
		for (size_t k = 0; k < 3; k++)
			if (prng_below(&rng, 3))
				strmap_set(&n->obj.meta.labels, keys[k],
					   values[prng_below(&rng, 5)]);	/* never "8" */
		add_node(&cache, n);
	}
	size_t admitted = 0, rejected = 0;
	for (int round = 0; round < 300; round++) {
		struct pod *p = pod_new("web", NULL, NULL);
		if (prng_below(&rng, 3) == 0)
			strmap_set(&p->spec.node_selector, keys[prng_below(&rng, 3)],
				   values[prng_below(&rng, 6)]);
		for (uint64_t t = prng_below(&rng, 3); t > 0; t--) {
			struct node_selector_term *term = required_term(p);
			for (uint64_t r = prng_below(&rng, 3); r > 0; r--) {
				const char *op = ops[prng_below(&rng, 7)];
				char list[16] = "";
				if (strcmp(op, "Exists") && strcmp(op, "DoesNotExist"))
					snprintf(list, sizeof(list), "%s,%s",
						 values[prng_below(&rng, 6)],
						 values[prng_below(&rng, 6)]);
				if (!strcmp(op, "Gt") || !strcmp(op, "Lt"))
					snprintf(list, sizeof(list), "%d", (int)prng_below(&rng, 9));
				REQUIREMENT(term->match_expressions, keys[prng_below(&rng, 3)],
					    op, list);
			}
			if (prng_below(&rng, 4) == 0)
				REQUIREMENT(term->match_fields, "metadata.name", "In",
					    names[prng_below(&rng, 8)]);
		}
		for (int i = 0; i < 8; i++) {
			struct sched_status st;
			bool want = sched_node_affinity_matches(p, sched_cache_node(&cache, names[i]));
			bool got = filter(&sched_node_affinity_plugin, &cache, p, names[i], &st) ==
				   SCHED_SUCCESS;
			ck_assert_msg(got == want, "round %d node %d", round, i);
			admitted += got;
			rejected += !got;
		}
		object_unref(&p->obj);
		if (round == 150) {	/* a value appears after the keys were compiled */
			struct node *n = node_new("node-7", "4", "8Gi");
			strmap_set(&n->obj.meta.labels, "zone", "8");
			add_node(&cache, n);
		}
	}
	ck_assert_uint_gt(admitted, 100);
	ck_assert_uint_gt(rejected, 100);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_preferred_node_affinity_scores_by_matching_weights)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	const char *names[] = { "a", "b", "c" };
	const char *zones[] = { "a", "b", "c" };
	const char *disks[] = { "hdd", "ssd", "hdd" };
	for (size_t i = 0; i < 3; i++) {
		struct node *n = node_new(names[i], "4", "8Gi");
		strmap_set(&n->obj.meta.labels, "zone", zones[i]);
		strmap_set(&n->obj.meta.labels, "disktype", disks[i]);
		add_node(&cache, n);
	}
	struct pod *p = pod_new("web", NULL, NULL);
	int64_t scores[3];
	ck_assert(!score(&sched_node_affinity_plugin, &cache, p, names, 3, scores));

	struct node_affinity *na = &p->spec.affinity.node_affinity;
	struct preferred_scheduling_term *t =
		APPEND(na->preferred_during_scheduling_ignored_during_execution);
	t->weight = 10;
	REQUIREMENT(t->preference.match_expressions, "zone", "In", "a,b");
	t = APPEND(na->preferred_during_scheduling_ignored_during_execution);
	t->weight = 30;
	REQUIREMENT(t->preference.match_expressions, "disktype", "In", "ssd");
	ck_assert(score(&sched_node_affinity_plugin, &cache, p, names, 3, scores));
	/* raw 10, 40, 0; scaled by the best */
	ck_assert_int_eq(scores[0], 25);
	ck_assert_int_eq(scores[1], 100);
	ck_assert_int_eq(scores[2], 0);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- NodeResourcesFit: requests ------------------------------------------- */

START_TEST(test_pod_request_takes_the_larger_of_containers_and_init_containers)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *p = pod_new("web", "100m", "1Gi");
	struct container *c = APPEND(p->spec.containers);
	set_amount(&c->resources.requests, "cpu", "200m");
	struct container *init = APPEND(p->spec.init_containers);
	set_amount(&init->resources.requests, "cpu", "500m");
	set_amount(&init->resources.requests, "memory", "256Mi");
	struct sched_pod_request r;
	sched_pod_request_compute(&cache, p, &r);
	ck_assert_int_eq(r.milli_cpu, 500);		/* max(100+200, 500) */
	ck_assert_int_eq(r.memory, 1LL << 30);		/* max(1Gi, 256Mi) */
	/* floors: the second container has no memory request -> 200Mi */
	ck_assert_int_eq(r.non_zero_memory, (1LL << 30) + SCHED_DEFAULT_MEMORY_REQUEST);
	sched_pod_request_release(&r);

	/* A sidecar keeps running: it adds to the app containers and to
	 * every later init container. Overhead comes on top. */
	init->restart_policy = xstrdup("Always");
	set_amount(&init->resources.requests, "cpu", "100m");
	struct container *second = APPEND(p->spec.init_containers);
	set_amount(&second->resources.requests, "cpu", "450m");
	set_amount(&p->spec.overhead, "cpu", "50m");
	sched_pod_request_compute(&cache, p, &r);
	ck_assert_int_eq(r.milli_cpu, 550 + 50);	/* max(300+100, 450+100) + 50 */
	sched_pod_request_release(&r);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_pods_without_requests_count_the_non_zero_defaults_for_scoring_only)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct pod *p = pod_new("besteffort", NULL, NULL);
	struct sched_pod_request r;
	sched_pod_request_compute(&cache, p, &r);
	ck_assert_int_eq(r.milli_cpu, 0);
	ck_assert_int_eq(r.memory, 0);
	ck_assert_int_eq(r.non_zero_milli_cpu, 100);
	ck_assert_int_eq(r.non_zero_memory, 200 * 1024 * 1024);
	sched_pod_request_release(&r);
	object_unref(&p->obj);

	/* An explicit zero is a request of zero, not a missing one. */
	p = pod_new("zero", "0", NULL);
	sched_pod_request_compute(&cache, p, &r);
	ck_assert_int_eq(r.non_zero_milli_cpu, 0);
	ck_assert_int_eq(r.non_zero_memory, 200 * 1024 * 1024);
	sched_pod_request_release(&r);
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- NodeResourcesFit: Filter --------------------------------------------- */

START_TEST(test_fit_filter_table)
{
	static const struct {
		const char *what;
		const char *node_cpu, *node_memory, *node_gpu;	/* allocatable */
		const char *used_cpu, *used_gpu;		/* a pod already there */
		const char *cpu, *memory, *gpu;			/* the new pod */
		enum sched_code want;
		const char *reasons;				/* joined by "; " */
	} cases[] = {
		{ "fits", "4", "8Gi", NULL, "1", NULL, "2", "4Gi", NULL, SCHED_SUCCESS, "" },
		{ "busy node", "4", "8Gi", NULL, "3", NULL, "2", "1Gi", NULL,
		  SCHED_UNSCHEDULABLE, "Insufficient cpu" },
		{ "bigger than the node", "4", "8Gi", NULL, NULL, NULL, "6", "1Gi", NULL,
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient cpu" },
		{ "cpu and memory short", "4", "8Gi", NULL, "3", NULL, "2", "16Gi", NULL,
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient cpu; Insufficient memory" },
		{ "exactly full", "4", "8Gi", NULL, "2", NULL, "2", "8Gi", NULL, SCHED_SUCCESS, "" },
		{ "zero capacity", "0", "0", NULL, NULL, NULL, "100m", NULL, NULL,
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient cpu" },
		{ "no requests on a zero node", "0", "0", NULL, NULL, NULL, NULL, NULL, NULL,
		  SCHED_SUCCESS, "" },
		{ "no requests on a full node", "4", "8Gi", NULL, "4", NULL, NULL, NULL, NULL,
		  SCHED_SUCCESS, "" },
		{ "gpu free", "4", "8Gi", "2", NULL, "1", "1", NULL, "1", SCHED_SUCCESS, "" },
		{ "gpus taken", "4", "8Gi", "2", NULL, "2", "1", NULL, "1",
		  SCHED_UNSCHEDULABLE, "Insufficient nvidia.com/gpu" },
		{ "no gpu on the node", "4", "8Gi", NULL, NULL, NULL, "1", NULL, "1",
		  SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient nvidia.com/gpu" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		struct node *n = node_new("worker-1", cases[i].node_cpu, cases[i].node_memory);
		if (cases[i].node_gpu)
			set_amount(&n->status.allocatable, "nvidia.com/gpu", cases[i].node_gpu);
		add_node(&cache, n);
		if (cases[i].used_cpu || cases[i].used_gpu) {
			struct pod *used = pod_new("used", cases[i].used_cpu, NULL);
			if (cases[i].used_gpu)
				set_amount(&used->spec.containers.items[0].resources.requests,
					   "nvidia.com/gpu", cases[i].used_gpu);
			add_bound_pod(&cache, used, "worker-1");
		}
		struct pod *p = pod_new("web", cases[i].cpu, cases[i].memory);
		if (cases[i].gpu)
			set_amount(&p->spec.containers.items[0].resources.requests,
				   "nvidia.com/gpu", cases[i].gpu);
		struct sched_status st;
		enum sched_code code = filter(&sched_fit_plugin, &cache, p, "worker-1", &st);
		char joined[256] = "";
		for (size_t r = 0; r < st.reasons_len; r++) {
			if (r)
				strcat(joined, "; ");
			strcat(joined, st.reasons[r]);
		}
		ck_assert_msg(code == cases[i].want, "%s: %s", cases[i].what,
			      sched_code_name(code));
		ck_assert_msg(!strcmp(joined, cases[i].reasons), "%s: '%s'",
			      cases[i].what, joined);
		object_unref(&p->obj);
		ck_assert(sched_cache_check(&cache));
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_fit_filter_counts_pod_slots)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	struct node *n = node_new("tiny", "4", "8Gi");
	set_amount(&n->status.allocatable, "pods", "2");
	add_node(&cache, n);
	add_bound_pod(&cache, pod_new("a", NULL, NULL), "tiny");
	struct pod *p = pod_new("web", NULL, NULL);
	struct sched_status st;
	ck_assert_int_eq(filter(&sched_fit_plugin, &cache, p, "tiny", &st), SCHED_SUCCESS);
	add_bound_pod(&cache, pod_new("b", NULL, NULL), "tiny");
	enum sched_code code = filter(&sched_fit_plugin, &cache, p, "tiny", &st);
	assert_rejected(code, &st, SCHED_UNSCHEDULABLE, "Too many pods");
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- NodeResourcesFit: LeastAllocated score ------------------------------- */

START_TEST(test_least_allocated_score_table)
{
	static const struct {
		const char *what;
		const char *node_cpu, *node_memory;
		const char *used_cpu, *used_memory;	/* NULL, NULL: nothing there */
		bool used;
		const char *cpu, *memory;
		int64_t want;
	} cases[] = {
		{ "half left", "4", "8Gi", "1", "2Gi", true, "1", "2Gi", 50 },
		{ "integer division", "3", "3Gi", NULL, NULL, false, "1", "1Gi", 66 },
		{ "cpu and memory averaged", "3", "4Gi", NULL, NULL, false, "1", "2Gi", 58 },
		{ "defaults for a pod without requests", "1", "1000Mi", NULL, NULL, false,
		  NULL, NULL, 85 },
		{ "defaults for pods already there", "1", "1000Mi", NULL, NULL, true,
		  NULL, NULL, 70 },
		{ "overcommitted counts zero", "1", "8Gi", "2", "1Gi", true, "1", "1Gi", 37 },
		{ "no memory on the node: cpu alone", "4", NULL, NULL, NULL, false,
		  "1", "1Gi", 75 },
		{ "nothing allocatable", NULL, NULL, NULL, NULL, false, "1", "1Gi", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		add_node(&cache, node_new("worker-1", cases[i].node_cpu, cases[i].node_memory));
		if (cases[i].used)
			add_bound_pod(&cache, pod_new("used", cases[i].used_cpu,
						      cases[i].used_memory), "worker-1");
		struct pod *p = pod_new("web", cases[i].cpu, cases[i].memory);
		const char *names[] = { "worker-1" };
		int64_t s;
		ck_assert(score(&sched_fit_plugin, &cache, p, names, 1, &s));
		ck_assert_msg(s == cases[i].want, "%s: %lld", cases[i].what, (long long)s);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

/* ---- NodeResourcesBalancedAllocation -------------------------------------- */

START_TEST(test_balanced_allocation_score_table)
{
	static const struct {
		const char *what;
		const char *used_cpu, *used_memory;
		const char *cpu, *memory;
		int64_t want;
	} cases[] = {
		{ "same fraction", NULL, NULL, "1", "2Gi", 100 },
		{ "cpu-heavy pod", NULL, NULL, "2", "1Gi", 81 },	/* |.5-.125|/2 */
		{ "fills the node's gap", "2", NULL, NULL, "4Gi", 100 },
		{ "fractions capped at one", "4", "1Gi", "2", "1Gi", 62 },	/* 1 vs .25 */
		{ "memory only", NULL, NULL, NULL, "4Gi", 75 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		add_node(&cache, node_new("worker-1", "4", "8Gi"));
		if (cases[i].used_cpu || cases[i].used_memory)
			add_bound_pod(&cache, pod_new("used", cases[i].used_cpu,
						      cases[i].used_memory), "worker-1");
		struct pod *p = pod_new("web", cases[i].cpu, cases[i].memory);
		const char *names[] = { "worker-1" };
		int64_t s;
		ck_assert(score(&sched_balanced_allocation_plugin, &cache, p, names, 1, &s));
		ck_assert_msg(s == cases[i].want, "%s: %lld", cases[i].what, (long long)s);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_balanced_allocation_skips_best_effort_pods)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	add_node(&cache, node_new("worker-1", "4", "8Gi"));
	struct pod *p = pod_new("besteffort", NULL, NULL);
	const char *names[] = { "worker-1" };
	int64_t s;
	ck_assert(!score(&sched_balanced_allocation_plugin, &cache, p, names, 1, &s));
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

/* ---- framework ------------------------------------------------------------ */

START_TEST(test_default_profile_has_upstream_order_and_weights)
{
	struct sched_profile profile;
	sched_profile_default(&profile, "default-scheduler");
	static const struct {
		const char *name;
		int32_t weight;
	} want[] = {
		{ "NodeUnschedulable", 0 }, { "NodeName", 0 }, { "TaintToleration", 3 },
		{ "NodeAffinity", 2 }, { "NodePorts", 0 }, { "NodeResourcesFit", 1 },
		{ "VolumeRestrictions", 0 }, { "NodeVolumeLimits", 0 },
		{ "VolumeBinding", 0 }, { "VolumeZone", 0 },
		{ "PodTopologySpread", 2 }, { "InterPodAffinity", 2 },
		{ "DefaultPreemption", 0 }, { "NodeResourcesBalancedAllocation", 1 },
		{ "ImageLocality", 1 },
	};
	ck_assert_uint_eq(profile.len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < profile.len; i++) {
		ck_assert_str_eq(profile.plugins[i].plugin->name, want[i].name);
		ck_assert_int_eq(profile.plugins[i].weight, want[i].weight);
	}
	ck_assert_ptr_eq(sched_plugin_lookup("TaintToleration"), &sched_taint_toleration_plugin);
	ck_assert_ptr_eq(sched_plugin_lookup("VolumeBinding"), &sched_volume_binding_plugin);
	ck_assert_ptr_eq(sched_plugin_lookup("NodeVolumeLimits"), &sched_node_volume_limits_plugin);
	ck_assert_ptr_null(sched_plugin_lookup("DynamicResources"));
	ck_assert_int_eq(sched_profile_enable(&profile, "NodeAffinity", 5), 0);
	ck_assert_int_eq(profile.plugins[3].weight, 5);
	ck_assert_int_eq(sched_profile_enable(&profile, "NodeAffinity", 0), -1);
	ck_assert_int_eq(sched_profile_disable(&profile, "NodeName"), 0);
	ck_assert_uint_eq(profile.len, sizeof(want) / sizeof(want[0]) - 1);
}
END_TEST

START_TEST(test_num_feasible_nodes_follows_the_adaptive_percentage)
{
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 3), 3);
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 99), 99);
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 100), 100);	/* 50%: 50 < 100 */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 300), 144);	/* 48% */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 1000), 420);	/* 42% */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 5000), 500);	/* 10% */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(0, 6000), 300);	/* 5% floor */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(30, 1000), 300);
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(1, 1000), 100);	/* at least 100 */
	ck_assert_uint_eq(sched_num_feasible_nodes_to_find(100, 5000), 5000);
}
END_TEST

START_TEST(test_default_normalize_scales_by_the_maximum)
{
	int64_t s[] = { 0, 2, 4, 3 };
	sched_default_normalize_score(100, false, s, 4);
	ck_assert_int_eq(s[1], 50);
	ck_assert_int_eq(s[2], 100);
	ck_assert_int_eq(s[3], 75);
	int64_t r[] = { 0, 2, 4, 3 };
	sched_default_normalize_score(100, true, r, 4);
	ck_assert_int_eq(r[0], 100);
	ck_assert_int_eq(r[2], 0);
	ck_assert_int_eq(r[3], 25);
	int64_t z[] = { 0, 0 };
	sched_default_normalize_score(100, true, z, 2);
	ck_assert_int_eq(z[0], 100);
	ck_assert_int_eq(z[1], 100);
}
END_TEST

/* Nodes rejected for the same reason in a row, and for others in
 * between, each count under their own reason. */
START_TEST(test_fit_error_counts_interleaved_reasons_apart)
{
	struct sched_diagnosis d = { 0 };
	sched_diagnosis_reset(&d, 7);
	static const char *const reasons[] = {
		"Insufficient memory", "Insufficient memory", "Insufficient cpu",
		"Insufficient memory", "Insufficient cpu", "Insufficient cpu",
	};
	struct sched_status st;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		sched_status_reset(&st);
		sched_status_add(&st, SCHED_UNSCHEDULABLE, reasons[i]);
		sched_diagnosis_add(&d, &st);
	}
	sched_status_reset(&st);
	sched_status_addf(&st, SCHED_UNSCHEDULABLE, "Insufficient %s", "cpu");
	sched_diagnosis_add(&d, &st);
	char *msg = sched_fit_error_message(&d);
	ck_assert_str_eq(msg, "0/7 nodes are available: 3 Insufficient memory, "
			 "4 Insufficient cpu.");
	free(msg);
	sched_diagnosis_release(&d);
}
END_TEST

START_TEST(test_fit_error_sorts_the_reason_histogram_as_strings)
{
	struct sched_diagnosis d = { 0 };
	sched_diagnosis_reset(&d, 12);
	struct sched_status st;
	for (int i = 0; i < 10; i++) {
		sched_status_reset(&st);
		sched_status_add(&st, SCHED_UNSCHEDULABLE, "Insufficient memory");
		sched_diagnosis_add(&d, &st);
	}
	sched_status_reset(&st);
	sched_status_add(&st, SCHED_UNSCHEDULABLE, "Insufficient cpu");
	sched_status_add(&st, SCHED_UNSCHEDULABLE, "Insufficient memory");
	sched_diagnosis_add(&d, &st);
	sched_status_reset(&st);
	sched_status_addf(&st, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
			  "node(s) had untolerated taint {%s: %s}", "dedicated", "gpu");
	sched_diagnosis_add(&d, &st);
	char *msg = sched_fit_error_message(&d);
	/* "1 ..." sorts before "11 ...": a space is less than a digit. */
	ck_assert_str_eq(msg, "0/12 nodes are available: 1 Insufficient cpu, "
			 "1 node(s) had untolerated taint {dedicated: gpu}, "
			 "11 Insufficient memory.");
	free(msg);
	d.post_filter_msg = xstrdup("preemption: not eligible due to preemptionPolicy=Never.");
	msg = sched_fit_error_message(&d);
	ck_assert_str_eq(msg, "0/12 nodes are available: 1 Insufficient cpu, "
			 "1 node(s) had untolerated taint {dedicated: gpu}, "
			 "11 Insufficient memory. preemption: not eligible due to "
			 "preemptionPolicy=Never.");
	free(msg);
	sched_diagnosis_release(&d);
}
END_TEST

Suite *sched_plugins_suite(void)
{
	Suite *s = suite_create("sched_plugins");
	TCase *tc = tcase_create("filter");
	tcase_add_test(tc, test_cordoned_node_rejects_pods_unless_they_tolerate_the_taint);
	tcase_add_test(tc, test_node_name_admits_only_the_named_node);
	tcase_add_test(tc, test_default_profile_rejects_other_nodes_only_for_a_pod_naming_one);
	tcase_add_test(tc, test_taint_filter_follows_the_toleration_rules);
	tcase_add_test(tc, test_taint_filter_names_the_first_untolerated_taint);
	tcase_add_test(tc, test_node_affinity_requirements_match_labels_as_upstream);
	tcase_add_test(tc, test_node_selector_and_terms_combine_as_and_of_or);
	tcase_add_test(tc, test_pod_request_takes_the_larger_of_containers_and_init_containers);
	tcase_add_test(tc, test_pods_without_requests_count_the_non_zero_defaults_for_scoring_only);
	tcase_add_test(tc, test_fit_filter_table);
	tcase_add_test(tc, test_fit_filter_counts_pod_slots);
	suite_add_tcase(s, tc);
	tc = tcase_create("score");
	tcase_add_test(tc, test_taint_score_prefers_nodes_with_fewer_soft_taints);
	tcase_add_test(tc, test_node_affinity_compiled_filter_agrees_with_the_string_rules);
	tcase_add_test(tc, test_preferred_node_affinity_scores_by_matching_weights);
	tcase_add_test(tc, test_least_allocated_score_table);
	tcase_add_test(tc, test_balanced_allocation_score_table);
	tcase_add_test(tc, test_balanced_allocation_skips_best_effort_pods);
	suite_add_tcase(s, tc);
	tc = tcase_create("framework");
	tcase_add_test(tc, test_default_profile_has_upstream_order_and_weights);
	tcase_add_test(tc, test_num_feasible_nodes_follows_the_adaptive_percentage);
	tcase_add_test(tc, test_default_normalize_scales_by_the_maximum);
	tcase_add_test(tc, test_fit_error_counts_interleaved_reasons_apart);
	tcase_add_test(tc, test_fit_error_sorts_the_reason_histogram_as_strings);
	suite_add_tcase(s, tc);
	return s;
}
