/* fuzz_parsers.c - a libFuzzer target for every parser of user input.
 *
 * `make fuzz` builds it with clang (-fsanitize=fuzzer,address,undefined)
 * and runs it for FUZZ_SECONDS (default 60) from the corpus of shipped
 * scenarios and test fixtures. One input feeds, in turn: the YAML reader
 * and the strict manifest decoder (every document), the expectation
 * parser, the label-selector parser, and the quantity and duration
 * parsers. A crash, a leak or undefined behaviour is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "diag.h"
#include "duration.h"
#include "expect.h"
#include "quantity.h"
#include "selector.h"
#include "yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_yaml(const char *text, size_t len)
{
	struct diag_list diags = {0};
	struct yfile *file = yfile_load_string("fuzz.yaml", text, len, &diags);
	for (size_t i = 0; file && i < file->len; i++) {
		struct object *obj = decode_object("fuzz.yaml", file->docs[i].root, &diags);
		if (obj)
			object_unref(obj);
	}
	yfile_free(file);
	diag_release(&diags);
}

static void fuzz_line(const char *text)
{
	struct expectation e = {0};
	struct err *err = NULL;
	if (expect_parse(&e, text, &err) == 0)
		expectation_release(&e);
	err_free(err);
	err = NULL;
	struct selector sel = {0};
	if (selector_parse(text, &sel, &err) == 0) {
		char *back = selector_to_string(&sel);
		free(back);
		selector_release(&sel);
	}
	err_free(err);
	struct quantity q;
	const char *why;
	if (quantity_parse(text, &q, &why) == 0) {
		char buf[QUANTITY_STR_MAX];
		quantity_format(&q, buf, sizeof(buf));
	}
	ktime_t d;
	if (duration_parse(text, &d, &why) == 0) {
		char buf[DURATION_STR_MAX];
		duration_format(d, buf, sizeof(buf));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_yaml(text, size);
	if (!memchr(data, '\0', size))
		fuzz_line(text);
	free(text);
	return 0;
}
