/* kubelet_harness.h - one sim kubelet over a real engine, store and client,
 * for the kubelet's unit tests (tests/test_kubelet_*.c).
 *
 * There is no scheduler: pods are created with spec.nodeName already set,
 * as a bound pod reaches a kubelet. A hook on the kubelet's client logs
 * every Event with its time relative to T0 (the moment the kubelet
 * started), so tests assert what `kubectl describe` would show, and when.
 * Shared by every kubelet suite.
 *
 * Header-only (static inline) because the Makefile compiles only
 * tests/test_*.c, each as one suite.
 */
#ifndef KUBELAB_TESTS_KUBELET_HARNESS_H
#define KUBELAB_TESTS_KUBELET_HARNESS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "engine.h"
#include "kubelet.h"
#include "release.h"
#include "xmalloc.h"

#define NODE "worker-1"
#define S KTIME_SECOND

struct logged_event {
	ktime_t t;		/* relative to T0 */
	char *object, *type, *reason, *message;
};

struct fixture {
	struct engine *engine;
	struct store *store;
	struct client kubelet_client, actor;
	struct kubelet *kubelet;
	struct image_behavior images[24];
	const char *node_memory;	/* capacity; NULL: 8Gi */
	size_t images_len;
	ktime_t t0;
	struct logged_event *events;
	size_t events_len, events_cap;
};

static inline void nothing(void *arg)
{
	(void)arg;
}

static inline void log_event(void *arg, ktime_t now, const struct object *obj, const char *type,
		      const char *reason, const char *message)
{
	struct fixture *f = arg;
	xgrow((void **)&f->events, &f->events_cap, f->events_len + 1, sizeof(*f->events));
	f->events[f->events_len++] = (struct logged_event){
		now - f->t0, xstrdup(obj->meta.name), xstrdup(type), xstrdup(reason),
		xstrdup(message),
	};
}

static inline void add_image(struct fixture *f, const char *name, ktime_t pull, ktime_t start)
{
	struct image_behavior *image = &f->images[f->images_len++];
	image_behavior_default(image, name);
	image->pull = pull;
	image->start = start;
}

static inline struct image_behavior *image_named(struct fixture *f, const char *name)
{
	for (size_t i = 0; i < f->images_len; i++)
		if (!strcmp(f->images[i].name, name))
			return &f->images[i];
	ck_abort_msg("no image %s", name);
	return NULL;
}

static inline void set_quantity(struct resource_list *list, const char *name, const char *text)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(text, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

/* The engine starts at 0; a run starts at KTIME_SIM_EPOCH. */
static inline struct fixture *fixture_new(void)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->engine = engine_new();
	engine_at(f->engine, KTIME_SIM_EPOCH, nothing, NULL);
	engine_run(f->engine, KTIME_SIM_EPOCH, 0);
	struct clock clock = engine_clock(f->engine);
	f->store = store_new(&clock, 1);
	f->kubelet_client = (struct client){
		.store = f->store, .clock = clock, .component = "kubelet", .host = NODE,
		.record_events = true, .event_hook = log_event, .event_hook_arg = f,
	};
	f->actor = (struct client){ .store = f->store, .clock = clock, .component = "test" };
	add_image(f, "web:v1", 2 * S, 1 * S);
	image_named(f, "web:v1")->ready_after = 3 * S;
	add_image(f, "crash:v1", 1 * S, 1 * S);
	image_named(f, "crash:v1")->crash_after = 5 * S;
	add_image(f, "job:v1", 1 * S, 1 * S);
	image_named(f, "job:v1")->complete_after = 4 * S;
	add_image(f, "missing:v1", 2 * S, 1 * S);
	image_named(f, "missing:v1")->pull_fails = true;
	add_image(f, "crash-9m:v1", 1 * S, 1 * S);
	image_named(f, "crash-9m:v1")->crash_after = 9 * KTIME_MINUTE;
	add_image(f, "crash-11m:v1", 1 * S, 1 * S);
	image_named(f, "crash-11m:v1")->crash_after = 11 * KTIME_MINUTE;
	add_image(f, "init:v1", 1 * S, 1 * S);
	image_named(f, "init:v1")->complete_after = 2 * S;
	return f;
}

static inline void fixture_start(struct fixture *f)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(NODE);
	set_quantity(&node->status.capacity, "cpu", "4");
	set_quantity(&node->status.capacity, "memory", f->node_memory ? f->node_memory : "8Gi");
	set_quantity(&node->status.capacity, "pods", "110");
	struct kubelet_options options = {
		.node = node, .images = f->images, .images_len = f->images_len, .seed = 1,
	};
	f->t0 = engine_now(f->engine);
	f->kubelet = kubelet_new(&f->kubelet_client, &options);
	object_unref(&node->obj);
}

static inline void fixture_free(struct fixture *f)
{
	kubelet_free(f->kubelet);
	store_free(f->store);
	engine_free(f->engine);
	for (size_t i = 0; i < f->images_len; i++)
		image_behavior_release(&f->images[i]);
	for (size_t i = 0; i < f->events_len; i++) {
		free(f->events[i].object);
		free(f->events[i].type);
		free(f->events[i].reason);
		free(f->events[i].message);
	}
	free(f->events);
	free(f);
}

/* Runs every event up to T0 + t and leaves the clock at that time, even
 * when nothing is due then (as cluster.c does with its end). */
static inline void run_to(struct fixture *f, ktime_t t)
{
	if (engine_now(f->engine) < f->t0 + t)
		engine_at(f->engine, f->t0 + t, nothing, NULL);
	engine_run(f->engine, f->t0 + t, 0);
}

/* A pod bound to NODE with one container named after its image. */
static inline struct pod *pod_new(const char *name, const char *container, const char *image)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	pod->spec.node_name = xstrdup(NODE);
	pod->spec.restart_policy = xstrdup("Always");
	pod->spec.termination_grace_period_seconds = 30;
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	pod->spec.containers.items[0].name = xstrdup(container);
	pod->spec.containers.items[0].image = xstrdup(image);
	return pod;
}

static inline void create(struct fixture *f, struct pod *pod)
{
	struct api_status status;
	ck_assert_int_eq(client_create(&f->actor, &pod->obj, &status), API_OK);
}

static inline const struct pod *get_pod(struct fixture *f, const char *name)
{
	return (const struct pod *)store_get(f->store, KIND_POD, "default", name);
}

static inline const struct container_status *status_of(const struct pod *pod, const char *name)
{
	for (size_t i = 0; i < pod->status.container_statuses.len; i++)
		if (!strcmp(pod->status.container_statuses.items[i].name, name))
			return &pod->status.container_statuses.items[i];
	return NULL;
}

static inline const struct condition *condition_of(const struct pod *pod, const char *type)
{
	return condition_find((void *)&pod->status.conditions, type);
}

/* The n-th (from 0) event with this reason about object; NULL if none. */
static inline const struct logged_event *event_nth(struct fixture *f, const char *object,
					    const char *reason, size_t n)
{
	for (size_t i = 0; i < f->events_len; i++)
		if (!strcmp(f->events[i].object, object) && !strcmp(f->events[i].reason, reason) &&
		    n-- == 0)
			return &f->events[i];
	return NULL;
}

/* As event_nth, for an event the test requires. */
static inline const struct logged_event *event_get(struct fixture *f, const char *object,
					    const char *reason, size_t n)
{
	const struct logged_event *event = event_nth(f, object, reason, n);
	ck_assert_msg(event != NULL, "no %s event #%zu about %s", reason, n, object);
	return event;
}

static inline size_t event_count(struct fixture *f, const char *object, const char *reason)
{
	size_t n = 0;
	while (event_nth(f, object, reason, n))
		n++;
	return n;
}

static inline const struct lease *get_lease(struct fixture *f)
{
	return (const struct lease *)store_get(f->store, KIND_LEASE, "kube-node-lease", NODE);
}

/* The last version of a pod a watch delivered (its final status survives
 * the delete): a test's window on what `kubectl get -w` showed. */
struct pod_tap {
	const char *name;
	struct object *last;	/* a reference */
	bool deleted;
};

static inline void pod_tap_fn(void *arg, enum watch_type type, const struct object *obj,
			      const struct object *old)
{
	struct pod_tap *tap = arg;
	(void)old;
	if (strcmp(obj->meta.name, tap->name))
		return;
	if (tap->last)
		object_unref(tap->last);
	tap->last = object_ref(obj);
	tap->deleted = type == WATCH_DELETED;
}

static inline void pod_tap_start(struct fixture *f, struct pod_tap *tap, const char *name)
{
	memset(tap, 0, sizeof(*tap));
	tap->name = name;
	client_watch(&f->actor, KIND_POD, pod_tap_fn, tap);
}

static inline const struct pod *pod_tap_last(struct pod_tap *tap)
{
	ck_assert_ptr_nonnull(tap->last);
	return (const struct pod *)tap->last;
}

static inline void pod_tap_release(struct pod_tap *tap)
{
	if (tap->last)
		object_unref(tap->last);
	tap->last = NULL;
}

#endif
