/* SPDX-License-Identifier: MIT */
/* The imported real-world reports (sysfs-snapshots/imported/ *.yaml, built
 * from reports/<name>.txt by sysfs-snapshots/tools/reimport.sh): every
 * bundle replays, and `gpudiag explain --format json` gives each GPU that
 * reports/LABELS (or lspci-vv/LABELS, for the bundles built from the lspci -vv
 * library) labels a verdict the label accepts.  LABELS was written
 * from the reports and their threads before gpudiag ran on them, and
 * changes only with a quoted line of the source (its header says so), so
 * this holds gpudiag to a truth it did not write.  (The old
 * imported/EXPECTED drifted toward gpudiag's answers and is gone.)  The
 * whole set of reports, imported fresh, is `make accuracy`. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "reports.h"
#include "testbed-run.h"

/* The GPU of the JSON's "gpus" whose address, one of whose functions, or
 * whose slot is address: its verdict (newly allocated), or NULL. */
static char *json_verdict(const char *json, const char *address) {
        char key[64], slot[16];
        const char *p = NULL, *v, *next;

        snprintf(key, sizeof(key), "\"%s\"", address);
        for (const char *q = strstr(json, "\"address\": \""); q && !p; q = strstr(q + 1, "\"address\": \"")) {
                const char *end = strstr(q + 1, "\"address\": \"");
                const char *hit = strstr(q, key);

                snprintf(slot, sizeof(slot), "\"%.10s", address);
                if ((hit && (!end || hit < end)) || strncmp(q + strlen("\"address\": "), slot, strlen(slot)) == 0)
                        p = q;
        }
        if (!p)
                return NULL;
        v = strstr(p, "\"verdict\": \"");
        next = strstr(p + 1, "\"address\": \"");
        if (!v || (next && next < v))
                return NULL;
        v += strlen("\"verdict\": \"");
        return strndup(v, strcspn(v, "\""));
}

Test(imported_library, every_bundle_gives_each_labelled_gpu_a_verdict_its_label_accepts) {
        _cleanup_free_ char *dir = snapshot_path("imported"), *labels_path = snapshot_path("reports/LABELS");
        _cleanup_free_ char *vv_labels_path = snapshot_path("lspci-vv/LABELS");
        _cleanup_free_ char *error = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct report_label *l = NULL, *vv = NULL;
        size_t n = 0, n_vv = 0, bundles = 0;
        DIR *d = opendir(dir);
        struct dirent *de;

        cr_assert_eq(reports_load_labels(labels_path, &l, &n, &error), 0, "%s", error ? error : labels_path);
        cr_assert_eq(reports_load_labels(vv_labels_path, &vv, &n_vv, &error), 0, "%s",
                     error ? error : vv_labels_path);
        cr_assert_gt(n_vv, 0);
        {
                struct report_label *all = reallocarray(l, n + n_vv, sizeof(*all));

                cr_assert_not_null(all);
                memcpy(all + n, vv, n_vv * sizeof(*vv));
                free(vv);
                l = all;
                n += n_vv;
        }
        cr_assert_not_null(d, "%s", dir);
        while ((de = readdir(d)))
                if (strlen(de->d_name) > 5 && streq(de->d_name + strlen(de->d_name) - 5, ".yaml"))
                        cr_assert_eq(strv_push_dup(&names, de->d_name), 0);
        closedir(d);
        strv_sort(names);

        for (size_t b = 0; names && names[b]; b++) {
                _cleanup_free_ char *path = NULL, *out = NULL, *err = NULL, *report = NULL;
                char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
                struct gd_testbed *t;
                size_t labelled = 0;
                int status;

                cr_assert(asprintf(&path, "%s/%s", dir, names[b]) >= 0);
                cr_assert(asprintf(&report, "%.*s.txt", (int) (strlen(names[b]) - 5), names[b]) >= 0);
                t = testbed_from_file(path);
                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
                gd_testbed_free(t);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "%s: explain exit %d: %s", names[b],
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1, err);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *got = NULL;

                        if (!streq(l[i].report, report))
                                continue;
                        labelled++;
                        got = json_verdict(out, l[i].address);
                        cr_expect_not_null(got, "%s: gpudiag reports no GPU %s:\n%s", names[b], l[i].address, out);
                        if (got)
                                cr_expect(strv_contains(l[i].accepted, got), "%s %s: gpudiag says %s; LABELS accepts "
                                          "'%s' (%s)", names[b], l[i].address, got, l[i].accepted[0], l[i].reason);
                }
                cr_expect_gt(labelled, 0, "%s: reports/LABELS has no line for %s", names[b], report);
                bundles++;
        }
        cr_assert_gt(bundles, 0);
        reports_free_labels(l, n);
}
