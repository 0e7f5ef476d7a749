/* print_table_kinds.c - `kubectl get` rows of the service, configuration,
 * storage, scheduling, policy, coordination and autoscaling kinds; the
 * workloads (apps, batch) are in print_table_workloads.c.
 *
 * K8S: pkg/printers/internalversion/printers.go (printService,
 * printEndpoints, printEndpointSlice, printConfigMap,
 * printPersistentVolume(Claim), printStorageClass, printPriorityClass,
 * printPodDisruptionBudget, printLease, printCSINode,
 * printHorizontalPodAutoscaler and formatHPAMetrics).
 *
 * Every row writes what upstream's printer writes, cell for cell, in the
 * order of upstream's column definitions (the struct column tables here).
 * Where kubelab does not model a field (a PV's volumeAttributesClassName,
 * a Service's externalIPs), the cell shows what upstream shows for an
 * unset field. See print_table.c for the machinery.
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- storage helpers ----------------------------------------------------- */

static const char *const access_mode_abbrevs[][2] = {
	{ "ReadWriteOnce", "RWO" }, { "ReadOnlyMany", "ROX" },
	{ "ReadWriteMany", "RWX" }, { "ReadWriteOncePod", "RWOP" },
};

/* K8S: GetAccessModesAsString: abbreviations in a fixed order. */
char *print_access_modes(const void *list_of_strings)
{
	const LIST_OF(char *) *modes = list_of_strings;
	char *text = xstrdup("");
	for (size_t a = 0; a < 4; a++) {
		for (size_t i = 0; i < modes->len; i++) {
			if (!modes->items[i] || strcmp(modes->items[i], access_mode_abbrevs[a][0]))
				continue;
			char *next = xasprintf("%s%s%s", text, *text ? "," : "",
					       access_mode_abbrevs[a][1]);
			free(text);
			text = next;
			break;
		}
	}
	return text;
}

static char *storage_quantity(const struct resource_list *list)
{
	char buf[QUANTITY_STR_MAX];
	const struct quantity *q = resource_list_get(list, "storage");
	struct quantity zero = { 0 };
	quantity_format(q ? q : &zero, buf, sizeof(buf));
	return xstrdup(buf);
}

/* K8S: storageutil.GetPersistentVolume(Claim)Class: the beta annotation
 * wins over storageClassName. */
const char *print_storage_class_of(const struct object *obj, const char *field)
{
	const char *beta = strmap_get(&obj->meta.annotations,
				      "volume.beta.kubernetes.io/storage-class");
	return beta ? beta : field ? field : "";
}

/* ---- services ------------------------------------------------------------ */

static const struct column service_columns[] = {
	COL("Name"), COL("Type"), COL("Cluster-IP"), COL("External-IP"),
	COL("Port(s)"), COL("Age"), WIDE("Selector"),
};

static void service_row(struct table *t, const struct object *obj)
{
	const struct service *svc = object_as(obj, KIND_SERVICE, struct service);
	const char *type = svc->spec.type ? svc->spec.type : "";
	/* kubelab models neither spec.externalIPs nor load balancers: a
	 * LoadBalancer Service stays <pending>, as on a cluster without a
	 * cloud provider. */
	const char *external = !strcmp(type, "LoadBalancer") ? "<pending>"
		: !strcmp(type, "ClusterIP") || !strcmp(type, "NodePort") ? "<none>"
		: "<unknown>";
	char *ports = xstrdup("");
	for (size_t i = 0; i < svc->spec.ports.len; i++) {
		const struct service_port *p = &svc->spec.ports.items[i];
		const char *proto = p->protocol ? p->protocol : "TCP";
		char *next = p->node_port > 0
			? xasprintf("%s%s%d:%d/%s", ports, i ? "," : "", p->port, p->node_port, proto)
			: xasprintf("%s%s%d/%s", ports, i ? "," : "", p->port, proto);
		free(ports);
		ports = next;
	}
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%s", type);
	table_cell(t, "%s", print_or_none(svc->spec.cluster_ip));
	table_cell(t, "%s", external);
	table_cell(t, "%s", print_or_none(ports));
	table_age(t, obj->meta.creation_timestamp);
	table_cell_free(t, print_labels(&svc->spec.selector));
	free(ports);
}

static const struct column endpoints_columns[] = {
	COL("Name"), COL("Endpoints"), COL("Age"),
};

/* K8S: formatEndpoints: the first three ready "ip:port", then "+ N more...". */
static char *format_endpoints(const struct endpoints *ep)
{
	if (!ep->subsets.len)
		return xstrdup("<none>");
	char *text = xstrdup("");
	int shown = 0, count = 0;
	for (size_t s = 0; s < ep->subsets.len; s++) {
		const struct endpoint_subset *ss = &ep->subsets.items[s];
		size_t ports = ss->ports.len ? ss->ports.len : 1;
		for (size_t p = 0; p < ports; p++) {
			count += (int)ss->addresses.len;
			for (size_t a = 0; a < ss->addresses.len && shown < 3; a++, shown++) {
				const char *ip = ss->addresses.items[a].ip;
				ip = ip ? ip : "";
				char *next = !ss->ports.len
					? xasprintf("%s%s%s", text, shown ? "," : "", ip)
					: xasprintf(strchr(ip, ':') ? "%s%s[%s]:%d" : "%s%s%s:%d",
						    text, shown ? "," : "", ip,
						    ss->ports.items[p].port);
				free(text);
				text = next;
			}
		}
	}
	if (count > 3) {
		char *next = xasprintf("%s + %d more...", text, count - 3);
		free(text);
		text = next;
	}
	return text;
}

static void endpoints_row(struct table *t, const struct object *obj)
{
	table_name(t, obj, obj->meta.name);
	table_cell_free(t, format_endpoints(object_as(obj, KIND_ENDPOINTS, struct endpoints)));
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column endpoint_slice_columns[] = {
	COL("Name"), COL("AddressType"), COL("Ports"), COL("Endpoints"), COL("Age"),
};

/* K8S: listWithMoreString: the first three, then "+ N more...", or
 * "<unset>" for none. Takes over text. */
static char *list_with_more(char *text, int count)
{
	if (count > 3) {
		char *next = xasprintf("%s + %d more...", text, count - 3);
		free(text);
		return next;
	}
	if (!*text) {
		free(text);
		return xstrdup("<unset>");
	}
	return text;
}

static char *list_append(char *text, int shown, const char *item)
{
	char *next = xasprintf("%s%s%s", text, shown ? "," : "", item);
	free(text);
	return next;
}

/* K8S: formatDiscoveryPorts and formatDiscoveryEndpoints. */
static void endpoint_slice_row(struct table *t, const struct object *obj)
{
	const struct endpoint_slice *slice = object_as(obj, KIND_ENDPOINTSLICE,
						       struct endpoint_slice);
	char *ports = xstrdup("");
	int count = 0;
	for (size_t i = 0; i < slice->ports.len; i++, count++) {
		if (count >= 3)
			continue;
		char number[16];
		snprintf(number, sizeof(number), "%d", slice->ports.items[i].port);
		ports = list_append(ports, count, number);
	}
	ports = list_with_more(ports, count);
	char *addresses = xstrdup("");
	count = 0;
	for (size_t i = 0; i < slice->endpoints.len; i++) {
		const struct slice_endpoint *ep = &slice->endpoints.items[i];
		for (size_t a = 0; a < ep->addresses.len; a++, count++)
			if (count < 3)
				addresses = list_append(addresses, count, ep->addresses.items[a]);
	}
	addresses = list_with_more(addresses, count);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%s", slice->address_type ? slice->address_type : "");
	table_cell_free(t, ports);
	table_cell_free(t, addresses);
	table_age(t, obj->meta.creation_timestamp);
}

/* ---- configuration, storage, scheduling ---------------------------------- */

static const struct column config_map_columns[] = { COL("Name"), COL("Data"), COL("Age") };

static void config_map_row(struct table *t, const struct object *obj)
{
	const struct config_map *cm = object_as(obj, KIND_CONFIGMAP, struct config_map);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%zu", cm->data.len);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column pv_columns[] = {
	COL("Name"), COL("Capacity"), COL("Access Modes"), COL("Reclaim Policy"),
	COL("Status"), COL("Claim"), COL("StorageClass"), COL("VolumeAttributesClass"),
	COL("Reason"), COL("Age"), WIDE("VolumeMode"),
};

static void pv_row(struct table *t, const struct object *obj)
{
	const struct persistent_volume *pv =
		object_as(obj, KIND_PERSISTENTVOLUME, struct persistent_volume);
	const struct object_reference *claim = &pv->spec.claim_ref;
	const char *phase = object_is_deleting(obj) ? "Terminating"
		: pv->status.phase ? pv->status.phase : "";
	table_name(t, obj, obj->meta.name);
	table_cell_free(t, storage_quantity(&pv->spec.capacity));
	table_cell_free(t, print_access_modes(&pv->spec.access_modes));
	table_cell(t, "%s", pv->spec.persistent_volume_reclaim_policy
		   ? pv->spec.persistent_volume_reclaim_policy : "");
	table_status(t, phase);
	if (claim->name || claim->namespace)
		table_cell(t, "%s/%s", claim->namespace ? claim->namespace : "",
			   claim->name ? claim->name : "");
	else
		table_cell(t, "%s", "");
	table_cell(t, "%s", print_storage_class_of(obj, pv->spec.storage_class_name));
	table_cell(t, "<unset>");	/* volumeAttributesClassName: not modelled */
	table_cell(t, "%s", pv->status.reason ? pv->status.reason : "");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pv->spec.volume_mode ? pv->spec.volume_mode : "<unset>");
}

static const struct column pvc_columns[] = {
	COL("Name"), COL("Status"), COL("Volume"), COL("Capacity"), COL("Access Modes"),
	COL("StorageClass"), COL("VolumeAttributesClass"), COL("Age"),
	WIDE("VolumeMode"),
};

static void pvc_row(struct table *t, const struct object *obj)
{
	const struct persistent_volume_claim *pvc =
		object_as(obj, KIND_PERSISTENTVOLUMECLAIM, struct persistent_volume_claim);
	const char *phase = object_is_deleting(obj) ? "Terminating"
		: pvc->status.phase ? pvc->status.phase : "";
	bool bound = pvc->spec.volume_name && *pvc->spec.volume_name;
	table_name(t, obj, obj->meta.name);
	table_status(t, phase);
	table_cell(t, "%s", bound ? pvc->spec.volume_name : "");
	table_cell_free(t, bound ? storage_quantity(&pvc->status.capacity) : xstrdup(""));
	table_cell_free(t, bound ? print_access_modes(&pvc->status.access_modes) : xstrdup(""));
	table_cell(t, "%s", print_storage_class_of(obj, pvc->spec.storage_class_name));
	table_cell(t, "<unset>");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pvc->spec.volume_mode ? pvc->spec.volume_mode : "<unset>");
}

static const struct column storage_class_columns[] = {
	COL("Name"), COL("Provisioner"), COL("ReclaimPolicy"), COL("VolumeBindingMode"),
	COL("AllowVolumeExpansion"), COL("Age"),
};

static void storage_class_row(struct table *t, const struct object *obj)
{
	const struct storage_class *sc = object_as(obj, KIND_STORAGECLASS, struct storage_class);
	const char *is_default = strmap_get(&obj->meta.annotations,
					    "storageclass.kubernetes.io/is-default-class");
	const char *beta = strmap_get(&obj->meta.annotations,
				      "storageclass.beta.kubernetes.io/is-default-class");
	bool dflt = (is_default && !strcmp(is_default, "true")) ||
		    (beta && !strcmp(beta, "true"));
	char *name = xasprintf("%s%s", obj->meta.name, dflt ? " (default)" : "");
	table_name(t, obj, name);
	free(name);
	table_cell(t, "%s", sc->provisioner ? sc->provisioner : "");
	table_cell(t, "%s", sc->reclaim_policy ? sc->reclaim_policy : "Delete");
	table_cell(t, "%s", sc->volume_binding_mode ? sc->volume_binding_mode : "Immediate");
	table_cell(t, "%s", sc->allow_volume_expansion ? "true" : "false");
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column priority_class_columns[] = {
	COL("Name"), COL("Value"), COL("Global-Default"), COL("Age"), COL("PreemptionPolicy"),
};

static void priority_class_row(struct table *t, const struct object *obj)
{
	const struct priority_class *pc = object_as(obj, KIND_PRIORITYCLASS, struct priority_class);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%d", pc->value);
	table_cell(t, "%s", pc->global_default ? "true" : "false");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pc->preemption_policy ? pc->preemption_policy : "");
}

static const struct column pdb_columns[] = {
	COL("Name"), COL("Min Available"), COL("Max Unavailable"),
	COL("Allowed Disruptions"), COL("Age"),
};

static void pdb_row(struct table *t, const struct object *obj)
{
	const struct pod_disruption_budget *pdb =
		object_as(obj, KIND_PODDISRUPTIONBUDGET, struct pod_disruption_budget);
	table_name(t, obj, obj->meta.name);
	if (pdb->spec.min_available.is_set)
		table_cell_free(t, print_int_or_string(&pdb->spec.min_available));
	else
		table_cell(t, "N/A");
	if (pdb->spec.max_unavailable.is_set)
		table_cell_free(t, print_int_or_string(&pdb->spec.max_unavailable));
	else
		table_cell(t, "N/A");
	table_cell(t, "%d", pdb->status.disruptions_allowed);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column lease_columns[] = { COL("Name"), COL("Holder"), COL("Age") };

static void lease_row(struct table *t, const struct object *obj)
{
	const struct lease *lease = object_as(obj, KIND_LEASE, struct lease);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%s", lease->spec.holder_identity ? lease->spec.holder_identity : "");
	table_age(t, obj->meta.creation_timestamp);
}

/* K8S: kubectl's CSINode printer: the number of drivers. */
static const struct column csi_node_columns[] = { COL("Name"), COL("Drivers"), COL("Age") };

static void csi_node_row(struct table *t, const struct object *obj)
{
	const struct csi_node *csi = object_as(obj, KIND_CSINODE, struct csi_node);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%zu", csi->spec.drivers.len);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column hpa_columns[] = {
	COL("Name"), COL("Reference"), COL("Targets"), COL("MinPods"), COL("MaxPods"),
	COL("Replicas"), COL("Age"),
};

static char *hpa_quantity(const struct quantity *q)
{
	char buf[64];
	quantity_format(q, buf, sizeof(buf));
	return xstrdup(buf);
}

/* K8S: formatHPAMetrics: "cpu: 85%/50%" per metric, "<unknown>" before
 * the first measurement, at most two then "+ N more...". */
static char *hpa_targets(const struct horizontal_pod_autoscaler *hpa)
{
	const struct hpa_status *st = &hpa->status;
	if (!hpa->spec.metrics.len)
		return xstrdup("<none>");
	char *text = xstrdup("");
	size_t n = hpa->spec.metrics.len;
	for (size_t i = 0; i < n && i < 2; i++) {
		const struct hpa_metric_spec *m = &hpa->spec.metrics.items[i];
		const struct hpa_metric_status *ms = NULL;
		for (size_t j = 0; j < st->current_metrics.len; j++) {
			const struct hpa_metric_status *c = &st->current_metrics.items[j];
			bool same = !strcmp(m->type, HPA_METRIC_RESOURCE) ?
				c->resource.name && !strcmp(c->resource.name, m->resource.name) :
				c->pods.metric.name && m->pods.metric.name &&
				!strcmp(c->pods.metric.name, m->pods.metric.name);
			if (c->type && !strcmp(c->type, m->type) && same)
				ms = c;
		}
		char *current, *target, *cell;
		if (!strcmp(m->type, HPA_METRIC_PODS)) {
			current = ms ? hpa_quantity(&ms->pods.current.average_value)
				     : xstrdup("<unknown>");
			target = hpa_quantity(&m->pods.target.average_value);
			cell = xasprintf("%s/%s", current, target);
		} else if (quantity_milli_value(&m->resource.target.average_value)) {
			current = ms ? hpa_quantity(&ms->resource.current.average_value)
				     : xstrdup("<unknown>");
			target = hpa_quantity(&m->resource.target.average_value);
			cell = xasprintf("%s: %s/%s", m->resource.name, current, target);
		} else {
			current = ms && ms->resource.current.average_utilization.is_set ?
				xasprintf("%lld%%", (long long)
					  ms->resource.current.average_utilization.value) :
				xstrdup("<unknown>");
			target = m->resource.target.average_utilization ?
				xasprintf("%d%%", m->resource.target.average_utilization) :
				xstrdup("<auto>");
			cell = xasprintf("%s: %s/%s", m->resource.name, current, target);
		}
		char *next = xasprintf("%s%s%s", text, *text ? ", " : "", cell);
		free(text);
		free(current);
		free(target);
		free(cell);
		text = next;
	}
	if (n > 2) {
		char *more = xasprintf("%s + %zu more...", text, n - 2);
		free(text);
		text = more;
	}
	return text;
}

static void hpa_row(struct table *t, const struct object *obj)
{
	const struct horizontal_pod_autoscaler *hpa =
		object_as(obj, KIND_HORIZONTALPODAUTOSCALER, struct horizontal_pod_autoscaler);
	const struct hpa_target_ref *ref = &hpa->spec.scale_target_ref;
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%s/%s", ref->kind ? ref->kind : "", ref->name ? ref->name : "");
	table_cell_free(t, hpa_targets(hpa));
	table_cell(t, "%d", hpa->spec.min_replicas);
	table_cell(t, "%d", hpa->spec.max_replicas);
	table_cell(t, "%d", hpa->status.current_replicas);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct kind_printer printers[KIND_COUNT] = {
	[KIND_SERVICE] = KIND_PRINTER(service_columns, service_row),
	[KIND_ENDPOINTS] = KIND_PRINTER(endpoints_columns, endpoints_row),
	[KIND_ENDPOINTSLICE] = KIND_PRINTER(endpoint_slice_columns, endpoint_slice_row),
	[KIND_CONFIGMAP] = KIND_PRINTER(config_map_columns, config_map_row),
	[KIND_PERSISTENTVOLUME] = KIND_PRINTER(pv_columns, pv_row),
	[KIND_PERSISTENTVOLUMECLAIM] = KIND_PRINTER(pvc_columns, pvc_row),
	[KIND_STORAGECLASS] = KIND_PRINTER(storage_class_columns, storage_class_row),
	[KIND_PRIORITYCLASS] = KIND_PRINTER(priority_class_columns, priority_class_row),
	[KIND_PODDISRUPTIONBUDGET] = KIND_PRINTER(pdb_columns, pdb_row),
	[KIND_LEASE] = KIND_PRINTER(lease_columns, lease_row),
	[KIND_HORIZONTALPODAUTOSCALER] = KIND_PRINTER(hpa_columns, hpa_row),
	[KIND_CSINODE] = KIND_PRINTER(csi_node_columns, csi_node_row),
};

const struct kind_printer *print_table_kinds_printer(enum kind_id kind)
{
	BUG_ON((unsigned)kind >= KIND_COUNT);
	const struct kind_printer *workload = print_table_workloads_printer(kind);
	if (workload)
		return workload;
	return printers[kind].row ? &printers[kind] : NULL;
}
