/* yamldoc_scalar.c - what a YAML scalar means in JSON; see yamldoc.h.
 *
 * kubectl converts each YAML document to JSON before decoding it, and that
 * conversion decides the type of every plain scalar: `3` is a number, `"3"`
 * a string, `yes` a boolean, `0644` the octal number 420, `~` null. This file
 * is that resolution, in goyaml.v2's order, plus the typed ynode_* readers
 * built on it and the load-time check that a scalar with an explicit core
 * tag (`!!int abc`) can be read as that tag.
 *
 * K8S: sigs.k8s.io/yaml goyaml.v2/resolve.go (how plain scalars become JSON
 *      values); Go's strconv.ParseInt/ParseFloat for the number syntax.
 *
 * Interface: the ynode_* readers declared in yamldoc.h (ynode_get,
 * ynode_is_null, ynode_scalar_type, ynode_bool, ynode_int64, ynode_double,
 * ynode_kind_name, ynode_describe), and yamldoc_check_tagged_scalar() for the
 * builder in yamldoc.c (yamldoc_internal.h).
 *
 * Invariants: resolution is a pure function of a scalar's text, tag and
 * style; it never allocates memory that outlives the call, and it never
 * fails: text that is no other type is a string.
 *
 * See also: yamldoc.c (the tree builder that calls the tag check).
 */
#include "yamldoc.h"
#include "yamldoc_internal.h"
#include "xmalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The outcome of resolving a scalar. */
struct resolved {
	enum yscalar_type type;
	bool boolean;
	bool fits;		/* YSCALAR_INT: integer holds the value */
	int64_t integer;
	double number;		/* YSCALAR_FLOAT, and YSCALAR_INT when it fits */
};

/* The words goyaml.v2 resolves by table: YAML 1.1 booleans, nulls, and the
 * special floats. */
static const struct {
	const char *text;
	enum yscalar_type type;
	int value;		/* bool: 0/1; float: 0 nan, 1 +inf, -1 -inf */
} words[] = {
	{ "y", YSCALAR_BOOL, 1 }, { "Y", YSCALAR_BOOL, 1 },
	{ "yes", YSCALAR_BOOL, 1 }, { "Yes", YSCALAR_BOOL, 1 }, { "YES", YSCALAR_BOOL, 1 },
	{ "true", YSCALAR_BOOL, 1 }, { "True", YSCALAR_BOOL, 1 }, { "TRUE", YSCALAR_BOOL, 1 },
	{ "on", YSCALAR_BOOL, 1 }, { "On", YSCALAR_BOOL, 1 }, { "ON", YSCALAR_BOOL, 1 },
	{ "n", YSCALAR_BOOL, 0 }, { "N", YSCALAR_BOOL, 0 },
	{ "no", YSCALAR_BOOL, 0 }, { "No", YSCALAR_BOOL, 0 }, { "NO", YSCALAR_BOOL, 0 },
	{ "false", YSCALAR_BOOL, 0 }, { "False", YSCALAR_BOOL, 0 }, { "FALSE", YSCALAR_BOOL, 0 },
	{ "off", YSCALAR_BOOL, 0 }, { "Off", YSCALAR_BOOL, 0 }, { "OFF", YSCALAR_BOOL, 0 },
	{ "", YSCALAR_NULL, 0 }, { "~", YSCALAR_NULL, 0 }, { "null", YSCALAR_NULL, 0 },
	{ "Null", YSCALAR_NULL, 0 }, { "NULL", YSCALAR_NULL, 0 },
	{ ".nan", YSCALAR_FLOAT, 0 }, { ".NaN", YSCALAR_FLOAT, 0 }, { ".NAN", YSCALAR_FLOAT, 0 },
	{ ".inf", YSCALAR_FLOAT, 1 }, { ".Inf", YSCALAR_FLOAT, 1 }, { ".INF", YSCALAR_FLOAT, 1 },
	{ "+.inf", YSCALAR_FLOAT, 1 }, { "+.Inf", YSCALAR_FLOAT, 1 }, { "+.INF", YSCALAR_FLOAT, 1 },
	{ "-.inf", YSCALAR_FLOAT, -1 }, { "-.Inf", YSCALAR_FLOAT, -1 }, { "-.INF", YSCALAR_FLOAT, -1 },
};

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Go's strconv.ParseInt(s, 0, 64) without underscores: optional sign, then
 * 0x, 0o, 0b or a leading 0 (octal) picks the base. Returns false on a
 * syntax error; *overflow says the digits are valid but exceed uint64 /
 * int64. *magnitude is the unsigned value when it fits in uint64. */
static bool parse_go_int(const char *s, bool *negative, uint64_t *magnitude,
			 bool *overflow)
{
	*negative = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	unsigned base = 10;
	if (s[0] == '0' && s[1]) {
		switch (s[1]) {
		case 'x': case 'X': base = 16; s += 2; break;
		case 'o': case 'O': base = 8; s += 2; break;
		case 'b': case 'B': base = 2; s += 2; break;
		default: base = 8; s += 1; break;
		}
	}
	if (!*s)
		return false;
	uint64_t value = 0;
	*overflow = false;
	for (; *s; s++) {
		int d = digit_value(*s);
		if (d >= (int)base)
			return false;
		if (value > (UINT64_MAX - (uint64_t)d) / base)
			*overflow = true;
		value = value * base + (uint64_t)d;
	}
	*magnitude = value;
	return true;
}

/* goyaml.v2's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float_syntax(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	size_t digits = strspn(s, "0123456789");
	if (digits == 0) {
		if (*s != '.' || !strspn(s + 1, "0123456789"))
			return false;
		s += 1 + strspn(s + 1, "0123456789");
	} else {
		s += digits;
		if (*s == '.')
			s += 1 + strspn(s + 1, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!strspn(s, "0123456789"))
			return false;
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

/* Go's ParseFloat fails (ErrRange) on overflow; it rounds underflow to 0. */
static bool parse_float(const char *s, double *out)
{
	*out = strtod(s, NULL);
	return !isinf(*out);
}

/* Resolves the text of a plain scalar, in goyaml.v2's order. */
static void resolve_plain(const char *text, struct resolved *r)
{
	*r = (struct resolved){ .type = YSCALAR_STRING };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(text, words[i].text))
			continue;
		r->type = words[i].type;
		r->boolean = words[i].value;
		if (r->type == YSCALAR_FLOAT)
			r->number = words[i].value ? words[i].value * INFINITY : NAN;
		return;
	}
	if (text[0] == '.') {
		if (is_float_syntax(text) && parse_float(text, &r->number))
			r->type = YSCALAR_FLOAT;
		return;
	}
	if (!strchr("+-0123456789", text[0]) || !text[0])
		return;
	/* Digits or a sign: an integer, else a float. Underscores are
	 * separators (1_000). Timestamps stay strings: see yamldoc.h. */
	char *plain = xmalloc(strlen(text) + 1), *p = plain;
	for (const char *t = text; *t; t++)
		if (*t != '_')
			*p++ = *t;
	*p = '\0';
	bool negative, overflow;
	uint64_t magnitude;
	bool int_syntax = parse_go_int(plain, &negative, &magnitude, &overflow);
	if (int_syntax && !overflow &&
	    (negative ? magnitude <= (uint64_t)INT64_MAX + 1
		      : magnitude <= (uint64_t)INT64_MAX)) {
		r->type = YSCALAR_INT;
		r->fits = true;
		/* Negate in unsigned arithmetic: -INT64_MIN overflows int64. */
		r->integer = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
		r->number = (double)r->integer;
	} else if (int_syntax && !overflow && !negative && plain[0] != '+') {
		r->type = YSCALAR_INT;	/* fits uint64 only (ParseUint) */
		r->number = (double)magnitude;
	} else if (is_float_syntax(plain) && parse_float(plain, &r->number)) {
		r->type = YSCALAR_FLOAT;
	} else if (int_syntax) {
		r->type = YSCALAR_INT;	/* a big integer: JSON keeps it */
		r->number = NAN;
	}
	free(plain);
}

#define CORE_TAG(name) ("tag:yaml.org,2002:" name)

static const char *short_tag(const char *tag)
{
	static const char prefix[] = CORE_TAG("");
	return strncmp(tag, prefix, sizeof(prefix) - 1) ? tag : tag + sizeof(prefix) - 1;
}

/* The type an explicit tag asks for, or YSCALAR_STRING for !!str, !!binary,
 * !!timestamp and tags outside the core schema (goyaml.v2 leaves those
 * scalars as strings). */
static enum yscalar_type tag_type(const char *tag)
{
	static const struct { const char *tag; enum yscalar_type type; } tags[] = {
		{ CORE_TAG("null"), YSCALAR_NULL }, { CORE_TAG("bool"), YSCALAR_BOOL },
		{ CORE_TAG("int"), YSCALAR_INT }, { CORE_TAG("float"), YSCALAR_FLOAT },
	};
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strcmp(tag, tags[i].tag))
			return tags[i].type;
	return YSCALAR_STRING;
}

static bool resolve_node(const struct ynode *node, struct resolved *r)
{
	if (!node || node->kind != YNODE_SCALAR)
		return false;
	enum yscalar_type want = node->tag ? tag_type(node->tag) : YSCALAR_STRING;
	if ((!node->tag && !node->plain) || (node->tag && want == YSCALAR_STRING)) {
		*r = (struct resolved){ .type = YSCALAR_STRING };
		return true;
	}
	resolve_plain(node->scalar, r);
	if (node->tag && want == YSCALAR_FLOAT && r->type == YSCALAR_INT)
		r->type = YSCALAR_FLOAT;	/* !!float 3 is 3.0 */
	return true;
}

static const char *type_tag(enum yscalar_type type)
{
	static const char *const names[] = {
		[YSCALAR_NULL] = "!!null", [YSCALAR_BOOL] = "!!bool",
		[YSCALAR_INT] = "!!int", [YSCALAR_FLOAT] = "!!float",
		[YSCALAR_STRING] = "!!str",
	};
	return names[type];
}

/* `!!int abc` cannot convert: goyaml.v2 rejects it, and so do we. */
void yamldoc_check_tagged_scalar(const struct ynode *node, const char *name,
				 struct diag_list *diags)
{
	if (!node->tag || tag_type(node->tag) == YSCALAR_STRING)
		return;
	struct resolved r;
	resolve_plain(node->scalar, &r);
	enum yscalar_type want = tag_type(node->tag);
	if (r.type == want || (want == YSCALAR_FLOAT && r.type == YSCALAR_INT))
		return;
	diag_add(diags, name, node->line, node->column,
		 "cannot decode %s `%s` as a !!%s", type_tag(r.type),
		 node->scalar, short_tag(node->tag));
}

/* ---- readers ---- */

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->len; i++)
		if (!strcmp(map->pairs[i].key->scalar, key))
			return map->pairs[i].value;
	return NULL;
}

bool ynode_is_null(const struct ynode *node)
{
	struct resolved r;
	return resolve_node(node, &r) && r.type == YSCALAR_NULL;
}

enum yscalar_type ynode_scalar_type(const struct ynode *node)
{
	struct resolved r;
	BUG_ON(!resolve_node(node, &r));
	return r.type;
}

int ynode_bool(const struct ynode *node, bool *out)
{
	struct resolved r;
	if (!resolve_node(node, &r) || r.type != YSCALAR_BOOL)
		return -1;
	*out = r.boolean;
	return 0;
}

int ynode_int64(const struct ynode *node, int64_t *out)
{
	struct resolved r;
	if (!resolve_node(node, &r) || r.type != YSCALAR_INT || !r.fits)
		return -1;
	*out = r.integer;
	return 0;
}

int ynode_double(const struct ynode *node, double *out)
{
	struct resolved r;
	if (!resolve_node(node, &r) ||
	    (r.type != YSCALAR_FLOAT && r.type != YSCALAR_INT))
		return -1;
	if (r.type == YSCALAR_INT && isnan(r.number))
		return -1;	/* an integer too big even for a double's range */
	*out = r.number;
	return 0;
}

const char *ynode_kind_name(enum ynode_kind kind)
{
	switch (kind) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	case YNODE_SCALAR:
		break;
	}
	return "a scalar";
}

const char *ynode_describe(const struct ynode *node)
{
	if (node->kind != YNODE_SCALAR)
		return ynode_kind_name(node->kind);
	static const char *const names[] = {
		[YSCALAR_NULL] = "null", [YSCALAR_BOOL] = "a boolean",
		[YSCALAR_INT] = "an integer", [YSCALAR_FLOAT] = "a number",
		[YSCALAR_STRING] = "a string",
	};
	return names[ynode_scalar_type(node)];
}
