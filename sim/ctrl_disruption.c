/* ctrl_disruption.c - the disruption controller: how many pods a
 * PodDisruptionBudget lets go right now.
 *
 * K8S: pkg/controller/disruption/disruption.go (trySync, getExpectedPodCount,
 * getExpectedScale, countHealthyPods, updatePdbStatus, failSafe).
 *
 * A PodDisruptionBudget promises "at least N of these pods stay up while
 * someone drains nodes". The promise is kept in two places: this controller
 * counts, and the Eviction API (ctrl_eviction.c) refuses an eviction when
 * the count says no. For each PDB the controller lists the pods its
 * selector matches in its namespace and writes into status:
 *
 *   expectedPods       how many pods there should be: the scale of the
 *                      pods' controllers (pod -> ReplicaSet -> Deployment,
 *                      or pod -> StatefulSet), summed once per controller.
 *                      For an integer minAvailable upstream simply counts
 *                      the matching pods, and so does kubelab.
 *   currentHealthy     matching pods that are Ready and not terminating;
 *   desiredHealthy     minAvailable (an integer, or a percentage of
 *                      expectedPods rounded up), or expectedPods minus
 *                      maxUnavailable (a percentage of it rounded up);
 *   disruptionsAllowed currentHealthy - desiredHealthy, never below 0, and
 *                      0 while expectedPods is 0;
 *   the DisruptionAllowed condition (True/SufficientPods or
 *   False/InsufficientPods), and observedGeneration.
 *
 * When the count cannot be made (a pod whose controller is gone or has no
 * scale) the controller fails safe: disruptionsAllowed 0, the condition
 * False with reason SyncFailed, and the key is retried with backoff.
 *
 * Interface: the disruption_controller row (ctrl_disruption.h).
 * Invariants: status is written only when it changed; disruptionsAllowed is
 * never negative. Not modelled: status.disruptedPods (the eviction handler
 * and the controller run in one thread here, so the race it covers - a pod
 * evicted but not yet marked terminating - cannot happen; see
 * ctrl_eviction.c), the stale DisruptionTarget pod-condition cleanup, the
 * ReplicationController and generic /scale finders.
 * See also: ctrl_eviction.c, ctrl_informer.h, ctrl_util.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_disruption.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "err.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

struct disruption_controller {
	const struct client *client;
	struct informer *pdbs;
	struct informer *pods;
	/* Listers only, as upstream: a scale change reaches a PDB through
	 * the pods it creates or deletes. */
	struct informer *replica_sets;
	struct informer *deployments;
	struct informer *stateful_sets;
	struct workqueue *queue;
};

static const struct pod_disruption_budget *as_pdb(const struct object *obj)
{
	return object_as(obj, KIND_PODDISRUPTIONBUDGET, const struct pod_disruption_budget);
}

/* ---- the DisruptionAllowed condition ------------------------------------- */

void disruption_set_condition(struct pod_disruption_budget_status *status,
			      const char *cond_status, const char *reason,
			      const char *message, ktime_t now)
{
	struct condition *cond = condition_find(&status->conditions,
						PDB_CONDITION_DISRUPTION_ALLOWED);
	if (!cond) {
		size_t cap = status->conditions.len;
		xgrow((void **)&status->conditions.items, &cap, status->conditions.len + 1,
		      sizeof(*status->conditions.items));
		cond = &status->conditions.items[status->conditions.len++];
		memset(cond, 0, sizeof(*cond));
		cond->type = xstrdup(PDB_CONDITION_DISRUPTION_ALLOWED);
	}
	/* SetStatusCondition: the transition time marks a change of status
	 * only; reason and message are simply replaced. */
	if (!cond->status || strcmp(cond->status, cond_status)) {
		free(cond->status);
		cond->status = xstrdup(cond_status);
		cond->last_transition_time = now;
	}
	free(cond->reason);
	cond->reason = xstrdup(reason);
	free(cond->message);
	cond->message = message && *message ? xstrdup(message) : NULL;
}

void disruption_set_allowed_condition(struct pod_disruption_budget_status *status,
				      ktime_t now)
{
	if (status->disruptions_allowed > 0)
		disruption_set_condition(status, "True", PDB_REASON_SUFFICIENT_PODS, NULL, now);
	else
		disruption_set_condition(status, "False", PDB_REASON_INSUFFICIENT_PODS, NULL, now);
}

/* ---- from events to keys ------------------------------------------------- */

static void enqueue(struct disruption_controller *c, const struct object *pdb)
{
	char *key = object_key(pdb);
	workqueue_add(c->queue, key);
	free(key);
}

static void on_pdb(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	(void)type;
	(void)old;
	enqueue(arg, obj);
}

/* K8S: getPdbForPod / GetPodPodDisruptionBudgets: the PDBs of the pod's
 * namespace whose non-empty selector matches its labels. Upstream syncs
 * only the first and warns when there are several; kubelab warns the same
 * way but syncs them all, so no budget goes stale. */
static void on_pod(void *arg, enum watch_type type, const struct object *pod,
		   const struct object *old)
{
	struct disruption_controller *c = arg;
	(void)type;
	(void)old;
	struct object_list list = {0};
	informer_list(c->pdbs, pod->meta.namespace, &list);
	const struct object *first = NULL;
	size_t matched = 0;
	for (size_t i = 0; i < list.len; i++) {
		struct selector sel;
		if (label_selector_compile(&as_pdb(list.items[i])->spec.selector, &sel, NULL))
			continue;
		if (!selector_is_empty(&sel) && selector_matches(&sel, &pod->meta.labels)) {
			if (!matched++)
				first = list.items[i];
			enqueue(c, list.items[i]);
		}
		selector_release(&sel);
	}
	if (matched > 1 && type != WATCH_DELETED)
		client_event(c->client, pod, "Warning", "MultiplePodDisruptionBudgets",
			     "Pod \"%s\"/\"%s\" matches multiple PodDisruptionBudgets.  "
			     "Chose \"%s\" arbitrarily.", pod->meta.namespace, pod->meta.name,
			     first->meta.name);
	object_list_release(&list);
}

/* ---- expected pods ------------------------------------------------------- */

/* A failure of the count: the message upstream's error would carry. */
struct count_error {
	char message[256];
};

static int count_fail(struct count_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int count_fail(struct count_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The object ref names in the cache, if it is still the same object. */
static const struct object *lookup(struct informer *informer, const char *namespace,
				   const char *name, const char *uid)
{
	const struct object *obj = informer_get(informer, namespace, name);
	if (!obj || !uid || strcmp(obj->meta.uid, uid))
		return NULL;
	return obj;
}

/* K8S: the finders getPodDeployment, getPodReplicaSet, getPodStatefulSet.
 * Sets *uid and *scale of the workload that sizes the pod's controller
 * ref; returns 0, or -1 with e set. */
static int find_scale(struct disruption_controller *c, const char *namespace,
		      const char *pod_name, const struct owner_reference *ref,
		      const char **uid, int32_t *scale, struct count_error *e)
{
	const char *kind = ref->kind ? ref->kind : "";
	if (!strcmp(kind, "ReplicaSet")) {
		const struct object *rs = lookup(c->replica_sets, namespace, ref->name, ref->uid);
		if (rs) {
			const struct owner_reference *up = object_controller_of(rs);
			if (!up || !up->kind || strcmp(up->kind, "Deployment")) {
				*uid = rs->meta.uid;	/* a bare ReplicaSet */
				*scale = ((const struct replica_set *)rs)->spec.replicas;
				return 0;
			}
			const struct object *d = lookup(c->deployments, namespace,
							up->name, up->uid);
			if (d) {
				*uid = d->meta.uid;
				*scale = ((const struct deployment *)d)->spec.replicas;
				return 0;
			}
		}
	} else if (!strcmp(kind, "StatefulSet")) {
		const struct object *ss = lookup(c->stateful_sets, namespace, ref->name, ref->uid);
		if (ss) {
			*uid = ss->meta.uid;
			*scale = ((const struct stateful_set *)ss)->spec.replicas;
			return 0;
		}
	} else {
		/* K8S: getScaleController asks the /scale subresource, which
		 * DaemonSets, Jobs and the rest do not implement. */
		const struct kind_info *info = kind_find(ref->api_version ? ref->api_version : "",
							 kind);
		if (!info)
			return count_fail(e, "no matches for kind \"%s\" in version \"%s\"",
					  kind, ref->api_version ? ref->api_version : "");
		const char *slash = strchr(info->api_version, '/');
		if (slash)
			return count_fail(e, "%s.%.*s does not implement the scale subresource",
					  info->resource, (int)(slash - info->api_version),
					  info->api_version);
		return count_fail(e, "%s does not implement the scale subresource",
				  info->resource);
	}
	return count_fail(e, "found no controllers for pod \"%s\"", pod_name);
}

/* K8S: getExpectedScale: the sum of the scales of the pods' controllers,
 * each workload counted once (two ReplicaSets of one Deployment count the
 * Deployment once). Pods without a controller are counted in *unmanaged. */
static int expected_scale(struct disruption_controller *c, const struct object_list *pods,
			  int32_t *expected, size_t *unmanaged, struct count_error *e)
{
	const char **seen = xcalloc(pods->len + 1, sizeof(*seen));	/* workload uids */
	size_t seen_len = 0;
	int rc = 0;
	*expected = 0;
	for (size_t i = 0; i < pods->len; i++) {
		const struct object *pod = pods->items[i];
		const struct owner_reference *ref = object_controller_of(pod);
		if (!ref) {
			(*unmanaged)++;
			continue;
		}
		const char *uid = NULL;
		int32_t scale = 0;
		rc = find_scale(c, pod->meta.namespace, pod->meta.name, ref, &uid, &scale, e);
		if (rc)
			break;
		bool counted = false;
		for (size_t j = 0; j < seen_len && !counted; j++)
			counted = !strcmp(seen[j], uid);
		if (!counted) {
			seen[seen_len++] = uid;
			*expected += scale;
		}
	}
	free(seen);
	return rc;
}

/* K8S: getExpectedPodCount. */
static int expected_pod_count(struct disruption_controller *c,
			      const struct pod_disruption_budget *pdb,
			      const struct object_list *pods, int32_t *expected,
			      int32_t *desired, size_t *unmanaged, struct count_error *e)
{
	*expected = 0;
	*desired = 0;
	if (pdb->spec.max_unavailable.is_set) {
		if (expected_scale(c, pods, expected, unmanaged, e))
			return -1;
		int32_t max_unavailable;
		if (ctrl_scaled_value(&pdb->spec.max_unavailable, *expected, true,
				      &max_unavailable))
			return count_fail(e, "invalid value for IntOrString: invalid type: "
					  "string is not a percentage");
		*desired = *expected - max_unavailable;
		if (*desired < 0)
			*desired = 0;
	} else if (pdb->spec.min_available.is_set) {
		if (!pdb->spec.min_available.is_string) {
			/* LAB: pdb-expected. An integer needs no controller:
			 * the pods that exist are what is expected. */
			*desired = pdb->spec.min_available.int_value;
			*expected = (int32_t)pods->len;
			return 0;
		}
		if (expected_scale(c, pods, expected, unmanaged, e))
			return -1;
		if (ctrl_scaled_value(&pdb->spec.min_available, *expected, true, desired))
			return count_fail(e, "invalid value for IntOrString: invalid type: "
					  "string is not a percentage");
	}
	return 0;
}

/* ---- status -------------------------------------------------------------- */

/* K8S: countHealthyPods: Ready and not being deleted. */
static int32_t count_healthy(const struct object_list *pods)
{
	int32_t healthy = 0;
	for (size_t i = 0; i < pods->len; i++) {
		const struct pod *pod = (const void *)pods->items[i];
		if (!object_is_deleting(&pod->obj) && ctrl_pod_is_ready(pod))
			healthy++;
	}
	return healthy;
}

/* Writes status unless it equals pdb's. Returns 0, or -1 (retry later). */
static int write_status(struct disruption_controller *c,
			const struct pod_disruption_budget *pdb,
			const struct pod_disruption_budget_status *status)
{
	const struct schema *schema = pod_disruption_budget_kind.status_schema;
	if (schema_equal(schema, status, &pdb->status))
		return 0;
	struct pod_disruption_budget *next = (struct pod_disruption_budget *)object_copy(&pdb->obj);
	schema_release(schema, &next->status);
	schema_copy(schema, &next->status, status);
	struct api_status result;
	/* On Conflict the cache is behind: the watch brings the new version
	 * and requeues the key. */
	return client_update_status(c->client, &next->obj, &result) == API_OK ? 0 : -1;
}

/* K8S: updatePdbStatus. */
static int update_status(struct disruption_controller *c,
			 const struct pod_disruption_budget *pdb, int32_t healthy,
			 int32_t desired, int32_t expected)
{
	const struct schema *schema = pod_disruption_budget_kind.status_schema;
	struct pod_disruption_budget_status status;
	schema_copy(schema, &status, &pdb->status);
	/* LAB: pdb-allowed. A budget that expects no pods allows nothing, so
	 * its first pods are safe before this controller has counted them. */
	int32_t allowed = healthy - desired;
	if (expected <= 0 || allowed <= 0)
		allowed = 0;
	status.current_healthy = healthy;
	status.desired_healthy = desired;
	status.expected_pods = expected;
	status.disruptions_allowed = allowed;
	status.observed_generation = pdb->obj.meta.generation;
	disruption_set_allowed_condition(&status, client_now(c->client));
	int rc = write_status(c, pdb, &status);
	schema_release(schema, &status);
	return rc;
}

/* K8S: failSafe: when the count failed, allow nothing rather than a guess. */
static int fail_safe(struct disruption_controller *c, const struct pod_disruption_budget *pdb,
		     const char *message)
{
	const struct schema *schema = pod_disruption_budget_kind.status_schema;
	struct pod_disruption_budget_status status;
	schema_copy(schema, &status, &pdb->status);
	status.disruptions_allowed = 0;
	disruption_set_condition(&status, "False", PDB_REASON_SYNC_FAILED, message,
				 client_now(c->client));
	write_status(c, pdb, &status);
	schema_release(schema, &status);
	return -1;	/* retry with backoff */
}

/* ---- the reconcile ------------------------------------------------------- */

/* K8S: trySync (and sync's failSafe on error). */
static int reconcile(struct disruption_controller *c, const struct pod_disruption_budget *pdb)
{
	const struct client *client = c->client;
	struct selector sel;
	struct err *err = NULL;
	if (label_selector_compile(&pdb->spec.selector, &sel, &err)) {
		char message[256];
		snprintf(message, sizeof(message), "%s", err ? err->msg : "invalid selector");
		err_free(err);
		client_event(client, &pdb->obj, "Warning", "NoPods", "Failed to get pods: %s",
			     message);
		return fail_safe(c, pdb, message);
	}
	struct object_list all = {0}, pods = {0};
	informer_list(c->pods, pdb->obj.meta.namespace, &all);
	for (size_t i = 0; i < all.len; i++) {
		if (!selector_matches(&sel, &all.items[i]->meta.labels))
			continue;
		xgrow((void **)&pods.items, &pods.cap, pods.len + 1, sizeof(*pods.items));
		pods.items[pods.len++] = all.items[i];
	}
	object_list_release(&all);
	selector_release(&sel);

	if (!pods.len)
		client_event(client, &pdb->obj, "Normal", "NoPods", "No matching pods found");

	int32_t expected, desired;
	size_t unmanaged = 0;
	struct count_error e = {{0}};
	int rc;
	if (expected_pod_count(c, pdb, &pods, &expected, &desired, &unmanaged, &e)) {
		client_event(client, &pdb->obj, "Warning", "CalculateExpectedPodCountFailed",
			     "Failed to calculate the number of expected pods: %s", e.message);
		rc = fail_safe(c, pdb, e.message);
		goto out;
	}
	if (unmanaged) {
		/* Upstream prints the Go struct of the selector; kubelab its
		 * string form. */
		struct selector shown;
		char *text = NULL;
		if (!label_selector_compile(&pdb->spec.selector, &shown, NULL)) {
			text = selector_to_string(&shown);
			selector_release(&shown);
		}
		client_event(client, &pdb->obj, "Warning", "UnmanagedPods",
			     "Pods selected by this PodDisruptionBudget (selector: %s) were found "
			     "to be unmanaged. As a result, the status of the PDB cannot be "
			     "calculated correctly, which may result in undefined behavior. To "
			     "account for these pods please set \".spec.minAvailable\" field of "
			     "the PDB to an integer value.", text ? text : "");
		free(text);
	}
	rc = update_status(c, pdb, count_healthy(&pods), desired, expected);
out:
	object_list_release(&pods);
	return rc;
}

/* K8S: sync: the workqueue's sync function. A deleted PDB needs nothing. */
static int sync_pdb(void *arg, const char *key)
{
	struct disruption_controller *c = arg;
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->pdbs, namespace, name);
	int rc = obj ? reconcile(c, as_pdb(obj)) : 0;
	free(namespace);
	free(name);
	return rc;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *disruption_start(const struct client *client)
{
	struct disruption_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "disruption", sync_pdb, c);
	/* The listers first, then the PDBs, then the pods whose handler
	 * looks the PDBs up. */
	c->replica_sets = informer_new(client, KIND_REPLICASET, NULL, NULL, NULL);
	c->deployments = informer_new(client, KIND_DEPLOYMENT, NULL, NULL, NULL);
	c->stateful_sets = informer_new(client, KIND_STATEFULSET, NULL, NULL, NULL);
	c->pdbs = informer_new(client, KIND_PODDISRUPTIONBUDGET, NULL, on_pdb, c);
	c->pods = informer_new(client, KIND_POD, NULL, on_pod, c);
	return c;
}

static void disruption_stop(void *state)
{
	struct disruption_controller *c = state;
	informer_free(c->pods);
	informer_free(c->pdbs);
	informer_free(c->stateful_sets);
	informer_free(c->deployments);
	informer_free(c->replica_sets);
	workqueue_free(c->queue);
	free(c);
}

const struct controller_ops disruption_controller = {
	.name = "disruption-controller",
	.start = disruption_start,
	.stop = disruption_stop,
};
