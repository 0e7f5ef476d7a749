/* print_describe_storage.c - `kubectl describe` for PersistentVolumeClaims,
 * PersistentVolumes and StorageClasses.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go
 * (describePersistentVolumeClaim, printPersistentVolumeClaim,
 * getPodsForPVC, describePersistentVolume, printVolumeNodeAffinity,
 * printHostPathVolumeSource, printLocalVolumeSource,
 * printCSIPersistentVolumeSource, describeStorageClass,
 * printAllowedTopologies) and kubectl/pkg/util/storage (access-mode
 * abbreviations, the storage class of a volume, IsDefaultAnnotationText).
 *
 * A claim stuck in Pending is explained here: its StorageClass, its
 * Volume (empty until bound), the pods that use it ("Used By") and the
 * Events of the persistentvolume controller (WaitForFirstConsumer,
 * ProvisioningSucceeded, FailedBinding). Capacity and Access Modes of a
 * claim are those of the bound volume, blank before binding, as upstream.
 * The volume page shows the other side: Claim, Reclaim Policy, Node
 * Affinity (a local volume's node) and its Source.
 *
 * StorageClass's allowVolumeExpansion is a *bool upstream, "<unset>" when
 * left out; kubelab keeps a bool, so false prints as "<unset>" (the usual
 * case: the field is rarely written as false).
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* Go's %v of a []string: "[a b]". */
static void finalizers_line(struct tabwriter *tw, const struct object *obj)
{
	tabwriter_put(tw, 0, "Finalizers:\t[");
	for (size_t i = 0; i < obj->meta.finalizers.len; i++)
		tabwriter_printf(tw, "%s%s", i ? " " : "", str(obj->meta.finalizers.items[i]));
	tabwriter_printf(tw, "]\n");
}

/* "Status:" of a volume or claim: its phase, or how long the deletion has
 * been waiting (a finalizer holds it: kubernetes.io/pvc-protection). */
static void status_line(struct tabwriter *tw, const struct object *obj, const char *phase,
			ktime_t now)
{
	if (object_is_deleting(obj)) {
		char age[PRINT_TIME_MAX];
		print_age(now, obj->meta.deletion_timestamp, age, sizeof(age));
		tabwriter_put(tw, 0, "Status:\tTerminating (lasts %s)\n", age);
	} else {
		tabwriter_put(tw, 0, "Status:\t%s\n", str(phase));
	}
}

static void storage_of(const struct resource_list *list, char *buf, size_t size)
{
	const struct quantity *q = resource_list_get(list, "storage");
	struct quantity zero = { 0 };
	quantity_format(q ? q : &zero, buf, size);
}

/* ---- PersistentVolumeClaim ----------------------------------------------- */

static bool pod_uses_claim(const struct pod *pod, const char *claim)
{
	for (size_t i = 0; i < pod->spec.volumes.len; i++) {
		const char *name = pod->spec.volumes.items[i].persistent_volume_claim.claim_name;
		if (name && !strcmp(name, claim))
			return true;
	}
	return false;
}

static bool claim_owned_by(const struct object *claim, const struct object *pod)
{
	for (size_t i = 0; i < claim->meta.owner_references.len; i++) {
		const struct owner_reference *ref = &claim->meta.owner_references.items[i];
		if (ref->kind && !strcmp(ref->kind, "Pod") && ref->uid && pod->meta.uid &&
		    !strcmp(ref->uid, pod->meta.uid))
			return true;
	}
	return false;
}

/* K8S: getPodsForPVC and printPodsMultiline: the pods of the namespace
 * that mount the claim or own it (a generic ephemeral volume), by name. */
static void used_by(struct tabwriter *tw, const struct store *store,
		    const struct persistent_volume_claim *pvc)
{
	struct object_list pods = { 0 };
	store_list(store, KIND_POD, pvc->obj.meta.namespace, NULL, &pods);
	tabwriter_put(tw, 0, "Used By:\t");
	int n = 0;
	for (size_t i = 0; i < pods.len; i++) {	/* sorted by name */
		const struct pod *pod = (const struct pod *)pods.items[i];
		if (!pod_uses_claim(pod, str(pvc->obj.meta.name)) &&
		    !claim_owned_by(&pvc->obj, &pod->obj))
			continue;
		tabwriter_printf(tw, "%s%s\n", n++ ? "\t" : "", str(pod->obj.meta.name));
	}
	if (!n)
		tabwriter_printf(tw, "<none>\n");
	object_list_release(&pods);
}

void describe_pvc(struct tabwriter *tw, const struct store *store,
		  const struct persistent_volume_claim *pvc, ktime_t now)
{
	const struct object *obj = &pvc->obj;
	const char *volume = str(pvc->spec.volume_name);
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	tabwriter_put(tw, 0, "StorageClass:\t%s\n",
		      print_storage_class_of(obj, pvc->spec.storage_class_name));
	status_line(tw, obj, pvc->status.phase, now);
	tabwriter_put(tw, 0, "Volume:\t%s\n", volume);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	finalizers_line(tw, obj);
	char capacity[QUANTITY_STR_MAX] = "";
	char *modes = xstrdup("");
	if (*volume) {	/* what the bound volume gives, not what was asked */
		storage_of(&pvc->status.capacity, capacity, sizeof(capacity));
		free(modes);
		modes = print_access_modes(&pvc->status.access_modes);
	}
	tabwriter_put(tw, 0, "Capacity:\t%s\n", capacity);
	tabwriter_put(tw, 0, "Access Modes:\t%s\n", modes);
	free(modes);
	if (pvc->spec.volume_mode)
		tabwriter_put(tw, 0, "VolumeMode:\t%s\n", pvc->spec.volume_mode);
	used_by(tw, store, pvc);
	const struct condition *c = pvc->status.conditions.items;
	if (pvc->status.conditions.len) {
		tabwriter_put(tw, 0, "Conditions:\n");
		tabwriter_put(tw, 1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
		tabwriter_put(tw, 1, "----\t------\t-----------------\t------------------\t------\t-------\n");
	}
	for (size_t i = 0; i < pvc->status.conditions.len; i++) {
		char probe[PRINT_TIME_MAX], transition[PRINT_TIME_MAX];
		print_time_rfc1123(c[i].last_probe_time, probe, sizeof(probe));
		print_time_rfc1123(c[i].last_transition_time, transition, sizeof(transition));
		tabwriter_put(tw, 1, "%s \t%s \t%s \t%s \t%s \t%s\n", str(c[i].type),
			      str(c[i].status), probe, transition, str(c[i].reason),
			      str(c[i].message));
	}
	print_describe_events(tw, store, obj, now);
}

/* ---- PersistentVolume ---------------------------------------------------- */

/* K8S: printVolumeNodeAffinity and printNodeSelectorTermsMultilineWithIndent:
 * "Term 0:  kubernetes.io/hostname in [node-1]". */
static void node_affinity(struct tabwriter *tw, const struct persistent_volume *pv)
{
	const struct node_selector *required = &pv->spec.node_affinity.required;
	if (!required->node_selector_terms.len) {
		tabwriter_put(tw, 0, "Node Affinity:\t<none>\n");
		return;
	}
	tabwriter_put(tw, 0, "Node Affinity:\t\n");
	tabwriter_put(tw, 1, "Required Terms:\t\n");
	for (size_t t = 0; t < required->node_selector_terms.len; t++) {
		const struct node_selector_term *term = &required->node_selector_terms.items[t];
		tabwriter_put(tw, 2, "Term %zu:\t", t);
		if (!term->match_expressions.len)
			tabwriter_printf(tw, "<none>\n");
		for (size_t i = 0; i < term->match_expressions.len; i++) {
			const struct selector_requirement_spec *req = &term->match_expressions.items[i];
			char *op = xstrdup(str(req->operator));
			for (char *p = op; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			if (i)
				tabwriter_put(tw, 2, "\t");
			tabwriter_printf(tw, "%s %s", str(req->key), op);
			for (size_t v = 0; v < req->values.len; v++)
				tabwriter_printf(tw, "%s%s", v ? ", " : " [", str(req->values.items[v]));
			tabwriter_printf(tw, "%s\n", req->values.len ? "]" : "");
			free(op);
		}
	}
}

static void volume_source(struct tabwriter *tw, const struct persistent_volume_spec *spec)
{
	tabwriter_put(tw, 0, "Source:\n");
	if (spec->host_path.path) {
		tabwriter_put(tw, 2, "Type:\tHostPath (bare host directory volume)\n"
			      "    Path:\t%s\n    HostPathType:\t%s\n",
			      spec->host_path.path, str(spec->host_path.type));
	} else if (spec->local.path) {
		tabwriter_put(tw, 2, "Type:\tLocalVolume (a persistent volume backed by local "
			      "storage on a node)\n    Path:\t%s\n", spec->local.path);
	} else if (spec->csi.driver) {
		/* fsType, readOnly and volumeAttributes are not modelled */
		tabwriter_put(tw, 2, "Type:\tCSI (a Container Storage Interface (CSI) volume "
			      "source)\n    Driver:\t%s\n    FSType:\t\n    VolumeHandle:\t%s\n"
			      "    ReadOnly:\tfalse\n", spec->csi.driver,
			      str(spec->csi.volume_handle));
		tabwriter_put(tw, 2, "VolumeAttributes:\t<none>\n");
	} else {
		tabwriter_put(tw, 1, "<unknown>\n");
	}
}

void describe_pv(struct tabwriter *tw, const struct store *store,
		 const struct persistent_volume *pv, ktime_t now)
{
	const struct object *obj = &pv->obj;
	const struct persistent_volume_spec *spec = &pv->spec;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	finalizers_line(tw, obj);
	tabwriter_put(tw, 0, "StorageClass:\t%s\n",
		      print_storage_class_of(obj, spec->storage_class_name));
	status_line(tw, obj, pv->status.phase, now);
	if (spec->claim_ref.name)
		tabwriter_put(tw, 0, "Claim:\t%s/%s\n", str(spec->claim_ref.namespace),
			      spec->claim_ref.name);
	else
		tabwriter_put(tw, 0, "Claim:\t\n");
	tabwriter_put(tw, 0, "Reclaim Policy:\t%s\n", str(spec->persistent_volume_reclaim_policy));
	char *modes = print_access_modes(&spec->access_modes);
	tabwriter_put(tw, 0, "Access Modes:\t%s\n", modes);
	free(modes);
	if (spec->volume_mode)
		tabwriter_put(tw, 0, "VolumeMode:\t%s\n", spec->volume_mode);
	char capacity[QUANTITY_STR_MAX];
	storage_of(&spec->capacity, capacity, sizeof(capacity));
	tabwriter_put(tw, 0, "Capacity:\t%s\n", capacity);
	node_affinity(tw, pv);
	tabwriter_put(tw, 0, "Message:\t%s\n", str(pv->status.message));
	volume_source(tw, spec);
	print_describe_events(tw, store, obj, now);
}

/* ---- StorageClass -------------------------------------------------------- */

/* K8S: storageutil.IsDefaultAnnotationText. */
static const char *is_default_class(const struct object *obj)
{
	static const char *const keys[] = {
		"storageclass.kubernetes.io/is-default-class",
		"storageclass.beta.kubernetes.io/is-default-class",
	};
	for (int i = 0; i < 2; i++) {
		const char *value = strmap_get(&obj->meta.annotations, keys[i]);
		if (value && !strcmp(value, "true"))
			return "Yes";
	}
	return "No";
}

void describe_storage_class(struct tabwriter *tw, const struct store *store,
			    const struct storage_class *sc, ktime_t now)
{
	const struct object *obj = &sc->obj;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "IsDefaultClass:\t%s\n", is_default_class(obj));
	describe_map_line(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "Provisioner:\t%s\n", str(sc->provisioner));
	describe_map_line(tw, "Parameters", &sc->parameters);
	tabwriter_put(tw, 0, "AllowVolumeExpansion:\t%s\n",
		      sc->allow_volume_expansion ? "True" : "<unset>");
	tabwriter_put(tw, 0, "MountOptions:\t<none>\n");	/* not modelled */
	if (sc->reclaim_policy)
		tabwriter_put(tw, 0, "ReclaimPolicy:\t%s\n", sc->reclaim_policy);
	if (sc->volume_binding_mode)
		tabwriter_put(tw, 0, "VolumeBindingMode:\t%s\n", sc->volume_binding_mode);
	if (sc->allowed_topologies.len) {
		tabwriter_put(tw, 0, "AllowedTopologies:\t\n");
		for (size_t t = 0; t < sc->allowed_topologies.len; t++) {
			const struct topology_selector_term *term = &sc->allowed_topologies.items[t];
			tabwriter_put(tw, 1, "Term %zu:\t", t);
			if (!term->match_label_expressions.len)
				tabwriter_printf(tw, "<none>\n");
			for (size_t i = 0; i < term->match_label_expressions.len; i++) {
				const struct topology_selector_requirement *req =
					&term->match_label_expressions.items[i];
				if (i)
					tabwriter_put(tw, 1, "\t");
				tabwriter_printf(tw, "%s in", str(req->key));
				for (size_t v = 0; v < req->values.len; v++)
					tabwriter_printf(tw, "%s%s", v ? ", " : " [",
							 str(req->values.items[v]));
				tabwriter_printf(tw, "%s\n", req->values.len ? "]" : "");
			}
		}
	}
	print_describe_events(tw, store, obj, now);
}
