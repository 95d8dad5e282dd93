/* SPDX-License-Identifier: MIT */
/* gpudiag explain: a verdict per GPU with the findings behind it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checks/check.h"
#include "cli.h"
#include "host/host-read.h"
#include "report/explain.h"

static void usage(void) {
        printf("Usage: %s explain [OPTIONS]\n\n"
               "Say for each GPU whether it can be passed through to a VM (READY / NOT READY /\n"
               "UNKNOWN), with every finding's evidence and the remedy for this host.  Inside a VM\n"
               "the question is whether the VM can use its GPU; in a Xen dom0, whether Xen can\n"
               "assign it (the role is printed with its evidence; gpudiag(1) ROLES).\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]\n"
               "                              only the cards with a matching function (as lspci -s)\n"
               "  -f, --format text|json|prometheus\n"
               "                              output format (default text; prometheus for\n"
               "                              node_exporter's textfile collector)\n"
               "  -v, --verbose               show every evidence line\n"
               "      --color auto|always|never\n"
               "  -b, --bundle FILE           explain a collected bundle instead of this host\n"
               "  -R, --root DIR              read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 every GPU ready, 1 a GPU not ready or unknown (or no GPU),\n"
               "2 usage or bad input, 3 the host could not be read.\n", cli_program());
}

int cli_diagnose(const struct gd_host_opts *o, struct gd_host **ret_h, struct gd_targets *ret_t,
                 struct gd_findings *ret_f, long long *ret_collected) {
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };
        long long collected;
        int r;

        collected = cli_inside_replay() ? cli_bundle_created() : (long long) time(NULL);
        r = gd_host_read(GD_READ_ALL, &h);
        if (r < 0) {
                return cli_host_read_error(o->bundle, r);
        }
        r = gd_targets_find(h, NULL, &t);
        if (r < 0) {
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        cli_filter_targets(o, &t);
        if (o->slot && t.n == 0) {
                cli_error("no GPU has a function at '%s' (see 'gpudiag groups')", o->slot);
                gd_targets_clear(&t);
                return GD_EXIT_USAGE;
        }
        gd_checks_run(h, &t, &f);
        *ret_h = TAKE_PTR(h);
        *ret_t = t;
        *ret_f = f;
        *ret_collected = collected;
        return -1;
}

int cmd_explain(int argc, char **argv) {
        static const enum gd_format offered[] = { GD_FORMAT_TEXT, GD_FORMAT_JSON, GD_FORMAT_PROMETHEUS };
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };
        struct gd_report_opts ro;
        long long collected;
        bool all_ready;
        int r;

        r = cli_host_command_start("explain", argc, argv, &o, usage, false, offered, ELEMENTSOF(offered));
        if (r >= 0)
                return r;

        r = cli_diagnose(&o, &h, &t, &f, &collected);
        if (r >= 0)
                return r;

        ro = (struct gd_report_opts) { .verbose = o.verbose, .color = o.color };
        if (o.format == GD_FORMAT_JSON)
                r = gd_report_explain_json(stdout, h, &t, &f);
        else if (o.format == GD_FORMAT_PROMETHEUS)
                r = gd_report_explain_prometheus(stdout, &t, &f, collected);
        else {
                gd_report_explain_text(stdout, h, &t, &f, &ro);
                r = fflush(stdout) == 0 ? 0 : -EIO;
        }

        all_ready = t.n > 0;
        for (size_t i = 0; i < t.n; i++)
                if (gd_verdict_for(&t.items[i], &f) != GD_VERDICT_READY)
                        all_ready = false;
        gd_findings_clear(&f);
        gd_targets_clear(&t);
        if (r < 0) {
                cli_error("writing the report failed");
                return GD_EXIT_HOST;
        }
        return all_ready ? GD_EXIT_OK : GD_EXIT_NOT_READY;
}
