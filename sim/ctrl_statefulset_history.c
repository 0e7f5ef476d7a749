/* ctrl_statefulset_history.c - a StatefulSet's ControllerRevisions: which
 * revision is current, which is the update, and pruning the rest.
 *
 * K8S: pkg/controller/statefulset/stateful_set_control.go
 * (getStatefulSetRevisions, truncateHistory) and stateful_set_utils.go
 * (newRevision).
 *
 * The StatefulSet controller asks once per sync: which revision does the
 * set's template belong to (creating it, or renumbering an old one that
 * holds the same template, which is how a rollback looks from here), and
 * which did it run before? After the sync, revisions that are neither of
 * those nor run by any pod are history, and beyond revisionHistoryLimit
 * the oldest go.
 *
 * Interface: ctrl_statefulset.h (sts_get_revisions, sts_truncate_history).
 * See also: ctrl_history.c (naming, hashing, the writes).
 */
#include "ctrl_statefulset.h"

#include <stdlib.h>
#include <string.h>

#include "ctrl_history.h"
#include "xmalloc.h"

/* K8S: getStatefulSetRevisions; see ctrl_statefulset.h. */
int sts_get_revisions(const struct client *client, const struct stateful_set *set,
		      const struct object_list *revisions, int32_t *collisions,
		      struct controller_revision **current, struct controller_revision **update)
{
	const struct controller_revision *last = NULL, *equal = NULL, *found;
	int64_t next = 1;
	if (revisions->len) {
		last = (const struct controller_revision *)revisions->items[revisions->len - 1];
		next = last->revision + 1;
	}
	struct controller_revision *want = history_new(&set->obj, &set->spec.template, next,
						       collisions);
	for (size_t i = 0; i < revisions->len; i++)	/* K8S: FindEqualRevisions */
		if (history_equal((const struct controller_revision *)revisions->items[i], want))
			equal = (const struct controller_revision *)revisions->items[i];
	if (equal && equal == last) {
		found = last;
		object_unref(&want->obj);
	} else if (equal) {
		found = history_renumber(client, equal, next);	/* LAB: sts-rollback */
		object_unref(&want->obj);
	} else {
		found = history_create(client, &set->obj, want, collisions);
	}
	if (!found)
		return -1;
	*update = (struct controller_revision *)object_ref(&found->obj);
	*current = NULL;
	for (size_t i = 0; i < revisions->len && set->status.current_revision; i++)
		if (!strcmp(revisions->items[i]->meta.name, set->status.current_revision))
			*current = (struct controller_revision *)object_ref(revisions->items[i]);
	if (!*current)
		*current = (struct controller_revision *)object_ref(&found->obj);
	return 0;
}

/* K8S: truncateHistory; see ctrl_statefulset.h. */
int sts_truncate_history(const struct client *client, const struct stateful_set *set,
			 const struct object_list *pods, const struct object_list *revisions,
			 const char *current, const char *update)
{
	size_t history = 0;
	const struct controller_revision **old = xcalloc(revisions->len + 1, sizeof(*old));
	for (size_t i = 0; i < revisions->len; i++) {
		const char *name = revisions->items[i]->meta.name;
		bool live = !strcmp(name, current) || !strcmp(name, update);
		for (size_t k = 0; k < pods->len && !live; k++) {
			const char *rev = strmap_get(&pods->items[k]->meta.labels,
						     STS_REVISION_LABEL);
			live = rev && !strcmp(rev, name);
		}
		if (!live)
			old[history++] = (const struct controller_revision *)revisions->items[i];
	}
	int rc = 0;
	size_t limit = set->spec.revision_history_limit > 0 ?
		       (size_t)set->spec.revision_history_limit : 0;
	for (size_t i = 0; history > limit && i < history - limit; i++)
		if (history_delete(client, old[i]))
			rc = -1;
	free(old);
	return rc;
}
