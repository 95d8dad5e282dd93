/* SPDX-License-Identifier: MIT */
/* A paste from Xen's control domain (dom0), and the device names of Qubes
 * OS, whose every admin command runs there.
 *
 * What proves dom0 in pasted text:
 *  - Qubes' admin tools (qvm-device, qvm-pci, qvm-prefs ...) run only in
 *    dom0 (the Admin API's client side, qubes-core-admin-client), and
 *    "qvm-device pci attach VM dom0:0c_00.0" names a device of dom0;
 *  - a Qubes device name with dom0 as its backend ("dom0:0c_00.0", below);
 *  - rd.qubes.hide_pci= (Qubes' dracut module, dom0's initramfs) and
 *    xen-pciback.hide= (drivers/xen/xen-pciback/pci_stub.c, the "hide"
 *    parameter: devices seized for passthrough, which only the domain that
 *    owns the hardware does) on the kernel command line.
 * The bundle then gets the two facts a dom0 shows (model/role.c):
 * /sys/hypervisor/type "xen" (drivers/xen/sys-hypervisor.c) and
 * /proc/xen/capabilities "control_d" (drivers/xen/xenfs/super.c,
 * capabilities_read() when xen_initial_domain()), said to be inferred.
 *
 * Qubes names a PCI device by its backend domain and "BB_DD.F" (the port
 * id of qubes/ext/pci.py in qubes-core-admin: bus, '_', device, '.',
 * function, e.g. dom0:0c_00.0), which is 0000:0c:00.0 of that domain. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "import/import-internal.h"

static const char *const dom0_words[] = {
        "qvm-device pci ", "qvm-pci ", "qvm-prefs ", "qvm-start ", "rd.qubes.hide_pci=", "xen-pciback.hide=",
        /* QEMU's Xen PCI passthrough (hw/xen/xen_pt.c xen_pt_realize()), the
         * device model of the Xen toolstack, whose log dom0 keeps. */
        "xen_pt_realize: ", "\"xen-pci-passthrough\"",
};

/* "dom0:0c_00.0" at s: the address, 0 if none. */
static size_t qubes_ident(const char *s, size_t len, unsigned *bus, unsigned *slot, unsigned *fn) {
        if (len < 12 || strncmp(s, "dom0:", 5) != 0)
                return 0;
        s += 5;
        if (!isxdigit((unsigned char) s[0]) || !isxdigit((unsigned char) s[1]) || s[2] != '_' ||
            !isxdigit((unsigned char) s[3]) || !isxdigit((unsigned char) s[4]) || s[5] != '.' || s[6] < '0' ||
            s[6] > '7' || (len > 12 && (isalnum((unsigned char) s[7]))))
                return 0;
        if (sscanf(s, "%2x_%2x.%1u", bus, slot, fn) != 3 || *slot > 0x1f)
                return 0;
        return 12;
}

void imp_xen_line(struct gd_import *im, const struct imp_line *l) {
        const char *s = l->body;
        size_t len = l->body_len;

        if (!memmem(s, len, "qvm-", 4) && !memmem(s, len, "dom0:", 5) && !memmem(s, len, "hide", 4) &&
            !memmem(s, len, "xen", 3))
                return;
        for (size_t k = 0; k < ELEMENTSOF(dom0_words) && !im->xen_dom0_where; k++)
                if (memmem(s, len, dom0_words[k], strlen(dom0_words[k])) &&
                    asprintf(&im->xen_dom0_where, "%s:%u (%s)", l->file, l->lineno, dom0_words[k]) < 0)
                        im->xen_dom0_where = NULL;
        for (const char *p = memmem(s, len, "dom0:", 5); p; p = memmem(p + 1, len - (size_t) (p + 1 - s), "dom0:", 5)) {
                unsigned bus, slot, fn;

                if (qubes_ident(p, len - (size_t) (p - s), &bus, &slot, &fn)) {
                        struct imp_dev *d = imp_dev_get(im, 0, bus, slot, fn, l);
                        if (d)
                                d->named = true;
                        /* A device whose backend is dom0: the machine is
                         * Qubes' Xen, and the device dom0's. */
                        if (!im->xen_dom0_where &&
                            asprintf(&im->xen_dom0_where, "%s:%u (Qubes' name %.12s)", l->file, l->lineno, p) < 0)
                                im->xen_dom0_where = NULL;
                }
                if ((size_t) (p + 1 - s) >= len)
                        break;
        }
}

int imp_xen_infer(struct gd_import *im) {
        static const char type[] = "xen", caps[] = "control_d";

        if (!im->xen_dom0_where || imp_file_find(im, "/sys/hypervisor/type"))
                return 0;
        if (imp_file_append(im, "/sys/hypervisor/type", type, strlen(type)) < 0 ||
            imp_file_append(im, "/proc/xen/capabilities", caps, strlen(caps)) < 0)
                return -ENOMEM;
        imp_infer(im, "Xen dom0 (/sys/hypervisor/type xen, /proc/xen/capabilities control_d), from %s, which only "
                  "dom0 runs", im->xen_dom0_where);
        return 0;
}
