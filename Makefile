SHELL := /bin/bash
# Two commands for a new Debian 12 machine (run as root, or with the packages installed):
#   make run     install what is missing, build, and explain this host
#   make check   install what is missing, build, and run every test
BUILD ?= build
MESON_OPTS ?=
DEPS = gcc pkg-config meson ninja-build libpci-dev pciutils libkmod-dev kmod libfyaml-dev \
       zlib1g-dev libumockdev-dev umockdev libcriterion-dev python3 python3-yaml
# What the tests of the outputs people plug in run: promtool (prometheus),
# dot (graphviz), a headless browser (chromium), the shells and
# bash-completion the completion files are loaded into.  About 30 s of apt
# on a fresh Debian 12 (chromium is 81 MB of it).
TEST_DEPS = prometheus graphviz chromium bash-completion zsh
# What `make deb` runs: dpkg-buildpackage (dpkg-dev), dh (debhelper), lintian.
DEB_DEPS = dpkg-dev debhelper lintian

.PHONY: all deps test-deps deb-deps build run check bench accuracy accuracy-groups fuzz check-asan asan clean install deb

all: build

deps test-deps deb-deps: PKGS = $(DEPS)
test-deps: PKGS = $(TEST_DEPS)
deb-deps: PKGS = $(DEB_DEPS)
deps test-deps deb-deps:
	@missing=$$(for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "make: missing packages (install as root): $$missing" >&2; exit 1; \
		fi; \
		echo "Installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# explain exits 1 when a GPU is not ready or there is none: that is a result, not a failure of make.
run: build
	@./$(BUILD)/gpudiag explain; rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi

# meson prints its summary; the last line is the plain "N passed, N failed" count.
# The tools the output tests run are installed first; GPUDIAG_REQUIRE_TEST_TOOLS
# turns a missing one into a failure instead of a skip (tests/run-program.h).
check: export GPUDIAG_REQUIRE_TEST_TOOLS = 1
check-asan: export GPUDIAG_REQUIRE_TEST_TOOLS = 1
check: build test-deps
	@set -o pipefail; meson test -C $(BUILD) --print-errorlogs --num-processes 2 2>&1 | tee $(BUILD)/check.log; rc=$$?; \
	ok=$$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	fail=$$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	to=$$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	echo "$${ok:-0} passed, $$(( $${fail:-0} + $${to:-0} )) failed"; exit $$rc

# Timings inside umockdev testbeds of 64, 512 and 4,096 synthetic devices (bench/);
# BENCH_RUNS, BENCH_SIZES and BENCH_KMSG_LINES tune it.  Optional, not in DEPS:
# libvirt-clients (virt-host-validate qemu is timed beside lspci when installed).
bench: build
	meson test -C $(BUILD) --benchmark --verbose

# The accuracy benchmarks; they measure and exit 0.  The reports
# (tests/accuracy.c): every real report of sysfs-snapshots/reports/ imported
# fresh and explained, against its blind label (reports/LABELS): a table per GPU and the totals
# (imported, verdicts accepted, causes named, false READY); the floor (no false READY, no crash,
# every report naming a PCI address imported) is test-reports in `make check`.  Then
# accuracy-groups: the IOMMU group predictor against the real groups of the public lspci -vvnn
# dumps (sysfs-snapshots/lspci-vv/): one line per dump, then the totals; -v for every device
# placed wrongly with the predictor's reason (ACCURACY_OPTS=-v); its floor is test-predict-dumps.
accuracy: build
	GPUDIAG=$(CURDIR)/$(BUILD)/gpudiag ./$(BUILD)/tests/accuracy sysfs-snapshots/reports
	./$(BUILD)/bench/predict-accuracy $(ACCURACY_OPTS) sysfs-snapshots/lspci-vv/*.txt

accuracy-groups: build
	./$(BUILD)/bench/predict-accuracy $(ACCURACY_OPTS) sysfs-snapshots/lspci-vv/*.txt

# The tests again, built with AddressSanitizer and UBSan, warning level 3 and -Werror
# (-Wno-pedantic: the GNU statement expressions of base/macro.h are intended).
# umockdev's preload comes before libasan in LD_PRELOAD, hence verify_asan_link_order=0.
# LeakSanitizer is on, in the test binaries (Criterion's workers included) and in
# every gpudiag they run.  tests/lsan.supp names only third-party frames (libpci's
# udev hwdb handle, on a fresh Debian 12).
ASAN_BUILD ?= build-asan
check-asan: deps test-deps
	@test -f $(ASAN_BUILD)/build.ninja || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dwarning_level=3 -Dwerror=true -Dc_args=-Wno-pedantic
	ninja -C $(ASAN_BUILD)
	@# A world-readable copy: test-collect also runs gpudiag as nobody, who may not read this tree.
	install -m 644 tests/lsan.supp /tmp/gpudiag-lsan.supp
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=/tmp/gpudiag-lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 3
asan: check-asan

# libFuzzer targets (fuzz/, clang): each runs FUZZ_SECONDS on its corpus in fuzz/corpus/;
# new inputs go to $(FUZZ_BUILD)/corpus, crashes to $(FUZZ_BUILD)/artifacts.
# FUZZ_TARGETS picks some (e.g. "kmsg bundle"); fuzz/lsan.supp names the one
# third-party leak the targets hit.  The YAML targets parse in place for speed
# (fuzz/fuzz.h); libFuzzer's fork mode goes on after a crash, and each crash is
# then replayed with the parser sandbox gpudiag uses (GPUDIAG_FUZZ_SANDBOX=1):
# one that the sandbox turns into a refusal is libfyaml's and contained; any
# other crash, leak or hang fails the run.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= kmsg cmdline modconfig import bundle scenario testbed
FUZZ_BUILD ?= build-fuzz
FUZZ_LSAN = LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp:print_suppressions=0
fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz: needs clang (apt-get install clang)" >&2; exit 1; }
	@test -f $(FUZZ_BUILD)/build.ninja || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true
	ninja -C $(FUZZ_BUILD)
	@set -o pipefail; failed=0; mkdir -p $(FUZZ_BUILD)/artifacts; \
	for f in $(FUZZ_TARGETS); do \
		t=$(FUZZ_BUILD)/fuzz/fuzz-$$f; n=fuzz-$$f; \
		[ -x "$$t" ] || { echo "make fuzz: no target $$n (not built here)" >&2; failed=1; continue; }; \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n; echo "== $$n ($(FUZZ_SECONDS) s)"; \
		stamp=$(FUZZ_BUILD)/artifacts/.start-$$n; touch $$stamp; \
		$(FUZZ_LSAN) $$t -fork=1 -ignore_crashes=1 -ignore_timeouts=0 -ignore_ooms=0 \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n- $(FUZZ_BUILD)/corpus/$$n fuzz/corpus/$$n \
			> $(FUZZ_BUILD)/$$n.log 2>&1 || { failed=1; grep -E 'ERROR|SUMMARY|promise|Test unit' $(FUZZ_BUILD)/$$n.log; }; \
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+: cov)' $(FUZZ_BUILD)/$$n.log | tail -2; \
		for a in $$(find $(FUZZ_BUILD)/artifacts -name "$$n-*" -newer $$stamp); do \
			if GPUDIAG_FUZZ_SANDBOX=1 $(FUZZ_LSAN) $$t -runs=1 $$a > $$a.replay 2>&1; then \
				echo "   contained by the parser sandbox: $$a"; \
			else \
				echo "   FAILED: $$a (see $$a.replay)"; failed=1; \
			fi; \
		done; \
	done; exit $$failed

install: build
	meson install -C $(BUILD)

# The Debian source and binary packages (debian/), built from a copy of the tracked and new
# files in $(DEB_BUILD)/src so that dpkg-buildpackage's output (it writes
# to the parent directory) stays inside the tree, then checked by lintian:
# errors fail the target, warnings are printed.
DEB_BUILD ?= build-deb
deb: deps deb-deps
	rm -rf $(DEB_BUILD) && mkdir -p $(DEB_BUILD)/src
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(DEB_BUILD)/src
	cd $(DEB_BUILD)/src && dpkg-buildpackage -us -uc
	lintian --fail-on error --tag-display-limit 0 $(DEB_BUILD)/*.changes
	@# The packaged program runs and knows its version.
	dpkg-deb -x $(DEB_BUILD)/gpudiag_*.deb $(DEB_BUILD)/root
	$(DEB_BUILD)/root/usr/bin/gpudiag --version
	@ls -l $(DEB_BUILD)/*.deb

clean:
	rm -rf $(BUILD) $(DEB_BUILD)
