/* test_yamldoc.c - YAML files as positioned trees: positions, documents,
 * diagnostics, aliases and their limits, and how scalars read as JSON. */
#include "yamldoc.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Suite *yamldoc_suite(void);

static struct diag_list diags;

static void setup(void)
{
	memset(&diags, 0, sizeof(diags));
}

static void teardown(void)
{
	diag_release(&diags);
}

static struct yfile *load(const char *text)
{
	return yfile_load_string("test.yaml", text, strlen(text), &diags);
}

/* Loads text that must be valid, with exactly one document. */
static struct yfile *load_one(const char *text)
{
	struct yfile *file = load(text);
	if (!file)
		diag_print(&diags, stderr);
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 1);
	return file;
}

static void assert_diag(size_t i, int line, int column, const char *msg)
{
	ck_assert_uint_gt(diags.len, i);
	ck_assert_str_eq(diags.items[i].file, "test.yaml");
	ck_assert_str_eq(diags.items[i].msg, msg);
	ck_assert_int_eq(diags.items[i].line, line);
	ck_assert_int_eq(diags.items[i].column, column);
}

/* The value at key in the first document's root mapping. */
static const struct ynode *at(const struct yfile *file, const char *key)
{
	const struct ynode *node = ynode_get(file->docs[0].root, key);
	ck_assert_msg(node != NULL, "no key %s", key);
	return node;
}

START_TEST(test_nested_nodes_remember_line_and_column)
{
	struct yfile *file = load_one("kind: Pod\n"
				      "spec:\n"
				      "  containers:\n"
				      "  - name: web\n"
				      "    ports: [80, 443]\n");
	const struct ynode *root = file->docs[0].root;
	ck_assert_int_eq(root->kind, YNODE_MAP);
	ck_assert_int_eq(root->line, 1);
	ck_assert_int_eq(root->column, 1);
	const struct ynode *spec = ynode_get(root, "spec");
	ck_assert_int_eq(spec->line, 3);	/* a block mapping starts at its first key */
	ck_assert_int_eq(spec->column, 3);
	const struct ynode *containers = ynode_get(spec, "containers");
	ck_assert_int_eq(containers->kind, YNODE_SEQ);
	ck_assert_int_eq(containers->line, 4);
	ck_assert_int_eq(containers->column, 3);
	const struct ynode *name = ynode_get(containers->items[0], "name");
	ck_assert_str_eq(name->scalar, "web");
	ck_assert_int_eq(name->line, 4);
	ck_assert_int_eq(name->column, 11);
	const struct ynode *ports = ynode_get(containers->items[0], "ports");
	ck_assert_uint_eq(ports->len, 2);
	ck_assert_int_eq(ports->items[1]->line, 5);
	ck_assert_int_eq(ports->items[1]->column, 17);
	/* Keys have positions too, and pairs keep document order. */
	ck_assert_str_eq(root->pairs[1].key->scalar, "spec");
	ck_assert_int_eq(root->pairs[1].key->line, 2);
	yfile_free(file);
}
END_TEST

START_TEST(test_multi_document_file_yields_each_document_in_order)
{
	struct yfile *file = load("kind: A\n---\nkind: B\n---\nkind: C\n");
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 3);
	ck_assert_str_eq(ynode_get(file->docs[0].root, "kind")->scalar, "A");
	ck_assert_str_eq(ynode_get(file->docs[2].root, "kind")->scalar, "C");
	ck_assert_int_eq(file->docs[2].root->line, 5);
	ck_assert_str_eq(file->path, "test.yaml");
	yfile_free(file);
}
END_TEST

START_TEST(test_empty_and_null_documents_are_skipped_as_kubectl_does)
{
	struct yfile *file = load("---\n"
				  "---\n# only a comment\n"
				  "---\nkind: A\n"
				  "---\n~\n"
				  "---\nnull\n"
				  "---\n'null'\n"	/* a quoted string is a document */
				  "...\n");
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 2);
	ck_assert_int_eq(file->docs[0].root->kind, YNODE_MAP);
	ck_assert_str_eq(file->docs[1].root->scalar, "null");
	yfile_free(file);

	file = load("");
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 0);
	yfile_free(file);
}
END_TEST

START_TEST(test_syntax_error_reports_libyaml_problem_line_and_column)
{
	ck_assert_ptr_null(load("a: 1\nb: [1, 2\n"));
	ck_assert_uint_eq(diags.len, 1);
	assert_diag(0, 3, 1, "did not find expected ',' or ']' "
		    "(while parsing a flow sequence starting at line 2, column 4)");
	diag_release(&diags);

	ck_assert_ptr_null(load("metadata:\n  name: x\n labels: {}\n"));
	assert_diag(0, 3, 2, "did not find expected key "
		    "(while parsing a block mapping starting at line 1, column 1)");
	diag_release(&diags);

	ck_assert_ptr_null(load("a: b: c\n"));
	assert_diag(0, 1, 5, "mapping values are not allowed in this context");
}
END_TEST

START_TEST(test_invalid_utf8_is_reported_where_it_occurs)
{
	ck_assert_ptr_null(load("a: ok\nb: \xff\n"));
	assert_diag(0, 2, 4, "invalid leading UTF-8 octet");
}
END_TEST

START_TEST(test_duplicate_key_is_reported_at_the_second_key)
{
	ck_assert_ptr_null(load("metadata:\n  name: a\n  labels: {}\n  name: b\n"));
	ck_assert_uint_eq(diags.len, 1);
	assert_diag(0, 4, 3, "key \"name\" already set in map at line 2, column 3");
}
END_TEST

START_TEST(test_every_problem_in_a_file_is_reported_not_just_the_first)
{
	ck_assert_ptr_null(load("a: 1\na: 2\n---\nb: *missing\nc: [1]\nc: [2]\n"));
	ck_assert_uint_eq(diags.len, 3);
	assert_diag(0, 2, 1, "key \"a\" already set in map at line 1, column 1");
	assert_diag(1, 4, 4, "unknown anchor 'missing' referenced");
	assert_diag(2, 6, 1, "key \"c\" already set in map at line 5, column 1");
}
END_TEST

START_TEST(test_non_scalar_keys_are_rejected)
{
	ck_assert_ptr_null(load("? [a, b]\n: 1\n"));
	assert_diag(0, 1, 3, "mapping keys must be scalars, got a list");
	diag_release(&diags);
	ck_assert_ptr_null(load("{x: 1}: 2\n"));
	assert_diag(0, 1, 1, "mapping keys must be scalars, got a mapping");
}
END_TEST

START_TEST(test_alias_expands_to_a_copy_of_the_anchored_node)
{
	struct yfile *file = load_one("base: &res {cpu: 100m, memory: 64Mi}\n"
				      "web: *res\n"
				      "name: &n web\n"
				      "also: *n\n");
	const struct ynode *web = at(file, "web");
	ck_assert_int_eq(web->kind, YNODE_MAP);
	ck_assert_ptr_ne(web, at(file, "base"));	/* a copy: the result is a tree */
	ck_assert_str_eq(ynode_get(web, "memory")->scalar, "64Mi");
	/* The copy points at the text it came from. */
	ck_assert_int_eq(ynode_get(web, "memory")->line, 1);
	ck_assert_int_eq(ynode_get(web, "memory")->column, 32);
	ck_assert_str_eq(at(file, "also")->scalar, "web");
	yfile_free(file);
}
END_TEST

START_TEST(test_anchors_do_not_cross_documents)
{
	ck_assert_ptr_null(load("a: &x 1\n---\nb: *x\n"));
	assert_diag(0, 3, 4, "unknown anchor 'x' referenced");
}
END_TEST

START_TEST(test_alias_inside_its_own_anchor_is_rejected)
{
	ck_assert_ptr_null(load("a: &loop [1, *loop]\n"));
	assert_diag(0, 1, 14, "anchor 'loop' value contains itself");
}
END_TEST

START_TEST(test_billion_laughs_expansion_is_refused)
{
	/* Each level is ten aliases of the one before: 10^9 nodes at a9. */
	char text[2048];
	int n = snprintf(text, sizeof(text), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "%s*a%d",
				      j ? ", " : "", i - 1);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "]\n");
	}
	ck_assert_int_lt(n, (int)sizeof(text));
	ck_assert_ptr_null(load(text));
	ck_assert_uint_eq(diags.len, 1);
	ck_assert_int_eq(diags.items[0].line, 5);
	ck_assert_ptr_nonnull(strstr(diags.items[0].msg,
				     "alias '*a3' would expand the file beyond 100000 nodes"));
}
END_TEST

START_TEST(test_nesting_deeper_than_the_limit_is_refused)
{
	char *text = malloc(2 * (YAMLDOC_MAX_DEPTH + 1) + 1);
	for (int i = 0; i <= YAMLDOC_MAX_DEPTH; i++) {
		text[i] = '[';
		text[YAMLDOC_MAX_DEPTH + 1 + i] = ']';
	}
	text[2 * (YAMLDOC_MAX_DEPTH + 1)] = '\0';
	ck_assert_ptr_null(load(text));
	assert_diag(0, 1, YAMLDOC_MAX_DEPTH + 1, "exceeded max depth of 1000");
	diag_release(&diags);

	text[YAMLDOC_MAX_DEPTH] = ' ';	/* one level less is fine */
	text[YAMLDOC_MAX_DEPTH + 1] = ' ';
	struct yfile *file = load(text);
	ck_assert_ptr_nonnull(file);
	yfile_free(file);
	free(text);
}
END_TEST

START_TEST(test_quoted_three_is_a_string_and_plain_three_a_number)
{
	struct yfile *file = load_one("plain: 3\nsingle: '3'\ndouble: \"3\"\n"
				      "tagged: !!str 3\nblock: |\n  3\n");
	int64_t value = 0;
	ck_assert(at(file, "plain")->plain);
	ck_assert_int_eq(ynode_int64(at(file, "plain"), &value), 0);
	ck_assert_int_eq(value, 3);
	const char *strings[] = { "single", "double", "tagged", "block" };
	for (size_t i = 0; i < 4; i++) {
		const struct ynode *node = at(file, strings[i]);
		ck_assert_int_eq(ynode_scalar_type(node), YSCALAR_STRING);
		ck_assert_int_eq(ynode_int64(node, &value), -1);
		ck_assert_str_eq(ynode_describe(node), "a string");
	}
	ck_assert(!at(file, "single")->plain);
	ck_assert(!at(file, "block")->plain);
	ck_assert_str_eq(at(file, "block")->scalar, "3\n");
	ck_assert_str_eq(at(file, "tagged")->tag, "tag:yaml.org,2002:str");
	ck_assert_ptr_null(at(file, "plain")->tag);
	yfile_free(file);
}
END_TEST

START_TEST(test_explicit_tag_that_does_not_fit_is_rejected)
{
	ck_assert_ptr_null(load("replicas: !!int three\n"));
	assert_diag(0, 1, 11, "cannot decode !!str `three` as a !!int");
	diag_release(&diags);

	struct yfile *file = load_one("a: !!float 3\nb: !!int '7'\n");
	double number = 0;
	int64_t value = 0;
	ck_assert_int_eq(ynode_scalar_type(at(file, "a")), YSCALAR_FLOAT);
	ck_assert_int_eq(ynode_double(at(file, "a"), &number), 0);
	ck_assert(number == 3.0);
	ck_assert_int_eq(ynode_int64(at(file, "b"), &value), 0);
	ck_assert_int_eq(value, 7);
	yfile_free(file);
}
END_TEST

START_TEST(test_bool_reader_follows_the_yaml_to_json_conversion)
{
	struct yfile *file = load_one("t: true\nT: True\nyes: yes\non: ON\n"
				      "f: false\nno: No\noff: off\n"
				      "quoted: 'true'\nword: maybe\nnum: 1\n");
	const char *trues[] = { "t", "T", "yes", "on" };
	const char *falses[] = { "f", "no", "off" };
	bool value;
	for (size_t i = 0; i < 4; i++) {
		value = false;
		ck_assert_int_eq(ynode_bool(at(file, trues[i]), &value), 0);
		ck_assert(value);
	}
	for (size_t i = 0; i < 3; i++) {
		value = true;
		ck_assert_int_eq(ynode_bool(at(file, falses[i]), &value), 0);
		ck_assert(!value);
	}
	ck_assert_int_eq(ynode_bool(at(file, "quoted"), &value), -1);
	ck_assert_int_eq(ynode_bool(at(file, "word"), &value), -1);
	ck_assert_int_eq(ynode_bool(at(file, "num"), &value), -1);
	ck_assert_int_eq(ynode_bool(file->docs[0].root, &value), -1);
	ck_assert_str_eq(ynode_describe(at(file, "yes")), "a boolean");
	yfile_free(file);
}
END_TEST

START_TEST(test_int_reader_accepts_go_integer_syntax)
{
	struct yfile *file = load_one("dec: -42\nplus: +7\noctal: 0644\nohex: 0o17\n"
				      "hex: 0x1F\nbin: 0b101\nsep: 1_000\n"
				      "min: -9223372036854775808\nmax: 9223372036854775807\n"
				      "big: 9223372036854775808\nfloat: 1.5\nexp: 1e3\n"
				      "eight: 08\nword: 12abc\n");
	static const struct { const char *key; int64_t value; } ok[] = {
		{ "dec", -42 }, { "plus", 7 }, { "octal", 420 }, { "ohex", 15 },
		{ "hex", 31 }, { "bin", 5 }, { "sep", 1000 },
		{ "min", INT64_MIN }, { "max", INT64_MAX },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t value = 0;
		ck_assert_msg(ynode_int64(at(file, ok[i].key), &value) == 0, "%s", ok[i].key);
		ck_assert_int_eq(value, ok[i].value);
	}
	int64_t value = 0;
	/* Too big for int64, yet an integer (a JSON number). */
	ck_assert_int_eq(ynode_scalar_type(at(file, "big")), YSCALAR_INT);
	ck_assert_int_eq(ynode_int64(at(file, "big"), &value), -1);
	ck_assert_int_eq(ynode_int64(at(file, "float"), &value), -1);
	ck_assert_int_eq(ynode_int64(at(file, "exp"), &value), -1);
	/* 08 is no octal number, so goyaml.v2 reads it as the float 8. */
	ck_assert_int_eq(ynode_scalar_type(at(file, "eight")), YSCALAR_FLOAT);
	ck_assert_int_eq(ynode_scalar_type(at(file, "word")), YSCALAR_STRING);
	ck_assert_int_eq(ynode_int64(at(file, "word"), &value), -1);
	yfile_free(file);
}
END_TEST

START_TEST(test_double_reader_accepts_floats_and_integers)
{
	struct yfile *file = load_one("a: 1.5\nb: .5\nc: -2.5e-3\nd: 1e3\ne: 3\n"
				      "inf: -.inf\nnan: .nan\ns: 1.5.2\nq: '1.5'\n");
	static const struct { const char *key; double value; } ok[] = {
		{ "a", 1.5 }, { "b", 0.5 }, { "c", -0.0025 }, { "d", 1000 }, { "e", 3 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		double value = 0;
		ck_assert_int_eq(ynode_double(at(file, ok[i].key), &value), 0);
		ck_assert_double_eq_tol(value, ok[i].value, 1e-12);
	}
	double value = 0;
	ck_assert_int_eq(ynode_double(at(file, "inf"), &value), 0);
	ck_assert(isinf(value) && value < 0);
	ck_assert_int_eq(ynode_double(at(file, "nan"), &value), 0);
	ck_assert(isnan(value));
	ck_assert_int_eq(ynode_double(at(file, "s"), &value), -1);
	ck_assert_int_eq(ynode_double(at(file, "q"), &value), -1);
	ck_assert_str_eq(ynode_describe(at(file, "a")), "a number");
	ck_assert_str_eq(ynode_describe(at(file, "e")), "an integer");
	yfile_free(file);
}
END_TEST

START_TEST(test_null_is_plain_tilde_null_or_empty_but_not_quoted)
{
	struct yfile *file = load_one("a: ~\nb: null\nc: NULL\nd:\ne: ''\nf: 'null'\ng: nil\n");
	ck_assert(ynode_is_null(at(file, "a")));
	ck_assert(ynode_is_null(at(file, "b")));
	ck_assert(ynode_is_null(at(file, "c")));
	ck_assert(ynode_is_null(at(file, "d")));
	ck_assert_str_eq(at(file, "d")->scalar, "");
	ck_assert(!ynode_is_null(at(file, "e")));
	ck_assert(!ynode_is_null(at(file, "f")));
	ck_assert(!ynode_is_null(at(file, "g")));
	ck_assert(!ynode_is_null(file->docs[0].root));
	ck_assert_str_eq(ynode_describe(at(file, "a")), "null");
	yfile_free(file);
}
END_TEST

START_TEST(test_get_returns_null_for_missing_keys_and_non_mappings)
{
	struct yfile *file = load_one("a: [1]\n");
	ck_assert_ptr_null(ynode_get(file->docs[0].root, "b"));
	ck_assert_ptr_null(ynode_get(at(file, "a"), "a"));
	ck_assert_ptr_null(ynode_get(NULL, "a"));
	ck_assert_str_eq(ynode_kind_name(YNODE_SEQ), "a list");
	ck_assert_str_eq(ynode_kind_name(YNODE_MAP), "a mapping");
	ck_assert_str_eq(ynode_kind_name(YNODE_SCALAR), "a scalar");
	yfile_free(file);
}
END_TEST

START_TEST(test_strings_with_nul_characters_are_rejected)
{
	ck_assert_ptr_null(load("a: \"x\\0y\"\n"));
	assert_diag(0, 1, 4, "strings containing NUL characters are not supported");
}
END_TEST

START_TEST(test_unreadable_file_is_a_diagnostic)
{
	ck_assert_ptr_null(yfile_load("/nonexistent/pods.yaml", &diags));
	ck_assert_uint_eq(diags.len, 1);
	ck_assert_str_eq(diags.items[0].msg,
			 "cannot open '/nonexistent/pods.yaml': No such file or directory");
	ck_assert_int_eq(diags.items[0].line, 0);
}
END_TEST

START_TEST(test_file_on_disk_loads_like_a_string)
{
	char path[] = "/tmp/kubelab-yamldoc-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char text[] = "kind: Pod\n---\nkind: Service\n";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct yfile *file = yfile_load(path, &diags);
	unlink(path);
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(file->len, 2);
	ck_assert_str_eq(file->path, path);
	ck_assert_str_eq(ynode_get(file->docs[1].root, "kind")->scalar, "Service");
	yfile_free(file);
}
END_TEST

Suite *yamldoc_suite(void)
{
	Suite *suite = suite_create("yamldoc");
	TCase *tc = tcase_create("yamldoc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nested_nodes_remember_line_and_column);
	tcase_add_test(tc, test_multi_document_file_yields_each_document_in_order);
	tcase_add_test(tc, test_empty_and_null_documents_are_skipped_as_kubectl_does);
	tcase_add_test(tc, test_syntax_error_reports_libyaml_problem_line_and_column);
	tcase_add_test(tc, test_invalid_utf8_is_reported_where_it_occurs);
	tcase_add_test(tc, test_duplicate_key_is_reported_at_the_second_key);
	tcase_add_test(tc, test_every_problem_in_a_file_is_reported_not_just_the_first);
	tcase_add_test(tc, test_non_scalar_keys_are_rejected);
	tcase_add_test(tc, test_alias_expands_to_a_copy_of_the_anchored_node);
	tcase_add_test(tc, test_anchors_do_not_cross_documents);
	tcase_add_test(tc, test_alias_inside_its_own_anchor_is_rejected);
	tcase_add_test(tc, test_billion_laughs_expansion_is_refused);
	tcase_add_test(tc, test_nesting_deeper_than_the_limit_is_refused);
	tcase_add_test(tc, test_quoted_three_is_a_string_and_plain_three_a_number);
	tcase_add_test(tc, test_explicit_tag_that_does_not_fit_is_rejected);
	tcase_add_test(tc, test_bool_reader_follows_the_yaml_to_json_conversion);
	tcase_add_test(tc, test_int_reader_accepts_go_integer_syntax);
	tcase_add_test(tc, test_double_reader_accepts_floats_and_integers);
	tcase_add_test(tc, test_null_is_plain_tilde_null_or_empty_but_not_quoted);
	tcase_add_test(tc, test_get_returns_null_for_missing_keys_and_non_mappings);
	tcase_add_test(tc, test_strings_with_nul_characters_are_rejected);
	tcase_add_test(tc, test_unreadable_file_is_a_diagnostic);
	tcase_add_test(tc, test_file_on_disk_loads_like_a_string);
	suite_add_tcase(suite, tc);
	return suite;
}
