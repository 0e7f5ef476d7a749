/* strmap.h - a small map from string to string, kept sorted by key.
 *
 * Labels, annotations and nodeSelector are maps of strings. Kubernetes
 * objects carry few of them, so a sorted array beats a hash table: lookups
 * are a binary search, iteration is in key order (deterministic output for
 * free), and a copy is one allocation per string.
 *
 * Ownership: the map owns its keys and values (copies are made on insert).
 * strmap_release() frees them; the struct itself is embedded by its owner.
 */
#ifndef KUBELAB_STRMAP_H
#define KUBELAB_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strpair {
	char *key;
	char *value;
};

struct strmap {
	struct strpair *items;	/* sorted by key (strcmp), no duplicates */
	size_t len;
	size_t cap;
};

/* Returns the value for key, or NULL. */
const char *strmap_get(const struct strmap *map, const char *key);
bool strmap_has(const struct strmap *map, const char *key);
/* Inserts or replaces; key and value are copied. */
void strmap_set(struct strmap *map, const char *key, const char *value);
/* Removes key if present; returns whether it was there. */
bool strmap_remove(struct strmap *map, const char *key);
void strmap_copy(struct strmap *dst, const struct strmap *src);	/* dst empty */
bool strmap_equal(const struct strmap *a, const struct strmap *b);
/* True when every pair of sub is in map (a nodeSelector match). */
bool strmap_contains_all(const struct strmap *map, const struct strmap *sub);
void strmap_release(struct strmap *map);

#endif
