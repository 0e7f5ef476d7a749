/* test_selector.c - label selectors: the string syntax (valid and invalid),
 * matching, the matchLabels/matchExpressions form, empty vs nothing, and
 * printing in upstream's canonical form. Cases follow upstream's
 * labels/selector_test.go where it has them. */
#include "selector.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *selector_suite(void);

/* Builds a label set from "k=v" strings, ending with NULL. */
static struct strmap labels_of(const char *const *pairs)
{
	struct strmap map = { 0 };
	for (; *pairs; pairs++) {
		const char *eq = strchr(*pairs, '=');
		char *key = strndup(*pairs, (size_t)(eq - *pairs));
		strmap_set(&map, key, eq + 1);
		free(key);
	}
	return map;
}

/* Parses text, which must be valid, and returns its String(). */
static char *reprint(const char *text)
{
	struct selector sel;
	struct err *err = NULL;
	int rc = selector_parse(text, &sel, &err);
	ck_assert_msg(rc == 0, "'%s' failed: %s", text, err ? err->msg : "?");
	char *out = selector_to_string(&sel);
	selector_release(&sel);
	return out;
}

START_TEST(test_valid_selectors_print_back_in_canonical_form)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "x=a,y=b,z=c", "x=a,y=b,z=c" },
		{ "", "" },
		{ "x!=a,y=b", "x!=a,y=b" },
		{ "x=", "x=" },
		{ "x= ,z= ", "x=,z=" },
		{ "!x", "!x" },
		{ "x>1,z<5", "x>1,z<5" },
		/* Requirements are sorted by key, in/notin values too. */
		{ "z,x=a,a=x", "a=x,x=a,z" },
		{ "tier in (web, cache,web),env notin (prod)",
		  "env notin (prod),tier in (cache,web)" },
		/* Empty lists and empty entries are the value "". */
		{ "x in ()", "x in ()" },
		{ "x in (abc,)", "x in (,abc)" },
		{ "x notin (abc,def),bar,z in (),w", "bar,w,x notin (abc,def),z in ()" },
		/* Whitespace of every kind separates tokens. */
		{ "\rx", "x" },
		{ "foo  in\t (abc)", "foo in (abc)" },
		{ "x notin\n (abc)", "x notin (abc)" },
		/* in and notin are identifiers where a key or value is expected. */
		{ "notin=in", "notin=in" },
		{ "in in (in)", "in in (in)" },
		{ "example.com/app-name in (so,what)", "example.com/app-name in (so,what)" },
		{ "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
		  "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)" },
		{ "x==a", "x=a" },	/* kubelab keeps == as = (see report) */
		{ "app=web,tier in (a,b),!canary,env!=prod",
		  "app=web,!canary,env!=prod,tier in (a,b)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = reprint(cases[i].in);
		ck_assert_msg(!strcmp(out, cases[i].out), "'%s' printed '%s', want '%s'",
			      cases[i].in, out, cases[i].out);
		free(out);
	}
}
END_TEST

START_TEST(test_invalid_selectors_fail_with_upstream_messages)
{
	static const struct { const char *in, *msg; } cases[] = {
		{ "x==a==b", "found '==', expected: ',' or 'end of string'" },
		{ "!x=a", "found '=', expected: ',' or 'end of string'" },
		{ "a,", "found '', expected: identifier after ','" },
		{ ",a", "found ',', expected: !, identifier, or 'end of string'" },
		{ "a b", "unable to parse requirement: found 'b', expected: "
			 "in, notin, =, ==, !=, gt, lt" },
		{ "a in b", "unable to parse requirement: found 'b' expected: '('" },
		{ "a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'" },
		{ "a in (b", "unable to parse requirement: found '', expected: ',' or ')'" },
		{ "a in (=)", "unable to parse requirement: found '=', expected: ',', ')' "
			      "or identifier" },
		{ "a in (,", "unable to parse requirement: found '', expected: ',', or identifier" },
		{ "a=(", "unable to parse requirement: found '(', expected: identifier" },
		{ "!", "unable to parse requirement: found '', expected: identifier" },
		{ "x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": "
			 "for 'Gt', 'Lt' operators, the value must be an integer" },
		{ "x>", "unable to parse requirement: values[0]: Invalid value: \"\": "
			"for 'Gt', 'Lt' operators, the value must be an integer" },
		{ "-bad=x", "unable to parse requirement: key: Invalid value: \"-bad\": "
			    "name part must consist of alphanumeric characters, '-', '_' or "
			    "'.', and must start and end with an alphanumeric character "
			    "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
			    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
		{ "a=b c", "found 'c', expected: ',' or 'end of string'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector sel;
		struct err *err = NULL;
		ck_assert_msg(selector_parse(cases[i].in, &sel, &err) == -1,
			      "'%s' parsed", cases[i].in);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(!strcmp(err->msg, cases[i].msg), "'%s': got \"%s\"",
			      cases[i].in, err->msg);
		ck_assert_uint_eq(sel.len, 0);	/* nothing left to release */
		err_free(err);
	}
}
END_TEST

START_TEST(test_bad_keys_and_values_are_rejected)
{
	static const char *const bad[] = {
		"x=a||y=b",			/* '|' in a value */
		"Example.com/app=x",		/* prefix must be lowercase */
		"/app=x",			/* empty prefix */
		"a/b/c=x",			/* two slashes */
		"app.=x",			/* name must end alphanumeric */
		"a=-x",				/* value must start alphanumeric */
		"a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",	/* 64 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct selector sel;
		ck_assert_msg(selector_parse(bad[i], &sel, NULL) == -1, "'%s' parsed", bad[i]);
	}
	char *why = selector_check_key("/app");
	ck_assert_str_eq(why, "prefix part must be non-empty");
	free(why);
	why = selector_check_key("example.com/");
	ck_assert_ptr_nonnull(strstr(why, "name part must be non-empty; name part must consist"));
	free(why);
	why = selector_check_value("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_str_eq(why, "must be no more than 63 bytes");
	free(why);
	ck_assert_ptr_null(selector_check_key("kubernetes.io/hostname"));
	ck_assert_ptr_null(selector_check_key("1234"));
	ck_assert_ptr_null(selector_check_value(""));
	ck_assert_ptr_null(selector_check_value("my_value.1"));
}
END_TEST

struct match_case {
	const char *selector;
	const char *labels[4];
	bool match;
};

START_TEST(test_matches_follows_upstream_requirement_semantics)
{
	static const struct match_case cases[] = {
		{ "", { "x=y" }, true },
		{ "x=y", { "x=y" }, true },
		{ "x=y,z=w", { "x=y", "z=w" }, true },
		{ "x=y,z=w", { "x=w", "z=w" }, false },
		{ "x=z", { NULL }, false },
		{ "x!=y,z!=w", { "x=z", "z=a" }, true },
		{ "x!=y,z!=w", { "x=z", "z=w" }, false },
		{ "x!=y", { NULL }, true },		/* != matches an absent label */
		{ "x in (a,b)", { "x=b" }, true },
		{ "x in (a,b)", { "x=c" }, false },
		{ "x in (a,b)", { NULL }, false },
		{ "x notin (a,b)", { "x=c" }, true },
		{ "x notin (a,b)", { NULL }, true },	/* so does notin */
		{ "x notin (a,b)", { "x=a" }, false },
		{ "x in ()", { "x=" }, true },		/* () is the empty value */
		{ "x in ()", { "y=baz" }, false },
		{ "x", { "x=z" }, true },
		{ "x", { "y=z" }, false },
		{ "!x", { "y=z" }, true },
		{ "!x", { "x=z" }, false },
		{ "x>1", { "x=2" }, true },
		{ "x>1", { "x=0" }, false },
		{ "x<1", { "x=0" }, true },
		{ "x<1", { "x=-3" }, true },
		{ "x>1", { "x=v2" }, false },		/* not an integer */
		{ "x>1", { NULL }, false },
		{ "foo=bar,foobar=bar,baz=blah", { "foo=bar", "baz=blah" }, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector sel;
		ck_assert_int_eq(selector_parse(cases[i].selector, &sel, NULL), 0);
		struct strmap labels = labels_of(cases[i].labels);
		ck_assert_msg(selector_matches(&sel, &labels) == cases[i].match,
			      "'%s' on case %zu should %smatch", cases[i].selector, i,
			      cases[i].match ? "" : "not ");
		strmap_release(&labels);
		selector_release(&sel);
	}
}
END_TEST

START_TEST(test_match_labels_and_expressions_combine_with_and)
{
	struct strmap match_labels = { 0 };
	strmap_set(&match_labels, "app", "web");
	const char *const tiers[] = { "frontend", "cache" };
	const struct selector_expression exprs[] = {
		{ .key = "tier", .op = "In", .values = tiers, .values_len = 2 },
		{ .key = "canary", .op = "DoesNotExist" },
		{ .key = "env", .op = "Exists" },
		{ .key = "app", .op = "NotIn", .values = (const char *const[]){ "db" },
		  .values_len = 1 },
	};
	struct selector sel;
	struct err *err = NULL;
	ck_assert_int_eq(selector_from_parts(&match_labels, exprs, 4, &sel, &err), 0);
	ck_assert_ptr_null(err);
	/* Sorted by key; for equal keys matchLabels come first. Values keep
	 * their order in the selector and are sorted when printed. */
	ck_assert_str_eq(sel.reqs[0].key, "app");
	ck_assert_int_eq(sel.reqs[0].op, SELECTOR_EQUALS);
	ck_assert_int_eq(sel.reqs[1].op, SELECTOR_NOT_IN);
	ck_assert_str_eq(sel.reqs[4].values[0], "frontend");
	char *text = selector_to_string(&sel);
	ck_assert_str_eq(text, "app=web,app notin (db),!canary,env,tier in (cache,frontend)");
	free(text);

	struct strmap pod = labels_of((const char *const[]){ "app=web", "tier=cache",
							    "env=prod", NULL });
	ck_assert(selector_matches(&sel, &pod));
	strmap_set(&pod, "canary", "true");
	ck_assert(!selector_matches(&sel, &pod));
	strmap_remove(&pod, "canary");
	strmap_set(&pod, "tier", "backend");
	ck_assert(!selector_matches(&sel, &pod));

	/* A copy is independent of the original. */
	struct selector copy;
	selector_copy(&copy, &sel);
	selector_release(&sel);
	strmap_set(&pod, "tier", "frontend");
	ck_assert(selector_matches(&copy, &pod));
	selector_release(&copy);
	strmap_release(&pod);
	strmap_release(&match_labels);
}
END_TEST

START_TEST(test_label_selector_form_rejects_bad_operators_and_value_sets)
{
	const struct { struct selector_expression expr; const char *msg; } cases[] = {
		{ { .key = "a", .op = "in", .values = (const char *const[]){ "x" }, .values_len = 1 },
		  "\"in\" is not a valid pod selector operator" },
		{ { .key = "a", .op = "Gt", .values = (const char *const[]){ "1" }, .values_len = 1 },
		  "\"Gt\" is not a valid pod selector operator" },
		{ { .key = "a", .op = "In" },
		  "values: Invalid value: []string(nil): for 'in', 'notin' operators, "
		  "values set can't be empty" },
		{ { .key = "a", .op = "Exists", .values = (const char *const[]){ "x" },
		    .values_len = 1 },
		  "values: Invalid value: []string{\"x\"}: values set must be empty for "
		  "exists and does not exist" },
		{ { .key = "a", .op = "In", .values = (const char *const[]){ "ok", "not ok" },
		    .values_len = 2 },
		  "values[1][a]: Invalid value: \"not ok\": a valid label must be an empty "
		  "string or consist of alphanumeric characters, '-', '_' or '.', and must "
		  "start and end with an alphanumeric character (e.g. 'MyValue',  or "
		  "'my_value',  or '12345', regex used for validation is "
		  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct selector sel;
		struct err *err = NULL;
		ck_assert_int_eq(selector_from_parts(NULL, &cases[i].expr, 1, &sel, &err), -1);
		ck_assert_msg(!strcmp(err->msg, cases[i].msg), "case %zu: got \"%s\"", i, err->msg);
		err_free(err);
	}
	/* Several problems at once are aggregated as upstream does. */
	struct selector_expression both = { .key = "-a", .op = "DoesNotExist",
					    .values = (const char *const[]){ "x" },
					    .values_len = 1 };
	struct selector sel;
	struct err *err = NULL;
	ck_assert_int_eq(selector_from_parts(NULL, &both, 1, &sel, &err), -1);
	const char *suffix = ", values: Invalid value: []string{\"x\"}: values set must "
			     "be empty for exists and does not exist]";
	ck_assert_msg(!strncmp(err->msg, "[key: Invalid value: \"-a\": name part must", 41),
		      "got \"%s\"", err->msg);
	ck_assert_str_eq(err->msg + strlen(err->msg) - strlen(suffix), suffix);
	err_free(err);
	/* matchLabels values follow the label value rules too. */
	struct strmap bad = { 0 };
	strmap_set(&bad, "app", "a b");
	ck_assert_int_eq(selector_from_parts(&bad, NULL, 0, &sel, NULL), -1);
	strmap_release(&bad);
}
END_TEST

START_TEST(test_empty_selector_matches_everything_and_nil_nothing)
{
	struct strmap none = { 0 };
	struct strmap some = labels_of((const char *const[]){ "app=web", NULL });
	struct selector empty;
	struct strmap no_labels = { 0 };
	ck_assert_int_eq(selector_from_parts(&no_labels, NULL, 0, &empty, NULL), 0);
	ck_assert(selector_is_empty(&empty));
	ck_assert(selector_matches(&empty, &none));
	ck_assert(selector_matches(&empty, &some));

	struct selector nothing;
	selector_init_nothing(&nothing);
	ck_assert(!selector_is_empty(&nothing));
	ck_assert(!selector_matches(&nothing, &none));
	ck_assert(!selector_matches(&nothing, &some));
	char *text = selector_to_string(&nothing);
	ck_assert_str_eq(text, "");
	free(text);

	struct selector parsed;
	ck_assert_int_eq(selector_parse("  ", &parsed, NULL), 0);
	ck_assert(selector_is_empty(&parsed));
	selector_release(&parsed);
	ck_assert_int_eq(selector_parse("app", &parsed, NULL), 0);
	ck_assert(!selector_is_empty(&parsed));
	selector_release(&parsed);

	selector_release(&empty);
	selector_release(&nothing);
	strmap_release(&some);
}
END_TEST

START_TEST(test_printed_selector_parses_back_to_the_same_selector)
{
	static const char *const texts[] = {
		"app=web,tier in (b,a),!canary,env!=prod,x>3,y<2,k",
		"example.com/team notin (x,,y),a=",
		"in in (notin,in)",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *once = reprint(texts[i]);
		char *twice = reprint(once);
		ck_assert_str_eq(once, twice);
		free(once);
		free(twice);
	}
}
END_TEST

Suite *selector_suite(void)
{
	Suite *suite = suite_create("selector");
	TCase *tc = tcase_create("selector");
	tcase_add_test(tc, test_valid_selectors_print_back_in_canonical_form);
	tcase_add_test(tc, test_invalid_selectors_fail_with_upstream_messages);
	tcase_add_test(tc, test_bad_keys_and_values_are_rejected);
	tcase_add_test(tc, test_matches_follows_upstream_requirement_semantics);
	tcase_add_test(tc, test_match_labels_and_expressions_combine_with_and);
	tcase_add_test(tc, test_label_selector_form_rejects_bad_operators_and_value_sets);
	tcase_add_test(tc, test_empty_selector_matches_everything_and_nil_nothing);
	tcase_add_test(tc, test_printed_selector_parses_back_to_the_same_selector);
	suite_add_tcase(suite, tc);
	return suite;
}
