/* sched_reference.c - the reference scheduler's plugins, from upstream's
 * definitions, recomputed from the pod lists on every call.
 *
 * K8S: framework/plugins/{nodeunschedulable,nodename,tainttoleration,
 * nodeaffinity,nodeports,noderesources,podtopologyspread,
 * interpodaffinity}, imagelocality,
 * component-helpers/resource (PodRequests), framework/types.go
 * (NodeInfo's sums, HostPortInfo), plugins/helper (DefaultNormalizeScore,
 * BuildBrokenLinearFunction), framework/runtime/framework.go (the order of
 * the plugins, the weighted sum, the nominated pods' two passes).
 *
 * Read it as a list of definitions. Nothing is cached: "the cpu booked on
 * node-3" is a loop over every pod of the cluster picking those bound to
 * node-3, each pod's request summed from its containers again. Quantities
 * are summed exactly and converted to integers once per pod, as upstream
 * does. Speed is not a goal; a test calls this for every node of every
 * attempt and still runs in seconds.
 *
 * The plugin table (ref_plugins[] at the end) is the default profile in
 * upstream's order with the default weights. A plugin is a row with a
 * filter (one node: Success or a rejection with reasons), a score (every
 * feasible node: raw scores, normalized in place; false when its PreScore
 * would Skip), or both.
 */
#include "sched_reference.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "store.h"
#include "xmalloc.h"

/* ---- the snapshot -------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool is_terminal(const struct pod *pod)
{
	return str_eq(pod->status.phase, "Succeeded") || str_eq(pod->status.phase, "Failed");
}

static bool is_bound(const struct pod *pod)
{
	return pod->spec.node_name && *pod->spec.node_name;
}

void sched_ref_cluster_load_nodes(struct sched_ref_cluster *c, const struct store *store)
{
	memset(c, 0, sizeof(*c));
	struct object_list list = { 0 };
	store_list(store, KIND_NODE, NULL, NULL, &list);
	c->nodes = xcalloc(list.len + 1, sizeof(*c->nodes));
	c->bound = xcalloc(list.len + 1, sizeof(*c->bound));
	for (size_t i = 0; i < list.len; i++)
		c->nodes[c->nodes_len++] = (const struct node *)object_ref(list.items[i]);
	object_list_release(&list);
}

/* The index of the node named name in c->nodes (sorted), or -1. */
static long node_index(const struct sched_ref_cluster *c, const char *name)
{
	size_t lo = 0, hi = c->nodes_len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->nodes[mid]->obj.meta.name, name);
		if (cmp == 0)
			return (long)mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void sched_ref_cluster_add_pod(struct sched_ref_cluster *c, const struct pod *pod)
{
	if (is_terminal(pod))
		return;
	c->pods = xrealloc(c->pods, (c->pods_len + 1) * sizeof(*c->pods));
	c->pods[c->pods_len++] = (const struct pod *)object_ref(&pod->obj);
	long i = is_bound(pod) ? node_index(c, pod->spec.node_name) : -1;
	if (i < 0)
		return;		/* pending, or on a node that is gone */
	struct sched_ref_bound *b = &c->bound[i];
	b->pods = xrealloc(b->pods, (b->len + 1) * sizeof(*b->pods));
	b->pods[b->len++] = pod;
}

void sched_ref_cluster_load(struct sched_ref_cluster *c, const struct store *store)
{
	sched_ref_cluster_load_nodes(c, store);
	struct object_list list = { 0 };
	store_list(store, KIND_POD, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		sched_ref_cluster_add_pod(c, (const struct pod *)list.items[i]);
	object_list_release(&list);
}

void sched_ref_cluster_release(struct sched_ref_cluster *c)
{
	for (size_t i = 0; i < c->nodes_len; i++)
		object_unref((struct object *)c->nodes[i]);
	for (size_t i = 0; i < c->pods_len; i++)
		object_unref((struct object *)c->pods[i]);
	for (size_t i = 0; i < c->nodes_len; i++)
		free(c->bound[i].pods);
	free(c->bound);
	free(c->nodes);
	free(c->pods);
	memset(c, 0, sizeof(*c));
}

const struct node *sched_ref_node(const struct sched_ref_cluster *c, const char *name)
{
	long i = node_index(c, name);
	return i < 0 ? NULL : c->nodes[i];
}

size_t sched_ref_num_to_find(int32_t percentage, size_t num_all_nodes)
{
	const int64_t min_nodes = 100, min_percentage = 5;
	int64_t all = (int64_t)num_all_nodes;
	if (all < min_nodes)
		return num_all_nodes;
	int64_t p = percentage;
	if (p == 0) {
		p = 50 - all / 125;
		if (p < min_percentage)
			p = min_percentage;
	}
	int64_t n = all * p / 100;
	return (size_t)(n < min_nodes ? min_nodes : n);
}

/* ---- what a plugin sees -------------------------------------------------- */

/* One node with the pods counted on it (bound ones, plus nominated ones
 * in the first pass of a filter). */
struct ref_node {
	const struct node *node;
	const struct pod **pods;
	size_t pods_len;
};

struct ref_cycle {
	const struct sched_ref_cluster *c;
	const struct pod *pod;
};

static int64_t priority_of(const struct pod *pod)
{
	return pod->spec.priority.is_set ? pod->spec.priority.value : 0;
}

/* The pods bound to node; with nominated, also the pods nominated to it
 * (not bound, not pod itself) whose priority is at least pod's. Returns
 * how many nominated ones were added. */
static size_t ref_node_init(struct ref_node *n, const struct sched_ref_cluster *c,
			    const struct node *node, const struct pod *pod, bool nominated)
{
	const char *name = node->obj.meta.name;
	const struct sched_ref_bound *b = &c->bound[node_index(c, name)];
	n->node = node;
	n->pods = xcalloc(b->len + c->pods_len + 1, sizeof(*n->pods));
	for (size_t i = 0; i < b->len; i++)
		n->pods[i] = b->pods[i];
	n->pods_len = b->len;
	size_t added = 0;
	for (size_t i = 0; nominated && i < c->pods_len; i++) {
		const struct pod *p = c->pods[i];
		const char *to = p->status.nominated_node_name;
		if (to && !strcmp(to, name) && !is_bound(p) &&
		    strcmp(p->obj.meta.uid, pod->obj.meta.uid) &&
		    priority_of(p) >= priority_of(pod)) {
			n->pods[n->pods_len++] = p;
			added++;
		}
	}
	return added;
}

static void ref_node_release(struct ref_node *n)
{
	free(n->pods);
}

static enum sched_code reject(struct sched_ref_verdict *v, enum sched_code code,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum sched_code reject(struct sched_ref_verdict *v, enum sched_code code,
			      const char *fmt, ...)
{
	size_t len = strlen(v->reason);
	if (len)
		len += (size_t)snprintf(v->reason + len, sizeof(v->reason) - len, ", ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason + len, sizeof(v->reason) - len, fmt, ap);
	va_end(ap);
	if (code > v->code)
		v->code = code;
	return v->code;
}

/* ---- requests: K8S: resource.PodRequests --------------------------------- */

static bool is_scalar_resource(const char *name)
{
	if (!strncmp(name, "hugepages-", 10) || !strncmp(name, "attachable-volumes-", 19))
		return true;
	return strchr(name, '/') != NULL;	/* extended or prefixed native */
}

/* One container's request of name, as a quantity; with floor, a container
 * that does not mention cpu (memory) asks for 100m (200Mi). */
static struct quantity container_request(const struct container *ctr, const char *name,
					 bool floor)
{
	const struct quantity *q = resource_list_get(&ctr->resources.requests, name);
	if (q)
		return *q;
	if (floor && !strcmp(name, "cpu"))
		return quantity_from_milli(100, QUANTITY_DECIMAL_SI);
	if (floor && !strcmp(name, "memory"))
		return quantity_from_int(200LL * 1024 * 1024, QUANTITY_BINARY_SI);
	return quantity_from_int(0, QUANTITY_DECIMAL_SI);
}

/* The pod's request of name: the app containers and sidecars together, or
 * the largest init container (plus the sidecars started before it) if
 * that is more; plus the overhead. cpu in millicores, the rest in units,
 * each rounded up once, from the exact sum. */
static int64_t pod_request(const struct pod *pod, const char *name, bool floor)
{
	const struct pod_spec *spec = &pod->spec;
	struct quantity total = quantity_from_int(0, QUANTITY_DECIMAL_SI);
	for (size_t i = 0; i < spec->containers.len; i++) {
		struct quantity q = container_request(&spec->containers.items[i], name, floor);
		quantity_add(&total, &q);
	}
	struct quantity sidecars = quantity_from_int(0, QUANTITY_DECIMAL_SI);
	struct quantity init_max = quantity_from_int(0, QUANTITY_DECIMAL_SI);
	for (size_t i = 0; i < spec->init_containers.len; i++) {
		const struct container *ctr = &spec->init_containers.items[i];
		struct quantity q = container_request(ctr, name, floor);
		struct quantity running;
		if (str_eq(ctr->restart_policy, "Always")) {
			quantity_add(&total, &q);
			quantity_add(&sidecars, &q);
			running = sidecars;
		} else {
			running = q;
			quantity_add(&running, &sidecars);
		}
		if (quantity_cmp(&running, &init_max) > 0)
			init_max = running;
	}
	if (quantity_cmp(&init_max, &total) > 0)
		total = init_max;
	const struct quantity *overhead = resource_list_get(&spec->overhead, name);
	if (overhead)
		quantity_add(&total, overhead);
	return !strcmp(name, "cpu") ? quantity_milli_value(&total) : quantity_value(&total);
}

static int64_t allocatable_of(const struct node *node, const char *name)
{
	const struct quantity *q = resource_list_get(&node->status.allocatable, name);
	if (!q)
		return 0;
	return !strcmp(name, "cpu") ? quantity_milli_value(q) : quantity_value(q);
}

/* K8S: NodeInfo.Requested (floor false) and NonZeroRequested (floor
 * true, which only cpu and memory have). */
static int64_t node_requested(const struct ref_node *n, const char *name, bool floor)
{
	int64_t sum = 0;
	for (size_t i = 0; i < n->pods_len; i++)
		sum += pod_request(n->pods[i], name, floor);
	return sum;
}

/* The names of the scalar resources the pod's containers mention, sorted
 * (upstream walks a map; kubelab and this reference sort). */
static size_t pod_scalar_names(const struct pod *pod, const char **out, size_t cap)
{
	size_t len = 0;
	const struct pod_spec *spec = &pod->spec;
	const struct resource_list *lists[64];
	size_t lists_len = 0;
	for (size_t i = 0; i < spec->containers.len && lists_len < 63; i++)
		lists[lists_len++] = &spec->containers.items[i].resources.requests;
	for (size_t i = 0; i < spec->init_containers.len && lists_len < 63; i++)
		lists[lists_len++] = &spec->init_containers.items[i].resources.requests;
	lists[lists_len++] = &spec->overhead;
	for (size_t l = 0; l < lists_len; l++) {
		for (size_t i = 0; i < lists[l]->len; i++) {
			const char *name = lists[l]->items[i].name;
			bool seen = false;
			for (size_t k = 0; k < len; k++)
				seen = seen || !strcmp(out[k], name);
			if (!seen && is_scalar_resource(name) && len < cap)
				out[len++] = name;
		}
	}
	for (size_t i = 1; i < len; i++)	/* insertion sort: a handful */
		for (size_t k = i; k > 0 && strcmp(out[k - 1], out[k]) > 0; k--) {
			const char *t = out[k];
			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return len;
}

/* ---- taints and tolerations ---------------------------------------------- */

/* K8S: Toleration.ToleratesTaint */
static bool tolerates(const struct toleration *t, const struct taint *taint)
{
	if (t->effect && *t->effect && !str_eq(t->effect, taint->effect))
		return false;
	if (t->key && *t->key && !str_eq(t->key, taint->key))
		return false;
	if (!t->operator || !*t->operator || !strcmp(t->operator, "Equal"))
		return str_eq(t->value, taint->value);
	return !strcmp(t->operator, "Exists");
}

static bool pod_tolerates(const struct pod *pod, const struct taint *taint)
{
	for (size_t i = 0; i < pod->spec.tolerations.len; i++)
		if (tolerates(&pod->spec.tolerations.items[i], taint))
			return true;
	return false;
}

/* ---- Filter plugins ------------------------------------------------------ */

/* K8S: nodeunschedulable.Filter */
static enum sched_code filter_node_unschedulable(const struct ref_cycle *cy,
						 const struct ref_node *n,
						 struct sched_ref_verdict *v)
{
	const struct taint cordon = { .key = "node.kubernetes.io/unschedulable",
				      .effect = "NoSchedule" };
	if (!n->node->spec.unschedulable || pod_tolerates(cy->pod, &cordon))
		return SCHED_SUCCESS;
	return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "node(s) were unschedulable");
}

/* K8S: nodename.Filter */
static enum sched_code filter_node_name(const struct ref_cycle *cy, const struct ref_node *n,
					struct sched_ref_verdict *v)
{
	const char *want = cy->pod->spec.node_name;
	if (!want || !*want || !strcmp(want, n->node->obj.meta.name))
		return SCHED_SUCCESS;
	return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
		      "node(s) didn't match the requested node name");
}

/* K8S: tainttoleration.Filter: the first NoSchedule or NoExecute taint
 * not tolerated. */
static enum sched_code filter_taint_toleration(const struct ref_cycle *cy,
					       const struct ref_node *n,
					       struct sched_ref_verdict *v)
{
	for (size_t i = 0; i < n->node->spec.taints.len; i++) {
		const struct taint *t = &n->node->spec.taints.items[i];
		if (!str_eq(t->effect, "NoSchedule") && !str_eq(t->effect, "NoExecute"))
			continue;
		if (!pod_tolerates(cy->pod, t))
			return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				      "node(s) had untolerated taint {%s: %s}",
				      t->key ? t->key : "", t->value ? t->value : "");
	}
	return SCHED_SUCCESS;
}

/* K8S: NodeSelectorRequirementsAsSelector + Matches, for one
 * requirement on the node's labels. Invalid requirements do not match. */
static bool requirement_matches(const struct selector_requirement_spec *r,
				const struct strmap *labels)
{
	const char *value = strmap_get(labels, r->key ? r->key : "");
	const char *op = r->operator ? r->operator : "";
	bool listed = false;
	for (size_t i = 0; value && i < r->values.len; i++)
		listed = listed || !strcmp(r->values.items[i], value);
	if (!strcmp(op, "In"))
		return r->values.len > 0 && listed;
	if (!strcmp(op, "NotIn"))
		return r->values.len > 0 && !listed;
	if (!strcmp(op, "Exists"))
		return r->values.len == 0 && value != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return r->values.len == 0 && value == NULL;
	if (strcmp(op, "Gt") && strcmp(op, "Lt"))
		return false;
	if (r->values.len != 1 || !value)
		return false;
	char *end;
	errno = 0;
	long long want = strtoll(r->values.items[0], &end, 10);
	if (errno || *end || !*r->values.items[0])
		return false;
	errno = 0;
	long long have = strtoll(value, &end, 10);
	if (errno || *end || !*value)
		return false;
	return !strcmp(op, "Gt") ? have > want : have < want;
}

/* K8S: nodeSelectorTerm.match: all expressions and fields; an empty term
 * matches nothing. The only field is metadata.name. */
static bool term_matches(const struct node_selector_term *term, const struct node *node)
{
	if (term->match_expressions.len == 0 && term->match_fields.len == 0)
		return false;
	for (size_t i = 0; i < term->match_expressions.len; i++)
		if (!requirement_matches(&term->match_expressions.items[i], &node->obj.meta.labels))
			return false;
	for (size_t i = 0; i < term->match_fields.len; i++) {
		const struct selector_requirement_spec *r = &term->match_fields.items[i];
		if (!str_eq(r->key, "metadata.name") || r->values.len != 1)
			return false;
		bool equal = !strcmp(r->values.items[0], node->obj.meta.name);
		if (str_eq(r->operator, "In") ? !equal : str_eq(r->operator, "NotIn") ? equal : true)
			return false;
	}
	return true;
}

/* K8S: RequiredNodeAffinity.Match: every nodeSelector pair is a label
 * of the node, and some required term (if any) matches it. */
static bool required_node_affinity_matches(const struct pod *pod, const struct node *node)
{
	const struct pod_spec *spec = &pod->spec;
	for (size_t i = 0; i < spec->node_selector.len; i++) {
		const struct strpair *p = &spec->node_selector.items[i];
		const char *have = strmap_get(&node->obj.meta.labels, p->key);
		if (!have || strcmp(have, p->value))
			return false;
	}
	const struct node_selector *required =
		&spec->affinity.node_affinity.required_during_scheduling_ignored_during_execution;
	if (!required->node_selector_terms.len)
		return true;
	for (size_t i = 0; i < required->node_selector_terms.len; i++)
		if (term_matches(&required->node_selector_terms.items[i], node))
			return true;
	return false;
}

/* K8S: nodeaffinity.Filter */
static enum sched_code filter_node_affinity(const struct ref_cycle *cy,
					    const struct ref_node *n,
					    struct sched_ref_verdict *v)
{
	if (required_node_affinity_matches(cy->pod, n->node))
		return SCHED_SUCCESS;
	return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
		      "node(s) didn't match Pod's node affinity/selector");
}

/* K8S: util.GetHostPorts: ports with a hostPort of sidecars, then of app
 * containers. */
static size_t host_ports(const struct pod *pod, const struct container_port **out, size_t cap)
{
	size_t len = 0;
	const struct pod_spec *spec = &pod->spec;
	for (size_t i = 0; i < spec->init_containers.len; i++) {
		const struct container *ctr = &spec->init_containers.items[i];
		if (!str_eq(ctr->restart_policy, "Always"))
			continue;
		for (size_t k = 0; k < ctr->ports.len; k++)
			if (ctr->ports.items[k].host_port > 0 && len < cap)
				out[len++] = &ctr->ports.items[k];
	}
	for (size_t i = 0; i < spec->containers.len; i++) {
		const struct container *ctr = &spec->containers.items[i];
		for (size_t k = 0; k < ctr->ports.len; k++)
			if (ctr->ports.items[k].host_port > 0 && len < cap)
				out[len++] = &ctr->ports.items[k];
	}
	return len;
}

/* K8S: HostPortInfo.CheckConflict for two ports: same protocol (default
 * TCP) and port, and the same address or either one 0.0.0.0 (default). */
static bool ports_clash(const struct container_port *a, const struct container_port *b)
{
	const char *pa = a->protocol && *a->protocol ? a->protocol : "TCP";
	const char *pb = b->protocol && *b->protocol ? b->protocol : "TCP";
	const char *ia = a->host_ip && *a->host_ip ? a->host_ip : "0.0.0.0";
	const char *ib = b->host_ip && *b->host_ip ? b->host_ip : "0.0.0.0";
	if (a->host_port != b->host_port || strcmp(pa, pb))
		return false;
	return !strcmp(ia, ib) || !strcmp(ia, "0.0.0.0") || !strcmp(ib, "0.0.0.0");
}

/* K8S: nodeports.Filter (fitsPorts) */
static enum sched_code filter_node_ports(const struct ref_cycle *cy, const struct ref_node *n,
					 struct sched_ref_verdict *v)
{
	const struct container_port *want[64], *used[64];
	size_t want_len = host_ports(cy->pod, want, 64);
	for (size_t i = 0; i < n->pods_len; i++) {
		size_t used_len = host_ports(n->pods[i], used, 64);
		for (size_t w = 0; w < want_len; w++)
			for (size_t u = 0; u < used_len; u++)
				if (ports_clash(used[u], want[w]))
					return reject(v, SCHED_UNSCHEDULABLE,
						      "node(s) didn't have free ports for the requested pod ports");
	}
	return SCHED_SUCCESS;
}

/* One resource of NodeResourcesFit's filter: short when the pod wants
 * more than is left; unresolvable when more than the node has at all. */
static void fit_check(struct sched_ref_verdict *v, const char *name, int64_t want,
		      int64_t allocatable, int64_t requested, bool positive_only)
{
	if (positive_only && want <= 0)
		return;
	if (want > allocatable - requested)
		reject(v, want > allocatable ? SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
		       : SCHED_UNSCHEDULABLE, "Insufficient %s", name);
}

/* K8S: noderesources.Fit.Filter (fitsRequest) */
static enum sched_code filter_fit(const struct ref_cycle *cy, const struct ref_node *n,
				  struct sched_ref_verdict *v)
{
	const struct pod *pod = cy->pod;
	if ((int64_t)n->pods_len + 1 > allocatable_of(n->node, "pods"))
		reject(v, SCHED_UNSCHEDULABLE, "Too many pods");
	const char *scalars[16];
	size_t scalars_len = pod_scalar_names(pod, scalars, 16);
	int64_t cpu = pod_request(pod, "cpu", false);
	int64_t memory = pod_request(pod, "memory", false);
	int64_t storage = pod_request(pod, "ephemeral-storage", false);
	if (cpu == 0 && memory == 0 && storage == 0 && scalars_len == 0)
		return v->code;
	fit_check(v, "cpu", cpu, allocatable_of(n->node, "cpu"), node_requested(n, "cpu", false),
		  true);
	fit_check(v, "memory", memory, allocatable_of(n->node, "memory"),
		  node_requested(n, "memory", false), true);
	fit_check(v, "ephemeral-storage", storage, allocatable_of(n->node, "ephemeral-storage"),
		  node_requested(n, "ephemeral-storage", false), true);
	for (size_t i = 0; i < scalars_len; i++) {
		int64_t want = pod_request(pod, scalars[i], false);
		if (want == 0)
			continue;
		fit_check(v, scalars[i], want, allocatable_of(n->node, scalars[i]),
			  node_requested(n, scalars[i], false), false);
	}
	return v->code;
}

/* ---- PodTopologySpread --------------------------------------------------- */

static bool label_selector_matches(const struct label_selector *sel,
				   const struct strmap *labels);

/* K8S: FindMatchingUntoleratedTaint over the NoSchedule and NoExecute
 * taints. */
static bool has_untolerated_hard_taint(const struct pod *pod, const struct node *node)
{
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *t = &node->spec.taints.items[i];
		if ((str_eq(t->effect, "NoSchedule") || str_eq(t->effect, "NoExecute")) &&
		    !pod_tolerates(pod, t))
			return true;
	}
	return false;
}

/* K8S: topologySpreadConstraint.matchNodeInclusionPolicies:
 * nodeAffinityPolicy Honor (the default) counts only nodes the pod's
 * nodeSelector and required node affinity accept; nodeTaintsPolicy Honor
 * (default Ignore) only nodes whose hard taints it tolerates. */
static bool spread_includes(const struct topology_spread_constraint *c, const struct pod *pod,
			    const struct node *node)
{
	if (!str_eq(c->node_affinity_policy, "Ignore") &&
	    !required_node_affinity_matches(pod, node))
		return false;
	if (str_eq(c->node_taints_policy, "Honor") && has_untolerated_hard_taint(pod, node))
		return false;
	return true;
}

/* K8S: nodeLabelsMatchSpreadConstraints: the node has every constraint's
 * topology key (of the constraints with action). */
static bool has_all_spread_keys(const struct pod *pod, const struct node *node,
				const char *action)
{
	const struct pod_spec *spec = &pod->spec;
	for (size_t i = 0; i < spec->topology_spread_constraints.len; i++) {
		const struct topology_spread_constraint *c = &spec->topology_spread_constraints.items[i];
		if (str_eq(c->when_unsatisfiable ? c->when_unsatisfiable : "DoNotSchedule", action) &&
		    !strmap_get(&node->obj.meta.labels, c->topology_key ? c->topology_key : ""))
			return false;
	}
	return true;
}

/* K8S: countPodsMatchSelector: pods of the pod's namespace, not being
 * deleted, that the constraint's selector matches. */
static int64_t spread_count(const struct topology_spread_constraint *c, const struct pod *pod,
			    const struct pod *const *pods, size_t len)
{
	int64_t count = 0;
	for (size_t i = 0; i < len; i++)
		if (!pods[i]->obj.meta.deletion_timestamp &&
		    str_eq(pods[i]->obj.meta.namespace, pod->obj.meta.namespace) &&
		    label_selector_matches(&c->label_selector, &pods[i]->obj.meta.labels))
			count++;
	return count;
}

static void pods_of(const struct sched_ref_cluster *c, size_t m, const struct ref_node *n,
		    const struct pod *const **pods, size_t *len);

/* One eligible node's topology value and matching pods. */
struct domain_count {
	const char *value;
	int64_t count;
};

static int compare_domain_counts(const void *a, const void *b)
{
	return strcmp(((const struct domain_count *)a)->value,
		      ((const struct domain_count *)b)->value);
}

/* K8S: podtopologyspread.Filter with calPreFilterState: for each
 * DoNotSchedule constraint, the node needs its topology label; then the
 * matching pods in its domain, plus one if the pod matches itself, minus
 * the fewest in any eligible domain (0 when there are fewer eligible
 * domains than minDomains) must not exceed maxSkew. Eligible nodes: all
 * the constraints' keys, and the inclusion policies. */
static enum sched_code filter_topology_spread(const struct ref_cycle *cy,
					      const struct ref_node *n,
					      struct sched_ref_verdict *v)
{
	const struct pod *pod = cy->pod;
	const struct sched_ref_cluster *c = cy->c;
	const struct pod_spec *spec = &pod->spec;
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++) {
		const struct topology_spread_constraint *tsc = &spec->topology_spread_constraints.items[k];
		if (!str_eq(tsc->when_unsatisfiable ? tsc->when_unsatisfiable : "DoNotSchedule",
			    "DoNotSchedule"))
			continue;
		const char *key = tsc->topology_key ? tsc->topology_key : "";
		const char *here = strmap_get(&n->node->obj.meta.labels, key);
		if (!here)
			return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				      "node(s) didn't match pod topology spread constraints (missing required label)");
		/* The count per domain, over the eligible nodes: one entry per
		 * node, sorted by value, then each run of equal values summed. */
		struct domain_count *per_node = xcalloc(c->nodes_len + 1, sizeof(*per_node));
		size_t eligible = 0;
		for (size_t m = 0; m < c->nodes_len; m++) {
			const struct node *node = c->nodes[m];
			if (!has_all_spread_keys(pod, node, "DoNotSchedule") ||
			    !spread_includes(tsc, pod, node))
				continue;
			const struct pod *const *pods;
			size_t len;
			pods_of(c, m, n, &pods, &len);
			per_node[eligible++] = (struct domain_count){
				strmap_get(&node->obj.meta.labels, key),
				spread_count(tsc, pod, pods, len),
			};
		}
		qsort(per_node, eligible, sizeof(*per_node), compare_domain_counts);
		int64_t min = INT64_MAX, match = 0;
		size_t domains = 0;
		for (size_t i = 0; i < eligible;) {
			size_t j = i;
			int64_t sum = 0;
			while (j < eligible && !strcmp(per_node[j].value, per_node[i].value))
				sum += per_node[j++].count;
			domains++;
			min = sum < min ? sum : min;
			if (!strcmp(per_node[i].value, here))
				match = sum;
			i = j;
		}
		int64_t min_domains = tsc->min_domains.is_set ? tsc->min_domains.value : 1;
		if ((int64_t)domains < min_domains)
			min = 0;
		free(per_node);
		int64_t self = label_selector_matches(&tsc->label_selector, &pod->obj.meta.labels);
		if (match + self - min > tsc->max_skew)
			return reject(v, SCHED_UNSCHEDULABLE,
				      "node(s) didn't match pod topology spread constraints");
	}
	return SCHED_SUCCESS;
}

/* ---- InterPodAffinity ---------------------------------------------------- */

/* K8S: metav1.LabelSelectorAsSelector + Matches. kubelab cannot tell an
 * absent selector from an empty one and reads both as absent, which
 * selects nothing (Go's nil). */
static bool label_selector_matches(const struct label_selector *sel,
				   const struct strmap *labels)
{
	if (!sel->match_labels.len && !sel->match_expressions.len)
		return false;
	for (size_t i = 0; i < sel->match_labels.len; i++) {
		const char *v = strmap_get(labels, sel->match_labels.items[i].key);
		if (!v || strcmp(v, sel->match_labels.items[i].value))
			return false;
	}
	for (size_t i = 0; i < sel->match_expressions.len; i++) {
		const struct selector_requirement_spec *r = &sel->match_expressions.items[i];
		const char *v = strmap_get(labels, r->key ? r->key : "");
		bool listed = false;
		for (size_t k = 0; v && k < r->values.len; k++)
			listed = listed || !strcmp(r->values.items[k], v);
		const char *op = r->operator ? r->operator : "";
		bool ok = !strcmp(op, "In") ? listed : !strcmp(op, "NotIn") ? !listed
			: !strcmp(op, "Exists") ? v != NULL
			: !strcmp(op, "DoesNotExist") ? v == NULL : false;
		if (!ok)
			return false;
	}
	return true;
}

/* K8S: AffinityTerm.Matches for a term of owner's: other is in one of the
 * term's namespaces (owner's own when it lists none and has no
 * namespaceSelector) and its labels match the labelSelector. (The tests
 * use one namespace and no namespaceSelector.) */
static bool pod_term_matches(const struct pod_affinity_term *term, const struct pod *owner,
			     const struct pod *other)
{
	bool in = false;
	if (!term->namespaces.len && !term->namespace_selector.match_labels.len &&
	    !term->namespace_selector.match_expressions.len)
		in = str_eq(owner->obj.meta.namespace, other->obj.meta.namespace);
	for (size_t i = 0; i < term->namespaces.len; i++)
		in = in || str_eq(term->namespaces.items[i], other->obj.meta.namespace);
	return in && label_selector_matches(&term->label_selector, &other->obj.meta.labels);
}

/* The pods counted on c->nodes[m] in this question: the node's own list
 * (nominated pods included) for the node asked about, the bound pods
 * elsewhere. */
static void pods_of(const struct sched_ref_cluster *c, size_t m, const struct ref_node *n,
		    const struct pod *const **pods, size_t *len)
{
	if (c->nodes[m] == n->node) {
		*pods = n->pods;
		*len = n->pods_len;
	} else {
		*pods = c->bound[m].pods;
		*len = c->bound[m].len;
	}
}

/* A test of one existing pod against the incoming pod's terms. */
typedef bool (*ref_pod_test)(const struct pod *incoming, const struct pod *existing,
			     const void *arg);

/* K8S: podMatchesAllAffinityTerms: existing matches every required
 * affinity term of incoming's (and there is at least one). */
static bool matches_all_required_affinity(const struct pod *incoming, const struct pod *existing,
					  const void *arg)
{
	(void)arg;
	const struct pod_affinity *pa = &incoming->spec.affinity.pod_affinity;
	size_t len = pa->required_during_scheduling_ignored_during_execution.len;
	for (size_t t = 0; t < len; t++)
		if (!pod_term_matches(&pa->required_during_scheduling_ignored_during_execution.items[t],
				      incoming, existing))
			return false;
	return len > 0;
}

static bool matches_anti_term(const struct pod *incoming, const struct pod *existing,
			      const void *arg)
{
	return pod_term_matches(arg, incoming, existing);
}

/* How many pods pass test on the nodes whose label key is value (any
 * value when value is NULL). */
static int64_t count_in_domain(const struct ref_cycle *cy, const struct ref_node *n,
			       ref_pod_test test, const void *arg,
			       const char *key, const char *value)
{
	const struct sched_ref_cluster *c = cy->c;
	int64_t count = 0;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const char *v = strmap_get(&c->nodes[m]->obj.meta.labels, key);
		if (!v || (value && strcmp(v, value)))
			continue;
		const struct pod *const *pods;
		size_t len;
		pods_of(c, m, n, &pods, &len);
		for (size_t i = 0; i < len; i++)
			count += test(cy->pod, pods[i], arg);
	}
	return count;
}

/* K8S: interpodaffinity.Filter: satisfyPodAffinity,
 * satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity, in that
 * order. */
static enum sched_code filter_inter_pod_affinity(const struct ref_cycle *cy,
						 const struct ref_node *n,
						 struct sched_ref_verdict *v)
{
	const struct pod *pod = cy->pod;
	const struct strmap *labels = &n->node->obj.meta.labels;
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	size_t terms = pa->required_during_scheduling_ignored_during_execution.len;
	/* Affinity: the node has every term's topology label, and each of
	 * its domains holds a pod matching all the terms -- or no such pod
	 * exists anywhere and the pod matches its terms itself (the first of
	 * a group that attracts itself). */
	bool labelled = true, found = true;
	for (size_t t = 0; t < terms; t++) {
		const char *key = pa->required_during_scheduling_ignored_during_execution.items[t].topology_key;
		const char *value = strmap_get(labels, key ? key : "");
		if (!value)
			labelled = false;
		else if (count_in_domain(cy, n, matches_all_required_affinity, NULL, key, value) <= 0)
			found = false;
	}
	if (terms && (!labelled || !found)) {
		bool anywhere = false;
		for (size_t t = 0; t < terms && !anywhere; t++) {
			const char *key = pa->required_during_scheduling_ignored_during_execution.items[t].topology_key;
			anywhere = count_in_domain(cy, n, matches_all_required_affinity, NULL,
						   key ? key : "", NULL) > 0;
		}
		if (!labelled || anywhere || !matches_all_required_affinity(pod, pod, NULL))
			return reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				      "node(s) didn't match pod affinity rules");
	}
	/* Anti-affinity: no term's domain here holds a pod it matches. */
	const struct pod_affinity *anti = &pod->spec.affinity.pod_anti_affinity;
	for (size_t t = 0; t < anti->required_during_scheduling_ignored_during_execution.len; t++) {
		const struct pod_affinity_term *term =
			&anti->required_during_scheduling_ignored_during_execution.items[t];
		const char *value = strmap_get(labels, term->topology_key ? term->topology_key : "");
		if (value && count_in_domain(cy, n, matches_anti_term, term,
					     term->topology_key, value) > 0)
			return reject(v, SCHED_UNSCHEDULABLE,
				      "node(s) didn't match pod anti-affinity rules");
	}
	/* Existing pods' anti-affinity: no pod in a domain this node is part
	 * of has a required anti-affinity term (under that term's topology
	 * key) matching the incoming pod. */
	const struct sched_ref_cluster *c = cy->c;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const struct pod *const *pods;
		size_t len;
		pods_of(c, m, n, &pods, &len);
		for (size_t i = 0; i < len; i++) {
			const struct pod_affinity *ea = &pods[i]->spec.affinity.pod_anti_affinity;
			for (size_t t = 0; t < ea->required_during_scheduling_ignored_during_execution.len; t++) {
				const struct pod_affinity_term *term =
					&ea->required_during_scheduling_ignored_during_execution.items[t];
				const char *key = term->topology_key ? term->topology_key : "";
				const char *there = strmap_get(&c->nodes[m]->obj.meta.labels, key);
				const char *here = strmap_get(labels, key);
				if (there && here && !strcmp(there, here) &&
				    pod_term_matches(term, pods[i], pod))
					return reject(v, SCHED_UNSCHEDULABLE,
						      "node(s) didn't satisfy existing pods anti-affinity rules");
			}
		}
	}
	return SCHED_SUCCESS;
}

/* ---- Score plugins ------------------------------------------------------- */

/* K8S: helper.DefaultNormalizeScore */
static void default_normalize(bool reverse, int64_t *scores, size_t len)
{
	int64_t max = 0;
	for (size_t i = 0; i < len; i++)
		if (scores[i] > max)
			max = scores[i];
	for (size_t i = 0; i < len; i++) {
		if (max == 0) {
			scores[i] = reverse ? SCHED_MAX_NODE_SCORE : scores[i];
			continue;
		}
		int64_t s = SCHED_MAX_NODE_SCORE * scores[i] / max;
		scores[i] = reverse ? SCHED_MAX_NODE_SCORE - s : s;
	}
}

/* K8S: tainttoleration.Score: PreferNoSchedule taints the pod's
 * tolerations with effect "" or PreferNoSchedule do not tolerate;
 * normalized in reverse. */
static bool score_taint_toleration(const struct ref_cycle *cy, const struct ref_node *nodes,
				   size_t len, int64_t *raw, int64_t *normalized)
{
	for (size_t i = 0; i < len; i++) {
		raw[i] = 0;
		for (size_t t = 0; t < nodes[i].node->spec.taints.len; t++) {
			const struct taint *taint = &nodes[i].node->spec.taints.items[t];
			if (!str_eq(taint->effect, "PreferNoSchedule"))
				continue;
			bool tolerated = false;
			for (size_t k = 0; k < cy->pod->spec.tolerations.len; k++) {
				const struct toleration *tol = &cy->pod->spec.tolerations.items[k];
				if ((str_eq(tol->effect, "") || str_eq(tol->effect, "PreferNoSchedule")) &&
				    tolerates(tol, taint))
					tolerated = true;
			}
			raw[i] += !tolerated;
		}
		normalized[i] = raw[i];
	}
	default_normalize(true, normalized, len);
	return true;
}

/* K8S: nodeaffinity.Score: the weights of the preferred terms the node
 * matches; Skip without preferred terms. */
static bool score_node_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
				size_t len, int64_t *raw, int64_t *normalized)
{
	const struct node_affinity *na = &cy->pod->spec.affinity.node_affinity;
	if (na->preferred_during_scheduling_ignored_during_execution.len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		raw[i] = 0;
		for (size_t k = 0; k < na->preferred_during_scheduling_ignored_during_execution.len; k++) {
			const struct preferred_scheduling_term *t =
				&na->preferred_during_scheduling_ignored_during_execution.items[k];
			if (t->weight != 0 && term_matches(&t->preference, nodes[i].node))
				raw[i] += t->weight;
		}
		normalized[i] = raw[i];
	}
	default_normalize(false, normalized, len);
	return true;
}

/* K8S: calculateResourceAllocatableRequest: the node's allocatable and
 * (booked + pod) of one resource; (0, 0) -- left out -- for a scalar the
 * pod does not request or a resource the node does not have. floor: the
 * non-zero sums for cpu and memory (Fit) or the real ones (Balanced). */
static void alloc_pair(const struct ref_node *n, const struct pod *pod, const char *name,
		       bool floor, int64_t *requested, int64_t *allocatable)
{
	bool cpu_memory = !strcmp(name, "cpu") || !strcmp(name, "memory");
	int64_t want = pod_request(pod, name, floor && cpu_memory);
	*requested = *allocatable = 0;
	if (!cpu_memory && strcmp(name, "ephemeral-storage") && !is_scalar_resource(name))
		return;
	if (is_scalar_resource(name) && want == 0)
		return;
	int64_t have = allocatable_of(n->node, name);
	if (have == 0)
		return;
	*allocatable = have;
	*requested = want + node_requested(n, name, floor && cpu_memory);
}

/* K8S: helper.BuildBrokenLinearFunction at p (scores already 0..100). */
static int64_t broken_linear(const struct sched_fit_args *a, int64_t p)
{
	const int64_t scale = SCHED_MAX_NODE_SCORE / SCHED_MAX_CUSTOM_PRIORITY_SCORE;
	for (size_t i = 0; i < a->shape_len; i++) {
		if (p > a->shape[i].utilization)
			continue;
		if (i == 0)
			return a->shape[0].score * scale;
		int64_t u0 = a->shape[i - 1].utilization, u1 = a->shape[i].utilization;
		int64_t s0 = a->shape[i - 1].score * scale, s1 = a->shape[i].score * scale;
		return s0 + (s1 - s0) * (p - u0) / (u1 - u0);
	}
	return a->shape[a->shape_len - 1].score * scale;
}

/* K8S: noderesources.Fit.Score with the three strategies
 * (leastResourceScorer, mostResourceScorer,
 * requestedToCapacityRatioScorer). */
static bool score_fit(const struct ref_cycle *cy, const struct ref_node *nodes, size_t len,
		      int64_t *raw, int64_t *normalized)
{
	struct sched_fit_args defaults;
	sched_fit_args_default(&defaults);
	const struct sched_fit_args *a = cy->c->fit_args ? cy->c->fit_args : &defaults;
	const struct sched_fit_args *res = a->resources_len ? a : &defaults;
	if (a->strategy == SCHED_REQUESTED_TO_CAPACITY_RATIO && a->shape_len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int64_t sum = 0, weights = 0;
		for (size_t r = 0; r < res->resources_len; r++) {
			int64_t weight = res->resources[r].weight ? res->resources[r].weight : 1;
			int64_t requested, allocatable, s;
			alloc_pair(&nodes[i], cy->pod, res->resources[r].name, true,
				   &requested, &allocatable);
			if (allocatable == 0)
				continue;
			switch (a->strategy) {
			case SCHED_LEAST_ALLOCATED:
				s = requested > allocatable ? 0
					: (allocatable - requested) * SCHED_MAX_NODE_SCORE / allocatable;
				break;
			case SCHED_MOST_ALLOCATED:
				s = (requested > allocatable ? allocatable : requested) *
					SCHED_MAX_NODE_SCORE / allocatable;
				break;
			default:
				s = broken_linear(a, requested > allocatable ? 100
						  : requested * 100 / allocatable);
				if (s <= 0)
					continue;	/* RTCR: zero scores do not count */
				break;
			}
			sum += s * weight;
			weights += weight;
		}
		if (weights == 0)
			raw[i] = 0;
		else if (a->strategy == SCHED_REQUESTED_TO_CAPACITY_RATIO)
			raw[i] = (int64_t)round((double)sum / (double)weights);
		else
			raw[i] = sum / weights;
		normalized[i] = raw[i];	/* no NormalizeScore */
	}
	return true;
}

/* K8S: BalancedAllocation.Score (balancedResourceScorer): 100 times one
 * minus the standard deviation of the booked fractions; Skip for a pod
 * requesting none of the resources. */
static bool score_balanced(const struct ref_cycle *cy, const struct ref_node *nodes,
			   size_t len, int64_t *raw, int64_t *normalized)
{
	struct sched_balanced_args defaults;
	sched_balanced_args_default(&defaults);
	const struct sched_balanced_args *a = cy->c->balanced_args &&
		cy->c->balanced_args->resources_len ? cy->c->balanced_args : &defaults;
	bool any = false;
	for (size_t r = 0; r < a->resources_len; r++)
		any = any || pod_request(cy->pod, a->resources[r].name, false) != 0;
	if (!any)
		return false;
	for (size_t i = 0; i < len; i++) {
		double fractions[SCHED_ARGS_RESOURCES_MAX], total = 0;
		size_t n = 0;
		for (size_t r = 0; r < a->resources_len; r++) {
			int64_t requested, allocatable;
			alloc_pair(&nodes[i], cy->pod, a->resources[r].name, false,
				   &requested, &allocatable);
			if (allocatable == 0)
				continue;
			double f = (double)requested / (double)allocatable;
			fractions[n++] = f > 1 ? 1 : f;
			total += fractions[n - 1];
		}
		double std = 0;
		if (n == 2) {
			std = fabs((fractions[0] - fractions[1]) / 2);
		} else if (n > 2) {
			double mean = total / (double)n, sq = 0;
			for (size_t k = 0; k < n; k++)
				sq += (fractions[k] - mean) * (fractions[k] - mean);
			std = sqrt(sq / (double)n);
		}
		raw[i] = normalized[i] = (int64_t)((1 - std) * (double)SCHED_MAX_NODE_SCORE);
	}
	return true;
}

/* K8S: podtopologyspread PreScore + Score + NormalizeScore for the
 * pod's ScheduleAnyway constraints (the tests give their pods no owner,
 * so the system default constraints never apply). Feasible nodes without
 * every key are ignored (score 0). Per constraint, a node scores
 * count * log(domains + 2) + maxSkew - 1, where count is the matching
 * pods in its domain over the eligible nodes (hostname: on the node
 * itself) and domains the number of the feasible nodes' values (for
 * hostname the number of feasible nodes not ignored); the sum is
 * rounded, then reversed against the highest: fewer matching pods
 * around, higher score. */
static bool score_topology_spread(const struct ref_cycle *cy, const struct ref_node *nodes,
				  size_t len, int64_t *raw, int64_t *normalized)
{
	const struct pod *pod = cy->pod;
	const struct sched_ref_cluster *c = cy->c;
	const struct pod_spec *spec = &pod->spec;
	size_t soft = 0;
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++)
		soft += str_eq(spec->topology_spread_constraints.items[k].when_unsatisfiable,
			       "ScheduleAnyway");
	if (soft == 0 || len == 0)
		return false;
	bool *ignored = xcalloc(len + 1, sizeof(*ignored));
	size_t ignored_len = 0;
	for (size_t i = 0; i < len; i++) {
		ignored[i] = !has_all_spread_keys(pod, nodes[i].node, "ScheduleAnyway");
		ignored_len += ignored[i];
	}
	double *score = xcalloc(len + 1, sizeof(*score));
	for (size_t k = 0; k < spec->topology_spread_constraints.len; k++) {
		const struct topology_spread_constraint *tsc = &spec->topology_spread_constraints.items[k];
		if (!str_eq(tsc->when_unsatisfiable, "ScheduleAnyway"))
			continue;
		const char *key = tsc->topology_key ? tsc->topology_key : "";
		bool hostname = !strcmp(key, "kubernetes.io/hostname");
		/* the domains: the values of the feasible nodes not ignored */
		size_t domains = 0;
		for (size_t i = 0; i < len; i++) {
			if (ignored[i])
				continue;
			const char *value = strmap_get(&nodes[i].node->obj.meta.labels, key);
			bool seen = false;
			for (size_t j = 0; j < i && !seen; j++)
				seen = !ignored[j] && str_eq(value,
					strmap_get(&nodes[j].node->obj.meta.labels, key));
			domains += !seen;
		}
		if (hostname)
			domains = len - ignored_len;
		double weight = log((double)(domains + 2));
		for (size_t i = 0; i < len; i++) {
			const char *value = strmap_get(&nodes[i].node->obj.meta.labels, key);
			if (ignored[i] || !value)
				continue;
			int64_t count = 0;
			if (hostname) {
				count = spread_count(tsc, pod, nodes[i].pods, nodes[i].pods_len);
			} else {
				for (size_t m = 0; m < c->nodes_len; m++) {
					const struct node *node = c->nodes[m];
					if (!has_all_spread_keys(pod, node, "ScheduleAnyway") ||
					    !spread_includes(tsc, pod, node) ||
					    !str_eq(strmap_get(&node->obj.meta.labels, key), value))
						continue;
					count += spread_count(tsc, pod, c->bound[m].pods, c->bound[m].len);
				}
			}
			score[i] += (double)count * weight + (double)(tsc->max_skew - 1);
		}
	}
	int64_t min = INT64_MAX, max = 0;
	for (size_t i = 0; i < len; i++) {
		raw[i] = ignored[i] ? 0 : (int64_t)round(score[i]);
		if (ignored[i])
			continue;
		min = raw[i] < min ? raw[i] : min;
		max = raw[i] > max ? raw[i] : max;
	}
	for (size_t i = 0; i < len; i++)
		normalized[i] = ignored[i] ? 0 : max == 0 ? SCHED_MAX_NODE_SCORE
			: SCHED_MAX_NODE_SCORE * (max + min - raw[i]) / max;
	free(ignored);
	free(score);
	return true;
}

/* One weighted term that matched: amount for every node in the domain
 * (key, value) of the existing pod's node. */
struct ipa_contribution {
	const char *key, *value;
	int64_t amount;
};

/* K8S: scoreMap.processTerm: when term (of owner's) matches other and
 * the node `at` (the existing pod's) has the term's topology label. */
static void ipa_add(struct ipa_contribution **list, size_t *len, const struct pod_affinity_term *term,
		    const struct pod *owner, const struct pod *other, const struct node *at,
		    int64_t amount)
{
	if (!pod_term_matches(term, owner, other))
		return;
	const char *key = term->topology_key ? term->topology_key : "";
	const char *value = strmap_get(&at->obj.meta.labels, key);
	if (!value)
		return;
	*list = xrealloc(*list, (*len + 1) * sizeof(**list));
	(*list)[(*len)++] = (struct ipa_contribution){ key, value, amount };
}

/* K8S: interpodaffinity PreScore (processExistingPod over every pod of
 * every node: the incoming pod's preferred terms, the existing pods'
 * required affinity terms times hardPodAffinityWeight and their preferred
 * terms), Score (the sum over the domains the node is in) and
 * NormalizeScore (min-max to 0..100). Skip when no term matched at all. */
static bool score_inter_pod_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
				     size_t len, int64_t *raw, int64_t *normalized)
{
	const struct sched_ref_cluster *c = cy->c;
	const struct pod *pod = cy->pod;
	int64_t hard = c->inter_pod_affinity_args
		? c->inter_pod_affinity_args->hard_pod_affinity_weight : 1;
	bool ignore_existing = c->inter_pod_affinity_args &&
		c->inter_pod_affinity_args->ignore_preferred_terms_of_existing_pods;
	const struct pod_affinity *pa = &pod->spec.affinity.pod_affinity;
	const struct pod_affinity *panti = &pod->spec.affinity.pod_anti_affinity;
	bool constraints = pa->preferred_during_scheduling_ignored_during_execution.len ||
		panti->preferred_during_scheduling_ignored_during_execution.len;
	if (ignore_existing && !constraints)
		return false;
	struct ipa_contribution *list = NULL;
	size_t list_len = 0;
	for (size_t m = 0; m < c->nodes_len; m++) {
		const struct node *at = c->nodes[m];
		if (!at->obj.meta.labels.len)
			continue;
		for (size_t i = 0; i < c->bound[m].len; i++) {
			const struct pod *e = c->bound[m].pods[i];
			for (size_t t = 0; t < pa->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&pa->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, pod, e, at, w->weight);
			}
			for (size_t t = 0; t < panti->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&panti->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, pod, e, at, -w->weight);
			}
			const struct pod_affinity *ea = &e->spec.affinity.pod_affinity;
			const struct pod_affinity *eanti = &e->spec.affinity.pod_anti_affinity;
			if (hard > 0)
				for (size_t t = 0; t < ea->required_during_scheduling_ignored_during_execution.len; t++)
					ipa_add(&list, &list_len,
						&ea->required_during_scheduling_ignored_during_execution.items[t],
						e, pod, at, hard);
			if (ignore_existing)
				continue;
			for (size_t t = 0; t < ea->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&ea->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, e, pod, at, w->weight);
			}
			for (size_t t = 0; t < eanti->preferred_during_scheduling_ignored_during_execution.len; t++) {
				const struct weighted_pod_affinity_term *w =
					&eanti->preferred_during_scheduling_ignored_during_execution.items[t];
				ipa_add(&list, &list_len, &w->pod_affinity_term, e, pod, at, -w->weight);
			}
		}
	}
	if (list_len == 0)
		return false;
	int64_t min = INT64_MAX, max = INT64_MIN;
	for (size_t i = 0; i < len; i++) {
		raw[i] = 0;
		for (size_t k = 0; k < list_len; k++) {
			const char *v = strmap_get(&nodes[i].node->obj.meta.labels, list[k].key);
			if (v && !strcmp(v, list[k].value))
				raw[i] += list[k].amount;
		}
		min = raw[i] < min ? raw[i] : min;
		max = raw[i] > max ? raw[i] : max;
	}
	for (size_t i = 0; i < len; i++)
		normalized[i] = max > min ? (int64_t)((double)SCHED_MAX_NODE_SCORE *
						      ((double)(raw[i] - min) / (double)(max - min)))
			: 0;
	free(list);
	return true;
}

/* K8S: normalizedImageName */
static void image_name(const char *image, char *out, size_t size)
{
	const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
	bool tagged = colon && (!slash || colon > slash);
	snprintf(out, size, "%s%s", image, tagged ? "" : ":latest");
}

/* Whether node reports the image name in status.images; the size it
 * reports in *size. */
static bool node_has_image(const struct node *node, const char *name, int64_t *size)
{
	const struct node_status *st = &node->status;
	for (size_t a = 0; a < st->images.len; a++)
		for (size_t b = 0; b < st->images.items[a].names.len; b++)
			if (!strcmp(st->images.items[a].names.items[b], name)) {
				*size = st->images.items[a].size_bytes;
				return true;
			}
	return false;
}

/* K8S: imagelocality.Score: per container (init ones too) whose image the
 * node reports, the image's size (as the first node reporting it says:
 * the cache's ImageStateSummary) times the share of nodes that have it;
 * the sum clamped to 23Mi..1000Mi per container and scaled to 0..100. */
static bool score_image_locality(const struct ref_cycle *cy, const struct ref_node *nodes,
				 size_t len, int64_t *raw, int64_t *normalized)
{
	const int64_t mb = 1024 * 1024, min = 23 * mb, per_container = 1000 * mb;
	const struct sched_ref_cluster *c = cy->c;
	const struct pod_spec *spec = &cy->pod->spec;
	size_t containers = spec->init_containers.len + spec->containers.len;
	char (*names)[512] = xcalloc(containers + 1, sizeof(*names));
	int64_t *scaled = xcalloc(containers + 1, sizeof(*scaled));
	for (size_t k = 0; k < containers; k++) {
		const struct container *ctr = k < spec->init_containers.len
			? &spec->init_containers.items[k]
			: &spec->containers.items[k - spec->init_containers.len];
		image_name(ctr->image ? ctr->image : "", names[k], sizeof(names[k]));
		int64_t size = 0, first = -1, holders = 0;
		for (size_t m = 0; m < c->nodes_len; m++)
			if (node_has_image(c->nodes[m], names[k], &size)) {
				holders++;
				if (first < 0)
					first = size;
			}
		if (holders)
			scaled[k] = (int64_t)((double)first *
					      ((double)holders / (double)c->nodes_len));
	}
	for (size_t i = 0; i < len; i++) {
		int64_t sum = 0, size;
		for (size_t k = 0; k < containers; k++)
			if (node_has_image(nodes[i].node, names[k], &size))
				sum += scaled[k];
		int64_t max = per_container * (int64_t)containers;
		if (sum < min)
			sum = min;
		if (sum > max)
			sum = max;
		raw[i] = normalized[i] = SCHED_MAX_NODE_SCORE * (sum - min) / (max - min);
	}
	free(names);
	free(scaled);
	return true;
}

/* ---- the profile --------------------------------------------------------- */

typedef enum sched_code (*ref_filter_fn)(const struct ref_cycle *cy, const struct ref_node *n,
					 struct sched_ref_verdict *v);
typedef bool (*ref_score_fn)(const struct ref_cycle *cy, const struct ref_node *nodes,
			     size_t len, int64_t *raw, int64_t *normalized);

/* K8S: apis/config/v1/default_plugins.go: the default profile, in order,
 * with the default score weights. */
static const struct ref_plugin {
	const char *name;
	int32_t weight;
	ref_filter_fn filter;
	ref_score_fn score;
} ref_plugins[] = {
	{ "NodeUnschedulable", 0, filter_node_unschedulable, NULL },
	{ "NodeName", 0, filter_node_name, NULL },
	{ "TaintToleration", 3, filter_taint_toleration, score_taint_toleration },
	{ "NodeAffinity", 2, filter_node_affinity, score_node_affinity },
	{ "NodePorts", 0, filter_node_ports, NULL },
	{ "NodeResourcesFit", 1, filter_fit, score_fit },
	{ "PodTopologySpread", 2, filter_topology_spread, score_topology_spread },
	{ "InterPodAffinity", 2, filter_inter_pod_affinity, score_inter_pod_affinity },
	{ "NodeResourcesBalancedAllocation", 1, NULL, score_balanced },
	{ "ImageLocality", 1, NULL, score_image_locality },
};
#define REF_PLUGINS_LEN (sizeof(ref_plugins) / sizeof(ref_plugins[0]))

/* RunFilterPlugins: stops at the first plugin that rejects. */
static void run_filters(const struct ref_cycle *cy, const struct ref_node *n,
			struct sched_ref_verdict *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < REF_PLUGINS_LEN; i++) {
		if (!ref_plugins[i].filter)
			continue;
		if (ref_plugins[i].filter(cy, n, out) != SCHED_SUCCESS) {
			out->plugin = ref_plugins[i].name;
			return;
		}
	}
}

void sched_ref_filter(const struct sched_ref_cluster *c, const struct pod *pod,
		      const struct node *node, struct sched_ref_verdict *out)
{
	struct ref_cycle cy = { c, pod };
	struct ref_node n;
	if (ref_node_init(&n, c, node, pod, true)) {
		run_filters(&cy, &n, out);
		ref_node_release(&n);
		if (out->code != SCHED_SUCCESS)
			return;
	} else {
		ref_node_release(&n);
	}
	ref_node_init(&n, c, node, pod, false);
	run_filters(&cy, &n, out);
	ref_node_release(&n);
}

void sched_ref_score(const struct sched_ref_cluster *c, const struct pod *pod,
		     const struct node *const *nodes, size_t len,
		     struct sched_ref_scores *out)
{
	memset(out, 0, sizeof(*out));
	struct ref_cycle cy = { c, pod };
	struct ref_node *infos = xcalloc(len + 1, sizeof(*infos));
	for (size_t i = 0; i < len; i++)
		ref_node_init(&infos[i], c, nodes[i], pod, false);
	out->nodes_len = len;
	out->raw = xcalloc(len * SCHED_REF_PLUGINS_MAX + 1, sizeof(*out->raw));
	out->normalized = xcalloc(len * SCHED_REF_PLUGINS_MAX + 1, sizeof(*out->normalized));
	out->totals = xcalloc(len + 1, sizeof(*out->totals));
	int64_t *raw = xcalloc(len + 1, sizeof(*raw)), *norm = xcalloc(len + 1, sizeof(*norm));
	for (size_t p = 0; p < REF_PLUGINS_LEN; p++) {
		if (!ref_plugins[p].score)
			continue;
		size_t k = out->plugins_len++;
		out->plugins[k] = ref_plugins[p].name;
		out->weights[k] = ref_plugins[p].weight;
		memset(raw, 0, len * sizeof(*raw));
		memset(norm, 0, len * sizeof(*norm));
		out->skipped[k] = !ref_plugins[p].score(&cy, infos, len, raw, norm);
		for (size_t i = 0; i < len; i++) {
			if (out->skipped[k])
				raw[i] = norm[i] = 0;
			out->raw[i * SCHED_REF_PLUGINS_MAX + k] = raw[i];
			out->normalized[i * SCHED_REF_PLUGINS_MAX + k] = norm[i];
			out->totals[i] += norm[i] * ref_plugins[p].weight;
		}
	}
	free(raw);
	free(norm);
	for (size_t i = 0; i < len; i++)
		ref_node_release(&infos[i]);
	free(infos);
}

void sched_ref_scores_release(struct sched_ref_scores *out)
{
	free(out->raw);
	free(out->normalized);
	free(out->totals);
	memset(out, 0, sizeof(*out));
}
