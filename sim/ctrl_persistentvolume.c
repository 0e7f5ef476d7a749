/* ctrl_persistentvolume.c - the PV controller: binds claims to volumes.
 *
 * K8S: pkg/controller/volume/persistentvolume/pv_controller.go (syncClaim,
 * syncUnboundClaim, syncBoundClaim, syncVolume, bind, reclaimVolume),
 * pv_controller_base.go (the two work queues), and
 * component-helpers/storage/volume/pv_helpers.go (FindMatchingVolume).
 *
 * A PersistentVolumeClaim is a request ("1Gi, ReadWriteOnce, class
 * fast"); a PersistentVolume is storage. This controller pairs them, both
 * ways: the volume's spec.claimRef names the claim, the claim's
 * spec.volumeName names the volume, and both turn phase Bound. It syncs
 * claims and volumes in two queues:
 *
 *   claim, unbound (no volumeName):
 *     - no class at all (storageClassName unset): give it the default
 *       StorageClass when there is one (retroactive default class, GA in
 *       v1.28);
 *     - class WaitForFirstConsumer and no volume.kubernetes.io/
 *       selected-node yet: wait, event WaitForFirstConsumer; the scheduler
 *       sets the annotation when it places the first pod that uses it;
 *     - else the smallest Available volume that fits (pre-bound ones
 *       first; for a selected node only volumes reachable from it): bind;
 *     - else, when the class has a provisioner: provision one
 *       (ctrl_persistentvolume_provision.c) and bind it on the next sync;
 *     - else stay Pending: event FailedBinding.
 *   claim, bound: phase Bound with the volume's capacity and access
 *     modes; Lost (event ClaimLost) when its volume disappeared.
 *   volume: Available when no claim; Bound while its claim exists;
 *     Released once the claim is gone, then its reclaimPolicy: Retain
 *     keeps it (an administrator must clean up), Delete deletes it.
 *
 * Not modelled: the pvc-protection and pv-protection finalizers (a claim
 * in use is deleted at once), Recycle, volume expansion, the beta class
 * annotation, a provisioning delay (the simulated provisioner answers at
 * once), external provisioners as separate components.
 *
 * Interface: the persistentvolume_controller row (controller.h).
 * Invariants: a volume is bound to at most one claim and a claim to at
 * most one volume; the controller never binds a claim of another class.
 * See also: ctrl_volume_util.c (matching), sched_volume_binding.c (the
 * scheduler's side), ctrl_attach_detach.c.
 */
#include "ctrl_persistentvolume.h"

#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "ctrl_volume_util.h"
#include "workqueue.h"
#include "xmalloc.h"

struct pv_controller {
	const struct client *client;
	struct informer *claims, *volumes, *classes;
	struct workqueue *claim_queue, *volume_queue;
};

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static void enqueue_claim(struct pv_controller *c, const char *namespace, const char *name)
{
	char *key = xasprintf("%s/%s", namespace, name);
	workqueue_add(c->claim_queue, key);
	free(key);
}

/* Every claim that is not bound yet: a new volume or class may serve it.
 * K8S: upstream relies on the 15 s informer resync; kubelab reacts at once. */
static void enqueue_pending_claims(struct pv_controller *c)
{
	struct object_list list = { 0 };
	informer_list(c->claims, NULL, &list);
	for (size_t i = 0; i < list.len; i++) {
		const struct persistent_volume_claim *claim =
			object_as(list.items[i], KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		if (!ctrl_volume_claim_is_bound(claim))
			enqueue_claim(c, claim->obj.meta.namespace, claim->obj.meta.name);
	}
	object_list_release(&list);
}

static void on_claim(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	struct pv_controller *c = arg;
	(void)old;
	const struct persistent_volume_claim *claim =
		object_as(obj, KIND_PERSISTENTVOLUMECLAIM, const struct persistent_volume_claim);
	if (type == WATCH_DELETED) {
		/* K8S: deleteClaim: its volume is now Released. */
		if (ctrl_volume_claim_is_bound(claim))
			workqueue_add(c->volume_queue, claim->spec.volume_name);
		return;
	}
	enqueue_claim(c, obj->meta.namespace, obj->meta.name);
}

static void on_volume(void *arg, enum watch_type type, const struct object *obj,
		      const struct object *old)
{
	struct pv_controller *c = arg;
	(void)old;
	const struct persistent_volume *pv =
		object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
	if (type != WATCH_DELETED)
		workqueue_add(c->volume_queue, obj->meta.name);
	if (pv->spec.claim_ref.name && pv->spec.claim_ref.namespace)
		enqueue_claim(c, pv->spec.claim_ref.namespace, pv->spec.claim_ref.name);
	else if (type != WATCH_DELETED)
		enqueue_pending_claims(c);
}

static void on_class(void *arg, enum watch_type type, const struct object *obj,
		     const struct object *old)
{
	(void)obj;
	(void)old;
	if (type != WATCH_DELETED)
		enqueue_pending_claims(arg);
}

/* ---- status writes ------------------------------------------------------- */

static int set_volume_phase(struct pv_controller *c, const struct persistent_volume *pv,
			    const char *phase)
{
	if (str_eq(pv->status.phase, phase))
		return 0;
	struct persistent_volume_status status = { 0 };
	schema_copy(pv->obj.kind->status_schema, &status, &pv->status);
	free(status.phase);
	status.phase = xstrdup(phase);
	int rc = ctrl_update_status(c->client, &pv->obj, &status, 3);
	schema_release(pv->obj.kind->status_schema, &status);
	return rc;
}

/* K8S: updateClaimStatus: phase, and when Bound the volume's capacity and
 * access modes. */
static int set_claim_status(struct pv_controller *c,
			    const struct persistent_volume_claim *claim, const char *phase,
			    const struct persistent_volume *pv)
{
	const struct schema *schema = claim->obj.kind->status_schema;
	struct persistent_volume_claim_status status = { 0 };
	schema_copy(schema, &status, &claim->status);
	free(status.phase);
	status.phase = xstrdup(phase);
	if (pv) {
		ctrl_volume_strlist_copy(&status.access_modes, &pv->spec.access_modes);
		const struct quantity *q = resource_list_get(&pv->spec.capacity, "storage");
		if (q)
			resource_list_set(&status.capacity, "storage", q);
	}
	int rc = ctrl_update_status(c->client, &claim->obj, &status, 3);
	schema_release(schema, &status);
	return rc;
}

/* ---- binding ------------------------------------------------------------- */

/* LAB: pv-bind. K8S: bind = bindVolumeToClaim, updateVolumePhase(Bound),
 * bindClaimToVolume, updateClaimStatus(Bound). Four writes, in that order,
 * so that a crash half way leaves the volume claimed (and the next sync
 * finishes the job) rather than two claims on one volume. */
static int bind(struct pv_controller *c, const struct persistent_volume *pv,
		const struct persistent_volume_claim *claim)
{
	const struct client *client = c->client;
	struct api_status status;
	char *pv_name = xstrdup(pv->obj.meta.name);
	int rc = -1;
	if (!str_eq(pv->spec.claim_ref.uid, claim->obj.meta.uid)) {
		struct persistent_volume *copy = (struct persistent_volume *)object_copy(&pv->obj);
		struct object_reference *ref = &copy->spec.claim_ref;
		bool prebound = ref->name != NULL;
		schema_release(&object_reference_schema, ref);
		ref->api_version = xstrdup("v1");
		ref->kind = xstrdup("PersistentVolumeClaim");
		ref->namespace = xstrdup(claim->obj.meta.namespace);
		ref->name = xstrdup(claim->obj.meta.name);
		ref->uid = xstrdup(claim->obj.meta.uid);
		if (!prebound)
			strmap_set(&copy->obj.meta.annotations, ANN_BOUND_BY_CONTROLLER, "yes");
		if (client_update(client, &copy->obj, &status) != API_OK)
			goto out;
	}
	const struct object *obj = client_get(client, KIND_PERSISTENTVOLUME, NULL, pv_name);
	if (!obj)
		goto out;
	pv = object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
	if (set_volume_phase(c, pv, "Bound"))
		goto out;
	if (!str_eq(claim->spec.volume_name, pv_name)) {
		struct persistent_volume_claim *copy =
			(struct persistent_volume_claim *)object_copy(&claim->obj);
		free(copy->spec.volume_name);
		copy->spec.volume_name = xstrdup(pv_name);
		strmap_set(&copy->obj.meta.annotations, ANN_BIND_COMPLETED, "yes");
		strmap_set(&copy->obj.meta.annotations, ANN_BOUND_BY_CONTROLLER, "yes");
		if (client_update(client, &copy->obj, &status) != API_OK)
			goto out;
		obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM, claim->obj.meta.namespace,
				 claim->obj.meta.name);
		if (!obj)
			goto out;
		claim = object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
	}
	obj = client_get(client, KIND_PERSISTENTVOLUME, NULL, pv_name);
	if (!obj)
		goto out;
	rc = set_claim_status(c, claim, "Bound",
			      object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume));
out:
	free(pv_name);
	return rc;
}

/* ---- claims -------------------------------------------------------------- */

/* K8S: the retroactive default StorageClass (assignDefaultStorageClass):
 * the default class, or NULL. Several defaults: the newest wins. */
static const struct storage_class *default_class(struct pv_controller *c)
{
	struct object_list list = { 0 };
	informer_list(c->classes, NULL, &list);
	const struct storage_class *best = NULL;
	for (size_t i = 0; i < list.len; i++) {
		const struct storage_class *sc =
			object_as(list.items[i], KIND_STORAGECLASS, const struct storage_class);
		if (!str_eq(strmap_get(&sc->obj.meta.annotations, ANN_DEFAULT_CLASS), "true"))
			continue;
		if (!best || sc->obj.meta.creation_timestamp > best->obj.meta.creation_timestamp)
			best = sc;
	}
	object_list_release(&list);
	return best;
}

static const struct node *selected_node(struct pv_controller *c,
					const struct persistent_volume_claim *claim)
{
	const char *name = strmap_get(&claim->obj.meta.annotations, ANN_SELECTED_NODE);
	if (!name)
		return NULL;
	const struct object *obj = client_get(c->client, KIND_NODE, NULL, name);
	return obj ? object_as(obj, KIND_NODE, const struct node) : NULL;
}

/* K8S: syncUnboundClaim. */
static int sync_unbound_claim(struct pv_controller *c,
			      const struct persistent_volume_claim *claim)
{
	const struct client *client = c->client;
	if (!claim->spec.storage_class_name) {
		const struct storage_class *sc = default_class(c);
		if (sc) {
			struct persistent_volume_claim *copy =
				(struct persistent_volume_claim *)object_copy(&claim->obj);
			copy->spec.storage_class_name = xstrdup(sc->obj.meta.name);
			struct api_status status;
			return client_update(client, &copy->obj, &status) == API_OK ? 0 : -1;
		}
	}
	const struct storage_class *class = ctrl_volume_claim_storage_class(client, claim);
	const struct node *node = selected_node(c, claim);
	bool delayed = class && str_eq(class->volume_binding_mode, "WaitForFirstConsumer");
	if (delayed && !node) {
		/* LAB: pv-wait-for-first-consumer */
		client_event(client, &claim->obj, "Normal", "WaitForFirstConsumer",
			     "waiting for first consumer to be created before binding");
		return set_claim_status(c, claim, "Pending", NULL);
	}
	const struct persistent_volume *pv = ctrl_volume_find_match(client, claim, node);
	if (pv)
		return bind(c, pv, claim);
	const char *class_name = ctrl_volume_claim_class(claim);
	if (*class_name && !class) {
		client_event(client, &claim->obj, "Warning", "ProvisioningFailed",
			     "storageclass.storage.k8s.io \"%s\" not found", class_name);
	} else if (class && class->provisioner && strcmp(class->provisioner, NO_PROVISIONER)) {
		/* LAB: pv-provision */
		if (pv_provision(client, claim, class))
			return -1;
		return 0;	/* the new volume's watch event brings us back */
	} else if (!*class_name) {
		client_event(client, &claim->obj, "Normal", "FailedBinding",
			     "no persistent volumes available for this claim and no "
			     "storage class is set");
	}
	/* A class without a provisioner (kubernetes.io/no-provisioner, for
	 * local volumes): wait for an administrator's volume, silently. */
	return set_claim_status(c, claim, "Pending", NULL);
}

/* K8S: syncBoundClaim. */
static int sync_bound_claim(struct pv_controller *c,
			    const struct persistent_volume_claim *claim)
{
	const struct object *obj = client_get(c->client, KIND_PERSISTENTVOLUME, NULL,
					      claim->spec.volume_name);
	if (!obj) {
		if (str_eq(claim->status.phase, "Lost"))
			return 0;
		client_event(c->client, &claim->obj, "Warning", "ClaimLost",
			     "Bound claim has lost its PersistentVolume. Data on the "
			     "volume is lost!");
		return set_claim_status(c, claim, "Lost", NULL);
	}
	const struct persistent_volume *pv =
		object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
	const struct object_reference *ref = &pv->spec.claim_ref;
	if (!ref->name || str_eq(ref->uid, claim->obj.meta.uid) || !ref->uid)
		return bind(c, pv, claim);	/* finish (or start) the pairing */
	/* K8S: "Two claims are bound to the same volume, this one is bound
	 * incorrectly". */
	client_event(c->client, &claim->obj, "Warning", "ClaimMisbound",
		     "Two claims are bound to the same volume, this one is bound "
		     "incorrectly");
	return set_claim_status(c, claim, "Lost", NULL);
}

static int sync_claim(void *arg, const char *key)
{
	struct pv_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = client_get(c->client, KIND_PERSISTENTVOLUMECLAIM,
					      namespace, name);
	int rc = 0;
	if (obj && !object_is_deleting(obj)) {
		const struct persistent_volume_claim *claim =
			object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
				  const struct persistent_volume_claim);
		rc = ctrl_volume_claim_is_bound(claim) ? sync_bound_claim(c, claim)
						       : sync_unbound_claim(c, claim);
	}
	free(namespace);
	free(name);
	return rc;
}

/* ---- volumes ------------------------------------------------------------- */

/* LAB: pv-reclaim. K8S: syncVolume + reclaimVolume. */
static int sync_volume(void *arg, const char *key)
{
	struct pv_controller *c = arg;
	const struct object *obj = client_get(c->client, KIND_PERSISTENTVOLUME, NULL, key);
	if (!obj || object_is_deleting(obj))
		return 0;
	const struct persistent_volume *pv =
		object_as(obj, KIND_PERSISTENTVOLUME, const struct persistent_volume);
	const struct object_reference *ref = &pv->spec.claim_ref;
	if (!ref->name)
		return set_volume_phase(c, pv, "Available");
	const struct object *cobj = client_get(c->client, KIND_PERSISTENTVOLUMECLAIM,
					       ref->namespace, ref->name);
	if (!ref->uid || !*ref->uid) {
		/* Pre-bound by an administrator to a claim by name: the claim's
		 * sync binds it. */
		return set_volume_phase(c, pv, cobj ? "Bound" : "Available");
	}
	if (cobj && str_eq(cobj->meta.uid, ref->uid))
		return set_volume_phase(c, pv, "Bound");
	/* The claim is gone (or replaced by another of the same name). */
	if (set_volume_phase(c, pv, "Released"))
		return -1;
	if (str_eq(pv->spec.persistent_volume_reclaim_policy, "Delete"))
		pv_delete_volume(c->client, pv);
	/* Retain: the volume stays Released until an administrator deletes
	 * it or clears its claimRef. */
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static void *pv_start(const struct client *client)
{
	struct pv_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->claim_queue = workqueue_new(&client->clock, "claims", sync_claim, c);
	c->volume_queue = workqueue_new(&client->clock, "volumes", sync_volume, c);
	c->classes = informer_new(client, KIND_STORAGECLASS, NULL, on_class, c);
	c->volumes = informer_new(client, KIND_PERSISTENTVOLUME, NULL, on_volume, c);
	c->claims = informer_new(client, KIND_PERSISTENTVOLUMECLAIM, NULL, on_claim, c);
	return c;
}

static void pv_stop(void *state)
{
	struct pv_controller *c = state;
	informer_free(c->claims);
	informer_free(c->volumes);
	informer_free(c->classes);
	workqueue_free(c->claim_queue);
	workqueue_free(c->volume_queue);
	free(c);
}

/* K8S: the persistentvolume-binder controller; its events' source is
 * "persistentvolume-controller", the name kubelab uses. */
const struct controller_ops persistentvolume_controller = {
	.name = "persistentvolume-controller",
	.start = pv_start,
	.stop = pv_stop,
};
