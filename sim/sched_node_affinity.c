/* sched_node_affinity.c - the NodeAffinity plugin: nodeSelector and node
 * affinity.
 *
 * K8S: pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go,
 *      staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/
 *      nodeaffinity.go (RequiredNodeAffinity, NodeSelector terms,
 *      PreferredSchedulingTerms).
 *
 * Taints let a node repel pods; node affinity lets a pod choose nodes, by
 * their labels. Two hard forms must both hold:
 *   spec.nodeSelector: {disktype: ssd}   every pair must be a node label;
 *   requiredDuringSchedulingIgnoredDuringExecution: a list of terms, any
 *     one of which must match (OR). A term matches when all its
 *     matchExpressions (label requirements: In, NotIn, Exists,
 *     DoesNotExist, and Gt/Lt which compare the label as an integer) and
 *     all its matchFields (only metadata.name, In/NotIn) hold (AND). A term
 *     with no requirement matches nothing.
 * "IgnoredDuringExecution": relabelling a node later does not evict pods.
 * A soft form, preferredDuringScheduling..., lists weighted terms; a node
 * scores the sum of the weights of the terms it matches, normalized so the
 * best node gets 100.
 *
 * Filter: UnschedulableAndUnresolvable "node(s) didn't match Pod's node
 * affinity/selector". PreFilter and PreScore return Skip for pods without
 * the hard or the soft form, so most pods never pay for this plugin.
 * A requirement upstream cannot parse (Gt with two values, In with none)
 * makes its term fail, as upstream's "ignore parsing errors" does.
 *
 * Interface: sched_node_affinity_plugin.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_framework.h"
#include "sched_nodeinfo.h"

static bool parse_int64(const char *s, long long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool has_value(const struct selector_requirement_spec *req, const char *v)
{
	for (size_t i = 0; i < req->values.len; i++)
		if (!strcmp(req->values.items[i], v))
			return true;
	return false;
}

/* One matchExpressions entry against the node's labels: 1 match, 0 no
 * match, -1 not a valid requirement. */
static int label_requirement(const struct selector_requirement_spec *req,
			     const struct strmap *labels)
{
	const char *op = req->operator ? req->operator : "";
	const char *value = strmap_get(labels, req->key ? req->key : "");
	size_t n = req->values.len;
	long long have, want;
	if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
		if (n == 0)
			return -1;
		bool in = value && has_value(req, value);
		return op[0] == 'I' ? in : !in;	/* NotIn: absent counts */
	}
	if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
		if (n != 0)
			return -1;
		return (value != NULL) == (op[0] == 'E');
	}
	if (!strcmp(op, "Gt") || !strcmp(op, "Lt")) {
		if (n != 1 || !parse_int64(req->values.items[0], &want))
			return -1;
		if (!parse_int64(value, &have))	/* absent or no integer */
			return 0;
		return op[0] == 'G' ? have > want : have < want;
	}
	return -1;
}

/* One matchFields entry: the only node field is metadata.name. */
static int field_requirement(const struct selector_requirement_spec *req,
			     const char *node_name)
{
	const char *op = req->operator ? req->operator : "";
	if (req->values.len != 1 || (strcmp(op, "In") && strcmp(op, "NotIn")))
		return -1;
	const char *field = req->key && !strcmp(req->key, "metadata.name") ? node_name : "";
	bool equal = !strcmp(field, req->values.items[0]);
	return op[0] == 'I' ? equal : !equal;
}

/* LAB: sched-affinity-term. All requirements of a term must hold. */
static bool term_matches(const struct node_selector_term *term,
			 const struct sched_node_info *node)
{
	if (!term->match_expressions.len && !term->match_fields.len)
		return false;		/* an empty term selects nothing */
	const struct strmap *labels = &node->node->obj.meta.labels;
	for (size_t i = 0; i < term->match_expressions.len; i++)
		if (label_requirement(&term->match_expressions.items[i], labels) != 1)
			return false;
	for (size_t i = 0; i < term->match_fields.len; i++)
		if (field_requirement(&term->match_fields.items[i], node->name) != 1)
			return false;
	return true;
}

static const struct node_selector *required_terms(const struct pod *pod)
{
	const struct node_selector *ns =
		&pod->spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution;
	return ns->node_selector_terms.len ? ns : NULL;
}

/* K8S: RequiredNodeAffinity.Match */
static bool required_match(const struct pod *pod, const struct sched_node_info *node)
{
	/* LAB: sched-node-selector */
	if (!strmap_contains_all(&node->node->obj.meta.labels, &pod->spec.node_selector))
		return false;
	const struct node_selector *ns = required_terms(pod);
	if (!ns)
		return true;
	for (size_t i = 0; i < ns->node_selector_terms.len; i++)	/* OR */
		if (term_matches(&ns->node_selector_terms.items[i], node))
			return true;
	return false;
}

bool sched_node_affinity_matches(const struct pod *pod,
				 const struct sched_node_info *node)
{
	return required_match(pod, node);
}

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	(void)state;
	(void)status;
	if (!pod->spec.node_selector.len && !required_terms(pod))
		return SCHED_SKIP;
	return SCHED_SUCCESS;
}

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	(void)state;
	if (required_match(pod, node))
		return SCHED_SUCCESS;
	return sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				"node(s) didn't match Pod's node affinity/selector");
}

static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;	/* these scores need no node list */
	(void)state;
	if (!pod->spec.affinity.node_affinity
		     .preferred_during_scheduling_ignored_during_execution.len)
		return SCHED_SKIP;
	return SCHED_SUCCESS;
}

/* K8S: PreferredSchedulingTerms.Score: the sum of matching weights. */
static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	(void)state;
	int64_t sum = 0;
	const struct node_affinity *na = &pod->spec.affinity.node_affinity;
	for (size_t i = 0; i < na->preferred_during_scheduling_ignored_during_execution.len; i++) {
		const struct preferred_scheduling_term *t =
			&na->preferred_during_scheduling_ignored_during_execution.items[i];
		if (t->weight != 0 && term_matches(&t->preference, node))
			sum += t->weight;	/* LAB: sched-affinity-score */
	}
	return sum;
}

static void normalize_score(struct sched_state *state, const struct pod *pod,
			    int64_t *scores, size_t len)
{
	(void)state;
	(void)pod;
	sched_default_normalize_score(SCHED_MAX_NODE_SCORE, false, scores, len);
}

const struct sched_plugin sched_node_affinity_plugin = {
	.id = SCHED_PLUGIN_NODE_AFFINITY,
	.name = "NodeAffinity",
	.default_weight = 2,
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.normalize_score = normalize_score,
};
