/* SPDX-License-Identifier: MIT */
/* Memory and time follow the size of what a stranger sends.
 *
 * Inputs are generated here (a gzip bomb is 25 KB of "1,", not a fixture
 * worth keeping): each must be refused with exit 2 and a message naming
 * the file, with a peak resident set within 64 MiB + 4 times the
 * decompressed bundle (wait4()'s ru_maxrss of gpudiag and the children it
 * waited for).  Work that used to be quadratic runs on inputs big enough
 * for the old code to take minutes; the suite's timeouts are the only
 * clock, far above what linear code needs (the figures are in the commit
 * messages and the README, measured, not asserted). */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle-internal.h"
#include "bundle/bundle.h"
#include "hostile.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static char *scratch;

/* `make check-asan` runs the same suites about ten times slower, with a
 * shadow memory the resident-set bound was not made for: there the sizes
 * are a fifth (still past where quadratic code crawls) and the memory
 * bound is left to the plain build. */
#ifdef __SANITIZE_ADDRESS__
#define SCALE 5
#define CHECK_RSS false
#else
#define SCALE 1
#define CHECK_RSS true
#endif

static void setup(void) {
        scratch = scratch_dir("limits");
}

static void teardown(void) {
        scratch_remove(scratch);
        free(scratch);
}

TestSuite(hostile_limits, .init = setup, .fini = teardown, .timeout = 120);

/* minimal.yaml without its findings, then tail. */
static char *bundle_with(const char *tail, size_t *ret_len) {
        _cleanup_free_ char *path = src_path("fixtures/bundles/minimal.yaml");
        _cleanup_free_ char *head = slurp(path, NULL);
        char *cut = strstr(head, "findings: []\n"), *out;
        size_t hl, tl = strlen(tail);

        cr_assert_not_null(cut);
        *cut = '\0';
        hl = strlen(head);
        out = malloc(hl + tl + 1);
        cr_assert_not_null(out);
        memcpy(out, head, hl);
        memcpy(out + hl, tail, tl + 1);
        *ret_len = hl + tl;
        return out;
}

/* start, then n copies of unit, then end. */
static char *repeated(const char *start, const char *unit, size_t n, const char *end) {
        size_t ul = strlen(unit), el = strlen(end), len = strlen(start);
        char *s = malloc(len + ul * n + el + 1), *p;

        cr_assert_not_null(s);
        memcpy(s, start, len);
        p = s + len;
        for (size_t i = 0; i < n; i++, p += ul)
                memcpy(p, unit, ul);
        memcpy(p, end, el + 1);
        return s;
}

static char *write_gzip(const char *name, const char *data, size_t len) {
        char *path = path_join(scratch, name);
        gzFile gz;

        cr_assert_not_null(path);
        gz = gzopen(path, "wb9");
        cr_assert_not_null(gz);
        cr_assert_eq(gzwrite(gz, data, (unsigned) len), (int) len);
        cr_assert_eq(gzclose(gz), Z_OK);
        return path;
}

/* explain --bundle path: exit 2, the file and the reason named, and the
 * memory bound held. */
static void assert_refused(const char *path, size_t decompressed, const char *reason) {
        const char *args[] = { "explain", "--bundle", path, NULL };
        _cleanup_free_ char *out = NULL, *err = NULL;
        long bound_kb = (long) ((64u << 20) + 4 * (uint64_t) decompressed) / 1024;
        int rc;

        rc = gpudiag_run(args, NULL, NULL, &out, &err);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", path, rc, err);
        cr_assert_not_null(strstr(err, path), "the message does not name %s: %s", path, err);
        cr_assert_not_null(strstr(err, reason), "%s: %s", reason, err);
        if (CHECK_RSS)
                cr_assert_leq(program_last_maxrss_kb(), bound_kb,
                              "%s: peak RSS %ld KiB, more than 64 MiB + 4 x %zu bytes", path, program_last_maxrss_kb(),
                              decompressed);
}

/* 12.5 million one-character items: 25 MB that deflate to 25 KB.  It took
 * 4.1 GB and 33 s, and was accepted. */
Test(hostile_limits, a_gzip_bomb_is_refused_before_it_is_unpacked) {
        _cleanup_free_ char *tail = repeated("findings: [", "1,", 12500000, "1]\n"), *text = NULL, *path = NULL;
        size_t len;

        text = bundle_with(tail, &len);
        path = write_gzip("bomb.yaml.gz", text, len);
        assert_refused(path, len, "refused as a gzip bomb");
}

/* The same items uncompressed: libfyaml never builds the 12.5 M nodes. */
Test(hostile_limits, a_document_with_more_nodes_than_its_size_allows_is_refused_before_it_is_built) {
        _cleanup_free_ char *tail = repeated("findings: [", "1,", 12500000, "1]\n"), *text = NULL, *path = NULL;
        size_t len;

        text = bundle_with(tail, &len);
        path = spew(scratch, "nodes.yaml", text, len);
        assert_refused(path, len, "YAML nodes, the most a document of");
}

/* 8 million '[' on one line (2.7 GB before libfyaml's own "Max depth"),
 * compressed to a few KB and plain. */
Test(hostile_limits, deep_nesting_on_one_line_is_refused_before_libfyaml_scans_it) {
        _cleanup_free_ char *tail = repeated("findings: ", "[", 8000000, "\n"), *text = NULL, *gz = NULL, *plain = NULL;
        size_t len;

        text = bundle_with(tail, &len);
        gz = write_gzip("deep.yaml.gz", text, len);
        assert_refused(gz, len, "one line opens more than 256 '[' or '{'");
        plain = spew(scratch, "deep.yaml", text, len);
        assert_refused(plain, len, "one line opens more than 256 '[' or '{'");
}

/* Nesting spread over lines, each indented one more: libfyaml hands out
 * each level's event, and the count stops at the limit. */
Test(hostile_limits, deep_nesting_over_many_lines_is_refused_at_the_depth_limit) {
        _cleanup_free_ char *text = NULL, *body = NULL, *path = NULL;
        size_t len = 0, blen = 0;
        FILE *f = open_memstream(&body, &blen);

        cr_assert_not_null(f);
        fputs("findings:\n", f);
        for (int d = 0; d < 5000; d++)
                fprintf(f, "%*s- \n", d * 2, "");
        cr_assert_eq(fclose(f), 0);
        /* "- " items nested by indentation: block sequences of sequences. */
        text = bundle_with(body, &len);
        path = spew(scratch, "deep-lines.yaml", text, len);
        assert_refused(path, len, "nested more than 32 deep");
}

/* A bundle of n groups, one device each, recorded or not. */
static char *groups_document(size_t n, bool record, size_t *ret_len) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        cr_assert_not_null(f);
        fputs("format: gpudiag-bundle/1\numockdev: |\n", f);
        if (!record)
                fputs("  P: /devices/pci0000:00/0000:00:00.0\n  E: SUBSYSTEM=pci\n  A: vendor=0x8086\\n\n"
                      "  A: device=0x1234\\n\n  A: class=0x060000\\n\n", f);
        if (record) {
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "  P: /devices/pci%04zx:%02zx/%04zx:%02zx:%02zx.0\n  E: SUBSYSTEM=pci\n"
                                "  A: vendor=0x10de\\n\n  A: device=0x2204\\n\n  A: class=0x030000\\n\n\n", i >> 13, (i >> 5) & 0xff, i >> 13, (i >> 5) & 0xff,
                                i & 0x1f);
        }
        fputs("iommu_groups:\n", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  - {group: %zu, devices: [%04zx:%02zx:%02zx.0]}\n", i, i >> 13, (i >> 5) & 0xff,
                        i & 0x1f);
        cr_assert_eq(fclose(f), 0);
        *ret_len = len;
        return text;
}

static struct gd_bundle *validate(const char *text, size_t len, char **ret_error) {
        struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET };
        struct fy_document *doc = fy_document_build_from_string(&cfg, text, len);
        struct gd_bundle *b = NULL;
        int r;

        cr_assert_not_null(doc);
        r = bundle_from_document(doc, &b, ret_error);
        fy_document_destroy(doc);
        cr_assert(r == 0 || r == -EINVAL, "%s", strerror(-r));
        return b;
}

/* 120,000 groups took 86 s to validate (each group's devices searched in
 * every earlier group).  The document is built here with libfyaml itself,
 * past gpudiag's node limit, to time the validation alone; a repeated
 * device is still found, and named with both groups and its line. */
Test(hostile_limits, validating_120000_groups_is_not_quadratic, .timeout = 60) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        size_t len;
        char *last;

        text = groups_document(120000 / SCALE, false, &len);
        b = validate(text, len, &err);
        cr_assert_not_null(b, "%s", err);
        cr_assert_eq(b->n_groups, 120000 / SCALE);
        b = gd_bundle_free(b);

        /* The last group names the first group's device again. */
        last = strrchr(text, '[');
        memcpy(last + 1, "0000:00:00.0", 12);
        b = validate(text, len, &err);
        cr_assert_null(b);
        {
                char want[128];

                snprintf(want, sizeof(want), "line %d: iommu_groups: device 0000:00:00.0 is in groups 0 and %d",
                         120000 / SCALE + 8, 120000 / SCALE - 1);
                cr_assert_not_null(strstr(err, want), "%s", err);
        }
}

/* A recording of 100,000 devices, each in its own group (the documented
 * maximum of a host): the recording's checks (each device was searched
 * among all earlier ones), the group links (each member among all
 * devices) and the testbed tree, all within the timeout.  Built past the
 * node limit, as above. */
Test(hostile_limits, a_testbed_of_100000_grouped_devices_is_built_in_linear_time, .timeout = 90) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_(gd_testbed_tree_freep) struct gd_testbed_tree *t = NULL;
        size_t len;

        text = groups_document(100000 / SCALE, true, &len);
        b = validate(text, len, &err);
        cr_assert_not_null(b, "%s", err);
        cr_assert_eq(b->n_groups, 100000 / SCALE);
        cr_assert_eq(gd_testbed_tree_new(b, &t, &err), 0, "%s", err);
        cr_assert_gt(gd_testbed_tree_size(t), 100000 / SCALE * 4);
}

static int import_one(const char *name, const char *data, size_t len, char **ret_err) {
        _cleanup_free_ char *in = spew(scratch, name, data, len), *out = path_join(scratch, "out.yaml");
        /* -q: the summary explains the bundle; its limit is its own
         * (import-summary.c), here the import is timed. */
        const char *args[] = { "import", "-q", in, "-o", out, NULL };

        return gpudiag_run(args, NULL, NULL, NULL, ret_err);
}

/* One 4 MB line of each shape that once cost a pass per character (a
 * strlen() per character: a 1 MB line took 14 s; a memmove per leading
 * '**'), and of the shapes a line of prose is searched for: `code` spans,
 * a kernel log line quoted mid-sentence, PCI addresses.  A line that names
 * a PCI address imports (one device, known by its address); the others
 * have nothing to import. */
Test(hostile_limits, one_long_line_is_read_in_linear_time, .timeout = 30) {
        static const struct { const char *unit; int status; } units[] = {
                { "x", 2 }, { "**", 2 }, { "__", 2 }, { "> ", 2 }, { "[code]", 2 }, { "`a` ", 2 },
                { "0000:01:00.0 ", 0 }, { " nvidia 0000:01:00.0: x", 0 },
        };

        for (size_t u = 0; u < ELEMENTSOF(units); u++) {
                size_t ul = strlen(units[u].unit), n = (4u << 20) / SCALE / ul;
                _cleanup_free_ char *line = malloc(n * ul + 2), *err = NULL;

                cr_assert_not_null(line);
                for (size_t i = 0; i < n; i++)
                        memcpy(line + i * ul, units[u].unit, ul);
                line[n * ul] = '\n';
                cr_assert_eq(import_one("line.txt", line, n * ul + 1, &err), units[u].status, "%s: %s",
                             units[u].unit, err);
                if (units[u].status == 2)
                        cr_assert_not_null(strstr(err, "line.txt"), "%s", err);
        }
}

/* 80,000 lspci -nn lines (150 s before: every device was looked up in a
 * list, every group emitted by a pass over every device). */
Test(hostile_limits, eighty_thousand_lspci_lines_import_in_linear_time, .timeout = 90) {
        _cleanup_free_ char *text = NULL, *err = NULL, *out = NULL, *bundle = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        cr_assert_not_null(f);
        for (unsigned i = 0; i < 80000 / SCALE; i++)
                fprintf(f, "%04x:%02x:%02x.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [10de:2204] "
                        "(rev a1)\n", i >> 13, (i >> 5) & 0xff, i & 0x1f);
        cr_assert_eq(fclose(f), 0);
        cr_assert_eq(import_one("lspci.txt", text, len, &err), 0, "%s", err);
        out = path_join(scratch, "out.yaml");
        bundle = slurp(out, NULL);
        cr_assert_eq(count_of(bundle, "\n  P: /devices/"), 80000 / SCALE);
        if (SCALE == 1)
                cr_assert_not_null(strstr(bundle, "P: /devices/pci0009:c3/0009:c3:1f.0\n"));
}

/* The bundle import writes is checked before it is written, with the nodes
 * its emitter counted instead of a counting pass (cli/import.c): a paste
 * whose bundle would hold more nodes than its size allows (16,000 devices
 * each in its own group: about 8 nodes in 360 bytes each, past one per
 * 192 bytes) is still refused, naming the input, and nothing is written. */
Test(hostile_limits, a_pasted_host_past_the_node_limit_is_refused_naming_it, .timeout = 90) {
        _cleanup_free_ char *text = NULL, *err = NULL, *out = path_join(scratch, "out.yaml");
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        cr_assert_not_null(f);
        for (unsigned i = 0; i < 16000; i++)
                fprintf(f, "IOMMU Group %u %04x:%02x:%02x.%u Ethernet controller [0200]: Intel Corporation I350 "
                        "Gigabit Network Connection [8086:1521] (rev 01)\n", i, i >> 16, (i >> 8) & 0xff,
                        (i >> 3) & 0x1f, i & 7);
        cr_assert_eq(fclose(f), 0);
        cr_assert_eq(import_one("groups.txt", text, len, &err), 2);
        cr_assert_not_null(strstr(err, "groups.txt: the pasted host is too large for a bundle (16000 devices)"), "%s",
                           err);
        cr_assert_not_null(strstr(err, "YAML nodes"), "%s", err);
        cr_assert_eq(access(out, F_OK), -1, "%s was written", out);
}
