/* schema.h - a reflective description of API types, and generic operations.
 *
 * K8S: the role of the OpenAPI schema and of apimachinery's runtime.Scheme.
 *
 * Every Kubernetes kind in kubelab is a plain C struct (api_types.h). Beside
 * each struct sits a table of its fields: JSON name, type, offset, and for
 * nested types the nested table. With that one description kubelab decodes
 * manifests with strict field checking (decode.c), encodes objects as JSON
 * for -o json and traces (json.c), deep-copies, frees and compares objects,
 * applies defaults as the API server does, and resolves field paths such as
 * `spec.template.spec.containers[0].image` for the scenario `set:` action and
 * for expectations. Adding a field to a kind is one struct member and one
 * table row.
 *
 * Memory conventions for the described structs:
 *   - FIELD_STRING is a char * owned by the struct (NULL = unset/empty);
 *   - FIELD_LIST is a LIST_OF(T): { T *items; size_t len; } owned;
 *   - FIELD_STRMAP is a struct strmap, FIELD_RESOURCES a struct resource_list;
 *   - FIELD_STRUCT is embedded by value (an all-zero struct counts as absent).
 * schema_release() frees all of that; the outer struct is the caller's.
 */
#ifndef KUBELAB_SCHEMA_H
#define KUBELAB_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "err.h"
#include "quantity.h"
#include "strmap.h"

/* A list field: the element type T is known from the schema table. */
#define LIST_OF(T) struct { T *items; size_t len; }
struct list_any {
	void *items;
	size_t len;
};

/* A resource name and amount ("cpu": 500m); lists are sorted by name. */
struct resource_entry {
	char *name;
	struct quantity quantity;
};
struct resource_list {
	struct resource_entry *items;
	size_t len;
};

/* K8S: intstr.IntOrString, e.g. maxSurge: 1 or maxSurge: "25%". */
struct int_or_string {
	bool is_set;
	bool is_string;
	int32_t int_value;
	char *str_value;	/* owned, when is_string */
};

/* An integer that may be absent (Go's *int64): tolerationSeconds,
 * activeDeadlineSeconds. */
struct opt_int64 {
	bool is_set;
	int64_t value;
};

enum field_type {
	FIELD_STRING,
	FIELD_INT32,
	FIELD_INT64,
	FIELD_BOOL,
	FIELD_DOUBLE,
	FIELD_QUANTITY,		/* struct quantity */
	FIELD_TIME,		/* ktime_t; 0 = unset; RFC 3339 in JSON */
	FIELD_DURATION,		/* ktime_t; Go duration text ("30s"); kubelab kinds */
	FIELD_INT_OR_STRING,	/* struct int_or_string */
	FIELD_OPT_INT64,	/* struct opt_int64 (api_common.h): Go's *int64 */
	FIELD_STRMAP,		/* struct strmap */
	FIELD_RESOURCES,	/* struct resource_list */
	FIELD_STRUCT,		/* embedded struct described by .schema */
	FIELD_LIST,		/* LIST_OF(elem) */
};

enum field_flag {
	FIELD_REQUIRED = 1 << 0,	/* decode: must be present */
	FIELD_KEEP_ZERO = 1 << 1,	/* encode: print even when zero (replicas: 0) */
	FIELD_READ_ONLY = 1 << 2,	/* decode: ignored in manifests (uid, ...) */
	FIELD_OPTIONAL = 1 << 3,	/* FIELD_STRUCT: defaults inside apply only
					 * when the struct is present (a probe) */
	FIELD_INTERN = 1 << 4,		/* packing: the value (a string, a map's keys
					 * and values) repeats across objects: frozen
					 * objects share one copy (condition types,
					 * label keys, node names) */
	FIELD_SHARE = 1 << 5,		/* packing: the value (a list) is usually
					 * equal in many objects (a pod's containers:
					 * every replica has its template's): frozen
					 * objects with equal values share one
					 * counted copy (schema_share.c) */
};

struct schema;

struct field {
	const char *name;		/* JSON name: "restartPolicy" */
	enum field_type type;
	size_t offset;			/* offsetof in the parent struct */
	unsigned flags;			/* enum field_flag */
	const struct schema *schema;	/* FIELD_STRUCT, or FIELD_LIST of structs */
	enum field_type elem;		/* FIELD_LIST: element type */
	const char *dflt;		/* default applied when absent, as text */
	const char *const *allowed;	/* FIELD_STRING: allowed values, NULL-ended */
};

struct schema {
	const char *name;		/* "PodSpec": used in messages */
	size_t size;			/* sizeof the struct */
	const struct field *fields;
	size_t fields_len;
};

#define FIELDS(array) (array), (sizeof(array) / sizeof((array)[0]))

/* Size in bytes of one value of a scalar or struct field type. */
size_t schema_type_size(enum field_type type, const struct schema *schema);
const struct field *schema_field(const struct schema *schema, const char *name);

/* Frees everything the struct at base owns; leaves it all-zero. */
void schema_release(const struct schema *schema, void *base);
/* Deep-copies src into dst (dst is overwritten, not released first). */
void schema_copy(const struct schema *schema, void *dst, const void *src);
bool schema_equal(const struct schema *schema, const void *a, const void *b);
/* Frees what the value of one field in the struct at base owns; zeroes it. */
void schema_release_field(const struct field *field, void *base);

/* Packing: a deep copy whose strings and arrays all come out of one block
 * the caller allocates, instead of one allocation each. The store keeps the
 * object versions it holds packed ("frozen", object.h): 150,000 pods are
 * then a few blocks each rather than ~60 small allocations, which halves
 * their memory and makes releasing one a single free.
 *   1. schema_pack_measure adds the bytes a field's value needs to pack,
 *      and counts the shared values it will use (FIELD_SHARE);
 *   2. the caller allocates pack->arrays + pack->strings bytes, aligned as
 *      malloc aligns, and points array_at at the start, string_at at
 *      array_at + arrays; and room for pack->shares pointers, at share_at;
 *   3. schema_pack_copy copies the value of field from src to dst (both
 *      struct bases), taking its memory from the block, and stores at
 *      share_at each shared value it points the copy at, with a count the
 *      block now owns: the caller calls schema_shared_unref on each when
 *      it frees the block.
 * A packed value reads like any other, but its parts are not separate
 * allocations: never schema_release it, or edit it in place. */
struct schema_shared;
struct schema_pack {
	size_t arrays;		/* bytes of lists and maps, each aligned */
	size_t strings;		/* bytes of strings with their NULs */
	size_t shares;		/* shared values used (FIELD_SHARE) */
	char *array_at;		/* where the next array goes */
	char *string_at;	/* where the next string goes */
	struct schema_shared **share_at;	/* where the next one is noted */
	bool in_shared;		/* packing a shared value itself: flagged
				 * fields inside it are packed in place */
};
void schema_shared_unref(struct schema_shared *shared);
void schema_pack_measure(const struct field *field, const void *base,
			 struct schema_pack *pack);
void schema_pack_copy(const struct field *field, void *dst, const void *src,
		      struct schema_pack *pack);

/* The one shared copy of s's text, the same table FIELD_INTERN strings
 * are packed into: equal text gives the same pointer, so code matching
 * packed values may compare pointers before comparing text. Kept for the
 * life of the program: never free or write it. */
const char *schema_intern(const char *s);
/* True when the value is the zero value of its type (an absent field). */
bool schema_value_is_zero(enum field_type type, const struct schema *schema,
			  const void *value);
/* Applies .dflt of every absent field, recursively into nested structs and
 * list elements (the API server's defaulting, K8S: pkg/apis/core/v1/defaults.go). */
void schema_apply_defaults(const struct schema *schema, void *base);

/* Reads text (as written in YAML or on a command line) into the value of
 * one scalar field. Returns 0 or -1 with *why set to "expected ...". */
int schema_scalar_parse(enum field_type type, const char *text, void *value,
			const char **why);
/* Formats a scalar value as text; caller frees. */
char *schema_scalar_format(enum field_type type, const void *value);

/* "2026-01-01T00:01:30Z" (RFC 3339, seconds, as metav1.Time marshals). */
void schema_format_time(ktime_t t, char *buf, size_t size);

/* Field paths. A path is dot-separated JSON names with [n] list indexes,
 * optionally starting with a dot: ".status.availableReplicas",
 * "spec.template.spec.containers[0].image", "metadata.labels.app",
 * "metadata.labels[app.kubernetes.io/name]", "status.allocatable.cpu". */
struct field_ref {
	enum field_type type;		/* type of the value reached */
	const struct schema *schema;	/* FIELD_STRUCT / FIELD_LIST elements */
	enum field_type elem;		/* FIELD_LIST elements */
	void *value;			/* the value; NULL for an absent map key */
	void *container;		/* FIELD_STRMAP / FIELD_RESOURCES holding key */
	char *key;			/* owned: the map key, or NULL */
};

/* Resolves path from the struct at base. 0 on success (release the ref with
 * field_ref_release); -1 with err naming the first bad step ("no field
 * 'contaners' in PodSpec", "index 3 out of range: containers has 1"). */
int schema_resolve(const struct schema *schema, void *base, const char *path,
		   struct field_ref *out, struct err **err);
/* The value as text ("3", "web:v2", "500m"; "" when absent); caller frees.
 * Structs and lists come out as compact JSON-like text. */
char *field_ref_format(const struct field_ref *ref);
/* Parses text as the field's type and stores it; map keys are created.
 * -1 with err ("expected an integer, got 'x'") and nothing changed. */
int field_ref_set(struct field_ref *ref, const char *text, struct err **err);
void field_ref_release(struct field_ref *ref);

/* resource_list helpers */
const struct quantity *resource_list_get(const struct resource_list *list,
					 const char *name);
void resource_list_set(struct resource_list *list, const char *name,
		       const struct quantity *quantity);

#endif
