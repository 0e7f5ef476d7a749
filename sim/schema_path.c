/* schema_path.c - field paths into described objects, and resource lists.
 *
 * K8S: the role of kubectl's JSONPath (`kubectl get -o
 * jsonpath='{.status.availableReplicas}'`, client-go/util/jsonpath) for the
 * scenario `set:` action and expectations; and core/v1 ResourceList
 * (map[ResourceName]resource.Quantity), kept here as a sorted list.
 *
 * Interface: schema_resolve, field_ref_format, field_ref_set,
 * field_ref_release, resource_list_get, resource_list_set (schema.h).
 * Invariants: a failed resolve or set changes nothing and names the first
 * bad step; a resource list stays sorted by name, each name once (lookups
 * are a binary search). See also schema_text.c for the scalar text a
 * field_ref reads and writes.
 */
#include "schema.h"
#include "schema_internal.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field paths ---------------------------------------------------------- *
 *
 * A path is walked step by step from the top struct: ".name" selects a field
 * of a struct, "[n]" an element of a list, and in a map (labels, a resource
 * list) ".key" or "[key]" selects a key. Map values are leaves, so after a
 * map the whole rest of a dotted path is the key. A resolved field_ref
 * points into the object: it stays valid until the object, or for a map
 * key that map, is changed by something else than field_ref_set. */

static const char *type_noun(enum field_type type)
{
	switch (type) {
	case FIELD_STRING:		return "a string";
	case FIELD_INT32:
	case FIELD_INT64:
	case FIELD_OPT_INT64:		return "an integer";
	case FIELD_BOOL:		return "a boolean";
	case FIELD_DOUBLE:		return "a number";
	case FIELD_QUANTITY:		return "a quantity";
	case FIELD_TIME:		return "a time";
	case FIELD_DURATION:		return "a duration";
	case FIELD_INT_OR_STRING:	return "an integer or string";
	case FIELD_STRMAP:		return "a map";
	case FIELD_RESOURCES:		return "a resource list";
	case FIELD_STRUCT:		return "an object";
	case FIELD_LIST:		return "a list";
	}
	return "a value";
}

static bool is_map(enum field_type type)
{
	return type == FIELD_STRMAP || type == FIELD_RESOURCES;
}

static struct strpair *strmap_slot(struct strmap *map, const char *key)
{
	for (size_t i = 0; i < map->len; i++)
		if (!strcmp(map->items[i].key, key))
			return &map->items[i];
	return NULL;
}

static struct resource_entry *resource_slot(const struct resource_list *list,
					    const char *name)
{
	size_t lo = 0, hi = list->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(list->items[mid].name, name);
		if (!c)
			return &list->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Points ref at key inside the map ref->value. */
static void select_key(struct field_ref *ref, const char *key, size_t len)
{
	ref->container = ref->value;
	ref->key = xstrndup(key, len);
	if (ref->type == FIELD_STRMAP) {
		struct strpair *pair = strmap_slot(ref->container, ref->key);
		ref->type = FIELD_STRING;
		ref->value = pair ? (void *)&pair->value : NULL;
	} else {
		struct resource_entry *e = resource_slot(ref->container, ref->key);
		ref->type = FIELD_QUANTITY;
		ref->value = e ? (void *)&e->quantity : NULL;
	}
}

/* The walk keeps the name of the last field it stepped into, for messages:
 * "index 3 out of range: containers has 1". */
int schema_resolve(const struct schema *schema, void *base, const char *path,
		   struct field_ref *out, struct err **err)
{
	struct field_ref ref = { .type = FIELD_STRUCT, .schema = schema, .value = base };
	const char *p = path, *last = schema->name;
	int last_len = (int)strlen(last);

	memset(out, 0, sizeof(*out));
	if (*p == '.')
		p++;
	if (!*p)
		return err_set(err, "empty field path");
	while (*p) {
		if (*p == '[') {
			const char *close = strchr(p, ']');
			if (!close)
				return err_set(err, "missing ']' in '%s'", path);
			if (is_map(ref.type)) {
				if (close[1])
					return err_set(err, "nothing may follow a map key: '%s'", close + 1);
				select_key(&ref, p + 1, (size_t)(close - p - 1));
				break;
			}
			if (ref.type != FIELD_LIST)
				return err_set(err, "cannot index '%.*s': it is %s, not a list",
					       last_len, last, type_noun(ref.type));
			int64_t index;
			char *digits = xstrndup(p + 1, (size_t)(close - p - 1));
			int rc = schema_parse_integer(digits, 0, INT64_MAX, &index);
			free(digits);
			if (rc || p[1] == '+')
				return err_set(err, "bad index '%.*s' in '%s': expected a number",
					       (int)(close - p + 1), p, path);
			const struct list_any *list = ref.value;
			if ((uint64_t)index >= list->len)
				return err_set(err, "index %" PRId64 " out of range: %.*s has %zu",
					       index, last_len, last, list->len);
			ref.type = ref.elem;
			ref.value = list_item(list, (size_t)index,
					      schema_type_size(ref.elem, ref.schema));
			p = close + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t len = strcspn(p, ".[");
		if (!len)
			return err_set(err, "empty field name in '%s'", path);
		if (is_map(ref.type)) {
			/* Map values are leaves, so the whole rest is the key:
			 * metadata.labels.app.kubernetes.io/name works too. */
			select_key(&ref, p, strlen(p));
			break;
		}
		if (ref.type != FIELD_STRUCT) {
			if (ref.type == FIELD_LIST)
				return err_set(err, "cannot select '%.*s': '%.*s' is a list (use %.*s[N])",
					       (int)len, p, last_len, last, last_len, last);
			return err_set(err, "cannot select '%.*s': '%.*s' is %s",
				       (int)len, p, last_len, last, type_noun(ref.type));
		}
		const struct field *f = NULL;
		for (size_t i = 0; i < ref.schema->fields_len && !f; i++)
			if (strlen(ref.schema->fields[i].name) == len &&
			    !strncmp(ref.schema->fields[i].name, p, len))
				f = &ref.schema->fields[i];
		if (!f)
			return err_set(err, "no field '%.*s' in %s", (int)len, p,
				       ref.schema->name);
		ref.type = f->type;
		ref.schema = f->schema;
		ref.elem = f->elem;
		ref.value = field_value(f, ref.value);
		last = f->name;
		last_len = (int)len;
		p += len;
	}
	*out = ref;
	return 0;
}

/* Compact JSON of any value, for field_ref_format on structs and lists. */
static void write_value(FILE *f, enum field_type type,
			const struct schema *schema, enum field_type elem,
			const void *value);

static void write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_value(FILE *f, enum field_type type,
			const struct schema *schema, enum field_type elem,
			const void *value)
{
	switch (type) {
	case FIELD_STRMAP: {
		const struct strmap *map = value;
		fputc('{', f);
		for (size_t i = 0; i < map->len; i++) {
			fputs(i ? "," : "", f);
			write_string(f, map->items[i].key);
			fputc(':', f);
			write_string(f, map->items[i].value);
		}
		fputc('}', f);
		return;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *list = value;
		char buf[QUANTITY_STR_MAX];
		fputc('{', f);
		for (size_t i = 0; i < list->len; i++) {
			quantity_format(&list->items[i].quantity, buf, sizeof(buf));
			fputs(i ? "," : "", f);
			write_string(f, list->items[i].name);
			fputc(':', f);
			write_string(f, buf);
		}
		fputc('}', f);
		return;
	}
	case FIELD_STRUCT: {
		bool first = true;
		fputc('{', f);
		for (size_t i = 0; i < schema->fields_len; i++) {
			const struct field *fd = &schema->fields[i];
			const void *v = field_value(fd, value);
			if (!(fd->flags & FIELD_KEEP_ZERO) &&
			    schema_value_is_zero(fd->type, fd->schema, v))
				continue;
			fputs(first ? "" : ",", f);
			first = false;
			write_string(f, fd->name);
			fputc(':', f);
			write_value(f, fd->type, fd->schema, fd->elem, v);
		}
		fputc('}', f);
		return;
	}
	case FIELD_LIST: {
		const struct list_any *list = value;
		size_t size = schema_type_size(elem, schema);
		fputc('[', f);
		for (size_t i = 0; i < list->len; i++) {
			fputs(i ? "," : "", f);
			write_value(f, elem, schema, FIELD_STRING,
				    list_item(list, i, size));
		}
		fputc(']', f);
		return;
	}
	default:
		break;
	}
	/* Scalars: numbers and booleans bare, everything else quoted. */
	char *text = schema_scalar_format(type, value);
	const struct int_or_string *ios = value;
	bool bare = type == FIELD_INT32 || type == FIELD_INT64 ||
		    type == FIELD_BOOL || type == FIELD_DOUBLE ||
		    type == FIELD_OPT_INT64 ||
		    (type == FIELD_INT_OR_STRING && !ios->is_string);
	if (bare)
		fputs(text, f);
	else
		write_string(f, text);
	free(text);
}

char *field_ref_format(const struct field_ref *ref)
{
	if (!ref->value)
		return xstrdup("");
	if (ref->type != FIELD_STRUCT && ref->type != FIELD_LIST &&
	    !is_map(ref->type))
		return schema_scalar_format(ref->type, ref->value);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	BUG_ON(!f);
	write_value(f, ref->type, ref->schema, ref->elem, ref->value);
	fclose(f);
	return text;
}

int field_ref_set(struct field_ref *ref, const char *text, struct err **err)
{
	const char *why = "";
	if (ref->type == FIELD_STRUCT || ref->type == FIELD_LIST || is_map(ref->type))
		return err_set(err, "cannot set %s from text; set one of its %s",
			       type_noun(ref->type),
			       ref->type == FIELD_STRUCT ? "fields" :
			       ref->type == FIELD_LIST ? "elements ([N])" : "keys");

	if (ref->container && ref->type == FIELD_STRING) {
		strmap_set(ref->container, ref->key, text);
		ref->value = &strmap_slot(ref->container, ref->key)->value;
		return 0;
	}
	if (ref->container) {	/* a key of a resource list */
		struct quantity q;
		if (quantity_parse(text, &q, &why))
			return err_set(err, "invalid quantity '%s': %s", text, why);
		resource_list_set(ref->container, ref->key, &q);
		ref->value = &resource_slot(ref->container, ref->key)->quantity;
		return 0;
	}
	if (schema_scalar_parse(ref->type, text, ref->value, &why) == 0)
		return 0;
	if (ref->type == FIELD_QUANTITY || ref->type == FIELD_DURATION)
		return err_set(err, "invalid %s '%s': %s",
			       ref->type == FIELD_QUANTITY ? "quantity" : "duration",
			       text, why);
	return err_set(err, "%s, got '%s'", why, text);
}

void field_ref_release(struct field_ref *ref)
{
	free(ref->key);
	memset(ref, 0, sizeof(*ref));
}

/* ---- resource lists ------------------------------------------------------ */

const struct quantity *resource_list_get(const struct resource_list *list,
					 const char *name)
{
	const struct resource_entry *e = resource_slot(list, name);
	return e ? &e->quantity : NULL;
}

void resource_list_set(struct resource_list *list, const char *name,
		       const struct quantity *quantity)
{
	struct resource_entry *e = resource_slot(list, name);
	if (e) {
		e->quantity = *quantity;
		return;
	}
	/* Lists are short (cpu, memory, pods, a few more): insertion sort. */
	size_t at = 0;
	while (at < list->len && strcmp(list->items[at].name, name) < 0)
		at++;
	list->items = xrealloc(list->items, (list->len + 1) * sizeof(*list->items));
	memmove(&list->items[at + 1], &list->items[at],
		(list->len - at) * sizeof(*list->items));
	list->items[at].name = xstrdup(name);
	list->items[at].quantity = *quantity;
	list->len++;
}
