/* cli.c - helpers shared by the subcommands; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "json.h"
#include "sched_plugin_load.h"
#include "xmalloc.h"

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kubelab: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_duration(const char *flag, const char *text, ktime_t *out)
{
	const char *why = NULL;
	if (duration_parse(text, out, &why) || *out < 0) {
		cli_fail("invalid value \"%s\" for %s: %s", text, flag,
			 why ? why : "must not be negative");
		return -1;
	}
	return 0;
}

int cli_uint64(const char *flag, const char *text, uint64_t *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (!*text || *end || errno || text[0] == '-') {
		cli_fail("invalid value \"%s\" for %s: expected a non-negative integer",
			 text, flag);
		return -1;
	}
	*out = v;
	return 0;
}

bool cli_color(FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return isatty(fileno(stream)) && !(no_color && *no_color) &&
	       !(term && !strcmp(term, "dumb"));
}

struct scenario *cli_load_scenario(const char *path)
{
	struct diag_list diags = {0};
	struct scenario *scenario = scenario_load(path, &diags);
	if (!scenario || diags.len) {
		diag_print(&diags, stderr);
		fprintf(stderr, "kubelab: %s: %zu error%s; nothing was run\n", path,
			diags.len, diags.len == 1 ? "" : "s");
		diag_release(&diags);
		scenario_free(scenario);
		return NULL;
	}
	diag_release(&diags);
	return scenario;
}

/* Reads the header record (the first line) of a trace. */
static int read_trace_header(const char *path, char **scenario, uint64_t *seed,
			     ktime_t *until)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return cli_fail("cannot open '%s': %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, in);
	fclose(in);
	struct json *header = n > 0 ? json_parse(line) : NULL;
	free(line);
	const char *type = header ? json_string(json_get(header, "type")) : NULL;
	const char *file = header ? json_string(json_get(header, "scenario")) : NULL;
	double seed_value = 0, until_value = 0;
	if (!type || strcmp(type, "header") || !file ||
	    !json_number(json_get(header, "seed"), &seed_value) ||
	    !json_number(json_get(header, "until"), &until_value)) {
		json_free(header);
		return cli_fail("%s: not a kubelab trace (its first line must be a header record)",
				path);
	}
	*scenario = xstrdup(file);
	*seed = (uint64_t)seed_value;
	*until = (ktime_t)(until_value * 1e9 + 0.5);
	json_free(header);
	return 0;
}

const char cli_replay_help[] =
	"The run:\n"
	"  -f, --filename SCENARIO  replay this scenario\n"
	"      --trace FILE         replay the run that wrote this trace\n"
	"      --seed N             seed (default: the scenario's, or the trace's)\n"
	"      --at DURATION        the moment to show (default: the end of the run)\n"
	"      --scheduler-config FILE, --plugin FILE.c\n"
	"                           as given to kubelab run (a trace does not\n"
	"                           record them)\n";

const char cli_scheduler_help[] =
	"  --scheduler-config FILE  a KubeSchedulerConfiguration (kube-scheduler\n"
	"                       --config) replacing the scenario's\n"
	"  --plugin FILE.c      compile and load a scheduler plugin (repeatable;\n"
	"                       docs/scheduler-plugins.md)\n";

int cli_scheduler_option(int option, const char *value,
			 struct cli_scheduler_flags *flags)
{
	switch (option) {
	case 'C':
		flags->config_path = value;
		return 1;
	case 'P':
		if (flags->plugins_len == SCHED_PLUGIN_EXTRA_MAX) {
			cli_fail("at most %d --plugin flags", SCHED_PLUGIN_EXTRA_MAX);
			return EXIT_USAGE;
		}
		flags->plugins[flags->plugins_len++] = value;
		return 1;
	default:
		return 0;
	}
}

struct scenario *cli_load_scenario_with(const char *path,
					const struct cli_scheduler_flags *flags)
{
	for (size_t i = 0; i < flags->plugins_len; i++) {
		struct err *err = NULL;
		if (!sched_plugin_load(flags->plugins[i], &err)) {
			cli_fail("--plugin: %s", err->msg);
			err_free(err);
			return NULL;
		}
	}
	struct scenario *scenario = cli_load_scenario(path);
	if (!scenario || !flags->config_path)
		return scenario;
	struct diag_list diags = {0};
	struct sched_config *config = sched_config_load(flags->config_path, &diags);
	if (!config) {
		diag_print(&diags, stderr);
		fprintf(stderr, "kubelab: %s: %zu error%s; nothing was run\n",
			flags->config_path, diags.len, diags.len == 1 ? "" : "s");
		diag_release(&diags);
		scenario_free(scenario);
		return NULL;
	}
	diag_release(&diags);
	sched_config_free(scenario->scheduler_config);
	scenario->scheduler_config = config;
	return scenario;
}

int cli_replay_option(int option, const char *value, struct replay_source *source)
{
	switch (option) {
	case 'f':
		source->scenario_path = value;
		return 1;
	case 't':
		source->trace_path = value;
		return 1;
	case 's':
		if (cli_uint64("--seed", value, &source->seed))
			return EXIT_USAGE;
		source->seed_set = true;
		return 1;
	case 'a':
		if (cli_duration("--at", value, &source->at))
			return EXIT_USAGE;
		source->at_set = true;
		return 1;
	default:
		return cli_scheduler_option(option, value, &source->scheduler);
	}
}

struct cluster *cli_replay(const struct replay_source *source,
			   struct scenario **scenario_out)
{
	return cli_replay_explained(source, NULL, scenario_out);
}

struct cluster *cli_replay_explained(const struct replay_source *source,
				     const struct sched_explain_hook *explain,
				     struct scenario **scenario_out)
{
	struct run_options options = {.record_events = true};
	if (explain)
		options.explain = *explain;
	char *path = NULL;
	if (source->trace_path) {
		ktime_t until = 0;
		if (read_trace_header(source->trace_path, &path, &options.seed, &until))
			return NULL;
		options.seed_set = options.until_set = true;
		options.until = until;
	} else if (source->scenario_path) {
		path = xstrdup(source->scenario_path);
	} else {
		cli_fail("say which run: -f SCENARIO or --trace TRACE");
		return NULL;
	}
	if (source->seed_set) {
		options.seed_set = true;
		options.seed = source->seed;
	}
	struct scenario *scenario = cli_load_scenario_with(path, &source->scheduler);
	free(path);
	if (!scenario)
		return NULL;
	if (source->at_set) {
		ktime_t end = options.until_set ? options.until : scenario->duration;
		options.until_set = true;
		options.until = source->at < end ? source->at : end;
	}
	struct cluster *cluster = cluster_new(scenario, &options);
	cluster_run(cluster);
	*scenario_out = scenario;
	return cluster;
}
