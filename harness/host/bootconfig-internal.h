/* SPDX-License-Identifier: MIT */
/* Shared between bootconfig.c and kconfig.c; not part of the API. */
#pragma once

#include "base/hostpaths.h"
#include "model/bootconfig.h"

/* The text of a file below the config root (sub may be NULL). */
int bootconfig_read_config(enum gd_configpath p, const char *sub, char **ret);
/* Fills b->kconfig and b->kconfig_source from /boot/config-<release>, else
 * /proc/config.gz; returns -errno when neither can be read. */
int bootconfig_read_kconfig(struct gd_bootconfig *b, const char *release);
