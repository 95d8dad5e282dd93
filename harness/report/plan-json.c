/* SPDX-License-Identifier: MIT */
/* The plan as JSON; the schema is doc/plan-json.md. */
#include <errno.h>

#include "base/emit.h"
#include "plan.h"

static void emit_strv(struct gd_emit *e, const char *key, char * const *l) {
        gd_emit_key(e, key);
        if (!l) {
                gd_emit_null(e);
                return;
        }
        gd_emit_seq_begin(e);
        for (size_t i = 0; l[i]; i++)
                gd_emit_str(e, l[i]);
        gd_emit_seq_end(e);
}

static void emit_list(struct gd_emit *e, const char *key, char * const *l) {
        gd_emit_key(e, key);
        gd_emit_seq_begin(e);
        for (size_t i = 0; l && l[i]; i++)
                gd_emit_str(e, l[i]);
        gd_emit_seq_end(e);
}

static void emit_step(struct gd_emit *e, const struct gd_plan_step *s, size_t number) {
        gd_emit_map_begin(e);
        gd_emit_kv_int(e, "number", (long long) number);
        gd_emit_kv_str(e, "phase", gd_plan_phase_name(s->phase));
        gd_emit_kv_str(e, "kind", gd_step_kind_name(s->kind));
        gd_emit_kv_str(e, "title", s->title);
        gd_emit_kv_bool(e, "needs_person", gd_step_needs_person(s));
        gd_emit_kv_str(e, "question", s->question);
        emit_list(e, "reasons", s->reasons);
        gd_emit_kv_str(e, "text", s->text);
        gd_emit_kv_str(e, "note", s->note);
        gd_emit_kv_str(e, "path", s->path);
        gd_emit_key(e, "creates");
        if (s->kind == GD_STEP_EDIT)
                gd_emit_bool(e, s->before == NULL);
        else
                gd_emit_null(e);
        emit_list(e, "changes", s->changes);
        gd_emit_kv_str(e, "diff", s->diff);
        emit_strv(e, "argv", s->argv);
        emit_list(e, "touches", s->touches);
        emit_strv(e, "undo_argv", s->undo_argv);
        gd_emit_kv_str(e, "expect", s->expect);
        gd_emit_map_end(e);
}

int gd_report_plan_json(FILE *out, const struct gd_plan *p, const struct gd_plan_meta *m) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(out, GD_EMIT_JSON);

        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "format", "gpudiag-plan/1");
        gd_emit_kv_str(e, "source", m->source);
        gd_emit_kv_str(e, "origin", m->origin);
        emit_list(e, "targets", p->targets);
        gd_emit_kv_str(e, "bootloader", gd_bootloader_name(p->bootloader));
        gd_emit_kv_str(e, "initramfs_tool", gd_initramfs_tool_name(p->initramfs_tool));
        gd_emit_key(e, "questions");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < p->n_questions; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "id", p->questions[i].id);
                gd_emit_kv_str(e, "option", p->questions[i].option);
                gd_emit_kv_str(e, "text", p->questions[i].text);
                emit_list(e, "choices", p->questions[i].choices);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_key(e, "steps");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < p->n_steps; i++)
                emit_step(e, &p->steps[i], i + 1);
        gd_emit_seq_end(e);
        gd_emit_kv_bool(e, "needs_reboot", p->needs_reboot);
        emit_list(e, "conflicts", p->conflicts);
        emit_list(e, "notes", p->notes);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}
