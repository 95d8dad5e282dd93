/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/host.h"

/* Kernel release (/proc/sys/kernel/osrelease: uname() is not faked under
 * replay), CPU vendor and the hypervisor flag (/proc/cpuinfo), DMI vendor
 * and product, /sys/hypervisor/type and /proc/xen/capabilities (Xen), and
 * the node name (/proc/sys/kernel/hostname). */
int gd_platform_read(struct gd_host *h);

/* Pure: vendor_id and whether the flags line has "hypervisor", from the
 * first processor block of a /proc/cpuinfo text.  Returns how many bytes of
 * text decided them (the same answers come from that prefix alone). */
size_t gd_cpuinfo_parse(const char *text, char **ret_vendor, tri_t *ret_hypervisor);
