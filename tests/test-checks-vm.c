/* SPDX-License-Identifier: MIT */
/* The vm family (checks/vm.c) on host fixtures with the VM configs of
 * fixtures/vmconfig/: what makes a VM fail to start is the "will-not-start"
 * variant (error); the rest are warnings; none changes a verdict. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

Test(vm, q35_vm_with_the_whole_card_is_fine) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        "vm proxmox 101 proxmox-101-q35-whole-card.conf", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vm, h, &f);
        cr_expect_eq(f.n, 0, "first: %s: %s", f.n ? f.items[0].id : "", f.n ? f.items[0].summary : "");
        gd_findings_clear(&f);
}

Test(vm, pcie_on_the_default_i440fx_machine_will_not_start) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        "vm proxmox 102 proxmox-102-i440fx-pcie.conf", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vm, h, &f);
        x = finding_about(&f, "vm.config", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "will-not-start");
        cr_expect_eq(x->severity, GD_SEV_ERROR);
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        cr_expect_not_null(strstr(x->summary, "q35 machine model is not enabled"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "machine: q35"), "%s", x->remedy);
        cr_expect_eq(findings_count(&f, "vm.config"), 1);
        gd_findings_clear(&f);
}

Test(vm, only_the_vga_function_passed_is_a_warning_naming_the_rest) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        "vm proxmox 103 proxmox-103-gpu-function-only.conf", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vm, h, &f);
        x = finding_about(&f, "vm.config", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_null(x->variant);
        cr_expect_eq(x->severity, GD_SEV_WARNING);
        cr_expect_not_null(strstr(x->summary, "not 0000:01:00.1, 0000:01:00.2, 0000:01:00.3"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "hostpci0: 0000:01:00,pcie=1"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(vm, address_no_device_has_will_not_start_and_points_at_the_moved_card) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "vm proxmox 104 proxmox-104-moved-card.conf",
                                                        NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vm, h, &f);
        x = finding_about(&f, "vm.config", NULL);
        cr_assert_not_null(x);
        cr_expect_str_eq(x->variant, "will-not-start");
        cr_expect_str_eq(x->summary, "VM 104 passes 0000:02:00, which is not on this host: it will not start");
        cr_expect_not_null(strstr(x->remedy, "hostpci0: 0000:01:00,pcie=1,x-vga=1"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(vm, two_vms_on_one_card_can_not_run_together) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                        "vm proxmox 101 proxmox-101-q35-whole-card.conf",
                                                        "vm proxmox 105 proxmox-101-q35-whole-card.conf", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vm, h, &f);
        x = finding_about(&f, "vm.config", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "2 VMs pass the card at 0000:01:00.0 through: only one of them can run at a time");
        gd_findings_clear(&f);
}

Test(vm, x_vga_on_a_3d_controller_is_named) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 class=030200",
                                                        "vm proxmox 101 proxmox-101-q35-whole-card.conf", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_vm, h, &f);
        x = finding_about(&f, "vm.x-vga", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "x-vga=1 on 0000:01:00.0, which is a 3D controller"), "%s", x->summary);
        cr_expect_not_null(strstr(x->remedy, "line 7: hostpci0: 0000:01:00,pcie=1"), "%s", x->remedy);
        cr_expect_null(strstr(x->remedy, "x-vga=1"), "%s", x->remedy);
        /* The edit a planner applies: the same line, x-vga gone. */
        cr_assert_eq(x->n_edits, 1);
        cr_expect_str_eq(x->edits[0].key, "hostpci0");
        cr_expect_str_eq(x->edits[0].old_value, "0000:01:00,pcie=1,x-vga=1");
        cr_expect_str_eq(x->edits[0].new_value, "0000:01:00,pcie=1");
        cr_expect_null(finding_about(&f, "vm.config", NULL));
        gd_findings_clear(&f);
}

Test(vm, libvirt_domain_with_both_functions_of_the_card_is_fine) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "vm libvirt win10 libvirt-win10.xml",
                                                        NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_vm, h, &f);
        cr_expect_eq(f.n, 0, "first: %s: %s", f.n ? f.items[0].id : "", f.n ? f.items[0].summary : "");
        gd_findings_clear(&f);
}
