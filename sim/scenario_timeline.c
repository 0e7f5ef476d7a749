/* scenario_timeline.c - a scenario's timeline, checked.
 *
 * The timeline is what an instructor would type into kubectl during a
 * demo, written down with the time to type it: `kubectl apply -f`,
 * `kubectl patch` (set:), `kubectl scale`, `kubectl delete`, `kubectl
 * cordon`, `kubectl drain`, `kubectl rollout undo` (rollback:), a pod's
 * Eviction (evict:), `kubectl taint` and `kubectl label` on nodes
 * (scenario_nodes.c), plus what no kubectl can cause: a node going down,
 * nodes joining (addNodes:). The expectations, what the class should
 * then see, are in scenario_expect.c.
 * K8S: kubectl's object names (KIND/NAME, k8s.io/cli-runtime resource
 * builder), `kubectl scale` (only kinds with a scale subresource: spec
 * .replicas), `kubectl cordon` (spec.unschedulable), `kubectl rollout
 * undo` (kubelab rolls back Deployments only; see sim/rollout.c).
 *
 * Everything a run could trip over later is checked here, at load time,
 * with the position of the offending node: a set: path is resolved
 * against the kind's schema and its value parsed as the field's type, a
 * fault names a node that a pool makes, a file named by apply: is read and
 * every manifest in it decoded.
 *
 * Field paths are checked on the schema alone (loader_path_check in
 * scenario_read.c), since at load time there is no object to resolve
 * them on.
 *
 * See also: scenario.c (the rest of the loader), scenario_read.c (the
 * readers), scenario_nodes.c (node administration), scenario_expect.c,
 * docs/scenario-reference.md (the user's view).
 */
#include "scenario_load.h"

#include "api.h"
#include "decode.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* ---- timeline entries --------------------------------------------------- */

/* The namespace an object action works in: kubectl's -n, else default;
 * cluster-scoped kinds have none (kubectl ignores -n for them). */
static char *action_namespace(const struct entry *e, const struct kind_info *kind)
{
	if (!kind->namespaced)
		return NULL;
	return xstrdup(e->namespace ? e->namespace : "default");
}

/* apply: FILE. Read now, relative to the scenario, so that its problems
 * are reported before anything runs. A file that cannot be read is
 * reported at the apply: node, since it has no position of its own. */
static void apply_file(struct loader *l, const struct ynode *node,
		       const char *path, struct action *action)
{
	const char *name = loader_string(l, node, path);
	if (!name)
		return;
	char *full = name[0] == '/' || !strcmp(l->dir, ".") ? xstrdup(name) :
		     xasprintf("%s/%s", l->dir, name);
	struct diag_list local = { 0 };
	struct yfile *file = yfile_load(full, &local);
	for (size_t i = 0; i < local.len; i++) {
		const struct diag *d = &local.items[i];
		if (d->line)
			diag_add(l->diags, d->file, d->line, d->column, "%s", d->msg);
		else
			loader_problem(l, node, "%s: %s", path, d->msg);
	}
	diag_release(&local);
	if (file && !file->len)
		loader_problem(l, node, "%s: no manifests in '%s'", path, name);
	for (size_t i = 0; file && i < file->len; i++) {
		struct object *obj = decode_object(full, file->docs[i].root, l->diags);
		if (obj)
			LIST_PUSH(action->objects, obj);
	}
	yfile_free(file);
	free(full);
}

/* apply: a file name, an inline manifest, or a list of either. */
static void load_apply(struct loader *l, const struct entry *e,
		       const struct ynode *node)
{
	struct action action = entry_action(e, ACTION_APPLY);
	char *path = xasprintf("%s.apply", e->path);
	const struct ynode *const *items = (const struct ynode *const *)&node;
	size_t len = 1;
	if (node->kind == YNODE_SEQ) {
		items = (const struct ynode *const *)node->items;
		len = node->len;
		if (!len)
			loader_problem(l, node, "%s: nothing to apply", path);
	}
	for (size_t i = 0; i < len; i++) {
		char *ipath = node->kind == YNODE_SEQ ? xasprintf("%s[%zu]", path, i)
						      : xstrdup(path);
		if (items[i]->kind == YNODE_MAP) {
			struct object *obj = decode_object(l->file, items[i], l->diags);
			if (obj)
				LIST_PUSH(action.objects, obj);
		} else {
			apply_file(l, items[i], ipath, &action);
		}
		free(ipath);
	}
	LIST_PUSH(l->scenario->timeline, action);
	free(path);
}

/* set: {KIND/NAME: {PATH: VALUE, ...}, ...}: one ACTION_SET per field. */
static void load_set(struct loader *l, const struct entry *e,
		     const struct ynode *node)
{
	char *path = xasprintf("%s.set", e->path);
	if (loader_want(l, node, YNODE_MAP, path) && !node->len)
		loader_problem(l, node, "%s: nothing to set", path);
	for (size_t i = 0; node->kind == YNODE_MAP && i < node->len; i++) {
		const struct ynode *ref = node->pairs[i].key;
		const struct ynode *fields = node->pairs[i].value;
		char *name = NULL;
		char *rpath = xasprintf("%s[%s]", path, ref->scalar);
		const struct kind_info *kind = loader_object_ref(l, ref, path, &name);
		if (loader_want(l, fields, YNODE_MAP, rpath) && !fields->len)
			loader_problem(l, fields, "%s: nothing to set (write "
				       "FIELD.PATH: VALUE)", rpath);
		for (size_t j = 0; fields->kind == YNODE_MAP && j < fields->len; j++) {
			const struct ynode *key = fields->pairs[j].key;
			const struct ynode *value = fields->pairs[j].value;
			struct path_leaf leaf;
			struct err *err = NULL;
			bool ok = kind != NULL;
			if (kind && loader_path_check(kind->schema, key->scalar, &leaf, &err)) {
				loader_problem(l, key, "%s: %s", rpath, err->msg);
				ok = false;
			} else if (value->kind != YNODE_SCALAR || ynode_is_null(value)) {
				loader_problem(l, value, "%s[%s]: expected a value such "
					       "as 3 or web:v2, got %s", rpath,
					       key->scalar, loader_got(l, value));
				ok = false;
			} else if (kind && loader_value_check(&leaf, value->scalar, &err)) {
				loader_problem(l, value, "%s[%s]: %s", rpath,
					       key->scalar, err->msg);
				ok = false;
			}
			err_free(err);
			if (!ok)
				continue;
			struct action action = entry_action(e, ACTION_SET);
			action.kind = kind->id;
			action.namespace = action_namespace(e, kind);
			action.name = xstrdup(name);
			action.path = xstrdup(key->scalar);
			action.value = xstrdup(value->scalar);
			LIST_PUSH(l->scenario->timeline, action);
		}
		free(rpath);
		free(name);
	}
	free(path);
}

/* scale: {KIND/NAME: REPLICAS, ...}. K8S: kubectl scale needs the scale
 * subresource, which the kinds with spec.replicas have. */
static void load_scale(struct loader *l, const struct entry *e,
		       const struct ynode *node)
{
	char *path = xasprintf("%s.scale", e->path);
	if (loader_want(l, node, YNODE_MAP, path) && !node->len)
		loader_problem(l, node, "%s: nothing to scale", path);
	for (size_t i = 0; node->kind == YNODE_MAP && i < node->len; i++) {
		const struct ynode *ref = node->pairs[i].key;
		const struct ynode *value = node->pairs[i].value;
		char *name = NULL;
		const struct kind_info *kind = loader_object_ref(l, ref, path, &name);
		int64_t replicas = -1;
		if (kind && !(kind->spec_schema &&
			      schema_field(kind->spec_schema, "replicas"))) {
			loader_problem(l, ref, "%s: cannot scale a %s: it has no "
				       "spec.replicas (deployments, replicasets and "
				       "statefulsets scale)", path, kind->kind);
			kind = NULL;
		}
		if (value->kind != YNODE_SCALAR || ynode_int64(value, &replicas) ||
		    replicas < 0 || replicas > INT32_MAX) {
			loader_problem(l, value, "%s[%s]: expected a number of "
				       "replicas (0 or more), got %s", path,
				       ref->scalar, loader_got(l, value));
			kind = NULL;
		}
		if (kind) {
			struct action action = entry_action(e, ACTION_SCALE);
			action.kind = kind->id;
			action.namespace = action_namespace(e, kind);
			action.name = name;
			action.replicas = (int32_t)replicas;
			name = NULL;
			LIST_PUSH(l->scenario->timeline, action);
		}
		free(name);
	}
	free(path);
}

/* delete: KIND/NAME, or a list of them. */
static void load_delete(struct loader *l, const struct entry *e,
			const struct ynode *node)
{
	char *path = xasprintf("%s.delete", e->path);
	const struct ynode *const *items = (const struct ynode *const *)&node;
	size_t len = 1;
	if (node->kind == YNODE_SEQ) {
		items = (const struct ynode *const *)node->items;
		len = node->len;
		if (!len)
			loader_problem(l, node, "%s: nothing to delete", path);
	}
	for (size_t i = 0; i < len; i++) {
		char *name = NULL;
		const struct kind_info *kind = loader_object_ref(l, items[i], path, &name);
		if (!kind)
			continue;
		struct action action = entry_action(e, ACTION_DELETE);
		action.force = e->force;
		action.kind = kind->id;
		action.namespace = action_namespace(e, kind);
		action.name = name;
		LIST_PUSH(l->scenario->timeline, action);
	}
	free(path);
}

/* fault: {nodeDown: NODE, for: DURATION} or {nodeUp: NODE}. */
static void load_fault(struct loader *l, const struct entry *e,
		       const struct ynode *node)
{
	static const char *const known[] = { "nodeDown", "nodeUp", "for", NULL };
	char *path = xasprintf("%s.fault", e->path);
	if (!loader_want(l, node, YNODE_MAP, path))
		goto out;
	loader_check_keys(l, node, path, known);
	const struct ynode *down = ynode_get(node, "nodeDown");
	const struct ynode *up = ynode_get(node, "nodeUp");
	const struct ynode *length = ynode_get(node, "for");
	if (!down == !up) {
		loader_problem(l, down && up ? up : node, "%s: expected one of "
			       "nodeDown or nodeUp", path);
		goto out;
	}
	struct action action = entry_action(e, down ? ACTION_NODE_DOWN : ACTION_NODE_UP);
	bool ok = true;
	if (length && up) {
		loader_problem(l, length, "%s.for: only a nodeDown fault lasts "
			       "for a time", path);
		ok = false;
	} else if (length) {
		char *fpath = xasprintf("%s.for", path);
		if (loader_duration(l, length, fpath, &action.duration))
			ok = false;
		else if (!action.duration) {
			loader_problem(l, length, "%s: must be more than 0s "
				       "(leave it out: down until the end)", fpath);
			ok = false;
		}
		free(fpath);
	}
	char *npath = xasprintf("%s.%s", path, down ? "nodeDown" : "nodeUp");
	const char *name = loader_string(l, down ? down : up, npath);
	if (!name || !loader_node_known(l, down ? down : up, npath, name))
		ok = false;
	free(npath);
	if (ok) {
		action.name = xstrdup(name);
		LIST_PUSH(l->scenario->timeline, action);
	}
out:
	free(path);
}

/* cordon: NODE, uncordon: NODE, drain: NODE. K8S: kubectl cordon sets
 * spec.unschedulable; kubectl drain cordons, then evicts. */
static void load_cordon(struct loader *l, const struct entry *e,
			const struct ynode *node, enum action_type type)
{
	char *path = xasprintf("%s.%s", e->path,
			       type == ACTION_CORDON ? "cordon" :
			       type == ACTION_DRAIN ? "drain" : "uncordon");
	const char *name = loader_string(l, node, path);
	if (name && loader_node_known(l, node, path, name)) {
		struct action action = entry_action(e, type);
		action.name = xstrdup(name);
		LIST_PUSH(l->scenario->timeline, action);
	}
	free(path);
}

/* rollback: KIND/NAME (the previous revision) or {KIND/NAME: REVISION}
 * (--to-revision). Whether the revision exists is known only when the
 * entry runs, as for kubectl. */
static void load_rollback(struct loader *l, const struct entry *e,
			  const struct ynode *node)
{
	char *path = xasprintf("%s.rollback", e->path);
	const struct ynode *ref = node, *value = NULL;
	if (node->kind == YNODE_MAP) {
		if (node->len != 1) {
			loader_problem(l, node, "%s: expected one DEPLOYMENT/NAME: "
				       "REVISION, got %zu entries", path, node->len);
			goto out;
		}
		ref = node->pairs[0].key;
		value = node->pairs[0].value;
	}
	char *name = NULL;
	const struct kind_info *kind = loader_object_ref(l, ref, path, &name);
	if (kind && kind->id != KIND_DEPLOYMENT && kind->id != KIND_STATEFULSET &&
	    kind->id != KIND_DAEMONSET) {
		loader_problem(l, ref, "%s: cannot roll back a %s: kubelab keeps "
			       "rollout history for deployments, statefulsets and "
			       "daemonsets only", path, kind->kind);
		kind = NULL;
	}
	int64_t revision = 0;
	if (value && (value->kind != YNODE_SCALAR || ynode_int64(value, &revision) ||
		      revision < 1)) {
		loader_problem(l, value, "%s[%s]: expected a revision number (1 or "
			       "more), got %s", path, ref->scalar, loader_got(l, value));
		kind = NULL;
	}
	if (kind) {
		struct action action = entry_action(e, ACTION_ROLLBACK);
		action.kind = kind->id;
		action.namespace = action_namespace(e, kind);
		action.name = name;
		action.to_revision = revision;
		name = NULL;
		LIST_PUSH(l->scenario->timeline, action);
	}
	free(name);
out:
	free(path);
}

/* evict: pod/NAME: one POST to the pod's eviction subresource. */
static void load_evict(struct loader *l, const struct entry *e, const struct ynode *node)
{
	char *path = xasprintf("%s.evict", e->path);
	char *name = NULL;
	const struct kind_info *kind = loader_object_ref(l, node, path, &name);
	if (kind && kind->id != KIND_POD) {
		loader_problem(l, node, "%s: only pods can be evicted, got %s", path,
			       kind->kind);
		kind = NULL;
	}
	if (kind) {
		struct action action = entry_action(e, ACTION_EVICT);
		action.kind = kind->id;
		action.namespace = action_namespace(e, kind);
		action.name = name;
		name = NULL;
		LIST_PUSH(l->scenario->timeline, action);
	}
	free(name);
	free(path);
}

static const char *const action_names[] = {
	"apply", "set", "scale", "delete", "fault", "cordon", "uncordon",
	"rollback", "taint", "untaint", "label", "unlabel", "addNodes", "drain",
	"evict", NULL
};

static bool is_action(const char *key)
{
	for (size_t i = 0; action_names[i]; i++)
		if (!strcmp(action_names[i], key))
			return true;
	return false;
}

/* Checks the action under key (one of action_names) and adds it. */
static void load_action(struct loader *l, const struct entry *e,
			const struct ypair *action)
{
	const char *verb = action->key->scalar;
	const struct ynode *value = action->value;
	if (!strcmp(verb, "apply"))
		load_apply(l, e, value);
	else if (!strcmp(verb, "set"))
		load_set(l, e, value);
	else if (!strcmp(verb, "scale"))
		load_scale(l, e, value);
	else if (!strcmp(verb, "delete"))
		load_delete(l, e, value);
	else if (!strcmp(verb, "fault"))
		load_fault(l, e, value);
	else if (!strcmp(verb, "rollback"))
		load_rollback(l, e, value);
	else if (!strcmp(verb, "evict"))
		load_evict(l, e, value);
	else if (!strcmp(verb, "drain"))
		load_cordon(l, e, value, ACTION_DRAIN);
	else if (!strcmp(verb, "taint") || !strcmp(verb, "untaint"))
		load_taint(l, e, value, verb[0] == 't' ? ACTION_TAINT : ACTION_UNTAINT);
	else if (!strcmp(verb, "label") || !strcmp(verb, "unlabel"))
		load_label(l, e, value, verb[0] == 'l' ? ACTION_LABEL : ACTION_UNLABEL);
	else if (!strcmp(verb, "addNodes"))
		load_add_nodes(l, e, value);
	else
		load_cordon(l, e, value, !strcmp(verb, "cordon") ? ACTION_CORDON
								  : ACTION_UNCORDON);
}

/* One entry: `at`, maybe `namespace`, and one action. A problem with one
 * part does not stop the others from being checked (the scenario is
 * refused anyway, and the user learns everything at once). */
static void load_entry(struct loader *l, const struct ynode *node, size_t index)
{
	static const char *const known[] = {
		"at", "namespace", "force", "overwrite", "apply", "set", "scale",
		"delete", "fault", "cordon", "uncordon", "rollback", "taint",
		"untaint", "label", "unlabel", "addNodes", "drain", "evict", NULL
	};
	char *path = xasprintf("spec.timeline[%zu]", index);
	struct entry e = { .path = path, .line = node->line, .column = node->column };
	const struct ypair *first = NULL;

	if (!loader_want(l, node, YNODE_MAP, path))
		goto out;
	loader_check_keys(l, node, path, known);
	for (size_t i = 0; i < node->len; i++) {
		if (!is_action(node->pairs[i].key->scalar))
			continue;
		if (first)
			loader_problem(l, node->pairs[i].key, "%s: two actions, "
				       "%s and %s, in one entry: write one entry "
				       "for each", path, first->key->scalar,
				       node->pairs[i].key->scalar);
		else
			first = &node->pairs[i];
	}
	if (!first)
		loader_problem(l, node, "%s: no action: expected one of apply, "
			       "set, scale, delete, fault, cordon, uncordon, "
			       "drain, evict, rollback, taint, untaint, label, "
			       "unlabel or addNodes", path);

	const struct ynode *at = ynode_get(node, "at");
	char *at_path = xasprintf("%s.at", path);
	if (!at)
		loader_problem(l, node, "%s: missing required field \"at\" "
			       "(when, such as 30s)", path);
	else
		loader_time(l, at, at_path, &e.at);
	free(at_path);

	const struct ynode *ns = ynode_get(node, "namespace");
	if (ns) {
		char *ns_path = xasprintf("%s.namespace", path);
		e.namespace = loader_string(l, ns, ns_path);
		if (first && strcmp(first->key->scalar, "set") &&
		    strcmp(first->key->scalar, "scale") &&
		    strcmp(first->key->scalar, "delete") &&
		    strcmp(first->key->scalar, "rollback") &&
		    strcmp(first->key->scalar, "evict"))
			loader_problem(l, ns, "%s: only set, scale, delete, evict "
				       "and rollback take a namespace", ns_path);
		free(ns_path);
	}

	/* force: true: kubectl delete --force --grace-period=0. */
	const struct ynode *force = ynode_get(node, "force");
	if (force) {
		if (force->kind != YNODE_SCALAR ||
		    (strcmp(force->scalar, "true") && strcmp(force->scalar, "false")))
			loader_problem(l, force, "%s.force: expected true or false, got %s",
				       path, loader_got(l, force));
		else
			e.force = !strcmp(force->scalar, "true");
		if (first && strcmp(first->key->scalar, "delete"))
			loader_problem(l, force, "%s.force: only delete takes force", path);
	}

	/* overwrite: true: kubectl taint|label --overwrite. */
	const struct ynode *overwrite = ynode_get(node, "overwrite");
	if (overwrite) {
		if (overwrite->kind != YNODE_SCALAR || (strcmp(overwrite->scalar, "true") &&
							strcmp(overwrite->scalar, "false")))
			loader_problem(l, overwrite, "%s.overwrite: expected true or "
				       "false, got %s", path, loader_got(l, overwrite));
		else
			e.overwrite = !strcmp(overwrite->scalar, "true");
		if (first && strcmp(first->key->scalar, "taint") &&
		    strcmp(first->key->scalar, "label"))
			loader_problem(l, overwrite, "%s.overwrite: only taint and "
				       "label take overwrite", path);
	}

	/* Every action written is checked, even the second of two. */
	for (size_t i = 0; i < node->len; i++)
		if (is_action(node->pairs[i].key->scalar))
			load_action(l, &e, &node->pairs[i]);
out:
	free(path);
}

void load_timeline(struct loader *l, const struct ynode *timeline)
{
	if (!loader_want(l, timeline, YNODE_SEQ, "spec.timeline"))
		return;
	for (size_t i = 0; i < timeline->len; i++)
		load_entry(l, timeline->items[i], i);
}
