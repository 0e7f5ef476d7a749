/* sched_config_args.c - a profile's pluginConfig: the plugins' args.
 *
 * K8S: apis/config/types_pluginargs.go, v1/defaults.go (SetDefaults_*Args)
 * and validation/validation_pluginargs.go (Validate*Args), with upstream's
 * messages.
 *
 * pluginConfig is a list of {name, args}; each plugin reads its own args
 * type. kubelab reads the five in sched_args.h, fills in upstream's
 * defaults for what is left out (NodeResourcesFit with only
 * `scoringStrategy: {type: MostAllocated}` still scores cpu and memory,
 * weight 1 each) and checks them as upstream does. Args for any other
 * plugin are accepted and not read: upstream's plugins without args
 * ignore theirs too.
 */
#include "sched_config_internal.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "schema.h"
#include "xmalloc.h"

/* K8S: defaultResourceSpec (v1/defaults.go): cpu and memory, weight 1. */
static void default_resources(struct sched_resource_spec *out, size_t *len)
{
	out[0] = (struct sched_resource_spec){ "cpu", 1 };
	out[1] = (struct sched_resource_spec){ "memory", 1 };
	*len = 2;
}

/* Reads [{name, weight}] into out; names are borrowed from the YAML
 * tree, so they are interned into static storage below. */
static const char *intern_resource(const char *name)
{
	/* Resource names are few and live as long as the process; a list
	 * keeps one copy of each so args need no ownership of strings. */
	static char **names;
	static size_t len, cap;
	for (size_t i = 0; i < len; i++)
		if (!strcmp(names[i], name))
			return names[i];
	xgrow((void **)&names, &cap, len + 1, sizeof(*names));
	names[len] = xstrdup(name);
	return names[len++];
}

static void read_resources(struct cfg *c, const struct ynode *seq, const char *path,
			   struct sched_resource_spec *out, size_t *len, bool must_be_one)
{
	static const char *const known[] = { "name", "weight", NULL };
	*len = 0;
	if (!cfg_want(c, seq, YNODE_SEQ, path))
		return;
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *item = seq->items[i];
		char *ipath = xasprintf("%s[%zu]", path, i);
		const struct ynode *n;
		const char *name = NULL;
		int32_t weight = 0;
		if (!cfg_want(c, item, YNODE_MAP, ipath))
			goto next;
		cfg_check_keys(c, item, ipath, known);
		if (!(n = cfg_get(item, "name")))
			cfg_error(c, item, "%s.name: Required value", ipath);
		else
			cfg_string(c, n, ipath, &name);
		if ((n = cfg_get(item, "weight")) && cfg_int32(c, n, ipath, &weight) == 0) {
			if (must_be_one && weight != 1)
				cfg_error(c, n, "%s.weight: Invalid value: %d: must be 1",
					  ipath, weight);
			else if (!must_be_one && (weight <= 0 || weight > 100))
				cfg_error(c, n, "%s.weight: Invalid value: %d: resource "
					  "weight of %s not in valid range (0, 100]",
					  ipath, weight, name ? name : "");
		}
		if (!name)
			goto next;
		for (size_t k = 0; k < *len; k++)
			if (!strcmp(out[k].name, name))
				cfg_error(c, item, "%s.name: Duplicate value: \"%s\"",
					  ipath, name);
		if (*len == SCHED_ARGS_RESOURCES_MAX) {
			cfg_error(c, item, "%s: at most %d resources", ipath,
				  SCHED_ARGS_RESOURCES_MAX);
			goto next;
		}
		/* K8S: an unset resource weight defaults to 1. */
		out[(*len)++] = (struct sched_resource_spec){ intern_resource(name),
							     weight ? weight : 1 };
next:
		free(ipath);
	}
}

/* K8S: validateFunctionShape. */
static void read_shape(struct cfg *c, const struct ynode *seq, const char *path,
		       struct sched_fit_args *fit)
{
	static const char *const known[] = { "utilization", "score", NULL };
	if (!cfg_want(c, seq, YNODE_SEQ, path))
		return;
	if (seq->len == 0)
		cfg_error(c, seq, "%s: Required value: at least one point must be "
			  "specified", path);
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *item = seq->items[i];
		char *ipath = xasprintf("%s[%zu]", path, i);
		struct sched_shape_point point = { 0, 0 };
		const struct ynode *u, *s;
		if (!cfg_want(c, item, YNODE_MAP, ipath))
			goto next;
		cfg_check_keys(c, item, ipath, known);
		if ((u = cfg_get(item, "utilization")))
			cfg_int32(c, u, ipath, &point.utilization);
		if ((s = cfg_get(item, "score")))
			cfg_int32(c, s, ipath, &point.score);
		if (point.utilization < 0 || point.utilization > 100)
			cfg_error(c, u, "%s.utilization: Invalid value: %d: not in "
				  "valid range [0, 100]", ipath, point.utilization);
		if (point.score < 0 || point.score > 10)
			cfg_error(c, s, "%s.score: Invalid value: %d: not in valid "
				  "range [0, 10]", ipath, point.score);
		if (fit->shape_len && fit->shape[fit->shape_len - 1].utilization >=
				      point.utilization)
			cfg_error(c, u ? u : item, "%s.utilization: Invalid value: %d: "
				  "values must be sorted in increasing order", ipath,
				  point.utilization);
		if (fit->shape_len < SCHED_ARGS_SHAPE_MAX)
			fit->shape[fit->shape_len++] = point;
next:
		free(ipath);
	}
}

static void read_fit(struct cfg *c, const struct ynode *args, const char *path,
		     struct sched_fit_args *fit)
{
	static const char *const known[] = {
		"scoringStrategy", "ignoredResources", "ignoredResourceGroups", NULL
	};
	static const char *const strategy_keys[] = {
		"type", "resources", "requestedToCapacityRatio", NULL
	};
	static const char *const ratio_keys[] = { "shape", NULL };
	fit->strategy = SCHED_LEAST_ALLOCATED;
	default_resources(fit->resources, &fit->resources_len);
	if (!args || !cfg_want(c, args, YNODE_MAP, path))
		return;
	cfg_check_keys(c, args, path, known);
	const struct ynode *strategy = cfg_get(args, "scoringStrategy");
	if (!strategy)
		return;
	char *spath = xasprintf("%s.scoringStrategy", path);
	char *sub = NULL;
	const struct ynode *n, *ratio;
	if (!cfg_want(c, strategy, YNODE_MAP, spath))
		goto out;
	cfg_check_keys(c, strategy, spath, strategy_keys);
	const char *type = "";
	if ((n = cfg_get(strategy, "type")))
		cfg_string(c, n, spath, &type);
	if (!strcmp(type, "LeastAllocated"))
		fit->strategy = SCHED_LEAST_ALLOCATED;
	else if (!strcmp(type, "MostAllocated"))
		fit->strategy = SCHED_MOST_ALLOCATED;
	else if (!strcmp(type, "RequestedToCapacityRatio"))
		fit->strategy = SCHED_REQUESTED_TO_CAPACITY_RATIO;
	else
		cfg_error(c, n ? n : strategy, "%s.type: Unsupported value: \"%s\": "
			  "supported values: \"LeastAllocated\", \"MostAllocated\", "
			  "\"RequestedToCapacityRatio\"", spath, type);
	sub = xasprintf("%s.resources", spath);
	if ((n = cfg_get(strategy, "resources"))) {
		read_resources(c, n, sub, fit->resources, &fit->resources_len, false);
		if (fit->resources_len == 0)	/* K8S: empty: the defaults */
			default_resources(fit->resources, &fit->resources_len);
	}
	free(sub);
	sub = xasprintf("%s.requestedToCapacityRatio", spath);
	ratio = cfg_get(strategy, "requestedToCapacityRatio");
	if (fit->strategy == SCHED_REQUESTED_TO_CAPACITY_RATIO && !ratio) {
		cfg_error(c, strategy, "%s: Required value: must be specified when "
			  "type is RequestedToCapacityRatio", sub);
	} else if (fit->strategy != SCHED_REQUESTED_TO_CAPACITY_RATIO && ratio) {
		cfg_error(c, ratio, "%s: Forbidden: must be nil when type is not "
			  "RequestedToCapacityRatio", sub);
	} else if (ratio && cfg_want(c, ratio, YNODE_MAP, sub)) {
		cfg_check_keys(c, ratio, sub, ratio_keys);
		char *shape_path = xasprintf("%s.shape", sub);
		if ((n = cfg_get(ratio, "shape")))
			read_shape(c, n, shape_path, fit);
		else
			cfg_error(c, ratio, "%s: Required value: at least one point "
				  "must be specified", shape_path);
		free(shape_path);
	}
out:
	free(sub);
	free(spath);
}

static void read_balanced(struct cfg *c, const struct ynode *args, const char *path,
			  struct sched_balanced_args *balanced)
{
	static const char *const known[] = { "resources", NULL };
	default_resources(balanced->resources, &balanced->resources_len);
	if (!args || !cfg_want(c, args, YNODE_MAP, path))
		return;
	cfg_check_keys(c, args, path, known);
	const struct ynode *n = cfg_get(args, "resources");
	char *sub = xasprintf("%s.resources", path);
	if (n)
		read_resources(c, n, sub, balanced->resources,
			       &balanced->resources_len, true);
	free(sub);
}

/* K8S: ValidatePodTopologySpreadArgs. */
static void read_spread(struct cfg *c, const struct ynode *args, const char *path,
			struct sched_config_args *out)
{
	static const char *const known[] = { "defaultConstraints", "defaultingType", NULL };
	struct sched_spread_args *spread = &out->spread;
	spread->defaulting = SCHED_SPREAD_DEFAULTING_SYSTEM;
	if (!args || !cfg_want(c, args, YNODE_MAP, path))
		return;
	cfg_check_keys(c, args, path, known);
	const struct ynode *type = cfg_get(args, "defaultingType");
	const struct ynode *list = cfg_get(args, "defaultConstraints");
	const char *text = "System";
	char *sub = xasprintf("%s.defaultingType", path);
	if (type && cfg_string(c, type, sub, &text) == 0) {
		if (!strcmp(text, "List"))
			spread->defaulting = SCHED_SPREAD_DEFAULTING_LIST;
		else if (strcmp(text, "System"))
			cfg_error(c, type, "%s: Unsupported value: \"%s\": supported "
				  "values: \"System\", \"List\"", sub, text);
	}
	const struct schema *schema =
		schema_field(&pod_spec_schema, "topologySpreadConstraints")->schema;
	char *cpath = xasprintf("%s.defaultConstraints", path);
	if (list && cfg_want(c, list, YNODE_SEQ, cpath)) {
		if (list->len && spread->defaulting == SCHED_SPREAD_DEFAULTING_SYSTEM)
			cfg_error(c, type ? type : list, "%s: Invalid value: \"System\": "
				  "when .defaultConstraints are not empty", sub);
		out->constraints.items = xcalloc(list->len, sizeof(*out->constraints.items));
		for (size_t i = 0; i < list->len; i++) {
			struct topology_spread_constraint *tsc = &out->constraints.items[i];
			char *ipath = xasprintf("%s[%zu]", cpath, i);
			out->constraints.len++;
			c->errors += (size_t)decode_struct(c->file, list->items[i], schema,
							   tsc, ipath, c->diags);
			const struct ynode *item = list->items[i];
			if (tsc->max_skew <= 0)
				cfg_error(c, item, "%s.maxSkew: Invalid value: %d: not in "
					  "valid range (0, inf)", ipath, tsc->max_skew);
			if (!tsc->topology_key || !*tsc->topology_key)
				cfg_error(c, item, "%s.topologyKey: Required value: can "
					  "not be empty", ipath);
			if (!tsc->when_unsatisfiable || !*tsc->when_unsatisfiable)
				cfg_error(c, item, "%s.whenUnsatisfiable: Required value: "
					  "can not be empty", ipath);
			if (cfg_get(item, "labelSelector"))
				cfg_error(c, cfg_get(item, "labelSelector"), "%s.labelSelector: "
					  "Forbidden: constraint must not define a selector, "
					  "as they deduced for each pod", ipath);
			for (size_t k = 0; k < i; k++) {
				const struct topology_spread_constraint *o = &out->constraints.items[k];
				if (tsc->topology_key && o->topology_key &&
				    tsc->when_unsatisfiable && o->when_unsatisfiable &&
				    !strcmp(tsc->topology_key, o->topology_key) &&
				    !strcmp(tsc->when_unsatisfiable, o->when_unsatisfiable)) {
					cfg_error(c, item, "%s: Duplicate value: \"{%s, %s}\"",
						  ipath, tsc->topology_key,
						  tsc->when_unsatisfiable);
					break;
				}
			}
			free(ipath);
		}
		spread->default_constraints = out->constraints.items;
		spread->default_constraints_len = out->constraints.len;
	}
	free(cpath);
	free(sub);
}

static void read_affinity(struct cfg *c, const struct ynode *args, const char *path,
			  struct sched_inter_pod_affinity_args *affinity)
{
	static const char *const known[] = {
		"hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods", NULL
	};
	affinity->hard_pod_affinity_weight = 1;
	if (!args || !cfg_want(c, args, YNODE_MAP, path))
		return;
	cfg_check_keys(c, args, path, known);
	const struct ynode *n;
	char *sub = xasprintf("%s.hardPodAffinityWeight", path);
	if ((n = cfg_get(args, "hardPodAffinityWeight")) &&
	    cfg_int32(c, n, sub, &affinity->hard_pod_affinity_weight) == 0 &&
	    (affinity->hard_pod_affinity_weight < 0 ||
	     affinity->hard_pod_affinity_weight > 100))
		cfg_error(c, n, "%s: Invalid value: %d: not in valid range [0, 100]",
			  sub, affinity->hard_pod_affinity_weight);
	free(sub);
	if ((n = cfg_get(args, "ignorePreferredTermsOfExistingPods")))
		cfg_bool(c, n, path, &affinity->ignore_preferred_terms_of_existing_pods);
}

static void read_preemption(struct cfg *c, const struct ynode *args, const char *path,
			    struct sched_preemption_args *preemption)
{
	static const char *const known[] = {
		"minCandidateNodesPercentage", "minCandidateNodesAbsolute", NULL
	};
	preemption->min_candidate_nodes_percentage = 10;
	preemption->min_candidate_nodes_absolute = 100;
	if (!args || !cfg_want(c, args, YNODE_MAP, path))
		return;
	cfg_check_keys(c, args, path, known);
	const struct ynode *pn = cfg_get(args, "minCandidateNodesPercentage");
	const struct ynode *an = cfg_get(args, "minCandidateNodesAbsolute");
	int32_t *pct = &preemption->min_candidate_nodes_percentage;
	int32_t *abs = &preemption->min_candidate_nodes_absolute;
	if (pn && cfg_int32(c, pn, path, pct) == 0 && (*pct < 0 || *pct > 100))
		cfg_error(c, pn, "%s.minCandidateNodesPercentage: Invalid value: %d: "
			  "not in valid range [0, 100]", path, *pct);
	if (an && cfg_int32(c, an, path, abs) == 0 && *abs < 0)
		cfg_error(c, an, "%s.minCandidateNodesAbsolute: Invalid value: %d: "
			  "not in valid range [0, inf)", path, *abs);
	if (*pct == 0 && *abs == 0)
		cfg_error(c, pn ? pn : args, "%s.minCandidateNodesPercentage: Invalid "
			  "value: 0: cannot be zero at the same time as "
			  "minCandidateNodesAbsolute", path);
}

void sched_config_args_parse(struct cfg *c, const struct ynode *seq,
			     const char *path, struct sched_config_args *args)
{
	static const char *const known[] = { "name", "args", NULL };
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *item = seq->items[i];
		char *ipath = xasprintf("%s[%zu]", path, i);
		char *apath = xasprintf("%s.args", ipath);
		const struct ynode *n = cfg_get(item, "name");
		const struct ynode *a = cfg_get(item, "args");
		const char *name = NULL;
		if (!cfg_want(c, item, YNODE_MAP, ipath))
			goto next;
		cfg_check_keys(c, item, ipath, known);
		if (!n) {
			cfg_error(c, item, "%s.name: Required value", ipath);
			goto next;
		}
		if (cfg_string(c, n, ipath, &name))
			goto next;
		for (size_t k = 0; k < i; k++) {
			const struct ynode *other = cfg_get(seq->items[k], "name");
			if (other && other->kind == YNODE_SCALAR &&
			    !strcmp(other->scalar, name)) {
				cfg_error(c, n, "%s: Duplicate value: \"%s\"", ipath, name);
				goto next;
			}
		}
		if (!strcmp(name, "NodeResourcesFit")) {
			args->has_fit = true;
			read_fit(c, a, apath, &args->fit);
		} else if (!strcmp(name, "NodeResourcesBalancedAllocation")) {
			args->has_balanced = true;
			read_balanced(c, a, apath, &args->balanced);
		} else if (!strcmp(name, "PodTopologySpread")) {
			args->has_spread = true;
			read_spread(c, a, apath, args);
		} else if (!strcmp(name, "InterPodAffinity")) {
			args->has_affinity = true;
			read_affinity(c, a, apath, &args->affinity);
		} else if (!strcmp(name, "DefaultPreemption")) {
			args->has_preemption = true;
			read_preemption(c, a, apath, &args->preemption);
		}
next:
		free(apath);
		free(ipath);
	}
}

const void *sched_config_args_for(const struct sched_config_args *args,
				  enum sched_plugin_id id)
{
	switch (id) {
	case SCHED_PLUGIN_NODE_RESOURCES_FIT:
		return args->has_fit ? &args->fit : NULL;
	case SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION:
		return args->has_balanced ? &args->balanced : NULL;
	case SCHED_PLUGIN_POD_TOPOLOGY_SPREAD:
		return args->has_spread ? &args->spread : NULL;
	case SCHED_PLUGIN_INTER_POD_AFFINITY:
		return args->has_affinity ? &args->affinity : NULL;
	case SCHED_PLUGIN_DEFAULT_PREEMPTION:
		return args->has_preemption ? &args->preemption : NULL;
	default:
		return NULL;
	}
}

void sched_config_args_free(struct sched_config_args *args)
{
	const struct schema *schema =
		schema_field(&pod_spec_schema, "topologySpreadConstraints")->schema;
	for (size_t i = 0; i < args->constraints.len; i++)
		schema_release(schema, &args->constraints.items[i]);
	free(args->constraints.items);
	free(args);
}
