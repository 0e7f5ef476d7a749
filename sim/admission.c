/* admission.c - mutating admission for new objects; see admission.h. */
#include "admission.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "release.h"
#include "xmalloc.h"

/* K8S: DefaultTolerationSeconds admission: every pod tolerates the
 * not-ready and unreachable NoExecute taints for 300 s unless it says
 * otherwise, so a node failure evicts its pods after five minutes. */
#define DEFAULT_TOLERATION_SECONDS DEFAULT_NOT_READY_TOLERATION_SECONDS

static bool tolerates_key(const struct pod_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->tolerations.len; i++) {
		const struct toleration *t = &spec->tolerations.items[i];
		bool effect_ok = !t->effect || !*t->effect ||
			!strcmp(t->effect, TAINT_NO_EXECUTE);
		bool key_ok = !t->key || !*t->key || !strcmp(t->key, key);
		if (effect_ok && key_ok)
			return true;
	}
	return false;
}

static void add_toleration(struct pod_spec *spec, const char *key)
{
	size_t cap = spec->tolerations.len;
	xgrow((void **)&spec->tolerations.items, &cap, spec->tolerations.len + 1,
	      sizeof(*spec->tolerations.items));
	struct toleration *t = &spec->tolerations.items[spec->tolerations.len++];
	memset(t, 0, sizeof(*t));
	t->key = xstrdup(key);
	t->operator = xstrdup("Exists");
	t->effect = xstrdup(TAINT_NO_EXECUTE);
	t->toleration_seconds.is_set = true;
	t->toleration_seconds.value = DEFAULT_TOLERATION_SECONDS;
}

/* K8S: the Priority admission plugin (plugin/pkg/admission/priority):
 * resolves priorityClassName to a number and a preemptionPolicy; without
 * a name the globalDefault class applies (the lowest-valued one should a
 * race have left several) and its name is written into the pod; with no
 * default class at all, priority 0 and PreemptLowerPriority. A pod may not
 * bring its own priority or preemptionPolicy that disagrees. */
static enum api_code admit_priority(const struct store *store, struct pod_spec *spec,
				    struct api_status *status)
{
	const struct priority_class *pc = NULL;
	if (spec->priority_class_name && *spec->priority_class_name) {
		const struct object *obj = store_get(store, KIND_PRIORITYCLASS, NULL,
						     spec->priority_class_name);
		if (!obj) {
			status->code = API_NOT_FOUND;
			snprintf(status->message, sizeof(status->message),
				 "pods \"\" is forbidden: no PriorityClass with name %s was found",
				 spec->priority_class_name);
			return API_NOT_FOUND;
		}
		pc = (const struct priority_class *)obj;
	} else {
		struct object_list list = {0};
		store_list(store, KIND_PRIORITYCLASS, NULL, NULL, &list);
		for (size_t i = 0; i < list.len; i++) {
			const struct priority_class *c = (const void *)list.items[i];
			if (c->global_default && (!pc || c->value < pc->value))
				pc = c;
		}
		object_list_release(&list);
	}
	int64_t priority = pc ? pc->value : 0;
	/* The API defaults a class's preemptionPolicy to PreemptLowerPriority. */
	const char *policy = pc && pc->preemption_policy && *pc->preemption_policy
		? pc->preemption_policy : "PreemptLowerPriority";
	if (spec->priority.is_set && spec->priority.value != priority) {
		status->code = API_FORBIDDEN;
		snprintf(status->message, sizeof(status->message),
			 "pods \"\" is forbidden: the integer value of priority (%lld) must not "
			 "be provided in pod spec; priority admission controller computed %lld "
			 "from the given PriorityClass name",
			 (long long)spec->priority.value, (long long)priority);
		return API_FORBIDDEN;
	}
	if (spec->preemption_policy && *spec->preemption_policy &&
	    strcmp(spec->preemption_policy, policy)) {
		status->code = API_FORBIDDEN;
		snprintf(status->message, sizeof(status->message),
			 "pods \"\" is forbidden: the string value of PreemptionPolicy (%s) must "
			 "not be provided in pod spec; priority admission controller computed %s "
			 "from the given PriorityClass name", spec->preemption_policy, policy);
		return API_FORBIDDEN;
	}
	if (pc && (!spec->priority_class_name || !*spec->priority_class_name)) {
		free(spec->priority_class_name);
		spec->priority_class_name = xstrdup(pc->obj.meta.name);
	}
	spec->priority.is_set = true;
	spec->priority.value = priority;
	free(spec->preemption_policy);
	spec->preemption_policy = xstrdup(policy);
	return API_OK;
}

static bool has_resource(const struct resource_list *list, const char *name)
{
	const struct quantity *q = resource_list_get(list, name);
	return q && !quantity_is_zero(q);
}

/* K8S: GetPodQOS: Guaranteed when every container has cpu and memory
 * limits equal to requests; BestEffort when none has any request or limit;
 * Burstable otherwise. */
const char *admission_pod_qos(const struct pod_spec *spec)
{
	static const char *const names[] = {"cpu", "memory"};
	bool any = false, guaranteed = true;
	for (size_t pass = 0; pass < 2; pass++) {
		size_t n = pass ? spec->containers.len : spec->init_containers.len;
		const struct container *cs = pass ? spec->containers.items
						  : spec->init_containers.items;
		for (size_t i = 0; i < n; i++) {
			const struct resource_requirements *r = &cs[i].resources;
			for (size_t k = 0; k < 2; k++) {
				const struct quantity *req = resource_list_get(&r->requests, names[k]);
				const struct quantity *lim = resource_list_get(&r->limits, names[k]);
				if (has_resource(&r->requests, names[k]) ||
				    has_resource(&r->limits, names[k]))
					any = true;
				if (!lim || quantity_is_zero(lim))
					guaranteed = false;
				else if (req && quantity_cmp(req, lim) != 0)
					guaranteed = false;
			}
		}
	}
	if (!any)
		return "BestEffort";
	return guaranteed ? "Guaranteed" : "Burstable";
}

/* K8S: pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatch-
 * LabelKeys (MatchLabelKeysInPodAffinity, GA in v1.33). At create, each
 * matchLabelKeys entry the pod has as a label becomes "key In (value)" in
 * the term's labelSelector, each mismatchLabelKeys entry "key NotIn
 * (value)": "pods of my own rollout" without knowing the pod-template-hash
 * in advance. The scheduler only ever sees the merged selector. A term
 * with no labelSelector selects nothing and is left alone. */
static void merge_label_keys(struct pod_affinity_term *term,
			     const struct strmap *labels)
{
	struct label_selector *sel = &term->label_selector;
	if (!sel->match_labels.len && !sel->match_expressions.len)
		return;
	for (int mismatch = 0; mismatch < 2; mismatch++) {
		const char *op = mismatch ? "NotIn" : "In";
		char **keys = mismatch ? term->mismatch_label_keys.items
				       : term->match_label_keys.items;
		size_t len = mismatch ? term->mismatch_label_keys.len
				      : term->match_label_keys.len;
		for (size_t i = 0; i < len; i++) {
			const char *value = strmap_get(labels, keys[i]);
			if (!value)
				continue;
			size_t n = sel->match_expressions.len;
			sel->match_expressions.items = xrealloc(sel->match_expressions.items,
				(n + 1) * sizeof(*sel->match_expressions.items));
			struct selector_requirement_spec *req = &sel->match_expressions.items[n];
			memset(req, 0, sizeof(*req));
			req->key = xstrdup(keys[i]);
			req->operator = xstrdup(op);
			req->values.items = xcalloc(1, sizeof(char *));
			req->values.items[0] = xstrdup(value);
			req->values.len = 1;
			sel->match_expressions.len = n + 1;
		}
	}
}

static void merge_pod_affinity_label_keys(struct pod *pod)
{
	struct pod_affinity *kinds[] = {
		&pod->spec.affinity.pod_affinity, &pod->spec.affinity.pod_anti_affinity,
	};
	const struct strmap *labels = &pod->obj.meta.labels;
	for (size_t k = 0; k < 2; k++) {
		struct pod_affinity *a = kinds[k];
		for (size_t i = 0; i < a->required_during_scheduling_ignored_during_execution.len; i++)
			merge_label_keys(&a->required_during_scheduling_ignored_during_execution.items[i],
					 labels);
		for (size_t i = 0; i < a->preferred_during_scheduling_ignored_during_execution.len; i++)
			merge_label_keys(&a->preferred_during_scheduling_ignored_during_execution
						  .items[i].pod_affinity_term, labels);
	}
}

static enum api_code admit_pod(const struct store *store, struct pod *pod,
			       struct api_status *status)
{
	struct pod_spec *spec = &pod->spec;
	merge_pod_affinity_label_keys(pod);
	if (!tolerates_key(spec, TAINT_NODE_NOT_READY))
		add_toleration(spec, TAINT_NODE_NOT_READY);
	if (!tolerates_key(spec, TAINT_NODE_UNREACHABLE))
		add_toleration(spec, TAINT_NODE_UNREACHABLE);
	if (admit_priority(store, spec, status) != API_OK)
		return status->code;
	free(pod->status.phase);
	pod->status.phase = xstrdup(POD_PHASE_PENDING);
	free(pod->status.qos_class);
	pod->status.qos_class = xstrdup(admission_pod_qos(spec));
	return API_OK;
}

enum api_code admission_admit(const struct store *store, struct object *obj,
			      struct api_status *status)
{
	status->code = API_OK;
	status->message[0] = '\0';
	if (obj->kind->id == KIND_POD)
		return admit_pod(store, (struct pod *)obj, status);
	return API_OK;
}
