/* sched_topology_spread_constraints.c - the PodTopologySpread plugin:
 * building a pod's constraints, the system default ones included.
 *
 * K8S: pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (the
 * system default constraints), common.go (filterTopologySpreadConstraints,
 * buildDefaultConstraints) and framework/plugins/helper/spread.go
 * (DefaultSelector).
 *
 * A constraint as Filter (sched_topology_spread.c) and Score
 * (sched_topology_spread_score.c) use it: the pod's own
 * topologySpreadConstraint whose whenUnsatisfiable is the action asked
 * for, its labelSelector compiled with the pod's own values of the
 * matchLabelKeys merged in, its policies resolved to booleans. A pod
 * without constraints gets the profile's defaults (by default the System
 * ones: hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway), all
 * sharing one default selector built from the Services that select the
 * pod and its controlling ReplicaSet or StatefulSet; when that selector
 * is empty, no default constraint applies.
 *
 * Interface: spread_constraints_build, spread_constraints_release,
 * spread_system_defaulted, spread_default_selector
 * (sched_topology_spread.h).
 *
 * Invariants: a built struct spread_constraints owns its selectors (the
 * defaulted ones each own a copy, the last one the original); a selector
 * that fails to compile matches nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_args.h"
#include "sched_topology_spread.h"
#include "store.h"
#include "xmalloc.h"

/* K8S: systemDefaultConstraints (plugin.go) */
static const struct topology_spread_constraint system_defaults[] = {
	{ .max_skew = 3, .topology_key = SPREAD_LABEL_HOSTNAME,
	  .when_unsatisfiable = "ScheduleAnyway" },
	{ .max_skew = 5, .topology_key = SPREAD_LABEL_ZONE,
	  .when_unsatisfiable = "ScheduleAnyway" },
};

bool spread_system_defaulted(const struct sched_state *state)
{
	const struct sched_spread_args *args =
		sched_state_args(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	return !args || args->defaulting == SCHED_SPREAD_DEFAULTING_SYSTEM;
}

/* ---- building constraints ------------------------------------------------ */

/* Builds labels (as = requirements) AND the requirements of extra (its
 * matchLabels and matchExpressions) into *out: upstream's
 * SelectorFromSet(labels).Add(extra's requirements...). -1 when extra
 * does not compile; *out is then empty. */
static int selector_merge(const struct strmap *labels, const struct label_selector *extra,
			  struct selector *out)
{
	size_t n = extra->match_labels.len + extra->match_expressions.len;
	struct selector_expression *exprs = n ? xcalloc(n, sizeof(*exprs)) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < extra->match_labels.len; i++, k++) {
		exprs[k].key = extra->match_labels.items[i].key;
		exprs[k].op = "In";	/* key=value and key in (value) match alike */
		exprs[k].values = (const char *const *)&extra->match_labels.items[i].value;
		exprs[k].values_len = 1;
	}
	for (size_t i = 0; i < extra->match_expressions.len; i++, k++) {
		const struct selector_requirement_spec *r = &extra->match_expressions.items[i];
		exprs[k].key = r->key ? r->key : "";
		exprs[k].op = r->operator ? r->operator : "";
		exprs[k].values = (const char *const *)r->values.items;
		exprs[k].values_len = r->values.len;
	}
	struct err *err = NULL;
	int rc = selector_from_parts(labels, exprs, n, out, &err);
	err_free(err);
	free(exprs);
	return rc;
}

/* K8S: filterTopologySpreadConstraints for one constraint. Without
 * with_selector the selector is left empty, for the caller to set. */
static void constraint_build(struct sched_cache *cache,
			     const struct topology_spread_constraint *tsc,
			     const struct pod *pod, bool with_selector,
			     struct spread_constraint *out)
{
	const struct strmap *pod_labels = &pod->obj.meta.labels;
	memset(out, 0, sizeof(*out));
	out->max_skew = tsc->max_skew;
	out->topology_key = tsc->topology_key ? tsc->topology_key : "";
	out->key = sched_cache_topology_key(cache, out->topology_key);
	out->hostname = !strcmp(out->topology_key, SPREAD_LABEL_HOSTNAME);
	out->min_domains = tsc->min_domains.is_set ? (int32_t)tsc->min_domains.value : 1;
	out->honor_node_affinity = !tsc->node_affinity_policy ||
				   strcmp(tsc->node_affinity_policy, "Ignore");
	/* Honoring an affinity the pod does not have admits every node:
	 * skip the per-node check (and the Node object it would load). */
	if (!pod->spec.node_selector.len &&
	    !pod->spec.affinity.node_affinity
		     .required_during_scheduling_ignored_during_execution.node_selector_terms.len)
		out->honor_node_affinity = false;
	out->honor_node_taints = tsc->node_taints_policy &&
				 !strcmp(tsc->node_taints_policy, "Honor");
	if (!with_selector)
		return;
	/* LAB: sched-spread-match-label-keys. The pod's own values of the
	 * listed keys join the selector. */
	struct strmap keys = { 0 };
	for (size_t i = 0; i < tsc->match_label_keys.len; i++) {
		const char *v = strmap_get(pod_labels, tsc->match_label_keys.items[i]);
		if (v)
			strmap_set(&keys, tsc->match_label_keys.items[i], v);
	}
	if (selector_merge(&keys, &tsc->label_selector, &out->selector) != 0)
		selector_init_nothing(&out->selector);
	strmap_release(&keys);
}

/* Appends the constraints of list whose whenUnsatisfiable is action
 * (their selectors empty unless with_selector). */
static void constraints_filter(struct sched_cache *cache,
			       const struct topology_spread_constraint *list, size_t n,
			       const struct pod *pod, const char *action, bool with_selector,
			       struct spread_constraints *out)
{
	for (size_t i = 0; i < n; i++) {
		const char *when = list[i].when_unsatisfiable ? list[i].when_unsatisfiable : "";
		if (strcmp(when, action))
			continue;
		out->items = xrealloc(out->items, (out->len + 1) * sizeof(*out->items));
		constraint_build(cache, &list[i], pod, with_selector, &out->items[out->len++]);
	}
}

void spread_constraints_release(struct spread_constraints *c)
{
	for (size_t i = 0; i < c->len; i++)
		selector_release(&c->items[i].selector);
	free(c->items);
	memset(c, 0, sizeof(*c));
}

void spread_constraints_build(struct sched_state *state, const struct pod *pod,
			      const char *action, struct spread_constraints *out)
{
	memset(out, 0, sizeof(*out));
	const struct pod_spec *spec = &pod->spec;
	if (spec->topology_spread_constraints.len) {
		constraints_filter(state->cache, spec->topology_spread_constraints.items,
				   spec->topology_spread_constraints.len, pod, action, true, out);
		return;
	}
	/* K8S: buildDefaultConstraints. Every default constraint gets the
	 * default selector: their own are never built. */
	const struct sched_spread_args *args =
		sched_state_args(state, SCHED_PLUGIN_POD_TOPOLOGY_SPREAD);
	if (spread_system_defaulted(state))
		constraints_filter(state->cache, system_defaults, 2, pod, action, false, out);
	else
		constraints_filter(state->cache, args->default_constraints,
				   args->default_constraints_len, pod, action, false, out);
	if (!out->len)
		return;
	out->defaulted = true;
	struct selector sel;
	spread_default_selector(state->cache, pod, &sel);
	if (selector_is_empty(&sel)) {
		selector_release(&sel);
		spread_constraints_release(out);
		return;
	}
	for (size_t i = 0; i + 1 < out->len; i++)
		selector_copy(&out->items[i].selector, &sel);
	out->items[out->len - 1].selector = sel;	/* the last one takes it */
}

/* LAB: sched-spread-default-selector. K8S: helper.DefaultSelector. */
void spread_default_selector(const struct sched_cache *cache, const struct pod *pod,
			     struct selector *out)
{
	struct strmap labels = { 0 };
	const char *ns = pod->obj.meta.namespace;
	memset(out, 0, sizeof(*out));
	if (!cache->store)
		return;
	/* K8S: GetPodServices: every Service of the namespace whose selector
	 * matches the pod; their selectors merge (they agree: all match). */
	struct object_list list = { 0 };
	store_list(cache->store, KIND_SERVICE, ns, NULL, &list);
	for (size_t i = 0; i < list.len; i++) {
		const struct service *svc = (const struct service *)list.items[i];
		const struct strmap *sel = &svc->spec.selector;
		if (!sel->len || !strmap_contains_all(&pod->obj.meta.labels, sel))
			continue;	/* no selector selects nothing */
		for (size_t k = 0; k < sel->len; k++)
			strmap_set(&labels, sel->items[k].key, sel->items[k].value);
	}
	object_list_release(&list);

	/* The controller, looked up by name as upstream does. */
	const struct label_selector *extra = NULL;
	const struct owner_reference *owner = object_controller_of(&pod->obj);
	if (owner && owner->api_version && owner->kind && owner->name &&
	    !strcmp(owner->api_version, "apps/v1")) {
		const struct object *obj = NULL;
		if (!strcmp(owner->kind, "ReplicaSet")) {
			obj = store_get(cache->store, KIND_REPLICASET, ns, owner->name);
			if (obj)
				extra = &((const struct replica_set *)obj)->spec.selector;
		} else if (!strcmp(owner->kind, "StatefulSet")) {
			obj = store_get(cache->store, KIND_STATEFULSET, ns, owner->name);
			if (obj)
				extra = &((const struct stateful_set *)obj)->spec.selector;
		}
	}
	static const struct label_selector none;
	if (!extra || selector_merge(&labels, extra, out) != 0)
		selector_merge(&labels, &none, out);
	strmap_release(&labels);
}
