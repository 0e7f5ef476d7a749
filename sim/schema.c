/* schema.c - generic operations over the described API structs; see schema.h.
 *
 * K8S: what Go gets from reflection and generated code: deepcopy-gen
 * (DeepCopyInto), defaulter-gen (SetObjectDefaults_*) and equality.Semantic
 * (apimachinery/pkg/api/equality). kubelab has no reflection, so every
 * operation here walks a struct schema table field by field, and a value of
 * each field_type is handled in one switch per operation.
 *
 * This file holds the operations on values: sizes, release, copy, equal,
 * is-zero, and defaulting (schema_apply_defaults). The rest of the module:
 * schema_pack.c (the packed copies the store keeps), schema_text.c (scalars
 * as text) and schema_path.c (field paths, resource lists); the helpers
 * they share are in schema_internal.h.
 *
 * Invariants of the tables this code trusts (a table that breaks one is a
 * bug, caught by BUG_ON where it is cheap to check):
 *   - FIELD_STRUCT fields, and FIELD_LIST fields of FIELD_STRUCT elements,
 *     carry a .schema; lists never hold lists, maps or resource lists;
 *   - .dflt is only given on scalar fields, and parses as the field's type.
 *
 * Equality is semantic, as upstream's equality.Semantic.DeepEqual: two
 * quantities are equal when their values are ("1000m" equals "1"), and two
 * lists are equal only element by element, in order.
 */
#include "schema.h"
#include "schema_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- values -------------------------------------------------------------- */

size_t schema_type_size(enum field_type type, const struct schema *schema)
{
	return type_size(type, schema);
}

const struct field *schema_field(const struct schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->fields_len; i++)
		if (!strcmp(schema->fields[i].name, name))
			return &schema->fields[i];
	return NULL;
}

static void resources_release(struct resource_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i].name);
	free(list->items);
	list->items = NULL;
	list->len = 0;
}

/* Frees what the value owns and leaves it zero. elem and schema describe
 * list elements when type is FIELD_LIST. */
static void value_release(enum field_type type, const struct schema *schema,
			  enum field_type elem, void *value)
{
	/* Hot (every unpacked object freed walks its whole schema): unset
	 * strings, maps and lists are common and need no call at all. */
	switch (type) {
	case FIELD_STRING: {
		char **text = value;
		if (*text) {
			free(*text);
			*text = NULL;
		}
		return;
	}
	case FIELD_INT_OR_STRING:
		free(((struct int_or_string *)value)->str_value);
		break;
	case FIELD_STRMAP:
		if (((struct strmap *)value)->items)
			strmap_release(value);
		return;		/* strmap_release leaves it zero */
	case FIELD_RESOURCES:
		if (((struct resource_list *)value)->items)
			resources_release(value);
		return;		/* as does resources_release */
	case FIELD_STRUCT:
		if (!all_zero(value, schema->size))
			schema_release(schema, value);
		return;
	case FIELD_LIST: {
		struct list_any *list = value;
		if (!list->items)
			return;		/* absent: zero already */
		size_t size = type_size(elem, schema);
		check_elem(elem);
		for (size_t i = 0; i < list->len; i++)
			value_release(elem, schema, FIELD_STRING,
				      list_item(list, i, size));
		free(list->items);
		break;
	}
	default:
		break;
	}
	memset(value, 0, type_size(type, schema));
}

void schema_release(const struct schema *schema, void *base)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		value_release(f->type, f->schema, f->elem, field_value(f, base));
	}
}

static void value_copy(enum field_type type, const struct schema *schema,
		       enum field_type elem, void *dst, const void *src)
{
	switch (type) {
	case FIELD_STRING:
		*(char **)dst = xstrdup(*(char *const *)src);
		break;
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *from = src;
		struct int_or_string *to = dst;
		*to = *from;
		to->str_value = xstrdup(from->str_value);
		break;
	}
	case FIELD_STRMAP:
		strmap_copy(dst, src);
		break;
	case FIELD_RESOURCES: {
		const struct resource_list *from = src;
		struct resource_list *to = dst;
		to->len = from->len;
		to->items = NULL;
		if (from->len)
			to->items = xcalloc(from->len, sizeof(*to->items));
		for (size_t i = 0; i < from->len; i++) {
			to->items[i].name = xstrdup(from->items[i].name);
			to->items[i].quantity = from->items[i].quantity;
		}
		break;
	}
	case FIELD_STRUCT:
		if (all_zero(src, schema->size))
			memset(dst, 0, schema->size);
		else
			schema_copy(schema, dst, src);
		break;
	case FIELD_LIST: {
		const struct list_any *from = src;
		struct list_any *to = dst;
		size_t size = type_size(elem, schema);
		check_elem(elem);
		to->len = from->len;
		to->items = from->len ? xcalloc(from->len, size) : NULL;
		for (size_t i = 0; i < from->len; i++)
			value_copy(elem, schema, FIELD_STRING,
				   list_item(to, i, size), list_item(from, i, size));
		break;
	}
	default:
		memcpy(dst, src, type_size(type, schema));
		break;
	}
}

void schema_copy(const struct schema *schema, void *dst, const void *src)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		value_copy(f->type, f->schema, f->elem, field_value(f, dst),
			   field_value(f, src));
	}
}

void schema_release_field(const struct field *field, void *base)
{
	value_release(field->type, field->schema, field->elem,
		      field_value(field, base));
}

static bool strings_equal(const char *a, const char *b)
{
	/* NULL (unset) and "" differ: storageClassName: "" means "no class". */
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool value_equal(enum field_type type, const struct schema *schema,
			enum field_type elem, const void *a, const void *b)
{
	switch (type) {
	case FIELD_STRING:
		return strings_equal(*(char *const *)a, *(char *const *)b);
	case FIELD_INT32:
		return *(const int32_t *)a == *(const int32_t *)b;
	case FIELD_INT64:
		return *(const int64_t *)a == *(const int64_t *)b;
	case FIELD_BOOL:
		return *(const bool *)a == *(const bool *)b;
	case FIELD_DOUBLE:
		return *(const double *)a == *(const double *)b;
	case FIELD_QUANTITY:
		return quantity_cmp(a, b) == 0;
	case FIELD_TIME:
	case FIELD_DURATION:
		return *(const ktime_t *)a == *(const ktime_t *)b;
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *x = a, *y = b;
		if (x->is_set != y->is_set)
			return false;
		if (!x->is_set)
			return true;
		if (x->is_string != y->is_string)
			return false;
		return x->is_string ? strings_equal(x->str_value, y->str_value)
				    : x->int_value == y->int_value;
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *x = a, *y = b;
		return x->is_set == y->is_set && (!x->is_set || x->value == y->value);
	}
	case FIELD_STRMAP:
		return strmap_equal(a, b);
	case FIELD_RESOURCES: {
		const struct resource_list *x = a, *y = b;
		if (x->len != y->len)
			return false;
		for (size_t i = 0; i < x->len; i++)
			if (strcmp(x->items[i].name, y->items[i].name) ||
			    quantity_cmp(&x->items[i].quantity, &y->items[i].quantity))
				return false;
		return true;
	}
	case FIELD_STRUCT:
		if (all_zero(a, schema->size) && all_zero(b, schema->size))
			return true;
		return schema_equal(schema, a, b);
	case FIELD_LIST: {
		const struct list_any *x = a, *y = b;
		size_t size = type_size(elem, schema);
		if (x->len != y->len)
			return false;
		for (size_t i = 0; i < x->len; i++)
			if (!value_equal(elem, schema, FIELD_STRING,
					 list_item(x, i, size), list_item(y, i, size)))
				return false;
		return true;
	}
	}
	bug_report(__FILE__, __LINE__, "unknown field type");
}

bool schema_equal(const struct schema *schema, const void *a, const void *b)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		if (!value_equal(f->type, f->schema, f->elem, field_value(f, a),
				 field_value(f, b)))
			return false;
	}
	return true;
}

bool schema_value_is_zero(enum field_type type, const struct schema *schema,
			  const void *value)
{
	switch (type) {
	case FIELD_STRING:	return *(char *const *)value == NULL;
	case FIELD_INT32:	return *(const int32_t *)value == 0;
	case FIELD_INT64:	return *(const int64_t *)value == 0;
	case FIELD_BOOL:	return !*(const bool *)value;
	case FIELD_DOUBLE:	return *(const double *)value == 0;
	case FIELD_QUANTITY:	return quantity_is_zero(value);
	case FIELD_TIME:
	case FIELD_DURATION:	return *(const ktime_t *)value == 0;
	case FIELD_INT_OR_STRING:
		return !((const struct int_or_string *)value)->is_set;
	case FIELD_OPT_INT64:	return !((const struct opt_int64 *)value)->is_set;
	case FIELD_STRMAP:	return ((const struct strmap *)value)->len == 0;
	case FIELD_RESOURCES:	return ((const struct resource_list *)value)->len == 0;
	case FIELD_LIST:	return ((const struct list_any *)value)->len == 0;
	case FIELD_STRUCT:
		if (all_zero(value, schema->size))
			return true;
		for (size_t i = 0; i < schema->fields_len; i++) {
			const struct field *f = &schema->fields[i];
			if (!schema_value_is_zero(f->type, f->schema,
						  field_value(f, value)))
				return false;
		}
		return true;
	}
	bug_report(__FILE__, __LINE__, "unknown field type");
}

/* ---- defaulting --------------------------------------------------------- */

/* A zero value counts as absent: an int32 `replicas: 0` cannot be told from
 * a missing one here, so callers that know what a manifest said (decode.c)
 * apply defaults only to what was missing. See schema.h. */
void schema_apply_defaults(const struct schema *schema, void *base)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		void *value = field_value(f, base);
		bool zero = schema_value_is_zero(f->type, f->schema, value);

		if (f->dflt && zero) {
			const char *why = NULL;
			int rc = schema_scalar_parse(f->type, f->dflt, value, &why);
			BUG_ON(rc != 0);	/* a bad default in a table */
		}
		if (f->type == FIELD_STRUCT) {
			/* A probe the user did not write gets no periodSeconds. */
			if (!(zero && (f->flags & FIELD_OPTIONAL)))
				schema_apply_defaults(f->schema, value);
		} else if (f->type == FIELD_LIST && f->elem == FIELD_STRUCT) {
			const struct list_any *list = value;
			for (size_t j = 0; j < list->len; j++)
				schema_apply_defaults(f->schema,
					list_item(list, j, f->schema->size));
		}
	}
}
