/* SPDX-License-Identifier: MIT */
/* gpudiag groups: reads the IOMMU groups and their devices; the listing
 * itself is report/groups.c.  With --predict, the groups the kernel will
 * form (harness/predict/), rendered by report/groups-predict.c. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "cli.h"
#include "host/host-read.h"
#include "predict/predict.h"
#include "report/groups.h"
#include "report/topology.h"

static void usage(void) {
        printf("Usage: %s groups [OPTIONS]\n\n"
               "List IOMMU groups and the PCI devices in each, with IDs and the driver in use.\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]  only matching devices (as lspci -s)\n"
               "  -d, --ids [VENDOR]:[DEVICE][:CLASS]           only matching devices (as lspci -d)\n"
               "  -f, --format text|json|dot                    output format (default text; dot: the\n"
               "                                                topology for Graphviz, groups as clusters)\n"
               "  -p, --predict                                 the groups the kernel will form once the IOMMU\n"
               "                                                is on (pci_device_group() replayed), each merge\n"
               "                                                with its reason; with real groups, the difference\n"
               "      --acs-override=downstream|multifunction|id:VVVV:DDDD[,...]\n"
               "                                                predict as if pcie_acs_override= were on the\n"
               "                                                command line (implies --predict)\n"
               "      --move DEVICE=PORT                        what-if: the card at DEVICE behind the bridge\n"
               "                                                PORT instead (repeatable; implies --predict)\n"
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

/* The options only groups has, taken out of argv before the shared
 * parser sees the rest (the saved argv, with them, is what a --bundle
 * replay runs again). */
struct predict_args {
        bool predict;
        const char *acs_override;
        struct gd_predict_move moves[16];
        size_t n_moves;
};

/* "0b:00.0" or "0000:0b:00.0" into the model's form; false when it is
 * neither. */
static bool normalize_address(const char *s, size_t len, char ret[static GD_ADDR_LEN]) {
        if (len != 7 && len != 12)
                return false;
        snprintf(ret, GD_ADDR_LEN, "%s%.*s", len == 7 ? "0000:" : "", (int) len, s);
        for (char *c = ret; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        return gd_pci_address_valid(ret);
}

static int parse_move(const char *arg, struct predict_args *a) {
        const char *eq = strchr(arg, '=');
        struct gd_predict_move *m;

        if (a->n_moves == ELEMENTSOF(a->moves)) {
                cli_error("--move: at most %zu moves", ELEMENTSOF(a->moves));
                return -1;
        }
        m = &a->moves[a->n_moves];
        if (!eq || !normalize_address(arg, (size_t) (eq - arg), m->device) ||
            !normalize_address(eq + 1, strlen(eq + 1), m->port)) {
                cli_error("--move: expected DEVICE=PORT as PCI addresses (0000:0b:00.0=0000:00:01.1), not '%s'", arg);
                return -1;
        }
        a->n_moves++;
        return 0;
}

/* Copies argv without groups' own options into rest (argc + 1 slots; the
 * saved argv a --bundle replay runs again is the original, untouched);
 * *ret_n the count left. */
static int take_predict_args(int argc, char **argv, char **rest, int *ret_n, struct predict_args *a) {
        int out = 0;

        if (argc > 0)
                rest[out++] = argv[0];
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i], *val = NULL;

                if (streq(s, "--")) {
                        while (i < argc)
                                rest[out++] = argv[i++];
                        break;
                }
                if (streq(s, "--predict") || streq(s, "-p")) {
                        a->predict = true;
                        continue;
                }
                if (startswith(s, "--acs-override") || startswith(s, "--move")) {
                        bool ov = startswith(s, "--acs-override");
                        const char *tail = s + strlen(ov ? "--acs-override" : "--move");

                        if (*tail == '=')
                                val = tail + 1;
                        else if (*tail == '\0' && i + 1 < argc)
                                val = argv[++i];
                        else if (*tail != '\0') {
                                rest[out++] = argv[i];
                                continue;
                        } else {
                                cli_error("option '%s' needs an argument", s);
                                return -1;
                        }
                        a->predict = true;
                        if (ov)
                                a->acs_override = val;
                        else if (parse_move(val, a) < 0)
                                return -1;
                        continue;
                }
                rest[out++] = argv[i];
        }
        rest[out] = NULL;
        *ret_n = out;
        return 0;
}

static int print_prediction(const struct gd_host *h, const struct gd_host_opts *o, const struct predict_args *a) {
        _cleanup_prediction_ struct gd_prediction *p = NULL;
        _cleanup_group_diff_ struct gd_group_diff *diff = NULL;
        _cleanup_free_ char *error = NULL;
        struct gd_predict_options po;
        int r;

        if (a->acs_override && gd_acs_override_check(a->acs_override, &error) < 0) {
                cli_error("--acs-override: %s", error ? error : "invalid");
                return GD_EXIT_USAGE;
        }
        gd_predict_options_from_host(h, &po);
        if (a->acs_override)
                po.acs_override = a->acs_override;
        po.moves = a->moves;
        po.n_moves = a->n_moves;
        r = gd_predict_groups(h, &po, &p, &error);
        if (r == -EINVAL) {
                cli_error("--predict: %s", error ? error : "invalid options");
                return GD_EXIT_USAGE;
        }
        /* A moved card changes the topology the real groups were formed
         * on: there is nothing to compare it with. */
        if (r >= 0 && h->n_groups > 0 && a->n_moves == 0)
                r = gd_prediction_diff(h, p, &diff);
        if (r < 0) {
                cli_error("predicting the groups failed: %s", strerror(-r));
                return GD_EXIT_HOST;
        }
        if (o->format == GD_FORMAT_JSON) {
                if (gd_report_predicted_groups_json(stdout, h, &po, p, diff, &o->filter) < 0) {
                        cli_error("writing JSON failed");
                        return GD_EXIT_HOST;
                }
        } else
                gd_report_predicted_groups_text(stdout, h, &po, p, diff, &o->filter);
        return GD_EXIT_OK;
}

int cmd_groups(int argc, char **argv) {
        static const enum gd_format offered[] = { GD_FORMAT_TEXT, GD_FORMAT_JSON, GD_FORMAT_DOT };
        static const enum gd_format offered_predict[] = { GD_FORMAT_TEXT, GD_FORMAT_JSON };
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        _cleanup_free_ char **rest = calloc((size_t) argc + 1, sizeof(*rest));
        struct predict_args a = { 0 };
        int n, r;

        if (!rest)
                return GD_EXIT_HOST;
        if (take_predict_args(argc, argv, rest, &n, &a) < 0)
                return GD_EXIT_USAGE;
        r = a.predict ? cli_host_command_start("groups --predict", n, rest, &o, usage, true, offered_predict,
                                               ELEMENTSOF(offered_predict))
                      : cli_host_command_start("groups", n, rest, &o, usage, true, offered, ELEMENTSOF(offered));
        if (r >= 0)
                return r;

        /* The prediction reads every device's PCIe and ACS facts, the
         * kernel release and command line (overrides), and ACPI IVRS. */
        if (a.predict) {
                r = gd_host_read(GD_READ_PCI | GD_READ_IOMMU | GD_READ_KERNEL | GD_READ_PLATFORM |
                                 GD_READ_EVERY_DEVICE, &h);
                if (r < 0)
                        return cli_host_read_error(o.bundle, r);
                return print_prediction(h, &o, &a);
        }

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
