/* SPDX-License-Identifier: MIT */
#pragma once

#include "model/host.h"

/* Reads /sys/kernel/iommu_groups/<N>/{devices,type}, /sys/class/iommu and the
 * presence of the ACPI DMAR (Intel VT-d) and IVRS (AMD-Vi) tables. */
int gd_iommu_read(struct gd_host *h);
