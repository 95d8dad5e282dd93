/* SPDX-License-Identifier: MIT */
/* power.d3cold: a function of the card failed to come back to D0.
 *
 * Kernel log forms (drivers/pci/pci.c, verified in source and patches):
 * - 6.0+: pci_power_up() / pci_set_low_power_state():
 *     "Unable to change power state from %s to %s, device inaccessible"
 *   before 6.0: "can't change power state from %s to %s (config space inaccessible)"
 *   Config space read all ones (PCI_POSSIBLE_ERROR(pmcsr)): the device is off
 *   the bus, whatever the states named.
 * - pci_set_full_power_state(): pci_info_ratelimited(dev,
 *     "Refused to change power state from %s to D0"); older kernels
 *   "refused to change power state from %s to %s" and
 *   "Refused to change power state, currently in D%d".  Only a refusal to
 *   reach D0 counts: "from D0 to D3hot" is printed on every suspend of many
 *   healthy devices (snd_hda_intel, amdgpu BACO) and means nothing here.
 * A record counts when it names a function of the card ("<drv> <addr>: ").
 * A device whose vendor ID reads 0xffff is off the bus too, and so is one
 * whose revision reads 0xff beside real IDs: the IDs are the kernel's
 * cached copy (pci_setup_device()), the revision lspci printed "(rev ff)"
 * came from a config read that returned all ones (import/lspci.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "model/kmsg.h"
#include "remedy.h"
#include "vendor-reset-ids.h"


/* True for the power-state failures described above, and for
 * pci_dev_wait()'s "not ready %dms after %s; giving up" (drivers/pci/pci.c):
 * after a reset the device never answered its config space again. */
static bool record_is_failure(const char *text) {
        const char *p;

        if (strstr(text, "; giving up") && strstr(text, "not ready ") && strstr(text, " after "))
                return true;

        if ((strstr(text, "Unable to change power state") || strstr(text, "can't change power state")) &&
            strstr(text, "inaccessible"))
                return true;
        p = strcasestr(text, "refused to change power state");
        if (!p)
                return false;
        p += strlen("refused to change power state");
        return strstr(p, " to D0") != NULL || strstr(p, "currently in D3") != NULL;
}

/* fail: the indices of the kernel log records that are failures (record_is_failure). */
static bool reads_all_ones(const struct gd_pci_dev *d) {
        return d->vendor == 0xffff || (!d->ids_unknown && d->revision_known && d->revision == 0xff);
}

static void check_target(const struct gd_host *h, const struct gd_target *t, const size_t *fail, size_t n_fail,
                         struct gd_findings *out) {
        const struct gd_pci_dev *gpu = t->gpu;
        const struct gd_pci_dev *first = NULL;
        _cleanup_free_ const struct gd_kmsg_record **records = NULL;
        size_t n_off = 0, n_records = 0;
        struct gd_finding *x;

        /* First what there is to say (the summary counts it), then the finding. */
        for (size_t f = 0; f < t->n_functions; f++)
                if (reads_all_ones(t->functions[f])) {
                        if (!first)
                                first = t->functions[f];
                        n_off++;
                }
        for (size_t i = 0; i < n_fail; i++) {
                const struct gd_kmsg_record *r = &h->kmsg.records[fail[i]];

                for (size_t f = 0; f < t->n_functions; f++) {
                        const struct gd_kmsg_record **nr;

                        if (!gd_kmsg_names_device(r->text, t->functions[f]->address))
                                continue;
                        nr = reallocarray(records, n_records + 1, sizeof(*records));
                        if (!nr)
                                return;
                        records = nr;
                        records[n_records++] = r;
                        if (!first)
                                first = t->functions[f];
                        break;
                }
        }
        if (!first)
                return;

        x = gd_findings_add(out, "power.d3cold", "%s did not come back to D0 (device inaccessible or power state "
                            "change refused; %zu record%s)", first->address, n_off + n_records,
                            n_off + n_records == 1 ? "" : "s");
        if (!x)
                return;
        for (size_t f = 0; f < t->n_functions; f++)
                if (t->functions[f]->vendor == 0xffff)
                        gd_finding_evidence_attr(x, t->functions[f], "vendor", "0xffff (config space reads all ones)");
                else if (reads_all_ones(t->functions[f]))
                        gd_finding_evidence_attr(x, t->functions[f], "revision", "0xff (config space reads all ones)");
        for (size_t i = 0; i < n_records; i++)
                gd_finding_evidence_kmsg(x, h, records[i]);
        gd_finding_subject_target(x, t);
        if (first->power_state)
                gd_finding_evidence_attr(x, first, "power_state", first->power_state);
        if (first->d3cold_allowed != TRI_UNKNOWN)
                gd_finding_evidence_attr(x, first, "d3cold_allowed",
                                         first->d3cold_allowed == TRI_YES ? "1" : "0");

        if (gd_cmdline_find(&h->cmdline, "vfio-pci.disable_idle_d3"))
                gd_finding_remedy(x, "vfio-pci.disable_idle_d3 is already on the command line.");
        else
                gd_remedy_cmdline_add(x, h, "vfio-pci.disable_idle_d3=1");
        gd_finding_remedy_append(x, "Keep the card out of D3cold with a udev rule in "
                                    "/etc/udev/rules.d/99-gpu-d3cold.rules:");
        {
                _cleanup_free_ char *rule = NULL;
                int r;

                /* A pasted device whose IDs the paste does not show is
                 * matched by its address instead. */
                if (first->ids_unknown)
                        r = asprintf(&rule, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
                                            "ATTR{d3cold_allowed}=\"0\"", first->address);
                else
                        r = asprintf(&rule, "ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x%04x\", "
                                            "ATTR{device}==\"0x%04x\", ATTR{d3cold_allowed}=\"0\"",
                                     first->vendor, first->device);
                if (r >= 0) {
                        gd_finding_remedy_append(x, "%s", rule);
                        gd_finding_act_line(x, GD_ACT_FILE_LINE, "/etc/udev/rules.d/99-gpu-d3cold.rules", 0, NULL,
                                            NULL, rule);
                } else
                        rule = NULL;
                gd_finding_act(x, GD_ACT_REBOOT, NULL);
        }
        gd_finding_remedy_append(x, "(now: echo 0 > /sys/bus/pci/devices/%s/d3cold_allowed). A device that "
                                    "already reads all ones comes back only after a host reboot; a firmware "
                                    "(BIOS/AGESA) update fixes some platforms.", first->address);
        if (gd_vendor_reset_find(gpu->vendor, gpu->device))
                gd_finding_remedy_append(x, "This AMD GPU has the reset bug (see reset.amd-bug): a failed reset "
                                            "is a common cause.");
}

void gd_check_power(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        _cleanup_free_ size_t *fail = NULL;
        size_t n_fail = 0, cap = 0;

        /* Classify the kernel log once, not once per GPU: with 100,000
         * records this scan was most of 'gpudiag explain' (bench/).  Every
         * failure record_is_failure() knows says "change power state", a
         * signal the reader keeps (GD_KMSG_POWER_STATE, matched as written:
         * "Refused to change ..." and "can't change ..." both hold it). */
        if (h->kmsg_state >= 0 && t->n > 0)
                for (size_t i = 0; i < h->kmsg.n_records; i++) {
                        if ((!gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_POWER_STATE) &&
                             !gd_kmsg_record_has(&h->kmsg.records[i], GD_KMSG_GIVING_UP)) ||
                            !record_is_failure(h->kmsg.records[i].text))
                                continue;
                        if (n_fail == cap) {
                                size_t *nf = reallocarray(fail, cap = cap ? cap * 2 : 16, sizeof(*fail));
                                if (!nf)
                                        return;
                                fail = nf;
                        }
                        fail[n_fail++] = i;
                }
        for (size_t i = 0; i < t->n; i++)
                check_target(h, &t->items[i], fail, n_fail, out);
}
