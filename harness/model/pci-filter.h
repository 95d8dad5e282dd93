/* SPDX-License-Identifier: MIT */
/* The -s and -d device filters, with lspci's syntax (pciutils lib/filter.c):
 * -s [[[[domain]:]bus]:][slot][.[func]] and -d [vendor]:[device][:class],
 * hex fields, empty or '*' for any.  Parsed once, matched per device. */
#pragma once

#include <stdbool.h>

#include "model/host.h"

struct gd_pci_filter {
        bool active;           /* -s or -d given: without it every device matches */
        long domain, bus, slot, func;
        long vendor, device, cls;  /* -1: any */
};

/* slot and ids may be NULL.  Returns 0, -EINVAL for a bad slot, -EDOM for
 * bad IDs; *ret is untouched on failure. */
int gd_pci_filter_parse(const char *slot, const char *ids, struct gd_pci_filter *ret);
bool gd_pci_filter_match(const struct gd_pci_filter *f, const struct gd_pci_dev *d);
