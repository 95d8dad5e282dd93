/* SPDX-License-Identifier: MIT */
/* Shared between testbed.c and testbed-fill.c; not part of the API. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "bundle/bundle.h"

/* Where the writers of a testbed put it: into a directory (root), or into
 * a list of entries (tree, when root is NULL) from which a directory can be
 * switched between two bundles by writing only what differs
 * (testbed-tree.c).  Paths are absolute inside the testbed: "/sys/...",
 * "/config/etc/...". */
struct tb_out {
        const char *root;
        struct gd_testbed_tree *tree;
};

/* mkdir -p. */
int tb_mkdir(struct tb_out *o, const char *path);
/* A file, replacing one written before; mtime < 0: leave it. */
int tb_write(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode, int64_t mtime);
/* A symbolic link; its parent must exist. */
int tb_symlink(struct tb_out *o, const char *path, const char *target);

/* Writes a umockdev-record text as a sysfs tree, the way
 * umockdev_testbed_add_from_string() lays it out (testbed-sysfs.c). */
int testbed_write_recording(struct tb_out *out, const char *text, char **ret_error);

/* mkdir -p of root+path, never through a link that leaves root. */
int testbed_mkdir(const char *root, const char *path);

/* Resolves a relative link target lexically against dir ("/sys/..."); an
 * absolute path, or NULL when it leaves /sys. */
char *testbed_resolve_in_sys(const char *dir, const char *target);

/* Adds to the testbed (the recording already written) from the bundle:
 * driver directories, IOMMU groups, files, unreadable and absent markers. */
int testbed_fill(struct tb_out *out, const struct gd_bundle *b, char **ret_error);

/* Writes a file below root (path is absolute inside the testbed, e.g.
 * "/proc/cmdline"), creating its directories; refuses to leave root through
 * a symlink.  mtime < 0: leave it. */
int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime);
