/* SPDX-License-Identifier: MIT */
/* /proc/interrupts (kernel/irq/proc.c, show_interrupts()) prints the irq
 * chip name of every interrupt.  With interrupt remapping the MSI and
 * IO-APIC chips get the "IR-" prefix (drivers/iommu/intel/irq_remapping.c
 * dmar_msi_parent_ops and drivers/iommu/amd/iommu.c amdvi_msi_parent_ops:
 * .prefix = "IR-"), so the checks read remapping from this text when the
 * kernel log is not available.  The file is world-readable. */
#include <errno.h>
#include <stdlib.h>

#include "base/io.h"
#include "base/hostpaths.h"
#include "interrupts.h"

int gd_interrupts_read(struct gd_host *h) {
        char *text = NULL;
        int r;

        r = gd_io_read(gd_hostpath(GD_PROC_INTERRUPTS)->path, GD_CAP_TEXT, &text, NULL);
        free(h->interrupts);
        h->interrupts = r == 0 ? text : NULL;
        h->interrupts_state = r;
        return r;
}
