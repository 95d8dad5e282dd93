/* SPDX-License-Identifier: MIT */
/* Where gpudiag runs (model/role.c) on host models from fixtures/hosts/, and
 * what the role does to the findings (checks.c: the catalogue's roles
 * column) and to the question a verdict answers (targets.c, verdict.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "base/strv.h"
#include "checks/families.h"
#include "host-fixture.h"
#include "model/role.h"

static bool role_evidence_has(const struct gd_role_fact *f, const char *needle) {
        for (size_t i = 0; i < f->n_evidence; i++)
                if (strstr(f->evidence[i].text, needle) || strstr(f->evidence[i].source, needle))
                        return true;
        return false;
}

Test(role, a_physical_board_without_the_hypervisor_flag_is_a_host) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
        struct gd_role_fact f;

        gd_role_decide(h, &f);
        cr_expect_eq(f.role, GD_ROLE_HOST);
        cr_expect(role_evidence_has(&f, "no hypervisor flag"));
}

Test(role, a_vm_without_viommu_is_a_guest_and_with_one_a_guest_with_viommu) {
        struct gd_role_fact f;

        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_GUEST);
                cr_expect(role_evidence_has(&f, "virtio"), "%s", f.evidence[0].text);
                cr_expect(role_evidence_has(&f, "Hypervisor detected: KVM"));
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "iommu-units dmar0", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_GUEST_VIOMMU);
                cr_expect(role_evidence_has(&f, "virtual IOMMU"));
        }
}

/* A VMM can hide the CPU's hypervisor flag (-cpu host,-hypervisor): a
 * virtio device still gives the VM away.  An emulated chipset alone does
 * not, against a CPU without the flag: the Q35's 8086:29c0 is a real part. */
Test(role, a_virtio_device_beats_a_hidden_flag_but_an_emulated_chipset_does_not) {
        struct gd_role_fact f;

        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "hypervisor no",
                                                                "kmsg-drop Hypervisor detected", "dmi ASUSTeK | X99", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_GUEST);
                cr_expect(role_evidence_has(&f, "virtio"));
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "hypervisor no",
                                                                "kmsg-drop Hypervisor detected", "dmi ASUSTeK | X99",
                                                                "dev 0000:00:01.0 id=8086:15b8", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_HOST);
        }
}

/* /proc/xen/capabilities says "control_d" only in the control domain
 * (capabilities_read(), drivers/xen/xenfs/super.c). */
Test(role, xen_capabilities_tell_dom0_from_a_pv_guest) {
        struct gd_role_fact f;

        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_XEN_DOM0);
                cr_expect(role_evidence_has(&f, "control_d"));
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-domu", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_XEN_DOMU);
                cr_expect(role_evidence_has(&f, "not the control domain"));
        }
        {
                /* The PV guest before issue 15: no capabilities read, no DMI. */
                _cleanup_host_ struct gd_host *h = host_fixture("xen-domu", "xen-capabilities ?", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_UNKNOWN);
        }
        {
                /* Without xenfs, the real board's DMI still says dom0; Xen's HVM firmware says domU. */
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", "xen-capabilities ?", NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_XEN_DOM0);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("xen-dom0", "xen-capabilities ?", "dmi Xen | HVM domU",
                                                                NULL);
                gd_role_decide(h, &f);
                cr_expect_eq(f.role, GD_ROLE_XEN_DOMU);
        }
}

/* "Amazon EC2" is also the DMI vendor of bare-metal instances. */
Test(role, a_bare_metal_cloud_instance_is_a_host) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dmi Amazon EC2 | m5.metal", NULL);
        struct gd_role_fact f;

        gd_role_decide(h, &f);
        cr_expect_eq(f.role, GD_ROLE_HOST);
        cr_expect(role_evidence_has(&f, "bare-metal"));
}

Test(role, no_evidence_either_way_is_unknown_and_never_ready) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "hypervisor ?", "dmi ?",
                                                        "dev 0000:00:00.0 class=058000", NULL);
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };
        _cleanup_strv_free_ char **unproven = NULL;

        cr_assert_eq(gd_role_of(h), GD_ROLE_UNKNOWN);
        cr_assert_eq(gd_targets_find(h, "0000:01:00.0", &t), 0);
        gd_checks_run(h, &t, &f);
        cr_expect_eq(t.items[0].question, GD_QUESTION_HOST);
        cr_expect_neq(gd_verdict_for(&t.items[0], &f), GD_VERDICT_READY);
        unproven = gd_verdict_unproven(&t.items[0], &f);
        cr_expect(strv_contains(unproven, GD_PROOF_ROLE));
        gd_findings_clear(&f);
        gd_targets_clear(&t);
}

/* The roles column: in a guest, the host's rules are not emitted. */
Test(role, a_guest_is_not_told_to_bind_its_gpu_to_vfio_pci) {
        _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", NULL);
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };

        cr_assert_eq(gd_targets_find(h, NULL, &t), 0);
        gd_checks_run(h, &t, &f);
        cr_expect_eq(f.role, GD_ROLE_GUEST);
        cr_expect_eq(t.items[0].question, GD_QUESTION_GUEST);
        cr_expect_null(gd_findings_find(&f, "driver.host-bound"));
        cr_expect_null(gd_findings_find(&f, "vfio.modules-missing"));
        cr_expect_null(gd_findings_find(&f, "irq.remap-missing"));
        cr_expect_null(gd_findings_find(&f, "iommu.no-groups"));
        cr_expect_not_null(gd_findings_find(&f, "iommu.hypervisor"));
        cr_expect_eq(gd_findings_find(&f, "iommu.hypervisor")->effect, GD_EFFECT_NONE);
        cr_expect_eq(gd_verdict_for(&t.items[0], &f), GD_VERDICT_READY);
        gd_findings_clear(&f);
        gd_targets_clear(&t);
}

/* With a vIOMMU both sides' rules run; a GPU on vfio-pci is there to be
 * passed on (the host's question), one on its driver is the guest's. */
Test(role, in_a_guest_with_viommu_each_gpu_gets_its_own_question) {
        _cleanup_host_ struct gd_host *h = host_fixture("kvm-guest-nvidia", "iommu-units dmar0",
                                                        "dev 0000:01:00.0 group=3",
                                                        "dev 0000:02:00.0 class=030000 id=10de:1e07 driver=vfio-pci group=4",
                                                        NULL);
        struct gd_targets t = { 0 };
        struct gd_findings f = { 0 };

        cr_assert_eq(gd_targets_find(h, NULL, &t), 0);
        cr_assert_eq(t.n, 2);
        cr_expect_eq(t.items[0].question, GD_QUESTION_GUEST);
        cr_expect_eq(t.items[1].question, GD_QUESTION_HOST);
        gd_checks_run(h, &t, &f);
        /* The guest's own nvidia GPU is not "host-bound". */
        cr_expect_null(gd_findings_find(&f, "driver.host-bound"));
        cr_expect_eq(gd_verdict_for(&t.items[0], &f), GD_VERDICT_READY);
        gd_findings_clear(&f);
        gd_targets_clear(&t);
}

Test(role, every_catalogue_row_names_a_role_and_host_rules_skip_the_guest) {
        size_t n;
        const struct gd_catalogue_entry *c = gd_catalogue(&n);

        for (size_t i = 0; i < n; i++) {
                cr_expect_neq(c[i].roles & GD_ROLES_ALL, 0, "%s applies nowhere", c[i].id);
                if (strncmp(c[i].id, "vfio.", 5) == 0 || strncmp(c[i].id, "group.", 6) == 0)
                        cr_expect_eq(c[i].roles & GD_ROLE_BIT(GD_ROLE_GUEST), 0, "%s applies in a guest", c[i].id);
                if (strncmp(c[i].id, "guest.", 6) == 0)
                        cr_expect_eq(c[i].roles & GD_ROLE_BIT(GD_ROLE_HOST), 0, "%s applies on a host", c[i].id);
        }
}
