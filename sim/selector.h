/* selector.h - Kubernetes label selectors: parse, build, match, print.
 *
 * Kubernetes objects find each other through labels: a Deployment owns the
 * Pods its selector matches, a Service sends traffic to them, `kubectl get
 * pods -l app=web` lists them. A selector is an AND of requirements, each
 * a key, an operator and values:
 *   app=web  app!=web  tier in (a,b)  tier notin (a,b)  canary  !canary
 * plus the node-affinity style `replicas>3` and `replicas<3`, which compare
 * label values as integers.
 * K8S: k8s.io/apimachinery/pkg/labels/selector.go (string syntax, lexer,
 *      parser, Requirement.Matches, String);
 *      k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector
 *      (matchLabels + matchExpressions);
 *      k8s.io/apimachinery/pkg/api/validate/content/kube.go (label key and
 *      value rules).
 *
 * Interface: selector_parse() reads the string syntax, selector_from_parts()
 * the matchLabels/matchExpressions form of a manifest; selector_matches()
 * tests a label set; selector_to_string() prints upstream's canonical form.
 *
 * Invariants of a built selector:
 *   - every key is a valid label key and every value (except the operand of
 *     > and <) a valid label value, as upstream's NewRequirement checks;
 *   - requirements are sorted by key, stably, as upstream's Add sorts them;
 *   - an empty selector (len 0, !match_nothing) matches everything: it is
 *     what `selector: {}` means. match_nothing is the nil LabelSelector
 *     (labels.Nothing()): it matches no object at all.
 *
 * Differences from upstream, kept small on purpose: `==` is stored as `=`
 * (upstream keeps DoubleEquals and prints it back as `==`), and an invalid
 * key in the string syntax is reported as "key: Invalid value: ..." where
 * upstream prints a nil field path ("<nil>: Invalid value: ...").
 *
 * Ownership: struct selector is embedded by its owner and owns its
 * requirements, keys and values; free them with selector_release().
 */
#ifndef KUBELAB_SELECTOR_H
#define KUBELAB_SELECTOR_H

#include "err.h"
#include "strmap.h"

#include <stdbool.h>
#include <stddef.h>

enum selector_op {
	SELECTOR_EQUALS,	/* key=v (also key==v) */
	SELECTOR_NOT_EQUALS,	/* key!=v: also true when key is absent */
	SELECTOR_IN,		/* key in (a,b) */
	SELECTOR_NOT_IN,	/* key notin (a,b): also true when key is absent */
	SELECTOR_EXISTS,	/* key */
	SELECTOR_DOES_NOT_EXIST,	/* !key */
	SELECTOR_GT,		/* key>3: label value, as an integer, above 3 */
	SELECTOR_LT,		/* key<3 */
};

/* The key and values are interned (schema_intern): the labels of stored
 * objects are too, so matching them is mostly a pointer compare. */
struct selector_requirement {
	const char *key;
	enum selector_op op;
	const char **values;	/* none for EXISTS / DOES_NOT_EXIST */
	size_t values_len;
};

struct selector {
	struct selector_requirement *reqs;	/* sorted by key */
	size_t len;
	bool match_nothing;	/* the nil selector: matches no labels */
};

/* Parses the string syntax, e.g. "app=web,tier in (a,b),!canary,env!=prod".
 * Whitespace around tokens is ignored; "" is the empty selector. Values of
 * in/notin are sorted and de-duplicated, as upstream's parser does. On
 * success fills *out (which the caller later releases) and returns 0; on
 * failure returns -1 with *err set to upstream's message, such as
 * "unable to parse requirement: found '', expected: identifier", and leaves
 * *out empty. */
int selector_parse(const char *text, struct selector *out, struct err **err);

/* One entry of matchExpressions, borrowed: operator is spelled as in a
 * manifest ("In", "NotIn", "Exists", "DoesNotExist"). */
struct selector_expression {
	const char *key;
	const char *op;
	const char *const *values;
	size_t values_len;
};

/* Builds a selector from a LabelSelector's matchLabels (may be NULL) and
 * matchExpressions (exprs may be NULL when exprs_len is 0), as
 * LabelSelectorAsSelector does: with neither, the selector is empty and
 * matches everything. Values keep their order (they are sorted only when
 * printed). Returns 0, or -1 with *err ("\"Foo\" is not a valid pod
 * selector operator", "values: Invalid value: ...") leaving *out empty.
 * A nil LabelSelector is selector_init_nothing(), not this. */
int selector_from_parts(const struct strmap *match_labels,
			const struct selector_expression *exprs, size_t exprs_len,
			struct selector *out, struct err **err);

/* Makes *out the nil selector, which matches nothing (labels.Nothing()). */
void selector_init_nothing(struct selector *out);

/* True when labels satisfy every requirement. */
bool selector_matches(const struct selector *sel, const struct strmap *labels);

/* True for the empty selector, which matches everything. */
bool selector_is_empty(const struct selector *sel);

/* Upstream's String(): requirements in key order, joined by ",", values of
 * in/notin sorted: "app=web,tier in (a,b),!canary". "" for the empty and
 * the nil selector. Caller frees. */
char *selector_to_string(const struct selector *sel);

/* Deep copy into *dst (not initialised); release both independently. */
void selector_copy(struct selector *dst, const struct selector *src);

void selector_release(struct selector *sel);	/* leaves *sel empty */

/* The label rules, for other validators (metadata.labels). Each returns
 * NULL when valid, else a new string with upstream's explanation, e.g.
 * "name part must be no more than 63 bytes"; caller frees. */
char *selector_check_key(const char *key);	/* K8S: content.IsLabelKey */
char *selector_check_value(const char *value);	/* K8S: content.IsLabelValue */

#endif
