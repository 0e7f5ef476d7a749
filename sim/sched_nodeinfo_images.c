/* sched_nodeinfo_images.c - which images the nodes hold, as the
 * scheduler's cache counts them.
 *
 * K8S: pkg/scheduler/backend/cache/cache.go (imageStates,
 * addNodeImageStates, removeNodeImageStates) and framework/types.go
 * (ImageStateSummary: Size, NumNodes).
 *
 * Every kubelet reports in node.status.images the images it has pulled,
 * with their sizes. ImageLocality (sched_image_locality.c) prefers a node
 * that already has a pod's images, weighted by how rare they are: an image
 * present on every node gives no reason to prefer any. So the cache keeps,
 * for every image name, its size and on how many nodes it is. The size is
 * the one the first node to report the name gave, as upstream.
 *
 * Hooks: sched_cache_set_node and sched_cache_remove_node call
 * sched_cache_images_update with the node's old and new objects. A node
 * whose image list did not change costs one comparison of the lists.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

/* Whether names[i].names[k] appeared earlier in the node's list: a node
 * counts once per name (upstream keeps a set of node names). */
static bool seen_before(const struct node_status *st, size_t i, size_t k)
{
	const char *name = st->images.items[i].names.items[k];
	for (size_t a = 0; a <= i; a++) {
		size_t until = a == i ? k : st->images.items[a].names.len;
		for (size_t b = 0; b < until; b++)
			if (!strcmp(st->images.items[a].names.items[b], name))
				return true;
	}
	return false;
}

static void images_add(struct sched_cache *cache, const struct node *node)
{
	const struct node_status *st = &node->status;
	for (size_t i = 0; i < st->images.len; i++) {
		const struct container_image *image = &st->images.items[i];
		for (size_t k = 0; k < image->names.len; k++) {
			const char *name = image->names.items[k];
			if (seen_before(st, i, k))
				continue;
			struct sched_image_state *s = hashmap_get(&cache->images, name);
			if (!s) {
				s = xcalloc(1, sizeof(*s));
				s->size = image->size_bytes;
				hashmap_put(&cache->images, name, s);
			}
			s->num_nodes++;
		}
	}
}

static void images_remove(struct sched_cache *cache, const struct node *node)
{
	const struct node_status *st = &node->status;
	for (size_t i = 0; i < st->images.len; i++) {
		const struct container_image *image = &st->images.items[i];
		for (size_t k = 0; k < image->names.len; k++) {
			const char *name = image->names.items[k];
			if (seen_before(st, i, k))
				continue;
			struct sched_image_state *s = hashmap_get(&cache->images, name);
			BUG_ON(!s || s->num_nodes == 0);
			if (--s->num_nodes == 0)
				free(hashmap_remove(&cache->images, name));
		}
	}
}

static bool same_images(const struct node *a, const struct node *b)
{
	const struct node_status *x = &a->status, *y = &b->status;
	if (x->images.len != y->images.len)
		return false;
	for (size_t i = 0; i < x->images.len; i++) {
		const struct container_image *p = &x->images.items[i], *q = &y->images.items[i];
		if (p->names.len != q->names.len || p->size_bytes != q->size_bytes)
			return false;
		for (size_t k = 0; k < p->names.len; k++)
			if (strcmp(p->names.items[k], q->names.items[k]))
				return false;
	}
	return true;
}

/* LAB: sched-image-states */
void sched_cache_images_update(struct sched_cache *cache, const struct node *old,
			       const struct node *node)
{
	if (old && node && (old == node || same_images(old, node)))
		return;
	if (old)
		images_remove(cache, old);
	if (node)
		images_add(cache, node);
}

const struct sched_image_state *sched_cache_image(const struct sched_cache *cache,
						  const char *name)
{
	return hashmap_get(&cache->images, name);
}

void sched_cache_images_release(struct sched_cache *cache)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&cache->images, &pos, &key, &value);)
		free(value);
	hashmap_release(&cache->images);
}
