/* object.c - API objects: the kind registry, metadata, reference counts.
 *
 * K8S: metav1.ObjectMeta and metav1.OwnerReference
 * (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go), the REST
 * mapper that turns `kubectl get po` into the pods resource
 * (k8s.io/apimachinery/pkg/api/meta/restmapper.go and the discovery
 * short names), and metav1.GetControllerOf.
 *
 * Every kind's table row (struct kind_info) lives beside its schema in an
 * api_*.c file; this file only lists them, indexed by enum kind_id, and
 * implements what is the same for every object: allocation, deep copy
 * (through the kind's schema), reference counting and the metadata schema.
 *
 * Invariants: kinds[id]->id == id for every id (checked by kind_get);
 * a live object has refs >= 1; an object's bytes outside the schema (its
 * kind pointer and count) are never copied by schema_copy, so object_copy
 * sets them itself.
 *
 * See also: schema.h (the generic operations), store.c (the only writer of
 * the (server) metadata fields).
 */
#include "object.h"
#include "api.h"
#include "xmalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- metadata ------------------------------------------------------------ */

/* K8S: metav1.OwnerReference. blockOwnerDeletion is what foreground
 * deletion waits on; controller: true marks the one managing owner. */
static const struct field owner_reference_fields[] = {
	{ "apiVersion", FIELD_STRING, .offset = offsetof(struct owner_reference, api_version),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "kind", FIELD_STRING, .offset = offsetof(struct owner_reference, kind),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "name", FIELD_STRING, .offset = offsetof(struct owner_reference, name),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "uid", FIELD_STRING, .offset = offsetof(struct owner_reference, uid),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "controller", FIELD_BOOL, .offset = offsetof(struct owner_reference, controller) },
	{ "blockOwnerDeletion", FIELD_BOOL,
	  .offset = offsetof(struct owner_reference, block_owner_deletion) },
};

static const struct schema owner_reference_schema = {
	"OwnerReference", sizeof(struct owner_reference), FIELDS(owner_reference_fields)
};

/* Fields marked FIELD_READ_ONLY are the server's: a manifest may carry
 * them (a `kubectl get -o yaml` pasted back) and decoding ignores them, as
 * the API server resets them on create.
 *
 * resourceVersion: upstream it is an opaque string ("12345") and clients
 * must not compare two of them. kubelab stores the integer the store counts
 * with (FIELD_INT64); json.c quotes it on output, as upstream prints it, and
 * the store only ever tests it for equality (optimistic concurrency). */
static const struct field object_meta_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct object_meta, name) },
	{ "generateName", FIELD_STRING, .offset = offsetof(struct object_meta, generate_name),
	  .flags = FIELD_INTERN },
	{ "namespace", FIELD_STRING, .offset = offsetof(struct object_meta, namespace),
	  .flags = FIELD_INTERN },
	{ "uid", FIELD_STRING, .offset = offsetof(struct object_meta, uid),
	  .flags = FIELD_READ_ONLY },
	{ "resourceVersion", FIELD_INT64,
	  .offset = offsetof(struct object_meta, resource_version), .flags = FIELD_READ_ONLY },
	{ "generation", FIELD_INT64, .offset = offsetof(struct object_meta, generation),
	  .flags = FIELD_READ_ONLY },
	{ "creationTimestamp", FIELD_TIME,
	  .offset = offsetof(struct object_meta, creation_timestamp), .flags = FIELD_READ_ONLY },
	{ "deletionTimestamp", FIELD_TIME,
	  .offset = offsetof(struct object_meta, deletion_timestamp), .flags = FIELD_READ_ONLY },
	{ "deletionGracePeriodSeconds", FIELD_INT64,
	  .offset = offsetof(struct object_meta, deletion_grace_period_seconds),
	  .flags = FIELD_READ_ONLY },
	{ "labels", FIELD_STRMAP, .offset = offsetof(struct object_meta, labels),
	  .flags = FIELD_INTERN },
	{ "annotations", FIELD_STRMAP, .offset = offsetof(struct object_meta, annotations) },
	{ "ownerReferences", FIELD_LIST,
	  .offset = offsetof(struct object_meta, owner_references),
	  .schema = &owner_reference_schema, .elem = FIELD_STRUCT },
	{ "finalizers", FIELD_LIST, .offset = offsetof(struct object_meta, finalizers),
	  .elem = FIELD_STRING },
};

const struct schema object_meta_schema = {
	"ObjectMeta", sizeof(struct object_meta), FIELDS(object_meta_fields)
};

/* ---- the kind registry --------------------------------------------------- */

static const struct kind_info *const kinds[KIND_COUNT] = {
	[KIND_NAMESPACE]		= &namespace_kind,
	[KIND_NODE]			= &node_kind,
	[KIND_POD]			= &pod_kind,
	[KIND_REPLICASET]		= &replica_set_kind,
	[KIND_DEPLOYMENT]		= &deployment_kind,
	[KIND_STATEFULSET]		= &stateful_set_kind,
	[KIND_DAEMONSET]		= &daemon_set_kind,
	[KIND_JOB]			= &job_kind,
	[KIND_CRONJOB]			= &cron_job_kind,
	[KIND_SERVICE]			= &service_kind,
	[KIND_ENDPOINTS]		= &endpoints_kind,
	[KIND_ENDPOINTSLICE]		= &endpoint_slice_kind,
	[KIND_CONFIGMAP]		= &config_map_kind,
	[KIND_PERSISTENTVOLUME]		= &persistent_volume_kind,
	[KIND_PERSISTENTVOLUMECLAIM]	= &persistent_volume_claim_kind,
	[KIND_STORAGECLASS]		= &storage_class_kind,
	[KIND_PRIORITYCLASS]		= &priority_class_kind,
	[KIND_PODDISRUPTIONBUDGET]	= &pod_disruption_budget_kind,
	[KIND_HORIZONTALPODAUTOSCALER]	= &horizontal_pod_autoscaler_kind,
	[KIND_EVENT]			= &event_kind,
	[KIND_LEASE]			= &lease_kind,
	[KIND_CONTROLLERREVISION]	= &controller_revision_kind,
	[KIND_CSINODE]			= &csi_node_kind,
};

const struct kind_info *kind_get(enum kind_id id)
{
	BUG_ON((unsigned)id >= KIND_COUNT);
	BUG_ON(kinds[id]->id != id);
	return kinds[id];
}

const struct kind_info *kind_find(const char *api_version, const char *kind)
{
	for (int id = 0; id < KIND_COUNT; id++) {
		const struct kind_info *info = kinds[id];
		if (!strcmp(info->kind, kind) &&
		    (!api_version || !strcmp(info->api_version, api_version)))
			return info;
	}
	return NULL;
}

/* True when name (n bytes) equals one of the comma-separated words. */
static bool in_word_list(const char *list, const char *name, size_t n)
{
	while (list && *list) {
		size_t len = strcspn(list, ",");
		if (len == n && !strncasecmp(list, name, n))
			return true;
		list += len + (list[len] == ',');
	}
	return false;
}

/* The API group of "apps/v1" is "apps"; of "v1" (the core group) "". */
static bool group_matches(const struct kind_info *info, const char *group)
{
	const char *slash = strchr(info->api_version, '/');
	size_t len = slash ? (size_t)(slash - info->api_version) : 0;
	/* kubectl also takes "deployments.v1.apps": a version, then the group. */
	const char *dot = strchr(group, '.');
	if (dot && !strncasecmp(group, slash ? slash + 1 : info->api_version,
				(size_t)(dot - group)))
		group = dot + 1;
	return strlen(group) == len && !strncasecmp(group, info->api_version, len);
}

/* K8S: kubectl's RESTMapper: a resource is named by its plural, singular,
 * short names or Kind, in any case, optionally qualified by its group
 * ("deployments.apps", "deploy.apps"). */
const struct kind_info *kind_from_cli(const char *name)
{
	size_t n = strcspn(name, ".");
	for (int id = 0; id < KIND_COUNT; id++) {
		const struct kind_info *info = kinds[id];
		if (!in_word_list(info->resource, name, n) &&
		    !in_word_list(info->singular, name, n) &&
		    !in_word_list(info->short_names, name, n) &&
		    !in_word_list(info->kind, name, n))
			continue;
		if (!name[n] || group_matches(info, name + n + 1))
			return info;
	}
	return NULL;
}

/* ---- objects ------------------------------------------------------------- */

struct object *object_new(const struct kind_info *kind)
{
	struct object *obj = xcalloc(1, kind->size);
	obj->kind = kind;
	obj->refs = 1;
	return obj;
}

struct object *object_copy(const struct object *obj)
{
	struct object *copy = object_new(obj->kind);
	schema_copy(obj->kind->schema, copy, obj);
	return copy;
}

struct object *object_ref(const struct object *obj)
{
	struct object *o = (struct object *)obj;	/* the count is not content */
	BUG_ON(o->refs <= 0);
	o->refs++;
	return o;
}

/* ---- frozen objects (see object.h) --------------------------------------- */

/* The packed strings and lists of one part, shared by the versions that
 * have that part in common, and the counts it holds on the shared values
 * (FIELD_SHARE lists, such as a pod's containers) its part points at. */
struct object_block {
	int refs;
	unsigned shares;	/* pointers to shared values at the start of data */
	max_align_t data[];	/* those pointers (room rounded up to the
				 * alignment), arrays, then strings (schema.h,
				 * "Packing") */
};

/* Bytes at the start of a block's data for n shared-value pointers. */
static size_t shares_room(size_t n)
{
	size_t align = _Alignof(max_align_t);
	return (n * sizeof(struct schema_shared *) + align - 1) / align * align;
}

enum object_part { PART_BODY, PART_STATUS };

/* The status part is the top-level field at the kind's status offset; the
 * body is every other top-level field (metadata, spec, data ...). */
static enum object_part part_of(const struct kind_info *kind, const struct field *field)
{
	return kind->status_schema && field->offset == kind->status_offset
		? PART_STATUS : PART_BODY;
}

static struct object_block **block_of(struct object *obj, enum object_part part)
{
	return part == PART_STATUS ? &obj->status_block : &obj->body_block;
}

static void block_unref(struct object_block *block)
{
	if (!block || --block->refs)
		return;
	struct schema_shared **shared = (struct schema_shared **)block->data;
	for (unsigned i = 0; i < block->shares; i++)
		schema_shared_unref(shared[i]);
	free(block);
}

/* Packs part of src (an object of kind) into a new block; the packed values
 * are written into the same fields of dst. */
static struct object_block *pack_part(const struct kind_info *kind, enum object_part part,
				      void *dst, const void *src)
{
	const struct schema *schema = kind->schema;
	struct schema_pack pack = {0};
	for (size_t i = 0; i < schema->fields_len; i++)
		if (part_of(kind, &schema->fields[i]) == part)
			schema_pack_measure(&schema->fields[i], src, &pack);
	size_t room = shares_room(pack.shares);
	struct object_block *block = xmalloc(sizeof(*block) + room + pack.arrays +
					     pack.strings);
	block->refs = 1;
	block->shares = (unsigned)pack.shares;
	struct schema_shared **shared = (struct schema_shared **)block->data;
	char *start = (char *)block->data + room;
	pack.share_at = shared;
	pack.array_at = start;
	pack.string_at = start + pack.arrays;
	for (size_t i = 0; i < schema->fields_len; i++)
		if (part_of(kind, &schema->fields[i]) == part)
			schema_pack_copy(&schema->fields[i], dst, src, &pack);
	BUG_ON(pack.array_at != start + pack.arrays ||
	       pack.string_at != start + pack.arrays + pack.strings ||
	       pack.share_at != shared + pack.shares);
	return block;
}

/* Packs a loose part in place: the packed values are built in a scratch
 * copy of the object, the loose ones released, the packed ones moved in. */
static void freeze_part(struct object *obj, enum object_part part)
{
	const struct kind_info *kind = obj->kind;
	const struct schema *schema = kind->schema;
	if (*block_of(obj, part))
		return;
	char *scratch = xmalloc(kind->size);
	memcpy(scratch, obj, kind->size);
	struct object_block *block = pack_part(kind, part, scratch, obj);
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		if (part_of(kind, f) != part)
			continue;
		schema_release_field(f, obj);
		memcpy((char *)obj + f->offset, scratch + f->offset,
		       schema_type_size(f->type, f->schema));
	}
	free(scratch);
	*block_of(obj, part) = block;
}

void object_freeze(struct object *obj)
{
	freeze_part(obj, PART_BODY);
	if (obj->kind->status_schema)
		freeze_part(obj, PART_STATUS);
}

void object_share_status(struct object *obj, const struct object *frozen)
{
	const struct kind_info *kind = obj->kind;
	BUG_ON(frozen->kind != kind || !kind->status_schema ||
	       obj->status_block || !frozen->status_block);
	const struct schema *schema = kind->schema;
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		if (part_of(kind, f) != PART_STATUS)
			continue;
		schema_release_field(f, obj);
		memcpy((char *)obj + f->offset, (const char *)frozen + f->offset,
		       schema_type_size(f->type, f->schema));
	}
	obj->status_block = frozen->status_block;
	obj->status_block->refs++;
}

struct object *object_new_status_version(const struct object *frozen,
					 const struct object *status_of)
{
	const struct kind_info *kind = frozen->kind;
	BUG_ON(status_of->kind != kind || !kind->status_schema || !frozen->body_block);
	/* A bitwise copy shares every pointer of the body with frozen; the
	 * body block's count says one more version uses them. */
	struct object *next = xmalloc(kind->size);
	memcpy(next, frozen, kind->size);
	next->refs = 1;
	next->body_block->refs++;
	next->status_block = pack_part(kind, PART_STATUS, next, status_of);
	return next;
}

struct object *object_new_shared_version(const struct object *frozen)
{
	const struct kind_info *kind = frozen->kind;
	BUG_ON(!frozen->body_block || (kind->status_schema && !frozen->status_block));
	struct object *next = xmalloc(kind->size);
	memcpy(next, frozen, kind->size);
	next->refs = 1;
	next->body_block->refs++;
	if (next->status_block)
		next->status_block->refs++;
	return next;
}

void object_unref(struct object *obj)
{
	if (!obj)
		return;
	BUG_ON(obj->refs <= 0);
	if (--obj->refs)
		return;
	const struct kind_info *kind = obj->kind;
	if (!obj->body_block || (kind->status_schema && !obj->status_block)) {
		/* Some part is loose: free its values one by one. */
		const struct schema *schema = kind->schema;
		for (size_t i = 0; i < schema->fields_len; i++) {
			const struct field *f = &schema->fields[i];
			if (!*block_of(obj, part_of(kind, f)))
				schema_release_field(f, obj);
		}
	}
	block_unref(obj->body_block);
	block_unref(obj->status_block);
	free(obj);
}

/* NULL passes through, so object_as(store_get(...), ...) reads naturally. */
void *object_check_kind(const struct object *obj, enum kind_id id)
{
	if (obj && obj->kind->id != id)
		bug_report(__FILE__, __LINE__, "object_as: wrong kind");
	return (void *)obj;
}

char *object_key(const struct object *obj)
{
	const char *name = obj->meta.name ? obj->meta.name : "";
	if (!obj->kind->namespaced || !obj->meta.namespace)
		return xstrdup(name);
	/* "namespace/name" by hand: every controller's enqueue calls this,
	 * and printf's format parsing showed in the cluster bench's profile. */
	size_t a = strlen(obj->meta.namespace), b = strlen(name);
	char *key = xmalloc(a + b + 2);
	memcpy(key, obj->meta.namespace, a);
	key[a] = '/';
	memcpy(key + a + 1, name, b + 1);
	return key;
}

char *object_ref_name(const struct object *obj)
{
	return xasprintf("%s/%s", obj->kind->singular,
			 obj->meta.name ? obj->meta.name : "");
}

const struct owner_reference *object_controller_of(const struct object *obj)
{
	for (size_t i = 0; i < obj->meta.owner_references.len; i++)
		if (obj->meta.owner_references.items[i].controller)
			return &obj->meta.owner_references.items[i];
	return NULL;
}

bool object_is_deleting(const struct object *obj)
{
	return obj->meta.deletion_timestamp != 0;
}
