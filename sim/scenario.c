/* scenario.c - loading and checking a scenario file; see scenario.h.
 *
 * A scenario is a lab in one file: the cluster (node pools), how container
 * images behave, the Kubernetes manifests to apply, a timeline of what the
 * instructor does to the cluster (apply, set, scale, delete, cordon, fail a
 * node) and what must hold while it runs (expectations). kubectl users
 * recognise the parts: manifests are written exactly as `kubectl apply -f`
 * takes them, objects are named KIND/NAME as `kubectl get deployment/web`
 * names them, and set: paths are the field paths of `kubectl explain`.
 * K8S: there is no Scenario kind upstream; the closest relatives are kind
 * (sigs.k8s.io/kind) cluster configs for the node pools and kubectl's
 * resource builder (k8s.io/cli-runtime/pkg/resource) for KIND/NAME.
 *
 * The loader is a compiler front end, not a fail-fast parser: it walks the
 * whole file, reports every problem it finds with file:line:column (as
 * decode.c does for manifests, with the same wordings), and returns a
 * scenario only when there were none. Nothing is half-checked until run
 * time: files named by apply: are read and decoded now, set: paths are
 * resolved against the kind's schema, node names are checked against the
 * pools, and expectations are parsed.
 *
 * The loader is three files. This one has:
 *   1. the schema tables of the scenario's own types (metadata, settings,
 *      node pool, image behaviour), so decode_struct checks them strictly;
 *   3. the document: metadata, spec, cluster, images;
 *   4. scenario_load, scenario_free and the image lookup.
 * scenario_read.c has the readers all parts share (part 2: durations,
 * KIND/NAME, node names, field paths), and scenario_timeline.c the
 * timeline and the expectations.
 *
 * Invariants of a loaded scenario: the timeline is sorted by at, stably,
 * and the manifests written beside the Scenario document come first; every
 * at, every expectation time and every fault lies within [0, duration];
 * every node a fault or cordon names is made by a pool.
 */
#include "scenario_load.h"

#include "api.h"
#include "decode.h"
#include "duration.h"
#include "release.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SCENARIO_API_VERSION	"kubelab/v1"
#define SCENARIO_KIND		"Scenario"
#define DEFAULT_SEED		1
#define DEFAULT_DURATION	(10 * KTIME_MINUTE)
/* K8S: the kubelet's --max-pods default (KubeletConfiguration.MaxPods). */
#define DEFAULT_MAX_PODS	110

/* ---- 1. schema tables --------------------------------------------------- */

/* Designated initializers: the tables name only what they use. */
#define SCENARIO_FIELD(json, field_type, container, member) \
	.name = (json), .type = (field_type), .offset = offsetof(container, member)

struct scenario_meta {
	char *name;
	char *chapter;
	char *description;
};

static const struct field scenario_meta_fields[] = {
	{ SCENARIO_FIELD("name", FIELD_STRING, struct scenario_meta, name),
	  .flags = FIELD_REQUIRED },
	{ SCENARIO_FIELD("chapter", FIELD_STRING, struct scenario_meta, chapter) },
	{ SCENARIO_FIELD("description", FIELD_STRING, struct scenario_meta, description) },
};

static const struct schema scenario_meta_schema = {
	"ScenarioMetadata", sizeof(struct scenario_meta), FIELDS(scenario_meta_fields)
};

static const struct field settings_fields[] = {
	{ SCENARIO_FIELD("watchDelay", FIELD_DURATION, struct scenario_settings, watch_delay) },
	{ SCENARIO_FIELD("bindLatency", FIELD_DURATION, struct scenario_settings, bind_latency) },
	{ SCENARIO_FIELD("recordEvents", FIELD_BOOL, struct scenario_settings, record_events) },
	{ SCENARIO_FIELD("terminatedPodGCThreshold", FIELD_INT32, struct scenario_settings,
			 terminated_pod_gc_threshold) },
};

static const struct schema settings_schema = {
	"ScenarioSettings", sizeof(struct scenario_settings), FIELDS(settings_fields)
};

static const struct field node_pool_fields[] = {
	{ SCENARIO_FIELD("name", FIELD_STRING, struct node_pool, name),
	  .flags = FIELD_REQUIRED },
	{ SCENARIO_FIELD("count", FIELD_INT32, struct node_pool, count) },
	{ SCENARIO_FIELD("capacity", FIELD_RESOURCES, struct node_pool, capacity),
	  .flags = FIELD_REQUIRED },
	{ SCENARIO_FIELD("allocatable", FIELD_RESOURCES, struct node_pool, allocatable) },
	{ SCENARIO_FIELD("labels", FIELD_STRMAP, struct node_pool, labels) },
	{ SCENARIO_FIELD("taints", FIELD_LIST, struct node_pool, taints),
	  .schema = &taint_schema, .elem = FIELD_STRUCT },
};

static const struct schema node_pool_schema = {
	"NodePool", sizeof(struct node_pool), FIELDS(node_pool_fields)
};

/* The name is the key of spec.images, not a field, so it is not here. */
static const struct field image_fields[] = {
	{ SCENARIO_FIELD("pull", FIELD_DURATION, struct image_behavior, pull) },
	{ SCENARIO_FIELD("start", FIELD_DURATION, struct image_behavior, start) },
	{ SCENARIO_FIELD("readyAfter", FIELD_DURATION, struct image_behavior, ready_after) },
	{ SCENARIO_FIELD("crashAfter", FIELD_DURATION, struct image_behavior, crash_after) },
	{ SCENARIO_FIELD("completeAfter", FIELD_DURATION, struct image_behavior, complete_after) },
	{ SCENARIO_FIELD("exitCode", FIELD_INT32, struct image_behavior, exit_code) },
	{ SCENARIO_FIELD("pullFails", FIELD_BOOL, struct image_behavior, pull_fails) },
	{ SCENARIO_FIELD("livenessFailsAfter", FIELD_DURATION, struct image_behavior,
			 liveness_fails_after) },
	{ SCENARIO_FIELD("readinessFailsAfter", FIELD_DURATION, struct image_behavior,
			 readiness_fails_after) },
	{ SCENARIO_FIELD("readinessRecoversAfter", FIELD_DURATION, struct image_behavior,
			 readiness_recovers_after) },
	{ SCENARIO_FIELD("oomAfter", FIELD_DURATION, struct image_behavior, oom_after) },
	{ SCENARIO_FIELD("startupDelay", FIELD_DURATION, struct image_behavior,
			 startup_delay) },
	{ SCENARIO_FIELD("preStop", FIELD_DURATION, struct image_behavior, pre_stop) },
	{ SCENARIO_FIELD("preStopFails", FIELD_BOOL, struct image_behavior, pre_stop_fails) },
	{ SCENARIO_FIELD("terminationDelay", FIELD_DURATION, struct image_behavior,
			 termination_delay) },
	{ SCENARIO_FIELD("sigtermExitCode", FIELD_INT32, struct image_behavior,
			 sigterm_exit_code) },
	{ SCENARIO_FIELD("ignoresSigterm", FIELD_BOOL, struct image_behavior,
			 ignores_sigterm) },
	{ SCENARIO_FIELD("cpu", FIELD_QUANTITY, struct image_behavior, cpu) },
	{ SCENARIO_FIELD("memory", FIELD_QUANTITY, struct image_behavior, memory) },
	{ SCENARIO_FIELD("cpuPerRps", FIELD_QUANTITY, struct image_behavior, cpu_per_rps) },
	{ SCENARIO_FIELD("memoryPerRps", FIELD_QUANTITY, struct image_behavior, memory_per_rps) },
	{ SCENARIO_FIELD("size", FIELD_QUANTITY, struct image_behavior, size) },
	{ SCENARIO_FIELD("memoryGrowsAfter", FIELD_DURATION, struct image_behavior,
			 memory_grows_after) },
	{ SCENARIO_FIELD("memoryGrowsTo", FIELD_QUANTITY, struct image_behavior,
			 memory_grows_to) },
};

static const struct schema image_schema = {
	"ImageBehavior", sizeof(struct image_behavior), FIELDS(image_fields)
};

/* decode_struct fills a zeroed struct, and a zero cannot be told from an
 * absent field (schema.c), so `exitCode: 0` or `recordEvents: false` would
 * be lost to the defaults. Instead the tables are decoded into a zeroed
 * scratch struct and only the fields the YAML names are copied over the
 * defaults. Only for tables of plain values: nothing owned is copied. */
static void copy_written_fields(const struct schema *schema,
				const struct ynode *map, void *dst,
				const void *src)
{
	for (size_t i = 0; i < schema->fields_len; i++) {
		const struct field *f = &schema->fields[i];
		BUG_ON(f->type == FIELD_STRING || f->type == FIELD_LIST ||
		       f->type == FIELD_STRMAP || f->type == FIELD_RESOURCES ||
		       f->type == FIELD_STRUCT || f->type == FIELD_INT_OR_STRING);
		const struct ynode *value = ynode_get(map, f->name);
		if (value && !ynode_is_null(value))
			memcpy((char *)dst + f->offset, (const char *)src + f->offset,
			       schema_type_size(f->type, f->schema));
	}
}

/* ---- 3. the document (part 2 is in scenario_read.c) --------------------- */

static bool dns_label(const char *name)
{
	size_t len = strlen(name);
	if (!len || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* Checks one decoded pool and fills in what the kubelet would: pods 110
 * when unsaid, allocatable equal to capacity for every resource not
 * reserved. */
static void check_pool(struct loader *l, const struct ynode *node,
		       struct node_pool *pool, const char *path)
{
	const struct ynode *count = ynode_get(node, "count");
	if (!count || ynode_is_null(count))
		pool->count = 1;
	else if (pool->count < 1)
		loader_problem(l, count, "%s.count: must be at least 1, got %d",
			       path, pool->count);
	else if (pool->count > MAX_POOL_NODES)
		/* A typo, not a cluster: 2147483647 nodes would exhaust the
		 * memory at start rather than fail here. */
		loader_problem(l, count, "%s.count: must be at most %d (upstream "
			       "tests clusters of up to 5000 nodes), got %d", path,
			       MAX_POOL_NODES, pool->count);
	if (pool->name && !dns_label(pool->name))
		/* Node names are NAME-N, and must be DNS labels. */
		loader_problem(l, ynode_get(node, "name"), "%s.name: \"%s\" is "
			       "not a valid pool name: lower-case letters, digits "
			       "and '-', starting and ending with a letter or digit",
			       path, pool->name);
	const struct ynode *capacity = ynode_get(node, "capacity");
	static const char *const needed[] = { "cpu", "memory" };
	/* Asked of the YAML, not the decoded list: a memory that did not
	 * parse has been reported already and is not missing too. */
	for (size_t i = 0; capacity && i < 2; i++)
		if (capacity->kind == YNODE_MAP && !ynode_get(capacity, needed[i]))
			loader_problem(l, capacity, "%s.capacity: missing %s "
				       "(a node needs cpu and memory)", path,
				       needed[i]);
	if (!resource_list_get(&pool->capacity, "pods")) {
		struct quantity pods = quantity_from_int(DEFAULT_MAX_PODS,
							 QUANTITY_DECIMAL_SI);
		resource_list_set(&pool->capacity, "pods", &pods);
	}
	/* K8S: allocatable = capacity - reserved (the kubelet's node
	 * allocatable); what the scenario does not reserve stays at capacity. */
	const struct ynode *alloc = ynode_get(node, "allocatable");
	for (size_t i = 0; i < pool->allocatable.len; i++) {
		const struct resource_entry *e = &pool->allocatable.items[i];
		const struct quantity *cap = resource_list_get(&pool->capacity, e->name);
		const struct ynode *at = ynode_get(alloc, e->name);
		if (!cap)
			loader_problem(l, at, "%s.allocatable[%s]: not in capacity",
				       path, e->name);
		else if (quantity_cmp(&e->quantity, cap) > 0)
			loader_problem(l, at, "%s.allocatable[%s]: cannot exceed "
				       "capacity", path, e->name);
	}
	for (size_t i = 0; i < pool->capacity.len; i++) {
		const struct resource_entry *e = &pool->capacity.items[i];
		if (!resource_list_get(&pool->allocatable, e->name))
			resource_list_set(&pool->allocatable, e->name, &e->quantity);
	}
}

static void load_pools(struct loader *l, const struct ynode *cluster)
{
	static const char *const known[] = { "nodePools", NULL };
	if (!loader_want(l, cluster, YNODE_MAP, "spec.cluster"))
		return;
	loader_check_keys(l, cluster, "spec.cluster", known);
	const struct ynode *pools = ynode_get(cluster, "nodePools");
	if (!pools || ynode_is_null(pools) ||
	    !loader_want(l, pools, YNODE_SEQ, "spec.cluster.nodePools"))
		return;
	struct scenario *sc = l->scenario;
	for (size_t i = 0; i < pools->len; i++) {
		const struct ynode *node = pools->items[i];
		char *path = xasprintf("spec.cluster.nodePools[%zu]", i);
		struct node_pool pool = { 0 };
		decode_struct(l->file, node, &node_pool_schema, &pool, path, l->diags);
		bool duplicate = false;
		if (node->kind == YNODE_MAP)
			check_pool(l, node, &pool, path);
		for (size_t j = 0; pool.name && j < sc->node_pools.len; j++)
			if (!strcmp(sc->node_pools.items[j].name, pool.name))
				duplicate = true;
		if (duplicate)
			loader_problem(l, ynode_get(node, "name"), "%s.name: "
				       "Duplicate value: \"%s\"", path, pool.name);
		/* A pool with a name is kept even when it has problems, so that
		 * its nodes do not also show up as unknown in faults; a
		 * duplicate is dropped, its nodes are the first pool's. */
		if (pool.name && pool.count > 0 && !duplicate) {
			LIST_PUSH(sc->node_pools, pool);
		} else {
			schema_release(&node_pool_schema, &pool);
		}
		free(path);
	}
}

static void check_image(struct loader *l, const struct ynode *node,
			const struct image_behavior *image, const char *path)
{
	const struct ynode *at;
	for (size_t i = 0; i < image_schema.fields_len; i++) {
		const struct field *f = &image_schema.fields[i];
		const void *value = (const char *)image + f->offset;
		bool negative = f->type == FIELD_DURATION ? *(const ktime_t *)value < 0 :
				f->type == FIELD_QUANTITY ?
					quantity_cmp(value, &(struct quantity){ 0 }) < 0 :
				false;
		if (negative && (at = ynode_get(node, f->name)))
			loader_problem(l, at, "%s.%s: must not be negative, got %s",
				       path, f->name, at->scalar);
	}
	if ((at = ynode_get(node, "sigtermExitCode")) &&
	    (image->sigterm_exit_code < 0 || image->sigterm_exit_code > 255))
		loader_problem(l, at, "%s.sigtermExitCode: a process exits with 0 to 255, got %d",
			       path, image->sigterm_exit_code);
	if ((at = ynode_get(node, "exitCode")) &&
	    (image->exit_code < 0 || image->exit_code > 255))
		loader_problem(l, at, "%s.exitCode: a process exits with 0 to 255, "
			       "got %d", path, image->exit_code);
	if (image->crash_after && image->complete_after)
		loader_problem(l, ynode_get(node, "completeAfter"), "%s: crashAfter "
			       "and completeAfter cannot both be set (a container "
			       "exits once)", path);
	if (image->readiness_recovers_after &&
	    image->readiness_recovers_after <= image->readiness_fails_after)
		loader_problem(l, ynode_get(node, "readinessRecoversAfter"),
			       "%s.readinessRecoversAfter: must be later than "
			       "readinessFailsAfter (both count from the start)", path);
}

static void load_images(struct loader *l, const struct ynode *images)
{
	if (!loader_want(l, images, YNODE_MAP, "spec.images"))
		return;
	for (size_t i = 0; i < images->len; i++) {
		const char *name = images->pairs[i].key->scalar;
		const struct ynode *node = images->pairs[i].value;
		char *path = xasprintf("spec.images[%s]", name);
		struct image_behavior image, written = { 0 };
		image_behavior_default(&image, name);
		if (!ynode_is_null(node) &&
		    decode_struct(l->file, node, &image_schema, &written, path,
				  l->diags) == 0 && node->kind == YNODE_MAP) {
			copy_written_fields(&image_schema, node, &image, &written);
			check_image(l, node, &image, path);
		}
		LIST_PUSH(l->scenario->images, image);
		free(path);
	}
}

static void load_settings(struct loader *l, const struct ynode *node)
{
	struct scenario_settings written = { 0 };
	struct scenario_settings *settings = &l->scenario->settings;
	if (decode_struct(l->file, node, &settings_schema, &written,
			  "spec.settings", l->diags) || node->kind != YNODE_MAP)
		return;
	copy_written_fields(&settings_schema, node, settings, &written);
	if (settings->watch_delay < 0)
		loader_problem(l, ynode_get(node, "watchDelay"), "spec.settings."
			       "watchDelay: must not be negative");
	if (settings->bind_latency < 0)
		loader_problem(l, ynode_get(node, "bindLatency"), "spec.settings."
			       "bindLatency: must not be negative");
	if (settings->terminated_pod_gc_threshold < 0)
		loader_problem(l, ynode_get(node, "terminatedPodGCThreshold"), "spec.settings."
			       "terminatedPodGCThreshold: must not be negative");
}

static void load_metadata(struct loader *l, const struct ynode *root)
{
	const struct ynode *node = ynode_get(root, "metadata");
	struct scenario_meta meta = { 0 };
	if (!node || ynode_is_null(node)) {
		loader_problem(l, node ? node : root, "metadata.name: Required "
			       "value: a scenario needs a name");
		return;
	}
	decode_struct(l->file, node, &scenario_meta_schema, &meta, "metadata",
		      l->diags);
	/* The strings move into the scenario: nothing left to release. */
	l->scenario->name = meta.name;
	l->scenario->chapter = meta.chapter;
	l->scenario->description = meta.description;
}

static void load_spec(struct loader *l, const struct ynode *spec)
{
	static const char *const known[] = {
		"seed", "duration", "settings", "cluster", "images", "traffic",
		"timeline", "expect", "schedulerConfigFile", "schedulerPlugins", NULL
	};
	struct scenario *sc = l->scenario;
	const struct ynode *node;

	if (!loader_want(l, spec, YNODE_MAP, "spec"))
		return;
	loader_check_keys(l, spec, "spec", known);
	if ((node = ynode_get(spec, "seed")) && !ynode_is_null(node)) {
		int64_t seed;
		if (node->kind != YNODE_SCALAR || ynode_int64(node, &seed) || seed < 0)
			loader_problem(l, node, "spec.seed: expected a non-negative "
				       "integer, got %s", loader_got(l, node));
		else
			sc->seed = (uint64_t)seed;
	}
	/* The duration comes first: every time after it is checked against it. */
	if ((node = ynode_get(spec, "duration")) && !ynode_is_null(node)) {
		/* On a problem the default stands in, for checking the rest. */
		ktime_t duration = DEFAULT_DURATION;
		if (loader_duration(l, node, "spec.duration", &duration) == 0 &&
		    duration == 0)
			loader_problem(l, node, "spec.duration: must be more than 0s");
		else if (duration > 0)
			sc->duration = duration;
	}
	if ((node = ynode_get(spec, "settings")) && !ynode_is_null(node))
		load_settings(l, node);
	/* Pools before the timeline, which names their nodes. */
	if ((node = ynode_get(spec, "cluster")) && !ynode_is_null(node))
		load_pools(l, node);
	if ((node = ynode_get(spec, "images")) && !ynode_is_null(node))
		load_images(l, node);
	if ((node = ynode_get(spec, "traffic")) && !ynode_is_null(node))
		load_traffic(l, node);
	if ((node = ynode_get(spec, "timeline")) && !ynode_is_null(node))
		load_timeline(l, node);
	if ((node = ynode_get(spec, "expect")) && !ynode_is_null(node))
		load_expectations(l, node);
}

static bool is_scenario_doc(const struct ynode *root)
{
	const struct ynode *kind = ynode_get(root, "kind");
	return kind && kind->kind == YNODE_SCALAR &&
	       !strcmp(kind->scalar, SCENARIO_KIND);
}

static void load_scenario_doc(struct loader *l, const struct ynode *root)
{
	static const char *const known[] = {
		"apiVersion", "kind", "metadata", "spec", NULL
	};
	loader_check_keys(l, root, "", known);
	const struct ynode *version = ynode_get(root, "apiVersion");
	if (!version || version->kind != YNODE_SCALAR ||
	    strcmp(version->scalar, SCENARIO_API_VERSION))
		loader_problem(l, version ? version : root, "a Scenario needs "
			       "apiVersion: " SCENARIO_API_VERSION "%s%s%s",
			       version ? ", got \"" : "",
			       version && version->kind == YNODE_SCALAR ?
				       version->scalar : "",
			       version ? "\"" : "");
	load_metadata(l, root);
	const struct ynode *spec = ynode_get(root, "spec");
	if (!spec || ynode_is_null(spec))
		loader_problem(l, root, "missing required field \"spec\"");
	else
		load_spec(l, spec);
}

/* ---- 4. the interface --------------------------------------------------- */

static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Stable insertion sort by at: entries written at the same time run in
 * the order written (qsort is not stable). Timelines are short. */
static void sort_timeline(struct scenario *sc)
{
	for (size_t i = 1; i < sc->timeline.len; i++) {
		struct action moving = sc->timeline.items[i];
		size_t j = i;
		while (j > 0 && sc->timeline.items[j - 1].at > moving.at) {
			sc->timeline.items[j] = sc->timeline.items[j - 1];
			j--;
		}
		sc->timeline.items[j] = moving;
	}
}

/* Where a diagnostic sorts: by file (in the order files first appear), then
 * line, then column, so that the report reads top to bottom as a compiler's
 * does, although manifests are checked before the Scenario document. */
static bool diag_before(const struct diag_list *order, const struct diag *a,
			const struct diag *b)
{
	if (strcmp(a->file, b->file)) {
		for (size_t i = 0; i < order->len; i++) {
			if (!strcmp(order->items[i].file, a->file))
				return true;
			if (!strcmp(order->items[i].file, b->file))
				return false;
		}
	}
	return a->line != b->line ? a->line < b->line : a->column < b->column;
}

/* Stable insertion sort of diags[from..]: few, and mostly in order. The
 * file order is read from the list as it was, so it is computed first. */
static void sort_diags(struct diag_list *diags, size_t from)
{
	size_t n = diags->len - from;
	struct diag_list original = { .items = xmalloc((n ? n : 1) * sizeof(struct diag)),
				      .len = n };
	memcpy(original.items, diags->items + from, n * sizeof(struct diag));
	for (size_t i = from + 1; i < diags->len; i++) {
		struct diag moving = diags->items[i];
		size_t j = i;
		while (j > from && diag_before(&original, &moving, &diags->items[j - 1])) {
			diags->items[j] = diags->items[j - 1];
			j--;
		}
		diags->items[j] = moving;
	}
	free(original.items);
}

/* The loader proper, on a file already read; frees file. before is how
 * many diagnostics diags held before reading it. */
static struct scenario *load_file(const char *path, struct yfile *file,
				  struct diag_list *diags, size_t before)
{
	struct scenario *sc = xcalloc(1, sizeof(*sc));
	sc->path = xstrdup(path);
	sc->seed = DEFAULT_SEED;
	sc->duration = DEFAULT_DURATION;
	sc->settings.record_events = true;
	sc->settings.terminated_pod_gc_threshold = DEFAULT_TERMINATED_POD_GC_THRESHOLD;
	struct loader l = { .file = path, .dir = directory_of(path),
			    .diags = diags, .scenario = sc };

	/* 1. Which document is the Scenario. */
	const struct ynode *scenario_root = NULL;
	for (size_t i = 0; i < file->len; i++) {
		const struct ynode *root = file->docs[i].root;
		if (!is_scenario_doc(root))
			continue;
		if (scenario_root)
			loader_problem(&l, root, "a second Scenario document: a "
				       "file describes one run (the first is at "
				       "line %d)", scenario_root->line);
		else
			scenario_root = root;
	}
	if (!scenario_root)
		diag_add(diags, path, 0, 0, "no Scenario document (a document "
			 "with apiVersion: " SCENARIO_API_VERSION ", kind: "
			 SCENARIO_KIND ")");

	/* 2. The other documents are manifests, applied first, at 0s; a
	 * KubeSchedulerConfiguration configures the scheduler instead. */
	struct action apply = { .type = ACTION_APPLY };
	const struct ynode *config_root = NULL;
	for (size_t i = 0; i < file->len; i++) {
		const struct ynode *root = file->docs[i].root;
		if (is_scenario_doc(root))
			continue;
		if (sched_config_is_document(root)) {
			if (config_root)
				loader_problem(&l, root, "a second %s document (the "
					       "first is at line %d)", SCHED_CONFIG_KIND,
					       config_root->line);
			config_root = root;
			continue;
		}
		if (!apply.line) {
			apply.line = root->line;
			apply.column = root->column;
		}
		struct object *obj = decode_object(path, root, diags);
		if (obj)
			LIST_PUSH(apply.objects, obj);
	}
	if (apply.objects.len)
		LIST_PUSH(sc->timeline, apply);

	/* 3. The Scenario document itself. */
	if (scenario_root)
		load_scenario_doc(&l, scenario_root);
	/* 4. The scheduler: plugins first, then the config that names them. */
	loader_scheduler(&l, scenario_root ? ynode_get(scenario_root, "spec") : NULL,
			 config_root);
	sort_timeline(sc);

	free(l.dir);
	yfile_free(file);
	if (diags->len > before) {
		sort_diags(diags, before);
		scenario_free(sc);
		return NULL;
	}
	return sc;
}

struct scenario *scenario_load(const char *path, struct diag_list *diags)
{
	size_t before = diags->len;
	struct yfile *file = yfile_load(path, diags);
	return file ? load_file(path, file, diags, before) : NULL;
}

struct scenario *scenario_load_string(const char *path, const char *text,
				      size_t len, struct diag_list *diags)
{
	size_t before = diags->len;
	struct yfile *file = yfile_load_string(path, text, len, diags);
	return file ? load_file(path, file, diags, before) : NULL;
}

void action_release(struct action *action)
{
	for (size_t i = 0; i < action->objects.len; i++)
		object_unref(action->objects.items[i]);
	free(action->objects.items);
	free(action->namespace);
	free(action->name);
	free(action->path);
	free(action->value);
	free(action->key);
	free(action->effect);
	memset(action, 0, sizeof(*action));
}

void scenario_free(struct scenario *scenario)
{
	if (!scenario)
		return;
	for (size_t i = 0; i < scenario->node_pools.len; i++)
		schema_release(&node_pool_schema, &scenario->node_pools.items[i]);
	free(scenario->node_pools.items);
	for (size_t i = 0; i < scenario->images.len; i++)
		image_behavior_release(&scenario->images.items[i]);
	free(scenario->images.items);
	for (size_t i = 0; i < scenario->traffic.len; i++)
		traffic_profile_release(&scenario->traffic.items[i]);
	free(scenario->traffic.items);
	for (size_t i = 0; i < scenario->timeline.len; i++)
		action_release(&scenario->timeline.items[i]);
	free(scenario->timeline.items);
	for (size_t i = 0; i < scenario->expectations.len; i++)
		expectation_release(&scenario->expectations.items[i]);
	free(scenario->expectations.items);
	sched_config_free(scenario->scheduler_config);
	free(scenario->path);
	free(scenario->name);
	free(scenario->chapter);
	free(scenario->description);
	free(scenario);
}

const struct image_behavior *scenario_image(const struct scenario *scenario,
					    const char *name,
					    struct image_behavior *scratch)
{
	for (size_t i = 0; i < scenario->images.len; i++)
		if (!strcmp(scenario->images.items[i].name, name))
			return &scenario->images.items[i];
	image_behavior_default(scratch, name);
	return scratch;
}
