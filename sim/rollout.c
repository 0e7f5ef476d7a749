/* rollout.c - kubectl rollout undo, history and status; see rollout.h.
 *
 * A Deployment has no history object of its own: its ReplicaSets are the
 * history. Each carries a pod template and a revision number
 * (deployment.kubernetes.io/revision), and the Deployment controller
 * gives the next number to whichever ReplicaSet runs the current
 * template. So "undo" is not a special operation on the server: kubectl
 * copies an old ReplicaSet's template into the Deployment's spec, and the
 * controller, finding that template already has a ReplicaSet, scales that
 * one back up and renumbers it (revision 1 comes back as revision 3, with
 * revision-history "1"). `rollout history` and `rollout status` only read.
 * K8S: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go,
 * history.go, rollout_status.go; kubectl/pkg/util/deployment (Revision,
 * GetAllReplicaSets).
 *
 * Like kubectl, this runs as a client: it reads through the client's
 * store listers and writes one update, and never touches the controller.
 *
 * See also: ctrl_deployment_revision.c (how revisions are numbered),
 * sim/cluster.c (the timeline's rollback: action), tools/cmd_rollout.c.
 */
#include "rollout.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "err.h"
#include "selector.h"
#include "xmalloc.h"

/* K8S: annotationsToSkip: kept from the deployment on undo, never copied
 * from the ReplicaSet (they describe the ReplicaSet, or the last apply). */
static const char *const annotations_to_skip[] = {
	"kubectl.kubernetes.io/last-applied-configuration",
	REVISION_ANNOTATION,
	REVISION_HISTORY_ANNOTATION,
	DESIRED_REPLICAS_ANNOTATION,
	MAX_REPLICAS_ANNOTATION,
	"deprecated.deployment.rollback.to",
	NULL,
};

static bool skipped_annotation(const char *key)
{
	for (const char *const *k = annotations_to_skip; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

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

/* K8S: deploymentutil.Revision: the annotation as a number; an object
 * without one is revision 0. */
static int64_t revision_of(const struct object *obj)
{
	const char *text = strmap_get(&obj->meta.annotations, REVISION_ANNOTATION);
	return text ? strtoll(text, NULL, 10) : 0;
}

/* K8S: equalIgnoreHash: equal templates but for the pod-template-hash
 * label, which the deployment's own template never has. */
static bool equal_ignore_hash(const struct pod_template_spec *a,
			      const struct pod_template_spec *b)
{
	struct pod_template_spec x, y;
	schema_copy(&pod_template_spec_schema, &x, a);
	schema_copy(&pod_template_spec_schema, &y, b);
	strmap_remove(&x.metadata.labels, POD_TEMPLATE_HASH_LABEL);
	strmap_remove(&y.metadata.labels, POD_TEMPLATE_HASH_LABEL);
	bool equal = schema_equal(&pod_template_spec_schema, &x, &y);
	schema_release(&pod_template_spec_schema, &x);
	schema_release(&pod_template_spec_schema, &y);
	return equal;
}

/* K8S: deploymentRevision: the ReplicaSet of revision to_revision, or for
 * 0 the second newest. NULL after filling status. The ReplicaSets are
 * those the deployment controls (GetAllReplicaSets), in the store's
 * order; the answer is borrowed from the store. */
static const struct replica_set *find_revision(const struct client *client,
					       const struct deployment *d,
					       int64_t to_revision,
					       struct api_status *status)
{
	struct object_list list = {0};
	store_list_owned(client->store, KIND_REPLICASET, d->obj.meta.uid, &list);
	const struct object *latest = NULL, *previous = NULL, *found = NULL;
	int64_t latest_rev = -1, previous_rev = -1;
	for (size_t i = 0; i < list.len && !found; i++) {
		int64_t v = revision_of(list.items[i]);
		if (to_revision > 0) {
			if (v == to_revision)
				found = list.items[i];
		} else if (v > latest_rev) {
			previous = latest;
			previous_rev = latest_rev;
			latest = list.items[i];
			latest_rev = v;
		} else if (v > previous_rev) {
			previous = list.items[i];
			previous_rev = v;
		}
	}
	object_list_release(&list);
	if (to_revision > 0 && !found)
		fail(status, API_NOT_FOUND, "unable to find specified revision %lld in history",
		     (long long)to_revision);
	else if (to_revision == 0 && !(found = previous))
		fail(status, API_NOT_FOUND, "no rollout history found for deployment \"%s\"",
		     d->obj.meta.name);
	return (const struct replica_set *)found;
}

/* K8S: the annotations kubectl's patch puts on the deployment: its own
 * skipped ones, then every other annotation of the ReplicaSet. */
static void undo_annotations(const struct deployment *d, const struct replica_set *rs,
			     struct strmap *out)
{
	for (const char *const *k = annotations_to_skip; *k; k++) {
		const char *v = strmap_get(&d->obj.meta.annotations, *k);
		if (v)
			strmap_set(out, *k, v);
	}
	const struct strmap *from = &rs->obj.meta.annotations;
	for (size_t i = 0; i < from->len; i++)
		if (!skipped_annotation(from->items[i].key))
			strmap_set(out, from->items[i].key, from->items[i].value);
}

enum api_code rollout_undo(const struct client *client, const char *namespace,
			   const char *name, int64_t to_revision,
			   struct api_status *status)
{
	if (to_revision < 0)
		return fail(status, API_NOT_FOUND,
			    "unable to find specified revision %lld in history",
			    (long long)to_revision);
	const struct deployment *d = (const struct deployment *)
		client_get(client, KIND_DEPLOYMENT, namespace, name);
	if (!d)
		return fail(status, API_NOT_FOUND, "deployments.apps \"%s\" not found", name);
	const struct replica_set *rs = find_revision(client, d, to_revision, status);
	if (!rs)
		return status->code;
	/* Upstream checks the pause after finding the revision: a paused
	 * deployment with no such revision reports the revision. */
	if (d->spec.paused)
		return fail(status, API_INVALID, "you cannot rollback a paused deployment; "
			    "resume it first with 'kubectl rollout resume deployment/%s' "
			    "and try again", name);
	if (equal_ignore_hash(&rs->spec.template, &d->spec.template)) {
		/* LAB: rollout-undo-skip. Upstream prints the revision asked
		 * for, so a plain undo says "revision 0". */
		fail(status, API_OK, "skipped rollback (current template already "
		     "matches revision %lld)", (long long)to_revision);
		return API_OK;
	}

	struct deployment *next = (struct deployment *)object_copy(&d->obj);
	schema_release(&pod_template_spec_schema, &next->spec.template);
	schema_copy(&pod_template_spec_schema, &next->spec.template, &rs->spec.template);
	strmap_remove(&next->spec.template.metadata.labels, POD_TEMPLATE_HASH_LABEL);
	struct strmap annotations = {0};
	undo_annotations(d, rs, &annotations);
	strmap_release(&next->obj.meta.annotations);
	next->obj.meta.annotations = annotations;

	struct api_status result;
	enum api_code code = client_update(client, &next->obj, &result);
	if (code != API_OK)
		return fail(status, code, "failed restoring revision %lld: %s",
			    (long long)to_revision, result.message);
	return fail(status, API_OK, "rolled back");
}

/* ---- history ------------------------------------------------------------ */

struct revision_row {
	int64_t revision;
	const char *change_cause;	/* borrowed from the ReplicaSet; may be NULL */
};

static int compare_rows(const void *a, const void *b)
{
	const struct revision_row *x = a, *y = b;
	return (x->revision > y->revision) - (x->revision < y->revision);
}

void rollout_history(const struct store *store, const struct deployment *deployment,
		     FILE *out)
{
	struct object_list list = {0};
	store_list_owned(store, KIND_REPLICASET, deployment->obj.meta.uid, &list);
	struct revision_row *rows = xcalloc(list.len ? list.len : 1, sizeof(*rows));
	size_t len = 0;
	/* Upstream collects a map by revision: a revision seen twice keeps
	 * the later ReplicaSet. */
	for (size_t i = 0; i < list.len; i++) {
		struct revision_row row = {
			revision_of(list.items[i]),
			strmap_get(&list.items[i]->meta.annotations, CHANGE_CAUSE_ANNOTATION),
		};
		size_t j = 0;
		while (j < len && rows[j].revision != row.revision)
			j++;
		rows[j] = row;
		len += j == len;
	}
	if (!len) {
		fputs("No rollout history found.\n", out);
		goto out;
	}
	qsort(rows, len, sizeof(*rows), compare_rows);
	/* text/tabwriter with padding 2: the column is its widest cell + 2. */
	int width = (int)strlen("REVISION");
	for (size_t i = 0; i < len; i++) {
		int digits = snprintf(NULL, 0, "%lld", (long long)rows[i].revision);
		if (digits > width)
			width = digits;
	}
	width += 2;
	fprintf(out, "%-*s%s\n", width, "REVISION", "CHANGE-CAUSE");
	for (size_t i = 0; i < len; i++) {
		const char *cause = rows[i].change_cause;
		fprintf(out, "%-*lld%s\n", width, (long long)rows[i].revision,
			cause && *cause ? cause : "<none>");
	}
out:
	free(rows);
	object_list_release(&list);
}

/* ---- status ------------------------------------------------------------- */

/* K8S: DeploymentStatusViewer.appendWarning: the first of the
 * deployment's pods (in name order) that is Unschedulable or whose
 * container waits for a reason kubectl calls a failure, as " (Warning:
 * ...)" after base. Takes over base; returns the message. */
static char *append_warning(const struct store *store, const struct deployment *d,
			    char *base)
{
	static const char *const failing[] = {
		"ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
		"CreateContainerConfigError", "CreateContainerError", NULL,
	};
	struct selector sel;
	struct err *err = NULL;
	if (label_selector_compile(&d->spec.selector, &sel, &err)) {
		err_free(err);
		return base;
	}
	struct object_list pods = {0};
	store_list(store, KIND_POD, d->obj.meta.namespace, &sel, &pods);
	char *warning = NULL;
	for (size_t i = 0; i < pods.len && !warning; i++) {
		const struct pod *pod = (const struct pod *)pods.items[i];
		for (size_t c = 0; c < pod->status.conditions.len && !warning; c++) {
			const struct condition *cond = &pod->status.conditions.items[c];
			if (!strcmp(cond->type, "PodScheduled") && cond->status &&
			    !strcmp(cond->status, "False") && cond->reason &&
			    !strcmp(cond->reason, "Unschedulable"))
				warning = xasprintf("%s (Warning: %s)", base,
						    cond->message ? cond->message : "");
		}
		for (size_t c = 0; c < pod->status.container_statuses.len && !warning; c++) {
			const struct container_state_waiting *w =
				&pod->status.container_statuses.items[c].state.waiting;
			for (const char *const *r = failing; w->reason && *r && !warning; r++)
				if (!strcmp(w->reason, *r))
					warning = xasprintf("%s (Warning: %s - %s)", base, w->reason,
							    w->message ? w->message : "");
		}
	}
	object_list_release(&pods);
	selector_release(&sel);
	if (!warning)
		return base;
	free(base);
	return warning;
}

enum rollout_state rollout_status(const struct store *store,
				  const struct deployment *deployment, char **message)
{
	const struct deployment *d = deployment;
	const char *name = d->obj.meta.name;
	const struct deployment_status *s = &d->status;
	char *base;
	/* The controller has not seen the latest spec: its status describes
	 * an older one. */
	if (d->obj.meta.generation > s->observed_generation) {
		base = xstrdup("Waiting for deployment spec update to be observed...");
		goto waiting;
	}
	const struct condition *progressing =
		condition_find((void *)&s->conditions, "Progressing");
	if (progressing && progressing->reason &&
	    !strcmp(progressing->reason, REASON_TIMED_OUT)) {
		*message = xasprintf("deployment \"%s\" exceeded its progress deadline", name);
		return ROLLOUT_FAILED;
	}
	if (s->updated_replicas < d->spec.replicas)
		base = xasprintf("Waiting for deployment \"%s\" rollout to finish: %d out "
				 "of %d new replicas have been updated...", name,
				 s->updated_replicas, d->spec.replicas);
	else if (s->replicas > s->updated_replicas)
		base = xasprintf("Waiting for deployment \"%s\" rollout to finish: %d old "
				 "replicas are pending termination...", name,
				 s->replicas - s->updated_replicas);
	else if (s->available_replicas < s->updated_replicas)
		base = xasprintf("Waiting for deployment \"%s\" rollout to finish: %d of %d "
				 "updated replicas are available...", name,
				 s->available_replicas, s->updated_replicas);
	else {
		*message = xasprintf("deployment \"%s\" successfully rolled out", name);
		return ROLLOUT_DONE;
	}
waiting:
	*message = append_warning(store, d, base);
	return ROLLOUT_WAITING;
}
