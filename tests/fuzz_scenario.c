/* fuzz_scenario.c - a libFuzzer target for whole scenario files.
 *
 * `make fuzz` builds it with clang (-fsanitize=fuzzer,address,undefined)
 * and runs it from the corpus of shipped scenarios and test fixtures.
 * Each input is one scenario file, loaded from memory by
 * scenario_load_string exactly as `kubelab run` loads a file: the
 * Scenario document (metadata, settings, node pools, images, traffic,
 * every timeline action, expectations), the manifests beside it, and a
 * KubeSchedulerConfiguration document. The file is named
 * tests/data/fuzz.yaml, so that apply: entries of the fixtures find their
 * files (run from the repository's root). A crash, a hang, a leak or
 * undefined behaviour is a finding; so is a load that fails without
 * saying why (no diagnostic).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = {0};
	struct scenario *sc = scenario_load_string("tests/data/fuzz.yaml",
						   (const char *)data, size, &diags);
	if (!sc && !diags.len) {
		fputs("fuzz_scenario: a load failed without a diagnostic\n", stderr);
		abort();
	}
	for (size_t i = 0; i < diags.len; i++)
		if (!diags.items[i].msg || !*diags.items[i].msg) {
			fputs("fuzz_scenario: an empty diagnostic\n", stderr);
			abort();
		}
	scenario_free(sc);
	diag_release(&diags);
	return 0;
}
