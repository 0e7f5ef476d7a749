/* decode_internal.h - declarations shared by the files of the manifest
 * decoder.
 *
 * Internal to decode.c, decode_message.c, decode_scalar.c and
 * decode_object.c; nothing else includes it. The public interface is
 * decode.h.
 */
#ifndef KUBELAB_DECODE_INTERNAL_H
#define KUBELAB_DECODE_INTERNAL_H

#include "decode.h"
#include "schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One decoding run: where its diagnostics go, and how many it added. */
struct decoder {
	const char *file;
	struct diag_list *diags;
	int count;		/* diagnostics added by this decoder */
};

/* ---- messages (decode_message.c) ---- */

/* Adds a diagnostic at the node's position and counts it. */
void decode_report(struct decoder *d, const struct ynode *at, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

/* Field paths for messages: "spec.replicas", "containers[0]",
 * "requests[cpu]". Caller frees. */
char *decode_path_field(const char *path, const char *name);
char *decode_path_index(const char *path, size_t index);
char *decode_path_key(const char *path, const char *key);

/* text in double quotes, escaped like Go's %q, cut after max bytes with
 * "...". Caller frees. */
char *decode_quote(const char *text, size_t max);

#define QUOTE_VALUE 60		/* values in messages */
#define QUOTE_PATH 200		/* field paths are never cut in practice */

/* What a node is, for "got ..." in messages. Caller frees. */
char *decode_describe(const struct ynode *node);

/* "PATH: expected an integer, got WHAT": a value of the wrong type. */
void decode_mismatch(struct decoder *d, const struct ynode *node,
	      const char *path, enum field_type type);
/* "expected a mapping for PATH, got a list": the shape is wrong. */
void decode_shape_mismatch(struct decoder *d, const struct ynode *node,
		    const char *path, const char *expected);
/* "PATH: invalid NOUN VALUE: WHY": the type is right, the text does not
 * parse. */
void decode_invalid(struct decoder *d, const struct ynode *node,
	     const char *path, const char *noun, const char *why);

/* ---- scalars (decode_scalar.c) ---- */

/* An integer as the JSON decoder would see it (3.0 is 3). */
bool decode_read_integer(const struct ynode *node, int64_t *out);
/* read_integer with range checks and diagnostics; false after a report. */
bool decode_integer(struct decoder *d, const struct ynode *node,
		    const char *path, bool is_32bit, int64_t *out);
/* A quantity from a string or a number; reports what does not parse. */
void decode_quantity(struct decoder *d, const struct ynode *node,
		     const char *path, struct quantity *out);
/* Reports a string outside allowed (a NULL-terminated list, or NULL). */
void decode_check_allowed(struct decoder *d, const struct ynode *node,
		   const char *path, const char *const *allowed);

/* ---- the schema walk (decode.c) ---- */

/* Decodes the mapping node into base against schema, reporting every
 * problem and applying the defaults of absent fields. type_meta skips
 * apiVersion and kind (read by decode_object). */
void decode_fields(struct decoder *d, const struct ynode *node,
		   const struct schema *schema, void *base,
		   const char *path, bool type_meta);

#endif
