/* ctrl_eviction.h - the Eviction API: delete a pod only if its
 * PodDisruptionBudget allows it.
 *
 * K8S: pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create), the
 * pods/eviction subresource that `kubectl drain` calls.
 *
 * Interface: eviction_evict. It plays the API server's part, so it reads
 * and writes through the caller's client: the PDB status write and the pod
 * delete are the caller's writes.
 */
#ifndef KUBELAB_CTRL_EVICTION_H
#define KUBELAB_CTRL_EVICTION_H

#include "client.h"

/* Upstream answers 429 TooManyRequests when a budget refuses; kubelab's
 * api_code has no such code and this file may not add one. API_CONFLICT is
 * the code that already means "nothing is wrong with your request, try
 * again later" (a caller such as drain retries it); API_INVALID would say
 * the request itself is bad, which a retry cannot fix. Callers name it by
 * this alias and read status->message. */
#define EVICTION_TOO_MANY_REQUESTS API_CONFLICT

/* Evicts namespace/pod:
 *   - a pod that is Pending, Succeeded, Failed or already terminating is
 *     deleted without looking at budgets;
 *   - with no matching PDB the pod is deleted;
 *   - with two or more, refused (API_INVALID: upstream's 500 "This pod has
 *     more than one PodDisruptionBudget, ...");
 *   - a pod that is not Ready is deleted without spending the budget when
 *     the PDB's unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget,
 *     the default) when currentHealthy >= desiredHealthy > 0;
 *   - otherwise, when status.disruptionsAllowed is 0 (or the status is older
 *     than the spec), refused with EVICTION_TOO_MANY_REQUESTS and "Cannot
 *     evict pod as it would violate the pod's disruption budget."; else
 *     disruptionsAllowed is decremented in the PDB's status (retrying a
 *     Conflict a few times) and the pod deleted with its default grace.
 * Returns API_OK when the pod was deleted (or is being deleted gracefully),
 * else the code with status->message set; on refusal nothing was written. */
enum api_code eviction_evict(const struct client *client, const char *namespace,
			     const char *pod, struct api_status *status);

#endif
