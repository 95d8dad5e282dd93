/* SPDX-License-Identifier: MIT */
/* The drivers family (checks/drivers.c) on host fixtures: who holds each
 * function now, and who will claim it at next boot, as the driver core and
 * modprobe decide (the rule above module_claims()). */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

/* The modalias lines of the ready host's audio and USB functions. */
#define AUDIO_ALIAS "alias pci:v000010DEd000010F7sv00001043sd0000866Abc04sc03i00"
#define USB_ALIAS "alias pci:v000010DEd00001AD6sv00001043sd0000866Abc0Csc03i30"

Test(drivers, every_function_on_vfio_pci_is_proven_and_nothing_will_claim_it) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_drivers, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        cr_expect(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:01:00.0"));
        cr_expect(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:01:00.3"));
        gd_findings_clear(&f);
}

Test(drivers, card_on_amdgpu_and_snd_hda_intel_is_host_bound_with_boot_time_lines) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_drivers, h, &f);
        x = finding_about(&f, "driver.host-bound", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect(gd_finding_has_subject(x, "0000:0b:00.1"));
        cr_expect(evidence_has(x, "the AMD GPU driver"));
        cr_expect_not_null(strstr(x->remedy, "options vfio-pci ids=1002:731f,1002:ab38"), "%s", x->remedy);
        cr_expect_not_null(strstr(x->remedy, "softdep amdgpu pre: vfio-pci"), "%s", x->remedy);
        /* the boot VGA device drives the console */
        cr_expect_not_null(strstr(x->remedy, "host console"), "%s", x->remedy);
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:0b:00.0"));
        gd_findings_clear(&f);
}

Test(drivers, unbound_function_is_named_unless_its_override_is_vfio_pci) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.2 driver=-", NULL);
                const struct gd_finding *x;

                run_family(gd_check_drivers, h, &f);
                x = finding_about(&f, "driver.unbound", "0000:01:00.2");
                cr_assert_not_null(x);
                cr_expect_not(gd_finding_has_subject(x, "0000:01:00.0"));
                cr_expect_not_null(strstr(x->remedy, "driverctl set-override 0000:01:00.2 vfio-pci"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "dev 0000:01:00.2 driver=- override=vfio-pci", NULL);
                run_family(gd_check_drivers, h, &f);
                cr_expect_null(finding_about(&f, "driver.unbound", NULL));
                gd_findings_clear(&f);
        }
}

Test(drivers, unreadable_driver_link_is_fact_unreadable_not_host_bound) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.1 driver=?", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_drivers, h, &f);
        cr_expect_not_null(finding_about(&f, "fact.unreadable", "0000:01:00.1"));
        cr_expect_null(finding_about(&f, "driver.host-bound", NULL));
        cr_expect_null(finding_about(&f, "driver.unbound", NULL));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_DRIVER, "0000:01:00.1"));
        gd_findings_clear(&f);
}

Test(drivers, alias_without_softdep_or_blacklist_will_claim_the_function) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", AUDIO_ALIAS " snd_hda_intel vfio_pci", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_drivers, h, &f);
        x = finding_about(&f, "driver.will-claim", "0000:01:00.1");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "no softdep or blacklist makes vfio-pci load first"));
        cr_expect_not(gd_finding_has_subject(x, "0000:01:00.0"));
        gd_findings_clear(&f);
}

Test(drivers, blacklisted_module_with_ids_listing_the_device_does_not_claim_it) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        AUDIO_ALIAS " snd_hda_intel:blacklisted vfio_pci", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_drivers, h, &f);
        cr_expect_null(finding_about(&f, "driver.will-claim", NULL));
        gd_findings_clear(&f);
}

Test(drivers, built_in_host_driver_claims_despite_the_softdep) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        USB_ALIAS " xhci_pci:builtin:softdep-vfio vfio_pci", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_drivers, h, &f);
        x = finding_about(&f, "driver.will-claim", "0000:01:00.2");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "built into the kernel"));
        gd_findings_clear(&f);
}

Test(drivers, install_false_replaces_loading_so_nothing_claims) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", AUDIO_ALIAS " snd_hda_intel vfio_pci",
                                                        "install snd_hda_intel /bin/false", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_drivers, h, &f);
        cr_expect_null(finding_about(&f, "driver.will-claim", NULL));
        gd_findings_clear(&f);
}

/* vfio-pci's variant drivers hand the device to VFIO too: the kernel's own
 * (drivers/vfio/pci/<vendor>/), or any module /sys/module/vfio_pci_core/holders
 * lists; an unknown driver without that proof is a host driver. */
Test(drivers, vfio_pci_variant_drivers_count_as_vfio) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("arm64-its", "dev 0004:01:00.0 driver=nvgrace_gpu_vfio_pci",
                                                                NULL);
                run_family(gd_check_drivers, h, &f);
                cr_expect_null(finding_about(&f, "driver.host-bound", NULL));
                cr_expect(gd_findings_proven(&f, GD_PROOF_DRIVER, "0004:01:00.0"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("arm64-its", "dev 0004:01:00.0 driver=acme_vfio_pci",
                                                                "sysmodule vfio_pci_core present vfio_pci acme_vfio_pci",
                                                                NULL);
                run_family(gd_check_drivers, h, &f);
                cr_expect_null(finding_about(&f, "driver.host-bound", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("arm64-its", "dev 0004:01:00.0 driver=acme_vfio_pci",
                                                                "sysmodule vfio_pci_core present vfio_pci", NULL);
                run_family(gd_check_drivers, h, &f);
                cr_expect_not_null(finding_about(&f, "driver.host-bound", "0004:01:00.0"));
                gd_findings_clear(&f);
        }
}

/* In a Xen dom0 the card goes to xen-pciback ("pciback"), not vfio-pci. */
Test(drivers, in_dom0_the_remedy_is_xen_pciback_not_vfio_pci) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", NULL);
                const struct gd_finding *x;

                run_family(gd_check_drivers, h, &f);
                x = finding_about(&f, "driver.host-bound", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->remedy, "xl pci-assignable-add 0000:01:00.0"), "%s", x->remedy);
                cr_expect_not_null(strstr(x->remedy, "xen-pciback.hide=(0000:01:00.0)(0000:01:00.1)"), "%s", x->remedy);
                cr_expect_null(strstr(x->remedy, "vfio"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", "dev 0000:01:00.0 driver=pciback",
                                                                "dev 0000:01:00.1 driver=pciback", NULL);
                run_family(gd_check_drivers, h, &f);
                cr_expect_null(finding_about(&f, "driver.host-bound", NULL));
                cr_expect(gd_findings_proven(&f, GD_PROOF_PCIBACK, "0000:01:00.1"));
                gd_findings_clear(&f);
        }
}
