/* SPDX-License-Identifier: MIT */
/* The one reader: turns the running host (or a umockdev testbed of a bundle,
 * under the preload library) into a host model.  It never writes. */
#pragma once

#include "model/host.h"

enum gd_read_what {
        GD_READ_PCI      = 1 << 0,
        GD_READ_IOMMU    = 1 << 1,
        GD_READ_KERNEL   = 1 << 2, /* release, cmdline, kernel log */
        GD_READ_MODULES  = 1 << 3, /* libkmod: loaded modules and configuration */
        GD_READ_BOOT     = 1 << 4, /* boot loader, initramfs, kernel config, VM configs */
        GD_READ_PLATFORM = 1 << 5,
        GD_READ_ALL      = 0x3f,
        /* With GD_READ_PCI: the details (power, reset, BARs, capabilities)
         * of every device, not only of those the checks look at. */
        GD_READ_EVERY_DEVICE = 1 << 6,
};

/* Returns 0 with a model (facts that could not be read are unknown inside
 * it), or -errno when not even the PCI bus could be listed. */
int gd_host_read(unsigned what, struct gd_host **ret);

/* What libpci, libkmod and lspci read outside the I/O seam, declared from
 * their sources (host/declared.c) and read through the seam: collect calls
 * it while recording, after gd_host_read() filled h.  Returns 0 or -ENOMEM. */
int gd_host_read_declared(const struct gd_host *h);
