/* ctrl_deployment_revision.c - the Deployment's ReplicaSets as revisions:
 * which one is new, its name, its revision number, its history.
 *
 * K8S: pkg/controller/deployment/sync.go (getNewReplicaSet,
 * cleanupDeployment), util/deployment_util.go (FindNewReplicaSet,
 * EqualIgnoreHash, SetNewReplicaSetAnnotations, MaxRevision) and
 * controller.ComputeHash.
 *
 * Each version of the pod template is one ReplicaSet, named
 * NAME-<pod-template-hash> and carrying the label pod-template-hash in its
 * selector and template, so two versions never claim each other's pods.
 * The "new" RS is the oldest whose template equals the deployment's
 * (ignoring that label). Its deployment.kubernetes.io/revision is one
 * more than any old RS's: going back to an old template makes that RS new
 * again with a higher revision, the old number kept in revision-history.
 *
 * The hash: upstream hashes the template with FNV-32a over a Go-specific
 * deep dump (hashutil.DeepHashObject) and spells the number with
 * rand.SafeEncodeString. kubelab hashes the template's JSON encoding
 * (json_from_struct) the same way, so names look alike ("web-5d4c8b9f7")
 * and play the same role, but the values differ from a real cluster's.
 *
 * Interface: ctrl_deployment.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_deployment.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "json.h"
#include "xmalloc.h"

#define MAX_REV_HISTORY_LENGTH 2000	/* K8S: maxRevHistoryLengthInChars */

/* ---- the new ReplicaSet -------------------------------------------------- */

/* K8S: EqualIgnoreHash: the templates are equal but for pod-template-hash. */
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

/* K8S: Revision: the revision annotation as a number, 0 without one. */
static int64_t revision_of(const struct object *obj)
{
	const char *text = strmap_get(&obj->meta.annotations, REVISION_ANNOTATION);
	return text ? strtoll(text, NULL, 10) : 0;
}

/* K8S: SetReplicasAnnotations. */
bool deployment_set_replicas_annotations(struct object *rs, int32_t desired, int32_t max)
{
	char want[2][16];
	snprintf(want[0], sizeof(want[0]), "%d", desired);
	snprintf(want[1], sizeof(want[1]), "%d", max);
	const char *keys[2] = { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION };
	bool changed = false;
	for (int i = 0; i < 2; i++) {
		const char *have = strmap_get(&rs->meta.annotations, keys[i]);
		if (!have || strcmp(have, want[i])) {
			strmap_set(&rs->meta.annotations, keys[i], want[i]);
			changed = true;
		}
	}
	return changed;
}

/* K8S: SetNewReplicaSetAnnotations: the deployment's own annotations
 * (but not kubectl's or the controller's), the new revision when it is
 * higher (remembering the old one when a template comes back: a
 * rollback), and for a new RS the desired/max replicas. */
static bool set_new_rs_annotations(const struct deployment *d, struct object *rs,
				   int64_t revision, bool exists)
{
	static const char *const skip[] = {
		"kubectl.kubernetes.io/last-applied-configuration", REVISION_ANNOTATION,
		REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION,
		MAX_REPLICAS_ANNOTATION, "deprecated.deployment.rollback.to", NULL,
	};
	bool changed = false;
	const struct strmap *from = &d->obj.meta.annotations;
	for (size_t i = 0; i < from->len; i++) {
		bool skipped = false;
		for (const char *const *k = skip; *k; k++)
			skipped |= !strcmp(*k, from->items[i].key);
		const char *have = strmap_get(&rs->meta.annotations, from->items[i].key);
		if (skipped || (have && !strcmp(have, from->items[i].value)))
			continue;
		strmap_set(&rs->meta.annotations, from->items[i].key, from->items[i].value);
		changed = true;
	}
	const char *old_text = strmap_get(&rs->meta.annotations, REVISION_ANNOTATION);
	int64_t old = revision_of(rs);
	if (old < revision) {
		char *history = NULL;
		if (old_text) {
			const char *prev = strmap_get(&rs->meta.annotations,
						      REVISION_HISTORY_ANNOTATION);
			history = prev && *prev ? xasprintf("%s,%s", prev, old_text)
						: xstrdup(old_text);
		}
		if (history && strlen(history) <= MAX_REV_HISTORY_LENGTH)
			strmap_set(&rs->meta.annotations, REVISION_HISTORY_ANNOTATION, history);
		free(history);
		char text[24];
		snprintf(text, sizeof(text), "%lld", (long long)revision);
		strmap_set(&rs->meta.annotations, REVISION_ANNOTATION, text);
		changed = true;
	}
	int32_t max = d->spec.replicas + deployment_max_surge(d);
	if (!exists && deployment_set_replicas_annotations(rs, d->spec.replicas, max))
		changed = true;
	return changed;
}

/* K8S: SetDeploymentRevision. Upstream carries the annotation in its
 * UpdateStatus; kubelab's status subresource takes only status, so the
 * annotation is a metadata write of its own. */
static int set_deployment_revision(struct rollout *r, const char *revision)
{
	const char *have = strmap_get(&r->d->obj.meta.annotations, REVISION_ANNOTATION);
	if (!revision || (have && !strcmp(have, revision)))
		return 0;
	strmap_set(&r->d->obj.meta.annotations, REVISION_ANNOTATION, revision);
	return deployment_write(r, false);
}

/* The new RS for the deployment's current template (K8S: the literal in
 * getNewReplicaSet): the hash label in its labels, selector and template,
 * a controller reference to the deployment; replicas are set later. */
static struct replica_set *build_new_rs(const struct deployment *d, const char *hash)
{
	struct replica_set *rs = (struct replica_set *)object_new(&replica_set_kind);
	rs->obj.meta.name = xasprintf("%s-%s", d->obj.meta.name, hash);
	rs->obj.meta.namespace = xstrdup(d->obj.meta.namespace);
	struct owner_reference ref = ctrl_controller_ref(&d->obj);
	ctrl_add_owner_ref(&rs->obj, &ref);
	schema_copy(&pod_template_spec_schema, &rs->spec.template, &d->spec.template);
	strmap_set(&rs->spec.template.metadata.labels, POD_TEMPLATE_HASH_LABEL, hash);
	strmap_copy(&rs->obj.meta.labels, &rs->spec.template.metadata.labels);
	schema_copy(&label_selector_schema, &rs->spec.selector, &d->spec.selector);
	strmap_set(&rs->spec.selector.match_labels, POD_TEMPLATE_HASH_LABEL, hash);
	rs->spec.min_ready_seconds = d->spec.min_ready_seconds;
	return rs;
}

/* Splits r->listed into r->new_rs (oldest RS with the current template,
 * K8S: FindNewReplicaSet) and r->old; returns the highest old revision. */
static int64_t split_listed(struct rollout *r)
{
	rs_set_release(&r->old);
	object_unref(r->new_rs ? &r->new_rs->obj : NULL);
	r->new_rs = NULL;
	rs_set_sort_by_age(&r->listed);
	int64_t max_old = 0;
	for (size_t i = 0; i < r->listed.len; i++) {
		struct replica_set *rs = r->listed.items[i];
		if (!r->new_rs && equal_ignore_hash(&rs->spec.template, &r->d->spec.template)) {
			r->new_rs = (struct replica_set *)object_ref(&rs->obj);
			continue;
		}
		rs_set_add(&r->old, rs);
		if (revision_of(&rs->obj) > max_old)
			max_old = revision_of(&rs->obj);
	}
	return max_old;
}

/* The existing new RS: bring its revision, annotations and
 * minReadySeconds up to date, then the deployment's revision. */
static int sync_existing_new_rs(struct rollout *r, int64_t revision)
{
	struct replica_set *copy = (struct replica_set *)object_copy(&r->new_rs->obj);
	bool changed = set_new_rs_annotations(r->d, &copy->obj, revision, true);
	if (changed || copy->spec.min_ready_seconds != r->d->spec.min_ready_seconds) {
		copy->spec.min_ready_seconds = r->d->spec.min_ready_seconds;
		struct object *keep = object_ref(&copy->obj);
		struct api_status status;
		enum api_code code = client_update(r->c->client, &copy->obj, &status);
		if (code == API_OK) {
			object_unref(&r->new_rs->obj);
			r->new_rs = (struct replica_set *)keep;
			return 0;
		}
		object_unref(keep);
		return -1;
	}
	object_unref(&copy->obj);
	if (set_deployment_revision(r, strmap_get(&r->new_rs->obj.meta.annotations,
						  REVISION_ANNOTATION)))
		return -1;
	/* Progress is measured from when we first saw the new RS. */
	if (!deployment_has_progress_deadline(r->d) ||
	    condition_find(&r->d->status.conditions, "Progressing"))
		return 0;
	deployment_set_condition(&r->d->status, "Progressing", "True", REASON_FOUND_NEW_RS,
				 xasprintf("Found new replica set \"%s\"",
					   r->new_rs->obj.meta.name),
				 client_now(r->c->client));
	return deployment_write(r, true);
}

/* A create failed with AlreadyExists: ours (a stale cache), or a hash
 * collision, which bumps status.collisionCount for a new name next time. */
static int resolve_existing(struct rollout *r, const struct replica_set *wanted)
{
	const struct object *found = informer_get(r->c->replica_sets, wanted->obj.meta.namespace,
						  wanted->obj.meta.name);
	if (!found)
		return -1;	/* not in the cache yet: try again */
	const struct owner_reference *ref = object_controller_of(found);
	const struct replica_set *rs = (const void *)found;
	if (ref && ref->uid && !strcmp(ref->uid, r->d->obj.meta.uid) &&
	    equal_ignore_hash(&rs->spec.template, &r->d->spec.template)) {
		r->new_rs = (struct replica_set *)object_ref(found);
		return 0;
	}
	r->d->status.collision_count++;
	deployment_write(r, true);
	return -1;
}

/* Creates the new RS at the size NewRSNewReplicas allows, then records
 * the deployment's revision and Progressing NewReplicaSetCreated. */
static int create_new_rs(struct rollout *r, int64_t revision)
{
	const struct client *client = r->c->client;
	struct deployment *d = r->d;
	char *hash = ctrl_template_hash(&d->spec.template, d->status.collision_count);
	struct replica_set *rs = build_new_rs(d, hash);
	free(hash);
	rs->spec.replicas = deployment_new_rs_replicas(d, rs_set_spec_replicas(&r->old), 0);
	set_new_rs_annotations(d, &rs->obj, revision, false);

	struct object *keep = object_ref(&rs->obj);
	struct api_status status;
	enum api_code code = client_create(client, &rs->obj, &status);
	int rc = 0;
	if (code == API_ALREADY_EXISTS) {
		rc = resolve_existing(r, (const void *)keep);
	} else if (code != API_OK) {
		char *msg = xasprintf("Failed to create new replica set \"%s\": %s",
				      keep->meta.name, status.message);
		client_event(client, &d->obj, "Warning", REASON_RS_CREATE_ERROR, "%s", msg);
		if (deployment_has_progress_deadline(d) &&
		    deployment_set_condition(&d->status, "Progressing", "False",
					     REASON_RS_CREATE_ERROR, xstrdup(msg),
					     client_now(client)))
			deployment_write(r, true);
		free(msg);
		rc = -1;
	} else {
		r->new_rs = (struct replica_set *)object_ref(keep);
		if (r->new_rs->spec.replicas > 0)
			client_event(client, &d->obj, "Normal", "ScalingReplicaSet",
				     "Scaled up replica set %s from 0 to %d",
				     keep->meta.name, r->new_rs->spec.replicas);
		char text[24];
		snprintf(text, sizeof(text), "%lld", (long long)revision);
		if (set_deployment_revision(r, text))
			rc = -1;
		else if (deployment_has_progress_deadline(d) &&
			 deployment_set_condition(&d->status, "Progressing", "True",
						  REASON_NEW_RS_CREATED,
						  xasprintf("Created new replica set \"%s\"",
							    keep->meta.name),
						  client_now(client)))
			rc = deployment_write(r, true);
	}
	object_unref(keep);
	return rc;
}

int deployment_get_new_rs(struct rollout *r, bool create)
{
	int64_t revision = split_listed(r) + 1;
	int rc = 0;
	if (r->new_rs)
		rc = sync_existing_new_rs(r, revision);
	else if (create)
		rc = create_new_rs(r, revision);
	rs_set_release(&r->all);
	for (size_t i = 0; i < r->old.len; i++)
		rs_set_add(&r->all, r->old.items[i]);
	if (r->new_rs)
		rs_set_add(&r->all, r->new_rs);
	return rc;
}

/* ---- history ------------------------------------------------------------ */

/* K8S: ReplicaSetsByRevision: the lowest revision first, then the oldest. */
static int compare_revision(const void *a, const void *b)
{
	const struct replica_set *x = *(const struct replica_set *const *)a;
	const struct replica_set *y = *(const struct replica_set *const *)b;
	int64_t rx = revision_of(&x->obj), ry = revision_of(&y->obj);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->obj.meta.creation_timestamp != y->obj.meta.creation_timestamp)
		return x->obj.meta.creation_timestamp < y->obj.meta.creation_timestamp ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

int deployment_cleanup(struct rollout *r)
{
	int32_t limit = r->d->spec.revision_history_limit;
	struct rs_set alive = {0};
	for (size_t i = 0; i < r->old.len; i++)
		if (!object_is_deleting(&r->old.items[i]->obj))
			rs_set_add(&alive, r->old.items[i]);
	int rc = 0;
	int64_t diff = (int64_t)alive.len - limit;
	if (limit != INT32_MAX && diff > 0) {
		if (alive.len > 1)
			qsort(alive.items, alive.len, sizeof(*alive.items), compare_revision);
		for (int64_t i = 0; i < diff && !rc; i++) {
			const struct replica_set *rs = alive.items[i];
			/* Only RSs with nothing left, whose controller caught up. */
			if (rs->status.replicas || rs->spec.replicas ||
			    rs->obj.meta.generation > rs->status.observed_generation)
				continue;
			struct delete_options options = DELETE_OPTIONS_DEFAULT;
			struct api_status status;
			const struct object_meta *meta = &rs->obj.meta;
			enum api_code code = client_delete(r->c->client, KIND_REPLICASET,
							   meta->namespace, meta->name,
							   &options, &status);
			rc = code == API_OK || code == API_NOT_FOUND ? 0 : -1;
		}
	}
	rs_set_release(&alive);
	return rc;
}

