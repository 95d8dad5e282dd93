/* SPDX-License-Identifier: MIT */
/* -s and -d as lspci understands them (pciutils lib/filter.c,
 * pci_filter_parse_slot and pci_filter_parse_id): hex fields, empty or '*'
 * meaning "any". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/pci-filter.h"

static int parse_field(const char *s, size_t len, unsigned long max, long *ret) {
        char buf[16], *end;
        unsigned long v;

        if (len == 0 || (len == 1 && s[0] == '*')) {
                *ret = -1;
                return 0;
        }
        if (len >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        errno = 0;
        v = strtoul(buf, &end, 16);
        if (errno || *end || v > max)
                return -EINVAL;
        *ret = (long) v;
        return 0;
}

static int parse_slot(const char *str, struct gd_pci_filter *f) {
        const char *colon1, *colon2, *dot, *rest = str;

        f->domain = f->bus = f->slot = f->func = -1;
        colon1 = strchr(str, ':');
        if (colon1) {
                colon2 = strchr(colon1 + 1, ':');
                if (colon2) {
                        if (parse_field(str, (size_t) (colon1 - str), 0xffff, &f->domain) < 0 ||
                            parse_field(colon1 + 1, (size_t) (colon2 - colon1 - 1), 0xff, &f->bus) < 0)
                                return -EINVAL;
                        rest = colon2 + 1;
                } else {
                        if (parse_field(str, (size_t) (colon1 - str), 0xff, &f->bus) < 0)
                                return -EINVAL;
                        rest = colon1 + 1;
                }
        }
        dot = strchr(rest, '.');
        if (dot) {
                if (parse_field(rest, (size_t) (dot - rest), 0x1f, &f->slot) < 0 ||
                    parse_field(dot + 1, strlen(dot + 1), 7, &f->func) < 0)
                        return -EINVAL;
        } else if (parse_field(rest, strlen(rest), 0x1f, &f->slot) < 0)
                return -EINVAL;
        return 0;
}

static int parse_ids(const char *str, struct gd_pci_filter *f) {
        const char *c1 = strchr(str, ':'), *c2;

        f->vendor = f->device = f->cls = -1;
        if (!c1)
                return -EINVAL;
        if (parse_field(str, (size_t) (c1 - str), 0xffff, &f->vendor) < 0)
                return -EINVAL;
        c2 = strchr(c1 + 1, ':');
        if (parse_field(c1 + 1, c2 ? (size_t) (c2 - c1 - 1) : strlen(c1 + 1), 0xffff, &f->device) < 0)
                return -EINVAL;
        if (c2 && parse_field(c2 + 1, strlen(c2 + 1), 0xffff, &f->cls) < 0)
                return -EINVAL;
        return 0;
}

int gd_pci_filter_parse(const char *slot, const char *ids, struct gd_pci_filter *ret) {
        struct gd_pci_filter f = { .active = slot || ids };

        f.domain = f.bus = f.slot = f.func = f.vendor = f.device = f.cls = -1;
        if (slot && parse_slot(slot, &f) < 0)
                return -EINVAL;
        if (ids && parse_ids(ids, &f) < 0)
                return -EDOM;
        *ret = f;
        return 0;
}

bool gd_pci_filter_match(const struct gd_pci_filter *f, const struct gd_pci_dev *d) {
        /* Fields left out match anything, the domain too, as in lspci. */
        return (f->domain < 0 || f->domain == (long) d->domain) &&
               (f->bus < 0 || f->bus == (long) d->bus) &&
               (f->slot < 0 || f->slot == (long) d->dev) &&
               (f->func < 0 || f->func == (long) d->func) &&
               (f->vendor < 0 || f->vendor == d->vendor) &&
               (f->device < 0 || f->device == d->device) &&
               (f->cls < 0 || f->cls == (long) (d->class_code >> 8));
}
