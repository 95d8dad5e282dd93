/* SPDX-License-Identifier: MIT */
/* The commands whose output settles each fact (unreadable.h).  Each prints
 * what gpudiag import reads back: lspci -nnk (drivers), the guides' IOMMU
 * group loop (groups, with drivers), the kernel log lines iommu.c and irq.c
 * look for, /proc/iomem (framebuffers), lspci -vvv (ACS). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unreadable.h"

const char *gd_unreadable_phrase(const struct gd_host *h) {
        return h->imported ? ": not in the pasted text" : " could not be read";
}

const char *gd_unreadable_value(const struct gd_host *h) {
        return h->imported ? "(not in the pasted text)" : "(unreadable)";
}

char *gd_fact_command(enum gd_fact fact, const char *arg) {
        char *s = NULL;
        int r = -1;

        switch (fact) {
        case GD_FACT_DRIVER:
                /* The slot: every function of the card at once. */
                r = asprintf(&s, "lspci -nnk -s %.10s", arg ? arg : "");
                break;
        case GD_FACT_GROUPS:
                r = asprintf(&s, "for g in /sys/kernel/iommu_groups/*; do echo \"IOMMU Group ${g##*/}:\"; "
                                 "for d in $g/devices/*; do lspci -nnks ${d##*/}; done; done");
                break;
        case GD_FACT_GROUP_MEMBERS:
                r = asprintf(&s, "for d in /sys/kernel/iommu_groups/%s/devices/*; do lspci -nnks ${d##*/}; done",
                             arg ? arg : "N");
                break;
        case GD_FACT_IOMMU:
                r = asprintf(&s, "sudo dmesg | grep -iE 'DMAR|AMD-Vi|IOMMU'; ls /sys/kernel/iommu_groups");
                break;
        case GD_FACT_FIRMWARE:
                r = asprintf(&s, "ls /sys/firmware/acpi/tables; sudo dmesg | grep -E 'ACPI: (DMAR|IVRS)'");
                break;
        case GD_FACT_IRQ_REMAP:
                r = asprintf(&s, "sudo dmesg | grep -iE 'DMAR-IR|AMD-Vi|remapping'");
                break;
        case GD_FACT_IOMEM:
                r = asprintf(&s, "sudo cat /proc/iomem");
                break;
        case GD_FACT_ACS:
                r = asprintf(&s, "sudo lspci -vvv -s %s", arg ? arg : "");
                break;
        default:
                break;
        }
        return r < 0 ? NULL : s;
}

int gd_remedy_unreadable(struct gd_finding *x, const struct gd_host *h, enum gd_fact fact, const char *arg,
                         const char *otherwise) {
        _cleanup_free_ char *cmd = NULL;

        if (!h->imported)
                return gd_finding_remedy(x, "%s", otherwise);
        cmd = gd_fact_command(fact, arg);
        if (!cmd)
                return -ENOMEM;
        return gd_finding_remedy(x, "Not in the pasted text: paste the output of `%s` too (then gpudiag import "
                                    "both).", cmd);
}
