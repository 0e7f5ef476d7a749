/* sched_config_internal.h - what sched_config.c and sched_config_args.c share.
 *
 * A small reader over YAML trees that reports every problem at its
 * position, in the words of upstream's field errors ("profiles[0].
 * schedulerName: Required value"), and the pluginConfig args of one
 * profile. Not for use outside the two files.
 */
#ifndef KUBELAB_SCHED_CONFIG_INTERNAL_H
#define KUBELAB_SCHED_CONFIG_INTERNAL_H

#include "api.h"
#include "sched_args.h"
#include "sched_config.h"

struct cfg {
	const char *file;
	struct diag_list *diags;
	size_t errors;
};

void cfg_error(struct cfg *c, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True when node has kind; else reports "PATH: expected a list, got ...". */
bool cfg_want(struct cfg *c, const struct ynode *node, enum ynode_kind kind,
	      const char *path);
/* Reports every key of map not in known (NULL-ended): strict decoding. */
void cfg_check_keys(struct cfg *c, const struct ynode *map, const char *path,
		    const char *const known[]);
/* Typed scalars: 0 and *out set, or -1 after a diagnostic. */
int cfg_string(struct cfg *c, const struct ynode *node, const char *path,
	       const char **out);
int cfg_int32(struct cfg *c, const struct ynode *node, const char *path,
	      int32_t *out);
int cfg_bool(struct cfg *c, const struct ynode *node, const char *path, bool *out);
/* A present, non-null value of key in map, or NULL. */
const struct ynode *cfg_get(const struct ynode *map, const char *key);

/* One profile's pluginConfig, with upstream's defaults filled in. */
struct sched_config_args {
	bool has_fit, has_balanced, has_spread, has_affinity, has_preemption;
	struct sched_fit_args fit;
	struct sched_balanced_args balanced;
	struct sched_spread_args spread;
	struct sched_inter_pod_affinity_args affinity;
	struct sched_preemption_args preemption;
	LIST_OF(struct topology_spread_constraint) constraints;	/* spread's */
};

/* Reads profiles[i].pluginConfig (seq, at path) into args. */
void sched_config_args_parse(struct cfg *c, const struct ynode *seq,
			     const char *path, struct sched_config_args *args);
/* The args for plugin id, or NULL when pluginConfig had none. */
const void *sched_config_args_for(const struct sched_config_args *args,
				  enum sched_plugin_id id);
void sched_config_args_free(struct sched_config_args *args);

#endif
