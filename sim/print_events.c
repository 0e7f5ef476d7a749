/* print_events.c - Events as `kubectl get events` and `kubectl describe`
 * show them.
 *
 * K8S: an Event (core/v1) is an object of its own, written by the
 * component that saw something happen (the scheduler's Scheduled, the
 * kubelet's Pulled and BackOff) and pointing at its subject through
 * involvedObject. Repeats are folded into one Event with a count, which is
 * why describe shows "37s (x3 over 2m)": last seen 37s ago, three times,
 * first 2m ago.
 *   `kubectl get events`: printEvent in
 *     pkg/printers/internalversion/printers.go (the rows; print_table.c);
 *   `kubectl describe`: DescribeEvents in
 *     staging/src/k8s.io/kubectl/pkg/describe/describe.go, sorted by
 *     lastTimestamp (kubectl/pkg/util/event/sorted_event_list.go);
 *   which events are "about" an object: searchEvents there, a field
 *     selector on involvedObject name, namespace, kind and uid.
 *
 * Interface: print_events (print.h); print_events_about and
 * print_describe_events (print_internal.h).
 */
#include "print_internal.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* True when ev is about obj. The uid identifies the object across a
 * delete and re-create of the same name, as upstream's selector does;
 * the kubelet reports node events with the node's name as uid
 * (K8S: NodeDescriber merges both queries). */
static bool event_is_about(const struct event *ev, const struct object *obj)
{
	const char *uid = ev->involved_object.uid;
	if (!uid)
		return false;
	if (obj->meta.uid && !strcmp(uid, obj->meta.uid))
		return true;
	return obj->kind->id == KIND_NODE && obj->meta.name &&
	       !strcmp(uid, obj->meta.name);
}

/* Sort by lastTimestamp; the store's order (by key) breaks ties, so the
 * output never depends on the sort algorithm. */
struct ranked {
	const struct object *obj;
	size_t index;
};

static int compare_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	ktime_t tx = ((const struct event *)x->obj)->last_timestamp;
	ktime_t ty = ((const struct event *)y->obj)->last_timestamp;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void print_events_about(const struct store *store, const struct object *obj,
			struct object_list *out)
{
	struct object_list all = { 0 };
	store_list(store, KIND_EVENT, NULL, NULL, &all);
	struct ranked *ranked = xcalloc(all.len + 1, sizeof(*ranked));
	size_t n = 0;
	for (size_t i = 0; i < all.len; i++) {
		const struct event *ev = object_as(all.items[i], KIND_EVENT, struct event);
		if (!obj || event_is_about(ev, obj))
			ranked[n++] = (struct ranked){ all.items[i], i };
	}
	qsort(ranked, n, sizeof(*ranked), compare_ranked);
	*out = (struct object_list){ 0 };
	out->items = xcalloc(n + 1, sizeof(*out->items));
	out->len = out->cap = n;
	for (size_t i = 0; i < n; i++)
		out->items[i] = ranked[i].obj;
	free(ranked);
	object_list_release(&all);
}

void print_events(FILE *out, const struct store *store, const struct object *obj,
		  const struct print_options *options)
{
	struct object_list events;
	print_events_about(store, obj, &events);
	print_table(out, KIND_EVENT, &events, options);
	object_list_release(&events);
}

/* K8S: strings.TrimSpace on the message. Returns the start; *len the
 * length without trailing blanks. */
static const char *trimmed(const char *text, int *len)
{
	text = text ? text : "";
	while (isspace((unsigned char)*text))
		text++;
	*len = (int)strlen(text);
	while (*len && isspace((unsigned char)text[*len - 1]))
		(*len)--;
	return text;
}

/* K8S: DescribeEvents. The table is laid out on its own: the tabwriter
 * is flushed first, so its columns do not widen the lines above. */
void print_describe_events(struct tabwriter *tw, const struct store *store,
			   const struct object *obj, ktime_t now)
{
	struct object_list events;
	print_events_about(store, obj, &events);
	if (!events.len) {
		tabwriter_put(tw, 0, "Events:\t<none>\n");
		object_list_release(&events);
		return;
	}
	tabwriter_flush(tw);
	tabwriter_put(tw, 0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
	tabwriter_put(tw, 1, "----\t------\t----\t----\t-------\n");
	for (size_t i = 0; i < events.len; i++) {
		const struct event *ev = object_as(events.items[i], KIND_EVENT, struct event);
		char first[PRINT_TIME_MAX], last[PRINT_TIME_MAX], age[3 * PRINT_TIME_MAX];
		print_age(now, ev->first_timestamp, first, sizeof(first));
		if (ev->count > 1) {
			print_age(now, ev->last_timestamp, last, sizeof(last));
			snprintf(age, sizeof(age), "%s (x%d over %s)", last, ev->count, first);
		} else {
			snprintf(age, sizeof(age), "%s", first);
		}
		const char *from = ev->source.component && *ev->source.component
			? ev->source.component : ev->reporting_component;
		int msg_len;
		const char *msg = trimmed(ev->message, &msg_len);
		tabwriter_put(tw, 1, "%s\t%s\t%s\t%s\t%.*s\n", ev->type ? ev->type : "",
			      ev->reason ? ev->reason : "", age, from ? from : "",
			      msg_len, msg);
	}
	object_list_release(&events);
}
