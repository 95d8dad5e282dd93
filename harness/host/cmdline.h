/* SPDX-License-Identifier: MIT */
/* The kernel command line, split the way the kernel itself splits it. */
#pragma once

#include "model/host.h"

/* Splits raw as lib/cmdline.c next_arg() and kernel/params.c parse_args()
 * do: whitespace-separated, "..." protects spaces, quotes are removed,
 * key=value splits at the first '=', a bare "--" hands the rest to init.
 * Pure.  Returns 0, -EINVAL (NULL) or -ENOMEM; *ret untouched on error. */
int gd_cmdline_parse(const char *raw, struct gd_cmdline *ret);

/* Reads and parses /proc/cmdline (GD_PROC_CMDLINE).  Returns 0 or -errno:
 * -ENOENT / -EACCES for a replay testbed's absent / unreadable marker. */
int gd_cmdline_read(struct gd_cmdline *ret);
