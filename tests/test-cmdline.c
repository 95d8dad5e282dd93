/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "host/cmdline.h"

static char *fixture(const char *name) {
        const char *srcdir = getenv("GPUDIAG_SRCDIR");
        char *path, *text = NULL;
        int r;

        cr_assert_not_null(srcdir, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&path, "%s/fixtures/cmdline/%s", srcdir, name), 0);
        r = read_file_capped(path, GD_ATTR_MAX, &text, NULL);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        free(path);
        return text;
}

static void assert_arg(const struct gd_cmdline *c, size_t i, const char *key, const char *value) {
        cr_assert_lt(i, c->n_args);
        cr_assert_str_eq(c->args[i].key, key);
        if (value)
                cr_assert_str_eq(c->args[i].value, value, "%s", key);
        else
                cr_assert_null(c->args[i].value, "%s has a value", key);
}

Test(cmdline, proxmox_line_splits_into_keys_and_flags) {
        _cleanup_free_ char *raw = fixture("proxmox-intel-iommu-pt.txt");
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse(raw, &c), 0);
        cr_assert_str_eq(c.raw, "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root "
                                "ro quiet intel_iommu=on iommu=pt");
        cr_assert_eq(c.n_args, 6);
        assert_arg(&c, 0, "BOOT_IMAGE", "/boot/vmlinuz-6.8.12-4-pve");
        assert_arg(&c, 1, "root", "/dev/mapper/pve-root");
        assert_arg(&c, 2, "ro", NULL);
        assert_arg(&c, 3, "quiet", NULL);
        assert_arg(&c, 4, "intel_iommu", "on");
        assert_arg(&c, 5, "iommu", "pt");
        cr_assert_null(c.init_args);
}

Test(cmdline, quoted_value_keeps_spaces) {
        _cleanup_free_ char *raw = fixture("debian-quoted-vfio-ids-init-args.txt");
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse(raw, &c), 0);
        assert_arg(&c, 4, "dyndbg", "file vfio_pci_core.c +p");
}

Test(cmdline, quoted_whole_argument_loses_its_quotes) {
        _cleanup_free_ char *raw = fixture("debian-quoted-vfio-ids-init-args.txt");
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse(raw, &c), 0);
        assert_arg(&c, 3, "acpi_osi", "Windows 2020");
}

Test(cmdline, value_splits_at_the_first_equals_only) {
        _cleanup_free_ char *raw = fixture("debian-quoted-vfio-ids-init-args.txt");
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse(raw, &c), 0);
        assert_arg(&c, 0, "BOOT_IMAGE", "(hd0,gpt2)/vmlinuz-6.1.0-27-amd64");
        assert_arg(&c, 1, "root", "UUID=3b1d2c55-7f0e-4c1a-9a43-2f0c8d1e6b10");
        assert_arg(&c, 5, "vfio-pci.ids", "10de:2204,10de:1aef");
}

Test(cmdline, args_after_double_dash_go_to_init) {
        _cleanup_free_ char *raw = fixture("debian-quoted-vfio-ids-init-args.txt");
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse(raw, &c), 0);
        cr_assert_eq(c.n_args, 8);
        assert_arg(&c, 6, "vfio_pci.disable_vga", "1");
        assert_arg(&c, 7, "quiet", NULL);
        cr_assert_eq(strv_length(c.init_args), 2);
        cr_assert_str_eq(c.init_args[0], "single");
        /* init gets key=value re-joined, quotes gone, as repair_env_string() does. */
        cr_assert_str_eq(c.init_args[1], "init.note=a b");
}

Test(cmdline, second_double_dash_ends_init_args_too) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("ro -- single -- lost", &c), 0);
        cr_assert_eq(c.n_args, 1);
        cr_assert_eq(strv_length(c.init_args), 1);
        cr_assert_str_eq(c.init_args[0], "single");
}

Test(cmdline, double_dash_with_a_value_is_an_ordinary_arg) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("--=x quiet", &c), 0);
        cr_assert_eq(c.n_args, 2);
        assert_arg(&c, 0, "--", "x");
        cr_assert_null(c.init_args);
}

Test(cmdline, repeated_keys_are_kept_in_order) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("iommu=pt quiet iommu=off", &c), 0);
        cr_assert_eq(c.n_args, 3);
        assert_arg(&c, 0, "iommu", "pt");
        assert_arg(&c, 2, "iommu", "off");
        cr_assert_str_eq(gd_cmdline_find(&c, "iommu")->value, "pt");
        cr_assert_str_eq(gd_cmdline_find_last(&c, "iommu")->value, "off");
}

Test(cmdline, empty_value_is_empty_not_absent) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("modprobe.blacklist= nouveau.modeset=\"\"", &c), 0);
        assert_arg(&c, 0, "modprobe.blacklist", "");
        assert_arg(&c, 1, "nouveau.modeset", "");
}

Test(cmdline, any_whitespace_separates_and_runs_collapse) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("  ro\t\tquiet \n splash=1  \n", &c), 0);
        cr_assert_eq(c.n_args, 3);
        assert_arg(&c, 0, "ro", NULL);
        assert_arg(&c, 1, "quiet", NULL);
        assert_arg(&c, 2, "splash", "1");
        /* Only the trailing newline goes; raw is otherwise what was read. */
        cr_assert_str_eq(c.raw, "  ro\t\tquiet \n splash=1  ");
}

/* next_arg() removes only a quote that opens the value or the token, and a
 * quote that ends the token; a quote inside stays. */
Test(cmdline, quote_inside_value_stays_as_in_the_kernel) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("a=b\"c d\" e", &c), 0);
        cr_assert_eq(c.n_args, 2);
        assert_arg(&c, 0, "a", "b\"c d\"");
        assert_arg(&c, 1, "e", NULL);
}

Test(cmdline, unterminated_quote_runs_to_the_end) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("a=\"b c -- d", &c), 0);
        cr_assert_eq(c.n_args, 1);
        assert_arg(&c, 0, "a", "b c -- d");
        cr_assert_null(c.init_args);
}

/* The kernel starts looking for '=' at index 0 but 0 also means "none". */
Test(cmdline, leading_equals_is_part_of_the_key) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("=x =y=z", &c), 0);
        cr_assert_eq(c.n_args, 2);
        assert_arg(&c, 0, "=x", NULL);
        assert_arg(&c, 1, "=y", "z");
}

Test(cmdline, empty_line_has_no_args) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};

        cr_assert_eq(gd_cmdline_parse("\n", &c), 0);
        cr_assert_str_eq(c.raw, "");
        cr_assert_eq(c.n_args, 0);
        cr_assert_null(c.init_args);
}

Test(cmdline, null_input_is_einval_and_leaves_ret_alone) {
        struct gd_cmdline c = { .n_args = 42 };

        cr_assert_eq(gd_cmdline_parse(NULL, &c), -EINVAL);
        cr_assert_eq(c.n_args, 42);
        cr_assert_null(c.raw);
        cr_assert_eq(gd_cmdline_parse("ro", NULL), -EINVAL);
}

Test(cmdline, reads_this_hosts_proc_cmdline) {
        _cleanup_(gd_cmdline_clear) struct gd_cmdline c = {};
        _cleanup_free_ char *raw = NULL;
        size_t len = 0;

        if (read_file_capped("/proc/cmdline", GD_ATTR_MAX, &raw, &len) < 0)
                cr_skip_test("/proc/cmdline is not readable here");
        while (len > 0 && raw[len - 1] == '\n')
                raw[--len] = '\0';

        cr_assert_eq(gd_cmdline_read(&c), 0);
        cr_assert_str_eq(c.raw, raw);
}
