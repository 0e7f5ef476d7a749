/* test_quantity.c - resource quantities against upstream's behaviour.
 *
 * K8S: the tables follow staging/src/k8s.io/apimachinery/pkg/api/resource/
 * quantity_test.go (TestQuantityParse, TestQuantityString,
 * TestQuantityParseEmit, TestNegativeValueRoundsAwayFromZero, TestNewSet,
 * TestMilliNewSet, TestParseQuantity, TestAdd, TestSub). Each expectation
 * was worked out from upstream's rules, not from this implementation.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "quantity.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct quantity parse_ok(const char *text)
{
	struct quantity q;
	const char *why = NULL;
	ck_assert_msg(quantity_parse(text, &q, &why) == 0,
		      "'%s' should parse, got: %s", text, why);
	ck_assert(quantity_check(&q));
	return q;
}

static void assert_prints(const struct quantity *q, const char *expect, const char *input)
{
	char buf[QUANTITY_STR_MAX];
	quantity_format(q, buf, sizeof(buf));
	ck_assert_msg(strcmp(buf, expect) == 0, "'%s' printed '%s', want '%s'",
		      input, buf, expect);
}

START_TEST(test_parse_prints_the_upstream_canonical_form)
{
	static const struct {
		const char *in, *out;
		enum quantity_format format;
	} cases[] = {
		{ "0", "0", QUANTITY_DECIMAL_SI },
		{ "0Ki", "0", QUANTITY_BINARY_SI },
		{ "0m", "0", QUANTITY_DECIMAL_SI },
		{ "1", "1", QUANTITY_DECIMAL_SI },
		{ "-1", "-1", QUANTITY_DECIMAL_SI },
		{ "1000m", "1", QUANTITY_DECIMAL_SI },
		{ "0.5", "500m", QUANTITY_DECIMAL_SI },
		{ "1.5", "1500m", QUANTITY_DECIMAL_SI },
		{ "100m", "100m", QUANTITY_DECIMAL_SI },
		{ "1080m", "1080m", QUANTITY_DECIMAL_SI },
		{ "1.08", "1080m", QUANTITY_DECIMAL_SI },
		{ "1000M", "1G", QUANTITY_DECIMAL_SI },
		{ "0.001T", "1G", QUANTITY_DECIMAL_SI },
		{ "50k", "50k", QUANTITY_DECIMAL_SI },
		{ "10000T", "10P", QUANTITY_DECIMAL_SI },
		{ "12E", "12E", QUANTITY_DECIMAL_SI },
		{ "1000u", "1m", QUANTITY_DECIMAL_SI },
		{ "1080000000n", "1080m", QUANTITY_DECIMAL_SI },
		{ "100.035k", "100035", QUANTITY_DECIMAL_SI },
		{ "10.035M", "10035k", QUANTITY_DECIMAL_SI },
		{ "6.987654321G", "6987654321", QUANTITY_DECIMAL_SI },
		{ ".001", "1m", QUANTITY_DECIMAL_SI },
		{ ".0001k", "100m", QUANTITY_DECIMAL_SI },
		{ "1.", "1", QUANTITY_DECIMAL_SI },
		{ "1.G", "1G", QUANTITY_DECIMAL_SI },
		{ "+1.5", "1500m", QUANTITY_DECIMAL_SI },
		{ "0100m", "100m", QUANTITY_DECIMAL_SI },
		{ "1.500k", "1500", QUANTITY_DECIMAL_SI },
		/* binary */
		{ "1Ki", "1Ki", QUANTITY_BINARY_SI },
		{ "100Mi", "100Mi", QUANTITY_BINARY_SI },
		{ "1024Mi", "1Gi", QUANTITY_BINARY_SI },
		{ "1.5Gi", "1536Mi", QUANTITY_BINARY_SI },
		{ "0.5Mi", "512Ki", QUANTITY_BINARY_SI },
		{ "307200Ki", "300Mi", QUANTITY_BINARY_SI },
		{ "1025024Mi", "1001Gi", QUANTITY_BINARY_SI },
		{ "1024Gi", "1Ti", QUANTITY_BINARY_SI },
		{ "3Ei", "3Ei", QUANTITY_BINARY_SI },
		{ "1.5Ki", "1536", QUANTITY_BINARY_SI },
		{ "1.1Ki", "1126400m", QUANTITY_BINARY_SI },	/* fraction: as DecimalSI */
		{ "100.035Ki", "102435840m", QUANTITY_BINARY_SI },
		{ "0.05Gi", "53687091200m", QUANTITY_BINARY_SI },
		{ "0.025Ti", "27487790694400m", QUANTITY_BINARY_SI },
		{ ".001Ki", "1024m", QUANTITY_BINARY_SI },	/* below 1Ki: printed as DecimalSI */
		{ ".000001Ki", "1024u", QUANTITY_DECIMAL_SI },
		{ ".000000001Ki", "1024n", QUANTITY_DECIMAL_SI },
		{ "0.9765625Ki", "1k", QUANTITY_BINARY_SI },	/* 1000 */
		{ "1025", "1025", QUANTITY_DECIMAL_SI },
		{ "+1Ki", "1Ki", QUANTITY_BINARY_SI },
		/* decimal exponent */
		{ "1e3", "1e3", QUANTITY_DECIMAL_EXPONENT },
		{ "1E6", "1e6", QUANTITY_DECIMAL_EXPONENT },
		{ "1e14", "100e12", QUANTITY_DECIMAL_EXPONENT },
		{ ".001e12", "1e9", QUANTITY_DECIMAL_EXPONENT },
		{ "0.001e0", "1e-3", QUANTITY_DECIMAL_EXPONENT },
		{ "1000e-12", "1e-9", QUANTITY_DECIMAL_EXPONENT },
		{ "80e-3", "80e-3", QUANTITY_DECIMAL_EXPONENT },
		{ "1.2e3", "1200", QUANTITY_DECIMAL_EXPONENT },
		{ "1.3E+6", "1300e3", QUANTITY_DECIMAL_EXPONENT },
		{ "0.5e0", "500e-3", QUANTITY_DECIMAL_EXPONENT },
		{ "00", "0", QUANTITY_DECIMAL_SI },
		/* DecimalSI past "E" falls back to exponent notation */
		{ "1000E", "1e21", QUANTITY_DECIMAL_SI },
		{ "5000E", "5e21", QUANTITY_DECIMAL_SI },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q = parse_ok(cases[i].in);
		assert_prints(&q, cases[i].out, cases[i].in);
		ck_assert_msg(q.format == cases[i].format, "'%s': format %d, want %d",
			      cases[i].in, q.format, cases[i].format);
	}
}
END_TEST

START_TEST(test_parse_rounds_up_to_a_whole_nano_unit)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "3.001n", "4n" },
		{ "1.1E-9", "2e-9" },
		{ "0.0000000001", "1n" },
		{ "0.0000000005", "1n" },
		{ "0.5e-9", "1e-9" },
		{ "0.9n", "1n" },
		{ "0.00000012345", "124n" },
		{ "0.00000012354", "124n" },
		{ "0.000000000001Ki", "2n" },	/* and it becomes DecimalSI */
		{ ".484785E-7466", "1e-9" },
		{ "-.484785E-7466", "-1e-9" },
		{ "-0.0000000001", "-1n" },	/* away from zero */
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q = parse_ok(cases[i].in);
		assert_prints(&q, cases[i].out, cases[i].in);
	}
	ck_assert_int_eq(parse_ok("0.000000000001Ki").format, QUANTITY_DECIMAL_SI);
}
END_TEST

/* 2^-60 units has 60 decimal places and 2^-60 nano-units 69: binary
 * suffixes must carry every one of them to round correctly. */
START_TEST(test_binary_suffix_rounding_is_exact_at_the_nano_boundary)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "0.000000000000000000867361737988403547205962240695953369140625Ei", "1" },
		{ "0.000000000000000000000000000867361737988403547205962240695953369140625Ei", "1n" },
		{ "0.000000000000000000000000000867361737988403547205962240695953369140624Ei", "1n" },
		{ "0.000000000000000000000000000867361737988403547205962240695953369140626Ei", "2n" },
		{ "0.00000000000000000000000000086736173798840354720596224069595336914062500001Ei", "2n" },
		{ "9.5000000001Gi", "10200547328107374183n" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q = parse_ok(cases[i].in);
		assert_prints(&q, cases[i].out, cases[i].in);
	}
}
END_TEST

START_TEST(test_value_and_milli_value_round_away_from_zero)
{
	static const struct {
		const char *in;
		int64_t value, milli;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 1, 1000 },
		{ "-1", -1, -1000 },
		{ "1500m", 2, 1500 },
		{ "-1500m", -2, -1500 },
		{ "0.0005", 1, 1 },
		{ "-0.0005", -1, -1 },
		{ ".484785E-1", 1, 49 },
		{ "-.484785E-1", -1, -49 },
		{ "-.484785E-7466", -1, -1 },
		{ "100m", 1, 100 },
		{ "250u", 1, 1 },
		{ "1Gi", 1073741824, 1073741824000 },
		{ "9.5000000001Gi", 10200547329, 10200547328108 },
		{ "-9.5000000001Gi", -10200547329, -10200547328108 },
		{ "1.1Ki", 1127, 1126400 },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q = parse_ok(cases[i].in);
		ck_assert_msg(quantity_value(&q) == cases[i].value, "Value('%s') = %lld",
			      cases[i].in, (long long)quantity_value(&q));
		ck_assert_msg(quantity_milli_value(&q) == cases[i].milli,
			      "MilliValue('%s') = %lld", cases[i].in,
			      (long long)quantity_milli_value(&q));
	}
}
END_TEST

START_TEST(test_value_saturates_at_the_int64_limits)
{
	struct quantity q = parse_ok("12E");	/* 1.2e19 > 2^63-1 */
	ck_assert(quantity_value(&q) == INT64_MAX);
	q = parse_ok("-12E");
	ck_assert(quantity_value(&q) == INT64_MIN);
	q = parse_ok("10P");			/* fits as units, not as milli */
	ck_assert(quantity_value(&q) == 10000000000000000);
	ck_assert(quantity_milli_value(&q) == INT64_MAX);
}
END_TEST

START_TEST(test_binary_si_is_capped_at_int64_max_as_upstream)
{
	/* 8Ei is 2^63, just past the cap; upstream caps it too */
	static const char *const capped[] = {
		"8Ei", "9Ei", "9223372036854775807Ki", "100000000000000000000000000000Ki",
	};
	for (size_t i = 0; i < LEN(capped); i++) {
		struct quantity q = parse_ok(capped[i]);
		assert_prints(&q, "9223372036854775807", capped[i]);
		ck_assert(quantity_value(&q) == INT64_MAX);
		ck_assert_int_eq(q.format, QUANTITY_BINARY_SI);
	}
	struct quantity q = parse_ok("-9Ei");
	assert_prints(&q, "-9223372036854775807", "-9Ei");
	q = parse_ok("7Ei");		/* below the cap: untouched */
	assert_prints(&q, "7Ei", "7Ei");
}
END_TEST

/* Upstream's TestParseQuantity: values past int64 stay exact (there via
 * inf.Dec, here in 128 bits) and print as upstream prints them. */
START_TEST(test_values_beyond_int64_stay_exact)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "999999999999999999.1", "999999999999999999100m" },
		{ "-999999999999999999.1", "-999999999999999999100m" },
		{ "9223372036854775807", "9223372036854775807" },
		{ "9223372036854775808", "9223372036854775808" },
		{ "-9223372036854775809", "-9223372036854775809" },
		{ "9999999999999999999000m", "9999999999999999999" },
		{ "1000000000000000000", "1E" },
		{ "1.0000000000000000001E", "1000000000000000000100m" },
		{ "10000000000000000000", "10E" },
		{ "10.000000000000000001E", "10000000000000000001" },
		{ "9223372036854775808.1", "9223372036854775808100m" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q = parse_ok(cases[i].in);
		assert_prints(&q, cases[i].out, cases[i].in);
	}
}
END_TEST

START_TEST(test_parse_rejects_malformed_input)
{
	static const char *const bad[] = {
		"", "1.5.5", "10Mb", "1e", "ki", " 1", "1 ", "1 Gi",
		"1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i",
		"-3.01i", "-3.01e-", "1e+", "1e3x", "1KB", "1kb", "1Ki ",
		"Mi", "m", ".", "-", "+", "-.", "1e4294967297",
		"1e2147483648", "1e-2147483648",
	};
	for (size_t i = 0; i < LEN(bad); i++) {
		struct quantity q;
		const char *why = NULL;
		ck_assert_msg(quantity_parse(bad[i], &q, &why) == -1, "'%s' parsed", bad[i]);
		ck_assert_msg(why && *why, "'%s' rejected without a reason", bad[i]);
	}
}
END_TEST

START_TEST(test_parse_says_why_it_rejected_the_input)
{
	static const struct {
		const char *in, *phrase;
	} cases[] = {
		{ "", "expected a number with an optional suffix such as 100m, 1Gi or 1e3" },
		{ "10Mb", "unknown suffix" },
		{ "1ki", "case-sensitive" },
		{ "1.5.5", "malformed number" },
		{ "1e", "digits after e" },
		{ " 1", "spaces" },
		{ "1e9999999999", "exponent out of range" },
		{ "1e27", "too large" },
		{ "ten", "expected a number" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity q;
		const char *why = NULL;
		ck_assert_int_eq(quantity_parse(cases[i].in, &q, &why), -1);
		ck_assert_msg(strstr(why, cases[i].phrase), "'%s': '%s' lacks '%s'",
			      cases[i].in, why, cases[i].phrase);
	}
}
END_TEST

START_TEST(test_parse_failure_leaves_the_output_untouched)
{
	struct quantity q = parse_ok("250m");
	ck_assert_int_eq(quantity_parse("250mm", &q, NULL), -1);	/* why is optional */
	assert_prints(&q, "250m", "250m after a failed parse");
}
END_TEST

START_TEST(test_kubelab_rejects_magnitudes_from_ten_to_the_27)
{
	struct quantity q = parse_ok("999999999999999999999999999");
	assert_prints(&q, "999999999999999999999999999", "10^27 - 1");
	ck_assert_int_eq(quantity_parse("1000000000000000000000000000", &q, NULL), -1);
	ck_assert_int_eq(quantity_parse("1000000000E", &q, NULL), -1);
	ck_assert_int_eq(quantity_parse("-1e27", &q, NULL), -1);
	/* rounding up to nano may be what crosses the line */
	ck_assert_int_eq(quantity_parse("999999999999999999999999999.9999999999", &q, NULL), -1);
	/* but a zero is zero, whatever its exponent */
	q = parse_ok("0e2147483647");
	ck_assert(quantity_is_zero(&q));
}
END_TEST

START_TEST(test_negative_quantities_print_the_positive_form_with_a_sign)
{
	static const char *const inputs[] = {
		"1Gi", "300Mi", "1G", "1m", "1080m", "1e9", "80e-3", "1536Mi",
		"1.1Ki", ".000000000001Ki", "1000E", "9.01",
	};
	for (size_t i = 0; i < LEN(inputs); i++) {
		char positive[QUANTITY_STR_MAX], negative[QUANTITY_STR_MAX + 1];
		char minus[QUANTITY_STR_MAX + 1];
		struct quantity q = parse_ok(inputs[i]);
		quantity_format(&q, positive, sizeof(positive));
		snprintf(minus, sizeof(minus), "-%s", inputs[i]);
		q = parse_ok(minus);
		quantity_format(&q, negative, sizeof(negative));
		ck_assert_msg(negative[0] == '-' && strcmp(negative + 1, positive) == 0,
			      "'%s' printed '%s', '%s' printed '%s'", inputs[i],
			      positive, minus, negative);
	}
}
END_TEST

START_TEST(test_canonical_output_parses_back_to_the_same_quantity)
{
	static const char *const inputs[] = {
		"1.5Gi", "0.5", "1e3", "1.3E+6", "100.035Ki", "-9.5000000001Gi",
		"9Ei", "1000E", "3.001n", "0.000000000001Ki", "12E", "0",
	};
	for (size_t i = 0; i < LEN(inputs); i++) {
		char once[QUANTITY_STR_MAX], twice[QUANTITY_STR_MAX];
		struct quantity a = parse_ok(inputs[i]);
		quantity_format(&a, once, sizeof(once));
		struct quantity b = parse_ok(once);
		quantity_format(&b, twice, sizeof(twice));
		ck_assert_msg(quantity_cmp(&a, &b) == 0, "'%s' -> '%s' changed value",
			      inputs[i], once);
		ck_assert_str_eq(once, twice);
	}
}
END_TEST

START_TEST(test_from_int_and_from_milli_print_as_upstream)
{
	static const struct {
		int64_t value;
		enum quantity_format format;
		const char *out;
	} ints[] = {
		{ 1, QUANTITY_DECIMAL_SI, "1" },
		{ 1000, QUANTITY_DECIMAL_SI, "1k" },
		{ 1234000, QUANTITY_DECIMAL_SI, "1234k" },
		{ 1024, QUANTITY_BINARY_SI, "1Ki" },
		{ 1000000, QUANTITY_DECIMAL_EXPONENT, "1e6" },
		{ 1024 * 1024, QUANTITY_BINARY_SI, "1Mi" },
		{ 5, QUANTITY_BINARY_SI, "5" },
		{ 1000, QUANTITY_BINARY_SI, "1k" },	/* below 1Ki: as DecimalSI */
		{ 1023, QUANTITY_BINARY_SI, "1023" },
		{ 2048, QUANTITY_BINARY_SI, "2Ki" },
		{ -2000, QUANTITY_BINARY_SI, "-2000" },
		{ INT64_MAX, QUANTITY_DECIMAL_SI, "9223372036854775807" },
	}, millis[] = {
		{ 1, QUANTITY_DECIMAL_SI, "1m" },
		{ 1000, QUANTITY_DECIMAL_SI, "1" },
		{ 1234000, QUANTITY_DECIMAL_SI, "1234" },
		{ 1024, QUANTITY_BINARY_SI, "1024m" },
		{ 1000000, QUANTITY_DECIMAL_EXPONENT, "1e3" },
		{ 1024 * 1024, QUANTITY_BINARY_SI, "1048576m" },
		{ 500, QUANTITY_BINARY_SI, "500m" },
	};
	for (size_t i = 0; i < LEN(ints); i++) {
		struct quantity q = quantity_from_int(ints[i].value, ints[i].format);
		assert_prints(&q, ints[i].out, "quantity_from_int");
		ck_assert(quantity_value(&q) == ints[i].value);
	}
	for (size_t i = 0; i < LEN(millis); i++) {
		struct quantity q = quantity_from_milli(millis[i].value, millis[i].format);
		assert_prints(&q, millis[i].out, "quantity_from_milli");
		ck_assert(quantity_milli_value(&q) == millis[i].value);
	}
}
END_TEST

START_TEST(test_cmp_orders_by_value_across_formats)
{
	static const struct {
		const char *a, *b;
		int expect;
	} cases[] = {
		{ "0", "0", 0 },
		{ "0", "0Ki", 0 },
		{ "100m", "50m", 1 },
		{ "1000m", "1", 0 },
		{ "1Gi", "1G", 1 },
		{ "1Ki", "1k", 1 },
		{ "1e3", "1k", 0 },
		{ "10000T", "100Gi", 1 },
		{ "1024Mi", "1Gi", 0 },
		{ "-1", "1m", -1 },
		{ "0.5", "500m", 0 },
		{ "800m", "1", -1 },
		{ "800m", "0.79", 1 },
		{ "9223372036854775808", "9Ei", 1 },	/* 9Ei is capped */
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct quantity a = parse_ok(cases[i].a), b = parse_ok(cases[i].b);
		ck_assert_msg(quantity_cmp(&a, &b) == cases[i].expect, "cmp(%s, %s)",
			      cases[i].a, cases[i].b);
		ck_assert_msg(quantity_cmp(&b, &a) == -cases[i].expect, "cmp(%s, %s)",
			      cases[i].b, cases[i].a);
	}
}
END_TEST

START_TEST(test_add_sums_requests_exactly)
{
	static const char *const cpu[] = { "100m", "250m", "1.5", "0.001" };
	struct quantity sum = quantity_from_int(0, QUANTITY_DECIMAL_SI);
	for (size_t i = 0; i < LEN(cpu); i++) {
		struct quantity q = parse_ok(cpu[i]);
		quantity_add(&sum, &q);
	}
	assert_prints(&sum, "1851m", "cpu sum");
	ck_assert(quantity_milli_value(&sum) == 1851);

	struct quantity memory = parse_ok("1Gi"), half = parse_ok("512Mi");
	quantity_add(&memory, &half);
	assert_prints(&memory, "1536Mi", "1Gi + 512Mi");
	/* the sum keeps the receiver's format: 10 (DecimalSI) + 1 (BinarySI) */
	struct quantity ten = quantity_from_int(10, QUANTITY_DECIMAL_SI);
	struct quantity one = quantity_from_int(1, QUANTITY_BINARY_SI);
	quantity_add(&ten, &one);
	ck_assert_int_eq(ten.format, QUANTITY_DECIMAL_SI);
	assert_prints(&ten, "11", "10 + 1");
}
END_TEST

START_TEST(test_zero_takes_the_format_of_what_is_added_or_subtracted)
{
	static const char *const values[] = { "100m", "1Gi", "1e3" };
	for (size_t i = 0; i < LEN(values); i++) {
		struct quantity value = parse_ok(values[i]), zero = parse_ok("0");
		struct quantity sum = zero;
		quantity_add(&sum, &value);
		assert_prints(&sum, values[i], "0 + value");
		struct quantity same = value;
		quantity_add(&same, &zero);
		assert_prints(&same, values[i], "value + 0");
		quantity_sub(&same, &zero);
		assert_prints(&same, values[i], "value - 0");
	}
	struct quantity diff = parse_ok("0"), gi = parse_ok("1Gi");
	quantity_sub(&diff, &gi);
	assert_prints(&diff, "-1Gi", "0 - 1Gi");
}
END_TEST

START_TEST(test_sub_subtracts_in_place)
{
	struct quantity allocatable = parse_ok("4"), used = parse_ok("1500m");
	quantity_sub(&allocatable, &used);
	assert_prints(&allocatable, "2500m", "4 - 1500m");

	struct quantity ten = quantity_from_int(10, QUANTITY_BINARY_SI);
	struct quantity one = quantity_from_int(1, QUANTITY_DECIMAL_SI);
	quantity_sub(&ten, &one);
	ck_assert_int_eq(ten.format, QUANTITY_BINARY_SI);
	ck_assert(quantity_value(&ten) == 9);

	struct quantity a = parse_ok("10"), b = parse_ok("1e1");
	quantity_sub(&a, &b);
	ck_assert(quantity_is_zero(&a));
	assert_prints(&a, "0", "10 - 1e1");
}
END_TEST

START_TEST(test_add_and_sub_saturate_at_the_kubelab_limit)
{
	struct quantity big = parse_ok("999999999999999999999999999");
	struct quantity also = big;
	quantity_add(&also, &big);
	ck_assert(quantity_check(&also));
	ck_assert(also.nanos == QUANTITY_MAX_NANOS);
	assert_prints(&also, "999999999999999999999999999999999999n", "saturated sum");
	struct quantity low = parse_ok("-999999999999999999999999999");
	quantity_sub(&low, &big);
	ck_assert(quantity_check(&low));
	ck_assert(low.nanos == -QUANTITY_MAX_NANOS);
}
END_TEST

START_TEST(test_format_truncates_safely_into_a_small_buffer)
{
	struct quantity q = parse_ok("1536Mi");
	char buf[4];
	memset(buf, 'x', sizeof(buf));
	quantity_format(&q, buf, sizeof(buf));
	ck_assert_str_eq(buf, "153");
}
END_TEST

Suite *quantity_suite(void);
Suite *quantity_suite(void)
{
	Suite *suite = suite_create("quantity");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_prints_the_upstream_canonical_form);
	tcase_add_test(tc, test_parse_rounds_up_to_a_whole_nano_unit);
	tcase_add_test(tc, test_binary_suffix_rounding_is_exact_at_the_nano_boundary);
	tcase_add_test(tc, test_value_and_milli_value_round_away_from_zero);
	tcase_add_test(tc, test_value_saturates_at_the_int64_limits);
	tcase_add_test(tc, test_binary_si_is_capped_at_int64_max_as_upstream);
	tcase_add_test(tc, test_values_beyond_int64_stay_exact);
	tcase_add_test(tc, test_parse_rejects_malformed_input);
	tcase_add_test(tc, test_parse_says_why_it_rejected_the_input);
	tcase_add_test(tc, test_parse_failure_leaves_the_output_untouched);
	tcase_add_test(tc, test_kubelab_rejects_magnitudes_from_ten_to_the_27);
	tcase_add_test(tc, test_negative_quantities_print_the_positive_form_with_a_sign);
	tcase_add_test(tc, test_canonical_output_parses_back_to_the_same_quantity);
	tcase_add_test(tc, test_from_int_and_from_milli_print_as_upstream);
	tcase_add_test(tc, test_cmp_orders_by_value_across_formats);
	tcase_add_test(tc, test_add_sums_requests_exactly);
	tcase_add_test(tc, test_zero_takes_the_format_of_what_is_added_or_subtracted);
	tcase_add_test(tc, test_sub_subtracts_in_place);
	tcase_add_test(tc, test_add_and_sub_saturate_at_the_kubelab_limit);
	tcase_add_test(tc, test_format_truncates_safely_into_a_small_buffer);
	suite_add_tcase(suite, tc);
	return suite;
}
