/* ctrl_attach_detach.c - the attach-detach controller: disks follow pods.
 *
 * K8S: pkg/controller/volume/attachdetach/attach_detach_controller.go,
 * reconciler/reconciler.go (reconcile: detach first, then attach;
 * maxWaitForUnmountDuration 6 min; the out-of-service taint;
 * reportMultiAttachError), cache/desired_state_of_world.go and
 * actual_state_of_world.go, and util.IsMultiAttachAllowed.
 *
 * A cloud disk must be attached to a node before the kubelet there can
 * mount it, and a ReadWriteOnce disk can be attached to one node at a
 * time. This controller compares two pictures:
 *   desired: every volume of every pod that is bound to a node and not
 *     finished, on that node (only attachable, i.e. CSI, volumes);
 *   actual: what each Node's status.volumesAttached lists.
 * and makes them agree, detaching first:
 *   - a volume attached but no longer desired is detached once the node
 *     no longer reports it in use (status.volumesInUse: the kubelet has
 *     unmounted it). A dead node never reports that: after
 *     maxWaitForUnmountDuration (6 min) from the moment the volume stopped
 *     being desired, on a node that is not Ready, it is force-detached.
 *     With the node.kubernetes.io/out-of-service taint it is detached at
 *     once (GA in v1.28: the administrator vouches the node is off);
 *   - a volume desired but not attached is attached (event
 *     SuccessfulAttachVolume on the pod), unless it is ReadWriteOnce and
 *     still attached to another node: then the pod gets, once, the
 *     Warning FailedAttachVolume "Multi-Attach error ..." and waits.
 *
 * What that means for a StatefulSet pod whose node died: its pod is not
 * deleted by anyone but a person (the node lifecycle controller's
 * eviction only marks it Terminating; nothing can confirm its containers
 * stopped), so its volume stays desired there. Once the pod is force-
 * deleted, the StatefulSet makes it again and the scheduler places it
 * elsewhere, and the volume is detached 6 min after the deletion (or at
 * once with the out-of-service taint), then attached to the new node.
 *
 * Not modelled: VolumeAttachment objects and the external-attacher (the
 * controller writes volumesAttached itself, at once), attach and detach
 * latency, attach limits, the --disable-force-detach-on-timeout flag.
 * Costs: a reconcile lists the pods that use claims and the nodes; it runs
 * only when such a pod, a claim, or a node with volumes changes. The pod
 * and node informers start with the first claim (see on_claim).
 *
 * Interface: the attach_detach_controller row (controller.h).
 * Invariant: a volume that does not allow multi-attach is never listed in
 * two nodes' volumesAttached.
 */
#include "controller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "ctrl_volume_util.h"
#include "hashmap.h"
#include "workqueue.h"
#include "xmalloc.h"

/* K8S: maxWaitForUnmountDuration (attach_detach_controller.go). */
#define MAX_WAIT_FOR_UNMOUNT (6 * KTIME_MINUTE)
#define RECONCILE_KEY "reconcile"
#define PVC_INDEX "uses-claims"

struct adc {
	const struct client *client;
	struct informer *pods, *nodes, *claims;
	struct workqueue *queue;
	struct hashmap detach_requested;	/* "volume@node" -> ktime_t * */
	struct hashmap multi_attach_reported;	/* "pod uid/volume" -> adc */
};

/* One desired attachment. */
struct want {
	char *volume;			/* unique name */
	const char *pv_name;		/* borrowed from the store */
	const char *node;
	const struct pod *pod;
	bool multi_ok;
};

static bool uses_claims(const struct pod *pod)
{
	for (size_t i = 0; i < pod->spec.volumes.len; i++)
		if (pod->spec.volumes.items[i].persistent_volume_claim.claim_name)
			return true;
	return false;
}

static char *index_claim_users(const struct object *obj)
{
	return uses_claims(object_as(obj, KIND_POD, const struct pod)) ? xstrdup(PVC_INDEX)
									 : NULL;
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct adc *c = arg;
	(void)type;
	(void)old;
	if (uses_claims(object_as(obj, KIND_POD, const struct pod)))
		workqueue_add(c->queue, RECONCILE_KEY);
}

static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old);

/* Speed only: the pod and node informers start with the first claim. A
 * cluster without claims has nothing to attach, and 150,000 pods' watch
 * events would cost it 6% more engine events for nothing; a pod can only
 * need an attachment through a claim, and the informers list what exists
 * when they start, so nothing is missed. */
static void on_claim(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct adc *c = arg;
	(void)type;
	(void)obj;
	(void)old;
	if (!c->pods) {
		c->nodes = informer_new(c->client, KIND_NODE, NULL, on_node, c);
		c->pods = informer_new(c->client, KIND_POD, index_claim_users, on_pod, c);
	}
	workqueue_add(c->queue, RECONCILE_KEY);
}

static bool has_volumes(const struct node *node)
{
	return node->status.volumes_attached.len || node->status.volumes_in_use.len;
}

static void on_node(void *arg, enum watch_type type, const struct object *obj,
		    const struct object *old)
{
	struct adc *c = arg;
	const struct node *node = object_as(obj, KIND_NODE, const struct node);
	const struct node *before = old ? object_as(old, KIND_NODE, const struct node) : NULL;
	if (has_volumes(node) || (before && has_volumes(before)) ||
	    (before && node->spec.taints.len != before->spec.taints.len) ||
	    type == WATCH_DELETED)
		workqueue_add(c->queue, RECONCILE_KEY);
}

/* ---- the two pictures ---------------------------------------------------- */

static bool is_terminal(const struct pod *pod)
{
	const char *phase = pod->status.phase;
	return phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
}

/* K8S: the desired state of the world populator. */
static void desired(struct adc *c, struct want **out, size_t *len)
{
	struct object_list pods = { 0 };
	informer_list_index(c->pods, PVC_INDEX, &pods);
	size_t cap = 0;
	*out = NULL;
	*len = 0;
	for (size_t i = 0; i < pods.len; i++) {
		const struct pod *pod = object_as(pods.items[i], KIND_POD, const struct pod);
		if (!pod->spec.node_name || is_terminal(pod))
			continue;
		for (size_t j = 0; j < pod->spec.volumes.len; j++) {
			const char *pv_name = ctrl_volume_pod_claim_volume(
				c->client, pod, &pod->spec.volumes.items[j], NULL);
			const struct object *obj = pv_name ?
				client_get(c->client, KIND_PERSISTENTVOLUME, NULL, pv_name) : NULL;
			if (!obj)
				continue;
			const struct persistent_volume *pv =
				object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
			char *unique = ctrl_volume_unique_name(pv);
			if (!unique)
				continue;
			xgrow((void **)out, &cap, *len + 1, sizeof(**out));
			(*out)[(*len)++] = (struct want){
				.volume = unique, .pv_name = pv->obj.meta.name,
				.node = pod->spec.node_name, .pod = pod,
				.multi_ok = ctrl_volume_multi_attach_allowed(pv),
			};
		}
	}
	object_list_release(&pods);	/* the pods stay in the informer's cache */
}

static bool is_desired(const struct want *wants, size_t len, const char *volume,
		       const char *node)
{
	for (size_t i = 0; i < len; i++)
		if (!strcmp(wants[i].volume, volume) && !strcmp(wants[i].node, node))
			return true;
	return false;
}

static bool attached_to(const struct node *node, const char *volume)
{
	for (size_t i = 0; i < node->status.volumes_attached.len; i++)
		if (!strcmp(node->status.volumes_attached.items[i].name, volume))
			return true;
	return false;
}

static bool in_use(const struct node *node, const char *volume)
{
	for (size_t i = 0; i < node->status.volumes_in_use.len; i++)
		if (!strcmp(node->status.volumes_in_use.items[i], volume))
			return true;
	return false;
}

static bool node_healthy(const struct node *node)
{
	for (size_t i = 0; i < node->status.conditions.len; i++) {
		const struct condition *cond = &node->status.conditions.items[i];
		if (cond->type && !strcmp(cond->type, "Ready"))
			return cond->status && !strcmp(cond->status, "True");
	}
	return false;
}

static bool out_of_service(const struct node *node)
{
	for (size_t i = 0; i < node->spec.taints.len; i++)
		if (node->spec.taints.items[i].key &&
		    !strcmp(node->spec.taints.items[i].key, TAINT_NODE_OUT_OF_SERVICE))
			return true;
	return false;
}

/* Adds (attach) or removes volume in node's status.volumesAttached. */
static int write_attached(struct adc *c, const char *node_name, const char *volume,
			  bool attach)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		const struct object *obj = client_get(c->client, KIND_NODE, NULL, node_name);
		if (!obj)
			return -1;
		struct node *copy = (struct node *)object_copy(obj);
		struct node_status *st = &copy->status;
		if (attach) {
			size_t n = st->volumes_attached.len;
			st->volumes_attached.items = xrealloc(st->volumes_attached.items,
							      (n + 1) * sizeof(struct attached_volume));
			st->volumes_attached.items[n] = (struct attached_volume){
				.name = xstrdup(volume), .device_path = xstrdup(""),
			};
			st->volumes_attached.len = n + 1;
		} else {
			size_t k = 0;
			for (size_t i = 0; i < st->volumes_attached.len; i++) {
				struct attached_volume *a = &st->volumes_attached.items[i];
				if (!strcmp(a->name, volume)) {
					free(a->name);
					free(a->device_path);
				} else {
					st->volumes_attached.items[k++] = *a;
				}
			}
			st->volumes_attached.len = k;
		}
		struct api_status status;
		enum api_code code = client_update_status(c->client, &copy->obj, &status);
		if (code == API_OK)
			return 0;
		if (code != API_CONFLICT)
			return -1;
	}
	return -1;
}

/* ---- the reconciler ------------------------------------------------------ */

/* LAB: adc-detach. Returns the time until a force detach is due, or 0. */
static ktime_t reconcile_detach(struct adc *c, const struct want *wants, size_t len,
				struct object_list *nodes)
{
	ktime_t now = client_now(c->client), next = 0;
	for (size_t i = 0; i < nodes->len; i++) {
		const struct node *node = object_as(nodes->items[i], KIND_NODE, const struct node);
		/* Copy the names: a detach writes the node. */
		size_t n = node->status.volumes_attached.len;
		char **names = xcalloc(n ? n : 1, sizeof(*names));
		for (size_t j = 0; j < n; j++)
			names[j] = xstrdup(node->status.volumes_attached.items[j].name);
		bool healthy = node_healthy(node), oos = out_of_service(node);
		char *node_name = xstrdup(node->obj.meta.name);
		for (size_t j = 0; j < n; j++) {
			char *key = xasprintf("%s@%s", names[j], node_name);
			ktime_t *since = hashmap_get(&c->detach_requested, key);
			if (is_desired(wants, len, names[j], node_name)) {
				free(hashmap_remove(&c->detach_requested, key));
				free(key);
				continue;
			}
			if (!since) {	/* K8S: MarkDesireToDetach */
				since = xmalloc(sizeof(*since));
				*since = now;
				hashmap_put(&c->detach_requested, key, since);
			}
			bool timeout = now - *since >= MAX_WAIT_FOR_UNMOUNT;
			bool force = !healthy && timeout;
			const struct object *cur = client_get(c->client, KIND_NODE, NULL, node_name);
			bool mounted = cur && in_use(object_as(cur, KIND_NODE, const struct node),
						     names[j]);
			if (mounted && !force && !oos) {
				/* Still mounted: wait for the kubelet, or for the
				 * timeout on a node that is not Ready. */
				ktime_t left = *since + MAX_WAIT_FOR_UNMOUNT - now;
				if (!healthy && (!next || left < next))
					next = left;
				free(key);
				continue;
			}
			if (write_attached(c, node_name, names[j], false) == 0)
				free(hashmap_remove(&c->detach_requested, key));
			free(key);
		}
		for (size_t j = 0; j < n; j++)
			free(names[j]);
		free(names);
		free(node_name);
	}
	return next;
}

/* K8S: reportMultiAttachError, once per pod and volume. */
static void report_multi_attach(struct adc *c, const struct want *w, const struct want *wants,
				size_t len)
{
	char *key = xasprintf("%s/%s", w->pod->obj.meta.uid, w->volume);
	if (hashmap_get(&c->multi_attach_reported, key)) {
		free(key);
		return;
	}
	hashmap_put(&c->multi_attach_reported, key, c);
	free(key);
	char users[256] = "";
	for (size_t i = 0; i < len; i++) {
		const struct want *o = &wants[i];
		if (strcmp(o->volume, w->volume) || !strcmp(o->node, w->node) ||
		    strcmp(o->pod->obj.meta.namespace, w->pod->obj.meta.namespace))
			continue;
		size_t used = strlen(users);
		snprintf(users + used, sizeof(users) - used, "%s%s", used ? ", " : "",
			 o->pod->obj.meta.name);
	}
	if (*users)
		client_event(c->client, &w->pod->obj, "Warning", "FailedAttachVolume",
			     "Multi-Attach error for volume \"%s\" Volume is already used "
			     "by pod(s) %s", w->pv_name, users);
	else
		client_event(c->client, &w->pod->obj, "Warning", "FailedAttachVolume",
			     "Multi-Attach error for volume \"%s\" Volume is already "
			     "exclusively attached to one node and can't be attached to "
			     "another", w->pv_name);
}

/* LAB: adc-attach. */
static void reconcile_attach(struct adc *c, const struct want *wants, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const struct want *w = &wants[i];
		const struct object *obj = client_get(c->client, KIND_NODE, NULL, w->node);
		if (!obj || attached_to(object_as(obj, KIND_NODE, const struct node), w->volume))
			continue;
		bool elsewhere = false;
		struct object_list nodes = { 0 };
		informer_list(c->nodes, NULL, &nodes);
		for (size_t j = 0; !elsewhere && j < nodes.len; j++) {
			const struct node *other =
				object_as(nodes.items[j], KIND_NODE, const struct node);
			elsewhere = strcmp(other->obj.meta.name, w->node) &&
				    attached_to(other, w->volume);
		}
		object_list_release(&nodes);
		if (elsewhere && !w->multi_ok) {
			report_multi_attach(c, w, wants, len);
			continue;
		}
		struct object *pod = object_ref(&w->pod->obj);	/* across the write */
		if (write_attached(c, w->node, w->volume, true) == 0)
			client_event(c->client, pod, "Normal", "SuccessfulAttachVolume",
				     "AttachVolume.Attach succeeded for volume \"%s\"", w->pv_name);
		object_unref(pod);
	}
}

static int sync(void *arg, const char *key)
{
	struct adc *c = arg;
	(void)key;
	if (!c->pods)
		return 0;	/* no claim ever: nothing to do */
	struct want *wants;
	size_t len;
	desired(c, &wants, &len);
	/* Reference what the writes below could replace. */
	for (size_t i = 0; i < len; i++)
		object_ref(&wants[i].pod->obj);
	struct object_list nodes = { 0 };
	informer_list(c->nodes, NULL, &nodes);
	for (size_t i = 0; i < nodes.len; i++)
		object_ref(nodes.items[i]);
	ktime_t next = reconcile_detach(c, wants, len, &nodes);
	for (size_t i = 0; i < nodes.len; i++)
		object_unref((struct object *)nodes.items[i]);
	object_list_release(&nodes);
	reconcile_attach(c, wants, len);
	for (size_t i = 0; i < len; i++) {
		object_unref((struct object *)&wants[i].pod->obj);
		free(wants[i].volume);
	}
	free(wants);
	if (next)
		workqueue_add_after(c->queue, RECONCILE_KEY, next);
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static void *adc_start(const struct client *client)
{
	struct adc *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "volumes", sync, c);
	c->claims = informer_new(client, KIND_PERSISTENTVOLUMECLAIM, NULL, on_claim, c);
	return c;
}

static void adc_stop(void *state)
{
	struct adc *c = state;
	if (c->pods) {
		informer_free(c->pods);
		informer_free(c->nodes);
	}
	informer_free(c->claims);
	workqueue_free(c->queue);
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&c->detach_requested, &pos, &key, &value);)
		free(value);
	hashmap_release(&c->detach_requested);
	hashmap_release(&c->multi_attach_reported);
	free(c);
}

const struct controller_ops attach_detach_controller = {
	.name = "attachdetach-controller",
	.start = adc_start,
	.stop = adc_stop,
};
