/* sched_explain.c - a scheduling attempt as JSON, for traces and the CLI.
 *
 * K8S: no upstream counterpart. kube-scheduler tells its reasons only in
 * the FailedScheduling event and, at high verbosity, in its logs (the
 * per-plugin scores are logged by prioritizeNodes at -v=10). kubelab
 * keeps them as data: the scheduler describes each attempt to an
 * observer (struct sched_explain_hook in sched.h), and this file writes
 * such a description as one JSON object, the body of the trace's
 * "schedule" record (docs/trace-format.md) and of `kubelab explain -o
 * json` (docs/explain.md).
 *
 * Members are written in a fixed order so traces stay byte-for-byte
 * reproducible.
 */
#include "sched.h"

#include "api.h"
#include "json.h"

static struct json *node_json(const struct sched_attempt *a,
			      const struct sched_explain_node *e)
{
	struct json *node = json_new_object();
	json_add_string(node, "node", e->name);
	if (e->code != SCHED_SUCCESS) {
		json_add_string(node, "filter", e->plugin ? e->plugin : "");
		json_add_string(node, "code", sched_code_name(e->code));
		json_add_string(node, "reason", e->reason ? e->reason : "");
		return node;
	}
	json_add_string(node, "filter", "passed");
	if (!e->raw)
		return node;
	struct json *scores = json_new_array();
	for (size_t k = 0; k < a->plugins_len; k++) {
		struct json *score = json_new_object();
		json_add_string(score, "plugin", a->plugins[k]);
		json_add_int(score, "raw", e->raw[k]);
		json_add_int(score, "normalized", e->normalized[k]);
		json_add_int(score, "weight", a->weights[k]);
		json_add_int(score, "weighted", e->normalized[k] * a->weights[k]);
		json_append(scores, score);
	}
	json_add(node, "scores", scores);
	json_add_int(node, "total", e->total);
	return node;
}

struct json *sched_attempt_json(const struct sched_attempt *a)
{
	struct json *body = json_new_object();
	const struct object_meta *meta = &a->pod->obj.meta;
	json_add_string(body, "namespace", meta->namespace);
	json_add_string(body, "pod", meta->name);
	json_add_string(body, "result", a->chosen ? "Scheduled" : "FailedScheduling");
	if (a->chosen)
		json_add_string(body, "node", a->chosen);
	json_add_int(body, "numAllNodes", (int64_t)a->num_all_nodes);
	json_add_int(body, "percentageOfNodesToScore", a->percentage);
	json_add_int(body, "numFeasibleNodesToFind", (int64_t)a->num_to_find);
	json_add_int(body, "startIndex", (int64_t)a->start_index);
	json_add_int(body, "examined", (int64_t)a->examined);
	json_add_int(body, "feasible", (int64_t)a->feasible);
	if (a->requeued_on) {
		if (a->requeued_by)
			json_add_string(body, "requeuedBy", a->requeued_by);
		json_add_string(body, "requeuedOn", a->requeued_on);
	}
	if (a->pre_filter_plugin)
		json_add_string(body, "preFilter", a->pre_filter_plugin);
	if (a->narrowed) {
		/* K8S: the PreFilterResult the nodes were narrowed to */
		struct json *result = json_new_object();
		struct json *plugins = json_new_array();
		for (unsigned id = 0; id < SCHED_PLUGIN_MAX; id++) {
			const struct sched_plugin *pl = sched_plugin_by_id((enum sched_plugin_id)id);
			if (pl && (a->narrowed->narrowed_by & (1u << id)))
				json_append(plugins, json_new_string(pl->name));
		}
		json_add(result, "plugins", plugins);
		json_add_int(result, "nodes", (int64_t)a->narrowed_to);
		json_add(body, "preFilterResult", result);
	}
	if (a->permit_wait)
		json_add_string(body, "permitWait", a->permit_wait);
	struct json *nodes = json_new_array();
	for (size_t i = 0; i < a->nodes_len; i++)
		json_append(nodes, node_json(a, &a->nodes[i]));
	json_add(body, "nodes", nodes);
	if (a->chosen)
		json_add_int(body, "ties", (int64_t)a->ties);
	if (a->message)
		json_add_string(body, "message", a->message);
	if (a->nominated_node) {
		json_add_string(body, "nominatedNode", a->nominated_node);
		struct json *victims = json_new_array();
		for (size_t i = 0; i < a->victims_len; i++)
			json_append(victims, json_new_string(a->victims[i]));
		json_add(body, "victims", victims);
	}
	return body;
}
