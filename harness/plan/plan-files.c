/* SPDX-License-Identifier: MIT */
/* File edits: changes kept per line of the content the reader kept, each
 * file rendered once into one edit step with its unified diff; and the
 * actions that only add or change lines of a named file (udev rules, VM
 * configuration lines). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "base/udiff.h"
#include "plan-internal.h"

struct pfile *pfile_get(struct planner *P, const char *path, enum gd_plan_phase phase) {
        const struct gd_conffile *cf;
        struct pfile *pf;

        for (size_t i = 0; i < P->n_files; i++)
                if (streq(P->files[i].path, path))
                        return &P->files[i];
        cf = gd_host_conffile(P->h, path);
        if (cf && cf->state < 0 && cf->state != -ENOENT) {
                _cleanup_free_ char *title = NULL;
                struct gd_plan_step *s;

                if (asprintf(&title, "%s could not be read", path) < 0) {
                        P->oom = true;
                        return NULL;
                }
                for (size_t i = 0; i < P->plan->n_steps; i++)
                        if (streq(P->plan->steps[i].title, title))
                                return NULL;
                s = planner_step(P, GD_PHASE_PREPARE, GD_STEP_PERSON, "%s", title);
                if (s && !(s->text = strdup("gpudiag needs its content to edit it exactly: run gpudiag plan as "
                                            "root, or collect the bundle as root.")))
                        P->oom = true;
                return NULL;
        }
        pf = reallocarray(P->files, P->n_files + 1, sizeof(*pf));
        if (!pf) {
                P->oom = true;
                return NULL;
        }
        P->files = pf;
        pf = &pf[P->n_files];
        *pf = (struct pfile) { .phase = phase };
        /* A file no reader looked at, or one it found absent, is new. */
        pf->before = cf && cf->state == 0 ? cf->text : NULL;
        pf->n_lines = gd_text_line_count(pf->before);
        pf->path = strdup(path);
        pf->replace = calloc(pf->n_lines + 2, sizeof(char *));
        pf->deleted = calloc(pf->n_lines + 2, sizeof(bool));
        pf->insert = calloc(pf->n_lines + 2, sizeof(char *));
        if (!pf->path || !pf->replace || !pf->deleted || !pf->insert) {
                free(pf->path);
                free(pf->replace);
                free(pf->deleted);
                free(pf->insert);
                P->oom = true;
                return NULL;
        }
        P->n_files++;
        return pf;
}

bool pfile_line(const struct pfile *pf, size_t n, const char **ret, size_t *ret_len) {
        return gd_text_line(pf->before, n, ret, ret_len);
}

char *pfile_current_line(const struct pfile *pf, size_t n) {
        const char *l;
        size_t len;

        if (n == 0 || n > pf->n_lines || pf->deleted[n])
                return NULL;
        if (pf->replace[n])
                return strdup(pf->replace[n]);
        return pfile_line(pf, n, &l, &len) ? strndup(l, len) : NULL;
}

void pfile_replace(struct planner *P, struct pfile *pf, size_t n, const char *text) {
        char *t;

        if (n == 0 || n > pf->n_lines)
                return;
        if (pf->deleted[n]) {
                planner_conflict(P, "%s line %zu: deleted and rewritten by two steps", pf->path, n);
                return;
        }
        if (pf->replace[n] && !streq(pf->replace[n], text)) {
                /* Two edits of one line compose only when the second was
                 * computed from the first (pfile_current_line()); a
                 * replacement computed from the line as read is another
                 * answer to the same line. */
                planner_conflict(P, "%s line %zu: rewritten two ways ('%s' and '%s')", pf->path, n, pf->replace[n],
                                 text);
        }
        t = strdup(text);
        if (!t) {
                P->oom = true;
                return;
        }
        free(pf->replace[n]);
        pf->replace[n] = t;
}

/* A second edit of a line that builds on the first (pfile_current_line()). */
void pfile_rewrite(struct planner *P, struct pfile *pf, size_t n, const char *text) {
        char *t = strdup(text);

        if (!t) {
                P->oom = true;
                return;
        }
        free(pf->replace[n]);
        pf->replace[n] = t;
}

void pfile_delete(struct planner *P, struct pfile *pf, size_t n) {
        if (n == 0 || n > pf->n_lines)
                return;
        if (pf->replace[n]) {
                planner_conflict(P, "%s line %zu: rewritten and deleted by two steps", pf->path, n);
                return;
        }
        pf->deleted[n] = true;
}

void pfile_insert(struct planner *P, struct pfile *pf, size_t before_line, const char *text) {
        char *joined = NULL;
        size_t at = before_line == 0 || before_line > pf->n_lines ? pf->n_lines + 1 : before_line;

        if (asprintf(&joined, "%s%s%s", pf->insert[at] ? pf->insert[at] : "", pf->insert[at] ? "\n" : "",
                     text) < 0) {
                P->oom = true;
                return;
        }
        free(pf->insert[at]);
        pf->insert[at] = joined;
}

void pfile_append(struct planner *P, struct pfile *pf, const char *text) {
        pfile_insert(P, pf, pf->n_lines + 1, text);
}

void pfile_change(struct planner *P, struct pfile *pf, const struct gd_finding *x, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s) {
                P->oom = true;
                return;
        }
        if (strv_contains(pf->changes, s))
                free(s);
        else if (strv_consume(&pf->changes, s) < 0)
                P->oom = true;
        planner_reason(P, &pf->reasons, x);
}

/* The content after the edits.  A file that had no newline at its end
 * keeps it that way unless lines are added after its last line. */
static char *pfile_render(const struct pfile *pf) {
        const char *last_line;
        size_t last_len;
        bool no_final_nl = pf->before && *pf->before && pf->before[strlen(pf->before) - 1] != '\n';
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        for (size_t n = 1; n <= pf->n_lines + 1; n++) {
                if (pf->insert[n])
                        fprintf(f, "%s\n", pf->insert[n]);
                if (n > pf->n_lines || pf->deleted[n])
                        continue;
                if (pf->replace[n])
                        fprintf(f, "%s\n", pf->replace[n]);
                else if (pfile_line(pf, n, &last_line, &last_len)) {
                        fwrite(last_line, 1, last_len, f);
                        if (n < pf->n_lines || !no_final_nl || pf->insert[pf->n_lines + 1])
                                fputc('\n', f);
                }
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

bool pfiles_changed(const struct planner *P, enum gd_plan_phase phase) {
        for (size_t i = 0; i < P->n_files; i++) {
                const struct pfile *pf = &P->files[i];
                if (pf->phase != phase)
                        continue;
                for (size_t n = 0; n <= pf->n_lines + 1; n++)
                        if (pf->insert[n] || pf->replace[n] || pf->deleted[n])
                                return true;
        }
        return false;
}

void pfiles_finish(struct planner *P) {
        for (size_t i = 0; i < P->n_files; i++) {
                struct pfile *pf = &P->files[i];
                _cleanup_free_ char *after = pfile_render(pf), *diff = NULL;
                struct gd_plan_step *s;

                if (!after) {
                        P->oom = true;
                        return;
                }
                if (gd_udiff(pf->before, after, pf->path, pf->path, &diff) < 0) {
                        P->oom = true;
                        return;
                }
                if (!diff)
                        continue;      /* every change was already there */
                s = planner_step(P, pf->phase, GD_STEP_EDIT, "%s %s", pf->before ? "Edit" : "Create", pf->path);
                if (!s)
                        return;
                s->path = strdup(pf->path);
                s->before = pf->before ? strdup(pf->before) : NULL;
                s->after = TAKE_PTR(after);
                s->diff = TAKE_PTR(diff);
                s->changes = TAKE_PTR(pf->changes);
                s->reasons = TAKE_PTR(pf->reasons);
                if (!s->path || (pf->before && !s->before))
                        P->oom = true;
        }
}

void pfiles_clear(struct planner *P) {
        for (size_t i = 0; i < P->n_files; i++) {
                struct pfile *pf = &P->files[i];
                for (size_t n = 0; n <= pf->n_lines + 1; n++) {
                        free(pf->replace[n]);
                        free(pf->insert[n]);
                }
                free(pf->replace);
                free(pf->insert);
                free(pf->deleted);
                free(pf->path);
                strv_free(pf->changes);
                strv_free(pf->reasons);
        }
        free(P->files);
        P->files = NULL;
        P->n_files = 0;
}

/* ---- lines of named files ------------------------------------------------- */

static bool file_has_line(const struct pfile *pf, const char *text) {
        for (size_t n = 1; n <= pf->n_lines; n++) {
                _cleanup_free_ char *l = pfile_current_line(pf, n);
                if (streq(l, text))
                        return true;
        }
        return pf->insert[pf->n_lines + 1] && strstr(pf->insert[pf->n_lines + 1], text);
}

/* A VM configuration line is rewritten only when it is still the line the
 * finding read (the action carries no text of it: the line number is the
 * reader's, and so is the file). */
static void line_replace(struct planner *P, const struct item *it) {
        const struct gd_action *a = it->a;
        struct pfile *pf = pfile_get(P, a->path, GD_PHASE_VM);
        _cleanup_free_ char *cur = NULL;

        if (!pf)
                return;
        cur = pfile_current_line(pf, a->line);
        if (!cur) {
                planner_conflict(P, "%s has no line %u to rewrite", a->path, a->line);
                return;
        }
        /* Even a line wanted as it is counts: another finding that wants
         * it otherwise contradicts it ("drop x-vga" and "x-vga=1"). */
        pfile_replace(P, pf, a->line, a->text);
        if (!streq(cur, a->text))
                pfile_change(P, pf, it->x, "line %u: %s", a->line, a->text);
}

void plan_file_lines(struct planner *P) {
        size_t n;
        _cleanup_free_ struct item *lines = planner_items(P, GD_ACT_FILE_LINE, &n);

        for (size_t i = 0; i < n; i++) {
                const struct gd_action *a = lines[i].a;
                enum gd_plan_phase phase = startswith(a->path, "/etc/pve/") || startswith(a->path, "/etc/libvirt/")
                        ? GD_PHASE_VM : GD_PHASE_MODULES;
                struct pfile *pf = pfile_get(P, a->path, phase);

                if (!pf || file_has_line(pf, a->text))
                        continue;
                pfile_append(P, pf, a->text);
                pfile_change(P, pf, lines[i].x, "add the line %s", a->text);
                if (phase != GD_PHASE_VM) {
                        P->boot_files_changed = true;
                        planner_reason(P, &P->reboot_reasons, lines[i].x);
                }
        }
        {
                _cleanup_free_ struct item *rep = planner_items(P, GD_ACT_LINE_REPLACE, &n);
                for (size_t i = 0; i < n; i++)
                        line_replace(P, &rep[i]);
        }
        {
                _cleanup_free_ struct item *ins = planner_items(P, GD_ACT_LINE_INSERT, &n);
                for (size_t i = 0; i < n; i++) {
                        struct pfile *pf = pfile_get(P, ins[i].a->path, GD_PHASE_VM);
                        if (!pf || file_has_line(pf, ins[i].a->text) ||
                            (pf->insert[ins[i].a->line] && strstr(pf->insert[ins[i].a->line], ins[i].a->text)))
                                continue;
                        pfile_insert(P, pf, ins[i].a->line, ins[i].a->text);
                        pfile_change(P, pf, ins[i].x, "before line %u: %s", ins[i].a->line, ins[i].a->text);
                }
        }
}
