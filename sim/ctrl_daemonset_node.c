/* ctrl_daemonset_node.c - where a daemon pod may run, and what it looks
 * like: eligibility, default tolerations, node-name affinity, the hash.
 *
 * K8S: pkg/controller/daemon/daemon_controller.go (NodeShouldRunDaemonPod,
 * predicates, NewPod), pkg/controller/daemon/util/daemonset_util.go
 * (AddOrUpdateDaemonPodTolerations, ReplaceDaemonSetPodNodeNameNodeAffinity,
 * GetTargetNodeName), component-helpers scheduling/corev1 (ToleratesTaint,
 * FindMatchingUntoleratedTaint, nodeaffinity.GetRequiredNodeAffinity).
 *
 * A DaemonSet wants one pod on every node its pod could run on. "Could run"
 * is decided the way the scheduler would, on the pod the controller would
 * create: the template plus the default daemon tolerations. So a node
 * qualifies when the template's nodeSelector and required node affinity
 * match its labels, and each of its NoSchedule and NoExecute taints is
 * tolerated. The default tolerations are why node agents survive what
 * drives other pods away: a node going NotReady or unreachable (no 300 s
 * eviction clock), memory or disk pressure, and a cordon (the node
 * lifecycle controller's unschedulable taint).
 *
 * Since v1.12 the controller does not bind its pods itself: it gives each
 * pod a required node affinity on the node's name (matchFields
 * metadata.name In [node]) and lets the default scheduler place it, so
 * preemption, resources and the other filters apply as for any pod.
 *
 * Upstream shares the toleration and node-affinity matchers between the
 * scheduler and the controllers (component-helpers). kubelab's scheduler
 * keeps its copies static (sched_node_affinity.c, sched_taint_toleration.c),
 * so this file has its own, following the same upstream rules.
 *
 * Interface: ctrl_daemonset.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_daemonset.h"
#include "ctrl_util.h"
#include "json.h"
#include "xmalloc.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* ---- tolerations --------------------------------------------------------- */

/* K8S: util.AddOrUpdateDaemonPodTolerations, in upstream's order. Each is
 * key:effect with operator Exists and no tolerationSeconds. */
static const struct {
	const char *key;
	const char *effect;
	bool host_network_only;
} daemon_tolerations[] = {
	{ TAINT_NODE_NOT_READY, TAINT_NO_EXECUTE, false },
	{ TAINT_NODE_UNREACHABLE, TAINT_NO_EXECUTE, false },
	{ "node.kubernetes.io/disk-pressure", TAINT_NO_SCHEDULE, false },
	{ "node.kubernetes.io/memory-pressure", TAINT_NO_SCHEDULE, false },
	{ "node.kubernetes.io/pid-pressure", TAINT_NO_SCHEDULE, false },
	{ TAINT_NODE_UNSCHEDULABLE, TAINT_NO_SCHEDULE, false },
	{ "node.kubernetes.io/network-unavailable", TAINT_NO_SCHEDULE, true },
};
#define DAEMON_TOLERATIONS (sizeof(daemon_tolerations) / sizeof(daemon_tolerations[0]))

/* K8S: Toleration.ToleratesTaint (as sched_toleration_tolerates). */
static bool tolerates(const struct toleration *toleration, const struct taint *taint)
{
	if (!empty(toleration->effect) && !same(toleration->effect, taint->effect))
		return false;
	if (!empty(toleration->key) && !same(toleration->key, taint->key))
		return false;
	if (empty(toleration->operator) || !strcmp(toleration->operator, "Equal"))
		return same(toleration->value, taint->value);
	return !strcmp(toleration->operator, "Exists");
}

/* Would the daemon pod made from spec tolerate taint? Its tolerations are
 * the template's plus the defaults (an Exists toleration of key:effect). */
static bool daemon_pod_tolerates(const struct pod_spec *spec, const struct taint *taint)
{
	for (size_t i = 0; i < spec->tolerations.len; i++)
		if (tolerates(&spec->tolerations.items[i], taint))
			return true;
	for (size_t i = 0; i < DAEMON_TOLERATIONS; i++) {
		if (daemon_tolerations[i].host_network_only && !spec->host_network)
			continue;
		if (same(daemon_tolerations[i].key, taint->key) &&
		    same(daemon_tolerations[i].effect, taint->effect))
			return true;
	}
	return false;
}

/* K8S: v1helper.AddOrUpdateTolerationInPodSpec: a toleration that matches
 * (same key, operator, value and effect) is replaced, here only to drop a
 * tolerationSeconds; otherwise the new one is appended. */
static void add_or_update(struct pod_spec *spec, const char *key, const char *effect)
{
	for (size_t i = 0; i < spec->tolerations.len; i++) {
		struct toleration *t = &spec->tolerations.items[i];
		if (same(t->key, key) && same(t->effect, effect) &&
		    same(t->operator, "Exists") && empty(t->value)) {
			t->toleration_seconds.is_set = false;
			t->toleration_seconds.value = 0;
			return;
		}
	}
	size_t cap = spec->tolerations.len;
	xgrow((void **)&spec->tolerations.items, &cap, spec->tolerations.len + 1,
	      sizeof(*spec->tolerations.items));
	struct toleration *t = &spec->tolerations.items[spec->tolerations.len++];
	memset(t, 0, sizeof(*t));
	t->key = xstrdup(key);
	t->operator = xstrdup("Exists");
	t->effect = xstrdup(effect);
}

void daemonset_add_tolerations(struct pod_spec *spec)
{
	for (size_t i = 0; i < DAEMON_TOLERATIONS; i++)
		if (!daemon_tolerations[i].host_network_only || spec->host_network)
			add_or_update(spec, daemon_tolerations[i].key, daemon_tolerations[i].effect);
}

/* ---- node affinity ------------------------------------------------------- */

static bool has_value(const struct selector_requirement_spec *req, const char *value)
{
	for (size_t i = 0; i < req->values.len; i++)
		if (!strcmp(req->values.items[i], value))
			return true;
	return false;
}

static bool parse_int64(const char *s, long long *out)
{
	if (empty(s))
		return false;
	char *end;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* One matchExpressions entry against the node's labels. A requirement
 * upstream cannot parse fails its term ("ignore parsing errors"). */
static bool label_requirement(const struct selector_requirement_spec *req,
			      const struct strmap *labels)
{
	const char *op = req->operator ? req->operator : "";
	const char *value = strmap_get(labels, req->key ? req->key : "");
	size_t n = req->values.len;
	long long have, want;
	if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
		if (n == 0)
			return false;
		bool in = value && has_value(req, value);
		return op[0] == 'I' ? in : !in;
	}
	if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist"))
		return n == 0 && (value != NULL) == (op[0] == 'E');
	if (!strcmp(op, "Gt") || !strcmp(op, "Lt")) {
		if (n != 1 || !parse_int64(req->values.items[0], &want) ||
		    !parse_int64(value, &have))
			return false;
		return op[0] == 'G' ? have > want : have < want;
	}
	return false;
}

/* One matchFields entry: the only node field is metadata.name. */
static bool field_requirement(const struct selector_requirement_spec *req, const char *node)
{
	const char *op = req->operator ? req->operator : "";
	if (req->values.len != 1 || (strcmp(op, "In") && strcmp(op, "NotIn")))
		return false;
	const char *field = same(req->key, "metadata.name") ? node : "";
	bool equal = !strcmp(field, req->values.items[0]);
	return op[0] == 'I' ? equal : !equal;
}

static bool term_matches(const struct node_selector_term *term, const struct node *node)
{
	if (!term->match_expressions.len && !term->match_fields.len)
		return false;	/* an empty term selects nothing */
	for (size_t i = 0; i < term->match_expressions.len; i++)
		if (!label_requirement(&term->match_expressions.items[i], &node->obj.meta.labels))
			return false;
	for (size_t i = 0; i < term->match_fields.len; i++)
		if (!field_requirement(&term->match_fields.items[i], node->obj.meta.name))
			return false;
	return true;
}

/* K8S: nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): every
 * nodeSelector pair is a node label, and one required term matches. */
static bool affinity_matches(const struct pod_spec *spec, const struct node *node)
{
	if (!strmap_contains_all(&node->obj.meta.labels, &spec->node_selector))
		return false;
	const struct node_selector *required =
		&spec->affinity.node_affinity.required_during_scheduling_ignored_during_execution;
	if (!required->node_selector_terms.len)
		return true;
	for (size_t i = 0; i < required->node_selector_terms.len; i++)
		if (term_matches(&required->node_selector_terms.items[i], node))
			return true;
	return false;
}

void daemonset_set_node_affinity(struct pod_spec *spec, const char *node)
{
	struct node_selector *required =
		&spec->affinity.node_affinity.required_during_scheduling_ignored_during_execution;
	schema_release(&node_selector_schema, required);
	memset(required, 0, sizeof(*required));
	struct node_selector_term *term = xcalloc(1, sizeof(*term));
	struct selector_requirement_spec *req = xcalloc(1, sizeof(*req));
	req->key = xstrdup("metadata.name");
	req->operator = xstrdup("In");
	req->values.items = xcalloc(1, sizeof(char *));
	req->values.items[0] = xstrdup(node);
	req->values.len = 1;
	term->match_fields.items = req;
	term->match_fields.len = 1;
	required->node_selector_terms.items = term;
	required->node_selector_terms.len = 1;
}

const char *daemonset_target_node(const struct pod *pod)
{
	if (!empty(pod->spec.node_name))
		return pod->spec.node_name;
	const struct node_selector *required =
		&pod->spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution;
	for (size_t i = 0; i < required->node_selector_terms.len; i++) {
		const struct node_selector_term *term = &required->node_selector_terms.items[i];
		for (size_t j = 0; j < term->match_fields.len; j++) {
			const struct selector_requirement_spec *req = &term->match_fields.items[j];
			if (same(req->key, "metadata.name") && same(req->operator, "In"))
				return req->values.len == 1 ? req->values.items[0] : NULL;
		}
	}
	return NULL;
}

/* ---- eligibility --------------------------------------------------------- */

void daemonset_node_should_run(const struct daemon_set *ds, const struct node *node,
			       bool *should_run, bool *should_continue)
{
	const struct pod_spec *spec = &ds->spec.template.spec;
	*should_run = *should_continue = false;
	/* A template that names a node runs there only. */
	if (!empty(spec->node_name) && strcmp(spec->node_name, node->obj.meta.name))
		return;
	if (!affinity_matches(spec, node))
		return;
	/* LAB: ds-taints. NoSchedule keeps new daemon pods away; only
	 * NoExecute also removes running ones. */
	bool fits = true, keeps = true;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *taint = &node->spec.taints.items[i];
		bool no_execute = same(taint->effect, TAINT_NO_EXECUTE);
		if (!no_execute && !same(taint->effect, TAINT_NO_SCHEDULE))
			continue;	/* PreferNoSchedule never excludes */
		if (daemon_pod_tolerates(spec, taint))
			continue;
		fits = false;
		if (no_execute)
			keeps = false;
	}
	*should_run = fits;
	*should_continue = keeps;
}

/* ---- the template hash --------------------------------------------------- */

char *daemonset_template_hash(const struct pod_template_spec *template)
{
	return ctrl_template_hash(template, 0);
}
