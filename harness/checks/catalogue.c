/* SPDX-License-Identifier: MIT */
/* The catalogue of finding ids: the one place that says what each id means,
 * how severe it is and what it does to a verdict.  gpudiag(1) and the README
 * print the same text (test-catalogue.c keeps them in step). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const struct gd_catalogue_entry catalogue[] = {
        { "fact.unreadable", GD_SEV_WARNING, GD_EFFECT_UNKNOWN,
          "a fact the verdict needs could not be read",
          "A file or attribute that decides readiness could not be read: most often because gpudiag ran "
          "without root (config space past 64 bytes, /proc/iomem addresses and, with kernel.dmesg_restrict=1, "
          "the kernel log need root), or because a bundle or paste did not contain it. The verdict is UNKNOWN, "
          "never a guessed READY; the finding names each missing fact." },
        { "gpu.none", GD_SEV_INFO, GD_EFFECT_NONE,
          "no GPU on this host",
          "No display-class PCI device (class 03xx) was found, so there is nothing to pass through." },
        { "iommu.firmware-off", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "VT-d / AMD-Vi is off in the firmware",
          "Neither the ACPI DMAR table (Intel VT-d) nor IVRS (AMD-Vi) exists under /sys/firmware/acpi/tables, "
          "so the firmware did not describe an IOMMU to the kernel (drivers/iommu/intel/dmar.c, "
          "drivers/iommu/amd/init.c read these tables). Enable VT-d or IOMMU/AMD-Vi in the firmware setup." },
        { "iommu.kernel-off", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "the firmware has an IOMMU but the kernel did not enable it",
          "The DMAR or IVRS table exists but no IOMMU unit is registered in /sys/class/iommu: the kernel command "
          "line turned it off (intel_iommu=off, amd_iommu=off, iommu=off) or, on Intel, the kernel was built "
          "without CONFIG_INTEL_IOMMU_DEFAULT_ON and intel_iommu=on is missing (drivers/iommu/intel/iommu.c: "
          "dmar_disabled = !IS_ENABLED(CONFIG_INTEL_IOMMU_DEFAULT_ON)). 'DMAR: IOMMU enabled' alone is not proof: "
          "it is printed by the command-line parser; 'DMAR: Intel(R) Virtualization Technology for Directed I/O' is." },
        { "iommu.no-groups", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "there are no IOMMU groups",
          "/sys/kernel/iommu_groups is empty or missing, so vfio-pci cannot bind any device "
          "(vfio_pci_core_register_device fails with -EINVAL without a group)." },
        { "iommu.init-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "the IOMMU driver gave the device up after adding it to a group",
          "The kernel log adds a function of the card to an IOMMU group and later removes it ('Adding to iommu "
          "group N', then 'Removing from iommu group N': iommu_group_add_device() and "
          "__iommu_group_remove_device() in drivers/iommu/iommu.c) with no later 'Adding': the device is in no "
          "group, so vfio-pci cannot take it. It happens when the IOMMU driver fails after probing the devices "
          "(Intel before 5.8 tore every group down after 'DMAR: Failed to get a private domain'). The errors "
          "before the removals in the log say why; a firmware or kernel update, or iommu=pt, are the usual "
          "ways out." },
        { "iommu.hypervisor", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "this host is a virtual machine without a virtual IOMMU",
          "The CPU reports the 'hypervisor' flag (or DMI names a hypervisor) and no IOMMU is visible. Passing a "
          "device on from inside a VM (nested passthrough) needs a vIOMMU in the outer VM, e.g. QEMU "
          "-device intel-iommu,intremap=on,caching-mode=on, and nested virtualization." },
        { "iommu.xen-dom0", GD_SEV_INFO, GD_EFFECT_NONE,
          "Xen dom0: passthrough goes through Xen, not VFIO",
          "In a Xen dom0 the hypervisor owns the IOMMU; Linux shows no IOMMU groups, yet devices are passed "
          "through with xl pci-assignable-add / pciback. VFIO checks do not apply." },
        { "iommu.noiommu-mode", GD_SEV_WARNING, GD_EFFECT_BLOCKS,
          "vfio runs in unsafe no-IOMMU mode",
          "vfio.enable_unsafe_noiommu_mode=1 creates noiommu groups for userspace drivers such as DPDK; they "
          "give no DMA isolation and cannot be used by QEMU/KVM for a VM." },
        { "iommu.unknown-option", GD_SEV_INFO, GD_EFFECT_NONE,
          "a kernel command-line IOMMU option is not one the kernel knows",
          "intel_iommu= and amd_iommu= accept a fixed set of words; anything else is reported as 'Unknown option' "
          "and ignored (intel_iommu_setup() in drivers/iommu/intel/iommu.c, parse_amd_iommu_options() in "
          "drivers/iommu/amd/init.c). Common cases: intel_iommu=pt (meant iommu=pt) and amd_iommu=on (the AMD "
          "IOMMU is on whenever the IVRS table exists, unless amd_iommu=off)." },
        { "irq.remap-missing", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "no interrupt remapping",
          "Without interrupt remapping vfio_iommu_type1 refuses to attach a group ('No interrupt remapping "
          "support.  Use the module param \"allow_unsafe_interrupts\"', drivers/vfio/vfio_iommu_type1.c). "
          "Proof of remapping is 'DMAR-IR: Enabled IRQ remapping' or 'AMD-Vi: Interrupt remapping enabled' in "
          "the kernel log, or IR- interrupt chips in /proc/interrupts." },
        { "irq.unsafe-allowed", GD_SEV_WARNING, GD_EFFECT_NONE,
          "unsafe interrupts are allowed",
          "vfio_iommu_type1.allow_unsafe_interrupts=1 lets a VM inject interrupts into the host when remapping is "
          "missing. Remove it if the host has interrupt remapping." },
        { "group.shared", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "the GPU's IOMMU group holds other devices",
          "A group is the unit of isolation: every endpoint in it must be bound to vfio-pci (or no driver) before "
          "QEMU can open it ('group N is not viable'). Members that are functions of the same card, or PCI "
          "bridges and root ports (pcieport), do not block. The finding names each other member and whether "
          "the bridge above it lacks ACS, which is why they share the group (pci_device_group() in "
          "drivers/iommu/iommu.c). When every other member is already on vfio-pci or pci-stub, or has no "
          "driver, the group is usable (vfio_group_ioctl_get_status() in drivers/vfio/group.c checks that no "
          "host driver claimed DMA ownership): the finding is then a warning that the VM takes those devices "
          "too, and does not block; when a member's driver cannot be read, the verdict is UNKNOWN." },
        { "gpu.functions-split", GD_SEV_WARNING, GD_EFFECT_BLOCKS,
          "functions of one card are in different groups or on different drivers",
          "The audio, USB and UCSI functions of a GPU go to the VM with it. Functions on different drivers "
          "block (one of them is then on a host driver, or unbound). Functions only in different groups do not "
          "block by themselves, since each group can be usable; on NVIDIA cards, whose functions lack ACS, it "
          "usually means an ACS override split them, so isolation between them is not real." },
        { "driver.host-bound", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "a function of the GPU is bound to a host driver",
          "The GPU or one of its functions is bound to a driver other than vfio-pci (nouveau, nvidia, amdgpu, "
          "radeon, snd_hda_intel, xhci_hcd, i2c-nvidia-gpu...), read from the device's driver link." },
        { "driver.unbound", GD_SEV_WARNING, GD_EFFECT_BLOCKS,
          "a function of the GPU has no driver",
          "An unbound function does not block a group by itself, but libvirt and QEMU need every function on "
          "vfio-pci before the VM starts; without managed='yes' nothing binds it." },
        { "driver.will-claim", GD_SEV_WARNING, GD_EFFECT_NONE,
          "at next boot a host driver will claim the device",
          "The device's modalias matches a host driver's alias in modules.alias, and nothing in the module "
          "configuration stops it first: no vfio-pci ids= for this device with a softdep that loads vfio-pci "
          "before the driver, no blacklist, no driver_override. Read with libkmod as modprobe would." },
        { "vfio.modules-missing", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "the vfio modules are not loaded",
          "vfio, vfio_iommu_type1 and vfio_pci must be loaded (or built in) for a VM to use a device." },
        { "vfio.group-not-viable", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "QEMU found the GPU's IOMMU group not viable",
          "QEMU (hw/vfio/container-legacy.c vfio_group_get(): 'group N is not viable', 'Please ensure all devices "
          "within the iommu_group are bound to their vfio bus driver'; vfio_device_get(): 'Verify all devices in "
          "group N are bound to vfio-<bus> or pci-stub') refused the card's group: the kernel reports "
          "VFIO_GROUP_FLAGS_VIABLE only when no device of the group is bound to a driver that claimed DMA "
          "ownership (vfio_group_ioctl_get_status() in drivers/vfio/group.c). Some member of the group is on a "
          "host driver; the log may not say which (group.shared and driver.host-bound name them when the "
          "groups and drivers are known)." },
        { "vfio.not-bound", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "no device of the GPU's group is bound to vfio-pci",
          "QEMU could not open /dev/vfio/N ('No such file or directory'; hw/vfio/container-legacy.c "
          "vfio_group_get()). The kernel creates a group's /dev/vfio/N when the first device of the group binds "
          "to a vfio driver and removes it when the last one leaves (vfio_group_find_or_alloc() and "
          "vfio_device_remove_group() in drivers/vfio/group.c), so none of the group's devices is on vfio-pci: "
          "the vfio-pci ids= or driver_override did not take effect (a typo on the command line, vfio-pci not "
          "in the initramfs, a host driver first)." },
        { "vfio.dma-map-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "QEMU could not map the VM's memory for the device",
          "QEMU's VFIO_IOMMU_MAP_DMA of guest memory failed ('vfio_container_dma_map(...) = -22 (Invalid "
          "argument)', 'VFIO_MAP_DMA failed'; hw/vfio/listener.c and container-legacy.c vfio_legacy_dma_map()), "
          "so the VM does not start. vfio_iommu_type1's vfio_dma_do_map() returns -EINVAL for an IOVA outside the "
          "IOMMU's usable ranges (an address width smaller than the VM's memory map, reserved regions), and "
          "other errors for pinning limits. Lower the VM's memory or its 64-bit MMIO window, check the "
          "platform's IOMMU address width (dmesg | grep -i 'address width'), or update the IOMMU driver." },
        { "vfio.virqfd-obsolete", GD_SEV_INFO, GD_EFFECT_NONE,
          "vfio_virqfd is listed but no longer exists",
          "vfio_virqfd was merged into vfio.ko in Linux 6.2; listing it in /etc/modules only produces "
          "'Failed to find module' at boot. Harmless, but remove the line." },
        { "vfio.ids-mismatch", GD_SEV_WARNING, GD_EFFECT_NONE,
          "vfio-pci ids= does not match the card",
          "The vfio-pci ids= list (modprobe.d options or vfio-pci.ids= on the command line) misses a function of "
          "the card, or names an ID no device has. vfio-pci only claims devices whose vendor:device is listed." },
        { "vfio.builtin-ignores-modprobe", GD_SEV_WARNING, GD_EFFECT_NONE,
          "vfio-pci is built into the kernel, so modprobe.d options are ignored",
          "With CONFIG_VFIO_PCI=y, 'options vfio-pci ids=' in modprobe.d is never read; only vfio-pci.ids= on the "
          "kernel command line configures it." },
        { "boot.cmdline-drift", GD_SEV_WARNING, GD_EFFECT_NONE,
          "the boot loader configuration has flags the running kernel did not get",
          "A flag in /etc/default/grub or /etc/kernel/cmdline is missing from /proc/cmdline: the boot loader "
          "configuration was not regenerated (update-grub, proxmox-boot-tool refresh) or the host was not "
          "rebooted." },
        { "boot.initramfs-stale", GD_SEV_WARNING, GD_EFFECT_NONE,
          "module configuration is newer than the initramfs",
          "A modprobe.d file or /etc/modules changed after the initramfs of the running kernel was built, so "
          "vfio options and softdeps may not apply during early boot (update-initramfs -u, dracut -f, "
          "mkinitcpio -P)." },
        { "fb.bar-claimed", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "a boot framebuffer holds the GPU's memory",
          "A BOOTFB/efifb/vesafb/simple-framebuffer/simpledrm range in /proc/iomem lies inside a BAR of a function "
          "of the card (or nested under it), or the log shows 'BAR n: can't reserve' (6.8+: 'BAR n [mem ...]: "
          "can't reserve') for one (__pci_request_region(), drivers/pci/pci.c): vfio-pci cannot map the BAR and "
          "the guest driver fails (code 43, black screen). The remedy follows the owner: BOOTFB is sysfb's "
          "simple-framebuffer (drivers/firmware/sysfb.c, CONFIG_SYSFB_SIMPLEFB), which video=efifb:off does not "
          "touch, so initcall_blacklist=sysfb_init; efifb/vesafb yield to video=efifb:off / video=vesafb:off. "
          "Since Linux 6.0 vfio-pci drops the framebuffer of a VGA device itself when it binds it "
          "(vfio_pci_vga_init() -> aperture_remove_conflicting_pci_devices()). Without root /proc/iomem shows "
          "zero addresses (kernel/resource.c r_show()); for the boot VGA device that is reported as "
          "fact.unreadable, never as 'no overlap'." },
        { "gpu.boot-vga", GD_SEV_INFO, GD_EFFECT_NONE,
          "the GPU is the boot VGA device",
          "The firmware initialised this GPU for the console (boot_vga=1, drivers/pci/pci-sysfs.c "
          "boot_vga_show()). It can still be passed through, but the host loses its console, the vBIOS may need "
          "a clean ROM file (romfile=), and the boot framebuffer in its BAR must let go (fb.bar-claimed)." },
        { "reset.none", GD_SEV_WARNING, GD_EFFECT_NONE,
          "the GPU has no usable reset method",
          "The GPU function has no function-level reset (device_specific, acpi, flr, af_flr, pm): reset_method is "
          "empty, absent (5.15+ hides it when there is no method: pci_dev_reset_method_attr_is_visible()), "
          "or only 'bus' while devices that are not functions of the card share the bus; before 5.15, no FLR "
          "in DevCap and PM No_Soft_Reset set. A bus reset (pci_parent_bus_reset()) needs the device alone on "
          "its bus, so vfio can reset a multi-function card only as a whole bus, with every device on it in "
          "the VM; others on the bus or the root bus make even that impossible. The device may then carry "
          "state into the next VM start. When reset_method and the config space are both unknown, no finding." },
        { "reset.amd-bug", GD_SEV_WARNING, GD_EFFECT_NONE,
          "AMD GPU with the known reset bug",
          "AMD Polaris, Vega and Navi 1x GPUs do not recover from FLR/bus reset after a guest driver used them. "
          "gnif/vendor-reset supports exactly the AMD device IDs of its src/device-db.h (recorded in "
          "checks/vendor-reset-ids.c with the commit) and no NVIDIA, Intel or Navi 2x/3x device, so only those "
          "IDs get this finding. It says whether /sys/module/vendor_reset is loaded and whether reset_method "
          "starts with device_specific (needed on 5.15+, where flr/pm/bus are tried first); with both it is "
          "only a note." },
        { "power.d3cold", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "the device failed to leave D3cold",
          "The kernel log shows, for a function of the card, 'Unable to change power state from D3cold to D0, "
          "device inaccessible' (6.0+; before: 'can't change power state from ... (config space inaccessible)'), "
          "or 'Refused to change power state from D3hot to D0' (pci_power_up(), pci_set_full_power_state() in "
          "drivers/pci/pci.c); or its vendor ID reads 0xffff. 'Refused ... from D0 to D3hot' is ordinary suspend "
          "noise and does not count. Remedy: vfio-pci.disable_idle_d3=1 and d3cold_allowed=0." },
        { "aer.uncorrectable", GD_SEV_ERROR, GD_EFFECT_BLOCKS,
          "uncorrectable PCIe errors on the card's link, without recovery",
          "AER reported an uncorrectable error ('PCIe Bus Error: severity=Uncorrected (Fatal)' or '(Non-Fatal)', "
          "'Uncorrected (Fatal) error received': aer_print_error() and aer_isr_one_error() in "
          "drivers/pci/pcie/aer.c) on a function of the card or a bridge above it, and the recovery failed "
          "('AER: device recovery failed', 'AER: can't recover (no error_detected callback)': pcie_do_recovery() "
          "and report_error_detected() in drivers/pci/pcie/err.c): the card or its link is not usable until the "
          "host is reset. A hardware, slot, riser or power fault, or firmware; configuration does not cause it." },
        { "rom.unreadable", GD_SEV_WARNING, GD_EFFECT_NONE,
          "the GPU's option ROM cannot be read",
          "The kernel found no valid ROM image ('Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff', "
          "pci_get_rom_size() in drivers/pci/rom.c), or QEMU could not read it ('Cannot read device rom', "
          "'Device option ROM contents are probably invalid': hw/vfio/pci.c vfio_pci_load_rom()). A VM whose "
          "firmware must run the card's ROM (a primary GPU, UEFI GOP) then needs the vBIOS from a file: "
          "romfile= (Proxmox hostpciN, QEMU) or <rom file=.../> (libvirt). Laptop GPUs without a ROM of their own "
          "keep it in the system firmware (ACPI _ROM), from which it can be extracted." },
        { "vm.config", GD_SEV_WARNING, GD_EFFECT_NONE,
          "a VM configuration that passes the GPU through disagrees with the host",
          "A Proxmox VE (/etc/pve/qemu-server/<vmid>.conf, the part before the first [section]: snapshots and "
          "pending changes do not count) or libvirt (/etc/libvirt/qemu/<name>.xml) VM config names a function of "
          "the card, and: pcie=1 on a machine that is not q35, which qemu-server refuses with 'q35 machine model is "
          "not enabled' (PVE/QemuServer/PCI.pm) (error); or an address no device on this host has, 'no PCI device "
          "found' (error); or the VM gets only some functions of the card (a Proxmox host without a function "
          "number, 0000:01:00, passes them all); or x-vga=1 on a device that is not VGA class; or two VMs name the "
          "same card, so only one can run. Proxmox mapping=NAME entries are not resolved. The host can be ready "
          "while a VM config is wrong, so this never changes the verdict; the remedy is the corrected line." },
        { "acs.override", GD_SEV_WARNING, GD_EFFECT_NONE,
          "ACS override in use: group isolation is not real",
          "pcie_acs_override= (an out-of-tree patch in Proxmox and some kernels) splits groups without "
          "hardware isolation; devices in the 'separate' groups can still reach each other by peer-to-peer DMA." },
};

/* Second rows: an id whose severity and effect depend on a condition the
 * check establishes before it adds the finding.  Users keep seeing the id;
 * gpudiag(1) prints each variant under its id (man/update-findings.py). */
static const struct gd_catalogue_variant variants[] = {
        { "group.shared", "viable", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when every other member is unbound or on vfio-pci or pci-stub: the group is viable and the VM takes "
          "those devices too" },
        { "group.shared", "drivers-unknown", GD_SEV_WARNING, GD_EFFECT_UNKNOWN,
          "when no other member is on a host driver but the driver of one could not be read" },
        { "gpu.functions-split", "groups-only", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when the functions are only in different IOMMU groups: each group is judged by group.shared" },
        { "reset.amd-bug", "handled", GD_SEV_INFO, GD_EFFECT_NONE,
          "when vendor_reset is loaded and reset_method selects device_specific: a note that the bug is handled" },
        { "aer.uncorrectable", "recovered", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when the log shows the recovery succeeding after the error ('AER: device recovery successful')" },
        { "vm.config", "will-not-start", GD_SEV_ERROR, GD_EFFECT_NONE,
          "when the VM cannot start with that config: pcie=1 on a machine that is not q35, or an address no "
          "device on this host has" },
};

const struct gd_catalogue_entry *gd_catalogue_find(const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(catalogue); i++)
                if (strcmp(catalogue[i].id, id) == 0)
                        return &catalogue[i];
        return NULL;
}

const struct gd_catalogue_entry *gd_catalogue(size_t *n) {
        *n = ELEMENTSOF(catalogue);
        return catalogue;
}

const struct gd_catalogue_variant *gd_catalogue_variant_find(const char *id, const char *variant) {
        for (size_t i = 0; i < ELEMENTSOF(variants); i++)
                if (streq(variants[i].id, id) && streq(variants[i].variant, variant))
                        return &variants[i];
        return NULL;
}

const struct gd_catalogue_variant *gd_catalogue_variants(size_t *n) {
        *n = ELEMENTSOF(variants);
        return variants;
}

static struct gd_finding *add(struct gd_findings *f, const char *id, const char *variant, enum gd_severity severity,
                              enum gd_effect effect, const char *summary_fmt, va_list ap) {
        struct gd_finding *items, *x;
        char *summary = NULL;

        if (vasprintf(&summary, summary_fmt, ap) < 0)
                return NULL;
        items = realloc(f->items, (f->n + 1) * sizeof(*items));
        if (!items) {
                free(summary);
                return NULL;
        }
        f->items = items;
        x = &items[f->n++];
        *x = (struct gd_finding) {
                .id = id,
                .variant = variant,
                .severity = severity,
                .effect = effect,
                .summary = summary,
        };
        return x;
}

struct gd_finding *gd_findings_add(struct gd_findings *f, const char *id, const char *summary_fmt, ...) {
        const struct gd_catalogue_entry *c = gd_catalogue_find(id);
        struct gd_finding *x;
        va_list ap;

        /* An id missing from the catalogue is a programming error that a
         * test catches (test-catalogue.c); never invent severities here. */
        if (!c)
                return NULL;
        va_start(ap, summary_fmt);
        x = add(f, c->id, NULL, c->severity, c->effect, summary_fmt, ap);
        va_end(ap);
        return x;
}

struct gd_finding *gd_findings_add_variant(struct gd_findings *f, const char *id, const char *variant,
                                           const char *summary_fmt, ...) {
        const struct gd_catalogue_entry *c = variant ? NULL : gd_catalogue_find(id);
        const struct gd_catalogue_variant *v = variant ? gd_catalogue_variant_find(id, variant) : NULL;
        struct gd_finding *x;
        va_list ap;

        if (!c && !v)
                return NULL;
        va_start(ap, summary_fmt);
        x = v ? add(f, v->id, v->variant, v->severity, v->effect, summary_fmt, ap)
              : add(f, c->id, NULL, c->severity, c->effect, summary_fmt, ap);
        va_end(ap);
        return x;
}
