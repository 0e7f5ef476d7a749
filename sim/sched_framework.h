/* sched_framework.h - the scheduling framework: the plugin seam.
 *
 * K8S: staging/src/k8s.io/kube-scheduler/framework/interface.go (Plugin,
 * FilterPlugin, ScorePlugin, Status and its codes), framework/cycle_state.go
 * (CycleState), framework/runtime/framework.go (running the plugins of a
 * profile), framework/types.go (Diagnosis, FitError) and
 * apis/config/v1/default_plugins.go (the default profile).
 *
 * kube-scheduler is a small loop around a list of plugins. Every policy --
 * "this node is cordoned", "this pod does not tolerate that taint", "that
 * node is fuller than this one" -- is a plugin that answers one or two
 * questions about one node at a time:
 *
 *   Filter: may this pod run on this node at all? A plugin says Success,
 *     Unschedulable (not now: something on the node could change, e.g. a
 *     pod could be preempted) or UnschedulableAndUnresolvable (never, as
 *     long as the node stays as it is), with a reason a human can read:
 *     "Insufficient cpu", "node(s) were unschedulable".
 *   Score: among the nodes that passed, how good is this one, 0..100?
 *     A plugin may then normalize its scores over all nodes (e.g. turn
 *     "number of bad taints" into "100 for the cleanest node").
 *
 * Both have an optional Pre hook run once per cycle, which may compute
 * per-pod data (the pod's summed requests) into the cycle state, or return
 * Skip when the plugin has nothing to say about this pod (no nodeSelector:
 * NodeAffinity need not look at any node). A profile is the list of enabled
 * plugins with the weight of each score; a node's total is the weighted
 * sum. The default profile is upstream's, in upstream's order.
 *
 * Interface: each plugin file defines one `const struct sched_plugin`; the
 * registry (sched_plugin_lookup) finds them by name; sched_run_* run a
 * profile's plugins the way framework.go does; struct sched_diagnosis
 * collects the reasons of the nodes that failed and formats upstream's
 * "0/3 nodes are available: ..." message.
 *
 * Ownership: a struct sched_state is embedded by the scheduler and owns the
 * data plugins write into it (sched_state_release frees it). Statuses are
 * plain values; their reasons point at static strings or into the status.
 *
 * See also: sched_nodeinfo.h (what a plugin sees of a node), sched.c (the
 * cycle that calls all this), the sched_*.c plugin files.
 */
#ifndef KUBELAB_SCHED_FRAMEWORK_H
#define KUBELAB_SCHED_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "clock.h"

struct client;
struct prng;
struct sched_cache;
struct sched_node_info;
struct store;
struct sched_nominator;
struct sched_pod_info;
struct sched_parallel;
struct sched_profile;
struct sched_waiting_pods;
struct sched_event_hint;

#define SCHED_MAX_NODE_SCORE 100	/* K8S: framework.MaxNodeScore */

/* K8S: fwk.Code. Pending is not modelled. Error is only what the
 * framework says of a plugin that broke its contract (a student's score
 * outside 0..100): no built-in plugin fails for reasons of its own. Wait
 * is a Permit plugin's answer only (sched_waiting.h). */
enum sched_code {
	SCHED_SUCCESS,
	SCHED_UNSCHEDULABLE,
	SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
	SCHED_SKIP,			/* from a Pre hook: leave this plugin out */
	SCHED_ERROR,			/* the cycle fails: SchedulerError */
	SCHED_WAIT,			/* from Permit: hold the pod (sched_status_wait) */
};

const char *sched_code_name(enum sched_code code);	/* "Unschedulable" */

/* K8S: fwk.Status. A rejection carries one or more reasons (Fit lists
 * every resource that is short). reasons[] point at static strings or into
 * text[], so a status is a plain value with no heap. */
#define SCHED_STATUS_REASONS_MAX 8
#define SCHED_STATUS_TEXT_MAX 512
struct sched_plugin;
struct sched_status {
	enum sched_code code;
	const struct sched_plugin *plugin;	/* who rejected; set by the runner */
	size_t reasons_len;
	/* Before reasons[], so that a reset writes one cache line (a
	 * parallel Filter resets one status per node). */
	size_t text_len;		/* bytes of text[] in use */
	const char *reasons[SCHED_STATUS_REASONS_MAX];
	char text[SCHED_STATUS_TEXT_MAX];
	/* Set by sched_status_wait only (Permit's Wait); not reset per node:
	 * read it only when code is SCHED_WAIT. */
	ktime_t wait_timeout;
};

/* Makes status Success with no reasons. Cheap: called once per node. */
static inline void sched_status_reset(struct sched_status *status)
{
	status->code = SCHED_SUCCESS;
	status->plugin = NULL;
	status->reasons_len = 0;
	status->text_len = 0;
}

/* Adds a rejection reason (a string that outlives the status) and raises
 * the code to code (Unresolvable wins over Unschedulable). Returns the
 * status's code, so a plugin can `return sched_status_add(...)`. Reasons
 * beyond SCHED_STATUS_REASONS_MAX are dropped. */
enum sched_code sched_status_add(struct sched_status *status,
				 enum sched_code code, const char *reason);
/* Copies src into dst; reasons formatted into src->text point into
 * dst->text afterwards, so dst outlives src. */
void sched_status_copy(struct sched_status *dst, const struct sched_status *src);
/* The same with a formatted reason, kept in status->text (truncated when
 * it does not fit). */
enum sched_code sched_status_addf(struct sched_status *status,
				  enum sched_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* K8S: a Permit plugin's (fwk.NewStatus(fwk.Wait), timeout): hold the pod
 * as a waiting pod until every plugin that waited allows it (or one
 * rejects it, or timeout passes; at most 15 minutes, as upstream). Returns
 * SCHED_WAIT, so a Permit hook can `return sched_status_wait(status, t)`. */
enum sched_code sched_status_wait(struct sched_status *status, ktime_t timeout);

/* The plugins kubelab has, in upstream's default order
 * (default_plugins.go); the id indexes the cycle state and the registry. */
enum sched_plugin_id {
	SCHED_PLUGIN_NODE_UNSCHEDULABLE,
	SCHED_PLUGIN_NODE_NAME,
	SCHED_PLUGIN_TAINT_TOLERATION,
	SCHED_PLUGIN_NODE_AFFINITY,
	SCHED_PLUGIN_NODE_PORTS,
	SCHED_PLUGIN_NODE_RESOURCES_FIT,
	SCHED_PLUGIN_VOLUME_RESTRICTIONS,
	SCHED_PLUGIN_NODE_VOLUME_LIMITS,
	SCHED_PLUGIN_VOLUME_BINDING,
	SCHED_PLUGIN_VOLUME_ZONE,
	SCHED_PLUGIN_POD_TOPOLOGY_SPREAD,
	SCHED_PLUGIN_INTER_POD_AFFINITY,
	SCHED_PLUGIN_DEFAULT_PREEMPTION,
	SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION,
	SCHED_PLUGIN_IMAGE_LOCALITY,
	SCHED_PLUGIN_COUNT
};

/* Plugins loaded at run time (a student's, sched_plugin_load.h) take the
 * ids after the built-in ones; arrays indexed by plugin id have this
 * size. */
#define SCHED_PLUGIN_EXTRA_MAX 8
#define SCHED_PLUGIN_MAX (SCHED_PLUGIN_COUNT + SCHED_PLUGIN_EXTRA_MAX)

/* K8S: framework.CycleState: what one scheduling cycle of one pod knows.
 * Upstream keys plugin data by string; kubelab by plugin id. */
struct sched_state {
	const struct pod *pod;
	struct sched_cache *cache;	/* for plugins that need cache-wide data */
	/* The scheduler's client, for plugins that read other objects (the
	 * volume plugins' claims and volumes, as upstream's listers; they
	 * write only at PreBind). NULL: such plugins have nothing to say. */
	const struct client *client;
	void *data[SCHED_PLUGIN_MAX];	/* written by each plugin's Pre hooks */
	void (*release[SCHED_PLUGIN_MAX])(void *data);
	bool skip_filter[SCHED_PLUGIN_MAX];	/* PreFilter said Skip */
	/* The Filter plugins that run in this cycle, in the profile's order
	 * (not skipped, not disabled): worked out once, on the first
	 * sched_run_filter after PreFilter, instead of per node. */
	const struct sched_profile *filters_for;	/* NULL: not yet */
	size_t filters_len;
	const struct sched_plugin *filters[SCHED_PLUGIN_MAX];
	bool skip_score[SCHED_PLUGIN_MAX];	/* PreScore said Skip */
	/* The profile's arguments for each plugin (sched_args.h), set by
	 * sched_run_pre_filter; NULL means upstream's defaults. */
	const void *args[SCHED_PLUGIN_MAX];
	/* Why sched_run_score returned SCHED_ERROR (upstream's wording). */
	char error[SCHED_STATUS_TEXT_MAX];
	/* K8S: the framework handle's PodNominator: pods nominated to nodes
	 * by earlier preemptions (sched_nominator.h); NULL: none. */
	const struct sched_nominator *nominator;
	/* The API's listers, for plugins that read other kinds
	 * (InterPodAffinity reads Namespaces); NULL: none (unit tests). */
	const struct store *store;
	/* K8S: the framework's Parallelizer: the scheduler's thread pool
	 * (sched_parallel.h), and the fewest nodes worth handing to it (a
	 * hand-off costs microseconds). NULL: every loop on one thread.
	 * Filter and Score of built-in plugins must therefore write nothing
	 * shared: only their status, and only read the state (see
	 * sched_run_score). */
	struct sched_parallel *parallel;
	size_t parallel_min;
	/* K8S: fwk.PreFilterResult, merged over the PreFilter plugins
	 * (sched_pre_filter_result.c): when narrowed, the pod may only go to
	 * nodes[] (sorted, unique, owned) and Filter only looks at those.
	 * narrowed_by: a bit per plugin id whose result narrowed it. */
	struct sched_pre_filter_result {
		bool narrowed;
		char **nodes;
		size_t len;
		uint32_t narrowed_by;
	} pre_filter_result;
	const struct sched_plugin *running;	/* the PreFilter being run */
	/* K8S: the framework handle's waiting pods (IterateOverWaitingPods,
	 * GetWaitingPod; sched_waiting.h); NULL: none (unit tests). */
	struct sched_waiting_pods *waiting;
};

/* Starts a cycle for pod (borrowed, as is cache): no data, nothing
 * skipped. */
void sched_state_init(struct sched_state *state, const struct pod *pod,
		      struct sched_cache *cache);
/* Stores a plugin's data (owned by the state from now on; release frees it
 * and may be NULL). Replaces and releases what the plugin wrote before. */
void sched_state_write(struct sched_state *state, enum sched_plugin_id id,
		       void *data, void (*release)(void *data));
/* The plugin's arguments from the profile, or NULL for the defaults. */
static inline const void *sched_state_args(const struct sched_state *state,
					   enum sched_plugin_id id)
{
	return state->args[id];
}
static inline void *sched_state_read(const struct sched_state *state,
				     enum sched_plugin_id id)
{
	return state->data[id];
}
void sched_state_release(struct sched_state *state);	/* frees all data */

/* K8S: PostFilterPlugin's inputs: what the failed cycle found (each
 * listed node's Filter verdict, fwk.NodeToStatusReader) and the handle a
 * plugin needs to act on the cluster. All borrowed for the call. */
struct sched_post_filter_input {
	struct sched_node_info *const *nodes;	/* the cycle's node list */
	const enum sched_code *verdicts;	/* per node, same order */
	size_t len;
	const struct sched_profile *profile;	/* to re-run Filter */
	const struct client *client;		/* writes and Events */
	struct prng *rng;			/* the scheduler's seeded PRNG */
	struct sched_nominator *nominator;
};

/* K8S: fwk.PostFilterResult (NominatingInfo) plus the status message. */
struct sched_post_filter_result {
	char *message;			/* owned; "preemption: ..." or NULL */
	/* K8S: NominatingMode: false (ModeNoop) leaves the pod's
	 * nominatedNodeName as it is; true (ModeOverride) sets it to
	 * nominated_node ("" clears it). */
	bool nominate;
	char *nominated_node;		/* owned */
	char **victims;			/* owned "namespace/name", for explain */
	size_t victims_len;
};
void sched_post_filter_result_release(struct sched_post_filter_result *result);

/* A plugin: a name and its hooks; a NULL hook means the plugin
 * does not take part in that extension point. */
struct sched_plugin {
	enum sched_plugin_id id;
	const char *name;		/* "NodeResourcesFit" */
	int32_t default_weight;		/* its weight in the default profile */
	/* Once per cycle, before any Filter. SCHED_SKIP leaves the plugin's
	 * Filter out; a rejection fails the pod on every node. */
	enum sched_code (*pre_filter)(struct sched_state *state,
				      const struct pod *pod,
				      struct sched_status *status);
	/* K8S: PreFilterExtensions (AddPod, RemovePod). What-if questions
	 * -- "does the pod fit beside this nominated pod?", "does it fit once
	 * these victims are gone?" -- run Filter on a scratch copy of a node
	 * (sched_nodeinfo.h) with pods added or removed. A plugin whose
	 * PreFilter counted pods over the whole cluster must update those
	 * counts to match: add_pod / remove_pod tell it that p is now on /
	 * off node (the copy). Called only when the plugin's PreFilter ran
	 * and did not Skip. Each is the other's inverse: the callers apply
	 * them to the cycle's own state and undo them afterwards, where
	 * upstream applies them to a clone of the CycleState. Upstream's
	 * status only reports a missing state, so these cannot fail. */
	void (*add_pod)(struct sched_state *state, const struct pod *pod,
			const struct sched_pod_info *p,
			const struct sched_node_info *node);
	void (*remove_pod)(struct sched_state *state, const struct pod *pod,
			   const struct sched_pod_info *p,
			   const struct sched_node_info *node);
	/* Per node: Success, or a rejection with reasons in status. */
	enum sched_code (*filter)(struct sched_state *state, const struct pod *pod,
				  const struct sched_node_info *node,
				  struct sched_status *status);
	/* Once per cycle, before any Score, with the feasible nodes (the ones
	 * Score will see). SCHED_SKIP leaves Score out. */
	enum sched_code (*pre_score)(struct sched_state *state,
				     const struct pod *pod,
				     struct sched_node_info *const *nodes,
				     size_t len);
	/* Per feasible node: a raw score (0..100 unless normalize_score
	 * maps it there). */
	int64_t (*score)(struct sched_state *state, const struct pod *pod,
			 const struct sched_node_info *node);
	/* Over all feasible nodes' raw scores, in place, into 0..100. */
	void (*normalize_score)(struct sched_state *state, const struct pod *pod,
				int64_t *scores, size_t len);
	/* After a cycle found no feasible node: try to make the pod fit in
	 * a later cycle (preemption). SCHED_SUCCESS when it did something
	 * (result says what); a rejection otherwise, with result->message
	 * saying why. */
	enum sched_code (*post_filter)(struct sched_state *state, const struct pod *pod,
				       const struct sched_post_filter_input *in,
				       struct sched_post_filter_result *result);
	/* After a node is chosen and the pod assumed on it, in upstream's
	 * order: Reserve (book plugin-side state; a rejection undoes it
	 * all), Permit (approve, reject, or Wait: sched_status_wait,
	 * sched_waiting.h), then, in
	 * the binding cycle, PreBind (e.g. bind volumes; a rejection undoes
	 * it all). Unreserve undoes Reserve when anything after it fails,
	 * in reverse order. Of the built-in plugins only VolumeBinding has
	 * one (PreBind). A rejection must
	 * give a reason in status. */
	enum sched_code (*reserve)(struct sched_state *state, const struct pod *pod,
				   const char *node_name, struct sched_status *status);
	void (*unreserve)(struct sched_state *state, const struct pod *pod,
			  const char *node_name);
	enum sched_code (*permit)(struct sched_state *state, const struct pod *pod,
				  const char *node_name, struct sched_status *status);
	enum sched_code (*pre_bind)(struct sched_state *state, const struct pod *pod,
				    const char *node_name, struct sched_status *status);
	/* K8S: PostBindPlugin: told after the pod was bound, for
	 * bookkeeping only (it cannot fail; no built-in plugin has one). */
	void (*post_bind)(struct sched_state *state, const struct pod *pod,
			  const char *node_name);
	/* K8S: EnqueueExtensions.EventsToRegister: the cluster events that
	 * may undo this plugin's rejection, each with its queueing hint
	 * (sched_queueing_hints.h); ends with an entry of no actions. NULL:
	 * every event, always Queue (a plugin without EnqueueExtensions). */
	const struct sched_event_hint *events_to_register;
};

/* The plugins, one per file (sched_node_unschedulable.c ...). */
extern const struct sched_plugin sched_node_unschedulable_plugin;
extern const struct sched_plugin sched_node_name_plugin;
extern const struct sched_plugin sched_taint_toleration_plugin;
extern const struct sched_plugin sched_node_affinity_plugin;
extern const struct sched_plugin sched_node_ports_plugin;
extern const struct sched_plugin sched_image_locality_plugin;
extern const struct sched_plugin sched_fit_plugin;
extern const struct sched_plugin sched_balanced_allocation_plugin;
extern const struct sched_plugin sched_topology_spread_plugin;
extern const struct sched_plugin sched_inter_pod_affinity_plugin;
extern const struct sched_plugin sched_default_preemption_plugin;
extern const struct sched_plugin sched_volume_restrictions_plugin;
extern const struct sched_plugin sched_node_volume_limits_plugin;
extern const struct sched_plugin sched_volume_binding_plugin;
extern const struct sched_plugin sched_volume_zone_plugin;

/* K8S: v1.Toleration.ToleratesTaint and v1helper.TolerationsTolerateTaint
 * (in sched_taint_toleration.c; NodeUnschedulable uses them too). */
bool sched_toleration_tolerates(const struct toleration *toleration,
				const struct taint *taint);
bool sched_tolerations_tolerate(const struct pod_spec *spec,
				const struct taint *taint);
/* K8S: nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): the pod's
 * nodeSelector and required node affinity (in sched_node_affinity.c;
 * PodTopologySpread's nodeAffinityPolicy uses it). node->node non-NULL. */
bool sched_node_affinity_matches(const struct pod *pod,
				 const struct sched_node_info *node);

/* K8S: the in-tree registry (plugins/registry.go) plus the out-of-tree
 * plugins registered so far. NULL when unknown. */
const struct sched_plugin *sched_plugin_lookup(const char *name);
/* The plugin with that id (built-in or registered), or NULL. */
const struct sched_plugin *sched_plugin_by_id(enum sched_plugin_id id);
/* K8S: app.WithPlugin (an out-of-tree registry entry). Registers a copy
 * of plugin (its id is ignored: the copy gets the next free id after the
 * built-in ones) for the rest of the process; plugin's strings and hooks
 * must live that long too. Returns the registered copy, or NULL with *why
 * set when the name is taken or SCHED_PLUGIN_EXTRA_MAX are registered. */
const struct sched_plugin *sched_plugin_register(const struct sched_plugin *plugin,
						 const char **why);

/* The extension points a profile can turn on and off per plugin (K8S:
 * config.Plugins: preFilter, filter, preScore, score, ...). A plugin
 * takes part in a point when it has the hook and the point is not
 * disabled for it in its profile entry. */
enum sched_point {
	SCHED_POINT_PRE_FILTER,
	SCHED_POINT_FILTER,
	SCHED_POINT_POST_FILTER,	/* preemption */
	SCHED_POINT_PRE_SCORE,
	SCHED_POINT_SCORE,		/* Score and its NormalizeScore */
	SCHED_POINT_RESERVE,		/* Reserve and its Unreserve */
	SCHED_POINT_PERMIT,
	SCHED_POINT_PRE_BIND,
	SCHED_POINT_POST_BIND,
	SCHED_POINT_COUNT
};
#define SCHED_POINT_BIT(point) (1u << (point))

/* K8S: config.KubeSchedulerProfile: which plugins run, in which order,
 * with which score weights. A plain value. */
struct sched_profile_plugin {
	const struct sched_plugin *plugin;
	int32_t weight;			/* score weight; ignored without score */
	/* K8S: pluginConfig[].args: the plugin's own struct from
	 * sched_args.h, borrowed (the profile's owner keeps it alive); NULL
	 * for upstream's defaults. */
	const void *args;
	/* SCHED_POINT_BIT()s of the points this plugin is disabled at (K8S:
	 * plugins.score.disabled: [{name: X}] keeps X's Filter). 0: every
	 * hook the plugin has runs. */
	uint32_t disabled;
};
struct sched_profile {
	const char *scheduler_name;	/* borrowed */
	/* K8S: profiles[].percentageOfNodesToScore; unset: the scheduler's. */
	bool percentage_set;
	int32_t percentage_of_nodes_to_score;
	size_t len;
	struct sched_profile_plugin plugins[SCHED_PLUGIN_MAX];
};

/* Whether entry's plugin runs at point (has the hook, not disabled). */
bool sched_profile_plugin_runs(const struct sched_profile_plugin *entry,
			       enum sched_point point);

/* Fills profile with upstream's default plugins that kubelab has, in the
 * default order with the default weights (TaintToleration 3, NodeAffinity
 * 2, NodeResourcesFit 1, PodTopologySpread 2, InterPodAffinity 2,
 * NodeResourcesBalancedAllocation 1, ImageLocality 1; NodeUnschedulable,
 * NodeName and NodePorts only filter). */
void sched_profile_default(struct sched_profile *profile,
			   const char *scheduler_name);
/* Enables plugin name with weight (appended, or re-weighted when already
 * enabled; the weight only matters for plugins that score, and must then
 * be > 0). -1 when no plugin has that name. */
int sched_profile_enable(struct sched_profile *profile, const char *name,
			 int32_t weight);
/* Removes plugin name from the profile. -1 when it was not enabled. */
int sched_profile_disable(struct sched_profile *profile, const char *name);
bool sched_profile_has_score(const struct sched_profile *profile);

/* K8S: Scheduler.numFeasibleNodesToFind (schedule_one.go). With fewer
 * than 100 nodes, all; else percentage of them (0: adaptive, 50% minus 1%
 * per 125 nodes, at least 5%), but never fewer than 100. The cycle stops
 * filtering once it has found this many feasible nodes. */
size_t sched_num_feasible_nodes_to_find(int32_t percentage, size_t num_all_nodes);

/* K8S: frameworkImpl.RunPreFilterPlugins. Marks skipped plugins in state and merges
 * their PreFilterResults into state->pre_filter_result; returns Success or
 * the first rejection (in status), including upstream's
 * UnschedulableAndUnresolvable "node(s) didn't satisfy plugin X" when the
 * merged result leaves no node. */
enum sched_code sched_run_pre_filter(const struct sched_profile *profile,
				     struct sched_state *state,
				     struct sched_status *status);
/* K8S: RunPreFilterExtensionAddPod / RunPreFilterExtensionRemovePod:
 * tell every plugin whose PreFilter ran (and did not Skip) that p was
 * added to / removed from node, a scratch copy (sched_nodeinfo.h) that
 * the caller has already changed. Callers undo each call with the other
 * before the cycle goes on (sched_nominator.c, sched_preemption_victims.c). */
void sched_run_pre_filter_add_pod(const struct sched_profile *profile,
				  struct sched_state *state,
				  const struct sched_pod_info *p,
				  const struct sched_node_info *node);
void sched_run_pre_filter_remove_pod(const struct sched_profile *profile,
				     struct sched_state *state,
				     const struct sched_pod_info *p,
				     const struct sched_node_info *node);
/* K8S: RunFilterPlugins: stops at the first plugin that rejects. The
 * first call of a cycle (or sched_run_filter_prepare) works out which
 * plugins run; after that, calls on different nodes only read state and
 * may run on several threads at once (sched_filter_parallel_safe). */
void sched_run_filter_prepare(const struct sched_profile *profile,
			      struct sched_state *state);
/* Whether this cycle's Filters may run on several threads at once: all
 * are built-in plugins whose Filter only reads (VolumeBinding and
 * NodeVolumeLimits read claims and volumes through the API client: not
 * they), and every one that has a
 * PreFilter ran it (Filters compute lazily what a disabled PreFilter
 * did not). Call after sched_run_filter_prepare. */
bool sched_filter_parallel_safe(const struct sched_profile *profile,
				const struct sched_state *state);
enum sched_code sched_run_filter(const struct sched_profile *profile,
				 struct sched_state *state,
				 const struct sched_node_info *node,
				 struct sched_status *status);
/* What sched_run_filter does once a plugin said no: checks a loaded
 * plugin's status (SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE "plugin X returned
 * an invalid Filter status" when it broke the contract), names the plugin
 * in status and returns the node's code. */
enum sched_code sched_filter_rejected(const struct sched_plugin *pl, enum sched_code code,
				      struct sched_status *status);
/* sched_run_filter's per-node part, for a cycle's walk over hundreds of
 * nodes (find_feasible): the filter list must be prepared
 * (sched_run_filter_prepare) and status reset by the caller. Inline
 * because it runs once per examined node: a call and its register saves
 * cost as much as a Filter that passes. */
static inline enum sched_code sched_run_filter_prepared(struct sched_state *state,
							const struct sched_node_info *node,
							struct sched_status *status)
{
	for (size_t i = 0; i < state->filters_len; i++) {
		const struct sched_plugin *pl = state->filters[i];
		enum sched_code code = pl->filter(state, state->pod, node, status);
		if (code != SCHED_SUCCESS)
			return sched_filter_rejected(pl, code, status);
	}
	return SCHED_SUCCESS;
}
/* What sched_run_score computed, for an explanation (sched.h). raw and
 * normalized are the caller's, len * SCHED_PLUGIN_MAX values each: the
 * k-th score plugin that ran on nodes[i] is at [i * SCHED_PLUGIN_MAX + k]. */
struct sched_score_detail {
	size_t plugins_len;		/* out: score plugins that ran */
	const struct sched_profile_plugin *plugins[SCHED_PLUGIN_MAX];
	int64_t *raw, *normalized;
};

/* K8S: RunPostFilterPlugins: runs the profile's PostFilter plugins in
 * order until one succeeds; result is filled by the last one run (zeroed
 * first). Returns SCHED_UNSCHEDULABLE with no message when the profile has
 * none. Release result with sched_post_filter_result_release. */
enum sched_code sched_run_post_filter(const struct sched_profile *profile,
				      struct sched_state *state,
				      const struct sched_post_filter_input *in,
				      struct sched_post_filter_result *result);

/* K8S: RunPreScorePlugins + RunScorePlugins: totals[i] (out) is the
 * weighted sum over the score plugins for nodes[i]; scratch must hold
 * len * SCHED_PLUGIN_MAX values (a row of raw scores per plugin). Score
 * runs over nodes on state->parallel's threads when len >=
 * state->parallel_min and every score plugin is a built-in one whose
 * PreScore ran; PreScore, NormalizeScore and the totals stay on the
 * caller's thread, so the result is the same either way. detail may be
 * NULL (the normal case); otherwise it is filled too. No allocation. Returns SCHED_SUCCESS, or SCHED_ERROR with
 * state->error set when a plugin gave a score outside 0..100 (upstream
 * fails the cycle then; only a student's plugin can). */
enum sched_code sched_run_score(const struct sched_profile *profile,
		     struct sched_state *state,
		     struct sched_node_info *const *nodes, size_t len,
		     int64_t *scratch, int64_t *totals,
		     struct sched_score_detail *detail);

/* K8S: RunReservePluginsReserve, RunPermitPlugins, RunPreBindPlugins:
 * each runs the profile's plugins at that point on the chosen node and
 * stops at the first that does not succeed (its status, with
 * status->plugin set, is returned). RunReservePluginsUnreserve runs every
 * Unreserve in reverse order. */
enum sched_code sched_run_reserve(const struct sched_profile *profile,
				  struct sched_state *state, const char *node_name,
				  struct sched_status *status);
void sched_run_unreserve(const struct sched_profile *profile,
			 struct sched_state *state, const char *node_name);
/* K8S: RunPermitPlugins: a rejection (or error) stops at once; a Wait
 * is recorded in waits (each waiting plugin and its timeout, capped at 15
 * minutes) and the others still run. Returns SCHED_WAIT when at least one
 * waited and none rejected. */
struct sched_permit_waits {
	size_t len;
	const struct sched_plugin *plugins[SCHED_PLUGIN_MAX];
	ktime_t timeouts[SCHED_PLUGIN_MAX];
};
enum sched_code sched_run_permit(const struct sched_profile *profile,
				 struct sched_state *state, const char *node_name,
				 struct sched_status *status,
				 struct sched_permit_waits *waits);
enum sched_code sched_run_pre_bind(const struct sched_profile *profile,
				   struct sched_state *state, const char *node_name,
				   struct sched_status *status);
/* K8S: RunPostBindPlugins: every PostBind plugin, in order. */
void sched_run_post_bind(const struct sched_profile *profile,
			 struct sched_state *state, const char *node_name);

/* ---- PreFilterResult (sched_pre_filter_result.c) ---- */

/* K8S: a PreFilter plugin returning PreFilterResult{NodeNames}: the pod
 * can only go to these nodes (names borrowed; copied). Called from a
 * PreFilter hook; several calls, or several plugins, intersect (upstream's
 * Merge). Nodes that do not exist are ignored later. */
void sched_pre_filter_result_restrict(struct sched_state *state,
				      const char *const *names, size_t len);
/* Frees the result (sched_state_release calls it). */
void sched_pre_filter_result_release(struct sched_pre_filter_result *result);
/* The narrowed result's nodes that exist in cache, listed ones only, in
 * the result's (sorted) order, into out (room for result->len). */
size_t sched_pre_filter_result_nodes(const struct sched_pre_filter_result *result,
				     const struct sched_cache *cache,
				     struct sched_node_info **out);
/* "[NodeAffinity]", as Go prints sets.List(plugins) of the plugins that
 * narrowed (caller frees). */
char *sched_pre_filter_result_plugins(const struct sched_pre_filter_result *result);
/* K8S: RunPreFilterPlugins' status when the merged result is empty:
 * UnschedulableAndUnresolvable "node(s) didn't satisfy plugin NodeAffinity"
 * (one plugin) or "node(s) didn't satisfy plugin(s) [A B] simultaneously". */
void sched_pre_filter_result_unsatisfied(const struct sched_pre_filter_result *result,
					 struct sched_status *status);

/* K8S: helper.DefaultNormalizeScore: scales to 0..max_priority by the
 * largest score; reverse turns "more is worse" into "more is better". */
void sched_default_normalize_score(int64_t max_priority, bool reverse,
				   int64_t *scores, size_t len);

/* K8S: framework.Diagnosis + FitError: why no node fits. Reasons are
 * counted per node over every node that failed. */
struct sched_reason_count {
	char *reason;			/* owned */
	size_t nodes;
	/* the static string (not a status's text[]) last counted here: the
	 * next node rejected for it is matched by address, not strcmp */
	const char *seen;
};
struct sched_diagnosis {
	size_t num_all_nodes;
	struct sched_reason_count *reasons;
	size_t reasons_len, reasons_cap;
	char *pre_filter_msg;		/* owned; a PreFilter rejection */
	char *post_filter_msg;		/* owned; "preemption: ..." */
	uint32_t rejected_by;		/* bit per plugin id that rejected */
	size_t last;			/* the reason the last node counted */
};

/* Empties d for a cycle over num_all_nodes nodes (keeps its buffers). */
void sched_diagnosis_reset(struct sched_diagnosis *d, size_t num_all_nodes);
/* Counts one node's rejection. */
void sched_diagnosis_add(struct sched_diagnosis *d,
			 const struct sched_status *status);
/* Counts reason for nodes more nodes at once (K8S: the absent nodes'
 * status of NodeToStatus, e.g. the nodes a PreFilterResult left out). */
void sched_diagnosis_add_nodes(struct sched_diagnosis *d, const char *reason,
			       size_t nodes);
void sched_diagnosis_release(struct sched_diagnosis *d);
/* K8S: FitError.Error(): "0/3 nodes are available: 1 node(s) were
 * unschedulable, 2 Insufficient cpu. preemption: ..." with the reason
 * histogram sorted as strings. Caller frees. */
char *sched_fit_error_message(const struct sched_diagnosis *d);

#endif
