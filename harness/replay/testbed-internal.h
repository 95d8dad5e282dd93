/* SPDX-License-Identifier: MIT */
/* Shared between testbed.c and testbed-fill.c; not part of the API. */
#pragma once

#include <stdint.h>

#include "bundle/bundle.h"

/* Writes a umockdev-record text as a sysfs tree below root, the way
 * umockdev_testbed_add_from_string() lays it out (testbed-sysfs.c). */
int testbed_write_recording(const char *root, const char *text, char **ret_error);

/* mkdir -p of root+path, never through a link that leaves root. */
int testbed_mkdir(const char *root, const char *path);

/* Resolves a relative link target lexically against dir ("/sys/..."); an
 * absolute path, or NULL when it leaves /sys. */
char *testbed_resolve_in_sys(const char *dir, const char *target);

/* Fills an existing testbed directory (the recording already written)
 * from the bundle: driver directories, IOMMU groups, files, unreadable and
 * absent markers.  root is the real path of the testbed directory. */
int testbed_fill(const char *root, const struct gd_bundle *b, char **ret_error);

/* Writes a file below root (path is absolute inside the testbed, e.g.
 * "/proc/cmdline"), creating its directories; refuses to leave root through
 * a symlink.  mtime < 0: leave it. */
int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime);
