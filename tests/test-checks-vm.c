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

Test(vm, headless_nvidia_under_seabios_gets_rombar_off_and_with_it_nothing) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 105 proxmox-105-seabios-headless.conf", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.rombar", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_assert_eq(x->n_edits, 1);
                cr_expect_str_eq(x->edits[0].old_value, "0000:01:00,pcie=1");
                cr_expect_str_eq(x->edits[0].new_value, "0000:01:00,pcie=1,rombar=0");
                cr_expect_eq(f.n, 1, "first: %s", f.items[0].id);
                gd_findings_clear(&f);
        }
        {
                /* The same VM with OVMF: the guide's rule is for SeaBIOS. */
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 101 proxmox-101-q35-whole-card.conf", NULL);
                run_family(gd_check_vm, h, &f);
                cr_expect_null(finding_about(&f, "vm.rombar", NULL));
                gd_findings_clear(&f);
        }
}

/* Every rule at once: each finding carries the same corrected lines, so no
 * two findings ask opposite things of one line ("drop x-vga" and "use
 * x-vga=1"), and x-vga moves to the VGA function instead of going. */
Test(vm, all_rules_on_one_vm_agree_on_every_line) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "vm proxmox 106 proxmox-106-x-vga-on-audio.conf",
                                                        "sysmodule kvm present", "modparam kvm ignore_msrs N", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;
        const char *hostpci1 = NULL;
        bool deleted0 = false;

        run_family(gd_check_vm, h, &f);
        cr_expect_not_null(finding_about(&f, "vm.config", "0000:01:00.0"));   /* pcie=1 without q35, functions */
        cr_expect_not_null(finding_about(&f, "vm.cpu-not-host", "0000:01:00.0"));
        cr_expect_not_null(finding_about(&f, "vm.ignore-msrs", "0000:01:00.0"));
        x = finding_about(&f, "vm.x-vga", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "0000:01:00.1, which is an HD audio function"), "%s", x->summary);
        cr_expect_null(finding_about(&f, "vm.rombar", NULL), "x-vga makes it the primary display, not headless");
        for (size_t i = 0; i < f.n; i++)
                for (size_t e = 0; e < f.items[i].n_edits; e++) {
                        const struct gd_edit *ed = &f.items[i].edits[e];
                        if (streq(ed->key, "hostpci1")) {
                                if (hostpci1)
                                        cr_expect_str_eq(ed->new_value, hostpci1, "%s disagrees", f.items[i].id);
                                hostpci1 = ed->new_value;
                        }
                        if (streq(ed->key, "hostpci0")) {
                                cr_expect_null(ed->new_value, "%s keeps hostpci0", f.items[i].id);
                                deleted0 = true;
                        }
                        if (ed->new_value && strstr(ed->new_value, "x-vga"))
                                cr_expect(streq(ed->key, "hostpci1"), "%s: x-vga on %s", f.items[i].id, ed->key);
                }
        cr_expect(deleted0);
        cr_assert_not_null(hostpci1);
        cr_expect_str_eq(hostpci1, "0000:01:00,pcie=1,x-vga=1");
        /* The machine and the display: one edit each, q35 and none. */
        cr_expect_not_null(strstr(finding_about(&f, "vm.config", "0000:01:00.0")->remedy, "machine: q35"));
        cr_expect_not_null(strstr(x->remedy, "'vga: none'"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(vm, x_vga_under_seabios_needs_the_hosts_vga_region) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 106 proxmox-106-x-vga-on-audio.conf",
                                                                "sysmodule vfio_pci present",
                                                                "modparam vfio_pci disable_vga absent", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.x-vga", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_str_eq(x->variant, "will-not-start");
                cr_expect_not_null(strstr(x->summary, "CONFIG_VFIO_PCI_VGA"), "%s", x->summary);
                cr_expect_not_null(strstr(x->remedy, "bios: ovmf"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 106 proxmox-106-x-vga-on-audio.conf",
                                                                "sysmodule vfio_pci present",
                                                                "modparam vfio_pci disable_vga N", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.x-vga", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_null(x->variant);
                gd_findings_clear(&f);
        }
}

Test(vm, windows_nvidia_vm_needs_ignore_msrs_only_when_it_is_off) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 101 proxmox-101-q35-whole-card.conf",
                                                                "sysmodule kvm present", "modparam kvm ignore_msrs N", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.ignore-msrs", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_assert_eq(x->n_edits, 1);
                cr_expect_str_eq(x->edits[0].file, "/etc/modprobe.d/kvm.conf");
                cr_expect_null(x->edits[0].old_value);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready",
                                                                "vm proxmox 101 proxmox-101-q35-whole-card.conf",
                                                                "sysmodule kvm present", "modparam kvm ignore_msrs Y", NULL);
                run_family(gd_check_vm, h, &f);
                cr_expect_null(finding_about(&f, "vm.ignore-msrs", NULL));
                gd_findings_clear(&f);
        }
}

Test(vm, a_mapping_resolved_for_this_node_is_judged_like_an_address) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hostname pve1",
                                                                "vm proxmox 107 proxmox-107-mapping.conf",
                                                                "pve-mapping pve-mapping-pci.cfg", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.config", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_str_eq(x->variant, "will-not-start");
                cr_expect_not_null(strstr(x->summary, "q35"), "%s", x->summary);
                gd_findings_clear(&f);
        }
        {
                /* Another node's name: no map line here, qemu-server's "mapping not found". */
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hostname pve3",
                                                                "vm proxmox 107 proxmox-107-mapping.conf",
                                                                "pve-mapping pve-mapping-pci.cfg", NULL);
                const struct gd_finding *x;

                run_family(gd_check_vm, h, &f);
                x = finding_about(&f, "vm.config", NULL);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "has no entry for this node"), "%s", x->summary);
                gd_findings_clear(&f);
        }
}
