/* kubelet_admit.c - node-side admission: does the pod fit this node?
 *
 * K8S: pkg/kubelet/lifecycle/predicate.go (predicateAdmitHandler.Admit and
 * InsufficientResourceError), the scheduler's noderesources.Fits it reuses,
 * and component-helpers/resource PodRequests.
 *
 * The scheduler already checked that the pod fits, so why check again?
 * Because the scheduler works from a cache that may be stale, and because
 * a pod may reach the node without the scheduler at all (spec.nodeName set
 * by hand). The kubelet has the last word: before starting anything it
 * adds up what the pods it already admitted request and rejects a pod
 * that does not fit in the node's allocatable. A rejected pod goes
 * straight to phase Failed with reason OutOfcpu (OutOfmemory, OutOfpods,
 * OutOfephemeral-storage) and a message such as
 *   Pod was rejected: Node didn't have enough resource: cpu, requested:
 *   3000, used: 2000, capacity: 4000
 * where cpu is in millicores and memory and storage in bytes.
 *
 * Checks, in upstream's order, the first failure winning: the pod count
 * (only when the node's allocatable lists "pods"; a node without it is not
 * limited), then cpu, memory and ephemeral-storage, each only when the pod
 * requests some. Extended resources (nvidia.com/gpu) are not checked here.
 * Last, the host ports: a pod whose hostPort clashes with one of an
 * admitted pod (same rule as the scheduler's NodePorts) is rejected with
 * reason NodePorts and message "Predicate NodePorts failed: node(s)
 * didn't have free ports for the requested pod ports".
 *
 * The running total (kubelet->used_*) covers every admitted pod that is
 * not yet terminal, as upstream's filterOutInactivePods: a Succeeded pod
 * still in the API no longer holds its requests.
 */
#include "kubelet_sim.h"

#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

struct requests {
	int64_t milli_cpu, memory, ephemeral;
};

static void requests_of(const struct resource_list *list, struct requests *out)
{
	const struct quantity *q;
	*out = (struct requests){0};
	if ((q = resource_list_get(list, "cpu")))
		out->milli_cpu = quantity_milli_value(q);
	if ((q = resource_list_get(list, "memory")))
		out->memory = quantity_value(q);
	if ((q = resource_list_get(list, "ephemeral-storage")))
		out->ephemeral = quantity_value(q);
}

static void requests_add(struct requests *sum, const struct requests *r)
{
	sum->milli_cpu += r->milli_cpu;
	sum->memory += r->memory;
	sum->ephemeral += r->ephemeral;
}

static void requests_max(struct requests *max, const struct requests *r)
{
	if (r->milli_cpu > max->milli_cpu)
		max->milli_cpu = r->milli_cpu;
	if (r->memory > max->memory)
		max->memory = r->memory;
	if (r->ephemeral > max->ephemeral)
		max->ephemeral = r->ephemeral;
}

/* K8S: resource.PodRequests. Regular containers run together, so their
 * requests add up; init containers run one at a time before them, so the
 * pod needs the largest of them. Sidecars (restartable init containers)
 * keep running, so each counts towards every later init container and
 * towards the regular containers. Pod overhead comes on top. */
static void pod_requests(const struct pod_spec *spec, struct requests *out)
{
	struct requests regular = {0}, init_max = {0}, sidecars = {0}, r;
	for (size_t i = 0; i < spec->containers.len; i++) {
		requests_of(&spec->containers.items[i].resources.requests, &r);
		requests_add(&regular, &r);
	}
	for (size_t i = 0; i < spec->init_containers.len; i++) {
		const struct container *c = &spec->init_containers.items[i];
		requests_of(&c->resources.requests, &r);
		if (c->restart_policy && !strcmp(c->restart_policy, "Always")) {
			requests_add(&sidecars, &r);
			r = sidecars;
		} else {
			requests_add(&r, &sidecars);
		}
		requests_max(&init_max, &r);
	}
	requests_add(&regular, &sidecars);
	requests_max(&regular, &init_max);
	requests_of(&spec->overhead, &r);
	requests_add(&regular, &r);
	*out = regular;
}

static int64_t allocatable_of(const struct kubelet *kubelet, const char *name,
			      bool milli, bool *present)
{
	const struct node_status *st = &kubelet->node->status;
	const struct resource_list *list = st->allocatable.len ? &st->allocatable
							       : &st->capacity;
	const struct quantity *q = resource_list_get(list, name);
	if (present)
		*present = q != NULL;
	if (!q)
		return 0;
	return milli ? quantity_milli_value(q) : quantity_value(q);
}

/* K8S: InsufficientResourceError.Error and the OutOf<resource> reasons. */
static bool reject(const char *resource, int64_t requested, int64_t used,
		   int64_t capacity, char **reason, char **message)
{
	*reason = xasprintf("OutOf%s", resource);
	*message = xasprintf("Node didn't have enough resource: %s, requested: %lld, used: %lld, capacity: %lld",
			     resource, (long long)requested, (long long)used,
			     (long long)capacity);
	return false;
}

/* K8S: nodeports.Fits against the pods admitted so far. O(admitted pods)
 * only for a pod that asks for host ports; nothing otherwise. */
static bool host_ports_taken(const struct kubelet *kubelet,
			     const struct kubelet_worker *worker)
{
	const struct container_port *want[16], *have[16];
	size_t n = sched_pod_host_ports(worker->pod, want, 16);
	if (n > 16)
		n = 16;		/* more host ports than that: the rest unchecked */
	if (n == 0)
		return false;
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);) {
		const struct kubelet_worker *other = value;
		if (other == worker || !other->counted)
			continue;
		size_t m = sched_pod_host_ports(other->pod, have, 16);
		if (m > 16)
			m = 16;
		for (size_t i = 0; i < m; i++)
			for (size_t k = 0; k < n; k++)
				if (sched_host_port_clash(have[i], want[k]))
					return true;
	}
	return false;
}

bool kubelet_admit(struct kubelet *kubelet, struct kubelet_worker *worker,
		   char **reason, char **message)
{
	struct requests want;
	pod_requests(&worker->pod->spec, &want);
	worker->req_milli_cpu = want.milli_cpu;
	worker->req_memory = want.memory;
	worker->req_ephemeral = want.ephemeral;

	bool limited;
	int64_t pods = allocatable_of(kubelet, "pods", false, &limited);
	if (limited && kubelet->used_pods + 1 > pods)
		return reject("pods", 1, kubelet->used_pods, pods, reason, message);
	int64_t cpu = allocatable_of(kubelet, "cpu", true, NULL);
	if (want.milli_cpu > 0 && want.milli_cpu > cpu - kubelet->used_milli_cpu)
		return reject("cpu", want.milli_cpu, kubelet->used_milli_cpu, cpu,
			      reason, message);
	int64_t memory = allocatable_of(kubelet, "memory", false, NULL);
	if (want.memory > 0 && want.memory > memory - kubelet->used_memory)
		return reject("memory", want.memory, kubelet->used_memory, memory,
			      reason, message);
	int64_t ephemeral = allocatable_of(kubelet, "ephemeral-storage", false, NULL);
	if (want.ephemeral > 0 && want.ephemeral > ephemeral - kubelet->used_ephemeral)
		return reject("ephemeral-storage", want.ephemeral, kubelet->used_ephemeral,
			      ephemeral, reason, message);
	if (host_ports_taken(kubelet, worker)) {
		/* K8S: PredicateFailureError{nodeports.Name, ErrReason} */
		*reason = xstrdup("NodePorts");
		*message = xstrdup("Predicate NodePorts failed: node(s) didn't have free "
				   "ports for the requested pod ports");
		return false;
	}
	return true;
}

void kubelet_admit_count(struct kubelet *kubelet, struct kubelet_worker *worker,
			 int sign)
{
	BUG_ON(worker->counted == (sign > 0));
	kubelet->used_milli_cpu += sign * worker->req_milli_cpu;
	kubelet->used_memory += sign * worker->req_memory;
	kubelet->used_ephemeral += sign * worker->req_ephemeral;
	kubelet->used_pods += sign;
	worker->counted = sign > 0;
}
