/* SPDX-License-Identifier: MIT */
/* The vfio family (checks/vfio.c) on host fixtures: the modules, the
 * obsolete vfio_virqfd line, ids= against the card, and a built-in vfio-pci
 * that never reads modprobe.d. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

#define NO_TYPE1 "loaded kvm kvm_intel vfio vfio_pci vfio_pci_core"

Test(vfio, ready_host_has_nothing_to_say) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vfio, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        gd_findings_clear(&f);
}

Test(vfio, type1_neither_loaded_nor_built_in_is_modules_missing) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1, NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vfio, h, &f);
        x = finding_about(&f, "vfio.modules-missing", NULL);
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "vfio_iommu_type1 is not loaded (and not built into the kernel)");
        cr_expect(evidence_has(x, "CONFIG_VFIO_IOMMU_TYPE1=m"));
        cr_expect_not_null(strstr(x->remedy, "modprobe -a vfio vfio_iommu_type1 vfio_pci"));
        gd_findings_clear(&f);
}

Test(vfio, type1_built_in_or_replaced_by_iommufd_is_not_missing) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1,
                                                                "kconfig CONFIG_VFIO_IOMMU_TYPE1=y", NULL);
                run_family(gd_check_vfio, h, &f);
                cr_expect_null(finding_about(&f, "vfio.modules-missing", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1,
                                                                "kconfig CONFIG_IOMMUFD_VFIO_CONTAINER=y", NULL);
                run_family(gd_check_vfio, h, &f);
                cr_expect_null(finding_about(&f, "vfio.modules-missing", NULL));
                gd_findings_clear(&f);
        }
}

Test(vfio, card_on_vfio_pci_proves_vfio_pci_loaded_without_the_module_list_entry) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "loaded kvm kvm_intel vfio_iommu_type1",
                                                        NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vfio, h, &f);
        cr_expect_null(finding_about(&f, "vfio.modules-missing", NULL));
        gd_findings_clear(&f);
}

Test(vfio, vfio_virqfd_line_is_obsolete_on_6_2_and_later_only) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "modload vfio_virqfd /etc/modules:4",
                                                                NULL);
                const struct gd_finding *x;

                run_family(gd_check_vfio, h, &f);
                x = finding_about(&f, "vfio.virqfd-obsolete", NULL);
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "/etc/modules"));
                cr_expect_not_null(strstr(x->remedy, "Delete line 4 of /etc/modules"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kernel 6.1.0-18-amd64",
                                                                "modload vfio_virqfd /etc/modules:4", NULL);
                run_family(gd_check_vfio, h, &f);
                cr_expect_null(finding_about(&f, "vfio.virqfd-obsolete", NULL));
                gd_findings_clear(&f);
        }
}

Test(vfio, ids_missing_functions_of_the_card_are_named_with_the_corrected_line) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "ids 10de:1e07,10de:10f7", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vfio, h, &f);
        x = finding_about(&f, "vfio.ids-mismatch", "0000:01:00.2");
        cr_assert_not_null(x);
        cr_expect(gd_finding_has_subject(x, "0000:01:00.3"));
        cr_expect_not(gd_finding_has_subject(x, "0000:01:00.1"));
        cr_expect_str_eq(x->summary, "vfio-pci ids= misses 2 functions of the card at 0000:01:00.0");
        cr_expect(evidence_has(x, "vfio-pci ids=10de:1e07,10de:10f7"));
        cr_expect_not_null(strstr(x->remedy, "In /etc/modprobe.d/vfio.conf line 1, write: options vfio-pci "
                                             "ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(vfio, ids_naming_no_present_device_are_a_mismatch) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        "ids 10de:1e07,10de:10f7,10de:1ad6,10de:1ad7,10de:2204", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vfio, h, &f);
        x = finding_about(&f, "vfio.ids-mismatch", NULL);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "no device on this host has"), "%s", x->summary);
        cr_expect_eq(findings_count(&f, "vfio.ids-mismatch"), 1);
        gd_findings_clear(&f);
}

Test(vfio, built_in_vfio_pci_with_ids_only_in_modprobe_d_ignores_them) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "kconfig CONFIG_VFIO_PCI=y", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vfio, h, &f);
        x = finding_about(&f, "vfio.builtin-ignores-modprobe", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->remedy, "vfio-pci.ids="), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(vfio, built_in_vfio_pci_given_ids_on_the_command_line_is_fine) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "intel-vfio-ready", "kconfig CONFIG_VFIO_PCI=y",
                "cmdline ro quiet intel_iommu=on vfio-pci.ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vfio, h, &f);
        cr_expect_null(finding_about(&f, "vfio.builtin-ignores-modprobe", NULL));
        gd_findings_clear(&f);
}

/* /sys/module/<name> is there for a built-in module with parameters
 * (kernel/params.c param_sysfs_builtin()): with no kernel configuration it
 * is what tells "built in" from "missing" -- and when it was not read,
 * nothing is claimed either way. */
Test(vfio, without_kernel_config_sys_module_decides_built_in) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1, "kconfig -",
                                                                "sysmodule vfio_iommu_type1 present", NULL);
                run_family(gd_check_vfio, h, &f);
                cr_expect_null(finding_about(&f, "vfio.modules-missing", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1, "kconfig -",
                                                                "sysmodule vfio_iommu_type1 absent", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vfio, h, &f);
                x = finding_about(&f, "vfio.modules-missing", NULL);
                cr_assert_not_null(x);
                cr_expect_str_eq(x->summary, "vfio_iommu_type1 is not loaded (and not built into the kernel)");
                cr_expect(evidence_has(x, "neither loaded nor built in"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NO_TYPE1, "kconfig -", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vfio, h, &f);
                x = finding_about(&f, "vfio.modules-missing", NULL);
                cr_assert_not_null(x);
                cr_expect_str_eq(x->summary,
                                 "vfio_iommu_type1 is not loaded (whether built into the kernel could not be read)");
                gd_findings_clear(&f);
        }
}

/* A card on a vfio-pci variant driver needs no vfio_pci module. */
Test(vfio, a_card_on_a_variant_driver_needs_no_vfio_pci) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "arm64-its", "dev 0004:01:00.0 driver=nvgrace_gpu_vfio_pci", "loaded vfio vfio_iommu_type1 vfio_pci_core "
                "nvgrace_gpu_vfio_pci", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vfio, h, &f);
        cr_expect_null(finding_about(&f, "vfio.modules-missing", NULL), "%s",
                       finding_about(&f, "vfio.modules-missing", NULL) ? finding_about(&f, "vfio.modules-missing", NULL)->summary : "");
        gd_findings_clear(&f);
}
