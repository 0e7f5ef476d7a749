/* ctrl_disruption.h - the disruption controller's row and the rule it shares
 * with the Eviction API.
 *
 * K8S: pkg/controller/disruption/disruption.go (the controller) and
 * pkg/apis/policy/v1/poddisruptionbudget (UpdateDisruptionAllowedCondition,
 * which the eviction handler calls too).
 *
 * Interface: the disruption_controller row (to be listed in controller.c as
 * "disruption-controller"), and disruption_set_allowed_condition, the one
 * place that decides the DisruptionAllowed condition from
 * status.disruptionsAllowed.
 */
#ifndef KUBELAB_CTRL_DISRUPTION_H
#define KUBELAB_CTRL_DISRUPTION_H

#include "api.h"
#include "controller.h"

extern const struct controller_ops disruption_controller;

/* Condition type and reasons, as policy/v1 spells them. */
#define PDB_CONDITION_DISRUPTION_ALLOWED "DisruptionAllowed"
#define PDB_REASON_SUFFICIENT_PODS "SufficientPods"
#define PDB_REASON_INSUFFICIENT_PODS "InsufficientPods"
#define PDB_REASON_SYNC_FAILED "SyncFailed"

/* K8S: UpdateDisruptionAllowedCondition + apimeta.SetStatusCondition.
 * Sets status's DisruptionAllowed condition: True/SufficientPods when
 * disruptionsAllowed > 0, else False/InsufficientPods. The transition time
 * moves to now only when the condition's status changes (or it is new).
 * Edits status in place (a copy the caller owns). */
void disruption_set_allowed_condition(struct pod_disruption_budget_status *status,
				      ktime_t now);

/* The same, with an explicit status/reason/message (failSafe's SyncFailed). */
void disruption_set_condition(struct pod_disruption_budget_status *status,
			      const char *cond_status, const char *reason,
			      const char *message, ktime_t now);

#endif
