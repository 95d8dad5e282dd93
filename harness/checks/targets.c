/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/vmconfig.h"
#include "model/vmlog.h"
#include "model/kmsg.h"
#include "vendor-reset-ids.h"
#include "vfio-ids.h"

bool gd_target_has(const struct gd_target *t, const char *address) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (strcmp(t->functions[i]->address, address) == 0)
                        return true;
        return false;
}

void gd_targets_clear(struct gd_targets *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->items[i].functions);
        free(t->items);
        t->items = NULL;
        t->n = 0;
}

static bool already_target(const struct gd_targets *t, const struct gd_pci_dev *d) {
        for (size_t i = 0; i < t->n; i++)
                if (gd_pci_same_slot(t->items[i].gpu, d))
                        return true;
        return false;
}

/* Drivers that bind only display-class devices: their ID tables match
 * display classes or GPU device IDs alone (nvidia: class 0x0300/0x0302 of
 * vendor 0x10de; nouveau, amdgpu, radeon, i915, xe and the DRM drivers of
 * virtual and BMC GPUs: device tables of GPUs).  A device bound to one is a
 * GPU even when a paste did not show its class. */
static const char *const gpu_drivers[] = {
        "nvidia", "nouveau", "amdgpu", "radeon", "i915", "xe", "gma500", "ast", "mgag200", "vmwgfx",
        "bochs-drm", "bochs", "qxl", "cirrus", "cirrus-qemu", "virtio-gpu", "nvidiafb", "rivafb",
};

bool gd_driver_is_gpu(const char *driver) {
        for (size_t i = 0; driver && i < ELEMENTSOF(gpu_drivers); i++)
                if (streq(driver, gpu_drivers[i]))
                        return true;
        return false;
}

static bool named_by_vm_config(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t i = 0; h->vmconfig && i < h->vmconfig->n_vms; i++)
                for (size_t j = 0; j < h->vmconfig->vms[i].n_pci; j++)
                        if (gd_vm_pci_matches(&h->vmconfig->vms[i].pci[j], d))
                                return true;
        return false;
}

/* A function the card is named by.  A display-class device is a GPU.  An
 * imported device whose class the paste did not show (model/host.h) is one
 * when it is the boot VGA device, when it is bound to a GPU driver, when a
 * GPU driver's probe of it failed, when vendor-reset resets it, or when the
 * paste passes it through (on vfio-pci or refused by its probe, or named by
 * a VM configuration or by QEMU's or libvirt's messages about a VFIO
 * device): passing devices to VMs is what such a paste is about, and
 * gpudiag's verdict is then the answer for that device.  Either is said in
 * the report ("class unknown"). */
static bool named_by_vm_log(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t i = 0; h->vmlog && i < h->vmlog->n_records; i++)
                if (streq(h->vmlog->records[i].address, d->address))
                        return true;
        return false;
}

/* A probe that failed on the device, by vfio-pci or by a GPU driver
 * (drivers/base/dd.c really_probe() prints "<driver> <bdf>: probe with
 * driver <driver> failed with error %d"): the driver core probes a driver
 * only for devices its ID table matches, so a GPU driver's probe proves a
 * GPU even though it bound nothing (amdgpu's PSP failures), and vfio-pci's
 * proves that someone bound it to pass it through, as a device on vfio-pci
 * is. */
static bool probed_as_card(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t i = 0; h->kmsg_state >= 0 && i < h->kmsg.n_records; i++) {
                const char *text = h->kmsg.records[i].text;
                size_t n = strcspn(text, " ");
                char driver[32], needle[64];

                if (!gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_PROBE_FAILED) || n == 0 || n >= sizeof(driver))
                        continue;
                snprintf(driver, sizeof(driver), "%.*s", (int) n, text);
                snprintf(needle, sizeof(needle), "probe with driver %s ", driver);
                if ((streq(driver, "vfio-pci") || gd_driver_is_gpu(driver)) && gd_kmsg_names_device(text, d->address) &&
                    strstr(text, needle))
                        return true;
                /* Before 5.16: "nvidia: probe of 0000:14:00.0 failed with error -1". */
                if (n > 1 && text[n - 1] == ':' && (n - 1 < sizeof(driver))) {
                        snprintf(driver, sizeof(driver), "%.*s", (int) (n - 1), text);
                        snprintf(needle, sizeof(needle), "probe of %s failed", d->address);
                        if ((streq(driver, "vfio-pci") || gd_driver_is_gpu(driver)) && strstr(text, needle))
                                return true;
                }
        }
        return false;
}

/* The NVIDIA kernel module names a device in its "NVRM: " messages only
 * after its PCI ID table matched it (nv_pci_probe() in kernel-open/nvidia/
 * nv-pci.c of NVIDIA's open-gpu-kernel-modules: "NVRM: GPU <addr>:
 * RmInitAdapter failed!", "NVRM: BAR1 is 0M @ 0x0 (PCI:<addr>)", "NVRM:
 * Xid (PCI:<addr>): 79"): such a line proves an NVIDIA GPU. */
static bool named_by_nvrm(const struct gd_host *h, const struct gd_pci_dev *d) {
        static const enum gd_kmsg_signal signals[] = { GD_KMSG_NVRM_INIT_FAILED, GD_KMSG_NVRM_BAR_ZERO,
                                                       GD_KMSG_NVRM_REGION_INVALID, GD_KMSG_NVRM_XID };
        char pci[24];

        snprintf(pci, sizeof(pci), "PCI:%s", d->address);
        for (size_t i = 0; h->kmsg_state >= 0 && i < h->kmsg.n_records; i++) {
                const char *text = h->kmsg.records[i].text;

                for (size_t k = 0; k < ELEMENTSOF(signals); k++)
                        if (gd_kmsg_record_has(&h->kmsg.records[i], signals[k]) && strstr(text, "NVRM: ") &&
                            (strstr(text, pci) || gd_kmsg_names_device(text, d->address)))
                                return true;
        }
        return false;
}

/* vendor-reset registers only for the AMD GPUs of its table: its messages
 * about a device prove that it is one (vendor-reset-ids.h). */
static bool reset_by_vendor_reset(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t i = 0; h->kmsg_state >= 0 && i < h->kmsg.n_records; i++)
                if (gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_VENDOR_RESET) &&
                    gd_vendor_reset_in_log(h->kmsg.records[i].text, d->address))
                        return true;
        return false;
}

/* The Intel IOMMU driver's quirks for integrated graphics print only for a
 * display-class device (drivers/iommu/intel/iommu.c: quirk_igfx_skip_te_disable()
 * returns unless IS_GFX_DEVICE(), "(pdev->class >> 16) == PCI_BASE_CLASS_DISPLAY",
 * then pci_info(dev, "Skip IOMMU disabling for graphics"); quirk_iommu_igfx()
 * and quirk_iommu_g4x_gfx(), declared for the iGPU device IDs only:
 * pci_info(dev, "Disabling IOMMU for graphics on this chipset")). */
static bool named_by_gfx_quirk(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t i = 0; h->kmsg_state >= 0 && i < h->kmsg.n_records; i++)
                if ((gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_IGFX_SKIP_TE) ||
                     gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_IGFX_DMAR_OFF)) &&
                    gd_kmsg_names_device(h->kmsg.records[i].text, d->address))
                        return true;
        return false;
}

static bool names_card(const struct gd_host *h, const struct gd_pci_dev *d) {
        if (!d->class_unknown)
                return gd_pci_is_display(d);
        /* boot_vga exists only for VGA-class devices (pci-sysfs.c). */
        if (d->boot_vga == TRI_YES)
                return true;
        if (d->driver_known == TRI_YES && (gd_driver_is_gpu(d->driver) || gd_driver_is_vfio_class(h, d->driver)))
                return true;
        return named_by_vm_config(h, d) || named_by_vm_log(h, d) || reset_by_vendor_reset(h, d) ||
               probed_as_card(h, d) || named_by_nvrm(h, d) || named_by_gfx_quirk(h, d);
}

/* True when a function of d's slot has a known class that is a display
 * class, or when the slot's card is named by a known class anyway: then
 * an unknown-class function is one of its functions, not another card. */
static bool slot_has_known_display(const struct gd_host *h, const struct gd_pci_dev *d) {
        for (size_t j = 0; j < h->n_devs; j++)
                if (gd_pci_same_slot(d, &h->devs[j]) && !h->devs[j].class_unknown && gd_pci_is_display(&h->devs[j]))
                        return true;
        return false;
}

/* A function of the card: the card's functions carry its vendor ID (a
 * GPU's HD audio, USB-C and UCSI functions are NVIDIA's, AMD/ATI's...).
 * The slot of an AMD APU's GPU also holds the platform's own functions
 * with AMD's CPU vendor ID 0x1022 (the PSP/CCP, USB controllers, the
 * audio processor), which are not the GPU's: they are other devices of its
 * IOMMU group, judged by group.shared.  IDs a paste did not show, or that
 * read all ones: the card's. */
static bool same_card(const struct gd_pci_dev *gpu, const struct gd_pci_dev *d) {
        /* 0xffff: config space reads all ones, a function off the bus
         * (power.c), whatever it was. */
        return gpu == d || gpu->ids_unknown || d->ids_unknown || gpu->vendor == d->vendor || d->vendor == 0xffff;
}

enum gd_question gd_target_question(const struct gd_host *h, const struct gd_target *t, enum gd_role role) {
        switch (role) {
        case GD_ROLE_GUEST:
        case GD_ROLE_XEN_DOMU:
                return GD_QUESTION_GUEST;
        case GD_ROLE_XEN_DOM0:
                return GD_QUESTION_XEN;
        case GD_ROLE_GUEST_VIOMMU:
                /* A GPU a nested guest is meant to get is on a vfio driver
                 * (or on its way there: driver_override). */
                return gd_driver_is_vfio_class(h, t->gpu->driver) || streq(t->gpu->driver_override, "vfio-pci") ?
                       GD_QUESTION_HOST : GD_QUESTION_GUEST;
        default:
                return GD_QUESTION_HOST;
        }
}

int gd_targets_find(const struct gd_host *h, const char *slot, struct gd_targets *ret) {
        struct gd_targets t = { 0 };
        enum gd_role role = gd_role_of(h);

        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *gpu = &h->devs[i];
                struct gd_target *nt, *x;

                /* The first display function of a slot names the card; a
                 * second display function (rare dual-head cards) is one of
                 * its functions, not another target. */
                if (!names_card(h, gpu) || already_target(&t, gpu) ||
                    (gpu->class_unknown && slot_has_known_display(h, gpu)))
                        continue;
                nt = realloc(t.items, (t.n + 1) * sizeof(*nt));
                if (!nt) {
                        gd_targets_clear(&t);
                        return -ENOMEM;
                }
                t.items = nt;
                x = &t.items[t.n++];
                memset(x, 0, sizeof(*x));
                x->gpu = gpu;
                x->functions = calloc(8, sizeof(*x->functions));
                if (!x->functions) {
                        gd_targets_clear(&t);
                        return -ENOMEM;
                }
                /* devs are sorted by address, so functions come out sorted. */
                for (size_t j = 0; j < h->n_devs && x->n_functions < 8; j++)
                        if (gd_pci_same_slot(gpu, &h->devs[j]) && same_card(gpu, &h->devs[j]))
                                x->functions[x->n_functions++] = &h->devs[j];
                x->question = gd_target_question(h, x, role);
        }

        if (slot) {
                size_t keep = 0;
                for (size_t i = 0; i < t.n; i++) {
                        if (gd_target_has(&t.items[i], slot)) {
                                struct gd_target tmp = t.items[keep];
                                t.items[keep++] = t.items[i];
                                t.items[i] = tmp;
                        }
                }
                for (size_t i = keep; i < t.n; i++)
                        free(t.items[i].functions);
                t.n = keep;
        }
        *ret = t;
        return 0;
}
