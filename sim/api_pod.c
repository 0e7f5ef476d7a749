/* api_pod.c - the schema of the Pod and of everything inside a PodSpec.
 *
 * K8S: staging/src/k8s.io/api/core/v1/types.go (Pod, PodSpec, Container,
 * Probe, Affinity, Toleration, Volume, PodStatus); defaults from
 * pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Container,
 * SetDefaults_Probe, SetDefaults_HTTPGetAction, SetDefaults_Pod) and the
 * +default tags of types.go (ContainerPort.protocol).
 *
 * These tables are the list of Pod fields kubelab models: a manifest using
 * any other field is refused by decode.c as an unknown field. Fields are in
 * upstream's struct order, which is the order `-o json` prints them in.
 *
 * Defaulting happens in two layers, as upstream's does:
 *   - the tables' .dflt (restartPolicy Always, terminationGracePeriodSeconds
 *     30, probe periods ...) for any PodSpec, in a Pod or in a template;
 *   - pod_spec_set_defaults() for what depends on other fields (a
 *     container's imagePullPolicy depends on its image's tag), also for any
 *     PodSpec; and pod_set_defaults() for what upstream defaults only on a
 *     Pod, never on a template (requests copied from limits, host ports
 *     under hostNetwork).
 *
 * This file holds the PodSpec, the PodTemplateSpec, the Pod, the
 * defaulting functions and the kind; the parts of a pod have files of their
 * own: api_pod_container.c (Container, probes, hooks), api_pod_scheduling.c
 * (tolerations, affinity, topology spread), api_pod_volume.c (volumes) and
 * api_pod_status.c (PodStatus); api_pod_internal.h declares their tables.
 */
#include "api_pod.h"
#include "api_pod_internal.h"
#include "xmalloc.h"

#include <string.h>

/* K8S: SetDefaults_PodSpec + SetDefaults_Container for the hook-only part.
 * Used by every kind that embeds a pod template (api_workloads.c,
 * api_batch.c); not in api_pod.h yet, hence the local prototypes. */

/* ---- enumerations ---- */

static const char *const pod_restart_policies[] = { "Always", "OnFailure", "Never", NULL };
static const char *const dns_policies[] = {
	"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", NULL
};
static const char *const preemption_policies[] = { "PreemptLowerPriority", "Never", NULL };

/* ---- the pod spec ---- */

static const struct field pod_spec_fields[] = {
	{ "volumes", FIELD_LIST, .offset = offsetof(struct pod_spec, volumes),
	  .schema = &volume_schema, .elem = FIELD_STRUCT },
	/* Every replica of a template has the same containers (and the same
	 * tolerations): frozen pods share one copy (FIELD_SHARE). */
	{ "initContainers", FIELD_LIST, .offset = offsetof(struct pod_spec, init_containers),
	  .flags = FIELD_SHARE, .schema = &container_schema, .elem = FIELD_STRUCT },
	{ "containers", FIELD_LIST, .offset = offsetof(struct pod_spec, containers),
	  .flags = FIELD_REQUIRED | FIELD_SHARE, .schema = &container_schema,
	  .elem = FIELD_STRUCT },
	{ "restartPolicy", FIELD_STRING, .offset = offsetof(struct pod_spec, restart_policy),
	  .dflt = "Always", .allowed = pod_restart_policies },
	/* A *int64 upstream: 0 (kill at once) is printed, not omitted. */
	{ "terminationGracePeriodSeconds", FIELD_INT64,
	  .offset = offsetof(struct pod_spec, termination_grace_period_seconds),
	  .flags = FIELD_KEEP_ZERO, .dflt = "30" },
	{ "activeDeadlineSeconds", FIELD_OPT_INT64,
	  .offset = offsetof(struct pod_spec, active_deadline_seconds) },
	{ "dnsPolicy", FIELD_STRING, .offset = offsetof(struct pod_spec, dns_policy),
	  .dflt = "ClusterFirst", .allowed = dns_policies },
	{ "nodeSelector", FIELD_STRMAP, .offset = offsetof(struct pod_spec, node_selector) },
	{ "serviceAccountName", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, service_account_name) },
	{ "nodeName", FIELD_STRING, .offset = offsetof(struct pod_spec, node_name),
	  .flags = FIELD_INTERN },
	{ "hostNetwork", FIELD_BOOL, .offset = offsetof(struct pod_spec, host_network) },
	{ "hostname", FIELD_STRING, .offset = offsetof(struct pod_spec, hostname) },
	{ "subdomain", FIELD_STRING, .offset = offsetof(struct pod_spec, subdomain) },
	{ "affinity", FIELD_STRUCT, .offset = offsetof(struct pod_spec, affinity),
	  .schema = &affinity_schema },
	{ "schedulerName", FIELD_STRING, .offset = offsetof(struct pod_spec, scheduler_name),
	  .dflt = "default-scheduler" },
	{ "tolerations", FIELD_LIST, .offset = offsetof(struct pod_spec, tolerations),
	  .flags = FIELD_SHARE, .schema = &toleration_schema, .elem = FIELD_STRUCT },
	{ "priorityClassName", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, priority_class_name) },
	/* Filled from the PriorityClass by admission, not by defaulting. */
	{ "priority", FIELD_OPT_INT64, .offset = offsetof(struct pod_spec, priority) },
	{ "preemptionPolicy", FIELD_STRING,
	  .offset = offsetof(struct pod_spec, preemption_policy),
	  .allowed = preemption_policies },
	{ "overhead", FIELD_RESOURCES, .offset = offsetof(struct pod_spec, overhead) },
	{ "topologySpreadConstraints", FIELD_LIST,
	  .offset = offsetof(struct pod_spec, topology_spread_constraints),
	  .schema = &topology_spread_constraint_schema, .elem = FIELD_STRUCT },
};
const struct schema pod_spec_schema = {
	"PodSpec", sizeof(struct pod_spec), FIELDS(pod_spec_fields)
};

static const struct field pod_template_spec_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct pod_template_spec, metadata),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct pod_template_spec, spec),
	  .schema = &pod_spec_schema },
};
const struct schema pod_template_spec_schema = {
	"PodTemplateSpec", sizeof(struct pod_template_spec), FIELDS(pod_template_spec_fields)
};


static const struct field pod_fields[] = {
	{ "metadata", FIELD_STRUCT, .offset = offsetof(struct pod, obj.meta),
	  .schema = &object_meta_schema },
	{ "spec", FIELD_STRUCT, .offset = offsetof(struct pod, spec),
	  .schema = &pod_spec_schema },
	{ "status", FIELD_STRUCT, .offset = offsetof(struct pod, status),
	  .schema = &pod_status_schema },
};
static const struct schema pod_schema = { "Pod", sizeof(struct pod), FIELDS(pod_fields) };

/* ---- defaults the tables cannot express ---- */

/* K8S: SetDefaults_Container via parsers.ParseImageName: Always when the
 * tag is "latest" or when there is neither tag nor digest (the tag is then
 * latest implicitly); IfNotPresent otherwise. A tag is a ':' after the last
 * '/', so the port in "registry:5000/web" is not one. */
static const char *default_pull_policy(const char *image)
{
	if (!image || !*image)
		return "IfNotPresent";	/* unparsable: upstream sees no tag */
	const char *slash = strrchr(image, '/');
	const char *name = slash ? slash + 1 : image;
	const char *at = strchr(name, '@');
	const char *colon = strchr(name, ':');
	if (colon && at && colon > at)
		colon = NULL;		/* a ':' inside the digest */
	if (!colon)
		return at ? "IfNotPresent" : "Always";
	size_t tag_len = at ? (size_t)(at - colon - 1) : strlen(colon + 1);
	return tag_len == 6 && !strncmp(colon + 1, "latest", 6) ? "Always" : "IfNotPresent";
}

/* K8S: SetDefaults_ResourceList rounds every amount up (away from zero) to
 * a whole milli-unit: "0.1m" of cpu becomes "1m". */
static void resources_round_up_to_milli(struct resource_list *list)
{
	const __int128 milli = 1000000;	/* nano-units in a milli-unit */
	for (size_t i = 0; i < list->len; i++) {
		struct quantity *q = &list->items[i].quantity;
		__int128 rest = q->nanos % milli;
		if (rest > 0)
			q->nanos += milli - rest;
		else if (rest < 0)
			q->nanos -= milli + rest;
	}
}

static void containers_set_defaults(struct container *items, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		struct container *c = &items[i];
		if (!c->image_pull_policy)
			c->image_pull_policy = xstrdup(default_pull_policy(c->image));
		resources_round_up_to_milli(&c->resources.limits);
		resources_round_up_to_milli(&c->resources.requests);
	}
}

void pod_spec_set_defaults(struct pod_spec *spec)
{
	containers_set_defaults(spec->init_containers.items, spec->init_containers.len);
	containers_set_defaults(spec->containers.items, spec->containers.len);
	resources_round_up_to_milli(&spec->overhead);
}

/* K8S: SetDefaults_Pod: only on a Pod, so that a Deployment's template does
 * not change when the defaulting does. */
static void pod_containers_set_defaults(struct container *items, size_t len,
					bool host_network)
{
	for (size_t i = 0; i < len; i++) {
		struct resource_requirements *r = &items[i].resources;
		/* A limit without a request requests the limit: such a pod is
		 * Guaranteed when every container has limits only. */
		for (size_t j = 0; j < r->limits.len; j++)
			if (!resource_list_get(&r->requests, r->limits.items[j].name))
				resource_list_set(&r->requests, r->limits.items[j].name,
						  &r->limits.items[j].quantity);
		/* With the host's network, a container port is a host port. */
		for (size_t j = 0; host_network && j < items[i].ports.len; j++)
			if (!items[i].ports.items[j].host_port)
				items[i].ports.items[j].host_port =
					items[i].ports.items[j].container_port;
	}
}

static void pod_set_defaults(struct object *obj)
{
	struct pod *pod = object_as(obj, KIND_POD, struct pod);
	pod_spec_set_defaults(&pod->spec);
	pod_containers_set_defaults(pod->spec.containers.items, pod->spec.containers.len,
				    pod->spec.host_network);
	pod_containers_set_defaults(pod->spec.init_containers.items,
				    pod->spec.init_containers.len, pod->spec.host_network);
}

const struct kind_info pod_kind = {
	.id = KIND_POD,
	.kind = "Pod",
	.api_version = "v1",
	.resource = "pods",
	.singular = "pod",
	.short_names = "po",
	.namespaced = true,
	.has_status = true,
	.size = sizeof(struct pod),
	.schema = &pod_schema,
	.spec_offset = offsetof(struct pod, spec),
	.spec_schema = &pod_spec_schema,
	.status_offset = offsetof(struct pod, status),
	.status_schema = &pod_status_schema,
	.set_defaults = pod_set_defaults,
};
