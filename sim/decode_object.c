/* decode_object.c - a whole manifest document into an API object.
 *
 * Before the fields, a document must say what it is: apiVersion and kind
 * pick the kind (and its schema) from the registry, or fail as the API
 * server does ("no kind "Deploymnet" is registered for version "apps/v1"").
 * After the fields, the API server does to the metadata what it always does
 * on create: a name (or generateName) is required, namespaced kinds land in
 * "default" unless the manifest names a namespace, and cluster-scoped kinds
 * silently lose any namespace. Then the kind's own defaults run.
 *
 * K8S: the apimachinery runtime.Scheme (notRegisteredErr);
 *      pkg/apis/core/validation ValidateObjectMeta;
 *      staging/src/k8s.io/apiserver/pkg/registry/rest/create.go BeforeCreate.
 *
 * Interface: decode_object() (decode.h).
 *
 * Invariants: a document with any problem yields no object (NULL, with
 * every problem reported); a returned object is fully defaulted and has
 * the namespace its kind's scope calls for.
 *
 * See also: decode.c (the schema walk).
 */
#include "decode_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The string value of apiVersion or kind, or NULL after a diagnostic. */
static const char *type_meta_field(struct decoder *d, const struct ynode *root,
				   const char *name)
{
	const struct ynode *node = ynode_get(root, name);
	if (!node || ynode_is_null(node)) {
		decode_report(d, root, "missing field \"%s\"", name);
		return NULL;
	}
	if (node->kind != YNODE_SCALAR ||
	    ynode_scalar_type(node) != YSCALAR_STRING) {
		decode_mismatch(d, node, name, FIELD_STRING);
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
		char *got = decode_describe(root);
		decode_report(&d, root, "expected a mapping with apiVersion and kind, "
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
		decode_report(&d, ynode_get(root, "kind"),
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
		decode_report(&d, metadata ? metadata : root, "metadata.name: Required "
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
