/* kubelet_eviction.c - the eviction manager: node memory pressure.
 *
 * K8S: pkg/kubelet/eviction/eviction_manager.go (synchronize, evictPod,
 * waitForPodsCleanup), eviction/helpers.go (rankMemoryPressure:
 * exceedMemoryRequests, priority, memory; evictionMessage; the node
 * conditions and their transition period) and the kubelet's defaults
 * (evictionHard memory.available<100Mi, evictionPressureTransitionPeriod
 * 5m).
 *
 * When a node runs short of memory the kernel's OOM killer would pick a
 * victim by its own rules; the kubelet tries to act first. Every 10s
 * (monitoringInterval) its eviction manager observes the signal
 * memory.available: here the node's memory capacity minus the working
 * set of every running container, which the image behaviour declares
 * (memory, or memoryGrowsTo once memoryGrowsAfter passed since the
 * start). Under the hard threshold 100Mi it:
 *   1. reports the node condition MemoryPressure True (kubelet_node.c
 *      writes it at the next status update; the node lifecycle controller
 *      then taints the node node.kubernetes.io/memory-pressure:NoSchedule),
 *      and keeps it True until the threshold has not been met for the
 *      pressure transition period (5m);
 *   2. records Warning EvictionThresholdMet "Attempting to reclaim memory"
 *      on the node;
 *   3. ranks the active pods as rankMemoryPressure does: pods whose usage
 *      exceeds their memory request first, then lower priority first,
 *      then the larger usage above the request first (kubelab breaks the
 *      remaining ties by namespace and name; upstream's sort leaves them
 *      unspecified). A BestEffort pod requests nothing, so any usage
 *      exceeds it: BestEffort pods go first in effect, though QoS class is
 *      not itself a key;
 *   4. evicts one pod, the first that is not critical (priority at least
 *      system-cluster-critical's 2000000000): a Warning Evicted Event and
 *      the pod's status phase Failed, reason Evicted, with upstream's
 *      message ("The node was low on resource: memory. Threshold
 *      quantity: 100Mi, available: 48Mi. Container cache was using 300Mi,
 *      request is 0, has larger consumption of memory. ") and the
 *      condition DisruptionTarget (TerminationByKubelet); its containers
 *      are stopped with a 1s grace period (immediateEvictionGracePeriodSeconds;
 *      killContainer's 2s minimum applies). The pod is not deleted: a
 *      controller that owns it sees it Failed and replaces it.
 * After an eviction the manager waits for the pod's containers to stop,
 * then runs again at the next cleanup poll (1s), not 10s later.
 *
 * Not modelled: other signals (nodefs, imagefs, pid), soft thresholds,
 * minimum reclaim, system daemons' memory, the allocatable signal, and
 * admission's rejection of BestEffort pods under memory pressure.
 *
 * Cost: a pass is O(pods on the node). A kubelet whose image catalogue
 * declares no working set at all never arms the timer, so a large
 * cluster of memory-less images pays nothing.
 */
#include "kubelet_sim.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* K8S: eviction_manager.go monitoringInterval. */
#define EVICTION_MONITORING_INTERVAL (10 * KTIME_SECOND)
/* K8S: podCleanupPollFreq and podCleanupTimeout. */
#define EVICTION_CLEANUP_POLL (1 * KTIME_SECOND)
#define EVICTION_CLEANUP_TIMEOUT (30 * KTIME_SECOND)
/* K8S: the kubelet's default evictionHard memory.available<100Mi. */
#define EVICTION_HARD_MEMORY_AVAILABLE (100LL * 1024 * 1024)
#define EVICTION_HARD_MEMORY_TEXT "100Mi"
/* K8S: evictionPressureTransitionPeriod default. */
#define EVICTION_PRESSURE_TRANSITION_PERIOD (5 * KTIME_MINUTE)
/* K8S: immediateEvictionGracePeriodSeconds. */
#define EVICTION_GRACE_SECONDS 1
/* K8S: scheduling.SystemCriticalPriority: IsCriticalPod. */
#define SYSTEM_CRITICAL_PRIORITY 2000000000LL

static void eviction_pass(void *arg);

static void arm(struct kubelet *kubelet, ktime_t after)
{
	const struct clock *clock = &kubelet->client->clock;
	if (kubelet->eviction_timer)
		clock_cancel(clock, kubelet->eviction_timer);
	kubelet->eviction_timer = clock_after(clock, after, eviction_pass, kubelet);
}

static bool image_uses_memory(const struct image_behavior *image)
{
	return !quantity_is_zero(&image->memory) || !quantity_is_zero(&image->memory_grows_to);
}

void kubelet_eviction_start(struct kubelet *kubelet)
{
	kubelet->memory_model = false;
	for (size_t i = 0; i < kubelet->images_len; i++)
		kubelet->memory_model |= image_uses_memory(&kubelet->images[i]);
	if (kubelet->memory_model)
		arm(kubelet, 0);
}

void kubelet_eviction_stop(struct kubelet *kubelet)
{
	if (kubelet->eviction_timer)
		clock_cancel(&kubelet->client->clock, kubelet->eviction_timer);
	kubelet->eviction_timer = 0;
	kubelet->awaiting_cleanup = false;
}

bool kubelet_eviction_memory_pressure(const struct kubelet *kubelet)
{
	return kubelet->memory_pressure;
}

/* The evicted pod's containers stopped: waitForPodsCleanup sees it at its
 * next poll and the manager synchronizes again. */
void kubelet_eviction_pod_stopped(struct kubelet *kubelet)
{
	if (!kubelet->awaiting_cleanup || !kubelet->up)
		return;
	kubelet->awaiting_cleanup = false;
	arm(kubelet, EVICTION_CLEANUP_POLL);
}

/* ---- usage --------------------------------------------------------------- */

/* The working set of a container (bytes): what its image says while it
 * runs, nothing once it stopped. */
static int64_t ctr_working_set(const struct kubelet_ctr *ctr, ktime_t now)
{
	const struct image_behavior *image = ctr->image;
	if (ctr->phase != CTR_RUNNING)
		return 0;
	if (image->memory_grows_after > 0 && !quantity_is_zero(&image->memory_grows_to) &&
	    now - ctr->started_at >= image->memory_grows_after)
		return quantity_value(&image->memory_grows_to);
	return quantity_value(&image->memory);
}

static int64_t worker_working_set(const struct kubelet_worker *worker, ktime_t now)
{
	int64_t sum = 0;
	for (size_t i = 0; i < worker->len; i++)
		sum += ctr_working_set(&worker->ctrs[i], now);
	return sum;
}

static int64_t node_memory_capacity(const struct kubelet *kubelet)
{
	const struct quantity *q = resource_list_get(&kubelet->node->status.capacity, "memory");
	return q ? quantity_value(q) : 0;
}

/* ---- ranking (K8S: rankMemoryPressure) ----------------------------------- */

struct candidate {
	struct kubelet_worker *worker;
	int64_t usage, request, priority;
};

static int compare_candidates(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	bool x_exceeds = x->usage > x->request, y_exceeds = y->usage > y->request;
	if (x_exceeds != y_exceeds)
		return x_exceeds ? -1 : 1;		/* exceedMemoryRequests */
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;	/* priority */
	int64_t x_above = x->usage - x->request, y_above = y->usage - y->request;
	if (x_above != y_above)
		return x_above > y_above ? -1 : 1;	/* memory */
	const struct object *xo = &x->worker->pod->obj, *yo = &y->worker->pod->obj;
	int c = strcmp(xo->meta.namespace, yo->meta.namespace);
	return c ? c : strcmp(xo->meta.name, yo->meta.name);
}

static char *quantity_text(int64_t bytes, char *buf)
{
	struct quantity q = quantity_from_int(bytes, QUANTITY_BINARY_SI);
	quantity_format(&q, buf, QUANTITY_STR_MAX);
	return buf;
}

/* K8S: evictionMessage. Caller frees. */
static char *eviction_message(const struct kubelet_worker *worker, int64_t available,
			      ktime_t now)
{
	char avail[QUANTITY_STR_MAX];
	char *message = xasprintf("The node was low on resource: memory. Threshold quantity: %s, available: %s. ",
				  EVICTION_HARD_MEMORY_TEXT, quantity_text(available, avail));
	for (size_t i = worker->init_len; i < worker->len; i++) {
		const struct kubelet_ctr *ctr = &worker->ctrs[i];
		const struct quantity *req = resource_list_get(&ctr->spec->resources.requests,
							       "memory");
		int64_t usage = ctr_working_set(ctr, now);
		if (usage <= (req ? quantity_value(req) : 0))
			continue;
		char used[QUANTITY_STR_MAX], requested[QUANTITY_STR_MAX] = "0";
		if (req)
			quantity_format(req, requested, sizeof(requested));
		char *next = xasprintf("%sContainer %s was using %s, request is %s, has larger consumption of memory. ",
				       message, ctr->spec->name, quantity_text(usage, used),
				       requested);
		free(message);
		message = next;
	}
	return message;
}

/* ---- the pass (K8S: synchronize) ----------------------------------------- */

static void pressure_observe(struct kubelet *kubelet, bool met, ktime_t now)
{
	bool pressure = kubelet->memory_pressure;
	if (met) {
		kubelet->pressure_observed = now;
		pressure = true;
	} else if (pressure && now - kubelet->pressure_observed >= EVICTION_PRESSURE_TRANSITION_PERIOD) {
		pressure = false;
	}
	if (pressure != kubelet->memory_pressure) {
		kubelet->memory_pressure = pressure;
		kubelet->pressure_changed = true;
	}
}

/* Evicts the first pod of the ranking that may be evicted; true if one was. */
static bool evict_one(struct kubelet *kubelet, struct candidate *cands, size_t n,
		      int64_t available, ktime_t now)
{
	qsort(cands, n, sizeof(*cands), compare_candidates);
	for (size_t i = 0; i < n; i++) {
		struct kubelet_worker *worker = cands[i].worker;
		if (cands[i].priority >= SYSTEM_CRITICAL_PRIORITY)
			continue;	/* critical pods are never evicted */
		char *message = eviction_message(worker, available, now);
		kubelet_pod_event(worker, "Warning", "Evicted", "%s", message);
		kubelet->awaiting_cleanup = true;
		kubelet_pod_evict(worker, message, EVICTION_GRACE_SECONDS);
		free(message);
		return true;
	}
	return false;
}

static void eviction_pass(void *arg)
{
	struct kubelet *kubelet = arg;
	ktime_t now = client_now(kubelet->client);
	kubelet->eviction_timer = 0;
	kubelet->awaiting_cleanup = false;

	/* Observe: every running container counts; the active pods (not
	 * finished, not already terminating) are the candidates. */
	size_t n = 0;
	struct candidate *cands = xcalloc(kubelet->pods.len + 1, sizeof(*cands));
	int64_t used = 0;
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&kubelet->pods, &pos, &key, &value);) {
		struct kubelet_worker *worker = value;
		int64_t usage = worker_working_set(worker, now);
		used += usage;
		if (!worker->admitted || worker->terminal || worker->terminating ||
		    worker->delete_sent)
			continue;
		const struct opt_int64 *priority = &worker->pod->spec.priority;
		cands[n++] = (struct candidate){
			worker, usage, worker->req_memory,
			priority->is_set ? priority->value : 0,
		};
	}
	int64_t available = node_memory_capacity(kubelet) - used;
	kubelet->memory_available = available;
	bool met = available < EVICTION_HARD_MEMORY_AVAILABLE;
	pressure_observe(kubelet, met, now);

	bool evicted = false;
	if (met) {
		const struct object *node = client_get(kubelet->client, KIND_NODE, NULL,
						       kubelet->node_name);
		if (node) {
			struct object *subject = object_ref(node);
			client_event(kubelet->client, subject, "Warning", "EvictionThresholdMet",
				     "Attempting to reclaim memory");
			object_unref(subject);
		}
		evicted = evict_one(kubelet, cands, n, available, now);
	}
	free(cands);
	/* After an eviction, wait for the pod to stop (at most the cleanup
	 * timeout); kubelet_eviction_pod_stopped brings the pass forward. */
	if (evicted && kubelet->awaiting_cleanup)
		arm(kubelet, EVICTION_CLEANUP_TIMEOUT);
	else if (evicted)
		arm(kubelet, EVICTION_CLEANUP_POLL);	/* stopped at once */
	else
		arm(kubelet, EVICTION_MONITORING_INTERVAL);
}
