/* sched_reference.h - a slow, obviously-correct scheduler for the tests
 * to compare the real one against.
 *
 * K8S: the default plugins of pkg/scheduler/framework/plugins, read as
 * definitions: for one pending pod and one node, each Filter's verdict;
 * for a set of feasible nodes, each Score plugin's raw and normalized
 * score and the weighted total (framework/runtime/framework.go).
 *
 * The real scheduler (sim/sched*.c) is built for speed: a cache booked
 * incrementally, per-cycle state computed once in PreFilter/PreScore,
 * indexes of used host ports and images, fast paths for the default
 * arguments. This file has none of that. Every answer is recomputed from
 * the objects the store holds -- the nodes, and the pods bound to them
 * (spec.nodeName set, not Succeeded or Failed, as the scheduler's cache
 * counts them) -- by walking the lists every time, in the plainest C
 * that says what upstream's definition says. It is as slow as that
 * sounds, and it is only for tests (tests/test_sched_reference.c runs
 * both on random clusters and asserts they agree on every attempt).
 *
 * Interface: load a snapshot of the store (sched_ref_cluster_load), then
 * ask sched_ref_filter about a node and sched_ref_score about a set of
 * feasible nodes. The plugins are one table in sched_reference.c in
 * upstream's default order: adding a plugin is one row with a filter
 * function, a score function, or both.
 *
 * Ownership: the snapshot holds a reference to every object it lists;
 * sched_ref_cluster_release drops them. Verdicts are plain values; scores
 * are freed with sched_ref_scores_release.
 */
#ifndef KUBELAB_TESTS_SCHED_REFERENCE_H
#define KUBELAB_TESTS_SCHED_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "sched_args.h"
#include "sched_framework.h"

struct store;

/* What the reference sees of the cluster: every node, and every pod that
 * is not terminal (bound or pending), straight from the store. args are
 * the profile's pluginConfig (borrowed; NULL: upstream's defaults). */
struct sched_ref_cluster {
	const struct node **nodes;	/* sorted by name, as store_list gives */
	size_t nodes_len;
	const struct pod **pods;
	size_t pods_len;
	/* The pods bound to nodes[i], in the order they were added: the
	 * snapshot's only structure, built as pods are added, so that a
	 * question about one node does not walk every pod of the cluster. */
	struct sched_ref_bound {
		const struct pod **pods;
		size_t len;
	} *bound;
	const struct sched_fit_args *fit_args;
	const struct sched_balanced_args *balanced_args;
	const struct sched_spread_args *spread_args;
	const struct sched_inter_pod_affinity_args *inter_pod_affinity_args;
};

/* Fills c from the store (references taken): its nodes, and its pods.
 * The args are left NULL. */
void sched_ref_cluster_load(struct sched_ref_cluster *c, const struct store *store);
/* Only the nodes; the pods are then added one by one (a test that knows
 * better than the store what the scheduler has seen, e.g. a pod it has
 * assumed but not yet bound, or one deleted a moment ago). */
void sched_ref_cluster_load_nodes(struct sched_ref_cluster *c, const struct store *store);
/* Adds pod (a reference is taken); terminal pods are left out. */
void sched_ref_cluster_add_pod(struct sched_ref_cluster *c, const struct pod *pod);
void sched_ref_cluster_release(struct sched_ref_cluster *c);
/* The node named name, or NULL. */
const struct node *sched_ref_node(const struct sched_ref_cluster *c, const char *name);

/* One node's Filter verdict: the first plugin that rejects it (in the
 * profile's order), its code and its reasons joined by ", " -- exactly
 * what the explain hook reports. */
struct sched_ref_verdict {
	enum sched_code code;
	const char *plugin;		/* NULL when feasible */
	char reason[SCHED_STATUS_TEXT_MAX];
};

/* K8S: RunFilterPluginsWithNominatedPods: the verdict of node for pod,
 * counting first the pods nominated to node with a priority at least
 * pod's (they must fit too), then without them. */
void sched_ref_filter(const struct sched_ref_cluster *c, const struct pod *pod,
		      const struct node *node, struct sched_ref_verdict *out);

/* K8S: numFeasibleNodesToFind, from its definition. */
size_t sched_ref_num_to_find(int32_t percentage, size_t num_all_nodes);

#define SCHED_REF_PLUGINS_MAX 16

/* Scores over a set of feasible nodes. raw[i * SCHED_REF_PLUGINS_MAX + k]
 * and normalized[...] are the k-th score plugin's on nodes[i]. A plugin
 * whose PreScore would say Skip is listed with skipped[k] set and scores
 * 0 (which is what a skip contributes). */
struct sched_ref_scores {
	size_t plugins_len;
	const char *plugins[SCHED_REF_PLUGINS_MAX];
	int32_t weights[SCHED_REF_PLUGINS_MAX];
	bool skipped[SCHED_REF_PLUGINS_MAX];
	size_t nodes_len;
	int64_t *raw, *normalized;	/* owned */
	int64_t *totals;		/* owned; weighted sums per node */
};

/* K8S: RunPreScorePlugins + RunScorePlugins over nodes[0..len). */
void sched_ref_score(const struct sched_ref_cluster *c, const struct pod *pod,
		     const struct node *const *nodes, size_t len,
		     struct sched_ref_scores *out);
void sched_ref_scores_release(struct sched_ref_scores *out);

#endif
