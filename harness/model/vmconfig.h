/* SPDX-License-Identifier: MIT */
/* VM configurations that pass host PCI devices through: Proxmox VE
 * /etc/pve/qemu-server/<vmid>.conf and libvirt /etc/libvirt/qemu/<name>.xml.
 * Filled by host/vmconfig.c from below the config root; read by
 * checks/vm.c.  Every entry carries the file and line it came from, and the
 * line as written, so that findings can quote it and remedies rewrite it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model/conffile.h"
#include "model/host.h"

enum gd_vm_kind {
        GD_VM_PROXMOX,
        GD_VM_LIBVIRT,
};

enum gd_vm_machine {
        GD_VM_MACHINE_UNKNOWN,
        GD_VM_MACHINE_I440FX,  /* Proxmox: no machine: line, "pc", "pc-i440fx-*"; libvirt "pc*" */
        GD_VM_MACHINE_Q35,     /* any machine type containing "q35", as Proxmox's machine_type_is_q35() */
};

#define GD_VM_FUNC_ALL (-1)    /* Proxmox "0000:01:00": every function of the slot */

/* One host PCI address passed to a VM.  A Proxmox hostpciN line may list
 * several ("01:00.0;01:00.1"): one entry each, with the same key and line. */
struct gd_vm_pci {
        char *key;             /* "hostpci0", or "hostdev" (libvirt) */
        char *text;            /* the config line as written (libvirt: the <address .../> tag) */
        unsigned line;         /* 1-based */
        bool resolved;         /* address parsed, or a mapping resolved for this node */
        char *host_text;       /* Proxmox: the host part as written ("0000:01:00", "02:00.0;02:00.1"); NULL for a mapping */
        char *mapping;         /* Proxmox resource mapping name (PVE 8), NULL otherwise */
        /* A mapping resolved through /etc/pve/mapping/pci.cfg (host/pve-mapping.c):
         * 0 resolved; -ENOENT no such mapping; -ENXIO no map line for this
         * node; -ENODATA not resolved (no pci.cfg or node name). */
        int mapping_state;
        char *mapping_source;  /* "/etc/pve/mapping/pci.cfg" */
        unsigned mapping_line; /* the map line used */
        char *mapping_id;      /* its id=, the vendor:device Proxmox checks (assert_valid()) */
        unsigned domain, bus, dev;
        int func;              /* 0-7, or GD_VM_FUNC_ALL */
        tri_t pcie, x_vga, rombar, multifunction;  /* TRI_UNKNOWN: not written (the default applies) */
        char *romfile;
        char *options;         /* Proxmox: everything after the host part (",pcie=1,x-vga=1"), for remedies */
};

/* The VM's firmware: Proxmox bios: (default seabios), libvirt <os firmware>/<loader>. */
enum gd_vm_bios {
        GD_VM_BIOS_UNKNOWN,
        GD_VM_BIOS_SEABIOS,
        GD_VM_BIOS_OVMF,
};

/* A VM-wide option as written: "vga: std" is { "std", line }. */
struct gd_vm_option {
        char *text;            /* NULL when the config does not set it */
        unsigned line;
};

struct gd_vm {
        enum gd_vm_kind kind;
        char *name;            /* Proxmox: the VMID (file name); libvirt: <name> */
        char *source;          /* /etc/pve/qemu-server/100.conf (the host's path, not the replay root) */
        enum gd_vm_machine machine;
        char *machine_text;    /* as written; NULL when absent (Proxmox default: i440fx) */
        unsigned machine_line; /* 0 when absent */
        enum gd_vm_bios bios;
        struct gd_vm_option bios_opt;  /* Proxmox bios:, libvirt the <loader> or <os firmware=> */
        struct gd_vm_option vga;       /* Proxmox vga:, libvirt <video><model type=> */
        struct gd_vm_option cpu;       /* Proxmox cpu:, libvirt <cpu mode=> */
        tri_t cpu_host;                /* cpu host / host-passthrough */
        struct gd_vm_option ostype;    /* Proxmox ostype:, libvirt libosinfo os id */
        tri_t windows;                 /* ostype win*, a microsoft.com libosinfo id */
        struct gd_vm_pci *pci;
        size_t n_pci;
};

struct gd_vmconfig {
        struct gd_vm *vms;
        size_t n_vms;
        struct gd_conffiles files;     /* each VM config as read */
};

void gd_vm_clear(struct gd_vm *vm);
struct gd_vmconfig *gd_vmconfig_free(struct gd_vmconfig *c);
static inline void gd_vmconfig_freep(struct gd_vmconfig **c) { gd_vmconfig_free(*c); }

/* True when the entry names this device (the whole slot, or the function). */
bool gd_vm_pci_matches(const struct gd_vm_pci *p, const struct gd_pci_dev *d);
/* "0000:01:00" or "0000:01:00.1" for an entry; buf of at least GD_ADDR_LEN. */
void gd_vm_pci_address(const struct gd_vm_pci *p, char buf[static GD_ADDR_LEN]);
const char *gd_vm_machine_to_string(enum gd_vm_machine m);
