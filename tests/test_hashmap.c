/* test_hashmap.c - the string-keyed hash table, in both of its hashes.
 *
 * The default (FNV-1a) map's slot order reaches the traces through the
 * loops that walk it, so its hash is pinned to published FNV-1a vectors
 * through the order it gives. The unordered map hashes words instead; it
 * must find, replace and remove exactly what the default map does, for
 * keys of every length around the eight-byte word.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

Suite *hashmap_suite(void);	/* registered in check_main.c */

/* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c and of "foobar"
 * 0x85944171f73967e8 (the reference test vectors of the FNV authors'
 * page). In a fresh map of 16 slots they sit in slots 12 and 8, so a walk
 * meets "foobar" first: a change of the hash would reorder every trace. */
START_TEST(test_default_map_walks_in_fnv1a_slot_order)
{
	struct hashmap map = {0};
	hashmap_put(&map, "a", (void *)1);
	hashmap_put(&map, "foobar", (void *)2);
	const char *keys[2] = {0};
	const char *key;
	size_t n = 0;
	for (size_t pos = 0; hashmap_next(&map, &pos, &key, NULL);)
		keys[n++] = key;
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(keys[0], "foobar");
	ck_assert_str_eq(keys[1], "a");
	hashmap_release(&map);
}
END_TEST

/* Keys of 0 to 40 bytes: every tail length of the word loop, twice. */
static void key_of(char *buf, size_t size, int i)
{
	int len = i % 41;
	for (int j = 0; j < len; j++)
		buf[j] = (char)('a' + (i * 7 + j * 13) % 26);
	snprintf(buf + len, size - (size_t)len, "#%d", i);
}

START_TEST(test_unordered_map_finds_replaces_and_removes_like_the_default)
{
	struct hashmap fast = {0}, plain = {0};
	hashmap_set_unordered(&fast);
	char buf[64];
	for (int i = 0; i < 2000; i++) {
		key_of(buf, sizeof(buf), i);
		ck_assert_ptr_null(hashmap_put(&fast, buf, (void *)(uintptr_t)(i + 1)));
		hashmap_put(&plain, buf, (void *)(uintptr_t)(i + 1));
	}
	ck_assert_uint_eq(fast.len, plain.len);
	/* Replacing returns the old value; the count stays. */
	key_of(buf, sizeof(buf), 5);
	ck_assert_ptr_eq(hashmap_put(&fast, buf, (void *)99), (void *)6);
	hashmap_put(&plain, buf, (void *)99);
	ck_assert_uint_eq(fast.len, 2000);
	/* Removing every third key leaves the others findable (backward
	 * shift moved them) and the removed ones gone. */
	for (int i = 0; i < 2000; i += 3) {
		key_of(buf, sizeof(buf), i);
		ck_assert_ptr_eq(hashmap_remove(&fast, buf), hashmap_remove(&plain, buf));
	}
	for (int i = 0; i < 2000; i++) {
		key_of(buf, sizeof(buf), i);
		ck_assert_ptr_eq(hashmap_get(&fast, buf), hashmap_get(&plain, buf));
	}
	ck_assert_ptr_null(hashmap_get(&fast, "never put"));
	ck_assert_ptr_null(hashmap_get(&fast, ""));
	hashmap_release(&fast);
	hashmap_release(&plain);
}
END_TEST

START_TEST(test_unordered_map_stays_unordered_after_release)
{
	struct hashmap map = {0};
	hashmap_set_unordered(&map);
	hashmap_put(&map, "default/web-0", (void *)1);
	hashmap_release(&map);
	ck_assert(map.unordered);
	ck_assert_ptr_null(hashmap_get(&map, "default/web-0"));
	hashmap_put(&map, "default/web-1", (void *)2);
	ck_assert_ptr_eq(hashmap_get(&map, "default/web-1"), (void *)2);
	hashmap_release(&map);
}
END_TEST

Suite *hashmap_suite(void)
{
	Suite *s = suite_create("hashmap");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_default_map_walks_in_fnv1a_slot_order);
	tcase_add_test(tc, test_unordered_map_finds_replaces_and_removes_like_the_default);
	tcase_add_test(tc, test_unordered_map_stays_unordered_after_release);
	suite_add_tcase(s, tc);
	return s;
}
