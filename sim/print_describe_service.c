/* print_describe_service.c - `kubectl describe` for Services, Endpoints
 * and EndpointSlices.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go
 * (describeService, formatEndpointSlices, describeEndpoints,
 * describeEndpointSliceV1).
 *
 * "Why does my Service not answer?" is read on this page: the Selector
 * the Service looks for, and per port the "Endpoints:" it found, the
 * first three ready pod addresses as ip:port. An empty Endpoints line
 * with pods running means the selector or the readiness is wrong. The
 * Service page takes its endpoints from the EndpointSlices labelled
 * kubernetes.io/service-name=<service>, as kubectl does since it stopped
 * reading the Endpoints object; the Endpoints and EndpointSlice pages
 * show those objects themselves, ready and not-ready addresses apart.
 *
 * kubelab models single-stack IPv4 Services: the API server's allocator
 * fills ipFamilyPolicy SingleStack, ipFamilies [IPv4] and clusterIPs
 * [clusterIP] on every Service but an ExternalName one, so the page
 * prints what a kind cluster would.
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* K8S: discoveryv1.LabelServiceName */
#define SERVICE_NAME_LABEL "kubernetes.io/service-name"

/* "ip:port", brackets around an IPv6 address (net.JoinHostPort). */
static char *host_port(const char *ip, int32_t port)
{
	return xasprintf(strchr(ip, ':') ? "[%s]:%d" : "%s:%d", ip, port);
}

/* K8S: formatEndpointSlices: the ready endpoints of the port named
 * port_name (every port when NULL), at most three, then "+ N more...".
 * A slice with no ports (a headless Service without ports) lists bare
 * addresses. */
static char *format_slices(const struct object_list *slices, const char *port_name)
{
	if (!slices->len)
		return xstrdup("<none>");
	char *text = xstrdup("");
	int shown = 0, count = 0;
	bool more = false;	/* upstream: set on meeting any endpoint, ready
				 * or not, once three are listed */
	for (size_t s = 0; s < slices->len; s++) {
		const struct endpoint_slice *eps = (const struct endpoint_slice *)slices->items[s];
		size_t ports = eps->ports.len ? eps->ports.len : 1;
		for (size_t p = 0; p < ports; p++) {
			const struct slice_port *port = eps->ports.len ? &eps->ports.items[p] : NULL;
			if (port && port_name && strcmp(str(port->name), port_name))
				continue;
			for (size_t e = 0; e < eps->endpoints.len; e++) {
				const struct slice_endpoint *ep = &eps->endpoints.items[e];
				more |= shown == 3;
				if (!ep->conditions.ready || !ep->addresses.len)
					continue;
				count++;
				if (more)
					continue;
				const char *ip = str(ep->addresses.items[0]);
				char *item = port ? host_port(ip, port->port) : xstrdup(ip);
				char *next = xasprintf("%s%s%s", text, shown ? "," : "", item);
				free(item);
				free(text);
				text = next;
				shown++;
			}
		}
	}
	if (more) {
		char *next = xasprintf("%s + %d more...", text, count - 3);
		free(text);
		text = next;
	}
	return text;
}

void describe_service(struct tabwriter *tw, const struct store *store,
		      const struct service *svc, ktime_t now)
{
	const struct object *obj = &svc->obj;
	const struct service_spec *spec = &svc->spec;
	bool external_name = spec->type && !strcmp(spec->type, "ExternalName");
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	describe_map_line(tw, "Selector", &spec->selector);
	tabwriter_put(tw, 0, "Type:\t%s\n", str(spec->type));
	if (!external_name)
		tabwriter_put(tw, 0, "IP Family Policy:\tSingleStack\n");
	tabwriter_put(tw, 0, "IP Families:\t%s\n", external_name ? "<none>" : "IPv4");
	tabwriter_put(tw, 0, "IP:\t%s\n", str(spec->cluster_ip));
	tabwriter_put(tw, 0, "IPs:\t%s\n", print_or_none(spec->cluster_ip));

	/* The slices of this Service: a label selector on the service name. */
	struct object_list all = { 0 }, slices = { 0 };
	store_list(store, KIND_ENDPOINTSLICE, obj->meta.namespace, NULL, &all);
	for (size_t i = 0; i < all.len; i++) {
		const char *owner = strmap_get(&all.items[i]->meta.labels, SERVICE_NAME_LABEL);
		if (!owner || strcmp(owner, str(obj->meta.name)))
			continue;
		slices.items = xrealloc(slices.items, (slices.len + 1) * sizeof(*slices.items));
		slices.items[slices.len++] = all.items[i];
	}
	for (size_t i = 0; i < spec->ports.len; i++) {
		const struct service_port *sp = &spec->ports.items[i];
		const char *name = sp->name && *sp->name ? sp->name : "<unset>";
		const char *protocol = str(sp->protocol);
		tabwriter_put(tw, 0, "Port:\t%s\t%d/%s\n", name, sp->port, protocol);
		if (!sp->target_port.is_set)	/* defaulting copies port */
			tabwriter_put(tw, 0, "TargetPort:\t%d/%s\n", sp->port, protocol);
		else {
			char *target = print_int_or_string(&sp->target_port);
			tabwriter_put(tw, 0, "TargetPort:\t%s/%s\n", target, protocol);
			free(target);
		}
		if (sp->node_port)
			tabwriter_put(tw, 0, "NodePort:\t%s\t%d/%s\n", name, sp->node_port, protocol);
		char *endpoints = format_slices(&slices, str(sp->name));
		tabwriter_put(tw, 0, "Endpoints:\t%s\n", endpoints);
		free(endpoints);
	}
	free(slices.items);	/* borrowed from all */
	object_list_release(&all);
	tabwriter_put(tw, 0, "Session Affinity:\t%s\n", str(spec->session_affinity));
	if (spec->external_traffic_policy && *spec->external_traffic_policy)
		tabwriter_put(tw, 0, "External Traffic Policy:\t%s\n", spec->external_traffic_policy);
	if (spec->internal_traffic_policy && *spec->internal_traffic_policy)
		tabwriter_put(tw, 0, "Internal Traffic Policy:\t%s\n", spec->internal_traffic_policy);
	print_describe_events(tw, store, obj, now);
}

/* ---- Endpoints ----------------------------------------------------------- */

static void address_line(struct tabwriter *tw, const char *title, const void *addresses_list)
{
	const LIST_OF(struct endpoint_address) *addresses = addresses_list;
	tabwriter_put(tw, 1, "%s:\t", title);
	for (size_t i = 0; i < addresses->len; i++)
		tabwriter_printf(tw, "%s%s", i ? "," : "", str(addresses->items[i].ip));
	tabwriter_printf(tw, "%s\n", addresses->len ? "" : "<none>");
}

void describe_endpoints(struct tabwriter *tw, const struct store *store,
			const struct endpoints *ep, ktime_t now)
{
	const struct object *obj = &ep->obj;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "Subsets:\n");
	for (size_t s = 0; s < ep->subsets.len; s++) {
		const struct endpoint_subset *subset = &ep->subsets.items[s];
		address_line(tw, "Addresses", &subset->addresses);
		address_line(tw, "NotReadyAddresses", &subset->not_ready_addresses);
		if (subset->ports.len) {
			tabwriter_put(tw, 1, "Ports:\n");
			tabwriter_put(tw, 2, "Name\tPort\tProtocol\n");
			tabwriter_put(tw, 2, "----\t----\t--------\n");
		}
		for (size_t p = 0; p < subset->ports.len; p++) {
			const struct endpoint_port *port = &subset->ports.items[p];
			tabwriter_put(tw, 2, "%s\t%d\t%s\n",
				      port->name && *port->name ? port->name : "<unset>",
				      port->port, str(port->protocol));
		}
		tabwriter_put(tw, 0, "\n");	/* a blank line after each subset */
	}
	print_describe_events(tw, store, obj, now);
}

/* ---- EndpointSlice ------------------------------------------------------- */

static const char *or_unset(const char *s)
{
	return s ? s : "<unset>";
}

void describe_endpoint_slice(struct tabwriter *tw, const struct store *store,
			     const struct endpoint_slice *eps, ktime_t now)
{
	const struct object *obj = &eps->obj;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "AddressType:\t%s\n", str(eps->address_type));
	if (!eps->ports.len) {
		tabwriter_put(tw, 0, "Ports: <unset>\n");
	} else {
		tabwriter_put(tw, 0, "Ports:\n");
		tabwriter_put(tw, 1, "Name\tPort\tProtocol\n");
		tabwriter_put(tw, 1, "----\t----\t--------\n");
	}
	for (size_t i = 0; i < eps->ports.len; i++) {
		const struct slice_port *port = &eps->ports.items[i];
		tabwriter_put(tw, 1, "%s\t%d\t%s\n", port->name && *port->name ? port->name : "<unset>",
			      port->port, str(port->protocol));
	}
	if (!eps->endpoints.len)
		tabwriter_put(tw, 0, "Endpoints: <none>\n");
	else
		tabwriter_put(tw, 0, "Endpoints:\n");
	for (size_t i = 0; i < eps->endpoints.len; i++) {
		const struct slice_endpoint *ep = &eps->endpoints.items[i];
		tabwriter_put(tw, 1, "- Addresses:\t");
		for (size_t a = 0; a < ep->addresses.len; a++)
			tabwriter_printf(tw, "%s%s", a ? ", " : "", str(ep->addresses.items[a]));
		tabwriter_printf(tw, "%s\n", ep->addresses.len ? "" : "<none>");
		tabwriter_put(tw, 2, "Conditions:\n");
		/* Only Ready is shown, as upstream; kubelab always sets it. */
		tabwriter_put(tw, 3, "Ready:\t%s\n", ep->conditions.ready ? "true" : "false");
		tabwriter_put(tw, 2, "Hostname:\t%s\n", or_unset(ep->hostname));
		if (ep->target_ref.kind)
			tabwriter_put(tw, 2, "TargetRef:\t%s/%s\n", ep->target_ref.kind,
				      str(ep->target_ref.name));
		tabwriter_put(tw, 2, "NodeName:\t%s\n", or_unset(ep->node_name));
		tabwriter_put(tw, 2, "Zone:\t%s\n", or_unset(ep->zone));
	}
	print_describe_events(tw, store, obj, now);
}
