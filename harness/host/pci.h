/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/host.h"

/* Fills h->devs from libpci (identity, class, names from pci.ids) and the
 * device's sysfs directory (what libpci does not give: driver_override,
 * boot_vga, reset_method, power state, BARs, parent bridge, config space
 * capabilities).  Sets h->pci_state; returns it. */
int gd_pci_read(struct gd_host *h);

/* Parses "dddd:bb:dd.f"; returns 0 or -EINVAL. */
int gd_pci_parse_address(const char *s, unsigned *domain, unsigned *bus, unsigned *dev, unsigned *func);
