/* sched_registry.c - the plugin registry and the profiles built from it.
 *
 * K8S: pkg/scheduler/framework/plugins/registry.go (the in-tree
 * registry), framework/runtime/registry.go (out-of-tree plugins) and
 * apis/config/v1/default_plugins.go (the default profile).
 *
 * Interface: sched_framework.h (sched_plugin_lookup, sched_plugin_by_id,
 * sched_plugin_register, sched_profile_default/enable/disable).
 * Invariants: a plugin's id is its index, in-tree ones first, then the
 * loaded ones in the order registered; names are unique; registered
 * plugins are never freed.
 */
#include "sched_framework.h"

#include <string.h>

#include "xmalloc.h"

/* In upstream's default order (default_plugins.go): Filter runs plugins in
 * this order and stops at the first rejection. */
static const struct sched_plugin *const registry[SCHED_PLUGIN_COUNT] = {
	[SCHED_PLUGIN_NODE_UNSCHEDULABLE] = &sched_node_unschedulable_plugin,
	[SCHED_PLUGIN_NODE_NAME] = &sched_node_name_plugin,
	[SCHED_PLUGIN_TAINT_TOLERATION] = &sched_taint_toleration_plugin,
	[SCHED_PLUGIN_NODE_AFFINITY] = &sched_node_affinity_plugin,
	[SCHED_PLUGIN_NODE_PORTS] = &sched_node_ports_plugin,
	[SCHED_PLUGIN_NODE_RESOURCES_FIT] = &sched_fit_plugin,
	[SCHED_PLUGIN_POD_TOPOLOGY_SPREAD] = &sched_topology_spread_plugin,
	[SCHED_PLUGIN_INTER_POD_AFFINITY] = &sched_inter_pod_affinity_plugin,
	[SCHED_PLUGIN_DEFAULT_PREEMPTION] = &sched_default_preemption_plugin,
	[SCHED_PLUGIN_VOLUME_RESTRICTIONS] = &sched_volume_restrictions_plugin,
	[SCHED_PLUGIN_NODE_VOLUME_LIMITS] = &sched_node_volume_limits_plugin,
	[SCHED_PLUGIN_VOLUME_BINDING] = &sched_volume_binding_plugin,
	[SCHED_PLUGIN_VOLUME_ZONE] = &sched_volume_zone_plugin,
	[SCHED_PLUGIN_NODE_RESOURCES_BALANCED_ALLOCATION] = &sched_balanced_allocation_plugin,
	[SCHED_PLUGIN_IMAGE_LOCALITY] = &sched_image_locality_plugin,
};

/* Out-of-tree plugins, in the order registered: process-wide, as the
 * registry kube-scheduler is built with. Never freed. */
static struct sched_plugin extra[SCHED_PLUGIN_EXTRA_MAX];
static size_t extra_len;

const struct sched_plugin *sched_plugin_lookup(const char *name)
{
	for (size_t i = 0; i < SCHED_PLUGIN_COUNT; i++)
		if (registry[i] && !strcmp(registry[i]->name, name))
			return registry[i];
	for (size_t i = 0; i < extra_len; i++)
		if (!strcmp(extra[i].name, name))
			return &extra[i];
	return NULL;
}

const struct sched_plugin *sched_plugin_by_id(enum sched_plugin_id id)
{
	if ((size_t)id < SCHED_PLUGIN_COUNT)
		return registry[id];
	if ((size_t)id - SCHED_PLUGIN_COUNT < extra_len)
		return &extra[id - SCHED_PLUGIN_COUNT];
	return NULL;
}

const struct sched_plugin *sched_plugin_register(const struct sched_plugin *plugin,
						 const char **why)
{
	if (!plugin->name || !*plugin->name) {
		*why = "a plugin needs a name";
		return NULL;
	}
	if (sched_plugin_lookup(plugin->name)) {
		*why = "a plugin of that name is already registered";
		return NULL;
	}
	if (extra_len == SCHED_PLUGIN_EXTRA_MAX) {
		*why = "too many plugins loaded (at most 8)";
		return NULL;
	}
	struct sched_plugin *copy = &extra[extra_len];
	*copy = *plugin;
	copy->id = (enum sched_plugin_id)(SCHED_PLUGIN_COUNT + extra_len++);
	return copy;
}

void sched_profile_default(struct sched_profile *profile,
			   const char *scheduler_name)
{
	memset(profile, 0, sizeof(*profile));
	profile->scheduler_name = scheduler_name;
	for (size_t i = 0; i < SCHED_PLUGIN_COUNT; i++) {
		if (!registry[i])
			continue;
		BUG_ON(registry[i]->id != (enum sched_plugin_id)i);
		profile->plugins[profile->len++] = (struct sched_profile_plugin){
			.plugin = registry[i], .weight = registry[i]->default_weight,
		};
	}
}

int sched_profile_enable(struct sched_profile *profile, const char *name,
			 int32_t weight)
{
	const struct sched_plugin *plugin = sched_plugin_lookup(name);
	if (!plugin || (plugin->score && weight <= 0))
		return -1;
	for (size_t i = 0; i < profile->len; i++) {
		if (profile->plugins[i].plugin == plugin) {
			profile->plugins[i].weight = weight;
			return 0;
		}
	}
	BUG_ON(profile->len >= SCHED_PLUGIN_MAX);
	profile->plugins[profile->len++] = (struct sched_profile_plugin){
		.plugin = plugin, .weight = weight,
	};
	return 0;
}

int sched_profile_disable(struct sched_profile *profile, const char *name)
{
	for (size_t i = 0; i < profile->len; i++) {
		if (strcmp(profile->plugins[i].plugin->name, name))
			continue;
		memmove(&profile->plugins[i], &profile->plugins[i + 1],
			(profile->len - i - 1) * sizeof(profile->plugins[0]));
		profile->len--;
		return 0;
	}
	return -1;
}
