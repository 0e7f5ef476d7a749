/* sched_framework.c - running a profile's plugins; the cycle state.
 *
 * K8S: pkg/scheduler/framework/runtime/framework.go (RunPreFilterPlugins,
 * RunFilterPlugins, RunPreFilterExtensionAddPod/RemovePod,
 * RunPreScorePlugins, RunScorePlugins, RunReservePlugins,
 * RunPermitPlugins, RunPreBindPlugins, RunPostBindPlugins) and
 * framework/plugins/helper/normalize_score.go (DefaultNormalizeScore).
 * Statuses are in sched_status.c, the registry and profiles in
 * sched_registry.c, Diagnosis and FitError in sched_diagnosis.c.
 *
 * See sched_framework.h for the model. Nothing here allocates per node:
 * statuses live on the caller's stack, scores in the caller's arrays.
 */
#include "sched_framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "sched_parallel.h"
#include "xmalloc.h"

/* ---- cycle state --------------------------------------------------------- */

void sched_state_init(struct sched_state *state, const struct pod *pod,
		      struct sched_cache *cache)
{
	memset(state, 0, sizeof(*state));
	state->pod = pod;
	state->cache = cache;
}

void sched_state_write(struct sched_state *state, enum sched_plugin_id id,
		       void *data, void (*release)(void *data))
{
	if (state->data[id] && state->release[id])
		state->release[id](state->data[id]);
	state->data[id] = data;
	state->release[id] = release;
}

void sched_state_release(struct sched_state *state)
{
	for (size_t i = 0; i < SCHED_PLUGIN_MAX; i++)
		if (state->data[i] && state->release[i])
			state->release[i](state->data[i]);
	sched_pre_filter_result_release(&state->pre_filter_result);
	memset(state, 0, sizeof(*state));
}

/* sched_profile_plugin_runs, inline for this file's loops: with point a
 * constant, it folds to a bit test and a hook test. */
static inline bool entry_runs(const struct sched_profile_plugin *entry, enum sched_point point)
{
	const struct sched_plugin *pl = entry->plugin;
	if (entry->disabled & SCHED_POINT_BIT(point))
		return false;
	switch (point) {
	case SCHED_POINT_PRE_FILTER:
		return pl->pre_filter != NULL;
	case SCHED_POINT_FILTER:
		return pl->filter != NULL;
	case SCHED_POINT_POST_FILTER:
		return pl->post_filter != NULL;
	case SCHED_POINT_PRE_SCORE:
		return pl->pre_score != NULL;
	case SCHED_POINT_SCORE:
		return pl->score != NULL;
	case SCHED_POINT_RESERVE:
		return pl->reserve != NULL;
	case SCHED_POINT_PERMIT:
		return pl->permit != NULL;
	case SCHED_POINT_PRE_BIND:
		return pl->pre_bind != NULL;
	case SCHED_POINT_POST_BIND:
		return pl->post_bind != NULL;
	case SCHED_POINT_COUNT:
		break;
	}
	return false;
}

bool sched_profile_plugin_runs(const struct sched_profile_plugin *entry,
			       enum sched_point point)
{
	return entry_runs(entry, point);
}

bool sched_profile_has_score(const struct sched_profile *profile)
{
	for (size_t i = 0; i < profile->len; i++)
		if (entry_runs(&profile->plugins[i], SCHED_POINT_SCORE))
			return true;
	return false;
}

/* ---- running plugins ----------------------------------------------------- */

/* LAB: sched-sample. 5000 nodes: 50 - 40 = 10%, so 500 feasible nodes
 * are enough; the next cycle starts where this one stopped. */
size_t sched_num_feasible_nodes_to_find(int32_t percentage, size_t num_all_nodes)
{
	if (num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND)
		return num_all_nodes;
	int64_t p = percentage;
	if (p <= 0) {
		p = 50 - (int64_t)num_all_nodes / 125;
		if (p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
			p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
	}
	size_t n = (size_t)((int64_t)num_all_nodes * p / 100);
	return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

enum sched_code sched_run_pre_filter(const struct sched_profile *profile,
				     struct sched_state *state,
				     struct sched_status *status)
{
	sched_status_reset(status);
	state->filters_for = NULL;	/* the skips below change the list */
	for (size_t i = 0; i < profile->len; i++)
		state->args[profile->plugins[i].plugin->id] = profile->plugins[i].args;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!pl->filter ||
		    !entry_runs(&profile->plugins[i], SCHED_POINT_PRE_FILTER))
			continue;
		state->running = pl;	/* whose PreFilterResult this is */
		enum sched_code code = pl->pre_filter(state, state->pod, status);
		state->running = NULL;
		if (code == SCHED_SKIP) {
			state->skip_filter[pl->id] = true;
			continue;
		}
		if (code != SCHED_SUCCESS) {
			status->plugin = pl;
			return code;
		}
		/* LAB: sched-pre-filter-result. The intersection left no node:
		 * every node is out, and no Filter need run. */
		if (state->pre_filter_result.narrowed && !state->pre_filter_result.len) {
			sched_pre_filter_result_unsatisfied(&state->pre_filter_result, status);
			status->plugin = pl;
			return status->code;
		}
	}
	return SCHED_SUCCESS;
}

/* LAB: sched-pre-filter-extensions. Only plugins whose PreFilter state
 * exists hear of the change: a skipped plugin has nothing to update. */
static void run_pre_filter_extension(const struct sched_profile *profile,
				     struct sched_state *state,
				     const struct sched_pod_info *p,
				     const struct sched_node_info *node, bool add)
{
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!(add ? pl->add_pod : pl->remove_pod) || !pl->filter ||
		    state->skip_filter[pl->id] ||
		    !entry_runs(&profile->plugins[i], SCHED_POINT_PRE_FILTER))
			continue;
		if (add)
			pl->add_pod(state, state->pod, p, node);
		else
			pl->remove_pod(state, state->pod, p, node);
	}
}

void sched_run_pre_filter_add_pod(const struct sched_profile *profile,
				  struct sched_state *state,
				  const struct sched_pod_info *p,
				  const struct sched_node_info *node)
{
	run_pre_filter_extension(profile, state, p, node, true);
}

void sched_run_pre_filter_remove_pod(const struct sched_profile *profile,
				     struct sched_state *state,
				     const struct sched_pod_info *p,
				     const struct sched_node_info *node)
{
	run_pre_filter_extension(profile, state, p, node, false);
}

void sched_run_filter_prepare(const struct sched_profile *profile,
			      struct sched_state *state)
{
	if (state->filters_for == profile)
		return;
	/* Once per cycle: the same for every node. */
	const char *node_name = state->pod->spec.node_name;
	state->filters_len = 0;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		/* Speed only: NodeName's Filter passes every node for a pod
		 * without spec.nodeName -- every pod a cycle schedules --
		 * so it is left out of the walk over hundreds of nodes
		 * (upstream calls it; it returns Success). */
		if (pl == &sched_node_name_plugin && (!node_name || !*node_name))
			continue;
		if (!state->skip_filter[pl->id] &&
		    entry_runs(&profile->plugins[i], SCHED_POINT_FILTER))
			state->filters[state->filters_len++] = pl;
	}
	state->filters_for = profile;
}

/* Whether entry's plugin computed its per-cycle data in its Pre hook at
 * point (or has no such hook), so that its per-node hook only reads. */
static bool pre_hook_ran(const struct sched_profile_plugin *entry, enum sched_point point)
{
	const struct sched_plugin *pl = entry->plugin;
	bool has = point == SCHED_POINT_PRE_FILTER ? pl->pre_filter != NULL
						     : pl->pre_score != NULL;
	return !has || entry_runs(entry, point);
}

static const struct sched_profile_plugin *entry_of(const struct sched_profile *profile,
						   const struct sched_plugin *pl)
{
	for (size_t i = 0; i < profile->len; i++)
		if (profile->plugins[i].plugin == pl)
			return &profile->plugins[i];
	BUG_ON(true);	/* the filters come from the profile */
	return NULL;
}

bool sched_filter_parallel_safe(const struct sched_profile *profile,
				const struct sched_state *state)
{
	BUG_ON(state->filters_for != profile);
	for (size_t i = 0; i < state->filters_len; i++) {
		const struct sched_plugin *pl = state->filters[i];
		/* A student's plugin is not known to be thread-safe. */
		if (pl->id >= SCHED_PLUGIN_COUNT || pl->id == SCHED_PLUGIN_VOLUME_BINDING ||
		    pl->id == SCHED_PLUGIN_NODE_VOLUME_LIMITS ||
		    !pre_hook_ran(entry_of(profile, pl), SCHED_POINT_PRE_FILTER))
			return false;
	}
	return true;
}

enum sched_code sched_filter_rejected(const struct sched_plugin *pl, enum sched_code code,
				      struct sched_status *status)
{
	if (pl->id >= SCHED_PLUGIN_COUNT &&
	    (code == SCHED_SKIP || code > SCHED_ERROR || status->reasons_len == 0)) {
		/* A loaded plugin broke the contract: say so on the node
		 * rather than trusting it. */
		sched_status_reset(status);
		code = sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					 "plugin %s returned an invalid Filter status",
					 pl->name);
	}
	BUG_ON(code == SCHED_SKIP || status->reasons_len == 0);
	status->plugin = pl;
	return code;
}

/* LAB: sched-filter. The first plugin that says no decides; the others
 * are not asked, so a node shows one plugin's reasons (the loop is
 * sched_run_filter_prepared, in sched_framework.h). */
enum sched_code sched_run_filter(const struct sched_profile *profile,
				 struct sched_state *state,
				 const struct sched_node_info *node,
				 struct sched_status *status)
{
	sched_status_reset(status);
	sched_run_filter_prepare(profile, state);
	return sched_run_filter_prepared(state, node, status);
}

void sched_post_filter_result_release(struct sched_post_filter_result *result)
{
	free(result->message);
	free(result->nominated_node);
	for (size_t i = 0; i < result->victims_len; i++)
		free(result->victims[i]);
	free(result->victims);
	memset(result, 0, sizeof(*result));
}

/* LAB: sched-post-filter. Upstream stops at the first plugin that returns
 * Success (or an error); with one PostFilter plugin, DefaultPreemption,
 * that is simply its answer. */
enum sched_code sched_run_post_filter(const struct sched_profile *profile,
				      struct sched_state *state,
				      const struct sched_post_filter_input *in,
				      struct sched_post_filter_result *result)
{
	memset(result, 0, sizeof(*result));
	enum sched_code code = SCHED_UNSCHEDULABLE;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!entry_runs(&profile->plugins[i], SCHED_POINT_POST_FILTER))
			continue;
		sched_post_filter_result_release(result);
		code = pl->post_filter(state, state->pod, in, result);
		if (code == SCHED_SUCCESS)
			break;
	}
	return code;
}

/* One Score loop: the plugins that score this cycle, and where their raw
 * scores go (row k of rows for plugins[k]). */
struct score_job {
	struct sched_state *state;
	struct sched_node_info *const *nodes;
	size_t len;
	const struct sched_plugin *plugins[SCHED_PLUGIN_MAX];
	size_t plugins_len;
	int64_t *rows;
	/* summed[k]: plugins[k] has no NormalizeScore (and nobody asked
	 * for the raw scores): its score times weight[k] goes straight into
	 * totals, without a row to write and read back. */
	bool summed[SCHED_PLUGIN_MAX];
	int64_t weight[SCHED_PLUGIN_MAX];
	int64_t *totals;
};

/* Nodes scored by every plugin before the next nodes (sched_run_score):
 * 64 nodes' infos, a few cache lines each, fit in the L1 cache. */
#define SCORE_BLOCK 64

/* Nodes [lo, hi) of every plugin's row: plugin after plugin, as the
 * serial loop ran them. Writes only its own cells: safe on any thread.
 * (Node after node, loading each node once, was tried: the calls cost
 * more instructions than the cache saved cycles.) */
static void score_range(void *arg, size_t lo, size_t hi)
{
	const struct score_job *job = arg;
	for (size_t k = 0; k < job->plugins_len; k++) {
		const struct sched_plugin *pl = job->plugins[k];
		if (job->summed[k]) {
			int64_t weight = job->weight[k];
			for (size_t n = lo; n < hi; n++)
				job->totals[n] += weight * pl->score(job->state, job->state->pod,
								    job->nodes[n]);
			continue;
		}
		int64_t *row = job->rows + k * job->len;
		for (size_t n = lo; n < hi; n++)
			row[n] = pl->score(job->state, job->state->pod, job->nodes[n]);
	}
}

/* How many of row's scores, from the first, are within 0..100. */
static size_t scores_valid(const int64_t *row, size_t len)
{
	size_t n = 0;
	while (n < len && row[n] >= 0 && row[n] <= SCHED_MAX_NODE_SCORE)
		n++;
	return n;
}

static bool scores_in_range(const int64_t *row, size_t len)
{
	return scores_valid(row, len) == len;
}

/* The cycle's error naming the first score of row out of range. */
static enum sched_code invalid_score(struct sched_state *state, const struct sched_plugin *pl,
				     const int64_t *row, size_t len)
{
	size_t n = scores_valid(row, len);
	snprintf(state->error, sizeof(state->error),
		 "applying score defaultWeights on Score plugins: "
		 "plugin \"%s\" returns an invalid score %lld, it "
		 "should in the range of [0, %d] after normalizing",
		 pl->name, (long long)row[n], SCHED_MAX_NODE_SCORE);
	return SCHED_ERROR;
}

/* LAB: sched-score. Each plugin scores every feasible node, normalizes,
 * and its weight multiplies the result into the node's total. Scoring
 * one node is independent of the others, so the raw scores may be
 * computed on several threads (K8S: RunScorePlugins' Parallelizer.Until
 * over nodes); normalizing looks at all of them and stays serial. */
enum sched_code sched_run_score(const struct sched_profile *profile,
		     struct sched_state *state,
		     struct sched_node_info *const *nodes, size_t len,
		     int64_t *scratch, int64_t *totals,
		     struct sched_score_detail *detail)
{
	memset(totals, 0, len * sizeof(*totals));
	if (detail)
		detail->plugins_len = 0;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (entry_runs(&profile->plugins[i], SCHED_POINT_SCORE) &&
		    entry_runs(&profile->plugins[i], SCHED_POINT_PRE_SCORE) &&
		    pl->pre_score(state, state->pod, nodes, len) == SCHED_SKIP)
			state->skip_score[pl->id] = true;
	}
	struct score_job job = {
		.state = state, .nodes = nodes, .len = len, .rows = scratch, .totals = totals,
	};
	const struct sched_profile_plugin *entries[SCHED_PLUGIN_MAX];
	bool parallel = state->parallel && len >= state->parallel_min;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (state->skip_score[pl->id] ||
		    !entry_runs(&profile->plugins[i], SCHED_POINT_SCORE))
			continue;
		/* A student's plugin, or one scoring lazily what a disabled
		 * PreScore did not compute, runs on this thread. */
		if (pl->id >= SCHED_PLUGIN_COUNT ||
		    !pre_hook_ran(&profile->plugins[i], SCHED_POINT_PRE_SCORE))
			parallel = false;
		entries[job.plugins_len] = &profile->plugins[i];
		/* Only a built-in plugin's score is known to be in range. */
		job.summed[job.plugins_len] = !pl->normalize_score && !detail &&
					      pl->id < SCHED_PLUGIN_COUNT;
		job.weight[job.plugins_len] = profile->plugins[i].weight;
		job.plugins[job.plugins_len++] = pl;
	}
	if (parallel) {
		sched_parallel_for(state->parallel, len, score_range, &job);
	} else {
		/* A block of nodes at a time, every plugin over it: the
		 * block's node infos stay in the first-level cache from one
		 * plugin to the next. */
		for (size_t lo = 0; lo < len; lo += SCORE_BLOCK)
			score_range(&job, lo, lo + SCORE_BLOCK < len ? lo + SCORE_BLOCK : len);
	}
	for (size_t k = 0; k < job.plugins_len; k++) {
		const struct sched_plugin *pl = job.plugins[k];
		int64_t weight = entries[k]->weight;
		int64_t *row = scratch + k * len;
		if (job.summed[k])
			continue;	/* already in totals */
		if (detail) {	/* once per plugin, not per node, when unused */
			detail->plugins[detail->plugins_len++] = entries[k];
			for (size_t n = 0; n < len; n++)
				detail->raw[n * SCHED_PLUGIN_MAX + k] = row[n];
		}
		if (pl->normalize_score)
			pl->normalize_score(state, state->pod, row, len);
		if (detail)
			for (size_t n = 0; n < len; n++)
				detail->normalized[n * SCHED_PLUGIN_MAX + k] = row[n];
		/* K8S: RunScorePlugins rejects scores out of range and
		 * fails the cycle. Built-in plugins never give one: only a
		 * loaded plugin's row is checked. */
		if (pl->id >= SCHED_PLUGIN_COUNT && !scores_in_range(row, len))
			return invalid_score(state, pl, row, len);
		for (size_t n = 0; n < len; n++)
			totals[n] += row[n] * weight;
	}
	return SCHED_SUCCESS;
}

/* LAB: sched-reserve. Reserve, Permit and PreBind share one shape: run
 * each enabled plugin in turn, stop at the first "no". */
static enum sched_code run_after_select(const struct sched_profile *profile,
					struct sched_state *state, const char *node_name,
					enum sched_point point, struct sched_status *status)
{
	sched_status_reset(status);
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!entry_runs(&profile->plugins[i], point))
			continue;
		enum sched_code code =
			point == SCHED_POINT_RESERVE ? pl->reserve(state, state->pod, node_name, status)
			: point == SCHED_POINT_PERMIT ? pl->permit(state, state->pod, node_name, status)
			: pl->pre_bind(state, state->pod, node_name, status);
		if (code == SCHED_SUCCESS)
			continue;
		if (code == SCHED_SKIP || code == SCHED_WAIT || status->reasons_len == 0) {
			/* A plugin with nothing to say about its "no". */
			sched_status_reset(status);
			code = sched_status_addf(status, SCHED_ERROR,
						 "plugin %s returned %s without a reason",
						 pl->name, sched_code_name(code));
		}
		status->plugin = pl;
		return code;
	}
	return SCHED_SUCCESS;
}

enum sched_code sched_run_reserve(const struct sched_profile *profile,
				  struct sched_state *state, const char *node_name,
				  struct sched_status *status)
{
	return run_after_select(profile, state, node_name, SCHED_POINT_RESERVE, status);
}

void sched_run_unreserve(const struct sched_profile *profile,
			 struct sched_state *state, const char *node_name)
{
	for (size_t i = profile->len; i-- > 0;) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (pl->unreserve &&
		    entry_runs(&profile->plugins[i], SCHED_POINT_RESERVE))
			pl->unreserve(state, state->pod, node_name);
	}
}

/* K8S: runtime.maxTimeout: no plugin may hold a pod longer. */
#define PERMIT_MAX_TIMEOUT (15 * 60 * KTIME_SECOND)

/* LAB: sched-permit. Unlike Reserve and PreBind, a Wait does not stop
 * the loop: the others still get their say, and the pod waits for every
 * plugin that asked it to. */
enum sched_code sched_run_permit(const struct sched_profile *profile,
				 struct sched_state *state, const char *node_name,
				 struct sched_status *status,
				 struct sched_permit_waits *waits)
{
	waits->len = 0;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!entry_runs(&profile->plugins[i], SCHED_POINT_PERMIT))
			continue;
		sched_status_reset(status);
		enum sched_code code = pl->permit(state, state->pod, node_name, status);
		if (code == SCHED_WAIT) {
			ktime_t timeout = status->wait_timeout;
			if (timeout > PERMIT_MAX_TIMEOUT)
				timeout = PERMIT_MAX_TIMEOUT;
			waits->plugins[waits->len] = pl;
			waits->timeouts[waits->len++] = timeout < 0 ? 0 : timeout;
			continue;
		}
		if (code == SCHED_SUCCESS)
			continue;
		if (code == SCHED_SKIP || code > SCHED_WAIT || status->reasons_len == 0) {
			sched_status_reset(status);
			code = sched_status_addf(status, SCHED_ERROR,
						 "plugin %s returned %s without a reason",
						 pl->name, code > SCHED_WAIT ? "a bad code"
						 : sched_code_name(code));
		}
		status->plugin = pl;
		return code;
	}
	sched_status_reset(status);
	if (!waits->len)
		return SCHED_SUCCESS;
	/* K8S: the status RunPermitPlugins returns with Wait. */
	return sched_status_addf(status, SCHED_WAIT,
				 "one or more plugins asked to wait and no plugin rejected pod \"%s\"",
				 state->pod->obj.meta.name);
}

enum sched_code sched_run_pre_bind(const struct sched_profile *profile,
				   struct sched_state *state, const char *node_name,
				   struct sched_status *status)
{
	return run_after_select(profile, state, node_name, SCHED_POINT_PRE_BIND, status);
}

void sched_run_post_bind(const struct sched_profile *profile,
			 struct sched_state *state, const char *node_name)
{
	for (size_t i = 0; i < profile->len; i++)
		if (entry_runs(&profile->plugins[i], SCHED_POINT_POST_BIND))
			profile->plugins[i].plugin->post_bind(state, state->pod, node_name);
}

void sched_default_normalize_score(int64_t max_priority, bool reverse,
				   int64_t *scores, size_t len)
{
	int64_t max = 0;
	for (size_t i = 0; i < len; i++)
		if (scores[i] > max)
			max = scores[i];
	if (max == 0) {
		/* All equal at zero: reversed, every node is the best. */
		if (reverse)
			for (size_t i = 0; i < len; i++)
				scores[i] = max_priority;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		int64_t score = max_priority * scores[i] / max;
		scores[i] = reverse ? max_priority - score : score;
	}
}
