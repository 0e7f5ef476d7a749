/* test_json.c - JSON trees: deterministic printing (kubectl's layout, exact
 * integers, Go's escapes), parsing and readers, and structs and API objects
 * encoded as the API server encodes them (omitempty, keep-zero fields,
 * canonical quantities, RFC 3339 times, resourceVersion as a string). */
#include "json.h"

#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "decode.h"
#include "xmalloc.h"
#include "yamldoc.h"

Suite *json_suite(void);

/* Prints and frees json; returns the text (caller frees). */
static char *print_free(struct json *json, bool pretty)
{
	char *text = json_print(json, pretty);
	json_free(json);
	return text;
}

static void assert_prints(struct json *json, bool pretty, const char *want)
{
	char *text = print_free(json, pretty);
	ck_assert_str_eq(text, want);
	free(text);
}

/* ---- building and printing ---- */

START_TEST(test_members_print_in_insertion_order_compact_and_pretty)
{
	struct json *obj = json_new_object();
	json_add_string(obj, "kind", "Pod");
	json_add_int(obj, "count", 3);
	json_add_bool(obj, "ready", false);
	json_add_null(obj, "node");
	struct json *list = json_new_array();
	json_append(list, json_new_string("a"));
	json_append(list, json_new_object());
	json_add(obj, "items", list);
	json_add(obj, "empty", json_new_array());
	char *compact = json_print(obj, false);
	ck_assert_str_eq(compact, "{\"kind\":\"Pod\",\"count\":3,\"ready\":false,"
			 "\"node\":null,\"items\":[\"a\",{}],\"empty\":[]}");
	free(compact);
	assert_prints(obj, true,
		      "{\n"
		      "    \"kind\": \"Pod\",\n"
		      "    \"count\": 3,\n"
		      "    \"ready\": false,\n"
		      "    \"node\": null,\n"
		      "    \"items\": [\n"
		      "        \"a\",\n"
		      "        {}\n"
		      "    ],\n"
		      "    \"empty\": []\n"
		      "}");
}
END_TEST

START_TEST(test_integers_print_exactly_and_never_in_exponent_form)
{
	struct json *obj = json_new_object();
	json_add_int(obj, "max", INT64_MAX);
	json_add_int(obj, "odd", 9007199254740993LL);	/* 2^53 + 1 */
	json_add_int(obj, "min", INT64_MIN);
	json_add_double(obj, "million", 1e6);
	json_add_double(obj, "big", 1e18);
	json_add_double(obj, "tenth", 0.1);
	json_add_double(obj, "t", 90.5);
	json_add_double(obj, "nan", NAN);
	assert_prints(obj, false,
		      "{\"max\":9223372036854775807,\"odd\":9007199254740993,"
		      "\"min\":-9223372036854775808,\"million\":1000000,"
		      "\"big\":1000000000000000000,\"tenth\":0.1,\"t\":90.5,"
		      "\"nan\":null}");
}
END_TEST

START_TEST(test_strings_are_escaped_as_go_does)
{
	struct json *obj = json_new_object();
	json_add_string(obj, "s", "say \"hi\"\\\n\t\x01 caf\xc3\xa9");
	json_add_string(obj, "none", NULL);
	assert_prints(obj, false,
		      "{\"s\":\"say \\\"hi\\\"\\\\\\n\\t\\u0001 caf\xc3\xa9\","
		      "\"none\":null}");
}
END_TEST

START_TEST(test_adding_an_existing_key_replaces_it_in_place)
{
	struct json *obj = json_new_object();
	json_add_int(obj, "a", 1);
	json_add_int(obj, "b", 2);
	json_add_string(obj, "a", "one");
	assert_prints(obj, false, "{\"a\":\"one\",\"b\":2}");
}
END_TEST

START_TEST(test_merge_moves_every_member_to_the_end)
{
	struct json *dst = json_new_object();
	json_add_double(dst, "t", 1.5);
	json_add_string(dst, "type", "watch");
	struct json *src = json_new_object();
	json_add_string(src, "op", "ADDED");
	json_add_string(src, "type", "event");
	json_add_int(src, "n", 7);
	json_merge(dst, src);		/* frees src */
	json_merge(dst, NULL);
	assert_prints(dst, false,
		      "{\"t\":1.5,\"type\":\"event\",\"op\":\"ADDED\",\"n\":7}");
}
END_TEST

/* ---- parsing and reading ---- */

START_TEST(test_parsed_json_is_read_through_the_readers)
{
	struct json *json = json_parse(
		"{\"name\": \"web\", \"replicas\": 3, \"ratio\": 0.5,"
		" \"items\": [10, \"x\", {\"k\": true}], \"nothing\": null}");
	ck_assert_ptr_nonnull(json);
	ck_assert_str_eq(json_string(json_get(json, "name")), "web");
	double number = 0;
	ck_assert(json_number(json_get(json, "replicas"), &number));
	ck_assert(number == 3);
	ck_assert(json_number(json_get(json, "ratio"), &number));
	ck_assert(number == 0.5);
	ck_assert(!json_number(json_get(json, "name"), &number));
	ck_assert_ptr_null(json_string(json_get(json, "replicas")));
	ck_assert_ptr_null(json_get(json, "missing"));
	ck_assert_ptr_null(json_get(json, "Name"));	/* case-sensitive */
	ck_assert_ptr_nonnull(json_get(json, "nothing"));

	const struct json *items = json_get(json, "items");
	ck_assert_uint_eq(json_array_len(items), 3);
	ck_assert(json_number(json_array_at(items, 0), &number));
	ck_assert(number == 10);
	ck_assert_str_eq(json_string(json_array_at(items, 1)), "x");
	ck_assert_ptr_nonnull(json_get(json_array_at(items, 2), "k"));
	ck_assert_ptr_null(json_array_at(items, 3));
	ck_assert_ptr_null(json_get(items, "k"));	/* not an object */
	ck_assert_uint_eq(json_array_len(json_get(json, "name")), 0);
	ck_assert_ptr_null(json_get(NULL, "name"));
	json_free(json);
}
END_TEST

START_TEST(test_text_that_is_not_one_json_value_is_rejected)
{
	ck_assert_ptr_null(json_parse(""));
	ck_assert_ptr_null(json_parse("{\"a\": }"));
	ck_assert_ptr_null(json_parse("{} {}"));
	ck_assert_ptr_null(json_parse("[1, 2"));
}
END_TEST

START_TEST(test_integers_added_by_the_program_read_back_as_numbers)
{
	struct json *obj = json_new_object();
	json_add_int(obj, "rv", 42);
	double number = 0;
	ck_assert(json_number(json_get(obj, "rv"), &number));
	ck_assert(number == 42);
	json_free(obj);
}
END_TEST

START_TEST(test_printed_json_parses_back_to_the_same_text)
{
	const char *text = "{\"a\":[1,2.5,-3e-07,\"\\u001f\"],\"b\":{\"c\":true}}";
	char *again = print_free(json_parse(text), false);
	ck_assert_str_eq(again, "{\"a\":[1,2.5,-3e-07,\"\\u001f\"],\"b\":{\"c\":true}}");
	free(again);
}
END_TEST

/* ---- structs through their schema ---- */

struct gauge {
	int32_t level;
};

struct panel {
	char *title;
	int32_t count;		/* keep-zero */
	int32_t spare;		/* omitted when zero */
	bool on;
	struct quantity memory;
	ktime_t since;
	ktime_t every;
	struct int_or_string surge;
	struct opt_int64 grace;
	struct strmap labels;
	struct resource_list limits;
	LIST_OF(char *) tags;
	LIST_OF(struct gauge) gauges;
	struct gauge main;
	struct gauge unused;
};

static const struct field gauge_fields[] = {
	{ .name = "level", .type = FIELD_INT32, .offset = offsetof(struct gauge, level),
	  .flags = FIELD_KEEP_ZERO },
};
static const struct schema gauge_schema = { "Gauge", sizeof(struct gauge), FIELDS(gauge_fields) };

#define P(field) .offset = offsetof(struct panel, field)
static const struct field panel_fields[] = {
	{ .name = "title", .type = FIELD_STRING, P(title) },
	{ .name = "count", .type = FIELD_INT32, P(count), .flags = FIELD_KEEP_ZERO },
	{ .name = "spare", .type = FIELD_INT32, P(spare) },
	{ .name = "on", .type = FIELD_BOOL, P(on) },
	{ .name = "memory", .type = FIELD_QUANTITY, P(memory) },
	{ .name = "since", .type = FIELD_TIME, P(since) },
	{ .name = "every", .type = FIELD_DURATION, P(every) },
	{ .name = "surge", .type = FIELD_INT_OR_STRING, P(surge) },
	{ .name = "grace", .type = FIELD_OPT_INT64, P(grace) },
	{ .name = "labels", .type = FIELD_STRMAP, P(labels) },
	{ .name = "limits", .type = FIELD_RESOURCES, P(limits) },
	{ .name = "tags", .type = FIELD_LIST, P(tags), .elem = FIELD_STRING },
	{ .name = "gauges", .type = FIELD_LIST, P(gauges), .elem = FIELD_STRUCT,
	  .schema = &gauge_schema },
	{ .name = "main", .type = FIELD_STRUCT, P(main), .schema = &gauge_schema },
	{ .name = "unused", .type = FIELD_STRUCT, P(unused), .schema = &gauge_schema },
};
#undef P
static const struct schema panel_schema = { "Panel", sizeof(struct panel), FIELDS(panel_fields) };

START_TEST(test_zero_struct_prints_only_its_keep_zero_fields)
{
	struct panel panel = { 0 };
	assert_prints(json_from_struct(&panel_schema, &panel), false,
		      "{\"count\":0}");
}
END_TEST

START_TEST(test_struct_fields_print_kubernetes_style)
{
	struct panel panel = { 0 };
	panel.title = xstrdup("web");
	panel.on = true;
	ck_assert_int_eq(quantity_parse("1.5Gi", &panel.memory, NULL), 0);
	panel.since = KTIME_SIM_EPOCH + 90 * KTIME_SECOND + 123;	/* ns dropped */
	panel.every = 90 * KTIME_SECOND;
	panel.surge = (struct int_or_string){ .is_set = true, .is_string = true,
					      .str_value = xstrdup("25%") };
	panel.grace = (struct opt_int64){ .is_set = true, .value = 0 };
	strmap_set(&panel.labels, "tier", "front");
	strmap_set(&panel.labels, "app", "web");
	struct quantity cpu, memory;
	ck_assert_int_eq(quantity_parse("0.5", &cpu, NULL), 0);
	ck_assert_int_eq(quantity_parse("2048Mi", &memory, NULL), 0);
	resource_list_set(&panel.limits, "memory", &memory);
	resource_list_set(&panel.limits, "cpu", &cpu);
	panel.tags.items = xcalloc(2, sizeof(char *));
	panel.tags.len = 2;
	panel.tags.items[0] = xstrdup("x");		/* [1] stays NULL: "" */
	panel.gauges.items = xcalloc(1, sizeof(struct gauge));
	panel.gauges.len = 1;				/* a zero element still prints */
	panel.main.level = 4;

	assert_prints(json_from_struct(&panel_schema, &panel), false,
		      "{\"title\":\"web\",\"count\":0,\"on\":true,"
		      "\"memory\":\"1536Mi\",\"since\":\"2026-01-01T00:01:30Z\","
		      "\"every\":\"1m30s\",\"surge\":\"25%\",\"grace\":0,"
		      "\"labels\":{\"app\":\"web\",\"tier\":\"front\"},"
		      "\"limits\":{\"cpu\":\"500m\",\"memory\":\"2Gi\"},"
		      "\"tags\":[\"x\",\"\"],\"gauges\":[{\"level\":0}],"
		      "\"main\":{\"level\":4}}");
	schema_release(&panel_schema, &panel);
}
END_TEST

START_TEST(test_int_or_string_prints_an_int_as_a_number)
{
	struct panel panel = { 0 };
	panel.surge = (struct int_or_string){ .is_set = true, .int_value = 1 };
	assert_prints(json_from_struct(&panel_schema, &panel), false,
		      "{\"count\":0,\"surge\":1}");
}
END_TEST

/* ---- API objects ---- */

static struct object *decode_yaml(const char *text)
{
	struct diag_list diags = { 0 };
	struct yfile *file = yfile_load_string("test.yaml", text, strlen(text),
					       &diags);
	ck_assert_ptr_nonnull(file);
	struct object *obj = decode_object("test.yaml", file->docs[0].root, &diags);
	if (!obj)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(obj);
	yfile_free(file);
	diag_release(&diags);
	return obj;
}

START_TEST(test_pod_prints_type_meta_then_metadata_spec_with_canonical_quantities)
{
	struct object *obj = decode_yaml(
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata:\n"
		"  name: web\n"
		"  labels: {app: web}\n"
		"spec:\n"
		"  containers:\n"
		"    - name: web\n"
		"      image: nginx:1.25\n"
		"      resources:\n"
		"        requests: {memory: 1.5Gi, cpu: 0.25}\n");
	obj->meta.resource_version = 42;
	obj->meta.creation_timestamp = KTIME_SIM_EPOCH + 90 * KTIME_SECOND;
	char *text = print_free(json_from_object(obj), false);
	const char *prefix =
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
		"\"web\",\"namespace\":\"default\",\"resourceVersion\":\"42\","
		"\"creationTimestamp\":\"2026-01-01T00:01:30Z\",\"labels\":"
		"{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\","
		"\"image\":\"nginx:1.25\"";
	ck_assert_msg(!strncmp(text, prefix, strlen(prefix)), "%s", text);
	ck_assert_msg(strstr(text, "\"requests\":{\"cpu\":\"250m\","
			     "\"memory\":\"1536Mi\"}"), "%s", text);
	ck_assert_msg(strstr(text, "\"terminationGracePeriodSeconds\":30"),
		      "%s", text);
	ck_assert_msg(!strstr(text, "\"status\""), "%s", text);	/* all zero */
	ck_assert_msg(!strstr(text, "\"uid\""), "%s", text);	/* unset */

	struct json *back = json_parse(text);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_string(json_get(json_get(back, "metadata"),
					      "resourceVersion")), "42");
	json_free(back);
	free(text);
	object_unref(obj);
}
END_TEST

START_TEST(test_deployment_scaled_to_zero_keeps_replicas_zero)
{
	struct object *obj = decode_yaml(
		"apiVersion: apps/v1\n"
		"kind: Deployment\n"
		"metadata: {name: web}\n"
		"spec:\n"
		"  replicas: 0\n"
		"  selector: {matchLabels: {app: web}}\n"
		"  template:\n"
		"    metadata: {labels: {app: web}}\n"
		"    spec:\n"
		"      containers: [{name: web, image: nginx}]\n");
	struct json *json = json_from_object(obj);
	char *spec = json_print(json_get(json, "spec"), false);
	ck_assert_msg(!strncmp(spec, "{\"replicas\":0,", 14), "%s", spec);
	ck_assert_msg(strstr(spec, "\"revisionHistoryLimit\":10"), "%s", spec);
	ck_assert_msg(strstr(spec, "\"maxSurge\":\"25%\""), "%s", spec);
	free(spec);
	json_free(json);
	object_unref(obj);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("tree");
	tcase_add_test(tc, test_members_print_in_insertion_order_compact_and_pretty);
	tcase_add_test(tc, test_integers_print_exactly_and_never_in_exponent_form);
	tcase_add_test(tc, test_strings_are_escaped_as_go_does);
	tcase_add_test(tc, test_adding_an_existing_key_replaces_it_in_place);
	tcase_add_test(tc, test_merge_moves_every_member_to_the_end);
	tcase_add_test(tc, test_parsed_json_is_read_through_the_readers);
	tcase_add_test(tc, test_text_that_is_not_one_json_value_is_rejected);
	tcase_add_test(tc, test_integers_added_by_the_program_read_back_as_numbers);
	tcase_add_test(tc, test_printed_json_parses_back_to_the_same_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("schema");
	tcase_add_test(tc, test_zero_struct_prints_only_its_keep_zero_fields);
	tcase_add_test(tc, test_struct_fields_print_kubernetes_style);
	tcase_add_test(tc, test_int_or_string_prints_an_int_as_a_number);
	tcase_add_test(tc, test_pod_prints_type_meta_then_metadata_spec_with_canonical_quantities);
	tcase_add_test(tc, test_deployment_scaled_to_zero_keeps_replicas_zero);
	suite_add_tcase(s, tc);
	return s;
}
