# yilian - one plain Makefile.
#
#   make            release build: build/release/yilian
#   make demo       install missing packages, build, initialise a demo database, serve it
#   make test       install missing packages, build with ASan + UBSan, run every test
#   make check      tests plus the banned-function scan
#   make fuzz       libFuzzer targets (clang), each run for FUZZ_SECONDS
#   make bench      benchmarks (figures, not tests); make bench-NAME runs one of them
#                   (http indicators imports services-import surveil access)
#   make install    PREFIX=/usr/local: binary, man page, example config, web files
#   make fmt        clang-format over the sources

PREFIX     ?= /usr/local
CC         ?= cc
PKGS       := libmicrohttpd jansson sqlite3 libsodium readosm expat libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Werror
CPPFLAGS := -D_GNU_SOURCE -Isrc $(PKG_CFLAGS) -DYILIAN_DATADIR='"$(PREFIX)/share/yilian/data"'
LIBS     := $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(wildcard src/*/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

# Two build flavours share the rule set: release (optimised) and check (sanitizers).
REL      := build/release
CHK      := build/check
REL_CFLAGS := $(WARN) -O2 -g
CHK_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
CHK_LDFLAGS := -fsanitize=address,undefined

.PHONY: all demo test check fuzz bench install fmt clean deps banned \
        bench-http bench-indicators bench-imports bench-services-import bench-surveil \
        bench-access web

all: $(REL)/yilian web

deps:
	@scripts/deps.sh

# --- release -----------------------------------------------------------------------------
$(REL)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -MMD -MP -c $< -o $@

$(REL)/libyilian.a: $(patsubst src/%.c,$(REL)/%.o,$(LIB_SRC))
	ar rcs $@ $^

$(REL)/yilian: $(REL)/main.o $(REL)/libyilian.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

# --- sanitizer build for tests -----------------------------------------------------------
$(CHK)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CHK_CFLAGS) -MMD -MP -c $< -o $@

$(CHK)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CHK_CFLAGS) -MMD -MP -c $< -o $@

$(CHK)/libyilian.a: $(patsubst src/%.c,$(CHK)/%.o,$(LIB_SRC))
	ar rcs $@ $^

$(CHK)/yilian: $(CHK)/main.o $(CHK)/libyilian.a
	$(CC) $(CHK_LDFLAGS) -o $@ $^ $(LIBS)

$(CHK)/tests/test_%: $(CHK)/tests/test_%.o $(CHK)/tests/support.o $(CHK)/libyilian.a
	$(CC) $(CHK_LDFLAGS) -o $@ $^ $(LIBS)

TEST_BINS := $(patsubst tests/%.c,$(CHK)/tests/%,$(TEST_SRC))

# The fuzz smoke run (each target a few seconds on its seeds) counts as one test program.
FUZZ_SMOKE_SECONDS ?= 8

# The benchmarks are built, not run, so that a change of the library they call cannot leave
# them broken unseen.
test: deps
	@$(MAKE) --no-print-directory -j$(shell nproc) $(CHK)/yilian $(TEST_BINS) $(FUZZ_BINS)
	@$(MAKE) --no-print-directory -j$(shell nproc) $(BENCH_BINS)
	@$(MAKE) --no-print-directory web
	@YILIAN_BIN=$(CHK)/yilian FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) \
	    scripts/run-tests.sh $(TEST_BINS) scripts/fuzz-smoke.sh $(WEB_TESTS)

check: test banned

banned:
	@scripts/banned.sh

# --- the web dashboard --------------------------------------------------------------------
# Its browser libraries come from npm at the versions of package-lock.json (`npm ci`, again
# only when package.json or the lock changes); `make` copies what the pages load into
# web/vendor/ and writes file.gz beside every text file, which the server sends to clients
# that accept gzip. Both are build output (git-ignored). The browser tests (tests/web/) run
# in `make test` as one more program whose summary counts each browser test.
NODE_STAMP := node_modules/.yilian-npm-ci
WEB_VENDOR := web/vendor/echarts.esm.min.mjs web/vendor/leaflet/leaflet-src.esm.js \
              web/vendor/leaflet/leaflet.css web/vendor/leaflet/images/layers.png \
              web/vendor/leaflet/images/layers-2x.png web/vendor/leaflet/images/marker-icon.png \
              web/vendor/leaflet/images/marker-icon-2x.png \
              web/vendor/leaflet/images/marker-shadow.png
WEB_TEXT   := $(wildcard web/*.html web/*.css web/*.json web/js/*.js web/js/pages/*.js) \
              $(filter %.mjs %.js %.css,$(WEB_VENDOR))
WEB_TESTS  := $(wildcard tests/web/run.mjs)

web: $(WEB_VENDOR) $(addsuffix .gz,$(WEB_TEXT))

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "yilian: npm is missing; scripts/deps.sh installs it" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

web/vendor/echarts.esm.min.mjs: $(NODE_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.esm.min.mjs $@

$(filter web/vendor/leaflet/%,$(WEB_VENDOR)): web/vendor/leaflet/%: $(NODE_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/leaflet/dist/$* $@

web/%.gz: web/%
	gzip -9 -n -c $< > $@

# --- demo, bench, fuzz, install ----------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory $(REL)/yilian
	@$(MAKE) --no-print-directory web
	@scripts/demo.sh $(REL)/yilian

BENCHES := http indicators imports services-import surveil access worklists experts alerts
BENCHES += results referrals
BENCH_BINS := $(REL)/bench_indicators $(REL)/bench_imports $(REL)/bench_surveil \
              $(REL)/bench_access $(REL)/bench_services_import
BENCH_BINS += $(REL)/bench_results $(REL)/bench_referrals $(REL)/bench_worklists \
              $(REL)/bench_experts $(REL)/bench_alerts

bench: deps
	@$(MAKE) --no-print-directory $(REL)/yilian $(BENCH_BINS)
	@for b in $(BENCHES); do $(MAKE) --no-print-directory bench-$$b || exit 1; done

bench-http: $(REL)/yilian
	@bench/run.sh $(REL)/yilian
bench-indicators: $(REL)/bench_indicators
	@bench/indicators.sh $(REL)/bench_indicators
bench-imports: $(REL)/bench_imports
	@$(REL)/bench_imports 1000000
bench-services-import: $(REL)/bench_services_import
	@$(REL)/bench_services_import 200000
bench-surveil: $(REL)/bench_surveil
	@bench/surveil.sh
bench-access: $(REL)/bench_access $(REL)/yilian
	@bench/access.sh
bench-worklists: $(REL)/bench_worklists
	@$(REL)/bench_worklists
bench-experts: $(REL)/bench_experts
	@$(REL)/bench_experts
bench-results: $(REL)/bench_results
	@$(REL)/bench_results
bench-referrals: $(REL)/bench_referrals
	@$(REL)/bench_referrals

# Each benchmark is one C file linked against the release library; `make
# build/release/bench_NAME` builds one alone.
$(REL)/bench_indicators: bench/indicators_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_imports: bench/records_import.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_services_import: bench/services_import.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_surveil: bench/surveil_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_access: bench/access_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_worklists: bench/worklists_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_experts: bench/experts_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_alerts: bench/alerts_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
bench-alerts: $(REL)/bench_alerts
	@$(REL)/bench_alerts
$(REL)/bench_results: bench/results_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)
$(REL)/bench_referrals: bench/referral_bench.c $(REL)/libyilian.a
	$(CC) $(CPPFLAGS) $(REL_CFLAGS) -o $@ $^ $(LIBS)

# Fuzz targets: the library built once with clang's coverage instrumentation, each target
# linked against it. `make fuzz` runs each for FUZZ_SECONDS; `make test` runs each briefly.
FUZZ_SECONDS ?= 30
FZ          := build/fuzz
FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined -D_GNU_SOURCE -Isrc $(PKG_CFLAGS)
FUZZ_BINS   := $(patsubst fuzz/%.c,$(FZ)/%,$(FUZZ_SRC))

$(FZ)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FZ)/libyilian.a: $(patsubst src/%.c,$(FZ)/obj/%.o,$(LIB_SRC))
	ar rcs $@ $^

$(FZ)/%: fuzz/%.c $(FZ)/libyilian.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FZ)/libyilian.a $(LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

install: $(REL)/yilian web
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/yilian/web $(DESTDIR)$(PREFIX)/share/doc/yilian
	install -m 755 $(REL)/yilian $(DESTDIR)$(PREFIX)/bin/yilian
	install -m 644 docs/yilian.1 $(DESTDIR)$(PREFIX)/share/man/man1/yilian.1
	install -m 644 etc/yilian.conf.example $(DESTDIR)$(PREFIX)/share/doc/yilian/yilian.conf.example
	cp -R web/. $(DESTDIR)$(PREFIX)/share/yilian/web/
	install -d $(DESTDIR)$(PREFIX)/share/yilian/data
	install -m 644 data/road-speeds.csv data/protocols.csv data/measurements.csv \
	    data/protocol-rules.csv data/indicator-targets.csv data/result-items-example.csv \
	    data/hunchun-divisions.csv $(DESTDIR)$(PREFIX)/share/yilian/data/
	install -m 644 data/notifiable-diseases.csv data/syndromic-channels.csv \
	    data/surveil-params.csv $(DESTDIR)$(PREFIX)/share/yilian/data/
	install -m 644 data/alert-rules.csv $(DESTDIR)$(PREFIX)/share/yilian/data/

fmt:
	clang-format -i $(LIB_SRC) src/main.c $(wildcard src/*/*.h) $(TEST_SRC)

clean:
	rm -rf build
	rm -rf web/vendor
	find web -name '*.gz' -delete

-include $(shell find build -name '*.d' 2>/dev/null)
