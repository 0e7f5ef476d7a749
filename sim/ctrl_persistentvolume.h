/* ctrl_persistentvolume.h - the PV controller's parts, shared by its files.
 *
 * K8S: pkg/controller/volume/persistentvolume (pv_controller_base.go holds
 * the controller, pv_controller.go the sync logic, and provisioning sits in
 * the same pv_controller.go; kubelab splits it into ctrl_persistentvolume.c,
 * the binder, and ctrl_persistentvolume_provision.c, the provisioner).
 *
 * Internal to the controller; the rest of kubelab sees only the
 * persistentvolume_binder_controller row (controller.h).
 */
#ifndef KUBELAB_CTRL_PERSISTENTVOLUME_H
#define KUBELAB_CTRL_PERSISTENTVOLUME_H

#include "api.h"
#include "client.h"

/* K8S: the simulated provisioner: makes the volume for claim (Pending,
 * unbound, of class, with no matching volume): a PV named pvc-<claim uid>,
 * pre-bound to the claim, with the class's reclaim policy, and the
 * nodeAffinity of the class's allowedTopologies or of the selected node's
 * zone. Records ProvisioningSucceeded (or ProvisioningFailed) on the claim.
 * Returns 0 when the volume exists after the call. */
int pv_provision(const struct client *client, const struct persistent_volume_claim *claim,
		 const struct storage_class *class);

/* K8S: deleteVolumeOperation for a provisioned volume whose claim is gone
 * and whose policy is Delete: the storage and the PV go. */
void pv_delete_volume(const struct client *client, const struct persistent_volume *pv);

#endif
