/* controller.c - the table of built-in controllers; see controller.h.
 *
 * K8S: cmd/kube-controller-manager/app/controllermanager.go
 * NewControllerDescriptors: a map from controller name to its constructor,
 * started in turn by StartControllers.
 *
 * Order matters only for determinism: controllers start (and register
 * their watches) in table order, and the store delivers a change to its
 * watchers in registration order. Upstream starts them concurrently; any
 * fixed order is as faithful. The garbage collector comes last so that,
 * within one instant, the workload controllers react to a change before
 * it collects what the change orphaned.
 *
 * Why the rows call through small trampolines: C only accepts constants in
 * a static initializer, and another file's `const struct` is not one, so
 * the table cannot simply copy each controller's row. ROW() writes a start
 * and a stop that forward to the row, so the table stays a plain array
 * with a NULL-named end. To add a controller (a lab's student controller):
 * its row's extern in controller.h, one ROW() line and one table line.
 */
#include "controller.h"

#include <string.h>

#define ROW(row)							\
	static void *row##_start(const struct client *client)		\
	{								\
		return row.start(client);				\
	}								\
	static void row##_stop(void *state)				\
	{								\
		row.stop(state);					\
	}

ROW(replicaset_controller)
ROW(deployment_controller)
ROW(statefulset_controller)
ROW(daemonset_controller)
ROW(job_controller)
ROW(cronjob_controller)
ROW(ttl_after_finished_controller)
ROW(node_lifecycle_controller)
ROW(taint_eviction_controller)
ROW(endpoints_controller)
ROW(endpointslice_controller)
ROW(disruption_controller)
ROW(horizontal_pod_autoscaler_controller)
ROW(pod_gc_controller)
ROW(persistentvolume_controller)
ROW(attach_detach_controller)
ROW(garbage_collector_controller)

/* The names are upstream's --controllers names with the -controller
 * suffix they carry as event sources (test_controllers checks that they
 * match the rows'); the HPA's is its event source as upstream records
 * it, "horizontal-pod-autoscaler". */
const struct controller_ops controller_table[] = {
	{ "replicaset-controller", replicaset_controller_start, replicaset_controller_stop },
	{ "deployment-controller", deployment_controller_start, deployment_controller_stop },
	{ "statefulset-controller", statefulset_controller_start, statefulset_controller_stop },
	{ "daemonset-controller", daemonset_controller_start, daemonset_controller_stop },
	{ "job-controller", job_controller_start, job_controller_stop },
	{ "cronjob-controller", cronjob_controller_start, cronjob_controller_stop },
	{ "ttl-after-finished-controller", ttl_after_finished_controller_start,
	  ttl_after_finished_controller_stop },
	{ "node-lifecycle-controller", node_lifecycle_controller_start,
	  node_lifecycle_controller_stop },
	{ "taint-eviction-controller", taint_eviction_controller_start,
	  taint_eviction_controller_stop },
	{ "endpoint-controller", endpoints_controller_start, endpoints_controller_stop },
	{ "endpointslice-controller", endpointslice_controller_start,
	  endpointslice_controller_stop },
	{ "disruption-controller", disruption_controller_start, disruption_controller_stop },
	{ "horizontal-pod-autoscaler", horizontal_pod_autoscaler_controller_start,
	  horizontal_pod_autoscaler_controller_stop },
	{ "pod-garbage-collector-controller", pod_gc_controller_start,
	  pod_gc_controller_stop },
	{ "persistentvolume-controller", persistentvolume_controller_start,
	  persistentvolume_controller_stop },
	{ "attachdetach-controller", attach_detach_controller_start,
	  attach_detach_controller_stop },
	{ "garbage-collector-controller", garbage_collector_controller_start,
	  garbage_collector_controller_stop },
	{ NULL, NULL, NULL },
};

const struct controller_ops *controller_find(const char *name)
{
	for (const struct controller_ops *ops = controller_table; ops->name; ops++)
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}
