/* SPDX-License-Identifier: MIT */
/* gpudiag groups --predict, rendered: the groups the kernel will form
 * (harness/predict/), in the listing and the schema of `groups`, each
 * device that joined a group with the reason it did, what the predictor
 * could not know, and, when the host has real groups, where the
 * prediction and reality part. */
#include <errno.h>
#include <stdio.h>

#include "base/emit.h"
#include "base/escape.h"
#include "base/strv.h"
#include "report/devices.h"
#include "report/groups.h"

static const char *acs_ctrl_name(enum gd_acs_ctrl_source s) {
        return s == GD_ACS_CTRL_SHOWN ? "shown" : "kernel";
}

static bool group_selected(const struct gd_host *h, const struct gd_predicted_group *g,
                           const struct gd_pci_filter *f) {
        for (size_t k = 0; k < g->n; k++)
                if (gd_pci_filter_match(f, &h->devs[g->devs[k]]))
                        return true;
        return false;
}

static bool removed(const struct gd_prediction *p, size_t i) {
        for (size_t k = 0; k < p->n_removed; k++)
                if (p->removed[k] == i)
                        return true;
        return false;
}

static void text_device(FILE *out, const struct gd_pci_dev *d) {
        char line[512];

        gd_device_format_line(d, line, sizeof(line));
        fputc('\t', out);
        escape_fputs(line, out);
        fputc('\n', out);
}

static void text_header(FILE *out, const struct gd_predict_options *o) {
        fputs("Predicted IOMMU groups: pci_device_group() of ", out);
        if (o->kernel_major)
                fprintf(out, "Linux %u.%u", o->kernel_major, o->kernel_minor);
        else
                fputs("the newest Linux (kernel release unknown)", out);
        fprintf(out, ", ACS control %s", o->acs_ctrl == GD_ACS_CTRL_SHOWN ?
                "as read (the IOMMU is on)" : "as the kernel will program it once the IOMMU is on");
        if (o->rules == GD_RULES_SWITCH_REWORK)
                fputs(", the proposed switch rework", out);
        if (o->acs_override) {
                fputs(", pcie_acs_override=", out);
                escape_fputs(o->acs_override, out);
        }
        fputs(".\n", out);
        for (size_t m = 0; m < o->n_moves; m++)
                fprintf(out, "What-if: %s and its functions behind %s (it keeps its address here).\n",
                        o->moves[m].device, o->moves[m].port);
        fputs("Groups are numbered in the kernel's probe order; a platform may number them otherwise: compare "
              "members, not numbers.\n\n", out);
}

void gd_report_predicted_groups_text(FILE *out, const struct gd_host *h, const struct gd_predict_options *o,
                                     const struct gd_prediction *p, const struct gd_group_diff *diff,
                                     const struct gd_pci_filter *f) {
        bool any = false;

        text_header(out, o);
        for (size_t g = 0; g < p->n_groups; g++) {
                const struct gd_predicted_group *grp = &p->groups[g];

                if (!group_selected(h, grp, f))
                        continue;
                fprintf(out, "Predicted group %u%s:\n", grp->number, grp->uncertain ? " (uncertain: a fact was unknown)" : "");
                for (size_t k = 0; k < grp->n; k++)
                        text_device(out, &h->devs[grp->devs[k]]);
                for (size_t m = 0; m < p->n_merges; m++) {
                        if (p->group_of[p->merges[m].dev] != (int) g)
                                continue;
                        fprintf(out, "\t  why %s: ", h->devs[p->merges[m].dev].address);
                        escape_fputs(p->merges[m].reason, out);
                        fputs(p->merges[m].uncertain ? " (uncertain)\n" : "\n", out);
                }
        }
        for (size_t i = 0; i < h->n_devs; i++) {
                if (p->group_of[i] >= 0 || removed(p, i) || !gd_pci_filter_match(f, &h->devs[i]))
                        continue;
                if (!any)
                        fputs("Not in any group (not translated by the IOMMU):\n", out);
                any = true;
                text_device(out, &h->devs[i]);
        }
        if (p->n_removed > 0) {
                fputs("Off the host in this what-if (the slot holds the moved card):\n", out);
                for (size_t k = 0; k < p->n_removed; k++)
                        text_device(out, &h->devs[p->removed[k]]);
        }
        for (char **s = p->unknowns; s && *s; s++) {
                fputs(s == p->unknowns ? "\nUnknown (the prediction merges rather than guess):\n" : "", out);
                fputc('\t', out);
                escape_fputs(*s, out);
                fputc('\n', out);
        }
        for (char **s = p->notes; s && *s; s++) {
                fputs(s == p->notes ? "\nNotes:\n" : "", out);
                fputc('\t', out);
                escape_fputs(*s, out);
                fputc('\n', out);
        }
        if (!diff)
                return;
        fprintf(out, "\nAgainst the real groups: %zu of %zu real groups predicted exactly (%zu devices compared).\n",
                diff->n_exact_groups, diff->n_real_groups, diff->n_compared);
        for (size_t k = 0; k < diff->n_devs; k++) {
                const struct gd_group_diff_dev *x = &diff->devs[k];

                if (!gd_pci_filter_match(f, &h->devs[x->dev]))
                        continue;
                fprintf(out, "\t%s (real group %d):", h->devs[x->dev].address, h->devs[x->dev].iommu_group);
                for (char **s = x->missing; s && *s; s++)
                        fprintf(out, " -%s", *s);
                for (char **s = x->extra; s && *s; s++)
                        fprintf(out, " +%s", *s);
                if (x->n_missing + x->n_extra > strv_length(x->missing) + strv_length(x->extra))
                        fprintf(out, " (of %zu missing and %zu extra in all)", x->n_missing, x->n_extra);
                fputc('\n', out);
        }
        for (char **s = diff->unpaired; s && *s; s++) {
                fputc('\t', out);
                escape_fputs(*s, out);
                fputc('\n', out);
        }
        if (diff->n_devs > 0)
                fputs("\t(-: in its real group, predicted elsewhere; +: predicted with it, really elsewhere)\n", out);
}

static void emit_strv(struct gd_emit *e, const char *key, char **l) {
        gd_emit_key(e, key);
        gd_emit_seq_begin(e);
        for (char **s = l; s && *s; s++)
                gd_emit_str(e, *s);
        gd_emit_seq_end(e);
}

static void emit_options(struct gd_emit *e, const struct gd_predict_options *o) {
        gd_emit_key(e, "prediction");
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "rules", o->rules == GD_RULES_SWITCH_REWORK ? "switch-rework" : "classic");
        if (o->kernel_major) {
                char k[32];
                snprintf(k, sizeof(k), "%u.%u", o->kernel_major, o->kernel_minor);
                gd_emit_kv_str(e, "kernel", k);
        } else
                gd_emit_kv_str(e, "kernel", NULL);
        gd_emit_kv_str(e, "acs_control", acs_ctrl_name(o->acs_ctrl));
        gd_emit_kv_str(e, "acs_override", o->acs_override);
        gd_emit_key(e, "moves");
        gd_emit_seq_begin(e);
        for (size_t m = 0; m < o->n_moves; m++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "device", o->moves[m].device);
                gd_emit_kv_str(e, "port", o->moves[m].port);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
}

static void emit_group(struct gd_emit *e, const struct gd_host *h, const struct gd_prediction *p, size_t g) {
        const struct gd_predicted_group *grp = &p->groups[g];

        gd_emit_map_begin(e);
        gd_emit_kv_int(e, "group", grp->number);
        gd_emit_kv_str(e, "type", NULL);
        gd_emit_key(e, "devices");
        gd_emit_seq_begin(e);
        for (size_t k = 0; k < grp->n; k++)
                gd_emit_str(e, h->devs[grp->devs[k]].address);
        gd_emit_seq_end(e);
        gd_emit_kv_bool(e, "uncertain", grp->uncertain);
        gd_emit_key(e, "merges");
        gd_emit_seq_begin(e);
        for (size_t m = 0; m < p->n_merges; m++) {
                const struct gd_predict_merge *x = &p->merges[m];

                if (p->group_of[x->dev] != (int) g)
                        continue;
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "device", h->devs[x->dev].address);
                gd_emit_kv_str(e, "with", h->devs[x->with].address);
                gd_emit_kv_str(e, "cause", h->devs[x->cause].address);
                gd_emit_kv_str(e, "kind", gd_merge_kind_to_string(x->kind));
                gd_emit_kv_str(e, "reason", x->reason);
                gd_emit_kv_bool(e, "uncertain", x->uncertain);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
}

static void emit_diff(struct gd_emit *e, const struct gd_host *h, const struct gd_group_diff *d) {
        gd_emit_key(e, "difference");
        if (!d) {
                gd_emit_null(e);
                return;
        }
        gd_emit_map_begin(e);
        gd_emit_kv_int(e, "compared_devices", (long long) d->n_compared);
        gd_emit_kv_int(e, "real_groups", (long long) d->n_real_groups);
        gd_emit_kv_int(e, "exact_groups", (long long) d->n_exact_groups);
        gd_emit_key(e, "devices");
        gd_emit_seq_begin(e);
        for (size_t k = 0; k < d->n_devs; k++) {
                gd_emit_map_begin(e);
                gd_emit_kv_str(e, "device", h->devs[d->devs[k].dev].address);
                gd_emit_kv_int(e, "real_group", h->devs[d->devs[k].dev].iommu_group);
                emit_strv(e, "missing", d->devs[k].missing);
                emit_strv(e, "extra", d->devs[k].extra);
                gd_emit_kv_int(e, "n_missing", (long long) d->devs[k].n_missing);
                gd_emit_kv_int(e, "n_extra", (long long) d->devs[k].n_extra);
                gd_emit_map_end(e);
        }
        gd_emit_seq_end(e);
        emit_strv(e, "unpaired", d->unpaired);
        gd_emit_map_end(e);
}

int gd_report_predicted_groups_json(FILE *out, const struct gd_host *h, const struct gd_predict_options *o,
                                    const struct gd_prediction *p, const struct gd_group_diff *diff,
                                    const struct gd_pci_filter *f) {
        _cleanup_emit_ struct gd_emit *e = gd_emit_new(out, GD_EMIT_JSON);

        if (!e)
                return -ENOMEM;
        gd_emit_map_begin(e);
        gd_emit_key(e, "iommu_groups");
        gd_emit_seq_begin(e);
        for (size_t g = 0; g < p->n_groups; g++)
                if (group_selected(h, &p->groups[g], f))
                        emit_group(e, h, p, g);
        gd_emit_seq_end(e);
        gd_emit_kv_str(e, "iommu_groups_state", "predicted");
        emit_options(e, o);
        gd_emit_key(e, "removed");
        gd_emit_seq_begin(e);
        for (size_t k = 0; k < p->n_removed; k++)
                gd_emit_str(e, h->devs[p->removed[k]].address);
        gd_emit_seq_end(e);
        emit_strv(e, "unknowns", p->unknowns);
        emit_strv(e, "notes", p->notes);
        emit_diff(e, h, diff);
        gd_emit_key(e, "devices");
        gd_emit_seq_begin(e);
        for (size_t i = 0; i < h->n_devs; i++)
                if (!removed(p, i) && gd_pci_filter_match(f, &h->devs[i]))
                        gd_device_emit(e, &h->devs[i]);
        gd_emit_seq_end(e);
        gd_emit_map_end(e);
        return gd_emit_finish(e);
}
