/* sched_queueing_hints.c - asking the rejecting plugins whether an event helps.
 *
 * K8S: pkg/scheduler/backend/queue/scheduling_queue.go (isPodWorthRequeuing),
 * pkg/scheduler/framework/events.go (MatchClusterEvents),
 * framework/runtime/framework.go (a plugin without EnqueueExtensions is
 * registered for every event). See sched_queueing_hints.h for the model.
 */
#include "sched_queueing_hints.h"

#include <string.h>

#include "sched_framework.h"

bool sched_event_matches(const struct sched_event *registered,
			 const struct sched_event *event)
{
	if (registered->resource != SCHED_RESOURCE_WILDCARD &&
	    registered->resource != event->resource)
		return false;
	return (registered->actions & event->actions) != 0;
}

bool sched_hint_pod_placed(const struct pod *pod)
{
	return (pod->spec.node_name && *pod->spec.node_name) ||
	       (pod->status.nominated_node_name && *pod->status.nominated_node_name);
}

enum sched_hint sched_hint_pod_claim_changed(const struct sched_hint_input *in)
{
	const struct object *claim = in->new_obj ? in->new_obj : in->old_obj;
	const struct pod_spec *spec = &in->pod->spec;
	if (strcmp(claim->meta.namespace, in->pod->obj.meta.namespace))
		return SCHED_HINT_SKIP;
	for (size_t i = 0; i < spec->volumes.len; i++) {
		const char *name = spec->volumes.items[i].persistent_volume_claim.claim_name;
		if (name && !strcmp(name, claim->meta.name))
			return SCHED_HINT_QUEUE;
	}
	return SCHED_HINT_SKIP;
}

/* One plugin's answer: does it register the event, and does its hint say
 * Queue? */
static bool plugin_says_queue(const struct sched_plugin *plugin,
			      const struct sched_event *event,
			      const struct sched_hint_input *in)
{
	const struct sched_event_hint *table = plugin->events_to_register;
	if (!table)
		return true;	/* K8S: no EnqueueExtensions: every event, Queue */
	for (; table->event.actions; table++) {
		if (!sched_event_matches(&table->event, event))
			continue;
		if (!table->hint || table->hint(in) == SCHED_HINT_QUEUE)
			return true;
	}
	return false;
}

/* LAB: sched-queueing-hint */
bool sched_hints_worth_requeuing(uint32_t rejectors, const struct sched_event *event,
				 const struct sched_hint_input *in,
				 const struct sched_plugin **by)
{
	*by = NULL;
	if (!rejectors)
		return true;	/* rejected by no plugin (an error): any event */
	for (unsigned id = 0; id < SCHED_PLUGIN_MAX; id++) {
		if (!(rejectors & (1u << id)))
			continue;
		const struct sched_plugin *plugin = sched_plugin_by_id((enum sched_plugin_id)id);
		if (!plugin)
			continue;
		if (plugin_says_queue(plugin, event, in)) {
			*by = plugin;
			return true;
		}
	}
	return false;
}
