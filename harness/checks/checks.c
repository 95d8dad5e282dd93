/* SPDX-License-Identifier: MIT */
/* The table of checks, in the order a passthrough guide walks the steps. */
#include "families.h"

static const struct gd_check checks[] = {
        { "targets", gd_check_targets },
        { "iommu", gd_check_iommu },
        { "groups", gd_check_groups },
        { "groups-predict", gd_check_groups_predict },
        { "drivers", gd_check_drivers },
        { "vfio", gd_check_vfio },
        { "boot", gd_check_boot },
        { "framebuffer", gd_check_framebuffer },
        { "reset", gd_check_reset },
        { "power", gd_check_power },
        { "vm", gd_check_vm },
        { "guest", gd_check_guest },
        { "aer", gd_check_aer },
        { "rom", gd_check_rom },
        /* Last: a tool's message adds evidence to what the host's files showed. */
        { "tools", gd_check_tools },
};

/* In a guest with a vIOMMU both the host's and the guest's rules run; a
 * finding about cards whose question is the other one's is dropped: the
 * guest's own GPU on i915 is not "host-bound". */
static bool fits_targets(const struct gd_finding *x, const struct gd_catalogue_entry *c, const struct gd_targets *t) {
        bool about = false;

        for (size_t i = 0; t && i < t->n; i++)
                for (size_t j = 0; j < t->items[i].n_functions; j++)
                        if (gd_finding_has_subject(x, t->items[i].functions[j]->address)) {
                                if (c->roles & GD_ROLE_BIT(gd_question_role(t->items[i].question)))
                                        return true;
                                about = true;
                        }
        return !about;
}

void gd_findings_filter_role(struct gd_findings *f, const struct gd_targets *t) {
        size_t keep = 0;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_catalogue_entry *c = gd_catalogue_find(f->items[i].id);

                if (c && (c->roles & GD_ROLE_BIT(f->role)) &&
                    (f->role != GD_ROLE_GUEST_VIOMMU || fits_targets(&f->items[i], c, t))) {
                        f->items[keep++] = f->items[i];
                        continue;
                }
                /* A rule that does not apply where gpudiag runs: a guest is
                 * not told to bind its GPU to vfio-pci. */
                gd_finding_clear(&f->items[i]);
        }
        f->n = keep;
}

void gd_checks_run(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        out->role = gd_role_of(h);
        for (size_t i = 0; i < ELEMENTSOF(checks); i++)
                checks[i].run(h, t, out);
        gd_findings_filter_role(out, t);
        gd_findings_sort(out);
}

/* Facts every verdict rests on: there is a GPU, and the PCI bus was read. */
void gd_check_targets(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        struct gd_finding *x;
        size_t unknown = 0;

        if (t->n > 0)
                return;

        for (size_t i = 0; i < h->n_devs; i++)
                unknown += h->devs[i].class_unknown;
        x = gd_findings_add(out, "gpu.none", "no GPU (display-class PCI device) %s",
                            h->imported ? "in the pasted text" : "on this host");
        if (!x)
                return;
        gd_finding_evidence(x, "/sys/bus/pci/devices", 0, "%zu PCI devices, none of class 03xx", h->n_devs);
        /* Devices whose class a paste did not show may be the GPU. */
        if (unknown)
                gd_finding_remedy(x, "The class of %zu device%s is not in the pasted text; paste the output of "
                                     "`lspci -nnk` to show which is the GPU.", unknown, unknown > 1 ? "s" : "");
}
