/* SPDX-License-Identifier: MIT */
/* -s and -d as lspci understands them (pciutils lib/filter.c,
 * pci_filter_parse_slot and pci_filter_parse_id): hex fields, empty or '*'
 * meaning "any". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "cli.h"

struct slot_filter { long domain, bus, slot, func; };
struct id_filter { long vendor, device, cls; };

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

static int parse_slot(const char *str, struct slot_filter *f) {
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

static int parse_ids(const char *str, struct id_filter *f) {
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

int cli_filter_check(const struct gd_host_opts *o) {
        struct slot_filter s;
        struct id_filter i;

        if (o->slot && parse_slot(o->slot, &s) < 0) {
                cli_error("-s: invalid slot '%s' (expected [[[[domain]:]bus]:][slot][.[func]])", o->slot);
                return -1;
        }
        if (o->ids && parse_ids(o->ids, &i) < 0) {
                cli_error("-d: invalid ID '%s' (expected [vendor]:[device][:class])", o->ids);
                return -1;
        }
        return 0;
}

bool cli_filter_match(const struct gd_host_opts *o, const struct gd_pci_dev *d) {
        if (o->slot) {
                struct slot_filter s;
                if (parse_slot(o->slot, &s) < 0)
                        return false;
                /* Fields left out match anything, the domain too, as in lspci. */
                if ((s.domain >= 0 && s.domain != (long) d->domain) ||
                    (s.bus >= 0 && s.bus != (long) d->bus) ||
                    (s.slot >= 0 && s.slot != (long) d->dev) ||
                    (s.func >= 0 && s.func != (long) d->func))
                        return false;
        }
        if (o->ids) {
                struct id_filter i;
                if (parse_ids(o->ids, &i) < 0)
                        return false;
                if ((i.vendor >= 0 && i.vendor != d->vendor) ||
                    (i.device >= 0 && i.device != d->device) ||
                    (i.cls >= 0 && i.cls != (long) (d->class_code >> 8)))
                        return false;
        }
        return true;
}

void cli_filter_targets(const struct gd_host_opts *o, struct gd_targets *t) {
        size_t keep = 0;

        for (size_t i = 0; i < t->n; i++) {
                bool match = false;

                for (size_t j = 0; j < t->items[i].n_functions && !match; j++)
                        match = cli_filter_match(o, t->items[i].functions[j]);
                if (match) {
                        struct gd_target tmp = t->items[keep];
                        t->items[keep++] = t->items[i];
                        t->items[i] = tmp;
                }
        }
        for (size_t i = keep; i < t->n; i++)
                free(t->items[i].functions);
        t->n = keep;
}
