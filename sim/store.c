/* store.c - the API object store: the registry's reads and writes.
 *
 * K8S: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 * (Create, Update, Delete with optimistic concurrency, graceful deletion
 * and finalizers) over etcd's keyspace and revision counter. See store.h
 * for the model.
 *
 * Interface: store_new(), store_free(), store_get(), store_get_by_uid(),
 * store_count(), store_resource_version(), store_create(), store_update(),
 * store_update_status(), store_delete(), api_code_reason() and the
 * informer-cache slot (store.h). The indexes and lists are in
 * store_index.c, watches in store_watch.c; store_internal.h has the layout
 * they share.
 *
 * Every write runs the same three steps: stamp the object
 * (resourceVersion ...), swap it into the entry, announce it (observer
 * now, watchers through the clock: store_announce()). A failed write
 * changes nothing in the store and returns its outcome (NotFound,
 * AlreadyExists, Conflict, Invalid) as data, worded as upstream's Status.
 *
 * Memory: the store freezes every version it keeps (object.h, "Frozen
 * objects"), and a status write makes a version that shares metadata and
 * spec with the one before, a metadata or spec write one that shares the
 * status: at 150,000 pods the two versions alive around a write are most
 * of the memory. A write goes to its watchers as one struct change with a
 * delivery (a timer) per watcher (store_watch.c).
 */
#include "store_internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "hashmap.h"
#include "prng.h"
#include "xmalloc.h"

static const char *const code_reasons[] = {
	[API_OK] = "OK",
	[API_NOT_FOUND] = "NotFound",
	[API_ALREADY_EXISTS] = "AlreadyExists",
	[API_CONFLICT] = "Conflict",
	[API_INVALID] = "Invalid",
	[API_FORBIDDEN] = "Forbidden",
};

const char *api_code_reason(enum api_code code)
{
	return code_reasons[code];
}

static enum api_code fail(struct api_status *status, enum api_code code,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum api_code fail(struct api_status *status, enum api_code code,
			  const char *fmt, ...)
{
	if (status) {
		va_list ap;
		va_start(ap, fmt);
		status->code = code;
		vsnprintf(status->message, sizeof(status->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

static enum api_code ok(struct api_status *status)
{
	if (status) {
		status->code = API_OK;
		status->message[0] = '\0';
	}
	return API_OK;
}

/* K8S: upstream names a resource as "deployments.apps" in messages. */
static void resource_name(const struct kind_info *kind, char *buf, size_t size)
{
	const char *slash = strchr(kind->api_version, '/');
	if (slash)
		snprintf(buf, size, "%s.%.*s", kind->resource,
			 (int)(slash - kind->api_version), kind->api_version);
	else
		snprintf(buf, size, "%s", kind->resource);
}

/* ---- lifecycle ---------------------------------------------------------- */

struct store *store_new(const struct clock *clock, uint64_t seed)
{
	struct store *store = xcalloc(1, sizeof(*store));
	store->clock = *clock;
	prng_seed(&store->rng, seed);
	store_indexes_init(store);
	return store;
}

static void entry_free(struct entry *entry)
{
	object_unref(entry->obj);
	free(entry);
}

void store_free(struct store *store)
{
	if (!store)
		return;
	store_watches_release(store);
	for (int k = 0; k < KIND_COUNT; k++) {
		void *value;
		for (size_t pos = 0; hashmap_next(&store->by_key[k], &pos, NULL, &value);)
			entry_free(value);
		hashmap_release(&store->by_key[k]);
	}
	store_indexes_release(store);
	hashmap_release(&store->by_uid);
	free(store);
}

void *store_informer_cache(const struct store *store, enum kind_id kind)
{
	return store->informer_caches[kind];
}

void store_set_informer_cache(struct store *store, enum kind_id kind, void *cache)
{
	store->informer_caches[kind] = cache;
}

/* ---- reads --------------------------------------------------------------- */

static struct entry *lookup(const struct store *store, enum kind_id kind,
			    const char *namespace, const char *name)
{
	if (!name)
		return NULL;
	const struct kind_info *info = kind_get(kind);
	/* Every get and write looks up: the key is built on the stack. */
	struct hashmap_key key;
	hashmap_key_join(&key, info->namespaced ? namespace : NULL, name);
	struct entry *entry = hashmap_get(&store->by_key[kind], key.text);
	hashmap_key_release(&key);
	return entry;
}

const struct object *store_get(const struct store *store, enum kind_id kind,
			       const char *namespace, const char *name)
{
	struct entry *entry = lookup(store, kind, namespace, name);
	return entry ? entry->obj : NULL;
}

const struct object *store_get_by_uid(const struct store *store, const char *uid)
{
	struct entry *entry = hashmap_get(&store->by_uid, uid);
	return entry ? entry->obj : NULL;
}

size_t store_count(const struct store *store, enum kind_id kind)
{
	return store->by_key[kind].len;
}

int64_t store_resource_version(const struct store *store)
{
	return store->resource_version;
}

/* ---- writes -------------------------------------------------------------- */

/* K8S: names.SimpleNameGenerator: five characters from an alphabet without
 * vowels or look-alikes, so generated names never spell words. */
static char *generate_name(struct store *store, const char *prefix)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	char suffix[6];
	for (int i = 0; i < 5; i++)
		suffix[i] = alphabet[prng_below(&store->rng, sizeof(alphabet) - 1)];
	suffix[5] = '\0';
	return xasprintf("%s%s", prefix, suffix);
}

static char *new_uid(struct store *store)
{
	uint64_t n = ++store->uid_counter;
	return xasprintf("%08llx-0000-4000-8000-%012llx",
			 (unsigned long long)(n >> 16 & 0xffffffffULL),
			 (unsigned long long)(n & 0xffffffffffffULL));
}

enum api_code store_create(struct store *store, struct object *obj,
			   struct api_status *status)
{
	const struct kind_info *kind = obj->kind;
	struct object_meta *meta = &obj->meta;
	char resource[64];
	resource_name(kind, resource, sizeof(resource));
	if (!meta->name && meta->generate_name) {
		/* Upstream retries generated names on a clash; so do we. */
		do {
			free(meta->name);
			meta->name = generate_name(store, meta->generate_name);
		} while (lookup(store, kind->id, meta->namespace, meta->name));
	}
	if (!meta->name || !*meta->name) {
		object_unref(obj);
		return fail(status, API_INVALID,
			    "%s is invalid: metadata.name: Required value: name or generateName is required",
			    kind->kind);
	}
	if (!kind->namespaced) {
		free(meta->namespace);
		meta->namespace = NULL;
	} else if (!meta->namespace) {
		meta->namespace = xstrdup("default");
	}
	if (lookup(store, kind->id, meta->namespace, meta->name)) {
		fail(status, API_ALREADY_EXISTS, "%s \"%s\" already exists",
		     resource, meta->name);
		object_unref(obj);
		return API_ALREADY_EXISTS;
	}
	free(meta->uid);
	meta->uid = new_uid(store);
	meta->resource_version = ++store->resource_version;
	meta->generation = 1;
	meta->creation_timestamp = clock_now(&store->clock);
	meta->deletion_timestamp = 0;

	object_freeze(obj);		/* the stored version is immutable */
	struct entry *entry = xcalloc(1, sizeof(*entry));
	entry->obj = obj;
	struct hashmap_key key;
	hashmap_put(&store->by_key[kind->id], entry_key(&key, obj), entry);
	hashmap_key_release(&key);
	hashmap_put(&store->by_uid, meta->uid, entry);
	store_index_entry(store, entry);
	store_announce(store, WATCH_ADDED, obj, NULL);
	return ok(status);
}

/* Finds the stored entry for obj and checks the resourceVersion
 * precondition. On failure obj is released. */
static struct entry *prepare_update(struct store *store, struct object *obj,
				    struct api_status *status, enum api_code *code)
{
	char resource[64];
	resource_name(obj->kind, resource, sizeof(resource));
	struct entry *entry = lookup(store, obj->kind->id, obj->meta.namespace,
				     obj->meta.name);
	if (!entry) {
		*code = fail(status, API_NOT_FOUND, "%s \"%s\" not found",
			     resource, obj->meta.name ? obj->meta.name : "");
	} else if (obj->meta.resource_version &&
		   obj->meta.resource_version != entry->obj->meta.resource_version) {
		*code = fail(status, API_CONFLICT,
			     "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
			     resource, obj->meta.name);
		entry = NULL;
	}
	if (!entry)
		object_unref(obj);
	return entry;
}

/* Replaces the entry's object with next (already stamped by the caller's
 * rules), re-indexes and announces; removes the object instead when it is
 * being deleted and its last finalizer just went. */
static void commit(struct store *store, struct entry *entry, struct object *next)
{
	struct object *old = entry->obj;
	object_freeze(next);
	next->meta.resource_version = ++store->resource_version;
	entry->obj = next;
	if (object_is_deleting(next) && next->meta.finalizers.len == 0 &&
	    (next->kind->id != KIND_POD ||
	     next->meta.deletion_grace_period_seconds == 0)) {
		store_unindex_entry(store, entry);
		entry->obj = old;	/* entry_free drops the old reference */
		store_announce(store, WATCH_DELETED, next, NULL);
		object_unref(next);
		entry_free(entry);
		return;
	}
	store_index_entry(store, entry);
	store_announce(store, WATCH_MODIFIED, next, old);
	object_unref(old);
}

static bool part_equal(const struct schema *schema, size_t offset,
		       const struct object *a, const struct object *b)
{
	return schema_equal(schema, (const char *)a + offset,
			    (const char *)b + offset);
}

enum api_code store_update(struct store *store, struct object *obj,
			   struct api_status *status)
{
	enum api_code code = API_OK;
	struct entry *entry = prepare_update(store, obj, status, &code);
	if (!entry)
		return code;
	const struct kind_info *kind = obj->kind;
	const struct object *cur = entry->obj;
	/* Fields only the server sets are taken from the stored object. */
	free(obj->meta.uid);
	obj->meta.uid = xstrdup(cur->meta.uid);
	obj->meta.creation_timestamp = cur->meta.creation_timestamp;
	obj->meta.deletion_timestamp = cur->meta.deletion_timestamp;
	obj->meta.deletion_grace_period_seconds = cur->meta.deletion_grace_period_seconds;
	obj->meta.generation = cur->meta.generation;
	/* The status is the stored one: shared with it, not copied (object.h,
	 * "Frozen objects"). */
	if (kind->has_status && kind->status_schema)
		object_share_status(obj, cur);
	if (kind->spec_schema &&
	    !part_equal(kind->spec_schema, kind->spec_offset, obj, cur))
		obj->meta.generation++;
	commit(store, entry, obj);
	return ok(status);
}

enum api_code store_update_status(struct store *store, struct object *obj,
				  struct api_status *status)
{
	enum api_code code = API_OK;
	struct entry *entry = prepare_update(store, obj, status, &code);
	if (!entry)
		return code;
	const struct kind_info *kind = obj->kind;
	BUG_ON(!kind->status_schema);
	/* Only status changes: everything else comes from the stored object,
	 * whose metadata and spec the new version shares (object.h). */
	struct object *next = object_new_status_version(entry->obj, obj);
	object_unref(obj);
	commit(store, entry, next);
	return ok(status);
}

enum api_code store_bind(struct store *store, const char *namespace, const char *name,
			 const char *uid, const char *node, struct api_status *status)
{
	struct entry *entry = lookup(store, KIND_POD, namespace, name);
	if (!entry)
		return fail(status, API_NOT_FOUND, "pods \"%s\" not found", name ? name : "");
	const struct pod *cur = (const struct pod *)entry->obj;
	if (uid && strcmp(uid, cur->obj.meta.uid))
		return fail(status, API_CONFLICT,
			    "Precondition failed: UID in precondition: %s, UID in object meta: %s",
			    uid, cur->obj.meta.uid);
	/* K8S: setPodHostAndAnnotations refuses these two. */
	if (object_is_deleting(&cur->obj))
		return fail(status, API_CONFLICT,
			    "pod %s is being deleted, cannot be assigned to a host", name);
	if (cur->spec.node_name && *cur->spec.node_name)
		return fail(status, API_CONFLICT, "pod %s is already assigned to node \"%s\"",
			    name, cur->spec.node_name);
	struct pod *next = (struct pod *)object_new_shared_version(&cur->obj);
	next->spec.node_name = (char *)schema_intern(node);	/* shared, never freed */
	next->obj.meta.generation++;	/* the spec changed, as for an update */
	commit(store, entry, &next->obj);
	return ok(status);
}

static void remove_entry(struct store *store, struct entry *entry)
{
	/* The DELETED event carries the delete's resourceVersion, on a copy:
	 * watchers may still hold the stored version from an earlier event. */
	struct object *last = object_copy(entry->obj);
	last->meta.resource_version = ++store->resource_version;
	store_unindex_entry(store, entry);
	store_announce(store, WATCH_DELETED, last, NULL);
	object_unref(last);
	entry_free(entry);
}

/* K8S: rest.BeforeDelete and the pod strategy's CheckGracefulDelete: a pod
 * that never reached a node is deleted at once; one on a node waits for the
 * kubelet to stop its containers. */
static int64_t grace_period(const struct object *obj,
			    const struct delete_options *options)
{
	if (obj->kind->id != KIND_POD)
		return 0;
	const struct pod *pod = (const struct pod *)obj;
	if (!pod->spec.node_name || !*pod->spec.node_name)
		return 0;
	if (pod->status.phase && (!strcmp(pod->status.phase, POD_PHASE_SUCCEEDED) ||
				  !strcmp(pod->status.phase, POD_PHASE_FAILED)))
		return 0;
	if (options && options->grace_period_seconds >= 0)
		return options->grace_period_seconds;
	return pod->spec.termination_grace_period_seconds;
}

static void add_finalizer(struct object *obj, const char *name)
{
	for (size_t i = 0; i < obj->meta.finalizers.len; i++)
		if (!strcmp(obj->meta.finalizers.items[i], name))
			return;
	size_t cap = obj->meta.finalizers.len;
	xgrow((void **)&obj->meta.finalizers.items, &cap,
	      obj->meta.finalizers.len + 1, sizeof(char *));
	obj->meta.finalizers.items[obj->meta.finalizers.len++] = xstrdup(name);
}

enum api_code store_delete(struct store *store, enum kind_id kind_id,
			   const char *namespace, const char *name,
			   const struct delete_options *options,
			   struct api_status *status)
{
	const struct kind_info *kind = kind_get(kind_id);
	char resource[64];
	resource_name(kind, resource, sizeof(resource));
	struct entry *entry = lookup(store, kind_id, namespace, name);
	if (!entry)
		return fail(status, API_NOT_FOUND, "%s \"%s\" not found", resource, name);
	const struct object *cur = entry->obj;
	if (options && options->precondition_rv &&
	    options->precondition_rv != cur->meta.resource_version)
		return fail(status, API_CONFLICT,
			    "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
			    resource, name);
	int64_t grace = grace_period(cur, options);
	const char *policy = options ? options->propagation_policy : NULL;
	bool finalizing = cur->meta.finalizers.len > 0 ||
		(policy && (!strcmp(policy, "Foreground") || !strcmp(policy, "Orphan")));
	if (!finalizing && grace == 0) {
		remove_entry(store, entry);
		return ok(status);
	}
	/* Graceful: mark the object and let its owner of the next step (the
	 * kubelet, a finalizer's controller) finish the deletion. A repeated
	 * delete may only shorten the grace period, as upstream. */
	if (object_is_deleting(cur) &&
	    cur->meta.deletion_grace_period_seconds <= grace)
		return ok(status);
	struct object *next = object_copy(cur);
	ktime_t now = clock_now(&store->clock);
	next->meta.deletion_timestamp = now + grace * KTIME_SECOND;
	next->meta.deletion_grace_period_seconds = grace;
	if (policy && !strcmp(policy, "Foreground"))
		add_finalizer(next, "foregroundDeletion");
	else if (policy && !strcmp(policy, "Orphan"))
		add_finalizer(next, "orphan");
	commit(store, entry, next);
	return ok(status);
}
