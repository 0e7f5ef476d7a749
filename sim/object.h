/* object.h - the Kubernetes object: metadata, kinds, reference counting.
 *
 * K8S: metav1.ObjectMeta, metav1.TypeMeta, runtime.Object.
 *
 * Every API object starts with a struct object: its kind and its metadata.
 * A kind's struct embeds it first (struct pod { struct object obj; ... }),
 * so a struct object * can be cast to the kind once the kind is checked
 * (object_as() does both).
 *
 * Ownership: objects are reference counted and treated as immutable once
 * they are in the store: a reader that wants to change one takes a copy
 * (object_copy), edits it and hands the copy to the store. Watches and
 * informer caches hold references to the very objects the store holds,
 * so a 150,000-pod cluster keeps one copy of each pod version.
 *   object_new / object_copy return a reference the caller owns;
 *   object_ref takes another; object_unref drops one and frees at zero.
 *
 * Frozen objects (memory, not Kubernetes): an object being built or edited
 * is "loose": each of its strings and lists is an allocation of its own,
 * which schema_release frees and code may replace. The store freezes every
 * version it keeps (object_freeze): the strings and lists of its body
 * (metadata, spec, everything but status) move into one block, those of
 * its status into another (schema.h, "Packing"). A status write then makes
 * a version that shares the body block with the previous one, and a spec
 * or metadata write one that shares the status block: while watchers
 * still hold the old version, a pod costs one body, not two. Blocks are
 * reference counted like objects. Strings every object repeats (a field's
 * allowed values, and fields marked FIELD_INTERN such as condition types
 * and node names) are not copied into blocks but point at one shared copy.
 * Readers see no difference; editing a frozen object in place was never
 * allowed and now also breaks (a free of a pointer into a block), which
 * the sanitizer build reports at once.
 */
#ifndef KUBELAB_OBJECT_H
#define KUBELAB_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "schema.h"
#include "strmap.h"

/* The kinds kubelab models. Order is the order of `kubelab get all`. */
enum kind_id {
	KIND_NAMESPACE,
	KIND_NODE,
	KIND_POD,
	KIND_REPLICASET,
	KIND_DEPLOYMENT,
	KIND_STATEFULSET,
	KIND_DAEMONSET,
	KIND_JOB,
	KIND_CRONJOB,
	KIND_SERVICE,
	KIND_ENDPOINTS,
	KIND_ENDPOINTSLICE,
	KIND_CONFIGMAP,
	KIND_PERSISTENTVOLUME,
	KIND_PERSISTENTVOLUMECLAIM,
	KIND_STORAGECLASS,
	KIND_PRIORITYCLASS,
	KIND_PODDISRUPTIONBUDGET,
	KIND_HORIZONTALPODAUTOSCALER,
	KIND_EVENT,
	KIND_LEASE,
	KIND_CONTROLLERREVISION,
	KIND_CSINODE,
	KIND_COUNT
};

/* K8S: metav1.OwnerReference */
struct owner_reference {
	char *api_version;
	char *kind;
	char *name;
	char *uid;
	bool controller;
	bool block_owner_deletion;
};

/* K8S: metav1.ObjectMeta. Fields marked (server) are set by the store. */
struct object_meta {
	char *name;
	char *generate_name;
	char *namespace;		/* NULL for cluster-scoped kinds */
	char *uid;			/* (server) */
	int64_t resource_version;	/* (server) a string upstream; opaque */
	int64_t generation;		/* (server) bumped when spec changes */
	ktime_t creation_timestamp;	/* (server) */
	ktime_t deletion_timestamp;	/* (server) 0 unless being deleted */
	int64_t deletion_grace_period_seconds;	/* (server) */
	struct strmap labels;
	struct strmap annotations;
	LIST_OF(struct owner_reference) owner_references;
	LIST_OF(char *) finalizers;
};

struct kind_info;
struct object_block;

struct object {
	const struct kind_info *kind;
	int refs;			/* see the ownership note above */
	/* Frozen parts (see above): the block holding the strings and lists of
	 * the body and of the status; NULL while that part is loose. */
	struct object_block *body_block, *status_block;
	struct object_meta meta;
};

/* What kubelab knows about a kind; one static table row per kind. */
struct kind_info {
	enum kind_id id;
	const char *kind;		/* "Deployment" */
	const char *api_version;	/* "apps/v1" */
	const char *resource;		/* "deployments" */
	const char *singular;		/* "deployment" */
	const char *short_names;	/* "deploy" (comma-separated) */
	bool namespaced;
	bool has_status;		/* status is a subresource */
	size_t size;			/* sizeof(struct deployment) */
	const struct schema *schema;	/* top level: metadata, spec, status */
	size_t spec_offset;		/* offset of .spec; 0 when none */
	const struct schema *spec_schema;
	size_t status_offset;		/* offset of .status; 0 when none */
	const struct schema *status_schema;
	/* Extra defaulting the tables cannot say (may be NULL). */
	void (*set_defaults)(struct object *obj);
};

const struct kind_info *kind_get(enum kind_id id);
/* "Pod" with apiVersion "v1"; api_version may be NULL to match any. */
const struct kind_info *kind_find(const char *api_version, const char *kind);
/* A name as kubectl takes it: "pods", "pod", "po", "Pod", "deploy". */
const struct kind_info *kind_from_cli(const char *name);

struct object *object_new(const struct kind_info *kind);
struct object *object_copy(const struct object *obj);
struct object *object_ref(const struct object *obj);
void object_unref(struct object *obj);

/* Freezing, for the store (see above). object_freeze packs the loose parts
 * of obj in place (same object, same content). object_share_status
 * replaces obj's loose status by frozen's, shared. object_new_status_version
 * returns a new frozen object (one reference) with frozen's metadata and
 * spec, shared, and the status of status_of, packed. */
void object_freeze(struct object *obj);
void object_share_status(struct object *obj, const struct object *frozen);
struct object *object_new_status_version(const struct object *frozen,
					 const struct object *status_of);
/* A new frozen version (one reference) sharing every part with frozen, for
 * an edit so small it needs no block of its own: the caller may only
 * overwrite top-level scalars (integers, booleans) and string pointers
 * with interned text (schema_intern), never free or edit what they point
 * at. The pods/binding subresource sets spec.nodeName this way. */
struct object *object_new_shared_version(const struct object *frozen);

/* Casts after checking the kind; BUG on a mismatch. */
#define object_as(obj, id, type) \
	((type *)object_check_kind((obj), (id)))
void *object_check_kind(const struct object *obj, enum kind_id id);

/* "namespace/name" or "name"; caller frees. */
char *object_key(const struct object *obj);
/* "deployment/web" as kubectl prints it; caller frees. */
char *object_ref_name(const struct object *obj);

/* The owner reference with controller: true, or NULL. K8S: metav1.GetControllerOf */
const struct owner_reference *object_controller_of(const struct object *obj);
bool object_is_deleting(const struct object *obj);

/* Schema of struct object_meta, for the kind tables. */
extern const struct schema object_meta_schema;

#endif
