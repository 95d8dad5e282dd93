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

Test(catalogue, every_variant_is_a_second_row_of_a_known_id_and_in_the_man_page) {
        _cleanup_free_ char *man = source_file("man/gpudiag.1");
        size_t n;
        const struct gd_catalogue_variant *v = gd_catalogue_variants(&n);

        cr_assert_gt(n, 0);
        for (size_t i = 0; i < n; i++) {
                const struct gd_catalogue_entry *c = gd_catalogue_find(v[i].id);

                cr_assert_not_null(c, "variant %s of unknown id %s", v[i].variant, v[i].id);
                cr_expect_eq(gd_catalogue_variant_find(v[i].id, v[i].variant), &v[i], "%s/%s: duplicate variant",
                             v[i].id, v[i].variant);
                cr_expect(v[i].severity != c->severity || v[i].effect != c->effect,
                          "%s/%s changes neither severity nor effect", v[i].id, v[i].variant);
                cr_expect(strncmp(v[i].when, "when ", 5) == 0 && strlen(v[i].when) > 30, "%s/%s: 'when ...'",
                          v[i].id, v[i].variant);
                if (v[i].effect == GD_EFFECT_BLOCKS)
                        cr_expect_neq(v[i].severity, GD_SEV_INFO, "%s/%s", v[i].id, v[i].variant);
                cr_expect_not_null(strstr(man, v[i].when), "%s/%s is not in man/gpudiag.1 (run man/update-findings.py)",
                                   v[i].id, v[i].variant);
        }
}

Test(catalogue, a_finding_takes_severity_and_effect_from_its_row_or_declared_variant) {
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        x = gd_findings_add(&f, "group.shared", "blocking");
        cr_assert_not_null(x);
        cr_expect_eq(x->severity, GD_SEV_ERROR);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect_null(x->variant);
        x = gd_findings_add_variant(&f, "group.shared", "viable", "viable");
        cr_assert_not_null(x);
        cr_expect_eq(x->severity, GD_SEV_WARNING);
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        cr_expect_str_eq(x->variant, "viable");
        cr_expect_str_eq(x->id, "group.shared");
        /* NULL names the id's own row; an undeclared variant or id adds nothing. */
        x = gd_findings_add_variant(&f, "reset.amd-bug", NULL, "own row");
        cr_assert_not_null(x);
        cr_expect_eq(x->severity, GD_SEV_WARNING);
        cr_expect_null(gd_findings_add_variant(&f, "group.shared", "made-up", "x"));
        cr_expect_null(gd_findings_add(&f, "no.such-id", "x"));
        cr_expect_eq(f.n, 3);
        gd_findings_clear(&f);
}
