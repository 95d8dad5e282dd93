/* SPDX-License-Identifier: MIT */
/* The kernel log: /dev/kmsg live, or a saved or pasted log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/host.h"

/* Parses one line of a kernel log.  Pure.  Accepts, in this order:
 *   /dev/kmsg records      "6,339,5140900,-;text"   (level = prio & 7)
 *   dmesg lines            "[    1.234567] text", "<6>[ 1.2] text" (-r),
 *                          "[Tue Nov 26 10:00:00 2024] text" (-T)
 *   syslog / journalctl -k "Nov 26 10:00:00 host kernel: [ 1.2] text"
 *   anything else          the whole line is the text, level -1
 * Trailing \r and \n are dropped; control bytes and bytes that are not
 * valid UTF-8 are escaped as \xNN.  Returns 0; -ENOMSG for a line that is
 * no record (empty, or a " KEY=value" continuation line): skip it;
 * -EINVAL, -ENOMEM.  *ret is untouched on error. */
int gd_kmsg_parse_record(const char *line, size_t len, unsigned lineno,
                         struct gd_kmsg_record *ret);

/* Reads every record of path (/dev/kmsg, or a file of lines) without ever
 * blocking, and keeps all of them, or with signals_only those a check can
 * look at (model/kmsg-signals.h); record numbers count every record either
 * way, and ret->n_read is their number.  Returns 0 or -errno: -ENOENT /
 * -EACCES for a replay testbed's absent / unreadable marker, -EPERM /
 * -EACCES when dmesg_restrict denies the open, -EFBIG past 10,000,000
 * records or 256 MiB, -EMSGSIZE for one record (line) over 1 MiB.  *ret is
 * untouched on error. */
int gd_kmsg_read(const char *path, bool signals_only, struct gd_kmsg *ret);

/* The first record at index >= start whose text contains substring. */
const struct gd_kmsg_record *gd_kmsg_find(const struct gd_kmsg *k, const char *substring,
                                          size_t start);
