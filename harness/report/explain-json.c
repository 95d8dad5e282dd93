/* SPDX-License-Identifier: MIT */
/* The JSON form of explain; the schema is doc/explain-json.md and
 * tests/test-explain-json.c checks every document against it. */
#include <errno.h>
#include <stdio.h>

#include "base/emit.h"
#include "base/strv.h"
#include "explain.h"

static void emit_finding(struct gd_emit *e, const struct gd_finding *x) {
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "id", x->id);
        gd_emit_kv_str(e, "severity", gd_severity_to_string(x->severity));
        gd_emit_kv_str(e, "effect", x->effect == GD_EFFECT_BLOCKS ? "blocks" :
                                    x->effect == GD_EFFECT_UNKNOWN ? "unknown" : "none");
        gd_emit_key(e, "subjects");
        gd_emit_seq_begin(e);
        for (size_t i = 0; x->subjects && x->subjects[i]; i++)
                gd_emit_str(e, x->subjects[i]);
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "summary", x->summary);
        gd_emit_key(e, "evidence");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < x->n_evidence; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "source", x->evidence[i].source);
                gd_emit_key(e, "line");
                if (x->evidence[i].line)
                        gd_emit_int(e, x->evidence[i].line);
                else
                        gd_emit_null(e);
                gd_emit_kv_str(e, "text", x->evidence[i].text);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "remedy", x->remedy);
        gd_emit_key(e, "edits");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < x->n_edits; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "file", x->edits[i].file);
                gd_emit_key(e, "line");
                if (x->edits[i].line)
                        gd_emit_int(e, x->edits[i].line);
                else
                        gd_emit_null(e);
                gd_emit_kv_str(e, "key", x->edits[i].key);
                gd_emit_kv_str(e, "old", x->edits[i].old_value);
                gd_emit_kv_str(e, "new", x->edits[i].new_value);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
}

static void emit_target(struct gd_emit *e, const struct gd_target *t, const struct gd_findings *f) {
        char name[512];
        char **unproven;

        gd_pci_format_name(t->gpu, false, name, sizeof(name));
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "address", t->gpu->address);
        gd_emit_kv_str(e, "name", name);
        /* null: an imported device whose IDs the paste did not show. */
        if (t->gpu->ids_unknown) {
                gd_emit_key(e, "vendor");
                gd_emit_null(e);
                gd_emit_key(e, "device");
                gd_emit_null(e);
        } else {
                gd_emit_kv_hex4(e, "vendor", t->gpu->vendor);
                gd_emit_kv_hex4(e, "device", t->gpu->device);
        }
        gd_emit_kv_tri(e, "boot_vga", t->gpu->boot_vga);
        gd_emit_key(e, "functions");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < t->n_functions; i++)
                gd_emit_str(e, t->functions[i]->address);
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "question", gd_question_to_string(t->question));
        gd_emit_kv_str(e, "question_text", gd_question_text(t->question));
        gd_emit_kv_str(e, "verdict", gd_verdict_to_string(gd_verdict_for(t, f)));
        /* The required conditions no check proved: why a GPU with no
         * blocking finding is still UNKNOWN. */
        unproven = gd_verdict_unproven(t, f);
        gd_emit_key(e, "unproven");
        gd_emit_seq_begin(e);
        for (size_t i = 0; unproven && unproven[i]; i++)
                gd_emit_str(e, unproven[i]);
        gd_emit_seq_end(e);
        strv_free(unproven);
        gd_emit_key(e, "findings");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < f->n; i++) {
                const struct gd_finding *x = &f->items[i];
                bool about = !x->subjects || !x->subjects[0];
                for (size_t j = 0; !about && j < t->n_functions; j++)
                        about = gd_finding_has_subject(x, t->functions[j]->address);
                if (about)
                        gd_emit_str(e, x->id);
        }
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
}

int gd_report_explain_json(FILE *out, const struct gd_host *h, const struct gd_targets *t,
                           const struct gd_findings *f) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(out, GD_EMIT_JSON);
        struct gd_role_fact rf;

        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_key(e, "gpus");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < t->n; i++)
                emit_target(e, &t->items[i], f);
        gd_emit_seq_end(e);

        gd_emit_key(e, "findings");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < f->n; i++)
                emit_finding(e, &f->items[i]);
        gd_emit_seq_end(e);

        gd_emit_key(e, "host");
        gd_emit_map_begin(e);
        gd_role_decide(h, &rf);
        gd_emit_kv_str(e, "role", gd_role_to_string(rf.role));
        gd_emit_key(e, "role_evidence");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < rf.n_evidence; i++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "source", rf.evidence[i].source);
                gd_emit_key(e, "line");
                if (rf.evidence[i].line)
                        gd_emit_int(e, rf.evidence[i].line);
                else
                        gd_emit_null(e);
                gd_emit_kv_str(e, "text", rf.evidence[i].text);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "kernel", h->kernel_release);
        gd_emit_kv_str(e, "cpu_vendor", h->cpu_vendor);
        gd_emit_kv_tri(e, "hypervisor", h->hypervisor);
        gd_emit_kv_str(e, "dmi_sys_vendor", h->dmi_sys_vendor);
        gd_emit_kv_str(e, "dmi_product_name", h->dmi_product_name);
        gd_emit_kv_int(e, "pci_devices", (long long) h->n_devs);
        gd_emit_kv_int(e, "iommu_groups", (long long) h->n_groups);
        gd_emit_kv_bool(e, "root", h->is_root);
        gd_emit_kv_bool(e, "replayed", h->replayed);
        gd_emit_map_end(e);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}
