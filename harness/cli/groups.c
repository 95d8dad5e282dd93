/* SPDX-License-Identifier: MIT */
/* gpudiag groups: reads the IOMMU groups and their devices; the listing
 * itself is report/groups.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "host/host-read.h"
#include "report/groups.h"
#include "report/topology.h"

static void usage(void) {
        printf("Usage: %s groups [OPTIONS]\n\n"
               "List IOMMU groups and the PCI devices in each, with IDs and the driver in use.\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]  only matching devices (as lspci -s)\n"
               "  -d, --ids [VENDOR]:[DEVICE][:CLASS]           only matching devices (as lspci -d)\n"
               "  -f, --format text|json|dot                    output format (default text; dot: the\n"
               "                                                topology for Graphviz, groups as clusters)\n"
               "  -b, --bundle FILE                             read a collected bundle instead of this host\n"
               "  -R, --root DIR                                read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                                    show this help\n", cli_program());
}

static int print_dot(const struct gd_host *h, const struct gd_host_opts *o) {
        _cleanup_free_ bool *selected = NULL;

        if (o->filter.active) {
                selected = calloc(h->n_devs ? h->n_devs : 1, sizeof(*selected));
                if (!selected)
                        return -ENOMEM;
                for (size_t i = 0; i < h->n_devs; i++)
                        selected[i] = gd_pci_filter_match(&o->filter, &h->devs[i]);
        }
        return gd_report_groups_dot(stdout, h, selected);
}

int cmd_groups(int argc, char **argv) {
        static const enum gd_format offered[] = { GD_FORMAT_TEXT, GD_FORMAT_JSON, GD_FORMAT_DOT };
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        int r;

        r = cli_host_command_start("groups", argc, argv, &o, usage, true, offered, ELEMENTSOF(offered));
        if (r >= 0)
                return r;

        /* The JSON lists every device's power, reset and ACS facts; the
         * text shows none of them. */
        r = gd_host_read(GD_READ_PCI | GD_READ_IOMMU | (o.format == GD_FORMAT_JSON ? GD_READ_EVERY_DEVICE : 0), &h);
        if (r < 0) {
                return cli_host_read_error(o.bundle, r);
        }
        if (o.format == GD_FORMAT_JSON) {
                if (gd_report_groups_json(stdout, h, &o.filter) < 0) {
                        cli_error("writing JSON failed");
                        return GD_EXIT_HOST;
                }
        } else if (o.format == GD_FORMAT_DOT) {
                if (print_dot(h, &o) < 0) {
                        cli_error("writing the graph failed");
                        return GD_EXIT_HOST;
                }
        } else
                gd_report_groups_text(stdout, h, &o.filter);
        return GD_EXIT_OK;
}
