/* SPDX-License-Identifier: MIT */
/* Inputs the fuzzers (fuzz/) found, fed back to the parsers: each must be
 * refused cleanly (or accepted), never crash, hang or leak.  The inputs live
 * in fuzz/regressions/<parser>/; a new finding is one more file there. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <libfyaml.h>

#include "base/emit.h"
#include "base/fileio.h"
#include "bundle/bundle.h"
#include "bundle/redact.h"
#include "bundle/yaml-doc.h"
#include "config.h"
#include "host/bootconfig.h"
#include "host/kmsg.h"
#include "model/kmsg-signals.h"
#include "import/import.h"
#if HAVE_REPLAY && __has_include("replay/scenario.h")
#define HAVE_SCENARIOS 1
#include "replay/scenario.h"
#endif

static char *regressions_dir(const char *parser) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert(asprintf(&p, "%s/fuzz/regressions/%s", src && *src ? src : ".", parser) >= 0);
        return p;
}

/* Calls fn on every file of fuzz/regressions/<parser>/; returns the count. */
static unsigned each_input(const char *parser, void (*fn)(const char *path)) {
        _cleanup_free_ char *dir = regressions_dir(parser);
        _cleanup_closedir_ DIR *d = opendir(dir);
        unsigned n = 0;

        cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
        for (struct dirent *de; (de = readdir(d)); ) {
                _cleanup_free_ char *path = NULL;
                if (de->d_name[0] == '.')
                        continue;
                cr_assert(asprintf(&path, "%s/%s", dir, de->d_name) >= 0);
                fn(path);
                n++;
        }
        return n;
}

static void load_bundle(const char *path) {
        _cleanup_free_ char *error = NULL;
        struct gd_bundle *b = NULL;
        int r = gd_bundle_load(path, &b, &error);

        cr_expect(r == 0 || r == -EINVAL || r == -EFBIG, "%s: unexpected %d", path, r);
        if (r == -EINVAL)
                cr_expect_not_null(error, "%s: -EINVAL without a message", path);
        cr_expect((r == 0) == (b != NULL), "%s", path);
        gd_bundle_free(b);
}

/* explicit-key-tab-block-scalar-crashes-libfyaml.yaml ("? n:\t|") made
 * libfyaml 0.7.12 crash in fy_parser_destroy(): the first parse now runs in
 * a child (bundle/yaml-doc.c), and the document is refused with a message. */
Test(fuzz_regressions, odd_bundles_are_refused_with_a_message) {
        cr_expect_gt(each_input("bundle", load_bundle), 0);
}

/* libfyaml 0.7.12 loops forever in fy_scan_directive() on a '%' directive
 * followed by bytes that are not UTF-8 ("%t\xff", 3 bytes).  A bundle is
 * UTF-8 (doc/bundle-format.md), so the reader refuses such bytes before
 * parsing (base/utf8.c). */
Test(fuzz_regressions, directive_with_invalid_utf8_does_not_hang, .timeout = 10) {
        cr_expect_gt(each_input("bundle-hang", load_bundle), 0);
}

#if HAVE_SCENARIOS
static void load_scenario(const char *path) {
        _cleanup_free_ char *error = NULL;
        struct gd_scenario *s = NULL;
        int r = gd_scenario_load(path, &s, &error);

        cr_expect(r == 0 || r == -EINVAL, "%s: unexpected %d", path, r);
        if (r < 0) {
                cr_expect_not_null(error, "%s: refused without a message", path);
                cr_expect_null(s);
        }
        gd_scenario_free(s);
}

/* verdict-bad-address-leaks.yaml: a verdict key that is not a PCI address
 * leaked the key string (scenario-load.c get_address()); LeakSanitizer in
 * `make check-asan` sees it. */
Test(fuzz_regressions, odd_scenarios_are_refused_with_a_message) {
        cr_expect_gt(each_input("scenario", load_scenario), 0);
}

/* The same libfyaml directive loop through scenario-load.c ("%\x9b"). */
Test(fuzz_regressions, scenario_directive_with_invalid_utf8_does_not_hang, .timeout = 10) {
        cr_expect_gt(each_input("scenario-hang", load_scenario), 0);
}
#endif

/* modprobe-file-name-with-comma.txt: a pasted "cat /etc/modprobe.d/v,fio.conf"
 * made import write the file name as a plain YAML key, and a comma ends a
 * plain key in the flow text base/emit.c writes first: the bundle did not
 * load.  Whatever import writes must load. */
static void import_loads(const char *path) {
        _cleanup_free_ char *text = NULL, *out = NULL, *error = NULL;
        struct gd_bundle *b = NULL;
        struct gd_import *im = gd_import_new();
        _cleanup_redact_ struct gd_redact *redact = NULL;
        size_t len = 0, out_len = 0;
        FILE *f;

        cr_assert_not_null(im);
        cr_assert_eq(gd_redact_new(true, &redact), 0);
        cr_assert_eq(read_file_capped(path, 1u << 20, &text, &len), 0, "%s", path);
        cr_assert_eq(gd_redact_learn(redact, text, len), 0);
        cr_assert_eq(gd_import_feed(im, path, text, len, 0), 0);
        f = open_memstream(&out, &out_len);
        cr_assert_not_null(f);
        if (gd_import_write(im, f, "test", "2026-11-26T15:00:00Z", redact) == 0) {
                size_t nodes, parsed;
                unsigned depth, parsed_depth;

                fclose(f);
                f = NULL;
                cr_expect_eq(gd_bundle_load_data(out, out_len, &b, &error), 0, "%s: %s", path, error);
                /* gpudiag import reloads it with the nodes its emitter
                 * counted instead of a count of its own: the same. */
                gd_import_written_nodes(im, &nodes, &depth);
                cr_expect_eq(gd_yaml_count_nodes(out, out_len, &parsed, &parsed_depth), 0, "%s", path);
                cr_expect_eq(nodes, parsed, "%s: %zu nodes counted while writing, %zu parsed", path, nodes, parsed);
                cr_expect_eq(depth, parsed_depth, "%s", path);
        }
        if (f)
                fclose(f);
        gd_bundle_free(b);
        gd_import_free(im);
}

Test(fuzz_regressions, imported_bundles_always_load) {
        cr_expect_gt(each_input("import", import_loads), 0);
}

/* The same for the real pastes of sysfs-snapshots/reports/ (every kind of
 * text import reads), whose bundles hold every kind of node. */
Test(fuzz_regressions, imported_reports_load_with_the_nodes_counted_while_writing) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        _cleanup_free_ char *dir = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        unsigned n = 0;

        cr_assert(asprintf(&dir, "%s/sysfs-snapshots/reports", src && *src ? src : ".") >= 0);
        d = opendir(dir);
        cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
        for (struct dirent *de; (de = readdir(d)); ) {
                _cleanup_free_ char *path = NULL;

                if (!endswith(de->d_name, ".txt"))
                        continue;
                cr_assert(asprintf(&path, "%s/%s", dir, de->d_name) >= 0);
                import_loads(path);
                n++;
        }
        cr_expect_gt(n, 100u);
}

/* self-reference-doubling.txt: /etc/default/grub lines of the form X="$X $X"
 * doubled a value on each line, and gpudiag grew it until memory ran out.  A
 * value is capped at 64 KiB (host/grub-default.c): the parse ends, fast, with
 * -E2BIG, which explain reports as an unreadable boot configuration. */
static void parse_grub(const char *path) {
        _cleanup_free_ char *text = NULL;
        struct gd_grub_default g = { 0 };
        size_t len = 0;
        int r;

        cr_assert_eq(read_file_capped(path, 1u << 20, &text, &len), 0, "%s", path);
        r = gd_grub_default_parse(text, &g);
        cr_expect(r == 0 || r == -E2BIG, "%s: unexpected %d", path, r);
        if (r == 0)
                gd_grub_default_clear(&g);
}

Test(fuzz_regressions, grub_values_that_double_stop_at_the_cap, .timeout = 10) {
        cr_expect_gt(each_input("grub", parse_grub), 0);
}

/* driver-name-with-invalid-utf8.txt: "Kernel driver in use: vfio-pci\xf6\xf4"
 * reached libfyaml's emitter, which took \xf4 as the start of a four-byte
 * sequence, swallowed the bytes after it and wrote a NUL into the bundle.
 * Import now refuses such a driver name, and the emitter writes any byte
 * that is not UTF-8 as the text \xNN: a document always loads back. */
Test(fuzz_regressions, strings_that_are_not_utf8_are_emitted_as_escapes) {
        static const char bad[] = "vfio-pci\xf6\xf4\nE: tail";
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        struct gd_emit *e;
        struct fy_document *d;
        const char *v;
        size_t vlen = 0;

        cr_assert_not_null(f);
        e = gd_emit_new(f, GD_EMIT_YAML);
        cr_assert_not_null(e);
        gd_emit_map_begin(e);
        gd_emit_kv_str(e, "driver", bad);
        gd_emit_map_end(e);
        cr_assert_eq(gd_emit_finish(e), 0);
        gd_emit_free(e);
        fclose(f);
        d = fy_document_build_from_string(NULL, out, len);
        cr_assert_not_null(d, "%s", out);
        v = fy_node_get_scalar(fy_node_by_path(fy_document_root(d), "/driver", FY_NT, FYNWF_DONT_FOLLOW), &vlen);
        cr_assert_not_null(v);
        cr_assert_eq(vlen, strlen("vfio-pci\\xf6\\xf4\nE: tail"));
        cr_assert(memcmp(v, "vfio-pci\\xf6\\xf4\nE: tail", vlen) == 0, "%.*s", (int) vlen, v);
        fy_document_destroy(d);
}

/* escaped-byte-starts-a-signal.txt: a log line "...\x8c\x8c\x8can't reserve"
 * whose text, once \x8c is escaped, reads "\x8can't reserve": the escape's
 * last hex digit starts a signal.  Reading only the signal records skipped
 * lines by their raw bytes and lost it; such lines are parsed now
 * (host/kmsg.c printable_record()).  Both reads must keep the same records. */
static void kmsg_reads_agree(const char *path) {
        _cleanup_(gd_kmsg_clear) struct gd_kmsg all = {}, kept = {};
        size_t j = 0;

        cr_assert_eq(gd_kmsg_read(path, false, &all), 0, "%s", path);
        cr_assert_eq(gd_kmsg_read(path, true, &kept), 0, "%s", path);
        for (size_t i = 0; i < all.n_records; i++) {
                if (!gd_kmsg_has_signal(all.records[i].text))
                        continue;
                cr_assert_lt(j, kept.n_records, "%s: record %u (%s) was not kept", path, all.records[i].line,
                             all.records[i].text);
                cr_assert_eq(kept.records[j].line, all.records[i].line);
                j++;
        }
        cr_expect_eq(j, kept.n_records, "%s", path);
}

Test(fuzz_regressions, signal_records_survive_escaping) {
        cr_expect_gt(each_input("kmsg", kmsg_reads_agree), 0);
}
