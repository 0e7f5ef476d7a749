/* duration.c - Go duration syntax and kubectl's AGE column; see duration.h.
 *
 * K8S: go/src/time/format.go ParseDuration, go/src/time/time.go
 * Duration.String (which metav1.Duration uses), and
 * staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go
 * HumanDuration.
 */
#include "duration.h"
#include "xmalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Messages for duration_parse(); static, so callers may keep them. */
#define EXPECTED "expected a duration such as 30s, 5m or 1h30m"
static const char msg_empty[] = "empty duration: " EXPECTED;
static const char msg_expected[] = EXPECTED;
static const char msg_spaces[] = "spaces are not allowed in a duration: " EXPECTED;
static const char msg_missing_unit[] = "missing unit: " EXPECTED;
static const char msg_unknown_unit[] =
	"unknown unit: expected ns, us, ms, s, m or h "
	"(Go durations have no d unit: write 24h for a day)";
static const char msg_range[] =
	"duration out of range: at most 2562047h47m16.854775807s (about 292 years)";

/* 2^63: the magnitude of the most negative duration, as in Go. */
#define MAGNITUDE_LIMIT ((uint64_t)1 << 63)

struct unit {
	const char *name;
	uint64_t nanos;
};

/* K8S: Go's unitMap. Both micro signs are accepted: U+00B5 MICRO SIGN
 * (what Go prints) and U+03BC GREEK SMALL LETTER MU. */
static const struct unit units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 },
	{ "\xce\xbcs", 1000 },
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", 60ull * 1000000000 },
	{ "h", 3600ull * 1000000000 },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint64_t unit_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && memcmp(units[i].name, name, len) == 0)
			return units[i].nanos;
	return 0;
}

static int fail(const char **why, const char *message)
{
	if (why)
		*why = message;
	return -1;
}

/* K8S: time.ParseDuration. [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ */
int duration_parse(const char *text, ktime_t *out, const char **why)
{
	BUG_ON(!text || !out);
	const char *s = text;
	uint64_t total = 0;	/* magnitude so far, at most 2^63 */
	bool negative = false;

	if (*s == '\0')
		return fail(why, msg_empty);
	if (strpbrk(s, " \t\n\r\v\f"))
		return fail(why, msg_spaces);
	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	/* The one number allowed without a unit. */
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*s == '\0')
		return fail(why, msg_expected);

	while (*s != '\0') {
		if (!is_digit(*s) && *s != '.')
			return fail(why, msg_expected);

		/* The whole part; above 2^63 it cannot fit whatever the unit. */
		const char *start = s;
		uint64_t whole = 0;
		for (; is_digit(*s); s++) {
			if (whole > MAGNITUDE_LIMIT / 10)
				return fail(why, msg_range);
			whole = whole * 10 + (uint64_t)(*s - '0');
			if (whole > MAGNITUDE_LIMIT)
				return fail(why, msg_range);
		}
		bool has_whole = s != start;

		/* The fraction: digits past what 63 bits hold are ignored, as
		 * Go does, since they are far below a nanosecond anyway. */
		uint64_t fraction = 0;
		double scale = 1;
		bool has_fraction = false;
		if (*s == '.') {
			bool full = false;
			for (start = ++s; is_digit(*s); s++) {
				uint64_t next = fraction * 10 + (uint64_t)(*s - '0');
				if (full || fraction > (MAGNITUDE_LIMIT - 1) / 10 ||
				    next > MAGNITUDE_LIMIT) {
					full = true;
					continue;
				}
				fraction = next;
				scale *= 10;
			}
			has_fraction = s != start;
		}
		if (!has_whole && !has_fraction)
			return fail(why, msg_expected);	/* ".s", "-.5.s" */

		/* The unit runs to the next number. */
		for (start = s; *s != '\0' && *s != '.' && !is_digit(*s); s++)
			;
		if (s == start)
			return fail(why, msg_missing_unit);	/* "10", "1h30" */
		uint64_t unit = unit_lookup(start, (size_t)(s - start));
		if (unit == 0)
			return fail(why, msg_unknown_unit);	/* "1d", "5min" */

		if (whole > MAGNITUDE_LIMIT / unit)
			return fail(why, msg_range);
		whole *= unit;
		if (fraction > 0) {
			/* Go computes this in float64 and truncates (the
			 * exact product could overflow); doing the same makes
			 * long fractions such as "0.830103483285477580700h"
			 * read exactly as the API server reads them. */
			whole += (uint64_t)((double)fraction * ((double)unit / scale));
			if (whole > MAGNITUDE_LIMIT)
				return fail(why, msg_range);
		}
		if (whole > MAGNITUDE_LIMIT - total)
			return fail(why, msg_range);
		total += whole;
	}

	if (negative) {
		*out = total == MAGNITUDE_LIMIT ? INT64_MIN : -(ktime_t)total;
		return 0;
	}
	if (total > (uint64_t)INT64_MAX)
		return fail(why, msg_range);
	*out = (ktime_t)total;
	return 0;
}

/* Writes the last `digits` decimal digits of *value as a fraction (".25"),
 * without trailing zeros and without the point when they are all zero, in
 * front of w; divides *value by 10^digits. Returns the new start. */
static char *put_fraction(char *w, uint64_t *value, int digits)
{
	bool printing = false;
	for (int i = 0; i < digits; i++) {
		unsigned digit = (unsigned)(*value % 10);
		printing = printing || digit != 0;
		if (printing)
			*--w = (char)('0' + digit);
		*value /= 10;
	}
	if (printing)
		*--w = '.';
	return w;
}

static char *put_integer(char *w, uint64_t value)
{
	do {
		*--w = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	return w;
}

/* K8S: time.Duration.String. Built right to left, as Go does. */
void duration_format(ktime_t d, char *buf, size_t size)
{
	char text[DURATION_STR_MAX];
	char *w = text + sizeof(text);
	uint64_t u = d < 0 ? -(uint64_t)d : (uint64_t)d;

	*--w = '\0';
	*--w = 's';
	if (u == 0) {
		*--w = '0';
	} else if (u < (uint64_t)KTIME_SECOND) {
		/* Below a second, pick the unit that makes the leading digit
		 * non-zero: "1.2ms", "800µs", "5ns". */
		int digits;
		if (u < (uint64_t)KTIME_US) {
			digits = 0;
			*--w = 'n';
		} else if (u < (uint64_t)KTIME_MS) {
			digits = 3;
			*--w = '\xb5';	/* U+00B5 MICRO SIGN in UTF-8 */
			*--w = '\xc2';
		} else {
			digits = 6;
			*--w = 'm';
		}
		w = put_fraction(w, &u, digits);
		w = put_integer(w, u);
	} else {
		/* Hours, minutes, seconds; Go stops at hours because days
		 * are not always 24 hours long. */
		w = put_fraction(w, &u, 9);
		w = put_integer(w, u % 60);
		u /= 60;
		if (u > 0) {
			*--w = 'm';
			w = put_integer(w, u % 60);
			u /= 60;
			if (u > 0) {
				*--w = 'h';
				w = put_integer(w, u);
			}
		}
	}
	if (d < 0)
		*--w = '-';
	snprintf(buf, size, "%s", w);
}

/* K8S: util/duration.HumanDuration. Each range shows at most two units,
 * and the second one only while it is still significant. */
void duration_human(ktime_t d, char *buf, size_t size)
{
	long long seconds = d / KTIME_SECOND;	/* truncates, as Go's int() */
	long long minutes = d / KTIME_MINUTE;
	long long hours = d / KTIME_HOUR;
	long long days = hours / 24;

	/* Up to 2s in the future counts as now: clocks drift. */
	if (seconds < -1)
		snprintf(buf, size, "<invalid>");
	else if (seconds < 0)
		snprintf(buf, size, "0s");
	else if (seconds < 2 * 60)
		snprintf(buf, size, "%llds", seconds);
	else if (minutes < 10 && seconds % 60 != 0)
		snprintf(buf, size, "%lldm%llds", minutes, seconds % 60);
	else if (minutes < 3 * 60)
		snprintf(buf, size, "%lldm", minutes);
	else if (hours < 8 && minutes % 60 != 0)
		snprintf(buf, size, "%lldh%lldm", hours, minutes % 60);
	else if (hours < 48)
		snprintf(buf, size, "%lldh", hours);
	else if (hours < 24 * 8 && hours % 24 != 0)
		snprintf(buf, size, "%lldd%lldh", days, hours % 24);
	else if (hours < 24 * 365 * 2)
		snprintf(buf, size, "%lldd", days);
	else if (hours < 24 * 365 * 8 && days % 365 != 0)
		snprintf(buf, size, "%lldy%lldd", days / 365, days % 365);
	else
		snprintf(buf, size, "%lldy", days / 365);
}
