/* client.c - the API client over the store; see client.h.
 *
 * The client is where the API server's request path lives in kubelab:
 * admission before create, then the store. Events are recorded here too,
 * as client-go's EventRecorder does, with upstream's aggregation of
 * repeats into one Event with a count.
 */
#include "client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "api.h"
#include "json.h"
#include "trace.h"
#include "xmalloc.h"

const struct object *client_get(const struct client *client, enum kind_id kind,
				const char *namespace, const char *name)
{
	return store_get(client->store, kind, namespace, name);
}

enum api_code client_create(const struct client *client, struct object *obj,
			    struct api_status *status)
{
	struct api_status local;
	if (!status)
		status = &local;
	if (admission_admit(client->store, obj, status) != API_OK) {
		object_unref(obj);
		return status->code;
	}
	return store_create(client->store, obj, status);
}

enum api_code client_update(const struct client *client, struct object *obj,
			    struct api_status *status)
{
	return store_update(client->store, obj, status);
}

enum api_code client_update_status(const struct client *client,
				   struct object *obj, struct api_status *status)
{
	return store_update_status(client->store, obj, status);
}

enum api_code client_bind(const struct client *client, const char *namespace,
			  const char *name, const char *uid, const char *node,
			  struct api_status *status)
{
	return store_bind(client->store, namespace, name, uid, node, status);
}

enum api_code client_delete(const struct client *client, enum kind_id kind,
			    const char *namespace, const char *name,
			    const struct delete_options *options,
			    struct api_status *status)
{
	return store_delete(client->store, kind, namespace, name, options, status);
}

int client_watch(const struct client *client, enum kind_id kind, watch_fn fn,
		 void *arg)
{
	return store_watch(client->store, kind, fn, arg);
}

void client_unwatch(const struct client *client, int watch_id)
{
	store_unwatch(client->store, watch_id);
}

int client_watch_pods_on_node(const struct client *client, const char *node,
			      watch_fn fn, void *arg)
{
	return store_watch_pods_on_node(client->store, node, fn, arg);
}

enum api_code client_patch_field(const struct client *client, enum kind_id kind,
				 const char *namespace, const char *name,
				 const char *path, const char *value,
				 struct api_status *status)
{
	struct api_status local;
	if (!status)
		status = &local;
	for (int attempt = 0; attempt < 5; attempt++) {
		const struct object *cur = store_get(client->store, kind, namespace, name);
		if (!cur) {
			status->code = API_NOT_FOUND;
			snprintf(status->message, sizeof(status->message),
				 "%s \"%s\" not found", kind_get(kind)->resource, name);
			return API_NOT_FOUND;
		}
		struct object *next = object_copy(cur);
		struct field_ref ref;
		struct err *err = NULL;
		if (schema_resolve(next->kind->schema, next, path, &ref, &err) ||
		    field_ref_set(&ref, value, &err)) {
			if (!err)
				field_ref_release(&ref);
			status->code = API_INVALID;
			snprintf(status->message, sizeof(status->message),
				 "%s \"%s\" is invalid: %s: %s", cur->kind->kind, name,
				 path, err ? err->msg : "invalid value");
			err_free(err);
			object_unref(next);
			return API_INVALID;
		}
		field_ref_release(&ref);
		bool is_status = !strncmp(path, "status.", 7) || !strncmp(path, ".status.", 8);
		enum api_code code = is_status
			? store_update_status(client->store, next, status)
			: store_update(client->store, next, status);
		if (code != API_CONFLICT)
			return code;
	}
	return status->code;
}

/* ---- events -------------------------------------------------------------- */

static struct object_reference reference_to(const struct object *obj)
{
	return (struct object_reference){
		.api_version = xstrdup(obj->kind->api_version),
		.kind = xstrdup(obj->kind->kind),
		.namespace = xstrdup(obj->meta.namespace),
		.name = xstrdup(obj->meta.name),
		.uid = xstrdup(obj->meta.uid),
	};
}

/* K8S: the event correlator keys repeats by source, object, reason and
 * message; a repeat updates count and lastTimestamp of the same Event. */
static struct event *find_repeat(const struct client *client, const char *name,
				 const char *namespace)
{
	const struct object *obj = store_get(client->store, KIND_EVENT, namespace, name);
	return obj ? (struct event *)object_copy(obj) : NULL;
}

static uint64_t hash_text(const char *text, uint64_t h)
{
	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

static void store_event(const struct client *client, const struct object *obj,
			const char *type, const char *reason, const char *message)
{
	ktime_t now = client_now(client);
	const char *ns = obj->meta.namespace ? obj->meta.namespace : "default";
	uint64_t h = hash_text(message, hash_text(reason, hash_text(client->component,
					0xcbf29ce484222325ULL)));
	/* Upstream names events <object>.<hex timestamp>; a hash of what
	 * makes a repeat keeps the name stable across repeats. */
	char *name = xasprintf("%s.%016llx", obj->meta.name, (unsigned long long)h);
	struct event *ev = find_repeat(client, name, ns);
	if (ev) {
		ev->count++;
		ev->last_timestamp = now;
		store_update(client->store, &ev->obj, NULL);
		free(name);
		return;
	}
	ev = (struct event *)object_new(&event_kind);
	ev->obj.meta.name = name;
	ev->obj.meta.namespace = xstrdup(ns);
	ev->involved_object = reference_to(obj);
	ev->reason = xstrdup(reason);
	ev->message = xstrdup(message);
	ev->type = xstrdup(type);
	ev->source.component = xstrdup(client->component);
	ev->source.host = xstrdup(client->host);
	ev->reporting_component = xstrdup(client->component);
	ev->first_timestamp = ev->last_timestamp = now;
	ev->count = 1;
	store_create(client->store, &ev->obj, NULL);
}

bool client_events_wanted(const struct client *client)
{
	return client->trace || client->event_hook || client->record_events;
}

void client_event(const struct client *client, const struct object *obj,
		  const char *type, const char *reason, const char *fmt, ...)
{
	/* The message is formatted for the listeners only: with none (the
	 * benchmark's recordEvents: false), skip the formatting. */
	if (!client_events_wanted(client))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *message = NULL;
	if (vasprintf(&message, fmt, ap) < 0)
		BUG_ON(1);
	va_end(ap);
	if (client->trace) {
		struct json *body = json_new_object();
		json_add_string(body, "kind", obj->kind->kind);
		if (obj->meta.namespace)
			json_add_string(body, "namespace", obj->meta.namespace);
		json_add_string(body, "name", obj->meta.name);
		json_add_string(body, "eventType", type);
		json_add_string(body, "reason", reason);
		json_add_string(body, "message", message);
		json_add_string(body, "source", client->component);
		trace_record(client->trace, "event", body);
	}
	if (client->event_hook)
		client->event_hook(client->event_hook_arg, client_now(client), obj,
				   type, reason, message);
	if (client->record_events)
		store_event(client, obj, type, reason, message);
	free(message);
}
