/* ctrl_job_util.c - the Job controller's pure rules: back-off, finish
 * times, completion indexes; see ctrl_job.h.
 *
 * K8S: pkg/controller/job/backoff_utils.go (the pod-failure back-off and
 * getFinishedTime), indexed_job_utils.go (completion indexes and their
 * "0-3,5" text form) and the pod template a Job's pods are made from.
 *
 * Why a back-off at all: a Job whose pods crash would otherwise replace
 * each failed pod at once, and a broken image would burn through its
 * backoffLimit in seconds. Upstream waits 10s after the first failure,
 * 20s after the second in a row, doubling up to 6 minutes; one success
 * resets the count.
 *
 * Invariants: nothing here keeps state or writes to the API.
 */
#include "ctrl_job.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_util.h"
#include "xmalloc.h"

#define MAX_GENERATED_NAME 58	/* K8S: validation.maxGeneratedNameLength */

ktime_t job_backoff_remaining(int32_t failures, ktime_t last_failure, ktime_t now)
{
	if (failures <= 0)
		return 0;
	ktime_t delay = JOB_POD_FAILURE_BACKOFF;
	for (int32_t i = 1; i < failures; i++) {
		delay *= 2;
		if (delay >= JOB_POD_FAILURE_BACKOFF_MAX) {
			delay = JOB_POD_FAILURE_BACKOFF_MAX;
			break;
		}
	}
	ktime_t elapsed = now - last_failure;
	return delay < elapsed ? 0 : delay - elapsed;
}

/* The latest finishedAt, or 0 unless every container has terminated. */
static ktime_t finish_from_containers(const struct pod *pod)
{
	ktime_t latest = 0;
	for (size_t i = 0; i < pod->status.container_statuses.len; i++) {
		ktime_t at = pod->status.container_statuses.items[i].state.terminated.finished_at;
		if (!at)
			return 0;
		if (at > latest)
			latest = at;
	}
	return latest;
}

ktime_t job_pod_finish_time(const struct pod *pod)
{
	ktime_t at = finish_from_containers(pod);
	if (at)
		return at;
	const struct condition *ready = ctrl_pod_condition(pod, "Ready");
	if (ready && ready->status && !strcmp(ready->status, "False") &&
	    ready->last_transition_time)
		return ready->last_transition_time;
	if (pod->obj.meta.deletion_timestamp)
		return pod->obj.meta.deletion_timestamp -
		       pod->obj.meta.deletion_grace_period_seconds * KTIME_SECOND;
	return pod->obj.meta.creation_timestamp;
}

/* A non-negative decimal without sign or spaces, or -1. */
static int32_t parse_index(const char *text, const char *end)
{
	if (text == end || *text < '0' || *text > '9')
		return -1;
	int64_t value = 0;
	for (const char *p = text; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		value = value * 10 + (*p - '0');
		if (value > INT32_MAX)
			return -1;
	}
	return (int32_t)value;
}

int32_t job_pod_completion_index(const struct pod *pod)
{
	const char *text = strmap_get(&pod->obj.meta.annotations, JOB_COMPLETION_INDEX);
	return text ? parse_index(text, text + strlen(text)) : -1;
}

void job_indexes_parse(const char *text, bool *set, int32_t len)
{
	for (const char *part = text; part && *part;) {
		const char *comma = strchr(part, ',');
		const char *end = comma ? comma : part + strlen(part);
		const char *dash = memchr(part, '-', (size_t)(end - part));
		int32_t first = parse_index(part, dash ? dash : end);
		int32_t last = dash ? parse_index(dash + 1, end) : first;
		if (first >= 0 && last >= first)
			for (int32_t i = first; i <= last && i < len; i++)
				set[i] = true;
		part = comma ? comma + 1 : NULL;
	}
}

char *job_indexes_format(const bool *set, int32_t len)
{
	char *text = NULL;
	for (int32_t i = 0; i < len; i++) {
		if (!set[i])
			continue;
		int32_t last = i;
		while (last + 1 < len && set[last + 1])
			last++;
		char *part = last > i ? xasprintf("%d-%d", i, last) : xasprintf("%d", i);
		char *next = text ? xasprintf("%s,%s", text, part) : part;
		if (text) {
			free(text);
			free(part);
		}
		text = next;
		i = last;
	}
	return text;
}

/* K8S: the labels the API server adds to a Job's template (job strategy
 * PrepareForCreate), and for Indexed Jobs addCompletionIndexAnnotation,
 * addCompletionIndexLabel, the hostname and podGenerateNameWithIndex. */
struct pod *job_pod_from_template(const struct job *job, int32_t index)
{
	struct pod *pod = ctrl_pod_from_template(&job->spec.template, &job->obj);
	struct object_meta *meta = &pod->obj.meta;
	strmap_set(&meta->labels, JOB_LABEL_CONTROLLER_UID, job->obj.meta.uid);
	strmap_set(&meta->labels, JOB_LABEL_JOB_NAME, job->obj.meta.name);
	strmap_set(&meta->labels, JOB_LABEL_LEGACY_CONTROLLER_UID, job->obj.meta.uid);
	strmap_set(&meta->labels, JOB_LABEL_LEGACY_JOB_NAME, job->obj.meta.name);
	if (index < 0)
		return pod;
	char text[16];
	snprintf(text, sizeof(text), "%d", index);
	strmap_set(&meta->annotations, JOB_COMPLETION_INDEX, text);
	strmap_set(&meta->labels, JOB_COMPLETION_INDEX, text);
	free(pod->spec.hostname);
	pod->spec.hostname = xasprintf("%s-%d", job->obj.meta.name, index);
	free(meta->generate_name);
	char *base = xasprintf("%s-%d", job->obj.meta.name, index);
	if (strlen(base) > MAX_GENERATED_NAME)	/* keep the index, shorten the name */
		meta->generate_name = xasprintf("%.*s-%d-",
			(int)(MAX_GENERATED_NAME - strlen(text) - 1), job->obj.meta.name, index);
	else
		meta->generate_name = xasprintf("%s-", base);
	free(base);
	/* K8S: addCompletionIndexEnvVariables (a fieldRef upstream). */
	for (size_t i = 0; i < pod->spec.containers.len; i++) {
		struct container *ctr = &pod->spec.containers.items[i];
		size_t cap = ctr->env.len;
		xgrow((void **)&ctr->env.items, &cap, ctr->env.len + 1, sizeof(*ctr->env.items));
		ctr->env.items[ctr->env.len++] = (struct env_var){
			.name = xstrdup(JOB_COMPLETION_INDEX_ENV), .value = xstrdup(text),
		};
	}
	return pod;
}
