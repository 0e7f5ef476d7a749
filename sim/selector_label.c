/* selector_label.c - the rules for label keys and values; see selector.h.
 *
 * A label key is an optional DNS-subdomain prefix and a slash, then a name
 * of at most 63 alphanumerics, '-', '_' and '.' that starts and ends with
 * an alphanumeric (`app`, `app.kubernetes.io/name`); a value is empty or
 * such a name. The API server rejects anything else, and so does every
 * selector built here. The messages keep upstream's words, regex included.
 *
 * K8S: k8s.io/apimachinery/pkg/api/validate/content/kube.go (IsLabelKey,
 *      IsLabelValue); k8s.io/apimachinery/pkg/util/validation.
 *
 * Interface: selector_check_key() and selector_check_value() (selector.h).
 *
 * Invariants: both are pure functions of their argument; NULL means valid,
 * otherwise the caller frees the message.
 *
 * See also: selector.c (requirements, which call these checks).
 */
#include "selector.h"
#include "selector_internal.h"
#include "xmalloc.h"

#include <string.h>

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool is_label_name(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* A lowercase RFC 1123 subdomain: dot-separated labels of [-a-z0-9] that
 * start and end with [a-z0-9]. */
static bool is_dns_subdomain(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start)
			return false;	/* empty label */
		for (size_t j = start; j < i; j++) {
			bool edge = j == start || j == i - 1;
			bool lower = (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9');
			if (!lower && (edge || s[j] != '-'))
				return false;
		}
		start = i + 1;
	}
	return true;
}

#define LABEL_NAME_RE "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_NAME_MSG "must consist of alphanumeric characters, '-', '_' or '.', " \
	"and must start and end with an alphanumeric character (e.g. 'MyName',  " \
	"or 'my.name',  or '123-abc', regex used for validation is '" LABEL_NAME_RE "')"
#define DNS_SUBDOMAIN_RE "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define DNS_SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of lower case " \
	"alphanumeric characters, '-' or '.', and must start and end with an " \
	"alphanumeric character (e.g. 'example.com', regex used for validation is '" \
	DNS_SUBDOMAIN_RE "')"

/* K8S: content.IsLabelKey - [prefix/]name, prefix a DNS subdomain of at
 * most 253 bytes, name at most 63 bytes. */
char *selector_check_key(const char *key)
{
	struct msgs m = { 0 };
	const char *slash = strchr(key, '/');
	const char *name = key;
	if (slash && strchr(slash + 1, '/'))
		return xstrdup("a valid label key " LABEL_NAME_MSG " with an optional DNS "
			       "subdomain prefix and '/' (e.g. 'example.com/MyName')");
	if (slash) {
		size_t prefix_len = (size_t)(slash - key);
		name = slash + 1;
		if (prefix_len == 0)
			selector_msgs_add(&m, xstrdup("prefix part must be non-empty"));
		if (prefix_len > 253)
			selector_msgs_add(&m, xstrdup("prefix part must be no more than 253 bytes"));
		if (prefix_len && !is_dns_subdomain(key, prefix_len))
			selector_msgs_add(&m, xstrdup("prefix part " DNS_SUBDOMAIN_MSG));
	}
	size_t name_len = strlen(name);
	if (name_len == 0)
		selector_msgs_add(&m, xstrdup("name part must be non-empty"));
	else if (name_len > 63)
		selector_msgs_add(&m, xstrdup("name part must be no more than 63 bytes"));
	if (!is_label_name(name, name_len))
		selector_msgs_add(&m, xstrdup("name part " LABEL_NAME_MSG));
	return m.len ? selector_msgs_join(&m, "; ", false) : NULL;
}

/* K8S: content.IsLabelValue - empty, or a label name of at most 63 bytes. */
char *selector_check_value(const char *value)
{
	struct msgs m = { 0 };
	size_t len = strlen(value);
	if (len > 63)
		selector_msgs_add(&m, xstrdup("must be no more than 63 bytes"));
	if (len && !is_label_name(value, len))
		selector_msgs_add(&m, xstrdup("a valid label must be an empty string or consist of "
				     "alphanumeric characters, '-', '_' or '.', and must start "
				     "and end with an alphanumeric character (e.g. 'MyValue',  "
				     "or 'my_value',  or '12345', regex used for validation is "
				     "'(" LABEL_NAME_RE ")?')"));
	return m.len ? selector_msgs_join(&m, "; ", false) : NULL;
}
