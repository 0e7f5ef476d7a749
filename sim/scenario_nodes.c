/* scenario_nodes.c - the timeline's node administration: taint, label,
 * nodes joining.
 *
 * What an operator does to nodes with kubectl, and what a cluster
 * autoscaler does to the node list:
 *   taint: {node: N, key: K, value: V, effect: E}   kubectl taint nodes N K=V:E
 *   untaint: {node: N, key: K, effect: E}           kubectl taint nodes N K:E-
 *   untaint: {node: N, key: K}                      kubectl taint nodes N K-
 *   label: {node: N, key: K, value: V}              kubectl label nodes N K=V
 *   unlabel: {node: N, key: K}                      kubectl label nodes N K-
 *   addNodes: {pool: P, count: C}                   C more nodes of pool P
 * with overwrite: true in the entry for kubectl's --overwrite.
 * K8S: staging/src/k8s.io/kubectl/pkg/cmd/taint (parseTaint: a key is a
 * qualified name, a value a label value, the effect one of three),
 * staging/src/k8s.io/kubectl/pkg/cmd/label, and
 * apimachinery/pkg/util/validation (IsQualifiedName, IsValidLabelValue).
 *
 * Checked here, at load time, with the position of the offending node:
 * the node is one a pool makes (or an addNodes entry written earlier
 * adds), the key and value are what the API server would accept, the
 * effect is one of NoSchedule, PreferNoSchedule, NoExecute, the pool of
 * addNodes exists. What can only be known when the entry runs (a taint
 * that is already there without overwrite, a label that is not) is
 * reported by the run in kubectl's words (sim/node_admin.c).
 *
 * addNodes bumps the pool's `added`, so that later entries may name the
 * new nodes and the run knows how many nodes to make room for.
 *
 * See also: scenario_timeline.c (the other actions and the entry),
 * cluster.c (where the actions run), docs/scenario-reference.md.
 */
#include "scenario_load.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Letters, digits, '-', '_', '.', beginning and ending with a letter or
 * digit, at most 63: a label value (which may also be empty) and the name
 * part of a key. K8S: validation.IsValidLabelValue, qualifiedNameFmt. */
static bool label_name(const char *s, size_t len)
{
	if (!len || len > 63)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum && ((i == 0 || i == len - 1) ||
			       (c != '-' && c != '_' && c != '.')))
			return false;
	}
	return true;
}

/* A DNS-1123 subdomain: lower-case labels joined by dots, at most 253. */
static bool dns_subdomain(const char *s, size_t len)
{
	if (!len || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		bool edge = i == 0 || i == len - 1 || s[i - 1] == '.' || s[i + 1] == '.';
		if (!alnum && (edge || (c != '-' && c != '.')))
			return false;
	}
	return true;
}

/* K8S: validation.IsQualifiedName: [PREFIX/]NAME. */
static bool qualified_name(const char *key)
{
	const char *slash = strchr(key, '/');
	if (!slash)
		return label_name(key, strlen(key));
	return dns_subdomain(key, (size_t)(slash - key)) &&
	       label_name(slash + 1, strlen(slash + 1));
}

/* The map of a node action: known keys only, node: a node there is.
 * Returns the node's name (borrowed) or NULL after a diagnostic. */
static const char *node_map(struct loader *l, const struct ynode *node,
			    const char *path, const char *const *known)
{
	if (!loader_want(l, node, YNODE_MAP, path))
		return NULL;
	loader_check_keys(l, node, path, known);
	const struct ynode *name = ynode_get(node, "node");
	if (!name) {
		loader_problem(l, node, "%s: missing required field \"node\"", path);
		return NULL;
	}
	char *npath = xasprintf("%s.node", path);
	const char *text = loader_string(l, name, npath);
	if (text && !loader_node_known(l, name, npath, text))
		text = NULL;
	free(npath);
	return text;
}

/* key: a qualified name; required. Borrowed, or NULL after a diagnostic. */
static const char *map_key(struct loader *l, const struct ynode *node,
			   const char *path)
{
	const struct ynode *key = ynode_get(node, "key");
	if (!key) {
		loader_problem(l, node, "%s: missing required field \"key\"", path);
		return NULL;
	}
	char *kpath = xasprintf("%s.key", path);
	const char *text = loader_string(l, key, kpath);
	if (text && !qualified_name(text)) {
		loader_problem(l, key, "%s: \"%s\" is not a valid key: letters, "
			       "digits, '-', '_' and '.', beginning and ending "
			       "with a letter or digit, at most 63 of them, after "
			       "an optional DNS prefix and '/' (such as "
			       "node.kubernetes.io/out-of-service)", kpath, text);
		text = NULL;
	}
	free(kpath);
	return text;
}

/* value: a label value, possibly empty; "" when absent. *ok false after a
 * diagnostic. */
static const char *map_value(struct loader *l, const struct ynode *node,
			     const char *path, bool *ok)
{
	const struct ynode *value = ynode_get(node, "value");
	if (!value)
		return "";
	if (value->kind != YNODE_SCALAR || ynode_is_null(value)) {
		loader_problem(l, value, "%s.value: expected a value such as ssd, "
			       "got %s", path, loader_got(l, value));
		*ok = false;
		return NULL;
	}
	if (*value->scalar && !label_name(value->scalar, strlen(value->scalar))) {
		loader_problem(l, value, "%s.value: \"%s\" is not a valid value: "
			       "letters, digits, '-', '_' and '.', beginning and "
			       "ending with a letter or digit, at most 63 of them",
			       path, value->scalar);
		*ok = false;
		return NULL;
	}
	return value->scalar;
}

/* effect: one of the three; required to add a taint, optional to remove
 * (then every effect of the key goes). NULL when absent or bad. */
static const char *map_effect(struct loader *l, const struct ynode *node,
			      const char *path, bool required, bool *ok)
{
	static const char *const effects[] = {
		"NoSchedule", "PreferNoSchedule", "NoExecute", NULL
	};
	const struct ynode *effect = ynode_get(node, "effect");
	if (!effect) {
		if (required) {
			loader_problem(l, node, "%s: missing required field \"effect\" "
				       "(NoSchedule, PreferNoSchedule or NoExecute)", path);
			*ok = false;
		}
		return NULL;
	}
	char *epath = xasprintf("%s.effect", path);
	const char *text = loader_string(l, effect, epath);
	size_t i = 0;
	while (text && effects[i] && strcmp(effects[i], text))
		i++;
	if (text && !effects[i])
		loader_problem(l, effect, "%s: Unsupported value: \"%s\": supported "
			       "values: \"NoSchedule\", \"PreferNoSchedule\", "
			       "\"NoExecute\"", epath, text);
	free(epath);
	if (!text || !effects[i])
		*ok = false;
	return text && effects[i] ? effects[i] : NULL;
}

void load_taint(struct loader *l, const struct entry *e,
		const struct ynode *node, enum action_type type)
{
	static const char *const known_taint[] = { "node", "key", "value", "effect", NULL };
	static const char *const known_untaint[] = { "node", "key", "effect", NULL };
	bool add = type == ACTION_TAINT, ok = true;
	char *path = xasprintf("%s.%s", e->path, add ? "taint" : "untaint");
	const char *name = node_map(l, node, path, add ? known_taint : known_untaint);
	if (node->kind != YNODE_MAP)
		goto out;
	const char *key = map_key(l, node, path);
	const char *value = add ? map_value(l, node, path, &ok) : NULL;
	const char *effect = map_effect(l, node, path, add, &ok);
	if (ok && name && key) {
		struct action action = entry_action(e, type);
		action.name = xstrdup(name);
		action.key = xstrdup(key);
		action.value = value ? xstrdup(value) : NULL;
		action.effect = effect ? xstrdup(effect) : NULL;
		LIST_PUSH(l->scenario->timeline, action);
	}
out:
	free(path);
}

void load_label(struct loader *l, const struct entry *e,
		const struct ynode *node, enum action_type type)
{
	static const char *const known_label[] = { "node", "key", "value", NULL };
	static const char *const known_unlabel[] = { "node", "key", NULL };
	bool add = type == ACTION_LABEL, ok = true;
	char *path = xasprintf("%s.%s", e->path, add ? "label" : "unlabel");
	const char *name = node_map(l, node, path, add ? known_label : known_unlabel);
	if (node->kind != YNODE_MAP)
		goto out;
	const char *key = map_key(l, node, path);
	const char *value = add ? map_value(l, node, path, &ok) : NULL;
	if (ok && name && key) {
		struct action action = entry_action(e, type);
		action.name = xstrdup(name);
		action.key = xstrdup(key);
		action.value = value ? xstrdup(value) : NULL;
		LIST_PUSH(l->scenario->timeline, action);
	}
out:
	free(path);
}

/* addNodes: {pool: P, count: C}; count defaults to 1. */
void load_add_nodes(struct loader *l, const struct entry *e,
		    const struct ynode *node)
{
	static const char *const known[] = { "pool", "count", NULL };
	char *path = xasprintf("%s.addNodes", e->path);
	if (!loader_want(l, node, YNODE_MAP, path))
		goto out;
	loader_check_keys(l, node, path, known);
	struct node_pool *pool = NULL;
	const struct ynode *name = ynode_get(node, "pool");
	const char *text = NULL;
	char *ppath = xasprintf("%s.pool", path);
	if (!name)
		loader_problem(l, node, "%s: missing required field \"pool\"", path);
	else
		text = loader_string(l, name, ppath);
	for (size_t i = 0; text && i < l->scenario->node_pools.len; i++)
		if (!strcmp(l->scenario->node_pools.items[i].name, text))
			pool = &l->scenario->node_pools.items[i];
	if (text && !pool)
		loader_problem(l, name, "%s: no node pool \"%s\" (new nodes are "
			       "made from a pool of spec.cluster.nodePools)",
			       ppath, text);
	free(ppath);
	const struct ynode *count = ynode_get(node, "count");
	int64_t n = 1;
	if (count && (count->kind != YNODE_SCALAR || ynode_int64(count, &n) ||
		      n < 1 || n > 1000)) {
		loader_problem(l, count, "%s.count: expected a number of nodes "
			       "(1 to 1000), got %s", path, loader_got(l, count));
		pool = NULL;
	}
	if (pool && (int64_t)pool->count + pool->added + n > MAX_POOL_NODES) {
		loader_problem(l, count ? count : node, "%s: pool \"%s\" would have "
			       "%" PRId64 " nodes, more than %d", path, pool->name,
			       (int64_t)pool->count + pool->added + n, MAX_POOL_NODES);
		pool = NULL;
	}
	if (pool) {
		struct action action = entry_action(e, ACTION_ADD_NODES);
		action.name = xstrdup(pool->name);
		action.count = (int32_t)n;
		pool->added += (int32_t)n;
		LIST_PUSH(l->scenario->timeline, action);
	}
out:
	free(path);
}
