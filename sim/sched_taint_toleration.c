/* sched_taint_toleration.c - the TaintToleration plugin.
 *
 * K8S: pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go,
 *      staging/src/k8s.io/api/core/v1/toleration.go (ToleratesTaint),
 *      pkg/apis/core/v1/helper (FindMatchingUntoleratedTaint).
 *
 * A taint is a node saying "keep away": key=value:Effect. A toleration is
 * a pod saying "I can live with that". The effect decides how hard the
 * taint pushes:
 *   NoSchedule        no new pod may land unless it tolerates the taint;
 *   NoExecute         the same, and running pods are evicted too (by the
 *                     taint manager, not here);
 *   PreferNoSchedule  a soft wish: the node just scores lower.
 * A toleration matches a taint when its effect is empty or equal, its key
 * is empty or equal, and either its operator is Exists (any value) or
 * Equal (the default) with the same value. A toleration with no key and
 * operator Exists tolerates everything.
 *
 * Filter: the first NoSchedule/NoExecute taint the pod does not tolerate
 * rejects the node -- UnschedulableAndUnresolvable, preemption cannot
 * remove a taint. Score: the number of PreferNoSchedule taints the pod
 * does not tolerate, normalized in reverse, so the node with the fewest
 * gets 100. Default weight 3: the heaviest of the default scores.
 *
 * Interface: sched_taint_toleration_plugin; sched_toleration_tolerates()
 * and sched_tolerations_tolerate() (declared in sched_framework.h).
 */
#include <string.h>

#include "sched_framework.h"
#include "sched_queueing_hints.h"
#include "sched_nodeinfo.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* LAB: sched-toleration-match */
bool sched_toleration_tolerates(const struct toleration *toleration,
				const struct taint *taint)
{
	if (!empty(toleration->effect) && !same(toleration->effect, taint->effect))
		return false;
	if (!empty(toleration->key) && !same(toleration->key, taint->key))
		return false;
	if (empty(toleration->operator) || !strcmp(toleration->operator, "Equal"))
		return same(toleration->value, taint->value);
	return !strcmp(toleration->operator, "Exists");
}

bool sched_tolerations_tolerate(const struct pod_spec *spec,
				const struct taint *taint)
{
	for (size_t i = 0; i < spec->tolerations.len; i++)
		if (sched_toleration_tolerates(&spec->tolerations.items[i], taint))
			return true;
	return false;
}

static bool is_effect(const struct taint *taint, const char *effect)
{
	return taint->effect && !strcmp(taint->effect, effect);
}

/* The Filter proper, for a node with taints. Kept out of line (noinline)
 * so that filter() below, which every node goes through, stays a leaf
 * function without the register saves this loop needs. */
static __attribute__((noinline)) enum sched_code
filter_taints(const struct pod *pod, const struct sched_node_info *node,
	      struct sched_status *status)
{
	for (size_t i = 0; i < node->taints_len; i++) {
		const struct taint *taint = &node->taints[i];
		if (!is_effect(taint, TAINT_NO_SCHEDULE) &&
		    !is_effect(taint, TAINT_NO_EXECUTE))
			continue;	/* PreferNoSchedule only scores */
		if (sched_tolerations_tolerate(&pod->spec, taint))
			continue;
		/* LAB: sched-taint */
		return sched_status_addf(status, SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE,
					 "node(s) had untolerated taint {%s: %s}",
					 taint->key ? taint->key : "",
					 taint->value ? taint->value : "");
	}
	return SCHED_SUCCESS;
}

static enum sched_code filter(struct sched_state *state, const struct pod *pod,
			      const struct sched_node_info *node,
			      struct sched_status *status)
{
	(void)state;
	/* hot: most nodes have no such taint; the cache counted them when
	 * the node was added or updated (node->taints is spec.taints) */
	if (!node->taints_no_schedule)
		return SCHED_SUCCESS;
	return filter_taints(pod, node, status);
}

/* Upstream's PreScore first keeps the pod's tolerations whose effect is
 * empty or PreferNoSchedule; since a toleration with another effect never
 * tolerates a PreferNoSchedule taint, testing all of them here gives the
 * same count without a per-cycle list. */
static __attribute__((noinline)) int64_t
count_intolerable(const struct pod *pod, const struct sched_node_info *node)
{
	int64_t intolerable = 0;
	for (size_t i = 0; i < node->taints_len; i++) {
		const struct taint *taint = &node->taints[i];
		if (is_effect(taint, TAINT_PREFER_NO_SCHEDULE) &&
		    !sched_tolerations_tolerate(&pod->spec, taint))
			intolerable++;
	}
	return intolerable;
}

static int64_t score(struct sched_state *state, const struct pod *pod,
		     const struct sched_node_info *node)
{
	(void)state;
	if (!node->taints_prefer_no_schedule)
		return 0;	/* hot: as in filter() */
	return count_intolerable(pod, node);
}

/* LAB: sched-taint-score. More untolerated soft taints, lower score. */
static void normalize_score(struct sched_state *state, const struct pod *pod,
			    int64_t *scores, size_t len)
{
	(void)state;
	(void)pod;
	sched_default_normalize_score(SCHED_MAX_NODE_SCORE, true, scores, len);
}

/* ---- queueing hints ------------------------------------------------------ */

/* Whether node has a NoSchedule or NoExecute taint pod does not tolerate
 * (K8S: v1helper.FindMatchingUntoleratedTaint with
 * DoNotScheduleTaintsFilterFunc). */
static bool has_untolerated(const struct node *node, const struct pod *pod)
{
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		const struct taint *taint = &node->spec.taints.items[i];
		if ((is_effect(taint, TAINT_NO_SCHEDULE) || is_effect(taint, TAINT_NO_EXECUTE)) &&
		    !sched_tolerations_tolerate(&pod->spec, taint))
			return true;
	}
	return false;
}

/* K8S: TaintToleration.isSchedulableAfterNodeChange: Queue when the node
 * is new or had a taint the pod does not tolerate, and has none now. */
static enum sched_hint after_node_change(const struct sched_hint_input *in)
{
	const struct node *old = sched_hint_old_node(in);
	bool was_untolerated = !old || has_untolerated(old, in->pod);
	if (was_untolerated && !has_untolerated(sched_hint_new_node(in), in->pod))
		return SCHED_HINT_QUEUE;
	return SCHED_HINT_SKIP;
}

/* K8S: TaintToleration.EventsToRegister (queueing hints on) */
static const struct sched_event_hint events[] = {
	{ { SCHED_RESOURCE_NODE, SCHED_ACTION_ADD | SCHED_ACTION_UPDATE_NODE_TAINT, NULL },
	  after_node_change },
	{ { 0, 0, NULL }, NULL },
};

const struct sched_plugin sched_taint_toleration_plugin = {
	.id = SCHED_PLUGIN_TAINT_TOLERATION,
	.name = "TaintToleration",
	.default_weight = 3,
	.filter = filter,
	.score = score,
	.normalize_score = normalize_score,
	.events_to_register = events,
};
