/* SPDX-License-Identifier: MIT */
/* A umockdev testbed built from a bundle, for running the reader (or lspci)
 * against a recorded host.  Only built when HAVE_REPLAY (config.h).
 *
 * Layout of the testbed directory (gd_testbed_root()):
 *   sys/...            umockdev's sysfs from the recording, plus
 *                      sys/bus/<bus>/drivers/<name>/ for every recorded driver
 *                      link and sys/kernel/iommu_groups/N/{type,devices/<addr>}
 *   proc/..., dev/...  bundle files; GD_ABSENT_MARKER for every path of the
 *                      hostpaths table the bundle lacks, GD_UNREADABLE_MARKER
 *                      for its "unreadable" ones
 *   config/etc/...     /etc /boot /lib /usr files (gd_testbed_config_root())
 *
 * A program sees it when started with gd_testbed_exec_env(): umockdev's
 * preload redirects /sys, and /proc and /dev where the testbed has the file;
 * gpudiag reads configuration below $GPUDIAG_CONFIG_ROOT. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/macro.h"
#include "bundle/bundle.h"

struct gd_testbed;

/* Builds the testbed.  Returns 0 and *ret, or -errno; for a recording that
 * umockdev refuses or that would leave the testbed, -EINVAL with *ret_error
 * (ret_error may be NULL).  On failure the directory is already removed.
 * Leaves $UMOCKDEV_DIR of the calling process as it was. */
int gd_testbed_build(const struct gd_bundle *b, struct gd_testbed **ret, char **ret_error);

/* The testbed in dir, as gd_testbed_switch() left it; gd_testbed_free()
 * leaves the directory in place.  NULL when out of memory. */
struct gd_testbed *gd_testbed_at(const char *dir);
/* The metadata.origin of the bundle the testbed was built from (NULL when
 * it had none): the reader treats an imported host as partial evidence, so
 * programs run inside get it as GPUDIAG_BUNDLE_ORIGIN (host/host-read.c). */
const char *gd_testbed_origin(const struct gd_testbed *t);
int gd_testbed_set_origin(struct gd_testbed *t, const char *origin);

/* The entries gd_testbed_build() would write for b, as data, sorted by
 * path (testbed-tree.c): same errors as gd_testbed_build(). */
struct gd_testbed_tree;
int gd_testbed_tree_new(const struct gd_bundle *b, struct gd_testbed_tree **ret, char **ret_error);

/* The same in steps, for a bundle whose umockdev text comes a record at a
 * time (gd_bundle_load_records() with gd_testbed_tree_record_sink() and
 * the tree as its userdata): begin, each record, then end with the loaded
 * bundle (b->umockdev is not read).  Errors as gd_testbed_tree_new(); the
 * caller frees the tree on every path. */
struct gd_testbed_tree *gd_testbed_tree_begin(void);
int gd_testbed_tree_add_record(struct gd_testbed_tree *t, const char *text, size_t len, int line, char **ret_error);
int gd_testbed_tree_record_sink(const char *text, size_t len, int line, void *userdata, char **ret_error);
int gd_testbed_tree_end(struct gd_testbed_tree *t, const struct gd_bundle *b, char **ret_error);

/* gd_testbed_build() of a finished tree (written, not kept). */
int gd_testbed_build_tree(const struct gd_testbed_tree *tree, struct gd_testbed **ret, char **ret_error);
void gd_testbed_tree_free(struct gd_testbed_tree *t);
static inline void gd_testbed_tree_freep(struct gd_testbed_tree **t) { gd_testbed_tree_free(*t); }
size_t gd_testbed_tree_size(const struct gd_testbed_tree *t);
/* What the tree left out of the bundle, one sentence each ("line 40: link
 * ... leads out of /sys; ..."), NULL-terminated, never NULL. */
char * const *gd_testbed_tree_warnings(const struct gd_testbed_tree *t);

/* Turns the directory root, which holds the tree from (NULL: nothing),
 * into the tree to, writing and removing only the entries that differ.
 * Returns 0 or -errno; on failure the directory holds neither tree. */
int gd_testbed_switch(const char *root, const struct gd_testbed_tree *from, const struct gd_testbed_tree *to);

/* Where testbeds needing about need bytes go when TMPDIR does not say:
 * /dev/shm when writable with that much free, else /tmp. */
const char *gd_testbed_default_dir(uint64_t need);

/* Removes everything below dir, and dir too unless keep_dir; never
 * follows a link.  0, or -errno. */
int gd_testbed_remove_dir(const char *dir, bool keep_dir);

const char *gd_testbed_root(const struct gd_testbed *t);
/* gd_testbed_tree_warnings() of the bundle it was built from. */
char * const *gd_testbed_warnings(const struct gd_testbed *t);
const char *gd_testbed_config_root(const struct gd_testbed *t);

/* The environment for a program run inside the testbed: environ plus
 * UMOCKDEV_DIR, LD_PRELOAD (umockdev's preload first), GPUDIAG_CONFIG_ROOT
 * and GPUDIAG_REPLAY=1, replacing any earlier values.  Free with strv_free(). */
int gd_testbed_exec_env(const struct gd_testbed *t, char ***ret_envp);

/* Removes the whole testbed directory.  NULL-safe; returns NULL. */
struct gd_testbed *gd_testbed_free(struct gd_testbed *t);
static inline void gd_testbed_freep(struct gd_testbed **t) { gd_testbed_free(*t); }
#define _cleanup_testbed_ _cleanup_(gd_testbed_freep)
