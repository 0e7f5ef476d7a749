/* sched_nominator.c - pods nominated to nodes, and filtering that counts
 * them.
 *
 * K8S: pkg/scheduler/backend/queue/nominator.go and
 * framework/runtime/framework.go (RunFilterPluginsWithNominatedPods,
 * addGENominatedPods). See sched_nominator.h for the model.
 *
 * Costs: add, update and delete are O(pods nominated to the node); a
 * filter on a node with no nomination is one hash lookup, and the cycle
 * skips even that while nothing is nominated anywhere.
 */
#include "sched_nominator.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct sched_nominated_list {
	struct sched_nominated_pod **items;
	size_t len, cap;
};

void sched_nominator_init(struct sched_nominator *nominator)
{
	memset(nominator, 0, sizeof(*nominator));
}

static void nominated_free(struct sched_nominated_pod *np)
{
	object_unref((struct object *)np->info.pod);
	sched_pod_request_release(&np->info.request);
	free(np->node_name);
	free(np);
}

void sched_nominator_release(struct sched_nominator *nominator)
{
	const char *key;
	void *value;
	for (size_t pos = 0; hashmap_next(&nominator->by_node, &pos, &key, &value);) {
		struct sched_nominated_list *list = value;
		for (size_t i = 0; i < list->len; i++)
			nominated_free(list->items[i]);
		free(list->items);
		free(list);
	}
	hashmap_release(&nominator->by_node);
	hashmap_release(&nominator->by_uid);
	memset(nominator, 0, sizeof(*nominator));
}

void sched_nominator_delete(struct sched_nominator *nominator, const char *uid)
{
	struct sched_nominated_pod *np = hashmap_remove(&nominator->by_uid, uid);
	if (!np)
		return;
	struct sched_nominated_list *list = hashmap_get(&nominator->by_node, np->node_name);
	BUG_ON(!list);
	size_t i = 0;
	while (i < list->len && list->items[i] != np)
		i++;
	BUG_ON(i == list->len);
	memmove(&list->items[i], &list->items[i + 1],
		(list->len - i - 1) * sizeof(*list->items));
	if (--list->len == 0) {
		hashmap_remove(&nominator->by_node, np->node_name);
		free(list->items);
		free(list);
	}
	nominator->len--;
	nominated_free(np);
}

void sched_nominator_add(struct sched_nominator *nominator,
			 struct sched_cache *cache, const struct pod *pod,
			 const char *node_name)
{
	sched_nominator_delete(nominator, pod->obj.meta.uid);
	if (!node_name)
		node_name = pod->status.nominated_node_name;
	if (!node_name || !*node_name)
		return;
	if (pod->spec.node_name && *pod->spec.node_name)
		return;		/* bound already: nothing to reserve */
	struct sched_nominated_pod *np = xcalloc(1, sizeof(*np));
	np->info.pod = (const struct pod *)object_ref(&pod->obj);
	sched_pod_request_compute(cache, pod, &np->info.request);
	np->info.priority = pod->spec.priority.is_set ? pod->spec.priority.value : 0;
	np->node_name = xstrdup(node_name);
	struct sched_nominated_list *list = hashmap_get(&nominator->by_node, node_name);
	if (!list) {
		list = xcalloc(1, sizeof(*list));
		hashmap_put(&nominator->by_node, node_name, list);
	}
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = np;
	hashmap_put(&nominator->by_uid, pod->obj.meta.uid, np);
	nominator->len++;
}

static bool has_nomination(const struct pod *pod)
{
	return pod->status.nominated_node_name && *pod->status.nominated_node_name;
}

void sched_nominator_update(struct sched_nominator *nominator,
			    struct sched_cache *cache, const struct pod *old,
			    const struct pod *pod)
{
	char *keep = NULL;
	if (!has_nomination(old) && !has_nomination(pod)) {
		const char *mem = sched_nominator_node_of(nominator, old->obj.meta.uid);
		keep = mem ? xstrdup(mem) : NULL;
	}
	sched_nominator_add(nominator, cache, pod, keep);
	free(keep);
}

struct sched_nominated_pod *const *
sched_nominator_for_node(const struct sched_nominator *nominator,
			 const char *node, size_t *len)
{
	const struct sched_nominated_list *list =
		nominator->len ? hashmap_get(&nominator->by_node, node) : NULL;
	*len = list ? list->len : 0;
	return list ? list->items : NULL;
}

const char *sched_nominator_node_of(const struct sched_nominator *nominator,
				    const char *uid)
{
	const struct sched_nominated_pod *np = hashmap_get(&nominator->by_uid, uid);
	return np ? np->node_name : NULL;
}

/* ---- filtering with nominated pods --------------------------------------- */

/* LAB: sched-nominated. Pass 1 counts the nominated pods that this pod
 * must yield to, on a scratch copy of the node and, through the
 * PreFilter extensions, in the plugins' cluster-wide counts (so a
 * nominated pod's anti-affinity keeps this pod out of its domain);
 * pass 2, run only when pass 1 added some and passed, checks the node
 * as it is. */
enum sched_code sched_run_filter_with_nominated(const struct sched_profile *profile,
						struct sched_state *state,
						const struct sched_node_info *node,
						struct sched_status *status)
{
	size_t len = 0;
	struct sched_nominated_pod *const *nominated = state->nominator
		? sched_nominator_for_node(state->nominator, node->name, &len) : NULL;
	if (len == 0)
		return sched_run_filter(profile, state, node, status);
	const struct pod *pod = state->pod;
	int64_t priority = pod->spec.priority.is_set ? pod->spec.priority.value : 0;
	struct sched_node_info scratch;
	bool added = false;
	for (size_t i = 0; i < len; i++) {
		const struct sched_pod_info *info = &nominated[i]->info;
		if (info->priority < priority ||
		    !strcmp(info->pod->obj.meta.uid, pod->obj.meta.uid))
			continue;
		if (!added)
			sched_node_scratch_init(&scratch, node);
		sched_node_scratch_add(&scratch, info);
		/* K8S: addGENominatedPods: PreFilter's counts learn of it. */
		sched_run_pre_filter_add_pod(profile, state, info, &scratch);
		added = true;
	}
	if (!added)
		return sched_run_filter(profile, state, node, status);
	enum sched_code code = sched_run_filter(profile, state, &scratch, status);
	/* Upstream dropped its clone of the state; kubelab takes the pods
	 * back out of the counts, last in first out. */
	for (size_t i = len; i-- > 0;) {
		const struct sched_pod_info *info = &nominated[i]->info;
		if (info->priority >= priority &&
		    strcmp(info->pod->obj.meta.uid, pod->obj.meta.uid))
			sched_run_pre_filter_remove_pod(profile, state, info, &scratch);
	}
	sched_node_scratch_release(&scratch);
	if (code != SCHED_SUCCESS)
		return code;
	return sched_run_filter(profile, state, node, status);
}
