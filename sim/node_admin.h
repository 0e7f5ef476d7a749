/* node_admin.h - kubectl taint and kubectl label, on nodes.
 *
 * What an operator types to steer the scheduler and the eviction
 * machinery: taints repel pods (NoSchedule, PreferNoSchedule) or evict
 * them (NoExecute); labels are what nodeSelector, node affinity and
 * topology spread match. Both are client-side edits of the Node: read,
 * change spec.taints or metadata.labels, write back.
 * K8S: staging/src/k8s.io/kubectl/pkg/cmd/taint (taint.go, utils.go:
 * reorganizeTaints, validateNoTaintOverwrites) and
 * staging/src/k8s.io/kubectl/pkg/cmd/label (label.go: labelFunc,
 * validateNoOverwrites).
 *
 * Every function returns API_OK with status->message kubectl's word for
 * what happened ("tainted", "modified", "untainted", "labeled",
 * "unlabeled", "not labeled"), or an error code with kubectl's error
 * message, and then changes nothing. Arguments are borrowed. The caller
 * validated key, value and effect (scenario_nodes.c does at load time).
 */
#ifndef KUBELAB_NODE_ADMIN_H
#define KUBELAB_NODE_ADMIN_H

#include <stdbool.h>

#include "client.h"

/* kubectl taint nodes NODE KEY=VALUE:EFFECT [--overwrite]. The new taint
 * goes first, the others keep their order, as kubectl lists them. An
 * existing taint with the same key and effect is replaced with overwrite,
 * else API_INVALID "Node 'N' already has a taint with key (K) and effect
 * (E), and --overwrite is false". value may be "" or NULL. No timeAdded:
 * kubectl sets none (the node lifecycle controller sets its own). */
enum api_code node_taint(const struct client *client, const char *node,
			 const char *key, const char *value, const char *effect,
			 bool overwrite, struct api_status *status);

/* kubectl taint nodes NODE KEY:EFFECT- (effect NULL: KEY-, every effect).
 * API_NOT_FOUND `taint "KEY:EFFECT" not found` when there is none. */
enum api_code node_untaint(const struct client *client, const char *node,
			   const char *key, const char *effect,
			   struct api_status *status);

/* kubectl label nodes NODE KEY=VALUE [--overwrite]. A different value
 * already there without overwrite: API_INVALID "'KEY' already has a value
 * (OLD), and --overwrite is false"; the same value: "not labeled". */
enum api_code node_label(const struct client *client, const char *node,
			 const char *key, const char *value, bool overwrite,
			 struct api_status *status);

/* kubectl label nodes NODE KEY-. A label that is not there is no error:
 * "not labeled: label \"KEY\" not found" (kubectl prints both). */
enum api_code node_unlabel(const struct client *client, const char *node,
			   const char *key, struct api_status *status);

#endif
