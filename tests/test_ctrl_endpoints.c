/* test_ctrl_endpoints.c - the Endpoints controller.
 *
 * Runs the real controller over an engine and a store (tests/ctrl_harness.h).
 * The test plays the scheduler and the kubelet: it creates pods already
 * bound to a node and gives them an IP and a Ready condition by writing
 * their status. The controller is started from its row directly (it is not
 * in controller_table yet).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_endpoints.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_endpoints_suite(void);

/* h_start, for a row that controller_find does not know. */
static void start_endpoints(struct harness *h)
{
	ck_assert_uint_lt(h->controllers, H_MAX_CONTROLLERS);
	size_t i = h->controllers++;
	h->clients[i] = (struct client){
		.store = h->store, .clock = h->clock, .component = endpoints_controller.name,
		.record_events = true, .event_hook = h_log_event, .event_hook_arg = h,
	};
	h->ops[i] = &endpoints_controller;
	h->states[i] = endpoints_controller.start(&h->clients[i]);
}

/* ---- building objects ---------------------------------------------------- */

static void add_port(struct service *svc, const char *name, int32_t port, const char *target)
{
	size_t cap = svc->spec.ports.len;
	xgrow((void **)&svc->spec.ports.items, &cap, svc->spec.ports.len + 1,
	      sizeof(*svc->spec.ports.items));
	struct service_port *sp = &svc->spec.ports.items[svc->spec.ports.len++];
	memset(sp, 0, sizeof(*sp));
	sp->name = name ? xstrdup(name) : NULL;
	sp->port = port;
	if (target && target[0] >= '0' && target[0] <= '9')
		sp->target_port = (struct int_or_string){ .is_set = true, .int_value = atoi(target) };
	else if (target)
		sp->target_port = (struct int_or_string){ .is_set = true, .is_string = true,
							  .str_value = xstrdup(target) };
}

/* A Service selecting app=APP (none when app is NULL), not yet created. */
static struct service *service(const char *name, const char *app)
{
	struct service *svc = (struct service *)object_new(&service_kind);
	svc->obj.meta.name = xstrdup(name);
	svc->obj.meta.namespace = xstrdup("default");
	strmap_set(&svc->obj.meta.labels, "tier", "frontend");
	if (app)
		strmap_set(&svc->spec.selector, "app", app);
	return svc;
}

static void create_service(struct harness *h, struct service *svc)
{
	h_default(&svc->obj);
	h_create(h, &svc->obj);
}

/* A pod labelled app=APP on node-1, with a container port named "http"
 * (8080) when named_port. */
static void create_pod(struct harness *h, const char *name, const char *app, bool named_port)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	strmap_set(&pod->obj.meta.labels, "app", app);
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	struct container *c = &pod->spec.containers.items[0];
	c->name = xstrdup("main");
	c->image = xstrdup("web:v1");
	if (named_port) {
		c->ports.items = xcalloc(1, sizeof(struct container_port));
		c->ports.len = 1;
		c->ports.items[0].name = xstrdup("http");
		c->ports.items[0].container_port = 8080;
	}
	pod->spec.node_name = xstrdup("node-1");
	h_default(&pod->obj);
	h_create(h, &pod->obj);
}

struct pod_state {
	const char *ip;
	bool ready;
	const char *phase;
	ktime_t now;
};

static void pod_state_fn(struct object *obj, void *arg)
{
	const struct pod_state *want = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(want->phase ? want->phase : POD_PHASE_RUNNING);
	free(pod->status.pod_ip);
	pod->status.pod_ip = xstrdup(want->ip);
	ctrl_condition_remove(&pod->status.conditions, "Ready");
	struct condition ready = {
		.type = xstrdup("Ready"), .status = xstrdup(want->ready ? "True" : "False"),
		.last_transition_time = want->now,
	};
	ctrl_condition_put(&pod->status.conditions, &ready);
}

/* The kubelet's status write: phase, IP, Ready (transition now). */
static void set_pod(struct harness *h, const char *name, const char *ip, bool ready)
{
	struct pod_state want = { ip, ready, NULL, clock_now(&h->clock) };
	h_update(h, KIND_POD, "default", name, pod_state_fn, &want, true);
}

static void set_labels_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.labels, "app", arg);
}

static void set_annotation_fn(struct object *obj, void *arg)
{
	strmap_set(&obj->meta.annotations, "note", arg);
}

static const struct endpoints *get_endpoints(struct harness *h, const char *name)
{
	return (const struct endpoints *)h_get(h, KIND_ENDPOINTS, "default", name);
}

static void delete(struct harness *h, enum kind_id kind, const char *name)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, kind, "default", name, &options, &status),
			 API_OK);
}

/* ---- addresses ----------------------------------------------------------- */

START_TEST(test_endpoints_move_pods_from_not_ready_to_ready_addresses)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, "http", 80, "8080");
	create_service(h, svc);
	create_pod(h, "web-b", "web", false);
	create_pod(h, "web-a", "web", false);
	create_pod(h, "other", "db", false);
	h_run_for(h, 1 * S);

	/* No pod has an IP yet: an Endpoints object with no subsets. */
	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_ptr_nonnull(ep);
	ck_assert_uint_eq(ep->subsets.len, 0);
	ck_assert_str_eq(strmap_get(&ep->obj.meta.labels, "tier"), "frontend");

	set_pod(h, "web-b", "10.0.0.2", false);
	set_pod(h, "web-a", "10.0.0.10", false);
	set_pod(h, "other", "10.0.0.3", true);
	h_run_for(h, 1 * S);
	ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 1);
	const struct endpoint_subset *subset = &ep->subsets.items[0];
	ck_assert_uint_eq(subset->addresses.len, 0);
	ck_assert_uint_eq(subset->not_ready_addresses.len, 2);
	/* Sorted by IP as text, as upstream: "10.0.0.10" < "10.0.0.2". */
	const struct endpoint_address *a = &subset->not_ready_addresses.items[0];
	ck_assert_str_eq(a->ip, "10.0.0.10");
	ck_assert_str_eq(a->node_name, "node-1");
	ck_assert_str_eq(a->target_ref.kind, "Pod");
	ck_assert_str_eq(a->target_ref.namespace, "default");
	ck_assert_str_eq(a->target_ref.name, "web-a");
	ck_assert_str_eq(a->target_ref.uid, h_get(h, KIND_POD, "default", "web-a")->meta.uid);
	ck_assert_ptr_null(a->hostname);
	ck_assert_str_eq(subset->not_ready_addresses.items[1].ip, "10.0.0.2");
	ck_assert_uint_eq(subset->ports.len, 1);
	ck_assert_str_eq(subset->ports.items[0].name, "http");
	ck_assert_int_eq(subset->ports.items[0].port, 8080);
	ck_assert_str_eq(subset->ports.items[0].protocol, "TCP");

	/* One turns ready: same port, so still one subset, web-a under
	 * addresses and web-b under notReadyAddresses. */
	set_pod(h, "web-a", "10.0.0.10", true);
	h_run_for(h, 1 * S);
	ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 1);
	subset = &ep->subsets.items[0];
	ck_assert_uint_eq(subset->addresses.len, 1);
	ck_assert_str_eq(subset->addresses.items[0].target_ref.name, "web-a");
	ck_assert_uint_eq(subset->not_ready_addresses.len, 1);
	ck_assert_str_eq(subset->not_ready_addresses.items[0].target_ref.name, "web-b");

	set_pod(h, "web-b", "10.0.0.2", true);
	h_run_for(h, 1 * S);
	subset = &get_endpoints(h, "web")->subsets.items[0];
	ck_assert_uint_eq(subset->addresses.len, 2);
	ck_assert_uint_eq(subset->not_ready_addresses.len, 0);
	ck_assert_uint_eq(h_count_events(h, "FailedToUpdateEndpoint", NULL), 0);
	ck_assert_uint_eq(h_count_events(h, "FailedToCreateEndpoint", NULL), 0);
	h_free(h);
}
END_TEST

/* A named targetPort resolves per pod; a pod without it is left out of
 * that port only, so the pods split into two subsets. */
START_TEST(test_endpoints_resolve_named_ports_per_pod)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, "http", 80, "http");
	add_port(svc, "metrics", 9090, "9090");
	create_service(h, svc);
	create_pod(h, "named", "web", true);
	create_pod(h, "plain", "web", false);
	set_pod(h, "named", "10.0.0.1", true);
	set_pod(h, "plain", "10.0.0.2", true);
	h_run_for(h, 1 * S);

	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 2);
	const struct endpoint_subset *http = &ep->subsets.items[0];
	ck_assert_uint_eq(http->ports.len, 1);
	ck_assert_str_eq(http->ports.items[0].name, "http");
	ck_assert_int_eq(http->ports.items[0].port, 8080);
	ck_assert_uint_eq(http->addresses.len, 1);
	ck_assert_str_eq(http->addresses.items[0].target_ref.name, "named");
	const struct endpoint_subset *metrics = &ep->subsets.items[1];
	ck_assert_uint_eq(metrics->ports.len, 1);
	ck_assert_str_eq(metrics->ports.items[0].name, "metrics");
	ck_assert_int_eq(metrics->ports.items[0].port, 9090);
	ck_assert_uint_eq(metrics->addresses.len, 2);
	h_free(h);
}
END_TEST

/* When every pod offers both ports, both share one subset. */
START_TEST(test_endpoints_pack_ports_offered_by_the_same_pods_into_one_subset)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, "metrics", 9090, "9090");
	add_port(svc, "http", 80, "http");
	create_service(h, svc);
	create_pod(h, "a", "web", true);
	create_pod(h, "b", "web", true);
	set_pod(h, "a", "10.0.0.1", true);
	set_pod(h, "b", "10.0.0.2", false);
	h_run_for(h, 1 * S);

	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 1);
	const struct endpoint_subset *subset = &ep->subsets.items[0];
	ck_assert_uint_eq(subset->ports.len, 2);
	ck_assert_int_eq(subset->ports.items[0].port, 8080);	/* sorted by number */
	ck_assert_int_eq(subset->ports.items[1].port, 9090);
	ck_assert_uint_eq(subset->addresses.len, 1);
	ck_assert_uint_eq(subset->not_ready_addresses.len, 1);
	h_free(h);
}
END_TEST

/* ---- which pods ---------------------------------------------------------- */

static void set_phase(struct harness *h, const char *name, const char *ip, const char *phase)
{
	struct pod_state want = { ip, false, phase, clock_now(&h->clock) };
	h_update(h, KIND_POD, "default", name, pod_state_fn, &want, true);
}

START_TEST(test_endpoints_drop_terminating_finished_and_unaddressed_pods)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	create_pod(h, "serving", "web", false);
	create_pod(h, "leaving", "web", false);
	create_pod(h, "done", "web", false);
	create_pod(h, "starting", "web", false);
	set_pod(h, "serving", "10.0.0.1", true);
	set_pod(h, "leaving", "10.0.0.2", true);
	set_phase(h, "done", "10.0.0.3", POD_PHASE_SUCCEEDED);
	h_run_for(h, 1 * S);
	const struct endpoint_subset *subset = &get_endpoints(h, "web")->subsets.items[0];
	ck_assert_uint_eq(subset->addresses.len, 2);
	ck_assert_int_eq(subset->ports.items[0].port, 80);	/* targetPort defaults to port */

	/* A pod on a node is deleted gracefully: it stays, terminating,
	 * and leaves the Endpoints at once. */
	delete(h, KIND_POD, "leaving");
	ck_assert(object_is_deleting(h_get(h, KIND_POD, "default", "leaving")));
	h_run_for(h, 1 * S);
	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 1);
	ck_assert_uint_eq(ep->subsets.items[0].addresses.len, 1);
	ck_assert_str_eq(ep->subsets.items[0].addresses.items[0].target_ref.name, "serving");
	ck_assert_uint_eq(ep->subsets.items[0].not_ready_addresses.len, 0);
	h_free(h);
}
END_TEST

START_TEST(test_endpoints_publish_not_ready_addresses_lists_every_pod_as_ready)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("peers", "db");
	add_port(svc, "peer", 7000, "7000");
	svc->spec.publish_not_ready_addresses = true;
	svc->spec.cluster_ip = xstrdup("None");
	create_service(h, svc);
	create_pod(h, "db-0", "db", false);
	create_pod(h, "db-1", "db", false);
	set_pod(h, "db-0", "10.0.0.1", false);
	set_pod(h, "db-1", "10.0.0.2", true);
	delete(h, KIND_POD, "db-1");	/* terminating pods stay too */
	h_run_for(h, 1 * S);

	const struct endpoints *ep = get_endpoints(h, "peers");
	ck_assert_uint_eq(ep->subsets.len, 1);
	ck_assert_uint_eq(ep->subsets.items[0].addresses.len, 2);
	ck_assert_uint_eq(ep->subsets.items[0].not_ready_addresses.len, 0);
	ck_assert_str_eq(strmap_get(&ep->obj.meta.labels, "service.kubernetes.io/headless"), "");
	h_free(h);
}
END_TEST

static void set_hostname_fn(struct object *obj, void *arg)
{
	struct pod *pod = (struct pod *)obj;
	(void)arg;
	pod->spec.hostname = xstrdup("db-0");
	pod->spec.subdomain = xstrdup("db");
}

/* A StatefulSet pod's hostname shows only in its governing Service. */
START_TEST(test_endpoints_carry_the_hostname_only_for_the_pods_subdomain)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *governing = service("db", "db");
	governing->spec.cluster_ip = xstrdup("None");
	add_port(governing, NULL, 5432, NULL);
	create_service(h, governing);
	struct service *other = service("db-read", "db");
	add_port(other, NULL, 5432, NULL);
	create_service(h, other);
	create_pod(h, "db-0", "db", false);
	h_update(h, KIND_POD, "default", "db-0", set_hostname_fn, NULL, false);
	set_pod(h, "db-0", "10.0.0.1", true);
	h_run_for(h, 1 * S);

	const struct endpoint_address *a = &get_endpoints(h, "db")->subsets.items[0].addresses.items[0];
	ck_assert_str_eq(a->hostname, "db-0");
	a = &get_endpoints(h, "db-read")->subsets.items[0].addresses.items[0];
	ck_assert_ptr_null(a->hostname);
	h_free(h);
}
END_TEST

START_TEST(test_endpoints_follow_a_pod_relabelled_out_of_the_service)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	create_pod(h, "a", "web", false);
	create_pod(h, "b", "web", false);
	set_pod(h, "a", "10.0.0.1", true);
	set_pod(h, "b", "10.0.0.2", true);
	h_run_for(h, 1 * S);
	ck_assert_uint_eq(get_endpoints(h, "web")->subsets.items[0].addresses.len, 2);

	/* kubectl label pod b app=debug: b leaves the Service (for debugging). */
	h_update(h, KIND_POD, "default", "b", set_labels_fn, "debug", false);
	h_run_for(h, 1 * S);
	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.items[0].addresses.len, 1);
	ck_assert_str_eq(ep->subsets.items[0].addresses.items[0].target_ref.name, "a");
	h_free(h);
}
END_TEST

/* ---- when to write ------------------------------------------------------- */

START_TEST(test_endpoints_are_not_rewritten_when_nothing_they_show_changed)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	create_pod(h, "a", "web", false);
	set_pod(h, "a", "10.0.0.1", true);
	h_run_for(h, 1 * S);
	int64_t rv = get_endpoints(h, "web")->obj.meta.resource_version;

	h_update(h, KIND_POD, "default", "a", set_annotation_fn, "hello", false);
	h_run_for(h, 1 * S);
	ck_assert_int_eq(get_endpoints(h, "web")->obj.meta.resource_version, rv);
	h_free(h);
}
END_TEST

START_TEST(test_endpoints_of_a_service_without_selector_are_left_to_the_user)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("external-db", NULL);
	add_port(svc, NULL, 5432, NULL);
	create_service(h, svc);
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(get_endpoints(h, "external-db"));

	/* The user writes the Endpoints by hand; the controller keeps out. */
	struct endpoints *ep = (struct endpoints *)object_new(&endpoints_kind);
	ep->obj.meta.name = xstrdup("external-db");
	ep->obj.meta.namespace = xstrdup("default");
	ep->subsets.items = xcalloc(1, sizeof(struct endpoint_subset));
	ep->subsets.len = 1;
	struct endpoint_subset *subset = &ep->subsets.items[0];
	subset->addresses.items = xcalloc(1, sizeof(struct endpoint_address));
	subset->addresses.len = 1;
	subset->addresses.items[0].ip = xstrdup("192.168.1.5");
	h_create(h, &ep->obj);
	int64_t rv = get_endpoints(h, "external-db")->obj.meta.resource_version;
	create_pod(h, "a", "web", false);
	set_pod(h, "a", "10.0.0.1", true);
	h_run_for(h, 1 * S);
	ck_assert_int_eq(get_endpoints(h, "external-db")->obj.meta.resource_version, rv);
	ck_assert_str_eq(get_endpoints(h, "external-db")->subsets.items[0].addresses.items[0].ip,
			 "192.168.1.5");
	h_free(h);
}
END_TEST

START_TEST(test_endpoints_go_with_their_service_and_come_back_when_deleted)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	h_run_for(h, 1 * S);
	ck_assert_ptr_nonnull(get_endpoints(h, "web"));

	/* Deleted by hand while the Service lives: written again. */
	delete(h, KIND_ENDPOINTS, "web");
	h_run_for(h, 1 * S);
	ck_assert_ptr_nonnull(get_endpoints(h, "web"));

	delete(h, KIND_SERVICE, "web");
	h_run_for(h, 1 * S);
	ck_assert_ptr_null(get_endpoints(h, "web"));
	h_free(h);
}
END_TEST

/* With a watch delay, syncs run on a cache that has not seen the
 * controller's own last write yet; they wait for it instead of failing
 * with Conflict. */
START_TEST(test_endpoints_wait_for_their_own_write_under_a_watch_delay)
{
	struct harness *h = h_new(200 * KTIME_MS);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	char name[16], ip[16];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "web-%d", i);
		create_pod(h, name, "web", false);
	}
	h_run_for(h, 250 * KTIME_MS);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "web-%d", i);
		snprintf(ip, sizeof(ip), "10.0.0.%d", i + 1);
		set_pod(h, name, ip, true);
		h_run_for(h, 10 * KTIME_MS);
	}
	h_run_for(h, 5 * S);
	const struct endpoints *ep = get_endpoints(h, "web");
	ck_assert_uint_eq(ep->subsets.len, 1);
	ck_assert_uint_eq(ep->subsets.items[0].addresses.len, 5);
	ck_assert_uint_eq(h_count_events(h, "FailedToUpdateEndpoint", NULL), 0);
	ck_assert_uint_eq(h_count_events(h, "FailedToCreateEndpoint", NULL), 0);
	h_free(h);
}
END_TEST

/* K8S: TriggerTimeTracker: the Service's creation on the first sync, then
 * the earliest Ready transition that changed since the last sync. */
START_TEST(test_endpoints_record_the_last_change_trigger_time)
{
	struct harness *h = h_new(0);
	start_endpoints(h);
	struct service *svc = service("web", "web");
	add_port(svc, NULL, 80, NULL);
	create_service(h, svc);
	h_run_for(h, 1 * S);
	const char *key = "endpoints.kubernetes.io/last-change-trigger-time";
	ck_assert_str_eq(strmap_get(&get_endpoints(h, "web")->obj.meta.annotations, key),
			 "2026-01-01T00:00:00Z");

	create_pod(h, "a", "web", false);
	h_run_for(h, 1500 * KTIME_MS);	/* now T0 + 2.5s */
	set_pod(h, "a", "10.0.0.1", true);
	h_run_for(h, 1 * S);
	ck_assert_str_eq(strmap_get(&get_endpoints(h, "web")->obj.meta.annotations, key),
			 "2026-01-01T00:00:02.5Z");
	h_free(h);
}
END_TEST

Suite *ctrl_endpoints_suite(void)
{
	Suite *s = suite_create("ctrl_endpoints");
	TCase *tc = tcase_create("endpoints");
	tcase_add_test(tc, test_endpoints_move_pods_from_not_ready_to_ready_addresses);
	tcase_add_test(tc, test_endpoints_resolve_named_ports_per_pod);
	tcase_add_test(tc, test_endpoints_pack_ports_offered_by_the_same_pods_into_one_subset);
	tcase_add_test(tc, test_endpoints_drop_terminating_finished_and_unaddressed_pods);
	tcase_add_test(tc, test_endpoints_publish_not_ready_addresses_lists_every_pod_as_ready);
	tcase_add_test(tc, test_endpoints_carry_the_hostname_only_for_the_pods_subdomain);
	tcase_add_test(tc, test_endpoints_follow_a_pod_relabelled_out_of_the_service);
	tcase_add_test(tc, test_endpoints_are_not_rewritten_when_nothing_they_show_changed);
	tcase_add_test(tc, test_endpoints_of_a_service_without_selector_are_left_to_the_user);
	tcase_add_test(tc, test_endpoints_go_with_their_service_and_come_back_when_deleted);
	tcase_add_test(tc, test_endpoints_wait_for_their_own_write_under_a_watch_delay);
	tcase_add_test(tc, test_endpoints_record_the_last_change_trigger_time);
	suite_add_tcase(s, tc);
	return s;
}
