/* diag.c - collected, positioned diagnostics; see diag.h. */
#include "diag.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdlib.h>

void diag_vadd(struct diag_list *list, const char *file, int line, int column,
	       const char *fmt, va_list ap)
{
	xgrow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	struct diag *d = &list->items[list->len++];
	d->file = xstrdup(file ? file : "<input>");
	d->line = line;
	d->column = column;
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	d->msg = xmalloc((size_t)len + 1);
	vsnprintf(d->msg, (size_t)len + 1, fmt, ap);
}

void diag_add(struct diag_list *list, const char *file, int line, int column,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(list, file, line, column, fmt, ap);
	va_end(ap);
}

void diag_print(const struct diag_list *list, FILE *out)
{
	for (size_t i = 0; i < list->len; i++) {
		const struct diag *d = &list->items[i];
		if (d->line > 0)
			fprintf(out, "%s:%d:%d: error: %s\n", d->file, d->line,
				d->column, d->msg);
		else
			fprintf(out, "%s: error: %s\n", d->file, d->msg);
	}
}

void diag_release(struct diag_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		free(list->items[i].file);
		free(list->items[i].msg);
	}
	free(list->items);
	list->items = NULL;
	list->len = list->cap = 0;
}
