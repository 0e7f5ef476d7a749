/* test_ctrl_cron_schedule.c - the cron schedule parser and its next-time
 * search (sim/ctrl_cron_schedule.c).
 *
 * Tables of expressions with the time they fire next after a given time,
 * written out by hand from a calendar (2026-01-01 is a Thursday), then
 * the same search checked against a naive reference that tries every
 * minute, and a table of invalid schedules with robfig/cron's messages.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_cron_schedule.h"
#include "schema.h"

Suite *ctrl_cron_schedule_suite(void);

/* "2026-01-01T00:00:00Z" -> ktime_t; the tests only write valid times. */
static ktime_t at(const char *text)
{
	struct cron_tm tm = {0};
	ck_assert_int_eq(sscanf(text, "%d-%d-%dT%d:%d:%dZ", &tm.year, &tm.month, &tm.day,
				&tm.hour, &tm.minute, &tm.second), 6);
	return cron_time_join(&tm);
}

static char *show(ktime_t t)
{
	static char buf[4][32];
	static int i;
	i = (i + 1) % 4;
	if (!t)
		return strcpy(buf[i], "never");
	schema_format_time(t, buf[i], sizeof(buf[i]));
	return buf[i];
}

START_TEST(test_calendar_split_and_join_agree_with_known_dates)
{
	struct cron_tm tm;
	cron_time_split(KTIME_SIM_EPOCH, &tm);
	ck_assert_int_eq(tm.year, 2026);
	ck_assert_int_eq(tm.month, 1);
	ck_assert_int_eq(tm.day, 1);
	ck_assert_int_eq(tm.weekday, 4);	/* Thursday */
	ck_assert_int_eq(at("2026-01-01T00:00:00Z"), KTIME_SIM_EPOCH);
	cron_time_split(at("2028-02-29T23:59:00Z"), &tm);
	ck_assert_int_eq(tm.month, 2);
	ck_assert_int_eq(tm.day, 29);
	ck_assert_int_eq(tm.weekday, 2);	/* Tuesday */
	/* Overflowing fields roll over, as the search relies on. */
	ck_assert_str_eq(show(at("2026-12-32T00:00:00Z")), "2027-01-01T00:00:00Z");
	ck_assert_str_eq(show(at("2026-13-01T00:00:00Z")), "2027-01-01T00:00:00Z");
	ck_assert_str_eq(show(at("2026-02-29T00:00:00Z")), "2026-03-01T00:00:00Z");
}
END_TEST

static const struct {
	const char *spec, *after, *next;
} next_cases[] = {
	{ "* * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z" },
	{ "* * * * *", "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z" },
	{ "*/15 * * * *", "2026-01-01T00:07:00Z", "2026-01-01T00:15:00Z" },
	{ "*/15 * * * *", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z" },
	{ "5-10/2 * * * *", "2026-01-01T00:06:00Z", "2026-01-01T00:07:00Z" },
	{ "5-10/2 * * * *", "2026-01-01T00:09:00Z", "2026-01-01T01:05:00Z" },
	{ "5/20 * * * *", "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z" },
	{ "0,30 9-17 * * *", "2026-01-01T17:30:00Z", "2026-01-02T09:00:00Z" },
	{ "30 2 * * *", "2026-01-01T00:00:00Z", "2026-01-01T02:30:00Z" },
	{ "0 0 1 * *", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
	{ "59 23 31 12 *", "2026-01-01T00:00:00Z", "2026-12-31T23:59:00Z" },
	{ "0 0 1 1 *", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z" },
	/* Weekdays: 2026-01-01 is a Thursday. */
	{ "0 0 * * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
	{ "0 0 * * SUN", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
	{ "0 0 * * 0,6", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z" },
	{ "0 12 * jan-MAR mon-fri", "2026-03-31T12:00:00Z", "2027-01-01T12:00:00Z" },
	/* Day of month OR day of week when both are restricted. */
	{ "0 0 13 * 5", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z" },
	{ "0 0 13 * 5", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z" },
	{ "0 0 13 * *", "2026-01-01T00:00:00Z", "2026-01-13T00:00:00Z" },
	{ "0 0 1-31 * 1", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z" },
	{ "0 0 */1 * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },	/* a star */
	{ "0 0 */2 * 1", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z" },	/* not one */
	{ "0 0 ? * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
	/* Month ends and leap days. */
	{ "0 0 31 * *", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z" },
	{ "0 0 31 * *", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z" },
	{ "0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z" },
	{ "0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" },
	{ "0 0 30 2 *", "2026-01-01T00:00:00Z", NULL },	/* never: zero time */
	/* Descriptors. */
	{ "@hourly", "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z" },
	{ "@daily", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z" },
	{ "@midnight", "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z" },
	{ "@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z" },
	{ "@monthly", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
	{ "@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
	{ "@annually", "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z" },
};

START_TEST(test_next_finds_the_first_matching_minute_after_a_time)
{
	for (size_t i = 0; i < sizeof(next_cases) / sizeof(next_cases[0]); i++) {
		struct cron_schedule s;
		char *why = NULL;
		ck_assert_msg(!cron_schedule_parse(next_cases[i].spec, &s, &why),
			      "%s: %s", next_cases[i].spec, why);
		ktime_t next = cron_schedule_next(&s, at(next_cases[i].after));
		const char *want = next_cases[i].next ? next_cases[i].next : "never";
		ck_assert_msg(!strcmp(show(next), want), "%s after %s: got %s, want %s",
			      next_cases[i].spec, next_cases[i].after, show(next), want);
	}
}
END_TEST

/* The reference: try every minute, with the day rule written out. */
static ktime_t naive_next(const struct cron_schedule *s, ktime_t after, ktime_t limit)
{
	for (ktime_t t = (after / KTIME_MINUTE + 1) * KTIME_MINUTE; t < limit; t += KTIME_MINUTE) {
		struct cron_tm tm;
		cron_time_split(t, &tm);
		bool dom = (s->dom >> tm.day) & 1, dow = (s->dow >> tm.weekday) & 1;
		bool day = (s->dom_star || s->dow_star) ? dom && dow : dom || dow;
		if (((s->minute >> tm.minute) & 1) && ((s->hour >> tm.hour) & 1) &&
		    ((s->month >> tm.month) & 1) && day)
			return t;
	}
	return 0;
}

START_TEST(test_next_agrees_with_trying_every_minute)
{
	static const char *const specs[] = {
		"*/7 */5 * * *", "13 4 1,15 * 3", "0 0 28-31 * *", "59 23 * * 6",
		"0 6 */10 2,3 *", "45 */2 * * sat,sun", "0 0 29 * *", "17 3 5 * */3",
	};
	ktime_t limit = at("2026-06-01T00:00:00Z");
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct cron_schedule s;
		char *why = NULL;
		ck_assert_msg(!cron_schedule_parse(specs[i], &s, &why), "%s: %s", specs[i], why);
		ktime_t t = KTIME_SIM_EPOCH + 17 * KTIME_SECOND;
		for (int n = 0; n < 25; n++) {
			ktime_t want = naive_next(&s, t, limit);
			if (!want)
				break;
			ktime_t got = cron_schedule_next(&s, t);
			ck_assert_msg(got == want, "%s after %s: got %s, want %s", specs[i],
				      show(t), show(got), show(want));
			t = got;
		}
	}
}
END_TEST

static const struct {
	const char *spec, *why;
} invalid_cases[] = {
	{ "", "empty spec string" },
	{ "* * * *", "expected exactly 5 fields, found 4: [* * * *]" },
	{ "0 * * * * *", "expected exactly 5 fields, found 6: [0 * * * * *]" },
	{ "60 * * * *", "end of range (60) above maximum (59): 60" },
	{ "* 24 * * *", "end of range (24) above maximum (23): 24" },
	{ "* * 0 * *", "beginning of range (0) below minimum (1): 0" },
	{ "* * 32 * *", "end of range (32) above maximum (31): 32" },
	{ "* * * 13 *", "end of range (13) above maximum (12): 13" },
	{ "* * * * 7", "end of range (7) above maximum (6): 7" },
	{ "5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1" },
	{ "*/0 * * * *", "step of range should be a positive number: */0" },
	{ "1-2-3 * * * *", "too many hyphens: 1-2-3" },
	{ "*/2/3 * * * *", "too many slashes: */2/3" },
	{ "x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax" },
	{ "* * * foo *",
	  "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax" },
	{ "*/-2 * * * *", "negative number (-2) not allowed: -2" },
	{ "@often", "unrecognized descriptor: @often" },
	{ "@every 5m", "@every is not a calendar schedule (not modelled by kubelab): @every 5m" },
	{ "CRON_TZ=UTC * * * * *",
	  "time zone prefixes are not modelled by kubelab: CRON_TZ=UTC * * * * *" },
};

START_TEST(test_parse_rejects_invalid_schedules_with_robfig_messages)
{
	for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		struct cron_schedule s = { .minute = 42 };
		char *why = NULL;
		ck_assert_msg(cron_schedule_parse(invalid_cases[i].spec, &s, &why) == -1,
			      "'%s' was accepted", invalid_cases[i].spec);
		ck_assert_msg(why && !strcmp(why, invalid_cases[i].why), "'%s': got '%s'",
			      invalid_cases[i].spec, why ? why : "(null)");
		ck_assert_uint_eq(s.minute, 42);	/* untouched on failure */
		free(why);
	}
}
END_TEST

START_TEST(test_parse_accepts_names_in_any_case_and_white_space)
{
	struct cron_schedule a, b;
	char *why = NULL;
	ck_assert_int_eq(cron_schedule_parse("0 0 * Jan,jul MON-fri", &a, &why), 0);
	ck_assert_int_eq(cron_schedule_parse(" 0\t0  *  1,7  1-5 ", &b, &why), 0);
	ck_assert(!memcmp(&a, &b, sizeof(a)));
	ck_assert_uint_eq(a.month, (1u << 1) | (1u << 7));
	ck_assert_uint_eq(a.dow, 0x3e);
	ck_assert(a.dom_star);
	ck_assert(!a.dow_star);
}
END_TEST

Suite *ctrl_cron_schedule_suite(void)
{
	Suite *s = suite_create("ctrl_cron_schedule");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_calendar_split_and_join_agree_with_known_dates);
	tcase_add_test(tc, test_next_finds_the_first_matching_minute_after_a_time);
	tcase_add_test(tc, test_next_agrees_with_trying_every_minute);
	tcase_add_test(tc, test_parse_rejects_invalid_schedules_with_robfig_messages);
	tcase_add_test(tc, test_parse_accepts_names_in_any_case_and_white_space);
	suite_add_tcase(s, tc);
	return s;
}
