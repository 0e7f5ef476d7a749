/* err.c - error values with context; see err.h for the convention. */
#include "err.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	BUG_ON(len < 0);
	char *buf = xmalloc((size_t)len + 1);
	vsnprintf(buf, (size_t)len + 1, fmt, ap);
	return buf;
}

int err_set(struct err **err, const char *fmt, ...)
{
	if (!err || *err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	*err = xmalloc(sizeof(**err));
	(*err)->msg = vformat(fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(struct err **err, const char *fmt, ...)
{
	if (!err || !*err)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *context = vformat(fmt, ap);
	va_end(ap);
	char *joined = xasprintf("%s%s", context, (*err)->msg);
	free(context);
	free((*err)->msg);
	(*err)->msg = joined;
}

void err_free(struct err *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}
