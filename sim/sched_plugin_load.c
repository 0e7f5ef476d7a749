/* sched_plugin_load.c - cc, dlopen, register; see sched_plugin_load.h.
 *
 * The steps, each an environment failure of its own when it fails:
 *   1. find the headers (sched_plugin_api.h marks the directory);
 *   2. make a private directory (mkdtemp: mode 0700, so no other user can
 *      swap the shared object between compiling and loading it);
 *   3. run `$CC -std=gnu11 -shared -fPIC -O2 -Wall -I<headers> -o
 *      <dir>/plugin.so <source>`, collecting what it prints;
 *   4. dlopen the result and look up kubelab_plugin;
 *   5. remove the file and the directory (the mapping stays valid);
 *   6. register the plugin. The library is never closed: a registered
 *      plugin's hooks live in it.
 * The plugin calls back into kubelab (sched_status_add, strmap_get):
 * the kubelab binary exports its symbols (-rdynamic in the Makefile).
 */
#include "sched_plugin_load.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sched_plugin_api.h"
#include "xmalloc.h"

/* Where the build found the headers, and where make install puts them. */
#ifndef KUBELAB_SRC_INCLUDEDIR
#define KUBELAB_SRC_INCLUDEDIR "sim"
#endif
#ifndef KUBELAB_INCLUDEDIR
#define KUBELAB_INCLUDEDIR "/usr/local/include/kubelab"
#endif

extern char **environ;

/* Plugins loaded so far, by the real path of their source. */
static struct loaded {
	char *path;
	const struct sched_plugin *plugin;
} loaded[SCHED_PLUGIN_EXTRA_MAX];
static size_t loaded_len;

static bool has_api_header(const char *dir)
{
	char *path = xasprintf("%s/sched_plugin_api.h", dir);
	bool ok = access(path, R_OK) == 0;
	free(path);
	return ok;
}

static const char *include_dir(void)
{
	const char *env = getenv("KUBELAB_INCLUDE_DIR");
	if (env && *env)
		return env;
	if (has_api_header(KUBELAB_SRC_INCLUDEDIR))
		return KUBELAB_SRC_INCLUDEDIR;
	return KUBELAB_INCLUDEDIR;
}

/* Whether program can be run: a path, or a name found in $PATH. */
static bool can_run(const char *program)
{
	if (strchr(program, '/'))
		return access(program, X_OK) == 0;
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	bool found = false;
	for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s/%s", *dir ? dir : ".", program);
		found = access(candidate, X_OK) == 0;
		free(candidate);
	}
	free(copy);
	return found;
}

/* Runs argv, output (stdout and stderr) into *output (caller frees).
 * Returns the exit status, or -1 with *err set when it could not run. */
static int run(char *const argv[], char **output, struct err **err)
{
	if (!can_run(argv[0]))
		return err_set(err, "no C compiler found: '%s' is not installed "
			       "(install gcc or clang, or set CC)", argv[0]);
	int fds[2];
	if (pipe(fds))
		return err_set(err, "cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(err, "cannot run '%s': %s", argv[0], strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t n = read(fds[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*output = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Steps 1-5: the plugin object of a new shared object, or NULL. */
static const struct sched_plugin *compile_and_open(const char *source, struct err **err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/kubelab-plugin-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *so = NULL, *output = NULL, *include = NULL;
	const struct sched_plugin *plugin = NULL;
	if (!mkdtemp(dir)) {
		err_set(err, "cannot create a directory in %s: %s",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		goto out_nodir;
	}
	so = xasprintf("%s/plugin.so", dir);
	include = xasprintf("-I%s", include_dir());
	const char *cc = getenv("CC");
	char *argv[] = {
		(char *)(cc && *cc ? cc : "cc"), "-std=gnu11", "-shared", "-fPIC",
		"-O2", "-Wall", "-D_GNU_SOURCE", include, "-o", so, (char *)source, NULL
	};
	int status = run(argv, &output, err);
	if (status < 0)
		goto out;
	if (status != 0) {
		/* The compiler's words, positions and all. */
		size_t n = strlen(output);
		while (n && output[n - 1] == '\n')
			output[--n] = '\0';
		err_set(err, "compiling %s failed:\n%s", source, output);
		goto out;
	}
	void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		err_set(err, "cannot load %s: %s", source, dlerror());
		goto out;
	}
	plugin = dlsym(lib, SCHED_PLUGIN_SYMBOL);
	if (!plugin) {
		err_set(err, "%s: defines no '%s' (const struct sched_plugin "
			"kubelab_plugin = { .name = ..., ... };)", source,
			SCHED_PLUGIN_SYMBOL);
		dlclose(lib);
	}
out:
	if (so)
		unlink(so);
	rmdir(dir);
out_nodir:
	free(output);
	free(include);
	free(so);
	free(dir);
	return plugin;
}

const struct sched_plugin *sched_plugin_load(const char *source, struct err **err)
{
	char real[PATH_MAX];
	if (!realpath(source, real))
		return err_set(err, "cannot open '%s': %s", source, strerror(errno)),
		       NULL;
	for (size_t i = 0; i < loaded_len; i++)
		if (!strcmp(loaded[i].path, real))
			return loaded[i].plugin;
	if (loaded_len == SCHED_PLUGIN_EXTRA_MAX)
		return err_set(err, "%s: too many plugins loaded (at most %d)", source,
			       SCHED_PLUGIN_EXTRA_MAX), NULL;
	const struct sched_plugin *plugin = compile_and_open(source, err);
	if (!plugin)
		return NULL;
	if (!plugin->pre_filter && !plugin->filter && !plugin->pre_score &&
	    !plugin->score && !plugin->reserve && !plugin->permit && !plugin->pre_bind) {
		err_set(err, "%s: plugin \"%s\" has no hooks", source,
			plugin->name ? plugin->name : "");
		return NULL;
	}
	const char *why = NULL;
	const struct sched_plugin *registered = sched_plugin_register(plugin, &why);
	if (!registered) {
		err_set(err, "%s: cannot register plugin \"%s\": %s", source,
			plugin->name ? plugin->name : "", why);
		return NULL;
	}
	loaded[loaded_len++] = (struct loaded){ xstrdup(real), registered };
	return registered;
}
