/* scenario.h - the Scenario kind: a cluster, a timeline, expectations.
 *
 * A scenario file is a multi-document YAML file. The document with
 * `apiVersion: kubelab/v1, kind: Scenario` describes the run; every other
 * document is an ordinary Kubernetes manifest, applied at 0s as
 * `kubectl apply -f` would. See docs/scenario-reference.md.
 *
 * Loading is all-or-nothing: scenario_load() checks everything (the
 * scenario document, every manifest, every file the timeline applies,
 * every expectation's syntax) and collects all problems with
 * file:line:column. Nothing runs on a scenario that has any.
 *
 * Ownership: scenario_load returns a scenario the caller frees with
 * scenario_free; everything inside belongs to it.
 */
#ifndef KUBELAB_SCENARIO_H
#define KUBELAB_SCENARIO_H

#include "diag.h"
#include "expect.h"
#include "image.h"
#include "object.h"
#include "api_node.h"
#include "traffic.h"
#include "sched_config.h"

struct node_pool {
	char *name;			/* nodes are NAME-1 .. NAME-count */
	int32_t count;
	struct resource_list capacity;	/* cpu, memory, pods, nvidia.com/gpu ... */
	struct resource_list allocatable;	/* default: capacity */
	struct strmap labels;
	LIST_OF(struct taint) taints;
	int32_t added;			/* by the timeline's addNodes entries:
					 * NAME-(count+1) .. NAME-(count+added) */
};

enum action_type {
	ACTION_APPLY,			/* create or update manifests */
	ACTION_SET,			/* set one field (kubectl patch) */
	ACTION_DELETE,			/* kubectl delete KIND/NAME */
	ACTION_SCALE,			/* kubectl scale --replicas */
	ACTION_NODE_DOWN,		/* fault: the node's kubelet stops */
	ACTION_NODE_UP,			/* the kubelet comes back */
	ACTION_CORDON,
	ACTION_UNCORDON,
	ACTION_ROLLBACK,		/* kubectl rollout undo [--to-revision] */
	ACTION_TAINT,			/* kubectl taint nodes NODE k=v:Effect */
	ACTION_UNTAINT,			/* kubectl taint nodes NODE k[:Effect]- */
	ACTION_LABEL,			/* kubectl label nodes NODE k=v */
	ACTION_UNLABEL,			/* kubectl label nodes NODE k- */
	ACTION_ADD_NODES,		/* nodes of a pool join the cluster */
	ACTION_DRAIN,			/* kubectl drain NODE (ctrl_drain.c) */
	ACTION_EVICT,			/* one Eviction of a pod (ctrl_eviction.c) */
};

/* One timeline entry; the fields used depend on type. */
struct action {
	enum action_type type;
	ktime_t at;			/* relative to the run's start */
	int line, column;		/* where it was written, for messages */
	LIST_OF(struct object *) objects;	/* APPLY: owned references */
	enum kind_id kind;		/* SET, DELETE, SCALE, ROLLBACK, EVICT */
	char *namespace;		/* default "default" */
	char *name;			/* SET, DELETE, SCALE, ROLLBACK, EVICT;
					 * node name for faults, cordon,
					 * drain, taints and labels; the pool
					 * for ADD_NODES */
	char *path;			/* SET */
	char *value;			/* SET; TAINT, LABEL (may be "") */
	char *key;			/* TAINT, UNTAINT, LABEL, UNLABEL */
	char *effect;			/* TAINT; UNTAINT (NULL: every effect) */
	int32_t count;			/* ADD_NODES */
	int32_t replicas;		/* SCALE */
	ktime_t duration;		/* NODE_DOWN: 0 = until the end */
	int64_t to_revision;		/* ROLLBACK: 0 = the previous revision */
	bool force;			/* DELETE: --force --grace-period=0 */
	bool overwrite;			/* TAINT, LABEL: --overwrite */
};

struct scenario_settings {
	ktime_t watch_delay;		/* store → watchers; default 0 */
	ktime_t bind_latency;		/* scheduler bind; default 0 */
	bool record_events;		/* Event objects in the store; default true */
	/* kube-controller-manager --terminated-pod-gc-threshold; default
	 * 12500, 0 = off (ctrl_podgc.c) */
	int32_t terminated_pod_gc_threshold;
};

struct scenario {
	char *path;			/* the file it came from */
	char *name;
	char *chapter;
	char *description;
	uint64_t seed;			/* default 1; --seed overrides */
	ktime_t duration;		/* default 10m; --until overrides */
	struct scenario_settings settings;
	LIST_OF(struct node_pool) node_pools;
	LIST_OF(struct image_behavior) images;
	LIST_OF(struct traffic_profile) traffic;	/* offered load (traffic.h) */
	LIST_OF(struct action) timeline;	/* sorted by at, stable */
	LIST_OF(struct expectation) expectations;
	/* The scheduler: a KubeSchedulerConfiguration document in the file
	 * or spec.schedulerConfigFile (owned; NULL: upstream's default
	 * profile), and the plugins spec.schedulerPlugins compiled and
	 * registered (sched_plugin_load.h) before the config was read. */
	struct sched_config *scheduler_config;
};

/* Loads and checks path. Returns NULL after adding diagnostics. */
struct scenario *scenario_load(const char *path, struct diag_list *diags);
/* As scenario_load, for text[0..len) already in memory (it need not be
 * NUL-terminated). path names the file in messages, and its directory is
 * where apply:, schedulerConfigFile and schedulerPlugins paths start. */
struct scenario *scenario_load_string(const char *path, const char *text,
				      size_t len, struct diag_list *diags);
void scenario_free(struct scenario *scenario);

/* The behaviour for an image: the scenario's, else the defaults (written
 * into *scratch, which the caller releases with image_behavior_release). */
const struct image_behavior *scenario_image(const struct scenario *scenario,
					    const char *name,
					    struct image_behavior *scratch);

#endif
