/* SPDX-License-Identifier: MIT */
/* Bad or partial hosts give a clear statement or an unknown, never a crash:
 * no /sys/kernel/iommu_groups at all, a group link to a device that is not
 * on the bus, an unreadable attribute. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>

#include "base/macro.h"
#include "testbed-run.h"

static char *run_in(const char *fixture, const char *const *args, int *ret_exit) {
        _cleanup_free_ char *path = fixture_bundle_path(fixture), *err = NULL;
        _cleanup_testbed_ struct gd_testbed *t = testbed_from_file(path);
        char *argv[8] = { (char *) gpudiag_binary() };
        char *out = NULL;
        int status;

        for (size_t i = 0; args[i] && i < 6; i++)
                argv[i + 1] = (char *) args[i];
        cr_assert_eq(testbed_run(t, argv, &out, &err, &status), 0);
        cr_assert(WIFEXITED(status), "%s: crashed: %s", fixture, err);
        *ret_exit = WEXITSTATUS(status);
        return out;
}

Test(reader, missing_iommu_groups_dir_is_stated_and_devices_still_listed) {
        const char *args[] = { "groups", NULL };
        const char *jargs[] = { "groups", "--format", "json", NULL };
        _cleanup_free_ char *out = NULL, *json = NULL;
        int rc;

        out = run_in("no-iommu-groups.yaml", args, &rc);
        cr_assert_eq(rc, 0);
        cr_assert_not_null(strstr(out, "No IOMMU groups: the IOMMU is not enabled (/sys/kernel/iommu_groups does not exist)"), "%s", out);
        cr_assert_not_null(strstr(out, "0000:01:00.0 VGA compatible controller [0300]"), "%s", out);
        json = run_in("no-iommu-groups.yaml", jargs, &rc);
        cr_assert_eq(rc, 0);
        cr_assert_not_null(strstr(json, "\"iommu_groups_state\": \"missing\""), "%s", json);
        cr_assert_not_null(strstr(json, "\"iommu_group\": null"), "%s", json);
}

Test(reader, group_link_to_a_device_not_on_the_bus_is_shown_not_dropped) {
        const char *args[] = { "groups", NULL };
        _cleanup_free_ char *out = NULL;
        int rc;

        out = run_in("dangling-group-link.yaml", args, &rc);
        cr_assert_eq(rc, 0);
        cr_assert_not_null(strstr(out, "\t0000:02:00.0 (not on the PCI bus"), "%s", out);
}

Test(reader, dangling_group_member_keeps_the_gpu_from_ready) {
        const char *args[] = { "explain", "--format", "json", NULL };
        _cleanup_free_ char *out = NULL;
        int rc;

        out = run_in("dangling-group-link.yaml", args, &rc);
        cr_assert_eq(rc, 1, "%s", out);
        cr_assert_null(strstr(out, "\"verdict\": \"ready\""), "%s", out);
        /* The member gpudiag cannot see is named, not ignored. */
        cr_assert_not_null(strstr(out, "\"group.shared\""), "%s", out);
        cr_assert_not_null(strstr(out, "0000:02:00.0"), "%s", out);
}

/* symlink-loop.yaml: attributes that are links pointing at each other.
 * The kernel ends the walk (ELOOP after 40 links); the facts read as
 * unknown and the reader neither hangs nor invents a value. */
Test(reader, attribute_link_loop_reads_as_unknown, .timeout = 20) {
        const char *args[] = { "groups", "--format", "json", NULL };
        const char *eargs[] = { "explain", "--format", "json", NULL };
        _cleanup_free_ char *json = NULL, *out = NULL;
        const char *gpu;
        int rc;

        json = run_in("symlink-loop.yaml", args, &rc);
        cr_assert_eq(rc, 0);
        gpu = strstr(json, "\"address\": \"0000:01:00.0\"");
        cr_assert_not_null(gpu, "%s", json);
        cr_assert_not_null(strstr(gpu, "\"reset_method\": null"), "%s", gpu);
        cr_assert_not_null(strstr(gpu, "\"power_state\": null"), "%s", gpu);
        out = run_in("symlink-loop.yaml", eargs, &rc);
        cr_assert_eq(rc, 1, "%s", out);
        cr_assert_null(strstr(out, "\"verdict\": \"ready\""), "%s", out);
}
