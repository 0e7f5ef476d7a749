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
 * The loader is several files, one per part of the document. This one has:
 *   1. the schema tables of the scenario's own types (metadata, settings),
 *      so decode_struct checks them strictly;
 *   3. the document: metadata, spec, settings;
 *   4. scenario_load, scenario_free and the image lookup.
 * scenario_read.c has the readers all parts share (part 2: durations,
 * KIND/NAME, node names, field paths); scenario_pools.c spec.cluster's
 * node pools, scenario_images.c spec.images, scenario_traffic.c
 * spec.traffic, scenario_scheduler.c the scheduler's configuration,
 * scenario_timeline.c (with scenario_nodes.c) the timeline and the
 * expectations.
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

/* ---- 1. schema tables --------------------------------------------------- */

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

/* decode_struct fills a zeroed struct, and a zero cannot be told from an
 * absent field (schema.c), so `exitCode: 0` or `recordEvents: false` would
 * be lost to the defaults. Instead the tables are decoded into a zeroed
 * scratch struct and only the fields the YAML names are copied over the
 * defaults (see scenario_load.h). */
void loader_copy_written(const struct schema *schema, const struct ynode *map,
			 void *dst, const void *src)
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

static void load_settings(struct loader *l, const struct ynode *node)
{
	struct scenario_settings written = { 0 };
	struct scenario_settings *settings = &l->scenario->settings;
	if (decode_struct(l->file, node, &settings_schema, &written,
			  "spec.settings", l->diags) || node->kind != YNODE_MAP)
		return;
	loader_copy_written(&settings_schema, node, settings, &written);
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
		node_pool_release(&scenario->node_pools.items[i]);
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
