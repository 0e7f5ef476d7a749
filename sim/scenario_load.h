/* scenario_load.h - internals shared by the parts of the scenario loader:
 * scenario.c (the document), scenario_pools.c (the cluster),
 * scenario_images.c, scenario_traffic.c, scenario_scheduler.c,
 * scenario_timeline.c with scenario_nodes.c (timeline entries),
 * scenario_expect.c (expectations) and scenario_read.c (the readers they
 * are built from).
 *
 * Not part of kubelab's interface: only the scenario*.c files include it;
 * scenario_read.c implements the readers. Every
 * reader here reports what is wrong with a node as a diagnostic at the
 * node's file:line:column, prefixed with the field path ("spec.timeline[2]
 * .at: ..."), and returns a failure value; callers carry on with the next
 * node so that one load reports every problem.
 */
#ifndef KUBELAB_SCENARIO_LOAD_H
#define KUBELAB_SCENARIO_LOAD_H

#include "scenario.h"
#include "xmalloc.h"
#include "yamldoc.h"

/* The state of one scenario_load. */
struct loader {
	const char *file;		/* the scenario file: messages name it */
	char *dir;			/* its directory: apply: paths start there */
	struct diag_list *diags;
	struct scenario *scenario;	/* being filled */
	char got[96];			/* loader_got's answer */
};

/* The most nodes a pool may make, its count and addNodes together: many
 * times the 5000 nodes upstream tests clusters with (and kubelab's
 * benchmark runs), few enough that a typo fails at load, not in calloc. */
#define MAX_POOL_NODES 100000

/* Appends value (a struct, copied) to a LIST_OF. Lists here are short and
 * built once, so growing one element at a time is fine. */
#define LIST_PUSH(list, value) do {					\
	(list).items = xrealloc((list).items,				\
				((list).len + 1) * sizeof(*(list).items)); \
	(list).items[(list).len++] = (value);				\
} while (0)

/* Designated initializers: the tables name only what they use. */
#define SCENARIO_FIELD(json, field_type, container, member) \
	.name = (json), .type = (field_type), .offset = offsetof(container, member)

/* decode_struct cannot tell a zero from an absent field, so tables with
 * defaults are decoded into a zeroed scratch struct (src) and only the
 * fields map names are copied over the defaults in dst. Only for tables of
 * plain values: nothing owned is copied. In scenario.c. */
void loader_copy_written(const struct schema *schema, const struct ynode *map,
			 void *dst, const void *src);

/* spec.cluster (scenario_pools.c): the node pools, checked, into
 * scenario->node_pools. */
void load_pools(struct loader *l, const struct ynode *cluster);
/* Frees what a loaded pool owns. */
void node_pool_release(struct node_pool *pool);
/* spec.images (scenario_images.c): each image's behaviour over the
 * defaults, checked, into scenario->images. */
void load_images(struct loader *l, const struct ynode *images);

/* Loads spec.schedulerPlugins (compiling each), then the scheduler's
 * configuration: config_root (a KubeSchedulerConfiguration document of
 * the scenario file, or NULL) or spec.schedulerConfigFile. spec may be
 * NULL. In scenario_scheduler.c. */
void loader_scheduler(struct loader *l, const struct ynode *spec,
		      const struct ynode *config_root);

/* A diagnostic at node (NULL: no position). */
void loader_problem(struct loader *l, const struct ynode *at, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* What node is, for "got ..." in messages, worded as decode.c words it:
 * `"ten"`, `the integer 10`, `a mapping`. Valid until the next call. */
const char *loader_got(struct loader *l, const struct ynode *node);
/* True when node is of that kind; else a diagnostic "expected a mapping
 * for PATH, got ...". */
bool loader_want(struct loader *l, const struct ynode *node,
		 enum ynode_kind kind, const char *path);
/* The non-empty string node holds, or NULL after a diagnostic. Borrowed. */
const char *loader_string(struct loader *l, const struct ynode *node,
			  const char *path);
/* A diagnostic `unknown field "PATH.KEY"` for every key of map not in
 * known (NULL-terminated), as decode.c words it. */
void loader_check_keys(struct loader *l, const struct ynode *map,
		       const char *path, const char *const *known);
/* A non-negative Go duration ("90s") into *out; 0, or -1 after a
 * diagnostic with *out unchanged. */
int loader_duration(struct loader *l, const struct ynode *node,
		    const char *path, ktime_t *out);
/* A duration that is also a time of the run: at most spec.duration. */
int loader_time(struct loader *l, const struct ynode *node, const char *path,
		ktime_t *out);
/* "deployment/web": the kind (kubectl's names) and *name (caller frees),
 * or NULL after a diagnostic. */
const struct kind_info *loader_object_ref(struct loader *l,
					  const struct ynode *node,
					  const char *path, char **name);
/* True when a node pool makes a node of that name; else a diagnostic
 * listing the nodes there are. */
bool loader_node_known(struct loader *l, const struct ynode *node,
		       const char *path, const char *name);

/* What a field path reaches in a kind's schema. */
struct path_leaf {
	enum field_type type;
	const struct field *field;	/* the field itself; NULL inside a
					 * list or map (no allowed values) */
};
/* Walks path through the schema tables as schema_resolve walks an object,
 * with the same syntax and words, but list indexes are not bounds-checked.
 * 0, or -1 with err ("no field 'contaners' in PodSpec (did you mean
 * 'containers'?)"). */
int loader_path_check(const struct schema *schema, const char *path,
		      struct path_leaf *out, struct err **err);
/* Parses text as the leaf's type, as field_ref_set will at run time, and
 * checks enumerations. 0, or -1 with err. */
int loader_value_check(const struct path_leaf *leaf, const char *text,
		       struct err **err);

/* What every action of one timeline entry shares. */
struct entry {
	const char *path;		/* "spec.timeline[3]" */
	ktime_t at;
	bool force;			/* force: true (delete only) */
	bool overwrite;			/* overwrite: true (taint, label) */
	const char *namespace;		/* the entry's namespace:, or NULL */
	int line, column;
};

static inline struct action entry_action(const struct entry *e,
					 enum action_type type)
{
	return (struct action){ .type = type, .at = e->at, .line = e->line,
				.column = e->column, .overwrite = e->overwrite };
}

/* scenario_nodes.c: taint:/untaint:, label:/unlabel: and addNodes:, each
 * checked and added to the timeline (type says which of a pair). */
void load_taint(struct loader *l, const struct entry *e,
		const struct ynode *node, enum action_type type);
void load_label(struct loader *l, const struct entry *e,
		const struct ynode *node, enum action_type type);
void load_add_nodes(struct loader *l, const struct entry *e,
		    const struct ynode *node);

/* scenario_timeline.c: spec.timeline; scenario_expect.c: spec.expect. */
void load_timeline(struct loader *l, const struct ynode *timeline);
void load_expectations(struct loader *l, const struct ynode *expect);
/* spec.traffic (scenario_traffic.c); its profiles' release. */
void load_traffic(struct loader *l, const struct ynode *traffic);
void traffic_profile_release(struct traffic_profile *profile);

/* Frees what an action owns and zeroes it. */
void action_release(struct action *action);

#endif
