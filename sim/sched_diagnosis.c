/* sched_diagnosis.c - why a cycle found no node: Diagnosis and FitError.
 *
 * K8S: pkg/scheduler/framework/types.go (Diagnosis, FitError.Error).
 *
 * Interface: sched_framework.h (sched_diagnosis_*, sched_fit_error_message).
 * Only a failing cycle's diagnosis allocates, once per distinct reason;
 * a node rejected for the same static reason as the last one costs a
 * compare and an increment. Invariant: reasons[] holds each distinct
 * reason once, with the number of nodes rejected for it.
 */
#include "sched_framework.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void sched_diagnosis_reset(struct sched_diagnosis *d, size_t num_all_nodes)
{
	for (size_t i = 0; i < d->reasons_len; i++)
		free(d->reasons[i].reason);
	d->reasons_len = 0;
	free(d->pre_filter_msg);
	free(d->post_filter_msg);
	d->pre_filter_msg = d->post_filter_msg = NULL;
	d->num_all_nodes = num_all_nodes;
	d->rejected_by = 0;
}

/* The index of reason in d's counts, added (with no nodes yet) when it
 * is not there. */
static size_t diagnosis_slot(struct sched_diagnosis *d, const char *reason)
{
	size_t i = 0;
	while (i < d->reasons_len && strcmp(d->reasons[i].reason, reason))
		i++;
	if (i == d->reasons_len) {
		xgrow((void **)&d->reasons, &d->reasons_cap, d->reasons_len + 1,
		      sizeof(*d->reasons));
		d->reasons[d->reasons_len++] =
			(struct sched_reason_count){ xstrdup(reason), 0, NULL };
	}
	return i;
}

void sched_diagnosis_add(struct sched_diagnosis *d,
			 const struct sched_status *status)
{
	if (status->plugin)
		d->rejected_by |= 1u << status->plugin->id;
	/* Hot path: a node rejected for the one static reason the last
	 * node was (a walk rejects hundreds of nodes for a few reasons). */
	if (status->reasons_len == 1 && d->last < d->reasons_len &&
	    d->reasons[d->last].seen == status->reasons[0]) {
		d->reasons[d->last].nodes++;
		return;
	}
	uintptr_t text = (uintptr_t)status->text;
	for (size_t r = 0; r < status->reasons_len; r++) {
		const char *reason = status->reasons[r];
		/* Formatted reasons live in text[], reused node after node. */
		bool is_static = (uintptr_t)reason - text >= sizeof(status->text);
		size_t i = 0;
		while (is_static && i < d->reasons_len && d->reasons[i].seen != reason)
			i++;
		if (!is_static || i == d->reasons_len)
			i = diagnosis_slot(d, reason);
		if (is_static)
			d->reasons[i].seen = reason;
		d->reasons[i].nodes++;
		d->last = i;
	}
}

void sched_diagnosis_add_nodes(struct sched_diagnosis *d, const char *reason,
			       size_t nodes)
{
	size_t i = diagnosis_slot(d, reason);	/* first: it may move reasons */
	d->reasons[i].nodes += nodes;
}

void sched_diagnosis_release(struct sched_diagnosis *d)
{
	sched_diagnosis_reset(d, 0);
	free(d->reasons);
	memset(d, 0, sizeof(*d));
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LAB: sched-fit-error. "<count> <reason>" strings are sorted as strings,
 * as upstream does: "1 node(s) were unschedulable" before "2 Insufficient
 * cpu" -- and "10 ..." before "2 ...". */
char *sched_fit_error_message(const struct sched_diagnosis *d)
{
	char *msg = xasprintf("0/%zu nodes are available:", d->num_all_nodes);
	char *next;
	if (d->pre_filter_msg) {
		next = xasprintf("%s %s.", msg, d->pre_filter_msg);
		free(msg);
		msg = next;
	} else if (d->reasons_len) {
		char **parts = xcalloc(d->reasons_len, sizeof(*parts));
		for (size_t i = 0; i < d->reasons_len; i++)
			parts[i] = xasprintf("%zu %s", d->reasons[i].nodes,
					     d->reasons[i].reason);
		qsort(parts, d->reasons_len, sizeof(*parts), compare_strings);
		for (size_t i = 0; i < d->reasons_len; i++) {
			next = xasprintf("%s%s%s%s", msg, i ? ", " : " ", parts[i],
					 i + 1 == d->reasons_len ? "." : "");
			free(msg);
			free(parts[i]);
			msg = next;
		}
		free(parts);
	}
	if (d->post_filter_msg) {
		next = xasprintf("%s %s", msg, d->post_filter_msg);
		free(msg);
		msg = next;
	}
	return msg;
}
