/* SPDX-License-Identifier: MIT */
/* The kernel's device quirks that change IOMMU groups, as data.
 *
 * Source: drivers/pci/quirks.c as of Linux 6.18 (read in the
 * Crazh3/unifreq_linux-6.18.y tree, commit 11c8cf7a814e): the table
 * pci_dev_acs_enabled[] and the functions it names, pci_dev_acs_ops[]
 * (what the kernel programs instead of pci_std_enable_acs()), and the
 * DMA alias fixups (quirk_dma_func0_alias, quirk_dma_func1_alias,
 * quirk_fixed_dma_alias, quirk_use_pcie_bridge_dma_alias,
 * quirk_mic_x200_dma_alias, quirk_pex_vca_alias,
 * quirk_bridge_cavm_thrx2_pcie_root).  Rows grew over the releases; the
 * table below is the 6.18 one, applied to every release (doc/iommu-groups.md).
 *
 * The out-of-tree pcie_acs_override= patch (proxmox/pve-kernel
 * patches/kernel/0004-pci-Enable-overrides-for-missing-ACS-capabilities-4..patch,
 * 4.15 onwards) adds one row, { PCI_ANY_ID, PCI_ANY_ID, pcie_acs_overrides },
 * after the APM X-Gene row; it is evaluated there. */
#include <string.h>

#include "predict/predict-internal.h"

enum acs_quirk {
        Q_AMD_SB = 1,           /* pci_quirk_amd_sb_acs */
        Q_MF_ENDPOINT,          /* pci_quirk_mf_endpoint_acs */
        Q_RCIEP,                /* pci_quirk_rciep_acs */
        Q_FULL,                 /* qcom_rp, xgene, brcm, loongson, nxp_rp: SV|RR|CR|UF, any type */
        Q_INTEL_PCH,            /* pci_quirk_intel_pch_acs */
        Q_INTEL_SPT,            /* pci_quirk_intel_spt_pch_acs */
        Q_CAVIUM,               /* pci_quirk_cavium_acs */
        Q_ZHAOXIN,              /* pci_quirk_zhaoxin_pcie_ports_acs */
        Q_AL,                   /* pci_quirk_al_acs */
        Q_WANGXUN,              /* pci_quirk_wangxun_nic_acs */
        Q_OVERRIDE,             /* pcie_acs_overrides (out of tree) */
};

static const char *const acs_quirk_names[] = {
        [Q_AMD_SB] = "pci_quirk_amd_sb_acs",
        [Q_MF_ENDPOINT] = "pci_quirk_mf_endpoint_acs",
        [Q_RCIEP] = "pci_quirk_rciep_acs",
        [Q_FULL] = "pci_quirk_{qcom_rp,xgene,brcm,loongson,nxp_rp}_acs",
        [Q_INTEL_PCH] = "pci_quirk_intel_pch_acs",
        [Q_INTEL_SPT] = "pci_quirk_intel_spt_pch_acs",
        [Q_CAVIUM] = "pci_quirk_cavium_acs",
        [Q_ZHAOXIN] = "pci_quirk_zhaoxin_pcie_ports_acs",
        [Q_AL] = "pci_quirk_al_acs",
        [Q_WANGXUN] = "pci_quirk_wangxun_nic_acs",
        [Q_OVERRIDE] = "pcie_acs_overrides (pcie_acs_override=, out-of-tree patch)",
};

static const struct acs_row {
        uint16_t vendor, device;        /* PCI_ANY: any */
        enum acs_quirk q;
} acs_rows[] = {
        /* AMD southbridge multifunction devices, with an AMD IOMMU only */
        { 0x1002, 0x4385, Q_AMD_SB }, { 0x1002, 0x439c, Q_AMD_SB }, { 0x1002, 0x4383, Q_AMD_SB },
        { 0x1002, 0x439d, Q_AMD_SB }, { 0x1002, 0x4384, Q_AMD_SB }, { 0x1002, 0x4399, Q_AMD_SB },
        { 0x1022, 0x780f, Q_AMD_SB }, { 0x1022, 0x7809, Q_AMD_SB },
        /* Solarflare, Intel NICs: functions verified not to talk peer-to-peer */
        { 0x1924, 0x0903, Q_MF_ENDPOINT }, { 0x1924, 0x0923, Q_MF_ENDPOINT }, { 0x1924, 0x0a03, Q_MF_ENDPOINT },
        { 0x8086, 0x10c6, Q_MF_ENDPOINT }, { 0x8086, 0x10db, Q_MF_ENDPOINT }, { 0x8086, 0x10dd, Q_MF_ENDPOINT },
        { 0x8086, 0x10e1, Q_MF_ENDPOINT }, { 0x8086, 0x10f1, Q_MF_ENDPOINT }, { 0x8086, 0x10f7, Q_MF_ENDPOINT },
        { 0x8086, 0x10f8, Q_MF_ENDPOINT }, { 0x8086, 0x10f9, Q_MF_ENDPOINT }, { 0x8086, 0x10fa, Q_MF_ENDPOINT },
        { 0x8086, 0x10fb, Q_MF_ENDPOINT }, { 0x8086, 0x10fc, Q_MF_ENDPOINT }, { 0x8086, 0x1507, Q_MF_ENDPOINT },
        { 0x8086, 0x1514, Q_MF_ENDPOINT }, { 0x8086, 0x151c, Q_MF_ENDPOINT }, { 0x8086, 0x1529, Q_MF_ENDPOINT },
        { 0x8086, 0x152a, Q_MF_ENDPOINT }, { 0x8086, 0x154d, Q_MF_ENDPOINT }, { 0x8086, 0x154f, Q_MF_ENDPOINT },
        { 0x8086, 0x1551, Q_MF_ENDPOINT }, { 0x8086, 0x1558, Q_MF_ENDPOINT },
        /* 82580 */
        { 0x8086, 0x1509, Q_MF_ENDPOINT }, { 0x8086, 0x150e, Q_MF_ENDPOINT }, { 0x8086, 0x150f, Q_MF_ENDPOINT },
        { 0x8086, 0x1510, Q_MF_ENDPOINT }, { 0x8086, 0x1511, Q_MF_ENDPOINT }, { 0x8086, 0x1516, Q_MF_ENDPOINT },
        { 0x8086, 0x1527, Q_MF_ENDPOINT },
        /* 82576 */
        { 0x8086, 0x10c9, Q_MF_ENDPOINT }, { 0x8086, 0x10e6, Q_MF_ENDPOINT }, { 0x8086, 0x10e7, Q_MF_ENDPOINT },
        { 0x8086, 0x10e8, Q_MF_ENDPOINT }, { 0x8086, 0x150a, Q_MF_ENDPOINT }, { 0x8086, 0x150d, Q_MF_ENDPOINT },
        { 0x8086, 0x1518, Q_MF_ENDPOINT }, { 0x8086, 0x1526, Q_MF_ENDPOINT },
        /* 82575 */
        { 0x8086, 0x10a7, Q_MF_ENDPOINT }, { 0x8086, 0x10a9, Q_MF_ENDPOINT }, { 0x8086, 0x10d6, Q_MF_ENDPOINT },
        /* I350 */
        { 0x8086, 0x1521, Q_MF_ENDPOINT }, { 0x8086, 0x1522, Q_MF_ENDPOINT }, { 0x8086, 0x1523, Q_MF_ENDPOINT },
        { 0x8086, 0x1524, Q_MF_ENDPOINT },
        /* 82571 (quads omitted: non-ACS switch) */
        { 0x8086, 0x105e, Q_MF_ENDPOINT }, { 0x8086, 0x105f, Q_MF_ENDPOINT }, { 0x8086, 0x1060, Q_MF_ENDPOINT },
        { 0x8086, 0x10d9, Q_MF_ENDPOINT },
        /* I219 */
        { 0x8086, 0x15b7, Q_MF_ENDPOINT }, { 0x8086, 0x15b8, Q_MF_ENDPOINT },
        /* Intel root complex integrated endpoints (VT-d r3.1 sec 3.16) */
        { 0x8086, PCI_ANY, Q_RCIEP },
        /* QCOM QDF2xxx, SA8775P root ports; HXT SD4800 */
        { 0x17cb, 0x0400, Q_FULL }, { 0x17cb, 0x0401, Q_FULL }, { 0x17cb, 0x0115, Q_FULL },
        { 0x1dbf, 0x0401, Q_FULL },
        /* Intel PCH root ports without a capability; Sunrise/Union Point with a broken one */
        { 0x8086, PCI_ANY, Q_INTEL_PCH },
        { 0x8086, PCI_ANY, Q_INTEL_SPT },
        /* Emulex BE3-R, Skyhawk-R */
        { 0x19a2, 0x0710, Q_MF_ENDPOINT }, { 0x10df, 0x0720, Q_MF_ENDPOINT },
        /* Cavium ThunderX root ports, then its multifunction devices */
        { 0x177d, PCI_ANY, Q_CAVIUM },
        { 0x177d, 0xa026, Q_MF_ENDPOINT }, { 0x177d, 0xa059, Q_MF_ENDPOINT }, { 0x177d, 0xa060, Q_MF_ENDPOINT },
        /* APM X-Gene */
        { 0x10e8, 0xe004, Q_FULL },
        /* pcie_acs_override= (Proxmox's placement) */
        { PCI_ANY, PCI_ANY, Q_OVERRIDE },
        /* Ampere Computing */
        { 0x1def, 0xe005, Q_FULL }, { 0x1def, 0xe006, Q_FULL }, { 0x1def, 0xe007, Q_FULL },
        { 0x1def, 0xe008, Q_FULL }, { 0x1def, 0xe009, Q_FULL }, { 0x1def, 0xe00a, Q_FULL },
        { 0x1def, 0xe00b, Q_FULL }, { 0x1def, 0xe00c, Q_FULL },
        /* Broadcom multifunction devices; iProc PAXB root ports */
        { 0x14e4, 0x16d7, Q_MF_ENDPOINT }, { 0x14e4, 0x1750, Q_MF_ENDPOINT }, { 0x14e4, 0x1751, Q_MF_ENDPOINT },
        { 0x14e4, 0x1752, Q_MF_ENDPOINT }, { 0x14e4, 0x1760, Q_MF_ENDPOINT }, { 0x14e4, 0x1761, Q_MF_ENDPOINT },
        { 0x14e4, 0x1762, Q_MF_ENDPOINT }, { 0x14e4, 0x1763, Q_MF_ENDPOINT }, { 0x14e4, 0xd714, Q_FULL },
        /* Loongson root ports */
        { 0x0014, 0x3c09, Q_FULL }, { 0x0014, 0x3c19, Q_FULL }, { 0x0014, 0x3c29, Q_FULL },
        { 0x0014, 0x7a09, Q_FULL }, { 0x0014, 0x7a19, Q_FULL }, { 0x0014, 0x7a29, Q_FULL },
        { 0x0014, 0x7a39, Q_FULL }, { 0x0014, 0x7a49, Q_FULL }, { 0x0014, 0x7a59, Q_FULL },
        { 0x0014, 0x7a69, Q_FULL },
        /* Amazon Annapurna Labs */
        { 0x1c36, 0x0031, Q_AL },
        /* Zhaoxin multifunction devices */
        { 0x1d17, 0x3038, Q_MF_ENDPOINT }, { 0x1d17, 0x3104, Q_MF_ENDPOINT }, { 0x1d17, 0x9083, Q_MF_ENDPOINT },
        /* NXP LX2xx0/LX2xx2 root ports */
        { 0x1957, 0x8d81, Q_FULL }, { 0x1957, 0x8da1, Q_FULL }, { 0x1957, 0x8d83, Q_FULL },
        { 0x1957, 0x8d80, Q_FULL }, { 0x1957, 0x8da0, Q_FULL }, { 0x1957, 0x8d82, Q_FULL },
        { 0x1957, 0x8d90, Q_FULL }, { 0x1957, 0x8db0, Q_FULL }, { 0x1957, 0x8d92, Q_FULL },
        { 0x1957, 0x8d91, Q_FULL }, { 0x1957, 0x8db1, Q_FULL }, { 0x1957, 0x8d93, Q_FULL },
        { 0x1957, 0x8d89, Q_FULL }, { 0x1957, 0x8da9, Q_FULL }, { 0x1957, 0x8d8b, Q_FULL },
        { 0x1957, 0x8d88, Q_FULL }, { 0x1957, 0x8da8, Q_FULL }, { 0x1957, 0x8d8a, Q_FULL },
        { 0x1957, 0x8d98, Q_FULL }, { 0x1957, 0x8db8, Q_FULL }, { 0x1957, 0x8d9a, Q_FULL },
        { 0x1957, 0x8d99, Q_FULL }, { 0x1957, 0x8db9, Q_FULL }, { 0x1957, 0x8d9b, Q_FULL },
        /* Zhaoxin root and downstream ports; Wangxun NICs */
        { 0x1d17, PCI_ANY, Q_ZHAOXIN },
        { 0x8088, PCI_ANY, Q_WANGXUN },
};

/* pci_quirk_intel_pch_acs_ids[]: Intel's list (Red Hat bugzilla 1037684). */
static const uint16_t intel_pch_ids[] = {
        /* Ibexpeak */
        0x3b42, 0x3b43, 0x3b44, 0x3b45, 0x3b46, 0x3b47, 0x3b48, 0x3b49,
        0x3b4a, 0x3b4b, 0x3b4c, 0x3b4d, 0x3b4e, 0x3b4f, 0x3b50, 0x3b51,
        /* Cougarpoint */
        0x1c10, 0x1c11, 0x1c12, 0x1c13, 0x1c14, 0x1c15, 0x1c16, 0x1c17,
        0x1c18, 0x1c19, 0x1c1a, 0x1c1b, 0x1c1c, 0x1c1d, 0x1c1e, 0x1c1f,
        /* Pantherpoint */
        0x1e10, 0x1e11, 0x1e12, 0x1e13, 0x1e14, 0x1e15, 0x1e16, 0x1e17,
        0x1e18, 0x1e19, 0x1e1a, 0x1e1b, 0x1e1c, 0x1e1d, 0x1e1e, 0x1e1f,
        /* Lynxpoint-H */
        0x8c10, 0x8c11, 0x8c12, 0x8c13, 0x8c14, 0x8c15, 0x8c16, 0x8c17,
        0x8c18, 0x8c19, 0x8c1a, 0x8c1b, 0x8c1c, 0x8c1d, 0x8c1e, 0x8c1f,
        /* Lynxpoint-LP */
        0x9c10, 0x9c11, 0x9c12, 0x9c13, 0x9c14, 0x9c15, 0x9c16, 0x9c17,
        0x9c18, 0x9c19, 0x9c1a, 0x9c1b,
        /* Wildcat */
        0x9c90, 0x9c91, 0x9c92, 0x9c93, 0x9c94, 0x9c95, 0x9c96, 0x9c97,
        0x9c98, 0x9c99, 0x9c9a, 0x9c9b,
        /* Patsburg (X79) */
        0x1d10, 0x1d12, 0x1d14, 0x1d16, 0x1d18, 0x1d1a, 0x1d1c, 0x1d1e,
        /* Wellsburg (X99) */
        0x8d10, 0x8d11, 0x8d12, 0x8d13, 0x8d14, 0x8d15, 0x8d16, 0x8d17,
        0x8d18, 0x8d19, 0x8d1a, 0x8d1b, 0x8d1c, 0x8d1d, 0x8d1e,
        /* Lynx Point (9 series) */
        0x8c90, 0x8c92, 0x8c94, 0x8c96, 0x8c98, 0x8c9a, 0x8c9c, 0x8c9e,
};

struct id_range { uint16_t first, last; };

/* pci_quirk_intel_spt_pch_acs_match(): Sunrise Point, Union Point, 7th and
 * 8th generation mobile root ports, whose ACS registers are dwords. */
static const struct id_range intel_spt_ids[] = {
        { 0xa110, 0xa11f }, { 0xa167, 0xa16a }, { 0xa290, 0xa29f }, { 0xa2e7, 0xa2ee }, { 0x9d10, 0x9d1b },
};
/* pci_quirk_cavium_acs_match(): ThunderX1, ThunderX2, ThunderX3 root ports. */
static const struct id_range cavium_ids[] = { { 0xa000, 0xa7ff }, { 0xaf84, 0xaf84 }, { 0xb884, 0xb884 } };
/* pci_quirk_zhaoxin_pcie_ports_acs() */
static const struct id_range zhaoxin_ids[] = { { 0x0710, 0x071e }, { 0x0721, 0x0721 }, { 0x0723, 0x0752 } };
/* pci_quirk_wangxun_nic_acs(): EM, SP, AML */
static const struct id_range wangxun_ids[] = {
        { 0x0100, 0x010f }, { 0x1001, 0x1001 }, { 0x2001, 0x2001 }, { 0x5010, 0x5010 }, { 0x5025, 0x5025 },
        { 0x5040, 0x5040 }, { 0x5110, 0x5110 }, { 0x5125, 0x5125 }, { 0x5140, 0x5140 },
};

static bool in_ranges(const struct id_range *r, size_t n, uint16_t id) {
        for (size_t k = 0; k < n; k++)
                if (id >= r[k].first && id <= r[k].last)
                        return true;
        return false;
}

static bool is_type(const struct pnode *n, unsigned type) {
        return n->pcie == TRI_YES && n->type == type;
}

/* pci_acs_ctrl_enabled(req, ena): 1 when every requested control is given. */
static int ctrl_enabled(uint16_t req, uint16_t ena) {
        return (req & ena) == req;
}

bool quirk_intel_spt_match(const struct pctx *c, size_t i) {
        const struct pnode *n = &c->n[i];

        return n->d->vendor == 0x8086 && is_type(n, PCI_EXP_TYPE_ROOT_PORT) &&
               in_ranges(intel_spt_ids, ELEMENTSOF(intel_spt_ids), n->d->device);
}

static bool intel_pch_match(const struct pctx *c, size_t i) {
        const struct pnode *n = &c->n[i];

        if (n->d->vendor != 0x8086 || !is_type(n, PCI_EXP_TYPE_ROOT_PORT))
                return false;
        for (size_t k = 0; k < ELEMENTSOF(intel_pch_ids); k++)
                if (intel_pch_ids[k] == n->d->device)
                        return true;
        return false;
}

/* pcie_acs_overrides(): never for conventional devices or devices with an
 * ACS capability; then the IDs; then downstream (root and downstream
 * ports), multifunction (multifunction endpoints and upstream ports). */
static int override_acs(struct pctx *c, size_t i, bool *uncertain) {
        const struct pnode *n = &c->n[i];

        if (!c->have_override || n->pcie == TRI_NO || n->acs == TRI_YES)
                return -1;
        if (n->pcie == TRI_UNKNOWN || n->acs == TRI_UNKNOWN) {
                *uncertain = true;
                return -1;
        }
        for (size_t k = 0; k < c->ov.n_ids; k++)
                if (c->ov.ids[k].vendor == n->d->vendor && c->ov.ids[k].device == n->d->device)
                        return 1;
        switch (n->type) {
        case PCI_EXP_TYPE_DOWNSTREAM:
        case PCI_EXP_TYPE_ROOT_PORT:
                return c->ov.downstream ? 1 : -1;
        case PCI_EXP_TYPE_ENDPOINT:
        case PCI_EXP_TYPE_UPSTREAM:
        case PCI_EXP_TYPE_LEG_END:
        case PCI_EXP_TYPE_RC_END:
                if (!c->ov.multifunction || n->multifunction == TRI_NO)
                        return -1;
                if (n->multifunction == TRI_UNKNOWN) {
                        *uncertain = true;
                        return -1;
                }
                return 1;
        default:
                return -1;
        }
}

static int row_acs(struct pctx *c, size_t i, enum acs_quirk q, uint16_t flags, bool *uncertain) {
        const struct pnode *n = &c->n[i];
        uint16_t dev = n->d->device;

        switch (q) {
        case Q_AMD_SB:
                /* Multifunction southbridge devices on the root bus, and
                 * only with an AMD IOMMU (the ACPI IVRS table). */
                if (n->parent != NO_NODE || n->multifunction == TRI_NO || c->o->ivrs == TRI_NO)
                        return -1;
                if (n->multifunction == TRI_UNKNOWN || c->o->ivrs == TRI_UNKNOWN) {
                        *uncertain = true;
                        return 0;
                }
                flags &= PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC | PCI_ACS_DT;
                return ctrl_enabled(flags, PCI_ACS_RR | PCI_ACS_CR);
        case Q_MF_ENDPOINT:
                return ctrl_enabled(flags, PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF |
                                                   PCI_ACS_DT);
        case Q_RCIEP:
                return is_type(n, PCI_EXP_TYPE_RC_END) ? ctrl_enabled(flags, REQ_ACS_FLAGS) : -1;
        case Q_FULL:
                return ctrl_enabled(flags, REQ_ACS_FLAGS);
        case Q_INTEL_PCH:
                if (!intel_pch_match(c, i))
                        return -1;
                /* PCI_DEV_FLAGS_ACS_ENABLED_QUIRK is set by
                 * pci_quirk_enable_intel_pch_acs() when the IOMMU asked for
                 * ACS and the chipset's RCBA was enabled. */
                pctx_note(c, "%s: isolation rests on the Intel PCH ACS workaround taking effect at boot "
                          "(kernel log \"Intel PCH root port ACS workaround enabled\", not \"Failed to enable "
                          "Intel PCH ACS quirk\")", node_name(c, i, 1));
                return ctrl_enabled(flags, REQ_ACS_FLAGS);
        case Q_INTEL_SPT:
                if (!quirk_intel_spt_match(c, i) || n->acs != TRI_YES)
                        return -1;
                flags &= n->acs_cap | PCI_ACS_EC;
                return ctrl_enabled(flags, n->acs_ctrl);
        case Q_CAVIUM:
                return is_type(n, PCI_EXP_TYPE_ROOT_PORT) && in_ranges(cavium_ids, ELEMENTSOF(cavium_ids), dev)
                               ? ctrl_enabled(flags, REQ_ACS_FLAGS) : -1;
        case Q_ZHAOXIN:
                if (!is_type(n, PCI_EXP_TYPE_ROOT_PORT) && !is_type(n, PCI_EXP_TYPE_DOWNSTREAM))
                        return -1;
                return in_ranges(zhaoxin_ids, ELEMENTSOF(zhaoxin_ids), dev) ? ctrl_enabled(flags, REQ_ACS_FLAGS) : 0;
        case Q_AL:
                if (!is_type(n, PCI_EXP_TYPE_ROOT_PORT))
                        return -1;
                return (flags & (uint16_t) ~REQ_ACS_FLAGS) ? 0 : 1;
        case Q_WANGXUN:
                return in_ranges(wangxun_ids, ELEMENTSOF(wangxun_ids), dev) ? ctrl_enabled(flags, REQ_ACS_FLAGS) : 0;
        case Q_OVERRIDE:
                return override_acs(c, i, uncertain);
        }
        return -1;
}

int quirk_acs_enabled(struct pctx *c, size_t i, uint16_t flags, const char **ret_quirk, bool *ret_uncertain) {
        const struct gd_pci_dev *d = c->n[i].d;

        for (size_t k = 0; k < ELEMENTSOF(acs_rows); k++) {
                const struct acs_row *row = &acs_rows[k];
                int r;

                if ((row->vendor != PCI_ANY && row->vendor != d->vendor) ||
                    (row->device != PCI_ANY && row->device != d->device))
                        continue;
                r = row_acs(c, i, row->q, flags, ret_uncertain);
                if (r >= 0) {
                        *ret_quirk = acs_quirk_names[row->q];
                        return r;
                }
        }
        return -1;
}

/* pci_dev_acs_ops[]: the Intel PCH workaround replaces the standard
 * enabling; Sunrise Point's writes the dword control itself. */
const char *quirk_enable_acs(const struct pctx *c, size_t i) {
        if (intel_pch_match(c, i))
                return "pci_quirk_enable_intel_pch_acs";
        if (quirk_intel_spt_match(c, i) && c->n[i].d->caps.acs == TRI_YES)
                return "pci_quirk_enable_intel_spt_pch_acs";
        return NULL;
}

/* ---- DMA aliases (DECLARE_PCI_FIXUP_HEADER) ---------------------------- */

enum alias_kind {
        A_FUNC0 = 1,            /* quirk_dma_func0_alias */
        A_FUNC1,                /* quirk_dma_func1_alias */
        A_FIXED,                /* quirk_fixed_dma_alias: fixed_dma_alias_tbl[] */
        A_PCIE_BRIDGE,          /* quirk_use_pcie_bridge_dma_alias */
        A_MIC_X200,             /* quirk_mic_x200_dma_alias */
        A_PEX_VCA,              /* quirk_pex_vca_alias */
        A_XLATE_ROOT,           /* quirk_bridge_cavm_thrx2_pcie_root */
};

static const char *const alias_names[] = {
        [A_FUNC0] = "quirk_dma_func0_alias",
        [A_FUNC1] = "quirk_dma_func1_alias",
        [A_FIXED] = "quirk_fixed_dma_alias",
        [A_PCIE_BRIDGE] = "quirk_use_pcie_bridge_dma_alias",
        [A_MIC_X200] = "quirk_mic_x200_dma_alias",
        [A_PEX_VCA] = "quirk_pex_vca_alias",
        [A_XLATE_ROOT] = "quirk_bridge_cavm_thrx2_pcie_root",
};

static const struct alias_row {
        uint16_t vendor, device;
        enum alias_kind kind;
        uint16_t subvendor, subdevice;  /* A_FIXED: PCI_DEVICE_SUB */
        uint8_t devfn;                  /* A_FIXED: the alias */
} alias_rows[] = {
        /* Ricoh (bugzilla.redhat.com 605888), Glenfly: function 0 does the DMA */
        { 0x1180, 0xe832, A_FUNC0 }, { 0x1180, 0xe476, A_FUNC0 },
        { 0x6766, 0x3d40, A_FUNC0 }, { 0x6766, 0x3d41, A_FUNC0 },
        /* Marvell SATA (bugzilla.kernel.org 42679), HighPoint, JMicron JMB388, Plextor M6E: function 1 */
        { 0x1b4b, 0x9120, A_FUNC1 }, { 0x1b4b, 0x9123, A_FUNC1 }, { 0x1b4b, 0x9125, A_FUNC1 },
        { 0x1b4b, 0x9128, A_FUNC1 }, { 0x1b4b, 0x9130, A_FUNC1 }, { 0x1b4b, 0x9170, A_FUNC1 },
        { 0x1b4b, 0x9172, A_FUNC1 }, { 0x1b4b, 0x917a, A_FUNC1 }, { 0x1b4b, 0x9182, A_FUNC1 },
        { 0x1b4b, 0x9183, A_FUNC1 }, { 0x1b4b, 0x91a0, A_FUNC1 }, { 0x1b4b, 0x9215, A_FUNC1 },
        { 0x1b4b, 0x9220, A_FUNC1 }, { 0x1b4b, 0x9230, A_FUNC1 }, { 0x1b4b, 0x9235, A_FUNC1 },
        { 0x1103, 0x0642, A_FUNC1 }, { 0x1103, 0x0645, A_FUNC1 },
        { 0x197b, 0x2393, A_FUNC1 }, { 0x1c28, 0x0122, A_FUNC1 },
        /* Adaptec 3405, 3805: a hidden DMA engine at 01.0 */
        { 0x9005, 0x0285, A_FIXED, 0x9005, 0x02bb, 0x08 }, { 0x9005, 0x0285, A_FIXED, 0x9005, 0x02bc, 0x08 },
        /* PCIe-to-PCI bridges without a PCIe capability (bugzilla.kernel.org 44881, 73551) */
        { 0x1b21, 0x1080, A_PCIE_BRIDGE }, { 0x10e3, 0x8113, A_PCIE_BRIDGE }, { 0x1283, 0x8892, A_PCIE_BRIDGE },
        { 0x1283, 0x8893, A_PCIE_BRIDGE }, { 0x8086, 0x244e, A_PCIE_BRIDGE },
        /* Intel MIC x200 NTB; Visual Compute Accelerator */
        { 0x8086, 0x2260, A_MIC_X200 }, { 0x8086, 0x2264, A_MIC_X200 },
        { 0x8086, 0x2954, A_PEX_VCA }, { 0x8086, 0x2955, A_PEX_VCA }, { 0x8086, 0x2956, A_PEX_VCA },
        { 0x8086, 0x2958, A_PEX_VCA }, { 0x8086, 0x2959, A_PEX_VCA }, { 0x8086, 0x295a, A_PEX_VCA },
        /* Broadcom Vulcan / Cavium ThunderX2: the IOMMU sits below this bridge */
        { 0x14e4, 0x9000, A_XLATE_ROOT }, { 0x14e4, 0x9084, A_XLATE_ROOT },
};

static void add_alias(struct pnode *n, unsigned devfn, const char *quirk) {
        n->alias_mask[devfn / 64] |= UINT64_C(1) << (devfn % 64);
        n->alias_quirk = quirk;
}

void quirk_dma_aliases(struct pctx *c, size_t i) {
        struct pnode *n = &c->n[i];
        const struct gd_pci_dev *d = n->d;

        for (size_t k = 0; k < ELEMENTSOF(alias_rows); k++) {
                const struct alias_row *row = &alias_rows[k];
                const char *name = alias_names[row->kind];
                const struct pnode *up;

                if (row->vendor != d->vendor || row->device != d->device)
                        continue;
                switch (row->kind) {
                case A_FUNC0:
                        if (d->func != 0)
                                add_alias(n, d->dev << 3, name);
                        break;
                case A_FUNC1:
                        if (d->func != 1)
                                add_alias(n, d->dev << 3 | 1, name);
                        break;
                case A_FIXED:
                        if (d->has_subsys && d->subsys_vendor == row->subvendor && d->subsys_device == row->subdevice)
                                add_alias(n, row->devfn, name);
                        break;
                case A_PCIE_BRIDGE:
                        /* A non-root, non-PCIe bridge below a PCIe port that
                         * is not itself a PCIe-to-PCI bridge. */
                        up = n->parent != NO_NODE ? &c->n[n->parent] : NULL;
                        if (up && gd_pci_is_bridge(d) && n->pcie == TRI_NO && up->pcie == TRI_YES &&
                            up->type != PCI_EXP_TYPE_PCI_BRIDGE)
                                n->pcie_bridge_alias = true;
                        break;
                case A_MIC_X200:
                        add_alias(n, 0x10 << 3, name);
                        add_alias(n, 0x11 << 3, name);
                        add_alias(n, 0x12 << 3 | 3, name);
                        break;
                case A_PEX_VCA:
                        for (unsigned slot = 0; slot < 0x20; slot++)
                                for (unsigned fn = 0; fn < 5; fn++)
                                        add_alias(n, slot << 3 | fn, name);
                        break;
                case A_XLATE_ROOT:
                        n->xlate_root = true;
                        break;
                }
        }
}
