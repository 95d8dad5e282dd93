/* SPDX-License-Identifier: MIT */
/* The kernel command line's say on ACS, parsed as the kernel parses it.
 *
 * pcie_acs_override= is the out-of-tree patch (Alex Williamson's 2013
 * original, carried by Proxmox as proxmox/pve-kernel
 * patches/kernel/0004-pci-Enable-overrides-for-missing-ACS-capabilities-4..patch,
 * and by zen, liquorix, xanmod, CachyOS): pcie_acs_override_setup()
 * matches "downstream", "multifunction" and "id:vvvv:dddd" as prefixes of
 * comma-separated tokens, reads at most four hex digits each (kstrtol of a
 * 5-byte copy) and takes 15 IDs (the check is max_acs_id >= NUM_ACS_IDS - 1).
 * Other tokens are ignored without a word.
 *
 * pci=disable_acs_redir= and pci=config_acs= go through __pci_config_acs()
 * and pci_dev_str_match() (drivers/pci/pci.c): device specifications
 * separated by ';' (pci_setup() splits pci= at ',' first), each either
 * "pci:vvvv:dddd[:ssss:ssss]" (0 matches any) or a path
 * "[dddd:]bb:dd.f[/dd.f]..." from the root bus down; config_acs puts a
 * flag string before '@' whose last character is bit 0: '1' set, '0'
 * clear, 'x' leave.  A malformed value is ignored by the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict/predict-internal.h"

#define NUM_ACS_IDS 16

/* kstrtol(opt, 16) of the at most four characters the patch copies. */
static bool hex4(const char *p, long *ret) {
        char opt[5], *end;
        long v;

        snprintf(opt, sizeof(opt), "%s", p);
        if (opt[0] == '\0' || opt[0] == ' ' || opt[0] == '\t')
                return false;
        errno = 0;
        v = strtol(opt, &end, 16);
        if (errno || end == opt || (*end && !(end[0] == '\n' && end[1] == '\0')))
                return false;
        *ret = v;
        return true;
}

int acs_override_parse(const char *s, struct acs_override *ret) {
        const char *p = s;

        memset(ret, 0, sizeof(*ret));
        if (!s)
                return -EINVAL;
        while (*p) {
                long val;

                if (strncmp(p, "downstream", 10) == 0)
                        ret->downstream = true;
                if (strncmp(p, "multifunction", 13) == 0)
                        ret->multifunction = true;
                if (strncmp(p, "id:", 3) == 0 && ret->n_ids < NUM_ACS_IDS - 1) {
                        p += 3;
                        if (!hex4(p, &val))
                                goto next;
                        ret->ids[ret->n_ids].vendor = (uint16_t) val;
                        p += strcspn(p, ":");
                        if (*p != ':')
                                goto next;
                        p++;
                        if (!hex4(p, &val))
                                goto next;
                        ret->ids[ret->n_ids].device = (uint16_t) val;
                        ret->n_ids++;
                }
next:
                p += strcspn(p, ",");
                if (*p == ',')
                        p++;
        }
        return 0;
}

/* Stricter than the patch, which skips a word it does not know: a word
 * the user typed that the kernel would ignore is a mistake to report. */
int gd_acs_override_check(const char *spec, char **ret_error) {
        const char *p = spec;

        if (ret_error)
                *ret_error = NULL;
        if (!spec || !*spec)
                goto bad;
        while (*p) {
                size_t len = strcspn(p, ",");
                static const char hex[] = "0123456789abcdefABCDEF";
                bool ok = (len == 10 && strncmp(p, "downstream", 10) == 0) ||
                          (len == 13 && strncmp(p, "multifunction", 13) == 0) ||
                          (len == 12 && strncmp(p, "id:", 3) == 0 && strspn(p + 3, hex) == 4 && p[7] == ':' &&
                           strspn(p + 8, hex) >= 4);
                if (!ok)
                        goto bad;
                p += len;
                if (*p == ',' && *++p == '\0')
                        goto bad;
        }
        return 0;
bad:
        if (ret_error)
                (void) asprintf(ret_error, "pcie_acs_override=%s: expected downstream, multifunction or "
                                "id:VVVV:DDDD, comma-separated", spec ? spec : "");
        return -EINVAL;
}

/* pci_dev_str_match_path(): the path's last element is the device, each
 * earlier one the bridge above it; the first names its bus. */
static int match_path(struct pctx *c, size_t i, const char *path, const char **endp) {
        size_t len = strcspn(path, ";,");
        _cleanup_free_ char *w = strndup(path, len);
        unsigned seg = 0, bus, slot, func;
        char end, *slash;
        size_t cur = i;

        *endp = path + len;
        if (!w)
                return -ENOMEM;
        while ((slash = strrchr(w, '/'))) {
                if (sscanf(slash, "/%x.%x%c", &slot, &func, &end) != 2)
                        return -EINVAL;
                if (c->n[cur].devfn != ((slot & 0x1f) << 3 | (func & 7)))
                        return 0;
                cur = c->n[cur].parent;
                if (cur == NO_NODE)
                        return 0;
                *slash = '\0';
        }
        if (sscanf(w, "%x:%x:%x.%x%c", &seg, &bus, &slot, &func, &end) != 4) {
                seg = 0;
                if (sscanf(w, "%x:%x.%x%c", &bus, &slot, &func, &end) != 3)
                        return -EINVAL;
        }
        return seg == c->n[cur].d->domain && bus == c->n[cur].d->bus &&
               c->n[cur].devfn == ((slot & 0x1f) << 3 | (func & 7));
}

/* pci_dev_str_match(): 1 match, 0 no match (*endp past the spec), <0 bad. */
static int str_match(struct pctx *c, size_t i, const char *p, const char **endp) {
        const struct gd_pci_dev *d = c->n[i].d;
        unsigned short v, dv, sv = 0, sd = 0;
        int count = 0;

        if (strncmp(p, "pci:", 4) != 0)
                return match_path(c, i, p, endp);
        p += 4;
        if (sscanf(p, "%hx:%hx:%hx:%hx%n", &v, &dv, &sv, &sd, &count) != 4) {
                if (sscanf(p, "%hx:%hx%n", &v, &dv, &count) != 2)
                        return -EINVAL;
                sv = sd = 0;
        }
        *endp = p + count;
        return (!v || v == d->vendor) && (!dv || dv == d->device) &&
               (!sv || (d->has_subsys && sv == d->subsys_vendor)) && (!sd || (d->has_subsys && sd == d->subsys_device));
}

void params_config_acs(struct pctx *c, size_t i, const char *param, uint16_t acs_mask, uint16_t acs_flags,
                       uint16_t fw_ctrl, uint16_t *ctrl, bool *matched) {
        uint16_t mask = acs_mask, flags = acs_flags;
        const char *p = param;
        int r = 0;

        *matched = false;
        while (*p && *p != ',') {
                if (!acs_mask) {
                        const char *delimit = strchr(p, '@');
                        unsigned shift = 0;

                        if (!delimit || delimit > p + strcspn(p, ","))
                                return; /* "ACS Flags missing" */
                        mask = flags = 0;
                        for (const char *e = delimit - 1; e >= p; e--, shift++) {
                                if (shift >= 16)
                                        return;
                                if (*e == '1')
                                        flags |= (uint16_t) (1u << shift);
                                if (*e == '0' || *e == '1')
                                        mask |= (uint16_t) (1u << shift);
                                else if (*e != 'x' && *e != 'X')
                                        return; /* "Invalid ACS flags... Ignoring" */
                        }
                        p = delimit + 1;
                }
                if (mask & (uint16_t) ~(PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF |
                                        PCI_ACS_EC | PCI_ACS_DT))
                        return; /* "Invalid ACS flags specified" */
                r = str_match(c, i, p, &p);
                if (r < 0) {
                        if (r == -ENOMEM)
                                c->error = -ENOMEM;
                        break;  /* "Can't parse ACS command line parameter" */
                }
                if (r == 1)
                        break;
                if (*p != ';')
                        break;
                p++;
        }
        if (r != 1)
                return;
        *ctrl = (uint16_t) ((fw_ctrl & ~mask) | (flags & mask));
        *matched = true;
}
