/* SPDX-License-Identifier: MIT */
/* gpudiag apply: carries out the plan's file edits and commands on this
 * host, after showing them and asking, with a journal (apply/apply.h);
 * gpudiag undo: restores what a journal records.  Never on a bundle, never
 * the firmware or anything else only a person can do, never the reboot. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "base/hostpaths.h"
#include "base/strv.h"
#include "cli-plan.h"
#include "report/plan.h"

static void usage_apply(void) {
        printf("Usage: %s apply [OPTIONS]\n\n"
               "Carry out the file edits and commands of 'gpudiag plan' on this host, as root:\n"
               "the plan is shown, and asked for, first; every file is backed up into a\n"
               "journal that 'gpudiag undo' restores.  Steps only a person can do (firmware,\n"
               "moving a card, the reboot) are listed, never done.\n\n"
               "  -s, --slot [[[[DOMAIN]:]BUS]:][SLOT][.[FUNC]]\n"
               "                              the card, as for gpudiag plan\n"
               "      --bootloader NAME       answer the boot loader question: %s\n"
               "      --initramfs-tool NAME   answer the initramfs question: %s\n"
               "  -y, --yes                   do not ask (for scripts)\n"
               "      --unbind-console        with --yes: also bind the device that drives the host\n"
               "                              console (otherwise that step is left out)\n"
               "      --commands run|skip     run the plan's commands (default: run, unless --root)\n"
               "      --journal DIR           keep the journal below DIR\n"
               "                              (default /var/lib/gpudiag/journal)\n"
               "  -R, --root DIR              edit /etc below DIR (the commands are then skipped)\n"
               "  -f, --format text|json      how the plan is shown\n"
               "      --color auto|always|never\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 done (or nothing to do), 2 usage, a bundle, open questions or a\n"
               "plan that contradicts itself (nothing changed), 3 a step failed (what was done\n"
               "is in the journal).\n", cli_program(), gd_plan_bootloader_choices(), gd_plan_initramfs_choices());
}

static void usage_undo(void) {
        printf("Usage: %s undo [JOURNAL] [OPTIONS]\n\n"
               "Restore every file the last 'gpudiag apply' changed (or the run JOURNAL names),\n"
               "byte for byte, remove the files it created, and run what undoes its commands\n"
               "(the initramfs and boot loader rebuilt from the restored files, driverctl\n"
               "unset-override).  A file changed since apply is not touched without --force.\n\n"
               "  -y, --yes                   do not ask\n"
               "      --force                 restore files changed since apply as well\n"
               "      --commands run|skip     run the undo commands (default: run, unless --root)\n"
               "      --journal DIR           the journals are below DIR\n"
               "  -R, --root DIR              the journal of a run with --root DIR\n"
               "  -h, --help                  show this help\n\n"
               "Exit status: 0 restored, 2 usage, nothing to undo or a changed file, 3 a\n"
               "restore or command failed.\n", cli_program());
}

static bool ask(const char *question) {
        char buf[32];

        fprintf(stderr, "%s [y/N] ", question);
        fflush(stderr);
        if (!fgets(buf, sizeof(buf), stdin))
                return false;
        return buf[0] == 'y' || buf[0] == 'Y';
}

static char *journal_dir(const char *given) {
        return given ? strdup(given) : gd_config_path_join(GD_VAR_LIB_GPUDIAG_JOURNAL, NULL);
}

static bool acting(const struct gd_plan_step *s) {
        return !gd_step_needs_person(s) && (s->kind == GD_STEP_EDIT || s->kind == GD_STEP_COMMAND);
}

/* Where apply reports what it does: standard output, unless that holds
 * the plan as JSON. */
static FILE *log_out;

static void left_for_you(const struct gd_plan *p) {
        bool any = false;

        for (size_t i = 0; i < p->n_steps; i++)
                if (gd_step_needs_person(&p->steps[i]) || p->steps[i].kind == GD_STEP_VERIFY) {
                        if (!any)
                                fprintf(log_out, "\nLeft for you:\n");
                        any = true;
                        fprintf(log_out, "  %2zu. %s%s\n", i + 1,
                                p->steps[i].kind == GD_STEP_VERIFY ? "then check: " : "", p->steps[i].title);
                }
}

static int run_plan(const struct cli_plan_opts *o, const struct gd_plan *p, bool commands) {
        _cleanup_journal_ struct gd_journal *j = NULL;
        _cleanup_free_ char *dir = journal_dir(o->journal), *path = NULL;
        int r;

        if (!dir)
                return GD_EXIT_HOST;
        r = gd_journal_create(dir, &j, &path);
        if (r < 0) {
                cli_error("apply: cannot create a journal below %s: %s", dir, strerror(-r));
                return GD_EXIT_HOST;
        }
        fprintf(log_out, "Journal: %s\n", path);
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct gd_plan_step *s = &p->steps[i];
                int status = 0;

                if (!acting(s))
                        continue;
                if (s->note && !o->unbind_console) {
                        if (o->yes || !ask("This step takes the host console's GPU; do it?")) {
                                fprintf(log_out, "  %2zu. left out (host console): %s\n", i + 1, s->title);
                                continue;
                        }
                }
                if (s->kind == GD_STEP_COMMAND && !commands) {
                        fprintf(log_out, "  %2zu. not run (--commands skip): ", i + 1);
                        gd_report_argv(log_out, s->argv);
                        fputc('\n', log_out);
                        continue;
                }
                fprintf(log_out, "  %2zu. %s\n", i + 1, s->title);
                fflush(log_out);
                r = gd_apply_step(j, s, &status);
                if (r == -ESTALE) {
                        cli_error("apply: %s changed since gpudiag read it; nothing written to it. Run gpudiag "
                                  "apply again. What was done so far is in %s (gpudiag undo restores it).",
                                  s->path, path);
                        return GD_EXIT_HOST;
                }
                if (r == -ECHILD) {
                        cli_error("apply: step %zu failed (exit status %d). What was done so far is in %s "
                                  "(gpudiag undo restores it).", i + 1, status, path);
                        return GD_EXIT_HOST;
                }
                if (r < 0) {
                        cli_error("apply: step %zu (%s): %s. What was done so far is in %s (gpudiag undo restores "
                                  "it).", i + 1, s->title, strerror(-r), path);
                        return GD_EXIT_HOST;
                }
        }
        r = gd_journal_complete(j);
        if (r < 0) {
                cli_error("apply: cannot write the journal %s: %s", path, strerror(-r));
                return GD_EXIT_HOST;
        }
        fprintf(log_out, "Done. gpudiag undo restores what was changed (journal %s).\n", path);
        left_for_you(p);
        return GD_EXIT_OK;
}

int cmd_apply(int argc, char **argv) {
        struct cli_plan_opts o;
        _cleanup_host_ struct gd_host *h = NULL;
        struct gd_plan p = {};
        struct gd_plan_meta m;
        size_t n_edit = 0, n_cmd = 0;
        bool commands;
        int r;

        r = cli_plan_parse("apply", argc, argv, &o, usage_apply, true);
        if (r >= 0)
                return r;
        if (o.host.bundle) {
                cli_error("apply: it changes this host, so it never runs on a bundle; 'gpudiag plan --bundle %s' "
                          "shows the plan", o.host.bundle);
                return GD_EXIT_USAGE;
        }
        if (getenv("GPUDIAG_BUNDLE_NAME")) {
                cli_error("apply: refusing to run inside a bundle's replay");
                return GD_EXIT_USAGE;
        }
        if (geteuid() != 0 && streq(gd_config_root(), "/")) {
                cli_error("apply: run it as root (it edits /etc and rebuilds the initramfs)");
                return GD_EXIT_USAGE;
        }
        commands = o.commands >= 0 ? o.commands == 1 : streq(gd_config_root(), "/");
        r = cli_plan_make(&o, &h, &p);
        if (r >= 0)
                return r;
        m = (struct gd_plan_meta) { .source = "this host", .color = o.host.color };
        log_out = o.format == GD_FORMAT_JSON ? stderr : stdout;
        if (o.format == GD_FORMAT_JSON)
                (void) gd_report_plan_json(stdout, &p, &m);
        else
                gd_report_plan_text(stdout, &p, &m);
        fflush(stdout);

        if (p.conflicts) {
                cli_error("apply: the plan contradicts itself (above); nothing changed");
                gd_plan_clear(&p);
                return GD_EXIT_USAGE;
        }
        if (p.n_questions) {
                cli_error("apply: answer the plan's questions first (%s%s%s); nothing changed", p.questions[0].option,
                          p.n_questions > 1 ? ", " : "", p.n_questions > 1 ? p.questions[1].option : "");
                gd_plan_clear(&p);
                return GD_EXIT_USAGE;
        }
        for (size_t i = 0; i < p.n_steps; i++)
                if (acting(&p.steps[i]))
                        *(p.steps[i].kind == GD_STEP_EDIT ? &n_edit : &n_cmd) += 1;
        if (n_edit + n_cmd == 0) {
                fprintf(log_out, "\nNothing for gpudiag apply to do.\n");
                left_for_you(&p);
                gd_plan_clear(&p);
                return GD_EXIT_OK;
        }
        if (!o.yes) {
                char q[128];
                if (!isatty(STDIN_FILENO)) {
                        cli_error("apply: no terminal to ask on; give --yes to apply without asking");
                        gd_plan_clear(&p);
                        return GD_EXIT_USAGE;
                }
                snprintf(q, sizeof(q), "\nEdit %zu file%s and run %zu command%s%s?", n_edit, n_edit == 1 ? "" : "s",
                         commands ? n_cmd : 0, (commands ? n_cmd : 0) == 1 ? "" : "s", commands ? "" : " (commands skipped)");
                if (!ask(q)) {
                        fprintf(log_out, "Nothing changed.\n");
                        gd_plan_clear(&p);
                        return GD_EXIT_OK;
                }
        }
        r = run_plan(&o, &p, commands);
        gd_plan_clear(&p);
        return r;
}

int cmd_undo(int argc, char **argv) {
        static const struct option longopts[] = {
                { "yes",      no_argument,       NULL, 'y' },
                { "force",    no_argument,       NULL, 'F' },
                { "commands", required_argument, NULL, 'c' },
                { "journal",  required_argument, NULL, 'j' },
                { "root",     required_argument, NULL, 'R' },
                { "help",     no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_journal_ struct gd_journal *j = NULL;
        _cleanup_free_ char *dir = NULL;
        const char *journal = NULL, *run = NULL;
        struct gd_undo_item *items = NULL;
        bool yes = false, force = false;
        int c, r, commands = -1, code = GD_EXIT_OK;
        size_t n = 0, changed = 0;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+yR:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'y': yes = true; break;
                case 'F': force = true; break;
                case 'j': journal = optarg; break;
                case 'R': gd_config_root_set(optarg); break;
                case 'c':
                        if (!streq(optarg, "run") && !streq(optarg, "skip")) {
                                cli_error("undo: --commands: expected run or skip, not '%s'", optarg);
                                return GD_EXIT_USAGE;
                        }
                        commands = streq(optarg, "run");
                        break;
                case 'h':
                        usage_undo();
                        return GD_EXIT_OK;
                default:
                        cli_error("undo: unknown option or missing argument '%s'", argv[optind - 1]);
                        return GD_EXIT_USAGE;
                }
        }
        if (optind < argc)
                run = argv[optind++];
        if (optind < argc) {
                cli_error("undo: unexpected argument '%s'", argv[optind]);
                return GD_EXIT_USAGE;
        }
        if (getenv("GPUDIAG_CONFIG_ROOT"))
                gd_config_root_set(getenv("GPUDIAG_CONFIG_ROOT"));
        if (geteuid() != 0 && streq(gd_config_root(), "/")) {
                cli_error("undo: run it as root");
                return GD_EXIT_USAGE;
        }
        dir = journal_dir(journal);
        if (!dir)
                return GD_EXIT_HOST;
        r = gd_journal_open(dir, run, &j);
        if (r == -ENOENT) {
                cli_error("undo: no journal of gpudiag apply to undo %s %s", run ? "at" : "below", run ? run : dir);
                return GD_EXIT_USAGE;
        }
        if (r < 0) {
                cli_error("undo: %s: %s", run ? run : dir, r == -EBADMSG ? "not a journal gpudiag apply wrote" :
                                                                            strerror(-r));
                return GD_EXIT_USAGE;
        }
        if (gd_journal_undone(j)) {
                cli_error("undo: %s was undone already", gd_journal_path(j));
                return GD_EXIT_USAGE;
        }
        if (commands < 0)
                commands = streq(gd_config_root(), "/");
        r = gd_undo_items(j, &items, &n);
        if (r < 0) {
                cli_error("undo: %s", strerror(-r));
                return GD_EXIT_HOST;
        }
        printf("Undo %s:\n", gd_journal_path(j));
        for (size_t i = 0; i < n; i++) {
                if (items[i].path)
                        printf("  %s %s%s\n", items[i].created ? "remove " : "restore", items[i].path,
                               items[i].changed ? "   (changed since apply)" : "");
                else {
                        printf("  %s ", commands ? "run    " : "not run");
                        gd_report_argv(stdout, items[i].argv);
                        putchar('\n');
                }
                changed += items[i].changed;
        }
        if (changed && !force) {
                cli_error("undo: %zu file%s changed since gpudiag apply; restoring would lose that. Give --force to "
                          "restore anyway.", changed, changed == 1 ? "" : "s");
                gd_undo_items_free(items, n);
                return GD_EXIT_USAGE;
        }
        if (!yes && (!isatty(STDIN_FILENO) || !ask("Undo these?"))) {
                if (!isatty(STDIN_FILENO))
                        cli_error("undo: no terminal to ask on; give --yes");
                gd_undo_items_free(items, n);
                return isatty(STDIN_FILENO) ? GD_EXIT_OK : GD_EXIT_USAGE;
        }
        for (size_t i = 0; i < n && code == GD_EXIT_OK; i++) {
                int status = 0;
                if (items[i].path)
                        r = gd_undo_file(j, &items[i]);
                else if (commands)
                        r = gd_undo_command(&items[i], &status);
                else
                        continue;
                if (r < 0) {
                        cli_error("undo: %s: %s", items[i].path ? items[i].path : items[i].argv[0],
                                  r == -ECHILD ? "the command failed" : strerror(-r));
                        code = GD_EXIT_HOST;
                }
        }
        gd_undo_items_free(items, n);
        if (code == GD_EXIT_OK) {
                r = gd_journal_mark_undone(j);
                if (r < 0) {
                        cli_error("undo: cannot write the journal: %s", strerror(-r));
                        return GD_EXIT_HOST;
                }
                printf("Restored. Reboot for the restored configuration to take effect.\n");
        }
        return code;
}
