/* SPDX-License-Identifier: MIT */
/* The planner's spine: the steps list, reasons, questions, the person
 * steps, and the order (plan.h).  The file edits are plan-files.c, the
 * kernel command line plan-cmdline.c, module configuration
 * plan-modules.c, the initramfs plan-initramfs.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strv.h"
#include "plan-internal.h"

static const struct {
        const char *name, *title;
} phases[_GD_PHASE_MAX] = {
        [GD_PHASE_PREPARE] = { "prepare", "Before anything else" },
        [GD_PHASE_FIRMWARE] = { "firmware", "Firmware setup" },
        [GD_PHASE_HARDWARE] = { "hardware", "Hardware" },
        [GD_PHASE_CMDLINE] = { "cmdline", "Kernel command line" },
        [GD_PHASE_MODULES] = { "modules", "vfio-pci binding and module configuration" },
        [GD_PHASE_INITRAMFS] = { "initramfs", "Initramfs" },
        [GD_PHASE_BOOTLOADER] = { "bootloader", "Boot loader" },
        [GD_PHASE_REBOOT] = { "reboot", "Reboot" },
        [GD_PHASE_NOW] = { "now", "Now, without a reboot" },
        [GD_PHASE_VERIFY] = { "verify", "Verify" },
        [GD_PHASE_VM] = { "vm", "VM configuration" },
};

const char *gd_plan_phase_name(enum gd_plan_phase p) {
        return (unsigned) p < _GD_PHASE_MAX ? phases[p].name : "?";
}

const char *gd_plan_phase_title(enum gd_plan_phase p) {
        return (unsigned) p < _GD_PHASE_MAX ? phases[p].title : "?";
}

const char *gd_step_kind_name(enum gd_step_kind k) {
        switch (k) {
        case GD_STEP_EDIT: return "edit";
        case GD_STEP_COMMAND: return "command";
        case GD_STEP_PERSON: return "person";
        case GD_STEP_VERIFY: return "verify";
        }
        return "?";
}

bool gd_step_needs_person(const struct gd_plan_step *s) {
        return s->kind == GD_STEP_PERSON || s->question;
}

/* ---- building blocks ---------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap) {
        char *s = NULL;
        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

struct gd_plan_step *planner_step(struct planner *P, enum gd_plan_phase phase, enum gd_step_kind kind,
                                  const char *title_fmt, ...) {
        struct gd_plan *p = P->plan;
        struct gd_plan_step *s = reallocarray(p->steps, p->n_steps + 1, sizeof(*s));
        va_list ap;

        if (!s) {
                P->oom = true;
                return NULL;
        }
        p->steps = s;
        s = &s[p->n_steps];
        *s = (struct gd_plan_step) { .phase = phase, .kind = kind };
        va_start(ap, title_fmt);
        s->title = vformat(title_fmt, ap);
        va_end(ap);
        if (!s->title) {
                P->oom = true;
                return NULL;
        }
        p->n_steps++;
        return s;
}

void planner_reason(struct planner *P, char ***reasons, const struct gd_finding *x) {
        char *r = NULL;

        if (!x)
                return;
        if (asprintf(&r, "%s%s%s", x->id, x->subjects && x->subjects[0] ? " " : "",
                     x->subjects && x->subjects[0] ? x->subjects[0] : "") < 0) {
                P->oom = true;
                return;
        }
        if (strv_contains(*reasons, r)) {
                free(r);
                return;
        }
        if (strv_consume(reasons, r) < 0)
                P->oom = true;
}

void planner_reasons_add(struct planner *P, char ***reasons, char * const *more) {
        for (size_t i = 0; more && more[i]; i++)
                if (!strv_contains(*reasons, more[i]) && strv_push_dup(reasons, more[i]) < 0)
                        P->oom = true;
}

static void push_text(struct planner *P, char ***list, const char *fmt, va_list ap) {
        char *s = vformat(fmt, ap);

        if (!s) {
                P->oom = true;
                return;
        }
        if (strv_contains(*list, s)) {
                free(s);
                return;
        }
        if (strv_consume(list, s) < 0)
                P->oom = true;
}

void planner_conflict(struct planner *P, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        push_text(P, &P->plan->conflicts, fmt, ap);
        va_end(ap);
}

void planner_note(struct planner *P, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        push_text(P, &P->plan->notes, fmt, ap);
        va_end(ap);
}

void planner_argv(struct planner *P, struct gd_plan_step *s, ...) {
        va_list ap;
        const char *w;

        if (!s)
                return;
        va_start(ap, s);
        while ((w = va_arg(ap, const char *)))
                if (strv_push_dup(&s->argv, w) < 0)
                        P->oom = true;
        va_end(ap);
}

bool planner_is_target(const struct planner *P, const char *address) {
        for (size_t i = 0; i < P->t->n; i++)
                if (gd_target_has(&P->t->items[i], address))
                        return true;
        return false;
}

struct item *planner_items(struct planner *P, enum gd_action_kind kind, size_t *ret_n) {
        struct item *items = NULL;
        size_t n = 0;

        for (size_t i = 0; i < P->f->n; i++)
                for (size_t j = 0; j < P->f->items[i].n_actions; j++) {
                        struct item *g;
                        if (P->f->items[i].actions[j].kind != kind)
                                continue;
                        g = reallocarray(items, n + 1, sizeof(*g));
                        if (!g) {
                                P->oom = true;
                                free(items);
                                *ret_n = 0;
                                return NULL;
                        }
                        items = g;
                        items[n++] = (struct item) { &P->f->items[i].actions[j], &P->f->items[i] };
                }
        *ret_n = n;
        return items;
}

/* ---- person steps ----------------------------------------------------------- */

static void person_steps(struct planner *P, enum gd_action_kind kind, enum gd_plan_phase phase) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, kind, &n);

        for (size_t i = 0; i < n; i++) {
                const struct gd_action *a = items[i].a;
                struct gd_plan_step *s = NULL;
                _cleanup_free_ char *title = NULL;
                int r = kind == GD_ACT_FIRMWARE ? asprintf(&title, "In the firmware setup (UEFI/BIOS): %s", a->text) :
                        kind == GD_ACT_MOVE_CARD ? asprintf(&title, "Move the card at %s to %s", a->arg, a->text) :
                                                   asprintf(&title, "%s", a->text);

                if (r < 0) {
                        P->oom = true;
                        return;
                }
                for (size_t k = 0; k < P->plan->n_steps; k++)
                        if (P->plan->steps[k].phase == phase && streq(P->plan->steps[k].title, title))
                                s = &P->plan->steps[k];
                if (!s) {
                        s = planner_step(P, phase, GD_STEP_PERSON, "%s", title);
                        if (!s)
                                return;
                        /* A moved card has another address. */
                        if (kind == GD_ACT_MOVE_CARD &&
                            !(s->text = strdup("Then run gpudiag plan again: the card's address changes, and so "
                                               "do the steps that name it.")))
                                P->oom = true;
                }
                planner_reason(P, &s->reasons, items[i].x);
        }
}

/* A finding that asks for something and attaches no action: only its
 * remedy text can say what, so a person reads it in the plan. */
static void unstructured_findings(struct planner *P) {
        for (size_t i = 0; i < P->f->n; i++) {
                const struct gd_finding *x = &P->f->items[i];
                enum gd_plan_phase phase = startswith(x->id, "vm.") || startswith(x->id, "gpu.functions-split")
                        ? GD_PHASE_VM : GD_PHASE_PREPARE;
                struct gd_plan_step *s = NULL;

                /* Advice that changes no verdict stays in explain, except
                 * for the VM configuration, the plan's last phase. */
                if (x->n_actions > 0 || !x->remedy || (x->effect == GD_EFFECT_NONE && phase != GD_PHASE_VM) ||
                    x->severity == GD_SEV_INFO)
                        continue;
                for (size_t k = 0; k < P->plan->n_steps; k++)
                        if (P->plan->steps[k].kind == GD_STEP_PERSON && streq(P->plan->steps[k].text, x->remedy))
                                s = &P->plan->steps[k];
                if (!s) {
                        s = planner_step(P, phase, GD_STEP_PERSON, "%s", x->summary);
                        if (!s)
                                return;
                        s->text = strdup(x->remedy);
                        if (!s->text)
                                P->oom = true;
                }
                planner_reason(P, &s->reasons, x);
        }
}

/* ---- reboot and verification --------------------------------------------------- */

static void reboot_step(struct planner *P) {
        struct gd_plan_step *s = planner_step(P, GD_PHASE_REBOOT, GD_STEP_PERSON, "Reboot the host");

        if (!s)
                return;
        s->text = strdup("Reboot, so that the kernel command line, the initramfs and the module configuration "
                         "above take effect (gpudiag apply never reboots by itself).");
        if (!s->text)
                P->oom = true;
        planner_reasons_add(P, &s->reasons, P->reboot_reasons);
        planner_reasons_add(P, &s->reasons, P->refresh_reasons);
        P->plan->needs_reboot = true;
}

static void verify_steps(struct planner *P) {
        for (size_t i = 0; i < P->t->n; i++) {
                const struct gd_target *t = &P->t->items[i];
                char slot[GD_ADDR_LEN];
                struct gd_plan_step *s;

                snprintf(slot, sizeof(slot), "%04x:%02x:%02x", t->gpu->domain, t->gpu->bus, t->gpu->dev);
                s = planner_step(P, GD_PHASE_VERIFY, GD_STEP_VERIFY, "Every function of %s is on vfio-pci",
                                 t->gpu->address);
                planner_argv(P, s, "lspci", "-nnk", "-s", slot, NULL);
                if (s && !(s->expect = strdup("Kernel driver in use: vfio-pci, under each function")))
                        P->oom = true;
                s = planner_step(P, GD_PHASE_VERIFY, GD_STEP_VERIFY, "%s is READY", t->gpu->address);
                planner_argv(P, s, "gpudiag", "explain", "-s", t->gpu->address, NULL);
                if (s && !(s->expect = strdup("READY")))
                        P->oom = true;
        }
        if (P->cmdline_changed) {
                struct gd_plan_step *s = planner_step(P, GD_PHASE_VERIFY, GD_STEP_VERIFY,
                                                      "The running kernel got the new command line");
                planner_argv(P, s, "cat", "/proc/cmdline", NULL);
                if (s && !(s->expect = strdup("the arguments the command-line step added, none it removed")))
                        P->oom = true;
        }
}

/* Findings that keep a GPU from READY, and every change they ask for is
 * already made: the configuration is in place but not in effect (the host
 * was not rebooted since, or a module was not loaded).  Said, and a reboot
 * is the step, rather than "nothing to change". */
static void in_place_not_in_effect(struct planner *P) {
        char **blocking = NULL;

        for (size_t i = 0; i < P->plan->n_steps; i++)
                if (P->plan->steps[i].kind != GD_STEP_VERIFY)
                        return;
        for (size_t i = 0; i < P->f->n; i++)
                if (P->f->items[i].effect != GD_EFFECT_NONE && P->f->items[i].n_actions > 0)
                        planner_reason(P, &blocking, &P->f->items[i]);
        if (!blocking)
                return;
        planner_note(P, "Everything the findings ask for is in the configuration already, yet they keep the GPU "
                        "from READY: the configuration is not in effect. Reboot, then run gpudiag explain.");
        planner_reasons_add(P, &P->reboot_reasons, blocking);
        strv_free(blocking);
        reboot_step(P);
}

/* ---- the whole ------------------------------------------------------------------ */

/* Within a phase the files first, then the commands that act on them
 * (the initramfs is rebuilt after its module list is written). */
static int kind_rank(enum gd_step_kind k) {
        return k == GD_STEP_COMMAND ? 1 : k == GD_STEP_VERIFY ? 2 : 0;
}

static int cmp_phase(const void *a, const void *b) {
        const struct gd_plan_step *x = a, *y = b;

        if (x->phase != y->phase)
                return x->phase < y->phase ? -1 : 1;
        if (kind_rank(x->kind) != kind_rank(y->kind))
                return kind_rank(x->kind) < kind_rank(y->kind) ? -1 : 1;
        return 0;
}

static void sort_steps(struct gd_plan *p) {
        /* Insertion sort: stable, and plans have tens of steps. */
        for (size_t i = 1; i < p->n_steps; i++) {
                struct gd_plan_step s = p->steps[i];
                size_t j = i;
                while (j > 0 && cmp_phase(&p->steps[j - 1], &s) > 0) {
                        p->steps[j] = p->steps[j - 1];
                        j--;
                }
                p->steps[j] = s;
        }
}

static void always(struct planner *P, enum gd_action_kind kind, bool *want, char ***reasons) {
        size_t n;
        _cleanup_free_ struct item *items = planner_items(P, kind, &n);

        for (size_t i = 0; i < n; i++)
                if (streq(items[i].a->arg, GD_ACT_ALWAYS)) {
                        *want = true;
                        planner_reason(P, reasons, items[i].x);
                }
}

int gd_plan_build(const struct gd_host *h, const struct gd_targets *t, const struct gd_findings *f,
                  const struct gd_plan_answers *a, const struct gd_targets *candidates, struct gd_plan *ret) {
        const struct gd_bootconfig *b = h->bootconfig;
        struct gd_plan plan = {};
        struct planner P = {
                .h = h, .t = t, .f = f, .plan = &plan,
                .bootloader = b ? b->bootloader : GD_BOOTLOADER_UNKNOWN,
                .grub_mkconfig = b ? b->grub_mkconfig : NULL,
                .initramfs = b ? b->initramfs_tool : GD_INITRAMFS_UNKNOWN,
        };
        _cleanup_free_ char *cmdline_ids = NULL;

        if (a && a->bootloader != GD_BOOTLOADER_UNKNOWN) {
                P.bootloader = a->bootloader;
                P.grub_mkconfig = a->grub_mkconfig;
        }
        if (a && a->initramfs_tool != GD_INITRAMFS_UNKNOWN)
                P.initramfs = a->initramfs_tool;

        for (size_t i = 0; i < t->n; i++)
                if (strv_push_dup(&plan.targets, t->items[i].gpu->address) < 0)
                        P.oom = true;
        if (candidates && candidates->n > 0)
                planner_ask_gpu(&P, candidates);
        for (size_t i = 0; i < t->n; i++)
                if (t->items[i].gpu->boot_vga == TRI_YES)
                        planner_note(&P, "%s is the boot VGA device: once it is on vfio-pci the host has no local "
                                     "display (use another GPU, a serial console or SSH).", t->items[i].gpu->address);

        person_steps(&P, GD_ACT_MANUAL, GD_PHASE_PREPARE);
        unstructured_findings(&P);
        person_steps(&P, GD_ACT_FIRMWARE, GD_PHASE_FIRMWARE);
        person_steps(&P, GD_ACT_MOVE_CARD, GD_PHASE_HARDWARE);

        plan_modules(&P, &cmdline_ids);
        plan_cmdline(&P, cmdline_ids);
        plan_file_lines(&P);
        plan_initramfs(&P);

        /* What findings need by themselves (GD_ACT_ALWAYS: written but
         * never applied), beside what the edits above made necessary. */
        always(&P, GD_ACT_INITRAMFS_REBUILD, &P.want_rebuild, &P.rebuild_reasons);
        always(&P, GD_ACT_BOOTLOADER_REFRESH, &P.want_refresh, &P.refresh_reasons);
        always(&P, GD_ACT_REBOOT, &P.want_reboot, &P.reboot_reasons);
        plan_rebuild(&P);
        if (P.want_refresh || P.cmdline_changed)
                plan_bootloader_refresh(&P);
        if (P.want_reboot || P.want_rebuild || P.want_refresh || P.cmdline_changed || P.modules_changed ||
            P.boot_files_changed)
                reboot_step(&P);
        else {
                plan_bind_now(&P);
                in_place_not_in_effect(&P);
        }
        if (t->n > 0)
                verify_steps(&P);

        pfiles_finish(&P);
        sort_steps(&plan);
        plan.bootloader = P.bootloader;
        plan.initramfs_tool = P.initramfs;

        strv_free(P.ids_reasons);
        strv_free(P.rebuild_reasons);
        strv_free(P.refresh_reasons);
        strv_free(P.reboot_reasons);
        pfiles_clear(&P);
        if (P.oom) {
                gd_plan_clear(&plan);
                return -ENOMEM;
        }
        *ret = plan;
        return 0;
}

void gd_plan_clear(struct gd_plan *p) {
        for (size_t i = 0; i < p->n_steps; i++) {
                struct gd_plan_step *s = &p->steps[i];
                free(s->title);
                strv_free(s->reasons);
                free(s->path);
                free(s->before);
                free(s->after);
                free(s->diff);
                strv_free(s->changes);
                strv_free(s->argv);
                strv_free(s->touches);
                strv_free(s->undo_argv);
                free(s->expect);
                free(s->text);
                free(s->note);
        }
        free(p->steps);
        for (size_t i = 0; i < p->n_questions; i++) {
                free(p->questions[i].text);
                strv_free(p->questions[i].choices);
        }
        free(p->questions);
        strv_free(p->targets);
        strv_free(p->conflicts);
        strv_free(p->notes);
        *p = (struct gd_plan) {};
}
