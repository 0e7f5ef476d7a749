/* client.h - the API client: all that controllers, the scheduler and node
 * agents may touch.
 *
 * K8S: client-go's typed clients and record.EventRecorder.
 *
 * This is one of kubelab's three seams (docs/architecture.md). A component
 * gets a struct client and a clock; it reads and writes objects only here
 * and learns of changes only through watches. The sim backend and the real
 * backend both hand out clients over the same store, so the components run
 * unchanged in either.
 *
 * Ownership: as store.h. Writes take over the caller's reference to obj;
 * reads return borrowed objects, valid until the next write.
 */
#ifndef KUBELAB_CLIENT_H
#define KUBELAB_CLIENT_H

#include "clock.h"
#include "store.h"

struct trace;
struct metrics_source;
struct controller_settings;

struct client {
	struct store *store;
	struct clock clock;
	struct trace *trace;		/* may be NULL */
	const char *component;		/* "replicaset-controller": event source */
	const char *host;		/* node name for kubelet events, else NULL */
	bool record_events;		/* also store Event objects (kubectl get events) */
	/* Told of every event as it is recorded (the CLI's event stream). */
	void (*event_hook)(void *arg, ktime_t now, const struct object *obj,
			   const char *type, const char *reason, const char *message);
	void *event_hook_arg;
	/* The metrics APIs (metrics.h): metrics-server and a custom metrics
	 * adapter. NULL when the cluster has none (the HPA then reports
	 * FailedGetResourceMetric). */
	const struct metrics_source *metrics;
	/* kube-controller-manager's flags (controller.h); NULL: the defaults
	 * of the modelled release. */
	const struct controller_settings *settings;
};

static inline ktime_t client_now(const struct client *client)
{
	return clock_now(&client->clock);
}

const struct object *client_get(const struct client *client, enum kind_id kind,
				const char *namespace, const char *name);
enum api_code client_create(const struct client *client, struct object *obj,
			    struct api_status *status);
enum api_code client_update(const struct client *client, struct object *obj,
			    struct api_status *status);
enum api_code client_update_status(const struct client *client,
				   struct object *obj, struct api_status *status);
/* K8S: POST pods/NAME/binding (store_bind): the scheduler's only write. */
enum api_code client_bind(const struct client *client, const char *namespace,
			  const char *name, const char *uid, const char *node,
			  struct api_status *status);
enum api_code client_delete(const struct client *client, enum kind_id kind,
			    const char *namespace, const char *name,
			    const struct delete_options *options,
			    struct api_status *status);
int client_watch(const struct client *client, enum kind_id kind, watch_fn fn,
		 void *arg);
void client_unwatch(const struct client *client, int watch_id);
/* K8S: a kubelet's pod watch, fieldSelector spec.nodeName=node. */
int client_watch_pods_on_node(const struct client *client, const char *node,
			      watch_fn fn, void *arg);

/* K8S: a JSON-patch "replace" of one field, read-modify-write with retry
 * on Conflict: `kubectl patch --type=json` / the scenario's set: action. */
enum api_code client_patch_field(const struct client *client, enum kind_id kind,
				 const char *namespace, const char *name,
				 const char *path, const char *value,
				 struct api_status *status);

/* Whether an Event would go anywhere (trace, hook or store): callers that
 * format a message first can skip the work when not. */
bool client_events_wanted(const struct client *client);

/* K8S: record.EventRecorder.Eventf. Records an Event about obj: type is
 * "Normal" or "Warning", reason is upstream's (Scheduled, Killing ...).
 * Repeats of the same (object, reason, message) bump count and
 * lastTimestamp as upstream's event correlator does. Also written to the
 * trace as an "event" line. */
void client_event(const struct client *client, const struct object *obj,
		  const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
