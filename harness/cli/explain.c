/* SPDX-License-Identifier: MIT */
/* gpudiag explain: a verdict per GPU with the findings behind it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checks/check.h"
#include "cli.h"
#include "host/host-read.h"
#include "report/explain.h"

static void usage(void) {
        printf("Usage: %s explain [OPTIONS]\n\n"
               "Say for each GPU whether it can be passed through to a VM (READY / NOT READY /\n"
               "UNKNOWN), with every finding's evidence and the remedy for this host.\n\n"
               "  -s, --slot BDF              only the card with a function at this address\n"
               "  -f, --format text|json      output format (default text)\n"
               "  -v, --verbose               show every evidence line\n"
               "      --color auto|always|never\n"
               "  -b, --bundle FILE           explain a collected bundle instead of this host\n"
               "  -R, --root DIR              read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 every GPU ready, 1 a GPU not ready or unknown (or no GPU),\n"
               "2 usage or bad input, 3 the host could not be read.\n", cli_program());
}

int cmd_explain(int argc, char **argv) {
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };
        struct gd_report_opts ro;
        bool help, all_ready;
        int r, idx;

        idx = cli_parse_host_opts(argc, argv, &o, usage, &help);
        if (idx < 0)
                return GD_EXIT_USAGE;
        if (help)
                return GD_EXIT_OK;
        if (idx < argc) {
                cli_error("explain: unexpected argument '%s'", argv[idx]);
                return GD_EXIT_USAGE;
        }
        if (o.ids) {
                cli_error("explain: -d is not supported; use -s to pick a card");
                return GD_EXIT_USAGE;
        }
        r = cli_replay_if_bundle(&o, argc, argv);
        if (r >= 0)
                return r;

        r = gd_host_read(GD_READ_ALL, &h);
        if (r < 0) {
                return cli_host_read_error(o.bundle, r);
        }
        r = gd_targets_find(h, o.slot, &t);
        if (r < 0) {
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        if (o.slot && t.n == 0) {
                cli_error("no GPU has a function at '%s' (see 'gpudiag groups')", o.slot);
                gd_targets_clear(&t);
                return GD_EXIT_USAGE;
        }
        gd_checks_run(h, &t, &f);

        ro = (struct gd_report_opts) { .verbose = o.verbose, .color = o.color };
        if (o.format == GD_FORMAT_JSON)
                r = gd_report_explain_json(stdout, h, &t, &f);
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
