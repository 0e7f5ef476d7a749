/* cmd_get.c - kubelab get / describe / events, on a finished run.
 *
 * kubelab keeps no database between commands: a run is a scenario and a
 * seed, and it is deterministic, so these commands replay it (to --at, or
 * to its end) and then print from the store as kubectl would. Name the
 * run with -f SCENARIO, or with --trace FILE (the trace's header names
 * the scenario and seed).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "json.h"
#include "print.h"
#include "selector.h"
#include "store.h"
#include "xmalloc.h"

struct get_args {
	struct replay_source source;
	const char *kind;
	const char *name;
	const char *namespace;
	const char *selector;
	const char *output;
	bool all_namespaces;
};

static int parse_args(int argc, char **argv, struct get_args *args,
		      const char *help)
{
	static const struct option longopts[] = {
		CLI_REPLAY_OPTIONS,
		{"namespace", required_argument, NULL, 'n'},
		{"all-namespaces", no_argument, NULL, 'A'},
		{"selector", required_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:n:Al:o:h", longopts, NULL)) != -1) {
		int handled = cli_replay_option(c, optarg, &args->source);
		if (handled == EXIT_USAGE)
			return EXIT_USAGE;
		if (handled)
			continue;
		switch (c) {
		case 'n': args->namespace = optarg; break;
		case 'A': args->all_namespaces = true; break;
		case 'l': args->selector = optarg; break;
		case 'o': args->output = optarg; break;
		case 'h':
			fputs(help, stdout);
			fputs("\n", stdout);
			fputs(cli_replay_help, stdout);
			return -1;
		default:
			return cli_fail("unknown or incomplete option \"%s\" (see --help)",
					argv[optind - 1]);
		}
	}
	if (optind < argc)
		args->kind = argv[optind++];
	if (optind < argc)
		args->name = argv[optind++];
	if (optind < argc)
		return cli_fail("unexpected argument \"%s\"", argv[optind]);
	/* kubectl also takes KIND/NAME as one word. */
	if (args->kind && !args->name && strchr(args->kind, '/')) {
		static char kind[128];
		const char *slash = strchr(args->kind, '/');
		snprintf(kind, sizeof(kind), "%.*s", (int)(slash - args->kind), args->kind);
		args->name = slash + 1;
		args->kind = kind;
	}
	if (args->output && strcmp(args->output, "wide") && strcmp(args->output, "json") &&
	    strcmp(args->output, "name"))
		return cli_fail("invalid value \"%s\" for --output: expected wide, json or name",
				args->output);
	return 0;
}

static const enum kind_id all_kinds[] = {
	KIND_POD, KIND_SERVICE, KIND_DAEMONSET, KIND_DEPLOYMENT, KIND_REPLICASET,
	KIND_STATEFULSET, KIND_HORIZONTALPODAUTOSCALER, KIND_JOB, KIND_CRONJOB,
};

static void print_json_list(const struct object_list *list)
{
	struct json *out = json_new_object();
	json_add_string(out, "apiVersion", "v1");
	json_add_string(out, "kind", "List");
	struct json *items = json_new_array();
	for (size_t i = 0; i < list->len; i++)
		json_append(items, json_from_object(list->items[i]));
	json_add(out, "items", items);
	char *text = json_print(out, true);
	puts(text);
	free(text);
	json_free(out);
}

/* Lists what get shows for one kind, honouring name, namespace, selector. */
static int collect(const struct store *store, enum kind_id kind,
		   const struct get_args *args, const struct selector *sel,
		   struct object_list *out)
{
	const char *ns = args->all_namespaces ? NULL
			 : (args->namespace ? args->namespace : "default");
	if (args->name) {
		const struct object *obj = store_get(store, kind, ns, args->name);
		if (!obj)
			return cli_fail("Error from server (NotFound): %s \"%s\" not found",
					kind_get(kind)->resource, args->name), 1;
		xgrow((void **)&out->items, &out->cap, 1, sizeof(*out->items));
		out->items[out->len++] = obj;
		return 0;
	}
	store_list(store, kind, kind_get(kind)->namespaced ? ns : NULL, sel, out);
	return 0;
}

static int show(const struct cluster *cluster, const struct get_args *args,
		const enum kind_id *kinds, size_t nkinds, bool with_kind)
{
	const struct store *store = cluster_store(cluster);
	struct selector sel = {0};
	struct err *err = NULL;
	if (args->selector && selector_parse(args->selector, &sel, &err)) {
		int rc = cli_fail("invalid selector \"%s\": %s", args->selector, err->msg);
		err_free(err);
		return rc;
	}
	struct print_options po = {
		.now = KTIME_SIM_EPOCH + cluster_elapsed(cluster),
		.wide = args->output && !strcmp(args->output, "wide"),
		.all_namespaces = args->all_namespaces, .with_kind = with_kind,
		.color = cli_color(stdout),
	};
	int rc = 0;
	bool printed = false;
	struct object_list all = {0};
	for (size_t k = 0; k < nkinds && !rc; k++) {
		struct object_list list = {0};
		rc = collect(store, kinds[k], args, args->selector ? &sel : NULL, &list);
		if (!rc && list.len) {
			if (args->output && !strcmp(args->output, "json")) {
				for (size_t i = 0; i < list.len; i++) {
					xgrow((void **)&all.items, &all.cap, all.len + 1, sizeof(*all.items));
					all.items[all.len++] = list.items[i];
				}
			} else if (args->output && !strcmp(args->output, "name")) {
				for (size_t i = 0; i < list.len; i++) {
					char *n = object_ref_name(list.items[i]);
					puts(n);
					free(n);
				}
			} else {
				if (printed)
					putchar('\n');
				print_table(stdout, kinds[k], &list, &po);
			}
			printed = true;
		}
		object_list_release(&list);
	}
	if (!rc && args->output && !strcmp(args->output, "json"))
		print_json_list(&all);
	else if (!rc && !printed)
		fprintf(stderr, "No resources found%s%s%s.\n",
			args->all_namespaces ? "" : " in ",
			args->all_namespaces ? "" : (args->namespace ? args->namespace : "default"),
			args->all_namespaces ? "" : " namespace");
	object_list_release(&all);
	selector_release(&sel);
	return rc;
}

static const char get_help[] =
	"Display objects of a finished run, as kubectl get.\n"
	"\n"
	"Usage:\n"
	"  kubelab get KIND [NAME] (-f SCENARIO | --trace FILE) [--at T] [options]\n"
	"  kubelab get all -f SCENARIO\n"
	"\n"
	"KIND is any name kubectl takes: pods, po, deployments, deploy, nodes, no,\n"
	"rs, sts, ds, jobs, cj, svc, ep, cm, ns, pv, pvc, sc, pc, pdb, events, leases,\n"
	"controllerrevisions.\n"
	"\n"
	"Options:\n"
	"  -o, --output FORMAT      wide, json or name\n"
	"  -n, --namespace NS       (default: default)\n"
	"  -A, --all-namespaces\n"
	"  -l, --selector SELECTOR  e.g. app=web,tier in (a,b)\n";

static int run_show(int argc, char **argv, const char *help, const char *fixed_kind)
{
	struct get_args args = {0};
	int rc = parse_args(argc, argv, &args, help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (fixed_kind) {
		if (args.kind)
			return cli_fail("events: unexpected argument \"%s\"", args.kind);
		args.kind = fixed_kind;
	}
	if (!args.kind)
		return cli_fail("get: say which KIND (see kubelab get --help)");
	enum kind_id single;
	const enum kind_id *kinds = all_kinds;
	size_t nkinds = sizeof(all_kinds) / sizeof(all_kinds[0]);
	bool with_kind = true;
	if (strcmp(args.kind, "all")) {
		const struct kind_info *info = kind_from_cli(args.kind);
		if (!info)
			return cli_fail("error: the server doesn't have a resource type \"%s\"",
					args.kind);
		single = info->id;
		kinds = &single;
		nkinds = 1;
		with_kind = false;
	}
	struct scenario *scenario = NULL;
	struct cluster *cluster = cli_replay(&args.source, &scenario);
	if (!cluster)
		return EXIT_USAGE;
	rc = show(cluster, &args, kinds, nkinds, with_kind);
	cluster_free(cluster);
	scenario_free(scenario);
	return rc;
}

int cmd_get(int argc, char **argv)
{
	return run_show(argc, argv, get_help, NULL);
}

static const char events_help[] =
	"List the Events of a finished run, oldest first, as kubectl get events.\n"
	"\n"
	"Usage:\n"
	"  kubelab events (-f SCENARIO | --trace FILE) [--at T] [-A] [-n NS]\n";

int cmd_events(int argc, char **argv)
{
	return run_show(argc, argv, events_help, "events");
}

static const char describe_help[] =
	"Show details of an object of a finished run, as kubectl describe.\n"
	"\n"
	"Usage:\n"
	"  kubelab describe KIND NAME (-f SCENARIO | --trace FILE) [--at T]\n"
	"  kubelab describe KIND/NAME -f SCENARIO\n"
	"  kubelab describe KIND -f SCENARIO      (every object of the kind)\n"
	"\n"
	"kubectl's own pages for pods, nodes, deployments, replicasets,\n"
	"statefulsets, daemonsets, jobs, cronjobs, services, endpoints,\n"
	"endpointslices, hpa, pvc, pv, storageclasses, pdb and priorityclasses;\n"
	"other kinds get kubectl's generic describer. Each page ends with the\n"
	"object's Events.\n";

int cmd_describe(int argc, char **argv)
{
	struct get_args args = {0};
	int rc = parse_args(argc, argv, &args, describe_help);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!args.kind)
		return cli_fail("describe: say which KIND and NAME (see kubelab describe --help)");
	const struct kind_info *info = kind_from_cli(args.kind);
	if (!info)
		return cli_fail("error: the server doesn't have a resource type \"%s\"", args.kind);
	struct scenario *scenario = NULL;
	struct cluster *cluster = cli_replay(&args.source, &scenario);
	if (!cluster)
		return EXIT_USAGE;
	const struct store *store = cluster_store(cluster);
	struct object_list list = {0};
	rc = collect(store, info->id, &args, NULL, &list);
	struct print_options po = {
		.now = KTIME_SIM_EPOCH + cluster_elapsed(cluster),
		.color = cli_color(stdout),
	};
	for (size_t i = 0; !rc && i < list.len; i++) {
		if (i)
			putchar('\n');
		print_describe(stdout, store, list.items[i], &po);
	}
	if (!rc && !list.len)
		fprintf(stderr, "No resources found in %s namespace.\n",
			args.namespace ? args.namespace : "default");
	object_list_release(&list);
	cluster_free(cluster);
	scenario_free(scenario);
	return rc;
}
