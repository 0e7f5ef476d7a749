/* quantity.c - parsing, canonical printing and arithmetic of quantities.
 *
 * K8S: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go,
 * suffix.go, amount.go, math.go. See quantity.h for the rules and for where
 * kubelab deliberately differs.
 *
 * Parsing lays the digits out by power of ten (as on squared paper), which
 * makes the three hard parts simple: an exponent only moves the digits, a
 * binary suffix is long multiplication by 1024, and rounding up to nano is
 * "is any digit below 10^-9 non-zero?".
 */
#include "quantity.h"
#include "xmalloc.h"

#include <stdio.h>
#include <string.h>

#define NANOS_PER_UNIT	((__int128)1000000000)
#define NANOS_PER_MILLI	((__int128)1000000)

/* Messages for quantity_parse(); static, so callers may keep them. */
#define EXPECTED "expected a number with an optional suffix such as 100m, 1Gi or 1e3"
static const char msg_empty[] = "empty quantity: " EXPECTED;
static const char msg_expected[] = EXPECTED;
static const char msg_spaces[] = "spaces are not allowed in a quantity: " EXPECTED;
static const char msg_malformed[] = "malformed number: " EXPECTED;
static const char msg_suffix[] =
	"unknown suffix: expected n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, "
	"Pi, Ei or an exponent such as e3 (suffixes are case-sensitive)";
static const char msg_exponent[] = "malformed exponent: expected digits after e, as in 1e3";
static const char msg_exponent_range[] = "exponent out of range";
static const char msg_too_large[] =
	"quantity too large: kubelab accepts magnitudes below 10^27";

/* K8S: suffix.go newSuffixer(). Decimal suffixes scale by 10^power, binary
 * ones by 2^power. The empty suffix is decimal: "5" is DecimalSI. */
struct suffix {
	const char *text;
	enum quantity_format format;
	int power;
};

static const struct suffix suffixes[] = {
	{ "",   QUANTITY_DECIMAL_SI, 0 },
	{ "n",  QUANTITY_DECIMAL_SI, -9 },
	{ "u",  QUANTITY_DECIMAL_SI, -6 },
	{ "m",  QUANTITY_DECIMAL_SI, -3 },
	{ "k",  QUANTITY_DECIMAL_SI, 3 },
	{ "M",  QUANTITY_DECIMAL_SI, 6 },
	{ "G",  QUANTITY_DECIMAL_SI, 9 },
	{ "T",  QUANTITY_DECIMAL_SI, 12 },
	{ "P",  QUANTITY_DECIMAL_SI, 15 },
	{ "E",  QUANTITY_DECIMAL_SI, 18 },
	{ "Ki", QUANTITY_BINARY_SI, 10 },
	{ "Mi", QUANTITY_BINARY_SI, 20 },
	{ "Gi", QUANTITY_BINARY_SI, 30 },
	{ "Ti", QUANTITY_BINARY_SI, 40 },
	{ "Pi", QUANTITY_BINARY_SI, 50 },
	{ "Ei", QUANTITY_BINARY_SI, 60 },
};

/* The number being parsed, one digit per power of ten, as on squared paper.
 *
 * Digits below 10^LOWEST_POWER are not kept, only whether one of them was
 * non-zero (sticky). That is enough even for binary suffixes: the kept
 * digits make a multiple of 10^-69, which times 2^e (e <= 60) is a multiple
 * of step = 2^e * 10^-69. One nano-unit, 10^-9, is a whole number of steps
 * (5^60 * 2^(60-e) of them), and the dropped tail times 2^e is worth less
 * than one step, so it can never carry the product past a nano-unit: it
 * only makes the result inexact, which rounding up already accounts for.
 *
 * At the top, decimal numbers must stay below 10^27 (quantity.h); binary
 * ones are capped once they pass 2^63-1, which any digit at 10^19 does, so
 * before the multiplication they are below 10^19 and after it below 10^37.
 */
#define LOWEST_POWER	(-9 - 60)
#define HIGHEST_POWER	37
#define DECIMAL_LIMIT	27	/* first power a decimal quantity may not reach */
#define BINARY_LIMIT	19	/* first power that is surely above 2^63-1 */

struct paper {
	unsigned char digit[HIGHEST_POWER - LOWEST_POWER + 1];
	bool sticky;	/* a non-zero digit below LOWEST_POWER was dropped */
	bool huge;	/* a non-zero digit at or above the limit was seen */
};

static unsigned char *paper_at(struct paper *paper, int power)
{
	BUG_ON(power < LOWEST_POWER || power > HIGHEST_POWER);
	return &paper->digit[power - LOWEST_POWER];
}

static void paper_put(struct paper *paper, int64_t power, char c, int limit)
{
	int value = c - '0';
	if (value == 0)
		return;
	if (power >= limit)
		paper->huge = true;
	else if (power < LOWEST_POWER)
		paper->sticky = true;
	else
		*paper_at(paper, (int)power) = (unsigned char)value;
}

/* Long multiplication by 1024, least significant digit first. */
static void paper_times_1024(struct paper *paper)
{
	unsigned carry = 0;
	for (int power = LOWEST_POWER; power <= HIGHEST_POWER; power++) {
		unsigned char *d = paper_at(paper, power);
		unsigned value = *d * 1024u + carry;
		*d = value % 10;
		carry = value / 10;
	}
	BUG_ON(carry != 0);
}

/* The magnitude in nano-units, rounded up: digits from 10^(limit-1) down to
 * 10^-9, plus one if anything non-zero lies below. */
static unsigned __int128 paper_nanos(struct paper *paper, int limit)
{
	unsigned __int128 nanos = 0;
	bool below = paper->sticky;
	for (int power = limit - 1; power >= -9; power--)
		nanos = nanos * 10 + *paper_at(paper, power);
	for (int power = -10; power >= LOWEST_POWER; power--)
		below |= *paper_at(paper, power) != 0;
	return nanos + below;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the suffix (the rest of the input after the number). Returns its
 * table entry, or for a decimal exponent ("e3", "E-2") a DecimalExponent
 * entry with *exponent set. On error returns NULL with *why set. */
static const struct suffix *suffix_parse(const char *text, int64_t *exponent,
					 const char **why)
{
	static const struct suffix exponent_suffix = {
		"e", QUANTITY_DECIMAL_EXPONENT, 0
	};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (strcmp(text, suffixes[i].text) == 0)
			return &suffixes[i];

	/* K8S: suffixHandler.interpret reads e/E then a signed integer, and
	 * accepts exponents in [-MaxInt32, MaxInt32]. */
	if (text[0] == 'e' || text[0] == 'E') {
		const char *p = text + 1;
		bool negative = *p == '-';
		if (*p == '-' || *p == '+')
			p++;
		if (is_digit(*p)) {
			int64_t value = 0;
			for (; is_digit(*p); p++) {
				value = value * 10 + (*p - '0');
				if (value > INT32_MAX) {
					*why = msg_exponent_range;
					return NULL;
				}
			}
			if (*p == '\0') {
				*exponent = negative ? -value : value;
				return &exponent_suffix;
			}
		}
		/* "1e", "1e+", "1e3x"; but "1Eb" is more likely a bad unit. */
		if (p != text + 1 || *p == '\0' || is_digit(text[1])) {
			*why = msg_exponent;
			return NULL;
		}
	}
	if (text[0] == '.' || text[0] == '+' || text[0] == '-')
		*why = msg_malformed;	/* "1.5.5", "1+1" */
	else
		*why = msg_suffix;	/* "10Mb", "1ki" */
	return NULL;
}

/* K8S: ParseQuantity. */
int quantity_parse(const char *text, struct quantity *out, const char **why)
{
	const char *ignored;
	if (!why)
		why = &ignored;
	BUG_ON(!text || !out);

	if (text[0] == '\0') {
		*why = msg_empty;
		return -1;
	}
	if (strpbrk(text, " \t\n\r\v\f")) {
		*why = msg_spaces;
		return -1;
	}

	/* [+-] digits [. digits] */
	const char *p = text;
	bool negative = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	const char *whole = p;
	while (is_digit(*p))
		p++;
	size_t whole_len = (size_t)(p - whole);
	const char *fraction = p;
	size_t fraction_len = 0;
	if (*p == '.') {
		fraction = ++p;
		while (is_digit(*p))
			p++;
		fraction_len = (size_t)(p - fraction);
	}
	if (whole_len + fraction_len == 0) {
		/* Upstream reads "Mi", "m" or "-" as zero; we refuse. */
		*why = msg_expected;
		return -1;
	}

	int64_t exponent = 0;
	const struct suffix *suffix = suffix_parse(p, &exponent, why);
	if (!suffix)
		return -1;
	bool binary = suffix->format == QUANTITY_BINARY_SI;
	if (suffix->format == QUANTITY_DECIMAL_SI)
		exponent = suffix->power;

	/* Lay the digits out: the last whole digit sits at 10^exponent. */
	struct paper paper;
	memset(&paper, 0, sizeof(paper));
	int limit = binary ? BINARY_LIMIT : DECIMAL_LIMIT;
	for (size_t i = 0; i < whole_len; i++)
		paper_put(&paper, exponent + (int64_t)(whole_len - 1 - i),
			  whole[i], limit);
	/* Once one fraction digit is dropped, so are all after it. */
	for (size_t i = 0; i < fraction_len && !paper.sticky; i++)
		paper_put(&paper, exponent - 1 - (int64_t)i, fraction[i], limit);

	/* K8S: upstream caps BinarySI amounts at 2^63-1 ("9Ei"). */
	const unsigned __int128 binary_cap = (unsigned __int128)INT64_MAX * NANOS_PER_UNIT;
	unsigned __int128 nanos;
	if (binary && !paper.huge) {
		for (int i = 0; i < suffix->power / 10; i++)
			paper_times_1024(&paper);
		for (int power = BINARY_LIMIT; power <= HIGHEST_POWER; power++)
			paper.huge |= *paper_at(&paper, power) != 0;
	}
	if (paper.huge && !binary) {
		*why = msg_too_large;
		return -1;
	}
	nanos = paper.huge ? binary_cap : paper_nanos(&paper, limit);
	if (binary && nanos > binary_cap)
		nanos = binary_cap;
	if (nanos > (unsigned __int128)QUANTITY_MAX_NANOS) {
		*why = msg_too_large;	/* rounding up reached 10^27 */
		return -1;
	}

	out->nanos = negative ? -(__int128)nanos : (__int128)nanos;
	out->format = suffix->format;
	/* K8S: a binary amount strictly between 0 and 1 becomes DecimalSI
	 * (".000000000001Ki" is "2n"), "to avoid rounding and confusion". */
	if (binary && nanos > 0 && nanos < (unsigned __int128)NANOS_PER_UNIT)
		out->format = QUANTITY_DECIMAL_SI;
	return 0;
}

/* Writes value in decimal, ending just before end; returns the first char. */
static char *format_digits(char *end, unsigned __int128 value)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + (int)(value % 10));
		value /= 10;
	} while (value);
	return end;
}

static const char *decimal_suffix(int exponent)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (suffixes[i].format == QUANTITY_DECIMAL_SI &&
		    suffixes[i].power == exponent)
			return suffixes[i].text;
	return NULL;
}

/* K8S: Quantity.String() / CanonicalizeBytes. */
void quantity_format(const struct quantity *q, char *buf, size_t size)
{
	static const char *const binary_suffix[] = {
		"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"
	};
	char digits[48];
	const char *sign = q->nanos < 0 ? "-" : "";
	unsigned __int128 mag = q->nanos < 0 ? -(unsigned __int128)q->nanos
					     : (unsigned __int128)q->nanos;
	enum quantity_format format = q->format;

	if (mag == 0) {
		snprintf(buf, size, "0");
		return;
	}

	/* BinarySI prints whole numbers of at least 1Ki with the largest
	 * power of 1024 that divides them; anything else (a fraction, a
	 * small number, a power past Ei) would lose or hide something, so it
	 * prints as DecimalSI instead. */
	if (format == QUANTITY_BINARY_SI) {
		format = QUANTITY_DECIMAL_SI;
		if (mag >= 1024 * NANOS_PER_UNIT && mag % NANOS_PER_UNIT == 0) {
			unsigned __int128 units = mag / NANOS_PER_UNIT;
			size_t power = 0;
			while (units % 1024 == 0 && power < 7) {
				units /= 1024;
				power++;
			}
			if (power < sizeof(binary_suffix) / sizeof(binary_suffix[0])) {
				snprintf(buf, size, "%s%s%s", sign,
					 format_digits(digits + sizeof(digits), units),
					 binary_suffix[power]);
				return;
			}
		}
	}

	/* Decimal: move factors of ten into the exponent, then bring the
	 * exponent down to a multiple of three ("1.5" = 15e-1 = 1500m). */
	int exponent = -9;
	while (mag % 10 == 0) {
		mag /= 10;
		exponent++;
	}
	while (exponent % 3 != 0) {
		mag *= 10;
		exponent--;
	}
	const char *number = format_digits(digits + sizeof(digits), mag);
	const char *suffix = format == QUANTITY_DECIMAL_SI ? decimal_suffix(exponent) : NULL;
	if (suffix)
		snprintf(buf, size, "%s%s%s", sign, number, suffix);
	else if (exponent == 0)
		snprintf(buf, size, "%s%s", sign, number);
	else	/* DecimalExponent, or DecimalSI beyond "E" */
		snprintf(buf, size, "%s%se%d", sign, number, exponent);
}

/* nanos / per rounded away from zero, saturated to int64. */
static int64_t ceil_div_saturated(__int128 nanos, __int128 per)
{
	__int128 quotient = nanos / per, remainder = nanos % per;
	if (remainder > 0)
		quotient++;
	else if (remainder < 0)
		quotient--;
	if (quotient > INT64_MAX)
		return INT64_MAX;
	if (quotient < INT64_MIN)
		return INT64_MIN;
	return (int64_t)quotient;
}

int64_t quantity_value(const struct quantity *q)
{
	return ceil_div_saturated(q->nanos, NANOS_PER_UNIT);
}

int64_t quantity_milli_value(const struct quantity *q)
{
	return ceil_div_saturated(q->nanos, NANOS_PER_MILLI);
}

struct quantity quantity_from_int(int64_t value, enum quantity_format format)
{
	return (struct quantity){ .nanos = value * NANOS_PER_UNIT, .format = format };
}

struct quantity quantity_from_milli(int64_t milli, enum quantity_format format)
{
	return (struct quantity){ .nanos = milli * NANOS_PER_MILLI, .format = format };
}

int quantity_cmp(const struct quantity *a, const struct quantity *b)
{
	return (a->nanos > b->nanos) - (a->nanos < b->nanos);
}

bool quantity_is_zero(const struct quantity *q)
{
	return q->nanos == 0;
}

/* Both operands are within +-10^36, so the sum cannot overflow 128 bits. */
static __int128 clamp(__int128 nanos)
{
	if (nanos > QUANTITY_MAX_NANOS)
		return QUANTITY_MAX_NANOS;
	if (nanos < -QUANTITY_MAX_NANOS)
		return -QUANTITY_MAX_NANOS;
	return nanos;
}

void quantity_add(struct quantity *sum, const struct quantity *q)
{
	if (sum->nanos == 0)
		sum->format = q->format;
	sum->nanos = clamp(sum->nanos + q->nanos);
}

void quantity_sub(struct quantity *diff, const struct quantity *q)
{
	if (diff->nanos == 0)
		diff->format = q->format;
	diff->nanos = clamp(diff->nanos - q->nanos);
}

bool quantity_check(const struct quantity *q)
{
	return q->nanos <= QUANTITY_MAX_NANOS && q->nanos >= -QUANTITY_MAX_NANOS &&
	       (q->format == QUANTITY_DECIMAL_SI || q->format == QUANTITY_BINARY_SI ||
		q->format == QUANTITY_DECIMAL_EXPONENT);
}
