/* schema.c - generic operations over the described API structs; see schema.h.
 *
 * K8S: what Go gets from reflection and generated code: deepcopy-gen
 * (DeepCopyInto), defaulter-gen (SetObjectDefaults_*), equality.Semantic
 * (apimachinery/pkg/api/equality) and the JSON marshalling of time.Time and
 * intstr.IntOrString. kubelab has no reflection, so every operation here
 * walks a struct schema table field by field, and a value of each
 * field_type is handled in one switch per operation.
 *
 * The file has four parts:
 *   1. values: release, copy, equal, is-zero for each field_type, and
 *      packing (the copy the store keeps: one block, shared strings);
 *   2. defaulting (schema_apply_defaults);
 *   3. scalars as text (parse and format, RFC 3339 times);
 *   4. field paths (schema_resolve, field_ref_*) and resource lists.
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
#include "duration.h"
#include "hashmap.h"
#include "xmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. values ----------------------------------------------------------- */

size_t schema_type_size(enum field_type type, const struct schema *schema)
{
	switch (type) {
	case FIELD_STRING:		return sizeof(char *);
	case FIELD_INT32:		return sizeof(int32_t);
	case FIELD_INT64:		return sizeof(int64_t);
	case FIELD_BOOL:		return sizeof(bool);
	case FIELD_DOUBLE:		return sizeof(double);
	case FIELD_QUANTITY:		return sizeof(struct quantity);
	case FIELD_TIME:
	case FIELD_DURATION:		return sizeof(ktime_t);
	case FIELD_INT_OR_STRING:	return sizeof(struct int_or_string);
	case FIELD_OPT_INT64:		return sizeof(struct opt_int64);
	case FIELD_STRMAP:		return sizeof(struct strmap);
	case FIELD_RESOURCES:		return sizeof(struct resource_list);
	case FIELD_STRUCT:
		BUG_ON(!schema);
		return schema->size;
	case FIELD_LIST:		return sizeof(struct list_any);
	}
	bug_report(__FILE__, __LINE__, "unknown field type");
}

const struct field *schema_field(const struct schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->fields_len; i++)
		if (!strcmp(schema->fields[i].name, name))
			return &schema->fields[i];
	return NULL;
}

static void *field_value(const struct field *field, const void *base)
{
	return (char *)base + field->offset;
}

static void *list_item(const struct list_any *list, size_t index,
		       size_t elem_size)
{
	return (char *)list->items + index * elem_size;
}

/* An absent optional struct (a probe, a lifecycle hook) is all zero bytes:
 * it owns nothing and every field has its zero value. Release, copy,
 * compare and packing test for that first and skip walking its fields:
 * most of a container's fields are in its three probes, usually absent. */
static bool all_zero(const void *value, size_t size)
{
	const unsigned char *p = value;
	return size == 0 || (p[0] == 0 && !memcmp(p, p + 1, size - 1));
}

/* Lists hold scalars or structs; a list of lists or maps has no JSON name
 * in any kind kubelab models, so the tables never describe one. */
static void check_elem(enum field_type elem)
{
	BUG_ON(elem == FIELD_LIST || elem == FIELD_STRMAP ||
	       elem == FIELD_RESOURCES);
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
	switch (type) {
	case FIELD_STRING:
		free(*(char **)value);
		break;
	case FIELD_INT_OR_STRING:
		free(((struct int_or_string *)value)->str_value);
		break;
	case FIELD_STRMAP:
		strmap_release(value);
		break;
	case FIELD_RESOURCES:
		resources_release(value);
		break;
	case FIELD_STRUCT:
		if (!all_zero(value, schema->size))
			schema_release(schema, value);
		return;
	case FIELD_LIST: {
		struct list_any *list = value;
		size_t size = schema_type_size(elem, schema);
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
	memset(value, 0, schema_type_size(type, schema));
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
		size_t size = schema_type_size(elem, schema);
		check_elem(elem);
		to->len = from->len;
		to->items = from->len ? xcalloc(from->len, size) : NULL;
		for (size_t i = 0; i < from->len; i++)
			value_copy(elem, schema, FIELD_STRING,
				   list_item(to, i, size), list_item(from, i, size));
		break;
	}
	default:
		memcpy(dst, src, schema_type_size(type, schema));
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

/* ---- packing (see schema.h) ---------------------------------------------- */

/* Arrays in a packed block keep malloc's alignment, whatever they hold. */
static size_t pack_align(size_t size)
{
	size_t align = _Alignof(max_align_t);
	return (size + align - 1) / align * align;
}

/* Interned text: one copy of each distinct value, kept for the life of the
 * program, for fields marked FIELD_INTERN (and resource names). Their
 * values come from small sets that every object repeats -- condition
 * types, label keys, owner kinds, node names -- so the table stays small
 * while 150,000 pods stop carrying a copy each. Packed values are never
 * freed one by one, so pointing them at the table is safe. */
static struct hashmap interned;		/* text -> its one copy */

static const char *intern(const char *s)
{
	char *copy = hashmap_get(&interned, s);
	if (!copy) {
		copy = xstrdup(s);
		hashmap_put(&interned, s, copy);
	}
	return copy;
}

/* A string field whose value is one the table itself spells (its default,
 * or one of its allowed values: "IfNotPresent", "Running", "True") is
 * packed as a pointer to the table's text, which lives as long as the
 * program: 150,000 pods need not carry 150,000 copies of "ClusterFirst". */
static const char *table_text(const struct field *field, const void *base)
{
	const char *s = *(char *const *)field_value(field, base);
	if (!s)
		return NULL;
	/* The first letters tell most candidates apart without a call. */
	if (field->dflt && field->dflt[0] == s[0] && !strcmp(field->dflt, s))
		return field->dflt;
	for (const char *const *a = field->allowed; a && *a; a++)
		if ((*a)[0] == s[0] && !strcmp(*a, s))
			return *a;
	return NULL;
}

static inline bool may_be_table_text(const struct field *field)
{
	return field->type == FIELD_STRING && (field->dflt || field->allowed);
}

/* Strings to be interned take no room in the block. */
static void pack_measure_string(const char *s, bool shared, struct schema_pack *pack)
{
	if (s && !shared)
		pack->strings += strlen(s) + 1;
}

/* Mirrors value_copy: every xstrdup there is a string here, every
 * xcalloc/xmalloc an array. shared: intern the strings (FIELD_INTERN). */
static void value_pack_measure(enum field_type type, const struct schema *schema,
			       enum field_type elem, bool shared, const void *value,
			       struct schema_pack *pack)
{
	switch (type) {
	case FIELD_STRING:
		pack_measure_string(*(char *const *)value, shared, pack);
		break;
	case FIELD_INT_OR_STRING:
		pack_measure_string(((const struct int_or_string *)value)->str_value,
				    shared, pack);
		break;
	case FIELD_STRMAP: {
		const struct strmap *map = value;
		if (map->len)
			pack->arrays += pack_align(map->len * sizeof(*map->items));
		for (size_t i = 0; i < map->len; i++) {
			pack_measure_string(map->items[i].key, shared, pack);
			pack_measure_string(map->items[i].value, shared, pack);
		}
		break;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *list = value;
		if (list->len)
			pack->arrays += pack_align(list->len * sizeof(*list->items));
		break;		/* resource names are always interned */
	}
	case FIELD_STRUCT:
		if (all_zero(value, schema->size))
			break;
		for (size_t i = 0; i < schema->fields_len; i++)
			schema_pack_measure(&schema->fields[i], value, pack);
		break;
	case FIELD_LIST: {
		const struct list_any *list = value;
		size_t size = schema_type_size(elem, schema);
		check_elem(elem);
		if (list->len)
			pack->arrays += pack_align(list->len * size);
		for (size_t i = 0; i < list->len; i++)
			value_pack_measure(elem, schema, FIELD_STRING, shared,
					   list_item(list, i, size), pack);
		break;
	}
	default:
		break;
	}
}

void schema_pack_measure(const struct field *field, const void *base,
			 struct schema_pack *pack)
{
	if (may_be_table_text(field) && table_text(field, base))
		return;
	value_pack_measure(field->type, field->schema, field->elem,
			   field->flags & FIELD_INTERN, field_value(field, base), pack);
}

static const char *pack_string(const char *s, bool shared, struct schema_pack *pack)
{
	if (!s)
		return NULL;
	if (shared)
		return intern(s);
	size_t n = strlen(s) + 1;
	char *to = pack->string_at;
	memcpy(to, s, n);
	pack->string_at += n;
	return to;
}

static void *pack_array(size_t size, struct schema_pack *pack)
{
	void *to = pack->array_at;
	pack->array_at += pack_align(size);
	return to;
}

/* Packed strings are stored through char * fields but never written or
 * freed through them (see schema.h), so the casts from const are safe. */
static void value_pack_copy(enum field_type type, const struct schema *schema,
			    enum field_type elem, bool shared, void *dst,
			    const void *src, struct schema_pack *pack)
{
	switch (type) {
	case FIELD_STRING:
		*(char **)dst = (char *)pack_string(*(char *const *)src, shared, pack);
		break;
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *from = src;
		struct int_or_string *to = dst;
		*to = *from;
		to->str_value = (char *)pack_string(from->str_value, shared, pack);
		break;
	}
	case FIELD_STRMAP: {
		const struct strmap *from = src;
		struct strmap *to = dst;
		to->len = to->cap = from->len;
		to->items = from->len ? pack_array(from->len * sizeof(*to->items), pack) : NULL;
		for (size_t i = 0; i < from->len; i++) {
			to->items[i].key = (char *)pack_string(from->items[i].key, shared, pack);
			to->items[i].value = (char *)pack_string(from->items[i].value,
								 shared, pack);
		}
		break;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *from = src;
		struct resource_list *to = dst;
		to->len = from->len;
		to->items = from->len ? pack_array(from->len * sizeof(*to->items), pack) : NULL;
		for (size_t i = 0; i < from->len; i++) {
			to->items[i].name = (char *)pack_string(from->items[i].name, true, pack);
			to->items[i].quantity = from->items[i].quantity;
		}
		break;
	}
	case FIELD_STRUCT:
		if (all_zero(src, schema->size)) {
			memset(dst, 0, schema->size);
			break;
		}
		for (size_t i = 0; i < schema->fields_len; i++)
			schema_pack_copy(&schema->fields[i], dst, src, pack);
		break;
	case FIELD_LIST: {
		const struct list_any *from = src;
		struct list_any *to = dst;
		size_t size = schema_type_size(elem, schema);
		to->len = from->len;
		to->items = from->len ? pack_array(from->len * size, pack) : NULL;
		/* Elements are written whole below; zero first, as xcalloc does,
		 * so padding bytes never differ between two copies. */
		if (from->len)
			memset(to->items, 0, from->len * size);
		for (size_t i = 0; i < from->len; i++)
			value_pack_copy(elem, schema, FIELD_STRING, shared,
					list_item(to, i, size), list_item(from, i, size), pack);
		break;
	}
	default:
		memcpy(dst, src, schema_type_size(type, schema));
		break;
	}
}

void schema_pack_copy(const struct field *field, void *dst, const void *src,
		      struct schema_pack *pack)
{
	const char *text = may_be_table_text(field) ? table_text(field, src) : NULL;
	if (text) {
		*(char **)field_value(field, dst) = (char *)text;
		return;
	}
	value_pack_copy(field->type, field->schema, field->elem,
			field->flags & FIELD_INTERN, field_value(field, dst),
			field_value(field, src), pack);
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
		size_t size = schema_type_size(elem, schema);
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

/* ---- 2. defaulting ------------------------------------------------------- */

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

/* ---- 3. scalars as text -------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. The year
 * is split into 400-year eras of 146097 days, and each year is counted from
 * March so that the leap day falls at its end. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t year_of_era = year - era * 400;
	int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5
			      + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4
			     - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t day_of_era = days - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
			       - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4
					    - year_of_era / 100);
	int64_t mp = (5 * day_of_year + 2) / 153;
	*day = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void schema_format_time(ktime_t t, char *buf, size_t size)
{
	/* Whole seconds, rounded down, as metav1.Time marshals. */
	int64_t seconds = floor_div(t, KTIME_SECOND);
	int64_t days = floor_div(seconds, 86400);
	int64_t rest = seconds - days * 86400;
	int64_t year;
	int month, day;
	civil_from_days(days, &year, &month, &day);
	snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month,
		 day, (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return true;
}

static bool read_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* K8S: time.Parse(time.RFC3339, ...) as metav1.Time.UnmarshalJSON does:
 * "2026-01-01T00:01:30Z", with optional fractional seconds and a numeric
 * offset ("+02:00"). */
static int parse_time(const char *text, ktime_t *out)
{
	static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = text;
	int year, month, day, hour, minute, second, offset = 0;
	int64_t nanos = 0;

	if (!read_digits(&p, 4, &year) || !read_char(&p, '-') ||
	    !read_digits(&p, 2, &month) || !read_char(&p, '-') ||
	    !read_digits(&p, 2, &day) || !read_char(&p, 'T') ||
	    !read_digits(&p, 2, &hour) || !read_char(&p, ':') ||
	    !read_digits(&p, 2, &minute) || !read_char(&p, ':') ||
	    !read_digits(&p, 2, &second))
		return -1;
	if (read_char(&p, '.')) {
		int digits = 0;
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				nanos = nanos * 10 + (*p - '0');
		if (!digits)
			return -1;
		for (; digits < 9; digits++)
			nanos *= 10;
	}
	if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (!read_digits(&p, 2, &oh) || !read_char(&p, ':') ||
		    !read_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	} else if (!read_char(&p, 'Z')) {
		return -1;
	}
	if (*p || month < 1 || month > 12 || day < 1 ||
	    day > month_days[month - 1] || hour > 23 || minute > 59 || second > 59)
		return -1;
	if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 || year % 400 == 0)))
		return -1;

	int64_t seconds = days_from_civil(year, month, day) * 86400
			  + hour * 3600 + minute * 60 + second - offset;
	int64_t ns;
	if (__builtin_mul_overflow(seconds, KTIME_SECOND, &ns) ||
	    __builtin_add_overflow(ns, nanos, &ns))
		return -1;
	*out = ns;
	return 0;
}

/* 0 when text is a whole decimal integer in [min, max]; -1 when it is not
 * an integer; -2 when it is one out of range. */
static int parse_integer(const char *text, int64_t min, int64_t max,
			 int64_t *out)
{
	const char *digits = text + (*text == '-' || *text == '+');
	if (*digits < '0' || *digits > '9')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*end)
		return -1;
	if (errno == ERANGE || v < min || v > max)
		return -2;
	*out = v;
	return 0;
}

static const char *integer_why(int rc, bool wide)
{
	if (rc == -1)
		return "expected an integer";
	return wide ? "integer out of range (64-bit)"
		    : "integer out of range (32-bit)";
}

int schema_scalar_parse(enum field_type type, const char *text, void *value,
			const char **why)
{
	const char *ignored;
	int64_t n;
	int rc;

	if (!why)
		why = &ignored;
	switch (type) {
	case FIELD_STRING:
		free(*(char **)value);
		*(char **)value = xstrdup(text);
		return 0;
	case FIELD_INT32:
		rc = parse_integer(text, INT32_MIN, INT32_MAX, &n);
		if (rc) {
			*why = integer_why(rc, false);
			return -1;
		}
		*(int32_t *)value = (int32_t)n;
		return 0;
	case FIELD_INT64:
	case FIELD_OPT_INT64:
		rc = parse_integer(text, INT64_MIN, INT64_MAX, &n);
		if (rc) {
			*why = integer_why(rc, true);
			return -1;
		}
		if (type == FIELD_INT64)
			*(int64_t *)value = n;
		else
			*(struct opt_int64 *)value = (struct opt_int64){ true, n };
		return 0;
	case FIELD_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			*why = "expected true or false";
			return -1;
		}
		*(bool *)value = !strcmp(text, "true");
		return 0;
	case FIELD_DOUBLE: {
		char *end;
		double d = strtod(text, &end);
		if (!*text || isspace((unsigned char)*text) || *end || !isfinite(d)) {
			*why = "expected a number";
			return -1;
		}
		*(double *)value = d;
		return 0;
	}
	case FIELD_QUANTITY:
		return quantity_parse(text, value, why);
	case FIELD_TIME:
		if (parse_time(text, value)) {
			*why = "expected an RFC 3339 time such as 2026-01-01T00:00:00Z";
			return -1;
		}
		return 0;
	case FIELD_DURATION:
		return duration_parse(text, value, why);
	case FIELD_INT_OR_STRING: {
		/* K8S: intstr.Parse: a number when it reads as one. */
		struct int_or_string *v = value;
		rc = parse_integer(text, INT32_MIN, INT32_MAX, &n);
		if (rc == -2) {
			*why = integer_why(rc, false);
			return -1;
		}
		free(v->str_value);
		if (rc == 0)
			*v = (struct int_or_string){ .is_set = true, .int_value = (int32_t)n };
		else
			*v = (struct int_or_string){ .is_set = true, .is_string = true,
						     .str_value = xstrdup(text) };
		return 0;
	}
	default:
		break;
	}
	bug_report(__FILE__, __LINE__, "not a scalar field type");
}

/* Shortest text that reads back as the same double, like Go's
 * strconv.FormatFloat(f, 'g', -1, 64). */
static char *format_double(double d)
{
	for (int precision = 1; precision < 17; precision++) {
		char *text = xasprintf("%.*g", precision, d);
		if (strtod(text, NULL) == d)
			return text;
		free(text);
	}
	return xasprintf("%.17g", d);
}

char *schema_scalar_format(enum field_type type, const void *value)
{
	switch (type) {
	case FIELD_STRING: {
		const char *s = *(char *const *)value;
		return xstrdup(s ? s : "");
	}
	case FIELD_INT32:
		return xasprintf("%" PRId32, *(const int32_t *)value);
	case FIELD_INT64:
		return xasprintf("%" PRId64, *(const int64_t *)value);
	case FIELD_BOOL:
		return xstrdup(*(const bool *)value ? "true" : "false");
	case FIELD_DOUBLE:
		return format_double(*(const double *)value);
	case FIELD_QUANTITY: {
		char buf[QUANTITY_STR_MAX];
		quantity_format(value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_TIME: {
		char buf[64] = "";
		if (*(const ktime_t *)value)	/* 0 is "unset" */
			schema_format_time(*(const ktime_t *)value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_DURATION: {
		char buf[DURATION_STR_MAX];
		duration_format(*(const ktime_t *)value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *v = value;
		if (!v->is_set)
			return xstrdup("");
		if (v->is_string)
			return xstrdup(v->str_value ? v->str_value : "");
		return xasprintf("%" PRId32, v->int_value);
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *v = value;
		return v->is_set ? xasprintf("%" PRId64, v->value) : xstrdup("");
	}
	default:
		break;
	}
	bug_report(__FILE__, __LINE__, "not a scalar field type");
}

/* ---- 4. field paths ------------------------------------------------------ *
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
			int rc = parse_integer(digits, 0, INT64_MAX, &index);
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
