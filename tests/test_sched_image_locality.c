/* test_sched_image_locality.c - ImageLocality and the cache's image
 * counts.
 *
 * The table is upstream's image_locality_test.go (TestImageLocalityPriority):
 * the same node images (node1: gcr.io/40, gcr.io/300, gcr.io/2000; node2:
 * gcr.io/250, gcr.io/10; node3: none), the same pods, and the scores of
 * v1.34's formula (the maximum is 1000Mi per container).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_harness.h"

Suite *sched_image_locality_suite(void);

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MB (1024LL * 1024)

/* Adds an image of size_mb with names "a|b|c" to node n. */
static void node_image(struct node *n, const char *names, int64_t size_mb)
{
	struct container_image *image = HARNESS_APPEND(n->status.images);
	image->size_bytes = size_mb * MB;
	char *copy = xstrdup(names), *save = NULL;
	for (char *name = strtok_r(copy, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
		image->names.items = xrealloc(image->names.items,
					      (image->names.len + 1) * sizeof(char *));
		image->names.items[image->names.len++] = xstrdup(name);
	}
	free(copy);
}

static void upstream_nodes(struct sched_cache *cache, bool third)
{
	struct node *n = harness_node("node1", "cpu=4,memory=8Gi");
	node_image(n, "gcr.io/40:latest|gcr.io/40:v1|gcr.io/40:v1", 40);
	node_image(n, "gcr.io/300:latest|gcr.io/300:v1", 300);
	node_image(n, "gcr.io/2000:latest", 2000);
	harness_add_node(cache, n);
	n = harness_node("node2", "cpu=4,memory=8Gi");
	node_image(n, "gcr.io/250:latest", 250);
	node_image(n, "gcr.io/10:latest|gcr.io/10:v1", 10);
	harness_add_node(cache, n);
	if (third)
		harness_add_node(cache, harness_node("node3", "cpu=4,memory=8Gi"));
}

/* A pod whose containers run images "a,b" (init containers "i:" first). */
static struct pod *image_pod(const char *init, const char *images)
{
	struct pod *p = harness_pod("web", "");
	char *copy = xstrdup(images), *save = NULL;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct container *c = HARNESS_APPEND(p->spec.containers);
		c->name = xasprintf("c%zu", p->spec.containers.len);
		c->image = xstrdup(name);
	}
	free(copy);
	if (init) {
		struct container *c = HARNESS_APPEND(p->spec.init_containers);
		c->name = xstrdup("init");
		c->image = xstrdup(init);
	}
	return p;
}

START_TEST(test_image_locality_matches_upstream_table)
{
	static const struct {
		const char *what, *init, *images;
		bool third;
		int64_t want[3];
	} cases[] = {
		{ "two images spread on two nodes, prefer the larger image one",
		  NULL, "gcr.io/40,gcr.io/250", false, { 0, 5 } },
		{ "two images on one node, prefer this node",
		  NULL, "gcr.io/40,gcr.io/300", false, { 7, 0 } },
		{ "if exceed limit, use limit", NULL, "gcr.io/10,gcr.io/2000", false, { 49, 0 } },
		{ "if exceed limit, use limit (with node which has no images present)",
		  NULL, "gcr.io/10,gcr.io/2000", true, { 32, 0, 0 } },
		{ "init containers count too", "gcr.io/300", "gcr.io/40", false, { 7, 0 } },
		{ "a tag is matched as written", NULL, "gcr.io/300:v1,gcr.io/40:v1", false,
		  { 7, 0 } },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct sched_cache cache;
		sched_cache_init(&cache);
		upstream_nodes(&cache, cases[i].third);
		struct pod *p = image_pod(cases[i].init, cases[i].images);
		const char *names[] = { "node1", "node2", "node3" };
		size_t n = cases[i].third ? 3 : 2;
		int64_t got[3] = { 0 };
		if (!harness_score(&sched_image_locality_plugin, &cache, p, NULL, names, n, got))
			memset(got, 0, sizeof(got));	/* Skip: every node 0 */
		for (size_t k = 0; k < n; k++)
			ck_assert_msg(got[k] == cases[i].want[k], "%s: node%zu got %lld want %lld",
				      cases[i].what, k + 1, (long long)got[k],
				      (long long)cases[i].want[k]);
		object_unref(&p->obj);
		sched_cache_release(&cache);
	}
}
END_TEST

START_TEST(test_small_or_missing_images_skip_the_score)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	upstream_nodes(&cache, false);
	const char *names[] = { "node1", "node2" };
	int64_t got[2];
	/* 40Mi on one node of two: 20Mi, under the 23Mi threshold anywhere. */
	struct pod *p = image_pod(NULL, "gcr.io/40");
	ck_assert(!harness_score(&sched_image_locality_plugin, &cache, p, NULL, names, 2, got));
	object_unref(&p->obj);
	p = image_pod(NULL, "nginx");
	ck_assert(!harness_score(&sched_image_locality_plugin, &cache, p, NULL, names, 2, got));
	object_unref(&p->obj);
	sched_cache_release(&cache);
}
END_TEST

START_TEST(test_cache_counts_each_node_once_per_image_name)
{
	struct sched_cache cache;
	sched_cache_init(&cache);
	upstream_nodes(&cache, false);
	const struct sched_image_state *s = sched_cache_image(&cache, "gcr.io/40:v1");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->num_nodes, 1);	/* listed twice by node1 */
	ck_assert_int_eq(s->size, 40 * MB);

	/* node2 pulls gcr.io/40 too: two nodes. */
	struct node *n = harness_node("node2", "cpu=4,memory=8Gi");
	node_image(n, "gcr.io/40:latest", 40);
	harness_add_node(&cache, n);
	ck_assert_uint_eq(sched_cache_image(&cache, "gcr.io/40:latest")->num_nodes, 2);
	ck_assert_ptr_null(sched_cache_image(&cache, "gcr.io/250:latest"));	/* gone */

	sched_cache_remove_node(&cache, "node1");
	ck_assert_uint_eq(sched_cache_image(&cache, "gcr.io/40:latest")->num_nodes, 1);
	ck_assert_ptr_null(sched_cache_image(&cache, "gcr.io/2000:latest"));
	sched_cache_release(&cache);
}
END_TEST

Suite *sched_image_locality_suite(void)
{
	Suite *s = suite_create("sched_image_locality");
	TCase *tc = tcase_create("images");
	tcase_add_test(tc, test_image_locality_matches_upstream_table);
	tcase_add_test(tc, test_small_or_missing_images_skip_the_score);
	tcase_add_test(tc, test_cache_counts_each_node_once_per_image_name);
	suite_add_tcase(s, tc);
	return s;
}
