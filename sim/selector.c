/* selector.c - label selectors: rules, parser, matching; see selector.h.
 *
 * The file follows upstream's layers from the bottom up:
 *   1. the label key and value rules (content.IsLabelKey / IsLabelValue);
 *   2. requirements, validated as NewRequirement validates them;
 *   3. the lexer and the recursive-descent parser of the string syntax;
 *   4. the LabelSelector form, matching and printing.
 * Error messages keep upstream's words so that they read like kubectl's.
 */
#include "selector.h"
#include "xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string helpers ---- */

struct strbuf {
	char *buf;	/* NUL-terminated once anything was added */
	size_t len, cap;
};

static void buf_add(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	xgrow((void **)&sb->buf, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

static char *buf_take(struct strbuf *sb)
{
	if (!sb->buf)
		return xstrdup("");
	return sb->buf;
}

/* Go's %q for the strings we meet: quotes, escapes " and \ and control
 * bytes. Caller frees. */
static char *go_quote(const char *s)
{
	struct strbuf sb = { 0 };
	buf_add(&sb, "\"");
	for (; *s; s++) {
		char one[8];
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			snprintf(one, sizeof(one), "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			snprintf(one, sizeof(one), "\\x%02x", c);
		else
			snprintf(one, sizeof(one), "%c", c);
		buf_add(&sb, one);
	}
	buf_add(&sb, "\"");
	return buf_take(&sb);
}

/* A list of distinct messages: upstream aggregates field errors and prints
 * one alone, several as "[a, b]". */
struct msgs {
	char **items;
	size_t len, cap;
};

static void msgs_add(struct msgs *m, char *owned)
{
	for (size_t i = 0; i < m->len; i++) {
		if (!strcmp(m->items[i], owned)) {
			free(owned);
			return;
		}
	}
	xgrow((void **)&m->items, &m->cap, m->len + 1, sizeof(*m->items));
	m->items[m->len++] = owned;
}

static char *msgs_join(struct msgs *m, const char *sep, bool brackets)
{
	struct strbuf sb = { 0 };
	if (brackets && m->len > 1)
		buf_add(&sb, "[");
	for (size_t i = 0; i < m->len; i++) {
		if (i)
			buf_add(&sb, sep);
		buf_add(&sb, m->items[i]);
		free(m->items[i]);
	}
	if (brackets && m->len > 1)
		buf_add(&sb, "]");
	free(m->items);
	*m = (struct msgs){ 0 };
	return buf_take(&sb);
}

/* ---- 1. label keys and values ---- */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool is_label_name(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* A lowercase RFC 1123 subdomain: dot-separated labels of [-a-z0-9] that
 * start and end with [a-z0-9]. */
static bool is_dns_subdomain(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start)
			return false;	/* empty label */
		for (size_t j = start; j < i; j++) {
			bool edge = j == start || j == i - 1;
			bool lower = (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9');
			if (!lower && (edge || s[j] != '-'))
				return false;
		}
		start = i + 1;
	}
	return true;
}

#define LABEL_NAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_NAME_MSG "must consist of alphanumeric characters, '-', '_' or '.', " \
	"and must start and end with an alphanumeric character (e.g. 'MyName',  " \
	"or 'my.name',  or '123-abc', regex used for validation is '" LABEL_NAME_RE "')"
#define DNS_SUBDOMAIN_RE "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define DNS_SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of lower case " \
	"alphanumeric characters, '-' or '.', and must start and end with an " \
	"alphanumeric character (e.g. 'example.com', regex used for validation is '" \
	DNS_SUBDOMAIN_RE "')"

/* K8S: content.IsLabelKey - [prefix/]name, prefix a DNS subdomain of at
 * most 253 bytes, name at most 63 bytes. */
char *selector_check_key(const char *key)
{
	struct msgs m = { 0 };
	const char *slash = strchr(key, '/');
	const char *name = key;
	if (slash && strchr(slash + 1, '/'))
		return xstrdup("a valid label key " LABEL_NAME_MSG " with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')");
	if (slash) {
		size_t prefix_len = (size_t)(slash - key);
		name = slash + 1;
		if (prefix_len == 0)
			msgs_add(&m, xstrdup("prefix part must be non-empty"));
		if (prefix_len > 253)
			msgs_add(&m, xstrdup("prefix part must be no more than 253 bytes"));
		if (prefix_len && !is_dns_subdomain(key, prefix_len))
			msgs_add(&m, xstrdup("prefix part " DNS_SUBDOMAIN_MSG));
	}
	size_t name_len = strlen(name);
	if (name_len == 0)
		msgs_add(&m, xstrdup("name part must be non-empty"));
	else if (name_len > 63)
		msgs_add(&m, xstrdup("name part must be no more than 63 bytes"));
	if (!is_label_name(name, name_len))
		msgs_add(&m, xstrdup("name part " LABEL_NAME_MSG));
	return m.len ? msgs_join(&m, "; ", false) : NULL;
}

/* K8S: content.IsLabelValue - empty, or a label name of at most 63 bytes. */
char *selector_check_value(const char *value)
{
	struct msgs m = { 0 };
	size_t len = strlen(value);
	if (len > 63)
		msgs_add(&m, xstrdup("must be no more than 63 bytes"));
	if (len && !is_label_name(value, len))
		msgs_add(&m, xstrdup("a valid label must be an empty string or consist of "
				     "alphanumeric characters, '-', '_' or '.', and must start "
				     "and end with an alphanumeric character (e.g. 'MyValue',  "
				     "or 'my_value',  or '12345', regex used for validation is "
				     "'(" LABEL_NAME_RE ")?')"));
	return m.len ? msgs_join(&m, "; ", false) : NULL;
}

/* ---- 2. requirements ---- */

/* Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no
 * overflow. Used by > and <. */
static bool parse_int64(const char *s, int64_t *out)
{
	bool negative = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	uint64_t value = 0, limit = negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		uint64_t digit = (uint64_t)(*s - '0');
		if (value > (limit - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*out = negative ? (int64_t)(0 - value) : (int64_t)value;
	return true;
}

/* Go's %#v of a []string, as upstream prints invalid value sets. */
static char *go_string_slice(const char *const *values, size_t n)
{
	if (n == 0)
		return xstrdup("[]string(nil)");
	struct strbuf sb = { 0 };
	buf_add(&sb, "[]string{");
	for (size_t i = 0; i < n; i++) {
		char *quoted = go_quote(values[i]);
		if (i)
			buf_add(&sb, ", ");
		buf_add(&sb, quoted);
		free(quoted);
	}
	buf_add(&sb, "}");
	return buf_take(&sb);
}

/* Adds "field: Invalid value: <bad>: detail", taking bad and detail. */
static void add_invalid(struct msgs *m, const char *field, char *bad, char *detail)
{
	msgs_add(m, xasprintf("%s: Invalid value: %s: %s", field, bad, detail));
	free(bad);
	free(detail);
}

/* K8S: labels.NewRequirement. Validates and fills *req with copies of key
 * and values; on failure sets *err and leaves *req untouched. */
static int requirement_init(struct selector_requirement *req, const char *key,
			    enum selector_op op, const char *const *values, size_t n,
			    struct err **err)
{
	struct msgs m = { 0 };
	char *why = selector_check_key(key);
	if (why)
		add_invalid(&m, "key", go_quote(key), why);
	switch (op) {
	case SELECTOR_IN:
	case SELECTOR_NOT_IN:
		if (n == 0)
			add_invalid(&m, "values", go_string_slice(values, n),
				    xstrdup("for 'in', 'notin' operators, values set can't be empty"));
		break;
	case SELECTOR_EQUALS:
	case SELECTOR_NOT_EQUALS:
		if (n != 1)
			add_invalid(&m, "values", go_string_slice(values, n),
				    xstrdup("exact-match compatibility requires one single value"));
		break;
	case SELECTOR_EXISTS:
	case SELECTOR_DOES_NOT_EXIST:
		if (n != 0)
			add_invalid(&m, "values", go_string_slice(values, n),
				    xstrdup("values set must be empty for exists and does not exist"));
		break;
	case SELECTOR_GT:
	case SELECTOR_LT:
		if (n != 1)
			add_invalid(&m, "values", go_string_slice(values, n),
				    xstrdup("for 'Gt', 'Lt' operators, exactly one value is required"));
		for (size_t i = 0; i < n; i++) {
			int64_t ignored;
			if (parse_int64(values[i], &ignored))
				continue;
			char *field = xasprintf("values[%zu]", i);
			add_invalid(&m, field, go_quote(values[i]),
				    xstrdup("for 'Gt', 'Lt' operators, the value must be an integer"));
			free(field);
		}
		break;
	}
	for (size_t i = 0; i < n; i++) {
		why = selector_check_value(values[i]);
		if (why) {
			char *field = xasprintf("values[%zu][%s]", i, key);
			add_invalid(&m, field, go_quote(values[i]), why);
			free(field);
		}
	}
	if (m.len) {
		char *msg = msgs_join(&m, ", ", true);
		err_set(err, "%s", msg);
		free(msg);
		return -1;
	}
	req->key = xstrdup(key);
	req->op = op;
	req->values_len = n;
	req->values = n ? xmalloc(n * sizeof(*req->values)) : NULL;
	for (size_t i = 0; i < n; i++)
		req->values[i] = xstrdup(values[i]);
	return 0;
}

static void requirement_release(struct selector_requirement *req)
{
	for (size_t i = 0; i < req->values_len; i++)
		free(req->values[i]);
	free(req->values);
	free(req->key);
}

static void selector_append(struct selector *sel, const struct selector_requirement *req)
{
	sel->reqs = xrealloc(sel->reqs, (sel->len + 1) * sizeof(*sel->reqs));
	sel->reqs[sel->len++] = *req;
}

/* Upstream sorts by key so that String() is deterministic. An insertion
 * sort is stable, so equal keys keep their written order. */
static void sort_by_key(struct selector *sel)
{
	for (size_t i = 1; i < sel->len; i++) {
		struct selector_requirement moving = sel->reqs[i];
		size_t j = i;
		for (; j > 0 && strcmp(sel->reqs[j - 1].key, moving.key) > 0; j--)
			sel->reqs[j] = sel->reqs[j - 1];
		sel->reqs[j] = moving;
	}
}

/* ---- 3. the string syntax: lexer ---- */

enum token {
	TOK_END, TOK_IDENT, TOK_OPEN_PAREN, TOK_CLOSE_PAREN, TOK_COMMA,
	TOK_NOT, TOK_EQUALS, TOK_DOUBLE_EQUALS, TOK_NOT_EQUALS,
	TOK_IN, TOK_NOT_IN, TOK_GT, TOK_LT,
};

static const struct {
	const char *text;
	enum token tok;
} literals[] = {
	{ "(", TOK_OPEN_PAREN }, { ")", TOK_CLOSE_PAREN }, { ",", TOK_COMMA },
	{ "!", TOK_NOT }, { "=", TOK_EQUALS }, { "==", TOK_DOUBLE_EQUALS },
	{ "!=", TOK_NOT_EQUALS }, { "in", TOK_IN }, { "notin", TOK_NOT_IN },
	{ ">", TOK_GT }, { "<", TOK_LT },
};

/* The token spelled by s[0..n), or TOK_IDENT when it is no literal. */
static enum token literal_token(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++)
		if (strlen(literals[i].text) == n && !strncmp(literals[i].text, s, n))
			return literals[i].tok;
	return TOK_IDENT;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
	return c && strchr("=!(),><", c);
}

struct item {
	enum token tok;
	char *text;
};

/* Splits text into items ending with TOK_END. Operators are read greedily
 * while they still spell an operator ("!=" not "!" "="); everything between
 * operators and whitespace is an identifier, or the keyword in/notin. */
static struct item *lex(const char *text, size_t *count)
{
	struct item *items = NULL;
	size_t len = 0, cap = 0;
	const char *p = text;
	for (;;) {
		while (is_space(*p))
			p++;
		size_t n = 0;
		enum token tok = TOK_END;
		if (is_special(*p)) {
			n = 1;
			while (is_special(p[n]) && literal_token(p, n + 1) != TOK_IDENT)
				n++;
			tok = literal_token(p, n);
		} else if (*p) {
			while (p[n] && !is_special(p[n]) && !is_space(p[n]))
				n++;
			tok = literal_token(p, n);
		}
		xgrow((void **)&items, &cap, len + 1, sizeof(*items));
		items[len].tok = tok;
		items[len++].text = xstrndup(p, n);
		p += n;
		if (tok == TOK_END)
			break;
	}
	*count = len;
	return items;
}

/* ---- 3. the string syntax: parser ---- */

/* Where in/notin are operators (after a key) and where they are plain
 * identifiers (as keys and values: "in in (in)" is a valid selector). */
enum context { KEY_AND_OPERATOR, VALUES };

struct parser {
	struct item *items;
	size_t len, pos;
	struct err **err;
};

static enum token lookahead(const struct parser *p, enum context ctx, const char **text)
{
	const struct item *it = &p->items[p->pos];
	*text = it->text;
	if (ctx == VALUES && (it->tok == TOK_IN || it->tok == TOK_NOT_IN))
		return TOK_IDENT;
	return it->tok;
}

static enum token consume(struct parser *p, enum context ctx, const char **text)
{
	enum token tok = lookahead(p, ctx, text);
	if (p->pos + 1 < p->len)	/* TOK_END stays the current item */
		p->pos++;
	return tok;
}

/* A set of strings: sorted and without duplicates, as upstream's
 * sets.String.List() returns the parsed values. */
struct values {
	const char **items;
	size_t len;
};

static void values_insert(struct values *v, const char *s)
{
	size_t i = 0;
	while (i < v->len && strcmp(v->items[i], s) < 0)
		i++;
	if (i < v->len && !strcmp(v->items[i], s))
		return;
	v->items = xrealloc(v->items, (v->len + 1) * sizeof(*v->items));
	memmove(&v->items[i + 1], &v->items[i], (v->len - i) * sizeof(*v->items));
	v->items[i] = s;
	v->len++;
}

/* "(" values ")": an empty list and empty entries mean the value "". */
static int parse_values(struct parser *p, struct values *v)
{
	const char *text, *first;
	if (consume(p, VALUES, &text) != TOK_OPEN_PAREN)
		return err_set(p->err, "found '%s' expected: '('", text);
	enum token tok = lookahead(p, VALUES, &first);
	if (tok == TOK_CLOSE_PAREN) {
		consume(p, VALUES, &text);
		values_insert(v, "");
		return 0;
	}
	if (tok != TOK_IDENT && tok != TOK_COMMA)
		return err_set(p->err, "found '%s', expected: ',', ')' or identifier", first);
	for (;;) {
		tok = consume(p, VALUES, &text);
		if (tok == TOK_IDENT) {
			values_insert(v, text);
			const char *next;
			enum token after = lookahead(p, VALUES, &next);
			if (after == TOK_CLOSE_PAREN)
				break;
			if (after != TOK_COMMA)
				return err_set(p->err, "found '%s', expected: ',' or ')'", next);
		} else if (tok == TOK_COMMA) {
			const char *next;
			enum token after = lookahead(p, VALUES, &next);
			/* "(,a" ",)" ",,": an empty entry is the value "". */
			if (v->len == 0 || after == TOK_CLOSE_PAREN || after == TOK_COMMA)
				values_insert(v, "");
			if (after == TOK_CLOSE_PAREN)
				break;
		} else {
			return err_set(p->err, "found '%s', expected: ',', or identifier", text);
		}
	}
	consume(p, VALUES, &text);	/* the ')' seen by lookahead */
	return 0;
}

/* The single value of =, ==, !=, > and <; nothing written means "". */
static int parse_exact_value(struct parser *p, struct values *v)
{
	const char *text;
	enum token tok = lookahead(p, VALUES, &text);
	if (tok == TOK_END || tok == TOK_COMMA) {
		values_insert(v, "");
		return 0;
	}
	if (consume(p, VALUES, &text) != TOK_IDENT)
		return err_set(p->err, "found '%s', expected: identifier", text);
	values_insert(v, text);
	return 0;
}

/* requirement ::= [!] KEY [ op VALUE | (in|notin) "(" VALUES ")" ] */
static int parse_requirement(struct parser *p, struct selector_requirement *req)
{
	const char *key, *text;
	bool negated = false;
	enum token tok = consume(p, VALUES, &key);
	if (tok == TOK_NOT) {
		negated = true;
		tok = consume(p, VALUES, &key);
	}
	if (tok != TOK_IDENT)
		return err_set(p->err, "found '%s', expected: identifier", key);
	char *why = selector_check_key(key);
	if (why) {
		char *quoted = go_quote(key);
		err_set(p->err, "key: Invalid value: %s: %s", quoted, why);
		free(quoted);
		free(why);
		return -1;
	}
	tok = lookahead(p, VALUES, &text);
	if (negated || tok == TOK_END || tok == TOK_COMMA)
		return requirement_init(req, key, negated ? SELECTOR_DOES_NOT_EXIST
							   : SELECTOR_EXISTS, NULL, 0, p->err);

	enum selector_op op;
	switch (consume(p, KEY_AND_OPERATOR, &text)) {
	case TOK_IN: op = SELECTOR_IN; break;
	case TOK_NOT_IN: op = SELECTOR_NOT_IN; break;
	case TOK_EQUALS: op = SELECTOR_EQUALS; break;
	case TOK_DOUBLE_EQUALS: op = SELECTOR_EQUALS; break;	/* == is = */
	case TOK_NOT_EQUALS: op = SELECTOR_NOT_EQUALS; break;
	case TOK_GT: op = SELECTOR_GT; break;
	case TOK_LT: op = SELECTOR_LT; break;
	default:
		return err_set(p->err, "found '%s', expected: in, notin, =, ==, !=, gt, lt",
			       text);
	}
	struct values v = { 0 };
	int rc = op == SELECTOR_IN || op == SELECTOR_NOT_IN ? parse_values(p, &v)
							     : parse_exact_value(p, &v);
	if (rc == 0)
		rc = requirement_init(req, key, op, v.items, v.len, p->err);
	free(v.items);
	return rc;
}

/* K8S: labels.Parse. selector ::= requirement ("," requirement)* | "" */
int selector_parse(const char *text, struct selector *out, struct err **err)
{
	*out = (struct selector){ 0 };
	struct parser p = { .err = err };
	p.items = lex(text, &p.len);
	int rc = 0;
	for (;;) {
		const char *lit;
		enum token tok = lookahead(&p, VALUES, &lit);
		if (tok == TOK_END)
			break;
		if (tok != TOK_IDENT && tok != TOK_NOT) {
			rc = err_set(err, "found '%s', expected: !, identifier, or 'end of string'",
				     lit);
			break;
		}
		struct selector_requirement req;
		if (parse_requirement(&p, &req) < 0) {
			err_prefix(err, "unable to parse requirement: ");
			rc = -1;
			break;
		}
		selector_append(out, &req);
		tok = consume(&p, VALUES, &lit);
		if (tok == TOK_END)
			break;
		if (tok != TOK_COMMA) {
			rc = err_set(err, "found '%s', expected: ',' or 'end of string'", lit);
			break;
		}
		tok = lookahead(&p, VALUES, &lit);
		if (tok != TOK_IDENT && tok != TOK_NOT) {
			rc = err_set(err, "found '%s', expected: identifier after ','", lit);
			break;
		}
	}
	for (size_t i = 0; i < p.len; i++)
		free(p.items[i].text);
	free(p.items);
	if (rc < 0)
		selector_release(out);
	else
		sort_by_key(out);
	return rc;
}

/* ---- 4. LabelSelector, matching, printing ---- */

int selector_from_parts(const struct strmap *match_labels,
			const struct selector_expression *exprs, size_t exprs_len,
			struct selector *out, struct err **err)
{
	static const struct {
		const char *name;
		enum selector_op op;
	} operators[] = {
		{ "In", SELECTOR_IN }, { "NotIn", SELECTOR_NOT_IN },
		{ "Exists", SELECTOR_EXISTS }, { "DoesNotExist", SELECTOR_DOES_NOT_EXIST },
	};
	*out = (struct selector){ 0 };
	struct selector_requirement req;
	for (size_t i = 0; match_labels && i < match_labels->len; i++) {
		const char *value = match_labels->items[i].value;
		if (requirement_init(&req, match_labels->items[i].key, SELECTOR_EQUALS,
				     &value, 1, err) < 0)
			goto fail;
		selector_append(out, &req);
	}
	for (size_t i = 0; i < exprs_len; i++) {
		size_t k = 0, n = sizeof(operators) / sizeof(operators[0]);
		while (k < n && strcmp(operators[k].name, exprs[i].op))
			k++;
		if (k == n) {
			char *quoted = go_quote(exprs[i].op);
			err_set(err, "%s is not a valid pod selector operator", quoted);
			free(quoted);
			goto fail;
		}
		if (requirement_init(&req, exprs[i].key, operators[k].op, exprs[i].values,
				     exprs[i].values_len, err) < 0)
			goto fail;
		selector_append(out, &req);
	}
	sort_by_key(out);
	return 0;
fail:
	selector_release(out);
	return -1;
}

void selector_init_nothing(struct selector *out)
{
	*out = (struct selector){ .match_nothing = true };
}

static bool has_value(const struct selector_requirement *req, const char *value)
{
	for (size_t i = 0; i < req->values_len; i++)
		if (!strcmp(req->values[i], value))
			return true;
	return false;
}

/* K8S: Requirement.Matches. Note the asymmetry students trip over: != and
 * notin also match objects without the label, = and in never do. */
static bool requirement_matches(const struct selector_requirement *req,
				const struct strmap *labels)
{
	const char *value = strmap_get(labels, req->key);
	int64_t have, want;
	switch (req->op) {
	case SELECTOR_EQUALS:
	case SELECTOR_IN:
		return value && has_value(req, value);
	case SELECTOR_NOT_EQUALS:
	case SELECTOR_NOT_IN:
		return !value || !has_value(req, value);
	case SELECTOR_EXISTS:
		return value != NULL;
	case SELECTOR_DOES_NOT_EXIST:
		return value == NULL;
	case SELECTOR_GT:
	case SELECTOR_LT:
		/* A label that is no integer never matches. */
		if (!value || req->values_len != 1 || !parse_int64(value, &have) ||
		    !parse_int64(req->values[0], &want))
			return false;
		return req->op == SELECTOR_GT ? have > want : have < want;
	}
	return false;
}

bool selector_matches(const struct selector *sel, const struct strmap *labels)
{
	if (sel->match_nothing)
		return false;
	for (size_t i = 0; i < sel->len; i++)
		if (!requirement_matches(&sel->reqs[i], labels))
			return false;
	return true;
}

bool selector_is_empty(const struct selector *sel)
{
	return !sel->match_nothing && sel->len == 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* K8S: Requirement.String */
static void requirement_print(struct strbuf *sb, const struct selector_requirement *req)
{
	static const char *const spelling[] = {
		[SELECTOR_EQUALS] = "=", [SELECTOR_NOT_EQUALS] = "!=",
		[SELECTOR_IN] = " in ", [SELECTOR_NOT_IN] = " notin ",
		[SELECTOR_GT] = ">", [SELECTOR_LT] = "<",
	};
	if (req->op == SELECTOR_DOES_NOT_EXIST)
		buf_add(sb, "!");
	buf_add(sb, req->key);
	if (req->op == SELECTOR_EXISTS || req->op == SELECTOR_DOES_NOT_EXIST)
		return;
	bool set = req->op == SELECTOR_IN || req->op == SELECTOR_NOT_IN;
	buf_add(sb, spelling[req->op]);
	if (set)
		buf_add(sb, "(");
	/* Sorted on output only; the selector itself is left alone. */
	char **sorted = xmalloc((req->values_len + 1) * sizeof(*sorted));
	memcpy(sorted, req->values, req->values_len * sizeof(*sorted));
	qsort(sorted, req->values_len, sizeof(*sorted), compare_strings);
	for (size_t i = 0; i < req->values_len; i++) {
		if (i)
			buf_add(sb, ",");
		buf_add(sb, sorted[i]);
	}
	free(sorted);
	if (set)
		buf_add(sb, ")");
}

char *selector_to_string(const struct selector *sel)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; !sel->match_nothing && i < sel->len; i++) {
		if (i)
			buf_add(&sb, ",");
		requirement_print(&sb, &sel->reqs[i]);
	}
	return buf_take(&sb);
}

void selector_copy(struct selector *dst, const struct selector *src)
{
	*dst = (struct selector){ .match_nothing = src->match_nothing };
	for (size_t i = 0; i < src->len; i++) {
		const struct selector_requirement *from = &src->reqs[i];
		struct selector_requirement req = {
			.key = xstrdup(from->key),
			.op = from->op,
			.values_len = from->values_len,
			.values = from->values_len
				? xmalloc(from->values_len * sizeof(char *)) : NULL,
		};
		for (size_t j = 0; j < from->values_len; j++)
			req.values[j] = xstrdup(from->values[j]);
		selector_append(dst, &req);
	}
}

void selector_release(struct selector *sel)
{
	for (size_t i = 0; i < sel->len; i++)
		requirement_release(&sel->reqs[i]);
	free(sel->reqs);
	*sel = (struct selector){ 0 };
}
