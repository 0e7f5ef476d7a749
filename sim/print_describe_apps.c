/* print_describe_apps.c - `kubectl describe` for StatefulSets, DaemonSets,
 * Jobs and CronJobs.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go
 * (describeStatefulSet, describeVolumeClaimTemplates, describeDaemonSet,
 * describeJob, capIndexesListOrNone, describeCronJob, describeJobTemplate,
 * printActiveJobs).
 *
 * These are the controllers a course meets after Deployments, and each
 * page answers its controller's question: how many of my replicas exist
 * and which partition is being rolled (StatefulSet); on how many nodes is
 * my daemon scheduled, up to date and available (DaemonSet, read against
 * `kubectl get nodes`); how many pods are active, done, failed, and how
 * long did it take (Job); when did my schedule last fire and which Jobs
 * are still running (CronJob). All of them end with the pod template and
 * the controller's Events (SuccessfulCreate, Completed, SawCompletedJob).
 *
 * Fields print when upstream prints them: a pointer field left nil prints
 * nothing or "<unset>". kubelab's opt_int64 carries the same "unset"; a
 * plain bool or int32 (Job's suspend, the CronJob history limits) is
 * always set, as defaulting makes it upstream.
 */
#include "print_internal.h"
#include "duration.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* Go's %v of a []string: "[a b]", "[]" when empty. Caller frees. */
static char *go_string_slice(const void *list_of_strings)
{
	const LIST_OF(char *) *list = list_of_strings;
	char *text = xstrdup("[");
	for (size_t i = 0; i < list->len; i++) {
		char *next = xasprintf("%s%s%s", text, i ? " " : "", str(list->items[i]));
		free(text);
		text = next;
	}
	char *done = xasprintf("%s]", text);
	free(text);
	return done;
}

static void selector_line(struct tabwriter *tw, const struct label_selector *selector)
{
	char *text = print_selector_string(selector);
	tabwriter_put(tw, 0, "Selector:\t%s\n", text);
	free(text);
}

/* ---- StatefulSet --------------------------------------------------------- */

/* K8S: printLabelsMultilineWithIndent with a "  " indent: continuation
 * lines start with the indent, then the tab. */
static void indented_map(struct tabwriter *tw, const char *title, const struct strmap *map)
{
	tabwriter_printf(tw, "  %s:\t", title);
	if (!map->len)
		tabwriter_printf(tw, "<none>\n");
	for (size_t i = 0; i < map->len; i++)
		tabwriter_printf(tw, "%s%s=%s\n", i ? "  \t" : "", map->items[i].key,
				 str(map->items[i].value));
}

/* K8S: describeVolumeClaimTemplates. */
static void describe_claim_templates(struct tabwriter *tw, const struct stateful_set *sts)
{
	size_t n = sts->spec.volume_claim_templates.len;
	if (!n) {
		tabwriter_put(tw, 0, "Volume Claims:\t<none>\n");
		return;
	}
	tabwriter_put(tw, 0, "Volume Claims:\n");
	for (size_t i = 0; i < n; i++) {
		const struct persistent_volume_claim_template *pvc =
			&sts->spec.volume_claim_templates.items[i];
		const char *beta = strmap_get(&pvc->metadata.annotations,
					      "volume.beta.kubernetes.io/storage-class");
		tabwriter_put(tw, 1, "Name:\t%s\n", str(pvc->metadata.name));
		tabwriter_put(tw, 1, "StorageClass:\t%s\n",
			      beta ? beta : str(pvc->spec.storage_class_name));
		indented_map(tw, "Labels", &pvc->metadata.labels);
		indented_map(tw, "Annotations", &pvc->metadata.annotations);
		const struct quantity *storage =
			resource_list_get(&pvc->spec.resources.requests, "storage");
		char q[QUANTITY_STR_MAX] = "<default>";
		if (storage)
			quantity_format(storage, q, sizeof(q));
		tabwriter_put(tw, 1, "Capacity:\t%s\n", q);
		char *modes = go_string_slice(&pvc->spec.access_modes);
		tabwriter_put(tw, 1, "Access Modes:\t%s\n", modes);
		free(modes);
	}
}

void describe_stateful_set(struct tabwriter *tw, const struct store *store,
			   const struct stateful_set *sts, ktime_t now)
{
	const struct object *obj = &sts->obj;
	const struct stateful_set_update_strategy *strategy = &sts->spec.update_strategy;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_creation(tw, obj);
	selector_line(tw, &sts->spec.selector);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "Replicas:\t%d desired | %d total\n", sts->spec.replicas,
		      sts->status.replicas);
	tabwriter_put(tw, 0, "Update Strategy:\t%s\n", str(strategy->type));
	/* Defaulting gives a RollingUpdate strategy rollingUpdate.partition 0,
	 * so upstream prints the partition for every RollingUpdate set. */
	if (strategy->type && !strcmp(strategy->type, "RollingUpdate")) {
		tabwriter_put(tw, 1, "Partition:\t%d\n", strategy->rolling_update.partition);
		if (strategy->rolling_update.max_unavailable.is_set) {
			char *max = print_int_or_string(&strategy->rolling_update.max_unavailable);
			tabwriter_put(tw, 1, "MaxUnavailable:\t%s\n", max);
			free(max);
		}
	}
	describe_pods_status(tw, store, obj);
	describe_pod_template(tw, &sts->spec.template);
	describe_claim_templates(tw, sts);
	print_describe_events(tw, store, obj, now);
}

/* ---- DaemonSet ----------------------------------------------------------- */

void describe_daemon_set(struct tabwriter *tw, const struct store *store,
			 const struct daemon_set *ds, ktime_t now)
{
	const struct object *obj = &ds->obj;
	const struct daemon_set_status *st = &ds->status;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	selector_line(tw, &ds->spec.selector);
	describe_map_line(tw, "Node-Selector", &ds->spec.template.spec.node_selector);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	/* No tabs in these five lines: upstream does not align them. */
	tabwriter_put(tw, 0, "Desired Number of Nodes Scheduled: %d\n",
		      st->desired_number_scheduled);
	tabwriter_put(tw, 0, "Current Number of Nodes Scheduled: %d\n",
		      st->current_number_scheduled);
	tabwriter_put(tw, 0, "Number of Nodes Scheduled with Up-to-date Pods: %d\n",
		      st->updated_number_scheduled);
	tabwriter_put(tw, 0, "Number of Nodes Scheduled with Available Pods: %d\n",
		      st->number_available);
	tabwriter_put(tw, 0, "Number of Nodes Misscheduled: %d\n", st->number_misscheduled);
	describe_pods_status(tw, store, obj);
	describe_pod_template(tw, &ds->spec.template);
	print_describe_events(tw, store, obj, now);
}

/* ---- Job ----------------------------------------------------------------- */

/* K8S: capIndexesListOrNone: cut after the first comma past 50
 * characters, with "..."; "<none>" when empty. Caller frees. */
static char *cap_indexes(const char *indexes)
{
	size_t len = indexes ? strlen(indexes) : 0;
	if (!len)
		return xstrdup("<none>");
	size_t at = 50;
	while (at < len && indexes[at] != ',')
		at++;
	if (at >= len)
		return xstrdup(indexes);
	return xasprintf("%.*s...", (int)(at + 1), indexes);
}

void describe_job(struct tabwriter *tw, const struct store *store,
		  const struct job *job, ktime_t now)
{
	const struct object *obj = &job->obj;
	const struct job_spec *spec = &job->spec;
	const struct job_status *st = &job->status;
	char when[PRINT_TIME_MAX];
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	selector_line(tw, &spec->selector);
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	char *controller = describe_controlled_by(obj);
	if (controller)
		tabwriter_put(tw, 0, "Controlled By:\t%s\n", controller);
	free(controller);
	if (spec->parallelism.is_set)
		tabwriter_put(tw, 0, "Parallelism:\t%lld\n", (long long)spec->parallelism.value);
	if (spec->completions.is_set)
		tabwriter_put(tw, 0, "Completions:\t%lld\n", (long long)spec->completions.value);
	else
		tabwriter_put(tw, 0, "Completions:\t<unset>\n");
	if (spec->completion_mode)
		tabwriter_put(tw, 0, "Completion Mode:\t%s\n", spec->completion_mode);
	tabwriter_put(tw, 0, "Suspend:\t%s\n", spec->suspend ? "true" : "false");
	if (spec->backoff_limit.is_set)
		tabwriter_put(tw, 0, "Backoff Limit:\t%lld\n", (long long)spec->backoff_limit.value);
	if (spec->ttl_seconds_after_finished.is_set)
		tabwriter_put(tw, 0, "TTL Seconds After Finished:\t%lld\n",
			      (long long)spec->ttl_seconds_after_finished.value);
	if (st->start_time) {
		print_time_rfc1123(st->start_time, when, sizeof(when));
		tabwriter_put(tw, 0, "Start Time:\t%s\n", when);
	}
	if (st->completion_time) {
		print_time_rfc1123(st->completion_time, when, sizeof(when));
		tabwriter_put(tw, 0, "Completed At:\t%s\n", when);
	}
	if (st->start_time && st->completion_time) {
		duration_human(st->completion_time - st->start_time, when, sizeof(when));
		tabwriter_put(tw, 0, "Duration:\t%s\n", when);
	}
	if (spec->active_deadline_seconds.is_set)
		tabwriter_put(tw, 0, "Active Deadline Seconds:\t%llds\n",
			      (long long)spec->active_deadline_seconds.value);
	/* status.ready is always written by the job controller of v1.34
	 * (JobReadyPods is GA), so the "(N Ready)" form is the one seen. */
	tabwriter_put(tw, 0, "Pods Statuses:\t%d Active (%d Ready) / %d Succeeded / %d Failed\n",
		      st->active, st->ready, st->succeeded, st->failed);
	if (spec->completion_mode && !strcmp(spec->completion_mode, "Indexed")) {
		char *indexes = cap_indexes(st->completed_indexes);
		tabwriter_put(tw, 0, "Completed Indexes:\t%s\n", indexes);
		free(indexes);
	}
	describe_pod_template(tw, &spec->template);
	print_describe_events(tw, store, obj, now);
}

/* ---- CronJob ------------------------------------------------------------- */

static void opt_line(struct tabwriter *tw, const char *title, const struct opt_int64 *value,
		     const char *unit)
{
	if (value->is_set)
		tabwriter_put(tw, 0, "%s:\t%lld%s\n", title, (long long)value->value, unit);
	else
		tabwriter_put(tw, 0, "%s:\t<unset>\n", title);
}

/* K8S: describeJobTemplate. The template's selector is normally absent
 * (the Job's own is generated when the Job is created). */
static void describe_job_template(struct tabwriter *tw, const struct job_template_spec *jt)
{
	const struct job_spec *spec = &jt->spec;
	if (spec->selector.match_labels.len || spec->selector.match_expressions.len)
		selector_line(tw, &spec->selector);
	else
		tabwriter_put(tw, 0, "Selector:\t<unset>\n");
	opt_line(tw, "Parallelism", &spec->parallelism, "");
	opt_line(tw, "Completions", &spec->completions, "");
	if (spec->active_deadline_seconds.is_set)
		tabwriter_put(tw, 0, "Active Deadline Seconds:\t%llds\n",
			      (long long)spec->active_deadline_seconds.value);
	describe_pod_template(tw, &spec->template);
}

void describe_cron_job(struct tabwriter *tw, const struct store *store,
		       const struct cron_job *cj, ktime_t now)
{
	const struct object *obj = &cj->obj;
	const struct cron_job_spec *spec = &cj->spec;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	tabwriter_put(tw, 0, "Schedule:\t%s\n", str(spec->schedule));
	tabwriter_put(tw, 0, "Concurrency Policy:\t%s\n", str(spec->concurrency_policy));
	/* printBoolPtr: capitalised, unlike the Job's "false" */
	tabwriter_put(tw, 0, "Suspend:\t%s\n", spec->suspend ? "True" : "False");
	tabwriter_put(tw, 0, "Time Zone:\t%s\n", spec->time_zone ? spec->time_zone : "<unset>");
	tabwriter_put(tw, 0, "Successful Job History Limit:\t%d\n",
		      spec->successful_jobs_history_limit);
	tabwriter_put(tw, 0, "Failed Job History Limit:\t%d\n", spec->failed_jobs_history_limit);
	opt_line(tw, "Starting Deadline Seconds", &spec->starting_deadline_seconds, "s");
	describe_job_template(tw, &spec->job_template);
	if (cj->status.last_schedule_time) {
		char when[PRINT_TIME_MAX];
		print_time_rfc1123(cj->status.last_schedule_time, when, sizeof(when));
		tabwriter_put(tw, 0, "Last Schedule Time:\t%s\n", when);
	} else {
		tabwriter_put(tw, 0, "Last Schedule Time:\t<unset>\n");
	}
	tabwriter_put(tw, 0, "Active Jobs:\t");
	for (size_t i = 0; i < cj->status.active.len; i++)
		tabwriter_printf(tw, "%s%s", i ? ", " : "", str(cj->status.active.items[i].name));
	tabwriter_printf(tw, "%s\n", cj->status.active.len ? "" : "<none>");
	print_describe_events(tw, store, obj, now);
}
