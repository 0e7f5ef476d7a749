/* api_service.h - Service, Endpoints and EndpointSlice.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go, and
 * staging/src/k8s.io/api/discovery/v1/types.go for EndpointSlice. The
 * endpoints controller fills Endpoints, the endpointslice controller
 * EndpointSlices, from the pods a Service selects; the network model (a
 * later issue) routes requests by them.
 */
#ifndef KUBELAB_API_SERVICE_H
#define KUBELAB_API_SERVICE_H

#include "api_common.h"

struct service_port {
	char *name;
	char *protocol;			/* default TCP */
	int32_t port;
	struct int_or_string target_port;	/* default: same as port */
	int32_t node_port;
};

struct service_spec {
	char *type;			/* ClusterIP (default), NodePort, LoadBalancer */
	struct strmap selector;
	LIST_OF(struct service_port) ports;
	char *cluster_ip;		/* "None" for a headless service */
	char *session_affinity;		/* None (default), ClientIP */
	bool publish_not_ready_addresses;
	char *external_traffic_policy;
	char *internal_traffic_policy;
};

struct service {
	struct object obj;
	struct service_spec spec;
};

struct endpoint_address {
	char *ip;
	char *hostname;
	char *node_name;
	struct object_reference target_ref;
};

struct endpoint_port {
	char *name;
	int32_t port;
	char *protocol;
};

struct endpoint_subset {
	LIST_OF(struct endpoint_address) addresses;
	LIST_OF(struct endpoint_address) not_ready_addresses;
	LIST_OF(struct endpoint_port) ports;
};

struct endpoints {
	struct object obj;
	LIST_OF(struct endpoint_subset) subsets;
};

/* ---- discovery.k8s.io/v1 ---- */

/* K8S: discovery.EndpointConditions. Upstream's are *bool (unset means
 * unknown); the controller always sets all three, and so does kubelab. */
struct endpoint_conditions {
	bool ready;		/* serving, and not terminating (unless the
				 * Service publishes not-ready addresses) */
	bool serving;		/* the pod is Ready, terminating or not */
	bool terminating;	/* the pod has a deletionTimestamp */
};

/* K8S: discovery.Endpoint: one pod. */
struct slice_endpoint {
	LIST_OF(char *) addresses;	/* the pod's IP */
	struct endpoint_conditions conditions;
	char *hostname;
	char *node_name;
	char *zone;			/* the node's topology.kubernetes.io/zone */
	struct object_reference target_ref;
};

/* K8S: discovery.EndpointPort. */
struct slice_port {
	char *name;
	char *protocol;
	int32_t port;
	char *app_protocol;
};

/* K8S: discovery.EndpointSlice: up to 100 endpoints (the controller's
 * --max-endpoints-per-slice) that share one list of ports. */
struct endpoint_slice {
	struct object obj;
	char *address_type;		/* IPv4, IPv6, FQDN */
	LIST_OF(struct slice_endpoint) endpoints;
	LIST_OF(struct slice_port) ports;
};

extern const struct kind_info service_kind;
extern const struct kind_info endpoints_kind;
extern const struct kind_info endpoint_slice_kind;

#endif
