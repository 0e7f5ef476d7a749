/* kubelet_sim.c - the sim node agent: one kubelet per node.
 *
 * K8S: pkg/kubelet/kubelet.go (NewMainKubelet, Run, syncLoop). A kubelet
 * registers its Node, heartbeats through a Lease, watches the pods bound
 * to its node (a watch with fieldSelector spec.nodeName, never the whole
 * cluster's pods) and hands each to a pod worker that admits it, pulls
 * images, starts containers and reports their status.
 *
 * This file is the agent itself and the parts of the node every pod
 * shares: the image catalogue (how each scenario image behaves), the
 * node's image cache, the serial image puller and the pod address range.
 * The node's registration and heartbeats are in kubelet_node.c, the pod
 * worker in kubelet_pod.c (see kubelet_sim.h for the map).
 *
 * Interface: kubelet.h. Suspending a kubelet models its node going away:
 * every timer is cancelled and watch events are ignored; resuming it
 * models the node coming back after a reboot, so it re-registers and
 * reconciles its pods from the store rather than from what it missed.
 *
 * Invariants: a kubelet that is down has no pending timer; every worker
 * in kubelet->pods is keyed by its pod's uid; at most one image pull runs
 * at a time (kubelet->pulling), and a container is in the pull queue or
 * pulling exactly when its phase is CTR_PULLING.
 *
 * Scale: all work is per pod of this node. The pod watch is the store's
 * per-node watch and every list is store_list_pods_on_node, so 5,000
 * kubelets do not each look at 150,000 pods.
 */
#include "kubelet_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "xmalloc.h"

uint64_t kubelet_hash(const char *text, uint64_t h)
{
	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

/* ---- images -------------------------------------------------------------- */

/* The scenario declares a handful of images; a linear search is cheaper
 * than a table per kubelet. Undeclared images get image.c's defaults,
 * made once per kubelet and kept, so containers may borrow them. */
const struct image_behavior *kubelet_image(struct kubelet *kubelet,
					   const char *name)
{
	name = name ? name : "";
	for (size_t i = 0; i < kubelet->images_len; i++)
		if (kubelet->images[i].name && !strcmp(kubelet->images[i].name, name))
			return &kubelet->images[i];
	struct image_behavior *image = hashmap_get(&kubelet->default_images, name);
	if (!image) {
		image = xcalloc(1, sizeof(*image));
		image_behavior_default(image, name);
		hashmap_put(&kubelet->default_images, name, image);
	}
	return image;
}

bool kubelet_image_present(const struct kubelet *kubelet, const char *name)
{
	return name && hashmap_get(&kubelet->image_cache, name) != NULL;
}

/* ---- the image puller ---------------------------------------------------- */

/* K8S: serializeImagePulls defaults to true, so a node pulls one image at
 * a time, in the order asked; a pod whose pull waits behind another's
 * reports the wait in its Pulled event ("in 0s (2s including waiting)").
 * A pull of an image that became present while it waited is immediate,
 * as the runtime finds every layer already there. */
static void puller_start_next(struct kubelet *kubelet);

static void puller_done(void *arg)
{
	struct kubelet *kubelet = arg;
	struct kubelet_ctr *ctr = kubelet->pulling;
	kubelet->pulling = NULL;
	kubelet->pull_timer = 0;
	bool ok = !ctr->image->pull_fails;
	/* The value is the image's behaviour (for its size in node status). */
	if (ok && !hashmap_put(&kubelet->image_cache, ctr->image->name,
			       (void *)ctr->image))
		kubelet->images_changed = true;	/* node.status.images */
	kubelet_container_pull_done(ctr, ok, kubelet->pull_duration);
	puller_start_next(kubelet);
}

static void puller_start_next(struct kubelet *kubelet)
{
	if (kubelet->pulling || !kubelet->pull_head || !kubelet->up)
		return;
	struct kubelet_ctr *ctr = kubelet->pull_head;
	kubelet->pull_head = ctr->pull_next;
	if (!kubelet->pull_head)
		kubelet->pull_tail = NULL;
	ctr->pull_next = NULL;
	kubelet->pulling = ctr;
	kubelet->pull_started = client_now(kubelet->client);
	bool present = kubelet_image_present(kubelet, ctr->image->name);
	kubelet->pull_duration = present && !ctr->image->pull_fails ? 0 : ctr->image->pull;
	kubelet->pull_timer = clock_after(&kubelet->client->clock,
					  kubelet->pull_duration, puller_done, kubelet);
}

void kubelet_pull_enqueue(struct kubelet *kubelet, struct kubelet_ctr *ctr)
{
	ctr->pull_next = NULL;
	if (kubelet->pull_tail)
		kubelet->pull_tail->pull_next = ctr;
	else
		kubelet->pull_head = ctr;
	kubelet->pull_tail = ctr;
	puller_start_next(kubelet);
}

void kubelet_pull_cancel(struct kubelet *kubelet, struct kubelet_ctr *ctr)
{
	if (kubelet->pulling == ctr) {
		clock_cancel(&kubelet->client->clock, kubelet->pull_timer);
		kubelet->pull_timer = 0;
		kubelet->pulling = NULL;
		puller_start_next(kubelet);
		return;
	}
	struct kubelet_ctr **link = &kubelet->pull_head, *prev = NULL;
	while (*link && *link != ctr) {
		prev = *link;
		link = &(*link)->pull_next;
	}
	if (!*link)
		return;
	*link = ctr->pull_next;
	if (kubelet->pull_tail == ctr)
		kubelet->pull_tail = prev;
	ctr->pull_next = NULL;
}

/* ---- pod addresses ------------------------------------------------------- */

/* K8S: the node IPAM controller gives each node a /24 (spec.podCIDR) and
 * the CNI plugin's host-local IPAM hands out its addresses round-robin
 * from .2 (.1 is the bridge). A node without a podCIDR gets a /24 made
 * from a hash of its name: deterministic, and the same after a restart. */
static void pod_subnet_init(struct kubelet *kubelet)
{
	unsigned a, b, c, d, bits;
	const char *cidr = kubelet->node->spec.pod_cidr;
	if (cidr && sscanf(cidr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &bits) == 5 &&
	    a < 256 && b < 256 && c < 256 && bits <= 24) {
		snprintf(kubelet->pod_subnet, sizeof(kubelet->pod_subnet), "%u.%u.%u",
			 a, b, c);
	} else {
		uint64_t h = kubelet_hash(kubelet->node_name, KUBELET_HASH_INIT);
		snprintf(kubelet->pod_subnet, sizeof(kubelet->pod_subnet), "10.%u.%u",
			 (unsigned)(128 + ((h >> 16) & 127)), (unsigned)((h >> 24) & 255));
	}
	kubelet->ip_next = 2;
}

char *kubelet_ip_alloc(struct kubelet *kubelet, int *slot)
{
	for (int tries = 0; tries < 253; tries++) {
		int n = kubelet->ip_next;
		kubelet->ip_next = n >= 254 ? 2 : n + 1;
		if (kubelet->ip_used[n / 8] & (1u << (n % 8)))
			continue;
		kubelet->ip_used[n / 8] |= (uint8_t)(1u << (n % 8));
		*slot = n;
		/* "subnet.n" by hand: one per pod started, and printf's
		 * format parsing showed in the cluster bench's profile. */
		size_t len = strlen(kubelet->pod_subnet);
		char *ip = xmalloc(len + 5);
		memcpy(ip, kubelet->pod_subnet, len);
		char *at = ip + len;
		*at++ = '.';
		if (n >= 100)
			*at++ = (char)('0' + n / 100);
		if (n >= 10)
			*at++ = (char)('0' + n / 10 % 10);
		*at++ = (char)('0' + n % 10);
		*at = '\0';
		return ip;
	}
	*slot = -1;
	return NULL;
}

void kubelet_ip_release(struct kubelet *kubelet, int slot)
{
	if (slot >= 0 && slot < KUBELET_POD_IP_SLOTS)
		kubelet->ip_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
}

/* ---- the pod watch ------------------------------------------------------- */

/* K8S: the kubelet's config source for API pods (config/apiserver.go) feeds
 * HandlePodAdditions/Updates/Removes. While the node is down, its watch
 * events are dropped: resuming resyncs from the store instead. */
static void kubelet_watch(void *arg, enum watch_type type,
			  const struct object *obj, const struct object *old)
{
	struct kubelet *kubelet = arg;
	(void)old;
	if (!kubelet->up)
		return;
	const struct pod *pod = object_as(obj, KIND_POD, struct pod);
	/* Stored pods point at the interned node name: one comparison. */
	bool ours = pod->spec.node_name == kubelet->node_interned ||
		    (pod->spec.node_name && !strcmp(pod->spec.node_name, kubelet->node_name));
	if (type == WATCH_DELETED || !ours)
		kubelet_pod_forget(kubelet, obj->meta.uid);
	else
		kubelet_pod_observe(kubelet, pod);
}

/* The pods already bound to this node, in the store's (sorted) order. */
static void sync_existing_pods(struct kubelet *kubelet)
{
	struct object_list list = {0};
	store_list_pods_on_node(kubelet->client->store, kubelet->node_name, &list);
	/* Writes below may change the store: hold references while walking. */
	for (size_t i = 0; i < list.len; i++)
		object_ref(list.items[i]);
	for (size_t i = 0; i < list.len; i++) {
		kubelet_pod_observe(kubelet, (const struct pod *)list.items[i]);
		object_unref((struct object *)list.items[i]);
	}
	object_list_release(&list);
}

/* ---- lifecycle ----------------------------------------------------------- */

struct kubelet *kubelet_new(const struct client *client,
			    const struct kubelet_options *options)
{
	BUG_ON(!options->node || !options->node->obj.meta.name);
	struct kubelet *kubelet = xcalloc(1, sizeof(*kubelet));
	kubelet->client = client;
	kubelet->node = (struct node *)object_copy(&options->node->obj);
	kubelet->node_name = xstrdup(options->node->obj.meta.name);
	kubelet->node_interned = schema_intern(kubelet->node_name);
	kubelet->images = options->images;
	kubelet->images_len = options->images_len;
	kubelet->seed = options->seed;
	pod_subnet_init(kubelet);
	kubelet->up = true;
	kubelet->watch_id = client_watch_pods_on_node(client, kubelet->node_name,
						      kubelet_watch, kubelet);
	kubelet_node_start(kubelet);
	sync_existing_pods(kubelet);
	kubelet_eviction_start(kubelet);
	return kubelet;
}

void kubelet_free(struct kubelet *kubelet)
{
	if (!kubelet)
		return;
	/* client.h has no unwatch; the store's is the same call underneath. */
	client_unwatch(kubelet->client, kubelet->watch_id);
	kubelet->up = false;	/* no pull starts while the workers go */
	kubelet_node_stop(kubelet);
	kubelet_eviction_stop(kubelet);
	kubelet_pod_free_all(kubelet);
	BUG_ON(kubelet->pulling || kubelet->pull_head);
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->default_images, &pos, &key, &value);) {
		image_behavior_release(value);
		free(value);
	}
	hashmap_release(&kubelet->default_images);
	hashmap_release(&kubelet->image_cache);
	hashmap_release(&kubelet->pods);
	object_unref(&kubelet->node->obj);
	free(kubelet->internal_ip);
	free(kubelet->node_name);
	free(kubelet);
}

/* The node goes away: no heartbeats, no status, no container keeps
 * running. What the API server believes is left as it was; the node
 * lifecycle controller will notice the silence. */
void kubelet_suspend(struct kubelet *kubelet)
{
	if (!kubelet->up)
		return;
	kubelet->up = false;
	kubelet->down_since = client_now(kubelet->client);
	kubelet_node_stop(kubelet);
	kubelet_eviction_stop(kubelet);
	kubelet_pod_suspend_all(kubelet);
	BUG_ON(kubelet->pulling || kubelet->pull_head);
}

/* The node is back, as after a reboot: the kubelet starts again (Starting
 * event, node status, Lease), then reconciles its pods from the store:
 * those marked for deletion while it was away are finished, the others
 * get their containers back. Images survive: they are on the node's disk. */
void kubelet_resume(struct kubelet *kubelet)
{
	if (kubelet->up)
		return;
	kubelet->up = true;
	kubelet_node_start(kubelet);
	kubelet_pod_resume_all(kubelet);
	kubelet_eviction_start(kubelet);
}

bool kubelet_is_up(const struct kubelet *kubelet)
{
	return kubelet->up;
}
