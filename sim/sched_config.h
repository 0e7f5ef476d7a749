/* sched_config.h - KubeSchedulerConfiguration: profiles, plugins, args.
 *
 * K8S: pkg/scheduler/apis/config/types.go (KubeSchedulerConfiguration,
 * KubeSchedulerProfile, Plugins, PluginSet, PluginConfig), v1/defaults.go
 * and v1/default_plugins.go (mergePlugins: the default profile merged
 * with the user's), validation/validation.go and validation_pluginargs.go,
 * framework/runtime/framework.go (NewFramework, expandMultiPointPlugins:
 * how multiPoint and the per-point lists become each point's plugins).
 *
 * kube-scheduler reads one file, `--config`, that says which schedulers
 * it is (profiles[], one per schedulerName a pod may ask for) and, for
 * each, which plugins run where with which weight:
 *
 *   apiVersion: kubescheduler.config.k8s.io/v1
 *   kind: KubeSchedulerConfiguration
 *   profiles:
 *   - schedulerName: bin-packing
 *     plugins:
 *       score:
 *         disabled: [{name: NodeResourcesBalancedAllocation}]
 *     pluginConfig:
 *     - name: NodeResourcesFit
 *       args: {scoringStrategy: {type: MostAllocated}}
 *
 * A profile starts from the default plugins (all enabled at every point
 * they implement, "multiPoint"); `disabled` removes a plugin from one
 * point ("*" removes all the defaults there), `enabled` adds one or
 * re-weights it. pluginConfig tunes a plugin (sched_args.h).
 *
 * Interface: sched_config_parse() reads the document (a YAML tree, so
 * that every problem is reported at file:line:column, all of them, as
 * the scenario loader does), applies upstream's defaults and validation,
 * and builds one struct sched_profile per profile for scheduler_new
 * (sched.h). Plugin names are looked up with sched_plugin_lookup, so
 * plugins loaded at run time (sched_plugin_load.h) must be registered
 * first.
 *
 * Ownership: a struct sched_config owns its profiles, their names and
 * their args; a scheduler given its profiles borrows the args, so the
 * config must outlive the scheduler. sched_config_free frees it all.
 */
#ifndef KUBELAB_SCHED_CONFIG_H
#define KUBELAB_SCHED_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "sched_framework.h"
#include "yamldoc.h"

#define SCHED_CONFIG_API_VERSION "kubescheduler.config.k8s.io/v1"
#define SCHED_CONFIG_KIND "KubeSchedulerConfiguration"

struct sched_config_args;	/* one profile's pluginConfig, owned */

struct sched_config {
	/* K8S: percentageOfNodesToScore (global); unset: adaptive. */
	bool percentage_set;
	int32_t percentage_of_nodes_to_score;
	/* K8S: parallelism: the threads of Filter and Score (sched.h's
	 * scheduler_options); 0: unset. */
	int32_t parallelism;
	size_t profiles_len;
	struct sched_profile *profiles;	/* scheduler_name points into names */
	char **names;
	struct sched_config_args **args;	/* per profile */
};

/* True when root is a KubeSchedulerConfiguration document (by kind). */
bool sched_config_is_document(const struct ynode *root);

/* Reads the KubeSchedulerConfiguration at root (file names it in
 * messages). Returns a new config, or NULL after adding one diagnostic
 * per problem: unknown fields, wrong types, unknown plugins, weights
 * outside 0..100, duplicate schedulerNames or pluginConfig, bad args. */
struct sched_config *sched_config_parse(const char *file, const struct ynode *root,
					struct diag_list *diags);

/* Loads the file at path, which must hold exactly one document, a
 * KubeSchedulerConfiguration (kube-scheduler --config). NULL after
 * adding diagnostics. */
struct sched_config *sched_config_load(const char *path, struct diag_list *diags);

/* The profile serving scheduler_name, or NULL. */
const struct sched_profile *sched_config_profile(const struct sched_config *config,
						 const char *scheduler_name);

void sched_config_free(struct sched_config *config);	/* NULL is allowed */

#endif
