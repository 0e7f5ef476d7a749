/* schema_pack.c - packing: the one-block copies of objects the store keeps,
 * with shared (interned) strings.
 *
 * K8S: no counterpart of its own. The API server keeps each object version
 * once (in etcd, and decoded in the watch cache, staging/src/k8s.io/
 * apiserver/pkg/storage/cacher) and hands every watcher that same copy;
 * Go strings are immutable, so equal ones share memory freely. kubelab's
 * store does the same with "frozen" versions (object.h): a frozen object
 * is a deep copy whose strings and arrays all live in one block, and whose
 * repeated strings point at one shared copy.
 *
 * Interface: schema_pack_measure, schema_pack_copy (schema.h, where the
 * three steps of packing are described). Lists marked FIELD_SHARE are
 * not packed here but shared between blocks (schema_share.c). Invariants: the measure walk and
 * the copy walk mirror each other (and value_copy in schema.c), so a copy
 * never takes more of the block than was measured; a packed value is never
 * released or edited in place, which is what makes pointing it at table
 * text and interned strings safe. See also schema.c, store.c.
 */
#include "schema.h"
#include "schema_internal.h"
#include "hashmap.h"
#include "xmalloc.h"

#include <stddef.h>
#include <string.h>

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
static struct hashmap interned = {.unordered = true};	/* text -> its one copy;
							 * never iterated */

const char *schema_intern(const char *s)
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
		size_t size = type_size(elem, schema);
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

void schema_pack_value_measure(const struct field *field, const void *value,
			       struct schema_pack *pack)
{
	value_pack_measure(field->type, field->schema, field->elem,
			   field->flags & FIELD_INTERN, value, pack);
}

void schema_pack_measure(const struct field *field, const void *base,
			 struct schema_pack *pack)
{
	if (may_be_table_text(field) && table_text(field, base))
		return;
	if (schema_pack_shares(field, field_value(field, base), pack)) {
		pack->shares++;		/* takes no room in the block */
		return;
	}
	schema_pack_value_measure(field, field_value(field, base), pack);
}

static const char *pack_string(const char *s, bool shared, struct schema_pack *pack)
{
	if (!s)
		return NULL;
	if (shared)
		return schema_intern(s);
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
		size_t size = type_size(elem, schema);
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
		memcpy(dst, src, type_size(type, schema));
		break;
	}
}

void schema_pack_value_copy(const struct field *field, void *dst, const void *src,
			    struct schema_pack *pack)
{
	value_pack_copy(field->type, field->schema, field->elem,
			field->flags & FIELD_INTERN, dst, src, pack);
}

void schema_pack_copy(const struct field *field, void *dst, const void *src,
		      struct schema_pack *pack)
{
	const char *text = may_be_table_text(field) ? table_text(field, src) : NULL;
	if (text) {
		*(char **)field_value(field, dst) = (char *)text;
		return;
	}
	if (schema_pack_shares(field, field_value(field, src), pack)) {
		schema_pack_share_copy(field, field_value(field, dst),
				       field_value(field, src), pack);
		return;
	}
	schema_pack_value_copy(field, field_value(field, dst), field_value(field, src), pack);
}
