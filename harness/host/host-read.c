/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "cmdline.h"
#include "host-read.h"
#include "iommu.h"
#include "kmsg.h"
#include "pci.h"
#include "platform.h"

int gd_host_read(unsigned what, struct gd_host **ret) {
        _cleanup_host_ struct gd_host *h = gd_host_new();
        int r;

        if (!h)
                return -ENOMEM;
        h->is_root = geteuid() == 0;
        h->replayed = getenv("GPUDIAG_REPLAY") != NULL;

        if (what & (GD_READ_PLATFORM | GD_READ_KERNEL))
                (void) gd_platform_read(h);
        if (what & GD_READ_PCI) {
                r = gd_pci_read(h);
                if (r < 0)
                        return r;
        }
        if (what & GD_READ_IOMMU)
                (void) gd_iommu_read(h);
        if (what & GD_READ_KERNEL) {
                h->cmdline_state = gd_cmdline_read(&h->cmdline);
                h->kmsg_state = gd_kmsg_read(gd_hostpath(GD_DEV_KMSG)->path, &h->kmsg);
        }
        *ret = TAKE_PTR(h);
        return 0;
}
