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
 *
 * Files: this one holds start-up, the control plane, the expectations and
 * the run; cluster_nodes.c the nodes (step 4), cluster_timeline.c the
 * actions (step 5). They share struct cluster through cluster_internal.h.
 */
#include "cluster_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_drain.h"
#include "json.h"
#include "kubelet.h"
#include "release.h"
#include "xmalloc.h"

void cluster_init_client(struct cluster *c, struct client *client,
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
		cluster_init_client(c, &comp->client, comp->ops->name, NULL);
		comp->state = comp->ops->start(&comp->client);
	}
	cluster_init_client(c, &c->scheduler_client, DEFAULT_SCHEDULER_NAME, NULL);
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
		so.parallelism = config->parallelism;
	}
	/* Only when someone listens: explaining costs the scheduler work. */
	if (c->options.explain.attempt || trace_get_level(c->options.trace) == TRACE_FULL)
		so.explain = (struct sched_explain_hook){ explain_attempt, c };
	c->scheduler = scheduler_new(&c->scheduler_client, &so);
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
	cluster_init_client(c, &c->actor, "kubectl", NULL);

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
	cluster_start_nodes(c);
	cluster_schedule_timeline(c);
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
