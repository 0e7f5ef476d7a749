/* ctrl_endpointslice_reconcile.c - which EndpointSlices a Service should
 * have; see ctrl_endpointslice.h.
 *
 * K8S: staging/src/k8s.io/endpointslice/reconciler.go (reconcile,
 * reconcileByAddressType, reconcileByPortMapping, finalize), utils.go
 * (podToEndpoint, getEndpointPorts, newEndpointSlice,
 * setEndpointSliceLabels), pkg/controller/util/endpoint (ShouldPodBeInEndpoints).
 *
 * Endpoints (v1) is one object per Service, rewritten whole at every
 * change: with 5,000 pods behind a Service, one pod turning ready rewrites
 * (and sends to every kube-proxy) 5,000 addresses. EndpointSlices cut the
 * list into slices of at most 100 endpoints, and the reconciler works to
 * touch as few slices as it can: an endpoint that did not change stays in
 * its slice, new endpoints go first into slices that are being rewritten
 * anyway. Each endpoint also says more than Endpoints could: ready,
 * serving (ready, even while terminating) and terminating, so a load
 * balancer can drain a terminating pod gracefully.
 *
 * Endpoints with the same resolved ports (a named targetPort may resolve
 * differently per pod) share slices; a slice's ports never change, so a
 * slice whose ports nobody has any more is deleted, or reused for a slice
 * that would otherwise be created.
 *
 * Simplified: IPv4 only (kubelab pods have one IPv4 address); endpoints in
 * a new slice are in pod-name order (upstream: a hash set's order); no
 * topology hints, no trafficDistribution.
 * Invariants: pure; the plan depends on its inputs, not on their order.
 */
#include <stdlib.h>
#include <string.h>

#include "ctrl_endpoints.h"
#include "ctrl_endpointslice.h"
#include "ctrl_util.h"
#include "xmalloc.h"

#define ZONE_LABEL "topology.kubernetes.io/zone"	/* K8S: v1.LabelTopologyZone */
#define HEADLESS_LABEL "service.kubernetes.io/headless"

/* Room for one more element in a LIST_OF (which keeps no capacity: the
 * lists here are short, so each append reallocates). */
#define LIST_GROW(list)							\
	do {								\
		size_t cap_ = (list).len;				\
		xgrow((void **)&(list).items, &cap_, (list).len + 1,	\
		      sizeof(*(list).items));				\
	} while (0)

static const struct schema *endpoint_schema(void)
{
	return schema_field(endpoint_slice_kind.schema, "endpoints")->schema;
}

static const struct schema *port_schema(void)
{
	return schema_field(endpoint_slice_kind.schema, "ports")->schema;
}

/* ---- what the Service wants ---------------------------------------------- */

/* One port mapping: the ports, and the endpoints that offer exactly them. */
struct group {
	struct endpoint_slice *want;	/* not stored: ports and endpoints */
	size_t want_cap;		/* capacity of want->endpoints */
	bool *placed;			/* want->endpoints[i] already has a slice */
};

struct desired {
	struct group *groups;
	size_t len, cap;
};

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool ports_equal(const struct endpoint_slice *a, const struct endpoint_slice *b)
{
	if (a->ports.len != b->ports.len)
		return false;
	for (size_t i = 0; i < a->ports.len; i++)
		if (!schema_equal(port_schema(), &a->ports.items[i], &b->ports.items[i]))
			return false;
	return true;
}

/* K8S: podToEndpoint. */
static void endpoint_of(const struct pod *pod, const struct service *svc, slice_zone_fn zone,
			void *zone_arg, struct slice_endpoint *out)
{
	memset(out, 0, sizeof(*out));
	bool publish = svc->spec.publish_not_ready_addresses;
	bool terminating = object_is_deleting(&pod->obj);
	out->addresses.items = xcalloc(1, sizeof(char *));
	out->addresses.items[0] = xstrdup(pod->status.pod_ip);
	out->addresses.len = 1;
	out->conditions.serving = ctrl_pod_is_ready(pod);
	/* Ready never says true for a terminating pod, unless the Service
	 * publishes not-ready addresses (compatibility with Endpoints). */
	out->conditions.ready = publish || (out->conditions.serving && !terminating);
	out->conditions.terminating = terminating;
	if (pod->spec.hostname && *pod->spec.hostname && pod->spec.subdomain &&
	    !strcmp(pod->spec.subdomain, svc->obj.meta.name))
		out->hostname = xstrdup(pod->spec.hostname);	/* K8S: ShouldSetHostname */
	if (pod->spec.node_name && *pod->spec.node_name) {
		out->node_name = xstrdup(pod->spec.node_name);
		const char *z = zone ? zone(zone_arg, pod->spec.node_name) : NULL;
		if (z && *z)
			out->zone = xstrdup(z);
	}
	out->target_ref.kind = xstrdup("Pod");
	out->target_ref.namespace = xstrdup(pod->obj.meta.namespace);
	out->target_ref.name = xstrdup(pod->obj.meta.name);
	out->target_ref.uid = xstrdup(pod->obj.meta.uid);
}

/* K8S: getEndpointPorts: each Service port the pod resolves. */
static void ports_of(const struct pod *pod, const struct service *svc, struct endpoint_slice *out)
{
	for (size_t i = 0; i < svc->spec.ports.len; i++) {
		const struct service_port *sp = &svc->spec.ports.items[i];
		int32_t number = endpoints_find_port(pod, sp);
		if (number < 0)
			continue;
		LIST_GROW(out->ports);
		out->ports.items[out->ports.len++] = (struct slice_port){
			.name = xstrdup(sp->name ? sp->name : ""),
			.protocol = xstrdup(sp->protocol ? sp->protocol : "TCP"),
			.port = number,
		};
	}
}

static void desired_build(const struct service *svc, const struct object_list *pods,
			  slice_zone_fn zone, void *zone_arg, struct desired *out)
{
	for (size_t i = 0; i < pods->len; i++) {
		const struct pod *pod = (const void *)pods->items[i];
		if (!endpoints_pod_included(pod, true))	/* terminating ones too */
			continue;
		struct endpoint_slice *shape = (struct endpoint_slice *)
			object_new(&endpoint_slice_kind);
		ports_of(pod, svc, shape);
		struct group *g = NULL;
		for (size_t k = 0; k < out->len && !g; k++)
			if (ports_equal(out->groups[k].want, shape))
				g = &out->groups[k];
		if (g) {
			object_unref(&shape->obj);
		} else {
			xgrow((void **)&out->groups, &out->cap, out->len + 1, sizeof(*out->groups));
			g = &out->groups[out->len++];
			*g = (struct group){ .want = shape };
		}
		struct endpoint_slice *want = g->want;
		xgrow((void **)&want->endpoints.items, &g->want_cap, want->endpoints.len + 1,
		      sizeof(*want->endpoints.items));
		endpoint_of(pod, svc, zone, zone_arg, &want->endpoints.items[want->endpoints.len++]);
	}
	for (size_t k = 0; k < out->len; k++)
		out->groups[k].placed = xcalloc(out->groups[k].want->endpoints.len + 1, 1);
}

static void desired_release(struct desired *d)
{
	for (size_t k = 0; k < d->len; k++) {
		object_unref(&d->groups[k].want->obj);
		free(d->groups[k].placed);
	}
	free(d->groups);
}

/* K8S: setEndpointSliceLabels: the Service's labels (but not the
 * reserved ones), the headless mark, the service name and the manager. */
static void wanted_labels(const struct service *svc, struct strmap *out)
{
	const struct strmap *from = &svc->obj.meta.labels;
	for (size_t i = 0; i < from->len; i++) {
		const char *key = from->items[i].key;
		if (strcmp(key, SLICE_SERVICE_NAME_LABEL) && strcmp(key, SLICE_MANAGED_BY_LABEL) &&
		    strcmp(key, HEADLESS_LABEL))
			strmap_set(out, key, from->items[i].value);
	}
	if (svc->spec.cluster_ip && !strcmp(svc->spec.cluster_ip, "None"))
		strmap_set(out, HEADLESS_LABEL, "");
	strmap_set(out, SLICE_SERVICE_NAME_LABEL, svc->obj.meta.name);
	strmap_set(out, SLICE_MANAGED_BY_LABEL, SLICE_CONTROLLER_NAME);
}

/* ---- the plan ------------------------------------------------------------ */

static void push(void ***items, size_t *len, size_t *cap, void *item)
{
	xgrow((void **)items, cap, *len + 1, sizeof(**items));
	(*items)[(*len)++] = item;
}

/* K8S: newEndpointSlice: generateName "<service>-", owned by the Service. */
static struct endpoint_slice *new_slice(const struct service *svc, const struct group *g,
					const struct strmap *labels)
{
	struct endpoint_slice *slice = (struct endpoint_slice *)object_new(&endpoint_slice_kind);
	slice->obj.meta.generate_name = xasprintf("%s-", svc->obj.meta.name);
	slice->obj.meta.namespace = xstrdup(svc->obj.meta.namespace);
	strmap_copy(&slice->obj.meta.labels, labels);
	struct owner_reference ref = ctrl_controller_ref(&svc->obj);
	ctrl_add_owner_ref(&slice->obj, &ref);
	slice->address_type = xstrdup("IPv4");
	if (g) {
		for (size_t i = 0; i < g->want->ports.len; i++) {
			LIST_GROW(slice->ports);
			schema_copy(port_schema(), &slice->ports.items[slice->ports.len++],
				    &g->want->ports.items[i]);
		}
	}
	return slice;
}

/* Appends a copy of endpoint ep to slice. */
static void add_endpoint(struct endpoint_slice *slice, const struct slice_endpoint *ep)
{
	LIST_GROW(slice->endpoints);
	schema_copy(endpoint_schema(), &slice->endpoints.items[slice->endpoints.len++], ep);
}

/* The wanted endpoint that is the same pod at the same address as ep, not
 * yet placed (K8S: endpointHash: addresses, hostname, target namespace
 * and name), or -1. */
static long find_wanted(const struct group *g, const struct slice_endpoint *ep)
{
	const struct endpoint_slice *want = g->want;
	for (size_t i = 0; i < want->endpoints.len; i++) {
		const struct slice_endpoint *w = &want->endpoints.items[i];
		if (g->placed[i] || !same_text(w->target_ref.name, ep->target_ref.name) ||
		    !same_text(w->target_ref.namespace, ep->target_ref.namespace) ||
		    !same_text(w->hostname, ep->hostname) ||
		    ep->addresses.len != 1 || !same_text(w->addresses.items[0], ep->addresses.items[0]))
			continue;
		return (long)i;
	}
	return -1;
}

/* Rewrites an existing slice: the wanted endpoints it has, updated; the
 * others dropped. Returns the new version, or NULL when nothing changed
 * (*empty tells whether nothing would be left). */
static struct endpoint_slice *keep_wanted(const struct endpoint_slice *cur, struct group *g,
					  const struct strmap *labels, bool *empty)
{
	struct endpoint_slice *next = (struct endpoint_slice *)object_copy(&cur->obj);
	schema_release_field(schema_field(endpoint_slice_kind.schema, "endpoints"), next);
	bool changed = !strmap_equal(&cur->obj.meta.labels, labels);
	for (size_t i = 0; i < cur->endpoints.len; i++) {
		const struct slice_endpoint *ep = &cur->endpoints.items[i];
		long w = g ? find_wanted(g, ep) : -1;
		if (w < 0) {
			changed = true;
			continue;
		}
		g->placed[w] = true;
		const struct slice_endpoint *want = &g->want->endpoints.items[w];
		changed |= !schema_equal(endpoint_schema(), ep, want);
		add_endpoint(next, want);
	}
	*empty = next->endpoints.len == 0;
	if (!changed) {
		object_unref(&next->obj);
		return NULL;
	}
	strmap_release(&next->obj.meta.labels);
	strmap_copy(&next->obj.meta.labels, labels);
	return next;
}

static int compare_by_name(const void *x, const void *y)
{
	const struct object *a = *(const struct object *const *)x;
	const struct object *b = *(const struct object *const *)y;
	return strcmp(a->meta.name, b->meta.name);
}

/* K8S: reconcileByPortMapping for one group: existing slices first, then
 * the endpoints that are left over. */
static void reconcile_group(const struct service *svc, struct group *g,
			    const struct endpoint_slice **slices, size_t len,
			    const struct strmap *labels, struct slice_plan *plan)
{
	size_t first_update = plan->update_len;
	const struct endpoint_slice **unchanged = xcalloc(len + 1, sizeof(*unchanged));
	size_t unchanged_len = 0;
	for (size_t i = 0; i < len; i++) {
		bool empty;
		struct endpoint_slice *next = keep_wanted(slices[i], g, labels, &empty);
		if (empty) {
			object_unref(next ? &next->obj : NULL);
			push((void ***)&plan->remove, &plan->remove_len, &plan->remove_cap,
			     (void *)slices[i]);
		} else if (next) {
			push((void ***)&plan->update, &plan->update_len, &plan->update_cap, next);
		} else {
			unchanged[unchanged_len++] = slices[i];
		}
	}
	if (!g) {
		free(unchanged);
		return;
	}
	const struct endpoint_slice *want = g->want;
	size_t remaining = 0, cursor = 0;
	for (size_t i = 0; i < want->endpoints.len; i++)
		remaining += !g->placed[i];
	/* 1. Into slices that are being rewritten anyway. */
	for (size_t u = first_update; u < plan->update_len && remaining; u++) {
		struct endpoint_slice *slice = plan->update[u];
		for (; cursor < want->endpoints.len && remaining &&
		       slice->endpoints.len < SLICE_MAX_ENDPOINTS; cursor++) {
			if (g->placed[cursor])
				continue;
			add_endpoint(slice, &want->endpoints.items[cursor]);
			g->placed[cursor] = true;
			remaining--;
		}
	}
	/* 2. All of them into the fullest unchanged slice they fit in. */
	struct endpoint_slice *fill = NULL;
	size_t best = SIZE_MAX;
	for (size_t k = 0; k < unchanged_len && remaining; k++)
		if (unchanged[k]->endpoints.len + remaining <= SLICE_MAX_ENDPOINTS &&
		    (best == SIZE_MAX ||
		     unchanged[k]->endpoints.len > unchanged[best]->endpoints.len))
			best = k;
	if (best != SIZE_MAX) {
		fill = (struct endpoint_slice *)object_copy(&unchanged[best]->obj);
		push((void ***)&plan->update, &plan->update_len, &plan->update_cap, fill);
	}
	free(unchanged);
	/* 3. New slices for the rest. */
	for (; cursor < want->endpoints.len && remaining; cursor++) {
		if (g->placed[cursor])
			continue;
		if (!fill || fill->endpoints.len >= SLICE_MAX_ENDPOINTS) {
			fill = new_slice(svc, g, labels);
			push((void ***)&plan->create, &plan->create_len, &plan->create_cap, fill);
		}
		add_endpoint(fill, &want->endpoints.items[cursor]);
		g->placed[cursor] = true;
		remaining--;
	}
}

static bool is_placeholder(const struct endpoint_slice *slice, const struct strmap *labels)
{
	return !slice->endpoints.len && !slice->ports.len &&
	       strmap_equal(&slice->obj.meta.labels, labels);
}

/* K8S: finalize: a delete and a create become one update of the deleted
 * slice (fewer writes, fewer watch events). */
static void reuse_deleted(struct slice_plan *plan)
{
	while (plan->remove_len && plan->create_len) {
		const struct endpoint_slice *old = plan->remove[--plan->remove_len];
		struct endpoint_slice *fresh = plan->create[--plan->create_len];
		struct endpoint_slice *next = (struct endpoint_slice *)object_copy(&old->obj);
		schema_release_field(schema_field(endpoint_slice_kind.schema, "endpoints"), next);
		schema_release_field(schema_field(endpoint_slice_kind.schema, "ports"), next);
		next->endpoints = fresh->endpoints;	/* moved */
		next->ports = fresh->ports;
		memset(&fresh->endpoints, 0, sizeof(fresh->endpoints));
		memset(&fresh->ports, 0, sizeof(fresh->ports));
		strmap_release(&next->obj.meta.labels);
		strmap_copy(&next->obj.meta.labels, &fresh->obj.meta.labels);
		object_unref(&fresh->obj);
		push((void ***)&plan->update, &plan->update_len, &plan->update_cap, next);
	}
}

void endpointslice_plan(const struct service *svc, const struct object_list *pods,
			const struct object_list *existing, slice_zone_fn zone, void *zone_arg,
			struct slice_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	struct desired d = {0};
	desired_build(svc, pods, zone, zone_arg, &d);
	struct strmap labels = {0};
	wanted_labels(svc, &labels);

	const struct endpoint_slice **sorted = xcalloc(existing->len + 1, sizeof(*sorted));
	for (size_t i = 0; i < existing->len; i++)
		sorted[i] = (const void *)existing->items[i];
	qsort(sorted, existing->len, sizeof(*sorted), compare_by_name);
	/* Slices sorted by name, split by port mapping; those whose ports no
	 * pod offers any more go with g NULL (all their endpoints leave). */
	const struct endpoint_slice **mine = xcalloc(existing->len + 1, sizeof(*mine));
	for (size_t k = 0; k <= d.len; k++) {
		struct group *g = k < d.len ? &d.groups[k] : NULL;
		size_t len = 0;
		for (size_t i = 0; i < existing->len; i++) {
			bool match = false;
			for (size_t j = 0; j < d.len && !match; j++)
				match = ports_equal(d.groups[j].want, sorted[i]) && (!g || j == k);
			if (g ? match : !match)
				mine[len++] = sorted[i];
		}
		reconcile_group(svc, g, mine, len, &labels, plan);
	}
	free(mine);
	/* K8S: the placeholder: a Service with no endpoints keeps one empty
	 * slice, so a reader can tell "no endpoints" from "not synced". */
	if (plan->remove_len == existing->len && !plan->create_len) {
		if (plan->remove_len == 1 && is_placeholder(plan->remove[0], &labels))
			plan->remove_len = 0;
		else
			push((void ***)&plan->create, &plan->create_len, &plan->create_cap,
			     new_slice(svc, NULL, &labels));
	}
	reuse_deleted(plan);
	free(sorted);
	strmap_release(&labels);
	desired_release(&d);
}

void slice_plan_release(struct slice_plan *plan)
{
	for (size_t i = 0; i < plan->create_len; i++)
		object_unref(&plan->create[i]->obj);
	for (size_t i = 0; i < plan->update_len; i++)
		object_unref(&plan->update[i]->obj);
	free(plan->create);
	free(plan->update);
	free(plan->remove);
	memset(plan, 0, sizeof(*plan));
}
