/* SPDX-License-Identifier: MIT */
/* The floor under the accuracy benchmark (tests/accuracy.c): every real
 * report of sysfs-snapshots/reports/, imported fresh and explained, must
 * give no GPU a READY its blind label does not accept (a wrong READY is the
 * worst bug), must not crash gpudiag, and must import whenever its text
 * names a PCI address.  How often the verdicts and causes agree with the
 * labels is measured, not asserted (`make accuracy`). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "checks/check.h"
#include "reports.h"
#include "testbed-run.h"

static char *reports_dir(void) {
        return snapshot_path("reports");
}

Test(reports, labels_parse_and_name_only_reports_that_exist) {
        _cleanup_free_ char *dir = reports_dir(), *path = NULL, *error = NULL;
        _cleanup_strv_free_ char **names = reports_list(dir);
        struct report_label *l = NULL;
        size_t n = 0;

        cr_assert(asprintf(&path, "%s/LABELS", dir) >= 0);
        cr_assert_eq(reports_load_labels(path, &l, &n, &error), 0, "%s", error ? error : path);
        cr_assert_geq(strv_length(names), 80, "the benchmark wants 80 reports or more");
        for (size_t i = 0; i < n; i++) {
                cr_expect(strv_contains(names, l[i].report), "LABELS names %s, which is not a report", l[i].report);
                cr_expect(l[i].accepted && l[i].accepted[0], "%s %s: no verdict", l[i].report, l[i].address);
                for (size_t k = 0; l[i].accepted && l[i].accepted[k]; k++)
                        cr_expect(streq(l[i].accepted[k], "ready") || streq(l[i].accepted[k], "not-ready") ||
                                  streq(l[i].accepted[k], "unknown"), "%s: bad verdict %s", l[i].report,
                                  l[i].accepted[k]);
        }
        reports_free_labels(l, n);
}

Test(reports, every_report_imports_when_it_names_a_device_and_never_gets_a_false_ready) {
        _cleanup_free_ char *dir = reports_dir(), *path = NULL, *error = NULL;
        _cleanup_strv_free_ char **names = reports_list(dir);
        char scratch[] = "/tmp/gd-reports-XXXXXX";
        struct report_label *l = NULL;
        size_t n = 0;

        cr_assert(asprintf(&path, "%s/LABELS", dir) >= 0);
        cr_assert_eq(reports_load_labels(path, &l, &n, &error), 0, "%s", error ? error : path);
        cr_assert_not_null(mkdtemp(scratch));
        for (size_t k = 0; names && names[k]; k++) {
                struct report_run r = { 0 };

                cr_assert_eq(reports_run(dir, names[k], scratch, &r), 0, "%s: could not run gpudiag", names[k]);
                cr_expect(r.import_status >= 0, "%s: import died of a signal: %s", names[k], r.import_err);
                cr_expect(r.import_status == 0 || !r.has_address, "%s names a PCI address but import refused it: %s",
                          names[k], r.import_err);
                cr_expect(r.explain_status == -2 || (r.explain_status >= 0 && r.explain_status <= 1),
                          "%s: explain exit %d: %s", names[k], r.explain_status, r.explain_err);
                for (size_t i = 0; i < r.n_gpus; i++) {
                        bool accepted = false;

                        if (!streq(r.gpus[i].verdict, "ready"))
                                continue;
                        for (size_t j = 0; j < n; j++)
                                if (streq(l[j].report, names[k]) && reports_find_gpu(&r, l[j].address) == &r.gpus[i])
                                        accepted = accepted || strv_contains(l[j].accepted, "ready");
                        cr_expect(accepted, "%s: gpudiag says %s is READY, which its label does not accept", names[k],
                                  r.gpus[i].address);
                }
                reports_run_clear(&r);
        }
        rmdir(scratch);
        reports_free_labels(l, n);
}

/* The truth rules of partial evidence (issue 14), over every real report:
 * what a paste does not show is "not in the pasted text", never a
 * permission problem of the host that produced it, and no remedy that
 * needs every device of the host (a blacklist line, "no device has this
 * ID", a VM address "not on this host") is given from a paste. */
static const char *const never_from_a_paste[] = {
        "gpudiag as root", "run as root", "Permission denied", "(unreadable)", "could not be read",
        "\\n  blacklist ", "no PCI device has this ID", "not on this host",
};

Test(reports, an_imported_report_is_never_blamed_on_permissions_nor_given_a_whole_host_remedy) {
        _cleanup_free_ char *dir = reports_dir();
        _cleanup_strv_free_ char **names = reports_list(dir);
        char scratch[] = "/tmp/gd-reports-XXXXXX";

        cr_assert_not_null(mkdtemp(scratch));
        for (size_t k = 0; names && names[k]; k++) {
                struct report_run r = { 0 };

                cr_assert_eq(reports_run(dir, names[k], scratch, &r), 0, "%s: could not run gpudiag", names[k]);
                for (size_t i = 0; r.explain_out && i < ELEMENTSOF(never_from_a_paste); i++)
                        cr_expect_null(strstr(r.explain_out, never_from_a_paste[i]), "%s: explain says \"%s\"",
                                       names[k], never_from_a_paste[i]);
                /* import's summary (stderr) tells what to paste next. */
                for (size_t i = 0; r.import_err && i < ELEMENTSOF(never_from_a_paste); i++)
                        cr_expect_null(strstr(r.import_err, never_from_a_paste[i]), "%s: import says \"%s\"",
                                       names[k], never_from_a_paste[i]);
                reports_run_clear(&r);
        }
        rmdir(scratch);
}

/* Every cause a label expects is a finding gpudiag can give (the LABELS
 * header's reconciliation), except the guest-side ids that the host role's
 * branch (h15) reconciles. */
static const char *const reconciled_elsewhere[] = {
        "guest.bar-unassigned", "guest.nvrm-init-failed", "guest.driver-init-failed", "vfio.variant-driver-missing",
};

Test(reports, every_expected_cause_is_a_finding_of_the_catalogue) {
        _cleanup_free_ char *dir = reports_dir(), *path = NULL, *error = NULL;
        struct report_label *l = NULL;
        size_t n = 0;

        cr_assert(asprintf(&path, "%s/LABELS", dir) >= 0);
        cr_assert_eq(reports_load_labels(path, &l, &n, &error), 0, "%s", error ? error : path);
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; l[i].causes && l[i].causes[k]; k++) {
                        bool elsewhere = false;

                        for (size_t j = 0; j < ELEMENTSOF(reconciled_elsewhere); j++)
                                elsewhere = elsewhere || streq(l[i].causes[k], reconciled_elsewhere[j]);
                        cr_expect(elsewhere || gd_catalogue_find(l[i].causes[k]),
                                  "%s %s expects %s, which is no finding id", l[i].report, l[i].address,
                                  l[i].causes[k]);
                }
        reports_free_labels(l, n);
}
