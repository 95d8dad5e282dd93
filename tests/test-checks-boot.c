/* SPDX-License-Identifier: MIT */
/* The boot family (checks/boot.c) on host fixtures: the boot loader
 * configuration against the running command line, and module configuration
 * against the initramfs. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

Test(boot, applied_configuration_and_fresh_initramfs_say_nothing) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_boot, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        gd_findings_clear(&f);
}

Test(boot, flag_in_grub_that_the_running_kernel_lacks_is_drift_with_update_grub) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "cmdline ro quiet intel_iommu=on", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_boot, h, &f);
        x = finding_about(&f, "boot.cmdline-drift", NULL);
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "/etc/default/grub has iommu=pt, which the running kernel did not get "
                                     "(not applied or not rebooted)");
        cr_expect(evidence_has(x, "/proc/cmdline"));
        cr_expect(evidence_has(x, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""));
        cr_expect_not_null(strstr(x->remedy, "update-grub"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(boot, keys_compare_with_dash_and_underscore_alike) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "cmdline ro quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1e07",
                "next-cmdline /etc/default/grub:6 quiet intel_iommu=on iommu=pt vfio_pci.ids=10de:1e07", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_boot, h, &f);
        cr_expect_null(finding_about(&f, "boot.cmdline-drift", NULL));
        gd_findings_clear(&f);
}

Test(boot, iommu_flag_gone_from_the_configuration_is_drift_but_quiet_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "next-cmdline /etc/default/grub:6 quiet iommu=pt", NULL);
                const struct gd_finding *x;

                run_family(gd_check_boot, h, &f);
                x = finding_about(&f, "boot.cmdline-drift", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "the running kernel has intel_iommu=on, which"), "%s",
                                   x->summary);
                cr_expect_not_null(strstr(x->summary, "gone after the next boot"), "%s", x->summary);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "next-cmdline /etc/default/grub:6 intel_iommu=on iommu=pt",
                                                                NULL);
                run_family(gd_check_boot, h, &f);
                cr_expect_null(finding_about(&f, "boot.cmdline-drift", NULL));
                gd_findings_clear(&f);
        }
}

Test(boot, unreadable_boot_loader_configuration_says_nothing_about_drift) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "cmdline ro quiet",
                                                        "state next-cmdline EACCES", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_boot, h, &f);
        cr_expect_null(finding_about(&f, "boot.cmdline-drift", NULL));
        gd_findings_clear(&f);
}

Test(boot, module_configuration_newer_than_the_initramfs_is_stale_and_as_old_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "modconf /etc/modprobe.d/vfio.conf 1732700001", NULL);
                const struct gd_finding *x;

                run_family(gd_check_boot, h, &f);
                x = finding_about(&f, "boot.initramfs-stale", NULL);
                cr_assert_not_null(x);
                cr_expect_str_eq(x->summary,
                                 "/etc/modprobe.d/vfio.conf changed after /boot/initrd.img-6.8.12-4-pve was built");
                cr_expect_not_null(strstr(x->remedy, "update-initramfs -u"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "modconf /etc/modprobe.d/vfio.conf 1732700000", NULL);
                run_family(gd_check_boot, h, &f);
                cr_expect_null(finding_about(&f, "boot.initramfs-stale", NULL));
                gd_findings_clear(&f);
        }
}
