/* cmd_explain.c - kubelab explain pod NAME: why the scheduler chose a node.
 *
 * K8S: nothing in kubectl does this (`kubectl explain` documents fields).
 * A Kubernetes user learns why a pod landed where it did from the
 * FailedScheduling event or the scheduler's -v=10 log; kubelab can do
 * better because it can replay the run and watch the scheduler think.
 * Like get and describe (cmd_get.c), it replays the run (to --at, or its
 * end) with the scheduler's explain hook (sched.h) set, keeps the
 * attempts of the named pod, and prints for each one:
 *   - for a retry, why the pod left the unschedulable pool (the rejecting
 *     plugin whose queueing hint said Queue, and the cluster event);
 *   - which nodes were examined: how many of how many, from which index
 *     (percentageOfNodesToScore and the rotating start, schedule_one.go);
 *   - per node, the Filter plugin that rejected it with upstream's reason,
 *     or "passed";
 *   - per feasible node, each Score plugin's raw score, normalized score
 *     and weight, and the weighted total;
 *   - the chosen node and how many nodes tied at the top, or the
 *     FailedScheduling message and, when the attempt preempted, the node
 *     the pod was nominated to and the victims deleted for it.
 * -o json prints the same attempts as a JSON array; each element is a
 * trace "schedule" record (docs/trace-format.md). See docs/explain.md.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "json.h"
#include "xmalloc.h"

static const char explain_help[] =
	"Explain every scheduling attempt of a pod of a finished run: the nodes the\n"
	"scheduler examined, which Filter plugin rejected each one and why, every\n"
	"Score plugin's score of the others, and the node it chose; when no node fit\n"
	"and the pod preempted others, the node it was nominated to and the victims.\n"
	"\n"
	"Usage:\n"
	"  kubelab explain pod NAME (-f SCENARIO | --trace FILE) [--at T] [options]\n"
	"  kubelab explain pod/NAME -f SCENARIO\n"
	"\n"
	"Score cells read RAW/NORMALIZED xWEIGHT: the plugin's own score, the score\n"
	"after its NormalizeScore (0-100), and its weight in the profile; TOTAL is\n"
	"the sum of NORMALIZED x WEIGHT. See docs/explain.md.\n"
	"\n"
	"Options:\n"
	"  -n, --namespace NS       (default: default)\n"
	"  -o, --output FORMAT      json: the attempts as trace \"schedule\" records\n";

struct explain_args {
	struct replay_source source;
	const char *name;
	const char *namespace;
	bool json;
};

/* What the hook keeps: the named pod's attempts, as JSON. */
struct collector {
	const char *namespace, *name;
	struct json *attempts;
	size_t len;
};

static void collect_attempt(void *arg, const struct sched_attempt *attempt)
{
	struct collector *c = arg;
	const struct object_meta *meta = &attempt->pod->obj.meta;
	if (strcmp(meta->name, c->name) || strcmp(meta->namespace, c->namespace))
		return;
	struct json *record = json_new_object();
	json_add_double(record, "t", (double)(attempt->time - KTIME_SIM_EPOCH) / 1e9);
	json_add_string(record, "type", "schedule");
	json_merge(record, sched_attempt_json(attempt));
	json_append(c->attempts, record);
	c->len++;
}

static int parse_args(int argc, char **argv, struct explain_args *args)
{
	static const struct option longopts[] = {
		CLI_REPLAY_OPTIONS,
		{"namespace", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:n:o:h", longopts, NULL)) != -1) {
		int handled = cli_replay_option(c, optarg, &args->source);
		if (handled == EXIT_USAGE)
			return EXIT_USAGE;
		if (handled)
			continue;
		switch (c) {
		case 'n': args->namespace = optarg; break;
		case 'o':
			if (strcmp(optarg, "json"))
				return cli_fail("invalid value \"%s\" for --output: expected json",
						optarg);
			args->json = true;
			break;
		case 'h':
			fputs(explain_help, stdout);
			fputs("\n", stdout);
			fputs(cli_replay_help, stdout);
			return -1;
		default:
			return cli_fail("unknown or incomplete option \"%s\" (see --help)",
					argv[optind - 1]);
		}
	}
	const char *kind = optind < argc ? argv[optind++] : NULL;
	if (kind && !strncmp(kind, "pod/", 4)) {
		args->name = kind + 4;
		kind = "pod";
	} else if (kind && !strncmp(kind, "pods/", 5)) {
		args->name = kind + 5;
		kind = "pod";
	} else if (optind < argc) {
		args->name = argv[optind++];
	}
	if (optind < argc)
		return cli_fail("unexpected argument \"%s\"", argv[optind]);
	if (!kind || !args->name || !*args->name)
		return cli_fail("explain: say which pod: kubelab explain pod NAME (see --help)");
	const struct kind_info *info = kind_from_cli(kind);
	if (!info || info->id != KIND_POD)
		return cli_fail("explain: only pods are scheduled; got \"%s\"", kind);
	if (!args->namespace)
		args->namespace = "default";
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

static const char *member_string(const struct json *obj, const char *key)
{
	const char *s = json_string(json_get(obj, key));
	return s ? s : "";
}

static int64_t member_int(const struct json *obj, const char *key)
{
	double v = 0;
	json_number(json_get(obj, key), &v);
	return (int64_t)v;
}

/* A table of strings, printed with each column padded to its widest
 * cell, as kubectl's tables are. */
struct table {
	size_t columns, rows;
	char **cells;			/* rows * columns, owned */
};

static void table_add(struct table *t, size_t column, char *text)
{
	if (column == 0) {
		t->cells = xrealloc(t->cells, (t->rows + 1) * t->columns * sizeof(*t->cells));
		memset(&t->cells[t->rows * t->columns], 0, t->columns * sizeof(*t->cells));
		t->rows++;
	}
	t->cells[(t->rows - 1) * t->columns + column] = text;
}

static void table_print(struct table *t)
{
	size_t *width = xcalloc(t->columns, sizeof(*width));
	for (size_t i = 0; i < t->rows * t->columns; i++) {
		size_t len = t->cells[i] ? strlen(t->cells[i]) : 0;
		if (len > width[i % t->columns])
			width[i % t->columns] = len;
	}
	for (size_t r = 0; r < t->rows; r++) {
		char **row = &t->cells[r * t->columns];
		size_t used = t->columns;	/* no padding after the last cell */
		while (used > 1 && !row[used - 1])
			used--;
		fputs("  ", stdout);
		for (size_t c = 0; c < used; c++) {
			const char *cell = row[c];
			bool last = c + 1 == used;
			printf("%-*s%s", last ? 0 : (int)width[c], cell ? cell : "",
			       last ? "\n" : "   ");
		}
	}
	for (size_t i = 0; i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	free(width);
}

static void print_sample(const struct json *a)
{
	int64_t all = member_int(a, "numAllNodes");
	int64_t pct = member_int(a, "percentageOfNodesToScore");
	printf("  Nodes: examined %" PRId64 " of %" PRId64 ", starting at index %" PRId64
	       "; %" PRId64 " feasible.\n",
	       member_int(a, "examined"), all, member_int(a, "startIndex"),
	       member_int(a, "feasible"));
	if (all < 100)
		printf("  (Fewer than 100 nodes: every node is a candidate; the scheduler\n"
		       "   stops at %" PRId64 " feasible node(s).)\n",
		       member_int(a, "numFeasibleNodesToFind"));
	else
		printf("  (percentageOfNodesToScore %s%" PRId64 "%%: the scheduler stops once\n"
		       "   %" PRId64 " nodes are feasible; the next attempt starts where this one\n"
		       "   stopped.)\n",
		       pct ? "" : "adaptive, ", pct ? pct : 50 - all / 125 < 5 ? 5 : 50 - all / 125,
		       member_int(a, "numFeasibleNodesToFind"));
}

static void print_nodes(const struct json *a)
{
	const struct json *nodes = json_get(a, "nodes");
	size_t len = json_array_len(nodes);
	if (!len)
		return;
	/* The score plugins are those of the first scored node (all scored
	 * nodes have the same). */
	const struct json *plugins = NULL;
	for (size_t i = 0; i < len && !plugins; i++)
		plugins = json_get(json_array_at(nodes, i), "scores");
	size_t nplugins = json_array_len(plugins);
	struct table t = { .columns = 2 + nplugins + (nplugins ? 1 : 0) };
	table_add(&t, 0, xstrdup("NODE"));
	table_add(&t, 1, xstrdup("FILTER"));
	for (size_t k = 0; k < nplugins; k++)
		table_add(&t, 2 + k, xstrdup(member_string(json_array_at(plugins, k), "plugin")));
	if (nplugins)
		table_add(&t, 2 + nplugins, xstrdup("TOTAL"));
	const char *chosen = member_string(a, "node");
	for (size_t i = 0; i < len; i++) {
		const struct json *n = json_array_at(nodes, i);
		const char *name = member_string(n, "node");
		const char *filter = member_string(n, "filter");
		table_add(&t, 0, xasprintf("%s%s", name,
					   !strcmp(name, chosen) ? " (chosen)" : ""));
		if (!strcmp(filter, "passed"))
			table_add(&t, 1, xstrdup("passed"));
		else
			table_add(&t, 1, xasprintf("%s: %s", filter, member_string(n, "reason")));
		const struct json *scores = json_get(n, "scores");
		for (size_t k = 0; scores && k < nplugins; k++) {
			const struct json *s = json_array_at(scores, k);
			table_add(&t, 2 + k, xasprintf("%" PRId64 "/%" PRId64 " x%" PRId64,
						       member_int(s, "raw"),
						       member_int(s, "normalized"),
						       member_int(s, "weight")));
		}
		if (scores && nplugins)
			table_add(&t, 2 + nplugins, xasprintf("%" PRId64, member_int(n, "total")));
	}
	table_print(&t);
}

/* LAB: sched-explain-preemption. What PostFilter (DefaultPreemption) did:
 * the node the pod was nominated to and the pods deleted for it. */
static void print_preemption(const struct json *a)
{
	if (!json_get(a, "nominatedNode"))
		return;
	printf("  Preemption: nominated node %s; victims (deleted gracefully):",
	       member_string(a, "nominatedNode"));
	const struct json *victims = json_get(a, "victims");
	for (size_t i = 0; i < json_array_len(victims); i++)
		printf("%s %s", i ? "," : "", json_string(json_array_at(victims, i)));
	printf("\n  The pod waits in the queue until they are gone; its next attempt\n"
	       "  tries the nominated node first.\n");
}

/* LAB: sched-explain-requeue. Why the pod left the unschedulable pool
 * before this attempt: which rejecting plugin's queueing hint said Queue
 * for which cluster event, or the 5-minute flush. */
static void print_requeue(const struct json *a)
{
	if (!json_get(a, "requeuedOn"))
		return;
	if (json_get(a, "requeuedBy"))
		printf("  Requeued: moved by %s on %s.\n", member_string(a, "requeuedBy"),
		       member_string(a, "requeuedOn"));
	else
		printf("  Requeued: moved on %s.\n", member_string(a, "requeuedOn"));
}

static void print_attempt(size_t number, const struct json *a)
{
	double t = 0;
	json_number(json_get(a, "t"), &t);
	bool scheduled = !strcmp(member_string(a, "result"), "Scheduled");
	printf("Attempt %zu at %gs: %s%s\n", number, t,
	       scheduled ? "scheduled to " : "FailedScheduling",
	       scheduled ? member_string(a, "node") : "");
	print_requeue(a);
	if (json_get(a, "preFilter"))
		printf("  PreFilter plugin %s rejected the pod before any node was examined.\n",
		       member_string(a, "preFilter"));
	else if (member_int(a, "numAllNodes"))
		print_sample(a);
	const struct json *narrowed = json_get(a, "preFilterResult");
	if (narrowed) {
		/* K8S: PreFilterResult: only these nodes were filtered. */
		const struct json *plugins = json_get(narrowed, "plugins");
		printf("  PreFilter");
		for (size_t i = 0; i < json_array_len(plugins); i++)
			printf("%s %s", i ? "," : "", json_string(json_array_at(plugins, i)));
		printf(" narrowed to %" PRId64 " node(s): the others were not examined.\n",
		       member_int(narrowed, "nodes"));
	}
	print_nodes(a);
	if (!scheduled) {
		printf("  Message: %s\n", member_string(a, "message"));
		print_preemption(a);
		return;
	}
	if (json_get(a, "permitWait"))
		printf("  Permit: Wait from %s. The pod is held on its node (assumed, not\n"
		       "  bound) until allowed; rejected or timed out, it is unreserved and fails.\n",
		       member_string(a, "permitWait"));
	int64_t feasible = member_int(a, "feasible");
	int64_t ties = member_int(a, "ties");
	if (feasible == 1)
		printf("  Only one node passed the filters: scoring was skipped.\n");
	else if (ties == 1)
		printf("  %s has the highest total; no tie.\n", member_string(a, "node"));
	else
		printf("  %" PRId64 " nodes tied at the highest total; %s was picked among\n"
		       "  them at random (seeded), each equally likely, as upstream's selectHost.\n",
		       ties, member_string(a, "node"));
}

int cmd_explain(int argc, char **argv)
{
	struct explain_args args = {0};
	int rc = parse_args(argc, argv, &args);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct collector collector = {
		.namespace = args.namespace, .name = args.name,
		.attempts = json_new_array(),
	};
	struct sched_explain_hook hook = { collect_attempt, &collector };
	struct scenario *scenario = NULL;
	struct cluster *cluster = cli_replay_explained(&args.source, &hook, &scenario);
	if (!cluster) {
		json_free(collector.attempts);
		return EXIT_USAGE;
	}
	const struct store *store = cluster_store(cluster);
	bool exists = store_get(store, KIND_POD, args.namespace, args.name) != NULL;
	if (args.json) {
		char *text = json_print(collector.attempts, true);
		puts(text);
		free(text);
	} else if (!collector.len) {
		printf("Pod %s/%s: no scheduling attempts%s.\n", args.namespace, args.name,
		       exists ? " (it was created with spec.nodeName, or not yet tried)"
		       : " (no such pod was scheduled in this run)");
	} else {
		printf("Pod %s/%s: %zu scheduling attempt%s.\n", args.namespace, args.name,
		       collector.len, collector.len == 1 ? "" : "s");
		for (size_t i = 0; i < collector.len; i++) {
			putchar('\n');
			print_attempt(i + 1, json_array_at(collector.attempts, i));
		}
		puts("\nScore cells: RAW/NORMALIZED xWEIGHT; TOTAL = sum of NORMALIZED x WEIGHT.");
	}
	if (!collector.len && !exists) {
		cli_fail("Error from server (NotFound): pods \"%s\" not found", args.name);
		rc = 1;
	}
	json_free(collector.attempts);
	cluster_free(cluster);
	scenario_free(scenario);
	return rc;
}
