/* SPDX-License-Identifier: MIT */
/* gpudiag: can this GPU be handed to a VM, and if not, why and what to change. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} commands[] = {
        { "explain", cmd_explain, "verdict per GPU (READY / NOT READY / UNKNOWN) with findings" },
        { "groups",  cmd_groups,  "list IOMMU groups and their devices" },
        { "import", cmd_import, "build a bundle from pasted lspci / group / dmesg text" },
        { "replay", cmd_replay, "run fault-injection scenarios against bundles" },
        { "collect", cmd_collect, "write a redacted snapshot bundle of this host" },
        { "report",  cmd_report,  "write one self-contained HTML page of the diagnosis" },
        { "plan",    cmd_plan,    "the ordered steps that take the GPUs to READY on this host" },
        { "apply",   cmd_apply,   "carry out the plan's edits and commands, with a journal (root)" },
        { "undo",    cmd_undo,    "restore what the last gpudiag apply changed" },
};

static void usage(FILE *f) {
        fprintf(f, "Usage: %s COMMAND [OPTIONS]\n\n"
                   "Diagnose whether GPUs on this host can be passed through to a VM (VFIO).\n\n"
                   "Commands:\n", cli_program());
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nRun '%s COMMAND --help' for a command's options; see gpudiag(1).\n"
                   "Exit status: 0 ready/success, 1 not ready or unknown, 2 usage or bad input,\n"
                   "3 the host could not be read.\n", cli_program());
}

int main(int argc, char **argv) {
        cli_save_argv(argc, argv);
        if (argc < 2) {
                usage(stderr);
                return GD_EXIT_USAGE;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                usage(stdout);
                return GD_EXIT_OK;
        }
        if (streq(argv[1], "--version") || streq(argv[1], "-V")) {
                printf("gpudiag %s\n", GPUDIAG_VERSION);
                return GD_EXIT_OK;
        }
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[1], commands[i].name)) {
                        int r = commands[i].run(argc - 1, argv + 1);
                        if (r == GD_EXIT_SIGPIPE) {
                                sigset_t pipe_only;

                                sigemptyset(&pipe_only);
                                sigaddset(&pipe_only, SIGPIPE);
                                signal(SIGPIPE, SIG_DFL);
                                sigprocmask(SIG_UNBLOCK, &pipe_only, NULL);
                                raise(SIGPIPE);
                                return GD_EXIT_HOST;
                        }
                        return r;
                }

        cli_error("unknown command '%s' (try '%s --help')", argv[1], cli_program());
        return GD_EXIT_USAGE;
}
