/* api_pod_internal.h - the schema tables shared by the files of the Pod
 * schema.
 *
 * Internal to api_pod.c (PodSpec, Pod, defaulting, the kind),
 * api_pod_container.c, api_pod_scheduling.c, api_pod_volume.c and
 * api_pod_status.c; nothing else includes it. The public interface is
 * api_pod.h.
 */
#ifndef KUBELAB_API_POD_INTERNAL_H
#define KUBELAB_API_POD_INTERNAL_H

#include "api_pod.h"

/* api_pod_container.c: Container (and everything in it). */
extern const struct schema container_schema;
/* api_pod_scheduling.c: the PodSpec's scheduling constraints. */
extern const struct schema toleration_schema;
extern const struct schema affinity_schema;
extern const struct schema topology_spread_constraint_schema;
/* api_pod_volume.c: Volume and its sources. */
extern const struct schema volume_schema;
/* api_pod_status.c: PodStatus. */
extern const struct schema pod_status_schema;

#endif
