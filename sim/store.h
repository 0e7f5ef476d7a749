/* store.h - the API object store: kubelab's API server and etcd in one.
 *
 * K8S: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
 * (create, update, delete with optimistic concurrency, graceful deletion,
 * finalizers) and the watch cache.
 *
 * Every object lives under a key like etcd's /registry/pods/ns/name. Each
 * write gets the next resourceVersion from one global counter, as etcd's
 * revision. An update whose metadata.resourceVersion is not the stored one
 * fails with Conflict: that is optimistic concurrency, and controllers
 * handle it by re-reading and retrying.
 *
 * Outcomes (NotFound, AlreadyExists, Conflict, Invalid) are data: an
 * enum api_code plus a message worded as upstream's Status, never a
 * struct err.
 *
 * Watches: store_watch() registers a handler for one kind. Every change is
 * delivered to it as ADDED, MODIFIED or DELETED, in the order of the
 * writes, through the clock (after the store's watch delay), never from
 * inside the write itself. Handlers get references they may keep with
 * object_ref().
 *
 * Indexes: by namespace/name (the key), by node (pods' spec.nodeName) and
 * by controller owner uid, so that controllers and the kubelet model do no
 * work proportional to the whole cluster.
 *
 * Ownership: store_create/store_update take over the caller's reference to
 * obj, whatever the outcome. Objects returned by store_get and in lists are
 * borrowed: valid until the next write to the store; take a reference to
 * keep one longer. Never modify them: copy first (object_copy).
 */
#ifndef KUBELAB_STORE_H
#define KUBELAB_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "object.h"

struct selector;
struct store;

enum api_code {
	API_OK = 0,
	API_NOT_FOUND,
	API_ALREADY_EXISTS,
	API_CONFLICT,
	API_INVALID,
	API_FORBIDDEN,			/* refused by admission */
};

/* K8S: metav1.Status, the body of a failed request. */
struct api_status {
	enum api_code code;
	char message[512];
};

const char *api_code_reason(enum api_code code);	/* "NotFound" ... */

enum watch_type { WATCH_ADDED, WATCH_MODIFIED, WATCH_DELETED };
const char *watch_type_name(enum watch_type type);	/* "ADDED" ... */

/* obj is the new state (for DELETED the last state); old is the previous
 * state for MODIFIED, else NULL. Both are borrowed for the call. */
typedef void (*watch_fn)(void *arg, enum watch_type type,
			 const struct object *obj, const struct object *old);

/* Called synchronously on every write, before watches are queued: the trace
 * writer uses it to record changes at the instant they happen. */
typedef void (*store_observer_fn)(void *arg, enum watch_type type,
				  const struct object *obj,
				  const struct object *old);

struct store *store_new(const struct clock *clock, uint64_t seed);
void store_free(struct store *store);

/* Delay between a write and its delivery to watchers (sim: default 0). */
void store_set_watch_delay(struct store *store, ktime_t delay);
void store_set_observer(struct store *store, store_observer_fn fn, void *arg);

/* Where the informers of one store find their shared cache of a kind
 * (ctrl_informer.c; K8S: the SharedInformerFactory of a connection). The
 * store only keeps the pointer for them; it never reads it. */
void *store_informer_cache(const struct store *store, enum kind_id kind);
void store_set_informer_cache(struct store *store, enum kind_id kind, void *cache);

/* Registers handler for kind; returns an id for store_unwatch. */
int store_watch(struct store *store, enum kind_id kind, watch_fn fn, void *arg);
void store_unwatch(struct store *store, int watch_id);
/* K8S: a pod watch with fieldSelector spec.nodeName=node, as each kubelet
 * has: only changes of pods bound to node (now or before the change). */
int store_watch_pods_on_node(struct store *store, const char *node,
			     watch_fn fn, void *arg);

const struct object *store_get(const struct store *store, enum kind_id kind,
			       const char *namespace, const char *name);
const struct object *store_get_by_uid(const struct store *store, const char *uid);

/* Creates obj. The store sets uid, resourceVersion, generation 1,
 * creationTimestamp, and the name from generateName when it has none. */
enum api_code store_create(struct store *store, struct object *obj,
			   struct api_status *status);

/* Replaces spec and metadata of the stored object with obj's. obj's
 * resourceVersion must match (0 means unconditional). For kinds with a
 * status subresource the stored status is kept, as upstream. generation is
 * bumped when spec changed. */
enum api_code store_update(struct store *store, struct object *obj,
			   struct api_status *status);
/* K8S: the /status subresource: replaces only status. */
enum api_code store_update_status(struct store *store, struct object *obj,
				  struct api_status *status);

/* K8S: the pods/binding subresource (BindingREST in pkg/registry/core/pod/
 * storage): sets spec.nodeName of the pod namespace/name to node. uid, when
 * not NULL, must be the pod's (a precondition: the pod was not replaced).
 * Refused with API_NOT_FOUND when there is no such pod, and API_CONFLICT
 * when the uid differs, the pod is being deleted or is already on a node,
 * with upstream's messages. The new version shares everything else with
 * the old one: binding 150,000 pods copies no pod. */
enum api_code store_bind(struct store *store, const char *namespace, const char *name,
			 const char *uid, const char *node, struct api_status *status);

/* K8S: metav1.DeleteOptions */
struct delete_options {
	int64_t grace_period_seconds;	/* -1: the object's default */
	const char *propagation_policy;	/* NULL/"Background", "Foreground", "Orphan" */
	int64_t precondition_rv;	/* 0: none */
};
#define DELETE_OPTIONS_DEFAULT { .grace_period_seconds = -1 }

/* Deletes as the API server does: an object with finalizers, or a pod on a
 * node with a grace period, gets deletionTimestamp (MODIFIED) and goes away
 * later; anything else is removed now (DELETED). */
enum api_code store_delete(struct store *store, enum kind_id kind,
			   const char *namespace, const char *name,
			   const struct delete_options *options,
			   struct api_status *status);

/* A list of borrowed objects, sorted by namespace then name as etcd's keys. */
struct object_list {
	const struct object **items;
	size_t len, cap;
};
void object_list_release(struct object_list *list);

/* namespace NULL: all namespaces. selector NULL: everything. */
void store_list(const struct store *store, enum kind_id kind,
		const char *namespace, const struct selector *selector,
		struct object_list *out);
/* Pods bound to node (spec.nodeName), sorted. */
void store_list_pods_on_node(const struct store *store, const char *node,
			     struct object_list *out);
/* Objects of kind whose controller ownerReference has owner_uid, sorted. */
void store_list_owned(const struct store *store, enum kind_id kind,
		      const char *owner_uid, struct object_list *out);
size_t store_count(const struct store *store, enum kind_id kind);

int64_t store_resource_version(const struct store *store);
/* Checks the indexes against the objects; returns false (and prints what
 * broke) on an inconsistency. For tests and the paranoid build. */
bool store_check(const struct store *store);

#endif
