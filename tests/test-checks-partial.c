/* SPDX-License-Identifier: MIT */
/* The checks on partial evidence (issue 14), as pure functions on host
 * models: cards whose class a paste did not show, the tools' messages, the
 * kernel log's group, AER, ROM and vendor-reset lines, and the truth rules
 * of an imported host (what is absent is unknown and said so with the
 * command that settles it; no remedy that needs the whole host). */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "checks/unreadable.h"
#include "host-fixture.h"

static bool is_target(const struct gd_host *h, const char *address) {
        struct gd_targets t = { 0 };
        bool found = false;

        cr_assert_eq(gd_targets_find(h, NULL, &t), 0);
        for (size_t i = 0; i < t.n; i++)
                found = found || gd_target_has(&t.items[i], address);
        gd_targets_clear(&t);
        return found;
}

/* True when x asks the plan for kind with this argument (NULL: any). */
static bool acts(const struct gd_finding *x, enum gd_action_kind kind, const char *arg) {
        for (size_t i = 0; x && i < x->n_actions; i++)
                if (x->actions[i].kind == kind && (!arg || streq(x->actions[i].arg, arg)))
                        return true;
        return false;
}

/* ---- targets ------------------------------------------------------------ */

Test(partial, a_card_of_unknown_class_on_vfio_pci_is_the_card_the_paste_asks_about) {
        _cleanup_host_ struct gd_host *h = host_fixture("imported-log-only", NULL);

        cr_expect(is_target(h, "0000:0c:00.0"));
}

Test(partial, a_device_of_unknown_class_nothing_passes_through_is_no_card) {
        _cleanup_host_ struct gd_host *h = host_fixture("imported-log-only", "dev 0000:0c:00.0 driver=?", NULL);

        cr_expect_not(is_target(h, "0000:0c:00.0"));
}

Test(partial, a_gpu_driver_or_a_vm_tool_message_names_a_card_of_unknown_class) {
        _cleanup_host_ struct gd_host *a = host_fixture("imported-log-only", "dev 0000:0c:00.0 driver=nvidia", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "imported-log-only", "dev 0000:0c:00.0 driver=?",
                "vmlog kvm: -device vfio-pci,host=0000:0c:00.0,id=hostpci0: vfio 0000:0c:00.0: group 9 is not viable", NULL);

        cr_expect(is_target(a, "0000:0c:00.0"));
        cr_expect(is_target(b, "0000:0c:00.0"));
}

Test(partial, a_gpu_drivers_failed_probe_names_a_card_and_a_network_drivers_does_not) {
        /* The driver core probes a driver only for the devices of its ID
         * table: amdgpu's probe proves a GPU though it bound nothing. */
        _cleanup_host_ struct gd_host *a = host_fixture(
                "imported-log-only", "dev 0000:0c:00.0 driver=-",
                "kmsg amdgpu 0000:0c:00.0: probe with driver amdgpu failed with error -22", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "imported-log-only", "dev 0000:0c:00.0 driver=-",
                "kmsg igb 0000:0c:00.0: probe with driver igb failed with error -22", NULL);

        cr_expect(is_target(a, "0000:0c:00.0"));
        cr_expect_not(is_target(b, "0000:0c:00.0"));
}

Test(partial, an_apus_psp_and_usb_functions_are_group_members_not_the_gpus) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "dev 0000:04:00.0 class=030000 id=1002:1638 driver=vfio-pci group=5",
                "dev 0000:04:00.1 class=040300 id=1002:1637 driver=vfio-pci group=5",
                "dev 0000:04:00.2 class=108000 id=1022:15df driver=ccp group=5",
                "dev 0000:04:00.3 class=0c0330 id=1022:1639 driver=xhci_hcd group=5", NULL);
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };

        cr_assert_eq(gd_targets_find(h, "0000:04:00.0", &t), 0);
        cr_assert_eq(t.n, 1);
        cr_expect_eq(t.items[0].n_functions, 2, "the GPU and its HD audio (vendor 1002) only");
        gd_targets_clear(&t);
        run_family(gd_check_groups, h, &f);
        cr_expect_not_null(finding_about(&f, "group.shared", "0000:04:00.2"));
        cr_expect_not_null(finding_about(&f, "group.shared", "0000:04:00.3"));
        gd_findings_clear(&f);
}

/* ---- the tools' messages ------------------------------------------------ */

Test(partial, qemu_group_not_viable_names_the_card_it_is_about) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready",
                "vmlog qemu-system-x86_64: -device vfio-pci,host=01:00.0: vfio 0000:01:00.0: group 14 is not viable", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_tools, h, &f);
        x = finding_about(&f, "vfio.group-not-viable", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect(evidence_has(x, "group 14 is not viable"));
        gd_findings_clear(&f);
}

Test(partial, a_message_naming_no_device_is_about_the_card_on_vfio_pci_not_the_hosts_gpu) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "dev 0000:00:02.0 class=030000 id=8086:4680 driver=i915 group=2",
                "vmlog kvm: vfio_container_dma_map(0x63eaf1913800, 0x380000000000, 0x1000000, 0x7d0f3e000000) = -22 (Invalid argument)",
                NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_tools, h, &f);
        cr_expect_not_null(finding_about(&f, "vfio.dma-map-failed", "0000:01:00.0"));
        cr_expect_null(finding_about(&f, "vfio.dma-map-failed", "0000:00:02.0"));
        gd_findings_clear(&f);
}

Test(partial, only_an_eperm_from_set_iommu_means_no_interrupt_remapping) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "intel-vfio-ready", "vmlog qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: "
                "failed to setup container for group 14: Failed to set iommu for container: Operation not permitted", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "intel-vfio-ready", "vmlog qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: "
                "failed to setup container for group 14: Failed to set iommu for container: Invalid argument", NULL);
        struct gd_findings f = { 0 }, g = { 0 };

        run_family(gd_check_tools, a, &f);
        run_family(gd_check_tools, b, &g);
        cr_expect_not_null(finding_about(&f, "irq.remap-missing", "0000:01:00.0"));
        cr_expect_null(finding_about(&g, "irq.remap-missing", NULL));
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, dev_vfio_missing_is_not_bound_but_permission_denied_is_not) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "intel-vfio-ready", "vmlog qemu-system-x86_64: vfio 0000:01:00.0: failed to open /dev/vfio/14: No such file or directory", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "intel-vfio-ready", "vmlog qemu-system-x86_64: vfio 0000:01:00.0: failed to open /dev/vfio/14: Permission denied", NULL);
        struct gd_findings f = { 0 }, g = { 0 };

        run_family(gd_check_tools, a, &f);
        run_family(gd_check_tools, b, &g);
        cr_expect_not_null(finding_about(&f, "vfio.not-bound", "0000:01:00.0"));
        cr_expect_null(finding_about(&g, "vfio.not-bound", NULL));
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, dev_vfio_missing_asks_the_plan_to_bind_every_function_it_knows_the_ids_of) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "imported yes", "dev 0000:01:00.3 driver=? id=?",
                "vmlog qemu-system-x86_64: vfio 0000:01:00.0: failed to open /dev/vfio/14: No such file or directory", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_tools, h, &f);
        x = finding_about(&f, "vfio.not-bound", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect(acts(x, GD_ACT_VFIO_IDS, "10de:1e07") && acts(x, GD_ACT_VFIO_IDS, "10de:10f7") &&
                  acts(x, GD_ACT_VFIO_IDS, "10de:1ad6"));
        cr_expect(acts(x, GD_ACT_INITRAMFS_MODULE, "vfio_pci"));
        cr_expect(!acts(x, GD_ACT_VFIO_IDS, "10de:1ad7"), "a function whose IDs the paste hides is not named");
        gd_findings_clear(&f);
}

/* ---- the kernel log ----------------------------------------------------- */

Test(partial, a_card_removed_from_its_group_for_good_is_iommu_init_failed) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kmsg pci 0000:00:01.0: Adding to iommu group 1",
                                                        "kmsg pci 0000:01:00.0: Removing from iommu group 14", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "iommu.init-failed", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "Removing from iommu group 14"));
        gd_findings_clear(&f);
}

Test(partial, every_device_removed_is_a_teardown_of_the_whole_host) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kmsg pci 0000:01:00.0: Removing from iommu group 14",
                                                        NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "iommu.init-failed", NULL);
        cr_assert_not_null(x);
        cr_expect(!x->subjects || !x->subjects[0], "about the whole host: %s", x->summary);
        gd_findings_clear(&f);
}

Test(partial, removed_and_added_again_is_no_failure) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kmsg pci 0000:01:00.0: Removing from iommu group 14",
                                                        "kmsg pci 0000:01:00.0: Adding to iommu group 14", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_iommu, h, &f);
        cr_expect_null(finding_about(&f, "iommu.init-failed", NULL));
        gd_findings_clear(&f);
}

Test(partial, vfio_pci_refusing_a_card_without_a_group_is_no_groups_and_not_with_one) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "imported-log-only", "dev 0000:0c:00.0 driver=-",
                "kmsg vfio-pci 0000:0c:00.0: probe with driver vfio-pci failed with error -22", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "imported-log-only", "dev 0000:0c:00.0 driver=- group=7",
                "kmsg vfio-pci 0000:0c:00.0: probe with driver vfio-pci failed with error -22", NULL);
        struct gd_findings f = { 0 }, g = { 0 };

        run_family(gd_check_iommu, a, &f);
        run_family(gd_check_iommu, b, &g);
        cr_expect_not_null(finding_about(&f, "iommu.no-groups", "0000:0c:00.0"));
        cr_expect(acts(finding_about(&f, "iommu.no-groups", "0000:0c:00.0"), GD_ACT_FIRMWARE, NULL),
                  "the plan asks a person to enable the IOMMU in the firmware");
        cr_expect_null(finding_about(&g, "iommu.no-groups", "0000:0c:00.0"));
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, aer_fatal_without_recovery_blocks_and_recovered_only_warns) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "intel-vfio-ready", "kmsg pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:00:01.0",
                "kmsg pcieport 0000:00:01.0: AER: device recovery failed", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "intel-vfio-ready", "kmsg pcieport 0000:00:01.0: AER: Uncorrected (Non-Fatal) error received: 0000:01:00.0",
                "kmsg pcieport 0000:00:01.0: AER: device recovery successful", NULL);
        _cleanup_host_ struct gd_host *c = host_fixture(
                "intel-vfio-ready", "kmsg pcieport 0000:00:1c.0: AER: Uncorrected (Fatal) error received: 0000:00:1c.0",
                "kmsg pcieport 0000:00:1c.0: AER: device recovery failed", NULL);
        struct gd_findings f = { 0 }, g = { 0 }, k = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_aer, a, &f);
        run_family(gd_check_aer, b, &g);
        run_family(gd_check_aer, c, &k);
        x = finding_about(&f, "aer.uncorrectable", "0000:01:00.0");
        cr_assert_not_null(x, "the card's root port 00:01.0 reported it");
        cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
        cr_expect(acts(x, GD_ACT_MANUAL, NULL), "the plan gets the hardware check as a person's step");
        x = finding_about(&g, "aer.uncorrectable", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "recovered");
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        cr_expect(!acts(x, GD_ACT_MANUAL, NULL), "a recovered error asks nothing of the plan");
        cr_expect_null(finding_about(&k, "aer.uncorrectable", NULL), "00:1c.0 is not on the card's path");
        gd_findings_clear(&f);
        gd_findings_clear(&g);
        gd_findings_clear(&k);
}

Test(partial, an_invalid_rom_header_is_the_cards_only_when_the_line_names_it) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "intel-vfio-ready", "kmsg vfio-pci 0000:01:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff",
                NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "intel-vfio-ready", "kmsg ahci 0000:00:17.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0xffff",
                NULL);
        struct gd_findings f = { 0 }, g = { 0 };

        run_family(gd_check_rom, a, &f);
        run_family(gd_check_rom, b, &g);
        cr_expect_not_null(finding_about(&f, "rom.unreadable", "0000:01:00.0"));
        cr_expect_null(finding_about(&g, "rom.unreadable", NULL));
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, vendor_resets_own_lines_prove_the_amd_reset_bug_of_a_card_without_ids) {
        _cleanup_host_ struct gd_host *a = host_fixture(
                "imported-log-only", "kmsg vfio-pci 0000:0c:00.0: AMD_NAVI14: performing reset",
                "kmsg vfio-pci 0000:0c:00.0: AMD_NAVI14: timed out waiting for PSP to reach valid state", NULL);
        _cleanup_host_ struct gd_host *b = host_fixture(
                "imported-log-only", "kmsg vfio-pci 0000:0c:00.0: AMD_NOT_A_TABLE_ENTRY: performing reset", NULL);
        struct gd_findings f = { 0 }, g = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_reset, a, &f);
        run_family(gd_check_reset, b, &g);
        x = finding_about(&f, "reset.amd-bug", "0000:0c:00.0");
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "AMD_NAVI14: performing reset"));
        cr_expect_not_null(strstr(x->remedy, "reset failed"), "%s", x->remedy);
        cr_expect_null(finding_about(&g, "reset.amd-bug", NULL));
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

/* ---- truth rules of an imported host ------------------------------------ */

Test(partial, an_absent_driver_is_not_in_the_pasted_text_with_the_command_that_shows_it) {
        _cleanup_host_ struct gd_host *h = host_fixture("imported-log-only", "dev 0000:0c:00.0 driver=?",
                                                        "dev 0000:0c:00.0 class=030000", NULL);
        _cleanup_host_ struct gd_host *live = host_fixture("imported-log-only", "imported no", "dev 0000:0c:00.0 driver=?",
                                                           "dev 0000:0c:00.0 class=030000", NULL);
        struct gd_findings f = { 0 }, g = { 0 };
        const struct gd_finding *x, *y;

        run_family(gd_check_drivers, h, &f);
        run_family(gd_check_drivers, live, &g);
        x = finding_about(&f, "fact.unreadable", "0000:0c:00.0");
        y = finding_about(&g, "fact.unreadable", "0000:0c:00.0");
        cr_assert_not_null(x);
        cr_assert_not_null(y);
        cr_expect_not_null(strstr(x->summary, "not in the pasted text"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "paste the output of `lspci -nnk -s 0000:0c:00`"), "%s", x->remedy);
        cr_expect_null(strstr(x->remedy, "root"), "%s", x->remedy);
        cr_expect(evidence_has(x, "(not in the pasted text)"));
        cr_expect_not_null(strstr(y->remedy, "as root"), "a live host keeps its own reason: %s", y->remedy);
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, every_fact_has_a_command_that_settles_it) {
        for (int k = 0; k < _GD_FACT_MAX; k++) {
                char *cmd = gd_fact_command((enum gd_fact) k, "0000:01:00.0");
                cr_assert_not_null(cmd);
                cr_expect_gt(strlen(cmd), 4);
                cr_expect_null(strstr(cmd, "gpudiag"), "%s", cmd);
                free(cmd);
        }
}

Test(partial, a_paste_gets_no_remedy_that_needs_the_whole_host) {
        /* The RTX 2080 Ti on nouveau: the live host proves no other device
         * uses nouveau, a paste does not. */
        _cleanup_host_ struct gd_host *live = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 driver=nouveau", NULL);
        _cleanup_host_ struct gd_host *pasted = host_fixture("intel-vfio-ready", "imported yes",
                                                             "dev 0000:01:00.0 driver=nouveau", NULL);
        struct gd_findings f = { 0 }, g = { 0 };
        const struct gd_finding *x, *y;

        run_family(gd_check_drivers, live, &f);
        run_family(gd_check_drivers, pasted, &g);
        x = finding_about(&f, "driver.host-bound", "0000:01:00.0");
        y = finding_about(&g, "driver.host-bound", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_assert_not_null(y);
        cr_expect_not_null(strstr(x->remedy, "no other device on this host uses it"), "%s", x->remedy);
        cr_expect_null(strstr(y->remedy, "no other device on this host uses it"), "%s", y->remedy);
        cr_expect_not_null(strstr(y->remedy, "does not list every device"), "%s", y->remedy);
        cr_expect(acts(x, GD_ACT_BLACKLIST, "nouveau"));
        cr_expect(!acts(y, GD_ACT_BLACKLIST, NULL), "the plan gets no blacklist from a paste either");
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}

Test(partial, vfio_ids_absent_from_a_paste_are_not_called_stale) {
        _cleanup_host_ struct gd_host *live = host_fixture("intel-vfio-ready", "ids 10de:1e07,10de:10f7,10de:1ad6,10de:1ad7,1002:67df",
                                                           NULL);
        _cleanup_host_ struct gd_host *pasted = host_fixture("intel-vfio-ready", "imported yes",
                                                             "ids 10de:1e07,10de:10f7,10de:1ad6,10de:1ad7,1002:67df", NULL);
        struct gd_findings f = { 0 }, g = { 0 };

        run_family(gd_check_vfio, live, &f);
        run_family(gd_check_vfio, pasted, &g);
        cr_expect_not_null(finding_about(&f, "vfio.ids-mismatch", NULL), "1002:67df is on no device of the live host");
        cr_expect_null(finding_about(&g, "vfio.ids-mismatch", NULL), "a paste need not list the device that has it");
        gd_findings_clear(&f);
        gd_findings_clear(&g);
}
