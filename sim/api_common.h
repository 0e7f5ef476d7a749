/* api_common.h - types shared by several kinds: selectors, conditions,
 * references, templates, optional integers.
 *
 * K8S: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go and the
 * shared parts of k8s.io/api.
 */
#ifndef KUBELAB_API_COMMON_H
#define KUBELAB_API_COMMON_H

#include "object.h"

/* K8S: metav1.LabelSelectorRequirement (operator In, NotIn, Exists,
 * DoesNotExist) and, for node selectors, v1.NodeSelectorRequirement (also
 * Gt, Lt). */
struct selector_requirement_spec {
	char *key;
	char *operator;
	LIST_OF(char *) values;
};

/* K8S: metav1.LabelSelector. An empty selector matches everything. */
struct label_selector {
	struct strmap match_labels;
	LIST_OF(struct selector_requirement_spec) match_expressions;
};

/* The union of the condition types of all kinds (PodCondition,
 * NodeCondition, DeploymentCondition, JobCondition ...). */
struct condition {
	char *type;			/* "Ready", "Available", "Complete" */
	char *status;			/* "True", "False", "Unknown" */
	char *reason;
	char *message;
	ktime_t last_probe_time;
	ktime_t last_heartbeat_time;
	ktime_t last_update_time;
	ktime_t last_transition_time;
};

/* K8S: v1.ObjectReference */
struct object_reference {
	char *api_version;
	char *kind;
	char *namespace;
	char *name;
	char *uid;
	char *field_path;
};

extern const struct schema label_selector_schema;
extern const struct schema selector_requirement_spec_schema;
extern const struct schema condition_schema;
extern const struct schema object_reference_schema;

/* Builds a matcher from the API form; see selector.h. -1 with err when the
 * selector is invalid (unknown operator, values where none are allowed). */
struct selector;
int label_selector_compile(const struct label_selector *spec,
			   struct selector *out, struct err **err);

/* The condition of that type, or NULL. */
struct condition *condition_find(void *conditions_list, const char *type);

#endif
