/* SPDX-License-Identifier: MIT */
/* The host model: everything the reader learned about one host, live or
 * replayed, and where each fact came from.
 *
 * The model is plain data, filled by harness/host/ and read (never written)
 * by harness/checks/ and harness/report/.  Every field that a reader could
 * fail to read has an "unknown" state: NULL strings, TRI_UNKNOWN, or a
 * *_state errno.  Provenance: device facts come from <sysfs>/<attribute> of
 * the device (sysfs_path), kernel log facts carry their record number, and
 * file facts carry their path and line.  gd_pci_attr_source() spells the
 * path out for evidence. */
#pragma once

#include <pci/header.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

#define GD_ADDR_LEN 13 /* "0000:00:00.0" */
#define GD_GROUP_NONE (-1)

struct gd_bar {
        unsigned index;        /* 0-5 BARs, 6 the expansion ROM */
        uint64_t start, end, flags;
};

/* PCIe capability facts parsed from config space (see host/pci-caps.c). */
struct gd_pci_caps {
        tri_t config_complete; /* all 4096 bytes readable (root) */
        tri_t is_pcie;
        unsigned pcie_type;    /* PCI_EXP_TYPE_*: 0 endpoint, 4 root port, 5/6 switch ports */
        tri_t flr;             /* DevCap Function Level Reset */
        tri_t acs;             /* ACS extended capability present */
        uint16_t acs_cap, acs_ctrl;
        tri_t dsn;             /* Device Serial Number capability present */
        uint64_t dsn_value;
        tri_t pm_no_soft_reset;
        /* Header facts the IOMMU group predictor needs (harness/predict/):
         * the Multi-Function bit of the Header Type register, which the
         * kernel copies to pci_dev->multifunction (drivers/pci/probe.c
         * pci_setup_device()), and a bridge's secondary bus number (the
         * requester ID a PCIe-to-PCI bridge uses for what is below it). */
        tri_t multifunction;
        int secondary_bus;     /* type 1 header only; -1 unknown or not a bridge */
};

struct gd_pci_dev {
        char address[GD_ADDR_LEN]; /* domain:bus:dev.fn, always 4-digit domain */
        unsigned domain, bus, dev, func;
        char *sysfs_path;      /* /sys/devices/pci0000:00/... (resolved) */

        uint32_t class_code;   /* base<<16 | sub<<8 | prog-if */
        uint16_t vendor, device;
        uint16_t subsys_vendor, subsys_device;
        bool has_subsys;
        uint8_t revision;
        bool revision_known;   /* false: neither the attribute nor config space had it */
        char *vendor_name, *device_name, *class_name; /* pci.ids via libpci */
        /* Only a host imported from pasted text lacks these (a kernel log
         * line or a tool's message names a device by its address alone): the
         * kernel never lists a function without them (host/pci.c).  Then
         * vendor, device, subsystem and revision, or class_code, mean
         * nothing; checks that need them say unknown. */
        bool ids_unknown;
        bool class_unknown;

        char *driver;          /* basename of the driver link; NULL = none */
        tri_t driver_known;    /* TRI_UNKNOWN when the link was unreadable */
        char *driver_override; /* NULL when "(null)" or unreadable */
        char *modalias;
        int iommu_group;       /* GD_GROUP_NONE when no link */
        tri_t boot_vga;        /* only VGA-class devices have the attribute */
        char *reset_method;    /* NULL when not read (see reset_method_state), "" none */
        int reset_method_state; /* 0 read; -ENOENT absent (5.15+ hides it when there is no
                                 * method; older kernels lack it); other -errno: unknown */
        char *power_state;
        tri_t d3cold_allowed;
        struct gd_bar bars[7];
        size_t n_bars;
        bool bars_read;        /* the resource attribute was read (n_bars 0 then means no BAR) */
        char *parent;          /* address of the upstream bridge, NULL at the root bus */
        bool is_bridge;        /* class 0604 */
        unsigned sriov_totalvfs;
        struct gd_pci_caps caps;
        /* false: driver_override through caps above were not read, because
         * no check looks at this device (host/pci.c read_details()); they
         * are in their unknown states (reset_method_state -ENODATA). */
        bool details_read;
        /* /sys/bus/pci/devices/<addr>/drm: the DRM minors a driver registered
         * for a display function (card0, renderD128), read for display
         * functions only (host/guest.c).  drm_state: 0 not read (unknown),
         * 1 read (drm may be NULL: no directory, no minor), -errno unreadable. */
        char **drm;
        int drm_state;
};

struct gd_iommu_group {
        int id;
        char *type;            /* DMA, DMA-FQ, identity, blocked, unmanaged; NULL unknown */
        char **devices;        /* addresses, sorted */
};

struct gd_cmdline_arg {
        char *key;
        char *value;           /* NULL for a bare flag */
};

struct gd_cmdline {
        char *raw;
        struct gd_cmdline_arg *args; /* kernel arguments, before "--" */
        size_t n_args;
        char **init_args;      /* after "--": passed to init, not parsed by the kernel */
};

struct gd_kmsg_record {
        unsigned line;         /* 1-based record number in the source */
        int level;             /* syslog priority 0-7, -1 when absent */
        uint64_t usec;         /* timestamp, 0 when absent */
        char *text;            /* message, non-printable bytes escaped as \xNN */
        uint64_t signals;      /* the signals text holds: 1 << enum gd_kmsg_signal (model/kmsg-signals.h) */
};

struct gd_kmsg {
        struct gd_kmsg_record *records;
        size_t n_records;
        size_t n_read;         /* records in the source; more than n_records when
                                * only signal records were kept (model/kmsg-signals.h) */
        char *source;          /* /dev/kmsg, or the file it came from */
};

/* One line of /proc/iomem: a physical address range and its owner. */
struct gd_iomem_range {
        uint64_t start, end;
        unsigned depth;        /* nesting level (two spaces per level) */
        char *name;            /* "BOOTFB", "efifb", "0000:01:00.0", "PCI Bus 0000:00" */
        unsigned line;
};

/* Where a fact came from, for findings. */
struct gd_source {
        const char *path;
        unsigned line;         /* 0 when the fact is the whole file */
};

/* A module's directory in /sys/module: there for a loaded module and for a
 * built-in one that has parameters or a version (kernel/params.c
 * param_sysfs_builtin(), module_add_modinfo_attrs()). */
struct gd_sys_module {
        char *name;
        int state;             /* 0 present, -ENOENT absent, other -errno unknown */
        char **holders;        /* /sys/module/<name>/holders: loaded modules that use it */
        int holders_state;     /* 0, or -errno (-ENODATA: not read) */
};

/* /sys/module/<module>/parameters/<param>: the value the running kernel uses. */
struct gd_module_param {
        char *module, *param;
        char *value;           /* as read ("Y", "N", "1"); NULL when state < 0 */
        int state;             /* 0, -ENOENT (no such parameter), other -errno */
};

struct gd_modconfig;   /* model/modconfig.h: module configuration (libkmod) */
struct gd_bootconfig;  /* model/bootconfig.h: boot loader, initramfs, kernel config */
struct gd_vmconfig;    /* model/vmconfig.h: VM configs that pass PCI devices through */
struct gd_vmlog;       /* model/vmlog.h: QEMU, libvirt and Proxmox messages about VFIO devices */
struct gd_guestinfo;   /* model/guestinfo.h: what a VM needs to use the GPU it was given */

struct gd_host {
        /* PCI devices, sorted by address. */
        struct gd_pci_dev *devs;
        size_t n_devs;
        int pci_state;         /* 0, or -errno when /sys/bus/pci could not be read */

        /* IOMMU */
        struct gd_iommu_group *groups;
        size_t n_groups;
        int groups_state;      /* 0, -ENOENT no /sys/kernel/iommu_groups, other -errno */
        char **iommu_units;    /* /sys/class/iommu entries: dmar0, ivhd0, ... */
        int iommu_units_state;
        tri_t acpi_dmar, acpi_ivrs;
        tri_t acpi_iort;       /* arm64: the IORT table describes SMMUs and ITS groups */

        /* Kernel */
        char *kernel_release;
        struct gd_cmdline cmdline;
        int cmdline_state;
        char **modules;        /* loaded modules (libkmod), sorted */
        int modules_state;
        struct gd_kmsg kmsg;
        int kmsg_state;

        struct gd_iomem_range *iomem;     /* /proc/iomem; all zero addresses when not root */
        size_t n_iomem;
        int iomem_state;
        char *interrupts;      /* /proc/interrupts text (IR- chips prove interrupt remapping) */
        int interrupts_state;
        struct gd_sys_module *sys_modules;   /* the modules of host/sysmodule.c's table */
        size_t n_sys_modules;
        struct gd_module_param *module_params;
        size_t n_module_params;

        struct gd_modconfig *modconfig;   /* NULL: not read */
        struct gd_bootconfig *bootconfig; /* NULL: not read */
        struct gd_vmconfig *vmconfig;     /* NULL: not read; read with GD_READ_BOOT */
        struct gd_vmlog *vmlog;           /* NULL: not read; read with GD_READ_BOOT */

        /* Platform */
        char *cpu_vendor;      /* GenuineIntel, AuthenticAMD, ... */
        tri_t hypervisor;      /* cpuinfo "hypervisor" flag */
        char *dmi_sys_vendor, *dmi_product_name;
        char *hypervisor_type; /* /sys/hypervisor/type, e.g. "xen" */
        char *xen_capabilities; /* /proc/xen/capabilities: "control_d" in dom0, empty in a domU */
        int xen_capabilities_state;
        char *hostname;        /* /proc/sys/kernel/hostname: a Proxmox node's name */
        struct gd_guestinfo *guest; /* NULL: not read */

        bool is_root;          /* euid 0 when read */
        bool replayed;         /* read inside a replay testbed */
        /* Replayed from a bundle `gpudiag import` built from pasted text:
         * what the paste did not show is unknown, and the devices it lists
         * need not be all the host has (metadata.origin: imported). */
        bool imported;
};

struct gd_host *gd_host_new(void);
struct gd_host *gd_host_free(struct gd_host *h);
static inline void gd_host_freep(struct gd_host **h) { gd_host_free(*h); }
#define _cleanup_host_ _cleanup_(gd_host_freep)

void gd_pci_dev_clear(struct gd_pci_dev *d);
void gd_cmdline_clear(struct gd_cmdline *c);
void gd_kmsg_clear(struct gd_kmsg *k);

const struct gd_pci_dev *gd_host_find_dev(const struct gd_host *h, const char *address);
const struct gd_iommu_group *gd_host_find_group(const struct gd_host *h, int id);
/* /sys/module/<name> as read; NULL when the reader's table lacks it. */
const struct gd_sys_module *gd_host_sys_module(const struct gd_host *h, const char *name);
/* /sys/module/<module>/parameters/<param>; NULL when not read. */
const struct gd_module_param *gd_host_module_param(const struct gd_host *h, const char *module, const char *param);

/* True for display-class devices (class 03xx). */
static inline bool gd_pci_is_display(const struct gd_pci_dev *d) {
        return (d->class_code >> 16) == PCI_BASE_CLASS_DISPLAY;
}
static inline bool gd_pci_is_bridge(const struct gd_pci_dev *d) {
        return (d->class_code >> 8) == PCI_CLASS_BRIDGE_PCI;
}
/* Two devices are functions of one card when domain, bus and slot agree. */
static inline bool gd_pci_same_slot(const struct gd_pci_dev *a, const struct gd_pci_dev *b) {
        return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

/* Command line look-ups.  Module parameters accept '-' and '_' alike, as the
 * kernel's parse_args() does (kernel/params.c, parameq()). */
bool gd_param_eq(const char *a, const char *b);
const struct gd_cmdline_arg *gd_cmdline_find(const struct gd_cmdline *c, const char *key);
const struct gd_cmdline_arg *gd_cmdline_find_last(const struct gd_cmdline *c, const char *key);

/* The major and minor version of a kernel release ("6.8.12-4-pve": 6, 8);
 * false when release is NULL or does not start with them. */
bool gd_kernel_version(const char *release, unsigned *major, unsigned *minor);

/* The device's name as lspci prints it (pciutils lib/names.c,
 * format_name_pair()): "Vendor Device", or with with_ids (lspci -nn)
 * "Vendor Device [vvvv:dddd]"; a name pci.ids lacks gives "Vendor Device
 * dddd" / "Device vvvv:dddd", with IDs "Vendor Device [vvvv:dddd]" /
 * "Device [vvvv:dddd]". */
void gd_pci_format_name(const struct gd_pci_dev *d, bool with_ids, char *buf, size_t size);
/* "10de:2204", or "IDs unknown" for an imported device the paste named by
 * its address alone. */
void gd_pci_format_ids(const struct gd_pci_dev *d, char *buf, size_t size);
/* The class name pci.ids gives ("" when it has none), or "class unknown". */
const char *gd_pci_class_text(const struct gd_pci_dev *d);

/* The path of a device attribute, for evidence; newly allocated. */
char *gd_pci_attr_source(const struct gd_pci_dev *d, const char *attr);
