/* SPDX-License-Identifier: MIT */
/* Pasted lspci: device lines (-nn, -D or not) and the indented detail lines
 * of -k and -v/-vv that prove a fact (subsystem, driver in use, bridge bus
 * numbers, IOMMU group, whether -v was given). */
#include <ctype.h>
#include <string.h>

#include "import/import-internal.h"

bool imp_is_device_line(const char *s, size_t len) {
        unsigned dom, bus, slot, fn;
        size_t n = imp_parse_address(s, len, &dom, &bus, &slot, &fn, NULL);

        return n > 0 && n + 1 < len && s[n] == ' ' && isalpha((unsigned char) s[n + 1]);
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

struct imp_dev *imp_lspci_device_line(struct gd_import *im, const struct imp_line *l, const char *s,
                                      size_t len) {
        unsigned dom, bus, slot, fn, v, dv;
        size_t n = imp_parse_address(s, len, &dom, &bus, &slot, &fn, NULL);
        const char *rest, *colon, *p;
        size_t rlen;
        struct imp_dev *d;
        int cls;

        if (n == 0 || !imp_is_device_line(s, len))
                return NULL;
        d = imp_dev_get(im, dom, bus, slot, fn, l);
        if (!d)
                return NULL;
        d->listed = true;
        rest = s + n + 1;
        rlen = len - n - 1;

        colon = find_n(rest, rlen, ": ");
        cls = colon ? bracket4_before(rest, (size_t) (colon - rest)) : -1;
        if (cls >= 0)
                set_int(im, l, d, &d->class16, cls, "class");

        if (colon && last_id_pair(colon, rlen - (size_t) (colon - rest), &v, &dv)) {
                set_int(im, l, d, &d->vendor, (int) v, "vendor");
                set_int(im, l, d, &d->device, (int) dv, "device");
        } else if (cls >= 0 || !colon)
                /* -nn prints both; a class ID without the vendor:device
                 * pair (or no description at all) is a cut-off line. */
                imp_warn(im, l, "truncated lspci line for %s (no [vendor:device] IDs)", d->address);

        p = colon ? find_n(colon, rlen - (size_t) (colon - rest), "(rev ") : NULL;
        if (p && sscanf(p, "(rev %2x)", &v) == 1)
                set_int(im, l, d, &d->revision, (int) v, "revision");
        p = colon ? find_n(colon, rlen - (size_t) (colon - rest), "(prog-if ") : NULL;
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

bool imp_lspci_detail_line(struct gd_import *im, struct imp_dev *d, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;
        unsigned v, dv;
        int pri, sec, sub;
        char buf[256];

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
