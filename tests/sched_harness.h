/* sched_harness.h - building nodes and pods from short strings for the
 * scheduler plugins' table tests, and asking one plugin about them.
 *
 * Upstream's plugin tests build pods with st.MakePod().Req(...).Req(...)
 * (one container per Req) and nodes with a capacity map. The tables here
 * say the same in one string each:
 *
 *   resources  "cpu=1000m,memory=2000,nvidia.com/gpu=3"
 *   pod        containers separated by ';': "cpu=1,memory=2000;cpu=2" is two
 *              containers; "-" is one container without requests; "" is
 *              a pod without containers (as st.MakePod().Obj()).
 *
 * Everything is static inline so each test file takes what it uses.
 */
#ifndef KUBELAB_TESTS_SCHED_HARNESS_H
#define KUBELAB_TESTS_SCHED_HARNESS_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "sched_framework.h"
#include "sched_nodeinfo.h"
#include "xmalloc.h"

#define HARNESS_APPEND(list)                                                    \
	((list).items = xrealloc((list).items, ((list).len + 1) * sizeof(*(list).items)), \
	 memset(&(list).items[(list).len], 0, sizeof(*(list).items)),            \
	 &(list).items[(list).len++])

/* Parses "name=amount,name=amount" into list. */
static inline void harness_resources(struct resource_list *list, const char *text)
{
	char *copy = xstrdup(text), *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		ck_assert_msg(eq != NULL, "bad resource '%s'", item);
		*eq = '\0';
		struct quantity q;
		ck_assert_int_eq(quantity_parse(eq + 1, &q, NULL), 0);
		resource_list_set(list, item, &q);
	}
	free(copy);
}

/* A node with allocatable from text plus 110 pod slots. */
static inline struct node *harness_node(const char *name, const char *resources)
{
	struct node *n = (struct node *)object_new(&node_kind);
	n->obj.meta.name = xstrdup(name);
	n->obj.meta.uid = xstrdup(name);
	harness_resources(&n->status.allocatable, resources);
	if (!resource_list_get(&n->status.allocatable, "pods")) {
		struct quantity q;
		ck_assert_int_eq(quantity_parse("110", &q, NULL), 0);
		resource_list_set(&n->status.allocatable, "pods", &q);
	}
	return n;
}

/* A pod whose containers are spec (see above). */
static inline struct pod *harness_pod(const char *name, const char *spec)
{
	struct pod *p = (struct pod *)object_new(&pod_kind);
	p->obj.meta.name = xstrdup(name);
	p->obj.meta.namespace = xstrdup("default");
	p->obj.meta.uid = xasprintf("uid-%s", name);
	char *copy = xstrdup(spec), *save = NULL;
	int k = 0;
	for (char *c = strtok_r(copy, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
		struct container *ctr = HARNESS_APPEND(p->spec.containers);
		ctr->name = xasprintf("c%d", k++);
		if (strcmp(c, "-"))
			harness_resources(&ctr->resources.requests, c);
	}
	free(copy);
	return p;
}

static inline void harness_add_node(struct sched_cache *cache, struct node *n)
{
	sched_cache_set_node(cache, n);
	object_unref(&n->obj);
}

/* Books pod as bound to node_name and drops the caller's reference. */
static inline void harness_add_bound_pod(struct sched_cache *cache, struct pod *p,
					 const char *node_name)
{
	p->spec.node_name = xstrdup(node_name);
	sched_cache_add_pod(cache, p);
	object_unref(&p->obj);
}

/* PreFilter (a Skip passes every node), then Filter on node_name. */
static inline enum sched_code harness_filter(const struct sched_plugin *pl,
					     struct sched_cache *cache,
					     const struct pod *pod, const void *args,
					     const char *node_name,
					     struct sched_status *status)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	state.args[pl->id] = args;
	sched_status_reset(status);
	enum sched_code code = SCHED_SUCCESS;
	if (pl->pre_filter)
		code = pl->pre_filter(&state, pod, status);
	if (code == SCHED_SKIP) {
		code = SCHED_SUCCESS;
	} else if (code == SCHED_SUCCESS) {
		const struct sched_node_info *node = sched_cache_node(cache, node_name);
		ck_assert_ptr_nonnull(node);
		code = pl->filter(&state, pod, node, status);
	}
	sched_state_release(&state);
	return code;
}

/* PreFilter, PreScore over the named nodes, Score on each, NormalizeScore:
 * into scores[]. Returns false when PreScore said Skip. */
static inline bool harness_score(const struct sched_plugin *pl,
				 struct sched_cache *cache, const struct pod *pod,
				 const void *args, const char *const *names,
				 size_t n, int64_t *scores)
{
	struct sched_state state;
	sched_state_init(&state, pod, cache);
	state.args[pl->id] = args;
	struct sched_status status;
	sched_status_reset(&status);
	struct sched_node_info *nodes[16];
	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++) {
		nodes[i] = (struct sched_node_info *)sched_cache_node(cache, names[i]);
		ck_assert_ptr_nonnull(nodes[i]);
	}
	if (pl->pre_filter)
		pl->pre_filter(&state, pod, &status);
	if (pl->pre_score && pl->pre_score(&state, pod, nodes, n) == SCHED_SKIP) {
		sched_state_release(&state);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		scores[i] = pl->score(&state, pod, nodes[i]);
	if (pl->normalize_score)
		pl->normalize_score(&state, pod, scores, n);
	sched_state_release(&state);
	return true;
}

#endif
