/* diag.h - positioned diagnostics for user input (scenarios, manifests).
 *
 * The loader does not stop at the first problem: it collects every one with
 * file:line:column and reports them all, as a compiler does. Lines and
 * columns are 1-based. A run never starts when the list is non-empty.
 */
#ifndef KUBELAB_DIAG_H
#define KUBELAB_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct diag {
	char *file;	/* owned */
	int line;	/* 1-based; 0 when unknown */
	int column;	/* 1-based; 0 when unknown */
	char *msg;	/* owned: "expected a duration such as 30s, got 'ten'" */
};

struct diag_list {
	struct diag *items;
	size_t len, cap;
};

void diag_add(struct diag_list *list, const char *file, int line, int column,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_vadd(struct diag_list *list, const char *file, int line, int column,
	       const char *fmt, va_list ap);
/* Prints "file:line:column: error: msg" lines, one per diagnostic. */
void diag_print(const struct diag_list *list, FILE *out);
void diag_release(struct diag_list *list);	/* frees items, keeps list */

#endif
