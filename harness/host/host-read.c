/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "bootconfig.h"
#include "cmdline.h"
#include "guest.h"
#include "host-read.h"
#include "interrupts.h"
#include "iomem.h"
#include "iommu.h"
#include "kmsg.h"
#include "modules.h"
#include "pci.h"
#include "platform.h"
#include "sysmodule.h"
#include "vmconfig.h"
#include "vmlog.h"

int gd_host_read(unsigned what, struct gd_host **ret) {
        _cleanup_host_ struct gd_host *h = gd_host_new();
        int r;

        if (!h)
                return -ENOMEM;
        h->is_root = geteuid() == 0;
        h->replayed = getenv("GPUDIAG_REPLAY") != NULL;
        /* Set by replay from the bundle's metadata.origin (cli/replay-exec.c,
         * replay/runner-explain.c). */
        h->imported = h->replayed && streq(getenv("GPUDIAG_BUNDLE_ORIGIN"), "imported");

        if (what & (GD_READ_PLATFORM | GD_READ_KERNEL))
                (void) gd_platform_read(h);
        if (what & GD_READ_PCI) {
                r = gd_pci_read(h, what & GD_READ_EVERY_DEVICE);
                if (r < 0)
                        return r;
        }
        if (what & GD_READ_IOMMU)
                (void) gd_iommu_read(h);
        if ((what & GD_READ_PLATFORM) && gd_guest_read(h) == -ENOMEM)
                return -ENOMEM;
        if (what & GD_READ_KERNEL) {
                h->cmdline_state = gd_cmdline_read(&h->cmdline);
                _cleanup_free_ char *kmsg = gd_hostpath_resolve(GD_DEV_KMSG);

                /* Only the records a check can use: the model stays small on
                 * a host with a long log (model/kmsg-signals.h). */
                h->kmsg_state = kmsg ? gd_kmsg_read(kmsg, true, &h->kmsg) : -ENOMEM;
                /* Evidence names the host's path, not a replay testbed's. */
                if (h->kmsg_state >= 0 && !streq(kmsg, gd_hostpath(GD_DEV_KMSG)->path)) {
                        free(h->kmsg.source);
                        h->kmsg.source = strdup(gd_hostpath(GD_DEV_KMSG)->path);
                }
                (void) gd_iomem_read(h);
                (void) gd_interrupts_read(h);
        }
        if ((what & GD_READ_MODULES) && gd_sysmodule_read(h) < 0)
                return -ENOMEM;
        if (what & GD_READ_MODULES) {
                /* Resolve every device's modalias now, so that checks stay pure. */
                _cleanup_strv_free_ char **aliases = NULL;
                for (size_t i = 0; i < h->n_devs; i++)
                        if (h->devs[i].modalias && strv_push_dup(&aliases, h->devs[i].modalias) < 0)
                                return -ENOMEM;
                r = gd_modconfig_read(NULL, aliases, &h->modconfig);
                if (r == -ENOMEM)
                        return r;
                /* loaded is NULL exactly when /proc/modules could not be read. */
                for (size_t i = 0; r >= 0 && h->modconfig->loaded && h->modconfig->loaded[i]; i++)
                        if (strv_push_dup(&h->modules, h->modconfig->loaded[i]) < 0)
                                return -ENOMEM;
                h->modules_state = r < 0 ? r : h->modconfig->loaded ? 0 : h->modconfig->loaded_state;
        }
        if (what & GD_READ_BOOT) {
                r = gd_bootconfig_read(h, &h->bootconfig);
                if (r == -ENOMEM)
                        return r;
                r = gd_vmconfig_read(h->hostname, &h->vmconfig);
                if (r < 0)
                        return r;
                r = gd_vmlog_read(&h->vmlog);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(h);
        return 0;
}
