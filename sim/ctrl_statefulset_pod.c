/* ctrl_statefulset_pod.c - what a StatefulSet's pod i looks like: its
 * name, labels, hostname and claims.
 *
 * K8S: pkg/controller/statefulset/stateful_set_utils.go (getPodName,
 * getParentNameAndOrdinal, initIdentity, updateStorage,
 * getPersistentVolumeClaims, newVersionedStatefulSetPod). The revision
 * a pod is labelled with is a ControllerRevision's name (ctrl_history.c).
 *
 * These are pure functions of the set and an ordinal: nothing here reads
 * the API or records an event. The controller (ctrl_statefulset.c)
 * decides when to create which pod; this file decides what it is.
 *
 * Interface: ctrl_statefulset.h. The functions returning objects return a
 * new reference the caller hands to client_create or drops with
 * object_unref; strings are the caller's to free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_statefulset.h"
#include "ctrl_util.h"
#include "json.h"
#include "xmalloc.h"


/* ---- identity and storage ------------------------------------------------ */

/* K8S: getParentNameAndOrdinal + isMemberOf: the ordinal of a pod named
 * SET-N (N in canonical decimal), or -1 for a pod that is not one. */
int sts_pod_ordinal(const struct stateful_set *set, const struct object *pod)
{
	size_t len = strlen(set->obj.meta.name);
	const char *name = pod->meta.name;
	if (strncmp(name, set->obj.meta.name, len) || name[len] != '-')
		return -1;
	const char *digits = name + len + 1;
	if (!*digits || strspn(digits, "0123456789") != strlen(digits) ||
	    (digits[0] == '0' && digits[1]) || strlen(digits) > 9)
		return -1;
	return atoi(digits);
}

/* K8S: getPersistentVolumeClaimName: TEMPLATE-SET-ORDINAL. Caller frees. */
char *sts_claim_name(const struct stateful_set *set,
		     const struct persistent_volume_claim_template *tmpl, int ordinal)
{
	return xasprintf("%s-%s-%d", tmpl->metadata.name, set->obj.meta.name, ordinal);
}

/* K8S: getPersistentVolumeClaims: the template's claim under its
 * per-ordinal name, labelled with the set's matchLabels, defaulted as
 * the API server would (status.phase Pending until a PV binds it). */
struct persistent_volume_claim *sts_new_claim(const struct stateful_set *set,
					      const struct persistent_volume_claim_template *tmpl,
					      int ordinal)
{
	struct persistent_volume_claim *claim =
		(struct persistent_volume_claim *)object_new(&persistent_volume_claim_kind);
	claim->obj.meta.name = sts_claim_name(set, tmpl, ordinal);
	claim->obj.meta.namespace = xstrdup(set->obj.meta.namespace);
	strmap_copy(&claim->obj.meta.labels, &tmpl->metadata.labels);
	const struct strmap *match = &set->spec.selector.match_labels;
	for (size_t i = 0; i < match->len; i++)
		strmap_set(&claim->obj.meta.labels, match->items[i].key, match->items[i].value);
	strmap_copy(&claim->obj.meta.annotations, &tmpl->metadata.annotations);
	schema_copy(&persistent_volume_claim_spec_schema, &claim->spec, &tmpl->spec);
	schema_apply_defaults(persistent_volume_claim_kind.schema, &claim->obj);
	return claim;
}

/* K8S: createPersistentVolumeClaims: creates each of the pod's claims that
 * does not exist yet, with a SuccessfulCreate/FailedCreate event per
 * claim. Returns 0, or -1 with *why set (first failure wins). */
static void set_storage(const struct stateful_set *set, struct pod *pod, int ordinal)
{
	const struct field *volumes = schema_field(&pod_spec_schema, "volumes");
	size_t claims = set->spec.volume_claim_templates.len;
	if (!claims)
		return;
	size_t old_len = pod->spec.volumes.len;
	struct volume *out = xcalloc(claims + old_len, sizeof(*out));
	size_t len = 0;
	for (size_t i = 0; i < claims; i++) {
		const struct persistent_volume_claim_template *tmpl =
			&set->spec.volume_claim_templates.items[i];
		out[len].name = xstrdup(tmpl->metadata.name);
		out[len].persistent_volume_claim.claim_name = sts_claim_name(set, tmpl, ordinal);
		len++;
	}
	for (size_t i = 0; i < old_len; i++) {
		struct volume *v = &pod->spec.volumes.items[i];
		bool replaced = false;
		for (size_t k = 0; k < claims; k++)
			replaced |= !strcmp(v->name,
					    set->spec.volume_claim_templates.items[k].metadata.name);
		if (replaced)
			schema_release(volumes->schema, v);
		else
			out[len++] = *v;	/* moved */
	}
	free(pod->spec.volumes.items);
	pod->spec.volumes.items = out;
	pod->spec.volumes.len = len;
}

/* K8S: newVersionedStatefulSetPod (newStatefulSetPod, initIdentity,
 * updateStorage, setPodRevision): pod ordinal of set from template. */
struct pod *sts_new_pod(const struct stateful_set *set,
			const struct pod_template_spec *template,
			const char *revision, int ordinal)
{
	struct pod *pod = ctrl_pod_from_template(template, &set->obj);
	free(pod->obj.meta.generate_name);
	pod->obj.meta.generate_name = NULL;
	pod->obj.meta.name = xasprintf("%s-%d", set->obj.meta.name, ordinal);
	char index[16];
	snprintf(index, sizeof(index), "%d", ordinal);
	strmap_set(&pod->obj.meta.labels, STS_POD_NAME_LABEL, pod->obj.meta.name);
	strmap_set(&pod->obj.meta.labels, STS_POD_INDEX_LABEL, index);
	strmap_set(&pod->obj.meta.labels, STS_REVISION_LABEL, revision);
	free(pod->spec.hostname);
	pod->spec.hostname = xstrdup(pod->obj.meta.name);
	free(pod->spec.subdomain);
	pod->spec.subdomain = set->spec.service_name ? xstrdup(set->spec.service_name) : NULL;
	set_storage(set, pod, ordinal);
	return pod;
}
