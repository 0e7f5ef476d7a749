/* kubelab_cli.h - run the real kubelab binary from a test.
 *
 * kubelab_sh("run -q x.yaml", &out) runs $KUBELAB (default build/kubelab)
 * with those arguments, stderr joined to stdout, and returns its exit
 * status; *out is everything it printed (the caller frees it).
 * Header-only because the Makefile compiles each tests/test_*.c as a suite.
 */
#ifndef KUBELAB_TESTS_KUBELAB_CLI_H
#define KUBELAB_TESTS_KUBELAB_CLI_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "xmalloc.h"

static inline int kubelab_sh(const char *args, char **output)
{
	const char *bin = getenv("KUBELAB");
	char *line = xasprintf("%s %s 2>&1", bin ? bin : "build/kubelab", args);
	FILE *p = popen(line, "r");
	free(line);
	ck_assert_ptr_nonnull(p);
	char *data = NULL;
	size_t cap = 0;
	if (getdelim(&data, &cap, '\0', p) < 0) {
		free(data);
		data = xstrdup("");
	}
	int status = pclose(p);
	*output = data;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
