/* cluster.c - the sim backend: wiring and the run; see cluster.h.
 *
 * Start-up, in order (as a real cluster comes up):
 *   1. the engine and its clock, at KTIME_SIM_EPOCH;
 *   2. the store, with the trace as its observer;
 *   3. the controllers and the scheduler, each with its own client;
 *   4. one kubelet per node of every pool, which registers its Node;
 *   5. the timeline: one timer per action (addNodes starts more kubelets
 *      later, the same way);
 *   6. the expectations: checkpoints at their times, and a step hook for
 *      the ones that watch an interval.
 * Then the engine runs to the end and the expectations are decided.
 */
#include "cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "controller.h"
#include "ctrl_drain.h"
#include "ctrl_eviction.h"
#include "duration.h"
#include "engine.h"
#include "json.h"
#include "kubelet.h"
#include "metrics_sim.h"
#include "node_admin.h"
#include "release.h"
#include "rollout.h"
#include "sched.h"
#include "xmalloc.h"

struct component {
	struct client client;
	const struct controller_ops *ops;	/* NULL for the scheduler */
	void *state;
};

struct node_agent {
	struct client client;
	char *name;
	struct kubelet *kubelet;
	timer_id resume_timer;
};

struct timeline_step {
	struct cluster *cluster;
	const struct action *action;
};

struct cluster {
	const struct scenario *scenario;
	struct run_options options;
	uint64_t seed;
	ktime_t start, end;
	struct engine *engine;
	struct clock clock;
	struct store *store;
	struct metrics_sim *metrics;	/* metrics-server, from spec.traffic */
	struct client actor;		/* the scenario's own client ("kubectl") */
	struct controller_settings controller_settings;	/* from spec.settings */
	struct component *controllers;
	size_t controllers_len;
	struct client scheduler_client;
	struct scheduler *scheduler;
	struct node_agent *nodes;	/* room for every node the run makes:
					 * kubelets keep &nodes[i].client */
	size_t nodes_len, nodes_cap;
	int32_t *pool_next;		/* per pool: the number of its last node */
	struct timeline_step *steps;
	struct drain **drains;		/* the timeline's drains, running or done */
	size_t drains_len;
	struct expectation *expects;	/* shallow copies with own results */
	size_t expects_len;
	int64_t checked_rv;		/* store version last checked */
	bool truncated;
};

static void init_client(struct cluster *c, struct client *client,
			const char *component, const char *host)
{
	*client = (struct client){
		.store = c->store,
		.clock = c->clock,
		.trace = c->options.trace,
		.component = component,
		.host = host,
		.record_events = c->options.record_events,
		.event_hook = c->options.event_hook,
		.event_hook_arg = c->options.event_hook_arg,
		.metrics = metrics_sim_source(c->metrics),
		.settings = &c->controller_settings,
	};
}

/* ---- nodes --------------------------------------------------------------- */

/* Node addresses, as a cloud provider and the node IPAM controller would
 * give them (K8S: pkg/controller/nodeipam): the n-th node of the cluster
 * (from 0) gets InternalIP 10.0.x.y and the pod range 10.(192+n/256).
 * (n%256).0/24 of the cluster CIDR 10.192.0.0/10, so addresses are unique
 * for up to 16,384 nodes and the same in every run. */
static void assign_addresses(struct node *node, size_t n)
{
	node->spec.pod_cidr = xasprintf("10.%zu.%zu.0/24", 192 + n / 256, n % 256);
	node->status.addresses.items = xcalloc(1, sizeof(*node->status.addresses.items));
	node->status.addresses.len = 1;
	node->status.addresses.items[0].type = xstrdup("InternalIP");
	node->status.addresses.items[0].address =
		xasprintf("10.0.%zu.%zu", n / 250, n % 250 + 2);
}

static struct node *node_from_pool(const struct node_pool *pool, int index,
				   size_t cluster_index)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xasprintf("%s-%d", pool->name, index);
	assign_addresses(node, cluster_index);
	strmap_copy(&node->obj.meta.labels, &pool->labels);
	strmap_set(&node->obj.meta.labels, "kubernetes.io/hostname", node->obj.meta.name);
	strmap_set(&node->obj.meta.labels, "kubernetes.io/os", "linux");
	strmap_set(&node->obj.meta.labels, "kubelab.io/pool", pool->name);
	for (size_t i = 0; i < pool->taints.len; i++) {
		size_t cap = node->spec.taints.len;
		xgrow((void **)&node->spec.taints.items, &cap, node->spec.taints.len + 1,
		      sizeof(struct taint));
		schema_copy(&taint_schema, &node->spec.taints.items[node->spec.taints.len++],
			    &pool->taints.items[i]);
	}
	const struct resource_list *alloc = pool->allocatable.len ? &pool->allocatable
								  : &pool->capacity;
	for (size_t i = 0; i < pool->capacity.len; i++)
		resource_list_set(&node->status.capacity, pool->capacity.items[i].name,
				  &pool->capacity.items[i].quantity);
	for (size_t i = 0; i < alloc->len; i++)
		resource_list_set(&node->status.allocatable, alloc->items[i].name,
				  &alloc->items[i].quantity);
	return node;
}

/* Starts node index of pool: its kubelet registers it. */
static void start_node(struct cluster *c, const struct node_pool *pool, int index)
{
	const struct scenario *s = c->scenario;
	struct node_agent *agent = &c->nodes[c->nodes_len];
	struct node *node = node_from_pool(pool, index, c->nodes_len);
	agent->name = xstrdup(node->obj.meta.name);
	init_client(c, &agent->client, "kubelet", agent->name);
	struct kubelet_options ko = {
		.node = node,
		.images = s->images.items,
		.images_len = s->images.len,
		.seed = c->seed ^ (0x9e3779b97f4a7c15ULL * (c->nodes_len + 1)),
	};
	agent->kubelet = kubelet_new(&agent->client, &ko);
	object_unref(&node->obj);
	c->nodes_len++;
}

static void start_nodes(struct cluster *c)
{
	const struct scenario *s = c->scenario;
	size_t total = 0;
	for (size_t p = 0; p < s->node_pools.len; p++)
		total += (size_t)s->node_pools.items[p].count +
			 (size_t)s->node_pools.items[p].added;
	c->nodes = xcalloc(total ? total : 1, sizeof(*c->nodes));
	c->nodes_cap = total;
	c->pool_next = xcalloc(s->node_pools.len + 1, sizeof(*c->pool_next));
	for (size_t p = 0; p < s->node_pools.len; p++) {
		const struct node_pool *pool = &s->node_pools.items[p];
		for (int i = 1; i <= pool->count; i++)
			start_node(c, pool, i);
		c->pool_next[p] = pool->count;
	}
}

static struct node_agent *find_node(struct cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nodes_len; i++)
		if (!strcmp(c->nodes[i].name, name))
			return &c->nodes[i];
	return NULL;
}

/* ---- control plane ------------------------------------------------------- */

/* The scheduler's explanation of an attempt: to the caller's hook, and
 * to a full-level trace as a "schedule" record. */
static void explain_attempt(void *arg, const struct sched_attempt *attempt)
{
	struct cluster *c = arg;
	if (c->options.explain.attempt)
		c->options.explain.attempt(c->options.explain.arg, attempt);
	if (trace_get_level(c->options.trace) == TRACE_FULL)
		trace_record(c->options.trace, "schedule", sched_attempt_json(attempt));
}

static void start_control_plane(struct cluster *c)
{
	size_t n = 0;
	while (controller_table[n].name)
		n++;
	c->controllers = xcalloc(n ? n : 1, sizeof(*c->controllers));
	for (size_t i = 0; i < n; i++) {
		struct component *comp = &c->controllers[c->controllers_len++];
		comp->ops = &controller_table[i];
		init_client(c, &comp->client, comp->ops->name, NULL);
		comp->state = comp->ops->start(&comp->client);
	}
	init_client(c, &c->scheduler_client, DEFAULT_SCHEDULER_NAME, NULL);
	struct scheduler_options so = {
		.name = DEFAULT_SCHEDULER_NAME,
		.bind_latency = c->scenario->settings.bind_latency,
		.seed = c->seed,
	};
	const struct sched_config *config = c->options.scheduler_config
		? c->options.scheduler_config : c->scenario->scheduler_config;
	if (config) {
		so.profiles = config->profiles;
		so.profiles_len = config->profiles_len;
		so.percentage_of_nodes_to_score = config->percentage_of_nodes_to_score;
	}
	/* Only when someone listens: explaining costs the scheduler work. */
	if (c->options.explain.attempt || trace_get_level(c->options.trace) == TRACE_FULL)
		so.explain = (struct sched_explain_hook){ explain_attempt, c };
	c->scheduler = scheduler_new(&c->scheduler_client, &so);
}

/* ---- timeline ------------------------------------------------------------ */

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
		start_node(c, &s->node_pools.items[p], ++c->pool_next[p]);
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
	struct node_agent *agent = find_node(c, a->name);
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

static void schedule_timeline(struct cluster *c)
{
	const struct scenario *s = c->scenario;
	c->steps = xcalloc(s->timeline.len ? s->timeline.len : 1, sizeof(*c->steps));
	for (size_t i = 0; i < s->timeline.len; i++) {
		c->steps[i] = (struct timeline_step){c, &s->timeline.items[i]};
		engine_at(c->engine, c->start + s->timeline.items[i].at, run_action,
			  &c->steps[i]);
	}
}

/* ---- expectations -------------------------------------------------------- */

static void check_expectations(struct cluster *c, bool interval_only)
{
	ktime_t t = engine_now(c->engine) - c->start;
	for (size_t i = 0; i < c->expects_len; i++) {
		struct expectation *e = &c->expects[i];
		if (e->decided || (interval_only && e->mode == EXPECT_AT))
			continue;
		expect_step(e, c->store, t);
	}
	c->checked_rv = store_resource_version(c->store);
}

/* After every event: interval expectations see every state the cluster
 * passes through, but only states that differ (a new resourceVersion). */
static void step_hook(void *arg)
{
	struct cluster *c = arg;
	if (c->expects_len && store_resource_version(c->store) != c->checked_rv)
		check_expectations(c, true);
	if (c->options.progress)
		c->options.progress(c->options.progress_arg,
				    engine_now(c->engine) - c->start, c->end - c->start);
}

static int compare_times(const void *a, const void *b)
{
	ktime_t x = *(const ktime_t *)a, y = *(const ktime_t *)b;
	return (x > y) - (x < y);
}

/* The moments every expectation must be looked at even if nothing
 * changes then: AT times, interval starts and ends, sorted and unique. */
static size_t checkpoints(const struct cluster *c, ktime_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < c->expects_len; i++) {
		out[n++] = c->expects[i].from;
		if (c->expects[i].to != c->expects[i].from)
			out[n++] = c->expects[i].to;
	}
	qsort(out, n, sizeof(*out), compare_times);
	size_t unique = 0;
	for (size_t i = 0; i < n; i++)
		if (!unique || out[unique - 1] != out[i])
			out[unique++] = out[i];
	return unique;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void nothing(void *arg)
{
	(void)arg;
}

/* An idle engine keeps the time of its last event; a no-op event at t
 * makes the clock read exactly t once the run reaches it. */
static void move_clock(struct engine *engine, ktime_t t)
{
	engine_at(engine, t, nothing, NULL);
	engine_run(engine, t, 0);
}

struct cluster *cluster_new(const struct scenario *scenario,
			    const struct run_options *options)
{
	struct cluster *c = xcalloc(1, sizeof(*c));
	c->scenario = scenario;
	c->options = *options;
	c->seed = options->seed_set ? options->seed : scenario->seed;
	c->start = KTIME_SIM_EPOCH;
	c->end = c->start + (options->until_set ? options->until : scenario->duration);
	c->engine = engine_new();
	move_clock(c->engine, c->start);
	c->clock = engine_clock(c->engine);
	c->store = store_new(&c->clock, c->seed);
	store_set_watch_delay(c->store, scenario->settings.watch_delay);
	c->controller_settings.terminated_pod_gc_threshold =
		scenario->settings.terminated_pod_gc_threshold;
	c->metrics = metrics_sim_new(c->store, &c->clock, scenario, c->start);
	trace_set_clock(options->trace, &c->clock, c->start);
	if (options->trace)
		store_set_observer(c->store, trace_observe, options->trace);
	init_client(c, &c->actor, "kubectl", NULL);

	c->expects_len = scenario->expectations.len;
	c->expects = xcalloc(c->expects_len ? c->expects_len : 1, sizeof(*c->expects));
	for (size_t i = 0; i < c->expects_len; i++) {
		c->expects[i] = scenario->expectations.items[i];
		c->expects[i].decided = c->expects[i].passed = false;
		c->expects[i].observed = NULL;
		c->expects[i].observed_at = 0;
	}
	c->checked_rv = -1;
	engine_set_step_hook(c->engine, step_hook, c);

	start_control_plane(c);
	start_nodes(c);
	schedule_timeline(c);
	return c;
}

static void trace_expectations(struct cluster *c)
{
	for (size_t i = 0; i < c->expects_len; i++) {
		const struct expectation *e = &c->expects[i];
		struct json *body = json_new_object();
		json_add_string(body, "that", e->text);
		json_add_bool(body, "passed", e->passed);
		json_add_string(body, "observed", e->observed ? e->observed : "<none>");
		json_add_double(body, "observedAt", (double)e->observed_at / 1e9);
		json_add_int(body, "line", e->line);
		trace_record(c->options.trace, "expect", body);
	}
}

int cluster_run(struct cluster *c)
{
	ktime_t *points = xcalloc(2 * c->expects_len + 1, sizeof(*points));
	size_t n = checkpoints(c, points);
	uint64_t limit = c->options.max_steps;
	for (size_t i = 0; i <= n && !c->truncated; i++) {
		ktime_t until = i < n ? c->start + points[i] : c->end;
		if (until > c->end)
			until = c->end;
		if (until < engine_now(c->engine))
			continue;
		uint64_t left = 0;
		if (limit) {
			uint64_t done = engine_steps(c->engine);
			left = done >= limit ? 1 : limit - done;
			if (done >= limit) {
				c->truncated = true;
				break;
			}
		}
		engine_at(c->engine, until, nothing, NULL);
		if (engine_run(c->engine, until, left) == ENGINE_STEP_LIMIT)
			c->truncated = true;
		check_expectations(c, false);
	}
	free(points);
	int failed = 0;
	for (size_t i = 0; i < c->expects_len; i++) {
		expect_finish(&c->expects[i]);
		failed += !c->expects[i].passed;
	}
	trace_expectations(c);
	return failed;
}

void cluster_free(struct cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nodes_len; i++) {
		kubelet_free(c->nodes[i].kubelet);
		free(c->nodes[i].name);
	}
	free(c->nodes);
	free(c->pool_next);
	scheduler_free(c->scheduler);
	for (size_t i = c->controllers_len; i-- > 0;)
		c->controllers[i].ops->stop(c->controllers[i].state);
	free(c->controllers);
	for (size_t i = 0; i < c->expects_len; i++)
		free(c->expects[i].observed);
	free(c->expects);
	for (size_t i = 0; i < c->drains_len; i++)
		drain_free(c->drains[i]);
	free(c->drains);
	free(c->steps);
	metrics_sim_free(c->metrics);
	store_free(c->store);
	engine_free(c->engine);
	free(c);
}

const struct store *cluster_store(const struct cluster *c)
{
	return c->store;
}

ktime_t cluster_elapsed(const struct cluster *c)
{
	return engine_now(c->engine) - c->start;
}

uint64_t cluster_steps(const struct cluster *c)
{
	return engine_steps(c->engine);
}

uint64_t cluster_seed(const struct cluster *c)
{
	return c->seed;
}

bool cluster_truncated(const struct cluster *c)
{
	return c->truncated;
}

const struct expectation *cluster_expectations(const struct cluster *c, size_t *len)
{
	*len = c->expects_len;
	return c->expects;
}
