/* SPDX-License-Identifier: MIT */
/* Helpers of the tests/test-hostile-*.c suites: inputs a stranger could
 * send, made from fixtures/hostile/ or generated, and gpudiag run on them
 * as a user would run it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* $GPUDIAG_SRCDIR/<rel>, newly allocated. */
char *src_path(const char *rel);
/* The whole file, NUL-terminated; asserts. */
char *slurp(const char *path, size_t *ret_len);
/* Writes len bytes to dir/name and returns that path; asserts. */
char *spew(const char *dir, const char *name, const void *data, size_t len);
/* A new directory /tmp/gd-hostile-<what>-XXXXXX; asserts. */
char *scratch_dir(const char *what);
/* Removes dir and everything below it. */
void scratch_remove(const char *dir);
/* text with every "@CANARY@" replaced by value. */
char *substitute(const char *text, const char *value);

/* Runs gpudiag with args (NULL-terminated), stdin from stdin_path (NULL:
 * /dev/null); asserts that it exited (no signal) and returns the exit code,
 * with stdout and stderr.  env_extra: "NAME=value" strings added to the
 * environment, or NULL. */
int gpudiag_run(const char *const *args, const char *stdin_path, char *const *env_extra, char **ret_out,
                char **ret_err);

/* Occurrences of needle in hay. */
size_t count_of(const char *hay, const char *needle);
