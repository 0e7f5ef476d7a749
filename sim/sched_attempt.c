/* sched_attempt.c - recording a scheduling attempt for the explain hook.
 *
 * K8S: no upstream counterpart as data. kube-scheduler tells the Filter
 * verdicts only through the FailedScheduling message (schedule_one.go,
 * FitError) and the per-plugin scores only in its -v=10 logs
 * (prioritizeNodes). With scheduler_options.explain set, the cycle
 * (sched.c) describes every attempt here, and sched_explain.c turns the
 * description into JSON for the trace and `kubelab explain`.
 *
 * Interface (sched_internal.h): sched_attempt_begin, then one
 * sched_attempt_node per node examined, sched_attempt_scores when several
 * nodes were scored, and sched_attempt_end, which hands s->attempt to the
 * hook.
 *
 * Invariants: called only when s->explain.attempt is set, so a run
 * without a hook pays nothing; the record lives in the scratch arrays
 * grown with the node count (ex_nodes, ex_feasible, ex_raw,
 * ex_normalized); the one string per rejected node is freed by
 * sched_attempt_end.
 */
#include "sched_internal.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void sched_attempt_begin(struct scheduler *s, const struct pod *pod, size_t n)
{
	struct sched_attempt *a = &s->attempt;
	memset(a, 0, sizeof(*a));
	a->pod = pod;
	a->time = client_now(s->client);
	a->num_all_nodes = n;
	a->percentage = sched_percentage_of(s);
	a->num_to_find = sched_num_feasible_nodes_to_find(a->percentage, n);
	if (!sched_profile_has_score(s->profile))
		a->num_to_find = n ? 1 : 0;
	a->start_index = n ? s->next_start_node_index % n : 0;
	a->nodes = s->ex_nodes;
}

/* Records the Filter verdict of one node; found counts the feasible ones
 * so far, this one included. */
void sched_attempt_node(struct scheduler *s, const struct sched_node_info *node,
			const struct sched_status *status, size_t found)
{
	struct sched_explain_node *e = &s->ex_nodes[s->attempt.nodes_len];
	memset(e, 0, sizeof(*e));
	e->name = node->name;
	e->code = status->code;
	if (status->code == SCHED_SUCCESS) {
		s->ex_feasible[found - 1] = s->attempt.nodes_len;
	} else {
		char *reason = NULL;
		for (size_t i = 0; i < status->reasons_len; i++) {
			char *next = xasprintf("%s%s%s", reason ? reason : "",
					       i ? ", " : "", status->reasons[i]);
			free(reason);
			reason = next;
		}
		e->plugin = status->plugin ? status->plugin->name : NULL;
		e->reason = reason;
	}
	s->attempt.nodes_len++;
}

/* Copies the score details of the found feasible nodes into their
 * entries, and counts the nodes that share the chosen one's total. */
void sched_attempt_scores(struct scheduler *s, const struct sched_score_detail *d,
			  size_t found, size_t chosen)
{
	struct sched_attempt *a = &s->attempt;
	a->plugins_len = d->plugins_len;
	for (size_t k = 0; k < d->plugins_len; k++) {
		a->plugins[k] = d->plugins[k]->plugin->name;
		a->weights[k] = d->plugins[k]->weight;
	}
	a->ties = 0;
	for (size_t i = 0; i < found; i++) {
		struct sched_explain_node *e = &s->ex_nodes[s->ex_feasible[i]];
		e->raw = &s->ex_raw[i * SCHED_PLUGIN_MAX];
		e->normalized = &s->ex_normalized[i * SCHED_PLUGIN_MAX];
		e->total = s->totals[i];
		if (s->totals[i] == s->totals[chosen])
			a->ties++;
	}
}

/* Hands the attempt to the hook and forgets it. */
void sched_attempt_end(struct scheduler *s, size_t found, const char *chosen,
		       const char *message)
{
	struct sched_attempt *a = &s->attempt;
	a->examined = a->nodes_len;
	a->feasible = found;
	a->chosen = chosen;
	if (chosen && !a->ties)
		a->ties = 1;
	a->message = message;
	s->explain.attempt(s->explain.arg, a);
	for (size_t i = 0; i < a->nodes_len; i++)
		free((char *)s->ex_nodes[i].reason);
	a->nodes_len = 0;
}
