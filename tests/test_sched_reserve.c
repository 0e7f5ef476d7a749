/* test_sched_reserve.c - Reserve, Permit, PreBind and Unreserve.
 *
 * A recording plugin, registered as an out-of-tree plugin and enabled
 * through a KubeSchedulerConfiguration, logs every call. The tests check
 * upstream's order (schedule_one.go: Reserve and Permit in the scheduling
 * cycle, PreBind in the binding cycle, Unreserve when anything after
 * Reserve says no) and what the user sees when a plugin says no: the pod
 * stays unbound with upstream's "0/1 nodes are available" message.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "engine.h"
#include "sched.h"
#include "sched_config.h"
#include "store.h"
#include "xmalloc.h"

Suite *sched_reserve_suite(void);

static char log_text[256];
static const char *say_no_at;	/* "permit", "preBind", or NULL */

static void note(const char *what, const char *node)
{
	size_t len = strlen(log_text);
	snprintf(log_text + len, sizeof(log_text) - len, "%s%s@%s", len ? " " : "",
		 what, node);
}

static enum sched_code answer(const char *point, const char *node,
			      struct sched_status *status)
{
	note(point, node);
	if (say_no_at && !strcmp(say_no_at, point))
		return sched_status_add(status, SCHED_UNSCHEDULABLE, "node(s) said no");
	return SCHED_SUCCESS;
}

static enum sched_code rec_reserve(struct sched_state *state, const struct pod *pod,
				   const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("reserve", node, status);
}

static void rec_unreserve(struct sched_state *state, const struct pod *pod,
			  const char *node)
{
	(void)state, (void)pod;
	note("unreserve", node);
}

static enum sched_code rec_permit(struct sched_state *state, const struct pod *pod,
				  const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("permit", node, status);
}

static enum sched_code rec_pre_bind(struct sched_state *state, const struct pod *pod,
				    const char *node, struct sched_status *status)
{
	(void)state, (void)pod;
	return answer("preBind", node, status);
}

static const struct sched_plugin recorder = {
	.name = "Recorder", .reserve = rec_reserve, .unreserve = rec_unreserve,
	.permit = rec_permit, .pre_bind = rec_pre_bind,
};

struct run {
	struct engine *engine;
	struct store *store;
	struct client client;
	struct scheduler *scheduler;
	struct sched_config *config;
};

static void set_amount(struct resource_list *list, const char *name, const char *amount)
{
	struct quantity q;
	ck_assert_int_eq(quantity_parse(amount, &q, NULL), 0);
	resource_list_set(list, name, &q);
}

static void create(struct run *r, struct object *obj)
{
	struct api_status status;
	ck_assert_msg(client_create(&r->client, obj, &status) == API_OK, "%s",
		      status.message);
}

/* One node, one pod, a profile with the recorder; runs a second. */
static void run_one_pod(struct run *r)
{
	const char *why = NULL;
	if (!sched_plugin_lookup("Recorder"))
		ck_assert_ptr_nonnull(sched_plugin_register(&recorder, &why));
	log_text[0] = '\0';
	const char text[] =
		"apiVersion: kubescheduler.config.k8s.io/v1\n"
		"kind: KubeSchedulerConfiguration\n"
		"profiles:\n"
		"- plugins: {multiPoint: {enabled: [{name: Recorder}]}}\n";
	struct diag_list diags = { 0 };
	struct yfile *file = yfile_load_string("s.yaml", text, sizeof(text) - 1, &diags);
	r->config = sched_config_parse("s.yaml", file->docs[0].root, &diags);
	yfile_free(file);
	ck_assert_ptr_nonnull(r->config);

	memset(r, 0, offsetof(struct run, config));
	r->engine = engine_new();
	engine_run(r->engine, KTIME_SIM_EPOCH, 0);
	r->client.clock = engine_clock(r->engine);
	r->store = store_new(&r->client.clock, 1);
	r->client.store = r->store;
	r->client.component = "default-scheduler";
	r->client.record_events = true;
	struct scheduler_options options = {
		.profiles = r->config->profiles, .profiles_len = r->config->profiles_len,
		.bind_latency = 10 * KTIME_MS, .seed = 1,
	};
	r->scheduler = scheduler_new(&r->client, &options);

	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup("node-1");
	set_amount(&n->status.allocatable, "cpu", "4");
	set_amount(&n->status.allocatable, "memory", "8Gi");
	set_amount(&n->status.allocatable, "pods", "110");
	create(r, &n->obj);
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup("web");
	p->obj.meta.namespace = xstrdup("default");
	p->spec.containers.items = xcalloc(1, sizeof(struct container));
	p->spec.containers.len = 1;
	p->spec.containers.items[0].name = xstrdup("app");
	p->spec.containers.items[0].image = xstrdup("nginx");
	create(r, &p->obj);
	engine_run(r->engine, engine_now(r->engine) + KTIME_SECOND, 0);
}

static const struct pod *web(struct run *r)
{
	return (const struct pod *)client_get(&r->client, KIND_POD, "default", "web");
}

static void run_stop(struct run *r)
{
	scheduler_free(r->scheduler);
	store_free(r->store);
	engine_free(r->engine);
	sched_config_free(r->config);
	say_no_at = NULL;
}

START_TEST(test_reserve_permit_pre_bind_run_in_upstreams_order)
{
	struct run r;
	run_one_pod(&r);
	ck_assert_str_eq(log_text, "reserve@node-1 permit@node-1 preBind@node-1");
	ck_assert_str_eq(web(&r)->spec.node_name, "node-1");
	run_stop(&r);
}
END_TEST

START_TEST(test_permit_rejection_unreserves_and_leaves_the_pod_pending)
{
	say_no_at = "permit";
	struct run r;
	run_one_pod(&r);
	/* The first attempt, then the pod waits for a cluster event. */
	ck_assert_str_eq(log_text, "reserve@node-1 permit@node-1 unreserve@node-1");
	const struct pod *pod = web(&r);
	ck_assert_ptr_null(pod->spec.node_name);
	ck_assert_str_eq(pod->status.conditions.items[0].reason, "Unschedulable");
	ck_assert_str_eq(pod->status.conditions.items[0].message,
			 "0/1 nodes are available: 1 node(s) said no.");
	run_stop(&r);
}
END_TEST

START_TEST(test_pre_bind_rejection_unreserves_before_binding)
{
	say_no_at = "preBind";
	struct run r;
	run_one_pod(&r);
	ck_assert_ptr_nonnull(strstr(log_text, "reserve@node-1 permit@node-1 "
				     "preBind@node-1 unreserve@node-1"));
	ck_assert_ptr_null(web(&r)->spec.node_name);
	ck_assert_uint_eq(scheduler_scheduled(r.scheduler), 0);
	run_stop(&r);
}
END_TEST

Suite *sched_reserve_suite(void)
{
	Suite *s = suite_create("sched_reserve");
	TCase *tc = tcase_create("points");
	tcase_add_test(tc, test_reserve_permit_pre_bind_run_in_upstreams_order);
	tcase_add_test(tc, test_permit_rejection_unreserves_and_leaves_the_pod_pending);
	tcase_add_test(tc, test_pre_bind_rejection_unreserves_before_binding);
	suite_add_tcase(s, tc);
	return s;
}
