/* SPDX-License-Identifier: MIT */
/* aer.uncorrectable: the PCIe link of the card failed, and the kernel could
 * not recover it.
 *
 * Kernel log forms (drivers/pci/pcie/aer.c, err.c):
 *  - aer_isr_one_error(): "AER: Uncorrected (Fatal) error received: <bdf>",
 *    "Multiple Uncorrected (Non-Fatal) error received: ..." (older: "AER:
 *    Uncorrected (Fatal) error message received from <bdf>");
 *  - aer_print_error(): "PCIe Bus Error: severity=Uncorrected (Fatal), type=...";
 *  - pcie_do_recovery(): "AER: device recovery failed" or "AER: device
 *    recovery successful", on the port that reported it;
 *  - report_error_detected(): "AER: can't recover (no error_detected
 *    callback)" for each driver below that cannot help (nvidia has none).
 * A record counts when it names a function of the card or a bridge above it
 * ("<drv> <addr>: "): the port reports errors of the link below it. */
#include <stdio.h>
#include <string.h>

#include "families.h"
#include "model/kmsg.h"

/* The card's functions and the bridges above them, as far as the model knows. */
static bool on_path(const struct gd_host *h, const struct gd_target *t, const char *text) {
        for (size_t f = 0; f < t->n_functions; f++) {
                const struct gd_pci_dev *d = t->functions[f];

                for (unsigned depth = 0; d && depth < 32; depth++) {
                        if (gd_kmsg_names_device(text, d->address))
                                return true;
                        d = d->parent ? gd_host_find_dev(h, d->parent) : NULL;
                }
        }
        return false;
}

static void check_target(const struct gd_host *h, const struct gd_target *t, struct gd_findings *out) {
        const struct gd_kmsg_record *first = NULL;
        bool failed = false, recovered_after = false;
        struct gd_finding *x;

        for (size_t i = 0; i < h->kmsg.n_records; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];
                bool error = gd_kmsg_record_has(r, GD_KMSG_AER_UNCORRECTED) ||
                             gd_kmsg_record_has(r, GD_KMSG_AER_RECOVERY_FAILED) ||
                             gd_kmsg_record_has(r, GD_KMSG_AER_CANT_RECOVER);

                if (!(error || gd_kmsg_record_has(r, GD_KMSG_AER_RECOVERED)) || !on_path(h, t, r->text))
                        continue;
                if (error) {
                        if (!first)
                                first = r;
                        if (!gd_kmsg_record_has(r, GD_KMSG_AER_UNCORRECTED))
                                failed = true;
                        recovered_after = false;
                } else if (first)
                        recovered_after = true;
        }
        if (!first)
                return;
        /* Uncorrected, then recovered and nothing failed: a warning. */
        x = gd_findings_add_variant(out, "aer.uncorrectable", !failed && recovered_after ? "recovered" : NULL,
                                    "uncorrectable PCIe errors on the link of the card at %s%s", t->gpu->address,
                                    failed ? ", and the kernel could not recover it" :
                                    recovered_after ? ", recovered" : "");
        if (!x)
                return;
        gd_finding_subject_target(x, t);
        for (size_t i = 0, n = 0; i < h->kmsg.n_records && n < 8; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[i];

                if ((gd_kmsg_record_has(r, GD_KMSG_AER_UNCORRECTED) || gd_kmsg_record_has(r, GD_KMSG_AER_RECOVERY_FAILED) ||
                     gd_kmsg_record_has(r, GD_KMSG_AER_CANT_RECOVER) || gd_kmsg_record_has(r, GD_KMSG_AER_RECOVERED)) &&
                    on_path(h, t, r->text)) {
                        gd_finding_evidence_kmsg(x, h, r);
                        n++;
                }
        }
        gd_finding_remedy(x, "Look for the cause in the hardware: reseat the card, try another slot or no riser, check "
                             "the power connectors and the PSU; update the firmware (BIOS) and the GPU's vBIOS. "
                             "pcie_aspm=off rules out link power management. A failed recovery leaves the card "
                             "unusable until the host is reset.");
        /* For the plan: hardware and firmware, a person's step; pcie_aspm=off
         * only rules a cause out, so the plan does not write it. */
        if (!(!failed && recovered_after))
                gd_finding_act_text(x, GD_ACT_MANUAL, "Check the hardware of the card at %s: reseat it, try another "
                                    "slot or no riser, check its power connectors; update the BIOS and the vBIOS",
                                    t->gpu->address);
}

void gd_check_aer(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        if (h->kmsg_state < 0)
                return;
        for (size_t i = 0; i < t->n; i++)
                check_target(h, &t->items[i], out);
}
