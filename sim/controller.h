/* controller.h - the controllers of kube-controller-manager, by name.
 *
 * K8S: cmd/kube-controller-manager/app/controllermanager.go keeps a table
 * from controller name to its start function; so does kubelab. Each
 * controller lives in its own file (ctrl_NAME.c), watches through its
 * client, queues keys in a workqueue, and reconciles one key at a time.
 * A lab adds a student's controller by adding a row.
 */
#ifndef KUBELAB_CONTROLLER_H
#define KUBELAB_CONTROLLER_H

#include "client.h"

struct controller_ops {
	const char *name;		/* "replicaset-controller" */
	/* Starts watching; returns the controller's state (never NULL). The
	 * client is borrowed and outlives the controller. */
	void *(*start)(const struct client *client);
	void (*stop)(void *state);	/* frees the state */
};

/* K8S: the kube-controller-manager flags a scenario may set
 * (spec.settings); a client without settings gets the defaults. */
struct controller_settings {
	/* --terminated-pod-gc-threshold: terminated pods the pod GC keeps;
	 * 0 turns that pass off. Default DEFAULT_TERMINATED_POD_GC_THRESHOLD. */
	int32_t terminated_pod_gc_threshold;
};

/* The built-in controllers, in start order; ends with a NULL name. */
extern const struct controller_ops controller_table[];
const struct controller_ops *controller_find(const char *name);

/* Each controller file exports its row. */
extern const struct controller_ops replicaset_controller;
extern const struct controller_ops deployment_controller;
extern const struct controller_ops statefulset_controller;
extern const struct controller_ops daemonset_controller;
extern const struct controller_ops job_controller;
extern const struct controller_ops cronjob_controller;
extern const struct controller_ops ttl_after_finished_controller;
extern const struct controller_ops node_lifecycle_controller;
extern const struct controller_ops taint_eviction_controller;
extern const struct controller_ops endpoints_controller;
extern const struct controller_ops endpointslice_controller;
extern const struct controller_ops disruption_controller;
extern const struct controller_ops horizontal_pod_autoscaler_controller;
extern const struct controller_ops pod_gc_controller;
extern const struct controller_ops persistentvolume_controller;
extern const struct controller_ops attach_detach_controller;
extern const struct controller_ops garbage_collector_controller;

#endif
