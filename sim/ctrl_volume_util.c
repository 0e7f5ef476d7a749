/* ctrl_volume_util.c - storage rules shared by the PV controller, the
 * scheduler's volume plugins, the attach-detach controller and the kubelet.
 *
 * K8S: component-helpers/storage/volume/pv_helpers.go (FindMatchingVolume,
 * CheckAccessModes, GetPersistentVolumeClaimClass), component-helpers/
 * storage/volume/helpers.go (CheckNodeAffinity), component-helpers/
 * scheduling/corev1/nodeaffinity (the node selector semantics).
 *
 * See ctrl_volume_util.h for the interface. Costs: a match is O(volumes);
 * claims and volumes are few next to pods, and nothing here runs for a pod
 * without claims.
 */
#include "ctrl_volume_util.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

const char *ctrl_volume_claim_class(const struct persistent_volume_claim *claim)
{
	return claim->spec.storage_class_name ? claim->spec.storage_class_name : "";
}

const struct storage_class *ctrl_volume_claim_storage_class(
	const struct client *client, const struct persistent_volume_claim *claim)
{
	const char *name = ctrl_volume_claim_class(claim);
	if (!*name)
		return NULL;
	const struct object *obj = client_get(client, KIND_STORAGECLASS, NULL, name);
	return obj ? object_as(obj, KIND_STORAGECLASS, const struct storage_class) : NULL;
}

bool ctrl_volume_claim_delays_binding(const struct client *client,
				      const struct persistent_volume_claim *claim)
{
	const struct storage_class *class = ctrl_volume_claim_storage_class(client, claim);
	return class && str_eq(class->volume_binding_mode, "WaitForFirstConsumer");
}

int64_t ctrl_volume_claim_request(const struct persistent_volume_claim *claim)
{
	const struct quantity *q =
		resource_list_get(&claim->spec.resources.requests, "storage");
	return q ? quantity_value(q) : 0;
}

int64_t ctrl_volume_capacity(const struct persistent_volume *pv)
{
	const struct quantity *q = resource_list_get(&pv->spec.capacity, "storage");
	return q ? quantity_value(q) : 0;
}

bool ctrl_volume_claim_is_bound(const struct persistent_volume_claim *claim)
{
	return claim->spec.volume_name && *claim->spec.volume_name;
}

static bool has_value(const struct selector_requirement_spec *req, const char *v)
{
	for (size_t i = 0; i < req->values.len; i++)
		if (!strcmp(req->values.items[i], v))
			return true;
	return false;
}

/* One label requirement. Gt and Lt are not modelled for volumes: an
 * unknown operator matches nothing, as an invalid one does upstream. */
static bool label_requirement(const struct selector_requirement_spec *req,
			      const struct strmap *labels)
{
	const char *op = req->operator ? req->operator : "";
	const char *value = strmap_get(labels, req->key ? req->key : "");
	if (!strcmp(op, "In"))
		return value && has_value(req, value);
	if (!strcmp(op, "NotIn"))
		return !value || !has_value(req, value);
	if (!strcmp(op, "Exists"))
		return value != NULL;
	if (!strcmp(op, "DoesNotExist"))
		return value == NULL;
	return false;
}

static bool term_matches(const struct node_selector_term *term, const struct node *node)
{
	if (!term->match_expressions.len && !term->match_fields.len)
		return false;
	for (size_t i = 0; i < term->match_expressions.len; i++)
		if (!label_requirement(&term->match_expressions.items[i],
				       &node->obj.meta.labels))
			return false;
	for (size_t i = 0; i < term->match_fields.len; i++) {
		const struct selector_requirement_spec *req = &term->match_fields.items[i];
		bool in = str_eq(req->key, "metadata.name") &&
			  has_value(req, node->obj.meta.name);
		if (str_eq(req->operator, "In") ? !in : in)
			return false;
	}
	return true;
}

/* LAB: pv-node-affinity. */
bool ctrl_volume_node_affinity_matches(const struct persistent_volume *pv,
				       const struct node *node)
{
	const struct node_selector *ns = &pv->spec.node_affinity.required;
	if (!ns->node_selector_terms.len)
		return true;
	for (size_t i = 0; i < ns->node_selector_terms.len; i++)	/* OR */
		if (term_matches(&ns->node_selector_terms.items[i], node))
			return true;
	return false;
}

bool ctrl_volume_class_allows_node(const struct storage_class *class,
				   const struct node *node)
{
	if (!class->allowed_topologies.len)
		return true;
	for (size_t i = 0; i < class->allowed_topologies.len; i++) {
		const struct topology_selector_term *t = &class->allowed_topologies.items[i];
		bool all = true;
		for (size_t j = 0; all && j < t->match_label_expressions.len; j++) {
			const struct topology_selector_requirement *r =
				&t->match_label_expressions.items[j];
			const char *v = strmap_get(&node->obj.meta.labels, r->key ? r->key : "");
			bool found = false;
			for (size_t k = 0; v && k < r->values.len; k++)
				found |= !strcmp(r->values.items[k], v);
			all = found;
		}
		if (all)
			return true;
	}
	return false;
}

/* K8S: CheckAccessModes: the volume offers every mode the claim asks. */
static bool access_modes_fit(const struct persistent_volume *pv,
			     const struct persistent_volume_claim *claim)
{
	for (size_t i = 0; i < claim->spec.access_modes.len; i++) {
		bool found = false;
		for (size_t j = 0; !found && j < pv->spec.access_modes.len; j++)
			found = !strcmp(pv->spec.access_modes.items[j],
					claim->spec.access_modes.items[i]);
		if (!found)
			return false;
	}
	return true;
}

static bool selector_fits(const struct label_selector *sel, const struct strmap *labels)
{
	if (!strmap_contains_all(labels, &sel->match_labels))
		return false;
	for (size_t i = 0; i < sel->match_expressions.len; i++)
		if (!label_requirement(&sel->match_expressions.items[i], labels))
			return false;
	return true;
}

static bool prebound_to(const struct persistent_volume *pv,
			const struct persistent_volume_claim *claim)
{
	const struct object_reference *ref = &pv->spec.claim_ref;
	return ref->name && str_eq(ref->name, claim->obj.meta.name) &&
	       str_eq(ref->namespace, claim->obj.meta.namespace) &&
	       (!ref->uid || !*ref->uid || str_eq(ref->uid, claim->obj.meta.uid));
}

/* LAB: pv-find-match. K8S: FindMatchingVolume. */
const struct persistent_volume *ctrl_volume_find_match(
	const struct client *client, const struct persistent_volume_claim *claim,
	const struct node *node)
{
	struct object_list list = { 0 };
	store_list(client->store, KIND_PERSISTENTVOLUME, NULL, NULL, &list);
	const struct persistent_volume *best = NULL;
	int64_t want = ctrl_volume_claim_request(claim);
	const char *class = ctrl_volume_claim_class(claim);
	for (size_t i = 0; i < list.len; i++) {
		const struct persistent_volume *pv =
			object_as(list.items[i], KIND_PERSISTENTVOLUME,
				  const struct persistent_volume);
		if (object_is_deleting(&pv->obj))
			continue;
		bool prebound = prebound_to(pv, claim);
		if (pv->spec.claim_ref.name && !prebound)
			continue;	/* someone else's */
		if (!str_eq(pv->spec.volume_mode, claim->spec.volume_mode) ||
		    ctrl_volume_capacity(pv) < want || !access_modes_fit(pv, claim))
			continue;
		if (node && !ctrl_volume_node_affinity_matches(pv, node))
			continue;
		if (prebound) {
			best = pv;	/* upstream takes it whatever its size */
			break;
		}
		if (!str_eq(pv->spec.storage_class_name, class) ||
		    !selector_fits(&claim->spec.selector, &pv->obj.meta.labels) ||
		    (pv->status.phase && strcmp(pv->status.phase, "Available") &&
		     strcmp(pv->status.phase, "Pending")))
			continue;
		if (!best || ctrl_volume_capacity(pv) < ctrl_volume_capacity(best))
			best = pv;
	}
	object_list_release(&list);
	return best;	/* still held by the store */
}

const char *ctrl_volume_pod_claim_volume(const struct client *client,
					 const struct pod *pod, const struct volume *volume,
					 const struct persistent_volume_claim **claim)
{
	if (claim)
		*claim = NULL;
	if (!volume->persistent_volume_claim.claim_name)
		return NULL;
	const struct object *obj = client_get(client, KIND_PERSISTENTVOLUMECLAIM,
					      pod->obj.meta.namespace,
					      volume->persistent_volume_claim.claim_name);
	if (!obj)
		return NULL;
	const struct persistent_volume_claim *pvc =
		object_as(obj, KIND_PERSISTENTVOLUMECLAIM, const struct persistent_volume_claim);
	if (claim)
		*claim = pvc;
	return ctrl_volume_claim_is_bound(pvc) ? pvc->spec.volume_name : NULL;
}

char *ctrl_volume_unique_name(const struct persistent_volume *pv)
{
	if (!pv->spec.csi.driver || !*pv->spec.csi.driver)
		return NULL;
	return xasprintf("kubernetes.io/csi/%s^%s", pv->spec.csi.driver,
			 pv->spec.csi.volume_handle ? pv->spec.csi.volume_handle
						    : pv->obj.meta.name);
}

bool ctrl_volume_multi_attach_allowed(const struct persistent_volume *pv)
{
	for (size_t i = 0; i < pv->spec.access_modes.len; i++) {
		const char *mode = pv->spec.access_modes.items[i];
		if (!strcmp(mode, "ReadWriteMany") || !strcmp(mode, "ReadOnlyMany"))
			return true;
	}
	return false;
}

void ctrl_volume_strlist_copy(void *list, const void *src)
{
	struct list_any *dst = list;
	const struct list_any *from = src;
	char **items = dst->items;
	for (size_t i = 0; i < dst->len; i++)
		free(items[i]);
	free(items);
	dst->items = NULL;
	dst->len = 0;
	if (!from->len)
		return;
	char **out = xcalloc(from->len, sizeof(*out));
	for (size_t i = 0; i < from->len; i++)
		out[i] = xstrdup(((char *const *)from->items)[i]);
	dst->items = out;
	dst->len = from->len;
}
