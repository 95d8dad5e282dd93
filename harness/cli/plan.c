/* SPDX-License-Identifier: MIT */
/* gpudiag plan: the ordered steps that take the chosen GPUs to READY on
 * this host (plan/plan.h), as text, JSON or a shell script.  Also the
 * start that gpudiag apply shares: options, reading the host, the checks,
 * the plan. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hostpaths.h"
#include "base/strv.h"
#include "cli.h"
#include "cli-plan.h"
#include "host/host-read.h"
#include "report/plan.h"

static void usage(void) {
        printf("Usage: %s plan [OPTIONS]\n\n"
               "The ordered steps that take the chosen GPU(s) to READY on this host: firmware\n"
               "settings, the kernel command line, vfio-pci binding and module configuration,\n"
               "the initramfs, the boot loader, the reboot, and what to verify after.  Every\n"
               "file edit is an exact diff against the file as it is now.\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]\n"
               "                              the card to plan for (as lspci -s); default: the\n"
               "                              cards already meant for a VM, or the only GPU\n"
               "  -f, --format text|json|sh   output format (default text; sh: a script to review)\n"
               "      --bootloader NAME       answer the boot loader question: %s\n"
               "      --initramfs-tool NAME   answer the initramfs question: %s\n"
               "      --color auto|always|never\n"
               "  -b, --bundle FILE           plan for a collected bundle instead of this host\n"
               "  -R, --root DIR              read /etc, /boot, /lib/modules below DIR\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 nothing to change, 1 the plan has steps or questions, 2 usage,\n"
               "bad input or a plan that contradicts itself, 3 the host could not be read.\n",
               cli_program(), gd_plan_bootloader_choices(), gd_plan_initramfs_choices());
}

enum {
        OPT_BOOTLOADER = 0x100,
        OPT_INITRAMFS,
        OPT_COLOR,
        OPT_YES,
        OPT_JOURNAL,
        OPT_COMMANDS,
        OPT_UNBIND_CONSOLE,
};

int cli_plan_parse(const char *cmd, int argc, char **argv, struct cli_plan_opts *o, void (*usage_fn)(void),
                   bool is_apply) {
        static const struct option longopts[] = {
                { "slot",           required_argument, NULL, 's' },
                { "format",         required_argument, NULL, 'f' },
                { "bundle",         required_argument, NULL, 'b' },
                { "root",           required_argument, NULL, 'R' },
                { "bootloader",     required_argument, NULL, OPT_BOOTLOADER },
                { "initramfs-tool", required_argument, NULL, OPT_INITRAMFS },
                { "color",          required_argument, NULL, OPT_COLOR },
                { "yes",            no_argument,       NULL, OPT_YES },
                { "journal",        required_argument, NULL, OPT_JOURNAL },
                { "commands",       required_argument, NULL, OPT_COMMANDS },
                { "unbind-console", no_argument,       NULL, OPT_UNBIND_CONSOLE },
                { "help",           no_argument,       NULL, 'h' },
                {}
        };
        const char *color = "auto", *format = "text";
        int c;

        *o = (struct cli_plan_opts) { .commands = -1 };
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+s:f:b:R:yh", longopts, NULL)) != -1) {
                bool apply_only = c == 'y' || c == OPT_YES || c == OPT_JOURNAL || c == OPT_COMMANDS ||
                                  c == OPT_UNBIND_CONSOLE;
                if (apply_only && !is_apply) {
                        cli_error("%s: unknown option '%s'", cmd, argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
                switch (c) {
                case 's': o->host.slot = optarg; break;
                case 'f': format = optarg; break;
                case 'b': o->host.bundle = optarg; break;
                case 'R': o->host.root = optarg; break;
                case 'y':
                case OPT_YES: o->yes = true; break;
                case OPT_JOURNAL: o->journal = optarg; break;
                case OPT_UNBIND_CONSOLE: o->unbind_console = true; break;
                case OPT_COMMANDS:
                        if (streq(optarg, "run"))
                                o->commands = 1;
                        else if (streq(optarg, "skip"))
                                o->commands = 0;
                        else {
                                cli_error("%s: --commands: expected run or skip, not '%s'", cmd, optarg);
                                return GD_EXIT_USAGE;
                        }
                        break;
                case OPT_BOOTLOADER:
                        if (gd_plan_answer_bootloader(optarg, &o->answers) < 0) {
                                cli_error("%s: --bootloader: unknown boot loader '%s' (one of %s)", cmd, optarg,
                                          gd_plan_bootloader_choices());
                                return GD_EXIT_USAGE;
                        }
                        break;
                case OPT_INITRAMFS:
                        if (gd_plan_answer_initramfs(optarg, &o->answers) < 0) {
                                cli_error("%s: --initramfs-tool: unknown tool '%s' (one of %s)", cmd, optarg,
                                          gd_plan_initramfs_choices());
                                return GD_EXIT_USAGE;
                        }
                        break;
                case OPT_COLOR: color = optarg; break;
                case 'h':
                        usage_fn();
                        return GD_EXIT_OK;
                default:
                        if (optopt && optopt < 0x100 && strchr("sfbR", optopt))
                                cli_error("%s: option '-%c' needs an argument", cmd, optopt);
                        else
                                cli_error("%s: unknown option '%s'", cmd, argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                cli_error("%s: unexpected argument '%s'", cmd, argv[optind]);
                return GD_EXIT_USAGE;
        }
        if (streq(format, "text"))
                o->format = GD_FORMAT_TEXT;
        else if (streq(format, "json"))
                o->format = GD_FORMAT_JSON;
        else if (streq(format, "sh") && !is_apply)
                o->format = GD_FORMAT_SH;
        else {
                cli_error("%s: --format: unknown format '%s' (%s)", cmd, format, is_apply ? "text or json" :
                                                                                        "text, json or sh");
                return GD_EXIT_USAGE;
        }
        if (streq(color, "always"))
                o->host.color = true;
        else if (streq(color, "auto"))
                o->host.color = o->format == GD_FORMAT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        else if (!streq(color, "never")) {
                cli_error("%s: --color: expected auto, always or never, not '%s'", cmd, color);
                return GD_EXIT_USAGE;
        }
        if (cli_parse_filter(&o->host) < 0)
                return GD_EXIT_USAGE;
        if (o->host.root && !o->host.bundle)
                gd_config_root_set(o->host.root);
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));
        return -1;
}

int cli_plan_make(const struct cli_plan_opts *o, struct gd_host **ret_h, struct gd_plan *ret) {
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_targets t = { 0 }, all = { 0 };
        struct gd_findings f = { 0 };
        const char *origin = cli_bundle_info("ORIGIN");
        bool ask = false;
        int r;

        r = gd_host_read(GD_READ_ALL, &h);
        if (r < 0)
                return cli_host_read_error(o->host.bundle, r);
        if (gd_targets_find(h, NULL, &t) < 0 || gd_targets_find(h, NULL, &all) < 0) {
                gd_targets_clear(&t);
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        if (o->host.slot) {
                cli_filter_targets(&o->host, &t);
                if (t.n == 0) {
                        cli_error("no GPU has a function at '%s' (see 'gpudiag groups')", o->host.slot);
                        gd_targets_clear(&t);
                        gd_targets_clear(&all);
                        return GD_EXIT_USAGE;
                }
        } else if (gd_plan_pick_targets(h, &t, &ask) < 0) {
                r = -ENOMEM;
        }
        if (r >= 0) {
                gd_checks_run(h, &t, &f);
                r = gd_plan_build(h, &t, &f, &o->answers, ask ? &all : NULL, ret);
        }
        if (r >= 0 && streq(origin, "imported"))
                r = strv_push_dup(&ret->notes, "The bundle was imported from pasted text: a configuration file "
                                               "the paste did not show is taken as absent, so edits of it create "
                                               "it. Run gpudiag plan on the host for its real files.");
        gd_findings_clear(&f);
        gd_targets_clear(&t);
        gd_targets_clear(&all);
        if (r < 0) {
                cli_error("out of memory");
                return GD_EXIT_HOST;
        }
        *ret_h = TAKE_PTR(h);
        return -1;
}

/* 0 nothing to change, 1 steps or questions, 2 a plan that contradicts itself. */
static int plan_exit(const struct gd_plan *p) {
        if (p->conflicts)
                return GD_EXIT_USAGE;
        if (p->n_questions)
                return GD_EXIT_NOT_READY;
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind != GD_STEP_VERIFY)
                        return GD_EXIT_NOT_READY;
        return p->targets ? GD_EXIT_OK : GD_EXIT_NOT_READY;
}

int cmd_plan(int argc, char **argv) {
        struct cli_plan_opts o;
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_plan p = {};
        struct gd_plan_meta m;
        int r, code;

        r = cli_plan_parse("plan", argc, argv, &o, usage, false);
        if (r >= 0)
                return r;
        r = cli_replay_if_bundle(&o.host, argc, argv);
        if (r >= 0)
                return r;
        r = cli_plan_make(&o, &h, &p);
        if (r >= 0)
                return r;

        m = (struct gd_plan_meta) {
                .source = cli_bundle_info("NAME") ? cli_bundle_info("NAME") : "this host",
                .origin = cli_bundle_info("ORIGIN"),
                .color = o.host.color,
        };
        code = plan_exit(&p);
        if (o.format == GD_FORMAT_JSON)
                r = gd_report_plan_json(stdout, &p, &m);
        else if (o.format == GD_FORMAT_SH) {
                r = gd_report_plan_sh(stdout, &p, &m);
                if (r == -EINVAL) {
                        cli_error("plan: the plan contradicts itself; no script is written:");
                        for (size_t i = 0; p.conflicts && p.conflicts[i]; i++)
                                fprintf(stderr, "  %s\n", p.conflicts[i]);
                        r = 0;
                }
        } else {
                gd_report_plan_text(stdout, &p, &m);
                r = fflush(stdout) == 0 ? 0 : -EIO;
        }
        gd_plan_clear(&p);
        if (r < 0) {
                cli_error("writing the plan failed");
                return GD_EXIT_HOST;
        }
        return code;
}
