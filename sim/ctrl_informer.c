/* ctrl_informer.c - a watch-fed cache with one index; see ctrl_informer.h.
 *
 * Layout: a hash table from "namespace/name" to an entry holding a
 * reference to the cached object and the entry's index key; per index key,
 * a bucket (array) of entries. Each entry remembers its position in its
 * bucket so that removal is a swap with the last member.
 *
 * Invariants: every cached object is referenced once by its entry; an
 * entry with an index key is in exactly that key's bucket at its recorded
 * position; buckets are never empty (an emptied bucket is freed).
 */
#include "ctrl_informer.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "hashmap.h"
#include "xmalloc.h"

struct cache_entry {
	struct object *obj;		/* one reference */
	char *index_key;		/* NULL when not indexed */
	size_t index_pos;
};

struct bucket {
	struct cache_entry **items;
	size_t len, cap;
};

struct informer {
	const struct client *client;
	enum kind_id kind;
	int watch_id;
	informer_index_fn index;
	informer_handler_fn handler;
	void *arg;
	struct hashmap by_key;		/* "ns/name" -> struct cache_entry */
	struct hashmap by_index;	/* index key -> struct bucket */
};

static char *cache_key(const char *namespace, const char *name)
{
	return xasprintf("%s/%s", namespace ? namespace : "", name ? name : "");
}

/* ---- the index ----------------------------------------------------------- */

static void index_add(struct informer *inf, struct cache_entry *entry)
{
	if (!entry->index_key)
		return;
	struct bucket *bucket = hashmap_get(&inf->by_index, entry->index_key);
	if (!bucket) {
		bucket = xcalloc(1, sizeof(*bucket));
		hashmap_put(&inf->by_index, entry->index_key, bucket);
	}
	xgrow((void **)&bucket->items, &bucket->cap, bucket->len + 1,
	      sizeof(*bucket->items));
	entry->index_pos = bucket->len;
	bucket->items[bucket->len++] = entry;
}

static void index_remove(struct informer *inf, struct cache_entry *entry)
{
	if (!entry->index_key)
		return;
	struct bucket *bucket = hashmap_get(&inf->by_index, entry->index_key);
	BUG_ON(!bucket || entry->index_pos >= bucket->len ||
	       bucket->items[entry->index_pos] != entry);
	struct cache_entry *last = bucket->items[--bucket->len];
	bucket->items[entry->index_pos] = last;
	last->index_pos = entry->index_pos;
	if (!bucket->len) {
		hashmap_remove(&inf->by_index, entry->index_key);
		free(bucket->items);
		free(bucket);
	}
	free(entry->index_key);
	entry->index_key = NULL;
}

/* ---- applying changes ---------------------------------------------------- */

static void cache_put(struct informer *inf, const struct object *obj)
{
	char *key = cache_key(obj->meta.namespace, obj->meta.name);
	struct cache_entry *entry = hashmap_get(&inf->by_key, key);
	if (!entry) {
		entry = xcalloc(1, sizeof(*entry));
		hashmap_put(&inf->by_key, key, entry);
	} else {
		index_remove(inf, entry);
		object_unref(entry->obj);
	}
	entry->obj = object_ref(obj);
	entry->index_key = inf->index ? inf->index(obj) : NULL;
	index_add(inf, entry);
	free(key);
}

static void cache_drop(struct informer *inf, const struct object *obj)
{
	char *key = cache_key(obj->meta.namespace, obj->meta.name);
	struct cache_entry *entry = hashmap_remove(&inf->by_key, key);
	if (entry) {
		index_remove(inf, entry);
		object_unref(entry->obj);
		free(entry);
	}
	free(key);
}

static void on_watch(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct informer *inf = arg;
	if (type == WATCH_DELETED)
		cache_drop(inf, obj);
	else
		cache_put(inf, obj);
	if (inf->handler)
		inf->handler(inf->arg, type, obj, old);
}

struct informer *informer_new(const struct client *client, enum kind_id kind,
			      informer_index_fn index,
			      informer_handler_fn handler, void *arg)
{
	struct informer *inf = xcalloc(1, sizeof(*inf));
	inf->client = client;
	inf->kind = kind;
	inf->index = index;
	inf->handler = handler;
	inf->arg = arg;
	/* K8S: the reflector's ListAndWatch. The store announces a write only
	 * to watchers registered when it happens, so what the list returns and
	 * what the watch delivers never overlap. */
	struct object_list list = {0};
	store_list(client->store, kind, NULL, NULL, &list);
	for (size_t i = 0; i < list.len; i++)
		cache_put(inf, list.items[i]);
	inf->watch_id = client_watch(client, kind, on_watch, inf);
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
	void *value;
	for (size_t pos = 0; hashmap_next(&inf->by_key, &pos, NULL, &value);) {
		struct cache_entry *entry = value;
		object_unref(entry->obj);
		free(entry->index_key);
		free(entry);
	}
	hashmap_release(&inf->by_key);
	for (size_t pos = 0; hashmap_next(&inf->by_index, &pos, NULL, &value);) {
		struct bucket *bucket = value;
		free(bucket->items);
		free(bucket);
	}
	hashmap_release(&inf->by_index);
	free(inf);
}

/* ---- reads --------------------------------------------------------------- */

const struct object *informer_get(const struct informer *inf,
				  const char *namespace, const char *name)
{
	if (!name)
		return NULL;
	char *key = cache_key(kind_get(inf->kind)->namespaced ? namespace : NULL, name);
	const struct cache_entry *entry = hashmap_get(&inf->by_key, key);
	free(key);
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
	void *value;
	for (size_t pos = 0; hashmap_next(&inf->by_key, &pos, NULL, &value);) {
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
	const struct bucket *bucket = key ? hashmap_get(&inf->by_index, key) : NULL;
	for (size_t i = 0; bucket && i < bucket->len; i++)
		list_add(out, bucket->items[i]->obj);
}

size_t informer_len(const struct informer *inf)
{
	return inf->by_key.len;
}

/* ---- shared index functions ---------------------------------------------- */

char *informer_index_controller_uid(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	return ref && ref->uid ? xstrdup(ref->uid) : NULL;
}

char *informer_orphan_key(const char *namespace)
{
	return xasprintf("orphan/%s", namespace ? namespace : "");
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
