/* SPDX-License-Identifier: MIT */
/* The plan as text: questions first, then the steps by phase, numbered,
 * each with its reasons, its diff or command, and what needs a person. */
#include <string.h>

#include "escape.h"
#include "plan.h"

#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[1;31m"
#define ANSI_GREEN  "\033[32m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_RESET  "\033[0m"

void gd_report_argv(FILE *out, char * const *argv) {
        for (size_t i = 0; argv && argv[i]; i++) {
                if (i)
                        fputc(' ', out);
                gd_put_shell_word(out, argv[i]);
        }
}

static void indented(FILE *out, const char *prefix, const char *text) {
        for (const char *l = text; l && *l;) {
                const char *nl = strchr(l, '\n');
                int len = nl ? (int) (nl - l) : (int) strlen(l);
                fprintf(out, "%s%.*s\n", prefix, len, l);
                l = nl ? nl + 1 : NULL;
        }
}

static void diff_lines(FILE *out, const char *diff, bool color) {
        for (const char *l = diff; l && *l;) {
                const char *nl = strchr(l, '\n');
                int len = nl ? (int) (nl - l) : (int) strlen(l);
                const char *col = !color ? "" : (*l == '+' && strncmp(l, "+++", 3)) ? ANSI_GREEN :
                                  (*l == '-' && strncmp(l, "---", 3)) ? ANSI_RED : "";
                fprintf(out, "       %s%.*s%s\n", col, len, l, *col ? ANSI_RESET : "");
                l = nl ? nl + 1 : NULL;
        }
}

void gd_report_plan_step(FILE *out, const struct gd_plan_step *s, size_t number, bool color) {
        const char *tag = s->question ? "[waits for an answer] " : s->kind == GD_STEP_PERSON ? "[by hand] " : "";

        fprintf(out, "  %2zu. %s%s%s%s\n", number, color && *tag ? ANSI_YELLOW : "", tag,
                color && *tag ? ANSI_RESET : "", s->title);
        if (s->note)
                fprintf(out, "       %sNOTE:%s %s\n", color ? ANSI_RED : "", color ? ANSI_RESET : "", s->note);
        if (s->text)
                indented(out, "       ", s->text);
        for (size_t i = 0; s->changes && s->changes[i]; i++)
                fprintf(out, "       - %s\n", s->changes[i]);
        if (s->argv) {
                fputs("       $ ", out);
                gd_report_argv(out, s->argv);
                fputc('\n', out);
        }
        if (s->expect)
                fprintf(out, "       expect: %s\n", s->expect);
        if (s->reasons) {
                fputs("       because: ", out);
                for (size_t i = 0; s->reasons[i]; i++)
                        fprintf(out, "%s%s", i ? ", " : "", s->reasons[i]);
                fputc('\n', out);
        }
        if (s->diff)
                diff_lines(out, s->diff, color);
}

void gd_report_plan_text(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m) {
        enum gd_plan_phase phase = _GD_PHASE_MAX;
        size_t acting = 0;

        fprintf(out, "%sPlan for ", m->color ? ANSI_BOLD : "");
        if (!p->targets)
                fputs("this host (no GPU chosen yet)", out);
        for (size_t i = 0; p->targets && p->targets[i]; i++)
                fprintf(out, "%s%s", i ? ", " : "", p->targets[i]);
        fprintf(out, "%s, from %s\n", m->color ? ANSI_RESET : "", m->source ? m->source : "this host");
        fprintf(out, "  boot loader: %s; initramfs tool: %s\n", gd_bootloader_name(p->bootloader),
                gd_initramfs_tool_name(p->initramfs_tool));
        for (size_t i = 0; p->notes && p->notes[i]; i++)
                fprintf(out, "  note: %s\n", p->notes[i]);

        if (p->conflicts) {
                fprintf(out, "\n%sThe plan contradicts itself, so gpudiag will not carry it out%s "
                             "(a bug: please report it with the bundle):\n",
                        m->color ? ANSI_RED : "", m->color ? ANSI_RESET : "");
                for (size_t i = 0; p->conflicts[i]; i++)
                        fprintf(out, "  ! %s\n", p->conflicts[i]);
        }
        if (p->n_questions) {
                fprintf(out, "\nQuestions (answer with the option, then run gpudiag plan again):\n");
                for (size_t i = 0; i < p->n_questions; i++) {
                        const struct gd_plan_question *q = &p->questions[i];
                        fprintf(out, "  ? %s\n    %s ", q->text, q->option);
                        for (size_t j = 0; q->choices && q->choices[j]; j++)
                                fprintf(out, "%s%s", j ? (streq(q->id, "gpu") ? "\n       " : " | ") : "",
                                        q->choices[j]);
                        fputc('\n', out);
                }
        }
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind != GD_STEP_VERIFY)
                        acting++;
        if (acting == 0 && !p->n_questions && p->targets) {
                fprintf(out, "\nNothing to change: gpudiag found nothing to do for %s.\n",
                        p->targets[1] ? "these GPUs" : "this GPU");
        }
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct gd_plan_step *s = &p->steps[i];
                if (s->phase != phase) {
                        phase = s->phase;
                        fprintf(out, "\n%s%s%s\n", m->color ? ANSI_BOLD : "", gd_plan_phase_title(phase),
                                m->color ? ANSI_RESET : "");
                }
                gd_report_plan_step(out, s, i + 1, m->color);
        }
        if (p->n_steps && acting)
                fprintf(out, "\n%s\n", p->needs_reboot ? "gpudiag apply carries out the edits and commands "
                                                         "(not the steps by hand, not the reboot)."
                                                       : "gpudiag apply carries out the edits and commands "
                                                         "(not the steps by hand).");
}
