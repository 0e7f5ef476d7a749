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
 * in one instant, the workload controllers have reacted to a change
 * before it collects what the change orphaned.
 *
 * To add a controller (a lab's student controller), add its row here and
 * its extern to controller.h.
 */
#include "controller.h"

#include <string.h>

const struct controller_ops controller_table[] = {
	/* K8S: "replicaset-controller" */
	{ "replicaset-controller", NULL, NULL },
	/* K8S: "deployment-controller" */
	{ "deployment-controller", NULL, NULL },
	/* K8S: "node-lifecycle-controller" */
	{ "node-lifecycle-controller", NULL, NULL },
	/* K8S: "taint-eviction-controller" */
	{ "taint-eviction-controller", NULL, NULL },
	/* K8S: "garbage-collector-controller" */
	{ "garbage-collector-controller", NULL, NULL },
	{ NULL, NULL, NULL },
};

const struct controller_ops *controller_find(const char *name)
{
	for (const struct controller_ops *ops = controller_table; ops->name; ops++)
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}
