/* SPDX-License-Identifier: MIT */
/* lshw's blocks (lshw -class display, lshw -businfo is another tool):
 *     *-display
 *          description: 3D controller
 *          product: GA102GL [A10]
 *          vendor: NVIDIA Corporation
 *          bus info: pci@0000:17:00.0
 *          configuration: driver=vfio-pci latency=0
 * lshw takes the description from the PCI class name, product and vendor
 * from pci.ids, and "driver=" from the device's driver link (lshw
 * src/core/pci.cc); a block without "driver=" says nothing about the driver
 * (lshw leaves it out for unbound devices and when it cannot read the
 * link). */
#include <stdio.h>
#include <string.h>

#include "import/import-internal.h"

static bool key(const struct imp_line *l, const char *k, const char **ret) {
        size_t n = strlen(k);

        if (l->body_len <= n || strncmp(l->body, k, n) != 0)
                return false;
        *ret = l->body + n;
        return true;
}

static void finish(struct gd_import *im, struct imp_lshw *w) {
        struct imp_dev *d = w->dev;

        if (d) {
                int c = imp_class_from_name(w->description, strlen(w->description));

                if (c >= 0 && d->class16 == IMP_UNSET)
                        d->class16 = c;
                if (w->vendor[0] && w->product[0]) {
                        char name[330];

                        snprintf(name, sizeof(name), "%s %s", w->vendor, w->product);
                        imp_ids_from_name(im, d, name, strlen(name), NULL);
                }
        }
        *w = (struct imp_lshw) { 0 };
}

bool imp_lshw_line(struct gd_import *im, struct imp_lshw *w, const struct imp_line *l) {
        const char *v;
        char addr[13];

        if (startswith(l->body, "*-")) {
                finish(im, w);
                w->open = true;
                return true;
        }
        if (!w->open)
                return false;
        if (key(l, "description: ", &v))
                snprintf(w->description, sizeof(w->description), "%s", v);
        else if (key(l, "product: ", &v))
                snprintf(w->product, sizeof(w->product), "%s", v);
        else if (key(l, "vendor: ", &v))
                snprintf(w->vendor, sizeof(w->vendor), "%s", v);
        else if (key(l, "bus info: pci@", &v)) {
                if (imp_find_address(v, strlen(v), addr) == 1)
                        w->dev = imp_dev_named(im, addr, l);
        } else if (key(l, "configuration: ", &v)) {
                const char *drv = strstr(v, "driver=");
                if (drv && w->dev && w->dev->driver_known != TRI_YES) {
                        size_t n = strcspn(drv + 7, " ");
                        w->dev->driver = strndup(drv + 7, n);
                        w->dev->driver_known = w->dev->driver ? TRI_YES : TRI_UNKNOWN;
                }
        } else if (strchr(l->body, ':') && l->body_len > 0 && l->body[0] != ' ') {
                /* Other "key: value" lines of the block (physical id, width, ...). */
        } else {
                finish(im, w);
                return false;
        }
        return true;
}

void imp_lshw_end(struct gd_import *im, struct imp_lshw *w) {
        finish(im, w);
}
