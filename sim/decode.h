/* decode.h - from YAML documents to typed API objects, strictly.
 *
 * K8S: the API server's strict decoding (kubectl apply --validate=strict):
 * an unknown field, a wrong type, a bad quantity or duration, a value outside
 * an enumeration is an error naming file:line:column and what was expected.
 * Decoding collects every problem instead of stopping at the first; nothing
 * is created from a document that has any.
 */
#ifndef KUBELAB_DECODE_H
#define KUBELAB_DECODE_H

#include "diag.h"
#include "object.h"
#include "yamldoc.h"

/* Decodes one manifest (apiVersion and kind select the type). Applies the
 * API server's defaults. Returns a new object (the caller owns one
 * reference) or NULL after adding diagnostics. */
struct object *decode_object(const char *file, const struct ynode *root,
			     struct diag_list *diags);

/* Decodes node into the struct at base described by schema (zeroed by the
 * caller). path is the field path so far, for messages ("spec.cluster").
 * Fields absent from the YAML get their schema defaults (only the decoder
 * can tell an absent field from a zero one, so defaulting happens here).
 * Returns the number of diagnostics added; the struct may be partly filled
 * either way and is released by the caller with schema_release(). */
int decode_struct(const char *file, const struct ynode *node,
		  const struct schema *schema, void *base, const char *path,
		  struct diag_list *diags);

#endif
