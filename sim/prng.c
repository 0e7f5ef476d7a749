/* prng.c - xoshiro256** seeded through splitmix64; see prng.h. */
#include "prng.h"
#include "xmalloc.h"

/* The splitmix64 counter increment: 2^64 divided by the golden ratio, an odd
 * number whose bits look random, so successive counter values differ in
 * many bits. */
#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64's finaliser: a bijection on 64-bit words (each xor-shift and
 * each multiplication by an odd constant can be undone) that makes every
 * output bit depend on every input bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One splitmix64 step: advance the counter, return its mixed value. */
static uint64_t splitmix64_next(uint64_t *counter)
{
	*counter += GOLDEN_GAMMA;
	return mix64(*counter);
}

void prng_seed(struct prng *rng, uint64_t seed)
{
	uint64_t counter = seed;
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64_next(&counter);
}

uint64_t prng_next(struct prng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	/* The linear engine: a fixed invertible map on the 256-bit state,
	 * which is why the period is the full 2^256 - 1. */
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS 2019.
 * The 128-bit product x * bound, divided by 2^64, maps [0, 2^64) onto
 * [0, bound) with each result hit floor(2^64/bound) or one more times. The
 * low half of the product tells which draws land in the over-full part:
 * those with low < (2^64 mod bound) are rejected and redrawn. The
 * remainder, a division, is computed only when low < bound, which for small
 * bounds almost never happens. */
uint64_t prng_below(struct prng *rng, uint64_t bound)
{
	BUG_ON(bound == 0);
	unsigned __int128 product = (unsigned __int128)prng_next(rng) * bound;
	uint64_t low = (uint64_t)product;
	if (low < bound) {
		uint64_t threshold = -bound % bound;	/* 2^64 mod bound */
		while (low < threshold) {
			product = (unsigned __int128)prng_next(rng) * bound;
			low = (uint64_t)product;
		}
	}
	return (uint64_t)(product >> 64);
}

double prng_unit(struct prng *rng)
{
	/* A double has a 53-bit significand: the top 53 bits, scaled by
	 * 2^-53, are exactly representable and evenly spaced in [0, 1). The
	 * top bits are used because they are the best-mixed ones. */
	return (double)(prng_next(rng) >> 11) * 0x1.0p-53;
}

/* The child is seeded with a 64-bit digest of (stream, parent state). Each
 * step `digest = mix64(digest ^ word)` is a bijection of digest for a fixed
 * word, so for a fixed parent the digest is a bijection of stream; and
 * prng_seed's first word is a bijection of the seed. Hence distinct streams
 * can never collide, while any change to the parent's state scrambles every
 * child. A jump function (xoshiro's jump(), 2^128 steps ahead) would also
 * give non-overlapping streams, but only numbered 0, 1, 2... in order, and
 * it costs 256 steps per jump; the digest takes any 64-bit label. */
void prng_derive(const struct prng *parent, uint64_t stream,
		 struct prng *child)
{
	BUG_ON(parent == child);
	uint64_t digest = stream;
	for (int i = 0; i < 4; i++)
		digest = mix64(digest ^ parent->s[i]);
	prng_seed(child, digest);
}
