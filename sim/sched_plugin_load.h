/* sched_plugin_load.h - compiling and loading a student's plugin.
 *
 * K8S: kube-scheduler is extended by compiling plugins into it
 * (app.NewSchedulerCommand(app.WithPlugin(name, factory))), as the
 * scheduler-plugins project does. kubelab does the same at run time: it
 * compiles one C file against its headers (sched_plugin_api.h) with the
 * system C compiler into a shared object in a private temporary
 * directory, dlopen()s it and registers the plugin it defines
 * (sched_plugin_register) under its own name, for the rest of the
 * process. A KubeSchedulerConfiguration profile then enables it by name.
 *
 * The compiler is $CC, else cc. The headers are found in
 * $KUBELAB_INCLUDE_DIR, else the source tree kubelab was built from,
 * else the installed include directory (make install).
 *
 * Loading the same file twice returns the plugin loaded the first time
 * (a replay loads the scenario again).
 */
#ifndef KUBELAB_SCHED_PLUGIN_LOAD_H
#define KUBELAB_SCHED_PLUGIN_LOAD_H

#include "err.h"
#include "sched_framework.h"

/* Compiles, loads and registers the plugin in the C file at source.
 * Returns the registered plugin, or NULL with *err set: the compiler's
 * own messages (file:line: error: ...) when it failed, "no C compiler
 * found" when there is none, or what was wrong with the plugin (no
 * kubelab_plugin symbol, no name, a name already taken). */
const struct sched_plugin *sched_plugin_load(const char *source, struct err **err);

#endif
