/* print_table.c - `kubectl get` tables for every kind kubelab models.
 *
 * K8S: pkg/printers/internalversion/printers.go (the column definitions of
 * AddHandlers and the print<Kind> functions that fill a row) and
 * cli-runtime/pkg/printers/tableprinter.go (headers in upper case, the
 * NAMESPACE column of -A, "kind/name" names for `get all`, wide columns).
 *
 * Each kind has a column table and a row function, in the order upstream
 * lists them. A column marked wide is upstream's Priority 1: shown only
 * with -o wide. Cells hold exactly what upstream's printers put there,
 * including "<none>" where upstream writes it and an empty cell where
 * upstream leaves one (a PV's CLAIM before it is bound).
 *
 * The pod STATUS column is the one students read most. printPod derives it
 * from the container statuses, in this order: the phase (or status.reason,
 * e.g. Evicted); Init:<reason> or Init:N/M while an init container has not
 * finished; the last regular container's waiting or terminated reason
 * (CrashLoopBackOff, ImagePullBackOff, ContainerCreating, OOMKilled,
 * Error, Completed); and finally Terminating (or Unknown for a pod lost
 * with its node) once the pod has a deletionTimestamp.
 *
 * Invariant: every row function writes exactly one cell per column of its
 * table, in order (table_cell checks).
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct column {
	const char *name;		/* as upstream: "Nominated Node" */
	bool wide;			/* Priority 1: only with -o wide */
};

struct table {
	struct tabwriter tw;
	const struct print_options *options;
	const struct column *columns;
	size_t columns_len;
	size_t column;			/* index of the next cell of the row */
	bool row_empty;			/* nothing written on this line yet */
};

/* ---- cells --------------------------------------------------------------- */

static void write_sep(struct table *t)
{
	if (!t->row_empty)
		tabwriter_printf(&t->tw, "\t");
	t->row_empty = false;
}

/* K8S: tableprinter printRows: a string cell stops at its first line break
 * and shows "..." instead of the rest. */
static void write_text(struct table *t, const char *color, const char *text)
{
	size_t n = strcspn(text, "\f\n\r");
	if (color && t->options->color)
		tabwriter_printf(&t->tw, "%s", color);
	for (size_t i = 0; i < n; i++)	/* a tab would start a new cell */
		tabwriter_printf(&t->tw, "%c", text[i] == '\t' ? ' ' : text[i]);
	if (text[n])
		tabwriter_printf(&t->tw, "...");
	if (color && t->options->color)
		tabwriter_printf(&t->tw, "%s", PRINT_COLOR_RESET);
}

static void table_cell_color(struct table *t, const char *color, const char *text)
{
	BUG_ON(t->column >= t->columns_len);
	const struct column *column = &t->columns[t->column++];
	if (column->wide && !t->options->wide)
		return;
	write_sep(t);
	write_text(t, color, text ? text : "");
}

static void table_cell(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	BUG_ON(vasprintf(&text, fmt, ap) < 0);
	va_end(ap);
	table_cell_color(t, NULL, text);
	free(text);
}

static void table_status(struct table *t, const char *status)
{
	table_cell_color(t, print_status_color(status), status);
}

static void table_age(struct table *t, ktime_t since)
{
	char age[PRINT_TIME_MAX];
	print_age(t->options->now, since, age, sizeof(age));
	table_cell(t, "%s", age);
}

/* Takes over text (the helpers above return allocated strings). */
static void table_cell_free(struct table *t, char *text)
{
	table_cell_color(t, NULL, text);
	free(text);
}

/* K8S: formatResourceName: "deployment.apps/web" under `get all`. */
static void table_name(struct table *t, const struct object *obj)
{
	const char *name = obj->meta.name ? obj->meta.name : "";
	if (!t->options->with_kind) {
		table_cell(t, "%s", name);
		return;
	}
	const char *version = obj->kind->api_version;
	const char *slash = strchr(version, '/');
	char *kind = xstrdup(obj->kind->kind);
	for (char *p = kind; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (slash)
		table_cell(t, "%s.%.*s/%s", kind, (int)(slash - version), version, name);
	else
		table_cell(t, "%s/%s", kind, name);
	free(kind);
}

static const char *or_none(const char *s)
{
	return s && *s ? s : "<none>";
}

/* K8S: layoutContainerCells, the CONTAINERS and IMAGES wide columns. */
static void table_containers(struct table *t, const struct pod_spec *spec)
{
	char *names = NULL, *images = NULL;
	size_t names_len = 0, images_len = 0;
	FILE *n = open_memstream(&names, &names_len);
	FILE *i = open_memstream(&images, &images_len);
	BUG_ON(!n || !i);
	for (size_t k = 0; k < spec->containers.len; k++) {
		const struct container *c = &spec->containers.items[k];
		fprintf(n, "%s%s", k ? "," : "", c->name ? c->name : "");
		fprintf(i, "%s%s", k ? "," : "", c->image ? c->image : "");
	}
	fclose(n);
	fclose(i);
	table_cell_free(t, names);
	table_cell_free(t, images);
}

static const char *const access_mode_abbrevs[][2] = {
	{ "ReadWriteOnce", "RWO" }, { "ReadOnlyMany", "ROX" },
	{ "ReadWriteMany", "RWX" }, { "ReadWriteOncePod", "RWOP" },
};

/* K8S: GetAccessModesAsString: abbreviations in a fixed order. */
static char *access_modes(const void *list_of_strings)
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
static const char *storage_class_of(const struct object *obj, const char *field)
{
	const char *beta = strmap_get(&obj->meta.annotations,
				      "volume.beta.kubernetes.io/storage-class");
	return beta ? beta : field ? field : "";
}

/* ---- pods ---------------------------------------------------------------- */

static const struct column pod_columns[] = {
	{ "Name" }, { "Ready" }, { "Status" }, { "Restarts" }, { "Age" },
	{ "IP", true }, { "Node", true }, { "Nominated Node", true },
	{ "Readiness Gates", true },
};

static void pod_row(struct table *t, const struct object *obj)
{
	const struct pod *pod = object_as(obj, KIND_POD, struct pod);
	struct pod_summary s;
	print_pod_summarize(pod, &s);
	table_name(t, obj);
	table_cell(t, "%d/%d", s.ready, s.total);
	table_status(t, s.reason);
	if (s.restarts && s.last_restart) {
		char ago[PRINT_TIME_MAX];
		print_age(t->options->now, s.last_restart, ago, sizeof(ago));
		table_cell(t, "%d (%s ago)", s.restarts, ago);
	} else {
		table_cell(t, "%d", s.restarts);
	}
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", or_none(pod->status.pod_ip));
	table_cell(t, "%s", or_none(pod->spec.node_name));
	table_cell(t, "%s", or_none(pod->status.nominated_node_name));
	table_cell(t, "<none>");	/* kubelab models no readinessGates */
}

/* ---- nodes --------------------------------------------------------------- */

static const struct column node_columns[] = {
	{ "Name" }, { "Status" }, { "Roles" }, { "Age" }, { "Version" },
	{ "Internal-IP", true }, { "External-IP", true }, { "OS-Image", true },
	{ "Kernel-Version", true }, { "Container-Runtime", true },
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* K8S: findNodeRoles: node-role.kubernetes.io/<role> labels and the older
 * kubernetes.io/role=<role>. Sorted (upstream's get leaves a set's random
 * order; its describe sorts). Caller frees; "" when none. */
char *print_node_roles(const struct node *node);
char *print_node_roles(const struct node *node)
{
	const struct strmap *labels = &node->obj.meta.labels;
	const char **roles = xcalloc(labels->len + 1, sizeof(char *));
	size_t n = 0;
	static const char prefix[] = "node-role.kubernetes.io/";
	for (size_t i = 0; i < labels->len; i++) {
		const struct strpair *l = &labels->items[i];
		if (!strncmp(l->key, prefix, sizeof(prefix) - 1) && l->key[sizeof(prefix) - 1])
			roles[n++] = l->key + sizeof(prefix) - 1;
		else if (!strcmp(l->key, "kubernetes.io/role") && l->value && *l->value)
			roles[n++] = l->value;
	}
	qsort(roles, n, sizeof(char *), compare_strings);
	char *text = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(roles[i], roles[i - 1]))
			continue;
		char *next = xasprintf("%s%s%s", text, *text ? "," : "", roles[i]);
		free(text);
		text = next;
	}
	free(roles);
	return text;
}

static const char *node_address(const struct node *node, const char *type)
{
	for (size_t i = 0; i < node->status.addresses.len; i++) {
		const struct node_address *a = &node->status.addresses.items[i];
		if (a->type && !strcmp(a->type, type))
			return a->address;
	}
	return "<none>";
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "<unknown>";
}

static void node_row(struct table *t, const struct object *obj)
{
	const struct node *node = object_as(obj, KIND_NODE, struct node);
	const struct condition *ready =
		condition_find((void *)&node->status.conditions, "Ready");
	char status[64];
	if (!ready)
		snprintf(status, sizeof(status), "Unknown");
	else if (ready->status && !strcmp(ready->status, "True"))
		snprintf(status, sizeof(status), "Ready");
	else
		snprintf(status, sizeof(status), "NotReady");
	if (node->spec.unschedulable)
		strncat(status, ",SchedulingDisabled", sizeof(status) - strlen(status) - 1);
	char *roles = print_node_roles(node);
	const struct node_system_info *info = &node->status.node_info;

	table_name(t, obj);
	table_status(t, status);
	table_cell(t, "%s", or_none(roles));
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", info->kubelet_version ? info->kubelet_version : "");
	table_cell(t, "%s", node_address(node, "InternalIP"));
	table_cell(t, "%s", node_address(node, "ExternalIP"));
	table_cell(t, "%s", or_unknown(info->os_image));
	table_cell(t, "%s", or_unknown(info->kernel_version));
	table_cell(t, "%s", or_unknown(info->container_runtime_version));
	free(roles);
}

/* ---- workloads ----------------------------------------------------------- */

static const struct column replica_set_columns[] = {
	{ "Name" }, { "Desired" }, { "Current" }, { "Ready" }, { "Age" },
	{ "Containers", true }, { "Images", true }, { "Selector", true },
};

static void replica_set_row(struct table *t, const struct object *obj)
{
	const struct replica_set *rs = object_as(obj, KIND_REPLICASET, struct replica_set);
	table_name(t, obj);
	table_cell(t, "%d", rs->spec.replicas);
	table_cell(t, "%d", rs->status.replicas);
	table_cell(t, "%d", rs->status.ready_replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &rs->spec.template.spec);
	table_cell_free(t, print_label_selector(&rs->spec.selector));
}

static const struct column deployment_columns[] = {
	{ "Name" }, { "Ready" }, { "Up-to-date" }, { "Available" }, { "Age" },
	{ "Containers", true }, { "Images", true }, { "Selector", true },
};

static void deployment_row(struct table *t, const struct object *obj)
{
	const struct deployment *d = object_as(obj, KIND_DEPLOYMENT, struct deployment);
	table_name(t, obj);
	table_cell(t, "%d/%d", d->status.ready_replicas, d->spec.replicas);
	table_cell(t, "%d", d->status.updated_replicas);
	table_cell(t, "%d", d->status.available_replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &d->spec.template.spec);
	table_cell_free(t, print_selector_string(&d->spec.selector));
}

static const struct column stateful_set_columns[] = {
	{ "Name" }, { "Ready" }, { "Age" },
	{ "Containers", true }, { "Images", true },
};

static void stateful_set_row(struct table *t, const struct object *obj)
{
	const struct stateful_set *ss = object_as(obj, KIND_STATEFULSET, struct stateful_set);
	table_name(t, obj);
	table_cell(t, "%d/%d", ss->status.ready_replicas, ss->spec.replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &ss->spec.template.spec);
}

static const struct column daemon_set_columns[] = {
	{ "Name" }, { "Desired" }, { "Current" }, { "Ready" }, { "Up-to-date" },
	{ "Available" }, { "Node Selector" }, { "Age" },
	{ "Containers", true }, { "Images", true }, { "Selector", true },
};

static void daemon_set_row(struct table *t, const struct object *obj)
{
	const struct daemon_set *ds = object_as(obj, KIND_DAEMONSET, struct daemon_set);
	table_name(t, obj);
	table_cell(t, "%d", ds->status.desired_number_scheduled);
	table_cell(t, "%d", ds->status.current_number_scheduled);
	table_cell(t, "%d", ds->status.number_ready);
	table_cell(t, "%d", ds->status.updated_number_scheduled);
	table_cell(t, "%d", ds->status.number_available);
	table_cell_free(t, print_labels(&ds->spec.template.spec.node_selector));
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &ds->spec.template.spec);
	table_cell_free(t, print_label_selector(&ds->spec.selector));
}

/* ---- batch --------------------------------------------------------------- */

static bool job_condition(const struct job *job, const char *type)
{
	const struct condition *c = condition_find((void *)&job->status.conditions, type);
	return c && c->status && !strcmp(c->status, "True");
}

static const struct column job_columns[] = {
	{ "Name" }, { "Status" }, { "Completions" }, { "Duration" }, { "Age" },
	{ "Containers", true }, { "Images", true }, { "Selector", true },
};

static void job_row(struct table *t, const struct object *obj)
{
	const struct job *job = object_as(obj, KIND_JOB, struct job);
	const struct job_status *st = &job->status;
	const char *status = job_condition(job, "Complete") ? "Complete"
		: job_condition(job, "Failed") ? "Failed"
		: object_is_deleting(obj) ? "Terminating"
		: job_condition(job, "Suspended") ? "Suspended"
		: job_condition(job, "FailureTarget") ? "FailureTarget"
		: "Running";
	char duration[PRINT_TIME_MAX] = "";
	if (st->start_time && !st->completion_time)
		print_age(t->options->now, st->start_time, duration, sizeof(duration));
	else if (st->start_time)
		duration_human(st->completion_time - st->start_time, duration,
			       sizeof(duration));

	table_name(t, obj);
	table_status(t, status);
	if (job->spec.completions.is_set)
		table_cell(t, "%d/%lld", st->succeeded,
			   (long long)job->spec.completions.value);
	else if (job->spec.parallelism.is_set && job->spec.parallelism.value > 1)
		table_cell(t, "%d/1 of %lld", st->succeeded,
			   (long long)job->spec.parallelism.value);
	else
		table_cell(t, "%d/1", st->succeeded);
	table_cell(t, "%s", duration);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &job->spec.template.spec);
	table_cell_free(t, print_label_selector(&job->spec.selector));
}

static const struct column cron_job_columns[] = {
	{ "Name" }, { "Schedule" }, { "Timezone" }, { "Suspend" }, { "Active" },
	{ "Last Schedule" }, { "Age" },
	{ "Containers", true }, { "Images", true }, { "Selector", true },
};

static void cron_job_row(struct table *t, const struct object *obj)
{
	const struct cron_job *cj = object_as(obj, KIND_CRONJOB, struct cron_job);
	table_name(t, obj);
	table_cell(t, "%s", cj->spec.schedule ? cj->spec.schedule : "");
	table_cell(t, "%s", or_none(cj->spec.time_zone));
	table_cell(t, "%s", cj->spec.suspend ? "True" : "False");
	table_cell(t, "%zu", cj->status.active.len);
	if (cj->status.last_schedule_time)
		table_age(t, cj->status.last_schedule_time);
	else
		table_cell(t, "<none>");
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &cj->spec.job_template.spec.template.spec);
	table_cell_free(t, print_label_selector(&cj->spec.job_template.spec.selector));
}

/* ---- services ------------------------------------------------------------ */

static const struct column service_columns[] = {
	{ "Name" }, { "Type" }, { "Cluster-IP" }, { "External-IP" },
	{ "Port(s)" }, { "Age" }, { "Selector", true },
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
	table_name(t, obj);
	table_cell(t, "%s", type);
	table_cell(t, "%s", or_none(svc->spec.cluster_ip));
	table_cell(t, "%s", external);
	table_cell(t, "%s", or_none(ports));
	table_age(t, obj->meta.creation_timestamp);
	table_cell_free(t, print_labels(&svc->spec.selector));
	free(ports);
}

static const struct column endpoints_columns[] = {
	{ "Name" }, { "Endpoints" }, { "Age" },
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
	table_name(t, obj);
	table_cell_free(t, format_endpoints(object_as(obj, KIND_ENDPOINTS, struct endpoints)));
	table_age(t, obj->meta.creation_timestamp);
}

/* ---- configuration, storage, scheduling ---------------------------------- */

static const struct column namespace_columns[] = { { "Name" }, { "Status" }, { "Age" } };

static void namespace_row(struct table *t, const struct object *obj)
{
	const struct namespace *ns = object_as(obj, KIND_NAMESPACE, struct namespace);
	table_name(t, obj);
	table_status(t, ns->status.phase ? ns->status.phase : "");
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column config_map_columns[] = { { "Name" }, { "Data" }, { "Age" } };

static void config_map_row(struct table *t, const struct object *obj)
{
	const struct config_map *cm = object_as(obj, KIND_CONFIGMAP, struct config_map);
	table_name(t, obj);
	table_cell(t, "%zu", cm->data.len);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column pv_columns[] = {
	{ "Name" }, { "Capacity" }, { "Access Modes" }, { "Reclaim Policy" },
	{ "Status" }, { "Claim" }, { "StorageClass" }, { "VolumeAttributesClass" },
	{ "Reason" }, { "Age" }, { "VolumeMode", true },
};

static void pv_row(struct table *t, const struct object *obj)
{
	const struct persistent_volume *pv =
		object_as(obj, KIND_PERSISTENTVOLUME, struct persistent_volume);
	const struct object_reference *claim = &pv->spec.claim_ref;
	const char *phase = object_is_deleting(obj) ? "Terminating"
		: pv->status.phase ? pv->status.phase : "";
	table_name(t, obj);
	table_cell_free(t, storage_quantity(&pv->spec.capacity));
	table_cell_free(t, access_modes(&pv->spec.access_modes));
	table_cell(t, "%s", pv->spec.persistent_volume_reclaim_policy
		   ? pv->spec.persistent_volume_reclaim_policy : "");
	table_status(t, phase);
	if (claim->name || claim->namespace)
		table_cell(t, "%s/%s", claim->namespace ? claim->namespace : "",
			   claim->name ? claim->name : "");
	else
		table_cell(t, "%s", "");
	table_cell(t, "%s", storage_class_of(obj, pv->spec.storage_class_name));
	table_cell(t, "<unset>");	/* volumeAttributesClassName: not modelled */
	table_cell(t, "%s", pv->status.reason ? pv->status.reason : "");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pv->spec.volume_mode ? pv->spec.volume_mode : "<unset>");
}

static const struct column pvc_columns[] = {
	{ "Name" }, { "Status" }, { "Volume" }, { "Capacity" }, { "Access Modes" },
	{ "StorageClass" }, { "VolumeAttributesClass" }, { "Age" },
	{ "VolumeMode", true },
};

static void pvc_row(struct table *t, const struct object *obj)
{
	const struct persistent_volume_claim *pvc =
		object_as(obj, KIND_PERSISTENTVOLUMECLAIM, struct persistent_volume_claim);
	const char *phase = object_is_deleting(obj) ? "Terminating"
		: pvc->status.phase ? pvc->status.phase : "";
	bool bound = pvc->spec.volume_name && *pvc->spec.volume_name;
	table_name(t, obj);
	table_status(t, phase);
	table_cell(t, "%s", bound ? pvc->spec.volume_name : "");
	table_cell_free(t, bound ? storage_quantity(&pvc->status.capacity) : xstrdup(""));
	table_cell_free(t, bound ? access_modes(&pvc->status.access_modes) : xstrdup(""));
	table_cell(t, "%s", storage_class_of(obj, pvc->spec.storage_class_name));
	table_cell(t, "<unset>");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pvc->spec.volume_mode ? pvc->spec.volume_mode : "<unset>");
}

static const struct column storage_class_columns[] = {
	{ "Name" }, { "Provisioner" }, { "ReclaimPolicy" }, { "VolumeBindingMode" },
	{ "AllowVolumeExpansion" }, { "Age" },
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
	if (dflt && !t->options->with_kind) {
		table_cell(t, "%s (default)", obj->meta.name);
	} else {
		table_name(t, obj);
	}
	table_cell(t, "%s", sc->provisioner ? sc->provisioner : "");
	table_cell(t, "%s", sc->reclaim_policy ? sc->reclaim_policy : "Delete");
	table_cell(t, "%s", sc->volume_binding_mode ? sc->volume_binding_mode : "Immediate");
	table_cell(t, "%s", sc->allow_volume_expansion ? "true" : "false");
	table_age(t, obj->meta.creation_timestamp);
}

static const struct column priority_class_columns[] = {
	{ "Name" }, { "Value" }, { "Global-Default" }, { "Age" }, { "PreemptionPolicy" },
};

static void priority_class_row(struct table *t, const struct object *obj)
{
	const struct priority_class *pc = object_as(obj, KIND_PRIORITYCLASS, struct priority_class);
	table_name(t, obj);
	table_cell(t, "%d", pc->value);
	table_cell(t, "%s", pc->global_default ? "true" : "false");
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", pc->preemption_policy ? pc->preemption_policy : "");
}

static const struct column pdb_columns[] = {
	{ "Name" }, { "Min Available" }, { "Max Unavailable" },
	{ "Allowed Disruptions" }, { "Age" },
};

static void pdb_row(struct table *t, const struct object *obj)
{
	const struct pod_disruption_budget *pdb =
		object_as(obj, KIND_PODDISRUPTIONBUDGET, struct pod_disruption_budget);
	table_name(t, obj);
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

static const struct column lease_columns[] = { { "Name" }, { "Holder" }, { "Age" } };

static void lease_row(struct table *t, const struct object *obj)
{
	const struct lease *lease = object_as(obj, KIND_LEASE, struct lease);
	table_name(t, obj);
	table_cell(t, "%s", lease->spec.holder_identity ? lease->spec.holder_identity : "");
	table_age(t, obj->meta.creation_timestamp);
}

/* ---- events -------------------------------------------------------------- */

static const struct column event_columns[] = {
	{ "Last Seen" }, { "Type" }, { "Reason" }, { "Object" },
	{ "Subobject", true }, { "Source", true }, { "Message" },
	{ "First Seen", true }, { "Count", true }, { "Name", true },
};

/* K8S: printEvent, the rows of `kubectl get events`. */
static void event_row(struct table *t, const struct object *obj)
{
	const struct event *ev = object_as(obj, KIND_EVENT, struct event);
	const struct object_reference *ref = &ev->involved_object;
	char first[PRINT_TIME_MAX], last[PRINT_TIME_MAX];
	print_age(t->options->now, ev->first_timestamp, first, sizeof(first));
	if (ev->last_timestamp)
		print_age(t->options->now, ev->last_timestamp, last, sizeof(last));
	else
		snprintf(last, sizeof(last), "%s", first);
	char *kind = xstrdup(ref->kind ? ref->kind : "");
	for (char *p = kind; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *component = ev->source.component && *ev->source.component
		? ev->source.component : ev->reporting_component;
	const char *host = ev->source.host && *ev->source.host
		? ev->source.host : ev->reporting_instance;
	/* K8S: strings.TrimSpace(obj.Message) */
	const char *msg = ev->message ? ev->message : "";
	while (isspace((unsigned char)*msg))
		msg++;
	int msg_len = (int)strlen(msg);
	while (msg_len && isspace((unsigned char)msg[msg_len - 1]))
		msg_len--;

	table_cell(t, "%s", last);
	table_cell_color(t, ev->type && !strcmp(ev->type, "Warning") ? "\033[33m" : NULL,
			 ev->type ? ev->type : "");
	table_cell(t, "%s", ev->reason ? ev->reason : "");
	if (ref->name && *ref->name)
		table_cell(t, "%s/%s", kind, ref->name);
	else
		table_cell(t, "%s", kind);
	table_cell(t, "%s", ref->field_path ? ref->field_path : "");
	if (host && *host)
		table_cell(t, "%s, %s", component ? component : "", host);
	else
		table_cell(t, "%s", component ? component : "");
	table_cell(t, "%.*s", msg_len, msg);
	table_cell(t, "%s", first);
	table_cell(t, "%d", ev->count ? ev->count : 1);	/* singletons: 1 */
	table_cell(t, "%s", obj->meta.name ? obj->meta.name : "");
	free(kind);
}

/* ---- the table ----------------------------------------------------------- */

struct kind_printer {
	const struct column *columns;
	size_t columns_len;
	void (*row)(struct table *t, const struct object *obj);
};

#define PRINTER(cols, fn) { cols, sizeof(cols) / sizeof(cols[0]), fn }

static const struct kind_printer printers[KIND_COUNT] = {
	[KIND_NAMESPACE] = PRINTER(namespace_columns, namespace_row),
	[KIND_NODE] = PRINTER(node_columns, node_row),
	[KIND_POD] = PRINTER(pod_columns, pod_row),
	[KIND_REPLICASET] = PRINTER(replica_set_columns, replica_set_row),
	[KIND_DEPLOYMENT] = PRINTER(deployment_columns, deployment_row),
	[KIND_STATEFULSET] = PRINTER(stateful_set_columns, stateful_set_row),
	[KIND_DAEMONSET] = PRINTER(daemon_set_columns, daemon_set_row),
	[KIND_JOB] = PRINTER(job_columns, job_row),
	[KIND_CRONJOB] = PRINTER(cron_job_columns, cron_job_row),
	[KIND_SERVICE] = PRINTER(service_columns, service_row),
	[KIND_ENDPOINTS] = PRINTER(endpoints_columns, endpoints_row),
	[KIND_CONFIGMAP] = PRINTER(config_map_columns, config_map_row),
	[KIND_PERSISTENTVOLUME] = PRINTER(pv_columns, pv_row),
	[KIND_PERSISTENTVOLUMECLAIM] = PRINTER(pvc_columns, pvc_row),
	[KIND_STORAGECLASS] = PRINTER(storage_class_columns, storage_class_row),
	[KIND_PRIORITYCLASS] = PRINTER(priority_class_columns, priority_class_row),
	[KIND_PODDISRUPTIONBUDGET] = PRINTER(pdb_columns, pdb_row),
	[KIND_EVENT] = PRINTER(event_columns, event_row),
	[KIND_LEASE] = PRINTER(lease_columns, lease_row),
};

void print_table(FILE *out, enum kind_id kind, const struct object_list *objects,
		 const struct print_options *options)
{
	const struct kind_printer *printer = &printers[kind_get(kind)->id];
	/* K8S: kubectl get omits NAMESPACE for cluster-scoped kinds even
	 * with -A. */
	bool with_namespace = options->all_namespaces && kind_get(kind)->namespaced;
	struct table t = {
		.options = options,
		.columns = printer->columns,
		.columns_len = printer->columns_len,
		.row_empty = true,
	};
	tabwriter_init(&t.tw, out, 6, 3, true);

	if (!options->no_headers) {
		if (with_namespace)
			write_sep(&t), tabwriter_printf(&t.tw, "NAMESPACE");
		for (size_t i = 0; i < t.columns_len; i++) {
			if (t.columns[i].wide && !options->wide)
				continue;
			write_sep(&t);
			for (const char *p = t.columns[i].name; *p; p++)
				tabwriter_printf(&t.tw, "%c", toupper((unsigned char)*p));
		}
		tabwriter_printf(&t.tw, "\n");
	}
	for (size_t i = 0; i < objects->len; i++) {
		const struct object *obj = objects->items[i];
		BUG_ON(obj->kind->id != kind);
		t.row_empty = true;
		t.column = 0;
		if (with_namespace) {
			write_sep(&t);
			write_text(&t, NULL, obj->meta.namespace ? obj->meta.namespace : "");
		}
		printer->row(&t, obj);
		BUG_ON(t.column != t.columns_len);	/* one cell per column */
		tabwriter_printf(&t.tw, "\n");
	}
	tabwriter_release(&t.tw);
}
