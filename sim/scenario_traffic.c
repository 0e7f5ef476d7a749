/* scenario_traffic.c - the scenario's traffic model: spec.traffic.
 *
 * Each entry says how many requests per second reach a workload over the
 * run, as steps and ramps (traffic.h), e.g.
 *
 *   traffic:
 *   - target: deployment/web
 *     rps:
 *     - {at: 0s, rps: 40}
 *     - {at: 2m, rps: 300, ramp: 30s}
 *     - {at: 6m, rps: 40}
 *
 * The sim metrics backend (metrics_sim.c) turns it into pod CPU and memory
 * (and a per-pod requests-per-second custom metric) for the HPA. Checked
 * as the rest of the scenario: every problem with its file:line:column.
 * K8S: no counterpart (a load generator such as the HPA walkthrough's
 * busybox loop, declared instead of run).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "scenario_load.h"

/* A billion requests a second: beyond any service a scenario models. */
#define MAX_RPS 1e9

#define F(json, type_, member) \
	.name = (json), .type = (type_), .offset = offsetof(struct traffic_point, member)

static const struct field point_fields[] = {
	{ F("at", FIELD_DURATION, at), .flags = FIELD_REQUIRED },
	{ F("rps", FIELD_DOUBLE, rps), .flags = FIELD_REQUIRED | FIELD_KEEP_ZERO },
	{ F("ramp", FIELD_DURATION, ramp) },
};
static const struct schema point_schema = {
	"TrafficPoint", sizeof(struct traffic_point), FIELDS(point_fields)
};

void traffic_profile_release(struct traffic_profile *profile)
{
	free(profile->namespace);
	free(profile->name);
	free(profile->metric);
	free(profile->points.items);
	memset(profile, 0, sizeof(*profile));
}

static void load_points(struct loader *l, const struct ynode *seq, const char *path,
			struct traffic_profile *profile)
{
	if (!loader_want(l, seq, YNODE_SEQ, path))
		return;
	for (size_t i = 0; i < seq->len; i++) {
		const struct ynode *node = seq->items[i];
		char *at_path = xasprintf("%s[%zu]", path, i);
		struct traffic_point point = { 0 };
		if (!decode_struct(l->file, node, &point_schema, &point, at_path, l->diags)) {
			const struct ynode *at = ynode_get(node, "at");
			if (point.at < 0 || point.at > l->scenario->duration)
				loader_problem(l, at, "%s.at: must lie within the run "
					       "(0s to spec.duration)", at_path);
			else if (profile->points.len &&
				 point.at < profile->points.items[profile->points.len - 1].at)
				loader_problem(l, at, "%s.at: points must be in time order",
					       at_path);
			if (point.rps < 0)
				loader_problem(l, ynode_get(node, "rps"), "%s.rps: must not "
					       "be negative", at_path);
			else if (point.rps > MAX_RPS)
				/* 1e300 passed once and, times cpuPerRps, no
				 * longer fit a metric: the HPA saw 0% CPU. */
				loader_problem(l, ynode_get(node, "rps"), "%s.rps: must be "
					       "at most %g, got %g", at_path, MAX_RPS,
					       point.rps);
			if (point.ramp < 0)
				loader_problem(l, ynode_get(node, "ramp"), "%s.ramp: must "
					       "not be negative", at_path);
			LIST_PUSH(profile->points, point);
		}
		free(at_path);
	}
}

void load_traffic(struct loader *l, const struct ynode *traffic)
{
	static const char *const known[] = { "target", "namespace", "metric", "rps", NULL };
	if (!loader_want(l, traffic, YNODE_SEQ, "spec.traffic"))
		return;
	for (size_t i = 0; i < traffic->len; i++) {
		const struct ynode *node = traffic->items[i];
		char *path = xasprintf("spec.traffic[%zu]", i);
		if (!loader_want(l, node, YNODE_MAP, path)) {
			free(path);
			continue;
		}
		loader_check_keys(l, node, path, known);
		struct traffic_profile profile = { 0 };
		char *target_path = xasprintf("%s.target", path);
		const struct ynode *target = ynode_get(node, "target");
		const struct kind_info *kind = NULL;
		if (!target)
			loader_problem(l, node, "%s: Required value: a workload or Service "
				       "such as deployment/web", target_path);
		else
			kind = loader_object_ref(l, target, target_path, &profile.name);
		if (kind && kind->id != KIND_DEPLOYMENT && kind->id != KIND_REPLICASET &&
		    kind->id != KIND_STATEFULSET && kind->id != KIND_SERVICE)
			loader_problem(l, target, "%s: traffic reaches the pods of a "
				       "deployment, replicaset, statefulset or service, not "
				       "a %s", target_path, kind->singular);
		profile.kind = kind ? kind->id : KIND_DEPLOYMENT;
		const struct ynode *value;
		const char *text;
		if ((value = ynode_get(node, "namespace")) &&
		    (text = loader_string(l, value, "namespace")))
			profile.namespace = xstrdup(text);
		else
			profile.namespace = xstrdup("default");
		if ((value = ynode_get(node, "metric")) &&
		    (text = loader_string(l, value, "metric")))
			profile.metric = xstrdup(text);
		else
			profile.metric = xstrdup(TRAFFIC_DEFAULT_METRIC);
		char *rps_path = xasprintf("%s.rps", path);
		if ((value = ynode_get(node, "rps")))
			load_points(l, value, rps_path, &profile);
		else
			loader_problem(l, node, "%s: Required value: the requests per "
				       "second over time", rps_path);
		LIST_PUSH(l->scenario->traffic, profile);
		free(rps_path);
		free(target_path);
		free(path);
	}
}
