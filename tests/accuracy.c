/* SPDX-License-Identifier: MIT */
/* `make accuracy`: every real report of sysfs-snapshots/reports/ imported
 * fresh and explained (tests/reports.c), against its blind label
 * (reports/LABELS), as a table per GPU and per report with the totals:
 * reports imported, verdicts in the set the label accepts, expected causes
 * named among the findings, false READY.  A benchmark, not a test: it
 * prints what it measures and exits 0 (test-reports.c keeps the floor: no
 * false READY, no crash, no refused report that names a PCI address).
 *
 * Usage: accuracy REPORTS_DIR [SCRATCH_DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/strv.h"
#include "reports.h"

static bool accepts(char * const *accepted, const char *verdict) {
        return strv_contains(accepted, verdict);
}

static bool names_cause(char * const *causes, const struct report_gpu *g) {
        for (size_t i = 0; causes && causes[i]; i++)
                if (g && strv_contains(g->findings, causes[i]))
                        return true;
        return false;
}

int main(int argc, char **argv) {
        _cleanup_free_ char *labels_path = NULL, *error = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct report_label *labels = NULL;
        size_t n_labels = 0;
        char scratch[] = "/tmp/gpudiag-accuracy-XXXXXX";
        const char *dir = argc > 1 ? argv[1] : "sysfs-snapshots/reports";
        /* Totals: per GPU label, per report. */
        size_t reports = 0, imported = 0, with_address = 0, imported_with_address = 0;
        size_t gpus = 0, agree = 0, with_causes = 0, named = 0, false_ready = 0, absent = 0;
        size_t rep_labelled = 0, rep_agree = 0, rep_causes = 0, rep_named = 0;

        if (asprintf(&labels_path, "%s/LABELS", dir) < 0 || reports_load_labels(labels_path, &labels, &n_labels, &error) < 0) {
                fprintf(stderr, "accuracy: %s: %s\n", labels_path, error ? error : "cannot read");
                return 2;
        }
        if (!mkdtemp(scratch)) {
                perror("accuracy: mkdtemp");
                return 2;
        }
        names = reports_list(dir);
        printf("%-62s %-12s %-18s %-10s %-5s %s\n", "report", "gpu", "label", "gpudiag", "agree", "causes (named?)");
        for (size_t k = 0; names && names[k]; k++) {
                struct report_run r = { 0 };
                bool any = false, all_agree = true, any_causes = false, all_named = true;

                if (reports_run(dir, names[k], scratch, &r) < 0) {
                        fprintf(stderr, "accuracy: %s: could not run gpudiag\n", names[k]);
                        continue;
                }
                reports++;
                imported += r.import_status == 0;
                with_address += r.has_address;
                imported_with_address += r.has_address && r.import_status == 0;
                for (size_t i = 0; i < n_labels; i++) {
                        const struct report_label *l = &labels[i];
                        const struct report_gpu *g;
                        const char *got;
                        bool ok, cause;
                        char causes[256] = "-";

                        if (!streq(l->report, names[k]))
                                continue;
                        any = true;
                        g = reports_find_gpu(&r, l->address);
                        got = r.import_status != 0 ? "refused" : g ? g->verdict : "absent";
                        ok = g && accepts(l->accepted, g->verdict);
                        cause = names_cause(l->causes, g);
                        gpus++;
                        agree += ok;
                        absent += r.import_status == 0 && !g;
                        false_ready += g && streq(g->verdict, "ready") && !accepts(l->accepted, "ready");
                        all_agree = all_agree && ok;
                        if (l->causes) {
                                size_t o = 0;
                                with_causes++;
                                named += cause;
                                any_causes = true;
                                all_named = all_named && cause;
                                for (size_t c = 0; l->causes[c] && o < sizeof(causes) - 1; c++)
                                        o += (size_t) snprintf(causes + o, sizeof(causes) - o, "%s%s", c ? "," : "",
                                                               l->causes[c]);
                        }
                        {
                                _cleanup_free_ char *acc = NULL;
                                size_t alen = 0;
                                FILE *f = open_memstream(&acc, &alen);
                                for (size_t a = 0; f && l->accepted && l->accepted[a]; a++)
                                        fprintf(f, "%s%s", a ? "|" : "", l->accepted[a]);
                                if (f)
                                        fclose(f);
                                printf("%-62.62s %-12s %-18s %-10s %-5s %s%s\n", names[k], l->address, acc ? acc : "",
                                       got, ok ? "yes" : "NO", causes,
                                       !l->causes ? "" : cause ? " (named)" : " (not named)");
                        }
                }
                for (size_t i = 0; i < r.n_gpus; i++) {
                        bool labelled = false;
                        for (size_t j = 0; j < n_labels && !labelled; j++)
                                labelled = streq(labels[j].report, names[k]) &&
                                           reports_find_gpu(&r, labels[j].address) == &r.gpus[i];
                        if (!labelled)
                                printf("%-62.62s %-12s %-18s %-10s %-5s %s\n", names[k], r.gpus[i].address,
                                       "(no label)", r.gpus[i].verdict, "", "");
                }
                if (any) {
                        rep_labelled++;
                        rep_agree += all_agree;
                        rep_causes += any_causes;
                        rep_named += any_causes && all_named;
                }
                if (r.import_status != 0)
                        printf("%-62.62s refused: %.100s\n", names[k], r.import_err ? r.import_err : "");
                reports_run_clear(&r);
        }
        rmdir(scratch);
        printf("\nTotals\n");
        printf("  reports imported:             %zu / %zu (naming a PCI address: %zu / %zu)\n", imported, reports,
               imported_with_address, with_address);
        printf("  verdict accepted, per report: %zu / %zu (every labelled GPU of the report)\n", rep_agree, rep_labelled);
        printf("  verdict accepted, per GPU:    %zu / %zu (%zu GPUs gpudiag did not report)\n", agree, gpus, absent);
        printf("  causes named, per report:     %zu / %zu (reports with an expected cause)\n", rep_named, rep_causes);
        printf("  causes named, per GPU:        %zu / %zu\n", named, with_causes);
        printf("  false READY:                  %zu\n", false_ready);
        reports_free_labels(labels, n_labels);
        return 0;
}
