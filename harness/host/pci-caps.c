/* SPDX-License-Identifier: MIT */
#include <pci/header.h>
#include <string.h>

#include "pci-caps.h"

/* Register names from libpci's <pci/header.h>.  The sizes of config space
 * are not in it (the kernel's include/linux/pci.h has them as
 * PCI_CFG_SPACE_SIZE and PCI_CFG_SPACE_EXP_SIZE), nor the layout of an
 * extended capability header (ID, version, next) or of the DSN registers. */
#define CFG_SPACE_SIZE     256
#define CFG_SPACE_EXP_SIZE 4096
/* Nor the standard header's size (64 bytes, the part every user may read:
 * the kernel's PCI_STD_HEADER_SIZEOF) or the header type's multifunction
 * bit (include/uapi/linux/pci_regs.h: PCI_HEADER_TYPE_MFD) and type mask. */
#define STD_HEADER_SIZE    64
#define HEADER_TYPE_MFD    0x80
#define HEADER_TYPE_MASK   0x7f

static uint16_t rd16(const uint8_t *c, size_t off) {
        return (uint16_t) (c[off] | c[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *c, size_t off) {
        return (uint32_t) rd16(c, off) | (uint32_t) rd16(c, off + 2) << 16;
}

static void parse_ext_caps(const uint8_t *cfg, size_t len, struct gd_pci_caps *ret) {
        size_t off = 0x100;

        ret->acs = ret->dsn = TRI_NO;
        /* Bounded walk: at most (4096-256)/4 headers, as ls-ecaps.c does with
         * its "been there" bitmap; a loop in the list stops here. */
        for (unsigned guard = 0; off && off + 8 <= len && guard < 960; guard++) {
                uint32_t hdr = rd32(cfg, off);
                uint16_t id = hdr & 0xffff;
                size_t next = (hdr >> 20) & 0xffc;

                if (hdr == 0 || hdr == 0xffffffffu)
                        break;
                if (id == PCI_EXT_CAP_ID_ACS) {
                        ret->acs = TRI_YES;
                        ret->acs_cap = rd16(cfg, off + PCI_ACS_CAP);
                        ret->acs_ctrl = rd16(cfg, off + PCI_ACS_CTRL);
                } else if (id == PCI_EXT_CAP_ID_DSN && off + 12 <= len) {
                        ret->dsn = TRI_YES;
                        ret->dsn_value = (uint64_t) rd32(cfg, off + 4) | (uint64_t) rd32(cfg, off + 8) << 32;
                }
                if (next != 0 && next < 0x100)
                        break;
                off = next;
        }
}

void gd_pci_caps_parse(const uint8_t *cfg, size_t len, struct gd_pci_caps *ret) {
        uint8_t seen[CFG_SPACE_SIZE / 4] = { 0 };
        size_t ptr;

        memset(ret, 0, sizeof(*ret));
        ret->secondary_bus = -1;
        /* A device that fell off the bus reads all ones. */
        if (cfg && len >= STD_HEADER_SIZE && rd16(cfg, 0) != 0xffff) {
                ret->multifunction = (cfg[PCI_HEADER_TYPE] & HEADER_TYPE_MFD) ? TRI_YES : TRI_NO;
                if ((cfg[PCI_HEADER_TYPE] & HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE)
                        ret->secondary_bus = cfg[PCI_SECONDARY_BUS];
        }
        if (!cfg || len < CFG_SPACE_SIZE || rd16(cfg, 0) == 0xffff) {
                ret->config_complete = TRI_NO;
                return;
        }

        ret->is_pcie = TRI_NO;
        ret->flr = TRI_NO;
        ret->pm_no_soft_reset = TRI_NO;
        if (rd16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST) {
                ptr = cfg[PCI_CAPABILITY_LIST] & 0xfc;
                while (ptr >= 0x40 && ptr + 8 <= CFG_SPACE_SIZE && !seen[ptr / 4]) {
                        uint8_t id = cfg[ptr + PCI_CAP_LIST_ID];

                        seen[ptr / 4] = 1;
                        if (id == PCI_CAP_ID_EXP && ptr + 8 <= len) {
                                ret->is_pcie = TRI_YES;
                                ret->pcie_type = (rd16(cfg, ptr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
                                ret->flr = (rd32(cfg, ptr + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLRESET) ? TRI_YES
                                                                                                     : TRI_NO;
                        } else if (id == PCI_CAP_ID_PM) {
                                ret->pm_no_soft_reset =
                                        (rd16(cfg, ptr + PCI_PM_CTRL) & PCI_PM_CTRL_NO_SOFT_RST) ? TRI_YES : TRI_NO;
                        }
                        ptr = cfg[ptr + PCI_CAP_LIST_NEXT] & 0xfc;
                }
        }

        if (ret->is_pcie == TRI_YES) {
                /* Extended capabilities live past 256 bytes; only root sees them. */
                if (len >= CFG_SPACE_EXP_SIZE) {
                        ret->config_complete = TRI_YES;
                        parse_ext_caps(cfg, len, ret);
                } else {
                        ret->config_complete = TRI_NO;
                        ret->acs = ret->dsn = TRI_UNKNOWN;
                }
        } else {
                /* Conventional PCI: 256 bytes is all there is; no ACS, no DSN. */
                ret->config_complete = TRI_YES;
                ret->acs = ret->dsn = TRI_NO;
        }
}
