/* print_describe_node.c - `kubectl describe node`.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go (describeNode,
 * describeNodeLease, describeNodeResource, printNodeTaintsMultiline) and
 * kubectl/pkg/util/resource/resource.go (PodRequestsAndLimits).
 *
 * The node page answers "what is this node doing": its conditions (is the
 * kubelet posting Ready?), its heartbeat Lease (when did it last renew?),
 * its taints, and the table of non-terminated pods with their requests and
 * limits as a share of allocatable, summed in "Allocated resources". That
 * sum is what the scheduler's NodeResourcesFit compares a new pod against,
 * which is why a Pending pod's "Insufficient cpu" is explained here.
 *
 * Percentages truncate toward zero as Go's int64(float64) conversion does;
 * an allocatable of zero gives 0% where upstream would divide by zero.
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* K8S: resourcehelper.PodRequestsAndLimits (kubectl/pkg/util/resource):
 * containers add up; an init container runs alone, so the pod needs the
 * larger of the two; sidecars (restartable init containers) run beside
 * everything started after them; overhead is added on top. */
static void list_add(struct resource_list *sum, const struct resource_list *add)
{
	for (size_t i = 0; i < add->len; i++) {
		const struct quantity *have = resource_list_get(sum, add->items[i].name);
		struct quantity q = have ? *have : (struct quantity){ 0 };
		quantity_add(&q, &add->items[i].quantity);
		resource_list_set(sum, add->items[i].name, &q);
	}
}

static void list_max(struct resource_list *max, const struct resource_list *other)
{
	for (size_t i = 0; i < other->len; i++) {
		const struct quantity *have = resource_list_get(max, other->items[i].name);
		if (!have || quantity_cmp(&other->items[i].quantity, have) > 0)
			resource_list_set(max, other->items[i].name, &other->items[i].quantity);
	}
}

static void list_release(struct resource_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i].name);
	free(list->items);
	*list = (struct resource_list){ 0 };
}

static void pod_resources(const struct pod_spec *spec, bool limits, struct resource_list *out)
{
	struct resource_list sidecars = { 0 }, init = { 0 };
	for (size_t i = 0; i < spec->containers.len; i++) {
		const struct resource_requirements *r = &spec->containers.items[i].resources;
		list_add(out, limits ? &r->limits : &r->requests);
	}
	for (size_t i = 0; i < spec->init_containers.len; i++) {
		const struct container *c = &spec->init_containers.items[i];
		const struct resource_list *own = limits ? &c->resources.limits
							 : &c->resources.requests;
		struct resource_list tmp = { 0 };
		if (c->restart_policy && !strcmp(c->restart_policy, "Always")) {
			list_add(out, own);
			list_add(&sidecars, own);
			list_add(&tmp, &sidecars);
		} else {
			list_add(&tmp, own);
			list_add(&tmp, &sidecars);
		}
		list_max(&init, &tmp);
		list_release(&tmp);
	}
	list_max(out, &init);
	for (size_t i = 0; i < spec->overhead.len; i++) {
		const struct resource_entry *o = &spec->overhead.items[i];
		const struct quantity *have = resource_list_get(out, o->name);
		if (limits && (!have || quantity_is_zero(have)))
			continue;	/* overhead only raises limits that exist */
		struct quantity q = have ? *have : (struct quantity){ 0 };
		quantity_add(&q, &o->quantity);
		resource_list_set(out, o->name, &q);
	}
	list_release(&sidecars);
	list_release(&init);
}

/* "100m (2%)": the share of allocatable, truncated as Go's int64(float). */
static void amount(const struct resource_list *list, const char *name,
		   const struct resource_list *allocatable, char *buf, size_t size)
{
	static const struct quantity zero;
	const struct quantity *q = resource_list_get(list, name);
	const struct quantity *a = resource_list_get(allocatable, name);
	q = q ? q : &zero;
	a = a ? a : &zero;
	bool milli = !strcmp(name, "cpu");
	int64_t have = milli ? quantity_milli_value(q) : quantity_value(q);
	int64_t of = milli ? quantity_milli_value(a) : quantity_value(a);
	char text[QUANTITY_STR_MAX];
	quantity_format(q, text, sizeof(text));
	long long percent = of ? (long long)((double)have / (double)of * 100) : 0;
	snprintf(buf, size, "%s (%lld%%)", text, percent);
}

static bool is_standard_resource(const char *name)
{
	return !strcmp(name, "cpu") || !strcmp(name, "memory") ||
	       !strcmp(name, "ephemeral-storage") || !strcmp(name, "pods") ||
	       !strncmp(name, "hugepages-", 10);
}

/* K8S: describeNodeResource. */
static void describe_node_resources(struct tabwriter *tw, const struct store *store,
				    const struct node *node, ktime_t now)
{
	struct object_list all = { 0 };
	store_list_pods_on_node(store, node->obj.meta.name, &all);
	const struct resource_list *allocatable = node->status.allocatable.len
		? &node->status.allocatable : &node->status.capacity;
	size_t running = 0;
	for (size_t i = 0; i < all.len; i++) {
		const char *phase = str(((const struct pod *)all.items[i])->status.phase);
		running += strcmp(phase, POD_PHASE_SUCCEEDED) && strcmp(phase, POD_PHASE_FAILED);
	}
	tabwriter_put(tw, 0, "Non-terminated Pods:\t(%zu in total)\n", running);
	tabwriter_put(tw, 1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
	tabwriter_put(tw, 1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
	struct resource_list total_req = { 0 }, total_lim = { 0 };
	for (size_t i = 0; i < all.len; i++) {
		const struct pod *pod = (const struct pod *)all.items[i];
		const char *phase = str(pod->status.phase);
		if (!strcmp(phase, POD_PHASE_SUCCEEDED) || !strcmp(phase, POD_PHASE_FAILED))
			continue;
		struct resource_list req = { 0 }, lim = { 0 };
		pod_resources(&pod->spec, false, &req);
		pod_resources(&pod->spec, true, &lim);
		char c1[96], c2[96], m1[96], m2[96], age[PRINT_TIME_MAX];
		amount(&req, "cpu", allocatable, c1, sizeof(c1));
		amount(&lim, "cpu", allocatable, c2, sizeof(c2));
		amount(&req, "memory", allocatable, m1, sizeof(m1));
		amount(&lim, "memory", allocatable, m2, sizeof(m2));
		print_age(now, pod->obj.meta.creation_timestamp, age, sizeof(age));
		tabwriter_put(tw, 1, "%s\t%s\t\t%s\t%s\t%s\t%s\t%s\n", str(pod->obj.meta.namespace),
			      str(pod->obj.meta.name), c1, c2, m1, m2, age);
		list_add(&total_req, &req);
		list_add(&total_lim, &lim);
		list_release(&req);
		list_release(&lim);
	}
	tabwriter_put(tw, 0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
	tabwriter_put(tw, 1, "Resource\tRequests\tLimits\n");
	tabwriter_put(tw, 1, "--------\t--------\t------\n");
	static const char *const shown[] = { "cpu", "memory", "ephemeral-storage" };
	for (int k = 0; k < 3; k++) {
		char r[96], l[96];
		amount(&total_req, shown[k], allocatable, r, sizeof(r));
		amount(&total_lim, shown[k], allocatable, l, sizeof(l));
		tabwriter_put(tw, 1, "%s\t%s\t%s\n", shown[k], r, l);
	}
	for (size_t i = 0; i < allocatable->len; i++) {	/* sorted by name */
		const char *name = allocatable->items[i].name;
		char r[96], l[96];
		if (!strncmp(name, "hugepages-", 10)) {
			amount(&total_req, name, allocatable, r, sizeof(r));
			amount(&total_lim, name, allocatable, l, sizeof(l));
			tabwriter_put(tw, 1, "%s\t%s\t%s\n", name, r, l);
		}
	}
	for (size_t i = 0; i < allocatable->len; i++) {	/* extended resources */
		const char *name = allocatable->items[i].name;
		if (is_standard_resource(name))
			continue;
		static const struct quantity zero;
		const struct quantity *r = resource_list_get(&total_req, name);
		const struct quantity *l = resource_list_get(&total_lim, name);
		char rt[QUANTITY_STR_MAX], lt[QUANTITY_STR_MAX];
		quantity_format(r ? r : &zero, rt, sizeof(rt));
		quantity_format(l ? l : &zero, lt, sizeof(lt));
		tabwriter_put(tw, 1, "%s\t%s\t%s\n", name, rt, lt);
	}
	list_release(&total_req);
	list_release(&total_lim);
	object_list_release(&all);
}

/* K8S: taint.ToString: "key=value:Effect", sorted by effect then key. */
static void describe_taints(struct tabwriter *tw, const struct node *node)
{
	size_t n = node->spec.taints.len;
	tabwriter_printf(tw, "Taints:\t");
	if (!n) {
		tabwriter_printf(tw, "<none>\n");
		return;
	}
	char **lines = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const struct taint *t = &node->spec.taints.items[i];
		bool value = t->value && *t->value;
		/* a sort key in front, cut off when printing */
		lines[i] = xasprintf("%s,%s\x01%s%s%s%s%s", str(t->effect), str(t->key),
				     str(t->key), value ? "=" : "", value ? t->value : "",
				     t->effect && *t->effect ? ":" : "", str(t->effect));
	}
	for (size_t i = 1; i < n; i++)	/* insertion sort: stable */
		for (size_t j = i; j && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *swap = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = swap;
		}
	for (size_t i = 0; i < n; i++) {
		tabwriter_printf(tw, "%s%s\n", i ? "\t" : "", strchr(lines[i], '\x01') + 1);
		free(lines[i]);
	}
	free(lines);
}

void describe_node(struct tabwriter *tw, const struct store *store,
			  const struct node *node, ktime_t now)
{
	const struct object *obj = &node->obj;
	const struct node_status *st = &node->status;
	char when[PRINT_TIME_MAX], when2[PRINT_TIME_MAX];
	char *roles = print_node_roles(node);
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Roles:\t%s\n", print_or_none(roles));
	free(roles);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	print_time_rfc1123(obj->meta.creation_timestamp, when, sizeof(when));
	tabwriter_put(tw, 0, "CreationTimestamp:\t%s\n", when);
	describe_taints(tw, node);
	tabwriter_put(tw, 0, "Unschedulable:\t%s\n", node->spec.unschedulable ? "true" : "false");

	/* K8S: the kubelet's heartbeat Lease, kube-node-lease/<node>. */
	const struct lease *lease = (const struct lease *)store_get(
		store, KIND_LEASE, "kube-node-lease", obj->meta.name);
	if (lease) {
		tabwriter_put(tw, 0, "Lease:\n");
		tabwriter_put(tw, 1, "HolderIdentity:\t%s\n",
			      lease->spec.holder_identity ? lease->spec.holder_identity : "<unset>");
		snprintf(when, sizeof(when), "<unset>");
		if (lease->spec.acquire_time)
			print_time_rfc1123(lease->spec.acquire_time, when, sizeof(when));
		tabwriter_put(tw, 1, "AcquireTime:\t%s\n", when);
		snprintf(when, sizeof(when), "<unset>");
		if (lease->spec.renew_time)
			print_time_rfc1123(lease->spec.renew_time, when, sizeof(when));
		tabwriter_put(tw, 1, "RenewTime:\t%s\n", when);
	} else {
		tabwriter_put(tw, 0, "Lease:\tFailed to get lease: leases.coordination.k8s.io "
			      "\"%s\" not found\n", str(obj->meta.name));
	}

	if (st->conditions.len) {
		tabwriter_put(tw, 0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
		tabwriter_put(tw, 1, "----\t------\t-----------------\t------------------\t------\t-------\n");
		for (size_t i = 0; i < st->conditions.len; i++) {
			const struct condition *c = &st->conditions.items[i];
			print_time_rfc1123(c->last_heartbeat_time, when, sizeof(when));
			print_time_rfc1123(c->last_transition_time, when2, sizeof(when2));
			tabwriter_put(tw, 1, "%s \t%s \t%s \t%s \t%s \t%s\n", str(c->type),
				      str(c->status), when, when2, str(c->reason), str(c->message));
		}
	}
	tabwriter_put(tw, 0, "Addresses:\n");
	for (size_t i = 0; i < st->addresses.len; i++)
		tabwriter_put(tw, 1, "%s:\t%s\n", str(st->addresses.items[i].type),
			      str(st->addresses.items[i].address));
	const char *titles[] = { "Capacity", "Allocatable" };
	const struct resource_list *lists[] = { &st->capacity, &st->allocatable };
	for (int k = 0; k < 2; k++) {
		if (!lists[k]->len)
			continue;
		tabwriter_put(tw, 0, "%s:\n", titles[k]);
		for (size_t i = 0; i < lists[k]->len; i++) {
			char q[QUANTITY_STR_MAX];
			quantity_format(&lists[k]->items[i].quantity, q, sizeof(q));
			tabwriter_put(tw, 0, "  %s:\t%s\n", lists[k]->items[i].name, q);
		}
	}
	const struct node_system_info *info = &st->node_info;
	tabwriter_put(tw, 0, "System Info:\n");
	/* Machine ID, System UUID, Boot ID and the kube-proxy version are not
	 * modelled: printed empty, as for a node that does not report them. */
	tabwriter_put(tw, 0, "  Machine ID:\t\n  System UUID:\t\n  Boot ID:\t\n");
	tabwriter_put(tw, 0, "  Kernel Version:\t%s\n", str(info->kernel_version));
	tabwriter_put(tw, 0, "  OS Image:\t%s\n", str(info->os_image));
	tabwriter_put(tw, 0, "  Operating System:\t%s\n", str(info->operating_system));
	tabwriter_put(tw, 0, "  Architecture:\t%s\n", str(info->architecture));
	tabwriter_put(tw, 0, "  Container Runtime Version:\t%s\n",
		      str(info->container_runtime_version));
	tabwriter_put(tw, 0, "  Kubelet Version:\t%s\n", str(info->kubelet_version));
	tabwriter_put(tw, 0, "  Kube-Proxy Version:\t\n");
	if (node->spec.pod_cidr && *node->spec.pod_cidr) {
		tabwriter_put(tw, 0, "PodCIDR:\t%s\n", node->spec.pod_cidr);
		tabwriter_put(tw, 0, "PodCIDRs:\t%s\n", node->spec.pod_cidr);
	}
	if (node->spec.provider_id && *node->spec.provider_id)
		tabwriter_put(tw, 0, "ProviderID:\t%s\n", node->spec.provider_id);
	describe_node_resources(tw, store, node, now);
	print_describe_events(tw, store, obj, now);
}
