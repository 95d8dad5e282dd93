/* SPDX-License-Identifier: MIT */
/* The group predictor on the public lspci -vvnn dumps
 * (sysfs-snapshots/lspci-vv/ *.txt): bench/predict-accuracy imports each,
 * replays it, predicts without the groups and compares partitions.  The
 * target (issue 16): the exact partition on at least 90% of the dumps, the
 * GPU's group exact on every dump that has a GPU, and every dump that is
 * not exact (GPU included) explained in sysfs-snapshots/lspci-vv/EXPLAINED
 * by something lspci cannot show; an override claimed there is checked by
 * predicting with it.  An explained dump that becomes exact fails too, so
 * that the explanation goes. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"

/* The issue asks for at least 30 (sysfs-snapshots/lspci-vv/ has 33). */
#define MIN_DUMPS 30

static char *dumps_dir(void) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/sysfs-snapshots/lspci-vv", src && *src ? src : ".") > 0);
        return p;
}

static bool is_dump(const char *name) {
        size_t l = strlen(name);
        return l > 4 && streq(name + l - 4, ".txt");
}

static char **dump_names(void) {
        _cleanup_free_ char *dir = dumps_dir();
        char **names = NULL;

        cr_assert_eq(dir_list(dir, is_dump, &names), 0, "cannot list %s", dir);
        return names;
}

/* EXPLAINED: "NAME.txt: why" lines, '#' comments; a why that starts
 * "override=SPEC: " claims the dump came from a kernel with
 * pcie_acs_override=SPEC in force, which the test then checks.  Returns
 * the names; *ret_overrides gets "NAME=SPEC" for those claims. */
static char **explained_names_overrides(char ***ret_overrides) {
        _cleanup_free_ char *dir = dumps_dir(), *path = NULL, *text = NULL;
        char **names = NULL;
        size_t len;

        cr_assert(asprintf(&path, "%s/EXPLAINED", dir) > 0);
        cr_assert_eq(read_file_capped(path, 1u << 20, &text, &len), 0, "cannot read %s", path);
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *colon = strstr(line, ".txt: ");

                if (line[0] == '#' || line[0] == '\0')
                        continue;
                cr_assert_not_null(colon, "EXPLAINED: a line is not 'NAME.txt: why': %s", line);
                cr_assert_gt(strlen(colon + 6), 40, "EXPLAINED: %s needs a real explanation", line);
                colon[4] = '\0';
                cr_assert_eq(strv_push_dup(&names, line), 0);
                if (ret_overrides && startswith(colon + 6, "override=")) {
                        char *spec = colon + 6 + strlen("override="), *o = NULL;
                        cr_assert(asprintf(&o, "%s=%.*s", line, (int) strcspn(spec, ": "), spec) > 0);
                        cr_assert_eq(strv_consume(ret_overrides, o), 0);
                }
        }
        return names;
}

static char **explained_names(void) {
        return explained_names_overrides(NULL);
}

/* Runs predict-accuracy over the dumps (with --acs-override=SPEC when
 * override is set); its stdout. */
static char *run_accuracy(char **names, const char *override) {
        _cleanup_free_ char *dir = dumps_dir(), *opt = NULL;
        const char *tool = getenv("PREDICT_ACCURACY");
        char *argv[512] = { (char *) tool };
        char out_tmpl[] = "/tmp/gd-accuracy-XXXXXX";
        size_t n = 1, first, len;
        char *out = NULL;
        int fd, status;
        pid_t pid;

        cr_assert_not_null(tool, "PREDICT_ACCURACY is not set");
        if (override) {
                cr_assert(asprintf(&opt, "--acs-override=%s", override) > 0);
                argv[n++] = opt;
        }
        first = n;
        for (char **s = names; *s && n < ELEMENTSOF(argv) - 1; s++)
                cr_assert(asprintf(&argv[n++], "%s/%s", dir, *s) > 0);
        argv[n] = NULL;
        fd = mkstemp(out_tmpl);
        cr_assert(fd >= 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                dup2(fd, STDOUT_FILENO);
                execv(tool, argv);
                _exit(127);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        close(fd);
        for (size_t k = first; k < n; k++)
                free(argv[k]);
        cr_assert_eq(read_file_capped(out_tmpl, 16u << 20, &out, &len), 0);
        unlink(out_tmpl);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "predict-accuracy failed:\n%s", out);
        return out;
}

/* The result line of a dump. */
static const char *line_of(const char *out, const char *name, char *buf, size_t size) {
        for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, name, strlen(name)) == 0 && p[strlen(name)] == ' ') {
                        snprintf(buf, size, "%.*s", (int) strcspn(p, "\n"), p);
                        return buf;
                }
        return NULL;
}

Test(predict_dumps, the_predictor_meets_the_target_on_the_public_dumps) {
        _cleanup_strv_free_ char **names = dump_names(), **explained = explained_names();
        _cleanup_free_ char *out = NULL;
        size_t n = strv_length(names), exact = 0, gpus = 0;

        cr_assert_geq(n, MIN_DUMPS, "only %zu dumps in sysfs-snapshots/lspci-vv", n);
        out = run_accuracy(names, NULL);
        for (char **s = names; *s; s++) {
                char buf[1024];
                const char *l = line_of(out, *s, buf, sizeof(buf));
                bool is_exact, listed = strv_contains(explained, *s);

                cr_assert_not_null(l, "%s: no result\n%s", *s, out);
                cr_assert_null(strstr(l, " error="), "%s did not import or replay: %s", *s, l);
                is_exact = strstr(l, " derived=exact,") != NULL;
                exact += is_exact;
                if (!strstr(l, ",gpu-none,")) {
                        gpus++;
                        cr_assert(listed || (strstr(l, " derived=") && strstr(strstr(l, " derived="), ",gpu-exact,")),
                                  "%s: the GPU's group is not predicted exactly: %s", *s, l);
                }
                cr_assert(is_exact || listed, "%s: partition differs and EXPLAINED says nothing: %s", *s, l);
                cr_assert(!is_exact || !listed, "%s: predicted exactly now; drop it from EXPLAINED", *s);
        }
        cr_assert_geq(exact * 10, n * 9, "exact partitions on %zu of %zu dumps, under 90%%", exact, n);
        cr_assert_gt(gpus, 0);
}

Test(predict_dumps, a_dump_explained_by_an_override_is_exact_with_that_override) {
        _cleanup_strv_free_ char **overrides = NULL, **names = explained_names_overrides(&overrides);

        for (char **o = overrides; o && *o; o++) {
                char *eq = strchr(*o, '='), *one[] = { *o, NULL }, buf[1024];
                _cleanup_free_ char *out = NULL;
                const char *l;

                *eq = '\0';
                out = run_accuracy(one, eq + 1);
                l = line_of(out, *o, buf, sizeof(buf));
                cr_assert_not_null(l, "%s: no result\n%s", *o, out);
                cr_assert(strstr(l, " derived=exact,"), "%s: with pcie_acs_override=%s still: %s", *o, eq + 1, l);
        }
}

/* A dump without the extended config space (no ACS lines: lspci ran
 * without root) cannot prove isolation anywhere ACS decides it: the
 * prediction must say it is uncertain, never guess. */
Test(predict_dumps, a_dump_without_acs_lines_is_predicted_as_uncertain) {
        _cleanup_free_ char *dir = dumps_dir(), *sub = NULL, *out = NULL;
        _cleanup_strv_free_ char **names = NULL, **paths = NULL;

        cr_assert(asprintf(&sub, "%s/no-acs-lines", dir) > 0);
        cr_assert_eq(dir_list(sub, is_dump, &names), 0, "cannot list %s", sub);
        cr_assert_gt(strv_length(names), 0);
        for (char **s = names; *s; s++) {
                char *pth = NULL;
                cr_assert(asprintf(&pth, "no-acs-lines/%s", *s) > 0);
                cr_assert_eq(strv_consume(&paths, pth), 0);
        }
        out = run_accuracy(paths, NULL);
        for (char **s = paths; *s; s++) {
                char buf[1024];
                const char *l = line_of(out, strchr(*s, '/') + 1, buf, sizeof(buf)), *u;

                cr_assert_not_null(l, "%s: no result\n%s", *s, out);
                u = strstr(l, " derived=");
                cr_assert(u && (u = strstr(u, ",uncertain-")), "%s", l);
                cr_assert_neq(atoi(u + strlen(",uncertain-")), 0, "%s: predicted as if ACS were known: %s", *s, l);
        }
}

Test(predict_dumps, explanations_name_dumps_that_exist) {
        _cleanup_strv_free_ char **names = dump_names(), **explained = explained_names();

        for (char **e = explained; e && *e; e++)
                cr_assert(strv_contains(names, *e), "EXPLAINED names %s, which is not a dump here", *e);
}
