/* cmd_validate.c - kubelab validate FILE...: check without running.
 *
 * A file holding a `kind: Scenario` document is checked as a scenario
 * (its manifests, the files its timeline applies, its expectations);
 * any other file as Kubernetes manifests, as `kubectl apply
 * --dry-run=client --validate=strict` would. Every problem is reported
 * with file:line:column.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decode.h"
#include "diag.h"
#include "json.h"
#include "object.h"
#include "xmalloc.h"
#include "yamldoc.h"

static const char validate_help[] =
	"Check scenario and manifest files without running them.\n"
	"\n"
	"Usage:\n"
	"  kubelab validate FILE... [-o json]\n"
	"\n"
	"Every problem is printed as FILE:LINE:COLUMN: error: MESSAGE.\n"
	"Exit status: 0 when every file is valid, 1 otherwise, 2 on usage errors.\n";

static bool is_scenario(const struct yfile *file)
{
	for (size_t i = 0; i < file->len; i++) {
		const struct ynode *kind = ynode_get(file->docs[i].root, "kind");
		if (kind && kind->kind == YNODE_SCALAR && !strcmp(kind->scalar, "Scenario"))
			return true;
	}
	return false;
}

/* Checks one file, adding diagnostics; *summary describes a valid one. */
static void check_file(const char *path, struct diag_list *diags, char **summary)
{
	struct yfile *file = yfile_load(path, diags);
	if (!file)
		return;
	if (is_scenario(file)) {
		struct scenario *s = scenario_load(path, diags);
		if (s) {
			size_t nodes = 0;
			for (size_t i = 0; i < s->node_pools.len; i++)
				nodes += (size_t)s->node_pools.items[i].count;
			*summary = xasprintf("scenario %s: %zu node%s, %zu timeline action%s, %zu expectation%s",
					     s->name ? s->name : "", nodes, nodes == 1 ? "" : "s",
					     s->timeline.len, s->timeline.len == 1 ? "" : "s",
					     s->expectations.len, s->expectations.len == 1 ? "" : "s");
		}
		scenario_free(s);
	} else {
		size_t n = 0;
		for (size_t i = 0; i < file->len; i++) {
			struct object *obj = decode_object(path, file->docs[i].root, diags);
			n += obj != NULL;
			if (obj)
				object_unref(obj);
		}
		*summary = xasprintf("%zu manifest%s", n, n == 1 ? "" : "s");
	}
	yfile_free(file);
}

int cmd_validate(int argc, char **argv)
{
	bool json = false;
	int files = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(validate_help, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			if (strcmp(argv[i + 1], "json") && strcmp(argv[i + 1], "text"))
				return cli_fail("invalid value \"%s\" for --output: expected text or json", argv[i + 1]);
			json = !strcmp(argv[++i], "json");
			argv[i - 1] = argv[i] = NULL;
		} else if (argv[i][0] == '-') {
			return cli_fail("validate: unknown option \"%s\"", argv[i]);
		} else {
			files++;
		}
	}
	if (!files)
		return cli_fail("validate: expected one or more FILEs (see kubelab validate --help)");
	int invalid = 0;
	struct json *out = json ? json_new_array() : NULL;
	for (int i = 1; i < argc; i++) {
		if (!argv[i])
			continue;
		struct diag_list diags = {0};
		char *summary = NULL;
		check_file(argv[i], &diags, &summary);
		bool ok = diags.len == 0;
		invalid += !ok;
		if (json) {
			struct json *f = json_new_object();
			json_add_string(f, "file", argv[i]);
			json_add_bool(f, "valid", ok);
			struct json *errors = json_new_array();
			for (size_t k = 0; k < diags.len; k++) {
				struct json *e = json_new_object();
				json_add_int(e, "line", diags.items[k].line);
				json_add_int(e, "column", diags.items[k].column);
				json_add_string(e, "message", diags.items[k].msg);
				json_append(errors, e);
			}
			json_add(f, "errors", errors);
			json_append(out, f);
		} else if (ok) {
			printf("%s: valid (%s)\n", argv[i], summary);
		} else {
			diag_print(&diags, stderr);
			fprintf(stderr, "%s: invalid: %zu error%s\n", argv[i], diags.len,
				diags.len == 1 ? "" : "s");
		}
		free(summary);
		diag_release(&diags);
	}
	if (json) {
		char *text = json_print(out, true);
		puts(text);
		free(text);
		json_free(out);
	}
	return invalid ? 1 : 0;
}
