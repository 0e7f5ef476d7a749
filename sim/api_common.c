/* api_common.c - schemas of the types several kinds share: label selectors,
 * conditions, object references.
 *
 * K8S: metav1.LabelSelector, metav1.LabelSelectorRequirement and
 * metav1.Condition (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/
 * types.go); v1.ObjectReference (staging/src/k8s.io/api/core/v1/types.go).
 *
 * A LabelSelector in a manifest is data: matchLabels and matchExpressions.
 * label_selector_compile turns it into a struct selector (selector.h) that
 * can match label sets, as upstream's metav1.LabelSelectorAsSelector does.
 *
 * The condition schema is the union of every kind's condition type
 * (PodCondition has lastProbeTime, NodeCondition lastHeartbeatTime,
 * DeploymentCondition lastUpdateTime): each kind's conditions print only
 * the times its controller sets, because zero times are omitted.
 */
#include "api_common.h"
#include "selector.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The operators of label selectors (In, NotIn, Exists, DoesNotExist) and of
 * node selectors (the same plus Gt, Lt) share one requirement type, so the
 * table allows all six; label_selector_compile rejects Gt and Lt, which
 * a label selector does not take, as upstream does. */
static const char *const selector_operators[] = {
	"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", NULL
};

static const struct field selector_requirement_spec_fields[] = {
	{ "key", FIELD_STRING, .offset = offsetof(struct selector_requirement_spec, key),
	  .flags = FIELD_REQUIRED },
	{ "operator", FIELD_STRING,
	  .offset = offsetof(struct selector_requirement_spec, operator),
	  .flags = FIELD_REQUIRED, .allowed = selector_operators },
	{ "values", FIELD_LIST, .offset = offsetof(struct selector_requirement_spec, values),
	  .elem = FIELD_STRING },
};

const struct schema selector_requirement_spec_schema = {
	"LabelSelectorRequirement", sizeof(struct selector_requirement_spec),
	FIELDS(selector_requirement_spec_fields)
};

static const struct field label_selector_fields[] = {
	{ "matchLabels", FIELD_STRMAP, .offset = offsetof(struct label_selector, match_labels) },
	{ "matchExpressions", FIELD_LIST,
	  .offset = offsetof(struct label_selector, match_expressions),
	  .schema = &selector_requirement_spec_schema, .elem = FIELD_STRUCT },
};

const struct schema label_selector_schema = {
	"LabelSelector", sizeof(struct label_selector), FIELDS(label_selector_fields)
};

static const char *const condition_statuses[] = { "True", "False", "Unknown", NULL };

static const struct field condition_fields[] = {
	{ "type", FIELD_STRING, .offset = offsetof(struct condition, type),
	  .flags = FIELD_REQUIRED | FIELD_INTERN },
	{ "status", FIELD_STRING, .offset = offsetof(struct condition, status),
	  .flags = FIELD_REQUIRED, .allowed = condition_statuses },
	{ "lastProbeTime", FIELD_TIME, .offset = offsetof(struct condition, last_probe_time) },
	{ "lastHeartbeatTime", FIELD_TIME,
	  .offset = offsetof(struct condition, last_heartbeat_time) },
	{ "lastUpdateTime", FIELD_TIME, .offset = offsetof(struct condition, last_update_time) },
	{ "lastTransitionTime", FIELD_TIME,
	  .offset = offsetof(struct condition, last_transition_time) },
	{ "reason", FIELD_STRING, .offset = offsetof(struct condition, reason),
	  .flags = FIELD_INTERN },
	{ "message", FIELD_STRING, .offset = offsetof(struct condition, message) },
};

const struct schema condition_schema = {
	"Condition", sizeof(struct condition), FIELDS(condition_fields)
};

static const struct field object_reference_fields[] = {
	{ "apiVersion", FIELD_STRING, .offset = offsetof(struct object_reference, api_version) },
	{ "kind", FIELD_STRING, .offset = offsetof(struct object_reference, kind) },
	{ "namespace", FIELD_STRING, .offset = offsetof(struct object_reference, namespace) },
	{ "name", FIELD_STRING, .offset = offsetof(struct object_reference, name) },
	{ "uid", FIELD_STRING, .offset = offsetof(struct object_reference, uid) },
	{ "fieldPath", FIELD_STRING, .offset = offsetof(struct object_reference, field_path) },
};

const struct schema object_reference_schema = {
	"ObjectReference", sizeof(struct object_reference), FIELDS(object_reference_fields)
};

/* K8S: metav1.LabelSelectorAsSelector. The strings are borrowed from spec
 * for the call; selector_from_parts copies what it keeps, and rejects the
 * node-only operators Gt and Lt ("\"Gt\" is not a valid pod selector
 * operator"). */
int label_selector_compile(const struct label_selector *spec,
			   struct selector *out, struct err **err)
{
	size_t n = spec->match_expressions.len;
	struct selector_expression *exprs = n ? xcalloc(n, sizeof(*exprs)) : NULL;

	for (size_t i = 0; i < n; i++) {
		const struct selector_requirement_spec *req =
			&spec->match_expressions.items[i];
		exprs[i].key = req->key ? req->key : "";
		exprs[i].op = req->operator ? req->operator : "";
		exprs[i].values = (const char *const *)req->values.items;
		exprs[i].values_len = req->values.len;
	}
	int rc = selector_from_parts(&spec->match_labels, exprs, n, out, err);
	free(exprs);
	return rc;
}

struct condition *condition_find(void *conditions_list, const char *type)
{
	/* Every kind's conditions field is a LIST_OF(struct condition). */
	LIST_OF(struct condition) *list = conditions_list;
	for (size_t i = 0; i < list->len; i++)
		if (list->items[i].type && !strcmp(list->items[i].type, type))
			return &list->items[i];
	return NULL;
}
