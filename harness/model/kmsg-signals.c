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

_Static_assert(sizeof(gd_kmsg_signals) / sizeof(gd_kmsg_signals[0]) <= 32, "gd_kmsg_has_signal_n() holds 31 signals");

bool gd_kmsg_has_signal(const char *text) {
        return text && gd_kmsg_has_signal_n(text, strlen(text));
}

/* One pass over the line, comparing only where a signal could start:
 * glibc's memmem() per signal was two thirds of explain on a small host
 * with a long log. */
bool gd_kmsg_has_signal_n(const char *s, size_t len) {
        static bool starts[256];
        static size_t lengths[32];
        static bool ready;

        if (!ready) {
                for (size_t k = 0; gd_kmsg_signals[k] && k < 32; k++) {
                        starts[(unsigned char) gd_kmsg_signals[k][0]] = true;
                        lengths[k] = strlen(gd_kmsg_signals[k]);
                }
                ready = true;
        }
        for (size_t i = 0; i < len; i++) {
                if (!starts[(unsigned char) s[i]])
                        continue;
                for (size_t k = 0; gd_kmsg_signals[k] && k < 32; k++)
                        if (gd_kmsg_signals[k][0] == s[i] && lengths[k] <= len - i &&
                            memcmp(s + i, gd_kmsg_signals[k], lengths[k]) == 0)
                                return true;
        }
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
