/* selector_internal.h - declarations shared by the files of the label
 * selector module.
 *
 * Internal to selector.c, selector_label.c and selector_parse.c; nothing else
 * includes it. The public interface is selector.h.
 */
#ifndef KUBELAB_SELECTOR_INTERNAL_H
#define KUBELAB_SELECTOR_INTERNAL_H

#include "selector.h"

#include <stdbool.h>
#include <stddef.h>

/* A list of distinct messages: upstream aggregates field errors and prints
 * one alone, several as "[a, b]". Start from { 0 }. */
struct msgs {
	char **items;
	size_t len, cap;
};

/* Adds owned (taking it) unless an equal message is already there. */
void selector_msgs_add(struct msgs *m, char *owned);
/* Joins the messages with sep (in brackets when asked and there are
 * several), empties m and returns the text; caller frees. */
char *selector_msgs_join(struct msgs *m, const char *sep, bool brackets);

/* Go's %q for the strings we meet: quotes, escapes " and \ and control
 * bytes. Caller frees. */
char *selector_go_quote(const char *s);

/* K8S: labels.NewRequirement. Validates and fills *req with copies of key
 * and values; on failure sets *err and leaves *req untouched. */
int selector_requirement_init(struct selector_requirement *req, const char *key,
		     enum selector_op op, const char *const *values, size_t n,
		     struct err **err);
/* Appends *req to sel, which takes over its strings. */
void selector_append(struct selector *sel, const struct selector_requirement *req);
/* Sorts the requirements by key, stably (upstream's order). */
void selector_sort_by_key(struct selector *sel);

#endif
