/* SPDX-License-Identifier: MIT */
/* The kernel log's records: the parser of one line, and the finder the
 * checks use.  Pure; host/kmsg.c is the reader. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/host.h"
#include "model/kmsg-signals.h"

/* Parses one line of a kernel log.  Accepts, in this order:
 *   /dev/kmsg records      "6,339,5140900,-;text"   (level = prio & 7)
 *   dmesg lines            "[    1.234567] text", "<6>[ 1.2] text" (-r),
 *                          "[Tue Nov 26 10:00:00 2024] text" (-T)
 *   syslog / journalctl -k "Nov 26 10:00:00 host kernel: [ 1.2] text"
 *   anything else          the whole line is the text, level -1
 * Trailing \r and \n are dropped; control bytes and bytes that are not
 * valid UTF-8 are escaped as \xNN; signals marks the signals the text holds
 * (model/kmsg-signals.h).  Returns 0; -ENOMSG for a line that is no record
 * (empty, or a " KEY=value" continuation line): skip it; -EINVAL, -ENOMEM.
 * *ret is untouched on error. */
int gd_kmsg_parse_record(const char *line, size_t len, unsigned lineno,
                         struct gd_kmsg_record *ret);

static inline bool gd_kmsg_record_has(const struct gd_kmsg_record *r, enum gd_kmsg_signal s) {
        return (r->signals >> s) & 1ull;
}

/* The first record at index >= start that holds signal and, when and is
 * not NULL, the text and somewhere from the signal on ("Adding device "
 * ... " to group "). */
const struct gd_kmsg_record *gd_kmsg_find(const struct gd_kmsg *k, enum gd_kmsg_signal signal, const char *and,
                                          size_t start);
