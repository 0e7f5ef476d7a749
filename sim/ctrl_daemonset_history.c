/* ctrl_daemonset_history.c - a DaemonSet's ControllerRevisions.
 *
 * K8S: pkg/controller/daemon/update.go (constructHistory, snapshot,
 * cleanupHistory, controlledHistories, Match, maxRevision).
 *
 * Each template a DaemonSet runs is snapshotted into a ControllerRevision
 * named DS-HASH, where HASH is controller.ComputeHash of the template and
 * status.collisionCount (the same hash the Deployment controller gives
 * its ReplicaSets). The revision carries the label controller-revision-
 * hash=HASH, and so does every pod made from it: unlike a StatefulSet's
 * pods, which carry the revision's name, a DaemonSet's carry the bare
 * hash. The revision of the current template is numbered one above every
 * other, so going back to an old template renumbers its revision rather
 * than making a new one. Old revisions no pod runs go, oldest first, once
 * there are more than spec.revisionHistoryLimit of them.
 *
 * A hash collision (the name taken by a revision of another template)
 * bumps status.collisionCount, as upstream, and the sync is retried with
 * the next hash.
 *
 * Simplified: revisions are not adopted or released by selector (kubelab
 * lists those the DaemonSet controls); upstream's dedupCurHistories
 * (several revisions of one template, which only concurrent writers can
 * make) is not needed: the highest-numbered one is used.
 *
 * Interface: ctrl_daemonset.h (daemonset_construct_history,
 * daemonset_cleanup_history).
 */
#include "ctrl_daemonset.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_history.h"
#include "ctrl_util.h"
#include "xmalloc.h"

/* K8S: snapshot's revision, before the create. */
static struct controller_revision *snapshot_of(const struct daemon_set *ds, int64_t revision)
{
	struct controller_revision *cr =
		(struct controller_revision *)object_new(&controller_revision_kind);
	char *hash = ctrl_template_hash(&ds->spec.template, ds->status.collision_count);
	cr->obj.meta.name = history_revision_name(ds->obj.meta.name, hash);
	cr->obj.meta.namespace = xstrdup(ds->obj.meta.namespace);
	strmap_copy(&cr->obj.meta.labels, &ds->spec.template.metadata.labels);
	strmap_set(&cr->obj.meta.labels, DAEMONSET_HASH_LABEL, hash);
	strmap_copy(&cr->obj.meta.annotations, &ds->obj.meta.annotations);
	struct owner_reference ref = ctrl_controller_ref(&ds->obj);
	ctrl_add_owner_ref(&cr->obj, &ref);
	schema_copy(&pod_template_spec_schema, &cr->data.spec.template, &ds->spec.template);
	cr->revision = revision;
	free(hash);
	return cr;
}

/* K8S: Match: the revision holds exactly ds's template. */
static bool matches(const struct daemon_set *ds, const struct controller_revision *cr)
{
	return schema_equal(&pod_template_spec_schema, &ds->spec.template,
			    &cr->data.spec.template);
}

/* K8S: snapshot. Returns the stored revision (borrowed) or NULL. */
static const struct controller_revision *snapshot(const struct client *client,
						  const struct daemon_set *ds, int64_t revision)
{
	struct controller_revision *cr = snapshot_of(ds, revision);
	char *name = xstrdup(cr->obj.meta.name);
	enum api_code code = client_create(client, &cr->obj, NULL);
	const struct object *stored = client_get(client, KIND_CONTROLLERREVISION,
						 ds->obj.meta.namespace, name);
	free(name);
	if (code == API_OK || !stored)
		return (const struct controller_revision *)stored;
	if (code != API_ALREADY_EXISTS)
		return NULL;
	const struct controller_revision *existing = (const struct controller_revision *)stored;
	if (matches(ds, existing))
		return existing;	/* made by an earlier sync */
	/* LAB: ds-collision. Another template has this name: count the
	 * collision on the DaemonSet as stored, unless our count was stale. */
	const struct object *fresh = client_get(client, KIND_DAEMONSET, ds->obj.meta.namespace,
						ds->obj.meta.name);
	if (!fresh || strcmp(fresh->meta.uid, ds->obj.meta.uid))
		return NULL;
	const struct daemon_set *cur = (const struct daemon_set *)fresh;
	if (cur->status.collision_count != ds->status.collision_count)
		return NULL;	/* retry with the count already bumped */
	struct daemon_set *next = (struct daemon_set *)object_copy(fresh);
	next->status.collision_count++;
	client_update_status(client, &next->obj, NULL);
	return NULL;
}

int daemonset_construct_history(const struct client *client,
				const struct informer *revisions, const struct daemon_set *ds,
				struct controller_revision **cur, struct object_list *old)
{
	struct object_list all = {0};
	history_list(revisions, &ds->obj, &all);
	const struct controller_revision *current = NULL;
	int64_t max_old = 0;
	for (size_t i = 0; i < all.len; i++) {
		const struct controller_revision *cr =
			(const struct controller_revision *)all.items[i];
		if (matches(ds, cr)) {
			current = cr;	/* sorted: the last match has the highest number */
			continue;
		}
		if (cr->revision > max_old)
			max_old = cr->revision;
		xgrow((void **)&old->items, &old->cap, old->len + 1, sizeof(*old->items));
		old->items[old->len++] = &cr->obj;
	}
	int64_t next = max_old + 1;	/* K8S: maxRevision(old) + 1 */
	if (!current)
		current = snapshot(client, ds, next);
	else if (current->revision < next)
		current = history_renumber(client, current, next);	/* LAB: ds-rollback */
	object_list_release(&all);
	if (!current)
		return -1;
	*cur = (struct controller_revision *)object_ref(&current->obj);
	return 0;
}

int daemonset_cleanup_history(const struct client *client, const struct daemon_set *ds,
			      struct object_list *old, const char *const *live_hashes,
			      size_t live_len)
{
	int32_t limit = ds->spec.revision_history_limit > 0 ? ds->spec.revision_history_limit : 0;
	if (old->len <= (size_t)limit)
		return 0;
	size_t to_kill = old->len - (size_t)limit;
	/* old is sorted oldest first already (history_list's order). */
	int rc = 0;
	for (size_t i = 0; i < old->len && to_kill; i++) {
		const struct controller_revision *cr =
			(const struct controller_revision *)old->items[i];
		const char *hash = strmap_get(&cr->obj.meta.labels, DAEMONSET_HASH_LABEL);
		bool live = false;
		for (size_t k = 0; hash && k < live_len && !live; k++)
			live = !strcmp(live_hashes[k], hash);
		if (live)
			continue;
		if (history_delete(client, cr))
			rc = -1;
		to_kill--;
	}
	return rc;
}
