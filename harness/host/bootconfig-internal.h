/* SPDX-License-Identifier: MIT */
/* Shared between bootconfig.c, bootconfig-cmdline.c and kconfig.c; not part
 * of the API. */
#pragma once

#include "base/hostpaths.h"
#include "model/bootconfig.h"

/* The text of a file below the config root (sub may be NULL). */
int bootconfig_read_config(enum gd_configpath p, const char *sub, char **ret);
/* The same, kept in b->files under the host's name for it (absent files as
 * absent); *ret may be NULL when only keeping is wanted.  -ENOMEM, else the
 * read's result. */
int bootconfig_read_keep(struct gd_bootconfig *b, enum gd_configpath p, const char *sub, char **ret);
/* Fills b->kconfig and b->kconfig_source from /boot/config-<release>, else
 * /proc/config.gz; returns -errno when neither can be read. */
int bootconfig_read_kconfig(struct gd_bootconfig *b, const char *release);
/* Fills next_cmdline, its source and the origins for b->bootloader
 * (bootconfig-cmdline.c).  Returns 0 or -errno (-ENOMEM). */
int bootconfig_read_next_cmdline(struct gd_bootconfig *b);
