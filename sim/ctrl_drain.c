/* ctrl_drain.c - `kubectl drain`: cordon a node, then evict its pods one
 * Eviction at a time, as the API's PodDisruptionBudgets allow.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/drain/drain.go (GetPodsForDeletion,
 * evictPods, waitForDelete), drain/filters.go (daemonSetFilter,
 * mirrorPodFilter) and pkg/cmd/drain/drain.go (the output lines).
 *
 * A drain is a client-side loop, not a controller: kubectl cordons the
 * node (spec.unschedulable, so nothing new lands there), lists the pods
 * bound to it and sends every one an Eviction at once (ctrl_eviction.c
 * plays the API server's part). An eviction a budget refuses (429, "Cannot
 * evict pod as it would violate the pod's disruption budget.") is retried
 * 5 s later, for ever; an accepted one is followed by polling the pod
 * every second until it is gone. When the last pod is gone the node is
 * drained. A drain blocked by a budget therefore waits for the
 * disruption controller to count a replacement Ready elsewhere.
 *
 * Which pods: the flags a course uses, `--ignore-daemonsets
 * --delete-emptydir-data --force`. DaemonSet-managed pods are left (the
 * DaemonSet would put them straight back: daemon pods tolerate the
 * cordon) with a warning naming them; mirror pods (static pods, annotated
 * kubernetes.io/config.mirror) are left silently, as the API server cannot
 * delete them; pods with emptyDir volumes and bare pods are evicted (a bare
 * pod is simply gone: nothing replaces it).
 *
 * Simplified: no --timeout, no --grace-period, no dry run, no pod
 * selector; the pod list is taken once, at the start, as upstream's.
 *
 * Interface (ctrl_drain.h): drain_start, drain_done, drain_free. It sits
 * in the controller layer (ctrl_ prefix) because, as ctrl_eviction.c, it
 * works only through a client and the clock.
 * Invariants: each pod has at most one pending timer (its retry or its
 * poll); pods_left counts the pods with one.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ctrl_drain.h"
#include "ctrl_eviction.h"
#include "xmalloc.h"

#define EVICTION_RETRY_INTERVAL (5 * KTIME_SECOND)	/* K8S: evictPods' sleep */
#define DELETE_POLL_INTERVAL KTIME_SECOND	/* K8S: waitForDelete's interval */
#define MIRROR_POD_ANNOTATION "kubernetes.io/config.mirror"

struct drain_pod {
	struct drain *drain;
	char *namespace, *name, *uid;
	timer_id timer;		/* the retry, or the next poll */
};

struct drain {
	const struct client *client;
	char *node;
	drain_say_fn *say;
	void *arg;
	struct drain_pod *pods;
	size_t len;
	size_t pods_left;	/* not yet gone nor given up on */
	char *error;		/* the first eviction error; owned */
};

static const struct object *node_object(const struct drain *d)
{
	return store_get(d->client->store, KIND_NODE, NULL, d->node);
}

/* Says line (which it frees) about obj, or the node when obj is gone. */
static void say(struct drain *d, const struct object *obj, bool warning, char *line)
{
	d->say(d->arg, obj ? obj : node_object(d), warning, line);
	free(line);
}

/* The last pod gone: "node/NAME drained", or kubectl's error. */
static void pod_finished(struct drain *d)
{
	if (--d->pods_left)
		return;
	if (d->error)
		say(d, node_object(d), true,
		    xasprintf("error: unable to drain node \"%s\" due to error: %s, "
			      "continuing command...", d->node, d->error));
	else
		say(d, node_object(d), false, xasprintf("node/%s drained", d->node));
}

/* K8S: waitForDelete: the pod is gone once it is not found, or a pod of
 * the same name has another uid. */
static void poll_deleted(void *arg)
{
	struct drain_pod *p = arg;
	struct drain *d = p->drain;
	p->timer = 0;
	const struct object *pod = store_get(d->client->store, KIND_POD, p->namespace, p->name);
	if (pod && !strcmp(pod->meta.uid, p->uid)) {
		p->timer = clock_after(&d->client->clock, DELETE_POLL_INTERVAL, poll_deleted, p);
		return;
	}
	say(d, NULL, false, xasprintf("pod/%s evicted", p->name));
	pod_finished(d);
}

/* K8S: evictPods' loop for one pod. */
static void evict(void *arg)
{
	struct drain_pod *p = arg;
	struct drain *d = p->drain;
	p->timer = 0;
	const struct object *pod = store_get(d->client->store, KIND_POD, p->namespace, p->name);
	say(d, pod, false, xasprintf("evicting pod %s/%s", p->namespace, p->name));
	struct api_status status = {0};
	enum api_code code = eviction_evict(d->client, p->namespace, p->name, &status);
	if (code == API_OK) {
		p->timer = clock_after(&d->client->clock, DELETE_POLL_INTERVAL, poll_deleted, p);
		return;
	}
	if (code == API_NOT_FOUND) {
		pod_finished(d);	/* gone already: nothing to print */
		return;
	}
	if (code == EVICTION_TOO_MANY_REQUESTS) {
		/* LAB: drain-pdb. The budget says not now: ask again in 5 s. */
		say(d, pod, true, xasprintf("error when evicting pods/\"%s\" -n \"%s\" "
					    "(will retry after 5s): %s",
					    p->name, p->namespace, status.message));
		p->timer = clock_after(&d->client->clock, EVICTION_RETRY_INTERVAL, evict, p);
		return;
	}
	char *error = xasprintf("error when evicting pods/\"%s\" -n \"%s\": %s",
				p->name, p->namespace, status.message);
	say(d, pod, true, xstrdup(error));
	if (!d->error)
		d->error = error;
	else
		free(error);
	pod_finished(d);
}

static bool is_daemon_pod(const struct object *pod)
{
	const struct owner_reference *ref = object_controller_of(pod);
	return ref && ref->kind && !strcmp(ref->kind, "DaemonSet");
}

struct drain *drain_start(const struct client *client, const char *node,
			  drain_say_fn *say_fn, void *arg)
{
	struct drain *d = xcalloc(1, sizeof(*d));
	d->client = client;
	d->node = xstrdup(node);
	d->say = say_fn;
	d->arg = arg;

	/* K8S: RunCordonOrUncordon. */
	const struct node *n = (const struct node *)node_object(d);
	if (n && n->spec.unschedulable) {
		say(d, &n->obj, false, xasprintf("node/%s already cordoned", node));
	} else {
		struct api_status status = {0};
		enum api_code code = client_patch_field(client, KIND_NODE, NULL, node,
							"spec.unschedulable", "true", &status);
		say(d, node_object(d), code != API_OK,
		    code == API_OK ? xasprintf("node/%s cordoned", node)
				   : xasprintf("error: %s", status.message));
	}

	/* K8S: GetPodsForDeletion with its filters. */
	struct object_list list = {0};
	store_list_pods_on_node(client->store, node, &list);
	d->pods = xcalloc(list.len + 1, sizeof(*d->pods));
	char *ignored = NULL;
	for (size_t i = 0; i < list.len; i++) {
		const struct object *pod = list.items[i];
		if (strmap_get(&pod->meta.annotations, MIRROR_POD_ANNOTATION))
			continue;
		if (is_daemon_pod(pod)) {
			char *more = xasprintf("%s%s%s/%s", ignored ? ignored : "",
					       ignored ? ", " : "", pod->meta.namespace,
					       pod->meta.name);
			free(ignored);
			ignored = more;
			continue;
		}
		d->pods[d->len++] = (struct drain_pod){
			d, xstrdup(pod->meta.namespace), xstrdup(pod->meta.name),
			xstrdup(pod->meta.uid), 0,
		};
	}
	object_list_release(&list);
	if (ignored)
		say(d, node_object(d), true,
		    xasprintf("Warning: ignoring DaemonSet-managed Pods: %s", ignored));
	free(ignored);

	d->pods_left = d->len + 1;	/* held until every eviction is sent */
	for (size_t i = 0; i < d->len; i++)
		evict(&d->pods[i]);
	pod_finished(d);
	return d;
}

bool drain_done(const struct drain *drain)
{
	return drain->pods_left == 0;
}

void drain_free(struct drain *drain)
{
	if (!drain)
		return;
	for (size_t i = 0; i < drain->len; i++) {
		struct drain_pod *p = &drain->pods[i];
		if (p->timer)
			clock_cancel(&drain->client->clock, p->timer);
		free(p->namespace);
		free(p->name);
		free(p->uid);
	}
	free(drain->pods);
	free(drain->error);
	free(drain->node);
	free(drain);
}
