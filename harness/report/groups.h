/* SPDX-License-Identifier: MIT */
/* The groups report: IOMMU groups in numeric order with every device
 * lspci -nns style and its driver, as text for people or JSON (the schema
 * in gpudiag(1), "groups"). */
#pragma once

#include <stdio.h>

#include "model/host.h"
#include "model/pci-filter.h"

/* Only devices that f matches (a group is shown when one of its devices
 * is); f may be inactive. */
void gd_report_groups_text(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f);
/* Returns 0, or -EIO/-ENOMEM when the output failed. */
int gd_report_groups_json(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f);
