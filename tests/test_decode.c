/* test_decode.c - strict manifest decoding: types as the YAML-to-JSON
 * conversion reads them, every problem reported at its line:column,
 * defaults applied only to what a manifest left out, and whole objects of
 * the real kinds (Pod, Deployment, Namespace). */
#include "decode.h"

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

Suite *decode_suite(void);

/* ---- a small schema of our own, exercising every field type ---- */

struct knob {
	char *name;
	int32_t port;
	char *protocol;
};

struct dial {
	int32_t period;
};

struct widget {
	char *name;
	char *image;
	char *policy;
	int32_t replicas;
	int64_t big;
	bool enabled;
	double ratio;
	struct quantity size;
	ktime_t since;
	ktime_t period;
	struct int_or_string surge;
	struct opt_int64 deadline;
	struct strmap labels;
	struct resource_list requests;
	LIST_OF(char *) args;
	LIST_OF(struct knob) ports;
	struct dial dial;
	struct dial probe;
	char *uid;
};

static const struct field knob_fields[] = {
	{ .name = "name", .type = FIELD_STRING, .offset = offsetof(struct knob, name) },
	{ .name = "port", .type = FIELD_INT32, .offset = offsetof(struct knob, port),
	  .flags = FIELD_REQUIRED },
	{ .name = "protocol", .type = FIELD_STRING, .offset = offsetof(struct knob, protocol),
	  .dflt = "TCP" },
};
static const struct schema knob_schema = { "Knob", sizeof(struct knob), FIELDS(knob_fields) };

static const struct field dial_fields[] = {
	{ .name = "period", .type = FIELD_INT32, .offset = offsetof(struct dial, period),
	  .dflt = "10" },
};
static const struct schema dial_schema = { "Dial", sizeof(struct dial), FIELDS(dial_fields) };

static const char *const policies[] = { "Always", "OnFailure", "Never", NULL };

#define W(field) .offset = offsetof(struct widget, field)
static const struct field widget_fields[] = {
	{ .name = "name", .type = FIELD_STRING, W(name), .flags = FIELD_REQUIRED },
	{ .name = "image", .type = FIELD_STRING, W(image) },
	{ .name = "policy", .type = FIELD_STRING, W(policy), .dflt = "Always",
	  .allowed = policies },
	{ .name = "replicas", .type = FIELD_INT32, W(replicas), .dflt = "1" },
	{ .name = "big", .type = FIELD_INT64, W(big) },
	{ .name = "enabled", .type = FIELD_BOOL, W(enabled) },
	{ .name = "ratio", .type = FIELD_DOUBLE, W(ratio) },
	{ .name = "size", .type = FIELD_QUANTITY, W(size) },
	{ .name = "since", .type = FIELD_TIME, W(since) },
	{ .name = "period", .type = FIELD_DURATION, W(period) },
	{ .name = "surge", .type = FIELD_INT_OR_STRING, W(surge) },
	{ .name = "deadline", .type = FIELD_OPT_INT64, W(deadline) },
	{ .name = "labels", .type = FIELD_STRMAP, W(labels) },
	{ .name = "requests", .type = FIELD_RESOURCES, W(requests) },
	{ .name = "args", .type = FIELD_LIST, W(args), .elem = FIELD_STRING },
	{ .name = "ports", .type = FIELD_LIST, W(ports), .elem = FIELD_STRUCT,
	  .schema = &knob_schema },
	{ .name = "dial", .type = FIELD_STRUCT, W(dial), .schema = &dial_schema },
	{ .name = "probe", .type = FIELD_STRUCT, W(probe), .schema = &dial_schema,
	  .flags = FIELD_OPTIONAL },
	{ .name = "uid", .type = FIELD_STRING, W(uid), .flags = FIELD_READ_ONLY },
};
#undef W
static const struct schema widget_schema = {
	"Widget", sizeof(struct widget), FIELDS(widget_fields)
};

/* ---- fixtures ---- */

static struct diag_list diags;
static struct yfile *file;
static struct widget widget;

static void setup(void)
{
	memset(&diags, 0, sizeof(diags));
	memset(&widget, 0, sizeof(widget));
	file = NULL;
}

static void teardown(void)
{
	schema_release(&widget_schema, &widget);
	yfile_free(file);
	diag_release(&diags);
}

/* Parses text as the one document of test.yaml (replacing the last one). */
static const struct ynode *parse(const char *text)
{
	yfile_free(file);
	file = yfile_load_string("test.yaml", text, strlen(text), &diags);
	if (!file)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 1);
	return file->docs[0].root;
}

/* Decodes text as a widget; returns the number of diagnostics. */
static int decode_widget(const char *text)
{
	return decode_struct("test.yaml", parse(text), &widget_schema, &widget,
			     "", &diags);
}

static struct object *decode_text(const char *text)
{
	return decode_object("test.yaml", parse(text), &diags);
}

static void assert_diag(size_t i, int line, int column, const char *msg)
{
	if (diags.len <= i)
		diag_print(&diags, stderr);
	ck_assert_uint_gt(diags.len, i);
	ck_assert_str_eq(diags.items[i].file, "test.yaml");
	ck_assert_str_eq(diags.items[i].msg, msg);
	ck_assert_int_eq(diags.items[i].line, line);
	ck_assert_int_eq(diags.items[i].column, column);
}

/* Exactly one diagnostic, this one. */
static void assert_only_diag(int line, int column, const char *msg)
{
	if (diags.len != 1)
		diag_print(&diags, stderr);
	assert_diag(0, line, column, msg);
	ck_assert_uint_eq(diags.len, 1);
}

static void assert_no_diags(void)
{
	if (diags.len)
		diag_print(&diags, stderr);
	ck_assert_uint_eq(diags.len, 0);
}

static char *quantity_text(const struct quantity *q)
{
	return schema_scalar_format(FIELD_QUANTITY, q);
}

static void assert_quantity(const struct quantity *q, const char *want)
{
	ck_assert_ptr_nonnull(q);
	char *text = quantity_text(q);
	ck_assert_str_eq(text, want);
	free(text);
}

/* ---- decode_struct: types ---- */

START_TEST(test_every_field_type_decodes_as_kubectl_reads_the_yaml)
{
	ck_assert_int_eq(decode_widget(
		"name: w\n"
		"image: nginx:1.25\n"
		"policy: Never\n"
		"replicas: 0x10\n"
		"big: 9007199254740993\n"
		"enabled: yes\n"
		"ratio: 0.25\n"
		"size: 1.5Gi\n"
		"since: \"2026-01-01T00:01:30Z\"\n"
		"period: 1m30s\n"
		"surge: 25%\n"
		"deadline: 0\n"
		"labels: {app: web, tier: \"\", empty: null}\n"
		"requests: {cpu: 0.5, memory: 1Gi, pods: 2}\n"
		"args: [a, \"b\"]\n"
		"ports:\n"
		"  - name: http\n"
		"    port: 8080\n"
		"  - port: 9090\n"
		"    protocol: UDP\n"
		"dial: {period: 3}\n"), 0);
	assert_no_diags();
	ck_assert_str_eq(widget.name, "w");
	ck_assert_str_eq(widget.image, "nginx:1.25");
	ck_assert_str_eq(widget.policy, "Never");
	ck_assert_int_eq(widget.replicas, 16);		/* hex, as YAML 1.1 */
	ck_assert(widget.big == 9007199254740993LL);	/* no double on the way */
	ck_assert(widget.enabled);			/* `yes` is a boolean */
	ck_assert(widget.ratio == 0.25);
	assert_quantity(&widget.size, "1536Mi");
	ck_assert(widget.since == KTIME_SIM_EPOCH + 90 * KTIME_SECOND);
	ck_assert(widget.period == 90 * KTIME_SECOND);
	ck_assert(widget.surge.is_set && widget.surge.is_string);
	ck_assert_str_eq(widget.surge.str_value, "25%");
	ck_assert(widget.deadline.is_set);		/* 0 is a value, not absence */
	ck_assert(widget.deadline.value == 0);
	ck_assert_str_eq(strmap_get(&widget.labels, "app"), "web");
	ck_assert_str_eq(strmap_get(&widget.labels, "tier"), "");
	ck_assert_str_eq(strmap_get(&widget.labels, "empty"), "");
	assert_quantity(resource_list_get(&widget.requests, "cpu"), "500m");
	assert_quantity(resource_list_get(&widget.requests, "memory"), "1Gi");
	assert_quantity(resource_list_get(&widget.requests, "pods"), "2");
	ck_assert_uint_eq(widget.args.len, 2);
	ck_assert_str_eq(widget.args.items[1], "b");
	ck_assert_uint_eq(widget.ports.len, 2);
	ck_assert_str_eq(widget.ports.items[0].name, "http");
	ck_assert_int_eq(widget.ports.items[0].port, 8080);
	ck_assert_str_eq(widget.ports.items[0].protocol, "TCP");	/* default */
	ck_assert_ptr_null(widget.ports.items[1].name);
	ck_assert_str_eq(widget.ports.items[1].protocol, "UDP");
	ck_assert_int_eq(widget.dial.period, 3);
}
END_TEST

START_TEST(test_defaults_fill_only_what_the_manifest_left_out)
{
	ck_assert_int_eq(decode_widget("name: w\nreplicas: 0\npolicy: \"\"\n"), 0);
	ck_assert_int_eq(widget.replicas, 0);		/* written: stays 0 */
	ck_assert_str_eq(widget.policy, "Always");	/* "" counts as unset */
	ck_assert_int_eq(widget.dial.period, 10);	/* absent struct: defaulted */
	ck_assert_int_eq(widget.probe.period, 0);	/* optional: left absent */
	schema_release(&widget_schema, &widget);
	memset(&widget, 0, sizeof(widget));

	ck_assert_int_eq(decode_widget("name: w\nprobe: {}\n"), 0);
	ck_assert_int_eq(widget.replicas, 1);
	ck_assert_int_eq(widget.probe.period, 10);	/* written, so defaulted */
}
END_TEST

START_TEST(test_null_means_absent_for_every_field)
{
	ck_assert_int_eq(decode_widget(
		"name: w\nimage: null\nargs: ~\nreplicas:\ndial: null\n"
		"ports: [null]\n"), 0);
	ck_assert_ptr_null(widget.image);
	ck_assert_uint_eq(widget.args.len, 0);
	ck_assert_int_eq(widget.replicas, 1);
	ck_assert_int_eq(widget.dial.period, 10);
	ck_assert_uint_eq(widget.ports.len, 1);		/* a zero element, defaulted */
	ck_assert_str_eq(widget.ports.items[0].protocol, "TCP");
}
END_TEST

START_TEST(test_whole_floats_are_integers_as_in_json_but_fractions_are_not)
{
	ck_assert_int_eq(decode_widget("name: w\nreplicas: 3.0\nbig: 1e3\n"), 0);
	ck_assert_int_eq(widget.replicas, 3);
	ck_assert(widget.big == 1000);
	ck_assert_int_eq(decode_widget("replicas: 2.5\nname: w\n"), 1);
	assert_only_diag(1, 11, "replicas: expected an integer, got the number 2.5");
}
END_TEST

START_TEST(test_int_or_string_keeps_a_quoted_number_a_string)
{
	ck_assert_int_eq(decode_widget("name: w\nsurge: 1\n"), 0);
	ck_assert(widget.surge.is_set && !widget.surge.is_string);
	ck_assert_int_eq(widget.surge.int_value, 1);
	schema_release(&widget_schema, &widget);
	memset(&widget, 0, sizeof(widget));
	ck_assert_int_eq(decode_widget("name: w\nsurge: \"1\"\n"), 0);
	ck_assert(widget.surge.is_set && widget.surge.is_string);
	ck_assert_str_eq(widget.surge.str_value, "1");
}
END_TEST

START_TEST(test_read_only_fields_are_accepted_and_ignored)
{
	ck_assert_int_eq(decode_widget("name: w\nuid: {any: thing}\n"), 0);
	ck_assert_ptr_null(widget.uid);
}
END_TEST

/* ---- decode_struct: problems, each at its line:column ---- */

START_TEST(test_unknown_field_in_a_list_is_reported_at_its_key_with_the_path)
{
	ck_assert_int_eq(decode_widget(
		"name: w\n"
		"ports:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    prot: TCP\n"), 1);
	assert_only_diag(5, 5, "unknown field \"ports[0].prot\"");
}
END_TEST

START_TEST(test_field_names_are_case_sensitive)
{
	decode_widget("name: w\nImage: nginx\n");
	assert_only_diag(2, 1, "unknown field \"Image\"");
}
END_TEST

START_TEST(test_a_quoted_number_is_a_string_not_an_integer)
{
	decode_widget("name: w\nreplicas: \"3\"\n");
	assert_only_diag(2, 11, "replicas: expected an integer, got the string \"3\"");
}
END_TEST

START_TEST(test_a_word_for_an_integer_is_quoted_in_the_message)
{
	decode_widget("name: w\nreplicas: three\n");
	assert_only_diag(2, 11, "replicas: expected an integer, got \"three\"");
}
END_TEST

START_TEST(test_integer_beyond_32_bits_is_rejected)
{
	decode_widget("name: w\nreplicas: 3000000000\n");
	assert_only_diag(2, 11,
			 "replicas: 3000000000 does not fit in a 32-bit integer");
}
END_TEST

START_TEST(test_quoted_boolean_is_a_string_not_a_boolean)
{
	decode_widget("name: w\nenabled: \"true\"\n");
	assert_only_diag(2, 10, "enabled: expected a boolean (true or false), "
			 "got the string \"true\"");
}
END_TEST

START_TEST(test_bad_quantity_names_the_field_the_value_and_the_reason)
{
	decode_widget("name: w\nsize: 1.5GB\nrequests:\n  cpu: [1]\n  memory: 2 Gi\n");
	ck_assert_uint_eq(diags.len, 3);
	assert_diag(0, 2, 7, "size: invalid quantity \"1.5GB\": unknown suffix: "
		    "expected n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei "
		    "or an exponent such as e3 (suffixes are case-sensitive)");
	assert_diag(1, 4, 8, "requests[cpu]: expected a quantity such as 100m "
		    "or 1Gi, got a list");
	assert_diag(2, 5, 11, "requests[memory]: invalid quantity \"2 Gi\": "
		    "spaces are not allowed in a quantity: expected a number "
		    "with an optional suffix such as 100m, 1Gi or 1e3");
	ck_assert_uint_eq(widget.requests.len, 0);	/* nothing half-read */
}
END_TEST

START_TEST(test_durations_and_times_must_be_strings)
{
	decode_widget("name: w\nperiod: 30\nsince: 5\n");
	ck_assert_uint_eq(diags.len, 2);
	assert_diag(0, 2, 9, "period: expected a duration such as 30s, got the "
		    "integer 30");
	assert_diag(1, 3, 8, "since: expected a time such as "
		    "2026-01-01T00:00:00Z, got the integer 5");
	diag_release(&diags);
	decode_widget("name: w\nperiod: 1d\n");
	assert_only_diag(2, 9, "period: invalid duration \"1d\": unknown unit: "
			 "expected ns, us, ms, s, m or h (Go durations have no "
			 "d unit: write 24h for a day)");
}
END_TEST

START_TEST(test_a_number_under_labels_is_refused_with_a_hint)
{
	decode_widget("name: w\nlabels:\n  version: 2\n  on: yes\n");
	ck_assert_uint_eq(diags.len, 2);
	assert_diag(0, 3, 12, "labels[version]: expected a string, got the "
		    "integer 2 (quote it to make it a string: \"2\")");
	assert_diag(1, 4, 7, "labels[on]: expected a string, got the boolean "
		    "yes (quote it to make it a string: \"yes\")");
}
END_TEST

START_TEST(test_value_outside_the_enumeration_lists_the_supported_ones)
{
	decode_widget("name: w\npolicy: Sometimes\n");
	assert_only_diag(2, 9, "policy: Unsupported value: \"Sometimes\": "
			 "supported values: \"Always\", \"OnFailure\", \"Never\"");
}
END_TEST

START_TEST(test_missing_required_field_is_reported_at_its_mapping)
{
	decode_widget("image: x\nports:\n  - name: http\n    protocol: TCP\n");
	ck_assert_uint_eq(diags.len, 2);
	assert_diag(0, 3, 5, "missing required field \"port\" in ports[0]");
	assert_diag(1, 1, 1, "missing required field \"name\" in Widget");
}
END_TEST

START_TEST(test_wrong_shapes_say_what_was_expected_and_found)
{
	decode_widget("name: w\ndial: [1]\nports: {a: 1}\nlabels: x\n"
		      "image: {a: b}\n");
	ck_assert_uint_eq(diags.len, 4);
	assert_diag(0, 2, 7, "expected a mapping for dial, got a list");
	assert_diag(1, 3, 8, "expected a list for ports, got a mapping");
	assert_diag(2, 4, 9, "expected a mapping for labels, got \"x\"");
	assert_diag(3, 5, 8, "image: expected a string, got a mapping");
}
END_TEST

START_TEST(test_duplicate_names_in_a_named_list_are_rejected)
{
	decode_widget("name: w\nports:\n"
		      "  - {name: http, port: 80}\n"
		      "  - {port: 81}\n"
		      "  - {port: 82}\n"		/* unnamed ports may repeat */
		      "  - {port: 83, name: http}\n");
	assert_only_diag(6, 22, "ports[3].name: Duplicate value: \"http\"");
}
END_TEST

START_TEST(test_every_problem_in_a_document_is_reported_in_order)
{
	ck_assert_int_eq(decode_widget(
		"name: w\n"
		"replicas: many\n"
		"colour: red\n"
		"ports:\n"
		"  - port: x\n"
		"    nmae: a\n"
		"policy: Rarely\n"), 5);
	assert_diag(0, 2, 11, "replicas: expected an integer, got \"many\"");
	assert_diag(1, 3, 1, "unknown field \"colour\"");
	assert_diag(2, 5, 11, "ports[0].port: expected an integer, got \"x\"");
	assert_diag(3, 6, 5, "unknown field \"ports[0].nmae\"");
	assert_diag(4, 7, 9, "policy: Unsupported value: \"Rarely\": supported "
		    "values: \"Always\", \"OnFailure\", \"Never\"");
	ck_assert_uint_eq(diags.len, 5);
}
END_TEST

/* ---- decode_object with the real kinds ---- */

START_TEST(test_missing_kind_and_api_version_are_reported_at_the_root)
{
	ck_assert_ptr_null(decode_text("metadata:\n  name: x\n"));
	ck_assert_uint_eq(diags.len, 2);
	assert_diag(0, 1, 1, "missing field \"apiVersion\"");
	assert_diag(1, 1, 1, "missing field \"kind\"");
}
END_TEST

START_TEST(test_unknown_kind_is_reported_at_the_kind)
{
	ck_assert_ptr_null(decode_text("apiVersion: apps/v1\n"
				       "kind: Deploymnet\n"
				       "metadata: {name: web}\n"));
	assert_only_diag(2, 7, "no kind \"Deploymnet\" is registered for "
			 "version \"apps/v1\"");
}
END_TEST

START_TEST(test_kind_in_the_wrong_version_names_the_right_one)
{
	ck_assert_ptr_null(decode_text("apiVersion: v1\n"
				       "kind: Deployment\n"
				       "metadata: {name: web}\n"));
	assert_only_diag(2, 7, "no kind \"Deployment\" is registered for "
			 "version \"v1\" (Deployment is in \"apps/v1\")");
}
END_TEST

START_TEST(test_a_name_or_generate_name_is_required)
{
	ck_assert_ptr_null(decode_text("apiVersion: v1\nkind: ConfigMap\n"
				       "metadata:\n  labels: {a: b}\n"));
	assert_only_diag(4, 3, "metadata.name: Required value: name or "
			 "generateName is required");

	diag_release(&diags);
	struct object *obj = decode_text("apiVersion: v1\nkind: ConfigMap\n"
					 "metadata:\n  generateName: cm-\n");
	assert_no_diags();
	ck_assert_str_eq(obj->meta.generate_name, "cm-");
	object_unref(obj);
}
END_TEST

START_TEST(test_namespace_defaults_for_namespaced_kinds_only)
{
	struct object *obj = decode_text("apiVersion: v1\nkind: ConfigMap\n"
					 "metadata: {name: cm}\n"
					 "data: {key: value}\n");
	assert_no_diags();
	ck_assert_str_eq(obj->meta.namespace, "default");
	ck_assert_str_eq(strmap_get(&((struct config_map *)obj)->data, "key"),
			 "value");
	object_unref(obj);

	/* Upstream clears a cluster-scoped object's namespace silently. */
	obj = decode_text("apiVersion: v1\nkind: Namespace\n"
			  "metadata: {name: team-a, namespace: default}\n");
	assert_no_diags();
	ck_assert_ptr_null(obj->meta.namespace);
	object_unref(obj);
}
END_TEST

START_TEST(test_config_map_data_values_must_be_strings)
{
	ck_assert_ptr_null(decode_text("apiVersion: v1\nkind: ConfigMap\n"
				       "metadata: {name: cm}\n"
				       "data:\n  port: 8080\n"));
	assert_only_diag(5, 9, "data[port]: expected a string, got the integer "
			 "8080 (quote it to make it a string: \"8080\")");
}
END_TEST

static const char deployment_yaml[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: web\n"
	"  namespace: shop\n"
	"  labels: {app: web}\n"
	"spec:\n"
	"  selector:\n"
	"    matchLabels: {app: web}\n"
	"  template:\n"
	"    metadata:\n"
	"      labels: {app: web}\n"
	"    spec:\n"
	"      containers:\n"
	"        - name: web\n"
	"          image: nginx:1.25\n"
	"          ports:\n"
	"            - containerPort: 80\n"
	"          resources:\n"
	"            requests: {cpu: 250m, memory: 1.5Gi}\n"
	"            limits: {cpu: 1}\n";

START_TEST(test_realistic_deployment_decodes_with_server_defaults)
{
	struct object *obj = decode_text(deployment_yaml);
	assert_no_diags();
	ck_assert_ptr_nonnull(obj);
	struct deployment *deploy = object_as(obj, KIND_DEPLOYMENT,
					      struct deployment);
	ck_assert_str_eq(obj->meta.name, "web");
	ck_assert_str_eq(obj->meta.namespace, "shop");
	ck_assert_int_eq(deploy->spec.replicas, 1);
	ck_assert_int_eq(deploy->spec.revision_history_limit, 10);
	ck_assert_int_eq(deploy->spec.progress_deadline_seconds, 600);
	ck_assert_str_eq(deploy->spec.strategy.type, "RollingUpdate");
	ck_assert_str_eq(deploy->spec.strategy.rolling_update.max_surge.str_value,
			 "25%");
	ck_assert_str_eq(deploy->spec.strategy.rolling_update.max_unavailable.str_value,
			 "25%");
	const struct pod_spec *pod = &deploy->spec.template.spec;
	ck_assert_str_eq(pod->restart_policy, "Always");
	ck_assert(pod->termination_grace_period_seconds == 30);
	ck_assert_str_eq(pod->scheduler_name, "default-scheduler");
	ck_assert_uint_eq(pod->containers.len, 1);
	const struct container *c = &pod->containers.items[0];
	ck_assert_str_eq(c->image, "nginx:1.25");
	ck_assert_str_eq(c->ports.items[0].protocol, "TCP");
	assert_quantity(resource_list_get(&c->resources.requests, "memory"),
			"1536Mi");
	assert_quantity(resource_list_get(&c->resources.limits, "cpu"), "1");
	object_unref(obj);
}
END_TEST

START_TEST(test_replicas_zero_in_a_deployment_stays_zero)
{
	char *text = xasprintf("%s", deployment_yaml);
	char *spec = strstr(text, "spec:\n");
	char *edited = xasprintf("%.*sspec:\n  replicas: 0\n%s",
				 (int)(spec - text), text, spec + 6);
	struct object *obj = decode_text(edited);
	assert_no_diags();
	ck_assert_int_eq(object_as(obj, KIND_DEPLOYMENT,
				   struct deployment)->spec.replicas, 0);
	object_unref(obj);
	free(edited);
	free(text);
}
END_TEST

START_TEST(test_broken_deployment_reports_every_problem_with_its_position)
{
	ck_assert_ptr_null(decode_text(
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata:\n"
		"  name: web\n"
		"spec:\n"
		"  replicas: \"3\"\n"
		"  selector:\n"
		"    matchLabels: {app: web}\n"
		"  template:\n"
		"    metadata:\n"
		"      labels: {app: web, version: 2}\n"
		"    spec:\n"
		"      restartPolicy: Sometimes\n"
		"      contaners: []\n"
		"      containers:\n"
		"        - name: web\n"
		"          image: nginx\n"
		"          resources:\n"
		"            requests: {cpu: lots}\n"
		"        - name: web\n"
		"          imagePullPolicy: IfNotPresent\n"));
	if (diags.len != 7)
		diag_print(&diags, stderr);
	assert_diag(0, 6, 13, "spec.replicas: expected an integer, got the "
		    "string \"3\"");
	assert_diag(1, 11, 35, "spec.template.metadata.labels[version]: "
		    "expected a string, got the integer 2 (quote it to make "
		    "it a string: \"2\")");
	assert_diag(2, 13, 22, "spec.template.spec.restartPolicy: Unsupported "
		    "value: \"Sometimes\": supported values: \"Always\", "
		    "\"OnFailure\", \"Never\"");
	assert_diag(3, 14, 7, "unknown field \"spec.template.spec.contaners\"");
	ck_assert_int_eq(diags.items[4].line, 19);
	ck_assert_int_eq(diags.items[4].column, 29);
	assert_diag(5, 20, 11, "missing required field \"image\" in "
		    "spec.template.spec.containers[1]");
	assert_diag(6, 20, 17, "spec.template.spec.containers[1].name: "
		    "Duplicate value: \"web\"");
	ck_assert_uint_eq(diags.len, 7);
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("struct");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_field_type_decodes_as_kubectl_reads_the_yaml);
	tcase_add_test(tc, test_defaults_fill_only_what_the_manifest_left_out);
	tcase_add_test(tc, test_null_means_absent_for_every_field);
	tcase_add_test(tc, test_whole_floats_are_integers_as_in_json_but_fractions_are_not);
	tcase_add_test(tc, test_int_or_string_keeps_a_quoted_number_a_string);
	tcase_add_test(tc, test_read_only_fields_are_accepted_and_ignored);
	tcase_add_test(tc, test_unknown_field_in_a_list_is_reported_at_its_key_with_the_path);
	tcase_add_test(tc, test_field_names_are_case_sensitive);
	tcase_add_test(tc, test_a_quoted_number_is_a_string_not_an_integer);
	tcase_add_test(tc, test_a_word_for_an_integer_is_quoted_in_the_message);
	tcase_add_test(tc, test_integer_beyond_32_bits_is_rejected);
	tcase_add_test(tc, test_quoted_boolean_is_a_string_not_a_boolean);
	tcase_add_test(tc, test_bad_quantity_names_the_field_the_value_and_the_reason);
	tcase_add_test(tc, test_durations_and_times_must_be_strings);
	tcase_add_test(tc, test_a_number_under_labels_is_refused_with_a_hint);
	tcase_add_test(tc, test_value_outside_the_enumeration_lists_the_supported_ones);
	tcase_add_test(tc, test_missing_required_field_is_reported_at_its_mapping);
	tcase_add_test(tc, test_wrong_shapes_say_what_was_expected_and_found);
	tcase_add_test(tc, test_duplicate_names_in_a_named_list_are_rejected);
	tcase_add_test(tc, test_every_problem_in_a_document_is_reported_in_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("object");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_kind_and_api_version_are_reported_at_the_root);
	tcase_add_test(tc, test_unknown_kind_is_reported_at_the_kind);
	tcase_add_test(tc, test_kind_in_the_wrong_version_names_the_right_one);
	tcase_add_test(tc, test_a_name_or_generate_name_is_required);
	tcase_add_test(tc, test_namespace_defaults_for_namespaced_kinds_only);
	tcase_add_test(tc, test_config_map_data_values_must_be_strings);
	tcase_add_test(tc, test_realistic_deployment_decodes_with_server_defaults);
	tcase_add_test(tc, test_replicas_zero_in_a_deployment_stays_zero);
	tcase_add_test(tc, test_broken_deployment_reports_every_problem_with_its_position);
	suite_add_tcase(s, tc);
	return s;
}
