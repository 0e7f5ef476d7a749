/* ctrl_expectations.h - what a controller is waiting to see in its watch.
 *
 * K8S: pkg/controller/controller_utils.go ControllerExpectations and
 * UIDTrackingControllerExpectations.
 *
 * A controller decides from its informer cache, and the cache lags the API
 * server by the watch delay. Right after a ReplicaSet creates 3 pods, its
 * cache still shows none: a second reconcile would create 3 more. So before
 * writing, the controller records what it expects to observe ("3 creations
 * for default/web-7d9f8") and skips reconciling that key until its watch
 * handlers have counted them all, or until the expectations expire (5
 * minutes, in case a watch event was lost). Deletions are tracked by pod
 * key, so a pod that is first marked terminating and later removed counts
 * once.
 *
 * The module is named after the concept; its file carries the ctrl_ prefix
 * of the controller layer.
 *
 * Ownership: the table copies keys. Nothing here writes to the API.
 */
#ifndef KUBELAB_CTRL_EXPECTATIONS_H
#define KUBELAB_CTRL_EXPECTATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

/* K8S: ExpectationsTimeout. */
#define EXPECTATIONS_TIMEOUT (5 * KTIME_MINUTE)

struct expectations;

/* The clock is copied (its implementation must outlive the table). */
struct expectations *expectations_new(const struct clock *clock);
void expectations_free(struct expectations *table);

/* Forgets what was expected for key and expects adds creations (K8S:
 * ExpectCreations = SetExpectations(key, adds, 0)). */
void expectations_expect_creations(struct expectations *table, const char *key,
				   int adds);
/* Forgets what was expected for key and expects the deletion of each pod
 * key (namespace/name) in pods. */
void expectations_expect_deletions(struct expectations *table, const char *key,
				   const char *const *pods, size_t len);
/* A watch handler saw one of key's pods created (the count may go below
 * zero: an unexpected creation is still an observation, as upstream). */
void expectations_creation_observed(struct expectations *table, const char *key);
/* A watch handler saw pod deleted (or marked for deletion); counts only
 * when pod was one of the expected deletions, and only once. */
void expectations_deletion_observed(struct expectations *table, const char *key,
				    const char *pod);
/* True when key may be reconciled: nothing expected, all observed, or
 * the expectations are older than EXPECTATIONS_TIMEOUT. */
bool expectations_satisfied(const struct expectations *table, const char *key);
/* Drops key's expectations (its owner was deleted). */
void expectations_delete(struct expectations *table, const char *key);

/* What is still outstanding for key; false when nothing is recorded. For
 * tests and `kubelab debug`. */
bool expectations_get(const struct expectations *table, const char *key,
		      int64_t *adds, int64_t *dels);

#endif
