/* SPDX-License-Identifier: MIT */
/* The kernel command line, edited where the next boot reads it, and the
 * command that hands the boot loader the new configuration.
 *
 * Every word to add or remove is merged first: a word added by one finding
 * and removed by another is a conflict; a key given two values (other than
 * the keys the kernel takes several times) is a conflict.  Then, per boot
 * loader (model/bootconfig.h):
 *  - GRUB, systemd-boot, proxmox-boot-tool: the statements that write the
 *    line (bootconfig origins: every assignment of GRUB_CMDLINE_LINUX and
 *    _DEFAULT in /etc/default/grub and grub.d/NAME.cfg, or the line of
 *    /etc/kernel/cmdline) are edited in place: a key the line already has
 *    with another value is replaced where it is written (intel_iommu=off
 *    becomes intel_iommu=on, in GRUB_CMDLINE_LINUX if that is where it
 *    is); a new word goes to the assignment that counts, the last one of
 *    GRUB_CMDLINE_LINUX_DEFAULT in whichever file it is (a grub.d file
 *    overrides /etc/default/grub); a word is removed from every statement
 *    that writes it;
 *  - kernelstub: its own commands (kernelstub -a / -d), which rewrite
 *    /etc/kernelstub/configuration and the boot entry;
 *  - unknown: one question, and the step waits for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "checks/cmdline-edit.h"
#include "plan-internal.h"

/* Keys the kernel takes more than once, each for its own purpose. */
static bool repeatable(const char *key) {
        static const char *const keys[] = { "video", "console", "initcall_blacklist", "earlycon" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (gd_param_eq(key, keys[i]))
                        return true;
        return false;
}

struct word {
        char *text;            /* key[=value] as it is to be written */
        char *key;
        const char *value;     /* into text; NULL for a flag */
        char **reasons;
};

static void word_clear(struct word *w) {
        free(w->text);
        free(w->key);
        strv_free(w->reasons);
}

static int word_set(struct word *w, const char *text) {
        const char *eq = strchr(text, '=');

        *w = (struct word) {};
        w->text = strdup(text);
        w->key = eq ? strndup(text, (size_t) (eq - text)) : strdup(text);
        if (!w->text || !w->key)
                return -ENOMEM;
        w->value = eq ? w->text + (eq - text) + 1 : NULL;
        return 0;
}

static bool word_is(const struct word *w, const struct gd_cmdline_arg *a) {
        return gd_param_eq(w->key, a->key) && (w->value ? a->value && streq(w->value, a->value) : !a->value);
}

static bool words_equal(const struct word *a, const struct word *b) {
        return gd_param_eq(a->key, b->key) && streq_null(a->value, b->value);
}

struct words {
        struct word *w;
        size_t n;
};

static struct word *words_add(struct planner *P, struct words *ws, const char *text, const struct gd_finding *x) {
        struct word tmp, *g;

        if (word_set(&tmp, text) < 0) {
                word_clear(&tmp);
                P->oom = true;
                return NULL;
        }
        for (size_t i = 0; i < ws->n; i++)
                if (words_equal(&ws->w[i], &tmp)) {
                        word_clear(&tmp);
                        planner_reason(P, &ws->w[i].reasons, x);
                        return &ws->w[i];
                }
        g = reallocarray(ws->w, ws->n + 1, sizeof(*g));
        if (!g) {
                word_clear(&tmp);
                P->oom = true;
                return NULL;
        }
        ws->w = g;
        g[ws->n] = tmp;
        planner_reason(P, &g[ws->n].reasons, x);
        return &g[ws->n++];
}

static void words_clear(struct words *ws) {
        for (size_t i = 0; i < ws->n; i++)
                word_clear(&ws->w[i]);
        free(ws->w);
}

static const struct gd_cmdline *next_line(const struct planner *P) {
        const struct gd_bootconfig *b = P->h->bootconfig;
        return b && b->next_cmdline_state == 0 ? &b->next_cmdline : NULL;
}

static bool next_has(const struct planner *P, const struct word *w) {
        const struct gd_cmdline *c = next_line(P);

        for (size_t i = 0; c && i < c->n_args; i++)
                if (word_is(w, &c->args[i]))
                        return true;
        return false;
}

/* The words the next line has for w's key with another value, as written. */
static char **next_other_values(struct planner *P, const struct word *w) {
        const struct gd_cmdline *c = next_line(P);
        char **out = NULL;

        if (repeatable(w->key))
                return NULL;
        for (size_t i = 0; c && i < c->n_args; i++) {
                const struct gd_cmdline_arg *a = &c->args[i];
                char *s = NULL;
                if (!gd_param_eq(a->key, w->key) || word_is(w, a))
                        continue;
                if (asprintf(&s, "%s%s%s", a->key, a->value ? "=" : "", a->value ? a->value : "") < 0 ||
                    (!strv_contains(out, s) ? strv_consume(&out, s) : (free(s), 0)) < 0)
                        P->oom = true;
        }
        return out;
}

static void find_conflicts(struct planner *P, const struct words *add, const struct words *rm) {
        for (size_t i = 0; i < add->n; i++) {
                for (size_t j = 0; j < rm->n; j++)
                        if (words_equal(&add->w[i], &rm->w[j]))
                                planner_conflict(P, "the kernel command line gets %s added and removed",
                                                 add->w[i].text);
                for (size_t j = i + 1; j < add->n; j++)
                        if (gd_param_eq(add->w[i].key, add->w[j].key) && !repeatable(add->w[i].key))
                                planner_conflict(P, "the kernel command line gets %s and %s: one key, two values",
                                                 add->w[i].text, add->w[j].text);
        }
}

/* ---- editing the statements ------------------------------------------------ */

struct stmt {
        const struct gd_cmdline_origin *o;
        char *text;            /* as it will be */
        char **changes;
        bool dead;             /* overridden: its words never reach the kernel */
};

static bool is_grub(const struct gd_cmdline_origin *o) {
        return o->var != NULL;
}

/* A statement whose value reaches the command line: the last assignment of
 * its variable, or one a later assignment of it expands ($VAR, ${VAR}).
 * An assignment overridden outright (by a grub.d file) is left alone. */
static bool effective(const struct gd_bootconfig *b, size_t i) {
        const struct gd_cmdline_origin *o = &b->origins[i];
        _cleanup_free_ char *plain = NULL, *braced = NULL;

        if (o->last || !o->var)
                return true;
        if (asprintf(&plain, "$%s", o->var) < 0 || asprintf(&braced, "${%s}", o->var) < 0)
                return true;
        for (size_t k = i + 1; k < b->n_origins; k++) {
                const struct gd_cmdline_origin *l = &b->origins[k];
                const char *p;
                if (!streq(l->var, o->var))
                        continue;
                if (strstr(l->text, braced))
                        return effective(b, k);
                for (p = strstr(l->text, plain); p; p = strstr(p + 1, plain)) {
                        char next = p[strlen(plain)];
                        if (!(next == '_' || (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
                              (next >= '0' && next <= '9')))
                                return effective(b, k);
                }
                return false;
        }
        return true;
}

/* The statement a new word goes to: the last GRUB_CMDLINE_LINUX_DEFAULT,
 * else the last GRUB_CMDLINE_LINUX, else /etc/kernel/cmdline. */
static struct stmt *target_stmt(struct stmt *st, size_t n) {
        struct stmt *linux_ = NULL;

        for (size_t i = 0; i < n; i++) {
                if (!st[i].o->last)
                        continue;
                if (!is_grub(st[i].o) || streq(st[i].o->var, "GRUB_CMDLINE_LINUX_DEFAULT"))
                        return &st[i];
                linux_ = &st[i];
        }
        return linux_;
}

static void stmt_change(struct planner *P, struct stmt *s, char *new_text, const char *verb, const char *word,
                        const char *prep) {
        char *c = NULL;

        if (!new_text) {
                P->oom = true;
                return;
        }
        free(s->text);
        s->text = new_text;
        if (asprintf(&c, "%s %s %s %s", verb, word, prep, s->o->var ? s->o->var : "the line") < 0 ||
            strv_consume(&s->changes, c) < 0)
                P->oom = true;
}

/* Writes the edited statement into its file: the lines it spans are
 * replaced by its new text, with whatever else those lines held kept. */
static void stmt_write(struct planner *P, const struct stmt *s, char * const *reasons) {
        struct pfile *pf = pfile_get(P, s->o->path, GD_PHASE_CMDLINE);
        size_t span = 1, len = 0;
        _cleanup_free_ char *joined = NULL, *out = NULL;
        const char *at;
        FILE *f;

        if (!pf)
                return;
        for (const char *p = s->o->text; *p; p++)
                span += *p == '\n';
        f = open_memstream(&joined, &len);
        if (!f) {
                P->oom = true;
                return;
        }
        for (size_t n = s->o->line; n < s->o->line + span; n++) {
                _cleanup_free_ char *l = pfile_current_line(pf, n);
                fprintf(f, "%s%s", n > s->o->line ? "\n" : "", l ? l : "");
        }
        if (fclose(f) != 0) {
                P->oom = true;
                return;
        }
        at = strstr(joined, s->o->text);
        if (!at) {
                planner_conflict(P, "%s line %u no longer holds %s", s->o->path, s->o->line, s->o->text);
                return;
        }
        if (asprintf(&out, "%.*s%s%s", (int) (at - joined), joined, s->text, at + strlen(s->o->text)) < 0) {
                P->oom = true;
                return;
        }
        pfile_replace(P, pf, s->o->line, out);
        for (size_t n = s->o->line + 1; n < s->o->line + span; n++)
                pfile_delete(P, pf, n);
        for (size_t i = 0; s->changes && s->changes[i]; i++)
                pfile_change(P, pf, NULL, "%s (line %u)", s->changes[i], s->o->line);
        planner_reasons_add(P, &pf->reasons, reasons);
}

static void edit_statements(struct planner *P, const struct words *add, const struct words *rm,
                            char * const *reasons) {
        const struct gd_bootconfig *b = P->h->bootconfig;
        size_t n = b ? b->n_origins : 0;
        _cleanup_free_ struct stmt *st = calloc(n + 1, sizeof(*st));
        _cleanup_strv_free_ char **unplaced = NULL, **append = NULL;

        if (!st) {
                P->oom = true;
                return;
        }
        for (size_t i = 0; i < n; i++) {
                st[i].o = &b->origins[i];
                st[i].dead = !effective(b, i);
                if (!(st[i].text = strdup(b->origins[i].text)))
                        P->oom = true;
        }
        for (size_t i = 0; i < add->n && !P->oom; i++) {
                const struct word *w = &add->w[i];
                _cleanup_strv_free_ char **others = NULL;
                bool done = false;
                struct stmt *t;

                if (next_has(P, w))
                        continue;
                others = next_other_values(P, w);
                for (size_t k = 0; others && others[k]; k++)
                        for (size_t j = 0; j < n; j++) {
                                char *r = st[j].dead ? NULL : gd_cmdline_text_replace(st[j].text, others[k], w->text);
                                if (r) {
                                        stmt_change(P, &st[j], r, "set", w->text, "in");
                                        done = true;
                                }
                        }
                if (done)
                        continue;
                t = target_stmt(st, n);
                if (t)
                        stmt_change(P, t, gd_cmdline_text_add(t->text, w->text, is_grub(t->o)), "add", w->text, "to");
                else if (strv_push_dup(&append, w->text) < 0)
                        P->oom = true;
        }
        for (size_t i = 0; i < rm->n && !P->oom; i++) {
                const struct word *w = &rm->w[i];
                bool done = false;

                if (!next_has(P, w))
                        continue;
                for (size_t j = 0; j < n; j++) {
                        char *r = st[j].dead ? NULL : gd_cmdline_text_remove(st[j].text, w->text);
                        if (r) {
                                stmt_change(P, &st[j], r, "remove", w->text, "from");
                                done = true;
                        }
                }
                if (!done && strv_push_dup(&unplaced, w->text) < 0)
                        P->oom = true;
        }
        for (size_t i = 0; i < n; i++) {
                if (!streq(st[i].text, st[i].o->text))
                        stmt_write(P, &st[i], reasons);
                free(st[i].text);
                strv_free(st[i].changes);
        }
        if (append) {
                /* No statement writes the line yet. */
                if (P->bootloader == GD_BOOTLOADER_GRUB || P->bootloader == GD_BOOTLOADER_PROXMOX_BOOT) {
                        struct pfile *pf = pfile_get(P, "/etc/default/grub", GD_PHASE_CMDLINE);
                        _cleanup_free_ char *words = NULL, *line = NULL;
                        for (size_t i = 0; append[i]; i++) {
                                char *w = NULL;
                                if (asprintf(&w, "%s%s%s", words ? words : "", words ? " " : "", append[i]) < 0) {
                                        P->oom = true;
                                        return;
                                }
                                free(words);
                                words = w;
                        }
                        if (pf && asprintf(&line, "GRUB_CMDLINE_LINUX_DEFAULT=\"%s\"", words) >= 0) {
                                pfile_append(P, pf, line);
                                pfile_change(P, pf, NULL, "add %s (a new GRUB_CMDLINE_LINUX_DEFAULT)", words);
                                planner_reasons_add(P, &pf->reasons, reasons);
                        }
                } else {
                        struct gd_plan_step *s = planner_step(P, GD_PHASE_CMDLINE, GD_STEP_PERSON,
                                                              "Write /etc/kernel/cmdline");
                        if (s && !(s->text = strdup("/etc/kernel/cmdline does not exist: create it from "
                                                    "/proc/cmdline (without BOOT_IMAGE= and initrd=), then run "
                                                    "gpudiag plan again for the exact edit.")))
                                P->oom = true;
                        if (s)
                                planner_reasons_add(P, &s->reasons, reasons);
                }
        }
        for (size_t i = 0; unplaced && unplaced[i]; i++) {
                struct gd_plan_step *s = planner_step(P, GD_PHASE_CMDLINE, GD_STEP_PERSON,
                                                      "Remove %s from the kernel command line", unplaced[i]);
                if (s && asprintf(&s->text, "No GRUB_CMDLINE_LINUX(_DEFAULT) statement of %s writes %s as a "
                                  "word (a variable expands to it): remove it where it is set.",
                                  b && b->next_cmdline_source ? b->next_cmdline_source : "the configuration",
                                  unplaced[i]) < 0)
                        P->oom = true;
                if (s)
                        planner_reasons_add(P, &s->reasons, reasons);
        }
}

/* ---- kernelstub -------------------------------------------------------------- */

static struct gd_plan_step *kernelstub(struct planner *P, const char *op, const char *undo, const char *word,
                                       char * const *reasons) {
        struct gd_plan_step *s = planner_step(P, GD_PHASE_CMDLINE, GD_STEP_COMMAND, "%s %s %s the kernel command line",
                                              streq(op, "-a") ? "Add" : "Remove", word,
                                              streq(op, "-a") ? "to" : "from");

        planner_argv(P, s, "kernelstub", op, word, NULL);
        if (!s)
                return NULL;
        if (strv_push_dup(&s->touches, "/etc/kernelstub/configuration") < 0 ||
            strv_push_dup(&s->undo_argv, "kernelstub") < 0 || strv_push_dup(&s->undo_argv, undo) < 0 ||
            strv_push_dup(&s->undo_argv, word) < 0)
                P->oom = true;
        planner_reasons_add(P, &s->reasons, reasons);
        return s;
}

static void edit_kernelstub(struct planner *P, const struct words *add, const struct words *rm) {
        for (size_t i = 0; i < add->n; i++) {
                _cleanup_strv_free_ char **others = NULL;
                if (next_has(P, &add->w[i]))
                        continue;
                others = next_other_values(P, &add->w[i]);
                for (size_t k = 0; others && others[k]; k++)
                        kernelstub(P, "-d", "-a", others[k], add->w[i].reasons);
                kernelstub(P, "-a", "-d", add->w[i].text, add->w[i].reasons);
        }
        for (size_t i = 0; i < rm->n; i++)
                if (next_has(P, &rm->w[i]))
                        kernelstub(P, "-d", "-a", rm->w[i].text, rm->w[i].reasons);
}

/* ---- the step ----------------------------------------------------------------- */

void plan_cmdline(struct planner *P, const char *ids) {
        struct words add = {}, rm = {};
        _cleanup_strv_free_ char **reasons = NULL;
        size_t n;
        bool any = false;

        {
                _cleanup_free_ struct item *items = planner_items(P, GD_ACT_CMDLINE_ADD, &n);
                for (size_t i = 0; i < n; i++)
                        words_add(P, &add, items[i].a->arg, items[i].x);
        }
        {
                _cleanup_free_ struct item *items = planner_items(P, GD_ACT_CMDLINE_REMOVE, &n);
                for (size_t i = 0; i < n; i++)
                        words_add(P, &rm, items[i].a->arg, items[i].x);
        }
        if (ids) {
                const char *eq = strchr(ids, '=');
                struct word *w;
                if (eq && eq[1]) {
                        w = words_add(P, &add, ids, NULL);
                } else {
                        /* Nothing left to list: the key goes. */
                        const struct gd_cmdline *c = next_line(P);
                        const struct gd_cmdline_arg *a = c ? gd_cmdline_find_last(c, "vfio_pci.ids") : NULL;
                        _cleanup_free_ char *old = NULL;
                        w = a && asprintf(&old, "%s=%s", a->key, a->value ? a->value : "") >= 0
                                ? words_add(P, &rm, old, NULL) : NULL;
                }
                if (w)
                        planner_reasons_add(P, &w->reasons, P->ids_reasons);
        }
        find_conflicts(P, &add, &rm);

        for (size_t i = 0; i < add.n; i++)
                if (!next_has(P, &add.w[i])) {
                        any = true;
                        planner_reasons_add(P, &reasons, add.w[i].reasons);
                }
        for (size_t i = 0; i < rm.n; i++)
                if (next_has(P, &rm.w[i])) {
                        any = true;
                        planner_reasons_add(P, &reasons, rm.w[i].reasons);
                }
        if (any) {
                P->cmdline_changed = true;
                switch (P->bootloader) {
                case GD_BOOTLOADER_KERNELSTUB:
                        edit_kernelstub(P, &add, &rm);
                        break;
                case GD_BOOTLOADER_GRUB:
                case GD_BOOTLOADER_SYSTEMD_BOOT:
                case GD_BOOTLOADER_PROXMOX_BOOT:
                        edit_statements(P, &add, &rm, reasons);
                        break;
                default: {
                        struct gd_plan_step *s = planner_step(P, GD_PHASE_CMDLINE, GD_STEP_PERSON,
                                                              "Change the kernel command line");
                        _cleanup_free_ char *list = NULL;
                        size_t len = 0;
                        FILE *f = open_memstream(&list, &len);
                        if (!s || !f) {
                                if (f)
                                        fclose(f);
                                P->oom = true;
                                break;
                        }
                        for (size_t i = 0; i < add.n; i++)
                                if (!next_has(P, &add.w[i]))
                                        fprintf(f, "%sadd %s", len ? ", " : "", add.w[i].text), fflush(f);
                        for (size_t i = 0; i < rm.n; i++)
                                if (next_has(P, &rm.w[i]))
                                        fprintf(f, "%sremove %s", len ? ", " : "", rm.w[i].text), fflush(f);
                        if (fclose(f) != 0 || asprintf(&s->text, "In the boot loader's configuration: %s.", list) < 0)
                                P->oom = true;
                        s->question = planner_ask(P, "bootloader");
                        planner_reasons_add(P, &s->reasons, reasons);
                        break;
                }
                }
                planner_reasons_add(P, &P->refresh_reasons, reasons);
                planner_reasons_add(P, &P->reboot_reasons, reasons);
        }
        words_clear(&add);
        words_clear(&rm);
}
