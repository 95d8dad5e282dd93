/* SPDX-License-Identifier: MIT */
/* gpudiag groups, rendered: the passthrough guide's IOMMU group loop, done
 * right: groups in numeric order, every device with its IDs and driver,
 * devices outside any group listed too, and a plain statement when there
 * are no groups at all. */
#include <errno.h>
#include <stdio.h>

#include "base/emit.h"
#include "base/escape.h"
#include "report/devices.h"
#include "report/groups.h"

static void device_line(FILE *out, const struct gd_pci_dev *d) {
        char line[512];

        /* Names and the driver come from the host or the bundle: escaped
         * (base/escape.h). */
        gd_device_format_line(d, line, sizeof(line));
        fputc('\t', out);
        escape_fputs(line, out);
        if (d->driver_known != TRI_YES)
                fprintf(out, " (driver: unknown)\n");
        else if (d->driver) {
                fputs(" (driver: ", out);
                escape_fputs(d->driver, out);
                fputs(")\n", out);
        } else
                fprintf(out, " (no driver)\n");
}

static const char *groups_state(const struct gd_host *h) {
        return h->n_groups > 0 ? "present" : h->groups_state == -ENOENT ? "missing" :
               h->groups_state < 0 ? "unreadable" : "empty";
}

void gd_report_groups_text(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f) {
        bool any_ungrouped = false;

        if (h->n_groups == 0) {
                if (h->groups_state < 0 && h->groups_state != -ENOENT)
                        /* Unknown is not "off". */
                        fprintf(out, "IOMMU groups unknown: %s.\n\n",
                                h->imported ? "not in the pasted text (paste the output of "
                                              "`find /sys/kernel/iommu_groups/ -type l`)"
                                            : "/sys/kernel/iommu_groups could not be read");
                else
                        fprintf(out, "No IOMMU groups: the IOMMU is not enabled (%s).\n"
                                     "Run 'gpudiag explain' for the reason and the fix.\n\n",
                                h->groups_state == -ENOENT ? "/sys/kernel/iommu_groups does not exist"
                                                           : "/sys/kernel/iommu_groups is empty");
                fprintf(out, "PCI devices:\n");
                for (size_t i = 0; i < h->n_devs; i++)
                        if (gd_pci_filter_match(f, &h->devs[i]))
                                device_line(out, &h->devs[i]);
                return;
        }

        for (size_t g = 0; g < h->n_groups; g++) {
                const struct gd_iommu_group *grp = &h->groups[g];
                bool header = false;

                for (size_t i = 0; grp->devices && grp->devices[i]; i++) {
                        const struct gd_pci_dev *d = gd_host_find_dev(h, grp->devices[i]);
                        /* A group link to a device libpci does not list (a
                         * dangling link, a device removed meanwhile) is shown,
                         * not dropped: it still counts against the group. */
                        if (d ? !gd_pci_filter_match(f, d) : f->active)
                                continue;
                        if (!header) {
                                _cleanup_escape_pool_ struct escape_pool p = {};

                                fprintf(out, "IOMMU Group %d%s%s%s:\n", grp->id, grp->type ? " (" : "",
                                        grp->type ? escape_in(&p, grp->type) : "", grp->type ? ")" : "");
                                header = true;
                        }
                        if (d)
                                device_line(out, d);
                        else {
                                fputc('\t', out);
                                escape_fputs(grp->devices[i], out);
                                fputs(" (not on the PCI bus: /sys/bus/pci/devices has no such device)\n", out);
                        }
                }
        }
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                if (d->iommu_group != GD_GROUP_NONE || !gd_pci_filter_match(f, d))
                        continue;
                if (!any_ungrouped)
                        fprintf(out, "Not in any IOMMU group:\n");
                any_ungrouped = true;
                device_line(out, d);
        }
}

int gd_report_groups_json(FILE *out, const struct gd_host *h, const struct gd_pci_filter *f) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(out, GD_EMIT_JSON);

        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (size_t g = 0; g < h->n_groups; g++) {
                const struct gd_iommu_group *grp = &h->groups[g];
                bool match = !f->active;

                for (size_t i = 0; !match && grp->devices && grp->devices[i]; i++) {
                        const struct gd_pci_dev *d = gd_host_find_dev(h, grp->devices[i]);
                        match = d && gd_pci_filter_match(f, d);
                }
                if (!match)
                        continue;
                gd_emit_map_begin(e);
                gd_emit_kv_int(e, "group", grp->id);
                gd_emit_kv_str(e, "type", grp->type);
                gd_emit_key(e, "devices");
                gd_emit_seq_begin(e);
                for (size_t i = 0; grp->devices && grp->devices[i]; i++)
                        gd_emit_str(e, grp->devices[i]);
                gd_emit_seq_end(e);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "iommu_groups_state", groups_state(h));
        gd_emit_key(e, "devices");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < h->n_devs; i++)
                if (gd_pci_filter_match(f, &h->devs[i]))
                        gd_device_emit(e, &h->devs[i]);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}
