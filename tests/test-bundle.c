/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "bundle/redact.h"

static char *fixture_bundle_path(const char *name) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        char *p;

        cr_assert_not_null(src, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&p, "%s/fixtures/bundles/%s", src, name), 0);
        return p;
}

static struct gd_bundle *load_ok(const char *name) {
        _cleanup_free_ char *path = fixture_bundle_path(name), *error = NULL;
        struct gd_bundle *b = NULL;
        int r;

        r = gd_bundle_load(path, &b, &error);
        cr_assert_eq(r, 0, "%s: %s (%s)", name, strerror(-r), error ? error : "no message");
        cr_assert_not_null(b);
        return b;
}

Test(bundle, minimal_bundle_loads_with_every_section) {
        _cleanup_bundle_ struct gd_bundle *b = load_ok("minimal.yaml");
        const struct gd_bundle_file *f;

        cr_assert_str_eq(b->metadata.tool, "gpudiag 0.1.0");
        cr_assert_str_eq(b->metadata.kernel, "6.8.12-4-pve");
        cr_assert_str_eq(b->metadata.origin, "synthetic");
        cr_assert_eq(b->metadata.root, TRI_YES);
        cr_assert(strv_contains(b->metadata.redacted, "dsn"));
        cr_assert_not_null(strstr(b->umockdev, "P: /devices/pci0000:00/0000:00:01.0/0000:01:00.0\n"));

        cr_assert(b->has_iommu_groups);
        cr_assert_eq(b->n_groups, 1);
        cr_assert_eq(b->groups[0].id, 1);
        cr_assert_str_eq(b->groups[0].type, "DMA");
        cr_assert_eq(strv_length(b->groups[0].devices), 2);
        cr_assert_str_eq(b->groups[0].devices[1], "0000:01:00.0");

        f = gd_bundle_file(b, "/proc/cmdline");
        cr_assert_not_null(f);
        cr_assert_eq(f->mtime, -1);
        cr_assert_eq(f->length, strlen(f->content));
        cr_assert_not_null(strstr(f->content, "intel_iommu=on"));

        f = gd_bundle_file(b, "/etc/modprobe.d/vfio.conf");
        cr_assert_not_null(f);
        cr_assert_str_eq(f->content, "options vfio-pci ids=10de:2204\n");
        cr_assert_eq(f->mtime, 1732600000);

        f = gd_bundle_file(b, "/sys/firmware/acpi/tables/DMAR");
        cr_assert_not_null(f);
        cr_assert_eq(f->length, 0);

        cr_assert(gd_bundle_is_unreadable(b, "/proc/config.gz"));
        cr_assert_not(gd_bundle_is_unreadable(b, "/proc/cmdline"));
        cr_assert_not_null(strstr(b->lspci, "Kernel driver in use: vfio-pci"));
}

/* Format 2 is format 1 and dirs; a version 1 bundle keeps loading without. */
Test(bundle, format_2_lists_directories_and_format_1_has_none) {
        _cleanup_bundle_ struct gd_bundle *two = load_ok("empty-dirs.yaml"), *one = load_ok("minimal.yaml");

        cr_assert_eq(strv_length(two->dirs), 2);
        cr_assert_str_eq(two->dirs[0], "/sys/class/iommu");
        cr_assert_str_eq(two->dirs[1], "/etc/dracut.conf.d");
        cr_assert_eq(two->n_files, one->n_files);
        cr_assert_not_null(one->dirs);
        cr_assert_eq(strv_length(one->dirs), 0);
}

Test(bundle, gzip_compressed_bundle_loads_like_the_plain_one) {
        _cleanup_free_ char *src = fixture_bundle_path("minimal.yaml"), *text = NULL, *error = NULL;
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        char tmp[] = "/tmp/gpudiag-bundle-XXXXXX";
        size_t len;
        gzFile gz;
        int fd;

        cr_assert_eq(read_file_capped(src, GD_TEXT_FILE_MAX, &text, &len), 0);
        fd = mkstemp(tmp);
        cr_assert_geq(fd, 0);
        gz = gzdopen(fd, "wb9");
        cr_assert_not_null(gz);
        cr_assert_eq(gzwrite(gz, text, (unsigned) len), (int) len);
        cr_assert_eq(gzclose(gz), Z_OK);

        cr_assert_eq(gd_bundle_load(tmp, &b, &error), 0, "%s", error ? error : "");
        unlink(tmp);
        cr_assert_eq(b->n_files, 5);
        cr_assert_eq(b->n_groups, 1);
}

Test(bundle, missing_file_is_an_io_error_without_message) {
        _cleanup_free_ char *error = NULL;
        struct gd_bundle *b = NULL;

        cr_assert_eq(gd_bundle_load("/nonexistent/bundle.yaml", &b, &error), -ENOENT);
        cr_assert_null(b);
}

Test(bundle, path_rules_follow_the_format) {
        cr_assert(gd_bundle_path_allowed("/sys/kernel/iommu_groups/1/type"));
        cr_assert(gd_bundle_path_allowed("/usr/lib/modprobe.d/nvidia.conf"));
        cr_assert_not(gd_bundle_path_allowed("/system/x"));
        cr_assert_not(gd_bundle_path_allowed("/etc/./passwd"));
        cr_assert_not(gd_bundle_path_allowed("proc/cmdline"));
        cr_assert(gd_bundle_path_is_config("/boot/config-6.8.12-4-pve"));
        cr_assert_not(gd_bundle_path_is_config("/proc/cmdline"));
        cr_assert(gd_pci_address_valid("0000:01:00.0"));
        cr_assert(gd_pci_address_valid("0000:c1:00.7"));
        cr_assert_not(gd_pci_address_valid("01:00.0"));
        cr_assert_not(gd_pci_address_valid("0000:01:00.8"));
}

/* Each bad fixture is refused with -EINVAL and a message naming the problem.
 * Criterion copies parameters into its workers: arrays, not pointers. */
struct bad_bundle {
        char fixture[48];
        int error;
        char needles[3][64];
};

ParameterizedTestParameters(bundle, bad_bundle_is_refused_with_a_message_naming_the_problem) {
        static struct bad_bundle cases[] = {
                { "bad-truncated.yaml.gz", -EINVAL, { "truncated gzip data" } },
                { "bad-truncated.yaml", -EINVAL, { "not valid YAML", "line 56: " } },
                { "bad-format.yaml", -EINVAL, { "line 2: ", "format", "gpudiag-bundle/3" } },
                { "bad-dirs-in-format-1.yaml", -EINVAL, { "line ", "dirs", "gpudiag-bundle/2" } },
                { "bad-dotdot-path.yaml", -EINVAL, { "line 5: ", "'/etc/../root/x'", "'..' component" } },
                { "bad-outside-roots.yaml", -EINVAL, { "line 4: ", "/home/user/.bashrc", "outside the allowed roots" } },
                { "bad-duplicate-key.yaml", -EINVAL, { "line 5: ", "duplicate key" } },
                { "bad-binary-junk.bin", -EINVAL, { "binary data" } },
                { "bad-unknown-key.yaml", -EINVAL, { "line 3: ", "unknown top-level key 'hostname'" } },
                { "bad-groups-type.yaml", -EINVAL, { "line 4: ", "iommu_groups: expected a sequence, got a mapping" } },
                { "bad-group-address.yaml", -EINVAL, { "line 5: ", "'01:00.0'", "dddd:bb:dd.f" } },
                { "bad-record-dotdot.yaml", -EINVAL, { "line 6: ", "umockdev", "not a clean relative path" } },
        };
        return cr_make_param_array(struct bad_bundle, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct bad_bundle *c, bundle, bad_bundle_is_refused_with_a_message_naming_the_problem) {
        _cleanup_free_ char *path = fixture_bundle_path(c->fixture), *error = NULL;
        struct gd_bundle *b = NULL;
        int r;

        r = gd_bundle_load(path, &b, &error);
        cr_assert_eq(r, c->error, "%s: got %d (%s)", c->fixture, r, error ? error : "no message");
        cr_assert_null(b, "%s", c->fixture);
        cr_assert_not_null(error, "%s: no message", c->fixture);
        for (size_t i = 0; i < ELEMENTSOF(c->needles) && c->needles[i][0]; i++)
                cr_assert_not_null(strstr(error, c->needles[i]), "%s: '%s' not in \"%s\"", c->fixture,
                                   c->needles[i], error);
}

/* A FAT volume serial alone on the last line is redacted, and the matcher
 * reads nothing past the text: each input sits in a buffer of exactly its
 * length, so `make check-asan` sees any over-read (match_short_uuid() once
 * looked 9 bytes ahead before checking the length). */
Test(bundle, redaction_of_a_text_ending_in_hex_reads_only_the_text) {
        static const char *const texts[] = { "1234-ABCD", "boot\n1234-ABCD", "beef", "UUID=cafe-", "x 12ab" };
        static const char *const want[] = { "0000-0001", "boot\n0000-0001", "beef", "UUID=cafe-", "x 12ab" };
        _cleanup_redact_ struct gd_redact *r = NULL;

        cr_assert_eq(gd_redact_new(true, &r), 0);
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                size_t len = strlen(texts[i]), out_len = 0;
                _cleanup_free_ char *exact = malloc(len), *out = NULL;

                cr_assert_not_null(exact);
                memcpy(exact, texts[i], len);
                cr_assert_eq(gd_redact_text(r, exact, len, false, &out, &out_len), 0);
                cr_assert_eq(out_len, strlen(want[i]), "%s -> %.*s", texts[i], (int) out_len, out);
                cr_assert(memcmp(out, want[i], out_len) == 0, "%s -> %.*s", texts[i], (int) out_len, out);
        }
}
