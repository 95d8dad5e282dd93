/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "host/iomem.h"

static char *fixture(const char *name) {
        const char *srcdir = getenv("GPUDIAG_SRCDIR");
        char *path, *text = NULL;
        int r;

        cr_assert_not_null(srcdir, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&path, "%s/fixtures/iomem/%s", srcdir, name), 0);
        r = read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        free(path);
        return text;
}

static void ranges_free(struct gd_iomem_range *r, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(r[i].name);
        free(r);
}

static void assert_range(const struct gd_iomem_range *r, uint64_t start, uint64_t end, unsigned depth,
                         const char *name, unsigned line) {
        cr_assert_eq(r->start, start, "%s: start %llx", name, (unsigned long long) r->start);
        cr_assert_eq(r->end, end, "%s: end %llx", name, (unsigned long long) r->end);
        cr_assert_eq(r->depth, depth, "%s: depth %u", name, r->depth);
        cr_assert_str_eq(r->name, name);
        cr_assert_eq(r->line, line, "%s: line %u", name, r->line);
}

Test(iomem, root_view_keeps_addresses_depth_and_names_with_spaces) {
        _cleanup_free_ char *text = fixture("root-bootfb-in-gpu-bar.txt");
        struct gd_iomem_range *r = NULL;
        size_t n = 0;

        cr_assert_eq(gd_iomem_parse(text, &r, &n), 0);
        cr_assert_eq(n, 14);
        assert_range(&r[0], 0x0, 0xfff, 0, "Reserved", 1);
        assert_range(&r[4], 0x80000000, 0xdfffffff, 0, "PCI Bus 0000:00", 5);
        assert_range(&r[6], 0xc0000000, 0xcfffffff, 2, "0000:01:00.0", 7);
        assert_range(&r[7], 0xc0000000, 0xc07effff, 3, "BOOTFB", 8);
        assert_range(&r[11], 0xe0000000, 0xefffffff, 0, "PCI ECAM 0000 [bus 00-ff]", 12);
        /* Nine hex digits: %0*llx pads to 8 but never truncates. */
        assert_range(&r[13], 0x100000000ull, 0x87fffffffull, 0, "System RAM", 14);
        cr_assert_not(gd_iomem_addresses_hidden(r, n));
        ranges_free(r, n);
}

Test(iomem, non_root_view_is_recognised_as_hidden_not_as_no_overlap) {
        _cleanup_free_ char *text = fixture("nonroot-zero-addresses.txt");
        struct gd_iomem_range *r = NULL;
        size_t n = 0;

        cr_assert_eq(gd_iomem_parse(text, &r, &n), 0);
        cr_assert_eq(n, 14);
        assert_range(&r[7], 0, 0, 3, "BOOTFB", 8);
        cr_assert(gd_iomem_addresses_hidden(r, n));
        ranges_free(r, n);
}

Test(iomem, crlf_blank_lines_and_an_empty_name_are_accepted) {
        _cleanup_free_ char *text = fixture("crlf-empty-name.txt");
        struct gd_iomem_range *r = NULL;
        size_t n = 0;

        cr_assert_eq(gd_iomem_parse(text, &r, &n), 0);
        cr_assert_eq(n, 3);
        assert_range(&r[1], 0xf0000, 0xfffff, 1, "System ROM", 2);
        assert_range(&r[2], 0xfee00000, 0xfee00fff, 0, "", 4);
        ranges_free(r, n);
}

/* Parameters are copied into the test worker: keep them free of pointers. */
struct bad_case {
        char fixture[64];
        int expected;
};

ParameterizedTestParameters(iomem, malformed_input_is_rejected_with_einval) {
        static struct bad_case cases[] = {
                { "bad-odd-indent.txt", -EINVAL },
                { "bad-missing-separator.txt", -EINVAL },
                { "bad-start-after-end.txt", -EINVAL },
        };
        return cr_make_param_array(struct bad_case, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct bad_case *c, iomem, malformed_input_is_rejected_with_einval) {
        _cleanup_free_ char *text = fixture(c->fixture);
        struct gd_iomem_range *r = (void *) 0x1;
        size_t n = 77;

        cr_assert_eq(gd_iomem_parse(text, &r, &n), c->expected, "%s", c->fixture);
        cr_assert_eq(r, (void *) 0x1, "output touched on error");
        cr_assert_eq(n, 77);
}

Test(iomem, seventeen_hex_digits_overflow_and_are_rejected) {
        struct gd_iomem_range *r = NULL;
        size_t n = 0;

        cr_assert_eq(gd_iomem_parse("00000000000000000-00000000000000001 : x\n", &r, &n), -EINVAL);
}

Test(iomem, empty_text_gives_no_ranges) {
        struct gd_iomem_range *r = (void *) 0x1;
        size_t n = 1;

        cr_assert_eq(gd_iomem_parse("", &r, &n), 0);
        cr_assert_null(r);
        cr_assert_eq(n, 0);
        cr_assert_not(gd_iomem_addresses_hidden(NULL, 0));
}

Test(iomem, more_than_a_million_lines_is_efbig) {
        size_t lines = GD_IOMEM_MAX_LINES + 1;
        char *text = malloc(lines + 1);
        struct gd_iomem_range *r = NULL;
        size_t n = 0;

        cr_assert_not_null(text);
        /* Empty lines count towards the cap too. */
        memset(text, '\n', lines);
        text[lines] = '\0';
        cr_assert_eq(gd_iomem_parse(text, &r, &n), -EFBIG);
        free(text);
}
