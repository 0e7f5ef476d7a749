/* prng.h - the simulator's seeded pseudo-random number generator.
 *
 * A Kubernetes cluster is full of chance: which of two equally good nodes
 * the scheduler picks (K8S: pkg/scheduler/schedule_one.go selectHost picks
 * among the top-scoring nodes by reservoir sampling), when a node fails,
 * how long an image pull takes, the jitter added to backoffs (K8S:
 * apimachinery/pkg/util/wait Jitter). In kubelab all of that chance comes
 * from this generator, seeded from the scenario, so the same scenario and
 * seed give the same trace byte for byte.
 * Nothing in sim/ may call rand(), random() or read /dev/urandom.
 *
 * The algorithm is xoshiro256** ("xoshiro" = xor, shift, rotate; "**" names
 * its output scrambler), by David Blackman and Sebastiano Vigna:
 *   D. Blackman, S. Vigna, "Scrambled Linear Pseudorandom Number Generators",
 *   ACM Transactions on Mathematical Software 47(4), 2021;
 *   https://prng.di.unimi.it/
 * The state is four 64-bit words and must never be all zero. Each step:
 *   result = rotl(s1 * 5, 7) * 9            (the ** scrambler)
 *   t = s1 << 17
 *   s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;  s3 = rotl(s3, 45)
 * Its period is 2^256 - 1, it passes the usual statistical batteries (BigCrush,
 * PractRand) and one step is a handful of instructions. It is not a
 * cryptographic generator, which a simulator does not need.
 *
 * Seeding. A 64-bit seed is spread over the 256-bit state with splitmix64
 * (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators",
 * OOPSLA 2014), as the xoshiro authors recommend: a counter advanced by the
 * golden-ratio constant 0x9e3779b97f4a7c15, each value passed through a
 * bijective mixing function. The four mixed values fill s0..s3. Because the
 * mixer is a bijection and the four counter values differ, at most one word
 * can be zero, so the forbidden all-zero state cannot arise.
 *
 * Streams. Components draw from their own child streams (prng_derive), so
 * adding a draw in, say, image-pull jitter does not shift which node the
 * scheduler picks: each component's sequence depends only on the root seed
 * and its stream number, not on how often others have drawn.
 *
 * Interface: struct prng is a plain value embedded by its owner (no _new or
 * _free); copying it forks an identical sequence.
 * Invariant: s[] is never all zero.
 * See also: engine.h (the other half of determinism: ordered virtual time).
 */
#ifndef KUBELAB_PRNG_H
#define KUBELAB_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t s[4];	/* xoshiro256** state; never all zero */
};

/* Initialises rng from a 64-bit seed through splitmix64. Every seed,
 * including 0, is valid; equal seeds give equal sequences. */
void prng_seed(struct prng *rng, uint64_t seed);

/* Returns the next 64 uniformly distributed bits and advances the state. */
uint64_t prng_next(struct prng *rng);

/* Returns an integer uniform in [0, bound), without the modulo bias of
 * `prng_next() % bound` (Lemire's multiply-and-reject method). bound must be
 * > 0; 0 is a bug. Usually consumes one draw, occasionally more. */
uint64_t prng_below(struct prng *rng, uint64_t bound);

/* Returns a double uniform in [0, 1) built from the top 53 bits of one draw,
 * so every value is a multiple of 2^-53 and 1.0 is never returned. */
double prng_unit(struct prng *rng);

/* Initialises child as an independent stream determined only by parent's
 * current state and the stream number. parent is not advanced, so deriving
 * the same stream again gives the same child. Under one parent, different
 * stream numbers always give different child states. child may not alias
 * parent. */
void prng_derive(const struct prng *parent, uint64_t stream,
		 struct prng *child);

#endif
