/* cli.h - shared pieces of the kubelab command line.
 *
 * Each subcommand lives in its own file (cmd_run.c, cmd_validate.c,
 * cmd_get.c, cmd_rollout.c, cmd_explain.c, cmd_version.c) and has the signature of cmd_fn. Exit codes:
 * 0 success; 1 the run finished but an expectation failed, or a file was
 * invalid; 2 usage errors and environment failures.
 */
#ifndef KUBELAB_CLI_H
#define KUBELAB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "clock.h"
#include "cluster.h"
#include "scenario.h"

#define EXIT_USAGE 2

typedef int (*cmd_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_rollout(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints "kubelab: " + message to stderr; returns EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a duration flag value; prints the error and returns -1. */
int cli_duration(const char *flag, const char *text, ktime_t *out);
int cli_uint64(const char *flag, const char *text, uint64_t *out);
/* Whether to use colour on this stream (a terminal, NO_COLOR unset). */
bool cli_color(FILE *stream);

/* Loads a scenario, printing every diagnostic; NULL on failure. */
struct scenario *cli_load_scenario(const char *path);

/* The scheduler flags of every command that runs a scenario:
 * --scheduler-config FILE (kube-scheduler --config) and --plugin FILE.c
 * (repeatable; sched_plugin_load.h). */
struct cli_scheduler_flags {
	const char *config_path;
	const char *plugins[SCHED_PLUGIN_EXTRA_MAX];
	size_t plugins_len;
};
#define CLI_SCHEDULER_OPTIONS \
	{"scheduler-config", required_argument, NULL, 'C'}, \
	{"plugin", required_argument, NULL, 'P'}
extern const char cli_scheduler_help[];
/* Handles 'C' and 'P': 1 when it was one, 0 when not, EXIT_USAGE after
 * printing why it was invalid. */
int cli_scheduler_option(int option, const char *value,
			 struct cli_scheduler_flags *flags);
/* Loads the scenario as cli_load_scenario does, with the flags' plugins
 * compiled and registered first and their configuration replacing the
 * scenario's. NULL after printing why. */
struct scenario *cli_load_scenario_with(const char *path,
					const struct cli_scheduler_flags *flags);

/* Where `get`/`describe` find a finished run: the scenario file (-f) or a
 * trace whose header names it (--trace), and the moment (--at). */
struct replay_source {
	const char *scenario_path;
	const char *trace_path;
	bool seed_set;
	uint64_t seed;
	bool at_set;
	ktime_t at;
	struct cli_scheduler_flags scheduler;
};

/* The replay options every read command takes, for getopt_long tables:
 * -f/--filename, --trace, --seed, --at (option values 'f', 't', 's', 'a'). */
#define CLI_REPLAY_OPTIONS \
	{"filename", required_argument, NULL, 'f'}, \
	{"trace", required_argument, NULL, 't'}, \
	{"seed", required_argument, NULL, 's'}, \
	{"at", required_argument, NULL, 'a'}, \
	CLI_SCHEDULER_OPTIONS
extern const char cli_replay_help[];

/* Handles one of those options: 1 when it was one (and was valid), 0 when
 * it was not one of them, EXIT_USAGE after printing why it was invalid. */
int cli_replay_option(int option, const char *value, struct replay_source *source);

/* Replays the run up to the source's moment (default: its end) and
 * returns the cluster, or NULL after printing why. *scenario_out is the
 * loaded scenario, which must outlive the cluster. */
struct cluster *cli_replay(const struct replay_source *source,
			   struct scenario **scenario_out);
/* The same, with explain (may be NULL) watching every scheduling attempt
 * of the replay (run_options.explain). */
struct cluster *cli_replay_explained(const struct replay_source *source,
				     const struct sched_explain_hook *explain,
				     struct scenario **scenario_out);

#endif
