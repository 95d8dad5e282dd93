/* SPDX-License-Identifier: MIT */
/* ACS as the kernel sees it (drivers/pci/pci.c).
 *
 * What the kernel programs (pci_enable_acs(), run for every device at
 * enumeration, pci_acs_init()): when an IOMMU driver asked for ACS
 * (pci_request_acs(), so only with the IOMMU on), a device quirk
 * (pci_dev_specific_enable_acs()) or pci_std_enable_acs() sets every one of
 * SrcValid, ReqRedir, CmpltRedir and UpstreamFwd the port implements
 * (TransBlk only for untrusted or external-facing ports and pci=noats); then
 * the command line applies whatever the IOMMU: pci=disable_acs_redir= and,
 * from 6.11 ("PCI: Extend ACS configurability", 47c8846a49ba),
 * pci=config_acs= (params.c).  So ACSCtl as lspci shows it is the kernel's
 * doing only while the IOMMU is on; for a host with the IOMMU off the
 * control is derived from ACSCap here (GD_ACS_CTRL_KERNEL).
 *
 * What it asks (pci_acs_enabled()): the quirk table first
 * (pci_dev_specific_acs_enabled(), quirks.c); conventional PCI never
 * isolates; PCIe-to-PCI, PCI-to-PCIe bridges and root complex event
 * collectors never do; root and downstream ports must have the
 * capability with the bits enabled; endpoints and upstream ports only when
 * multifunction; everything else (single-function endpoints) is isolated.
 * The bits checked (pci_acs_flags_enabled()): "acs_flags &= (cap |
 * PCI_ACS_EC)": a control the port does not implement counts as
 * hard-wired on. */
#include <stdio.h>
#include <string.h>

#include "predict/predict-internal.h"

static void bits_text(uint16_t bits, char *buf, size_t len) {
        static const struct { uint16_t bit; const char *name; } names[] = {
                { PCI_ACS_SV, "SrcValid" }, { PCI_ACS_TB, "TransBlk" }, { PCI_ACS_RR, "ReqRedir" },
                { PCI_ACS_CR, "CmpltRedir" }, { PCI_ACS_UF, "UpstreamFwd" }, { PCI_ACS_EC, "EgressCtrl" },
                { PCI_ACS_DT, "DirectTrans" },
        };
        size_t o = 0;

        buf[0] = '\0';
        for (size_t k = 0; k < ELEMENTSOF(names) && o < len; k++)
                if (bits & names[k].bit)
                        o += (size_t) snprintf(buf + o, len - o, "%s%s", o ? " " : "", names[k].name);
}

/* The command line's ACS parameters on node i (pci_enable_acs() after the
 * kernel default). */
static void apply_params(struct pctx *c, size_t i, bool spt, uint16_t fw, uint16_t *ctrl) {
        const struct gd_predict_options *o = c->o;
        const uint16_t redir = PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC;
        bool matched = false;
        uint16_t scratch;

        if (o->disable_acs_redir) {
                /* Before 6.11 pci_disable_acs_redir() cleared the redirect
                 * bits of what the kernel had enabled; since, __pci_config_acs()
                 * starts again from the firmware's value.  Sunrise/Union
                 * Point always go through
                 * pci_quirk_disable_intel_spt_pch_acs_redir(). */
                bool from_enabled = !kernel_at_least(o, 6, 11) || spt;
                params_config_acs(c, i, o->disable_acs_redir, redir, 0, from_enabled ? *ctrl : fw, ctrl, &matched);
        }
        if (o->config_acs && kernel_at_least(o, 6, 11)) {
                if (spt) {
                        /* A matched Sunrise Point port goes to the quirk,
                         * which only disables redirect. */
                        scratch = *ctrl;
                        params_config_acs(c, i, o->config_acs, 0, 0, fw, &scratch, &matched);
                        if (matched)
                                *ctrl &= (uint16_t) ~redir;
                } else
                        params_config_acs(c, i, o->config_acs, 0, 0, fw, ctrl, &matched);
        }
}

void acs_setup_ctrl(struct pctx *c, size_t i) {
        struct pnode *n = &c->n[i];
        const struct gd_pci_caps *caps = &n->d->caps;
        bool spt = quirk_intel_spt_match(c, i);
        uint16_t fw, ctrl;

        n->acs = caps->acs;
        n->acs_cap = caps->acs_cap;
        n->acs_ctrl = caps->acs_ctrl;
        if (n->acs != TRI_YES)
                return;
        if (c->o->acs_ctrl == GD_ACS_CTRL_SHOWN && !spt)
                return;
        /* Sunrise Point and Union Point keep ACS control in a dword at +8
         * (quirks.c pci_quirk_intel_spt_pch_acs(): "N.B. This doesn't fix
         * what lspci shows"): the word at +6 is not it, so its value is
         * what the quirk programs. */
        fw = spt ? 0 : caps->acs_ctrl;
        ctrl = fw;
        /* pci_std_enable_acs(), or for Sunrise Point
         * pci_quirk_enable_intel_spt_pch_acs(), which sets the same bits. */
        if (!quirk_enable_acs(c, i) || spt)
                ctrl |= n->acs_cap & REQ_ACS_FLAGS;
        apply_params(c, i, spt, fw, &ctrl);
        n->acs_ctrl = ctrl;
        n->ctrl_from_cap = true;
}

/* pci_acs_flags_enabled() */
static tri_t flags_enabled(struct pctx *c, size_t i, uint16_t flags, struct acs_why *why) {
        const struct pnode *n = &c->n[i];
        uint16_t required, missing;
        char bits[96];

        if (n->acs == TRI_UNKNOWN) {
                snprintf(why->text, sizeof(why->text),
                         "%s: whether it has an ACS capability is unknown (extended config space not read)",
                         node_name(c, i, 0));
                return TRI_UNKNOWN;
        }
        if (n->acs == TRI_NO) {
                snprintf(why->text, sizeof(why->text), "%s has no ACS capability", node_name(c, i, 0));
                return TRI_NO;
        }
        required = flags & (n->acs_cap | PCI_ACS_EC);
        missing = required & (uint16_t) ~n->acs_ctrl;
        if (!missing)
                return TRI_YES;
        bits_text(missing, bits, sizeof(bits));
        snprintf(why->text, sizeof(why->text), "%s has ACS but %s %s not enabled in ACSCtl%s", node_name(c, i, 0),
                 bits, (missing & (missing - 1)) ? "are" : "is",
                 n->ctrl_from_cap ? " (as the kernel will program it)" : "");
        return TRI_NO;
}

tri_t acs_enabled(struct pctx *c, size_t i, uint16_t flags, struct acs_why *why) {
        const struct pnode *n = &c->n[i];
        const char *quirk = NULL;
        bool uncertain = false;
        int r;
        tri_t t;

        why->text[0] = '\0';
        r = quirk_acs_enabled(c, i, flags, &quirk, &uncertain);
        if (r >= 0) {
                snprintf(why->text, sizeof(why->text), "%s: quirk %s (drivers/pci/quirks.c) says it %s",
                         node_name(c, i, 0), quirk, r ? "isolates" : "does not isolate");
                return uncertain ? TRI_UNKNOWN : r ? TRI_YES : TRI_NO;
        }
        if (n->pcie == TRI_UNKNOWN) {
                snprintf(why->text, sizeof(why->text), "%s: whether it is PCI Express is unknown (capabilities not read)",
                         node_name(c, i, 0));
                return TRI_UNKNOWN;
        }
        if (n->pcie == TRI_NO) {
                snprintf(why->text, sizeof(why->text),
                         "%s is conventional PCI: a shared bus never isolates (pci_acs_enabled())", node_name(c, i, 0));
                return TRI_NO;
        }
        switch (n->type) {
        case PCI_EXP_TYPE_PCIE_BRIDGE:
        case PCI_EXP_TYPE_PCI_BRIDGE:
        case PCI_EXP_TYPE_RC_EC:
                snprintf(why->text, sizeof(why->text), "%s is a %s, which never isolates (pci_acs_enabled())",
                         node_name(c, i, 0), pcie_type_name(n));
                return TRI_NO;
        case PCI_EXP_TYPE_DOWNSTREAM:
        case PCI_EXP_TYPE_ROOT_PORT:
                return flags_enabled(c, i, flags, why);
        case PCI_EXP_TYPE_ENDPOINT:
        case PCI_EXP_TYPE_UPSTREAM:
        case PCI_EXP_TYPE_LEG_END:
        case PCI_EXP_TYPE_RC_END:
                if (n->multifunction == TRI_NO)
                        return TRI_YES;
                t = flags_enabled(c, i, flags, why);
                if (n->multifunction == TRI_UNKNOWN && t != TRI_YES) {
                        snprintf(why->text, sizeof(why->text),
                                 "%s: whether it is multifunction is unknown (header not read)", node_name(c, i, 0));
                        return TRI_UNKNOWN;
                }
                return t;
        default:
                return TRI_YES;
        }
}

tri_t acs_path_enabled(struct pctx *c, size_t start, uint16_t flags, size_t *ret_fail, struct acs_why *why) {
        size_t cur = start;

        for (unsigned depth = 0; cur != NO_NODE && depth < 256; depth++) {
                tri_t t = acs_enabled(c, cur, flags, why);

                if (t != TRI_YES) {
                        *ret_fail = cur;
                        return t;
                }
                cur = c->n[cur].parent;
        }
        return TRI_YES;
}
