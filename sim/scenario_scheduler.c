/* scenario_scheduler.c - the scheduler part of a scenario.
 *
 * K8S: kube-scheduler --config FILE (a KubeSchedulerConfiguration) and
 * out-of-tree plugins compiled into the scheduler (app.WithPlugin).
 *
 * A scenario configures its scheduler in one of two ways:
 *   - a document of the scenario file with
 *     `apiVersion: kubescheduler.config.k8s.io/v1`,
 *     `kind: KubeSchedulerConfiguration` (it is not applied to the
 *     cluster: kube-scheduler reads it at start-up);
 *   - `spec.schedulerConfigFile: FILE`, a file holding that document,
 *     relative to the scenario's directory (the same file works as
 *     `kube-scheduler --config FILE`).
 * `spec.schedulerPlugins: [FILE.c, ...]` names students' plugins
 * (sched_plugin_api.h), compiled and registered before the
 * configuration is read, so that its profiles can enable them by name.
 * Everything is reported at file:line:column like the rest of the
 * scenario; a compiler's own messages follow the position of the entry.
 */
#include "scenario_load.h"

#include <stdlib.h>
#include <string.h>

#include "sched_plugin_load.h"

static char *resolve(const struct loader *l, const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", l->dir, path);
}

static void load_plugins(struct loader *l, const struct ynode *list)
{
	if (!loader_want(l, list, YNODE_SEQ, "spec.schedulerPlugins"))
		return;
	for (size_t i = 0; i < list->len; i++) {
		char *path = xasprintf("spec.schedulerPlugins[%zu]", i);
		const char *file = loader_string(l, list->items[i], path);
		if (file) {
			char *source = resolve(l, file);
			struct err *err = NULL;
			if (!sched_plugin_load(source, &err)) {
				loader_problem(l, list->items[i], "%s: %s", path, err->msg);
				err_free(err);
			}
			free(source);
		}
		free(path);
	}
}

void loader_scheduler(struct loader *l, const struct ynode *spec,
		      const struct ynode *config_root)
{
	const struct ynode *plugins = spec ? ynode_get(spec, "schedulerPlugins") : NULL;
	const struct ynode *file = spec ? ynode_get(spec, "schedulerConfigFile") : NULL;
	if (plugins && !ynode_is_null(plugins))
		load_plugins(l, plugins);
	if (file && ynode_is_null(file))
		file = NULL;
	if (file && config_root)	/* still check the document below */
		loader_problem(l, file, "spec.schedulerConfigFile: the file also has "
			       "a %s document (line %d): keep one", SCHED_CONFIG_KIND,
			       config_root->line);
	if (config_root) {
		l->scenario->scheduler_config =
			sched_config_parse(l->file, config_root, l->diags);
	} else if (file) {
		const char *name = loader_string(l, file, "spec.schedulerConfigFile");
		if (!name)
			return;
		char *path = resolve(l, name);
		/* Problems inside the file keep their own position; those
		 * with none (it cannot be read, it is empty) are said at the
		 * entry naming it, as apply: does, so that each points at a
		 * line to fix. */
		struct diag_list local = { 0 };
		l->scenario->scheduler_config = sched_config_load(path, &local);
		for (size_t i = 0; i < local.len; i++) {
			const struct diag *d = &local.items[i];
			if (d->line)
				diag_add(l->diags, d->file, d->line, d->column, "%s", d->msg);
			else if (strstr(d->msg, name))
				loader_problem(l, file, "spec.schedulerConfigFile: %s", d->msg);
			else
				loader_problem(l, file, "spec.schedulerConfigFile: in '%s': %s",
					       name, d->msg);
		}
		if (!l->scenario->scheduler_config && !local.len)
			loader_problem(l, file, "spec.schedulerConfigFile: cannot load "
				       "'%s'", path);
		diag_release(&local);
		free(path);
	}
}
