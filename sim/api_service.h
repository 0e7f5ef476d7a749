/* api_service.h - Service and Endpoints.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go. The endpoints controller
 * fills Endpoints from the ready and not-ready pods a Service selects; the
 * network model (a later issue) routes requests by them.
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

extern const struct kind_info service_kind;
extern const struct kind_info endpoints_kind;

#endif
