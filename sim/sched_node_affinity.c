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
 * the hard or the soft form, so most pods never pay for this plugin; for
 * the others PreFilter compiles the hard form into the cache's label ids
 * once, so that Filter compares integers, not strings, per node.
 * When every required term names its nodes (matchFields metadata.name In,
 * as a DaemonSet pod's single term does), PreFilter also returns those
 * names as a PreFilterResult (sched_pre_filter_result.c), so the cycle
 * filters only them; terms whose names cannot meet fail the pod at
 * PreFilter: "pod affinity terms conflict".
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
#include "sched_queueing_hints.h"
#include "xmalloc.h"

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

/* ---- the required form, compiled once per cycle ---------------------------
 * Filter runs for hundreds of nodes per pod. Rather than comparing label
 * strings (and operator names) for each, PreFilter turns the nodeSelector
 * and each matchExpressions entry into the cache's topology ids
 * (sched_nodeinfo.h): the key's id and the ids of the listed values, so a
 * node is tested with an array read and a few integer comparisons. A
 * value no node has ever had has no id: it can match no node. Gt, Lt, the
 * invalid forms and matchFields keep the string rules above. Same verdicts. */
enum compiled_op { OP_IN, OP_NOT_IN, OP_EXISTS, OP_DOES_NOT_EXIST, OP_BY_STRING };

struct compiled_req {
	enum compiled_op op;
	uint32_t key;			/* topology key id */
	uint32_t *ids;			/* owned: the values' ids (known ones) */
	size_t ids_len;
	const struct selector_requirement_spec *spec;	/* OP_BY_STRING */
};

struct compiled_term {
	struct compiled_req *reqs;	/* owned */
	size_t len;
	const struct node_selector_term *spec;	/* for its matchFields */
};

struct compiled {
	struct compiled_req *selector;	/* nodeSelector: OP_IN, one value each */
	size_t selector_len;
	struct compiled_term *terms;	/* NULL: no required affinity */
	size_t terms_len;
};

static void compiled_free(void *data)
{
	struct compiled *c = data;
	for (size_t i = 0; i < c->selector_len; i++)
		free(c->selector[i].ids);
	free(c->selector);
	for (size_t t = 0; t < c->terms_len; t++) {
		for (size_t i = 0; i < c->terms[t].len; i++)
			free(c->terms[t].reqs[i].ids);
		free(c->terms[t].reqs);
	}
	free(c->terms);
	free(c);
}

static void compile_values(struct sched_cache *cache, struct compiled_req *out,
			   const char *const *values, size_t n)
{
	out->ids = xcalloc(n ? n : 1, sizeof(*out->ids));
	for (size_t i = 0; i < n; i++) {
		uint32_t id = sched_cache_topology_find(cache, out->key, values[i]);
		if (id != SCHED_TOPOLOGY_ABSENT)
			out->ids[out->ids_len++] = id;
	}
}

static void compile_req(struct sched_cache *cache, const struct selector_requirement_spec *req,
			struct compiled_req *out)
{
	const char *op = req->operator ? req->operator : "";
	size_t n = req->values.len;
	memset(out, 0, sizeof(*out));
	out->spec = req;
	if ((!strcmp(op, "In") || !strcmp(op, "NotIn")) && n != 0)
		out->op = op[0] == 'I' ? OP_IN : OP_NOT_IN;
	else if ((!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) && n == 0)
		out->op = op[0] == 'E' ? OP_EXISTS : OP_DOES_NOT_EXIST;
	else {
		out->op = OP_BY_STRING;	/* Gt, Lt, or invalid: label_requirement */
		return;
	}
	out->key = sched_cache_topology_key(cache, req->key ? req->key : "");
	if (out->op == OP_IN || out->op == OP_NOT_IN)
		compile_values(cache, out, (const char *const *)req->values.items, n);
}

static struct compiled *compile(struct sched_cache *cache, const struct pod *pod)
{
	struct compiled *c = xcalloc(1, sizeof(*c));
	const struct strmap *sel = &pod->spec.node_selector;
	c->selector = xcalloc(sel->len ? sel->len : 1, sizeof(*c->selector));
	c->selector_len = sel->len;
	for (size_t i = 0; i < sel->len; i++) {
		struct compiled_req *r = &c->selector[i];
		r->op = OP_IN;
		r->key = sched_cache_topology_key(cache, sel->items[i].key);
		compile_values(cache, r, (const char *const *)&sel->items[i].value, 1);
	}
	const struct node_selector *ns = required_terms(pod);
	if (!ns)
		return c;
	c->terms = xcalloc(ns->node_selector_terms.len, sizeof(*c->terms));
	c->terms_len = ns->node_selector_terms.len;
	for (size_t t = 0; t < c->terms_len; t++) {
		const struct node_selector_term *term = &ns->node_selector_terms.items[t];
		struct compiled_term *ct = &c->terms[t];
		ct->spec = term;
		ct->len = term->match_expressions.len;
		ct->reqs = xcalloc(ct->len ? ct->len : 1, sizeof(*ct->reqs));
		for (size_t i = 0; i < ct->len; i++)
			compile_req(cache, &term->match_expressions.items[i], &ct->reqs[i]);
	}
	return c;
}

static bool req_holds(const struct compiled_req *r, const struct sched_node_info *node)
{
	if (r->op == OP_BY_STRING)
		return label_requirement(r->spec, &node->node->obj.meta.labels) == 1;
	uint32_t v = sched_node_topology(node, r->key);
	if (r->op == OP_EXISTS || r->op == OP_DOES_NOT_EXIST)
		return (v != SCHED_TOPOLOGY_ABSENT) == (r->op == OP_EXISTS);
	bool in = false;
	for (size_t i = 0; i < r->ids_len && !in; i++)
		in = r->ids[i] == v;	/* ids are never ABSENT */
	return r->op == OP_IN ? in : !in;	/* NotIn: absent counts */
}

/* required_match, compiled. */
static bool compiled_match(const struct compiled *c, const struct sched_node_info *node)
{
	for (size_t i = 0; i < c->selector_len; i++)
		if (!req_holds(&c->selector[i], node))
			return false;
	if (!c->terms)
		return true;
	for (size_t t = 0; t < c->terms_len; t++) {	/* OR */
		const struct compiled_term *ct = &c->terms[t];
		if (!ct->len && !ct->spec->match_fields.len)
			continue;	/* an empty term selects nothing */
		bool all = true;
		for (size_t i = 0; i < ct->len && all; i++)
			all = req_holds(&ct->reqs[i], node);
		for (size_t i = 0; i < ct->spec->match_fields.len && all; i++)
			all = field_requirement(&ct->spec->match_fields.items[i], node->name) == 1;
		if (all)
			return true;
	}
	return false;
}

/* The values of a metadata.name In requirement that are also in
 * names[0..*len) (in place), or all of them when first. */
static void intersect_names(const struct selector_requirement_spec *req, bool first,
			    const char **names, size_t *len)
{
	if (first) {
		for (size_t i = 0; i < req->values.len; i++)
			names[(*len)++] = req->values.items[i];
		return;
	}
	size_t kept = 0;
	for (size_t i = 0; i < *len; i++)
		if (has_value(req, names[i]))
			names[kept++] = names[i];
	*len = kept;
}

/* LAB: sched-pre-filter-result. K8S: NodeAffinity.PreFilter's
 * PreFilterResult. Terms are ORed, so the pod is pinned only when every
 * term pins it: a term's metadata.name In requirements (ANDed) give its
 * nodes, and the union over the terms is the result. One term that names
 * no node lets the pod go anywhere its labels allow. */
static enum sched_code restrict_to_named_nodes(struct sched_state *state,
					       const struct pod *pod,
					       struct sched_status *status)
{
	const struct node_selector *ns = required_terms(pod);
	if (!ns)
		return SCHED_SUCCESS;
	size_t room = 0;
	for (size_t t = 0; t < ns->node_selector_terms.len; t++) {
		const struct node_selector_term *term = &ns->node_selector_terms.items[t];
		for (size_t i = 0; i < term->match_fields.len; i++)
			room += term->match_fields.items[i].values.len;
	}
	const char **names = xcalloc(room + 1, sizeof(*names));
	size_t len = 0;
	for (size_t t = 0; t < ns->node_selector_terms.len; t++) {
		const struct node_selector_term *term = &ns->node_selector_terms.items[t];
		size_t term_len = 0;
		bool pinned = false;
		for (size_t i = 0; i < term->match_fields.len; i++) {
			const struct selector_requirement_spec *req = &term->match_fields.items[i];
			if (strcmp(req->key, "metadata.name") || strcmp(req->operator, "In"))
				continue;
			intersect_names(req, !pinned, names + len, &term_len);
			pinned = true;
		}
		if (!pinned) {
			free(names);
			return SCHED_SUCCESS;	/* this term allows any node */
		}
		len += term_len;
	}
	enum sched_code code = SCHED_SUCCESS;
	if (len == 0)
		code = sched_status_add(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					"pod affinity terms conflict");
	else
		sched_pre_filter_result_restrict(state, names, len);
	free(names);
	return code;
}

static enum sched_code pre_filter(struct sched_state *state, const struct pod *pod,
				  struct sched_status *status)
{
	if (!pod->spec.node_selector.len && !required_terms(pod))
		return SCHED_SKIP;
	sched_state_write(state, SCHED_PLUGIN_NODE_AFFINITY, compile(state->cache, pod),
			  compiled_free);
	return restrict_to_named_nodes(state, pod, status);
}

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	const struct compiled *c = sched_state_read(state, SCHED_PLUGIN_NODE_AFFINITY);
	if (c ? compiled_match(c, node) : required_match(pod, node))
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

/* ---- queueing hints ------------------------------------------------------ */

/* The required rules against a node object (not in the cache: the old
 * version of a changed node is not). */
static bool node_matches(const struct pod *pod, const struct node *node)
{
	struct sched_node_info info = {
		.node = node, .name = (char *)node->obj.meta.name,
	};
	return required_match(pod, &info);
}

/* K8S: NodeAffinity.isSchedulableAfterNodeChange: Queue when the node
 * matches the pod's nodeSelector and required terms now and is new or
 * did not match before. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *old = sched_hint_old_node(in);
	if (!node_matches(in->pod, sched_hint_new_node(in)))
		return SCHED_HINT_SKIP;
	if (!old || !node_matches(in->pod, old))
		return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: NodeAffinity.EventsToRegister (queueing hints on) */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_LABEL, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_node_affinity_plugin = {
	.id = SCHED_PLUGIN_NODE_AFFINITY,
	.name = "NodeAffinity",
	.default_weight = 2,
	.pre_filter = pre_filter,
	.filter = filter,
	.pre_score = pre_score,
	.score = score,
	.normalize_score = normalize_score,
	.events_to_register = events,
};
