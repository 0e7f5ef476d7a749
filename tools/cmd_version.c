/* cmd_version.c - kubelab version [-o json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "release.h"

int cmd_version(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("Print the kubelab version and the Kubernetes release it models.\n\n"
			     "Usage:\n  kubelab version [-o json]");
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc && !strcmp(argv[i + 1], "json")) {
			json = true;
			i++;
		} else if (!strcmp(argv[i], "-ojson") || !strcmp(argv[i], "--output=json")) {
			json = true;
		} else {
			return cli_fail("version: unknown argument \"%s\"", argv[i]);
		}
	}
	if (json) {
		struct json *out = json_new_object();
		json_add_string(out, "kubelabVersion", KUBELAB_VERSION);
		json_add_string(out, "kubernetesVersion", KUBERNETES_VERSION);
		json_add_int(out, "traceFormat", TRACE_FORMAT_VERSION);
		char *text = json_print(out, true);
		puts(text);
		free(text);
		json_free(out);
	} else {
		printf("kubelab %s (models Kubernetes %s, trace format %d)\n",
		       KUBELAB_VERSION, KUBERNETES_VERSION, TRACE_FORMAT_VERSION);
	}
	return 0;
}
