/* test_print.c - kubectl-style output: get tables, events, describe.
 *
 * The objects are built in C and stored with store_create under a clock
 * the test sets by hand, so every AGE is known. Expected tables are
 * spelled out in full: alignment is part of what a user sees.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "client.h"
#include "print.h"
#include "print_internal.h"
#include "store.h"
#include "xmalloc.h"

#include "print_fixture.h"

static void add(struct object *obj)
{
	struct api_status status;
	ck_assert_int_eq(store_create(store, obj, &status), API_OK);
}

static void push_container(void *list, const char *name, const char *image)
{
	LIST_OF(struct container) *containers = list;
	containers->items = xrealloc(containers->items,
				     (containers->len + 1) * sizeof(struct container));
	struct container *c = &containers->items[containers->len++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->image = xstrdup(image);
}

static struct container_status *push_status(void *list, const char *name)
{
	LIST_OF(struct container_status) *statuses = list;
	statuses->items = xrealloc(statuses->items,
				   (statuses->len + 1) * sizeof(struct container_status));
	struct container_status *s = &statuses->items[statuses->len++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

static void push_condition(void *list, const char *type, const char *status)
{
	LIST_OF(struct condition) *conditions = list;
	conditions->items = xrealloc(conditions->items,
				     (conditions->len + 1) * sizeof(struct condition));
	struct condition *c = &conditions->items[conditions->len++];
	memset(c, 0, sizeof(*c));
	c->type = xstrdup(type);
	c->status = xstrdup(status);
}

static struct pod *new_pod(const char *name, const char *phase, const char *node)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	push_container(&pod->spec.containers, "app", "nginx:1.27");
	pod->spec.node_name = xstrdup(node);
	pod->spec.termination_grace_period_seconds = 30;
	pod->status.phase = xstrdup(phase);
	return pod;
}

static struct container_status *running_status(struct pod *pod, bool ready)
{
	struct container_status *s = push_status(&pod->status.container_statuses, "app");
	s->state.running.started_at = T0 + 10 * KTIME_SECOND;
	s->ready = ready;
	s->started = true;
	return s;
}

/* The six pods of the STATUS test, one per state a student meets first. */
static void add_pods_in_every_state(void)
{
	struct pod *web = new_pod("web-1", "Running", "node-1");
	running_status(web, true);
	web->status.pod_ip = xstrdup("10.244.1.5");
	push_condition(&web->status.conditions, "Ready", "True");
	add(&web->obj);

	struct pod *crash = new_pod("crash", "Running", "node-1");
	struct container_status *s = push_status(&crash->status.container_statuses, "app");
	s->state.waiting.reason = xstrdup("CrashLoopBackOff");
	s->restart_count = 3;
	s->last_state.terminated.exit_code = 1;
	s->last_state.terminated.reason = xstrdup("Error");
	s->last_state.terminated.finished_at = NOW - 45 * KTIME_SECOND;
	add(&crash->obj);

	struct pod *gone = new_pod("gone", "Running", "node-1");
	running_status(gone, true);
	add(&gone->obj);
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	ck_assert_int_eq(store_delete(store, KIND_POD, "default", "gone", &options, NULL),
			 API_OK);

	add(&new_pod("pending", "Pending", NULL)->obj);

	struct pod *done = new_pod("done", "Succeeded", "node-1");
	s = push_status(&done->status.container_statuses, "app");
	s->state.terminated.reason = xstrdup("Completed");
	s->state.terminated.finished_at = T0 + KTIME_MINUTE;
	add(&done->obj);

	struct pod *init = new_pod("init", "Pending", "node-1");
	push_container(&init->spec.init_containers, "setup", "busybox");
	s = push_status(&init->status.init_container_statuses, "setup");
	s->state.running.started_at = T0 + KTIME_SECOND;
	s = push_status(&init->status.container_statuses, "app");
	s->state.waiting.reason = xstrdup("PodInitializing");
	add(&init->obj);
}

static char *get_table(enum kind_id kind, const struct print_options *options)
{
	struct object_list list = { 0 };
	store_list(store, kind, NULL, NULL, &list);
	char *text = CAPTURE(print_table(out, kind, &list, options));
	object_list_release(&list);
	return text;
}

/* ---- the tabwriter ------------------------------------------------------- */

START_TEST(test_tabwriter_aligns_each_column_block_separately)
{
	char *text = CAPTURE({
		struct tabwriter tw;
		tabwriter_init(&tw, out, 0, 2, false);
		tabwriter_printf(&tw, "Name:\tweb\nNamespace:\tdefault\n");
		tabwriter_printf(&tw, "Containers:\n");	/* no tab: ends the block */
		tabwriter_printf(&tw, "  Image:\tnginx\n  Restart Count:\t0\n");
		tabwriter_release(&tw);
	});
	ck_assert_str_eq(text,
		"Name:       web\n"
		"Namespace:  default\n"
		"Containers:\n"
		"  Image:          nginx\n"
		"  Restart Count:  0\n");
	free(text);
}
END_TEST

START_TEST(test_tabwriter_pads_short_columns_to_the_minimum_width)
{
	char *text = CAPTURE({
		struct tabwriter tw;
		tabwriter_init(&tw, out, 6, 3, true);
		tabwriter_printf(&tw, "a\tb\tc\nlonger\t\tx\n");
		tabwriter_release(&tw);
	});
	/* "b" and "" pad to minwidth 6; no blanks at the end of a line */
	ck_assert_str_eq(text, "a        b     c\nlonger         x\n");
	free(text);
}
END_TEST

/* ---- get pods ------------------------------------------------------------ */

START_TEST(test_get_pods_shows_kubectl_status_words)
{
	add_pods_in_every_state();
	char *text = get_table(KIND_POD, &plain);
	ck_assert_str_eq(text,
		"NAME      READY   STATUS             RESTARTS      AGE\n"
		"crash     0/1     CrashLoopBackOff   3 (45s ago)   5m\n"
		"done      0/1     Completed          0             5m\n"
		"gone      1/1     Terminating        0             5m\n"
		"init      0/1     Init:0/1           0             5m\n"
		"pending   0/1     Pending            0             5m\n"
		"web-1     1/1     Running            0             5m\n");
	free(text);
}
END_TEST

START_TEST(test_get_pods_wide_adds_ip_and_node_columns)
{
	add(&new_pod("pending", "Pending", NULL)->obj);
	struct pod *web = new_pod("web-1", "Running", "node-1");
	running_status(web, true);
	web->status.pod_ip = xstrdup("10.244.1.5");
	add(&web->obj);
	struct print_options wide = { .now = NOW, .wide = true };
	char *text = get_table(KIND_POD, &wide);
	ck_assert_str_eq(text,
		"NAME      READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES\n"
		"pending   0/1     Pending   0          5m    <none>       <none>   <none>           <none>\n"
		"web-1     1/1     Running   0          5m    10.244.1.5   node-1   <none>           <none>\n");
	free(text);
}
END_TEST

START_TEST(test_get_pods_all_namespaces_puts_namespace_first)
{
	struct pod *dns = new_pod("coredns", "Pending", NULL);
	free(dns->obj.meta.namespace);
	dns->obj.meta.namespace = xstrdup("kube-system");
	add(&dns->obj);
	add(&new_pod("web", "Pending", NULL)->obj);
	struct print_options all = { .now = NOW, .all_namespaces = true, .no_headers = true };
	char *text = get_table(KIND_POD, &all);
	ck_assert_str_eq(text,
		"default       web       0/1   Pending   0     5m\n"
		"kube-system   coredns   0/1   Pending   0     5m\n");
	free(text);
}
END_TEST

START_TEST(test_pod_status_follows_printpod_rules)
{
	char buf[128];
	struct pod *pod = new_pod("p", "Running", "node-1");
	struct container_status *s = push_status(&pod->status.container_statuses, "app");
	s->state.terminated.reason = xstrdup("OOMKilled");
	s->state.terminated.exit_code = 137;
	ck_assert_str_eq(print_pod_status(&pod->obj, buf, sizeof(buf)), "OOMKilled");

	free(s->state.terminated.reason);
	s->state.terminated.reason = NULL;
	ck_assert_str_eq(print_pod_status(&pod->obj, buf, sizeof(buf)), "ExitCode:137");

	memset(&s->state, 0, sizeof(s->state));
	s->state.waiting.reason = xstrdup("ImagePullBackOff");
	ck_assert_str_eq(print_pod_status(&pod->obj, buf, sizeof(buf)), "ImagePullBackOff");

	/* a failing init container hides the main container's state */
	push_container(&pod->spec.init_containers, "setup", "busybox");
	struct container_status *i = push_status(&pod->status.init_container_statuses, "setup");
	i->state.waiting.reason = xstrdup("CrashLoopBackOff");
	ck_assert_str_eq(print_pod_status(&pod->obj, buf, sizeof(buf)), "Init:CrashLoopBackOff");

	/* deleted with its node lost: Unknown, not Terminating */
	pod->obj.meta.deletion_timestamp = T0;
	pod->status.reason = xstrdup("NodeLost");
	ck_assert_str_eq(print_pod_status(&pod->obj, buf, sizeof(buf)), "Unknown");
	object_unref(&pod->obj);
}
END_TEST

START_TEST(test_get_pods_colors_status_only_when_asked)
{
	add_pods_in_every_state();
	struct print_options color = { .now = NOW, .color = true };
	char *text = get_table(KIND_POD, &color);
	ck_assert_ptr_nonnull(strstr(text, "\033[31mCrashLoopBackOff\033[0m   "));
	ck_assert_ptr_nonnull(strstr(text, "\033[32mRunning\033[0m            0"));
	free(text);
	text = get_table(KIND_POD, &plain);
	ck_assert_ptr_null(strchr(text, '\033'));
	free(text);
}
END_TEST

START_TEST(test_get_with_no_objects_prints_nothing)
{
	char *text = get_table(KIND_POD, &plain);
	ck_assert_str_eq(text, "");	/* not even the header, as kubectl */
	free(text);
}
END_TEST

/* ---- get nodes ----------------------------------------------------------- */

static struct node *new_node(const char *name, const char *ready)
{
	struct node *node = (struct node *)object_new(&node_kind);
	node->obj.meta.name = xstrdup(name);
	node->status.node_info.kubelet_version = xstrdup("v1.34.0");
	if (ready)
		push_condition(&node->status.conditions, "Ready", ready);
	return node;
}

START_TEST(test_get_nodes_shows_readiness_roles_and_cordon)
{
	struct node *cp = new_node("cp-1", "True");
	strmap_set(&cp->obj.meta.labels, "node-role.kubernetes.io/control-plane", "");
	add(&cp->obj);
	struct node *down = new_node("node-1", "False");
	down->spec.unschedulable = true;
	add(&down->obj);
	add(&new_node("node-2", NULL)->obj);
	char *text = get_table(KIND_NODE, &plain);
	ck_assert_str_eq(text,
		"NAME     STATUS                        ROLES           AGE   VERSION\n"
		"cp-1     Ready                         control-plane   5m    v1.34.0\n"
		"node-1   NotReady,SchedulingDisabled   <none>          5m    v1.34.0\n"
		"node-2   Unknown                       <none>          5m    v1.34.0\n");
	free(text);
}
END_TEST

/* ---- workloads ----------------------------------------------------------- */

static void add_deployment_and_replica_set(void)
{
	struct deployment *d = (struct deployment *)object_new(&deployment_kind);
	d->obj.meta.name = xstrdup("web");
	d->spec.replicas = 3;
	strmap_set(&d->spec.selector.match_labels, "app", "web");
	strmap_set(&d->spec.template.metadata.labels, "app", "web");
	push_container(&d->spec.template.spec.containers, "web", "nginx:1.27");
	d->spec.strategy.type = xstrdup("RollingUpdate");
	d->spec.strategy.rolling_update.max_surge =
		(struct int_or_string){ .is_set = true, .is_string = true, .str_value = xstrdup("25%") };
	d->spec.strategy.rolling_update.max_unavailable =
		(struct int_or_string){ .is_set = true, .is_string = true, .str_value = xstrdup("25%") };
	d->status.replicas = 3;
	d->status.updated_replicas = 3;
	d->status.ready_replicas = 2;
	d->status.available_replicas = 2;
	d->status.unavailable_replicas = 1;
	push_condition(&d->status.conditions, "Available", "True");
	d->status.conditions.items[0].reason = xstrdup("MinimumReplicasAvailable");
	add(&d->obj);
	const struct object *stored = store_get(store, KIND_DEPLOYMENT, "default", "web");

	struct replica_set *rs = (struct replica_set *)object_new(&replica_set_kind);
	rs->obj.meta.name = xstrdup("web-7d4b9c");
	rs->spec.replicas = 3;
	strmap_set(&rs->spec.selector.match_labels, "app", "web");
	strmap_set(&rs->spec.selector.match_labels, "pod-template-hash", "7d4b9c");
	strmap_set(&rs->spec.template.metadata.labels, "app", "web");
	strmap_set(&rs->spec.template.metadata.labels, "pod-template-hash", "7d4b9c");
	push_container(&rs->spec.template.spec.containers, "web", "nginx:1.27");
	rs->status.replicas = 3;
	rs->status.ready_replicas = 2;
	rs->obj.meta.owner_references.items = xcalloc(1, sizeof(struct owner_reference));
	rs->obj.meta.owner_references.len = 1;
	rs->obj.meta.owner_references.items[0] = (struct owner_reference){
		.api_version = xstrdup("apps/v1"), .kind = xstrdup("Deployment"),
		.name = xstrdup("web"), .uid = xstrdup(stored->meta.uid), .controller = true,
	};
	add(&rs->obj);
}

START_TEST(test_get_deployments_and_replica_sets)
{
	add_deployment_and_replica_set();
	char *text = get_table(KIND_DEPLOYMENT, &plain);
	ck_assert_str_eq(text,
		"NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
		"web    2/3     3            2           5m\n");
	free(text);
	struct print_options wide = { .now = NOW, .wide = true };
	text = get_table(KIND_REPLICASET, &wide);
	ck_assert_str_eq(text,
		"NAME         DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR\n"
		"web-7d4b9c   3         3         2       5m    web          nginx:1.27   app=web,pod-template-hash=7d4b9c\n");
	free(text);
}
END_TEST

START_TEST(test_get_all_names_rows_kind_slash_name)
{
	add_deployment_and_replica_set();
	struct print_options all = { .now = NOW, .with_kind = true };
	char *text = get_table(KIND_DEPLOYMENT, &all);
	ck_assert_str_eq(text,
		"NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
		"deployment.apps/web   2/3     3            2           5m\n");
	free(text);
}
END_TEST

/* The header of `kubectl get <kind>` in v1.34, for every kind kubelab has.
 * An object with nothing set must print without tripping the one cell per
 * column check. */
START_TEST(test_get_prints_upstream_columns_for_every_kind)
{
	static const char *const headers[KIND_COUNT] = {
		[KIND_NAMESPACE] = "NAME    STATUS   AGE",
		[KIND_NODE] = "NAME    STATUS    ROLES    AGE   VERSION",
		[KIND_POD] = "NAME    READY   STATUS   RESTARTS   AGE",
		[KIND_REPLICASET] = "NAME    DESIRED   CURRENT   READY   AGE",
		[KIND_DEPLOYMENT] = "NAME    READY   UP-TO-DATE   AVAILABLE   AGE",
		[KIND_STATEFULSET] = "NAME    READY   AGE",
		[KIND_DAEMONSET] = "NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE",
		[KIND_JOB] = "NAME    STATUS    COMPLETIONS   DURATION   AGE",
		[KIND_CRONJOB] = "NAME    SCHEDULE   TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
		[KIND_SERVICE] = "NAME    TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
		[KIND_ENDPOINTS] = "NAME    ENDPOINTS   AGE",
		[KIND_ENDPOINTSLICE] = "NAME    ADDRESSTYPE   PORTS     ENDPOINTS   AGE",
		[KIND_CONFIGMAP] = "NAME    DATA   AGE",
		[KIND_PERSISTENTVOLUME] = "NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE",
		[KIND_PERSISTENTVOLUMECLAIM] = "NAME    STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE",
		[KIND_STORAGECLASS] = "NAME    PROVISIONER   RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE",
		[KIND_PRIORITYCLASS] = "NAME    VALUE   GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY",
		[KIND_PODDISRUPTIONBUDGET] = "NAME    MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE",
		[KIND_EVENT] = "LAST SEEN   TYPE   REASON   OBJECT   MESSAGE",
		[KIND_LEASE] = "NAME    HOLDER   AGE",
		[KIND_HORIZONTALPODAUTOSCALER] =
			"NAME    REFERENCE   TARGETS   MINPODS   MAXPODS   REPLICAS   AGE",
		[KIND_CONTROLLERREVISION] = "NAME    CONTROLLER   REVISION   AGE",
		[KIND_CSINODE] = "NAME    DRIVERS   AGE",
	};
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		struct object *obj = object_new(kind_get(kind));
		obj->meta.name = xstrdup("thing");
		add(obj);
		char *text = get_table(kind, &plain);
		size_t header = strcspn(text, "\n");
		ck_assert_msg(strlen(headers[kind]) == header &&
			      !strncmp(text, headers[kind], header),
			      "%s: got %s", kind_get(kind)->kind, text);
		free(text);
	}
}
END_TEST

START_TEST(test_get_services_shows_ports_and_external_ip)
{
	const char *types[] = { "ClusterIP", "NodePort", "LoadBalancer" };
	const char *names[] = { "api", "front", "lb" };
	for (int i = 0; i < 3; i++) {
		struct service *svc = (struct service *)object_new(&service_kind);
		svc->obj.meta.name = xstrdup(names[i]);
		svc->spec.type = xstrdup(types[i]);
		svc->spec.cluster_ip = xasprintf("10.96.0.%d", 10 + i);
		strmap_set(&svc->spec.selector, "app", names[i]);
		svc->spec.ports.items = xcalloc(2, sizeof(struct service_port));
		svc->spec.ports.len = i == 0 ? 2 : 1;
		svc->spec.ports.items[0] = (struct service_port){
			.protocol = xstrdup("TCP"), .port = 80, .node_port = i ? 30080 + i : 0 };
		if (i == 0)
			svc->spec.ports.items[1] = (struct service_port){
				.protocol = xstrdup("UDP"), .port = 53 };
		add(&svc->obj);
	}
	struct print_options wide = { .now = NOW, .wide = true };
	char *text = get_table(KIND_SERVICE, &wide);
	ck_assert_str_eq(text,
		"NAME    TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)         AGE   SELECTOR\n"
		"api     ClusterIP      10.96.0.10   <none>        80/TCP,53/UDP   5m    app=api\n"
		"front   NodePort       10.96.0.11   <none>        80:30081/TCP    5m    app=front\n"
		"lb      LoadBalancer   10.96.0.12   <pending>     80:30082/TCP    5m    app=lb\n");
	free(text);
}
END_TEST

START_TEST(test_get_jobs_shows_completions_and_duration)
{
	struct job *running = (struct job *)object_new(&job_kind);
	running->obj.meta.name = xstrdup("backup");
	running->spec.completions = (struct opt_int64){ true, 3 };
	running->status.succeeded = 1;
	running->status.start_time = T0 + KTIME_MINUTE;
	add(&running->obj);
	struct job *done = (struct job *)object_new(&job_kind);
	done->obj.meta.name = xstrdup("migrate");
	done->status.succeeded = 1;
	done->status.start_time = T0;
	done->status.completion_time = T0 + 30 * KTIME_SECOND;
	push_condition(&done->status.conditions, "Complete", "True");
	add(&done->obj);
	char *text = get_table(KIND_JOB, &plain);
	ck_assert_str_eq(text,
		"NAME      STATUS     COMPLETIONS   DURATION   AGE\n"
		"backup    Running    1/3           4m         5m\n"
		"migrate   Complete   1/1           30s        5m\n");
	free(text);
}
END_TEST

/* ---- events -------------------------------------------------------------- */

static void record_events(void)
{
	struct client scheduler = { .store = store, .clock = fake_clock,
				    .component = "default-scheduler", .record_events = true };
	struct client kubelet = { .store = store, .clock = fake_clock, .component = "kubelet",
				  .host = "node-1", .record_events = true };
	const struct object *web = store_get(store, KIND_POD, "default", "web-1");
	const struct object *crash = store_get(store, KIND_POD, "default", "crash");
	fake_now = T0 + 10 * KTIME_SECOND;
	client_event(&scheduler, web, "Normal", "Scheduled",
		     "Successfully assigned default/web-1 to node-1");
	for (int i = 0; i < 3; i++) {	/* folded into one Event, count 3 */
		fake_now = T0 + (60 + 60 * i) * KTIME_SECOND;
		client_event(&kubelet, crash, "Warning", "BackOff",
			     "Back-off restarting failed container app in pod crash_default(%s)",
			     crash->meta.uid);
		crash = store_get(store, KIND_POD, "default", "crash");
	}
}

START_TEST(test_get_events_lists_oldest_first)
{
	add_pods_in_every_state();
	record_events();
	char *text = CAPTURE(print_events(out, store, NULL, &plain));
	const struct object *crash = store_get(store, KIND_POD, "default", "crash");
	char *expected = xasprintf(
		"LAST SEEN   TYPE      REASON      OBJECT      MESSAGE\n"
		"4m50s       Normal    Scheduled   pod/web-1   Successfully assigned default/web-1 to node-1\n"
		"2m          Warning   BackOff     pod/crash   Back-off restarting failed container app in pod crash_default(%s)\n",
		crash->meta.uid);
	ck_assert_str_eq(text, expected);
	free(expected);
	free(text);
}
END_TEST

START_TEST(test_get_cuts_cells_at_line_breaks)
{
	struct event *ev = (struct event *)object_new(&event_kind);
	ev->obj.meta.name = xstrdup("web-1.1");
	ev->involved_object.kind = xstrdup("Pod");
	ev->involved_object.name = xstrdup("web-1");
	ev->type = xstrdup("Warning");
	ev->reason = xstrdup("Failed");
	ev->message = xstrdup("Error: image not found\nsee the registry logs");
	ev->first_timestamp = ev->last_timestamp = T0 + KTIME_MINUTE;
	add(&ev->obj);
	char *text = get_table(KIND_EVENT, &plain);
	ck_assert_str_eq(text,
		"LAST SEEN   TYPE      REASON   OBJECT      MESSAGE\n"
		"4m          Warning   Failed   pod/web-1   Error: image not found...\n");
	free(text);
}
END_TEST

/* ---- describe ------------------------------------------------------------ */

START_TEST(test_describe_pod_has_kubectl_sections)
{
	add_pods_in_every_state();
	record_events();
	const struct object *crash = store_get(store, KIND_POD, "default", "crash");
	char *text = CAPTURE(print_describe(out, store, crash, &plain));
	char *expected = xasprintf(
		"Name:         crash\n"
		"Namespace:    default\n"
		"Node:         node-1/\n"
		"Labels:       <none>\n"
		"Annotations:  <none>\n"
		"Status:       Running\n"
		"IP:           \n"
		"IPs:          <none>\n"
		"Containers:\n"
		"  app:\n"
		"    Container ID:   \n"
		"    Image:          nginx:1.27\n"
		"    Image ID:       \n"
		"    Port:           <none>\n"
		"    Host Port:      <none>\n"
		"    State:          Waiting\n"
		"      Reason:       CrashLoopBackOff\n"
		"    Last State:     Terminated\n"
		"      Reason:       Error\n"
		"      Exit Code:    1\n"
		"      Started:      Mon, 01 Jan 0001 00:00:00 +0000\n"
		"      Finished:     Thu, 01 Jan 2026 00:04:15 +0000\n"
		"    Ready:          False\n"
		"    Restart Count:  3\n"
		"    Environment:    <none>\n"
		"    Mounts:         <none>\n"
		"Volumes:            <none>\n"
		"QoS Class:          BestEffort\n"
		"Node-Selectors:     <none>\n"
		"Tolerations:        <none>\n"
		"Events:\n"
		"  Type     Reason   Age              From     Message\n"
		"  ----     ------   ----             ----     -------\n"
		"  Warning  BackOff  2m (x3 over 4m)  kubelet  Back-off restarting failed container app in pod crash_default(%s)\n",
		crash->meta.uid);
	ck_assert_str_eq(text, expected);
	free(expected);
	free(text);
}
END_TEST

START_TEST(test_describe_node_lists_its_pods_and_allocation)
{
	struct node *node = new_node("node-1", "True");
	struct quantity cpu, memory;
	ck_assert_int_eq(quantity_parse("4", &cpu, NULL), 0);
	ck_assert_int_eq(quantity_parse("8Gi", &memory, NULL), 0);
	resource_list_set(&node->status.capacity, "cpu", &cpu);
	resource_list_set(&node->status.capacity, "memory", &memory);
	node->status.addresses.items = xcalloc(1, sizeof(struct node_address));
	node->status.addresses.len = 1;
	node->status.addresses.items[0] = (struct node_address){
		.type = xstrdup("InternalIP"), .address = xstrdup("10.0.0.11") };
	add(&node->obj);

	struct pod *pod = new_pod("web-1", "Running", "node-1");
	struct quantity req;
	ck_assert_int_eq(quantity_parse("500m", &req, NULL), 0);
	resource_list_set(&pod->spec.containers.items[0].resources.requests, "cpu", &req);
	add(&pod->obj);
	add(&new_pod("done", "Succeeded", "node-1")->obj);

	struct lease *lease = (struct lease *)object_new(&lease_kind);
	lease->obj.meta.name = xstrdup("node-1");
	lease->obj.meta.namespace = xstrdup("kube-node-lease");
	lease->spec.holder_identity = xstrdup("node-1");
	lease->spec.renew_time = T0 + 4 * KTIME_MINUTE;
	add(&lease->obj);

	const struct object *stored = store_get(store, KIND_NODE, NULL, "node-1");
	char *text = CAPTURE(print_describe(out, store, stored, &plain));
	const char *wanted[] = {
		"Name:               node-1\n",
		"Roles:              <none>\n",
		"CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000\n",
		"Unschedulable:      false\n",
		"Lease:\n  HolderIdentity:  node-1\n  AcquireTime:     <unset>\n"
		"  RenewTime:       Thu, 01 Jan 2026 00:04:00 +0000\n",
		"Addresses:\n  InternalIP:  10.0.0.11\n",
		"Capacity:\n  cpu:     4\n  memory:  8Gi\n",
		"Non-terminated Pods:          (1 in total)\n",
		"  default                     web-1    500m (12%)    0 (0%)      0 (0%)           0 (0%)         5m\n",
		"  cpu                500m (12%)  0 (0%)\n",
		/* Events joins the block of the allocation table above */
		"  ephemeral-storage  0 (0%)      0 (0%)\nEvents:              <none>\n",
	};
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		ck_assert_msg(strstr(text, wanted[i]), "missing %s in:\n%s", wanted[i], text);
	ck_assert_ptr_null(strstr(text, "done"));	/* terminated pods are left out */
	free(text);
}
END_TEST

START_TEST(test_describe_deployment_names_new_replica_set)
{
	add_deployment_and_replica_set();
	const struct object *d = store_get(store, KIND_DEPLOYMENT, "default", "web");
	char *text = CAPTURE(print_describe(out, store, d, &plain));
	const char *wanted[] = {
		"Replicas:               3 desired | 3 updated | 3 total | 2 available | 1 unavailable\n",
		"StrategyType:           RollingUpdate\n",
		"RollingUpdateStrategy:  25% max unavailable, 25% max surge\n",
		"Pod Template:\n  Labels:  app=web\n  Containers:\n   web:\n    Image:         nginx:1.27\n",
		"Conditions:\n  Type           Status  Reason\n  ----           ------  ------\n"
		"  Available      True    MinimumReplicasAvailable\n",
		"OldReplicaSets:  <none>\nNewReplicaSet:   web-7d4b9c (3/3 replicas created)\n",
	};
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		ck_assert_msg(strstr(text, wanted[i]), "missing %s in:\n%s", wanted[i], text);
	free(text);
}
END_TEST

START_TEST(test_describe_replica_set_counts_its_pods)
{
	add_deployment_and_replica_set();
	const struct object *rs = store_get(store, KIND_REPLICASET, "default", "web-7d4b9c");
	char *text = CAPTURE(print_describe(out, store, rs, &plain));
	const char *wanted[] = {
		"Selector:       app=web,pod-template-hash=7d4b9c\n",
		"Controlled By:  Deployment/web\n",
		"Replicas:       3 current / 3 desired\n",
		"Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n",
	};
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		ck_assert_msg(strstr(text, wanted[i]), "missing %s in:\n%s", wanted[i], text);
	free(text);
}
END_TEST

START_TEST(test_describe_other_kinds_walks_the_schema)
{
	struct config_map *cm = (struct config_map *)object_new(&config_map_kind);
	cm->obj.meta.name = xstrdup("settings");
	strmap_set(&cm->data, "logLevel", "debug");
	add(&cm->obj);
	const struct object *stored = store_get(store, KIND_CONFIGMAP, "default", "settings");
	char *text = CAPTURE(print_describe(out, store, stored, &plain));
	char *expected = xasprintf(
		"Name:         settings\n"
		"Namespace:    default\n"
		"Labels:       <none>\n"
		"Annotations:  <none>\n"
		"API Version:  v1\n"
		"Data:\n"
		"  Log Level:  debug\n"
		"Kind:         ConfigMap\n"
		"Metadata:\n"
		"  Creation Timestamp:  2026-01-01T00:00:00Z\n"
		"  Generation:          1\n"
		"  Resource Version:    %lld\n"
		"  UID:                 %s\n"
		"Events:                <none>\n",
		(long long)stored->meta.resource_version, stored->meta.uid);
	ck_assert_str_eq(text, expected);
	free(expected);
	free(text);
}
END_TEST

Suite *print_suite(void);	/* registered in check_main.c */
Suite *print_suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("print");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tabwriter_aligns_each_column_block_separately);
	tcase_add_test(tc, test_tabwriter_pads_short_columns_to_the_minimum_width);
	tcase_add_test(tc, test_get_pods_shows_kubectl_status_words);
	tcase_add_test(tc, test_get_pods_wide_adds_ip_and_node_columns);
	tcase_add_test(tc, test_get_pods_all_namespaces_puts_namespace_first);
	tcase_add_test(tc, test_pod_status_follows_printpod_rules);
	tcase_add_test(tc, test_get_pods_colors_status_only_when_asked);
	tcase_add_test(tc, test_get_with_no_objects_prints_nothing);
	tcase_add_test(tc, test_get_nodes_shows_readiness_roles_and_cordon);
	tcase_add_test(tc, test_get_deployments_and_replica_sets);
	tcase_add_test(tc, test_get_all_names_rows_kind_slash_name);
	tcase_add_test(tc, test_get_prints_upstream_columns_for_every_kind);
	tcase_add_test(tc, test_get_services_shows_ports_and_external_ip);
	tcase_add_test(tc, test_get_jobs_shows_completions_and_duration);
	tcase_add_test(tc, test_get_events_lists_oldest_first);
	tcase_add_test(tc, test_get_cuts_cells_at_line_breaks);
	tcase_add_test(tc, test_describe_pod_has_kubectl_sections);
	tcase_add_test(tc, test_describe_node_lists_its_pods_and_allocation);
	tcase_add_test(tc, test_describe_deployment_names_new_replica_set);
	tcase_add_test(tc, test_describe_replica_set_counts_its_pods);
	tcase_add_test(tc, test_describe_other_kinds_walks_the_schema);
	suite_add_tcase(s, tc);
	return s;
}
