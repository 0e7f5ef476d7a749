/* print_describe_workloads.c - `kubectl describe` for Deployments and
 * ReplicaSets, and the generic describer for every other kind.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go
 * (describeDeployment, describeReplicaSet, genericDescriber with
 * printUnstructuredContent and smartLabelFor) and
 * kubectl/pkg/util/deployment/deployment.go (which ReplicaSet is the new
 * one: the oldest owned ReplicaSet whose pod template equals the
 * Deployment's, ignoring the pod-template-hash label).
 *
 * The Deployment page is where a rollout is read: "3 desired | 1 updated
 * | 4 total | 3 available | 1 unavailable", the old and new ReplicaSets
 * with how many replicas each has created, and the ScalingReplicaSet
 * events of the deployment controller.
 *
 * The generic describer is what kubectl uses for kinds it has no
 * describer for: Name, Namespace, Labels, Annotations, then every other
 * field of the object, sorted by JSON name, nested by indentation, with
 * camelCase names turned into words ("apiVersion" -> "API Version"). It
 * walks the kind's schema (schema.h) where upstream walks the JSON, and
 * leaves out zero values as the JSON encoding would. kubelab uses it for
 * the kinds that have no describer of their own (print_describe's
 * switch): Namespace, ConfigMap, Event, Lease, ControllerRevision.
 * Upstream has specific ones for Namespace and ConfigMap.
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* "  Type\tStatus\tReason" conditions of the workload kinds. */
static void describe_conditions(struct tabwriter *tw, const void *conditions_list)
{
	const LIST_OF(struct condition) *conditions = conditions_list;
	if (!conditions->len)
		return;
	tabwriter_put(tw, 0, "Conditions:\n  Type\tStatus\tReason\n");
	tabwriter_put(tw, 1, "----\t------\t------\n");
	for (size_t i = 0; i < conditions->len; i++) {
		const struct condition *c = &conditions->items[i];
		tabwriter_put(tw, 1, "%s \t%s\t%s\n", str(c->type), str(c->status), str(c->reason));
	}
}

/* ---- Deployment ---------------------------------------------------------- */

/* K8S: equalIgnoreHash. */
static bool same_template(const struct pod_template_spec *a,
			  const struct pod_template_spec *b)
{
	struct pod_template_spec x, y;
	schema_copy(&pod_template_spec_schema, &x, a);
	schema_copy(&pod_template_spec_schema, &y, b);
	strmap_remove(&x.metadata.labels, "pod-template-hash");
	strmap_remove(&y.metadata.labels, "pod-template-hash");
	bool equal = schema_equal(&pod_template_spec_schema, &x, &y);
	schema_release(&pod_template_spec_schema, &x);
	schema_release(&pod_template_spec_schema, &y);
	return equal;
}

static int by_creation(const void *a, const void *b)
{
	const struct object *x = *(const struct object *const *)a;
	const struct object *y = *(const struct object *const *)b;
	if (x->meta.creation_timestamp != y->meta.creation_timestamp)
		return x->meta.creation_timestamp < y->meta.creation_timestamp ? -1 : 1;
	return strcmp(str(x->meta.name), str(y->meta.name));
}

/* K8S: printReplicaSetsByLabels: "web-7d4b9 (3/3 replicas created)". */
static void replica_sets_line(struct tabwriter *tw, const char *title,
			      const struct replica_set *const *sets, size_t n)
{
	tabwriter_put(tw, 0, "%s:\t", title);
	for (size_t i = 0; i < n; i++)
		tabwriter_printf(tw, "%s%s (%d/%d replicas created)", i ? ", " : "",
				 str(sets[i]->obj.meta.name), sets[i]->status.replicas,
				 sets[i]->spec.replicas);
	tabwriter_printf(tw, "%s\n", n ? "" : "<none>");
}

void describe_deployment(struct tabwriter *tw, const struct store *store,
			 const struct deployment *d, ktime_t now)
{
	const struct object *obj = &d->obj;
	char when[PRINT_TIME_MAX];
	print_time_rfc1123(obj->meta.creation_timestamp, when, sizeof(when));
	char *selector = print_selector_string(&d->spec.selector);
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	tabwriter_put(tw, 0, "CreationTimestamp:\t%s\n", when);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "Selector:\t%s\n", selector);
	free(selector);
	tabwriter_put(tw, 0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		      d->spec.replicas, d->status.updated_replicas, d->status.replicas,
		      d->status.available_replicas, d->status.unavailable_replicas);
	const struct deployment_strategy *strategy = &d->spec.strategy;
	tabwriter_put(tw, 0, "StrategyType:\t%s\n", str(strategy->type));
	tabwriter_put(tw, 0, "MinReadySeconds:\t%d\n", d->spec.min_ready_seconds);
	/* Upstream prints this when spec.strategy.rollingUpdate is set, which
	 * defaulting does for the RollingUpdate type. */
	if ((strategy->type && !strcmp(strategy->type, "RollingUpdate")) ||
	    strategy->rolling_update.max_unavailable.is_set ||
	    strategy->rolling_update.max_surge.is_set) {
		char *unavailable = print_int_or_string(&strategy->rolling_update.max_unavailable);
		char *surge = print_int_or_string(&strategy->rolling_update.max_surge);
		tabwriter_put(tw, 0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n",
			      unavailable, surge);
		free(unavailable);
		free(surge);
	}
	describe_pod_template(tw, &d->spec.template);
	describe_conditions(tw, &d->status.conditions);

	struct object_list owned = { 0 };
	store_list_owned(store, KIND_REPLICASET, obj->meta.uid, &owned);
	if (owned.len) {
		qsort(owned.items, owned.len, sizeof(*owned.items), by_creation);
		const struct replica_set **old = xcalloc(owned.len, sizeof(*old));
		const struct replica_set *new_rs = NULL;
		size_t n_old = 0;
		for (size_t i = 0; i < owned.len; i++) {
			const struct replica_set *rs = (const struct replica_set *)owned.items[i];
			if (!new_rs && same_template(&rs->spec.template, &d->spec.template))
				new_rs = rs;
			else
				old[n_old++] = rs;
		}
		replica_sets_line(tw, "OldReplicaSets", old, n_old);
		replica_sets_line(tw, "NewReplicaSet", &new_rs, new_rs ? 1 : 0);
		free(old);
	}
	object_list_release(&owned);
	print_describe_events(tw, store, obj, now);
}

/* ---- shared by the controllers' describers -------------------------------- */

void describe_pods_status(struct tabwriter *tw, const struct store *store,
			  const struct object *owner)
{
	/* Upstream lists the pods matching the selector and keeps those
	 * whose controller is the owner: the same set as the owned pods. */
	int running = 0, waiting = 0, succeeded = 0, failed = 0;
	struct object_list pods = { 0 };
	store_list_owned(store, KIND_POD, owner->meta.uid, &pods);
	for (size_t i = 0; i < pods.len; i++) {
		const char *phase = str(((const struct pod *)pods.items[i])->status.phase);
		running += !strcmp(phase, POD_PHASE_RUNNING);
		waiting += !strcmp(phase, POD_PHASE_PENDING);
		succeeded += !strcmp(phase, POD_PHASE_SUCCEEDED);
		failed += !strcmp(phase, POD_PHASE_FAILED);
	}
	object_list_release(&pods);
	tabwriter_put(tw, 0, "Pods Status:\t%d Running / %d Waiting / %d Succeeded / %d Failed\n",
		      running, waiting, succeeded, failed);
}

void describe_creation(struct tabwriter *tw, const struct object *obj)
{
	char when[PRINT_TIME_MAX];
	print_time_rfc1123(obj->meta.creation_timestamp, when, sizeof(when));
	tabwriter_put(tw, 0, "CreationTimestamp:\t%s\n", when);
}

void describe_map_line(struct tabwriter *tw, const char *title, const struct strmap *map)
{
	char *text = print_labels(map);
	tabwriter_put(tw, 0, "%s:\t%s\n", title, text);
	free(text);
}

/* ---- ReplicaSet ---------------------------------------------------------- */

void describe_replica_set(struct tabwriter *tw, const struct store *store,
			  const struct replica_set *rs, ktime_t now)
{
	const struct object *obj = &rs->obj;
	char *selector = print_label_selector(&rs->spec.selector);
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	tabwriter_put(tw, 0, "Selector:\t%s\n", selector);
	free(selector);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	char *controller = describe_controlled_by(obj);
	if (controller)
		tabwriter_put(tw, 0, "Controlled By:\t%s\n", controller);
	free(controller);
	tabwriter_put(tw, 0, "Replicas:\t%d current / %d desired\n", rs->status.replicas,
		      rs->spec.replicas);

	describe_pods_status(tw, store, obj);
	describe_pod_template(tw, &rs->spec.template);
	describe_conditions(tw, &rs->status.conditions);
	print_describe_events(tw, store, obj, now);
}

/* ---- the generic describer ----------------------------------------------- */

/* K8S: smartLabelFor: "apiVersion" -> "API Version", "podIP" -> "Pod IP".
 * Names with anything but letters and '-' are kept as they are (label
 * keys such as "app.kubernetes.io/name"). Words are split as
 * github.com/fatih/camelcase does: at case changes, an upper-case run
 * giving its last letter to a following lower-case run ("HTTPGet" ->
 * "HTTP", "Get"). Caller frees. */
static char char_class(char c)
{
	return islower((unsigned char)c) ? 'l' : isupper((unsigned char)c) ? 'u' : 'o';
}

static char *smart_label(const char *field)
{
	static const char *const acronyms[] = { "API", "URL", "UID", "OSB", "GUID", NULL };
	for (const char *p = field; *p; p++)
		if (!isalpha((unsigned char)*p) && *p != '-')
			return xstrdup(field);
	/* Runs of one character class; bounds[i] is where run i starts. */
	size_t len = strlen(field), runs = 0;
	size_t *bounds = xcalloc(len + 2, sizeof(size_t));
	for (size_t i = 0; i < len; i++)
		if (!i || char_class(field[i]) != char_class(field[i - 1]))
			bounds[runs++] = i;
	bounds[runs] = len;
	/* An upper-case run hands its last letter to a lower-case run. */
	for (size_t r = 0; r + 1 < runs; r++)
		if (char_class(field[bounds[r]]) == 'u' && char_class(field[bounds[r + 1]]) == 'l')
			bounds[r + 1]--;
	char *out = xcalloc(2 * len + 1, 1);
	size_t o = 0;
	for (size_t r = 0; r < runs; r++) {
		size_t from = bounds[r], n = bounds[r + 1] - bounds[r];
		if (!n)
			continue;	/* a one-letter run given away */
		char *word = xstrndup(field + from, n);
		char *upper = xstrdup(word);
		for (char *c = upper; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		bool acronym = false;
		for (int i = 0; acronyms[i]; i++)
			acronym |= !strcmp(upper, acronyms[i]);
		if (o)
			out[o++] = ' ';
		memcpy(out + o, acronym ? upper : word, n);
		if (!acronym)
			out[o] = (char)toupper((unsigned char)out[o]);
		o += n;
		free(word);
		free(upper);
	}
	free(bounds);
	return out;
}

static void put_scalar(struct tabwriter *tw, int level, const char *name,
		       enum field_type type, const void *value)
{
	char *label = smart_label(name);
	char *text = schema_scalar_format(type, value);
	tabwriter_put(tw, level, "%s:\t%s\n", label, text);
	free(text);
	free(label);
}

/* A field and where its value is, so that apiVersion and kind (not in the
 * schema) sort among the real fields. */
struct entry {
	const struct field *field;
	const void *value;
};

static int by_field_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->field->name,
		      ((const struct entry *)b)->field->name);
}

static void walk_struct(struct tabwriter *tw, int level, const struct schema *schema,
			const void *base);

static void walk_value(struct tabwriter *tw, int level, const struct field *f,
		       const void *value)
{
	char *label = smart_label(f->name);
	switch (f->type) {
	case FIELD_STRUCT:
		tabwriter_put(tw, level, "%s:\n", label);
		walk_struct(tw, level + 1, f->schema, value);
		break;
	case FIELD_LIST: {
		const struct list_any *list = value;
		size_t size = schema_type_size(f->elem, f->schema);
		tabwriter_put(tw, level, "%s:\n", label);
		for (size_t i = 0; i < list->len; i++) {
			const char *item = (const char *)list->items + i * size;
			if (f->elem == FIELD_STRUCT) {
				walk_struct(tw, level + 1, f->schema, item);
			} else {
				char *text = schema_scalar_format(f->elem, item);
				tabwriter_put(tw, level + 1, "%s\n", text);
				free(text);
			}
		}
		break;
	}
	case FIELD_STRMAP: {
		const struct strmap *map = value;
		tabwriter_put(tw, level, "%s:\n", label);
		for (size_t i = 0; i < map->len; i++)
			put_scalar(tw, level + 1, map->items[i].key, FIELD_STRING,
				   &map->items[i].value);
		break;
	}
	case FIELD_RESOURCES: {
		const struct resource_list *list = value;
		tabwriter_put(tw, level, "%s:\n", label);
		for (size_t i = 0; i < list->len; i++)
			put_scalar(tw, level + 1, list->items[i].name, FIELD_QUANTITY,
				   &list->items[i].quantity);
		break;
	}
	default:
		put_scalar(tw, level, f->name, f->type, value);
		break;
	}
	free(label);
}

/* K8S: printUnstructuredContent: the present fields, sorted by name. At the
 * top, metadata leaves out what the header already showed; extra are
 * entries outside the schema (apiVersion and kind). */
static void walk_entries(struct tabwriter *tw, int level, const struct schema *schema,
			 const void *base, bool top_metadata,
			 const struct entry *extra, size_t extra_len)
{
	static const char *const shown[] = {
		"name", "namespace", "labels", "annotations", NULL
	};
	struct entry *entries = xcalloc(schema->fields_len + extra_len + 1, sizeof(*entries));
	size_t n = 0;
	for (size_t i = 0; i < extra_len; i++)
		entries[n++] = extra[i];
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		const void *value = (const char *)base + f->offset;
		bool skip = false;
		for (int k = 0; top_metadata && shown[k]; k++)
			skip |= !strcmp(f->name, shown[k]);
		if (skip || (schema_value_is_zero(f->type, f->schema, value) &&
			     !(f->flags & FIELD_KEEP_ZERO)))
			continue;
		entries[n++] = (struct entry){ f, value };
	}
	qsort(entries, n, sizeof(*entries), by_field_name);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = entries[i].field;
		if (f->type == FIELD_STRUCT && extra_len && !strcmp(f->name, "metadata")) {
			tabwriter_put(tw, level, "Metadata:\n");
			walk_entries(tw, level + 1, f->schema, entries[i].value, true, NULL, 0);
			continue;
		}
		walk_value(tw, level, f, entries[i].value);
	}
	free(entries);
}

static void walk_struct(struct tabwriter *tw, int level, const struct schema *schema,
			const void *base)
{
	walk_entries(tw, level, schema, base, false, NULL, 0);
}

void describe_generic(struct tabwriter *tw, const struct store *store,
		      const struct object *obj, ktime_t now)
{
	static const struct field api_version = { .name = "apiVersion", .type = FIELD_STRING };
	static const struct field kind = { .name = "kind", .type = FIELD_STRING };
	const char *api_version_value = obj->kind->api_version;
	const char *kind_value = obj->kind->kind;
	const struct entry extra[] = {
		{ &api_version, &api_version_value }, { &kind, &kind_value },
	};
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	walk_entries(tw, 0, obj->kind->schema, obj, false, extra, 2);
	print_describe_events(tw, store, obj, now);
}
