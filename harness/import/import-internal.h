/* SPDX-License-Identifier: MIT */
/* The state gpudiag import builds up while reading pasted text. */
#pragma once

#include <stdint.h>

#include "base/macro.h"
#include "import/import.h"

#define IMP_UNSET (-1)

/* lspci -vv's capability lines, enough to write the config space the
 * reader parses (host/pci-caps.c) when they prove every fact it takes. */
struct imp_caps {
        tri_t status_cap;       /* "Status: Cap+" / "Cap-" */
        unsigned n_caps, n_ext_caps;    /* "Capabilities: [..]" lines; those at 0x100 and above */
        bool denied;            /* "Capabilities: <access denied>" (not root) */
        unsigned indent;        /* of the capability being read */
        int current;            /* IMP_CAP_*: the capability being read */
        bool in_devcap;         /* inside its DevCap lines */
        int express_type;       /* PCI_EXP_TYPE_*, IMP_UNSET */
        int express_version;
        tri_t flr;              /* DevCap FLReset+/- */
        bool pm;
        tri_t no_soft_reset;    /* PM Status NoSoftRst+/- */
        bool acs;
        int acs_cap, acs_ctrl;  /* IMP_UNSET until ACSCap:/ACSCtl: */
        int primary;            /* Bus: primary= */
};

enum { IMP_CAP_NONE, IMP_CAP_OTHER, IMP_CAP_EXPRESS, IMP_CAP_PM, IMP_CAP_ACS };

struct imp_dev {
        char address[13];       /* dddd:bb:dd.f */
        unsigned domain, bus, slot, func;
        int vendor, device, revision, svendor, sdevice;    /* IMP_UNSET when unknown */
        int class16;            /* class and subclass, IMP_UNSET when unknown */
        int progif;             /* IMP_UNSET when unknown */
        bool listed;            /* seen on an lspci device line (or hex dump) */
        bool enumerated;        /* IDs and class from the kernel's enumeration line */
        tri_t driver_known;     /* YES: driver (or none) proven by -k output */
        char *driver;
        int group;              /* IMP_UNSET when not in a listing */
        char *group_where;      /* FILE:LINE that assigned it */
        int secondary, subordinate;     /* bridges, from Bus: or the config */
        char *parent;           /* address of the parent bridge, from lspci -t */
        bool parent_is_root;    /* lspci -t shows it on a root bus */
        uint8_t *config;        /* pasted hex dump: 64, 256 or 4096 bytes (or a prefix) */
        size_t config_len;
        bool dump_broken;       /* a gap or cut-off row: no more rows taken */
        bool dump_finished;
        bool verbose_block;     /* the current block has lspci -v lines (they show the driver) */
        bool modules_line;      /* the current block has "Kernel modules:" (printed after the driver) */
        bool named;             /* named by address alone: a log line, a tool's message, /proc/iomem */
        bool group_partial;     /* the group's other members are not known (a log line, a cut listing) */
        bool group_removed;     /* the log removed it from its IOMMU group after adding it */
        tri_t boot_vga;         /* from vgaarb's "setting as boot VGA device" or efifb's BAR line */
        char *log_driver;       /* the prefix of the last kernel log line naming it with a driver */
        char *log_driver_where; /* FILE:LINE of that line */
        char *where;            /* FILE:LINE of the first mention */
        struct imp_caps caps;   /* what lspci -vv showed of the capabilities (lspci-caps.c) */
};

/* What the import inferred rather than read, for the summary after it
 * writes the bundle ("driver of 0000:01:00.0: nvidia, from the kernel log
 * line FILE:LINE"). */
struct imp_note {
        char *text;
};

struct imp_file {
        char *path;
        char *content;
        size_t len, cap;
        unsigned pending_blank; /* blank lines not yet known to be inside */
};

struct gd_import {
        struct imp_dev *devs;
        size_t n_devs, cap_devs;
        /* devs by address: open addressing, index + 1 (0: empty), keyed by
         * a random multiplier so a paste cannot choose its collisions;
         * lookups were a linear search, 80,000 lspci lines took 150 s. */
        size_t *dev_slots;
        size_t n_slots;
        uint64_t seed;
        struct imp_file *files;
        size_t n_files;
        char **warnings;
        size_t n_warnings, cap_warnings;
        unsigned kmsg_seq;
        char *xen_dom0_where;   /* xen.c: FILE:LINE of a line only Xen dom0 runs */
        const char *kmsg_last_file;     /* the line the last kernel log record came from */
        unsigned kmsg_last_line;        /* (a continuation line must follow it directly) */
        bool have_groups;       /* a listing or IOMMU group: line was seen */
        size_t n_group_facts;
        char **inferred;        /* strv: facts inferred, as sentences for the summary */
        size_t n_inferred, cap_inferred; /* grown by doubling: one per device of an 80,000-line log */
        struct imp_pciids *pciids; /* pci.ids, read on the first name looked up (pciids.c) */
        char iomem_owner[16][13]; /* iomem.c: the device a /proc/iomem range at each depth is under */
        size_t written_nodes;   /* write.c: the YAML nodes and depth of the bundle written */
        unsigned written_depth;
};

/* A normalised input line: CR, '>' quoting and code fences removed. */
struct imp_line {
        const char *text;       /* the line (not NUL-terminated: len) */
        size_t len;
        const char *body;       /* text without leading blanks */
        size_t body_len;
        unsigned indent;        /* columns before body, tabs to 8 */
        unsigned lineno;
        const char *file;
};

_printf_(3, 4) void imp_warn(struct gd_import *im, const struct imp_line *l, const char *fmt, ...);

/* The device with this address, created when missing; NULL on ENOMEM. */
struct imp_dev *imp_dev_get(struct gd_import *im, unsigned domain, unsigned bus, unsigned slot,
                            unsigned func, const struct imp_line *l);
struct imp_dev *imp_dev_find(struct gd_import *im, const char *address);
/* Rebuilds the address index after devs was reordered. */
int imp_dev_reindex(struct gd_import *im);
/* IDs and class known: the device can go into the recording. */
static inline bool imp_dev_recordable(const struct imp_dev *d) {
        return d->vendor != IMP_UNSET && d->device != IMP_UNSET && d->class16 != IMP_UNSET;
}

/* Appends a line (plus '\n') to the file at path, creating it. */
int imp_file_append(struct gd_import *im, const char *path, const char *s, size_t len);
/* A blank line inside a file: kept only when more content follows. */
void imp_file_blank(struct gd_import *im, const char *path);
struct imp_file *imp_file_find(struct gd_import *im, const char *path);

/* Parses "[dddd:]bb:dd.f" at s; returns the characters used, 0 if none. */
size_t imp_parse_address(const char *s, size_t len, unsigned *domain, unsigned *bus, unsigned *slot,
                         unsigned *func, bool *has_domain);

/* lspci.c: a device line ("01:00.0 VGA ... [0300]: ... [10de:2204] (rev a1)").
 * Returns the device, NULL when l is no device line. */
struct imp_dev *imp_lspci_device_line(struct gd_import *im, const struct imp_line *l, const char *s,
                                      size_t len);
/* An indented detail line of dev (-k, -v).  Returns true when understood. */
bool imp_lspci_detail_line(struct gd_import *im, struct imp_dev *dev, const struct imp_line *l);
/* The line looks like an lspci device line (cheap test). */
bool imp_is_device_line(const char *s, size_t len);
/* The first token of s that is a PCI address ([dddd:]bb:dd.f), written to
 * ret as dddd:bb:dd.f; returns its offset + 1, 0 when there is none. */
size_t imp_find_address(const char *s, size_t len, char ret[static 13]);

/* lspci-caps.c: the capability lines of lspci -vv ("Status: Cap+",
 * "Capabilities: [58] Express (v2) Root Port", "ACSCap:", "ACSCtl:" ...).
 * Returns true when the line belonged to a capability. */
bool imp_lspci_cap_line(struct gd_import *im, struct imp_dev *dev, const struct imp_line *l);
/* After all input: a config space image from those lines, for a device
 * without a pasted hex dump, when they prove every fact the reader takes
 * from it (PCI Express port type, FLR, PM No_Soft_Reset, ACS, header type
 * with the multifunction bit, bus numbers); otherwise nothing, and the
 * reader says unknown. */
void imp_config_from_caps(struct gd_import *im, struct imp_dev *dev, bool multifunction);

/* The class of a class name as pci.ids spells it ("VGA compatible
 * controller"), ending at s[len], ':' or two blanks; -1 if none. */
int imp_class_from_name(const char *s, size_t len);

/* lspci-mm.c: lspci -mm ("00:02.0 \"VGA compatible controller\" \"Intel
 * Corporation\" ...") and -vmm blocks ("Slot:\t00:02.0", "Class:\t...",
 * "Driver:\ti915"), -nn forms too. */
struct imp_vmm {
        struct imp_dev *dev;
        char cls[128], vendor[160], device[160];
        int rev, progif;
        bool driver_line, module_line;
        char driver[64];
        int group;
};
bool imp_is_mm_line(const char *s, size_t len);
void imp_mm_line(struct gd_import *im, const struct imp_line *l);
/* A line of a -vmm block; true when it is one.  imp_vmm_end() at a blank
 * line (the block is whole) or at anything else (cut: what it lacked stays
 * unknown). */
bool imp_vmm_line(struct gd_import *im, struct imp_vmm *v, const struct imp_line *l);
void imp_vmm_end(struct gd_import *im, struct imp_vmm *v, bool whole);

/* sysfs-paths.c: find /sys/kernel/iommu_groups -type l, ls -l .../iommu_group. */
bool imp_sysfs_group_line(struct gd_import *im, const struct imp_line *l);

/* lshw.c: lshw's "*-display" blocks. */
struct imp_lshw {
        bool open;
        struct imp_dev *dev;
        char description[96], product[128], vendor[128];
};
bool imp_lshw_line(struct gd_import *im, struct imp_lshw *w, const struct imp_line *l);
void imp_lshw_end(struct gd_import *im, struct imp_lshw *w);

/* hexdump.c: "00: 86 80 ..." / "000: ..." lines of lspci -x/-xxx/-xxxx. */
bool imp_is_hex_line(const char *s, size_t len);
/* Adds the line's bytes to dev; warns on gaps and truncation. */
void imp_hex_line(struct gd_import *im, struct imp_dev *dev, const struct imp_line *l);
/* After a device's dump ends: cut to whole 16-byte rows from 0, fill IDs. */
void imp_hex_finish(struct gd_import *im, struct imp_dev *dev);

/* tree.c: lspci -t. */
struct imp_tree;
struct imp_tree *imp_tree_new(void);
void imp_tree_free(struct imp_tree *t);
bool imp_is_tree_line(const char *s, size_t len);
void imp_tree_line(struct gd_import *im, struct imp_tree *t, const struct imp_line *l);

/* groups.c: "IOMMU Group N:" headers and the one-line form. */
/* Returns the group number for a header (rest set past it), or -1.
 * *ret_table is set for ls-iommu's "Group N:" rows, whose continuation
 * rows follow indented. */
int imp_group_header(const char *s, size_t len, size_t *ret_rest, bool *ret_table);
void imp_group_assign(struct gd_import *im, struct imp_dev *dev, int group, const struct imp_line *l);

/* kmsg-devices.c: what a kernel log line says of the device it names
 * ("<driver> 0000:01:00.0: ...": the device, its driver then, its IOMMU
 * group, the boot VGA device). */
void imp_kmsg_device_line(struct gd_import *im, const struct imp_line *l, const char *text);

/* vmtools.c: QEMU, libvirt and Proxmox messages (model/vmlog.h).  Returns
 * true when l is one; it goes to the VM log of the bundle. */
bool imp_vm_tool_line(struct gd_import *im, const struct imp_line *l);
#define IMP_VM_LOG "/var/log/libvirt/qemu/pasted-messages.log"

/* iomem.c: /proc/iomem lines ("  e0000000-efffffff : 0000:00:02.0"). */
bool imp_is_iomem_line(const char *s, size_t len);
void imp_iomem_line(struct gd_import *im, const struct imp_line *l);

/* A device the text names by its address alone (created when missing). */
struct imp_dev *imp_dev_named(struct gd_import *im, const char *address, const struct imp_line *l);

/* Records an inferred fact for the summary (printf-style). */
_printf_(2, 3) void imp_infer(struct gd_import *im, const char *fmt, ...);

/* proxmox.c: Proxmox VE VM configuration lines, kept until the run of
 * them ends, then written when one was a hostpciN line. */
struct imp_pve {
        char **lines;
        size_t n, cap;
        bool has_hostpci;
        char vmid[32];          /* from the prompt (qm config 100), "" when none */
};
bool imp_is_pve_line(const char *s, size_t len);
bool imp_pve_line(struct gd_import *im, struct imp_pve *pve, const struct imp_line *l);
void imp_pve_flush(struct gd_import *im, struct imp_pve *pve);

/* libvirt.c: libvirt's XML (a domain's <hostdev> elements, virsh
 * nodedev-dumpxml) and its node device names (pci_0000_01_00_0). */
struct imp_xml {
        bool in_device, in_hostdev, in_source, in_group, in_driver, domain;
        bool hostdev_seen;
        struct imp_dev *dev;    /* the <device> of nodedev-dumpxml */
        int group;
};
bool imp_libvirt_line(struct gd_import *im, struct imp_xml *x, const struct imp_line *l);
#define IMP_LIBVIRT_XML "/etc/libvirt/qemu/pasted.xml"

/* pciids.c: the vendor:device IDs of "<vendor name> <device name>" as
 * plain lspci prints them, from pci.ids; -ENOENT when no single pair has
 * those names (or there is no pci.ids). */
struct imp_pciids;
int imp_pciids_lookup(struct imp_pciids **ids, const char *s, size_t len, unsigned *ret_vendor, unsigned *ret_device);
struct imp_pciids *imp_pciids_free(struct imp_pciids *ids);
/* Sets d's IDs from its name when the text gave none (lspci.c, tree.c). */
void imp_ids_from_name(struct gd_import *im, struct imp_dev *d, const char *name, size_t len, const struct imp_line *l);

/* logs.c: kernel log and lsmod. */
bool imp_is_dmesg_line(const char *s, size_t len);
void imp_dmesg_line(struct gd_import *im, const struct imp_line *l);
/* xen.c: a line only Xen's dom0 runs (Qubes' qvm-* tools, xen-pciback.hide=)
 * and Qubes' device names ("dom0:0c_00.0"); imp_xen_infer() writes what it
 * proves into the bundle. */
void imp_xen_line(struct gd_import *im, const struct imp_line *l);
int imp_xen_infer(struct gd_import *im);
/* An indented line right after a kernel log line: the next line of that record. */
bool imp_dmesg_continuation(struct gd_import *im, const struct imp_line *l);
bool imp_is_lsmod_line(const char *s, size_t len);
/* The command line from the kernel log when none was pasted. */
int imp_infer_from_log(struct gd_import *im);
void imp_lsmod_line(struct gd_import *im, const struct imp_line *l);

/* conffiles.c: /proc/cmdline, modprobe.d, /etc/modules, /etc/default/grub. */
bool imp_is_cmdline_line(const char *s, size_t len);
void imp_cmdline_line(struct gd_import *im, const struct imp_line *l);
bool imp_is_modprobe_line(const char *s, size_t len);
bool imp_is_grub_line(const char *s, size_t len);
bool imp_is_modules_line(const char *s, size_t len);

