/* ctrl_history.c - ControllerRevisions: hashing, naming, listing and the
 * writes; see ctrl_history.h.
 *
 * K8S: pkg/controller/history/controller_history.go.
 *
 * Invariants: a revision's name is PARENT-HASH and its hash label HASH,
 * where HASH covers its data and the collision count it was created
 * with; two revisions of one parent never hold the same data (the
 * controllers renumber an equal one instead of creating another).
 */
#include "ctrl_history.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_informer.h"
#include "ctrl_util.h"
#include "json.h"
#include "xmalloc.h"

#define NAME_PREFIX_MAX 223	/* 253 - '-' - the longest hash, as upstream */
#define WRITE_RETRIES 3

char *history_revision_name(const char *prefix, const char *hash)
{
	size_t len = strlen(prefix);
	return xasprintf("%.*s-%s", (int)(len > NAME_PREFIX_MAX ? NAME_PREFIX_MAX : len),
			 prefix, hash);
}

/* The JSON upstream would store as data.raw, less the "$patch" marker. */
static char *data_json(const struct controller_revision *cr)
{
	struct json *json = json_from_struct(&pod_template_spec_schema,
					     &cr->data.spec.template);
	char *template = json_print(json, false);
	json_free(json);
	char *text = xasprintf("{\"spec\":{\"template\":%s}}", template);
	free(template);
	return text;
}

/* FNV-1, 32 bits (Go's hash/fnv New32: multiply, then xor). */
static uint32_t fnv1_add(uint32_t h, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h * 16777619u) ^ *p;
	return h;
}

char *history_hash(const struct controller_revision *cr, const int32_t *collision_count)
{
	/* K8S: rand.SafeEncodeString's alphabet: no vowels, no look-alikes. */
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	char *text = data_json(cr);
	uint32_t h = fnv1_add(2166136261u, text);
	free(text);
	if (collision_count) {
		char probe[16];
		snprintf(probe, sizeof(probe), "%d", *collision_count);
		h = fnv1_add(h, probe);
	}
	char digits[16];
	snprintf(digits, sizeof(digits), "%u", h);
	for (char *p = digits; *p; p++)
		*p = alphabet[(unsigned char)*p % (sizeof(alphabet) - 1)];
	return xstrdup(digits);
}

/* Names and labels cr by its hash. */
static void name_revision(struct controller_revision *cr, const char *parent_name,
			  const int32_t *collision_count)
{
	char *hash = history_hash(cr, collision_count);
	free(cr->obj.meta.name);
	cr->obj.meta.name = history_revision_name(parent_name, hash);
	strmap_set(&cr->obj.meta.labels, HISTORY_HASH_LABEL, hash);
	free(hash);
}

struct controller_revision *history_new(const struct object *parent,
					const struct pod_template_spec *template,
					int64_t revision, const int32_t *collision_count)
{
	struct controller_revision *cr =
		(struct controller_revision *)object_new(&controller_revision_kind);
	cr->obj.meta.namespace = xstrdup(parent->meta.namespace);
	strmap_copy(&cr->obj.meta.labels, &template->metadata.labels);
	strmap_copy(&cr->obj.meta.annotations, &parent->meta.annotations);
	struct owner_reference ref = ctrl_controller_ref(parent);
	ctrl_add_owner_ref(&cr->obj, &ref);
	schema_copy(&pod_template_spec_schema, &cr->data.spec.template, template);
	cr->revision = revision;
	name_revision(cr, parent->meta.name, collision_count);
	return cr;
}

/* K8S: byRevision.Less: revision, then creation time, then name. */
static int compare_revisions(const void *a, const void *b)
{
	const struct controller_revision *x = *(const struct controller_revision *const *)a;
	const struct controller_revision *y = *(const struct controller_revision *const *)b;
	if (x->revision != y->revision)
		return x->revision < y->revision ? -1 : 1;
	if (x->obj.meta.creation_timestamp != y->obj.meta.creation_timestamp)
		return x->obj.meta.creation_timestamp < y->obj.meta.creation_timestamp ? -1 : 1;
	return strcmp(x->obj.meta.name, y->obj.meta.name);
}

void history_list(const struct informer *revisions, const struct object *parent,
		  struct object_list *out)
{
	size_t start = out->len;
	informer_list_index(revisions, parent->meta.uid, out);
	if (out->len - start > 1)
		qsort(out->items + start, out->len - start, sizeof(*out->items),
		      compare_revisions);
}

bool history_equal(const struct controller_revision *a, const struct controller_revision *b)
{
	if (!a || !b)
		return a == b;
	return schema_equal(&pod_template_spec_schema, &a->data.spec.template,
			    &b->data.spec.template);
}

const struct controller_revision *history_create(const struct client *client,
						 const struct object *parent,
						 struct controller_revision *cr,
						 int32_t *collision_count)
{
	/* A bounded number of names: each collision needs a revision of
	 * different data at exactly the next hash, so a handful is plenty. */
	for (int attempt = 0; attempt < 16; attempt++) {
		name_revision(cr, parent->meta.name, collision_count);
		struct object *copy = object_copy(&cr->obj);
		enum api_code code = client_create(client, copy, NULL);
		const struct object *stored = client_get(client, KIND_CONTROLLERREVISION,
							 cr->obj.meta.namespace, cr->obj.meta.name);
		const struct controller_revision *have =
			stored ? (const struct controller_revision *)stored : NULL;
		if (code == API_OK && have) {
			object_unref(&cr->obj);
			return have;
		}
		if (code != API_ALREADY_EXISTS || !have) {
			object_unref(&cr->obj);
			return NULL;
		}
		if (history_equal(have, cr)) {
			object_unref(&cr->obj);
			return have;	/* made before: ours */
		}
		(*collision_count)++;	/* LAB: history-collision */
	}
	object_unref(&cr->obj);
	return NULL;
}

const struct controller_revision *history_renumber(const struct client *client,
						   const struct controller_revision *cr,
						   int64_t revision)
{
	const char *ns = cr->obj.meta.namespace, *name = cr->obj.meta.name;
	for (int attempt = 0; attempt < WRITE_RETRIES; attempt++) {
		const struct object *cur = client_get(client, KIND_CONTROLLERREVISION, ns, name);
		if (!cur || strcmp(cur->meta.uid, cr->obj.meta.uid))
			return NULL;
		const struct controller_revision *stored = (const struct controller_revision *)cur;
		if (stored->revision == revision)
			return stored;
		struct controller_revision *next = (struct controller_revision *)object_copy(cur);
		next->revision = revision;
		enum api_code code = client_update(client, &next->obj, NULL);
		if (code == API_OK)
			return (const struct controller_revision *)
				client_get(client, KIND_CONTROLLERREVISION, ns, name);
		if (code != API_CONFLICT)
			return NULL;
	}
	return NULL;
}

int history_delete(const struct client *client, const struct controller_revision *cr)
{
	struct delete_options options = DELETE_OPTIONS_DEFAULT;
	enum api_code code = client_delete(client, KIND_CONTROLLERREVISION,
					   cr->obj.meta.namespace, cr->obj.meta.name,
					   &options, NULL);
	return code == API_OK || code == API_NOT_FOUND ? 0 : -1;
}
