/* ctrl_eviction.c - the Eviction API: a pod delete that asks the
 * PodDisruptionBudget first.
 *
 * K8S: pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create,
 * checkAndDecrement, canIgnorePDB, createTooManyRequestsError).
 *
 * `kubectl drain` does not delete pods: it posts an Eviction for each, and
 * the API server decides. A budget with disruptionsAllowed 0 answers 429
 * "Cannot evict pod as it would violate the pod's disruption budget." and
 * drain retries every few seconds until the disruption controller
 * (ctrl_disruption.c) counts enough healthy pods again. When the budget
 * allows it, the API server spends one disruption (decrements
 * status.disruptionsAllowed) before it deletes the pod, so two evictions in
 * a row cannot both spend the same last disruption.
 *
 * Simplified: upstream also records the pod in status.disruptedPods, so the
 * controller does not count it healthy between this write and the pod's
 * deletionTimestamp showing up in its cache. kubelab's status has no such
 * map: here the decrement and the delete happen in one call, and the
 * controller's next count already sees the pod terminating. Dry runs, the
 * DisruptionTarget pod condition and the delete options of the request
 * (grace period, preconditions) are not modelled.
 *
 * Interface: eviction_evict (ctrl_eviction.h). The file sits in the
 * controller layer (ctrl_ prefix) because it works only through a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_disruption.h"
#include "ctrl_eviction.h"
#include "ctrl_util.h"
#include "schema.h"
#include "selector.h"
#include "xmalloc.h"

#define EVICTIONS_RETRY 5	/* K8S: EvictionsRetry's steps */
#define MSG_VIOLATES "Cannot evict pod as it would violate the pod's disruption budget."

static enum api_code refuse(struct api_status *status, enum api_code code, const char *message)
{
	status->code = code;
	snprintf(status->message, sizeof(status->message), "%s", message);
	return code;
}

/* K8S: canIgnorePDB: evicting a pod that is not running, or already
 * leaving, disrupts nothing more. */
static bool can_ignore_pdb(const struct pod *pod)
{
	const char *phase = pod->status.phase ? pod->status.phase : "";
	return !strcmp(phase, POD_PHASE_SUCCEEDED) || !strcmp(phase, POD_PHASE_FAILED) ||
	       !strcmp(phase, POD_PHASE_PENDING) || object_is_deleting(&pod->obj);
}

/* K8S: getPodDisruptionBudgets: the PDBs of the pod's namespace whose
 * non-empty, valid selector matches it (borrowed, appended to out). */
static void matching_pdbs(const struct client *client, const struct pod *pod,
			  struct object_list *out)
{
	struct object_list all = {0};
	store_list(client->store, KIND_PODDISRUPTIONBUDGET, pod->obj.meta.namespace, NULL, &all);
	for (size_t i = 0; i < all.len; i++) {
		const struct pod_disruption_budget *pdb = (const void *)all.items[i];
		struct selector sel;
		if (label_selector_compile(&pdb->spec.selector, &sel, NULL))
			continue;
		if (!selector_is_empty(&sel) && selector_matches(&sel, &pod->obj.meta.labels)) {
			xgrow((void **)&out->items, &out->cap, out->len + 1, sizeof(*out->items));
			out->items[out->len++] = all.items[i];
		}
		selector_release(&sel);
	}
	object_list_release(&all);
}

/* K8S: checkAndDecrement, inside RetryOnConflict. Returns API_OK once one
 * disruption was spent. */
static enum api_code check_and_decrement(const struct client *client,
					 const struct pod_disruption_budget *pdb,
					 struct api_status *status)
{
	const char *namespace = pdb->obj.meta.namespace;
	char *name = xstrdup(pdb->obj.meta.name);
	enum api_code code = API_CONFLICT;
	for (int attempt = 0; attempt < EVICTIONS_RETRY && code == API_CONFLICT; attempt++) {
		if (attempt) {
			const struct object *fresh = client_get(client, KIND_PODDISRUPTIONBUDGET,
								namespace, name);
			if (!fresh) {
				code = refuse(status, API_NOT_FOUND, "poddisruptionbudget not found");
				break;
			}
			pdb = (const void *)fresh;
		}
		if (pdb->status.observed_generation < pdb->obj.meta.generation) {
			/* The controller has not counted the current spec yet. */
			code = refuse(status, EVICTION_TOO_MANY_REQUESTS, MSG_VIOLATES);
			break;
		}
		if (pdb->status.disruptions_allowed < 0) {
			snprintf(status->message, sizeof(status->message),
				 "poddisruptionbudgets.policy \"%s\" is forbidden: "
				 "pdb disruptions allowed is negative", name);
			code = status->code = API_INVALID;
			break;
		}
		if (pdb->status.disruptions_allowed == 0) {
			code = refuse(status, EVICTION_TOO_MANY_REQUESTS, MSG_VIOLATES);
			break;
		}
		struct pod_disruption_budget *next =
			(struct pod_disruption_budget *)object_copy(&pdb->obj);
		next->status.disruptions_allowed--;
		if (!next->status.disruptions_allowed)
			disruption_set_allowed_condition(&next->status, client_now(client));
		code = client_update_status(client, &next->obj, status);
	}
	if (code == API_CONFLICT && status->code == API_CONFLICT &&
	    strcmp(status->message, MSG_VIOLATES))
		/* K8S: wait.ErrWaitTimeout becomes a Timeout error. */
		snprintf(status->message, sizeof(status->message),
			 "couldn't update PodDisruptionBudget \"%s\" due to conflicts", name);
	free(name);
	return code;
}

enum api_code eviction_evict(const struct client *client, const char *namespace,
			     const char *name, struct api_status *status)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	status->code = API_OK;
	status->message[0] = '\0';
	const struct pod *pod = (const void *)client_get(client, KIND_POD, namespace, name);
	if (!pod) {
		snprintf(status->message, sizeof(status->message), "pods \"%s\" not found", name);
		return status->code = API_NOT_FOUND;
	}
	if (can_ignore_pdb(pod))
		return client_delete(client, KIND_POD, namespace, name, &options, status);

	struct object_list pdbs = {0};
	matching_pdbs(client, pod, &pdbs);
	enum api_code code = API_OK;
	bool unhealthy_delete = false;
	if (pdbs.len > 1) {
		code = refuse(status, API_INVALID, "This pod has more than one "
			      "PodDisruptionBudget, which the eviction subresource does not support.");
	} else if (pdbs.len == 1) {
		const struct pod_disruption_budget *pdb = (const void *)pdbs.items[0];
		const char *policy = pdb->spec.unhealthy_pod_eviction_policy;
		/* LAB: pdb-unhealthy. A pod that is not Ready does not count as
		 * healthy, so deleting it spends nothing: always, under
		 * AlwaysAllow; under IfHealthyBudget only while the application
		 * has all the healthy pods it wants. */
		if (!ctrl_pod_is_ready(pod) &&
		    ((policy && !strcmp(policy, "AlwaysAllow")) ||
		     (pdb->status.current_healthy >= pdb->status.desired_healthy &&
		      pdb->status.desired_healthy > 0)))
			unhealthy_delete = true;
		else
			code = check_and_decrement(client, pdb, status);
	}
	object_list_release(&pdbs);
	if (code != API_OK)
		return code;
	if (unhealthy_delete)
		/* Only if the pod did not become Ready since we looked. */
		options.precondition_rv = pod->obj.meta.resource_version;
	code = client_delete(client, KIND_POD, namespace, name, &options, status);
	if (code == API_CONFLICT && unhealthy_delete)
		return refuse(status, EVICTION_TOO_MANY_REQUESTS, MSG_VIOLATES);
	return code;
}
