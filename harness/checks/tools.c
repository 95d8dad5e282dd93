/* SPDX-License-Identifier: MIT */
/* The tools family: what QEMU, libvirt and Proxmox VE said when they tried
 * to give the card to a VM (model/vmlog.h: libvirt's per-VM logs, or the
 * messages of a paste).  Each message proves a fact the host's own files
 * may not show, and says it under the id of that fact:
 *
 *   vfio.group-not-viable  "group N is not viable" / "Please ensure all devices ... bound"
 *   vfio.not-bound         /dev/vfio/N does not exist: no device of the group is on vfio
 *   vfio.dma-map-failed    vfio_container_dma_map() / VFIO_MAP_DMA failed
 *   iommu.no-groups        "no iommu_group found", libvirt's "VFIO device assignment is
 *                          currently not supported", "doesn't support passthrough"
 *   irq.remap-missing      "Failed to set iommu for container: Operation not permitted"
 *   power.d3cold           "stuck in D3", libvirt's "Unknown PCI header type '127'"
 *   fb.bar-claimed         vfio_region_write() ... "Device or resource busy"
 *   rom.unreadable         QEMU could not read the ROM
 *   reset.none             writing the device's reset file: ENOTTY
 *   vm.config              the VM's own configuration stopped it (slot taken, device twice,
 *                          one group in two address spaces)
 *
 * The rules, each from the source of the tool and the kernel (model/vmlog.c
 * names the tool's functions):
 *  - VFIO_GROUP_GET_STATUS is VIABLE exactly when no device of the group has
 *    a driver that claimed DMA ownership (drivers/vfio/group.c
 *    vfio_group_ioctl_get_status()).
 *  - /dev/vfio/N exists while a device of group N is bound to a vfio driver
 *    (vfio_group_find_or_alloc(), vfio_device_remove_group()).
 *  - QEMU reads the device's iommu_group link; "no iommu_group found" is the
 *    link missing.  libvirt's check is a non-empty /sys/kernel/iommu_groups
 *    (virHostdevHostSupportsPassthroughVFIO()).
 *  - VFIO_SET_IOMMU fails with EPERM only where vfio_iommu_type1_attach_group()
 *    finds no interrupt remapping and allow_unsafe_interrupts is off.
 *  - libvirt reads the header type from config space; 127 is 0xff & 0x7f: the
 *    config space reads all ones, the device does not answer.
 *  - vfio-pci requests a BAR's region on QEMU's first access
 *    (vfio_pci_core_setup_barmap() -> pci_request_selected_regions()); EBUSY
 *    is another owner of the range, on a boot GPU the firmware framebuffer.
 *  - pci_reset_function() returns -ENOTTY when the device has no reset
 *    method (drivers/pci/pci.c __pci_reset_function_locked()).
 * A message names its device ("vfio 0000:01:00.0:", "host=01:00.0"); one
 * that names none (a hint line, a DMA map error) is about the cards the
 * host passes through (on vfio-pci, or named by a VM's config or log), or,
 * when none is, every card. */
#include <stdio.h>
#include <string.h>

#include "families.h"
#include "model/vmconfig.h"
#include "model/vmlog.h"
#include "remedy.h"
#include "vfio-ids.h"

/* What the plan gets from a fresh finding (model/action.h).  A finding a
 * check of the host's own files made already keeps that check's actions.
 * TOOL_ACT_PERSON: the message does not say what to change on this host
 * (which member of the group, which memory size, which ROM file, which
 * slot), so the plan shows the remedy as a person's step
 * (plan/plan.c unstructured_findings()). */
enum tool_act {
        TOOL_ACT_PERSON,
        TOOL_ACT_BIND,                 /* the card's known IDs to vfio-pci, vfio in the initramfs */
        TOOL_ACT_FIRMWARE_IOMMU,       /* enable the IOMMU in the firmware setup */
        TOOL_ACT_FIRMWARE_IRQ,         /* enable interrupt remapping in the firmware setup */
        TOOL_ACT_D3COLD,               /* vfio-pci.disable_idle_d3=1 */
};

struct tool_rule {
        enum gd_vmlog_signal signal;
        const char *and;               /* NULL, or a text the line must also hold */
        const char *id, *variant;
        const char *summary;           /* after "the card at <address>: " */
        const char *remedy;
        enum tool_act act;
};

static const struct tool_rule rules[] = {
        { GD_VMLOG_GROUP_NOT_VIABLE, NULL, "vfio.group-not-viable", NULL,
          "QEMU found its IOMMU group not viable: a device of the group is on a host driver",
          "Bind every endpoint of the card's IOMMU group to vfio-pci (list them with ls "
          "/sys/kernel/iommu_groups/<N>/devices and lspci -nnk -s <address>): the card's audio, USB and UCSI "
          "functions too; bridges may stay on pcieport. If the group holds devices the host needs, move the card "
          "to another slot (see group.shared).",
          TOOL_ACT_PERSON },
        { GD_VMLOG_ENSURE_BOUND, NULL, "vfio.group-not-viable", NULL,
          "QEMU refused its IOMMU group: not every device of it is bound to vfio-pci",
          "Bind every endpoint of the card's IOMMU group to vfio-pci (ls /sys/kernel/iommu_groups/<N>/devices; "
          "lspci -nnk -s <address> for each).",
          TOOL_ACT_PERSON },
        { GD_VMLOG_VERIFY_BOUND, NULL, "vfio.group-not-viable", NULL,
          "QEMU could not get it from its group: a device of the group is not on vfio-pci or "
          "pci-stub, or is in use",
          "Bind every endpoint of the card's IOMMU group to vfio-pci, and make sure no other VM uses it.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_OPEN_GROUP, NULL, "vfio.not-bound", NULL,
          "its IOMMU group has no /dev/vfio node: no device of the group is bound to vfio-pci",
          "Bind the card to vfio-pci and check with lspci -nnk that 'Kernel driver in use: vfio-pci' shows for "
          "every function: vfio-pci.ids= (spelled with a dot) on the command line or 'options vfio-pci ids=' in "
          "/etc/modprobe.d, vfio-pci in the initramfs, and a softdep so that it loads before the host driver.",
          TOOL_ACT_BIND },
        { GD_VMLOG_DMA_MAP, NULL, "vfio.dma-map-failed", NULL,
          "QEMU could not map the VM's memory for it (VFIO DMA map failed)",
          "Check the platform's IOMMU address width (dmesg | grep -iE 'address width|aperture') against the VM's "
          "memory map; lower the VM's memory or its 64-bit PCI window (QEMU -global "
          "q35-pcihost.pci-hole64-size=...), or update the kernel's IOMMU driver for this platform.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_NO_IOMMU_GROUP, NULL, "iommu.no-groups", NULL,
          "the VM tool found no IOMMU group for it (QEMU, or Harvester's PCIDeviceClaim webhook)",
          "Enable VT-d / AMD-Vi in the firmware setup, and on Intel kernels that do not enable it by default add "
          "intel_iommu=on; then /sys/bus/pci/devices/<address>/iommu_group exists.",
          TOOL_ACT_FIRMWARE_IOMMU },
        /* drivers/base/bus.c: /sys/bus/pci/drivers/<name>/ exists only while
         * the driver is registered (bus_add_driver()), so ENOENT on its bind
         * file means the vfio driver (vfio-pci or a variant) is not loaded. */
        { GD_VMLOG_BIND_ENOENT, NULL, "vfio.modules-missing", NULL,
          "the tool could not bind it: the vfio driver it named is not registered (no "
          "/sys/bus/pci/drivers/<driver>/bind)",
          "Load the driver the tool binds to before it runs (modprobe vfio-pci; a Grace GPU needs the variant "
          "driver, modprobe nvgrace_gpu_vfio_pci, which registers as nvgrace-gpu-vfio-pci) and put it in "
          "/etc/modules-load.d; if the module does not exist in this kernel, use a kernel that has it or bind "
          "plain vfio-pci. Check the driver name the tool is configured with against ls /sys/bus/pci/drivers.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_VFIO_UNSUPPORTED, NULL, "iommu.no-groups", NULL,
          "libvirt finds no IOMMU groups on this host (VFIO device assignment not supported)",
          "Enable VT-d / AMD-Vi in the firmware setup, and on Intel kernels that do not enable it by default add "
          "intel_iommu=on; libvirt needs a populated /sys/kernel/iommu_groups.",
          TOOL_ACT_FIRMWARE_IOMMU },
        { GD_VMLOG_NO_PASSTHROUGH, NULL, "iommu.no-groups", NULL,
          "libvirt says this host supports no PCI passthrough (no IOMMU groups)",
          "Enable VT-d / AMD-Vi in the firmware setup and, on Intel kernels that do not enable it by default, "
          "intel_iommu=on; load the vfio modules.",
          TOOL_ACT_FIRMWARE_IOMMU },
        { GD_VMLOG_SET_IOMMU, "Operation not permitted", "irq.remap-missing", NULL,
          "the kernel refused to attach its group to a VFIO container (no interrupt remapping)",
          "Enable interrupt remapping (x2APIC / VT-d or the IOMMU's IR in the firmware setup). Only if the "
          "platform has none, and knowing that a VM can then inject interrupts: "
          "vfio_iommu_type1.allow_unsafe_interrupts=1.",
          TOOL_ACT_FIRMWARE_IRQ },
        { GD_VMLOG_STUCK_IN_D3, NULL, "power.d3cold", NULL,
          "QEMU could not power it up: it is stuck in D3",
          "Keep the card out of D3cold: vfio-pci.disable_idle_d3=1 on the kernel command line and "
          "echo 0 > /sys/bus/pci/devices/<address>/d3cold_allowed; a card that reads all ones comes back only "
          "after a host reboot.",
          TOOL_ACT_D3COLD },
        { GD_VMLOG_HEADER_TYPE_127, NULL, "power.d3cold", NULL,
          "libvirt read header type 127: its config space reads all ones, the device does not answer",
          "The card is powered off or held by a host driver that put it to sleep: stop what uses it on the host "
          "(nvidia-persistenced, a display server), keep it out of D3cold (vfio-pci.disable_idle_d3=1), and "
          "reboot the host if it stays unreadable.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_REGION_BUSY, NULL, "fb.bar-claimed", NULL,
          "QEMU could not write one of its BARs (Device or resource busy): the range has another owner, on a "
          "boot GPU the firmware framebuffer",
          "Free the boot framebuffer: initcall_blacklist=sysfb_init (Linux 5.15+, BOOTFB / simple-framebuffer) "
          "or video=efifb:off / video=vesafb:off on the kernel command line (see fb.bar-claimed).",
          TOOL_ACT_PERSON },
        { GD_VMLOG_ROM_UNREADABLE, NULL, "rom.unreadable", NULL,
          "QEMU could not read its option ROM",
          "Give the VM the vBIOS from a file: romfile=<file> (Proxmox hostpciN, QEMU -device vfio-pci) or "
          "<rom file='...'/> (libvirt); or rombar=0 when the guest does not need it.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_RESET_ENOTTY, NULL, "reset.none", NULL,
          "resetting it failed with 'Inappropriate ioctl for device': it has no reset method",
          "An AMD GPU with the reset bug needs vendor-reset (see reset.amd-bug); otherwise pass every function "
          "of the card to the VM so that a bus reset is possible, and expect to reboot the host between VM "
          "starts.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_SLOT_IN_USE, NULL, "vm.config", "will-not-start",
          "the VM's own devices take the guest slot it needs",
          "Remove the VM's emulated display (Proxmox: vga: none) or put the card at another guest address; "
          "legacy IGD passthrough needs guest slot 00:02.0.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_ALREADY_ATTACHED, NULL, "vm.config", "will-not-start",
          "the VM gets one of its functions twice",
          "List each function once: a Proxmox hostpciN without a function number (0000:01:00) already passes "
          "every function, so drop the extra hostpci line for .1.",
          TOOL_ACT_PERSON },
        /* Xen's QEMU takes an Intel IGD (its 00:02.0) only with igd-passthru
         * on the machine (hw/xen/xen_pt.c xen_pt_realize()). */
        { GD_VMLOG_IGD_PASSTHRU, NULL, "vm.config", "will-not-start",
          "Xen's QEMU refused the Intel integrated GPU: IGD passthrough is not enabled for the domain",
          "Enable IGD passthrough in the toolstack: gfx_passthru=1 in the xl domain config (QEMU -machine "
          "xenfv,igd-passthru=on); on Qubes OS the domain's gfx-passthru feature "
          "(qvm-features <vm> gfx-passthru 1). IGD passthrough also wants the guest slot 00:02.0.",
          TOOL_ACT_PERSON },
        { GD_VMLOG_MULTIPLE_SPACES, NULL, "vm.config", "will-not-start",
          "devices of its IOMMU group were given to different address spaces",
          "Give every device of an IOMMU group to the same VM (and, with a vIOMMU, behind the same one): a group "
          "is assigned as a whole.",
          TOOL_ACT_PERSON },
};

/* The targets a message that names no device is about. */
static bool passed_through(const struct gd_host *h, const struct gd_target *t) {
        for (size_t i = 0; i < t->n_functions; i++) {
                const struct gd_pci_dev *d = t->functions[i];

                if (d->driver_known == TRI_YES && gd_driver_is_vfio_class(h, d->driver))
                        return true;
                for (size_t v = 0; h->vmconfig && v < h->vmconfig->n_vms; v++)
                        for (size_t p = 0; p < h->vmconfig->vms[v].n_pci; p++)
                                if (gd_vm_pci_matches(&h->vmconfig->vms[v].pci[p], d))
                                        return true;
                if (gd_vmlog_find(h->vmlog, GD_VMLOG_VFIO_DEVICE, d->address, 0) ||
                    gd_vmlog_find(h->vmlog, GD_VMLOG_XEN_PT_DEVICE, d->address, 0))
                        return true;
        }
        return false;
}

static bool about(const struct gd_host *h, const struct gd_targets *ts, const struct gd_target *t,
                  const struct gd_vmlog_record *r) {
        bool any_passed = false;

        if (r->address[0])
                return gd_target_has(t, r->address);
        for (size_t i = 0; i < ts->n; i++)
                any_passed = any_passed || passed_through(h, &ts->items[i]);
        return !any_passed || passed_through(h, t);
}

/* A finding of this id about this card already (a check of the host's own
 * files found it): the message is more evidence, not another finding. */
static struct gd_finding *existing(struct gd_findings *out, const char *id, const struct gd_target *t) {
        for (size_t i = 0; i < out->n; i++) {
                const struct gd_finding *x = &out->items[i];
                bool host_wide = !x->subjects || !x->subjects[0];

                if (streq(x->id, id) && (host_wide || gd_finding_has_subject(x, t->gpu->address)))
                        return &out->items[i];
        }
        return NULL;
}

static void act(struct gd_finding *x, const struct gd_host *h, const struct gd_target *t, enum tool_act a) {
        switch (a) {
        case TOOL_ACT_BIND: {
                /* The guide's binding (driver.host-bound gives the same
                 * actions): the planner merges the IDs into vfio-pci ids=.
                 * A function whose IDs the paste does not show cannot be
                 * named there. */
                static const char *const modules[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };
                bool any = false;

                for (size_t i = 0; i < t->n_functions; i++) {
                        char id[16];

                        if (t->functions[i]->ids_unknown)
                                continue;
                        snprintf(id, sizeof(id), "%04x:%04x", t->functions[i]->vendor, t->functions[i]->device);
                        gd_finding_act(x, GD_ACT_VFIO_IDS, id);
                        any = true;
                }
                if (!any)
                        break;
                for (size_t i = 0; i < ELEMENTSOF(modules); i++)
                        gd_finding_act(x, GD_ACT_INITRAMFS_MODULE, modules[i]);
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
                break;
        }
        case TOOL_ACT_FIRMWARE_IOMMU:
                gd_finding_act_text(x, GD_ACT_FIRMWARE, "Enable %s",
                                    streq(h->cpu_vendor, "AuthenticAMD") ? "IOMMU / AMD-Vi (often under AMD CBS > NBIO)" :
                                    streq(h->cpu_vendor, "GenuineIntel") ?
                                    "VT-d (Intel Virtualization Technology for Directed I/O)" :
                                    "VT-d (Intel), IOMMU / AMD-Vi (AMD) or the SMMU (arm64)");
                break;
        case TOOL_ACT_FIRMWARE_IRQ:
                /* allow_unsafe_interrupts costs the isolation: only a person
                 * may choose it (irq.remap-missing's own rule says so too). */
                gd_finding_act_text(x, GD_ACT_FIRMWARE, "Enable interrupt remapping (x2APIC / VT-d or the IOMMU's "
                                    "interrupt remapping)");
                break;
        case TOOL_ACT_D3COLD:
                gd_finding_act(x, GD_ACT_CMDLINE_ADD, "vfio-pci.disable_idle_d3=1");
                gd_finding_act(x, GD_ACT_BOOTLOADER_REFRESH, NULL);
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
                break;
        case TOOL_ACT_PERSON:
                break;
        }
}

static void check_target(const struct gd_host *h, const struct gd_targets *ts, const struct gd_target *t,
                         struct gd_findings *out) {
        for (size_t k = 0; k < ELEMENTSOF(rules); k++) {
                const struct tool_rule *rule = &rules[k];
                struct gd_finding *x = NULL;
                bool fresh = false;

                for (size_t i = 0; i < h->vmlog->n_records; i++) {
                        const struct gd_vmlog_record *r = &h->vmlog->records[i];

                        if (!gd_vmlog_record_has(r, rule->signal) || (rule->and && !strstr(r->text, rule->and)) ||
                            !about(h, ts, t, r))
                                continue;
                        if (!x && !(x = existing(out, rule->id, t))) {
                                x = gd_findings_add_variant(out, rule->id, rule->variant, "the card at %s: %s",
                                                            t->gpu->address, rule->summary);
                                if (!x)
                                        return;
                                fresh = true;
                                gd_finding_subject_target(x, t);
                        }
                        gd_finding_evidence(x, r->file, r->line, "%s", r->text);
                }
                if (fresh) {
                        gd_finding_remedy(x, "%s", rule->remedy);
                        act(x, h, t, rule->act);
                }
        }
}

void gd_check_tools(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        if (!h->vmlog || h->vmlog->n_records == 0)
                return;
        for (size_t i = 0; i < t->n; i++)
                check_target(h, t, &t->items[i], out);
}
