/* SPDX-License-Identifier: MIT */
/* The planner as a pure function (plan/plan.h), on host models of
 * fixtures/hosts/ and findings whose actions the test writes: actions of
 * two findings merge into one edit, and actions that cannot both be done
 * are reported as conflicts (the plan is then refused by apply and sh). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/strv.h"
#include "host-fixture.h"
#include "plan/plan.h"
#include "report/plan.h"

TestSuite(plan_pure);

struct fixture {
        struct gd_host *h;
        struct gd_targets t;
        struct gd_findings f;
        struct gd_plan p;
};

static void fixture_clear(struct fixture *x) {
        gd_plan_clear(&x->p);
        gd_findings_clear(&x->f);
        gd_targets_clear(&x->t);
        gd_host_free(x->h);
}

static struct gd_finding *finding(struct fixture *x, const char *id, const char *subject) {
        struct gd_finding *f = gd_findings_add(&x->f, id, "a finding of the test");
        cr_assert_not_null(f);
        if (subject)
                cr_assert_eq(gd_finding_subject(f, subject), 0);
        return f;
}

static void build(struct fixture *x) {
        cr_assert_eq(gd_targets_find(x->h, NULL, &x->t), 0);
        cr_assert_eq(gd_plan_build(x->h, &x->t, &x->f, NULL, NULL, &x->p), 0);
}

static bool has_conflict(const struct gd_plan *p, const char *needle) {
        for (size_t i = 0; p->conflicts && p->conflicts[i]; i++)
                if (strstr(p->conflicts[i], needle))
                        return true;
        return false;
}

static const struct gd_plan_step *edit_of(const struct gd_plan *p, const char *path) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == GD_STEP_EDIT && streq(p->steps[i].path, path))
                        return &p->steps[i];
        return NULL;
}

Test(plan_pure, ids_of_two_cards_go_into_one_line) {
        struct fixture x = {
                .h = host_fixture("intel-vfio-ready",
                                  "file /etc/modprobe.d/vfio.conf options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,"
                                  "10de:1ad7\\nsoftdep nouveau pre: vfio-pci\\n",
                                  "dev 0000:02:00.0 class=030000 id=1002:731f driver=amdgpu group=15",
                                  "dev 0000:02:00.1 class=040300 id=1002:ab38 driver=snd_hda_intel group=15", NULL),
        };
        const struct gd_plan_step *s;

        cr_assert_eq(gd_finding_act(finding(&x, "driver.host-bound", "0000:02:00.0"), GD_ACT_VFIO_IDS,
                                    "1002:731f,1002:ab38"), 0);
        cr_assert_eq(gd_finding_act(finding(&x, "vfio.ids-mismatch", "0000:02:00.1"), GD_ACT_VFIO_IDS, "1002:ab38"), 0);
        build(&x);
        cr_assert_null(x.p.conflicts);
        s = edit_of(&x.p, "/etc/modprobe.d/vfio.conf");
        cr_assert_not_null(s);
        cr_assert_str_eq(s->after, "options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,10de:1ad7,1002:731f,1002:ab38\n"
                                   "softdep nouveau pre: vfio-pci\n");
        fixture_clear(&x);
}

Test(plan_pure, an_argument_added_and_removed_is_a_conflict) {
        struct fixture x = { .h = host_fixture("intel-vfio-ready", NULL) };

        cr_assert_eq(gd_finding_act(finding(&x, "fb.bar-claimed", "0000:01:00.0"), GD_ACT_CMDLINE_ADD,
                                    "video=efifb:off"), 0);
        cr_assert_eq(gd_finding_act(finding(&x, "boot.cmdline-drift", NULL), GD_ACT_CMDLINE_REMOVE, "video=efifb:off"),
                     0);
        build(&x);
        cr_assert(has_conflict(&x.p, "video=efifb:off added and removed"), "%s",
                  x.p.conflicts ? x.p.conflicts[0] : "no conflict");
        fixture_clear(&x);
}

Test(plan_pure, one_key_with_two_values_is_a_conflict_but_video_is_not) {
        struct fixture x = { .h = host_fixture("intel-vfio-ready", NULL) };

        cr_assert_eq(gd_finding_act(finding(&x, "iommu.kernel-off", NULL), GD_ACT_CMDLINE_ADD, "intel_iommu=on"), 0);
        cr_assert_eq(gd_finding_act(finding(&x, "iommu.unknown-option", NULL), GD_ACT_CMDLINE_ADD, "intel_iommu=off"),
                     0);
        cr_assert_eq(gd_finding_act(finding(&x, "fb.bar-claimed", "0000:01:00.0"), GD_ACT_CMDLINE_ADD,
                                    "video=efifb:off"), 0);
        cr_assert_eq(gd_finding_act(finding(&x, "fb.bar-claimed", "0000:01:00.0"), GD_ACT_CMDLINE_ADD,
                                    "video=vesafb:off"), 0);
        build(&x);
        cr_assert(has_conflict(&x.p, "intel_iommu=on and intel_iommu=off"));
        cr_assert(!has_conflict(&x.p, "video="), "video= is taken once per driver");
        fixture_clear(&x);
}

Test(plan_pure, a_blacklist_of_a_module_another_device_uses_is_a_conflict) {
        struct fixture x = {
                .h = host_fixture("intel-vfio-ready", "dev 0000:00:1f.3 class=040300 id=8086:7ad0 driver=snd_hda_intel group=12",
                                  NULL),
        };

        cr_assert_eq(gd_finding_act(finding(&x, "driver.host-bound", "0000:01:00.1"), GD_ACT_BLACKLIST, "snd_hda_intel"),
                     0);
        build(&x);
        cr_assert(has_conflict(&x.p, "blacklist snd_hda_intel would take it from 0000:00:1f.3"));
        cr_assert_null(edit_of(&x.p, "/etc/modprobe.d/vfio.conf"), "the blacklist is written anyway");
        fixture_clear(&x);
}

Test(plan_pure, ids_that_leave_out_a_device_on_vfio_pci_are_a_conflict) {
        struct fixture x = {
                .h = host_fixture("intel-vfio-ready",
                                  "file /etc/modprobe.d/vfio.conf options vfio-pci ids=10de:1e07,10de:10f7,10de:1ad6,"
                                  "10de:1ad7\\n", NULL),
        };

        cr_assert_eq(gd_finding_act(finding(&x, "vfio.ids-mismatch", NULL), GD_ACT_VFIO_IDS_DROP, "10de:10f7"), 0);
        build(&x);
        cr_assert(has_conflict(&x.p, "would leave out 0000:01:00.1 [10de:10f7], on vfio-pci now"));
        fixture_clear(&x);
}

Test(plan_pure, one_vm_line_rewritten_two_ways_is_a_conflict) {
        struct fixture x = { .h = host_fixture("intel-vfio-ready", "vm proxmox 101 proxmox-101-q35-whole-card.conf", NULL) };
        char *sh = NULL;
        size_t len = 0;
        FILE *f;

        /* One finding at a time: adding one may move the others. */
        cr_assert_eq(gd_finding_act_line(finding(&x, "vm.config", "0000:01:00.0"), GD_ACT_LINE_REPLACE, "/etc/pve/qemu-server/101.conf", 6, NULL, NULL,
                                         "hostpci0: 0000:01:00,pcie=1"), 0);
        cr_assert_eq(gd_finding_act_line(finding(&x, "vm.config", "0000:01:00.0"), GD_ACT_LINE_REPLACE, "/etc/pve/qemu-server/101.conf", 6, NULL, NULL,
                                         "hostpci0: 0000:01:00,pcie=1,x-vga=1"), 0);
        build(&x);
        cr_assert(has_conflict(&x.p, "/etc/pve/qemu-server/101.conf line 6: rewritten two ways"), "%s",
                  x.p.conflicts ? x.p.conflicts[0] : "no conflict");
        /* No script of a plan that contradicts itself. */
        f = open_memstream(&sh, &len);
        cr_assert_eq(gd_report_plan_sh(f, &x.p, &(struct gd_plan_meta) { .source = "test" }), -EINVAL);
        fclose(f);
        cr_assert_eq(len, 0);
        free(sh);
        fixture_clear(&x);
}

Test(plan_pure, each_step_comes_once_however_many_findings_ask) {
        struct fixture x = { .h = host_fixture("intel-vfio-ready", NULL) };
        size_t rebuilds = 0, reboots = 0, refreshes = 0;

        for (int i = 0; i < 3; i++) {
                struct gd_finding *f = finding(&x, "boot.initramfs-stale", NULL);
                cr_assert_eq(gd_finding_act(f, GD_ACT_INITRAMFS_REBUILD, GD_ACT_ALWAYS), 0);
                cr_assert_eq(gd_finding_act(f, GD_ACT_BOOTLOADER_REFRESH, GD_ACT_ALWAYS), 0);
                cr_assert_eq(gd_finding_act(f, GD_ACT_REBOOT, GD_ACT_ALWAYS), 0);
        }
        build(&x);
        for (size_t i = 0; i < x.p.n_steps; i++) {
                rebuilds += x.p.steps[i].argv && streq(x.p.steps[i].argv[0], "update-initramfs");
                refreshes += x.p.steps[i].phase == GD_PHASE_BOOTLOADER;
                reboots += x.p.steps[i].phase == GD_PHASE_REBOOT;
        }
        cr_assert_eq(rebuilds, 1);
        cr_assert_eq(refreshes, 1);
        cr_assert_eq(reboots, 1);
        fixture_clear(&x);
}

Test(plan_pure, a_blocker_whose_changes_are_all_made_gets_a_reboot_not_nothing) {
        struct fixture x = { .h = host_fixture("intel-vfio-ready", "modload vfio /etc/modules:7", NULL) };
        bool reboot = false;

        cr_assert_eq(gd_finding_act(finding(&x, "vfio.modules-missing", NULL), GD_ACT_MODULE_LOAD, "vfio"), 0);
        build(&x);
        cr_assert_null(edit_of(&x.p, "/etc/modules-load.d/vfio.conf"), "vfio is listed already");
        for (size_t i = 0; i < x.p.n_steps; i++)
                reboot |= x.p.steps[i].phase == GD_PHASE_REBOOT;
        cr_assert(reboot, "the plan says nothing to change for a blocking finding");
        cr_assert(x.p.notes && strstr(x.p.notes[0], "not in effect"), "%s", x.p.notes ? x.p.notes[0] : "no note");
        fixture_clear(&x);
}
