/* test_kubelet.c - the sim kubelet: registration, heartbeats, pod life.
 *
 * Each test runs one kubelet over a real engine, store and client, with
 * no scheduler: pods are created with spec.nodeName already set, as a
 * bound pod reaches a kubelet. A hook on the kubelet's client logs every
 * Event with its time, so the tests can assert what a user of `kubectl
 * describe` would see, and when. Times are relative to the moment the
 * kubelet started (T0).
 */
#include "kubelet_harness.h"

Suite *kubelet_suite(void);

/* ---- node ---------------------------------------------------------------- */

START_TEST(test_registration_creates_a_ready_node_with_upstream_events)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	run_to(f, 0);
	const struct node *node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	ck_assert_ptr_nonnull(node);
	const struct condition *ready = condition_find((void *)&node->status.conditions, "Ready");
	ck_assert_str_eq(ready->status, "True");
	ck_assert_str_eq(ready->reason, "KubeletReady");
	ck_assert_str_eq(ready->message, "kubelet is posting ready status");
	const struct condition *memory =
		condition_find((void *)&node->status.conditions, "MemoryPressure");
	ck_assert_str_eq(memory->status, "False");
	ck_assert_str_eq(node->status.node_info.kubelet_version, KUBERNETES_VERSION);
	ck_assert_str_eq(node->status.addresses.items[0].type, "InternalIP");
	ck_assert_str_eq(strmap_get(&node->obj.meta.labels, "kubernetes.io/hostname"), NODE);
	ck_assert_ptr_nonnull(resource_list_get(&node->status.allocatable, "cpu"));

	static const char *const order[] = {
		"Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure",
		"NodeHasSufficientPID", "NodeAllocatableEnforced", "NodeReady",
	};
	ck_assert_uint_eq(f->events_len, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(f->events[i].reason, order[i]);
	ck_assert_str_eq(f->events[0].message, "Starting kubelet.");
	ck_assert_str_eq(f->events[5].message, "Node worker-1 status is now: NodeReady");
	fixture_free(f);
}
END_TEST

START_TEST(test_lease_is_renewed_every_ten_seconds)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	run_to(f, 0);
	const struct lease *lease = get_lease(f);
	ck_assert_ptr_nonnull(lease);
	ck_assert_str_eq(lease->spec.holder_identity, NODE);
	ck_assert_int_eq(lease->spec.lease_duration_seconds, 40);
	ck_assert_int_eq(lease->spec.renew_time, f->t0);
	ck_assert_str_eq(lease->obj.meta.owner_references.items[0].kind, "Node");
	run_to(f, 9 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0);
	run_to(f, 10 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0 + 10 * S);
	run_to(f, 35 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0 + 30 * S);
	fixture_free(f);
}
END_TEST

/* Nothing changes on a quiet node, so its status is written only when the
 * five-minute report frequency has passed. */
START_TEST(test_quiet_node_writes_its_status_every_five_minutes)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	run_to(f, 0);
	int64_t rv = store_get(f->store, KIND_NODE, NULL, NODE)->meta.resource_version;
	run_to(f, 290 * S);
	const struct node *node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	ck_assert_int_eq(node->obj.meta.resource_version, rv);
	run_to(f, 300 * S);
	node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	const struct condition *ready = condition_find((void *)&node->status.conditions, "Ready");
	ck_assert_int_eq(ready->last_heartbeat_time, f->t0 + 300 * S);
	ck_assert_int_eq(ready->last_transition_time, f->t0);
	fixture_free(f);
}
END_TEST

START_TEST(test_node_status_lists_pulled_images_at_the_next_update)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 9 * S);
	const struct node *node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	ck_assert_uint_eq(node->status.images.len, 0);
	run_to(f, 10 * S);
	node = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	ck_assert_uint_eq(node->status.images.len, 1);
	ck_assert_str_eq(node->status.images.items[0].names.items[0], "web:v1");
	/* an image the scenario does not size weighs image.c's default */
	ck_assert_int_eq(node->status.images.items[0].size_bytes, 10LL * 1024 * 1024);
	fixture_free(f);
}
END_TEST

/* ---- pods ---------------------------------------------------------------- */

START_TEST(test_pod_goes_pending_running_ready_with_upstream_events)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("web-abc", "web", "web:v1");
	pod->spec.containers.items[0].readiness_probe.http_get.path = xstrdup("/healthz");
	create(f, pod);
	run_to(f, 0);

	const struct pod *p = get_pod(f, "web-abc");
	ck_assert_str_eq(p->status.phase, "Pending");
	ck_assert_str_eq(status_of(p, "web")->state.waiting.reason, "ContainerCreating");
	ck_assert_ptr_nonnull(p->status.pod_ip);
	ck_assert_ptr_nonnull(p->status.host_ip);
	ck_assert_int_eq(p->status.start_time, f->t0);
	ck_assert_str_eq(condition_of(p, "PodScheduled")->status, "True");
	ck_assert_str_eq(condition_of(p, "Initialized")->status, "True");
	ck_assert_str_eq(condition_of(p, "Ready")->status, "False");

	run_to(f, 3 * S);
	p = get_pod(f, "web-abc");
	ck_assert_str_eq(p->status.phase, "Running");
	ck_assert_int_eq(status_of(p, "web")->state.running.started_at, f->t0 + 3 * S);
	ck_assert(!status_of(p, "web")->ready);
	ck_assert_str_eq(condition_of(p, "Ready")->message, "containers with unready status: [web]");

	run_to(f, 5 * S);
	ck_assert_str_eq(condition_of(get_pod(f, "web-abc"), "Ready")->status, "False");
	run_to(f, 6 * S);
	p = get_pod(f, "web-abc");
	ck_assert(status_of(p, "web")->ready);
	ck_assert_str_eq(condition_of(p, "ContainersReady")->status, "True");
	ck_assert_str_eq(condition_of(p, "Ready")->status, "True");
	ck_assert_int_eq(condition_of(p, "Ready")->last_transition_time, f->t0 + 6 * S);

	static const struct { ktime_t t; const char *reason, *message; } want[] = {
		{ 0, "Pulling", "Pulling image \"web:v1\"" },
		{ 2 * S, "Pulled", "Successfully pulled image \"web:v1\" in 2s (2s including waiting). Image size: 10485760 bytes." },
		{ 3 * S, "Created", "Created container: web" },
		{ 3 * S, "Started", "Started container web" },
	};
	size_t n = 0;
	for (size_t i = 0; i < f->events_len; i++) {
		if (strcmp(f->events[i].object, "web-abc"))
			continue;
		ck_assert_uint_lt(n, 4);
		ck_assert_str_eq(f->events[i].reason, want[n].reason);
		ck_assert_str_eq(f->events[i].message, want[n].message);
		ck_assert_int_eq(f->events[i].t, want[n].t);
		n++;
	}
	ck_assert_uint_eq(n, 4);
	fixture_free(f);
}
END_TEST

START_TEST(test_container_without_readiness_probe_is_ready_when_started)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 3 * S);
	const struct pod *p = get_pod(f, "web-abc");
	ck_assert(status_of(p, "web")->ready);
	ck_assert_str_eq(condition_of(p, "Ready")->status, "True");
	fixture_free(f);
}
END_TEST

START_TEST(test_second_pod_with_the_same_image_skips_the_pull)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-1", "web", "web:v1"));
	run_to(f, 10 * S);
	create(f, pod_new("web-2", "web", "web:v1"));
	run_to(f, 20 * S);
	ck_assert_uint_eq(event_count(f, "web-2", "Pulling"), 0);
	const struct logged_event *pulled = event_get(f, "web-2", "Pulled", 0);
	ck_assert_str_eq(pulled->message, "Container image \"web:v1\" already present on machine");
	ck_assert_int_eq(pulled->t, 10 * S);
	ck_assert_int_eq(event_get(f, "web-2", "Started", 0)->t, 11 * S);
	ck_assert_str_eq(get_pod(f, "web-2")->status.phase, "Running");
	fixture_free(f);
}
END_TEST

/* SyncPod starts a pod's containers one after the other; the pod is
 * Running once all of them have started. job:v1 pulls in 1s, starts in 1s. */
START_TEST(test_containers_of_a_pod_start_one_after_the_other)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("two-abc", "web", "web:v1");
	pod->spec.containers.items = xrealloc(pod->spec.containers.items,
					      2 * sizeof(struct container));
	memset(&pod->spec.containers.items[1], 0, sizeof(struct container));
	pod->spec.containers.items[1].name = xstrdup("batch");
	pod->spec.containers.items[1].image = xstrdup("job:v1");
	pod->spec.containers.len = 2;
	create(f, pod);
	run_to(f, 4 * S);
	ck_assert_int_eq(event_get(f, "two-abc", "Started", 0)->t, 3 * S);
	ck_assert_int_eq(event_get(f, "two-abc", "Pulling", 1)->t, 3 * S);
	ck_assert_str_eq(get_pod(f, "two-abc")->status.phase, "Pending");
	run_to(f, 5 * S);
	const struct pod *p = get_pod(f, "two-abc");
	ck_assert_str_eq(p->status.phase, "Running");
	/* Statuses are sorted by name, as upstream. */
	ck_assert_str_eq(p->status.container_statuses.items[0].name, "batch");
	ck_assert_str_eq(p->status.container_statuses.items[1].name, "web");
	fixture_free(f);
}
END_TEST

/* The node pulls one image at a time: the second pod's pull waits for the
 * first and then finds the image there. */
START_TEST(test_concurrent_pulls_of_one_image_are_serialized)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-1", "web", "web:v1"));
	create(f, pod_new("web-2", "web", "web:v1"));
	run_to(f, 10 * S);
	const struct logged_event *pulled = event_get(f, "web-2", "Pulled", 0);
	ck_assert_int_eq(pulled->t, 2 * S);
	ck_assert_str_eq(pulled->message,
			 "Successfully pulled image \"web:v1\" in 0s (2s including waiting). Image size: 10485760 bytes.");
	fixture_free(f);
}
END_TEST

/* Restarts: the first at once, then back-offs of 10s doubling to 300s,
 * each counted from the exit. crash:v1 pulls in 1s, starts in 1s and
 * crashes 5s after each start. */
START_TEST(test_crash_after_gives_crash_loop_back_off_delays)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("crash-abc", "crash", "crash:v1"));
	static const ktime_t delays[] = { 0, 10, 20, 40, 80, 160, 300, 300 };
	size_t crashes = sizeof(delays) / sizeof(delays[0]);
	run_to(f, 40 * KTIME_MINUTE);
	ck_assert_uint_ge(event_count(f, "crash-abc", "Started"), crashes + 1);
	for (size_t k = 0; k < crashes; k++) {
		ktime_t started = event_get(f, "crash-abc", "Started", k)->t;
		ktime_t next = event_get(f, "crash-abc", "Started", k + 1)->t;
		ktime_t exited = started + 5 * S;
		ck_assert_msg(next == exited + delays[k] * S + 1 * S,
			      "restart %zu: started at %llds, expected %llds", k + 1,
			      (long long)(next / S),
			      (long long)((exited + delays[k] * S + S) / S));
	}
	/* BackOff events start with the second exit, at 13s. */
	const struct logged_event *backoff = event_get(f, "crash-abc", "BackOff", 0);
	ck_assert_int_eq(backoff->t, 13 * S);
	char *want = xasprintf("Back-off restarting failed container crash in pod crash-abc_default(%s)",
			       get_pod(f, "crash-abc")->obj.meta.uid);
	ck_assert_str_eq(backoff->message, want);
	free(want);
	fixture_free(f);
}
END_TEST

/* The back-off entry expires when more than 10 minutes pass between a
 * restart and the next exit: a container that ran 11 minutes is restarted
 * at once every time, one that ran 9 minutes waits 10s the second time. */
START_TEST(test_back_off_resets_after_ten_minutes_of_running)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("long-abc", "app", "crash-11m:v1"));
	create(f, pod_new("mid-abc", "app", "crash-9m:v1"));
	run_to(f, 50 * KTIME_MINUTE);
	ck_assert_uint_eq(event_count(f, "long-abc", "BackOff"), 0);
	for (size_t k = 0; k < 3; k++) {
		ktime_t started = event_get(f, "long-abc", "Started", k)->t;
		ck_assert_int_eq(event_get(f, "long-abc", "Started", k + 1)->t,
				 started + 11 * KTIME_MINUTE + 1 * S);
	}
	ktime_t second = event_get(f, "mid-abc", "Started", 1)->t;
	ck_assert_int_eq(event_get(f, "mid-abc", "Started", 2)->t,
			 second + 9 * KTIME_MINUTE + 10 * S + 1 * S);
	ck_assert_uint_ge(event_count(f, "mid-abc", "BackOff"), 1);
	fixture_free(f);
}
END_TEST

START_TEST(test_crash_loop_back_off_status_shows_the_delay)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("crash-abc", "crash", "crash:v1"));
	/* started 2, exits 7 (restart at once), started 8, exits 13: back-off 10s */
	run_to(f, 13 * S);
	const struct pod *p = get_pod(f, "crash-abc");
	const struct container_status *cs = status_of(p, "crash");
	ck_assert_str_eq(cs->state.waiting.reason, "CrashLoopBackOff");
	char *want = xasprintf("back-off 10s restarting failed container=crash pod=crash-abc_default(%s)",
			       p->obj.meta.uid);
	ck_assert_str_eq(cs->state.waiting.message, want);
	free(want);
	ck_assert_int_eq(cs->restart_count, 1);
	ck_assert_str_eq(cs->last_state.terminated.reason, "Error");
	ck_assert_int_eq(cs->last_state.terminated.exit_code, 1);
	ck_assert_int_eq(cs->last_state.terminated.finished_at, f->t0 + 13 * S);
	ck_assert_str_eq(p->status.phase, "Running");
	ck_assert_str_eq(condition_of(p, "Ready")->status, "False");
	run_to(f, 24 * S);
	cs = status_of(get_pod(f, "crash-abc"), "crash");
	ck_assert_int_eq(cs->restart_count, 2);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 24 * S);
	/* After the fifth exit the delay is 160s, which Go prints as 2m40s. */
	run_to(f, 200 * S);
	cs = status_of(get_pod(f, "crash-abc"), "crash");
	ck_assert_ptr_nonnull(strstr(cs->state.waiting.message, "back-off 2m40s "));
	fixture_free(f);
}
END_TEST

START_TEST(test_complete_after_with_restart_policy_never_succeeds)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("job-abc", "job", "job:v1");
	free(pod->spec.restart_policy);
	pod->spec.restart_policy = xstrdup("Never");
	create(f, pod);
	run_to(f, 5 * S);
	ck_assert_str_eq(get_pod(f, "job-abc")->status.phase, "Running");
	run_to(f, 6 * S);
	const struct pod *p = get_pod(f, "job-abc");
	ck_assert_str_eq(p->status.phase, "Succeeded");
	const struct container_status *cs = status_of(p, "job");
	ck_assert_str_eq(cs->state.terminated.reason, "Completed");
	ck_assert_int_eq(cs->state.terminated.exit_code, 0);
	ck_assert_int_eq(cs->state.terminated.finished_at, f->t0 + 6 * S);
	ck_assert_str_eq(condition_of(p, "Ready")->reason, "PodCompleted");
	run_to(f, 60 * S);
	ck_assert_uint_eq(event_count(f, "job-abc", "Started"), 1);
	fixture_free(f);
}
END_TEST

START_TEST(test_crash_with_restart_policy_never_fails_the_pod)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("crash-abc", "crash", "crash:v1");
	free(pod->spec.restart_policy);
	pod->spec.restart_policy = xstrdup("Never");
	create(f, pod);
	run_to(f, 60 * S);
	const struct pod *p = get_pod(f, "crash-abc");
	ck_assert_str_eq(p->status.phase, "Failed");
	ck_assert_str_eq(status_of(p, "crash")->state.terminated.reason, "Error");
	ck_assert_uint_eq(event_count(f, "crash-abc", "Started"), 1);
	fixture_free(f);
}
END_TEST

START_TEST(test_init_container_completes_before_the_app_starts)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("app-abc", "web", "web:v1");
	pod->spec.init_containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.init_containers.len = 1;
	pod->spec.init_containers.items[0].name = xstrdup("setup");
	pod->spec.init_containers.items[0].image = xstrdup("init:v1");
	create(f, pod);
	run_to(f, 1 * S);
	const struct pod *p = get_pod(f, "app-abc");
	ck_assert_str_eq(p->status.phase, "Pending");
	ck_assert_str_eq(condition_of(p, "Initialized")->message,
			 "containers with incomplete status: [setup]");
	ck_assert_str_eq(status_of(p, "web")->state.waiting.reason, "PodInitializing");
	/* init: pull 1s, start 1s, exits 0 at 4s; web: pull 2s, start 1s */
	run_to(f, 4 * S);
	p = get_pod(f, "app-abc");
	ck_assert_str_eq(condition_of(p, "Initialized")->status, "True");
	ck_assert_str_eq(p->status.init_container_statuses.items[0].state.terminated.reason,
			 "Completed");
	ck_assert_int_eq(event_get(f, "app-abc", "Pulling", 1)->t, 4 * S);
	run_to(f, 7 * S);
	ck_assert_str_eq(get_pod(f, "app-abc")->status.phase, "Running");
	fixture_free(f);
}
END_TEST

/* A sidecar (an init container with restartPolicy Always) only has to
 * start before the next container; it is stopped once the pod is done. */
START_TEST(test_sidecar_starts_before_the_app_and_stops_with_it)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *pod = pod_new("job-abc", "main", "job:v1");
	free(pod->spec.restart_policy);
	pod->spec.restart_policy = xstrdup("Never");
	pod->spec.init_containers.items = xcalloc(1, sizeof(struct container));
	pod->spec.init_containers.len = 1;
	pod->spec.init_containers.items[0].name = xstrdup("proxy");
	pod->spec.init_containers.items[0].image = xstrdup("web:v1");
	pod->spec.init_containers.items[0].restart_policy = xstrdup("Always");
	create(f, pod);
	/* proxy: pull 2s, start 1s; main: pull 1s, start 1s, exits 0 after 4s */
	run_to(f, 3 * S);
	const struct pod *p = get_pod(f, "job-abc");
	ck_assert_str_eq(condition_of(p, "Initialized")->status, "True");
	ck_assert_int_eq(event_get(f, "job-abc", "Pulling", 1)->t, 3 * S);
	run_to(f, 8 * S);
	ck_assert_str_eq(get_pod(f, "job-abc")->status.phase, "Running");
	run_to(f, 9 * S);
	p = get_pod(f, "job-abc");
	ck_assert_str_eq(p->status.phase, "Succeeded");
	ck_assert_ptr_nonnull(p->status.init_container_statuses.items[0].state.terminated.reason);
	fixture_free(f);
}
END_TEST

START_TEST(test_failed_pull_reports_err_image_pull_then_image_pull_back_off)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("bad-abc", "app", "missing:v1"));
	run_to(f, 2 * S);
	const struct container_status *cs = status_of(get_pod(f, "bad-abc"), "app");
	ck_assert_str_eq(cs->state.waiting.reason, "ErrImagePull");
	ck_assert_str_eq(event_get(f, "bad-abc", "Failed", 1)->message, "Error: ErrImagePull");
	ck_assert_ptr_nonnull(strstr(event_get(f, "bad-abc", "Failed", 0)->message,
				     "Failed to pull image \"missing:v1\": "));
	run_to(f, 3 * S);
	cs = status_of(get_pod(f, "bad-abc"), "app");
	ck_assert_str_eq(cs->state.waiting.reason, "ImagePullBackOff");
	ck_assert_ptr_nonnull(strstr(cs->state.waiting.message,
				     "Back-off pulling image \"missing:v1\": ErrImagePull: "));
	ck_assert_str_eq(event_get(f, "bad-abc", "BackOff", 0)->message,
			 "Back-off pulling image \"missing:v1\"");
	/* Pulls at 0, then 10s after the failure at 2s, then 20s after the
	 * failure at 14s. */
	run_to(f, 40 * S);
	ck_assert_int_eq(event_get(f, "bad-abc", "Pulling", 1)->t, 12 * S);
	ck_assert_int_eq(event_get(f, "bad-abc", "Pulling", 2)->t, 34 * S);
	ck_assert_str_eq(get_pod(f, "bad-abc")->status.phase, "Pending");
	fixture_free(f);
}
END_TEST

START_TEST(test_deleting_a_pod_stops_its_containers_then_removes_it)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 10 * S);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(client_delete(&f->actor, KIND_POD, "default", "web-abc", &options, NULL),
			 API_OK);
	ck_assert_ptr_nonnull(get_pod(f, "web-abc"));	/* graceful: marked only */
	run_to(f, 10 * S);
	ck_assert_ptr_null(get_pod(f, "web-abc"));
	const struct logged_event *killing = event_get(f, "web-abc", "Killing", 0);
	ck_assert_str_eq(killing->message, "Stopping container web");
	ck_assert_int_eq(killing->t, 10 * S);
	fixture_free(f);
}
END_TEST

/* Adds hostPort port (TCP, every address) to pod's first container. */
static void host_port(struct pod *pod, int32_t port)
{
	struct container *c = &pod->spec.containers.items[0];
	c->ports.items = xcalloc(1, sizeof(*c->ports.items));
	c->ports.len = 1;
	c->ports.items[0].container_port = port;
	c->ports.items[0].host_port = port;
}

START_TEST(test_admission_rejects_a_pod_whose_host_port_is_taken)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *first = pod_new("edge-1", "proxy", "web:v1");
	host_port(first, 8080);
	create(f, first);
	struct pod *second = pod_new("edge-2", "proxy", "web:v1");
	host_port(second, 8080);
	create(f, second);
	struct pod *third = pod_new("edge-3", "proxy", "web:v1");
	host_port(third, 8081);
	create(f, third);
	run_to(f, 10 * S);
	ck_assert_str_eq(get_pod(f, "edge-1")->status.phase, "Running");
	ck_assert_str_eq(get_pod(f, "edge-3")->status.phase, "Running");
	const struct pod *p = get_pod(f, "edge-2");
	ck_assert_str_eq(p->status.phase, "Failed");
	ck_assert_str_eq(p->status.reason, "NodePorts");
	ck_assert_str_eq(p->status.message,
			 "Pod was rejected: Predicate NodePorts failed: node(s) didn't "
			 "have free ports for the requested pod ports");
	fixture_free(f);
}
END_TEST

START_TEST(test_admission_rejects_a_pod_that_does_not_fit)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *first = pod_new("big-1", "web", "web:v1");
	set_quantity(&first->spec.containers.items[0].resources.requests, "cpu", "2");
	create(f, first);
	struct pod *second = pod_new("big-2", "web", "web:v1");
	set_quantity(&second->spec.containers.items[0].resources.requests, "cpu", "3");
	create(f, second);
	run_to(f, 10 * S);
	ck_assert_str_eq(get_pod(f, "big-1")->status.phase, "Running");
	const struct pod *p = get_pod(f, "big-2");
	ck_assert_str_eq(p->status.phase, "Failed");
	ck_assert_str_eq(p->status.reason, "OutOfcpu");
	ck_assert_str_eq(p->status.message,
			 "Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 2000, capacity: 4000");
	const struct logged_event *event = event_get(f, "big-2", "OutOfcpu", 0);
	ck_assert_str_eq(event->type, "Warning");
	ck_assert_str_eq(event->message,
			 "Node didn't have enough resource: cpu, requested: 3000, used: 2000, capacity: 4000");
	ck_assert_uint_eq(event_count(f, "big-2", "Pulling"), 0);
	fixture_free(f);
}
END_TEST

/* A finished pod no longer holds its requests. */
START_TEST(test_admission_ignores_finished_pods)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *job = pod_new("job-abc", "job", "job:v1");
	free(job->spec.restart_policy);
	job->spec.restart_policy = xstrdup("Never");
	set_quantity(&job->spec.containers.items[0].resources.requests, "cpu", "3");
	create(f, job);
	run_to(f, 10 * S);
	ck_assert_str_eq(get_pod(f, "job-abc")->status.phase, "Succeeded");
	struct pod *next = pod_new("big-abc", "web", "web:v1");
	set_quantity(&next->spec.containers.items[0].resources.requests, "cpu", "3");
	create(f, next);
	run_to(f, 20 * S);
	ck_assert_str_eq(get_pod(f, "big-abc")->status.phase, "Running");
	fixture_free(f);
}
END_TEST

/* ---- node down and up ---------------------------------------------------- */

START_TEST(test_suspended_kubelet_stops_renewing_its_lease)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	run_to(f, 15 * S);
	kubelet_suspend(f->kubelet);
	ck_assert(!kubelet_is_up(f->kubelet));
	run_to(f, 120 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0 + 10 * S);
	ck_assert_uint_eq(engine_pending(f->engine), 0);
	kubelet_resume(f->kubelet);
	ck_assert(kubelet_is_up(f->kubelet));
	run_to(f, 120 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0 + 120 * S);
	run_to(f, 130 * S);
	ck_assert_int_eq(get_lease(f)->spec.renew_time, f->t0 + 130 * S);
	fixture_free(f);
}
END_TEST

START_TEST(test_resume_finishes_a_deletion_requested_while_down)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 10 * S);
	kubelet_suspend(f->kubelet);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	client_delete(&f->actor, KIND_POD, "default", "web-abc", &options, NULL);
	run_to(f, 100 * S);
	ck_assert_ptr_nonnull(get_pod(f, "web-abc"));
	ck_assert_uint_eq(event_count(f, "web-abc", "Killing"), 0);
	kubelet_resume(f->kubelet);
	run_to(f, 100 * S);
	ck_assert_ptr_null(get_pod(f, "web-abc"));
	fixture_free(f);
}
END_TEST

START_TEST(test_resume_restarts_containers_as_after_a_reboot)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 10 * S);
	kubelet_suspend(f->kubelet);
	run_to(f, 60 * S);
	kubelet_resume(f->kubelet);
	run_to(f, 60 * S);
	event_get(f, "web-abc", "SandboxChanged", 0);
	const struct container_status *cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_str_eq(cs->state.terminated.reason, "Unknown");
	ck_assert_int_eq(cs->state.terminated.exit_code, 255);
	ck_assert_int_eq(cs->state.terminated.finished_at, f->t0 + 10 * S);
	run_to(f, 61 * S);
	cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_int_eq(cs->restart_count, 1);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 61 * S);
	ck_assert_str_eq(cs->last_state.terminated.reason, "Unknown");
	/* The image survived the reboot. */
	ck_assert_str_eq(event_get(f, "web-abc", "Pulled", 1)->message,
			 "Container image \"web:v1\" already present on machine");
	fixture_free(f);
}
END_TEST

/* A pod force-deleted while the node was down is simply forgotten: no
 * Event, and its requests no longer count. */
START_TEST(test_resume_forgets_pods_deleted_while_down)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	struct pod *first = pod_new("big-1", "web", "web:v1");
	set_quantity(&first->spec.containers.items[0].resources.requests, "cpu", "3");
	create(f, first);
	run_to(f, 10 * S);
	kubelet_suspend(f->kubelet);
	struct delete_options force = DELETE_OPTIONS_DEFAULT;
	force.grace_period_seconds = 0;
	client_delete(&f->actor, KIND_POD, "default", "big-1", &force, NULL);
	run_to(f, 20 * S);
	kubelet_resume(f->kubelet);
	struct pod *second = pod_new("big-2", "web", "web:v1");
	set_quantity(&second->spec.containers.items[0].resources.requests, "cpu", "3");
	create(f, second);
	run_to(f, 30 * S);
	ck_assert_uint_eq(event_count(f, "big-1", "Killing"), 0);
	ck_assert_str_eq(get_pod(f, "big-2")->status.phase, "Running");
	fixture_free(f);
}
END_TEST

/* A pod removed at once (grace period 0) while its node is up still has
 * its containers stopped. */
START_TEST(test_force_deleted_pod_has_its_containers_stopped)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "web:v1"));
	run_to(f, 10 * S);
	struct delete_options force = DELETE_OPTIONS_DEFAULT;
	force.grace_period_seconds = 0;
	client_delete(&f->actor, KIND_POD, "default", "web-abc", &force, NULL);
	ck_assert_ptr_null(get_pod(f, "web-abc"));
	run_to(f, 10 * S);
	ck_assert_str_eq(event_get(f, "web-abc", "Killing", 0)->message, "Stopping container web");
	fixture_free(f);
}
END_TEST

/* The node lifecycle controller marked the node Unknown meanwhile; the
 * kubelet's first status after coming back turns it Ready again. */
START_TEST(test_resume_reports_the_node_ready_again)
{
	struct fixture *f = fixture_new();
	fixture_start(f);
	run_to(f, 10 * S);
	kubelet_suspend(f->kubelet);
	run_to(f, 60 * S);
	struct node *node = (struct node *)object_copy(store_get(f->store, KIND_NODE, NULL, NODE));
	struct condition *ready = condition_find((void *)&node->status.conditions, "Ready");
	free(ready->status);
	ready->status = xstrdup("Unknown");
	ready->last_transition_time = f->t0 + 60 * S;
	ck_assert_int_eq(client_update_status(&f->actor, &node->obj, NULL), API_OK);
	size_t before = event_count(f, NODE, "NodeReady");
	kubelet_resume(f->kubelet);
	run_to(f, 70 * S);
	ck_assert_uint_eq(event_count(f, NODE, "NodeReady"), before + 1);
	ck_assert_uint_eq(event_count(f, NODE, "Starting"), 2);
	const struct node *n = (const struct node *)store_get(f->store, KIND_NODE, NULL, NODE);
	ready = condition_find((void *)&n->status.conditions, "Ready");
	ck_assert_str_eq(ready->status, "True");
	ck_assert_int_eq(ready->last_transition_time, f->t0 + 60 * S);
	fixture_free(f);
}
END_TEST

/* Same inputs, same run: the event logs of two runs are identical. */
START_TEST(test_two_runs_record_the_same_events)
{
	struct fixture *runs[2];
	for (int r = 0; r < 2; r++) {
		struct fixture *f = runs[r] = fixture_new();
		fixture_start(f);
		create(f, pod_new("web-1", "web", "web:v1"));
		create(f, pod_new("crash-1", "crash", "crash:v1"));
		create(f, pod_new("bad-1", "app", "missing:v1"));
		run_to(f, 10 * KTIME_MINUTE);
	}
	ck_assert_uint_eq(runs[0]->events_len, runs[1]->events_len);
	for (size_t i = 0; i < runs[0]->events_len; i++) {
		ck_assert_int_eq(runs[0]->events[i].t, runs[1]->events[i].t);
		ck_assert_str_eq(runs[0]->events[i].message, runs[1]->events[i].message);
	}
	fixture_free(runs[0]);
	fixture_free(runs[1]);
}
END_TEST

/* ---- liveness probes and OOM kills ----------------------------------------- */

/* An image that stops answering its liveness probe 25s after it starts. */
static void add_hanging_image(struct fixture *f)
{
	add_image(f, "hang:v1", 1 * S, 1 * S);
	image_named(f, "hang:v1")->liveness_fails_after = 25 * S;
}

/* Started at 2s; with the default probe (period 10s, threshold 3) the
 * probes at 2, 12, 22s pass, those at 32, 42, 52s fail; the kill at 52s
 * finds a hung process, SIGKILLed after the pod's 30s grace: exit 137 at
 * 82s, restarted at once (the first exit), running again at 83s. */
START_TEST(test_liveness_failures_kill_and_restart_the_container)
{
	struct fixture *f = fixture_new();
	add_hanging_image(f);
	fixture_start(f);
	struct pod *pod = pod_new("web-abc", "web", "hang:v1");
	struct probe *probe = &pod->spec.containers.items[0].liveness_probe;
	probe->http_get.path = xstrdup("/healthz");
	probe->http_get.port = (struct int_or_string){ .is_set = true, .int_value = 8080 };
	create(f, pod);
	run_to(f, 81 * S);
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 3);
	for (size_t k = 0; k < 3; k++) {
		const struct logged_event *e = event_get(f, "web-abc", "Unhealthy", k);
		ck_assert_int_eq(e->t, (ktime_t)(32 + 10 * k) * S);
		ck_assert_str_eq(e->type, "Warning");
		ck_assert_str_eq(e->message,
				 "Liveness probe failed: HTTP probe failed with statuscode: 500");
	}
	const struct logged_event *kill = event_get(f, "web-abc", "Killing", 0);
	ck_assert_int_eq(kill->t, 52 * S);
	ck_assert_str_eq(kill->type, "Normal");
	ck_assert_str_eq(kill->message, "Container web failed liveness probe, will be restarted");
	/* During the grace period the container still runs. */
	const struct container_status *cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_int_eq(cs->restart_count, 0);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 2 * S);
	run_to(f, 83 * S);
	cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_int_eq(cs->restart_count, 1);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 83 * S);
	ck_assert_str_eq(cs->last_state.terminated.reason, "Error");
	ck_assert_int_eq(cs->last_state.terminated.exit_code, 137);
	ck_assert_int_eq(cs->last_state.terminated.finished_at, f->t0 + 82 * S);
	/* The new instance is probed afresh: three more failures from 113s. */
	run_to(f, 134 * S);
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 6);
	ck_assert_int_eq(event_get(f, "web-abc", "Unhealthy", 3)->t, 113 * S);
	ck_assert_int_eq(event_get(f, "web-abc", "Killing", 1)->t, 133 * S);
	fixture_free(f);
}
END_TEST

/* initialDelaySeconds 15, periodSeconds 5, failureThreshold 2 and the
 * probe's own terminationGracePeriodSeconds 5: probes at 17, 22, 27 ...;
 * 27 and 32 fail, the kill at 32 ends in SIGKILL at 37. */
START_TEST(test_liveness_probe_timing_follows_its_spec)
{
	struct fixture *f = fixture_new();
	add_hanging_image(f);
	fixture_start(f);
	struct pod *pod = pod_new("web-abc", "web", "hang:v1");
	struct probe *probe = &pod->spec.containers.items[0].liveness_probe;
	probe->exec.command.items = xcalloc(1, sizeof(char *));
	probe->exec.command.items[0] = xstrdup("true");
	probe->exec.command.len = 1;
	probe->initial_delay_seconds = 15;
	probe->period_seconds = 5;
	probe->failure_threshold = 2;
	probe->termination_grace_period_seconds = (struct opt_int64){ true, 5 };
	create(f, pod);
	run_to(f, 38 * S);
	ck_assert_int_eq(event_get(f, "web-abc", "Unhealthy", 0)->t, 27 * S);
	ck_assert_int_eq(event_get(f, "web-abc", "Unhealthy", 1)->t, 32 * S);
	ck_assert_str_eq(event_get(f, "web-abc", "Unhealthy", 0)->message,
			 "Liveness probe failed: ");
	ck_assert_int_eq(event_get(f, "web-abc", "Killing", 0)->t, 32 * S);
	const struct container_status *cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_int_eq(cs->restart_count, 1);
	ck_assert_int_eq(cs->last_state.terminated.finished_at, f->t0 + 37 * S);
	fixture_free(f);
}
END_TEST

START_TEST(test_container_without_liveness_probe_is_never_killed)
{
	struct fixture *f = fixture_new();
	add_hanging_image(f);
	fixture_start(f);
	create(f, pod_new("web-abc", "web", "hang:v1"));
	run_to(f, 10 * KTIME_MINUTE);
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 0);
	ck_assert_uint_eq(event_count(f, "web-abc", "Killing"), 0);
	const struct container_status *cs = status_of(get_pod(f, "web-abc"), "web");
	ck_assert_int_eq(cs->restart_count, 0);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 2 * S);
	fixture_free(f);
}
END_TEST

/* A pod whose container runs "hog:v1", which outgrows any memory limit 20s
 * after it starts; adds the image, so call it once, before fixture_start. */
static struct pod *hog_pod(struct fixture *f, const char *name, const char *limit)
{
	add_image(f, "hog:v1", 1 * S, 1 * S);
	image_named(f, "hog:v1")->oom_after = 20 * S;
	struct pod *pod = pod_new(name, "app", "hog:v1");
	if (limit)
		set_quantity(&pod->spec.containers.items[0].resources.limits, "memory", limit);
	return pod;
}

/* Started at 2s, OOM-killed at 22s and restarted at once (running at 23s),
 * killed again at 43s: now the back-off holds it for 10s. */
START_TEST(test_oom_after_with_a_memory_limit_is_oom_killed)
{
	struct fixture *f = fixture_new();
	struct pod *pod = hog_pod(f, "hog-abc", "128Mi");
	fixture_start(f);
	create(f, pod);
	run_to(f, 23 * S);
	const struct container_status *cs = status_of(get_pod(f, "hog-abc"), "app");
	ck_assert_int_eq(cs->restart_count, 1);
	ck_assert_str_eq(cs->last_state.terminated.reason, "OOMKilled");
	ck_assert_int_eq(cs->last_state.terminated.exit_code, 137);
	ck_assert_int_eq(cs->last_state.terminated.finished_at, f->t0 + 22 * S);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 23 * S);
	run_to(f, 43 * S);
	cs = status_of(get_pod(f, "hog-abc"), "app");
	ck_assert_str_eq(cs->state.waiting.reason, "CrashLoopBackOff");
	ck_assert_str_eq(cs->last_state.terminated.reason, "OOMKilled");
	ck_assert_uint_eq(event_count(f, "hog-abc", "BackOff"), 1);
	fixture_free(f);
}
END_TEST

START_TEST(test_oom_after_without_a_memory_limit_changes_nothing)
{
	struct fixture *f = fixture_new();
	struct pod *pod = hog_pod(f, "hog-abc", NULL);
	fixture_start(f);
	create(f, pod);
	run_to(f, 5 * KTIME_MINUTE);
	const struct container_status *cs = status_of(get_pod(f, "hog-abc"), "app");
	ck_assert_int_eq(cs->restart_count, 0);
	ck_assert_int_eq(cs->state.running.started_at, f->t0 + 2 * S);
	fixture_free(f);
}
END_TEST

/* ---- readiness failure windows ------------------------------------------ */

/* Started at 2s; the readiness probe (period 10s, threshold 3) ticks at
 * 2, 12, 22 ... The image fails it from 30s to 70s after the start: the
 * probes at 32, 42, 52 and 62s fail, the third turns the pod not ready,
 * the one at 72s passes and it is ready again. Nothing restarts. */
START_TEST(test_readiness_failure_window_turns_the_pod_not_ready_and_back)
{
	struct fixture *f = fixture_new();
	add_image(f, "flaky:v1", 1 * S, 1 * S);
	image_named(f, "flaky:v1")->readiness_fails_after = 30 * S;
	image_named(f, "flaky:v1")->readiness_recovers_after = 70 * S;
	fixture_start(f);
	struct pod *pod = pod_new("web-abc", "web", "flaky:v1");
	struct probe *probe = &pod->spec.containers.items[0].readiness_probe;
	probe->http_get.path = xstrdup("/ready");
	probe->http_get.port = (struct int_or_string){ .is_set = true, .int_value = 8080 };
	create(f, pod);
	run_to(f, 51 * S);
	ck_assert_str_eq(condition_of(get_pod(f, "web-abc"), "Ready")->status, "True");
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 2);
	run_to(f, 53 * S);
	const struct pod *p = get_pod(f, "web-abc");
	ck_assert_str_eq(condition_of(p, "Ready")->status, "False");
	ck_assert_str_eq(condition_of(p, "ContainersReady")->status, "False");
	ck_assert_str_eq(condition_of(p, "ContainersReady")->reason, "ContainersNotReady");
	ck_assert_str_eq(condition_of(p, "Ready")->message, "containers with unready status: [web]");
	ck_assert(!status_of(p, "web")->ready);
	ck_assert_int_eq(status_of(p, "web")->state.running.started_at, f->t0 + 2 * S);
	run_to(f, 71 * S);
	ck_assert_str_eq(condition_of(get_pod(f, "web-abc"), "Ready")->status, "False");
	run_to(f, 73 * S);
	p = get_pod(f, "web-abc");
	ck_assert_str_eq(condition_of(p, "Ready")->status, "True");
	ck_assert(status_of(p, "web")->ready);
	ck_assert_int_eq(status_of(p, "web")->restart_count, 0);
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 4);
	for (size_t k = 0; k < 4; k++) {
		const struct logged_event *e = event_get(f, "web-abc", "Unhealthy", k);
		ck_assert_int_eq(e->t, (ktime_t)(32 + 10 * k) * S);
		ck_assert_str_eq(e->type, "Warning");
		ck_assert_str_eq(e->message,
				 "Readiness probe failed: HTTP probe failed with statuscode: 500");
	}
	ck_assert_uint_eq(event_count(f, "web-abc", "Killing"), 0);
	run_to(f, 300 * S);	/* the window is over: no more failures */
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 4);
	fixture_free(f);
}
END_TEST

/* A window shorter than failureThreshold probes records its failures
 * but never turns the pod not ready; without a readinessProbe the image's
 * window does nothing at all. */
START_TEST(test_short_readiness_failure_window_keeps_the_pod_ready)
{
	struct fixture *f = fixture_new();
	add_image(f, "blip:v1", 1 * S, 1 * S);
	image_named(f, "blip:v1")->readiness_fails_after = 30 * S;
	image_named(f, "blip:v1")->readiness_recovers_after = 45 * S;
	fixture_start(f);
	struct pod *pod = pod_new("web-abc", "web", "blip:v1");
	pod->spec.containers.items[0].readiness_probe.tcp_socket.port =
		(struct int_or_string){ .is_set = true, .int_value = 8080 };
	create(f, pod);
	create(f, pod_new("web-def", "web", "blip:v1"));
	bool ever_unready = false;
	for (int t = 3; t <= 120; t++) {
		run_to(f, t * S);
		ever_unready |= strcmp(condition_of(get_pod(f, "web-abc"), "Ready")->status, "True");
		ck_assert_str_eq(condition_of(get_pod(f, "web-def"), "Ready")->status, "True");
	}
	ck_assert(!ever_unready);
	ck_assert_uint_eq(event_count(f, "web-abc", "Unhealthy"), 2);	/* 32s, 42s */
	ck_assert_uint_eq(event_count(f, "web-def", "Unhealthy"), 0);
	fixture_free(f);
}
END_TEST

Suite *kubelet_suite(void)
{
	Suite *s = suite_create("kubelet");
	TCase *node = tcase_create("node");
	tcase_add_test(node, test_registration_creates_a_ready_node_with_upstream_events);
	tcase_add_test(node, test_lease_is_renewed_every_ten_seconds);
	tcase_add_test(node, test_quiet_node_writes_its_status_every_five_minutes);
	tcase_add_test(node, test_node_status_lists_pulled_images_at_the_next_update);
	suite_add_tcase(s, node);
	TCase *pods = tcase_create("pods");
	tcase_add_test(pods, test_pod_goes_pending_running_ready_with_upstream_events);
	tcase_add_test(pods, test_container_without_readiness_probe_is_ready_when_started);
	tcase_add_test(pods, test_second_pod_with_the_same_image_skips_the_pull);
	tcase_add_test(pods, test_containers_of_a_pod_start_one_after_the_other);
	tcase_add_test(pods, test_concurrent_pulls_of_one_image_are_serialized);
	tcase_add_test(pods, test_crash_after_gives_crash_loop_back_off_delays);
	tcase_add_test(pods, test_crash_loop_back_off_status_shows_the_delay);
	tcase_add_test(pods, test_back_off_resets_after_ten_minutes_of_running);
	tcase_add_test(pods, test_complete_after_with_restart_policy_never_succeeds);
	tcase_add_test(pods, test_crash_with_restart_policy_never_fails_the_pod);
	tcase_add_test(pods, test_init_container_completes_before_the_app_starts);
	tcase_add_test(pods, test_sidecar_starts_before_the_app_and_stops_with_it);
	tcase_add_test(pods, test_failed_pull_reports_err_image_pull_then_image_pull_back_off);
	tcase_add_test(pods, test_deleting_a_pod_stops_its_containers_then_removes_it);
	tcase_add_test(pods, test_force_deleted_pod_has_its_containers_stopped);
	tcase_add_test(pods, test_admission_rejects_a_pod_that_does_not_fit);
	tcase_add_test(pods, test_admission_rejects_a_pod_whose_host_port_is_taken);
	tcase_add_test(pods, test_admission_ignores_finished_pods);
	suite_add_tcase(s, pods);
	TCase *faults = tcase_create("faults");
	tcase_add_test(faults, test_suspended_kubelet_stops_renewing_its_lease);
	tcase_add_test(faults, test_resume_finishes_a_deletion_requested_while_down);
	tcase_add_test(faults, test_resume_restarts_containers_as_after_a_reboot);
	tcase_add_test(faults, test_resume_forgets_pods_deleted_while_down);
	tcase_add_test(faults, test_resume_reports_the_node_ready_again);
	tcase_add_test(faults, test_two_runs_record_the_same_events);
	suite_add_tcase(s, faults);

	TCase *kills = tcase_create("kills");
	tcase_add_test(kills, test_liveness_failures_kill_and_restart_the_container);
	tcase_add_test(kills, test_liveness_probe_timing_follows_its_spec);
	tcase_add_test(kills, test_container_without_liveness_probe_is_never_killed);
	tcase_add_test(kills, test_oom_after_with_a_memory_limit_is_oom_killed);
	tcase_add_test(kills, test_oom_after_without_a_memory_limit_changes_nothing);
	tcase_add_test(kills, test_readiness_failure_window_turns_the_pod_not_ready_and_back);
	tcase_add_test(kills, test_short_readiness_failure_window_keeps_the_pod_ready);
	suite_add_tcase(s, kills);
	return s;
}
