/* admission.h - what the API server does to an object before storing it.
 *
 * K8S: the admission plugins enabled by default that change pods
 * (plugin/pkg/admission/defaulttolerationseconds, .../priority) and the
 * pod strategy's PrepareForCreate (pkg/registry/core/pod/strategy.go),
 * which sets status.phase Pending and status.qosClass.
 */
#ifndef KUBELAB_ADMISSION_H
#define KUBELAB_ADMISSION_H

#include "store.h"

struct pod_spec;

/* Mutates obj (a new object about to be created). Returns API_OK, or
 * API_INVALID / API_NOT_FOUND with status filled (e.g. an unknown
 * priorityClassName: `no PriorityClass with name x was found`). */
enum api_code admission_admit(const struct store *store, struct object *obj,
			      struct api_status *status);

/* K8S: pkg/apis/core/v1/helper/qos GetPodQOS. */
const char *admission_pod_qos(const struct pod_spec *spec);

#endif
