/* SPDX-License-Identifier: MIT */
/* The reset family (checks/reset.c) on host fixtures: reset.none from
 * reset_method, the bus and the kernel version; reset.amd-bug for the AMD
 * device IDs vendor-reset supports, and its "handled" variant. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

/* The Navi 10 card with the vendor-reset module loaded. */
#define VENDOR_RESET_LOADED "loaded amdgpu snd_hda_intel nvme igb kvm kvm_amd vendor_reset"

Test(reset, flr_is_a_usable_reset) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_reset, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        gd_findings_clear(&f);
}

Test(reset, bus_reset_with_the_card_alone_on_its_bus_is_usable) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 reset=bus", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_reset, h, &f);
        cr_expect_null(finding_about(&f, "reset.none", NULL));
        gd_findings_clear(&f);
}

Test(reset, bus_reset_shared_with_another_device_is_reset_none_naming_it) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "dev 0000:01:00.0 reset=bus",
                "dev 0000:01:01.0 class=0c0330 id=1b21:2142 driver=xhci_hcd group=15 parent=0000:00:01.0", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, h, &f);
        x = finding_about(&f, "reset.none", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "0000:01:00.0 has no function-level reset, and a bus reset would also reset "
                                     "0000:01:01.0");
        cr_expect(evidence_has(x, "reset_method lists only bus-level methods"));
        gd_findings_clear(&f);
}

Test(reset, absent_reset_method_means_none_on_5_15_and_unknown_before) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 reset=-", NULL);
                const struct gd_finding *x;

                run_family(gd_check_reset, h, &f);
                x = finding_about(&f, "reset.none", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "Linux 5.15+ hides it"));
                gd_findings_clear(&f);
        }
        {
                /* 5.10 has no reset_method attribute: absence says nothing, and FLR is there */
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kernel 5.10.0-28-amd64",
                                                                "dev 0000:01:00.0 reset=-", NULL);
                run_family(gd_check_reset, h, &f);
                cr_expect_null(finding_about(&f, "reset.none", NULL));
                gd_findings_clear(&f);
        }
}

Test(reset, before_5_15_no_flr_and_no_soft_reset_in_config_space_is_none) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kernel 5.10.0-28-amd64",
                                                        "dev 0000:01:00.0 reset=- flr=no no_soft_reset=yes", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, h, &f);
        x = finding_about(&f, "reset.none", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "DevCap FLR no, PM No_Soft_Reset yes"));
        gd_findings_clear(&f);
}

Test(reset, navi10_without_vendor_reset_is_the_amd_bug_warning_with_the_install_remedy) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, h, &f);
        x = finding_about(&f, "reset.amd-bug", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->severity, GD_SEV_WARNING);
        cr_expect_not_null(strstr(x->summary, "vendor_reset is not loaded"), "%s", x->summary);
        cr_expect(evidence_has(x, "AMD_NAVI10"));
        cr_expect_not_null(strstr(x->remedy, "Install vendor-reset"), "%s", x->remedy);
        cr_expect_not_null(strstr(x->remedy, "echo device_specific > /sys/bus/pci/devices/0000:0b:00.0/reset_method"),
                           "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(reset, vendor_reset_loaded_and_selected_is_the_handled_variant) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", VENDOR_RESET_LOADED,
                                                        "dev 0000:0b:00.0 \"reset=device_specific bus\"", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, h, &f);
        x = finding_about(&f, "reset.amd-bug", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "handled");
        cr_expect_eq(x->severity, GD_SEV_INFO);
        cr_expect_null(x->remedy);
        gd_findings_clear(&f);
}

Test(reset, vendor_reset_loaded_but_not_selected_stays_a_warning_with_the_udev_rule) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", VENDOR_RESET_LOADED, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, h, &f);
        x = finding_about(&f, "reset.amd-bug", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_not_null(strstr(x->remedy, "99-vendor-reset.rules"), "%s", x->remedy);
        cr_expect_null(strstr(x->remedy, "Install vendor-reset"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(reset, nvidia_and_unsupported_amd_ids_get_no_amd_bug) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
                run_family(gd_check_reset, h, &f);
                cr_expect_null(finding_about(&f, "reset.amd-bug", NULL));
                gd_findings_clear(&f);
        }
        {
                /* Navi 21 (RX 6800): not in vendor-reset's device table */
                _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset",
                                                                "dev 0000:0b:00.0 id=1002:73bf", NULL);
                run_family(gd_check_reset, h, &f);
                cr_expect_null(finding_about(&f, "reset.amd-bug", NULL));
                gd_findings_clear(&f);
        }
}
