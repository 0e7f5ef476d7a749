/* scenario_images.c - how the scenario's container images behave:
 * spec.images.
 *
 * kubelab runs no real containers in sim mode: an image is a behaviour
 * (how long it takes to pull and start, when it becomes ready, crashes,
 * completes or runs out of memory, what its probes and preStop do, how
 * much it uses per request of traffic), keyed by image name. Fields left
 * out keep the defaults (image_behavior_default); what is written is
 * checked with positions: durations and quantities not negative, exit
 * codes 0..255, crashAfter and completeAfter not both, readiness
 * recovering after it fails.
 * K8S: no upstream counterpart; the behaviours stand in for what a real
 * image's process would do under the kubelet.
 *
 * Interface: load_images (scenario_load.h).
 * See also: scenario.c (the document, and scenario_image, the lookup),
 * kubelet_sim.c (where the behaviours play out).
 */
#include "scenario_load.h"

#include "decode.h"
#include "xmalloc.h"

#include <stddef.h>
#include <stdlib.h>

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

void load_images(struct loader *l, const struct ynode *images)
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
			loader_copy_written(&image_schema, node, &image, &written);
			check_image(l, node, &image, path);
		}
		LIST_PUSH(l->scenario->images, image);
		free(path);
	}
}
