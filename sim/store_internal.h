/* store_internal.h - what the store_*.c files share; not for other modules.
 *
 * K8S: the API server's generic registry (store.go) on top of etcd and the
 * watch cache. kubelab keeps all three in one struct store, split over
 * three files by concept:
 *
 *   store.c        the registry: lifecycle, reads, and the writes (create,
 *                  update, update_status, bind, delete) with their API outcomes
 *   store_index.c  the secondary indexes (pods by node, objects by
 *                  controller owner), the sorted lists, store_check()
 *   store_watch.c  watchers and the ordered delivery of changes through
 *                  the clock, including kubelets' node-filtered pod watches
 *
 * Layout: per kind, a hash table from "namespace/name" to an entry; a
 * global table from uid to entry; per kind, owner-uid buckets; for pods,
 * node-name buckets. An entry remembers its bucket and position in each so
 * removal is O(1) (swap with the last).
 *
 * Invariants: every entry is in by_key under entry_key() of its object and
 * in by_uid under its uid; it is in the node bucket of pod_node() and the
 * owner bucket of its controller's uid (or in none when that is NULL), at
 * the position it records; no bucket is empty. store_check() verifies all
 * but the last.
 */
#ifndef KUBELAB_STORE_INTERNAL_H
#define KUBELAB_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "hashmap.h"
#include "prng.h"
#include "store.h"

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

struct watcher;				/* store_watch.c */
struct change;				/* store_watch.c */

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

/* The by_key key of a stored object: its namespace ("" when cluster-scoped)
 * and name, which never change between its versions. */
static inline const char *entry_key(struct hashmap_key *key,
				     const struct object *obj)
{
	return hashmap_key_join(key, obj->meta.namespace, obj->meta.name);
}

/* The node a pod is bound to (spec.nodeName), or NULL when it is not a pod
 * or not bound: the key of the node index and of node watches. */
static inline const char *pod_node(const struct object *obj)
{
	if (obj->kind->id != KIND_POD)
		return NULL;
	const struct pod *pod = (const struct pod *)obj;
	return pod->spec.node_name && *pod->spec.node_name ? pod->spec.node_name : NULL;
}

/* Equal names, where NULL (no node, no owner) equals only NULL. */
static inline bool same_name(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- store_index.c ------------------------------------------------------- */

/* Moves entry between node and owner buckets when the indexed fields of
 * its (new) object changed; puts a new entry into them. */
void store_index_entry(struct store *store, struct entry *entry);
/* Takes entry out of every index: node, owner, uid and key. The entry and
 * its object stay the caller's. */
void store_unindex_entry(struct store *store, struct entry *entry);
/* Lets the store's tables (keys, uids, node and owner buckets, node
 * watchers) use the faster unordered hash: their loops free what they
 * visit or sort what they collect (store_list), so no order leaks out.
 * For store_new, before anything is stored. */
void store_indexes_init(struct store *store);
/* Frees the node and owner buckets (not the entries they point to). */
void store_indexes_release(struct store *store);

/* ---- store_watch.c ------------------------------------------------------- */

/* Tells the observer now and every watcher of obj's kind (and the node
 * watchers of the pod's old and new node) later, through the clock, in
 * write order. Takes its own references to obj and old; the caller keeps
 * its own. */
void store_announce(struct store *store, enum watch_type type,
		    struct object *obj, struct object *old);
/* Cancels every pending delivery, drops its references, frees the
 * watchers. */
void store_watches_release(struct store *store);

#endif
