/* SPDX-License-Identifier: MIT */
/* The guest family (checks/guest.c, guest-init.c, guest-runtime.c) on host
 * models from fixtures/hosts/: each rule where it fires and the near miss
 * where it must not, and what proves the guest's READY. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

#define GPU "0000:01:00.0"

static enum gd_verdict verdict(const struct gd_host *h, const struct gd_findings *f) {
        struct gd_targets t = { 0 };
        enum gd_verdict v;

        cr_assert_eq(gd_targets_find(h, GPU, &t), 0);
        cr_assert_eq(t.n, 1);
        v = gd_verdict_for(&t.items[0], f);
        gd_targets_clear(&t);
        return v;
}

Test(guest, a_vm_whose_driver_initialised_its_gpu_is_ready) {
        _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_guest, h, &f);
        cr_expect_eq(f.n, 0, "first: %s: %s", f.n ? f.items[0].id : "", f.n ? f.items[0].summary : "");
        cr_expect(gd_findings_proven(&f, GD_PROOF_BARS, GPU));
        cr_expect(gd_findings_proven(&f, GD_PROOF_GUEST_DRIVER, GPU));
        cr_expect(gd_findings_proven(&f, GD_PROOF_INITIALISED, GPU));
        cr_expect_eq(verdict(h, &f), GD_VERDICT_READY);
        gd_findings_clear(&f);
}

/* nvidia's /proc entry is what proves its probe completed; a bundle without
 * the /proc facts (nvidia version unread) proves nothing, and says so. */
Test(guest, without_the_drivers_proc_entry_initialisation_is_unproven) {
        struct gd_findings f = { 0 };

        {
                /* gpus listed, but not this one: its probe did not complete. */
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "nvidia-gpus none", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_INITIALISED, GPU));
                cr_expect_eq(verdict(h, &f), GD_VERDICT_UNKNOWN);
                gd_findings_clear(&f);
        }
        {
                /* the /proc facts not captured at all */
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "nvidia-version ?",
                                                                "guest-path /dev/nvidia0 absent", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_INITIALISED, GPU));
                cr_expect_null(finding_about(&f, "guest.device-nodes", NULL), "no node finding without the driver up");
                cr_expect_eq(verdict(h, &f), GD_VERDICT_UNKNOWN);
                gd_findings_clear(&f);
        }
}

Test(guest, a_drm_minor_proves_a_drm_drivers_probe) {
        _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "dev 0000:01:00.0 id=1002:73df class=030000 "
                                                        "driver=amdgpu drm=card0,renderD128",
                                                        "guest-path /dev/dri/card0 present",
                                                        "guest-path /dev/dri/renderD128 absent", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_guest, h, &f);
        cr_expect(gd_findings_proven(&f, GD_PROOF_INITIALISED, GPU));
        x = finding_about(&f, "guest.device-nodes", GPU);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "/dev/dri/renderD128"), "%s", x->summary);
        gd_findings_clear(&f);
}

Test(guest, a_bar_without_an_address_blocks_and_names_the_vm_config_fix) {
        _cleanup_host_ struct gd_host *h = host_fixture("guest-bar-unassigned", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_guest, h, &f);
        x = finding_about(&f, "guest.bar-unassigned", GPU);
        cr_assert_not_null(x);
        cr_expect(evidence_has(x, "BAR 1: start 0"));
        cr_expect(evidence_has(x, "failed to assign"));
        cr_expect(evidence_has(x, "BAR1 is 0M"));
        cr_expect_not_null(strstr(x->remedy, "X-PciMmio64Mb"), "%s", x->remedy);
        cr_expect_not_null(strstr(x->remedy, "pci-hole64-size"), "%s", x->remedy);
        cr_expect_not(gd_findings_proven(&f, GD_PROOF_BARS, GPU));
        /* The probe that failed on it is the NVIDIA driver's, not a missing driver. */
        cr_expect_not_null(finding_about(&f, "guest.nvrm-init-failed", GPU));
        cr_expect_null(finding_about(&f, "guest.driver-missing", NULL));
        cr_expect_eq(verdict(h, &f), GD_VERDICT_NOT_READY);
        gd_findings_clear(&f);
}

/* "can't assign; no space" alone: pci_revert_fw_address() kept the
 * firmware's address, and no "failed to assign" follows. */
Test(guest, no_space_rescued_by_the_firmware_address_is_not_unassigned) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "kvm-guest-nvidia", "kmsg pci 0000:01:00.0: BAR 1 [mem size 0x1000000000 64bit pref]: can't assign; no space",
                NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_guest, h, &f);
        cr_expect_null(finding_about(&f, "guest.bar-unassigned", NULL));
        cr_expect(gd_findings_proven(&f, GD_PROOF_BARS, GPU));
        gd_findings_clear(&f);
}

Test(guest, rminitadapter_failed_for_this_gpu_blocks_and_for_another_does_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "kmsg NVRM: GPU 0000:01:00.0: RmInitAdapter failed! (0x26:0x56:1463)", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not_null(finding_about(&f, "guest.nvrm-init-failed", GPU));
                cr_expect_not(gd_findings_proven(&f, GD_PROOF_INITIALISED, GPU));
                cr_expect_eq(verdict(h, &f), GD_VERDICT_NOT_READY);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "kmsg NVRM: GPU 0000:02:00.0: RmInitAdapter failed! (0x26:0x56:1463)", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.nvrm-init-failed", NULL));
                gd_findings_clear(&f);
        }
        {
                /* An older driver's line without an address: the only NVIDIA GPU's. */
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "kmsg NVRM: RmInitAdapter failed! (0x25:0x65:1203)", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not_null(finding_about(&f, "guest.nvrm-init-failed", GPU));
                gd_findings_clear(&f);
        }
}

Test(guest, an_amdgpu_init_failure_is_driver_init_failed) {
        _cleanup_host_ struct gd_host *h = host_fixture(
                "kvm-guest-nvidia", "dev 0000:01:00.0 id=1002:73df class=030000 driver=-",
                "kmsg amdgpu 0000:01:00.0: amdgpu: Fatal error during GPU init",
                "kmsg amdgpu 0000:01:00.0: probe with driver amdgpu failed with error -22", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_guest, h, &f);
        x = finding_about(&f, "guest.driver-init-failed", GPU);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "amdgpu"), "%s", x->summary);
        cr_expect_null(finding_about(&f, "guest.driver-missing", NULL));
        cr_expect_null(finding_about(&f, "guest.nvrm-init-failed", NULL));
        gd_findings_clear(&f);
}

Test(guest, no_driver_or_vfio_pci_in_the_vm_is_driver_missing) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "dev 0000:01:00.0 driver=-", NULL);
                const struct gd_finding *x;

                run_family(gd_check_guest, h, &f);
                x = finding_about(&f, "guest.driver-missing", GPU);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->remedy, "nvidia"), "%s", x->remedy);
                cr_expect_null(strstr(x->remedy, "vfio-pci"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "dev 0000:01:00.0 driver=vfio-pci",
                                                                NULL);
                const struct gd_finding *x;

                run_family(gd_check_guest, h, &f);
                x = finding_about(&f, "guest.driver-missing", GPU);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->summary, "vfio-pci"), "%s", x->summary);
                cr_expect_not_null(strstr(x->remedy, "driverctl unset-override"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
}

Test(guest, xid_79_is_gpu_lost_and_other_xids_are_only_noted) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia",
                        "kmsg NVRM: Xid (PCI:0000:01:00): 79, pid=1234, name=python3, GPU has fallen off the bus.", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not_null(finding_about(&f, "guest.gpu-lost", GPU));
                cr_expect_null(finding_about(&f, "guest.xid", NULL));
                cr_expect_eq(verdict(h, &f), GD_VERDICT_NOT_READY);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "kmsg NVRM: Xid (PCI:0000:01:00): 13, pid=77, name=a.out, Graphics Exception",
                        NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.gpu-lost", NULL));
                cr_expect_not_null(finding_about(&f, "guest.xid", GPU));
                cr_expect_eq(verdict(h, &f), GD_VERDICT_READY);
                gd_findings_clear(&f);
        }
}

Test(guest, missing_nvidia_nodes_are_named) {
        _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "guest-path /dev/nvidia0 absent", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_guest, h, &f);
        x = finding_about(&f, "guest.device-nodes", GPU);
        cr_assert_not_null(x);
        cr_expect_not_null(strstr(x->summary, "/dev/nvidia0"), "%s", x->summary);
        cr_expect_null(strstr(x->summary, "nvidiactl"), "%s", x->summary);
        cr_expect_eq(x->effect, GD_EFFECT_NONE);
        gd_findings_clear(&f);
}

#define NO_TOOLKIT "guest-path /usr/bin/nvidia-ctk absent", "guest-path /usr/bin/nvidia-container-toolkit absent", \
                   "guest-path /usr/bin/nvidia-container-runtime absent", "guest-path /usr/bin/nvidia-container-cli absent"

Test(guest, docker_without_the_container_toolkit_is_named_and_with_it_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "guest-path /usr/bin/dockerd present",
                                                                NO_TOOLKIT, NULL);
                const struct gd_finding *x;

                run_family(gd_check_guest, h, &f);
                x = finding_about(&f, "guest.container-toolkit", GPU);
                cr_assert_not_null(x);
                cr_expect_not_null(strstr(x->remedy, "nvidia-ctk runtime configure --runtime=docker"), "%s", x->remedy);
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "guest-path /usr/bin/dockerd present",
                                                                NO_TOOLKIT, "guest-path /usr/bin/nvidia-ctk present",
                                                                NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.container-toolkit", NULL));
                gd_findings_clear(&f);
        }
        {
                /* Whether the toolkit is there was not read (an old bundle): nothing said. */
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "guest-path /usr/bin/dockerd present",
                                                                NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.container-toolkit", NULL));
                gd_findings_clear(&f);
        }
}

Test(guest, containerd_needs_the_nvidia_runtime_or_a_cdi_spec) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "guest-path /usr/bin/containerd present", "guest-path /usr/bin/nvidia-ctk present",
                        "guest-path /etc/containerd/config.toml present", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_not_null(finding_about(&f, "guest.container-toolkit", GPU));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "guest-path /usr/bin/containerd present", "guest-path /usr/bin/nvidia-ctk present",
                        "guest-path /etc/containerd/config.toml present "
                        "\"[plugins.\\\"io.containerd.grpc.v1.cri\\\".containerd.runtimes.nvidia]\"", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.container-toolkit", NULL));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "kvm-guest-nvidia", "guest-path /usr/bin/containerd present", "guest-path /usr/bin/nvidia-ctk present",
                        "cdi nvidia.yaml", NULL);
                run_family(gd_check_guest, h, &f);
                cr_expect_null(finding_about(&f, "guest.container-toolkit", NULL));
                gd_findings_clear(&f);
        }
}

/* The guest family answers the guest's question only: on a host it says nothing. */
Test(guest, a_host_gets_no_guest_findings) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 driver=-", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_guest, h, &f);
        cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
        gd_findings_clear(&f);
}
