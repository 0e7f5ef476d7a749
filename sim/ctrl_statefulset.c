/* ctrl_statefulset.c - the StatefulSet controller: pods with a name, an
 * order and their own storage.
 *
 * K8S: pkg/controller/statefulset: stateful_set.go (watches, the sync),
 * stateful_set_control.go (updateStatefulSet, processReplica,
 * processCondemned, the rolling update), stateful_set_utils.go (identity,
 * storage, revisions), stateful_pod_control.go (the writes and their
 * events).
 *
 * A ReplicaSet's pods are interchangeable cattle; a StatefulSet's are
 * not. Pod i of set "web" is always named web-i, has hostname web-i and
 * subdomain spec.serviceName (so web-0.SERVICE resolves to it), carries
 * the labels statefulset.kubernetes.io/pod-name and
 * apps.kubernetes.io/pod-index, and mounts its own PersistentVolumeClaim
 * TEMPLATE-web-i for each volumeClaimTemplate. A pod that fails or is
 * deleted comes back under the same name with the same claim: the claim
 * is created once, when missing, and outlives the pod (retention policy
 * Retain, the default).
 *
 * One sync (reconcile) sorts the set's pods by ordinal into "replicas"
 * (0..spec.replicas-1) and "condemned" (the rest), then:
 *   1. each replica in order: delete it if Failed or Succeeded; create
 *      it (claims first) if missing. Under podManagementPolicy
 *      OrderedReady ("monotonic") the sync stops at the first pod it
 *      created, or that is terminating, not Running and Ready, or not
 *      yet available: web-1 is only created once web-0 is Ready.
 *      Parallel does all of them at once;
 *   2. condemned pods, highest ordinal first: OrderedReady deletes one
 *      and waits for it to be gone; Parallel deletes them all;
 *   3. the update strategy: RollingUpdate deletes the highest-ordinal pod
 *      not at the update revision (ordinals below partition are left on
 *      the current revision) and waits for it to come back available;
 *      OnDelete never deletes: a pod gets the new template when someone
 *      deletes it;
 *   4. status: replicas, ready, available, current, updated, revisions.
 *
 * Revisions: each pod template the set has run is a ControllerRevision it
 * owns, named SET-HASH and numbered 1, 2, ... (ctrl_history.h); every pod
 * carries controller-revision-hash = the name of the revision it was made
 * from. status.updateRevision is the revision of the template now;
 * status.currentRevision the one the set ran before a rollout, which
 * becomes the update revision once every pod is updated and ready. A pod
 * recreated below the partition is made from the current revision's
 * stored template. Going back to an old template renumbers its revision
 * instead of making a new one, and revisions beyond revisionHistoryLimit
 * that no pod runs are deleted, oldest first.
 *
 * Unlike the ReplicaSet controller, no expectations: a pod's name is
 * fixed, so a sync working from a stale cache that tries to create web-0
 * again gets AlreadyExists, which upstream swallows (no event) and
 * retries with backoff; kubelab does the same.
 *
 * Interface: the statefulset_controller row (ctrl_statefulset.h).
 * Invariants: at most one pod per ordinal (names are unique); claims are
 * never deleted by this controller; status is only written when changed.
 * See also: ctrl_statefulset_pod.c (what pod i looks like: name, labels,
 * claims), ctrl_history.c (the revisions), ctrl_replicaset.c (the same skeleton),
 * ctrl_util.h (claiming and pod health).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_history.h"
#include "ctrl_informer.h"
#include "ctrl_statefulset.h"
#include "ctrl_util.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

/* K8S: the status updater retries on Conflict (retry.RetryOnConflict);
 * kubelab re-reads once, as the ReplicaSet controller does. */
#define STATUS_UPDATE_RETRIES 1

struct sts_controller {
	const struct client *client;
	struct informer *sets;
	struct informer *pods;		/* index: controller uid, or "orphan/NS" */
	struct informer *revisions;	/* ControllerRevisions, index: controller uid */
	struct workqueue *queue;
};

static const struct stateful_set *as_set(const struct object *obj)
{
	return object_as(obj, KIND_STATEFULSET, const struct stateful_set);
}

static const struct pod *as_pod(const struct object *obj)
{
	return object_as(obj, KIND_POD, const struct pod);
}

/* ---- pod health (K8S: stateful_set_utils.go) ------------------------------ */

static bool phase_is(const struct pod *pod, const char *phase)
{
	return pod->status.phase && !strcmp(pod->status.phase, phase);
}

/* K8S: isCreated: the API server has seen it (admission set a phase). */
static bool is_created(const struct pod *pod)
{
	return pod && pod->status.phase && *pod->status.phase;
}

static bool is_running_and_ready(const struct pod *pod)
{
	return phase_is(pod, POD_PHASE_RUNNING) && ctrl_pod_is_ready(pod);
}

static bool is_running_and_available(const struct pod *pod, int32_t min_ready, ktime_t now)
{
	return phase_is(pod, POD_PHASE_RUNNING) && ctrl_pod_is_available(pod, min_ready, now);
}

/* K8S: isUnavailable = !isHealthy || !IsPodAvailable. A slot with no pod
 * yet (NULL) is unavailable too. */
static bool is_unavailable(const struct pod *pod, int32_t min_ready, ktime_t now)
{
	return !pod || object_is_deleting(&pod->obj) || !is_running_and_ready(pod) ||
	       !is_running_and_available(pod, min_ready, now);
}

/* ---- from events to keys --------------------------------------------------- */

static void enqueue(struct sts_controller *c, const struct object *set, ktime_t after)
{
	char *key = object_key(set);
	workqueue_add_after(c->queue, key, after);
	free(key);
}

/* K8S: resolveControllerRef. */
static const struct stateful_set *resolve(struct sts_controller *c, const struct object *pod)
{
	return as_set(informer_resolve_controller(c->sets, pod->meta.namespace,
						  object_controller_of(pod), "StatefulSet"));
}

static const struct label_selector *set_selector(const struct object *obj)
{
	return &as_set(obj)->spec.selector;
}

/* K8S: getPodStatefulSets: an orphan goes to every set whose selector
 * matches it (which may adopt it). */
static void enqueue_matching(struct sts_controller *c, const struct object *pod)
{
	struct object_list list = {0};
	informer_list_selecting(c->sets, pod->meta.namespace, &pod->meta.labels,
				set_selector, &list);
	for (size_t i = 0; i < list.len; i++)
		enqueue(c, list.items[i], 0);
	object_list_release(&list);
}

static void on_pod(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct sts_controller *c = arg;
	if (type == WATCH_MODIFIED && old) {
		const struct stateful_set *prev = resolve(c, old);
		if (prev && prev != resolve(c, obj))
			enqueue(c, &prev->obj, 0);	/* released, or re-owned */
	}
	const struct stateful_set *set = resolve(c, obj);
	if (!set) {
		if (!object_controller_of(obj) && type != WATCH_DELETED)
			enqueue_matching(c, obj);
		return;
	}
	enqueue(c, &set->obj, 0);
	/* Availability is time-based: look again once minReadySeconds have
	 * passed since the pod became ready (K8S: updatePod). */
	if (type == WATCH_MODIFIED && set->spec.min_ready_seconds > 0 &&
	    !ctrl_pod_is_ready(as_pod(old)) && ctrl_pod_is_ready(as_pod(obj)))
		enqueue(c, &set->obj, (set->spec.min_ready_seconds + 1) * KTIME_SECOND);
}

static void on_set(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct sts_controller *c = arg;
	(void)type;
	(void)old;
	enqueue(c, obj, 0);
}

/* ---- acting: create and delete pods ----------------------------------------- */

static int create_missing_claims(struct sts_controller *c, const struct stateful_set *set,
				 const char *pod_name, int ordinal, char **why)
{
	int rc = 0;
	for (size_t i = 0; i < set->spec.volume_claim_templates.len; i++) {
		const struct persistent_volume_claim_template *tmpl =
			&set->spec.volume_claim_templates.items[i];
		char *name = sts_claim_name(set, tmpl, ordinal);
		if (client_get(c->client, KIND_PERSISTENTVOLUMECLAIM, set->obj.meta.namespace,
			       name)) {
			free(name);
			continue;
		}
		struct api_status status;
		if (client_create(c->client, &sts_new_claim(set, tmpl, ordinal)->obj, &status) ==
		    API_OK) {
			client_event(c->client, &set->obj, "Normal", "SuccessfulCreate",
				     "create Claim %s Pod %s in StatefulSet %s success", name,
				     pod_name, set->obj.meta.name);
		} else {
			client_event(c->client, &set->obj, "Warning", "FailedCreate",
				     "create Claim %s for Pod %s in StatefulSet %s failed error: %s",
				     name, pod_name, set->obj.meta.name, status.message);
			if (!*why)
				*why = xasprintf("failed to create PVC %s: %s", name,
						 status.message);
			rc = -1;
		}
		free(name);
	}
	return rc;
}

/* K8S: updateStorage: one volume per claim template, named after the
 * template and pointing at this ordinal's claim, first; then the
 * template's other volumes (one of the same name is replaced). */

/* K8S: CreateStatefulPod: the claims first, then the pod; events
 * SuccessfulCreate/FailedCreate. AlreadyExists (our cache was stale) is
 * an error without an event. Returns 0 or -1 (*why set). */
static int create_pod(struct sts_controller *c, const struct stateful_set *set,
		      const struct pod_template_spec *template, const char *revision,
		      int ordinal, char **why)
{
	struct pod *pod = sts_new_pod(set, template, revision, ordinal);
	char *name = xstrdup(pod->obj.meta.name);
	char *claims_failed = NULL;
	int rc = 0;
	if (create_missing_claims(c, set, name, ordinal, &claims_failed)) {
		client_event(c->client, &set->obj, "Warning", "FailedCreate",
			     "create Pod %s in StatefulSet %s failed error: %s", name,
			     set->obj.meta.name, claims_failed);
		object_unref(&pod->obj);
		rc = -1;
		goto out;
	}
	struct api_status status;
	enum api_code code = client_create(c->client, &pod->obj, &status);
	if (code == API_OK) {
		client_event(c->client, &set->obj, "Normal", "SuccessfulCreate",
			     "create Pod %s in StatefulSet %s successful", name,
			     set->obj.meta.name);
	} else {
		if (code != API_ALREADY_EXISTS)
			client_event(c->client, &set->obj, "Warning", "FailedCreate",
				     "create Pod %s in StatefulSet %s failed error: %s", name,
				     set->obj.meta.name, status.message);
		claims_failed = xstrdup(status.message);
		rc = -1;
	}
out:
	if (rc && !*why)
		*why = claims_failed, claims_failed = NULL;
	free(claims_failed);
	free(name);
	return rc;
}

/* K8S: DeleteStatefulPod, with SuccessfulDelete/FailedDelete. A pod that
 * is already gone is no failure. Returns 0 or -1. */
static int delete_pod(struct sts_controller *c, const struct stateful_set *set,
		      const struct pod *pod)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	struct api_status status;
	enum api_code code = client_delete(c->client, KIND_POD, pod->obj.meta.namespace,
					   pod->obj.meta.name, &options, &status);
	if (code == API_OK)
		client_event(c->client, &set->obj, "Normal", "SuccessfulDelete",
			     "delete Pod %s in StatefulSet %s successful", pod->obj.meta.name,
			     set->obj.meta.name);
	else if (code != API_NOT_FOUND)
		client_event(c->client, &set->obj, "Warning", "FailedDelete",
			     "delete Pod %s in StatefulSet %s failed error: %s",
			     pod->obj.meta.name, set->obj.meta.name, status.message);
	return code == API_OK || code == API_NOT_FOUND ? 0 : -1;
}

/* ---- the reconcile ----------------------------------------------------------- */

/* One sync's view of a set: its pods by ordinal, and its revisions. */
struct sts_sync {
	struct sts_controller *c;
	const struct stateful_set *set;
	const struct pod **replicas;	/* [spec.replicas]; NULL: no pod yet */
	int32_t count;
	const struct pod **condemned;	/* ordinal >= replicas, highest first */
	size_t condemned_len;
	char *current_revision, *update_revision;	/* revision names */
	const struct pod_template_spec *current_template;
	int32_t collision_count;
	ktime_t now;
	char *why;			/* first failure's message */
};

/* K8S: processReplica. Returns true when the sync must stop here (wait,
 * or an error: rc then -1). */
static bool process_replica(struct sts_sync *s, int i, bool monotonic, int *rc)
{
	const struct stateful_set *set = s->set;
	const struct pod *pod = s->replicas[i];
	if (pod && (phase_is(pod, POD_PHASE_FAILED) || phase_is(pod, POD_PHASE_SUCCEEDED))) {
		/* Restart it under the same name once it is gone. */
		if (!object_is_deleting(&pod->obj) && delete_pod(s->c, set, pod))
			*rc = -1;
		return true;
	}
	if (!pod) {
		/* LAB: sts-partition. Below the partition, a new pod gets the
		 * old (current) revision. */
		int32_t partition = set->spec.update_strategy.rolling_update.partition;
		bool old = i < partition && s->current_template;
		if (create_pod(s->c, set, old ? s->current_template : &set->spec.template,
			       old ? s->current_revision : s->update_revision, i, &s->why)) {
			*rc = -1;
			return true;
		}
		return monotonic;	/* LAB: sts-ordered-ready */
	}
	/* A claim deleted while its pod waited: make it again. */
	if (phase_is(pod, POD_PHASE_PENDING) &&
	    create_missing_claims(s->c, set, pod->obj.meta.name, i, &s->why)) {
		*rc = -1;
		return true;
	}
	if (!monotonic)
		return false;
	return object_is_deleting(&pod->obj) || !is_running_and_ready(pod) ||
	       !is_running_and_available(pod, set->spec.min_ready_seconds, s->now);
}

/* K8S: processCondemned. */
static bool process_condemned(struct sts_sync *s, size_t i, const struct pod *first_unhealthy,
			      bool monotonic, int *rc)
{
	const struct pod *pod = s->condemned[i];
	if (object_is_deleting(&pod->obj))
		return monotonic;	/* wait for it to be gone */
	/* Only the first unhealthy pod may go while others are unhealthy. */
	if (monotonic && pod != first_unhealthy &&
	    is_unavailable(pod, s->set->spec.min_ready_seconds, s->now))
		return true;
	if (delete_pod(s->c, s->set, pod))
		*rc = -1;
	return true;
}

/* K8S: the RollingUpdate part of updateStatefulSet: from the highest
 * ordinal down to the partition, delete the first pod not at the update
 * revision, or wait for one that is not available yet. */
static int rolling_update(struct sts_sync *s)
{
	int32_t partition = s->set->spec.update_strategy.rolling_update.partition;
	for (int i = s->count - 1; i >= partition && i >= 0; i--) {
		const struct pod *pod = s->replicas[i];
		if (!pod)
			return 0;
		const char *rev = strmap_get(&pod->obj.meta.labels, STS_REVISION_LABEL);
		if ((!rev || strcmp(rev, s->update_revision)) && !object_is_deleting(&pod->obj))
			return delete_pod(s->c, s->set, pod);	/* LAB: sts-rolling-update */
		if (is_unavailable(pod, s->set->spec.min_ready_seconds, s->now))
			return 0;
	}
	return 0;
}

/* K8S: computeReplicaStatus over replicas and condemned, then
 * completeRollingUpdate. Starts from a copy of the stored status so the
 * fields kubelab does not compute (conditions, collisionCount) carry over. */
static void calculate_status(const struct sts_sync *s, struct stateful_set_status *out)
{
	const struct stateful_set *set = s->set;
	schema_copy(stateful_set_kind.status_schema, out, &set->status);
	out->replicas = out->ready_replicas = out->available_replicas = 0;
	out->current_replicas = out->updated_replicas = 0;
	size_t total = (size_t)s->count + s->condemned_len;
	for (size_t i = 0; i < total; i++) {
		const struct pod *pod = i < (size_t)s->count ? s->replicas[i]
							      : s->condemned[i - (size_t)s->count];
		if (!is_created(pod))
			continue;
		out->replicas++;
		if (is_running_and_ready(pod)) {
			out->ready_replicas++;
			out->available_replicas +=
				is_running_and_available(pod, set->spec.min_ready_seconds, s->now);
		}
		if (object_is_deleting(&pod->obj))
			continue;
		const char *rev = strmap_get(&pod->obj.meta.labels, STS_REVISION_LABEL);
		out->current_replicas += rev && !strcmp(rev, s->current_revision);
		out->updated_replicas += rev && !strcmp(rev, s->update_revision);
	}
	free(out->current_revision);
	free(out->update_revision);
	out->current_revision = xstrdup(s->current_revision);
	out->update_revision = xstrdup(s->update_revision);
	out->observed_generation = set->obj.meta.generation;
	out->collision_count = s->collision_count;
	const char *type = set->spec.update_strategy.type;
	if (type && !strcmp(type, "RollingUpdate") &&
	    out->updated_replicas == out->replicas && out->ready_replicas == out->replicas) {
		out->current_replicas = out->updated_replicas;
		free(out->current_revision);
		out->current_revision = xstrdup(s->update_revision);
	}
}

/* K8S: updateStatefulSetStatus: skip when unchanged; on Conflict re-read
 * and try again. Returns 0 or -1. */
static int update_status(struct sts_controller *c, const struct stateful_set *set,
			 const struct stateful_set_status *status)
{
	return ctrl_update_status(c->client, &set->obj, status, STATUS_UPDATE_RETRIES);
}

/* K8S: getPodsForStatefulSet: the pods we own and the orphans we might
 * adopt, both only if named as our members (isMemberOf), then claimed. */
static int claim_pods(struct sts_controller *c, const struct stateful_set *set,
		      const struct selector *selector, struct object_list *pods)
{
	struct object_list all = {0}, members = {0};
	char *orphans = informer_orphan_key(set->obj.meta.namespace);
	informer_list_index(c->pods, set->obj.meta.uid, &all);
	informer_list_index(c->pods, orphans, &all);
	free(orphans);
	for (size_t i = 0; i < all.len; i++) {
		if (sts_pod_ordinal(set, all.items[i]) < 0)
			continue;
		xgrow((void **)&members.items, &members.cap, members.len + 1,
		      sizeof(*members.items));
		members.items[members.len++] = all.items[i];
	}
	int rc = ctrl_claim(c->client, &set->obj, selector, &members, pods);
	object_list_release(&members);
	object_list_release(&all);
	return rc;
}

/* K8S: updateStatefulSet, the heart of the controller (see the top). */
static int reconcile(struct sts_controller *c, const struct stateful_set *set)
{
	struct selector selector;
	if (label_selector_compile(&set->spec.selector, &selector, NULL))
		return 0;	/* an invalid selector matches nothing: no retry */
	struct object_list pods = {0}, revisions = {0};
	struct controller_revision *current = NULL, *update = NULL;
	struct stateful_set_status status = {0};
	struct sts_sync s = { .c = c, .set = set, .now = client_now(c->client) };
	s.count = set->spec.replicas > 0 ? set->spec.replicas : 0;
	s.replicas = xcalloc((size_t)s.count + 1, sizeof(*s.replicas));
	int rc = claim_pods(c, set, &selector, &pods);
	if (rc)
		goto out;

	/* K8S: ListRevisions, getStatefulSetRevisions. */
	history_list(c->revisions, &set->obj, &revisions);
	s.collision_count = set->status.collision_count;
	rc = sts_get_revisions(c->client, set, &revisions, &s.collision_count, &current,
			       &update);
	if (rc)
		goto out;
	s.update_revision = xstrdup(update->obj.meta.name);
	s.current_revision = xstrdup(current->obj.meta.name);
	s.current_template = &current->data.spec.template;

	s.condemned = xcalloc(pods.len + 1, sizeof(*s.condemned));
	for (size_t i = 0; i < pods.len; i++) {
		int ordinal = sts_pod_ordinal(set, pods.items[i]);
		if (ordinal < s.count)
			s.replicas[ordinal] = as_pod(pods.items[i]);
		else
			s.condemned[s.condemned_len++] = as_pod(pods.items[i]);
	}
	/* Highest ordinal first (K8S: descendingOrdinal). */
	for (size_t i = 1; i < s.condemned_len; i++)
		for (size_t k = i; k > 0 && sts_pod_ordinal(set, &s.condemned[k - 1]->obj) <
					    sts_pod_ordinal(set, &s.condemned[k]->obj); k--) {
			const struct pod *t = s.condemned[k];
			s.condemned[k] = s.condemned[k - 1];
			s.condemned[k - 1] = t;
		}
	/* The first unavailable pod, lowest ordinal first (an empty slot
	 * counts, and then no condemned pod is it). */
	const struct pod *first_unhealthy = NULL;
	bool found = false;
	int32_t min_ready = set->spec.min_ready_seconds;
	for (int i = 0; i < s.count && !found; i++)
		if ((found = is_unavailable(s.replicas[i], min_ready, s.now)))
			first_unhealthy = s.replicas[i];
	for (size_t i = s.condemned_len; i-- > 0 && !found;)
		if ((found = is_unavailable(s.condemned[i], min_ready, s.now)))
			first_unhealthy = s.condemned[i];

	if (object_is_deleting(&set->obj))
		goto status;	/* only status for a set being deleted */
	const char *policy = set->spec.pod_management_policy;
	bool monotonic = !policy || strcmp(policy, "Parallel");
	/* Upstream runs the Parallel case in slow-start batches that stop
	 * at the first error; here one by one, stopping at the first error. */
	for (int i = 0; i < s.count; i++) {
		bool stop = process_replica(&s, i, monotonic, &rc);
		if (rc || (stop && monotonic))
			goto status;
	}
	for (size_t i = 0; i < s.condemned_len; i++) {
		bool stop = process_condemned(&s, i, first_unhealthy, monotonic, &rc);
		if (rc || (stop && monotonic))
			goto status;
	}
	const char *type = set->spec.update_strategy.type;
	if (type && !strcmp(type, "RollingUpdate"))
		rc = rolling_update(&s);
status:
	calculate_status(&s, &status);
	if (update_status(c, set, &status))
		rc = -1;
	else if (!rc && min_ready > 0 && status.available_replicas != set->spec.replicas)
		enqueue(c, &set->obj, min_ready * KTIME_SECOND);
	if (!rc && sts_truncate_history(c->client, set, &pods, &revisions, s.current_revision,
					s.update_revision))
		rc = -1;
out:
	if (current)
		object_unref(&current->obj);
	if (update)
		object_unref(&update->obj);
	object_list_release(&revisions);
	schema_release(stateful_set_kind.status_schema, &status);
	free(s.why);
	free(s.current_revision);
	free(s.update_revision);
	free(s.condemned);
	free(s.replicas);
	object_list_release(&pods);
	selector_release(&selector);
	return rc;
}

static int sync_stateful_set(void *arg, const char *key)
{
	struct sts_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->sets, namespace, name);
	int rc = obj ? reconcile(c, as_set(obj)) : 0;
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle --------------------------------------------------------------- */

static void *sts_start(const struct client *client)
{
	struct sts_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "statefulset", sync_stateful_set, c);
	/* Sets first: the pod handler resolves owners through them. */
	c->sets = informer_new(client, KIND_STATEFULSET, NULL, on_set, c);
	c->pods = informer_new(client, KIND_POD, informer_index_owner_or_orphan, on_pod, c);
	/* K8S: the revision informer has no handlers: a lister only. */
	c->revisions = informer_new(client, KIND_CONTROLLERREVISION,
				    informer_index_controller_uid, NULL, NULL);
	return c;
}

static void sts_stop(void *state)
{
	struct sts_controller *c = state;
	informer_free(c->revisions);
	informer_free(c->pods);
	informer_free(c->sets);
	workqueue_free(c->queue);
	free(c);
}

const struct controller_ops statefulset_controller = {
	.name = "statefulset-controller",
	.start = sts_start,
	.stop = sts_stop,
};
