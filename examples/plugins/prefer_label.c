/* prefer_label.c - a scheduler Score plugin written by a student.
 *
 * LAB: scheduler-plugin. The goal: web pods should run on the nodes an
 * operator labelled `example.com/fast: "true"` when those nodes have
 * room, and elsewhere when they do not. A Filter would be too strict
 * (pods would stay Pending once the fast nodes are full); a Score only
 * makes the fast nodes more attractive, so the other nodes still take
 * the overflow.
 *
 * Build and run it (kubelab compiles this file for you):
 *   kubelab run scenarios/ch17-student-plugin.yaml
 *   kubelab run SCENARIO --plugin examples/plugins/prefer_label.c
 * and enable it in the scheduler's configuration, with a weight:
 *   plugins: {multiPoint: {enabled: [{name: PreferLabel, weight: 5}]}}
 * See docs/scheduler-plugins.md.
 */
#include "sched_plugin_api.h"

/* The label this plugin looks for, and the value that counts. */
#define FAST_LABEL "example.com/fast"
#define FAST_VALUE "true"

/* Score is called once per node that passed every Filter. It returns how
 * good that node is for this pod, from 0 (worst) to 100 (best). The
 * scheduler multiplies it by the plugin's weight and adds the other
 * plugins' weighted scores; the node with the highest total wins.
 *
 * state: this scheduling cycle's scratch space (unused here);
 * pod:   the pod being scheduled (read-only);
 * node:  the node, with its labels and the requests already booked. */
static int64_t prefer_label_score(struct sched_state *state, const struct pod *pod,
				  const struct sched_node_info *node)
{
	(void)state;
	(void)pod;
	const char *value = sched_node_label(node, FAST_LABEL);
	if (value && strcmp(value, FAST_VALUE) == 0)
		return SCHED_MAX_NODE_SCORE;	/* 100: a fast node */
	return 0;				/* any other node */
}

/* The plugin itself: its name (the one the configuration uses) and its
 * hooks. Leave out the hooks you do not need; .id is set by kubelab. */
const struct sched_plugin kubelab_plugin = {
	.name = "PreferLabel",
	.score = prefer_label_score,
};
