/* SPDX-License-Identifier: MIT */
/* Shared between testbed.c and testbed-fill.c; not part of the API. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "bundle/bundle.h"

/* The writers of a testbed put it into a list of entries (testbed-tree.c),
 * from which a directory is switched between two bundles by writing only
 * what differs; a fresh testbed is the switch from nothing.  Paths are
 * absolute inside the testbed: "/sys/...", "/config/etc/...". */
struct tb_out {
        struct gd_testbed_tree *tree;
};

enum tb_type { TB_DIR, TB_FILE, TB_LINK };

struct tb_entry {
        char *path;
        enum tb_type type;
        char *data;             /* file content, link target */
        size_t len;
        mode_t mode;
        int64_t mtime;          /* -1: not set */
        size_t seq;             /* write order */
        int line;               /* a link's line in the bundle, 0 when not from one */
};

struct gd_testbed_tree {
        struct tb_entry *e;
        size_t n, cap;
        bool sorted;
        char **warnings;        /* strv: links left out (testbed-links.c) */
};

/* mkdir -p. */
int tb_mkdir(struct tb_out *o, const char *path);
/* A file, replacing one written before; mtime < 0: leave it. */
int tb_write(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode, int64_t mtime);
/* A symbolic link; its parent must exist.  line: where the bundle recorded
 * it (0: made by the testbed itself), for the warning when it is left out. */
int tb_symlink(struct tb_out *o, const char *path, const char *target, int line);

/* The entry at exactly path in a sorted tree, or NULL. */
const struct tb_entry *tb_find(const struct gd_testbed_tree *t, const char *path);

/* Leaves out of a sorted tree every link whose resolution by the kernel's
 * rules would leave /sys, or that lies below another link, with a warning
 * each (testbed-links.c).  0 or -ENOMEM. */
int testbed_tree_check_links(struct gd_testbed_tree *t);

/* Writes a umockdev-record text as a sysfs tree, the way
 * umockdev_testbed_add_from_string() lays it out (testbed-sysfs.c).
 * first_line: the bundle line of the text's first line (0: unknown). */
int testbed_write_recording(struct tb_out *out, const char *text, int first_line, char **ret_error);

/* mkdir -p of root+path, never through a link that leaves root. */
int testbed_mkdir(const char *root, const char *path);

/* Resolves a relative link target lexically against dir ("/sys/..."); an
 * absolute path, or NULL when it leaves /sys.  Only to place a driver's
 * directory: whether a link stays inside is testbed_tree_check_links()'s. */
char *testbed_resolve_in_sys(const char *dir, const char *target);

/* Adds to the testbed (the recording already written) from the bundle:
 * driver directories, IOMMU groups, files, unreadable and absent markers. */
int testbed_fill(struct tb_out *out, const struct gd_bundle *b, char **ret_error);

/* Writes a file below root (path is absolute inside the testbed, e.g.
 * "/proc/cmdline"), creating its directories; refuses to leave root through
 * a symlink.  mtime < 0: leave it. */
int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime);
