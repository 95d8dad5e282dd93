/* SPDX-License-Identifier: MIT */
/* The iommu family (checks/iommu.c, iommu-cmdline.c, irq.c) on host models
 * from fixtures/hosts/: each rule where it fires and the near miss where it
 * must not. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

/* The ready host with the IOMMU off: no units, no groups, and none of the
 * log lines that prove translation. */
#define NO_GROUPS "groups empty", "dev 0000:01:00.0 group=-", "dev 0000:01:00.1 group=-",                      \
                  "dev 0000:01:00.2 group=-", "dev 0000:01:00.3 group=-", "dev 0000:00:00.0 group=-",         \
                  "dev 0000:00:01.0 group=-", "dev 0000:00:17.0 group=-"
#define NO_IOMMU "iommu-units", NO_GROUPS, "kmsg-drop Intel(R) Virtualization Technology for Directed I/O",      \
                 "kmsg-drop Adding to iommu group", "kmsg-drop DMAR-IR: Enabled IRQ remapping"

Test(iommu, ready_intel_host_proves_iommu_and_interrupt_remapping) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_iommu, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        cr_expect(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
        cr_expect(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
        gd_findings_clear(&f);
}

Test(iommu, no_dmar_or_ivrs_table_is_firmware_off) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "acpi none", NO_IOMMU, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "iommu.firmware-off", NULL);
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "/sys/firmware/acpi/tables/DMAR"));
        cr_expect_not_null(strstr(x->remedy, "VT-d"));
        cr_expect_null(finding_about(&f, "iommu.kernel-off", NULL));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
        gd_findings_clear(&f);
}

Test(iommu, dmar_table_without_units_is_kernel_off_not_firmware_off) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "acpi DMAR", NO_IOMMU,
                                                        "cmdline ro quiet intel_iommu=off", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        cr_expect_null(finding_about(&f, "iommu.firmware-off", NULL));
        x = finding_about(&f, "iommu.kernel-off", NULL);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "intel_iommu=off"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "intel_iommu=off"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(iommu, iommu_enabled_line_alone_is_no_proof_but_the_vtd_banner_is) {
        struct gd_findings f = { 0 };

        /* "DMAR: IOMMU enabled" is printed by the parser of intel_iommu=on. */
        {
                _cleanup_host_ struct gd_host *h = host_fixture("iommu-log-only", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
                cr_expect_not_null(finding_about(&f, "iommu.kernel-off", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "iommu-log-only", "kmsg DMAR: Intel(R) Virtualization Technology for Directed I/O", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "iommu.kernel-off", NULL));
                cr_expect_not_null(finding_about(&f, "fact.unreadable", NULL), "the groups are unknown");
                gd_findings_clear(&f);
        }
}

Test(iommu, kernel_without_default_on_needs_intel_iommu_on) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_IOMMU, "cmdline ro quiet",
                                                        "next-cmdline /etc/default/grub:6 quiet",
                                                        "next-cmdline-written GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"",
                                                        NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "iommu.kernel-off", NULL);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "does not enable VT-d by default"), "%s", x->summary);
        cr_expect(evidence_has(x, "CONFIG_INTEL_IOMMU_DEFAULT_ON=n"));
        cr_expect_not_null(strstr(x->remedy, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\""), "%s", x->remedy);
        cr_expect_not_null(strstr(x->remedy, "update-grub"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(iommu, kernel_with_default_on_is_not_told_to_add_intel_iommu_on) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_IOMMU, "cmdline ro quiet",
                                                        "kconfig CONFIG_INTEL_IOMMU_DEFAULT_ON=y", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "iommu.kernel-off", NULL);
        cr_assert_not_null(x);
        cr_expect_null(strstr(x->summary, "by default"), "%s", x->summary);
        cr_expect_null(strstr(x->remedy ? x->remedy : "", "intel_iommu=on"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(iommu, units_without_groups_is_no_groups) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_GROUPS, NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_iommu, h, &f);
        cr_expect_not_null(finding_about(&f, "iommu.no-groups", NULL));
        cr_expect_null(finding_about(&f, "iommu.kernel-off", NULL));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
        gd_findings_clear(&f);
}

Test(iommu, guest_without_viommu_is_hypervisor_and_with_one_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hypervisor yes",
                                                                "dmi QEMU | Standard PC (Q35 + ICH9, 2009)",
                                                                "acpi none", NO_IOMMU, NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_not_null(finding_about(&f, "iommu.hypervisor", NULL));
                cr_expect_null(finding_about(&f, "iommu.firmware-off", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hypervisor yes",
                                                                "dmi QEMU | Standard PC (Q35 + ICH9, 2009)", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "iommu.hypervisor", NULL));
                cr_expect(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
                gd_findings_clear(&f);
        }
}

Test(iommu, xen_dom0_is_named_but_a_xen_hvm_guest_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hypervisor-type xen", NO_IOMMU,
                                                                NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_not_null(finding_about(&f, "iommu.xen-dom0", NULL));
                cr_expect_null(finding_about(&f, "iommu.kernel-off", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hypervisor-type xen",
                                                                "dmi Xen | HVM domU", "hypervisor yes", NO_IOMMU, NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "iommu.xen-dom0", NULL));
                cr_expect_not_null(finding_about(&f, "iommu.hypervisor", NULL));
                gd_findings_clear(&f);
        }
}

/* vfio makes a no-IOMMU group only for a device without a group
 * (vfio_device_set_group(), drivers/vfio/group.c): where the IOMMU
 * translates and the card has its real group, the mode is a warning. */
Test(iommu, unsafe_noiommu_mode_blocks_only_without_real_groups) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready", "cmdline ro intel_iommu=on vfio.enable_unsafe_noiommu_mode=1", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "iommu.noiommu-mode", NULL);
                cr_assert_not_null(x);
                cr_expect_str_eq(x->variant, "real-groups");
                cr_expect_eq(x->effect, GD_EFFECT_NONE);
                cr_expect(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
                gd_findings_clear(&f);
        }
        {
                /* No units and no VT-d banner: the groups may be no-IOMMU ones. */
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready", "cmdline ro intel_iommu=on vfio.enable_unsafe_noiommu_mode=1",
                        "state iommu-units ENOENT", "kmsg-drop Intel(R) Virtualization Technology for Directed I/O", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "iommu.noiommu-mode", NULL);
                cr_assert_not_null(x);
                cr_expect_null(x->variant);
                cr_expect_eq(x->effect, GD_EFFECT_BLOCKS);
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
                gd_findings_clear(&f);
        }
        {
                /* Real units, but a function of the card without a group. */
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready", "cmdline ro intel_iommu=on vfio.enable_unsafe_noiommu_mode=1",
                        "dev 0000:01:00.3 group=-", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "iommu.noiommu-mode", NULL);
                cr_assert_not_null(x);
                cr_expect_null(x->variant);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready", "cmdline ro intel_iommu=on vfio.enable_unsafe_noiommu_mode=0", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "iommu.noiommu-mode", NULL));
                cr_expect(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
                gd_findings_clear(&f);
        }
}

Test(iommu, intel_iommu_pt_is_an_unknown_option_and_igfx_off_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "cmdline ro intel_iommu=on,pt", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "iommu.unknown-option", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "intel_iommu=pt"), "%s", x->summary);
                cr_expect_not_null(strstr(x->remedy, "iommu=pt"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "cmdline ro intel_iommu=on,igfx_off",
                                                                NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "iommu.unknown-option", NULL));
                gd_findings_clear(&f);
        }
}

Test(iommu, acs_override_is_named_and_an_ignoring_kernel_says_so) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready", "cmdline ro intel_iommu=on pcie_acs_override=downstream,multifunction",
                        "kmsg Unknown kernel command line parameters \"pcie_acs_override=downstream,multifunction\", "
                        "will be passed to user space.", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "acs.override", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "ignores it"), "%s", x->summary);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "acs.override", NULL));
                gd_findings_clear(&f);
        }
}

/* ---- interrupt remapping (irq.c) ------------------------------------ */

Test(irq, boot_log_without_remapping_and_no_ir_chip_is_remap_missing) {
        _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "irq.remap-missing", NULL);
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "no IR- or ITS- interrupt chip"));
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
        gd_findings_clear(&f);
}

Test(irq, ir_interrupt_chip_proves_remapping_without_a_log_line) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "irq-no-remapping",
                "interrupts  122:   0   0  IR-PCI-MSI-0000:01:00.0   0-edge   vfio-msi[0](0000:01:00.0)", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_iommu, h, &f);
        cr_expect_null(finding_about(&f, "irq.remap-missing", NULL));
        cr_expect(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
        gd_findings_clear(&f);
}

Test(irq, intremap_off_on_the_command_line_is_remap_missing_with_its_removal) {
        _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping", "cmdline ro intel_iommu=on intremap=off",
                                                        NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        x = finding_about(&f, "irq.remap-missing", NULL);
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "/proc/cmdline"));
        cr_expect_not_null(strstr(x->remedy, "intremap=off"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(irq, allow_unsafe_interrupts_is_named_and_replaces_remap_missing) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "irq-no-remapping", "cmdline ro intel_iommu=on vfio_iommu_type1.allow_unsafe_interrupts=1", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "irq.unsafe-allowed", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "needed"), "%s", x->summary);
                cr_expect_null(finding_about(&f, "irq.remap-missing", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "irq-no-remapping", "cmdline ro intel_iommu=on vfio_iommu_type1.allow_unsafe_interrupts=0", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "irq.unsafe-allowed", NULL));
                cr_expect_not_null(finding_about(&f, "irq.remap-missing", NULL));
                gd_findings_clear(&f);
        }
}

Test(irq, unreadable_log_and_interrupts_leave_remapping_unknown_not_missing) {
        _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping", "state kmsg EACCES",
                                                        "state interrupts EACCES", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_iommu, h, &f);
        cr_expect_null(finding_about(&f, "irq.remap-missing", NULL));
        x = finding_about(&f, "fact.unreadable", NULL);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "interrupt remapping"), "%s", x->summary);
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
        gd_findings_clear(&f);
}

/* arm64: MSI isolation comes from the GICv3 ITS (its_node_init() sets
 * IRQ_DOMAIN_FLAG_ISOLATED_MSI), and there is no DMAR-IR or AMD-Vi line. */
Test(irq, arm64_its_chips_prove_msi_isolation) {
        _cleanup_host_ struct gd_host *h = host_fixture("arm64-its", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_iommu, h, &f);
        cr_expect_eq(f.n, 0, "first: %s: %s", f.n ? f.items[0].id : "", f.n ? f.items[0].summary : "");
        cr_expect(gd_findings_proven(&f, GD_PROOF_IOMMU, NULL));
        cr_expect(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
        gd_findings_clear(&f);
}

Test(irq, gicv2m_or_the_synquacer_pre_its_do_not_isolate) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "arm64-its", "kmsg-drop ITS@", "interrupts -",
                        "interrupts  70:        112          0  GICv2m-PCI-MSI 524288 Edge      vfio-msi[0](0004:01:00.0)",
                        NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "irq.remap-missing", NULL);
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "GICv2m"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "arm64-its", "kmsg GIC: enabling workaround for ITS: Socionext Synquacer pre-ITS", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "irq.remap-missing", NULL);
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "pre-ITS"));
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_IRQ, NULL));
                gd_findings_clear(&f);
        }
}

/* iommufd has its own allow_unsafe_interrupts (drivers/iommu/iommufd/device.c),
 * and the value in force is the one in /sys/module. */
Test(irq, iommufd_and_the_value_in_force_count_as_unsafe_interrupts) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping",
                                                                "cmdline ro intel_iommu=on iommufd.allow_unsafe_interrupts=1",
                                                                NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "irq.remap-missing", NULL));
                x = finding_about(&f, "irq.unsafe-allowed", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "iommufd"), "%s", x->summary);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping", "sysmodule vfio_iommu_type1 present",
                                                                "modparam vfio_iommu_type1 allow_unsafe_interrupts Y",
                                                                NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                cr_expect_null(finding_about(&f, "irq.remap-missing", NULL));
                x = finding_about(&f, "irq.unsafe-allowed", NULL);
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "(in force)"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("irq-no-remapping", "sysmodule vfio_iommu_type1 present",
                                                                "modparam vfio_iommu_type1 allow_unsafe_interrupts N",
                                                                NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_not_null(finding_about(&f, "irq.remap-missing", NULL));
                cr_expect_null(finding_about(&f, "irq.unsafe-allowed", NULL));
                gd_findings_clear(&f);
        }
}

/* Xen dom0 and a guest answer without the host's IOMMU findings. */
Test(iommu, dom0_and_guest_get_a_note_not_iommu_failures) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", NULL);
                const struct gd_finding *x;

                run_family(gd_check_iommu, h, &f);
                x = finding_about(&f, "iommu.xen-dom0", NULL);
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "control_d"));
                cr_expect_not_null(strstr(x->remedy, "xl pci-assignable-add"), "%s", x->remedy);
                cr_expect_eq(f.n, 1, "only the dom0 note");
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-domu", NULL);
                run_family(gd_check_iommu, h, &f);
                cr_expect_not_null(finding_about(&f, "iommu.hypervisor", NULL));
                cr_expect_null(finding_about(&f, "iommu.xen-dom0", NULL));
                gd_findings_clear(&f);
        }
}
