/* ctrl_volume_util.h - storage rules shared by the PV controller, the
 * scheduler's volume plugins, the attach-detach controller and the kubelet.
 *
 * K8S: staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go
 * (FindMatchingVolume, CheckVolumeModeMismatches, GetPersistentVolume-
 * ClaimClass, the annotation names), .../storage/volume/helpers.go
 * (CheckNodeAffinity), pkg/volume/util (CheckVolumeNodeAffinity,
 * GetDefaultClass in pkg/volume/util/storageclass).
 *
 * Upstream keeps these helpers in one package because three components
 * must agree on them: which PersistentVolume fits a claim (the PV
 * controller binds it, the scheduler checks it for the node it is about to
 * choose), and whether a volume can be used from a node (its nodeAffinity).
 * kubelab keeps them here for the same reason.
 *
 * Interface: the annotation names; small predicates; ctrl_volume_find_match
 * (the smallest Available volume that fits). All take borrowed objects and
 * return borrowed pointers (valid until the next write to the store).
 * Invariant: nothing here writes.
 */
#ifndef KUBELAB_CTRL_VOLUME_UTIL_H
#define KUBELAB_CTRL_VOLUME_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "client.h"

/* K8S: the annotations of pv_helpers.go and volume binding. */
#define ANN_SELECTED_NODE "volume.kubernetes.io/selected-node"
#define ANN_BIND_COMPLETED "pv.kubernetes.io/bind-completed"
#define ANN_BOUND_BY_CONTROLLER "pv.kubernetes.io/bound-by-controller"
#define ANN_PROVISIONED_BY "pv.kubernetes.io/provisioned-by"
#define ANN_STORAGE_PROVISIONER "volume.kubernetes.io/storage-provisioner"
#define ANN_BETA_STORAGE_PROVISIONER "volume.beta.kubernetes.io/storage-provisioner"
#define ANN_DEFAULT_CLASS "storageclass.kubernetes.io/is-default-class"
/* K8S: the provisioner of local volumes: a class that never provisions. */
#define NO_PROVISIONER "kubernetes.io/no-provisioner"
/* K8S: v1.TaintNodeOutOfService (GA in v1.28). */
#define TAINT_NODE_OUT_OF_SERVICE "node.kubernetes.io/out-of-service"

/* The claim's class name, "" when unset (K8S: GetPersistentVolumeClaimClass;
 * the beta annotation is not modelled). */
const char *ctrl_volume_claim_class(const struct persistent_volume_claim *claim);
/* The StorageClass the claim names, or NULL (none named, or not found). */
const struct storage_class *ctrl_volume_claim_storage_class(
	const struct client *client, const struct persistent_volume_claim *claim);
/* K8S: IsDelayBindingMode: the class says WaitForFirstConsumer. */
bool ctrl_volume_claim_delays_binding(const struct client *client,
				      const struct persistent_volume_claim *claim);
/* The claim's requests.storage in bytes (0 when absent). */
int64_t ctrl_volume_claim_request(const struct persistent_volume_claim *claim);
int64_t ctrl_volume_capacity(const struct persistent_volume *pv);
/* Whether the claim is bound: spec.volumeName set. */
bool ctrl_volume_claim_is_bound(const struct persistent_volume_claim *claim);

/* K8S: CheckNodeAffinity: true when pv has no nodeAffinity or one of its
 * terms matches node's labels (operators In, NotIn, Exists,
 * DoesNotExist; matchFields metadata.name). */
bool ctrl_volume_node_affinity_matches(const struct persistent_volume *pv,
				       const struct node *node);
/* Whether a class's allowedTopologies admit node (true when it has none). */
bool ctrl_volume_class_allows_node(const struct storage_class *class,
				   const struct node *node);

/* K8S: FindMatchingVolume: among the volumes not bound to another claim,
 * of the claim's class, volume mode and access modes (all of them), big
 * enough and matching the claim's selector, a volume pre-bound to this
 * claim (claimRef) wins, else the smallest. With node non-NULL, volumes
 * whose nodeAffinity excludes the node do not count (the WaitForFirst-
 * Consumer case). NULL when none fits. */
const struct persistent_volume *ctrl_volume_find_match(
	const struct client *client, const struct persistent_volume_claim *claim,
	const struct node *node);

/* The name of the volume the pod's claim volume names (its PVC's
 * spec.volumeName), or NULL when the claim is missing or unbound. Sets
 * *claim (may be NULL) to the claim when found. */
const char *ctrl_volume_pod_claim_volume(const struct client *client,
					 const struct pod *pod, const struct volume *volume,
					 const struct persistent_volume_claim **claim);

/* K8S: the unique name of an attachable volume as node.status
 * .volumesAttached and volumesInUse spell it: "kubernetes.io/csi/DRIVER^
 * HANDLE". Only CSI volumes are attachable in kubelab (hostPath and local
 * volumes are not attached, as upstream). NULL when not attachable; the
 * caller frees. */
char *ctrl_volume_unique_name(const struct persistent_volume *pv);
/* K8S: IsMultiAttachAllowed: a volume offering ReadWriteMany or
 * ReadOnlyMany may be attached to several nodes; a ReadWriteOnce one not. */
bool ctrl_volume_multi_attach_allowed(const struct persistent_volume *pv);

/* Replaces *list (a LIST_OF(char *)) by a copy of src's strings. */
void ctrl_volume_strlist_copy(void *list, const void *src);

#endif
