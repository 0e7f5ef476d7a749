/* node_admin.c - kubectl taint and kubectl label on nodes; see
 * node_admin.h.
 *
 * Like kubectl, this is a client: it GETs the Node, edits a copy and
 * writes it back with one update. Upstream sends a patch; in the
 * simulator nothing can run between the read and the write (they happen
 * in one step of the engine), so the update cannot conflict and the
 * outcome is the patch's.
 *
 * The words are kubectl's: "node/N tainted" prints as "tainted" here (the
 * trace already names the node), and errors are kubectl's errors.
 * See also: scenario_nodes.c (the timeline entries that call these),
 * cluster.c (where they run), ctrl_podgc.c and ctrl_attach_detach.c
 * (what the node.kubernetes.io/out-of-service taint sets off).
 */
#include "node_admin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

static enum api_code say(struct api_status *status, enum api_code code,
			 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum api_code say(struct api_status *status, enum api_code code,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	status->code = code;
	vsnprintf(status->message, sizeof(status->message), fmt, ap);
	va_end(ap);
	return code;
}

/* A copy of the node to edit, or NULL after NotFound in status. */
static struct node *node_for_edit(const struct client *client, const char *name,
				  struct api_status *status)
{
	const struct object *cur = client_get(client, KIND_NODE, NULL, name);
	if (!cur) {
		say(status, API_NOT_FOUND, "nodes \"%s\" not found", name);
		return NULL;
	}
	return (struct node *)object_copy(cur);
}

/* Writes the edited copy (taking it over); on success, status says word. */
static enum api_code write_node(const struct client *client, struct node *node,
				const char *word, struct api_status *status)
{
	enum api_code code = client_update(client, &node->obj, status);
	if (code == API_OK)
		say(status, API_OK, "%s", word);
	return code;
}

/* K8S: Taint.MatchTaint: same key and effect. */
static bool taint_matches(const struct taint *t, const char *key, const char *effect)
{
	return t->key && !strcmp(t->key, key) &&
	       (!effect || (t->effect && !strcmp(t->effect, effect)));
}

enum api_code node_taint(const struct client *client, const char *name,
			 const char *key, const char *value, const char *effect,
			 bool overwrite, struct api_status *status)
{
	struct node *node = node_for_edit(client, name, status);
	if (!node)
		return status->code;
	size_t len = node->spec.taints.len;
	struct taint *old = node->spec.taints.items;
	for (size_t i = 0; i < len && !overwrite; i++) {
		if (taint_matches(&old[i], key, effect)) {
			object_unref(&node->obj);
			return say(status, API_INVALID, "Node '%s' already has a taint "
				   "with key (%s) and effect (%s), and --overwrite "
				   "is false", name, key, effect);
		}
	}
	/* K8S: reorganizeTaints: the new taint, then the old ones it does
	 * not replace. */
	struct taint *next = xcalloc(len + 1, sizeof(*next));
	size_t n = 0;
	next[n++] = (struct taint){
		.key = xstrdup(key),
		.value = value && *value ? xstrdup(value) : NULL,
		.effect = xstrdup(effect),
	};
	for (size_t i = 0; i < len; i++) {
		if (taint_matches(&old[i], key, effect))
			schema_release(&taint_schema, &old[i]);
		else
			next[n++] = old[i];
	}
	free(old);
	node->spec.taints.items = next;
	node->spec.taints.len = n;
	return write_node(client, node, overwrite ? "modified" : "tainted", status);
}

enum api_code node_untaint(const struct client *client, const char *name,
			   const char *key, const char *effect,
			   struct api_status *status)
{
	struct node *node = node_for_edit(client, name, status);
	if (!node)
		return status->code;
	size_t kept = 0;
	struct taint *items = node->spec.taints.items;
	for (size_t i = 0; i < node->spec.taints.len; i++) {
		if (taint_matches(&items[i], key, effect))
			schema_release(&taint_schema, &items[i]);
		else
			items[kept++] = items[i];
	}
	if (kept == node->spec.taints.len) {
		object_unref(&node->obj);
		/* K8S: Taint.ToString, of a taint to remove: KEY[:EFFECT]. */
		return say(status, API_NOT_FOUND, "taint \"%s%s%s\" not found", key,
			   effect ? ":" : "", effect ? effect : "");
	}
	node->spec.taints.len = kept;
	return write_node(client, node, "untainted", status);
}

enum api_code node_label(const struct client *client, const char *name,
			 const char *key, const char *value, bool overwrite,
			 struct api_status *status)
{
	struct node *node = node_for_edit(client, name, status);
	if (!node)
		return status->code;
	const char *cur = strmap_get(&node->obj.meta.labels, key);
	if (cur && !strcmp(cur, value)) {
		object_unref(&node->obj);
		return say(status, API_OK, "not labeled");
	}
	if (cur && !overwrite) {
		say(status, API_INVALID, "'%s' already has a value (%s), and "
		    "--overwrite is false", key, cur);
		object_unref(&node->obj);
		return API_INVALID;
	}
	strmap_set(&node->obj.meta.labels, key, value);
	return write_node(client, node, "labeled", status);
}

enum api_code node_unlabel(const struct client *client, const char *name,
			   const char *key, struct api_status *status)
{
	struct node *node = node_for_edit(client, name, status);
	if (!node)
		return status->code;
	if (!strmap_remove(&node->obj.meta.labels, key)) {
		object_unref(&node->obj);
		return say(status, API_OK, "not labeled: label \"%s\" not found", key);
	}
	return write_node(client, node, "unlabeled", status);
}
