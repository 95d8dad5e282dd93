/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/hostpaths.h"
#include "base/macro.h"
#include "checks/check.h"
#include "checks/remedy.h"
#include "host/bootconfig.h"
#include "model/conffile.h"
#include "model/finding.h"

static char *fixture(const char *name) {
        const char *srcdir = getenv("GPUDIAG_SRCDIR");
        char *path, *text = NULL;
        int r;

        cr_assert_not_null(srcdir, "GPUDIAG_SRCDIR is not set");
        cr_assert_geq(asprintf(&path, "%s/fixtures/bootconfig/%s", srcdir, name), 0);
        r = read_file_capped(path, GD_TEXT_FILE_MAX, &text, NULL);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        free(path);
        return text;
}

/* ---- /etc/default/grub ---- */

Test(grub_default, debian_default_values_and_lines) {
        _cleanup_free_ char *text = fixture("grub-debian-default.txt");
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};

        cr_assert_eq(gd_grub_default_parse(text, &g), 0);
        cr_assert_str_eq(g.cmdline_linux_default, "quiet");
        cr_assert_str_eq(g.cmdline_linux, "");
        cr_assert_eq(g.line_default, 9);
        cr_assert_eq(g.line_linux, 10);
        cr_assert_str_eq(g.text_default, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"");
}

Test(grub_default, self_append_expands_the_earlier_value_and_later_wins) {
        _cleanup_free_ char *text = fixture("grub-self-append.txt");
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};

        cr_assert_eq(gd_grub_default_parse(text, &g), 0);
        cr_assert_str_eq(g.cmdline_linux_default, "quiet splash intel_iommu=on iommu=pt");
        cr_assert_eq(g.line_default, 5);
        cr_assert_str_eq(g.text_default,
                         "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"");
}

Test(grub_default, single_quotes_are_literal_double_quotes_expand_and_escape) {
        _cleanup_free_ char *text = fixture("grub-quoting.txt");
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};

        cr_assert_eq(gd_grub_default_parse(text, &g), 0);
        cr_assert_str_eq(g.cmdline_linux, "rd.lvm.lv=vg/root \"not expanded $IOMMU\"");
        cr_assert_eq(g.line_linux, 2);
        cr_assert_str_eq(g.cmdline_linux_default, "amd_iommu=on vfio-pci.ids=10de:1e07,10de:10f7 \"q\" $HOME");
}

Test(grub_default, fedora_sets_only_grub_cmdline_linux) {
        _cleanup_free_ char *text = fixture("grub-fedora.txt");
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};

        cr_assert_eq(gd_grub_default_parse(text, &g), 0);
        cr_assert_null(g.cmdline_linux_default);
        cr_assert_eq(g.line_default, 0);
        cr_assert_str_eq(g.cmdline_linux, "rd.lvm.lv=fedora/root rhgb quiet");
        cr_assert_eq(g.line_linux, 6);
}

Test(grub_default, a_quoted_value_may_span_lines) {
        _cleanup_free_ char *text = fixture("grub-multiline.txt");
        _cleanup_(gd_grub_default_clear) struct gd_grub_default g = {};

        cr_assert_eq(gd_grub_default_parse(text, &g), 0);
        cr_assert_str_eq(g.cmdline_linux_default, "quiet\n intel_iommu=on");
        cr_assert_eq(g.line_default, 1);
}

Test(grub_default, null_text_is_einval) {
        struct gd_grub_default g = {};
        cr_assert_eq(gd_grub_default_parse(NULL, &g), -EINVAL);
}

/* ---- kernel config ---- */

Test(kconfig, not_set_reads_as_n_and_values_are_kept) {
        _cleanup_free_ char *text = fixture("kconfig-debian-excerpt.txt");
        struct gd_bootconfig b = {};

        cr_assert_eq(gd_kconfig_parse(text, &b.kconfig, &b.n_kconfig), 0);
        cr_assert_eq(b.n_kconfig, 7);
        cr_assert_str_eq(gd_kconfig_get(&b, "CONFIG_INTEL_IOMMU_DEFAULT_ON"), "n");
        cr_assert_str_eq(gd_kconfig_get(&b, "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF"), "y");
        cr_assert_str_eq(gd_kconfig_get(&b, "CONFIG_VFIO_PCI"), "m");
        cr_assert_str_eq(gd_kconfig_get(&b, "CONFIG_CC_VERSION_TEXT"), "\"gcc-12 (Debian 12.2.0-14) 12.2.0\"");
        cr_assert_null(gd_kconfig_get(&b, "CONFIG_NOT_MENTIONED"));
        for (size_t i = 0; i < b.n_kconfig; i++) {
                free(b.kconfig[i].name);
                free(b.kconfig[i].value);
        }
        free(b.kconfig);
}

/* ---- os-release ---- */

/* Inline strings: Criterion may run the test in a fresh process, where
 * pointers into the parameter function's data would not be valid. */
struct os_case {
        char file[48], cmd[48];
};

ParameterizedTestParameters(os_release, picks_the_distribution_grub_command) {
        static struct os_case cases[] = {
                { "os-release-proxmox.txt", "update-grub" },
                { "os-release-linuxmint.txt", "update-grub" },
                { "os-release-rocky.txt", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "os-release-tumbleweed.txt", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
                { "os-release-endeavouros.txt", "grub-mkconfig -o /boot/grub/grub.cfg" },
                { "os-release-nixos.txt", "" },
        };
        return cr_make_param_array(struct os_case, cases, ELEMENTSOF(cases));
}

ParameterizedTest(struct os_case *c, os_release, picks_the_distribution_grub_command) {
        _cleanup_free_ char *text = fixture(c->file);
        const char *cmd = gd_os_release_grub_mkconfig(text);

        if (c->cmd[0])
                cr_assert_str_eq(cmd, c->cmd, "%s", c->file);
        else
                cr_assert_null(cmd, "%s", c->file);
}

/* ---- the reader, on a root built from fixtures ---- */

static char root[] = "/tmp/gd-bootconfig-XXXXXX";

static void put(const char *path, const char *fixture_name, const char *content, int64_t mtime) {
        _cleanup_free_ char *full = NULL, *text = fixture_name ? fixture(fixture_name) : strdup(content);
        struct timespec ts[2];
        int fd;

        cr_assert_geq(asprintf(&full, "%s%s", root, path), 0);
        for (char *s = full + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                mkdir(full, 0755);
                *s = '/';
        }
        fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0, "%s", full);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        ts[0].tv_sec = ts[1].tv_sec = (time_t) mtime;
        ts[0].tv_nsec = ts[1].tv_nsec = 0;
        cr_assert_eq(utimensat(AT_FDCWD, full, ts, 0), 0);
}

static void make_root(void) {
        cr_assert_not_null(mkdtemp(root));
        gd_config_root_set(root);
}

static void remove_root(void) {
        char *cmd = NULL;
        gd_config_root_set(NULL);
        if (asprintf(&cmd, "rm -rf '%s'", root) >= 0 && system(cmd) != 0)
                cr_log_warn("could not remove %s", root);
        free(cmd);
}

static struct gd_host *host_for(const char *release) {
        struct gd_host *h = gd_host_new();
        cr_assert_not_null(h);
        h->kernel_release = strdup(release);
        return h;
}

TestSuite(bootconfig_read, .init = make_root, .fini = remove_root);

Test(bootconfig_read, proxmox_boot_reads_etc_kernel_cmdline_and_tools) {
        _cleanup_host_ struct gd_host *h = host_for("6.8.12-4-pve");
        struct gd_bootconfig *b = NULL;

        put("/etc/kernel/proxmox-boot-uuids", NULL, "1234-ABCD\n", 1700000000);
        put("/etc/kernel/cmdline", "kernel-cmdline-proxmox.txt", NULL, 1700000000);
        put("/etc/default/grub", "grub-debian-default.txt", NULL, 1700000000);
        put("/etc/os-release", "os-release-proxmox.txt", NULL, 1700000000);
        put("/usr/sbin/update-initramfs", NULL, "#!/bin/sh\n", 1700000000);
        put("/boot/config-6.8.12-4-pve", "kconfig-debian-excerpt.txt", NULL, 1700000000);
        put("/boot/initrd.img-6.8.12-4-pve", NULL, "initrd", 1700000100);
        put("/etc/modprobe.d/vfio.conf", "modprobe-vfio.conf", NULL, 1700000200);
        put("/etc/modules", NULL, "vfio\n", 1700000050);

        cr_assert_eq(gd_bootconfig_read(h, &b), 0);
        h->bootconfig = b;
        cr_assert_eq(b->bootloader, GD_BOOTLOADER_PROXMOX_BOOT);
        cr_assert_eq(b->initramfs_tool, GD_INITRAMFS_TOOLS);
        cr_assert_str_eq(b->grub_mkconfig, "update-grub");
        cr_assert_eq(b->next_cmdline_state, 0);
        cr_assert_str_eq(b->next_cmdline_source, "/etc/kernel/cmdline");
        cr_assert_eq(b->next_cmdline_line, 1);
        cr_assert_str_eq(b->next_cmdline.raw, "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet intel_iommu=on");
        cr_assert_eq(b->next_cmdline.n_args, 4);
        cr_assert_str_eq(b->next_cmdline.args[3].key, "intel_iommu");
        cr_assert_eq(b->kconfig_state, 0);
        cr_assert_str_eq(b->kconfig_source, "/boot/config-6.8.12-4-pve");
        cr_assert_str_eq(b->initramfs_path, "/boot/initrd.img-6.8.12-4-pve");
        cr_assert_eq(b->initramfs_mtime, 1700000100);
        cr_assert_str_eq(b->newest_modconf_path, "/etc/modprobe.d/vfio.conf");
        cr_assert_eq(b->newest_modconf_mtime, 1700000200);
}

Test(bootconfig_read, grub_joins_linux_and_default_and_quotes_the_default_line) {
        _cleanup_host_ struct gd_host *h = host_for("6.1.0-28-amd64");
        struct gd_bootconfig *b = NULL;

        put("/etc/default/grub", "grub-self-append.txt", NULL, 1700000000);
        put("/etc/os-release", "os-release-linuxmint.txt", NULL, 1700000000);

        cr_assert_eq(gd_bootconfig_read(h, &b), 0);
        h->bootconfig = b;
        cr_assert_eq(b->bootloader, GD_BOOTLOADER_GRUB);
        cr_assert_eq(b->initramfs_tool, GD_INITRAMFS_UNKNOWN);
        cr_assert_str_eq(b->next_cmdline_source, "/etc/default/grub");
        cr_assert_eq(b->next_cmdline_line, 5);
        cr_assert_eq(b->next_cmdline.n_args, 4);
        cr_assert_str_eq(b->next_cmdline.args[0].key, "quiet");
        cr_assert_str_eq(b->next_cmdline.args[3].value, "pt");
        /* no /boot/config-*, and /proc/config.gz belongs to the test machine
         * or is absent: either way no initramfs here */
        cr_assert_null(b->initramfs_path);
        cr_assert_eq(b->initramfs_mtime, -1);
}

Test(bootconfig_read, nothing_there_leaves_everything_unknown) {
        _cleanup_host_ struct gd_host *h = host_for("6.1.0-28-amd64");
        struct gd_bootconfig *b = NULL;

        cr_assert_eq(gd_bootconfig_read(h, &b), 0);
        h->bootconfig = b;
        cr_assert_eq(b->bootloader, GD_BOOTLOADER_UNKNOWN);
        cr_assert_eq(b->next_cmdline_state, -ENOENT);
        cr_assert_null(b->grub_mkconfig);
        cr_assert_eq(b->newest_modconf_mtime, -1);
}

/* ---- remedies spelled for the detected boot loader ---- */

static const char *remedy_add(struct gd_host *h, struct gd_findings *f, const char *flag) {
        struct gd_finding *x = gd_findings_add(f, "iommu.kernel-off", "test");
        cr_assert_not_null(x);
        cr_assert_eq(gd_remedy_cmdline_add(x, h, flag), 0);
        return x->remedy;
}

Test(bootconfig_read, grub_remedy_shows_the_exact_resulting_line_and_update_grub) {
        _cleanup_host_ struct gd_host *h = host_for("6.1.0-28-amd64");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};
        const char *remedy;

        put("/etc/default/grub", "grub-debian-default.txt", NULL, 1700000000);
        put("/etc/os-release", "os-release-proxmox.txt", NULL, 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);

        remedy = remedy_add(h, &f, "intel_iommu=on");
        cr_assert_str_eq(remedy, "In /etc/default/grub, line 9, change\n"
                                 "  GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
                                 "to\n"
                                 "  GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n"
                                 "Run: update-grub\n"
                                 "Reboot.");
}

Test(bootconfig_read, fedora_remedy_edits_grub_cmdline_linux_with_grub2_mkconfig) {
        _cleanup_host_ struct gd_host *h = host_for("6.11.4-301.fc41.x86_64");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};
        const char *remedy;

        put("/etc/default/grub", "grub-fedora.txt", NULL, 1700000000);
        put("/etc/os-release", "os-release-rocky.txt", NULL, 1700000000);
        put("/usr/sbin/dracut", NULL, "#!/bin/sh\n", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert_eq(h->bootconfig->initramfs_tool, GD_INITRAMFS_DRACUT);

        remedy = remedy_add(h, &f, "intel_iommu=on");
        cr_assert(strstr(remedy, "GRUB_CMDLINE_LINUX=\"rd.lvm.lv=fedora/root rhgb quiet intel_iommu=on\""), "%s", remedy);
        cr_assert(strstr(remedy, "Run: grub2-mkconfig -o /boot/grub2/grub.cfg"), "%s", remedy);
}

Test(bootconfig_read, proxmox_remedy_removes_from_etc_kernel_cmdline_and_refreshes) {
        _cleanup_host_ struct gd_host *h = host_for("6.8.12-4-pve");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};
        struct gd_finding *x;

        put("/etc/kernel/proxmox-boot-uuids", NULL, "1234-ABCD\n", 1700000000);
        put("/etc/kernel/cmdline", "kernel-cmdline-proxmox.txt", NULL, 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);

        x = gd_findings_add(&f, "iommu.kernel-off", "test");
        cr_assert_eq(gd_remedy_cmdline_remove(x, h, "intel_iommu=on"), 0);
        cr_assert_str_eq(x->remedy, "In /etc/kernel/cmdline, line 1, change\n"
                                    "  root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet intel_iommu=on\n"
                                    "to\n"
                                    "  root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n"
                                    "Run: proxmox-boot-tool refresh\n"
                                    "Reboot.");
}

Test(bootconfig_read, unknown_boot_loader_gets_generic_wording) {
        _cleanup_host_ struct gd_host *h = host_for("6.1.0-28-amd64");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};
        struct gd_finding *x;

        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert(strstr(remedy_add(h, &f, "intel_iommu=on"), "Add intel_iommu=on to the kernel command line"));
        x = gd_findings_add(&f, "boot.initramfs-stale", "test");
        cr_assert_eq(gd_remedy_apply_initramfs(x, h), 0);
        cr_assert(strstr(x->remedy, "Rebuild the initramfs"));
}

Test(bootconfig_read, empty_grub_default_gets_the_flag_alone_inside_its_quotes) {
        _cleanup_host_ struct gd_host *h = host_for("6.8.0-45-generic");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};

        put("/etc/default/grub", "grub-empty-default.txt", NULL, 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert(strstr(remedy_add(h, &f, "amd_iommu=force_isolation"),
                         "to\n  GRUB_CMDLINE_LINUX_DEFAULT=\"amd_iommu=force_isolation\"\n"));
}

Test(bootconfig_read, adding_a_flag_replaces_a_conflicting_value_in_place) {
        _cleanup_host_ struct gd_host *h = host_for("6.8.12-4-pve");
        _cleanup_(gd_findings_clear) struct gd_findings f = {};

        put("/etc/kernel/cmdline", "kernel-cmdline-intel-iommu-off.txt", NULL, 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert_eq(h->bootconfig->bootloader, GD_BOOTLOADER_SYSTEMD_BOOT);
        cr_assert_str_eq(remedy_add(h, &f, "intel_iommu=on"),
                         "In /etc/kernel/cmdline, line 1, change\n"
                         "  root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=off quiet\n"
                         "to\n"
                         "  root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet intel_iommu=on\n"
                         "Run: kernel-install add 6.8.12-4-pve /lib/modules/6.8.12-4-pve/vmlinuz\n"
                         "Check the entry's options with: bootctl list\n"
                         "Reboot.");
}

/* Found by fuzzing: each line doubles the value by quoting itself twice;
 * 40 lines would need 2^40 bytes.  The parser stops at its cap. */
Test(grub, self_doubling_value_stops_at_the_cap, .timeout = 10) {
        struct gd_grub_default g = { 0 };
        char text[4096] = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";

        for (int i = 0; i < 40; i++)
                strcat(text, "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT $GRUB_CMDLINE_LINUX_DEFAULT\"\n");
        cr_assert_eq(gd_grub_default_parse(text, &g), -E2BIG);
}

/* ---- grub.d, kernelstub, the initramfs tool among several ---- */

Test(bootconfig_read, a_grub_d_file_overrides_etc_default_grub_and_is_cited) {
        _cleanup_host_ struct gd_host *h = host_for("6.8.0-45-generic");
        const struct gd_bootconfig *b;

        put("/etc/default/grub", NULL, "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\nGRUB_CMDLINE_LINUX=\"\"\n",
            1700000000);
        put("/etc/default/grub.d/50-cloudimg-settings.cfg", NULL,
            "# Cloud Image specific Grub settings\nGRUB_TIMEOUT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n",
            1700000000);
        put("/etc/default/grub.d/60-iommu.cfg", NULL,
            "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on\"\n", 1700000000);
        put("/etc/default/grub.d/README", NULL, "GRUB_CMDLINE_LINUX_DEFAULT=\"not sourced\"\n", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        b = h->bootconfig;
        cr_assert_eq(b->bootloader, GD_BOOTLOADER_GRUB);
        /* grub-mkconfig sources the .cfg files after /etc/default/grub, in glob order. */
        cr_assert_str_eq(b->next_cmdline_source, "/etc/default/grub.d/60-iommu.cfg");
        cr_assert_eq(b->next_cmdline_line, 1);
        cr_assert_eq(b->next_cmdline.n_args, 3);
        cr_assert_str_eq(b->next_cmdline.args[0].key, "console");
        cr_assert_str_eq(b->next_cmdline.args[2].key, "intel_iommu");
        cr_assert_eq(b->n_origins, 4);
        cr_assert_str_eq(b->origins[0].path, "/etc/default/grub");
        cr_assert(!b->origins[0].last);
        cr_assert_str_eq(b->origins[2].path, "/etc/default/grub.d/50-cloudimg-settings.cfg");
        cr_assert_eq(b->origins[2].line, 3);
        cr_assert(!b->origins[2].last);
        cr_assert(b->origins[3].last);
        /* Kept as read, for the plan's diffs. */
        cr_assert_not_null(gd_host_conffile(h, "/etc/default/grub.d/50-cloudimg-settings.cfg"));
        cr_assert_null(gd_host_conffile(h, "/etc/default/grub.d/README"), "a file grub-mkconfig does not source");
}

Test(bootconfig_read, kernelstub_configuration_gives_the_next_command_line) {
        _cleanup_host_ struct gd_host *h = host_for("6.9.3-76060903-generic");
        const struct gd_bootconfig *b;

        put("/etc/default/grub", "grub-debian-default.txt", NULL, 1700000000);
        put("/etc/kernelstub/configuration", NULL,
            "{\n  \"default\": {\"kernel_options\": [\"quiet\", \"splash\"]},\n"
            "  \"user\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"loglevel=0\",\n"
            "      \"intel_iommu=on\"\n    ],\n    \"esp_path\": \"/boot/efi\"\n  }\n}\n", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        b = h->bootconfig;
        cr_assert_eq(b->bootloader, GD_BOOTLOADER_KERNELSTUB, "Pop!_OS's /etc/default/grub is unused");
        cr_assert_str_eq(b->next_cmdline_source, "/etc/kernelstub/configuration");
        cr_assert_eq(b->next_cmdline.n_args, 3);
        cr_assert_str_eq(b->next_cmdline.args[2].key, "intel_iommu");
}

Test(bootconfig, kernelstub_options_parse_user_then_default_and_refuse_garbage) {
        char *s = NULL;

        cr_assert_eq(gd_kernelstub_options_parse("{\"default\": {\"kernel_options\": [\"a\", \"b=\\\"c\\\"\"]}}", &s), 0);
        cr_assert_str_eq(s, "a b=\"c\"");
        free(s);
        cr_assert_eq(gd_kernelstub_options_parse("{\"user\": {\"kernel_options\": [\"a\", ]}}", &s), -EINVAL);
        cr_assert_eq(gd_kernelstub_options_parse("{\"user\": {\"kernel_options\": [\"unterminated", &s), -EINVAL);
        cr_assert_eq(gd_kernelstub_options_parse("{\"user\": {}}", &s), -ENOENT);
        cr_assert_eq(gd_kernelstub_options_parse(NULL, &s), -EINVAL);
}

Test(bootconfig_read, the_initramfs_image_tells_booster_from_mkinitcpio) {
        _cleanup_host_ struct gd_host *h = host_for("6.10.10-arch1-1");

        put("/usr/bin/mkinitcpio", NULL, "#!/bin/bash\n", 1700000000);
        put("/usr/bin/booster", NULL, "\x7f" "ELF", 1700000000);
        put("/boot/booster-linux.img", NULL, "img", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert_eq(h->bootconfig->initramfs_tool, GD_INITRAMFS_BOOSTER);
        cr_assert_eq(h->bootconfig->initramfs_tools_found,
                     (1u << GD_INITRAMFS_MKINITCPIO) | (1u << GD_INITRAMFS_BOOSTER));
}

Test(bootconfig_read, two_initramfs_tools_and_no_image_leave_the_tool_unknown) {
        _cleanup_host_ struct gd_host *h = host_for("6.10.10-arch1-1");

        put("/usr/bin/mkinitcpio", NULL, "#!/bin/bash\n", 1700000000);
        put("/usr/bin/booster", NULL, "\x7f" "ELF", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert_eq(h->bootconfig->initramfs_tool, GD_INITRAMFS_UNKNOWN);
        cr_assert_eq(h->bootconfig->initramfs_tools_found,
                     (1u << GD_INITRAMFS_MKINITCPIO) | (1u << GD_INITRAMFS_BOOSTER));
}

Test(bootconfig_read, dracut_in_usr_bin_is_found_and_driverctl_too) {
        _cleanup_host_ struct gd_host *h = host_for("6.11.4-301.fc41.x86_64");

        put("/usr/bin/dracut", NULL, "#!/bin/bash\n", 1700000000);
        put("/usr/sbin/driverctl", NULL, "#!/bin/sh\n", 1700000000);
        put("/etc/dracut.conf.d/vfio.conf", NULL, "force_drivers+=\" vfio_pci \"\n", 1700000000);
        cr_assert_eq(gd_bootconfig_read(h, &h->bootconfig), 0);
        cr_assert_eq(h->bootconfig->initramfs_tool, GD_INITRAMFS_DRACUT);
        cr_assert_eq(h->bootconfig->driverctl, TRI_YES);
        cr_assert_str_eq(gd_host_conffile(h, "/etc/dracut.conf.d/vfio.conf")->text, "force_drivers+=\" vfio_pci \"\n");
        cr_assert_eq(gd_host_conffile(h, "/etc/initramfs-tools/modules")->state, -ENOENT);
}
