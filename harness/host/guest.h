/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/host.h"

/* h->guest (model/guestinfo.h) and the DRM minors of every display
 * function (gd_pci_dev.drm); reads after the PCI devices.  Returns 0 or
 * -ENOMEM: what could not be read is unknown in the model. */
int gd_guest_read(struct gd_host *h);
