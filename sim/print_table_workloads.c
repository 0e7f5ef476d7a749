/* print_table_workloads.c - `kubectl get` rows of the workload kinds:
 * apps (ReplicaSet, Deployment, StatefulSet, DaemonSet,
 * ControllerRevision) and batch (Job, CronJob).
 *
 * K8S: pkg/printers/internalversion/printers.go (printReplicaSet,
 * printDeployment, printStatefulSet, printDaemonSet, printJob,
 * printCronJob, printControllerRevision).
 *
 * Every row writes what upstream's printer writes, cell for cell, in the
 * order of upstream's column definitions (the struct column tables here).
 * See print_table.c for the machinery, print_table_kinds.c for the other
 * kinds.
 *
 * Interface: print_table_workloads_printer (print_internal.h), asked by
 * print_table_kinds_printer.
 */
#include "print_internal.h"
#include "duration.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- workloads ----------------------------------------------------------- */

static const struct column replica_set_columns[] = {
	COL("Name"), COL("Desired"), COL("Current"), COL("Ready"), COL("Age"),
	WIDE("Containers"), WIDE("Images"), WIDE("Selector"),
};

static void replica_set_row(struct table *t, const struct object *obj)
{
	const struct replica_set *rs = object_as(obj, KIND_REPLICASET, struct replica_set);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%d", rs->spec.replicas);
	table_cell(t, "%d", rs->status.replicas);
	table_cell(t, "%d", rs->status.ready_replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &rs->spec.template.spec);
	table_cell_free(t, print_label_selector(&rs->spec.selector));
}

static const struct column deployment_columns[] = {
	COL("Name"), COL("Ready"), COL("Up-to-date"), COL("Available"), COL("Age"),
	WIDE("Containers"), WIDE("Images"), WIDE("Selector"),
};

static void deployment_row(struct table *t, const struct object *obj)
{
	const struct deployment *d = object_as(obj, KIND_DEPLOYMENT, struct deployment);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%d/%d", d->status.ready_replicas, d->spec.replicas);
	table_cell(t, "%d", d->status.updated_replicas);
	table_cell(t, "%d", d->status.available_replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &d->spec.template.spec);
	table_cell_free(t, print_selector_string(&d->spec.selector));
}

static const struct column stateful_set_columns[] = {
	COL("Name"), COL("Ready"), COL("Age"),
	WIDE("Containers"), WIDE("Images"),
};

static void stateful_set_row(struct table *t, const struct object *obj)
{
	const struct stateful_set *ss = object_as(obj, KIND_STATEFULSET, struct stateful_set);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%d/%d", ss->status.ready_replicas, ss->spec.replicas);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &ss->spec.template.spec);
}

static const struct column daemon_set_columns[] = {
	COL("Name"), COL("Desired"), COL("Current"), COL("Ready"), COL("Up-to-date"),
	COL("Available"), COL("Node Selector"), COL("Age"),
	WIDE("Containers"), WIDE("Images"), WIDE("Selector"),
};

static void daemon_set_row(struct table *t, const struct object *obj)
{
	const struct daemon_set *ds = object_as(obj, KIND_DAEMONSET, struct daemon_set);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%d", ds->status.desired_number_scheduled);
	table_cell(t, "%d", ds->status.current_number_scheduled);
	table_cell(t, "%d", ds->status.number_ready);
	table_cell(t, "%d", ds->status.updated_number_scheduled);
	table_cell(t, "%d", ds->status.number_available);
	table_cell_free(t, print_labels(&ds->spec.template.spec.node_selector));
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &ds->spec.template.spec);
	table_cell_free(t, print_label_selector(&ds->spec.selector));
}

/* ---- batch --------------------------------------------------------------- */

static bool job_condition(const struct job *job, const char *type)
{
	const struct condition *c = condition_find((void *)&job->status.conditions, type);
	return c && c->status && !strcmp(c->status, "True");
}

static const struct column job_columns[] = {
	COL("Name"), COL("Status"), COL("Completions"), COL("Duration"), COL("Age"),
	WIDE("Containers"), WIDE("Images"), WIDE("Selector"),
};

static void job_row(struct table *t, const struct object *obj)
{
	const struct job *job = object_as(obj, KIND_JOB, struct job);
	const struct job_status *st = &job->status;
	const char *status = job_condition(job, "Complete") ? "Complete"
		: job_condition(job, "Failed") ? "Failed"
		: object_is_deleting(obj) ? "Terminating"
		: job_condition(job, "Suspended") ? "Suspended"
		: job_condition(job, "FailureTarget") ? "FailureTarget"
		: "Running";
	char duration[PRINT_TIME_MAX] = "";
	if (st->start_time && !st->completion_time)
		print_age(t->options->now, st->start_time, duration, sizeof(duration));
	else if (st->start_time)
		duration_human(st->completion_time - st->start_time, duration,
			       sizeof(duration));

	table_name(t, obj, obj->meta.name);
	table_status(t, status);
	if (job->spec.completions.is_set)
		table_cell(t, "%d/%lld", st->succeeded,
			   (long long)job->spec.completions.value);
	else if (job->spec.parallelism.is_set && job->spec.parallelism.value > 1)
		table_cell(t, "%d/1 of %lld", st->succeeded,
			   (long long)job->spec.parallelism.value);
	else
		table_cell(t, "%d/1", st->succeeded);
	table_cell(t, "%s", duration);
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &job->spec.template.spec);
	table_cell_free(t, print_label_selector(&job->spec.selector));
}

static const struct column cron_job_columns[] = {
	COL("Name"), COL("Schedule"), COL("Timezone"), COL("Suspend"), COL("Active"),
	COL("Last Schedule"), COL("Age"),
	WIDE("Containers"), WIDE("Images"), WIDE("Selector"),
};

static void cron_job_row(struct table *t, const struct object *obj)
{
	const struct cron_job *cj = object_as(obj, KIND_CRONJOB, struct cron_job);
	table_name(t, obj, obj->meta.name);
	table_cell(t, "%s", cj->spec.schedule ? cj->spec.schedule : "");
	table_cell(t, "%s", print_or_none(cj->spec.time_zone));
	table_cell(t, "%s", cj->spec.suspend ? "True" : "False");
	table_cell(t, "%zu", cj->status.active.len);
	if (cj->status.last_schedule_time)
		table_age(t, cj->status.last_schedule_time);
	else
		table_cell(t, "<none>");
	table_age(t, obj->meta.creation_timestamp);
	table_containers(t, &cj->spec.job_template.spec.template.spec);
	table_cell_free(t, print_label_selector(&cj->spec.job_template.spec.selector));
}

/* K8S: kubectl's ControllerRevision columns: CONTROLLER is the owner with
 * its group, "statefulset.apps/web" (printControllerRevision). */
static const struct column controller_revision_columns[] = {
	COL("Name"), COL("Controller"), COL("Revision"), COL("Age"),
};

static void controller_revision_row(struct table *t, const struct object *obj)
{
	const struct controller_revision *cr =
		object_as(obj, KIND_CONTROLLERREVISION, struct controller_revision);
	const struct owner_reference *ref = object_controller_of(obj);
	table_name(t, obj, obj->meta.name);
	if (!ref || !ref->kind) {
		table_cell(t, "<none>");
	} else {
		char *kind = xstrdup(ref->kind);
		for (char *p = kind; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		const char *slash = ref->api_version ? strchr(ref->api_version, '/') : NULL;
		if (slash)
			table_cell(t, "%s.%.*s/%s", kind, (int)(slash - ref->api_version),
				   ref->api_version, ref->name);
		else
			table_cell(t, "%s/%s", kind, ref->name);
		free(kind);
	}
	table_cell(t, "%lld", (long long)cr->revision);
	table_age(t, obj->meta.creation_timestamp);
}

static const struct kind_printer printers[KIND_COUNT] = {
	[KIND_REPLICASET] = KIND_PRINTER(replica_set_columns, replica_set_row),
	[KIND_DEPLOYMENT] = KIND_PRINTER(deployment_columns, deployment_row),
	[KIND_STATEFULSET] = KIND_PRINTER(stateful_set_columns, stateful_set_row),
	[KIND_DAEMONSET] = KIND_PRINTER(daemon_set_columns, daemon_set_row),
	[KIND_JOB] = KIND_PRINTER(job_columns, job_row),
	[KIND_CRONJOB] = KIND_PRINTER(cron_job_columns, cron_job_row),
	[KIND_CONTROLLERREVISION] = KIND_PRINTER(controller_revision_columns,
						 controller_revision_row),
};

const struct kind_printer *print_table_workloads_printer(enum kind_id kind)
{
	BUG_ON((unsigned)kind >= KIND_COUNT);
	return printers[kind].row ? &printers[kind] : NULL;
}
