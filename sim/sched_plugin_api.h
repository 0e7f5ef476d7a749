/* sched_plugin_api.h - what a student's scheduler plugin may use.
 *
 * K8S: the scheduling framework's plugin interface
 * (staging/src/k8s.io/kube-scheduler/framework/interface.go) and an
 * out-of-tree plugin registered with app.WithPlugin, as the
 * scheduler-plugins project (sigs.k8s.io/scheduler-plugins) does.
 *
 * LAB: scheduler-plugin. A plugin is one C file that includes this header
 * and defines one object named kubelab_plugin:
 *
 *   #include <sched_plugin_api.h>
 *
 *   static int64_t my_score(struct sched_state *state, const struct pod *pod,
 *                           const struct sched_node_info *node)
 *   {
 *           return 50;   // 0 (worst) .. 100 (best) for this node
 *   }
 *
 *   const struct sched_plugin kubelab_plugin = {
 *           .name = "MyPlugin",
 *           .score = my_score,
 *   };
 *
 * `kubelab run --plugin my_plugin.c` (or `schedulerPlugins:` in a
 * scenario) compiles it with the system C compiler, loads it, and
 * registers it under its name; a KubeSchedulerConfiguration profile then
 * enables it like any built-in plugin (plugins.multiPoint.enabled:
 * [{name: MyPlugin, weight: 5}]). See docs/scheduler-plugins.md.
 *
 * What a hook sees (all borrowed, valid only during the call):
 *   - the pod: pod->obj.meta.name, ->obj.meta.labels (strmap_get),
 *     pod->spec (node_selector, containers[i].resources ...);
 *   - the node: node->name, node->node->obj.meta.labels, the sums the
 *     scheduler keeps: node->allocatable and node->requested (milli_cpu,
 *     memory in bytes), node->allowed_pods, node->pods_len;
 *   - a Filter rejects with sched_status_add / sched_status_addf and must
 *     give a reason; a Score returns 0..100 (anything else fails the
 *     pod's scheduling cycle with an error, as upstream does), unless
 *     normalize_score maps the raw scores into 0..100.
 * The id field is assigned when the plugin is loaded: leave it out.
 *
 * Beyond Filter and Score (sched_framework.h has every hook):
 *   - PreFilter may narrow the nodes the pod can go to with
 *     sched_pre_filter_result_restrict (K8S: PreFilterResult);
 *   - Permit may return sched_status_wait(status, 30 * KTIME_SECOND) to
 *     hold the pod; any plugin can then find waiting pods through the
 *     cycle state (sched_waiting_pods_iterate, sched_waiting_pod_get) and
 *     sched_waiting_pod_allow / sched_waiting_pod_reject them (K8S:
 *     framework.Handle's IterateOverWaitingPods, GetWaitingPod;
 *     examples/plugins/gang_permit.c);
 *   - PostBind is told of each successful bind (e.g. to count them).
 */
#ifndef KUBELAB_SCHED_PLUGIN_API_H
#define KUBELAB_SCHED_PLUGIN_API_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "api.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "sched_waiting.h"
#include "strmap.h"

/* The symbol a plugin file defines. */
#define SCHED_PLUGIN_SYMBOL "kubelab_plugin"

/* A label of the node, or NULL (nodes that are gone have no labels). */
static inline const char *sched_node_label(const struct sched_node_info *node,
					   const char *key)
{
	return node->node ? strmap_get(&node->node->obj.meta.labels, key) : NULL;
}

/* A label of the pod, or NULL. */
static inline const char *sched_pod_label(const struct pod *pod, const char *key)
{
	return strmap_get(&pod->obj.meta.labels, key);
}

#endif
