/* SPDX-License-Identifier: MIT */
/* The guest family: inside a VM that received a GPU, can it use it?  Runs
 * for the targets whose question is the guest's (model/role.h).
 *
 *   guest.gpu-lost           the GPU fell off the bus (Xid 79) or reads all ones
 *   guest.bar-unassigned     a memory BAR of a function has no address in the VM
 *   guest.nvrm-init-failed   the NVIDIA driver could not initialise the GPU
 *   guest.driver-init-failed another GPU driver's probe or init failed
 *   guest.driver-missing     the GPU has no driver, or is on vfio-pci without a vIOMMU
 *   guest.xid                the NVIDIA driver reported Xid errors
 *
 * Facts and sources:
 *  - BARs: /sys/bus/pci/devices/<addr>/resource.  A BAR the kernel could not
 *    place keeps its size with start 0 (IORESOURCE_UNSET;
 *    pci_release_resource() and __pci_read_base() in drivers/pci/), which
 *    lspci prints as "<unassigned>"; pci_assign_resource()
 *    (drivers/pci/setup-res.c) logs "failed to assign" when it gives up.
 *    The NVIDIA driver refuses such a GPU: "This PCI I/O region assigned to
 *    your NVIDIA device is invalid: BAR1 is 0M @ 0x0 (PCI:...)".  The cause
 *    is the VM's 64-bit MMIO window (the firmware's PCI aperture), not the
 *    guest: OVMF's X-PciMmio64Mb, QEMU's q35 pci-hole64 size, Cloud
 *    Hypervisor's prefetchable BAR emulation.
 *  - Initialised: the driver link names a GPU driver (its probe returned 0,
 *    drivers/base/dd.c really_probe()), the kernel log shows no init error
 *    for the function, and the driver's own trace of a completed probe is
 *    there: /proc/driver/nvidia/gpus/<addr> (nv_procfs_add_gpu()), or a
 *    DRM minor below the device (drm_dev_register()).  NVIDIA's adapter init
 *    runs at first open, so "RmInitAdapter failed" can follow a good probe.
 *  - Failures in the log, by signal (model/kmsg-signals.c): "RmInitAdapter
 *    failed", "assigned to your NVIDIA device is invalid", "None of the
 *    NVIDIA devices were initialized", "probe with driver X failed with
 *    error" / "probe of ADDR failed with error" (drivers/base/dd.c), amdgpu's
 *    "Fatal error during GPU init", "GPU has fallen off the bus" and
 *    "NVRM: Xid (PCI:dddd:bb:dd): N". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "families.h"
#include "guest-internal.h"
#include "model/guestinfo.h"
#include "model/kmsg.h"

/* ---- helpers ----------------------------------------------------------- */

/* Does text name d: its address as a word ("nvidia 0000:14:00.0: ...",
 * "probe of 0000:14:00.0 failed", "(PCI:0000:14:00.0)"), or, with slot_ok,
 * NVIDIA's slot form "PCI:0000:14:00" (Xid lines drop the function)? */
bool guest_text_names(const char *text, const struct gd_pci_dev *d, bool slot_ok) {
        char slot[16];

        for (const char *p = strstr(text, d->address); p; p = strstr(p + 1, d->address)) {
                char after = p[strlen(d->address)];
                if ((p == text || strchr(" (:", p[-1])) && (!after || strchr(" :),", after)))
                        return true;
        }
        if (!slot_ok)
                return false;
        snprintf(slot, sizeof(slot), "PCI:%04x:%02x:%02x", d->domain & 0xffff, d->bus & 0xff, d->dev & 0x1f);
        for (const char *p = strstr(text, slot); p; p = strstr(p + 1, slot))
                if (p[strlen(slot)] == ')' || p[strlen(slot)] == ':')
                        return true;
        return false;
}

/* True when text holds something shaped like a PCI address ("0000:01:00"). */
static bool names_any_address(const char *text) {
        for (const char *p = strchr(text, ':'); p; p = strchr(p + 1, ':'))
                if (p - text >= 4 && isxdigit((unsigned char) p[-1]) && isxdigit((unsigned char) p[-4]) &&
                    isxdigit((unsigned char) p[1]) && isxdigit((unsigned char) p[2]) && p[3] == ':')
                        return true;
        return false;
}

/* The first record with signal that names d (or, with only_one, one that
 * names no device at all: an older NVIDIA message without an address, when
 * d is the only NVIDIA GPU). */
const struct gd_kmsg_record *guest_kfind(const struct gd_host *h, enum gd_kmsg_signal s, const struct gd_pci_dev *d,
                                         bool slot_ok, bool only_one) {
        if (h->kmsg_state < 0)
                return NULL;
        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];
                if (gd_kmsg_record_has(r, s) &&
                    (guest_text_names(r->text, d, slot_ok) || (only_one && !names_any_address(r->text))))
                        return r;
        }
        return NULL;
}

static size_t count_vendor(const struct gd_targets *t, uint16_t vendor) {
        size_t n = 0;
        for (size_t i = 0; i < t->n; i++)
                n += t->items[i].gpu->vendor == vendor;
        return n;
}

bool guest_is_gpu_driver(const char *driver) {
        static const char *const drivers[] = { "nvidia", "nouveau", "amdgpu", "radeon", "i915", "xe", "ast", "mgag200",
                                               "bochs-drm", "virtio-pci", "vmwgfx", "hyperv_drm", "qxl", "cirrus" };
        for (size_t i = 0; i < ELEMENTSOF(drivers); i++)
                if (streq(driver, drivers[i]))
                        return true;
        return false;
}

/* ---- guest.gpu-lost ------------------------------------------------------ */

static bool check_lost(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        const struct gd_kmsg_record *r = guest_kfind(h, GD_KMSG_FALLEN_OFF_BUS, gpu, true, false);
        struct gd_finding *x;

        if (!r)
                return false;
        x = gd_findings_add(out, "guest.gpu-lost", "the GPU at %s fell off the bus: it no longer answers", gpu->address);
        if (!x)
                return true;
        gd_finding_subject_target(x, t);
        gd_finding_evidence_kmsg(x, h, r);
        gd_finding_remedy(x, "Stop the VM completely and start it again (a guest reboot does not reset the device). "
                             "If it returns, look at the host: the card's power and PCIe link, and whether its reset "
                             "works there (gpudiag explain on the host: reset.*, power.d3cold).");
        return true;
}

/* ---- guest.bar-unassigned ------------------------------------------------ */

static void check_bars(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];
                const struct gd_kmsg_record *failed = guest_kfind(h, GD_KMSG_FAILED_TO_ASSIGN, d, false, false);
                const struct gd_kmsg_record *zero = guest_kfind(h, GD_KMSG_NVRM_BAR_ZERO, d, false, false);
                const struct gd_bar *unset = NULL;
                struct gd_finding *x;

                for (size_t b = 0; b < d->n_bars; b++)
                        if (d->bars[b].index < 6 && (d->bars[b].flags & 0x200) && d->bars[b].start == 0 &&
                            d->bars[b].end > 0 && !unset)
                                unset = &d->bars[b];
                if (!unset && !failed && !zero) {
                        if (d->bars_read)
                                gd_findings_prove(out, GD_PROOF_BARS, d->address);
                        continue;
                }
                x = gd_findings_add(out, "guest.bar-unassigned", "%s has a memory BAR without an address in this VM: "
                                    "the VM's PCI memory window is too small for it", d->address);
                if (!x)
                        return;
                gd_finding_subject_target(x, t);
                if (unset) {
                        _cleanup_free_ char *src = gd_pci_attr_source(d, "resource");
                        gd_finding_evidence(x, src, unset->index + 1, "BAR %u: start 0, size %llu MiB (unassigned)",
                                            unset->index, (unsigned long long) ((unset->end + 1) >> 20));
                }
                if (failed)
                        gd_finding_evidence_kmsg(x, h, failed);
                if (zero)
                        gd_finding_evidence_kmsg(x, h, zero);
                gd_finding_remedy(x, "The fix is on the host, in the VM's configuration: give the VM a 64-bit PCI "
                                     "window large enough for the GPU's BARs (several times its memory size).");
                gd_finding_remedy_append(x, "  Proxmox/QEMU with OVMF: use machine q35 and raise the firmware's "
                                            "aperture, e.g. args: -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=262144 in "
                                            "/etc/pve/qemu-server/<vmid>.conf (libvirt: <qemu:commandline>).");
                gd_finding_remedy_append(x, "  QEMU q35: -global q35-pcihost.pci-hole64-size=512G; SeaBIOS places "
                                            "64-bit BARs only with a 64-bit hole: prefer OVMF (bios: ovmf) for "
                                            "large-BAR GPUs.");
                gd_finding_remedy_append(x, "  Cloud Hypervisor / Firecracker: expose the GPU's last BAR as "
                                            "prefetchable and size the MMIO window (the NVIDIA driver wants it).");
                gd_finding_remedy_append(x, "  Inside the VM, pci=realloc on the guest kernel command line lets "
                                            "Linux re-place BARs when the firmware left room but placed them badly.");
                if (t->question != GD_QUESTION_GUEST)
                        gd_finding_remedy_append(x, "  If this machine is not a VM: enable Above 4G Decoding (and "
                                                    "Resizable BAR where the card needs it) in the firmware setup, "
                                                    "or boot with pci=realloc.");
        }
}

/* ---- driver state and initialisation ------------------------------------ */

static void add_missing(const struct gd_host *h, const struct gd_target *t, const struct gd_pci_dev *d,
                        struct gd_findings *out) {
        bool vfio = d->driver && gd_driver_is_vfio_class(h, d->driver);
        struct gd_finding *x;

        x = vfio ? gd_findings_add(out, "guest.driver-missing", "the GPU at %s is on %s inside a VM without a "
                                   "virtual IOMMU: nothing in this VM can use it", d->address, d->driver) :
                   gd_findings_add(out, "guest.driver-missing", "the GPU at %s has no driver in this VM", d->address);
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        gd_finding_evidence_attr(x, d, "driver", d->driver ? d->driver : "(no driver bound)");
        if (vfio)
                gd_finding_remedy(x, "The host guide's vfio-pci steps belong on the host, not in the VM: undo them "
                                     "here (driverctl unset-override %s; remove 'options vfio-pci ids=' from "
                                     "/etc/modprobe.d and rebuild the initramfs), then load the GPU driver.",
                                  d->address);
        else
                gd_finding_remedy(x, "Install and load the GPU's driver in the VM: %s",
                                  d->vendor == 0x10de ? "NVIDIA: the distribution's nvidia driver (ubuntu-drivers "
                                                        "install, or apt install nvidia-driver / nvidia-open), then "
                                                        "nvidia-smi must list the GPU." :
                                  d->vendor == 0x1002 ? "AMD: amdgpu with its firmware (firmware-amd-graphics / "
                                                        "linux-firmware)." :
                                  d->vendor == 0x8086 ? "Intel: i915 or xe with linux-firmware." :
                                                        "the vendor's driver for this device.");
}

static void check_driver(const struct gd_host *h, const struct gd_targets *all, const struct gd_target *t,
                         struct gd_findings *out) {
        const struct gd_pci_dev *d = t->gpu;
        bool only_nvidia = d->vendor == 0x10de && count_vendor(all, 0x10de) == 1;
        bool failed;

        if (d->driver_known != TRI_YES)
                return;
        failed = guest_init_failures(h, t, d, only_nvidia, out);
        if (!d->driver || gd_driver_is_vfio_class(h, d->driver)) {
                if (!failed)
                        add_missing(h, t, d, out);
                return;
        }
        if (!guest_is_gpu_driver(d->driver))
                return;
        gd_findings_prove(out, GD_PROOF_GUEST_DRIVER, d->address);
        if (!failed && h->kmsg_state >= 0 && guest_probe_completed(h, d))
                gd_findings_prove(out, GD_PROOF_INITIALISED, d->address);
}

/* Where the role is unknown (a paste that shows neither a VM nor a host:
 * "dmesg | grep -i nvrm"), the GPU may be a host's or a VM's.  A driver
 * that could not initialise it, a BAR without an address or a GPU off the
 * bus block it in either role (on a host the device is then on a GPU
 * driver or in a broken state, its BARs unusable for VFIO too), so those
 * failures are named for the host question as well (catalogue: their
 * roles include unknown); what only a guest needs (a driver, device nodes,
 * the toolkit) is not asked. */
static void check_failures_any_role(const struct gd_host *h, const struct gd_targets *all, const struct gd_target *t,
                                    struct gd_findings *out) {
        const struct gd_pci_dev *d = t->gpu;

        if (check_lost(h, t, out))
                return;
        check_bars(h, t, out);
        (void) guest_init_failures(h, t, d, d->vendor == 0x10de && count_vendor(all, 0x10de) == 1, out);
}

void gd_check_guest(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        for (size_t i = 0; i < t->n; i++) {
                const struct gd_target *tg = &t->items[i];

                if (tg->question != GD_QUESTION_GUEST) {
                        if (out->role == GD_ROLE_UNKNOWN)
                                check_failures_any_role(h, t, tg, out);
                        continue;
                }
                if (check_lost(h, tg, out))
                        continue;
                check_bars(h, tg, out);
                check_driver(h, t, tg, out);
                guest_check_xid(h, tg, out);
                guest_check_nodes(h, tg, out);
                guest_check_toolkit(h, tg, out);
        }
}
