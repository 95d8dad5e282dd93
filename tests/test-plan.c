/* SPDX-License-Identifier: MIT */
/* gpudiag plan on the hosts of fixtures/plan/: what the plan edits, where,
 * with which commands, and what it asks.  Every expected line is written
 * here from the boot loaders' and initramfs tools' documentation (quoted
 * in harness/plan/), not from a run of the planner. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/macro.h"
#include "base/strv.h"
#include "plan-fixture.h"

#define NVIDIA_IDS "10de:1e07,10de:10f7,10de:1ad6,10de:1ad7"

TestSuite(plan, .timeout = 120);

static struct fy_document *plan_json(const struct gd_testbed *t, const char *slot, const char *extra1,
                                     const char *extra2) {
        struct run r = slot ? plan_run_in(t, NULL, "plan", "--format", "json", "-s", slot, extra1, extra2, NULL)
                            : plan_run_in(t, NULL, "plan", "--format", "json", extra1, extra2, NULL);
        struct fy_document *d;

        cr_assert(r.code == 0 || r.code == 1, "plan exited %d: %s", r.code, r.err);
        if (getenv("PLAN_DUMP"))
                fprintf(stderr, "%s\n", r.out);
        d = plan_json_doc(&r);
        run_clear(&r);
        cr_assert_eq(plan_count(d, "conflicts"), 0, "the plan has conflicts");
        return d;
}

Test(plan, igpu_ids_are_merged_with_the_nvidia_ids_already_in_vfio_conf) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *s = plan_step(d, "path", "/etc/modprobe.d/vfio.conf");

        cr_assert_not_null(s, "no edit of /etc/modprobe.d/vfio.conf");
        cr_assert(diff_has_line(s, "-options vfio-pci ids=" NVIDIA_IDS " disable_vga=1"));
        cr_assert(diff_has_line(s, "+options vfio-pci ids=" NVIDIA_IDS ",8086:3e98 disable_vga=1"),
                  "the options line does not keep the NVIDIA IDs:\n%s", node_str(s, "diff"));
        cr_assert(!diff_has_line(s, "+options vfio-pci ids=8086:3e98"));
        cr_assert(diff_has_line(s, "+softdep i915 pre: vfio-pci"));
        cr_assert_not_null(plan_command(d, "update-initramfs -u -k all"));
        cr_assert_not_null(plan_command(d, "update-grub"));
        fy_document_destroy(d);
}

Test(plan, explain_remedy_keeps_the_ids_vfio_pci_has_now) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        struct run r = plan_run_in(t, NULL, "explain", "-s", "00:02.0", NULL);

        cr_assert(strstr(r.out, "options vfio-pci ids=" NVIDIA_IDS ",8086:3e98"), "%s", r.out);
        cr_assert_null(strstr(r.out, "options vfio-pci ids=8086:3e98\n"), "%s", r.out);
        run_clear(&r);
}

Test(plan, without_slot_the_plan_is_for_the_card_already_on_vfio_pci) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-beside-nvidia-in-vfio-conf");
        struct fy_document *d = plan_json(t, NULL, NULL, NULL);
        cr_assert_eq(plan_count(d, "targets"), 1);
        cr_assert_str_eq(fy_node_get_scalar0(plan_item(d, "targets", 0)), "0000:01:00.0");
        /* The iGPU (the host's console) is left alone. */
        cr_assert_null(plan_step(d, "path", "/etc/modprobe.d/vfio.conf"));
        fy_document_destroy(d);
}

Test(plan, a_grub_d_assignment_is_edited_where_it_counts) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("grub-d-overrides-default");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *s = plan_step(d, "path", "/etc/default/grub.d/50-cloudimg-settings.cfg");

        cr_assert_not_null(s, "the grub.d file is not edited");
        cr_assert(diff_has_line(s, "+GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0 intel_iommu=on iommu=pt "
                                   "vfio-pci.ids=" NVIDIA_IDS ",8086:3e98 initcall_blacklist=sysfb_init\""),
                  "%s", node_str(s, "diff"));
        /* /etc/default/grub's assignment is overridden: editing it changes nothing. */
        cr_assert_null(plan_step(d, "path", "/etc/default/grub"));
        fy_document_destroy(d);
}

Test(plan, drift_evidence_cites_the_grub_d_line) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("grub-d-overrides-default");
        struct run r = plan_run_in(t, NULL, "explain", "--verbose", NULL);

        cr_assert(strstr(r.out, "/etc/default/grub.d/50-cloudimg-settings.cfg:11: GRUB_CMDLINE_LINUX_DEFAULT="
                                "\"console=tty1 console=ttyS0"), "%s", r.out);
        run_clear(&r);
}

Test(plan, a_flag_in_grub_cmdline_linux_is_removed_where_it_is_written) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("iommu-off-in-grub-cmdline-linux");
        struct fy_document *d = plan_json(t, "00:06.0", NULL, NULL);
        struct fy_node *s = plan_step(d, "path", "/etc/default/grub");

        cr_assert_not_null(s);
        cr_assert(diff_has_line(s, "-GRUB_CMDLINE_LINUX=\"intel_iommu=off\""), "%s", node_str(s, "diff"));
        cr_assert(diff_has_line(s, "+GRUB_CMDLINE_LINUX=\"\""));
        cr_assert(diff_has_line(s, " GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\""), "_DEFAULT is changed");
        fy_document_destroy(d);
}

Test(plan, kernelstub_changes_the_command_line_with_its_own_commands) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("pop-os-kernelstub");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *del = plan_command(d, "kernelstub -d vfio-pci.ids=" NVIDIA_IDS);
        struct fy_node *add = plan_command(d, "kernelstub -a vfio-pci.ids=" NVIDIA_IDS ",8086:3e98");

        cr_assert_not_null(plan_command(d, "kernelstub -a initcall_blacklist=sysfb_init"));
        cr_assert_not_null(del);
        cr_assert_not_null(add);
        cr_assert_null(plan_step(d, "path", "/etc/kernelstub/configuration"), "kernelstub's file is edited");
        cr_assert_null(plan_step(d, "path", "/etc/default/grub"), "the unused /etc/default/grub is edited");
        cr_assert_null(plan_step(d, "phase", "bootloader"), "kernelstub writes the entry itself");
        fy_document_destroy(d);
}

Test(plan, mkinitcpio_gets_the_vfio_modules_first_in_modules) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("arch-mkinitcpio");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *s = plan_step(d, "path", "/etc/mkinitcpio.conf");

        cr_assert_not_null(s);
        cr_assert(diff_has_line(s, "-MODULES=(nvme)"));
        cr_assert(diff_has_line(s, "+MODULES=(vfio_pci vfio vfio_iommu_type1 nvme)"), "%s", node_str(s, "diff"));
        cr_assert_not_null(plan_command(d, "mkinitcpio -P"));
        cr_assert_not_null(plan_command(d, "grub-mkconfig -o /boot/grub/grub.cfg"));
        cr_assert_eq(plan_count(d, "questions"), 0);
        fy_document_destroy(d);
}

Test(plan, two_initramfs_tools_ask_one_question_among_those_two) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("arch-mkinitcpio-and-booster");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *q = plan_item(d, "questions", 0);
        struct fy_node *choices;

        cr_assert_eq(plan_count(d, "questions"), 1);
        cr_assert_str_eq(node_str(q, "id"), "initramfs-tool");
        cr_assert_str_eq(node_str(q, "option"), "--initramfs-tool");
        choices = fy_node_mapping_lookup_by_string(q, "choices", FY_NT);
        cr_assert_eq(fy_node_sequence_item_count(choices), 2);
        cr_assert_str_eq(fy_node_get_scalar0(fy_node_sequence_get_by_index(choices, 0)), "mkinitcpio");
        cr_assert_str_eq(fy_node_get_scalar0(fy_node_sequence_get_by_index(choices, 1)), "booster");
        cr_assert_not_null(plan_step(d, "question", "initramfs-tool"), "no step waits for the answer");
        fy_document_destroy(d);
}

Test(plan, the_answer_makes_the_booster_edit_exact) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("arch-mkinitcpio-and-booster");
        struct fy_document *d = plan_json(t, "00:02.0", "--initramfs-tool", "booster");
        struct fy_node *s = plan_step(d, "path", "/etc/booster.yaml");

        cr_assert_eq(plan_count(d, "questions"), 0);
        cr_assert_not_null(s);
        cr_assert(diff_has_line(s, "+modules_force_load: nvme,vfio_pci,vfio,vfio_iommu_type1"), "%s",
                  node_str(s, "diff"));
        cr_assert_not_null(plan_command(d, "/usr/lib/booster/regenerate_images"));
        cr_assert_null(plan_step(d, "path", "/etc/mkinitcpio.conf"));
        fy_document_destroy(d);
}

Test(plan, dracut_and_systemd_boot_edit_their_own_files) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("fedora-dracut-systemd-boot");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *dr = plan_step(d, "path", "/etc/dracut.conf.d/vfio.conf");
        struct fy_node *kc = plan_step(d, "path", "/etc/kernel/cmdline");

        cr_assert_not_null(dr);
        cr_assert_str_eq(node_str(dr, "creates"), "true");
        cr_assert(diff_has_line(dr, "+force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \""), "%s", node_str(dr, "diff"));
        cr_assert_not_null(plan_command(d, "dracut -f --regenerate-all"));
        cr_assert_not_null(kc);
        cr_assert(diff_has_line(kc, "+root=UUID=0000 ro rhgb quiet intel_iommu=on iommu=pt vfio-pci.ids=" NVIDIA_IDS
                                    ",8086:3e98 initcall_blacklist=sysfb_init"), "%s", node_str(kc, "diff"));
        cr_assert_not_null(plan_command(d, "kernel-install add 6.8.12-4-pve /lib/modules/6.8.12-4-pve/vmlinuz"));
        cr_assert_null(plan_step(d, "path", "/etc/default/grub"));
        fy_document_destroy(d);
}

Test(plan, an_existing_softdep_gets_vfio_pci_and_a_shared_module_no_blacklist) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("proxmox-softdep-to-merge");
        struct fy_document *d = plan_json(t, NULL, NULL, NULL);
        struct fy_node *s = plan_step(d, "path", "/etc/modprobe.d/vfio.conf");

        cr_assert_not_null(s);
        cr_assert(diff_has_line(s, "-softdep snd_hda_intel pre: snd_hda_codec_hdmi"));
        cr_assert(diff_has_line(s, "+softdep snd_hda_intel pre: vfio-pci snd_hda_codec_hdmi"), "%s",
                  node_str(s, "diff"));
        cr_assert(diff_has_line(s, "+options vfio-pci ids=10de:1e07,10de:1ad6,10de:1ad7,10de:10f7 disable_vga=1"));
        cr_assert(!strstr(node_str(s, "diff"), "+blacklist snd_hda_intel"), "snd_hda_intel, which 00:1f.3 uses, "
                  "is blacklisted");
        cr_assert_not_null(plan_command(d, "proxmox-boot-tool refresh"));
        fy_document_destroy(d);
}

Test(plan, unknown_tools_are_asked_once_and_remedies_stop_listing_them) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("tu102-as-generated");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct run r = plan_run_in(t, NULL, "explain", "-s", "00:02.0", NULL);

        cr_assert_eq(plan_count(d, "questions"), 2);
        cr_assert_str_eq(node_str(plan_item(d, "questions", 0), "id"), "initramfs-tool");
        cr_assert_str_eq(node_str(plan_item(d, "questions", 1), "id"), "bootloader");
        cr_assert_null(strstr(r.out, "whichever"), "%s", r.out);
        cr_assert_null(strstr(r.out, "mkinitcpio"), "%s", r.out);
        cr_assert(strstr(r.out, "'gpudiag plan' asks once"), "%s", r.out);
        run_clear(&r);
        fy_document_destroy(d);
}

Test(plan, text_numbers_the_steps_by_phase_and_marks_what_needs_a_person) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("tu102-as-generated");
        struct run r = plan_run_in(t, NULL, "plan", "-s", "00:02.0", NULL);
        const char *q, *cmd, *mods, *ird, *boot, *reboot, *verify;

        cr_assert_eq(r.code, 1);
        q = strstr(r.out, "\nQuestions (answer with the option, then run gpudiag plan again):\n");
        cmd = strstr(r.out, "\nKernel command line\n");
        mods = strstr(r.out, "\nvfio-pci binding and module configuration\n");
        ird = strstr(r.out, "\nInitramfs\n");
        boot = strstr(r.out, "\nBoot loader\n");
        reboot = strstr(r.out, "[by hand] Reboot the host");
        verify = strstr(r.out, "\nVerify\n");
        cr_assert(q && cmd && mods && ird && boot && reboot && verify, "%s", r.out);
        cr_assert(q < cmd && cmd < mods && mods < ird && ird < boot && boot < reboot && reboot < verify, "%s", r.out);
        cr_assert(strstr(r.out, "    --initramfs-tool initramfs-tools | dracut | mkinitcpio | booster\n"), "%s", r.out);
        cr_assert(strstr(r.out, "[waits for an answer] Rebuild the initramfs"), "%s", r.out);
        cr_assert(strstr(r.out, "   1. Edit /etc/default/grub\n"), "%s", r.out);
        cr_assert(strstr(r.out, "note: 0000:00:02.0 is the boot VGA device"), "%s", r.out);
        run_clear(&r);
}

Test(plan, a_card_already_ready_needs_nothing_and_exits_0) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("tu102-as-generated");
        struct run r = plan_run_in(t, NULL, "plan", NULL);

        cr_assert_eq(r.code, 0, "%s%s", r.out, r.err);
        cr_assert(strstr(r.out, "Nothing to change"), "%s", r.out);
        run_clear(&r);
}

Test(plan, bad_answers_and_options_are_usage_errors) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("tu102-as-generated");
        struct run a = plan_run_in(t, NULL, "plan", "--initramfs-tool", "genkernel", NULL);
        struct run b = plan_run_in(t, NULL, "plan", "--bootloader", "grub", NULL);
        struct run c = plan_run_in(t, NULL, "plan", "--format", "prometheus", NULL);
        struct run d = plan_run_in(t, NULL, "plan", "--yes", NULL);

        cr_assert_eq(a.code, 2);
        cr_assert(strstr(a.err, "initramfs-tools, dracut, mkinitcpio, booster"), "%s", a.err);
        cr_assert_eq(b.code, 2);
        cr_assert(strstr(b.err, "update-grub, grub2-mkconfig, grub-mkconfig"), "%s", b.err);
        cr_assert_eq(c.code, 2);
        cr_assert_eq(d.code, 2, "--yes is apply's");
        run_clear(&a);
        run_clear(&b);
        run_clear(&c);
        run_clear(&d);
}

Test(plan, nothing_to_rebuild_binds_now_and_says_it_is_the_console) {
        _cleanup_testbed_ struct gd_testbed *t = plan_testbed("igpu-configured-not-rebooted");
        struct fy_document *d = plan_json(t, "00:02.0", NULL, NULL);
        struct fy_node *bind = plan_command(d, "driverctl set-override 0000:00:02.0 vfio-pci");

        cr_assert_not_null(bind, "no binding now");
        cr_assert_str_eq(node_str(bind, "phase"), "now");
        cr_assert(node_str(bind, "note") && strstr(node_str(bind, "note"), "host console"));
        cr_assert_null(plan_step(d, "phase", "reboot"), "a reboot with nothing changed");
        cr_assert_null(plan_step(d, "phase", "initramfs"), "a rebuild with nothing changed");
        cr_assert_not_null(plan_step(d, "phase", "firmware"));
        fy_document_destroy(d);
}
