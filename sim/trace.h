/* trace.h - the run's trace: JSON Lines, one record per line.
 *
 * Everything that happens in a run worth knowing later is written here:
 * object changes, Kubernetes Events, timeline actions and faults,
 * scheduling decisions, expectation results. Plots, graphs, graders and
 * `kubelab get --at` read the trace, never kubelab's internals. The format
 * is versioned and documented in docs/trace-format.md.
 *
 * Time in records is "t": seconds since the run's start, a JSON number.
 * Records are written in the order things happen; with the same scenario
 * and seed, the file is the same byte for byte.
 *
 * Ownership: trace_open returns a trace closed with trace_close. A NULL
 * struct trace * is valid everywhere and records nothing.
 */
#ifndef KUBELAB_TRACE_H
#define KUBELAB_TRACE_H

#include <stdio.h>

#include "clock.h"
#include "err.h"
#include "object.h"
#include "store.h"

#define TRACE_FORMAT_VERSION 1

struct json;

enum trace_level {
	TRACE_BRIEF,		/* object changes without the object body */
	TRACE_FULL,		/* object changes with the whole object */
};

struct trace;

/* Opens path for writing ("-" is standard output). */
struct trace *trace_open(const char *path, enum trace_level level,
			 struct err **err);
void trace_close(struct trace *trace);
/* The level trace was opened with (TRACE_BRIEF for NULL). Writers of
 * records that exist only at full level ("schedule") ask first. */
enum trace_level trace_get_level(const struct trace *trace);

/* The clock records are stamped from, and the run's start: "t" in records
 * is relative to it. */
void trace_set_clock(struct trace *trace, const struct clock *clock,
		     ktime_t start);

/* Writes a record: "t" and "type" first, then the members of body (taken
 * over and freed). */
void trace_record(struct trace *trace, const char *type, struct json *body);

/* A store observer (store_set_observer) writing "object" records. */
void trace_observe(void *trace, enum watch_type type, const struct object *obj,
		   const struct object *old);

#endif
