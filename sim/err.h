/* err.h - environment failures as values, carried up with context.
 *
 * kubelab keeps three kinds of failure apart (docs/architecture.md):
 *   1. a bug is BUG_ON() (xmalloc.h), on in every build;
 *   2. an environment failure (a file, a syscall, a bad command-line flag) is
 *      a struct err, described here;
 *   3. a Kubernetes outcome (NotFound, Conflict, Unschedulable) is data: a
 *      return code or a status field, never a struct err.
 *
 * A function that can fail takes `struct err **err` as its last argument and
 * returns 0 / -1 (or a pointer / NULL). On failure it sets *err with
 * err_set(); callers may add context with err_prefix(). Only main() prints
 * the message and frees it with err_free(). Passing err == NULL means the
 * caller does not want the message.
 */
#ifndef KUBELAB_ERR_H
#define KUBELAB_ERR_H

struct err {
	char *msg;	/* owned: "cannot open 'x.yaml': No such file or directory" */
};

/* Sets *err to a new error unless err is NULL or *err is already set (the
 * first, innermost cause wins). Always returns -1 so callers can write
 * `return err_set(err, ...)`. */
int err_set(struct err **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends context: "loading scenario: " + existing message. No-op when
 * err or *err is NULL. */
void err_prefix(struct err **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_free(struct err *err);

#endif
