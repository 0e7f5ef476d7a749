/* test_duration.c - Go duration syntax and kubectl's AGE column.
 *
 * K8S: the parse and String cases follow go/src/time/time_test.go
 * (parseDurationTests, durationTests); the AGE cases follow
 * staging/src/k8s.io/apimachinery/pkg/util/duration/duration_test.go
 * (TestHumanDuration), with thresholds read from duration.go.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "duration.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NS	KTIME_NS
#define US	KTIME_US
#define MS	KTIME_MS
#define SEC	KTIME_SECOND
#define MIN	KTIME_MINUTE
#define HOUR	KTIME_HOUR
#define DAY	(24 * HOUR)

START_TEST(test_parse_accepts_go_duration_syntax)
{
	static const struct {
		const char *in;
		ktime_t want;
	} cases[] = {
		{ "0", 0 },
		{ "-0", 0 },
		{ "+0", 0 },
		{ "0s", 0 },
		{ "5s", 5 * SEC },
		{ "30s", 30 * SEC },
		{ "10m", 10 * MIN },
		{ "1h30m", 90 * MIN },
		{ "2h45m", 2 * HOUR + 45 * MIN },
		{ "1.5s", 1500 * MS },
		{ "300ms", 300 * MS },
		{ "-1.5h", -90 * MIN },
		{ "+5s", 5 * SEC },
		{ "1478s", 1478 * SEC },
		{ "1.0s", SEC },
		{ "1.s", SEC },
		{ ".5s", 500 * MS },
		{ "1.004s", 1004 * MS },
		{ "100.00100s", 100 * SEC + MS },
		{ "10ns", 10 * NS },
		{ "11us", 11 * US },
		{ "12\xc2\xb5s", 12 * US },	/* U+00B5 micro sign */
		{ "12\xce\xbcs", 12 * US },	/* U+03BC greek mu */
		{ "13ms", 13 * MS },
		{ "3h30m", 3 * HOUR + 30 * MIN },
		{ "10.5s4m", 4 * MIN + 10500 * MS },
		{ "-2m3.4s", -(2 * MIN + 3400 * MS) },
		{ "1h2m3s4ms5us6ns", HOUR + 2 * MIN + 3 * SEC + 4 * MS + 5 * US + 6 * NS },
		{ "39h9m14.425s", 39 * HOUR + 9 * MIN + 14425 * MS },
		{ "52763797000ns", 52763797000 },
		{ "0.3333333333333333333h", 20 * MIN },
		{ "9007199254740993ns", 9007199254740993 },
		{ "9223372036854775807ns", INT64_MAX },
		{ "9223372036854775.807us", INT64_MAX },
		{ "9223372036s854ms775us807ns", INT64_MAX },
		{ "-9223372036854775808ns", INT64_MIN },
		{ "-9223372036854775.808us", INT64_MIN },
		{ "0.100000000000000000000h", 6 * MIN },
		{ "0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827 * NS },
		{ "1.0000000001h", HOUR + 360 * NS },	/* float64, as Go */
		{ "0.1ns", 0 },				/* truncated, as Go */
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		ktime_t got = -42;
		const char *why = NULL;
		ck_assert_msg(duration_parse(cases[i].in, &got, &why) == 0,
			      "'%s' should parse, got: %s", cases[i].in, why);
		ck_assert_msg(got == cases[i].want, "'%s' = %lld, want %lld", cases[i].in,
			      (long long)got, (long long)cases[i].want);
	}
}
END_TEST

START_TEST(test_parse_rejects_what_go_rejects)
{
	static const char *const bad[] = {
		"", "3", "-", "+", "s", ".", "-.", ".s", "+.s", "10", "ten",
		"5 m", " 5m", "5m ", "1d", "1w", "5min", "1h30", "3h-1m",
		"1e3s", "1S", "1H", "1.5", "1,5s", "1..5s", "\x85\x85",
		"9223372036854775810ns", "9223372036854775808ns",
		"9223372036854775.808us", "2562048h", "-9223372036854775809ns",
		"9223372036854775808ns9223372036854775808ns",
		"9223372036854775807ns1ns",
	};
	for (size_t i = 0; i < LEN(bad); i++) {
		ktime_t got;
		const char *why = NULL;
		ck_assert_msg(duration_parse(bad[i], &got, &why) == -1, "'%s' parsed", bad[i]);
		ck_assert_msg(why && *why, "'%s' rejected without a reason", bad[i]);
	}
}
END_TEST

START_TEST(test_parse_says_why_it_rejected_the_input)
{
	static const struct {
		const char *in, *phrase;
	} cases[] = {
		{ "ten", "expected a duration such as 30s, 5m or 1h30m" },
		{ "", "expected a duration such as 30s, 5m or 1h30m" },
		{ "10", "missing unit" },
		{ "1d", "write 24h" },
		{ "5min", "unknown unit" },
		{ "5 m", "spaces" },
		{ "3000000h", "out of range" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		ktime_t got;
		const char *why = NULL;
		ck_assert_int_eq(duration_parse(cases[i].in, &got, &why), -1);
		ck_assert_msg(strstr(why, cases[i].phrase), "'%s': '%s' lacks '%s'",
			      cases[i].in, why, cases[i].phrase);
	}
}
END_TEST

START_TEST(test_parse_failure_leaves_the_output_untouched)
{
	ktime_t got = 7;
	ck_assert_int_eq(duration_parse("1d", &got, NULL), -1);	/* why is optional */
	ck_assert(got == 7);
}
END_TEST

START_TEST(test_format_matches_go_duration_string)
{
	static const struct {
		ktime_t in;
		const char *want;
	} cases[] = {
		{ 0, "0s" },
		{ 1 * NS, "1ns" },
		{ 1100 * NS, "1.1\xc2\xb5s" },
		{ 2200 * US, "2.2ms" },
		{ 3300 * MS, "3.3s" },
		{ 300 * MS, "300ms" },
		{ 1500 * MS, "1.5s" },
		{ -1500 * MS, "-1.5s" },
		{ 4 * MIN + 5 * SEC, "4m5s" },
		{ 4 * MIN + 5001 * MS, "4m5.001s" },
		{ 5 * HOUR + 6 * MIN + 7001 * MS, "5h6m7.001s" },
		{ 8 * MIN + 1 * NS, "8m0.000000001s" },
		{ 90 * MIN, "1h30m0s" },
		{ 10 * MIN, "10m0s" },
		{ 48 * HOUR, "48h0m0s" },
		{ INT64_MAX, "2562047h47m16.854775807s" },
		{ INT64_MIN, "-2562047h47m16.854775808s" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[DURATION_STR_MAX];
		duration_format(cases[i].in, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

START_TEST(test_formatted_durations_parse_back_to_the_same_value)
{
	static const ktime_t values[] = {
		0, 1, 999, 1000, 1500 * US, 90 * MIN, -90 * MIN, 7 * DAY + 1,
		INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	for (size_t i = 0; i < LEN(values); i++) {
		char buf[DURATION_STR_MAX];
		ktime_t back = -42;
		duration_format(values[i], buf, sizeof(buf));
		ck_assert_msg(duration_parse(buf, &back, NULL) == 0, "'%s' did not parse", buf);
		ck_assert_msg(back == values[i], "'%s' parsed as %lld", buf, (long long)back);
	}
}
END_TEST

START_TEST(test_human_matches_the_kubectl_age_column)
{
	static const struct {
		ktime_t in;
		const char *want;
	} cases[] = {
		{ 0, "0s" },
		{ 500 * MS, "0s" },
		{ SEC, "1s" },
		{ 45 * SEC, "45s" },
		{ 70 * SEC, "70s" },				/* seconds up to 2m */
		{ 2 * MIN - NS, "119s" },
		{ 2 * MIN, "2m" },
		{ 5 * MIN + 30 * SEC, "5m30s" },
		{ 9 * MIN + 59 * SEC, "9m59s" },
		{ 10 * MIN + 30 * SEC, "10m" },			/* minutes up to 3h */
		{ 3 * HOUR - SEC, "179m" },
		{ 3 * HOUR, "3h" },
		{ 3 * HOUR + 7 * MIN, "3h7m" },
		{ 7 * HOUR + 59 * MIN, "7h59m" },
		{ 8 * HOUR + 30 * MIN, "8h" },			/* hours up to 2d */
		{ 47 * HOUR + 59 * MIN, "47h" },
		{ 48 * HOUR, "2d" },
		{ 2 * DAY + 3 * HOUR, "2d3h" },
		{ 7 * DAY + 23 * HOUR, "7d23h" },
		{ 8 * DAY + 5 * HOUR, "8d" },			/* days up to 2y */
		{ 2 * 365 * DAY - SEC, "729d" },
		{ 2 * 365 * DAY, "2y" },
		{ (3 * 365 + 10) * DAY, "3y10d" },
		{ 8 * 365 * DAY - SEC, "7y364d" },
		{ (8 * 365 + 200) * DAY, "8y" },
		{ INT64_MAX, "292y" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[DURATION_STR_MAX];
		duration_human(cases[i].in, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[i].want) == 0, "%lld ns: '%s', want '%s'",
			      (long long)cases[i].in, buf, cases[i].want);
	}
}
END_TEST

/* An object created "in the future" (clock skew between machines) shows
 * 0s for up to two seconds, then <invalid>. */
START_TEST(test_human_tolerates_two_seconds_of_clock_skew)
{
	static const struct {
		ktime_t in;
		const char *want;
	} cases[] = {
		{ -1, "0s" },
		{ -SEC, "0s" },
		{ -2 * SEC + 1, "0s" },
		{ -2 * SEC, "<invalid>" },
		{ -HOUR, "<invalid>" },
		{ INT64_MIN, "<invalid>" },
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[DURATION_STR_MAX];
		duration_human(cases[i].in, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

START_TEST(test_format_truncates_safely_into_a_small_buffer)
{
	char buf[4];
	duration_format(90 * MIN, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1h3");
	duration_human(5 * MIN + 30 * SEC, buf, sizeof(buf));
	ck_assert_str_eq(buf, "5m3");
}
END_TEST

Suite *duration_suite(void);
Suite *duration_suite(void)
{
	Suite *suite = suite_create("duration");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_accepts_go_duration_syntax);
	tcase_add_test(tc, test_parse_rejects_what_go_rejects);
	tcase_add_test(tc, test_parse_says_why_it_rejected_the_input);
	tcase_add_test(tc, test_parse_failure_leaves_the_output_untouched);
	tcase_add_test(tc, test_format_matches_go_duration_string);
	tcase_add_test(tc, test_formatted_durations_parse_back_to_the_same_value);
	tcase_add_test(tc, test_human_matches_the_kubectl_age_column);
	tcase_add_test(tc, test_human_tolerates_two_seconds_of_clock_skew);
	tcase_add_test(tc, test_format_truncates_safely_into_a_small_buffer);
	suite_add_tcase(suite, tc);
	return suite;
}
