/* SPDX-License-Identifier: MIT */
/* lspci's machine-readable forms (pciutils lspci.c show_machine()):
 *
 *   -mm:   00:02.0 "VGA compatible controller" "Intel Corporation" "HD Graphics 530" -r06 "Dell" "Device 06e4"
 *          (-nn adds " [0300]", " [8086]", " [1912]"; -p<progif> and -r<rev> only when not zero;
 *          '"' and '\' escaped with '\')
 *   -vmm:  Slot:<TAB>00:02.0 / Class: / Vendor: / Device: / SVendor: / SDevice: / PhySlot: /
 *          Rev: / ProgIf: (each only when not zero), then with -k Driver: and Module:
 *          (ls-kernel.c show_kernel_machine()), a blank line after each device.
 *
 * The IDs are those of -nn, or found from the names in pci.ids (pciids.c).
 * A -vmm block is whole only when its blank line came: then an absent ProgIf
 * is 00, and with Module: but no Driver: the device has no driver. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import-internal.h"

bool imp_is_mm_line(const char *s, size_t len) {
        unsigned dom, bus, slot, fn;
        size_t n = imp_parse_address(s, len, &dom, &bus, &slot, &fn, NULL);

        return n > 0 && n + 2 < len && s[n] == ' ' && s[n + 1] == '"';
}

/* The next "..." of s at *i, unescaped into buf. */
static bool quoted(const char *s, size_t len, size_t *i, char *buf, size_t size) {
        size_t o = 0, j = *i;

        while (j < len && s[j] == ' ')
                j++;
        if (j >= len || s[j] != '"')
                return false;
        for (j++; j < len && s[j] != '"'; j++) {
                if (s[j] == '\\' && j + 1 < len)
                        j++;
                if (o + 1 < size)
                        buf[o++] = s[j];
        }
        buf[o] = '\0';
        if (j >= len)
                return false;
        *i = j + 1;
        return true;
}

/* "Name [xxxx]" (-nn): the number, and the name cut before it; -1 if none. */
static int trailing_code(char *name) {
        size_t n = strlen(name);
        unsigned v;

        if (n < 7 || name[n - 1] != ']' || name[n - 6] != '[' || name[n - 7] != ' ' ||
            sscanf(name + n - 5, "%4x]", &v) != 1)
                return -1;
        name[n - 7] = '\0';
        return (int) v;
}

/* What a line or block told of one device. */
static void apply(struct gd_import *im, struct imp_dev *d, char *cls, char *vendor, char *device, int rev, int progif,
                  const struct imp_line *l) {
        int c = trailing_code(cls), v = trailing_code(vendor), dv = trailing_code(device);

        if (c < 0)
                c = imp_class_from_name(cls, strlen(cls));
        if (c >= 0 && d->class16 == IMP_UNSET)
                d->class16 = c;
        if (progif >= 0 && d->progif == IMP_UNSET)
                d->progif = progif;
        if (rev >= 0 && d->revision == IMP_UNSET)
                d->revision = rev;
        if (v >= 0 && dv >= 0 && d->vendor == IMP_UNSET && d->device == IMP_UNSET) {
                d->vendor = v;
                d->device = dv;
        } else if (vendor[0] && device[0]) {
                char name[330];

                snprintf(name, sizeof(name), "%s %s", vendor, device);
                imp_ids_from_name(im, d, name, strlen(name), l);
        }
        d->listed = true;
}

void imp_mm_line(struct gd_import *im, const struct imp_line *l) {
        unsigned dom, bus, slot, fn, x;
        size_t i = imp_parse_address(l->body, l->body_len, &dom, &bus, &slot, &fn, NULL);
        char cls[128], vendor[160], device[160], opt[16];
        int rev = -1, progif = 0;
        struct imp_dev *d;

        if (!quoted(l->body, l->body_len, &i, cls, sizeof(cls)) ||
            !quoted(l->body, l->body_len, &i, vendor, sizeof(vendor)) ||
            !quoted(l->body, l->body_len, &i, device, sizeof(device))) {
                imp_warn(im, l, "lspci -mm line cut off; skipped");
                return;
        }
        /* -r<rev> -p<progif>, each only when not zero. */
        while (i < l->body_len && sscanf(l->body + i, " %15s", opt) == 1 && opt[0] == '-') {
                if (sscanf(opt, "-r%2x", &x) == 1)
                        rev = (int) x;
                else if (sscanf(opt, "-p%2x", &x) == 1)
                        progif = (int) x;
                i += strspn(l->body + i, " ") + strlen(opt);
        }
        d = imp_dev_get(im, dom, bus, slot, fn, l);
        if (d)
                apply(im, d, cls, vendor, device, rev < 0 ? 0 : rev, progif, l);
}

static bool field(const struct imp_line *l, const char *key, char *buf, size_t size) {
        size_t n = strlen(key);

        if (l->body_len <= n || strncmp(l->body, key, n) != 0 || (l->body[n] != '\t' && l->body[n] != ' '))
                return false;
        snprintf(buf, size, "%.*s", (int) (l->body_len - n - 1), l->body + n + 1);
        for (char *p = buf; *p == ' ' || *p == '\t'; )
                memmove(p, p + 1, strlen(p));
        return true;
}

void imp_vmm_end(struct gd_import *im, struct imp_vmm *v, bool whole) {
        struct imp_dev *d = v->dev;

        if (!d)
                return;
        apply(im, d, v->cls, v->vendor, v->device, whole && v->rev < 0 ? 0 : v->rev,
              whole && v->progif < 0 ? 0 : v->progif, NULL);
        if (v->driver_line && d->driver_known != TRI_YES) {
                d->driver = strdup(v->driver);
                d->driver_known = d->driver ? TRI_YES : TRI_UNKNOWN;
        } else if (whole && v->module_line && d->driver_known == TRI_UNKNOWN)
                d->driver_known = TRI_YES;      /* Module: without Driver: */
        *v = (struct imp_vmm) { .rev = -1, .progif = -1, .group = -1 };
}

bool imp_vmm_line(struct gd_import *im, struct imp_vmm *v, const struct imp_line *l) {
        char buf[160];
        unsigned dom, bus, slot, fn;

        if ((field(l, "Slot:", buf, sizeof(buf)) || (!v->dev && field(l, "Device:", buf, sizeof(buf)))) &&
            imp_parse_address(buf, strlen(buf), &dom, &bus, &slot, &fn, NULL) == strlen(buf)) {
                imp_vmm_end(im, v, false);
                v->dev = imp_dev_get(im, dom, bus, slot, fn, l);
                return true;
        }
        if (!v->dev)
                return false;
        if (field(l, "Class:", v->cls, sizeof(v->cls)) || field(l, "Vendor:", v->vendor, sizeof(v->vendor)) ||
            field(l, "Device:", v->device, sizeof(v->device)) || field(l, "SVendor:", buf, sizeof(buf)) ||
            field(l, "SDevice:", buf, sizeof(buf)) || field(l, "PhySlot:", buf, sizeof(buf)) ||
            field(l, "NUMANode:", buf, sizeof(buf)))
                return true;
        if (field(l, "Rev:", buf, sizeof(buf))) {
                v->rev = (int) strtol(buf, NULL, 16);
                return true;
        }
        if (field(l, "ProgIf:", buf, sizeof(buf))) {
                v->progif = (int) strtol(buf, NULL, 16);
                return true;
        }
        if (field(l, "Driver:", v->driver, sizeof(v->driver))) {
                v->driver_line = v->driver[0] != '\0';
                return true;
        }
        if (field(l, "Module:", buf, sizeof(buf))) {
                v->module_line = true;
                return true;
        }
        if (field(l, "IOMMUGroup:", buf, sizeof(buf))) {
                if (isdigit((unsigned char) buf[0]))
                        imp_group_assign(im, v->dev, atoi(buf), l);
                return true;
        }
        return false;
}
