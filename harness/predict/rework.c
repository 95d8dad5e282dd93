/* SPDX-License-Identifier: MIT */
/* The proposed rework of pci_device_group() (Jason Gunthorpe, "iommu:
 * Compute iommu_groups properly for PCIe switches", v3 2025-09-05, with
 * pci_bus_isolated() and pcie_switch_isolated() in drivers/pci/search.c).
 * Not in a release this tool knows of: GD_RULES_SWITCH_REWORK asks for it.
 *
 * It works on buses: a bus that does not isolate puts everything below it
 * into one group (BUS_DATA_PCI_NON_ISOLATED), which every device further
 * down joins (pci_hierarchy_group()).  pci_bus_isolated():
 *   root bus                     isolated
 *   below a root port            isolated, unless the port has an ACS
 *                                capability without SV|RR|CR|UF enabled
 *                                (then the port and what is below share)
 *   below a downstream port      isolated (links are point to point)
 *   the inside of a switch       every downstream port must isolate; one
 *                                that does not makes the downstream ports
 *                                share a group (or, when its ACS does not
 *                                even keep traffic off the upstream port,
 *                                the upstream port too)
 *   below a PCIe-to-PCI bridge   the devices share; the bridge joins only
 *                                when it has MMIO BARs
 *   below any other bridge       the devices and the bridge share
 * On an isolated bus, DMA aliases and non-isolated functions still merge
 * (pci_get_function_group()), and such a merged group also takes what is
 * below its members.  The ACS Enhanced bits (DSP/USP memory target
 * redirect) count as given when a port does not implement ACS Enhanced
 * (pci_acs_ctrl_mask() of the series); lspci does not show them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "predict/predict-internal.h"

#define IORESOURCE_MEM 0x00000200

enum bus_isolation {
        PCIE_ISOLATED,
        PCI_BRIDGE_NON_ISOLATED,        /* the bridge joins what is below it */
        PCIE_NON_ISOLATED,              /* likewise, for a root port or switch */
        PCI_BUS_NON_ISOLATED,           /* the devices on the bus share, the bridge does not */
        PCIE_SWITCH_DSP_NON_ISOLATED,   /* the downstream ports share, the upstream port does not */
};

static bool *shared_flag(struct pctx *c, int g) {
        static bool none;
        bool *nf;

        if ((size_t) g >= c->n_shared) {
                size_t n = (size_t) g + 16;
                nf = realloc(c->shared, n * sizeof(*nf));
                if (!nf) {
                        c->error = -ENOMEM;
                        return &none;
                }
                memset(nf + c->n_shared, 0, (n - c->n_shared) * sizeof(*nf));
                c->shared = nf;
                c->n_shared = n;
        }
        return &c->shared[g];
}

static tri_t has_mmio(const struct pnode *n) {
        if (!n->d->details_read)
                return TRI_UNKNOWN;
        for (size_t k = 0; k < n->d->n_bars; k++)
                if (n->d->bars[k].index <= 6 && (n->d->bars[k].flags & IORESOURCE_MEM))
                        return TRI_YES;
        return TRI_NO;
}

/* pcie_switch_isolated(): the devices on the bus inside a switch. */
static enum bus_isolation switch_isolated(struct pctx *c, size_t usp, size_t *cause, char *why, size_t len) {
        for (size_t k = c->n[usp].kids_lo; k < c->n[usp].kids_hi; k++) {
                size_t t = c->sib[k];
                const struct pnode *n = &c->n[t];
                struct acs_why w;
                tri_t e;

                if (!n->present || n->parent != usp)
                        continue;
                *cause = t;
                if (n->pcie != TRI_YES || n->type != PCI_EXP_TYPE_DOWNSTREAM || n->alias_mask[0] ||
                    n->alias_mask[1] || n->alias_mask[2] || n->alias_mask[3]) {
                        snprintf(why, len, "%s inside the switch is not a plain downstream port", node_name(c, t, 0));
                        return PCIE_NON_ISOLATED;
                }
                e = acs_enabled(c, t, REQ_ACS_FLAGS, &w);
                if (e == TRI_YES)
                        continue;
                if (e == TRI_UNKNOWN)
                        pctx_unknown(c, "%s", w.text);
                snprintf(why, len, "%s", w.text);
                /* pci_acs_enabled(pdev, PCI_ACS_USP_MT_RR): given without
                 * ACS Enhanced whenever the port has the capability. */
                return n->acs == TRI_YES && e == TRI_NO ? PCIE_SWITCH_DSP_NON_ISOLATED : PCIE_NON_ISOLATED;
        }
        return PCIE_ISOLATED;
}

/* pci_bus_isolated() for the bus node i sits on. */
static enum bus_isolation bus_isolated(struct pctx *c, size_t i, size_t *cause, char *why, size_t len) {
        size_t b = c->n[i].parent;
        const struct pnode *br;
        struct acs_why w;
        unsigned type;
        tri_t e;

        why[0] = '\0';
        *cause = b;
        if (b == NO_NODE)
                return PCIE_ISOLATED;
        br = &c->n[b];
        if (br->pcie == TRI_UNKNOWN) {
                pctx_unknown(c, "%s: whether it is PCI Express is unknown", br->d->address);
                snprintf(why, len, "%s may be a conventional bridge", node_name(c, b, 0));
                return PCI_BRIDGE_NON_ISOLATED;
        }
        if (br->pcie == TRI_NO && !br->pcie_bridge_alias) {
                snprintf(why, len, "%s is a conventional PCI bridge: a PCI bus never isolates", node_name(c, b, 0));
                return PCI_BRIDGE_NON_ISOLATED;
        }
        type = br->pcie == TRI_NO ? PCI_EXP_TYPE_PCI_BRIDGE : br->type;
        switch (type) {
        case PCI_EXP_TYPE_ROOT_PORT:
                if (br->acs == TRI_NO)
                        return PCIE_ISOLATED;
                e = acs_enabled(c, b, REQ_ACS_FLAGS, &w);
                if (e == TRI_YES)
                        return PCIE_ISOLATED;
                if (e == TRI_UNKNOWN)
                        pctx_unknown(c, "%s", w.text);
                snprintf(why, len, "%s", w.text);
                return PCIE_NON_ISOLATED;
        case PCI_EXP_TYPE_DOWNSTREAM:
                return PCIE_ISOLATED;
        case PCI_EXP_TYPE_UPSTREAM:
                return switch_isolated(c, b, cause, why, len);
        case PCI_EXP_TYPE_PCI_BRIDGE:
                snprintf(why, len, "%s is a PCIe-to-PCI bridge: a PCI bus never isolates", node_name(c, b, 0));
                if (has_mmio(br) == TRI_NO)
                        return PCI_BUS_NON_ISOLATED;
                return PCI_BRIDGE_NON_ISOLATED;
        default:
                snprintf(why, len, "%s never isolates what is below it", node_name(c, b, 0));
                return PCI_BRIDGE_NON_ISOLATED;
        }
}

int rework_group(struct pctx *c, size_t i) {
        size_t p = c->n[i].parent, cause = NO_NODE, with = NO_NODE, hop = NO_NODE;
        uint64_t devfns[4] = { 0 };
        enum gd_merge_kind kind;
        bool uncertain = false;
        char why[256];
        int g;

        if (c->n[i].xlate_root)
                return group_new(c, i) < 0 ? c->error : 0;
        /* pci_hierarchy_group() */
        if (p != NO_NODE) {
                if (c->n[p].group < 0)
                        pctx_unknown(c, "%s: its upstream bridge %s gets no group; the kernel would defer it",
                                     c->n[i].d->address, c->n[p].d->address);
                else if (*shared_flag(c, c->n[p].group)) {
                        join(c, i, p, p, GD_MERGE_SHARED_BUS, false,
                             "%s is below %s, whose group takes everything below it (pci_hierarchy_group())",
                             c->n[i].d->address, c->n[p].d->address);
                        return c->error;
                }
        }
        switch (bus_isolated(c, i, &cause, why, sizeof(why))) {
        case PCIE_ISOLATED:
                g = classic_function_group(c, i, devfns, &with, &hop, &kind, why, sizeof(why), &uncertain);
                if (g >= 0) {
                        join(c, i, with, hop, kind, uncertain, "%s (pci_get_function_group())", why);
                        return c->error;
                }
                devfns[c->n[i].devfn / 64] &= ~(UINT64_C(1) << (c->n[i].devfn % 64));
                g = group_new(c, i);
                if (g >= 0 && (devfns[0] | devfns[1] | devfns[2] | devfns[3]))
                        *shared_flag(c, g) = true;
                return c->error;
        case PCI_BRIDGE_NON_ISOLATED:
        case PCIE_NON_ISOLATED:
                if (p == NO_NODE || c->n[p].group < 0)
                        break;
                join(c, i, p, cause, GD_MERGE_SHARED_BUS, false,
                     "%s is below %s, and that bus does not isolate: %s (pci_bus_isolated())", c->n[i].d->address,
                     c->n[p].d->address, why);
                *shared_flag(c, c->n[p].group) = true;
                return c->error;
        case PCI_BUS_NON_ISOLATED:
        case PCIE_SWITCH_DSP_NON_ISOLATED:
                for (size_t k = c->n[i].bus_lo, t; k < c->n[i].bus_hi; k++)
                        if ((t = c->sib[k]) != i && c->n[t].present && c->n[t].group >= 0 && same_bus(c, t, i)) {
                                join(c, i, t, cause, GD_MERGE_SHARED_BUS, false,
                                     "%s and %s share a bus that does not isolate: %s (pci_bus_isolated())",
                                     c->n[i].d->address, c->n[t].d->address, why);
                                *shared_flag(c, c->n[t].group) = true;
                                return c->error;
                        }
                g = group_new(c, i);
                if (g >= 0)
                        *shared_flag(c, g) = true;
                return c->error;
        }
        return group_new(c, i) < 0 ? c->error : 0;
}
