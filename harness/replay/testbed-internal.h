/* SPDX-License-Identifier: MIT */
/* Shared between testbed.c and testbed-fill.c; not part of the API. */
#pragma once

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strindex.h"
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
        uint32_t content;       /* a file's content number in the tree (equal contents, equal
                                 * numbers); 0: its data is a bundle's, not the tree's */
};

struct gd_testbed_tree {
        struct tb_entry *e;
        size_t n, cap;
        bool sorted;
        char *last_dir;         /* while writing: the directory added last, and those above it */
        size_t last_dir_len;
        struct arena_block *arena; /* paths and link targets */
        struct strindex *contents; /* file contents, each once */
        struct recorded_device *devices; /* while writing: what testbed_fill() needs of each record */
        size_t n_devices, cap_devices;
        char **warnings;        /* strv: links left out (testbed-links.c) */
};

/* mkdir -p. */
int tb_mkdir(struct tb_out *o, const char *path);
/* A file, replacing one written before; mtime < 0: leave it. */
int tb_write(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode, int64_t mtime);
/* The same with content kept where it is, not copied: a bundle's file,
 * which lives longer than the tree. */
int tb_write_borrowed(struct tb_out *o, const char *path, const void *content, size_t len, mode_t mode,
                      int64_t mtime);
/* A symbolic link; its parent must exist.  line: where the bundle recorded
 * it (0: made by the testbed itself), for the warning when it is left out. */
int tb_symlink(struct tb_out *o, const char *path, const char *target, int line);

/* The entry at exactly path in a sorted tree, or NULL. */
const struct tb_entry *tb_find(const struct gd_testbed_tree *t, const char *path);

/* Leaves out of a sorted tree every link whose resolution by the kernel's
 * rules would leave /sys, or that lies below another link, with a warning
 * each (testbed-links.c).  0 or -ENOMEM. */
int testbed_tree_check_links(struct gd_testbed_tree *t);

/* What testbed_fill() needs of one record of the umockdev text, taken
 * while it is written (the text need not exist whole: a streamed bundle). */
struct recorded_device {
        char *devpath;          /* "/devices/pci0000:00/0000:00:01.0" */
        char *driver;           /* target of L: driver=, or NULL */
        bool has_iommu_group;
};
void testbed_devices_free(struct gd_testbed_tree *t);

/* One record ("P: ..." to its last line, NUL-terminated, no empty line),
 * as testbed_write_recording() writes each.  line: the bundle line of its
 * first line (0: unknown). */
int testbed_write_record(struct tb_out *out, const char *text, int line, char **ret_error);

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

/* Writes the entries of a sorted tree below root through the directories of
 * the entry written before, kept open: one mkdirat(), openat() or
 * symlinkat() of one name per entry, instead of a walk of the whole path
 * (and of every directory above it: mkdir -p) for each.  Directories are
 * entered with O_NOFOLLOW, so nothing is written through a link, inside or
 * out: tb_cursor_create() returns 1 for an entry below a link (or whose
 * directory is missing), which the caller writes by its path with the
 * checks of testbed_write_file() and testbed_mkdir(). */
#define TB_CURSOR_DEPTH 64
struct tb_cursor {
        int root;
        size_t depth;
        int fd[TB_CURSOR_DEPTH];        /* fd[k]: the directory path[0..end[k]) */
        size_t end[TB_CURSOR_DEPTH];
        char path[PATH_MAX];
        size_t len;
        mode_t umask;
        int pool;                       /* hard links of repeated attributes: testbed-disk.c */
        bool *pooled;                   /* by content number: in the pool already */
        size_t n_pooled;
};
/* pool: link attributes of the same content to one file (a fresh testbed
 * of many files). */
int tb_cursor_init(struct tb_cursor *c, const char *root, bool pool);
void tb_cursor_done(struct tb_cursor *c);
int tb_cursor_create(struct tb_cursor *c, const struct tb_entry *x);

/* Writes a file below root (path is absolute inside the testbed, e.g.
 * "/proc/cmdline"), creating its directories; refuses to leave root through
 * a symlink.  mtime < 0: leave it. */
int testbed_write_file(const char *root, const char *path, const void *content, size_t len, mode_t mode,
                       int64_t mtime);
