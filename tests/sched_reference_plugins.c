/* sched_reference_plugins.c - the reference's plugins about one node:
 * NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
 * NodeResourcesFit (its three scoring strategies),
 * NodeResourcesBalancedAllocation, ImageLocality.
 *
 * K8S: framework/plugins/{nodeunschedulable,nodename,tainttoleration,
 * nodeaffinity,nodeports,noderesources,imagelocality}, plugins/helper
 * (DefaultNormalizeScore, BuildBrokenLinearFunction), scheduler/util
 * (GetHostPorts), framework/types.go (HostPortInfo).
 *
 * Each function is the plugin's definition written out, with no state
 * kept between calls (sched_reference_internal.h).
 */
#include "sched_reference_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* ---- Filter plugins ------------------------------------------------------ */

/* K8S: nodeunschedulable.Filter */
enum sched_code ref_filter_node_unschedulable(const struct ref_cycle *cy,
						 const struct ref_node *n,
						 struct sched_ref_verdict *v)
{
	const struct taint cordon = { .key = "node.kubernetes.io/unschedulable",
				      .effect = "NoSchedule" };
	if (!n->node->spec.unschedulable || ref_pod_tolerates(cy->pod, &cordon))
		return SCHED_SUCCESS;
	return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE, "node(s) were unschedulable");
}

/* K8S: nodename.Filter */
enum sched_code ref_filter_node_name(const struct ref_cycle *cy, const struct ref_node *n,
					struct sched_ref_verdict *v)
{
	const char *want = cy->pod->spec.node_name;
	if (!want || !*want || !strcmp(want, n->node->obj.meta.name))
		return SCHED_SUCCESS;
	return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
		      "node(s) didn't match the requested node name");
}

/* K8S: tainttoleration.Filter: the first NoSchedule or NoExecute taint
 * not tolerated. */
enum sched_code ref_filter_taint_toleration(const struct ref_cycle *cy,
					       const struct ref_node *n,
					       struct sched_ref_verdict *v)
{
	for (size_t i = 0; i < n->node->spec.taints.len; i++) {
		const struct taint *t = &n->node->spec.taints.items[i];
		if (!ref_str_eq(t->effect, "NoSchedule") && !ref_str_eq(t->effect, "NoExecute"))
			continue;
		if (!ref_pod_tolerates(cy->pod, t))
			return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
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
		if (!ref_str_eq(r->key, "metadata.name") || r->values.len != 1)
			return false;
		bool equal = !strcmp(r->values.items[0], node->obj.meta.name);
		if (ref_str_eq(r->operator, "In") ? !equal : ref_str_eq(r->operator, "NotIn") ? equal : true)
			return false;
	}
	return true;
}

/* K8S: RequiredNodeAffinity.Match: every nodeSelector pair is a label
 * of the node, and some required term (if any) matches it. */
bool ref_required_node_affinity_matches(const struct pod *pod, const struct node *node)
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
enum sched_code ref_filter_node_affinity(const struct ref_cycle *cy,
					    const struct ref_node *n,
					    struct sched_ref_verdict *v)
{
	if (ref_required_node_affinity_matches(cy->pod, n->node))
		return SCHED_SUCCESS;
	return ref_reject(v, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
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
		if (!ref_str_eq(ctr->restart_policy, "Always"))
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
enum sched_code ref_filter_node_ports(const struct ref_cycle *cy, const struct ref_node *n,
					 struct sched_ref_verdict *v)
{
	const struct container_port *want[64], *used[64];
	size_t want_len = host_ports(cy->pod, want, 64);
	for (size_t i = 0; i < n->pods_len; i++) {
		size_t used_len = host_ports(n->pods[i], used, 64);
		for (size_t w = 0; w < want_len; w++)
			for (size_t u = 0; u < used_len; u++)
				if (ports_clash(used[u], want[w]))
					return ref_reject(v, SCHED_UNSCHEDULABLE,
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
		ref_reject(v, want > allocatable ? SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE
		       : SCHED_UNSCHEDULABLE, "Insufficient %s", name);
}

/* K8S: noderesources.Fit.Filter (fitsRequest) */
enum sched_code ref_filter_fit(const struct ref_cycle *cy, const struct ref_node *n,
				  struct sched_ref_verdict *v)
{
	const struct pod *pod = cy->pod;
	if ((int64_t)n->pods_len + 1 > ref_allocatable_of(n->node, "pods"))
		ref_reject(v, SCHED_UNSCHEDULABLE, "Too many pods");
	const char *scalars[16];
	size_t scalars_len = ref_pod_scalar_names(pod, scalars, 16);
	int64_t cpu = ref_pod_request(pod, "cpu", false);
	int64_t memory = ref_pod_request(pod, "memory", false);
	int64_t storage = ref_pod_request(pod, "ephemeral-storage", false);
	if (cpu == 0 && memory == 0 && storage == 0 && scalars_len == 0)
		return v->code;
	fit_check(v, "cpu", cpu, ref_allocatable_of(n->node, "cpu"), ref_node_requested(n, "cpu", false),
		  true);
	fit_check(v, "memory", memory, ref_allocatable_of(n->node, "memory"),
		  ref_node_requested(n, "memory", false), true);
	fit_check(v, "ephemeral-storage", storage, ref_allocatable_of(n->node, "ephemeral-storage"),
		  ref_node_requested(n, "ephemeral-storage", false), true);
	for (size_t i = 0; i < scalars_len; i++) {
		int64_t want = ref_pod_request(pod, scalars[i], false);
		if (want == 0)
			continue;
		fit_check(v, scalars[i], want, ref_allocatable_of(n->node, scalars[i]),
			  ref_node_requested(n, scalars[i], false), false);
	}
	return v->code;
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
bool ref_score_taint_toleration(const struct ref_cycle *cy, const struct ref_node *nodes,
				   size_t len, int64_t *raw, int64_t *normalized)
{
	for (size_t i = 0; i < len; i++) {
		raw[i] = 0;
		for (size_t t = 0; t < nodes[i].node->spec.taints.len; t++) {
			const struct taint *taint = &nodes[i].node->spec.taints.items[t];
			if (!ref_str_eq(taint->effect, "PreferNoSchedule"))
				continue;
			bool tolerated = false;
			for (size_t k = 0; k < cy->pod->spec.tolerations.len; k++) {
				const struct toleration *tol = &cy->pod->spec.tolerations.items[k];
				if ((ref_str_eq(tol->effect, "") || ref_str_eq(tol->effect, "PreferNoSchedule")) &&
				    ref_tolerates(tol, taint))
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
bool ref_score_node_affinity(const struct ref_cycle *cy, const struct ref_node *nodes,
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
	int64_t want = ref_pod_request(pod, name, floor && cpu_memory);
	*requested = *allocatable = 0;
	if (!cpu_memory && strcmp(name, "ephemeral-storage") && !ref_is_scalar_resource(name))
		return;
	if (ref_is_scalar_resource(name) && want == 0)
		return;
	int64_t have = ref_allocatable_of(n->node, name);
	if (have == 0)
		return;
	*allocatable = have;
	*requested = want + ref_node_requested(n, name, floor && cpu_memory);
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
bool ref_score_fit(const struct ref_cycle *cy, const struct ref_node *nodes, size_t len,
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
bool ref_score_balanced(const struct ref_cycle *cy, const struct ref_node *nodes,
			   size_t len, int64_t *raw, int64_t *normalized)
{
	struct sched_balanced_args defaults;
	sched_balanced_args_default(&defaults);
	const struct sched_balanced_args *a = cy->c->balanced_args &&
		cy->c->balanced_args->resources_len ? cy->c->balanced_args : &defaults;
	bool any = false;
	for (size_t r = 0; r < a->resources_len; r++)
		any = any || ref_pod_request(cy->pod, a->resources[r].name, false) != 0;
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
bool ref_score_image_locality(const struct ref_cycle *cy, const struct ref_node *nodes,
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
