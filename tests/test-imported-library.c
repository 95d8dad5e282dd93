/* SPDX-License-Identifier: MIT */
/* The imported real-world reports (sysfs-snapshots/imported/ *.yaml): every
 * bundle replays, and `gpudiag explain --format json` gives each GPU the
 * verdict recorded for it in sysfs-snapshots/imported/EXPECTED, which was
 * read from the report text, not from gpudiag.  A line marked xfail is a
 * known wrong verdict: the test asserts it still differs, so a fix shows. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "testbed-run.h"

struct expected {
        char bundle[128], address[16], verdict[16];
        bool xfail, seen;
};

static size_t load_expected(struct expected *e, size_t max) {
        _cleanup_free_ char *path = snapshot_path("imported/EXPECTED"), *text = NULL;
        size_t len, n = 0;

        cr_assert_eq(read_file_capped(path, 1u << 20, &text, &len), 0, "cannot read %s", path);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                char xf[16] = "";

                if (line[0] == '#' || line[0] == '\0')
                        continue;
                cr_assert_lt(n, max);
                cr_assert_geq(sscanf(line, "%127s %15s %15s %15s", e[n].bundle, e[n].address, e[n].verdict, xf), 3,
                              "EXPECTED: bad line '%s'", line);
                cr_assert(streq(e[n].verdict, "ready") || streq(e[n].verdict, "not-ready") || streq(e[n].verdict, "unknown"),
                          "EXPECTED: bad verdict in '%s'", line);
                e[n].xfail = streq(xf, "xfail");
                n++;
        }
        return n;
}

/* The verdict gpudiag's JSON gives the GPU at address, or NULL. */
static char *json_verdict(const char *json, const char *address) {
        char key[64];
        const char *p, *v, *next;

        snprintf(key, sizeof(key), "\"address\": \"%s\"", address);
        p = strstr(json, key);
        if (!p)
                return NULL;
        v = strstr(p, "\"verdict\": \"");
        next = strstr(p + 1, "\"address\": \"");
        if (!v || (next && next < v))
                return NULL;
        v += strlen("\"verdict\": \"");
        return strndup(v, strcspn(v, "\""));
}

static size_t count_gpus(const char *json) {
        const char *end = strstr(json, "\n  \"findings\"");
        size_t n = 0;

        for (const char *p = json; (p = strstr(p, "\n      \"address\": \"")) && (!end || p < end); p++)
                n++;
        return n;
}

Test(imported_library, every_bundle_gives_each_gpu_its_expected_verdict) {
        static struct expected e[512];
        size_t n = load_expected(e, 512), bundles = 0;
        _cleanup_free_ char *dir = snapshot_path("imported");
        _cleanup_strv_free_ char **names = NULL;
        DIR *d = opendir(dir);
        struct dirent *de;

        cr_assert_not_null(d, "%s", dir);
        while ((de = readdir(d)))
                if (strlen(de->d_name) > 5 && streq(de->d_name + strlen(de->d_name) - 5, ".yaml"))
                        cr_assert_eq(strv_push_dup(&names, de->d_name), 0);
        closedir(d);
        strv_sort(names);

        for (size_t b = 0; names && names[b]; b++) {
                _cleanup_free_ char *path = NULL, *out = NULL, *err = NULL;
                char *argv[] = { (char *) gpudiag_binary(), (char *) "explain", (char *) "--format", (char *) "json", NULL };
                struct gd_testbed *t;
                size_t expected_gpus = 0;
                int status;

                cr_assert(asprintf(&path, "%s/%s", dir, names[b]) >= 0);
                t = testbed_from_file(path);
                cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
                gd_testbed_free(t);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "%s: explain exit %d: %s", names[b],
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1, err);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *got = NULL;

                        if (!streq(e[i].bundle, names[b]))
                                continue;
                        e[i].seen = true;
                        expected_gpus++;
                        got = json_verdict(out, e[i].address);
                        cr_assert_not_null(got, "%s: gpudiag reports no GPU %s:\n%s", names[b], e[i].address, out);
                        if (e[i].xfail)
                                cr_expect_str_neq(got, e[i].verdict, "%s %s: xfail now passes (%s): drop the xfail",
                                                  names[b], e[i].address, got);
                        else
                                cr_expect_str_eq(got, e[i].verdict, "%s %s: gpudiag says %s, expected %s", names[b],
                                                 e[i].address, got, e[i].verdict);
                }
                cr_expect_gt(expected_gpus, 0, "%s has no line in EXPECTED", names[b]);
                cr_expect_eq(count_gpus(out), expected_gpus, "%s: gpudiag reports %zu GPUs, EXPECTED lists %zu",
                             names[b], count_gpus(out), expected_gpus);
                bundles++;
        }
        cr_assert_gt(bundles, 0);
        for (size_t i = 0; i < n; i++)
                cr_expect(e[i].seen, "EXPECTED names %s, which is not in sysfs-snapshots/imported", e[i].bundle);
}
