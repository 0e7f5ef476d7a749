/* sched_image_locality.c - the ImageLocality plugin: prefer nodes that
 * already have the pod's images.
 *
 * K8S: pkg/scheduler/framework/plugins/imagelocality/image_locality.go
 * (Score, sumImageScores, scaledImageScore, calculatePriority,
 * normalizedImageName).
 *
 * Pulling a 2 GiB image takes minutes; starting a pod on a node that
 * already has it takes seconds. So the scheduler adds, for each of the
 * pod's containers (init containers too) whose image the node reports in
 * status.images, the image's size scaled by the share of nodes that have
 * it: size * nodes-with-it / all-nodes. An image every node has earns its
 * full size everywhere and favours none; a rare one earns its holder a
 * lot. The sum is clamped to 23Mi..1000Mi per container and mapped
 * linearly onto 0..100:
 *
 *   score = 100 * (sum - 23Mi) / (1000Mi * containers - 23Mi)
 *
 * so small images (under 23Mi) never matter. The pod's image names are
 * read as the node reports them, with ":latest" added to a name that has
 * no tag ("web" is "web:latest"; a digest "web@sha256:..." is kept).
 *
 * kubelab's PreScore adds a shortcut upstream does not have: when even a
 * node holding every one of the pod's images would score 0 (the usual
 * case: small or absent images), it returns Skip, which gives every node
 * the same 0 at no cost. The default weight is 1.
 *
 * Interface: sched_image_locality_plugin. Image sizes and node counts
 * come from the cache (sched_nodeinfo_images.c).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

#define MB (1024LL * 1024)
#define MIN_THRESHOLD (23 * MB)			/* K8S: minThreshold */
#define MAX_CONTAINER_THRESHOLD (1000 * MB)	/* K8S: maxContainerThreshold */

/* One of the pod's images some node has. */
struct wanted_image {
	const char *name;	/* normalized: the container's image, or owned */
	char *owned;		/* the ":latest" copy when one was needed */
	int64_t scaled;		/* its score on a node that has it */
};

struct image_cycle {
	size_t containers;	/* init + app containers */
	size_t len;
	struct wanted_image images[];
};

static void release_cycle(void *data)
{
	struct image_cycle *c = data;
	for (size_t i = 0; i < c->len; i++)
		free(c->images[i].owned);
	free(c);
}

/* K8S: normalizedImageName: a name without a tag after its last '/'
 * gets ":latest". Returns image itself when it has a tag, else a copy
 * with the tag, stored in *owned for the caller to free. */
static const char *normalized_name(const char *image, char **owned)
{
	const char *slash = strrchr(image, '/'), *colon = strrchr(image, ':');
	*owned = NULL;
	if (colon && (!slash || colon > slash))
		return image;
	size_t len = strlen(image);
	*owned = xmalloc(len + sizeof(":latest"));
	memcpy(*owned, image, len);
	memcpy(*owned + len, ":latest", sizeof(":latest"));
	return *owned;
}

/* K8S: scaledImageScore: the size times the share of nodes holding it,
 * in floating point as upstream. */
static int64_t scaled_score(const struct sched_image_state *state, size_t total_nodes)
{
	double spread = (double)state->num_nodes / (double)total_nodes;
	return (int64_t)((double)state->size * spread);
}

static void want(struct image_cycle *c, const struct sched_cache *cache,
		 const struct container *ctr, size_t total_nodes, int64_t *bound)
{
	if (!ctr->image)
		return;
	char *owned;
	const char *name = normalized_name(ctr->image, &owned);
	const struct sched_image_state *state = sched_cache_image(cache, name);
	if (!state || total_nodes == 0) {
		free(owned);
		return;
	}
	int64_t scaled = scaled_score(state, total_nodes);
	c->images[c->len++] = (struct wanted_image){ name, owned, scaled };
	*bound += scaled;
}

static enum sched_code pre_score(struct sched_state *state, const struct pod *pod,
				  struct sched_node_info *const *nodes, size_t len)
{
	(void)nodes, (void)len;
	const struct pod_spec *spec = &pod->spec;
	size_t containers = spec->init_containers.len + spec->containers.len;
	struct image_cycle *c = xmalloc(sizeof(*c) + containers * sizeof(c->images[0]));
	c->containers = containers;
	c->len = 0;
	size_t total = state->cache->listed_nodes;
	int64_t bound = 0;	/* the sum on a node that has them all */
	for (size_t i = 0; i < spec->init_containers.len; i++)
		want(c, state->cache, &spec->init_containers.items[i], total, &bound);
	for (size_t i = 0; i < spec->containers.len; i++)
		want(c, state->cache, &spec->containers.items[i], total, &bound);
	sched_state_write(state, SCHED_PLUGIN_IMAGE_LOCALITY, c, release_cycle);
	if (bound <= MIN_THRESHOLD)
		return SCHED_SKIP;	/* LAB: sched-image-skip */
	return SCHED_SUCCESS;
}

static bool node_has(const struct node *node, const char *name)
{
	const struct node_status *st = &node->status;
	for (size_t i = 0; i < st->images.len; i++)
		for (size_t k = 0; k < st->images.items[i].names.len; k++)
			if (!strcmp(st->images.items[i].names.items[k], name))
				return true;
	return false;
}

/* K8S: calculatePriority */
static int64_t priority(int64_t sum, size_t containers)
{
	int64_t max = MAX_CONTAINER_THRESHOLD * (int64_t)containers;
	if (sum < MIN_THRESHOLD)
		sum = MIN_THRESHOLD;
	else if (sum > max)
		sum = max;
	return SCHED_MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD);
}

/* LAB: sched-image-locality */
static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	(void)pod;
	const struct image_cycle *c = sched_state_read(state, SCHED_PLUGIN_IMAGE_LOCALITY);
	int64_t sum = 0;
	for (size_t i = 0; i < c->len; i++)
		if (node->node && node_has(node->node, c->images[i].name))
			sum += c->images[i].scaled;
	return priority(sum, c->containers);
}

const struct sched_plugin sched_image_locality_plugin = {
	.id = SCHED_PLUGIN_IMAGE_LOCALITY,
	.name = "ImageLocality",
	.default_weight = 1,
	.pre_score = pre_score,
	.score = score,
};
