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
#include "checks/check.h"
#include "cli.h"
#include "host/pci.h"
#include "report/progress.h"

const char *cli_program(void) {
        return program_invocation_short_name;
}

/* Messages quote file names and bundle lines: the whole message goes out
 * escaped (base/escape.h); gpudiag's own messages have no control
 * characters to lose. */
_printf_(2, 0) static void message(const char *prefix, const char *fmt, va_list ap) {
        _cleanup_free_ char *msg = NULL;

        gd_progress_end_current();
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
                case 'f': {
                        bool known = false;

                        for (enum gd_format f = GD_FORMAT_TEXT; f <= GD_FORMAT_DOT && !known; f++)
                                if (streq(optarg, cli_format_name(f))) {
                                        o->format = f;
                                        known = true;
                                }
                        if (!known) {
                                cli_error("--format: unknown format '%s' (text, json, prometheus or dot)", optarg);
                                return -1;
                        }
                        break;
                }
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
        if (cli_parse_filter(o) < 0)
                return -1;
        return optind;
}

int cli_parse_filter(struct gd_host_opts *o) {
        switch (gd_pci_filter_parse(o->slot, o->ids, &o->filter)) {
        case 0:
                return 0;
        case -EINVAL:
                cli_error("-s: invalid slot '%s' (expected [[[[domain]:]bus]:][slot][.[func]])", o->slot);
                return -EINVAL;
        default:
                cli_error("-d: invalid ID '%s' (expected [vendor]:[device][:class])", o->ids);
                return -EINVAL;
        }
}

void cli_filter_targets(const struct gd_host_opts *o, struct gd_targets *t) {
        size_t keep = 0;

        if (!o->filter.active)
                return;
        for (size_t i = 0; i < t->n; i++) {
                bool match = false;

                for (size_t j = 0; j < t->items[i].n_functions && !match; j++)
                        match = gd_pci_filter_match(&o->filter, t->items[i].functions[j]);
                if (match) {
                        struct gd_target tmp = t->items[keep];
                        t->items[keep++] = t->items[i];
                        t->items[i] = tmp;
                }
        }
        for (size_t i = keep; i < t->n; i++)
                free(t->items[i].functions);
        t->n = keep;
}

const char *cli_format_name(enum gd_format f) {
        static const char *const names[] = {
                [GD_FORMAT_TEXT] = "text",
                [GD_FORMAT_JSON] = "json",
                [GD_FORMAT_PROMETHEUS] = "prometheus",
                [GD_FORMAT_DOT] = "dot",
                [GD_FORMAT_SH] = "sh",
        };
        return (size_t) f < ELEMENTSOF(names) ? names[f] : "?";
}

bool cli_format_offered(const char *cmd, enum gd_format f, const enum gd_format *offered, size_t n) {
        char list[64] = "";

        for (size_t i = 0; i < n; i++) {
                if (offered[i] == f)
                        return true;
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                         cli_format_name(offered[i]));
        }
        cli_error("%s: --format %s is not available here (%s)", cmd, cli_format_name(f), list);
        return false;
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

int cli_host_command_start(const char *name, int argc, char **argv, struct gd_host_opts *o, void (*usage)(void),
                           bool accepts_ids, const enum gd_format *offered, size_t n_offered) {
        bool help;
        int idx;

        idx = cli_parse_host_opts(argc, argv, o, usage, &help);
        if (idx < 0)
                return GD_EXIT_USAGE;
        if (help)
                return GD_EXIT_OK;
        if (idx < argc) {
                cli_error("%s: unexpected argument '%s'", name, argv[idx]);
                return GD_EXIT_USAGE;
        }
        if (o->ids && !accepts_ids) {
                cli_error("%s: -d is not supported; use -s to pick a card", name);
                return GD_EXIT_USAGE;
        }
        if (!cli_format_offered(name, o->format, offered, n_offered))
                return GD_EXIT_USAGE;
        return cli_replay_if_bundle(o, argc, argv);
}
