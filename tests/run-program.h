/* SPDX-License-Identifier: MIT */
/* Test helpers: run a program (gpudiag or a tool that checks its output)
 * with its output captured, and find the tools the output tests need. */
#pragma once

#include <stdbool.h>

/* Runs argv (argv[0] searched in PATH when it has no '/'), stdin from
 * input_path or /dev/null, stdout and stderr captured whole.  Returns 0 with
 * *ret_out, *ret_err (each may be NULL to drop it) and *ret_status as
 * waitpid() gives it, or -errno when it could not be started. */
int run_program(char *const argv[], const char *input_path, char **ret_out, char **ret_err, int *ret_status);

/* The same for `gpudiag ARGS...` (args NULL-terminated, without the
 * program); returns the exit status, -1 when it died of a signal. */
int run_gpudiag_args(char *const args[], char **ret_out, char **ret_err);

/* True when name is an executable in PATH. */
bool tool_available(const char *name);

/* Skips the test when the tool is missing; fails it instead under
 * GPUDIAG_REQUIRE_TEST_TOOLS=1, which `make check` sets after installing
 * them (Makefile TEST_DEPS), so CI cannot pass by skipping. */
void require_tool(const char *name, const char *package);

/* Writes text to a new temporary file with the given suffix; returns its
 * path (newly allocated). */
char *write_temp(const char *text, const char *suffix);

/* $GPUDIAG_SRCDIR/<relative>, newly allocated. */
char *source_path(const char *relative);
