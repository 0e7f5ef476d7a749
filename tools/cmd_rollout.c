/* cmd_rollout.c - kubelab rollout history / status, on a finished run.
 *
 * K8S: kubectl rollout history and kubectl rollout status --watch=false,
 * for deployments, statefulsets and daemonsets
 * (staging/src/k8s.io/kubectl/pkg/cmd/rollout). Like get and describe
 * (cmd_get.c), these replay the run to --at (default: its end) and read
 * the store; the words come from sim/rollout.c. `kubectl rollout undo`
 * changes the cluster, so in kubelab it is a timeline action of the
 * scenario (rollback:), not a command on a finished run.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "rollout.h"
#include "xmalloc.h"

static const char rollout_help[] =
	"Show the rollout history or status of a Deployment, StatefulSet or\n"
	"DaemonSet of a finished run, as kubectl rollout history and kubectl\n"
	"rollout status --watch=false.\n"
	"\n"
	"Usage:\n"
	"  kubelab rollout history KIND/NAME (-f SCENARIO | --trace FILE) [--at T]\n"
	"  kubelab rollout status KIND/NAME (-f SCENARIO | --trace FILE) [--at T]\n"
	"KIND is deployment, statefulset or daemonset (or deploy, sts, ds).\n"
	"\n"
	"history lists the revisions: a Deployment's ReplicaSets, a StatefulSet's\n"
	"or DaemonSet's ControllerRevisions, with their kubernetes.io/change-cause\n"
	"annotation (kubectl shows none for a StatefulSet). status prints one line\n"
	"about the rollout at that moment (kubectl would keep watching; run it\n"
	"again with a later --at to see it progress); it exits 1 when a\n"
	"Deployment's rollout exceeded its progress deadline, or for an OnDelete\n"
	"StatefulSet or DaemonSet (kubectl reports only RollingUpdate ones).\n"
	"\n"
	"There is no `kubelab rollout undo`: undoing changes the cluster, so it is\n"
	"a timeline action of the scenario, like kubectl typed during the demo:\n"
	"  - {at: 3m, rollback: deployment/web}          # kubectl rollout undo\n"
	"  - {at: 3m, rollback: {deployment/web: 1}}     # ... --to-revision=1\n"
	"(see docs/scenario-reference.md).\n"
	"\n"
	"Options:\n"
	"  -n, --namespace NS       (default: default)\n"
	"\n";

struct rollout_args {
	struct replay_source source;
	const char *verb;
	char *kind;			/* owned */
	const char *name;
	const char *namespace;
};

static int parse_args(int argc, char **argv, struct rollout_args *args)
{
	static const struct option longopts[] = {
		CLI_REPLAY_OPTIONS,
		{"namespace", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:n:h", longopts, NULL)) != -1) {
		int handled = cli_replay_option(c, optarg, &args->source);
		if (handled == EXIT_USAGE)
			return EXIT_USAGE;
		if (handled)
			continue;
		switch (c) {
		case 'n': args->namespace = optarg; break;
		case 'h':
			fputs(rollout_help, stdout);
			fputs(cli_replay_help, stdout);
			return -1;
		default:
			return cli_fail("unknown or incomplete option \"%s\" (see --help)",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		args->verb = argv[optind++];
	const char *ref = optind < argc ? argv[optind++] : NULL;
	/* kubectl takes KIND/NAME as one word, or KIND NAME as two. */
	const char *slash = ref ? strchr(ref, '/') : NULL;
	if (slash) {
		args->kind = xstrndup(ref, (size_t)(slash - ref));
		args->name = slash + 1;
	} else if (ref) {
		args->kind = xstrdup(ref);
		if (optind < argc)
			args->name = argv[optind++];
	}
	if (optind < argc)
		return cli_fail("unexpected argument \"%s\"", argv[optind]);
	return 0;
}

static int check_args(const struct rollout_args *args)
{
	if (!args->verb)
		return cli_fail("rollout: say history or status (see kubelab rollout --help)");
	if (!strcmp(args->verb, "undo"))
		return cli_fail("rollout undo changes the cluster: write it in the scenario's "
				"timeline, e.g. {at: 3m, rollback: deployment/web} (see "
				"kubelab rollout --help)");
	if (strcmp(args->verb, "history") && strcmp(args->verb, "status"))
		return cli_fail("rollout: unknown command \"%s\": expected history or status",
				args->verb);
	if (!args->kind || !args->name || !*args->name)
		return cli_fail("rollout %s: say which workload, as deployment/NAME, "
				"statefulset/NAME or daemonset/NAME", args->verb);
	const struct kind_info *info = kind_from_cli(args->kind);
	if (!info)
		return cli_fail("error: the server doesn't have a resource type \"%s\"",
				args->kind);
	if (info->id != KIND_DEPLOYMENT && info->id != KIND_STATEFULSET &&
	    info->id != KIND_DAEMONSET)
		return cli_fail("rollout %s: kubelab keeps rollout history for deployments, "
				"statefulsets and daemonsets only, not %s", args->verb,
				info->resource);
	return 0;
}

/* Prints what kubectl prints; returns the exit code. */
static int show(const struct store *store, const struct rollout_args *args)
{
	const char *ns = args->namespace ? args->namespace : "default";
	const struct kind_info *info = kind_from_cli(args->kind);
	const struct object *obj = store_get(store, info->id, ns, args->name);
	if (!obj) {
		fprintf(stderr, "Error from server (NotFound): %s.apps \"%s\" not found\n",
			info->resource, args->name);
		return 1;
	}
	if (!strcmp(args->verb, "history")) {
		/* K8S: the name printer's "deployment.apps/web " line, then the
		 * table, then the empty line kubectl leaves after it. */
		printf("%s.apps/%s \n", info->singular, args->name);
		if (info->id == KIND_DEPLOYMENT)
			rollout_history(store, (const struct deployment *)obj, stdout);
		else
			rollout_history_revisions(store, obj, stdout);
		putchar('\n');
		return 0;
	}
	char *message = NULL;
	enum rollout_state state =
		info->id == KIND_DEPLOYMENT ?
			rollout_status(store, (const struct deployment *)obj, &message) :
		info->id == KIND_STATEFULSET ?
			rollout_status_statefulset((const struct stateful_set *)obj, &message) :
			rollout_status_daemonset((const struct daemon_set *)obj, &message);
	int rc = 0;
	if (state == ROLLOUT_FAILED) {
		fprintf(stderr, "error: %s\n", message);
		rc = 1;
	} else {
		puts(message);
	}
	free(message);
	return rc;
}

int cmd_rollout(int argc, char **argv)
{
	struct rollout_args args = {0};
	int rc = parse_args(argc, argv, &args);
	if (!rc)
		rc = check_args(&args);
	if (rc) {
		free(args.kind);
		return rc < 0 ? 0 : rc;
	}
	struct scenario *scenario = NULL;
	struct cluster *cluster = cli_replay(&args.source, &scenario);
	if (cluster) {
		rc = show(cluster_store(cluster), &args);
		cluster_free(cluster);
		scenario_free(scenario);
	} else {
		rc = EXIT_USAGE;
	}
	free(args.kind);
	return rc;
}
