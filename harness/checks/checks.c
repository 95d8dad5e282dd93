/* SPDX-License-Identifier: MIT */
/* The table of checks, in the order a passthrough guide walks the steps. */
#include "families.h"

static const struct gd_check checks[] = {
        { "targets", gd_check_targets },
        { "iommu", gd_check_iommu },
        { "groups", gd_check_groups },
        { "drivers", gd_check_drivers },
        { "vfio", gd_check_vfio },
        { "boot", gd_check_boot },
        { "framebuffer", gd_check_framebuffer },
        { "reset", gd_check_reset },
        { "power", gd_check_power },
        { "vm", gd_check_vm },
        { "guest", gd_check_guest },
};

void gd_findings_filter_role(struct gd_findings *f) {
        size_t keep = 0;

        for (size_t i = 0; i < f->n; i++) {
                const struct gd_catalogue_entry *c = gd_catalogue_find(f->items[i].id);

                if (c && (c->roles & GD_ROLE_BIT(f->role))) {
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
        gd_findings_filter_role(out);
        gd_findings_sort(out);
}

/* Facts every verdict rests on: there is a GPU, and the PCI bus was read. */
void gd_check_targets(const struct gd_host *h, const struct gd_targets *t, struct gd_findings *out) {
        struct gd_finding *x;

        if (t->n > 0)
                return;
        x = gd_findings_add(out, "gpu.none", "no GPU (display-class PCI device) on this host");
        if (!x)
                return;
        gd_finding_evidence(x, "/sys/bus/pci/devices", 0, "%zu PCI devices, none of class 03xx", h->n_devs);
}
