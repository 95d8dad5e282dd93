/* SPDX-License-Identifier: MIT */
/* The umockdev-record text of this host's PCI devices and IOMMU units,
 * written without umockdev-record (which needs umockdev and udevadm), in
 * its format (umockdev src/umockdev-record.vala):
 *
 *   P: /devices/pci0000:00/0000:00:01.0      the resolved sysfs path
 *   E: KEY=value                             the uevent lines, SUBSYSTEM=
 *   A: name=value                            text attribute, g_strescape()d
 *   H: name=HEX                              binary attribute (config), upper-case
 *   L: name=target                           link, as readlink() gives it
 *
 * one blank line after each record, attributes sorted by name.  Unlike
 * umockdev-record it reads only a whitelist of attributes: never BAR
 * resourceN files, rom, reset, remove, rescan, vpd, or anything whose
 * read has side effects.  Ancestors with a uevent and a subsystem are
 * recorded after their first child, as umockdev-record does. */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct gd_redact;

/* Records every /sys/bus/pci/devices/<addr> and /sys/class/iommu/<unit>.
 * Attribute values and configuration space go through redact (NULL: no
 * redaction).  Returns 0 with a NUL-terminated *ret and *ret_len, or -errno
 * when /sys/bus/pci/devices cannot be listed. */
int gd_record_host(struct gd_redact *redact, char **ret, size_t *ret_len);

/* umockdev's escaping of a text attribute (GLib g_strescape(s, "")):
 * \b \f \n \r \t \v \\ \" and other bytes below 0x20 or from 0x7f as
 * \ooo.  Writes to out; returns 0 or -EIO. */
int gd_record_escape(FILE *out, const char *s, size_t len);
