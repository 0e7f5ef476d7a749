/* selector.c - label selectors: requirements, matching, printing; see selector.h.
 *
 * A selector is an AND of requirements (key, operator, values). This file
 * builds requirements as upstream's NewRequirement validates them, turns a
 * manifest's matchLabels/matchExpressions into a selector, matches label
 * sets, and prints the canonical string form. The string syntax has its own
 * parser (selector_parse.c) and the label key and value rules their own file
 * (selector_label.c). Error messages keep upstream's words so that they read
 * like kubectl's.
 *
 * K8S: k8s.io/apimachinery/pkg/labels/selector.go (NewRequirement,
 *      Requirement.Matches, String); k8s.io/apimachinery/pkg/apis/meta/v1/
 *      helpers.go LabelSelectorAsSelector.
 *
 * Interface: selector_from_parts(), selector_init_nothing(),
 * selector_matches(), selector_is_empty(), selector_to_string(),
 * selector_copy(), selector_release() (selector.h); selector_requirement_init() and
 * the message helpers for the other selector files (selector_internal.h).
 *
 * Invariants: see selector.h; every requirement stored in a selector went
 * through selector_requirement_init(), and selectors stay sorted by key.
 */
#include "selector.h"
#include "selector_internal.h"
#include "schema.h"
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
char *selector_go_quote(const char *s)
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

void selector_msgs_add(struct msgs *m, char *owned)
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

char *selector_msgs_join(struct msgs *m, const char *sep, bool brackets)
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

/* ---- requirements ---- */

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
		char *quoted = selector_go_quote(values[i]);
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
	selector_msgs_add(m, xasprintf("%s: Invalid value: %s: %s", field, bad, detail));
	free(bad);
	free(detail);
}

/* K8S: labels.NewRequirement. Validates and fills *req with copies of key
 * and values; on failure sets *err and leaves *req untouched. */
int selector_requirement_init(struct selector_requirement *req, const char *key,
		     enum selector_op op, const char *const *values, size_t n,
		     struct err **err)
{
	struct msgs m = { 0 };
	char *why = selector_check_key(key);
	if (why)
		add_invalid(&m, "key", selector_go_quote(key), why);
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
			add_invalid(&m, field, selector_go_quote(values[i]),
				    xstrdup("for 'Gt', 'Lt' operators, the value must be an integer"));
			free(field);
		}
		break;
	}
	for (size_t i = 0; i < n; i++) {
		why = selector_check_value(values[i]);
		if (why) {
			char *field = xasprintf("values[%zu][%s]", i, key);
			add_invalid(&m, field, selector_go_quote(values[i]), why);
			free(field);
		}
	}
	if (m.len) {
		char *msg = selector_msgs_join(&m, ", ", true);
		err_set(err, "%s", msg);
		free(msg);
		return -1;
	}
	req->key = schema_intern(key);
	req->op = op;
	req->values_len = n;
	req->values = n ? xmalloc(n * sizeof(*req->values)) : NULL;
	for (size_t i = 0; i < n; i++)
		req->values[i] = schema_intern(values[i]);
	return 0;
}

static void requirement_release(struct selector_requirement *req)
{
	free(req->values);	/* the strings are interned */
}

void selector_append(struct selector *sel, const struct selector_requirement *req)
{
	sel->reqs = xrealloc(sel->reqs, (sel->len + 1) * sizeof(*sel->reqs));
	sel->reqs[sel->len++] = *req;
}

/* Upstream sorts by key so that String() is deterministic. An insertion
 * sort is stable, so equal keys keep their written order. */
void selector_sort_by_key(struct selector *sel)
{
	for (size_t i = 1; i < sel->len; i++) {
		struct selector_requirement moving = sel->reqs[i];
		size_t j = i;
		for (; j > 0 && strcmp(sel->reqs[j - 1].key, moving.key) > 0; j--)
			sel->reqs[j] = sel->reqs[j - 1];
		sel->reqs[j] = moving;
	}
}

/* ---- LabelSelector, matching, printing ---- */

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
		if (selector_requirement_init(&req, match_labels->items[i].key, SELECTOR_EQUALS,
				     &value, 1, err) < 0)
			goto fail;
		selector_append(out, &req);
	}
	for (size_t i = 0; i < exprs_len; i++) {
		size_t k = 0, n = sizeof(operators) / sizeof(operators[0]);
		while (k < n && strcmp(operators[k].name, exprs[i].op))
			k++;
		if (k == n) {
			char *quoted = selector_go_quote(exprs[i].op);
			err_set(err, "%s is not a valid pod selector operator", quoted);
			free(quoted);
			goto fail;
		}
		if (selector_requirement_init(&req, exprs[i].key, operators[k].op, exprs[i].values,
				     exprs[i].values_len, err) < 0)
			goto fail;
		selector_append(out, &req);
	}
	selector_sort_by_key(out);
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
		if (req->values[i] == value || !strcmp(req->values[i], value))
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
			.key = from->key,	/* interned */
			.op = from->op,
			.values_len = from->values_len,
			.values = from->values_len
				? xmalloc(from->values_len * sizeof(char *)) : NULL,
		};
		for (size_t j = 0; j < from->values_len; j++)
			req.values[j] = from->values[j];
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
