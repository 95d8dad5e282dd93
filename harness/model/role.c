/* SPDX-License-Identifier: MIT */
/* The role of the host (model/role.h) and the evidence for it.
 *
 * Facts, strongest first:
 *  - Xen: /sys/hypervisor/type is "xen" in every Xen domain
 *    (drivers/xen/sys-hypervisor.c).  /proc/xen/capabilities says which:
 *    capabilities_read() in drivers/xen/xenfs/super.c writes "control_d\n"
 *    when xen_initial_domain(), nothing otherwise.  Without it (xenfs not
 *    mounted, or not captured) the DMI vendor decides: an HVM guest's is
 *    "Xen", dom0 sees the real board's; a PV guest has no DMI tables, so its
 *    role stays unknown.  The CPU's hypervisor flag does not tell them
 *    apart: PV and PVH dom0 have it too.
 *  - A virtual PCI device: virtio (1af4), QEMU's own devices (1b36), VMware
 *    (15ad), Hyper-V (1414), the Xen platform device (5853), Bochs VGA
 *    (1234:1111), the rust-vmm PCI root of Cloud Hypervisor and Firecracker
 *    (8086:0d57, not an Intel product in pci.ids) -- no physical board has
 *    one.  The chipsets VMMs emulate (i440FX 8086:1237, Q35 8086:29c0,
 *    440BX 8086:7190/7192) are real parts too, so they count only when the
 *    CPU does not deny a hypervisor.
 *  - The CPU's "hypervisor" flag (CPUID.1:ECX[31], X86_FEATURE_HYPERVISOR),
 *    and the log's "Hypervisor detected: KVM" (init_hypervisor_platform()).
 *    A VMM can hide the flag (-cpu host,-hypervisor), so its absence loses
 *    against a virtual device.
 *  - The DMI vendor of a VM (QEMU, VMware, VirtualBox, Xen, Hyper-V ...).
 *    "Amazon EC2" also names bare-metal instances, whose CPU has no
 *    hypervisor flag and whose PCI root is physical: those are hosts.
 *  - A physical PCI root (a host bridge, class 0600, that is not emulated)
 *    with no virtual device, or the CPU without the hypervisor flag: host.
 *  - A guest with IOMMU units or groups (and not vfio's no-IOMMU groups) has
 *    a virtual IOMMU: guest-with-viommu, where nested passthrough works. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "model/kmsg.h"
#include "model/role.h"

static const char *const role_names[_GD_ROLE_MAX] = {
        [GD_ROLE_UNKNOWN] = "unknown",
        [GD_ROLE_HOST] = "host",
        [GD_ROLE_GUEST] = "guest",
        [GD_ROLE_GUEST_VIOMMU] = "guest-with-viommu",
        [GD_ROLE_XEN_DOM0] = "xen-dom0",
        [GD_ROLE_XEN_DOMU] = "xen-domu",
};

const char *gd_role_to_string(enum gd_role r) {
        return (unsigned) r < _GD_ROLE_MAX ? role_names[r] : "unknown";
}

enum gd_role gd_question_role(enum gd_question q) {
        return q == GD_QUESTION_GUEST ? GD_ROLE_GUEST : q == GD_QUESTION_XEN ? GD_ROLE_XEN_DOM0 : GD_ROLE_HOST;
}

const char *gd_question_to_string(enum gd_question q) {
        return q == GD_QUESTION_GUEST ? "guest" : q == GD_QUESTION_XEN ? "xen" : "host";
}

const char *gd_question_text(enum gd_question q) {
        switch (q) {
        case GD_QUESTION_GUEST:
                return "can this VM use this GPU";
        case GD_QUESTION_XEN:
                return "can this GPU be assigned to a Xen guest";
        default:
                return "can this GPU be handed to a VM (VFIO)";
        }
}

void gd_roles_format(unsigned roles, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        if ((roles & GD_ROLES_ALL) == GD_ROLES_ALL) {
                snprintf(buf, size, "all");
                return;
        }
        for (int r = 0; r < _GD_ROLE_MAX; r++) {
                static const int order[] = { GD_ROLE_HOST, GD_ROLE_GUEST, GD_ROLE_GUEST_VIOMMU, GD_ROLE_XEN_DOM0,
                                             GD_ROLE_XEN_DOMU, GD_ROLE_UNKNOWN };
                if (roles & GD_ROLE_BIT(order[r]) && len < size)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                                 gd_role_to_string(order[r]));
        }
}

const char *gd_pci_virtual_device(const struct gd_pci_dev *d, bool *strong) {
        static const struct {
                uint16_t vendor;
                int device;            /* -1: every device of the vendor */
                bool strong;
                const char *what;
        } table[] = {
                { 0x1af4, -1, true, "a virtio device" },
                { 0x1b36, -1, true, "a QEMU device" },
                { 0x15ad, -1, true, "a VMware virtual device" },
                { 0x1414, -1, true, "a Hyper-V virtual device" },
                { 0x5853, 0x0001, true, "the Xen platform device of an HVM guest" },
                { 0x1234, 0x1111, true, "the Bochs/QEMU standard VGA" },
                { 0x80ee, -1, true, "a VirtualBox device" },
                { 0x8086, 0x0d57, true, "the PCI root of Cloud Hypervisor and Firecracker (rust-vmm)" },
                { 0x8086, 0x1237, false, "an i440FX host bridge, the chipset QEMU's pc machine emulates" },
                { 0x8086, 0x29c0, false, "a Q35 host bridge, the chipset QEMU's q35 machine emulates" },
                { 0x8086, 0x7190, false, "a 440BX host bridge, the chipset VMware and Hyper-V emulate" },
                { 0x8086, 0x7192, false, "a 440BX host bridge, the chipset VMware and Hyper-V emulate" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (d->vendor == table[i].vendor && (table[i].device < 0 || d->device == table[i].device)) {
                        if (strong)
                                *strong = table[i].strong;
                        return table[i].what;
                }
        return NULL;
}

const char *gd_dmi_hypervisor_vendor(const struct gd_host *h) {
        static const char *const vendors[] = {
                "QEMU", "VMware, Inc.", "innotek GmbH", "Xen", "Amazon EC2", "Google", "Parallels",
                "Parallels Software International Inc.", "OpenStack Foundation", "Red Hat", "BHYVE", "Nutanix",
        };
        const char *v = h->dmi_sys_vendor;

        if (!v)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(vendors); i++)
                if (strcmp(v, vendors[i]) == 0)
                        return v;
        /* Hyper-V; Surface laptops share the vendor, not the product. */
        if (strcmp(v, "Microsoft Corporation") == 0 && streq(h->dmi_product_name, "Virtual Machine"))
                return v;
        return NULL;
}

_printf_(4, 5) static void add(struct gd_role_fact *f, const char *source, unsigned line, const char *fmt, ...) {
        struct gd_role_evidence *e;
        va_list ap;

        if (f->n_evidence >= GD_ROLE_EVIDENCE_MAX)
                return;
        e = &f->evidence[f->n_evidence++];
        e->source = source;
        e->line = line;
        va_start(ap, fmt);
        vsnprintf(e->text, sizeof(e->text), fmt, ap);
        va_end(ap);
}

static bool noiommu(const struct gd_host *h) {
        const struct gd_cmdline_arg *a = h->cmdline_state == 0 ?
                gd_cmdline_find_last(&h->cmdline, "vfio.enable_unsafe_noiommu_mode") : NULL;
        const struct gd_module_param *p = gd_host_module_param(h, "vfio", "enable_unsafe_noiommu_mode");

        return (a && (!a->value || strchr("yY1", a->value[0]))) ||
               (p && p->state == 0 && p->value && strchr("yY1", p->value[0])) ||
               (h->kmsg_state >= 0 && gd_kmsg_find(&h->kmsg, GD_KMSG_VFIO_NOIOMMU, NULL, 0));
}

/* A guest with a vIOMMU: units, or groups that are not vfio's no-IOMMU ones. */
static enum gd_role guest_kind(const struct gd_host *h, struct gd_role_fact *f) {
        size_t units = h->iommu_units_state == 0 ? strv_length(h->iommu_units) : 0;

        if (units > 0) {
                add(f, "/sys/class/iommu", 0, "%s: a virtual IOMMU", h->iommu_units[0]);
                return GD_ROLE_GUEST_VIOMMU;
        }
        if (h->groups_state == 0 && h->n_groups > 0 && !noiommu(h)) {
                add(f, "/sys/kernel/iommu_groups", 0, "%zu groups: a virtual IOMMU", h->n_groups);
                return GD_ROLE_GUEST_VIOMMU;
        }
        if (h->iommu_units_state == 0 || h->groups_state == 0 || h->groups_state == -ENOENT)
                add(f, "/sys/kernel/iommu_groups", 0, "no IOMMU units or groups: no virtual IOMMU");
        return GD_ROLE_GUEST;
}

static enum gd_role xen(const struct gd_host *h, struct gd_role_fact *f) {
        const char *dmi_vm = gd_dmi_hypervisor_vendor(h);

        add(f, "/sys/hypervisor/type", 0, "xen");
        if (h->xen_capabilities_state == 0) {
                bool control = h->xen_capabilities && strstr(h->xen_capabilities, "control_d");
                add(f, "/proc/xen/capabilities", 0, "%s", control ? "control_d (the control domain)" :
                                                              "(empty: not the control domain)");
                return control ? GD_ROLE_XEN_DOM0 : GD_ROLE_XEN_DOMU;
        }
        if (dmi_vm) {
                add(f, "/sys/class/dmi/id/sys_vendor", 0, "%s (an HVM guest's firmware)", dmi_vm);
                return GD_ROLE_XEN_DOMU;
        }
        if (h->dmi_sys_vendor) {
                add(f, "/sys/class/dmi/id/sys_vendor", 0, "%s: the real board, as dom0 sees it "
                    "(/proc/xen/capabilities not readable)", h->dmi_sys_vendor);
                return GD_ROLE_XEN_DOM0;
        }
        add(f, "/proc/xen/capabilities", 0, "unreadable, and no DMI tables (a PV guest has none): dom0 or domU unknown");
        return GD_ROLE_UNKNOWN;
}

void gd_role_decide(const struct gd_host *h, struct gd_role_fact *ret) {
        struct gd_role_fact f = { .role = GD_ROLE_UNKNOWN };
        const struct gd_pci_dev *strong_dev = NULL, *weak_dev = NULL, *physical_root = NULL;
        const char *strong_what = NULL, *weak_what = NULL;
        const struct gd_kmsg_record *detected = h->kmsg_state >= 0 ?
                gd_kmsg_find(&h->kmsg, GD_KMSG_HYPERVISOR_DETECTED, NULL, 0) : NULL;
        const char *dmi_vm = gd_dmi_hypervisor_vendor(h);

        if (streq(h->hypervisor_type, "xen")) {
                f.role = xen(h, &f);
                *ret = f;
                return;
        }

        for (size_t i = 0; h->pci_state >= 0 && i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                bool strong = false;
                const char *what = gd_pci_virtual_device(d, &strong);

                if (what && strong && !strong_dev)
                        strong_dev = d, strong_what = what;
                else if (what && !strong && !weak_dev)
                        weak_dev = d, weak_what = what;
                else if (!what && (d->class_code >> 8) == PCI_CLASS_BRIDGE_HOST && !physical_root)
                        physical_root = d;
        }

        if (strong_dev || (weak_dev && h->hypervisor != TRI_NO) || h->hypervisor == TRI_YES || detected ||
            (dmi_vm && h->hypervisor != TRI_NO && !physical_root)) {
                if (strong_dev)
                        add(&f, strong_dev->sysfs_path ? strong_dev->sysfs_path : "/sys/bus/pci/devices", 0,
                            "%s [%04x:%04x]: %s", strong_dev->address, strong_dev->vendor, strong_dev->device,
                            strong_what);
                else if (weak_dev)
                        add(&f, weak_dev->sysfs_path ? weak_dev->sysfs_path : "/sys/bus/pci/devices", 0,
                            "%s [%04x:%04x]: %s", weak_dev->address, weak_dev->vendor, weak_dev->device, weak_what);
                if (h->hypervisor == TRI_YES)
                        add(&f, "/proc/cpuinfo", 0, "flags: ... hypervisor ... (the CPU runs under a hypervisor)");
                else if (h->hypervisor == TRI_NO)
                        add(&f, "/proc/cpuinfo", 0, "no hypervisor flag (the VMM hides it)");
                if (detected)
                        add(&f, h->kmsg.source ? h->kmsg.source : "kernel log", detected->line, "%s", detected->text);
                if (dmi_vm)
                        add(&f, "/sys/class/dmi/id/sys_vendor", 0, "%s", dmi_vm);
                f.role = guest_kind(h, &f);
                *ret = f;
                return;
        }

        if (h->hypervisor == TRI_NO || physical_root) {
                if (h->hypervisor == TRI_NO)
                        add(&f, "/proc/cpuinfo", 0, "no hypervisor flag among the CPU flags");
                if (physical_root)
                        add(&f, physical_root->sysfs_path ? physical_root->sysfs_path : "/sys/bus/pci/devices", 0,
                            "%s [%04x:%04x]: a physical host bridge, and no virtual PCI device",
                            physical_root->address, physical_root->vendor, physical_root->device);
                if (dmi_vm)
                        add(&f, "/sys/class/dmi/id/sys_vendor", 0, "%s (a bare-metal instance: no hypervisor flag, "
                            "physical PCI root)", dmi_vm);
                f.role = GD_ROLE_HOST;
                *ret = f;
                return;
        }

        add(&f, "/proc/cpuinfo", 0, "%s", h->hypervisor == TRI_UNKNOWN ? "not read: whether a hypervisor runs it is unknown" :
                                          "no hypervisor flag");
        add(&f, "/sys/bus/pci/devices", 0, "no host bridge and no virtual device to tell a VM from a host");
        *ret = f;
}
