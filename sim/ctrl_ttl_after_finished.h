/* ctrl_ttl_after_finished.h - the row of the TTL-after-finished controller.
 *
 * K8S: pkg/controller/ttlafterfinished. Deletes a finished Job (Complete
 * or Failed) ttlSecondsAfterFinished after it finished; see
 * ctrl_ttl_after_finished.c.
 */
#ifndef KUBELAB_CTRL_TTL_AFTER_FINISHED_H
#define KUBELAB_CTRL_TTL_AFTER_FINISHED_H

#include "controller.h"

/* The row for controller.c (name "ttl-after-finished-controller"). */
extern const struct controller_ops ttl_after_finished_controller;

#endif
