/* SPDX-License-Identifier: MIT */
/* rom.unreadable from the kernel log: pci_get_rom_size() (drivers/pci/rom.c)
 * prints "Invalid PCI ROM header signature: expecting 0xaa55, got %#06x"
 * when the first bytes of the card's expansion ROM are not a ROM header,
 * as when vfio-pci or sysfs reads it for QEMU.  (QEMU's own message about
 * the ROM is the tools family's, checks/tools.c.) */
#include <stdio.h>

#include "families.h"
#include "model/kmsg.h"

static void check_target(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        struct gd_finding *x = NULL;

        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];

                if (!gd_kmsg_record_has(r, GD_KMSG_ROM_INVALID))
                        continue;
                if (!gd_kmsg_names_target(r->text, t))
                        continue;
                if (!x) {
                        x = gd_findings_add(out, "rom.unreadable", "the option ROM of the card at %s has no valid "
                                            "header", t->gpu->address);
                        if (!x)
                                return;
                        gd_finding_subject_target(x, t);
                        gd_finding_remedy(x, "Give the VM the vBIOS from a file: romfile=<file> (Proxmox hostpciN, "
                                             "QEMU -device vfio-pci) or <rom file='...'/> (libvirt), dumped from "
                                             "the card on a host where it reads, taken from the vendor, or (laptops) "
                                             "extracted from the system firmware; or rombar=0 when the guest does "
                                             "not need it.");
                        /* No plan action: the ROM file must come from
                         * elsewhere (another host, the vendor, the laptop's
                         * firmware), which no edit of this host provides. */
                }
                gd_finding_evidence_kmsg(x, h, r);
        }
}

void gd_check_rom(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        if (h->kmsg_state < 0)
                return;
        for (size_t i = 0; i < t->n; i++)
                check_target(h, &t->items[i], out);
}
