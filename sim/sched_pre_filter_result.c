/* sched_pre_filter_result.c - PreFilterResult: "this pod can only go there".
 *
 * K8S: staging/src/k8s.io/kube-scheduler/framework/interface.go
 * (PreFilterResult, AllNodes, Merge), pkg/scheduler/framework/runtime/
 * framework.go (RunPreFilterPlugins: the merge and the empty-set status),
 * pkg/scheduler/schedule_one.go (findNodesThatFitPod: only the listed
 * nodes are filtered; the others count as "node(s) didn't satisfy
 * plugin(s) [...]").
 *
 * Most pods may go to any node, and Filter walks the whole list. Some
 * pods name their node outright: a DaemonSet pod carries the node
 * affinity term matchFields [metadata.name In [node-7]]. Walking 5000
 * nodes to find node-7 would be a waste, so a PreFilter plugin may answer
 * with a set of node names (NodeAffinity does, sched_node_affinity.c).
 * The framework intersects the sets of all plugins that gave one; an empty
 * intersection fails the pod at PreFilter (UnschedulableAndUnresolvable);
 * otherwise the cycle filters only those nodes, and every other node is
 * reported as "node(s) didn't satisfy plugin(s) [NodeAffinity]" in the
 * FailedScheduling message.
 *
 * Interface (sched_framework.h): sched_pre_filter_result_restrict (for a
 * PreFilter hook), _nodes (the cycle's narrowed list), _plugins and
 * _unsatisfied (the messages), _release.
 *
 * Invariants: nodes[] is sorted and holds no duplicate; narrowed is false
 * for "all nodes" (upstream's nil result), which costs a cycle nothing.
 * Upstream keeps the names in a Go map and walks them in random order;
 * kubelab walks them sorted, so runs repeat.
 */
#include "sched_framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_nodeinfo.h"
#include "xmalloc.h"

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_name(char *const *sorted, size_t len, const char *name)
{
	return bsearch(&name, sorted, len, sizeof(*sorted), compare_names) != NULL;
}

/* LAB: sched-pre-filter-result. K8S: PreFilterResult.Merge: nil (all
 * nodes) merged with a set is the set; two sets give their intersection. */
void sched_pre_filter_result_restrict(struct sched_state *state,
				      const char *const *names, size_t len)
{
	struct sched_pre_filter_result *r = &state->pre_filter_result;
	char **set = xcalloc(len + 1, sizeof(*set));
	size_t set_len = 0;
	for (size_t i = 0; i < len; i++)
		set[set_len++] = (char *)names[i];
	qsort(set, set_len, sizeof(*set), compare_names);
	size_t kept = 0;
	for (size_t i = 0; i < set_len; i++) {
		if (kept && !strcmp(set[kept - 1], set[i]))
			continue;	/* a set: once each */
		if (r->narrowed && !has_name(r->nodes, r->len, set[i]))
			continue;	/* not in the earlier plugins' sets */
		set[kept++] = set[i];
	}
	for (size_t i = 0; i < kept; i++)
		set[i] = xstrdup(set[i]);
	sched_pre_filter_result_release(r);
	r->narrowed = true;
	r->nodes = set;
	r->len = kept;
	if (state->running)
		r->narrowed_by |= 1u << state->running->id;
}

void sched_pre_filter_result_release(struct sched_pre_filter_result *result)
{
	for (size_t i = 0; i < result->len; i++)
		free(result->nodes[i]);
	free(result->nodes);
	result->nodes = NULL;
	result->len = 0;
	/* narrowed and narrowed_by stay: restrict replaces the set. */
}

size_t sched_pre_filter_result_nodes(const struct sched_pre_filter_result *result,
				     const struct sched_cache *cache,
				     struct sched_node_info **out)
{
	size_t n = 0;
	for (size_t i = 0; i < result->len; i++) {
		/* K8S: "PreRes may return nodeName(s) which do not exist". */
		const struct sched_node_info *node = sched_cache_node(cache, result->nodes[i]);
		if (node && node->listed)
			out[n++] = (struct sched_node_info *)node;
	}
	return n;
}

/* The names of the plugins in the narrowed_by bits, sorted, as Go prints
 * a []string: "[A B]". */
char *sched_pre_filter_result_plugins(const struct sched_pre_filter_result *result)
{
	const char *names[32];
	size_t len = 0;
	for (unsigned id = 0; id < 32 && id < SCHED_PLUGIN_MAX; id++) {
		if (!(result->narrowed_by & (1u << id)))
			continue;
		const struct sched_plugin *pl = sched_plugin_by_id((enum sched_plugin_id)id);
		if (pl)
			names[len++] = pl->name;
	}
	qsort(names, len, sizeof(*names), compare_names);
	char *out = xstrdup("[");
	for (size_t i = 0; i < len; i++) {
		char *next = xasprintf("%s%s%s", out, i ? " " : "", names[i]);
		free(out);
		out = next;
	}
	char *next = xasprintf("%s]", out);
	free(out);
	return next;
}

void sched_pre_filter_result_unsatisfied(const struct sched_pre_filter_result *result,
					 struct sched_status *status)
{
	sched_status_reset(status);
	char *plugins = sched_pre_filter_result_plugins(result);
	if (__builtin_popcount(result->narrowed_by) == 1) {
		/* "[NodeAffinity]" without its brackets */
		sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				  "node(s) didn't satisfy plugin %.*s",
				  (int)strlen(plugins) - 2, plugins + 1);
	} else {
		sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
				  "node(s) didn't satisfy plugin(s) %s simultaneously", plugins);
	}
	free(plugins);
}
