/* expect.c - expectations: parsing, evaluating and deciding; see expect.h.
 *
 * An expectation is how a lab says what the class should see: "by 2m all
 * three replicas are available", "during the node failure at least two
 * pods keep running". The expression language is deliberately kubectl's:
 * objects are named KIND/NAME, fields by the paths of `kubectl get -o
 * jsonpath='{.status.phase}'`, label selectors as `kubectl get -l` takes
 * them. K8S: `kubectl wait --for=jsonpath='{.status.phase}'=Running` is
 * the closest upstream relative (a field compared with a value); label
 * selector syntax is labels.Parse (selector.h).
 *
 * Grammar (spaces between tokens are optional around operators):
 *   expectation := object | count
 *   object      := KIND/NAME [namespace] PATH OP VALUE
 *   count       := "count(" KIND [namespace] [SELECTOR] [PATH OP VALUE] ")" OP NUMBER
 *   namespace   := "-n" NS | "--namespace" NS | "--namespace=" NS
 *   PATH        := "." then a field path as schema_resolve takes it
 *   OP          := == | != | < | <= | > | >=
 *   VALUE       := a word, or text in "double" or 'single' quotes
 * An object expression looks in namespace default unless -n says
 * otherwise; count() counts across all namespaces unless -n says
 * otherwise (like `kubectl get -A`). A missing object or field reads as
 * "<none>", as in kubectl's custom columns, so `pod/x .status.phase ==
 * <none>` checks that a pod is gone.
 *
 * Comparison: when both sides parse as quantities (which includes plain
 * numbers such as 3 and 0.99), they compare by value, so "1000m == 1" and
 * "1Gi > 1G" hold. Otherwise == and != compare text, and the ordering
 * operators fail: at parse time when the written value is not a number,
 * at run time (observed value marked "(not a number)") when the field is
 * not.
 *
 * Deciding (expect_step): the runner calls expect_step after every change
 * to the store and at each expectation's from time, so that the checks see
 * every state the cluster was in (the state between two steps does not
 * change). A step at exactly `to` decides an interval at once; otherwise
 * the first step after it, or expect_finish, does:
 *   at:      decided at the first step at or after the time;
 *   during:  fails at the first step in [from, to] where it does not
 *            hold; passes at to (or at the first step after it);
 *   within:  passes at the first step in [0, to] where it holds; fails
 *            at to (or at the first step after it).
 * expect_finish decides what the run left open.
 */
#include "expect.h"

#include "store.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NONE "<none>"			/* kubectl's word for a missing value */
#define NOT_CHECKED "<not checked>"

static const char *const op_texts[] = {
	[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<",
	[OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
};

const char *expect_op_text(enum expect_op op)
{
	BUG_ON((unsigned)op > OP_GE);
	return op_texts[op];
}

/* ---- parsing ------------------------------------------------------------ */

static const char *skip_spaces(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static bool is_op_char(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>';
}

/* Length of the word at p: up to a space, the end, or one of stops. */
static size_t word_length(const char *p, const char *stops)
{
	size_t n = 0;
	while (p[n] && !isspace((unsigned char)p[n]) && !strchr(stops, p[n]))
		n++;
	return n;
}

/* What is at p, for "got ..." in messages: 'word' or "the end". */
static char *got(const char *p)
{
	p = skip_spaces(p);
	size_t n = word_length(p, "");
	return n ? xasprintf("'%.*s'", (int)n, p) : xstrdup("the end");
}

static int read_op(const char **p, enum expect_op *op, struct err **err)
{
	static const struct {
		const char *text;
		enum expect_op op;
	} ops[] = {		/* two-character operators first */
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
	};
	const char *s = skip_spaces(*p);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t len = strlen(ops[i].text);
		if (!strncmp(s, ops[i].text, len) && !is_op_char(s[len])) {
			*op = ops[i].op;
			*p = s + len;
			return 0;
		}
	}
	char *what = got(s);
	err_set(err, "expected an operator such as ==, got %s", what);
	free(what);
	return -1;
}

/* A value: a word or a quoted string; in quotes, \" and \\ are escapes
 * (double quotes) and nothing is (single quotes). */
static char *read_value(const char **p, struct err **err)
{
	const char *s = skip_spaces(*p);
	if (*s == '"' || *s == '\'') {
		char quote = *s++;
		char *out = xmalloc(strlen(s) + 1), *o = out;
		for (; *s && *s != quote; s++) {
			if (quote == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			*o++ = *s;
		}
		*o = '\0';
		if (!*s) {
			free(out);
			err_set(err, "missing closing %c", quote);
			return NULL;
		}
		*p = s + 1;
		return out;
	}
	size_t n = word_length(s, "");
	if (!n) {
		err_set(err, "expected a value after the operator");
		return NULL;
	}
	*p = s + n;
	return xstrndup(s, n);
}

static bool is_number(const char *text)
{
	struct quantity q;
	return quantity_parse(text, &q, NULL) == 0;
}

/* PATH OP VALUE. The path starts with '.', as in kubectl's jsonpath. */
static int read_comparison(const char **p, char **path, enum expect_op *op,
			   char **value, struct err **err)
{
	const char *s = skip_spaces(*p);
	size_t n = word_length(s, "=!<>");
	if (*s != '.' || n < 2) {
		char *what = got(s);
		err_set(err, "expected a field path such as .status.phase, got %s", what);
		free(what);
		return -1;
	}
	*path = xstrndup(s, n);
	s += n;
	if (read_op(&s, op, err) || !(*value = read_value(&s, err)))
		return -1;
	if ((*op != OP_EQ && *op != OP_NE) && !is_number(*value))
		return err_set(err, "'%s' compares numbers, and '%s' is not one "
			       "(use == or != to compare text)",
			       expect_op_text(*op), *value);
	*p = s;
	return 0;
}

static int expect_end(const char *p, struct err **err)
{
	p = skip_spaces(p);
	if (!*p)
		return 0;
	return err_set(err, "unexpected '%s' after the value", p);
}

/* Optional -n NS, --namespace NS, --namespace=NS. */
static int read_namespace(const char **p, const struct kind_info *kind,
			  char **namespace, struct err **err)
{
	const char *s = skip_spaces(*p);
	size_t n = word_length(s, "=");
	if (!((n == 2 && !strncmp(s, "-n", 2)) ||
	      (n == 11 && !strncmp(s, "--namespace", 11))))
		return 0;
	s += n;
	if (*s == '=')
		s++;
	s = skip_spaces(s);
	n = word_length(s, ")");
	if (!n)
		return err_set(err, "expected a namespace after -n");
	if (!kind->namespaced)
		return err_set(err, "%s are not namespaced: leave out -n",
			       kind->resource);
	*namespace = xstrndup(s, n);
	*p = s + n;
	return 0;
}

static const struct kind_info *read_kind(const char *text, size_t n,
					 struct err **err)
{
	char *name = xstrndup(text, n);
	const struct kind_info *kind = kind_from_cli(name);
	if (!kind)
		err_set(err, "unknown kind '%s' (kinds are named as kubectl takes "
			"them: pods, deployment, deploy, nodes ...)", name);
	free(name);
	return kind;
}

/* The ')' closing the '(' just before p, skipping quoted text and nested
 * parentheses (a selector's `in (a,b)`), or NULL. */
static const char *closing_paren(const char *p)
{
	int depth = 1;
	for (; *p; p++) {
		if (*p == '"' || *p == '\'') {
			const char *end = strchr(p + 1, *p);
			if (!end)
				return NULL;
			p = end;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			return p;
		}
	}
	return NULL;
}

/* Where the filter of count() starts: the first word beginning with '.'
 * outside parentheses (label keys and values never start with a dot). */
static const char *filter_start(const char *p)
{
	int depth = 0;
	for (const char *s = p; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (*s == '.' && !depth && (s == p || isspace((unsigned char)s[-1])))
			return s;
	}
	return p + strlen(p);
}

/* Inside count( ... ): KIND [namespace] [SELECTOR] [PATH OP VALUE]. */
static int parse_count_inner(struct expectation *e, const char *inner,
			     struct err **err)
{
	const char *p = skip_spaces(inner);
	size_t n = word_length(p, "");
	if (!n)
		return err_set(err, "count() needs a kind, such as count(pods)");
	const struct kind_info *kind = read_kind(p, n, err);
	if (!kind)
		return -1;
	e->kind = kind->id;
	p += n;
	if (read_namespace(&p, kind, &e->namespace, err))
		return -1;
	const char *filter = filter_start(p);
	const char *end = filter;
	p = skip_spaces(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	char *selector = xstrndup(p, (size_t)(end - p));
	int rc = selector_parse(selector, &e->selector, err);
	if (rc)
		err_prefix(err, "bad label selector '%s': ", selector);
	free(selector);
	if (rc)
		return -1;
	if (!*filter)
		return 0;
	p = filter;
	if (read_comparison(&p, &e->path, &e->filter_op, &e->filter_value, err))
		return -1;
	return expect_end(p, err);
}

static int parse_count(struct expectation *e, const char *p, struct err **err)
{
	const char *close = closing_paren(p);
	if (!close)
		return err_set(err, "missing ')' after count(");
	e->is_count = true;
	char *inner = xstrndup(p, (size_t)(close - p));
	int rc = parse_count_inner(e, inner, err);
	free(inner);
	if (rc)
		return -1;
	p = close + 1;
	if (read_op(&p, &e->op, err) || !(e->value = read_value(&p, err)))
		return -1;
	if (!is_number(e->value))
		return err_set(err, "count() is compared with a number, got '%s'",
			       e->value);
	return expect_end(p, err);
}

static int parse_object(struct expectation *e, const char *p, struct err **err)
{
	size_t n = word_length(p, "");
	const char *slash = memchr(p, '/', n);
	if (!slash || slash == p || slash == p + n - 1) {
		char *what = got(p);
		err_set(err, "expected KIND/NAME (such as deployment/web) or "
			"count(...), got %s", what);
		free(what);
		return -1;
	}
	const struct kind_info *kind = read_kind(p, (size_t)(slash - p), err);
	if (!kind)
		return -1;
	e->kind = kind->id;
	e->name = xstrndup(slash + 1, (size_t)(p + n - slash - 1));
	p += n;
	if (read_namespace(&p, kind, &e->namespace, err) ||
	    read_comparison(&p, &e->path, &e->op, &e->value, err))
		return -1;
	return expect_end(p, err);
}

/* Frees the parsed expression and text, keeping mode, times and results. */
static void expression_release(struct expectation *e)
{
	free(e->text);
	free(e->namespace);
	free(e->name);
	selector_release(&e->selector);
	free(e->path);
	free(e->filter_value);
	free(e->value);
	e->text = e->namespace = e->name = e->path = NULL;
	e->filter_value = e->value = NULL;
	e->is_count = false;
}

int expect_parse(struct expectation *e, const char *text, struct err **err)
{
	struct expectation parsed = { 0 };
	const char *p = skip_spaces(text);
	int rc;

	if (!strncmp(p, "count", 5) && *skip_spaces(p + 5) == '(')
		rc = parse_count(&parsed, skip_spaces(p + 5) + 1, err);
	else if (!*p)
		rc = err_set(err, "empty expectation: expected KIND/NAME .PATH "
			     "OP VALUE or count(...) OP NUMBER");
	else
		rc = parse_object(&parsed, p, err);
	if (rc) {
		expression_release(&parsed);
		return -1;
	}
	expression_release(e);
	e->text = xstrdup(text);
	e->is_count = parsed.is_count;
	e->kind = parsed.kind;
	e->namespace = parsed.namespace;
	e->name = parsed.name;
	e->selector = parsed.selector;
	e->path = parsed.path;
	e->filter_op = parsed.filter_op;
	e->filter_value = parsed.filter_value;
	e->op = parsed.op;
	e->value = parsed.value;
	return 0;
}

/* ---- evaluating --------------------------------------------------------- */

/* The field as text, or "<none>". Caller frees. */
static char *read_field(const struct object *obj, const char *path)
{
	struct field_ref ref;
	/* schema_resolve takes a mutable base for field_ref_set; it only
	 * reads it, and the reference is dropped before returning. */
	if (schema_resolve(obj->kind->schema, (void *)obj, path, &ref, NULL))
		return xstrdup(NONE);
	char *text = field_ref_format(&ref);
	field_ref_release(&ref);
	if (!*text) {
		free(text);
		return xstrdup(NONE);
	}
	return text;
}

enum verdict { HOLDS, FAILS, NOT_NUMBERS };

static enum verdict compare(const char *left, enum expect_op op,
			    const char *right)
{
	struct quantity a, b;
	int c;
	if (!quantity_parse(left, &a, NULL) && !quantity_parse(right, &b, NULL))
		c = quantity_cmp(&a, &b);
	else if (op == OP_EQ || op == OP_NE)
		c = strcmp(left, right) ? 1 : 0;
	else
		return NOT_NUMBERS;
	bool holds;
	switch (op) {
	case OP_EQ: holds = c == 0; break;
	case OP_NE: holds = c != 0; break;
	case OP_LT: holds = c < 0; break;
	case OP_LE: holds = c <= 0; break;
	case OP_GT: holds = c > 0; break;
	default:    holds = c >= 0; break;
	}
	return holds ? HOLDS : FAILS;
}

bool expect_eval(const struct expectation *e, const struct store *store,
		 char **observed)
{
	const struct kind_info *kind = kind_get(e->kind);
	char *left;

	if (!e->is_count) {
		const char *ns = kind->namespaced ?
			(e->namespace ? e->namespace : "default") : NULL;
		const struct object *obj = store_get(store, e->kind, ns, e->name);
		left = obj ? read_field(obj, e->path) : xstrdup(NONE);
	} else {
		struct object_list list = { 0 };
		size_t count = 0;
		store_list(store, e->kind, kind->namespaced ? e->namespace : NULL,
			   &e->selector, &list);
		for (size_t i = 0; i < list.len; i++) {
			if (!e->path) {
				count++;
				continue;
			}
			/* An object whose field is not a number fails an
			 * ordering filter: it is not counted. */
			char *value = read_field(list.items[i], e->path);
			count += compare(value, e->filter_op, e->filter_value) == HOLDS;
			free(value);
		}
		object_list_release(&list);
		left = xasprintf("%zu", count);
	}
	enum verdict verdict = compare(left, e->op, e->value);
	if (verdict == NOT_NUMBERS) {
		char *marked = xasprintf("%s (not a number)", left);
		free(left);
		left = marked;
	}
	*observed = left;
	return verdict == HOLDS;
}

/* ---- deciding ----------------------------------------------------------- */

static bool observe(struct expectation *e, const struct store *store, ktime_t t)
{
	char *value;
	bool holds = expect_eval(e, store, &value);
	free(e->observed);
	e->observed = value;
	e->observed_at = t;
	return holds;
}

static void decide(struct expectation *e, bool passed)
{
	e->decided = true;
	e->passed = passed;
}

void expect_step(struct expectation *e, const struct store *store, ktime_t t)
{
	if (e->decided || t < e->from)
		return;
	if (t > e->to && e->mode != EXPECT_AT) {
		/* The window closed between two steps: during held at every
		 * step inside it, within never held. */
		decide(e, e->mode == EXPECT_DURING);
		return;
	}
	bool holds = observe(e, store, t);
	switch (e->mode) {
	case EXPECT_AT:
		decide(e, holds);
		break;
	case EXPECT_DURING:
		if (!holds || t == e->to)
			decide(e, holds);
		break;
	case EXPECT_WITHIN:
		if (holds || t == e->to)
			decide(e, holds);
		break;
	}
}

void expect_finish(struct expectation *e)
{
	if (!e->decided)
		decide(e, e->mode == EXPECT_DURING);
	if (!e->observed)
		e->observed = xstrdup(NOT_CHECKED);
}

void expectation_release(struct expectation *e)
{
	expression_release(e);
	free(e->observed);
	memset(e, 0, sizeof(*e));
}
