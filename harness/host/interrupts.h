/* SPDX-License-Identifier: MIT */
/* /proc/interrupts, kept as text for the checks: the chip column names
 * interrupt remapping ("IR-PCI-MSI", "IR-PCI-MSIX-0000:01:00.0"). */
#pragma once

#include "model/host.h"

/* Reads GD_PROC_INTERRUPTS into h->interrupts and sets h->interrupts_state
 * (0, or -errno: -ENOENT / -EACCES for a replay testbed's markers).
 * Returns the state. */
int gd_interrupts_read(struct gd_host *h);
