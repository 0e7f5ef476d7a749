/* kubelab.c - the kubelab command: a table of subcommands.
 *
 * kubelab runs Kubernetes scenarios in simulated time (see README.md):
 *   kubelab run SCENARIO        play a scenario, print what happened
 *   kubelab validate FILE...    check scenarios and manifests
 *   kubelab get KIND            kubectl get, on a finished run
 *   kubelab describe KIND/NAME  kubectl describe, on a finished run
 *   kubelab events              kubectl get events, on a finished run
 *   kubelab rollout history|status deployment/NAME
 *                               kubectl rollout, on a finished run
 *   kubelab explain pod NAME    why the scheduler put a pod where it did
 *   kubelab version
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "release.h"

struct command {
	const char *name;
	cmd_fn fn;
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run, "Play a scenario in simulated time and check its expectations"},
	{"validate", cmd_validate, "Check scenario and manifest files without running them"},
	{"get", cmd_get, "Display objects of a finished run, as kubectl get"},
	{"describe", cmd_describe, "Show details of an object of a finished run, as kubectl describe"},
	{"events", cmd_events, "List the Events of a finished run, as kubectl get events"},
	{"rollout", cmd_rollout, "Show a Deployment's rollout history or status, as kubectl rollout"},
	{"explain", cmd_explain, "Explain each scheduling attempt of a pod: filters, scores, choice"},
	{"version", cmd_version, "Print the kubelab version and the Kubernetes release it models"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"kubelab: a Kubernetes teaching simulator (models Kubernetes %s).\n\n"
		"Usage:\n  kubelab COMMAND [options]\n\nCommands:\n",
		KUBERNETES_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nUse \"kubelab COMMAND --help\" for more about a command.\n"
		"Example:\n  kubelab run scenarios/ch05-node-failure.yaml --trace run.jsonl\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			char *help_argv[] = {argv[2], "--help", NULL};
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(commands[i].name, argv[2]))
					return commands[i].fn(2, help_argv);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kubelab: unknown command \"%s\"\n\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
