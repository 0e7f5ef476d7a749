/* sched_run_fixture.h - a running scheduler for the end-to-end scheduler
 * suites: engine, store, client and scheduler, started and freed in one
 * call each, with the node and pod most of those tests need.
 *
 * A test plays kube-apiserver's clients by hand: it creates a node and a
 * pod through the client the scheduler watches (as kubectl would), then
 * advances the simulated clock so the scheduler's queue, cycles and
 * binding run (K8S: the scheduler's integration tests start a real
 * apiserver and scheduler the same way, test/integration/util). Every
 * run starts at KTIME_SIM_EPOCH with store seed 1, so runs repeat.
 *
 * Use: sched_run_open (engine, store, client), sched_run_start or
 * sched_run_start_profiles (the scheduler), create objects and advance,
 * then sched_run_close. A suite that records more about a run (an explain
 * hook's findings) keeps that beside its struct sched_run.
 *
 * Header-only (static inline) like print_fixture.h: each suite including
 * it takes what it uses. It defines set_amount, so a suite including it
 * must not define its own.
 */
#ifndef KUBELAB_TESTS_SCHED_RUN_FIXTURE_H
#define KUBELAB_TESTS_SCHED_RUN_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_config.h"
#include "store.h"
#include "xmalloc.h"
#include "yamldoc.h"

struct sched_run {
	struct engine *engine;
	struct store *store;
	struct client client;		/* as "default-scheduler" */
	struct scheduler *scheduler;	/* NULL until started */
	struct sched_config *config;	/* owned when set: freed by close */
};

/* Sets amount (a quantity, e.g. "500m", "8Gi") of resource name in list. */
static inline void set_amount(struct resource_list *list, const char *name,
			      const char *amount)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(amount, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

/* Zeroes *r and starts an engine at the simulation epoch, a store on its
 * clock and a client for the scheduler (recording Events when
 * record_events). No scheduler yet: objects created now are there when
 * it starts. */
static inline void sched_run_open(struct sched_run *r, bool record_events)
{
	memset(r, 0, sizeof(*r));
	r->engine = engine_new();
	engine_run(r->engine, KTIME_SIM_EPOCH, 0);
	r->client.clock = engine_clock(r->engine);
	r->store = store_new(&r->client.clock, 1);
	r->client.store = r->store;
	r->client.component = "default-scheduler";
	r->client.record_events = record_events;
}

/* Starts the scheduler on r's client with options (copied). */
static inline void sched_run_start(struct sched_run *r,
				   const struct scheduler_options *options)
{
	r->scheduler = scheduler_new(&r->client, options);
}

/* Starts the scheduler with config's profiles (config must outlive the
 * run: sched_run_close frees it only when it is r->config), seed 1. */
static inline void sched_run_start_profiles(struct sched_run *r,
					    const struct sched_config *config,
					    ktime_t bind_latency)
{
	struct scheduler_options options = {
		.profiles = config->profiles, .profiles_len = config->profiles_len,
		.bind_latency = bind_latency, .seed = 1,
	};
	sched_run_start(r, &options);
}

/* Frees the scheduler, store, engine and r->config. */
static inline void sched_run_close(struct sched_run *r)
{
	scheduler_free(r->scheduler);
	store_free(r->store);
	engine_free(r->engine);
	sched_config_free(r->config);
}

/* Runs every timer due in the next `by` of simulated time. */
static inline void sched_run_advance(struct sched_run *r, ktime_t by)
{
	engine_run(r->engine, engine_now(r->engine) + by, 0);
}

/* Creates obj through the client (taking the caller's reference); the
 * test fails with the API's message if it is refused. */
static inline void sched_run_create(struct sched_run *r, struct object *obj)
{
	struct api_status status;
	ck_assert_msg(client_create(&r->client, obj, &status) == API_OK, "%s",
		      status.message);
}

/* The pod default/name as stored now; the test fails if there is none. */
static inline const struct pod *sched_run_pod(struct sched_run *r, const char *name)
{
	const struct object *obj = client_get(&r->client, KIND_POD, "default", name);
	ck_assert_ptr_nonnull(obj);
	return (const struct pod *)obj;
}

/* A new node with 4 cpu, 8Gi memory and 110 pod slots allocatable, not
 * yet created (the caller may add labels or taints first). */
static inline struct node *sched_run_new_node(const char *name)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	set_amount(&n->status.allocatable, "cpu", "4");
	set_amount(&n->status.allocatable, "memory", "8Gi");
	set_amount(&n->status.allocatable, "pods", "110");
	return n;
}

/* A new pod default/name with one container "app" (nginx) and no
 * requests, not yet created. */
static inline struct pod *sched_run_new_pod(const char *name)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->spec.containers.items = xcalloc(1, sizeof(struct container));
	p->spec.containers.len = 1;
	p->spec.containers.items[0].name = xstrdup("app");
	p->spec.containers.items[0].image = xstrdup("nginx");
	return p;
}

/* Parses a KubeSchedulerConfiguration document; the test fails (printing
 * the diagnostics) if it is not valid. Caller frees, or hands it to
 * r->config. */
static inline struct sched_config *sched_run_config(const char *text)
{
	struct diag_list diags = { 0 };
	struct yfile *file = yfile_load_string("sched.yaml", text, strlen(text), &diags);
	ck_assert_ptr_nonnull(file);
	struct sched_config *config = sched_config_parse("sched.yaml", file->docs[0].root,
							 &diags);
	if (!config)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(config);
	yfile_free(file);
	diag_release(&diags);
	return config;
}

/* The smallest end-to-end run: node-1 and the pod "web" (as
 * sched_run_new_node and sched_run_new_pod make them), a scheduler
 * with the profiles of the KubeSchedulerConfiguration config_text (kept
 * in r->config) and a 10ms bind latency; runs one second, time for
 * web's cycle and binding. */
static inline void sched_run_one_pod(struct sched_run *r, const char *config_text)
{
	sched_run_open(r, true);
	r->config = sched_run_config(config_text);
	sched_run_start_profiles(r, r->config, 10 * KTIME_MS);
	sched_run_create(r, &sched_run_new_node("node-1")->obj);
	sched_run_create(r, &sched_run_new_pod("web")->obj);
	sched_run_advance(r, KTIME_SECOND);
}

#endif
