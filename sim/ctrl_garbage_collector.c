/* ctrl_garbage_collector.c - delete what nobody owns any more.
 *
 * K8S: pkg/controller/garbagecollector (graph_builder.go: the owner graph
 * fed by watches; garbagecollector.go: attemptToDeleteItem,
 * processDeletingDependentsItem, attemptToOrphanWorker).
 *
 * Objects name their owners in metadata.ownerReferences (a Pod its
 * ReplicaSet, a ReplicaSet its Deployment). Deleting an owner does not
 * delete its dependents; this controller does, according to how the
 * owner was deleted (propagationPolicy):
 *   - Background (the default): the owner goes at once; each dependent
 *     whose owners are all gone (the uid a reference names no longer
 *     exists: "dangling") is then deleted, and so on down the tree;
 *   - Foreground: the store gives the owner the foregroundDeletion
 *     finalizer; dependents are deleted first, and once none that has
 *     blockOwnerDeletion is left, the finalizer goes and the owner with it;
 *   - Orphan: the store gives the owner the orphan finalizer; its
 *     dependents lose their reference to it and live on.
 * A dependent with another owner still alive only loses its dangling
 * references.
 *
 * The graph: for every object (of every kind but Event) its owners'
 * uids, and for every uid the objects naming it. Before deleting, the
 * collector checks each owner against the API server (GET by name,
 * compare uid), as upstream does, so its own view may lag.
 *
 * Simplified: no "virtual" nodes (an unseen owner is simply checked with
 * a GET), no cycle detection among foreground deletions, no
 * absent-owner cache, unknown owner kinds count as alive.
 *
 * Interface: the garbage_collector_controller row (controller.h).
 * Invariants: dependents[u] lists exactly the graph's objects that name u
 * among their owners, whether or not u itself is in the graph; an owner
 * reference's node is the graph's node of its uid, or NULL when there is
 * none (so that a write which keeps the owners needs no lookup of them).
 */
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

#define FINALIZER_FOREGROUND "foregroundDeletion"	/* metav1.FinalizerDeleteDependents */
#define FINALIZER_ORPHAN "orphan"			/* metav1.FinalizerOrphanDependents */

struct gc_owner {
	char *uid;			/* in the owners array's own block */
	bool block;			/* blockOwnerDeletion */
	struct gc_node *node;		/* the owner's node, NULL while unseen */
};

/* One object of the graph (K8S: node). */
struct gc_node {
	enum kind_id kind;
	char *uid;			/* one block: uid, then name, then namespace */
	const char *namespace, *name;	/* in uid's block; namespace may be NULL */
	struct gc_owner *owners;
	size_t owners_len;
	bool deleting_dependents;	/* in foreground deletion */
};

/* The uids of the objects that name one owner. */
struct uid_list {
	char **items;
	size_t len, cap;
};

struct garbage_collector {
	const struct client *client;
	int watches[KIND_COUNT];
	struct hashmap nodes;		/* uid -> struct gc_node */
	struct hashmap dependents;	/* owner uid -> struct uid_list */
	struct workqueue *to_delete;	/* uids (K8S: attemptToDelete) */
	struct workqueue *to_orphan;	/* uids (K8S: attemptToOrphan) */
};

/* ---- the graph ----------------------------------------------------------- */

static void dependents_add(struct garbage_collector *gc, const char *owner, const char *uid)
{
	struct uid_list *list = hashmap_get(&gc->dependents, owner);
	if (!list) {
		list = xcalloc(1, sizeof(*list));
		hashmap_put(&gc->dependents, owner, list);
	}
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = xstrdup(uid);
}

static void dependents_remove(struct garbage_collector *gc, const char *owner, const char *uid)
{
	struct uid_list *list = hashmap_get(&gc->dependents, owner);
	for (size_t i = 0; list && i < list->len; i++) {
		if (strcmp(list->items[i], uid))
			continue;
		free(list->items[i]);
		memmove(&list->items[i], &list->items[i + 1],
			(list->len - i - 1) * sizeof(*list->items));
		list->len--;
		break;
	}
	if (list && !list->len) {
		hashmap_remove(&gc->dependents, owner);
		free(list->items);
		free(list);
	}
}

static void node_free(struct gc_node *n)
{
	free(n->owners);
	free(n->uid);
	free(n);
}

static bool has_owner(const struct gc_node *n, const char *uid)
{
	for (size_t i = 0; i < n->owners_len; i++)
		if (!strcmp(n->owners[i].uid, uid))
			return true;
	return false;
}

/* Copies meta's uid, name and namespace into one block (one allocation
 * per object of the graph instead of three: 150,000 pods). */
static void node_set_names(struct gc_node *n, const struct object_meta *meta)
{
	const char *name = meta->name ? meta->name : "";
	size_t uid_len = strlen(meta->uid) + 1, name_len = strlen(name) + 1;
	size_t ns_len = meta->namespace ? strlen(meta->namespace) + 1 : 0;
	n->uid = xmalloc(uid_len + name_len + ns_len);
	memcpy(n->uid, meta->uid, uid_len);
	n->name = memcpy(n->uid + uid_len, name, name_len);
	n->namespace = ns_len ? memcpy(n->uid + uid_len + name_len, meta->namespace, ns_len)
			      : NULL;
}

/* True when n's owners are meta's, in the same order. */
static bool same_owners(const struct gc_node *n, const struct object_meta *meta)
{
	if (n->owners_len != meta->owner_references.len)
		return false;
	for (size_t j = 0; j < n->owners_len; j++) {
		const struct owner_reference *ref = &meta->owner_references.items[j];
		if (strcmp(n->owners[j].uid, ref->uid ? ref->uid : "") ||
		    n->owners[j].block != ref->block_owner_deletion)
			return false;
	}
	return true;
}

/* Replaces n's owners with obj's, fixing the reverse index. Owners that
 * are not in the graph are verified by queueing n; owners in foreground
 * deletion that lost n are queued to see if they may finish now. */
static void set_owners(struct garbage_collector *gc, struct gc_node *n,
		       const struct object *obj)
{
	const struct object_meta *meta = &obj->meta;
	if (same_owners(n, meta)) {
		/* Most writes (every status write) keep the owners: only the
		 * check of owners not seen yet is left to do. */
		for (size_t j = 0; j < n->owners_len; j++)
			if (!n->owners[j].node)
				workqueue_add(gc->to_delete, n->uid);
		return;
	}
	for (size_t i = 0; i < n->owners_len; i++) {
		bool kept = false;
		for (size_t j = 0; j < meta->owner_references.len; j++)
			kept |= meta->owner_references.items[j].uid &&
				!strcmp(meta->owner_references.items[j].uid, n->owners[i].uid);
		if (kept)
			continue;
		dependents_remove(gc, n->owners[i].uid, n->uid);
		struct gc_node *owner = hashmap_get(&gc->nodes, n->owners[i].uid);
		if (owner && owner->deleting_dependents)
			workqueue_add(gc->to_delete, owner->uid);
	}
	/* One block: the array, then the uids it points at (one allocation
	 * per object, and a check of its owners reads one place). */
	size_t len = meta->owner_references.len, size = len * sizeof(struct gc_owner);
	for (size_t j = 0; j < len; j++) {
		const char *uid = meta->owner_references.items[j].uid;
		size += strlen(uid ? uid : "") + 1;
	}
	struct gc_owner *owners = len ? xcalloc(1, size) : NULL;
	char *text = len ? (char *)(owners + len) : NULL;
	for (size_t j = 0; j < len; j++) {
		const struct owner_reference *ref = &meta->owner_references.items[j];
		size_t n_uid = strlen(ref->uid ? ref->uid : "") + 1;
		owners[j].uid = memcpy(text, ref->uid ? ref->uid : "", n_uid);
		text += n_uid;
		owners[j].block = ref->block_owner_deletion;
		if (!has_owner(n, owners[j].uid))
			dependents_add(gc, owners[j].uid, n->uid);
		owners[j].node = hashmap_get(&gc->nodes, owners[j].uid);
		if (!owners[j].node)
			workqueue_add(gc->to_delete, n->uid);	/* owner unseen: check */
	}
	free(n->owners);
	n->owners = owners;
	n->owners_len = meta->owner_references.len;
}

/* Points the owner references naming owner_uid, in the objects that name
 * it, at node (NULL: the owner left the graph). */
static void point_dependents(struct garbage_collector *gc, const char *owner_uid,
			     struct gc_node *node)
{
	const struct uid_list *list = hashmap_get(&gc->dependents, owner_uid);
	for (size_t i = 0; list && i < list->len; i++) {
		struct gc_node *dep = hashmap_get(&gc->nodes, list->items[i]);
		for (size_t j = 0; dep && j < dep->owners_len; j++)
			if (!strcmp(dep->owners[j].uid, owner_uid))
				dep->owners[j].node = node;
	}
}

/* K8S: deletionStartsWithFinalizer: obj is being deleted with the
 * finalizer and old (NULL: first sight) was not. */
static bool starts_finalizing(const struct object *old, const struct object *obj,
			      const char *finalizer)
{
	if (!object_is_deleting(obj) || !ctrl_has_finalizer(obj, finalizer))
		return false;
	return !old || !object_is_deleting(old) || !ctrl_has_finalizer(old, finalizer);
}

static void queue_dependents(struct garbage_collector *gc, const char *uid)
{
	const struct uid_list *list = hashmap_get(&gc->dependents, uid);
	for (size_t i = 0; list && i < list->len; i++)
		workqueue_add(gc->to_delete, list->items[i]);
}

/* K8S: processGraphChanges for an add or update, then processTransitions. */
static void observe(struct garbage_collector *gc, const struct object *obj,
		    const struct object *old)
{
	struct gc_node *n = hashmap_get(&gc->nodes, obj->meta.uid);
	if (!n) {
		n = xcalloc(1, sizeof(*n));
		n->kind = obj->kind->id;
		node_set_names(n, &obj->meta);
		hashmap_put(&gc->nodes, n->uid, n);
		point_dependents(gc, n->uid, n);
		old = NULL;
	}
	set_owners(gc, n, obj);
	if (starts_finalizing(old, obj, FINALIZER_ORPHAN)) {
		workqueue_add(gc->to_orphan, n->uid);
	} else if (starts_finalizing(old, obj, FINALIZER_FOREGROUND)) {
		n->deleting_dependents = true;
		queue_dependents(gc, n->uid);
		workqueue_add(gc->to_delete, n->uid);
	}
}

/* K8S: processGraphChanges for a delete: the dependents may now be
 * dangling, and an owner in foreground deletion may be able to finish. */
static void forget(struct garbage_collector *gc, const struct object *obj)
{
	struct gc_node *n = hashmap_remove(&gc->nodes, obj->meta.uid);
	if (!n)
		return;
	point_dependents(gc, n->uid, NULL);
	queue_dependents(gc, n->uid);
	for (size_t i = 0; i < n->owners_len; i++) {
		dependents_remove(gc, n->owners[i].uid, n->uid);
		struct gc_node *owner = hashmap_get(&gc->nodes, n->owners[i].uid);
		if (owner && owner->deleting_dependents)
			workqueue_add(gc->to_delete, owner->uid);
	}
	node_free(n);
}

static void on_change(void *arg, enum watch_type type, const struct object *obj,
		      const struct object *old)
{
	if (type == WATCH_DELETED)
		forget(arg, obj);
	else
		observe(arg, obj, old);
}

/* ---- acting -------------------------------------------------------------- */

/* The object a graph node stands for, as stored now; NULL when it is gone
 * or its name was reused by another object. */
static const struct object *latest(struct garbage_collector *gc, const struct gc_node *n)
{
	const struct object *obj = client_get(gc->client, n->kind, n->namespace, n->name);
	return obj && !strcmp(obj->meta.uid, n->uid) ? obj : NULL;
}

/* Removes a finalizer from the fresh object (K8S: removeFinalizer). */
static int remove_finalizer(struct garbage_collector *gc, const struct gc_node *n,
			    const char *finalizer)
{
	const struct object *obj = latest(gc, n);
	if (!obj || !ctrl_has_finalizer(obj, finalizer))
		return 0;
	struct object *next = object_copy(obj);
	ctrl_remove_finalizer(next, finalizer);
	enum api_code code = client_update(gc->client, next, NULL);
	return code == API_OK || code == API_NOT_FOUND ? 0 : -1;
}

static int delete_object(struct garbage_collector *gc, const struct object *obj,
			 const char *policy)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	options.propagation_policy = policy;
	enum api_code code = client_delete(gc->client, obj->kind->id, obj->meta.namespace,
					   obj->meta.name, &options, NULL);
	return code == API_OK || code == API_NOT_FOUND ? 0 : -1;
}

/* K8S: processDeletingDependentsItem: wait for the blocking dependents,
 * then let the owner go. */
static int finish_foreground(struct garbage_collector *gc, const struct gc_node *n)
{
	const struct uid_list *list = hashmap_get(&gc->dependents, n->uid);
	bool blocked = false;
	for (size_t i = 0; list && i < list->len; i++) {
		const struct gc_node *dep = hashmap_get(&gc->nodes, list->items[i]);
		for (size_t j = 0; dep && j < dep->owners_len; j++) {
			if (strcmp(dep->owners[j].uid, n->uid) || !dep->owners[j].block)
				continue;
			blocked = true;
			if (!dep->deleting_dependents)
				workqueue_add(gc->to_delete, dep->uid);
		}
	}
	return blocked ? 0 : remove_finalizer(gc, n, FINALIZER_FOREGROUND);
}

enum owner_state { OWNER_SOLID, OWNER_DANGLING, OWNER_WAITING };

/* K8S: isDangling + classifyReferences: is the owner a reference names
 * still there (same uid), and is it waiting for its dependents? */
static enum owner_state classify(struct garbage_collector *gc, const struct object *obj,
				 const struct owner_reference *ref)
{
	const struct kind_info *kind = ref->kind ? kind_find(ref->api_version, ref->kind) : NULL;
	if (!kind)
		return OWNER_SOLID;	/* cannot check it: never collect on a guess */
	const struct object *owner = client_get(gc->client, kind->id,
						kind->namespaced ? obj->meta.namespace : NULL,
						ref->name);
	if (!owner || !ref->uid || strcmp(owner->meta.uid, ref->uid))
		return OWNER_DANGLING;
	if (object_is_deleting(owner) && ctrl_has_finalizer(owner, FINALIZER_FOREGROUND))
		return OWNER_WAITING;
	return OWNER_SOLID;
}

/* K8S: attemptToDeleteItem. */
static int attempt_to_delete(void *arg, const char *uid)
{
	struct garbage_collector *gc = arg;
	const struct gc_node *n = hashmap_get(&gc->nodes, uid);
	const struct object *obj = n ? latest(gc, n) : NULL;
	if (!obj)
		return 0;	/* gone already: its DELETED event does the rest */
	if (object_is_deleting(obj) && !ctrl_has_finalizer(obj, FINALIZER_FOREGROUND))
		return 0;	/* someone else is finishing it */
	if (n->deleting_dependents)
		return finish_foreground(gc, n);
	const struct object_meta *meta = &obj->meta;
	if (!meta->owner_references.len)
		return 0;

	size_t solid = 0, waiting = 0, dangling = 0;
	enum owner_state *states = xcalloc(meta->owner_references.len, sizeof(*states));
	for (size_t i = 0; i < meta->owner_references.len; i++) {
		states[i] = classify(gc, obj, &meta->owner_references.items[i]);
		solid += states[i] == OWNER_SOLID;
		waiting += states[i] == OWNER_WAITING;
		dangling += states[i] == OWNER_DANGLING;
	}
	int rc = 0;
	const struct uid_list *deps = hashmap_get(&gc->dependents, uid);
	if (solid) {
		/* LAB: gc-dangling. Keep the object, drop the dead references. */
		if (dangling || waiting) {
			struct object *next = object_copy(obj);
			for (size_t i = 0; i < meta->owner_references.len; i++)
				if (states[i] != OWNER_SOLID)
					ctrl_remove_owner_ref(next,
							      meta->owner_references.items[i].uid);
			enum api_code code = client_update(gc->client, next, NULL);
			rc = code == API_OK || code == API_NOT_FOUND ? 0 : -1;
		}
	} else if (waiting && deps && deps->len) {
		/* Our owner waits for us, and we have dependents of our own:
		 * they go first too. */
		rc = delete_object(gc, obj, "Foreground");
	} else {
		const char *policy = "Background";
		if (ctrl_has_finalizer(obj, FINALIZER_ORPHAN))
			policy = "Orphan";
		else if (ctrl_has_finalizer(obj, FINALIZER_FOREGROUND))
			policy = "Foreground";
		rc = delete_object(gc, obj, policy);
	}
	free(states);
	return rc;
}

/* K8S: attemptToOrphanWorker: the dependents lose their reference to the
 * owner, then the owner loses its orphan finalizer. */
static int attempt_to_orphan(void *arg, const char *uid)
{
	struct garbage_collector *gc = arg;
	const struct gc_node *n = hashmap_get(&gc->nodes, uid);
	if (!n)
		return 0;
	const struct uid_list *list = hashmap_get(&gc->dependents, uid);
	/* Copy the uids: each write below may change the list when its
	 * watch event arrives (never during this call, but be plain). */
	size_t len = list ? list->len : 0;
	char **uids = xcalloc(len + 1, sizeof(*uids));
	for (size_t i = 0; i < len; i++)
		uids[i] = xstrdup(list->items[i]);
	int rc = 0;
	for (size_t i = 0; i < len; i++) {
		const struct gc_node *dep = hashmap_get(&gc->nodes, uids[i]);
		const struct object *obj = dep ? latest(gc, dep) : NULL;
		if (obj) {
			struct object *next = object_copy(obj);
			if (!ctrl_remove_owner_ref(next, uid)) {
				object_unref(next);
			} else {
				enum api_code code = client_update(gc->client, next, NULL);
				if (code != API_OK && code != API_NOT_FOUND)
					rc = -1;
			}
		}
		free(uids[i]);
	}
	free(uids);
	return rc ? rc : remove_finalizer(gc, n, FINALIZER_ORPHAN);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *gc_start(const struct client *client)
{
	struct garbage_collector *gc = xcalloc(1, sizeof(*gc));
	gc->client = client;
	/* Looked up by uid; only ever freed in a loop. */
	hashmap_set_unordered(&gc->nodes);
	hashmap_set_unordered(&gc->dependents);
	gc->to_delete = workqueue_new(&client->clock, "garbage_collector_attempt_to_delete",
				      attempt_to_delete, gc);
	gc->to_orphan = workqueue_new(&client->clock, "garbage_collector_attempt_to_orphan",
				      attempt_to_orphan, gc);
	/* K8S: the graph builder's monitors: list, then watch, every kind. */
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		if (kind == KIND_EVENT)
			continue;	/* Events own nothing and are owned by nobody */
		struct object_list list = {0};
		store_list(client->store, kind, NULL, NULL, &list);
		for (size_t i = 0; i < list.len; i++)
			observe(gc, list.items[i], NULL);
		object_list_release(&list);
		gc->watches[kind] = client_watch(client, kind, on_change, gc);
	}
	return gc;
}

static void gc_stop(void *state)
{
	struct garbage_collector *gc = state;
	for (int kind = 0; kind < KIND_COUNT; kind++)
		if (gc->watches[kind])
			client_unwatch(gc->client, gc->watches[kind]);
	workqueue_free(gc->to_delete);
	workqueue_free(gc->to_orphan);
	void *value;
	for (size_t pos = 0; hashmap_next(&gc->nodes, &pos, NULL, &value);)
		node_free(value);
	hashmap_release(&gc->nodes);
	for (size_t pos = 0; hashmap_next(&gc->dependents, &pos, NULL, &value);) {
		struct uid_list *list = value;
		for (size_t i = 0; i < list->len; i++)
			free(list->items[i]);
		free(list->items);
		free(list);
	}
	hashmap_release(&gc->dependents);
	free(gc);
}

const struct controller_ops garbage_collector_controller = {
	.name = "garbage-collector-controller",
	.start = gc_start,
	.stop = gc_stop,
};
