/* ctrl_endpoints.c - the Endpoints controller: which pods stand behind a
 * Service.
 *
 * K8S: pkg/controller/endpoint/endpoints_controller.go (the handlers,
 * syncService) and pkg/controller/util/endpoint/trigger_time_tracker.go.
 *
 * A Service is a name and a label selector; the Endpoints object of the
 * same name is what the selector means right now: the IP of every matching
 * pod that has one, with the port each Service port resolves to. kube-proxy
 * and cluster DNS read it, so a pod starts receiving traffic the moment it
 * moves from notReadyAddresses to addresses, and stops when it turns
 * unready, finishes or starts terminating. The controller is level-based
 * like the others: handlers only queue Service keys (a pod's change goes to
 * every Service of its namespace whose selector matches its old or new
 * labels), and one sync recomputes the whole Endpoints object and writes it
 * when it differs.
 *
 * The rules of one sync (sync_service):
 *   - Service gone: delete its Endpoints. ExternalName, or no selector:
 *     leave the Endpoints alone (they are the user's, written by hand).
 *   - Otherwise compute the subsets from the matching pods
 *     (endpoints_build_subsets, ctrl_endpoints_subsets.c: ready pods under
 *     addresses, others under notReadyAddresses, named ports resolved per
 *     pod) and create or update the Endpoints only when its subsets or
 *     labels differ; the annotation
 *     endpoints.kubernetes.io/last-change-trigger-time says when the
 *     change that caused the write happened.
 *
 * In sim mode the informers see changes after the store's watch delay
 * (spec.settings.watchDelay): that delay is this controller's propagation
 * delay, and nothing here adds another.
 *
 * Interface: the endpoints_controller row (ctrl_endpoints.h).
 * Not modelled: EndpointSlices (the endpointslice controller, which
 * kube-proxy reads upstream), truncation at 1000 addresses with the
 * endpoints.kubernetes.io/over-capacity annotation, and the start-up
 * sweep of leftover Endpoints (checkLeftoverEndpoints).
 * Invariants: the Endpoints object is written only when its subsets or
 * labels differ from what the sync computed; subsets, their addresses and
 * ports come out in one order whatever the order of the pods.
 * See also: ctrl_endpoints_subsets.c, ctrl_informer.h, api_service.h.
 */
#include "ctrl_endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

/* K8S: v1.EndpointsLastChangeTriggerTime and v1.IsHeadlessService. */
#define TRIGGER_TIME_ANNOTATION "endpoints.kubernetes.io/last-change-trigger-time"
#define HEADLESS_LABEL "service.kubernetes.io/headless"

/* K8S: TriggerTimeTracker's ServiceState: what the last sync of a Service
 * saw, so the next one can tell which trigger times are new. */
struct trigger_state {
	ktime_t service;		/* the Service's creationTimestamp */
	struct hashmap pods;		/* pod name -> ktime_t * (Ready transition) */
};

struct ep_controller {
	const struct client *client;
	struct informer *services;
	struct informer *pods;
	struct informer *endpoints;
	struct workqueue *queue;
	struct hashmap triggers;	/* service key -> struct trigger_state * */
	struct hashmap written;		/* endpoints key -> int64_t * (our last rv) */
};

static const struct service *as_service(const struct object *obj)
{
	return object_as(obj, KIND_SERVICE, const struct service);
}

/* ---- from events to keys ------------------------------------------------- */

/* K8S: updatePod: the Services of the new labels, and of the old ones when
 * the labels changed (the pod may have left a Service). */
static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct ep_controller *c = arg;
	endpoints_enqueue_pod_services(c->services, c->queue, type, obj, old);
}

static void on_service(void *arg, enum watch_type type, const struct object *obj,
		       const struct object *old)
{
	struct ep_controller *c = arg;
	(void)type;
	(void)old;
	char *key = object_key(obj);
	workqueue_add(c->queue, key);
	free(key);
}

/* K8S: onEndpointsDelete: someone deleted an Endpoints object; if its
 * Service still exists the sync writes it again. */
static void on_endpoints(void *arg, enum watch_type type, const struct object *obj,
			 const struct object *old)
{
	struct ep_controller *c = arg;
	(void)old;
	if (type != WATCH_DELETED)
		return;
	char *key = object_key(obj);
	free(hashmap_remove(&c->written, key));
	workqueue_add(c->queue, key);
	free(key);
}

/* ---- the last-change trigger time ---------------------------------------- */

/* K8S: getPodTriggerTime: when the pod's Ready condition last changed. */
static ktime_t pod_trigger_time(const struct pod *pod)
{
	const struct condition *ready = ctrl_pod_condition(pod, "Ready");
	return ready ? ready->last_transition_time : 0;
}

static void trigger_state_free(struct trigger_state *state)
{
	const char *name;
	void *value;
	for (size_t pos = 0; hashmap_next(&state->pods, &pos, &name, &value);)
		free(value);
	hashmap_release(&state->pods);
	free(state);
}

/* K8S: ComputeEndpointLastChangeTriggerTime. The first sync of a Service
 * answers its creation time; later ones the earliest of the trigger times
 * that moved since the previous sync (0: nothing moved, no annotation).
 * Upstream admits the value is approximate when one object changes twice
 * between syncs; so is this one. */
static ktime_t compute_trigger_time(struct ep_controller *c, const char *key,
				    const struct service *svc,
				    const struct object_list *pods)
{
	struct trigger_state *state = hashmap_get(&c->triggers, key);
	bool known = state != NULL;
	if (!known) {
		state = xcalloc(1, sizeof(*state));
		hashmap_put(&c->triggers, key, state);
	}
	ktime_t earliest = 0;
	struct hashmap now = {0};
	for (size_t i = 0; i < pods->len; i++) {
		const struct pod *pod = (const void *)pods->items[i];
		ktime_t t = pod_trigger_time(pod);
		if (!t)
			continue;
		ktime_t *last = hashmap_get(&state->pods, pod->obj.meta.name);
		if ((!last || t > *last) && (!earliest || t < earliest))
			earliest = t;
		ktime_t *copy = xmalloc(sizeof(*copy));
		*copy = t;
		free(hashmap_put(&now, pod->obj.meta.name, copy));
	}
	ktime_t service_time = svc->obj.meta.creation_timestamp;
	if (service_time > state->service && (!earliest || service_time < earliest))
		earliest = service_time;
	const char *name;
	void *value;
	for (size_t pos = 0; hashmap_next(&state->pods, &pos, &name, &value);)
		free(value);
	hashmap_release(&state->pods);
	state->pods = now;
	state->service = service_time;
	return known ? earliest : service_time;
}

/* RFC 3339 with nanoseconds, trailing zeros dropped, as Go's
 * time.RFC3339Nano: "2026-01-01T00:00:05.5Z". */
static void format_rfc3339_nano(ktime_t t, char *buf, size_t size)
{
	schema_format_time(t, buf, size);
	ktime_t fraction = t % KTIME_SECOND;
	if (fraction < 0)
		fraction += KTIME_SECOND;
	size_t len = strlen(buf);
	if (!fraction || !len || buf[len - 1] != 'Z')
		return;
	char digits[16];
	snprintf(digits, sizeof(digits), "%09lld", (long long)fraction);
	size_t n = strlen(digits);
	while (n && digits[n - 1] == '0')
		digits[--n] = '\0';
	snprintf(buf + len - 1, size - (len - 1), ".%sZ", digits);
}

/* ---- writing ------------------------------------------------------------- */

/* The Endpoints' labels: the Service's, plus service.kubernetes.io/headless
 * for a headless Service. Upstream also marks a Service whose clusterIP is
 * empty; kubelab allocates no ClusterIPs, so only "None" counts. */
static void wanted_labels(const struct service *svc, struct strmap *out)
{
	strmap_copy(out, &svc->obj.meta.labels);
	if (svc->spec.cluster_ip && !strcmp(svc->spec.cluster_ip, "None"))
		strmap_set(out, HEADLESS_LABEL, "");
}

static void remember_written(struct ep_controller *c, const char *key, int64_t rv)
{
	int64_t *slot = xmalloc(sizeof(*slot));
	*slot = rv;
	free(hashmap_put(&c->written, key, slot));
}

/* Creates or updates the Endpoints as next (which it takes over). Returns
 * 0, or -1 after a Warning event when the API refused. */
static int write_endpoints(struct ep_controller *c, const struct service *svc,
			   const char *key, struct endpoints *next, bool create)
{
	struct object *keep = object_ref(&next->obj);
	struct api_status status;
	enum api_code code = create ? client_create(c->client, &next->obj, &status)
				    : client_update(c->client, &next->obj, &status);
	int rc = 0;
	if (code == API_OK) {
		/* Our own write reaches the informer only after the watch
		 * delay: remember it, so a sync in between does not act on
		 * the older copy (K8S: staleEndpointsTracker). */
		remember_written(c, key, keep->meta.resource_version);
	} else if (create) {
		client_event(c->client, keep, "Warning", "FailedToCreateEndpoint",
			     "Failed to create endpoint for service %s/%s: %s",
			     svc->obj.meta.namespace, svc->obj.meta.name, status.message);
		rc = -1;
	} else {
		client_event(c->client, keep, "Warning", "FailedToUpdateEndpoint",
			     "Failed to update endpoint %s/%s: %s",
			     svc->obj.meta.namespace, svc->obj.meta.name, status.message);
		rc = -1;
	}
	object_unref(keep);
	return rc;
}

/* ---- the reconcile ------------------------------------------------------- */

static bool cache_is_stale(struct ep_controller *c, const char *key,
			   const struct object *cur)
{
	const int64_t *written = hashmap_get(&c->written, key);
	return written && (!cur || cur->meta.resource_version < *written);
}

/* K8S: syncService, once the Service was found in the cache and has a
 * selector. */
static int reconcile(struct ep_controller *c, const struct service *svc, const char *key)
{
	struct object_list all = {0}, matched = {0};
	informer_list(c->pods, svc->obj.meta.namespace, &all);
	for (size_t i = 0; i < all.len; i++) {
		if (!endpoints_service_selects(svc, all.items[i]))
			continue;
		xgrow((void **)&matched.items, &matched.cap, matched.len + 1,
		      sizeof(*matched.items));
		matched.items[matched.len++] = all.items[i];
	}
	/* Computed before the no-op check, so the tracker stays current. */
	ktime_t trigger = compute_trigger_time(c, key, svc, &matched);

	struct endpoints want = {0};
	endpoints_build_subsets(svc, &matched, &want);
	struct strmap labels = {0};
	wanted_labels(svc, &labels);
	const struct object *cur = informer_get(c->endpoints, svc->obj.meta.namespace,
						svc->obj.meta.name);
	int rc = 0;
	if (cache_is_stale(c, key, cur)) {
		rc = -1;	/* retried once the informer caught up */
		goto out;
	}
	const struct endpoints *cur_ep = cur ? (const struct endpoints *)cur : NULL;
	if (cur_ep && endpoints_subsets_equal(cur_ep, &want) && strmap_equal(&cur->meta.labels, &labels))
		goto out;	/* LAB: endpoints-no-op: write only what changed */

	struct endpoints *next;
	if (cur) {
		next = (struct endpoints *)object_copy(cur);
		schema_release_field(schema_field(endpoints_kind.schema, "subsets"), next);
		strmap_release(&next->obj.meta.labels);
	} else {
		next = (struct endpoints *)object_new(&endpoints_kind);
		next->obj.meta.name = xstrdup(svc->obj.meta.name);
		next->obj.meta.namespace = xstrdup(svc->obj.meta.namespace);
	}
	next->subsets = want.subsets;	/* moved */
	want.subsets.items = NULL;
	want.subsets.len = 0;
	next->obj.meta.labels = labels;	/* moved */
	memset(&labels, 0, sizeof(labels));
	if (trigger) {
		char text[64];
		format_rfc3339_nano(trigger, text, sizeof(text));
		strmap_set(&next->obj.meta.annotations, TRIGGER_TIME_ANNOTATION, text);
	} else {
		strmap_remove(&next->obj.meta.annotations, TRIGGER_TIME_ANNOTATION);
	}
	rc = write_endpoints(c, svc, key, next, cur == NULL);
out:
	strmap_release(&labels);
	schema_release_field(schema_field(endpoints_kind.schema, "subsets"), &want);
	object_list_release(&matched);
	object_list_release(&all);
	return rc;
}

static void forget(struct ep_controller *c, const char *key)
{
	struct trigger_state *state = hashmap_remove(&c->triggers, key);
	if (state)
		trigger_state_free(state);
	free(hashmap_remove(&c->written, key));
}

/* K8S: syncService: the workqueue's sync function. */
static int sync_service(void *arg, const char *key)
{
	struct ep_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->services, namespace, name);
	int rc = 0;
	if (!obj) {
		/* The Service was deleted: so are its Endpoints. */
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		struct api_status status;
		enum api_code code = client_delete(c->client, KIND_ENDPOINTS, namespace, name,
						   &options, &status);
		rc = code == API_OK || code == API_NOT_FOUND ? 0 : -1;
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

static void *ep_start(const struct client *client)
{
	struct ep_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "endpoint", sync_service, c);
	/* Services first: the pod handler looks Services up. */
	c->services = informer_new(client, KIND_SERVICE, NULL, on_service, c);
	c->pods = informer_new(client, KIND_POD, NULL, on_pod, c);
	c->endpoints = informer_new(client, KIND_ENDPOINTS, NULL, on_endpoints, c);
	return c;
}

static void ep_stop(void *state)
{
	struct ep_controller *c = state;
	informer_free(c->endpoints);
	informer_free(c->pods);
	informer_free(c->services);
	workqueue_free(c->queue);
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&c->triggers, &pos, &key, &value);)
		trigger_state_free(value);
	hashmap_release(&c->triggers);
	for (size_t pos = 0; hashmap_next(&c->written, &pos, &key, &value);)
		free(value);
	hashmap_release(&c->written);
	free(c);
}

const struct controller_ops endpoints_controller = {
	.name = "endpoint-controller",
	.start = ep_start,
	.stop = ep_stop,
};
