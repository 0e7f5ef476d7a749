/* decode_scalar.c - decoding integers, quantities and enumerations.
 *
 * What a scalar field accepts follows the JSON the API server would see
 * after kubectl's YAML-to-JSON conversion: JSON has one number type, so
 * `replicas: 3.0` is the integer 3 and `2.5` is refused; a Quantity is a
 * JSON string or number (`cpu: 2`, `memory: 1Gi`); an int32 field refuses
 * what does not fit in 32 bits; an enumerated string (restartPolicy) must
 * be one of its values.
 *
 * K8S: encoding/json number decoding into int32/int64;
 *      k8s.io/apimachinery/pkg/api/resource Quantity.UnmarshalJSON;
 *      k8s.io/apimachinery/pkg/util/validation/field.NotSupported.
 *
 * Interface (decode_internal.h): decode_read_integer(), decode_integer(),
 * decode_quantity(), decode_check_allowed().
 *
 * Invariants: on any problem exactly one diagnostic is reported and the
 * output is left as it was (decode_quantity may leave a partial quantity,
 * which the caller discards because the decoder's count went up).
 *
 * See also: decode.c (the schema walk), decode_message.c (the wording).
 */
#include "decode_internal.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An integer as the JSON decoder would see it. JSON has one number type,
 * so the YAML float 3.0 (or 1e3) reaches Go as the number 3 (1000) and
 * decodes into an int32; 2.5 does not. */
bool decode_read_integer(const struct ynode *node, int64_t *out)
{
	double number;
	switch (ynode_scalar_type(node)) {
	case YSCALAR_INT:
		return ynode_int64(node, out) == 0;
	case YSCALAR_FLOAT:
		if (ynode_double(node, &number) || !isfinite(number) ||
		    number != trunc(number) || fabs(number) >= 0x1p63)
			return false;
		*out = (int64_t)number;
		return true;
	default:
		return false;
	}
}

bool decode_integer(struct decoder *d, const struct ynode *node,
		    const char *path, bool is_32bit, int64_t *out)
{
	if (!decode_read_integer(node, out)) {
		if (ynode_scalar_type(node) == YSCALAR_INT)
			decode_report(d, node, "%s: %s does not fit in a 64-bit integer",
			       path, node->scalar);
		else
			decode_mismatch(d, node, path, FIELD_INT64);
		return false;
	}
	if (is_32bit && (*out < INT32_MIN || *out > INT32_MAX)) {
		decode_report(d, node, "%s: %s does not fit in a 32-bit integer", path,
		       node->scalar);
		return false;
	}
	return true;
}

/* The text a quantity is parsed from. Upstream's Quantity accepts a JSON
 * string or number; a YAML integer in hex or octal reaches it as decimal,
 * a float as written (upstream goes through a float64 first, which only
 * matters past 15 significant digits). NULL when the node cannot be one. */
static char *quantity_text(const struct ynode *node)
{
	enum yscalar_type type = ynode_scalar_type(node);
	int64_t integer;
	double number;
	if (type == YSCALAR_STRING)
		return xstrdup(node->scalar);
	if (type == YSCALAR_INT && ynode_int64(node, &integer) == 0)
		return xasprintf("%" PRId64, integer);
	if ((type != YSCALAR_INT && type != YSCALAR_FLOAT) ||
	    ynode_double(node, &number) || !isfinite(number))
		return NULL;	/* .inf and .nan have no JSON form */
	/* A float, or an integer beyond int64: as written, less YAML's
	 * digit separators (1_000); the quantity parser has the last word. */
	char *text = xstrdup(node->scalar), *out = text;
	for (const char *p = node->scalar; *p; p++)
		if (*p != '_')
			*out++ = *p;
	*out = '\0';
	return text;
}

void decode_quantity(struct decoder *d, const struct ynode *node,
		     const char *path, struct quantity *out)
{
	char *text = quantity_text(node);
	const char *why = NULL;
	if (!text)
		decode_mismatch(d, node, path, FIELD_QUANTITY);
	else if (schema_scalar_parse(FIELD_QUANTITY, text, out, &why))
		decode_invalid(d, node, path, "quantity", why);
	free(text);
}

/* K8S: field.NotSupported. Empty strings are not checked: upstream's
 * defaulting treats "" as unset, and so does kubelab's. */
void decode_check_allowed(struct decoder *d, const struct ynode *node,
		   const char *path, const char *const *allowed)
{
	if (!allowed || !*node->scalar)
		return;
	for (size_t i = 0; allowed[i]; i++)
		if (!strcmp(allowed[i], node->scalar))
			return;
	char *list = xstrdup("");
	for (size_t i = 0; allowed[i]; i++) {
		char *quoted = decode_quote(allowed[i], QUOTE_VALUE);
		char *longer = xasprintf("%s%s%s", list, i ? ", " : "", quoted);
		free(quoted);
		free(list);
		list = longer;
	}
	char *value = decode_quote(node->scalar, QUOTE_VALUE);
	decode_report(d, node, "%s: Unsupported value: %s: supported values: %s", path,
	       value, list);
	free(value);
	free(list);
}
