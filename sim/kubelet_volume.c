/* kubelet_volume.c - the volume manager: a pod waits for its volumes.
 *
 * K8S: pkg/kubelet/volumemanager/volume_manager.go (WaitForAttachAndMount,
 * podAttachAndMountTimeout 2m3s, podAttachAndMountRetryInterval 300ms,
 * GetVolumesInUse), volumemanager/reconciler (VerifyControllerAttached-
 * Volume needs the volume reported in use and listed in the node's
 * status.volumesAttached), kubelet_node_status.go (volumesInUse in the
 * node status), and kubelet.go syncPod ("Unable to attach or mount
 * volumes: ..." FailedMount).
 *
 * A container cannot start before its volumes are mounted. For a volume
 * that comes from a PersistentVolumeClaim the kubelet needs the claim
 * bound, and for an attachable (CSI) volume two things more, in order:
 *   1. the volume is reported in use: the kubelet lists it in its Node's
 *      status.volumesInUse at its next node status update (every 10 s),
 *      which tells the attach-detach controller not to pull it away;
 *   2. the attach-detach controller has attached it to this node: it is
 *      in the Node's status.volumesAttached.
 * Then it mounts (at once, in the sim) and the containers start. A pod
 * whose volumes are not ready within 2m3s gets a FailedMount event, and
 * the kubelet keeps waiting (upstream's pod worker retries syncPod).
 *
 * A node that goes down stops updating its status: its volumesInUse stay
 * as they were, so the controller believes the volumes still mounted.
 * That is why a volume of a pod on a dead node cannot move at once
 * (ctrl_attach_detach.c).
 *
 * Not modelled: unmount and the volumes' own timings (mount, format),
 * volume plugins other than PVC-backed ones (emptyDir, configMap and
 * hostPath need no wait), reconstruction after a kubelet restart.
 * Costs: pods without claims pay one pass over spec.volumes per sync.
 */
#include "kubelet_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_volume_util.h"
#include "xmalloc.h"

/* K8S: podAttachAndMountTimeout and podAttachAndMountRetryInterval. */
#define ATTACH_AND_MOUNT_TIMEOUT (2 * KTIME_MINUTE + 3 * KTIME_SECOND)
#define ATTACH_AND_MOUNT_RETRY (300 * KTIME_MS)

static bool list_has(const void *list, const char *name)
{
	const struct list_any *l = list;
	for (size_t i = 0; i < l->len; i++)
		if (!strcmp(((char *const *)l->items)[i], name))
			return true;
	return false;
}

static bool attached_here(const struct node *node, const char *name)
{
	for (size_t i = 0; i < node->status.volumes_attached.len; i++)
		if (!strcmp(node->status.volumes_attached.items[i].name, name))
			return true;
	return false;
}

static void names_release(struct kubelet_pod_volumes *pv)
{
	for (size_t i = 0; i < pv->names_len; i++)
		free(pv->names[i]);
	free(pv->names);
	pv->names = NULL;
	pv->names_len = 0;
}

static void retry(void *arg)
{
	struct kubelet_worker *worker = arg;
	worker->volumes->timer = 0;
	kubelet_pod_sync(worker);
}

static bool has_claims(const struct pod *pod)
{
	for (size_t i = 0; i < pod->spec.volumes.len; i++)
		if (pod->spec.volumes.items[i].persistent_volume_claim.claim_name)
			return true;
	return false;
}

/* Appends "name" to a "[a b]"-style list as Go's %v prints []string. */
static void list_add(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

/* LAB: kubelet-volumes. K8S: WaitForAttachAndMount, one poll. */
bool kubelet_volume_ready(struct kubelet_worker *worker)
{
	struct kubelet *kubelet = worker->kubelet;
	const struct client *client = kubelet->client;
	const struct pod *pod = worker->pod;
	if (worker->volumes_ready)
		return true;
	if (!has_claims(pod)) {
		worker->volumes_ready = true;	/* nothing to wait for */
		return true;
	}
	if (!worker->volumes)
		worker->volumes = xcalloc(1, sizeof(*worker->volumes));
	struct kubelet_pod_volumes *pv = worker->volumes;
	const struct object *node_obj = client_get(client, KIND_NODE, NULL, kubelet->node_name);
	const struct node *node = node_obj ? object_as(node_obj, KIND_NODE, const struct node)
					   : NULL;
	char unmounted[256] = "", unattached[256] = "";
	char **names = NULL;
	size_t names_len = 0;
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const struct volume *v = &pod->spec.volumes.items[i];
		if (!v->persistent_volume_claim.claim_name)
			continue;
		const char *pv_name = ctrl_volume_pod_claim_volume(client, pod, v, NULL);
		const struct object *pv_obj = pv_name ?
			client_get(client, KIND_PERSISTENTVOLUME, NULL, pv_name) : NULL;
		if (!pv_obj) {
			list_add(unmounted, sizeof(unmounted), v->name);
			continue;
		}
		char *unique = ctrl_volume_unique_name(
			object_as(pv_obj, KIND_PERSISTENTVOLUME, const struct persistent_volume));
		if (!unique)
			continue;	/* not attachable: mounts at once */
		names = xrealloc(names, (names_len + 1) * sizeof(*names));
		names[names_len++] = unique;
		bool in_use = node && list_has(&node->status.volumes_in_use, unique);
		if (!in_use || !attached_here(node, unique)) {
			list_add(unmounted, sizeof(unmounted), v->name);
			list_add(unattached, sizeof(unattached), v->name);
		}
	}
	/* What the next node status reports in use (desired state). */
	bool changed = names_len != pv->names_len;
	for (size_t i = 0; !changed && i < names_len; i++)
		changed = strcmp(names[i], pv->names[i]) != 0;
	names_release(pv);
	pv->names = names;
	pv->names_len = names_len;
	if (changed)
		kubelet->volumes_changed = true;
	if (!*unmounted) {
		worker->volumes_ready = true;
		return true;
	}
	ktime_t now = client_now(client);
	if (!pv->wait_since)
		pv->wait_since = now;
	if (now - pv->wait_since >= ATTACH_AND_MOUNT_TIMEOUT) {
		kubelet_pod_event(worker, "Warning", "FailedMount",
				  "Unable to attach or mount volumes: unmounted volumes=[%s], "
				  "unattached volumes=[%s], failed to process volumes=[]: "
				  "context deadline exceeded", unmounted, unattached);
		pv->wait_since = now;	/* the next syncPod waits anew */
	}
	if (!pv->timer)
		pv->timer = clock_after(&client->clock, ATTACH_AND_MOUNT_RETRY, retry, worker);
	return false;
}

void kubelet_volume_cancel(struct kubelet_worker *worker)
{
	struct kubelet_pod_volumes *pv = worker->volumes;
	if (pv && pv->timer)
		clock_cancel(&worker->kubelet->client->clock, pv->timer);
	if (pv)
		pv->timer = 0;
}

void kubelet_volume_release(struct kubelet_worker *worker)
{
	struct kubelet_pod_volumes *pv = worker->volumes;
	if (!pv)
		return;
	kubelet_volume_cancel(worker);
	if (pv->names_len)
		worker->kubelet->volumes_changed = true;
	names_release(pv);
	free(pv);
	worker->volumes = NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* K8S: GetVolumesInUse: sorted, each once. A terminal pod's volumes are
 * unmounted and leave the list. */
void kubelet_volume_fill_in_use(const struct kubelet *kubelet, struct node_status *st)
{
	const char *key;
	void *value;
	size_t len = 0, cap = 0;
	char **names = NULL;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);) {
		const struct kubelet_worker *worker = value;
		if (worker->terminal || !worker->volumes)
			continue;
		for (size_t i = 0; i < worker->volumes->names_len; i++) {
			xgrow((void **)&names, &cap, len + 1, sizeof(*names));
			names[len++] = worker->volumes->names[i];
		}
	}
	if (!len)
		return;
	qsort(names, len, sizeof(*names), name_cmp);
	char **out = xcalloc(len, sizeof(*out));
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (!n || strcmp(out[n - 1], names[i]))
			out[n++] = xstrdup(names[i]);
	free(names);
	st->volumes_in_use.items = out;
	st->volumes_in_use.len = n;
}
