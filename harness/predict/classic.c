/* pci_device_group() (drivers/iommu/iommu.c), replayed over the model.
 *
 * The kernel gives each PCI device its group when the IOMMU driver probes
 * it, in the order devices were added to the bus (bus_iommu_probe() walks
 * the bus's device list; pci_bus_add_devices() adds the devices of a bus,
 * then each bridge's child bus in turn), and each device either joins a
 * group that a device probed earlier already has or gets a new one:
 *
 *  1. pci_for_each_dma_alias() (drivers/pci/search.c): up the buses, a
 *     PCIe-to-PCI bridge, a PCI-to-PCIe bridge or a conventional bridge
 *     takes over the requester ID of what is below it; the first such
 *     bridge with a group gives it (root, upstream and downstream ports
 *     keep IDs; a PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT bridge ends the walk).
 *  2. From there up, while the bridge above does not have an ACS-isolated
 *     path to the root (pci_acs_path_enabled(bus->self, NULL,
 *     REQ_ACS_FLAGS)), the bridge's group is taken.
 *  3. get_pci_alias_group(): a device on the same bus that is a DMA alias
 *     of it (quirk aliases) or aliased by it.
 *  4. get_pci_function_alias_group(): when it is multifunction and not
 *     isolated, another function of the slot that is not isolated either.
 *  5. Otherwise a new group.
 *
 * The proposed switch rework (GD_RULES_SWITCH_REWORK) is rework.c. */
#include <stdio.h>
#include <string.h>

#include "predict/predict-internal.h"

struct found {
        int group;
        size_t member;          /* the device whose group it is */
        size_t hop;             /* the first alias or function reached */
        bool uncertain;
        char why_a[256], why_b[256];
};

static bool test_and_set(uint64_t *bits, unsigned devfn) {
        uint64_t m = UINT64_C(1) << (devfn % 64);
        bool was = bits[devfn / 64] & m;

        bits[devfn / 64] |= m;
        return was;
}

static bool alias_bit(const struct pnode *n, unsigned devfn) {
        return n->alias_mask[devfn / 64] & (UINT64_C(1) << (devfn % 64));
}

/* pci_devs_are_dma_aliases() */
static bool are_aliases(const struct pnode *a, const struct pnode *b) {
        return alias_bit(a, b->devfn) || alias_bit(b, a->devfn);
}

static int function_alias_group(struct pctx *c, size_t pdev, uint64_t *devfns, unsigned depth, struct found *f);

/* get_pci_alias_group() */
static int alias_group(struct pctx *c, size_t pdev, uint64_t *devfns, unsigned depth, struct found *f) {
        if (depth > 256 || test_and_set(devfns, c->n[pdev].devfn))
                return -1;
        if (c->n[pdev].group >= 0) {
                f->member = pdev;
                return c->n[pdev].group;
        }
        for (size_t k = c->n[pdev].bus_lo; k < c->n[pdev].bus_hi; k++) {
                size_t t = c->sib[k];
                int g;

                if (t == pdev || !c->n[t].present || !same_bus(c, t, pdev) || !are_aliases(&c->n[pdev], &c->n[t]))
                        continue;
                if (depth == 0)
                        f->hop = t;
                g = alias_group(c, t, devfns, depth + 1, f);
                if (g < 0)
                        g = function_alias_group(c, t, devfns, depth + 1, f);
                if (g >= 0)
                        return g;
        }
        return -1;
}

/* get_pci_function_alias_group() */
static int function_alias_group(struct pctx *c, size_t pdev, uint64_t *devfns, unsigned depth, struct found *f) {
        const struct pnode *n = &c->n[pdev];
        struct acs_why why;
        tri_t self;

        if (n->multifunction == TRI_NO)
                return -1;
        self = acs_enabled(c, pdev, REQ_ACS_FLAGS, &why);
        if (self == TRI_YES)
                return -1;
        for (size_t k = n->bus_lo; k < n->bus_hi; k++) {
                size_t t = c->sib[k];
                struct acs_why why_t;
                tri_t other;
                int g;

                if (t == pdev || !c->n[t].present || !same_bus(c, t, pdev) || c->n[t].d->dev != n->d->dev)
                        continue;
                other = acs_enabled(c, t, REQ_ACS_FLAGS, &why_t);
                if (other == TRI_YES)
                        continue;
                g = alias_group(c, t, devfns, depth + 1, f);
                if (g < 0)
                        continue;
                if (depth == 0) {
                        f->hop = t;
                        snprintf(f->why_a, sizeof(f->why_a), "%s", why.text);
                        snprintf(f->why_b, sizeof(f->why_b), "%s", why_t.text);
                }
                f->uncertain = f->uncertain || self == TRI_UNKNOWN || other == TRI_UNKNOWN ||
                               n->multifunction == TRI_UNKNOWN;
                return g;
        }
        return -1;
}

static const char *alias_rid(const struct pctx *c, size_t b, char buf[static 32]) {
        const struct pnode *n = &c->n[b];

        if ((n->pcie == TRI_YES && n->type == PCI_EXP_TYPE_PCI_BRIDGE) || n->pcie_bridge_alias) {
                if (n->d->caps.secondary_bus >= 0)
                        snprintf(buf, 32, "%02x:00.0", (unsigned) n->d->caps.secondary_bus);
                else
                        snprintf(buf, 32, "its secondary bus's 00.0");
        } else
                snprintf(buf, 32, "%02x:%02x.%x", n->d->bus, n->d->dev, n->d->func);
        return buf;
}

/* Step 1: the bridges above that take over requester IDs.  Returns true
 * when the device joined a group; *ret_pdev is the topmost such bridge
 * (or the device). */
static bool step_bridge_alias(struct pctx *c, size_t i, size_t *ret_pdev) {
        size_t pdev = i;

        for (size_t cur = i, depth = 0; c->n[cur].parent != NO_NODE && depth < 256; cur = c->n[cur].parent, depth++) {
                size_t t = c->n[cur].parent;
                const struct pnode *b = &c->n[t];
                bool uncertain = false;
                char rid[32];

                if (b->xlate_root)
                        break;
                if (b->pcie == TRI_YES && b->type != PCI_EXP_TYPE_PCI_BRIDGE && b->type != PCI_EXP_TYPE_PCIE_BRIDGE)
                        continue;
                if (b->pcie == TRI_UNKNOWN) {
                        uncertain = true;
                        pctx_unknown(c, "%s: whether it is PCI Express is unknown, so whether it takes over the "
                                     "requester IDs of what is below it is too", b->d->address);
                }
                pdev = t;
                if (b->group < 0)
                        continue;
                join(c, i, t, t, GD_MERGE_BRIDGE_ALIAS, uncertain,
                     "%s is below %s, which %s: DMA from below it carries the requester ID %s, so the IOMMU "
                     "cannot tell them apart (pci_for_each_dma_alias(), drivers/pci/search.c)",
                     c->n[i].d->address, node_name(c, t, 0),
                     uncertain ? "may be a bridge that takes over requester IDs" : "takes over requester IDs",
                     alias_rid(c, t, rid));
                return true;
        }
        *ret_pdev = pdev;
        return false;
}

/* Step 2: up to the first bridge with an ACS-isolated path to the root. */
static bool step_acs_path(struct pctx *c, size_t i, size_t *pdev) {
        for (size_t t = c->n[*pdev].parent, depth = 0; t != NO_NODE && depth < 256; t = c->n[t].parent, depth++) {
                struct acs_why why;
                size_t fail = t;
                tri_t r = acs_path_enabled(c, t, REQ_ACS_FLAGS, &fail, &why);

                if (r == TRI_YES)
                        break;
                if (r == TRI_UNKNOWN)
                        pctx_unknown(c, "%s", why.text);
                *pdev = t;
                if (c->n[t].group < 0)
                        continue;
                join(c, i, t, fail, GD_MERGE_ACS_PATH, r == TRI_UNKNOWN,
                     "%s is below %s, and the path to the root does not isolate: %s (pci_acs_path_enabled(), "
                     "drivers/pci/pci.c)", c->n[i].d->address, c->n[t].d->address, why.text);
                return true;
        }
        return false;
}

int classic_function_group(struct pctx *c, size_t i, uint64_t *devfns, size_t *ret_with, size_t *ret_hop,
                           enum gd_merge_kind *ret_kind, char *why, size_t len, bool *uncertain) {
        struct found f = { .hop = NO_NODE };
        int g = alias_group(c, i, devfns, 0, &f);
        size_t hop;

        if (g >= 0) {
                hop = f.hop != NO_NODE ? f.hop : f.member;
                snprintf(why, len, "%s and %s are DMA aliases of each other (%s, drivers/pci/quirks.c; "
                         "get_pci_alias_group())", c->n[i].d->address, c->n[hop].d->address,
                         c->n[i].alias_quirk ? c->n[i].alias_quirk :
                         c->n[hop].alias_quirk ? c->n[hop].alias_quirk : "a quirk");
                *ret_kind = GD_MERGE_DMA_ALIAS;
        } else {
                g = function_alias_group(c, i, devfns, 0, &f);
                if (g < 0)
                        return -1;
                hop = f.hop != NO_NODE ? f.hop : f.member;
                snprintf(why, len, "%s and %s are functions of one multifunction device and neither is isolated "
                         "from the other: %s; %s (get_pci_function_alias_group(), drivers/iommu/iommu.c)",
                         c->n[i].d->address, c->n[hop].d->address, f.why_a[0] ? f.why_a : "-",
                         f.why_b[0] ? f.why_b : "-");
                *ret_kind = GD_MERGE_FUNCTIONS;
                if (f.uncertain)
                        pctx_unknown(c, "%s", f.why_a[0] ? f.why_a : f.why_b);
        }
        *ret_with = f.member;
        *ret_hop = hop;
        *uncertain = f.uncertain;
        return g;
}

void classic_group(struct pctx *c, size_t i) {
        uint64_t devfns[4] = { 0 };
        size_t pdev = i, with, hop;
        enum gd_merge_kind kind;
        bool uncertain;
        char why[600];

        if (step_bridge_alias(c, i, &pdev) || step_acs_path(c, i, &pdev))
                return;
        if (classic_function_group(c, pdev, devfns, &with, &hop, &kind, why, sizeof(why), &uncertain) >= 0) {
                join(c, i, with, hop, kind, uncertain, "%s", why);
                return;
        }
        (void) group_new(c, i);
}

