/* decode_message.c - the words of decoding diagnostics; see decode.c.
 *
 * A strict decoder is only as useful as its messages. Each one names the
 * field path as upstream does ("spec.containers[0].image", map keys in
 * brackets: "resources.requests[cpu]"), quotes the offending value like
 * Go's %q (cut short so a pasted certificate does not flood the terminal),
 * and says what was expected and what was found: `spec.replicas: expected
 * an integer, got "three"`, with a hint to quote YAML's `version: 2`.
 *
 * K8S: k8s.io/apimachinery/pkg/util/validation/field (paths, "Invalid
 *      value", "Unsupported value"); the type-error wording is kubelab's own.
 *
 * Interface (decode_internal.h): decode_report(), the path_* builders, decode_quote(),
 * decode_describe(), decode_mismatch(), decode_shape_mismatch(), decode_invalid().
 *
 * Invariants: every diagnostic of a decoder goes through decode_report(), so
 * decoder.count is the number of problems found; returned strings are the
 * caller's to free.
 */
#include "decode_internal.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void decode_report(struct decoder *d, const struct ynode *at, const char *fmt,
	    ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d->diags, d->file, at->line, at->column, fmt, ap);
	va_end(ap);
	d->count++;
}

/* ---- field paths and quoting, for messages ---- */

char *decode_path_field(const char *path, const char *name)
{
	return *path ? xasprintf("%s.%s", path, name) : xstrdup(name);
}

char *decode_path_index(const char *path, size_t index)
{
	return xasprintf("%s[%zu]", path, index);
}

char *decode_path_key(const char *path, const char *key)
{
	return xasprintf("%s[%s]", path, key);
}

/* text in double quotes with quotes, backslashes and control characters
 * escaped (like Go's %q), cut after max bytes with "..." so that a pasted
 * certificate does not flood the terminal. Caller frees. */
char *decode_quote(const char *text, size_t max)
{
	size_t len = strlen(text);
	size_t cut = len > max ? max : len;
	while (cut < len && cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut--;		/* do not split a UTF-8 sequence */
	char *out = xmalloc(cut * 4 + 8);
	char *p = out;
	*p++ = '"';
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c == '\n') {
			p = stpcpy(p, "\\n");
		} else if (c == '\t') {
			p = stpcpy(p, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			p += sprintf(p, "\\x%02x", c);
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	p = stpcpy(p, cut < len ? "..." : "");
	return out;
}


/* What a node is, for "got ..." in messages: `"three"`, `the string "3"`
 * (quoted in the YAML, hence not a number), `the integer 2`, `a mapping`.
 * Caller frees. */
char *decode_describe(const struct ynode *node)
{
	if (node->kind != YNODE_SCALAR)
		return xstrdup(ynode_kind_name(node->kind));
	char *quoted = decode_quote(node->scalar, QUOTE_VALUE);
	char *out;
	switch (ynode_scalar_type(node)) {
	case YSCALAR_NULL:
		out = xstrdup("null");
		break;
	case YSCALAR_BOOL:
		out = xasprintf("the boolean %s", node->scalar);
		break;
	case YSCALAR_INT:
		out = xasprintf("the integer %s", node->scalar);
		break;
	case YSCALAR_FLOAT:
		out = xasprintf("the number %s", node->scalar);
		break;
	default:
		out = node->plain ? xstrdup(quoted)
				  : xasprintf("the string %s", quoted);
		break;
	}
	free(quoted);
	return out;
}

/* What a value of the type looks like, for messages. */
static const char *expected_text(enum field_type type)
{
	switch (type) {
	case FIELD_STRING:
		return "expected a string";
	case FIELD_INT32:
	case FIELD_INT64:
	case FIELD_OPT_INT64:
		return "expected an integer";
	case FIELD_BOOL:
		return "expected a boolean (true or false)";
	case FIELD_DOUBLE:
		return "expected a number";
	case FIELD_QUANTITY:
		return "expected a quantity such as 100m or 1Gi";
	case FIELD_TIME:
		return "expected a time such as 2026-01-01T00:00:00Z";
	case FIELD_DURATION:
		return "expected a duration such as 30s";
	case FIELD_INT_OR_STRING:
		return "expected an integer or a string such as \"25%\"";
	default:
		return "expected a value";
	}
}

/* "PATH: expected an integer, got WHAT", for a value of the wrong type. A
 * number or a boolean where a string belongs gets a hint: YAML's
 * `version: 2` and `enabled: yes` are the classic way to break a label or
 * an env value. */
void decode_mismatch(struct decoder *d, const struct ynode *node,
	      const char *path, enum field_type type)
{
	char *got = decode_describe(node);
	char *hint = NULL;
	if (type == FIELD_STRING && node->kind == YNODE_SCALAR &&
	    ynode_scalar_type(node) != YSCALAR_STRING &&
	    ynode_scalar_type(node) != YSCALAR_NULL) {
		char *quoted = decode_quote(node->scalar, QUOTE_VALUE);
		hint = xasprintf(" (quote it to make it a string: %s)", quoted);
		free(quoted);
	}
	decode_report(d, node, "%s: %s, got %s%s", path, expected_text(type), got,
	       hint ? hint : "");
	free(hint);
	free(got);
}

/* "expected a mapping for spec.template, got a list": the shape is wrong. */
void decode_shape_mismatch(struct decoder *d, const struct ynode *node,
		    const char *path, const char *expected)
{
	char *got = decode_describe(node);
	if (*path)
		decode_report(d, node, "expected %s for %s, got %s", expected, path, got);
	else
		decode_report(d, node, "expected %s, got %s", expected, got);
	free(got);
}

/* "PATH: invalid quantity "1.5GB": unknown suffix ...": the type is right
 * but the text does not parse; why comes from the parser. */
void decode_invalid(struct decoder *d, const struct ynode *node,
	     const char *path, const char *noun, const char *why)
{
	char *value = decode_quote(node->scalar, QUOTE_VALUE);
	decode_report(d, node, "%s: invalid %s %s: %s", path, noun, value, why);
	free(value);
}
