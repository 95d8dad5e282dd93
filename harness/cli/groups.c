/* SPDX-License-Identifier: MIT */
/* gpudiag groups: the passthrough guide's IOMMU group loop, done right:
 * groups in numeric order, every device with its IDs and driver, devices
 * outside any group listed too, and a plain statement when there are no
 * groups at all. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "cli.h"
#include "host/host-read.h"
#include "report/emit.h"
#include "report/devices.h"

static void usage(void) {
        printf("Usage: %s groups [OPTIONS]\n\n"
               "List IOMMU groups and the PCI devices in each, with IDs and the driver in use.\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]  only matching devices (as lspci -s)\n"
               "  -d, --ids [VENDOR]:[DEVICE][:CLASS]           only matching devices (as lspci -d)\n"
               "  -f, --format text|json                        output format (default text)\n"
               "  -b, --bundle FILE                             read a collected bundle instead of this host\n"
               "  -R, --root DIR                                read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                                    show this help\n", cli_program());
}

static void print_device_line(const struct gd_pci_dev *d) {
        char line[512];

        /* Names and the driver come from the host or the bundle: escaped
         * (base/escape.h). */
        gd_device_format_line(d, line, sizeof(line));
        fputc('\t', stdout);
        escape_fputs(line, stdout);
        if (d->driver_known != TRI_YES)
                printf(" (driver: unknown)\n");
        else if (d->driver) {
                printf(" (driver: ");
                escape_fputs(d->driver, stdout);
                printf(")\n");
        } else
                printf(" (no driver)\n");
}

static void print_text(const struct gd_host *h, const struct gd_host_opts *o) {
        bool any_ungrouped = false;

        if (h->n_groups == 0) {
                printf("No IOMMU groups: the IOMMU is not enabled (%s).\n"
                       "Run 'gpudiag explain' for the reason and the fix.\n\n",
                       h->groups_state == -ENOENT ? "/sys/kernel/iommu_groups does not exist" :
                       h->groups_state < 0 ? "/sys/kernel/iommu_groups could not be read" :
                       "/sys/kernel/iommu_groups is empty");
                printf("PCI devices:\n");
                for (size_t i = 0; i < h->n_devs; i++)
                        if (cli_filter_match(o, &h->devs[i]))
                                print_device_line(&h->devs[i]);
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
                        if (d ? !cli_filter_match(o, d) : (o->slot || o->ids))
                                continue;
                        if (!header) {
                                _cleanup_escape_pool_ struct escape_pool p = {};

                                printf("IOMMU Group %d%s%s%s:\n", grp->id, grp->type ? " (" : "",
                                       grp->type ? escape_in(&p, grp->type) : "", grp->type ? ")" : "");
                                header = true;
                        }
                        if (d)
                                print_device_line(d);
                        else {
                                fputc('\t', stdout);
                                escape_fputs(grp->devices[i], stdout);
                                printf(" (not on the PCI bus: /sys/bus/pci/devices has no such device)\n");
                        }
                }
        }
        for (size_t i = 0; i < h->n_devs; i++) {
                const struct gd_pci_dev *d = &h->devs[i];
                if (d->iommu_group != GD_GROUP_NONE || !cli_filter_match(o, d))
                        continue;
                if (!any_ungrouped)
                        printf("Not in any IOMMU group:\n");
                any_ungrouped = true;
                print_device_line(d);
        }
}

static int print_json(const struct gd_host *h, const struct gd_host_opts *o) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(stdout, GD_EMIT_JSON);

        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (size_t g = 0; g < h->n_groups; g++) {
                const struct gd_iommu_group *grp = &h->groups[g];
                bool match = !o->slot && !o->ids;

                for (size_t i = 0; !match && grp->devices && grp->devices[i]; i++) {
                        const struct gd_pci_dev *d = gd_host_find_dev(h, grp->devices[i]);
                        match = d && cli_filter_match(o, d);
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
        gd_emit_kv_str(e, "iommu_groups_state",
                       h->n_groups > 0 ? "present" : h->groups_state == -ENOENT ? "missing" :
                       h->groups_state < 0 ? "unreadable" : "empty");
        gd_emit_key(e, "devices");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < h->n_devs; i++)
                if (cli_filter_match(o, &h->devs[i]))
                        gd_device_emit(e, &h->devs[i]);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}

int cmd_groups(int argc, char **argv) {
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        bool help;
        int r, idx;

        idx = cli_parse_host_opts(argc, argv, &o, usage, &help);
        if (idx < 0)
                return GD_EXIT_USAGE;
        if (help)
                return GD_EXIT_OK;
        if (idx < argc) {
                cli_error("groups: unexpected argument '%s'", argv[idx]);
                return GD_EXIT_USAGE;
        }
        r = cli_replay_if_bundle(&o, argc, argv);
        if (r >= 0)
                return r;

        /* The JSON lists every device's power, reset and ACS facts; the
         * text shows none of them. */
        r = gd_host_read(GD_READ_PCI | GD_READ_IOMMU | (o.format == GD_FORMAT_JSON ? GD_READ_EVERY_DEVICE : 0), &h);
        if (r < 0) {
                return cli_host_read_error(o.bundle, r);
        }
        if (o.format == GD_FORMAT_JSON) {
                if (print_json(h, &o) < 0) {
                        cli_error("writing JSON failed");
                        return GD_EXIT_HOST;
                }
        } else
                print_text(h, &o);
        return GD_EXIT_OK;
}
