/* schema_internal.h - what the schema*.c files share; not for other modules.
 *
 * K8S: none of its own; these are the small steps every generic operation
 * of schema.h takes when it walks a described struct (see schema.c).
 *
 * Files of the schema module, all behind schema.h:
 *   schema.c       values: sizes, release, copy, equality, zero, defaults;
 *   schema_pack.c  packing: the one-block copies the store keeps, interning;
 *   schema_share.c packing: list values many blocks share (FIELD_SHARE);
 *   schema_text.c  scalars as text: parse and format, RFC 3339 times;
 *   schema_path.c  field paths (schema_resolve, field_ref_*), resource lists.
 *
 * Invariants: the helpers below trust the tables (schema.c lists what a
 * table must satisfy); they allocate nothing and never fail.
 */
#ifndef KUBELAB_SCHEMA_INTERNAL_H
#define KUBELAB_SCHEMA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "schema.h"
#include "xmalloc.h"

/* schema_type_size, inline: the walks below ask it for every field they
 * visit, and a call per field showed in the cluster bench's profile. */
static inline size_t type_size(enum field_type type, const struct schema *schema)
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

/* The value of field inside the struct at base. */
static inline void *field_value(const struct field *field, const void *base)
{
	return (char *)base + field->offset;
}

/* Element index of a list whose elements are elem_size bytes each. */
static inline void *list_item(const struct list_any *list, size_t index,
			      size_t elem_size)
{
	return (char *)list->items + index * elem_size;
}

/* An absent optional struct (a probe, a lifecycle hook) is all zero bytes:
 * it owns nothing and every field has its zero value. Release, copy,
 * compare and packing test for that first and skip walking its fields:
 * most of a container's fields are in its three probes, usually absent. */
static inline bool all_zero(const void *value, size_t size)
{
	const unsigned char *p = value;
	return size == 0 || (p[0] == 0 && !memcmp(p, p + 1, size - 1));
}

/* Lists hold scalars or structs; a list of lists or maps has no JSON name
 * in any kind kubelab models, so the tables never describe one. */
static inline void check_elem(enum field_type elem)
{
	BUG_ON(elem == FIELD_LIST || elem == FIELD_STRMAP ||
	       elem == FIELD_RESOURCES);
}

/* 0 when text is a whole decimal integer in [min, max]; -1 when it is not
 * an integer; -2 when it is one out of range. Used for scalar fields
 * (schema_text.c) and list indexes in field paths (schema_path.c). */
int schema_parse_integer(const char *text, int64_t min, int64_t max,
			 int64_t *out);

/* ---- between schema_pack.c and schema_share.c ----------------------------- */

/* Measures and packs the value of field itself (value, src and dst point
 * at the value, not at a struct holding it). */
void schema_pack_value_measure(const struct field *field, const void *value,
			       struct schema_pack *pack);
void schema_pack_value_copy(const struct field *field, void *dst, const void *src,
			    struct schema_pack *pack);
/* True when the packed copy of this value of field is a shared value. */
bool schema_pack_shares(const struct field *field, const void *value,
			const struct schema_pack *pack);
/* Points the list at dst at the shared value equal to the list at src,
 * making it if there is none, and notes it at pack->share_at. */
void schema_pack_share_copy(const struct field *field, void *dst, const void *src,
			    struct schema_pack *pack);

#endif
