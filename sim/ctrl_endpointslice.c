/* ctrl_endpointslice.c - the EndpointSlice controller: the pods behind a
 * Service, in slices of at most 100.
 *
 * K8S: pkg/controller/endpointslice/endpointslice_controller.go (the
 * handlers, syncService) and endpointslice_tracker.go (the controller's
 * memory of its own writes).
 *
 * The same story as the Endpoints controller (ctrl_endpoints.c), told in
 * the API kube-proxy actually reads since v1.19: for every Service with a
 * selector, EndpointSlices labelled kubernetes.io/service-name=<service>
 * and endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,
 * named <service>-<random> (generateName), owned by the Service (so the
 * garbage collector deletes them with it). Handlers only queue Service
 * keys; one sync lists the selected pods and the Service's slices and
 * hands them to the reconciler (ctrl_endpointslice_reconcile.c), then
 * writes its plan: creates, updates, deletes.
 *
 * Slices have generated names, so the controller cannot tell from the
 * cache alone whether a slice it just wrote has come back yet. The tracker
 * remembers, for each slice it wrote, the resourceVersion it expects to
 * see (or that it expects the slice gone); a sync of a Service with a
 * write still in flight is retried later (upstream: "the EndpointSlice
 * cache is out of date"), and a slice event that is not the echo of our
 * own write (someone edited or deleted our slice) queues the Service.
 *
 * In sim mode the informers see changes after the store's watch delay
 * (spec.settings.watchDelay): that delay is this controller's propagation
 * delay, the same knob as the Endpoints controller's.
 *
 * Interface: the endpointslice_controller row (ctrl_endpointslice.h).
 * Not modelled: the endpoints.kubernetes.io/last-change-trigger-time
 * annotation, topology hints, the batching delay
 * (--endpointslice-updates-batch-period, 0 by default), Node events
 * (a zone change reaches the slices at the next pod or Service change),
 * IPv6 and dual-stack.
 */
#include "ctrl_endpointslice.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_endpoints.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

/* What the tracker expects of one slice it wrote. */
struct expected_slice {
	char *service;			/* the Service key it belongs to */
	int64_t resource_version;	/* 0: expected gone */
};

struct eps_controller {
	const struct client *client;
	struct informer *services;
	struct informer *pods;
	struct informer *slices;	/* index: namespace/service of managed slices */
	struct workqueue *queue;
	struct hashmap expected;	/* slice key -> struct expected_slice * */
};

static const struct service *as_service(const struct object *obj)
{
	return object_as(obj, KIND_SERVICE, const struct service);
}

/* ---- from events to keys ------------------------------------------------- */

/* The Service key a slice this controller manages belongs to, or NULL. */
static char *index_by_service(const struct object *obj)
{
	const char *manager = strmap_get(&obj->meta.labels, SLICE_MANAGED_BY_LABEL);
	const char *service = strmap_get(&obj->meta.labels, SLICE_SERVICE_NAME_LABEL);
	if (!manager || strcmp(manager, SLICE_CONTROLLER_NAME) || !service)
		return NULL;
	return xasprintf("%s/%s", obj->meta.namespace, service);
}

/* K8S: updatePod: the Services of the new labels, and of the old ones when
 * the labels changed (the pod may have left a Service). */
static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct eps_controller *c = arg;
	endpoints_enqueue_pod_services(c->services, c->queue, type, obj, old);
}

static void on_service(void *arg, enum watch_type type, const struct object *obj,
		       const struct object *old)
{
	struct eps_controller *c = arg;
	(void)type;
	(void)old;
	char *key = object_key(obj);
	workqueue_add(c->queue, key);
	free(key);
}

/* K8S: onEndpointSliceAdd/Update/Delete with the tracker's ShouldSync:
 * the echo of our own write settles an expectation; anything else about
 * a managed slice queues its Service. */
static void on_slice(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct eps_controller *c = arg;
	(void)old;
	char *service = index_by_service(obj);
	if (!service)
		return;
	char *key = object_key(obj);
	struct expected_slice *want = hashmap_get(&c->expected, key);
	bool echo = false;
	if (want && type == WATCH_DELETED) {
		echo = want->resource_version == 0;
	} else if (want) {
		echo = want->resource_version && obj->meta.resource_version >= want->resource_version;
	}
	if (echo || type == WATCH_DELETED) {
		want = hashmap_remove(&c->expected, key);
		if (want)
			free(want->service);
		free(want);
	}
	if (!echo)
		workqueue_add(c->queue, service);
	free(key);
	free(service);
}

/* ---- the tracker --------------------------------------------------------- */

static void expect(struct eps_controller *c, const char *service, const struct object *slice,
		   int64_t resource_version)
{
	char *key = object_key(slice);
	struct expected_slice *want = xcalloc(1, sizeof(*want));
	want->service = xstrdup(service);
	want->resource_version = resource_version;
	struct expected_slice *prev = hashmap_put(&c->expected, key, want);
	if (prev)
		free(prev->service);
	free(prev);
	free(key);
}

/* K8S: endpointSliceTracker.StaleSlices: a write of ours has not come back. */
static bool in_flight(const struct eps_controller *c, const char *service)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&c->expected, &pos, &key, &value);)
		if (!strcmp(((struct expected_slice *)value)->service, service))
			return true;
	return false;
}

static void forget(struct eps_controller *c, const char *service)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&c->expected, &pos, &key, &value);) {
		struct expected_slice *want = value;
		if (strcmp(want->service, service))
			continue;
		char *copy = xstrdup(key);
		hashmap_remove(&c->expected, copy);
		free(copy);
		free(want->service);
		free(want);
		pos = 0;	/* the table changed under the iteration */
	}
}

/* ---- the reconcile ------------------------------------------------------- */

static const char *node_zone(void *arg, const char *node_name)
{
	const struct eps_controller *c = arg;
	const struct object *node = client_get(c->client, KIND_NODE, NULL, node_name);
	return node ? strmap_get(&node->meta.labels, "topology.kubernetes.io/zone") : NULL;
}

/* Drops the writes after index from of one list of the plan. */
static void drop_rest(struct endpoint_slice **items, size_t from, size_t *len)
{
	for (size_t k = from; k < *len; k++)
		object_unref(&items[k]->obj);
	*len = 0;
}

/* Writes the plan: creates, then updates, then deletes, as upstream's
 * finalize. The first refusal stops it; the sync is retried. The plan's
 * create and update lists are consumed. */
static int write_plan(struct eps_controller *c, const char *service, struct slice_plan *plan)
{
	struct api_status status;
	for (size_t i = 0; i < plan->create_len; i++) {
		struct object *keep = object_ref(&plan->create[i]->obj);
		enum api_code code = client_create(c->client, &plan->create[i]->obj, &status);
		if (code == API_OK)
			expect(c, service, keep, keep->meta.resource_version);
		object_unref(keep);
		if (code != API_OK) {
			drop_rest(plan->create, i + 1, &plan->create_len);
			return -1;
		}
	}
	plan->create_len = 0;
	for (size_t i = 0; i < plan->update_len; i++) {
		struct object *keep = object_ref(&plan->update[i]->obj);
		enum api_code code = client_update(c->client, &plan->update[i]->obj, &status);
		if (code == API_OK)
			expect(c, service, keep, keep->meta.resource_version);
		object_unref(keep);
		if (code != API_OK) {
			drop_rest(plan->update, i + 1, &plan->update_len);
			return -1;
		}
	}
	plan->update_len = 0;
	for (size_t i = 0; i < plan->remove_len; i++) {
		const struct object_meta *meta = &plan->remove[i]->obj.meta;
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		enum api_code code = client_delete(c->client, KIND_ENDPOINTSLICE, meta->namespace,
						   meta->name, &options, &status);
		if (code == API_OK)
			expect(c, service, &plan->remove[i]->obj, 0);
		else if (code != API_NOT_FOUND)
			return -1;
	}
	return 0;
}

static int reconcile(struct eps_controller *c, const struct service *svc, const char *key)
{
	if (in_flight(c, key))
		return -1;	/* retried once the informer caught up */
	struct object_list all = {0}, matched = {0}, slices = {0};
	informer_list(c->pods, svc->obj.meta.namespace, &all);
	for (size_t i = 0; i < all.len; i++) {
		if (!endpoints_service_selects(svc, all.items[i]))
			continue;
		xgrow((void **)&matched.items, &matched.cap, matched.len + 1,
		      sizeof(*matched.items));
		matched.items[matched.len++] = all.items[i];
	}
	informer_list_index(c->slices, key, &slices);
	struct slice_plan plan;
	endpointslice_plan(svc, &matched, &slices, node_zone, c, &plan);
	/* Don't create slices for a Service on its way out (K8S: finalize). */
	if (object_is_deleting(&svc->obj)) {
		for (size_t i = 0; i < plan.create_len; i++)
			object_unref(&plan.create[i]->obj);
		plan.create_len = 0;
	}
	int rc = write_plan(c, key, &plan);
	/* LAB: endpointslice-failed-sync */
	if (rc)
		client_event(c->client, &svc->obj, "Warning", "FailedToUpdateEndpointSlices",
			     "Error updating Endpoint Slices for Service %s/%s: the API refused a write",
			     svc->obj.meta.namespace, svc->obj.meta.name);
	slice_plan_release(&plan);
	object_list_release(&slices);
	object_list_release(&matched);
	object_list_release(&all);
	return rc;
}

/* K8S: syncService. A deleted Service's slices go with it through the
 * garbage collector (they are owned by it); only the tracker forgets. */
static int sync_service(void *arg, const char *key)
{
	struct eps_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->services, namespace, name);
	int rc = 0;
	if (!obj) {
		forget(c, key);
	} else {
		const struct service *svc = as_service(obj);
		if (endpoints_service_managed(svc))
			rc = reconcile(c, svc, key);
	}
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *eps_start(const struct client *client)
{
	struct eps_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "endpoint_slice", sync_service, c);
	c->services = informer_new(client, KIND_SERVICE, NULL, on_service, c);
	c->pods = informer_new(client, KIND_POD, NULL, on_pod, c);
	c->slices = informer_new(client, KIND_ENDPOINTSLICE, index_by_service, on_slice, c);
	return c;
}

static void eps_stop(void *state)
{
	struct eps_controller *c = state;
	informer_free(c->slices);
	informer_free(c->pods);
	informer_free(c->services);
	workqueue_free(c->queue);
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&c->expected, &pos, &key, &value);) {
		free(((struct expected_slice *)value)->service);
		free(value);
	}
	hashmap_release(&c->expected);
	free(c);
}

const struct controller_ops endpointslice_controller = {
	.name = "endpointslice-controller",
	.start = eps_start,
	.stop = eps_stop,
};
