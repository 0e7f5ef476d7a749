/* ctrl_harness.h - a small cluster for controller tests: engine, store,
 * the controllers a test asks for, and the test's own client.
 *
 * There is no scheduler and no kubelet. The test plays both: it binds
 * pods by writing spec.nodeName and makes them ready by writing their
 * status (h_make_ready, or h_auto_ready for every new pod after a delay).
 * Every Event any controller records is logged with its time relative to
 * T0 (the moment the harness started), so tests assert what `kubectl get
 * events` would show, and when.
 *
 * Header-only (static inline) because the Makefile compiles only
 * tests/test_*.c, each as one suite.
 */
#ifndef KUBELAB_TESTS_CTRL_HARNESS_H
#define KUBELAB_TESTS_CTRL_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "controller.h"
#include "engine.h"
#include "xmalloc.h"

#define S KTIME_SECOND
#define H_MAX_CONTROLLERS 5

struct h_event {
	ktime_t t;			/* relative to T0 */
	char *kind, *object, *type, *reason, *message, *source;
};

struct h_ready_timer;

struct harness {
	struct engine *engine;
	struct clock clock;
	struct store *store;
	struct client actor;		/* the test: kubectl, scheduler, kubelet */
	const struct metrics_source *metrics;	/* given to controllers started after */
	struct client clients[H_MAX_CONTROLLERS];
	const struct controller_ops *ops[H_MAX_CONTROLLERS];
	void *states[H_MAX_CONTROLLERS];
	size_t controllers;
	ktime_t t0;
	struct h_event *events;
	size_t events_len, events_cap;
	ktime_t auto_ready;		/* 0: off; else pods become ready after it */
	int pod_watch;
	struct h_ready_timer **timers;	/* every auto-ready timer, freed at the end */
	size_t timers_len, timers_cap;
};

static inline void h_nothing(void *arg)
{
	(void)arg;
}

static inline void h_log_event(void *arg, ktime_t now, const struct object *obj,
			       const char *type, const char *reason, const char *message)
{
	struct harness *h = arg;
	xgrow((void **)&h->events, &h->events_cap, h->events_len + 1, sizeof(*h->events));
	h->events[h->events_len++] = (struct h_event){
		.t = now - h->t0, .kind = xstrdup(obj->kind->kind),
		.object = xstrdup(obj->meta.name), .type = xstrdup(type),
		.reason = xstrdup(reason), .message = xstrdup(message),
		.source = NULL,
	};
}

/* A harness at T0 = KTIME_SIM_EPOCH with the given watch delay. */
static inline struct harness *h_new(ktime_t watch_delay)
{
	struct harness *h = xcalloc(1, sizeof(*h));
	h->engine = engine_new();
	engine_at(h->engine, KTIME_SIM_EPOCH, h_nothing, NULL);
	engine_run(h->engine, KTIME_SIM_EPOCH, 0);
	h->t0 = KTIME_SIM_EPOCH;
	h->clock = engine_clock(h->engine);
	h->store = store_new(&h->clock, 1);
	store_set_watch_delay(h->store, watch_delay);
	h->actor = (struct client){
		.store = h->store, .clock = h->clock, .component = "test",
		.event_hook = h_log_event, .event_hook_arg = h,
	};
	return h;
}

static inline void h_start(struct harness *h, const char *name)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	const struct controller_ops *ops = controller_find(name);
	ck_assert_ptr_nonnull(ops);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = ops->name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
		.metrics = h->metrics,
	};
	h->ops[i] = ops;
	h->states[i] = ops->start(&h->clients[i]);
}

static inline void h_free(struct harness *h)
{
	engine_set_step_hook(h->engine, NULL, NULL);
	for (size_t i = h->controllers; i-- > 0;)
		h->ops[i]->stop(h->states[i]);
	if (h->pod_watch)
		client_unwatch(&h->actor, h->pod_watch);
	for (size_t i = 0; i < h->events_len; i++) {
		struct h_event *e = &h->events[i];
		free(e->kind);
		free(e->object);
		free(e->type);
		free(e->reason);
		free(e->message);
	}
	free(h->events);
	for (size_t i = 0; i < h->timers_len; i++)
		free(h->timers[i]);
	free(h->timers);
	store_free(h->store);
	engine_free(h->engine);
	free(h);
}

static inline ktime_t h_now(const struct harness *h)
{
	return engine_now(h->engine) - h->t0;
}

/* Runs until T0 + t (relative). */
static inline void h_run_to(struct harness *h, ktime_t t)
{
	engine_at(h->engine, h->t0 + t, h_nothing, NULL);
	engine_run(h->engine, h->t0 + t, 0);
}

static inline void h_run_for(struct harness *h, ktime_t d)
{
	h_run_to(h, h_now(h) + d);
}

/* How many events have this reason (and, unless NULL, this message). */
static inline size_t h_count_events(const struct harness *h, const char *reason,
				    const char *message)
{
	size_t n = 0;
	for (size_t i = 0; i < h->events_len; i++)
		n += !strcmp(h->events[i].reason, reason) &&
		     (!message || !strcmp(h->events[i].message, message));
	return n;
}

static inline const struct h_event *h_find_event(const struct harness *h, const char *reason,
						 const char *message)
{
	for (size_t i = 0; i < h->events_len; i++)
		if (!strcmp(h->events[i].reason, reason) &&
		    (!message || !strcmp(h->events[i].message, message)))
			return &h->events[i];
	return NULL;
}

/* ---- building objects ---------------------------------------------------- */

/* Applies the API server's defaults, as decoding a manifest would. */
static inline void h_default(struct object *obj)
{
	schema_apply_defaults(obj->kind->schema, obj);
	if (obj->kind->set_defaults)
		obj->kind->set_defaults(obj);
}

static inline void h_template(struct pod_template_spec *t, const char *app, const char *image)
{
	strmap_set(&t->metadata.labels, "app", app);
	t->spec.containers.items = xcalloc(1, sizeof(struct container));
	t->spec.containers.len = 1;
	t->spec.containers.items[0].name = xstrdup("main");
	t->spec.containers.items[0].image = xstrdup(image);
	t->spec.termination_grace_period_seconds = 30;
}

static inline struct replica_set *h_replica_set(const char *name, int32_t replicas)
{
	struct replica_set *rs = (struct replica_set *)object_new(&replica_set_kind);
	rs->obj.meta.name = xstrdup(name);
	rs->obj.meta.namespace = xstrdup("default");
	strmap_set(&rs->spec.selector.match_labels, "app", name);
	h_template(&rs->spec.template, name, "web:v1");
	h_default(&rs->obj);
	rs->spec.replicas = replicas;
	return rs;
}

static inline struct deployment *h_deployment(const char *name, int32_t replicas)
{
	struct deployment *d = (struct deployment *)object_new(&deployment_kind);
	d->obj.meta.name = xstrdup(name);
	d->obj.meta.namespace = xstrdup("default");
	strmap_set(&d->spec.selector.match_labels, "app", name);
	h_template(&d->spec.template, name, "web:v1");
	h_default(&d->obj);
	d->spec.replicas = replicas;
	return d;
}

static inline void h_create(struct harness *h, struct object *obj)
{
	struct api_status status;
	ck_assert_msg(client_create(&h->actor, obj, &status) == API_OK, "create: %s",
		      status.message);
}

static inline const struct object *h_get(struct harness *h, enum kind_id kind,
					 const char *namespace, const char *name)
{
	return client_get(&h->actor, kind, namespace, name);
}

/* Read-modify-write of one stored object through fn. */
static inline void h_update(struct harness *h, enum kind_id kind, const char *namespace,
			    const char *name, void (*fn)(struct object *obj, void *arg),
			    void *arg, bool status)
{
	const struct object *cur = h_get(h, kind, namespace, name);
	ck_assert_msg(cur != NULL, "%s not found", name);
	struct object *next = object_copy(cur);
	fn(next, arg);
	struct api_status result;
	enum api_code code = status ? client_update_status(&h->actor, next, &result)
				    : client_update(&h->actor, next, &result);
	ck_assert_msg(code == API_OK, "update %s: %s", name, result.message);
}

/* ---- playing the scheduler and the kubelet ------------------------------- */

static inline void h_set_node_fn(struct object *obj, void *arg)
{
	struct pod *pod = (struct pod *)obj;
	free(pod->spec.node_name);
	pod->spec.node_name = xstrdup(arg);
}

static inline void h_bind(struct harness *h, const char *pod, const char *node)
{
	h_update(h, KIND_POD, "default", pod, h_set_node_fn, (void *)node, false);
}

/* Running, with the Ready condition as given (transition now). */
struct h_status {
	ktime_t now;
	bool ready;
};

static inline void h_status_fn(struct object *obj, void *arg)
{
	const struct h_status *want = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(POD_PHASE_RUNNING);
	struct condition *c = condition_find(&pod->status.conditions, "Ready");
	if (!c) {
		size_t cap = pod->status.conditions.len;
		xgrow((void **)&pod->status.conditions.items, &cap,
		      pod->status.conditions.len + 1, sizeof(struct condition));
		c = &pod->status.conditions.items[pod->status.conditions.len++];
		memset(c, 0, sizeof(*c));
		c->type = xstrdup("Ready");
	}
	free(c->status);
	c->status = xstrdup(want->ready ? "True" : "False");
	c->last_transition_time = want->now;
}

static inline void h_set_running(struct harness *h, const char *pod, bool ready)
{
	struct h_status want = { clock_now(&h->clock), ready };
	h_update(h, KIND_POD, "default", pod, h_status_fn, &want, true);
}

struct h_ready_timer {
	struct harness *h;
	char name[254];
};

static inline void h_ready_now(void *arg)
{
	struct h_ready_timer *t = arg;
	const struct object *pod = h_get(t->h, KIND_POD, "default", t->name);
	if (pod && !object_is_deleting(pod))
		h_set_running(t->h, t->name, true);
}

static inline void h_on_pod(void *arg, enum watch_type type, const struct object *obj,
			    const struct object *old)
{
	struct harness *h = arg;
	(void)old;
	if (type != WATCH_ADDED)
		return;
	struct h_ready_timer *t = xcalloc(1, sizeof(*t));
	t->h = h;
	snprintf(t->name, sizeof(t->name), "%s", obj->meta.name);
	xgrow((void **)&h->timers, &h->timers_cap, h->timers_len + 1, sizeof(*h->timers));
	h->timers[h->timers_len++] = t;
	clock_after(&h->clock, h->auto_ready, h_ready_now, t);
}

/* Every pod created from now on becomes Running and Ready after delay,
 * as a kubelet with a fast image would make it. */
static inline void h_auto_ready(struct harness *h, ktime_t delay)
{
	h->auto_ready = delay;
	h->pod_watch = client_watch(&h->actor, KIND_POD, h_on_pod, h);
}

/* ---- looking at pods ----------------------------------------------------- */

struct h_pods {
	size_t total;		/* every pod object */
	size_t active;		/* not terminating, not finished */
	size_t ready;		/* active and Ready */
};

static inline struct h_pods h_count_pods(struct harness *h, const char *owner_uid)
{
	struct object_list list = {0};
	store_list(h->store, KIND_POD, NULL, NULL, &list);
	struct h_pods n = {0};
	for (size_t i = 0; i < list.len; i++) {
		const struct pod *pod = (const void *)list.items[i];
		const struct owner_reference *ref = object_controller_of(&pod->obj);
		if (owner_uid && (!ref || strcmp(ref->uid, owner_uid)))
			continue;
		n.total++;
		if (object_is_deleting(&pod->obj))
			continue;
		n.active++;
		const struct condition *c =
			condition_find((void *)&pod->status.conditions, "Ready");
		n.ready += c && !strcmp(c->status, "True");
	}
	object_list_release(&list);
	return n;
}

#endif
