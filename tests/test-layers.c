/* SPDX-License-Identifier: MIT */
/* The build fails on a forbidden dependency between layers: the checker it
 * runs (tools/check-layers.py, harness/layers.txt) on small trees of
 * fixtures/layers/, each with one violation or none.  The symbol cases
 * compile their tree into one archive per layer, named as meson names the
 * real ones, because a call into a higher layer through a declaration of
 * its own is visible only in the objects. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run-command.h"

static const char *srcdir(void) {
        const char *s = getenv("GPUDIAG_SRCDIR");
        return s ? s : ".";
}

/* Runs the checker on fixtures/layers/<tree>; with_objects: also on the
 * tree compiled to libgd-<layer>.a archives of <layer>_<file>.c.o.  Returns
 * its exit status, its stderr in out. */
static int check_tree(const char *tree, bool with_objects, char *out, size_t size) {
        char tmp[] = "/tmp/gpudiag-layers-XXXXXX", cmd[4096];
        int rc;

        cr_assert_not_null(mkdtemp(tmp));
        snprintf(cmd, sizeof(cmd),
                 "set -e; t='%s/fixtures/layers/%s'; o='%s'; libs=''; "
                 "if [ %d = 1 ]; then for d in \"$t\"/harness/*/; do l=$(basename \"$d\"); "
                 "  for c in \"$d\"*.c; do cc -c -I\"$t/harness\" \"$c\" -o \"$o/${l}_$(basename \"$c\").o\"; done; "
                 "  ar rcs \"$o/libgd-$l.a\" \"$o/${l}_\"*.o; libs=\"$libs --lib $l=$o/libgd-$l.a\"; done; fi; "
                 "set +e; python3 '%s/tools/check-layers.py' --root \"$t/harness\" --graph \"$t/layers.txt\" $libs 2>&1",
                 srcdir(), tree, tmp, with_objects, srcdir());
        rc = run_command(cmd, out, size);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        (void) system(cmd);
        return rc;
}

Test(layers, clean_tree_passes_includes_and_symbols) {
        char out[8192];

        cr_expect_eq(check_tree("clean", true, out, sizeof(out)), 0, "%s", out);
}

Test(layers, upward_include_fails_naming_file_line_and_the_allowed_layers) {
        char out[8192];

        cr_expect_eq(check_tree("include-upward", false, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "harness/model/host.h:3: includes checks/check.h: model may use base"), "%s", out);
}

Test(layers, include_of_a_sibling_layer_fails) {
        char out[8192];

        /* host and checks both sit on model; neither may use the other. */
        cr_expect_eq(check_tree("include-sibling", false, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "harness/host/read.c:2: includes checks/check.h: host may use base, model"),
                           "%s", out);
}

Test(layers, call_upward_through_a_local_declaration_fails_in_the_symbol_check) {
        char out[8192];

        /* The includes alone are clean: only the objects show the call. */
        cr_expect_eq(check_tree("call-upward", false, out, sizeof(out)), 0, "%s", out);
        cr_expect_eq(check_tree("call-upward", true, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "harness/model/verdict.c: calls check_run of"), "%s", out);
        cr_expect_not_null(strstr(out, "harness/checks/check.c: model may use base"), "%s", out);
}

Test(layers, one_function_defined_by_two_layers_fails) {
        char out[8192];

        cr_expect_eq(check_tree("defined-twice", true, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "defines str_len, which"), "%s", out);
}

Test(layers, declared_exception_lets_one_file_use_one_target) {
        char out[8192];

        cr_expect_eq(check_tree("exception-allows", false, out, sizeof(out)), 0, "%s", out);
}

Test(layers, exception_that_matches_nothing_fails_so_the_list_shrinks) {
        char out[8192];

        cr_expect_eq(check_tree("exception-stale", true, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "\"allow model/host.c checks/check\" matches nothing any more"), "%s", out);
}

Test(layers, directory_that_is_no_layer_fails) {
        char out[8192];

        cr_expect_eq(check_tree("unlisted-directory", false, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "directory extra/ is not a layer"), "%s", out);
}

Test(layers, printing_outside_cli_and_report_fails) {
        char out[8192];

        /* The clean tree prints from cli/, which may. */
        cr_expect_eq(check_tree("prints-below-cli", true, out, sizeof(out)), 1, "%s", out);
        cr_expect_not_null(strstr(out, "harness/checks/check.c: prints (stderr): only cli/ and report/ print"), "%s",
                           out);
}
