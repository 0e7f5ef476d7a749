/* fuzz_sched_config.c - a libFuzzer target for KubeSchedulerConfiguration.
 *
 * `make fuzz` builds it with clang (-fsanitize=fuzzer,address,undefined)
 * and runs it from tests/fuzz_seeds/sched_config/ and the shipped
 * scenarios. Every document of an input goes to sched_config_parse, as
 * `kube-scheduler --config` (spec.schedulerConfigFile) or a scenario's
 * KubeSchedulerConfiguration document would: profiles, plugin sets,
 * weights and every plugin's args. A crash, a hang, a leak or undefined
 * behaviour is a finding; so is a rejection without a diagnostic, or a
 * config that lacks its default-scheduler profile lookups.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "sched_config.h"
#include "yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = {0};
	struct yfile *file = yfile_load_string("fuzz-config.yaml", (const char *)data,
					       size, &diags);
	for (size_t i = 0; file && i < file->len; i++) {
		size_t before = diags.len;
		struct sched_config *config =
			sched_config_parse("fuzz-config.yaml", file->docs[i].root, &diags);
		if (!config && diags.len == before) {
			fputs("fuzz_sched_config: rejected without a diagnostic\n", stderr);
			abort();
		}
		if (config) {
			/* Every profile must be found by its own name. */
			for (size_t p = 0; p < config->profiles_len; p++)
				if (sched_config_profile(config, config->names[p]) == NULL) {
					fputs("fuzz_sched_config: a profile is lost\n", stderr);
					abort();
				}
		}
		sched_config_free(config);
	}
	yfile_free(file);
	diag_release(&diags);
	return 0;
}
