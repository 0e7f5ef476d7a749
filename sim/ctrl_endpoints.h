/* ctrl_endpoints.h - the Endpoints controller's row, and the rules that
 * compute what an Endpoints object lists.
 *
 * K8S: pkg/controller/endpoint. For every Service with a selector, keeps an
 * Endpoints object of the same name listing the IPs of the pods the
 * selector matches (ready ones under addresses, the others under
 * notReadyAddresses). ctrl_endpoints.c is the controller (watches, queue,
 * writes); ctrl_endpoints_subsets.c computes the subsets.
 *
 * Ownership: arguments are borrowed; endpoints_build_subsets fills a list
 * the caller releases (schema_release_field of the "subsets" field).
 */
#ifndef KUBELAB_CTRL_ENDPOINTS_H
#define KUBELAB_CTRL_ENDPOINTS_H

#include "api.h"
#include "ctrl_informer.h"
#include "workqueue.h"
#include "controller.h"

/* The row for controller.c (name "endpoint-controller", upstream's event
 * source for Endpoints). */
extern const struct controller_ops endpoints_controller;

/* K8S: the pod loop of syncService, then RepackSubsets. Fills out->subsets
 * (empty on entry) from pods, the pods the Service's selector matched
 * (any order): every pod with an IP, not Succeeded or Failed, and not
 * terminating unless publishNotReadyAddresses; ready pods under
 * addresses, the others under notReadyAddresses; each Service port
 * resolved per pod (a named targetPort missing from a pod leaves the pod
 * out of that port); pods with identical ports and readiness share a
 * subset. Addresses sorted by IP then uid (upstream's order); ports by
 * number, protocol, name; subsets by their lowest port (upstream: by an
 * MD5 hash, stable but meaningless). Never fails. */
void endpoints_build_subsets(const struct service *svc, const struct object_list *pods,
			     struct endpoints *out);

/* K8S: ShouldPodBeInEndpoints: not Succeeded or Failed, has an IP, and
 * not terminating unless include_terminating. */
bool endpoints_pod_included(const struct pod *pod, bool include_terminating);
/* K8S: podutil.FindPort: the pod's port for a Service port (a named
 * targetPort is looked up in the containers' ports), or -1. */
int32_t endpoints_find_port(const struct pod *pod, const struct service_port *port);

/* Whether svc's selector picks pod. Services without a selector receive
 * no endpoints from the controllers; kubelab's strmap cannot tell an
 * absent selector from an empty one (upstream's nil and {}): both count
 * as absent. */
bool endpoints_service_selects(const struct service *svc, const struct object *pod);
/* Whether the controllers write svc's endpoints: ExternalName Services and
 * Services without a selector get none from them (the user writes them). */
bool endpoints_service_managed(const struct service *svc);
/* K8S: getPodServiceMemberships + updatePod, shared by the Endpoints and
 * EndpointSlice controllers: for a pod watch event, queues the key of
 * every Service of the pod's namespace (listed from the services
 * informer) that selects the pod, and, when its labels changed, that
 * selected its old version (the pod may have left a Service). A MODIFIED
 * event that changed nothing (same resourceVersion) queues nothing. */
void endpoints_enqueue_pod_services(struct informer *services, struct workqueue *queue,
				    enum watch_type type, const struct object *obj,
				    const struct object *old);

/* Whether the subsets of a and b are the same (metadata not compared). */
bool endpoints_subsets_equal(const struct endpoints *a, const struct endpoints *b);

#endif
