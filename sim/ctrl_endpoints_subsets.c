/* ctrl_endpoints_subsets.c - what an Endpoints object should list: which
 * pods, on which ports, packed into subsets; see ctrl_endpoints.h.
 *
 * K8S: the pod loop of syncService (endpoints_controller.go),
 * pkg/api/v1/endpoints/util.go (RepackSubsets, SortSubsets),
 * pkg/controller/util/endpoint/controller_utils.go (ShouldPodBeInEndpoints,
 * ShouldSetHostname) and pkg/api/v1/pod/util.go (FindPort).
 *
 * An Endpoints object is a list of subsets, each a set of addresses (ready
 * or not) that all offer the same set of ports. The API wants it that way
 * because one address list times one port list is compact when every pod
 * is alike, as a Deployment's pods are; a pod that lacks a named port, or
 * differs in readiness, ends up in a subset of its own.
 *
 * Invariants: no state; the result depends only on the Service and the
 * pods, never on the order of the pods.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_endpoints.h"
#include "ctrl_util.h"
#include "xmalloc.h"

/* ---- which pods, which ports --------------------------------------------- */

static bool phase_is(const struct pod *pod, const char *phase)
{
	return pod->status.phase && !strcmp(pod->status.phase, phase);
}

/* K8S: ShouldPodBeInEndpoints: not terminal, has an IP, and not
 * terminating unless the Service publishes not-ready addresses. */
bool endpoints_pod_included(const struct pod *pod, bool include_terminating)
{
	if (phase_is(pod, POD_PHASE_SUCCEEDED) || phase_is(pod, POD_PHASE_FAILED))
		return false;
	if (!pod->status.pod_ip || !*pod->status.pod_ip)
		return false;
	return include_terminating || !object_is_deleting(&pod->obj);
}

static const char *or_tcp(const char *protocol)
{
	return protocol && *protocol ? protocol : "TCP";
}

/* K8S: podutil.FindPort: a number is itself; a name is the first
 * container port of that name and the Service port's protocol. Returns
 * -1 when the pod has no such port. (Upstream also looks in sidecar init
 * containers; kubelab models none.) */
int32_t endpoints_find_port(const struct pod *pod, const struct service_port *port)
{
	const struct int_or_string *target = &port->target_port;
	if (!target->is_set)
		return port->port;
	if (!target->is_string)
		return target->int_value;
	for (size_t i = 0; i < pod->spec.containers.len; i++) {
		const struct container *container = &pod->spec.containers.items[i];
		for (size_t j = 0; j < container->ports.len; j++) {
			const struct container_port *cp = &container->ports.items[j];
			if (cp->name && target->str_value && !strcmp(cp->name, target->str_value) &&
			    !strcmp(or_tcp(cp->protocol), or_tcp(port->protocol)))
				return cp->container_port;
		}
	}
	return -1;
}

/* ---- building and repacking the subsets ---------------------------------- */

/* One distinct endpoint port, and which addresses offer it: member[i] is 0
 * (not offered), 1 (offered, not ready) or 2 (offered, ready). A Service
 * without ports (headless) has one "sentinel" port of number -1 that
 * becomes a subset without ports. */
struct port_row {
	const char *name, *protocol;	/* borrowed from the Service */
	int32_t port;
	unsigned char *member;
	int group;			/* the subset it lands in */
};

static int compare_rows(const void *x, const void *y)
{
	const struct port_row *a = x, *b = y;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	int c = strcmp(a->protocol ? a->protocol : "", b->protocol ? b->protocol : "");
	return c ? c : strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* K8S: LessEndpointAddress: by the IP's bytes, then the target's uid. */
static int compare_addresses(const void *x, const void *y)
{
	const struct endpoint_address *a = x, *b = y;
	int c = strcmp(a->ip, b->ip);
	if (c)
		return c;
	return strcmp(a->target_ref.uid ? a->target_ref.uid : "",
		      b->target_ref.uid ? b->target_ref.uid : "");
}

/* K8S: podToEndpointAddressForService, plus ShouldSetHostname: the pod's
 * hostname only when its subdomain names this Service (a StatefulSet's
 * governing headless Service), which is what gives web-0.web its DNS name. */
static void address_of(const struct pod *pod, const struct service *svc,
		       struct endpoint_address *out)
{
	memset(out, 0, sizeof(*out));
	out->ip = xstrdup(pod->status.pod_ip);
	out->node_name = xstrdup(pod->spec.node_name ? pod->spec.node_name : "");
	if (pod->spec.hostname && *pod->spec.hostname && pod->spec.subdomain &&
	    !strcmp(pod->spec.subdomain, svc->obj.meta.name))
		out->hostname = xstrdup(pod->spec.hostname);
	out->target_ref.kind = xstrdup("Pod");
	out->target_ref.namespace = xstrdup(pod->obj.meta.namespace);
	out->target_ref.name = xstrdup(pod->obj.meta.name);
	out->target_ref.uid = xstrdup(pod->obj.meta.uid);
}

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Finds or adds the row of (name, number, protocol); sp NULL is the
 * sentinel of a headless Service without ports. */
static struct port_row *row_for(struct port_row **rows, size_t *len, size_t *cap,
				const struct service_port *sp, int32_t number, size_t pods)
{
	const char *name = sp ? sp->name : NULL;
	const char *protocol = sp ? or_tcp(sp->protocol) : NULL;
	for (size_t i = 0; i < *len; i++) {
		struct port_row *row = &(*rows)[i];
		if (row->port == number && same_text(row->name, name) &&
		    same_text(row->protocol, protocol))
			return row;
	}
	xgrow((void **)rows, cap, *len + 1, sizeof(**rows));
	struct port_row *row = &(*rows)[(*len)++];
	*row = (struct port_row){
		.name = name, .protocol = protocol, .port = number,
		.member = xcalloc(pods, 1), .group = -1,
	};
	return row;
}

static const struct schema *subset_schema(void)
{
	return schema_field(endpoints_kind.schema, "subsets")->schema;
}

static const struct schema *address_schema(void)
{
	return schema_field(subset_schema(), "addresses")->schema;
}

/* Fills one subset: the ports of group (rows sorted), the addresses that
 * offer them, ready or not, each sorted. */
static void fill_subset(struct endpoint_subset *subset, int group,
			const struct port_row *rows, size_t nrows,
			const struct endpoint_address *addrs, size_t naddrs)
{
	const struct port_row *first = NULL;
	for (size_t r = 0; r < nrows; r++) {
		if (rows[r].group != group)
			continue;
		first = first ? first : &rows[r];
		if (rows[r].port < 0)
			continue;	/* the sentinel: a subset without ports */
		size_t cap = subset->ports.len;
		xgrow((void **)&subset->ports.items, &cap, subset->ports.len + 1,
		      sizeof(*subset->ports.items));
		subset->ports.items[subset->ports.len++] = (struct endpoint_port){
			.name = rows[r].name ? xstrdup(rows[r].name) : NULL,
			.port = rows[r].port,
			.protocol = xstrdup(rows[r].protocol),
		};
	}
	subset->addresses.items = xcalloc(naddrs, sizeof(struct endpoint_address));
	subset->not_ready_addresses.items = xcalloc(naddrs, sizeof(struct endpoint_address));
	for (size_t i = 0; i < naddrs; i++) {
		if (!first->member[i])
			continue;
		struct endpoint_address *dst = first->member[i] == 2 ?
			&subset->addresses.items[subset->addresses.len++] :
			&subset->not_ready_addresses.items[subset->not_ready_addresses.len++];
		schema_copy(address_schema(), dst, &addrs[i]);
	}
	if (subset->addresses.len > 1)
		qsort(subset->addresses.items, subset->addresses.len,
		      sizeof(struct endpoint_address), compare_addresses);
	if (subset->not_ready_addresses.len > 1)
		qsort(subset->not_ready_addresses.items, subset->not_ready_addresses.len,
		      sizeof(struct endpoint_address), compare_addresses);
	/* An empty list is absent, as it reads back from the store. */
	if (!subset->addresses.len) {
		free(subset->addresses.items);
		subset->addresses.items = NULL;
	}
	if (!subset->not_ready_addresses.len) {
		free(subset->not_ready_addresses.items);
		subset->not_ready_addresses.items = NULL;
	}
}

/* K8S: the pod loop of syncService, then RepackSubsets. Every included
 * pod is one address; every distinct port records which addresses offer
 * it and whether ready; ports whose records are identical share a subset.
 * The result goes to out (empty on entry; the caller releases it).
 *
 * Order: addresses as upstream's SortSubsets (IP, then uid). Upstream
 * orders ports and subsets by an MD5 hash of their Go representation, a
 * stable but meaningless order; kubelab sorts ports by number, protocol,
 * name, and subsets by their lowest port, so `subsets[0]` is the one with
 * the lowest port. */
void endpoints_build_subsets(const struct service *svc, const struct object_list *pods,
			     struct endpoints *out)
{
	bool publish = svc->spec.publish_not_ready_addresses;
	bool headless = svc->spec.cluster_ip && !strcmp(svc->spec.cluster_ip, "None");
	struct endpoint_address *addrs = xcalloc(pods->len ? pods->len : 1, sizeof(*addrs));
	size_t naddrs = 0, nrows = 0, cap = 0;
	struct port_row *rows = NULL;
	for (size_t i = 0; i < pods->len; i++) {
		const struct pod *pod = (const void *)pods->items[i];
		if (!endpoints_pod_included(pod, publish))
			continue;
		/* K8S: addEndpointSubset: ready, or tolerated unready. */
		unsigned char state = publish || ctrl_pod_is_ready(pod) ? 2 : 1;
		size_t at = naddrs;
		if (!svc->spec.ports.len && headless)	/* a headless Service may have no ports */
			row_for(&rows, &nrows, &cap, NULL, -1, pods->len)->member[at] = state;
		for (size_t p = 0; p < svc->spec.ports.len; p++) {
			const struct service_port *sp = &svc->spec.ports.items[p];
			int32_t number = endpoints_find_port(pod, sp);
			if (number < 0)
				continue;	/* this pod does not offer that port */
			unsigned char *slot =
				&row_for(&rows, &nrows, &cap, sp, number, pods->len)->member[at];
			if (state > *slot)	/* ready wins, as mapAddressByPort */
				*slot = state;
		}
		address_of(pod, svc, &addrs[naddrs++]);
	}
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), compare_rows);
	int groups = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (rows[r].group >= 0)
			continue;
		rows[r].group = groups++;
		for (size_t q = r + 1; q < nrows; q++)
			if (rows[q].group < 0 && !memcmp(rows[q].member, rows[r].member, pods->len))
				rows[q].group = rows[r].group;
	}
	out->subsets.items = groups ? xcalloc((size_t)groups, sizeof(*out->subsets.items)) : NULL;
	out->subsets.len = (size_t)groups;
	for (int g = 0; g < groups; g++)
		fill_subset(&out->subsets.items[g], g, rows, nrows, addrs, naddrs);
	for (size_t r = 0; r < nrows; r++)
		free(rows[r].member);
	free(rows);
	for (size_t i = 0; i < naddrs; i++)
		schema_release(address_schema(), &addrs[i]);
	free(addrs);
}

bool endpoints_subsets_equal(const struct endpoints *a, const struct endpoints *b)
{
	if (a->subsets.len != b->subsets.len)
		return false;
	for (size_t i = 0; i < a->subsets.len; i++)
		if (!schema_equal(subset_schema(), &a->subsets.items[i], &b->subsets.items[i]))
			return false;
	return true;
}

/* ---- Service membership of pods ------------------------------------------- */

bool endpoints_service_selects(const struct service *svc, const struct object *pod)
{
	return svc->spec.selector.len &&
	       strmap_contains_all(&pod->meta.labels, &svc->spec.selector);
}

bool endpoints_service_managed(const struct service *svc)
{
	bool external = svc->spec.type && !strcmp(svc->spec.type, "ExternalName");
	return !external && svc->spec.selector.len;
}

/* K8S: getPodServiceMemberships: the informer lists one namespace. */
static void enqueue_services_of(struct informer *services, struct workqueue *queue,
				const struct object *pod)
{
	struct object_list list = {0};
	informer_list(services, pod->meta.namespace, &list);
	for (size_t i = 0; i < list.len; i++) {
		const struct service *svc = object_as(list.items[i], KIND_SERVICE,
						      const struct service);
		if (!endpoints_service_selects(svc, pod))
			continue;
		char *key = object_key(list.items[i]);
		workqueue_add(queue, key);
		free(key);
	}
	object_list_release(&list);
}

void endpoints_enqueue_pod_services(struct informer *services, struct workqueue *queue,
				    enum watch_type type, const struct object *obj,
				    const struct object *old)
{
	if (type == WATCH_MODIFIED) {
		if (obj->meta.resource_version == old->meta.resource_version)
			return;
		if (!strmap_equal(&obj->meta.labels, &old->meta.labels))
			enqueue_services_of(services, queue, old);
	}
	enqueue_services_of(services, queue, obj);
}
