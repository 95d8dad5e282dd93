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
        { "fact.unreadable", GD_SEV_WARNING, GD_EFFECT_UNKNOWN, GD_ROLES_ALL,
          "a fact the verdict needs could not be read",
          "A file or attribute that decides readiness could not be read: most often because gpudiag ran "
          "without root (config space past 64 bytes, /proc/iomem addresses and, with kernel.dmesg_restrict=1, "
          "the kernel log need root), or because a bundle or paste did not contain it. The verdict is UNKNOWN, "
          "never a guessed READY; the finding names each missing fact." },
        { "gpu.none", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLES_ALL,
          "no GPU on this host",
          "No display-class PCI device (class 03xx) was found, so there is nothing to pass through." },
        { "iommu.firmware-off", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "VT-d / AMD-Vi is off in the firmware",
          "Neither the ACPI DMAR table (Intel VT-d) nor IVRS (AMD-Vi) exists under /sys/firmware/acpi/tables, "
          "so the firmware did not describe an IOMMU to the kernel (drivers/iommu/intel/dmar.c, "
          "drivers/iommu/amd/init.c read these tables). Enable VT-d or IOMMU/AMD-Vi in the firmware setup." },
        { "iommu.kernel-off", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "the firmware has an IOMMU but the kernel did not enable it",
          "The DMAR or IVRS table exists but no IOMMU unit is registered in /sys/class/iommu: the kernel command "
          "line turned it off (intel_iommu=off, amd_iommu=off, iommu=off) or, on Intel, the kernel was built "
          "without CONFIG_INTEL_IOMMU_DEFAULT_ON and intel_iommu=on is missing (drivers/iommu/intel/iommu.c: "
          "dmar_disabled = !IS_ENABLED(CONFIG_INTEL_IOMMU_DEFAULT_ON)). 'DMAR: IOMMU enabled' alone is not proof: "
          "it is printed by the command-line parser; 'DMAR: Intel(R) Virtualization Technology for Directed I/O' is." },
        { "iommu.no-groups", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "there are no IOMMU groups",
          "/sys/kernel/iommu_groups is empty or missing, so vfio-pci cannot bind any device "
          "(vfio_pci_core_register_device fails with -EINVAL without a group)." },
        { "iommu.init-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "the IOMMU driver gave the device up after adding it to a group",
          "The kernel log adds a function of the card to an IOMMU group and later removes it ('Adding to iommu "
          "group N', then 'Removing from iommu group N': iommu_group_add_device() and "
          "__iommu_group_remove_device() in drivers/iommu/iommu.c) with no later 'Adding': the device is in no "
          "group, so vfio-pci cannot take it. It happens when the IOMMU driver fails after probing the devices "
          "(Intel before 5.8 tore every group down after 'DMAR: Failed to get a private domain'). The errors "
          "before the removals in the log say why; a firmware or kernel update, or iommu=pt, are the usual "
          "ways out." },
        { "iommu.hypervisor", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLE_BIT(GD_ROLE_GUEST) | GD_ROLE_BIT(GD_ROLE_XEN_DOMU),
          "this is a virtual machine without a virtual IOMMU",
          "gpudiag runs in a VM (model/role.c: a virtual PCI device, the CPU's hypervisor flag, the DMI vendor, "
          "Xen's /proc/xen/capabilities) that has no IOMMU units or groups. It can use the GPUs it was given "
          "(the guest checks answer that), but it cannot pass one on: nested passthrough needs a vIOMMU in "
          "this VM, e.g. QEMU -device intel-iommu,intremap=on,caching-mode=on, and nested virtualization." },
        { "iommu.xen-dom0", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLES_DOM0,
          "Xen dom0: passthrough goes through Xen, not VFIO",
          "In a Xen dom0 (/proc/xen/capabilities says control_d: capabilities_read() in "
          "drivers/xen/xenfs/super.c) the hypervisor owns the IOMMU and interrupt remapping; Linux shows no "
          "IOMMU groups, and devices reach guests through xen-pciback (xl pci-assignable-add), not vfio-pci. "
          "The VFIO checks do not apply; Xen's IOMMU state is in xl dmesg, which dom0's Linux cannot read, so a "
          "dom0 verdict is at best UNKNOWN and names it." },
        { "iommu.noiommu-mode", GD_SEV_WARNING, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "vfio runs in unsafe no-IOMMU mode",
          "vfio.enable_unsafe_noiommu_mode=1 creates noiommu groups for userspace drivers such as DPDK; they "
          "give no DMA isolation and cannot be used by QEMU/KVM for a VM. The kernel makes such a group only for "
          "a device that has no IOMMU group (vfio_device_set_group() in drivers/vfio/group.c calls "
          "vfio_noiommu_group_alloc() only when iommu_group_get() is NULL), so on a host whose IOMMU translates "
          "and where every GPU function has a real group, the mode is only a warning." },
        { "iommu.unknown-option", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "a kernel command-line IOMMU option is not one the kernel knows",
          "intel_iommu= and amd_iommu= accept a fixed set of words; anything else is reported as 'Unknown option' "
          "and ignored (intel_iommu_setup() in drivers/iommu/intel/iommu.c, parse_amd_iommu_options() in "
          "drivers/iommu/amd/init.c). Common cases: intel_iommu=pt (meant iommu=pt) and amd_iommu=on (the AMD "
          "IOMMU is on whenever the IVRS table exists, unless amd_iommu=off)." },
        { "irq.remap-missing", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "no interrupt remapping",
          "Without interrupt remapping vfio_iommu_type1 refuses to attach a group ('No interrupt remapping "
          "support.  Use the module param \"allow_unsafe_interrupts\"', drivers/vfio/vfio_iommu_type1.c). "
          "Proof of remapping is 'DMAR-IR: Enabled IRQ remapping' or 'AMD-Vi: Interrupt remapping enabled' in "
          "the kernel log, or IR- interrupt chips in /proc/interrupts. What vfio (type1 and iommufd) really asks "
          "is MSI isolation, iommu_group_has_isolated_msi() in drivers/iommu/iommu.c: on arm64 the GICv3 ITS "
          "gives it (its_node_init() sets IRQ_DOMAIN_FLAG_ISOLATED_MSI, drivers/irqchip/irq-gic-v3-its.c; only "
          "the Synquacer pre-ITS quirk clears it), so ITS- chips in /proc/interrupts prove it on an SMMUv3 host "
          "that has no DMAR-IR or AMD-Vi line at all." },
        { "irq.unsafe-allowed", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "unsafe interrupts are allowed",
          "vfio_iommu_type1.allow_unsafe_interrupts=1 (or iommufd.allow_unsafe_interrupts=1, the same switch for "
          "VFIO through iommufd, drivers/iommu/iommufd/device.c) lets a VM inject interrupts into the host when "
          "remapping is missing; the value in force is /sys/module/<module>/parameters/allow_unsafe_interrupts. "
          "Remove it if the host has interrupt remapping." },
        { "group.shared", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "the GPU's IOMMU group holds other devices",
          "A group is the unit of isolation: every endpoint in it must be bound to vfio-pci (or no driver) before "
          "QEMU can open it ('group N is not viable'). Members that are functions of the same card, or PCI "
          "bridges and root ports (pcieport), do not block. The finding names each other member and whether "
          "the bridge above it lacks ACS, which is why they share the group (pci_device_group() in "
          "drivers/iommu/iommu.c). When every other member is already on vfio-pci or pci-stub, or has no "
          "driver, the group is usable (vfio_group_ioctl_get_status() in drivers/vfio/group.c checks that no "
          "host driver claimed DMA ownership): the finding is then a warning that the VM takes those devices "
          "too, and does not block; when a member's driver cannot be read, the verdict is UNKNOWN." },
        { "gpu.functions-split", GD_SEV_WARNING, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "functions of one card are in different groups or on different drivers",
          "The audio, USB and UCSI functions of a GPU go to the VM with it. Functions on different drivers "
          "block (one of them is then on a host driver, or unbound). Functions only in different groups do not "
          "block by themselves, since each group can be usable; on NVIDIA cards, whose functions lack ACS, it "
          "usually means an ACS override split them, so isolation between them is not real." },
        { "driver.host-bound", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "a function of the GPU is bound to a host driver",
          "The GPU or one of its functions is bound to a driver other than vfio-pci (nouveau, nvidia, amdgpu, "
          "radeon, snd_hda_intel, xhci_hcd, i2c-nvidia-gpu...), read from the device's driver link. vfio-pci's "
          "variant drivers count as vfio-pci: those of drivers/vfio/pci/ (nvgrace_gpu_vfio_pci, mlx5_vfio_pci, "
          "hisi_acc_vfio_pci, pds_vfio_pci, virtio_vfio_pci, qat_vfio_pci, xe_vfio_pci) and any module listed in "
          "/sys/module/vfio_pci_core/holders. In a Xen dom0 the driver to be on is xen-pciback (\"pciback\"). "
          "Inside a VM the rule does not apply: the guest's driver is meant to hold the GPU." },
        { "driver.unbound", GD_SEV_WARNING, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "a function of the GPU has no driver",
          "An unbound function does not block a group by itself, but libvirt and QEMU need every function on "
          "vfio-pci before the VM starts; without managed='yes' nothing binds it." },
        { "driver.will-claim", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "at next boot a host driver will claim the device",
          "The device's modalias matches a host driver's alias in modules.alias, and nothing in the module "
          "configuration stops it first: no vfio-pci ids= for this device with a softdep that loads vfio-pci "
          "before the driver, no blacklist, no driver_override. Read with libkmod as modprobe would." },
        { "vfio.modules-missing", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "the vfio modules are not loaded",
          "vfio, vfio_iommu_type1 and vfio_pci must be loaded (or built in) for a VM to use a device. Loaded is "
          "/proc/modules; built in is the kernel configuration (CONFIG_VFIO*=y) or /sys/module/<name>, which a "
          "built-in module with parameters has (kernel/params.c param_sysfs_builtin()): with neither, the "
          "finding says that being built in could not be read. A card on a vfio-pci variant driver needs no "
          "vfio_pci." },
        { "vfio.group-not-viable", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "QEMU found the GPU's IOMMU group not viable",
          "QEMU (hw/vfio/container-legacy.c vfio_group_get(): 'group N is not viable', 'Please ensure all devices "
          "within the iommu_group are bound to their vfio bus driver'; vfio_device_get(): 'Verify all devices in "
          "group N are bound to vfio-<bus> or pci-stub') refused the card's group: the kernel reports "
          "VFIO_GROUP_FLAGS_VIABLE only when no device of the group is bound to a driver that claimed DMA "
          "ownership (vfio_group_ioctl_get_status() in drivers/vfio/group.c). Some member of the group is on a "
          "host driver; the log may not say which (group.shared and driver.host-bound name them when the "
          "groups and drivers are known)." },
        { "vfio.not-bound", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "no device of the GPU's group is bound to vfio-pci",
          "QEMU could not open /dev/vfio/N ('No such file or directory'; hw/vfio/container-legacy.c "
          "vfio_group_get()). The kernel creates a group's /dev/vfio/N when the first device of the group binds "
          "to a vfio driver and removes it when the last one leaves (vfio_group_find_or_alloc() and "
          "vfio_device_remove_group() in drivers/vfio/group.c), so none of the group's devices is on vfio-pci: "
          "the vfio-pci ids= or driver_override did not take effect (a typo on the command line, vfio-pci not "
          "in the initramfs, a host driver first)." },
        { "vfio.dma-map-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE,
          "QEMU could not map the VM's memory for the device",
          "QEMU's VFIO_IOMMU_MAP_DMA of guest memory failed ('vfio_container_dma_map(...) = -22 (Invalid "
          "argument)', 'VFIO_MAP_DMA failed'; hw/vfio/listener.c and container-legacy.c vfio_legacy_dma_map()), "
          "so the VM does not start. vfio_iommu_type1's vfio_dma_do_map() returns -EINVAL for an IOVA outside the "
          "IOMMU's usable ranges (an address width smaller than the VM's memory map, reserved regions), and "
          "other errors for pinning limits. Lower the VM's memory or its 64-bit MMIO window, check the "
          "platform's IOMMU address width (dmesg | grep -i 'address width'), or update the IOMMU driver." },
        { "vfio.virqfd-obsolete", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "vfio_virqfd is listed but no longer exists",
          "vfio_virqfd was merged into vfio.ko in Linux 6.2; listing it in /etc/modules only produces "
          "'Failed to find module' at boot. Harmless, but remove the line." },
        { "vfio.ids-mismatch", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "vfio-pci ids= does not match the card",
          "The vfio-pci ids= list (modprobe.d options or vfio-pci.ids= on the command line) misses a function of "
          "the card, or names an ID no device has. vfio-pci only claims devices whose vendor:device is listed." },
        { "vfio.builtin-ignores-modprobe", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "vfio-pci is built into the kernel, so modprobe.d options are ignored",
          "With CONFIG_VFIO_PCI=y, 'options vfio-pci ids=' in modprobe.d is never read; only vfio-pci.ids= on the "
          "kernel command line configures it." },
        { "boot.cmdline-drift", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_ALL,
          "the boot loader configuration has flags the running kernel did not get",
          "A flag in /etc/default/grub or /etc/kernel/cmdline is missing from /proc/cmdline: the boot loader "
          "configuration was not regenerated (update-grub, proxmox-boot-tool refresh) or the host was not "
          "rebooted." },
        { "boot.initramfs-stale", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_ALL,
          "module configuration is newer than the initramfs",
          "A modprobe.d file or /etc/modules changed after the initramfs of the running kernel was built, so "
          "vfio options and softdeps may not apply during early boot (update-initramfs -u, dracut -f, "
          "mkinitcpio -P)." },
        { "fb.bar-claimed", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
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
        { "gpu.boot-vga", GD_SEV_INFO, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "the GPU is the boot VGA device",
          "The firmware initialised this GPU for the console (boot_vga=1, drivers/pci/pci-sysfs.c "
          "boot_vga_show()). It can still be passed through, but the host loses its console, the vBIOS may need "
          "a clean ROM file (romfile=), and the boot framebuffer in its BAR must let go (fb.bar-claimed)." },
        { "reset.none", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "the GPU has no usable reset method",
          "The GPU function has no function-level reset (device_specific, acpi, flr, af_flr, pm): reset_method is "
          "empty, absent (5.15+ hides it when there is no method: pci_dev_reset_method_attr_is_visible()), "
          "or only 'bus' while devices that are not functions of the card share the bus; before 5.15, no FLR "
          "in DevCap and PM No_Soft_Reset set. A bus reset (pci_parent_bus_reset()) needs the device alone on "
          "its bus, so vfio can reset a multi-function card only as a whole bus, with every device on it in "
          "the VM; others on the bus or the root bus make even that impossible. The device may then carry "
          "state into the next VM start. When reset_method and the config space are both unknown, no finding." },
        { "reset.amd-bug", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "AMD GPU with the known reset bug",
          "AMD Polaris, Vega and Navi 1x GPUs do not recover from FLR/bus reset after a guest driver used them. "
          "gnif/vendor-reset supports exactly the AMD device IDs of its src/device-db.h (recorded in "
          "checks/vendor-reset-ids.c with the commit) and no NVIDIA, Intel or Navi 2x/3x device, so only those "
          "IDs get this finding. It says whether /sys/module/vendor_reset is loaded and whether reset_method "
          "starts with device_specific (needed on 5.15+, where flr/pm/bus are tried first); with both it is "
          "only a note." },
        { "power.d3cold", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "the device failed to leave D3cold",
          "The kernel log shows, for a function of the card, 'Unable to change power state from D3cold to D0, "
          "device inaccessible' (6.0+; before: 'can't change power state from ... (config space inaccessible)'), "
          "or 'Refused to change power state from D3hot to D0' (pci_power_up(), pci_set_full_power_state() in "
          "drivers/pci/pci.c); or its vendor ID reads 0xffff. 'Refused ... from D0 to D3hot' is ordinary suspend "
          "noise and does not count. Remedy: vfio-pci.disable_idle_d3=1 and d3cold_allowed=0." },
        { "aer.uncorrectable", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "uncorrectable PCIe errors on the card's link, without recovery",
          "AER reported an uncorrectable error ('PCIe Bus Error: severity=Uncorrected (Fatal)' or '(Non-Fatal)', "
          "'Uncorrected (Fatal) error received': aer_print_error() and aer_isr_one_error() in "
          "drivers/pci/pcie/aer.c) on a function of the card or a bridge above it, and the recovery failed "
          "('AER: device recovery failed', 'AER: can't recover (no error_detected callback)': pcie_do_recovery() "
          "and report_error_detected() in drivers/pci/pcie/err.c): the card or its link is not usable until the "
          "host is reset. A hardware, slot, riser or power fault, or firmware; configuration does not cause it." },
        { "rom.unreadable", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "the GPU's option ROM cannot be read",
          "The kernel found no valid ROM image ('Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff', "
          "pci_get_rom_size() in drivers/pci/rom.c), or QEMU could not read it ('Cannot read device rom', "
          "'Device option ROM contents are probably invalid': hw/vfio/pci.c vfio_pci_load_rom()). A VM whose "
          "firmware must run the card's ROM (a primary GPU, UEFI GOP) then needs the vBIOS from a file: "
          "romfile= (Proxmox hostpciN, QEMU) or <rom file=.../> (libvirt). Laptop GPUs without a ROM of their own "
          "keep it in the system firmware (ACPI _ROM), from which it can be extracted." },
        { "vm.config", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE | GD_ROLES_DOM0,
          "a VM configuration that passes the GPU through disagrees with the host",
          "A Proxmox VE (/etc/pve/qemu-server/<vmid>.conf, the part before the first [section]: snapshots and "
          "pending changes do not count) or libvirt (/etc/libvirt/qemu/<name>.xml) VM config names a function of "
          "the card, and: pcie=1 on a machine that is not q35, which qemu-server refuses with 'q35 machine model is "
          "not enabled' (PVE/QemuServer/PCI.pm) (error); or an address no device on this host has, 'no PCI device "
          "found' (error); or the VM gets only some functions of the card (a Proxmox host without a function "
          "number, 0000:01:00, passes them all); or two VMs name the same card, so only one can run; or a Proxmox "
          "mapping=NAME that /etc/pve/mapping/pci.cfg does not define for this node, or whose id= is not the device "
          "at its path (\"PCI device mapping not found\", \"PCI device mapping invalid\", parse_hostpci() and "
          "PVE::Mapping::PCI::assert_valid()) (error). Entries of a mapping are resolved through pci.cfg to the "
          "device of this node (its node= is the host name) and judged like a host address. The GPU rules of the "
          "guide have ids of their own (vm.x-vga, vm.rombar, vm.cpu-not-host, vm.ignore-msrs); every rule's remedy "
          "is the same corrected line for the card. The host can be ready while a VM config is wrong, so this never "
          "changes the verdict." },
        { "vm.x-vga", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "a VM's primary-GPU (x-vga) setting is wrong",
          "x-vga=1 makes the passed GPU the VM's primary display: qemu-server adds x-vga=on to the vfio-pci device "
          "(only under SeaBIOS: with bios: ovmf it leaves it out) and sets vga: none when the config has no vga "
          "line (print_hostpci_devices() in PVE/QemuServer/PCI.pm). Rules: x-vga only on a VGA-class function "
          "(an audio or 3D-controller function has no VGA ranges); an explicit vga: other than none keeps an "
          "emulated display as the primary one; and QEMU needs the VGA region of vfio-pci, which exists only in "
          "a kernel with CONFIG_VFIO_PCI_VGA and without vfio-pci disable_vga=1 (vfio_vga_disabled() in "
          "drivers/vfio/pci/vfio_pci_core.c): otherwise it refuses the device, \"vfio: Device does not support "
          "requested feature x-vga\" (hw/vfio/pci.c), and the VM does not start (error)." },
        { "vm.rombar", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "a headless NVIDIA GPU under SeaBIOS runs its option ROM",
          "With SeaBIOS (no bios: line, or bios: seabios) the VM's firmware executes the option ROM of every "
          "device whose ROM BAR is visible (rombar defaults to 1). The passthrough guide sets rombar=0 for an "
          "NVIDIA card that is not the VM's primary display (no x-vga): running its ROM can hang the VM at POST. "
          "The remedy is the hostpci line with rombar=0 (qemu-server then adds rombar=0 to the vfio-pci device)." },
        { "vm.cpu-not-host", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "a VM with a GPU does not use the host's CPU model",
          "The guide sets cpu: host for a VM that gets a GPU: GPU drivers and CUDA use the CPU features the "
          "host has, and Proxmox's default models (kvm64, x86-64-v2-AES) hide many of them. A libvirt domain "
          "gets <cpu mode='host-passthrough'/>." },
        { "vm.ignore-msrs", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "a Windows VM with an NVIDIA GPU runs on a host where KVM does not ignore unknown MSRs",
          "The NVIDIA Windows driver and tools read model-specific registers that KVM does not emulate; with "
          "kvm.ignore_msrs=0 (the default) KVM injects #GP and the guest crashes (the guide's "
          "'options kvm ignore_msrs=1'). The value in force is /sys/module/kvm/parameters/ignore_msrs." },
        { "guest.gpu-lost", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_GUEST_SIDE | GD_ROLE_BIT(GD_ROLE_UNKNOWN),
          "the GPU fell off the bus",
          "The NVIDIA driver logged Xid 79, 'GPU has fallen off the bus', for the GPU: it no longer answers on "
          "PCIe. In a VM the cause is on the host: the card's power or link, or a device that was not reset "
          "between VM starts." },
        { "guest.bar-unassigned", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_GUEST_SIDE | GD_ROLE_BIT(GD_ROLE_UNKNOWN),
          "a BAR of the GPU has no address in the VM",
          "A memory BAR of a function shows start 0 with its size in /sys/bus/pci/devices/<addr>/resource "
          "(IORESOURCE_UNSET, lspci's <unassigned>), the kernel logged 'failed to assign' for it "
          "(pci_assign_resource(), drivers/pci/setup-res.c), or the NVIDIA driver 'BARn is 0M @ 0x0'. The VM's "
          "64-bit PCI window is too small for a large-BAR GPU; the remedy is on the host's VM config: the OVMF "
          "aperture (X-PciMmio64Mb), q35's pci-hole64-size, or the VMM's BAR emulation; pci=realloc in the "
          "guest only helps when the window has room." },
        { "guest.nvrm-init-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_GUEST_SIDE | GD_ROLE_BIT(GD_ROLE_UNKNOWN),
          "the NVIDIA driver could not initialise the GPU",
          "The NVIDIA kernel module refused or failed the GPU: 'RmInitAdapter failed', 'This PCI I/O region "
          "assigned to your NVIDIA device is invalid', 'probe of <addr> failed with error', or 'None of the "
          "NVIDIA devices were initialized'. nvidia-smi then reports no devices." },
        { "guest.driver-init-failed", GD_SEV_ERROR, GD_EFFECT_BLOCKS, GD_ROLES_GUEST_SIDE | GD_ROLE_BIT(GD_ROLE_UNKNOWN),
          "the GPU's driver could not initialise it",
          "A GPU driver other than NVIDIA's (amdgpu, nouveau, i915, xe, radeon) failed its probe ('probe with "
          "driver X failed with error N', drivers/base/dd.c really_probe()) or its init ('Fatal error during GPU "
          "init', amdgpu_device_init())." },
        { "guest.driver-missing", GD_SEV_WARNING, GD_EFFECT_BLOCKS, GD_ROLES_GUEST_SIDE,
          "the GPU has no driver in the VM",
          "Inside the VM the GPU function is bound to no driver, or to vfio-pci, which without a vIOMMU no "
          "program in the VM can use (the host guide's vfio steps done in the guest). Install and load the "
          "GPU's driver." },
        { "guest.xid", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_GUEST_SIDE,
          "the NVIDIA driver reported Xid errors",
          "'NVRM: Xid (PCI:<slot>): <n>' records for the GPU (other than 79, guest.gpu-lost). The driver is up, "
          "but programs hit errors; NVIDIA's Xid table says whose: the application's (13, 31, 43), memory "
          "(48, 63, 64, 94, 95), or the GPU and its link (61, 62)." },
        { "guest.device-nodes", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_GUEST_SIDE,
          "the GPU's device nodes are missing",
          "The driver holds the GPU but /dev/nvidiactl, /dev/nvidia<minor> (the Device Minor of "
          "/proc/driver/nvidia/gpus/<addr>/information) or /dev/dri/<minor> do not exist. NVIDIA's nodes are "
          "made by nvidia-modprobe on first use or by udev rules; DRM nodes by udev. Containers need them." },
        { "guest.container-toolkit", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_GUEST_SIDE,
          "containers cannot get the NVIDIA GPU",
          "Docker, containerd or Podman is installed (/usr/bin) but the NVIDIA container toolkit is not "
          "(nvidia-ctk, nvidia-container-toolkit), so docker run --gpus all fails; or containerd has neither the "
          "nvidia runtime in /etc/containerd/config.toml nor a CDI spec in /etc/cdi. Only the lines of the "
          "runtime configs that name nvidia are read and collected." },
        { "group.predicted", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "once the IOMMU is on, the GPU will share its IOMMU group",
          "The IOMMU is off, so there are no groups yet; gpudiag predicts them from the topology the way the "
          "kernel will form them: pci_device_group() (drivers/iommu/iommu.c) in probe order, with "
          "pci_acs_enabled() and pci_acs_path_enabled() (drivers/pci/pci.c), ACS control as "
          "pci_std_enable_acs() will program it, and the pci_dev_acs_enabled[] and DMA alias quirks of "
          "drivers/pci/quirks.c. The finding names the devices that will join the card and the port that "
          "lacks which ACS bit, and the root ports behind which the card would be alone (gpudiag groups "
          "--predict --move). An unknown fact widens the prediction, never narrows it. The plan takes no "
          "action on it: it first turns the IOMMU on, and after that reboot group.shared judges the real "
          "group and carries the move." },
        { "group.override-would-split", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
          "an ACS override would split the GPU's group, at a security cost",
          "The card's group (real, or predicted while the IOMMU is off) holds other endpoints, and predicting "
          "again with the out-of-tree pcie_acs_override= patch leaves the card alone: first id:VVVV:DDDD for just "
          "the devices whose missing ACS made the group (the fewest that still split it), then downstream, "
          "multifunction, both (the patch makes pci_dev_specific_acs_enabled() vouch for those devices). The "
          "split is not isolation: the ports still forward peer-to-peer requests the IOMMU never sees, so a VM "
          "given the card can reach the devices split off, and they it. It needs a kernel carrying the patch "
          "(Proxmox VE, linux-zen, liquorix). The plan takes no action on it: the override trades away "
          "isolation, which only a person may choose, and moving the card (group.shared) is the plan's way." },
        { "acs.override", GD_SEV_WARNING, GD_EFFECT_NONE, GD_ROLES_HOST_SIDE,
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
        { "group.predicted", "alone", GD_SEV_INFO, GD_EFFECT_NONE,
          "when the card will be alone in its group (with its own functions): the slot isolates it" },
        { "group.override-would-split", "cannot", GD_SEV_INFO, GD_EFFECT_NONE,
          "when no override would split it: the group comes from a PCIe-to-PCI bridge, a DMA alias or "
          "conventional PCI, which pcie_acs_override= does not touch" },
        { "gpu.functions-split", "groups-only", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when the functions are only in different IOMMU groups: each group is judged by group.shared" },
        { "reset.amd-bug", "handled", GD_SEV_INFO, GD_EFFECT_NONE,
          "when vendor_reset is loaded and reset_method selects device_specific: a note that the bug is handled" },
        { "aer.uncorrectable", "recovered", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when the log shows the recovery succeeding after the error ('AER: device recovery successful')" },
        { "iommu.noiommu-mode", "real-groups", GD_SEV_WARNING, GD_EFFECT_NONE,
          "when the IOMMU translates and every function of the card has a real IOMMU group: no-IOMMU groups are "
          "made only for devices without one" },
        { "vm.x-vga", "will-not-start", GD_SEV_ERROR, GD_EFFECT_NONE,
          "when QEMU will refuse x-vga: the host's vfio-pci has no VGA region (disable_vga=1, or a kernel without "
          "CONFIG_VFIO_PCI_VGA)" },
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
