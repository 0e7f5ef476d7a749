/* sched_status.c - a plugin's status: its code and its reasons.
 *
 * K8S: staging/src/k8s.io/kube-scheduler/framework/interface.go (fwk.Code,
 * fwk.Status, NewStatus, Status.AppendReason, Code.String).
 *
 * Interface: sched_framework.h (sched_code_name, sched_status_*). A
 * status is a plain value on the caller's stack: nothing here allocates.
 * Invariants: the first non-Success code sticks, except that
 * UnschedulableAndUnresolvable overrides any; reasons beyond
 * SCHED_STATUS_REASONS_MAX are dropped and text beyond text[] is cut; a
 * formatted reason points into the status's own text[] (sched_status_copy
 * repoints it), a static one is borrowed.
 */
#include "sched_framework.h"

#include <stdarg.h>
#include <stdio.h>

#include "xmalloc.h"

const char *sched_code_name(enum sched_code code)
{
	static const char *const names[] = {
		[SCHED_SUCCESS] = "Success",
		[SCHED_UNSCHEDULABLE] = "Unschedulable",
		[SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE] = "UnschedulableAndUnresolvable",
		[SCHED_SKIP] = "Skip",
		[SCHED_ERROR] = "Error",
		[SCHED_WAIT] = "Wait",
	};
	return names[code];
}

/* ---- statuses ------------------------------------------------------------ */

static void raise_code(struct sched_status *status, enum sched_code code)
{
	if (status->code == SCHED_SUCCESS || code == SCHED_UNSCHEDULABLE_AND_UNRESOLVABLE)
		status->code = code;
}

enum sched_code sched_status_add(struct sched_status *status,
				 enum sched_code code, const char *reason)
{
	raise_code(status, code);
	if (status->reasons_len < SCHED_STATUS_REASONS_MAX)
		status->reasons[status->reasons_len++] = reason;
	return status->code;
}

void sched_status_copy(struct sched_status *dst, const struct sched_status *src)
{
	*dst = *src;
	for (size_t i = 0; i < dst->reasons_len; i++) {
		uintptr_t at = (uintptr_t)src->reasons[i] - (uintptr_t)src->text;
		if (at < sizeof(src->text))
			dst->reasons[i] = dst->text + at;
	}
}

enum sched_code sched_status_addf(struct sched_status *status,
				  enum sched_code code, const char *fmt, ...)
{
	size_t room = SCHED_STATUS_TEXT_MAX - status->text_len;
	if (room == 0 || status->reasons_len == SCHED_STATUS_REASONS_MAX) {
		raise_code(status, code);
		return status->code;
	}
	char *at = status->text + status->text_len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	BUG_ON(n < 0);
	status->text_len += (size_t)n < room ? (size_t)n + 1 : room;
	return sched_status_add(status, code, at);
}

enum sched_code sched_status_wait(struct sched_status *status, ktime_t timeout)
{
	status->code = SCHED_WAIT;
	status->wait_timeout = timeout;
	return SCHED_WAIT;
}
