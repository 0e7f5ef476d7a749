/* print_table.c - `kubectl get` tables: the machinery, pods, nodes, events.
 *
 * K8S: pkg/printers/internalversion/printers.go (the column definitions of
 * AddHandlers and the print<Kind> functions that fill a row) and
 * cli-runtime/pkg/printers/tableprinter.go (headers in upper case, the
 * NAMESPACE column of -A, "kind/name" names for `get all`, wide columns).
 *
 * Each kind has a column table and a row function (struct kind_printer);
 * this file holds the cell helpers, the kinds students watch most (pods,
 * nodes, namespaces, events) and print_table() itself;
 * print_table_workloads.c (apps, batch) and print_table_kinds.c hold the
 * rest, print_pod.c derives the pod STATUS. A column marked wide
 * is upstream's Priority 1: shown only with -o wide. Cells hold exactly
 * what upstream's printers put there, "<none>" where upstream writes it
 * and an empty cell where upstream leaves one (a PV's CLAIM before it is
 * bound). Lines carry no trailing blanks.
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
	while (n) {	/* a tab would start a new cell: print it as a blank */
		size_t run = strcspn(text, "\t");
		run = run < n ? run : n;
		tabwriter_printf(&t->tw, "%.*s%s", (int)run, text, run < n ? " " : "");
		text += run + (run < n);
		n -= run + (run < n);
	}
	if (*text)	/* stopped at a line break */
		tabwriter_printf(&t->tw, "...");
	if (color && t->options->color)
		tabwriter_printf(&t->tw, "%s", PRINT_COLOR_RESET);
}

void table_cell_color(struct table *t, const char *color, const char *text)
{
	BUG_ON(t->column >= t->columns_len);
	const struct column *column = &t->columns[t->column++];
	if (column->wide && !t->options->wide)
		return;
	write_sep(t);
	write_text(t, color, text ? text : "");
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	BUG_ON(vasprintf(&text, fmt, ap) < 0);
	va_end(ap);
	table_cell_color(t, NULL, text);
	free(text);
}

void table_status(struct table *t, const char *status)
{
	table_cell_color(t, print_status_color(status), status);
}

void table_age(struct table *t, ktime_t since)
{
	char age[PRINT_TIME_MAX];
	print_age(t->options->now, since, age, sizeof(age));
	table_cell(t, "%s", age);
}

void table_cell_free(struct table *t, char *text)
{
	table_cell_color(t, NULL, text);
	free(text);
}

/* K8S: formatResourceName: "deployment.apps/web" under `get all`. */
void table_name(struct table *t, const struct object *obj, const char *name)
{
	name = name ? name : "";
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

const char *print_or_none(const char *s)
{
	return s && *s ? s : "<none>";
}

/* K8S: layoutContainerCells, the CONTAINERS and IMAGES wide columns. */
void table_containers(struct table *t, const struct pod_spec *spec)
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

/* ---- pods ---------------------------------------------------------------- */

static const struct column pod_columns[] = {
	COL("Name"), COL("Ready"), COL("Status"), COL("Restarts"), COL("Age"),
	WIDE("IP"), WIDE("Node"), WIDE("Nominated Node"),
	WIDE("Readiness Gates"),
};

static void pod_row(struct table *t, const struct object *obj)
{
	const struct pod *pod = object_as(obj, KIND_POD, struct pod);
	struct pod_summary s;
	print_pod_summarize(pod, &s);
	table_name(t, obj, obj->meta.name);
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
	table_cell(t, "%s", print_or_none(pod->status.pod_ip));
	table_cell(t, "%s", print_or_none(pod->spec.node_name));
	table_cell(t, "%s", print_or_none(pod->status.nominated_node_name));
	table_cell(t, "<none>");	/* kubelab models no readinessGates */
}

/* ---- nodes --------------------------------------------------------------- */

static const struct column node_columns[] = {
	COL("Name"), COL("Status"), COL("Roles"), COL("Age"), COL("Version"),
	WIDE("Internal-IP"), WIDE("External-IP"), WIDE("OS-Image"),
	WIDE("Kernel-Version"), WIDE("Container-Runtime"),
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* K8S: findNodeRoles, from node-role.kubernetes.io/<role> labels and the
 * older kubernetes.io/role=<role>. Sorted: upstream's get prints a Go set
 * in random order, its describe sorts; kubelab must be deterministic. */
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

	table_name(t, obj, obj->meta.name);
	table_status(t, status);
	table_cell(t, "%s", print_or_none(roles));
	table_age(t, obj->meta.creation_timestamp);
	table_cell(t, "%s", info->kubelet_version ? info->kubelet_version : "");
	table_cell(t, "%s", node_address(node, "InternalIP"));
	table_cell(t, "%s", node_address(node, "ExternalIP"));
	table_cell(t, "%s", or_unknown(info->os_image));
	table_cell(t, "%s", or_unknown(info->kernel_version));
	table_cell(t, "%s", or_unknown(info->container_runtime_version));
	free(roles);
}

/* ---- namespaces ----------------------------------------------------------- */

static const struct column namespace_columns[] = { COL("Name"), COL("Status"), COL("Age") };

static void namespace_row(struct table *t, const struct object *obj)
{
	const struct namespace *ns = object_as(obj, KIND_NAMESPACE, struct namespace);
	table_name(t, obj, obj->meta.name);
	table_status(t, ns->status.phase ? ns->status.phase : "");
	table_age(t, obj->meta.creation_timestamp);
}

/* ---- events -------------------------------------------------------------- */

static const struct column event_columns[] = {
	COL("Last Seen"), COL("Type"), COL("Reason"), COL("Object"),
	WIDE("Subobject"), WIDE("Source"), COL("Message"),
	WIDE("First Seen"), WIDE("Count"), WIDE("Name"),
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

static const struct kind_printer core_printers[KIND_COUNT] = {
	[KIND_NAMESPACE] = KIND_PRINTER(namespace_columns, namespace_row),
	[KIND_NODE] = KIND_PRINTER(node_columns, node_row),
	[KIND_POD] = KIND_PRINTER(pod_columns, pod_row),
	[KIND_EVENT] = KIND_PRINTER(event_columns, event_row),
};

static void write_header(struct table *t, bool with_namespace)
{
	if (with_namespace) {
		write_sep(t);
		tabwriter_printf(&t->tw, "NAMESPACE");
	}
	for (size_t i = 0; i < t->columns_len; i++) {
		if (t->columns[i].wide && !t->options->wide)
			continue;
		write_sep(t);
		for (const char *p = t->columns[i].name; *p; p++)
			tabwriter_printf(&t->tw, "%c", toupper((unsigned char)*p));
	}
	tabwriter_printf(&t->tw, "\n");
}

void print_table(FILE *out, enum kind_id kind, const struct object_list *objects,
		 const struct print_options *options)
{
	/* K8S: kubectl get prints no table, not even a header, for an empty
	 * list; the caller says "No resources found in default namespace." */
	if (!objects->len)
		return;
	const struct kind_printer *printer = &core_printers[kind_get(kind)->id];
	if (!printer->row)
		printer = print_table_kinds_printer(kind);
	BUG_ON(!printer);
	/* K8S: kubectl get leaves out NAMESPACE for cluster-scoped kinds,
	 * even with -A. */
	bool with_namespace = options->all_namespaces && kind_get(kind)->namespaced;
	struct table t = {
		.options = options,
		.columns = printer->columns,
		.columns_len = printer->columns_len,
		.row_empty = true,
	};
	tabwriter_init(&t.tw, out, 6, 3, true);
	if (!options->no_headers)
		write_header(&t, with_namespace);
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
