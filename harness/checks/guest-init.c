/* SPDX-License-Identifier: MIT */
/* The guest family: did the GPU's driver initialise it (guest.c explains
 * the facts and their sources)?
 *
 *   guest.nvrm-init-failed   the NVIDIA driver: probe refused, or RmInitAdapter failed
 *   guest.driver-init-failed amdgpu, nouveau, i915, xe, radeon: probe or init failed
 *   guest.xid                NVIDIA Xid errors other than 79 (guest.gpu-lost) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-internal.h"
#include "model/guestinfo.h"
#include "model/kmsg.h"

/* "probe with driver amdgpu failed with error -22" (drivers/base/dd.c,
 * 5.x+) or "amdgpu: probe of 0000:07:00.0 failed with error -22" (before):
 * the driver named in the record, or NULL. */
static const char *probe_driver(const char *text, char *buf, size_t size) {
        const char *p = strstr(text, "probe with driver ");

        if (p) {
                p += strlen("probe with driver ");
                snprintf(buf, size, "%.*s", (int) strcspn(p, " "), p);
                return buf;
        }
        p = strstr(text, ": probe of ");
        if (p) {
                const char *start = p;
                while (start > text && start[-1] != ' ')
                        start--;
                snprintf(buf, size, "%.*s", (int) (p - start), start);
                return buf;
        }
        return NULL;
}

/* The first "failed with error" record naming d: its driver in drv. */
static const struct gd_kmsg_record *probe_failed(const struct gd_host *h, const struct gd_pci_dev *d, char *drv,
                                                 size_t size) {
        if (h->kmsg_state < 0)
                return NULL;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];
                if (gd_kmsg_record_has(r, GD_KMSG_PROBE_FAILED) && guest_text_names(r->text, d, false) &&
                    probe_driver(r->text, drv, size))
                        return r;
        }
        return NULL;
}

static struct gd_finding *add_failure(struct gd_findings *out, const struct gd_target *t, bool nvidia,
                                      const struct gd_pci_dev *d, const char *driver) {
        struct gd_finding *x = nvidia ?
                gd_findings_add(out, "guest.nvrm-init-failed", "the NVIDIA driver could not initialise the GPU at %s",
                                d->address) :
                gd_findings_add(out, "guest.driver-init-failed", "%s could not initialise the GPU at %s",
                                driver ? driver : "its driver", d->address);
        if (x)
                gd_finding_subject_target(x, t);
        return x;
}

bool guest_init_failures(const struct gd_host *h, const struct gd_target *t, const struct gd_pci_dev *d,
                         bool only_nvidia, struct gd_findings *out) {
        const struct gd_kmsg_record *init = guest_kfind(h, GD_KMSG_NVRM_INIT_FAILED, d, false, only_nvidia);
        const struct gd_kmsg_record *region = guest_kfind(h, GD_KMSG_NVRM_REGION_INVALID, d, false, only_nvidia);
        const struct gd_kmsg_record *none = d->vendor == 0x10de ?
                guest_kfind(h, GD_KMSG_NVRM_NONE_INITIALIZED, d, false, true) : NULL;
        const struct gd_kmsg_record *fatal = guest_kfind(h, GD_KMSG_AMDGPU_INIT_FATAL, d, false, false);
        char drv[64] = "";
        const struct gd_kmsg_record *probe = probe_failed(h, d, drv, sizeof(drv));
        bool nvidia = init || region || none || (probe && streq(drv, "nvidia"));
        struct gd_finding *x;

        /* "NVRM: None of the NVIDIA devices were initialized" on a host
         * whose GPU is bound to nvidia speaks of another device. */
        if (none && !init && !region && !probe && streq(d->driver, "nvidia"))
                none = NULL, nvidia = false;
        if (!nvidia && !fatal && !probe)
                return false;
        x = add_failure(out, t, nvidia, d, nvidia ? "nvidia" : drv[0] ? drv : d->driver);
        if (!x)
                return true;
        if (init)
                gd_finding_evidence_kmsg(x, h, init);
        if (region)
                gd_finding_evidence_kmsg(x, h, region);
        if (probe)
                gd_finding_evidence_kmsg(x, h, probe);
        if (fatal)
                gd_finding_evidence_kmsg(x, h, fatal);
        if (none)
                gd_finding_evidence_kmsg(x, h, none);
        if (region)
                gd_finding_remedy(x, "The driver rejects the GPU's BARs as the VM placed them: see guest.bar-unassigned "
                                     "for the host-side fix (the VM's 64-bit PCI window, a prefetchable last BAR).");
        else if (nvidia)
                gd_finding_remedy(x, "Read the NVRM lines around it (dmesg | grep -i nvrm). In a VM the usual causes "
                                     "are on the host: the GPU was not reset between VM starts (stop the VM fully, check "
                                     "reset on the host), the VM's BARs (guest.bar-unassigned), a driver too old for the "
                                     "GPU, or a hypervisor the consumer driver refuses (hidden KVM, cpu: host,hidden=1 "
                                     "on old drivers). Use the open kernel module for Turing and newer.");
        else
                gd_finding_remedy(x, "Read the driver's lines before it (dmesg | grep -i %s): missing firmware "
                                     "(install linux-firmware / firmware-amd-graphics) and a GPU the host did not "
                                     "release or reset (vendor-reset for AMD Polaris/Vega/Navi 1x on the host; a "
                                     "boot framebuffer holding its BAR on the host: fb.bar-claimed there) are the "
                                     "usual causes.", drv[0] ? drv : d->driver ? d->driver : "drm");
        return true;
}

bool guest_probe_completed(const struct gd_host *h, const struct gd_pci_dev *d) {
        const struct gd_guestinfo *g = h->guest;

        if (d->drm_state == 1 && d->drm)
                return true;
        if (streq(d->driver, "nvidia") && g && g->nvidia_gpus_state == 0)
                return gd_guest_nvidia_gpu(g, d->address) != NULL;
        return false;
}

void guest_check_xid(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        struct gd_finding *x = NULL;
        size_t n = 0;

        if (h->kmsg_state < 0 || gpu->vendor != 0x10de)
                return;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];

                if (!gd_kmsg_record_has(r, GD_KMSG_NVRM_XID) || !guest_text_names(r->text, gpu, true) ||
                    gd_kmsg_record_has(r, GD_KMSG_FALLEN_OFF_BUS))
                        continue;
                if (!x) {
                        x = gd_findings_add(out, "guest.xid", "the NVIDIA driver reported Xid errors for the GPU at %s",
                                            gpu->address);
                        if (!x)
                                return;
                        gd_finding_subject_target(x, t);
                        gd_finding_remedy(x, "Look each Xid up in NVIDIA's Xid table: application faults (13, 31, 43) "
                                             "are the program's; 48/63/64/94/95 are memory errors, 61/62/79 the GPU "
                                             "or its link: those need the host (power, PCIe link, reset).");
                }
                if (n++ < 8)
                        gd_finding_evidence_kmsg(x, h, r);
        }
}
