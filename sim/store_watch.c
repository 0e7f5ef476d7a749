/* store_watch.c - watches: every change delivered, in write order, later.
 *
 * K8S: the API server's watch (staging/src/k8s.io/apiserver/pkg/storage/
 * cacher, and watch.Interface's ADDED, MODIFIED, DELETED events). A client
 * never learns of a write from inside the write: the change reaches it as
 * an event some time later, in the order of the resourceVersions. kubelab
 * models that delay with the clock: each write becomes one struct change,
 * with one delivery (an event) per watcher, after the store's watch delay.
 * The clock fires equal times in the order they were set, so every
 * watcher sees the writes in write order. A kubelet watches only the pods
 * on its node (fieldSelector spec.nodeName=node); it also gets the change
 * that moves a pod off its node.
 *
 * Interface: store_watch(), store_watch_pods_on_node(), store_unwatch(),
 * store_set_watch_delay(), store_set_observer(), watch_type_name()
 * (store.h); store_announce() and store_watches_release() for store.c
 * (store_internal.h).
 *
 * Invariants: a change is on the store's pending list until its last
 * delivery is made (done == len), and holds one reference to obj and old
 * until then. Watch ids are never reused: kind-wide watchers are 1..n,
 * node watchers -1..-n, and an unwatched id stays inactive, so a delivery
 * already queued for it is dropped.
 *
 * See also: store.c (the writes), ctrl_informer.c (the informers built on
 * these watches).
 */
#include "store_internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api.h"
#include "hashmap.h"
#include "xmalloc.h"

struct watcher {
	int id;
	enum kind_id kind;
	char *node;			/* pods on this node only, or NULL */
	watch_fn fn;
	void *arg;
	bool active;
};

/* One write on its way to the watchers of its kind: one event per
 * watcher as always, but the change, its references and its timer are
 * kept once. A pod write has a dozen watchers (every controller's
 * informer, the scheduler, the garbage collector, the kubelet), and
 * 150,000 pods turning Running at the same instant used to queue two
 * million timers and delivery records. Now the change's one timer runs
 * once per watcher (clock_after_times), in the order of watch_ids[], at
 * the very places in the clock's order that one timer per watcher, set
 * one after another, had: the events, their order and their count are
 * unchanged. */
struct change {
	struct store *store;
	enum watch_type type;
	struct object *obj;		/* one reference */
	struct object *old;		/* one reference, or NULL */
	timer_id timer;			/* runs once per watcher */
	struct change *prev, *next;	/* the store's pending list */
	uint32_t len;			/* watchers to tell */
	uint32_t done;			/* deliveries made (the next one's index) */
	int watch_ids[];		/* in the order the watchers get them */
};

const char *watch_type_name(enum watch_type type)
{
	static const char *const names[] = {"ADDED", "MODIFIED", "DELETED"};
	return names[type];
}

void store_set_watch_delay(struct store *store, ktime_t delay)
{
	store->watch_delay = delay;
}

void store_set_observer(struct store *store, store_observer_fn fn, void *arg)
{
	store->observer = fn;
	store->observer_arg = arg;
}

/* ---- lifecycle ---------------------------------------------------------- */

void store_watches_release(struct store *store)
{
	while (store->pending) {
		struct change *change = store->pending;
		store->pending = change->next;
		clock_cancel(&store->clock, change->timer);
		object_unref(change->obj);
		object_unref(change->old);
		free(change);
	}
	for (size_t i = 0; i < store->node_list_len; i++) {
		free(store->node_list[i]->node);
		free(store->node_list[i]);
	}
	free(store->node_list);
	hashmap_release(&store->node_watchers);
	free(store->watchers);
}

/* ---- watch delivery ------------------------------------------------------ */

/* Watch ids: kind-wide watchers are 1..n (their index + 1); node watchers
 * are negative, -(their index in node_list + 1). */
static struct watcher *find_watcher(struct store *store, int id)
{
	struct watcher *w = NULL;
	if (id > 0 && (size_t)id <= store->watchers_len)
		w = &store->watchers[id - 1];
	else if (id < 0 && (size_t)-id <= store->node_list_len)
		w = store->node_list[-id - 1];
	return w && w->active ? w : NULL;
}

/* One run of a change's timer: the next watcher's delivery. */
static void deliver(void *arg)
{
	struct change *change = arg;
	struct store *store = change->store;
	struct watcher *watcher = find_watcher(store, change->watch_ids[change->done++]);
	if (watcher)
		watcher->fn(watcher->arg, change->type, change->obj, change->old);
	if (change->done < change->len)
		return;
	if (change->prev)
		change->prev->next = change->next;
	else
		store->pending = change->next;
	if (change->next)
		change->next->prev = change->prev;
	object_unref(change->obj);
	object_unref(change->old);
	free(change);
}

/* The node watchers a pod change goes to: the node it is on, and the one
 * it was on when that changed. */
static size_t node_watchers_of(struct store *store, const struct object *obj,
			       const struct object *old, struct watcher *out[2])
{
	size_t n = 0;
	const char *node = pod_node(obj), *old_node = old ? pod_node(old) : NULL;
	struct watcher *w = node ? hashmap_get(&store->node_watchers, node) : NULL;
	if (w && w->active)
		out[n++] = w;
	if (old_node && !same_name(node, old_node)) {
		w = hashmap_get(&store->node_watchers, old_node);
		if (w && w->active)
			out[n++] = w;
	}
	return n;
}

/* Tells the observer now and every watcher of the kind later, in order:
 * equal delays keep write order because the clock fires equal times in
 * the order they were set. */
void store_announce(struct store *store, enum watch_type type,
		    struct object *obj, struct object *old)
{
	if (store->observer)
		store->observer(store->observer_arg, type, obj, old);
	size_t len = 0;
	for (size_t i = 0; i < store->watchers_len; i++) {
		const struct watcher *w = &store->watchers[i];
		len += w->active && w->kind == obj->kind->id;
	}
	struct watcher *nodes[2];
	size_t node_len = node_watchers_of(store, obj, old, nodes);
	len += node_len;
	if (!len)
		return;
	struct change *change = xmalloc(sizeof(*change) +
					len * sizeof(change->watch_ids[0]));
	*change = (struct change){
		.store = store, .type = type, .obj = object_ref(obj),
		.old = old ? object_ref(old) : NULL,
		.next = store->pending, .len = (uint32_t)len,
	};
	if (store->pending)
		store->pending->prev = change;
	store->pending = change;
	/* In the order the watchers registered, node watchers last. */
	size_t n = 0;
	for (size_t i = 0; i < store->watchers_len; i++) {
		const struct watcher *w = &store->watchers[i];
		if (w->active && w->kind == obj->kind->id)
			change->watch_ids[n++] = w->id;
	}
	for (size_t i = 0; i < node_len; i++)
		change->watch_ids[n++] = nodes[i]->id;
	change->timer = clock_after_times(&store->clock, store->watch_delay,
					  change->len, deliver, change);
}

int store_watch_pods_on_node(struct store *store, const char *node,
			     watch_fn fn, void *arg)
{
	BUG_ON(hashmap_get(&store->node_watchers, node) != NULL);
	struct watcher *w = xcalloc(1, sizeof(*w));
	xgrow((void **)&store->node_list, &store->node_list_cap,
	      store->node_list_len + 1, sizeof(*store->node_list));
	store->node_list[store->node_list_len++] = w;
	*w = (struct watcher){
		.id = -(int)store->node_list_len, .kind = KIND_POD,
		.node = xstrdup(node), .fn = fn, .arg = arg, .active = true,
	};
	hashmap_put(&store->node_watchers, node, w);
	return w->id;
}

int store_watch(struct store *store, enum kind_id kind, watch_fn fn, void *arg)
{
	xgrow((void **)&store->watchers, &store->watchers_cap,
	      store->watchers_len + 1, sizeof(*store->watchers));
	int id = (int)store->watchers_len + 1;
	store->watchers[store->watchers_len++] = (struct watcher){
		.id = id, .kind = kind, .fn = fn, .arg = arg, .active = true,
	};
	return id;
}

void store_unwatch(struct store *store, int watch_id)
{
	struct watcher *watcher = find_watcher(store, watch_id);
	if (!watcher)
		return;
	watcher->active = false;
	if (watcher->node)
		hashmap_remove(&store->node_watchers, watcher->node);
}
