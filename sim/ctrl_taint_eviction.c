/* ctrl_taint_eviction.c - the taint eviction controller: evict pods from
 * nodes with NoExecute taints they do not tolerate (for long enough).
 *
 * K8S: pkg/controller/tainteviction/taint_eviction.go and
 * timed_workers.go; Toleration.ToleratesTaint in
 * staging/src/k8s.io/api/core/v1/toleration.go.
 *
 * A NoExecute taint on a node says "pods must leave". For each pod on
 * such a node the controller looks for a toleration of every NoExecute
 * taint:
 *   - some taint not tolerated: the pod is evicted now;
 *   - all tolerated, some with tolerationSeconds: evicted after the
 *     smallest of them, counted from when the controller noticed the
 *     taint (upstream uses its own clock, not the taint's timeAdded; with
 *     no watch delay the two are the same instant);
 *   - all tolerated for ever: left alone.
 * Admission gives every pod 300 s tolerations for not-ready and
 * unreachable, so a dead node's pods go five minutes after it is tainted.
 * A pending eviction is cancelled when the taint goes away.
 *
 * Eviction is the TaintManagerEviction event, a DisruptionTarget
 * condition on the pod, and an ordinary DELETE. On a node that is down the
 * store only marks the pod terminating (graceful deletion waits for a
 * kubelet that never comes); its ReplicaSet replaces it at once because
 * terminating pods are not active.
 *
 * Interface: the taint_eviction_controller row (controller.h).
 * Invariants: at most one pending eviction per pod key; a timer exists
 * exactly while its eviction is pending.
 */
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

#define DELETE_RETRIES 5		/* K8S: retries */

struct taint_eviction;

/* K8S: TimedWorker. After it fired it stays, done, until cancelled, so the
 * same pod is not queued twice (upstream keeps a nil worker). */
struct eviction {
	struct taint_eviction *c;
	char *key;			/* "namespace/name" of the pod */
	ktime_t created_at, fire_at;
	timer_id timer;
	bool done;
};

/* A node's NoExecute taints, copied (K8S: taintedNodes). */
struct taint_set {
	struct taint *items;
	size_t len;
};

struct taint_eviction {
	const struct client *client;
	struct informer *nodes;
	struct informer *pods;		/* index: spec.nodeName */
	struct workqueue *node_queue;	/* node names */
	struct workqueue *pod_queue;	/* pod keys */
	struct hashmap tainted;		/* node name -> struct taint_set */
	struct hashmap evictions;	/* pod key -> struct eviction */
};

/* ---- tolerations --------------------------------------------------------- */

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* K8S: Toleration.ToleratesTaint. */
static bool tolerates(const struct toleration *t, const struct taint *taint)
{
	if (!empty(t->effect) && !same(t->effect, taint->effect))
		return false;
	if (!empty(t->key) && !same(t->key, taint->key))
		return false;
	if (empty(t->operator) || !strcmp(t->operator, "Equal"))
		return same(t->value, taint->value);
	return !strcmp(t->operator, "Exists");
}

/* K8S: GetMatchingTolerations + getMinTolerationTime. Returns -2 when a
 * taint is not tolerated, -1 when all are tolerated for ever, else the
 * seconds until eviction (0: now). */
static int64_t toleration_seconds(const struct pod *pod, const struct taint_set *taints)
{
	int64_t least = -1;
	for (size_t i = 0; i < taints->len; i++) {
		const struct toleration *used = NULL;
		for (size_t j = 0; !used && j < pod->spec.tolerations.len; j++)
			if (tolerates(&pod->spec.tolerations.items[j], &taints->items[i]))
				used = &pod->spec.tolerations.items[j];
		if (!used)
			return -2;
		if (!used->toleration_seconds.is_set)
			continue;
		int64_t s = used->toleration_seconds.value;
		if (s <= 0)
			return 0;
		if (least < 0 || s < least)
			least = s;
	}
	return least;
}

/* ---- the timed evictions ------------------------------------------------- */

/* K8S: emitPodDeletionEvent / emitCancelPodDeletionEvent: "Marking for
 * deletion Pod default/web-1". Upstream's event names the pod by
 * reference only (no uid), so it can be recorded even when the pod is
 * gone; a bare object with the name plays that reference. */
static void emit(struct taint_eviction *c, const char *key, const char *what)
{
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	struct object *ref = object_new(&pod_kind);
	ref->meta.namespace = namespace;
	ref->meta.name = name;
	client_event(c->client, ref, "Normal", "TaintManagerEviction", "%s Pod %s", what, key);
	object_unref(ref);
}

/* K8S: addConditionAndDeletePod: a DisruptionTarget condition says why
 * the pod goes, then an ordinary DELETE. A pod already gone is done. */
static int evict(struct taint_eviction *c, const char *key)
{
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	int rc = 0;
	const struct object *cur = client_get(c->client, KIND_POD, namespace, name);
	if (cur) {
		struct pod *next = (struct pod *)object_copy(cur);
		struct condition *have = condition_find(&next->status.conditions,
							"DisruptionTarget");
		if (!have || !same(have->status, "True")) {
			struct condition cond = {
				.type = xstrdup("DisruptionTarget"), .status = xstrdup("True"),
				.reason = xstrdup("DeletionByTaintManager"),
				.message = xstrdup("Taint manager: deleting due to "
						   "NoExecute taint"),
				.last_transition_time = client_now(c->client),
			};
			ctrl_condition_put(&next->status.conditions, &cond);
			client_update_status(c->client, &next->obj, NULL);
		} else {
			object_unref(&next->obj);
		}
		struct delete_options options = DELETE_OPTIONS_DEFAULT;
		enum api_code code = client_delete(c->client, KIND_POD, namespace, name,
						   &options, NULL);
		rc = code == API_OK ? 0 : -1;
	}
	free(namespace);
	free(name);
	return rc;
}

static void fire(void *arg)
{
	struct eviction *ev = arg;
	ev->timer = 0;
	ev->done = true;
	/* LAB: taint-eviction */
	emit(ev->c, ev->key, "Marking for deletion");
	/* Upstream sleeps 10 ms between attempts; here they follow at once. */
	for (int attempt = 0; attempt < DELETE_RETRIES; attempt++)
		if (evict(ev->c, ev->key) == 0)
			break;
}

/* K8S: TimedWorkerQueue.AddWork: nothing if work for key exists. */
static void add_work(struct taint_eviction *c, const char *key, ktime_t created_at,
		     ktime_t fire_at)
{
	if (hashmap_get(&c->evictions, key))
		return;
	struct eviction *ev = xcalloc(1, sizeof(*ev));
	ev->c = c;
	ev->key = xstrdup(key);
	ev->created_at = created_at;
	ev->fire_at = fire_at;
	ktime_t delay = fire_at - client_now(c->client);
	ev->timer = clock_after(&c->client->clock, delay > 0 ? delay : 0, fire, ev);
	hashmap_put(&c->evictions, key, ev);
}

static void eviction_free(struct taint_eviction *c, struct eviction *ev)
{
	if (ev->timer)
		clock_cancel(&c->client->clock, ev->timer);
	free(ev->key);
	free(ev);
}

/* K8S: cancelWorkWithEvent: the event only for an eviction still pending. */
static void cancel_work(struct taint_eviction *c, const char *key)
{
	struct eviction *ev = hashmap_remove(&c->evictions, key);
	if (!ev)
		return;
	if (!ev->done)
		emit(c, key, "Cancelling deletion of");
	eviction_free(c, ev);
}

/* K8S: processPodOnNode. */
static void process_pod(struct taint_eviction *c, const struct pod *pod,
			const struct taint_set *taints, ktime_t now)
{
	char *key = object_key(&pod->obj);
	int64_t seconds = toleration_seconds(pod, taints);
	if (seconds == -2) {			/* not tolerated: now */
		cancel_work(c, key);
		add_work(c, key, now, now);
	} else if (seconds == -1) {		/* tolerated for ever */
		cancel_work(c, key);
	} else {
		/* An eviction planned in an earlier instant stands, as upstream
		 * keeps it: its clock started when the taint was first seen. */
		struct eviction *ev = hashmap_get(&c->evictions, key);
		if (!ev || ev->created_at >= now) {
			ktime_t start = ev ? ev->created_at : now;
			cancel_work(c, key);
			add_work(c, key, start, now + seconds * KTIME_SECOND);
		}
	}
	free(key);
}

/* ---- syncs --------------------------------------------------------------- */

static void taint_set_free(struct taint_set *set)
{
	for (size_t i = 0; set && i < set->len; i++)
		schema_release(&taint_schema, &set->items[i]);
	if (set)
		free(set->items);
	free(set);
}

static struct taint_set *no_execute_taints(const struct node *node)
{
	struct taint_set *set = xcalloc(1, sizeof(*set));
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *t = &node->spec.taints.items[i];
		if (!same(t->effect, TAINT_NO_EXECUTE))
			continue;
		set->items = xrealloc(set->items, (set->len + 1) * sizeof(*set->items));
		schema_copy(&taint_schema, &set->items[set->len++], t);
	}
	return set;
}

/* K8S: handleNodeUpdate. */
static int sync_node(void *arg, const char *name)
{
	struct taint_eviction *c = arg;
	const struct object *obj = informer_get(c->nodes, NULL, name);
	taint_set_free(hashmap_remove(&c->tainted, name));
	if (!obj)
		return 0;
	struct taint_set *taints = no_execute_taints((const struct node *)obj);
	if (taints->len)
		hashmap_put(&c->tainted, name, taints);
	struct object_list pods = {0};
	informer_list_index(c->pods, name, &pods);
	ktime_t now = client_now(c->client);
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = (const void *)pods.items[i];
		if (!taints->len) {	/* all taints gone: cancel everything */
			char *key = object_key(&pod->obj);
			cancel_work(c, key);
			free(key);
		} else {
			process_pod(c, pod, taints, now);
		}
	}
	object_list_release(&pods);
	if (!taints->len)
		taint_set_free(taints);
	return 0;
}

/* K8S: handlePodUpdate. */
static int sync_pod(void *arg, const char *key)
{
	struct taint_eviction *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->pods, namespace, name);
	free(namespace);
	free(name);
	if (!obj) {
		cancel_work(c, key);	/* the pod is gone */
		return 0;
	}
	const struct pod *pod = (const void *)obj;
	const char *node = pod->spec.node_name;
	const struct taint_set *taints = node && *node ? hashmap_get(&c->tainted, node) : NULL;
	if (taints)
		process_pod(c, pod, taints, client_now(c->client));
	return 0;
}

/* ---- watch handlers ------------------------------------------------------ */

static bool same_no_execute(const struct node *a, const struct node *b)
{
	struct taint_set *x = no_execute_taints(a), *y = no_execute_taints(b);
	bool equal = x->len == y->len;
	for (size_t i = 0; equal && i < x->len; i++)
		equal = schema_equal(&taint_schema, &x->items[i], &y->items[i]);
	taint_set_free(x);
	taint_set_free(y);
	return equal;
}

/* K8S: NodeUpdated: only a change of NoExecute taints matters. */
static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old)
{
	struct taint_eviction *c = arg;
	if (type == WATCH_MODIFIED &&
	    same_no_execute((const struct node *)obj, (const struct node *)old))
		return;
	workqueue_add(c->node_queue, obj->meta.name);
}

static bool same_tolerations(const struct pod *a, const struct pod *b)
{
	if (a->spec.tolerations.len != b->spec.tolerations.len)
		return false;
	for (size_t i = 0; i < a->spec.tolerations.len; i++) {
		const struct toleration *x = &a->spec.tolerations.items[i];
		const struct toleration *y = &b->spec.tolerations.items[i];
		if (!same(x->key, y->key) || !same(x->operator, y->operator) ||
		    !same(x->value, y->value) || !same(x->effect, y->effect) ||
		    x->toleration_seconds.is_set != y->toleration_seconds.is_set ||
		    x->toleration_seconds.value != y->toleration_seconds.value)
			return false;
	}
	return true;
}

/* K8S: PodUpdated: only a new node or new tolerations matter. */
static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct taint_eviction *c = arg;
	if (type == WATCH_MODIFIED) {
		const struct pod *a = (const void *)obj, *b = (const void *)old;
		if (same(a->spec.node_name, b->spec.node_name) && same_tolerations(a, b))
			return;
	}
	char *key = object_key(obj);
	workqueue_add(c->pod_queue, key);
	free(key);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *taint_eviction_start(const struct client *client)
{
	struct taint_eviction *c = xcalloc(1, sizeof(*c));
	c->client = client;
	/* Looked up per pod and node; their loops only free. */
	hashmap_set_unordered(&c->tainted);
	hashmap_set_unordered(&c->evictions);
	c->node_queue = workqueue_new(&client->clock, "noexec_taint_node", sync_node, c);
	c->pod_queue = workqueue_new(&client->clock, "noexec_taint_pod", sync_pod, c);
	c->pods = informer_new(client, KIND_POD, informer_index_node_name, on_pod, c);
	c->nodes = informer_new(client, KIND_NODE, NULL, on_node, c);
	return c;
}

static void taint_eviction_stop(void *state)
{
	struct taint_eviction *c = state;
	informer_free(c->nodes);
	informer_free(c->pods);
	workqueue_free(c->node_queue);
	workqueue_free(c->pod_queue);
	void *value;
	for (size_t pos = 0; hashmap_next(&c->evictions, &pos, NULL, &value);)
		eviction_free(c, value);
	hashmap_release(&c->evictions);
	for (size_t pos = 0; hashmap_next(&c->tainted, &pos, NULL, &value);)
		taint_set_free(value);
	hashmap_release(&c->tainted);
	free(c);
}

const struct controller_ops taint_eviction_controller = {
	.name = "taint-eviction-controller",
	.start = taint_eviction_start,
	.stop = taint_eviction_stop,
};
