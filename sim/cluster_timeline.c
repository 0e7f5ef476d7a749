/* cluster_timeline.c - running the scenario's timeline of actions.
 *
 * K8S: what a user does with kubectl (apply, scale, delete, taint, label,
 * cordon, uncordon, drain, rollout undo, the Eviction API) and the faults
 * a cluster suffers (a node going down and coming back), as the
 * scenario's timeline lists them. kubectl's own logic lives elsewhere
 * (node_admin.h, ctrl_drain.h, rollout.h); this file dispatches each
 * action at its time and reports it.
 *
 * Each action writes through c->actor, the scenario's own client
 * ("kubectl"), is written to the trace as an "action" record (verb,
 * target, detail, outcome, the scenario line) and, when it fails, told on
 * stderr as kubectl would.
 *
 * Interface (cluster_internal.h): cluster_schedule_timeline.
 *
 * Invariants: actions run in the order of their times (equal times in
 * the order written, as the engine keeps them); an action naming a node
 * that does not exist yet is reported, not fatal.
 */
#include "cluster_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_drain.h"
#include "ctrl_eviction.h"
#include "duration.h"
#include "json.h"
#include "kubelet.h"
#include "node_admin.h"
#include "rollout.h"
#include "xmalloc.h"

static void announce_action(struct cluster *c, const struct object *obj,
			    const char *reason, const char *message)
{
	if (c->options.event_hook)
		c->options.event_hook(c->options.event_hook_arg, clock_now(&c->clock),
				      obj, "Normal", reason, message);
}

static void trace_action(struct cluster *c, const struct action *a,
			 const char *verb, const char *target, const char *detail,
			 const char *outcome)
{
	struct json *body = json_new_object();
	json_add_string(body, "action", verb);
	json_add_string(body, "target", target);
	if (detail)
		json_add_string(body, "detail", detail);
	json_add_string(body, "outcome", outcome);
	json_add_int(body, "line", a->line);
	trace_record(c->options.trace, "action", body);
}

/* kubectl apply: create, or replace the spec of what exists. */
static void apply_object(struct cluster *c, const struct action *a,
			 const struct object *obj)
{
	struct api_status status;
	const struct object *cur = store_get(c->store, obj->kind->id,
					     obj->meta.namespace, obj->meta.name);
	struct object *copy = object_copy(obj);
	enum api_code code;
	const char *verb;
	if (cur) {
		copy->meta.resource_version = 0;	/* last writer wins, as apply */
		code = client_update(&c->actor, copy, &status);
		verb = code == API_OK ? "configured" : "failed";
	} else {
		code = client_create(&c->actor, copy, &status);
		verb = code == API_OK ? "created" : "failed";
	}
	char *ref = object_ref_name(obj);
	trace_action(c, a, "apply", ref, NULL, code == API_OK ? verb : status.message);
	if (code != API_OK)
		fprintf(stderr, "kubelab: apply %s: %s\n", ref, status.message);
	free(ref);
}

static char *target_name(const struct action *a)
{
	return xasprintf("%s/%s", kind_get(a->kind)->singular, a->name);
}

static void run_node_action(struct cluster *c, const struct action *a);
static void add_nodes(struct cluster *c, const struct action *a);

/* kubectl taint and kubectl label on a node (node_admin.h); the outcome
 * is kubectl's word or error. The detail is what kubectl was given:
 * "KEY=VALUE:EFFECT", "KEY:EFFECT-", "KEY=VALUE", "KEY-". */
static void run_node_edit(struct cluster *c, const struct action *a)
{
	struct api_status status = {0};
	enum api_code code;
	const char *value = a->value ? a->value : "";
	char *detail;
	if (a->type == ACTION_TAINT) {
		code = node_taint(&c->actor, a->name, a->key, value, a->effect,
				  a->overwrite, &status);
		detail = xasprintf("%s%s%s:%s", a->key, *value ? "=" : "", value, a->effect);
	} else if (a->type == ACTION_UNTAINT) {
		code = node_untaint(&c->actor, a->name, a->key, a->effect, &status);
		detail = xasprintf("%s%s%s-", a->key, a->effect ? ":" : "",
				   a->effect ? a->effect : "");
	} else if (a->type == ACTION_LABEL) {
		code = node_label(&c->actor, a->name, a->key, value, a->overwrite, &status);
		detail = xasprintf("%s=%s", a->key, value);
	} else {
		code = node_unlabel(&c->actor, a->name, a->key, &status);
		detail = xasprintf("%s-", a->key);
	}
	const char *verb = a->type == ACTION_TAINT || a->type == ACTION_UNTAINT ?
			   "taint" : "label";
	char *target = xasprintf("node/%s", a->name);
	trace_action(c, a, verb, target, detail, status.message);
	if (code != API_OK)
		fprintf(stderr, "kubelab: %s %s %s: %s\n", verb, target, detail,
			status.message);
	free(target);
	free(detail);
}

static void report_status(struct cluster *c, const struct action *a,
			  const char *verb, enum api_code code,
			  const struct api_status *status, const char *detail)
{
	char *target = target_name(a);
	trace_action(c, a, verb, target, detail, code == API_OK ? "ok" : status->message);
	if (code != API_OK)
		fprintf(stderr, "kubelab: %s %s: %s\n", verb, target, status->message);
	free(target);
}

/* kubectl rollout undo [--to-revision=N]. Its outcome is kubectl's
 * words: "rolled back", "skipped rollback (...)", or the error. */
static void run_rollback(struct cluster *c, const struct action *a)
{
	struct api_status status;
	const char *ns = a->namespace ? a->namespace : "default";
	enum api_code code = a->kind == KIND_DEPLOYMENT ?
		rollout_undo(&c->actor, ns, a->name, a->to_revision, &status) :
		rollout_undo_revision(&c->actor, a->kind, ns, a->name, a->to_revision, &status);
	char detail[48] = "";
	if (a->to_revision)
		snprintf(detail, sizeof(detail), "to revision %lld",
			 (long long)a->to_revision);
	char *target = target_name(a);
	trace_action(c, a, "rollback", target, *detail ? detail : NULL, status.message);
	if (code != API_OK)
		fprintf(stderr, "kubelab: rollback %s: %s\n", target, status.message);
	free(target);
}

/* One line of kubectl drain's output: a trace record, and on the run's
 * event stream as if an Event (reason Drain) about the node or pod. */
static void drain_say(void *arg, const struct object *obj, bool warning, const char *line)
{
	const struct timeline_step *step = arg;
	struct cluster *c = step->cluster;
	char *target = xasprintf("node/%s", step->action->name);
	trace_action(c, step->action, "drain", target, line, warning ? "warning" : "ok");
	free(target);
	if (obj && c->options.event_hook)
		c->options.event_hook(c->options.event_hook_arg, clock_now(&c->clock), obj,
				      warning ? "Warning" : "Normal", "Drain", line);
}

/* kubectl drain NODE: runs on the clock until its pods are gone. */
static void run_drain(struct timeline_step *step)
{
	struct cluster *c = step->cluster;
	c->drains = xrealloc(c->drains, (c->drains_len + 1) * sizeof(*c->drains));
	c->drains[c->drains_len++] = drain_start(&c->actor, step->action->name,
						 drain_say, step);
}

/* evict: pod/NAME: one Eviction, answered at once (no retry). */
static void run_evict(struct cluster *c, const struct action *a)
{
	struct api_status status = {0};
	const char *ns = a->namespace ? a->namespace : "default";
	enum api_code code = eviction_evict(&c->actor, ns, a->name, &status);
	if (code == API_OK)
		snprintf(status.message, sizeof(status.message), "ok");
	report_status(c, a, "evict", code, &status, NULL);
}

static void run_action(void *arg)
{
	struct timeline_step *step = arg;
	struct cluster *c = step->cluster;
	const struct action *a = step->action;
	struct api_status status;
	enum api_code code;
	const char *ns = a->namespace ? a->namespace : "default";
	char buf[32];
	switch (a->type) {
	case ACTION_APPLY:
		for (size_t i = 0; i < a->objects.len; i++)
			apply_object(c, a, a->objects.items[i]);
		break;
	case ACTION_SET:
		code = client_patch_field(&c->actor, a->kind, ns, a->name, a->path,
					  a->value, &status);
		report_status(c, a, "set", code, &status, a->path);
		break;
	case ACTION_SCALE:
		snprintf(buf, sizeof(buf), "%d", a->replicas);
		code = client_patch_field(&c->actor, a->kind, ns, a->name,
					  "spec.replicas", buf, &status);
		report_status(c, a, "scale", code, &status, buf);
		break;
	case ACTION_DELETE: {
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		if (a->force)	/* K8S: kubectl delete --force --grace-period=0 */
			options.grace_period_seconds = 0;
		code = client_delete(&c->actor, a->kind, ns, a->name, &options, &status);
		report_status(c, a, "delete", code, &status, a->force ? "force" : NULL);
		break;
	}
	case ACTION_ROLLBACK:
		run_rollback(c, a);
		break;
	case ACTION_DRAIN:
		run_drain(step);
		break;
	case ACTION_EVICT:
		run_evict(c, a);
		break;
	case ACTION_TAINT:
	case ACTION_UNTAINT:
	case ACTION_LABEL:
	case ACTION_UNLABEL:
		run_node_edit(c, a);
		break;
	case ACTION_ADD_NODES:
		add_nodes(c, a);
		break;
	default:
		run_node_action(c, a);
		break;
	}
}

/* addNodes: the next nodes of the pool join, as when a cluster autoscaler
 * grows a node group or an operator joins machines: NAME-(n+1) .., made
 * from the pool as the first ones were. */
static void add_nodes(struct cluster *c, const struct action *a)
{
	const struct scenario *s = c->scenario;
	size_t p = 0;
	while (strcmp(s->node_pools.items[p].name, a->name))
		p++;	/* the loader checked the pool */
	for (int32_t i = 0; i < a->count; i++) {
		BUG_ON(c->nodes_len >= c->nodes_cap);
		cluster_start_node(c, &s->node_pools.items[p], ++c->pool_next[p]);
		char *target = xasprintf("node/%s", c->nodes[c->nodes_len - 1].name);
		char detail[80];
		snprintf(detail, sizeof(detail), "pool %s", a->name);
		trace_action(c, a, "addNodes", target, detail, "ok");
		free(target);
	}
}

static void resume_node(void *arg)
{
	struct node_agent *agent = arg;
	agent->resume_timer = 0;
	kubelet_resume(agent->kubelet);
}

/* Faults and node administration: nodeDown, nodeUp, cordon, uncordon. */
static void run_node_action(struct cluster *c, const struct action *a)
{
	struct node_agent *agent = cluster_find_node(c, a->name);
	if (!agent) {	/* one that an addNodes entry adds later */
		char *target = xasprintf("node/%s", a->name);
		char *message = xasprintf("nodes \"%s\" not found", a->name);
		trace_action(c, a, a->type == ACTION_NODE_DOWN ? "nodeDown" : "nodeUp",
			     target, NULL, message);
		fprintf(stderr, "kubelab: fault %s: %s\n", target, message);
		free(message);
		free(target);
		return;
	}
	const struct object *node = store_get(c->store, KIND_NODE, NULL, a->name);
	struct api_status status = {0};
	enum api_code code = API_OK;
	char detail[64] = "";
	switch (a->type) {
	case ACTION_NODE_DOWN:
		kubelet_suspend(agent->kubelet);
		if (a->duration > 0) {
			char d[DURATION_STR_MAX];
			duration_format(a->duration, d, sizeof(d));
			snprintf(detail, sizeof(detail), "for %s", d);
			agent->resume_timer = clock_after(&c->clock, a->duration,
							  resume_node, agent);
		}
		if (node)
			announce_action(c, node, "NodeDown",
					*detail ? "fault injected: node down" : "fault injected: node down until the end");
		break;
	case ACTION_NODE_UP:
		if (agent->resume_timer)
			clock_cancel(&c->clock, agent->resume_timer);
		agent->resume_timer = 0;
		kubelet_resume(agent->kubelet);
		if (node)
			announce_action(c, node, "NodeUp", "fault cleared: node up");
		break;
	case ACTION_CORDON:
	case ACTION_UNCORDON:
		code = client_patch_field(&c->actor, KIND_NODE, NULL, a->name,
					  "spec.unschedulable",
					  a->type == ACTION_CORDON ? "true" : "false", &status);
		break;
	default:
		BUG_ON(1);
	}
	static const char *const verbs[] = {
		[ACTION_NODE_DOWN] = "nodeDown", [ACTION_NODE_UP] = "nodeUp",
		[ACTION_CORDON] = "cordon", [ACTION_UNCORDON] = "uncordon",
	};
	char *target = xasprintf("node/%s", a->name);
	trace_action(c, a, verbs[a->type], target, *detail ? detail : NULL,
		     code == API_OK ? "ok" : status.message);
	free(target);
}

void cluster_schedule_timeline(struct cluster *c)
{
	const struct scenario *s = c->scenario;
	c->steps = xcalloc(s->timeline.len ? s->timeline.len : 1, sizeof(*c->steps));
	for (size_t i = 0; i < s->timeline.len; i++) {
		c->steps[i] = (struct timeline_step){c, &s->timeline.items[i]};
		engine_at(c->engine, c->start + s->timeline.items[i].at, run_action,
			  &c->steps[i]);
	}
}
