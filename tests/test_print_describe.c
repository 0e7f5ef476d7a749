/* test_print_describe.c - `kubectl describe` for the apps, batch, service,
 * storage, autoscaling, policy and scheduling kinds.
 *
 * The objects are built in C and stored under a clock the test sets by
 * hand (created at T0, printed five minutes later), as in test_print.c.
 * The HPA page is spelled out in full; for the others the tests look for
 * the lines a student compares with a real cluster: headings, values,
 * the aligned blocks and the Events.
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

static const struct object *add(struct object *obj)
{
	struct api_status status;
	char *name = xstrdup(obj->meta.name);
	const struct kind_info *kind = obj->kind;
	ck_assert_int_eq(store_create(store, obj, &status), API_OK);
	const struct object *stored = store_get(store, kind->id,
						kind->namespaced ? "default" : NULL, name);
	ck_assert_ptr_nonnull(stored);
	free(name);
	return stored;
}

static char *describe(const struct object *obj)
{
	return CAPTURE(print_describe(out, store, obj, &plain));
}

/* Asserts each of wanted (a NULL-ended list) is in text, then frees text. */
static void assert_lines(char *text, const char *const *wanted)
{
	for (size_t i = 0; wanted[i]; i++)
		ck_assert_msg(strstr(text, wanted[i]), "missing\n%s\nin:\n%s", wanted[i], text);
	free(text);
}

static void push_string(void *list, const char *value)
{
	LIST_OF(char *) *strings = list;
	strings->items = xrealloc(strings->items, (strings->len + 1) * sizeof(char *));
	strings->items[strings->len++] = xstrdup(value);
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

static void push_condition(void *list, const char *type, const char *status,
			   const char *reason, const char *message)
{
	LIST_OF(struct condition) *conditions = list;
	conditions->items = xrealloc(conditions->items,
				     (conditions->len + 1) * sizeof(struct condition));
	struct condition *c = &conditions->items[conditions->len++];
	memset(c, 0, sizeof(*c));
	c->type = xstrdup(type);
	c->status = xstrdup(status);
	c->reason = reason ? xstrdup(reason) : NULL;
	c->message = message ? xstrdup(message) : NULL;
}

static void template_of(struct pod_template_spec *template, const char *app)
{
	strmap_set(&template->metadata.labels, "app", app);
	push_container(&template->spec.containers, app, "nginx:1.27");
}

static void selector_of(struct label_selector *selector, const char *app)
{
	strmap_set(&selector->match_labels, "app", app);
}

/* A pod of the given phase, controlled by owner. */
static void add_owned_pod(const char *name, const char *phase, const struct object *owner)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup(name);
	pod->obj.meta.namespace = xstrdup("default");
	push_container(&pod->spec.containers, "app", "nginx:1.27");
	pod->status.phase = xstrdup(phase);
	struct owner_reference *ref = xcalloc(1, sizeof(*ref));
	ref->api_version = xstrdup(owner->kind->api_version);
	ref->kind = xstrdup(owner->kind->kind);
	ref->name = xstrdup(owner->meta.name);
	ref->uid = xstrdup(owner->meta.uid);
	ref->controller = true;
	pod->obj.meta.owner_references.items = ref;
	pod->obj.meta.owner_references.len = 1;
	add(&pod->obj);
}

static void event(const char *component, const struct object *obj, const char *type,
		  const char *reason, const char *message, ktime_t at)
{
	struct client client = { .store = store, .clock = fake_clock, .component = component,
				 .record_events = true };
	fake_now = at;
	client_event(&client, obj, type, reason, "%s", message);
}

static struct quantity q(const char *text)
{
	struct quantity value;
	ck_assert_int_eq(quantity_parse(text, &value, NULL), 0);
	return value;
}

/* ---- apps and batch ------------------------------------------------------ */

START_TEST(test_describe_stateful_set_shows_partition_and_volume_claims)
{
	struct stateful_set *sts = (struct stateful_set *)object_new(&stateful_set_kind);
	sts->obj.meta.name = xstrdup("db");
	sts->obj.meta.namespace = xstrdup("default");
	sts->spec.replicas = 3;
	sts->spec.service_name = xstrdup("db");
	sts->spec.update_strategy.type = xstrdup("RollingUpdate");
	sts->spec.update_strategy.rolling_update.partition = 2;
	selector_of(&sts->spec.selector, "db");
	template_of(&sts->spec.template, "db");
	sts->spec.volume_claim_templates.items =
		xcalloc(1, sizeof(struct persistent_volume_claim_template));
	sts->spec.volume_claim_templates.len = 1;
	struct persistent_volume_claim_template *claim = &sts->spec.volume_claim_templates.items[0];
	claim->metadata.name = xstrdup("data");
	claim->spec.storage_class_name = xstrdup("standard");
	push_string(&claim->spec.access_modes, "ReadWriteOnce");
	struct quantity gi = q("1Gi");
	resource_list_set(&claim->spec.resources.requests, "storage", &gi);
	sts->status.replicas = 2;
	const struct object *stored = add(&sts->obj);
	add_owned_pod("db-0", "Running", stored);
	add_owned_pod("db-1", "Pending", stored);
	event("statefulset-controller", stored, "Normal", "SuccessfulCreate",
	      "create Pod db-0 in StatefulSet db successful", T0 + KTIME_MINUTE);

	const char *const wanted[] = {
		"Name:               db\n"
		"Namespace:          default\n"
		"CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000\n"
		"Selector:           app=db\n"
		"Labels:             <none>\n"
		"Annotations:        <none>\n"
		"Replicas:           3 desired | 2 total\n"
		"Update Strategy:    RollingUpdate\n"
		"  Partition:        2\n"
		"Pods Status:        1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
		"Pod Template:\n",
		"Volume Claims:\n"
		"  Name:          data\n"
		"  StorageClass:  standard\n"
		"  Labels:        <none>\n"
		"  Annotations:   <none>\n"
		"  Capacity:      1Gi\n"
		"  Access Modes:  [ReadWriteOnce]\n"
		"Events:\n",
		"  Normal  SuccessfulCreate  4m    statefulset-controller  create Pod db-0 in StatefulSet db successful\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_daemon_set_counts_nodes_on_unaligned_lines)
{
	struct daemon_set *ds = (struct daemon_set *)object_new(&daemon_set_kind);
	ds->obj.meta.name = xstrdup("agent");
	ds->obj.meta.namespace = xstrdup("default");
	selector_of(&ds->spec.selector, "agent");
	template_of(&ds->spec.template, "agent");
	strmap_set(&ds->spec.template.spec.node_selector, "kubernetes.io/os", "linux");
	ds->status.desired_number_scheduled = 3;
	ds->status.current_number_scheduled = 3;
	ds->status.updated_number_scheduled = 2;
	ds->status.number_available = 2;
	ds->status.number_misscheduled = 1;
	const struct object *stored = add(&ds->obj);
	add_owned_pod("agent-a", "Running", stored);
	add_owned_pod("agent-b", "Failed", stored);
	const char *const wanted[] = {
		"Name:           agent\n"
		"Namespace:      default\n"
		"Selector:       app=agent\n"
		"Node-Selector:  kubernetes.io/os=linux\n"
		"Labels:         <none>\n"
		"Annotations:    <none>\n"
		"Desired Number of Nodes Scheduled: 3\n"
		"Current Number of Nodes Scheduled: 3\n"
		"Number of Nodes Scheduled with Up-to-date Pods: 2\n"
		"Number of Nodes Scheduled with Available Pods: 2\n"
		"Number of Nodes Misscheduled: 1\n"
		"Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 1 Failed\n"
		"Pod Template:\n",
		/* the pod template's last block takes Events in */
		"  Node-Selectors:  kubernetes.io/os=linux\n"
		"  Tolerations:     <none>\n"
		"Events:            <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_job_shows_duration_and_pod_statuses)
{
	struct job *job = (struct job *)object_new(&job_kind);
	job->obj.meta.name = xstrdup("backup");
	job->obj.meta.namespace = xstrdup("default");
	job->spec.completions = (struct opt_int64){ true, 3 };
	job->spec.parallelism = (struct opt_int64){ true, 2 };
	job->spec.backoff_limit = (struct opt_int64){ true, 6 };
	job->spec.completion_mode = xstrdup("Indexed");
	selector_of(&job->spec.selector, "backup");
	template_of(&job->spec.template, "backup");
	job->status.start_time = T0 + 10 * KTIME_SECOND;
	job->status.completion_time = T0 + 100 * KTIME_SECOND;
	job->status.succeeded = 3;
	job->status.failed = 1;
	job->status.completed_indexes = xstrdup("0-2");
	const struct object *stored = add(&job->obj);
	event("job-controller", stored, "Normal", "Completed", "Job completed",
	      T0 + 100 * KTIME_SECOND);
	const char *const wanted[] = {
		"Name:               backup\n"
		"Namespace:          default\n"
		"Selector:           app=backup\n"
		"Labels:             <none>\n"
		"Annotations:        <none>\n"
		"Parallelism:        2\n"
		"Completions:        3\n"
		"Completion Mode:    Indexed\n"
		"Suspend:            false\n"
		"Backoff Limit:      6\n"
		"Start Time:         Thu, 01 Jan 2026 00:00:10 +0000\n"
		"Completed At:       Thu, 01 Jan 2026 00:01:40 +0000\n"
		"Duration:           90s\n"
		"Pods Statuses:      0 Active (0 Ready) / 3 Succeeded / 1 Failed\n"
		"Completed Indexes:  0-2\n"
		"Pod Template:\n",
		"  Normal  Completed  3m20s  job-controller  Job completed\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_cron_job_shows_schedule_and_active_jobs)
{
	struct cron_job *cj = (struct cron_job *)object_new(&cron_job_kind);
	cj->obj.meta.name = xstrdup("tick");
	cj->obj.meta.namespace = xstrdup("default");
	cj->spec.schedule = xstrdup("*/1 * * * *");
	cj->spec.concurrency_policy = xstrdup("Forbid");
	cj->spec.successful_jobs_history_limit = 3;
	cj->spec.failed_jobs_history_limit = 1;
	template_of(&cj->spec.job_template.spec.template, "tick");
	cj->status.last_schedule_time = T0 + 4 * KTIME_MINUTE;
	cj->status.active.items = xcalloc(2, sizeof(struct object_reference));
	cj->status.active.len = 2;
	cj->status.active.items[0].name = xstrdup("tick-29453763");
	cj->status.active.items[1].name = xstrdup("tick-29453764");
	const struct object *stored = add(&cj->obj);
	const char *const wanted[] = {
		"Schedule:                      */1 * * * *\n"
		"Concurrency Policy:            Forbid\n"
		"Suspend:                       False\n"
		"Time Zone:                     <unset>\n"
		"Successful Job History Limit:  3\n"
		"Failed Job History Limit:      1\n"
		"Starting Deadline Seconds:     <unset>\n"
		"Selector:                      <unset>\n"
		"Parallelism:                   <unset>\n"
		"Completions:                   <unset>\n"
		"Pod Template:\n",
		"Last Schedule Time:  Thu, 01 Jan 2026 00:04:00 +0000\n"
		"Active Jobs:         tick-29453763, tick-29453764\n"
		"Events:              <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

/* ---- services ------------------------------------------------------------ */

static void add_slice(const char *name, const char *service, const char *port_name,
		      int32_t port, int endpoints, int ready)
{
	struct endpoint_slice *eps = (struct endpoint_slice *)object_new(&endpoint_slice_kind);
	eps->obj.meta.name = xstrdup(name);
	eps->obj.meta.namespace = xstrdup("default");
	strmap_set(&eps->obj.meta.labels, "kubernetes.io/service-name", service);
	eps->address_type = xstrdup("IPv4");
	eps->ports.items = xcalloc(1, sizeof(struct slice_port));
	eps->ports.len = 1;
	eps->ports.items[0].name = port_name ? xstrdup(port_name) : NULL;
	eps->ports.items[0].protocol = xstrdup("TCP");
	eps->ports.items[0].port = port;
	eps->endpoints.items = xcalloc((size_t)endpoints, sizeof(struct slice_endpoint));
	eps->endpoints.len = (size_t)endpoints;
	for (int i = 0; i < endpoints; i++) {
		struct slice_endpoint *ep = &eps->endpoints.items[i];
		char ip[32];
		snprintf(ip, sizeof(ip), "10.244.1.%d", i + 1);
		push_string(&ep->addresses, ip);
		ep->conditions.ready = ep->conditions.serving = i < ready;
		ep->node_name = xstrdup("node-1");
		ep->target_ref.kind = xstrdup("Pod");
		snprintf(ip, sizeof(ip), "web-%d", i + 1);
		ep->target_ref.name = xstrdup(ip);
	}
	add(&eps->obj);
}

static const struct object *add_service(const char *type)
{
	struct service *svc = (struct service *)object_new(&service_kind);
	svc->obj.meta.name = xstrdup("web");
	svc->obj.meta.namespace = xstrdup("default");
	svc->spec.type = xstrdup(type);
	strmap_set(&svc->spec.selector, "app", "web");
	svc->spec.cluster_ip = xstrdup("10.96.0.20");
	svc->spec.session_affinity = xstrdup("None");
	svc->spec.internal_traffic_policy = xstrdup("Cluster");
	svc->spec.ports.items = xcalloc(1, sizeof(struct service_port));
	svc->spec.ports.len = 1;
	struct service_port *p = &svc->spec.ports.items[0];
	p->name = xstrdup("http");
	p->protocol = xstrdup("TCP");
	p->port = 80;
	p->target_port = (struct int_or_string){ .is_set = true, .int_value = 8080 };
	if (!strcmp(type, "NodePort")) {
		p->node_port = 30080;
		svc->spec.external_traffic_policy = xstrdup("Cluster");
	}
	return add(&svc->obj);
}

START_TEST(test_describe_service_lists_ready_endpoints_of_its_slices)
{
	const struct object *svc = add_service("NodePort");
	add_slice("web-abc", "web", "http", 8080, 5, 4);	/* one not ready */
	add_slice("other-xyz", "other", "http", 9090, 2, 2);	/* another service's */
	event("service-controller", svc, "Normal", "Type", "ClusterIP -> NodePort",
	      T0 + KTIME_MINUTE);
	const char *const wanted[] = {
		"Name:                     web\n"
		"Namespace:                default\n"
		"Labels:                   <none>\n"
		"Annotations:              <none>\n"
		"Selector:                 app=web\n"
		"Type:                     NodePort\n"
		"IP Family Policy:         SingleStack\n"
		"IP Families:              IPv4\n"
		"IP:                       10.96.0.20\n"
		"IPs:                      10.96.0.20\n"
		"Port:                     http  80/TCP\n"
		"TargetPort:               8080/TCP\n"
		"NodePort:                 http  30080/TCP\n"
		"Endpoints:                10.244.1.1:8080,10.244.1.2:8080,10.244.1.3:8080 + 1 more...\n"
		"Session Affinity:         None\n"
		"External Traffic Policy:  Cluster\n"
		"Internal Traffic Policy:  Cluster\n"
		"Events:\n",
		"  Normal  Type    4m    service-controller  ClusterIP -> NodePort\n",
		NULL,
	};
	assert_lines(describe(svc), wanted);
}
END_TEST

START_TEST(test_describe_service_without_slices_has_no_endpoints)
{
	const struct object *svc = add_service("ClusterIP");
	const char *const wanted[] = {
		"TargetPort:               8080/TCP\nEndpoints:                <none>\n", NULL,
	};
	char *text = describe(svc);
	ck_assert_ptr_null(strstr(text, "NodePort:"));
	ck_assert_ptr_null(strstr(text, "External Traffic Policy"));
	assert_lines(text, wanted);
}
END_TEST

START_TEST(test_describe_endpoints_and_endpoint_slice)
{
	struct endpoints *ep = (struct endpoints *)object_new(&endpoints_kind);
	ep->obj.meta.name = xstrdup("web");
	ep->obj.meta.namespace = xstrdup("default");
	ep->subsets.items = xcalloc(1, sizeof(struct endpoint_subset));
	ep->subsets.len = 1;
	struct endpoint_subset *subset = &ep->subsets.items[0];
	subset->addresses.items = xcalloc(2, sizeof(struct endpoint_address));
	subset->addresses.len = 2;
	subset->addresses.items[0].ip = xstrdup("10.244.1.1");
	subset->addresses.items[1].ip = xstrdup("10.244.1.2");
	subset->ports.items = xcalloc(1, sizeof(struct endpoint_port));
	subset->ports.len = 1;
	subset->ports.items[0].port = 8080;
	subset->ports.items[0].protocol = xstrdup("TCP");
	const struct object *stored = add(&ep->obj);
	const char *const wanted_ep[] = {
		"Subsets:\n"
		"  Addresses:          10.244.1.1,10.244.1.2\n"
		"  NotReadyAddresses:  <none>\n"
		"  Ports:\n"
		"    Name     Port  Protocol\n"
		"    ----     ----  --------\n"
		"    <unset>  8080  TCP\n"
		"\n"
		"Events:  <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted_ep);

	add_slice("web-abc", "web", "http", 8080, 2, 1);
	const struct object *slice = store_get(store, KIND_ENDPOINTSLICE, "default", "web-abc");
	const char *const wanted_slice[] = {
		"AddressType:  IPv4\n"
		"Ports:\n"
		"  Name  Port  Protocol\n"
		"  ----  ----  --------\n"
		"  http  8080  TCP\n"
		"Endpoints:\n"
		"  - Addresses:  10.244.1.1\n"
		"    Conditions:\n"
		"      Ready:    true\n"
		"    Hostname:   <unset>\n"
		"    TargetRef:  Pod/web-1\n"
		"    NodeName:   node-1\n"
		"    Zone:       <unset>\n"
		"  - Addresses:  10.244.1.2\n"
		"    Conditions:\n"
		"      Ready:    false\n",
		NULL,
	};
	assert_lines(describe(slice), wanted_slice);
}
END_TEST

/* ---- autoscaling, policy, scheduling ------------------------------------- */

static struct horizontal_pod_autoscaler *new_hpa(void)
{
	struct horizontal_pod_autoscaler *hpa =
		(struct horizontal_pod_autoscaler *)object_new(&horizontal_pod_autoscaler_kind);
	hpa->obj.meta.name = xstrdup("web");
	hpa->obj.meta.namespace = xstrdup("default");
	hpa->spec.scale_target_ref.api_version = xstrdup("apps/v1");
	hpa->spec.scale_target_ref.kind = xstrdup("Deployment");
	hpa->spec.scale_target_ref.name = xstrdup("web");
	hpa->spec.min_replicas = 2;
	hpa->spec.max_replicas = 10;
	hpa->spec.metrics.items = xcalloc(1, sizeof(struct hpa_metric_spec));
	hpa->spec.metrics.len = 1;
	struct hpa_metric_spec *m = &hpa->spec.metrics.items[0];
	m->type = xstrdup("Resource");
	m->resource.name = xstrdup("cpu");
	m->resource.target.type = xstrdup("Utilization");
	m->resource.target.average_utilization = 50;
	return hpa;
}

START_TEST(test_describe_hpa_shows_metrics_as_current_over_target)
{
	struct horizontal_pod_autoscaler *hpa = new_hpa();
	hpa->status.current_replicas = 4;
	hpa->status.desired_replicas = 3;
	hpa->status.current_metrics.items = xcalloc(1, sizeof(struct hpa_metric_status));
	hpa->status.current_metrics.len = 1;
	struct hpa_metric_status *ms = &hpa->status.current_metrics.items[0];
	ms->type = xstrdup("Resource");
	ms->resource.name = xstrdup("cpu");
	ms->resource.current.average_utilization = (struct opt_int64){ true, 30 };
	ms->resource.current.average_value = q("150m");
	push_condition(&hpa->status.conditions, "AbleToScale", "True", "ReadyForNewScale",
		       "recommended size matches current size");
	push_condition(&hpa->status.conditions, "ScalingActive", "True", "ValidMetricFound",
		       "the HPA was able to successfully calculate a replica count from cpu "
		       "resource utilization (percentage of request)");
	const struct object *stored = add(&hpa->obj);
	event("horizontal-pod-autoscaler", stored, "Normal", "SuccessfulRescale",
	      "New size: 3; reason: All metrics below target", T0 + 3 * KTIME_MINUTE);
	char *text = describe(stored);
	ck_assert_str_eq(text,
		"Name:                                                  web\n"
		"Namespace:                                             default\n"
		"Labels:                                                <none>\n"
		"Annotations:                                           <none>\n"
		"CreationTimestamp:                                     Thu, 01 Jan 2026 00:00:00 +0000\n"
		"Reference:                                             Deployment/web\n"
		"Metrics:                                               ( current / target )\n"
		"  resource cpu on pods  (as a percentage of request):  30% (150m) / 50%\n"
		"Min replicas:                                          2\n"
		"Max replicas:                                          10\n"
		"Deployment pods:                                       4 current / 3 desired\n"
		"Conditions:\n"
		"  Type           Status  Reason            Message\n"
		"  ----           ------  ------            -------\n"
		"  AbleToScale    True    ReadyForNewScale  recommended size matches current size\n"
		"  ScalingActive  True    ValidMetricFound  the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)\n"
		"Events:\n"
		"  Type    Reason             Age   From                       Message\n"
		"  ----    ------             ----  ----                       -------\n"
		"  Normal  SuccessfulRescale  2m    horizontal-pod-autoscaler  New size: 3; reason: All metrics below target\n");
	free(text);
}
END_TEST

START_TEST(test_describe_hpa_pairs_each_metric_with_its_own_measurement)
{
	struct horizontal_pod_autoscaler *hpa = new_hpa();
	hpa->spec.metrics.items = xrealloc(hpa->spec.metrics.items,
					   2 * sizeof(struct hpa_metric_spec));
	hpa->spec.metrics.len = 2;
	struct hpa_metric_spec *memory = &hpa->spec.metrics.items[1];
	memset(memory, 0, sizeof(*memory));
	memory->type = xstrdup("Resource");
	memory->resource.name = xstrdup("memory");
	memory->resource.target.type = xstrdup("AverageValue");
	memory->resource.target.average_value = q("200Mi");
	/* cpu could not be measured: only memory is in currentMetrics */
	hpa->status.current_metrics.items = xcalloc(1, sizeof(struct hpa_metric_status));
	hpa->status.current_metrics.len = 1;
	struct hpa_metric_status *ms = &hpa->status.current_metrics.items[0];
	ms->type = xstrdup("Resource");
	ms->resource.name = xstrdup("memory");
	ms->resource.current.average_value = q("150Mi");
	const struct object *stored = add(&hpa->obj);
	const char *const wanted[] = {
		"  resource cpu on pods  (as a percentage of request):  <unknown> / 50%\n"
		"  resource memory on pods:                             150Mi / 200Mi\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_hpa_before_measuring_and_with_behavior)
{
	struct horizontal_pod_autoscaler *hpa = new_hpa();
	hpa->spec.behavior.scale_down.stabilization_window_seconds = (struct opt_int64){ true, 60 };
	hpa->spec.behavior.scale_down.policies.items = xcalloc(1, sizeof(struct hpa_scaling_policy));
	hpa->spec.behavior.scale_down.policies.len = 1;
	hpa->spec.behavior.scale_down.policies.items[0] = (struct hpa_scaling_policy){
		.type = xstrdup("Pods"), .value = 1, .period_seconds = 30 };
	hpa_behavior_set_defaults(&hpa->spec.behavior);
	const struct object *stored = add(&hpa->obj);
	const char *const wanted[] = {
		"  resource cpu on pods  (as a percentage of request):  <unknown> / 50%\n",
		"Behavior:\n"
		"  Scale Up:\n"
		"    Stabilization Window: 0 seconds\n"
		"    Select Policy: Max\n"
		"    Policies:\n"
		"      - Type: Pods     Value: 4    Period: 15 seconds\n"
		"      - Type: Percent  Value: 100  Period: 15 seconds\n"
		"  Scale Down:\n"
		"    Stabilization Window: 60 seconds\n"
		"    Select Policy: Max\n"
		"    Policies:\n"
		"      - Type: Pods  Value: 1  Period: 30 seconds\n",
		/* the last policy line and this one share a column block */
		"      - Type: Pods  Value: 1  Period: 30 seconds\n"
		"Deployment pods:    0 current / 0 desired\n"
		"Events:             <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_pdb_and_priority_class)
{
	struct pod_disruption_budget *pdb =
		(struct pod_disruption_budget *)object_new(&pod_disruption_budget_kind);
	pdb->obj.meta.name = xstrdup("web-pdb");
	pdb->obj.meta.namespace = xstrdup("default");
	pdb->spec.min_available = (struct int_or_string){ .is_set = true, .int_value = 2 };
	selector_of(&pdb->spec.selector, "web");
	pdb->status.disruptions_allowed = 1;
	pdb->status.current_healthy = 3;
	pdb->status.desired_healthy = 2;
	pdb->status.expected_pods = 3;
	const struct object *stored = add(&pdb->obj);
	const char *const wanted_pdb[] = {
		"Name:           web-pdb\n"
		"Namespace:      default\n"
		"Min available:  2\n"
		"Selector:       app=web\n"
		"Status:\n"
		"    Allowed disruptions:  1\n"
		"    Current:              3\n"
		"    Desired:              2\n"
		"    Total:                3\n"
		"Events:                   <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted_pdb);

	struct priority_class *pc = (struct priority_class *)object_new(&priority_class_kind);
	pc->obj.meta.name = xstrdup("critical");
	pc->value = 1000000;
	pc->description = xstrdup("Work that must run now.");
	pc->preemption_policy = xstrdup("PreemptLowerPriority");
	strmap_set(&pc->obj.meta.annotations, "team", "ops");
	stored = add(&pc->obj);
	char *text = describe(stored);
	ck_assert_str_eq(text,
		"Name:              critical\n"
		"Value:             1000000\n"
		"GlobalDefault:     false\n"
		"PreemptionPolicy:  PreemptLowerPriority\n"
		"Description:       Work that must run now.\n"
		"Annotations:       team=ops\n"
		"Events:            <none>\n");
	free(text);
}
END_TEST

/* ---- storage ------------------------------------------------------------- */

START_TEST(test_describe_pvc_pending_then_bound_with_its_user)
{
	struct persistent_volume_claim *pvc =
		(struct persistent_volume_claim *)object_new(&persistent_volume_claim_kind);
	pvc->obj.meta.name = xstrdup("data");
	pvc->obj.meta.namespace = xstrdup("default");
	pvc->spec.storage_class_name = xstrdup("standard");
	push_string(&pvc->spec.access_modes, "ReadWriteOnce");
	struct quantity gi = q("1Gi");
	resource_list_set(&pvc->spec.resources.requests, "storage", &gi);
	pvc->status.phase = xstrdup("Pending");
	push_string(&pvc->obj.meta.finalizers, "kubernetes.io/pvc-protection");
	const struct object *stored = add(&pvc->obj);
	event("persistentvolume-controller", stored, "Normal", "WaitForFirstConsumer",
	      "waiting for first consumer to be created before binding", T0 + KTIME_SECOND);

	struct pod *pod = (struct pod *)object_new(&pod_kind);
	pod->obj.meta.name = xstrdup("app-0");
	pod->obj.meta.namespace = xstrdup("default");
	push_container(&pod->spec.containers, "app", "nginx:1.27");
	pod->spec.volumes.items = xcalloc(1, sizeof(struct volume));
	pod->spec.volumes.len = 1;
	pod->spec.volumes.items[0].name = xstrdup("data");
	pod->spec.volumes.items[0].persistent_volume_claim.claim_name = xstrdup("data");
	add(&pod->obj);

	const char *const pending[] = {
		"Name:          data\n"
		"Namespace:     default\n"
		"StorageClass:  standard\n"
		"Status:        Pending\n"
		"Volume:        \n"
		"Labels:        <none>\n"
		"Annotations:   <none>\n"
		"Finalizers:    [kubernetes.io/pvc-protection]\n"
		"Capacity:      \n"
		"Access Modes:  \n"
		"Used By:       app-0\n"
		"Events:\n",
		"  Normal  WaitForFirstConsumer  4m59s  persistentvolume-controller  "
		"waiting for first consumer to be created before binding\n",
		NULL,
	};
	assert_lines(describe(stored), pending);

	struct api_status status;
	struct persistent_volume_claim *bound =
		(struct persistent_volume_claim *)object_copy(stored);
	bound->spec.volume_name = xstrdup("pv-1");
	ck_assert_int_eq(store_update(store, &bound->obj, &status), API_OK);
	stored = store_get(store, KIND_PERSISTENTVOLUMECLAIM, "default", "data");
	bound = (struct persistent_volume_claim *)object_copy(stored);
	free(bound->status.phase);
	bound->status.phase = xstrdup("Bound");
	push_string(&bound->status.access_modes, "ReadWriteOnce");
	struct quantity two = q("2Gi");
	resource_list_set(&bound->status.capacity, "storage", &two);
	ck_assert_int_eq(store_update_status(store, &bound->obj, &status), API_OK);
	stored = store_get(store, KIND_PERSISTENTVOLUMECLAIM, "default", "data");
	const char *const wanted_bound[] = {
		"Status:        Bound\n"
		"Volume:        pv-1\n",
		"Capacity:      2Gi\n"	/* the volume's, not the 1Gi asked */
		"Access Modes:  RWO\n",
		NULL,
	};
	assert_lines(describe(stored), wanted_bound);
}
END_TEST

START_TEST(test_describe_pv_shows_claim_node_affinity_and_source)
{
	struct persistent_volume *pv =
		(struct persistent_volume *)object_new(&persistent_volume_kind);
	pv->obj.meta.name = xstrdup("pv-1");
	struct quantity gi = q("10Gi");
	resource_list_set(&pv->spec.capacity, "storage", &gi);
	push_string(&pv->spec.access_modes, "ReadWriteMany");
	push_string(&pv->spec.access_modes, "ReadWriteOnce");
	pv->spec.persistent_volume_reclaim_policy = xstrdup("Retain");
	pv->spec.storage_class_name = xstrdup("local");
	pv->spec.claim_ref.namespace = xstrdup("default");
	pv->spec.claim_ref.name = xstrdup("data");
	pv->spec.local.path = xstrdup("/mnt/disks/ssd1");
	struct node_selector *required = &pv->spec.node_affinity.required;
	required->node_selector_terms.items = xcalloc(1, sizeof(struct node_selector_term));
	required->node_selector_terms.len = 1;
	struct node_selector_term *term = &required->node_selector_terms.items[0];
	term->match_expressions.items = xcalloc(1, sizeof(struct selector_requirement_spec));
	term->match_expressions.len = 1;
	term->match_expressions.items[0].key = xstrdup("kubernetes.io/hostname");
	term->match_expressions.items[0].operator = xstrdup("In");
	push_string(&term->match_expressions.items[0].values, "node-1");
	push_string(&term->match_expressions.items[0].values, "node-2");
	pv->status.phase = xstrdup("Bound");
	const struct object *stored = add(&pv->obj);
	const char *const wanted[] = {
		"Finalizers:        []\n"
		"StorageClass:      local\n"
		"Status:            Bound\n"
		"Claim:             default/data\n"
		"Reclaim Policy:    Retain\n"
		"Access Modes:      RWO,RWX\n"
		"Capacity:          10Gi\n"
		"Node Affinity:     \n"
		"  Required Terms:  \n"
		"    Term 0:        kubernetes.io/hostname in [node-1, node-2]\n"
		"Message:           \n"
		"Source:\n"
		"    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n"
		"    Path:  /mnt/disks/ssd1\n"
		"Events:    <none>\n",
		NULL,
	};
	assert_lines(describe(stored), wanted);
}
END_TEST

START_TEST(test_describe_storage_class_says_if_it_is_the_default)
{
	struct storage_class *sc = (struct storage_class *)object_new(&storage_class_kind);
	sc->obj.meta.name = xstrdup("standard");
	strmap_set(&sc->obj.meta.annotations, "storageclass.kubernetes.io/is-default-class", "true");
	sc->provisioner = xstrdup("rancher.io/local-path");
	sc->reclaim_policy = xstrdup("Delete");
	sc->volume_binding_mode = xstrdup("WaitForFirstConsumer");
	const struct object *stored = add(&sc->obj);
	char *text = describe(stored);
	ck_assert_str_eq(text,
		"Name:                  standard\n"
		"IsDefaultClass:        Yes\n"
		"Annotations:           storageclass.kubernetes.io/is-default-class=true\n"
		"Provisioner:           rancher.io/local-path\n"
		"Parameters:            <none>\n"
		"AllowVolumeExpansion:  <unset>\n"
		"MountOptions:          <none>\n"
		"ReclaimPolicy:         Delete\n"
		"VolumeBindingMode:     WaitForFirstConsumer\n"
		"Events:                <none>\n");
	free(text);
}
END_TEST

Suite *print_describe_suite(void);	/* registered in check_main.c */
Suite *print_describe_suite(void)
{
	Suite *s = suite_create("print_describe");
	TCase *tc = tcase_create("print_describe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_describe_stateful_set_shows_partition_and_volume_claims);
	tcase_add_test(tc, test_describe_daemon_set_counts_nodes_on_unaligned_lines);
	tcase_add_test(tc, test_describe_job_shows_duration_and_pod_statuses);
	tcase_add_test(tc, test_describe_cron_job_shows_schedule_and_active_jobs);
	tcase_add_test(tc, test_describe_service_lists_ready_endpoints_of_its_slices);
	tcase_add_test(tc, test_describe_service_without_slices_has_no_endpoints);
	tcase_add_test(tc, test_describe_endpoints_and_endpoint_slice);
	tcase_add_test(tc, test_describe_hpa_shows_metrics_as_current_over_target);
	tcase_add_test(tc, test_describe_hpa_pairs_each_metric_with_its_own_measurement);
	tcase_add_test(tc, test_describe_hpa_before_measuring_and_with_behavior);
	tcase_add_test(tc, test_describe_pdb_and_priority_class);
	tcase_add_test(tc, test_describe_pvc_pending_then_bound_with_its_user);
	tcase_add_test(tc, test_describe_pv_shows_claim_node_affinity_and_source);
	tcase_add_test(tc, test_describe_storage_class_says_if_it_is_the_default);
	suite_add_tcase(s, tc);
	return s;
}
