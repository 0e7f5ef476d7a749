/* ctrl_endpointslice.h - the EndpointSlice controller's row, and its
 * reconciler: which slices a Service should have.
 *
 * K8S: pkg/controller/endpointslice (the controller) and
 * staging/src/k8s.io/endpointslice (the reconciler it shares with the
 * mirroring controller). ctrl_endpointslice.c is the controller (watches,
 * queue, writes, the tracker of its own writes);
 * ctrl_endpointslice_reconcile.c decides, from a Service, its pods and its
 * existing slices, what to create, update and delete.
 *
 * Ownership: endpointslice_plan fills a struct slice_plan whose slices the
 * caller releases with slice_plan_release; its arguments are borrowed.
 */
#ifndef KUBELAB_CTRL_ENDPOINTSLICE_H
#define KUBELAB_CTRL_ENDPOINTSLICE_H

#include "api.h"
#include "controller.h"
#include "store.h"

/* K8S: discovery.LabelServiceName, discovery.LabelManagedBy and the
 * controller's name in it (ControllerName). */
#define SLICE_SERVICE_NAME_LABEL "kubernetes.io/service-name"
#define SLICE_MANAGED_BY_LABEL "endpointslice.kubernetes.io/managed-by"
#define SLICE_CONTROLLER_NAME "endpointslice-controller.k8s.io"
/* K8S: --max-endpoints-per-slice, default 100. */
#define SLICE_MAX_ENDPOINTS 100

/* The row for controller.c (name "endpointslice-controller"). */
extern const struct controller_ops endpointslice_controller;

/* What one sync writes. Slices in create are new (generateName set, no
 * name); those in update are copies of stored slices (name and
 * resourceVersion kept); delete holds references to stored slices. */
struct slice_plan {
	struct endpoint_slice **create, **update;
	const struct endpoint_slice **remove;
	size_t create_len, update_len, remove_len;
	size_t create_cap, update_cap, remove_cap;
};

/* The node's zone (topology.kubernetes.io/zone), or NULL; borrowed for
 * the duration of the call. */
typedef const char *(*slice_zone_fn)(void *arg, const char *node_name);

/* K8S: reconciler.reconcile for the IPv4 address type. pods: the pods the
 * Service selects (any order); existing: the slices this controller
 * manages for the Service (any order). Every pod with an IP that has not
 * finished is an endpoint, terminating ones too (conditions ready,
 * serving, terminating); pods with the same resolved ports share slices of
 * at most SLICE_MAX_ENDPOINTS. Existing slices keep the endpoints still
 * wanted (updated in place), lose the others, and are deleted when
 * nothing is left; new endpoints fill slices already being updated, then
 * the fullest unchanged slice they fit in whole, then new slices. With no
 * endpoints at all one empty "placeholder" slice remains. A delete paired
 * with a create becomes an update of the deleted slice. Never fails. */
void endpointslice_plan(const struct service *svc, const struct object_list *pods,
			const struct object_list *existing, slice_zone_fn zone, void *zone_arg,
			struct slice_plan *plan);
void slice_plan_release(struct slice_plan *plan);

#endif
