/* expect.h - expectations: what must hold, when, in a scenario.
 *
 * An expectation is a small expression over the cluster's objects, checked
 * in one of three ways:
 *   at: T          it holds at time T;
 *   during: [A,B]  it holds at every moment from A to B;
 *   within: D      it holds at some moment by D (eventually).
 * Expressions:
 *   deployment/web .status.availableReplicas == 3
 *   pod/web-0 .status.phase == Running
 *   count(pods) == 3
 *   count(pods app=web) >= 2                      (a label selector)
 *   count(pods app=web .status.phase == Running) == 3
 *   node/worker-1 .spec.unschedulable == true
 * Operators: == != < <= > >=. Numbers (and quantities) compare as numbers,
 * everything else as text. A missing object or field reads as "<none>".
 */
#ifndef KUBELAB_EXPECT_H
#define KUBELAB_EXPECT_H

#include <stdbool.h>

#include "clock.h"
#include "err.h"
#include "object.h"
#include "selector.h"

struct store;

enum expect_mode { EXPECT_AT, EXPECT_DURING, EXPECT_WITHIN };
enum expect_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct expectation {
	char *text;			/* as written */
	int line, column;
	enum expect_mode mode;
	ktime_t from, to;		/* AT: from == to; WITHIN: from = 0 */
	/* the parsed expression */
	bool is_count;
	enum kind_id kind;
	char *namespace;		/* NULL: default, or all for count() */
	char *name;			/* object expressions */
	struct selector selector;	/* count(): labels */
	char *path;			/* field compared (object), or filter (count) */
	enum expect_op filter_op;	/* count(): filter path OP value */
	char *filter_value;
	enum expect_op op;
	char *value;			/* right-hand side */
	/* results, written while the run goes */
	bool decided;
	bool passed;
	char *observed;			/* last value seen, for the report */
	ktime_t observed_at;
};

/* Parses text into the expression fields of e; -1 with err
 * ("expected an operator such as ==, got 'is'"). */
int expect_parse(struct expectation *e, const char *text, struct err **err);
/* Evaluates the expression now: returns whether it holds and sets
 * *observed (caller frees) to the left-hand value. */
bool expect_eval(const struct expectation *e, const struct store *store,
		 char **observed);
/* Feeds the checker one moment of the run (relative time t). Decides AT
 * expectations at their time, fails DURING ones at the first moment they
 * do not hold, passes WITHIN ones at the first moment they do. */
void expect_step(struct expectation *e, const struct store *store, ktime_t t);
/* At the end of the run: undecided DURING pass, WITHIN/AT fail. */
void expect_finish(struct expectation *e);
void expectation_release(struct expectation *e);
const char *expect_op_text(enum expect_op op);

#endif
