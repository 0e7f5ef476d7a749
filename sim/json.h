/* json.h - JSON output (and input) for kubelab, over cJSON.
 *
 * This module and trace.c are the only ones that include <cjson/cJSON.h>;
 * everything else builds JSON through this small interface, in which a
 * struct json is an opaque node. Object members keep insertion order, so
 * output is deterministic.
 *
 * Ownership: json_new_* return a node the caller frees with json_free(),
 * unless it is handed to json_add/json_append, which take it over.
 * json_print returns a string the caller frees.
 */
#ifndef KUBELAB_JSON_H
#define KUBELAB_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "object.h"
#include "schema.h"

struct json;

struct json *json_new_object(void);
struct json *json_new_array(void);
struct json *json_new_string(const char *value);
void json_add_string(struct json *object, const char *key, const char *value);
void json_add_int(struct json *object, const char *key, int64_t value);
void json_add_double(struct json *object, const char *key, double value);
void json_add_bool(struct json *object, const char *key, bool value);
void json_add_null(struct json *object, const char *key);
void json_add(struct json *object, const char *key, struct json *child);
void json_append(struct json *array, struct json *child);
/* Moves every member of the object src to the end of dst and frees src. */
void json_merge(struct json *dst, struct json *src);
char *json_print(const struct json *json, bool pretty);
void json_free(struct json *json);

/* The struct at base as a JSON object, Kubernetes-style: camelCase names,
 * zero-valued fields omitted (unless FIELD_KEEP_ZERO), quantities and times
 * as strings. */
struct json *json_from_struct(const struct schema *schema, const void *base);
/* An API object with apiVersion and kind first, then metadata, spec, status. */
struct json *json_from_object(const struct object *obj);

/* Reading JSON (the trace, results files). NULL when text is not JSON. */
struct json *json_parse(const char *text);
const struct json *json_get(const struct json *object, const char *key);
const char *json_string(const struct json *json);	/* NULL if not a string */
bool json_number(const struct json *json, double *out);
size_t json_array_len(const struct json *array);
const struct json *json_array_at(const struct json *array, size_t index);

#endif
