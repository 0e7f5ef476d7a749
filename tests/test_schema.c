/* test_schema.c - the generic schema operations: copy, equality, release,
 * defaults, scalars as text, field paths, resource lists.
 *
 * Objects are built in C here (not decoded) so that these tests depend on
 * the tables and schema.c only. Run under ASan: a copy or release that
 * leaks or frees twice fails the run.
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

/* ---- helpers ---- */

/* Appends a zeroed element to a LIST_OF(T) and returns it. */
#define LIST_PUSH(list) \
	((__typeof__((list).items))list_push((struct list_any *)&(list), sizeof(*(list).items)))

static void *list_push(struct list_any *list, size_t size)
{
	list->items = xrealloc(list->items, (list->len + 1) * size);
	void *item = (char *)list->items + list->len * size;
	memset(item, 0, size);
	list->len++;
	return item;
}

static struct quantity q(const char *text)
{
	struct quantity out;
	ck_assert_int_eq(quantity_parse(text, &out, NULL), 0);
	return out;
}

static void set_ios(struct int_or_string *v, const char *text)
{
	ck_assert_int_eq(schema_scalar_parse(FIELD_INT_OR_STRING, text, v, NULL), 0);
}

/* A pod with something in every kind of field: strings, integers, bools,
 * quantities, times, maps, resource lists, optional ints, int-or-strings,
 * nested structs and lists of structs and of strings. */
static struct pod *full_pod(void)
{
	struct pod *pod = object_as(object_new(&pod_kind), KIND_POD, struct pod);
	struct object_meta *meta = &pod->obj.meta;
	meta->name = xstrdup("web-0");
	meta->namespace = xstrdup("default");
	meta->uid = xstrdup("uid-1");
	meta->resource_version = 7;
	meta->creation_timestamp = KTIME_SIM_EPOCH;
	strmap_set(&meta->labels, "app", "web");
	strmap_set(&meta->annotations, "note", "x");
	struct owner_reference *owner = LIST_PUSH(meta->owner_references);
	owner->api_version = xstrdup("apps/v1");
	owner->kind = xstrdup("ReplicaSet");
	owner->name = xstrdup("web-abc");
	owner->uid = xstrdup("uid-0");
	owner->controller = true;
	*LIST_PUSH(meta->finalizers) = xstrdup("example.com/keep");

	struct container *c = LIST_PUSH(pod->spec.containers);
	c->name = xstrdup("web");
	c->image = xstrdup("web:v1");
	*LIST_PUSH(c->command) = xstrdup("sh");
	*LIST_PUSH(c->command) = xstrdup("-c");
	struct container_port *port = LIST_PUSH(c->ports);
	port->container_port = 8080;
	struct env_var *env = LIST_PUSH(c->env);
	env->name = xstrdup("MODE");
	env->value = xstrdup("fast");
	struct quantity cpu = q("500m"), mem = q("128Mi");
	resource_list_set(&c->resources.limits, "cpu", &cpu);
	resource_list_set(&c->resources.requests, "memory", &mem);
	set_ios(&c->liveness_probe.http_get.port, "8080");
	c->liveness_probe.http_get.path = xstrdup("/healthz");
	c->lifecycle.pre_stop.sleep_seconds = (struct opt_int64){ true, 5 };

	struct toleration *tol = LIST_PUSH(pod->spec.tolerations);
	tol->key = xstrdup(TAINT_NODE_NOT_READY);
	tol->operator = xstrdup("Exists");
	tol->toleration_seconds = (struct opt_int64){ true, 300 };
	struct node_selector_term *term = LIST_PUSH(
		pod->spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms);
	struct selector_requirement_spec *req = LIST_PUSH(term->match_expressions);
	req->key = xstrdup("zone");
	req->operator = xstrdup("In");
	*LIST_PUSH(req->values) = xstrdup("a");
	strmap_set(&pod->spec.node_selector, "disk", "ssd");
	struct volume *vol = LIST_PUSH(pod->spec.volumes);
	vol->name = xstrdup("data");
	vol->empty_dir.size_limit = q("1Gi");

	pod->status.phase = xstrdup(POD_PHASE_RUNNING);
	pod->status.start_time = KTIME_SIM_EPOCH + 90 * KTIME_SECOND;
	struct condition *ready = LIST_PUSH(pod->status.conditions);
	ready->type = xstrdup("Ready");
	ready->status = xstrdup("True");
	struct container_status *cs = LIST_PUSH(pod->status.container_statuses);
	cs->name = xstrdup("web");
	cs->ready = true;
	cs->state.running.started_at = KTIME_SIM_EPOCH + 91 * KTIME_SECOND;
	return pod;
}

/* The Probe schema, reached through the tables (it is private to api_pod.c). */
static const struct schema *probe_schema(void)
{
	const struct schema *container = schema_field(&pod_spec_schema, "containers")->schema;
	return schema_field(container, "livenessProbe")->schema;
}

/* A one-field schema over a bare resource list, to compare two lists. */
static const struct field resources_field = { .name = "r", .type = FIELD_RESOURCES };
static const struct schema resources_schema = {
	"ResourceList", sizeof(struct resource_list), &resources_field, 1
};

static void unref(struct pod *pod)
{
	object_unref(&pod->obj);
}

/* ---- copy, equal, release ---- */

START_TEST(test_copy_of_a_full_pod_is_equal_and_owns_its_memory)
{
	struct pod *pod = full_pod();
	struct pod *copy = object_as(object_copy(&pod->obj), KIND_POD, struct pod);
	ck_assert(schema_equal(pod_kind.schema, pod, copy));
	/* Deep: no pointer is shared. */
	ck_assert_ptr_ne(copy->spec.containers.items, pod->spec.containers.items);
	ck_assert_ptr_ne(copy->spec.containers.items[0].image, pod->spec.containers.items[0].image);
	ck_assert_ptr_ne(copy->obj.meta.labels.items, pod->obj.meta.labels.items);

	free(copy->spec.containers.items[0].image);
	copy->spec.containers.items[0].image = xstrdup("web:v2");
	ck_assert(!schema_equal(pod_kind.schema, pod, copy));
	ck_assert_str_eq(pod->spec.containers.items[0].image, "web:v1");
	unref(copy);
	unref(pod);
}
END_TEST

START_TEST(test_equal_notices_a_change_deep_inside)
{
	struct pod *pod = full_pod();
	struct pod *copy = object_as(object_copy(&pod->obj), KIND_POD, struct pod);
	copy->spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution
		.node_selector_terms.items[0].match_expressions.items[0].values.items[0][0] = 'b';
	ck_assert(!schema_equal(&pod_spec_schema, &pod->spec, &copy->spec));
	ck_assert(schema_equal(&object_meta_schema, &pod->obj.meta, &copy->obj.meta));
	unref(copy);
	unref(pod);
}
END_TEST

START_TEST(test_release_leaves_every_field_zero)
{
	struct pod *pod = full_pod();
	ck_assert(!schema_value_is_zero(FIELD_STRUCT, &pod_spec_schema, &pod->spec));
	schema_release(&pod_spec_schema, &pod->spec);
	ck_assert(schema_value_is_zero(FIELD_STRUCT, &pod_spec_schema, &pod->spec));
	unref(pod);
}
END_TEST

START_TEST(test_equal_compares_quantities_by_value)
{
	struct resource_list a = { 0 }, b = { 0 };
	struct quantity one = q("1"), thousand_milli = q("1000m");
	resource_list_set(&a, "cpu", &one);
	resource_list_set(&b, "cpu", &thousand_milli);
	ck_assert(schema_equal(&resources_schema,
			       &a, &b));
	struct quantity gi = q("1Gi"), g = q("1G");
	resource_list_set(&b, "cpu", &gi);
	resource_list_set(&a, "cpu", &g);
	ck_assert(!schema_equal(&resources_schema,
				&a, &b));
	free(a.items[0].name);
	free(a.items);
	free(b.items[0].name);
	free(b.items);
}
END_TEST

START_TEST(test_unset_string_differs_from_empty_string)
{
	struct persistent_volume_claim_spec a = { 0 }, b = { 0 };
	b.storage_class_name = xstrdup("");	/* "no class", not "default class" */
	ck_assert(!schema_equal(&persistent_volume_claim_spec_schema, &a, &b));
	ck_assert(!schema_value_is_zero(FIELD_STRING, NULL, &b.storage_class_name));
	schema_release(&persistent_volume_claim_spec_schema, &b);
	ck_assert(schema_equal(&persistent_volume_claim_spec_schema, &a, &b));
}
END_TEST

/* ---- defaults ---- */

static struct deployment *minimal_deployment(const char *image)
{
	struct deployment *d = object_as(object_new(&deployment_kind), KIND_DEPLOYMENT,
					 struct deployment);
	d->obj.meta.name = xstrdup("web");
	strmap_set(&d->spec.selector.match_labels, "app", "web");
	strmap_set(&d->spec.template.metadata.labels, "app", "web");
	struct container *c = LIST_PUSH(d->spec.template.spec.containers);
	c->name = xstrdup("web");
	c->image = xstrdup(image);
	LIST_PUSH(c->ports)->container_port = 80;
	return d;
}

static void apply_defaults(struct object *obj, bool hook_first)
{
	if (hook_first && obj->kind->set_defaults)
		obj->kind->set_defaults(obj);
	schema_apply_defaults(obj->kind->schema, obj);
	if (!hook_first && obj->kind->set_defaults)
		obj->kind->set_defaults(obj);
}

START_TEST(test_minimal_deployment_gets_upstream_defaults)
{
	/* _i is 0 or 1: the hook runs after, or before, the table defaults. */
	struct deployment *d = minimal_deployment("nginx:1.25");
	apply_defaults(&d->obj, _i);

	ck_assert_int_eq(d->spec.replicas, 1);
	ck_assert_int_eq(d->spec.revision_history_limit, 10);
	ck_assert_int_eq(d->spec.progress_deadline_seconds, 600);
	ck_assert_str_eq(d->spec.strategy.type, "RollingUpdate");
	const struct rolling_update_deployment *ru = &d->spec.strategy.rolling_update;
	ck_assert(ru->max_surge.is_set && ru->max_surge.is_string);
	ck_assert_str_eq(ru->max_surge.str_value, "25%");
	ck_assert(ru->max_unavailable.is_set && ru->max_unavailable.is_string);
	ck_assert_str_eq(ru->max_unavailable.str_value, "25%");

	const struct pod_spec *spec = &d->spec.template.spec;
	ck_assert_str_eq(spec->restart_policy, "Always");
	ck_assert_int_eq(spec->termination_grace_period_seconds, 30);
	ck_assert_str_eq(spec->dns_policy, "ClusterFirst");
	ck_assert_str_eq(spec->scheduler_name, "default-scheduler");
	const struct container *c = &spec->containers.items[0];
	ck_assert_str_eq(c->image_pull_policy, "IfNotPresent");
	ck_assert_str_eq(c->termination_message_policy, "File");
	ck_assert_str_eq(c->ports.items[0].protocol, "TCP");
	/* Absent probes stay absent: no periodSeconds on a probe not written. */
	ck_assert(schema_value_is_zero(FIELD_STRUCT, probe_schema(), &c->liveness_probe));
	object_unref(&d->obj);
}
END_TEST

START_TEST(test_image_pull_policy_follows_the_tag)
{
	static const struct { const char *image, *policy; } cases[] = {
		{ "nginx", "Always" },
		{ "nginx:latest", "Always" },
		{ "nginx:1.25", "IfNotPresent" },
		{ "registry:5000/team/web", "Always" },
		{ "registry:5000/team/web:v2", "IfNotPresent" },
		{ "web@sha256:0123abcd", "IfNotPresent" },
		{ "web:latest@sha256:0123abcd", "Always" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct deployment *d = minimal_deployment(cases[i].image);
		apply_defaults(&d->obj, false);
		ck_assert_msg(!strcmp(d->spec.template.spec.containers.items[0].image_pull_policy,
				      cases[i].policy), "image %s", cases[i].image);
		object_unref(&d->obj);
	}
}
END_TEST

START_TEST(test_recreate_deployment_gets_no_rolling_update_block)
{
	struct deployment *d = minimal_deployment("web:v1");
	d->spec.strategy.type = xstrdup("Recreate");
	apply_defaults(&d->obj, false);
	ck_assert(!d->spec.strategy.rolling_update.max_surge.is_set);
	ck_assert(!d->spec.strategy.rolling_update.max_unavailable.is_set);
	object_unref(&d->obj);
}
END_TEST

START_TEST(test_partial_rolling_update_keeps_what_was_written)
{
	struct deployment *d = minimal_deployment("web:v1");
	set_ios(&d->spec.strategy.rolling_update.max_surge, "1");
	apply_defaults(&d->obj, _i);
	const struct rolling_update_deployment *ru = &d->spec.strategy.rolling_update;
	ck_assert(!ru->max_surge.is_string);
	ck_assert_int_eq(ru->max_surge.int_value, 1);
	ck_assert_str_eq(ru->max_unavailable.str_value, "25%");
	object_unref(&d->obj);
}
END_TEST

START_TEST(test_daemon_set_rolls_one_node_at_a_time_without_surge)
{
	struct daemon_set *ds = object_as(object_new(&daemon_set_kind), KIND_DAEMONSET,
					  struct daemon_set);
	apply_defaults(&ds->obj, _i);
	ck_assert_str_eq(ds->spec.update_strategy.type, "RollingUpdate");
	const struct rolling_update_daemon_set *ru = &ds->spec.update_strategy.rolling_update;
	ck_assert(ru->max_unavailable.is_set && !ru->max_unavailable.is_string);
	ck_assert_int_eq(ru->max_unavailable.int_value, 1);
	ck_assert(ru->max_surge.is_set && !ru->max_surge.is_string);
	ck_assert_int_eq(ru->max_surge.int_value, 0);
	ck_assert_int_eq(ds->spec.revision_history_limit, 10);
	object_unref(&ds->obj);
}
END_TEST

START_TEST(test_probe_defaults_apply_only_to_written_probes)
{
	struct pod *pod = full_pod();
	apply_defaults(&pod->obj, false);
	const struct container *c = &pod->spec.containers.items[0];
	ck_assert_int_eq(c->liveness_probe.period_seconds, 10);
	ck_assert_int_eq(c->liveness_probe.timeout_seconds, 1);
	ck_assert_int_eq(c->liveness_probe.success_threshold, 1);
	ck_assert_int_eq(c->liveness_probe.failure_threshold, 3);
	ck_assert_str_eq(c->liveness_probe.http_get.path, "/healthz");
	ck_assert_str_eq(c->liveness_probe.http_get.scheme, "HTTP");
	ck_assert(schema_value_is_zero(FIELD_STRUCT, probe_schema(), &c->readiness_probe));
	ck_assert_ptr_null(c->readiness_probe.http_get.path);
	ck_assert_ptr_null(c->lifecycle.pre_stop.http_get.path);
	unref(pod);
}
END_TEST

START_TEST(test_pod_requests_default_to_limits_but_templates_do_not)
{
	struct pod *pod = full_pod();
	apply_defaults(&pod->obj, false);
	const struct resource_requirements *r = &pod->spec.containers.items[0].resources;
	const struct quantity *cpu = resource_list_get(&r->requests, "cpu");
	ck_assert_ptr_nonnull(cpu);
	struct quantity half = q("500m");
	ck_assert_int_eq(quantity_cmp(cpu, &half), 0);
	ck_assert_ptr_nonnull(resource_list_get(&r->requests, "memory"));
	unref(pod);

	struct deployment *d = minimal_deployment("web:v1");
	struct container *c = &d->spec.template.spec.containers.items[0];
	resource_list_set(&c->resources.limits, "cpu", &half);
	apply_defaults(&d->obj, false);
	ck_assert_ptr_null(resource_list_get(&c->resources.requests, "cpu"));
	object_unref(&d->obj);
}
END_TEST

START_TEST(test_resource_amounts_round_up_to_millis)
{
	struct pod *pod = full_pod();
	struct quantity tiny = q("100u");
	resource_list_set(&pod->spec.containers.items[0].resources.requests, "cpu", &tiny);
	apply_defaults(&pod->obj, false);
	char buf[QUANTITY_STR_MAX];
	quantity_format(resource_list_get(&pod->spec.containers.items[0].resources.requests, "cpu"),
			buf, sizeof(buf));
	ck_assert_str_eq(buf, "1m");
	unref(pod);
}
END_TEST

START_TEST(test_job_defaults_depend_on_what_is_set)
{
	struct job *job = object_as(object_new(&job_kind), KIND_JOB, struct job);
	strmap_set(&job->spec.template.metadata.labels, "app", "batch");
	apply_defaults(&job->obj, false);
	ck_assert(job->spec.completions.is_set && job->spec.completions.value == 1);
	ck_assert(job->spec.parallelism.is_set && job->spec.parallelism.value == 1);
	ck_assert(job->spec.backoff_limit.is_set && job->spec.backoff_limit.value == 6);
	ck_assert_str_eq(job->spec.completion_mode, "NonIndexed");
	ck_assert_str_eq(strmap_get(&job->obj.meta.labels, "app"), "batch");
	object_unref(&job->obj);

	/* A work queue: parallelism without completions stays open-ended. */
	job = object_as(object_new(&job_kind), KIND_JOB, struct job);
	job->spec.parallelism = (struct opt_int64){ true, 3 };
	job->spec.backoff_limit_per_index = (struct opt_int64){ true, 1 };
	apply_defaults(&job->obj, false);
	ck_assert(!job->spec.completions.is_set);
	ck_assert_int_eq(job->spec.parallelism.value, 3);
	ck_assert_int_eq(job->spec.backoff_limit.value, INT32_MAX);
	object_unref(&job->obj);
}
END_TEST

START_TEST(test_cron_job_template_is_not_defaulted_as_a_job)
{
	struct cron_job *cj = object_as(object_new(&cron_job_kind), KIND_CRONJOB,
					struct cron_job);
	apply_defaults(&cj->obj, false);
	ck_assert_str_eq(cj->spec.concurrency_policy, "Allow");
	ck_assert_int_eq(cj->spec.successful_jobs_history_limit, 3);
	ck_assert_int_eq(cj->spec.failed_jobs_history_limit, 1);
	ck_assert(!cj->spec.job_template.spec.backoff_limit.is_set);
	ck_assert_str_eq(cj->spec.job_template.spec.template.spec.restart_policy, "Always");
	object_unref(&cj->obj);
}
END_TEST

START_TEST(test_service_target_port_defaults_to_port)
{
	struct service *svc = object_as(object_new(&service_kind), KIND_SERVICE, struct service);
	LIST_PUSH(svc->spec.ports)->port = 80;
	struct service_port *named = LIST_PUSH(svc->spec.ports);
	named->port = 443;
	set_ios(&named->target_port, "https");
	apply_defaults(&svc->obj, _i);
	ck_assert_str_eq(svc->spec.type, "ClusterIP");
	ck_assert_str_eq(svc->spec.session_affinity, "None");
	ck_assert_str_eq(svc->spec.internal_traffic_policy, "Cluster");
	ck_assert_ptr_null(svc->spec.external_traffic_policy);
	ck_assert_str_eq(svc->spec.ports.items[0].protocol, "TCP");
	ck_assert_int_eq(svc->spec.ports.items[0].target_port.int_value, 80);
	ck_assert(!svc->spec.ports.items[0].target_port.is_string);
	ck_assert_str_eq(svc->spec.ports.items[1].target_port.str_value, "https");
	object_unref(&svc->obj);
}
END_TEST

START_TEST(test_storage_and_scheduling_defaults)
{
	struct persistent_volume *pv = object_as(object_new(&persistent_volume_kind),
						 KIND_PERSISTENTVOLUME, struct persistent_volume);
	apply_defaults(&pv->obj, false);
	ck_assert_str_eq(pv->spec.persistent_volume_reclaim_policy, "Retain");
	ck_assert_str_eq(pv->spec.volume_mode, "Filesystem");
	ck_assert_str_eq(pv->status.phase, "Pending");
	ck_assert_ptr_null(pv->spec.host_path.type);	/* no hostPath, no type */
	object_unref(&pv->obj);

	struct storage_class *sc = object_as(object_new(&storage_class_kind), KIND_STORAGECLASS,
					     struct storage_class);
	apply_defaults(&sc->obj, false);
	ck_assert_str_eq(sc->reclaim_policy, "Delete");
	ck_assert_str_eq(sc->volume_binding_mode, "Immediate");
	object_unref(&sc->obj);

	struct priority_class *pc = object_as(object_new(&priority_class_kind),
					      KIND_PRIORITYCLASS, struct priority_class);
	apply_defaults(&pc->obj, false);
	ck_assert_str_eq(pc->preemption_policy, "PreemptLowerPriority");
	object_unref(&pc->obj);

	struct stateful_set *sts = object_as(object_new(&stateful_set_kind), KIND_STATEFULSET,
					     struct stateful_set);
	apply_defaults(&sts->obj, false);
	ck_assert_str_eq(sts->spec.pod_management_policy, "OrderedReady");
	ck_assert_str_eq(sts->spec.update_strategy.type, "RollingUpdate");
	ck_assert_str_eq(sts->spec.persistent_volume_claim_retention_policy.when_deleted, "Retain");
	ck_assert_int_eq(sts->spec.replicas, 1);
	object_unref(&sts->obj);
}
END_TEST

START_TEST(test_node_allocatable_defaults_to_capacity)
{
	struct node *node = object_as(object_new(&node_kind), KIND_NODE, struct node);
	struct quantity cpu = q("4"), pods = q("110");
	resource_list_set(&node->status.capacity, "pods", &pods);
	resource_list_set(&node->status.capacity, "cpu", &cpu);
	apply_defaults(&node->obj, false);
	ck_assert(schema_equal(&resources_schema,
			       &node->status.capacity, &node->status.allocatable));
	object_unref(&node->obj);
}
END_TEST

/* ---- scalars as text ---- */

START_TEST(test_time_round_trips_as_rfc3339)
{
	char buf[64];
	ktime_t t = KTIME_SIM_EPOCH + 90 * KTIME_SECOND;
	schema_format_time(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-01-01T00:01:30Z");
	ktime_t back = 0;
	ck_assert_int_eq(schema_scalar_parse(FIELD_TIME, buf, &back, NULL), 0);
	ck_assert_int_eq(back, t);

	/* Fractions are kept on input, dropped (rounded down) on output. */
	ck_assert_int_eq(schema_scalar_parse(FIELD_TIME, "2026-01-01T00:01:30.25Z", &back, NULL), 0);
	ck_assert_int_eq(back, t + 250 * KTIME_MS);
	schema_format_time(back, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-01-01T00:01:30Z");
	ck_assert_int_eq(schema_scalar_parse(FIELD_TIME, "2026-01-01T02:01:30+02:00", &back, NULL), 0);
	ck_assert_int_eq(back, t);
	ck_assert_int_eq(schema_scalar_parse(FIELD_TIME, "2024-02-29T12:00:00Z", &back, NULL), 0);
	schema_format_time(back, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2024-02-29T12:00:00Z");
	schema_format_time(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
}
END_TEST

START_TEST(test_time_parse_rejects_impossible_dates)
{
	static const char *const bad[] = {
		"2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01 00:00:00Z",
		"2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-1-01T00:00:00Z",
		"2026-01-01T00:00:00.Z", "9999-01-01T00:00:00Z", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ktime_t t = 42;
		const char *why = NULL;
		ck_assert_msg(schema_scalar_parse(FIELD_TIME, bad[i], &t, &why) == -1, "%s", bad[i]);
		ck_assert_int_eq(t, 42);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_scalar_parse_says_what_it_expected)
{
	int32_t i32 = 5;
	const char *why = NULL;
	ck_assert_int_eq(schema_scalar_parse(FIELD_INT32, "x", &i32, &why), -1);
	ck_assert_str_eq(why, "expected an integer");
	ck_assert_int_eq(schema_scalar_parse(FIELD_INT32, "2147483648", &i32, &why), -1);
	ck_assert_str_eq(why, "integer out of range (32-bit)");
	ck_assert_int_eq(i32, 5);
	ck_assert_int_eq(schema_scalar_parse(FIELD_INT32, "-2147483648", &i32, NULL), 0);
	ck_assert_int_eq(i32, INT32_MIN);

	bool flag = false;
	ck_assert_int_eq(schema_scalar_parse(FIELD_BOOL, "yes", &flag, &why), -1);
	ck_assert_str_eq(why, "expected true or false");
	ck_assert_int_eq(schema_scalar_parse(FIELD_BOOL, "true", &flag, NULL), 0);
	ck_assert(flag);

	struct opt_int64 opt = { 0 };
	ck_assert_int_eq(schema_scalar_parse(FIELD_OPT_INT64, "0", &opt, NULL), 0);
	ck_assert(opt.is_set && opt.value == 0);

	double d = 0;
	ck_assert_int_eq(schema_scalar_parse(FIELD_DOUBLE, "0.1", &d, NULL), 0);
	char *text = schema_scalar_format(FIELD_DOUBLE, &d);
	ck_assert_str_eq(text, "0.1");
	free(text);
}
END_TEST

START_TEST(test_int_or_string_reads_digits_as_an_integer)
{
	struct int_or_string v = { 0 };
	set_ios(&v, "25%");
	ck_assert(v.is_set && v.is_string);
	ck_assert_str_eq(v.str_value, "25%");
	set_ios(&v, "3");	/* replaces, and frees, the string */
	ck_assert(v.is_set && !v.is_string);
	ck_assert_int_eq(v.int_value, 3);
	ck_assert_ptr_null(v.str_value);
	char *text = schema_scalar_format(FIELD_INT_OR_STRING, &v);
	ck_assert_str_eq(text, "3");
	free(text);
	set_ios(&v, "http");
	ck_assert_str_eq(v.str_value, "http");
	free(v.str_value);
}
END_TEST

START_TEST(test_unset_values_format_as_empty_text)
{
	static const enum field_type types[] = {
		FIELD_STRING, FIELD_TIME, FIELD_INT_OR_STRING, FIELD_OPT_INT64
	};
	_Alignas(max_align_t) char zero[64] = { 0 };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char *text = schema_scalar_format(types[i], zero);
		ck_assert_str_eq(text, "");
		free(text);
	}
	struct quantity gib = q("1Gi");
	char *text = schema_scalar_format(FIELD_QUANTITY, &gib);
	ck_assert_str_eq(text, "1Gi");
	free(text);
	ktime_t d = 90 * KTIME_SECOND;
	text = schema_scalar_format(FIELD_DURATION, &d);
	ck_assert_str_eq(text, "1m30s");
	free(text);
}
END_TEST

/* ---- field paths ---- */

/* Resolves path on obj and returns its value as text; caller frees. */
static char *get(struct object *obj, const char *path)
{
	struct field_ref ref;
	struct err *err = NULL;
	ck_assert_msg(schema_resolve(obj->kind->schema, obj, path, &ref, &err) == 0,
		      "%s: %s", path, err ? err->msg : "");
	char *text = field_ref_format(&ref);
	field_ref_release(&ref);
	return text;
}

static void set(struct object *obj, const char *path, const char *text)
{
	struct field_ref ref;
	ck_assert_int_eq(schema_resolve(obj->kind->schema, obj, path, &ref, NULL), 0);
	ck_assert_int_eq(field_ref_set(&ref, text, NULL), 0);
	field_ref_release(&ref);
}

#define ck_assert_get(obj, path, expected) do { \
	char *got_ = get((obj), (path)); \
	ck_assert_str_eq(got_, (expected)); \
	free(got_); \
} while (0)

/* The message schema_resolve gives for path, or "" when it resolves. */
static char *resolve_error(struct object *obj, const char *path)
{
	struct field_ref ref;
	struct err *err = NULL;
	if (schema_resolve(obj->kind->schema, obj, path, &ref, &err) == 0) {
		field_ref_release(&ref);
		return xstrdup("");
	}
	char *msg = xstrdup(err->msg);
	err_free(err);
	return msg;
}

#define ck_assert_path_error(obj, path, expected) do { \
	char *msg_ = resolve_error((obj), (path)); \
	ck_assert_str_eq(msg_, (expected)); \
	free(msg_); \
} while (0)

START_TEST(test_path_reads_and_writes_a_container_image)
{
	struct pod *pod = full_pod();
	ck_assert_get(&pod->obj, "spec.containers[0].image", "web:v1");
	ck_assert_get(&pod->obj, ".spec.containers[0].image", "web:v1");
	set(&pod->obj, "spec.containers[0].image", "web:v2");
	ck_assert_str_eq(pod->spec.containers.items[0].image, "web:v2");
	ck_assert_get(&pod->obj, "spec.containers[0].ports[0].containerPort", "8080");
	ck_assert_get(&pod->obj, "spec.containers[0].command[1]", "-c");
	ck_assert_get(&pod->obj, "spec.containers[0].command", "[\"sh\",\"-c\"]");
	ck_assert_get(&pod->obj, "status.startTime", "2026-01-01T00:01:30Z");
	ck_assert_get(&pod->obj, "spec.tolerations[0].tolerationSeconds", "300");
	ck_assert_get(&pod->obj, "spec.containers[0].lifecycle.preStop.sleep.seconds", "5");
	ck_assert_get(&pod->obj, "spec.containers[0].resources",
		      "{\"limits\":{\"cpu\":\"500m\"},\"requests\":{\"memory\":\"128Mi\"}}");
	unref(pod);
}
END_TEST

START_TEST(test_path_reads_and_writes_labels)
{
	struct pod *pod = full_pod();
	ck_assert_get(&pod->obj, "metadata.labels.app", "web");
	ck_assert_get(&pod->obj, "metadata.labels.missing", "");
	set(&pod->obj, "metadata.labels[app.kubernetes.io/name]", "shop");
	ck_assert_str_eq(strmap_get(&pod->obj.meta.labels, "app.kubernetes.io/name"), "shop");
	/* A map is the last step, so the rest of a dotted path is the key. */
	ck_assert_get(&pod->obj, "metadata.labels.app.kubernetes.io/name", "shop");
	set(&pod->obj, "metadata.labels.app", "api");
	ck_assert_get(&pod->obj, "metadata.labels",
		      "{\"app\":\"api\",\"app.kubernetes.io/name\":\"shop\"}");
	unref(pod);
}
END_TEST

START_TEST(test_path_reads_and_writes_node_allocatable)
{
	struct node *node = object_as(object_new(&node_kind), KIND_NODE, struct node);
	struct quantity cpu = q("4");
	resource_list_set(&node->status.allocatable, "cpu", &cpu);
	ck_assert_get(&node->obj, "status.allocatable.cpu", "4");
	ck_assert_get(&node->obj, "status.allocatable.memory", "");
	set(&node->obj, "status.allocatable.memory", "8Gi");
	set(&node->obj, "status.allocatable.cpu", "3500m");
	ck_assert_get(&node->obj, "status.allocatable", "{\"cpu\":\"3500m\",\"memory\":\"8Gi\"}");

	struct field_ref ref;
	struct err *err = NULL;
	ck_assert_int_eq(schema_resolve(node->obj.kind->schema, &node->obj,
					"status.allocatable.cpu", &ref, NULL), 0);
	ck_assert_int_eq(field_ref_set(&ref, "4 cores", &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "invalid quantity '4 cores'"));
	err_free(err);
	field_ref_release(&ref);
	object_unref(&node->obj);
}
END_TEST

START_TEST(test_bad_paths_name_the_first_bad_step)
{
	struct pod *pod = full_pod();
	ck_assert_path_error(&pod->obj, "spec.contaners[0].image", "no field 'contaners' in PodSpec");
	ck_assert_path_error(&pod->obj, "spec.containers[3].image",
			     "index 3 out of range: containers has 1");
	ck_assert_path_error(&pod->obj, "spec.containers.image",
			     "cannot select 'image': 'containers' is a list (use containers[N])");
	ck_assert_path_error(&pod->obj, "spec.containers[0].image.tag",
			     "cannot select 'tag': 'image' is a string");
	ck_assert_path_error(&pod->obj, "spec.restartPolicy[0]",
			     "cannot index 'restartPolicy': it is a string, not a list");
	ck_assert_path_error(&pod->obj, "spec.containers[x]",
			     "bad index '[x]' in 'spec.containers[x]': expected a number");
	ck_assert_path_error(&pod->obj, "spec.containers[-1]",
			     "bad index '[-1]' in 'spec.containers[-1]': expected a number");
	ck_assert_path_error(&pod->obj, "spec.containers[0",
			     "missing ']' in 'spec.containers[0'");
	ck_assert_path_error(&pod->obj, "spec..nodeName", "empty field name in 'spec..nodeName'");
	ck_assert_path_error(&pod->obj, "", "empty field path");
	ck_assert_path_error(&pod->obj, "Spec", "no field 'Spec' in Pod");
	unref(pod);
}
END_TEST

START_TEST(test_set_refuses_text_of_the_wrong_type)
{
	struct pod *pod = full_pod();
	struct field_ref ref;
	struct err *err = NULL;
	ck_assert_int_eq(schema_resolve(pod_kind.schema, pod, "spec.containers[0].ports[0].containerPort",
					&ref, NULL), 0);
	ck_assert_int_eq(field_ref_set(&ref, "x", &err), -1);
	ck_assert_str_eq(err->msg, "expected an integer, got 'x'");
	ck_assert_int_eq(pod->spec.containers.items[0].ports.items[0].container_port, 8080);
	err_free(err);
	err = NULL;
	field_ref_release(&ref);

	ck_assert_int_eq(schema_resolve(pod_kind.schema, pod, "spec.containers[0]", &ref, NULL), 0);
	ck_assert_int_eq(field_ref_set(&ref, "web", &err), -1);
	ck_assert_str_eq(err->msg, "cannot set an object from text; set one of its fields");
	err_free(err);
	field_ref_release(&ref);
	unref(pod);
}
END_TEST

/* ---- resource lists ---- */

START_TEST(test_resource_list_stays_sorted_by_name)
{
	struct resource_list list = { 0 };
	static const char *const names[] = { "pods", "cpu", "memory", "ephemeral-storage" };
	for (size_t i = 0; i < 4; i++) {
		struct quantity one = q("1");
		resource_list_set(&list, names[i], &one);
	}
	struct quantity two = q("2");
	resource_list_set(&list, "memory", &two);	/* replaces, no duplicate */
	ck_assert_uint_eq(list.len, 4);
	ck_assert_str_eq(list.items[0].name, "cpu");
	ck_assert_str_eq(list.items[1].name, "ephemeral-storage");
	ck_assert_str_eq(list.items[2].name, "memory");
	ck_assert_str_eq(list.items[3].name, "pods");
	ck_assert_int_eq(quantity_cmp(resource_list_get(&list, "memory"), &two), 0);
	ck_assert_ptr_null(resource_list_get(&list, "gpu"));
	for (size_t i = 0; i < list.len; i++)
		free(list.items[i].name);
	free(list.items);
}
END_TEST

Suite *schema_suite(void);	/* registered in check_main.c */
Suite *schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("values");
	tcase_add_test(tc, test_copy_of_a_full_pod_is_equal_and_owns_its_memory);
	tcase_add_test(tc, test_equal_notices_a_change_deep_inside);
	tcase_add_test(tc, test_release_leaves_every_field_zero);
	tcase_add_test(tc, test_equal_compares_quantities_by_value);
	tcase_add_test(tc, test_unset_string_differs_from_empty_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("defaults");
	tcase_add_loop_test(tc, test_minimal_deployment_gets_upstream_defaults, 0, 2);
	tcase_add_test(tc, test_image_pull_policy_follows_the_tag);
	tcase_add_test(tc, test_recreate_deployment_gets_no_rolling_update_block);
	tcase_add_loop_test(tc, test_partial_rolling_update_keeps_what_was_written, 0, 2);
	tcase_add_loop_test(tc, test_daemon_set_rolls_one_node_at_a_time_without_surge, 0, 2);
	tcase_add_test(tc, test_probe_defaults_apply_only_to_written_probes);
	tcase_add_test(tc, test_pod_requests_default_to_limits_but_templates_do_not);
	tcase_add_test(tc, test_resource_amounts_round_up_to_millis);
	tcase_add_test(tc, test_job_defaults_depend_on_what_is_set);
	tcase_add_test(tc, test_cron_job_template_is_not_defaulted_as_a_job);
	tcase_add_loop_test(tc, test_service_target_port_defaults_to_port, 0, 2);
	tcase_add_test(tc, test_storage_and_scheduling_defaults);
	tcase_add_test(tc, test_node_allocatable_defaults_to_capacity);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_time_round_trips_as_rfc3339);
	tcase_add_test(tc, test_time_parse_rejects_impossible_dates);
	tcase_add_test(tc, test_scalar_parse_says_what_it_expected);
	tcase_add_test(tc, test_int_or_string_reads_digits_as_an_integer);
	tcase_add_test(tc, test_unset_values_format_as_empty_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, test_path_reads_and_writes_a_container_image);
	tcase_add_test(tc, test_path_reads_and_writes_labels);
	tcase_add_test(tc, test_path_reads_and_writes_node_allocatable);
	tcase_add_test(tc, test_bad_paths_name_the_first_bad_step);
	tcase_add_test(tc, test_set_refuses_text_of_the_wrong_type);
	tcase_add_test(tc, test_resource_list_stays_sorted_by_name);
	suite_add_tcase(s, tc);
	return s;
}
