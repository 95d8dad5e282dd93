/* SPDX-License-Identifier: MIT */
/* gpudiag import keeps what lspci -vv shows of capabilities (PCI Express
 * port type, ACSCap/ACSCtl, FLReset, NoSoftRst, the multifunction bit, a
 * bridge's buses) as config space: the real lspci, run on the replayed
 * testbed, must decode it back to the lines that were pasted; and a block
 * that does not prove those facts leaves them unknown. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/fileio.h"
#include "base/strv.h"
#include "config.h"
#include "import/import.h"
#include "testbed-run.h"

static char *read_fixture(const char *name, size_t *ret_len) {
        const char *src = getenv("GPUDIAG_SRCDIR");
        _cleanup_free_ char *path = NULL;
        char *text = NULL;

        cr_assert(asprintf(&path, "%s/fixtures/import/%s", src && *src ? src : ".", name) > 0);
        cr_assert_eq(read_file_capped(path, 1u << 20, &text, ret_len), 0, "cannot read %s", path);
        return text;
}

/* Imports the fixture (or the part of it from `from` on) into a bundle
 * file and builds its testbed. */
static struct gd_testbed *testbed_of(const char *name, const char *from) {
        _cleanup_import_ struct gd_import *im = gd_import_new();
        _cleanup_free_ char *text = NULL;
        char path[] = "/tmp/gd-import-caps-XXXXXX";
        struct gd_testbed *t;
        size_t len;
        FILE *f;
        int fd;

        text = read_fixture(name, &len);
        if (from) {
                char *p = strstr(text, from);
                cr_assert_not_null(p);
                len -= (size_t) (p - text);
                memmove(text, p, len + 1);
        }
        cr_assert_eq(gd_import_feed(im, name, text, len, GD_IMPORT_AUTO), 0);
        fd = mkstemp(path);
        cr_assert(fd >= 0);
        f = fdopen(fd, "w");
        cr_assert_eq(gd_import_write(im, f, "test", "1970-01-01T00:00:00Z", NULL), 0);
        fclose(f);
        t = testbed_from_file(path);
        unlink(path);
        return t;
}

static char *lspci(const struct gd_testbed *t, const char *opts, const char *address) {
        char *argv[] = { (char *) LSPCI_PATH, (char *) opts, (char *) "-s", (char *) address, NULL };
        _cleanup_free_ char *err = NULL;
        char *out = NULL;
        int status;

        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci %s -s %s failed: %s", opts, address, err);
        return out;
}

/* lspci -vv of the device as the testbed holds it: `lspci -xxxx` inside
 * (plain -vv also wants an irq attribute, which no paste proves), then
 * lspci -F decoding that dump outside. */
static char *lspci_vv(const struct gd_testbed *t, const char *address) {
        _cleanup_free_ char *dump = lspci(t, "-xxxx", address), *err = NULL;
        char path[] = "/tmp/gd-import-caps-dump-XXXXXX";
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-vv", (char *) "-F", path, NULL };
        char *out = NULL;
        int fd = mkstemp(path), status;

        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, dump, strlen(dump)), (ssize_t) strlen(dump));
        close(fd);
        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        unlink(path);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci -F failed: %s", err);
        return out;
}

/* The line of the fixture's block for address that starts with key. */
static char *pasted_line(const char *address, const char *key) {
        _cleanup_free_ char *text = NULL;
        const char *block, *end, *p;
        size_t len;

        text = read_fixture("lspci-vvnn-caps.txt", &len);
        block = strstr(text, address);
        while (block && block > text && block[-1] != '\n')
                block = strstr(block + 1, address);
        cr_assert_not_null(block);
        end = strstr(block, "\n\n");
        p = strstr(block, key);
        cr_assert(p && (!end || p < end), "%s: no %s line", address, key);
        return strndup(p, strcspn(p, "\n"));
}

static void assert_has(const char *out, const char *line) {
        cr_assert(strstr(out, line), "lspci on the testbed lacks\n  %s\nit printed:\n%s", line, out);
}

Test(import_caps, real_lspci_decodes_the_root_port_as_it_was_pasted) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", NULL);
        _cleanup_free_ char *out = lspci_vv(t, "00:01.1");
        _cleanup_free_ char *cap = pasted_line("00:01.1 ", "ACSCap:"), *ctl = pasted_line("00:01.1 ", "ACSCtl:");

        assert_has(out, "Express (v2) Root Port");
        assert_has(out, "Access Control Services");
        assert_has(out, cap);
        assert_has(out, ctl);
        assert_has(out, "Bus: primary=00, secondary=01, subordinate=01");
        assert_has(out, "NoSoftRst-");
}

Test(import_caps, real_lspci_decodes_endpoint_type_flr_and_no_soft_reset) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", NULL);
        _cleanup_free_ char *gpu = lspci_vv(t, "01:00.0"), *nvme = lspci_vv(t, "02:00.0");

        assert_has(gpu, "Express (v2) Legacy Endpoint");
        assert_has(gpu, "FLReset-");
        assert_has(gpu, "NoSoftRst+");
        cr_assert_null(strstr(gpu, "Access Control Services"));
        assert_has(nvme, "Express (v2) Endpoint");
        assert_has(nvme, "FLReset+");
}

/* lspci -x: byte 0x0e (Header Type) is the 15th of the first row. */
static unsigned header_type(const struct gd_testbed *t, const char *address) {
        _cleanup_free_ char *out = lspci(t, "-x", address);
        const char *row = strstr(out, "\n00: ");
        unsigned b[16];

        cr_assert_not_null(row, "%s", out);
        cr_assert_eq(sscanf(row + 5, "%x %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x", &b[0], &b[1], &b[2], &b[3],
                            &b[4], &b[5], &b[6], &b[7], &b[8], &b[9], &b[10], &b[11], &b[12], &b[13], &b[14], &b[15]),
                     16);
        return b[14];
}

Test(import_caps, functions_of_one_slot_are_multifunction_and_a_lone_one_is_not) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", NULL);

        cr_assert_eq(header_type(t, "01:00.0"), 0x80);
        cr_assert_eq(header_type(t, "01:00.1"), 0x80);
        cr_assert_eq(header_type(t, "02:00.0"), 0x00);
        cr_assert_eq(header_type(t, "00:01.1"), 0x81, "a bridge in a slot with a dummy host bridge");
}

Test(import_caps, lines_cut_by_libpci_warnings_are_mended_and_prose_is_left_alone) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", NULL);
        /* The fixture's first line quotes a warning in prose: mending it
         * would swallow the 00:00.0 line after it. */
        _cleanup_free_ char *host = lspci(t, "-nn", "00:00.0");
        /* 01:00.1's extended capability line lost its indentation to a
         * warning; mended, it still proves extended config space. */
        _cleanup_free_ char *audio = lspci(t, "-xxxx", "01:00.1");

        assert_has(host, "[1022:1480]");
        assert_has(audio, "\nff0: ");
}

Test(import_caps, denied_capabilities_leave_the_config_space_out) {
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", NULL);
        _cleanup_free_ char *out = lspci_vv(t, "03:00.0");

        cr_assert_null(strstr(out, "Express"), "%s", out);
        cr_assert_null(strstr(out, "Capabilities: ["), "%s", out);
}

Test(import_caps, a_lone_function_outside_a_whole_listing_is_not_declared_single) {
        /* The same GPU block pasted alone (`lspci -vvnn -s 01:00.0`): its
         * sibling is not shown, so nothing says whether it is multifunction,
         * and no config space is written. */
        _cleanup_(gd_testbed_freep) struct gd_testbed *t = testbed_of("lspci-vvnn-caps.txt", "02:00.0 Non-Volatile");
        _cleanup_free_ char *out = lspci_vv(t, "02:00.0");

        cr_assert_null(strstr(out, "Express"), "%s", out);
}
