/* SPDX-License-Identifier: MIT */
/* Test helpers: load a fixture bundle, build its testbed, and run a program
 * inside it with its output captured. */
#pragma once

#include <stdbool.h>

#include "bundle/bundle.h"
#include "replay/testbed.h"

/* $GPUDIAG_SRCDIR/fixtures/bundles/<name>, or the source-relative path when
 * the variable is unset.  Newly allocated. */
char *fixture_bundle_path(const char *name);

/* Runs argv[0] (an absolute path) with the testbed's environment, stdin
 * from /dev/null.  Returns 0 with *ret_out (stdout) and, when ret_err is
 * non-NULL, *ret_err (stderr), and *ret_status as waitpid() gives it; or
 * -errno when the program could not be started. */
int testbed_run(const struct gd_testbed *t, char *const argv[], char **ret_out, char **ret_err,
                int *ret_status);

/* The same for any program and environment (NULL: environ), stdin from
 * stdin_path (NULL: /dev/null). */
int program_run(char *const argv[], char *const envp[], const char *stdin_path, char **ret_out, char **ret_err,
                int *ret_status);

/* The peak resident set of the last program_run() (and what it waited for
 * itself), in KiB, as wait4() reports it. */
long program_last_maxrss_kb(void);

/* Reads path as a program inside the testbed sees it (with /bin/cat). */
int testbed_cat(const struct gd_testbed *t, const char *path, char **ret_out);

/* $GPUDIAG_SRCDIR/sysfs-snapshots/<name>.  Newly allocated. */
char *snapshot_path(const char *name);

/* Loads a bundle file and builds its testbed; asserts (Criterion) on failure. */
struct gd_testbed *testbed_from_file(const char *path);

/* $GPUDIAG: the gpudiag binary under test. */
const char *gpudiag_binary(void);

/* The *.yaml files of dir (relative to the source tree), sorted, appended
 * to *list as absolute paths; with recurse, of its subdirectories too.
 * Asserts (Criterion) when dir cannot be listed. */
void test_find_yaml(const char *dir, bool recurse, char ***list);
