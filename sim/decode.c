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
 *
 * This file is the walk over the schema: values of every type, lists,
 * fields, defaults, and decode_struct(). The other parts have their own
 * files: decode_object.c (apiVersion, kind and the metadata of a whole
 * document: decode_object()), decode_scalar.c (integers, quantities,
 * enumerations), decode_message.c (field paths and the words of every
 * message); decode_internal.h declares what they share.
 * See also: schema.h (the tables), yamldoc.h (the tree), object.h (kinds).
 */
#include "decode.h"
#include "decode_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
/* ---- values of every type ---- */

static void decode_strmap(struct decoder *d, const struct ynode *node,
			  struct strmap *map, const char *path)
{
	if (node->kind != YNODE_MAP) {
		decode_shape_mismatch(d, node, path, "a mapping");
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
			char *kpath = decode_path_key(path, key);
			decode_mismatch(d, value, kpath, FIELD_STRING);
			free(kpath);
		}
	}
}

/* K8S: v1.ResourceList, a map of quantities: `cpu: 2`, `memory: 1Gi`. */
static void decode_resources(struct decoder *d, const struct ynode *node,
			     struct resource_list *list, const char *path)
{
	if (node->kind != YNODE_MAP) {
		decode_shape_mismatch(d, node, path, "a mapping");
		return;
	}
	for (size_t i = 0; i < node->len; i++) {
		const char *key = node->pairs[i].key->scalar;
		const struct ynode *value = node->pairs[i].value;
		char *kpath = decode_path_key(path, key);
		struct quantity quantity = { 0 };	/* null: zero, as upstream */
		int before = d->count;
		if (value->kind != YNODE_SCALAR)
			decode_mismatch(d, value, kpath, FIELD_QUANTITY);
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
		decode_mismatch(d, node, path, type);
		return;
	}
	enum yscalar_type scalar = ynode_scalar_type(node);
	int64_t integer;
	const char *why = NULL;
	switch (type) {
	case FIELD_STRING:
		if (scalar != YSCALAR_STRING) {
			decode_mismatch(d, node, path, type);
			break;
		}
		decode_check_allowed(d, node, path, allowed);
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
			decode_mismatch(d, node, path, type);
		break;
	case FIELD_DOUBLE:
		if (ynode_double(node, value) || !isfinite(*(double *)value)) {
			*(double *)value = 0;
			decode_mismatch(d, node, path, type);
		}
		break;
	case FIELD_QUANTITY:
		decode_quantity(d, node, path, value);
		break;
	case FIELD_TIME:
	case FIELD_DURATION:
		/* metav1.Time and metav1.Duration are JSON strings only. */
		if (scalar != YSCALAR_STRING)
			decode_mismatch(d, node, path, type);
		else if (schema_scalar_parse(type, node->scalar, value, &why))
			decode_invalid(d, node, path, type == FIELD_TIME ? "time"
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
		} else if (!decode_read_integer(node, &integer)) {
			decode_mismatch(d, node, path, type);
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
			char *value = decode_quote(mine, QUOTE_VALUE);
			decode_report(d, at ? at : node->items[i],
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
		decode_shape_mismatch(d, node, path, "a list");
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
		char *ipath = decode_path_index(path, i);
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
void decode_fields(struct decoder *d, const struct ynode *node,
		   const struct schema *schema, void *base,
		   const char *path, bool type_meta)
{
	if (ynode_is_null(node)) {
		schema_apply_defaults(schema, base);	/* nothing was written */
		return;
	}
	if (node->kind != YNODE_MAP) {
		decode_shape_mismatch(d, node, path, "a mapping");
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
		char *fpath = decode_path_field(path, key->scalar);
		if (!field) {
			char *quoted = decode_quote(fpath, QUOTE_PATH);
			decode_report(d, key, "unknown field %s", quoted);
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
			decode_report(d, node, "missing required field \"%s\" in %s",
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
