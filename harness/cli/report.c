/* SPDX-License-Identifier: MIT */
/* gpudiag report [BUNDLE] [-o FILE]: explain's diagnosis as one
 * self-contained HTML page (report/html.c), of a bundle or of this host. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/hostpaths.h"
#include "checks/check.h"
#include "cli.h"
#include "config.h"
#include "report/html.h"

static void usage(void) {
        printf("Usage: %s report [BUNDLE] [OPTIONS]\n\n"
               "Write explain's verdicts, every finding with its evidence and remedy, and a\n"
               "picture of the PCI topology and IOMMU groups as one HTML page with nothing\n"
               "external (no script, no network), for attaching to a bug report.  Without\n"
               "BUNDLE, the page is about this host.\n\n"
               "  -o, --output FILE           write here (default: standard output)\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]\n"
               "                              only the cards with a matching function (as lspci -s)\n"
               "  -b, --bundle FILE           the same as BUNDLE\n"
               "  -R, --root DIR              read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 written, 2 usage, bad bundle or output error, 3 the host could\n"
               "not be read.\n", cli_program());
}

/* Into a temporary file beside path, renamed over it when complete: a
 * failed run leaves nothing behind, and never half a page. */
static int write_page(const char *path, const struct gd_host *h, const struct gd_targets *t,
                      const struct gd_findings *f, const struct gd_html_meta *m) {
        _cleanup_free_ char *tmp = NULL;
        FILE *out;
        int fd, r;

        if (!path || streq(path, "-")) {
                r = gd_report_html(stdout, h, t, f, m);
                return r;
        }
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        out = fdopen(fd, "w");
        if (!out) {
                r = -errno;
                close(fd);
                unlink(tmp);
                return r;
        }
        r = gd_report_html(out, h, t, f, m);
        if (fchmod(fd, 0644) < 0 && r == 0)
                r = -errno;
        if (fclose(out) != 0 && r == 0)
                r = -EIO;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

int cmd_report(int argc, char **argv) {
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "slot",   required_argument, NULL, 's' },
                { "bundle", required_argument, NULL, 'b' },
                { "root",   required_argument, NULL, 'R' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        struct gd_host_opts o = { 0 };
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };
        struct gd_html_meta m;
        const char *output = NULL;
        long long collected;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "o:s:b:R:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o': output = optarg; break;
                case 's': o.slot = optarg; break;
                case 'b': o.bundle = optarg; break;
                case 'R': o.root = optarg; break;
                case 'h':
                        usage();
                        return GD_EXIT_OK;
                default:
                        if (optopt && strchr("osbR", optopt))
                                cli_error("report: option '-%c' needs an argument", optopt);
                        else
                                cli_error("report: unknown option '%s'", argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                if (o.bundle) {
                        cli_error("report: a bundle is given twice ('%s' and '%s')", o.bundle, argv[optind]);
                        return GD_EXIT_USAGE;
                }
                o.bundle = argv[optind++];
        }
        if (optind < argc) {
                cli_error("report: unexpected argument '%s'", argv[optind]);
                return GD_EXIT_USAGE;
        }
        if (output && !*output) {
                cli_error("report: empty output file name");
                return GD_EXIT_USAGE;
        }
        if (cli_parse_filter(&o) < 0)
                return GD_EXIT_USAGE;
        if (o.root && !o.bundle)
                gd_config_root_set(o.root);
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));

        r = cli_replay_if_bundle(&o, argc, argv);
        if (r >= 0)
                return r;
        r = cli_diagnose(&o, &h, &t, &f, &collected);
        if (r >= 0)
                return r;

        m = (struct gd_html_meta) {
                .version = GPUDIAG_VERSION,
                .bundle = cli_bundle_info("NAME"),
                .created = cli_bundle_info("CREATED"),
                .origin = cli_bundle_info("ORIGIN"),
                .source = cli_bundle_info("SOURCE"),
                .generated = (long long) time(NULL),
        };
        r = write_page(output, h, &t, &f, &m);
        gd_findings_clear(&f);
        gd_targets_clear(&t);
        if (r < 0) {
                cli_error("report: cannot write %s: %s", output && !streq(output, "-") ? output : "standard output",
                          strerror(-r));
                return GD_EXIT_USAGE;
        }
        return GD_EXIT_OK;
}
