/* SPDX-License-Identifier: MIT */
/* Shared between testbed.c and testbed-fill.c; not part of the API. */
#pragma once

#include <stdint.h>

#include "bundle/bundle.h"

/* Fills an existing testbed directory (umockdev's recording already added)
 * from the bundle: driver directories, IOMMU groups, files, unreadable and
 * absent markers.  root is the real path of the testbed directory. */
int testbed_fill(const char *root, const struct gd_bundle *b, char **ret_error);

/* Writes a file below root (path is absolute inside the testbed, e.g.
 * "/proc/cmdline"), creating its directories; refuses to leave root through
 * a symlink.  mtime < 0: leave it. */
int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime);
