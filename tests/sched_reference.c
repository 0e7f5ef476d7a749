/* sched_reference.c - the reference scheduler's frame: the snapshot of
 * the cluster, what a pod requests and a node has booked, tolerations,
 * and the default profile run the way the framework runs it.
 *
 * K8S: component-helpers/resource (PodRequests), framework/types.go
 * (NodeInfo's sums), core/v1 toleration.go (ToleratesTaint),
 * apis/config/v1/default_plugins.go (the profile),
 * framework/runtime/framework.go (RunFilterPluginsWithNominatedPods, the
 * weighted sum of the scores), schedule_one.go (numFeasibleNodesToFind).
 *
 * Read it as a list of definitions. Nothing is cached: "the cpu booked on
 * node-3" is a walk over the pods bound to node-3, each pod's request
 * summed from its containers again. Quantities are summed exactly and
 * converted to integers once per pod, as upstream does. Speed is not a
 * goal; a test calls this for every node of every attempt and still runs
 * in seconds.
 *
 * The plugin table (ref_plugins[] at the end) is the default profile in
 * upstream's order with the default weights. A plugin is a row with a
 * filter (one node: Success or a rejection with reasons), a score (every
 * feasible node: raw scores, normalized in place; false when its PreScore
 * would Skip), or both. The plugins are in sched_reference_plugins.c and,
 * for those about other pods, sched_reference_pods.c.
 */
#include "sched_reference.h"
#include "sched_reference_internal.h"

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

bool ref_str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool is_terminal(const struct pod *pod)
{
	return ref_str_eq(pod->status.phase, "Succeeded") || ref_str_eq(pod->status.phase, "Failed");
}

bool ref_is_bound(const struct pod *pod)
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
	long i = ref_is_bound(pod) ? node_index(c, pod->spec.node_name) : -1;
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
		if (to && !strcmp(to, name) && !ref_is_bound(p) &&
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

enum sched_code ref_reject(struct sched_ref_verdict *v, enum sched_code code,
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

bool ref_is_scalar_resource(const char *name)
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
int64_t ref_pod_request(const struct pod *pod, const char *name, bool floor)
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
		if (ref_str_eq(ctr->restart_policy, "Always")) {
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

int64_t ref_allocatable_of(const struct node *node, const char *name)
{
	const struct quantity *q = resource_list_get(&node->status.allocatable, name);
	if (!q)
		return 0;
	return !strcmp(name, "cpu") ? quantity_milli_value(q) : quantity_value(q);
}

/* K8S: NodeInfo.Requested (floor false) and NonZeroRequested (floor
 * true, which only cpu and memory have). */
int64_t ref_node_requested(const struct ref_node *n, const char *name, bool floor)
{
	int64_t sum = 0;
	for (size_t i = 0; i < n->pods_len; i++)
		sum += ref_pod_request(n->pods[i], name, floor);
	return sum;
}

/* The names of the scalar resources the pod's containers mention, sorted
 * (upstream walks a map; kubelab and this reference sort). */
size_t ref_pod_scalar_names(const struct pod *pod, const char **out, size_t cap)
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
			if (!seen && ref_is_scalar_resource(name) && len < cap)
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
bool ref_tolerates(const struct toleration *t, const struct taint *taint)
{
	if (t->effect && *t->effect && !ref_str_eq(t->effect, taint->effect))
		return false;
	if (t->key && *t->key && !ref_str_eq(t->key, taint->key))
		return false;
	if (!t->operator || !*t->operator || !strcmp(t->operator, "Equal"))
		return ref_str_eq(t->value, taint->value);
	return !strcmp(t->operator, "Exists");
}

bool ref_pod_tolerates(const struct pod *pod, const struct taint *taint)
{
	for (size_t i = 0; i < pod->spec.tolerations.len; i++)
		if (ref_tolerates(&pod->spec.tolerations.items[i], taint))
			return true;
	return false;
}

/* ---- the profile --------------------------------------------------------- */


/* K8S: apis/config/v1/default_plugins.go: the default profile, in order,
 * with the default score weights. */
static const struct ref_plugin {
	const char *name;
	int32_t weight;
	ref_filter_fn filter;
	ref_score_fn score;
} ref_plugins[] = {
	{ "NodeUnschedulable", 0, ref_filter_node_unschedulable, NULL },
	{ "NodeName", 0, ref_filter_node_name, NULL },
	{ "TaintToleration", 3, ref_filter_taint_toleration, ref_score_taint_toleration },
	{ "NodeAffinity", 2, ref_filter_node_affinity, ref_score_node_affinity },
	{ "NodePorts", 0, ref_filter_node_ports, NULL },
	{ "NodeResourcesFit", 1, ref_filter_fit, ref_score_fit },
	{ "PodTopologySpread", 2, ref_filter_topology_spread, ref_score_topology_spread },
	{ "InterPodAffinity", 2, ref_filter_inter_pod_affinity, ref_score_inter_pod_affinity },
	{ "NodeResourcesBalancedAllocation", 1, NULL, ref_score_balanced },
	{ "ImageLocality", 1, NULL, ref_score_image_locality },
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
