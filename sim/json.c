/* json.c - JSON trees, printing and reading, and API objects as JSON.
 *
 * Kubernetes speaks JSON: `kubectl get -o json` prints an object as the API
 * server stores it, and kubelab's trace (JSON Lines) and results files use
 * the same form. This module builds and reads JSON trees over cJSON and
 * encodes any schema-described struct the way Go's encoding/json encodes the
 * upstream types: camelCase names in declaration order, `omitempty` fields
 * left out when zero, quantities and times as strings.
 * K8S: staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json,
 *      resource.Quantity.MarshalJSON, metav1.Time.MarshalJSON,
 *      intstr.IntOrString.MarshalJSON.
 *
 * Three choices worth knowing:
 *   - Printing is kubelab's own, not cJSON_Print: kubectl's indentation
 *     (4 spaces, "key": value), and numbers that are whole print as integers
 *     (1000000, never 1e+06).
 *   - cJSON keeps every number as a double, exact only up to 2^53. Integers
 *     added with json_add_int are therefore stored as their decimal text (a
 *     cJSON "raw" node) and printed exactly; times are strings anyway, so a
 *     nanosecond timestamp never passes through a double.
 *   - cJSON allocates through xmalloc (hooks installed on first use), so
 *     running out of memory aborts here as everywhere else in kubelab.
 *
 * Not done: Go escapes <, > and & in strings (\u003c ...) for HTML safety;
 * kubelab prints them as they are.
 *
 * Interface and ownership: json.h. See also: schema.h, trace.c.
 */
#include "json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The opaque node of json.h is a cJSON node; the wrapper only gives it a
 * name of our own, so cJSON stays out of every other header. */
struct json {
	cJSON node;
};

static cJSON *cj(struct json *json)
{
	return &json->node;
}

static const cJSON *ccj(const struct json *json)
{
	return &json->node;
}

static struct json *wrap(cJSON *node)
{
	return (struct json *)node;
}

static void *hook_malloc(size_t size)
{
	return xmalloc(size);
}

static void hooks_init(void)
{
	static bool done;
	if (done)
		return;
	cJSON_Hooks hooks = { .malloc_fn = hook_malloc, .free_fn = free };
	cJSON_InitHooks(&hooks);
	done = true;
}

/* ---- building ---- */

struct json *json_new_object(void)
{
	hooks_init();
	return wrap(cJSON_CreateObject());
}

struct json *json_new_array(void)
{
	hooks_init();
	return wrap(cJSON_CreateArray());
}

/* NULL gives JSON null. */
struct json *json_new_string(const char *value)
{
	hooks_init();
	return wrap(value ? cJSON_CreateString(value) : cJSON_CreateNull());
}

static struct json *new_int(int64_t value)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRId64, value);
	hooks_init();
	return wrap(cJSON_CreateRaw(text));
}

/* Adding a key that is already there replaces its value in place, so an
 * object never has two members of one name. */
void json_add(struct json *object, const char *key, struct json *child)
{
	BUG_ON(!cJSON_IsObject(cj(object)));
	if (cJSON_GetObjectItemCaseSensitive(cj(object), key))
		cJSON_ReplaceItemInObjectCaseSensitive(cj(object), key, cj(child));
	else
		cJSON_AddItemToObject(cj(object), key, cj(child));
}

void json_add_string(struct json *object, const char *key, const char *value)
{
	json_add(object, key, json_new_string(value));
}

void json_add_int(struct json *object, const char *key, int64_t value)
{
	json_add(object, key, new_int(value));
}

void json_add_double(struct json *object, const char *key, double value)
{
	hooks_init();
	json_add(object, key, wrap(cJSON_CreateNumber(value)));
}

void json_add_bool(struct json *object, const char *key, bool value)
{
	hooks_init();
	json_add(object, key, wrap(cJSON_CreateBool(value)));
}

void json_add_null(struct json *object, const char *key)
{
	hooks_init();
	json_add(object, key, wrap(cJSON_CreateNull()));
}

void json_append(struct json *array, struct json *child)
{
	BUG_ON(!cJSON_IsArray(cj(array)));
	cJSON_AddItemToArray(cj(array), cj(child));
}

/* A key already in dst is replaced in place, as by json_add. */
void json_merge(struct json *dst, struct json *src)
{
	if (!src)
		return;
	BUG_ON(!cJSON_IsObject(cj(src)));
	while (cj(src)->child) {
		cJSON *item = cJSON_DetachItemViaPointer(cj(src), cj(src)->child);
		char *key = item->string;
		item->string = NULL;
		json_add(dst, key, wrap(item));
		free(key);
	}
	cJSON_Delete(cj(src));
}

void json_free(struct json *json)
{
	if (json)
		cJSON_Delete(cj(json));
}

/* ---- printing ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *out, const char *text, size_t len)
{
	xgrow((void **)&out->buf, &out->cap, out->len + len + 1, 1);
	memcpy(out->buf + out->len, text, len);
	out->len += len;
	out->buf[out->len] = '\0';
}

static void puts_out(struct out *out, const char *text)
{
	put(out, text, strlen(text));
}

/* As Go's encoding/json: the two-letter escapes, \u00XX for other control
 * characters, UTF-8 passed through. */
static void put_string(struct out *out, const char *text)
{
	puts_out(out, "\"");
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];
		switch (c) {
		case '"':  puts_out(out, "\\\""); break;
		case '\\': puts_out(out, "\\\\"); break;
		case '\n': puts_out(out, "\\n"); break;
		case '\r': puts_out(out, "\\r"); break;
		case '\t': puts_out(out, "\\t"); break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				puts_out(out, esc);
			} else {
				put(out, p, 1);
			}
		}
	}
	puts_out(out, "\"");
}

/* Whole numbers as integers; others in the fewest digits that read back
 * as the same double (what Go and JavaScript print). NaN and the
 * infinities have no JSON form and print as null, as cJSON does. */
static void put_number(struct out *out, double value)
{
	char text[32];
	if (!isfinite(value)) {
		puts_out(out, "null");
		return;
	}
	if (value == trunc(value) && fabs(value) < 0x1p63) {
		snprintf(text, sizeof(text), "%" PRId64, (int64_t)value);
	} else {
		for (int precision = 1; precision <= 17; precision++) {
			snprintf(text, sizeof(text), "%.*g", precision, value);
			if (strtod(text, NULL) == value)
				break;
		}
	}
	puts_out(out, text);
}

static void put_indent(struct out *out, bool pretty, int depth)
{
	if (!pretty)
		return;
	puts_out(out, "\n");
	for (int i = 0; i < depth; i++)
		puts_out(out, "    ");
}

static void put_node(struct out *out, const cJSON *node, bool pretty, int depth)
{
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		bool object = cJSON_IsObject(node);
		puts_out(out, object ? "{" : "[");
		for (const cJSON *item = node->child; item; item = item->next) {
			put_indent(out, pretty, depth + 1);
			if (object) {
				put_string(out, item->string);
				puts_out(out, pretty ? ": " : ":");
			}
			put_node(out, item, pretty, depth + 1);
			if (item->next)
				puts_out(out, ",");
		}
		if (node->child)
			put_indent(out, pretty, depth);
		puts_out(out, object ? "}" : "]");
	} else if (cJSON_IsString(node)) {
		put_string(out, node->valuestring);
	} else if (cJSON_IsRaw(node)) {
		puts_out(out, node->valuestring);
	} else if (cJSON_IsNumber(node)) {
		put_number(out, node->valuedouble);
	} else if (cJSON_IsBool(node)) {
		puts_out(out, cJSON_IsTrue(node) ? "true" : "false");
	} else {
		puts_out(out, "null");
	}
}

char *json_print(const struct json *json, bool pretty)
{
	struct out out = { 0 };
	BUG_ON(!json);
	put_node(&out, ccj(json), pretty, 0);
	return out.buf;
}

/* ---- schema-described structs ---- */

static struct json *encode_value(enum field_type type,
				 const struct schema *schema,
				 enum field_type elem, const void *value);

static void encode_fields(struct json *object, const struct schema *schema,
			  const void *base, const char *skip)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *field = &schema->fields[i];
		const void *value = (const char *)base + field->offset;
		if (skip && !strcmp(field->name, skip))
			continue;
		/* Go's omitempty; an all-zero struct counts as absent too. */
		if (!(field->flags & FIELD_KEEP_ZERO) &&
		    schema_value_is_zero(field->type, field->schema, value))
			continue;
		json_add(object, field->name,
			 encode_value(field->type, field->schema, field->elem,
				      value));
	}
}

/* A scalar through the schema's formatter, as a JSON string. */
static struct json *formatted(enum field_type type, const void *value)
{
	char *text = schema_scalar_format(type, value);
	struct json *json = json_new_string(text);
	free(text);
	return json;
}

static struct json *encode_value(enum field_type type,
				 const struct schema *schema,
				 enum field_type elem, const void *value)
{
	struct json *json;
	switch (type) {
	case FIELD_STRING:
		return json_new_string(*(char *const *)value ?
				       *(char *const *)value : "");
	case FIELD_INT32:
		return new_int(*(const int32_t *)value);
	case FIELD_INT64:
		return new_int(*(const int64_t *)value);
	case FIELD_BOOL:
		hooks_init();
		return wrap(cJSON_CreateBool(*(const bool *)value));
	case FIELD_DOUBLE:
		hooks_init();
		return wrap(cJSON_CreateNumber(*(const double *)value));
	case FIELD_QUANTITY:
	case FIELD_DURATION:
		return formatted(type, value);
	case FIELD_TIME:
		/* metav1.Time: a zero time marshals as null. */
		if (!*(const ktime_t *)value)
			return json_new_string(NULL);
		return formatted(type, value);
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *ios = value;
		if (ios->is_string)
			return json_new_string(ios->str_value ? ios->str_value : "");
		return new_int(ios->int_value);
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *opt = value;
		return opt->is_set ? new_int(opt->value) : json_new_string(NULL);
	}
	case FIELD_STRMAP: {
		const struct strmap *map = value;
		json = json_new_object();
		for (size_t i = 0; i < map->len; i++)	/* sorted by key */
			json_add_string(json, map->items[i].key,
					map->items[i].value);
		return json;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *list = value;
		json = json_new_object();
		for (size_t i = 0; i < list->len; i++)	/* sorted by name */
			json_add(json, list->items[i].name,
				 formatted(FIELD_QUANTITY,
					   &list->items[i].quantity));
		return json;
	}
	case FIELD_STRUCT:
		json = json_new_object();
		encode_fields(json, schema, value, NULL);
		return json;
	case FIELD_LIST: {
		const struct list_any *list = value;
		size_t size = schema_type_size(elem, schema);
		BUG_ON(elem == FIELD_LIST);
		json = json_new_array();
		for (size_t i = 0; i < list->len; i++)
			json_append(json, encode_value(elem, schema, elem,
						       (const char *)list->items +
						       i * size));
		return json;
	}
	}
	bug_report(__FILE__, __LINE__, "unhandled field type");
}

struct json *json_from_struct(const struct schema *schema, const void *base)
{
	return encode_value(FIELD_STRUCT, schema, FIELD_STRUCT, base);
}

struct json *json_from_object(const struct object *obj)
{
	const struct kind_info *kind = obj->kind;
	struct json *json = json_new_object();
	json_add_string(json, "apiVersion", kind->api_version);
	json_add_string(json, "kind", kind->kind);
	struct json *metadata = json_from_struct(&object_meta_schema, &obj->meta);
	/* resourceVersion is an opaque string upstream; kubelab counts with an
	 * integer but prints what a client would see. */
	if (obj->meta.resource_version) {
		char text[24];
		snprintf(text, sizeof(text), "%" PRId64, obj->meta.resource_version);
		json_add_string(metadata, "resourceVersion", text);
	}
	json_add(json, "metadata", metadata);
	encode_fields(json, kind->schema, obj, "metadata");
	return json;
}

/* ---- reading ---- */

/* The whole text must be one JSON value (trailing garbage is an error). */
struct json *json_parse(const char *text)
{
	hooks_init();
	return wrap(cJSON_ParseWithOpts(text, NULL, true));
}

const struct json *json_get(const struct json *object, const char *key)
{
	if (!object || !cJSON_IsObject(ccj(object)))
		return NULL;
	return (const struct json *)cJSON_GetObjectItemCaseSensitive(ccj(object),
								     key);
}

const char *json_string(const struct json *json)
{
	return json && cJSON_IsString(ccj(json)) ? ccj(json)->valuestring : NULL;
}

/* Parsed numbers are doubles; integers added by json_add_int are read
 * back from their exact text. */
bool json_number(const struct json *json, double *out)
{
	if (!json)
		return false;
	if (cJSON_IsNumber(ccj(json))) {
		*out = ccj(json)->valuedouble;
		return true;
	}
	if (cJSON_IsRaw(ccj(json))) {
		char *end;
		double value = strtod(ccj(json)->valuestring, &end);
		if (*end)
			return false;
		*out = value;
		return true;
	}
	return false;
}

size_t json_array_len(const struct json *array)
{
	if (!array || !cJSON_IsArray(ccj(array)))
		return 0;
	return (size_t)cJSON_GetArraySize(ccj(array));
}

/* cJSON arrays are linked lists: this walks from the start (O(index)). */
const struct json *json_array_at(const struct json *array, size_t index)
{
	if (index >= json_array_len(array))
		return NULL;
	return (const struct json *)cJSON_GetArrayItem(ccj(array), (int)index);
}
