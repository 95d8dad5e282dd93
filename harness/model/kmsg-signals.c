/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kmsg-signals.h"

/* The strings come from the kernel sources named in the checks that use
 * them (checks/iommu.c, irq.c, iommu-cmdline.c, framebuffer.c, power.c). */
const char *const gd_kmsg_signals[] = {
        "DMAR",                      /* "ACPI: DMAR", "DMAR: ...", "DMAR-IR: ..." (Intel VT-d) */
        "AMD-Vi",                    /* drivers/iommu/amd/ */
        "ACPI: IVRS",
        "ACPI: XSDT",                /* ACPI tables listed: the log reaches the table scan */
        "ACPI: RSDT",
        "Virtualization Technology for Directed I/O",
        "Adding to iommu group",     /* drivers/iommu/iommu.c, 5.x and later */
        "Adding device ",            /* "... to group N", before 5.0 */
        "vfio-noiommu",
        "PCIe ACS overrides",        /* the out-of-tree ACS override patch */
        "Unknown kernel command line parameters",
        "No interrupt remapping support",
        "Linux version ",            /* the log reaches back to boot */
        "can't reserve",             /* BAR claims (drivers/pci/setup-res.c) */
        "change power state",        /* drivers/pci/pci.c power transitions */
        NULL,
};

bool gd_kmsg_has_signal(const char *text) {
        if (!text)
                return false;
        for (const char *const *s = gd_kmsg_signals; *s; s++)
                if (strstr(text, *s))
                        return true;
        return false;
}

bool gd_kmsg_signal_covers(const char *pattern) {
        if (!pattern)
                return false;
        for (const char *const *s = gd_kmsg_signals; *s; s++)
                if (strstr(pattern, *s))
                        return true;
        return false;
}
