/* SPDX-License-Identifier: MIT */
/* The messages of the tools that start VMs with VFIO devices: QEMU's
 * errors about a vfio-pci device, and the errors libvirt and Proxmox VE
 * give before QEMU runs.  On a host they are in libvirt's per-VM log
 * (/var/log/libvirt/qemu/<name>.log: QEMU's stderr and libvirt's own
 * lines); `gpudiag import` writes pasted ones there too (doc/bundle-format.md).
 *
 * Like the kernel log (model/kmsg-signals.h), the reader keeps only the
 * lines that hold a signal of the one table in model/vmlog.c, and checks
 * find lines by signal.  Pure; host/vmlog.c is the reader. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/host.h"

enum gd_vmlog_signal {
        GD_VMLOG_VFIO_DEVICE,          /* "vfio-pci,host=", "\"driver\":\"vfio-pci\"", "nodedev-detach pci_":
                                        * the device QEMU or libvirt was to give a VM */
        GD_VMLOG_GROUP_NOT_VIABLE,     /* "is not viable" */
        GD_VMLOG_ENSURE_BOUND,         /* "Please ensure all devices within the iommu_group" */
        GD_VMLOG_VERIFY_BOUND,         /* "Verify all devices in group" */
        GD_VMLOG_NO_IOMMU_GROUP,       /* "no iommu_group found" */
        GD_VMLOG_OPEN_GROUP,           /* "/dev/vfio/" in an open failure */
        GD_VMLOG_SET_IOMMU,            /* "Failed to set iommu for container" */
        GD_VMLOG_DMA_MAP,              /* "vfio_container_dma_map(", "vfio_dma_map(", "VFIO_MAP_DMA" */
        GD_VMLOG_MULTIPLE_SPACES,      /* "used in multiple address spaces" */
        GD_VMLOG_ALREADY_ATTACHED,     /* "device is already attached" */
        GD_VMLOG_SLOT_IN_USE,          /* "not available for vfio-pci, in use by" */
        GD_VMLOG_STUCK_IN_D3,          /* "Unable to power on device, stuck in D3" */
        GD_VMLOG_REGION_BUSY,          /* "vfio_region_write(" ... "Device or resource busy" */
        GD_VMLOG_ROM_UNREADABLE,       /* "Cannot read device rom", "ROM contents are probably invalid" */
        GD_VMLOG_RESET_ENOTTY,         /* "/reset': Inappropriate ioctl for device" */
        GD_VMLOG_HEADER_TYPE_127,      /* "Unknown PCI header type '127'" */
        GD_VMLOG_VFIO_UNSUPPORTED,     /* "VFIO device assignment is currently not supported on this system" */
        GD_VMLOG_NO_PASSTHROUGH,       /* "doesn't support passthrough of host PCI devices" */
        GD_VMLOG_STARTING_UP,          /* "starting up libvirt version": a new start of the VM */
        /* Xen: the device a domain is given (QEMU's Xen PCI passthrough, Qubes' attach). */
        GD_VMLOG_XEN_PT_DEVICE,        /* "Assigning real physical device", "qvm-device pci attach" */
        GD_VMLOG_IGD_PASSTHRU,         /* "Need to enable igd-passthru" */
        GD_VMLOG_BIND_ENOENT,          /* "vfio-pci/bind: " ... "such file or directory" */
        _GD_VMLOG_SIGNAL_MAX,
};

struct gd_vmlog_signal_info {
        const char *text;              /* what the line holds */
        const char *and;               /* NULL, or a second text it must hold too */
        const char *source;            /* where the tool prints it */
};

const struct gd_vmlog_signal_info *gd_vmlog_signal(enum gd_vmlog_signal s);

struct gd_vmlog_record {
        unsigned line;                 /* 1-based line in its file */
        char *text;                    /* the line, control bytes escaped */
        char *file;                    /* the host's path of the log */
        char address[GD_ADDR_LEN];     /* the PCI device the line names, "" when none */
        uint32_t signals;              /* 1 << enum gd_vmlog_signal */
};

struct gd_vmlog {
        struct gd_vmlog_record *records;
        size_t n_records;
};

/* The signals line[0..len) holds. */
uint32_t gd_vmlog_signals_in(const char *line, size_t len);

/* The PCI address a tool's line names: "vfio 0000:01:00.0:", "host=01:00.0"
 * (QEMU takes a missing domain as 0000), "\"host\":\"0000:09:00.0\"",
 * "vfio_region_write(0000:26:00.0:region1", "/sys/bus/pci/devices/<addr>/",
 * libvirt's node device names ("pci_0000_01_00_0").
 * Returns false when it names none. */
bool gd_vmlog_line_address(const char *line, size_t len, char ret[static GD_ADDR_LEN]);

/* Appends the lines of one log that hold a signal, from the last line that
 * says libvirt started the VM again (earlier starts are history).  file is
 * the host's path, for evidence.  Returns 0 or -ENOMEM. */
int gd_vmlog_parse(const char *text, size_t len, const char *file, struct gd_vmlog *log);

void gd_vmlog_clear(struct gd_vmlog *log);

static inline bool gd_vmlog_record_has(const struct gd_vmlog_record *r, enum gd_vmlog_signal s) {
        return (r->signals >> s) & 1u;
}

/* The first record at index >= start with signal s that names address
 * (any record with s when address is NULL). */
const struct gd_vmlog_record *gd_vmlog_find(const struct gd_vmlog *log, enum gd_vmlog_signal s,
                                            const char *address, size_t start);
