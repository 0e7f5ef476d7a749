/* ctrl_persistentvolume_provision.c - the simulated volume provisioner.
 *
 * K8S: pkg/controller/volume/persistentvolume/pv_controller.go
 * (provisionClaim, provisionClaimOperation, getProvisionedVolumeNameForClaim,
 * setClaimProvisioner, deleteVolumeOperation), and what a CSI driver's
 * external-provisioner writes into the PV it makes (nodeAffinity from the
 * accessible topology, spec.csi).
 *
 * A StorageClass whose provisioner is not kubernetes.io/no-provisioner
 * makes volumes on demand. Upstream, the PV controller annotates the claim
 * with the provisioner's name and either provisions in-tree or waits for
 * the external provisioner (a CSI sidecar) to do it; the cloud creates a
 * disk, and a PV describing it appears, already pre-bound to the claim
 * (claimRef with the claim's uid), which the next claim sync binds.
 * kubelab's provisioner is part of the controller and answers at once:
 * every provisioner name "works".
 *
 * Where the disk lives: a zonal disk can only be attached in its zone, so
 * the PV carries a nodeAffinity. With allowedTopologies the class names
 * the places allowed (the first term is used, as a CSI driver would
 * create the disk in one of them); with WaitForFirstConsumer the
 * scheduler's selected node decides, and the volume is made in that
 * node's zone (topology.kubernetes.io/zone). A node without a zone label
 * gives a volume usable anywhere.
 *
 * Interface: ctrl_persistentvolume.h. Ownership: nothing kept.
 */
#include "ctrl_persistentvolume.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_volume_util.h"
#include "xmalloc.h"

#define ZONE_LABEL "topology.kubernetes.io/zone"

static void push_term(struct node_selector *ns, const char *key, const char *const *values,
		      size_t len)
{
	size_t n = ns->node_selector_terms.len;
	ns->node_selector_terms.items = xrealloc(ns->node_selector_terms.items,
						 (n + 1) * sizeof(*ns->node_selector_terms.items));
	struct node_selector_term *term = &ns->node_selector_terms.items[n];
	memset(term, 0, sizeof(*term));
	ns->node_selector_terms.len = n + 1;
	struct selector_requirement_spec *req = xcalloc(1, sizeof(*req));
	req->key = xstrdup(key);
	req->operator = xstrdup("In");
	req->values.items = xcalloc(len, sizeof(char *));
	for (size_t i = 0; i < len; i++)
		req->values.items[i] = xstrdup(values[i]);
	req->values.len = len;
	term->match_expressions.items = req;
	term->match_expressions.len = 1;
}

/* The nodeAffinity of a new volume (see the file comment). */
static void set_topology(struct persistent_volume *pv, const struct storage_class *class,
			 const struct node *node)
{
	struct node_selector *ns = &pv->spec.node_affinity.required;
	if (class->allowed_topologies.len) {
		const struct topology_selector_term *t = &class->allowed_topologies.items[0];
		for (size_t i = 0; i < t->match_label_expressions.len; i++) {
			const struct topology_selector_requirement *r =
				&t->match_label_expressions.items[i];
			/* On the selected node's value when it has one allowed. */
			const char *v = node ? strmap_get(&node->obj.meta.labels, r->key) : NULL;
			if (v)
				push_term(ns, r->key, &v, 1);
			else if (r->values.len)
				push_term(ns, r->key, (const char *const *)r->values.items, 1);
		}
		/* One term holding all requirements (AND), as intended. */
		while (ns->node_selector_terms.len > 1) {
			struct node_selector_term *first = &ns->node_selector_terms.items[0];
			struct node_selector_term *last =
				&ns->node_selector_terms.items[ns->node_selector_terms.len - 1];
			size_t n = first->match_expressions.len;
			first->match_expressions.items =
				xrealloc(first->match_expressions.items,
					 (n + 1) * sizeof(*first->match_expressions.items));
			first->match_expressions.items[n] = last->match_expressions.items[0];
			first->match_expressions.len = n + 1;
			free(last->match_expressions.items);
			ns->node_selector_terms.len--;
		}
		return;
	}
	const char *zone = node ? strmap_get(&node->obj.meta.labels, ZONE_LABEL) : NULL;
	if (zone)
		push_term(ns, ZONE_LABEL, &zone, 1);
}

int pv_provision(const struct client *client, const struct persistent_volume_claim *claim,
		 const struct storage_class *class)
{
	struct api_status status;
	char *name = xasprintf("pvc-%s", claim->obj.meta.uid);
	int rc = 0;
	if (client_get(client, KIND_PERSISTENTVOLUME, NULL, name))
		goto out;	/* made already; its watch event binds it */
	/* K8S: setClaimProvisioner: the claim says who provisions it. */
	const char *have = strmap_get(&claim->obj.meta.annotations, ANN_STORAGE_PROVISIONER);
	if (!have || strcmp(have, class->provisioner)) {
		struct persistent_volume_claim *copy =
			(struct persistent_volume_claim *)object_copy(&claim->obj);
		strmap_set(&copy->obj.meta.annotations, ANN_STORAGE_PROVISIONER, class->provisioner);
		strmap_set(&copy->obj.meta.annotations, ANN_BETA_STORAGE_PROVISIONER,
			   class->provisioner);
		if (client_update(client, &copy->obj, &status) != API_OK) {
			rc = -1;
			goto out;
		}
	}
	const char *selected = strmap_get(&claim->obj.meta.annotations, ANN_SELECTED_NODE);
	const struct object *node_obj = selected ?
		client_get(client, KIND_NODE, NULL, selected) : NULL;
	const struct node *node = node_obj ?
		object_as(node_obj, KIND_NODE, const struct node) : NULL;

	struct persistent_volume *pv =
		(struct persistent_volume *)object_new(&persistent_volume_kind);
	pv->obj.meta.name = xstrdup(name);
	strmap_set(&pv->obj.meta.annotations, ANN_PROVISIONED_BY, class->provisioner);
	strmap_set(&pv->obj.meta.annotations, ANN_BOUND_BY_CONTROLLER, "yes");
	const struct quantity *size =
		resource_list_get(&claim->spec.resources.requests, "storage");
	if (size)
		resource_list_set(&pv->spec.capacity, "storage", size);
	ctrl_volume_strlist_copy(&pv->spec.access_modes, &claim->spec.access_modes);
	pv->spec.persistent_volume_reclaim_policy =
		xstrdup(class->reclaim_policy ? class->reclaim_policy : "Delete");
	pv->spec.storage_class_name = xstrdup(class->obj.meta.name);
	if (claim->spec.volume_mode)
		pv->spec.volume_mode = xstrdup(claim->spec.volume_mode);
	struct object_reference *ref = &pv->spec.claim_ref;
	ref->api_version = xstrdup("v1");
	ref->kind = xstrdup("PersistentVolumeClaim");
	ref->namespace = xstrdup(claim->obj.meta.namespace);
	ref->name = xstrdup(claim->obj.meta.name);
	ref->uid = xstrdup(claim->obj.meta.uid);
	pv->spec.csi.driver = xstrdup(class->provisioner);
	pv->spec.csi.volume_handle = xstrdup(name);
	set_topology(pv, class, node);
	schema_apply_defaults(pv->obj.kind->schema, &pv->obj);
	if (pv->obj.kind->set_defaults)
		pv->obj.kind->set_defaults(&pv->obj);
	if (client_create(client, &pv->obj, &status) != API_OK &&
	    status.code != API_ALREADY_EXISTS) {
		client_event(client, &claim->obj, "Warning", "ProvisioningFailed",
			     "%s", status.message);
		rc = -1;
		goto out;
	}
	client_event(client, &claim->obj, "Normal", "ProvisioningSucceeded",
		     "Successfully provisioned volume %s using %s", name, class->provisioner);
out:
	free(name);
	return rc;
}

void pv_delete_volume(const struct client *client, const struct persistent_volume *pv)
{
	if (!strmap_get(&pv->obj.meta.annotations, ANN_PROVISIONED_BY)) {
		/* K8S: a volume no plugin can delete (made by hand). */
		client_event(client, &pv->obj, "Warning", "VolumeFailedDelete",
			     "error getting deleter volume plugin for volume \"%s\": "
			     "no deletable volume plugin matched", pv->obj.meta.name);
		return;
	}
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	client_delete(client, KIND_PERSISTENTVOLUME, NULL, pv->obj.meta.name, &options,
		      &status);
}
