/* SPDX-License-Identifier: MIT */
/* The framebuffer family (checks/framebuffer.c) on host fixtures: a boot
 * framebuffer in a BAR of the card, from /proc/iomem or the kernel log, its
 * owner deciding the remedy; and the boot VGA note. */
#include <criterion/criterion.h>
#include <string.h>

#include "checks/families.h"
#include "host-fixture.h"

#define GPU_BAR1 "iomem 6000000000-600fffffff : 0000:01:00.0"

Test(framebuffer, bootfb_in_the_bar_of_the_boot_gpu_is_claimed_with_the_sysfb_remedy) {
        _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_framebuffer, h, &f);
        x = finding_about(&f, "fb.bar-claimed", "0000:0b:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "a boot framebuffer (BOOTFB) holds BAR 0 of 0000:0b:00.0");
        cr_expect(evidence_has(x, "BOOTFB (inside BAR 0 (7c00000000-7c0fffffff) of 0000:0b:00.0)"));
        cr_expect_not_null(strstr(x->remedy, "initcall_blacklist=sysfb_init"), "%s", x->remedy);
        /* 6.8, a VGA-class device: vfio-pci would drop the framebuffer itself */
        cr_expect_not_null(strstr(x->remedy, "On Linux 6.0+ vfio-pci removes"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(framebuffer, framebuffer_outside_every_bar_of_the_card_is_not_claimed) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", GPU_BAR1,
                                                        "iomem 4000000000-40002fffff : BOOTFB", NULL);
        struct gd_findings f = { 0 };

        run_family(gd_check_framebuffer, h, &f);
        cr_expect_null(finding_about(&f, "fb.bar-claimed", NULL));
        gd_findings_clear(&f);
}

Test(framebuffer, efifb_owner_gets_video_efifb_off) {
        _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", GPU_BAR1,
                                                        "iomem   6000000000-60002fffff : efifb", NULL);
        struct gd_findings f = { 0 };
        const struct gd_finding *x;

        run_family(gd_check_framebuffer, h, &f);
        x = finding_about(&f, "fb.bar-claimed", "0000:01:00.0");
        cr_assert_not_null(x);
        cr_expect_str_eq(x->summary, "a boot framebuffer (efifb) holds BAR 1 of 0000:01:00.0");
        cr_expect_not_null(strstr(x->remedy, "video=efifb:off"), "%s", x->remedy);
        cr_expect_null(strstr(x->remedy, "sysfb_init"), "%s", x->remedy);
        gd_findings_clear(&f);
}

Test(framebuffer, cant_reserve_record_of_a_card_function_is_claimed_and_of_another_device_is_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready",
                        "kmsg vfio-pci 0000:01:00.0: BAR 1 [mem 0x6000000000-0x600fffffff 64bit pref]: can't reserve",
                        NULL);
                const struct gd_finding *x;

                run_family(gd_check_framebuffer, h, &f);
                x = finding_about(&f, "fb.bar-claimed", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_str_eq(x->summary, "a boot framebuffer holds a BAR of 0000:01:00.0");
                cr_expect(evidence_has(x, "can't reserve"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture(
                        "intel-vfio-ready",
                        "kmsg vfio-pci 0000:02:00.0: BAR 1 [mem 0x7000000000-0x700fffffff 64bit pref]: can't reserve",
                        NULL);
                run_family(gd_check_framebuffer, h, &f);
                cr_expect_null(finding_about(&f, "fb.bar-claimed", NULL));
                gd_findings_clear(&f);
        }
}

Test(framebuffer, hidden_iomem_is_unknown_for_the_boot_vga_device_only) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("amd-x570-navi10-chipset", "state iomem EACCES", NULL);
                const struct gd_finding *x;

                run_family(gd_check_framebuffer, h, &f);
                cr_expect_null(finding_about(&f, "fb.bar-claimed", NULL));
                x = finding_about(&f, "fact.unreadable", "0000:0b:00.0");
                cr_assert_not_null(x);
                cr_expect(evidence_has(x, "every address reads 0"));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "state iomem EACCES", NULL);
                run_family(gd_check_framebuffer, h, &f);
                cr_expect_eq(f.n, 0, "first: %s", f.n ? f.items[0].id : "");
                gd_findings_clear(&f);
        }
}

Test(framebuffer, boot_vga_device_gets_the_note_and_another_gpu_does_not) {
        struct gd_findings f = { 0 };

        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", "dev 0000:01:00.0 boot_vga=1", NULL);
                const struct gd_finding *x;

                run_family(gd_check_framebuffer, h, &f);
                x = finding_about(&f, "gpu.boot-vga", "0000:01:00.0");
                cr_assert_not_null(x);
                cr_expect_eq(x->severity, GD_SEV_INFO);
                cr_expect_not_null(strstr(x->remedy, "romfile="));
                gd_findings_clear(&f);
        }
        {
                _cleanup_host_ struct gd_host *h = host_fixture("intel-vfio-ready", NULL);
                run_family(gd_check_framebuffer, h, &f);
                cr_expect_null(finding_about(&f, "gpu.boot-vga", NULL));
                gd_findings_clear(&f);
        }
}
