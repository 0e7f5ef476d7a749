/* kubelet_node.c - the kubelet's node: registration, node status, Lease.
 *
 * K8S: pkg/kubelet/kubelet_node_status.go (registerWithAPIServer,
 * initialNode, syncNodeStatus, tryUpdateNodeStatus), nodestatus/setters.go
 * (the conditions, addresses, nodeInfo and images a kubelet reports) and
 * component-helpers/apimachinery/lease/controller.go (the node Lease).
 *
 * A kubelet proves it is alive in two ways. The cheap one is the Lease
 * kube-node-lease/<node>, whose spec.renewTime it moves forward every
 * NODE_LEASE_RENEW_INTERVAL (10s): a tiny write the node lifecycle
 * controller watches. The other is the Node's status: every
 * NODE_STATUS_UPDATE_FREQUENCY (10s) the kubelet works out its status, but
 * writes it only when something other than the heartbeat times changed,
 * or when NODE_STATUS_REPORT_FREQUENCY (5m) passed since the last write.
 * That split (KEP-589) is why a quiet node writes its big Node object
 * only every five minutes.
 *
 * Conditions: MemoryPressure is the eviction manager's
 * (kubelet_eviction.c): True, reason KubeletHasInsufficientMemory, while
 * the node's memory.available is under the eviction threshold and for
 * the pressure transition period after. A sim node never runs short of
 * disk or PIDs, so DiskPressure and PIDPressure are False, and Ready is
 * True whenever the kubelet is up. When the node lifecycle controller has
 * meanwhile set them Unknown (the node was down), the next write turns
 * them back, and each change is an Event ("Node worker-1 status is now:
 * NodeReady"), as upstream's setters record.
 *
 * Start-up Events, as upstream's kubelet emits them at start: Starting
 * ("Starting kubelet."), one per condition that changed, and
 * NodeAllocatableEnforced from the container manager.
 *
 * Interface: kubelet_node_start and kubelet_node_stop (kubelet_sim.h).
 * Invariant: the heartbeat timers are pending exactly while the kubelet
 * is up.
 */
#include "kubelet_sim.h"

#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "xmalloc.h"

#define NODE_LEASE_NAMESPACE "kube-node-lease"
#define WRITE_ATTEMPTS 5	/* re-read and retry on Conflict, as client-go's RetryOnConflict */

/* K8S: nodestatus MemoryPressureCondition, DiskPressureCondition,
 * PIDPressureCondition, ReadyCondition, in the order the setters run
 * (which is the order `kubectl describe node` lists them). */
static const struct condition_row {
	const char *type, *status, *reason, *message, *event;
} condition_rows[] = {
	{ "MemoryPressure", "False", "KubeletHasSufficientMemory",
	  "kubelet has sufficient memory available", "NodeHasSufficientMemory" },
	{ "DiskPressure", "False", "KubeletHasNoDiskPressure",
	  "kubelet has no disk pressure", "NodeHasNoDiskPressure" },
	{ "PIDPressure", "False", "KubeletHasSufficientPID",
	  "kubelet has sufficient PID available", "NodeHasSufficientPID" },
	{ "Ready", "True", "KubeletReady",
	  "kubelet is posting ready status", "NodeReady" },
};
#define CONDITIONS (sizeof(condition_rows) / sizeof(condition_rows[0]))
#define READY_ROW (CONDITIONS - 1)
#define MEMORY_ROW 0

/* K8S: nodestatus MemoryPressureCondition, when the eviction manager
 * reports memory pressure. */
static const struct condition_row memory_pressure_row = {
	"MemoryPressure", "True", "KubeletHasInsufficientMemory",
	"kubelet has insufficient memory available", "NodeHasInsufficientMemory"
};

static const struct condition_row *condition_row(const struct kubelet *kubelet, size_t i)
{
	if (i == MEMORY_ROW && kubelet_eviction_memory_pressure(kubelet))
		return &memory_pressure_row;
	return &condition_rows[i];
}

/* ---- addresses ----------------------------------------------------------- */

/* The node's InternalIP: the one the node came with, else 10.0.x.y from
 * a hash of its name (deterministic; in a very large cluster two nodes
 * may share one, which nothing in the sim routes by). */
static void internal_ip_init(struct kubelet *kubelet)
{
	const struct node_status *st = &kubelet->node->status;
	for (size_t i = 0; i < st->addresses.len; i++)
		if (st->addresses.items[i].type && st->addresses.items[i].address &&
		    !strcmp(st->addresses.items[i].type, "InternalIP")) {
			kubelet->internal_ip = xstrdup(st->addresses.items[i].address);
			return;
		}
	uint64_t h = kubelet_hash(kubelet->node_name, KUBELET_HASH_INIT);
	kubelet->internal_ip = xasprintf("10.0.%u.%u", (unsigned)((h >> 8) & 255),
					 (unsigned)((h & 255) % 254 + 1));
}

/* ---- the status ---------------------------------------------------------- */

static void resources_copy(struct resource_list *dst, const struct resource_list *src)
{
	for (size_t i = 0; i < src->len; i++)
		resource_list_set(dst, src->items[i].name, &src->items[i].quantity);
}

/* Largest first (K8S: sliceutils.ByImageSize); equal sizes by name, so
 * the order never depends on the hash table. */
static int compare_images(const void *a, const void *b)
{
	const struct image_behavior *x = *(const struct image_behavior *const *)a;
	const struct image_behavior *y = *(const struct image_behavior *const *)b;
	int64_t sx = quantity_value(&x->size), sy = quantity_value(&y->size);
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* K8S: nodestatus.Images: the images on the node with their sizes, the
 * 50 largest (nodeStatusMaxImages). A runtime reports an image pulled as
 * "web" under its tag "web:latest"; kubelab does the same, so that the
 * scheduler's ImageLocality, which reads "web" as "web:latest", finds it. */
static void images_fill(const struct kubelet *kubelet, struct node_status *st)
{
	size_t n = kubelet->image_cache.len, i = 0;
	if (!n)
		return;
	const struct image_behavior **images = xcalloc(n, sizeof(*images));
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->image_cache, &pos, &key, &value);)
		images[i++] = value;
	qsort(images, n, sizeof(*images), compare_images);
	if (n > KUBELET_NODE_STATUS_MAX_IMAGES)
		n = KUBELET_NODE_STATUS_MAX_IMAGES;
	st->images.items = xcalloc(n, sizeof(*st->images.items));
	st->images.len = n;
	for (i = 0; i < n; i++) {
		struct container_image *image = &st->images.items[i];
		const char *name = images[i]->name;
		const char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');
		bool tagged = colon && (!slash || colon > slash);
		image->names.items = xcalloc(1, sizeof(char *));
		image->names.items[0] = tagged ? xstrdup(name) : xasprintf("%s:latest", name);
		image->names.len = 1;
		image->size_bytes = quantity_value(&images[i]->size);
	}
	free(images);
}

/* The status the kubelet reports at now. A condition keeps its
 * lastTransitionTime while its status does not change. */
static void status_fill(const struct kubelet *kubelet, const struct node *cur,
			struct node_status *st, ktime_t now)
{
	const struct node_status *want = &kubelet->node->status;
	resources_copy(&st->capacity, &want->capacity);
	resources_copy(&st->allocatable, want->allocatable.len ? &want->allocatable
								: &want->capacity);
	st->conditions.items = xcalloc(CONDITIONS, sizeof(*st->conditions.items));
	st->conditions.len = CONDITIONS;
	for (size_t i = 0; i < CONDITIONS; i++) {
		const struct condition_row *row = condition_row(kubelet, i);
		struct condition *c = &st->conditions.items[i];
		const struct condition *old = cur ? condition_find((void *)&cur->status.conditions,
								   row->type) : NULL;
		c->type = xstrdup(row->type);
		c->status = xstrdup(row->status);
		c->reason = xstrdup(row->reason);
		c->message = xstrdup(row->message);
		c->last_heartbeat_time = now;
		c->last_transition_time = old && old->status && !strcmp(old->status, row->status)
			? old->last_transition_time : now;
	}
	st->addresses.items = xcalloc(2, sizeof(*st->addresses.items));
	st->addresses.len = 2;
	st->addresses.items[0].type = xstrdup("InternalIP");
	st->addresses.items[0].address = xstrdup(kubelet->internal_ip);
	st->addresses.items[1].type = xstrdup("Hostname");
	st->addresses.items[1].address = xstrdup(kubelet->node_name);
	st->node_info.kubelet_version = xstrdup(KUBERNETES_VERSION);
	st->node_info.container_runtime_version = xstrdup("kubelab-sim://" KUBELAB_VERSION);
	st->node_info.os_image = xstrdup("kubelab simulated node");
	st->node_info.architecture = xstrdup("amd64");
	st->node_info.operating_system = xstrdup("linux");
	images_fill(kubelet, st);
	kubelet_volume_fill_in_use(kubelet, st);
	/* volumesAttached is the attach-detach controller's: kept as is. */
	if (cur && cur->status.volumes_attached.len) {
		size_t n = cur->status.volumes_attached.len;
		st->volumes_attached.items = xcalloc(n, sizeof(*st->volumes_attached.items));
		st->volumes_attached.len = n;
		for (size_t i = 0; i < n; i++) {
			const struct attached_volume *a = &cur->status.volumes_attached.items[i];
			st->volumes_attached.items[i].name = xstrdup(a->name);
			st->volumes_attached.items[i].device_path =
				a->device_path ? xstrdup(a->device_path) : NULL;
		}
	}
}

/* K8S: nodeStatusHasChanged: equal but for the heartbeat times. */
static bool status_changed(const struct node_status *cur, struct node_status *st)
{
	ktime_t saved[CONDITIONS];
	for (size_t i = 0; i < CONDITIONS; i++) {
		struct condition *c = &st->conditions.items[i];
		const struct condition *old = condition_find((void *)&cur->conditions, c->type);
		saved[i] = c->last_heartbeat_time;
		if (old)
			c->last_heartbeat_time = old->last_heartbeat_time;
	}
	bool changed = !schema_equal(node_kind.status_schema, cur, st);
	for (size_t i = 0; i < CONDITIONS; i++)
		st->conditions.items[i].last_heartbeat_time = saved[i];
	return changed;
}

/* K8S: recordNodeStatusEvent, called by the condition setters when a
 * condition's status changes (old NULL: the node is new). The start-up
 * order puts NodeAllocatableEnforced before NodeReady, as upstream's
 * container manager enforces allocatable before the runtime is ready. */
static void record_transitions(const struct kubelet *kubelet, const struct node *node,
			       const struct node *old, bool starting)
{
	for (size_t i = 0; i < CONDITIONS; i++) {
		const struct condition_row *row = condition_row(kubelet, i);
		if (i == READY_ROW && starting)
			client_event(kubelet->client, &node->obj, "Normal",
				     "NodeAllocatableEnforced",
				     "Updated Node Allocatable limit across pods");
		const struct condition *c = old ? condition_find((void *)&old->status.conditions,
								 row->type) : NULL;
		if (c && c->status && !strcmp(c->status, row->status))
			continue;
		client_event(kubelet->client, &node->obj, "Normal", row->event,
			     "Node %s status is now: %s", kubelet->node_name, row->event);
	}
}

/* K8S: initialNode: the Node as the kubelet registers it. The well-known
 * labels come first; the node's own labels override them. */
static struct node *initial_node(const struct kubelet *kubelet, ktime_t now)
{
	static const char *const defaults[][2] = {
		{ "beta.kubernetes.io/arch", "amd64" },
		{ "beta.kubernetes.io/os", "linux" },
		{ "kubernetes.io/arch", "amd64" },
		{ "kubernetes.io/hostname", NULL },	/* the node's name */
		{ "kubernetes.io/os", "linux" },
	};
	struct node *node = (struct node *)object_copy(&kubelet->node->obj);
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strmap_has(&node->obj.meta.labels, defaults[i][0]))
			strmap_set(&node->obj.meta.labels, defaults[i][0],
				   defaults[i][1] ? defaults[i][1] : kubelet->node_name);
	struct node_status st = {0};
	status_fill(kubelet, NULL, &st, now);
	schema_release(node_kind.status_schema, &node->status);
	node->status = st;
	return node;
}

/* K8S: tryUpdateNodeStatus. Writes the status when it changed or when
 * force is set; returns the node as stored afterwards (a reference the
 * caller drops), or NULL when there is no Node or nothing was written.
 * *old gets a reference to the node before the write, for Events. */
static struct node *update_status(struct kubelet *kubelet, bool force,
				  struct node **old)
{
	ktime_t now = client_now(kubelet->client);
	*old = NULL;
	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		const struct object *obj = client_get(kubelet->client, KIND_NODE, NULL,
						      kubelet->node_name);
		if (!obj)
			return NULL;	/* deleted under us; upstream logs and waits */
		const struct node *cur = (const struct node *)obj;
		/* The status depends only on the stored one and the image
		 * cache and pressure: when none changed since the last look, neither
		 * did the outcome (a shortcut, not a difference from upstream). */
		if (!force && obj->meta.resource_version == kubelet->node_rv_checked &&
		    !kubelet->images_changed && !kubelet->pressure_changed &&
		    !kubelet->volumes_changed)
			return NULL;
		kubelet->node_rv_checked = obj->meta.resource_version;
		kubelet->images_changed = kubelet->pressure_changed = false;
		kubelet->volumes_changed = false;
		struct node_status st = {0};
		status_fill(kubelet, cur, &st, now);
		if (!force && !status_changed(&cur->status, &st)) {
			schema_release(node_kind.status_schema, &st);
			return NULL;
		}
		struct node *next = (struct node *)object_copy(obj);
		schema_release(node_kind.status_schema, &next->status);
		next->status = st;
		struct node *before = (struct node *)object_ref(obj);
		enum api_code code = client_update_status(kubelet->client, &next->obj, NULL);
		if (code == API_OK) {
			*old = before;
			kubelet->last_status_report = now;
			const struct object *stored = client_get(kubelet->client, KIND_NODE,
								 NULL, kubelet->node_name);
			kubelet->node_rv_checked = stored->meta.resource_version;
			return (struct node *)object_ref(stored);
		}
		object_unref(&before->obj);
		if (code != API_CONFLICT)
			return NULL;
	}
	return NULL;
}

/* ---- the Lease ----------------------------------------------------------- */

static void set_owner(struct lease *lease, const struct object *node)
{
	if (!node || lease->obj.meta.owner_references.len)
		return;
	lease->obj.meta.owner_references.items = xcalloc(1, sizeof(struct owner_reference));
	lease->obj.meta.owner_references.len = 1;
	struct owner_reference *ref = &lease->obj.meta.owner_references.items[0];
	ref->api_version = xstrdup("v1");
	ref->kind = xstrdup("Node");
	ref->name = xstrdup(node->meta.name);
	ref->uid = xstrdup(node->meta.uid);
}

/* K8S: lease controller sync: create the Lease if it is missing, else move
 * renewTime to now. The Node owns its Lease, so deleting the Node deletes
 * the Lease too (garbage collector). */
static void lease_renew(struct kubelet *kubelet)
{
	const struct client *client = kubelet->client;
	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		const struct object *node = client_get(client, KIND_NODE, NULL,
						       kubelet->node_name);
		const struct object *cur = client_get(client, KIND_LEASE, NODE_LEASE_NAMESPACE,
						      kubelet->node_name);
		struct lease *lease;
		if (cur) {
			lease = (struct lease *)object_copy(cur);
		} else {
			lease = (struct lease *)object_new(&lease_kind);
			lease->obj.meta.name = xstrdup(kubelet->node_name);
			lease->obj.meta.namespace = xstrdup(NODE_LEASE_NAMESPACE);
		}
		free(lease->spec.holder_identity);
		lease->spec.holder_identity = xstrdup(kubelet->node_name);
		lease->spec.lease_duration_seconds = NODE_LEASE_DURATION_SECONDS;
		lease->spec.renew_time = client_now(client);
		set_owner(lease, node);
		enum api_code code = cur ? client_update(client, &lease->obj, NULL)
					 : client_create(client, &lease->obj, NULL);
		if (code != API_CONFLICT && code != API_ALREADY_EXISTS)
			return;
	}
}

/* ---- the heartbeat timers ------------------------------------------------ */

static void lease_tick(void *arg)
{
	struct kubelet *kubelet = arg;
	kubelet->lease_timer = clock_after(&kubelet->client->clock,
					   NODE_LEASE_RENEW_INTERVAL, lease_tick, kubelet);
	lease_renew(kubelet);
}

/* K8S: syncNodeStatus every nodeStatusUpdateFrequency; the write happens
 * only on a change or once nodeStatusReportFrequency has passed. */
static void status_tick(void *arg)
{
	struct kubelet *kubelet = arg;
	ktime_t now = client_now(kubelet->client);
	kubelet->status_timer = clock_after(&kubelet->client->clock,
					    NODE_STATUS_UPDATE_FREQUENCY, status_tick, kubelet);
	bool force = now - kubelet->last_status_report >= NODE_STATUS_REPORT_FREQUENCY;
	struct node *old = NULL;
	struct node *node = update_status(kubelet, force, &old);
	if (node)
		record_transitions(kubelet, node, old, false);
	if (old)
		object_unref(&old->obj);
	if (node)
		object_unref(&node->obj);
}

/* K8S: Kubelet.Run then registerWithAPIServer: a new Node is created; an
 * existing one (the kubelet restarted) gets its status updated. */
void kubelet_node_start(struct kubelet *kubelet)
{
	const struct client *client = kubelet->client;
	ktime_t now = client_now(client);
	if (!kubelet->internal_ip)
		internal_ip_init(kubelet);
	const struct object *stored = client_get(client, KIND_NODE, NULL, kubelet->node_name);
	bool exists = stored != NULL;
	/* Recording an Event is a write: keep the node object alive past it. */
	struct object *subject = object_ref(stored ? stored : &kubelet->node->obj);
	client_event(client, subject, "Normal", "Starting", "Starting kubelet.");
	object_unref(subject);
	struct node *old = NULL, *node = NULL;
	if (exists) {
		node = update_status(kubelet, true, &old);
	} else if (client_create(client, &initial_node(kubelet, now)->obj, NULL) == API_OK) {
		kubelet->last_status_report = now;
		node = (struct node *)object_ref(client_get(client, KIND_NODE, NULL,
							    kubelet->node_name));
		kubelet->node_rv_checked = node->obj.meta.resource_version;
		kubelet->images_changed = false;
	}
	if (node)
		record_transitions(kubelet, node, old, true);
	if (old)
		object_unref(&old->obj);
	if (node)
		object_unref(&node->obj);
	lease_renew(kubelet);
	kubelet->lease_timer = clock_after(&client->clock, NODE_LEASE_RENEW_INTERVAL,
					   lease_tick, kubelet);
	kubelet->status_timer = clock_after(&client->clock, NODE_STATUS_UPDATE_FREQUENCY,
					    status_tick, kubelet);
}

void kubelet_node_stop(struct kubelet *kubelet)
{
	const struct clock *clock = &kubelet->client->clock;
	if (kubelet->lease_timer)
		clock_cancel(clock, kubelet->lease_timer);
	if (kubelet->status_timer)
		clock_cancel(clock, kubelet->status_timer);
	kubelet->lease_timer = kubelet->status_timer = 0;
}
