/* SPDX-License-Identifier: MIT */
/* The predictor's working state: one node per PCI function with the facts
 * the kernel's grouping reads, already resolved (ACS control as the kernel
 * leaves it, DMA alias quirks applied, what-if moves done). */
#pragma once

#include <stdint.h>

#include "predict/predict.h"

/* include/uapi/linux/pci_regs.h */
#define PCI_EXP_TYPE_ENDPOINT    0x0
#define PCI_EXP_TYPE_LEG_END     0x1
#define PCI_EXP_TYPE_ROOT_PORT   0x4
#define PCI_EXP_TYPE_UPSTREAM    0x5
#define PCI_EXP_TYPE_DOWNSTREAM  0x6
#define PCI_EXP_TYPE_PCI_BRIDGE  0x7
#define PCI_EXP_TYPE_PCIE_BRIDGE 0x8
#define PCI_EXP_TYPE_RC_END      0x9
#define PCI_EXP_TYPE_RC_EC       0xa
#define PCI_ACS_SV  0x0001
#define PCI_ACS_TB  0x0002
#define PCI_ACS_RR  0x0004
#define PCI_ACS_CR  0x0008
#define PCI_ACS_UF  0x0010
#define PCI_ACS_EC  0x0020
#define PCI_ACS_DT  0x0040
/* drivers/iommu/iommu.c */
#define REQ_ACS_FLAGS (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

#define PCI_ANY 0xffff
#define NO_NODE ((size_t) -1)

struct pnode {
        const struct gd_pci_dev *d;
        size_t parent;          /* node of the bridge above; NO_NODE on a root bus */
        bool present;           /* false: a move took it off the host */
        bool translated;        /* the IOMMU gives it a group */
        int group;              /* -1 until it has one */
        unsigned devfn;         /* slot << 3 | function */

        tri_t pcie;
        unsigned type;          /* PCI_EXP_TYPE_*, when pcie is YES */
        tri_t multifunction;
        tri_t acs;              /* ACS capability present */
        uint16_t acs_cap, acs_ctrl;     /* acs_ctrl: as the kernel leaves it (acs.c) */
        bool ctrl_from_cap;     /* acs_ctrl derived from ACSCap, not read */

        uint64_t alias_mask[4]; /* pci_dev->dma_alias_mask: devfns on its bus */
        const char *alias_quirk;        /* the fixup that set it */
        bool pcie_bridge_alias; /* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
        bool xlate_root;        /* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT */

        /* Its bus (itself included) and, for a bridge, the bus below it:
         * ranges of pctx.sib, so that a bus is walked without scanning the
         * host (a bundle may hold 100,000 devices). */
        size_t bus_lo, bus_hi, kids_lo, kids_hi;
};

struct acs_override {
        bool downstream, multifunction;
        struct { uint16_t vendor, device; } ids[16];
        size_t n_ids;
};

struct pctx {
        const struct gd_host *h;
        const struct gd_predict_options *o;
        struct pnode *n;        /* indexed like h->devs */
        size_t nn;
        struct gd_prediction *p;
        struct acs_override ov;
        bool have_override;
        size_t *sib;            /* present nodes by bus (parent, then domain, bus), then devfn */
        size_t n_sib;
        bool *shared;           /* rework.c: per group, everything below its members joins it */
        size_t n_shared;
        int error;              /* -ENOMEM seen while adding text */
};

static inline bool kernel_at_least(const struct gd_predict_options *o, unsigned maj, unsigned min) {
        /* Unknown (0.0) means the newest rules. */
        if (o->kernel_major == 0)
                return true;
        return o->kernel_major > maj || (o->kernel_major == maj && o->kernel_minor >= min);
}

static inline bool same_bus(const struct pctx *c, size_t a, size_t b) {
        const struct pnode *x = &c->n[a], *y = &c->n[b];

        if (x->parent != y->parent)
                return false;
        return x->parent != NO_NODE || (x->d->domain == y->d->domain && x->d->bus == y->d->bus);
}

_printf_(2, 3) void pctx_unknown(struct pctx *c, const char *fmt, ...);
_printf_(2, 3) void pctx_note(struct pctx *c, const char *fmt, ...);
/* "0000:00:1c.0 (8086:a110 Root Port)", in a static buffer per slot (0-3). */
const char *node_name(const struct pctx *c, size_t i, unsigned slot);
const char *pcie_type_name(const struct pnode *n);

/* predict.c: a new group for node i (its index, -1 on ENOMEM); node i
 * joining the group of node with, because of cause. */
int group_new(struct pctx *c, size_t i);
_printf_(7, 8) void join(struct pctx *c, size_t i, size_t with, size_t cause, enum gd_merge_kind kind,
                         bool uncertain, const char *fmt, ...);
/* get_pci_alias_group(), then get_pci_function_alias_group(), for node i:
 * the group found (-1 none), the member it came from, the first alias or
 * function on the way, the kind and the reason. */
int classic_function_group(struct pctx *c, size_t i, uint64_t *devfns, size_t *ret_with, size_t *ret_hop,
                           enum gd_merge_kind *ret_kind, char *why, size_t len, bool *uncertain);
/* classic.c: pci_device_group() for node i, as released kernels have it. */
void classic_group(struct pctx *c, size_t i);
/* rework.c: pci_device_group() as the switch rework has it; 0 or -ENOMEM. */
int rework_group(struct pctx *c, size_t i);

/* acs.c: why a device does (not) provide the ACS controls asked for. */
struct acs_why {
        char text[256];         /* when not enabled or unknown: why; when a quirk vouched: which */
};
void acs_setup_ctrl(struct pctx *c, size_t i);
tri_t acs_enabled(struct pctx *c, size_t i, uint16_t flags, struct acs_why *why);
/* pci_acs_path_enabled(start, NULL, flags): *ret_fail is the first device
 * on the path up from start that does not isolate. */
tri_t acs_path_enabled(struct pctx *c, size_t start, uint16_t flags, size_t *ret_fail, struct acs_why *why);

/* quirks.c */
/* pci_dev_specific_acs_enabled(): -1 (-ENOTTY) when no quirk speaks for
 * the device, else 0 or 1; *ret_quirk names the quirk that decided. */
int quirk_acs_enabled(struct pctx *c, size_t i, uint16_t flags, const char **ret_quirk, bool *ret_uncertain);
/* pci_dev_specific_enable_acs() handles the device itself (returns the
 * quirk name) or NULL when pci_std_enable_acs() does it. */
const char *quirk_enable_acs(const struct pctx *c, size_t i);
bool quirk_intel_spt_match(const struct pctx *c, size_t i);
/* The DMA alias fixups (DECLARE_PCI_FIXUP_HEADER rows) on node i. */
void quirk_dma_aliases(struct pctx *c, size_t i);

/* params.c */
int acs_override_parse(const char *s, struct acs_override *ret);
/* __pci_config_acs(): applies a disable_acs_redir= (mask set) or
 * config_acs= (mask 0: flags from the string) value to node i: when it
 * names the device, *ctrl = (fw_ctrl & ~mask) | (flags & mask).  The value
 * ends at NUL or ','. */
void params_config_acs(struct pctx *c, size_t i, const char *param, uint16_t mask, uint16_t flags,
                       uint16_t fw_ctrl, uint16_t *ctrl, bool *matched);
