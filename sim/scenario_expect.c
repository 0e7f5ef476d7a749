/* scenario_expect.c - a scenario's expectations (spec.expect), checked.
 *
 * An expectation is what the class should see while the scenario runs:
 * `that:` a condition in expect.c's small language ("deployment/web
 * .status.readyReplicas == 3", "count(pods app=web ...) >= 2"), checked
 * `at:` one time, `during:` an interval (it must hold throughout) or
 * `within:` a deadline (it must hold at some moment by then). Checked
 * here, at load time, with positions: exactly one of at:, during:,
 * within:, the times within spec.duration and in order, the condition
 * parsed, and its field path resolved against the kind's schema (there is
 * no object yet to resolve it on).
 * K8S: no upstream counterpart; the field paths are those of `kubectl get
 * -o jsonpath` and `kubectl explain`.
 *
 * Interface: load_expectations (scenario_load.h).
 * See also: expect.c (the language and the checking at run time),
 * scenario_timeline.c (what happens), docs/scenario-reference.md.
 */
#include "scenario_load.h"

#include "api.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* The times of an expectation: at: T, within: D or during: [A, B]. */
static bool load_expect_times(struct loader *l, const struct ynode *node,
			      const char *path, struct expectation *e)
{
	static const struct {
		const char *key;
		enum expect_mode mode;
	} modes[] = {
		{ "at", EXPECT_AT }, { "during", EXPECT_DURING },
		{ "within", EXPECT_WITHIN },
	};
	const struct ynode *mode_key = NULL, *mode = NULL;
	for (size_t i = 0; i < node->len; i++) {
		const struct ynode *key = node->pairs[i].key;
		for (size_t m = 0; m < 3; m++) {
			if (strcmp(key->scalar, modes[m].key))
				continue;
			if (mode_key) {
				loader_problem(l, key, "%s: %s and %s: an "
					       "expectation is checked one way",
					       path, mode_key->scalar, key->scalar);
				return false;
			}
			mode_key = key;
			mode = node->pairs[i].value;
			e->mode = modes[m].mode;
		}
	}
	if (!mode_key) {
		loader_problem(l, node, "%s: expected one of at:, during: or "
			       "within: (when to check)", path);
		return false;
	}
	char *mpath = xasprintf("%s.%s", path, mode_key->scalar);
	bool ok = false;
	if (e->mode == EXPECT_AT) {
		ok = loader_time(l, mode, mpath, &e->to) == 0;
		e->from = e->to;
	} else if (e->mode == EXPECT_WITHIN) {
		ok = loader_time(l, mode, mpath, &e->to) == 0;
		e->from = 0;
	} else if (mode->kind != YNODE_SEQ || mode->len != 2) {
		loader_problem(l, mode, "%s: expected [FROM, TO], such as "
			       "[60s, 5m], got %s", mpath, loader_got(l, mode));
	} else {
		ok = loader_time(l, mode->items[0], mpath, &e->from) == 0;
		ok &= loader_time(l, mode->items[1], mpath, &e->to) == 0;
		if (ok && e->from > e->to) {
			loader_problem(l, mode, "%s: starts after it ends (%s > %s)",
				       mpath, mode->items[0]->scalar,
				       mode->items[1]->scalar);
			ok = false;
		}
	}
	free(mpath);
	return ok;
}

/* The paths of a parsed expectation resolve in its kind. */
static bool check_expect_paths(struct loader *l, const struct ynode *that,
			       const char *path, const struct expectation *e)
{
	struct path_leaf leaf;
	struct err *err = NULL;
	const struct kind_info *kind = kind_get(e->kind);
	if (e->path && loader_path_check(kind->schema, e->path, &leaf, &err)) {
		loader_problem(l, that, "%s: %s", path, err->msg);
		err_free(err);
		return false;
	}
	return true;
}

static void load_expectation(struct loader *l, const struct ynode *node,
			     size_t index)
{
	static const char *const known[] = { "at", "during", "within", "that", NULL };
	char *path = xasprintf("spec.expect[%zu]", index);
	char *that_path = xasprintf("%s.that", path);
	struct expectation e = { .line = node->line, .column = node->column };
	bool ok;

	if (!loader_want(l, node, YNODE_MAP, path))
		goto out;
	loader_check_keys(l, node, path, known);
	ok = load_expect_times(l, node, path, &e);
	const struct ynode *that = ynode_get(node, "that");
	const char *text = NULL;
	if (!that)
		loader_problem(l, node, "%s: missing required field \"that\" "
			       "(what must hold)", path);
	else
		text = loader_string(l, that, that_path);
	if (text) {
		struct err *err = NULL;
		if (expect_parse(&e, text, &err)) {
			loader_problem(l, that, "%s: %s", that_path, err->msg);
			err_free(err);
			text = NULL;
		} else if (!check_expect_paths(l, that, that_path, &e)) {
			text = NULL;
		}
	}
	if (ok && text)
		LIST_PUSH(l->scenario->expectations, e);
	else
		expectation_release(&e);
out:
	free(that_path);
	free(path);
}

void load_expectations(struct loader *l, const struct ynode *expect)
{
	if (!loader_want(l, expect, YNODE_SEQ, "spec.expect"))
		return;
	for (size_t i = 0; i < expect->len; i++)
		load_expectation(l, expect->items[i], i);
}
