/* ctrl_informer.h - a controller's cache of one kind, fed by a watch.
 *
 * K8S: client-go tools/cache: SharedIndexInformer (list, then watch), its
 * Indexer (the cache with an index function) and the Lister controllers
 * read from.
 *
 * Controllers do not ask the API server what the cluster looks like every
 * time they reconcile: they keep a copy, built from the initial list and
 * then from every watch event, and decide from it. The copy lags the API
 * server by the watch delay (store_set_watch_delay), which is exactly why
 * controllers need expectations (ctrl_expectations.h) and why their
 * writes can fail with Conflict. A kubelab informer holds references to
 * the store's own immutable objects, so the copy costs no memory per
 * object beyond a table slot; and, as with upstream's
 * SharedInformerFactory, the informers of one kind share one cache and
 * apply each change once (see ctrl_informer.c for when they may).
 *
 * Interface: informer_new lists what exists (handler sees ADDED for each),
 * then watches; handlers run after the cache was updated, as upstream's
 * do. informer_get / informer_list / informer_list_index read the cache.
 * One optional index function maps an object to one index key ("the uid
 * of its controller", "its node"), as a cache.Indexers entry.
 *
 * The module is named after the concept; the file carries the ctrl_
 * prefix of the controller layer.
 *
 * Ownership: the client is borrowed and must outlive the informer.
 * Objects returned by reads are borrowed from the cache: they stay valid
 * until the informer next processes a watch event, which never happens
 * during a controller's sync (events arrive through the clock), so a sync
 * may keep them across its own writes. informer_list sorts by namespace
 * then name, like the store's lists; informer_list_index does not (see
 * there), but its order too is the same in every run.
 */
#ifndef KUBELAB_CTRL_INFORMER_H
#define KUBELAB_CTRL_INFORMER_H

#include "client.h"

struct label_selector;

struct informer;

/* Called for every change after the cache applied it; obj and old as in
 * watch_fn (borrowed for the call). */
typedef void (*informer_handler_fn)(void *arg, enum watch_type type,
				    const struct object *obj,
				    const struct object *old);

/* Returns the index key of obj as a new string, or NULL for none. */
typedef char *(*informer_index_fn)(const struct object *obj);

/* Lists kind from the store (handler gets ADDED for each, in key order),
 * then watches it. index and handler may be NULL. Never fails. */
struct informer *informer_new(const struct client *client, enum kind_id kind,
			      informer_index_fn index,
			      informer_handler_fn handler, void *arg);
/* Stops the watch and drops the cache. NULL is allowed. */
void informer_free(struct informer *informer);

const struct object *informer_get(const struct informer *informer,
				  const char *namespace, const char *name);
/* Appends the cached objects of namespace (NULL: all) to out, sorted. */
void informer_list(const struct informer *informer, const char *namespace,
		   struct object_list *out);
/* Appends the cached objects whose index key is key to out, in the order
 * they entered the index (deterministic, not sorted). */
void informer_list_index(const struct informer *informer, const char *key,
			 struct object_list *out);
size_t informer_len(const struct informer *informer);

/* Index functions the controllers share. */
char *informer_index_controller_uid(const struct object *obj);	/* controller ref uid */
char *informer_index_node_name(const struct object *obj);	/* pods: spec.nodeName */
/* K8S: the controller-UID index, which files objects without a controller
 * under a per-namespace orphan key, so a sync reads what it owns and what
 * it might adopt without listing the whole namespace. */
char *informer_index_owner_or_orphan(const struct object *obj);
char *informer_orphan_key(const char *namespace);	/* caller frees */

/* K8S: resolveControllerRef: the cached object of `kind` that a controller
 * reference names, if it is still the same object (same uid); else NULL. */
const struct object *informer_resolve_controller(const struct informer *inf,
						 const char *namespace,
						 const struct owner_reference *ref,
						 const char *kind);

/* K8S: the getXForPod family (GetPodReplicaSets, getPodStatefulSets ...):
 * every cached object of the namespace whose non-empty selector, as
 * selector_of returns it, matches labels; in the informer's list order. */
void informer_list_selecting(const struct informer *inf, const char *namespace,
			     const struct strmap *labels,
			     const struct label_selector *(*selector_of)(const struct object *),
			     struct object_list *out);

#endif
