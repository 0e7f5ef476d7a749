/* trace.c - JSON Lines trace writer; see trace.h and docs/trace-format.md. */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"

struct trace {
	FILE *out;
	bool owns_out;
	enum trace_level level;
	struct clock clock;
	bool has_clock;
	ktime_t start;
};

struct trace *trace_open(const char *path, enum trace_level level,
			 struct err **err)
{
	FILE *out = stdout;
	bool owns = false;
	if (strcmp(path, "-")) {
		out = fopen(path, "w");
		if (!out) {
			err_set(err, "cannot write '%s': %s", path, strerror(errno));
			return NULL;
		}
		owns = true;
	}
	struct trace *trace = xcalloc(1, sizeof(*trace));
	trace->out = out;
	trace->owns_out = owns;
	trace->level = level;
	return trace;
}

void trace_close(struct trace *trace)
{
	if (!trace)
		return;
	if (trace->owns_out)
		fclose(trace->out);
	else
		fflush(trace->out);
	free(trace);
}

enum trace_level trace_get_level(const struct trace *trace)
{
	return trace ? trace->level : TRACE_BRIEF;
}

void trace_set_clock(struct trace *trace, const struct clock *clock,
		     ktime_t start)
{
	if (!trace)
		return;
	trace->clock = *clock;
	trace->has_clock = true;
	trace->start = start;
}

void trace_record(struct trace *trace, const char *type, struct json *body)
{
	if (!trace) {
		json_free(body);
		return;
	}
	ktime_t now = trace->has_clock ? clock_now(&trace->clock) : trace->start;
	struct json *line = json_new_object();
	json_add_double(line, "t", (double)(now - trace->start) / 1e9);
	json_add_string(line, "type", type);
	json_merge(line, body);
	char *text = json_print(line, false);
	fputs(text, trace->out);
	fputc('\n', trace->out);
	free(text);
	json_free(line);
}

void trace_observe(void *arg, enum watch_type type, const struct object *obj,
		   const struct object *old)
{
	struct trace *trace = arg;
	(void)old;
	/* Events have their own "event" records (client_event). */
	if (!trace || obj->kind->id == KIND_EVENT)
		return;
	struct json *body = json_new_object();
	json_add_string(body, "op", watch_type_name(type));
	json_add_string(body, "kind", obj->kind->kind);
	if (obj->meta.namespace)
		json_add_string(body, "namespace", obj->meta.namespace);
	json_add_string(body, "name", obj->meta.name);
	json_add_int(body, "resourceVersion", obj->meta.resource_version);
	if (trace->level == TRACE_FULL)
		json_add(body, "object", json_from_object(obj));
	trace_record(trace, "object", body);
}
