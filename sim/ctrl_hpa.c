/* ctrl_hpa.c - the HorizontalPodAutoscaler controller: size a workload
 * to its load.
 *
 * K8S: pkg/controller/podautoscaler/horizontal.go (reconcileAutoscaler,
 * computeReplicasForMetrics, computeStatusForResourceMetric,
 * computeStatusForPodsMetric, setCondition, setStatus), with the
 * kube-controller-manager v1.34 defaults (ctrl_hpa.h).
 *
 * Unlike the workload controllers, the HPA polls: every HPA is reconciled
 * every sync period (15 s), whether anything changed or not, because what
 * it follows (metrics) is not an API object with a watch. A new HPA waits
 * one period for its first look, as upstream's fixed-interval queue makes
 * it. One reconcile:
 *   1. reads the target's scale subresource (spec.replicas, status.replicas,
 *      the selector) — AbleToScale False/FailedGetScale when it cannot;
 *   2. if replicas are 0 the HPA is off (ScalingActive False,
 *      ScalingDisabled); outside [min, max] it moves inside; otherwise,
 *   3. for each metric, asks the metrics API (metrics.h) for the samples of
 *      the target's pods and the replica calculator (ctrl_hpa_replicas.c)
 *      for a count; the largest proposal wins (ScalingActive True,
 *      ValidMetricFound); a metric that fails raises a Warning event and,
 *      if no metric works, ScalingActive False;
 *   4. normalises the proposal (ctrl_hpa_scale.c): stabilisation window,
 *      rate limits, min and max (AbleToScale and ScalingLimited say why);
 *   5. writes spec.replicas of the target (the scale subresource) and
 *      records SuccessfulRescale "New size: N; reason: ...";
 *   6. writes status: currentReplicas, desiredReplicas, currentMetrics,
 *      lastScaleTime, conditions.
 *
 * Interface: the horizontal_pod_autoscaler_controller row (ctrl_hpa.h).
 * The metrics come from client->metrics (NULL: every metric fails, as
 * with no metrics-server installed).
 * Invariants: each HPA has at most one resync pending; history (past
 * recommendations and rescales) lives only in the controller's memory,
 * as upstream's, and is dropped with the HPA.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_hpa.h"
#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "hashmap.h"
#include "selector.h"
#include "workqueue.h"
#include "xmalloc.h"

struct hpa_controller {
	const struct client *client;
	struct informer *hpas;
	struct workqueue *queue;
	struct hashmap scheduled;	/* key -> non-NULL while a sync is pending */
	struct hashmap histories;	/* key -> struct hpa_history * */
};

static const struct horizontal_pod_autoscaler *as_hpa(const struct object *obj)
{
	return object_as(obj, KIND_HORIZONTALPODAUTOSCALER, const struct horizontal_pod_autoscaler);
}

/* ---- the queue: one look per sync period ---------------------------------- */

/* K8S: NewDefaultHPARateLimiter (a fixed interval) on a queue that drops a
 * key already waiting: each HPA is looked at once per period. */
static void schedule(struct hpa_controller *c, const char *key)
{
	if (hashmap_get(&c->scheduled, key))
		return;
	hashmap_put(&c->scheduled, key, (void *)1);
	workqueue_add_after(c->queue, key, HPA_SYNC_PERIOD);
}

static void on_hpa(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct hpa_controller *c = arg;
	(void)old;
	char *key = object_key(obj);
	if (type == WATCH_DELETED) {
		struct hpa_history *h = hashmap_remove(&c->histories, key);
		if (h) {
			hpa_history_release(h);
			free(h);
		}
	} else {
		schedule(c, key);
	}
	free(key);
}

/* ---- conditions ------------------------------------------------------------ */

/* K8S: setCondition / setConditionInList: a new type is appended; an
 * existing one keeps its place and its lastTransitionTime unless its
 * status changes. */
static void set_condition(struct hpa_controller *c, struct hpa_status *st, const char *type,
			  bool status, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void set_condition(struct hpa_controller *c, struct hpa_status *st, const char *type,
			  bool status, const char *reason, const char *fmt, ...)
{
	const char *value = status ? "True" : "False";
	struct condition *cond = condition_find(&st->conditions, type);
	if (!cond) {
		size_t cap = st->conditions.len;
		xgrow((void **)&st->conditions.items, &cap, st->conditions.len + 1,
		      sizeof(*st->conditions.items));
		cond = &st->conditions.items[st->conditions.len++];
		memset(cond, 0, sizeof(*cond));
		cond->type = xstrdup(type);
	}
	if (!cond->status || strcmp(cond->status, value)) {
		free(cond->status);
		cond->status = xstrdup(value);
		cond->last_transition_time = client_now(c->client);
	}
	free(cond->reason);
	cond->reason = xstrdup(reason);
	free(cond->message);
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cond->message, fmt, ap) < 0)
		BUG_ON(1);
	va_end(ap);
}

/* ---- the scale subresource ------------------------------------------------- */

struct scale {
	enum kind_id kind;
	const struct object *obj;
	int32_t spec_replicas, status_replicas;
	const struct label_selector *selector;
};

/* K8S: scaleForResourceMappings: Deployment, ReplicaSet and StatefulSet
 * serve /scale. Returns 0, or -1 with *why worded as the API's error. */
static int get_scale(struct hpa_controller *c, const struct horizontal_pod_autoscaler *hpa,
		     struct scale *out, char **why)
{
	const struct hpa_target_ref *ref = &hpa->spec.scale_target_ref;
	static const struct {
		const char *kind;
		enum kind_id id;
		const char *resource;
	} targets[] = {
		{ "Deployment", KIND_DEPLOYMENT, "deployments.apps" },
		{ "ReplicaSet", KIND_REPLICASET, "replicasets.apps" },
		{ "StatefulSet", KIND_STATEFULSET, "statefulsets.apps" },
	};
	size_t i = 0;
	while (i < 3 && strcmp(targets[i].kind, ref->kind ? ref->kind : ""))
		i++;
	if (i == 3) {
		const char *version = ref->api_version ? ref->api_version : "";
		const char *slash = strchr(version, '/');
		*why = xasprintf("no matches for kind \"%s\" in group \"%.*s\"", ref->kind,
				 slash ? (int)(slash - version) : 0, version);
		return -1;
	}
	const struct object *obj = client_get(c->client, targets[i].id, hpa->obj.meta.namespace,
					      ref->name);
	if (!obj) {
		*why = xasprintf("%s \"%s\" not found", targets[i].resource, ref->name);
		return -1;
	}
	out->kind = targets[i].id;
	out->obj = obj;
	if (out->kind == KIND_DEPLOYMENT) {
		const struct deployment *d = (const void *)obj;
		*out = (struct scale){ out->kind, obj, d->spec.replicas, d->status.replicas,
				       &d->spec.selector };
	} else if (out->kind == KIND_REPLICASET) {
		const struct replica_set *rs = (const void *)obj;
		*out = (struct scale){ out->kind, obj, rs->spec.replicas, rs->status.replicas,
				       &rs->spec.selector };
	} else {
		const struct stateful_set *ss = (const void *)obj;
		*out = (struct scale){ out->kind, obj, ss->spec.replicas, ss->status.replicas,
				       &ss->spec.selector };
	}
	return 0;
}

/* ---- metrics ---------------------------------------------------------------- */

/* The target's pods with their samples (K8S: the metrics client's list by
 * selector, joined with the pod lister's). Returns the number of pods
 * with a sample. */
static size_t collect(struct hpa_controller *c, const struct object_list *pods,
		      const char *resource, const char *custom, struct hpa_pod_metric *out)
{
	const struct metrics_source *m = c->client->metrics;
	size_t found = 0;
	for (size_t i = 0; i < pods->len; i++) {
		out[i] = (struct hpa_pod_metric){ .pod = (const struct pod *)pods->items[i] };
		if (!m)
			continue;
		out[i].found = resource ? m->pod_resource(m->arg, out[i].pod, resource,
							  &out[i].sample)
					: m->pod_custom(m->arg, out[i].pod, custom, &out[i].sample);
		found += out[i].found;
	}
	return found;
}

/* The outcome of one metric. */
struct metric_result {
	int32_t replicas;
	char *name;			/* "cpu resource utilization (percentage of request)" */
	char *error;			/* NULL on success */
	const char *reason;		/* FailedGetResourceMetric ... */
	char *event;			/* the Warning event's message */
};

/* K8S: computeReplicasForMetric and computeStatusFor{Resource,Pods}Metric. */
static void compute_metric(struct hpa_controller *c, const struct hpa_metric_spec *spec,
			   int32_t current, const struct object_list *pods,
			   struct hpa_metric_status *status, struct metric_result *r)
{
	struct hpa_calc calc = {
		.tolerance = HPA_TOLERANCE,
		.cpu_initialization_period = HPA_CPU_INITIALIZATION_PERIOD,
		.initial_readiness_delay = HPA_INITIAL_READINESS_DELAY,
		.now = client_now(c->client),
	};
	struct hpa_pod_metric *samples = xcalloc(pods->len ? pods->len : 1, sizeof(*samples));
	struct hpa_proposal p = { 0 };
	char *why = NULL;
	bool resource = !strcmp(spec->type, HPA_METRIC_RESOURCE);
	if (resource) {
		const char *name = spec->resource.name;
		const struct hpa_metric_target *t = &spec->resource.target;
		bool by_value = quantity_milli_value(&t->average_value) != 0;
		int rc = -1;
		if (!collect(c, pods, name, NULL, samples))
			why = xasprintf("unable to get metrics for resource %s: no metrics "
					"returned from resource metrics API", name);
		else if (by_value)
			rc = hpa_calc_average_value(&calc, current,
						    quantity_milli_value(&t->average_value),
						    name, samples, pods->len, &p, &why);
		else if (t->average_utilization > 0)
			rc = hpa_calc_resource_utilization(&calc, current, t->average_utilization,
							   name, samples, pods->len, &p, &why);
		else
			why = xstrdup("invalid resource metric source: neither an average "
				      "utilization target nor an average value (usage) target "
				      "was set");
		if (rc) {
			r->reason = "FailedGetResourceMetric";
			r->event = xasprintf("failed to get %s %s: %s", name,
					     by_value ? "usage" : "utilization", why);
			r->error = xasprintf("failed to get %s resource metric value: %s", name,
					     r->event);
		} else {
			r->name = by_value ? xasprintf("%s resource", name)
					   : xasprintf("%s resource utilization (percentage of "
						       "request)", name);
			status->type = xstrdup(HPA_METRIC_RESOURCE);
			status->resource.name = xstrdup(name);
			if (!by_value)
				status->resource.current.average_utilization =
					(struct opt_int64){ true, p.utilization };
			status->resource.current.average_value =
				quantity_from_milli(p.raw, QUANTITY_DECIMAL_SI);
		}
	} else {
		const char *name = spec->pods.metric.name;
		int rc = -1;
		if (!collect(c, pods, NULL, name, samples))
			why = xasprintf("unable to get metric %s: no metrics returned from "
					"custom metrics API", name);
		else
			rc = hpa_calc_average_value(&calc, current,
						    quantity_milli_value(&spec->pods.target.average_value),
						    NULL, samples, pods->len, &p, &why);
		if (rc) {
			r->reason = "FailedGetPodsMetric";
			r->event = xstrdup(why);
			r->error = xasprintf("failed to get pods metric value: %s", why);
		} else {
			r->name = xasprintf("pods metric %s", name);
			status->type = xstrdup(HPA_METRIC_PODS);
			status->pods.metric.name = xstrdup(name);
			status->pods.current.average_value =
				quantity_from_milli(p.raw, QUANTITY_DECIMAL_SI);
		}
	}
	r->replicas = p.replicas;
	free(why);
	free(samples);
}

/* K8S: computeReplicasForMetrics. Returns the proposal (and its metric's
 * name in *metric), or -1 when no metric gave one or some failed and the
 * others would scale down (*error then says why). */
static int32_t compute_all(struct hpa_controller *c, const struct horizontal_pod_autoscaler *hpa,
			   const struct scale *scale, struct hpa_status *st, char **metric,
			   char **error)
{
	const struct client *client = c->client;
	size_t n = hpa->spec.metrics.len;
	struct selector selector;
	if (label_selector_compile(scale->selector, &selector, NULL)) {
		*error = xstrdup("couldn't convert selector into a corresponding internal "
				 "selector object");
		client_event(client, &hpa->obj, "Warning", "InvalidSelector", "%s", *error);
		set_condition(c, st, "ScalingActive", false, "InvalidSelector",
			      "the HPA target's scale has an invalid selector: %s", *error);
		return -1;
	}
	struct object_list pods = { 0 };
	store_list(client->store, KIND_POD, hpa->obj.meta.namespace, &selector, &pods);
	selector_release(&selector);

	/* Statuses are rebuilt each time, one per metric (upstream leaves an
	 * empty entry for a metric that failed; kubelab leaves it out). */
	schema_release_field(schema_field(horizontal_pod_autoscaler_kind.status_schema,
					  "currentMetrics"), st);
	st->current_metrics.items = xcalloc(n ? n : 1, sizeof(*st->current_metrics.items));
	int32_t replicas = 0;
	size_t invalid = 0;
	struct metric_result first_bad = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct metric_result r = { 0 };
		struct hpa_metric_status *status = &st->current_metrics.items[st->current_metrics.len];
		compute_metric(c, &hpa->spec.metrics.items[i], scale->spec_replicas, &pods,
			       status, &r);
		if (r.error) {
			client_event(client, &hpa->obj, "Warning", r.reason, "%s", r.event);
			if (!invalid++)
				first_bad = r;
			else {
				free(r.error);
				free(r.event);
			}
			continue;
		}
		st->current_metrics.len++;
		if (replicas == 0 || r.replicas > replicas) {
			replicas = r.replicas;
			free(*metric);
			*metric = r.name;
		} else {
			free(r.name);
		}
	}
	object_list_release(&pods);
	if (invalid)
		*error = xasprintf("invalid metrics (%zu invalid out of %zu), first error is: %s",
				   invalid, n, first_bad.error);
	if (invalid >= n || (invalid && replicas < scale->spec_replicas)) {
		/* K8S: getUnableComputeReplicaCountCondition of the first. */
		set_condition(c, st, "ScalingActive", false, first_bad.reason,
			      "the HPA was unable to compute the replica count: %s",
			      first_bad.event);
		replicas = -1;
	} else {
		set_condition(c, st, "ScalingActive", true, "ValidMetricFound",
			      "the HPA was able to successfully calculate a replica count "
			      "from %s", *metric);
	}
	free(first_bad.error);
	free(first_bad.event);
	return replicas;
}

/* ---- the reconcile ----------------------------------------------------------- */

static struct hpa_history *history_of(struct hpa_controller *c, const char *key)
{
	struct hpa_history *h = hashmap_get(&c->histories, key);
	if (!h) {
		h = xcalloc(1, sizeof(*h));
		hashmap_put(&c->histories, key, h);
	}
	return h;
}

/* The desired size within the bounds and limits; fills the conditions. */
static int32_t normalize(struct hpa_controller *c, const struct horizontal_pod_autoscaler *hpa,
			 struct hpa_history *h, struct hpa_status *st, int32_t current,
			 int32_t desired, int32_t min)
{
	struct hpa_normalized n;
	ktime_t now = client_now(c->client);
	if (!hpa_behavior_is_set(&hpa->spec.behavior)) {
		hpa_normalize_legacy(h, now, HPA_DOWNSCALE_STABILIZATION, current, desired, min,
				     hpa->spec.max_replicas, &n);
	} else {
		/* K8S: maybeInitScaleDownStabilizationWindow. */
		struct hpa_behavior b = hpa->spec.behavior;
		if (!b.scale_down.stabilization_window_seconds.is_set)
			b.scale_down.stabilization_window_seconds =
				(struct opt_int64){ true, HPA_DOWNSCALE_STABILIZATION / KTIME_SECOND };
		hpa_normalize_behavior(h, now, &b, current, desired, min,
				       hpa->spec.max_replicas, &n);
	}
	set_condition(c, st, "AbleToScale", true, n.able_reason, "%s", n.able_message);
	set_condition(c, st, "ScalingLimited", n.limited, n.limited_reason, "%s",
		      n.limited_message);
	return n.replicas;
}

/* K8S: reconcileAutoscaler. */
static void reconcile(struct hpa_controller *c, const struct horizontal_pod_autoscaler *hpa,
		      const char *key)
{
	const struct client *client = c->client;
	const struct schema *schema = horizontal_pod_autoscaler_kind.status_schema;
	struct hpa_status st;
	schema_copy(schema, &st, &hpa->status);
	char *why = NULL, *metric = NULL, *error = NULL, *reason = NULL;
	struct scale scale;
	if (get_scale(c, hpa, &scale, &why)) {
		client_event(client, &hpa->obj, "Warning", "FailedGetScale", "%s", why);
		set_condition(c, &st, "AbleToScale", false, "FailedGetScale",
			      "the HPA controller was unable to get the target's current "
			      "scale: %s", why);
		goto write;
	}
	set_condition(c, &st, "AbleToScale", true, "SucceededGetScale",
		      "the HPA controller was able to get the target's current scale");
	int32_t current = scale.spec_replicas, desired = 0;
	int32_t min = hpa->spec.min_replicas, max = hpa->spec.max_replicas;
	struct hpa_history *h = history_of(c, key);
	hpa_history_init(h, current, client_now(client));
	bool rescale = true;
	if (current == 0 && min != 0) {
		rescale = false;
		set_condition(c, &st, "ScalingActive", false, "ScalingDisabled",
			      "scaling is disabled since the replica count of the target "
			      "is zero");
	} else if (current > max) {
		reason = xstrdup("Current number of replicas above Spec.MaxReplicas");
		desired = max;
	} else if (current < min) {
		reason = xstrdup("Current number of replicas below Spec.MinReplicas");
		desired = min;
	} else {
		int32_t proposal = compute_all(c, hpa, &scale, &st, &metric, &error);
		if (proposal < 0) {
			st.current_replicas = current;
			/* compute_all sets error whenever it fails; a
			 * negative proposal with none would be a bug in a
			 * calculator, so say so rather than print "(null)". */
			client_event(client, &hpa->obj, "Warning", "FailedComputeMetricsReplicas",
				     "%s", error ? error : "invalid metrics: no replica proposal");
			goto write;
		}
		/* LAB: hpa-rescale-reason. The reason names the metric that
		 * asked for the most pods. */
		desired = proposal;
		if (desired > current)
			reason = xasprintf("%s above target", metric);
		else if (desired < current)
			reason = xstrdup("All metrics below target");
		desired = normalize(c, hpa, h, &st, current, desired, min);
		rescale = desired != current;
	}
	if (rescale) {
		char value[16];
		snprintf(value, sizeof(value), "%d", desired);
		struct api_status result;
		if (client_patch_field(client, scale.kind, hpa->obj.meta.namespace,
				       hpa->spec.scale_target_ref.name, "spec.replicas", value,
				       &result) != API_OK) {
			client_event(client, &hpa->obj, "Warning", "FailedRescale",
				     "New size: %d; reason: %s; error: %s", desired,
				     reason ? reason : "", result.message);
			set_condition(c, &st, "AbleToScale", false, "FailedUpdateScale",
				      "the HPA controller was unable to update the target "
				      "scale: %s", result.message);
			st.current_replicas = current;
			goto write;
		}
		set_condition(c, &st, "AbleToScale", true, "SucceededRescale",
			      "the HPA controller was able to update the target scale to %d",
			      desired);
		client_event(client, &hpa->obj, "Normal", "SuccessfulRescale",
			     "New size: %d; reason: %s", desired, reason ? reason : "");
		hpa_record_scale(h, hpa_behavior_is_set(&hpa->spec.behavior) ?
			&hpa->spec.behavior : NULL, client_now(client), current, desired);
		st.last_scale_time = client_now(client);
	} else {
		desired = current;
	}
	/* K8S: setStatus. */
	st.current_replicas = current;
	st.desired_replicas = desired;
write:
	/* K8S: updateStatusIfNeeded (a failure waits for the next period). */
	ctrl_update_status(client, &hpa->obj, &st, 0);
	schema_release(schema, &st);
	free(why);
	free(metric);
	free(error);
	free(reason);
}

static int sync_hpa(void *arg, const char *key)
{
	struct hpa_controller *c = arg;
	hashmap_remove(&c->scheduled, key);
	char *namespace, *name;
	ctrl_split_key(key, &namespace, &name);
	const struct object *obj = informer_get(c->hpas, namespace, name);
	if (obj) {
		reconcile(c, as_hpa(obj), key);
		schedule(c, key);	/* K8S: AddRateLimited after every sync */
	}
	free(namespace);
	free(name);
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static void *hpa_start(const struct client *client)
{
	struct hpa_controller *c = xcalloc(1, sizeof(*c));
	c->client = client;
	c->queue = workqueue_new(&client->clock, "horizontalpodautoscaler", sync_hpa, c);
	c->hpas = informer_new(client, KIND_HORIZONTALPODAUTOSCALER, NULL, on_hpa, c);
	return c;
}

static void hpa_stop(void *state)
{
	struct hpa_controller *c = state;
	informer_free(c->hpas);
	workqueue_free(c->queue);
	size_t pos = 0;
	const char *key;
	void *value;
	while (hashmap_next(&c->histories, &pos, &key, &value)) {
		hpa_history_release(value);
		free(value);
	}
	hashmap_release(&c->histories);
	hashmap_release(&c->scheduled);
	free(c);
}

const struct controller_ops horizontal_pod_autoscaler_controller = {
	.name = "horizontal-pod-autoscaler",
	.start = hpa_start,
	.stop = hpa_stop,
};
