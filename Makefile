SHELL := /bin/bash
# Two commands for a new Debian 12 machine (run as root, or with the packages installed):
#   make run     install what is missing, build, and explain this host
#   make check   install what is missing, build, and run every test
BUILD ?= build
MESON_OPTS ?=
DEPS = gcc pkg-config meson ninja-build libpci-dev pciutils libkmod-dev kmod libfyaml-dev \
       zlib1g-dev libglib2.0-dev libumockdev-dev umockdev udev libcriterion-dev

.PHONY: all deps build run check bench clean install

all: build

deps:
	@missing=$$(for p in $(DEPS); do \
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
check: build
	@set -o pipefail; meson test -C $(BUILD) --print-errorlogs --num-processes 2 2>&1 | tee $(BUILD)/check.log; rc=$$?; \
	ok=$$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	fail=$$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	to=$$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' $(BUILD)/check.log | tail -1); \
	echo "$${ok:-0} passed, $$(( $${fail:-0} + $${to:-0} )) failed"; exit $$rc

bench: build
	meson test -C $(BUILD) --benchmark --verbose

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)
