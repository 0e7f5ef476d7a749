/* rollout_revision.c - kubectl rollout undo, history and status for
 * StatefulSets and DaemonSets; see rollout.h.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go
 * (StatefulSetRollbacker, DaemonSetRollbacker, findHistory), history.go
 * (StatefulSetHistoryViewer, DaemonSetHistoryViewer), rollout_status.go
 * (StatefulSetStatusViewer, DaemonSetStatusViewer).
 *
 * These two keep their history as ControllerRevisions (ctrl_history.h),
 * numbered by .revision. Undo is again client-side: kubectl applies the
 * chosen revision's data, a patch that replaces spec.template, and the
 * controller then renumbers that revision to come last. History lists
 * the numbers (a StatefulSet's without a CHANGE-CAUSE column, as
 * upstream prints it); status reads the workload's status.
 *
 * See also: rollout.c (Deployments), ctrl_statefulset.c,
 * ctrl_daemonset_history.c.
 */
#include "rollout.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static enum api_code fail(struct api_status *status, enum api_code code,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum api_code fail(struct api_status *status, enum api_code code,
			  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(status->message, sizeof(status->message), fmt, ap);
	va_end(ap);
	status->code = code;
	return code;
}

/* The pod template of a StatefulSet or DaemonSet (writable for copies). */
static struct pod_template_spec *template_of(struct object *obj)
{
	if (obj->kind->id == KIND_STATEFULSET)
		return &((struct stateful_set *)obj)->spec.template;
	return &((struct daemon_set *)obj)->spec.template;
}

/* The revisions owner controls, sorted by number (borrowed from store). */
static void owned_revisions(const struct store *store, const struct object *owner,
			    struct object_list *out)
{
	store_list_owned(store, KIND_CONTROLLERREVISION, owner->meta.uid, out);
	/* Few revisions: an insertion sort by number keeps equal ones in
	 * the store's (name) order. */
	for (size_t i = 1; i < out->len; i++)
		for (size_t k = i; k > 0; k--) {
			const struct controller_revision *a =
				(const struct controller_revision *)out->items[k - 1];
			const struct controller_revision *b =
				(const struct controller_revision *)out->items[k];
			if (a->revision <= b->revision)
				break;
			const struct object *t = out->items[k];
			out->items[k] = out->items[k - 1];
			out->items[k - 1] = t;
		}
}

enum api_code rollout_undo_revision(const struct client *client, enum kind_id kind,
				    const char *namespace, const char *name,
				    int64_t to_revision, struct api_status *status)
{
	BUG_ON(kind != KIND_STATEFULSET && kind != KIND_DAEMONSET);
	if (to_revision < 0)
		return fail(status, API_NOT_FOUND,
			    "unable to find specified revision %lld in history",
			    (long long)to_revision);
	const struct object *obj = client_get(client, kind, namespace, name);
	if (!obj)
		return fail(status, API_NOT_FOUND, "%s.apps \"%s\" not found",
			    kind_get(kind)->resource, name);
	struct object_list list = {0};
	owned_revisions(client->store, obj, &list);
	/* K8S: findHistory: the one of that number, or for 0 the second
	 * newest. */
	const struct controller_revision *to = NULL;
	enum api_code code = API_OK;
	if (to_revision == 0 && list.len <= 1) {
		code = fail(status, API_NOT_FOUND, "no last revision to roll back to");
		goto out;
	}
	if (to_revision == 0)
		to = (const struct controller_revision *)list.items[list.len - 2];
	for (size_t i = 0; i < list.len && !to; i++)
		if (((const struct controller_revision *)list.items[i])->revision == to_revision)
			to = (const struct controller_revision *)list.items[i];
	if (!to) {
		code = fail(status, API_NOT_FOUND,
			    "unable to find specified revision %lld in history",
			    (long long)to_revision);
		goto out;
	}
	if (schema_equal(&pod_template_spec_schema, &to->data.spec.template,
			 template_of((struct object *)obj))) {
		/* LAB: rollout-undo-skip (upstream prints the number asked for) */
		fail(status, API_OK, "skipped rollback (current template already "
		     "matches revision %lld)", (long long)to_revision);
		goto out;
	}
	/* The revision's data replaces spec.template ("$patch": "replace"). */
	struct object *next = object_copy(obj);
	struct pod_template_spec *template = template_of(next);
	schema_release(&pod_template_spec_schema, template);
	schema_copy(&pod_template_spec_schema, template, &to->data.spec.template);
	struct api_status result;
	code = client_update(client, next, &result);
	if (code != API_OK)
		fail(status, code, "failed restoring revision %lld: %s",
		     (long long)to_revision, result.message);
	else
		fail(status, API_OK, "rolled back");
out:
	object_list_release(&list);
	return code;
}

void rollout_history_revisions(const struct store *store, const struct object *owner,
			       FILE *out)
{
	struct object_list list = {0};
	owned_revisions(store, owner, &list);
	if (!list.len) {
		fputs("No rollout history found.\n", out);
		object_list_release(&list);
		return;
	}
	bool causes = owner->kind->id == KIND_DAEMONSET;
	int width = (int)strlen("REVISION");
	for (size_t i = 0; i < list.len; i++) {
		int digits = snprintf(NULL, 0, "%lld", (long long)
				      ((const struct controller_revision *)list.items[i])->revision);
		if (digits > width)
			width = digits;
	}
	width += 2;	/* text/tabwriter padding */
	if (causes)
		fprintf(out, "%-*s%s\n", width, "REVISION", "CHANGE-CAUSE");
	else
		fputs("REVISION\n", out);
	for (size_t i = 0; i < list.len; i++) {
		const struct controller_revision *cr =
			(const struct controller_revision *)list.items[i];
		/* Upstream keys a map by number: a number seen twice prints once. */
		if (i + 1 < list.len &&
		    ((const struct controller_revision *)list.items[i + 1])->revision == cr->revision)
			continue;
		if (!causes) {
			fprintf(out, "%lld\n", (long long)cr->revision);
			continue;
		}
		const char *cause = strmap_get(&cr->obj.meta.annotations, CHANGE_CAUSE_ANNOTATION);
		fprintf(out, "%-*lld%s\n", width, (long long)cr->revision,
			cause && *cause ? cause : "<none>");
	}
	object_list_release(&list);
}

static bool rolling_update(const char *type)
{
	return !type || !strcmp(type, "RollingUpdate");
}

enum rollout_state rollout_status_statefulset(const struct stateful_set *sts, char **message)
{
	const struct stateful_set_status *s = &sts->status;
	if (!rolling_update(sts->spec.update_strategy.type)) {
		*message = xstrdup("rollout status is only available for RollingUpdate "
				   "strategy type");
		return ROLLOUT_FAILED;
	}
	if (!s->observed_generation || sts->obj.meta.generation > s->observed_generation) {
		*message = xstrdup("Waiting for statefulset spec update to be observed...");
		return ROLLOUT_WAITING;
	}
	int32_t replicas = sts->spec.replicas;
	if (s->ready_replicas < replicas) {
		*message = xasprintf("Waiting for %d pods to be ready...",
				     replicas - s->ready_replicas);
		return ROLLOUT_WAITING;
	}
	/* The API server always fills in rollingUpdate.partition (0), so
	 * kubectl always takes its partitioned branch. */
	int32_t want = replicas - sts->spec.update_strategy.rolling_update.partition;
	if (s->updated_replicas < want) {
		*message = xasprintf("Waiting for partitioned roll out to finish: %d out of %d "
				     "new pods have been updated...", s->updated_replicas, want);
		return ROLLOUT_WAITING;
	}
	*message = xasprintf("partitioned roll out complete: %d new pods have been updated...",
			     s->updated_replicas);
	return ROLLOUT_DONE;
}

enum rollout_state rollout_status_daemonset(const struct daemon_set *ds, char **message)
{
	const struct daemon_set_status *s = &ds->status;
	const char *name = ds->obj.meta.name;
	if (!rolling_update(ds->spec.update_strategy.type)) {
		*message = xstrdup("rollout status is only available for RollingUpdate "
				   "strategy type");
		return ROLLOUT_FAILED;
	}
	if (ds->obj.meta.generation > s->observed_generation) {
		*message = xstrdup("Waiting for daemon set spec update to be observed...");
		return ROLLOUT_WAITING;
	}
	if (s->updated_number_scheduled < s->desired_number_scheduled) {
		*message = xasprintf("Waiting for daemon set \"%s\" rollout to finish: %d out of "
				     "%d new pods have been updated...", name,
				     s->updated_number_scheduled, s->desired_number_scheduled);
		return ROLLOUT_WAITING;
	}
	if (s->number_available < s->desired_number_scheduled) {
		*message = xasprintf("Waiting for daemon set \"%s\" rollout to finish: %d of %d "
				     "updated pods are available...", name,
				     s->number_available, s->desired_number_scheduled);
		return ROLLOUT_WAITING;
	}
	*message = xasprintf("daemon set \"%s\" successfully rolled out", name);
	return ROLLOUT_DONE;
}
