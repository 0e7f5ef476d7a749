/* store_index.c - the store's indexes and its sorted lists.
 *
 * K8S: the watch cache's indexes (pkg/registry/core/pod/strategy.go,
 * NodeNameIndexFunc: pods by spec.nodeName, the fieldSelector every kubelet
 * lists with) and client-go's cache.Indexers. kubelab keeps a bucket per
 * node (pods only) and per controller owner uid (per kind), so that "the
 * pods on node X" and "the ReplicaSets this Deployment controls" cost the
 * size of the answer: controllers and the kubelet model do no work
 * proportional to the whole cluster.
 *
 * Interface: store_list(), store_list_pods_on_node(), store_list_owned(),
 * object_list_release() and store_check() (store.h); store_index_entry(),
 * store_unindex_entry() and store_indexes_release() for store.c
 * (store_internal.h).
 *
 * Invariants: see store_internal.h; store_check() verifies them. Lists are
 * sorted by namespace then name, as etcd's keys, whatever the hash order.
 *
 * See also: store.c (the writes that keep the indexes), store_watch.c.
 */
#include "store_internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "hashmap.h"
#include "selector.h"
#include "xmalloc.h"

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

static const char *owner_uid(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	return ref && ref->uid ? ref->uid : NULL;
}

/* Moves entry between buckets when the indexed fields changed. */
void store_index_entry(struct store *store, struct entry *entry)
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

void store_unindex_entry(struct store *store, struct entry *entry)
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

void store_indexes_init(struct store *store)
{
	for (int k = 0; k < KIND_COUNT; k++) {
		hashmap_set_unordered(&store->by_key[k]);
		hashmap_set_unordered(&store->by_owner[k]);
	}
	hashmap_set_unordered(&store->by_uid);
	hashmap_set_unordered(&store->by_node);
	hashmap_set_unordered(&store->node_watchers);
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

void store_indexes_release(struct store *store)
{
	for (int k = 0; k < KIND_COUNT; k++)
		bucket_map_release(&store->by_owner[k]);
	bucket_map_release(&store->by_node);
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
