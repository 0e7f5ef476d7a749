/* selector_parse.c - the string syntax of label selectors; see selector.h.
 *
 * `kubectl get pods -l 'app=web,tier in (a,b),!canary'` hands the API
 * server a selector as text. This file reads that text as upstream does: a
 * lexer turns it into tokens (identifiers, operators, parentheses, commas),
 * and a recursive-descent parser builds one requirement per clause, each
 * validated like labels.NewRequirement. Error messages keep upstream's
 * words ("found ',', expected: identifier after ','").
 *
 * K8S: k8s.io/apimachinery/pkg/labels/selector.go (Lexer, Parser, Parse).
 *
 * Interface: selector_parse() (selector.h).
 *
 * Invariants: the lexer owns the token texts until selector_parse() frees
 * them; on failure the output selector is released and left empty.
 *
 * See also: selector.c (requirements, matching, printing).
 */
#include "selector.h"
#include "selector_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- the lexer ---- */

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

/* ---- the parser ---- */

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
		char *quoted = selector_go_quote(key);
		err_set(p->err, "key: Invalid value: %s: %s", quoted, why);
		free(quoted);
		free(why);
		return -1;
	}
	tok = lookahead(p, VALUES, &text);
	if (negated || tok == TOK_END || tok == TOK_COMMA)
		return selector_requirement_init(req, key, negated ? SELECTOR_DOES_NOT_EXIST
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
		rc = selector_requirement_init(req, key, op, v.items, v.len, p->err);
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
		selector_sort_by_key(out);
	return rc;
}
