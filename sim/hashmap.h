/* hashmap.h - a hash table from string keys to pointers.
 *
 * Open addressing with linear probing and FNV-1a hashing: the hash depends
 * only on the key's bytes, never on addresses, so iteration order is the
 * same on every run with the same inserts (kubelab's determinism rule).
 * Deletion uses backward-shift, so there are no tombstones.
 *
 * A map whose slot order nobody reads may hash faster: see
 * hashmap_set_unordered.
 *
 * Ownership: the map copies keys and frees its copies; values are borrowed.
 */
#ifndef KUBELAB_HASHMAP_H
#define KUBELAB_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap_slot {
	char *key;		/* NULL = empty */
	uint64_t hash;
	void *value;
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t cap;		/* power of two, or 0 */
	size_t len;
	bool unordered;		/* hashed by words, not FNV-1a (see below) */
};

void *hashmap_get(const struct hashmap *map, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *hashmap_put(struct hashmap *map, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *hashmap_remove(struct hashmap *map, const char *key);
void hashmap_release(struct hashmap *map);

/* Lets an empty map hash its keys eight bytes at a time instead of one
 * (FNV-1a): lookups get several times cheaper on long keys such as
 * "namespace/name" or uids, but hashmap_next then visits the keys in
 * another order than an FNV-1a map with the same history. Only for maps
 * whose every iteration is order-blind (frees, counts, or sorts what it
 * collects), or that are never iterated: traces must not depend on it.
 * The order is still the same on every run. The flag outlives
 * hashmap_release. */
void hashmap_set_unordered(struct hashmap *map);

/* Iteration: for (size_t i = 0; hashmap_next(map, &i, &key, &value);) */
int hashmap_next(const struct hashmap *map, size_t *pos, const char **key,
		 void **value);

/* A two-part key such as "namespace/name", built for one lookup. The store
 * and the informers look objects up by that key several times per write,
 * so the text goes into the struct's own buffer (on the caller's stack)
 * and only an unusually long key is allocated. first may be NULL (read as
 * ""). The returned text is valid until hashmap_key_release(key). */
struct hashmap_key {
	char *text;		/* buf, or a heap copy when buf is too small */
	char buf[128];
};
const char *hashmap_key_join(struct hashmap_key *key, const char *first,
			     const char *second);
void hashmap_key_release(struct hashmap_key *key);

#endif
