/* sched_config.c - reading a KubeSchedulerConfiguration into profiles.
 *
 * K8S: apis/config/v1/defaults.go (SetDefaults_KubeSchedulerConfiguration:
 * no profiles means one default-scheduler profile), v1/default_plugins.go
 * (mergePlugins, mergePluginSet), validation/validation.go and
 * framework/runtime/framework.go (updatePluginList, expandMultiPointPlugins,
 * getScoreWeights). See sched_config.h for the model.
 *
 * How a profile's plugins come out, upstream's way:
 *   1. multiPoint: the default plugins with their weights, minus
 *      multiPoint.disabled ("*": all of them); each multiPoint.enabled
 *      entry replaces a default of the same name in place (its weight
 *      wins, and an unset weight is 1, not the default's) or is appended;
 *   2. per extension point P (preFilter, filter, preScore, score,
 *      reserve, permit, preBind, postBind): the
 *      plugins named in P.enabled that are also multiPoint plugins, in
 *      P.enabled's order; then the multiPoint plugins that implement P,
 *      minus P.disabled; then the rest of P.enabled. "*" in P.disabled
 *      leaves only P.enabled;
 *   3. a score plugin's weight: its score.enabled entry's, else its
 *      multiPoint entry's; 0 means 1.
 * kubelab keeps one list of plugins per profile (sched_framework.h), in
 * Filter's order, with the points each plugin is left out of; the other
 * points' order follows Filter's (it only matters for which PreFilter
 * rejection is reported first).
 */
#include "sched_config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "xmalloc.h"

/* ---- the reader ---------------------------------------------------------- */

void cfg_error(struct cfg *c, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(c->diags, c->file, at ? at->line : 0, at ? at->column : 0, fmt, ap);
	va_end(ap);
	c->errors++;
}

bool cfg_want(struct cfg *c, const struct ynode *node, enum ynode_kind kind,
	      const char *path)
{
	if (node->kind == kind)
		return true;
	cfg_error(c, node, "%s: expected %s, got %s", path,
		  kind == YNODE_MAP ? "a mapping" : kind == YNODE_SEQ ? "a list"
								  : "a scalar",
		  ynode_describe(node));
	return false;
}

void cfg_check_keys(struct cfg *c, const struct ynode *map, const char *path,
		    const char *const known[])
{
	for (size_t i = 0; i < map->len; i++) {
		const struct ynode *key = map->pairs[i].key;
		size_t k = 0;
		while (known[k] && strcmp(known[k], key->scalar))
			k++;
		if (!known[k])
			cfg_error(c, key, "unknown field \"%s%s%s\"", path,
				  *path ? "." : "", key->scalar);
	}
}

const struct ynode *cfg_get(const struct ynode *map, const char *key)
{
	const struct ynode *node = ynode_get(map, key);
	return node && !ynode_is_null(node) ? node : NULL;
}

int cfg_string(struct cfg *c, const struct ynode *node, const char *path,
	       const char **out)
{
	if (node->kind != YNODE_SCALAR || ynode_scalar_type(node) != YSCALAR_STRING) {
		cfg_error(c, node, "%s: expected a string, got %s", path,
			  ynode_describe(node));
		return -1;
	}
	*out = node->scalar;
	return 0;
}

int cfg_int32(struct cfg *c, const struct ynode *node, const char *path,
	      int32_t *out)
{
	int64_t v;
	if (node->kind != YNODE_SCALAR || ynode_int64(node, &v) ||
	    v < INT32_MIN || v > INT32_MAX) {
		cfg_error(c, node, "%s: expected a 32-bit integer, got %s", path,
			  ynode_describe(node));
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

int cfg_bool(struct cfg *c, const struct ynode *node, const char *path, bool *out)
{
	if (node->kind != YNODE_SCALAR || ynode_bool(node, out)) {
		cfg_error(c, node, "%s: expected a boolean, got %s", path,
			  ynode_describe(node));
		return -1;
	}
	return 0;
}

/* ---- plugin sets --------------------------------------------------------- */

/* The extension points a profile may name. point < 0: kubelab reads the
 * set (names must exist) but does not run plugins there. */
static const struct point_desc {
	const char *key;		/* plugins.<key> */
	const char *type;		/* upstream's interface, for messages */
	int point;			/* enum sched_point, or -1 */
} points[] = {
	{ "preEnqueue", "PreEnqueuePlugin", -1 },
	{ "queueSort", "QueueSortPlugin", -1 },
	{ "preFilter", "PreFilterPlugin", SCHED_POINT_PRE_FILTER },
	{ "filter", "FilterPlugin", SCHED_POINT_FILTER },
	{ "postFilter", "PostFilterPlugin", SCHED_POINT_POST_FILTER },
	{ "preScore", "PreScorePlugin", SCHED_POINT_PRE_SCORE },
	{ "score", "ScorePlugin", SCHED_POINT_SCORE },
	{ "reserve", "ReservePlugin", SCHED_POINT_RESERVE },
	{ "permit", "PermitPlugin", SCHED_POINT_PERMIT },
	{ "preBind", "PreBindPlugin", SCHED_POINT_PRE_BIND },
	{ "bind", "BindPlugin", -1 },
	{ "postBind", "PostBindPlugin", SCHED_POINT_POST_BIND },
	{ "multiPoint", "PreFilterPlugin", -1 },	/* upstream names the first */
};
#define POINTS_LEN (sizeof(points) / sizeof(points[0]))
#define MULTI_POINT (POINTS_LEN - 1)

/* Upstream's in-tree plugins kubelab does not have (yet): disabling one is
 * fine (a real config often does), enabling one is an error. */
static const char *const upstream_only[] = {
	"PrioritySort", "SchedulingGates", "DefaultBinder",
	"PodTopologySpread", "InterPodAffinity", "DynamicResources", NULL
};

static bool is_upstream_only(const char *name)
{
	for (size_t i = 0; upstream_only[i]; i++)
		if (!strcmp(upstream_only[i], name))
			return true;
	return false;
}

#define SET_MAX SCHED_PLUGIN_MAX

struct set_entry {
	const struct sched_plugin *plugin;	/* NULL: a name kubelab lacks */
	int32_t weight;			/* 0: unset */
};

struct plugin_set {
	struct set_entry enabled[SET_MAX];
	size_t enabled_len;
	const struct sched_plugin *disabled[SET_MAX];
	size_t disabled_len;
	bool disable_all;		/* "*" */
};

static bool plugin_implements(const struct sched_plugin *pl, int point)
{
	struct sched_profile_plugin entry = { .plugin = pl };
	return sched_profile_plugin_runs(&entry, (enum sched_point)point);
}

static bool set_disables(const struct plugin_set *set, const struct sched_plugin *pl)
{
	if (set->disable_all)
		return true;
	for (size_t i = 0; i < set->disabled_len; i++)
		if (set->disabled[i] == pl)
			return true;
	return false;
}

static const struct set_entry *set_enables(const struct plugin_set *set,
					   const struct sched_plugin *pl)
{
	for (size_t i = 0; i < set->enabled_len; i++)
		if (set->enabled[i].plugin == pl)
			return &set->enabled[i];
	return NULL;
}

static void read_enabled(struct cfg *c, const struct ynode *seq, const char *path,
			 const struct point_desc *desc, struct plugin_set *set)
{
	static const char *const known[] = { "name", "weight", NULL };
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *item = seq->items[i];
		char *ipath = xasprintf("%s[%zu]", path, i);
		const struct ynode *name_node = cfg_get(item, "name");
		const struct ynode *weight_node = cfg_get(item, "weight");
		const char *name = NULL;
		int32_t weight = 0;
		if (!cfg_want(c, item, YNODE_MAP, ipath))
			goto next;
		cfg_check_keys(c, item, ipath, known);
		if (!name_node) {
			cfg_error(c, item, "%s.name: Required value", ipath);
			goto next;
		}
		if (cfg_string(c, name_node, ipath, &name) ||
		    (weight_node && cfg_int32(c, weight_node, ipath, &weight)))
			goto next;
		const struct sched_plugin *pl = sched_plugin_lookup(name);
		if (!pl) {
			if (is_upstream_only(name))
				cfg_error(c, name_node, "%s.name: plugin \"%s\" is not "
					  "modelled by kubelab yet", ipath, name);
			else
				cfg_error(c, name_node, "%s \"%s\" does not exist",
					  desc->type, name);
			goto next;
		}
		if (desc->point >= 0 && !plugin_implements(pl, desc->point)) {
			cfg_error(c, name_node, "plugin \"%s\" does not extend %s plugin",
				  name, desc->type);
			goto next;
		}
		if (set_enables(set, pl)) {
			cfg_error(c, name_node, "plugin \"%s\" already registered as \"%s\"",
				  name, desc->type);
			goto next;
		}
		/* LAB: sched-weight. kubelab keeps weights to 0..100 (0: 1). */
		if (weight_node && pl->score && (weight < 0 || weight > 100)) {
			cfg_error(c, weight_node, "%s.weight: Invalid value: %d: a score "
				  "plugin's weight must be in 1..100 (0 or unset means 1)",
				  ipath, weight);
			goto next;
		}
		if (set->enabled_len == SET_MAX) {
			cfg_error(c, item, "%s: too many plugins", ipath);
			goto next;
		}
		set->enabled[set->enabled_len++] = (struct set_entry){ pl, weight };
next:
		free(ipath);
	}
}

static void read_disabled(struct cfg *c, const struct ynode *seq, const char *path,
			  struct plugin_set *set)
{
	static const char *const known[] = { "name", NULL };
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *item = seq->items[i];
		char *ipath = xasprintf("%s[%zu]", path, i);
		const struct ynode *name_node = cfg_get(item, "name");
		const char *name;
		if (cfg_want(c, item, YNODE_MAP, ipath)) {
			cfg_check_keys(c, item, ipath, known);
			if (!name_node) {
				cfg_error(c, item, "%s.name: Required value", ipath);
			} else if (!cfg_string(c, name_node, ipath, &name)) {
				/* Unknown names disable nothing, as upstream. */
				const struct sched_plugin *pl = sched_plugin_lookup(name);
				if (!strcmp(name, "*"))
					set->disable_all = true;
				else if (pl && set->disabled_len < SET_MAX)
					set->disabled[set->disabled_len++] = pl;
			}
		}
		free(ipath);
	}
}

static void read_set(struct cfg *c, const struct ynode *node, const char *path,
		     const struct point_desc *desc, struct plugin_set *set)
{
	static const char *const known[] = { "enabled", "disabled", NULL };
	const struct ynode *n;
	if (!cfg_want(c, node, YNODE_MAP, path))
		return;
	cfg_check_keys(c, node, path, known);
	char *sub = xasprintf("%s.enabled", path);
	if ((n = cfg_get(node, "enabled")) && cfg_want(c, n, YNODE_SEQ, sub))
		read_enabled(c, n, sub, desc, set);
	free(sub);
	sub = xasprintf("%s.disabled", path);
	if ((n = cfg_get(node, "disabled")) && cfg_want(c, n, YNODE_SEQ, sub))
		read_disabled(c, n, sub, set);
	free(sub);
}

/* ---- building a profile -------------------------------------------------- */

struct plugin_list {
	const struct sched_plugin *items[SCHED_PLUGIN_MAX];
	size_t len;
};

static bool list_has(const struct plugin_list *l, const struct sched_plugin *pl)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->items[i] == pl)
			return true;
	return false;
}

static void list_add(struct plugin_list *l, const struct sched_plugin *pl)
{
	if (!list_has(l, pl) && l->len < SCHED_PLUGIN_MAX)
		l->items[l->len++] = pl;
}

/* Step 1: K8S mergePluginSet(defaults, multiPoint). */
static void merge_multi_point(const struct plugin_set *custom, struct set_entry *out,
			      size_t *out_len)
{
	struct sched_profile defaults;
	bool replaced[SET_MAX] = { false };
	sched_profile_default(&defaults, DEFAULT_SCHEDULER_NAME);
	*out_len = 0;
	for (size_t i = 0; i < defaults.len; i++) {
		const struct sched_plugin *pl = defaults.plugins[i].plugin;
		if (set_disables(custom, pl))
			continue;
		struct set_entry entry = { pl, defaults.plugins[i].weight };
		for (size_t k = 0; k < custom->enabled_len; k++) {
			if (custom->enabled[k].plugin == pl) {
				entry = custom->enabled[k];
				replaced[k] = true;
			}
		}
		out[(*out_len)++] = entry;
	}
	for (size_t k = 0; k < custom->enabled_len; k++)
		if (!replaced[k] && *out_len < SET_MAX)
			out[(*out_len)++] = custom->enabled[k];
}

/* Step 2: K8S expandMultiPointPlugins for one point. */
static void expand_point(const struct plugin_set *set, int point,
			 const struct set_entry *multi, size_t multi_len,
			 struct plugin_list *out)
{
	bool in_multi[SET_MAX] = { false };
	out->len = 0;
	for (size_t k = 0; k < set->enabled_len; k++)
		for (size_t m = 0; m < multi_len; m++)
			if (multi[m].plugin == set->enabled[k].plugin)
				in_multi[k] = true;
	for (size_t k = 0; k < set->enabled_len; k++)	/* overrides */
		if (in_multi[k] && !set->disable_all)
			list_add(out, set->enabled[k].plugin);
	if (!set->disable_all)
		for (size_t m = 0; m < multi_len; m++)
			if (plugin_implements(multi[m].plugin, point) &&
			    !set_disables(set, multi[m].plugin))
				list_add(out, multi[m].plugin);
	for (size_t k = 0; k < set->enabled_len; k++)
		list_add(out, set->enabled[k].plugin);
}

static void build_profile(struct plugin_set sets[POINTS_LEN],
			  const struct sched_config_args *args,
			  struct sched_profile *profile)
{
	struct set_entry multi[SET_MAX];
	size_t multi_len;
	merge_multi_point(&sets[MULTI_POINT], multi, &multi_len);

	struct plugin_list lists[SCHED_POINT_COUNT];
	const struct plugin_set *point_sets[SCHED_POINT_COUNT] = { 0 };
	for (size_t i = 0; i < POINTS_LEN; i++)
		if (points[i].point >= 0)
			point_sets[points[i].point] = &sets[i];
	for (int p = 0; p < SCHED_POINT_COUNT; p++)
		expand_point(point_sets[p], p, multi, multi_len, &lists[p]);

	/* One list in Filter's order, then whatever the other points add,
	 * then multiPoint plugins that run at none of them, so that their other hooks still run. */
	static const int order[] = { SCHED_POINT_FILTER, SCHED_POINT_PRE_FILTER,
				     SCHED_POINT_POST_FILTER, SCHED_POINT_PRE_SCORE, SCHED_POINT_SCORE,
				     SCHED_POINT_RESERVE, SCHED_POINT_PERMIT,
				     SCHED_POINT_PRE_BIND, SCHED_POINT_POST_BIND };
	struct plugin_list all = { .len = 0 };
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t i = 0; i < lists[order[o]].len; i++)
			list_add(&all, lists[order[o]].items[i]);
	for (size_t m = 0; m < multi_len; m++)
		list_add(&all, multi[m].plugin);

	profile->len = 0;
	for (size_t i = 0; i < all.len; i++) {
		const struct sched_plugin *pl = all.items[i];
		struct sched_profile_plugin *entry = &profile->plugins[profile->len++];
		*entry = (struct sched_profile_plugin){ .plugin = pl };
		for (int p = 0; p < SCHED_POINT_COUNT; p++)
			if (plugin_implements(pl, p) && !list_has(&lists[p], pl))
				entry->disabled |= SCHED_POINT_BIT(p);
		/* Step 3: the weight. */
		const struct set_entry *w = set_enables(point_sets[SCHED_POINT_SCORE], pl);
		for (size_t m = 0; !w && m < multi_len; m++)
			if (multi[m].plugin == pl)
				w = &multi[m];
		entry->weight = w && w->weight ? w->weight : 1;
		entry->args = sched_config_args_for(args, pl->id);
	}
}

/* ---- the document -------------------------------------------------------- */

static void read_percentage(struct cfg *c, const struct ynode *node,
			    const char *path, bool *set, int32_t *out)
{
	if (!node || cfg_int32(c, node, path, out))
		return;
	if (*out < 0 || *out > 100)
		cfg_error(c, node, "%s: Invalid value: %d: not in valid range [0-100]",
			  path, *out);
	*set = true;
}

static void read_profile(struct cfg *c, struct sched_config *config, size_t i,
			 const struct ynode *node)
{
	static const char *const known[] = {
		"schedulerName", "percentageOfNodesToScore", "plugins",
		"pluginConfig", NULL
	};
	char *path = xasprintf("profiles[%zu]", i);
	struct sched_profile *profile = &config->profiles[i];
	struct sched_config_args *args = xcalloc(1, sizeof(*args));
	config->args[i] = args;
	const char *name = NULL;
	const struct ynode *n;
	char *sub;
	if (!cfg_want(c, node, YNODE_MAP, path))
		goto out;
	cfg_check_keys(c, node, path, known);

	sub = xasprintf("%s.schedulerName", path);
	if ((n = cfg_get(node, "schedulerName")))
		cfg_string(c, n, sub, &name);
	else if (config->profiles_len == 1)
		name = DEFAULT_SCHEDULER_NAME;	/* K8S: the one profile's default */
	else
		cfg_error(c, node, "%s: Required value", sub);
	free(sub);
	if (name && !*name)
		cfg_error(c, n, "%s.schedulerName: Required value", path);
	for (size_t k = 0; name && k < i; k++)
		if (config->names[k] && !strcmp(config->names[k], name))
			cfg_error(c, n, "%s.schedulerName: Duplicate value: \"%s\" "
				  "(profiles[%zu] has it already)", path, name, k);
	config->names[i] = xstrdup(name ? name : "");

	sub = xasprintf("%s.percentageOfNodesToScore", path);
	read_percentage(c, cfg_get(node, "percentageOfNodesToScore"), sub,
			&profile->percentage_set, &profile->percentage_of_nodes_to_score);
	free(sub);

	sub = xasprintf("%s.pluginConfig", path);
	if ((n = cfg_get(node, "pluginConfig")) && cfg_want(c, n, YNODE_SEQ, sub))
		sched_config_args_parse(c, n, sub, args);
	free(sub);

	struct plugin_set *sets = xcalloc(POINTS_LEN, sizeof(*sets));
	const struct ynode *plugins = cfg_get(node, "plugins");
	sub = xasprintf("%s.plugins", path);
	if (plugins && cfg_want(c, plugins, YNODE_MAP, sub)) {
		const char *pkeys[POINTS_LEN + 1];
		for (size_t k = 0; k < POINTS_LEN; k++)
			pkeys[k] = points[k].key;
		pkeys[POINTS_LEN] = NULL;
		cfg_check_keys(c, plugins, sub, pkeys);
		for (size_t k = 0; k < POINTS_LEN; k++) {
			if (!(n = cfg_get(plugins, points[k].key)))
				continue;
			char *ppath = xasprintf("%s.%s", sub, points[k].key);
			read_set(c, n, ppath, &points[k], &sets[k]);
			free(ppath);
		}
	}
	free(sub);
	build_profile(sets, args, profile);
	free(sets);
out:
	if (!config->names[i])
		config->names[i] = xstrdup(name ? name : "");
	profile->scheduler_name = config->names[i];
	free(path);
}

bool sched_config_is_document(const struct ynode *root)
{
	const struct ynode *kind = ynode_get(root, "kind");
	return kind && kind->kind == YNODE_SCALAR &&
	       !strcmp(kind->scalar, SCHED_CONFIG_KIND);
}

struct sched_config *sched_config_parse(const char *file, const struct ynode *root,
					struct diag_list *diags)
{
	/* Upstream fields kubelab has no use for are accepted, unread. */
	static const char *const known[] = {
		"apiVersion", "kind", "profiles", "percentageOfNodesToScore",
		"parallelism", "podInitialBackoffSeconds", "podMaxBackoffSeconds",
		"leaderElection", "clientConnection", "enableProfiling",
		"enableContentionProfiling", "delayCacheUntilActive", "extenders",
		NULL
	};
	struct cfg c = { .file = file, .diags = diags };
	struct sched_config *config = xcalloc(1, sizeof(*config));
	if (!cfg_want(&c, root, YNODE_MAP, SCHED_CONFIG_KIND))
		goto out;
	cfg_check_keys(&c, root, "", known);
	const struct ynode *version = ynode_get(root, "apiVersion");
	if (!version || version->kind != YNODE_SCALAR ||
	    strcmp(version->scalar, SCHED_CONFIG_API_VERSION))
		cfg_error(&c, version ? version : root, "a %s needs apiVersion: %s",
			  SCHED_CONFIG_KIND, SCHED_CONFIG_API_VERSION);
	read_percentage(&c, cfg_get(root, "percentageOfNodesToScore"),
			"percentageOfNodesToScore", &config->percentage_set,
			&config->percentage_of_nodes_to_score);

	const struct ynode *profiles = cfg_get(root, "profiles");
	static const struct ynode empty_profile = { .kind = YNODE_MAP };
	static const struct ynode *const one_empty[] = { &empty_profile };
	size_t len = 1;		/* K8S: no profiles: one, all defaults */
	const struct ynode *const *items = one_empty;
	if (profiles && cfg_want(&c, profiles, YNODE_SEQ, "profiles") && profiles->len) {
		len = profiles->len;
		items = (const struct ynode *const *)profiles->items;
	}
	config->profiles_len = len;
	config->profiles = xcalloc(len, sizeof(*config->profiles));
	config->names = xcalloc(len, sizeof(*config->names));
	config->args = xcalloc(len, sizeof(*config->args));
	for (size_t i = 0; i < len; i++)
		read_profile(&c, config, i, items[i]);
out:
	if (c.errors) {
		sched_config_free(config);
		return NULL;
	}
	return config;
}

struct sched_config *sched_config_load(const char *path, struct diag_list *diags)
{
	struct yfile *file = yfile_load(path, diags);
	if (!file)
		return NULL;
	struct sched_config *config = NULL;
	if (file->len != 1 || !sched_config_is_document(file->docs[0].root))
		diag_add(diags, path, file->len ? file->docs[0].root->line : 0,
			 file->len ? file->docs[0].root->column : 0,
			 "expected one document, kind: %s", SCHED_CONFIG_KIND);
	else
		config = sched_config_parse(path, file->docs[0].root, diags);
	yfile_free(file);
	return config;
}

const struct sched_profile *sched_config_profile(const struct sched_config *config,
						 const char *scheduler_name)
{
	for (size_t i = 0; i < config->profiles_len; i++)
		if (!strcmp(config->profiles[i].scheduler_name, scheduler_name))
			return &config->profiles[i];
	return NULL;
}

void sched_config_free(struct sched_config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->profiles_len; i++) {
		free(config->names[i]);
		if (config->args[i])
			sched_config_args_free(config->args[i]);
	}
	free(config->names);
	free(config->args);
	free(config->profiles);
	free(config);
}
