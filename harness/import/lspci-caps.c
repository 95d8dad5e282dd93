/* SPDX-License-Identifier: MIT */
/* What lspci -vv shows of a device's capabilities (pciutils ls-caps.c
 * cap_express(), cap_pm(); ls-ecaps.c cap_acs()), and the config space
 * image it proves.
 *
 * The reader takes capability facts from config space (host/pci-caps.c),
 * so the import writes the bytes lspci decoded: the header (IDs, class,
 * header type with the multifunction bit, a bridge's bus numbers), a Power
 * Management capability with NoSoftRst, a PCI Express capability with the
 * port type and DevCap FLReset, and an ACS extended capability with ACSCap
 * and ACSCtl.  Only when the block proves each of them: "Status: Cap-"
 * (no capabilities) or capability lines without "<access denied>"; for an
 * Endpoint the FLReset flag, for PM the NoSoftRst flag, for ACS both
 * registers, for a bridge its Bus: line.  Extended capabilities (offset
 * 0x100 and above) are only shown when lspci could read them: a PCI Express
 * block without any gets a 256-byte image, which leaves ACS unknown.
 *
 * Multifunction: lspci -vv does not print the header type.  A slot with
 * more than one function listed is multifunction; a lone function is taken
 * as single-function only in a whole listing (write.c), since `lspci -s`
 * shows one function of many. */
#include <ctype.h>
#include <string.h>

#include "import/import-internal.h"

#define PCI_STATUS_CAP_LIST     0x10
#define PCI_HEADER_TYPE_BRIDGE  0x01
#define PCI_HEADER_TYPE_MFD     0x80
#define PCI_CAP_ID_PM           0x01
#define PCI_CAP_ID_EXP          0x10
#define PCI_EXP_DEVCAP_FLR      0x10000000u
#define PCI_PM_CTRL_NO_SOFT_RESET 0x0008
#define PCI_EXT_CAP_ID_ACS      0x000d
#define CFG_SIZE                256
#define CFG_EXP_SIZE            4096
#define CAP_PM_AT               0x40
#define CAP_EXP_AT              0x50
#define ECAP_ACS_AT             0x100

/* ls-caps.c cap_express(): the port type as printed after "Express (vN) ". */
static const struct { const char *name; int type; } express_types[] = {
        { "Endpoint", 0x0 }, { "Legacy Endpoint", 0x1 }, { "Root Port", 0x4 }, { "Upstream Port", 0x5 },
        { "Downstream Port", 0x6 }, { "PCI-Express to PCI/PCI-X Bridge", 0x7 },
        { "PCI/PCI-X to PCI-Express Bridge", 0x8 }, { "Root Complex Integrated Endpoint", 0x9 },
        { "Root Complex Event Collector", 0xa },
};

/* ls-ecaps.c cap_acs(): the flag names of ACSCap and ACSCtl. */
static const struct { const char *name; unsigned bit; } acs_bits[] = {
        { "SrcValid", 0x01 }, { "TransBlk", 0x02 }, { "ReqRedir", 0x04 }, { "CmpltRedir", 0x08 },
        { "UpstreamFwd", 0x10 }, { "EgressCtrl", 0x20 }, { "DirectTrans", 0x40 },
};

/* "Name+" or "Name-" as a word of s: TRI_YES / TRI_NO, else unknown. */
static tri_t flag_in(const char *s, size_t len, const char *name) {
        size_t nl = strlen(name);

        for (size_t i = 0; i + nl < len; i++) {
                if ((i > 0 && !isspace((unsigned char) s[i - 1])) || strncmp(s + i, name, nl) != 0)
                        continue;
                if (s[i + nl] == '+')
                        return TRI_YES;
                if (s[i + nl] == '-')
                        return TRI_NO;
        }
        return TRI_UNKNOWN;
}

/* The flags of an ACSCap:/ACSCtl: line; -1 unless the four that decide
 * isolation are all there. */
static int acs_word(const char *s, size_t len) {
        unsigned v = 0, seen = 0;

        for (size_t k = 0; k < ELEMENTSOF(acs_bits); k++) {
                tri_t t = flag_in(s, len, acs_bits[k].name);
                if (t == TRI_UNKNOWN)
                        continue;
                seen |= acs_bits[k].bit;
                if (t == TRI_YES)
                        v |= acs_bits[k].bit;
        }
        return (seen & 0x1d) == 0x1d ? (int) v : -1;
}

/* "Capabilities: [58] Express (v2) Root Port (Slot+), MSI 00" */
static void capability_header(struct imp_caps *c, const char *s, size_t len) {
        const char *p = s + strlen("Capabilities: "), *end = s + len, *name;
        unsigned offset = 0;

        c->n_caps++;
        c->current = IMP_CAP_OTHER;
        c->in_devcap = false;
        if (end - p >= 15 && strncmp(p, "<access denied>", 15) == 0) {
                c->denied = true;
                return;
        }
        if (p >= end || *p != '[' || sscanf(p, "[%x", &offset) != 1)
                return;
        if (offset >= 0x100)
                c->n_ext_caps++;
        name = memchr(p, ']', (size_t) (end - p));
        if (!name)
                return;
        for (name++; name < end && *name == ' '; name++)
                ;
        if (end - name >= 8 && strncmp(name, "Express ", 8) == 0) {
                const char *t = name + 8;
                int version = 0;

                if (end - t > 4 && t[0] == '(' && t[1] == 'v' && sscanf(t, "(v%d)", &version) == 1) {
                        t = memchr(t, ')', (size_t) (end - t));
                        t = t ? t + 2 : end;
                }
                c->current = IMP_CAP_EXPRESS;
                c->express_version = version;
                for (size_t k = 0; t < end && k < ELEMENTSOF(express_types); k++) {
                        size_t nl = strlen(express_types[k].name);
                        if ((size_t) (end - t) >= nl && strncmp(t, express_types[k].name, nl) == 0 &&
                            (t + nl == end || t[nl] == ',' || t[nl] == ' '))
                                c->express_type = express_types[k].type;
                }
        } else if (end - name >= 16 && strncmp(name, "Power Management", 16) == 0) {
                c->current = IMP_CAP_PM;
                c->pm = true;
        } else if (end - name >= 23 && strncmp(name, "Access Control Services", 23) == 0) {
                c->current = IMP_CAP_ACS;
                c->acs = true;
        }
}

bool imp_lspci_cap_line(struct gd_import *im, struct imp_dev *d, const struct imp_line *l) {
        struct imp_caps *c = &d->caps;
        const char *s = l->body;
        size_t len = l->body_len;
        int w;

        (void) im;
        if (len >= 14 && strncmp(s, "Capabilities: ", 14) == 0) {
                capability_header(c, s, len);
                c->indent = l->indent;
                return false;   /* also a -v line for lspci.c */
        }
        if (c->current != IMP_CAP_NONE && l->indent <= c->indent)
                c->current = IMP_CAP_NONE;
        if (c->current == IMP_CAP_NONE) {
                if (len >= 12 && strncmp(s, "Status: Cap", 11) == 0)
                        c->status_cap = s[11] == '+' ? TRI_YES : s[11] == '-' ? TRI_NO : TRI_UNKNOWN;
                return false;
        }
        switch (c->current) {
        case IMP_CAP_EXPRESS:
                /* DevCap: and its continuation line hold FLReset (printed
                 * for Endpoints and Legacy Endpoints); DevCtl: starts the
                 * control register, whose FLReset is the initiate bit. */
                if (isupper((unsigned char) s[0])) {
                        size_t tok = strcspn(s, " \t");
                        if (tok <= len && tok > 0 && s[tok - 1] == ':')
                                c->in_devcap = tok == 7 && strncmp(s, "DevCap:", 7) == 0;
                }
                if (c->in_devcap && c->flr == TRI_UNKNOWN)
                        c->flr = flag_in(s, len, "FLReset");
                break;
        case IMP_CAP_PM:
                if (len >= 7 && strncmp(s, "Status:", 7) == 0)
                        c->no_soft_reset = flag_in(s, len, "NoSoftRst");
                break;
        case IMP_CAP_ACS:
                w = acs_word(s, len);
                if (len >= 7 && strncmp(s, "ACSCap:", 7) == 0)
                        c->acs_cap = w < 0 ? IMP_UNSET : w;
                else if (len >= 7 && strncmp(s, "ACSCtl:", 7) == 0)
                        c->acs_ctrl = w < 0 ? IMP_UNSET : w;
                break;
        default:
                break;
        }
        return true;
}

static void put16(uint8_t *c, size_t off, unsigned v) {
        c[off] = (uint8_t) v;
        c[off + 1] = (uint8_t) (v >> 8);
}

static void put32(uint8_t *c, size_t off, uint32_t v) {
        put16(c, off, v & 0xffff);
        put16(c, off + 2, v >> 16);
}

/* Whether the block proves every fact the image would state. */
static bool caps_complete(const struct imp_dev *d) {
        const struct imp_caps *c = &d->caps;
        bool bridge = d->class16 == 0x0604 || d->class16 == 0x0609;

        if (bridge && (d->secondary == IMP_UNSET || d->subordinate == IMP_UNSET))
                return false;
        if (c->status_cap == TRI_NO)
                return c->n_caps == 0;
        if (c->status_cap != TRI_YES || c->n_caps == 0 || c->denied)
                return false;
        if (c->express_type == IMP_UNSET && c->n_ext_caps > 0)
                return false;   /* extended capabilities without PCI Express: not lspci's output */
        if ((c->express_type == 0x0 || c->express_type == 0x1) && c->flr == TRI_UNKNOWN)
                return false;
        if (c->pm && c->no_soft_reset == TRI_UNKNOWN)
                return false;
        if (c->acs && (c->acs_cap == IMP_UNSET || c->acs_ctrl == IMP_UNSET))
                return false;
        return true;
}

void imp_config_from_caps(struct gd_import *im, struct imp_dev *d, bool multifunction) {
        const struct imp_caps *c = &d->caps;
        bool bridge = d->class16 == 0x0604 || d->class16 == 0x0609;
        bool express = c->express_type != IMP_UNSET;
        size_t len = express && c->n_ext_caps > 0 ? CFG_EXP_SIZE : CFG_SIZE;
        uint8_t *cfg;
        size_t next_at = 0x34;

        if (d->config || !imp_dev_recordable(d) || !caps_complete(d))
                return;
        cfg = calloc(1, CFG_EXP_SIZE);
        if (!cfg)
                return;
        put16(cfg, 0x00, (unsigned) d->vendor);
        put16(cfg, 0x02, (unsigned) d->device);
        put16(cfg, 0x06, c->n_caps ? PCI_STATUS_CAP_LIST : 0);
        cfg[0x08] = (uint8_t) (d->revision == IMP_UNSET ? 0 : d->revision);
        cfg[0x09] = (uint8_t) (d->progif == IMP_UNSET ? 0 : d->progif);
        put16(cfg, 0x0a, (unsigned) d->class16);
        cfg[0x0e] = (uint8_t) ((bridge ? PCI_HEADER_TYPE_BRIDGE : 0) | (multifunction ? PCI_HEADER_TYPE_MFD : 0));
        if (bridge) {
                cfg[0x18] = (uint8_t) (c->primary == IMP_UNSET ? d->bus : (unsigned) c->primary);
                cfg[0x19] = (uint8_t) d->secondary;
                cfg[0x1a] = (uint8_t) d->subordinate;
        } else if (d->svendor != IMP_UNSET && d->sdevice != IMP_UNSET) {
                put16(cfg, 0x2c, (unsigned) d->svendor);
                put16(cfg, 0x2e, (unsigned) d->sdevice);
        }
        if (c->pm) {
                cfg[next_at] = CAP_PM_AT;
                cfg[CAP_PM_AT] = PCI_CAP_ID_PM;
                put16(cfg, CAP_PM_AT + 2, 0x0003);
                put16(cfg, CAP_PM_AT + 4, c->no_soft_reset == TRI_YES ? PCI_PM_CTRL_NO_SOFT_RESET : 0);
                next_at = CAP_PM_AT + 1;
        }
        if (express) {
                cfg[next_at] = CAP_EXP_AT;
                cfg[CAP_EXP_AT] = PCI_CAP_ID_EXP;
                put16(cfg, CAP_EXP_AT + 2, (unsigned) c->express_type << 4 | (c->express_version ? (unsigned) c->express_version & 0xf : 2));
                put32(cfg, CAP_EXP_AT + 4, c->flr == TRI_YES ? PCI_EXP_DEVCAP_FLR : 0);
        }
        if (len == CFG_EXP_SIZE && c->acs) {
                put32(cfg, ECAP_ACS_AT, PCI_EXT_CAP_ID_ACS | 1u << 16);
                put16(cfg, ECAP_ACS_AT + 4, (unsigned) c->acs_cap);
                put16(cfg, ECAP_ACS_AT + 6, (unsigned) c->acs_ctrl);
        }
        d->config = cfg;
        d->config_len = len;
        d->dump_finished = true;
        (void) im;
}
