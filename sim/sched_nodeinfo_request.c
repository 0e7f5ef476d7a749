/* sched_nodeinfo_request.c - what a pod requests, as the scheduler
 * counts it, and the memo of the last frozen pod's request.
 *
 * K8S: resource.PodRequests and AggregateContainerRequests
 * (k8s.io/component-helpers/resource), as the scheduler's NodeInfo
 * counts a pod (pkg/scheduler/framework/types.go), with and without the
 * non-zero floor.
 *
 * A pod's request is what booking it adds to a node and what Fit
 * compares with a node's room: per resource, the sum of its app
 * containers (sidecars included), or the largest moment of its init
 * containers if that is more, plus the pod's overhead. cpu is counted in
 * millicores, everything else in whole units.
 *
 * Interface: sched_nodeinfo.h (sched_pod_request_compute,
 * sched_pod_request_release). Invariant: cache->request_memo is the
 * request of cache->request_memo_pod (a reference, frozen), and a pod
 * whose request lists are the same memory gets a copy of it.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

/* Quantities as the scheduler counts them: cpu in millicores, everything
 * else in whole units (K8S: Resource.Add uses MilliValue / Value). */
static int64_t amount(const struct quantity *q, bool milli)
{
	return milli ? quantity_milli_value(q) : quantity_value(q);
}

/* One container's request for a resource; dflt > 0 applies when the
 * container does not name the resource at all (an explicit 0 stays 0). */
static int64_t container_request(const struct container *c, const char *name,
				 bool milli, int64_t dflt)
{
	const struct quantity *q = resource_list_get(&c->resources.requests, name);
	if (!q)
		return dflt;
	return amount(q, milli);
}

/* K8S: resource.AggregateContainerRequests for one resource, then
 * PodRequests' overhead. App containers run together: sum. Init
 * containers run one by one, each next to the sidecars started before it:
 * the pod needs the largest of those moments. */
static int64_t pod_request_for(const struct pod *pod, const char *name,
			       bool milli, int64_t dflt)
{
	const struct pod_spec *spec = &pod->spec;
	int64_t total = 0;
	for (size_t i = 0; i < spec->containers.len; i++)
		total += container_request(&spec->containers.items[i], name, milli, dflt);
	int64_t sidecars = 0, init_peak = 0;
	for (size_t i = 0; i < spec->init_containers.len; i++) {
		const struct container *c = &spec->init_containers.items[i];
		int64_t v = container_request(c, name, milli, dflt);
		int64_t use;
		if (c->restart_policy && !strcmp(c->restart_policy, "Always")) {
			total += v;		/* a sidecar keeps running */
			sidecars += v;
			use = sidecars;
		} else {
			use = v + sidecars;
		}
		if (use > init_peak)
			init_peak = use;
	}
	if (init_peak > total)		/* LAB: sched-pod-request */
		total = init_peak;
	const struct quantity *overhead = resource_list_get(&spec->overhead, name);
	if (overhead)
		total += amount(overhead, milli);
	return total;
}

/* Collects the distinct scalar resource names in list into names[]. */
static void collect_scalars(const struct resource_list *list, const char ***names,
			    size_t *len, size_t *cap)
{
	for (size_t i = 0; i < list->len; i++) {
		const char *name = list->items[i].name;
		if (!sched_is_scalar_resource(name))
			continue;
		size_t k = 0;
		while (k < *len && strcmp((*names)[k], name))
			k++;
		if (k < *len)
			continue;
		xgrow((void **)names, cap, *len + 1, sizeof(**names));
		(*names)[(*len)++] = name;
	}
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void request_compute(struct sched_cache *cache, const struct pod *pod,
			    struct sched_pod_request *out)
{
	memset(out, 0, sizeof(*out));
	out->milli_cpu = pod_request_for(pod, "cpu", true, 0);
	out->memory = pod_request_for(pod, "memory", false, 0);
	out->ephemeral_storage = pod_request_for(pod, "ephemeral-storage", false, 0);
	/* LAB: sched-nonzero */
	out->non_zero_milli_cpu = pod_request_for(pod, "cpu", true,
						  SCHED_DEFAULT_MILLI_CPU_REQUEST);
	out->non_zero_memory = pod_request_for(pod, "memory", false,
					       SCHED_DEFAULT_MEMORY_REQUEST);

	const struct pod_spec *spec = &pod->spec;
	const char **names = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; i < spec->containers.len; i++)
		collect_scalars(&spec->containers.items[i].resources.requests,
				&names, &len, &cap);
	for (size_t i = 0; i < spec->init_containers.len; i++)
		collect_scalars(&spec->init_containers.items[i].resources.requests,
				&names, &len, &cap);
	collect_scalars(&spec->overhead, &names, &len, &cap);
	if (!len)
		return;
	qsort(names, len, sizeof(*names), compare_names);
	out->scalars = xcalloc(len, sizeof(*out->scalars));
	for (size_t i = 0; i < len; i++) {
		int64_t v = pod_request_for(pod, names[i], false, 0);
		if (v == 0)		/* upstream skips zero requests */
			continue;
		out->scalars[out->scalars_len].id = sched_cache_scalar_id(cache, names[i]);
		out->scalars[out->scalars_len].value = v;
		out->scalars_len++;
	}
	free(names);
}

/* Whether b's request is a's: the lists it is computed from are the same
 * memory. Sound while a is referenced and frozen (its lists cannot be
 * freed, reused or edited): the bound version of a pod shares them. */
static bool same_request_lists(const struct pod *a, const struct pod *b)
{
	const struct pod_spec *x = &a->spec, *y = &b->spec;
	return x->containers.items == y->containers.items &&
		x->containers.len == y->containers.len &&
		x->init_containers.items == y->init_containers.items &&
		x->init_containers.len == y->init_containers.len &&
		x->overhead.items == y->overhead.items &&
		x->overhead.len == y->overhead.len;
}

void sched_pod_request_compute(struct sched_cache *cache, const struct pod *pod,
			       struct sched_pod_request *out)
{
	if (!pod->obj.body_block) {	/* loose: may still be edited */
		request_compute(cache, pod, out);
		return;
	}
	const struct pod *memo = cache->request_memo_pod;
	if (!memo || !same_request_lists(memo, pod)) {
		sched_pod_request_release(&cache->request_memo);
		request_compute(cache, pod, &cache->request_memo);
		cache->request_memo_pod = (const struct pod *)object_ref(&pod->obj);
		object_unref((struct object *)memo);
	}
	*out = cache->request_memo;
	out->scalars = NULL;
	if (out->scalars_len) {
		size_t size = out->scalars_len * sizeof(*out->scalars);
		out->scalars = xmalloc(size);
		memcpy(out->scalars, cache->request_memo.scalars, size);
	}
}

void sched_pod_request_release(struct sched_pod_request *request)
{
	free(request->scalars);
	memset(request, 0, sizeof(*request));
}
