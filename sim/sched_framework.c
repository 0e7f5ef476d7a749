/* sched_framework.c - running a profile's plugins; statuses; FitError.
 *
 * K8S: pkg/scheduler/framework/runtime/framework.go (RunPreFilterPlugins,
 * RunFilterPlugins, RunPreFilterExtensionAddPod/RemovePod,
 * RunPreScorePlugins, RunScorePlugins),
 * framework/plugins/helper/normalize_score.go (DefaultNormalizeScore),
 * framework/types.go (Diagnosis, FitError.Error) and
 * apis/config/v1/default_plugins.go (the default profile).
 *
 * See sched_framework.h for the model. Nothing here allocates per node:
 * statuses live on the caller's stack, scores in the caller's arrays. Only
 * a failing cycle's diagnosis allocates, once per distinct reason.
 */
#include "sched_framework.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "sched_parallel.h"
#include "xmalloc.h"

const char *sched_code_name(enum sched_code code)
{
	static const char *const names[] = {
		[SCHED_SUCCESS] = "Success",
		[SCHED_UNSCHEDULABLE] = "Unschedulable",
		[SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE] = "UnschedulableAndUnresolvable",
		[SCHED_SKIP] = "Skip",
		[SCHED_ERROR] = "Error",
		[SCHED_WAIT] = "Wait",
	};
	return names[code];
}

/* ---- statuses ------------------------------------------------------------ */

static void raise_code(struct sched_status *status, enum sched_code code)
{
	if (status->code == SCHED_SUCCESS || code == SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE)
		status->code = code;
}

enum sched_code sched_status_add(struct sched_status *status,
				 enum sched_code code, const char *reason)
{
	raise_code(status, code);
	if (status->reasons_len < SCHED_STATUS_REASONS_MAX)
		status->reasons[status->reasons_len++] = reason;
	return status->code;
}

void sched_status_copy(struct sched_status *dst, const struct sched_status *src)
{
	*dst = *src;
	for (size_t i = 0; i < dst->reasons_len; i++) {
		uintptr_t at = (uintptr_t)src->reasons[i] - (uintptr_t)src->text;
		if (at < sizeof(src->text))
			dst->reasons[i] = dst->text + at;
	}
}

enum sched_code sched_status_addf(struct sched_status *status,
				  enum sched_code code, const char *fmt, ...)
{
	size_t room = SCHED_STATUS_TEXT_MAX - status->text_len;
	if (room == 0 || status->reasons_len == SCHED_STATUS_REASONS_MAX) {
		raise_code(status, code);
		return status->code;
	}
	char *at = status->text + status->text_len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	BUG_ON(n < 0);
	status->text_len += (size_t)n < room ? (size_t)n + 1 : room;
	return sched_status_add(status, code, at);
}

/* K8S: runtime.maxTimeout: no plugin may hold a pod longer. */
#define PERMIT_MAX_TIMEOUT (15 * 60 * KTIME_SECOND)

enum sched_code sched_status_wait(struct sched_status *status, ktime_t timeout)
{
	status->code = SCHED_WAIT;
	status->wait_timeout = timeout;
	return SCHED_WAIT;
}

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

/* ---- registry and profiles ----------------------------------------------- */

/* In upstream's default order (default_plugins.go): Filter runs plugins in
 * this order and stops at the first rejection. */
static const struct sched_plugin *const registry[SCHED_PLUGIN_COUNT] = {
	[SCHED_PLUGIN_NODE_UNSCHEDULABLE] = &sched_node_unschedulable_plugin,
	[SCHED_PLUGIN_NODE_NAME] = &sched_node_name_plugin,
	[SCHED_PLUGIN_TAINT_TOLERATION] = &sched_taint_toleration_plugin,
	[SCHED_PLUGIN_NODE_AFFINITY] = &sched_node_affinity_plugin,
	[SCHED_PLUGIN_NODE_PORTS] = &sched_node_ports_plugin,
	[SCHED_PLUGIN_NODE_RESOURCES_FIT] = &sched_fit_plugin,
	[SCHED_PLUGIN_POD_TOPOLOGY_SPREAD] = &sched_topology_spread_plugin,
	[SCHED_PLUGIN_INTER_POD_AFFINITY] = &sched_inter_pod_affinity_plugin,
	[SCHED_PLUGIN_DEFAULT_PREEMPTION] = &sched_default_preemption_plugin,
	[SCHED_PLUGIN_VOLUME_RESTRICTIONS] = &sched_volume_restrictions_plugin,
	[SCHED_PLUGIN_NODE_VOLUME_LIMITS] = &sched_node_volume_limits_plugin,
	[SCHED_PLUGIN_VOLUME_BINDING] = &sched_volume_binding_plugin,
	[SCHED_PLUGIN_VOLUME_ZONE] = &sched_volume_zone_plugin,
	[SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION] = &sched_balanced_allocation_plugin,
	[SCHED_PLUGIN_IMAGE_LOCALITY] = &sched_image_locality_plugin,
};

/* Out-of-tree plugins, in the order registered: process-wide, as the
 * registry kube-scheduler is built with. Never freed. */
static struct sched_plugin extra[SCHED_PLUGIN_EXTRA_MAX];
static size_t extra_len;

const struct sched_plugin *sched_plugin_lookup(const char *name)
{
	for (size_t i = 0; i < SCHED_PLUGIN_COUNT; i++)
		if (registry[i] && !strcmp(registry[i]->name, name))
			return registry[i];
	for (size_t i = 0; i < extra_len; i++)
		if (!strcmp(extra[i].name, name))
			return &extra[i];
	return NULL;
}

const struct sched_plugin *sched_plugin_by_id(enum sched_plugin_id id)
{
	if ((size_t)id < SCHED_PLUGIN_COUNT)
		return registry[id];
	if ((size_t)id - SCHED_PLUGIN_COUNT < extra_len)
		return &extra[id - SCHED_PLUGIN_COUNT];
	return NULL;
}

const struct sched_plugin *sched_plugin_register(const struct sched_plugin *plugin,
						 const char **why)
{
	if (!plugin->name || !*plugin->name) {
		*why = "a plugin needs a name";
		return NULL;
	}
	if (sched_plugin_lookup(plugin->name)) {
		*why = "a plugin of that name is already registered";
		return NULL;
	}
	if (extra_len == SCHED_PLUGIN_EXTRA_MAX) {
		*why = "too many plugins loaded (at most 8)";
		return NULL;
	}
	struct sched_plugin *copy = &extra[extra_len];
	*copy = *plugin;
	copy->id = (enum sched_plugin_id)(SCHED_PLUGIN_COUNT + extra_len++);
	return copy;
}

bool sched_profile_plugin_runs(const struct sched_profile_plugin *entry,
			       enum sched_point point)
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

void sched_profile_default(struct sched_profile *profile,
			   const char *scheduler_name)
{
	memset(profile, 0, sizeof(*profile));
	profile->scheduler_name = scheduler_name;
	for (size_t i = 0; i < SCHED_PLUGIN_COUNT; i++) {
		if (!registry[i])
			continue;
		BUG_ON(registry[i]->id != (enum sched_plugin_id)i);
		profile->plugins[profile->len++] = (struct sched_profile_plugin){
			.plugin = registry[i], .weight = registry[i]->default_weight,
		};
	}
}

int sched_profile_enable(struct sched_profile *profile, const char *name,
			 int32_t weight)
{
	const struct sched_plugin *plugin = sched_plugin_lookup(name);
	if (!plugin || (plugin->score && weight <= 0))
		return -1;
	for (size_t i = 0; i < profile->len; i++) {
		if (profile->plugins[i].plugin == plugin) {
			profile->plugins[i].weight = weight;
			return 0;
		}
	}
	BUG_ON(profile->len >= SCHED_PLUGIN_MAX);
	profile->plugins[profile->len++] = (struct sched_profile_plugin){
		.plugin = plugin, .weight = weight,
	};
	return 0;
}

int sched_profile_disable(struct sched_profile *profile, const char *name)
{
	for (size_t i = 0; i < profile->len; i++) {
		if (strcmp(profile->plugins[i].plugin->name, name))
			continue;
		memmove(&profile->plugins[i], &profile->plugins[i + 1],
			(profile->len - i - 1) * sizeof(profile->plugins[0]));
		profile->len--;
		return 0;
	}
	return -1;
}

bool sched_profile_has_score(const struct sched_profile *profile)
{
	for (size_t i = 0; i < profile->len; i++)
		if (sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_SCORE))
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
		    !sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_PRE_FILTER))
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
		    !sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_PRE_FILTER))
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
	state->filters_len = 0;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (!state->skip_filter[pl->id] &&
		    sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_FILTER))
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
	return !has || sched_profile_plugin_runs(entry, point);
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

/* LAB: sched-filter. The first plugin that says no decides; the others
 * are not asked, so a node shows one plugin's reasons. */
enum sched_code sched_run_filter(const struct sched_profile *profile,
				 struct sched_state *state,
				 const struct sched_node_info *node,
				 struct sched_status *status)
{
	sched_status_reset(status);
	sched_run_filter_prepare(profile, state);
	for (size_t i = 0; i < state->filters_len; i++) {
		const struct sched_plugin *pl = state->filters[i];
		enum sched_code code = pl->filter(state, state->pod, node, status);
		if (code != SCHED_SUCCESS && pl->id >= SCHED_PLUGIN_COUNT &&
		    (code == SCHED_SKIP || code > SCHED_ERROR ||
		     status->reasons_len == 0)) {
			/* A loaded plugin broke the contract: say so on the
			 * node rather than trusting it. */
			sched_status_reset(status);
			code = sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
						 "plugin %s returned an invalid Filter status",
						 pl->name);
		}
		if (code != SCHED_SUCCESS) {
			BUG_ON(code == SCHED_SKIP || status->reasons_len == 0);
			status->plugin = pl;
			return code;
		}
	}
	return SCHED_SUCCESS;
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
		if (!sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_POST_FILTER))
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
};

/* Nodes [lo, hi) of every plugin's row: plugin after plugin, as the
 * serial loop ran them. Writes only its own cells: safe on any thread. */
static void score_range(void *arg, size_t lo, size_t hi)
{
	const struct score_job *job = arg;
	for (size_t k = 0; k < job->plugins_len; k++) {
		const struct sched_plugin *pl = job->plugins[k];
		int64_t *row = job->rows + k * job->len;
		for (size_t n = lo; n < hi; n++)
			row[n] = pl->score(job->state, job->state->pod, job->nodes[n]);
	}
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
		if (sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_SCORE) &&
		    sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_PRE_SCORE) &&
		    pl->pre_score(state, state->pod, nodes, len) == SCHED_SKIP)
			state->skip_score[pl->id] = true;
	}
	struct score_job job = { .state = state, .nodes = nodes, .len = len, .rows = scratch };
	const struct sched_profile_plugin *entries[SCHED_PLUGIN_MAX];
	bool parallel = state->parallel && len >= state->parallel_min;
	for (size_t i = 0; i < profile->len; i++) {
		const struct sched_plugin *pl = profile->plugins[i].plugin;
		if (state->skip_score[pl->id] ||
		    !sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_SCORE))
			continue;
		/* A student's plugin, or one scoring lazily what a disabled
		 * PreScore did not compute, runs on this thread. */
		if (pl->id >= SCHED_PLUGIN_COUNT ||
		    !pre_hook_ran(&profile->plugins[i], SCHED_POINT_PRE_SCORE))
			parallel = false;
		entries[job.plugins_len] = &profile->plugins[i];
		job.plugins[job.plugins_len++] = pl;
	}
	if (parallel)
		sched_parallel_for(state->parallel, len, score_range, &job);
	else
		score_range(&job, 0, len);
	for (size_t k = 0; k < job.plugins_len; k++) {
		const struct sched_plugin *pl = job.plugins[k];
		int64_t weight = entries[k]->weight;
		int64_t *row = scratch + k * len;
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
		for (size_t n = 0; n < len; n++) {
			/* K8S: RunScorePlugins rejects scores out of range and
			 * fails the cycle. Built-in plugins never do. */
			if (row[n] < 0 || row[n] > SCHED_MAX_NODE_SCORE) {
				BUG_ON(pl->id < SCHED_PLUGIN_COUNT);
				snprintf(state->error, sizeof(state->error),
					 "applying score defaultWeights on Score plugins: "
					 "plugin \"%s\" returns an invalid score %lld, it "
					 "should in the range of [0, %d] after normalizing",
					 pl->name, (long long)row[n], SCHED_MAX_NODE_SCORE);
				return SCHED_ERROR;
			}
			totals[n] += row[n] * weight;
		}
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
		if (!sched_profile_plugin_runs(&profile->plugins[i], point))
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
		    sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_RESERVE))
			pl->unreserve(state, state->pod, node_name);
	}
}

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
		if (!sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_PERMIT))
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
		if (sched_profile_plugin_runs(&profile->plugins[i], SCHED_POINT_POST_BIND))
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

/* ---- diagnosis and FitError ---------------------------------------------- */

void sched_diagnosis_reset(struct sched_diagnosis *d, size_t num_all_nodes)
{
	for (size_t i = 0; i < d->reasons_len; i++)
		free(d->reasons[i].reason);
	d->reasons_len = 0;
	free(d->pre_filter_msg);
	free(d->post_filter_msg);
	d->pre_filter_msg = d->post_filter_msg = NULL;
	d->num_all_nodes = num_all_nodes;
	d->rejected_by = 0;
}

/* The index of reason in d's counts, added (with no nodes yet) when it
 * is not there. */
static size_t diagnosis_slot(struct sched_diagnosis *d, const char *reason)
{
	size_t i = 0;
	while (i < d->reasons_len && strcmp(d->reasons[i].reason, reason))
		i++;
	if (i == d->reasons_len) {
		xgrow((void **)&d->reasons, &d->reasons_cap, d->reasons_len + 1,
		      sizeof(*d->reasons));
		d->reasons[d->reasons_len++] =
			(struct sched_reason_count){ xstrdup(reason), 0, NULL };
	}
	return i;
}

void sched_diagnosis_add(struct sched_diagnosis *d,
			 const struct sched_status *status)
{
	if (status->plugin)
		d->rejected_by |= 1u << status->plugin->id;
	uintptr_t text = (uintptr_t)status->text;
	for (size_t r = 0; r < status->reasons_len; r++) {
		const char *reason = status->reasons[r];
		/* Formatted reasons live in text[], reused node after node. */
		bool is_static = (uintptr_t)reason - text >= sizeof(status->text);
		size_t i = 0;
		while (is_static && i < d->reasons_len && d->reasons[i].seen != reason)
			i++;
		if (!is_static || i == d->reasons_len)
			i = diagnosis_slot(d, reason);
		if (is_static)
			d->reasons[i].seen = reason;
		d->reasons[i].nodes++;
	}
}

void sched_diagnosis_add_nodes(struct sched_diagnosis *d, const char *reason,
			       size_t nodes)
{
	size_t i = diagnosis_slot(d, reason);	/* first: it may move reasons */
	d->reasons[i].nodes += nodes;
}

void sched_diagnosis_release(struct sched_diagnosis *d)
{
	sched_diagnosis_reset(d, 0);
	free(d->reasons);
	memset(d, 0, sizeof(*d));
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LAB: sched-fit-error. "<count> <reason>" strings are sorted as strings,
 * as upstream does: "1 node(s) were unschedulable" before "2 Insufficient
 * cpu" -- and "10 ..." before "2 ...". */
char *sched_fit_error_message(const struct sched_diagnosis *d)
{
	char *msg = xasprintf("0/%zu nodes are available:", d->num_all_nodes);
	char *next;
	if (d->pre_filter_msg) {
		next = xasprintf("%s %s.", msg, d->pre_filter_msg);
		free(msg);
		msg = next;
	} else if (d->reasons_len) {
		char **parts = xcalloc(d->reasons_len, sizeof(*parts));
		for (size_t i = 0; i < d->reasons_len; i++)
			parts[i] = xasprintf("%zu %s", d->reasons[i].nodes,
					     d->reasons[i].reason);
		qsort(parts, d->reasons_len, sizeof(*parts), compare_strings);
		for (size_t i = 0; i < d->reasons_len; i++) {
			next = xasprintf("%s%s%s%s", msg, i ? ", " : " ", parts[i],
					 i + 1 == d->reasons_len ? "." : "");
			free(msg);
			free(parts[i]);
			msg = next;
		}
		free(parts);
	}
	if (d->post_filter_msg) {
		next = xasprintf("%s %s", msg, d->post_filter_msg);
		free(msg);
		msg = next;
	}
	return msg;
}
