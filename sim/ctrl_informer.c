/* ctrl_informer.c - watch-fed caches, shared per kind, with indexes; see
 * ctrl_informer.h.
 *
 * K8S: client-go's SharedInformerFactory gives every controller of
 * kube-controller-manager the same pod informer: one cache, one stream of
 * events, many handlers, indexers added by whoever needs one. kubelab
 * does the same behind informer_new: the informers of one kind on one
 * store share a struct informer_cache, so ten controllers watching
 * 150,000 pods keep one table of them, not ten, and apply each change
 * once.
 *
 * Each informer keeps its own watch, so its handler runs exactly when it
 * would with a cache of its own. The deliveries of one write reach the
 * watchers one after another, in the order they registered, with nothing
 * in between but their handlers; the cache applies the change when it
 * reaches the leader, the sharer that registered first. No sync can run
 * between the leader's delivery and the last sharer's, so none can tell.
 *
 * An informer joins the shared cache only where that changes nothing it
 * could see: the cache must hold exactly what the store holds (no change
 * still on its way), and an index it shares must list each key's objects
 * in the order an index of its own would (the list order). Otherwise, or
 * when the cache has no room for another index, the informer gets a cache
 * of its own, as every informer once did.
 *
 * Layout: a hash table from "namespace/name" to an entry holding a
 * reference to the cached object; per index and index key, a bucket
 * (array) of entries, which keeps the key for all of them. An entry
 * remembers, per index, its bucket and its position there, so that
 * removal is a swap with the last member.
 *
 * Invariants: every cached object is referenced once by its entry; an
 * entry with an index key is in exactly that key's bucket at its recorded
 * position; buckets are never empty (an emptied bucket is freed); the
 * leader is the sharer with the lowest watch id (the first registered).
 */
#include "ctrl_informer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "hashmap.h"
#include "selector.h"
#include "xmalloc.h"

#define CACHE_INDEXES 4		/* indexes one cache can keep */
#define ORPHAN_PREFIX "orphan/"	/* informer_orphan_key's keys begin so */

struct bucket;

struct index_slot {
	struct bucket *bucket;		/* NULL when not in this index */
	size_t pos;
};

struct cache_entry {
	struct object *obj;		/* one reference */
	struct index_slot slots[CACHE_INDEXES];	/* one per index of the cache */
};

struct bucket {
	char *key;			/* the index key, which its entries share */
	struct cache_entry **items;
	size_t len, cap;
};

struct cache_index {
	informer_index_fn fn;		/* NULL: this index is unused */
	int users;			/* informers reading it */
	struct hashmap buckets;		/* index key -> struct bucket */
};

struct informer_cache {
	struct store *store;
	enum kind_id kind;
	bool shared;			/* the store's cache of the kind */
	struct hashmap by_key;		/* "ns/name" -> struct cache_entry */
	struct cache_index indexes[CACHE_INDEXES];
	struct informer **sharers;
	size_t sharers_len, sharers_cap;
	struct informer *leader;	/* applies the changes it is told of */
};

struct informer {
	const struct client *client;
	enum kind_id kind;
	int watch_id;
	struct informer_cache *cache;
	int index;			/* its index in cache->indexes, or -1 */
	informer_handler_fn handler;
	void *arg;
};

/* ---- the indexes --------------------------------------------------------- */

/* Files entry under key (taken over; NULL: not indexed) in index i. */
static void index_add(struct cache_index *index, int i, struct cache_entry *entry,
		      char *key)
{
	if (!key)
		return;
	struct bucket *bucket = hashmap_get(&index->buckets, key);
	if (!bucket) {
		bucket = xcalloc(1, sizeof(*bucket));
		bucket->key = key;
		hashmap_put(&index->buckets, key, bucket);
	} else {
		free(key);
	}
	xgrow((void **)&bucket->items, &bucket->cap, bucket->len + 1,
	      sizeof(*bucket->items));
	entry->slots[i] = (struct index_slot){ bucket, bucket->len };
	bucket->items[bucket->len++] = entry;
}

static void index_remove(struct cache_index *index, int i, struct cache_entry *entry)
{
	struct index_slot *slot = &entry->slots[i];
	struct bucket *bucket = slot->bucket;
	if (!bucket)
		return;
	BUG_ON(slot->pos >= bucket->len || bucket->items[slot->pos] != entry);
	struct cache_entry *last = bucket->items[--bucket->len];
	bucket->items[slot->pos] = last;
	last->slots[i].pos = slot->pos;
	if (!bucket->len) {
		hashmap_remove(&index->buckets, bucket->key);
		free(bucket->key);
		free(bucket->items);
		free(bucket);
	}
	slot->bucket = NULL;
}

/* What index_remove then index_add do when the key stays the same, without
 * the two table lookups and the bucket's free and re-allocation: the last
 * member takes the entry's place and the entry goes last. Most updates
 * (a status write) keep the index key, and the bucket order must stay
 * exactly what remove-then-add gives (informer_list_index's order). */
static void index_move_last(struct cache_entry *entry, int i)
{
	struct index_slot *slot = &entry->slots[i];
	struct bucket *bucket = slot->bucket;
	struct cache_entry *last = bucket->items[bucket->len - 1];
	bucket->items[slot->pos] = last;
	last->slots[i].pos = slot->pos;
	bucket->items[bucket->len - 1] = entry;
	slot->pos = bucket->len - 1;
}

static bool is_orphan_key(const char *key, const char *namespace);

/* True when fn(obj) is known to be key without building fn's copy of it:
 * the shared index functions below read a string the object already has.
 * Most changes (every status write) keep every index key, so this spares
 * an allocation per index per event; false means "build it and see". */
static bool keeps_index_key(informer_index_fn fn, const struct object *obj,
			    const char *key)
{
	if (fn == informer_index_controller_uid || fn == informer_index_owner_or_orphan) {
		const struct owner_reference *ref = object_controller_of(obj);
		if (ref && ref->uid)
			return !strcmp(ref->uid, key);
		return fn == informer_index_owner_or_orphan &&
		       is_orphan_key(key, obj->meta.namespace);
	}
	if (fn == informer_index_node_name && obj->kind->id == KIND_POD) {
		const char *node = ((const struct pod *)obj)->spec.node_name;
		return node && !strcmp(node, key);
	}
	return false;
}

/* Re-files entry in every index of the cache after its object changed. */
static void index_entry(struct informer_cache *cache, struct cache_entry *entry)
{
	for (int i = 0; i < CACHE_INDEXES; i++) {
		struct cache_index *index = &cache->indexes[i];
		if (!index->fn)
			continue;
		struct bucket *kept = entry->slots[i].bucket;
		if (kept && keeps_index_key(index->fn, entry->obj, kept->key)) {
			index_move_last(entry, i);
			continue;
		}
		char *key = index->fn(entry->obj);
		struct bucket *bucket = entry->slots[i].bucket;
		if (bucket && key && !strcmp(bucket->key, key)) {
			index_move_last(entry, i);
			free(key);
		} else {
			index_remove(index, i, entry);
			index_add(index, i, entry, key);
		}
	}
}

/* Empties index i and frees its slot for another index function. */
static void index_clear(struct informer_cache *cache, int i)
{
	struct cache_index *index = &cache->indexes[i];
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->by_key, &pos, NULL, &value);)
		((struct cache_entry *)value)->slots[i].bucket = NULL;
	for (size_t pos = 0; hashmap_next(&index->buckets, &pos, NULL, &value);) {
		struct bucket *bucket = value;
		free(bucket->key);
		free(bucket->items);
		free(bucket);
	}
	hashmap_release(&index->buckets);
	memset(index, 0, sizeof(*index));
}

/* ---- applying changes ---------------------------------------------------- */

static struct cache_entry *cache_lookup(const struct informer_cache *cache,
					const char *namespace, const char *name)
{
	struct hashmap_key key;		/* on the stack: one lookup per event */
	hashmap_key_join(&key, namespace, name ? name : "");
	struct cache_entry *entry = hashmap_get(&cache->by_key, key.text);
	hashmap_key_release(&key);
	return entry;
}

static void cache_put(struct informer_cache *cache, const struct object *obj)
{
	struct cache_entry *entry = cache_lookup(cache, obj->meta.namespace, obj->meta.name);
	if (entry && entry->obj == obj)
		return;		/* applied already (a leader left midway) */
	if (!entry) {
		entry = xcalloc(1, sizeof(*entry));
		struct hashmap_key key;
		hashmap_key_join(&key, obj->meta.namespace,
				 obj->meta.name ? obj->meta.name : "");
		hashmap_put(&cache->by_key, key.text, entry);
		hashmap_key_release(&key);
	} else {
		object_unref(entry->obj);
	}
	entry->obj = object_ref(obj);
	index_entry(cache, entry);
}

static void cache_drop(struct informer_cache *cache, const struct object *obj)
{
	struct hashmap_key key;
	hashmap_key_join(&key, obj->meta.namespace, obj->meta.name ? obj->meta.name : "");
	struct cache_entry *entry = hashmap_remove(&cache->by_key, key.text);
	hashmap_key_release(&key);
	if (!entry)
		return;
	for (int i = 0; i < CACHE_INDEXES; i++)
		index_remove(&cache->indexes[i], i, entry);
	object_unref(entry->obj);
	free(entry);
}

static void on_watch(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct informer *inf = arg;
	if (inf == inf->cache->leader) {
		if (type == WATCH_DELETED)
			cache_drop(inf->cache, obj);
		else
			cache_put(inf->cache, obj);
	}
	if (inf->handler)
		inf->handler(inf->arg, type, obj, old);
}

/* ---- sharing ------------------------------------------------------------- */

static struct informer_cache *cache_new(struct store *store, enum kind_id kind)
{
	struct informer_cache *cache = xcalloc(1, sizeof(*cache));
	cache->store = store;
	cache->kind = kind;
	/* informer_list sorts what it collects; the rest only frees. */
	hashmap_set_unordered(&cache->by_key);
	return cache;
}

static void cache_free(struct informer_cache *cache)
{
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->by_key, &pos, NULL, &value);) {
		struct cache_entry *entry = value;
		object_unref(entry->obj);
		free(entry);
	}
	for (int i = 0; i < CACHE_INDEXES; i++)
		if (cache->indexes[i].fn)
			index_clear(cache, i);
	hashmap_release(&cache->by_key);
	free(cache->sharers);
	free(cache);
}

/* True when the cache holds exactly the listed objects (the store's). */
static bool cache_in_sync(const struct informer_cache *cache, const struct object_list *list)
{
	if (cache->by_key.len != list->len)
		return false;
	for (size_t i = 0; i < list->len; i++) {
		const struct object *obj = list->items[i];
		const struct cache_entry *entry =
			cache_lookup(cache, obj->meta.namespace, obj->meta.name);
		if (!entry || entry->obj != obj)
			return false;
	}
	return true;
}

/* True when index i lists each key's objects in list order, as a new index
 * filled from the list would. */
static bool index_in_list_order(const struct informer_cache *cache, int i,
				const struct object_list *list)
{
	const struct cache_index *index = &cache->indexes[i];
	struct hashmap seen = {0};	/* key -> how many of its objects so far */
	size_t indexed = 0;
	bool same = true;
	for (size_t n = 0; n < list->len && same; n++) {
		char *key = index->fn(list->items[n]);
		if (!key)
			continue;
		const struct bucket *bucket = hashmap_get(&index->buckets, key);
		uintptr_t at = (uintptr_t)hashmap_get(&seen, key);
		same = bucket && at < bucket->len && bucket->items[at]->obj == list->items[n];
		hashmap_put(&seen, key, (void *)(at + 1));
		indexed++;
		free(key);
	}
	size_t filed = 0;
	void *value;
	for (size_t pos = 0; hashmap_next(&index->buckets, &pos, NULL, &value);)
		filed += ((const struct bucket *)value)->len;
	hashmap_release(&seen);
	return same && filed == indexed;
}

/* The index of cache that informer can read for fn: one it may share, or a
 * new one filled in list order; -1 for no fn; -2 when there is no room. */
static int index_for(struct informer_cache *cache, informer_index_fn fn,
		     const struct object_list *list)
{
	if (!fn)
		return -1;
	for (int i = 0; i < CACHE_INDEXES; i++) {
		struct cache_index *index = &cache->indexes[i];
		if (index->fn == fn && index_in_list_order(cache, i, list)) {
			index->users++;
			return i;
		}
	}
	for (int i = 0; i < CACHE_INDEXES; i++) {
		struct cache_index *index = &cache->indexes[i];
		if (index->fn)
			continue;
		index->fn = fn;
		index->users = 1;
		/* Its buckets are only ever freed or counted in a loop. */
		hashmap_set_unordered(&index->buckets);
		for (size_t n = 0; n < list->len; n++) {
			const struct object *obj = list->items[n];
			struct cache_entry *entry =
				cache_lookup(cache, obj->meta.namespace, obj->meta.name);
			index_add(index, i, entry, fn(obj));
		}
		return i;
	}
	return -2;
}

/* Finds or makes the cache inf reads, given the store's current list. */
static struct informer_cache *cache_for(struct informer *inf, informer_index_fn fn,
					const struct object_list *list)
{
	struct store *store = inf->client->store;
	struct informer_cache *shared = store_informer_cache(store, inf->kind);
	if (shared && cache_in_sync(shared, list)) {
		inf->index = index_for(shared, fn, list);
		if (inf->index != -2)
			return shared;
	}
	struct informer_cache *cache = cache_new(store, inf->kind);
	for (size_t n = 0; n < list->len; n++)
		cache_put(cache, list->items[n]);
	inf->index = index_for(cache, fn, list);
	if (!shared) {
		cache->shared = true;
		store_set_informer_cache(store, inf->kind, cache);
	}
	return cache;
}

static void elect_leader(struct informer_cache *cache)
{
	cache->leader = NULL;
	for (size_t i = 0; i < cache->sharers_len; i++)
		if (!cache->leader || cache->sharers[i]->watch_id < cache->leader->watch_id)
			cache->leader = cache->sharers[i];
}

struct informer *informer_new(const struct client *client, enum kind_id kind,
			      informer_index_fn index,
			      informer_handler_fn handler, void *arg)
{
	struct informer *inf = xcalloc(1, sizeof(*inf));
	inf->client = client;
	inf->kind = kind;
	inf->handler = handler;
	inf->arg = arg;
	/* K8S: the reflector's ListAndWatch. The store announces a write only
	 * to watchers registered when it happens, so what the list returns and
	 * what the watch delivers never overlap. */
	struct object_list list = {0};
	store_list(client->store, kind, NULL, NULL, &list);
	struct informer_cache *cache = cache_for(inf, index, &list);
	inf->cache = cache;
	inf->watch_id = client_watch(client, kind, on_watch, inf);
	xgrow((void **)&cache->sharers, &cache->sharers_cap, cache->sharers_len + 1,
	      sizeof(*cache->sharers));
	cache->sharers[cache->sharers_len++] = inf;
	elect_leader(cache);
	for (size_t i = 0; handler && i < list.len; i++)
		handler(arg, WATCH_ADDED, list.items[i], NULL);
	object_list_release(&list);
	return inf;
}

void informer_free(struct informer *inf)
{
	if (!inf)
		return;
	client_unwatch(inf->client, inf->watch_id);
	struct informer_cache *cache = inf->cache;
	for (size_t i = 0; i < cache->sharers_len; i++) {
		if (cache->sharers[i] == inf) {
			cache->sharers[i] = cache->sharers[--cache->sharers_len];
			break;
		}
	}
	elect_leader(cache);
	if (inf->index >= 0 && --cache->indexes[inf->index].users == 0)
		index_clear(cache, inf->index);
	if (!cache->sharers_len) {
		if (cache->shared)
			store_set_informer_cache(cache->store, cache->kind, NULL);
		cache_free(cache);
	}
	free(inf);
}

/* ---- reads --------------------------------------------------------------- */

const struct object *informer_get(const struct informer *inf,
				  const char *namespace, const char *name)
{
	if (!name)
		return NULL;
	const struct cache_entry *entry = cache_lookup(inf->cache,
		kind_get(inf->kind)->namespaced ? namespace : NULL, name);
	return entry ? entry->obj : NULL;
}

static int compare_objects(const void *a, const void *b)
{
	const struct object *x = *(const struct object *const *)a;
	const struct object *y = *(const struct object *const *)b;
	int c = strcmp(x->meta.namespace ? x->meta.namespace : "",
		       y->meta.namespace ? y->meta.namespace : "");
	return c ? c : strcmp(x->meta.name, y->meta.name);
}

static void list_add(struct object_list *out, const struct object *obj)
{
	xgrow((void **)&out->items, &out->cap, out->len + 1, sizeof(*out->items));
	out->items[out->len++] = obj;
}

static void list_sort(struct object_list *out, size_t from)
{
	if (out->len - from > 1)
		qsort(out->items + from, out->len - from, sizeof(*out->items),
		      compare_objects);
}

void informer_list(const struct informer *inf, const char *namespace,
		   struct object_list *out)
{
	size_t from = out->len;
	if (!namespace)		/* all of it: room at once (5,000 nodes a pass) */
		xgrow((void **)&out->items, &out->cap, out->len + inf->cache->by_key.len,
		      sizeof(*out->items));
	void *value;
	for (size_t pos = 0; hashmap_next(&inf->cache->by_key, &pos, NULL, &value);) {
		const struct object *obj = ((struct cache_entry *)value)->obj;
		if (namespace && obj->meta.namespace && strcmp(namespace, obj->meta.namespace))
			continue;
		list_add(out, obj);
	}
	list_sort(out, from);
}

/* Not sorted: a ReplicaSet of 5000 pods is read on every one of its pods'
 * changes, and sorting each time cost more than everything else. The
 * bucket's order depends only on the order of the watch events, so it is
 * the same in every run. */
void informer_list_index(const struct informer *inf, const char *key,
			 struct object_list *out)
{
	if (inf->index < 0 || !key)
		return;
	const struct bucket *bucket = hashmap_get(&inf->cache->indexes[inf->index].buckets, key);
	if (!bucket)
		return;
	/* Room for the whole bucket at once: growing one item at a time
	 * reallocated several times per sync of a big ReplicaSet. */
	xgrow((void **)&out->items, &out->cap, out->len + bucket->len,
	      sizeof(*out->items));
	for (size_t i = 0; i < bucket->len; i++)
		list_add(out, bucket->items[i]->obj);
}

size_t informer_len(const struct informer *inf)
{
	return inf->cache->by_key.len;
}

/* ---- shared index functions ---------------------------------------------- */

char *informer_index_controller_uid(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	return ref && ref->uid ? xstrdup(ref->uid) : NULL;
}

char *informer_orphan_key(const char *namespace)
{
	/* By hand: every sync of a ReplicaSet asks for it, and printf's
	 * format parsing showed in the cluster bench's profile. */
	size_t len = namespace ? strlen(namespace) : 0;
	char *key = xmalloc(sizeof(ORPHAN_PREFIX) + len);
	memcpy(key, ORPHAN_PREFIX, sizeof(ORPHAN_PREFIX) - 1);
	memcpy(key + sizeof(ORPHAN_PREFIX) - 1, namespace ? namespace : "", len + 1);
	return key;
}

static bool is_orphan_key(const char *key, const char *namespace)
{
	return !strncmp(key, ORPHAN_PREFIX, sizeof(ORPHAN_PREFIX) - 1) &&
	       !strcmp(key + sizeof(ORPHAN_PREFIX) - 1, namespace ? namespace : "");
}

char *informer_index_owner_or_orphan(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	if (ref && ref->uid)
		return xstrdup(ref->uid);
	return informer_orphan_key(obj->meta.namespace);
}

char *informer_index_node_name(const struct object *obj)
{
	if (obj->kind->id != KIND_POD)
		return NULL;
	const struct pod *pod = (const struct pod *)obj;
	return pod->spec.node_name && *pod->spec.node_name ? xstrdup(pod->spec.node_name)
							   : NULL;
}

/* ---- controller helpers --------------------------------------------------- */

const struct object *informer_resolve_controller(const struct informer *inf,
						 const char *namespace,
						 const struct owner_reference *ref,
						 const char *kind)
{
	if (!ref || !ref->kind || strcmp(ref->kind, kind) || !ref->uid)
		return NULL;
	const struct object *obj = informer_get(inf, namespace, ref->name);
	return obj && !strcmp(obj->meta.uid, ref->uid) ? obj : NULL;
}

void informer_list_selecting(const struct informer *inf, const char *namespace,
			     const struct strmap *labels,
			     const struct label_selector *(*selector_of)(const struct object *),
			     struct object_list *out)
{
	struct object_list all = {0};
	informer_list(inf, namespace, &all);
	for (size_t i = 0; i < all.len; i++) {
		struct selector sel;
		if (label_selector_compile(selector_of(all.items[i]), &sel, NULL))
			continue;	/* an invalid selector selects nothing */
		if (!selector_is_empty(&sel) && selector_matches(&sel, labels))
			list_add(out, all.items[i]);
		selector_release(&sel);
	}
	object_list_release(&all);
}
