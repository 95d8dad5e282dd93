/* SPDX-License-Identifier: MIT */
/* The groups family (checks/groups.c) on host fixtures: a group shared with
 * devices on host drivers blocks; shared only with devices that are unbound
 * or on vfio-pci it is the declared "viable" variant; with a member whose
 * driver is unreadable, "drivers-unknown"; functions split over groups are
 * the "groups-only" variant of gpu.functions-split. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

Test(groups, card_alone_in_its_group_is_proven_for_every_function) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_groups, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        for (unsigned fn = 0; fn < 4; fn++) {
                char a[16];
                snprintf(a, sizeof(a), "0000:01:00.%u", fn);
                cr_expect(gd_findings_proven(&f, GD_PROOF_GROUP, a), "%s", a);
        }
        gd_findings_clear(&f);
}

Test(groups, chipset_group_with_nvme_and_nic_on_host_drivers_blocks_and_names_them) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "group.shared", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect(gd_finding_has_subject(x, "0000:04:00.0"));
        cr_expect(gd_finding_has_subject(x, "0000:05:00.0"));
        cr_expect(gd_finding_has_subject(x, "group:0"));
        /* bridges and the unbound host bridge are no intruders */
        cr_expect_not(gd_finding_has_subject(x, "0000:03:06.0"));
        cr_expect_not(gd_finding_has_subject(x, "0000:00:01.0"));
        cr_expect_not_null(strstr(x->summary, "nvme"), "%s", x->summary);
        cr_expect(evidence_has(x, "bridge 0000:00:01.2"));
        cr_expect(evidence_has(x, "has no ACS capability"));
        cr_expect_not_null(strstr(x->remedy, "driverctl set-override 0000:05:00.0 vfio-pci"), "%s", x->remedy);
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:0b:00.0"));
        gd_findings_clear(&f);
}

Test(groups, group_shared_only_with_unbound_or_vfio_devices_is_the_viable_variant) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "dev 0000:04:00.0 driver=vfio-pci",
                                                        "dev 0000:05:00.0 driver=-", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "group.shared", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "viable");
        cr_expect_eq(x->severity, GD_SEV_WARNING);
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        cr_expect(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:0b:00.0"));
        cr_expect_null(strstr(x->remedy, "driverctl"), "nothing to rebind: %s", x->remedy);
        gd_findings_clear(&f);
}

/* A member gpudiag cannot tell the driver of, of a class that a running host
 * need not drive (a system peripheral): viability is unknown. */
Test(groups, member_with_unreadable_driver_is_the_drivers_unknown_variant) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "dev 0000:04:00.0 driver=vfio-pci",
                                                        "dev 0000:05:00.0 class=088000 driver=?", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "group.shared", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "drivers-unknown");
        cr_expect_eq(x->effect, GD_EFFECT_UNKNOWN);
        cr_expect(evidence_has(x, "its driver could not be read"));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:0b:00.0"));
        gd_findings_clear(&f);
}

/* The same member as a network controller: every running host drives its
 * network card unless the paste shows it on vfio-pci or unbound, so the
 * group blocks, and the finding says it inferred that. */
Test(groups, network_member_with_unreadable_driver_blocks_and_says_it_is_inferred) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "dev 0000:04:00.0 driver=vfio-pci",
                                                        "dev 0000:05:00.0 driver=?", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "group.shared", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect_not_null(strstr(x->summary, "inferred"), "%s", x->summary);
        cr_expect(evidence_has(x, "a network controller"));
        cr_expect(evidence_has(x, "(inferred)"));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_GROUP, "0000:0b:00.0"));
        gd_findings_clear(&f);
}

/* The near miss: the same network controller shown on vfio-pci. */
Test(groups, network_member_on_vfio_pci_is_the_viable_variant) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "dev 0000:04:00.0 driver=vfio-pci",
                                                        "dev 0000:05:00.0 driver=vfio-pci", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "group.shared", "0000:0b:00.0");
        if (x)
                cr_expect_neq(x->effect, GD_EFFECT_BLOCKS, "%s", x->summary);
        gd_findings_clear(&f);
}

Test(groups, functions_in_different_groups_are_the_groups_only_variant_and_one_group_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.1 group=15", NULL);
                const struct gd_finding *x;

                run_family(gd_check_groups, h, &f);
                x = finding_about(&f, "gpu.functions-split", "0000:01:00.1");
                cr_assert_not_null(x);
                cr_expect_str_eq(x->variant, "groups-only");
                cr_expect_eq(x->effect, GD_EFFECT_NONE);
                cr_expect(evidence_has(x, "group 15"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
                run_family(gd_check_groups, h, &f);
                cr_expect_null(finding_about(&f, "gpu.functions-split", NULL));
                gd_findings_clear(&f);
        }
}

Test(groups, functions_on_different_drivers_block_with_the_ids_to_bind) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.1 driver=snd_hda_intel", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups, h, &f);
        x = finding_about(&f, "gpu.functions-split", "0000:01:00.1");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect_not_null(strstr(x->summary, "only 3 of the 4 functions"), "%s", x->summary);
        gd_findings_clear(&f);
}
