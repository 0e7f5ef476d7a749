/* sched_waiting.c - waiting pods: Allow, Reject, timeouts; see sched_waiting.h.
 *
 * K8S: pkg/scheduler/framework/runtime/waiting_pods_map.go and the
 * waiting-pod half of framework/runtime/framework.go.
 *
 * A waiting pod is a list of plugins it still waits for, each with its
 * own timeout timer. Allow crosses one off; the last one off decides
 * Success. Reject, or a timeout, decides Unschedulable at once and stops
 * every timer. A decision is handed to the scheduler by a zero-delay
 * timer (upstream's channel), never within the call that made it.
 */
#include "sched_waiting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "xmalloc.h"

/* ---- the verdict --------------------------------------------------------- */

static void wake(void *arg)
{
	struct sched_waiting_pod *wp = arg;
	wp->wake = 0;
	/* done takes wp over (and frees it). */
	wp->owner->done(wp->owner->done_arg, wp, &wp->verdict);
}

static void stop_timers(struct sched_waiting_pod *wp)
{
	const struct clock *clock = wp->owner->clock;
	for (size_t i = 0; i < wp->pending_len; i++) {
		if (wp->pending[i].timer)
			clock_cancel(clock, wp->pending[i].timer);
		wp->pending[i].timer = 0;
	}
}

/* The first verdict wins (upstream: a non-blocking send into a channel
 * with room for one). */
static void decide(struct sched_waiting_pod *wp)
{
	wp->decided = true;
	wp->wake = clock_after(wp->owner->clock, 0, wake, wp);
}

void sched_waiting_pod_allow(struct sched_waiting_pod *wp, const char *plugin)
{
	if (wp->decided)
		return;
	for (size_t i = 0; i < wp->pending_len; i++) {
		if (strcmp(wp->pending[i].name, plugin))
			continue;
		if (wp->pending[i].timer)
			clock_cancel(wp->owner->clock, wp->pending[i].timer);
		wp->pending[i] = wp->pending[--wp->pending_len];
		break;
	}
	/* K8S: only once every plugin has allowed it. */
	if (wp->pending_len)
		return;
	sched_status_reset(&wp->verdict);
	decide(wp);
}

void sched_waiting_pod_reject(struct sched_waiting_pod *wp, const char *plugin,
			      const char *message)
{
	if (wp->decided)
		return;
	stop_timers(wp);
	sched_status_reset(&wp->verdict);
	sched_status_addf(&wp->verdict, SCHED_UNSCHEDULABLE, "%s", message);
	wp->verdict.plugin = plugin && *plugin ? sched_plugin_lookup(plugin) : NULL;
	decide(wp);
}

/* K8S: the time.AfterFunc of newWaitingPod. */
static void timed_out(void *arg)
{
	struct sched_waiting_plugin *p = arg;
	p->timer = 0;
	char waited[DURATION_STR_MAX];
	duration_format(p->timeout, waited, sizeof(waited));
	char message[128 + DURATION_STR_MAX];
	snprintf(message, sizeof(message),
		 "rejected due to timeout after waiting %s at plugin %s", waited, p->name);
	sched_waiting_pod_reject(p->wp, p->name, message);
}

/* ---- the handle ---------------------------------------------------------- */

/* O(waiting pods): there are few, and only plugins that use them ask. */
static struct sched_waiting_pod *find(const struct sched_waiting_pods *w, const char *uid)
{
	for (struct sched_waiting_pod *wp = w->head; wp; wp = wp->next)
		if (!strcmp(wp->pod->obj.meta.uid, uid))
			return wp;
	return NULL;
}

struct sched_waiting_pod *sched_waiting_pod_get(const struct sched_state *state,
						const char *uid)
{
	return state->waiting ? find(state->waiting, uid) : NULL;
}

void sched_waiting_pods_iterate(const struct sched_state *state,
				void (*fn)(struct sched_waiting_pod *wp, void *arg),
				void *arg)
{
	if (!state->waiting)
		return;
	/* Allow and Reject only mark a pod; none leaves the list here. */
	for (struct sched_waiting_pod *wp = state->waiting->head; wp; wp = wp->next)
		fn(wp, arg);
}

const struct pod *sched_waiting_pod_pod(const struct sched_waiting_pod *wp)
{
	return wp->pod;
}

const char *sched_waiting_pod_pending(const struct sched_waiting_pod *wp, size_t i)
{
	return i < wp->pending_len ? wp->pending[i].name : NULL;
}

/* ---- the scheduler's side ------------------------------------------------ */

void sched_waiting_pods_init(struct sched_waiting_pods *w, const struct clock *clock,
			     sched_waiting_done_fn done, void *done_arg)
{
	memset(w, 0, sizeof(*w));
	w->clock = clock;
	w->done = done;
	w->done_arg = done_arg;
}

struct sched_waiting_pod *sched_waiting_pods_add(struct sched_waiting_pods *w,
						 void *binding, const struct pod *pod,
						 const char *node,
						 const struct sched_permit_waits *waits)
{
	BUG_ON(waits->len == 0 || waits->len > SCHED_PLUGIN_MAX);
	struct sched_waiting_pod *wp = xcalloc(1, sizeof(*wp));
	wp->owner = w;
	wp->binding = binding;
	wp->pod = pod;
	wp->node = node;
	wp->pending_len = waits->len;
	for (size_t i = 0; i < waits->len; i++) {
		struct sched_waiting_plugin *p = &wp->pending[i];
		p->wp = wp;
		p->name = waits->plugins[i]->name;
		p->timeout = waits->timeouts[i];
		p->timer = clock_after(w->clock, p->timeout, timed_out, p);
	}
	wp->prev = w->tail;
	if (w->tail)
		w->tail->next = wp;
	else
		w->head = wp;
	w->tail = wp;
	return wp;
}

void sched_waiting_pod_free(struct sched_waiting_pod *wp)
{
	if (!wp)
		return;
	struct sched_waiting_pods *w = wp->owner;
	stop_timers(wp);
	if (wp->wake)
		clock_cancel(w->clock, wp->wake);
	if (wp->prev)
		wp->prev->next = wp->next;
	else
		w->head = wp->next;
	if (wp->next)
		wp->next->prev = wp->prev;
	else
		w->tail = wp->prev;
	free(wp);
}

bool sched_waiting_pods_reject_uid(struct sched_waiting_pods *w, const char *uid)
{
	struct sched_waiting_pod *wp = find(w, uid);
	if (!wp)
		return false;
	sched_waiting_pod_reject(wp, "", "removed");
	return true;
}

size_t sched_waiting_pods_len(const struct sched_waiting_pods *w)
{
	size_t n = 0;
	for (const struct sched_waiting_pod *wp = w->head; wp; wp = wp->next)
		n++;
	return n;
}
