/* decode.c - strict decoding of YAML manifests into typed API objects.
 *
 * When `kubectl apply --validate=strict` sends a manifest, the API server
 * decodes the JSON into Go structs and refuses anything it does not
 * recognise: an unknown field, a string where an integer belongs, a quantity
 * that does not parse. kubelab does the same walk over the schema tables
 * (schema.h) and a positioned YAML tree (yamldoc.h), and reports every
 * problem it finds, each at the file:line:column of the offending node.
 * K8S: staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json (strict
 *      decoding: "strict decoding error: unknown field ..."), sigs.k8s.io/json
 *      (case-sensitive field names), the apimachinery runtime.Scheme ("no kind
 *      ... is registered for version ..."), and a few checks of
 *      pkg/apis/core/validation (duplicate names, enumerations, a missing
 *      name) that kubelab makes here so a bad manifest fails at load time.
 *
 * What a YAML value means follows the YAML-to-JSON conversion kubectl does
 * before decoding (yamldoc.h): `replicas: "3"` is a string and is refused for
 * an integer field, `replicas: 3.0` is the JSON number 3 and is accepted,
 * `version: 2` under labels is a number and is refused, because labels are
 * strings (upstream says "cannot unmarshal number into Go struct field
 * ObjectMeta.metadata.labels of type string"). null is the same as absent.
 *
 * Messages name the field path as upstream does ("spec.containers[0].image",
 * map keys in brackets: "resources.requests[cpu]"). The wordings follow
 * upstream where it has one: `unknown field "spec.replica"`,
 * `spec.restartPolicy: Unsupported value: "Sometimes": supported values:
 * "Always", "OnFailure", "Never"`, `spec.containers[1].name: Duplicate value:
 * "web"`, `metadata.name: Required value: name or generateName is required`.
 * Type errors are kubelab's own, friendlier than Go's json package:
 * `spec.replicas: expected an integer, got "three"`.
 *
 * Defaults are applied while decoding, not after: only here is it known
 * whether `replicas: 0` was written (keep 0) or left out (default 1); see
 * apply_default(). decode_object also does what the API server does to the
 * metadata on create: namespaced kinds land in "default" unless the
 * manifest names a namespace, cluster-scoped kinds lose any namespace.
 *
 * Invariants: decoding only adds to a struct the caller zeroed, and never
 * stops early, so one run reports every problem of a document; a document
 * with any problem yields no object.
 * See also: schema.h (the tables), yamldoc.h (the tree), object.h (kinds).
 */
#include "decode.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct decoder {
	const char *file;
	struct diag_list *diags;
	int count;		/* diagnostics added by this decoder */
};

static void report(struct decoder *d, const struct ynode *at, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void report(struct decoder *d, const struct ynode *at, const char *fmt,
		   ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d->diags, d->file, at->line, at->column, fmt, ap);
	va_end(ap);
	d->count++;
}

/* ---- field paths and quoting, for messages ---- */

static char *path_field(const char *path, const char *name)
{
	return *path ? xasprintf("%s.%s", path, name) : xstrdup(name);
}

static char *path_index(const char *path, size_t index)
{
	return xasprintf("%s[%zu]", path, index);
}

static char *path_key(const char *path, const char *key)
{
	return xasprintf("%s[%s]", path, key);
}

/* text in double quotes with quotes, backslashes and control characters
 * escaped (like Go's %q), cut after max bytes with "..." so that a pasted
 * certificate does not flood the terminal. Caller frees. */
static char *quote(const char *text, size_t max)
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

#define QUOTE_VALUE 60		/* values in messages */
#define QUOTE_PATH 200		/* field paths are never cut in practice */

/* What a node is, for "got ..." in messages: `"three"`, `the string "3"`
 * (quoted in the YAML, hence not a number), `the integer 2`, `a mapping`.
 * Caller frees. */
static char *describe(const struct ynode *node)
{
	if (node->kind != YNODE_SCALAR)
		return xstrdup(ynode_kind_name(node->kind));
	char *quoted = quote(node->scalar, QUOTE_VALUE);
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
static void mismatch(struct decoder *d, const struct ynode *node,
		     const char *path, enum field_type type)
{
	char *got = describe(node);
	char *hint = NULL;
	if (type == FIELD_STRING && node->kind == YNODE_SCALAR &&
	    ynode_scalar_type(node) != YSCALAR_STRING &&
	    ynode_scalar_type(node) != YSCALAR_NULL) {
		char *quoted = quote(node->scalar, QUOTE_VALUE);
		hint = xasprintf(" (quote it to make it a string: %s)", quoted);
		free(quoted);
	}
	report(d, node, "%s: %s, got %s%s", path, expected_text(type), got,
	       hint ? hint : "");
	free(hint);
	free(got);
}

/* "expected a mapping for spec.template, got a list": the shape is wrong. */
static void shape_mismatch(struct decoder *d, const struct ynode *node,
			   const char *path, const char *expected)
{
	char *got = describe(node);
	if (*path)
		report(d, node, "expected %s for %s, got %s", expected, path, got);
	else
		report(d, node, "expected %s, got %s", expected, got);
	free(got);
}

/* "PATH: invalid quantity "1.5GB": unknown suffix ...": the type is right
 * but the text does not parse; why comes from the parser. */
static void invalid(struct decoder *d, const struct ynode *node,
		    const char *path, const char *noun, const char *why)
{
	char *value = quote(node->scalar, QUOTE_VALUE);
	report(d, node, "%s: invalid %s %s: %s", path, noun, value, why);
	free(value);
}

/* ---- scalars ---- */

/* An integer as the JSON decoder would see it. JSON has one number type,
 * so the YAML float 3.0 (or 1e3) reaches Go as the number 3 (1000) and
 * decodes into an int32; 2.5 does not. */
static bool read_integer(const struct ynode *node, int64_t *out)
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

static bool decode_integer(struct decoder *d, const struct ynode *node,
			   const char *path, bool is_32bit, int64_t *out)
{
	if (!read_integer(node, out)) {
		if (ynode_scalar_type(node) == YSCALAR_INT)
			report(d, node, "%s: %s does not fit in a 64-bit integer",
			       path, node->scalar);
		else
			mismatch(d, node, path, FIELD_INT64);
		return false;
	}
	if (is_32bit && (*out < INT32_MIN || *out > INT32_MAX)) {
		report(d, node, "%s: %s does not fit in a 32-bit integer", path,
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

static void decode_quantity(struct decoder *d, const struct ynode *node,
			    const char *path, struct quantity *out)
{
	char *text = quantity_text(node);
	const char *why = NULL;
	if (!text)
		mismatch(d, node, path, FIELD_QUANTITY);
	else if (schema_scalar_parse(FIELD_QUANTITY, text, out, &why))
		invalid(d, node, path, "quantity", why);
	free(text);
}

/* K8S: field.NotSupported. Empty strings are not checked: upstream's
 * defaulting treats "" as unset, and so does kubelab's. */
static void check_allowed(struct decoder *d, const struct ynode *node,
			  const char *path, const char *const *allowed)
{
	if (!allowed || !*node->scalar)
		return;
	for (size_t i = 0; allowed[i]; i++)
		if (!strcmp(allowed[i], node->scalar))
			return;
	char *list = xstrdup("");
	for (size_t i = 0; allowed[i]; i++) {
		char *quoted = quote(allowed[i], QUOTE_VALUE);
		char *longer = xasprintf("%s%s%s", list, i ? ", " : "", quoted);
		free(quoted);
		free(list);
		list = longer;
	}
	char *value = quote(node->scalar, QUOTE_VALUE);
	report(d, node, "%s: Unsupported value: %s: supported values: %s", path,
	       value, list);
	free(value);
	free(list);
}

/* ---- values of every type ---- */

static void decode_fields(struct decoder *d, const struct ynode *node,
			  const struct schema *schema, void *base,
			  const char *path, bool type_meta);

static void decode_strmap(struct decoder *d, const struct ynode *node,
			  struct strmap *map, const char *path)
{
	if (node->kind != YNODE_MAP) {
		shape_mismatch(d, node, path, "a mapping");
		return;
	}
	for (size_t i = 0; i < node->len; i++) {
		const char *key = node->pairs[i].key->scalar;
		const struct ynode *value = node->pairs[i].value;
		if (ynode_is_null(value)) {
			strmap_set(map, key, "");	/* Go: null -> "" */
		} else if (value->kind == YNODE_SCALAR &&
			   ynode_scalar_type(value) == YSCALAR_STRING) {
			strmap_set(map, key, value->scalar);
		} else {
			char *kpath = path_key(path, key);
			mismatch(d, value, kpath, FIELD_STRING);
			free(kpath);
		}
	}
}

/* K8S: v1.ResourceList, a map of quantities: `cpu: 2`, `memory: 1Gi`. */
static void decode_resources(struct decoder *d, const struct ynode *node,
			     struct resource_list *list, const char *path)
{
	if (node->kind != YNODE_MAP) {
		shape_mismatch(d, node, path, "a mapping");
		return;
	}
	for (size_t i = 0; i < node->len; i++) {
		const char *key = node->pairs[i].key->scalar;
		const struct ynode *value = node->pairs[i].value;
		char *kpath = path_key(path, key);
		struct quantity quantity = { 0 };	/* null: zero, as upstream */
		int before = d->count;
		if (value->kind != YNODE_SCALAR)
			mismatch(d, value, kpath, FIELD_QUANTITY);
		else if (!ynode_is_null(value))
			decode_quantity(d, value, kpath, &quantity);
		if (d->count == before)
			resource_list_set(list, key, &quantity);
		free(kpath);
	}
}

/* Decodes one non-null node into value, of the given type. Lists are
 * decoded by decode_list, since a list's element type lives in its field. */
static void decode_value(struct decoder *d, enum field_type type,
			 const struct schema *schema,
			 const char *const *allowed, const struct ynode *node,
			 void *value, const char *path)
{
	BUG_ON(type == FIELD_LIST);
	switch (type) {
	case FIELD_STRUCT:
		decode_fields(d, node, schema, value, path, false);
		return;
	case FIELD_STRMAP:
		decode_strmap(d, node, value, path);
		return;
	case FIELD_RESOURCES:
		decode_resources(d, node, value, path);
		return;
	default:
		break;
	}
	if (node->kind != YNODE_SCALAR) {
		mismatch(d, node, path, type);
		return;
	}
	enum yscalar_type scalar = ynode_scalar_type(node);
	int64_t integer;
	const char *why = NULL;
	switch (type) {
	case FIELD_STRING:
		if (scalar != YSCALAR_STRING) {
			mismatch(d, node, path, type);
			break;
		}
		check_allowed(d, node, path, allowed);
		free(*(char **)value);
		*(char **)value = xstrdup(node->scalar);
		break;
	case FIELD_INT32:
		if (decode_integer(d, node, path, true, &integer))
			*(int32_t *)value = (int32_t)integer;
		break;
	case FIELD_INT64:
		if (decode_integer(d, node, path, false, &integer))
			*(int64_t *)value = integer;
		break;
	case FIELD_OPT_INT64:
		if (decode_integer(d, node, path, false, &integer)) {
			struct opt_int64 *opt = value;
			opt->is_set = true;
			opt->value = integer;
		}
		break;
	case FIELD_BOOL:
		if (ynode_bool(node, value))
			mismatch(d, node, path, type);
		break;
	case FIELD_DOUBLE:
		if (ynode_double(node, value) || !isfinite(*(double *)value)) {
			*(double *)value = 0;
			mismatch(d, node, path, type);
		}
		break;
	case FIELD_QUANTITY:
		decode_quantity(d, node, path, value);
		break;
	case FIELD_TIME:
	case FIELD_DURATION:
		/* metav1.Time and metav1.Duration are JSON strings only. */
		if (scalar != YSCALAR_STRING)
			mismatch(d, node, path, type);
		else if (schema_scalar_parse(type, node->scalar, value, &why))
			invalid(d, node, path, type == FIELD_TIME ? "time"
				: "duration", why);
		break;
	case FIELD_INT_OR_STRING: {
		/* K8S: intstr.IntOrString.UnmarshalJSON: a JSON string stays a
		 * string (even "3"), anything else must be an int32. */
		struct int_or_string *ios = value;
		if (scalar == YSCALAR_STRING) {
			free(ios->str_value);
			ios->str_value = xstrdup(node->scalar);
			ios->is_string = true;
			ios->is_set = true;
		} else if (!read_integer(node, &integer)) {
			mismatch(d, node, path, type);
		} else if (decode_integer(d, node, path, true, &integer)) {
			ios->int_value = (int32_t)integer;
			ios->is_set = true;
		}
		break;
	}
	default:
		bug_report(__FILE__, __LINE__, "unhandled field type");
	}
}

/* Lists whose elements are keyed by name, where upstream validation rejects
 * a repeated name (K8S: validateContainers, validateVolumes,
 * validateContainerPorts, ValidateService). env is keyed by name too, but a
 * repeated variable is only a warning upstream, so it is not here. */
static const char *const unique_name_lists[] = {
	"containers", "initContainers", "volumes", "ports",
};

static void check_unique_names(struct decoder *d, const struct field *field,
			       const struct ynode *node,
			       const struct list_any *list, const char *path)
{
	bool keyed = false;
	for (size_t i = 0; i < sizeof(unique_name_lists) / sizeof(char *); i++)
		keyed |= !strcmp(field->name, unique_name_lists[i]);
	const struct field *name = field->elem == FIELD_STRUCT ?
		schema_field(field->schema, "name") : NULL;
	if (!keyed || !name || name->type != FIELD_STRING)
		return;
	size_t size = schema_type_size(FIELD_STRUCT, field->schema);
	for (size_t i = 1; i < list->len; i++) {
		const char *mine =
			*(char **)((char *)list->items + i * size + name->offset);
		if (!mine || !*mine)
			continue;	/* unnamed ports may repeat */
		for (size_t j = 0; j < i; j++) {
			const char *other = *(char **)((char *)list->items +
						       j * size + name->offset);
			if (!other || strcmp(mine, other))
				continue;
			const struct ynode *at = ynode_get(node->items[i], "name");
			char *value = quote(mine, QUOTE_VALUE);
			report(d, at ? at : node->items[i],
			       "%s[%zu].name: Duplicate value: %s", path, i, value);
			free(value);
			break;
		}
	}
}

static void decode_list(struct decoder *d, const struct field *field,
			const struct ynode *node, struct list_any *list,
			const char *path)
{
	if (node->kind != YNODE_SEQ) {
		shape_mismatch(d, node, path, "a list");
		return;
	}
	BUG_ON(field->elem == FIELD_LIST);	/* no lists of lists in the API */
	size_t size = schema_type_size(field->elem, field->schema);
	list->items = node->len ? xcalloc(node->len, size) : NULL;
	list->len = node->len;
	for (size_t i = 0; i < node->len; i++) {
		void *item = (char *)list->items + i * size;
		if (ynode_is_null(node->items[i])) {
			/* Go: a null element is the zero value, defaulted. */
			if (field->elem == FIELD_STRUCT)
				schema_apply_defaults(field->schema, item);
			continue;
		}
		char *ipath = path_index(path, i);
		decode_value(d, field->elem, field->schema, field->allowed,
			     node->items[i], item, ipath);
		free(ipath);
	}
	check_unique_names(d, field, node, list, path);
}

/* K8S: the defaulting functions (pkg/apis/core/v1/defaults.go ...) run on
 * the decoded Go struct, where a pointer field tells "absent" from "zero".
 * kubelab's structs cannot (replicas: 0 looks like no replicas at all), so
 * defaults are applied here, where the manifest still says what was
 * written: only to fields that were absent or null, and to strings written
 * as "" (upstream's defaulting tests `== ""`). An absent struct gets the
 * defaults of its own fields (strategy -> RollingUpdate, 25%), unless it
 * is FIELD_OPTIONAL (a probe nobody wrote has no periodSeconds). */
static void apply_default(const struct field *field, void *slot)
{
	if (field->dflt) {
		const char *why = NULL;
		int rc = schema_scalar_parse(field->type, field->dflt, slot, &why);
		BUG_ON(rc != 0);	/* a bad default in a table */
	}
	if (field->type == FIELD_STRUCT && !(field->flags & FIELD_OPTIONAL))
		schema_apply_defaults(field->schema, slot);
}

static bool written_empty(const struct ynode *value)
{
	return value->kind == YNODE_SCALAR && !*value->scalar;
}

/* Walks the mapping node against schema, field by field, then checks the
 * required fields and applies the defaults of the absent ones. At the top
 * of a manifest (type_meta) apiVersion and kind are skipped: decode_object
 * has read them. FIELD_READ_ONLY fields are skipped unread: the API server
 * resets them on create, whatever they hold. */
static void decode_fields(struct decoder *d, const struct ynode *node,
			  const struct schema *schema, void *base,
			  const char *path, bool type_meta)
{
	if (ynode_is_null(node)) {
		schema_apply_defaults(schema, base);	/* nothing was written */
		return;
	}
	if (node->kind != YNODE_MAP) {
		shape_mismatch(d, node, path, "a mapping");
		return;
	}
	for (size_t i = 0; i < node->len; i++) {
		const struct ynode *key = node->pairs[i].key;
		const struct ynode *value = node->pairs[i].value;
		if (type_meta && (!strcmp(key->scalar, "apiVersion") ||
				  !strcmp(key->scalar, "kind")))
			continue;
		/* K8S: strict decoding; names are case-sensitive. */
		const struct field *field = schema_field(schema, key->scalar);
		char *fpath = path_field(path, key->scalar);
		if (!field) {
			char *quoted = quote(fpath, QUOTE_PATH);
			report(d, key, "unknown field %s", quoted);
			free(quoted);
		} else if (!(field->flags & FIELD_READ_ONLY) &&
			   !ynode_is_null(value)) {
			void *slot = (char *)base + field->offset;
			if (field->type == FIELD_LIST)
				decode_list(d, field, value, slot, fpath);
			else
				decode_value(d, field->type, field->schema,
					     field->allowed, value, slot, fpath);
		}
		free(fpath);
	}
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *field = &schema->fields[i];
		const struct ynode *value = ynode_get(node, field->name);
		bool absent = !value || ynode_is_null(value) ||
			      (field->flags & FIELD_READ_ONLY);
		if (absent && (field->flags & FIELD_REQUIRED))
			report(d, node, "missing required field \"%s\" in %s",
			       field->name, *path ? path : schema->name);
		if (absent || (field->type == FIELD_STRING && field->dflt &&
			       written_empty(value)))
			apply_default(field, (char *)base + field->offset);
	}
}

int decode_struct(const char *file, const struct ynode *node,
		  const struct schema *schema, void *base, const char *path,
		  struct diag_list *diags)
{
	struct decoder d = { .file = file, .diags = diags };
	decode_fields(&d, node, schema, base, path ? path : "", false);
	return d.count;
}

/* ---- whole objects ---- */

/* The string value of apiVersion or kind, or NULL after a diagnostic. */
static const char *type_meta_field(struct decoder *d, const struct ynode *root,
				   const char *name)
{
	const struct ynode *node = ynode_get(root, name);
	if (!node || ynode_is_null(node)) {
		report(d, root, "missing field \"%s\"", name);
		return NULL;
	}
	if (node->kind != YNODE_SCALAR ||
	    ynode_scalar_type(node) != YSCALAR_STRING) {
		mismatch(d, node, name, FIELD_STRING);
		return NULL;
	}
	return node->scalar;
}

/* A name given as a non-empty value (a wrong type is reported elsewhere). */
static bool name_given(const struct ynode *node)
{
	return node && !ynode_is_null(node) &&
	       !(node->kind == YNODE_SCALAR && !*node->scalar);
}

struct object *decode_object(const char *file, const struct ynode *root,
			     struct diag_list *diags)
{
	struct decoder d = { .file = file, .diags = diags };
	if (root->kind != YNODE_MAP) {
		char *got = describe(root);
		report(&d, root, "expected a mapping with apiVersion and kind, "
		       "got %s", got);
		free(got);
		return NULL;
	}
	const char *api_version = type_meta_field(&d, root, "apiVersion");
	const char *kind_name = type_meta_field(&d, root, "kind");
	if (!api_version || !kind_name)
		return NULL;
	const struct kind_info *kind = kind_find(api_version, kind_name);
	if (!kind) {
		/* K8S: runtime.notRegisteredErr; the hint is kubelab's. */
		const struct kind_info *other = kind_find(NULL, kind_name);
		char *hint = other ? xasprintf(" (%s is in \"%s\")", kind_name,
					       other->api_version)
				   : xstrdup("");
		report(&d, ynode_get(root, "kind"),
		       "no kind \"%s\" is registered for version \"%s\"%s",
		       kind_name, api_version, hint);
		free(hint);
		return NULL;
	}

	struct object *obj = object_new(kind);
	decode_fields(&d, root, kind->schema, obj, "", true);

	/* K8S: ValidateObjectMeta. */
	const struct ynode *metadata = ynode_get(root, "metadata");
	bool metadata_usable = !metadata || metadata->kind == YNODE_MAP ||
			       ynode_is_null(metadata);
	if (metadata_usable && !name_given(ynode_get(metadata, "name")) &&
	    !name_given(ynode_get(metadata, "generateName")))
		report(&d, metadata ? metadata : root, "metadata.name: Required "
		       "value: name or generateName is required");
	if (d.count) {
		object_unref(obj);
		return NULL;
	}

	/* K8S: rest.BeforeCreate. kubectl sends a namespaced object to its
	 * context's namespace ("default" here); the API server clears, without
	 * a word, the namespace written on a cluster-scoped object. */
	struct object_meta *meta = &obj->meta;
	if (meta->namespace && !*meta->namespace) {
		free(meta->namespace);
		meta->namespace = NULL;
	}
	if (kind->namespaced && !meta->namespace)
		meta->namespace = xstrdup("default");
	if (!kind->namespaced && meta->namespace) {
		free(meta->namespace);
		meta->namespace = NULL;
	}

	/* The tables' defaults were applied while decoding (apply_default);
	 * what they cannot say (imagePullPolicy from the image's tag, a
	 * selector from the template's labels) is the kind's own. */
	if (kind->set_defaults)
		kind->set_defaults(obj);
	return obj;
}
