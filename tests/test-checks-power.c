/* SPDX-License-Identifier: MIT */
/* The power family (checks/power.c) on host fixtures: a function of the
 * card that did not come back to D0, from the kernel log or a vendor ID
 * that reads all ones; suspend noise and other devices do not count. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

Test(power, d3cold_failure_of_the_gpu_is_power_d3cold_with_its_remedy) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready",
                "kmsg vfio-pci 0000:01:00.0: Unable to change power state from D3cold to D0, device inaccessible", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_power, h, &f);
        x = finding_about(&f, "power.d3cold", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "0000:01:00.0 did not come back to D0 (device inaccessible or power state "
                                     "change refused; 1 record)");
        cr_expect(evidence_has(x, "Unable to change power state"));
        cr_expect_not_null(strstr(x->remedy, "vfio-pci.disable_idle_d3=1"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(power, pre_6_0_wording_and_a_refusal_to_reach_d0_count_too) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready",
                "kmsg snd_hda_intel 0000:01:00.1: can't change power state from D3cold to D0 (config space inaccessible)",
                "kmsg xhci_hcd 0000:01:00.2: Refused to change power state from D3hot to D0", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_power, h, &f);
        x = finding_about(&f, "power.d3cold", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "0000:01:00.1 did not come back to D0"), "%s", x->summary);
        cr_expect_not_null(strstr(x->summary, "2 records"), "%s", x->summary);
        gd_findings_clear(&f);
}

Test(power, refusal_to_enter_d3hot_is_suspend_noise) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "kmsg snd_hda_intel 0000:01:00.1: Refused to change power state from D0 to D3hot",
                NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_power, h, &f);
        cr_expect_null(finding_about(&f, "power.d3cold", NULL));
        gd_findings_clear(&f);
}

Test(power, failure_of_a_device_outside_the_card_is_not_the_cards) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready",
                "kmsg nvme 0000:00:17.0: Unable to change power state from D3cold to D0, device inaccessible", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_power, h, &f);
        cr_expect_null(finding_about(&f, "power.d3cold", NULL));
        gd_findings_clear(&f);
}

Test(power, vendor_id_reading_all_ones_is_off_the_bus) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.1 id=ffff:ffff", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_power, h, &f);
        x = finding_about(&f, "power.d3cold", "0000:01:00.1");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "0xffff (config space reads all ones)"));
        gd_findings_clear(&f);
}
