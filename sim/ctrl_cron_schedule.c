/* ctrl_cron_schedule.c - the cron schedule parser and its "next time"
 * search; see ctrl_cron_schedule.h.
 *
 * K8S: github.com/robfig/cron/v3 (parser.go: Parse, getField, getRange,
 * parseDescriptor; spec.go: Next, dayMatches), which
 * pkg/controller/cronjob calls as cron.ParseStandard.
 *
 * A schedule is five bit sets, one per field. Parsing fills them; Next
 * walks the calendar from the minute after `after`, skipping a whole month,
 * day or hour at a time when that field cannot match, and starts over
 * from the month whenever a skip wraps into the next larger unit (a day
 * skip that lands on the 1st may have changed the month). robfig also has
 * a seconds field, which the standard parser pins to 0: hence "minutes".
 *
 * Time is UTC throughout, so the calendar has no DST gaps; kubelab does
 * its own civil-date arithmetic (days since 1970-01-01, Howard Hinnant's
 * algorithm) rather than gmtime, so the result never depends on the host.
 */
#include "ctrl_cron_schedule.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

#define SEARCH_YEARS 5		/* K8S: robfig's yearLimit */

struct bounds {
	unsigned min, max;
	const char *const *names;	/* names[i - min], or NULL */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL,
};
static const char *const dow_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL,
};

static const struct bounds minutes = { 0, 59, NULL };
static const struct bounds hours = { 0, 23, NULL };
static const struct bounds doms = { 1, 31, NULL };
static const struct bounds months = { 1, 12, month_names };
static const struct bounds dows = { 0, 6, dow_names };

/* K8S: robfig's parseDescriptor, as the five fields each one means. */
static const struct {
	const char *name, *fields;
} descriptors[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* ---- parsing one field --------------------------------------------------- */

/* K8S: mustParseInt, whose messages wrap Go's strconv.Atoi errors. */
static int parse_int(const char *text, unsigned *out, char **why)
{
	const char *p = text;
	if (*p == '+' || *p == '-')
		p++;
	bool digits = *p != '\0';
	for (const char *q = p; *q; q++)
		digits &= isdigit((unsigned char)*q) != 0;
	if (!digits) {
		*why = xasprintf("failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
				 "invalid syntax", text, text);
		return -1;
	}
	errno = 0;
	long long n = strtoll(text, NULL, 10);
	if (errno == ERANGE) {
		*why = xasprintf("failed to parse int from %s: strconv.Atoi: parsing \"%s\": "
				 "value out of range", text, text);
		return -1;
	}
	if (n < 0) {
		*why = xasprintf("negative number (%lld) not allowed: %s", n, text);
		return -1;
	}
	*out = n > UINT_MAX ? UINT_MAX : (unsigned)n;
	return 0;
}

/* K8S: parseIntOrName: a name of the field (any case), else a number. */
static int parse_value(const char *text, const struct bounds *r, unsigned *out, char **why)
{
	for (unsigned i = 0; r->names && r->names[i]; i++) {
		if (!strcasecmp(text, r->names[i])) {
			*out = r->min + i;
			return 0;
		}
	}
	return parse_int(text, out, why);
}

/* Splits text at sep into at most max parts (modified in place); returns
 * how many there were, which may exceed max. */
static size_t split(char *text, char sep, char **parts, size_t max)
{
	size_t n = 0;
	for (char *p = text;; n++) {
		if (n < max)
			parts[n] = p;
		char *end = strchr(p, sep);
		if (!end)
			return n + 1;
		*end = '\0';
		p = end + 1;
	}
}

/* K8S: getRange: one element of a list, "*", "N", "A-B", each with an
 * optional "/STEP". Sets *bits and *star (a star with step 1). */
static int parse_range(const char *expr, const struct bounds *r, uint64_t *bits,
		       bool *star, char **why)
{
	char *copy = xstrdup(expr), *range_step[2] = {0}, *low_high[2] = {0};
	size_t slashes = split(copy, '/', range_step, 2);
	size_t hyphens = split(range_step[0], '-', low_high, 2);
	unsigned start, end, step = 1;
	bool is_star = false;
	int rc = -1;

	if (!strcmp(low_high[0], "*") || !strcmp(low_high[0], "?")) {
		start = r->min;	/* and robfig ignores anything after a '-' here */
		end = r->max;
		is_star = true;
	} else {
		if (parse_value(low_high[0], r, &start, why))
			goto out;
		if (hyphens == 1) {
			end = start;
		} else if (hyphens == 2) {
			if (parse_value(low_high[1], r, &end, why))
				goto out;
		} else {
			*why = xasprintf("too many hyphens: %s", expr);
			goto out;
		}
	}
	if (slashes == 2) {
		if (parse_int(range_step[1], &step, why))
			goto out;
		if (hyphens == 1)	/* "N/STEP" means "N-max/STEP" */
			end = r->max;
		if (step > 1)
			is_star = false;
	} else if (slashes > 2) {
		*why = xasprintf("too many slashes: %s", expr);
		goto out;
	}
	if (start < r->min) {
		*why = xasprintf("beginning of range (%u) below minimum (%u): %s", start, r->min, expr);
		goto out;
	}
	if (end > r->max) {
		*why = xasprintf("end of range (%u) above maximum (%u): %s", end, r->max, expr);
		goto out;
	}
	if (start > end) {
		*why = xasprintf("beginning of range (%u) beyond end of range (%u): %s",
				 start, end, expr);
		goto out;
	}
	if (step == 0) {
		*why = xasprintf("step of range should be a positive number: %s", expr);
		goto out;
	}
	for (unsigned v = start; v <= end; v += step)
		*bits |= (uint64_t)1 << v;
	*star |= is_star;
	rc = 0;
out:
	free(copy);
	return rc;
}

/* K8S: getField: a comma-separated list of ranges (empty elements are
 * skipped, as strings.FieldsFunc does). */
static int parse_field(const char *field, const struct bounds *r, uint64_t *bits,
		       bool *star, char **why)
{
	char *copy = xstrdup(field), *save = NULL;
	int rc = 0;
	*bits = 0;
	*star = false;
	for (char *part = strtok_r(copy, ",", &save); part && !rc;
	     part = strtok_r(NULL, ",", &save))
		rc = parse_range(part, r, bits, star, why);
	free(copy);
	return rc;
}

/* ---- parsing a schedule -------------------------------------------------- */

/* Go's fmt %s of a []string: "[a b c]". */
static char *format_fields(char **fields, size_t n)
{
	size_t len = 3;
	for (size_t i = 0; i < n; i++)
		len += strlen(fields[i]) + 1;
	char *out = xmalloc(len), *p = out;
	*p++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ' ';
		p = stpcpy(p, fields[i]);
	}
	*p++ = ']';
	*p = '\0';
	return out;
}

static int parse_fields(const char *spec, struct cron_schedule *out, char **why)
{
	char *copy = xstrdup(spec), *save = NULL;
	char **fields = xcalloc(strlen(spec) / 2 + 2, sizeof(*fields));
	size_t n = 0;
	int rc = -1;
	for (char *f = strtok_r(copy, " \t\n\r\v\f", &save); f;
	     f = strtok_r(NULL, " \t\n\r\v\f", &save))
		fields[n++] = f;
	if (n != 5) {
		char *list = format_fields(fields, n);
		*why = xasprintf("expected exactly 5 fields, found %zu: %s", n, list);
		free(list);
		goto out;
	}
	struct cron_schedule s = {0};
	bool star_unused;
	if (parse_field(fields[0], &minutes, &s.minute, &star_unused, why) ||
	    parse_field(fields[1], &hours, &s.hour, &star_unused, why) ||
	    parse_field(fields[2], &doms, &s.dom, &s.dom_star, why) ||
	    parse_field(fields[3], &months, &s.month, &star_unused, why) ||
	    parse_field(fields[4], &dows, &s.dow, &s.dow_star, why))
		goto out;
	*out = s;
	rc = 0;
out:
	free(fields);
	free(copy);
	return rc;
}

int cron_schedule_parse(const char *spec, struct cron_schedule *out, char **why)
{
	*why = NULL;
	if (!spec || !*spec) {
		*why = xstrdup("empty spec string");
		return -1;
	}
	if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
		*why = xasprintf("time zone prefixes are not modelled by kubelab: %s", spec);
		return -1;
	}
	if (spec[0] == '@') {
		for (size_t i = 0; i < sizeof(descriptors) / sizeof(descriptors[0]); i++)
			if (!strcmp(spec, descriptors[i].name))
				return parse_fields(descriptors[i].fields, out, why);
		if (!strncmp(spec, "@every ", 7))
			*why = xasprintf("@every is not a calendar schedule (not modelled by "
					 "kubelab): %s", spec);
		else
			*why = xasprintf("unrecognized descriptor: %s", spec);
		return -1;
	}
	return parse_fields(spec, out, why);
}

/* ---- the calendar -------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cron_time_split(ktime_t t, struct cron_tm *out)
{
	int64_t secs = t / KTIME_SECOND - (t % KTIME_SECOND < 0);
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	int64_t rem = secs - days * 86400;
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem % 3600 / 60);
	out->second = (int)(rem % 60);
	out->weekday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

ktime_t cron_time_join(const struct cron_tm *tm)
{
	int64_t year = tm->year + (tm->month - 1) / 12;
	int month = (tm->month - 1) % 12 + 1;
	if (month < 1) {
		month += 12;
		year--;
	}
	int64_t days = days_from_civil(year, month, 1) + tm->day - 1;
	int64_t secs = days * 86400 + tm->hour * 3600 + tm->minute * 60 + tm->second;
	return secs * KTIME_SECOND;
}

static bool has(uint64_t bits, int value)
{
	return (bits >> value) & 1;
}

/* K8S: dayMatches: with a star in either day field both must match,
 * otherwise either may. */
static bool day_matches(const struct cron_schedule *s, const struct cron_tm *tm)
{
	bool dom = has(s->dom, tm->day), dow = has(s->dow, tm->weekday);
	if (s->dom_star || s->dow_star)
		return dom && dow;
	return dom || dow;
}

ktime_t cron_schedule_next(const struct cron_schedule *s, ktime_t after)
{
	/* The first whole minute strictly after `after`. */
	ktime_t start = (after / KTIME_MINUTE - (after % KTIME_MINUTE < 0) + 1) * KTIME_MINUTE;
	struct cron_tm tm;
	cron_time_split(start, &tm);
	int year_limit = tm.year + SEARCH_YEARS;
wrap:
	if (tm.year > year_limit)
		return 0;
	while (!has(s->month, tm.month)) {
		tm = (struct cron_tm){ .year = tm.year, .month = tm.month + 1, .day = 1 };
		cron_time_split(cron_time_join(&tm), &tm);
		if (tm.month == 1)
			goto wrap;
	}
	while (!day_matches(s, &tm)) {
		tm.day++;
		tm.hour = tm.minute = 0;
		cron_time_split(cron_time_join(&tm), &tm);
		if (tm.day == 1)
			goto wrap;
	}
	while (!has(s->hour, tm.hour)) {
		tm.hour++;
		tm.minute = 0;
		cron_time_split(cron_time_join(&tm), &tm);
		if (tm.hour == 0)
			goto wrap;
	}
	while (!has(s->minute, tm.minute)) {
		tm.minute++;
		cron_time_split(cron_time_join(&tm), &tm);
		if (tm.minute == 0)
			goto wrap;
	}
	return cron_time_join(&tm);
}
