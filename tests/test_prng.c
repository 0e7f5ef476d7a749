/* test_prng.c - the seeded PRNG: reference outputs, bounds, streams.
 *
 * The reference values pin the algorithm: if any changes, every recorded
 * scenario trace changes with it, so they must only change on purpose.
 * They were computed with an independent Python transcription of the
 * published algorithms, which reproduces the two externally published
 * vectors checked first below.
 */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prng.h"

Suite *prng_suite(void);	/* registered in check_main.c */

/* splitmix64 from seed 1234567 gives 6457827717110365317,
 * 3203168211198807973, ... (the widely quoted reference sequence, e.g.
 * Rosetta Code "Pseudo-random numbers/Splitmix64"); prng_seed puts its
 * first four outputs in s[0..3]. */
START_TEST(test_seed_fills_state_with_splitmix64_outputs)
{
	struct prng rng;
	prng_seed(&rng, 1234567);
	ck_assert_uint_eq(rng.s[0], 6457827717110365317ULL);
	ck_assert_uint_eq(rng.s[1], 3203168211198807973ULL);
	ck_assert_uint_eq(rng.s[2], 9817491932198370423ULL);
	ck_assert_uint_eq(rng.s[3], 4593380528125082431ULL);
}
END_TEST

/* From state {1, 2, 3, 4}, xoshiro256** yields 11520, 0, 1509978240, ...:
 * the vector other implementations (e.g. Rust's rand_xoshiro) test against
 * the authors' C reference. */
START_TEST(test_next_matches_xoshiro256starstar_reference_vector)
{
	static const uint64_t expected[] = {
		11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
		1216172134540287360ULL, 607988272756665600ULL,
		16172922978634559625ULL, 8476171486693032832ULL,
		10595114339597558777ULL, 2904607092377533576ULL,
	};
	struct prng rng = { .s = { 1, 2, 3, 4 } };
	for (size_t i = 0; i < sizeof(expected) / sizeof(*expected); i++)
		ck_assert_uint_eq(prng_next(&rng), expected[i]);
}
END_TEST

START_TEST(test_seed_zero_gives_pinned_first_outputs)
{
	struct prng rng;
	prng_seed(&rng, 0);
	ck_assert_uint_eq(prng_next(&rng), 0x99ec5f36cb75f2b4ULL);
	ck_assert_uint_eq(prng_next(&rng), 0xbf6e1f784956452aULL);
	ck_assert_uint_eq(prng_next(&rng), 0x1a5f849d4933e6e0ULL);
	ck_assert_uint_eq(prng_next(&rng), 0x6aa594f1262d2d2cULL);
}
END_TEST

START_TEST(test_seed_42_gives_pinned_first_outputs)
{
	struct prng rng;
	prng_seed(&rng, 42);
	ck_assert_uint_eq(prng_next(&rng), 0x15780b2e0c2ec716ULL);
	ck_assert_uint_eq(prng_next(&rng), 0x6104d9866d113a7eULL);
	ck_assert_uint_eq(prng_next(&rng), 0xae17533239e499a1ULL);
	ck_assert_uint_eq(prng_next(&rng), 0xecb8ad4703b360a1ULL);
}
END_TEST

START_TEST(test_different_seeds_give_different_sequences)
{
	struct prng a, b;
	prng_seed(&a, 7);
	prng_seed(&b, 8);
	int equal = 0;
	for (int i = 0; i < 64; i++)
		equal += prng_next(&a) == prng_next(&b);
	ck_assert_int_eq(equal, 0);
}
END_TEST

START_TEST(test_below_stays_within_bound)
{
	static const uint64_t bounds[] = {
		1, 2, 3, 7, 10, 1000, (1ULL << 32) + 1, (1ULL << 63) + 1,
		UINT64_MAX,
	};
	struct prng rng;
	prng_seed(&rng, 99);
	for (size_t b = 0; b < sizeof(bounds) / sizeof(*bounds); b++) {
		for (int i = 0; i < 10000; i++) {
			uint64_t x = prng_below(&rng, bounds[b]);
			ck_assert_uint_lt(x, bounds[b]);
		}
	}
}
END_TEST

START_TEST(test_below_one_is_always_zero)
{
	struct prng rng;
	prng_seed(&rng, 5);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(prng_below(&rng, 1), 0);
}
END_TEST

/* 100,000 draws over 10 buckets; a chi-square statistic above 27.9 (9
 * degrees of freedom) would happen by chance once in a thousand seeds. The
 * seed is fixed, so the test is deterministic. */
START_TEST(test_below_is_roughly_uniform)
{
	enum { BUCKETS = 10, DRAWS = 100000 };
	unsigned counts[BUCKETS] = { 0 };
	struct prng rng;
	prng_seed(&rng, 2024);
	for (int i = 0; i < DRAWS; i++)
		counts[prng_below(&rng, BUCKETS)]++;
	double expected = (double)DRAWS / BUCKETS, chi2 = 0;
	for (int i = 0; i < BUCKETS; i++) {
		double diff = counts[i] - expected;
		chi2 += diff * diff / expected;
	}
	ck_assert_double_lt(chi2, 27.9);
}
END_TEST

/* With bound = 3 * 2^62, `next % bound` would land in [0, 2^62) half the
 * time (that range is hit twice by the 2^64 inputs); unbiased, a third. */
START_TEST(test_below_has_no_modulo_bias_for_large_bounds)
{
	const uint64_t bound = 3ULL << 62;
	struct prng rng;
	prng_seed(&rng, 11);
	int low = 0, draws = 30000;
	for (int i = 0; i < draws; i++)
		low += prng_below(&rng, bound) < (1ULL << 62);
	ck_assert_int_gt(low, draws * 31 / 100);
	ck_assert_int_lt(low, draws * 35 / 100);
}
END_TEST

START_TEST(test_below_zero_is_a_bug)
{
	struct prng rng;
	prng_seed(&rng, 1);
	prng_below(&rng, 0);
}
END_TEST

START_TEST(test_unit_is_in_half_open_interval_with_mean_one_half)
{
	struct prng rng;
	prng_seed(&rng, 3);
	double sum = 0;
	int draws = 100000;
	for (int i = 0; i < draws; i++) {
		double u = prng_unit(&rng);
		ck_assert_double_ge(u, 0.0);
		ck_assert_double_lt(u, 1.0);
		sum += u;
	}
	ck_assert_double_eq_tol(sum / draws, 0.5, 0.005);
}
END_TEST

/* prng_unit is the top 53 bits of the next draw, scaled by 2^-53. */
START_TEST(test_unit_uses_top_53_bits_of_next_draw)
{
	struct prng rng, copy;
	prng_seed(&rng, 8);
	copy = rng;
	for (int i = 0; i < 100; i++) {
		uint64_t bits = prng_next(&copy);
		ck_assert_double_eq(prng_unit(&rng),
				    (double)(bits >> 11) / 9007199254740992.0);
	}
}
END_TEST

START_TEST(test_derive_same_stream_gives_same_sequence)
{
	struct prng parent, a, b;
	prng_seed(&parent, 77);
	prng_derive(&parent, 3, &a);
	prng_derive(&parent, 3, &b);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(prng_next(&a), prng_next(&b));
}
END_TEST

START_TEST(test_derive_different_streams_differ)
{
	struct prng parent, a, b;
	prng_seed(&parent, 77);
	for (uint64_t stream = 0; stream < 50; stream++) {
		prng_derive(&parent, stream, &a);
		prng_derive(&parent, stream + 1, &b);
		int equal = 0;
		for (int i = 0; i < 16; i++)
			equal += prng_next(&a) == prng_next(&b);
		ck_assert_int_eq(equal, 0);
	}
}
END_TEST

/* A child is not a copy of its parent (nor of the root seeded with the
 * same number): otherwise the scheduler's tie-breaks would replay the
 * fault injector's draws. */
START_TEST(test_derived_stream_differs_from_parent)
{
	struct prng parent, child, same_seed;
	prng_seed(&parent, 5);
	prng_seed(&same_seed, 0);
	prng_derive(&parent, 0, &child);
	struct prng parent_copy = parent;
	int equal_parent = 0, equal_seed = 0;
	for (int i = 0; i < 16; i++) {
		uint64_t x = prng_next(&child);
		equal_parent += x == prng_next(&parent_copy);
		equal_seed += x == prng_next(&same_seed);
	}
	ck_assert_int_eq(equal_parent, 0);
	ck_assert_int_eq(equal_seed, 0);
}
END_TEST

START_TEST(test_derive_depends_on_parent_state)
{
	struct prng p1, p2, c1, c2;
	prng_seed(&p1, 1);
	prng_seed(&p2, 2);
	prng_derive(&p1, 4, &c1);
	prng_derive(&p2, 4, &c2);
	ck_assert_uint_ne(prng_next(&c1), prng_next(&c2));
}
END_TEST

/* CK_FORK=no runs tests in-process, where a deliberate abort would take
 * the whole runner down. */
static bool no_fork(void)
{
	const char *fork = getenv("CK_FORK");
	return fork && strcmp(fork, "no") == 0;
}

Suite *prng_suite(void)
{
	Suite *suite = suite_create("prng");
	TCase *reference = tcase_create("reference");
	tcase_add_test(reference,
		       test_seed_fills_state_with_splitmix64_outputs);
	tcase_add_test(reference,
		       test_next_matches_xoshiro256starstar_reference_vector);
	tcase_add_test(reference, test_seed_zero_gives_pinned_first_outputs);
	tcase_add_test(reference, test_seed_42_gives_pinned_first_outputs);
	tcase_add_test(reference,
		       test_different_seeds_give_different_sequences);
	suite_add_tcase(suite, reference);

	TCase *ranges = tcase_create("ranges");
	tcase_add_test(ranges, test_below_stays_within_bound);
	tcase_add_test(ranges, test_below_one_is_always_zero);
	tcase_add_test(ranges, test_below_is_roughly_uniform);
	tcase_add_test(ranges, test_below_has_no_modulo_bias_for_large_bounds);
	if (!no_fork())		/* an abort needs Check's forked child */
		tcase_add_test_raise_signal(ranges, test_below_zero_is_a_bug,
					    SIGABRT);
	tcase_add_test(ranges,
		       test_unit_is_in_half_open_interval_with_mean_one_half);
	tcase_add_test(ranges, test_unit_uses_top_53_bits_of_next_draw);
	suite_add_tcase(suite, ranges);

	TCase *streams = tcase_create("streams");
	tcase_add_test(streams, test_derive_same_stream_gives_same_sequence);
	tcase_add_test(streams, test_derive_different_streams_differ);
	tcase_add_test(streams, test_derived_stream_differs_from_parent);
	tcase_add_test(streams, test_derive_depends_on_parent_state);
	suite_add_tcase(suite, streams);
	return suite;
}
