# kubelab - one Makefile. The object lists are grouped by layer so this file
# reads as the architecture (see docs/architecture.md):
#
#   base     errors, allocation, diagnostics, the PRNG
#   engine   the discrete-event loop and the clock/timer seam
#   api      quantities, durations, the object model and its schema, selectors
#   store    the API object store and its watches, the client seam
#   load     YAML documents, manifest decoding, the Scenario kind
#   cluster  scheduler, controllers, the sim node agent, the run
#   output   trace (JSON Lines), tables, describe
#
# Targets: all demo test bench fuzz golden install deps format clean
# Variables: SAN=1 (AddressSanitizer + UBSan), PREFIX, DESTDIR, O (build dir)

PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
O       ?= build$(if $(SAN),-san)

CC      ?= cc
PKGS     = yaml-0.1 libcjson
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CPPFLAGS += -Isim -D_GNU_SOURCE -MMD -MP
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

# Layers of libkubelab (sim/). Each prefix family is one layer; a file in
# sim/ that no layer lists is an error, so this list stays the map.
BASE_SRC    = sim/xmalloc.c sim/err.c sim/diag.c sim/prng.c sim/strmap.c sim/hashmap.c
ENGINE_SRC  = sim/engine.c
API_SRC     = sim/quantity.c sim/duration.c $(wildcard sim/schema*.c) sim/object.c \
              $(wildcard sim/api_*.c) sim/selector.c sim/selector_label.c \
              sim/selector_parse.c
STORE_SRC   = $(wildcard sim/store*.c) sim/admission.c sim/client.c sim/workqueue.c
LOAD_SRC    = sim/yamldoc.c sim/yamldoc_scalar.c sim/decode.c sim/decode_message.c \
              sim/decode_scalar.c sim/decode_object.c sim/image.c $(wildcard sim/scenario*.c) sim/expect.c
CLUSTER_SRC = $(wildcard sim/sched*.c) sim/controller.c $(wildcard sim/ctrl_*.c) \
              $(wildcard sim/kubelet*.c) sim/metrics_sim.c $(wildcard sim/rollout*.c) sim/node_admin.c \
              $(wildcard sim/cluster*.c)
OUTPUT_SRC  = sim/json.c sim/trace.c $(wildcard sim/print*.c)
LIB_SRC := $(sort $(foreach f,$(BASE_SRC) $(ENGINE_SRC) $(API_SRC) $(STORE_SRC) $(LOAD_SRC) $(CLUSTER_SRC) $(OUTPUT_SRC),$(wildcard $(f))))
UNLISTED := $(filter-out $(LIB_SRC),$(wildcard sim/*.c))
ifneq ($(UNLISTED),)
$(error sim/ files in no layer of the Makefile: $(UNLISTED))
endif

CLI_SRC  := $(wildcard tools/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
# Test-only code the suites share (not suites themselves): the reference
# scheduler the scheduler's decisions are compared against.
TEST_LIB_SRC := $(wildcard tests/sched_reference*.c)
BENCH_SRC := $(wildcard tests/bench_*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(O)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(O)/%.o) $(TEST_LIB_SRC:%.c=$(O)/%.o) $(O)/tests/check_main.o

LIB   = $(O)/libkubelab.a
BIN   = $(O)/kubelab
TESTS = $(O)/check_kubelab
BENCH = $(O)/bench_kubelab

.PHONY: all demo test bench fuzz install deps format clean golden
all: $(BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Student scheduler plugins (sched_plugin_load.c) are compiled against the
# headers and call back into the binary: it exports its symbols.
# The scheduler's thread pool includes <pthread.h>, which includes the
# system's <sched.h>: -Isim would find sim/sched.h instead, so this file
# finds kubelab's headers by -iquote only.
$(O)/sim/sched_parallel.o: CPPFLAGS := $(filter-out -Isim,$(CPPFLAGS)) -iquote sim
$(O)/sim/sched_plugin_load.o: CPPFLAGS += -DKUBELAB_SRC_INCLUDEDIR='"$(CURDIR)/sim"' \
	-DKUBELAB_INCLUDEDIR='"$(PREFIX)/include/kubelab"'
PLUGIN_LDFLAGS = -rdynamic -ldl

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS) -lm $(PLUGIN_LDFLAGS)

# The test runner's suite table is generated from the test files, so adding
# tests/test_foo.c (which defines `Suite *foo_suite(void)`) needs no edit here.
$(O)/tests/suites.inc: $(TEST_SRC)
	@mkdir -p $(dir $@)
	@for f in $(TEST_SRC); do n=$${f#tests/test_}; echo "SUITE($${n%.c})"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(O)/tests/check_main.o: tests/check_main.c $(O)/tests/suites.inc
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(O)/tests $(CFLAGS) $(WARN) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(TESTS): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(PKG_LIBS) $(CHECK_LIBS) -lm $(PLUGIN_LDFLAGS)

$(BENCH): $(BENCH_SRC:%.c=$(O)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_SRC:%.c=$(O)/%.o) $(LIB) $(PKG_LIBS) -lm $(PLUGIN_LDFLAGS)

# deps: install what is missing (Debian 12, as root). Quiet when all is there.
DEB_PKGS = build-essential pkg-config libyaml-dev libcjson-dev check gnuplot-nox graphviz
deps:
	@sh tools/install-deps.sh $(DEB_PKGS)

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) run scenarios/ch05-node-failure.yaml --trace $(O)/demo-trace.jsonl
	@echo "trace written to $(O)/demo-trace.jsonl"

test: deps
	@$(MAKE) --no-print-directory $(TESTS) $(BIN)
	KUBELAB=$(BIN) CK_DEFAULT_TIMEOUT=300 $(TESTS)
	@sh tests/scenarios.sh $(BIN)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH) $(BIN) CFLAGS="-O2 -g"
	$(BENCH)

# fuzz: libFuzzer over every parser of user input (needs clang). Three
# targets, FUZZ_SECONDS each: fuzz_parsers (YAML, the manifest decoder,
# expectations, selectors, quantities, durations), fuzz_scenario (whole
# scenario files, loaded from memory) and fuzz_sched_config
# (KubeSchedulerConfiguration documents). Each keeps its own corpus in
# build-fuzz/, seeded from scenarios/, tests/data/ and tests/fuzz_seeds/
# (with the dictionary tests/fuzz_seeds/kubelab.dict);
# FUZZ_TARGETS=fuzz_scenario runs one.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz_parsers fuzz_scenario fuzz_sched_config
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 -Isim -D_GNU_SOURCE
FUZZ_RUN   = -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -jobs=1 -workers=1 \
	     -dict=tests/fuzz_seeds/kubelab.dict
build-fuzz/%: tests/%.c $(LIB_SRC)
	@command -v clang >/dev/null || sh tools/install-deps.sh clang
	@mkdir -p build-fuzz
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS) -lm $(PLUGIN_LDFLAGS)
fuzz: deps $(addprefix build-fuzz/,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus-$$t; \
		cp scenarios/*.yaml tests/data/*.yaml build-fuzz/corpus-$$t/; \
		if [ $$t = fuzz_scenario ]; then \
			cp tests/fuzz_seeds/scenario/*.yaml build-fuzz/corpus-$$t/; fi; \
		if [ $$t = fuzz_sched_config ]; then \
			cp tests/fuzz_seeds/sched_config/*.yaml build-fuzz/corpus-$$t/; fi; \
		echo "== $$t ($(FUZZ_SECONDS)s)"; \
		build-fuzz/$$t $(FUZZ_RUN) build-fuzz/corpus-$$t || exit 1; \
	done

# golden: regenerate the golden traces after an intended change of
# behaviour; review `git diff tests/golden` before committing.
golden: $(BIN)
	$(BIN) run -q scenarios/ch05-node-failure.yaml --trace-level brief \
		--trace tests/golden/ch05-node-failure.brief.jsonl >/dev/null

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kubelab/scenarios
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kubelab
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/kubelab/scenarios/
	install -d $(DESTDIR)$(PREFIX)/include/kubelab $(DESTDIR)$(PREFIX)/share/kubelab/examples/plugins
	install -m 644 sim/*.h $(DESTDIR)$(PREFIX)/include/kubelab/
	install -m 644 examples/plugins/*.c $(DESTDIR)$(PREFIX)/share/kubelab/examples/plugins/

format:
	clang-format -i sim/*.c sim/*.h tools/*.c tests/*.c

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_SRC:%.c=$(O)/%.d)
