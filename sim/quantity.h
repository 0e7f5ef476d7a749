/* quantity.h - Kubernetes resource quantities: "100m", "1.5Gi", "1e3".
 *
 * Every resource amount in Kubernetes (a container's cpu request, a node's
 * allocatable memory, an ephemeral-storage limit) is a Quantity: an exact
 * decimal number written with an optional suffix. The grammar is
 *
 *	quantity  ::= [+-] number suffix
 *	number    ::= digits | digits "." digits | digits "." | "." digits
 *	suffix    ::= "" | n | u | m | k | M | G | T | P | E	(decimal SI, 10^3k)
 *	            | Ki | Mi | Gi | Ti | Pi | Ei			(binary SI, 2^10k)
 *	            | (e | E) [+-] digits			(decimal exponent)
 *
 * Suffixes are case-sensitive: "1E" is one exa (10^18), "1e3" is a thousand
 * and "1ki" is an error. A quantity remembers which of the three suffix
 * families it was written with (its format) and prints itself in the
 * canonical form of that family: no fraction, the largest suffix that loses
 * nothing ("1000m" -> "1", "1.5Gi" -> "1536Mi", "0.5" -> "500m"). Quantities
 * are never floating point: parsing rounds up to a whole number of nano-units
 * ("0.1n" -> "1n"), on the theory that who asks for some resource should get
 * some.
 *
 * K8S: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
 *      (ParseQuantity, CanonicalizeBytes, Value, MilliValue, Add, Sub, Cmp),
 *      suffix.go (the suffix tables), amount.go and math.go (int64Amount).
 *
 * Representation. Upstream keeps an int64 mantissa with a base-10 scale and
 * falls back to arbitrary precision (inf.Dec) when that overflows. Since every
 * parsed quantity is a whole number of nano-units, kubelab stores just that
 * count, in 128 bits: exact for any magnitude below 10^27 units, so no
 * fallback is needed. struct quantity is a plain value: copy it with `=`, no
 * heap, nothing to free.
 *
 * Where kubelab differs from upstream, on purpose:
 *  - Magnitudes of 10^27 units or more are rejected ("quantity too large");
 *    upstream accepts any size. Binary-suffixed amounts above 2^63-1 are
 *    capped to 2^63-1 first, exactly as upstream does ("9Ei").
 *  - Text with no digits at all ("Mi", "m", ".", "-") is rejected; upstream's
 *    scanner reads it as zero (kubernetes/apimachinery#165).
 *  - quantity_add()/quantity_sub() saturate at +-(10^27 - 1n) instead of
 *    growing without bound. No real cluster comes near.
 *  - Printing is always canonical. Upstream caches the input text when it
 *    believes it canonical, and that check lets a few odd spellings through
 *    verbatim ("+1Ki", "0100m", "1.500k"); kubelab prints "1Ki", "100m",
 *    "1500".
 *  - A canonical DecimalSI value with no suffix for its exponent (beyond E)
 *    prints in exponent notation ("1000E" -> "1e21"), and a BinarySI value
 *    beyond Ei prints as DecimalSI, as in current upstream (older releases
 *    dropped the suffix there).
 *
 * Invariant: |nanos| <= QUANTITY_MAX_NANOS (checked by quantity_check()).
 */
#ifndef KUBELAB_QUANTITY_H
#define KUBELAB_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* K8S: resource.Format. Which suffix family the quantity prints with. */
enum quantity_format {
	QUANTITY_DECIMAL_SI,		/* 12M  = 12 * 10^6 (also plain "12") */
	QUANTITY_BINARY_SI,		/* 12Mi = 12 * 2^20 */
	QUANTITY_DECIMAL_EXPONENT,	/* 12e6 */
};

struct quantity {
	__int128 nanos;			/* the amount, in units of 10^-9 */
	enum quantity_format format;	/* how quantity_format() prints it */
};

/* Largest magnitude, in nano-units: 10^27 units less one nano-unit. */
#define QUANTITY_MAX_NANOS \
	((__int128)1000000000000000000LL * 1000000000000000000LL - 1)

/* Room for any canonical form, sign and NUL included. */
#define QUANTITY_STR_MAX 64

/* Parses text (the whole string, no surrounding spaces) into *out. Returns 0
 * on success; on failure returns -1, leaves *out untouched and, when why is
 * not NULL, sets *why to a static English sentence fragment such as
 * "unknown suffix (suffixes are case-sensitive: Ki, Mi, Gi; k, M, G)". */
int quantity_parse(const char *text, struct quantity *out, const char **why);

/* Writes the canonical form of q, as upstream's Quantity.String(), into buf
 * (always NUL-terminated; truncated if size < QUANTITY_STR_MAX). */
void quantity_format(const struct quantity *q, char *buf, size_t size);

/* K8S: Quantity.Value(). q rounded up (away from zero) to an integer;
 * saturates at INT64_MAX / INT64_MIN. "1500m" -> 2, "-1500m" -> -2. */
int64_t quantity_value(const struct quantity *q);

/* K8S: Quantity.MilliValue(). ceil(q * 1000), away from zero; saturates.
 * "0.1m" parses as 100u, whose MilliValue is 1. */
int64_t quantity_milli_value(const struct quantity *q);

/* K8S: NewQuantity(value, format) and NewMilliQuantity(milli, format). */
struct quantity quantity_from_int(int64_t value, enum quantity_format format);
struct quantity quantity_from_milli(int64_t milli, enum quantity_format format);

/* K8S: Quantity.Cmp. -1, 0 or 1 as a < b, a == b, a > b; by value only, so
 * "1000m" equals "1" and "1Gi" (2^30) is more than "1G" (10^9). */
int quantity_cmp(const struct quantity *a, const struct quantity *b);
bool quantity_is_zero(const struct quantity *q);

/* K8S: Quantity.Add / Quantity.Sub, in place. When *sum (*diff) is zero it
 * takes q's format first, so 0 + 1Gi prints "1Gi". Exact; saturates at
 * +-QUANTITY_MAX_NANOS (see above). */
void quantity_add(struct quantity *sum, const struct quantity *q);
void quantity_sub(struct quantity *diff, const struct quantity *q);

/* True when q satisfies the invariant; for use inside BUG_ON(!...). */
bool quantity_check(const struct quantity *q);

#endif
