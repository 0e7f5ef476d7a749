/* sched_volume.h - the scheduler's volume plugins, seen from sched.c.
 *
 * K8S: pkg/scheduler/framework/plugins/volumebinding (PreBind). The
 * framework in kubelab has no PreBind extension point yet, so the cycle
 * calls the VolumeBinding plugin's PreBind by name (sched.c, bind).
 */
#ifndef KUBELAB_SCHED_VOLUME_H
#define KUBELAB_SCHED_VOLUME_H

#include "api.h"
#include "client.h"

/* K8S: VolumeBinding.PreBind, simplified: annotates each unbound
 * WaitForFirstConsumer claim of pod with volume.kubernetes.io/selected-node
 * = node, so that the PV controller binds or provisions it for that node.
 * pod is borrowed; writes PVCs (retrying on Conflict); never fails. */
void sched_volume_binding_pre_bind(const struct client *client, const struct pod *pod,
				   const char *node);

#endif
