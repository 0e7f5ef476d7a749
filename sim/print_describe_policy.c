/* print_describe_policy.c - `kubectl describe` for HorizontalPodAutoscalers,
 * PodDisruptionBudgets and PriorityClasses.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go
 * (describeHorizontalPodAutoscalerV2, printDirectionBehavior,
 * describePodDisruptionBudgetV1, describePriorityClass).
 *
 * Three policies over a workload's pods: how many there should be (the
 * HPA), how many may be missing at once (the PDB), and which go first
 * when a node is full (the PriorityClass). The HPA page is the one a
 * student reads most: each metric as "current / target", e.g.
 *   resource cpu on pods  (as a percentage of request):  30% (150m) / 50%
 * (the double space is upstream's: two indented writes on one line), the
 * bounds, the replica counts, the conditions that say why it does or
 * does not scale (AbleToScale, ScalingActive, ScalingLimited) and the
 * SuccessfulRescale events.
 *
 * Upstream pairs spec.metrics[i] with status.currentMetrics[i] by
 * position; kubelab does too, falling back to a search by metric when a
 * failed metric left a gap (current_metric).
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const char *s)
{
	return s ? s : "";
}

/* ---- HorizontalPodAutoscaler --------------------------------------------- */

static bool same_metric(const struct hpa_metric_spec *spec, const struct hpa_metric_status *m)
{
	if (!m->type || strcmp(m->type, str(spec->type)))
		return false;
	if (!strcmp(m->type, HPA_METRIC_PODS))
		return !strcmp(str(m->pods.metric.name), str(spec->pods.metric.name));
	return !strcmp(str(m->resource.name), str(spec->resource.name));
}

/* What was measured for spec.metrics[i]: status.currentMetrics[i], as
 * upstream pairs them, when it is that metric; else the entry for the
 * same metric elsewhere, because kubelab leaves a failed metric out of
 * currentMetrics where upstream keeps an empty entry in its place. */
static const struct hpa_metric_status *current_metric(const struct horizontal_pod_autoscaler *hpa,
						      size_t i)
{
	const struct hpa_metric_spec *spec = &hpa->spec.metrics.items[i];
	const struct hpa_metric_status *all = hpa->status.current_metrics.items;
	size_t n = hpa->status.current_metrics.len;
	if (i < n && same_metric(spec, &all[i]))
		return &all[i];
	for (size_t j = 0; j < n; j++)
		if (same_metric(spec, &all[j]))
			return &all[j];
	return NULL;
}

static void metric_line(struct tabwriter *tw, const struct horizontal_pod_autoscaler *hpa,
			size_t i)
{
	const struct hpa_metric_spec *m = &hpa->spec.metrics.items[i];
	char current[QUANTITY_STR_MAX + 32] = "<unknown>", target[QUANTITY_STR_MAX] = "<auto>";
	char value[QUANTITY_STR_MAX];
	const char *type = str(m->type);
	if (!strcmp(type, HPA_METRIC_PODS)) {
		const struct hpa_metric_status *cur = current_metric(hpa, i);
		if (cur)
			quantity_format(&cur->pods.current.average_value, current, sizeof(current));
		quantity_format(&m->pods.target.average_value, target, sizeof(target));
		tabwriter_put(tw, 1, "\"%s\" on pods:\t%s / %s\n", str(m->pods.metric.name),
			      current, target);
		return;
	}
	if (strcmp(type, HPA_METRIC_RESOURCE)) {
		tabwriter_put(tw, 1, "<unknown metric type \"%s\">\n", type);
		return;
	}
	const struct hpa_metric_target *t = &m->resource.target;
	const struct hpa_metric_status *cur = current_metric(hpa, i);
	tabwriter_put(tw, 1, "resource %s on pods", str(m->resource.name));
	if ((t->type && !strcmp(t->type, HPA_TARGET_AVERAGE_VALUE)) ||
	    quantity_milli_value(&t->average_value)) {
		if (cur)
			quantity_format(&cur->resource.current.average_value, current,
					sizeof(current));
		quantity_format(&t->average_value, target, sizeof(target));
		tabwriter_printf(tw, ":\t%s / %s\n", current, target);
		return;
	}
	if (cur && cur->resource.current.average_utilization.is_set) {
		quantity_format(&cur->resource.current.average_value, value, sizeof(value));
		snprintf(current, sizeof(current), "%lld%% (%s)",
			 (long long)cur->resource.current.average_utilization.value, value);
	}
	if (t->average_utilization)
		snprintf(target, sizeof(target), "%d%%", t->average_utilization);
	/* a second indented write on the same line, as upstream */
	tabwriter_put(tw, 1, "(as a percentage of request):\t%s / %s\n", current, target);
}

/* K8S: printDirectionBehavior. */
static void direction_behavior(struct tabwriter *tw, const char *direction,
			       const struct hpa_scaling_rules *rules)
{
	tabwriter_put(tw, 1, "%s:\n", direction);
	if (rules->stabilization_window_seconds.is_set)
		tabwriter_put(tw, 2, "Stabilization Window: %lld seconds\n",
			      (long long)rules->stabilization_window_seconds.value);
	if (!rules->policies.len)
		return;
	tabwriter_put(tw, 2, "Select Policy: %s\n",
		      rules->select_policy ? rules->select_policy : "Max");
	tabwriter_put(tw, 2, "Policies:\n");
	for (size_t i = 0; i < rules->policies.len; i++) {
		const struct hpa_scaling_policy *p = &rules->policies.items[i];
		tabwriter_put(tw, 3, "- Type: %s\tValue: %d\tPeriod: %d seconds\n", str(p->type),
			      p->value, p->period_seconds);
	}
}

void describe_hpa(struct tabwriter *tw, const struct store *store,
		  const struct horizontal_pod_autoscaler *hpa, ktime_t now)
{
	const struct object *obj = &hpa->obj;
	const struct hpa_target_ref *ref = &hpa->spec.scale_target_ref;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	describe_creation(tw, obj);
	tabwriter_put(tw, 0, "Reference:\t%s/%s\n", str(ref->kind), str(ref->name));
	tabwriter_put(tw, 0, "Metrics:\t( current / target )\n");
	for (size_t i = 0; i < hpa->spec.metrics.len; i++)
		metric_line(tw, hpa, i);
	tabwriter_put(tw, 0, "Min replicas:\t%d\n", hpa->spec.min_replicas);
	tabwriter_put(tw, 0, "Max replicas:\t%d\n", hpa->spec.max_replicas);
	if (hpa_behavior_is_set(&hpa->spec.behavior)) {
		/* defaulting filled both directions (hpa_behavior_set_defaults) */
		tabwriter_put(tw, 0, "Behavior:\n");
		direction_behavior(tw, "Scale Up", &hpa->spec.behavior.scale_up);
		direction_behavior(tw, "Scale Down", &hpa->spec.behavior.scale_down);
	}
	tabwriter_put(tw, 0, "%s pods:\t%d current / %d desired\n", str(ref->kind),
		      hpa->status.current_replicas, hpa->status.desired_replicas);
	if (hpa->status.conditions.len) {
		tabwriter_put(tw, 0, "Conditions:\n");
		tabwriter_put(tw, 1, "Type\tStatus\tReason\tMessage\n");
		tabwriter_put(tw, 1, "----\t------\t------\t-------\n");
	}
	for (size_t i = 0; i < hpa->status.conditions.len; i++) {
		const struct condition *c = &hpa->status.conditions.items[i];
		tabwriter_put(tw, 1, "%s\t%s\t%s\t%s\n", str(c->type), str(c->status),
			      str(c->reason), str(c->message));
	}
	print_describe_events(tw, store, obj, now);
}

/* ---- PodDisruptionBudget ------------------------------------------------- */

void describe_pdb(struct tabwriter *tw, const struct store *store,
		  const struct pod_disruption_budget *pdb, ktime_t now)
{
	const struct object *obj = &pdb->obj;
	const struct pod_disruption_budget_spec *spec = &pdb->spec;
	const struct pod_disruption_budget_status *st = &pdb->status;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	if (spec->min_available.is_set || spec->max_unavailable.is_set) {
		bool min = spec->min_available.is_set;
		char *value = print_int_or_string(min ? &spec->min_available
						      : &spec->max_unavailable);
		tabwriter_put(tw, 0, "%s:\t%s\n", min ? "Min available" : "Max unavailable", value);
		free(value);
	}
	/* kubelab cannot tell an absent selector from an empty one; absent
	 * is the usual case, and upstream prints it "<unset>". */
	if (spec->selector.match_labels.len || spec->selector.match_expressions.len) {
		char *selector = print_label_selector(&spec->selector);
		tabwriter_put(tw, 0, "Selector:\t%s\n", selector);
		free(selector);
	} else {
		tabwriter_put(tw, 0, "Selector:\t<unset>\n");
	}
	tabwriter_put(tw, 0, "Status:\n");
	tabwriter_put(tw, 2, "Allowed disruptions:\t%d\n", st->disruptions_allowed);
	tabwriter_put(tw, 2, "Current:\t%d\n", st->current_healthy);
	tabwriter_put(tw, 2, "Desired:\t%d\n", st->desired_healthy);
	tabwriter_put(tw, 2, "Total:\t%d\n", st->expected_pods);
	print_describe_events(tw, store, obj, now);
}

/* ---- PriorityClass ------------------------------------------------------- */

void describe_priority_class(struct tabwriter *tw, const struct store *store,
			     const struct priority_class *pc, ktime_t now)
{
	const struct object *obj = &pc->obj;
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Value:\t%d\n", pc->value);
	tabwriter_put(tw, 0, "GlobalDefault:\t%s\n", pc->global_default ? "true" : "false");
	tabwriter_put(tw, 0, "PreemptionPolicy:\t%s\n", str(pc->preemption_policy));
	tabwriter_put(tw, 0, "Description:\t%s\n", str(pc->description));
	describe_map_line(tw, "Annotations", &obj->meta.annotations);
	print_describe_events(tw, store, obj, now);
}
