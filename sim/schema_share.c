/* schema_share.c - packed list values that many objects share, counted.
 *
 * K8S: no counterpart of its own. Every replica of a ReplicaSet is made
 * from the same template, so 100 pods carry 100 equal container lists;
 * in the API server they are 100 decoded copies, but Go's garbage
 * collector makes sharing free wherever code passes one value around.
 * kubelab's store packs each object version into blocks of its own
 * (schema_pack.c), and a container is the biggest thing in a pod: 688
 * bytes of struct, most of them absent probes, before its strings.
 * Fields marked FIELD_SHARE (a pod spec's containers and tolerations) are
 * therefore packed once per distinct value: the first block that needs a
 * value packs it into a shared value of its own, with a count, and every
 * later block with an equal value points at it and takes a count. A
 * block's shared values are released with it (schema_shared_unref), and
 * the last release frees the value, so nothing outlives its objects.
 *
 * "Equal" here is stricter than schema_equal: every byte a reader could
 * see must match (a quantity's format as well as its amount, an absent
 * opt_int64's stored value, NULL apart from ""), so that no reader can
 * tell a shared value from a copy of its own. Values are found by a
 * 64-bit hash of the same parts; two values that hash differently are
 * never shared, so the hash only has to agree with equality for values
 * that matter (an odd struct whose padding is not zero may miss a share,
 * which costs memory, never correctness).
 *
 * Interface: schema_pack_share_measure, schema_pack_share_copy for
 * schema_pack.c (schema_internal.h); schema_shared_unref (schema.h).
 * Invariants: a shared value is in the table while its count is positive
 * and is never edited; its strings and arrays are packed inside it (a
 * shared value never points into a block, or into another shared value).
 * See also: schema_pack.c, object.c (the blocks that hold the counts).
 */
#include "schema.h"
#include "schema_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct schema_shared {
	struct schema_shared *next;	/* the table's chain */
	uint64_t hash;
	long refs;
	const struct field *field;	/* the list field it is a value of */
	size_t len;			/* its elements */
	max_align_t data[];		/* the items, then their strings */
};

/* Chained by hash; cap is a power of two. For the life of the program,
 * like the interned strings, but only shared values in use are in it. */
static struct {
	struct schema_shared **chains;
	size_t cap, len;
} table;

/* ---- hashing and comparing ----------------------------------------------- */

/* Eight bytes per multiply: a pod's containers are hashed field by field
 * at every pod creation, and a byte at a time showed in the profile. The
 * table is only searched, never walked, so the hash decides nothing but
 * where a value sits in it. The length goes into the last word, so that
 * "\377" and "\377\0" differ. */
static uint64_t mix(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t word;
		memcpy(&word, p, sizeof(word));
		h = (h ^ word) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	uint64_t tail = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	h = (h ^ tail) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t mix_string(uint64_t h, const char *s)
{
	return s ? mix(h, s, strlen(s) + 1) : mix(h, "\377", 1);
}

static uint64_t hash_value(uint64_t h, enum field_type type, const struct schema *schema,
			   enum field_type elem, const void *value);

static uint64_t hash_struct(uint64_t h, const struct schema *schema, const void *base)
{
	if (all_zero(base, schema->size))
		return mix(h, "0", 1);	/* absent: the usual probe */
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		h = hash_value(h, f->type, f->schema, f->elem, field_value(f, base));
	}
	return h;
}

static uint64_t hash_value(uint64_t h, enum field_type type, const struct schema *schema,
			   enum field_type elem, const void *value)
{
	switch (type) {
	case FIELD_STRING:
		return mix_string(h, *(char *const *)value);
	case FIELD_QUANTITY: {
		const struct quantity *q = value;
		h = mix(h, &q->nanos, sizeof(q->nanos));
		return mix(h, &q->format, sizeof(q->format));
	}
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *v = value;
		h = mix(h, &v->is_set, sizeof(v->is_set));
		h = mix(h, &v->is_string, sizeof(v->is_string));
		h = mix(h, &v->int_value, sizeof(v->int_value));
		return mix_string(h, v->str_value);
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *v = value;
		h = mix(h, &v->is_set, sizeof(v->is_set));
		return mix(h, &v->value, sizeof(v->value));
	}
	case FIELD_STRMAP: {
		const struct strmap *map = value;
		h = mix(h, &map->len, sizeof(map->len));
		for (size_t i = 0; i < map->len; i++)
			h = mix_string(mix_string(h, map->items[i].key), map->items[i].value);
		return h;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *list = value;
		h = mix(h, &list->len, sizeof(list->len));
		for (size_t i = 0; i < list->len; i++)
			h = hash_value(mix_string(h, list->items[i].name), FIELD_QUANTITY,
				       NULL, FIELD_STRING, &list->items[i].quantity);
		return h;
	}
	case FIELD_STRUCT:
		return hash_struct(h, schema, value);
	case FIELD_LIST: {
		const struct list_any *list = value;
		size_t size = type_size(elem, schema);
		h = mix(h, &list->len, sizeof(list->len));
		for (size_t i = 0; i < list->len; i++)
			h = hash_value(h, elem, schema, FIELD_STRING, list_item(list, i, size));
		return h;
	}
	default:	/* a plain scalar: all its bytes are its value */
		return mix(h, value, type_size(type, schema));
	}
}

static bool same_string(const char *a, const char *b)
{
	/* Packed versions share interned text: often the very pointer. */
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_value(enum field_type type, const struct schema *schema,
		       enum field_type elem, const void *a, const void *b);

static bool same_struct(const struct schema *schema, const void *a, const void *b)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		if (!same_value(f->type, f->schema, f->elem, field_value(f, a),
				field_value(f, b)))
			return false;
	}
	return true;
}

static bool same_value(enum field_type type, const struct schema *schema,
		       enum field_type elem, const void *a, const void *b)
{
	switch (type) {
	case FIELD_STRING:
		return same_string(*(char *const *)a, *(char *const *)b);
	case FIELD_QUANTITY: {
		const struct quantity *x = a, *y = b;
		return x->nanos == y->nanos && x->format == y->format;
	}
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *x = a, *y = b;
		return x->is_set == y->is_set && x->is_string == y->is_string &&
		       x->int_value == y->int_value && same_string(x->str_value, y->str_value);
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *x = a, *y = b;
		return x->is_set == y->is_set && x->value == y->value;
	}
	case FIELD_STRMAP: {
		const struct strmap *x = a, *y = b;
		if (x->len != y->len)
			return false;
		for (size_t i = 0; i < x->len; i++)
			if (!same_string(x->items[i].key, y->items[i].key) ||
			    !same_string(x->items[i].value, y->items[i].value))
				return false;
		return true;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *x = a, *y = b;
		if (x->len != y->len)
			return false;
		for (size_t i = 0; i < x->len; i++)
			if (!same_string(x->items[i].name, y->items[i].name) ||
			    !same_value(FIELD_QUANTITY, NULL, FIELD_STRING,
					&x->items[i].quantity, &y->items[i].quantity))
				return false;
		return true;
	}
	case FIELD_STRUCT:
		return same_struct(schema, a, b);
	case FIELD_LIST: {
		const struct list_any *x = a, *y = b;
		size_t size = type_size(elem, schema);
		if (x->len != y->len)
			return false;
		for (size_t i = 0; i < x->len; i++)
			if (!same_value(elem, schema, FIELD_STRING, list_item(x, i, size),
					list_item(y, i, size)))
				return false;
		return true;
	}
	default:
		return !memcmp(a, b, type_size(type, schema));
	}
}

/* ---- the table ----------------------------------------------------------- */

static struct schema_shared **chain_of(uint64_t hash)
{
	return &table.chains[hash & (table.cap - 1)];
}

static void table_grow(void)
{
	struct schema_shared **old = table.chains;
	size_t old_cap = table.cap;
	table.cap = old_cap ? 2 * old_cap : 64;
	table.chains = xcalloc(table.cap, sizeof(*table.chains));
	for (size_t i = 0; i < old_cap; i++)
		while (old[i]) {
			struct schema_shared *shared = old[i];
			old[i] = shared->next;
			struct schema_shared **chain = chain_of(shared->hash);
			shared->next = *chain;
			*chain = shared;
		}
	free(old);
}

/* A new shared value: the list is packed into it as it would be into a
 * block, but flagged fields inside are packed in place (pack.in_shared). */
static struct schema_shared *shared_new(const struct field *field, const void *src,
					uint64_t hash)
{
	struct schema_pack pack = { .in_shared = true };
	schema_pack_value_measure(field, src, &pack);
	struct schema_shared *shared = xmalloc(sizeof(*shared) + pack.arrays + pack.strings);
	*shared = (struct schema_shared){
		.hash = hash, .refs = 0, .field = field,
		.len = ((const struct list_any *)src)->len,
	};
	char *start = (char *)shared->data;
	pack.array_at = start;
	pack.string_at = start + pack.arrays;
	struct list_any packed;
	schema_pack_value_copy(field, &packed, src, &pack);
	BUG_ON(packed.items != start || pack.array_at != start + pack.arrays ||
	       pack.string_at != start + pack.arrays + pack.strings);
	if ((table.len + 1) * 4 > table.cap * 3)
		table_grow();
	struct schema_shared **chain = chain_of(hash);
	shared->next = *chain;
	*chain = shared;
	table.len++;
	return shared;
}

/* ---- for schema_pack.c --------------------------------------------------- */

bool schema_pack_shares(const struct field *field, const void *value,
			const struct schema_pack *pack)
{
	return (field->flags & FIELD_SHARE) && !pack->in_shared &&
	       ((const struct list_any *)value)->len > 0;
}

void schema_pack_share_copy(const struct field *field, void *dst, const void *src,
			    struct schema_pack *pack)
{
	BUG_ON(field->type != FIELD_LIST);
	uint64_t hash = hash_value(0xcbf29ce484222325ULL, FIELD_LIST, field->schema,
				   field->elem, src);
	struct schema_shared *shared = table.cap ? *chain_of(hash) : NULL;
	for (; shared; shared = shared->next)
		if (shared->hash == hash && shared->field == field &&
		    same_value(FIELD_LIST, field->schema, field->elem, src,
			       &(struct list_any){ shared->data, shared->len }))
			break;
	if (!shared)
		shared = shared_new(field, src, hash);
	shared->refs++;
	*pack->share_at++ = shared;
	*(struct list_any *)dst = (struct list_any){ shared->data, shared->len };
}

void schema_shared_unref(struct schema_shared *shared)
{
	BUG_ON(shared->refs <= 0);
	if (--shared->refs)
		return;
	struct schema_shared **link = chain_of(shared->hash);
	while (*link != shared)
		link = &(*link)->next;
	*link = shared->next;
	table.len--;
	free(shared);
}
