/* store.c - the API object store; see store.h for the model.
 *
 * Layout: per kind, a hash table from "namespace/name" to an entry; a
 * global table from uid to entry; per kind, owner-uid buckets; for pods,
 * node-name buckets. An entry remembers its bucket and position in each
 * so removal is O(1) (swap with the last). Every write runs the same
 * three steps: stamp the object (resourceVersion ...), swap it into the
 * entry, announce it (observer now, watchers through the clock).
 *
 * Memory: the store freezes every version it keeps (object.h, "Frozen
 * objects"), and a status write makes a version that shares metadata and
 * spec with the one before, a metadata or spec write one that shares the
 * status: at 150,000 pods the two versions alive around a write are most
 * of the memory. A write goes to its watchers as one struct change with a
 * delivery (a timer) per watcher.
 */
#include "store.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "hashmap.h"
#include "prng.h"
#include "selector.h"
#include "xmalloc.h"

struct bucket {
	char *name;			/* node name or owner uid: entries borrow it */
	struct entry **items;
	size_t len, cap;
};

/* The entry's hash key is "ns/name" of its object (see entry_key). */
struct entry {
	struct object *obj;
	struct bucket *node;		/* pods: the node bucket it is in, or NULL */
	size_t node_pos;
	struct bucket *owner;		/* the owner bucket it is in, or NULL */
	size_t owner_pos;
};

struct watcher {
	int id;
	enum kind_id kind;
	char *node;			/* pods on this node only, or NULL */
	watch_fn fn;
	void *arg;
	bool active;
};

/* A change on its way to one watcher, waiting for its timer. */
struct delivery {
	timer_id timer;			/* 0 once delivered */
	uint32_t index;			/* in its change's deliveries[] */
	int watch_id;
};

/* One write on its way to the watchers of its kind: one timer, so one
 * event, per watcher as always, but the change and its references are
 * kept once. A pod write has a dozen watchers (every controller's
 * informer, the scheduler, the garbage collector, the kubelet), and
 * 150,000 pods turning Running at the same instant used to make as many
 * full-size deliveries per write. */
struct change {
	struct store *store;
	enum watch_type type;
	struct object *obj;		/* one reference */
	struct object *old;		/* one reference, or NULL */
	size_t pending;			/* deliveries not made yet */
	struct change *prev, *next;	/* the store's pending list */
	size_t len;
	struct delivery deliveries[];	/* in the order the watchers get them */
};

struct store {
	struct clock clock;
	struct prng rng;		/* generateName suffixes */
	int64_t resource_version;
	uint64_t uid_counter;
	struct hashmap by_key[KIND_COUNT];
	struct hashmap by_uid;
	struct hashmap by_owner[KIND_COUNT];	/* owner uid -> bucket */
	struct hashmap by_node;			/* node name -> bucket of pods */
	struct watcher *watchers;	/* kind-wide watchers */
	size_t watchers_len, watchers_cap;
	struct hashmap node_watchers;	/* node -> its struct watcher */
	struct watcher **node_list;	/* node watchers by id */
	size_t node_list_len, node_list_cap;
	ktime_t watch_delay;
	store_observer_fn observer;
	void *observer_arg;
	struct change *pending;
	void *informer_caches[KIND_COUNT];	/* see store_informer_cache */
};

static const char *const code_reasons[] = {
	[API_OK] = "OK",
	[API_NOT_FOUND] = "NotFound",
	[API_ALREADY_EXISTS] = "AlreadyExists",
	[API_CONFLICT] = "Conflict",
	[API_INVALID] = "Invalid",
};

const char *api_code_reason(enum api_code code)
{
	return code_reasons[code];
}

const char *watch_type_name(enum watch_type type)
{
	static const char *const names[] = {"ADDED", "MODIFIED", "DELETED"};
	return names[type];
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

/* The by_key key of a stored object: its namespace ("" when cluster-scoped)
 * and name, which never change between its versions. */
static const char *entry_key(struct hashmap_key *key, const struct object *obj)
{
	return hashmap_key_join(key, obj->meta.namespace, obj->meta.name);
}

/* ---- lifecycle ---------------------------------------------------------- */

struct store *store_new(const struct clock *clock, uint64_t seed)
{
	struct store *store = xcalloc(1, sizeof(*store));
	store->clock = *clock;
	prng_seed(&store->rng, seed);
	return store;
}

static void bucket_map_release(struct hashmap *map)
{
	void *value;
	for (size_t pos = 0; hashmap_next(map, &pos, NULL, &value);) {
		struct bucket *bucket = value;
		free(bucket->name);
		free(bucket->items);
		free(bucket);
	}
	hashmap_release(map);
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
	while (store->pending) {
		struct change *change = store->pending;
		store->pending = change->next;
		for (size_t i = 0; i < change->len; i++)
			if (change->deliveries[i].timer)
				clock_cancel(&store->clock, change->deliveries[i].timer);
		object_unref(change->obj);
		object_unref(change->old);
		free(change);
	}
	for (int k = 0; k < KIND_COUNT; k++) {
		void *value;
		for (size_t pos = 0; hashmap_next(&store->by_key[k], &pos, NULL, &value);)
			entry_free(value);
		hashmap_release(&store->by_key[k]);
		bucket_map_release(&store->by_owner[k]);
	}
	bucket_map_release(&store->by_node);
	hashmap_release(&store->by_uid);
	for (size_t i = 0; i < store->node_list_len; i++) {
		free(store->node_list[i]->node);
		free(store->node_list[i]);
	}
	free(store->node_list);
	hashmap_release(&store->node_watchers);
	free(store->watchers);
	free(store);
}

void store_set_watch_delay(struct store *store, ktime_t delay)
{
	store->watch_delay = delay;
}

void store_set_observer(struct store *store, store_observer_fn fn, void *arg)
{
	store->observer = fn;
	store->observer_arg = arg;
}

void *store_informer_cache(const struct store *store, enum kind_id kind)
{
	return store->informer_caches[kind];
}

void store_set_informer_cache(struct store *store, enum kind_id kind, void *cache)
{
	store->informer_caches[kind] = cache;
}

/* ---- indexes ------------------------------------------------------------ */

/* Adds entry to the bucket of name; returns the bucket, *pos its place. */
static struct bucket *bucket_add(struct hashmap *map, const char *name,
				 struct entry *entry, size_t *pos)
{
	struct bucket *bucket = hashmap_get(map, name);
	if (!bucket) {
		bucket = xcalloc(1, sizeof(*bucket));
		bucket->name = xstrdup(name);
		hashmap_put(map, name, bucket);
	}
	xgrow((void **)&bucket->items, &bucket->cap, bucket->len + 1,
	      sizeof(*bucket->items));
	*pos = bucket->len;
	bucket->items[bucket->len++] = entry;
	return bucket;
}

/* Removes entry from its bucket by swapping the last member into its
 * place; is_node says which position field the moved member must fix. */
static void bucket_remove(struct hashmap *map, struct bucket *bucket,
			  size_t pos, bool is_node)
{
	BUG_ON(!bucket || pos >= bucket->len);
	struct entry *last = bucket->items[--bucket->len];
	bucket->items[pos] = last;
	if (is_node)
		last->node_pos = pos;
	else
		last->owner_pos = pos;
	if (!bucket->len) {
		hashmap_remove(map, bucket->name);
		free(bucket->name);
		free(bucket->items);
		free(bucket);
	}
}

static const char *bucket_name(const struct bucket *bucket)
{
	return bucket ? bucket->name : NULL;
}

static const char *pod_node(const struct object *obj)
{
	if (obj->kind->id != KIND_POD)
		return NULL;
	const struct pod *pod = (const struct pod *)obj;
	return pod->spec.node_name && *pod->spec.node_name ? pod->spec.node_name : NULL;
}

static const char *owner_uid(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	return ref && ref->uid ? ref->uid : NULL;
}

static bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Moves entry between buckets when the indexed fields changed. */
static void index_entry(struct store *store, struct entry *entry)
{
	enum kind_id kind = entry->obj->kind->id;
	const char *node = pod_node(entry->obj);
	if (!same_name(node, bucket_name(entry->node))) {
		if (entry->node)
			bucket_remove(&store->by_node, entry->node, entry->node_pos, true);
		entry->node = node ? bucket_add(&store->by_node, node, entry,
						&entry->node_pos) : NULL;
	}
	const char *owner = owner_uid(entry->obj);
	if (!same_name(owner, bucket_name(entry->owner))) {
		if (entry->owner)
			bucket_remove(&store->by_owner[kind], entry->owner,
				      entry->owner_pos, false);
		entry->owner = owner ? bucket_add(&store->by_owner[kind], owner, entry,
						  &entry->owner_pos) : NULL;
	}
}

static void unindex_entry(struct store *store, struct entry *entry)
{
	enum kind_id kind = entry->obj->kind->id;
	if (entry->node)
		bucket_remove(&store->by_node, entry->node, entry->node_pos, true);
	if (entry->owner)
		bucket_remove(&store->by_owner[kind], entry->owner,
			      entry->owner_pos, false);
	hashmap_remove(&store->by_uid, entry->obj->meta.uid);
	struct hashmap_key key;
	hashmap_remove(&store->by_key[kind], entry_key(&key, entry->obj));
	hashmap_key_release(&key);
}

/* ---- watch delivery ------------------------------------------------------ */

/* Watch ids: kind-wide watchers are 1..n (their index + 1); node watchers
 * are negative, -(their index in node_list + 1). */
static struct watcher *find_watcher(struct store *store, int id)
{
	struct watcher *w = NULL;
	if (id > 0 && (size_t)id <= store->watchers_len)
		w = &store->watchers[id - 1];
	else if (id < 0 && (size_t)-id <= store->node_list_len)
		w = store->node_list[-id - 1];
	return w && w->active ? w : NULL;
}

/* The change a delivery belongs to (the kernel's container_of): two
 * million deliveries can be pending, so they do not carry a pointer. */
static struct change *change_of(struct delivery *d)
{
	return (struct change *)((char *)(d - d->index) -
				 offsetof(struct change, deliveries));
}

static void deliver(void *arg)
{
	struct delivery *d = arg;
	struct change *change = change_of(d);
	struct store *store = change->store;
	d->timer = 0;
	struct watcher *watcher = find_watcher(store, d->watch_id);
	if (watcher)
		watcher->fn(watcher->arg, change->type, change->obj, change->old);
	if (--change->pending)
		return;
	if (change->prev)
		change->prev->next = change->next;
	else
		store->pending = change->next;
	if (change->next)
		change->next->prev = change->prev;
	object_unref(change->obj);
	object_unref(change->old);
	free(change);
}

/* The node watchers a pod change goes to: the node it is on, and the one
 * it was on when that changed. */
static size_t node_watchers_of(struct store *store, const struct object *obj,
			       const struct object *old, struct watcher *out[2])
{
	size_t n = 0;
	const char *node = pod_node(obj), *old_node = old ? pod_node(old) : NULL;
	struct watcher *w = node ? hashmap_get(&store->node_watchers, node) : NULL;
	if (w && w->active)
		out[n++] = w;
	if (old_node && !same_name(node, old_node)) {
		w = hashmap_get(&store->node_watchers, old_node);
		if (w && w->active)
			out[n++] = w;
	}
	return n;
}

/* Tells the observer now and every watcher of the kind later, in order:
 * equal delays keep write order because the clock fires equal times in
 * the order they were set. */
static void announce(struct store *store, enum watch_type type,
		     struct object *obj, struct object *old)
{
	if (store->observer)
		store->observer(store->observer_arg, type, obj, old);
	size_t len = 0;
	for (size_t i = 0; i < store->watchers_len; i++) {
		const struct watcher *w = &store->watchers[i];
		len += w->active && w->kind == obj->kind->id;
	}
	struct watcher *nodes[2];
	size_t node_len = node_watchers_of(store, obj, old, nodes);
	len += node_len;
	if (!len)
		return;
	struct change *change = xmalloc(sizeof(*change) +
					len * sizeof(change->deliveries[0]));
	*change = (struct change){
		.store = store, .type = type, .obj = object_ref(obj),
		.old = old ? object_ref(old) : NULL, .pending = len,
		.next = store->pending, .len = len,
	};
	if (store->pending)
		store->pending->prev = change;
	store->pending = change;
	/* In the order the watchers registered, node watchers last; the
	 * timers are set in that order, so they fire in it. */
	size_t n = 0;
	for (size_t i = 0; i < store->watchers_len; i++) {
		const struct watcher *w = &store->watchers[i];
		if (w->active && w->kind == obj->kind->id)
			change->deliveries[n++].watch_id = w->id;
	}
	for (size_t i = 0; i < node_len; i++)
		change->deliveries[n++].watch_id = nodes[i]->id;
	for (size_t i = 0; i < len; i++) {
		change->deliveries[i].index = (uint32_t)i;
		change->deliveries[i].timer = clock_after(&store->clock,
			store->watch_delay, deliver, &change->deliveries[i]);
	}
}

int store_watch_pods_on_node(struct store *store, const char *node,
			     watch_fn fn, void *arg)
{
	BUG_ON(hashmap_get(&store->node_watchers, node) != NULL);
	struct watcher *w = xcalloc(1, sizeof(*w));
	xgrow((void **)&store->node_list, &store->node_list_cap,
	      store->node_list_len + 1, sizeof(*store->node_list));
	store->node_list[store->node_list_len++] = w;
	*w = (struct watcher){
		.id = -(int)store->node_list_len, .kind = KIND_POD,
		.node = xstrdup(node), .fn = fn, .arg = arg, .active = true,
	};
	hashmap_put(&store->node_watchers, node, w);
	return w->id;
}

int store_watch(struct store *store, enum kind_id kind, watch_fn fn, void *arg)
{
	xgrow((void **)&store->watchers, &store->watchers_cap,
	      store->watchers_len + 1, sizeof(*store->watchers));
	int id = (int)store->watchers_len + 1;
	store->watchers[store->watchers_len++] = (struct watcher){
		.id = id, .kind = kind, .fn = fn, .arg = arg, .active = true,
	};
	return id;
}

void store_unwatch(struct store *store, int watch_id)
{
	struct watcher *watcher = find_watcher(store, watch_id);
	if (!watcher)
		return;
	watcher->active = false;
	if (watcher->node)
		hashmap_remove(&store->node_watchers, watcher->node);
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
	index_entry(store, entry);
	announce(store, WATCH_ADDED, obj, NULL);
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
		unindex_entry(store, entry);
		entry->obj = old;	/* entry_free drops the old reference */
		announce(store, WATCH_DELETED, next, NULL);
		object_unref(next);
		entry_free(entry);
		return;
	}
	index_entry(store, entry);
	announce(store, WATCH_MODIFIED, next, old);
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

static void remove_entry(struct store *store, struct entry *entry)
{
	/* The DELETED event carries the delete's resourceVersion, on a copy:
	 * watchers may still hold the stored version from an earlier event. */
	struct object *last = object_copy(entry->obj);
	last->meta.resource_version = ++store->resource_version;
	unindex_entry(store, entry);
	announce(store, WATCH_DELETED, last, NULL);
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

/* ---- lists --------------------------------------------------------------- */

static int compare_objects(const void *a, const void *b)
{
	const struct object *x = *(const struct object *const *)a;
	const struct object *y = *(const struct object *const *)b;
	int c = strcmp(x->meta.namespace ? x->meta.namespace : "",
		       y->meta.namespace ? y->meta.namespace : "");
	return c ? c : strcmp(x->meta.name, y->meta.name);
}

static void list_add(struct object_list *list, const struct object *obj)
{
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = obj;
}

static void list_sort(struct object_list *list)
{
	if (list->len > 1)
		qsort(list->items, list->len, sizeof(*list->items), compare_objects);
}

void object_list_release(struct object_list *list)
{
	free(list->items);
	list->items = NULL;
	list->len = list->cap = 0;
}

void store_list(const struct store *store, enum kind_id kind,
		const char *namespace, const struct selector *selector,
		struct object_list *out)
{
	void *value;
	for (size_t pos = 0; hashmap_next(&store->by_key[kind], &pos, NULL, &value);) {
		const struct object *obj = ((struct entry *)value)->obj;
		if (namespace && obj->meta.namespace &&
		    strcmp(namespace, obj->meta.namespace))
			continue;
		if (selector && !selector_matches(selector, &obj->meta.labels))
			continue;
		list_add(out, obj);
	}
	list_sort(out);
}

static void list_bucket(const struct hashmap *map, const char *name,
			struct object_list *out)
{
	const struct bucket *bucket = name ? hashmap_get(map, name) : NULL;
	for (size_t i = 0; bucket && i < bucket->len; i++)
		list_add(out, bucket->items[i]->obj);
	list_sort(out);
}

void store_list_pods_on_node(const struct store *store, const char *node,
			     struct object_list *out)
{
	list_bucket(&store->by_node, node, out);
}

void store_list_owned(const struct store *store, enum kind_id kind,
		      const char *owner, struct object_list *out)
{
	list_bucket(&store->by_owner[kind], owner, out);
}

/* ---- invariants ---------------------------------------------------------- */

static bool check_entry(const struct store *store, const struct entry *entry)
{
	const struct object *obj = entry->obj;
	const char *node = pod_node(obj), *owner = owner_uid(obj);
	bool good = obj->refs > 0 && obj->meta.uid &&
		hashmap_get(&store->by_uid, obj->meta.uid) == entry &&
		same_name(node, bucket_name(entry->node)) &&
		same_name(owner, bucket_name(entry->owner)) &&
		obj->meta.resource_version <= store->resource_version;
	if (good && node) {
		const struct bucket *b = hashmap_get(&store->by_node, node);
		good = b == entry->node && entry->node_pos < b->len &&
			b->items[entry->node_pos] == entry;
	}
	if (good && owner) {
		const struct bucket *b = hashmap_get(&store->by_owner[obj->kind->id], owner);
		good = b == entry->owner && entry->owner_pos < b->len &&
			b->items[entry->owner_pos] == entry;
	}
	if (!good)
		fprintf(stderr, "store_check: entry %s/%s is inconsistent\n",
			obj->meta.namespace ? obj->meta.namespace : "",
			obj->meta.name ? obj->meta.name : "");
	return good;
}

bool store_check(const struct store *store)
{
	size_t total = 0;
	for (int k = 0; k < KIND_COUNT; k++) {
		void *value;
		for (size_t pos = 0; hashmap_next(&store->by_key[k], &pos, NULL, &value);) {
			if (!check_entry(store, value))
				return false;
			total++;
		}
	}
	if (total != store->by_uid.len) {
		fprintf(stderr, "store_check: %zu objects but %zu uids\n",
			total, store->by_uid.len);
		return false;
	}
	return true;
}
