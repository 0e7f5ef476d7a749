/* sched_nodeinfo.h - the scheduler's cache: nodes and the pods on them.
 *
 * K8S: pkg/scheduler/framework/types.go (NodeInfo, Resource, PodInfo),
 * pkg/scheduler/backend/cache/cache.go (AssumePod, ForgetPod, AddPod,
 * RemovePod, AddNode, UpdateSnapshot), backend/cache/node_tree.go (the
 * zone-interleaved node order), staging/src/k8s.io/component-helpers/
 * resource/helpers.go (PodRequests) and pkg/scheduler/util
 * (DefaultMilliCPURequest, DefaultMemoryRequest).
 *
 * The scheduler never asks the API server "how full is node-3?". It keeps
 * its own book: for every node, what it can hold (status.allocatable) and
 * the summed requests of the pods placed on it. A pod's request is not the
 * sum over its containers alone: init containers run one at a time before
 * the app containers, so the pod needs the larger of "all app containers
 * together" and "the biggest init container" (sidecars -- init containers
 * with restartPolicy Always -- keep running and add up), plus the pod's
 * runtime overhead. Limits play no part in scheduling.
 *
 * Scoring uses a second sum, with a floor: a container that requests no
 * cpu counts as 100m and one that requests no memory as 200Mi. Otherwise
 * a node full of BestEffort pods would look empty to the spreading scores
 * and attract every new pod. Filtering never uses the floor: a BestEffort
 * pod fits anywhere that has a free pod slot.
 *
 * A pod enters a node's book in two ways: assumed, the moment the
 * scheduler picks the node (so the next pod, scheduled microseconds later,
 * already sees it), or added, when a watch shows the pod bound. The watch
 * event for a pod this scheduler assumed confirms the assumption instead
 * of counting the pod twice. A pod leaves the book when it is deleted or
 * finishes (Succeeded or Failed).
 *
 * Costs: adding, confirming and removing a pod are O(1) (plus the pod's
 * containers); a node's numbers are read directly by the plugins.
 *
 * Ownership: the cache holds a reference to every pod and node object it
 * books; all its memory is freed by sched_cache_release.
 * Invariant (sched_cache_check): each node's requested and non-zero sums
 * equal the sums over the pods booked on it.
 */
#ifndef KUBELAB_SCHED_NODEINFO_H
#define KUBELAB_SCHED_NODEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "hashmap.h"

struct store;

/* K8S: schedutil.DefaultMilliCPURequest / DefaultMemoryRequest */
#define SCHED_DEFAULT_MILLI_CPU_REQUEST 100
#define SCHED_DEFAULT_MEMORY_REQUEST (200LL * 1024 * 1024)

/* K8S: framework.Resource, split in three for the hot loops (see struct
 * sched_node_info): cpu and memory, which every default Score reads;
 * ephemeral storage and the pod count, which only the Fit Filter reads,
 * are fields of the node record; extended resources ("nvidia.com/gpu"),
 * hugepages and other scalar resources are kept by a cache-wide id (see
 * sched_cache_scalar_id) so that no lookup by name happens per node. */
struct sched_resources {
	int64_t milli_cpu;
	int64_t memory;			/* bytes */
};

/* Scalar resources by id. */
struct sched_scalars {
	size_t len;			/* ids >= len count as 0 */
	int64_t *values;		/* owned; indexed by scalar id */
};

static inline int64_t sched_scalars_get(const struct sched_scalars *s, uint32_t id)
{
	return id < s->len ? s->values[id] : 0;
}

/* One scalar resource a pod requests. */
struct sched_scalar_request {
	uint32_t id;			/* sched_cache_scalar_id */
	int64_t value;
};

/* What one pod asks for, computed once from its spec. */
struct sched_pod_request {
	int64_t milli_cpu;
	int64_t memory;
	int64_t ephemeral_storage;
	/* the same with the 100m / 200Mi floor per container: for scoring */
	int64_t non_zero_milli_cpu;
	int64_t non_zero_memory;
	size_t scalars_len;		/* sorted by resource name */
	struct sched_scalar_request *scalars;	/* owned; NULL when none */
};

struct sched_node_info;
struct sched_zone;
struct sched_used_ports;

#define SCHED_TOPOLOGY_INLINE 4	/* topology keys kept in the node record */

/* A pod in the book. K8S: the cache's podState + framework.PodInfo. */
struct sched_pod_info {
	const struct pod *pod;		/* reference; the latest version seen */
	struct sched_node_info *node;	/* where it is booked */
	size_t node_pos;		/* its index in node->pods */
	struct sched_pod_request request;
	int64_t priority;		/* spec.priority, 0 when unset */
	bool assumed;			/* placed here, binding not yet seen */
	struct sched_pod_labels *labels;	/* owned; its place in the label
						 * index (sched_nodeinfo_labels.c) */
	struct sched_pod_index *index;	/* its affinity terms
					 * (sched_nodeinfo_affinity.c); NULL: none */
};

/* K8S: framework.NodeInfo. Plugins read these fields; only the cache
 * writes them.
 *
 * Layout: a cycle runs the Filters on hundreds of nodes and then each
 * Score plugin in turn on the feasible ones (some 500 per pod), and for
 * most nodes a hook reads a field or two. A node costs the cache lines
 * those fields sit on, so the record is aligned to a cache line and:
 *   line 0 holds all that the default Scores read (NodeResourcesFit,
 *     BalancedAllocation, TaintToleration) and most of what the Filters
 *     read: 500 nodes' worth is 32 KiB, so a Score plugin finds the lines
 *     the previous one loaded still in the L1 cache;
 *   line 1 the rest of the Fit Filter's numbers and what the topology
 *     plugins read (PodTopologySpread, NodeAffinity, InterPodAffinity);
 * the rest is for the cold paths. The facts copied from the Node object
 * (taint counts, unschedulable) spare the hooks loading it, and are
 * refreshed by sched_cache_set_node whenever the node changes. */
struct sched_node_info {
	/* ---- cache line 0 ---- */
	struct sched_resources allocatable;	/* status.allocatable */
	struct sched_resources requested;	/* sum of the pods' requests */
	int64_t non_zero_milli_cpu;	/* the same with the 100m / 200Mi floor */
	int64_t non_zero_memory;
	size_t pods_len;		/* booked pods, assumed ones too */
	/* From the Node object: its NoSchedule and NoExecute taints and its
	 * PreferNoSchedule ones (each count stops at UINT16_MAX: the hooks
	 * only ask "any?", then walk taints[]), and spec.unschedulable. */
	uint16_t taints_no_schedule;
	uint16_t taints_prefer_no_schedule;
	bool unschedulable;
	/* ---- cache line 1 ---- */
	int64_t allowed_pods;		/* status.allocatable.pods */
	int64_t allocatable_ephemeral_storage;	/* bytes */
	int64_t requested_ephemeral_storage;
	const struct node *node;	/* reference; NULL once the node is gone
					 * but pods are still booked on it */
	/* the node's value id per topology key (sched_cache_topology_key),
	 * 0 when it has no such label; read with sched_node_topology(). The
	 * first keys sit here (spreading reads them for 500 nodes per pod);
	 * more spill to topology_more. */
	uint32_t topology[SCHED_TOPOLOGY_INLINE];
	uint32_t topology_len;		/* keys known to this node */
	bool listed;			/* in the node tree (node != NULL) */
	/* ---- the rest: cold paths ---- */
	/* node->spec.taints (borrowed from node; NULL, 0 when it is gone) */
	const struct taint *taints;
	size_t taints_len;
	char *name;			/* owned */
	char *zone;			/* owned; node_tree zone key ("" none) */
	struct sched_scalars allocatable_scalars;
	struct sched_scalars requested_scalars;
	struct sched_pod_info **pods;	/* pods_len of them */
	size_t pods_cap;
	uint64_t generation;		/* bumped on every change */
	uint32_t *topology_more;	/* owned; see topology[] */
	/* pods with pod (anti-)affinity; NULL: none (sched_nodeinfo_affinity.h) */
	struct sched_node_affinity *affinity;
	/* the host ports the booked pods use (sched_nodeinfo_ports.c);
	 * NULL when none does */
	struct sched_used_ports *used_ports;
	/* a scratch copy (sched_nodeinfo_scratch.c): the cache's record it
	 * was copied from; NULL in the cache's own records */
	const struct sched_node_info *scratch_of;
} __attribute__((aligned(64)));

/* K8S: the scheduler cache and its node tree, in one. */
struct sched_cache {
	struct hashmap nodes;		/* name -> struct sched_node_info */
	struct hashmap pods;		/* uid -> struct sched_pod_info */
	struct hashmap images;		/* name -> struct sched_image_state */
	char **scalar_names;		/* interned scalar resource names */
	size_t scalar_names_len, scalar_names_cap;
	/* the node tree: zones in order of first appearance, each with its
	 * nodes in the order they were added */
	struct sched_zone *zones;
	size_t zones_len, zones_cap;
	size_t listed_nodes;
	/* the snapshot list the cycle walks, rebuilt when the tree changed */
	struct sched_node_info **list;
	size_t list_len, list_cap;
	bool list_stale;
	uint64_t generation;
	/* the label index: "namespace\x1fkey\x1fvalue" (and "namespace")
	 * -> struct sched_label_posting, the booked pods carrying it */
	struct hashmap label_postings;
	/* the namespaces' lists among them, in no particular order */
	struct sched_label_posting **label_namespaces;
	size_t label_namespaces_len, label_namespaces_cap;
	/* the lists the last pod entered, slot by slot (a memo: pods come
	 * group after group, with their group's labels) */
	struct sched_label_posting **label_memo;
	size_t label_memo_len, label_memo_cap;
	/* K8S: the informer listers some plugins read (PodTopologySpread's
	 * default selector reads Services, ReplicaSets, StatefulSets);
	 * borrowed, set by the scheduler; NULL in tests that need none. */
	const struct store *store;
	/* the topology keys plugins asked for, with their interned values
	 * (sched_nodeinfo_topology.c) */
	struct sched_topology_key *topology_keys;
	size_t topology_keys_len, topology_keys_cap;
	/* nodes with affinity pods, their term groups (sched_nodeinfo_affinity.h) */
	struct sched_affinity_index *affinity;
	/* The last frozen pod whose request was computed (a reference) and
	 * that request: one cycle asks for the same pod's up to four times
	 * (sched_pod_request_compute). */
	const struct pod *request_memo_pod;
	struct sched_pod_request request_memo;
};

/* An empty cache, embedded by its owner. Release drops every reference
 * and frees everything; the struct is left empty. */
void sched_cache_init(struct sched_cache *cache);
void sched_cache_release(struct sched_cache *cache);

/* The id of a scalar resource name, interned on first use. */
uint32_t sched_cache_scalar_id(struct sched_cache *cache, const char *name);
const char *sched_cache_scalar_name(const struct sched_cache *cache, uint32_t id);
/* K8S: schedutil.IsScalarResourceName: extended ("example.com/foo"),
 * prefixed native ("kubernetes.io/..."), hugepages-*, attachable-volumes-*. */
bool sched_is_scalar_resource(const char *name);

/* K8S: resource.PodRequests, with and without the non-zero floor. Fills
 * *out (release with sched_pod_request_release); interns scalar names.
 * Remembers the last frozen pod's result (holding a reference to it), so
 * asking again for that pod, or for a version sharing its containers (the
 * bound version), costs a copy. */
void sched_pod_request_compute(struct sched_cache *cache, const struct pod *pod,
			       struct sched_pod_request *out);
void sched_pod_request_release(struct sched_pod_request *request);

/* Adds or updates a node (K8S: Cache.AddNode / UpdateNode): takes a
 * reference to node and reads its allocatable, labels, zone, taints and
 * spec.unschedulable. */
void sched_cache_set_node(struct sched_cache *cache, const struct node *node);
/* K8S: Cache.RemoveNode. The node leaves the list at once; its record
 * stays while pods are still booked on it. */
void sched_cache_remove_node(struct sched_cache *cache, const char *name);

/* K8S: Cache.AssumePod: books pod (not yet bound) on node, one of this
 * cache's (the cycle chose it from sched_cache_list). */
void sched_cache_assume_pod(struct sched_cache *cache, const struct pod *pod,
			    struct sched_node_info *node);
/* K8S: Cache.ForgetPod: un-books an assumed pod (binding failed). No-op
 * when uid is unknown or the pod is no longer assumed. */
void sched_cache_forget_pod(struct sched_cache *cache, const char *uid);
/* K8S: Cache.AddPod / UpdatePod for a bound pod (spec.nodeName set): books
 * it, confirms an assumed pod, or moves it if it landed elsewhere. */
void sched_cache_add_pod(struct sched_cache *cache, const struct pod *pod);
/* K8S: Cache.RemovePod. Returns whether the pod was booked. */
bool sched_cache_remove_pod(struct sched_cache *cache, const char *uid);

const struct sched_pod_info *sched_cache_pod(const struct sched_cache *cache,
					     const char *uid);
const struct sched_node_info *sched_cache_node(const struct sched_cache *cache,
					       const char *name);

/* K8S: Cache.UpdateSnapshot + NodeInfos().List(): the nodes the cycle
 * walks, zones interleaved (zone-a's first node, zone-b's first node,
 * zone-a's second ...). Valid until the next node add or removal. */
struct sched_node_info *const *sched_cache_list(struct sched_cache *cache,
						size_t *len);

/* Not scheduling, only speed: a cycle walks hundreds of nodes of the list
 * and used to wait on memory for each node's info. Called for position i
 * of the walk, this asks the CPU to start loading the first cache lines
 * of the node info a dozen positions ahead, so they are in cache when the
 * walk gets there. It changes no result. always_inline: as a call, GCC 12
 * judged it free of effects (prefetches do not count) and dropped it. */
static inline __attribute__((always_inline))
void sched_cache_prefetch(struct sched_node_info *const *list, size_t len, size_t i)
{
	/* Wrapped by subtraction: a division costs as much as a cache miss. */
	size_t info = i + 12;
	while (info >= len)
		info -= len;
	/* Lines 0 and 1 of the record: all that the default Filters read. */
	const char *record = (const char *)list[info];
	__builtin_prefetch(record);
	__builtin_prefetch(record + 64);
}

/* The lowest priority of the pods booked on node, or INT64_MAX when none.
 * O(pods on the node): for the failure path only. */
int64_t sched_node_min_priority(const struct sched_node_info *node);

/* ---- the label index (sched_nodeinfo_labels.c) ----
 * Which booked pods carry a label, without a walk over every pod: for
 * each namespace and label key=value, the list of booked pods (assumed
 * ones too) that have it, plus one list per namespace. Plugins that count
 * pods matching a label selector per topology domain (PodTopologySpread,
 * InterPodAffinity) ask it instead of walking every node's pods, which
 * upstream does in parallel over all nodes and which would cost
 * O(all pods) per scheduled pod here. The cache's only label index. */
struct selector;
typedef void (*sched_pod_visit_fn)(void *arg, const struct sched_pod_info *pod);
/* Calls fn (in an unspecified but deterministic order) for every booked
 * pod of namespace whose labels match sel, terminating pods included, and
 * returns how many it visited. Cost: the shortest posting list among the
 * selector's = and in requirements; a selector without any walks the
 * namespace's list. The nil selector visits nothing; the empty one the
 * whole namespace. fn must not change the cache. */
size_t sched_cache_visit_matching(const struct sched_cache *cache,
				  const char *namespace, const struct selector *sel,
				  sched_pod_visit_fn fn, void *arg);
/* The same over every namespace that has booked pods. */
size_t sched_cache_visit_matching_anywhere(const struct sched_cache *cache,
					   const struct selector *sel,
					   sched_pod_visit_fn fn, void *arg);
/* How many pods sched_cache_visit_matching would test (the length of the
 * lists it would walk), without walking them; and over every namespace. */
size_t sched_cache_count_candidates(const struct sched_cache *cache,
				    const char *namespace, const struct selector *sel);
size_t sched_cache_count_candidates_anywhere(const struct sched_cache *cache,
					     const struct selector *sel);
/* The index's hooks in sched_nodeinfo.c: a pod enters it when booked on a
 * node and leaves when un-booked; release frees it all. */
void sched_labels_add(struct sched_cache *cache, struct sched_pod_info *pod);
void sched_labels_remove(struct sched_cache *cache, struct sched_pod_info *pod);
void sched_labels_release(struct sched_cache *cache);
/* True when the index holds exactly the booked pods under their labels;
 * prints what broke. O(pods x labels): tests and paranoid builds. */
bool sched_labels_check(const struct sched_cache *cache);

/* ---- topology values (sched_nodeinfo_topology.c) ----
 * Plugins that group nodes into domains by a label (topology.kubernetes.
 * io/zone, kubernetes.io/hostname) read a node's value of that label once
 * per node per cycle. A string lookup in the node's labels costs a few
 * cache misses; over 500 nodes per pod and 150,000 pods that is seconds.
 * So the cache interns the keys plugins ask for and their values, and
 * keeps on every node the value id of each: an array read.
 * Value ids per key: 0 = the node has no such label, 1 = the value ""
 * (always), then one per distinct value in order of first appearance.
 * Ids are never reused (a value of a deleted node keeps its id). */
#define SCHED_TOPOLOGY_ABSENT 0
#define SCHED_TOPOLOGY_EMPTY 1
/* The id of label key key, registered on first use: O(nodes) once. */
uint32_t sched_cache_topology_key(struct sched_cache *cache, const char *key);
/* How many value ids key has so far (arrays indexed by value id need
 * this many entries), and the value of an id. */
uint32_t sched_cache_topology_values(const struct sched_cache *cache, uint32_t key);
const char *sched_cache_topology_value(const struct sched_cache *cache, uint32_t key,
				       uint32_t value);
/* The id of value for key, or SCHED_TOPOLOGY_ABSENT when no node has had
 * it (so no node has it now). */
uint32_t sched_cache_topology_find(const struct sched_cache *cache, uint32_t key,
				   const char *value);
static inline uint32_t sched_node_topology(const struct sched_node_info *node,
					   uint32_t key)
{
	if (key >= node->topology_len)
		return SCHED_TOPOLOGY_ABSENT;
	return key < SCHED_TOPOLOGY_INLINE ? node->topology[key]
		: node->topology_more[key - SCHED_TOPOLOGY_INLINE];
}
/* How many listed nodes have value (SCHED_TOPOLOGY_ABSENT: how many have
 * no such label) for key. O(1). */
uint32_t sched_cache_topology_listed(const struct sched_cache *cache, uint32_t key,
				     uint32_t value);
/* Hooks in sched_nodeinfo.c: a node's labels were (re)read; a node enters
 * (delta 1) or leaves (-1) the node list; the cache is released. */
void sched_topology_node_update(struct sched_cache *cache, struct sched_node_info *node);
void sched_topology_node_listed(struct sched_cache *cache, const struct sched_node_info *node,
				int delta);
/* The counts against the nodes; prints what broke. O(nodes x keys). */
bool sched_topology_check(const struct sched_cache *cache);
void sched_topology_release(struct sched_cache *cache);
/* ---- sched_nodeinfo_ports.c: K8S: framework.HostPortInfo ---------------- */

/* K8S: util.GetHostPorts: the ports with a hostPort of pod's sidecars
 * (restartable init containers) then app containers. Stores up to cap
 * pointers (into pod) in out and returns how many there are in all. */
size_t sched_pod_host_ports(const struct pod *pod, const struct container_port **out,
			    size_t cap);
/* Books (sign +1) or un-books (-1) the host ports of pod's containers on
 * node. O(container ports); nothing for pods without host ports. */
void sched_node_ports_update(struct sched_node_info *node, const struct pod *pod,
			     int sign);
/* K8S: HostPortInfo.CheckConflict: would (ip, protocol, port) clash with
 * a port in use on node? ip "" means 0.0.0.0 (every address), protocol
 * "" means TCP; 0.0.0.0 clashes with any address on the same protocol
 * and port. */
bool sched_node_ports_conflict(const struct sched_node_info *node, const char *ip,
			       const char *protocol, int32_t port);
/* The same rule for two declared ports (for the kubelet's admission,
 * which has no cache). */
bool sched_host_port_clash(const struct container_port *used,
			   const struct container_port *want);
/* Gives dst its own copy of src's used ports (for a scratch copy, which
 * books and un-books pods without touching the cache's). */
void sched_node_ports_copy(struct sched_node_info *dst,
			   const struct sched_node_info *src);
void sched_node_ports_free(struct sched_node_info *node);

/* ---- sched_nodeinfo_images.c: K8S: cache.imageStates ------------------- */

/* K8S: framework.ImageStateSummary */
struct sched_image_state {
	int64_t size;			/* bytes, as first reported */
	size_t num_nodes;		/* nodes whose status lists the name */
};

/* Moves the counts from old's status.images to node's (either may be
 * NULL: a node added or removed). */
void sched_cache_images_update(struct sched_cache *cache, const struct node *old,
			       const struct node *node);
/* The state of an image name as nodes report it, NULL when no node has it. */
const struct sched_image_state *sched_cache_image(const struct sched_cache *cache,
						  const char *name);
void sched_cache_images_release(struct sched_cache *cache);

/* ---- scratch copies (sched_nodeinfo_scratch.c) ------------------------------
 * K8S: NodeInfo.Snapshot + AddPodInfo / RemovePod on the copy. Preemption
 * asks "would the pod fit if these pods were gone?" and the nominated-pods
 * filter "would it fit if those pods were here?" without touching the
 * cache: a scratch node is a copy of a node's numbers and pod list that
 * pods can be added to and removed from. The pod infos are borrowed (their
 * node field still names the real node); the cache must not change while
 * a scratch copy is in use. */
void sched_node_scratch_init(struct sched_node_info *scratch,
			     const struct sched_node_info *node);
/* Adds p's request and p to the copy's list (p borrowed). */
void sched_node_scratch_add(struct sched_node_info *scratch,
			    const struct sched_pod_info *p);
/* Removes p (by identity) from the copy; BUG when it is not there. */
void sched_node_scratch_remove(struct sched_node_info *scratch,
			       const struct sched_pod_info *p);
void sched_node_scratch_release(struct sched_node_info *scratch);

/* Checks the invariant above for every node; prints what broke and
 * returns false. O(pods): for tests and paranoid builds. */
bool sched_cache_check(const struct sched_cache *cache);

#endif
