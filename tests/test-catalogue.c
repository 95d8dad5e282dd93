/* SPDX-License-Identifier: MIT */
/* The catalogue is documented where users read it: every id has an
 * explanation, appears in gpudiag(1) and in the README's table, and the
 * man page lists no id the program does not know. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "checks/check.h"

static char *source_file(const char *rel) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char path[512];
        char *text = NULL;

        snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
        cr_assert_eq(read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL), 0, "cannot read %s", path);
        return text;
}

Test(catalogue, every_id_has_a_title_and_an_explanation) {
        size_t n;
        const struct gd_catalogue_entry *c = gd_catalogue(&n);

        cr_assert_gt(n, 20);
        for (size_t i = 0; i < n; i++) {
                cr_assert_gt(strlen(c[i].title), 10, "%s: title", c[i].id);
                cr_assert_gt(strlen(c[i].explanation), 80, "%s: explanation too short", c[i].id);
                cr_assert_eq(gd_catalogue_find(c[i].id), &c[i], "%s: duplicate id", c[i].id);
                /* Blocking findings are errors or warnings, never info. */
                if (c[i].effect == GD_EFFECT_BLOCKS)
                        cr_assert_neq(c[i].severity, GD_SEV_INFO, "%s", c[i].id);
        }
}

Test(catalogue, every_id_is_in_the_man_page_and_the_readme) {
        _cleanup_free_ char *man = source_file("man/gpudiag.1"), *readme = source_file("README.md");
        size_t n;
        const struct gd_catalogue_entry *c = gd_catalogue(&n);

        for (size_t i = 0; i < n; i++) {
                char man_entry[128], readme_entry[128];
                snprintf(man_entry, sizeof(man_entry), ".B %s\n", c[i].id);
                snprintf(readme_entry, sizeof(readme_entry), "| `%s` |", c[i].id);
                cr_expect_not_null(strstr(man, man_entry), "%s is not in man/gpudiag.1", c[i].id);
                cr_expect_not_null(strstr(readme, readme_entry), "%s is not in the README catalogue", c[i].id);
        }
}

Test(catalogue, man_page_lists_no_unknown_id) {
        _cleanup_free_ char *man = source_file("man/gpudiag.1");
        const char *sec = strstr(man, ".SH FINDINGS"), *end = strstr(man, ".SH EXIT STATUS");

        cr_assert(sec && end && sec < end);
        for (const char *p = strstr(sec, "\n.B "); p && p < end; p = strstr(p + 1, "\n.B ")) {
                char id[64];
                sscanf(p + 4, "%63s", id);
                cr_expect_not_null(gd_catalogue_find(id), "man page lists '%s', which is not in the catalogue", id);
        }
}
