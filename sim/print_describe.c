/* print_describe.c - `kubectl describe` for pods, and the pieces every
 * describer shares.
 *
 * K8S: staging/src/k8s.io/kubectl/pkg/describe/describe.go (describePod,
 * describeNode, describeNodeResource, describeContainers, describeStatus,
 * describeVolumes, DescribePodTemplate, printLabelsMultiline, ...).
 *
 * describe is where a student goes to ask "why": why is my pod Pending
 * (Events: FailedScheduling), why did it restart (Last State: Terminated,
 * Reason: OOMKilled), what is this node running (Non-terminated Pods,
 * Allocated resources). kubelab prints the same sections with the same
 * words. Like upstream, every line is "Label:\tvalue" text fed through one
 * tabwriter (minwidth 0, padding 2), so the values of consecutive lines
 * line up and a line without a tab ("Containers:") starts a new block.
 * Indentation is two spaces per level (tabwriter_put).
 *
 * Times print as Go's RFC 1123 with numeric zone, always in UTC; ages as
 * in `get`, from options->now.
 *
 * Interface: print_describe (print.h). Nodes are in print_describe_node.c;
 * Deployments, ReplicaSets and the generic describer for the other kinds
 * in print_describe_workloads.c; StatefulSets, DaemonSets, Jobs and
 * CronJobs in print_describe_apps.c; Services, Endpoints and
 * EndpointSlices in print_describe_service.c; PersistentVolumeClaims,
 * PersistentVolumes and StorageClasses in print_describe_storage.c;
 * HorizontalPodAutoscalers, PodDisruptionBudgets and PriorityClasses in
 * print_describe_policy.c.
 */
#include "print_internal.h"
#include "admission.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared pieces ------------------------------------------------------- */

void describe_labels(struct tabwriter *tw, const char *title,
		     const struct strmap *labels)
{
	tabwriter_printf(tw, "%s:\t", title);
	if (!labels->len) {
		tabwriter_printf(tw, "<none>\n");
		return;
	}
	for (size_t i = 0; i < labels->len; i++)	/* sorted by key */
		tabwriter_printf(tw, "%s%s=%s\n", i ? "\t" : "",
				 labels->items[i].key, labels->items[i].value);
}

/* K8S: printAnnotationsMultiline: long (over 140) or multi-line values go
 * on their own lines, each cut at 138 characters; kubectl's own
 * last-applied-configuration is never shown. */
void describe_annotations(struct tabwriter *tw, const char *title,
			  const struct strmap *annotations)
{
	static const char skipped[] = "kubectl.kubernetes.io/last-applied-configuration";
	tabwriter_printf(tw, "%s:\t", title);
	bool any = false;
	for (size_t i = 0; i < annotations->len; i++) {
		const char *key = annotations->items[i].key;
		const char *value = annotations->items[i].value ? annotations->items[i].value : "";
		if (!strcmp(key, skipped))
			continue;
		if (any)
			tabwriter_printf(tw, "\t");
		any = true;
		size_t len = strlen(value);
		if (len && value[len - 1] == '\n')
			len--;
		if (len + strlen(key) + 2 <= 140 && !memchr(value, '\n', len)) {
			tabwriter_printf(tw, "%s: %.*s\n", key, (int)len, value);
			continue;
		}
		tabwriter_printf(tw, "%s:\n", key);
		for (const char *p = value; p <= value + len;) {
			size_t n = strcspn(p, "\n");
			if (p + n > value + len)
				n = (size_t)(value + len - p);
			if (n > 138)
				tabwriter_printf(tw, "\t  %.*s...\n", 138, p);
			else
				tabwriter_printf(tw, "\t  %.*s\n", (int)n, p);
			p += n + 1;
		}
	}
	if (!any)
		tabwriter_printf(tw, "<none>\n");
}

char *describe_controlled_by(const struct object *obj)
{
	const struct owner_reference *ref = object_controller_of(obj);
	return ref ? xasprintf("%s/%s", ref->kind, ref->name) : NULL;
}

static const char *str(const char *s)
{
	return s ? s : "";
}

/* K8S: printTolerationsMultilineWithIndent, sorted by key. */
static void describe_tolerations(struct tabwriter *tw, const char *title,
				 const struct pod_spec *spec)
{
	tabwriter_printf(tw, "%s:\t", title);
	size_t n = spec->tolerations.len;
	if (!n) {
		tabwriter_printf(tw, "<none>\n");
		return;
	}
	const struct toleration **sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {	/* insertion sort: stable */
		const struct toleration *t = &spec->tolerations.items[i];
		size_t at = i;
		while (at && strcmp(str(sorted[at - 1]->key), str(t->key)) > 0) {
			sorted[at] = sorted[at - 1];
			at--;
		}
		sorted[at] = t;
	}
	for (size_t i = 0; i < n; i++) {
		const struct toleration *t = sorted[i];
		tabwriter_printf(tw, "%s%s", i ? "\t" : "", str(t->key));
		if (t->value && *t->value)
			tabwriter_printf(tw, "=%s", t->value);
		if (t->effect && *t->effect)
			tabwriter_printf(tw, ":%s", t->effect);
		/* operator Exists with no key and no effect tolerates all */
		if (t->operator && !strcmp(t->operator, "Exists") && !(t->value && *t->value))
			tabwriter_printf(tw, "%sop=Exists",
					 (t->key && *t->key) || (t->effect && *t->effect) ? " " : "");
		if (t->toleration_seconds.is_set)
			tabwriter_printf(tw, " for %llds", (long long)t->toleration_seconds.value);
		tabwriter_printf(tw, "\n");
	}
	free(sorted);
}

/* ---- containers ---------------------------------------------------------- */

static const struct container_status *find_status(const void *statuses_list,
						  const char *name)
{
	const LIST_OF(struct container_status) *statuses = statuses_list;
	for (size_t i = 0; statuses && i < statuses->len; i++)
		if (statuses->items[i].name && name && !strcmp(statuses->items[i].name, name))
			return &statuses->items[i];
	return NULL;
}

/* K8S: describeContainerPorts / describeContainerHostPorts. */
static void describe_ports(struct tabwriter *tw, const struct container *c, bool host)
{
	char *text = xstrdup("");
	for (size_t i = 0; i < c->ports.len; i++) {
		const struct container_port *p = &c->ports.items[i];
		char *next = xasprintf("%s%s%d/%s%s%s%s", text, i ? ", " : "",
				       host ? p->host_port : p->container_port,
				       str(p->protocol), p->name ? " (" : "",
				       str(p->name), p->name ? ")" : "");
		free(text);
		text = next;
	}
	const char *label = host ? (strchr(text, ',') ? "Host Ports" : "Host Port")
				 : (strchr(text, ',') ? "Ports" : "Port");
	tabwriter_put(tw, 2, "%s:\t%s\n", label, print_or_none(text));
	free(text);
}

static void describe_state(struct tabwriter *tw, const char *name,
			   const struct container_state *state)
{
	char t1[PRINT_TIME_MAX], t2[PRINT_TIME_MAX];
	if (container_state_running(state)) {
		print_time_rfc1123(state->running.started_at, t1, sizeof(t1));
		tabwriter_put(tw, 2, "%s:\tRunning\n", name);
		tabwriter_put(tw, 3, "Started:\t%s\n", t1);
	} else if (container_state_waiting(state)) {
		tabwriter_put(tw, 2, "%s:\tWaiting\n", name);
		if (state->waiting.reason && *state->waiting.reason)
			tabwriter_put(tw, 3, "Reason:\t%s\n", state->waiting.reason);
	} else if (container_state_terminated(state)) {
		const struct container_state_terminated *t = &state->terminated;
		tabwriter_put(tw, 2, "%s:\tTerminated\n", name);
		if (t->reason && *t->reason)
			tabwriter_put(tw, 3, "Reason:\t%s\n", t->reason);
		if (t->message && *t->message)
			tabwriter_put(tw, 3, "Message:\t%s\n", t->message);
		tabwriter_put(tw, 3, "Exit Code:\t%d\n", t->exit_code);
		if (t->signal > 0)
			tabwriter_put(tw, 3, "Signal:\t%d\n", t->signal);
		print_time_rfc1123(t->started_at, t1, sizeof(t1));
		print_time_rfc1123(t->finished_at, t2, sizeof(t2));
		tabwriter_put(tw, 3, "Started:\t%s\n", t1);
		tabwriter_put(tw, 3, "Finished:\t%s\n", t2);
	} else {
		tabwriter_put(tw, 2, "%s:\tWaiting\n", name);
	}
}

static void describe_resource_list(struct tabwriter *tw, int level, const char *title,
				   const struct resource_list *list)
{
	if (list->len)
		tabwriter_put(tw, level, "%s:\n", title);
	for (size_t i = 0; i < list->len; i++) {	/* sorted by name */
		char q[QUANTITY_STR_MAX];
		quantity_format(&list->items[i].quantity, q, sizeof(q));
		tabwriter_put(tw, level + 1, "%s:\t%s\n", list->items[i].name, q);
	}
}

static bool probe_is_set(const struct probe *p)
{
	return p->exec.command.len || p->http_get.port.is_set || p->tcp_socket.port.is_set;
}

/* K8S: DescribeProbe: "http-get http://:8080/healthz delay=0s timeout=1s
 * period=10s #success=1 #failure=3". */
static void describe_probe(struct tabwriter *tw, const char *title, const struct probe *p)
{
	if (!probe_is_set(p))
		return;
	tabwriter_put(tw, 2, "%s:\t", title);
	if (p->exec.command.len) {
		tabwriter_printf(tw, "exec [");
		for (size_t i = 0; i < p->exec.command.len; i++)
			tabwriter_printf(tw, "%s%s", i ? " " : "", str(p->exec.command.items[i]));
		tabwriter_printf(tw, "]");
	} else if (p->http_get.port.is_set) {
		char *port = print_int_or_string(&p->http_get.port);
		char *scheme = xstrdup(p->http_get.scheme ? p->http_get.scheme : "HTTP");
		for (char *c = scheme; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		tabwriter_printf(tw, "http-get %s://:%s%s", scheme, port, str(p->http_get.path));
		free(scheme);
		free(port);
	} else {
		char *port = print_int_or_string(&p->tcp_socket.port);
		tabwriter_printf(tw, "tcp-socket :%s", port);
		free(port);
	}
	tabwriter_printf(tw, " delay=%ds timeout=%ds period=%ds #success=%d #failure=%d\n",
			 p->initial_delay_seconds, p->timeout_seconds, p->period_seconds,
			 p->success_threshold, p->failure_threshold);
}

static void describe_env(struct tabwriter *tw, const struct container *c)
{
	tabwriter_put(tw, 2, "Environment:%s\n", c->env.len ? "" : "\t<none>");
	for (size_t i = 0; i < c->env.len; i++) {
		const struct env_var *e = &c->env.items[i];
		const char *value = str(e->value);
		bool first = true;
		for (const char *p = value;; first = false) {	/* one line each */
			size_t n = strcspn(p, "\n");
			if (first)
				tabwriter_put(tw, 3, "%s:\t%.*s\n", str(e->name), (int)n, p);
			else
				tabwriter_put(tw, 3, "\t%.*s\n", (int)n, p);
			if (!p[n])
				break;
			p += n + 1;
		}
	}
}

static void describe_mounts(struct tabwriter *tw, const struct container *c)
{
	size_t n = c->volume_mounts.len;
	tabwriter_put(tw, 2, "Mounts:%s\n", n ? "" : "\t<none>");
	const struct volume_mount **sorted = xcalloc(n + 1, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {	/* by mount path, stable */
		const struct volume_mount *m = &c->volume_mounts.items[i];
		size_t at = i;
		while (at && strcmp(str(sorted[at - 1]->mount_path), str(m->mount_path)) > 0) {
			sorted[at] = sorted[at - 1];
			at--;
		}
		sorted[at] = m;
	}
	for (size_t i = 0; i < n; i++)
		tabwriter_put(tw, 3, "%s from %s (%s)\n", str(sorted[i]->mount_path),
			      str(sorted[i]->name), sorted[i]->read_only ? "ro" : "rw");
	free(sorted);
}

/* K8S: describeContainers. statuses is a LIST_OF(struct container_status)
 * or NULL (a template); space is "" for a pod, "  " inside a template. */
static void describe_containers(struct tabwriter *tw, const char *label,
				const void *containers_list, const void *statuses,
				const char *space)
{
	const LIST_OF(struct container) *containers = containers_list;
	tabwriter_put(tw, 0, "%s%s:%s\n", space, label, containers->len ? "" : " <none>");
	for (size_t i = 0; i < containers->len; i++) {
		const struct container *c = &containers->items[i];
		const struct container_status *st = find_status(statuses, c->name);
		tabwriter_put(tw, 1, "%s%s:\n", *space ? " " : "", str(c->name));
		if (st)
			tabwriter_put(tw, 2, "Container ID:\t%s\n", str(st->container_id));
		tabwriter_put(tw, 2, "Image:\t%s\n", str(c->image));
		if (st)
			tabwriter_put(tw, 2, "Image ID:\t%s\n", str(st->image_id));
		describe_ports(tw, c, false);
		describe_ports(tw, c, true);
		const char *titles[] = { "Command", "Args" };
		const LIST_OF(char *) *lists[] = { (void *)&c->command, (void *)&c->args };
		for (int k = 0; k < 2; k++) {
			if (lists[k]->len)
				tabwriter_put(tw, 2, "%s:\n", titles[k]);
			for (size_t j = 0; j < lists[k]->len; j++)
				tabwriter_put(tw, 3, "%s\n", str(lists[k]->items[j]));
		}
		if (st) {
			describe_state(tw, "State", &st->state);
			if (container_state_terminated(&st->last_state))
				describe_state(tw, "Last State", &st->last_state);
			tabwriter_put(tw, 2, "Ready:\t%s\n", st->ready ? "True" : "False");
			tabwriter_put(tw, 2, "Restart Count:\t%d\n", st->restart_count);
		}
		describe_resource_list(tw, 2, "Limits", &c->resources.limits);
		describe_resource_list(tw, 2, "Requests", &c->resources.requests);
		describe_probe(tw, "Liveness", &c->liveness_probe);
		describe_probe(tw, "Readiness", &c->readiness_probe);
		describe_probe(tw, "Startup", &c->startup_probe);
		describe_env(tw, c);
		describe_mounts(tw, c);
	}
}

/* K8S: describeVolumes, for the sources kubelab models. */
static void describe_volumes(struct tabwriter *tw, const struct pod_spec *spec,
			     const char *space)
{
	if (!spec->volumes.len) {
		tabwriter_put(tw, 0, "%sVolumes:\t<none>\n", space);
		return;
	}
	tabwriter_put(tw, 0, "%sVolumes:\n", space);
	for (size_t i = 0; i < spec->volumes.len; i++) {
		const struct volume *v = &spec->volumes.items[i];
		tabwriter_put(tw, 1, "%s%s:\n", *space ? " " : "", str(v->name));
		if (v->host_path.path) {
			tabwriter_put(tw, 2, "Type:\tHostPath (bare host directory volume)\n"
				      "    Path:\t%s\n    HostPathType:\t%s\n",
				      v->host_path.path, str(v->host_path.type));
		} else if (v->config_map.name) {
			tabwriter_put(tw, 2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
				      "    Name:\t%s\n    Optional:\tfalse\n", v->config_map.name);
		} else if (v->persistent_volume_claim.claim_name) {
			tabwriter_put(tw, 2, "Type:\tPersistentVolumeClaim (a reference to a "
				      "PersistentVolumeClaim in the same namespace)\n"
				      "    ClaimName:\t%s\n    ReadOnly:\t%s\n",
				      v->persistent_volume_claim.claim_name,
				      v->persistent_volume_claim.read_only ? "true" : "false");
		} else {	/* emptyDir: {} is the source with no fields set */
			char limit[QUANTITY_STR_MAX] = "<unset>";
			if (v->empty_dir.size_limit.nanos > 0)
				quantity_format(&v->empty_dir.size_limit, limit, sizeof(limit));
			tabwriter_put(tw, 2, "Type:\tEmptyDir (a temporary directory that shares "
				      "a pod's lifetime)\n    Medium:\t%s\n    SizeLimit:\t%s\n",
				      str(v->empty_dir.medium), limit);
		}
	}
}

/* K8S: describeTopologySpreadConstraints, sorted by topologyKey. */
static void describe_spread(struct tabwriter *tw, const struct pod_spec *spec,
			    const char *space)
{
	size_t n = spec->topology_spread_constraints.len;
	if (!n)
		return;
	const struct topology_spread_constraint **sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		const struct topology_spread_constraint *c =
			&spec->topology_spread_constraints.items[i];
		size_t at = i;
		while (at && strcmp(str(sorted[at - 1]->topology_key), str(c->topology_key)) > 0) {
			sorted[at] = sorted[at - 1];
			at--;
		}
		sorted[at] = c;
	}
	tabwriter_put(tw, 0, "%sTopology Spread Constraints:\t", space);
	for (size_t i = 0; i < n; i++) {
		const struct topology_spread_constraint *c = sorted[i];
		tabwriter_printf(tw, "%s%s%s:%s when max skew %d is exceeded", i ? space : "",
				 i ? "\t" : "", str(c->topology_key), str(c->when_unsatisfiable),
				 c->max_skew);
		/* upstream: only a non-nil labelSelector is printed */
		if (c->label_selector.match_labels.len || c->label_selector.match_expressions.len) {
			char *selector = print_label_selector(&c->label_selector);
			tabwriter_printf(tw, " for selector %s", selector);
			free(selector);
		}
		tabwriter_printf(tw, "\n");
	}
	free(sorted);
}

void describe_pod_template(struct tabwriter *tw, const struct pod_template_spec *template)
{
	const struct pod_spec *spec = &template->spec;
	tabwriter_put(tw, 0, "Pod Template:\n");
	describe_labels(tw, "  Labels", &template->metadata.labels);
	if (template->metadata.annotations.len)
		describe_annotations(tw, "  Annotations", &template->metadata.annotations);
	if (spec->service_account_name && *spec->service_account_name)
		tabwriter_put(tw, 1, "Service Account:\t%s\n", spec->service_account_name);
	if (spec->init_containers.len)
		describe_containers(tw, "Init Containers", &spec->init_containers, NULL, "  ");
	describe_containers(tw, "Containers", &spec->containers, NULL, "  ");
	describe_volumes(tw, spec, "  ");
	describe_spread(tw, spec, "  ");
	if (spec->priority_class_name && *spec->priority_class_name)
		tabwriter_put(tw, 1, "Priority Class Name:\t%s\n", spec->priority_class_name);
	describe_labels(tw, "  Node-Selectors", &spec->node_selector);
	describe_tolerations(tw, "  Tolerations", spec);
}

/* ---- pods ---------------------------------------------------------------- */

static void describe_pod(struct tabwriter *tw, const struct store *store,
			 const struct pod *pod, ktime_t now)
{
	const struct object *obj = &pod->obj;
	const struct pod_spec *spec = &pod->spec;
	const struct pod_status *st = &pod->status;
	char when[PRINT_TIME_MAX];
	tabwriter_put(tw, 0, "Name:\t%s\n", str(obj->meta.name));
	tabwriter_put(tw, 0, "Namespace:\t%s\n", str(obj->meta.namespace));
	if (spec->priority.is_set)
		tabwriter_put(tw, 0, "Priority:\t%lld\n", (long long)spec->priority.value);
	if (spec->priority_class_name && *spec->priority_class_name)
		tabwriter_put(tw, 0, "Priority Class Name:\t%s\n", spec->priority_class_name);
	if (spec->service_account_name && *spec->service_account_name)
		tabwriter_put(tw, 0, "Service Account:\t%s\n", spec->service_account_name);
	if (spec->node_name && *spec->node_name)
		tabwriter_put(tw, 0, "Node:\t%s/%s\n", spec->node_name, str(st->host_ip));
	else
		tabwriter_put(tw, 0, "Node:\t<none>\n");
	if (st->start_time) {
		print_time_rfc1123(st->start_time, when, sizeof(when));
		tabwriter_put(tw, 0, "Start Time:\t%s\n", when);
	}
	describe_labels(tw, "Labels", &obj->meta.labels);
	describe_annotations(tw, "Annotations", &obj->meta.annotations);
	const char *phase = str(st->phase);
	if (object_is_deleting(obj) && strcmp(phase, POD_PHASE_FAILED) &&
	    strcmp(phase, POD_PHASE_SUCCEEDED)) {
		/* deletionTimestamp is when the grace period ends, so its
		 * "age" is negative: upstream prints "lasts <invalid>" too. */
		print_age(now, obj->meta.deletion_timestamp, when, sizeof(when));
		tabwriter_put(tw, 0, "Status:\tTerminating (lasts %s)\n", when);
		tabwriter_put(tw, 0, "Termination Grace Period:\t%llds\n",
			      (long long)obj->meta.deletion_grace_period_seconds);
	} else {
		tabwriter_put(tw, 0, "Status:\t%s\n", phase);
	}
	if (st->reason && *st->reason)
		tabwriter_put(tw, 0, "Reason:\t%s\n", st->reason);
	if (st->message && *st->message)
		tabwriter_put(tw, 0, "Message:\t%s\n", st->message);
	tabwriter_put(tw, 0, "IP:\t%s\n", str(st->pod_ip));
	/* kubelab keeps one pod IP; upstream lists status.podIPs. */
	if (st->pod_ip && *st->pod_ip)
		tabwriter_put(tw, 0, "IPs:\n  IP:\t%s\n", st->pod_ip);
	else
		tabwriter_put(tw, 0, "IPs:\t<none>\n");
	char *controller = describe_controlled_by(obj);
	if (controller)
		tabwriter_put(tw, 0, "Controlled By:\t%s\n", controller);
	free(controller);
	if (st->nominated_node_name && *st->nominated_node_name)
		tabwriter_put(tw, 0, "NominatedNodeName:\t%s\n", st->nominated_node_name);
	if (spec->init_containers.len)
		describe_containers(tw, "Init Containers", &spec->init_containers,
				    &st->init_container_statuses, "");
	describe_containers(tw, "Containers", &spec->containers, &st->container_statuses, "");
	if (st->conditions.len) {
		tabwriter_put(tw, 0, "Conditions:\n  Type\tStatus\n");
		for (size_t i = 0; i < st->conditions.len; i++)
			tabwriter_put(tw, 1, "%s \t%s \n", str(st->conditions.items[i].type),
				      str(st->conditions.items[i].status));
	}
	describe_volumes(tw, spec, "");
	tabwriter_put(tw, 0, "QoS Class:\t%s\n",
		      st->qos_class ? st->qos_class : admission_pod_qos(spec));
	describe_labels(tw, "Node-Selectors", &spec->node_selector);
	describe_tolerations(tw, "Tolerations", spec);
	describe_spread(tw, spec, "");
	print_describe_events(tw, store, obj, now);
}

/* ---- entry --------------------------------------------------------------- */

void print_describe(FILE *out, const struct store *store, const struct object *obj,
		    const struct print_options *options)
{
	struct tabwriter tw;
	tabwriter_init(&tw, out, 0, 2, false);
	switch (obj->kind->id) {
	case KIND_POD:
		describe_pod(&tw, store, object_as(obj, KIND_POD, struct pod), options->now);
		break;
	case KIND_NODE:
		describe_node(&tw, store, object_as(obj, KIND_NODE, struct node), options->now);
		break;
	case KIND_DEPLOYMENT:
		describe_deployment(&tw, store, object_as(obj, KIND_DEPLOYMENT, struct deployment),
				    options->now);
		break;
	case KIND_REPLICASET:
		describe_replica_set(&tw, store, object_as(obj, KIND_REPLICASET, struct replica_set),
				     options->now);
		break;
	case KIND_STATEFULSET:
		describe_stateful_set(&tw, store, object_as(obj, KIND_STATEFULSET, struct stateful_set),
				      options->now);
		break;
	case KIND_DAEMONSET:
		describe_daemon_set(&tw, store, object_as(obj, KIND_DAEMONSET, struct daemon_set),
				    options->now);
		break;
	case KIND_JOB:
		describe_job(&tw, store, object_as(obj, KIND_JOB, struct job), options->now);
		break;
	case KIND_CRONJOB:
		describe_cron_job(&tw, store, object_as(obj, KIND_CRONJOB, struct cron_job),
				  options->now);
		break;
	case KIND_SERVICE:
		describe_service(&tw, store, object_as(obj, KIND_SERVICE, struct service),
				 options->now);
		break;
	case KIND_ENDPOINTS:
		describe_endpoints(&tw, store, object_as(obj, KIND_ENDPOINTS, struct endpoints),
				   options->now);
		break;
	case KIND_ENDPOINTSLICE:
		describe_endpoint_slice(&tw, store,
					object_as(obj, KIND_ENDPOINTSLICE, struct endpoint_slice),
					options->now);
		break;
	case KIND_PERSISTENTVOLUMECLAIM:
		describe_pvc(&tw, store, object_as(obj, KIND_PERSISTENTVOLUMECLAIM,
						   struct persistent_volume_claim), options->now);
		break;
	case KIND_PERSISTENTVOLUME:
		describe_pv(&tw, store, object_as(obj, KIND_PERSISTENTVOLUME,
						  struct persistent_volume), options->now);
		break;
	case KIND_STORAGECLASS:
		describe_storage_class(&tw, store, object_as(obj, KIND_STORAGECLASS,
							     struct storage_class), options->now);
		break;
	case KIND_HORIZONTALPODAUTOSCALER:
		describe_hpa(&tw, store, object_as(obj, KIND_HORIZONTALPODAUTOSCALER,
						   struct horizontal_pod_autoscaler), options->now);
		break;
	case KIND_PODDISRUPTIONBUDGET:
		describe_pdb(&tw, store, object_as(obj, KIND_PODDISRUPTIONBUDGET,
						   struct pod_disruption_budget), options->now);
		break;
	case KIND_PRIORITYCLASS:
		describe_priority_class(&tw, store, object_as(obj, KIND_PRIORITYCLASS,
							      struct priority_class), options->now);
		break;
	default:
		describe_generic(&tw, store, obj, options->now);
		break;
	}
	tabwriter_release(&tw);
}
