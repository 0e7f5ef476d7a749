/* api_service.c - schemas of Service, Endpoints and EndpointSlice.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Service, ServiceSpec,
 * ServicePort, Endpoints); defaults from pkg/apis/core/v1/defaults.go
 * (SetDefaults_Service, SetDefaults_Endpoints);
 * staging/src/k8s.io/api/discovery/v1/types.go (EndpointSlice).
 *
 * A Service is a stable name and virtual IP for the pods its selector
 * picks; the endpoints controller writes the matching pods' IPs into the
 * Endpoints object of the same name, ready ones under addresses and the
 * others under notReadyAddresses.
 */
#include "api_service.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
static const char *const service_types[] = {
	"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL
};
static const char *const session_affinities[] = { "None", "ClientIP", NULL };
static const char *const traffic_policies[] = { "Cluster", "Local", NULL };

/* ---- Service ---- */

/* targetPort defaults to port; a hook does it, since it reads another
 * field. */
static const struct field service_port_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct service_port, name) },
	{ "protocol", FIELD_STRING, .offset = offsetof(struct service_port, protocol),
	  .dflt = "TCP", .allowed = protocols },
	{ "port", FIELD_INT32, .offset = offsetof(struct service_port, port),
	  .flags = FIELD_REQUIRED },
	{ "targetPort", FIELD_INT_OR_STRING,
	  .offset = offsetof(struct service_port, target_port) },
	{ "nodePort", FIELD_INT32, .offset = offsetof(struct service_port, node_port) },
};
static const struct schema service_port_schema = {
	"ServicePort", sizeof(struct service_port), FIELDS(service_port_fields)
};

/* clusterIP is allocated by the API server on create ("None" asks for a
 * headless service, with no virtual IP). */
static const struct field service_spec_fields[] = {
	{ "ports", FIELD_LIST, .offset = offsetof(struct service_spec, ports),
	  .schema = &service_port_schema, .elem = FIELD_STRUCT },
	{ "selector", FIELD_STRMAP, .offset = offsetof(struct service_spec, selector) },
	{ "clusterIP", FIELD_STRING, .offset = offsetof(struct service_spec, cluster_ip) },
	{ "type", FIELD_STRING, .offset = offsetof(struct service_spec, type),
	  .dflt = "ClusterIP", .allowed = service_types },
	{ "sessionAffinity", FIELD_STRING,
	  .offset = offsetof(struct service_spec, session_affinity), .dflt = "None",
	  .allowed = session_affinities },
	{ "externalTrafficPolicy", FIELD_STRING,
	  .offset = offsetof(struct service_spec, external_traffic_policy),
	  .allowed = traffic_policies },
	{ "publishNotReadyAddresses", FIELD_BOOL,
	  .offset = offsetof(struct service_spec, publish_not_ready_addresses) },
	{ "internalTrafficPolicy", FIELD_STRING,
	  .offset = offsetof(struct service_spec, internal_traffic_policy),
	  .allowed = traffic_policies },
};
static const struct schema service_spec_schema = {
	"ServiceSpec", sizeof(struct service_spec), FIELDS(service_spec_fields)
};

static const struct field service_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct service, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct service, spec),
	  .schema = &service_spec_schema },
};
static const struct schema service_schema = {
	"Service", sizeof(struct service), FIELDS(service_fields)
};

/* K8S: SetDefaults_Service. An unset type is ClusterIP (the table's
 * default), whichever runs first. */
static void service_set_defaults(struct object *obj)
{
	struct service *svc = object_as(obj, KIND_SERVICE, struct service);
	struct service_spec *spec = &svc->spec;
	const char *type = spec->type ? spec->type : "ClusterIP";

	for (size_t i = 0; i < spec->ports.len; i++) {
		struct service_port *port = &spec->ports.items[i];
		struct int_or_string *target = &port->target_port;
		bool unset = !target->is_set ||
			     (!target->is_string && target->int_value == 0) ||
			     (target->is_string && (!target->str_value || !*target->str_value));
		if (unset) {
			free(target->str_value);
			*target = (struct int_or_string){ .is_set = true,
							  .int_value = port->port };
		}
	}
	/* Reachable from outside the cluster: traffic may go to any node. */
	bool external = !strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer");
	if (external && !spec->external_traffic_policy)
		spec->external_traffic_policy = xstrdup("Cluster");
	if (!spec->internal_traffic_policy && strcmp(type, "ExternalName"))
		spec->internal_traffic_policy = xstrdup("Cluster");
}

/* Upstream has a status subresource (load-balancer ingress); kubelab
 * models no Service status, so there is no status offset or schema. */
const struct kind_info service_kind = {
	.id = KIND_SERVICE,
	.kind = "Service",
	.api_version = "v1",
	.resource = "services",
	.singular = "service",
	.short_names = "svc",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct service),
	.schema = &service_schema,
	.spec_offset = offsetof(struct service, spec),
	.spec_schema = &service_spec_schema,
	.set_defaults = service_set_defaults,
};

/* ---- Endpoints (no spec: subsets sit at the top level) ---- */

static const struct field endpoint_address_fields[] = {
	{ "ip", FIELD_STRING, .offset = offsetof(struct endpoint_address, ip),
	  .flags = FIELD_REQUIRED },
	{ "hostname", FIELD_STRING, .offset = offsetof(struct endpoint_address, hostname) },
	{ "nodeName", FIELD_STRING, .offset = offsetof(struct endpoint_address, node_name) },
	{ "targetRef", FIELD_STRUCT, .offset = offsetof(struct endpoint_address, target_ref),
	  .schema = &object_reference_schema },
};
static const struct schema endpoint_address_schema = {
	"EndpointAddress", sizeof(struct endpoint_address), FIELDS(endpoint_address_fields)
};

static const struct field endpoint_port_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct endpoint_port, name) },
	{ "port", FIELD_INT32, .offset = offsetof(struct endpoint_port, port),
	  .flags = FIELD_REQUIRED },
	{ "protocol", FIELD_STRING, .offset = offsetof(struct endpoint_port, protocol),
	  .dflt = "TCP", .allowed = protocols },
};
static const struct schema endpoint_port_schema = {
	"EndpointPort", sizeof(struct endpoint_port), FIELDS(endpoint_port_fields)
};

static const struct field endpoint_subset_fields[] = {
	{ "addresses", FIELD_LIST, .offset = offsetof(struct endpoint_subset, addresses),
	  .schema = &endpoint_address_schema, .elem = FIELD_STRUCT },
	{ "notReadyAddresses", FIELD_LIST,
	  .offset = offsetof(struct endpoint_subset, not_ready_addresses),
	  .schema = &endpoint_address_schema, .elem = FIELD_STRUCT },
	{ "ports", FIELD_LIST, .offset = offsetof(struct endpoint_subset, ports),
	  .schema = &endpoint_port_schema, .elem = FIELD_STRUCT },
};
static const struct schema endpoint_subset_schema = {
	"EndpointSubset", sizeof(struct endpoint_subset), FIELDS(endpoint_subset_fields)
};

static const struct field endpoints_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct endpoints, obj.meta),
	  .schema = &object_meta_schema },
	{ "subsets", FIELD_LIST, .offset = offsetof(struct endpoints, subsets),
	  .schema = &endpoint_subset_schema, .elem = FIELD_STRUCT },
};
static const struct schema endpoints_schema = {
	"Endpoints", sizeof(struct endpoints), FIELDS(endpoints_fields)
};

const struct kind_info endpoints_kind = {
	.id = KIND_ENDPOINTS,
	.kind = "Endpoints",
	.api_version = "v1",
	.resource = "endpoints",
	.singular = "endpoints",
	.short_names = "ep",
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct endpoints),
	.schema = &endpoints_schema,
};

/* ---- EndpointSlice (discovery.k8s.io/v1; no spec either) ---- */

static const char *const address_types[] = { "IPv4", "IPv6", "FQDN", NULL };

static const struct field endpoint_conditions_fields[] = {
	{ "ready", FIELD_BOOL, .offset = offsetof(struct endpoint_conditions, ready),
	  .flags = FIELD_KEEP_ZERO },
	{ "serving", FIELD_BOOL, .offset = offsetof(struct endpoint_conditions, serving),
	  .flags = FIELD_KEEP_ZERO },
	{ "terminating", FIELD_BOOL,
	  .offset = offsetof(struct endpoint_conditions, terminating),
	  .flags = FIELD_KEEP_ZERO },
};
static const struct schema endpoint_conditions_schema = {
	"EndpointConditions", sizeof(struct endpoint_conditions),
	FIELDS(endpoint_conditions_fields)
};

static const struct field slice_endpoint_fields[] = {
	{ "addresses", FIELD_LIST, .offset = offsetof(struct slice_endpoint, addresses),
	  .elem = FIELD_STRING, .flags = FIELD_REQUIRED },
	{ "conditions", FIELD_STRUCT, .offset = offsetof(struct slice_endpoint, conditions),
	  .schema = &endpoint_conditions_schema },
	{ "hostname", FIELD_STRING, .offset = offsetof(struct slice_endpoint, hostname) },
	{ "targetRef", FIELD_STRUCT, .offset = offsetof(struct slice_endpoint, target_ref),
	  .schema = &object_reference_schema },
	{ "nodeName", FIELD_STRING, .offset = offsetof(struct slice_endpoint, node_name),
	  .flags = FIELD_INTERN },
	{ "zone", FIELD_STRING, .offset = offsetof(struct slice_endpoint, zone),
	  .flags = FIELD_INTERN },
};
static const struct schema slice_endpoint_schema = {
	"Endpoint", sizeof(struct slice_endpoint), FIELDS(slice_endpoint_fields)
};

static const struct field slice_port_fields[] = {
	{ "name", FIELD_STRING, .offset = offsetof(struct slice_port, name) },
	{ "protocol", FIELD_STRING, .offset = offsetof(struct slice_port, protocol),
	  .dflt = "TCP", .allowed = protocols },
	{ "port", FIELD_INT32, .offset = offsetof(struct slice_port, port) },
	{ "appProtocol", FIELD_STRING, .offset = offsetof(struct slice_port, app_protocol) },
};
static const struct schema slice_port_schema = {
	"EndpointPort", sizeof(struct slice_port), FIELDS(slice_port_fields)
};

static const struct field endpoint_slice_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct endpoint_slice, obj.meta),
	  .schema = &object_meta_schema },
	{ "addressType", FIELD_STRING, .offset = offsetof(struct endpoint_slice, address_type),
	  .flags = FIELD_REQUIRED, .allowed = address_types },
	{ "endpoints", FIELD_LIST, .offset = offsetof(struct endpoint_slice, endpoints),
	  .schema = &slice_endpoint_schema, .elem = FIELD_STRUCT },
	{ "ports", FIELD_LIST, .offset = offsetof(struct endpoint_slice, ports),
	  .schema = &slice_port_schema, .elem = FIELD_STRUCT },
};
static const struct schema endpoint_slice_schema = {
	"EndpointSlice", sizeof(struct endpoint_slice), FIELDS(endpoint_slice_fields)
};

const struct kind_info endpoint_slice_kind = {
	.id = KIND_ENDPOINTSLICE,
	.kind = "EndpointSlice",
	.api_version = "discovery.k8s.io/v1",
	.resource = "endpointslices",
	.singular = "endpointslice",
	.short_names = NULL,
	.namespaced = true,
	.has_status = false,
	.size = sizeof(struct endpoint_slice),
	.schema = &endpoint_slice_schema,
};
