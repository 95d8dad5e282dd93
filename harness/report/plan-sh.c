/* SPDX-License-Identifier: MIT */
/* The plan as a shell script to review and then run as root: set -eu, a
 * comment per step, each edit as its exact diff fed to patch(1) (or, for a
 * new file, its content, refused when the file appeared since), each
 * command as it is.  Steps a person does stay comments and are repeated at
 * the end; the script never reboots.  ROOT (default empty) puts the file
 * edits below another root; the commands act on the running system.
 *
 * Everything from the host (paths, file content, titles) is attacker input
 * when the plan came from a bundle: comments have no control characters,
 * words are single-quoted, and content sits in here-documents whose quoted
 * delimiter occurs in none of it, so the shell expands nothing. */
#include <errno.h>
#include <string.h>

#include "base/strv.h"
#include "escape.h"
#include "plan.h"

static void comment(FILE *out, const char *prefix, const char *text) {
        for (const char *l = text; l && *l;) {
                const char *nl = strchr(l, '\n');
                _cleanup_free_ char *line = strndup(l, nl ? (size_t) (nl - l) : strlen(l));
                fprintf(out, "# %s", prefix);
                gd_put_shell_comment(out, line);
                fputc('\n', out);
                l = nl ? nl + 1 : NULL;
        }
}

/* "$ROOT"'/etc/...' */
static void rooted(FILE *out, const char *path) {
        fputs("\"$ROOT\"", out);
        gd_put_shell_word(out, path);
}

/* A here-document delimiter no line of text is. */
static void delimiter(const char *text, char *buf, size_t size) {
        for (unsigned n = 0;; n++) {
                bool used = false;
                snprintf(buf, size, n ? "GPUDIAG_EOF_%u" : "GPUDIAG_EOF", n);
                for (const char *l = text; l && *l && !used;) {
                        const char *nl = strchr(l, '\n');
                        size_t len = nl ? (size_t) (nl - l) : strlen(l);
                        used = len == strlen(buf) && strncmp(l, buf, len) == 0;
                        l = nl ? nl + 1 : NULL;
                }
                if (!used)
                        return;
        }
}

static void edit(FILE *out, const struct gd_plan_step *s) {
        char delim[32];
        _cleanup_free_ char *dir = strdup(s->path);
        char *slash = dir ? strrchr(dir, '/') : NULL;

        if (s->before) {
                delimiter(s->diff, delim, sizeof(delim));
                fputs("patch --batch --forward --silent --no-backup-if-mismatch --reject-file=- ", out);
                rooted(out, s->path);
                fprintf(out, " <<'%s'\n%s%s\n", delim, s->diff, delim);
                return;
        }
        delimiter(s->after, delim, sizeof(delim));
        fputs("if [ -e ", out);
        rooted(out, s->path);
        fputs(" ]; then echo \"gpudiag plan: ", out);
        gd_put_shell_comment(out, s->path);
        fputs(" exists now; run gpudiag plan again\" >&2; exit 1; fi\n", out);
        if (slash && slash != dir) {
                *slash = '\0';
                fputs("mkdir -p ", out);
                rooted(out, dir);
                fputc('\n', out);
        }
        fputs("cat > ", out);
        rooted(out, s->path);
        /* The plan's new files end with a newline, as a here-document does. */
        fprintf(out, " <<'%s'\n%s%s\n", delim, s->after, delim);
}

int gd_report_plan_sh(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m) {
        size_t by_hand = 0;

        if (p->conflicts)
                return -EINVAL;
        fputs("#!/bin/sh\n", out);
        fputs("# gpudiag plan for ", out);
        for (size_t i = 0; p->targets && p->targets[i]; i++)
                fprintf(out, "%s%s", i ? ", " : "", p->targets[i]);
        if (!p->targets)
                fputs("this host (no GPU chosen)", out);
        fputs(", from ", out);
        gd_put_shell_comment(out, m->source ? m->source : "this host");
        fprintf(out, "\n# boot loader: %s; initramfs tool: %s\n", gd_bootloader_name(p->bootloader),
                gd_initramfs_tool_name(p->initramfs_tool));
        for (size_t i = 0; p->notes && p->notes[i]; i++)
                comment(out, "note: ", p->notes[i]);
        fputs("#\n# Read every step before running this as root.  The edits apply below ROOT\n"
              "# (default: /); the commands act on the running system.  It never reboots.\n"
              "set -eu\nROOT=${ROOT:-}\n", out);
        if (p->n_questions) {
                fputs("\n# Questions this host's files do not answer; answer them and run gpudiag plan again:\n", out);
                for (size_t i = 0; i < p->n_questions; i++) {
                        comment(out, "? ", p->questions[i].text);
                        fprintf(out, "#   %s ", p->questions[i].option);
                        for (size_t j = 0; p->questions[i].choices && p->questions[i].choices[j]; j++) {
                                fputs(j ? " | " : "", out);
                                gd_put_shell_comment(out, p->questions[i].choices[j]);
                        }
                        fputc('\n', out);
                }
                fputs("echo 'gpudiag plan: this plan has open questions (see the comments above); answer them "
                      "with gpudiag plan first' >&2\nexit 2\n", out);
        }
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct gd_plan_step *s = &p->steps[i];
                char head[64];

                snprintf(head, sizeof(head), "Step %zu (%s): ", i + 1, gd_plan_phase_name(s->phase));
                fputc('\n', out);
                comment(out, head, s->title);
                for (size_t j = 0; s->changes && s->changes[j]; j++)
                        comment(out, "  - ", s->changes[j]);
                if (s->reasons) {
                        fputs("#   because: ", out);
                        for (size_t j = 0; s->reasons[j]; j++) {
                                fputs(j ? ", " : "", out);
                                gd_put_shell_comment(out, s->reasons[j]);
                        }
                        fputc('\n', out);
                }
                if (s->note)
                        comment(out, "  NOTE: ", s->note);
                if (s->text)
                        comment(out, "  ", s->text);
                if (gd_step_needs_person(s)) {
                        comment(out, "  by hand: ", s->question ? "waits for an answer above" : "not run by this script");
                        by_hand++;
                        continue;
                }
                if (s->kind == GD_STEP_EDIT)
                        edit(out, s);
                else if (s->kind == GD_STEP_COMMAND) {
                        gd_report_argv(out, s->argv);
                        fputc('\n', out);
                } else if (s->kind == GD_STEP_VERIFY) {
                        fputs("#   after the reboot, run: ", out);
                        for (size_t j = 0; s->argv && s->argv[j]; j++) {
                                fputs(j ? " " : "", out);
                                gd_put_shell_comment(out, s->argv[j]);
                        }
                        fputc('\n', out);
                        comment(out, "  expect: ", s->expect);
                }
        }
        if (by_hand) {
                fputs("\necho 'gpudiag plan: done; these steps are yours:' >&2\n", out);
                for (size_t i = 0; i < p->n_steps; i++)
                        if (gd_step_needs_person(&p->steps[i])) {
                                fprintf(out, "echo %zu. ", i + 1);
                                gd_put_shell_word(out, p->steps[i].title);
                                fputs(" >&2\n", out);
                        }
        }
        return fflush(out) == 0 ? 0 : -EIO;
}
