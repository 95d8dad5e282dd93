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

#include "base/macro.h"
#include "bundle/bundle.h"

struct gd_testbed;

/* Builds the testbed.  Returns 0 and *ret, or -errno; for a recording that
 * umockdev refuses or that would leave the testbed, -EINVAL with *ret_error
 * (ret_error may be NULL).  On failure the directory is already removed.
 * Leaves $UMOCKDEV_DIR of the calling process as it was. */
int gd_testbed_build(const struct gd_bundle *b, struct gd_testbed **ret, char **ret_error);

const char *gd_testbed_root(const struct gd_testbed *t);
const char *gd_testbed_config_root(const struct gd_testbed *t);

/* The environment for a program run inside the testbed: environ plus
 * UMOCKDEV_DIR, LD_PRELOAD (umockdev's preload first), GPUDIAG_CONFIG_ROOT
 * and GPUDIAG_REPLAY=1, replacing any earlier values.  Free with strv_free(). */
int gd_testbed_exec_env(const struct gd_testbed *t, char ***ret_envp);

/* Removes the whole testbed directory.  NULL-safe; returns NULL. */
struct gd_testbed *gd_testbed_free(struct gd_testbed *t);
static inline void gd_testbed_freep(struct gd_testbed **t) { gd_testbed_free(*t); }
#define _cleanup_testbed_ _cleanup_(gd_testbed_freep)
