/* xmalloc.h - allocation that never returns NULL.
 *
 * kubelab treats running out of memory as fatal: xmalloc() and friends print
 * "kubelab: out of memory" and abort, so no caller needs a NULL check after an
 * allocation (git and redis do the same). Everything returned here is freed
 * with free().
 */
#ifndef KUBELAB_XMALLOC_H
#define KUBELAB_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);           /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated string formatted as by printf; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *items (of element size elem) so that it holds at least need
 * elements; *cap is the current capacity in elements. Doubling growth. */
void xgrow(void **items, size_t *cap, size_t need, size_t elem);

/* A bug: a broken invariant. Stays on in every build (unlike assert). */
#define BUG_ON(cond) \
	do { if (cond) bug_report(__FILE__, __LINE__, #cond); } while (0)
void bug_report(const char *file, int line, const char *what)
	__attribute__((noreturn));

#endif
