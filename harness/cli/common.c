/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/hostpaths.h"
#include "cli.h"
#include "host/pci.h"

const char *cli_program(void) {
        return program_invocation_short_name;
}

/* Messages quote file names and bundle lines: the whole message goes out
 * escaped (base/escape.h); gpudiag's own messages have no control
 * characters to lose. */
_printf_(2, 0) static void message(const char *prefix, const char *fmt, va_list ap) {
        _cleanup_free_ char *msg = NULL;

        fprintf(stderr, "%s: %s", cli_program(), prefix);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        escape_fputs(msg ? msg : "out of memory", stderr);
        fputc('\n', stderr);
}

void cli_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        message("", fmt, ap);
        va_end(ap);
}

void cli_warning(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        message("warning: ", fmt, ap);
        va_end(ap);
}

int cli_parse_host_opts(int argc, char **argv, struct gd_host_opts *o, void (*usage)(void), bool *ret_help) {
        static const struct option longopts[] = {
                { "bundle",  required_argument, NULL, 'b' },
                { "root",    required_argument, NULL, 'R' },
                { "format",  required_argument, NULL, 'f' },
                { "json",    no_argument,       NULL, 'j' },
                { "slot",    required_argument, NULL, 's' },
                { "ids",     required_argument, NULL, 'd' },
                { "verbose", no_argument,       NULL, 'v' },
                { "color",   required_argument, NULL, 'C' },
                { "help",    no_argument,       NULL, 'h' },
                {}
        };
        const char *color = "auto";
        int c;

        *ret_help = false;
        o->format = GD_FORMAT_TEXT;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+b:R:f:js:d:vh", longopts, NULL)) != -1) {
                switch (c) {
                case 'b': o->bundle = optarg; break;
                case 'R': o->root = optarg; break;
                case 'j': o->format = GD_FORMAT_JSON; break;
                case 'f':
                        if (streq(optarg, "json"))
                                o->format = GD_FORMAT_JSON;
                        else if (streq(optarg, "text"))
                                o->format = GD_FORMAT_TEXT;
                        else {
                                cli_error("--format: unknown format '%s' (text or json)", optarg);
                                return -1;
                        }
                        break;
                case 's': o->slot = optarg; break;
                case 'd': o->ids = optarg; break;
                case 'v': o->verbose = true; break;
                case 'C': color = optarg; break;
                case 'h':
                        usage();
                        *ret_help = true;
                        return optind;
                case '?':
                default:
                        if (optopt && strchr("bRfsdC", optopt))
                                cli_error("option '-%c' needs an argument", optopt);
                        else if (optopt)
                                cli_error("unknown option '-%c'", optopt);
                        else
                                cli_error("unknown option '%s'", argv[optind - 1]);
                        return -1;
                }
        }
        if (streq(color, "always"))
                o->color = true;
        else if (streq(color, "never"))
                o->color = false;
        else if (streq(color, "auto"))
                o->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        else {
                cli_error("--color: expected auto, always or never, not '%s'", color);
                return -1;
        }
        if (o->root && !o->bundle)
                gd_config_root_set(o->root);
        /* Inside a replay testbed the parent tells us where /etc lives. */
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));
        if (cli_filter_check(o) < 0)
                return -1;
        return optind;
}

void cli_format_name(const struct gd_pci_dev *d, char *buf, size_t size) {
        snprintf(buf, size, "%s %s", d->vendor_name ? d->vendor_name : "Unknown vendor",
                 d->device_name ? d->device_name : "Unknown device");
}

int cli_host_read_error(const char *bundle, int r) {
        char what[160];

        if (r == -E2BIG)
                snprintf(what, sizeof(what), "/sys/bus/pci/devices lists more than %d PCI functions; gpudiag reads "
                         "no further (no real host has that many)", GD_MAX_DEVICES);
        else
                snprintf(what, sizeof(what), "cannot read PCI devices from /sys/bus/pci/devices: %s", strerror(-r));
        /* A replayed host is made only of the bundle: what cannot be read
         * there is the bundle's fault, bad input (status 2). */
        if (bundle && cli_inside_replay()) {
                cli_error("%s: the recorded host cannot be read: %s", bundle, what);
                return GD_EXIT_USAGE;
        }
        cli_error("%s", what);
        return GD_EXIT_HOST;
}
