/* SPDX-License-Identifier: MIT */
/* The kernel log reader: /dev/kmsg live, or a saved or pasted log.  The
 * record parser and the finder are model/kmsg.h. */
#pragma once

#include <stdbool.h>

#include "model/host.h"

/* Reads every record of path (/dev/kmsg, or a file of lines) without ever
 * blocking, and keeps all of them, or with signals_only those a check can
 * look at (model/kmsg-signals.h); record numbers count every record either
 * way, and ret->n_read is their number.  Returns 0 or -errno: -ENOENT /
 * -EACCES for a replay testbed's absent / unreadable marker, -EPERM /
 * -EACCES when dmesg_restrict denies the open, -EFBIG past the kernel log's
 * caps (base/io.h, gd_kmsg_limits: 10,000,000 records, 256 MiB), -EMSGSIZE
 * for one record (line) over 1 MiB.  *ret is untouched on error. */
int gd_kmsg_read(const char *path, bool signals_only, struct gd_kmsg *ret);
