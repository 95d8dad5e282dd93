/* SPDX-License-Identifier: MIT */
/* What a kernel log line proves about the PCI device it names.
 *
 * dev_printk() and its pci_info()/pci_err() forms print
 * "<dev_driver_string()> <dev_name()>: " before the message
 * (drivers/base/core.c __dev_printk()): dev_driver_string() is the bound
 * driver's name (struct pci_driver .name: "nvidia", "vfio-pci",
 * "snd_hda_intel", "pcieport") or, with no driver, the bus's name, "pci".
 * So a line "nvidia 0000:01:00.0: ..." proves that nvidia held the device
 * when it was printed; the last such line of a log is the driver the log
 * shows last, which is what the import infers (and says so).  A "pci"
 * line proves nothing about the driver: the enumeration at boot prints
 * them before any driver binds.  A failed probe leaves no driver.
 *
 * iommu_group_add_device() prints "Adding to iommu group %d" (before 4.x:
 * "Adding device %s to group %d") and iommu_release_device() "Removing from
 * iommu group %d" (drivers/iommu/iommu.c): a log gives a device's group,
 * but never the group's other members (a log can be filtered or cut), so
 * such a group's membership is written as unknown.  vga_arbiter_add_pci_device()
 * prints "vgaarb: setting as boot VGA device" (drivers/pci/vgaarb.c), and
 * efifb_fixup_resources() "BAR %d: assigned to efifb" for the device whose
 * BAR holds the firmware framebuffer (drivers/firmware/efi/sysfb_efi.c),
 * which vga_is_firmware_default() makes the default VGA device: both mean
 * boot_vga is 1. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "import/import-internal.h"

static bool is_bus_name(const char *s, size_t n) {
        return (n == 3 && strncmp(s, "pci", 3) == 0) || (n == 7 && strncmp(s, "pci_bus", 7) == 0);
}

static void log_group(struct gd_import *im, struct imp_dev *d, int group, const struct imp_line *l) {
        d->group_removed = false;
        if (d->group == IMP_UNSET) {
                imp_group_assign(im, d, group, l);
                d->group_partial = true;
        } else if (d->group_partial)
                d->group = group;       /* the later line is the kernel's last word */
}

void imp_kmsg_device_line(struct gd_import *im, const struct imp_line *l, const char *text) {
        unsigned dom, bus, slot, fn;
        size_t n = 0, used;
        struct imp_dev *d;
        const char *rest;
        int group;

        /* Pre-4.x: "iommu: Adding device 0000:00:1f.3 to group 11". */
        if (startswith(text, "iommu: Adding device ") &&
            (used = imp_parse_address(text + 21, strlen(text + 21), &dom, &bus, &slot, &fn, NULL)) > 0 &&
            sscanf(text + 21 + used, " to group %d", &group) == 1 && group >= 0) {
                d = imp_dev_get(im, dom, bus, slot, fn, l);
                if (d) {
                        d->named = true;
                        log_group(im, d, group, l);
                }
                return;
        }

        while (islower((unsigned char) text[n]) || isdigit((unsigned char) text[n]) || text[n] == '_' || text[n] == '-')
                n++;
        if (n == 0 || text[n] != ' ')
                return;
        used = imp_parse_address(text + n + 1, strlen(text + n + 1), &dom, &bus, &slot, &fn, NULL);
        /* dev_name() of a PCI device always has the domain. */
        if (used != 12 || text[n + 1 + used] != ':')
                return;
        d = imp_dev_get(im, dom, bus, slot, fn, l);
        if (!d)
                return;
        d->named = true;
        rest = text + n + 1 + used + 1;
        while (*rest == ' ')
                rest++;

        /* really_probe() sets dev->driver before calling probe, so the
         * probe's own lines carry the driver's prefix, and clears it when
         * probe fails ("probe with driver %s failed with error %d",
         * drivers/base/dd.c): after that line the device has no driver. */
        if (strstr(rest, "probe with driver ") && strstr(rest, " failed with error ")) {
                free(d->log_driver);
                d->log_driver = strdup("");
                free(d->log_driver_where);
                if (asprintf(&d->log_driver_where, "%s:%u", l->file, l->lineno) < 0)
                        d->log_driver_where = NULL;
        } else if (!is_bus_name(text, n)) {
                char *drv = strndup(text, n);
                char where[160];

                snprintf(where, sizeof(where), "%s:%u", l->file, l->lineno);
                if (drv) {
                        free(d->log_driver);
                        free(d->log_driver_where);
                        d->log_driver = drv;
                        d->log_driver_where = strdup(where);
                }
        }
        if (sscanf(rest, "Adding to iommu group %d", &group) == 1 && group >= 0)
                log_group(im, d, group, l);
        else if (startswith(rest, "Removing from iommu group ")) {
                d->group_removed = true;
                if (d->group_partial) {
                        d->group = IMP_UNSET;
                        d->group_where = mfree_str(d->group_where);
                }
        }
        /* vga_arbiter_add_pci_device() takes only class 0x0300 devices
         * ("if ((pdev->class >> 8) != PCI_CLASS_DISPLAY_VGA) return false"),
         * so any vgaarb line names a VGA controller. */
        if (startswith(rest, "vgaarb: ") && d->class16 == IMP_UNSET) {
                d->class16 = 0x0300;
                imp_infer(im, "%s is a VGA compatible controller (class 0300), from vgaarb's kernel log line %s:%u",
                          d->address, l->file, l->lineno);
        }
        if (startswith(rest, "vgaarb: setting as boot VGA device") ||
                   (startswith(rest, "BAR ") && strstr(rest, ": assigned to efifb"))) {
                if (d->boot_vga != TRI_YES)
                        imp_infer(im, "%s is the boot VGA device, from the kernel log line %s:%u (%s)", d->address,
                                  l->file, l->lineno, rest);
                d->boot_vga = TRI_YES;
        }
}
