/* ctrl_util.c - rules the controllers share; see ctrl_util.h.
 *
 * K8S: pkg/controller/controller_utils.go, controller_ref_manager.go,
 * pkg/api/v1/pod/util.go, apimachinery's intstr and metav1 helpers.
 *
 * Invariants: nothing here keeps state; every write goes through the
 * client on a fresh copy of the object (read, check the uid, change, write)
 * so a stale informer cache never overwrites a newer object.
 */
#include "ctrl_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "json.h"
#include "xmalloc.h"

/* ---- pod health ---------------------------------------------------------- */

const struct condition *ctrl_pod_condition(const struct pod *pod, const char *type)
{
	for (size_t i = 0; i < pod->status.conditions.len; i++) {
		const struct condition *c = &pod->status.conditions.items[i];
		/* The first byte settles most misses without a call. */
		if (c->type && c->type[0] == type[0] && !strcmp(c->type, type))
			return c;
	}
	return NULL;
}

bool ctrl_pod_is_ready(const struct pod *pod)
{
	const struct condition *c = ctrl_pod_condition(pod, "Ready");
	return c && c->status && !strcmp(c->status, "True");
}

bool ctrl_pod_is_available(const struct pod *pod, int32_t min_ready_seconds,
			   ktime_t now)
{
	if (!ctrl_pod_is_ready(pod))
		return false;
	if (min_ready_seconds == 0)
		return true;
	/* Ready since an unknown time never counts as ready long enough. */
	ktime_t since = ctrl_pod_condition(pod, "Ready")->last_transition_time;
	return since && since + min_ready_seconds * KTIME_SECOND < now;
}

static bool phase_is(const struct pod *pod, const char *phase)
{
	return pod->status.phase && pod->status.phase[0] == phase[0] &&
	       !strcmp(pod->status.phase, phase);
}

bool ctrl_pod_is_active(const struct pod *pod)
{
	return !phase_is(pod, POD_PHASE_SUCCEEDED) && !phase_is(pod, POD_PHASE_FAILED) &&
	       !object_is_deleting(&pod->obj);
}

/* ---- deletion ranking ---------------------------------------------------- */

/* K8S: podPhaseToOrdinal: Pending 0, Unknown 1, Running 2; anything else
 * (no phase yet) counts as Pending, as a missing map key is 0. */
static int phase_ordinal(const struct pod *pod)
{
	if (phase_is(pod, "Unknown"))
		return 1;
	if (phase_is(pod, POD_PHASE_RUNNING))
		return 2;
	return 0;
}

static bool assigned(const struct pod *pod)
{
	return pod->spec.node_name && *pod->spec.node_name;
}

/* K8S: helper.GetDeletionCostFromPodAnnotations: an int32, 0 when absent
 * or unparsable. */
static int64_t deletion_cost(const struct pod *pod)
{
	const char *text = strmap_get(&pod->obj.meta.annotations,
				      "controller.kubernetes.io/pod-deletion-cost");
	if (!text || !*text)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*end || errno || v < INT32_MIN || v > INT32_MAX)
		return 0;
	return v;
}

static ktime_t ready_time(const struct pod *pod)
{
	return ctrl_pod_is_ready(pod) ?
		ctrl_pod_condition(pod, "Ready")->last_transition_time : 0;
}

static int max_restarts(const struct pod *pod)
{
	int most = 0;
	for (size_t i = 0; i < pod->status.container_statuses.len; i++)
		if (pod->status.container_statuses.items[i].restart_count > most)
			most = pod->status.container_statuses.items[i].restart_count;
	return most;
}

/* K8S: afterOrZero: a zero time sorts as the latest of all. Returns <0
 * when a should go first (is "after" b). */
static int cmp_after_or_zero(ktime_t a, ktime_t b)
{
	if (!a || !b)
		return a == b ? 0 : (!a ? -1 : 1);
	return a > b ? -1 : (a < b ? 1 : 0);
}

/* K8S: logarithmicRankDiff: floor(log2(age in ns)), -1 for no age. */
static int log_bucket(ktime_t t, ktime_t now)
{
	ktime_t age = now - t;
	return age > 0 ? 63 - __builtin_clzll((unsigned long long)age) : -1;
}

/* Newer (lower log bucket of age) first; zero times and a zero now fall
 * back to afterOrZero, as upstream. */
static int cmp_recent(ktime_t a, ktime_t b, ktime_t now)
{
	if (!now || !a || !b)
		return cmp_after_or_zero(a, b);
	return log_bucket(a, now) - log_bucket(b, now);
}

static int cmp_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int compare_for_deletion(const void *x, const void *y, void *arg)
{
	const struct ranked_pod *rx = x, *ry = y;
	const struct pod *a = rx->pod, *b = ry->pod;
	ktime_t now = *(const ktime_t *)arg;
	int c;

	if (assigned(a) != assigned(b))		/* 1 */
		return assigned(a) ? 1 : -1;
	if ((c = phase_ordinal(a) - phase_ordinal(b)))	/* 2 */
		return c;
	if (ctrl_pod_is_ready(a) != ctrl_pod_is_ready(b))	/* 3 */
		return ctrl_pod_is_ready(a) ? 1 : -1;
	int64_t ca = deletion_cost(a), cb = deletion_cost(b);	/* 4 */
	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (rx->rank != ry->rank)			/* 5 */
		return rx->rank > ry->rank ? -1 : 1;
	if (ctrl_pod_is_ready(a) && ctrl_pod_is_ready(b) &&	/* 6 */
	    (c = cmp_recent(ready_time(a), ready_time(b), now)))
		return c;
	if ((c = max_restarts(b) - max_restarts(a)))	/* 7 */
		return c;
	if ((c = cmp_recent(a->obj.meta.creation_timestamp,	/* 8 */
			    b->obj.meta.creation_timestamp, now)))
		return c;
	if ((c = cmp_text(a->obj.meta.uid, b->obj.meta.uid)))
		return c;
	return cmp_text(a->obj.meta.name, b->obj.meta.name);
}

void ctrl_sort_pods_for_deletion(struct ranked_pod *pods, size_t len, ktime_t now)
{
	if (len > 1)
		qsort_r(pods, len, sizeof(*pods), compare_for_deletion, &now);
}

/* ---- owner references and finalizers ------------------------------------- */

struct owner_reference ctrl_controller_ref(const struct object *owner)
{
	return (struct owner_reference){
		.api_version = xstrdup(owner->kind->api_version),
		.kind = xstrdup(owner->kind->kind),
		.name = xstrdup(owner->meta.name),
		.uid = xstrdup(owner->meta.uid),
		.controller = true,
		.block_owner_deletion = true,
	};
}

void ctrl_owner_ref_release(struct owner_reference *ref)
{
	free(ref->api_version);
	free(ref->kind);
	free(ref->name);
	free(ref->uid);
	memset(ref, 0, sizeof(*ref));
}

void ctrl_add_owner_ref(struct object *obj, struct owner_reference *ref)
{
	struct object_meta *meta = &obj->meta;
	size_t cap = meta->owner_references.len;
	xgrow((void **)&meta->owner_references.items, &cap,
	      meta->owner_references.len + 1, sizeof(*meta->owner_references.items));
	meta->owner_references.items[meta->owner_references.len++] = *ref;
	memset(ref, 0, sizeof(*ref));
}

bool ctrl_remove_owner_ref(struct object *obj, const char *uid)
{
	struct object_meta *meta = &obj->meta;
	size_t kept = 0;
	for (size_t i = 0; i < meta->owner_references.len; i++) {
		struct owner_reference *ref = &meta->owner_references.items[i];
		if (ref->uid && !strcmp(ref->uid, uid))
			ctrl_owner_ref_release(ref);
		else
			meta->owner_references.items[kept++] = *ref;
	}
	bool removed = kept != meta->owner_references.len;
	meta->owner_references.len = kept;
	return removed;
}

bool ctrl_has_finalizer(const struct object *obj, const char *name)
{
	for (size_t i = 0; i < obj->meta.finalizers.len; i++)
		if (!strcmp(obj->meta.finalizers.items[i], name))
			return true;
	return false;
}

bool ctrl_remove_finalizer(struct object *obj, const char *name)
{
	struct object_meta *meta = &obj->meta;
	size_t kept = 0;
	for (size_t i = 0; i < meta->finalizers.len; i++) {
		if (!strcmp(meta->finalizers.items[i], name))
			free(meta->finalizers.items[i]);
		else
			meta->finalizers.items[kept++] = meta->finalizers.items[i];
	}
	bool removed = kept != meta->finalizers.len;
	meta->finalizers.len = kept;
	return removed;
}

/* ---- pods from templates ------------------------------------------------- */

struct pod *ctrl_pod_from_template(const struct pod_template_spec *template,
				   const struct object *parent)
{
	struct pod *pod = (struct pod *)object_new(&pod_kind);
	struct object_meta *meta = &pod->obj.meta;
	strmap_copy(&meta->labels, &template->metadata.labels);
	strmap_copy(&meta->annotations, &template->metadata.annotations);
	for (size_t i = 0; i < template->metadata.finalizers.len; i++) {
		size_t cap = meta->finalizers.len;
		xgrow((void **)&meta->finalizers.items, &cap, meta->finalizers.len + 1,
		      sizeof(char *));
		meta->finalizers.items[meta->finalizers.len++] =
			xstrdup(template->metadata.finalizers.items[i]);
	}
	/* K8S: getPodsPrefix: the parent's name and a dash; the store adds
	 * five random characters (names.SimpleNameGenerator). */
	meta->generate_name = xasprintf("%s-", parent->meta.name);
	meta->namespace = xstrdup(parent->meta.namespace);
	struct owner_reference ref = ctrl_controller_ref(parent);
	ctrl_add_owner_ref(&pod->obj, &ref);
	schema_copy(&pod_spec_schema, &pod->spec, &template->spec);
	return pod;
}

/* ---- claiming: adoption and release -------------------------------------- */

/* A fresh copy of obj as stored now, or NULL when it is gone or was
 * replaced by another object of the same name (another uid). */
static struct object *fresh_copy(const struct client *client, const struct object *obj)
{
	const struct object *cur = client_get(client, obj->kind->id,
					      obj->meta.namespace, obj->meta.name);
	if (!cur || !cur->meta.uid || !obj->meta.uid || strcmp(cur->meta.uid, obj->meta.uid))
		return NULL;
	return object_copy(cur);
}

/* K8S: RecheckDeletionTimestamp: adopt only for an owner that still
 * exists, is the same object, and is not being deleted. */
static bool can_adopt(const struct client *client, const struct object *owner)
{
	const struct object *cur = client_get(client, owner->kind->id,
					      owner->meta.namespace, owner->meta.name);
	return cur && !strcmp(cur->meta.uid, owner->meta.uid) && !object_is_deleting(cur);
}

/* Writes next (a fresh copy); a vanished object is not an error. */
static int write_meta(const struct client *client, struct object *next)
{
	struct api_status status;
	enum api_code code = client_update(client, next, &status);
	return code == API_OK || code == API_NOT_FOUND ? 0 : -1;
}

static int adopt(const struct client *client, const struct object *owner,
		 const struct object *obj)
{
	if (!can_adopt(client, owner))
		return -1;
	struct object *next = fresh_copy(client, obj);
	if (!next)
		return 0;
	if (object_controller_of(next)) {	/* someone was faster */
		object_unref(next);
		return 0;
	}
	struct owner_reference ref = ctrl_controller_ref(owner);
	ctrl_add_owner_ref(next, &ref);
	return write_meta(client, next);
}

static int release(const struct client *client, const struct object *owner,
		   const struct object *obj)
{
	struct object *next = fresh_copy(client, obj);
	if (!next)
		return 0;
	ctrl_remove_owner_ref(next, owner->meta.uid);
	return write_meta(client, next);
}

int ctrl_claim(const struct client *client, const struct object *owner,
	       const struct selector *selector, const struct object_list *candidates,
	       struct object_list *claimed)
{
	int rc = 0;
	bool owner_deleting = object_is_deleting(owner);
	/* Room for every candidate at once: a sync claims them all, mostly. */
	xgrow((void **)&claimed->items, &claimed->cap, claimed->len + candidates->len,
	      sizeof(*claimed->items));
	for (size_t i = 0; i < candidates->len; i++) {
		const struct object *obj = candidates->items[i];
		const struct owner_reference *ref = object_controller_of(obj);
		bool matches = selector_matches(selector, &obj->meta.labels);
		bool take = false;
		if (ref) {
			if (!ref->uid || strcmp(ref->uid, owner->meta.uid))
				continue;	/* someone else's */
			if (matches)
				take = true;
			else if (!owner_deleting && release(client, owner, obj))
				rc = -1;
		} else if (matches && !owner_deleting && !object_is_deleting(obj)) {
			if (adopt(client, owner, obj) == 0)
				take = true;
			else
				rc = -1;
		}
		if (take)
			claimed->items[claimed->len++] = obj;
	}
	return rc;
}

/* ---- percentages --------------------------------------------------------- */

static int64_t div_floor(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int ctrl_scaled_value(const struct int_or_string *value, int32_t total,
		      bool round_up, int32_t *out)
{
	*out = 0;
	if (!value->is_set)
		return 0;
	if (!value->is_string) {
		*out = value->int_value;
		return 0;
	}
	const char *text = value->str_value ? value->str_value : "";
	size_t len = strlen(text);
	if (len < 2 || text[len - 1] != '%')
		return -1;	/* "invalid type: string is not a percentage" */
	char *end;
	errno = 0;
	long long percent = strtoll(text, &end, 10);
	if (end != text + len - 1 || errno || percent < INT32_MIN || percent > INT32_MAX)
		return -1;
	int64_t scaled = percent * (int64_t)total;
	*out = (int32_t)(round_up ? -div_floor(-scaled, 100) : div_floor(scaled, 100));
	return 0;
}

/* ---- conditions and keys ------------------------------------------------- */

/* K8S: SetCondition's filterOutCondition + append: the changed condition
 * moves to the end, which is why `kubectl describe deployment` lists
 * Available before Progressing. */
void ctrl_condition_put(void *conditions_list, struct condition *cond)
{
	LIST_OF(struct condition) *list = conditions_list;
	ctrl_condition_remove(list, cond->type);
	size_t cap = list->len;
	xgrow((void **)&list->items, &cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = *cond;
	memset(cond, 0, sizeof(*cond));
}

bool ctrl_condition_remove(void *conditions_list, const char *type)
{
	LIST_OF(struct condition) *list = conditions_list;
	struct condition *slot = condition_find(list, type);
	if (!slot)
		return false;
	schema_release(&condition_schema, slot);
	size_t at = (size_t)(slot - list->items);
	memmove(slot, slot + 1, (list->len - at - 1) * sizeof(*slot));
	list->len--;
	return true;
}

void ctrl_split_key(const char *key, char **namespace, char **name)
{
	const char *slash = strchr(key, '/');
	*namespace = slash ? xstrndup(key, (size_t)(slash - key)) : NULL;
	*name = xstrdup(slash ? slash + 1 : key);
}

/* K8S: controller.ComputeHash: FNV-32a of the template (kubelab hashes its
 * JSON), then the collision count, then rand.SafeEncodeString of the
 * decimal number (an alphabet without vowels, so no words). The values
 * differ from a real cluster's; the role is the same. */
char *ctrl_template_hash(const struct pod_template_spec *template, int32_t collisions)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	struct json *json = json_from_struct(&pod_template_spec_schema, template);
	char *text = json_print(json, false);
	json_free(json);
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 16777619u;
	free(text);
	for (int i = 0; collisions && i < 8; i++)	/* 8 bytes, little endian */
		h = (h ^ (i < 4 ? ((uint32_t)collisions >> (8 * i)) & 0xff : 0)) * 16777619u;
	char digits[16];
	snprintf(digits, sizeof(digits), "%u", h);
	for (char *p = digits; *p; p++)
		*p = alphabet[(unsigned char)*p % (sizeof(alphabet) - 1)];
	return xstrdup(digits);
}

int ctrl_update_status(const struct client *client, const struct object *obj,
		       const void *status, int retries)
{
	const struct kind_info *kind = obj->kind;
	const struct schema *schema = kind->status_schema;
	BUG_ON(!schema);
	if (schema_equal(schema, status, (const char *)obj + kind->status_offset))
		return 0;
	const struct object *base = obj;
	for (int attempt = 0; attempt <= retries; attempt++) {
		struct object *next = object_copy(base);
		void *next_status = (char *)next + kind->status_offset;
		schema_release(schema, next_status);
		schema_copy(schema, next_status, status);
		struct api_status result;
		enum api_code code = client_update_status(client, next, &result);
		if (code == API_OK)
			return 0;
		if (code != API_CONFLICT)
			return -1;
		base = client_get(client, kind->id, obj->meta.namespace, obj->meta.name);
		if (!base || strcmp(base->meta.uid, obj->meta.uid))
			return -1;
	}
	return -1;
}
