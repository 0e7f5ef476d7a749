/* scenario_read.c - the readers the scenario loader is built from.
 *
 * Each reader takes one YAML node, checks it is what the scenario format
 * says belongs there, and either returns the value or adds a diagnostic
 * at the node's file:line:column and returns a failure. The wordings
 * follow decode.c, which reads manifests, so that a scenario and a
 * manifest complain alike: `unknown field "spec.traffic"`, `expected a
 * mapping for spec.cluster, got a list`.
 *
 * The second part checks field paths (`spec.template.spec.containers[0]
 * .image`) on a kind's schema alone, not on an object: at load time there
 * is no object, and `containers[0]` must pass even though a fresh object
 * has no containers yet. The syntax and the words are schema_resolve's
 * (schema.h), so a path that passes here resolves at run time whenever
 * the object has the list elements the path indexes.
 * K8S: `kubectl explain deployment.spec.template.spec.containers.image`
 * walks the OpenAPI schema the same way, without an object.
 *
 * See also: scenario_load.h (the interface), the other scenario*.c files
 * (the users).
 */
#include "scenario_load.h"

#include "api.h"
#include "duration.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. readers --------------------------------------------------------- */

void loader_problem(struct loader *l, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(l->diags, l->file, at ? at->line : 0, at ? at->column : 0, fmt, ap);
	va_end(ap);
}

const char *loader_got(struct loader *l, const struct ynode *node)
{
	const char *what = NULL;
	if (node->kind != YNODE_SCALAR)
		return ynode_describe(node);
	switch (ynode_scalar_type(node)) {
	case YSCALAR_NULL:	return "null";
	case YSCALAR_BOOL:	what = "the boolean "; break;
	case YSCALAR_INT:	what = "the integer "; break;
	case YSCALAR_FLOAT:	what = "the number "; break;
	case YSCALAR_STRING:	what = ""; break;
	}
	bool quoted = !*what;
	snprintf(l->got, sizeof(l->got), "%s%s%.60s%s%s", what, quoted ? "\"" : "",
		 node->scalar, strlen(node->scalar) > 60 ? "..." : "",
		 quoted ? "\"" : "");
	return l->got;
}

bool loader_want(struct loader *l, const struct ynode *node,
		 enum ynode_kind kind, const char *path)
{
	if (node->kind == kind)
		return true;
	loader_problem(l, node, "expected %s for %s, got %s",
		       kind == YNODE_MAP ? "a mapping" :
		       kind == YNODE_SEQ ? "a list" : "a value",
		       path, loader_got(l, node));
	return false;
}

const char *loader_string(struct loader *l, const struct ynode *node,
			  const char *path)
{
	if (node->kind != YNODE_SCALAR ||
	    ynode_scalar_type(node) != YSCALAR_STRING) {
		loader_problem(l, node, "%s: expected a string, got %s", path,
			       loader_got(l, node));
		return NULL;
	}
	if (!*node->scalar) {
		loader_problem(l, node, "%s: must not be empty", path);
		return NULL;
	}
	return node->scalar;
}

void loader_check_keys(struct loader *l, const struct ynode *map,
		       const char *path, const char *const *known)
{
	for (size_t i = 0; i < map->len; i++) {
		const struct ynode *key = map->pairs[i].key;
		bool found = false;
		for (size_t k = 0; known[k] && !found; k++)
			found = !strcmp(known[k], key->scalar);
		if (!found)
			loader_problem(l, key, "unknown field \"%s%s%s\"", path,
				       *path ? "." : "", key->scalar);
	}
}

/* A time in the scenario: a Go duration string, as metav1.Duration is in
 * manifests (so `at: 30` is refused: which unit would it be?). */
int loader_duration(struct loader *l, const struct ynode *node,
		    const char *path, ktime_t *out)
{
	const char *why = NULL;
	ktime_t value;
	if (node->kind != YNODE_SCALAR ||
	    ynode_scalar_type(node) != YSCALAR_STRING) {
		loader_problem(l, node, "%s: expected a duration such as 30s, got %s",
			       path, loader_got(l, node));
		return -1;
	}
	if (duration_parse(node->scalar, &value, &why)) {
		loader_problem(l, node, "%s: invalid duration \"%s\": %s", path,
			       node->scalar, why);
		return -1;
	}
	if (value < 0) {
		loader_problem(l, node, "%s: must not be negative, got %s", path,
			       node->scalar);
		return -1;
	}
	*out = value;
	return 0;
}

int loader_time(struct loader *l, const struct ynode *node, const char *path,
		ktime_t *out)
{
	if (loader_duration(l, node, path, out))
		return -1;
	if (*out > l->scenario->duration) {
		char buf[DURATION_STR_MAX];
		duration_format(l->scenario->duration, buf, sizeof(buf));
		loader_problem(l, node, "%s: %s is after the end of the run "
			       "(spec.duration is %s)", path, node->scalar, buf);
		return -1;
	}
	return 0;
}

const struct kind_info *loader_object_ref(struct loader *l,
					  const struct ynode *node,
					  const char *path, char **name)
{
	const char *text = loader_string(l, node, path);
	if (!text)
		return NULL;
	const char *slash = strchr(text, '/');
	if (!slash || slash == text || !slash[1] || strchr(slash + 1, '/')) {
		loader_problem(l, node, "%s: expected KIND/NAME such as "
			       "deployment/web, got \"%s\"", path, text);
		return NULL;
	}
	char *kind_name = xstrndup(text, (size_t)(slash - text));
	const struct kind_info *kind = kind_from_cli(kind_name);
	if (!kind)
		loader_problem(l, node, "%s: unknown kind \"%s\" in \"%s\" "
			       "(kinds are named as kubectl takes them: pod, "
			       "deployment, deploy, node ...)", path, kind_name,
			       text);
	free(kind_name);
	if (kind)
		*name = xstrdup(slash + 1);
	return kind;
}

/* The pool making node: "worker-2" is made by pool worker when its count
 * is 2 or more. Names are NAME-1 .. NAME-count, without leading zeros,
 * then the nodes addNodes entries written so far add. */
static bool pool_makes(const struct node_pool *pool, const char *node)
{
	size_t len = strlen(pool->name);
	if (strncmp(node, pool->name, len) || node[len] != '-')
		return false;
	const char *digits = node + len + 1;
	if (*digits < '1' || *digits > '9' || strlen(digits) > 9)
		return false;
	long n = 0;
	for (const char *p = digits; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (*p - '0');
	}
	return n <= (int64_t)pool->count + pool->added;
}

bool loader_node_known(struct loader *l, const struct ynode *node,
		       const char *path, const char *name)
{
	const struct scenario *sc = l->scenario;
	for (size_t i = 0; i < sc->node_pools.len; i++)
		if (pool_makes(&sc->node_pools.items[i], name))
			return true;
	char *made = xstrdup("");
	for (size_t i = 0; i < sc->node_pools.len; i++) {
		const struct node_pool *pool = &sc->node_pools.items[i];
		int64_t n = (int64_t)pool->count + pool->added;
		char *longer = n == 1 ?
			xasprintf("%s%s%s-1", made, i ? ", " : "", pool->name) :
			xasprintf("%s%s%s-1..%s-%" PRId64, made, i ? ", " : "",
				  pool->name, pool->name, n);
		free(made);
		made = longer;
	}
	loader_problem(l, node, "%s: no node \"%s\" in the cluster (%s%s)", path,
		       name, *made ? "the node pools make " : "there are no node pools",
		       made);
	free(made);
	return false;
}

/* ---- 2. field paths on the schema alone --------------------------------- */

static bool is_map(enum field_type type)
{
	return type == FIELD_STRMAP || type == FIELD_RESOURCES;
}

/* Edit distance, for "did you mean": small strings, small table. */
static size_t distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), row[64];
	if (alen >= 64 || blen >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= blen; j++)
		row[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);
			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[blen];
}

/* The field of schema nearest to name, when it is near enough to be a
 * typo (two edits at most), else NULL. */
static const char *nearest_field(const struct schema *schema, const char *name,
				 size_t len)
{
	const char *best = NULL;
	size_t best_distance = 3;
	for (size_t i = 0; i < schema->fields_len; i++) {
		size_t d = distance(name, len, schema->fields[i].name);
		if (d < best_distance) {
			best_distance = d;
			best = schema->fields[i].name;
		}
	}
	return best;
}

/* Walks path through the schema tables as schema_resolve walks an object,
 * with the same syntax and words, but indexes are not bounds-checked.
 * 0, or -1 with err. */
int loader_path_check(const struct schema *schema, const char *path,
		      struct path_leaf *out, struct err **err)
{
	enum field_type type = FIELD_STRUCT, elem = FIELD_STRING;
	const struct field *field = NULL;
	const char *p = path, *last = schema->name;
	int last_len = (int)strlen(last);

	if (*p == '.')
		p++;
	if (!*p)
		return err_set(err, "empty field path");
	while (*p) {
		if (*p == '[') {
			const char *close = strchr(p, ']');
			if (!close)
				return err_set(err, "missing ']' in '%s'", path);
			size_t len = (size_t)(close - p - 1);
			if (is_map(type)) {
				if (close[1])
					return err_set(err, "nothing may follow a map key: '%s'",
						       close + 1);
				type = type == FIELD_STRMAP ? FIELD_STRING : FIELD_QUANTITY;
				field = NULL;
				break;
			}
			if (type != FIELD_LIST)
				return err_set(err, "cannot index '%.*s': it is not a list",
					       last_len, last);
			if (!len || strspn(p + 1, "0123456789") != len)
				return err_set(err, "bad index '%.*s' in '%s': expected a number",
					       (int)len + 2, p, path);
			type = elem;
			field = NULL;
			p = close + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t len = strcspn(p, ".[");
		if (!len)
			return err_set(err, "empty field name in '%s'", path);
		if (is_map(type)) {
			/* Map values are leaves: the rest is the key. */
			type = type == FIELD_STRMAP ? FIELD_STRING : FIELD_QUANTITY;
			field = NULL;
			break;
		}
		if (type == FIELD_LIST)
			return err_set(err, "cannot select '%.*s': '%.*s' is a list (use %.*s[N])",
				       (int)len, p, last_len, last, last_len, last);
		if (type != FIELD_STRUCT)
			return err_set(err, "cannot select '%.*s': '%.*s' is not an object",
				       (int)len, p, last_len, last);
		const struct field *f = NULL;
		for (size_t i = 0; i < schema->fields_len && !f; i++)
			if (strlen(schema->fields[i].name) == len &&
			    !strncmp(schema->fields[i].name, p, len))
				f = &schema->fields[i];
		if (!f) {
			const char *near = nearest_field(schema, p, len);
			return err_set(err, "no field '%.*s' in %s%s%s%s", (int)len, p,
				       schema->name, near ? " (did you mean '" : "",
				       near ? near : "", near ? "'?)" : "");
		}
		type = f->type;
		schema = f->schema;
		elem = f->elem;
		field = f;
		last = f->name;
		last_len = (int)len;
		p += len;
	}
	out->type = type;
	out->field = field;
	return 0;
}

/* Parses text as the leaf's type, as field_ref_set will at run time, and
 * checks enumerations. 0, or -1 with err. */
int loader_value_check(const struct path_leaf *leaf, const char *text,
		       struct err **err)
{
	union {
		char *string;
		struct int_or_string int_or_string;
		struct quantity quantity;
		int64_t integer;
		double number;
		bool boolean;
	} value;
	const char *why = "";

	if (leaf->type == FIELD_STRUCT || leaf->type == FIELD_LIST || is_map(leaf->type))
		return err_set(err, "cannot set a whole %s from text; set one of its %s",
			       leaf->type == FIELD_STRUCT ? "object" :
			       leaf->type == FIELD_LIST ? "list" : "map",
			       leaf->type == FIELD_STRUCT ? "fields" :
			       leaf->type == FIELD_LIST ? "elements ([N])" : "keys");
	memset(&value, 0, sizeof(value));
	BUG_ON(schema_type_size(leaf->type, NULL) > sizeof(value));
	if (schema_scalar_parse(leaf->type, text, &value, &why)) {
		if (leaf->type == FIELD_QUANTITY || leaf->type == FIELD_DURATION)
			return err_set(err, "invalid %s '%s': %s",
				       leaf->type == FIELD_QUANTITY ? "quantity" : "duration",
				       text, why);
		return err_set(err, "%s, got '%s'", why, text);
	}
	if (leaf->type == FIELD_STRING)
		free(value.string);
	if (leaf->type == FIELD_INT_OR_STRING)
		free(value.int_or_string.str_value);

	const char *const *allowed = leaf->field ? leaf->field->allowed : NULL;
	if (!allowed || leaf->type != FIELD_STRING || !*text)
		return 0;
	size_t i;
	for (i = 0; allowed[i] && strcmp(allowed[i], text); i++)
		;
	if (allowed[i])
		return 0;
	char *list = xstrdup("");
	for (i = 0; allowed[i]; i++) {
		char *longer = xasprintf("%s%s\"%s\"", list, i ? ", " : "", allowed[i]);
		free(list);
		list = longer;
	}
	err_set(err, "Unsupported value: \"%s\": supported values: %s", text, list);
	free(list);
	return -1;
}
