/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "config.h"
#include "base/fileio.h"
#include "base/macro.h"
#include "base/strv.h"
#include "bundle/bundle.h"
#include "replay/testbed.h"
#include "testbed-run.h"

static struct gd_testbed *build(const char *fixture, struct gd_bundle **ret_bundle) {
        _cleanup_free_ char *path = fixture_bundle_path(fixture), *error = NULL;
        struct gd_bundle *b = NULL;
        struct gd_testbed *t = NULL;
        int r;

        r = gd_bundle_load(path, &b, &error);
        cr_assert_eq(r, 0, "%s: %s", fixture, error ? error : strerror(-r));
        r = gd_testbed_build(b, &t, &error);
        cr_assert_eq(r, 0, "%s: %s", fixture, error ? error : strerror(-r));
        if (ret_bundle)
                *ret_bundle = b;
        else
                gd_bundle_free(b);
        return t;
}

static bool contains_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p += n)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

Test(testbed, real_lspci_sees_both_recorded_devices_with_their_drivers) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *out = NULL, *err = NULL;
        char *argv[] = { (char *) LSPCI_PATH, (char *) "-nnk", (char *) "-D", NULL };
        int status;

        cr_assert_neq(LSPCI_PATH[0], '\0', "lspci was not found at configure time");
        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lspci failed: %s", err);

        cr_assert_not_null(strstr(out, "0000:00:01.0 PCI bridge [0604]: "), "%s", out);
        cr_assert_not_null(strstr(out, "[8086:1901] (rev 07)"), "%s", out);
        cr_assert_not_null(strstr(out, "0000:01:00.0 VGA compatible controller [0300]: "), "%s", out);
        cr_assert_not_null(strstr(out, "[10de:2204] (rev a1)"), "%s", out);
        cr_assert(contains_line(out, "\tKernel driver in use: pcieport"), "%s", out);
        cr_assert(contains_line(out, "\tKernel driver in use: vfio-pci"), "%s", out);
        /* Only the recorded devices: nothing of this machine's bus. */
        for (const char *p = out; (p = strchr(p, '\n')) && p[1]; p++)
                cr_assert(p[1] == '\t' || startswith(p + 1, "0000:00:01.0 ") || startswith(p + 1, "0000:01:00.0 "),
                          "unexpected device line in:\n%s", out);
}

Test(testbed, proc_files_come_from_the_bundle_and_missing_ones_read_as_absent) {
        _cleanup_bundle_ struct gd_bundle *b = NULL;
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", &b);
        _cleanup_free_ char *cmdline = NULL, *iomem = NULL, *config = NULL, *kmsg = NULL;

        cr_assert_eq(testbed_cat(t, "/proc/cmdline", &cmdline), 0);
        cr_assert_str_eq(cmdline, gd_bundle_file(b, "/proc/cmdline")->content);

        /* Not in the bundle: the marker, never this machine's memory map. */
        cr_assert_eq(testbed_cat(t, "/proc/iomem", &iomem), 0);
        cr_assert_str_eq(iomem, GD_ABSENT_MARKER);

        cr_assert_eq(testbed_cat(t, "/proc/config.gz", &config), 0);
        cr_assert_str_eq(config, GD_UNREADABLE_MARKER);

        /* /dev files sit below the config root, where the reader looks for
         * them (gd_hostpath_resolve): umockdev's preload would treat a testbed
         * /dev file as an emulated device node. */
        {
                _cleanup_free_ char *kmsg_path = path_join(gd_testbed_config_root(t), "dev/kmsg");
                cr_assert_eq(read_file_capped(kmsg_path, GD_TEXT_FILE_MAX, &kmsg, NULL), 0);
        }
        cr_assert_str_eq(kmsg, "6,812,1204311,-;pci 0000:01:00.0: Adding to iommu group 1\n");
}

Test(testbed, iommu_group_links_and_config_files_are_in_place) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *type = NULL, *conf = NULL, *grp = NULL, *member = NULL, *drv = NULL;
        _cleanup_free_ char *type_path = NULL, *conf_path = NULL;
        char real[PATH_MAX];
        struct stat st;

        cr_assert_geq(asprintf(&type_path, "%s/sys/kernel/iommu_groups/1/type", gd_testbed_root(t)), 0);
        cr_assert_eq(read_file_capped(type_path, GD_ATTR_MAX, &type, NULL), 0);
        cr_assert_str_eq(type, "DMA\n");

        cr_assert_geq(asprintf(&grp, "%s/sys/bus/pci/devices/0000:01:00.0/iommu_group", gd_testbed_root(t)), 0);
        cr_assert_not_null(realpath(grp, real), "%s: %m", grp);
        cr_assert(strstr(real, "/sys/kernel/iommu_groups/1") != NULL, "%s", real);

        cr_assert_geq(asprintf(&member, "%s/sys/kernel/iommu_groups/1/devices/0000:00:01.0/config",
                               gd_testbed_root(t)), 0);
        cr_assert_eq(stat(member, &st), 0, "%s: %m", member);
        cr_assert_eq(st.st_size, 64);

        cr_assert_eq(read_link_basename(gd_testbed_root(t), "sys/bus/pci/devices/0000:01:00.0/driver", &drv), 0);
        cr_assert_str_eq(drv, "vfio-pci");

        cr_assert_geq(asprintf(&conf_path, "%s/etc/modprobe.d/vfio.conf", gd_testbed_config_root(t)), 0);
        cr_assert_eq(read_file_capped(conf_path, GD_ATTR_MAX, &conf, NULL), 0);
        cr_assert_str_eq(conf, "options vfio-pci ids=10de:2204\n");
        cr_assert_eq(stat(conf_path, &st), 0);
        cr_assert_eq(st.st_mtime, 1732600000);
}

Test(testbed, exec_env_points_the_preload_at_the_testbed) {
        _cleanup_testbed_ struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *dir = NULL, *root = NULL;

        setenv("LD_PRELOAD", "libfoo.so", 1);
        cr_assert_eq(gd_testbed_exec_env(t, &env), 0);
        unsetenv("LD_PRELOAD");
        cr_assert_geq(asprintf(&dir, "UMOCKDEV_DIR=%s", gd_testbed_root(t)), 0);
        cr_assert_geq(asprintf(&root, "GPUDIAG_CONFIG_ROOT=%s", gd_testbed_config_root(t)), 0);
        cr_assert(strv_contains(env, dir));
        cr_assert(strv_contains(env, root));
        cr_assert(strv_contains(env, "GPUDIAG_REPLAY=1"));
        cr_assert(strv_contains(env, "LD_PRELOAD=" UMOCKDEV_PRELOAD ":libfoo.so"));
        /* Building the testbed leaves this process's environment alone. */
        cr_assert_null(getenv("UMOCKDEV_DIR"));
}

Test(testbed, free_removes_the_whole_directory) {
        struct gd_testbed *t = build("minimal.yaml", NULL);
        _cleanup_free_ char *root = strdup(gd_testbed_root(t));
        struct stat st;

        cr_assert_eq(stat(root, &st), 0);
        gd_testbed_free(t);
        cr_assert_eq(stat(root, &st), -1, "%s still exists", root);
        cr_assert_eq(errno, ENOENT);
}
