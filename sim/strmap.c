/* strmap.c - sorted string map; see strmap.h. */
#include "strmap.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Index of key, or of where it would be inserted; *found says which. */
/* strcmp's order, cheaper for the common cases: stored objects share
 * their label keys and values (schema_pack.c interns them), so equal text
 * is often the same pointer, and keys that differ mostly differ in their
 * first byte, which spares the library call. */
static inline int key_order(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (*a != *b)
		return (int)(unsigned char)*a - (int)(unsigned char)*b;
	return strcmp(a, b);
}

static inline bool same_text(const char *a, const char *b)
{
	return a == b || !strcmp(a, b);
}

static size_t lookup(const struct strmap *map, const char *key, bool *found)
{
	size_t lo = 0, hi = map->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_order(map->items[mid].key, key);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const char *strmap_get(const struct strmap *map, const char *key)
{
	bool found;
	size_t i = lookup(map, key, &found);
	return found ? map->items[i].value : NULL;
}

bool strmap_has(const struct strmap *map, const char *key)
{
	return strmap_get(map, key) != NULL;
}

void strmap_set(struct strmap *map, const char *key, const char *value)
{
	bool found;
	size_t i = lookup(map, key, &found);
	if (found) {
		free(map->items[i].value);
		map->items[i].value = xstrdup(value);
		return;
	}
	xgrow((void **)&map->items, &map->cap, map->len + 1, sizeof(*map->items));
	memmove(&map->items[i + 1], &map->items[i],
		(map->len - i) * sizeof(*map->items));
	map->items[i].key = xstrdup(key);
	map->items[i].value = xstrdup(value);
	map->len++;
}

bool strmap_remove(struct strmap *map, const char *key)
{
	bool found;
	size_t i = lookup(map, key, &found);
	if (!found)
		return false;
	free(map->items[i].key);
	free(map->items[i].value);
	memmove(&map->items[i], &map->items[i + 1],
		(map->len - i - 1) * sizeof(*map->items));
	map->len--;
	return true;
}

void strmap_copy(struct strmap *dst, const struct strmap *src)
{
	dst->items = NULL;
	dst->len = dst->cap = 0;
	if (!src->len)
		return;
	dst->items = xmalloc(src->len * sizeof(*dst->items));
	dst->cap = dst->len = src->len;
	for (size_t i = 0; i < src->len; i++) {
		dst->items[i].key = xstrdup(src->items[i].key);
		dst->items[i].value = xstrdup(src->items[i].value);
	}
}

bool strmap_equal(const struct strmap *a, const struct strmap *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (!same_text(a->items[i].key, b->items[i].key) ||
		    !same_text(a->items[i].value, b->items[i].value))
			return false;
	return true;
}

bool strmap_contains_all(const struct strmap *map, const struct strmap *sub)
{
	for (size_t i = 0; i < sub->len; i++) {
		const char *v = strmap_get(map, sub->items[i].key);
		if (!v || !same_text(v, sub->items[i].value))
			return false;
	}
	return true;
}

void strmap_release(struct strmap *map)
{
	for (size_t i = 0; i < map->len; i++) {
		free(map->items[i].key);
		free(map->items[i].value);
	}
	free(map->items);
	map->items = NULL;
	map->len = map->cap = 0;
}
