/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/escape.h"
#include "base/macro.h"
#include "base/strv.h"
#include "explain.h"
#include "report/devices.h"

#define ANSI_RED    "\033[1;31m"
#define ANSI_GREEN  "\033[1;32m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_RESET  "\033[0m"
#define EVIDENCE_SHOWN 3

static const char *verdict_label(enum gd_verdict v) {
        return v == GD_VERDICT_READY ? "READY" : v == GD_VERDICT_NOT_READY ? "NOT READY" : "UNKNOWN";
}

static const char *verdict_color(enum gd_verdict v) {
        return v == GD_VERDICT_READY ? ANSI_GREEN : v == GD_VERDICT_NOT_READY ? ANSI_RED : ANSI_YELLOW;
}

/* Findings quote data from the host or the bundle (attribute values,
 * driver names, log lines): printed through base/escape.h, so that their
 * control characters cannot steer the terminal. */
static void print_indented(FILE *out, const char *label, const char *text) {
        const char *line = text;
        bool first = true;

        while (line && *line) {
                const char *nl = strchr(line, '\n');
                _cleanup_free_ char *one = nl ? strndup(line, (size_t) (nl - line)) : strdup(line);

                fprintf(out, "      %-9s ", first ? label : "");
                escape_fputs(one ? one : "", out);
                fputc('\n', out);
                first = false;
                line = nl ? nl + 1 : NULL;
        }
}

static void print_finding(FILE *out, const struct gd_finding *x, const struct gd_report_opts *o) {
        _cleanup_escape_pool_ struct escape_pool p = {};
        const char *sev = gd_severity_to_string(x->severity);
        const char *col = x->severity == GD_SEV_ERROR ? ANSI_RED : x->severity == GD_SEV_WARNING ? ANSI_YELLOW : "";

        fprintf(out, "  %s%-7s%s %s: %s\n", o->color ? col : "", sev, o->color && *col ? ANSI_RESET : "",
                x->id, escape_in(&p, x->summary));
        for (size_t i = 0; i < x->n_evidence; i++) {
                const struct gd_evidence *ev = &x->evidence[i];
                char label[16];

                if (!o->verbose && i == EVIDENCE_SHOWN) {
                        fprintf(out, "      %-9s (%zu more; --verbose shows all)\n", "", x->n_evidence - i);
                        break;
                }
                snprintf(label, sizeof(label), "%s", i == 0 ? "evidence:" : "");
                if (ev->line)
                        fprintf(out, "      %-9s %s:%u: %s\n", label, escape_in(&p, ev->source), ev->line,
                                escape_in(&p, ev->text));
                else
                        fprintf(out, "      %-9s %s: %s\n", label, escape_in(&p, ev->source), escape_in(&p, ev->text));
                escape_pool_clear(&p);
        }
        if (x->remedy)
                print_indented(out, "remedy:", x->remedy);
}

/* Where gpudiag runs and why it thinks so (model/role.c). */
static void print_role(FILE *out, const struct gd_host *h, const struct gd_report_opts *o) {
        struct gd_role_fact rf;

        gd_role_decide(h, &rf);
        fprintf(out, "Role: %s\n", gd_role_to_string(rf.role));
        for (size_t i = 0; i < rf.n_evidence; i++) {
                if (!o->verbose && i == EVIDENCE_SHOWN) {
                        fprintf(out, "      %-9s (%zu more; --verbose shows all)\n", "", rf.n_evidence - i);
                        break;
                }
                if (rf.evidence[i].line)
                        fprintf(out, "      %-9s %s:%u: %s\n", i == 0 ? "evidence:" : "", rf.evidence[i].source,
                                rf.evidence[i].line, rf.evidence[i].text);
                else
                        fprintf(out, "      %-9s %s: %s\n", i == 0 ? "evidence:" : "", rf.evidence[i].source,
                                rf.evidence[i].text);
        }
}

static bool about_target(const struct gd_finding *x, const struct gd_target *t) {
        for (size_t i = 0; i < t->n_functions; i++)
                if (gd_finding_has_subject(x, t->functions[i]->address))
                        return true;
        return false;
}

void gd_report_explain_text(FILE *out, const struct gd_host *h, const struct gd_targets *t,
                            const struct gd_findings *f, const struct gd_report_opts *o) {
        bool host_header = false;

        for (size_t i = 0; i < t->n; i++) {
                _cleanup_escape_pool_ struct escape_pool p = {};
                const struct gd_target *tg = &t->items[i];
                enum gd_verdict v = gd_verdict_for(tg, f);
                char name[512], ids[32];

                gd_pci_format_name(tg->gpu, false, name, sizeof(name));
                gd_pci_format_ids(tg->gpu, ids, sizeof(ids));
                fprintf(out, "%s%s%s  %s  [%s]\n", o->color ? verdict_color(v) : "", verdict_label(v),
                        o->color ? ANSI_RESET : "", tg->gpu->address, ids);
                fprintf(out, "  %s\n", escape_in(&p, name));
                fprintf(out, "  question: %s?\n", gd_question_text(tg->question));
                for (size_t j = 0; j < tg->n_functions; j++) {
                        const struct gd_pci_dev *d = tg->functions[j];
                        char grp[16], fids[32];

                        if (d->iommu_group == GD_GROUP_NONE)
                                snprintf(grp, sizeof(grp), "none");
                        else
                                snprintf(grp, sizeof(grp), "%d", d->iommu_group);
                        gd_pci_format_ids(d, fids, sizeof(fids));
                        fprintf(out, "  function %s [%s] %s, driver %s, IOMMU group %s\n", d->address,
                                fids, escape_in(&p, gd_pci_class_text(d)),
                                escape_in(&p, d->driver_known != TRI_YES ? "unknown" : d->driver ? d->driver : "none"),
                                grp);
                        escape_pool_clear(&p);
                }
                for (size_t k = 0; k < f->n; k++)
                        if (about_target(&f->items[k], tg))
                                print_finding(out, &f->items[k], o);
                if (v != GD_VERDICT_READY) {
                        char **missing = gd_verdict_unproven(tg, f);
                        if (missing) {
                                fprintf(out, "  not proven:");
                                for (size_t k = 0; missing[k]; k++) {
                                        fprintf(out, "%s ", k ? "," : "");
                                        escape_fputs(missing[k], out);
                                }
                                fputc('\n', out);
                        }
                        strv_free(missing);
                }
                fputc('\n', out);
        }

        for (size_t k = 0; k < f->n; k++) {
                const struct gd_finding *x = &f->items[k];
                bool on_target = false;

                for (size_t i = 0; i < t->n && !on_target; i++)
                        on_target = about_target(x, &t->items[i]);
                if (on_target)
                        continue;
                if (!host_header) {
                        _cleanup_escape_pool_ struct escape_pool p = {};

                        fprintf(out, "Host (%s%s%s):\n", h->kernel_release ? "kernel " : "",
                                h->kernel_release ? escape_in(&p, h->kernel_release) : "kernel unknown",
                                h->imported ? ", imported from pasted text" :
                                h->replayed ? ", replayed from a bundle" : "");
                        host_header = true;
                }
                print_finding(out, x, o);
        }
        print_role(out, h, o);
        if (t->n == 0)
                fprintf(out, "\nNo GPU to pass through on this host.\n");
}
