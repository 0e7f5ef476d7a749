/* hashmap.c - string-keyed open-addressing hash table; see hashmap.h. */
#include "hashmap.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a offset basis */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;		/* FNV prime */
	}
	return h;
}

/* The unordered maps' hash: a word of the key per multiply, then a final
 * mix (splitmix64's) so that the low bits, which pick the slot, depend on
 * every byte. Words are read little-endian by memcpy: no alignment needed. */
static uint64_t hash_key_words(const char *key)
{
	size_t len = strlen(key);
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t word;
		memcpy(&word, p, sizeof(word));
		h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 32;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	h = (h ^ tail) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

static uint64_t map_hash(const struct hashmap *map, const char *key)
{
	return map->unordered ? hash_key_words(key) : hash_key(key);
}

static size_t find(const struct hashmap *map, const char *key, uint64_t hash)
{
	size_t mask = map->cap - 1;
	size_t i = hash & mask;
	while (map->slots[i].key) {
		if (map->slots[i].hash == hash && !strcmp(map->slots[i].key, key))
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

static void grow(struct hashmap *map)
{
	struct hashmap_slot *old = map->slots;
	size_t old_cap = map->cap;
	map->cap = old_cap ? old_cap * 2 : 16;
	map->slots = xcalloc(map->cap, sizeof(*map->slots));
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key)
			continue;
		size_t j = find(map, old[i].key, old[i].hash);
		map->slots[j] = old[i];
	}
	free(old);
}

void *hashmap_get(const struct hashmap *map, const char *key)
{
	if (!map->len)
		return NULL;
	size_t i = find(map, key, map_hash(map, key));
	return map->slots[i].key ? map->slots[i].value : NULL;
}

void *hashmap_put(struct hashmap *map, const char *key, void *value)
{
	/* Keep the load factor under 3/4 so probes stay short. */
	if ((map->len + 1) * 4 > map->cap * 3)
		grow(map);
	uint64_t hash = map_hash(map, key);
	size_t i = find(map, key, hash);
	struct hashmap_slot *slot = &map->slots[i];
	if (slot->key) {
		void *previous = slot->value;
		slot->value = value;
		return previous;
	}
	slot->key = xstrdup(key);
	slot->hash = hash;
	slot->value = value;
	map->len++;
	return NULL;
}

void *hashmap_remove(struct hashmap *map, const char *key)
{
	if (!map->len)
		return NULL;
	size_t mask = map->cap - 1;
	size_t i = find(map, key, map_hash(map, key));
	if (!map->slots[i].key)
		return NULL;
	void *value = map->slots[i].value;
	free(map->slots[i].key);
	map->len--;
	/* Backward-shift deletion: pull later members of the probe run into
	 * the hole, so lookups never need tombstones. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; map->slots[j].key; j = (j + 1) & mask) {
		size_t home = map->slots[j].hash & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			map->slots[hole] = map->slots[j];
			hole = j;
		}
	}
	map->slots[hole].key = NULL;
	map->slots[hole].value = NULL;
	return value;
}

void hashmap_release(struct hashmap *map)
{
	for (size_t i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	map->slots = NULL;
	map->cap = map->len = 0;
}

void hashmap_set_unordered(struct hashmap *map)
{
	BUG_ON(map->len != 0);	/* its keys were placed by the other hash */
	map->unordered = true;
}

int hashmap_next(const struct hashmap *map, size_t *pos, const char **key,
		 void **value)
{
	while (*pos < map->cap) {
		const struct hashmap_slot *slot = &map->slots[(*pos)++];
		if (slot->key) {
			if (key)
				*key = slot->key;
			if (value)
				*value = slot->value;
			return 1;
		}
	}
	return 0;
}

const char *hashmap_key_join(struct hashmap_key *key, const char *first,
			     const char *second)
{
	/* Two memcpys: snprintf's format parsing showed in profiles. */
	size_t a = first ? strlen(first) : 0, b = strlen(second);
	key->text = a + b + 2 <= sizeof(key->buf) ? key->buf : xmalloc(a + b + 2);
	if (a)
		memcpy(key->text, first, a);
	key->text[a] = '/';
	memcpy(key->text + a + 1, second, b + 1);
	return key->text;
}

void hashmap_key_release(struct hashmap_key *key)
{
	if (key->text != key->buf)
		free(key->text);
	key->text = NULL;
}
