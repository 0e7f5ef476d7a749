/* api.h - every API kind kubelab models, in one include. */
#ifndef KUBELAB_API_H
#define KUBELAB_API_H

#include "api_common.h"
#include "api_pod.h"
#include "api_node.h"
#include "api_storage.h"
#include "api_csinode.h"
#include "api_workloads.h"
#include "api_batch.h"
#include "api_service.h"
#include "api_misc.h"
#include "api_autoscaling.h"

#endif
