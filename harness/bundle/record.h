/* SPDX-License-Identifier: MIT */
/* The umockdev-record text of a host's PCI devices and IOMMU units, from a
 * recording of the reader (base/io-record.h), in umockdev's format (umockdev
 * src/umockdev-record.vala):
 *
 *   P: /devices/pci0000:00/0000:00:01.0      the resolved sysfs path
 *   E: SUBSYSTEM=pci                         the subsystem
 *   A: name=value                            text attribute, g_strescape()d
 *   H: name=HEX                              binary attribute (config), upper-case
 *   L: name=target                           link, as readlink() gives it
 *
 * one blank line after each record, attributes sorted by name.  Unlike
 * umockdev-record it holds what the reader (and the libraries and lspci,
 * host/declared.c) read of each device and nothing else: never a BAR
 * mapping, rom, vpd, or anything whose read has side effects, and no
 * uevent or ancestors, which nothing that runs on a testbed reads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/io-record.h"

struct gd_redact;

/* Whether a recorded path belongs to the device records:
 * /sys/bus/pci/devices and /sys/class/iommu, and what is below them. */
bool gd_record_path_is_device(const char *path);

/* The records of every /sys/bus/pci/devices/<addr> (placed by the target of
 * its link) and every unit the reader listed in /sys/class/iommu.
 * Attribute values and configuration space go through redact (NULL: no
 * redaction).  Attributes and links the reader could not read (other than
 * missing) are added to *unreadable, by the path the reader used.  Returns
 * 0 with a NUL-terminated *ret and *ret_len, or -ENOMEM. */
int gd_record_umockdev(const struct gd_io_recording *rec, struct gd_redact *redact, char **ret, size_t *ret_len,
                       char ***unreadable);

/* umockdev's escaping of a text attribute (GLib g_strescape(s, "")):
 * \b \f \n \r \t \v \\ \" and other bytes below 0x20 or from 0x7f as
 * \ooo.  Writes to out; returns 0 or -EIO. */
int gd_record_escape(FILE *out, const char *s, size_t len);
