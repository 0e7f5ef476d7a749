/* cmd_run.c - kubelab run: play a scenario, print what happened.
 *
 * Prints the Kubernetes Events as they happen (kubectl get events -w),
 * then kubectl-get tables of the cluster at the end, then the
 * expectations with what was observed. Exit status: 0 when every
 * expectation held, 1 when one failed, 2 when the scenario is invalid.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "duration.h"
#include "json.h"
#include "print.h"
#include "release.h"
#include "store.h"
#include "xmalloc.h"

static const char run_help[] =
	"Play a scenario in simulated time and check its expectations.\n"
	"\n"
	"Prints the cluster's Events as they happen, then the objects at the end\n"
	"as kubectl get tables, then each expectation with the value observed.\n"
	"\n"
	"Usage:\n"
	"  kubelab run SCENARIO [options]\n"
	"\n"
	"Options:\n"
	"  --seed N             seed of the run (default: the scenario's spec.seed)\n"
	"  --until DURATION     stop at this simulated time (default: spec.duration)\n"
	"  --max-steps N        stop after N engine events (a safety limit)\n"
	"  --trace FILE         write the trace (JSON Lines; docs/trace-format.md)\n"
	"  --trace-level LEVEL  brief (no object bodies) or full (default)\n"
	"  -o, --output FORMAT  text (default) or json (one JSON document at the end)\n"
	"  -q, --quiet          no event stream, only the summary\n"
	"%s"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 all expectations held, 1 one failed, 2 invalid input.\n"
	"\n"
	"Example:\n"
	"  kubelab run scenarios/ch05-node-failure.yaml --seed 7 --trace run.jsonl\n";

struct run_state {
	bool json;
	bool quiet;
	bool color;
	struct cluster *cluster;
	struct json *events;		/* -o json: collected events */
	ktime_t last_progress;
	bool progress_shown;
};

static void print_event(void *arg, ktime_t now, const struct object *obj,
			const char *type, const char *reason, const char *message)
{
	struct run_state *st = arg;
	char when[DURATION_STR_MAX];
	ktime_t t = now - KTIME_SIM_EPOCH;
	duration_format(t, when, sizeof(when));
	char *target = object_ref_name(obj);
	if (st->json) {
		struct json *e = json_new_object();
		json_add_double(e, "t", (double)t / 1e9);
		json_add_string(e, "type", type);
		json_add_string(e, "reason", reason);
		json_add_string(e, "object", target);
		json_add_string(e, "message", message);
		json_append(st->events, e);
	} else if (!st->quiet) {
		if (st->progress_shown) {
			fputs("\r\033[K", stderr);
			st->progress_shown = false;
		}
		bool warn = !strcmp(type, "Warning");
		printf("%-9s %s%-8s%s %-24s %-34s %s\n", when,
		       st->color && warn ? "\033[33m" : "", type,
		       st->color && warn ? "\033[0m" : "", reason, target, message);
	}
	free(target);
}

static void show_progress(void *arg, ktime_t t, ktime_t end)
{
	struct run_state *st = arg;
	if (t - st->last_progress < 10 * KTIME_SECOND)
		return;
	st->last_progress = t;
	char now[DURATION_STR_MAX], total[DURATION_STR_MAX];
	duration_format(t, now, sizeof(now));
	duration_format(end, total, sizeof(total));
	int width = 30, done = end > 0 ? (int)(t * width / end) : width;
	fprintf(stderr, "\r\033[K[%.*s%*s] %s / %s", done,
		"==============================", width - done, "", now, total);
	st->progress_shown = true;
}

static void print_kind(const struct store *store, enum kind_id kind,
		       const struct print_options *po)
{
	struct object_list list = {0};
	store_list(store, kind, NULL, NULL, &list);
	if (list.len) {
		printf("\n");
		print_table(stdout, kind, &list, po);
	}
	object_list_release(&list);
}

static const char *mode_text(const struct expectation *e, char *buf, size_t size)
{
	char a[DURATION_STR_MAX], b[DURATION_STR_MAX];
	duration_format(e->from, a, sizeof(a));
	duration_format(e->to, b, sizeof(b));
	if (e->mode == EXPECT_AT)
		snprintf(buf, size, "at %s", a);
	else if (e->mode == EXPECT_DURING)
		snprintf(buf, size, "during [%s, %s]", a, b);
	else
		snprintf(buf, size, "within %s", b);
	return buf;
}

static void print_summary(struct run_state *st, const struct scenario *scenario)
{
	const struct store *store = cluster_store(st->cluster);
	char end[DURATION_STR_MAX];
	duration_format(cluster_elapsed(st->cluster), end, sizeof(end));
	printf("\n--- the cluster at %s%s ---\n", end,
	       cluster_truncated(st->cluster) ? " (stopped by --max-steps)" : "");
	struct print_options po = {
		.now = KTIME_SIM_EPOCH + cluster_elapsed(st->cluster),
		.all_namespaces = false, .with_kind = false, .color = st->color,
	};
	static const enum kind_id kinds[] = {
		KIND_NODE, KIND_DEPLOYMENT, KIND_REPLICASET, KIND_STATEFULSET,
		KIND_HORIZONTALPODAUTOSCALER, KIND_DAEMONSET, KIND_JOB, KIND_CRONJOB, KIND_SERVICE, KIND_POD,
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		print_kind(store, kinds[i], &po);
	size_t n;
	const struct expectation *es = cluster_expectations(st->cluster, &n);
	if (!n)
		return;
	printf("\nExpectations (%s):\n", scenario->path);
	int passed = 0;
	for (size_t i = 0; i < n; i++) {
		char mode[96], when[DURATION_STR_MAX];
		duration_format(es[i].observed_at, when, sizeof(when));
		mode_text(&es[i], mode, sizeof(mode));
		const char *mark = es[i].passed ? "PASS" : "FAIL";
		if (st->color)
			mark = es[i].passed ? "\033[32mPASS\033[0m" : "\033[31mFAIL\033[0m";
		printf("  %s  %s: %s  (observed %s at %s; line %d)\n", mark, mode,
		       es[i].text, es[i].observed ? es[i].observed : "<none>", when,
		       es[i].line);
		passed += es[i].passed;
	}
	printf("expectations: %d passed, %zu failed\n", passed, n - (size_t)passed);
}

static void print_json(struct run_state *st, const struct scenario *scenario)
{
	struct json *out = json_new_object();
	json_add_string(out, "scenario", scenario->path);
	json_add_string(out, "name", scenario->name ? scenario->name : "");
	json_add_int(out, "seed", (int64_t)cluster_seed(st->cluster));
	json_add_double(out, "elapsed", (double)cluster_elapsed(st->cluster) / 1e9);
	json_add_int(out, "steps", (int64_t)cluster_steps(st->cluster));
	json_add_bool(out, "truncated", cluster_truncated(st->cluster));
	json_add(out, "events", st->events);
	st->events = NULL;
	size_t n;
	const struct expectation *es = cluster_expectations(st->cluster, &n);
	struct json *list = json_new_array();
	int passed = 0;
	for (size_t i = 0; i < n; i++) {
		struct json *e = json_new_object();
		json_add_string(e, "that", es[i].text);
		json_add_bool(e, "passed", es[i].passed);
		json_add_string(e, "observed", es[i].observed ? es[i].observed : "<none>");
		json_add_double(e, "observedAt", (double)es[i].observed_at / 1e9);
		json_add_int(e, "line", es[i].line);
		json_append(list, e);
		passed += es[i].passed;
	}
	json_add(out, "expectations", list);
	json_add_int(out, "passed", passed);
	json_add_int(out, "failed", (int64_t)n - passed);
	char *text = json_print(out, true);
	puts(text);
	free(text);
	json_free(out);
}

static void write_header(struct trace *trace, const struct scenario *scenario,
			 uint64_t seed, ktime_t until)
{
	struct json *h = json_new_object();
	json_add_int(h, "format", TRACE_FORMAT_VERSION);
	json_add_string(h, "kubelab", KUBELAB_VERSION);
	json_add_string(h, "kubernetes", KUBERNETES_VERSION);
	json_add_string(h, "scenario", scenario->path);
	json_add_string(h, "name", scenario->name ? scenario->name : "");
	json_add_int(h, "seed", (int64_t)seed);
	json_add_double(h, "until", (double)until / 1e9);
	trace_record(trace, "header", h);
}

struct run_args {
	const char *scenario;
	const char *trace;
	enum trace_level level;
	struct run_options options;
	bool json, quiet;
	struct cli_scheduler_flags scheduler;
};

static int parse_run_args(int argc, char **argv, struct run_args *args)
{
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"max-steps", required_argument, NULL, 'm'},
		{"trace", required_argument, NULL, 't'},
		{"trace-level", required_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		CLI_SCHEDULER_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		int handled = cli_scheduler_option(c, optarg, &args->scheduler);
		if (handled == 1)
			continue;
		if (handled)
			return handled;
		switch (c) {
		case 's':
			if (cli_uint64("--seed", optarg, &args->options.seed))
				return EXIT_USAGE;
			args->options.seed_set = true;
			break;
		case 'u':
			if (cli_duration("--until", optarg, &args->options.until))
				return EXIT_USAGE;
			args->options.until_set = true;
			break;
		case 'm':
			if (cli_uint64("--max-steps", optarg, &args->options.max_steps))
				return EXIT_USAGE;
			break;
		case 't':
			args->trace = optarg;
			break;
		case 'l':
			if (!strcmp(optarg, "brief"))
				args->level = TRACE_BRIEF;
			else if (!strcmp(optarg, "full"))
				args->level = TRACE_FULL;
			else
				return cli_fail("invalid value \"%s\" for --trace-level: expected brief or full", optarg);
			break;
		case 'o':
			if (!strcmp(optarg, "json"))
				args->json = true;
			else if (strcmp(optarg, "text"))
				return cli_fail("invalid value \"%s\" for --output: expected text or json", optarg);
			break;
		case 'q':
			args->quiet = true;
			break;
		case 'h':
			printf(run_help, cli_scheduler_help);
			return -1;
		default:
			return cli_fail("run: unknown or incomplete option \"%s\" (see kubelab run --help)",
					argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_fail("run: expected one SCENARIO file (see kubelab run --help)");
	args->scenario = argv[optind];
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args args = {.level = TRACE_FULL};
	args.options.record_events = true;
	int rc = parse_run_args(argc, argv, &args);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct scenario *scenario = cli_load_scenario_with(args.scenario,
							   &args.scheduler);
	if (!scenario)
		return EXIT_USAGE;
	struct trace *trace = NULL;
	if (args.trace) {
		struct err *err = NULL;
		trace = trace_open(args.trace, args.level, &err);
		if (!trace) {
			cli_fail("%s", err->msg);
			err_free(err);
			scenario_free(scenario);
			return EXIT_USAGE;
		}
	}
	struct run_state st = {
		.json = args.json, .quiet = args.quiet, .color = cli_color(stdout),
		.events = args.json ? json_new_array() : NULL,
	};
	struct run_options options = args.options;
	options.trace = trace;
	options.event_hook = print_event;
	options.event_hook_arg = &st;
	if (!args.json && !args.quiet && cli_color(stderr)) {
		options.progress = show_progress;
		options.progress_arg = &st;
	}
	uint64_t seed = options.seed_set ? options.seed : scenario->seed;
	ktime_t until = options.until_set ? options.until : scenario->duration;
	write_header(trace, scenario, seed, until);
	if (!args.json) {
		char d[DURATION_STR_MAX];
		duration_format(until, d, sizeof(d));
		printf("Scenario %s%s%s: seed %llu, until %s (Kubernetes %s)\n",
		       scenario->name ? scenario->name : scenario->path,
		       scenario->chapter ? ", chapter " : "",
		       scenario->chapter ? scenario->chapter : "",
		       (unsigned long long)seed, d, KUBERNETES_VERSION);
		if (!args.quiet)
			printf("%-9s %-8s %-24s %-34s %s\n", "TIME", "TYPE", "REASON",
			       "OBJECT", "MESSAGE");
	}
	st.cluster = cluster_new(scenario, &options);
	int failed = cluster_run(st.cluster);
	if (st.progress_shown)
		fputs("\r\033[K", stderr);
	if (args.json)
		print_json(&st, scenario);
	else
		print_summary(&st, scenario);
	json_free(st.events);
	cluster_free(st.cluster);
	trace_close(trace);
	scenario_free(scenario);
	return failed ? 1 : 0;
}
