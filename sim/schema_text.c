/* schema_text.c - scalar field values as text: parse and format, RFC 3339
 * times.
 *
 * K8S: how Go's JSON and YAML decoding read the scalar fields of API types:
 * metav1.Time (apimachinery/pkg/apis/meta/v1/time.go, RFC 3339 in whole
 * seconds), intstr.IntOrString (apimachinery/pkg/util/intstr: a number when
 * it reads as one), int32/int64 with range checks, strconv.FormatFloat for
 * doubles; quantities and durations go to quantity.c and duration.c.
 *
 * Interface: schema_scalar_parse, schema_scalar_format, schema_format_time
 * (schema.h), and schema_parse_integer for the module (schema_internal.h).
 * Invariants: a parse that fails returns -1 and says why ("expected ...");
 * times are formatted in whole seconds, rounded down; an unset time or
 * optional integer formats as "". Used by decoding (decode.c), defaulting
 * (schema.c) and field_ref_set (schema_path.c).
 */
#include "schema.h"
#include "schema_internal.h"
#include "duration.h"
#include "xmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. The year
 * is split into 400-year eras of 146097 days, and each year is counted from
 * March so that the leap day falls at its end. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t year_of_era = year - era * 400;
	int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5
			      + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4
			     - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t day_of_era = days - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
			       - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4
					    - year_of_era / 100);
	int64_t mp = (5 * day_of_year + 2) / 153;
	*day = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void schema_format_time(ktime_t t, char *buf, size_t size)
{
	/* Whole seconds, rounded down, as metav1.Time marshals. */
	int64_t seconds = floor_div(t, KTIME_SECOND);
	int64_t days = floor_div(seconds, 86400);
	int64_t rest = seconds - days * 86400;
	int64_t year;
	int month, day;
	civil_from_days(days, &year, &month, &day);
	snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month,
		 day, (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

/* Reads exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return true;
}

static bool read_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* K8S: time.Parse(time.RFC3339, ...) as metav1.Time.UnmarshalJSON does:
 * "2026-01-01T00:01:30Z", with optional fractional seconds and a numeric
 * offset ("+02:00"). */
static int parse_time(const char *text, ktime_t *out)
{
	static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = text;
	int year, month, day, hour, minute, second, offset = 0;
	int64_t nanos = 0;

	if (!read_digits(&p, 4, &year) || !read_char(&p, '-') ||
	    !read_digits(&p, 2, &month) || !read_char(&p, '-') ||
	    !read_digits(&p, 2, &day) || !read_char(&p, 'T') ||
	    !read_digits(&p, 2, &hour) || !read_char(&p, ':') ||
	    !read_digits(&p, 2, &minute) || !read_char(&p, ':') ||
	    !read_digits(&p, 2, &second))
		return -1;
	if (read_char(&p, '.')) {
		int digits = 0;
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				nanos = nanos * 10 + (*p - '0');
		if (!digits)
			return -1;
		for (; digits < 9; digits++)
			nanos *= 10;
	}
	if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (!read_digits(&p, 2, &oh) || !read_char(&p, ':') ||
		    !read_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	} else if (!read_char(&p, 'Z')) {
		return -1;
	}
	if (*p || month < 1 || month > 12 || day < 1 ||
	    day > month_days[month - 1] || hour > 23 || minute > 59 || second > 59)
		return -1;
	if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 || year % 400 == 0)))
		return -1;

	int64_t seconds = days_from_civil(year, month, day) * 86400
			  + hour * 3600 + minute * 60 + second - offset;
	int64_t ns;
	if (__builtin_mul_overflow(seconds, KTIME_SECOND, &ns) ||
	    __builtin_add_overflow(ns, nanos, &ns))
		return -1;
	*out = ns;
	return 0;
}

/* See schema_internal.h. */
int schema_parse_integer(const char *text, int64_t min, int64_t max,
			 int64_t *out)
{
	const char *digits = text + (*text == '-' || *text == '+');
	if (*digits < '0' || *digits > '9')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*end)
		return -1;
	if (errno == ERANGE || v < min || v > max)
		return -2;
	*out = v;
	return 0;
}

static const char *integer_why(int rc, bool wide)
{
	if (rc == -1)
		return "expected an integer";
	return wide ? "integer out of range (64-bit)"
		    : "integer out of range (32-bit)";
}

int schema_scalar_parse(enum field_type type, const char *text, void *value,
			const char **why)
{
	const char *ignored;
	int64_t n;
	int rc;

	if (!why)
		why = &ignored;
	switch (type) {
	case FIELD_STRING:
		free(*(char **)value);
		*(char **)value = xstrdup(text);
		return 0;
	case FIELD_INT32:
		rc = schema_parse_integer(text, INT32_MIN, INT32_MAX, &n);
		if (rc) {
			*why = integer_why(rc, false);
			return -1;
		}
		*(int32_t *)value = (int32_t)n;
		return 0;
	case FIELD_INT64:
	case FIELD_OPT_INT64:
		rc = schema_parse_integer(text, INT64_MIN, INT64_MAX, &n);
		if (rc) {
			*why = integer_why(rc, true);
			return -1;
		}
		if (type == FIELD_INT64)
			*(int64_t *)value = n;
		else
			*(struct opt_int64 *)value = (struct opt_int64){ true, n };
		return 0;
	case FIELD_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			*why = "expected true or false";
			return -1;
		}
		*(bool *)value = !strcmp(text, "true");
		return 0;
	case FIELD_DOUBLE: {
		char *end;
		double d = strtod(text, &end);
		if (!*text || isspace((unsigned char)*text) || *end || !isfinite(d)) {
			*why = "expected a number";
			return -1;
		}
		*(double *)value = d;
		return 0;
	}
	case FIELD_QUANTITY:
		return quantity_parse(text, value, why);
	case FIELD_TIME:
		if (parse_time(text, value)) {
			*why = "expected an RFC 3339 time such as 2026-01-01T00:00:00Z";
			return -1;
		}
		return 0;
	case FIELD_DURATION:
		return duration_parse(text, value, why);
	case FIELD_INT_OR_STRING: {
		/* K8S: intstr.Parse: a number when it reads as one. */
		struct int_or_string *v = value;
		rc = schema_parse_integer(text, INT32_MIN, INT32_MAX, &n);
		if (rc == -2) {
			*why = integer_why(rc, false);
			return -1;
		}
		free(v->str_value);
		if (rc == 0)
			*v = (struct int_or_string){ .is_set = true, .int_value = (int32_t)n };
		else
			*v = (struct int_or_string){ .is_set = true, .is_string = true,
						     .str_value = xstrdup(text) };
		return 0;
	}
	default:
		break;
	}
	bug_report(__FILE__, __LINE__, "not a scalar field type");
}

/* Shortest text that reads back as the same double, like Go's
 * strconv.FormatFloat(f, 'g', -1, 64). */
static char *format_double(double d)
{
	for (int precision = 1; precision < 17; precision++) {
		char *text = xasprintf("%.*g", precision, d);
		if (strtod(text, NULL) == d)
			return text;
		free(text);
	}
	return xasprintf("%.17g", d);
}

char *schema_scalar_format(enum field_type type, const void *value)
{
	switch (type) {
	case FIELD_STRING: {
		const char *s = *(char *const *)value;
		return xstrdup(s ? s : "");
	}
	case FIELD_INT32:
		return xasprintf("%" PRId32, *(const int32_t *)value);
	case FIELD_INT64:
		return xasprintf("%" PRId64, *(const int64_t *)value);
	case FIELD_BOOL:
		return xstrdup(*(const bool *)value ? "true" : "false");
	case FIELD_DOUBLE:
		return format_double(*(const double *)value);
	case FIELD_QUANTITY: {
		char buf[QUANTITY_STR_MAX];
		quantity_format(value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_TIME: {
		char buf[64] = "";
		if (*(const ktime_t *)value)	/* 0 is "unset" */
			schema_format_time(*(const ktime_t *)value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_DURATION: {
		char buf[DURATION_STR_MAX];
		duration_format(*(const ktime_t *)value, buf, sizeof(buf));
		return xstrdup(buf);
	}
	case FIELD_INT_OR_STRING: {
		const struct int_or_string *v = value;
		if (!v->is_set)
			return xstrdup("");
		if (v->is_string)
			return xstrdup(v->str_value ? v->str_value : "");
		return xasprintf("%" PRId32, v->int_value);
	}
	case FIELD_OPT_INT64: {
		const struct opt_int64 *v = value;
		return v->is_set ? xasprintf("%" PRId64, v->value) : xstrdup("");
	}
	default:
		break;
	}
	bug_report(__FILE__, __LINE__, "not a scalar field type");
}
