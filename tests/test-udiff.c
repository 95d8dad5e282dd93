/* SPDX-License-Identifier: MIT */
/* base/udiff.c: the diffs every plan shows.  The small cases are written
 * out by hand as GNU diff -u writes them; every case must also turn the
 * old text into the new one through patch(1), the tool the plan's script
 * hands them to. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/macro.h"
#include "base/udiff.h"
#include "testbed-run.h"

static char tmpdir[] = "/tmp/gd-test-udiff-XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void) {
        char *argv[] = { (char *) "/bin/rm", (char *) "-rf", tmpdir, NULL };
        _cleanup_free_ char *out = NULL;

        (void) program_run(argv, NULL, NULL, &out, NULL, NULL);
}

TestSuite(udiff, .init = setup, .fini = teardown);

static void put(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f);
        fputs(text, f);
        cr_assert_eq(fclose(f), 0);
}

/* patch(1) applied to before must give after exactly. */
static void assert_patches(const char *before, const char *after, const char *diff) {
        _cleanup_free_ char *orig = NULL, *d = NULL, *out = NULL, *o = NULL, *e = NULL, *got = NULL;
        size_t len = 0;
        int status;
        FILE *f;

        cr_assert_geq(asprintf(&orig, "%s/orig", tmpdir), 0);
        cr_assert_geq(asprintf(&d, "%s/diff", tmpdir), 0);
        cr_assert_geq(asprintf(&out, "%s/out", tmpdir), 0);
        put(orig, before ? before : "");
        put(d, diff);
        unlink(out);
        {
                char *argv[] = { (char *) "/usr/bin/patch", (char *) "--batch", (char *) "--silent", (char *) "-o", out,
                                 orig, (char *) "-i", d, NULL };
                cr_assert_eq(program_run(argv, NULL, NULL, &o, &e, &status), 0);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "patch refused:\n%s\n%s", diff, e);
        f = fopen(out, "re");
        cr_assert_not_null(f);
        got = calloc(1, 1 << 20);
        len = fread(got, 1, (1 << 20) - 1, f);
        fclose(f);
        got[len] = '\0';
        cr_assert_str_eq(got, after, "patch made something else of:\n%s", diff);
}

static char *diff_of(const char *before, const char *after) {
        char *d = NULL;
        cr_assert_eq(gd_udiff(before, after, "a", "a", &d), 0);
        return d;
}

Test(udiff, equal_texts_have_no_diff) {
        char *d = NULL;

        cr_assert_eq(gd_udiff("x\ny\n", "x\ny\n", "a", "a", &d), 0);
        cr_assert_null(d);
}

Test(udiff, one_changed_line_with_context_is_written_as_diff_u_writes_it) {
        const char *a = "1\n2\n3\n4\n5\n6\n7\n", *b = "1\n2\n3\nfour\n5\n6\n7\n";
        _cleanup_free_ char *d = diff_of(a, b);

        cr_assert_str_eq(d, "--- a\n+++ a\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+four\n 5\n 6\n 7\n");
        assert_patches(a, b, d);
}

Test(udiff, a_new_file_comes_from_dev_null) {
        _cleanup_free_ char *d = NULL;

        cr_assert_eq(gd_udiff(NULL, "vfio\nvfio_pci\n", "/etc/x", "/etc/x", &d), 0);
        cr_assert_str_eq(d, "--- /dev/null\n+++ /etc/x\n@@ -0,0 +1,2 @@\n+vfio\n+vfio_pci\n");
        assert_patches(NULL, "vfio\nvfio_pci\n", d);
}

Test(udiff, lines_added_at_the_end_keep_three_lines_of_context) {
        const char *a = "a\nb\nc\nd\ne\n", *b = "a\nb\nc\nd\ne\nf\n";
        _cleanup_free_ char *d = diff_of(a, b);

        cr_assert_str_eq(d, "--- a\n+++ a\n@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n");
        assert_patches(a, b, d);
}

Test(udiff, a_single_line_range_leaves_out_its_count) {
        const char *a = "only\n", *b = "changed\n";
        _cleanup_free_ char *d = diff_of(a, b);

        cr_assert_str_eq(d, "--- a\n+++ a\n@@ -1 +1 @@\n-only\n+changed\n");
        assert_patches(a, b, d);
}

Test(udiff, a_last_line_without_newline_is_marked) {
        const char *a = "x\ny", *b = "x\ny\nz\n";
        _cleanup_free_ char *d = diff_of(a, b);

        cr_assert_str_eq(d, "--- a\n+++ a\n@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+y\n+z\n");
        assert_patches(a, b, d);
}

Test(udiff, distant_changes_are_two_hunks) {
        _cleanup_free_ char *a = NULL, *b = NULL, *d = NULL;
        size_t la = 0, lb = 0;
        FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);
        const char *second;

        for (int i = 1; i <= 40; i++) {
                fprintf(fa, "line %d\n", i);
                fprintf(fb, i == 5 ? "LINE %d\n" : i == 30 ? "" : "line %d\n", i);
        }
        fclose(fa);
        fclose(fb);
        d = diff_of(a, b);
        cr_assert(startswith(d, "--- a\n+++ a\n@@ -2,7 +2,7 @@\n"), "%s", d);
        second = strstr(d + 1, "\n@@ -27,7 +27,6 @@\n");
        cr_assert_not_null(second, "%s", d);
        assert_patches(a, b, d);
}

Test(udiff, a_long_file_with_many_changes_still_patches_exactly) {
        _cleanup_free_ char *a = NULL, *b = NULL, *d = NULL;
        size_t la = 0, lb = 0;
        FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);

        for (int i = 0; i < 3000; i++) {
                fprintf(fa, "%d\n", i % 7 == 0 ? i : i % 13);
                if (i % 11 != 0)
                        fprintf(fb, "%d\n", i % 5 == 0 ? -i : i % 13);
        }
        fclose(fa);
        fclose(fb);
        d = diff_of(a, b);
        assert_patches(a, b, d);
}
