/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "model/host.h"

/* Fills h->devs from libpci (identity, class, names from pci.ids) and the
 * device's sysfs directory (what libpci does not give: driver, modalias,
 * IOMMU group, parent bridge; and the details driver_override, boot_vga,
 * reset_method, power state, BARs, config space capabilities).  The details
 * are read for every device when every_device, else only for the display
 * functions' slots, their IOMMU groups and the bridges above them (see
 * read_details()).  Sets h->pci_state; returns it. */
int gd_pci_read(struct gd_host *h, bool every_device);

/* More functions than this is no real host (the largest have a few
 * thousand); gd_pci_read() stops with -E2BIG rather than grow without bound
 * on a doctored testbed. */
#define GD_MAX_DEVICES 100000

/* Parses pci.ids now, for the names of every later gd_pci_read() of this
 * process and of the processes it forks. */
void gd_pci_names_load(void);

/* Parses "dddd:bb:dd.f"; returns 0 or -EINVAL. */
int gd_pci_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *dev, unsigned *func);
