/* SPDX-License-Identifier: MIT */
/* Pasted lspci: device lines (-nn, -D or not) and the indented detail lines
 * of -k and -v/-vv that prove a fact (subsystem, driver in use, bridge bus
 * numbers, IOMMU group, whether -v was given). */
#include <ctype.h>
#include <string.h>

#include "import/import-internal.h"

/* "[vvvv:dddd]" at s. */
static bool id_pair_at(const char *s, size_t len, unsigned *v, unsigned *d) {
        unsigned a = 0, b = 0;

        if (len < 11 || s[0] != '[' || s[5] != ':' || s[10] != ']')
                return false;
        for (size_t i = 1; i < 10; i++) {
                if (i == 5)
                        continue;
                if (!isxdigit((unsigned char) s[i]))
                        return false;
                if (i < 5)
                        a = a << 4 | (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' : tolower(s[i]) - 'a' + 10);
                else
                        b = b << 4 | (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' : tolower(s[i]) - 'a' + 10);
        }
        *v = a;
        *d = b;
        return true;
}

/* What some listings put before the address: "(12) " (IOMMU GROUP N
 * listings), "Group Device: " (per-DMAR-unit trees), "- " and "* "
 * (bullets), "[10de:2206] [R] " (ls-iommu: the IDs, then "resettable").
 * Returns where the address starts; ids set when an ID pair was skipped. */
static size_t device_prefix(const char *s, size_t len, int *ret_v, int *ret_d) {
        size_t i = 0;

        for (;;) {
                size_t j = i;
                unsigned v, d;

                if (j < len && s[j] == '(') {
                        j++;
                        while (j < len && isdigit((unsigned char) s[j]))
                                j++;
                        if (j == i + 1 || j >= len || s[j] != ')')
                                return i;
                        j++;
                } else if (len - j >= 14 && strncmp(s + j, "Group Device:", 13) == 0)
                        j += 13;
                else if (j + 1 < len && (s[j] == '-' || s[j] == '*') && isblank((unsigned char) s[j + 1]))
                        j++;
                else if (id_pair_at(s + j, len - j, &v, &d)) {
                        if (ret_v) {
                                *ret_v = (int) v;
                                *ret_d = (int) d;
                        }
                        j += 11;
                } else if (len - j >= 3 && strncmp(s + j, "[R]", 3) == 0)
                        j += 3;
                else
                        return i;
                if (j < len && !isblank((unsigned char) s[j]))
                        return i;
                while (j < len && isblank((unsigned char) s[j]))
                        j++;
                i = j;
        }
}

/* Where the device's description starts after the address ("  - " of the
 * DMAR trees and the column padding of ls-iommu skipped); 0 if none. */
static size_t after_address(const char *s, size_t len, size_t *ret_addr_len, unsigned *dom, unsigned *bus,
                            unsigned *slot, unsigned *fn, int *v, int *d) {
        size_t p = device_prefix(s, len, v, d), n, i;

        n = imp_parse_address(s + p, len - p, dom, bus, slot, fn, NULL);
        if (n == 0)
                return 0;
        i = p + n;
        if (i >= len || !isblank((unsigned char) s[i]))
                return 0;
        while (i < len && isblank((unsigned char) s[i]))
                i++;
        if (i + 1 < len && s[i] == '-' && isblank((unsigned char) s[i + 1]))
                for (i++; i < len && isblank((unsigned char) s[i]); i++)
                        ;
        if (i >= len || !isalnum((unsigned char) s[i]))
                return 0;
        if (ret_addr_len)
                *ret_addr_len = p + n;
        return i;
}

bool imp_is_device_line(const char *s, size_t len) {
        unsigned dom, bus, slot, fn;

        return after_address(s, len, NULL, &dom, &bus, &slot, &fn, NULL, NULL) > 0;
}

size_t imp_find_address(const char *s, size_t len, char ret[static 13]) {
        for (size_t i = 0; i + 7 <= len; i++) {
                unsigned dom, bus, slot, fn;
                size_t n;

                /* NVRM writes "(PCI:0000:14:00.0)". */
                if (i > 0 && (isalnum((unsigned char) s[i - 1]) || s[i - 1] == ':' || s[i - 1] == '.') &&
                    !(i >= 4 && strncmp(s + i - 4, "PCI:", 4) == 0))
                        continue;
                n = imp_parse_address(s + i, len - i, &dom, &bus, &slot, &fn, NULL);
                if (n > 0) {
                        snprintf(ret, 13, "%04x:%02x:%02x.%x", dom & 0xffff, bus, slot, fn);
                        return i + 1;
                }
        }
        return 0;
}

/* pci.ids subclass names (those naming one subclass), as lspci prints them
 * without -n: ls-iommu tables and plain lspci carry only the name. */
static const struct { const char *name; unsigned code; } class_names[] = {
#include "import/classnames.inc"
        { "Unassigned class", 0xff00 },
};

/* The class whose name starts s and ends at a ':' or two blanks (or the
 * end); -1 if none. */
int imp_class_from_name(const char *s, size_t len) {
        size_t best = 0;
        int code = -1;

        for (size_t k = 0; k < ELEMENTSOF(class_names); k++) {
                size_t n = strlen(class_names[k].name);

                if (n > len || n <= best || strncmp(s, class_names[k].name, n) != 0)
                        continue;
                if (n < len && s[n] != ':' && !(isblank((unsigned char) s[n]) && (n + 1 == len || isblank((unsigned char) s[n + 1]))))
                        continue;
                best = n;
                code = (int) class_names[k].code;
        }
        return code;
}

/* [xxxx] ending exactly at s+len; returns the value or -1. */
static int bracket4_before(const char *s, size_t len) {
        unsigned v = 0;

        if (len < 6 || s[len - 1] != ']' || s[len - 6] != '[')
                return -1;
        for (size_t i = len - 5; i < len - 1; i++) {
                if (!isxdigit((unsigned char) s[i]))
                        return -1;
                v = v << 4 | (unsigned) (isdigit((unsigned char) s[i]) ? s[i] - '0' : (tolower(s[i]) - 'a' + 10));
        }
        return (int) v;
}

/* The last "[vvvv:dddd]" in s[0..len). */
static bool last_id_pair(const char *s, size_t len, unsigned *v, unsigned *d) {
        bool found = false;

        for (size_t i = 0; i + 11 <= len; i++) {
                unsigned a, b;
                if (s[i] == '[' && s[i + 5] == ':' && s[i + 10] == ']' &&
                    sscanf(s + i + 1, "%4x", &a) == 1 && sscanf(s + i + 6, "%4x", &b) == 1 &&
                    isxdigit((unsigned char) s[i + 1]) && isxdigit((unsigned char) s[i + 4]) &&
                    isxdigit((unsigned char) s[i + 6]) && isxdigit((unsigned char) s[i + 9])) {
                        *v = a;
                        *d = b;
                        found = true;
                }
        }
        return found;
}

static const char *find_n(const char *s, size_t len, const char *needle) {
        size_t nl = strlen(needle);

        for (size_t i = 0; i + nl <= len; i++)
                if (memcmp(s + i, needle, nl) == 0)
                        return s + i;
        return NULL;
}

static void set_int(struct gd_import *im, const struct imp_line *l, const struct imp_dev *d, int *field,
                    int value, const char *what) {
        if (*field == IMP_UNSET)
                *field = value;
        else if (*field != value)
                imp_warn(im, l, "%s: %s %x contradicts %x seen earlier; keeping the first", d->address, what,
                         (unsigned) value, (unsigned) *field);
}

/* "[cccc]:" anywhere in s: the first one is the class of -nn output. */
static const char *find_class_code(const char *s, size_t len, int *ret) {
        for (size_t i = 0; i + 7 <= len; i++)
                if (s[i] == '[' && s[i + 5] == ']' && s[i + 6] == ':') {
                        int v = bracket4_before(s + i, 6);
                        if (v >= 0) {
                                *ret = v;
                                return s + i + 7;
                        }
                }
        return NULL;
}

/* "cccc: vvvv:dddd" (lspci -n, -nk, -nkk): numbers only. */
static bool numeric_form(const char *s, size_t len, unsigned *cls, unsigned *v, unsigned *d, size_t *used) {
        char buf[32];
        int n = 0;

        snprintf(buf, sizeof(buf), "%.*s", (int) (len < 31 ? len : 31), s);
        if (len < 15 || !isxdigit((unsigned char) s[0]) || s[4] != ':' || s[5] != ' ' || s[10] != ':' ||
            sscanf(buf, "%4x: %4x:%4x%n", cls, v, d, &n) != 3 || n != 15 ||
            (n < (int) len && !isblank((unsigned char) s[n])))
                return false;
        *used = (size_t) n;
        return true;
}

static bool is_driver_name(const char *s, size_t n);

/* Listing scripts append the driver to the device line, after a gap:
 * "... [10de:2489] (rev a1)   Driver: nvidia" (the basename of the
 * driver link, as lspci -k prints it). */
static void trailing_driver(struct gd_import *im, const struct imp_line *l, struct imp_dev *d, const char *s,
                            size_t len) {
        const char *p = find_n(s, len, "  Driver: ");
        size_t n;

        if (!p)
                return;
        p += strlen("  Driver: ");
        n = strcspn(p, " \t");
        if ((size_t) (p - s) + n > len)
                n = len - (size_t) (p - s);
        if (!is_driver_name(p, n) || d->driver_known == TRI_YES)
                return;
        d->driver = strndup(p, n);
        d->driver_known = d->driver ? TRI_YES : TRI_UNKNOWN;
        (void) im;
        (void) l;
}

/* ls-iommu -g prints the class code without lspci's colon: "VGA compatible
 * controller [0300] Intel Corporation ...": a class name, then "[cccc] ". */
static const char *class_code_after_name(const char *s, size_t len, int *ret) {
        const char *b = memchr(s, '[', len);
        int code;

        if (!b || b == s || b[-1] != ' ' || (size_t) (b - s) + 7 > len || b[5] != ']' || b[6] != ' ')
                return NULL;
        code = bracket4_before(b, 6);
        if (code < 0 || imp_class_from_name(s, (size_t) (b - s - 1)) != code)
                return NULL;
        *ret = code;
        return b + 7;
}

struct imp_dev *imp_lspci_device_line(struct gd_import *im, const struct imp_line *l, const char *s,
                                      size_t len) {
        unsigned dom, bus, slot, fn, v, dv, ncls;
        int pv = IMP_UNSET, pd = IMP_UNSET, cls = -1;
        size_t start = after_address(s, len, NULL, &dom, &bus, &slot, &fn, &pv, &pd), rlen, used;
        const char *rest, *ids_from = NULL, *p;
        struct imp_dev *d;
        bool ids = false;

        if (start == 0)
                return NULL;
        d = imp_dev_get(im, dom, bus, slot, fn, l);
        if (!d)
                return NULL;
        d->listed = true;
        rest = s + start;
        rlen = len - start;

        if (numeric_form(rest, rlen, &ncls, &v, &dv, &used)) {
                /* lspci -n: "0300: 10de:1b80 (rev a1)" */
                cls = (int) ncls;
                ids = true;
                ids_from = rest + used;
        } else if ((ids_from = find_class_code(rest, rlen, &cls)) ||
                   (ids_from = class_code_after_name(rest, rlen, &cls)))
                /* lspci -nn: "Class name [cccc]: Vendor Device [vvvv:dddd]" */
                ids = last_id_pair(ids_from, rlen - (size_t) (ids_from - rest), &v, &dv);
        else {
                /* ls-iommu rows and plain lspci: the class by name. */
                cls = imp_class_from_name(rest, rlen);
                ids_from = rest;
                if (pv != IMP_UNSET) {
                        v = (unsigned) pv;
                        dv = (unsigned) pd;
                        ids = true;
                }
        }
        if (cls >= 0)
                set_int(im, l, d, &d->class16, cls, "class");
        if (!ids && cls >= 0 && ids_from == rest) {
                /* Plain lspci: "Class name: Vendor Device (rev xx)". */
                const char *name = memchr(rest, ':', rlen), *end;

                if (name && (size_t) (name - rest) + 2 < rlen && name[1] == ' ') {
                        name += 2;
                        end = find_n(name, rlen - (size_t) (name - rest), " (");
                        imp_ids_from_name(im, d, name, (size_t) ((end ? end : rest + rlen) - name), l);
                }
        }
        if (ids) {
                set_int(im, l, d, &d->vendor, (int) v, "vendor");
                set_int(im, l, d, &d->device, (int) dv, "device");
        } else if (find_class_code(rest, rlen, &cls) || !memchr(rest, ':', rlen))
                /* -nn prints both; a class ID without the vendor:device
                 * pair (or no description at all) is a cut-off line. */
                imp_warn(im, l, "truncated lspci line for %s (no [vendor:device] IDs)", d->address);

        rlen -= (size_t) (ids_from - rest);
        trailing_driver(im, l, d, ids_from, rlen);
        p = find_n(ids_from, rlen, "(rev ");
        if (p && sscanf(p, "(rev %2x)", &v) == 1 && v == 0xff && d->revision != 0xff) {
                /* The IDs come from the kernel's cached attributes, the
                 * revision from config space or its cached copy: "(rev ff)"
                 * beside real IDs is a config read that returned all ones,
                 * a function that no longer answers (power.c).  It is the
                 * later word about the device, so it replaces the first. */
                d->revision = 0xff;
                imp_infer(im, "%s reads all ones in config space: \"(rev ff)\" at %s:%u", d->address, l->file,
                          l->lineno);
        } else if (p && sscanf(p, "(rev %2x)", &v) == 1)
                set_int(im, l, d, &d->revision, (int) v, "revision");
        p = find_n(ids_from, rlen, "(prog-if ");
        if (p && sscanf(p, "(prog-if %2x", &v) == 1)
                set_int(im, l, d, &d->progif, (int) v, "prog-if");
        return d;
}

/* Lines that only lspci -v prints: they prove the prog-if (shown on the
 * device line with -v whenever it is not 00). */
static const char *const verbose_keys[] = {
        "Flags:", "Control:", "Status:", "Latency:", "Interrupt:", "Region ", "Memory at ",
        "I/O ports at ", "Capabilities:", "Physical Slot:", "Memory behind bridge:",
        "I/O behind bridge:", "Prefetchable memory behind bridge:", "Secondary status:",
        "BridgeCtl:", "Expansion ROM", "DeviceName:", "NUMA node:",
};

/* A kernel driver's name, as lspci -k prints the basename of the driver
 * link: the names in drivers/ are identifiers ("vfio-pci", "snd_hda_intel",
 * "i801_smbus"); anything else in a paste is damage, not a driver. */
static bool is_driver_name(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (!(isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+'))
                        return false;
        }
        return n > 0;
}

bool imp_lspci_detail_line(struct gd_import *im, struct imp_dev *d, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;
        unsigned v, dv;
        int pri, sec, sub;
        char buf[256];

        if (imp_lspci_cap_line(im, d, l))
                return true;
        snprintf(buf, sizeof(buf), "%.*s", (int) (len < 255 ? len : 255), s);
        if (startswith(buf, "Subsystem: ")) {
                if (last_id_pair(s, len, &v, &dv)) {
                        set_int(im, l, d, &d->svendor, (int) v, "subsystem vendor");
                        set_int(im, l, d, &d->sdevice, (int) dv, "subsystem device");
                }
                return true;
        }
        if (startswith(buf, "Kernel driver in use: ")) {
                const char *name = buf + strlen("Kernel driver in use: ");
                size_t nl = strcspn(name, " \t");

                if (nl == 0) {
                        imp_warn(im, l, "%s: empty driver name", d->address);
                        return true;
                }
                if (!is_driver_name(name, nl)) {
                        imp_warn(im, l, "%s: '%.*s' is not a driver name; driver left unknown", d->address,
                                 (int) nl, name);
                        return true;
                }
                if (d->driver && (strlen(d->driver) != nl || strncmp(d->driver, name, nl) != 0)) {
                        imp_warn(im, l, "%s: driver %.*s contradicts %s seen earlier; keeping the first",
                                 d->address, (int) nl, name, d->driver);
                        return true;
                }
                if (!d->driver)
                        d->driver = strndup(name, nl);
                d->driver_known = TRI_YES;
                return true;
        }
        if (startswith(buf, "Kernel modules: ")) {
                /* lspci -k prints "in use" first: without it, no driver. */
                d->driver_known = TRI_YES;
                return true;
        }
        if (sscanf(buf, "Bus: primary=%x, secondary=%x, subordinate=%x", &pri, &sec, &sub) == 3) {
                set_int(im, l, d, &d->secondary, sec, "secondary bus");
                set_int(im, l, d, &d->subordinate, sub, "subordinate bus");
                set_int(im, l, d, &d->caps.primary, pri, "primary bus");
        }
        if (sscanf(buf, "IOMMU group: %d", &pri) == 1 && pri >= 0) {
                imp_group_assign(im, d, pri, l);
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbose_keys); i++)
                if (startswith(buf, verbose_keys[i])) {
                        const char *g = startswith(buf, "Flags: ") ? strstr(buf, ", IOMMU group ") : NULL;

                        /* -v prints the prog-if whenever it is not 00, and
                         * the driver in use whenever there is one. */
                        if (d->progif == IMP_UNSET)
                                d->progif = 0;
                        d->verbose_block = true;
                        if (g && sscanf(g, ", IOMMU group %d", &pri) == 1 && pri >= 0)
                                imp_group_assign(im, d, pri, l);
                        return true;
                }
        return false;
}
