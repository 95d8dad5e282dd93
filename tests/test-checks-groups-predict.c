/* SPDX-License-Identifier: MIT */
/* The group prediction in explain (checks/groups-predict.c) on host
 * fixtures: with the IOMMU off, which devices will join the card's group
 * and why, or that it will be alone; with a shared group, whether an ACS
 * override would split it, and when none could.  The expectations follow
 * from the ports' ACS facts stated in the fixtures. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

/* The X570 fixture's facts the prediction reads, which the fixture leaves
 * unknown: the header's multifunction bit, conventional PCI for the dummy
 * host bridge, no ACS on the card's functions (Navi 10 shows none). */
#define X570_FACTS \
        "dev 0000:00:01.0 pcie=no mf=yes", "dev 0000:00:01.2 mf=yes", "dev 0000:02:00.0 mf=no", \
        "dev 0000:03:04.0 mf=no", "dev 0000:03:06.0 mf=no", "dev 0000:04:00.0 mf=no acs=no", \
        "dev 0000:05:00.0 mf=no acs=no", "dev 0000:0b:00.0 mf=yes acs=no", "dev 0000:0b:00.1 mf=yes acs=no"

#define NO_GROUPS \
        "groups missing", "dev 0000:00:01.0 group=-", "dev 0000:00:01.2 group=-", "dev 0000:02:00.0 group=-", \
        "dev 0000:03:04.0 group=-", "dev 0000:03:06.0 group=-", "dev 0000:04:00.0 group=-", \
        "dev 0000:05:00.0 group=-", "dev 0000:0b:00.0 group=-", "dev 0000:0b:00.1 group=-"

Test(groups_predict, with_the_iommu_off_the_chipset_card_will_share_with_the_nvme_and_nic_and_says_why) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", X570_FACTS, NO_GROUPS, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups_predict, h, &f);
        x = finding_about(&f, "group.predicted", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->effect, GD_EFFECT_NONE, "a prediction changes no verdict");
        cr_expect(gd_finding_has_subject(x, "0000:04:00.0"));
        cr_expect(gd_finding_has_subject(x, "0000:05:00.0"));
        cr_expect_not(gd_finding_has_subject(x, "0000:03:06.0"), "a bridge is no intruder");
        cr_expect(evidence_has(x, "0000:00:01.2 (Root Port 1022:1483) has no ACS capability"));
        cr_expect_null(strstr(x->summary, "a fact was unknown"), "%s", x->summary);
        gd_findings_clear(&f);
}

Test(groups_predict, an_unknown_acs_fact_widens_the_prediction_and_says_so) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", X570_FACTS, NO_GROUPS,
                                                        "dev 0000:03:06.0 acs=?", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups_predict, h, &f);
        x = finding_about(&f, "group.predicted", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "a fact was unknown"), "%s", x->summary);
        cr_expect_null(finding_about(&f, "group.override-would-split", "0000:0b:00.0"),
                       "no advice on an uncertain group");
        gd_findings_clear(&f);
}

Test(groups_predict, a_card_behind_a_root_port_with_acs_will_be_alone) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "groups missing", "dev 0000:00:00.0 group=- pcie=no mf=no",
                "dev 0000:00:01.0 group=- mf=no", "dev 0000:00:17.0 group=- mf=no acs=no",
                "dev 0000:01:00.0 group=- mf=yes", "dev 0000:01:00.1 group=- mf=yes acs=no",
                "dev 0000:01:00.2 group=- mf=yes acs=no", "dev 0000:01:00.3 group=- mf=yes acs=no", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups_predict, h, &f);
        x = finding_about(&f, "group.predicted", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "alone");
        cr_expect_eq(x->severity, GD_SEV_INFO);
        cr_expect_null(finding_about(&f, "group.override-would-split", "0000:01:00.0"));
        gd_findings_clear(&f);
}

Test(groups_predict, with_real_groups_nothing_is_predicted) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", X570_FACTS, NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_groups_predict, h, &f);
        cr_expect_null(finding_about(&f, "group.predicted", "0000:0b:00.0"));
        gd_findings_clear(&f);
}

Test(groups_predict, a_root_port_without_acs_can_be_overridden_at_a_cost) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", X570_FACTS, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups_predict, h, &f);
        x = finding_about(&f, "group.override-would-split", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        /* The narrowest override that splits: the ID of the root port
         * without ACS above the card, not 03:04.0's (1022:57a4), which only
         * the NVMe and the NIC sit behind, nor every downstream port. */
        cr_expect_not_null(strstr(x->summary, "pcie_acs_override=id:1022:1483 would"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "peer-to-peer"), "%s", x->remedy);
        cr_expect_not_null(strstr(x->remedy, "0000:04:00.0"), "names what stays reachable: %s", x->remedy);
        cr_expect_eq(x->n_actions, 0u, "the plan never chooses an override");
        gd_findings_clear(&f);
}

Test(groups_predict, an_override_already_in_force_gets_no_advice) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "amd-x570-navi10-chipset", X570_FACTS,
                "cmdline BOOT_IMAGE=/boot/vmlinuz root=UUID=5c1e ro pcie_acs_override=downstream", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_groups_predict, h, &f);
        cr_expect_null(finding_about(&f, "group.override-would-split", "0000:0b:00.0"));
        gd_findings_clear(&f);
}

/* A conventional card behind a PCIe-to-PCI bridge: the bridge takes over
 * the requester IDs of everything below it (pci_for_each_dma_alias()), so
 * its group is one whatever ACS says, and no override changes that. */
#define PCI_BRIDGE_HOST \
        "dev 0000:00:1c.0 class=060400 id=8086:a290 driver=pcieport group=5 pcie=root-port acs=005f/001d mf=no", \
        "dev 0000:05:00.0 class=060400 id=104c:8240 driver=- group=6 parent=0000:00:1c.0 pcie=pci-bridge mf=no", \
        "dev 0000:06:00.0 class=030000 id=1002:6779 driver=vfio-pci group=6 parent=0000:05:00.0 pcie=no mf=no", \
        "dev 0000:06:01.0 class=020000 id=10ec:8169 driver=r8169 group=6 parent=0000:05:00.0 pcie=no mf=no"

Test(groups_predict, a_group_made_by_a_pcie_to_pci_bridge_cannot_be_overridden) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", PCI_BRIDGE_HOST, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_groups_predict, h, &f);
        x = finding_about(&f, "group.override-would-split", "0000:06:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "cannot");
        cr_expect_not_null(strstr(x->summary, "0000:06:01.0"), "%s", x->summary);
        cr_expect(evidence_has(x, "0000:05:00.0"), "the bridge is named");
        gd_findings_clear(&f);
}
