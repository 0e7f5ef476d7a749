/* ctrl_history.h - ControllerRevisions: the template history of a
 * StatefulSet or DaemonSet.
 *
 * K8S: pkg/controller/history/controller_history.go (NewControllerRevision,
 * HashControllerRevision, ControllerRevisionName, SortControllerRevisions,
 * EqualRevision, FindEqualRevisions, realHistory's Create/Update/Delete).
 *
 * A Deployment keeps its history as ReplicaSets; a StatefulSet or a
 * DaemonSet has no such middle object, so its controller snapshots each
 * pod template it runs into a ControllerRevision it owns: named
 * PARENT-HASH, labelled controller.kubernetes.io/hash=HASH and with the
 * template's labels, numbered 1, 2, ... in the order the templates were
 * (last) used. Rolling back to an old template does not make a new
 * revision: the old one gets the next number. `kubectl rollout history`
 * lists these; `kubectl rollout undo` copies one's template back.
 *
 * Data: upstream's is raw JSON, {"spec":{"template":{...,"$patch":
 * "replace"}}}; kubelab keeps the template typed (api_workloads.h) and
 * hashes the same shape of JSON of it, so hashes are stable but not a
 * real cluster's.
 *
 * Ownership: functions returning struct controller_revision * give a new
 * reference (history_new) or a borrowed stored object (history_create:
 * valid until the caller's next write; take object_ref to keep it).
 */
#ifndef KUBELAB_CTRL_HISTORY_H
#define KUBELAB_CTRL_HISTORY_H

#include "api.h"
#include "client.h"

struct informer;

/* K8S: ControllerRevisionHashLabel. */
#define HISTORY_HASH_LABEL "controller.kubernetes.io/hash"

/* K8S: ControllerRevisionName: PREFIX-HASH, the prefix cut to 223 bytes.
 * Caller frees. */
char *history_revision_name(const char *prefix, const char *hash);

/* K8S: HashControllerRevision: FNV-1 (32 bits) of the data's JSON, then of
 * the decimal collision count if collision_count is not NULL, encoded
 * with rand.SafeEncodeString. Caller frees. */
char *history_hash(const struct controller_revision *cr, const int32_t *collision_count);

/* K8S: NewControllerRevision (with the parent's namespace and
 * annotations, as the StatefulSet's newRevision adds them): a new
 * revision of parent holding template, numbered revision, named and
 * labelled by its hash. Returns a new reference. */
struct controller_revision *history_new(const struct object *parent,
					const struct pod_template_spec *template,
					int64_t revision, const int32_t *collision_count);

/* K8S: ListRevisions then SortControllerRevisions: the revisions the
 * informer (indexed by informer_index_controller_uid) holds for parent,
 * by revision number, then creation time, then name. Appends borrowed
 * objects to out. */
void history_list(const struct informer *revisions, const struct object *parent,
		  struct object_list *out);

/* K8S: EqualRevision: the same template (NULLs equal only each other). */
bool history_equal(const struct controller_revision *a, const struct controller_revision *b);

/* K8S: realHistory.CreateControllerRevision: creates cr (taken over) under
 * PARENT-HASH; when the name is taken by a revision with other data, bumps
 * *collision_count and tries the next name; when it is taken by the same
 * data, that one is the answer. Returns the stored revision (borrowed), or
 * NULL when the create failed otherwise. */
const struct controller_revision *history_create(const struct client *client,
						 const struct object *parent,
						 struct controller_revision *cr,
						 int32_t *collision_count);

/* K8S: realHistory.UpdateControllerRevision: renumbers cr (re-read and
 * retried on Conflict). Returns the stored revision (borrowed) or NULL. */
const struct controller_revision *history_renumber(const struct client *client,
						   const struct controller_revision *cr,
						   int64_t revision);

/* Deletes cr; returns 0, or -1 when the delete failed (NotFound is 0). */
int history_delete(const struct client *client, const struct controller_revision *cr);

#endif
