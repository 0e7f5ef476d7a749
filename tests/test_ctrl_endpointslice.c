/* test_ctrl_endpointslice.c - the EndpointSlice controller: slices of at
 * most 100 endpoints, the three conditions of a terminating pod, the
 * placeholder slice, and the propagation delay.
 *
 * The test plays the kubelet: it creates pods bound to node-1 and writes
 * their IP and Ready condition itself.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_endpointslice.h"
#include "ctrl_harness.h"
#include "ctrl_util.h"

Suite *ctrl_endpointslice_suite(void);

static struct service *web_service(bool publish)
{
	struct service *svc = (struct service *)object_new(&service_kind);
	svc->obj.meta.name = xstrdup("web");
	svc->obj.meta.namespace = xstrdup("default");
	strmap_set(&svc->obj.meta.labels, "tier", "frontend");
	strmap_set(&svc->spec.selector, "app", "web");
	svc->spec.ports.items = xcalloc(1, sizeof(struct service_port));
	svc->spec.ports.len = 1;
	svc->spec.ports.items[0].name = xstrdup("http");
	svc->spec.ports.items[0].port = 80;
	svc->spec.ports.items[0].target_port = (struct int_or_string){ .is_set = true,
								       .int_value = 8080 };
	svc->spec.publish_not_ready_addresses = publish;
	h_default(&svc->obj);
	return svc;
}

struct pod_state {
	char ip[32];
	bool ready;
};

static void pod_state_fn(struct object *obj, void *arg)
{
	const struct pod_state *want = arg;
	struct pod *pod = (struct pod *)obj;
	free(pod->status.phase);
	pod->status.phase = xstrdup(POD_PHASE_RUNNING);
	free(pod->status.pod_ip);
	pod->status.pod_ip = xstrdup(want->ip);
	ctrl_condition_remove(&pod->status.conditions, "Ready");
	struct condition ready = { .type = xstrdup("Ready"),
				   .status = xstrdup(want->ready ? "True" : "False") };
	ctrl_condition_put(&pod->status.conditions, &ready);
}

/* Pod web-N on node-1 with IP 10.0.N/256.N%256, ready or not. */
static void add_pod(struct harness *h, int n, bool ready)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xasprintf("web-%03d", n);
	pod->obj.meta.namespace = xstrdup("default");
	strmap_set(&pod->obj.meta.labels, "app", "web");
	pod->spec.containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.containers.len = 1;
	pod->spec.containers.items[0].name = xstrdup("main");
	pod->spec.containers.items[0].image = xstrdup("web:v1");
	pod->spec.node_name = xstrdup("node-1");
	h_default(&pod->obj);
	char *name = xstrdup(pod->obj.meta.name);
	h_create(h, &pod->obj);
	struct pod_state want = { .ready = ready };
	snprintf(want.ip, sizeof(want.ip), "10.0.%d.%d", n / 256, n % 256);
	h_update(h, KIND_POD, "default", name, pod_state_fn, &want, true);
	free(name);
}

/* The slices of Service web, sorted by name (the store's order). */
static size_t slices_of(struct harness *h, const struct endpoint_slice **out, size_t max)
{
	struct object_list list = {0};
	store_list(h->store, KIND_ENDPOINTSLICE, "default", NULL, &list);
	size_t n = 0;
	for (size_t i = 0; i < list.len && n < max; i++) {
		const char *svc = strmap_get(&list.items[i]->meta.labels, SLICE_SERVICE_NAME_LABEL);
		if (svc && !strcmp(svc, "web"))
			out[n++] = (const void *)list.items[i];
	}
	object_list_release(&list);
	return n;
}

static struct harness *cluster(ktime_t watch_delay)
{
	struct harness *h = h_new(watch_delay);
	h_start(h, "endpointslice-controller");
	return h;
}

START_TEST(test_slices_hold_at_most_100_endpoints_and_are_labelled_and_owned)
{
	struct harness *h = cluster(0);
	h_create(h, &web_service(false)->obj);
	for (int i = 0; i < 250; i++)
		add_pod(h, i, true);
	h_run_for(h, 10 * S);
	const struct endpoint_slice *slices[8];
	size_t n = slices_of(h, slices, 8);
	ck_assert_uint_eq(n, 3);
	size_t total = 0, full = 0;
	for (size_t i = 0; i < n; i++) {
		const struct endpoint_slice *s = slices[i];
		ck_assert_uint_le(s->endpoints.len, SLICE_MAX_ENDPOINTS);
		total += s->endpoints.len;
		full += s->endpoints.len == SLICE_MAX_ENDPOINTS;
		ck_assert_str_eq(s->address_type, "IPv4");
		ck_assert_str_eq(s->obj.meta.generate_name, "web-");
		ck_assert(!strncmp(s->obj.meta.name, "web-", 4));
		ck_assert_str_eq(strmap_get(&s->obj.meta.labels, SLICE_MANAGED_BY_LABEL),
				 "endpointslice-controller.k8s.io");
		ck_assert_str_eq(strmap_get(&s->obj.meta.labels, "tier"), "frontend");
		const struct owner_reference *ref = object_controller_of(&s->obj);
		ck_assert_ptr_nonnull(ref);
		ck_assert_str_eq(ref->kind, "Service");
		ck_assert_str_eq(ref->name, "web");
		ck_assert_uint_eq(s->ports.len, 1);
		ck_assert_str_eq(s->ports.items[0].name, "http");
		ck_assert_int_eq(s->ports.items[0].port, 8080);
		ck_assert_str_eq(s->ports.items[0].protocol, "TCP");
	}
	ck_assert_uint_eq(total, 250);
	ck_assert_uint_eq(full, 2);
	h_free(h);
}
END_TEST

static const struct slice_endpoint *endpoint_of(struct harness *h, const char *pod)
{
	const struct endpoint_slice *slices[4];
	size_t n = slices_of(h, slices, 4);
	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < slices[i]->endpoints.len; e++)
			if (!strcmp(slices[i]->endpoints.items[e].target_ref.name, pod))
				return &slices[i]->endpoints.items[e];
	return NULL;
}

static void run_terminating(bool publish, bool want_ready)
{
	struct harness *h = cluster(0);
	h_create(h, &web_service(publish)->obj);
	add_pod(h, 1, true);
	add_pod(h, 2, false);
	h_run_for(h, 5 * S);
	const struct slice_endpoint *ep = endpoint_of(h, "web-001");
	ck_assert_ptr_nonnull(ep);
	ck_assert(ep->conditions.ready && ep->conditions.serving && !ep->conditions.terminating);
	ck_assert_str_eq(ep->addresses.items[0], "10.0.0.1");
	ck_assert_str_eq(ep->node_name, "node-1");
	ep = endpoint_of(h, "web-002");
	ck_assert_ptr_nonnull(ep);	/* not ready is listed too */
	ck_assert(ep->conditions.ready == publish && !ep->conditions.serving);

	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	ck_assert_int_eq(client_delete(&h->actor, KIND_POD, "default", "web-001", &options,
				       &status), API_OK);
	h_run_for(h, 5 * S);
	ep = endpoint_of(h, "web-001");
	ck_assert_msg(ep != NULL, "a terminating pod stays in its slice");
	ck_assert(ep->conditions.ready == want_ready);
	ck_assert(ep->conditions.serving);
	ck_assert(ep->conditions.terminating);
	h_free(h);
}

START_TEST(test_terminating_pod_stays_serving_but_not_ready)
{
	run_terminating(false, false);
}
END_TEST

START_TEST(test_publish_not_ready_addresses_keeps_terminating_pod_ready)
{
	run_terminating(true, true);
}
END_TEST

START_TEST(test_service_without_pods_has_one_placeholder_slice_reused_later)
{
	struct harness *h = cluster(0);
	h_create(h, &web_service(false)->obj);
	h_run_for(h, 5 * S);
	const struct endpoint_slice *slices[4];
	ck_assert_uint_eq(slices_of(h, slices, 4), 1);
	ck_assert_uint_eq(slices[0]->endpoints.len, 0);
	ck_assert_uint_eq(slices[0]->ports.len, 0);
	char name[64];
	snprintf(name, sizeof(name), "%s", slices[0]->obj.meta.name);

	add_pod(h, 7, true);
	h_run_for(h, 5 * S);
	ck_assert_uint_eq(slices_of(h, slices, 4), 1);
	ck_assert_str_eq(slices[0]->obj.meta.name, name);	/* updated, not replaced */
	ck_assert_uint_eq(slices[0]->endpoints.len, 1);
	ck_assert_uint_eq(slices[0]->ports.len, 1);
	h_free(h);
}
END_TEST

/* The watch delay is the controller's propagation delay: it hears of the
 * pod 2 s late, and its write is in the store at once. */
START_TEST(test_slices_trail_pods_by_the_watch_delay)
{
	struct harness *h = cluster(2 * S);
	h_create(h, &web_service(false)->obj);
	h_run_for(h, 10 * S);
	add_pod(h, 3, true);
	h_run_for(h, 1 * S);
	const struct endpoint_slice *slices[4];
	ck_assert_uint_eq(slices_of(h, slices, 4), 1);
	ck_assert_uint_eq(slices[0]->endpoints.len, 0);
	h_run_for(h, 2 * S);
	ck_assert_uint_eq(slices_of(h, slices, 4), 1);
	ck_assert_uint_eq(slices[0]->endpoints.len, 1);
	h_free(h);
}
END_TEST

Suite *ctrl_endpointslice_suite(void)
{
	Suite *s = suite_create("ctrl_endpointslice");
	TCase *tc = tcase_create("endpointslice");
	tcase_add_test(tc, test_slices_hold_at_most_100_endpoints_and_are_labelled_and_owned);
	tcase_add_test(tc, test_terminating_pod_stays_serving_but_not_ready);
	tcase_add_test(tc, test_publish_not_ready_addresses_keeps_terminating_pod_ready);
	tcase_add_test(tc, test_service_without_pods_has_one_placeholder_slice_reused_later);
	tcase_add_test(tc, test_slices_trail_pods_by_the_watch_delay);
	suite_add_tcase(s, tc);
	return s;
}
